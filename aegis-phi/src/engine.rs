//! The Tier-0 engine: detection plus replacement, for text, JSON values and traces.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex, PoisonError};

use aegis_core::digest::hex;
use aegis_core::tiers::Sanitizer;
use aegis_core::{PhiClass, PhiClasses, PhiMode, PhiSettings, SanitizeReport, Trace};
use serde_json::Value;

use crate::PhiError;
use crate::dates;
use crate::detect::{Detection, Detector};
use crate::key::PhiKey;
use crate::vault::Vault;

/// Names and places pseudonyms are drawn from: the gazetteers themselves.
struct Pools {
    given: Vec<&'static str>,
    surnames: Vec<&'static str>,
    localities: Vec<&'static str>,
}

static POOLS: LazyLock<Pools> = LazyLock::new(|| {
    let list = |s: &'static str| -> Vec<&'static str> {
        s.lines()
            .map(str::trim)
            .filter(|l| l.len() >= 3 && l.bytes().all(|b| b.is_ascii_lowercase()))
            .collect()
    };
    Pools {
        given: list(include_str!("../data/given_names.txt")),
        surnames: list(include_str!("../data/surnames.txt")),
        localities: list(include_str!("../data/localities.txt")),
    }
});

/// Keys (field names) whose whole string value is an identifier of a class, whatever it looks
/// like: `{"patient_name": "Jo"}`.
const FIELD_HINTS: &[(&str, PhiClass)] = &[
    ("name", PhiClass::Name),
    ("first_name", PhiClass::Name),
    ("last_name", PhiClass::Name),
    ("full_name", PhiClass::Name),
    ("given_name", PhiClass::Name),
    ("family_name", PhiClass::Name),
    ("surname", PhiClass::Name),
    ("patient_name", PhiClass::Name),
    ("email", PhiClass::Email),
    ("phone", PhiClass::Phone),
    ("telephone", PhiClass::Phone),
    ("mobile", PhiClass::Phone),
    ("fax", PhiClass::Fax),
    ("ssn", PhiClass::Ssn),
    ("mrn", PhiClass::Mrn),
    ("address", PhiClass::StreetAddress),
    ("street", PhiClass::StreetAddress),
    ("city", PhiClass::City),
    ("zip", PhiClass::PostalCode),
    ("postcode", PhiClass::PostalCode),
    ("postal_code", PhiClass::PostalCode),
    ("dob", PhiClass::Date),
    ("birth_date", PhiClass::Date),
    ("date_of_birth", PhiClass::Date),
    ("birthdate", PhiClass::Date),
    ("patient_id", PhiClass::Mrn),
    ("medical_record_number", PhiClass::Mrn),
    ("member_id", PhiClass::HealthPlan),
    ("subscriber_id", PhiClass::HealthPlan),
    ("policy_number", PhiClass::HealthPlan),
    ("insurance_id", PhiClass::HealthPlan),
    ("account", PhiClass::Account),
    ("account_number", PhiClass::Account),
    ("iban", PhiClass::Account),
    ("card_number", PhiClass::Account),
    ("license", PhiClass::License),
    ("licence", PhiClass::License),
    ("license_number", PhiClass::License),
    ("drivers_license", PhiClass::License),
    ("plate", PhiClass::Vehicle),
    ("license_plate", PhiClass::Vehicle),
    ("vin", PhiClass::Vehicle),
    ("device_id", PhiClass::Device),
    ("serial", PhiClass::Device),
    ("serial_number", PhiClass::Device),
    ("imei", PhiClass::Device),
    ("ip", PhiClass::IpAddress),
    ("ip_address", PhiClass::IpAddress),
    ("url", PhiClass::Url),
    ("email_address", PhiClass::Email),
    ("phone_number", PhiClass::Phone),
    ("mobile_number", PhiClass::Phone),
    ("fax_number", PhiClass::Fax),
    ("street_address", PhiClass::StreetAddress),
    ("address_line", PhiClass::StreetAddress),
    ("address_line1", PhiClass::StreetAddress),
    ("address_line2", PhiClass::StreetAddress),
    ("postal", PhiClass::PostalCode),
    ("zip_code", PhiClass::PostalCode),
    ("county", PhiClass::City),
    ("town", PhiClass::City),
    ("employee_id", PhiClass::Id),
    ("case_id", PhiClass::Id),
    ("claim_id", PhiClass::Id),
];

/// The field names that say what their value holds, for the JSON-in-text pattern.
pub(crate) fn field_hint_names() -> Vec<&'static str> {
    FIELD_HINTS.iter().map(|(name, _)| *name).collect()
}

/// The class a field name says its value holds (`patient_name` → NAME).
pub(crate) fn field_hint(key: &str) -> Option<PhiClass> {
    FIELD_HINTS
        .iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(key))
        .map(|(_, c)| *c)
}

