//! Support code that generated domain crates call. Not a public API: it may change with any
//! release of the generator, which is always released together with this crate.

use std::fmt;
use std::sync::LazyLock;

pub use regex::Regex;
pub use serde;
pub use serde_json;

use crate::result::{Evidence, Issue};
use crate::trace::{TextField, Trace};

/// A lazily compiled regex, as generated extractors declare them.
pub type LazyRegex = LazyLock<Regex>;

/// Compiles a pattern the generator has already validated.
///
/// The generator compiles every pattern with the same `regex` version at generation time, so
/// this cannot fail for generated code; should it ever, the regex matches nothing rather than
/// panicking on a production trace.
pub fn compile_checked_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| never_matching_regex())
}

fn never_matching_regex() -> Regex {
    // `[^\s\S]` is a valid character class that matches no character.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"[^\s\S]").unwrap()
}

/// Reads a trace's `domain_data` into the domain's generated data type. Absent data reads as
/// an empty object (optional fields absent, required ones reported); a value of the wrong shape
/// gives an error naming the field path, without repeating the value.
pub fn read_domain_data<T>(trace: &Trace) -> Result<T, String>
where
    T: for<'de> serde::Deserialize<'de>,
{
    // No data is an empty object: optional fields are absent, required ones are reported.
    let empty = serde_json::Value::Object(serde_json::Map::new());
    let value = match &trace.domain_data {
        None | Some(serde_json::Value::Null) => &empty,
        Some(value) => value,
    };
    // The fast path; only a failure pays for tracking the path to the offending field.
    if let Ok(data) = T::deserialize(value) {
        return Ok(data);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let detail = crate::redact_quoted(&e.inner().to_string());
        if path == "." {
            format!("domain_data: {detail}")
        } else {
            format!("domain_data.{path}: {detail}")
        }
    })
}

/// A count, an index or a whole number, as the `f64` every number is in spec expressions.
pub fn num<T: Into<Number>>(value: T) -> f64 {
    value.into().0
}

/// A number of the expression language (an `f64`), made from integer types without `as` casts
/// in generated code.
pub struct Number(f64);

impl From<usize> for Number {
    fn from(v: usize) -> Number {
        Number(v as f64)
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Number {
        Number(v as f64)
    }
}

/// Deserialises a list, taking `null` as the empty list (a spec's lists are never missing).
pub fn list_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(<Option<Vec<T>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// Deserialises a list of whole numbers (a spec's `list<int>`) as `f64`s, rejecting fractions.
pub fn whole_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let values = list_or_null::<D, f64>(d)?;
    match values.iter().find(|v| v.fract() != 0.0 || !v.is_finite()) {
        Some(_) => Err(serde::de::Error::custom(
            "expected whole numbers (the field is list<int>)",
        )),
        None => Ok(values),
    }
}

/// Finds the row of a table whose key is `needle`, without regard to case. `keys` holds every
/// row's key in lowercase, sorted, in the order of `rows`.
pub fn find_row<R>(
    rows: &'static [R],
    keys: &'static [&'static str],
    needle: &str,
) -> Option<&'static R> {
    let mut buf = [0u8; 64];
    let owned;
    let lowered: &[u8] = if !needle.is_ascii() {
        owned = needle.to_lowercase();
        owned.as_bytes()
    } else if let Some(slot) = buf.get_mut(..needle.len()) {
        slot.copy_from_slice(needle.as_bytes());
        slot.make_ascii_lowercase();
        slot
    } else {
        owned = needle.to_ascii_lowercase();
        owned.as_bytes()
    };
    keys.binary_search_by(|k| k.as_bytes().cmp(lowered))
        .ok()
        .and_then(|i| rows.get(i))
}

