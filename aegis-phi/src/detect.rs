//! The detector: structured recognisers in one regex pass, checked by structure and context,
//! then names and places from the gazetteers; overlapping findings merge.

use std::sync::{Arc, LazyLock};

use aegis_core::{PhiClass, PhiClasses};
use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};
use serde::Serialize;

use crate::checks;
use crate::context::{Context, Cues, floor_char_boundary, unit_after};
use crate::names::Gazetteer;
use crate::patterns::{Kind, patterns};

/// One identifier found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Detection {
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// What it is.
    pub class: PhiClass,
    /// How sure the detector is, from 0 to 1.
    pub score: f32,
}

impl Detection {
    pub(crate) fn new(start: usize, end: usize, class: PhiClass, score: f32) -> Detection {
        Detection {
            start,
            end,
            class,
            score,
        }
    }
}

/// The score of a span recognised as public text (a legal citation): it is claimed, so that no
/// other recogniser looks inside it, and dropped before the detections are returned.
const PUBLIC_TEXT: f32 = -1.0;

/// The compiled recognisers; built once per process and shared.
struct Compiled {
    regex: Regex,
    /// The same patterns with every match reported: which patterns match at a place.
    all: Regex,
    /// Each pattern alone, for the anchored retry after a candidate fails its check (the
    /// combined regex would fall back to a slower engine for a per-pattern anchored search).
    singles: Vec<Regex>,
    kinds: Vec<Kind>,
    /// Legal citations, and the marks that let a text hold one.
    citation: Regex,
    citation_marks: aho_corasick::AhoCorasick,
    context: Context,
    gazetteer: Gazetteer,
    tail: TailPatterns,
}

/// Patterns for what follows a street address: `, City, ST 12345`, `, 10115 Berlin`.
struct TailPatterns {
    postcode_city: regex::Regex,
    city_postcode: regex::Regex,
    postcode: regex::Regex,
    city: regex::Regex,
}

static COMPILED: LazyLock<Result<Arc<Compiled>, String>> = LazyLock::new(|| {
    let list = patterns();
    let kinds = list.iter().map(|(k, _)| *k).collect();
    let sources: Vec<&str> = list.iter().map(|(_, p)| p.as_str()).collect();
    let regex = Regex::builder()
        .configure(
            Regex::config()
                .hybrid_cache_capacity(256 << 20)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit),
        )
        .build_many(&sources)
        .map_err(|e| format!("built-in PHI pattern does not compile: {e}"))?;
    let word = r"\p{Lu}[\p{L}'’.-]*(?:[ -](?:\p{Lu}[\p{L}'’.-]*|am|an|der|sur|de|la|le|del|do|da|di|and|upon|on))*";
    let re = |p: &str| regex::Regex::new(p).map_err(|e| format!("built-in PHI pattern: {e}"));
    let singles = sources
        .iter()
        .map(|p| {
            Regex::builder()
                .configure(
                    Regex::config()
                        .hybrid_cache_capacity(8 << 20)
                        .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit),
                )
                .build(p)
                .map_err(|e| format!("built-in PHI pattern does not compile: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let all = Regex::builder()
        .configure(
            Regex::config()
                .match_kind(regex_automata::MatchKind::All)
                .hybrid_cache_capacity(64 << 20)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit),
        )
        .build_many(&sources)
        .map_err(|e| format!("built-in PHI pattern does not compile: {e}"))?;
    Ok(Arc::new(Compiled {
        regex,
        all,
        singles,
        kinds,
        citation: Regex::builder()
            .configure(
                Regex::config()
                    .hybrid_cache_capacity(32 << 20)
                    .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit),
            )
            .build(&crate::patterns::citation_pattern())
            .map_err(|e| format!("built-in citation pattern does not compile: {e}"))?,
        citation_marks: aho_corasick::AhoCorasick::new(crate::patterns::CITATION_MARKS)
            .map_err(|e| format!("citation marks: {e}"))?,
        context: Context::new().map_err(|e| format!("context words: {e}"))?,
        gazetteer: Gazetteer::load(),
        tail: TailPatterns {
            postcode_city: re(&format!(
                r"^(?:\d{{5}}-\d{{3}}|\d{{2}}-\d{{3}}|\d{{4}} ?[A-Z]{{2}}|\d{{4,5}}|[A-Z]{{1,2}}-\d{{4,5}}) ({word})"
            ))?,
            city_postcode: re(&format!(
                r"^({word}),? (?:(?:[A-Z]{{2}}|\p{{Lu}}\p{{L}}+(?: \p{{Lu}}\p{{L}}+)?),? )?(\d{{5}}(?:-\d{{3,4}})?|\d{{3}} ?\d{{2}}|\d{{4}}|[A-Z]{{1,2}}\d[A-Z\d]? ?\d[A-Z]{{2}}|\d{{2}}-\d{{3}})\b"
            ))?,
            postcode: re(r"^(?:\d{6}|\d{5}(?:-\d{3,4})?|\d{3} \d{3}|\d{2}-\d{3})\b")?,
            city: re(&format!(r"^({word})(?:,|$|\n|\.|;| \()"))?,
        },
    }))
});

