//! Tier-0 vocabulary: the identifier classes of HIPAA Safe Harbor, what a domain asks Tier 0 to
//! do with them, and [`Sanitized`], the type that marks a trace as having been through Tier 0.
//!
//! Every tier after Tier 0 takes a `&Sanitized<Trace>`; the only ways to make one are to run a
//! [`Sanitizer`](crate::tiers::Sanitizer) over a trace ([`Sanitized::sanitize`]) or to state, for a
//! domain whose spec declares no PHI, that there is nothing to sanitise
//! ([`Sanitized::without_phi`]). Raw text therefore cannot reach Tier 1, the models, the judge,
//! the review queue or a report by accident — except what a sanitiser declares never to be PHI
//! (the built-in one keeps a trace's `model` and the call's own `started_at`/`ended_at`).

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::tiers::Sanitizer;
use crate::trace::Trace;

/// A class of identifier under HIPAA Safe Harbor (45 CFR 164.514(b)(2)) that can occur in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhiClass {
    /// A person's name (given, family, or both).
    Name,
    /// A street address: number, street, unit.
    StreetAddress,
    /// A city, town or county.
    City,
    /// A ZIP or other postal code.
    PostalCode,
    /// A date element more precise than the year (birth, admission, discharge, death…).
    Date,
    /// An age over 89.
    Age,
    /// A telephone number.
    Phone,
    /// A fax number.
    Fax,
    /// An email address.
    Email,
    /// A US Social Security number.
    Ssn,
    /// A medical record number.
    Mrn,
    /// A health-plan beneficiary, member or policy number.
    HealthPlan,
    /// An account number: bank account, IBAN, payment card.
    Account,
    /// A certificate or licence number (driver's licence, DEA, medical licence).
    License,
    /// A vehicle identifier: VIN or licence plate.
    Vehicle,
    /// A device identifier or serial number (IMEI, MAC address, UDI, serial).
    Device,
    /// A web address.
    Url,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A biometric identifier (fingerprint, retina, voiceprint template id).
    Biometric,
    /// Any other unique identifying number or code.
    Id,
}

impl PhiClass {
    /// Every class, in declaration order.
    pub const ALL: [PhiClass; 20] = [
        PhiClass::Name,
        PhiClass::StreetAddress,
        PhiClass::City,
        PhiClass::PostalCode,
        PhiClass::Date,
        PhiClass::Age,
        PhiClass::Phone,
        PhiClass::Fax,
        PhiClass::Email,
        PhiClass::Ssn,
        PhiClass::Mrn,
        PhiClass::HealthPlan,
        PhiClass::Account,
        PhiClass::License,
        PhiClass::Vehicle,
        PhiClass::Device,
        PhiClass::Url,
        PhiClass::IpAddress,
        PhiClass::Biometric,
        PhiClass::Id,
    ];

    /// The class's label as written in specs, reports and redactions (`NAME`, `IP_ADDRESS`).
    pub const fn label(self) -> &'static str {
        match self {
            PhiClass::Name => "NAME",
            PhiClass::StreetAddress => "STREET_ADDRESS",
            PhiClass::City => "CITY",
            PhiClass::PostalCode => "POSTAL_CODE",
            PhiClass::Date => "DATE",
            PhiClass::Age => "AGE",
            PhiClass::Phone => "PHONE",
            PhiClass::Fax => "FAX",
            PhiClass::Email => "EMAIL",
            PhiClass::Ssn => "SSN",
            PhiClass::Mrn => "MRN",
            PhiClass::HealthPlan => "HEALTH_PLAN",
            PhiClass::Account => "ACCOUNT",
            PhiClass::License => "LICENSE",
            PhiClass::Vehicle => "VEHICLE",
            PhiClass::Device => "DEVICE",
            PhiClass::Url => "URL",
            PhiClass::IpAddress => "IP_ADDRESS",
            PhiClass::Biometric => "BIOMETRIC",
            PhiClass::Id => "ID",
        }
    }

    /// The set of every class, as a bit set.
    pub const fn bit(self) -> u32 {
        1 << self as u32
    }
}

impl fmt::Display for PhiClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The error for a label that names no [`PhiClass`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPhiClass;

impl fmt::Display for UnknownPhiClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a PHI class; expected one of ")?;
        for (i, c) in PhiClass::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.label())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownPhiClass {}

impl FromStr for PhiClass {
    type Err = UnknownPhiClass;

    /// Parses a label, case-insensitively (`name`, `IP_ADDRESS`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhiClass::ALL
            .into_iter()
            .find(|c| c.label().eq_ignore_ascii_case(s))
            .ok_or(UnknownPhiClass)
    }
}

/// A set of [`PhiClass`]es. Serialises as the list of its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhiClasses(u32);

impl Serialize for PhiClasses {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(PhiClass::ALL.iter().filter(|c| self.contains(**c)))
    }
}