/// The row an alias names: `aliases` are (lowercase alias, row index), sorted by alias.
pub fn find_alias<R>(
    rows: &'static [R],
    aliases: &'static [(&'static str, usize)],
    needle: &str,
) -> Option<&'static R> {
    let lowered = needle.to_lowercase();
    aliases
        .binary_search_by(|(a, _)| a.cmp(&lowered.as_str()))
        .ok()
        .and_then(|i| aliases.get(i))
        .and_then(|(_, row)| rows.get(*row))
}

/// The text of `text` that a match over `text` in ASCII lowercase covers (the same bytes).
pub fn slice<'t>(text: &'t str, m: regex::Match<'_>) -> &'t str {
    text.get(m.range()).unwrap_or("")
}

/// The most matches an extractor keeps from one text: enough for any real answer, and a bound
/// on the work of rules over pairs of matches on adversarial input.
pub const MAX_MATCHES: usize = 1_000;

/// The most evidence one issue keeps when repeats of it are merged.
pub const MAX_EVIDENCE: usize = 16;

/// Adds an issue, merging it into an earlier one with the same validator and message (its
/// evidence is added, up to [`MAX_EVIDENCE`]): a finding repeated over many matches is one issue.
pub fn push_issue(issues: &mut Vec<Issue>, issue: Issue) {
    match issues
        .iter_mut()
        .find(|i| i.validator == issue.validator && i.message == issue.message)
    {
        Some(earlier) => {
            for e in issue.evidence {
                if earlier.evidence.len() >= MAX_EVIDENCE {
                    break;
                }
                if !earlier.evidence.contains(&e) {
                    earlier.evidence.push(e);
                }
            }
        }
        None => issues.push(issue),
    }
}

/// Evidence for bytes `start..end` of a text field.
pub fn span(field: TextField, start: usize, end: usize) -> Evidence {
    Evidence::Span { field, start, end }
}

/// Evidence for a field of the structured data.
pub fn field(path: &str) -> Evidence {
    Evidence::Field {
        path: path.to_owned(),
    }
}

