//! Context words: the few words before a candidate that say what a number is ("MRN", "fax",
//! "member id") or that it is no identifier at all ("mg", "mmHg").

use aegis_core::PhiClass;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a context word says about the candidate after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    /// The candidate is an identifier of this class.
    Class(PhiClass),
    /// The candidate is a date ("DOB", "admitted on").
    Date,
    /// The candidate is a code of a clinical or billing vocabulary ("CPT", "NDC", "LOINC"):
    /// no identifier of a person.
    Vocabulary,
}

const CUES: &[(&str, Cue)] = &[
    ("cpt", Cue::Vocabulary),
    ("hcpcs", Cue::Vocabulary),
    ("icd", Cue::Vocabulary),
    ("icd-9", Cue::Vocabulary),
    ("icd-10", Cue::Vocabulary),
    ("icd-10-cm", Cue::Vocabulary),
    ("icd-10-pcs", Cue::Vocabulary),
    ("icd10", Cue::Vocabulary),
    ("loinc", Cue::Vocabulary),
    ("ndc", Cue::Vocabulary),
    ("snomed", Cue::Vocabulary),
    ("snomed ct", Cue::Vocabulary),
    ("rxnorm", Cue::Vocabulary),
    ("rxcui", Cue::Vocabulary),
    ("drg", Cue::Vocabulary),
    ("ms-drg", Cue::Vocabulary),
    ("e/m", Cue::Vocabulary),
    ("procedure code", Cue::Vocabulary),
    ("procedure codes", Cue::Vocabulary),
    ("billing code", Cue::Vocabulary),
    ("billing codes", Cue::Vocabulary),
    ("diagnosis code", Cue::Vocabulary),
    ("diagnosis codes", Cue::Vocabulary),
    ("dx code", Cue::Vocabulary),
    ("billed", Cue::Vocabulary),
    ("modifier", Cue::Vocabulary),
    ("mrn", Cue::Class(PhiClass::Mrn)),
    ("mr#", Cue::Class(PhiClass::Mrn)),
    ("mr #", Cue::Class(PhiClass::Mrn)),
    ("mr no", Cue::Class(PhiClass::Mrn)),
    ("medical record", Cue::Class(PhiClass::Mrn)),
    ("record number", Cue::Class(PhiClass::Mrn)),
    ("record no", Cue::Class(PhiClass::Mrn)),
    ("record #", Cue::Class(PhiClass::Mrn)),
    ("chart", Cue::Class(PhiClass::Mrn)),
    ("patient id", Cue::Class(PhiClass::Mrn)),
    ("patient number", Cue::Class(PhiClass::Mrn)),
    ("patient no", Cue::Class(PhiClass::Mrn)),
    ("hospital number", Cue::Class(PhiClass::Mrn)),
    ("hospital no", Cue::Class(PhiClass::Mrn)),
    ("nhs number", Cue::Class(PhiClass::Mrn)),
    ("nhs no", Cue::Class(PhiClass::Mrn)),
    ("member id", Cue::Class(PhiClass::HealthPlan)),
    ("member number", Cue::Class(PhiClass::HealthPlan)),
    ("member no", Cue::Class(PhiClass::HealthPlan)),
    ("member #", Cue::Class(PhiClass::HealthPlan)),
    ("policy", Cue::Class(PhiClass::HealthPlan)),
    ("insurance", Cue::Class(PhiClass::HealthPlan)),
    ("insurer", Cue::Class(PhiClass::HealthPlan)),
    ("beneficiary", Cue::Class(PhiClass::HealthPlan)),
    ("subscriber", Cue::Class(PhiClass::HealthPlan)),
    ("health plan", Cue::Class(PhiClass::HealthPlan)),
    ("plan id", Cue::Class(PhiClass::HealthPlan)),
    ("group number", Cue::Class(PhiClass::HealthPlan)),
    ("group no", Cue::Class(PhiClass::HealthPlan)),
    ("medicaid", Cue::Class(PhiClass::HealthPlan)),
    ("medicare", Cue::Class(PhiClass::HealthPlan)),
    ("mbi", Cue::Class(PhiClass::HealthPlan)),
    ("hicn", Cue::Class(PhiClass::HealthPlan)),
    ("coverage", Cue::Class(PhiClass::HealthPlan)),
    ("account", Cue::Class(PhiClass::Account)),
    ("acct", Cue::Class(PhiClass::Account)),
    ("a/c", Cue::Class(PhiClass::Account)),
    ("iban", Cue::Class(PhiClass::Account)),
    ("bban", Cue::Class(PhiClass::Account)),
    ("bank", Cue::Class(PhiClass::Account)),
    ("routing", Cue::Class(PhiClass::Account)),
    ("card", Cue::Class(PhiClass::Account)),
    ("billing", Cue::Class(PhiClass::Account)),
    ("license", Cue::Class(PhiClass::License)),
    ("licence", Cue::Class(PhiClass::License)),
    ("lic", Cue::Class(PhiClass::License)),
    ("dl", Cue::Class(PhiClass::License)),
    ("dea", Cue::Class(PhiClass::License)),
    ("npi", Cue::Class(PhiClass::License)),
    ("certificate", Cue::Class(PhiClass::License)),
    ("cert", Cue::Class(PhiClass::License)),
    ("permit", Cue::Class(PhiClass::License)),
    ("registration number", Cue::Class(PhiClass::License)),
    ("passport", Cue::Class(PhiClass::License)),
    ("vin", Cue::Class(PhiClass::Vehicle)),
    ("vehicle", Cue::Class(PhiClass::Vehicle)),
    ("plate", Cue::Class(PhiClass::Vehicle)),
    ("license plate", Cue::Class(PhiClass::Vehicle)),
    ("licence plate", Cue::Class(PhiClass::Vehicle)),
    ("number plate", Cue::Class(PhiClass::Vehicle)),
    ("registration", Cue::Class(PhiClass::Vehicle)),
    ("reg", Cue::Class(PhiClass::Vehicle)),
    ("car", Cue::Class(PhiClass::Vehicle)),
    ("truck", Cue::Class(PhiClass::Vehicle)),
    ("serial", Cue::Class(PhiClass::Device)),
    ("s/n", Cue::Class(PhiClass::Device)),
    ("sn", Cue::Class(PhiClass::Device)),
    ("device", Cue::Class(PhiClass::Device)),
    ("imei", Cue::Class(PhiClass::Device)),
    ("udi", Cue::Class(PhiClass::Device)),
    ("mac", Cue::Class(PhiClass::Device)),
    ("pacemaker", Cue::Class(PhiClass::Device)),
    ("implant", Cue::Class(PhiClass::Device)),
    ("pump", Cue::Class(PhiClass::Device)),
    ("monitor", Cue::Class(PhiClass::Device)),
    ("glucometer", Cue::Class(PhiClass::Device)),
    ("hearing aid", Cue::Class(PhiClass::Device)),
    ("fingerprint", Cue::Class(PhiClass::Biometric)),
    ("retina", Cue::Class(PhiClass::Biometric)),
    ("retinal", Cue::Class(PhiClass::Biometric)),
    ("iris", Cue::Class(PhiClass::Biometric)),
    ("voiceprint", Cue::Class(PhiClass::Biometric)),
    ("voice print", Cue::Class(PhiClass::Biometric)),
    ("biometric", Cue::Class(PhiClass::Biometric)),
    ("facial", Cue::Class(PhiClass::Biometric)),
    ("face scan", Cue::Class(PhiClass::Biometric)),
    ("palm", Cue::Class(PhiClass::Biometric)),
    ("dna", Cue::Class(PhiClass::Biometric)),
    ("phone", Cue::Class(PhiClass::Phone)),
    ("telephone", Cue::Class(PhiClass::Phone)),
    ("tel", Cue::Class(PhiClass::Phone)),
    ("cell", Cue::Class(PhiClass::Phone)),
    ("mobile", Cue::Class(PhiClass::Phone)),
    ("call", Cue::Class(PhiClass::Phone)),
    ("called", Cue::Class(PhiClass::Phone)),
    ("calls", Cue::Class(PhiClass::Phone)),
    ("calling", Cue::Class(PhiClass::Phone)),
    ("text", Cue::Class(PhiClass::Phone)),
    ("texted", Cue::Class(PhiClass::Phone)),
    ("sms", Cue::Class(PhiClass::Phone)),
    ("whatsapp", Cue::Class(PhiClass::Phone)),
    ("pager", Cue::Class(PhiClass::Phone)),
    ("ph", Cue::Class(PhiClass::Phone)),
    ("contact", Cue::Class(PhiClass::Phone)),
    ("reach", Cue::Class(PhiClass::Phone)),
    ("fax", Cue::Class(PhiClass::Fax)),
    ("faxed", Cue::Class(PhiClass::Fax)),
    ("facsimile", Cue::Class(PhiClass::Fax)),
    ("ssn", Cue::Class(PhiClass::Ssn)),
    ("social security", Cue::Class(PhiClass::Ssn)),
    ("ss#", Cue::Class(PhiClass::Ssn)),
    ("zip", Cue::Class(PhiClass::PostalCode)),
    ("zip code", Cue::Class(PhiClass::PostalCode)),
    ("postal code", Cue::Class(PhiClass::PostalCode)),
    ("postcode", Cue::Class(PhiClass::PostalCode)),
    ("plz", Cue::Class(PhiClass::PostalCode)),
    ("id", Cue::Class(PhiClass::Id)),
    ("identifier", Cue::Class(PhiClass::Id)),
    ("employee", Cue::Class(PhiClass::Id)),
    ("case", Cue::Class(PhiClass::Id)),
    ("claim", Cue::Class(PhiClass::Id)),
    ("badge", Cue::Class(PhiClass::Id)),
    ("reference", Cue::Class(PhiClass::Id)),
    ("ref", Cue::Class(PhiClass::Id)),
    ("ticket", Cue::Class(PhiClass::Id)),
    ("number", Cue::Class(PhiClass::Id)),
    ("no.", Cue::Class(PhiClass::Id)),
    ("#", Cue::Class(PhiClass::Id)),
    ("code", Cue::Class(PhiClass::Id)),
    ("username", Cue::Class(PhiClass::Id)),
    ("user", Cue::Class(PhiClass::Id)),
    ("dob", Cue::Date),
    ("d.o.b", Cue::Date),
    ("date of birth", Cue::Date),
    ("born", Cue::Date),
    ("birthday", Cue::Date),
    ("date", Cue::Date),
    ("dated", Cue::Date),
    ("on", Cue::Date),
    ("since", Cue::Date),
    ("until", Cue::Date),
    ("from", Cue::Date),
    ("admitted", Cue::Date),
    ("discharged", Cue::Date),
    ("seen", Cue::Date),
    ("visit", Cue::Date),
    ("died", Cue::Date),
    ("deceased", Cue::Date),
    ("expires", Cue::Date),
    ("expiry", Cue::Date),
    ("collected", Cue::Date),
    ("drawn", Cue::Date),
    ("last", Cue::Date),
    ("next", Cue::Date),
    ("performed", Cue::Date),
    ("done", Cue::Date),
    ("in", Cue::Date),
    ("as of", Cue::Date),
    ("effective", Cue::Date),
    ("starting", Cue::Date),
    ("through", Cue::Date),
    ("colonoscopy", Cue::Date),
    ("scheduled", Cue::Date),
    ("appointment", Cue::Date),
];

