//! Faults the test index can inject, and the rules that say when.
//!
//! A rule is a fault, a path pattern and an optional count:
//! `Fault::Status(500).on("/simple/a/").times(2)` fails the first two
//! requests for that page and then lets requests through. Patterns match the
//! decoded request path (without the query); `*` matches any run of
//! characters, including `/`. When several rules match a request, the first
//! one added that still has uses left applies, and only it is used up.

use std::time::Duration;

/// Something going wrong on the way from the index to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status code and a short text body (500, 503, 404...).
    Status(u16),
    /// Answer with this status and a `Retry-After: seconds` header (429, 503).
    RetryAfter { status: u16, seconds: u64 },
    /// Close the connection without answering, with a TCP reset.
    Reset,
    /// Send the headers with the full `Content-Length`, then half the body, then close.
    Truncate,
    /// On a simple page, list a sha256 that does not match each file; on a
    /// file (or metadata file), send bytes whose last byte is changed.
    WrongHash,
    /// Wait this long, then answer normally.
    Delay(Duration),
}

impl Fault {
    /// A rule applying this fault to every request whose path matches `pattern`.
    pub fn on(self, pattern: &str) -> FaultRule {
        FaultRule {
            fault: self,
            pattern: pattern.to_string(),
            remaining: None,
        }
    }
}

/// A fault, the paths it applies to, and how many more times it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    fault: Fault,
    pattern: String,
    remaining: Option<u32>,
}

impl FaultRule {
    /// Applies the fault to the first `count` matching requests only.
    pub fn times(mut self, count: u32) -> Self {
        self.remaining = Some(count);
        self
    }
}

/// Finds the rule that applies to a request for `path`, uses it up once,
/// and returns its fault.
pub(crate) fn take(rules: &mut [FaultRule], path: &str) -> Option<Fault> {
    let rule = rules
        .iter_mut()
        .find(|rule| rule.remaining != Some(0) && glob_match(&rule.pattern, path))?;
    if let Some(remaining) = &mut rule.remaining {
        *remaining -= 1;
    }
    Some(rule.fault.clone())
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and how much of `text` it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/simple/a/", "/simple/a/"));
        assert!(!glob_match("/simple/a/", "/simple/ab/"));
        assert!(glob_match("/files/*.whl", "/files/a-1.0-py3-none-any.whl"));
        assert!(!glob_match(
            "/files/*.whl",
            "/files/a-1.0-py3-none-any.whl.metadata"
        ));
        assert!(glob_match("*", "/anything/at/all"));
        assert!(glob_match("/simple/*/", "/simple/a/"));
        assert!(glob_match("*a*b*", "xxaxxbxx"));
        assert!(!glob_match("*a*b", "xxaxxbxx"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "/"));
    }

    #[test]
    fn counted_rules_run_out_and_the_first_match_wins() {
        let mut rules = vec![
            Fault::Status(500).on("/simple/a/").times(2),
            Fault::Reset.on("/simple/*"),
        ];
        assert_eq!(take(&mut rules, "/simple/a/"), Some(Fault::Status(500)));
        assert_eq!(take(&mut rules, "/simple/b/"), Some(Fault::Reset));
        assert_eq!(take(&mut rules, "/simple/a/"), Some(Fault::Status(500)));
        assert_eq!(take(&mut rules, "/simple/a/"), Some(Fault::Reset));
        assert_eq!(take(&mut rules, "/files/x"), None);
    }
}
