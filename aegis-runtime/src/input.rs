//! Streams traces from JSONL (one trace per line), a JSON array, or pretty-printed JSON values;
//! and [`JsonLines`], the one reader of JSON lines every command uses (labels, pairs, review
//! imports, lines to sanitise), with one policy: lines are numbered from 1; a line that is not
//! UTF-8 is an error for that line only; a byte-order mark and surrounding white space are not
//! part of a line; blank lines are passed over.
//!
//! Every input line gets exactly one [`Record`]: a trace, or an error naming the line. Blank
//! lines are not traces and are passed over. Memory stays flat whatever the input's size, with
//! two exceptions that are read whole (use JSONL for large inputs): a JSON array, and
//! pretty-printed JSON values (a file whose first line opens an object it does not close).

use std::io::{self, BufRead};

use aegis_core::{Trace, redact_quoted};
use serde_json::Value;

/// One item of input.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A trace that parsed.
    Trace {
        /// Its 1-based line (JSONL, pretty JSON) or element number (JSON array).
        line: u64,
        /// The trace.
        trace: Box<Trace>,
    },
    /// Input that is not a trace.
    Error {
        /// Its 1-based line (JSONL, pretty JSON) or element number (JSON array).
        line: u64,
        /// The trace's `id`, when the input is JSON with one.
        id: Option<String>,
        /// What is wrong, with any quoted input value redacted.
        message: String,
    },
}

/// The non-blank lines of JSON-lines input, numbered from 1, each its text or why it cannot be
/// read (not UTF-8). Streams: memory holds one line at a time.
pub struct JsonLines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    bytes_read: u64,
}

impl<R: BufRead> JsonLines<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::new(),
            bytes_read: 0,
        }
    }

    /// How many bytes of input have been consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next non-blank line: its number, and its text (trimmed, without a byte-order mark)
    /// or why it is not text.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&str, String>)>> {
        loop {
            self.buf.clear();
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.bytes_read += n as u64;
            self.line += 1;
            let line = self.line;
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                return Ok(Some((line, Err(NOT_UTF8.to_owned()))));
            };
            // A byte-order mark (some editors write one) is not part of the line.
            let text = text.trim().trim_start_matches('\u{feff}');
            if text.is_empty() {
                continue;
            }
            // Borrowed again from the buffer, past the checks above.
            let start = text.as_ptr() as usize - self.buf.as_ptr() as usize;
            let text = std::str::from_utf8(&self.buf[start..start + text.len()])
                .map_err(|_| NOT_UTF8.to_owned());
            return Ok(Some((line, text)));
        }
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = io::Result<(u64, Result<String, String>)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_line() {
            Ok(Some((n, text))) => Some(Ok((n, text.map(str::to_owned)))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// What a line that is not UTF-8 is (each caller says which line).
pub const NOT_UTF8: &str = "not UTF-8 text";

/// Parses one JSON line as `T`; the error names what is wrong (syntax, shape, the field at
/// fault) and never repeats a value from the line.
pub fn parse_line<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, T>(&mut de)
        .map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let what = match inner.classify() {
                serde_json::error::Category::Io => "cannot be read",
                serde_json::error::Category::Syntax => "is not valid JSON",
                serde_json::error::Category::Data => "has the wrong shape",
                serde_json::error::Category::Eof => "ends too soon",
            };
            if path == "." || path.is_empty() {
                format!("{what} ({})", serde_detail(&inner))
            } else {
                format!("{what} at `{path}` ({})", serde_detail(&inner))
            }
        })
        .and_then(|v| {
            de.end()
                .map(|()| v)
                .map_err(|e| format!("has more after the JSON value ({})", serde_detail(&e)))
        })
}

/// Reads traces from a buffered reader.
pub struct TraceReader<R> {
    lines: JsonLines<R>,
    /// Records of an input read whole (a JSON array, or pretty-printed JSON values).
    buffered: Option<std::vec::IntoIter<Record>>,
    started: bool,
}

impl<R: BufRead> TraceReader<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        TraceReader {
            lines: JsonLines::new(reader),
            buffered: None,
            started: false,
        }
    }

    /// How many bytes of input have been consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes_read
    }

    /// Looks at the start of the input: a JSON array (`[`) or pretty-printed JSON values (a `{`
    /// whose first line is not a whole value) are read whole; anything else is JSONL.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        loop {
            let buf = self.lines.reader.fill_buf()?;
            let Some(at) = buf.iter().position(|b| !b.is_ascii_whitespace()) else {
                if buf.is_empty() {
                    return Ok(());
                }
                // Only whitespace so far: skip it, counting its lines.
                let n = buf.len();
                self.lines.line += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                self.lines.reader.consume(n);
                self.lines.bytes_read += n as u64;
                continue;
            };
            // A byte-order mark (some editors write one) does not change what the input is.
            let at = if buf[at..].starts_with(b"\xEF\xBB\xBF") {
                at + 3
            } else {
                at
            };
            let whole_document = match buf.get(at).copied().unwrap_or(b' ') {
                b'[' => true,
                // Pretty-printed JSON opens with a line that is just `{`; a JSONL line cut short
                // is still read as JSONL (an error for that line only).
                b'{' => buf[at.min(buf.len())..]
                    .split(|&b| b == b'\n')
                    .next()
                    .is_some_and(|line| line.trim_ascii() == b"{"),
                _ => false,
            };
            if !whole_document {
                return Ok(());
            }
            let mut all = Vec::new();
            self.lines.reader.read_to_end(&mut all)?;
            self.lines.bytes_read += all.len() as u64;
            self.buffered = Some(document_records(&all, self.lines.line + 1).into_iter());
            return Ok(());
        }
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        if !self.started {
            self.start()?;
        }
        if let Some(records) = &mut self.buffered {
            return Ok(records.next());
        }
        Ok(self.lines.next_line()?.map(|(line, text)| match text {
            Ok(text) => line_record(line, text),
            Err(message) => Record::Error {
                line,
                id: None,
                message: format!("line {line}: {message}"),
            },
        }))
    }
}