impl PhiClasses {
    /// No class.
    pub const NONE: PhiClasses = PhiClasses(0);
    /// Every class.
    pub const ALL: PhiClasses = PhiClasses((1 << PhiClass::ALL.len()) - 1);

    /// The set of these classes.
    pub const fn of(classes: &[PhiClass]) -> PhiClasses {
        let mut bits = 0;
        let mut i = 0;
        while i < classes.len() {
            bits |= classes[i].bit();
            i += 1;
        }
        PhiClasses(bits)
    }

    /// Whether the set holds `class`.
    pub const fn contains(self, class: PhiClass) -> bool {
        self.0 & class.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// What Tier 0 puts in place of an identifier it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhiMode {
    /// A consistent, format-preserving pseudonym: the same identifier gives the same pseudonym
    /// under one key; phone numbers stay phone-shaped; dates move by one offset per subject.
    Pseudonymize,
    /// The class label in brackets: `[NAME]`.
    #[default]
    Redact,
    /// The same length of `*`, keeping separators: `***-**-****`.
    Mask,
    /// The class label and a keyed hash: `<NAME:5f2a9c1b07e4d8a3>`; consistent; reversible only by guessing originals with the key in hand.
    Hash,
}

impl PhiMode {
    /// Every mode.
    pub const ALL: [PhiMode; 4] = [
        PhiMode::Pseudonymize,
        PhiMode::Redact,
        PhiMode::Mask,
        PhiMode::Hash,
    ];

    /// The mode's name in specs and on the command line (`pseudonymize`).
    pub const fn name(self) -> &'static str {
        match self {
            PhiMode::Pseudonymize => "pseudonymize",
            PhiMode::Redact => "redact",
            PhiMode::Mask => "mask",
            PhiMode::Hash => "hash",
        }
    }
}

impl FromStr for PhiMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = if s == "pseudonymise" {
            "pseudonymize"
        } else {
            s
        };
        PhiMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown PHI mode `{s}`; expected pseudonymize, redact, mask or hash")
            })
    }
}

/// What a domain's spec asks of Tier 0 (its `phi` section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhiSettings {
    /// The classes to detect.
    pub classes: PhiClasses,
    /// What replaces an identifier.
    pub mode: PhiMode,
    /// The `domain_data` path (`patient.id`) whose value identifies the person a trace is about:
    /// dates of one subject shift by one offset. Without it, the trace id is the subject, and a
    /// trace without an id gets an offset of its own.
    pub subject_field: Option<&'static str>,
    /// What Safe Harbor lets the domain keep of identifiers it otherwise replaces.
    pub keep: PhiKeep,
}

/// What HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)) lets a domain keep of an identifier that
/// Tier 0 otherwise replaces. Both are off unless a spec asks (`phi: { keep: [year, zip3] }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PhiKeep {
    /// The year of a date, paragraph (C) ("all elements of dates (except year)"): `[DATE 2019]`
    /// in `redact` mode, `**/**/2019` in `mask` mode. Pseudonyms shift whole dates, so the
    /// generator refuses it with `pseudonymize` and `hash`.
    pub year: bool,
    /// The first three digits of a US ZIP code, paragraph (B): `627**`, or `000**` where the
    /// three-digit area held 20,000 people or fewer in the 2000 census (HHS's list of 17).
    pub zip3: bool,
}

/// A keyed pseudonym Tier 0 wrote into a trace, and the class of what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pseudonym {
    /// The pseudonym as written in the text.
    pub text: String,
    /// The class of the identifier it replaced.
    pub class: PhiClass,
}

/// How many identifiers Tier 0 replaced in one trace, by class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SanitizeReport {
    /// `(class, count)`, for the classes found, in class order.
    pub replaced: Vec<(PhiClass, usize)>,
    /// The keyed pseudonyms written (each once): what differs from one key to another.
    #[serde(skip)]
    pub pseudonyms: Vec<Pseudonym>,
}

impl SanitizeReport {
    /// Records a keyed pseudonym written in place of an identifier of `class`.
    pub fn pseudonym(&mut self, class: PhiClass, text: &str) {
        if !text.is_empty() && !self.pseudonyms.iter().any(|p| p.text == text) {
            self.pseudonyms.push(Pseudonym {
                text: text.to_owned(),
                class,
            });
        }
    }

    /// Counts one more replaced identifier of `class`.
    pub fn count(&mut self, class: PhiClass) {
        match self.replaced.binary_search_by_key(&class, |(c, _)| *c) {
            Ok(i) => self.replaced[i].1 += 1,
            Err(i) => self.replaced.insert(i, (class, 1)),
        }
    }

