//! Which backend builds a source tree, and what it needs (PEP 517, PEP 518).
//!
//! `pyproject.toml`'s `[build-system]` table names the backend
//! (`build-backend`, an object reference `module:attr.attr`), its
//! requirements (`requires`, PEP 508 strings) and, for backends that ship
//! inside the project, `backend-path` (directories relative to the project
//! root, which must stay inside it). When the table or the file is missing,
//! PEP 517 says to fall back to setuptools' legacy backend, which runs
//! `setup.py`; when only `build-backend` is missing, the same backend is
//! used with the `requires` that were given.

use std::path::{Component, Path, PathBuf};

use posy_vocab::Requirement;

use crate::error::{BuildError, IoContext};

/// The backend PEP 517 prescribes when a project names none.
pub const LEGACY_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// The requirements of [`LEGACY_BACKEND`] when `pyproject.toml` gives none.
pub const LEGACY_REQUIRES: &str = "setuptools>=40.8.0";

/// A source tree's build system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    /// What the backend needs installed (`build-system.requires`).
    pub requires: Vec<Requirement>,
    /// The backend object, `module` or `module:object`.
    pub backend: String,
    /// Absolute directories put first on `sys.path` to find an in-tree backend.
    pub backend_path: Vec<PathBuf>,
}

impl BuildSystem {
    /// Reads the build system of the project rooted at `root`.
    pub fn read(root: &Path) -> Result<BuildSystem, BuildError> {
        let pyproject = root.join("pyproject.toml");
        match std::fs::read_to_string(&pyproject) {
            Ok(text) => Self::parse(&text, root).map_err(|reason| BuildError::BadPyproject {
                path: pyproject,
                reason,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if root.join("setup.py").is_file() || root.join("setup.cfg").is_file() {
                    Ok(Self::legacy())
                } else {
                    Err(BuildError::NotAProject {
                        path: root.to_path_buf(),
                    })
                }
            }
            Err(e) => Err(e).ctx("read", &pyproject),
        }
    }

    /// The PEP 517 default: setuptools' legacy backend.
    pub fn legacy() -> BuildSystem {
        BuildSystem {
            requires: vec![legacy_requirement()],
            backend: LEGACY_BACKEND.to_string(),
            backend_path: Vec::new(),
        }
    }

    /// Parses `pyproject.toml` text of the project at `root` (which is
    /// only joined with `backend-path` entries, never read).
    pub fn parse(text: &str, root: &Path) -> Result<BuildSystem, String> {
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let Some(table) = doc.get("build-system") else {
            return Ok(Self::legacy());
        };
        let table = table.as_table().ok_or("`build-system` must be a table")?;
        let requires = match table.get("requires") {
            None => return Err("`build-system.requires` is missing (PEP 518 requires it)".into()),
            Some(value) => value
                .as_array()
                .ok_or("`build-system.requires` must be an array of strings")?
                .iter()
                .map(|item| {
                    let text = item
                        .as_str()
                        .ok_or("`build-system.requires` must be an array of strings")?;
                    text.parse::<Requirement>()
                        .map_err(|e| format!("bad requirement in `build-system.requires`:\n{e}"))
                })
                .collect::<Result<Vec<_>, String>>()?,
        };
        let backend = match table.get("build-backend") {
            None => LEGACY_BACKEND.to_string(),
            Some(value) => {
                let backend = value
                    .as_str()
                    .ok_or("`build-system.build-backend` must be a string")?;
                check_object_reference(backend)?;
                backend.to_string()
            }
        };
        let backend_path = match table.get("backend-path") {
            None => Vec::new(),
            Some(value) => value
                .as_array()
                .ok_or("`build-system.backend-path` must be an array of strings")?
                .iter()
                .map(|item| {
                    let text = item
                        .as_str()
                        .ok_or("`build-system.backend-path` must be an array of strings")?;
                    backend_dir(root, text)
                })
                .collect::<Result<Vec<_>, String>>()?,
        };
        Ok(BuildSystem {
            requires,
            backend,
            backend_path,
        })
    }
}

fn legacy_requirement() -> Requirement {
    // A constant that parses; a failure here is a bug caught by the unit tests.
    LEGACY_REQUIRES
        .parse()
        .unwrap_or_else(|e| panic!("the legacy requirement is valid PEP 508: {e}"))
}

/// `module.sub:object.attr`: dotted identifiers, at most one colon.
fn check_object_reference(backend: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "`build-system.build-backend` = {backend:?} is not of the form `module.path:object`"
        )
    };
    let (module, object) = match backend.split_once(':') {
        Some((m, o)) => (m, Some(o)),
        None => (backend, None),
    };
    let dotted = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                let mut chars = part.chars();
                chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                    && chars.all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    if dotted(module.trim()) && object.is_none_or(|o| dotted(o.trim())) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// A `backend-path` entry as an absolute directory, refusing one that
