//! Names and places: the gazetteers (census and multicultural given names and surnames, world
//! localities), titles and context cues, and capitalisation. See `data/README.md` for where the
//! lists come from.

use std::collections::HashSet;

use aegis_core::PhiClass;
use rustc_hash::FxBuildHasher;

use crate::detect::Detection;

type Set = HashSet<&'static str, FxBuildHasher>;

fn set(list: &'static str) -> Set {
    let mut s = Set::with_capacity_and_hasher(list.len() / 7, FxBuildHasher);
    s.extend(list.lines().map(str::trim).filter(|l| !l.is_empty()));
    s
}

/// Titles and honorifics that announce a name (lower case, without the full stop).
const TITLES: &[&str] = &[
    "dr",
    "doctor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "mister",
    "prof",
    "professor",
    "sir",
    "dame",
    "madam",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
    "sr",
    "sra",
    "srta",
    "señor",
    "señora",
    "senor",
    "senora",
    "don",
    "doña",
    "dona",
    "dott",
    "dott.ssa",
    "sig",
    "sig.ra",
    "signor",
    "signora",
    "pan",
    "pani",
    "shri",
    "smt",
    "sri",
    "rev",
    "fr",
    "capt",
    "lt",
    "sgt",
    "col",
    "nurse",
    "dhr",
    "mevr",
    "mw",
    "sister",
];

/// Words that make the capitalised words after them a person's name.
const STRONG_CUES: &[&str] = &[
    "patient",
    "pt",
    "name",
    "named",
    "mother",
    "father",
    "mom",
    "dad",
    "son",
    "daughter",
    "wife",
    "husband",
    "spouse",
    "partner",
    "sister",
    "brother",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "cousin",
    "guardian",
    "caregiver",
    "physician",
    "surgeon",
    "provider",
    "attending",
    "resident",
    "pcp",
    "dear",
    "cc",
    "signed",
    "called",
    "contact",
    "client",
    "member",
    "subscriber",
    "beneficiary",
    "insured",
    "employee",
    "neighbor",
    "neighbour",
    "friend",
    "colleague",
    "therapist",
    "pharmacist",
    "clinician",
    "nurse",
    // Legal and brokerage texts.
    "customer",
    "investor",
    "plaintiff",
    "defendant",
    "petitioner",
    "respondent",
    "appellant",
    "appellee",
    "claimant",
    "witness",
    "tenant",
    "landlord",
    "decedent",
    "testator",
    "debtor",
    "creditor",
    "holder",
];

/// Weaker cues: the capitalised words after them are a name if a gazetteer knows them.
const WEAK_CUES: &[&str] = &[
    "by", "with", "per", "to", "from", "and", "visited", "saw", "told", "asked", "informed",
    "messaged", "emailed", "met",
];

/// Capitalised words that are no name however they are spelt (sentence-initial clinical words,
/// calendar words, credentials).
const STOP: &[&str] = &[
    "mother",
    "father",
    "son",
    "daughter",
    "wife",
    "husband",
    "brother",
    "nephew",
    "niece",
    "grandson",
    "granddaughter",
    "grandmother",
    "grandfather",
    "partner",
    "spouse",
    "aunt",
    "uncle",
    "cousin",
    "guardian",
    "caregiver",
    // Identifier names, devices, US states, countries: capitalised, never a person.
    "mac",
    "imei",
    "vin",
    "npi",
    "dea",
    "nir",
    "nino",
    "iban",
    "aadhaar",
    "pesel",
    "bsn",
    "cpf",
    "curp",
    "nhs",
    "nss",
    "udi",
    "ip",
    "url",
    "id",
    "national",
    "wearable",
    "pacemaker",
    "patient",
    "client",
    "customer",
    "investor",
    "plaintiff",
    "defendant",
    "petitioner",
    "respondent",
    "appellant",
    "appellee",
    "claimant",
    "witness",
    "tenant",
    "landlord",
    "decedent",
    "debtor",
    "creditor",
    "patients",
    "hospital",
    "clinic",
    "medical",
    "center",
    "centre",
    "department",
    "emergency",
    "ward",
    "unit",
    "note",
    "notes",
    "plan",
    "assessment",
    "history",
    "diagnosis",
    "medication",
    "medications",
    "allergies",
    "allergy",
    "vitals",
    "labs",
    "lab",
    "impression",
    "discharge",
    "admission",
    "summary",
    "follow",
    "return",
    "continue",
    "start",
    "stop",
    "take",
    "please",
    "regards",
    "thanks",
    "thank",
    "sincerely",
    "insurance",
    "member",
    "account",
    "phone",
    "fax",
    "email",
    "address",
    "street",
    "city",
    "state",
    "county",
    "zip",
    "date",
    "age",
    "sex",
    "male",
    "female",
    "yes",
    "no",
    "none",
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "he",
    "she",
    "they",
    "his",
    "her",
    "their",
    "we",
    "i",
    "you",
    "it",
    "this",
    "that",
    "these",
    "those",
    "md",
    "do",
    "rn",
    "np",
    "pa",
    "phd",
    "jr",
    "ii",
    "iii",
    "iv",
    "dds",
    "dnp",
    "mph",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "yesterday",
    "christmas",
    "easter",
    "dear",
    "hello",
    "hi",
    "dob",
    "mrn",
    "ssn",
    "icd",
    "bp",
    "hr",
    "rr",
    "temp",
    "spo",
    "bmi",
    "ekg",
    "ecg",
    "ct",
    "mri",
    "er",
    "ed",
    "icu",
    "or",
    "pcp",
    "cc",
    "re",
    "subject",
    "from",
    "to",
    "sent",
    "signed",
    "reason",
    "chief",
    "complaint",
    "exam",
    "physical",
    "review",
    "systems",
    "social",
    "family",
    "surgical",
    "past",
    "present",
    "illness",
    "results",
    "result",
    "imaging",
    "procedure",
    "procedures",
    "orders",
    "order",
    "instructions",
    "disposition",
    "condition",
    "stable",
    "good",
    "fair",
    "poor",
    "normal",
    "negative",
    "positive",
    "blood",
    "pressure",
    "heart",
    "rate",
    "respiratory",
    "oxygen",
    "pulse",
    "weight",
    "height",
    "type",
    "diabetes",
    "hypertension",
    "asthma",
    "copd",
    "cancer",
    "pain",
    "fever",
    "cough",
    "insulin",
    "aspirin",
    "tylenol",
    "advil",
    "motrin",
    "coumadin",
    "lasix",
    "zoloft",
    "prozac",
    "xanax",
    "valium",
    "lipitor",
    "crestor",
    "synthroid",
    "vitamin",
    "mg",
    "ml",
    "tablet",
    "capsule",
    "daily",
    "twice",
    "once",
    "nightly",
    "prn",
    "bid",
    "tid",
    "qid",
    "po",
    "iv",
    "im",
    "sq",
    "street",
    "road",
    "avenue",
    "lane",
    "drive",
    "court",
    "suite",
    "apt",
    "apartment",
    "box",
    "po",
    "north",
    "south",
    "east",
    "west",
    "united",
    "states",
    "america",
    "usa",
    "us",
    "uk",
    "england",
    "canada",
    "mexico",
    "germany",
    "france",
    "italy",
    "spain",
    "india",
    "brazil",
    "poland",
    "netherlands",
    "china",
    "japan",
    "texas",
    "california",
    "florida",
    "georgia",
    "virginia",
    "carolina",
    "dakota",
    "washington",
    "york",
    "jersey",
    "new",
    "medicare",
    "medicaid",
    "aetna",
    "cigna",
    "humana",
    "kaiser",
    "blue",
    "cross",
    "shield",
    "health",
    "care",
    "healthcare",
    "services",
    "service",
    "group",
    "inc",
    "llc",
    "ltd",
    "corp",
    "university",
    "school",
    "college",
    "church",
    "pharmacy",
    "lab",
    "laboratory",
    "radiology",
    "cardiology",
    "neurology",
    "oncology",
    "pediatrics",
    "surgery",
    "internal",
    "medicine",
    "family",
    "practice",
    "urgent",
    "primary",
    "care",
    "nursing",
    "home",
    "rehab",
    "memorial",
    "general",
    "regional",
    "community",
    "saint",
    "st",
    "mount",
    "mt",
    "covid",
    "sars",
    "hiv",
    "aids",
    "hba",
    "wbc",
    "rbc",
    "ldl",
    "hdl",
    "tsh",
    "alt",
    "ast",
    "inr",
    "per",
    "via",
    "see",
    "seen",
    "call",
    "visit",
    "appointment",
    "clinic",
    "office",
    "room",
    "bed",
    "floor",
    "building",
    "wing",
    "tower",
    "annex",
    "north",
    "main",
    "side",
    // Sentence-initial prepositions and quantifiers, and the parts of a legal text.
    "in",
    "on",
    "at",
    "for",
    "with",
    "under",
    "after",
    "before",
    "during",
    "since",
    "until",
    "some",
    "many",
    "most",
    "all",
    "several",
    "few",
    "other",
    "both",
    "each",
    "every",
    "any",
    "not",
    "class",
    "section",
    "article",
    "title",
    "chapter",
    "part",
    "rule",
    "count",
    "exhibit",
    "schedule",
    "appendix",
    "paragraph",
    // Trading imperatives at the start of a sentence (`Buy KO`, `Sell Tesla`).
    "buy",
    "sell",
    "short",
    "consider",
    "avoid",
    "trim",
    "accumulate",
    "hold",
    // Salutations (`Dear Counsel`, `Dear Sir or Madam`).
    "counsel",
    "sir",
    "madam",
    "colleagues",
    "team",
    // Sentence-initial words of notes (`Last Ca 9.0`, `Tried Pepcid AC`).
    "last",
    "first",
    "tried",
];

