//! What a build starts from: an sdist archive, a local project directory,
//! or a local project directory to install in editable mode (PEP 660).

use std::path::{Path, PathBuf};

use posy_vocab::{PackageName, SdistFilename};

use crate::archive::read_pkg_info;
use crate::reporter::{name_and_version, project_name_and_version};

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

    /// The package's name, read without unpacking or building: an sdist's
    /// `PKG-INFO`, else its file name (which in the store may be a hash); a
    /// project's static `[project] name`. `None` when only the backend
    /// could tell (a `setup.py` project, a dynamic name).
    pub fn read_name(&self) -> Option<PackageName> {
        match self {
            BuildSource::Sdist { path, .. } => read_pkg_info(path)
                .ok()
                .flatten()
                .and_then(|bytes| name_and_version(&bytes))
                .map(|(name, _)| name)
                .or_else(|| {
                    let file_name = path.file_name()?.to_str()?;
                    Some(file_name.parse::<SdistFilename>().ok()?.name().clone())
                }),
            BuildSource::Directory { path } | BuildSource::Editable { path } => {
                let text = std::fs::read_to_string(path.join("pyproject.toml")).ok()?;
                project_name_and_version(&text).0
            }
        }
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
