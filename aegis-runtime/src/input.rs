//! Streams traces from JSONL (one trace per line), JSON arrays, or pretty-printed JSON values;
//! and [`JsonLines`], the one reader of JSON lines every command uses (labels, pairs, review
//! imports, lines to sanitise), with one policy: lines are numbered from 1 and end at `\n`,
//! `\r\n` or a lone `\r`; a line that is not UTF-8 is an error for that line only; a byte-order
//! mark and surrounding white space are not part of a line; blank lines are passed over.
//!
//! Every input line (JSONL), value (pretty-printed JSON) or element (JSON array) gets exactly
//! one [`Record`]: a trace, or an error naming where it is. Blank lines are not traces and are
//! passed over. Every form streams in one pass: memory holds one line, value or element at a
//! time, whatever the input's size. [`TraceReader`] tells the forms apart by the start of the
//! input:
//!
//! * **A JSON array** (the first non-blank byte is `[`): read element by element. A byte-level
//!   scanner (depth, strings, escapes) finds each element's bounds; serde reads its bytes. An
//!   element that is not a trace is an error for that element only: reading resumes at the next
//!   `,` outside strings at the array's depth, or at a line that starts a new object or array
//!   where the broken element cannot continue (a value cut short; a comma left out between two
//!   whole elements costs nothing). An array cut short ends with one error naming the line.
//!   After the closing `]`, the rest of the input is read afresh (another array, or JSONL).
//!   Records carry the element's number; messages name the line it starts on.
//! * **Pretty-printed JSON values** (the first line is just `{`): JSONL in which a line that
//!   opens an object it does not close continues on the following lines until the object
//!   closes, or until a line that starts an object where the open one cannot continue: that
//!   line starts the next value and the open one is an error.
//! * **JSONL**: anything else.
//!
//! A stray first line is an error for that line and the rest is still read: a lone `{` ends at
//! the next line that opens an object; a lone `[` (or `[]`) followed by lines that are not
//! comma-separated elements makes the input JSONL from its first line (the `[` line an error).

use std::collections::VecDeque;
use std::io::{self, BufRead};

use aegis_core::{Trace, redact_quoted};
use serde_json::Value;

/// One item of input.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A trace that parsed.
    Trace {
        /// Its 1-based line (JSONL, pretty JSON) or element number (JSON array; its message, if
        /// any, names the line the element starts on).
        line: u64,
        /// The trace.
        trace: Box<Trace>,
    },
    /// Input that is not a trace.
    Error {
        /// Its 1-based line (JSONL, pretty JSON) or element number (JSON array; the message
        /// names the line the element starts on).
        line: u64,
        /// The trace's `id`, when the input is JSON with one.
        id: Option<String>,
        /// What is wrong, with any quoted input value redacted.
        message: String,
    },
}

/// Where reading is: the line breaks consumed so far (the next byte is on line `line + 1`).
#[derive(Debug, Default, Clone, Copy)]
struct Position {
    line: u64,
    /// The last byte consumed was a `\r`: a `\n` right after it ends the same line.
    after_cr: bool,
}

impl Position {
    /// Counts one consumed byte.
    #[inline]
    fn count(&mut self, b: u8) {
        match b {
            b'\n' => {
                if !self.after_cr {
                    self.line += 1;
                }
                self.after_cr = false;
            }
            b'\r' => {
                self.line += 1;
                self.after_cr = true;
            }
            _ => self.after_cr = false,
        }
    }
}

/// The non-blank lines of JSON-lines input, numbered from 1, each its text or why it cannot be
/// read (not UTF-8). A line ends at `\n`, `\r\n` or a lone `\r`. Streams: memory holds one line
/// at a time.
pub struct JsonLines<R> {
    reader: R,
    pos: Position,
    buf: Vec<u8>,
    bytes_read: u64,
    /// Bytes already consumed that begin the next line.
    carry: Vec<u8>,
}

/// `reader`'s buffered bytes (empty at the end of the input), retrying when interrupted.
fn fill<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    reader.fill_buf()
}

