//! One error type for every parser in this crate.
//!
//! A parse error keeps the whole input and the byte span of the offending
//! part, so its `Display` can print the input with a caret line under the bad
//! column, the way a compiler would:
//!
//! ```text
//! invalid version `1.0.x`: expected a number after `.`
//!   1.0.x
//!       ^
//! ```
//!
//! Callers that parse a file add the file and line around this; the error
//! itself only knows the string it was given.

use std::fmt;
use std::ops::Range;

/// A string that could not be parsed, with the span of the bad part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    what: &'static str,
    input: String,
    span: Range<usize>,
    message: String,
}

impl ParseError {
    /// `what` names the kind of value being parsed ("version", "requirement"),
    /// `span` is a byte range into `input` (clamped to it), `message` says
    /// what was expected.
    pub fn new(
        what: &'static str,
        input: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let end = span.end.min(input.len());
        let start = span.start.min(end);
        Self {
            what,
            input: input.to_string(),
            span: start..end,
            message: message.into(),
        }
    }

    /// The kind of value that failed to parse, e.g. `"version"`.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The whole input that was being parsed.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The byte range of the offending part of the input.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What was wrong, without the input.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} `{}`: {}",
            self.what, self.input, self.message
        )?;
        // The caret line only helps when the input fits on one line.
        if self.input.contains('\n') || self.input.is_empty() {
            return Ok(());
        }
        let col = floor_char_boundary(&self.input, self.span.start);
        let end = floor_char_boundary(&self.input, self.span.end).max(col);
        let pad = self.input[..col].chars().count();
        let width = self.input[col..end].chars().count().max(1);
        write!(
            f,
            "\n  {}\n  {}{}",
            self.input,
            " ".repeat(pad),
            "^".repeat(width)
        )
    }
}

impl std::error::Error for ParseError {}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_span() {
        let e = ParseError::new("version", "1.0.x", 4..5, "expected a number");
        assert_eq!(
            e.to_string(),
            "invalid version `1.0.x`: expected a number\n  1.0.x\n      ^"
        );
    }

    #[test]
    fn span_is_clamped_and_unicode_safe() {
        let e = ParseError::new("name", "né!", 1..99, "bad");
        assert_eq!(e.span(), 1..4);
        assert_eq!(e.to_string(), "invalid name `né!`: bad\n  né!\n   ^^");
    }
}