    /// Adds `other`'s counts (not its pseudonyms: those belong to one trace).
    pub fn add_counts(&mut self, other: &SanitizeReport) {
        for &(class, n) in &other.replaced {
            match self.replaced.binary_search_by_key(&class, |(c, _)| *c) {
                Ok(i) => self.replaced[i].1 += n,
                Err(i) => self.replaced.insert(i, (class, n)),
            }
        }
    }

    /// Total identifiers replaced.
    pub fn total(&self) -> usize {
        self.replaced.iter().map(|(_, n)| n).sum()
    }
}

/// A value that has been through Tier 0 (or that its domain declares free of PHI). Read it
/// through `Deref`; the only constructors are [`Sanitized::sanitize`] and
/// [`Sanitized::without_phi`] (and [`Sanitized::into_output`], a part of a sanitised trace).
/// A store hands back what it kept through a [`Sanitizer`] of its own that leaves the text as
/// it is (it only ever kept sanitised text), so there is no public door for raw text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sanitized<T>(T);

impl Sanitized<Trace> {
    /// Runs `sanitizer` over the trace with the domain's `settings`.
    pub fn sanitize(
        mut trace: Trace,
        sanitizer: &dyn Sanitizer,
        settings: &PhiSettings,
    ) -> (Sanitized<Trace>, SanitizeReport) {
        let report = sanitizer.sanitize(&mut trace, settings);
        (Sanitized(trace), report)
    }

    /// Marks a trace of a domain whose spec declares that its traces carry no PHI (no `phi`
    /// section, or `detect: none`). The orchestrator calls this only for such domains.
    pub fn without_phi(mut trace: Trace) -> Sanitized<Trace> {
        // Only Tier 0 says what is a pseudonym: a trace's own list would hide its words.
        trace.pseudonyms.clear();
        Sanitized(trace)
    }

    /// The trace as the tiers after Tier 0 read it: every keyed pseudonym Tier 0 wrote
    /// replaced by its class in brackets (`[NAME]`, `[DATE]`), in the text, the context, the
    /// agent's steps and the domain data. Pseudonyms differ from one key to another; their
    /// classes do not, so neither does any verdict, issue or score. Borrowed as it is when
    /// Tier 0 wrote no pseudonym.
    pub fn evaluation_view(&self) -> std::borrow::Cow<'_, Sanitized<Trace>> {
        if self.0.pseudonyms.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut view = self.0.clone();
        // Longest first, so that a pseudonym inside a longer one (`Petrell` in `Yavier
        // Petrell`) is not replaced first.
        let mut pseudonyms = view.pseudonyms.clone();
        pseudonyms.sort_by_key(|p| std::cmp::Reverse(p.text.len()));
        let text = |s: &mut String| {
            if let Some(replaced) = placeholders(s, &pseudonyms) {
                *s = replaced;
            }
        };
        text(&mut view.input);
        text(&mut view.output);
        view.context.iter_mut().for_each(text);
        for step in &mut view.steps {
            text(&mut step.input);
            text(&mut step.output);
            step.documents.iter_mut().for_each(text);
            for call in &mut step.tool_calls {
                json_placeholders(&mut call.arguments, &pseudonyms);
                json_placeholders(&mut call.result, &pseudonyms);
            }
            for value in step.attributes.values_mut() {
                json_placeholders(value, &pseudonyms);
            }
        }
        if let Some(data) = &mut view.domain_data {
            json_placeholders(data, &pseudonyms);
        }
        std::borrow::Cow::Owned(Sanitized(view))
    }

    /// Names the domain that evaluates the trace (`metadata.domain`): a name the service
    /// chose from its own list, not trace text, so the trace stays sanitised.
    pub fn set_domain(&mut self, domain: &str) {
        self.0.metadata.domain = Some(domain.to_owned());
    }

    /// Gives the trace the OpenTelemetry trace id it arrived under, in place of the one Tier 0
    /// left (an id that looks like an identifier is pseudonymised). Such an id is 16 bytes an
    /// SDK drew at random, written as 32 hex digits ([`crate::otel_trace_id`]): it holds no text, and the tools that
    /// traced the application know the trace by it (results exported to them name it).
    /// Anything else is refused (`false`, the trace unchanged), so no text enters this way.
    pub fn set_otel_trace_id(&mut self, id: &str) -> bool {
        match crate::otel_trace_id(id) {
            Some(id) => {
                self.0.id = Some(id);
                true
            }
            None => false,
        }
    }

    /// One trace from sanitised parts of it (a trace that arrives span by span): `merge`
    /// combines them. A plain function, which holds no text of its own to add: the result is
    /// made of sanitised text only.
    pub fn merge(parts: Vec<Sanitized<Trace>>, merge: fn(Vec<Trace>) -> Trace) -> Sanitized<Trace> {
        let mut pseudonyms: Vec<Pseudonym> = Vec::new();
        for p in parts.iter().flat_map(|p| &p.0.pseudonyms) {
            if !pseudonyms.iter().any(|q| q.text == p.text) {
                pseudonyms.push(p.clone());
            }
        }
        let mut whole = merge(parts.into_iter().map(|p| p.0).collect());
        whole.pseudonyms = pseudonyms;
        Sanitized(whole)
    }

    /// The sanitised output text alone: free text (a reviewer's note) is sanitised as the
    /// output of a trace, and stays [`Sanitized`] on its way to the store.
    pub fn into_output(self) -> Sanitized<String> {
        Sanitized(self.0.output)
    }
}