/// Words before a capitalised place name that make it a place.
const PLACE_CUES: &[&str] = &[
    "in", "from", "near", "at", "to", "lives", "living", "resides", "resident", "born", "moved",
    "visiting", "hometown", "town", "city", "village", "outside", "around",
];

/// Languages, US states and countries: never a name alone (`speaks Dutch`, `Missouri 97774`),
/// but part of a longer one (`Jessica French`, `Dr. Virginia Echeverría`).
const LANGUAGES: &[&str] = &[
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "colorado",
    "connecticut",
    "delaware",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "tennessee",
    "utah",
    "vermont",
    "wisconsin",
    "wyoming",
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "south carolina",
    "south dakota",
    "west virginia",
    "rhode island",
    "united states",
    "united kingdom",
    "district of columbia",
    "puerto rico",
    "méxico",
    "brasil",
    "deutschland",
    "italia",
    "españa",
    "polska",
    "nederland",
    "portugal",
    "ireland",
    "scotland",
    "wales",
    "australia",
    "switzerland",
    "austria",
    "belgium",
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "dutch",
    "hindi",
    "polish",
    "portuguese",
    "chinese",
    "mandarin",
    "cantonese",
    "arabic",
    "russian",
    "japanese",
    "korean",
    "vietnamese",
    "tagalog",
    "urdu",
    "bengali",
    "punjabi",
    "tamil",
    "telugu",
    "greek",
    "turkish",
    "swahili",
    "somali",
    "amharic",
    "farsi",
    "persian",
    "hebrew",
    "creole",
    "haitian",
];

/// Verbs after a capitalised word that make it the name of the person speaking.
const FOLLOW_VERBS: &[&str] = &[
    "reports",
    "reported",
    "presents",
    "presented",
    "states",
    "stated",
    "denies",
    "denied",
    "complains",
    "complained",
    "says",
    "said",
    "endorses",
    "endorsed",
    "declines",
    "declined",
    "agrees",
    "agreed",
    "notes",
    "noted",
    "admits",
    "admitted",
    "tolerates",
    "tolerated",
    "returns",
    "returned",
    "arrives",
    "arrived",
    "called",
    "asked",
    "feels",
    "felt",
];

/// Words after a name that make it an eponym, not a person (`Lyme disease`, `Bell's palsy`).
const EPONYM_HEADS: &[&str] = &[
    "disease",
    "syndrome",
    "palsy",
    "sign",
    "signs",
    "test",
    "criteria",
    "scale",
    "score",
    "procedure",
    "maneuver",
    "manoeuvre",
    "fracture",
    "lymphoma",
    "sarcoma",
    "tumor",
    "tumour",
    "ulcer",
    "reflex",
    "law",
    "classification",
    "method",
    "solution",
    "operation",
    "phenomenon",
    "node",
    "nodes",
    "cyst",
    "cell",
    "cells",
    "virus",
    "block",
    "bundle",
    "equation",
    "index",
    // A plant named for a saint: St John's wort, a serotonergic supplement.
    "wort",
    "bodies",
    "body",
    "hump",
    "class",
    "lesion",
    "pattern",
    "contractions",
    "contraction",
    "clamp",
    "scissors",
    "respirations",
    "rods",
    "rod",
    "zones",
    "zone",
    "protein",
    "crystals",
    "plaque",
    "plaques",
    "screen",
    "screening",
    "exam",
    "examination",
    "vision",
    "canal",
    "duct",
    "gland",
    "glands",
    "membrane",
    "space",
    "line",
    "lines",
    "curve",
    "loop",
    "ligament",
    "tendon",
    "bursa",
    "granules",
    "nodule",
    "nodules",
    "ring",
    "rings",
    "pouch",
    "valve",
    "nerve",
    "fascia",
    "fossa",
    "triangle",
    "staging",
    "stage",
    "grade",
    "grading",
    "splint",
    "brace",
    "forceps",
    "retractor",
    "stitch",
    "suture",
    "flap",
    "graft",
    "shunt",
    "filter",
    "pump",
    "drain",
    "mask",
    "cannula",
    "effect",
    "hypothesis",
    "principle",
    "curve",
    "diagram",
    "vasculitis",
    "arteritis",
    "palsy",
    // Everyday words that follow an eponym in notes (the medical dictionary's own words,
    // `thyroiditis`, `encephalopathy`, are read from `data/medical_words.txt`).
    "scores",
    "tests",
    "positive",
    "negative",
    "equivocal",
    "esophagus",
    "oesophagus",
    "catheter",
    "monitor",
    "monitoring",
    "smear",
    "stain",
    "tear",
    "triad",
    "murmur",
    "pupil",
    "spots",
    "lesions",
    "point",
    "chart",
    "position",
    "incision",
    "repair",
    "approach",
    "technique",
    "respiration",
    "breathing",
    "sounds",
    "contracture",
    "diverticulum",
    "angina",
    "dance",
    "bag",
    "tube",
    "needle",
    "ulcer",
    "anomaly",
    "malformation",
    "deformity",
    "disorder",
    "dystrophy",
    "atrophy",
    "ataxia",
    "chorea",
    "encephalitis",
    "thyroiditis",
    "lymphoma",
    "infection",
    "fever",
];

/// US territories beyond `patterns::US_STATE_NAMES` (which holds the states, the District of
/// Columbia and Puerto Rico), in lower case.
const US_TERRITORIES: &[&str] = &[
    "guam",
    "american samoa",
    "northern mariana islands",
    "u.s. virgin islands",
    "virgin islands",
];

