//! Credential redaction for URLs that reach a person's eyes.
//!
//! Index URLs may carry `user:password@` (that is how many private indexes
//! are configured), and every error, log line and progress message names a
//! URL. [`Redacted`] is the one way this crate turns a URL into text for
//! people: the userinfo becomes `****` (user and password alike, since a
//! token is often passed as the user name), so a secret never reaches a
//! terminal, a CI log or a bug report. Query strings are left alone: they
//! are not where indexes put credentials, and hiding them would make errors
//! about signed URLs unreadable.

use std::fmt;

use url::Url;

/// A URL displayed with any `user:password@` replaced by `****@`.
#[derive(Clone, Copy)]
pub struct Redacted<'a>(pub &'a Url);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.0))
    }
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The URL as text with its credentials replaced by `****`.
pub fn redact(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    // Setting userinfo only fails for URLs that cannot have one (`data:`,
    // `file:` without host), and those had no userinfo to begin with.
    let _ = clean.set_password(None);
    let _ = clean.set_username("****");
    clean.to_string()
}

/// The URL without userinfo, for use as a cache key or request target once
/// the credentials have been moved into an `Authorization` header.
pub fn strip_credentials(url: &Url) -> Url {
    let mut clean = url.clone();
    let _ = clean.set_password(None);
    let _ = clean.set_username("");
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_user_and_password() {
        let url = Url::parse("https://alice:s3cret@pkgs.example.com/simple/").unwrap();
        let shown = redact(&url);
        assert_eq!(shown, "https://****@pkgs.example.com/simple/");
        assert!(!format!("{}", Redacted(&url)).contains("s3cret"));
    }

    #[test]
    fn hides_token_only_user() {
        let url = Url::parse("https://ghp_token@pkgs.example.com/simple/").unwrap();
        assert_eq!(redact(&url), "https://****@pkgs.example.com/simple/");
    }

    #[test]
    fn leaves_plain_urls_alone() {
        let url = Url::parse("https://pypi.org/simple/numpy/").unwrap();
        assert_eq!(redact(&url), "https://pypi.org/simple/numpy/");
    }

    #[test]
    fn strip_removes_userinfo() {
        let url = Url::parse("https://a:b@h.example:8080/x").unwrap();
        assert_eq!(strip_credentials(&url).as_str(), "https://h.example:8080/x");
    }
}
