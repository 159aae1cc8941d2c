//! Streams traces from JSONL (one trace per line) or from a JSON array.
//!
//! Every input line gets exactly one [`Record`]: a trace, or an error naming the line. Blank
//! lines are not traces and are passed over. Memory stays flat whatever the input's size
//! (a JSON array is the exception: it is read whole, so use JSONL for large inputs).

use std::io::{self, BufRead};

use aegis_core::{Trace, redact_quoted};
use serde_json::Value;

/// One item of input.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A trace that parsed.
    Trace {
        /// Its 1-based line (JSONL) or element number (JSON array).
        line: u64,
        /// The trace.
        trace: Box<Trace>,
    },
    /// Input that is not a trace.
    Error {
        /// Its 1-based line (JSONL) or element number (JSON array).
        line: u64,
        /// The trace's `id`, when the line is JSON with one.
        id: Option<String>,
        /// What is wrong, with any quoted input value redacted.
        message: String,
    },
}

/// Reads traces from a buffered reader.
pub struct TraceReader<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    bytes_read: u64,
    array: Option<std::iter::Enumerate<std::vec::IntoIter<Value>>>,
    started: bool,
}

impl<R: BufRead> TraceReader<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        TraceReader {
            reader,
            line: 0,
            buf: Vec::new(),
            bytes_read: 0,
            array: None,
            started: false,
        }
    }

    /// How many bytes of input have been consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// If the input starts with `[`, reads it whole as a JSON array.
    fn start(&mut self) -> io::Result<Option<Record>> {
        self.started = true;
        loop {
            let buf = self.reader.fill_buf()?;
            let Some(&first) = buf.iter().find(|b| !b.is_ascii_whitespace()) else {
                if buf.is_empty() {
                    return Ok(None);
                }
                // Only whitespace so far: keep looking (it is consumed by the line reader).
                let n = buf.len();
                // Count the newlines skipped so that line numbers stay right.
                self.line += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                self.reader.consume(n);
                self.bytes_read += n as u64;
                continue;
            };
            if first != b'[' {
                return Ok(None);
            }
            let mut all = Vec::new();
            self.reader.read_to_end(&mut all)?;
            self.bytes_read += all.len() as u64;
            return match serde_json::from_slice::<Vec<Value>>(&all) {
                Ok(items) => {
                    self.array = Some(items.into_iter().enumerate());
                    Ok(None)
                }
                Err(e) => Ok(Some(Record::Error {
                    line: e.line() as u64,
                    id: None,
                    message: format!(
                        "the input is not a valid JSON array of traces: {}",
                        redact_quoted(&e.to_string())
                    ),
                })),
            };
        }
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        if !self.started
            && let Some(error) = self.start()?
        {
            self.array = Some(Vec::new().into_iter().enumerate());
            return Ok(Some(error));
        }
        if let Some(items) = &mut self.array {
            return Ok(items.next().map(|(i, value)| {
                let line = i as u64 + 1;
                let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
                match serde_json::from_value::<Trace>(value) {
                    Ok(trace) => Record::Trace {
                        line,
                        trace: Box::new(trace),
                    },
                    Err(e) => Record::Error {
                        line,
                        id,
                        message: format!(
                            "element {line} is not a valid trace: {}",
                            redact_quoted(&e.to_string())
                        ),
                    },
                }
            }));
        }
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
                return Ok(Some(Record::Error {
                    line,
                    id: None,
                    message: format!("line {line} is not valid UTF-8"),
                }));
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            return Ok(Some(match serde_json::from_str::<Trace>(text) {
                Ok(trace) => Record::Trace {
                    line,
                    trace: Box::new(trace),
                },
                Err(e) => {
                    let id = serde_json::from_str::<Value>(text)
                        .ok()
                        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
                    let what = if e.is_syntax() || e.is_eof() {
                        "is not valid JSON"
                    } else {
                        "is not a valid trace"
                    };
                    Record::Error {
                        line,
                        id,
                        message: format!("line {line} {what}: {}", redact_quoted(&e.to_string())),
                    }
                }
            }));
        }
    }
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
        assert!(matches!(&r[2], Record::Error { line: 4, id: Some(id), .. } if id == "x"));
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