/// Finds HIPAA Safe Harbor identifiers in text. Cheap to clone; the patterns and gazetteers are
/// compiled once per process.
#[derive(Clone)]
pub struct Detector {
    compiled: Arc<Compiled>,
    classes: PhiClasses,
    threshold: f32,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("classes", &self.classes)
            .field("threshold", &self.threshold)
            .finish()
    }
}

/// The detector could not be built (a built-in pattern failed to compile: a bug).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct DetectorError(String);

impl Detector {
    /// A detector of every class, keeping findings scored 0.5 or more.
    pub fn new() -> Result<Detector, DetectorError> {
        let compiled = COMPILED.as_ref().map_err(|e| DetectorError(e.clone()))?;
        Ok(Detector {
            compiled: Arc::clone(compiled),
            classes: PhiClasses::ALL,
            threshold: 0.5,
        })
    }

    /// Detects only these classes.
    pub fn with_classes(mut self, classes: PhiClasses) -> Detector {
        self.classes = classes;
        self
    }

    /// Keeps findings scored at least `threshold` (0 to 1; default 0.5).
    pub fn with_threshold(mut self, threshold: f32) -> Detector {
        self.threshold = threshold;
        self
    }

    /// Whether a name list knows `word` as a given name or a surname.
    pub(crate) fn knows_name(&self, word: &str) -> bool {
        self.compiled.gazetteer.knows(&word.to_lowercase())
    }

    /// The identifiers in `text`, in order, without overlaps.
    pub fn detect(&self, text: &str) -> Vec<Detection> {
        let c = &*self.compiled;
        let mut found = Vec::new();
        // Legal citations first, where a text has a citation's marks: public text, claimed so
        // that nothing inside is taken for an identifier (the client's own caption excepted:
        // its names are looked for).
        if c.citation_marks.is_match(text) {
            for m in c.citation.find_iter(text) {
                if !own_case_caption(c, text, m.start(), m.end()) {
                    found.push(Detection::new(
                        m.start(),
                        m.end(),
                        PhiClass::Id,
                        PUBLIC_TEXT,
                    ));
                }
            }
        }
        // The citations, in order, are the first findings.
        let public = found.len();
        let mut next_public = 0;
        // Which patterns match at a rejected candidate's place (reused across candidates).
        let mut set = regex_automata::PatternSet::new(c.kinds.len());
        let mut at = 0;
        while at < text.len() {
            let Some(m) = c.regex.search(&Input::new(text).range(at..)) else {
                break;
            };
            let (start, pid) = (m.start(), m.pattern());
            // A candidate inside a citation: go on after the citation.
            while next_public < public && found[next_public].end <= start {
                next_public += 1;
            }
            if next_public < public && found[next_public].start <= start {
                at = found[next_public].end;
                continue;
            }
            let mut accepted = self.check(c, text, start, m.end(), c.kinds[pid.as_usize()]);
            // The candidate failed its checks: a later pattern that matches here may pass —
            // unless it is a small number or a measurement, which nothing accepts.
            let plain_number = text[start..m.end()]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
                && (m.end() - start <= 2 || unit_after(text, m.end()));
            let last = c.kinds.len() - 1;
            if accepted.is_none() && !plain_number && pid.as_usize() < last {
                // Which later patterns match here: one all-matches pass, unless only the last
                // pattern is left to try.
                set.clear();
                if pid.as_usize() + 1 == last {
                    let _ = set.try_insert(regex_automata::PatternID::new_unchecked(last));
                } else {
                    let here = Input::new(text).range(start..).anchored(Anchored::Yes);
                    c.all.which_overlapping_matches(&here, &mut set);
                }
                for next in set.iter().filter(|p| p.as_usize() > pid.as_usize()) {
                    let input = Input::new(text).range(start..).anchored(Anchored::Yes);
                    if let Some(m2) = c.singles[next.as_usize()].search(&input) {
                        accepted = self.check(c, text, start, m2.end(), c.kinds[next.as_usize()]);
                        if accepted.is_some() {
                            break;
                        }
                    }
                }
            }
            match accepted {
                Some(ds) => {
                    let end = ds.iter().map(|d| d.end).max().unwrap_or(m.end());
                    found.extend(ds);
                    at = end.max(start + 1);
                }
                // Nothing fits here: go on after this candidate's first word.
                None => at = skip_word(text, start),
            }
            while at < text.len() && !text.is_char_boundary(at) {
                at += 1;
            }
        }
        let mut names = Vec::new();
        c.gazetteer.detect(text, &found, &mut names);
        found.extend(names);
        found.retain(|d| {
            d.score != PUBLIC_TEXT && d.score >= self.threshold && self.classes.contains(d.class)
        });
        // A place or a name never ends with a full stop: that is the sentence's.
        for d in &mut found {
            if matches!(
                d.class,
                PhiClass::City | PhiClass::Name | PhiClass::StreetAddress
            ) && text[d.start..d.end].ends_with('.')
                && !text[d.start..d.end].ends_with(|c: char| c.is_uppercase())
            {
                let s = &text[d.start..d.end];
                // Keep the stop of an abbreviation (`St.`, `Ave.`, `J.`).
                let last_word = s
                    .trim_end_matches('.')
                    .rsplit([' ', '-'])
                    .next()
                    .unwrap_or("");
                if last_word.chars().count() > 3 {
                    d.end -= 1;
                }
            }
        }
        merge(found)
    }

