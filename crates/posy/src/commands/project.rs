//! `posy lock`, `posy sync`, `posy run`: a project's `pyproject.toml`s →
//! `pylock.toml` → `.venv` → the command (see `posy_ops::project`).
//!
//! The resolution options that change a lock's answer (`--exclude-newer`,
//! `--prerelease`, `--resolution`, the indexes) are recorded in the lock
//! under `[tool.posy.options]`, so a later `posy add` or `posy run` without
//! them keeps locking as the first command did; given again with another
//! value, they make the lock stale.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use posy_ops::{
    ApplyOptions, Freshness, ProjectSelection, ProjectSyncOptions, ResolveOptions, Session,
    elapsed, freshness, is_synced, lock_project, options_key, plural, sync_project,
};
use posy_project::Workspace;
use posy_vocab::{ExtraName, GroupName, PackageName};

use posy_project::{GitReference, Place, PyProjectEditor, Source};
use posy_vocab::Requirement;

use crate::cli::{
    AddArgs, GlobalArgs, LockArgs, PlaceArgs, ProjectArgs, ProjectInstallArgs, RemoveArgs, RunArgs,
    SelectionArgs, SyncArgs,
};
use crate::settings;

/// The options a lock records, as `KEY = "VALUE"` pairs of
/// `[tool.posy.options]`.
const RECORDED: &[&str] = posy_project::RESOLUTION_OPTIONS;

pub fn lock(args: &LockArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if let Some(script) = &args.script {
        return super::script::lock(script, args, global);
    }
    let ws = workspace()?;
    let (options, recorded) = lock_options(&ws, &args.project, global)?;
    let key = options_key(&recorded);
    if args.check || args.project.locked {
        return match freshness(&ws, &key)? {
            Freshness::Fresh => {
                eprintln!("{} is up to date", display(&ws.lock_path()));
                Ok(ExitCode::SUCCESS)
            }
            Freshness::Missing => {
                eprintln!(
                    "error: {} does not exist; run `posy lock` to make it",
                    display(&ws.lock_path())
                );
                Ok(ExitCode::FAILURE)
            }
            Freshness::Stale => {
                eprintln!(
                    "error: {} does not match pyproject.toml; run `posy lock` to update it",
                    display(&ws.lock_path())
                );
                Ok(ExitCode::FAILURE)
            }
        };
    }
    if args.project.frozen {
        bail!("`posy lock --frozen` would neither check nor write the lock; use `--check`");
    }
    let resolver = &args.project.resolver;
    let upgrading = resolver.upgrade
        || args.upgrade_python
        || !resolver.upgrade_package.is_empty()
        || !resolver.upgrade_group.is_empty();
    if !upgrading && !args.dry_run && freshness(&ws, &key)? == Freshness::Fresh {
        // Made from these inputs with these options: a resolution would
        // keep every pin, so there is nothing to ask an index.
        eprintln!("{} is up to date", display(&ws.lock_path()));
        return Ok(ExitCode::SUCCESS);
    }
    let session = settings::session(global)?;
    let options = ResolveOptions {
        upgrade_python: args.upgrade_python,
        ..options
    };
    relock(&session, &ws, &options, &recorded, args.dry_run)?;
    session.close()?;
    Ok(ExitCode::SUCCESS)
}

pub fn sync(args: &SyncArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let ws = workspace()?;
    let session = settings::session(global)?;
    ensure_lock(&session, &ws, &args.project, global)?;
    let outcome = sync_project(
        &session,
        &ws,
        &sync_options(
            &ws,
            &args.project,
            &args.selection,
            &args.install,
            !args.inexact,
            args.dry_run,
            global,
        )?,
    )?;
    drop(outcome);
    session.close()?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &RunArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if let Some(code) = super::script::run(args, global)? {
        return Ok(code);
    }
    let ws = workspace()?;
    let selection = selection(&args.selection)?;
    if !args.no_sync {
        let fresh = args.project.frozen || {
            let recorded = recorded_options(&ws, &args.project)?;
            freshness(&ws, &options_key(&recorded))? == Freshness::Fresh
        };
        if !(fresh && is_synced(&ws, &selection, args.exact)?) {
            let session = settings::session(global)?;
            ensure_lock(&session, &ws, &args.project, global)?;
            let outcome = sync_project(
                &session,
                &ws,
                &sync_options(
                    &ws,
                    &args.project,
                    &args.selection,
                    &args.install,
                    args.exact,
                    false,
                    global,
                )?,
            )?;
            drop(outcome);
            session.close()?;
        }
    }
    if !args.with.is_empty() {
        return super::script::run_with_overlay(&ws.venv_path(), args, global);
    }
    exec_in(&ws.venv_path(), &args.command)
}