/// leaves the project (PEP 517 requires frontends to check this).
fn backend_dir(root: &Path, entry: &str) -> Result<PathBuf, String> {
    let relative = Path::new(entry);
    let mut depth = 0usize;
    for component in relative.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => {
                return Err(format!(
                    "`build-system.backend-path` entry {entry:?} points outside the project"
                ));
            }
        }
    }
    Ok(root.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BuildSystem, String> {
        BuildSystem::parse(text, Path::new("/src/p"))
    }

    #[test]
    fn full_table() {
        let system = parse(
            "[build-system]\nrequires = [\"hatchling>=1.0\", \"x; python_version<'3'\"]\n\
             build-backend = \"hatchling.build\"\nbackend-path = [\".\", \"tools\"]\n",
        )
        .unwrap();
        assert_eq!(system.backend, "hatchling.build");
        assert_eq!(system.requires.len(), 2);
        assert_eq!(system.requires[0].name.as_str(), "hatchling");
        assert_eq!(
            system.backend_path,
            vec![PathBuf::from("/src/p/."), PathBuf::from("/src/p/tools")]
        );
    }

    #[test]
    fn defaults() {
        let legacy = BuildSystem::legacy();
        assert_eq!(parse("[project]\nname = \"x\"\n").unwrap(), legacy);
        let system = parse("[build-system]\nrequires = [\"setuptools>=61\"]\n").unwrap();
        assert_eq!(system.backend, LEGACY_BACKEND);
        assert_eq!(system.requires[0].to_string(), "setuptools>=61");
        assert_eq!(legacy.requires[0].to_string(), "setuptools>=40.8.0");
    }

    #[test]
    fn refusals() {
        assert!(
            parse("[build-system]\nbuild-backend = \"x\"\n")
                .unwrap_err()
                .contains("requires")
        );
        assert!(parse("[build-system]\nrequires = [\"!!\"]\n").is_err());
        assert!(parse("[build-system]\nrequires = []\nbuild-backend = \"a b\"\n").is_err());
        assert!(parse("[build-system]\nrequires = []\nbuild-backend = \"a:b:c\"\n").is_err());
        let outside =
            parse("[build-system]\nrequires = []\nbackend-path = [\"../x\"]\n").unwrap_err();
        assert!(outside.contains("outside the project"), "{outside}");
        assert!(parse("[build-system]\nrequires = []\nbackend-path = [\"/abs\"]\n").is_err());
        assert!(parse("[build-system]\nrequires = []\nbackend-path = [\"a/../..\"]\n").is_err());
        assert!(parse("not toml [").is_err());
    }

    #[test]
    fn object_references() {
        assert!(check_object_reference("setuptools.build_meta:__legacy__").is_ok());
        assert!(check_object_reference("flit_core.buildapi").is_ok());
        assert!(check_object_reference("1x").is_err());
        assert!(check_object_reference("").is_err());
        assert!(check_object_reference("a.:b").is_err());
    }
}