impl<T> Sanitized<T> {
    /// The sanitised value, owned.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// `text` with each whole-word occurrence of a pseudonym (longest first) replaced by its class
/// in brackets; `None` when there is none.
fn placeholders(text: &str, pseudonyms: &[Pseudonym]) -> Option<String> {
    let mut out: Option<String> = None;
    for p in pseudonyms {
        let current = out.as_deref().unwrap_or(text);
        if !current.contains(p.text.as_str()) {
            continue;
        }
        let mut replaced = String::with_capacity(current.len());
        let mut rest = current;
        let mut changed = false;
        while let Some(at) = rest.find(p.text.as_str()) {
            let end = at + p.text.len();
            let before_ok = !rest[..at].ends_with(|c: char| c.is_alphanumeric())
                || !p.text.starts_with(|c: char| c.is_alphanumeric());
            let after_ok = !rest[end..].starts_with(|c: char| c.is_alphanumeric())
                || !p.text.ends_with(|c: char| c.is_alphanumeric());
            replaced.push_str(&rest[..at]);
            if before_ok && after_ok {
                replaced.push('[');
                replaced.push_str(p.class.label());
                replaced.push(']');
                changed = true;
            } else {
                replaced.push_str(&p.text);
            }
            rest = &rest[end..];
        }
        replaced.push_str(rest);
        if changed {
            out = Some(replaced);
        }
    }
    out
}

/// [`placeholders`] over every string of a JSON value.
fn json_placeholders(value: &mut serde_json::Value, pseudonyms: &[Pseudonym]) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(replaced) = placeholders(s, pseudonyms) {
                *s = replaced;
            }
        }
        serde_json::Value::Array(items) => {
            items
                .iter_mut()
                .for_each(|v| json_placeholders(v, pseudonyms));
        }
        serde_json::Value::Object(map) => {
            map.values_mut()
                .for_each(|v| json_placeholders(v, pseudonyms));
        }
        _ => {}
    }
}

/// Nothing is also sanitised: an empty note.
impl Default for Sanitized<String> {
    fn default() -> Self {
        Sanitized(String::new())
    }
}

/// Serialised as the value it holds.
impl<T: Serialize> Serialize for Sanitized<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T> Deref for Sanitized<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> AsRef<T> for Sanitized<T> {
    fn as_ref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_opentelemetry_trace_id_replaces_the_sanitised_one() {
        let mut t = Sanitized::without_phi(Trace {
            id: Some("trace-c647c9612d819935".to_owned()),
            ..Trace::default()
        });
        for text in [
            "John Smith",
            "0512bd13110722311710cf5327ac43",
            "0512bd13110722311710cf5327ac435z",
        ] {
            assert!(!t.set_otel_trace_id(text));
            assert_eq!(t.id.as_deref(), Some("trace-c647c9612d819935"));
        }
        assert!(t.set_otel_trace_id("0512BD13110722311710CF5327AC435A"));
        assert_eq!(t.id.as_deref(), Some("0512bd13110722311710cf5327ac435a"));
    }

    #[test]
    fn labels_round_trip_and_sets_hold_their_members() {
        for c in PhiClass::ALL {
            assert_eq!(c.label().parse::<PhiClass>(), Ok(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap_or_default(),
                format!("\"{}\"", c.label())
            );
            assert!(PhiClasses::ALL.contains(c));
            assert!(!PhiClasses::NONE.contains(c));
        }
        let some = PhiClasses::of(&[PhiClass::Name, PhiClass::Id]);
        assert!(some.contains(PhiClass::Id) && !some.contains(PhiClass::Date));
        assert!("nope".parse::<PhiClass>().is_err());
        assert_eq!(
            serde_json::to_string(&some).unwrap_or_default(),
            r#"["NAME","ID"]"#
        );
        assert_eq!("HASH".parse::<PhiMode>(), Ok(PhiMode::Hash));
    }

    #[test]
    fn reports_count_by_class_in_order() {
        let mut r = SanitizeReport::default();
        r.count(PhiClass::Id);
        r.count(PhiClass::Name);
        r.count(PhiClass::Id);
        assert_eq!(r.replaced, vec![(PhiClass::Name, 1), (PhiClass::Id, 2)]);
        assert_eq!(r.total(), 3);
    }
}
