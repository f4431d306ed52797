//! Finding the interpreter a [`PythonRequest`] means.
//!
//! Search order, first match wins:
//!
//! 1. the active virtual environment (`VIRTUAL_ENV`);
//! 2. `.venv` in the working directory or the nearest parent that has one;
//! 3. managed interpreters (those posy installs itself, see
//!    [`crate::managed`]), newest first, handed out through their
//!    minor-version link when they are the newest patch (so a venv made
//!    from one survives an upgrade); `--no-managed-python`
//!    (`POSY_PYTHON_PREFERENCE=only-system`) skips them,
//!    `--managed-python` (`only-managed`) skips 4 and 5, and `system`
//!    moves them after 5;
//! 4. every directory on `PATH`, in order, looking for `python3.X` (when the
//!    request names a minor version), then `python3`, then `python`; for a
//!    specifier request also every other `python3.X` in the directory,
//!    newest first;
//! 5. pyenv's installed versions, newest first (`$PYENV_ROOT/versions/*/bin/python`),
//!    when pyenv is in use (its `shims` or `bin` directory is on `PATH`).
//!
//! A path request skips the search; an executable-name request searches
//! only `PATH`. pyenv shims met on `PATH` are resolved to the interpreter
//! they would run (see the `pyenv` module) so their probe can be cached.
//!
//! Every candidate is probed (cheap after the first time: cached) and
//! checked against the request. Everything rejected is kept, with the
//! reason, for the error message: a user who gets "no interpreter found"
//! deserves to see where posy looked.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::interpreter::Interpreter;
use crate::managed::{HostPlatform, ManagedDir};
use crate::probe_cache::ProbeCache;
use crate::pyenv;
use crate::python_version::PythonVersion;
use crate::request::PythonRequest;

/// The parts of the process environment discovery reads, gathered once so
/// tests can supply their own.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryEnv {
    pub cwd: PathBuf,
    pub path: Option<OsString>,
    pub virtual_env: Option<PathBuf>,
    pub pyenv_root: Option<PathBuf>,
    pub pyenv_version: Option<String>,
    pub home: Option<PathBuf>,
    /// Where managed interpreters are installed.
    pub managed: Option<ManagedDir>,
    /// Managed interpreters or the system's, and in which order.
    pub preference: PythonPreference,
}

/// Which interpreters discovery considers, as uv's `--python-preference`
/// names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PythonPreference {
    /// Managed interpreters first, then the system's (the default).
    #[default]
    Managed,
    /// Only managed interpreters (`--managed-python`).
    OnlyManaged,
    /// The system's first, then managed ones.
    System,
    /// Only the system's (`--no-managed-python`).
    OnlySystem,
}

/// How the preference is passed to discovery (the CLI sets it from its flags).
pub const PREFERENCE_ENV: &str = "POSY_PYTHON_PREFERENCE";

impl PythonPreference {
    /// `managed`, `only-managed`, `system`, `only-system`.
    pub fn parse(text: &str) -> Option<PythonPreference> {
        Some(match text {
            "managed" => PythonPreference::Managed,
            "only-managed" => PythonPreference::OnlyManaged,
            "system" => PythonPreference::System,
            "only-system" => PythonPreference::OnlySystem,
            _ => return None,
        })
    }

    pub fn allows_managed(self) -> bool {
        self != PythonPreference::OnlySystem
    }

    pub fn allows_system(self) -> bool {
        self != PythonPreference::OnlyManaged
    }
}

impl DiscoveryEnv {
    /// The current process's working directory and environment variables.
    pub fn from_process() -> std::io::Result<DiscoveryEnv> {
        let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        Ok(DiscoveryEnv {
            cwd: std::env::current_dir()?,
            path: non_empty("PATH"),
            virtual_env: non_empty("VIRTUAL_ENV").map(PathBuf::from),
            pyenv_root: non_empty("PYENV_ROOT").map(PathBuf::from),
            pyenv_version: non_empty("PYENV_VERSION").and_then(|v| v.into_string().ok()),
            home: non_empty("HOME").map(PathBuf::from),
            managed: ManagedDir::from_env(),
            preference: non_empty(PREFERENCE_ENV)
                .and_then(|v| PythonPreference::parse(&v.to_string_lossy()))
                .unwrap_or_default(),
        })
    }
}

