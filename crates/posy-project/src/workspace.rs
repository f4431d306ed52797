//! Workspaces: one root `pyproject.toml` and the member projects under it,
//! locked together.
//!
//! A project is found from a directory by walking up to the nearest
//! `pyproject.toml`. If some ancestor's `pyproject.toml` has a
//! `[tool.posy.workspace]` table whose `members` globs (minus its
//! `exclude` globs) match the project's directory, that ancestor is the
//! workspace root and the project one of its members; otherwise the project
//! is a workspace of one. The root is a member too when it has a
//! `[project]` table (a root without one only gathers members).
//!
//! Members are matched against directories, relative to the root, one path
//! segment at a time with `*` (any run of characters within a segment) and
//! `?` (one character), as uv's and cargo's member globs are written in
//! practice (`packages/*`, `libs/core`). A matched directory without a
//! `pyproject.toml`, a member without a `[project]` name, and two members
//! of one name are errors naming the paths.
//!
//! Everything here reads files only; locking and installing a workspace is
//! `posy-ops`' business.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use posy_vocab::{ExtraName, GroupName, PackageName};

use crate::Source;
use crate::pyproject::{
    ConflictItem, ConflictKind, NamedIndex, OptionValue, ProjectSettings, PyProject,
    PyProjectError, WorkspaceTable,
};

/// A workspace: its root directory and its members, the root first when it
/// is a project itself, then by path.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory of the root `pyproject.toml`.
    pub root: PathBuf,
    /// The root's `pyproject.toml` (a member's too when it has `[project]`).
    pub root_pyproject: PyProject,
    pub members: Vec<Member>,
}

/// One project of a workspace.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: PackageName,
    /// The project's directory (absolute).
    pub dir: PathBuf,
    pub pyproject: PyProject,
}

