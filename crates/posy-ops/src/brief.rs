//! The Brief: what the user asked for, read from any input.
//!
//! A Brief is assembled from requirement strings (the command line),
//! requirements files (`requirements.in`, constraints and overrides files,
//! `-r` nesting, the index options files may carry), and `pyproject.toml`
//! (PEP 621 dependencies and extras, PEP 735 dependency groups). Every
//! requirement remembers where it came from (for `# via` lines) and which
//! optional part of a project brought it in ([`Selector`]: always, an extra,
//! a dependency group), so a multi-use lock can say under which `extras` /
//! `dependency_groups` each package is wanted.
//!
//! Two kinds of input cannot be read from files alone and are completed
//! with I/O by [`complete_brief`]: projects whose dependencies only their
//! build backend can tell, and direct references (`name @ url`, `./dir`,
//! `-e ./dir`), whose name, version and dependencies come from what they
//! point at.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use posy_index::IndexClient;
use posy_project::{
    ExtrasSelection, PyProject, RequirementEntry, RequirementSpec, Requirements, RequirementsTxt,
};
use posy_vocab::{ArtifactHash, ExtraName, GroupName, MarkerTree, PackageName, Requirement};

use crate::direct::{
    DirectPackage, DirectReference, DynamicProject, dynamic_project_requirements, read_direct,
};
use crate::index::FileIndexSettings;
use crate::provider::Builder;
use crate::resolve::LockedCommit;

/// Which optional part of a project a requirement belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Selector {
    /// Wanted whatever is selected: a plain requirement, or a project's `dependencies`.
    Always,
    /// Wanted with this extra of the project (`'name' in extras` in a lock).
    Extra(ExtraName),
    /// Wanted with this dependency group (`'name' in dependency_groups`).
    Group(GroupName),
}

/// Which dependency groups of a `pyproject.toml` to include (`--group`, `--all-groups`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupsSelection {
    pub groups: Vec<GroupName>,
    pub all: bool,
}

/// Where a Brief's requirements come from, as plain values.
#[derive(Debug, Clone, Default)]
pub struct BriefInputs {
    /// Requirements files and `pyproject.toml`s (`-` is stdin).
    pub sources: Vec<PathBuf>,
    /// Requirements given as text (the command line): PEP 508
    /// requirements, or paths of wheels, sdists and project directories.
    pub requirements: Vec<String>,
    /// Project directories to install in editable mode (`-e`).
    pub editables: Vec<String>,
    /// Constraints files (`-c`).
    pub constraints: Vec<PathBuf>,
    /// Override files (`--override`).
    pub overrides: Vec<PathBuf>,
    pub extras: ExtrasSelection,
    pub groups: GroupsSelection,
    /// Install editable requirements as regular ones (`--no-editable`).
    pub no_editable: bool,
    /// Install the editable requirements of these packages as regular ones
    /// (`--no-editable-package`).
    pub no_editable_package: Vec<String>,
    /// Ignore `[tool.posy.sources]` (`--no-sources`).
    pub no_sources: bool,
    /// Ignore `[tool.posy.sources]` for these packages (`--no-sources-package`).
    pub no_sources_package: Vec<String>,
    /// The members of the workspace the `pyproject.toml`s belong to (name →
    /// directory), for `{ workspace = true }` sources.
    pub workspace_members: std::collections::BTreeMap<PackageName, PathBuf>,
    /// Read each `pyproject.toml` as a project of a workspace lock: its
    /// `dependencies`, and the project itself when it is built (editable),
    /// belong to a dependency group named after the project, so a
    /// multi-use lock can leave the project out (`--only-group`, `--package`).
    pub as_projects: bool,
}