pub fn add(args: &AddArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let here = std::env::current_dir().context("cannot read the working directory")?;
    let (_, member_dir) = target_member(&here, &args.place)?;
    let entries: Vec<(Requirement, Option<Source>)> = args
        .packages
        .iter()
        .map(|text| add_entry(text, args, &here, &member_dir))
        .collect::<Result<_>>()?;
    let requirements: Vec<Requirement> = entries
        .iter()
        .filter(|(_, source)| source.is_none())
        .map(|(r, _)| r.clone())
        .collect();
    let place = place(&args.place)?;
    edit_and_lock(
        &args.place,
        &args.project,
        &args.install,
        global,
        true,
        |editor| {
            for (requirement, source) in &entries {
                editor.add_dependency(requirement, &place)?;
                if let Some(source) = source {
                    editor.set_source(&requirement.name, source)?;
                }
            }
            Ok(())
        },
        |editor, lock| {
            // A name without a version gets the locked version as its lower
            // bound (`requests>=2.32.3`), as uv writes it.
            let mut changed = false;
            for requirement in &requirements {
                if requirement.version_or_url.is_some() {
                    continue;
                }
                let Some(version) = locked_version(lock, &requirement.name) else {
                    continue;
                };
                let mut bounded = requirement.clone();
                bounded.version_or_url = Some(posy_vocab::VersionOrUrl::Specifiers(
                    format!(">={version}").parse()?,
                ));
                editor.add_dependency(&bounded, &place)?;
                changed = true;
            }
            Ok(changed)
        },
    )
}

pub fn remove(args: &RemoveArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let names: Vec<PackageName> = args
        .packages
        .iter()
        .map(|n| PackageName::new(n).with_context(|| format!("`{n}` is not a package name")))
        .collect::<Result<_>>()?;
    let place = place(&args.place)?;
    edit_and_lock(
        &args.place,
        &args.project,
        &args.install,
        global,
        false,
        |editor| {
            for name in &names {
                editor.remove_dependency(name, &place)?;
                if !editor.depends_on(name)? {
                    editor.remove_source(name)?;
                }
            }
            Ok(())
        },
        |_, _| Ok(false),
    )
}

/// The workspace, and the directory of the member `add`/`remove` edit:
/// `--package`'s, else the one the working directory is in.
fn target_member(here: &Path, place_args: &PlaceArgs) -> Result<(Workspace, PathBuf)> {
    let ws = Workspace::discover(here)?;
    let dir = match &place_args.package {
        Some(name) => {
            let name = PackageName::new(name).context("invalid --package")?;
            ws.member(&name)
                .with_context(|| format!("the workspace has no member `{name}`"))?
                .dir
                .clone()
        }
        None => ws
            .member_at(here)
            .context("the working directory is in no project of the workspace")?
            .dir
            .clone(),
    };
    Ok((ws, dir))
}

