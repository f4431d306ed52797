//! When a cached index page may be used without asking the index again.
//!
//! # The policy
//!
//! A project page changes when a release is uploaded or yanked, which for
//! most projects is rarely, yet a resolver reads dozens of pages per run.
//! Asking the index every time makes a warm resolve as slow as a cold one;
//! never asking makes new releases invisible. posy decides per cached page,
//! in this order:
//!
//! 1. **`--exclude-newer` makes old pages complete.** With a cutoff, only
//!    files uploaded before it matter, and files are never removed from the
//!    Simple API (only yanked). A page fetched after the cutoff therefore
//!    already lists every file the resolution may use: it is fresh forever
//!    for that resolution, whatever its age. (A yank that happened after
//!    the fetch is not seen; a pinned past is the point of the option.)
//! 2. **A user-set maximum age** ([`crate::IndexOptions::page_max_age`])
//!    replaces everything below: a page younger than it is fresh. This is
//!    for CI and offline-ish setups that want "one fetch per hour" or
//!    "never revalidate" regardless of what the server says.
//! 3. **The server's word** (RFC 9111): `Cache-Control: no-cache` (or
//!    `max-age=0`) means always revalidate; `max-age=N` means fresh for N
//!    seconds, minus any `Age` the response already had. The public index
//!    sends `max-age=600`.
//! 4. **A heuristic when the server says nothing.** RFC 9111 §4.2.2 lets a
//!    cache assign a heuristic freshness lifetime to a 200 response that
//!    has no explicit one. posy uses 10 minutes
//!    ([`DEFAULT_HEURISTIC_FRESHNESS`]), the public index's own lifetime:
//!    it is short enough that a release is visible within minutes, and it
//!    makes a warm resolve that follows a cold one by less than that
//!    network-free even behind mirrors that strip every cache header.
//! 5. **Otherwise revalidate**: with `If-None-Match` / `If-Modified-Since`
//!    when the page had an `ETag` / `Last-Modified` (a `304` refreshes the
//!    entry's age and keeps its body), else fetch again.
//!
//! "Not found" answers (404/410) are cached under the same rules, so a
//! project that only the public index has does not cost a request to every
//! extra index on every run; a project just published to a private index
//! therefore shows up within the heuristic lifetime, or at once with
//! `--refresh`. `Cache-Control: no-store` pages are never written. `--refresh` skips
//! steps 1–5 (always fetch, then store); `--offline` uses any cached page,
//! however old, and fails clearly when there is none.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::exclude_newer::ExcludeNewer;

/// The lifetime of a page whose server gave none (RFC 9111 §4.2.2).
pub const DEFAULT_HEURISTIC_FRESHNESS: Duration = Duration::from_secs(600);

/// What posy remembers about a cached response besides its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CachePolicy {
    /// Seconds since the epoch when the response was received or revalidated.
    pub stored_at: i64,
    /// The `Age` the response already had when received.
    pub initial_age: u64,
    pub max_age: Option<u64>,
    pub no_cache: bool,
    pub no_store: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What to do with a cached page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Fresh,
    /// Ask with these validators; a 304 means the cached body is current.
    Revalidate {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Refetch,
}

impl CachePolicy {
    /// Reads the caching headers of a response received at `now`.
    pub fn from_headers(headers: &HeaderMap, now: Timestamp) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut policy = Self {
            stored_at: now.as_second(),
            initial_age: text("age").and_then(|a| a.trim().parse().ok()).unwrap_or(0),
            max_age: None,
            no_cache: false,
            no_store: false,
            etag: text("etag"),
            last_modified: text("last-modified"),
        };
        for value in headers.get_all("cache-control") {
            let Ok(value) = value.to_str() else { continue };
            for directive in value.split(',') {
                let (name, arg) = match directive.split_once('=') {
                    Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                    None => (directive.trim(), None),
                };
                match name.to_ascii_lowercase().as_str() {
                    "max-age" => policy.max_age = arg.and_then(|a| a.parse().ok()),
                    "no-cache" => policy.no_cache = true,
                    "no-store" => policy.no_store = true,
                    _ => {}
                }
            }
        }
        policy
    }

    /// Carries a 304's new headers over to the stored entry.
    pub fn revalidated(&self, fresh: &CachePolicy) -> CachePolicy {
        CachePolicy {
            etag: fresh.etag.clone().or_else(|| self.etag.clone()),
            last_modified: fresh
                .last_modified
                .clone()
                .or_else(|| self.last_modified.clone()),
            ..fresh.clone()
        }
    }
}