    /// Checks one candidate; returns what it is (an address may bring its city and postcode).
    fn check(
        &self,
        c: &Compiled,
        text: &str,
        start: usize,
        end: usize,
        kind: Kind,
    ) -> Option<Vec<Detection>> {
        let s = &text[start..end];
        let one = |class, score| Some(vec![Detection::new(start, end, class, score)]);
        // The words before the candidate, read once however many checks ask.
        let read_cues = std::cell::OnceCell::new();
        let cues = || *read_cues.get_or_init(|| c.context.cues_before(text, start));
        // A code after the name of its vocabulary ("CPT 99213", "NDC 0002-1433-80", "HCPCS
        // G0439") identifies a procedure, a test or a product, not a person.
        if matches!(
            kind,
            Kind::Phone
                | Kind::Code
                | Kind::Ssn
                | Kind::Card
                | Kind::Zip
                | Kind::Vin
                | Kind::UkPostcode
                | Kind::Plate
                | Kind::Dea
                | Kind::Mbi
        ) && {
            let k = cues();
            // An NDC anywhere near the vocabulary's name (`NDC 0904-8437-93 (billing
            // 00904-8437-93)`).
            k.vocabulary || (is_ndc(s) && k.vocabulary_near)
        } {
            // Claimed whole, so that no part of it (`2777-08` of `31722-2777-08`) is taken
            // for something else.
            return Some(Vec::new());
        }
        match kind {
            Kind::JsonField => {
                let key = s[1..].split('"').next()?;
                let colon = 1 + key.len() + s[1 + key.len()..].find(':')?;
                let value_at = colon + s[colon..].find('"')? + 1;
                let value = &s[value_at..s.len() - 1];
                if value.trim().is_empty() {
                    return None;
                }
                let class = crate::engine::field_hint(key)?;
                // `"name": "potassium"` in a tool result names a lab, not a person.
                if class == PhiClass::Name
                    && !value
                        .split([' ', ','])
                        .filter(|w| !w.is_empty())
                        .all(|w| w.starts_with(|ch: char| ch.is_uppercase()) || w.len() <= 3)
                {
                    return None;
                }
                Some(vec![Detection::new(start + value_at, end - 1, class, 0.9)])
            }
            Kind::Email => one(PhiClass::Email, 0.95),
            Kind::Url | Kind::BareDomain => {
                // The sentence's punctuation is not part of the address.
                let trimmed = s.trim_end_matches(['.', ',', ';', ':', '!', '?']);
                let score = if kind == Kind::Url { 0.9 } else { 0.75 };
                Some(vec![Detection::new(
                    start,
                    start + trimmed.len(),
                    PhiClass::Url,
                    score,
                )])
            }
            Kind::Ipv4 => {
                let ok = s.split('.').all(|o| o.parse::<u8>().is_ok())
                    && !text[end..].starts_with(|ch: char| {
                        ch == '.' && { text[end + 1..].starts_with(|d: char| d.is_ascii_digit()) }
                    });
                ok.then(|| vec![Detection::new(start, end, PhiClass::IpAddress, 0.9)])
            }
            Kind::Ipv6 => {
                let s = s.trim_end_matches(':');
                let ok = s.parse::<std::net::Ipv6Addr>().is_ok()
                    && (s.contains("::") || s.matches(':').count() >= 5);
                ok.then(|| {
                    vec![Detection::new(
                        start,
                        start + s.len(),
                        PhiClass::IpAddress,
                        0.9,
                    )]
                })
            }
            Kind::Mac => one(PhiClass::Device, 0.85),
            Kind::Uuid => {
                let class = cues()
                    .class
                    .filter(|k| is_id_class(*k))
                    .unwrap_or(PhiClass::Id);
                one(class, 0.85)
            }
            Kind::DateIso => one(PhiClass::Date, 0.9),
            Kind::DateNumeric => {
                let parts: Vec<&str> = s.split(['/', '.', '-']).take(3).collect();
                let seps: Vec<char> = s
                    .chars()
                    .filter(|ch| matches!(ch, '/' | '.' | '-'))
                    .take(2)
                    .collect();
                let n = |i: usize| {
                    parts
                        .get(i)
                        .and_then(|p| p.trim().get(..p.trim().len().min(4)))
                        .and_then(|p| p.parse::<u32>().ok())
                        .unwrap_or(0)
                };
                let (a, b) = (n(0), n(1));
                let plausible = seps.len() == 2
                    && seps[0] == seps[1]
                    && ((1..=12).contains(&a) && (1..=31).contains(&b)
                        || (1..=31).contains(&a) && (1..=12).contains(&b));
                (plausible && !unit_after(text, end))
                    .then(|| vec![Detection::new(start, end, PhiClass::Date, 0.85)])
            }
            Kind::DateText => one(PhiClass::Date, 0.85),
            // `05/2019`: a month with its year is a date element more precise than the year.
            Kind::DateMonthYear => (!unit_after(text, end))
                .then(|| vec![Detection::new(start, end, PhiClass::Date, 0.8)]),
            Kind::DateMonthDay => {
                let k = cues();
                (k.date && !unit_after(text, end) && !after_word(text, start, &["bp", "pressure"]))
                    .then(|| vec![Detection::new(start, end, PhiClass::Date, 0.6)])
            }
            Kind::Ssn => {
                let k = cues();
                if checks::ssn(s) {
                    let class = match k.class {
                        Some(PhiClass::Phone | PhiClass::Fax) => return None,
                        Some(k) if is_id_class(k) && k != PhiClass::Id => k,
                        _ => PhiClass::Ssn,
                    };
                    one(class, 0.9)
                } else {
                    None
                }
            }
            Kind::NationalInsurance => one(PhiClass::Ssn, 0.85),
            Kind::Plate => {
                let letters = s.bytes().any(|b| b.is_ascii_uppercase());
                let digits = s.bytes().any(|b| b.is_ascii_digit());
                (letters && digits && cues().class == Some(PhiClass::Vehicle))
                    .then(|| vec![Detection::new(start, end, PhiClass::Vehicle, 0.85)])
            }
            Kind::Card => {
                let k = cues();
                if checks::card(s) {
                    let class = match k.class {
                        Some(k) if is_id_class(k) && k != PhiClass::Id => k,
                        _ if checks::imei(s) && k.class == Some(PhiClass::Device) => {
                            PhiClass::Device
                        }
                        _ => PhiClass::Account,
                    };
                    one(class, 0.9)
                } else {
                    None
                }
            }
            Kind::Iban => {
                checks::iban(s).then(|| vec![Detection::new(start, end, PhiClass::Account, 0.95)])
            }
            Kind::Mbi => one(PhiClass::HealthPlan, 0.8),
            Kind::Dea => {
                let k = cues();
                if checks::dea(s) || k.class == Some(PhiClass::License) {
                    one(PhiClass::License, 0.85)
                } else {
                    None
                }
            }
            Kind::Vin => {
                let letters = s.bytes().any(|b| b.is_ascii_uppercase());
                let digits = s.bytes().filter(u8::is_ascii_digit).count();
                if !letters || digits < 2 {
                    return None;
                }
                let k = cues();
                if checks::vin(s) || k.class == Some(PhiClass::Vehicle) {
                    one(PhiClass::Vehicle, 0.9)
                } else {
                    let class = k.class.filter(|k| is_id_class(*k)).unwrap_or(PhiClass::Id);
                    one(class, 0.7)
                }
            }
            Kind::UkPostcode => {
                let k = cues();
                let class = k
                    .class
                    .filter(|k| is_id_class(*k))
                    .unwrap_or(PhiClass::PostalCode);
                one(class, 0.7)
            }
            Kind::MilitaryAddress => one(PhiClass::StreetAddress, 0.85),
            Kind::StreetNumberFirst
            | Kind::StreetTypeFirst
            | Kind::StreetCompound
            | Kind::HouseNumber => {
                // `A 24 YEAR OLD WOMAN ADMITTED VIA THE ED`: an age or a dose before capitals
                // that end on a street word is no address.
                const NOT_STREET: &[&str] = &[
                    "year", "years", "yr", "yrs", "yo", "old", "month", "months", "mo", "week",
                    "weeks", "day", "days", "hour", "hours", "minute", "minutes", "times",
                    "patients", "mg", "ml", "units", "tablets", "percent",
                ];
                // `68 ADMITTED VIA THE ED`: `via` ending an English phrase is no street type.
                let last = s.trim_end_matches('.').rsplit(' ').next().unwrap_or("");
                // `4 L NC. WELLS CRITERIA`: an address does not run over a sentence's end, nor
                // start inside a decimal (`63.0 mg/L. T…`).
                let in_decimal = text[..start].ends_with('.')
                    && text[..start.saturating_sub(1)].ends_with(|c: char| c.is_ascii_digit());
                let sentence_end = s.match_indices(". ").any(|(at, _)| {
                    let word = s[..at].rsplit([' ', ',']).next().unwrap_or("");
                    let w = word.to_ascii_lowercase();
                    let next_is_word = s[at + 2..].starts_with(|c: char| c.is_alphabetic());
                    next_is_word
                        && !(word.chars().count() <= 1
                            || w.ends_with("str")
                            || crate::patterns::is_street_word(&w)
                            || crate::patterns::is_unit_word(&w))
                });
                if sentence_end
                    || in_decimal
                    || s.split([' ', ','])
                        .any(|w| NOT_STREET.contains(&w.to_ascii_lowercase().as_str()))
                    || last.eq_ignore_ascii_case("via")
                {
                    return None;
                }
                let mut out = vec![Detection::new(start, end, PhiClass::StreetAddress, 0.85)];
                self.address_tail(c, text, end, &mut out);
                Some(out)
            }
            Kind::CityState => {
                // `Jane Smith, MD` is a credential, not Maryland.
                let comma = s.rfind(',').unwrap_or(0);
                let state = s[comma..].trim_start_matches([',', ' ']);
                let credential = ["MD", "PA", "DO", "RN", "NP", "DC"].contains(&state);
                if credential || comma == 0 {
                    return None;
                }
                // Drop leading words that are no part of a place.
                let city_part = &s[..comma];
                let mut city_start = start;
                for w in city_part.split(' ') {
                    if crate::names::is_stop(w.trim_end_matches('.')) {
                        city_start += w.len() + 1;
                    } else {
                        break;
                    }
                }
                if city_start >= start + comma {
                    return None;
                }
                let mut out = vec![Detection::new(
                    city_start,
                    start + comma,
                    PhiClass::City,
                    0.85,
                )];
                if let Some(zip_at) = s.rfind(' ')
                    && s[zip_at + 1..].starts_with(|ch: char| ch.is_ascii_digit())
                {
                    out.push(Detection::new(
                        start + zip_at + 1,
                        end,
                        PhiClass::PostalCode,
                        0.9,
                    ));
                }
                Some(out)
            }
            Kind::AgeWords | Kind::AgeLabel => {
                // The number is the identifier; "year-old" is not.
                let num_at = s.find(|ch: char| ch.is_ascii_digit())?;
                let num_len = s[num_at..]
                    .find(|ch: char| !ch.is_ascii_digit())
                    .unwrap_or(s.len() - num_at);
                Some(vec![Detection::new(
                    start + num_at,
                    start + num_at + num_len,
                    PhiClass::Age,
                    0.85,
                )])
            }
            Kind::Phone => self.phone(text, start, end, cues()),
            Kind::Zip => {
                let k = cues();
                let zip_cue =
                    k.class == Some(PhiClass::PostalCode) || preceded_by_state(text, start);
                zip_cue.then(|| vec![Detection::new(start, end, PhiClass::PostalCode, 0.85)])
            }
            Kind::Code => self.code(text, start, end, cues()),
        }
    }