/// Last words of an institution's name (`the Supreme Court`, `Meridian Health System`, `Hale &
/// Winters LLP`): the capitalised words before them name no person.
const INSTITUTION_ENDINGS: &[&str] = &[
    "court",
    "courts",
    "circuit",
    "board",
    "commission",
    "committee",
    "department",
    "agency",
    "administration",
    "bureau",
    "council",
    "congress",
    "senate",
    "legislature",
    "university",
    "college",
    "school",
    "academy",
    "hospital",
    "hospitals",
    "clinic",
    "clinics",
    "center",
    "centre",
    "system",
    "systems",
    "health",
    "healthcare",
    "foods",
    "logistics",
    "records",
    "music",
    "inc",
    "llc",
    "llp",
    "lp",
    "ltd",
    "plc",
    "corp",
    "corporation",
    "company",
    "companies",
    "group",
    "partners",
    "associates",
    "bank",
    "bancorp",
    "trust",
    "fund",
    "funds",
    "capital",
    "securities",
    "advisors",
    "advisers",
    "investments",
    "holdings",
    "authority",
    "services",
    "institute",
    "foundation",
    "association",
    "society",
    "union",
    "church",
    "ministry",
    "office",
    "tribunal",
    "bar",
    "act",
    "amendment",
    "clause",
    "code",
    "class",
    "county",
    "district",
    "state",
    "states",
    "republic",
    "airlines",
    "motors",
    "pharmaceuticals",
    "laboratories",
    "labs",
    "technologies",
    "industries",
    "enterprises",
    "insurance",
];

/// Words before a company's name in trading text (`buy Tesla`, `shares of Apple`).
const FINANCE_BEFORE: &[&str] = &[
    "buy", "sell", "short", "shorted", "hold", "holding", "own", "owns", "trim", "add", "bought",
    "sold", "of", "in", "into", "on", "like", "than", "and", "or", "vs", "versus",
];

/// Words after a company's name in trading text (`Tesla stock`, `Apple's earnings`).
const FINANCE_AFTER: &[&str] = &[
    "stock",
    "stocks",
    "shares",
    "share",
    "options",
    "calls",
    "puts",
    "bonds",
    "earnings",
    "dividend",
    "dividends",
    "guidance",
    "revenue",
    "price",
    "rallied",
    "rose",
    "fell",
    "jumped",
    "slid",
    "gained",
    "dropped",
    "surged",
    "plunged",
    "beat",
    "missed",
    "reported",
    "reports",
    "trades",
    "traded",
    "closed",
    "opened",
    "stake",
    "position",
    "common",
    "preferred",
    "notes",
    "debt",
    "ipo",
    "spinoff",
    "inc",
    "corp",
    "plc",
];

/// Whether finance words stand right before or after the word at `start..end` of `text`:
/// a one-word company's name is then a company (`buy Tesla`, `Apple shares`).
fn finance_context(text: &str, start: usize, end: usize) -> bool {
    let word = |s: &str| {
        s.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let before = text[..start]
        .split_whitespace()
        .next_back()
        .map(word)
        .unwrap_or_default();
    let after = text[end..]
        .trim_start_matches(['\'', '’', 's'])
        .split_whitespace()
        .next()
        .map(word)
        .unwrap_or_default();
    // `Tesla stock`, `Apple's earnings`; `buy Tesla`, `shares of Apple`, `Tesla is` only after a
    // trading word.
    FINANCE_AFTER.contains(&after.as_str())
        || (FINANCE_BEFORE.contains(&before.as_str())
            && matches!(after.as_str(), "is" | "was" | "has" | "and" | "or" | ""))
}

/// Whether a word (any case, trailing punctuation allowed) ends an institution's name.
fn is_institution_word(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',', ';', ':']).to_lowercase();
    INSTITUTION_ENDINGS.contains(&w.as_str())
}

/// Whether `rest`, right after a medical proper noun, reads as a finding or a score of it: a
/// number (`Apgar 8`), a sign (`Finkelstein (+)`, `Phalen +`), or a possessive (`Raynaud's`,
/// `Hashimoto's` — the name of a disease, a sign or a test).
fn eponym_finding_after(rest: &str) -> bool {
    let rest_of_possessive = rest
        .strip_prefix("'s")
        .or_else(|| rest.strip_prefix("’s"))
        .or_else(|| rest.strip_prefix('\''))
        .or_else(|| rest.strip_prefix('’'));
    if rest_of_possessive.is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric())) {
        return true;
    }
    let after = rest.strip_prefix(' ').unwrap_or(rest);
    after.starts_with(|c: char| c.is_ascii_digit()) && rest.starts_with(' ')
        || [
            "(+)", "(-)", "(−)", "+ ", "- ", "+,", "+.", ": pos", ": neg",
        ]
        .iter()
        .any(|p| after.starts_with(p))
}

/// Doctrines, warnings and statutes named for a case's party or a legislator (`Miranda
/// warnings`, `Brady material`, `Terry stop`, `Sarbanes-Oxley`): before a word of
/// [`LEGAL_HEADS`], no person.
const LEGAL_DOCTRINES: &[&str] = &[
    "miranda",
    "brady",
    "terry",
    "chevron",
    "batson",
    "allen",
    "monell",
    "bivens",
    "daubert",
    "frye",
    "strickland",
    "franks",
    "jencks",
    "giglio",
    "garrity",
    "younger",
    "pullman",
    "burford",
    "rooker-feldman",
    "erie",
    "sarbanes-oxley",
    "dodd-frank",
    "glass-steagall",
    "taft-hartley",
    "hart-scott-rodino",
    "gramm-leach-bliley",
    "lanham",
    "sherman",
    "clayton",
    "robinson-patman",
    "davis-bacon",
    "lemon",
    "kastigar",
    "teague",
    "faretta",
    "gideon",
    "mapp",
    "massiah",
    "noerr-pennington",
    "twombly",
    "iqbal",
    "celotex",
    "zubulake",
    "mcdonnell",
    "pinkerton",
    "wharton",
    "allen-bradley",
    "loper",
    "skidmore",
    "auer",
    "marsy",
    "megan",
];

/// Words after a doctrine's name (`warnings`, `material`, `stop`, `deference`).
const LEGAL_HEADS: &[&str] = &[
    "warning",
    "warnings",
    "rights",
    "material",
    "materials",
    "violation",
    "violations",
    "stop",
    "frisk",
    "deference",
    "challenge",
    "charge",
    "claim",
    "claims",
    "liability",
    "action",
    "hearing",
    "standard",
    "abstention",
    "doctrine",
    "act",
    "motion",
    "test",
    "rule",
    "framework",
    "analysis",
    "inquiry",
    "factors",
    "exception",
    "privilege",
    "notice",
    "waiver",
    "defense",
    "defence",
    "disclosure",
    "obligations",
    "review",
    "burden",
    "presumption",
    "instruction",
    "letter",
    "request",
    "issue",
    "issues",
    "error",
    "immunity",
    "plausibility",
];