/// Kleene AND over unknown (`None`) truth values: false wins, then unknown.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene OR over unknown (`None`) truth values: true wins, then unknown.
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Whether two strings are equal without regard to case.
pub fn iequals(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || (!(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase())
}

/// Whether `text` names `word` — a word or phrase — as whole words, without regard to case:
/// `mentions("apixaban (Eliquis) 5 mg", "eliquis")` holds, `mentions("aspirinate", "aspirin")`
/// does not. An empty `word` is mentioned nowhere.
pub fn mentions(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    // Rules call this in loops over tables and lists: ASCII, the usual case, allocates nothing.
    if text.is_ascii() && word.is_ascii() {
        let (t, w) = (text.as_bytes(), word.as_bytes());
        let boundary = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
        return t.windows(w.len()).enumerate().any(|(i, window)| {
            window.eq_ignore_ascii_case(w)
                && boundary(i.checked_sub(1).and_then(|j| t.get(j)))
                && boundary(t.get(i + w.len()))
        });
    }
    let text = text.to_lowercase();
    let word = word.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|t| t.find(&word)) {
        let start = from + at;
        let end = start + word.len();
        let before = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let after = text[end..].chars().next().is_none_or(|c| !is_word(c));
        if before && after {
            return true;
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether `haystack` contains `needle` without regard to case.
pub fn icontains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Parses a number as written in text: `1,000` and `12,500.5` (thousands separators), `2.5`,
/// `.5`, and `1,5` (a decimal comma: a comma not followed by exactly three digits).
pub fn parse_number(text: &str) -> Option<f64> {
    if let Ok(v) = text.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let text = text.trim();
    let integer = text.split('.').next().unwrap_or("");
    let groups: Vec<&str> = integer.split(',').collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    let cleaned: String = if thousands {
        text.chars().filter(|c| *c != ',').collect()
    } else {
        text.replacen(',', ".", 1)
    };
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Converts an amount of a mass unit to milligrams; `None` for units that are not a mass.
pub fn to_mg(amount: f64, unit: &str) -> Option<f64> {
    let factor = match unit.trim().to_ascii_lowercase().trim_end_matches('.') {
        "mg" | "mgs" | "milligram" | "milligrams" => 1.0,
        "mcg" | "ug" | "µg" | "μg" | "microgram" | "micrograms" => 0.001,
        "g" | "gm" | "gram" | "grams" => 1000.0,
        _ => return None,
    };
    Some(amount * factor)
}

/// Converts an amount of a volume unit to millilitres; `None` for units that are not a volume.
pub fn to_ml(amount: f64, unit: &str) -> Option<f64> {
    let factor = match unit.trim().to_ascii_lowercase().trim_end_matches('.') {
        "ml" | "millilitre" | "millilitres" | "milliliter" | "milliliters" | "cc" => 1.0,
        "l" | "litre" | "liter" | "litres" | "liters" => 1000.0,
        "tsp" | "teaspoon" | "teaspoons" | "teaspoonful" | "teaspoonfuls" => 5.0,
        "tbsp" | "tablespoon" | "tablespoons" | "tablespoonful" | "tablespoonfuls" => 15.0,
        _ => return None,
    };
    Some(amount * factor)
}

static EVERY_N_HOURS: LazyLock<Regex> = LazyLock::new(|| {
    compile_checked_regex(
        r"^(?:every|q)\s*(\d+(?:\.\d+)?|one|two|three|four|five|six|eight|twelve|twenty-four)(?:\s*(?:-|to)\s*(?:\d+(?:\.\d+)?|two|three|four|five|six|eight|twelve))?\s*(?:h|hr|hrs|hour|hours)\b",
    )
});
static N_TIMES_A_DAY: LazyLock<Regex> = LazyLock::new(|| {
    compile_checked_regex(
        r"^(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s*(?:-|to)\s*(\d+|one|two|three|four|five|six))?\s*(?:x|times)\s*(?:a|per|each|every|/)?\s*(?:day|daily|d)\b",
    )
});

fn small_number(word: &str) -> Option<f64> {
    let n = match word {
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "twenty-four" => 24.0,
        digits => digits.parse().ok()?,
    };
    Some(n)
}

/// How many times a day a dosing frequency means: `twice daily` → 2, `q6h` → 4,
/// `every 4-6 hours` → 6 (the shortest interval: the most doses the text allows),
/// `TID` → 3, `3 times a day` → 3, `once weekly` → 1/7. `None` when the text is not a frequency.
pub fn times_per_day(text: &str) -> Option<f64> {
    let lower = text.to_lowercase().replace('.', "");
    let t = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = t.as_str();
    if let Some(c) = EVERY_N_HOURS.captures(t) {
        let hours = small_number(c.get(1)?.as_str())?;
        return (hours > 0.0).then(|| 24.0 / hours);
    }
    if let Some(c) = N_TIMES_A_DAY.captures(t) {
        let high = c.get(2).or(c.get(1))?;
        return small_number(high.as_str());
    }
    let per_day = match t {
        "qd" | "od" | "daily" | "once daily" | "once a day" | "once per day" | "every day"
        | "each day" | "a day" | "per day" | "/day" | "/ day" | "a day total" | "qam" | "qpm"
        | "qhs" | "at bedtime" | "nightly" | "every morning" | "every night" | "every evening"
        | "each morning" | "each night" | "at night" | "in the morning" | "in the evening" => 1.0,
        "bid"
        | "twice daily"
        | "twice a day"
        | "twice per day"
        | "morning and evening"
        | "in the morning and evening"
        | "morning and night"
        | "in the morning and at night" => 2.0,
        "tid" | "thrice daily" => 3.0,
        "qid" => 4.0,
        "every other day" | "qod" | "alternate days" => 0.5,
        "weekly" | "once weekly" | "once a week" | "every week" => 1.0 / 7.0,
        _ => return None,
    };
    Some(per_day)
}

/// A value shown in a validator's message.
pub trait MessageValue {
    /// Writes the value for a person: numbers without needless decimals, absent values as
    /// `unknown`.
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl MessageValue for f64 {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self * 100.0).round() / 100.0;
        if rounded == rounded.trunc() && rounded.abs() < 1e15 {
            write!(f, "{}", rounded as i64)
        } else {
            write!(f, "{rounded}")
        }
    }
}

impl MessageValue for &str {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl MessageValue for bool {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if *self { "yes" } else { "no" })
    }
}

impl MessageValue for crate::result::Severity {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<T: MessageValue> MessageValue for Option<T> {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(v) => v.show(f),
            None => f.write_str("unknown"),
        }
    }
}

/// Wraps a [`MessageValue`] so that `format!` can show it.
pub struct Show<T>(pub T);

impl<T: MessageValue> fmt::Display for Show<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.show(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_are_understood() {
        let cases = [
            ("twice daily", Some(2.0)),
            ("BID", Some(2.0)),
            ("b.i.d.", Some(2.0)),
            ("TID", Some(3.0)),
            ("QID", Some(4.0)),
            ("q6h", Some(4.0)),
            ("q 8 h", Some(3.0)),
            ("every 8 hours", Some(3.0)),
            ("every 4-6 hours", Some(6.0)),
            ("every 4 to 6 hours", Some(6.0)),
            ("3 times a day", Some(3.0)),
            ("three times daily", Some(3.0)),
            ("2-3 times a day", Some(3.0)),
            ("once daily", Some(1.0)),
            ("at bedtime", Some(1.0)),
            ("once weekly", Some(1.0 / 7.0)),
            ("every eight hours", Some(3.0)),
            ("3x/day", Some(3.0)),
            ("four times a day", Some(4.0)),
            ("at night", Some(1.0)),
            ("in the morning and evening", Some(2.0)),
            ("with food", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(times_per_day(text), expected, "{text:?}");
        }
    }

    #[test]
    fn units_convert_to_mg_and_ml() {
        assert_eq!(to_mg(500.0, "mg"), Some(500.0));
        assert_eq!(to_mg(1.5, "g"), Some(1500.0));
        assert_eq!(to_mg(250.0, "mcg"), Some(0.25));
        assert_eq!(to_mg(5.0, "mL"), None);
        assert_eq!(to_ml(2.0, "tsp"), Some(10.0));
        assert_eq!(to_ml(5.0, "mL"), Some(5.0));
        assert_eq!(to_ml(5.0, "mg"), None);
    }

    #[test]
    fn kleene_logic() {
        assert_eq!(and(Some(false), None), Some(false));
        assert_eq!(and(Some(true), None), None);
        assert_eq!(or(Some(true), None), Some(true));
        assert_eq!(or(Some(false), None), None);
    }

    #[test]
    fn numbers_parse_as_written() {
        assert_eq!(parse_number("1,000"), Some(1000.0));
        assert_eq!(parse_number("12,500.5"), Some(12500.5));
        assert_eq!(parse_number("1,5"), Some(1.5));
        assert_eq!(parse_number("0,25"), Some(0.25));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn messages_show_numbers_plainly() {
        assert_eq!(Show(4000.0).to_string(), "4000");
        assert_eq!(Show(0.1 + 0.2).to_string(), "0.3");
        assert_eq!(Show(None::<f64>).to_string(), "unknown");
    }
}

#[cfg(test)]
mod mentions_tests {
    use super::mentions;

    #[test]
    fn a_word_or_phrase_is_mentioned_whole() {
        assert!(mentions("apixaban (Eliquis) 5 mg twice daily", "eliquis"));
        assert!(mentions(
            "Isosorbide Mononitrate 60 mg",
            "isosorbide mononitrate"
        ));
        assert!(mentions("aspirin", "aspirin"));
        assert!(!mentions("aspirinate 5 mg", "aspirin"));
        assert!(!mentions("baspirin", "aspirin"));
        // A later whole occurrence counts after a partial one.
        assert!(mentions("aspirinate or aspirin", "aspirin"));
        assert!(!mentions("anything", ""));
        assert!(mentions("Ärztin Ibuprofen", "ibuprofen"));
    }
}

#[cfg(test)]
mod regex_fallback_tests {
    #[test]
    fn an_invalid_pattern_becomes_a_regex_that_matches_nothing() {
        let re = super::compile_checked_regex("(unclosed");
        assert!(!re.is_match("anything (unclosed at all"));
        assert!(!re.is_match(""));
    }
}

// ---- Tier-3 prompt builders and verdict parsers --------------------------------------------

/// The issues earlier tiers raised, one per line, for a judge's prompt.
pub fn render_issues(issues: &[Issue]) -> String {
    if issues.is_empty() {
        return "(none)".to_owned();
    }
    let mut out = String::new();
    for i in issues {
        out.push_str(&format!(
            "- [{}] {}: {}\n",
            i.severity, i.validator, i.message
        ));
    }
    out
}

/// The texts of an extractor's matches, one per line, for a judge's prompt.
pub fn render_matches<'t>(texts: impl Iterator<Item = &'t str>) -> String {
    let mut out = String::new();
    for t in texts {
        out.push_str("- ");
        out.push_str(t);
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("(none)");
    }
    out
}

/// A trace's retrieved context, numbered, for a judge's prompt.
pub fn render_context(trace: &Trace) -> String {
    if trace.context.is_empty() {
        return "(none)".to_owned();
    }
    let mut out = String::new();
    for (i, doc) in trace.context.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&format!("[{}] {doc}", i + 1));
    }
    out
}