    fn phone(&self, text: &str, start: usize, end: usize, k: Cues) -> Option<Vec<Detection>> {
        let s = &text[start..end];
        let main = s.split(['x', 'e']).next().unwrap_or(s);
        let digits = main.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || unit_after(text, end) {
            return None;
        }
        // Decimal numbers ("4.1 7.2") are measurements.
        let groups: Vec<&str> = main
            .split(|ch: char| !ch.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        let international = s.starts_with('+') || s.starts_with("00") || s.contains('(');
        let shaped = international
            || digits >= 10
            || (digits == 7 && groups.len() == 2 && groups[0].len() == 3);
        let class = match k.class {
            Some(PhiClass::Fax) => PhiClass::Fax,
            Some(PhiClass::Phone) | None => PhiClass::Phone,
            Some(k) if is_id_class(k) => k,
            Some(_) => PhiClass::Phone,
        };
        if class == PhiClass::Phone && !shaped && k.class != Some(PhiClass::Phone) {
            return None;
        }
        // Fax written after the number: "555-0100 (fax)".
        let after = &text[end..floor_char_boundary(text, (end + 8).min(text.len()))];
        let class = if class == PhiClass::Phone && after.to_ascii_lowercase().contains("fax") {
            PhiClass::Fax
        } else {
            class
        };
        Some(vec![Detection::new(start, end, class, 0.85)])
    }

    /// A code with digits that no structured recogniser claimed: an identifier when the words
    /// before it say so, or when it is long enough to identify someone by itself.
    fn code(&self, text: &str, start: usize, end: usize, k: Cues) -> Option<Vec<Detection>> {
        let mut end = end;
        // Trailing punctuation is not part of a code.
        while end > start && text[..end].ends_with(['.', '/', '-', '#']) {
            end -= 1;
        }
        let s = &text[start..end];
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
        if digits == 0
            || unit_after(text, end)
            || is_measurement(s)
            || is_icd10(s)
            || is_decimal_range(s)
        {
            return None;
        }
        // Years alone are not identifiers; nor are decimals, ratios and fractions.
        let all_digits = letters == 0;
        if all_digits && s.contains('.') && !s.contains('-') {
            return None;
        }
        if all_digits && s.contains('/') && digits <= 6 {
            return None;
        }
        if all_digits && digits == 4 && (s.starts_with("19") || s.starts_with("20")) {
            return None;
        }
        let cue = k.class.filter(|c| *c != PhiClass::Fax || digits >= 7);
        match cue {
            Some(class) if digits >= 3 || (digits >= 2 && s.len() >= 5) => {
                // `Holter monitor (93224)`: a device's identifier is longer than a code.
                if class == PhiClass::Device && s.len() < 6 {
                    return None;
                }
                let class = match class {
                    // `call 911`: too short to be anyone's number.
                    PhiClass::Phone | PhiClass::Fax if digits < 7 => return None,
                    PhiClass::PostalCode if digits > 9 => PhiClass::Id,
                    other => other,
                };
                Some(vec![Detection::new(start, end, class, 0.85)])
            }
            _ if all_digits && digits == 10 && checks::npi(s) => {
                Some(vec![Detection::new(start, end, PhiClass::License, 0.7)])
            }
            _ if all_digits && digits == 9 && checks::aba(s) && k.class.is_none() => {
                Some(vec![Detection::new(start, end, PhiClass::Account, 0.6)])
            }
            // A procedure code, a billed service with its modifier or a span of years, with
            // nothing saying it is an identifier.
            _ if is_icd10_pcs(s) || is_cpt_with_modifier(s) || is_year_range(s) => None,
            _ => {
                let strong = (all_digits && digits >= 7)
                    || (letters > 0 && digits >= 4 && s.len() >= 6)
                    || (letters >= 2 && digits >= 3 && s.len() >= 7);
                strong.then(|| vec![Detection::new(start, end, PhiClass::Id, 0.6)])
            }
        }
    }

    /// After a street address: `, City, ST 12345`, `, 10115 Berlin`, `\nLondon SW1A 1AA`.
    fn address_tail(&self, c: &Compiled, text: &str, mut at: usize, out: &mut Vec<Detection>) {
        // The first plain name after the street is the city; later ones are a state, region
        // or country (no PHI) unless a postcode follows them (a British county).
        let mut city_found = false;
        for _ in 0..5 {
            let rest = &text[at..];
            let skip = rest.len() - rest.trim_start_matches([',', ' ', '\n', '\t']).len();
            if skip == 0 || skip > 4 {
                return;
            }
            let from = at + skip;
            let rest = &text[from..];
            if let Some(m) = c.tail.postcode_city.captures(rest) {
                let (Some(all), Some(city)) = (m.get(0), m.get(1)) else {
                    return;
                };
                if crate::names::is_stop(city.as_str()) {
                    return;
                }
                out.push(Detection::new(
                    from,
                    from + city.start() - 1,
                    PhiClass::PostalCode,
                    0.85,
                ));
                out.push(Detection::new(
                    from + city.start(),
                    from + city.end(),
                    PhiClass::City,
                    0.85,
                ));
                city_found = true;
                at = from + all.end();
            } else if let Some(m) = c.tail.city_postcode.captures(rest) {
                let (Some(all), Some(city), Some(zip)) = (m.get(0), m.get(1), m.get(2)) else {
                    return;
                };
                out.push(Detection::new(
                    from + city.start(),
                    from + city.end(),
                    PhiClass::City,
                    0.85,
                ));
                out.push(Detection::new(
                    from + zip.start(),
                    from + zip.end(),
                    PhiClass::PostalCode,
                    0.85,
                ));
                city_found = true;
                at = from + all.end();
            } else if let Some(m) = c.tail.postcode.find(rest) {
                out.push(Detection::new(
                    from,
                    from + m.end(),
                    PhiClass::PostalCode,
                    0.85,
                ));
                at = from + m.end();
            } else if let Some(m) = c.tail.city.captures(rest) {
                let Some(city) = m.get(1) else { return };
                let name = city.as_str();
                // A state or country after the city is no PHI: stop there.
                if crate::names::is_stop(name) || name.len() < 3 {
                    return;
                }
                if !city_found {
                    out.push(Detection::new(
                        from,
                        from + city.end(),
                        PhiClass::City,
                        0.75,
                    ));
                    city_found = true;
                }
                at = from + city.end();
            } else {
                return;
            }
        }
    }
}

/// Classes a context word may give a number.
fn is_id_class(c: PhiClass) -> bool {
    matches!(
        c,
        PhiClass::Mrn
            | PhiClass::HealthPlan
            | PhiClass::Account
            | PhiClass::License
            | PhiClass::Vehicle
            | PhiClass::Device
            | PhiClass::Biometric
            | PhiClass::Ssn
            | PhiClass::Id
    )
}

/// Doses and measurements written as one word: `500mg`, `10mL`, `x10`.
fn is_measurement(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let unit_start = lower
        .find(|ch: char| ch.is_ascii_alphabetic())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(unit_start);
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    matches!(
        unit,
        "mg" | "mcg"
            | "g"
            | "kg"
            | "ml"
            | "l"
            | "iu"
            | "u"
            | "mmhg"
            | "bpm"
            | "h"
            | "hr"
            | "hrs"
            | "d"
            | "wk"
            | "wks"
            | "yo"
            | "y"
            | "x"
            | "mm"
            | "cm"
            | "lb"
            | "lbs"
            | "min"
            | "st"
            | "nd"
            | "rd"
            | "th"
            | "am"
            | "pm"
            | "mg/dl"
            | "mmol/l"
            | "x10"
            | "k"
            | "m"
            | "s"
    ) || glued_unit(unit)
}

/// A unit written right after its number with a slash or a power (`IU/L`, `K/uL`, `mg/L`,
/// `cells/mm3`, `x10^9/L`, `mL/min/1.73m2`): a measurement's, never an identifier's.
fn glued_unit(unit: &str) -> bool {
    const HEADS: &[&str] = &[
        "mg", "mcg", "ug", "ng", "pg", "g", "kg", "mmol", "umol", "nmol", "pmol", "mol", "meq",
        "iu", "miu", "uiu", "u", "mu", "k", "x10", "cells", "copies", "ml", "l", "dl", "mm", "cm",
        "mosm", "fl", "units", "beats", "breaths",
    ];
    let Some((head, _)) = unit.split_once(['/', '^', '*']) else {
        return false;
    };
    HEADS.contains(&head) && unit.len() <= 16
}

/// An ICD-10-PCS procedure code (`0SRC0J9`, `5A1935Z`, `0DJ08ZZ`): seven characters of its
/// alphabet (digits and letters but I and O), a section character first, letters and digits
/// both. A procedure, not a person.
fn is_icd10_pcs(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && matches!(
            b[0],
            b'0'..=b'9' | b'B' | b'C' | b'D' | b'F' | b'G' | b'H' | b'X'
        )
        && b.iter()
            .all(|&c| c.is_ascii_digit() || (c.is_ascii_uppercase() && c != b'I' && c != b'O'))
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 1
        && b.iter().any(u8::is_ascii_uppercase)
}

/// Whether a case name with no reporter cite is a caption of the client's own matter, not a
/// citation of a decided case: a docket number after it (`Jackson v. Sullivan, No.
/// 4:23-cv-00841`), a heading before it (`Re:`, `Matter:`, `Subject:`), or a party written as a
/// person's full name (`United States v. Hannah B. Bauer`, `Connor Nwosu v. Redwood`). Its
/// names are then looked for like any others.
fn own_case_caption(c: &Compiled, text: &str, start: usize, end: usize) -> bool {
    let s = &text[start..end];
    if s.bytes().any(|b| b.is_ascii_digit())
        || !(s.contains(" v. ") || s.contains(" v ") || s.contains(" vs. "))
    {
        return false;
    }
    let after = text[end..].trim_start_matches([',', ' ']);
    let docket = [
        "No.",
        "No ",
        "Case No",
        "Ind. No",
        "Index No",
        "Docket",
        "Civil Action",
        "Civ. No",
        "Cr. No",
        "Adv. Pro",
    ]
    .iter()
    .any(|d| after.starts_with(d));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].to_ascii_lowercase();
    let heading = [
        "re:",
        "matter:",
        "subject:",
        "caption:",
        "case:",
        "in the matter of",
    ]
    .iter()
    .any(|h| before.contains(h));
    let person = s.split([' ', ',']).collect::<Vec<_>>().windows(2).any(|w| {
        let (a, b) = (w[0], w[1]);
        let initial =
            b.len() == 2 && b.ends_with('.') && b.starts_with(|ch: char| ch.is_ascii_uppercase());
        a.starts_with(|ch: char| ch.is_uppercase())
            && c.gazetteer.is_given(&a.to_lowercase())
            && (initial || b.starts_with(|ch: char| ch.is_uppercase()))
            && !crate::names::is_stop(a)
            && !matches!(a, "United" | "State" | "People" | "Commonwealth")
    });
    docket || heading || person
}