/// The record of one JSONL line (not blank).
fn line_record(line: u64, text: &str) -> Record {
    match serde_json::from_str::<Trace>(text) {
        Ok(trace) => checked(line, &format!("line {line}"), trace),
        Err(e) => {
            let id = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
            let message = if e.is_syntax() || e.is_eof() {
                format!("line {line} is not valid JSON: {}", serde_detail(&e))
            } else {
                // Only a failure pays for finding the offending field's path.
                let mut de = serde_json::Deserializer::from_str(text);
                match serde_path_to_error::deserialize::<_, Trace>(&mut de) {
                    Err(pe) if pe.path().to_string() != "." => format!(
                        "line {line} is not a valid trace: `{}`: {}",
                        pe.path(),
                        serde_detail(pe.inner())
                    ),
                    _ => format!("line {line} is not a valid trace: {}", serde_detail(&e)),
                }
            };
            Record::Error { line, id, message }
        }
    }
}

/// A serde error without the position it repeats (the record names its line) and with any
/// quoted input value redacted.
fn serde_detail(e: &serde_json::Error) -> String {
    let message = redact_quoted(&e.to_string());
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

/// A parsed trace, unless it has nothing to evaluate (no text and no episode): then an error,
/// since a misspelt `output` would otherwise pass silently.
fn checked(line: u64, what: &str, trace: Trace) -> Record {
    if trace.output.is_empty() && trace.input.is_empty() && trace.episode.is_none() {
        let hint = if trace.extra.is_empty() {
            ""
        } else {
            " (it has fields Aegis does not know: is `output` misspelt?)"
        };
        return Record::Error {
            line,
            id: trace.id,
            message: format!(
                "{what} has nothing to evaluate: no `output`, `input` or `episode`{hint}"
            ),
        };
    }
    Record::Trace {
        line,
        trace: Box::new(trace),
    }
}

/// One record per JSON value of a document read whole: the elements of an array (numbered
/// from 1), or a sequence of pretty-printed values (numbered by the line they start on). An
/// array that is not valid JSON is read as JSONL instead; a broken pretty-printed value is one
/// error, and reading resumes at the next line that opens an object.
fn document_records(all: &[u8], first_line: u64) -> Vec<Record> {
    let all = all.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(all);
    let to_record = |line: u64, what: String, value: Value| {
        let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        match serde_json::from_value::<Trace>(value) {
            Ok(trace) => checked(line, &what, trace),
            Err(e) => Record::Error {
                line,
                id,
                message: format!("{what} is not a valid trace: {}", serde_detail(&e)),
            },
        }
    };
    if all.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return match serde_json::from_slice::<Vec<Value>>(all) {
            Ok(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_record(i as u64 + 1, format!("element {}", i + 1), v))
                .collect(),
            Err(_) => jsonl_records(all, first_line),
        };
    }
    let mut records = Vec::new();
    let mut from = 0;
    'values: while from < all.len() {
        let mut values = serde_json::Deserializer::from_slice(&all[from..]).into_iter::<Value>();
        loop {
            let offset = from + values.byte_offset();
            let skipped = all[offset..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let start = offset + skipped;
            let line = first_line + all[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            match values.next() {
                None => break 'values,
                Some(Ok(v)) => {
                    records.push(to_record(line, format!("the value at line {line}"), v))
                }
                Some(Err(e)) => {
                    records.push(Record::Error {
                        line,
                        id: None,
                        message: format!(
                            "the value at line {line} is not valid JSON: {}",
                            serde_detail(&e)
                        ),
                    });
                    // Resume at the next line that opens an object.
                    let next = all[start + 1..]
                        .windows(2)
                        .position(|w| w == b"\n{")
                        .map(|p| start + 1 + p + 1);
                    match next {
                        Some(n) => {
                            from = n;
                            continue 'values;
                        }
                        None => break 'values,
                    }
                }
            }
        }
    }
    records
}

/// Every non-blank line of `all` as a JSONL record.
fn jsonl_records(all: &[u8], first_line: u64) -> Vec<Record> {
    all.split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, bytes)| {
            let line = first_line + i as u64;
            match std::str::from_utf8(bytes) {
                Err(_) => Some(Record::Error {
                    line,
                    id: None,
                    message: format!("line {line}: {NOT_UTF8}"),
                }),
                Ok(text) => {
                    let text = text.trim().trim_start_matches('\u{feff}');
                    (!text.is_empty()).then(|| line_record(line, text))
                }
            }
        })
        .collect()
}

