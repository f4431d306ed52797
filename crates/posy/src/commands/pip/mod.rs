//! `posy pip …`: the pip-compatible interface.

mod compile;
mod inspect;
mod install;
mod sync;
mod uninstall;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, PipCommand};

pub fn run(cmd: PipCommand, global: &GlobalArgs) -> Result<ExitCode> {
    match cmd {
        PipCommand::List(args) => inspect::list(&args, global),
        PipCommand::Freeze(args) => inspect::freeze(&args, global),
        PipCommand::Show(args) => inspect::show(&args, global),
        PipCommand::Check(args) => inspect::check(&args, global),
        PipCommand::Uninstall(args) => uninstall::run(&args, global),
        PipCommand::Sync(args) => sync::run(&args, global),
        PipCommand::Compile(args) => compile::run(&args, global),
        PipCommand::Install(args) => install::run(&args, global),
    }
}
