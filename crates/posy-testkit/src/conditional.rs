//! Validators and conditional requests (RFC 9110 §8.8, §13).
//!
//! When switched on, a 200 answer carries an `ETag` (a strong tag derived
//! from the body's sha256, so it changes exactly when the bytes do) and/or a
//! `Last-Modified` date (the last time the index's contents changed). A
//! request that presents a matching validator gets 304 Not Modified with no
//! body. As RFC 9110 orders it, `If-None-Match`, when present, decides alone
//! and `If-Modified-Since` is only looked at without it; an `If-None-Match`
//! of `*` or a weak form of the tag also matches (weak comparison is what
//! the standard asks for here).

use crate::http1::{Request, Response};
use crate::{digest, http_date};

/// Which validators the index sends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Validators {
    pub(crate) etag: bool,
    /// When the index last changed, in seconds since the epoch, if `Last-Modified` is on.
    pub(crate) last_modified: Option<u64>,
}

/// Adds validators to a 200 answer and turns it into 304 when the request's
/// conditions say the client's copy is current.
pub(crate) fn apply(request: &Request, response: Response, validators: Validators) -> Response {
    let etag = validators
        .etag
        .then(|| format!("\"{}\"", &digest::sha256_hex(&response.body)[..32]));
    let not_modified = match request.header("if-none-match") {
        Some(header) => etag.as_ref().is_some_and(|etag| {
            header.split(',').any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
            })
        }),
        None => match (
            validators.last_modified,
            request.header("if-modified-since"),
        ) {
            (Some(modified), Some(since)) => {
                http_date::parse(since).is_some_and(|since| modified <= since)
            }
            _ => false,
        },
    };
    let mut response = if not_modified {
        let mut empty = Response::new(304, "", Vec::new());
        empty.headers = response
            .headers
            .into_iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
            .collect();
        empty
    } else {
        response
    };
    if let Some(etag) = etag {
        response = response.with_header("ETag", etag);
    }
    if let Some(modified) = validators.last_modified {
        response = response.with_header("Last-Modified", http_date::format(modified));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    async fn request(headers: &str) -> Request {
        let raw = format!("GET / HTTP/1.1\r\n{headers}\r\n");
        let mut reader = BufReader::new(raw.as_bytes());
        crate::http1::read_request(&mut reader)
            .await
            .unwrap()
            .unwrap()
    }

    fn page() -> Response {
        Response::new(200, "text/html", b"page".to_vec())
    }

    const BOTH: Validators = Validators {
        etag: true,
        last_modified: Some(1_704_067_200),
    };

    #[tokio::test]
    async fn a_matching_etag_gives_304() {
        let first = apply(&request("").await, page(), BOTH);
        let etag = first
            .headers
            .iter()
            .find(|(n, _)| n == "ETag")
            .unwrap()
            .1
            .clone();
        let again = apply(
            &request(&format!("If-None-Match: \"x\", W/{etag}\r\n")).await,
            page(),
            BOTH,
        );
        assert_eq!(again.status, 304);
        assert!(again.headers.iter().all(|(n, _)| n != "Content-Type"));
        let other = apply(&request("If-None-Match: \"x\"\r\n").await, page(), BOTH);
        assert_eq!(other.status, 200);
    }

    #[tokio::test]
    async fn if_modified_since_is_compared_as_a_date() {
        let same = "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n";
        assert_eq!(apply(&request(same).await, page(), BOTH).status, 304);
        let older = "If-Modified-Since: Sun, 31 Dec 2023 23:59:59 GMT\r\n";
        assert_eq!(apply(&request(older).await, page(), BOTH).status, 200);
        let garbage = "If-Modified-Since: yesterday\r\n";
        assert_eq!(apply(&request(garbage).await, page(), BOTH).status, 200);
        // If-None-Match, when present, decides alone.
        let both = format!("{same}If-None-Match: \"nope\"\r\n");
        assert_eq!(apply(&request(&both).await, page(), BOTH).status, 200);
    }

    #[tokio::test]
    async fn without_validators_nothing_changes() {
        let none = Validators {
            etag: false,
            last_modified: None,
        };
        let response = apply(&request("If-None-Match: *\r\n").await, page(), none);
        assert_eq!(response.status, 200);
        assert_eq!(response.headers.len(), 1);
    }
}