/// Where a candidate came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The path given with `--python`.
    Requested,
    /// `VIRTUAL_ENV`.
    ActiveVenv,
    /// A `.venv` directory in the working directory or a parent.
    ProjectVenv,
    /// A directory on `PATH`.
    SearchPath,
    /// pyenv's installed versions.
    Pyenv,
    /// An interpreter posy installed.
    Managed,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Requested => "requested path",
            Source::ActiveVenv => "active virtual environment (VIRTUAL_ENV)",
            Source::ProjectVenv => "project .venv",
            Source::SearchPath => "PATH",
            Source::Pyenv => "pyenv",
            Source::Managed => "managed by posy",
        })
    }
}

/// A candidate posy looked at and did not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub path: PathBuf,
    pub source: Source,
    pub reason: String,
}

/// No interpreter satisfies the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DiscoveryError {
    pub request: String,
    pub tried: Vec<Rejection>,
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no Python interpreter found for {}", self.request)?;
        if self.tried.is_empty() {
            write!(
                f,
                "; there was no candidate at all (no virtual environment, no python on PATH, no pyenv versions)"
            )?;
        } else {
            write!(f, "; tried:")?;
            for rejection in &self.tried {
                write!(
                    f,
                    "\n  - {} ({}): {}",
                    rejection.path.display(),
                    rejection.source,
                    rejection.reason
                )?;
            }
        }
        write!(
            f,
            "\nInstall a matching Python, or pass --python with the path of an interpreter"
        )
    }
}

/// Find the interpreter `request` means. See the module documentation for
/// the order and rules.
pub fn find_interpreter(
    request: &PythonRequest,
    env: &DiscoveryEnv,
    cache: &ProbeCache,
) -> Result<Interpreter, DiscoveryError> {
    let mut tried = Vec::new();
    let mut seen = HashSet::new();
    for (path, source) in candidates(request, env, &mut tried) {
        if !seen.insert(identity(&path)) {
            continue;
        }
        match consider(request, &path, env, cache) {
            Ok(interpreter) => return Ok(interpreter),
            Err(reason) => tried.push(Rejection {
                path,
                source,
                reason,
            }),
        }
    }
    Err(DiscoveryError {
        request: request.to_string(),
        tried,
    })
}

/// Probe one candidate and check it against the request.
fn consider(
    request: &PythonRequest,
    path: &Path,
    env: &DiscoveryEnv,
    cache: &ProbeCache,
) -> Result<Interpreter, String> {
    let target = pyenv::resolve_shim(path, env);
    let interpreter =
        Interpreter::query(target.as_deref().unwrap_or(path), cache).map_err(|e| e.to_string())?;
    request.check(&interpreter)?;
    Ok(interpreter)
}