impl<R: BufRead> Iterator for TraceReader<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> Vec<Record> {
        TraceReader::new(input.as_bytes())
            .collect::<io::Result<Vec<_>>>()
            .unwrap()
    }

    #[test]
    fn every_line_gets_one_record_and_errors_name_their_line() {
        let input = "{\"output\": \"a\"}\n\n{not json}\n{\"id\": \"x\", \"output\": 5}\n{\"output\": \"b\"}";
        let r = records(input);
        assert_eq!(r.len(), 4);
        assert!(matches!(&r[0], Record::Trace { line: 1, .. }));
        assert!(
            matches!(&r[1], Record::Error { line: 3, message, .. } if message.starts_with("line 3 is not valid JSON"))
        );
        assert!(
            matches!(&r[2], Record::Error { line: 4, id: Some(id), message } if id == "x" && message.contains("`output`"))
        );
        assert!(matches!(&r[3], Record::Trace { line: 5, .. }));
    }

    #[test]
    fn error_messages_do_not_repeat_input_values() {
        let r = records("{\"output\": \"ok\", \"model\": {\"name\": \"Jane Doe 555-0100\"}}\n");
        let Record::Error { message, .. } = &r[0] else {
            panic!("expected an error")
        };
        assert!(!message.contains("Jane"), "{message}");
    }

    #[test]
    fn a_json_array_is_read_element_by_element() {
        let r = records("  [{\"output\": \"a\"}, {\"output\": 1}, {\"output\": \"c\"}]");
        assert_eq!(r.len(), 3);
        assert!(matches!(&r[1], Record::Error { line: 2, .. }));
    }

    #[test]
    fn pretty_printed_values_are_read_whole_with_their_lines() {
        let input = "{\n  \"id\": \"a\",\n  \"output\": \"x\"\n}\n\n{\n  \"output\": 3\n}\n{ \"output\": \"c\" }\n";
        let r = records(input);
        assert_eq!(r.len(), 3);
        assert!(
            matches!(&r[0], Record::Trace { line: 1, trace } if trace.id.as_deref() == Some("a"))
        );
        assert!(matches!(&r[1], Record::Error { line: 6, .. }));
        assert!(matches!(&r[2], Record::Trace { line: 9, .. }));
    }

    #[test]
    fn a_cut_first_line_is_one_error_and_a_bom_is_ignored() {
        let r = records("{\"output\": \"a\n{\"output\": \"b\"}\n\u{feff}{\"output\": \"c\"}\n");
        assert_eq!(r.len(), 3);
        assert!(matches!(&r[0], Record::Error { line: 1, .. }));
        assert!(matches!(&r[1], Record::Trace { line: 2, .. }));
        assert!(matches!(&r[2], Record::Trace { line: 3, .. }));
    }

    #[test]
    fn broken_documents_lose_nothing() {
        // A first line `[]` followed by JSONL: read as JSONL.
        let r = records("[]\n{\"output\": \"a\"}\n{\"output\": \"b\"}\n");
        assert_eq!(r.len(), 3);
        assert!(matches!(&r[1], Record::Trace { line: 2, .. }));
        // A pretty-printed file with a broken value: later values are still read.
        let input =
            "{\n  \"output\": \"a\"\n}\n{\n  \"output\": oops\n}\n{\n  \"output\": \"c\"\n}\n";
        let r = records(input);
        assert_eq!(r.len(), 3, "{r:?}");
        assert!(matches!(&r[1], Record::Error { line: 4, .. }));
        assert!(matches!(&r[2], Record::Trace { line: 7, .. }));
        // A byte-order mark before an array.
        let r = records("\u{feff}[{\"output\": \"a\"}]");
        assert!(matches!(&r[..], [Record::Trace { line: 1, .. }]));
    }

    #[test]
    fn a_trace_with_nothing_to_evaluate_is_an_error() {
        let r = records("{}\n{\"Output\": \"Take 10000 mg\"}\n");
        assert!(
            matches!(&r[0], Record::Error { message, .. } if message.contains("nothing to evaluate"))
        );
        assert!(matches!(&r[1], Record::Error { message, .. } if message.contains("misspelt")));
    }

    #[test]
    fn invalid_utf8_is_an_error_for_its_line_only() {
        let mut input = b"{\"output\": \"a\"}\n".to_vec();
        input.extend_from_slice(&[0xff, 0xfe, b'\n']);
        input.extend_from_slice(b"{\"output\": \"c\"}\n");
        let r: Vec<Record> = TraceReader::new(&input[..])
            .collect::<io::Result<_>>()
            .unwrap();
        assert_eq!(r.len(), 3);
        assert!(matches!(&r[1], Record::Error { line: 2, .. }));
    }
}