/// Why no workspace could be read.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(
        "no `pyproject.toml` found in {} or any parent directory; create a project with `posy init`",
        .0.display()
    )]
    NotFound(PathBuf),
    #[error(transparent)]
    PyProject(#[from] PyProjectError),
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Workspace {
    /// The workspace of the project in `start` or the nearest directory
    /// above it that has a `pyproject.toml`.
    pub fn discover(start: &Path) -> Result<Workspace, WorkspaceError> {
        let start = absolute(start)?;
        let project_dir = start
            .ancestors()
            .find(|dir| dir.join("pyproject.toml").is_file())
            .ok_or_else(|| WorkspaceError::NotFound(start.clone()))?
            .to_path_buf();
        let project = PyProject::read(&project_dir.join("pyproject.toml"))?;
        if project.settings.workspace.is_some() {
            // A workspace root inside another workspace that lists it is
            // refused from either end (see `from_root`).
            if let Some(outer) = Self::enclosing(&project_dir)? {
                return Self::from_root(outer.0, outer.1);
            }
            return Self::from_root(project_dir, project);
        }
        match Self::enclosing(&project_dir)? {
            Some((root, pyproject)) => Self::from_root(root, pyproject),
            None => Self::from_root(project_dir, project),
        }
    }

    /// The workspace above `dir` whose members include `dir`, if any.
    fn enclosing(dir: &Path) -> Result<Option<(PathBuf, PyProject)>, WorkspaceError> {
        for above in dir.ancestors().skip(1) {
            let path = above.join("pyproject.toml");
            if !path.is_file() {
                continue;
            }
            let candidate = PyProject::read(&path)?;
            if let Some(table) = &candidate.settings.workspace
                && let Ok(relative) = dir.strip_prefix(above)
                && is_member(table, relative)
            {
                return Ok(Some((above.to_path_buf(), candidate)));
            }
        }
        Ok(None)
    }

    /// The workspace whose root `pyproject.toml` (in `root`) is `pyproject`.
    fn from_root(root: PathBuf, pyproject: PyProject) -> Result<Workspace, WorkspaceError> {
        let mut members = Vec::new();
        if let Some(project) = &pyproject.project {
            members.push(Member {
                name: project.name.clone(),
                dir: root.clone(),
                pyproject: pyproject.clone(),
            });
        }
        let table = pyproject.settings.workspace.clone().unwrap_or_default();
        let mut dirs = Vec::new();
        for pattern in &table.members {
            expand(&root, Path::new(""), &segments(pattern), &mut dirs)?;
        }
        dirs.sort();
        dirs.dedup();
        for relative in dirs {
            if relative.as_os_str().is_empty() || !is_member(&table, &relative) {
                continue;
            }
            let dir = root.join(&relative);
            let path = dir.join("pyproject.toml");
            if !path.is_file() {
                return Err(WorkspaceError::Invalid {
                    path: root.join("pyproject.toml"),
                    message: format!(
                        "workspace member `{}` has no pyproject.toml; add one, or leave the directory out with `exclude`",
                        relative.display()
                    ),
                });
            }
            let member = PyProject::read(&path)?;
            if member.settings.workspace.is_some() {
                return Err(WorkspaceError::Invalid {
                    path,
                    message: format!(
                        "a workspace member cannot be a workspace root too (it is a member of the workspace at {}); nested workspaces are not supported: move its `[tool.posy.workspace]` members into the root's",
                        root.display()
                    ),
                });
            }
            let Some(project) = &member.project else {
                return Err(WorkspaceError::Invalid {
                    path,
                    message: "a workspace member needs a `[project]` table with a `name`".into(),
                });
            };
            members.push(Member {
                name: project.name.clone(),
                dir,
                pyproject: member.clone(),
            });
        }
        let mut seen: BTreeMap<&PackageName, &Path> = BTreeMap::new();
        for member in &members {
            if let Some(other) = seen.insert(&member.name, &member.dir) {
                return Err(WorkspaceError::Invalid {
                    path: root.join("pyproject.toml"),
                    message: format!(
                        "two workspace members are named `{}`: {} and {}",
                        member.name,
                        other.display(),
                        member.dir.display()
                    ),
                });
            }
        }
        if members.is_empty() {
            return Err(WorkspaceError::Invalid {
                path: root.join("pyproject.toml"),
                message: "no `[project]` table and no workspace members: nothing to lock".into(),
            });
        }
        Ok(Workspace {
            root,
            root_pyproject: pyproject,
            members,
        })
    }

    /// The member named `name`.
    pub fn member(&self, name: &PackageName) -> Option<&Member> {
        self.members.iter().find(|m| &m.name == name)
    }

    /// The member whose directory holds `dir` most closely, if any.
    pub fn member_at(&self, dir: &Path) -> Option<&Member> {
        let dir = absolute(dir).ok()?;
        self.members
            .iter()
            .filter(|m| dir.starts_with(&m.dir))
            .max_by_key(|m| m.dir.components().count())
    }

    /// Every member's directory, by name (for `{ workspace = true }` sources).
    pub fn member_dirs(&self) -> BTreeMap<PackageName, PathBuf> {
        self.members
            .iter()
            .map(|m| (m.name.clone(), m.dir.clone()))
            .collect()
    }

    /// The named indexes of `[[tool.posy.index]]`: the root's first, then
    /// each member's (a name already taken is the root's), with the
    /// directory a relative local path is read from. A relative `url` that
    /// is a path is made absolute against the file that names it.
    pub fn indexes(&self) -> Vec<NamedIndex> {
        let mut out: Vec<NamedIndex> = Vec::new();
        let files =
            std::iter::once(&self.root_pyproject).chain(self.members.iter().map(|m| &m.pyproject));
        for pyproject in files {
            for index in &pyproject.settings.indexes {
                if index.name.is_some() && out.iter().any(|i| i.name == index.name) {
                    continue;
                }
                let mut index = index.clone();
                if !index.url.contains("://") && Path::new(&index.url).is_relative() {
                    index.url = pyproject.directory().join(&index.url).display().to_string();
                }
                out.push(index);
            }
        }
        out
    }

    /// The packages that `{ index = "name" }` sources pin to a named
    /// index, with that index's URL. A name no `[[tool.posy.index]]`
    /// defines, or one package pinned to two indexes, is an error naming
    /// the file.
    pub fn index_pins(&self) -> Result<Vec<(PackageName, NamedIndex)>, WorkspaceError> {
        let indexes = self.indexes();
        let mut pins: Vec<(PackageName, NamedIndex)> = Vec::new();
        let files =
            std::iter::once(&self.root_pyproject).chain(self.members.iter().map(|m| &m.pyproject));
        for pyproject in files {
            for (package, source) in &pyproject.sources {
                let Source::Index { name } = source else {
                    continue;
                };
                let invalid = |message: String| WorkspaceError::Invalid {
                    path: pyproject.path.clone(),
                    message,
                };
                let Some(index) = indexes.iter().find(|i| i.name.as_ref() == Some(name)) else {
                    let known: Vec<&str> =
                        indexes.iter().filter_map(|i| i.name.as_deref()).collect();
                    return Err(invalid(format!(
                        "`tool.posy.sources.{package}` names the index `{name}`, but no `[[tool.posy.index]]` is named so{}",
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" (the named ones: {})", known.join(", "))
                        }
                    )));
                };
                match pins.iter().find(|(p, _)| p == package) {
                    Some((_, other)) if other.name != index.name => {
                        return Err(invalid(format!(
                            "`tool.posy.sources.{package}` names the index `{name}`, but another member pins it to `{}`",
                            other.name.as_deref().unwrap_or_default()
                        )));
                    }
                    Some(_) => {}
                    None => pins.push((package.clone(), index.clone())),
                }
            }
        }
        Ok(pins)
    }

    /// The `conflicts` sets of the root and every member, each set once.
    pub fn conflicts(&self) -> Vec<Vec<ConflictKind>> {
        let mut out: Vec<Vec<ConflictKind>> = Vec::new();
        let files =
            std::iter::once(&self.root_pyproject).chain(self.members.iter().map(|m| &m.pyproject));
        for pyproject in files {
            for set in &pyproject.settings.conflicts {
                let kinds: Vec<ConflictKind> = set.iter().map(|i| i.kind.clone()).collect();
                if !out.contains(&kinds) {
                    out.push(kinds);
                }
            }
        }
        out
    }

    /// The lock file of the workspace.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join("pylock.toml")
    }

    /// The workspace's environment.
    pub fn venv_path(&self) -> PathBuf {
        self.root.join(".venv")
    }

    /// The groups installed when none are named: the root's
    /// `tool.posy.default-groups`, or `dev` if some member has it.
    pub fn default_groups(&self) -> Vec<GroupName> {
        if let Some(groups) = &self.root_pyproject.settings.default_groups {
            return groups.clone();
        }
        let dev = GroupName::new("dev").expect("`dev` is a valid group name");
        let has_dev = self
            .members
            .iter()
            .any(|m| m.pyproject.dependency_groups.contains_key(&dev));
        if has_dev { vec![dev] } else { Vec::new() }
    }
}

