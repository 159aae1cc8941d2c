//! Adversarial text families for Tier 0's linear-time checks (`tests/adversarial.rs`) and the
//! benchmark (`examples/phi_adversarial.rs`): each is one unit repeated to the size asked for.

/// `(name, unit)`: the unit is repeated to make the text.
pub const FAMILIES: &[(&str, &str)] = &[
    ("date-slash-run", "01/02/"),
    ("a-dash", "A-"),
    ("a-dash-space", "A- "),
    ("near-miss-iso", "2026-13-45 "),
    ("iso-run", "2026-01-"),
    ("dot-run", "1."),
    ("dash-digit", "1-"),
    ("colon-hex", "a1:"),
    ("phone-shape", "555-"),
    ("phone-spaced", "555 0100 "),
    ("ssn-shape", "512-48-"),
    ("id-shape", "AB12-"),
    ("digit-letter", "a1b2c3"),
    ("letter-digit", "1a"),
    ("digits", "0123456789"),
    ("separators", " ,.;-/#:"),
    ("cap-words", "Smith "),
    ("cap-names", "John Smith Jones Main "),
    ("cap-hyphen", "Mary-"),
    ("cap-comma", "Boston, "),
    ("street", "12 Main St, "),
    ("email-ish", "a.b_c"),
    ("at-run", "a@b."),
    ("url-ish", "www.a"),
    ("name-cue", "my name is "),
    ("title-run", "Dr. "),
    ("json-field", "\"name\": \""),
    ("month-run", "March 1 "),
    (
        "mixed",
        "Pt Jo Ng 01/02/ 555- A-1 2026-13-45 MRN: 12- x@y. ",
    ),
    ("unicode-caps", "Émile-"),
    ("apostrophe", "O'"),
    ("lower-dash", "a-"),
    ("colon-run", "::"),
    ("ipv4-run", "1.2.3.4."),
    ("plate-run", "AB 12 "),
    ("card-shape", "4111 1111 "),
    ("hex-dash", "0123abcd-"),
    ("url-run", "http://a "),
    ("zip-state", "NY 12345 "),
    ("street-prefix", "Via A "),
    ("particle-run", "de la "),
    ("quote-space", "\"name\"    "),
    ("age-run", "95 yo "),
    ("han", "王秀英 "),
    ("hangul", "김민준 "),
    ("long-word", "Supercalifragilistic"),
];

/// `unit` repeated until the text is at least `size` bytes.
pub fn build(unit: &str, size: usize) -> String {
    let mut s = String::with_capacity(size + unit.len());
    while s.len() < size {
        s.push_str(unit);
    }
    s
}