impl<R: BufRead> JsonLines<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            pos: Position::default(),
            buf: Vec::new(),
            bytes_read: 0,
            carry: Vec::new(),
        }
    }

    /// How many bytes of input have been consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Marks `n` buffered bytes as read.
    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.bytes_read += n as u64;
    }

    /// Reads one line into `buf`, without its line break; false at the end of the input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.buf.append(&mut self.carry);
        let mut any = !self.buf.is_empty();
        loop {
            let available = fill(&mut self.reader)?;
            if available.is_empty() {
                return Ok(any);
            }
            // The `\n` of a `\r\n` whose `\r` ended the previous line.
            let start = usize::from(self.pos.after_cr && available[0] == b'\n');
            self.pos.after_cr = false;
            match available[start..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
            {
                Some(i) => {
                    self.buf.extend_from_slice(&available[start..start + i]);
                    self.pos.after_cr = available[start + i] == b'\r';
                    self.consume(start + i + 1);
                    return Ok(true);
                }
                None => {
                    let n = available.len();
                    self.buf.extend_from_slice(&available[start..]);
                    any |= n > start;
                    self.consume(n);
                }
            }
        }
    }

    /// The next non-blank line: its number, and its text (trimmed, without a byte-order mark)
    /// or why it is not text.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&str, String>)>> {
        loop {
            self.buf.clear();
            if !self.read_line()? {
                return Ok(None);
            }
            self.pos.line += 1;
            let line = self.pos.line;
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

/// JSON's white space.
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `bytes` without the white space around it.
fn trim_space(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a scan for a value's end stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The value closed (a pretty-printed value; the closing byte is kept).
    Closed,
    /// A `,` at the array's depth (an element's end; consumed, not kept).
    Comma,
    /// The `]` that closes the array (consumed, not kept).
    Close,
    /// A line that starts an object or array where the open value cannot continue (a comma
    /// left out, a value cut short): the next value starts there. Not consumed.
    Break,
    /// The end of the input.
    Eof,
}

/// Finds value bounds in one pass over the bytes, without parsing them: the open objects and
/// arrays, whether the scan is in a string (and after a `\`), and the last byte outside strings
/// that is not white space (which tells whether a `{` or `[` may follow).
#[derive(Debug, Default)]
struct Scan {
    /// The open `{` and `[`, innermost last.
    open: Vec<u8>,
    /// How many of `open` are `{`, and how many `[` (so that a closer finds its opener in
    /// constant time).
    objects: usize,
    arrays: usize,
    in_string: bool,
    escape: bool,
    /// The last byte outside strings that is not white space (`"` for a string); 0 before the
    /// value's first byte.
    prev: u8,
    /// Only white space since the last line break.
    line_start: bool,
    /// The line of the value's first byte (0 before it).
    first_line: u64,
}

impl Scan {
    /// Whether the scan stopped inside a string, object or array.
    fn is_open(&self) -> bool {
        self.in_string || !self.open.is_empty()
    }

    /// Closes the innermost open `opener` and whatever is open inside it (a closer left out);
    /// a closer with nothing of its kind open is passed over (serde will say what is wrong).
    fn close(&mut self, opener: u8) {
        let count = if opener == b'{' {
            self.objects
        } else {
            self.arrays
        };
        if count == 0 {
            return;
        }
        while let Some(o) = self.open.pop() {
            if o == b'{' {
                self.objects -= 1;
            } else {
                self.arrays -= 1;
            }
            if o == opener {
                break;
            }
        }
    }

    /// Reads the bytes of one value (kept in `out`) up to where it ends: for an array's element
    /// (`in_array`), a `,` or `]` outside the element; otherwise, the close of the value's
    /// outermost object or array. Either way, a line that starts an object or array where the
    /// value cannot continue ends it. One pass; each byte is looked at once.
    fn run<R: BufRead>(
        &mut self,
        lines: &mut JsonLines<R>,
        in_array: bool,
        out: &mut Vec<u8>,
    ) -> io::Result<End> {
        loop {
            let buf = fill(&mut lines.reader)?;
            if buf.is_empty() {
                return Ok(End::Eof);
            }
            let pos = &mut lines.pos;
            // Bytes `..keep` belong to the value; bytes `..used` are consumed.
            let (mut keep, mut used) = (buf.len(), buf.len());
            let mut end = None;
            let mut i = 0;
            while i < buf.len() {
                if self.in_string {
                    // Straight to the next byte that matters inside a string.
                    let Some(at) = buf[i..]
                        .iter()
                        .position(|&b| matches!(b, b'"' | b'\\' | b'\n' | b'\r'))
                    else {
                        if i < buf.len() {
                            pos.after_cr = false;
                            self.escape = false;
                        }
                        break;
                    };
                    if at > 0 {
                        pos.after_cr = false;
                        self.escape = false;
                        i += at;
                    }
                    let b = buf[i];
                    if b == b'\n' || b == b'\r' {
                        // A line break cannot be inside a string: the string was cut short.
                        self.in_string = false;
                        self.escape = false;
                        pos.count(b);
                        self.line_start = true;
                    } else {
                        pos.after_cr = false;
                        if self.escape {
                            self.escape = false;
                        } else if b == b'\\' {
                            self.escape = true;
                        } else {
                            self.in_string = false;
                        }
                    }
                    i += 1;
                    continue;
                }
                let b = buf[i];
                match b {
                    b' ' | b'\t' => pos.after_cr = false,
                    b'\n' | b'\r' => {
                        pos.count(b);
                        self.line_start = true;
                    }
                    _ => {
                        if self.first_line == 0 {
                            self.first_line = pos.line + 1;
                        }
                        match b {
                            b'{' | b'[' => {
                                if self.line_start
                                    && self.prev != 0
                                    && !matches!(self.prev, b',' | b':' | b'[')
                                {
                                    end = Some(End::Break);
                                    (keep, used) = (i, i);
                                    break;
                                }
                                self.open.push(b);
                                if b == b'{' {
                                    self.objects += 1;
                                } else {
                                    self.arrays += 1;
                                }
                            }
                            b'}' | b']' => {
                                if in_array && b == b']' && self.open.is_empty() {
                                    end = Some(End::Close);
                                    (keep, used) = (i, i + 1);
                                    pos.after_cr = false;
                                    break;
                                }
                                self.close(if b == b'}' { b'{' } else { b'[' });
                                if !in_array && self.open.is_empty() {
                                    end = Some(End::Closed);
                                    (keep, used) = (i + 1, i + 1);
                                    pos.after_cr = false;
                                    break;
                                }
                            }
                            b',' if in_array && self.open.is_empty() => {
                                end = Some(End::Comma);
                                (keep, used) = (i, i + 1);
                                pos.after_cr = false;
                                break;
                            }
                            b'"' => self.in_string = true,
                            _ => {}
                        }
                        pos.after_cr = false;
                        self.prev = b;
                        self.line_start = false;
                    }
                }
                i += 1;
            }
            out.extend_from_slice(&buf[..keep]);
            lines.consume(used);
            if let Some(end) = end {
                return Ok(end);
            }
        }
    }
}

/// Consumes white space, counting its lines (and appending it to `kept`, if given); the next
/// byte (not consumed), or `None` at the end of the input.
fn skip_space<R: BufRead>(
    lines: &mut JsonLines<R>,
    mut kept: Option<&mut Vec<u8>>,
) -> io::Result<Option<u8>> {
    loop {
        let buf = fill(&mut lines.reader)?;
        if buf.is_empty() {
            return Ok(None);
        }
        let n = buf.iter().position(|&b| !is_space(b)).unwrap_or(buf.len());
        for &b in &buf[..n] {
            lines.pos.count(b);
        }
        if let Some(kept) = kept.as_deref_mut() {
            kept.extend_from_slice(&buf[..n]);
        }
        let next = buf.get(n).copied();
        lines.consume(n);
        if next.is_some() {
            return Ok(next);
        }
    }
}

/// Appends the rest of the current line to `out`, leaving its line break.
fn rest_of_line<R: BufRead>(lines: &mut JsonLines<R>, out: &mut Vec<u8>) -> io::Result<()> {
    loop {
        let buf = fill(&mut lines.reader)?;
        if buf.is_empty() {
            return Ok(());
        }
        let (n, done) = match buf.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(n) => (n, true),
            None => (buf.len(), false),
        };
        out.extend_from_slice(&buf[..n]);
        if n > 0 {
            lines.pos.after_cr = false;
        }
        lines.consume(n);
        if done {
            return Ok(());
        }
    }
}

