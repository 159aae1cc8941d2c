//! Maps an offset inside a YAML scalar back to the line and column it has in the spec file.

use crate::error::Position;
use crate::spec::Located;

/// The text of a spec file.
pub(crate) struct SourceText<'a> {
    text: &'a str,
}

impl<'a> SourceText<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        SourceText { text }
    }

    /// The position of byte `offset` of the string value of `node`.
    pub(crate) fn position_in(&self, node: &Located<String>, offset: usize) -> Position {
        let value = &node.value;
        let offset = offset.min(value.len());
        let before = value.get(..offset).unwrap_or(value);
        let lines_before = before.matches('\n').count() as u32;
        let col_in_line = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
        let base = node.position;
        let Some(raw) = node.offset.and_then(|o| self.text.get(o..)) else {
            return base;
        };
        match raw.chars().next() {
            Some('\'' | '"') => Position {
                line: base.line + lines_before,
                column: if lines_before == 0 {
                    base.column + 1 + col_in_line
                } else {
                    col_in_line + 1
                },
            },
            Some('|' | '>') => {
                // A block scalar: content starts on the next line, at the block's indentation.
                let mut lines = raw.split('\n').skip(1);
                let mut skipped_blank = 0;
                let indent = loop {
                    match lines.next() {
                        Some(l) if l.trim().is_empty() => skipped_blank += 1,
                        Some(l) => break l.len() - l.trim_start().len(),
                        None => break 0,
                    }
                };
                Position {
                    line: base.line + 1 + skipped_blank + lines_before,
                    column: indent as u32 + 1 + col_in_line,
                }
            }
            _ => Position {
                line: base.line + lines_before,
                column: if lines_before == 0 {
                    base.column + col_in_line
                } else {
                    col_in_line + 1
                },
            },
        }
    }
}