/// Two spellings of the same file in the same directory (e.g. `/bin` and
/// `/usr/bin` when one links to the other) are one candidate. The file
/// itself is not canonicalized: a venv's `bin/python` links to its base
/// interpreter but is a different interpreter.
fn identity(path: &Path) -> PathBuf {
    match (
        path.parent().and_then(|p| fs::canonicalize(p).ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// The candidates for `request`, in search order. Paths that do not exist
/// are recorded in `tried` only when the user named them.
fn candidates(
    request: &PythonRequest,
    env: &DiscoveryEnv,
    tried: &mut Vec<Rejection>,
) -> Vec<(PathBuf, Source)> {
    match request {
        PythonRequest::Path(path) => {
            let path = env.cwd.join(path);
            match executable_at(&path) {
                Some(executable) => vec![(executable, Source::Requested)],
                None => {
                    let reason = if path.exists() {
                        "it is neither an executable file, nor a directory with bin/python (a virtual environment or an installation)"
                    } else {
                        "it does not exist"
                    };
                    tried.push(Rejection {
                        path,
                        source: Source::Requested,
                        reason: reason.to_string(),
                    });
                    Vec::new()
                }
            }
        }
        PythonRequest::ExecutableName(name) => {
            let found: Vec<_> = search_path(env)
                .into_iter()
                .map(|dir| dir.join(executable_name(name)))
                .filter(|path| path.is_file())
                .map(|path| (path, Source::SearchPath))
                .collect();
            if found.is_empty() {
                tried.push(Rejection {
                    path: PathBuf::from(name),
                    source: Source::SearchPath,
                    reason: "no directory on PATH has it".to_string(),
                });
            }
            found
        }
        _ => {
            let mut found = Vec::new();
            if let Some(venv) = &env.virtual_env {
                match venv_python(venv) {
                    Some(python) => found.push((python, Source::ActiveVenv)),
                    None => tried.push(Rejection {
                        path: venv.clone(),
                        source: Source::ActiveVenv,
                        reason: "VIRTUAL_ENV points at a directory without bin/python".into(),
                    }),
                }
            }
            if let Some(python) = env
                .cwd
                .ancestors()
                .find_map(|dir| venv_python(&dir.join(".venv")))
            {
                found.push((python, Source::ProjectVenv));
            }
            let managed = managed_candidates(request, env);
            let mut system = Vec::new();
            let names = path_names(
                request.version(),
                matches!(request, PythonRequest::FreeThreaded(_)),
            );
            for dir in search_path(env) {
                for name in &names {
                    let path = dir.join(executable_name(name));
                    if path.is_file() {
                        system.push((path, Source::SearchPath));
                    }
                }
                if matches!(request, PythonRequest::Specifiers(_)) {
                    system.extend(
                        versioned_pythons(&dir)
                            .into_iter()
                            .map(|path| (path, Source::SearchPath)),
                    );
                }
            }
            if pyenv::is_active(env) {
                system.extend(
                    pyenv::installed_interpreters(env)
                        .into_iter()
                        .map(|path| (path, Source::Pyenv)),
                );
            }
            match env.preference {
                PythonPreference::Managed => found.extend(managed.into_iter().chain(system)),
                PythonPreference::OnlyManaged => found.extend(managed),
                PythonPreference::System => found.extend(system.into_iter().chain(managed)),
                PythonPreference::OnlySystem => found.extend(system),
            }
            found
        }
    }
}

/// The interpreters outside posy's managed directory that discovery can
/// see: `python3.N`, `python3` and `python` in each `PATH` directory, and
/// pyenv's versions when pyenv is active; probed (through the cache), one
/// per real file, in search order. Virtual environments are left out: they
/// are not interpreters to install from. What `posy python list` shows
/// beside the managed ones.
pub fn system_interpreters(env: &DiscoveryEnv, cache: &ProbeCache) -> Vec<Interpreter> {
    let mut paths = Vec::new();
    for dir in search_path(env) {
        paths.extend(versioned_pythons(&dir));
        for name in path_names(None, false) {
            let path = dir.join(executable_name(&name));
            if path.is_file() {
                paths.push(path);
            }
        }
    }
    if pyenv::is_active(env) {
        paths.extend(pyenv::installed_interpreters(env));
    }
    let managed_root = env
        .managed
        .as_ref()
        .and_then(|dir| fs::canonicalize(dir.root()).ok());
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for path in paths {
        let target = pyenv::resolve_shim(&path, env).unwrap_or(path);
        let Ok(real) = fs::canonicalize(&target) else {
            continue;
        };
        if managed_root
            .as_ref()
            .is_some_and(|root| real.starts_with(root))
            || !seen.insert(real)
        {
            continue;
        }
        if let Ok(interpreter) = Interpreter::query(&target, cache)
            && !interpreter.is_venv()
        {
            found.push(interpreter);
        }
    }
    found
}

/// The managed installs that satisfy `request` here, newest first.
fn managed_candidates(request: &PythonRequest, env: &DiscoveryEnv) -> Vec<(PathBuf, Source)> {
    let Some(dir) = &env.managed else {
        return Vec::new();
    };
    let host = HostPlatform::current();
    dir.installed()
        .into_iter()
        .filter(|python| {
            host.runs(&python.download)
                && request.admits_build(
                    &python.download.name,
                    &python.download.version(),
                    python.download.is_free_threaded(),
                )
        })
        .map(|python| (dir.executable(&python), Source::Managed))
        .collect()
}

/// The names to look for in each `PATH` directory (`python3.13t` is how
/// free-threaded builds install themselves beside the regular one).
fn path_names(version: Option<PythonVersion>, free_threaded: bool) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(PythonVersion {
        major,
        minor: Some(minor),
        ..
    }) = version
    {
        if free_threaded {
            names.push(format!("python{major}.{minor}t"));
        }
        names.push(format!("python{major}.{minor}"));
    }
    names.push("python3".to_string());
    names.push("python".to_string());
    names
}

/// `python3.N` files in `dir`, highest N first.
fn versioned_pythons(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let name = name.strip_suffix(".exe").unwrap_or(&name).to_string();
            let minor = name.strip_prefix("python3.")?.parse().ok()?;
            let path = entry.path();
            path.is_file().then_some((minor, path))
        })
        .collect();
    found.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    found.into_iter().map(|(_, path)| path).collect()
}

