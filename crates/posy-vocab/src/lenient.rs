//! Reading published metadata that breaks PEP 440 and PEP 508 in well-known ways.
//!
//! Releases on PyPI carry values no specification allows, written by old
//! tools or by hand and never checked by the index:
//! `Requires-Python: >=3.6.*`, `Requires-Dist: botocore>=1.3.0,<1.4.0',`.
//! Refusing them makes whole requirement sets unresolvable for a typo in
//! one old release, while uv reads them as what they evidently mean.
//! [`SpecifierSet::parse_lenient`] and [`Requirement::parse_lenient`] do
//! the same, for metadata that comes from an index, a wheel or an sdist.
//! What a person types (the command line, a requirements file,
//! `pyproject.toml`) stays strict, so that mistakes are caught where they
//! can still be fixed.
//!
//! The mistakes are uv's list, in uv's order, so that posy reads a
//! published value as uv does:
//!
//! 1. a missing comma between clauses: `>=7.2.0<8.0.0` (only once an
//!    operator has been seen, so `boto3>=1<2` keeps its name);
//! 2. `!=~` for "not this series": `!=~5.0` is `!=5.0.*`;
//! 3. a prefix star on an ordering operator, which PEP 440 forbids:
//!    `>=3.6.*` is `>=3.6`, `<3.4.*` is `<3.4`, with or without a space
//!    after the operator;
//! 4. a star without its dot: `!=3.0*` is `!=3.0.*`;
//! 5. a trailing comma: `>=3.6,` (the specifier-set grammar already skips
//!    empty clauses; this is for requirements, whose grammar does not);
//! 6. `>dev` for "any release": `>0.0.0dev`;
//! 7. a `.0` after a pre-, post- or dev-release number: `9.0.0a1.0` is
//!    `9.0.0a1`;
//! 8. stray quotes around or inside the specifiers: `>= '2.7'`, `>=3.6'`.
//!
//! Each fix is written for its mistake rather than as uv's pattern, so it is
//! a little wider where the pattern only saw one-digit numbers (`!=3.10*`,
//! `!=~10.0`) and narrower where it would change a name or a number
//! (`boto3`, `a1.05`).
//!
//! The strict parser runs first, so a valid value (almost every value) costs
//! nothing more. On an error the fixes are applied one after another, each
//! to the text the previous ones left, and the text is parsed again after
//! every fix that changed something; the first text that parses is the
//! answer, and the caller gets it back to say what was read. If none
//! parses, the error is the strict parser's, about the text as written.
//!
//! Only the part before the first `;` is touched: a marker's quotes and
//! comparisons are its own syntax. A requirement with an `@` there is a
//! direct reference and is never rewritten, since a URL that changed would
//! name another file.
//!
//! [`SpecifierSet::parse_lenient`]: crate::SpecifierSet::parse_lenient
//! [`Requirement::parse_lenient`]: crate::Requirement::parse_lenient

use crate::ParseError;

/// One fix: at a position, given the text before it and the text from it,
/// the replacement and how many bytes it replaces; `None` to go on.
type Fix = fn(before: &str, rest: &str) -> Option<(String, usize)>;

/// The fixes, in the order they are tried (see the module docs).
const FIXES: [Fix; 8] = [
    missing_comma,
    tilde_after_not_equal,
    star_after_ordering,
    star_without_dot,
    trailing_comma,
    greater_than_dev,
    zero_after_pre_post_dev,
    stray_quote,
];

/// Parses `input` with `parse`, and if that fails, with the fixes applied.
/// Returns the value and, when a fix was needed, the text that parsed.
pub(crate) fn parse_with_fixes<T>(
    input: &str,
    parse: impl Fn(&str) -> Result<T, ParseError>,
) -> Result<(T, Option<String>), ParseError> {
    let error = match parse(input) {
        Ok(value) => return Ok((value, None)),
        Err(error) => error,
    };
    let (head, tail) = input.split_at(input.find(';').unwrap_or(input.len()));
    if head.contains('@') {
        return Err(error);
    }
    let mut head = head.to_string();
    for fix in FIXES {
        let Some(fixed) = rewrite(&head, fix) else {
            continue;
        };
        let text = format!("{fixed}{tail}");
        if let Ok(value) = parse(&text) {
            return Ok((value, Some(text)));
        }
        head = fixed;
    }
    Err(error)
}