/// The `domain_data` value at a dotted path (the whole data for `""`), as JSON text.
pub fn render_data(trace: &Trace, path: &str) -> String {
    let mut v = trace.domain_data.as_ref();
    if !path.is_empty() {
        for p in path.split('.') {
            v = v.and_then(|v| v.get(p));
        }
    }
    match v {
        None | Some(serde_json::Value::Null) => "(not given)".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}

use crate::judge::VerdictError;
use serde_json::{Map, Value};

fn verdict_error(field: &str, message: impl Into<String>) -> VerdictError {
    VerdictError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The answer as an object with exactly the `fields` of the verdict's schema.
pub fn verdict_object<'v>(
    value: &'v Value,
    fields: &[&str],
) -> Result<&'v Map<String, Value>, VerdictError> {
    let Value::Object(map) = value else {
        return Err(verdict_error("(answer)", "expected a JSON object"));
    };
    if map.keys().any(|k| !fields.contains(&k.as_str())) {
        // The field's name is not repeated: it is the model's text, and goes back to it in the
        // repair request.
        return Err(verdict_error(
            "(answer)",
            format!(
                "has a field that is not in the verdict (expected only {})",
                fields.join(", ")
            ),
        ));
    }
    Ok(map)
}

fn required<'v>(map: &'v Map<String, Value>, field: &str) -> Result<&'v Value, VerdictError> {
    match map.get(field) {
        Some(Value::Null) | None => Err(verdict_error(field, "is missing")),
        Some(v) => Ok(v),
    }
}

