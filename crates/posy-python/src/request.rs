//! What `--python` asks for, parsed once.
//!
//! The spellings, tried in this order (uv accepts the same):
//!
//! | input | meaning |
//! | --- | --- |
//! | `3`, `3.12`, `3.12.1` | that release (missing parts match anything) |
//! | `>=3.10`, `>=3.9,<3.13`, `==3.12.*` | a PEP 440 specifier set on `python_full_version` |
//! | `cpython`, `cpython3.12`, `cpython@3.12`, `cpython-3.12`, `cp312`, `pypy3.10`, `pp310`, `graalpy` | an implementation, optionally a release (`cp312` is the no-dot spelling of wheel tags) |
//! | anything with a `/` (or `\` on Windows), or starting with `.` or `~` | a path: an executable, a virtual environment or an installation root |
//! | `python3.12`, `pypy3`, `python` | an executable name, looked up on `PATH` |
//!
//! `any` (or no `--python` at all) means [`PythonRequest::Any`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use posy_vocab::SpecifierSet;

use crate::interpreter::{Implementation, Interpreter};
use crate::python_version::PythonVersion;

/// A parsed `--python` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonRequest {
    /// Any Python 3 (the first found).
    Any,
    /// A release: `3.12` or `3.12.1`.
    Version(PythonVersion),
    /// A free-threaded build of a release: `3.13t`.
    FreeThreaded(PythonVersion),
    /// A PEP 440 specifier set on the full Python version: `>=3.10,<3.13`.
    Specifiers(SpecifierSet),
    /// An implementation, optionally at a release: `pypy3.10`, `cp312`.
    Implementation {
        implementation: Implementation,
        version: Option<PythonVersion>,
    },
    /// An interpreter file, a virtual environment or an installation root.
    Path(PathBuf),
    /// An executable to find on `PATH`: `python3.12`.
    ExecutableName(String),
}

/// A `--python` value that means nothing posy knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not a Python request: {reason}. Use a version (`3.12`, `>=3.10`), an implementation (`cpython3.12`, `pypy3.10`), a path, or an executable name (`python3.12`)"
)]
pub struct RequestParseError {
    pub input: String,
    pub reason: String,
}

/// Implementation prefixes, longest first so `cpython` is not read as `cp` + `ython`.
const IMPLEMENTATION_PREFIXES: [&str; 6] = ["cpython", "graalpy", "pypy", "cp", "pp", "gp"];

impl FromStr for PythonRequest {
    type Err = RequestParseError;

    fn from_str(input: &str) -> Result<PythonRequest, RequestParseError> {
        let error = |reason: &str| RequestParseError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(error("it is empty"));
        }
        if text.eq_ignore_ascii_case("any") {
            return Ok(PythonRequest::Any);
        }
        if let Ok(version) = text.parse::<PythonVersion>() {
            return Ok(PythonRequest::Version(version));
        }
        if let Some(version) = text
            .strip_suffix('t')
            .and_then(|rest| rest.parse::<PythonVersion>().ok())
            .filter(|version| version.minor.is_some())
        {
            return Ok(PythonRequest::FreeThreaded(version));
        }
        if text.starts_with(['<', '>', '=', '!', '~']) {
            return text
                .parse::<SpecifierSet>()
                .map(PythonRequest::Specifiers)
                .map_err(|err| error(&format!("it is not a valid version specifier ({err})")));
        }
        if looks_like_path(text) {
            return Ok(PythonRequest::Path(expand_home(text)));
        }
        let lower = text.to_ascii_lowercase();
        for prefix in IMPLEMENTATION_PREFIXES {
            let Some(rest) = lower.strip_prefix(prefix) else {
                continue;
            };
            let rest = rest
                .strip_prefix('@')
                .or_else(|| rest.strip_prefix('-'))
                .unwrap_or(rest);
            let implementation = Implementation::from_name(prefix);
            if rest.is_empty() {
                return Ok(PythonRequest::Implementation {
                    implementation,
                    version: None,
                });
            }
            let version = if rest.contains('.') {
                rest.parse().ok()
            } else {
                PythonVersion::from_nodot(rest)
            };
            if let Some(version) = version {
                return Ok(PythonRequest::Implementation {
                    implementation,
                    version: Some(version),
                });
            }
            // `cpythonfoo` is no implementation request; it may still be an
            // executable name.
            break;
        }
        let valid_name = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
        if valid_name {
            Ok(PythonRequest::ExecutableName(text.to_string()))
        } else {
            Err(error(
                "it is neither a version, a path nor an executable name",
            ))
        }
    }
}