/// `path` made absolute against the working directory, without resolving links.
fn absolute(path: &Path) -> Result<PathBuf, WorkspaceError> {
    std::path::absolute(path).map_err(|source| WorkspaceError::Io {
        path: path.to_owned(),
        source,
    })
}

fn segments(pattern: &str) -> Vec<String> {
    pattern
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .map(str::to_owned)
        .collect()
}

/// Whether `relative` (a directory under the root) is matched by the
/// members globs and by none of the exclude globs.
fn is_member(table: &WorkspaceTable, relative: &Path) -> bool {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let matches = |pattern: &String| {
        let segments = segments(pattern);
        segments.len() == parts.len()
            && segments
                .iter()
                .zip(&parts)
                .all(|(pattern, part)| wildcard(pattern.as_bytes(), part.as_bytes()))
    };
    table.members.iter().any(matches) && !table.exclude.iter().any(matches)
}

/// The directories under `root.join(prefix)` that `rest` matches.
fn expand(
    root: &Path,
    prefix: &Path,
    rest: &[String],
    out: &mut Vec<PathBuf>,
) -> Result<(), WorkspaceError> {
    let Some((first, rest)) = rest.split_first() else {
        out.push(prefix.to_path_buf());
        return Ok(());
    };
    if first == ".." {
        return Err(WorkspaceError::Invalid {
            path: root.join("pyproject.toml"),
            message: format!(
                "workspace members must be under the root; `{}` is not",
                prefix.join(first).display()
            ),
        });
    }
    if !first.contains(['*', '?']) {
        let next = prefix.join(first);
        if root.join(&next).is_dir() {
            expand(root, &next, rest, out)?;
        }
        return Ok(());
    }
    let dir = root.join(prefix);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(WorkspaceError::Io { path: dir, source }),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .filter(|name| wildcard(first.as_bytes(), name.as_bytes()))
        .collect();
    names.sort();
    for name in names {
        expand(root, &prefix.join(name), rest, out)?;
    }
    Ok(())
}