/// Whether `rest` starts with a ticker in parentheses: ` (DELL)`, ` (NYSE: F)`, `(BRK.B)`.
fn ticker_after(rest: &str) -> bool {
    let Some(inner) = rest
        .strip_prefix(" (")
        .or_else(|| rest.strip_prefix('('))
        .and_then(|r| r.split_once(')'))
        .map(|(inner, _)| inner)
    else {
        return false;
    };
    let symbol = match inner.split_once(':') {
        Some((exchange, symbol))
            if [
                "NYSE", "NASDAQ", "Nasdaq", "AMEX", "NYSEARCA", "OTC", "LSE", "TSX",
            ]
            .contains(&exchange.trim()) =>
        {
            symbol.trim()
        }
        Some(_) => return false,
        None => inner,
    };
    (1..=6).contains(&symbol.len())
        && symbol.bytes().all(|b| b.is_ascii_uppercase() || b == b'.')
        && symbol.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether the lower-case `words` name a US state (`new mexico`, `washington state`).
pub(crate) fn is_us_state(words: &str) -> bool {
    let words = words
        .strip_suffix(" state")
        .or_else(|| words.strip_prefix("state of "))
        .unwrap_or(words);
    // Safe Harbor (45 CFR 164.514(b)(2)(i)(B)) removes geographic units smaller than a state:
    // a state stays.
    crate::patterns::US_STATE_NAMES
        .split('|')
        .any(|state| state.eq_ignore_ascii_case(words))
        || US_TERRITORIES.contains(&words)
}

/// Verbs before "in"/"to"/"near" that make the capitalised words after them a place.
const PLACE_VERBS: &[&str] = &[
    "lives",
    "living",
    "live",
    "lived",
    "born",
    "resides",
    "reside",
    "residing",
    "resided",
    "moved",
    "relocated",
    "raised",
    "located",
    "based",
    "independently",
    "originally",
    "grew",
    "stays",
    "staying",
    "hometown",
    "travelled",
    "traveled",
    "visiting",
    "works",
    "working",
    "resident",
    "address",
    "transferred",
    "transfer",
    "travelled",
    "arrived",
    "relocating",
    "visited",
    "comes",
    "came",
    "hails",
];

/// First words of place names ("North Eric", "New Adrian", "San Julia de la Montaña").
const PLACE_PREFIXES: &[&str] = &[
    "north", "south", "east", "west", "new", "port", "lake", "mount", "san", "santa", "são",
    "saint", "st", "fort", "el", "los", "las", "bad", "sankt", "villa", "ciudad", "nueva", "nuevo",
    "puerto", "upper", "lower", "great", "little", "west", "old",
];

/// Endings of English and Germanic place names (Springfield, Portsmouth, Greenville).
const PLACE_ENDINGS: &[&str] = &[
    "ville", "burg", "burgh", "berg", "borough", "bury", "town", "ton", "field", "port", "mouth",
    "haven", "land", "shire", "view", "stad", "stadt", "dorf", "heim", "hausen", "furt", "side",
    "chester", "caster", "ford", "wood", "dale", "fort", "mouth", "ham",
];

/// Lower-case words that may sit inside a name (`Ludwig van Beethoven`, `María de la Cruz`).
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "la", "le", "du", "da", "di", "del", "della", "dos", "das",
    "do", "ten", "ter", "bin", "ibn", "al", "el", "y", "st", "mc", "mac",
];

/// What the small word lists above say about a word, as bits.
mod flag {
    pub(super) const TITLE: u16 = 1;
    pub(super) const STRONG: u16 = 2;
    pub(super) const WEAK: u16 = 4;
    pub(super) const STOP: u16 = 8;
    pub(super) const PLACE_CUE: u16 = 16;
    pub(super) const PARTICLE: u16 = 32;
    pub(super) const PLACE_VERB: u16 = 64;
    pub(super) const PLACE_PREFIX: u16 = 128;
    pub(super) const LANGUAGE: u16 = 256;
}

static WORD_FLAGS: std::sync::LazyLock<
    std::collections::HashMap<&'static str, u16, FxBuildHasher>,
> = std::sync::LazyLock::new(|| {
    let mut m = std::collections::HashMap::with_hasher(FxBuildHasher);
    for (list, f) in [
        (TITLES, flag::TITLE),
        (STRONG_CUES, flag::STRONG),
        (WEAK_CUES, flag::WEAK),
        (STOP, flag::STOP),
        (PLACE_CUES, flag::PLACE_CUE),
        (PARTICLES, flag::PARTICLE),
        (PLACE_VERBS, flag::PLACE_VERB),
        (PLACE_PREFIXES, flag::PLACE_PREFIX),
        (LANGUAGES, flag::LANGUAGE),
    ] {
        for w in list {
            *m.entry(*w).or_insert(0) |= f;
        }
    }
    m
});

/// The gazetteers, loaded once.
pub(crate) struct Gazetteer {
    given: Set,
    surnames: Set,
    common: Set,
    localities: Set,
    /// Proper nouns of medicine: eponyms and drug names, generic and brand (`apgar`,
    /// `hashimoto`, `tylenol`).
    clinical: Set,
    /// Medical words that are no everyday English (`thyroiditis`): after a name, an eponym.
    medical: Set,
    /// Company names of two words or more (`morgan stanley`, `johnson & johnson`).
    organisations: Set,
}

impl Gazetteer {
    pub(crate) fn load() -> Gazetteer {
        Gazetteer {
            given: set(include_str!("../data/given_names.txt")),
            surnames: set(include_str!("../data/surnames.txt")),
            common: set(include_str!("../data/common_words.txt")),
            localities: set(include_str!("../data/localities.txt")),
            clinical: set(include_str!("../data/clinical_terms.txt")),
            medical: set(include_str!("../data/medical_words.txt")),
            organisations: set(include_str!("../data/organisations.txt")),
        }
    }

    /// Whether the capitalised words `words` (lower case, at `start..end` of `text`) are a
    /// company's name, or half of one joined by `&` or `and` (`Procter & Gamble`), or stand
    /// before its ticker (`Dell (DELL)`, `Ford (NYSE: F)`).
    fn is_company(&self, text: &str, start: usize, end: usize, words: &str) -> bool {
        if self.organisations.contains(words)
            && (words.contains(' ') || finance_context(text, start, end))
        {
            return true;
        }
        // A company whose name joins two words with `&` or `and`.
        let joined = |a: &str, b: &str| {
            !a.is_empty()
                && !b.is_empty()
                && ["&", "and"].iter().any(|link| {
                    self.organisations
                        .contains(format!("{a} {link} {b}").as_str())
                })
        };
        let is_word_char = |c: char| c.is_alphanumeric() || c == '\'' || c == '’';
        let rest = &text[end..];
        for link in [" & ", " and "] {
            if let Some(after) = rest.strip_prefix(link) {
                let next =
                    str::to_lowercase(after.split(|c: char| !is_word_char(c)).next().unwrap_or(""));
                // `Hale & Winters LLP`: an institution's name goes on after the link.
                let ends_institution = after
                    .split(' ')
                    .take(4)
                    .take_while(|w| w.starts_with(|c: char| c.is_uppercase()))
                    .any(is_institution_word);
                if joined(words, &next) || ends_institution {
                    return true;
                }
            }
            if let Some(before) = text[..start].strip_suffix(link) {
                let previous = str::to_lowercase(
                    before
                        .rsplit(|c: char| !is_word_char(c))
                        .next()
                        .unwrap_or(""),
                );
                if joined(&previous, words) {
                    return true;
                }
            }
        }
        let last = words.rsplit(' ').next().unwrap_or(words);
        INSTITUTION_ENDINGS.contains(&last) || ticker_after(rest)
    }

    /// Whether the lower-case `w`, right after a name, makes the name an eponym's
    /// (`sign`, `disease`, `thyroiditis`, `positive`).
    fn is_eponym_head(&self, w: &str) -> bool {
        EPONYM_HEADS.contains(&w) || self.medical.contains(w)
    }

    /// Eponyms of two or more names joined by hyphens, each a medical proper noun
    /// (`Tamm-Horsfall`, `Mallory-Weiss`, `Charcot-Leyden`): no person.
    fn is_clinical_compound(&self, w: &str) -> bool {
        if !w.contains('-') {
            return false;
        }
        // A drug with a letter or two after it (`Senokot-S`, `Allegra-D`, `Claritin-D`).
        let mut parts = w.split('-');
        let first = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        if self.clinical.contains(first) && rest.iter().all(|p| p.chars().count() <= 2) {
            return true;
        }
        w.split('-')
            .all(|p| p.chars().count() >= 2 && self.clinical.contains(p))
    }

    /// A drug or a medical proper noun that no name list knows (`Tylenol`, `Apgar`): never a
    /// person.
    fn is_clinical_only(&self, w: &str) -> bool {
        self.clinical.contains(w) && !self.known(w)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `Smith`, `Müller`, `O'Brien`.
    Capitalised,
    /// `SMITH`.
    AllCaps,
    /// `J.` or `J`.
    Initial,
    /// `van`, `patient`.
    Lower,
}

#[derive(Debug, Clone)]
struct Token<'t> {
    start: usize,
    /// End of the word proper (a possessive `'s` is left out).
    end: usize,
    shape: Shape,
    lower: std::borrow::Cow<'t, str>,
    /// [`flag`] bits of the word.
    flags: u16,
    /// First word of a sentence (or of a line, a list item, a field after `:`).
    sentence_start: bool,
    /// First word after a full stop, `!`, `?` or a line break (not after `:`).
    hard_start: bool,
    /// Joined to the previous token by a single space (or `. ` after an initial or a title).
    joined: bool,
}

