//! Build environments: where the frontend gets "a Python with these
//! requirements installed", without knowing how to resolve or install.
//!
//! A build needs its backend's requirements installed, but resolving and
//! installing live in crates above this one. So the frontend asks through
//! [`BuildEnvironments`], a trait the binary implements with posy's own
//! resolver and installer; this keeps the dependency arrow pointing down.

use std::future::Future;
use std::path::{Path, PathBuf};

use posy_python::Interpreter;
use posy_vocab::Requirement;

use crate::reporter::BuildLabel;

/// An environment a backend runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildEnv {
    /// The environment's Python executable (e.g. `<venv>/bin/python`).
    pub python: PathBuf,
    /// Directories put first on `PATH` while hooks run, so the backend finds
    /// tools installed with its requirements (`cmake`, `ninja`). Usually the
    /// environment's scripts directory.
    pub path_dirs: Vec<PathBuf>,
}

impl BuildEnv {
    /// An environment whose scripts live beside its Python, as in every
    /// virtual environment (`bin/` on Unix, `Scripts/` on Windows).
    pub fn from_python(python: impl Into<PathBuf>) -> BuildEnv {
        let python = python.into();
        let path_dirs = python.parent().map(Path::to_path_buf).into_iter().collect();
        BuildEnv { python, path_dirs }
    }
}

/// The error type implementors return; the frontend wraps it with the
/// package and requirements it was building for.
pub type EnvironmentError = Box<dyn std::error::Error + Send + Sync>;

/// Provides isolated build environments (PEP 517/518 "build isolation").
///
/// # Contract
///
/// - `environment(python, requires, building)` returns an environment made from
///   `python` (same implementation, version and platform: the frontend's
///   built-wheel cache is keyed by that interpreter) in which exactly
///   `requires`, resolved for that interpreter, are importable, and nothing
///   from the user's environment is. Markers in `requires` are evaluated
///   for `python`. An empty `requires` still gets an environment (a bare
///   venv: a backend may live in the tree, via `backend-path`).
/// - The frontend calls it first with `build-system.requires`, then, if the
///   backend's `get_requires_for_build_*` hook adds requirements, once more
///   with the union (the first list followed by the additions).
/// - Caching is the implementor's job: environments should be keyed by the
///   *resolved* set (pins and hashes), so that `setuptools>=61` and
///   `setuptools>=62` resolving to the same pins share one environment, and
///   a second build with the same requirements costs a lookup. A returned
///   environment must stay usable until the future of every build using it
///   has completed; the frontend never modifies it (backends are expected
///   not to either, but a cached environment that must be pristine can be
///   re-verified or rebuilt by the implementor).
/// - `building` names the package whose build needs the environment. An
///   implementor that builds requirements from source (an sdist-only
///   build requirement) uses it to refuse cycles, naming the chain, where
///   building `x` needs `x` built first.
/// - It is called concurrently from several builds: implementations must be
///   safe under concurrent calls for the same set (build once, share).
/// - The future must be `Send`: builds run on a multi-threaded runtime.
///   Blocking work (creating a venv, linking files) belongs on blocking
///   threads (`tokio::task::spawn_blocking`).
pub trait BuildEnvironments: Send + Sync {
    /// An environment made from `python` with `requires` installed, for
    /// building `building`.
    fn environment(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
        building: &BuildLabel,
    ) -> impl Future<Output = Result<BuildEnv, EnvironmentError>> + Send;

    /// The exact pins (`name==version`) `requires` resolves to for
    /// `python`, as [`environment`](Self::environment) would install them,
    /// without installing anything: what the shared build cache puts in a
    /// build's identity (see [`crate::BuildIdentity`]).
    fn pins(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
    ) -> impl Future<Output = Result<Vec<String>, EnvironmentError>> + Send;
}