/// Glob matching of one path segment: `*` any run, `?` one character.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pattern[1..], text) || (!text.is_empty() && wildcard(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => wildcard(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// The resolution options `[tool.posy]` may set, named as the command line names them.
pub const RESOLUTION_OPTIONS: &[&str] = &[
    "exclude-newer",
    "prerelease",
    "resolution",
    "index-url",
    "extra-index-url",
    "find-links",
];

/// Reads `[tool.posy]`'s project settings.
pub(crate) fn parse_settings(posy: &toml::Table) -> Result<ProjectSettings, String> {
    let strings = |value: &toml::Value, key: &str| -> Result<Vec<String>, String> {
        let toml::Value::Array(items) = value else {
            return Err(format!("`tool.posy.{key}` must be a list of strings"));
        };
        items
            .iter()
            .map(|item| match item {
                toml::Value::String(s) => Ok(s.clone()),
                _ => Err(format!("`tool.posy.{key}` must be a list of strings")),
            })
            .collect()
    };
    let mut settings = ProjectSettings::default();
    if let Some(workspace) = posy.get("workspace") {
        let toml::Value::Table(table) = workspace else {
            return Err("`tool.posy.workspace` must be a table".into());
        };
        if let Some(key) = table
            .keys()
            .find(|k| !["members", "exclude"].contains(&k.as_str()))
        {
            return Err(format!(
                "unknown key `{key}` in `tool.posy.workspace` (it takes `members` and `exclude`)"
            ));
        }
        settings.workspace = Some(WorkspaceTable {
            members: match table.get("members") {
                Some(v) => strings(v, "workspace.members")?,
                None => Vec::new(),
            },
            exclude: match table.get("exclude") {
                Some(v) => strings(v, "workspace.exclude")?,
                None => Vec::new(),
            },
        });
    }
    if let Some(groups) = posy.get("default-groups") {
        settings.default_groups = Some(
            strings(groups, "default-groups")?
                .iter()
                .map(|g| {
                    GroupName::new(g).map_err(|e| {
                        format!("`tool.posy.default-groups`: `{g}` is not a group name: {e}")
                    })
                })
                .collect::<Result<_, _>>()?,
        );
    }
    match posy.get("package") {
        None => {}
        Some(toml::Value::Boolean(b)) => settings.package = Some(*b),
        Some(_) => return Err("`tool.posy.package` must be `true` or `false`".into()),
    }
    let markers = |key: &str| -> Result<Vec<posy_vocab::MarkerTree>, String> {
        match posy.get(key) {
            None => Ok(Vec::new()),
            Some(value) => strings(value, key)?
                .iter()
                .map(|m| {
                    m.parse()
                        .map_err(|e| format!("`tool.posy.{key}`: `{m}` is not a marker: {e}"))
                })
                .collect(),
        }
    };
    settings.environments = markers("environments")?;
    settings.required_environments = markers("required-environments")?;
    let requirements = |key: &str| -> Result<Vec<posy_vocab::Requirement>, String> {
        match posy.get(key) {
            None => Ok(Vec::new()),
            Some(value) => strings(value, key)?
                .iter()
                .map(|r| {
                    r.parse()
                        .map_err(|e| format!("`tool.posy.{key}`: `{r}` is not a requirement: {e}"))
                })
                .collect(),
        }
    };
    settings.constraint_dependencies = requirements("constraint-dependencies")?;
    settings.override_dependencies = requirements("override-dependencies")?;
    if let Some(value) = posy.get("index") {
        settings.indexes = parse_indexes(value)?;
    }
    if let Some(value) = posy.get("conflicts") {
        settings.conflicts = parse_conflicts(value)?;
    }
    for key in RESOLUTION_OPTIONS {
        let lists = matches!(*key, "extra-index-url" | "find-links");
        let value = match posy.get(*key) {
            None => continue,
            Some(toml::Value::String(text)) if !lists => OptionValue::Text(text.clone()),
            Some(value @ toml::Value::Array(_)) if lists => OptionValue::List(strings(value, key)?),
            Some(_) => {
                return Err(format!(
                    "`tool.posy.{key}` must be {}",
                    if lists {
                        "a list of strings"
                    } else {
                        "a string"
                    }
                ));
            }
        };
        settings.resolution_options.insert((*key).to_owned(), value);
    }
    Ok(settings)
}