/// Requirements read from their inputs, each remembering where it came from.
#[derive(Debug, Default)]
pub struct Brief {
    pub requirements: Vec<Requirement>,
    /// For each requirement, where it was written (`-r file`, `name (pyproject.toml)`).
    pub origins: Vec<String>,
    /// For each requirement, the optional part of a project it belongs to.
    pub selectors: Vec<Selector>,
    pub constraints: Vec<Requirement>,
    pub overrides: Vec<Requirement>,
    /// The `--hash` values requirement files give, by package.
    pub hashes: HashMap<PackageName, Vec<ArtifactHash>>,
    pub index: FileIndexSettings,
    pub pre: bool,
    /// `--only-binary` / `--no-binary` values from the files.
    pub only_binary: Vec<String>,
    pub no_binary: Vec<String>,
    /// `--require-hashes` in a file.
    pub require_hashes: bool,
    /// The extras asked for (`--extra`, `--all-extras`), for projects read
    /// through their build backend.
    pub selection: ExtrasSelection,
    /// The extras and groups a project input offered and the Brief selected.
    pub extras: Vec<ExtraName>,
    pub groups: Vec<GroupName>,
    /// Projects whose requirements only their build backend can tell
    /// (see [`complete_brief`]).
    pub dynamic_projects: Vec<DynamicProject>,
    /// Requirements that point at a path or URL rather than an index.
    pub direct: Vec<DirectReference>,
    /// Packages whose editable requirements are installed as regular ones
    /// (known by name only once read, in [`complete_brief`]).
    pub not_editable: Vec<PackageName>,
}

impl Brief {
    /// Reads requirement strings and files (and constraint/override files).
    pub fn read(inputs: &BriefInputs) -> Result<Brief> {
        let mut brief = Brief {
            selection: inputs.extras.clone(),
            not_editable: inputs
                .no_editable_package
                .iter()
                .map(|name| {
                    PackageName::new(name)
                        .with_context(|| format!("invalid --no-editable-package `{name}`"))
                })
                .collect::<Result<_>>()?,
            ..Brief::default()
        };
        let local = |target: &String, editable: bool| DirectReference {
            name: None,
            extras: Vec::new(),
            marker: MarkerTree::TRUE,
            target: target.clone(),
            editable,
            origin: String::new(),
            selector: Selector::Always,
        };
        for text in &inputs.editables {
            brief.direct.push(local(text, !inputs.no_editable));
        }
        for text in &inputs.requirements {
            if is_local_path(text) {
                brief.direct.push(local(text, false));
                continue;
            }
            let requirement = text
                .parse::<Requirement>()
                .with_context(|| format!("invalid requirement `{text}`"))?;
            brief.push_requirement(requirement, String::new(), Selector::Always, false);
        }
        for source in &inputs.sources {
            brief.read_source(source, inputs)?;
        }
        for path in &inputs.constraints {
            for entry in RequirementsTxt::parse_file(path)?.requirements {
                brief.constraints.push(named(entry)?);
            }
        }
        for path in &inputs.overrides {
            for entry in RequirementsTxt::parse_file(path)?.requirements {
                brief.overrides.push(named(entry)?);
            }
        }
        Ok(brief)
    }