/// Applies `fix` at every position of `text`, left to right, never inside
/// a part it already replaced; `None` if it changed nothing.
fn rewrite(text: &str, fix: Fix) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match fix(&text[..i], &text[i..]) {
            Some((replacement, replaced)) => {
                out.push_str(&replacement);
                i += replaced;
                changed = true;
            }
            None => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    changed.then_some(out)
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '~' | '!')
}

fn ends_with_digit(text: &str) -> bool {
    text.ends_with(|c: char| c.is_ascii_digit())
}

/// The length of the release numbers (`3`, `3.6`, `10.0.1`) `text` starts with.
fn release_len(text: &str) -> usize {
    let b = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    loop {
        let digits = b[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return end;
        }
        end = i + digits;
        if b.get(end) != Some(&b'.') {
            return end;
        }
        i = end + 1;
    }
}

/// 1: `>=7.2.0<8.0.0` → `>=7.2.0,<8.0.0`.
fn missing_comma(before: &str, rest: &str) -> Option<(String, usize)> {
    let c = rest.chars().next()?;
    (is_operator_char(c) && ends_with_digit(before) && before.contains(is_operator_char))
        .then(|| (format!(",{c}"), 1))
}

/// 2: `!=~5.0` → `!=5.0.*`.
fn tilde_after_not_equal(_: &str, rest: &str) -> Option<(String, usize)> {
    let after = rest.strip_prefix("!=~")?;
    let release = &after[..release_len(after)];
    (!release.is_empty()).then(|| (format!("!={release}.*"), 3 + release.len()))
}

/// 3: `>=3.6.*` → `>=3.6`, `< 3.4.*` → `<3.4`.
fn star_after_ordering(_: &str, rest: &str) -> Option<(String, usize)> {
    let op_len = match rest.as_bytes() {
        [b'<' | b'>', b'=', ..] => 2,
        [b'<' | b'>', ..] => 1,
        _ => return None,
    };
    let after = &rest[op_len..];
    let spaces = after.len() - after.trim_start().len();
    let version = &after[spaces..];
    let release = &version[..release_len(version)];
    if release.is_empty() || !version[release.len()..].starts_with(".*") {
        return None;
    }
    let operator = &rest[..op_len];
    Some((
        format!("{operator}{release}"),
        op_len + spaces + release.len() + 2,
    ))
}

/// 4: `!=3.0*` → `!=3.0.*`.
fn star_without_dot(before: &str, rest: &str) -> Option<(String, usize)> {
    (rest.starts_with('*') && ends_with_digit(before)).then(|| (".*".into(), 1))
}

/// 5: `pyzmq >=3.6,` → `pyzmq >=3.6`.
fn trailing_comma(_: &str, rest: &str) -> Option<(String, usize)> {
    let after = rest.strip_prefix(',')?;
    after.trim().is_empty().then(|| (String::new(), rest.len()))
}

/// 6: `>dev` → `>0.0.0dev`.
fn greater_than_dev(_: &str, rest: &str) -> Option<(String, usize)> {
    rest.starts_with(">dev")
        .then(|| (">0.0.0dev".into(), ">dev".len()))
}

/// 7: `9.0.0a1.0` → `9.0.0a1`.
fn zero_after_pre_post_dev(before: &str, rest: &str) -> Option<(String, usize)> {
    if !ends_with_digit(before) {
        return None;
    }
    let label = ["post", "dev", "rc", "a", "b"]
        .into_iter()
        .find(|label| rest.starts_with(label))?;
    let after = &rest[label.len()..];
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    let zero = &after[digits..];
    let next_is_digit = zero.as_bytes().get(2).is_some_and(u8::is_ascii_digit);
    (digits > 0 && zero.starts_with(".0") && !next_is_digit).then(|| {
        let kept = label.len() + digits;
        (rest[..kept].to_string(), kept + 2)
    })
}

/// 8: `>= '2.7'` → `>= 2.7`.
fn stray_quote(_: &str, rest: &str) -> Option<(String, usize)> {
    rest.starts_with(['\'', '"']).then(|| (String::new(), 1))
}

