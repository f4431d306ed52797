//! What a build starts from: an sdist archive, a local project directory,
//! or a local project directory to install in editable mode (PEP 660).

use std::path::{Path, PathBuf};

/// A source to build a wheel (or read metadata) from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildSource {
    /// An sdist archive on disk (`.tar.gz`, legacy `.zip` or `.tar.bz2`).
    Sdist {
        path: PathBuf,
        /// The archive's sha256 as 64 hex digits, when the caller already
        /// knows it (from the index or the download); otherwise it is
        /// computed. It keys the built-wheel cache.
        sha256: Option<String>,
    },
    /// A project directory, built into a regular wheel. Backends may write
    /// into it (setuptools writes `build/` and `*.egg-info`).
    Directory { path: PathBuf },
    /// A project directory, built into an editable wheel (`build_editable`)
    /// that points back at it.
    Editable { path: PathBuf },
}

impl BuildSource {
    pub fn sdist(path: impl Into<PathBuf>) -> BuildSource {
        BuildSource::Sdist {
            path: path.into(),
            sha256: None,
        }
    }

    pub fn directory(path: impl Into<PathBuf>) -> BuildSource {
        BuildSource::Directory { path: path.into() }
    }

    pub fn editable(path: impl Into<PathBuf>) -> BuildSource {
        BuildSource::Editable { path: path.into() }
    }

    /// The archive or directory.
    pub fn path(&self) -> &Path {
        match self {
            BuildSource::Sdist { path, .. }
            | BuildSource::Directory { path }
            | BuildSource::Editable { path } => path,
        }
    }

    pub fn is_editable(&self) -> bool {
        matches!(self, BuildSource::Editable { .. })
    }

    /// A short name for messages and progress lines: the archive's or
    /// directory's file name.
    pub fn display_name(&self) -> String {
        let path = self.path();
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
    }
}
