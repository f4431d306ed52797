//! The `posy` binary: clap commands composed from the library crates.
//!
//! This crate stays thin. A command reads its Brief from the command line
//! and files, hands it to the engine crates (resolve → Blueprint → install →
//! Env), and prints what happened. Anything that is not argument handling or
//! output belongs in a library crate.

mod binary_policy;
mod build_envs;
mod build_progress;
mod cli;
mod commands;
mod index_client;
mod output;
mod provider;
mod settings;
mod target_env;

use std::process::ExitCode;

use clap::Parser;

/// A resolution holds tens of thousands of small strings from index pages,
/// made on several threads: mimalloc keeps both the time and the peak
/// memory of that lower than the system allocator's per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.global.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// `-v` shows what posy is doing, `-vv` how; `RUST_LOG` overrides both.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose >= 2)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
}