/// Where phrases that introduce a name in lower-case chat text end ("my name is john",
/// "name's anna", "named jo", "i'm maria lopez", "i am maria", "call me jo"). Where there are
/// any, every word of the text is read and the words after them are checked against the name
/// lists. One SIMD substring search per phrase: cheap enough to run on every text.
fn lower_case_cue_ends(text: &str) -> Vec<usize> {
    static FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 4]> =
        std::sync::LazyLock::new(|| {
            [
                memchr::memmem::Finder::new("name"),
                memchr::memmem::Finder::new("i'm "),
                memchr::memmem::Finder::new("i am "),
                memchr::memmem::Finder::new("call me"),
            ]
        });
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    for (k, finder) in FINDERS.iter().enumerate() {
        for at in finder.find_iter(bytes) {
            let end = at + finder.needle().len();
            if k == 0 {
                // `name is`, `name's`, `named`, `name:`; not `names`, `surname`.
                let rest = &bytes[end..];
                let next = [" is", "'s", "d ", ":"]
                    .iter()
                    .find(|s| rest.starts_with(s.as_bytes()));
                if let Some(s) = next {
                    ends.push(end + s.len());
                }
            } else {
                ends.push(end);
            }
        }
    }
    ends
}

/// How far before a capital letter words are still read (enough for three cue words).
const JUMP_WINDOW: usize = 48;

fn tokens(text: &str, may_jump: bool) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let char_at = |i: usize| -> (char, usize) {
        match bytes[i] {
            b if b < 0x80 => (char::from(b), 1),
            _ => text[i..]
                .chars()
                .next()
                .map_or((' ', 1), |c| (c, c.len_utf8())),
        }
    };
    let mut out: Vec<Token> = Vec::new();
    // What lies between the previous token and this one.
    let mut gap_start = 0;
    let mut i = 0;
    // Words far from any capital letter cannot matter (a name, a place or a cue word three
    // words before one): the scan jumps over them. `next_capital` is the next byte that may
    // start a capitalised word (A–Z, or any non-ASCII letter).
    let find_capital = |from: usize| -> usize {
        from + bytes[from..]
            .iter()
            .position(|&b| b.is_ascii_uppercase() || b >= 0xC0)
            .unwrap_or(bytes.len() - from)
    };
    let mut next_capital = find_capital(0);
    let mut jumped = false;
    while i < bytes.len() {
        if next_capital < i {
            next_capital = find_capital(i);
        }
        if may_jump
            && next_capital - i > JUMP_WINDOW
            && out.last().is_none_or(|t| t.shape == Shape::Lower)
            && bytes[i].is_ascii_lowercase()
        {
            // Land on a word boundary a little before the capital.
            let mut to = next_capital - JUMP_WINDOW;
            while to < next_capital && bytes[to].is_ascii_alphanumeric() {
                to += 1;
            }
            i = to;
            gap_start = to;
            jumped = true;
            continue;
        }
        let b = bytes[i];
        if b < 0x80 && !b.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let (c, len) = char_at(i);
        if !c.is_alphabetic() {
            i += len;
            continue;
        }
        let start = i;
        let mut end = i + len;
        let mut upper_count = usize::from(c.is_uppercase());
        let mut letters = 1;
        while end < bytes.len() {
            // ASCII letters, the common case, without decoding.
            let b = bytes[end];
            if b.is_ascii_lowercase() {
                letters += 1;
                end += 1;
                continue;
            }
            if b.is_ascii_uppercase() {
                letters += 1;
                upper_count += 1;
                end += 1;
                continue;
            }
            let (d, dl) = char_at(end);
            if d.is_alphabetic() {
                letters += 1;
                upper_count += usize::from(d.is_uppercase());
                end += dl;
            } else if matches!(d, '\'' | '’' | '-')
                && end + dl < bytes.len()
                && char_at(end + dl).0.is_alphabetic()
            {
                // Inside a word only when a letter follows.
                end += dl;
            } else {
                break;
            }
        }
        i = end;
        let mut word = &text[start..end];
        let simple = word.bytes().all(|b| b.is_ascii_alphabetic());
        // A possessive is not part of the name.
        for s in ["'s", "’s", "'S"] {
            if simple {
                break;
            }
            if word.len() > s.len() + 1
                && let Some(w) = word.strip_suffix(s)
            {
                word = w;
            }
        }
        // A compound with a lower-case tail (`Hallowell-clinic`, `High-dose`) is judged by its
        // head alone.
        if !simple
            && let Some(dash) = word.find('-')
            && word[dash + 1..].starts_with(|c: char| c.is_lowercase())
        {
            word = &word[..dash];
            letters = word.chars().count();
            upper_count = word.chars().filter(|c| c.is_uppercase()).count();
        }
        let word_end = start + word.len();
        // Contractions (`I've`, `Don't`) are no names.
        let lowered_compound = !simple
            && (word
                .split(['\'', '’'])
                .skip(1)
                .any(|p| p.starts_with(|c: char| c.is_lowercase()) && p.len() <= 2)
                || word.ends_with("n't")
                || word.ends_with("n’t"));
        let gap = &text[gap_start..start];
        gap_start = end;
        let first_upper = c.is_uppercase();
        let shape = if lowered_compound {
            Shape::Lower
        } else if letters == 1 && first_upper {
            Shape::Initial
        } else if first_upper && upper_count == letters && letters > 1 {
            Shape::AllCaps
        } else if first_upper {
            Shape::Capitalised
        } else {
            Shape::Lower
        };
        let prev = out.last().filter(|_| !jumped);
        let prev_abbrev =
            prev.is_some_and(|p| p.shape == Shape::Initial || p.flags & flag::TITLE != 0);
        let (sentence_start, hard_start, joined) = if gap == " " {
            (out.is_empty(), out.is_empty(), !out.is_empty() && !jumped)
        } else {
            let gap_trim =
                gap.trim_matches(|c: char| c == ' ' || c == '"' || c == '(' || c == '\'');
            let sentence_start = out.is_empty()
                || gap.contains('\n')
                || (gap_trim.ends_with(['.', '!', '?', ':', ';', '•', '*']) && !prev_abbrev)
                || gap_trim.ends_with(['-', '–']) && gap.trim_start().starts_with(['-', '–']);
            let hard_start = out.is_empty()
                || gap.contains('\n')
                || (gap_trim.ends_with(['.', '!', '?']) && !prev_abbrev);
            let joined = prev.is_some() && prev_abbrev && (gap == ". " || gap == ".");
            (sentence_start, hard_start, joined)
        };
        // Lower-case words are looked up only when they stand near a capitalised one (below).
        let (lower, flags) = if shape == Shape::Lower {
            (std::borrow::Cow::Borrowed(word), 0)
        } else {
            let lower = word.to_lowercase();
            let mut flags = WORD_FLAGS.get(lower.as_str()).copied().unwrap_or(0);
            // A specialty (`Endocrinology`, `Pediatrics`, `Psychiatry`) or an acronym with a
            // tail (`CIWA-Ar`, `MELD-Na`) is no name.
            let acronym_with_tail = word.split_once('-').is_some_and(|(head, _)| {
                head.chars().count() >= 2 && head.chars().all(|c| c.is_uppercase())
            });
            // A word written onto a number (`PaO2`, `HbA1c`, `T4`) is a lab's or a formula's.
            let onto_digit = bytes.get(end).is_some_and(u8::is_ascii_digit);
            if ["ology", "iatry", "iatrics", "ologie"]
                .iter()
                .any(|e| lower.ends_with(e))
                || acronym_with_tail
                || onto_digit
            {
                flags |= flag::STOP;
            }
            (std::borrow::Cow::Owned(lower), flags)
        };
        jumped = false;
        out.push(Token {
            start,
            end: word_end,
            shape,
            lower,
            flags,
            sentence_start,
            hard_start,
            joined,
        });
    }
    // Cue words, titles and particles matter only just before a capitalised word.
    for k in 0..out.len() {
        if out[k].shape != Shape::Lower {
            for t in &mut out[k.saturating_sub(3)..k] {
                if t.shape == Shape::Lower && t.flags == 0 {
                    t.flags = WORD_FLAGS.get(t.lower.as_ref()).copied().unwrap_or(0);
                }
            }
        }
    }
    out
}