fn looks_like_path(text: &str) -> bool {
    text.contains('/')
        || (cfg!(windows) && text.contains('\\'))
        || text.starts_with('.')
        || text.starts_with('~')
}

fn expand_home(text: &str) -> PathBuf {
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return Path::new(&home).join(rest);
    }
    PathBuf::from(text)
}

impl PythonRequest {
    /// `Ok` if `interpreter` satisfies this request, else why not (for the
    /// "what was tried" list). Path and name requests are satisfied by
    /// whatever they point at.
    pub fn check(&self, interpreter: &Interpreter) -> Result<(), String> {
        let (major, minor, patch) = interpreter.python_release();
        let describe = || interpreter.display_name();
        match self {
            PythonRequest::Any => {
                if major >= 3 {
                    Ok(())
                } else {
                    Err(format!("{} is not Python 3", describe()))
                }
            }
            PythonRequest::Version(version) => {
                if version.matches(major, minor, patch) {
                    Ok(())
                } else {
                    Err(format!("{} is not {version}", describe()))
                }
            }
            PythonRequest::FreeThreaded(version) => {
                if !version.matches(major, minor, patch) {
                    Err(format!("{} is not {version}t", describe()))
                } else if !interpreter.is_free_threaded() {
                    Err(format!("{} is not a free-threaded build", describe()))
                } else {
                    Ok(())
                }
            }
            PythonRequest::Specifiers(specifiers) => {
                if specifiers.contains(&interpreter.python_version()) {
                    Ok(())
                } else {
                    Err(format!("{} does not satisfy `{specifiers}`", describe()))
                }
            }
            PythonRequest::Implementation {
                implementation,
                version,
            } => {
                if interpreter.implementation() != *implementation {
                    return Err(format!("{} is not {implementation}", describe()));
                }
                match version {
                    Some(version) if !version.matches(major, minor, patch) => {
                        Err(format!("{} is not {implementation} {version}", describe()))
                    }
                    _ => Ok(()),
                }
            }
            PythonRequest::Path(_) | PythonRequest::ExecutableName(_) => Ok(()),
        }
    }

    /// Whether a build of `implementation` (`cpython`, `pypy`: the
    /// `sys.implementation.name` spelling) at `version` (`3.12.1`,
    /// `3.13.0rc1`), free-threaded or not, satisfies this request: what
    /// [`check`](Self::check) asks of a probed interpreter, asked of a
    /// download or a managed install that has not run. Without a version
    /// in the request, a pre-release is not wanted; a free-threaded build
    /// only when asked for.
    pub fn admits_build(&self, implementation: &str, version: &str, free_threaded: bool) -> bool {
        let Ok(parsed) = version.parse::<posy_vocab::Version>() else {
            return false;
        };
        let release = parsed.release();
        let (major, minor, patch) = (
            release.first().copied().unwrap_or(0),
            release.get(1).copied().unwrap_or(0),
            release.get(2).copied().unwrap_or(0),
        );
        let prerelease = parsed.is_prerelease();
        let cpython = implementation == "cpython";
        match self {
            PythonRequest::Any => cpython && major >= 3 && !prerelease && !free_threaded,
            PythonRequest::Version(wanted) => {
                cpython
                    && !free_threaded
                    && wanted.matches(major, minor, patch)
                    && (!prerelease || wanted.patch.is_some())
            }
            PythonRequest::FreeThreaded(wanted) => {
                cpython
                    && free_threaded
                    && wanted.matches(major, minor, patch)
                    && (!prerelease || wanted.patch.is_some())
            }
            PythonRequest::Specifiers(specifiers) => {
                cpython && !free_threaded && specifiers.contains(&parsed)
            }
            PythonRequest::Implementation {
                implementation: wanted,
                version,
            } => {
                wanted.sys_name() == implementation
                    && !free_threaded
                    && version.is_none_or(|v| v.matches(major, minor, patch))
                    && (!prerelease || version.is_some_and(|v| v.patch.is_some()))
            }
            PythonRequest::Path(_) | PythonRequest::ExecutableName(_) => false,
        }
    }

    /// The release this request pins, if any: what a `python3.X` file name
    /// must agree with, and which `python3.X` to look for on `PATH`.
    pub fn version(&self) -> Option<PythonVersion> {
        match self {
            PythonRequest::Version(version) | PythonRequest::FreeThreaded(version) => {
                Some(*version)
            }
            PythonRequest::Implementation { version, .. } => *version,
            _ => None,
        }
    }
}

