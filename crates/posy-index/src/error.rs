//! The errors of the package database client.
//!
//! Every variant names what was being done and on which URL or file, with
//! URLs already redacted (see [`crate::redact`]), and most say what to do
//! next. The variants are few and coarse on purpose: callers branch on
//! "offline and not cached", "hash mismatch" and "not found" and show the
//! rest to a person.

use std::path::PathBuf;

use thiserror::Error;

/// Something went wrong while talking to an index or reading the cache.
#[derive(Debug, Error)]
pub enum IndexError {
    /// A request failed for good (after any retries): connection refused,
    /// timeout, reset, or a body that ended early.
    #[error(
        "request to {url} failed after {attempts} attempt(s): {message}; check the index URL \
         and the network (`--offline` works from the cache alone)"
    )]
    Transport {
        url: String,
        attempts: u32,
        message: String,
    },

    /// The server answered with an error status (after any retries).
    #[error("{url} answered HTTP {status}{hint} (after {attempts} attempt(s))")]
    Status {
        url: String,
        status: u16,
        attempts: u32,
        hint: &'static str,
    },

    /// A page or a metadata file could not be understood.
    #[error("could not read {url}: {message}")]
    Parse { url: String, message: String },

    /// Downloaded bytes do not match the hash the index promised.
    #[error(
        "hash mismatch for {url}: expected {expected}, got {actual}; nothing was stored \
         (the index or a proxy served different bytes; retry, or report it to the index)"
    )]
    HashMismatch {
        url: String,
        expected: String,
        actual: String,
    },

    /// `offline` is set and the cache has no copy.
    #[error(
        "{url} is not in the cache and network access is disabled (--offline); \
         run once without --offline to fill the cache"
    )]
    Offline { url: String },

    /// A wheel did not contain what every wheel must.
    #[error("{url} is not a valid wheel: {message}")]
    InvalidWheel { url: String, message: String },

    /// A source distribution without a PEP 658 file: its metadata needs a build.
    #[error(
        "{url} is a source distribution and its index serves no metadata file; its metadata needs a build"
    )]
    MetadataUnavailable { url: String },

    /// A range request was answered with the whole file (the client then
    /// downloads the wheel instead; see `lazy_wheel.rs`).
    #[error("{url} ignored a range request")]
    RangesIgnored { url: String },

    /// Reading or writing a local file (cache, find-links directory, netrc).
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A setting given to [`crate::IndexOptions`] is unusable.
    #[error("invalid index option: {0}")]
    InvalidOption(String),
}

impl IndexError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The HTTP status, when the failure was an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A short advice suffix for a failing HTTP status.
pub(crate) fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            " (check the credentials for this index: URL userinfo, ~/.netrc or \
             POSY_INDEX_<NAME>_USERNAME/PASSWORD)"
        }
        404 => " (not found)",
        429 => " (rate limited; try again later or lower the concurrency)",
        500..=599 => " (server error; try again later)",
        _ => "",
    }
}