/// Fields of a trace that are kept as they are when they parse as what they are meant to hold:
/// timestamps of the AI call itself. Anything else in them goes through Tier 0 like any text.
const TIMESTAMP_FIELDS: &[&str] = &["started_at", "ended_at"];

/// The identifier a JSON number has the shape of, whatever its key: a valid SSN (nine digits, an
/// area that is issued), a North American phone number (ten digits, or eleven after a `1`, area
/// code and exchange from 2 to 9), or a payment card (13 to 19 digits, first 2 to 6, Luhn).
/// Only whole, non-negative numbers qualify; `1718000000000` (milliseconds) is no card (`1…`).
pub(crate) fn number_identifier(n: &serde_json::Number) -> Option<PhiClass> {
    let digits = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => u.to_string(),
        (None, Some(f)) => integral_digits(f)?,
        _ => return None,
    };
    digits_identifier(&digits)
}

/// The digits of a whole, non-negative `f64` below 10^19.
fn integral_digits(f: f64) -> Option<String> {
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 1e19).then(|| format!("{f:.0}"))
}

fn digits_identifier(d: &str) -> Option<PhiClass> {
    let b = d.as_bytes();
    let nanp = |p: &[u8]| p.len() == 10 && p[0] >= b'2' && p[3] >= b'2';
    match b.len() {
        9 if crate::checks::ssn(d) => Some(PhiClass::Ssn),
        10 if nanp(b) => Some(PhiClass::Phone),
        11 if b[0] == b'1' && nanp(&b[1..]) => Some(PhiClass::Phone),
        13..=19 if (b'2'..=b'6').contains(&b[0]) && crate::checks::card(d) => {
            Some(PhiClass::Account)
        }
        _ => None,
    }
}

/// Whether a typed number of the schema (a latency, a token count, a seed) has an identifier's
/// shape: it cannot hold a replacement, so it is dropped.
fn typed_number_is_identifier(f: f64, classes: PhiClasses) -> bool {
    integral_digits(f)
        .and_then(|d| digits_identifier(&d))
        .is_some_and(|c| classes.contains(c))
}

/// Detects identifiers and replaces them. One engine serves one organisation (one key); it is
/// `Send + Sync` and can be shared across threads.
pub struct PhiEngine {
    detector: Detector,
    key: PhiKey,
    pseudonym_key: [u8; 32],
    vault: Option<Mutex<Vault>>,
    clean: CleanTexts,
}

/// Texts already scanned and found to hold no identifier of a set of classes, kept whole
/// (never a hash of them: a collision would let an identifier through) so that a text that
/// comes back in trace after trace — an application's system prompt, its tools' JSON schemas,
/// a fixed instruction — is not scanned again. A text with no identifier comes out as it went
/// in whatever the key, mode or subject, so what is kept depends on nothing else. Bounded:
/// emptied when it holds [`CleanTexts::MAX_BYTES`].
#[derive(Default)]
struct CleanTexts {
    by_classes: std::sync::RwLock<HashMap<PhiClasses, HashSet<Box<str>>>>,
    bytes: std::sync::atomic::AtomicUsize,
    off: bool,
}

impl CleanTexts {
    /// What all the texts kept may take together.
    const MAX_BYTES: usize = 16 << 20;
    /// Texts shorter than this are cheaper to scan than to look up and keep.
    const MIN_LEN: usize = 64;
    /// Longer texts are seldom repeated whole.
    const MAX_LEN: usize = 64 << 10;

    fn worth_keeping(text: &str) -> bool {
        (Self::MIN_LEN..=Self::MAX_LEN).contains(&text.len())
    }

    fn contains(&self, classes: PhiClasses, text: &str) -> bool {
        !self.off
            && Self::worth_keeping(text)
            && self
                .by_classes
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&classes)
                .is_some_and(|set| set.contains(text))
    }

    fn insert(&self, classes: PhiClasses, text: &str) {
        use std::sync::atomic::Ordering;
        if self.off || !Self::worth_keeping(text) {
            return;
        }
        let mut map = self.by_classes.write().unwrap_or_else(|e| e.into_inner());
        if self.bytes.load(Ordering::Relaxed) + text.len() > Self::MAX_BYTES {
            map.clear();
            self.bytes.store(0, Ordering::Relaxed);
        }
        if map.entry(classes).or_default().insert(text.into()) {
            self.bytes.fetch_add(text.len(), Ordering::Relaxed);
        }
    }
}

impl std::fmt::Debug for PhiEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhiEngine")
            .field("detector", &self.detector)
            .field("vault", &self.vault.is_some())
            .finish_non_exhaustive()
    }
}

