//! Maps an offset inside a YAML scalar's value back to the line and column it has in the spec
//! file, by walking the scalar's raw text alongside its value: quotes, escapes, line folding and
//! block indentation all take room in the file that the value does not have.

use crate::error::Position;
use crate::spec::Located;

/// The text of a spec file.
pub(crate) struct SourceText<'a> {
    text: &'a str,
}

/// A cursor over raw text that knows its line and column.
struct Cursor<'a> {
    rest: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        // A CRLF file's `\r` is part of its line breaks, which the value holds as `\n`.
        while self.rest.peek() == Some(&'\r') {
            self.rest.next();
        }
        self.rest.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        self.peek()?;
        let c = self.rest.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// Skips spaces and tabs (indentation after a line break).
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    /// Skips up to `n` spaces (a block scalar's indentation).
    fn skip_indent(&mut self, n: usize) {
        for _ in 0..n {
            if self.peek() != Some(' ') {
                break;
            }
            self.bump();
        }
    }
}

impl<'a> SourceText<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        SourceText { text }
    }

    /// The position of byte `offset` of the string value of `node`.
    pub(crate) fn position_in(&self, node: &Located<String>, offset: usize) -> Position {
        let Some(raw) = node.offset.and_then(|o| self.text.get(o..)) else {
            return node.position;
        };
        let value = &node.value;
        let target = offset.min(value.len());
        let mut cur = Cursor {
            rest: raw.chars().peekable(),
            line: node.position.line,
            column: node.position.column,
        };
        match cur.peek() {
            Some('"') => {
                cur.bump();
                walk_quoted(&mut cur, target, true)
            }
            Some('\'') => {
                cur.bump();
                walk_quoted(&mut cur, target, false)
            }
            Some('|' | '>') => walk_block(&mut cur, raw, value, target),
            _ => walk_plain(&mut cur, target),
        }
    }
}

/// A plain scalar: the value is the raw text, but a line break and the next line's indentation
/// are one space.
fn walk_plain(cur: &mut Cursor<'_>, target: usize) -> Position {
    let mut v = 0;
    while v < target {
        match cur.peek() {
            None => break,
            Some('\n') => {
                cur.bump();
                cur.skip_blanks();
                v += 1;
            }
            Some(c) => {
                cur.bump();
                v += c.len_utf8();
            }
        }
    }
    cur.position()
}

/// A quoted scalar: escapes (`\"`, `\n`, `\x41`, `\u00e9` in double quotes; `''` in single
/// quotes) are longer in the file than in the value, and line breaks fold to a space.
fn walk_quoted(cur: &mut Cursor<'_>, target: usize, double: bool) -> Position {
    let mut v = 0;
    while v < target {
        let Some(c) = cur.peek() else { break };
        match c {
            '\\' if double => {
                cur.bump();
                let Some(kind) = cur.bump() else { break };
                let hex = match kind {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => 0,
                };
                let mut code = String::new();
                for _ in 0..hex {
                    if let Some(h) = cur.bump() {
                        code.push(h);
                    }
                }
                let decoded = if hex > 0 {
                    u32::from_str_radix(&code, 16).ok().and_then(char::from_u32)
                } else {
                    None
                };
                v += decoded.map_or(1, char::len_utf8);
            }
            '\'' if !double => {
                cur.bump();
                if cur.peek() == Some('\'') {
                    cur.bump();
                }
                v += 1;
            }
            '\n' => {
                cur.bump();
                cur.skip_blanks();
                v += 1;
            }
            c => {
                cur.bump();
                v += c.len_utf8();
            }
        }
    }
    cur.position()
}

