//! The `posy` binary: clap commands composed from the library crates.
//!
//! This crate stays thin. A command reads its Brief from the command line
//! and files, hands it to the engine crates (resolve → Blueprint → install →
//! Env), and prints what happened. Anything that is not argument handling or
//! output belongs in a library crate.

mod cli;
mod commands;
mod index_client;
mod output;
mod provider;
mod settings;
mod target_env;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
