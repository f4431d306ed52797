//! `[tool.posy.sources]`: where a project's dependency comes from when it
//! is not an index, in the shape of uv's `[tool.uv.sources]`:
//!
//! ```toml
//! [tool.posy.sources]
//! lib = { git = "https://example.com/lib.git", tag = "v1.0", subdirectory = "python" }
//! tool = { git = "ssh://git@example.com/tool.git", branch = "main" }
//! local = { path = "../local", editable = true }
//! wheel = { url = "https://example.com/wheel-1.0-py3-none-any.whl" }
//! ```
//!
//! A source applies to every requirement of the project on its package
//! (`dependencies`, each extra's, each dependency group's) and, as in uv,
//! replaces the version specifiers the requirement gives: the requirement
//! becomes a direct reference (`lib @ git+https://…@v1.0#subdirectory=python`)
//! that keeps its extras and marker. A requirement that is already a
//! direct reference keeps its own URL, and a source for a package the
//! project does not depend on does nothing.
//!
//! A git source names at most one of `tag`, `branch` and `rev` (none: the
//! default branch). A path is relative to the `pyproject.toml`'s directory.
//! An `{ index = "name" }` source is not a direct reference: the
//! requirement keeps its specifiers and its package is looked up on that
//! named index (`[[tool.posy.index]]`) alone.
//!
//! Not yet: several sources for one package chosen by `marker`, sources
//! for one `extra` or `group` only, and a `subdirectory` of a `url` archive. Each is refused with the entry's
//! name rather than ignored, so a project never resolves differently from
//! what its file says. Also not yet: sources applied to dependencies that
//! only the build backend can tell (`dynamic = ["dependencies"]`), which
//! uv lowers too; such a project's requirements are taken as its backend
//! gives them.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use posy_vocab::PackageName;

/// Where one package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `{ git = URL, tag|branch|rev = …, subdirectory = … }`.
    Git {
        /// The repository URL as `git` takes it (no `git+`).
        repository: String,
        reference: GitReference,
        subdirectory: Option<String>,
    },
    /// `{ path = …, editable = … }`: a project directory, a wheel or an sdist.
    Path {
        /// As written: relative to the project's directory, or absolute.
        path: PathBuf,
        editable: bool,
    },
    /// `{ url = … }`: a wheel or an sdist.
    Url { url: String },
    /// `{ workspace = true }`: the workspace member of that name
    /// (installed editable).
    Workspace,
    /// `{ index = "name" }`: from the index of that name in
    /// `[[tool.posy.index]]` only; the requirement keeps its specifiers.
    Index { name: String },
}

/// Which commit of a git source: what its entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitReference {
    DefaultBranch,
    Branch(String),
    Tag(String),
    /// A commit id (full or short), or any other revision `git` knows.
    Rev(String),
}

/// A direct reference a source makes of a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTarget {
    /// A URL (`git+…`, `https://…`) or a path, as a requirement writes it.
    pub target: String,
    pub editable: bool,
}

impl Source {
    /// The direct reference this source stands for, for a project in `project_dir`.
    pub fn target(&self, project_dir: &Path) -> SourceTarget {
        match self {
            Source::Git {
                repository,
                reference,
                subdirectory,
            } => {
                let mut target = format!("git+{repository}");
                match reference {
                    GitReference::DefaultBranch => {}
                    GitReference::Branch(name)
                    | GitReference::Tag(name)
                    | GitReference::Rev(name) => {
                        target.push('@');
                        target.push_str(name);
                    }
                }
                if let Some(dir) = subdirectory {
                    target.push_str("#subdirectory=");
                    target.push_str(dir);
                }
                SourceTarget {
                    target,
                    editable: false,
                }
            }
            Source::Path { path, editable } => SourceTarget {
                target: path_target(&project_dir.join(path)),
                editable: *editable,
            },
            Source::Url { url } => SourceTarget {
                target: url.clone(),
                editable: false,
            },
            // Only the workspace knows where its members are
            // (`PyProject::with_source_in`); on its own the entry names the
            // project's own directory, which no caller asks for.
            Source::Workspace => SourceTarget {
                target: path_target(project_dir),
                editable: true,
            },
            // Not a direct reference: `PyProject::with_source_in` leaves
            // the requirement to the index; this answer is never used.
            Source::Index { name } => SourceTarget {
                target: name.clone(),
                editable: false,
            },
        }
    }
}

