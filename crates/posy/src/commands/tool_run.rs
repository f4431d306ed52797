//! `posy tool run COMMAND [ARGS]` (also `posy x`, and `posyx`): an
//! installed tool's executable, else the remembered environment of this
//! request, else a resolution and an environment from the store; then the
//! command runs in posy's place (see `posy_ops::tool_run`).

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_ops::{
    ToolDirs, ToolRun, installed_tool_command, prepare_tool_command, remembered_tool_command,
};

use crate::cli::{GlobalArgs, ToolRunArgs};
use crate::commands::pip::names_in;
use crate::settings;

pub fn run(args: &ToolRunArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (command, rest) = args
        .command
        .split_first()
        .context("name the command to run")?;
    let rest: Vec<OsString> = rest.iter().map(OsString::from).collect();
    let mut run = ToolRun::new(command, args.from.as_deref())?;
    run.with = args.with.clone();
    run.python = args.python.clone();
    run.constraints = args.resolver.constraint.clone();
    run.overrides = args.resolver.r#override.clone();
    run.index = args.index.settings(global);
    run.resolver = args.resolver.options(names_in(&args.resolver.excludes)?);
    run.apply = args.install.options();

    if let Ok(dirs) = ToolDirs::from_env()
        && let Some(executable) = installed_tool_command(&dirs, &run)?
    {
        return posy_ops::ToolCommand::Installed(executable).exec(&rest);
    }
    let session = settings::session(global)?;
    if !args.install.reinstall
        && let Some(found) = remembered_tool_command(session.store(), &run)?
    {
        return found.exec(&rest);
    }
    let found = prepare_tool_command(&session, &run)?;
    found.exec(&rest)
}
