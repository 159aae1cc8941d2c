//! The structured recognisers: one multi-pattern regex that finds every candidate in a single
//! pass over the text, in priority order. Each candidate is then checked in `detect.rs` (check
//! digits, allocation rules, context words) before it becomes a detection.

/// What a pattern of [`PATTERNS`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    JsonField,
    Email,
    Url,
    BareDomain,
    Ipv4,
    Mac,
    Uuid,
    Ipv6,
    DateIso,
    DateNumeric,
    DateText,
    DateMonthYear,
    DateMonthDay,
    Ssn,
    NationalInsurance,
    Card,
    Iban,
    Mbi,
    Dea,
    Vin,
    UkPostcode,
    MilitaryAddress,
    StreetNumberFirst,
    StreetTypeFirst,
    StreetCompound,
    HouseNumber,
    CityState,
    AgeWords,
    AgeLabel,
    Plate,
    Phone,
    Zip,
    Code,
}

/// ASCII word boundary: the lazy DFA handles it on any text (a Unicode `\b` would make it give
/// up on non-ASCII input).
const B: &str = r"(?-u:\b)";

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|Sept|SEPT|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEP|OCT|NOV|DEC";

/// Street types that follow the street's name (USPS Publication 28 suffixes, British and Indian
/// ones), longest form first so that `Street` wins over `St`.
const STREET_SUFFIXES: &str = "Alley|Allee|Annex|Arcade|Avenue|Ave|Av|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|Bridge|Brooks?|Burgs?|Bypass|Byway|Camp|Canyon|Cape|Causeway|Centers?|Centre|Chase|Circles?|Circus|Cir|Cliffs?|Close|Club|Commons?|Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Cres|Crest|Crossing|Crossroads?|Curve|Dale|Dam|Divide|Drives?|Dr|Drove|Estates?|Expressway|Expy|Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Fwy|Gardens?|Gateway|Gate|Glens?|Greens?|Grove|Groves?|Harbors?|Harbour|Haven|Heights|Hts|Highway|Hwy|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|Lakes?|Landing|Lane|Ln|Lights?|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|Mills?|Mission|Motorway|Mount|Mountains?|Mt|Neck|Orchard|Oval|Overpass|Parade|Parks?|Parkways?|Pkwy|Pass|Passage|Path|Pike|Pines?|Place|Pl|Plains?|Plaza|Plz|Points?|Ports?|Prairie|Promenade|Quay|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|Rise|River|Roads?|Rd|Route|Rte|Row|Rue|Run|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|Stream|Streets?|St|Summit|Terrace|Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Trailer|Tunnel|Turnpike|Underpass|Unions?|Vale|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Ways?|Wells?|Wharf|Wynd|Yard|Nagar|Marg|Chowk|Ganj|Zila|Colony|Sector|Driveway|Pocket|Esplanade|Grange|Crossway|Outlook|Glade|Nook|Retreat|Boardwalk|Via";

/// Street types written before the street's name (Romance, Polish, Portuguese, Mexican…).
const STREET_PREFIXES: &str = "Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Contrada|Borgo|Strada|Rotonda|Calle|Avenida|Avda\\.|Av\\.|Paseo|Plaza|Camino|Carrera|Callejón|Calzada|Cerrada|Privada|Prolongación|Andador|Circuito|Retorno|Periférico|Corredor|Diagonal|Pasaje|Peatonal|Continuación|Ampliación|Viaducto|Boulevard|Rua|Travessa|Praça|Alameda|Estrada|Rodovia|Ladeira|Viela|Vila|Quadra|Morro|Canale|C\\.|R\\.|Cuesta|Cañada|Stretto|Incrocio|Ronda|Travesía|Urbanización|Glorieta|Pasadizo|Avinguda|Carrer|Passeig|Rambla|Praceta|Beco|Calçada|Setor|Passarela|Conjunto|Residencial|Loteamento|Núcleo|Trecho|Jardim|Chácara|Condomínio|Esplanada|Vereda|Viaduto|Recanto|Sítio|Trevo|Eje vial|Eje|Circunvalación|Ul\\.|ul\\.|ulica|Ulica|Aleja|aleja|Al\\.|al\\.|Plac|plac|Pl\\.|pl\\.|Osiedle|os\\.|Rue|rue|Avenue|avenue|Chemin|chemin|Impasse|impasse|Allée|allée|Place|place|Quai|quai|Route|route|Cours|cours|Rond-point|Boulevard|boulevard|Straße|Strasse";