/// A path as a requirement writes it: `.` and `dir/..` folded away (as uv
/// does, without asking the disk), and one that reads as a path, never as
/// a name (`lib` is written `./lib`).
fn path_target(path: &Path) -> String {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_))) =>
            {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let text = clean.display().to_string();
    if clean.is_absolute() || text.starts_with("..") {
        text
    } else if text.is_empty() {
        ".".into()
    } else {
        format!("./{text}")
    }
}

/// Reads `[tool.posy.sources]` (the `sources` table of `tool.posy`).
pub(crate) fn parse_sources(table: &toml::Table) -> Result<BTreeMap<PackageName, Source>, String> {
    let mut sources = BTreeMap::new();
    for (name, value) in table {
        let entry = format!("`tool.posy.sources.{name}`");
        let key = PackageName::new(name)
            .map_err(|e| format!("{entry}: `{name}` is not a valid package name: {e}"))?;
        let source = parse_source(value).map_err(|reason| format!("{entry}: {reason}"))?;
        if sources.insert(key, source).is_some() {
            return Err(format!(
                "{entry} is given twice (names are compared normalized)"
            ));
        }
    }
    Ok(sources)
}

/// The keys each kind of source takes.
const GIT_KEYS: &[&str] = &["git", "tag", "branch", "rev", "subdirectory"];
const PATH_KEYS: &[&str] = &["path", "editable"];
const URL_KEYS: &[&str] = &["url"];