impl PhiEngine {
    /// An engine whose pseudonyms derive from `key`.
    pub fn new(key: PhiKey) -> Result<PhiEngine, PhiError> {
        Ok(PhiEngine {
            detector: Detector::new()?,
            pseudonym_key: key.derive(b"aegis-phi pseudonym v1"),
            key,
            vault: None,
            clean: CleanTexts::default(),
        })
    }

    /// An engine with a random key for this process: consistent within the process only.
    pub fn ephemeral() -> Result<PhiEngine, PhiError> {
        PhiEngine::new(PhiKey::random()?)
    }

    /// An engine that scans every text, even one it found clean before (by default it keeps
    /// such texts and does not scan them again): for measuring the scan itself, or for input
    /// whose texts never repeat.
    pub fn scanning_every_text(mut self) -> PhiEngine {
        self.clean.off = true;
        self
    }

    /// Records every pseudonym in `vault`, so that it can be reversed later with the key.
    pub fn with_vault(mut self, vault: Vault) -> PhiEngine {
        self.vault = Some(Mutex::new(vault));
        self
    }

    /// A copy of the vault's current contents, if the engine keeps one.
    pub fn vault_snapshot(&self) -> Option<Vault> {
        self.vault
            .as_ref()
            .map(|v| v.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    /// Seals the vault under the engine's key and writes it to `path`.
    pub fn save_vault(&self, path: &std::path::Path) -> Result<(), PhiError> {
        match self.vault_snapshot() {
            Some(v) => v.save(path, &self.key),
            None => Ok(()),
        }
    }

    /// Replaces the identifiers in `text`. `subject` names the person the text is about (their
    /// dates move by one offset).
    pub fn sanitize_text(
        &self,
        text: &str,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
    ) -> String {
        if self.clean.contains(settings.classes, text) {
            return text.to_owned();
        }
        let found = self
            .detector
            .clone()
            .with_classes(settings.classes)
            .detect(text);
        if found.is_empty() {
            self.clean.insert(settings.classes, text);
            return text.to_owned();
        }
        self.replace(text, &found, settings, subject, report)
    }

    /// [`sanitize_text`](Self::sanitize_text), remembering each text of one trace: an agent's
    /// trace repeats its texts (the root's input and output are its own, a model call's
    /// messages are also in its kept attributes), and the same text in the same trace comes out
    /// the same, with the same identifiers counted again.
    fn sanitize_text_once(
        &self,
        text: &str,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
        memo: &mut TextMemo,
    ) -> String {
        let add = |report: &mut SanitizeReport, counted: &SanitizeReport| {
            report.add_counts(counted);
            for p in &counted.pseudonyms {
                report.pseudonym(p.class, &p.text);
            }
        };
        if let Some((clean, counted)) = memo.get(text) {
            add(report, counted);
            return clean.clone();
        }
        let mut counted = SanitizeReport::default();
        let clean = self.sanitize_text(text, settings, subject, &mut counted);
        add(report, &counted);
        // Short texts are cheap to scan again; only the long ones are worth keeping.
        if text.len() >= MEMO_MIN_LEN {
            memo.insert(text.to_owned(), (clean.clone(), counted));
        }
        clean
    }

    fn replace(
        &self,
        text: &str,
        found: &[Detection],
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
    ) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for d in found.iter().filter(|d| settings.classes.contains(d.class)) {
            if d.start < last {
                continue;
            }
            out.push_str(&text[last..d.start]);
            let original = &text[d.start..d.end];
            match kept_part(d.class, original, settings) {
                Some(kept) => out.push_str(&kept),
                None => {
                    let replacement = self.replacement(d.class, original, settings.mode, subject);
                    // What differs from one key to another: the tiers after this one read the
                    // class instead (`Sanitized::evaluation_view`). Ages over 89 (`90`) and an
                    // unreadable date (`[DATE]`) are the same under every key.
                    let keyed = matches!(settings.mode, PhiMode::Pseudonymize | PhiMode::Hash)
                        && d.class != PhiClass::Age
                        && replacement != "[DATE]";
                    if keyed {
                        report.pseudonym(d.class, &replacement);
                    }
                    out.push_str(&replacement);
                }
            }
            report.count(d.class);
            last = d.end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// What stands in for `original`.
    fn replacement(&self, class: PhiClass, original: &str, mode: PhiMode, subject: &str) -> String {
        match mode {
            PhiMode::Redact => format!("[{}]", class.label()),
            PhiMode::Mask => original
                .chars()
                .map(|c| if c.is_alphanumeric() { '*' } else { c })
                .collect(),
            PhiMode::Hash => {
                let h = self.digest(class, original, 0);
                format!("<{}:{}>", class.label(), hex(&h[..8]))
            }
            PhiMode::Pseudonymize => {
                let mut attempt = 0u32;
                loop {
                    let p = self.pseudonym(class, original, subject, attempt);
                    // Ages over 89 all become `90` and an unreadable date `[DATE]`: such
                    // pseudonyms stand for many originals and are not recorded.
                    let unique = !(class == PhiClass::Age || p == "[DATE]");
                    let recorded = match &self.vault {
                        Some(v) if unique => {
                            let mut v = v.lock().unwrap_or_else(PoisonError::into_inner);
                            match v.original(&p) {
                                // The same identifier spelt differently (`John@X.com`).
                                Some(e) => {
                                    normalise(class, &e.original) == normalise(class, original)
                                }
                                None => v.record(&p, class, original),
                            }
                        }
                        _ => true,
                    };
                    if recorded || attempt >= 8 {
                        return p;
                    }
                    attempt += 1;
                }
            }
        }
    }

    fn digest(&self, class: PhiClass, original: &str, attempt: u32) -> [u8; 32] {
        let mut msg = Vec::with_capacity(original.len() + 24);
        msg.extend_from_slice(class.label().as_bytes());
        msg.push(0);
        msg.extend_from_slice(&attempt.to_le_bytes());
        msg.extend_from_slice(normalise(class, original).as_bytes());
        crate::key::derive(&self.pseudonym_key, &msg)
    }

    /// The subject's date offset: 1 to 365 days, earlier or later.
    fn date_offset(&self, subject: &str) -> i64 {
        let h = crate::key::derive(&self.pseudonym_key, format!("date\0{subject}").as_bytes());
        let n = i64::from(u16::from_le_bytes([h[0], h[1]]) % 365) + 1;
        if h[2] & 1 == 0 { n } else { -n }
    }

    fn pseudonym(&self, class: PhiClass, original: &str, subject: &str, attempt: u32) -> String {
        let h = self.digest(class, original, attempt);
        let mut stream = Stream::new(h);
        match class {
            PhiClass::Name => {
                // Once, not per word: a long hyphenated run would make it quadratic.
                let several_words = original.contains(' ');
                original
                    .split_inclusive([' ', '-'])
                    .enumerate()
                    .map(|(i, part)| {
                        let (word, sep) = part.split_at(part.trim_end_matches([' ', '-']).len());
                        if word.len() <= 2 && word.ends_with('.') || word.len() == 1 {
                            // Initials stay initials.
                            let c = char::from(b'A' + stream.below(26) as u8);
                            return format!("{c}{}{sep}", &word[word.len().min(1)..]);
                        }
                        let wd = self.digest(class, word, attempt);
                        let mut ws = Stream::new(wd);
                        // A given name stands for a given name, anything else for a surname.
                        let is_given = POOLS
                            .given
                            .binary_search(&word.to_lowercase().as_str())
                            .is_ok();
                        let pool = if (i == 0 && several_words) || (!several_words && is_given) {
                            &POOLS.given
                        } else {
                            &POOLS.surnames
                        };
                        let pick = pool
                            .get(ws.below(pool.len().max(1)))
                            .copied()
                            .unwrap_or("name");
                        format!("{}{sep}", like_case(pick, word))
                    })
                    .collect()
            }
            PhiClass::City => {
                let pool = &POOLS.localities;
                let pick = pool
                    .get(stream.below(pool.len().max(1)))
                    .copied()
                    .unwrap_or("city");
                like_case(pick, original)
            }
            PhiClass::StreetAddress => {
                // Keep the address's form: numbers become other numbers, unit words stay, and
                // the street type stays only as the last such word (`Drive`, `rue`); every
                // other word — `Lake Forest Park`, `elm` — becomes a name from the gazetteers.
                let words: Vec<&str> = original.split_inclusive([' ', ',']).collect();
                let bare = |part: &str| {
                    part.trim_end_matches([' ', ','])
                        .trim_end_matches('.')
                        .to_lowercase()
                };
                let street_type_at = words.iter().rposition(|part| {
                    let b = bare(part);
                    crate::patterns::is_street_word(&b) && !crate::patterns::is_unit_word(&b)
                });
                words
                    .iter()
                    .enumerate()
                    .map(|(i, part)| {
                        let word = part.trim_end_matches([' ', ',']);
                        let sep = &part[word.len()..];
                        let b = bare(part);
                        if word.chars().any(|c| c.is_numeric()) {
                            format!("{}{sep}", shape(word, &mut stream, false))
                        } else if Some(i) == street_type_at
                            || crate::patterns::is_unit_word(&b)
                            || word.is_empty()
                        {
                            (*part).to_owned()
                        } else {
                            let pool = &POOLS.surnames;
                            let pick = pool
                                .get(stream.below(pool.len().max(1)))
                                .copied()
                                .unwrap_or("main");
                            let replaced = if word.starts_with(|c: char| c.is_uppercase()) {
                                like_case(pick, word)
                            } else {
                                pick.to_owned()
                            };
                            format!("{replaced}{sep}")
                        }
                    })
                    .collect()
            }
            PhiClass::Date => match dates::shift(original, self.date_offset(subject)) {
                Some(d) => d,
                None => "[DATE]".to_owned(),
            },
            PhiClass::Age => {
                // Safe Harbor: ages over 89 become one category, 90 or older.
                "90".to_owned()
            }
            PhiClass::Email => {
                let local = original.split('@').next().unwrap_or("");
                format!(
                    "{}@example.org",
                    shape(local, &mut stream, false).to_lowercase()
                )
            }
            PhiClass::Url => format!("https://example.org/{}", hex(&h[..5])),
            PhiClass::IpAddress => {
                if original.contains(':') {
                    format!(
                        "2001:db8::{:x}:{:x}",
                        u16::from_le_bytes([h[0], h[1]]),
                        u16::from_le_bytes([h[2], h[3]])
                    )
                } else {
                    // 198.18.0.0/15 is reserved for benchmarking: never a real host.
                    format!("198.{}.{}.{}", 18 + (h[0] & 1), h[1], h[2].max(1))
                }
            }
            PhiClass::Ssn => {
                // 9xx area numbers are never issued: the pseudonym cannot be someone's SSN.
                let s = shape(original, &mut stream, false);
                match s.char_indices().find(|(_, c)| c.is_ascii_digit()) {
                    Some((i, _)) => format!("{}9{}", &s[..i], &s[i + 1..]),
                    None => s,
                }
            }
            PhiClass::Device | PhiClass::Id if looks_hex(original) => {
                shape(original, &mut stream, true)
            }
            _ => shape(original, &mut stream, false),
        }
    }
}

/// The texts of one trace already sanitised: the text, what it became, what was replaced.
type TextMemo = std::collections::HashMap<String, (String, SanitizeReport)>;

/// Texts shorter than this are scanned again rather than remembered.
const MEMO_MIN_LEN: usize = 32;

impl Sanitizer for PhiEngine {
    fn sanitize(&self, trace: &mut Trace, settings: &PhiSettings) -> SanitizeReport {
        let mut report = SanitizeReport::default();
        // Only Tier 0 says what is a pseudonym: a list the trace brings would hide its words
        // from the tiers after this one.
        trace.pseudonyms.clear();
        if settings.classes.is_empty() {
            return report;
        }
        let subject = settings
            .subject_field
            .and_then(|path| {
                let mut v = trace.domain_data.as_ref()?;
                for p in path.split('.') {
                    v = v.get(p)?;
                }
                Some(match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            })
            .or_else(|| trace.id.clone().filter(|id| !id.is_empty()))
            // No subject at all: this trace's dates move by an offset of their own, never one
            // shared with other traces (one known date would reveal them all).
            .unwrap_or_else(random_subject);
        // Field by field: no round trip through a JSON value for the common fields.
        let mut memo = TextMemo::new();
        let text = |t: &mut String, report: &mut SanitizeReport, memo: &mut TextMemo| {
            if !t.is_empty() {
                *t = self.sanitize_text_once(t, settings, &subject, report, memo);
            }
        };
        // A JSON value of the trace (domain data, tool arguments, kept attributes), its texts
        // remembered with the others.
        let json =
            |v: &mut Value, key: Option<&str>, report: &mut SanitizeReport, memo: &mut TextMemo| {
                self.sanitize_value_at(v, key, true, settings, &subject, report, Some(memo));
            };
        // An id that holds an identifier becomes a keyed pseudonym of the whole id, in every
        // mode: results stay distinguishable (`[ID]` for every trace would not be).
        if let Some(id) = &mut trace.id {
            let cleaned = self.sanitize_text(id, settings, &subject, &mut report);
            if cleaned != *id {
                let h =
                    crate::key::derive(&self.pseudonym_key, format!("trace id\0{id}").as_bytes());
                *id = format!("trace-{}", hex(&h[..8]));
            }
        }
        if let Some(model) = &mut trace.model {
            *model = self.sanitize_model(model, settings, &subject, &mut report);
        }
        text(&mut trace.input, &mut report, &mut memo);
        text(&mut trace.output, &mut report, &mut memo);
        for doc in &mut trace.context {
            text(doc, &mut report, &mut memo);
        }
        let m = &mut trace.metadata;
        for field in [&mut m.domain, &mut m.organisation, &mut m.application]
            .into_iter()
            .flatten()
        {
            text(field, &mut report, &mut memo);
        }
        for tag in &mut m.tags {
            text(tag, &mut report, &mut memo);
        }
        // Timestamps of the call are kept when they are timestamps; other text in them is text.
        for field in [&mut m.started_at, &mut m.ended_at].into_iter().flatten() {
            if !dates::is_timestamp(field) {
                text(field, &mut report, &mut memo);
            }
        }
        // Typed numbers cannot hold a replacement: one with an identifier's shape is dropped.
        if m.latency_ms
            .is_some_and(|v| typed_number_is_identifier(v, settings.classes))
        {
            m.latency_ms = None;
            report.count(PhiClass::Id);
        }
        if m.tokens.is_some_and(|t| {
            [t.prompt, t.completion]
                .iter()
                .any(|&n| typed_number_is_identifier(n as f64, settings.classes))
        }) {
            m.tokens = None;
            report.count(PhiClass::Id);
        }
        if let Some(data) = &mut trace.domain_data {
            json(data, None, &mut report, &mut memo);
        }
        for (k, v) in &mut trace.extra {
            json(v, Some(k), &mut report, &mut memo);
        }
        // An agent's steps, field by field: text as text, tool arguments and results and the
        // kept attributes as JSON (every string, and numbers with an identifier's shape). The
        // span ids the tracer made and the call's timestamps are kept, as `started_at` is.
        for step in &mut trace.steps {
            text(&mut step.name, &mut report, &mut memo);
            if let Some(model) = &mut step.model {
                *model = self.sanitize_model(model, settings, &subject, &mut report);
            }
            text(&mut step.input, &mut report, &mut memo);
            text(&mut step.output, &mut report, &mut memo);
            for doc in &mut step.documents {
                text(doc, &mut report, &mut memo);
            }
            for call in &mut step.tool_calls {
                text(&mut call.name, &mut report, &mut memo);
                if let Some(id) = &mut call.id {
                    text(id, &mut report, &mut memo);
                }
                json(&mut call.arguments, None, &mut report, &mut memo);
                json(&mut call.result, None, &mut report, &mut memo);
            }
            for (k, v) in &mut step.attributes {
                json(v, Some(k), &mut report, &mut memo);
            }
        }
        if let Some(episode) = &mut trace.episode
            && episode
                .seed
                .is_some_and(|s| typed_number_is_identifier(s as f64, settings.classes))
        {
            episode.seed = None;
            report.count(PhiClass::Id);
        }
        // Every other string and number of the episode, through its JSON form. A step value
        // with an identifier's shape becomes a string that no longer fits the schema: the
        // episode is then dropped.
        if let Some(episode) = &trace.episode
            && let Ok(mut value) = serde_json::to_value(episode)
        {
            self.sanitize_value(&mut value, None, settings, &subject, &mut report);
            match serde_json::from_value(value) {
                Ok(e) => trace.episode = Some(e),
                // A replaced string no longer fits the episode's schema: keep no text of it.
                Err(_) => trace.episode = None,
            }
        }
        trace.pseudonyms = report.pseudonyms.clone();
        report
    }
}

impl PhiEngine {
    /// Replaces identifiers in every string of a JSON value, in object keys too. At the top
    /// level (and in a top-level `metadata`), `started_at` and `ended_at` are kept when they
    /// are timestamps (RFC 3339 / ISO 8601, with a time of day), and `model` is read as a model
    /// name (see the `Sanitizer` implementation). Fields whose name says what they hold
    /// (`patient_name`, `email`, `dob`, `mrn`) are replaced whole, numbers included. A number
    /// under any other key that has the shape of an SSN, a North American phone number or a
    /// payment card becomes a string: its pseudonym (or `[SSN]`, a mask, a hash, as the mode
    /// says), the same for the same number.
    pub fn sanitize_value(
        &self,
        value: &mut Value,
        key: Option<&str>,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
    ) {
        self.sanitize_value_at(value, key, true, settings, subject, report, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn sanitize_value_at(
        &self,
        value: &mut Value,
        key: Option<&str>,
        keep_allowed: bool,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
        mut memo: Option<&mut TextMemo>,
    ) {
        let hint = key
            .and_then(field_hint)
            .filter(|c| settings.classes.contains(*c));
        match value {
            Value::String(s) => {
                *s = match hint {
                    Some(class) if !s.trim().is_empty() => {
                        self.sanitize_hinted(s, class, settings, subject, report)
                    }
                    _ => match memo {
                        Some(memo) => self.sanitize_text_once(s, settings, subject, report, memo),
                        None => self.sanitize_text(s, settings, subject, report),
                    },
                };
            }
            // `{"mrn": 12345678}`: a number under a field that names an identifier;
            // `{"phoneNumber": 6175550142}`: a number with an identifier's shape.
            Value::Number(n) => {
                let shaped = || number_identifier(n).filter(|c| settings.classes.contains(*c));
                if let Some(class) = hint.or_else(shaped) {
                    let text = match (n.as_u64(), n.as_f64().and_then(integral_digits)) {
                        (None, Some(digits)) => digits,
                        _ => n.to_string(),
                    };
                    *value = Value::String(
                        self.sanitize_hinted(&text, class, settings, subject, report),
                    );
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.sanitize_value_at(
                        item,
                        key,
                        false,
                        settings,
                        subject,
                        report,
                        memo.as_deref_mut(),
                    );
                }
            }
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    let top =
                        keep_allowed && (k == "model" || TIMESTAMP_FIELDS.contains(&k.as_str()));
                    let keep = top
                        && TIMESTAMP_FIELDS.contains(&k.as_str())
                        && v.as_str().is_some_and(dates::is_timestamp);
                    if top
                        && k == "model"
                        && let Value::String(s) = &mut v
                    {
                        *s = self.sanitize_model(s, settings, subject, report);
                    } else if !keep {
                        let nested_keep = keep_allowed && k == "metadata";
                        self.sanitize_value_at(
                            &mut v,
                            Some(&k),
                            nested_keep,
                            settings,
                            subject,
                            report,
                            memo.as_deref_mut(),
                        );
                    }
                    // A key can hold PHI too (`{"Jane Doe": {…}}`).
                    let k = if k
                        .chars()
                        .any(|c| c.is_ascii_digit() || c.is_uppercase() || c == '@')
                    {
                        self.sanitize_text(&k, settings, subject, report)
                    } else {
                        k
                    };
                    map.insert(k, v);
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// A model's name. One word (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`) keeps its
    /// release date and version code: only names, contact details and identifiers of a specific
    /// class are replaced in it (`512-48-3391`, `6175550142`, an email). Anything longer is
    /// text like any other.
    fn sanitize_model(
        &self,
        model: &str,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
    ) -> String {
        if model.is_empty() {
            return String::new();
        }
        let one_word = !model.chars().any(char::is_whitespace) && model.len() <= 128;
        if !one_word {
            return self.sanitize_text(model, settings, subject, report);
        }
        let kept: Vec<PhiClass> = PhiClass::ALL
            .iter()
            .copied()
            .filter(|c| {
                settings.classes.contains(*c) && !matches!(c, PhiClass::Date | PhiClass::Id)
            })
            .collect();
        let narrowed = PhiSettings {
            classes: PhiClasses::of(&kept),
            ..*settings
        };
        self.sanitize_text(model, &narrowed, subject, report)
    }

    /// A value whose field name says what it is: replaced whole, unless detection finds
    /// exactly one identifier covering it (whose class then decides the replacement).
    fn sanitize_hinted(
        &self,
        s: &str,
        class: PhiClass,
        settings: &PhiSettings,
        subject: &str,
        report: &mut SanitizeReport,
    ) -> String {
        // `"name": "Metformin"` in a medication list is no person: a bare `name` field is a
        // person's name only if it looks like one.
        if class == PhiClass::Name && !looks_like_a_name(s, &self.detector) {
            return self.sanitize_text(s, settings, subject, report);
        }
        let found = self
            .detector
            .clone()
            .with_classes(settings.classes)
            .detect(s);
        // A specific class found over the whole value decides (an email under `name`); a
        // generic code (`ID`) does not overrule what the field says it is.
        if found.len() == 1
            && found[0].start == 0
            && found[0].end == s.len()
            && found[0].class != PhiClass::Id
        {
            self.replace(s, &found, settings, subject, report)
        } else {
            let whole = [Detection {
                start: 0,
                end: s.len(),
                class,
                score: 1.0,
            }];
            self.replace(s, &whole, settings, subject, report)
        }
    }
}

/// Whether a value under a bare `name` key reads as a person's name: every word capitalised or
/// an initial, no digits, not a word the clinical vocabulary knows, and at least one word a
/// name list knows.
fn looks_like_a_name(s: &str, detector: &Detector) -> bool {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    !words.is_empty()
        && words.len() <= 5
        && !s.chars().any(|c| c.is_ascii_digit())
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_uppercase())
                || matches!(
                    *w,
                    "van"
                        | "von"
                        | "de"
                        | "der"
                        | "den"
                        | "da"
                        | "di"
                        | "del"
                        | "la"
                        | "le"
                        | "du"
                        | "dos"
                )
        })
        && !(words.len() == 1 && crate::names::is_stop(words[0]))
        && words.iter().any(|w| detector.knows_name(w))
}

/// A subject of its own for text about nobody named: its dates move by an offset no other text
/// shares (one known date would otherwise reveal the others).
pub fn random_subject() -> String {
    let mut r = [0u8; 16];
    let _ = getrandom::fill(&mut r);
    hex(&r)
}

/// The settings for sanitising text outside any domain: every class, in `mode`.
pub fn all_classes(mode: PhiMode) -> PhiSettings {
    PhiSettings {
        classes: PhiClasses::ALL,
        mode,
        subject_field: None,
        keep: aegis_core::PhiKeep::default(),
    }
}

/// The three-digit ZIP areas that held 20,000 people or fewer in the 2000 census: Safe Harbor
/// (45 CFR 164.514(b)(2)(i)(B)) writes them `000`. HHS, "Guidance Regarding Methods for
/// De-identification of Protected Health Information", section 2.4 (2012).
const SMALL_ZIP3: [&str; 17] = [
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
    "879", "884", "890", "893",
];

/// What Safe Harbor lets `settings` keep of `original`, written in place of it: a date with
/// only its year left (`[DATE 2019]`, `**/**/2019`), or a US ZIP code's first three digits
/// (`627**`, `000**`). `None`: the identifier is replaced as the mode says.
fn kept_part(class: PhiClass, original: &str, settings: &PhiSettings) -> Option<String> {
    match class {
        PhiClass::Date if settings.keep.year => {
            let year = year_of(original)?;
            match settings.mode {
                PhiMode::Redact => Some(format!("[DATE {year}]")),
                PhiMode::Mask => {
                    // The year's digits stay; every other letter and digit becomes `*`.
                    let at = original.rfind(year)?;
                    let masked = |s: &str| -> String {
                        s.chars()
                            .map(|c| if c.is_alphanumeric() { '*' } else { c })
                            .collect()
                    };
                    Some(format!(
                        "{}{year}{}",
                        masked(&original[..at]),
                        masked(&original[at + year.len()..])
                    ))
                }
                PhiMode::Pseudonymize | PhiMode::Hash => None,
            }
        }
        PhiClass::PostalCode if settings.keep.zip3 => {
            let digits: String = original.chars().filter(char::is_ascii_digit).collect();
            let us = (digits.len() == 5 || digits.len() == 9)
                && original
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
            if !us {
                return None;
            }
            let zip3 = &digits[..3];
            let zip3 = if SMALL_ZIP3.contains(&zip3) {
                "000"
            } else {
                zip3
            };
            Some(format!("{zip3}**"))
        }
        _ => None,
    }
}

/// The four-digit year in a date (`2019` in `03/14/2019`, `14 March 2019`, `2019-03-14`).
fn year_of(date: &str) -> Option<&str> {
    let bytes = date.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let window = &bytes[i..i + 4];
        let digits = window.iter().all(u8::is_ascii_digit);
        let alone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        let plausible = window.starts_with(b"19") || window.starts_with(b"20");
        (digits && alone && plausible).then(|| &date[i..i + 4])
    })
}

/// Spelling differences that do not make a different identifier.
fn normalise(class: PhiClass, s: &str) -> String {
    match class {
        PhiClass::Phone
        | PhiClass::Fax
        | PhiClass::Ssn
        | PhiClass::Account
        | PhiClass::Mrn
        | PhiClass::HealthPlan => s.chars().filter(char::is_ascii_alphanumeric).collect(),
        PhiClass::Email | PhiClass::Url | PhiClass::Name | PhiClass::City => s.to_lowercase(),
        _ => s.to_owned(),
    }
}

/// Pseudo-random numbers from a digest, extended by re-hashing when used up.
struct Stream {
    block: [u8; 32],
    at: usize,
}

impl Stream {
    fn new(block: [u8; 32]) -> Stream {
        Stream { block, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        if self.at == self.block.len() {
            self.block = crate::key::derive(&self.block, b"more");
            self.at = 0;
        }
        self.at += 1;
        self.block[self.at - 1]
    }

    fn below(&mut self, n: usize) -> usize {
        let v = u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()]);
        usize::try_from(v).unwrap_or(0) % n.max(1)
    }
}

/// Same shape: digits for digits, letters for letters in the same case, separators kept.
fn shape(s: &str, stream: &mut Stream, hex_only: bool) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from(b'0' + (stream.byte() % 10))
            } else if hex_only && c.is_ascii_hexdigit() {
                let v = stream.byte() % 16;
                let h = char::from_digit(u32::from(v), 16).unwrap_or('0');
                if c.is_ascii_uppercase() {
                    h.to_ascii_uppercase()
                } else {
                    h
                }
            } else if c.is_ascii_uppercase() {
                char::from(b'A' + stream.byte() % 26)
            } else if c.is_ascii_lowercase() {
                char::from(b'a' + stream.byte() % 26)
            } else if c.is_numeric() {
                // Arabic-Indic, full-width… digits become ASCII ones: never kept as they were.
                char::from(b'0' + (stream.byte() % 10))
            } else if c.is_alphabetic() {
                'x'
            } else {
                c
            }
        })
        .collect()
}

fn looks_hex(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'))
}

fn like_case(word: &str, like: &str) -> String {
    if like
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
        && like.chars().count() > 1
    {
        return word.to_uppercase();
    }
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
