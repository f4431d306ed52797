//! `pyproject.toml` as a source of requirements: PEP 621's `[project]`
//! table, PEP 735's `[dependency-groups]`, and `[tool.posy.sources]`.
//!
//! Only what decides a project's requirements is read here: the name,
//! version, `requires-python`, `dependencies`, `optional-dependencies`,
//! `dynamic`, the dependency groups, and where dependencies come from
//! when not from an index (`sources.rs`). `[build-system]` is the build
//! frontend's business (`posy-build`), and the rest of `[tool.*]` belongs
//! to each tool.
//!
//! PEP 621 lets a project leave its dependencies to the build backend by
//! listing them in `dynamic` (setuptools reading `requirements.txt`, say),
//! and a project without a `[project]` table at all (a `setup.py` or
//! `setup.cfg` project) leaves everything to it. [`PyProject::requirements`]
//! then answers [`Requirements::Dynamic`], and the caller asks the build
//! backend for the project's metadata (PEP 517 `prepare_metadata_for_build_wheel`).
//! What is static is never second-guessed: PEP 621 says a tool must not
//! fill in a field the file gives and does not mark dynamic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use posy_vocab::{
    ExtraName, GroupName, PackageName, Requirement, SpecifierSet, Version, VersionOrUrl,
};

use crate::sources::{Source, SourceTarget, parse_sources};
use crate::workspace::parse_settings;

/// The requirement-relevant parts of one `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyProject {
    /// Where the file is (for messages and for building the project).
    pub path: PathBuf,
    /// The `[project]` table, if the file has one.
    pub project: Option<Project>,
    /// PEP 735 groups, by normalized name, with their entries as written.
    pub dependency_groups: BTreeMap<GroupName, Vec<GroupEntry>>,
    /// `[tool.posy.sources]`, by normalized name.
    pub sources: BTreeMap<PackageName, Source>,
    /// Whether the file has a `[build-system]` table: a project with one
    /// is built and installed itself (a "package"); one without is only a
    /// list of dependencies (uv's "virtual" project).
    pub build_system: bool,
    /// The project settings of `[tool.posy]` (`workspace`, `default-groups`).
    pub settings: ProjectSettings,
}

/// The parts of `[tool.posy]` that shape a project (besides `sources`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectSettings {
    /// `[tool.posy.workspace]`: this file is a workspace's root.
    pub workspace: Option<WorkspaceTable>,
    /// `default-groups`: the groups `posy sync` installs unless told
    /// otherwise (`["dev"]` when absent, as uv).
    pub default_groups: Option<Vec<GroupName>>,
    /// `package`: build and install the project itself (default: whether
    /// it has a `[build-system]`).
    pub package: Option<bool>,
    /// `environments`: the lock is for these environments only.
    pub environments: Vec<posy_vocab::MarkerTree>,
    /// `required-environments`: each needs a wheel or an sdist of every pin.
    pub required_environments: Vec<posy_vocab::MarkerTree>,
    /// `constraint-dependencies`: versions the resolution must keep to.
    pub constraint_dependencies: Vec<Requirement>,
    /// `override-dependencies`: replace every requirement on their packages.
    pub override_dependencies: Vec<Requirement>,
    /// `exclude-newer`, `prerelease`, `resolution`, `index-url`,
    /// `extra-index-url`, `find-links`: resolution options, as the command
    /// line takes them (the command line wins).
    pub resolution_options: BTreeMap<String, OptionValue>,
    /// `[[tool.posy.index]]`: named indexes, in the order written.
    pub indexes: Vec<NamedIndex>,
    /// `conflicts`: sets of extras and groups of which at most one may be
    /// installed at a time, so the lock may resolve them differently.
    pub conflicts: Vec<Vec<ConflictItem>>,
}

/// One member of a `conflicts` set: `{ extra = "x" }` or `{ group = "g" }`
/// (with `package`, the workspace member it belongs to, as uv writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictItem {
    pub kind: ConflictKind,
    pub package: Option<PackageName>,
}

/// What a [`ConflictItem`] names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    Extra(ExtraName),
    Group(GroupName),
}

