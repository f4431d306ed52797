//! Dependency specifiers (PEP 508): `name[extras] specifiers ; markers` and `name @ url`.
//!
//! A requirement names a distribution, optionally the extras wanted from it,
//! then either version specifiers or a direct URL, then optionally a marker
//! that says where the requirement applies:
//!
//! ```text
//! requests[socks, security] >= 2.8.1, == 2.8.* ; python_version < "3.8"
//! pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee...
//! name (>=1.0) ; extra == "test"
//! ```
//!
//! The grammar is PEP 508's, read the way pypa/packaging reads it:
//! whitespace (spaces and tabs) is allowed between every part; the
//! specifiers may be wrapped in parentheses; a URL runs to the next
//! whitespace, so a `;` after a URL needs a space before it; comments are not
//! part of PEP 508 (requirements-file parsers strip them first). Two choices
//! are stricter than packaging, both to catch mistakes early: a trailing
//! comma in the specifiers (`foo>=1,`) is an error, and so is a URL with no
//! scheme that is not a path (`foo @ bar`). Paths (`./dir`, `/abs`,
//! `C:\dir`, `~/x`) are accepted as pip does; the URL is kept verbatim.
//!
//! Errors name the requirement and point at the bad part, including inside
//! the specifiers and the marker (their errors are re-anchored to the
//! requirement string). `Display` prints a canonical form that parses back
//! to an equal requirement:
//!
//! ```text
//! name[extra1,extra2]>=1.0, <2 ; python_version < "3.8"
//! name @ https://example.com/name-1.0.tar.gz ; os_name == "nt"
//! ```
//!
//! Names and extras are printed normalized, extras in the order written
//! (duplicates dropped), the marker as [`MarkerTree`] prints it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::marker::{Cursor, parse_marker_tail};
use crate::specifier::SpecifierSet;
use crate::{ExtraName, MarkerEnvironment, MarkerTree, PackageName, ParseError};

/// A parsed PEP 508 dependency specifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The distribution's normalized name.
    pub name: PackageName,
    /// The extras requested, normalized, in the order written, without duplicates.
    pub extras: Vec<ExtraName>,
    /// Version specifiers or a direct URL; `None` for a bare name.
    pub version_or_url: Option<VersionOrUrl>,
    /// Where the requirement applies; [`MarkerTree::TRUE`] when there is no marker.
    pub marker: MarkerTree,
}

/// What a requirement asks for beyond its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionOrUrl {
    /// Version specifiers, never empty (`name` alone has `None` instead).
    Specifiers(SpecifierSet),
    /// A direct reference (`name @ url`), verbatim: a URL with a scheme, or
    /// a local path.
    Url(String),
}

impl Requirement {
    /// The version specifiers, if the requirement has any.
    pub fn specifiers(&self) -> Option<&SpecifierSet> {
        match &self.version_or_url {
            Some(VersionOrUrl::Specifiers(s)) => Some(s),
            _ => None,
        }
    }

    /// The direct URL, if the requirement is `name @ url`.
    pub fn url(&self) -> Option<&str> {
        match &self.version_or_url {
            Some(VersionOrUrl::Url(u)) => Some(u),
            _ => None,
        }
    }

    /// Parses a `Requires-Dist` read from published metadata, forgiving the
    /// well-known mistakes listed in `lenient.rs` (`botocore>=1.3.0,<1.4.0',`).
    /// Returns the requirement and, when a mistake was forgiven, the text it
    /// was read as, for a warning. What a person types is parsed strictly,
    /// with [`str::parse`].
    pub fn parse_lenient(text: &str) -> Result<(Self, Option<String>), ParseError> {
        crate::lenient::parse_with_fixes(text, Self::from_str)
    }

    /// Whether the requirement applies in this environment when the depending
    /// package is installed with these extras.
    pub fn evaluate_markers(&self, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        self.marker.evaluate(env, extras)
    }
}