    /// Whether nothing at all was asked for.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty() && self.direct.is_empty() && self.dynamic_projects.is_empty()
    }

    fn read_source(&mut self, source: &Path, inputs: &BriefInputs) -> Result<()> {
        let file_name = source.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name == "pyproject.toml" {
            return self.read_pyproject(source, inputs);
        }
        if file_name == "setup.py" || file_name == "setup.cfg" {
            self.dynamic_projects.push(DynamicProject {
                source: source.to_owned(),
            });
            return Ok(());
        }
        let file = if source == Path::new("-") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read requirements from stdin")?;
            RequirementsTxt::parse_str(&text, Path::new("-"), &|name| std::env::var(name).ok())?
        } else {
            RequirementsTxt::parse_file(source)?
        };
        self.index.index_url = file.index_url.or(self.index.index_url.take());
        self.index.extra_index_urls.extend(file.extra_index_urls);
        self.index.find_links.extend(file.find_links);
        self.index.no_index |= file.no_index;
        self.pre |= file.pre;
        self.require_hashes |= file.require_hashes;
        self.only_binary.extend(file.only_binary);
        self.no_binary.extend(file.no_binary);
        for entry in file.requirements {
            let origin = format!("-r {}", entry.file.display());
            let editable = entry.editable && !inputs.no_editable;
            let requirement = match entry.requirement {
                RequirementSpec::Named(req) => req,
                RequirementSpec::Unnamed(u) => {
                    self.direct.push(DirectReference {
                        name: None,
                        extras: u.extras,
                        marker: u.marker.unwrap_or(MarkerTree::TRUE),
                        target: u.target,
                        editable,
                        origin,
                        selector: Selector::Always,
                    });
                    continue;
                }
            };
            if !entry.hashes.is_empty() {
                self.hashes
                    .entry(requirement.name.clone())
                    .or_default()
                    .extend(entry.hashes);
            }
            self.push_requirement(requirement, origin, Selector::Always, editable);
        }
        for entry in file.constraints {
            self.constraints.push(named(entry)?);
        }
        Ok(())
    }

    /// A `pyproject.toml`: its dependencies, the selected extras' and groups'.
    fn read_pyproject(&mut self, source: &Path, inputs: &BriefInputs) -> Result<()> {
        let project = PyProject::read(source)?;
        let groups: Vec<GroupName> = if inputs.groups.all {
            project.dependency_groups.keys().cloned().collect()
        } else {
            inputs.groups.groups.clone()
        };
        let name = project.project.as_ref().map(|p| p.name.to_string());
        let origin = format!("{} ({})", name.unwrap_or_default(), source.display());
        // `[tool.posy.sources]` turns a requirement into a direct reference.
        let no_sources: Vec<PackageName> = inputs
            .no_sources_package
            .iter()
            .map(|name| {
                PackageName::new(name)
                    .with_context(|| format!("invalid --no-sources-package `{name}`"))
            })
            .collect::<Result<_>>()?;
        let push = |brief: &mut Brief, requirement: Requirement, selector: Selector| {
            let (requirement, editable) =
                if inputs.no_sources || no_sources.contains(&requirement.name) {
                    (requirement, false)
                } else {
                    project.with_source_in(requirement, &inputs.workspace_members)
                };
            brief.push_requirement(
                requirement,
                origin.clone(),
                selector,
                editable && !inputs.no_editable,
            );
        };
        for group in &groups {
            for requirement in project.group(group)? {
                push(self, requirement, Selector::Group(group.clone()));
            }
            self.groups.push(group.clone());
        }
        let base = match (&project.project, inputs.as_projects) {
            (Some(table), true) => {
                let group = project_group(&table.name);
                if project.dependency_groups.contains_key(&group) {
                    bail!(
                        "{}: a dependency group may not be named `{group}` like the project: posy's lock uses that name for the project's own dependencies",
                        source.display()
                    );
                }
                if project.is_package() {
                    let mut itself: Requirement = table.name.to_string().parse()?;
                    itself.version_or_url = Some(posy_vocab::VersionOrUrl::Url(
                        project.directory().display().to_string(),
                    ));
                    self.push_requirement(
                        itself,
                        origin.clone(),
                        Selector::Group(group.clone()),
                        !inputs.no_editable,
                    );
                }
                self.groups.push(group.clone());
                Selector::Group(group)
            }
            _ => Selector::Always,
        };
        match project.requirements(&inputs.extras)? {
            Requirements::Static(_) => {
                let Some(table) = &project.project else {
                    return Ok(());
                };
                for requirement in table.dependencies.iter().flatten() {
                    push(self, requirement.clone(), base.clone());
                }
                for (extra, requirements) in &table.optional_dependencies {
                    if !(inputs.extras.all || inputs.extras.extras.contains(extra)) {
                        continue;
                    }
                    for requirement in requirements {
                        push(self, requirement.clone(), Selector::Extra(extra.clone()));
                    }
                    self.extras.push(extra.clone());
                }
            }
            Requirements::Dynamic => self.dynamic_projects.push(DynamicProject {
                source: source.to_owned(),
            }),
        }
        Ok(())
    }

    /// Adds a requirement from `origin`: a direct reference (`name @ url`)
    /// to [`Brief::direct`], anything else to [`Brief::requirements`].
    pub(crate) fn push_requirement(
        &mut self,
        requirement: Requirement,
        origin: String,
        selector: Selector,
        editable: bool,
    ) {
        if let Some(url) = requirement.url() {
            self.direct.push(DirectReference {
                name: Some(requirement.name.clone()),
                target: url.to_string(),
                extras: requirement.extras,
                marker: requirement.marker,
                editable,
                origin,
                selector,
            });
        } else {
            self.requirements.push(requirement);
            self.origins.push(origin);
            self.selectors.push(selector);
        }
    }
}