/// `conflicts = [[{ extra = "a" }, { extra = "b" }], …]`.
fn parse_conflicts(value: &toml::Value) -> Result<Vec<Vec<ConflictItem>>, String> {
    let shape = "`tool.posy.conflicts` must be a list of lists such as `[[{ extra = \"cpu\" }, { extra = \"gpu\" }]]`";
    let toml::Value::Array(sets) = value else {
        return Err(shape.into());
    };
    let mut out = Vec::new();
    for (n, set) in sets.iter().enumerate() {
        let at = format!("`tool.posy.conflicts` set {}", n + 1);
        let toml::Value::Array(items) = set else {
            return Err(shape.into());
        };
        let mut parsed: Vec<ConflictItem> = Vec::new();
        for item in items {
            let toml::Value::Table(table) = item else {
                return Err(format!(
                    "{at}: each entry is a table, `{{ extra = \"x\" }}` or `{{ group = \"g\" }}`"
                ));
            };
            if let Some(key) = table
                .keys()
                .find(|k| !["extra", "group", "package"].contains(&k.as_str()))
            {
                return Err(format!(
                    "{at}: unknown key `{key}` (an entry takes `extra` or `group`, and `package`)"
                ));
            }
            let text = |key: &str| match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("{at}: `{key}` must be a string")),
            };
            let kind = match (text("extra")?, text("group")?) {
                (Some(extra), None) => ConflictKind::Extra(
                    ExtraName::new(&extra)
                        .map_err(|e| format!("{at}: `{extra}` is not an extra name: {e}"))?,
                ),
                (None, Some(group)) => ConflictKind::Group(
                    GroupName::new(&group)
                        .map_err(|e| format!("{at}: `{group}` is not a group name: {e}"))?,
                ),
                _ => return Err(format!("{at}: each entry names one `extra` or one `group`")),
            };
            let package = text("package")?
                .map(|p| {
                    PackageName::new(&p)
                        .map_err(|e| format!("{at}: `{p}` is not a package name: {e}"))
                })
                .transpose()?;
            if !parsed.iter().any(|i| i.kind == kind) {
                parsed.push(ConflictItem { kind, package });
            }
        }
        if parsed.len() < 2 {
            return Err(format!(
                "{at} names fewer than two different extras or groups"
            ));
        }
        out.push(parsed);
    }
    Ok(out)
}