/// An `enum(...)` field: the index of its value among `values`.
pub fn verdict_enum(
    map: &Map<String, Value>,
    field: &str,
    values: &[&str],
) -> Result<usize, VerdictError> {
    let v = required(map, field)?;
    let s = v
        .as_str()
        .ok_or_else(|| verdict_error(field, "expected a string"))?;
    let s = s.trim().to_ascii_lowercase();
    values
        .iter()
        .position(|v| *v == s)
        .ok_or_else(|| verdict_error(field, format!("expected one of {}", values.join(", "))))
}

/// A `float` field (an integer is a float too).
pub fn verdict_float(map: &Map<String, Value>, field: &str) -> Result<f64, VerdictError> {
    required(map, field)?
        .as_f64()
        .filter(|f| f.is_finite())
        .ok_or_else(|| verdict_error(field, "expected a number"))
}

/// An `int` field.
pub fn verdict_int(map: &Map<String, Value>, field: &str) -> Result<i64, VerdictError> {
    required(map, field)?
        .as_i64()
        .ok_or_else(|| verdict_error(field, "expected an integer"))
}

/// A `bool` field.
pub fn verdict_bool(map: &Map<String, Value>, field: &str) -> Result<bool, VerdictError> {
    required(map, field)?
        .as_bool()
        .ok_or_else(|| verdict_error(field, "expected true or false"))
}

