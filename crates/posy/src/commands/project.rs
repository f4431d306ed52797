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

use posy_project::{Place, PyProjectEditor};
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
    exec_in(&ws.venv_path(), &args.command)
}

pub fn add(args: &AddArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let requirements: Vec<Requirement> = args
        .packages
        .iter()
        .map(|text| {
            text.parse::<Requirement>()
                .with_context(|| format!("cannot add `{text}`"))
        })
        .collect::<Result<_>>()?;
    let place = place(&args.place)?;
    edit_and_lock(
        &args.place,
        &args.project,
        &args.install,
        global,
        true,
        |editor| {
            for requirement in &requirements {
                editor.add_dependency(requirement, &place)?;
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
            }
            Ok(())
        },
        |_, _| Ok(false),
    )
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
    let ws = Workspace::discover(&here)?;
    let member = match &place_args.package {
        Some(name) => {
            let name = PackageName::new(name).context("invalid --package")?;
            ws.member(&name)
                .with_context(|| format!("the workspace has no member `{name}`"))?
        }
        None => ws
            .member_at(&here)
            .context("the working directory is in no project of the workspace")?,
    };
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
fn lock_options(
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
/// command line gives (`--prerelease` and `--resolution` count as given
/// when they differ from their defaults).
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
    if resolver.prerelease != "if-necessary-or-explicit" {
        set("prerelease", resolver.prerelease.clone().into());
    }
    if resolver.resolution != "highest" {
        set("resolution", resolver.resolution.clone().into());
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
        groups: groups(&args.groups.group)?,
        no_dev: args.groups.no_dev,
        no_default_groups: args.groups.no_default_groups,
        only_groups: groups(&args.groups.only_group)?,
        only_dev: args.groups.only_dev,
        all_groups: args.groups.all_groups,
    })
}

fn sync_options(
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
        index: project.index.settings(global),
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
