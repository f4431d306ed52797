//! What can go wrong while publishing, each error naming the file and the
//! URL (without credentials) and saying what to do.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;

/// An error of [`crate::Publisher`] or [`crate::DistFile::read`].
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot publish {}: {reason}", path.display())]
    InvalidFile { path: PathBuf, reason: String },
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid upload URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("failed to upload {file} to {url}: {reason}")]
    Transport {
        file: String,
        url: String,
        reason: String,
    },
    #[error("the upload of {file} to {url} was refused ({status}): {message}{hint}")]
    Refused {
        file: String,
        url: String,
        status: StatusCode,
        message: String,
        /// What to do, when the status tells.
        hint: String,
    },
    #[error(
        "the upload of {file} to {url} was redirected to {to}: the publish URL is probably an index page; use the upload endpoint (for PyPI `https://upload.pypi.org/legacy/`)"
    )]
    Redirected {
        file: String,
        url: String,
        to: String,
    },
    #[error("failed to check {file} against {index}: {source}")]
    Check {
        file: String,
        index: String,
        source: posy_index::IndexError,
    },
    #[error(
        "{file} is already on {index} with other content (sha256 {theirs} there, {ours} here); a published file cannot be replaced: bump the version"
    )]
    DifferentContent {
        file: String,
        index: String,
        ours: String,
        theirs: String,
    },
}

impl PublishError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        PublishError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