impl FromStr for Requirement {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let mut c = Cursor::new(input, "requirement");
        c.eat_ws();
        let name_span = c.take_while(is_name_byte);
        if name_span.is_empty() {
            return Err(c.error_here(format!(
                "expected a package name at the start of the requirement, found {}",
                c.found()
            )));
        }
        let name = PackageName::new(&input[name_span.clone()])
            .map_err(|e| reanchor(&c, &e, name_span.start))?;
        c.eat_ws();
        let extras = if c.peek() == Some('[') {
            parse_extras(&mut c)?
        } else {
            Vec::new()
        };
        c.eat_ws();
        let (version_or_url, marker) = if c.eat("@") {
            parse_url_tail(&mut c)?
        } else {
            parse_specifier_tail(&mut c)?
        };
        Ok(Requirement {
            name,
            extras,
            version_or_url,
            marker,
        })
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Moves an error about a piece of the input (which started at `offset`)
/// onto the whole requirement.
fn reanchor(c: &Cursor<'_>, e: &ParseError, offset: usize) -> ParseError {
    let span = e.span();
    c.error(span.start + offset..span.end + offset, e.message())
}

fn parse_extras(c: &mut Cursor<'_>) -> Result<Vec<ExtraName>, ParseError> {
    let open = c.pos();
    c.eat("[");
    c.eat_ws();
    let mut extras: Vec<ExtraName> = Vec::new();
    if c.eat("]") {
        return Ok(extras);
    }
    loop {
        let span = c.take_while(is_name_byte);
        if span.is_empty() {
            let message = if c.at_end() {
                "expected an extra name and `]` to close this `[`".to_string()
            } else {
                format!("expected an extra name, found {}", c.found())
            };
            return Err(if c.at_end() {
                c.error(open..c.pos(), message)
            } else {
                c.error_here(message)
            });
        }
        let extra =
            ExtraName::new(&c.input()[span.clone()]).map_err(|e| reanchor(c, &e, span.start))?;
        if !extras.contains(&extra) {
            extras.push(extra);
        }
        c.eat_ws();
        if c.eat(",") {
            c.eat_ws();
            continue;
        }
        if c.eat("]") {
            return Ok(extras);
        }
        return Err(match c.peek() {
            None => c.error(open..c.pos(), "expected `]` to close this `[`"),
            Some(ch) if ch.is_ascii() && is_name_byte(ch as u8) => {
                c.error_here("expected `,` between extra names")
            }
            Some(_) => c.error_here(format!(
                "expected `,` or `]` after an extra name, found {}",
                c.found()
            )),
        });
    }
}

type Tail = (Option<VersionOrUrl>, MarkerTree);

/// After `name[extras]`: specifiers, bare or in parentheses, then an
/// optional `; marker`.
fn parse_specifier_tail(c: &mut Cursor<'_>) -> Result<Tail, ParseError> {
    let open = c.pos();
    let parenthesized = c.eat("(");
    let span = c.take_while(|b| b != b';' && b != b')');
    if parenthesized && !c.eat(")") {
        return Err(c.error(open..c.pos(), "expected `)` to close this `(`"));
    }
    let text = &c.input()[span.clone()];
    // PEP 508's whitespace is spaces and tabs; a line break here is a
    // requirements-file line that was not split.
    if let Some(i) = text.find(|ch: char| ch.is_whitespace() && ch != ' ' && ch != '\t') {
        let at = span.start + i;
        return Err(c.error(
            at..at + 1,
            "a requirement cannot contain a line break or other whitespace than spaces and tabs",
        ));
    }
    let trimmed = text.trim_matches([' ', '\t']);
    let version_or_url = if trimmed.is_empty() {
        None
    } else {
        let start = span.start + (text.len() - text.trim_start_matches([' ', '\t']).len());
        Some(VersionOrUrl::Specifiers(parse_specifiers(
            c, trimmed, start,
        )?))
    };
    c.eat_ws();
    let marker = parse_marker_part(
        c,
        if version_or_url.is_some() {
            "the version specifiers"
        } else {
            "the name"
        },
    )?;
    Ok((version_or_url, marker))
}

/// Parses `text` (found at byte `start` of the requirement) as specifiers.
fn parse_specifiers(c: &Cursor<'_>, text: &str, start: usize) -> Result<SpecifierSet, ParseError> {
    // An empty item (`>=1,,<2`, `>=1,`) is a typo that the specifier-set
    // parser may forgive; PEP 508's grammar does not.
    let mut offset = 0;
    let items: Vec<&str> = text.split(',').collect();
    for (i, item) in items.iter().enumerate() {
        if item.trim_matches([' ', '\t']).is_empty() {
            // Point at the comma after the gap, or before it at the end.
            let comma = if i + 1 < items.len() {
                start + offset + item.len()
            } else {
                (start + offset).saturating_sub(1)
            };
            return Err(c.error(comma..comma + 1, "expected a version specifier after `,`"));
        }
        offset += item.len() + 1;
    }
    SpecifierSet::from_str(text).map_err(|e| reanchor(c, &e, start))
}

/// After `name[extras] @`: a URL, then an optional ` ; marker`.
fn parse_url_tail(c: &mut Cursor<'_>) -> Result<Tail, ParseError> {
    c.eat_ws();
    let span = c.take_while(|b| b != b' ' && b != b'\t');
    let url = &c.input()[span.clone()];
    if url.is_empty() {
        return Err(c.error_here("expected a URL after `@`"));
    }
    if let Some(semi) = url.find(';') {
        // `name @ https://x/y.whl;python_version<"3"`: the URL would swallow
        // the marker. PEP 508 needs whitespace before the `;`.
        let after = &url[semi + 1..];
        if after.is_empty() || MarkerTree::from_str(after).is_ok() {
            let at = span.start + semi;
            return Err(c.error(at..at + 1, "a `;` after a URL needs a space before it"));
        }
    }
    check_url(url).map_err(|message| c.error(span.clone(), message))?;
    c.eat_ws();
    let marker = parse_marker_part(c, "the URL")?;
    Ok((Some(VersionOrUrl::Url(url.to_string())), marker))
}

/// At the end of the requirement or at `; marker`.
fn parse_marker_part(c: &mut Cursor<'_>, after: &str) -> Result<MarkerTree, ParseError> {
    if c.at_end() {
        return Ok(MarkerTree::TRUE);
    }
    if c.eat(";") {
        return parse_marker_tail(c);
    }
    let message = match c.peek() {
        Some(')') => "unmatched `)`".to_string(),
        _ => format!(
            "expected `;` and a marker, or the end, after {after}; found {}",
            c.found()
        ),
    };
    Err(c.error(c.pos()..c.input().len(), message))
}

/// Checks that a direct reference is a URL with a scheme or a local path.
fn check_url(url: &str) -> Result<(), String> {
    if let Some(c) = url.chars().find(|c| c.is_control()) {
        return Err(format!("a URL cannot contain the control character {c:?}"));
    }
    let b = url.as_bytes();
    let windows_drive =
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    if windows_drive || url.starts_with(['/', '.', '~', '\\']) {
        return Ok(());
    }
    let scheme_len = url
        .bytes()
        .take_while(|&x| x.is_ascii_alphanumeric() || matches!(x, b'+' | b'-' | b'.'))
        .count();
    let has_scheme =
        scheme_len > 0 && b[0].is_ascii_alphabetic() && b.get(scheme_len) == Some(&b':');
    if !has_scheme {
        return Err(
            "expected a URL with a scheme (like `https://...` or `file:///...`) or a path (like `./dir`)"
                .into(),
        );
    }
    let scheme = url[..scheme_len].to_ascii_lowercase();
    let rest = &url[scheme_len + 1..];
    if rest.is_empty() {
        return Err(format!("the URL has nothing after `{scheme}:`"));
    }
    // `file:` URLs take any path (`file:.` and `file://.` are accepted by
    // pip), and so do VCS URLs over `file:` (`git+file:///srv/repo`).
    if scheme == "file" || scheme.ends_with("+file") {
        return Ok(());
    }
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.ends_with('@') {
            return Err("the URL has no host after `//`".into());
        }
    } else if scheme.ends_with("http") || scheme.ends_with("https") {
        return Err(format!("a `{scheme}:` URL needs `//` and a host"));
    }
    Ok(())
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.extras.is_empty() {
            f.write_str("[")?;
            for (i, extra) in self.extras.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{extra}")?;
            }
            f.write_str("]")?;
        }
        match &self.version_or_url {
            Some(VersionOrUrl::Specifiers(s)) => write!(f, "{s}")?,
            Some(VersionOrUrl::Url(u)) => write!(f, " @ {u}")?,
            None => {}
        }
        if !self.marker.is_true() {
            write!(f, " ; {}", self.marker)?;
        }
        Ok(())
    }
}

impl fmt::Display for VersionOrUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Specifiers(s) => write!(f, "{s}"),
            Self::Url(u) => write!(f, "@ {u}"),
        }
    }
}

impl Serialize for Requirement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Requirement {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        for ok in [
            "https://example.com/a.whl",
            "git+https://github.com/pypa/pip.git@main#egg=pip",
            "file:///tmp/x",
            "file:/tmp/x",
            "file:.",
            "file://.",
            "gopher:/foo/com",
            "./local/dir",
            "../x",
            "/abs/path.whl",
            "C:\\Users\\x",
            "c:/x",
            "~/src/pkg",
            "git+ssh://git@github.com/a/b.git",
            "svn+svn://svn.example.com/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "bar",
            "https:",
            "https:foo",
            "http:///x",
            "1http://x",
            "a\u{7}b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