/// A `string` field.
pub fn verdict_string(map: &Map<String, Value>, field: &str) -> Result<String, VerdictError> {
    required(map, field)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| verdict_error(field, "expected a string"))
}

/// A `list<string>` field.
pub fn verdict_strings(map: &Map<String, Value>, field: &str) -> Result<Vec<String>, VerdictError> {
    let Value::Array(items) = required(map, field)? else {
        return Err(verdict_error(field, "expected a list of strings"));
    };
    items
        .iter()
        .map(|i| {
            i.as_str()
                .map(str::to_owned)
                .ok_or_else(|| verdict_error(field, "expected a list of strings"))
        })
        .collect()
}

/// Whether an optional field is absent (missing or `null`).
pub fn verdict_absent(map: &Map<String, Value>, field: &str) -> bool {
    matches!(map.get(field), None | Some(Value::Null))
}

/// A judge's `applies` for judges that read only what every trace has.
pub fn always_applies(_trace: &Trace) -> bool {
    true
}

/// A judge's `applies` for judges that read `{context}`: only traces with retrieved context.
pub fn has_context(trace: &Trace) -> bool {
    !trace.context.is_empty()
}

/// The math of generated simulators, with NumPy's meaning where Rust's differs.
pub mod sim {
    /// `clamp(x, low, high)`: NumPy's `clip` (never panics, unlike `f64::clamp`).
    pub fn clip(x: f64, low: f64, high: f64) -> f64 {
        x.max(low).min(high)
    }

    /// `mod(a, b)`: floored modulo, the sign of `b` (Python's and NumPy's `%`).
    pub fn floor_mod(a: f64, b: f64) -> f64 {
        let m = a % b;
        if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
            m + b
        } else {
            m
        }
    }

    /// `rem(a, b)`: truncated remainder, the sign of `a` (C's `fmod`, Rust's `%`).
    pub fn trunc_rem(a: f64, b: f64) -> f64 {
        a % b
    }

    /// `sign(x)`: -1, 0 or 1 (NumPy's `sign`; `f64::signum` gives 1 for 0).
    pub fn sign(x: f64) -> f64 {
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            x
        }
    }

    /// `f32(x)`: `x` rounded to the nearest 32-bit float (NumPy's `float32` arithmetic).
    pub fn round_f32(x: f64) -> f64 {
        f64::from(x as f32)
    }

    /// `pow(x, y)`: the C library's `pow`, even for a constant `y` (the compiler would turn
    /// `x^2` into `x * x`, which is not always the same number; NumPy and Python call `pow`).
    pub fn pow(x: f64, y: f64) -> f64 {
        x.powf(std::hint::black_box(y))
    }

    /// `pow32(x, y)`: `pow` in 32-bit floats (`powf`), as NumPy computes a `float32` power.
    pub fn pow32(x: f64, y: f64) -> f64 {
        f64::from((x as f32).powf(std::hint::black_box(y as f32)))
    }
}

/// A spec's `tools` entry as generated code declares it: a tool whose calls' arguments are
/// read as one data group, and the validators that read that group.
#[derive(Debug, Clone, Copy)]
pub struct ToolBinding {
    /// The tool's name, as the agent calls it (`place_order`).
    pub tool: &'static str,
    /// The top-level data group its arguments fill (`order`).
    pub group: &'static str,
    /// Arguments the tool names differently from the group's fields: (argument, field).
    pub renamed: &'static [(&'static str, &'static str)],
    /// The group's fields; other arguments are not the rules' concern and are left out.
    pub fields: &'static [&'static str],
    /// The group's number fields: an argument written as a numeric string is read as a number.
    pub numeric: &'static [&'static str],
    /// Indices into the domain's `VALIDATORS` of the validators that read the group.
    pub validators: &'static [usize],
}

