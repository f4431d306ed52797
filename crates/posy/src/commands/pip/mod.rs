//! `posy pip …`: the pip-compatible interface.

mod compile;
mod download;
pub(crate) mod inspect;
mod install;
mod sync;
mod tree;
mod uninstall;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use posy_ops::{Brief, BriefInputs, Changes, GroupsSelection, WouldChange, groups_selection};
use posy_project::{RequirementSpec, RequirementsTxt};

use crate::cli::{GlobalArgs, PipCommand};
use crate::output::outln;

pub fn run(cmd: PipCommand, global: &GlobalArgs) -> Result<ExitCode> {
    match cmd {
        PipCommand::List(args) => inspect::list(&args, global),
        PipCommand::Freeze(args) => inspect::freeze(&args, global),
        PipCommand::Show(args) => inspect::show(&args, global),
        PipCommand::Check(args) => inspect::check(&args, global),
        PipCommand::Tree(args) => tree::run(&args, global),
        PipCommand::Uninstall(args) => uninstall::run(&args, global),
        PipCommand::Sync(args) => sync::run(&args, global),
        PipCommand::Compile(args) => compile::run(&args, global),
        PipCommand::Install(args) => install::run(&args, global),
        PipCommand::Download(args) => download::run(&args.wheelhouse, &args.dest, false, global),
        PipCommand::Wheel(args) => download::run(&args.wheelhouse, &args.wheel_dir, true, global),
    }
}

/// The package names of requirements files (`uninstall -r`, `--excludes`).
pub(crate) fn names_in(files: &[PathBuf]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for file in files {
        for entry in RequirementsTxt::parse_file(file)?.requirements {
            match entry.requirement {
                RequirementSpec::Named(req) => names.push(req.name.to_string()),
                RequirementSpec::Unnamed(u) => bail!(
                    "{}:{}: `{}` has no package name; name the package instead",
                    entry.file.display(),
                    entry.line,
                    u.target
                ),
            }
        }
    }
    Ok(names)
}

/// The packages the dependency groups `groups` of the inputs' `pyproject.toml`s
/// name (`--upgrade-group`): what the Brief holds with the groups, and not without.
fn group_members(inputs: &BriefInputs, groups: &[String]) -> Result<Vec<String>> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let names = |groups: GroupsSelection| -> Result<Vec<String>> {
        let brief = Brief::read(&BriefInputs {
            groups,
            ..inputs.clone()
        })?;
        Ok(brief
            .requirements
            .iter()
            .map(|r| r.name.to_string())
            .collect())
    };
    let without = names(groups_selection(&[], false)?)?;
    let with = names(groups_selection(groups, false)?)?;
    Ok(with.into_iter().filter(|n| !without.contains(n)).collect())
}

/// `--python`'s value, with a virtual environment's directory turned into its interpreter.
fn python_arg(value: &str) -> String {
    posy_ops::venv_python(Path::new(value))
        .map_or_else(|| value.to_string(), |p| p.display().to_string())
}

/// `--system` without `--python`: the first `python3` on `PATH` that is not
/// inside the active virtual environment.
fn system_python() -> Result<String> {
    let venv = std::env::var_os("VIRTUAL_ENV").map(PathBuf::from);
    let path = std::env::var_os("PATH").context("--system: PATH is not set")?;
    std::env::split_paths(&path)
        .filter(|dir| venv.as_ref().is_none_or(|v| !dir.starts_with(v)))
        .map(|dir| dir.join("python3"))
        .find(|python| python.is_file())
        .map(|python| python.display().to_string())
        .context("--system: no python3 on PATH outside a virtual environment")
}

/// `--strict`: checks the environment as `posy pip check` does and prints
/// what is wrong; true when all is well.
fn strict_check(env: &posy_ops::Env) -> Result<bool> {
    let dists = env.installed()?;
    let problems = inspect::problems(&env.interpreter.markers(), &dists)?;
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    Ok(problems.is_empty())
}

/// The line naming the environment a command changes, in uv's words.
fn announce_env(env: &posy_ops::Env) {
    eprintln!(
        "Using Python {} environment at: {}",
        env.interpreter.python_full_version(),
        env.scheme.prefix.display()
    );
}

/// `--output-format json`: writes uv's document of what changed on stdout,
/// for a change made and for one `--check` refused; the outcome is passed on.
fn report_changes(outcome: Result<Changes>, format: &str) -> Result<()> {
    if format == "json" {
        let changes = match &outcome {
            Ok(changes) => Some(changes),
            Err(error) => error.downcast_ref::<WouldChange>().map(|w| &w.changes),
        };
        if let Some(changes) = changes {
            outln!("{}", changes.to_json());
        }
    }
    outcome.map(drop)
}