/// Words after a number that make it a measurement, a dose or a count: no identifier.
const UNITS: &[&str] = &[
    "mg", "mcg", "µg", "ug", "g", "kg", "lb", "lbs", "ml", "l", "dl", "cc", "units", "unit", "u",
    "iu", "mmol", "mol", "meq", "mmhg", "bpm", "%", "tablet", "tablets", "tab", "tabs", "capsule",
    "capsules", "caps", "puff", "puffs", "drop", "drops", "hours", "hour", "hrs", "hr", "h",
    "days", "day", "weeks", "week", "wks", "months", "month", "years", "year", "yrs", "min",
    "mins", "minutes", "seconds", "sec", "x", "times", "cm", "mm", "m", "km", "ng", "pg", "°",
    "ºc", "°c", "°f", "c", "f", "breaths", "beats", "patients", "people", "steps", "kcal", "cal",
    "dose", "doses", "mg/dl", "mg/kg", "mmol/l", "ml/min", "sachets", "vials", "ampoules", "k/ul",
    "k/µl", "/ul", "mg/l", "g/l", "g/dl", "miu/l", "iu/l", "u/l", "meq/l", "ng/ml", "pg/ml",
    "x10^9/l", "x10", "cells", "copies", "mcg/ml",
];

/// The compiled context-word automaton.
pub(crate) struct Context {
    automaton: AhoCorasick,
}

