//! Spec errors: every problem the generator finds, with the file, line and column it is at.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// One problem in a spec or a file it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file, as the user should see it.
    pub file: PathBuf,
    /// Where in the file.
    pub position: Position,
    /// What is wrong, and what was expected.
    pub message: String,
    /// The offending text, when there is one.
    pub snippet: Option<String>,
}

impl SpecError {
    /// An error at a position of a file.
    pub fn new(file: &Path, position: Position, message: impl Into<String>) -> Self {
        SpecError {
            file: file.to_path_buf(),
            position,
            message: message.into(),
            snippet: None,
        }
    }

    /// The same error, showing the offending text.
    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        self.snippet = Some(snippet.into());
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.message
        )?;
        if let Some(snippet) = &self.snippet {
            write!(f, "\n    | {snippet}")?;
        }
        Ok(())
    }
}

/// Every problem found in a spec: the generator reports them all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors {
    /// The problems, in file order.
    pub errors: Vec<SpecError>,
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        let n = self.errors.len();
        write!(
            f,
            "\n{n} error{} in the domain spec",
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Collects errors while the generator goes on checking.
#[derive(Debug, Default)]
pub(crate) struct ErrorSink {
    errors: Vec<SpecError>,
}

impl ErrorSink {
    pub(crate) fn push(&mut self, e: SpecError) {
        self.errors.push(e);
    }

    pub(crate) fn into_result<T>(mut self, value: T) -> Result<T, SpecErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            self.errors.sort_by(|a, b| {
                (a.file.as_path(), a.position).cmp(&(b.file.as_path(), b.position))
            });
            self.errors.dedup();
            Err(SpecErrors {
                errors: self.errors,
            })
        }
    }
}