fn search_path(env: &DiscoveryEnv) -> Vec<PathBuf> {
    match &env.path {
        Some(path) => std::env::split_paths(path)
            .filter(|dir| !dir.as_os_str().is_empty())
            .map(|dir| env.cwd.join(dir))
            .collect(),
        None => Vec::new(),
    }
}

fn executable_name(name: &str) -> String {
    if cfg!(windows) && !name.ends_with(".exe") {
        format!("{name}.exe")
    } else {
        name.to_string()
    }
}

/// The interpreter of a virtual environment or installation root at `dir`.
pub fn venv_python(dir: &Path) -> Option<PathBuf> {
    let candidates: &[&str] = if cfg!(windows) {
        &["Scripts/python.exe", "python.exe"]
    } else {
        &["bin/python", "bin/python3"]
    };
    candidates
        .iter()
        .map(|relative| dir.join(relative))
        .find(|path| path.is_file())
}

/// A path request: the file itself, or the interpreter inside a directory.
fn executable_at(path: &Path) -> Option<PathBuf> {
    if path.is_file() {
        Some(path.to_path_buf())
    } else if path.is_dir() {
        venv_python(path)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_by_request() {
        assert_eq!(path_names(None, false), ["python3", "python"]);
        assert_eq!(
            path_names("3.11.7".parse().ok(), false),
            ["python3.11", "python3", "python"]
        );
        assert_eq!(
            path_names("3.13".parse().ok(), true),
            ["python3.13t", "python3.13", "python3", "python"]
        );
    }

    #[test]
    fn missing_path_request_explains() {
        let env = DiscoveryEnv {
            cwd: PathBuf::from("/"),
            ..DiscoveryEnv::default()
        };
        let request = PythonRequest::Path("/nonexistent/python9".into());
        let err = find_interpreter(&request, &env, &ProbeCache::disabled()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("/nonexistent/python9 (requested path): it does not exist"),
            "{text}"
        );
        assert!(text.contains("pass --python"), "{text}");
    }

    #[test]
    fn empty_environment_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let env = DiscoveryEnv {
            cwd: dir.path().to_path_buf(),
            ..DiscoveryEnv::default()
        };
        let err = find_interpreter(&PythonRequest::Any, &env, &ProbeCache::disabled()).unwrap_err();
        assert!(err.to_string().contains("no candidate at all"), "{err}");
    }
}