/// What `posy add` writes for one argument: the dependency, and the
/// `[tool.posy.sources]` entry when it comes from somewhere other than
/// an index (as uv writes them): a `name @ URL` requirement (unless
/// `--raw`), a local directory, wheel or sdist (`./lib`), or the URL of a
/// wheel or sdist. Paths are written relative to the member's directory.
fn add_entry(
    text: &str,
    args: &AddArgs,
    here: &Path,
    member_dir: &Path,
) -> Result<(Requirement, Option<Source>)> {
    let git_flag = args.tag.is_some() || args.branch.is_some() || args.rev.is_some();
    let looks_like_path = text.starts_with(['.', '/', '~'])
        || ([".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|e| text.ends_with(e))
            && !text.contains("://"));
    if looks_like_path {
        let path = match text.strip_prefix("~/") {
            Some(rest) => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(rest),
            None => here.join(text),
        };
        let name = local_name(&path).with_context(|| format!("cannot add `{text}`"))?;
        if git_flag {
            bail!("cannot add `{text}`: --tag, --branch and --rev are for `git+` URLs");
        }
        let source = Source::Path {
            path: relative_path(&path, member_dir),
            editable: args.editable,
        };
        return Ok((name.as_str().parse::<Requirement>()?, Some(source)));
    }
    let (requirement, url) = match text.parse::<Requirement>() {
        Ok(requirement) => {
            let url = requirement.url().map(str::to_owned);
            (requirement, url)
        }
        Err(error) if text.contains("://") && !text.contains(' ') => {
            let filename = text
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .split(['#', '?'])
                .next()
                .unwrap_or_default();
            let name = dist_name(filename).with_context(|| {
                format!(
                    "cannot add `{text}`: {error}; write it as `name @ {text}` to give the package's name"
                )
            })?;
            (name.as_str().parse::<Requirement>()?, Some(text.to_owned()))
        }
        Err(error) => return Err(error).with_context(|| format!("cannot add `{text}`")),
    };
    let Some(url) = url else {
        if args.editable {
            bail!(
                "cannot add `{text}` as editable: --editable takes a local project directory (`./lib`)"
            );
        }
        if git_flag {
            bail!("cannot add `{text}`: --tag, --branch and --rev are for `git+` URLs");
        }
        return Ok((requirement, None));
    };
    let mut bare = requirement.clone();
    bare.version_or_url = None;
    if args.raw {
        return Ok((requirement, None));
    }
    let source = if let Some(git) = url.strip_prefix("git+") {
        let (rest, subdirectory) = match git.split_once('#') {
            Some((rest, fragment)) => (
                rest,
                fragment
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("subdirectory="))
                    .map(str::to_owned),
            ),
            None => (git, None),
        };
        // `@ref` after the path (not the `user@` of the host).
        let path_start = rest.find("://").map_or(0, |i| i + 3);
        let (repository, in_url) = match rest[path_start..].rfind('@') {
            Some(at) if rest[path_start..][..at].contains('/') => (
                rest[..path_start + at].to_owned(),
                Some(rest[path_start + at + 1..].to_owned()),
            ),
            _ => (rest.to_owned(), None),
        };
        let reference = match (&args.tag, &args.branch, &args.rev, in_url) {
            (Some(tag), _, _, _) => GitReference::Tag(tag.clone()),
            (_, Some(branch), _, _) => GitReference::Branch(branch.clone()),
            (_, _, Some(rev), _) => GitReference::Rev(rev.clone()),
            (_, _, _, Some(reference)) => GitReference::Rev(reference),
            _ => GitReference::DefaultBranch,
        };
        Source::Git {
            repository,
            reference,
            subdirectory,
        }
    } else if git_flag {
        bail!("cannot add `{text}`: --tag, --branch and --rev are for `git+` URLs");
    } else if let Some(path) = url
        .strip_prefix("file://")
        .map(|p| PathBuf::from(percent_decode(p)))
    {
        Source::Path {
            path: relative_path(&path, member_dir),
            editable: args.editable,
        }
    } else if args.editable {
        bail!("cannot add `{text}` as editable: --editable takes a local project directory");
    } else {
        Source::Url { url }
    };
    Ok((bare, Some(source)))
}

/// The name of the project in a local directory (its `pyproject.toml`'s
/// `[project] name`), wheel or sdist (its file name).
fn local_name(path: &Path) -> Result<PackageName> {
    if path.is_dir() {
        let pyproject = path.join("pyproject.toml");
        let project = posy_project::PyProject::read(&pyproject).with_context(|| {
            format!(
                "{} is not a project directory with a `pyproject.toml`",
                path.display()
            )
        })?;
        return match project.project {
            Some(project) => Ok(project.name),
            None => bail!(
                "{} has no `[project]` table to read the name from; write it as `name @ file://…`",
                pyproject.display()
            ),
        };
    }
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dist_name(&filename)
}

/// The package name in a wheel's or an sdist's file name.
fn dist_name(filename: &str) -> Result<PackageName> {
    if filename.ends_with(".whl") {
        let wheel: posy_vocab::WheelFilename = filename.parse()?;
        return Ok(wheel.name().clone());
    }
    let sdist: posy_vocab::SdistFilename = filename
        .parse()
        .with_context(|| format!("`{filename}` is neither a wheel nor an sdist file name"))?;
    Ok(sdist.name().clone())
}

