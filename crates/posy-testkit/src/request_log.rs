//! The record of every request the test index answered.
//!
//! Tests assert on what a client did, not only on what it concluded: "no
//! wheel was downloaded", "only a range of the wheel was read", "the page was
//! revalidated with If-None-Match". Each entry keeps the request line, every
//! header as sent, and what the server did: the status (none when the
//! connection was reset) and how many body bytes it wrote.

/// One request as the server saw it, and how it was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) status: Option<u16>,
    pub(crate) body_bytes: usize,
}

impl LoggedRequest {
    /// The method, e.g. `GET`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The decoded path, without the query, e.g. `/simple/a/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query string, if the request had one.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header, in the order sent.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The status sent, or `None` if the connection was reset instead.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// How many body bytes were written (fewer than promised when truncated).
    pub fn body_bytes(&self) -> usize {
        self.body_bytes
    }

    /// Whether this was a complete download of an artifact: a GET of a file
    /// (not a `.metadata` file) answered 200.
    pub fn is_full_download(&self) -> bool {
        self.method == "GET"
            && self.path.starts_with("/files/")
            && !self.path.ends_with(".metadata")
            && self.status == Some(200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_case_insensitively() {
        let request = LoggedRequest {
            method: "GET".into(),
            path: "/files/a-1.0.tar.gz".into(),
            query: None,
            headers: vec![("range".into(), "bytes=-10".into())],
            status: Some(206),
            body_bytes: 10,
        };
        assert_eq!(request.header("Range"), Some("bytes=-10"));
        assert!(!request.is_full_download());
        let full = LoggedRequest {
            status: Some(200),
            ..request
        };
        assert!(full.is_full_download());
    }
}