/// A block scalar (`|` or `>`): content starts on the line after the header, each line
/// indented; a line break in the file is one character of the value.
fn walk_block(cur: &mut Cursor<'_>, raw: &str, value: &str, target: usize) -> Position {
    // The header: `|`, `>`, with `-`/`+` and an indentation digit, then a comment or nothing.
    let header = raw.lines().next().unwrap_or("");
    let explicit: Option<usize> = header
        .chars()
        .find(|c| c.is_ascii_digit())
        .and_then(|d| d.to_digit(10))
        .map(|d| d as usize);
    while let Some(c) = cur.peek() {
        cur.bump();
        if c == '\n' {
            break;
        }
    }
    // The block's indentation: the first non-blank line's, less the spaces the value keeps
    // (with an indentation indicator, content may be indented further than the block).
    let body = raw.get(header.len() + 1..).unwrap_or("");
    let first_raw = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    let first_value = value
        .lines()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    let indent = match explicit {
        Some(_) => first_raw.saturating_sub(first_value),
        None => first_raw,
    };
    cur.skip_indent(indent);
    let mut v = 0;
    let value_bytes = value.as_bytes();
    while v < target {
        match cur.peek() {
            None => break,
            Some('\n') => {
                cur.bump();
                // Blank lines keep their break in the value; skip the next line's indentation.
                cur.skip_indent(indent);
                v += 1;
                // Folding (`>`) may turn several breaks into fewer characters; stay in step
                // with the value where it has a break or a space here.
                while v < target && value_bytes.get(v) == Some(&b'\n') && cur.peek() == Some('\n') {
                    cur.bump();
                    cur.skip_indent(indent);
                    v += 1;
                }
            }
            Some(c) => {
                cur.bump();
                v += c.len_utf8();
            }
        }
    }
    cur.position()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finds `needle` in the spec text, as a scalar would sit there, and maps `offset`.
    fn position(
        text: &str,
        value: &str,
        scalar_start: (u32, u32),
        byte: usize,
        offset: usize,
    ) -> Position {
        let node = Located {
            value: value.to_owned(),
            position: Position {
                line: scalar_start.0,
                column: scalar_start.1,
            },
            offset: Some(byte),
        };
        SourceText::new(text).position_in(&node, offset)
    }

    #[test]
    fn double_quoted_escapes_take_their_room() {
        let text = r#"message: "a \"b\" \u00e9 {x}""#;
        let value = "a \"b\" é {x}";
        let at = value.find("{x}").unwrap();
        let p = position(text, value, (1, 10), 9, at);
        assert_eq!(
            (p.line, p.column),
            (1, 10 + text[9..].find("{x}").unwrap() as u32)
        );
    }

    #[test]
    fn single_quotes_double_up() {
        let text = "p: 'it''s {x}'";
        let value = "it's {x}";
        let p = position(text, value, (1, 4), 3, value.find("{x}").unwrap());
        assert_eq!((p.line, p.column), (1, 11));
    }

    #[test]
    fn plain_scalars_fold_over_lines() {
        let text = "when: a &&\n  b_bad";
        let value = "a && b_bad";
        let p = position(text, value, (1, 7), 6, value.find("b_bad").unwrap());
        assert_eq!((p.line, p.column), (2, 3));
    }

    #[test]
    fn block_scalars_skip_their_indentation() {
        let text = "pattern: |-\n    (?x)\n    abc{bad}\n";
        let value = "(?x)\nabc{bad}";
        let p = position(text, value, (1, 10), 9, value.find("{bad}").unwrap());
        assert_eq!((p.line, p.column), (3, 8));
        let text = "pattern: >-\n  one\n  two {bad}\n";
        let value = "one two {bad}";
        let p = position(text, value, (1, 10), 9, value.find("{bad}").unwrap());
        assert_eq!((p.line, p.column), (3, 7));
        let text = "  pattern: |2\n      indented\n    {bad}\n";
        let value = "  indented\n{bad}";
        let p = position(text, value, (1, 12), 11, value.find("{bad}").unwrap());
        assert_eq!((p.line, p.column), (3, 5));
        let text = "pattern: |-\r\n    (?x)\r\n    abc{bad}\r\n";
        let value = "(?x)\nabc{bad}";
        let p = position(text, value, (1, 10), 9, value.find("{bad}").unwrap());
        assert_eq!((p.line, p.column), (3, 8), "CRLF");
    }
}