fn parse_source(value: &toml::Value) -> Result<Source, String> {
    let table = match value {
        toml::Value::Table(table) => table,
        toml::Value::Array(_) => {
            return Err(
                "a list of sources (chosen by `marker`) is not supported yet; give one source table"
                    .into(),
            );
        }
        _ => {
            return Err(
                "a source must be a table such as `{ git = \"https://…\", tag = \"v1.0\" }` or `{ path = \"../lib\" }`"
                    .into(),
            );
        }
    };
    if let Some(value) = table.get("workspace") {
        return match (value, table.len()) {
            (toml::Value::Boolean(true), 1) => Ok(Source::Workspace),
            (toml::Value::Boolean(true), _) => {
                Err("a `workspace = true` source takes no other keys".into())
            }
            _ => Err("`workspace` must be `true` (the member of that name)".into()),
        };
    }
    if let Some(value) = table.get("index") {
        return match (value, table.len()) {
            (toml::Value::String(name), 1) if !name.trim().is_empty() => Ok(Source::Index {
                name: name.trim().to_owned(),
            }),
            (toml::Value::String(_), 1) => Err("`index` is empty".into()),
            (toml::Value::String(_), _) => Err(
                "an `index` source takes no other keys (name an index of `[[tool.posy.index]]`)"
                    .into(),
            ),
            _ => Err("`index` must be the name of an index of `[[tool.posy.index]]`".into()),
        };
    }
    for key in ["marker", "extra", "group"] {
        if table.contains_key(key) {
            return Err(format!(
                "`{key}` in a source is not supported yet (posy takes `git`, `path` and `url` sources)"
            ));
        }
    }
    let kinds: Vec<&str> = ["git", "path", "url"]
        .into_iter()
        .filter(|k| table.contains_key(*k))
        .collect();
    let (kind, keys) = match kinds.as_slice() {
        ["git"] => ("git", GIT_KEYS),
        ["path"] => ("path", PATH_KEYS),
        ["url"] => ("url", URL_KEYS),
        [] => return Err("give one of `git`, `path` or `url`".into()),
        several => {
            return Err(format!(
                "give one of `git`, `path` or `url`, not {}",
                several
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
    };
    if let Some(key) = table.keys().find(|k| !keys.contains(&k.as_str())) {
        let hint = if kind != "git" && GIT_KEYS.contains(&key.as_str()) {
            " (it is for git sources)".to_string()
        } else {
            format!(
                " (a {kind} source takes {})",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(format!("unknown key `{key}`{hint}"));
    }
    let string = |key: &str| -> Result<Option<String>, String> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(toml::Value::String(_)) => Err(format!("`{key}` is empty")),
            Some(_) => Err(format!("`{key}` must be a string")),
        }
    };
    match kind {
        "git" => {
            let url = string("git")?.unwrap_or_default();
            let repository = url.strip_prefix("git+").unwrap_or(&url).to_owned();
            if !repository.contains("://") {
                return Err(format!(
                    "`git = \"{url}\"` is not a URL; write the repository's URL, such as `https://host/org/repo.git` or `ssh://git@host/org/repo.git`"
                ));
            }
            if repository.contains(['#', '?']) {
                return Err(format!(
                    "`git = \"{url}\"`: give the revision and subdirectory as `tag`, `branch`, `rev` and `subdirectory`, not in the URL"
                ));
            }
            let given: Vec<(&str, String)> = ["tag", "branch", "rev"]
                .into_iter()
                .map(|key| Ok(string(key)?.map(|v| (key, v))))
                .collect::<Result<Vec<_>, String>>()?
                .into_iter()
                .flatten()
                .collect();
            let reference = match given.as_slice() {
                [] => GitReference::DefaultBranch,
                [("tag", v)] => GitReference::Tag(v.clone()),
                [("branch", v)] => GitReference::Branch(v.clone()),
                [(_, v)] => GitReference::Rev(v.clone()),
                several => {
                    return Err(format!(
                        "give one of `tag`, `branch` and `rev`, not {}",
                        several
                            .iter()
                            .map(|(k, _)| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ));
                }
            };
            let subdirectory = match string("subdirectory")? {
                None => None,
                Some(dir) => {
                    let dir = dir.trim_matches('/').to_owned();
                    if dir
                        .split('/')
                        .any(|p| p.is_empty() || p == "." || p == "..")
                    {
                        return Err(format!(
                            "`subdirectory = \"{dir}\"` must be a plain relative path inside the repository"
                        ));
                    }
                    Some(dir)
                }
            };
            Ok(Source::Git {
                repository,
                reference,
                subdirectory,
            })
        }
        "path" => {
            let path = PathBuf::from(string("path")?.unwrap_or_default());
            let editable = match table.get("editable") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(_) => return Err("`editable` must be true or false".into()),
            };
            Ok(Source::Path { path, editable })
        }
        _ => {
            let url = string("url")?.unwrap_or_default();
            if !(url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("file://"))
            {
                return Err(format!(
                    "`url = \"{url}\"` must be an http, https or file URL of a wheel or an sdist (a repository is a `git` source)"
                ));
            }
            if url.contains("#subdirectory=") {
                return Err(
                    "a `subdirectory` inside a `url` archive is not supported yet".to_string(),
                );
            }
            Ok(Source::Url { url })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BTreeMap<PackageName, Source>, String> {
        parse_sources(&toml::from_str(text).unwrap())
    }

    fn target(text: &str) -> SourceTarget {
        let sources = parse(text).unwrap();
        assert_eq!(sources.len(), 1);
        sources.values().next().unwrap().target(Path::new("proj"))
    }

    #[test]
    fn git_sources_become_git_urls() {
        let cases = [
            ("a = { git = 'https://h/r.git' }", "git+https://h/r.git"),
            (
                "a = { git = 'https://h/r.git', tag = 'v1.0' }",
                "git+https://h/r.git@v1.0",
            ),
            (
                "a = { git = 'git+ssh://git@h/r.git', branch = 'main', subdirectory = 'py/' }",
                "git+ssh://git@h/r.git@main#subdirectory=py",
            ),
            (
                "a = { git = 'file:///srv/r', rev = 'abc123' }",
                "git+file:///srv/r@abc123",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                target(text),
                SourceTarget {
                    target: want.into(),
                    editable: false
                },
                "{text}"
            );
        }
        let sources = parse("My_Lib = { git = 'https://h/r.git', tag = 'v1' }").unwrap();
        assert_eq!(
            sources[&PackageName::new("my-lib").unwrap()],
            Source::Git {
                repository: "https://h/r.git".into(),
                reference: GitReference::Tag("v1".into()),
                subdirectory: None,
            }
        );
    }

    #[test]
    fn path_and_url_sources() {
        assert_eq!(
            target("a = { path = '../lib', editable = true }"),
            SourceTarget {
                target: "./lib".into(),
                editable: true
            }
        );
        let sources = parse("a = { path = 'lib' }").unwrap();
        let source = &sources[&PackageName::new("a").unwrap()];
        assert_eq!(source.target(Path::new(".")).target, "./lib");
        assert_eq!(source.target(Path::new("/p")).target, "/p/lib");
        assert_eq!(source.target(Path::new("../p")).target, "../p/lib");
        assert_eq!(
            target("a = { url = 'https://h/a-1.0-py3-none-any.whl' }").target,
            "https://h/a-1.0-py3-none-any.whl"
        );
    }

    #[test]
    fn bad_entries_are_named_with_the_reason() {
        let cases = [
            (
                "lib = { git = 'https://h/r.git', tag = 'v1', branch = 'main' }",
                "`tool.posy.sources.lib`: give one of `tag`, `branch` and `rev`, not `tag` and `branch`",
            ),
            (
                "lib = { git = 'https://h/r.git', rev = 'a', tag = 'b', branch = 'c' }",
                "not `tag` and `branch` and `rev`",
            ),
            ("lib = { tag = 'v1' }", "give one of `git`, `path` or `url`"),
            (
                "lib = { path = '.', tag = 'v1' }",
                "unknown key `tag` (it is for git sources)",
            ),
            (
                "lib = { git = 'https://h/r.git', editable = true }",
                "unknown key `editable` (a git source takes `git`, `tag`",
            ),
            (
                "lib = { git = 'https://h/r.git', path = '.' }",
                "not `git` and `path`",
            ),
            ("lib = { git = 'h/r.git' }", "is not a URL"),
            ("lib = { git = 'https://h/r.git@v1#x' }", "not in the URL"),
            (
                "lib = { git = 'https://h/r.git', tag = '' }",
                "`tag` is empty",
            ),
            (
                "lib = { git = 'https://h/r.git', tag = 1 }",
                "`tag` must be a string",
            ),
            (
                "lib = { git = 'https://h/r.git', subdirectory = '../x' }",
                "plain relative path",
            ),
            ("lib = { path = '.', editable = 'yes' }", "true or false"),
            ("lib = { url = 'git+https://h/r.git' }", "a `git` source"),
            ("lib = { workspace = false }", "`workspace` must be `true`"),
            (
                "lib = { index = 'pytorch', path = 'x' }",
                "an `index` source takes no other keys",
            ),
            (
                "lib = [{ git = 'https://h/r.git', marker = 'sys_platform == \"linux\"' }]",
                "a list of sources",
            ),
            ("lib = 'https://h/r.git'", "must be a table"),
            ("'not a name!' = { path = '.' }", "not a valid package name"),
        ];
        for (text, want) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(want), "{text}: {error}");
            assert!(error.starts_with("`tool.posy.sources."), "{text}: {error}");
        }
    }
}
