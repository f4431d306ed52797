//! What can go wrong while installing, said so a user knows what to do.

use std::io;
use std::path::PathBuf;

/// An install, unpack or uninstall that failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("failed to {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("`{wheel}` is not a valid wheel: {reason}")]
    InvalidWheel { wheel: String, reason: String },
    #[error(
        "`{wheel}` contains `{member}`, which would be written outside the install location; the wheel is broken or hostile, refusing to install it"
    )]
    UnsafePath { wheel: String, member: String },
    #[error(
        "`{wheel}`: `{member}` does not match its RECORD entry ({detail}); the wheel is corrupt, download it again or report it to its publisher"
    )]
    RecordMismatch {
        wheel: String,
        member: String,
        detail: String,
    },
    #[error(
        "the RECORD of {dist} lists `{path}`, which is outside the environment `{}`; refusing to remove it",
        root.display()
    )]
    OutsideEnvironment {
        dist: String,
        path: String,
        root: PathBuf,
    },
    #[error("the store failed: {0}")]
    Store(#[from] posy_store::StoreError),
}

/// Adds the action and path to an I/O error.
pub(crate) trait IoContext<T> {
    fn ctx(self, action: &'static str, path: impl Into<PathBuf>) -> Result<T, InstallError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, action: &'static str, path: impl Into<PathBuf>) -> Result<T, InstallError> {
        self.map_err(|source| InstallError::Io {
            action,
            path: path.into(),
            source,
        })
    }
}