impl std::fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Extra(extra) => write!(f, "extra `{extra}`"),
            Self::Group(group) => write!(f, "group `{group}`"),
        }
    }
}

/// One `[[tool.posy.index]]` entry, in the shape of uv's `[[tool.uv.index]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedIndex {
    /// What sources call it (`{ index = "name" }`) and what credentials
    /// are looked up by (`POSY_INDEX_<NAME>_USERNAME`).
    pub name: Option<String>,
    /// The index's simple URL (or a local directory).
    pub url: String,
    /// Used only for the packages whose source names it.
    pub explicit: bool,
    /// Replaces the public index as the last one asked.
    pub default: bool,
}

/// The value of a resolution option in `[tool.posy]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    Text(String),
    List(Vec<String>),
}

/// `[tool.posy.workspace]`: which directories under the root are members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceTable {
    /// Globs of member directories, relative to the root (`packages/*`).
    pub members: Vec<String>,
    /// Globs of directories the member globs match that are not members.
    pub exclude: Vec<String>,
}

/// PEP 621's `[project]`, the fields that decide requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub name: PackageName,
    /// `None` when the version is dynamic.
    pub version: Option<Version>,
    pub requires_python: Option<SpecifierSet>,
    /// `None` when absent (PEP 621: no dependencies, unless dynamic).
    pub dependencies: Option<Vec<Requirement>>,
    pub optional_dependencies: BTreeMap<ExtraName, Vec<Requirement>>,
    /// The fields the build backend fills in, as written (`dependencies`, …).
    pub dynamic: BTreeSet<String>,
}

/// One entry of a dependency group (PEP 735).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupEntry {
    Requirement(Requirement),
    /// `{include-group = "name"}`.
    IncludeGroup(GroupName),
}

/// Which optional parts of a project to include.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtrasSelection {
    /// `--extra NAME`, normalized.
    pub extras: Vec<ExtraName>,
    /// `--all-extras`.
    pub all: bool,
}

/// A project's requirements, or the news that only its build backend knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirements {
    /// Read from the file: `dependencies` plus the selected extras'.
    Static(Vec<Requirement>),
    /// The file leaves (some of) them to the build backend.
    Dynamic,
}