impl fmt::Display for PythonRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PythonRequest::Any => f.write_str("any Python 3"),
            PythonRequest::Version(version) => write!(f, "Python {version}"),
            PythonRequest::FreeThreaded(version) => write!(f, "free-threaded Python {version}t"),
            PythonRequest::Specifiers(specifiers) => write!(f, "Python {specifiers}"),
            PythonRequest::Implementation {
                implementation,
                version: Some(version),
            } => write!(f, "{implementation} {version}"),
            PythonRequest::Implementation {
                implementation,
                version: None,
            } => write!(f, "{implementation}"),
            PythonRequest::Path(path) => write!(f, "the interpreter at `{}`", path.display()),
            PythonRequest::ExecutableName(name) => write!(f, "`{name}` on PATH"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> PythonRequest {
        text.parse().unwrap()
    }

    fn version(text: &str) -> PythonVersion {
        text.parse().unwrap()
    }

    #[test]
    fn versions() {
        assert_eq!(parse("3.11"), PythonRequest::Version(version("3.11")));
        assert_eq!(parse(" 3.11.7 "), PythonRequest::Version(version("3.11.7")));
        assert_eq!(parse("3"), PythonRequest::Version(version("3")));
        assert_eq!(parse("any"), PythonRequest::Any);
        assert_eq!(parse("3.13t"), PythonRequest::FreeThreaded(version("3.13")));
        assert_eq!(
            parse("3.13.1t"),
            PythonRequest::FreeThreaded(version("3.13.1"))
        );
        assert!(matches!(parse("3t"), PythonRequest::ExecutableName(_)));
    }

    #[test]
    fn specifiers() {
        assert!(matches!(parse(">=3.10"), PythonRequest::Specifiers(_)));
        assert!(matches!(parse(">=3.9,<3.13"), PythonRequest::Specifiers(_)));
        assert!(matches!(parse("==3.12.*"), PythonRequest::Specifiers(_)));
        let err = ">=3.x".parse::<PythonRequest>().unwrap_err();
        assert!(
            err.to_string().contains("not a valid version specifier"),
            "{err}"
        );
    }

    #[test]
    fn implementations() {
        let cp = |v: Option<&str>| PythonRequest::Implementation {
            implementation: Implementation::CPython,
            version: v.map(version),
        };
        assert_eq!(parse("cpython3.11"), cp(Some("3.11")));
        assert_eq!(parse("CPython@3.11"), cp(Some("3.11")));
        assert_eq!(parse("cpython-3.11.7"), cp(Some("3.11.7")));
        assert_eq!(parse("cp311"), cp(Some("3.11")));
        assert_eq!(parse("cp3"), cp(Some("3")));
        assert_eq!(parse("cpython"), cp(None));
        assert_eq!(
            parse("pypy3.10"),
            PythonRequest::Implementation {
                implementation: Implementation::PyPy,
                version: Some(version("3.10")),
            }
        );
        assert_eq!(
            parse("pp310"),
            PythonRequest::Implementation {
                implementation: Implementation::PyPy,
                version: Some(version("3.10")),
            }
        );
        assert_eq!(
            parse("graalpy"),
            PythonRequest::Implementation {
                implementation: Implementation::GraalPy,
                version: None,
            }
        );
    }

    #[test]
    fn paths_and_names() {
        assert_eq!(
            parse("/usr/bin/python3"),
            PythonRequest::Path("/usr/bin/python3".into())
        );
        assert_eq!(parse("./venv"), PythonRequest::Path("./venv".into()));
        assert_eq!(parse(".venv"), PythonRequest::Path(".venv".into()));
        assert_eq!(
            parse("python3.11"),
            PythonRequest::ExecutableName("python3.11".into())
        );
        assert_eq!(
            parse("pypy3"),
            PythonRequest::Implementation {
                implementation: Implementation::PyPy,
                version: Some(version("3")),
            }
        );
        assert_eq!(
            parse("python"),
            PythonRequest::ExecutableName("python".into())
        );
        assert_eq!(
            parse("cpythonic"),
            PythonRequest::ExecutableName("cpythonic".into())
        );
    }

    #[test]
    fn nonsense_is_an_error_that_names_the_input() {
        for bad in ["", "   ", "python 3", "3.11!", "py$"] {
            let err = bad.parse::<PythonRequest>().unwrap_err();
            assert!(
                err.to_string().contains("is not a Python request"),
                "{bad}: {err}"
            );
        }
    }
}
