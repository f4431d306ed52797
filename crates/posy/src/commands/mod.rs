//! One module per command family; each is a short composition of library calls.

mod cache;
mod init;
mod pip;
mod venv;

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::run(args, &cli.global),
        Command::Cache(cmd) => cache::run(cmd, &cli.global),
        Command::Venv(args) => venv::run(*args, &cli.global),
        Command::Pip(cmd) => pip::run(*cmd, &cli.global),
        Command::GenerateShellCompletion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "posy", &mut script);
            crate::output::out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
    }
}