impl Gazetteer {
    /// Whether the lower-case `w` is a given name.
    pub(crate) fn is_given(&self, w: &str) -> bool {
        self.given.contains(w) || self.parts(w, &self.given)
    }

    fn is_surname(&self, w: &str) -> bool {
        self.surnames.contains(w) || self.parts(w, &self.surnames)
    }

    /// `smith-jones`, `o'brien`: any part in the set.
    fn parts(&self, w: &str, set: &Set) -> bool {
        w.contains(['-', '\'', '’'])
            && w.split(['-', '\'', '’'])
                .filter(|p| p.chars().count() > 1)
                .any(|p| set.contains(p))
    }

    /// Whether a name list knows the lower-case `w`.
    pub(crate) fn knows(&self, w: &str) -> bool {
        self.known(w)
    }

    fn known(&self, w: &str) -> bool {
        self.is_given(w) || self.is_surname(w)
    }

    fn is_common(&self, w: &str) -> bool {
        self.common.contains(w)
    }

    /// Finds names and places in `text`; `taken` are spans other recognisers already claimed.
    pub(crate) fn detect(&self, text: &str, taken: &[Detection], out: &mut Vec<Detection>) {
        // Lower-case chat text has names far from any capital: where a cue phrase occurs, the
        // tokenizer reads every word, and the tokens just after each cue may start a name.
        let cue_ends = lower_case_cue_ends(text);
        let toks = tokens(text, cue_ends.is_empty());
        let mut after_cue: Vec<usize> = Vec::new();
        for end in cue_ends {
            let k = toks.partition_point(|t| t.start < end);
            after_cue.extend([k, k + 1]);
        }
        // Sorted, for a binary search per token (a text full of cues stays linear).
        after_cue.sort_unstable();
        after_cue.dedup();
        // Spans other recognisers claimed, by start, with the furthest end so far: whether a
        // token overlaps one is a binary search (a long text with many findings stays linear).
        let mut claimed: Vec<(usize, usize)> = taken.iter().map(|d| (d.start, d.end)).collect();
        claimed.sort_unstable();
        let mut furthest = Vec::with_capacity(claimed.len());
        let mut max_end = 0;
        for &(_, end) in &claimed {
            max_end = max_end.max(end);
            furthest.push(max_end);
        }
        let inside = |t: &Token| {
            // The spans starting before the token ends; one of them overlaps it if the
            // furthest of their ends lies past the token's start.
            let n = claimed.partition_point(|&(start, _)| start < t.end);
            n > 0 && furthest[n - 1] > t.start
        };
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            // Chat text in lower case: "my name is john smith", "i'm maria lopez".
            if !after_cue.is_empty()
                && i > 0
                && t.shape == Shape::Lower
                && after_cue.binary_search(&i).is_ok()
                && LAST_CUE_WORDS.contains(&toks[i - 1].lower.as_ref())
            {
                let explicit = lower_case_cue(&toks, i, true);
                if (explicit || lower_case_cue(&toks, i, false))
                    && !inside(t)
                    && flags_of(t) & flag::STOP == 0
                {
                    let ok = |x: &Token| {
                        x.shape == Shape::Lower
                            && flags_of(x) & (flag::STOP | flag::LANGUAGE) == 0
                            && x.lower.chars().count() >= 2
                            && self.known(&x.lower)
                    };
                    let mut j = i;
                    while j < toks.len() && j - i < 3 && (j == i || toks[j].joined) && ok(&toks[j])
                    {
                        j += 1;
                    }
                    // After "i'm" or "this is", one word must be an uncommon name, or two
                    // words a given name and a surname: "i'm fine" is no name.
                    let accepted = j > i
                        && (explicit
                            || (j - i >= 2
                                && self.is_given(&t.lower)
                                && self.is_surname(&toks[i + 1].lower))
                            || (j - i == 1 && !self.is_common(&t.lower)));
                    if accepted {
                        out.push(Detection::new(
                            t.start,
                            toks[j - 1].end,
                            PhiClass::Name,
                            0.7,
                        ));
                        i = j;
                        continue;
                    }
                }
            }
            // Names in Han or Hangul script have no capitals: a short word that starts with a
            // common family name (王秀英, 佐藤 太郎, 김민준).
            // After a title or a name cue, any short Han or Hangul word is a name.
            let cued = i > 0 && toks[i - 1].flags & (flag::STRONG | flag::TITLE) != 0;
            let followed = toks
                .get(i + 1)
                .is_some_and(|n| n.joined && is_east_asian_word(&n.lower, 1, 4));
            let east_asian = east_asian_name(&t.lower).or_else(|| {
                (cued
                    && (is_east_asian_word(&t.lower, 2, 4)
                        || (followed && is_east_asian_word(&t.lower, 1, 1))
                        || (2..=4).contains(&t.lower.chars().count())
                            && t.lower.chars().all(is_hangul)))
                .then_some(t.end - t.start)
            });
            if let Some(len) = east_asian {
                if !inside(t) {
                    let mut end = t.start + len;
                    // A Japanese given name written after the family name and a space.
                    if len == t.end - t.start
                        && let Some(n) = toks.get(i + 1)
                        && n.joined
                        && is_east_asian_word(&n.lower, 1, 3)
                    {
                        end = n.end;
                        i += 1;
                    }
                    out.push(Detection::new(t.start, end, PhiClass::Name, 0.8));
                }
                i += 1;
                continue;
            }
            let place_prefix = (t.flags & flag::PLACE_PREFIX != 0)
                && t.shape == Shape::Capitalised
                && toks.get(i + 1).is_some_and(|n| {
                    n.joined && n.shape == Shape::Capitalised && n.flags & flag::STOP == 0
                });
            // "Mr van Rheineck": a particle right after a title starts the name.
            // "Mr van Rheineck", "Patient: van Allemanië": a particle after a title or a
            // name cue starts the name.
            let particle_after_title = t.shape == Shape::Lower
                && (t.flags & flag::PARTICLE != 0)
                && i > 0
                && (toks[i - 1].flags & (flag::TITLE | flag::STRONG) != 0)
                && (t.joined || toks[i - 1].flags & flag::STRONG != 0)
                && toks.get(i + 1).is_some_and(|n| {
                    n.joined && matches!(n.shape, Shape::Capitalised | Shape::Lower)
                });
            // "Dr. Ward": after a title, a surname that is also a common word.
            let stop_after_title = t.flags & flag::STOP != 0
                && t.shape == Shape::Capitalised
                && t.joined
                && i > 0
                && (toks[i - 1].flags & flag::TITLE != 0)
                && self.is_surname(&t.lower);
            if !place_prefix
                && !particle_after_title
                && !stop_after_title
                && (!matches!(
                    t.shape,
                    Shape::Capitalised | Shape::AllCaps | Shape::Initial
                ) || inside(t)
                    || (t.flags & flag::STOP != 0))
                || (t.flags & flag::TITLE != 0) && toks.get(i + 1).is_some_and(|n| n.joined)
            {
                i += 1;
                continue;
            }
            // A run of capitalised words joined by single spaces, with particles inside.
            let mut j = i + 1;
            while j < toks.len() && toks[j].joined && !inside(&toks[j]) && j - i < 5 {
                let n = &toks[j];
                let cap = matches!(
                    n.shape,
                    Shape::Capitalised | Shape::AllCaps | Shape::Initial
                );
                // A title starts a name of its own (`Prescriber Dr. Smith`).
                let word = cap && n.flags & (flag::STOP | flag::TITLE) == 0;
                // `Jessica Ward`, `Jason Lane`: a word that is usually no name, as the surname
                // after a known given name.
                let surname_after_given = cap
                    && n.flags & flag::STOP != 0
                    && n.flags & flag::TITLE == 0
                    && j == i + 1
                    && self.is_given(&t.lower)
                    && self.is_surname(&n.lower);
                // Particles, one or two (`van der Horst`), before a capitalised word.
                let particle = n.shape == Shape::Lower
                    && (n.flags & flag::PARTICLE != 0)
                    && (toks.get(j + 1).is_some_and(|m| {
                        m.joined && matches!(m.shape, Shape::Capitalised | Shape::AllCaps)
                    }) || toks.get(j + 1).is_some_and(|m| {
                        m.joined && m.flags & flag::PARTICLE != 0 && m.shape == Shape::Lower
                    }) && toks
                        .get(j + 2)
                        .is_some_and(|m| m.joined && m.shape == Shape::Capitalised));
                if word || particle || surname_after_given {
                    j += 1;
                } else {
                    break;
                }
            }
            let run = &toks[i..j];
            // What comes before the run in its sentence.
            let before = toks[i.saturating_sub(3)..i].iter().rev();
            let before_1 = i.checked_sub(1).map(|k| &toks[k]);
            let before_2 = i.checked_sub(2).map(|k| &toks[k]);
            let same_sentence = |k: usize| -> bool {
                // Tokens before[k] and the run are in one sentence.
                !toks[i - k..=i].iter().skip(1).any(|x| x.hard_start)
            };
            let title = before_1.is_some_and(|p| (p.flags & flag::TITLE != 0) && t.joined)
                || particle_after_title
                || stop_after_title;
            // A cue right before the name ("patient Jane", "mother: Jane"), or with only
            // "name", "named", "is" between ("patient name: Jane"); not "patient takes X".
            let linking = |p: &Token| {
                matches!(
                    p.lower.as_ref(),
                    "name" | "named" | "is" | "was" | "called" | "mr" | "mrs" | "ms"
                )
            };
            let strong = before_1.is_some_and(|p| p.flags & flag::STRONG != 0 && same_sentence(1))
                || (before_1.is_some_and(linking)
                    && before_2.is_some_and(|p| p.flags & flag::STRONG != 0 && same_sentence(2)));
            let weak = before_1.is_some_and(|p| (p.flags & flag::WEAK != 0) && !t.sentence_start);
            let place_cue =
                before_1.is_some_and(|p| (p.flags & flag::PLACE_CUE != 0) && !t.sentence_start);
            // "lives in X", "born in X", "moved to X": X is a place whatever it is called.
            let place_verb = place_cue && before.skip(1).any(|p| p.flags & flag::PLACE_VERB != 0);
            let last_lower = &run[run.len() - 1].lower;
            let place_ending = place_cue
                && PLACE_ENDINGS
                    .iter()
                    .any(|e| last_lower.len() > e.len() + 2 && last_lower.ends_with(e));

            let words = || run.iter().filter(|x| x.shape != Shape::Lower);
            let mut known = 0;
            let mut known_uncommon = 0;
            let mut first_known_uncommon = false;
            for x in words() {
                if self.known(&x.lower) {
                    known += 1;
                    let uncommon = !self.is_common(&x.lower);
                    known_uncommon += usize::from(uncommon);
                    first_known_uncommon |= uncommon;
                }
            }
            let n_words = words().count();
            let non_initial = words().filter(|x| x.shape != Shape::Initial).count();
            // Initials do not decide (`1 L BOLUS`: `L` is no name's initial there).
            let all_caps = words().any(|x| x.shape == Shape::AllCaps)
                && words().all(|x| matches!(x.shape, Shape::AllCaps | Shape::Initial));

            // A place first: a known locality after a place word, or "X County".
            let joined_lower = || {
                run.iter()
                    .map(|x| x.lower.as_ref())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let county = toks
                .get(j)
                .is_some_and(|n| n.joined && (n.lower == "county" || n.lower == "parish"));
            let words_ok = run.iter().all(|x| {
                x.shape != Shape::AllCaps && x.flags & flag::STOP == 0
                    || (x.flags & flag::PLACE_PREFIX != 0)
            });
            // An eponym's head after the name (`Bell's palsy`, `Homans' sign`, `Wernicke
            // encephalopathy`), or ending a run of capitals (`BELL'S PALSY`); or a medical
            // proper noun before a number or a finding (`Apgar 8`, `Romberg positive`): no
            // person, no place.
            let run_end = run[run.len() - 1].end;
            let eponym = toks.get(j).is_some_and(|n| {
                let attached =
                    n.joined || matches!(&text[run_end..n.start], "' " | "’ " | "'s " | "’s ");
                attached
                    && (n.shape == Shape::Lower || (all_caps && n.shape == Shape::AllCaps))
                    && self.is_eponym_head(&n.lower)
            }) || (run.len() >= 2
                && EPONYM_HEADS.contains(&run[run.len() - 1].lower.as_ref()))
                || (run.len() == 1
                    && LEGAL_DOCTRINES.contains(&t.lower.as_ref())
                    && toks.get(j).is_some_and(|n| {
                        n.shape == Shape::Lower && LEGAL_HEADS.contains(&n.lower.as_ref())
                    }))
                || (run.len() == 1
                    && self.clinical.contains(t.lower.as_ref())
                    && !self.is_given(&t.lower)
                    && eponym_finding_after(&text[run_end..]));
            // A drug or medical proper noun no name list knows, first in the run (`Tylenol Extra
            // Strength`, `Advil Liqui-Gels`): a product or an eponym, not a person. A person's
            // surname that is also an eponym (`Tamara Löffler`) makes no product.
            let clinical_word = |w: &str| self.is_clinical_only(w) || self.is_clinical_compound(w);
            let clinical = clinical_word(&t.lower)
                // `Tried Pepcid AC`: a verb that is no name, then the product.
                || (run.len() >= 2
                    && (!self.known(&t.lower) || self.is_common(&t.lower))
                    && clinical_word(&run[1].lower))
                // `Colace (docusate)`: a brand before its generic name.
                || text[run_end..]
                    .strip_prefix(" (")
                    .and_then(|r| r.split(|c: char| !c.is_alphabetic()).next())
                    .is_some_and(|w| w.len() >= 4 && self.clinical.contains(w))
                || (t.joined
                    && before_1.is_some_and(|p| {
                        p.shape != Shape::Lower
                            && self.clinical.contains(p.lower.as_ref())
                            && (p.flags & flag::STOP != 0 || !self.known(&p.lower))
                    }));
            // A company named for people (`Morgan Stanley`, `Johnson & Johnson`), or before
            // its ticker.
            // Asked last, only of a run that would otherwise be a name or a place.
            let company = || {
                !title
                    && (self.is_company(text, t.start, run_end, &joined_lower())
                        || toks.get(j).is_some_and(|n| {
                            n.joined && n.shape != Shape::Lower && is_institution_word(&n.lower)
                        }))
            };
            // A US state is no place to remove (Safe Harbor keeps states): `moved from
            // Mississippi`, `in New Mexico`.
            let state = (place_cue || place_verb || place_prefix) && is_us_state(&joined_lower());
            // "St John's wort", "St Vitus dance": a saint's name before an eponym's head.
            let saint = before_1.is_some_and(|p| matches!(p.lower.as_ref(), "st" | "saint"))
                || matches!(run[0].lower.as_ref(), "st" | "saint");
            if state {
                i = j;
                continue;
            }
            let place = !title
                && !strong
                && !eponym
                && !clinical
                && words_ok
                && ((place_cue && self.localities.contains(joined_lower().as_str()))
                    || place_verb
                    || (place_prefix && run.len() >= 2)
                    || (place_cue && place_ending && known == 0))
                && !company();
            if county || place {
                let end = if county {
                    toks[j].end
                } else {
                    run[run.len() - 1].end
                };
                // A hyphenated place goes on past a lower-case link (`Humbert-sur-Mer`).
                let mut end = end;
                while let Some(rest) = text[end..].strip_prefix('-') {
                    let len = rest
                        .find(|ch: char| !ch.is_alphabetic())
                        .unwrap_or(rest.len());
                    if len == 0 {
                        break;
                    }
                    end += 1 + len;
                }
                out.push(Detection::new(t.start, end, PhiClass::City, 0.8));
                i = j + usize::from(county);
                continue;
            }

            let follow = toks.get(j).is_some_and(|n| {
                n.joined && n.shape == Shape::Lower && FOLLOW_VERBS.contains(&n.lower.as_ref())
            });
            let is_name = if non_initial == 0
                || (eponym && (saint || (!title && !strong)))
                || (clinical && !title)
            {
                false
            } else if title {
                true
            } else if strong {
                !all_caps || known > 0
            } else if all_caps {
                // Headings and acronyms: only two or more known words, none an everyday word
                // (`RIGHT TOTAL KNEE REPLACEMENT`, `NORMAL SALINE` are no names).
                known >= 2 && n_words >= 2 && known_uncommon == known
            } else if n_words >= 2 {
                known >= 1 && (!t.sentence_start || known >= 2 || first_known_uncommon)
            } else if t.flags & flag::LANGUAGE != 0 && n_words == 1 {
                false
            } else if t.lower.chars().count() < 3 {
                // `Na 139`, `Cr 1.1`: two letters alone are lab names more often than people.
                false
            } else if follow {
                // "Troy reports…": a known name before a reporting verb, even a common word.
                known == 1
            } else {
                known == 1
                    && !self.is_common(&t.lower)
                    && (weak || !t.sentence_start || first_known_uncommon)
            };
            if is_name && !company() {
                let start = run[0].start;
                let mut end = run[run.len() - 1].end;
                // A run never ends on a particle.
                if let Some(last) = run.iter().rev().find(|x| x.shape != Shape::Lower) {
                    end = last.end;
                }
                let score = if title || strong || n_words >= 2 {
                    0.9
                } else {
                    0.65
                };
                out.push(Detection::new(start, end, PhiClass::Name, score));
                // "Smith, John": the given name after the comma.
                if let Some(n) = toks.get(j)
                    && !n.joined
                    && &text[run[run.len() - 1].end..n.start] == ", "
                    && n.flags & (flag::TITLE | flag::STOP) == 0
                    && n.shape == Shape::Capitalised
                    && self.is_given(&n.lower)
                    && n.flags & flag::STOP == 0
                {
                    out.push(Detection::new(n.start, n.end, PhiClass::Name, 0.8));
                    i = j + 1;
                    continue;
                }
            } else if place_cue
                && n_words <= 3
                && self.localities.contains(t.lower.as_ref())
                && !self.is_common(&t.lower)
                && !clinical
                && !is_us_state(&t.lower)
            {
                out.push(Detection::new(t.start, t.end, PhiClass::City, 0.7));
            }
            i = j;
        }
    }
}

