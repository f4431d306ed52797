//! Projects: a workspace's `pyproject.toml`s → one `pylock.toml` → `.venv`.
//!
//! A project's lock is a multi-use PEP 751 lock, universal over the
//! workspace's `requires-python` (the intersection of its members'), with
//! every extra and every dependency group in it. uv argues that a file of
//! fixed markers cannot install an arbitrary part of a workspace's graph
//! (astral-sh/uv#12584); posy's answer is one synthetic dependency group
//! per member, named after it: the member's own `dependencies`, and the
//! member itself (editable, when it is built), carry `'<member>' in
//! dependency_groups`, and the resolver's markers carry that down the
//! graph. `default-groups` lists the root project's group and the default
//! groups (`dev`), so `pip install -r pylock.toml` and `uv pip sync
//! pylock.toml` install what `posy sync` does; `--package b`,
//! `--only-group lint` and `--no-dev` are plain group selections.
//!
//! Staleness: the lock records a fingerprint of what it was made from
//! under `[tool.posy]` (`inputs`: a sha256 over each member's relative
//! directory and its `[project]`, `[dependency-groups]`, `[build-system]`
//! and `[tool.posy]` tables, plus the resolution options). `posy lock
//! --check` and `posy run` compare it without touching the network:
//! reading the `pyproject.toml`s and one line of the lock.
//!
//! Syncing writes `.venv/.posy-synced`, a digest of the lock's bytes and
//! the selection, after a sync succeeds; while both match, `posy run`
//! starts the command at once (no interpreter probe, no planning).
//!
//! Not done yet: `--all-packages`, per-member lock selections that leave
//! out a member's unrelated extras, and `[tool.posy]` index settings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use posy_project::{ConflictKind, LockedPackage, PackageSource, Pylock, Workspace};
use posy_vocab::{ExtraName, GroupName, MarkerSet, MarkerTree, PackageName, SpecifierSet};
use sha2::{Digest, Sha256};

use posy_project::ExtrasSelection;

use crate::brief::{Brief, BriefInputs, GroupsSelection, Selector, project_group};
use crate::env::{Env, EnvRequest, Placement};
use crate::install::{ApplyOptions, SyncOptions, sync_with};
use crate::plan::LockSelection;
use crate::resolve::{ResolveOptions, preferences_from, resolve_brief};
use crate::session::Session;
use crate::{Changes, relative_paths};

/// The name of the stamp a sync leaves in the environment.
const SYNC_STAMP: &str = ".posy-synced";