#[cfg(test)]
mod tests {
    use crate::{Requirement, SpecifierSet};

    /// How a published `Requires-Python` reads: the set and the fixed text.
    fn specifiers(input: &str) -> (String, Option<String>) {
        let (set, fixed) =
            SpecifierSet::parse_lenient(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (set.to_string(), fixed)
    }

    /// How a published `Requires-Dist` reads: the requirement and the fixed text.
    fn requirement(input: &str) -> (String, Option<String>) {
        let (req, fixed) =
            Requirement::parse_lenient(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (req.to_string(), fixed)
    }

    fn fixed(read: &str, text: &str) -> (String, Option<String>) {
        (read.to_string(), Some(text.to_string()))
    }

    fn valid(read: &str) -> (String, Option<String>) {
        (read.to_string(), None)
    }

    #[test]
    fn valid_text_is_read_strictly_and_reports_nothing() {
        assert_eq!(specifiers(">=3.6"), valid(">=3.6"));
        assert_eq!(specifiers("!=3.0.*, >=2.7"), valid("!=3.0.*, >=2.7"));
        assert_eq!(specifiers(">= 2.7"), valid(">=2.7"));
        assert_eq!(specifiers(""), valid(""));
        assert_eq!(
            requirement("numpy >=1.19; python_version >= \"3.7\""),
            valid("numpy>=1.19 ; python_version >= \"3.7\""),
        );
    }

    #[test]
    fn specifier_set_trailing_comma_is_already_valid() {
        assert_eq!(specifiers(">=3.6,"), valid(">=3.6"));
        assert_eq!(specifiers(">=3.6, "), valid(">=3.6"));
        assert_eq!(specifiers("==2.0.*,"), valid("==2.0.*"));
        assert_eq!(
            specifiers(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,"),
            valid(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*"),
        );
    }

    #[test]
    fn missing_comma() {
        assert_eq!(
            specifiers(">=7.2.0<8.0.0"),
            fixed(">=7.2.0, <8.0.0", ">=7.2.0,<8.0.0")
        );
        assert_eq!(
            requirement("elasticsearch-dsl (>=7.2.0<8.0.0)"),
            fixed(
                "elasticsearch-dsl>=7.2.0, <8.0.0",
                "elasticsearch-dsl (>=7.2.0,<8.0.0)"
            ),
        );
        // A digit at the end of the name is not a clause before an operator.
        assert_eq!(
            requirement("boto3>=1.0<2.0"),
            fixed("boto3>=1.0, <2.0", "boto3>=1.0,<2.0")
        );
    }

    #[test]
    fn tilde_after_not_equal() {
        assert_eq!(
            specifiers("!=~5.0,>=4.12"),
            fixed("!=5.0.*, >=4.12", "!=5.0.*,>=4.12")
        );
        assert_eq!(
            specifiers("!=~5,>=4.12"),
            fixed("!=5.*, >=4.12", "!=5.*,>=4.12")
        );
        assert_eq!(
            requirement("jupyter-core (!=~5.0,>=4.12)"),
            fixed(
                "jupyter-core!=5.0.*, >=4.12",
                "jupyter-core (!=5.0.*,>=4.12)"
            ),
        );
    }

    #[test]
    fn star_after_ordering_operator() {
        assert_eq!(specifiers(">=3.6.*"), fixed(">=3.6", ">=3.6"));
        assert_eq!(specifiers(">=1.*"), fixed(">=1", ">=1"));
        assert_eq!(specifiers(">= 3.5.*"), fixed(">=3.5", ">=3.5"));
        assert_eq!(
            specifiers(">=2.7,!=3.0.*,!=3.1.*,<3.4.*"),
            fixed(
                ">=2.7, !=3.0.*, !=3.1.*, <3.4",
                ">=2.7,!=3.0.*,!=3.1.*,<3.4"
            ),
        );
        assert_eq!(specifiers("<=3.10.*"), fixed("<=3.10", "<=3.10"));
        assert_eq!(specifiers(">2.*"), fixed(">2", ">2"));
        assert_eq!(
            requirement("torch (>=1.9.*)"),
            fixed("torch>=1.9", "torch (>=1.9)")
        );
        assert_eq!(
            requirement("torch (>= 1.9.*)"),
            fixed("torch>=1.9", "torch (>=1.9)")
        );
    }

    #[test]
    fn star_without_dot() {
        assert_eq!(
            specifiers(">=2.7,!=3.0*,!=3.1*,!=3.2*"),
            fixed(
                ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*",
                ">=2.7,!=3.0.*,!=3.1.*,!=3.2.*"
            ),
        );
        assert_eq!(specifiers("!=3.10*"), fixed("!=3.10.*", "!=3.10.*"));
        assert_eq!(
            requirement("pyzmq (>=2.7,!=3.0*,!=3.1*,!=3.2*)"),
            fixed(
                "pyzmq>=2.7, !=3.0.*, !=3.1.*, !=3.2.*",
                "pyzmq (>=2.7,!=3.0.*,!=3.1.*,!=3.2.*)"
            ),
        );
    }

    #[test]
    fn requirement_trailing_comma() {
        assert_eq!(
            requirement("pyzmq >=3.6,"),
            fixed("pyzmq>=3.6", "pyzmq >=3.6")
        );
        assert_eq!(
            requirement("pyzmq >=3.6, ; extra == \"x\""),
            fixed("pyzmq>=3.6 ; extra == \"x\"", "pyzmq >=3.6; extra == \"x\""),
        );
    }

    #[test]
    fn greater_than_dev() {
        assert_eq!(specifiers(">dev"), fixed(">0.0.0.dev0", ">0.0.0dev"));
    }

    #[test]
    fn zero_after_pre_post_dev() {
        assert_eq!(specifiers(">=9.0.0a1.0"), fixed(">=9.0.0a1", ">=9.0.0a1"));
        assert_eq!(specifiers(">=9.0a1.0"), fixed(">=9.0a1", ">=9.0a1"));
        assert_eq!(specifiers(">=9a1.0"), fixed(">=9a1", ">=9a1"));
        assert_eq!(
            specifiers(">=1.0post2.0"),
            fixed(">=1.0.post2", ">=1.0post2")
        );
        // `.05` is not a trailing zero.
        assert!(SpecifierSet::parse_lenient(">=9a1.05").is_err());
    }

    #[test]
    fn stray_quotes() {
        assert_eq!(specifiers(">= '2.7'"), fixed(">=2.7", ">= 2.7"));
        assert_eq!(specifiers(">=\"3.6\""), fixed(">=3.6", ">=3.6"));
        assert_eq!(specifiers(">=3.6'"), fixed(">=3.6", ">=3.6"));
        assert_eq!(
            specifiers(">=2.7, !=3.0.*, !=3.1.*', !=3.2.*, !=3.3.*'"),
            fixed(
                ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*",
                ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*"
            ),
        );
    }

    #[test]
    fn stray_quotes_leave_the_marker_alone() {
        let read = "numpy>=1.19 ; python_version >= \"3.7\"";
        assert_eq!(
            requirement("numpy \">=1.19\"; python_version >= \"3.7\""),
            fixed(read, "numpy >=1.19; python_version >= \"3.7\""),
        );
        assert_eq!(
            requirement("'numpy' >=1.19\"; python_version >= \"3.7\""),
            fixed(read, "numpy >=1.19; python_version >= \"3.7\""),
        );
    }

    #[test]
    fn fixes_add_up() {
        // The trailing comma goes first, then the quote before it.
        assert_eq!(
            requirement("botocore>=1.3.0,<1.4.0',"),
            fixed("botocore>=1.3.0, <1.4.0", "botocore>=1.3.0,<1.4.0"),
        );
    }

    #[test]
    fn other_mistakes_keep_the_strict_error() {
        for (input, span) in [("=1.0", 0..1), (">=1.0 <2.0", 5..6), ("3.6", 0..1)] {
            let strict = input.parse::<SpecifierSet>().unwrap_err();
            let lenient = SpecifierSet::parse_lenient(input).unwrap_err();
            assert_eq!(lenient, strict);
            assert_eq!(lenient.span(), span, "{input}");
        }
        let input = "'pkg' @ https://example.com/pkg-1.0.tar.gz";
        assert_eq!(
            Requirement::parse_lenient(input).unwrap_err(),
            input.parse::<Requirement>().unwrap_err()
        );
    }
}