/// Reads traces from a buffered reader: JSONL, JSON arrays or pretty-printed JSON values (see
/// the [module](self) documentation), streaming every form.
pub struct TraceReader<R> {
    lines: JsonLines<R>,
    form: Form,
    /// Records found and not yet handed out.
    ready: VecDeque<Record>,
    /// The bytes of the value being read.
    value: Vec<u8>,
}

/// The form of the input being read.
enum Form {
    /// At the start, or after an array: the next non-blank byte tells.
    Start,
    /// JSONL.
    Lines,
    /// Pretty-printed JSON values.
    Values,
    /// A JSON array.
    Array(Array),
    /// At the end.
    Done,
}

/// A JSON array being read.
struct Array {
    /// The line of its `[`.
    line: u64,
    /// Elements read so far.
    elements: u64,
    /// Until its first element is followed by `,` (or the array closes after it), the input may
    /// be JSONL after a stray `[`: everything read since the `[`, to be read again as JSONL if
    /// the first element is followed by anything else.
    unsure: Option<Vec<u8>>,
}

impl<R: BufRead> TraceReader<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        TraceReader {
            lines: JsonLines::new(reader),
            form: Form::Start,
            ready: VecDeque::new(),
            value: Vec::new(),
        }
    }

    /// How many bytes of input have been consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes_read
    }

    /// Looks at the next non-blank byte: `[` opens a JSON array; a line that is just `{` opens
    /// pretty-printed JSON values; anything else is JSONL.
    fn start(&mut self) -> io::Result<()> {
        let Some(first) = skip_space(&mut self.lines, None)? else {
            self.form = Form::Done;
            return Ok(());
        };
        if first == BOM[0] {
            // A byte-order mark (some editors write one) does not change what the input is. It
            // may straddle two buffers: its bytes are taken one at a time.
            let mut seen = Vec::new();
            for &want in BOM {
                if fill(&mut self.lines.reader)?.first() != Some(&want) {
                    break;
                }
                seen.push(want);
                self.lines.consume(1);
            }
            self.lines.pos.after_cr = false;
            if seen != BOM {
                // Not a mark: the start of a JSONL line (which is not JSON).
                self.lines.carry = seen;
                self.form = Form::Lines;
            }
            return Ok(());
        }
        let buf = fill(&mut self.lines.reader)?;
        self.form = match first {
            b'[' => {
                self.lines.pos.after_cr = false;
                self.lines.consume(1);
                Form::Array(Array {
                    line: self.lines.pos.line + 1,
                    elements: 0,
                    unsure: Some(b"[".to_vec()),
                })
            }
            // Pretty-printed JSON opens with a line that is just `{`; a JSONL line cut short is
            // still read as JSONL (an error for that line only).
            b'{' if buf[1..]
                .iter()
                .take_while(|&&b| b != b'\n' && b != b'\r')
                .all(|&b| b == b' ' || b == b'\t') =>
            {
                Form::Values
            }
            _ => Form::Lines,
        };
        Ok(())
    }

    /// Reads the next pretty-printed value (or line) into `ready`.
    fn next_value(&mut self) -> io::Result<()> {
        let Some(first) = skip_space(&mut self.lines, None)? else {
            self.form = Form::Done;
            return Ok(());
        };
        let line = self.lines.pos.line + 1;
        self.value.clear();
        let end = if first == b'{' || first == b'[' {
            let end = Scan::default().run(&mut self.lines, false, &mut self.value)?;
            if end == End::Closed {
                // What follows on the closing line belongs to the value (serde will say if it
                // is more than white space), as in JSONL.
                rest_of_line(&mut self.lines, &mut self.value)?;
            }
            end
        } else {
            rest_of_line(&mut self.lines, &mut self.value)?;
            End::Closed
        };
        let bytes = trim_space(&self.value);
        let record = if !bytes.contains(&b'\n') && !bytes.contains(&b'\r') {
            // One line: a JSONL line.
            match std::str::from_utf8(bytes) {
                Ok(text) => line_record(line, text.trim().trim_start_matches('\u{feff}')),
                Err(_) => Record::Error {
                    line,
                    id: None,
                    message: format!("line {line}: {NOT_UTF8}"),
                },
            }
        } else {
            let what = format!("the value at line {line}");
            match end {
                End::Break => Record::Error {
                    line,
                    id: None,
                    message: format!(
                        "{what} is not valid JSON: it is not closed before line {}",
                        self.lines.pos.line + 1
                    ),
                },
                End::Eof => Record::Error {
                    line,
                    id: None,
                    message: format!("{what} is not valid JSON: the input ends inside it"),
                },
                _ => value_record(line, &what, bytes),
            }
        };
        self.ready.push_back(record);
        Ok(())
    }

    /// Reads the next element of the array into `ready`.
    fn next_element(&mut self) -> io::Result<()> {
        let Form::Array(array) = &mut self.form else {
            return Ok(());
        };
        self.value.clear();
        let mut scan = Scan::default();
        let end = scan.run(&mut self.lines, true, &mut self.value)?;
        let blank = trim_space(&self.value).is_empty();
        if let Some(unsure) = &mut array.unsure {
            unsure.extend_from_slice(&self.value);
            let stray = match end {
                // `[]`: an empty array, unless more follows it.
                End::Close if blank => {
                    unsure.push(b']');
                    if skip_space(&mut self.lines, Some(unsure))?.is_none() {
                        self.form = Form::Done;
                        return Ok(());
                    }
                    true
                }
                End::Comma | End::Close => false,
                End::Break | End::Eof | End::Closed => true,
            };
            if stray {
                // Not an array: a stray first line, then JSONL.
                let mut unsure = array.unsure.take().unwrap_or_default();
                rest_of_line(&mut self.lines, &mut unsure)?;
                self.ready.extend(jsonl_records(&unsure, array.line));
                self.form = Form::Start;
                return Ok(());
            }
            array.unsure = None;
        }
        let k = array.elements + 1;
        let here = self.lines.pos.line + 1;
        let line = if scan.first_line == 0 {
            here
        } else {
            scan.first_line
        };
        let what = format!("element {k} (line {line})");
        let bytes = trim_space(&self.value);
        match end {
            End::Eof if blank => {
                self.ready.push_back(Record::Error {
                    line: k,
                    id: None,
                    message: format!(
                        "the JSON array opened on line {} is not closed: the input ends at line \
                         {here}, after element {}",
                        array.line, array.elements
                    ),
                });
            }
            End::Eof if scan.is_open() => {
                self.ready.push_back(Record::Error {
                    line: k,
                    id: None,
                    message: format!(
                        "{what} is not valid JSON: the input ends inside it (the array opened on \
                         line {} is not closed)",
                        array.line
                    ),
                });
            }
            End::Eof => {
                self.ready.push_back(value_record(k, &what, bytes));
                self.ready.push_back(Record::Error {
                    line: k + 1,
                    id: None,
                    message: format!(
                        "the JSON array opened on line {} is not closed: the input ends at line \
                         {here}, after element {k}",
                        array.line
                    ),
                });
            }
            _ if blank => {
                self.ready.push_back(Record::Error {
                    line: k,
                    id: None,
                    message: format!("{what} is empty: a `,` with no value after it"),
                });
            }
            End::Break if scan.is_open() => {
                self.ready.push_back(Record::Error {
                    line: k,
                    id: None,
                    message: format!(
                        "{what} is not valid JSON: it is not closed before line {here}"
                    ),
                });
            }
            _ => self.ready.push_back(value_record(k, &what, bytes)),
        }
        array.elements = k;
        match end {
            End::Eof => self.form = Form::Done,
            End::Close => self.form = Form::Start,
            End::Comma | End::Break | End::Closed => {}
        }
        Ok(())
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        loop {
            if let Some(record) = self.ready.pop_front() {
                return Ok(Some(record));
            }
            match self.form {
                Form::Done => return Ok(None),
                Form::Start => self.start()?,
                Form::Values => self.next_value()?,
                Form::Array(_) => self.next_element()?,
                Form::Lines => {
                    return Ok(self.lines.next_line()?.map(|(line, text)| match text {
                        Ok(text) => line_record(line, text),
                        Err(message) => Record::Error {
                            line,
                            id: None,
                            message: format!("line {line}: {message}"),
                        },
                    }));
                }
            }
        }
    }
}