/// `[[tool.posy.index]]`: a list of `{ name, url, explicit, default }` tables.
fn parse_indexes(value: &toml::Value) -> Result<Vec<NamedIndex>, String> {
    let toml::Value::Array(entries) = value else {
        return Err(
            "`tool.posy.index` must be a list of tables (`[[tool.posy.index]]` with `name` and `url`)"
                .into(),
        );
    };
    let mut indexes: Vec<NamedIndex> = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        let at = format!("`tool.posy.index` entry {}", n + 1);
        let toml::Value::Table(table) = entry else {
            return Err(format!("{at} must be a table with `name` and `url`"));
        };
        if let Some(key) = table
            .keys()
            .find(|k| !["name", "url", "explicit", "default"].contains(&k.as_str()))
        {
            return Err(format!(
                "{at}: unknown key `{key}` (an index takes `name`, `url`, `explicit` and `default`)"
            ));
        }
        let name = match table.get("name") {
            None => None,
            Some(toml::Value::String(name))
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
            {
                Some(name.clone())
            }
            Some(other) => {
                return Err(format!(
                    "{at}: `name = {other}` must be a string of letters, digits, `-`, `_` and `.`"
                ));
            }
        };
        let url = match table.get("url") {
            Some(toml::Value::String(url)) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => return Err(format!("{at}: `url` (a string) is required")),
        };
        let flag = |key: &str| match table.get(key) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(_) => Err(format!("{at}: `{key}` must be `true` or `false`")),
        };
        let (explicit, default) = (flag("explicit")?, flag("default")?);
        if explicit && name.is_none() {
            return Err(format!(
                "{at}: an `explicit` index needs a `name`, for sources to name it"
            ));
        }
        if let Some(name) = &name
            && indexes.iter().any(|i| i.name.as_ref() == Some(name))
        {
            return Err(format!("{at}: another index is also named `{name}`"));
        }
        if default && indexes.iter().any(|i| i.default) {
            return Err(format!("{at}: only one index can be `default = true`"));
        }
        indexes.push(NamedIndex {
            name,
            url,
            explicit,
            default,
        });
    }
    Ok(indexes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn project(name: &str, extra: &str) -> String {
        format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n{extra}")
    }

    #[test]
    fn a_lone_project_is_a_workspace_of_one_found_from_below() {
        let t = tempfile::tempdir().unwrap();
        write(&t.path().join("pyproject.toml"), &project("app", ""));
        std::fs::create_dir_all(t.path().join("src/app")).unwrap();
        let ws = Workspace::discover(&t.path().join("src/app")).unwrap();
        assert_eq!(ws.root, t.path());
        assert_eq!(ws.members.len(), 1);
        assert_eq!(ws.members[0].name.to_string(), "app");
        assert!(ws.default_groups().is_empty());
    }

    #[test]
    fn members_are_globbed_excluded_and_found_from_a_member() {
        let t = tempfile::tempdir().unwrap();
        write(
            &t.path().join("pyproject.toml"),
            &project(
                "root",
                "[dependency-groups]\ndev = []\n[tool.posy.workspace]\nmembers = [\"packages/*\", \"tools/cli\"]\nexclude = [\"packages/old*\"]\n",
            ),
        );
        for (dir, name) in [
            ("packages/a", "a"),
            ("packages/b", "b"),
            ("packages/old-c", "c"),
            ("tools/cli", "cli"),
            ("other/d", "d"),
        ] {
            write(
                &t.path().join(dir).join("pyproject.toml"),
                &project(name, ""),
            );
        }
        let ws = Workspace::discover(&t.path().join("packages/b")).unwrap();
        assert_eq!(ws.root, t.path());
        let names: Vec<String> = ws.members.iter().map(|m| m.name.to_string()).collect();
        assert_eq!(names, ["root", "a", "b", "cli"]);
        assert_eq!(
            ws.member_at(&t.path().join("packages/b/src"))
                .unwrap()
                .name
                .to_string(),
            "b"
        );
        assert_eq!(ws.default_groups(), vec![GroupName::new("dev").unwrap()]);
        // A project the globs do not match is its own workspace.
        let alone = Workspace::discover(&t.path().join("other/d")).unwrap();
        assert_eq!(alone.root, t.path().join("other/d"));
    }

    #[test]
    fn bad_workspaces_are_said_with_their_paths() {
        let t = tempfile::tempdir().unwrap();
        write(
            &t.path().join("pyproject.toml"),
            "[tool.posy.workspace]\nmembers = [\"libs/*\"]\n",
        );
        std::fs::create_dir_all(t.path().join("libs/empty")).unwrap();
        let err = Workspace::discover(t.path()).unwrap_err().to_string();
        assert!(err.contains("`libs/empty` has no pyproject.toml"), "{err}");
        std::fs::remove_dir(t.path().join("libs/empty")).unwrap();
        write(
            &t.path().join("libs/x/pyproject.toml"),
            &project("same", ""),
        );
        write(
            &t.path().join("libs/y/pyproject.toml"),
            &project("same", ""),
        );
        let err = Workspace::discover(t.path()).unwrap_err().to_string();
        assert!(
            err.contains("two workspace members are named `same`"),
            "{err}"
        );
        let nowhere = tempfile::tempdir().unwrap();
        let err = Workspace::discover(nowhere.path()).unwrap_err().to_string();
        assert!(err.contains("posy init"), "{err}");
    }

    #[test]
    fn wildcards_match_one_segment() {
        assert!(wildcard(b"*", b"abc"));
        assert!(wildcard(b"a*c", b"abbbc"));
        assert!(wildcard(b"a?c", b"abc"));
        assert!(!wildcard(b"a?c", b"ac"));
        assert!(!wildcard(b"old*", b"new"));
    }

    #[test]
    fn named_indexes_are_read_and_their_mistakes_named() {
        let settings = |text: &str| parse_settings(&toml::from_str::<toml::Table>(text).unwrap());
        let ok = settings(
            "[[index]]\nname = \"corp\"\nurl = \"https://corp/simple\"\nexplicit = true\n[[index]]\nurl = \"https://mirror/simple\"\ndefault = true\n",
        )
        .unwrap();
        assert_eq!(ok.indexes.len(), 2);
        assert!(ok.indexes[0].explicit && !ok.indexes[0].default);
        assert_eq!(ok.indexes[1].name, None);
        for (text, want) in [
            ("index = 1", "must be a list of tables"),
            ("[[index]]\nname = \"a\"", "`url` (a string) is required"),
            (
                "[[index]]\nurl = \"u\"\nexplicit = true",
                "an `explicit` index needs a `name`",
            ),
            (
                "[[index]]\nname = \"a\"\nurl = \"u\"\n[[index]]\nname = \"a\"\nurl = \"v\"",
                "another index is also named `a`",
            ),
            (
                "[[index]]\nurl = \"u\"\ndefault = true\n[[index]]\nurl = \"v\"\ndefault = true",
                "only one index can be `default = true`",
            ),
            (
                "[[index]]\nurl = \"u\"\npriority = 1",
                "unknown key `priority`",
            ),
            (
                "[[index]]\nname = \"a b\"\nurl = \"u\"",
                "must be a string of letters",
            ),
        ] {
            let err = settings(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn conflicts_are_sets_of_extras_and_groups() {
        let settings = |text: &str| parse_settings(&toml::from_str::<toml::Table>(text).unwrap());
        let ok = settings(
            "conflicts = [[{ extra = \"cpu\" }, { extra = \"gpu\" }], [{ group = \"a\", package = \"m\" }, { group = \"b\" }]]",
        )
        .unwrap();
        assert_eq!(ok.conflicts.len(), 2);
        assert_eq!(
            ok.conflicts[1][0].kind,
            ConflictKind::Group(GroupName::new("a").unwrap())
        );
        for (text, want) in [
            ("conflicts = 1", "must be a list of lists"),
            ("conflicts = [[{ extra = \"a\" }]]", "fewer than two"),
            (
                "conflicts = [[{ extra = \"a\" }, { extra = \"a\" }]]",
                "fewer than two",
            ),
            (
                "conflicts = [[{ extra = \"a\", group = \"b\" }, { extra = \"c\" }]]",
                "one `extra` or one `group`",
            ),
            (
                "conflicts = [[{ extra = \"a\" }, { marker = \"b\" }]]",
                "unknown key `marker`",
            ),
            ("conflicts = [[\"a\", \"b\"]]", "each entry is a table"),
        ] {
            let err = settings(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn a_nested_workspace_is_refused_from_either_end() {
        let t = tempfile::tempdir().unwrap();
        write(
            &t.path().join("pyproject.toml"),
            &project("root", "[tool.posy.workspace]\nmembers = [\"p/*\"]\n"),
        );
        write(
            &t.path().join("p/a/pyproject.toml"),
            &project("a", "[tool.posy.workspace]\nmembers = [\"sub/*\"]\n"),
        );
        for start in [t.path().to_path_buf(), t.path().join("p/a")] {
            let err = Workspace::discover(&start).unwrap_err().to_string();
            assert!(err.contains("nested workspaces are not supported"), "{err}");
            assert!(err.contains("p/a/pyproject.toml"), "{err}");
        }
    }
}