impl Context {
    pub(crate) fn new() -> Result<Context, aho_corasick::BuildError> {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(CUES.iter().map(|(w, _)| w))?;
        Ok(Context { automaton })
    }

    /// What the few words before `start` say: the nearest class cue, and whether any date cue
    /// is there.
    pub(crate) fn cues_before(&self, text: &str, start: usize) -> Cues {
        let from = floor_char_boundary(text, start.saturating_sub(40));
        let mut window = &text[from..start];
        // A cue speaks for its own clause only: stop at `;`, `)`, a line break or a sentence end.
        if let Some(i) = window
            .rfind([';', ')', '\n'])
            .into_iter()
            .chain(window.rfind(". "))
            .max()
        {
            window = &window[i + 1..];
        }
        let mut cues = Cues::default();
        let mut generic = None;
        for m in self.automaton.find_iter(window) {
            let (s, e) = (m.start(), m.end());
            let word = &window[s..e];
            // A cue is a whole word ("id" is no cue inside "acid").
            let before_ok = !window[..s]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                || !word.starts_with(|c: char| c.is_alphanumeric());
            let after_ok = !window[e..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
                || !word.ends_with(|c: char| c.is_alphanumeric());
            // "DL" (driver's licence) only in capitals: `mg/dL` is a unit.
            // ... and never as a unit's denominator (`MG/DL`).
            let shouting_only =
                word.eq_ignore_ascii_case("dl") && (word != "DL" || window[..s].ends_with('/'));
            // `#` marks a number right after it (`#4471`), not a Markdown heading's words.
            let heading = word == "#" && !window[e..].trim_start().is_empty();
            if before_ok && after_ok && !shouting_only && !heading {
                match CUES[m.pattern().as_usize()].1 {
                    // "ID", "number", "#" say little; a nearer one must not hide "voiceprint".
                    // After a vocabulary's name they are its ("CPT code 99213", "NDC #").
                    Cue::Class(PhiClass::Id) => {
                        if !cues.vocabulary || !VOCABULARY_FOLLOWERS.contains(&word) {
                            generic = Some(PhiClass::Id);
                            cues.vocabulary = false;
                        }
                    }
                    Cue::Class(c) => {
                        cues.class = Some(c);
                        cues.vocabulary = false;
                    }
                    Cue::Date => cues.date = true,
                    Cue::Vocabulary => {
                        cues.vocabulary = true;
                        cues.vocabulary_near = true;
                        cues.class = None;
                        generic = None;
                    }
                }
            }
        }
        cues.class = cues.class.or(generic);
        cues
    }
}

/// Generic cue words that, after a vocabulary's name, are part of it ("CPT code", "NDC #").
const VOCABULARY_FOLLOWERS: &[&str] = &["code", "codes", "#", "no.", "number", "Code", "CODE"];

/// What the words before a candidate say about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cues {
    /// The nearest word naming an identifier class.
    pub(crate) class: Option<PhiClass>,
    /// The nearest cue names a clinical or billing code system (CPT, HCPCS, ICD-10, LOINC,
    /// NDC): the candidate is a code of it, not an identifier.
    pub(crate) vocabulary: bool,
    /// A code system's name is among the words before, nearest or not.
    pub(crate) vocabulary_near: bool,
    /// Whether a word announcing a date is there.
    pub(crate) date: bool,
}