/// The `requires-python` of the workspace: every member's, together.
pub fn workspace_requires_python(ws: &Workspace) -> Result<Option<SpecifierSet>> {
    let mut parts: Vec<String> = Vec::new();
    for spec in ws
        .members
        .iter()
        .filter_map(|m| m.pyproject.project.as_ref()?.requires_python.as_ref())
    {
        let text = spec.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let joined = parts.join(",");
    Ok(Some(joined.parse().with_context(|| {
        format!("the members' requires-python `{joined}` do not combine")
    })?))
}

/// The Brief inputs of a workspace lock.
pub fn lock_inputs(ws: &Workspace) -> BriefInputs {
    BriefInputs {
        sources: ws
            .members
            .iter()
            .map(|m| m.pyproject.path.clone())
            .collect(),
        extras: ExtrasSelection {
            extras: Vec::new(),
            all: true,
        },
        groups: GroupsSelection {
            groups: Vec::new(),
            all: true,
        },
        workspace_members: ws.member_dirs(),
        as_projects: true,
        ..BriefInputs::default()
    }
}

/// A digest of what the lock of `ws` is made from; `options` describes
/// the resolution options that change the answer.
pub fn fingerprint(ws: &Workspace, options: &str) -> Result<String> {
    let mut text = String::new();
    let _ = writeln!(text, "posy-lock 1\noptions {options}");
    let mut members: Vec<_> = ws.members.iter().collect();
    members.sort_by(|a, b| a.dir.cmp(&b.dir));
    for member in members {
        let relative = member.dir.strip_prefix(&ws.root).unwrap_or(&member.dir);
        let raw = std::fs::read_to_string(&member.pyproject.path)
            .with_context(|| format!("cannot read {}", member.pyproject.path.display()))?;
        let table: toml::Table = toml::from_str(&raw)
            .with_context(|| format!("{} is not valid TOML", member.pyproject.path.display()))?;
        let _ = writeln!(text, "member {}", relative.display());
        for key in ["project", "dependency-groups", "build-system"] {
            if let Some(value) = table.get(key) {
                let _ = writeln!(text, "{key} {}", canonical(value));
            }
        }
        if let Some(posy) = table.get("tool").and_then(|t| t.get("posy")) {
            let _ = writeln!(text, "tool.posy {}", canonical(posy));
        }
    }
    Ok(hex(&Sha256::digest(text.as_bytes())))
}

/// A TOML value as one deterministic line (tables by sorted key).
fn canonical(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(table) => {
            let sorted: BTreeMap<&String, &toml::Value> = table.iter().collect();
            let items: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{k:?}={}", canonical(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        toml::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// How a workspace's lock relates to its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Missing,
    /// The lock was made from other inputs (or by another tool).
    Stale,
}

/// Whether the lock at `ws.lock_path()` was made from what the
/// `pyproject.toml`s say now (with `options`). Reads no more of the lock
/// than its `[tool.posy]` table.
pub fn freshness(ws: &Workspace, options: &str) -> Result<Freshness> {
    let path = ws.lock_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Freshness::Missing),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    check_lock_version(&text, &path)?;
    let want = fingerprint(ws, options)?;
    Ok(match recorded_inputs(&text) {
        Some(have) if have == want => Freshness::Fresh,
        _ => Freshness::Stale,
    })
}

/// The version of posy's own keys this posy writes (`[tool.posy]
/// lock-version`); a lock with a higher one was written by a newer posy.
const LOCK_VERSION: i64 = 1;

/// Refuses a lock whose `[tool.posy]` says a newer posy wrote it.
fn check_lock_version(text: &str, path: &Path) -> Result<()> {
    let Some(at) = text.find("\n[tool.posy]\n") else {
        return Ok(());
    };
    let version = text[at..]
        .lines()
        .skip(2)
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("lock-version = "))
        .and_then(|v| v.trim().parse::<i64>().ok());
    match version {
        Some(v) if v > LOCK_VERSION => bail!(
            "{} was written by a newer posy (its `[tool.posy] lock-version` is {v}; this posy reads {LOCK_VERSION}); upgrade posy",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The `inputs` value of the lock's `[tool.posy]` table, found by text.
fn recorded_inputs(text: &str) -> Option<&str> {
    let at = text.find("\n[tool.posy]\n")?;
    text[at..]
        .lines()
        .skip(2)
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("inputs = \""))
        .and_then(|rest| rest.strip_suffix('"'))
}

/// What [`lock`] did.
#[derive(Debug)]
pub struct LockOutcome {
    pub path: PathBuf,
    /// The file was written (its content changed).
    pub written: bool,
    pub packages: usize,
    pub warnings: Vec<String>,
}

/// The resolution options a lock records (`[tool.posy.options]`) as the
/// fingerprint takes them.
pub fn options_key(recorded: &toml::Table) -> String {
    canonical(&toml::Value::Table(recorded.clone()))
}

/// Locks `ws` into `pylock.toml` beside its root `pyproject.toml`, keeping
/// the existing lock's pins (unless `options` upgrade them). The file is
/// written only when its content changes (never on a `dry_run`).
/// `recorded` is what `options` hold that changes the answer; the lock
/// keeps it under `[tool.posy.options]`.
pub fn lock(
    session: &Session,
    ws: &Workspace,
    options: &ResolveOptions,
    recorded: &toml::Table,
    dry_run: bool,
) -> Result<LockOutcome> {
    let path = ws.lock_path();
    let mut options = options.clone();
    options.universal = true;
    options.requires_python = workspace_requires_python(ws)?;
    if path.is_file() {
        options.preferences = preferences_from(&path)?;
    }
    let settings = &ws.root_pyproject.settings;
    if options.environments.is_empty() {
        options.environments = settings.environments.clone();
    }
    if options.required_environments.is_empty() {
        options.required_environments = settings.required_environments.clone();
    }
    let read_brief = || -> Result<Brief> {
        let mut brief = Brief::read(&lock_inputs(ws))?;
        brief
            .constraints
            .extend(settings.constraint_dependencies.iter().cloned());
        brief
            .overrides
            .extend(settings.override_dependencies.iter().cloned());
        Ok(brief)
    };
    let conflicts = ws.conflicts();
    let (mut lock, warnings) = if conflicts.is_empty() {
        let blueprint = resolve_brief(session, read_brief()?, &options)?.blueprint;
        (blueprint.lock, blueprint.warnings)
    } else {
        let mut parts = Vec::new();
        let mut warnings = Vec::new();
        for region in conflict_regions(&conflicts) {
            let mut brief = read_brief()?;
            region.narrow(&mut brief);
            let blueprint = resolve_brief(session, brief, &options)
                .with_context(|| format!("when {}", region.describe()))?
                .blueprint;
            warnings.extend(blueprint.warnings);
            parts.push((region.marker(), blueprint.lock));
        }
        warnings.dedup();
        (
            merge_regions(parts, conflicts_context(&conflicts))?,
            warnings,
        )
    };
    lock.path = path.clone();
    relative_paths(&mut lock, &ws.root);
    lock.header = None;
    if let Some(spec) = &options.requires_python {
        lock.requires_python = Some(spec.clone());
    }
    let mut defaults: Vec<GroupName> = ws
        .root_pyproject
        .project
        .as_ref()
        .map(|p| vec![project_group(&p.name)])
        .unwrap_or_else(|| ws.members.iter().map(|m| project_group(&m.name)).collect());
    for group in ws.default_groups() {
        if lock.dependency_groups.contains(&group) && !defaults.contains(&group) {
            defaults.push(group);
        }
    }
    lock.default_groups = defaults;
    let mut tool = toml::Table::new();
    tool.insert("lock-version".into(), toml::Value::Integer(LOCK_VERSION));
    tool.insert(
        "inputs".into(),
        toml::Value::String(fingerprint(ws, &options_key(recorded))?),
    );
    if !recorded.is_empty() {
        tool.insert("options".into(), toml::Value::Table(recorded.clone()));
    }
    if let Some(pins) = crate::python_pin::lock_pins(session, ws, options.upgrade_python)? {
        tool.insert("python".into(), pins);
    }
    lock.tool.insert("posy".into(), toml::Value::Table(tool));
    let text = lock.to_toml();
    let packages = lock.packages.len();
    let old = std::fs::read_to_string(&path).ok();
    let written = !dry_run && old.as_deref() != Some(text.as_str());
    if written {
        write_atomically(&path, &text)?;
    }
    Ok(LockOutcome {
        path,
        written,
        packages,
        warnings,
    })
}

/// One part of the selections a lock with `conflicts` serves: for each
/// conflict set, the one extra or group that may be on (or none), every
/// other member of the set off. The parts are disjoint and, with the
/// combinations `conflicts` forbids left out, cover every selection; each
/// is resolved on its own, so two conflicting extras may pin a package at
/// different versions (see [`merge_regions`]).
struct ConflictRegion {
    /// Per conflict set, its items and which one is on.
    sets: Vec<(Vec<ConflictKind>, Option<usize>)>,
}

impl ConflictRegion {
    /// Whether a requirement with `selector` belongs to this part.
    fn keeps(&self, selector: &Selector) -> bool {
        let kind = match selector {
            Selector::Always => return true,
            Selector::Extra(extra) => ConflictKind::Extra(extra.clone()),
            Selector::Group(group) => ConflictKind::Group(group.clone()),
        };
        self.sets
            .iter()
            .all(|(items, on)| match items.iter().position(|k| *k == kind) {
                Some(at) => *on == Some(at),
                None => true,
            })
    }

    /// `brief` without the requirements of the extras and groups that are off.
    fn narrow(&self, brief: &mut Brief) {
        let keep: Vec<bool> = (0..brief.requirements.len())
            .map(|i| self.keeps(brief.selectors.get(i).unwrap_or(&Selector::Always)))
            .collect();
        let mut flags = keep.iter();
        brief
            .requirements
            .retain(|_| *flags.next().unwrap_or(&true));
        let mut flags = keep.iter();
        brief.origins.retain(|_| *flags.next().unwrap_or(&true));
        brief.selectors.retain(|s| self.keeps(s));
        brief.direct.retain(|d| self.keeps(&d.selector));
    }

    /// The selections of this part, as a marker on `extras` and
    /// `dependency_groups`: per set, the item that is on (the others are
    /// off in every selection `conflicts` allows, so saying so would only
    /// lengthen the markers), or every item off.
    fn marker(&self) -> MarkerSet {
        let mut marker = MarkerSet::TRUE;
        for (items, on) in &self.sets {
            marker = match on {
                Some(at) => marker.and(conflict_atom(&items[*at])),
                None => items
                    .iter()
                    .fold(marker, |m, item| m.and(conflict_atom(item).negate())),
            };
        }
        marker
    }

    /// For messages: "extra `a` is selected" / "none of … is".
    fn describe(&self) -> String {
        let parts: Vec<String> = self
            .sets
            .iter()
            .map(|(items, on)| match on {
                Some(at) => format!("{} is selected", items[*at]),
                None => format!(
                    "none of {} is",
                    items
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect();
        format!("resolving for the selections where {}", parts.join(" and "))
    }
}

/// `'x' in extras` or `'g' in dependency_groups`.
fn conflict_atom(item: &ConflictKind) -> MarkerSet {
    let text = match item {
        ConflictKind::Extra(extra) => format!("'{extra}' in extras"),
        ConflictKind::Group(group) => format!("'{group}' in dependency_groups"),
    };
    let tree: MarkerTree = text.parse().expect("an `in extras` marker parses");
    MarkerSet::from_tree(&tree)
}

/// Every [`ConflictRegion`] of `conflicts` (the product of each set's
/// choices: one of its items, or none).
fn conflict_regions(conflicts: &[Vec<ConflictKind>]) -> Vec<ConflictRegion> {
    let mut regions = vec![ConflictRegion { sets: Vec::new() }];
    for set in conflicts {
        let mut next = Vec::new();
        for region in &regions {
            for on in std::iter::once(None).chain((0..set.len()).map(Some)) {
                let mut sets = region.sets.clone();
                sets.push((set.clone(), on));
                next.push(ConflictRegion { sets });
            }
        }
        regions = next;
    }
    regions
}

/// The selections `conflicts` allows: no two items of one set together.
fn conflicts_context(conflicts: &[Vec<ConflictKind>]) -> MarkerSet {
    let mut context = MarkerSet::TRUE;
    for set in conflicts {
        for (i, a) in set.iter().enumerate() {
            for b in &set[i + 1..] {
                context = context.and(conflict_atom(a).and(conflict_atom(b)).negate());
            }
        }
    }
    context
}

/// One lock from the locks of the parts: a package pinned alike in
/// several parts is one entry (its files and dependencies the union), and
/// its marker is the `or` over the parts of "this part's selections, and
/// the marker that part's lock gave it", printed as simply as the allowed
/// selections (`context`) permit: `'cpu' in extras` rather than
/// `'cpu' in extras and 'gpu' not in extras`.
fn merge_regions(parts: Vec<(MarkerSet, Pylock)>, context: MarkerSet) -> Result<Pylock> {
    let mut base: Option<Pylock> = None;
    let mut merged: Vec<(LockedPackage, MarkerSet)> = Vec::new();
    for (region, mut lock) in parts {
        for package in std::mem::take(&mut lock.packages) {
            let marker = package
                .marker
                .as_ref()
                .map_or(MarkerSet::TRUE, MarkerSet::from_tree)
                .and(region);
            if marker.is_false() {
                continue;
            }
            let same = merged.iter_mut().find(|(p, _)| {
                p.name == package.name && p.version == package.version && same_source(p, &package)
            });
            match same {
                Some((existing, existing_marker)) => {
                    *existing_marker = existing_marker.or(marker);
                    for dependency in package.dependencies {
                        if !existing.dependencies.contains(&dependency) {
                            existing.dependencies.push(dependency);
                        }
                    }
                    if let (
                        PackageSource::Registry { wheels, .. },
                        PackageSource::Registry { wheels: more, .. },
                    ) = (&mut existing.source, package.source)
                    {
                        for wheel in more {
                            if !wheels
                                .iter()
                                .any(|w| w.name == wheel.name && w.url == wheel.url)
                            {
                                wheels.push(wheel);
                            }
                        }
                        wheels.sort_by(|a, b| a.name.cmp(&b.name));
                    }
                }
                None => merged.push((package, marker)),
            }
        }
        match &mut base {
            None => base = Some(lock),
            Some(base) => {
                for extra in lock.extras {
                    if !base.extras.contains(&extra) {
                        base.extras.push(extra);
                    }
                }
                for group in lock.dependency_groups {
                    if !base.dependency_groups.contains(&group) {
                        base.dependency_groups.push(group);
                    }
                }
            }
        }
    }
    let mut lock = base.context("a lock with conflicts has at least two parts")?;
    lock.packages = merged
        .into_iter()
        .map(|(mut package, marker)| {
            let tree = marker.to_tree_within(context);
            package.marker = (!tree.is_true()).then_some(tree);
            package
        })
        .collect();
    lock.packages
        .sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok(lock)
}

/// Whether two entries of one name and version come from the same place.
fn same_source(a: &LockedPackage, b: &LockedPackage) -> bool {
    match (&a.source, &b.source) {
        (PackageSource::Registry { .. }, PackageSource::Registry { .. }) => a.index == b.index,
        (x, y) => x == y,
    }
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// so a reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, text: impl AsRef<[u8]>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}", path.display())
    })
}

/// Which part of a workspace lock to install.
#[derive(Debug, Clone, Default)]
pub struct ProjectSelection {
    /// `--package NAME`: that member instead of the root project.
    pub package: Option<PackageName>,
    /// `--all-packages`: every member of the workspace.
    pub all_packages: bool,
    pub extras: Vec<ExtraName>,
    pub all_extras: bool,
    /// `--group G`, on top of the default groups.
    pub groups: Vec<GroupName>,
    /// `--no-dev`: without the `dev` group.
    pub no_dev: bool,
    /// `--no-default-groups`.
    pub no_default_groups: bool,
    /// `--only-group G`: those groups alone, without any project.
    pub only_groups: Vec<GroupName>,
    /// `--only-dev`.
    pub only_dev: bool,
    /// `--all-groups`.
    pub all_groups: bool,
}

impl ProjectSelection {
    /// The lock selection this means in `ws`'s lock.
    pub fn lock_selection(&self, ws: &Workspace, lock: &Pylock) -> Result<LockSelection> {
        let dev = GroupName::new("dev").expect("`dev` is a valid group name");
        let mut groups: Vec<GroupName> = Vec::new();
        let only: Vec<GroupName> = self
            .only_groups
            .iter()
            .cloned()
            .chain(self.only_dev.then(|| dev.clone()))
            .collect();
        // Extras are the projects'; `--only-group` selects no project.
        let projects = only.is_empty();
        if only.is_empty() {
            let projects: Vec<GroupName> = match &self.package {
                Some(name) => {
                    if ws.member(name).is_none() {
                        bail!(
                            "the workspace has no member `{name}` (its members: {})",
                            ws.members
                                .iter()
                                .map(|m| m.name.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    vec![project_group(name)]
                }
                None if self.all_packages => ws
                    .members
                    .iter()
                    .map(|m| project_group(&m.name))
                    .filter(|g| lock.dependency_groups.contains(g))
                    .collect(),
                None => lock
                    .default_groups
                    .iter()
                    .filter(|g| ws.members.iter().any(|m| project_group(&m.name) == **g))
                    .cloned()
                    .collect(),
            };
            groups.extend(projects);
            if !self.no_default_groups {
                groups.extend(
                    ws.default_groups()
                        .into_iter()
                        .filter(|g| !(self.no_dev && *g == dev))
                        .filter(|g| lock.dependency_groups.contains(g)),
                );
            }
            if self.all_groups {
                groups.extend(lock.dependency_groups.iter().cloned());
            }
            groups.extend(self.groups.iter().cloned());
        } else {
            groups = only;
        }
        groups.sort();
        groups.dedup();
        Ok(LockSelection {
            extras: if projects {
                self.extras.clone()
            } else {
                Vec::new()
            },
            groups,
            no_deps: false,
            all_extras: projects && self.all_extras,
        })
    }
}

/// Refuses a selection that turns on two extras or groups of one
/// `conflicts` set: the lock resolved them apart, so no single
/// environment holds both.
pub fn check_conflicts(ws: &Workspace, lock: &Pylock, selection: &LockSelection) -> Result<()> {
    let extras_on: &[ExtraName] = if selection.all_extras {
        &lock.extras
    } else {
        &selection.extras
    };
    for set in ws.conflicts() {
        let on: Vec<&ConflictKind> = set
            .iter()
            .filter(|kind| match kind {
                ConflictKind::Extra(extra) => extras_on.contains(extra),
                ConflictKind::Group(group) => selection.groups.contains(group),
            })
            .collect();
        if let [first, second, ..] = on.as_slice() {
            bail!(
                "the {first} and the {second} conflict (`conflicts` in `[tool.posy]`): they cannot be installed together; select one of them"
            );
        }
    }
    Ok(())
}

/// How [`sync_project`] finds its interpreter and installs.
#[derive(Debug, Clone, Default)]
pub struct ProjectSyncOptions {
    pub selection: ProjectSelection,
    /// `--python`: the interpreter for a new `.venv`.
    pub python: Option<String>,
    /// Remove what the selection does not hold (`sync`; `--inexact` and
    /// `run` keep it).
    pub exact: bool,
    pub apply: ApplyOptions,
    pub index: crate::IndexSettings,
    pub resolver: crate::ResolverOptions,
}

/// What [`sync_project`] did.
pub struct ProjectSync {
    pub changes: Changes,
    /// The environment's interpreter.
    pub python: PathBuf,
    /// The environment was created by this sync.
    pub created: Option<String>,
}

/// Makes `ws`'s `.venv` hold the lock's selection (creating the
/// environment with an interpreter that fits `requires-python` if there is
/// none), then stamps it so the next [`is_synced`] answers at once.
pub fn sync_project(
    session: &Session,
    ws: &Workspace,
    options: &ProjectSyncOptions,
) -> Result<ProjectSync> {
    let lock_path = ws.lock_path();
    let lock_text = std::fs::read_to_string(&lock_path).with_context(|| {
        format!(
            "cannot read {}; run `posy lock` to make it",
            lock_path.display()
        )
    })?;
    check_lock_version(&lock_text, &lock_path)?;
    let lock = Pylock::parse(&lock_text, &lock_path)?;
    let selection = options.selection.lock_selection(ws, &lock)?;
    check_conflicts(ws, &lock, &selection)?;
    let venv = ws.venv_path();
    let pin = crate::python_pin::pin_in(&lock.tool);
    let created = ensure_venv(session, ws, &venv, options.python.as_deref(), pin.as_ref())?;
    let python = crate::venv_python(&venv)
        .with_context(|| format!("{} is not a virtual environment", venv.display()))?;
    let env = Env::find(
        &EnvRequest {
            python: Some(python.display().to_string()),
            system: false,
        },
        &Placement::Environment,
        session.cache_dir(),
    )?;
    let stamp = venv.join(SYNC_STAMP);
    let _ = std::fs::remove_file(&stamp);
    let changes = sync_with(
        session,
        &env,
        &[lock_path],
        Some(lock),
        &SyncOptions {
            index: options.index.clone(),
            resolver: options.resolver.clone(),
            apply: options.apply.clone(),
            selection: selection.clone(),
            remove_extraneous: options.exact,
            allow_empty: true,
            constraints: Vec::new(),
        },
    )?;
    if !changes.dry_run {
        std::fs::write(
            &stamp,
            stamp_of(&lock_text, &options.selection, options.exact),
        )
        .with_context(|| format!("cannot write {}", stamp.display()))?;
    }
    Ok(ProjectSync {
        changes,
        python: env.interpreter.executable().to_path_buf(),
        created,
    })
}

/// Whether `ws`'s `.venv` was synced from the lock as it is now, with
/// this selection (a sync that removes extraneous packages also answers
/// for one that keeps them).
pub fn is_synced(ws: &Workspace, selection: &ProjectSelection, exact: bool) -> Result<bool> {
    let Ok(lock_text) = std::fs::read_to_string(ws.lock_path()) else {
        return Ok(false);
    };
    let Ok(stamp) = std::fs::read_to_string(ws.venv_path().join(SYNC_STAMP)) else {
        return Ok(false);
    };
    if !crate::venv_python(&ws.venv_path()).is_some_and(|p| p.exists()) {
        return Ok(false);
    }
    Ok(stamp == stamp_of(&lock_text, selection, true)
        || (!exact && stamp == stamp_of(&lock_text, selection, false)))
}

/// The stamp of a sync of `lock_text` with `selection`: read back without
/// parsing the lock, so `posy run` can trust an environment in a moment.
fn stamp_of(lock_text: &str, selection: &ProjectSelection, exact: bool) -> String {
    let mut hasher = Sha256::new();
    hasher.update(lock_text.as_bytes());
    hasher.update(format!("\n{selection:?} exact={exact}").as_bytes());
    hex(&hasher.finalize())
}

/// Creates `venv` if it does not hold an interpreter: with `python` if
/// given, else the `.python-version` pin, else one that fits the
/// workspace's `requires-python`. Returns the interpreter's description
/// when it created the environment. `pin` is the build the lock names for
/// this platform.
fn ensure_venv(
    session: &Session,
    ws: &Workspace,
    venv: &Path,
    python: Option<&str>,
    pin: Option<&posy_python::managed::PythonDownload>,
) -> Result<Option<String>> {
    if crate::venv_python(venv).is_some_and(|p| p.exists())
        && python.is_none()
        && !pin.is_some_and(|pin| crate::python_pin::venv_differs_from(pin, venv))
    {
        return Ok(None);
    }
    use posy_python::{DiscoveryEnv, OnExisting, VenvOptions, create_venv};
    let request = crate::python_pin::project_request(ws, python)?;
    let discovery = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    let interpreter = crate::python_pin::project_interpreter(
        session,
        ws,
        &request,
        python.is_some(),
        &discovery,
    )?;
    if let Some(spec) = workspace_requires_python(ws)?
        && !spec.contains(&interpreter.python_version())
    {
        bail!(
            "{} is Python {}, but the project requires Python {spec}; pass `--python` with one that fits",
            interpreter.executable().display(),
            interpreter.python_version()
        );
    }
    create_venv(
        &interpreter,
        venv,
        &VenvOptions {
            prompt: ws
                .root_pyproject
                .project
                .as_ref()
                .map(|p| p.name.to_string()),
            system_site_packages: false,
            on_existing: OnExisting::Clear,
            command: None,
            posy_version: env!("CARGO_PKG_VERSION").to_string(),
        },
    )?;
    let described = format!(
        "{} interpreter at: {}",
        interpreter.display_name(),
        interpreter.executable().display()
    );
    eprintln!("Using {described}");
    eprintln!("Created virtual environment at: {}", venv.display());
    Ok(Some(described))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_inputs_are_found_by_text() {
        let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"a\"\n\n[tool.posy]\nlock-version = 1\ninputs = \"abc\"\n";
        assert_eq!(recorded_inputs(text), Some("abc"));
        assert_eq!(recorded_inputs("lock-version = \"1.0\"\n"), None);
    }

    #[test]
    fn canonical_values_ignore_key_order() {
        let a: toml::Table = toml::from_str("x = { b = 1, a = [\"q\"] }").unwrap();
        let b: toml::Table = toml::from_str("x = { a = [\"q\"], b = 1 }").unwrap();
        assert_eq!(canonical(&a["x"]), canonical(&b["x"]));
    }
}