/// A span of years (`2004-2016`, `1999–2006`): no identifier.
fn is_year_range(s: &str) -> bool {
    let year = |p: &str| p.len() == 4 && (p.starts_with("19") || p.starts_with("20"));
    matches!(s.split(['-', '–']).collect::<Vec<_>>()[..], [a, b] if year(a) && year(b) && a <= b)
}

/// A CPT code with its modifier (`99214-25`, `20610-RT`, `64483-F2`): a billed service.
fn is_cpt_with_modifier(s: &str) -> bool {
    let Some((code, modifier)) = s.split_once('-') else {
        return false;
    };
    code.len() == 5
        && code.bytes().all(|b| b.is_ascii_digit())
        && modifier.len() == 2
        && modifier
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// A National Drug Code in one of its hyphenated forms (4-4-2, 5-3-2, 5-4-1, and the 5-4-2 of
/// billing): a package of a drug.
fn is_ndc(s: &str) -> bool {
    let groups: Vec<usize> = s.split('-').map(str::len).collect();
    s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && matches!(groups[..], [4, 4, 2] | [5, 3, 2] | [5, 4, 1] | [5, 4, 2])
}

/// A range of measurements (`0.40-4.50`, `3.5–5.1`): a reference interval, no identifier.
fn is_decimal_range(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '–']).collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            p.contains('.')
                && !p.starts_with('.')
                && !p.ends_with('.')
                && p.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && p.len() <= 8
        })
}