impl ToolBinding {
    fn field_of(&self, argument: &str) -> Option<&'static str> {
        if let Some((_, field)) = self.renamed.iter().find(|(a, _)| *a == argument) {
            return Some(field);
        }
        // A field that is renamed is read only under its argument's name.
        if self.renamed.iter().any(|(_, f)| *f == argument) {
            return None;
        }
        self.fields.iter().copied().find(|f| *f == argument)
    }

    fn argument_of(&self, field: &str) -> String {
        self.renamed
            .iter()
            .find(|(_, f)| *f == field)
            .map_or(field, |(a, _)| a)
            .to_owned()
    }
}

/// The trace's `domain_data` with the binding's group replaced by `call`'s arguments, read
/// into the domain's data type. An error names the call and the argument, never its value.
pub fn data_with_tool_call<T>(
    trace: &Trace,
    binding: &ToolBinding,
    call: &crate::agent::ToolCallAt<'_>,
) -> Result<T, String>
where
    T: for<'de> serde::Deserialize<'de>,
{
    let at = format!("{} (`{}`)", call.path(), binding.tool);
    let serde_json::Value::Object(arguments) = &call.call.arguments else {
        return Err(format!(
            "{at}: its arguments are not a JSON object, so the rules over `{}` cannot read them",
            binding.group
        ));
    };
    let mut group = serde_json::Map::new();
    for (argument, value) in arguments {
        let Some(field) = binding.field_of(argument) else {
            continue;
        };
        let value = match value {
            serde_json::Value::String(s) if binding.numeric.contains(&field) => {
                let s = s.trim();
                let number = match s.parse::<i64>() {
                    Ok(whole) => Some(serde_json::Number::from(whole)),
                    Err(_) => s.parse::<f64>().ok().and_then(serde_json::Number::from_f64),
                };
                number.map_or_else(|| value.clone(), serde_json::Value::Number)
            }
            _ => value.clone(),
        };
        group.insert(field.to_owned(), value);
    }
    let mut data = match &trace.domain_data {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    data.insert(binding.group.to_owned(), serde_json::Value::Object(group));
    let value = serde_json::Value::Object(data);
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let detail = crate::redact_quoted(&e.inner().to_string());
        let prefix = format!("{}.", binding.group);
        if path == binding.group {
            return format!("{at}: {detail}");
        }
        match path.strip_prefix(&prefix) {
            Some(field) => {
                let field = field.split('.').next().unwrap_or(field);
                format!("{at}: argument `{}`: {detail}", binding.argument_of(field))
            }
            None => format!("{at}: domain_data.{path}: {detail}"),
        }
    })
}

/// Says where an issue a validator raised over a tool call's arguments was found: its message
/// names the call, and evidence in the bound group points at the call's arguments.
pub fn locate_tool_issue(
    mut issue: Issue,
    binding: &ToolBinding,
    call: &crate::agent::ToolCallAt<'_>,
) -> Issue {
    let step = call.step;
    issue.message = format!("`{}` call in step {step}: {}", binding.tool, issue.message);
    let prefix = format!("domain_data.{}.", binding.group);
    for e in &mut issue.evidence {
        if let Evidence::Field { path } = e
            && let Some(field) = path.strip_prefix(&prefix)
        {
            let (head, rest) = field.split_once('.').map_or((field, ""), |(h, r)| (h, r));
            let mut located = format!("{}.arguments.{}", call.path(), binding.argument_of(head));
            if !rest.is_empty() {
                located.push('.');
                located.push_str(rest);
            }
            *path = located;
        }
    }
    issue
}
