//! The `[build-system]` table of a generated sdist.
//!
//! The default is setuptools, which builds the generated `pyproject.toml`
//! (PEP 621 `[project]` table plus flat-layout package discovery) without
//! any further configuration. Tests of a build frontend that must run
//! offline can point at an in-tree backend instead: a Python module shipped
//! in the sdist (`Package::sdist_file`) and named through `backend-path`
//! (PEP 517), with no requirements to install.

/// Which build backend an sdist asks for, and what it needs installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildBackend {
    pub(crate) backend: String,
    pub(crate) requires: Vec<String>,
    pub(crate) backend_path: Vec<String>,
}

impl BuildBackend {
    /// `setuptools.build_meta`, requiring `setuptools>=61` (the first release
    /// that reads `[project]`).
    pub fn setuptools() -> Self {
        Self::new("setuptools.build_meta", ["setuptools>=61"])
    }

    /// Any backend object (`module:object` or `module`) and its requirements.
    pub fn new<'a>(backend: &str, requires: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            backend: backend.to_string(),
            requires: requires.into_iter().map(str::to_string).collect(),
            backend_path: Vec::new(),
        }
    }

    /// Adds `backend-path` entries, for a backend that lives inside the sdist.
    pub fn backend_path<'a>(mut self, paths: impl IntoIterator<Item = &'a str>) -> Self {
        self.backend_path
            .extend(paths.into_iter().map(str::to_string));
        self
    }
}