/// `path` as written relative to `base` when one is below the other's
/// parent chain (`../lib`, `./vendor/x.whl`), else absolute.
fn relative_path(path: &Path, base: &Path) -> PathBuf {
    let clean =
        |p: &Path| -> PathBuf { std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()) };
    let (path, base) = (clean(path), clean(base));
    let ours: Vec<_> = path.components().collect();
    let theirs: Vec<_> = base.components().collect();
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..theirs.len() {
        out.push("..");
    }
    for part in &ours[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// `%20` and friends in a `file://` URL's path.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn place(args: &PlaceArgs) -> Result<Place> {
    Ok(match (&args.group, &args.optional) {
        _ if args.dev => Place::Group(GroupName::new("dev")?),
        (Some(group), _) => Place::Group(
            GroupName::new(group).with_context(|| format!("invalid group name `{group}`"))?,
        ),
        (None, Some(extra)) => Place::Optional(
            ExtraName::new(extra).with_context(|| format!("invalid extra name `{extra}`"))?,
        ),
        (None, None) => Place::Project,
    })
}

/// The version the lock at `path` pins for `name` (the first entry's).
fn locked_version(lock: &posy_project::Pylock, name: &PackageName) -> Option<String> {
    lock.packages
        .iter()
        .find(|p| &p.name == name)
        .and_then(|p| p.version.as_ref())
        .map(ToString::to_string)
}

/// Edits the `pyproject.toml` of the member in the working directory (or
/// `--package`), locks, lets `after` refine the edit from the lock (then
/// locks again), and syncs. A failure at any step puts `pyproject.toml`
/// and the lock back as they were.
fn edit_and_lock(
    place_args: &PlaceArgs,
    project: &ProjectArgs,
    install: &ProjectInstallArgs,
    global: &GlobalArgs,
    adding: bool,
    edit: impl FnOnce(&mut PyProjectEditor) -> Result<()>,
    after: impl FnOnce(&mut PyProjectEditor, &posy_project::Pylock) -> Result<bool>,
) -> Result<ExitCode> {
    if project.frozen || project.locked {
        bail!(
            "`posy {}` changes the lock; it cannot be `--frozen` or `--locked`",
            if adding { "add" } else { "remove" }
        );
    }
    let here = std::env::current_dir().context("cannot read the working directory")?;
    let (ws, member_dir) = target_member(&here, place_args)?;
    let member = ws
        .member_at(&member_dir)
        .context("the working directory is in no project of the workspace")?;
    let pyproject = member.pyproject.path.clone();
    let lock_path = ws.lock_path();
    let old_pyproject = std::fs::read_to_string(&pyproject)
        .with_context(|| format!("cannot read {}", pyproject.display()))?;
    let old_lock = std::fs::read_to_string(&lock_path).ok();
    let restore = || {
        let _ = posy_ops::write_atomically(&pyproject, &old_pyproject);
        match &old_lock {
            Some(text) => {
                let _ = posy_ops::write_atomically(&lock_path, text);
            }
            None => {
                let _ = std::fs::remove_file(&lock_path);
            }
        }
    };
    let session = settings::session(global)?;
    let result = (|| -> Result<()> {
        let mut editor = PyProjectEditor::parse(&old_pyproject)
            .with_context(|| pyproject.display().to_string())?;
        edit(&mut editor)?;
        editor.write(&pyproject)?;
        let ws = Workspace::discover(&here)?;
        let (options, recorded) = lock_options(&ws, project, global)?;
        relock(&session, &ws, &options, &recorded, false)?;
        let lock = posy_project::Pylock::read(&ws.lock_path())?;
        if after(&mut editor, &lock)? {
            editor.write(&pyproject)?;
            let ws = Workspace::discover(&here)?;
            let (options, recorded) = lock_options(&ws, project, global)?;
            posy_ops::lock_project(&session, &ws, &options, &recorded, false)?;
        }
        Ok(())
    })();
    if let Err(error) = result {
        restore();
        return Err(anyhow::anyhow!(
            "{error:#}\n{} and {} are unchanged",
            display(&pyproject),
            display(&lock_path)
        ));
    }
    if !place_args.no_sync {
        let ws = Workspace::discover(&here)?;
        sync_project(
            &session,
            &ws,
            &sync_options(
                &ws,
                project,
                &SelectionArgs::default(),
                install,
                !adding,
                false,
                global,
            )?,
        )?;
    }
    session.close()?;
    Ok(ExitCode::SUCCESS)
}