/// Why a `pyproject.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PyProjectError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid TOML: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl PyProject {
    /// Reads and checks `path`.
    pub fn read(path: &Path) -> Result<Self, PyProjectError> {
        let text = std::fs::read_to_string(path).map_err(|source| PyProjectError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_str(&text, path)
    }

    /// Parses the text of a `pyproject.toml` found at `path`.
    pub fn parse_str(text: &str, path: &Path) -> Result<Self, PyProjectError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| PyProjectError::Toml {
            path: path.to_owned(),
            message: with_position(text, &e),
        })?;
        let invalid = |message: String| PyProjectError::Invalid {
            path: path.to_owned(),
            message,
        };
        let project = match table.get("project") {
            None => None,
            Some(toml::Value::Table(project)) => Some(parse_project(project).map_err(invalid)?),
            Some(_) => return Err(invalid("`project` must be a table".into())),
        };
        let dependency_groups = match table.get("dependency-groups") {
            None => BTreeMap::new(),
            Some(toml::Value::Table(groups)) => parse_groups(groups).map_err(invalid)?,
            Some(_) => return Err(invalid("`dependency-groups` must be a table".into())),
        };
        let sources = match table
            .get("tool")
            .and_then(|tool| tool.get("posy"))
            .and_then(|posy| posy.get("sources"))
        {
            None => BTreeMap::new(),
            Some(toml::Value::Table(sources)) => parse_sources(sources).map_err(invalid)?,
            Some(_) => return Err(invalid("`tool.posy.sources` must be a table".into())),
        };
        let tool_posy = table.get("tool").and_then(|tool| tool.get("posy"));
        let settings = match tool_posy {
            None => ProjectSettings::default(),
            Some(toml::Value::Table(posy)) => parse_settings(posy).map_err(invalid)?,
            Some(_) => return Err(invalid("`tool.posy` must be a table".into())),
        };
        Ok(Self {
            path: path.to_owned(),
            project,
            dependency_groups,
            sources,
            build_system: table.contains_key("build-system"),
            settings,
        })
    }

    /// Whether the project itself is built and installed (not only its
    /// dependencies): `tool.posy.package`, else whether it has a build system.
    pub fn is_package(&self) -> bool {
        self.project.is_some() && self.settings.package.unwrap_or(self.build_system)
    }

    /// `requirement` with its package's source applied: a direct reference
    /// to the source's repository, path or URL (and whether it is to be
    /// editable), or `requirement` unchanged when no source applies (see
    /// `sources.rs`).
    pub fn with_source(&self, requirement: Requirement) -> (Requirement, bool) {
        self.with_source_in(requirement, &BTreeMap::new())
    }

    /// [`Self::with_source`] inside a workspace whose members are
    /// `members` (name → directory): a `{ workspace = true }` source points
    /// at that member's directory, editable. Outside a workspace such a
    /// source leaves the requirement to the index.
    pub fn with_source_in(
        &self,
        mut requirement: Requirement,
        members: &BTreeMap<PackageName, PathBuf>,
    ) -> (Requirement, bool) {
        if requirement.url().is_some() {
            return (requirement, false);
        }
        let Some(source) = self.sources.get(&requirement.name) else {
            return (requirement, false);
        };
        let SourceTarget { target, editable } = match source {
            Source::Workspace => match members.get(&requirement.name) {
                Some(dir) => Source::Path {
                    path: dir.clone(),
                    editable: true,
                }
                .target(self.directory()),
                None => return (requirement, false),
            },
            Source::Index { .. } => return (requirement, false),
            source => source.target(self.directory()),
        };
        requirement.version_or_url = Some(VersionOrUrl::Url(target));
        (requirement, editable)
    }

    /// The directory the project lives in.
    pub fn directory(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// The project's requirements with the selected extras, or
    /// [`Requirements::Dynamic`] when the file leaves them to the backend.
    /// Asking for an extra the project does not define is an error (uv and
    /// pip-tools refuse it too: it is usually a typo).
    pub fn requirements(
        &self,
        selection: &ExtrasSelection,
    ) -> Result<Requirements, PyProjectError> {
        let Some(project) = &self.project else {
            return Ok(Requirements::Dynamic);
        };
        let wants_extras = selection.all || !selection.extras.is_empty();
        if project.dynamic.contains("dependencies")
            || (wants_extras && project.dynamic.contains("optional-dependencies"))
        {
            return Ok(Requirements::Dynamic);
        }
        let mut out = project.dependencies.clone().unwrap_or_default();
        for extra in &selection.extras {
            if !project.optional_dependencies.contains_key(extra) {
                return Err(PyProjectError::Invalid {
                    path: self.path.clone(),
                    message: format!(
                        "the project has no extra `{extra}`{}",
                        known(project.optional_dependencies.keys())
                    ),
                });
            }
        }
        for (extra, requirements) in &project.optional_dependencies {
            if selection.all || selection.extras.contains(extra) {
                out.extend(requirements.iter().cloned());
            }
        }
        Ok(Requirements::Static(out))
    }

    /// The requirements of dependency group `name`, with its
    /// `include-group`s expanded (PEP 735), in order. Unknown groups and
    /// include cycles are errors that name the groups.
    pub fn group(&self, name: &GroupName) -> Result<Vec<Requirement>, PyProjectError> {
        let mut out = Vec::new();
        let mut stack = Vec::new();
        self.expand_group(name, &mut stack, &mut out)?;
        Ok(out)
    }

    fn expand_group(
        &self,
        name: &GroupName,
        stack: &mut Vec<GroupName>,
        out: &mut Vec<Requirement>,
    ) -> Result<(), PyProjectError> {
        let invalid = |message: String| PyProjectError::Invalid {
            path: self.path.clone(),
            message,
        };
        if let Some(at) = stack.iter().position(|g| g == name) {
            let cycle: Vec<String> = stack[at..]
                .iter()
                .chain([name])
                .map(ToString::to_string)
                .collect();
            return Err(invalid(format!(
                "dependency groups include each other in a cycle: {}",
                cycle.join(" -> ")
            )));
        }
        let Some(entries) = self.dependency_groups.get(name) else {
            return Err(invalid(format!(
                "there is no dependency group `{name}`{}",
                known(self.dependency_groups.keys())
            )));
        };
        stack.push(name.clone());
        for entry in entries {
            match entry {
                GroupEntry::Requirement(req) => out.push(req.clone()),
                GroupEntry::IncludeGroup(inner) => self.expand_group(inner, stack, out)?,
            }
        }
        stack.pop();
        Ok(())
    }
}