/// Whether the text right after a number makes it a measurement or a count.
pub(crate) fn unit_after(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    // Only the word's first few characters can make it a unit: the word is read no further
    // (`01/02/01/02/…` is one word; reading it whole for every date in it is quadratic).
    let mut chars = rest.char_indices();
    let word_len = chars
        .by_ref()
        .take(UNIT_WORD_LIMIT)
        .find(|(_, c)| !is_unit_char(*c))
        .map(|(i, _)| i);
    let word_len = match word_len {
        Some(n) => n,
        // No end within the limit: the word is longer than any unit, and only a unit followed
        // by `/` (`mg/…`) can begin it.
        None => chars.next().map_or(rest.len(), |(i, _)| i),
    };
    if word_len == 0 {
        return false;
    }
    let word = &rest[..word_len];
    let word = word.trim_end_matches('/');
    UNITS.iter().any(|u| u.eq_ignore_ascii_case(word))
        || (word.len() > 1
            && UNITS.iter().any(|u| {
                word.len() > u.len()
                    && word.is_char_boundary(u.len())
                    && word[..u.len()].eq_ignore_ascii_case(u)
                    && word.as_bytes()[u.len()] == b'/'
            }))
}

/// How many characters of the word after a number are read: more than the longest unit and
/// its `/`.
const UNIT_WORD_LIMIT: usize = 16;

fn is_unit_char(c: char) -> bool {
    c.is_alphanumeric() || c == '/' || c == '%' || c == '°' || c == 'º'
}

/// The largest char boundary at or below `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_whole_word_cue_wins() {
        let c = Context::new().unwrap_or_else(|e| panic!("{e}"));
        let t = "Phone on file; MRN: ";
        assert_eq!(c.cues_before(t, t.len()).class, Some(PhiClass::Mrn));
        assert!(!c.cues_before(t, t.len()).date, "the clause ends at `;`");
        let t = "Mrs. A (MRN 0048) called from ";
        assert_eq!(c.cues_before(t, t.len()).class, Some(PhiClass::Phone));
        let t = "voiceprint ID ";
        assert_eq!(c.cues_before(t, t.len()).class, Some(PhiClass::Biometric));
        let t = "folic acid ";
        assert_eq!(c.cues_before(t, t.len()), Cues::default());
        assert!(unit_after("500 mg daily", 3));
        assert!(unit_after("4.1 mmol/L", 3));
        assert!(!unit_after("4482 was", 4));
    }
}
