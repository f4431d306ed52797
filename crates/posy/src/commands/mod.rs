//! One module per command family; each is a short composition of library calls.

mod cache;
mod export;
mod index;
mod init;
mod pip;
mod project;
mod publish;
mod python;
mod script;
mod tool;
mod tool_run;
mod tree;
mod venv;

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => match &args.script {
            Some(path) => script::init(path, args.python.as_deref(), &cli.global),
            None => init::run(args, &cli.global),
        },
        Command::Cache(cmd) => cache::run(cmd, &cli.global),
        Command::Venv(args) => venv::run(*args, &cli.global),
        Command::Python(cmd) => python::run(cmd, &cli.global),
        Command::Pip(cmd) => pip::run(*cmd, &cli.global),
        Command::Index(cmd) => index::run(cmd),
        Command::Lock(args) => project::lock(&args, &cli.global),
        Command::Sync(args) => project::sync(&args, &cli.global),
        Command::Run(args) => project::run(&args, &cli.global),
        Command::Add(args) => match &args.place.script {
            Some(path) => script::add(
                path,
                &args.packages,
                args.project.python.as_deref(),
                &cli.global,
            ),
            None => project::add(&args, &cli.global),
        },
        Command::Remove(args) => match &args.place.script {
            Some(path) => script::remove(path, &args.packages),
            None => project::remove(&args, &cli.global),
        },
        Command::Tree(args) => tree::run(&args, &cli.global),
        Command::Export(args) => export::run(&args, &cli.global),
        Command::Tool(cmd) => tool::run(*cmd, &cli.global),
        Command::X(args) => tool_run::run(&args, &cli.global),
        Command::Publish(args) => publish::run(&args, &cli.global),
        Command::GenerateShellCompletion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "posy", &mut script);
            crate::output::out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
    }
}