/// Whether `word` (any case) is never a name or a place by itself: clinical, calendar,
/// identifier and place-name vocabulary, languages.
pub(crate) fn is_stop(word: &str) -> bool {
    WORD_FLAGS
        .get(word.to_lowercase().as_str())
        .is_some_and(|f| f & (flag::STOP | flag::LANGUAGE) != 0)
}

/// Common family names in Han script (Chinese, then Japanese), most frequent first.
const HAN_SURNAMES: &[&str] = &[
    "王",
    "李",
    "张",
    "張",
    "刘",
    "劉",
    "陈",
    "陳",
    "杨",
    "楊",
    "黄",
    "黃",
    "赵",
    "趙",
    "吴",
    "吳",
    "周",
    "徐",
    "孙",
    "孫",
    "马",
    "馬",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "羅",
    "郑",
    "鄭",
    "梁",
    "谢",
    "謝",
    "宋",
    "唐",
    "许",
    "許",
    "韩",
    "韓",
    "冯",
    "馮",
    "邓",
    "鄧",
    "曹",
    "彭",
    "曾",
    "肖",
    "田",
    "董",
    "袁",
    "潘",
    "于",
    "蒋",
    "蔣",
    "蔡",
    "余",
    "杜",
    "叶",
    "葉",
    "程",
    "苏",
    "蘇",
    "魏",
    "吕",
    "呂",
    "丁",
    "任",
    "沈",
    "姚",
    "卢",
    "盧",
    "姜",
    "崔",
    "钟",
    "鍾",
    "谭",
    "譚",
    "陆",
    "陸",
    "汪",
    "范",
    "金",
    "石",
    "廖",
    "贾",
    "賈",
    "夏",
    "韦",
    "韋",
    "付",
    "方",
    "白",
    "邹",
    "鄒",
    "孟",
    "熊",
    "秦",
    "邱",
    "江",
    "尹",
    "薛",
    "闫",
    "段",
    "雷",
    "侯",
    "龙",
    "龍",
    "史",
    "陶",
    "黎",
    "贺",
    "賀",
    "顾",
    "顧",
    "毛",
    "郝",
    "龚",
    "龔",
    "邵",
    "万",
    "萬",
    "钱",
    "錢",
    "严",
    "嚴",
    "覃",
    "武",
    "戴",
    "莫",
    "孔",
    "向",
    "汤",
    "湯",
    "欧阳",
    "歐陽",
    "司马",
    "司馬",
    "诸葛",
    "諸葛",
    "上官",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
    "長谷川",
    "藤田",
    "後藤",
    "近藤",
];

