//! When to try a request again, and how long to wait first.
//!
//! Transient failures are retried: connection errors, timeouts, resets and
//! bodies that end early (all of which reqwest reports as transport
//! errors), and the statuses that mean "not now" — 408, 429 and every 5xx.
//! Everything else (404, 401, a parse error, a hash mismatch) is final:
//! asking again would get the same answer.
//!
//! The wait before retry `n` (1-based) is exponential, `base · 2^(n-1)`
//! capped at [`MAX_BACKOFF`], with "equal jitter" (a uniformly random
//! point in the upper half of that window) so that many clients that
//! failed together do not return together. A `Retry-After` header, in
//! seconds or as an HTTP date, replaces the computed wait, capped at
//! [`MAX_RETRY_AFTER`] so a server cannot park posy for an hour.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The longest computed backoff between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// The longest `Retry-After` posy honours.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How many times to retry and how fast to back off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub retries: u32,
    pub base: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(MAX_RETRY_AFTER);
        }
        let exponential = self
            .base
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(MAX_BACKOFF);
        exponential / 2 + exponential.mul_f64(fastrand::f64() / 2.0)
    }
}

/// Whether an error status is worth another try.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// Whether a reqwest error is transient.
pub(crate) fn is_retryable_error(error: &reqwest::Error) -> bool {
    error.is_connect()
        || error.is_timeout()
        || error.is_request()
        || error.is_body()
        || error.is_decode()
}

/// Reads `Retry-After`: delta-seconds, or an HTTP date relative to `now`.
pub(crate) fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = date.as_second() - now.as_second();
    Some(Duration::from_secs(u64::try_from(wait).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let policy = RetryPolicy {
            retries: 5,
            base: Duration::from_millis(200),
        };
        for _ in 0..50 {
            let first = policy.delay(1, None);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            let third = policy.delay(3, None);
            assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800));
            assert!(policy.delay(40, None) <= MAX_BACKOFF);
        }
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3600))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn statuses() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 410] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }

    #[test]
    fn retry_after_forms() {
        let now: Timestamp = "2026-11-26T15:35:00Z".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Thu, 26 Nov 2026 15:35:17 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(17)));
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }
}