/// ` (it has: a, b)` or ` (it has none)`, for error messages.
fn known<'a, T: fmt::Display + 'a>(names: impl Iterator<Item = &'a T>) -> String {
    let names: Vec<String> = names.map(ToString::to_string).collect();
    if names.is_empty() {
        " (it has none)".into()
    } else {
        format!(" (it has: {})", names.join(", "))
    }
}

fn parse_project(table: &toml::Table) -> Result<Project, String> {
    let dynamic: BTreeSet<String> = match table.get("dynamic") {
        None => BTreeSet::new(),
        Some(value) => strings(value, "project.dynamic")?
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let name = match table.get("name") {
        Some(toml::Value::String(name)) => PackageName::new(name)
            .map_err(|e| format!("`project.name` is not a valid name: {e}"))?,
        Some(_) => return Err("`project.name` must be a string".into()),
        None => return Err("`project.name` is missing (PEP 621 requires it)".into()),
    };
    let version = match table.get("version") {
        Some(toml::Value::String(v)) => Some(
            v.parse::<Version>()
                .map_err(|e| format!("`project.version` is not a valid version: {e}"))?,
        ),
        Some(_) => return Err("`project.version` must be a string".into()),
        None if dynamic.contains("version") => None,
        None => {
            return Err("`project.version` is missing and not listed in `project.dynamic`".into());
        }
    };
    let requires_python = match table.get("requires-python") {
        Some(toml::Value::String(v)) => Some(
            v.parse::<SpecifierSet>()
                .map_err(|e| format!("`project.requires-python` is not valid: {e}"))?,
        ),
        Some(_) => return Err("`project.requires-python` must be a string".into()),
        None => None,
    };
    let dependencies = match table.get("dependencies") {
        Some(value) => {
            if dynamic.contains("dependencies") {
                return Err("`dependencies` is both given and listed in `project.dynamic`".into());
            }
            Some(requirements(value, "project.dependencies")?)
        }
        None => None,
    };
    let mut optional_dependencies = BTreeMap::new();
    match table.get("optional-dependencies") {
        None => {}
        Some(toml::Value::Table(extras)) => {
            if dynamic.contains("optional-dependencies") {
                return Err(
                    "`optional-dependencies` is both given and listed in `project.dynamic`".into(),
                );
            }
            for (extra, value) in extras {
                let key = ExtraName::new(extra)
                    .map_err(|e| format!("`{extra}` is not a valid extra name: {e}"))?;
                let reqs = requirements(value, &format!("project.optional-dependencies.{extra}"))?;
                if optional_dependencies.insert(key, reqs).is_some() {
                    return Err(format!(
                        "extra `{extra}` is given twice (names are compared normalized)"
                    ));
                }
            }
        }
        Some(_) => return Err("`project.optional-dependencies` must be a table".into()),
    }
    Ok(Project {
        name,
        version,
        requires_python,
        dependencies,
        optional_dependencies,
        dynamic,
    })
}

fn parse_groups(table: &toml::Table) -> Result<BTreeMap<GroupName, Vec<GroupEntry>>, String> {
    let mut groups = BTreeMap::new();
    for (name, value) in table {
        let key = GroupName::new(name)
            .map_err(|e| format!("`{name}` is not a valid dependency group name: {e}"))?;
        let toml::Value::Array(items) = value else {
            return Err(format!("dependency group `{name}` must be an array"));
        };
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            entries.push(match item {
                toml::Value::String(text) => GroupEntry::Requirement(text.parse().map_err(
                    |e| format!("dependency group `{name}`: invalid requirement `{text}`: {e}"),
                )?),
                toml::Value::Table(t) if t.len() == 1 && t.contains_key("include-group") => {
                    match t.get("include-group") {
                        Some(toml::Value::String(inner)) => {
                            GroupEntry::IncludeGroup(GroupName::new(inner).map_err(|e| {
                                format!("dependency group `{name}` includes `{inner}`: {e}")
                            })?)
                        }
                        _ => {
                            return Err(format!(
                                "dependency group `{name}`: `include-group` must be a string"
                            ));
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "dependency group `{name}`: entries must be requirement strings or {{include-group = \"…\"}} tables"
                    ));
                }
            });
        }
        if groups.insert(key, entries).is_some() {
            return Err(format!(
                "dependency group `{name}` is given twice (names are compared normalized)"
            ));
        }
    }
    Ok(groups)
}