/// Street types that end a compound street name (German, Dutch).
const COMPOUND_ENDINGS: &str = "straße|strasse|str\\.|weg|platz|allee|gasse|ring|damm|ufer|steig|pfad|chaussee|straat|laan|plein|gracht|kade|singel|dijk|hof|markt|steeg|pad|baan|boulevard|dreef|plantsoen|park|erf|veld";

/// Lower-case words that may sit inside a street or place name.
const PARTICLES: &str = "de|la|le|les|del|della|delle|dei|degli|di|do|da|dos|das|du|des|d'\\p{L}+|y|e|of|the|am|an|der|im|van|von|sur|en";

const US_STATES: &str = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP|AA|AE|AP";

/// The US states, the District of Columbia and Puerto Rico, as written.
pub(crate) const US_STATE_NAMES: &str = "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia|Puerto Rico";

/// A capitalised word: letters, with at most four apostrophes, full stops or hyphens inside.
/// Every repetition in the patterns spans at most one run of letters or digits, or is bounded:
/// a search then never looks more than a few words past where it starts, and Tier 0 stays
/// linear in the text's length (`tests/adversarial.rs`).
pub(crate) const WORD: &str = r"\p{Lu}\p{L}*(?:['’.-]\p{L}*){0,4}";

/// The patterns, in priority order: where two match at the same place, the earlier wins, and a
/// candidate that fails its check gives way to the next pattern that matches there.
pub(crate) fn patterns() -> Vec<(Kind, String)> {
    // A capitalised word with at most four marks inside (`O'Brien-Smith`, `St.`, `J.-P.`):
    // bounded, so that a run such as `A-A-A-…` never keeps a search alive to its end (every
    // candidate in the run would then cost the rest of the run: quadratic time).
    let word = WORD;
    let unit = r"(?:,? (?:Apt|APT|Apartment|Suite|Ste|STE|Unit|Flat|Fl|Floor|Room|Rm|Bldg|Building|Dept|No|#)\.? ?#?[A-Za-z]?\d{1,5}[A-Za-z]?)?";
    let house = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?";
    let tail_number =
        r",? (?:(?:n\.?|nº|No\.?|N°|núm\.?|#) ?)?\d{1,5}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)?";
    let time = r"(?:,? (?:at )?(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?: ?[AaPp]\.?[Mm]\.?)?)?";
    vec![
        // `"city": "Springfield"` inside a text: the field names that say what a value is.
        (Kind::JsonField, format!(r#""(?:{})"\s*:\s*"[^"\\\n]{{1,120}}""#, crate::engine::field_hint_names().join("|"))),
        // Bounded repetitions throughout: an unbounded run (`a.a.a.a…` without `@`) would keep
        // every search alive to the end of the run, and a long run would take quadratic time.
        (Kind::Email, r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}".into()),
        (Kind::Url, r#"(?i:https?://|ftp://|www\.)[^\s<>"'\)\]\}]+"#.into()),
        (Kind::BareDomain, format!(r#"{B}[a-z0-9](?:[a-z0-9-]{{0,62}}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{{0,62}}[a-z0-9])?){{0,6}}\.(?:com|org|net|edu|gov|info|biz|io|co|us|uk|de|fr|it|es|nl|pl|br|in|mx|ca|au|ch|at|be|eu|health|app|ai|me|pt|se|dk|fi|ie|jp|cn|ru|cz|hu){B}(?:/[^\s<>"']*)?"#)),
        (Kind::Ipv4, format!(r"{B}(?:\d{{1,3}}\.){{3}}\d{{1,3}}{B}")),
        (Kind::Mac, format!(r"(?i:{B}[0-9a-f]{{2}}(?::[0-9a-f]{{2}}){{5}}{B}|{B}[0-9a-f]{{2}}(?:-[0-9a-f]{{2}}){{5}}{B}|{B}[0-9a-f]{{4}}\.[0-9a-f]{{4}}\.[0-9a-f]{{4}}{B})")),
        (Kind::Uuid, format!(r"(?i:{B}[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}{B})")),
        (Kind::Ipv6, r"(?i:(?:[0-9a-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4})?)".into()),
        (Kind::DateIso, format!(r"{B}(?:1[89]|20)\d{{2}}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?{B}")),
        (Kind::DateNumeric, format!(r"{B}\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}}){B}{time}")),
        (Kind::DateText, format!(r"(?:{B}\d{{1,2}}(?:st|nd|rd|th)?(?: of)?[ -](?:{MONTHS})\.?(?:,?[ -]\d{{4}}|[ -]\d{{2}})?|{B}(?:{MONTHS})\.? (?:\d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?|\d{{4}})){B}{time}")),
        (Kind::DateMonthYear, format!(r"{B}(?:0?[1-9]|1[0-2])[/.-](?:19|20)\d{{2}}{B}")),
        (Kind::DateMonthDay, format!(r"{B}(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]){B}")),
        (Kind::Ssn, format!(r"{B}\d{{3}}-\d{{2}}-\d{{4}}{B}|{B}\d{{3}} \d{{2}} \d{{4}}{B}")),
        (Kind::NationalInsurance, format!(r"{B}[A-Z]{{2}} ?\d{{2}} ?\d{{2}} ?\d{{2}} ?[A-D]{B}")),
        (Kind::Card, format!(r"{B}\d{{4}}(?:[ -]?\d{{4}}){{2}}[ -]?\d{{1,7}}{B}|{B}\d{{4}}[ -]?\d{{6}}[ -]?\d{{4,5}}{B}")),
        (Kind::Iban, format!(r"{B}[A-Z]{{2}}\d{{2}}(?: ?[A-Z0-9]{{4}}){{2,7}}(?: ?[A-Z0-9]{{1,3}})?{B}")),
        (Kind::Mbi, format!(r"{B}[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{{2}}\d{{2}}{B}")),
        (Kind::Dea, format!(r"{B}[A-Z][A-Z9]\d{{7}}{B}")),
        (Kind::Vin, format!(r"{B}[A-HJ-NPR-Z0-9]{{17}}{B}")),
        (Kind::UkPostcode, format!(r"{B}(?:[A-Z]{{1,2}}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{{2}}{B}")),
        (Kind::MilitaryAddress, format!(r"{B}(?:(?:PSC|Unit|UNIT) \d{{3,5}},? Box \d{{3,5}}|(?:USNS|USNV|USS|USCGC) \p{{Lu}}[\p{{L}}'-]\p{{L}}*(?:['-]\p{{L}}*){{0,4}})")),
        (Kind::StreetNumberFirst, format!(r"{B}{house},? (?:(?:{word}|{PARTICLES}) ){{0,4}}(?:{word} )(?i:{STREET_SUFFIXES}){B}\.?(?: (?:N|S|E|W|NE|NW|SE|SW){B}\.?)?{unit}|{B}{house},? (?i:rue|avenue|av\.|boulevard|bd|chemin|impasse|allée|place|quai|route|cours|calle|avenida|rua|travessa|via|viale|piazza|corso)(?: (?:{word}|{PARTICLES})){{1,5}}{unit}")),
        (Kind::StreetTypeFirst, format!(r"{B}(?:{STREET_PREFIXES})(?: (?:{word}|{PARTICLES})){{1,5}}{tail_number}(?: \d{{1,5}})?(?: (?:Int\.|int\.|Interior|Edif\.|Depto\.?|Apto\.?|apto\.?|apt\.?|m\.|lok\.|Piso|piso|Casa|Puerta|Piano|Appartamento|Scala|Interno|Esc\.) ?\d{{1,5}})?(?: ?, ?(?:Depto\.|Edif\.|Interior|Apto\.) ?\d{{1,5}})?")),
        (Kind::StreetCompound, format!(r"\p{{Lu}}\p{{L}}*(?:-\p{{L}}*){{0,4}}(?i:{COMPOUND_ENDINGS}) \d{{1,5}}\s?[a-zA-Z]?(?:[-/]\d{{1,4}}[a-z]?)?{B}")),
        (Kind::HouseNumber, r"(?:H\.? ?No\.?|House No\.?|Flat No\.?|Flat|Studio) ?\d{1,5}[A-Za-z]?(?:/\d{1,4})?".into()),
        (Kind::CityState, format!(r"(?:{word} ){{0,2}}{word},? (?:(?:{US_STATES})(?: \d{{5}}(?:-\d{{4}})?)?|(?:{US_STATE_NAMES}) \d{{5}}(?:-\d{{4}})?){B}")),
        (Kind::AgeWords, format!(r"{B}(?:9\d|1[01]\d)(?:[- ](?i:years?|yrs?|yo)(?:[- ](?i:old))?|[- ]?(?i:y/?o|yo)|(?i: years of age)){B}")),
        (Kind::AgeLabel, format!(r"(?i:{B}(?:aged?|age:|age is|age of))\s?(?:9\d|1[01]\d){B}")),
        (Kind::Plate, format!(r"{B}[A-Z0-9]{{1,4}}(?:[ •·-][A-Z0-9]{{1,7}}){{1,2}}{B}")),
        (Kind::Phone, format!(r"(?:\+\d{{1,4}}[ .-]?|{B}00\d{{1,3}}[ .-]?|{B})(?:\(0\)[ .-]?)?(?:\(\d{{1,5}}\)[ .-]?)?\d{{1,12}}(?:[ .-]\d{{1,8}}){{0,5}}(?:\s?(?:x|ext\.?|extension)\s?\d{{1,6}})?{B}|(?:{B}1[ .-]?)?\(\d{{1,5}}\)[ .-]?\d{{1,12}}(?:[ .-]\d{{1,8}}){{0,4}}(?:\s?(?:x|ext\.?)\s?\d{{1,6}})?{B}")),
        (Kind::Zip, format!(r"{B}\d{{5}}(?:-\d{{4}})?{B}")),
        (Kind::Code, format!(r"{B}(?:[A-Za-z]{{1,8}}[-#:]){{0,3}}[A-Za-z]{{0,24}}\d[A-Za-z0-9]{{0,40}}(?:[-/.#][A-Za-z0-9]{{1,40}}){{0,8}}")),
    ]
}

/// Legal citations (The Bluebook's forms): a case (`Brown v. Board of Education, 347 U.S.
/// 483`), a reporter cite, a statute (`42 U.S.C. § 2000e-2`) or a rule (`Fed. R. Civ. P.
/// 12(b)(6)`): public text, kept as it is, and no name inside it is looked for. Its own pass,
/// run only over text with a citation's marks (`CITATION_MARKS`): in the combined regex, every
/// capitalised word would start a possible party and slow every text down.
pub(crate) fn citation_pattern() -> String {
    // Legal citations (The Bluebook's forms): the reporters of US case law, a case's parties
    // (capitalised words, with `of`, `the`, `&`, and corporate abbreviations), statutes and
    // court rules. Bounded like every other pattern.
    let reporter = r"(?:U\.\s?S\.|S\.\s?Ct\.|L\.\s?Ed\.(?:\s?2d)?|F\.(?:\s?Supp\.)?(?:\s?(?:2d|3d|4th))?|F\.\s?App'x|B\.\s?R\.|(?:N\.\s?Y\.|N\.\s?E\.|N\.\s?W\.|S\.\s?E\.|S\.\s?W\.|So\.|P\.|A\.|Cal\.(?:\s?App\.)?|Ill\.|Mass\.|Pa\.|Wis\.|Ohio\s?St\.)(?:\s?(?:2d|3d|4th|5th))?|Cranch|Wheat\.|Pet\.|How\.|Wall\.|Dall\.|Ex\.|Eng\.\s?Rep\.|Q\.B\.|K\.B\.|A\.C\.|Ch\.|A\.L\.R\.(?:\s?\d?[a-z]{0,2})?)";
    // A party's words are ASCII (a Unicode letter class repeated this often would make the
    // automaton too large).
    // A full stop only ends a short word (`Co.`, `R.R.`, `Bros.`): after a long one it ends
    // the sentence, and the next sentence's first word is no party.
    let pword = r"(?:[A-Z][A-Za-z'’.-]{0,5}\.|[A-Z][A-Za-z'’-]{0,30})";
    let party = format!(
        r"{pword}(?: (?:{pword}|of|the|and|for|de|ex rel\.|&)){{0,7}}(?:,? (?:Inc\.|LLC|L\.L\.C\.|Co\.|Corp\.|Ltd\.|L\.P\.|N\.A\.|P\.C\.|et al\.))?"
    );
    let cite = format!(
        r"\d{{1,4}} {reporter} (?:\(\d{{1,3}} (?:Cranch|Wheat\.|Pet\.|How\.|Wall\.|Dall\.)\) )?(?:\d{{1,5}}|at \d{{1,5}}|___)(?:, \d{{1,5}}(?:[-–]\d{{1,5}})?)?(?: \([^()\n]{{0,40}}\))?"
    );
    let section = r"§§?\s?\d{1,6}[a-z]{0,2}(?:[-–.]\d{1,6}[a-z]{0,2}){0,3}(?:\([a-zA-Z0-9]{1,4}\)){0,6}(?:\s?(?:et seq\.|to|through|-|–)\s?\d{1,6}[a-z]{0,2}(?:\([a-zA-Z0-9]{1,4}\)){0,6})?";
    format!(
        r"(?:{party} (?:v|vs)\.? {party}|In re {party}|Ex parte {party})(?:, {cite})?|{pword}, {cite}|{B}{cite}|{B}\d{{1,3}} (?:U\.\s?S\.\s?C\.(?:\s?A\.)?|C\.\s?F\.\s?R\.|Stat\.|Fed\.\s?Reg\.) {section}|{B}\d{{1,3}} C\.\s?F\.\s?R\. (?:pt\.|part) \d{{1,5}}|(?:{B}(?:Fed\.\s?R\.\s?(?:Civ\.|Crim\.|App\.|Evid\.|Bankr\.)\s?(?:P\.\s?)?|FRCP|FRE|FRAP|Rules?|RULE|Model Rule)\s?\d{{1,4}}(?:\.\d{{1,3}})?[a-z]?(?:-\d{{1,2}})?(?:\([a-zA-Z0-9]{{1,4}}\)){{0,6}})|(?:[A-Z][a-z]{{1,12}}\.\s?){{1,4}}(?:Code|Stat\.|Ann\.|Laws|Gen\. Laws)(?:\s?Ann\.)?\s?{section}|{B}§§?\s?\d{{1,6}}[a-z]{{0,2}}(?:[-–.]\d{{1,6}}[a-z]{{0,2}}){{0,3}}(?:\([a-zA-Z0-9]{{1,4}}\)){{0,6}}"
    )
}

/// Marks without which a text holds no citation: the citation pass runs only where one occurs.
pub(crate) const CITATION_MARKS: &[&str] = &[
    " v. ", " v ", " vs. ", "§", "U.S", "C.F.R", "Fed. R", "Rule", "RULE", "FRE", "FRCP", "FRAP",
    "In re ", "Ex parte", "Stat.", "Code", " F.2d", " F.3d", " F.4th", "F. Supp", "S. Ct", "So.",
    "N.E.", "N.W.", "S.E.", "S.W.", "P.2d", "P.3d", "A.2d", "A.3d", "Cal.", "N.Y.", "App'x",
];

/// Whether a lower-case word is a street type or a unit word (`street`, `st`, `rue`, `apt`):
/// pseudonymised addresses keep these.
pub(crate) fn is_street_word(word: &str) -> bool {
    static WORDS: std::sync::LazyLock<std::collections::HashSet<String>> =
        std::sync::LazyLock::new(|| {
            let mut set = std::collections::HashSet::new();
            for alt in STREET_SUFFIXES.split('|').chain(STREET_PREFIXES.split('|')) {
                let alt = alt.replace("\\.", "").to_lowercase();
                match alt.strip_suffix("s?") {
                    Some(stem) => {
                        set.insert(stem.to_owned());
                        set.insert(format!("{stem}s"));
                    }
                    None => {
                        set.insert(alt);
                    }
                }
            }
            for w in UNIT_WORDS {
                set.insert((*w).to_owned());
            }
            set
        });
    WORDS.contains(word)
}

/// Unit and building words of an address (`Apt`, `Suite`, `Piso`), and compass points.
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "flat",
    "floor",
    "fl",
    "room",
    "rm",
    "bldg",
    "building",
    "box",
    "psc",
    "no",
    "h.no",
    "house",
    "studio",
    "n",
    "s",
    "e",
    "w",
    "ne",
    "nw",
    "se",
    "sw",
    "edif",
    "depto",
    "interior",
    "int",
    "piso",
    "puerta",
    "piano",
    "appartamento",
    "scala",
    "interno",
    "esc",
    "apto",
];

/// Whether a lower-case word is a unit or building word of an address (`apt`, `suite`).
pub(crate) fn is_unit_word(word: &str) -> bool {
    UNIT_WORDS.contains(&word)
}