/// The workspace of the working directory.
pub(super) fn workspace() -> Result<Workspace> {
    let here = std::env::current_dir().context("cannot read the working directory")?;
    Ok(Workspace::discover(&here)?)
}

/// Locks `ws` unless its lock is fresh; `--locked` turns a stale lock into
/// an error, `--frozen` takes the lock as it is.
pub(super) fn ensure_lock(
    session: &Session,
    ws: &Workspace,
    project: &ProjectArgs,
    global: &GlobalArgs,
) -> Result<()> {
    if project.frozen {
        if !ws.lock_path().is_file() {
            bail!(
                "{} does not exist, and `--frozen` forbids making it; run `posy lock`",
                display(&ws.lock_path())
            );
        }
        return Ok(());
    }
    let (options, recorded) = lock_options(ws, project, global)?;
    match freshness(ws, &options_key(&recorded))? {
        Freshness::Fresh => Ok(()),
        state if project.locked => bail!(
            "{} {}, and `--locked` forbids changing it; run `posy lock`",
            display(&ws.lock_path()),
            if state == Freshness::Missing {
                "does not exist"
            } else {
                "does not match pyproject.toml"
            }
        ),
        _ => relock(session, ws, &options, &recorded, false),
    }
}

/// Resolves and writes the lock, saying what happened.
fn relock(
    session: &Session,
    ws: &Workspace,
    options: &ResolveOptions,
    recorded: &toml::Table,
    dry_run: bool,
) -> Result<()> {
    let start = Instant::now();
    let outcome = lock_project(session, ws, options, recorded, dry_run)?;
    eprintln!(
        "Resolved {} package{} in {}",
        outcome.packages,
        plural(outcome.packages),
        elapsed(start)
    );
    for warning in &outcome.warnings {
        eprintln!("warning: {warning}");
    }
    if dry_run {
        eprintln!("Would write {}", display(&outcome.path));
    } else if outcome.written {
        eprintln!("Wrote {}", display(&outcome.path));
    }
    Ok(())
}

