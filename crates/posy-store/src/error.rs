//! The store's error: which filesystem operation failed, on which path.

use std::io;
use std::path::{Path, PathBuf};

/// A filesystem operation on the store failed. The message includes the
/// I/O error, so it is not also reported as the `source()` (error-chain
/// printers would say it twice).
#[derive(Debug, thiserror::Error)]
#[error("could not {action} `{}`: {error}", path.display())]
pub struct StoreError {
    action: &'static str,
    path: PathBuf,
    error: io::Error,
}

impl StoreError {
    pub(crate) fn new(action: &'static str, path: &Path, source: io::Error) -> StoreError {
        StoreError {
            action,
            path: path.to_owned(),
            error: source,
        }
    }

    /// What was being done, e.g. "create the cache directory".
    pub fn action(&self) -> &str {
        self.action
    }

    /// The file or directory it was being done to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying I/O error kind, e.g. to tell "permission denied" apart.
    pub fn kind(&self) -> io::ErrorKind {
        self.error.kind()
    }
}

/// Attaches "what and where" to an I/O result.
pub(crate) trait Context<T> {
    fn context(self, action: &'static str, path: &Path) -> Result<T, StoreError>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, action: &'static str, path: &Path) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::new(action, path, source))
    }
}

/// Why `get_or_set` failed: the store, or the caller's producer.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError<E> {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The producer failed; nothing was stored and its temporary is gone.
    #[error("{0}")]
    Producer(E),
}
