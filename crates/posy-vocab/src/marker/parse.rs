//! The marker parser, and the cursor that the requirement parser shares.
//!
//! A hand-written recursive descent over bytes, following PEP 508's grammar
//! the way packaging's parser reads it:
//!
//! ```text
//! marker      = and_group ("or" and_group)*
//! and_group   = atom ("and" atom)*
//! atom        = WS? ( "(" WS? marker WS? ")" | operand WS? op WS? operand ) WS?
//! operand     = VARIABLE | '...' | "..."
//! op          = "===" | "==" | "~=" | "!=" | "<=" | ">=" | "<" | ">" | "in" | "not" WS "in"
//! ```
//!
//! Keywords and variable names must stand alone as words (`in"x"` is fine,
//! `inx` is not). Errors point at the offending span of the *whole* input, so
//! a marker inside a requirement is reported against the requirement.
//! Parentheses nest at most [`MAX_DEPTH`] deep so hostile input cannot
//! exhaust the stack.

use std::ops::Range;
use std::sync::Arc;

use super::expression::{MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable};
use super::tree::{MarkerTree, Node};
use crate::ParseError;

const MAX_DEPTH: usize = 64;

/// A position in an input string, with the helpers both parsers need.
pub(crate) struct Cursor<'a> {
    input: &'a str,
    pos: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(input: &'a str, what: &'static str) -> Self {
        Self {
            input,
            pos: 0,
            what,
        }
    }

    pub(crate) fn input(&self) -> &'a str {
        self.input
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Skips spaces and tabs (PEP 508's only whitespace); returns whether
    /// there were any.
    pub(crate) fn eat_ws(&mut self) -> bool {
        let start = self.pos;
        let skip = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.pos += skip;
        self.pos > start
    }

    /// Consumes `s` if the input continues with it.
    pub(crate) fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Consumes a run of bytes matching `f` and returns its span.
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> Range<usize> {
        let start = self.pos;
        let len = self.rest().bytes().take_while(|&b| f(b)).count();
        self.pos += len;
        start..self.pos
    }

    pub(crate) fn error(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.what, self.input, span, message)
    }

    /// An error about whatever is at the cursor (one character, or the end).
    pub(crate) fn error_here(&self, message: impl Into<String>) -> ParseError {
        let len = self.peek().map_or(0, char::len_utf8);
        self.error(self.pos..self.pos + len, message)
    }

    /// A description of what is at the cursor, for "expected X, found Y".
    pub(crate) fn found(&self) -> String {
        match self.peek() {
            None => "the end".to_string(),
            Some(_) => {
                let word = self.rest().split([' ', '\t']).next().unwrap_or_default();
                let word: String = word.chars().take(20).collect();
                format!("`{word}`")
            }
        }
    }

    /// The word at the cursor, if it is exactly `word` (not a prefix of a
    /// longer identifier); consumes it then.
    fn eat_keyword(&mut self, word: &str) -> bool {
        let rest = self.rest().as_bytes();
        let found = rest.starts_with(word.as_bytes())
            && rest.get(word.len()).is_none_or(|&b| !is_word_byte(b));
        if found {
            self.pos += word.len();
        }
        found
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses a whole string as a marker.
pub(crate) fn parse_marker(input: &str) -> Result<MarkerTree, ParseError> {
    let mut cursor = Cursor::new(input, "marker");
    let tree = parse_marker_tail(&mut cursor)?;
    Ok(tree)
}

/// Parses a marker from the cursor to the end of the input (trailing spaces
/// allowed), as in a requirement after its `;`.
pub(crate) fn parse_marker_tail(cursor: &mut Cursor<'_>) -> Result<MarkerTree, ParseError> {
    let tree = parse_or(cursor, 0)?;
    cursor.eat_ws();
    if !cursor.at_end() {
        let message = if cursor.peek() == Some(')') {
            "unmatched `)`".to_string()
        } else {
            format!(
                "expected `and`, `or` or the end of the marker, found {}",
                cursor.found()
            )
        };
        return Err(cursor.error(cursor.pos()..cursor.input().len(), message));
    }
    Ok(tree)
}

fn parse_or(c: &mut Cursor<'_>, depth: usize) -> Result<MarkerTree, ParseError> {
    let mut groups = vec![parse_and(c, depth)?];
    loop {
        c.eat_ws();
        if !c.eat_keyword("or") {
            break;
        }
        groups.push(parse_and(c, depth)?);
    }
    Ok(group(groups, false))
}

fn parse_and(c: &mut Cursor<'_>, depth: usize) -> Result<MarkerTree, ParseError> {
    let mut atoms = vec![parse_atom(c, depth)?];
    loop {
        c.eat_ws();
        if !c.eat_keyword("and") {
            break;
        }
        atoms.push(parse_atom(c, depth)?);
    }
    Ok(group(atoms, true))
}

/// Joins parsed children, flattening same-kind groups but keeping
/// duplicates: the tree is what was written.
fn group(children: Vec<MarkerTree>, conjunction: bool) -> MarkerTree {
    let mut out = Vec::with_capacity(children.len());
    for child in children {
        match child.0 {
            Node::And(c) if conjunction => out.extend(c),
            Node::Or(c) if !conjunction => out.extend(c),
            node => out.push(MarkerTree(node)),
        }
    }
    match out.len() {
        1 => out.pop().unwrap_or(MarkerTree::TRUE),
        _ if conjunction => MarkerTree(Node::And(out)),
        _ => MarkerTree(Node::Or(out)),
    }
}

fn parse_atom(c: &mut Cursor<'_>, depth: usize) -> Result<MarkerTree, ParseError> {
    c.eat_ws();
    let open = c.pos();
    if c.eat("(") {
        if depth >= MAX_DEPTH {
            return Err(c.error(
                open..open + 1,
                format!("markers cannot nest more than {MAX_DEPTH} parentheses deep"),
            ));
        }
        let inner = parse_or(c, depth + 1)?;
        c.eat_ws();
        if !c.eat(")") {
            return Err(c.error(
                open..c.pos(),
                format!("expected `)` to close this `(`, found {}", c.found()),
            ));
        }
        return Ok(inner);
    }
    parse_expression(c).map(MarkerTree::expression)
}

fn parse_expression(c: &mut Cursor<'_>) -> Result<MarkerExpression, ParseError> {
    let start = c.pos();
    let (lhs, lhs_span) = parse_operand(c)?;
    c.eat_ws();
    let op = parse_operator(c)?;
    c.eat_ws();
    let (rhs, rhs_span) = parse_operand(c)?;
    MarkerExpression::build(lhs, op, rhs).map_err(|(message, right)| {
        let span = match (right, &lhs_span, &rhs_span) {
            (false, l, _) => l.clone(),
            (true, _, r) => r.clone(),
        };
        let span = if span.is_empty() {
            start..c.pos()
        } else {
            span
        };
        c.error(span, message)
    })
}

fn parse_operand(c: &mut Cursor<'_>) -> Result<(MarkerOperand, Range<usize>), ParseError> {
    let start = c.pos();
    match c.peek() {
        Some(quote @ ('"' | '\'')) => {
            c.set_pos(start + 1);
            let Some(len) = c.rest().find(quote) else {
                return Err(c.error(
                    start..c.input().len(),
                    format!("missing closing {quote} for this string"),
                ));
            };
            let body = &c.rest()[..len];
            c.set_pos(start + 1 + len + 1);
            let span = start..c.pos();
            if let Some(i) = body.find(['\\', '\n', '\r']) {
                let at = start + 1 + i;
                let message = if body[i..].starts_with('\\') {
                    "a marker string cannot contain a backslash (PEP 508 has no escapes)"
                } else {
                    "a marker string cannot contain a line break"
                };
                return Err(c.error(at..at + 1, message));
            }
            Ok((MarkerOperand::Literal(Arc::from(body)), span))
        }
        Some(ch) if ch.is_ascii_alphabetic() => {
            let span = c.take_while(|b| is_word_byte(b) || b == b'.');
            let name = &c.input()[span.clone()];
            match MarkerVariable::from_name(name) {
                Some(v) => Ok((MarkerOperand::Variable(v), span)),
                None => Err(c.error(
                    span,
                    format!(
                        "`{name}` is not a marker variable; use one of python_version, \
                         python_full_version, os_name, sys_platform, platform_release, \
                         platform_system, platform_version, platform_machine, \
                         platform_python_implementation, implementation_name, \
                         implementation_version, extra, extras, dependency_groups"
                    ),
                )),
            }
        }
        _ => Err(c.error_here(format!(
            "expected a marker variable (like `python_version`) or a quoted string, found {}",
            c.found()
        ))),
    }
}

fn parse_operator(c: &mut Cursor<'_>) -> Result<MarkerOperator, ParseError> {
    // Longest first: `===` before `==`, `<=` before `<`.
    const SYMBOLS: [(&str, MarkerOperator); 8] = [
        ("===", MarkerOperator::ExactEqual),
        ("==", MarkerOperator::Equal),
        ("~=", MarkerOperator::TildeEqual),
        ("!=", MarkerOperator::NotEqual),
        ("<=", MarkerOperator::LessThanEqual),
        (">=", MarkerOperator::GreaterThanEqual),
        ("<", MarkerOperator::LessThan),
        (">", MarkerOperator::GreaterThan),
    ];
    for (symbol, op) in SYMBOLS {
        if c.eat(symbol) {
            return Ok(op);
        }
    }
    if c.eat_keyword("in") {
        return Ok(MarkerOperator::In);
    }
    let not = c.pos();
    if c.eat_keyword("not") {
        let not_end = c.pos();
        if c.eat_ws() && c.eat_keyword("in") {
            return Ok(MarkerOperator::NotIn);
        }
        return Err(c.error(not..not_end, "expected `in` after `not` (as in `not in`)"));
    }
    Err(c.error_here(format!(
        "expected a marker operator (one of <=, <, !=, ==, >=, >, ~=, ===, in, not in), found {}",
        c.found()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> ParseError {
        parse_marker(s).unwrap_err()
    }

    #[test]
    fn precedence_and_flattening() {
        let t = parse_marker(
            "os_name == 'a' or os_name == 'b' and (os_name == 'c' and os_name == 'd')",
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "os_name == \"a\" or os_name == \"b\" and os_name == \"c\" and os_name == \"d\""
        );
        let t = parse_marker("(os_name == 'a' or os_name == 'b') and os_name == 'c'").unwrap();
        assert_eq!(
            t.to_string(),
            "(os_name == \"a\" or os_name == \"b\") and os_name == \"c\""
        );
        let t = parse_marker("((os_name == 'a'))").unwrap();
        assert_eq!(t.to_string(), "os_name == \"a\"");
    }

    #[test]
    fn whitespace_is_optional_and_keywords_need_boundaries() {
        let t = parse_marker("os_name=='a'and(os_name!='b')or'x'in os_name").unwrap();
        assert_eq!(
            t.to_string(),
            "os_name == \"a\" and os_name != \"b\" or \"x\" in os_name"
        );
        assert!(parse_marker("'x' inos_name").is_err());
        assert!(parse_marker("os_name == 'a' andos_name == 'b'").is_err());
        assert!(parse_marker("'x' notin os_name").is_err());
    }

    #[test]
    fn errors_point_at_the_problem() {
        for (input, span) in [
            ("python_version", 14..14),
            ("this_isnt_a_real_variable >= '1.0'", 0..25),
            ("(python_version == '2.7'", 0..24),
            ("python_version == '2.7' with random text", 24..40),
            ("python_version == '2.7", 18..22),
            ("python_version == 2.7", 18..19),
            ("os_name == 'a\\b'", 13..14),
            ("python_version == '2.7')", 23..24),
            ("'x' in extras and extras == 'y'", 18..24),
            ("os_name not 'x'", 8..11),
            ("", 0..0),
        ] {
            let e = err(input);
            assert_eq!(e.span(), span, "{input}: {e}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}os_name == 'a'{}", "(".repeat(200), ")".repeat(200));
        assert!(err(&deep).message().contains("nest"));
        let ok = format!("{}os_name == 'a'{}", "(".repeat(60), ")".repeat(60));
        assert!(parse_marker(&ok).is_ok());
    }
}