/// The resolution options of a lock of `ws`: the command line's, with
/// what the existing lock recorded for the ones it does not give.
pub(super) fn lock_options(
    ws: &Workspace,
    project: &ProjectArgs,
    global: &GlobalArgs,
) -> Result<(ResolveOptions, toml::Table)> {
    let recorded = recorded_options(ws, project)?;
    let mut index = project.index.settings(global);
    let mut resolver = project.resolver.options(Vec::new());
    // `--upgrade-group G`: the packages group G of any member names.
    for group in &project.resolver.upgrade_group {
        let group =
            GroupName::new(group).with_context(|| format!("invalid group name `{group}`"))?;
        let mut found = false;
        for member in &ws.members {
            if member.pyproject.dependency_groups.contains_key(&group) {
                found = true;
                for requirement in member.pyproject.group(&group)? {
                    resolver.upgrade_package.push(requirement.name.to_string());
                }
            }
        }
        if !found {
            bail!("--upgrade-group {group}: no member of the workspace has that dependency group");
        }
    }
    let text = |key: &str| {
        recorded
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let list = |key: &str| -> Vec<String> {
        recorded
            .get(key)
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    index.exclude_newer = text("exclude-newer");
    index.index_url = text("index-url");
    index.named_indexes = ws.indexes();
    index.index_pins = ws.index_pins()?;
    index.extra_index_url = list("extra-index-url");
    index.find_links = list("find-links");
    if let Some(prerelease) = text("prerelease") {
        resolver.prerelease = prerelease;
    }
    if let Some(resolution) = text("resolution") {
        resolver.resolution = resolution;
    }
    let options = ResolveOptions {
        resolver,
        index,
        target: posy_ops::TargetRequest {
            python: project.python.clone(),
            ..posy_ops::TargetRequest::default()
        },
        ..ResolveOptions::default()
    };
    Ok((options, recorded))
}

/// The recorded options of `ws`'s lock, overridden by the ones the
/// command line gives (a `--resolution highest` given puts the default
/// back).
fn recorded_options(ws: &Workspace, project: &ProjectArgs) -> Result<toml::Table> {
    let mut recorded = read_recorded(&ws.lock_path());
    // `[tool.posy]` of the root sets them for every command.
    for (key, value) in &ws.root_pyproject.settings.resolution_options {
        let value = match value {
            posy_project::OptionValue::Text(text) => text.clone().into(),
            posy_project::OptionValue::List(items) => strings(items),
        };
        recorded.insert(key.clone(), value);
    }
    let index = &project.index;
    let mut set = |key: &str, value: toml::Value| {
        recorded.insert(key.to_owned(), value);
    };
    if let Some(date) = &index.exclude_newer {
        set("exclude-newer", date.clone().into());
    }
    if let Some(url) = index.default_index.as_ref().or(index.index_url.as_ref()) {
        set("index-url", url.clone().into());
    }
    if !index.extra_index_url.is_empty() {
        set("extra-index-url", strings(&index.extra_index_url));
    }
    if !index.find_links.is_empty() {
        set("find-links", strings(&index.find_links));
    }
    let resolver = &project.resolver;
    if let Some(prerelease) = &resolver.prerelease {
        set("prerelease", prerelease.clone().into());
    }
    if let Some(resolution) = &resolver.resolution {
        set("resolution", resolution.clone().into());
    }
    recorded.retain(|key, _| RECORDED.contains(&key));
    Ok(recorded)
}

fn strings(items: &[String]) -> toml::Value {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
}

/// `[tool.posy.options]` of the lock at `path`, if any. Only the lock's
/// `[tool.posy…]` tables (written last) are parsed.
fn read_recorded(path: &Path) -> toml::Table {
    let Ok(text) = std::fs::read_to_string(path) else {
        return toml::Table::new();
    };
    let Some(at) = text.find("\n[tool.posy") else {
        return toml::Table::new();
    };
    let tail: toml::Table = toml::from_str(&text[at..]).unwrap_or_default();
    tail.get("tool")
        .and_then(|t| t.get("posy"))
        .and_then(|p| p.get("options"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default()
}

pub(super) fn selection(args: &SelectionArgs) -> Result<ProjectSelection> {
    let groups = |names: &[String]| -> Result<Vec<GroupName>> {
        names
            .iter()
            .map(|g| GroupName::new(g).with_context(|| format!("invalid group name `{g}`")))
            .collect()
    };
    Ok(ProjectSelection {
        package: args
            .package
            .as_deref()
            .map(PackageName::new)
            .transpose()
            .context("invalid --package")?,
        extras: args
            .extra
            .iter()
            .map(|e| ExtraName::new(e).with_context(|| format!("invalid extra name `{e}`")))
            .collect::<Result<_>>()?,
        all_extras: args.all_extras,
        all_packages: args.all_packages,
        groups: groups(&args.groups.group)?,
        no_dev: args.groups.no_dev,
        no_default_groups: args.groups.no_default_groups,
        only_groups: groups(&args.groups.only_group)?,
        only_dev: args.groups.only_dev,
        all_groups: args.groups.all_groups,
    })
}

fn sync_options(
    ws: &Workspace,
    project: &ProjectArgs,
    selection_args: &SelectionArgs,
    install: &ProjectInstallArgs,
    exact: bool,
    dry_run: bool,
    global: &GlobalArgs,
) -> Result<ProjectSyncOptions> {
    Ok(ProjectSyncOptions {
        selection: selection(selection_args)?,
        python: project.python.clone(),
        exact,
        apply: ApplyOptions {
            dry_run,
            ..install.options()
        },
        index: posy_ops::IndexSettings {
            named_indexes: ws.indexes(),
            index_pins: ws.index_pins()?,
            ..project.index.settings(global)
        },
        resolver: project.resolver.build.options(),
    })
}

/// Runs `command` in the environment at `venv`: its `bin` first on `PATH`,
/// `VIRTUAL_ENV` set. On Unix posy becomes the command (signals and the
/// exit status are the command's own).
fn exec_in(venv: &Path, command: &[String]) -> Result<ExitCode> {
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let (program, rest) = command.split_first().context("no command to run")?;
    let mut args: Vec<OsString> = rest.iter().map(OsString::from).collect();
    let program: PathBuf = if program.ends_with(".py") && Path::new(program).is_file() {
        args.insert(0, program.into());
        bin.join("python")
    } else {
        program.into()
    };
    let mut path = vec![bin.clone()];
    if let Some(old) = std::env::var_os("PATH") {
        path.extend(std::env::split_paths(&old));
    }
    let mut child = std::process::Command::new(&program);
    child
        .args(&args)
        .env("PATH", std::env::join_paths(path)?)
        .env("VIRTUAL_ENV", venv)
        .env_remove("PYTHONHOME");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = child.exec();
        bail!("cannot run `{}`: {error}", program.display());
    }
    #[cfg(not(unix))]
    {
        let status = child
            .status()
            .with_context(|| format!("cannot run `{}`", program.display()))?;
        Ok(ExitCode::from(status.code().unwrap_or(1) as u8))
    }
}

/// A path as the user would like to read it: relative to the working
/// directory when under it.
fn display(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn add_args(argv: &[&str]) -> AddArgs {
        let mut full = vec!["posy", "add"];
        full.extend_from_slice(argv);
        match crate::cli::Cli::parse_from(full).command {
            crate::cli::Command::Add(args) => *args,
            _ => unreachable!("an add command"),
        }
    }

    fn entry(argv: &[&str]) -> Result<(Requirement, Option<Source>)> {
        let args = add_args(argv);
        let dir = Path::new("/nonexistent/project");
        add_entry(&args.packages[0], &args, dir, dir)
    }

    #[test]
    fn git_urls_become_git_sources_with_their_reference() {
        let (requirement, source) =
            entry(&["pkg @ git+https://host/org/repo.git@v1.2#subdirectory=py"]).unwrap();
        assert_eq!(requirement.to_string(), "pkg");
        assert_eq!(
            source,
            Some(Source::Git {
                repository: "https://host/org/repo.git".into(),
                reference: GitReference::Rev("v1.2".into()),
                subdirectory: Some("py".into()),
            })
        );
        // `user@host` is not a reference; --tag/--branch name one.
        let (_, source) = entry(&[
            "pkg[x] @ git+ssh://git@host/org/repo.git",
            "--branch",
            "main",
        ])
        .unwrap();
        assert_eq!(
            source,
            Some(Source::Git {
                repository: "ssh://git@host/org/repo.git".into(),
                reference: GitReference::Branch("main".into()),
                subdirectory: None,
            })
        );
        // --raw keeps the direct reference in the list.
        let (requirement, source) = entry(&["pkg @ https://h/pkg-1.0.tar.gz", "--raw"]).unwrap();
        assert_eq!(requirement.url(), Some("https://h/pkg-1.0.tar.gz"));
        assert_eq!(source, None);
        // A bare URL: the name from the file name.
        let (requirement, source) =
            entry(&["https://h/files/My_Pkg-2.0-py3-none-any.whl"]).unwrap();
        assert_eq!(requirement.name.as_str(), "my-pkg");
        assert_eq!(
            source,
            Some(Source::Url {
                url: "https://h/files/My_Pkg-2.0-py3-none-any.whl".into()
            })
        );
        let err = entry(&["git+https://host/org/repo.git"]).unwrap_err();
        assert!(
            format!("{err:#}").contains("write it as `name @ git+https://host/org/repo.git`"),
            "{err:#}"
        );
        let err = entry(&["pkg", "--tag", "v1"]).unwrap_err();
        assert!(
            format!("{err:#}").contains("are for `git+` URLs"),
            "{err:#}"
        );
    }

    #[test]
    fn paths_are_written_relative_to_the_member() {
        assert_eq!(
            relative_path(Path::new("/a/b/libs/x"), Path::new("/a/b/app")),
            PathBuf::from("../libs/x")
        );
        assert_eq!(
            relative_path(Path::new("/a/b/app/vendor/x.whl"), Path::new("/a/b/app")),
            PathBuf::from("vendor/x.whl")
        );
        assert_eq!(
            relative_path(Path::new("/elsewhere/x"), Path::new("/a/b")),
            PathBuf::from("/elsewhere/x")
        );
    }
}