/// ICD-10 codes (`E11.9`, `I10`, `J45.909`) are no identifiers.
fn is_icd10(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b.len() <= 8
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_alphanumeric()
        && (b.len() == 3
            || (b[3] == b'.' && b.len() > 4 && b[4..].iter().all(u8::is_ascii_alphanumeric)))
}

/// Whether the word just before `start` is one of `words` (lower case).
fn after_word(text: &str, start: usize, words: &[&str]) -> bool {
    // A few words back at most: the words asked about are short.
    let from = floor_char_boundary(text, start.saturating_sub(32));
    let before = text[from..start].trim_end();
    let w = before
        .rsplit(|ch: char| !ch.is_alphanumeric())
        .next()
        .unwrap_or("");
    words.iter().any(|x| w.eq_ignore_ascii_case(x))
}

/// Whether a US state abbreviation stands just before `start` (`NY 10001`).
fn preceded_by_state(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    let b = before.as_bytes();
    b.len() >= 2
        && b[b.len() - 2..].iter().all(u8::is_ascii_uppercase)
        && (b.len() == 2 || !b[b.len() - 3].is_ascii_alphanumeric())
}

/// The position after the word at `start`.
fn skip_word(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .skip(1)
        .find(|(_, ch)| !ch.is_alphanumeric())
        .map_or(text.len(), |(i, _)| start + i)
}

/// Sorts detections and merges overlapping ones; the stronger one names the class.
fn merge(mut found: Vec<Detection>) -> Vec<Detection> {
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Detection> = Vec::with_capacity(found.len());
    for d in found {
        match out.last_mut() {
            Some(last) if d.start < last.end => {
                if d.score > last.score && d.end - d.start > (last.end - last.start) / 2 {
                    last.class = d.class;
                    last.score = d.score;
                }
                last.end = last.end.max(d.end);
            }
            _ => out.push(d),
        }
    }
    out
}
