//! What can go wrong while building, each error naming the package or file
//! involved and, where there is one, what to do about it.

use std::io;
use std::path::{Path, PathBuf};

use posy_store::StoreError;

use crate::hook::Hook;

/// A failure of the build frontend.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file operation failed.
    #[error("failed to {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// An sdist archive is damaged, of an unknown kind, or tries to write
    /// outside the directory it is extracted into.
    #[error("refusing to unpack `{}`: {reason}", archive.display())]
    UnsafeArchive { archive: PathBuf, reason: String },

    /// An sdist archive cannot be read (truncated, not an archive).
    #[error("cannot read the sdist `{}`: {reason}", archive.display())]
    BadArchive { archive: PathBuf, reason: String },

    /// `pyproject.toml` is not valid, or its `[build-system]` table is not.
    #[error("invalid `{}`: {reason}", path.display())]
    BadPyproject { path: PathBuf, reason: String },

    /// The source tree is not a Python project.
    #[error(
        "`{}` is not a Python project: it has neither `pyproject.toml` nor `setup.py`",
        path.display()
    )]
    NotAProject { path: PathBuf },

    /// The build environment could not be provided. The cause is part of
    /// the message (not a `source`), so a report that prints the chain
    /// does not say it twice.
    #[error(
        "failed to prepare a build environment for {package} (requirements: {requires}): {cause}"
    )]
    Environment {
        package: String,
        requires: String,
        cause: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The backend's hook failed; `output` is the tail of what it printed.
    #[error(
        "{hook} failed for {package}: {reason}\n--- last lines of the backend's output ---\n{output}"
    )]
    HookFailed {
        package: String,
        hook: Hook,
        reason: String,
        output: String,
    },

    /// The backend does not implement a hook that has no fallback
    /// (`build_editable` without PEP 660 support).
    #[error("the build backend of {package} does not support {hook}; {advice}")]
    HookMissing {
        package: String,
        hook: Hook,
        advice: &'static str,
    },

    /// The backend answered, but with something that breaks the protocol
    /// (a wheel that is not there, metadata that does not parse).
    #[error("the build backend of {package} returned a bad result from {hook}: {reason}")]
    BadHookResult {
        package: String,
        hook: Hook,
        reason: String,
    },

    /// The Python interpreter running the hook could not be started.
    #[error("failed to run `{}` for the {hook} hook of {package}: {source}", python.display())]
    Spawn {
        package: String,
        hook: Hook,
        python: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A built or cached wheel is not a usable wheel.
    #[error("the wheel `{}` is invalid: {reason}", path.display())]
    BadWheel { path: PathBuf, reason: String },
}

/// Attaches the action and path to an `io::Error`.
pub(crate) trait IoContext<T> {
    fn ctx(self, action: &'static str, path: &Path) -> Result<T, BuildError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, action: &'static str, path: &Path) -> Result<T, BuildError> {
        self.map_err(|source| BuildError::Io {
            action,
            path: path.to_path_buf(),
            source,
        })
    }
}