impl Brief {
    /// The distinct selectors of the requirements, in order, and each
    /// requirement's index among them: the classes a universal resolution
    /// reaches pins by (`Universe::root_classes`), so a multi-use lock can
    /// say where each extra's and group's requirements need a pin. Empty
    /// when every requirement has the same selector.
    pub fn selector_classes(&self) -> (Vec<Selector>, Vec<u16>) {
        let mut distinct: Vec<Selector> = Vec::new();
        let mut classes = Vec::with_capacity(self.requirements.len());
        for index in 0..self.requirements.len() {
            let selector = self
                .selectors
                .get(index)
                .cloned()
                .unwrap_or(Selector::Always);
            let class = match distinct.iter().position(|s| *s == selector) {
                Some(at) => at,
                None => {
                    distinct.push(selector);
                    distinct.len() - 1
                }
            };
            classes.push(u16::try_from(class).unwrap_or(u16::MAX));
        }
        if distinct.len() < 2 || distinct.len() > usize::from(u16::MAX) {
            return (Vec::new(), Vec::new());
        }
        (distinct, classes)
    }
}

/// The dependency group a workspace lock gives a project's own
/// `dependencies` and the project itself (see [`BriefInputs::as_projects`]).
pub fn project_group(name: &PackageName) -> GroupName {
    GroupName::new(name.as_ref()).expect("a package name is a valid group name")
}

/// Reads what [`Brief::read`] could not: the requirements of dynamic
/// projects (from their build backends) and the metadata of direct
/// references. The direct references' own requirements join the Brief,
/// and their packages are returned for the resolver
/// ([`crate::direct::WithDirect`]). A git reference keeps the commit that
/// `kept` pins for it while its revision still names that commit.
pub async fn complete_brief(
    brief: &mut Brief,
    builder: Option<&Builder>,
    client: &IndexClient,
    git: &std::sync::Arc<posy_git::GitSource>,
    kept: &[LockedCommit],
) -> Result<Vec<DirectPackage>> {
    for project in std::mem::take(&mut brief.dynamic_projects) {
        let (origin, requirements) =
            dynamic_project_requirements(&project, builder, &brief.selection).await?;
        for requirement in requirements {
            brief.push_requirement(requirement, origin.clone(), Selector::Always, false);
        }
    }
    let mut direct = Vec::new();
    for reference in &brief.direct {
        let mut package = read_direct(reference, builder, client, git, kept).await?;
        if package.editable && brief.not_editable.contains(&package.name) {
            package.install_regular();
        }
        direct.push(package);
    }
    for package in &direct {
        brief.requirements.push(package.requirement.clone());
        brief.origins.push(package.origin.clone());
        brief.selectors.push(package.selector.clone());
    }
    Ok(direct)
}

/// `--extra` / `--all-extras` as a selection.
pub fn extras_selection(extra: &[String], all: bool) -> Result<ExtrasSelection> {
    Ok(ExtrasSelection {
        extras: extra
            .iter()
            .map(|e| ExtraName::new(e).map_err(|err| anyhow!("invalid --extra `{e}`: {err}")))
            .collect::<Result<_>>()?,
        all,
    })
}

/// `--group` / `--all-groups` as a selection.
pub fn groups_selection(group: &[String], all: bool) -> Result<GroupsSelection> {
    Ok(GroupsSelection {
        groups: group
            .iter()
            .map(|g| GroupName::new(g).map_err(|err| anyhow!("invalid --group `{g}`: {err}")))
            .collect::<Result<_>>()?,
        all,
    })
}

/// Whether a command-line package is a local file or directory rather than a requirement.
fn is_local_path(text: &str) -> bool {
    if text.contains("://") || text.contains('@') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    text.starts_with(['.', '/', '~'])
        || text.contains(std::path::MAIN_SEPARATOR)
        || [".whl", ".tar.gz", ".zip", ".tar.bz2"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

fn named(entry: RequirementEntry) -> Result<Requirement> {
    match entry.requirement {
        RequirementSpec::Named(req) => Ok(req),
        RequirementSpec::Unnamed(u) => bail!(
            "{}:{}: `{}`: requirements given as a path or URL without a name are not supported yet; write `name @ {}`",
            entry.file.display(),
            entry.line,
            u.target,
            u.target
        ),
    }
}
