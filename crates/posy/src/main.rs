//! The `posy` binary: clap commands composed from the library crates.
//!
//! This crate stays thin. A command maps its flags to the plain option
//! structs of `posy-ops` (the engine as a library: Brief → Blueprint → Env),
//! calls one operation, and prints what happened. Anything that is not
//! argument handling or output belongs in a library crate.
//!
//! Exit codes are uv's: 0 when the command did what was asked, 1 when posy
//! reports a failure (a resolution without a solution, a missing file, a
//! failed build), 2 for a usage error (clap's own).

mod cli;
mod commands;
mod output;
mod settings;
mod tree_drawing;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let mut cli = cli::Cli::parse_from(arguments());
    let color = output::init(&cli.global);
    init_tracing(cli.global.verbose, color);
    // Kept alive until the command is done: `--no-cache` uses a temporary
    // store, removed when this is dropped.
    let temporary_cache = match settings::prepare(&mut cli.global) {
        Ok(dir) => dir,
        Err(err) => return output::report_error(&err),
    };
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => output::report_error(&err),
    };
    drop(temporary_cache);
    code
}

/// The command line, with `tool run` put after the program's name when it
/// was started as `posyx` (a link or copy of posy under that name), so
/// `posyx black --version` is `posy tool run black --version`, as `uvx` is
/// `uv tool run`.
fn arguments() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .map(|s| s.to_owned());
    if invoked_as.as_deref() == Some(std::ffi::OsStr::new("posyx")) {
        args.splice(1..1, ["tool".into(), "run".into()]);
    }
    args
}

/// glibc gives each thread that allocates its own arena (up to eight per
/// core), and memory freed into one arena is not reused by another. A
/// resolution parses index pages on the blocking pool and keeps what it
/// needs on the runtime's threads, so with unbounded arenas the peak
/// resident size was twice the peak heap (62 MB for 31 MB on jupyter's
/// resolve); two arenas keep it near the heap (49 MB) at no measurable
/// cost in time. (mimalloc was tried: faster by about 10% on a warm
/// resolve, but it committed 180 MB for the same heap.)
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// `-v` shows what posy is doing, `-vv` how; `RUST_LOG` overrides both.
/// Colour codes only when colour is on (never in a piped log).
fn init_tracing(verbose: u8, color: bool) {
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
        .with_ansi(color)
        .with_target(verbose >= 2)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
}
