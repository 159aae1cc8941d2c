//! JSON lines of any typed record (labels, transfer pairs, queries), read through the runtime's
//! one reader ([`aegis_runtime::input::JsonLines`]) with its one policy: a bad line is an error
//! naming its number (never its content: it may hold PHI), and the other lines are kept.

use std::io::BufRead;

use aegis_runtime::input::{JsonLines, parse_line};
use serde::de::DeserializeOwned;

use crate::AppError;

/// A line that could not be used: its number, and what is wrong (never what it holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The 1-based line.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What [`read_all`] read: each good line with its number, and the bad ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Read<T> {
    /// `(line, item)` for every line that is a `T`.
    pub good: Vec<(u64, T)>,
    /// The lines that are not.
    pub bad: Vec<LineError>,
}

/// Every line of `reader` as `T`, with its number; the lines that are not a `T` as errors.
/// `name` names the input in a read error.
pub fn read_all<T: DeserializeOwned>(
    reader: impl BufRead,
    name: &str,
) -> Result<Read<T>, AppError> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for_each_line(reader, name, |line, text| match text {
        Ok(text) => match parse_line::<T>(text) {
            Ok(item) => good.push((line, item)),
            Err(message) => bad.push(LineError { line, message }),
        },
        Err(message) => bad.push(LineError { line, message }),
    })?;
    Ok(Read { good, bad })
}

/// Calls `each` with every non-blank line of `reader`: its number, and its text or why it is
/// not text. `name` names the input in a read error.
pub fn for_each_line(
    reader: impl BufRead,
    name: &str,
    mut each: impl FnMut(u64, Result<&str, String>),
) -> Result<(), AppError> {
    let mut lines = JsonLines::new(reader);
    while let Some((line, text)) = lines.next_line().map_err(|source| AppError::Io {
        context: format!("cannot read {name}"),
        source,
    })? {
        each(line, text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Pair {
        a: f64,
    }

    #[test]
    fn bad_lines_are_named_and_the_rest_kept() {
        let input =
            b"\xEF\xBB\xBF{\"a\": 1}\n\n{\"a\": \"Margaret\"}\nnot json\n\xff\xfe\n{\"a\": 2}  \n";
        let Read { good, bad } = read_all::<Pair>(&input[..], "t").unwrap();
        assert_eq!(good, vec![(1, Pair { a: 1.0 }), (6, Pair { a: 2.0 })]);
        let lines: Vec<u64> = bad.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(
            bad.iter().all(|e| !e.message.contains("Margaret")),
            "{bad:?}"
        );
        assert!(bad[0].message.contains("`a`"), "{}", bad[0]);
        assert!(bad[2].message.contains("UTF-8"), "{}", bad[2]);
    }
}