/// The knobs of the policy described in the module documentation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Freshness {
    pub heuristic: Duration,
    pub max_age_override: Option<Duration>,
    pub exclude_newer: Option<ExcludeNewer>,
}

impl Freshness {
    pub fn decide(&self, policy: &CachePolicy, now: Timestamp) -> Decision {
        if let Some(cutoff) = self.exclude_newer
            && policy.stored_at > cutoff.timestamp().as_second()
        {
            return Decision::Fresh;
        }
        let age = u64::try_from(now.as_second() - policy.stored_at)
            .unwrap_or(0)
            .saturating_add(policy.initial_age);
        let lifetime = match self.max_age_override {
            Some(max) => Some(max.as_secs()),
            None if policy.no_cache => None,
            None => Some(policy.max_age.unwrap_or(self.heuristic.as_secs())),
        };
        if lifetime.is_some_and(|lifetime| age < lifetime) {
            return Decision::Fresh;
        }
        if policy.etag.is_some() || policy.last_modified.is_some() {
            Decision::Revalidate {
                etag: policy.etag.clone(),
                last_modified: policy.last_modified.clone(),
            }
        } else {
            Decision::Refetch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + seconds).unwrap()
    }

    const DEFAULT: Freshness = Freshness {
        heuristic: DEFAULT_HEURISTIC_FRESHNESS,
        max_age_override: None,
        exclude_newer: None,
    };

    #[test]
    fn server_max_age_and_age_header() {
        let policy = CachePolicy::from_headers(
            &headers(&[
                ("cache-control", "max-age=600, public"),
                ("age", "100"),
                ("etag", "\"v1\""),
            ]),
            at(0),
        );
        assert_eq!(DEFAULT.decide(&policy, at(499)), Decision::Fresh);
        assert_eq!(
            DEFAULT.decide(&policy, at(500)),
            Decision::Revalidate {
                etag: Some("\"v1\"".into()),
                last_modified: None
            }
        );
    }

    #[test]
    fn heuristic_when_server_is_silent() {
        let policy = CachePolicy::from_headers(&HeaderMap::new(), at(0));
        assert_eq!(DEFAULT.decide(&policy, at(599)), Decision::Fresh);
        assert_eq!(DEFAULT.decide(&policy, at(600)), Decision::Refetch);
    }

    #[test]
    fn no_cache_always_revalidates_unless_user_overrides() {
        let policy = CachePolicy::from_headers(
            &headers(&[
                ("cache-control", "no-cache"),
                ("last-modified", "Thu, 26 Nov 2026 15:35:17 GMT"),
            ]),
            at(0),
        );
        assert!(matches!(
            DEFAULT.decide(&policy, at(1)),
            Decision::Revalidate { .. }
        ));
        let user = Freshness {
            max_age_override: Some(Duration::from_secs(3600)),
            ..DEFAULT
        };
        assert_eq!(user.decide(&policy, at(3599)), Decision::Fresh);
        assert!(
            CachePolicy::from_headers(&headers(&[("cache-control", "no-store")]), at(0)).no_store
        );
    }

    #[test]
    fn exclude_newer_makes_later_pages_fresh_forever() {
        let policy = CachePolicy::from_headers(&HeaderMap::new(), at(0));
        let before = Freshness {
            exclude_newer: Some(ExcludeNewer::new(at(-10))),
            ..DEFAULT
        };
        assert_eq!(before.decide(&policy, at(10_000_000)), Decision::Fresh);
        let after = Freshness {
            exclude_newer: Some(ExcludeNewer::new(at(10))),
            ..DEFAULT
        };
        assert_eq!(after.decide(&policy, at(10_000_000)), Decision::Refetch);
    }

    #[test]
    fn revalidation_keeps_old_validators() {
        let old = CachePolicy::from_headers(&headers(&[("etag", "\"a\"")]), at(0));
        let new = CachePolicy::from_headers(&HeaderMap::new(), at(50));
        let merged = old.revalidated(&new);
        assert_eq!(merged.etag.as_deref(), Some("\"a\""));
        assert_eq!(merged.stored_at, at(50).as_second());
    }
}