/// The record of one JSONL line (not blank).
fn line_record(line: u64, text: &str) -> Record {
    value_record(line, &format!("line {line}"), text.as_bytes())
}

/// The record of one JSON value, `what` naming it in messages (`line 3`, `element 2 (line 5)`).
fn value_record(line: u64, what: &str, bytes: &[u8]) -> Record {
    match serde_json::from_slice::<Trace>(bytes) {
        Ok(trace) => checked(line, what, trace),
        Err(e) => {
            let id = serde_json::from_slice::<Value>(bytes)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
            let message = if e.is_syntax() || e.is_eof() {
                format!("{what} is not valid JSON: {}", serde_detail(&e))
            } else {
                // Only a failure pays for finding the offending field's path.
                let mut de = serde_json::Deserializer::from_slice(bytes);
                match serde_path_to_error::deserialize::<_, Trace>(&mut de) {
                    Err(pe) if pe.path().to_string() != "." => format!(
                        "{what} is not a valid trace: `{}`: {}",
                        pe.path(),
                        serde_detail(pe.inner())
                    ),
                    _ => format!("{what} is not a valid trace: {}", serde_detail(&e)),
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
    // What the schema's types cannot say: something to evaluate, RL costs not negative.
    if let Err(why) = trace.check() {
        return Record::Error {
            line,
            id: trace.id,
            message: format!("{what} {why}"),
        };
    }
    Record::Trace {
        line,
        trace: Box::new(trace),
    }
}

/// Every non-blank line of `all` (whose first line is `first_line`) as a JSONL record.
fn jsonl_records(all: &[u8], first_line: u64) -> Vec<Record> {
    let mut records = Vec::new();
    let mut line = first_line;
    let mut rest = all;
    loop {
        let (bytes, next) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) => {
                let crlf = rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n');
                (&rest[..i], Some(&rest[i + 1 + usize::from(crlf)..]))
            }
            None => (rest, None),
        };
        match std::str::from_utf8(bytes) {
            Err(_) => records.push(Record::Error {
                line,
                id: None,
                message: format!("line {line}: {NOT_UTF8}"),
            }),
            Ok(text) => {
                let text = text.trim().trim_start_matches('\u{feff}');
                if !text.is_empty() {
                    records.push(line_record(line, text));
                }
            }
        }
        match next {
            Some(next) => {
                rest = next;
                line += 1;
            }
            None => return records,
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

    /// The records of `input`, read through buffers of several sizes (down to one byte, so that
    /// every boundary falls everywhere): all must agree.
    fn records(input: &str) -> Vec<Record> {
        records_of(input.as_bytes())
    }

    fn records_of(input: &[u8]) -> Vec<Record> {
        let read = |capacity: usize| {
            TraceReader::new(io::BufReader::with_capacity(capacity, input))
                .collect::<io::Result<Vec<_>>>()
                .unwrap()
        };
        let whole = read(1 << 16);
        for capacity in [1, 2, 3, 7] {
            assert_eq!(read(capacity), whole, "buffer of {capacity} bytes");
        }
        whole
    }

    /// Each record's kind and line: `T3` a trace, `E3` an error.
    fn shape(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| match r {
                Record::Trace { line, .. } => format!("T{line}"),
                Record::Error { line, .. } => format!("E{line}"),
            })
            .collect()
    }

    fn messages(records: &[Record]) -> Vec<&str> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Error { message, .. } => Some(message.as_str()),
                Record::Trace { .. } => None,
            })
            .collect()
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

    #[test]
    fn json_lines_end_at_lf_crlf_or_a_lone_cr() {
        let input = b"a\rb\r\nc\n\r\xef\xbb\xbfd\r\r\n\xff\re";
        for capacity in [1, 2, 3, 64] {
            let lines: Vec<(u64, Result<String, String>)> =
                JsonLines::new(io::BufReader::with_capacity(capacity, &input[..]))
                    .collect::<io::Result<_>>()
                    .unwrap();
            assert_eq!(
                lines,
                [
                    (1, Ok("a".to_owned())),
                    (2, Ok("b".to_owned())),
                    (3, Ok("c".to_owned())),
                    (5, Ok("d".to_owned())),
                    (7, Err(NOT_UTF8.to_owned())),
                    (8, Ok("e".to_owned())),
                ],
                "buffer of {capacity} bytes"
            );
        }
    }

    #[test]
    fn every_form_with_every_line_ending_gives_the_same_records() {
        let jsonl = "{\"output\": \"a\"}\n\n{\"output\": 1}\n{\"output\": \"c\"}\n";
        let array = "[\n  {\"output\": \"a\"},\n\n  {\"output\": 1},\n  {\"output\": \"c\"}\n]\n";
        let pretty =
            "{\n  \"output\": \"a\"\n}\n\n{\n  \"output\": 1\n}\n{\n  \"output\": \"c\"\n}\n";
        for (input, expected, line_of_1) in [
            (jsonl, ["T1", "E3", "T4"], "line 3"),
            (array, ["T1", "E2", "T3"], "element 2 (line 4)"),
            (pretty, ["T1", "E5", "T8"], "the value at line 5"),
        ] {
            for ending in ["\n", "\r\n", "\r"] {
                let input = input.replace('\n', ending);
                for input in [input.clone(), format!("\u{feff}{input}")] {
                    let r = records(&input);
                    assert_eq!(shape(&r), expected, "{input:?}");
                    assert!(messages(&r)[0].starts_with(line_of_1), "{r:?}");
                }
            }
        }
    }

    #[test]
    fn a_lone_brace_on_line_one_is_an_error_and_the_rest_is_read_as_jsonl() {
        let r = records("{\n{\"output\": \"a\"}\n{\"output\": \"b\"}\n\n{\"output\": 3}\n");
        assert_eq!(shape(&r), ["E1", "T2", "T3", "E5"]);
        assert!(
            messages(&r)[0].starts_with("line 1 is not valid JSON"),
            "{r:?}"
        );
        assert!(
            messages(&r)[1].starts_with("line 5 is not a valid trace"),
            "{r:?}"
        );
        // Pretty-printed values after it are still values.
        let r = records("{\n{\n  \"output\": \"a\"\n}\n{\"output\": \"b\"}\n");
        assert_eq!(shape(&r), ["E1", "T2", "T5"]);
    }

    #[test]
    fn a_lone_bracket_on_line_one_is_an_error_and_the_rest_is_read_as_jsonl() {
        for (input, expected) in [
            (
                "[\n{\"output\": \"a\"}\n{\"output\": \"b\"}\n{\"output\": 4}\n",
                &["E1", "T2", "T3", "E4"][..],
            ),
            ("[\n{\"output\": \"a\"}\n", &["E1", "T2"]),
            (
                "[\r\r{\"output\": \"a\"}\r{\"output\": \"b\"}",
                &["E1", "T3", "T4"],
            ),
            // A JSONL line with a stray `[` before it.
            ("[{\"output\": \"a\"}\n{\"output\": \"b\"}\n", &["E1", "T2"]),
            // A first line cut short, then JSONL.
            ("[{\"output\": \"a\n{\"output\": \"b\"}\n", &["E1", "T2"]),
            (
                "[\n{\"output\": \"a\n{\"output\": \"b\"}\n",
                &["E1", "E2", "T3"],
            ),
            ("[", &["E1"]),
            ("[]", &[]),
            ("  []  \n\n", &[]),
            ("[]\n[]\n", &["E1", "E2"]),
        ] {
            assert_eq!(shape(&records(input)), expected, "{input:?}");
        }
    }

    #[test]
    fn a_malformed_element_loses_nothing_else() {
        // Syntax, a wrong type, a `]` left out, commas and brackets inside strings.
        let input = "[{\"output\": \"a\"}, {\"output\": oops}, {\"output\": 3},\
                     {\"output\": \"b\", \"x\": [1, 2}, {\"output\": \"],{\\\"[\"}, {\"output\": \"c\"} x, \
                     {\"output\": \"d\"}]";
        let r = records(input);
        assert_eq!(shape(&r), ["T1", "E2", "E3", "E4", "T5", "E6", "T7"]);
        let Record::Trace { trace, .. } = &r[4] else {
            unreachable!()
        };
        assert_eq!(trace.output, "],{\"[");
        // An element cut short inside a multi-line array: the next line that starts an object
        // starts the next element.
        let input = "[\n  {\"output\": \"a\"},\n  {\"output\": \"b\n  {\"output\": \"c\"},\n  \
                     {\"output\": \"d\", \"x\": [1,\n  {\"output\": \"e\"}\n]\n";
        let r = records(input);
        assert_eq!(shape(&r), ["T1", "E2", "T3", "E4"], "{r:?}");
        assert_eq!(
            messages(&r)[0],
            "element 2 (line 3) is not valid JSON: it is not closed before line 4"
        );
        // `[1,\n {` may go on, so the 4th element takes the 5th in: it ends at the `]`, not
        // closed.
        assert!(
            messages(&r)[1].contains("the input ends inside it"),
            "{r:?}"
        );
        // A comma left out between two whole elements costs nothing.
        let r = records("[\n{\"output\": \"a\"},\n{\"output\": \"b\"}\n{\"output\": \"c\"}\n]");
        assert_eq!(shape(&r), ["T1", "T2", "T3"]);
    }

    #[test]
    fn an_array_cut_short_says_so_once() {
        for (input, expected, says) in [
            (
                "[{\"output\": \"a\"}, {\"output\": \"b\"",
                &["T1", "E2"][..],
                "element 2 (line 1) is not valid JSON: the input ends inside it",
            ),
            (
                "[{\"output\": \"a\"},\n",
                &["T1", "E2"],
                "the JSON array opened on line 1 is not closed: the input ends at line 2, \
                 after element 1",
            ),
            (
                "[{\"output\": \"a\"}, {\"output\": \"b\"}",
                &["T1", "T2", "E3"],
                "the JSON array opened on line 1 is not closed",
            ),
        ] {
            let r = records(input);
            assert_eq!(shape(&r), expected, "{input:?}");
            assert!(messages(&r)[0].starts_with(says), "{r:?}");
        }
    }

    #[test]
    fn empty_elements_are_errors() {
        let r = records("[{\"output\": \"a\"},,{\"output\": \"b\"},]");
        assert_eq!(shape(&r), ["T1", "E2", "T3", "E4"]);
        assert!(messages(&r)[0].contains("is empty"));
    }

    #[test]
    fn what_follows_an_array_is_read_afresh() {
        // Another array (element numbers start again), or JSONL (to the end).
        let r = records("[{\"output\": \"a\"}]\n[{\"output\": 1}, {\"output\": \"c\"}]");
        assert_eq!(shape(&r), ["T1", "E1", "T2"]);
        let r = records("[{\"output\": \"a\"}]\n{\"output\": \"b\"}\n[{\"output\": \"c\"}]");
        assert_eq!(shape(&r), ["T1", "T2", "E3"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let input = format!(
            "[{{\"output\": \"a\", \"x\": {}}}, {{\"output\": \"b\"}}]",
            deep(100_000)
        );
        let r = records(&input);
        assert_eq!(shape(&r), ["E1", "T2"]);
        assert!(messages(&r)[0].contains("recursion limit"), "{r:?}");
        // Never closed: one error, and the end.
        let r = records(&format!("[{{\"output\": {}", "[".repeat(100_000)));
        assert_eq!(shape(&r), ["E1"]);
        let input = format!(
            "{{\n\"output\": {}\n}}\n{{\"output\": \"b\"}}\n",
            deep(50_000)
        );
        assert_eq!(shape(&records(&input)), ["E1", "T4"]);
        // Never closed: the next line that cannot go on with it starts the next value.
        let input = format!(
            "{{\n\"x\": {}\n}}\n{{\"output\": \"b\"}}\n",
            "{".repeat(50_000)
        );
        let r = records(&input);
        assert_eq!(shape(&r), ["E1", "T4"], "{r:?}");
        assert!(messages(&r)[0].ends_with("it is not closed before line 4"));
        let r = records(&format!("{{\n\"x\": {}\n", "{".repeat(50_000)));
        assert_eq!(shape(&r), ["E1"], "{r:?}");
        assert!(messages(&r)[0].ends_with("the input ends inside it"));
    }

    #[test]
    fn no_form_repeats_an_input_value_in_an_error() {
        let bad = "{\"output\": \"ok\", \"id\": \"t1\", \"metadata\": {\"latency_ms\": \"Jane Doe 555-0100\"}}";
        for input in [
            format!("{bad}\n"),
            format!("[{bad}, {{\"output\": \"Jane\", \"x\": oops}}]"),
            format!("{{\n{bad}\n"),
            "{\n  \"x\": \"Jane\",\n  \"output\": 1\n}\n".to_owned(),
        ] {
            let r = records(&input);
            assert!(!r.is_empty());
            for m in messages(&r) {
                assert!(!m.contains("Jane") && !m.contains("555"), "{m}");
            }
        }
        let r = records(&format!("[{bad}]"));
        assert!(
            matches!(&r[..], [Record::Error { id: Some(id), message, .. }] if id == "t1" && message.contains("`metadata.latency_ms`")),
            "{r:?}"
        );
    }
}