fn strings<'a>(value: &'a toml::Value, field: &str) -> Result<Vec<&'a str>, String> {
    let toml::Value::Array(items) = value else {
        return Err(format!("`{field}` must be an array of strings"));
    };
    items
        .iter()
        .map(|item| {
            item.as_str()
                .ok_or_else(|| format!("`{field}` must be an array of strings"))
        })
        .collect()
}

fn requirements(value: &toml::Value, field: &str) -> Result<Vec<Requirement>, String> {
    strings(value, field)?
        .into_iter()
        .map(|text| {
            text.parse::<Requirement>()
                .map_err(|e| format!("`{field}`: invalid requirement `{text}`: {e}"))
        })
        .collect()
}

/// A TOML error's message, with the line and column it points at.
pub(crate) fn with_position(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    let Some(span) = error.span() else {
        return message.to_owned();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |at| before.len() - at - 1)
        + 1;
    let source = text.lines().nth(line - 1).unwrap_or_default();
    format!(
        "line {line}, column {column}: {message}\n  | {source}\n  | {}^",
        " ".repeat(column - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PyProject, PyProjectError> {
        PyProject::parse_str(text, Path::new("proj/pyproject.toml"))
    }

    fn names(reqs: &[Requirement]) -> Vec<String> {
        reqs.iter().map(ToString::to_string).collect()
    }

    fn extras(list: &[&str]) -> ExtrasSelection {
        ExtrasSelection {
            extras: list.iter().map(|e| ExtraName::new(e).unwrap()).collect(),
            all: false,
        }
    }

    const DEMO: &str = r#"
[project]
name = "Demo_Pkg"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["idna<3.8", "sniffio; python_version > '3.0'"]
[project.optional-dependencies]
Fast = ["six"]
test = ["pytest>=8"]
"#;

    #[test]
    fn static_requirements_with_selected_extras() {
        let p = parse(DEMO).unwrap();
        let project = p.project.as_ref().unwrap();
        assert_eq!(project.name.as_str(), "demo-pkg");
        assert_eq!(p.directory(), Path::new("proj"));
        let Requirements::Static(base) = p.requirements(&ExtrasSelection::default()).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            names(&base),
            ["idna<3.8", "sniffio ; python_version > \"3.0\""]
        );
        let Requirements::Static(fast) = p.requirements(&extras(&["FAST"])).unwrap() else {
            panic!()
        };
        assert_eq!(names(&fast).last().unwrap(), "six");
        let all = ExtrasSelection {
            extras: vec![],
            all: true,
        };
        let Requirements::Static(every) = p.requirements(&all).unwrap() else {
            panic!()
        };
        assert_eq!(every.len(), 4);
    }

    #[test]
    fn unknown_extra_is_named() {
        let p = parse(DEMO).unwrap();
        let err = p.requirements(&extras(&["nope"])).unwrap_err().to_string();
        assert!(
            err.contains("no extra `nope` (it has: fast, test)"),
            "{err}"
        );
    }

    #[test]
    fn dynamic_dependencies_go_to_the_backend() {
        let p = parse(
            "[project]\nname='a'\nversion='1'\ndynamic=['dependencies']\n[build-system]\nrequires=['setuptools']\n",
        )
        .unwrap();
        assert_eq!(
            p.requirements(&ExtrasSelection::default()).unwrap(),
            Requirements::Dynamic
        );
        // Dynamic extras matter only when extras are asked for.
        let p = parse(
            "[project]\nname='a'\nversion='1'\ndependencies=['six']\ndynamic=['optional-dependencies']\n",
        )
        .unwrap();
        assert!(matches!(
            p.requirements(&ExtrasSelection::default()).unwrap(),
            Requirements::Static(_)
        ));
        assert_eq!(
            p.requirements(&extras(&["x"])).unwrap(),
            Requirements::Dynamic
        );
        // No [project] table: a setup.py project.
        let p = parse("[build-system]\nrequires=['setuptools']\n").unwrap();
        assert_eq!(
            p.requirements(&ExtrasSelection::default()).unwrap(),
            Requirements::Dynamic
        );
    }

    #[test]
    fn invalid_files_name_the_problem() {
        let cases = [
            ("[project]\nversion='1'\n", "`project.name` is missing"),
            ("[project]\nname='a'\n", "`project.version` is missing"),
            (
                "[project]\nname='a'\nversion='1'\ndependencies=['a >= =1']\n",
                "invalid requirement `a >= =1`",
            ),
            (
                "[project]\nname='a'\nversion='1'\ndependencies=['six']\ndynamic=['dependencies']\n",
                "both given and listed",
            ),
            (
                "[project]\nname='a'\nversion='1'\ndependencies='six'\n",
                "array of strings",
            ),
            ("[project\n", "not valid TOML"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(err.contains("pyproject.toml"), "{err}");
        }
    }

    #[test]
    fn dependency_groups_expand_includes() {
        let p = parse(
            r#"
[dependency-groups]
Test = ["pytest", {include-group = "typing"}]
typing = ["mypy>1"]
all = [{include-group = "test"}, "ruff"]
"#,
        )
        .unwrap();
        let g = |n: &str| p.group(&GroupName::new(n).unwrap());
        assert_eq!(names(&g("all").unwrap()), ["pytest", "mypy>1", "ruff"]);
        let err = g("docs").unwrap_err().to_string();
        assert!(
            err.contains("no dependency group `docs` (it has: all, test, typing)"),
            "{err}"
        );
    }

    #[test]
    fn sources_turn_requirements_into_direct_references() {
        let p = parse(
            r#"
[project]
name = "app"
version = "1"
dependencies = ["lib[fast]>=1 ; python_version >= '3.9'", "local", "six", "own @ https://h/own-1.0.tar.gz"]
[tool.posy.sources]
lib = { git = "https://h/lib.git", tag = "v1.0" }
Local = { path = "../local", editable = true }
own = { path = "elsewhere" }
unused = { url = "https://h/unused-1.0-py3-none-any.whl" }
"#,
        )
        .unwrap();
        let deps = p.project.as_ref().unwrap().dependencies.clone().unwrap();
        let lowered: Vec<(String, bool)> = deps
            .into_iter()
            .map(|r| {
                let (r, editable) = p.with_source(r);
                (r.to_string(), editable)
            })
            .collect();
        assert_eq!(
            lowered,
            [
                (
                    "lib[fast] @ git+https://h/lib.git@v1.0 ; python_version >= \"3.9\"".into(),
                    false
                ),
                ("local @ ./local".into(), true),
                ("six".into(), false),
                ("own @ https://h/own-1.0.tar.gz".into(), false),
            ]
        );
        let err =
            parse("[tool.posy.sources]\nlib = { git = 'https://h/r', tag = 'a', rev = 'b' }\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("pyproject.toml: `tool.posy.sources.lib`: give one of"),
            "{err}"
        );
        let err = parse("[tool.posy]\nsources = 1\n").unwrap_err().to_string();
        assert!(err.contains("`tool.posy.sources` must be a table"), "{err}");
    }

    #[test]
    fn dependency_group_cycles_and_duplicates_are_refused() {
        let p = parse(
            "[dependency-groups]\na = [{include-group = 'b'}]\nb = [{include-group = 'a'}]\n",
        )
        .unwrap();
        let err = p
            .group(&GroupName::new("a").unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("cycle: a -> b -> a"), "{err}");
        let err = parse("[dependency-groups]\nDocs = ['x']\ndocs = ['y']\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("given twice"), "{err}");
        let err = parse("[dependency-groups]\na = [{include-group = 'b', x = 1}]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("include-group"), "{err}");
    }
}