/// Common family names in Hangul.
const HANGUL_SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "류", "전", "홍", "고", "문", "양", "손", "배", "백", "허", "유", "남", "심", "노",
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}')
}

/// Whether `word` is `min..=max` characters of Han script or kana.
fn is_east_asian_word(word: &str, min: usize, max: usize) -> bool {
    let n = word.chars().count();
    (min..=max).contains(&n) && word.chars().all(|c| is_han(c) || is_kana(c))
}

/// The byte length of the name `word` is, when it is a Han or Hangul word of two to four
/// characters that starts with a common family name.
fn east_asian_name(word: &str) -> Option<usize> {
    let first = word.chars().next()?;
    if !(is_han(first) || is_hangul(first)) {
        return None;
    }
    let n = word.chars().count();
    if !(2..=4).contains(&n) {
        return None;
    }
    let (all_same_script, surnames) = if is_hangul(first) {
        (word.chars().all(is_hangul), HANGUL_SURNAMES)
    } else {
        (word.chars().all(is_han), HAN_SURNAMES)
    };
    (all_same_script
        && surnames
            .iter()
            .any(|s| word.starts_with(s) && word.len() > s.len())
        || (n <= 3 && surnames.contains(&word) && n >= 2))
        .then_some(word.len())
}

/// Whether the words before token `i` introduce a name in lower-case chat text: explicitly
/// ("my name is", "named", "call me", "name's") or softly ("i'm", "i am").
fn lower_case_cue(toks: &[Token<'_>], i: usize, explicit: bool) -> bool {
    // The word `k` places before the name, if no sentence ends in between.
    let w = |k: usize| -> &str {
        let Some(j) = i.checked_sub(k) else { return "" };
        if toks[j + 1..=i].iter().any(|t| t.hard_start) {
            return "";
        }
        toks[j].lower.as_ref()
    };
    if explicit {
        matches!(
            (w(2), w(1)),
            ("name", "is") | (_, "named") | ("call", "me") | ("name's", _)
        ) || w(1) == "name's"
            || w(1) == "name"
    } else {
        matches!((w(2), w(1)), ("i", "am")) || w(1) == "i'm"
    }
}

/// The last words of the lower-case name cues of [`lower_case_cue`].
const LAST_CUE_WORDS: &[&str] = &["is", "named", "me", "name", "am", "i'm"];

/// A token's word-list flags, looked up now if the tokenizer left them for later.
fn flags_of(t: &Token<'_>) -> u16 {
    if t.flags != 0 {
        t.flags
    } else {
        WORD_FLAGS.get(t.lower.as_ref()).copied().unwrap_or(0)
    }
}
