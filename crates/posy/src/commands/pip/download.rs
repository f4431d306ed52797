//! `posy pip download` and `posy pip wheel`: a wheelhouse for a matrix of
//! Pythons × platforms in one run (see `posy_ops::fill_wheelhouse`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use posy_ops::{
    BriefInputs, LockSelection, ResolveOptions, TargetRequest, WheelhouseOptions, elapsed,
    fill_wheelhouse, is_pylock, plural, write_simple_index,
};

use crate::cli::{GlobalArgs, WheelhouseArgs};
use crate::settings;

use super::{names_in, python_arg};

pub fn run(
    args: &WheelhouseArgs,
    dest: &Path,
    build: bool,
    global: &GlobalArgs,
) -> Result<ExitCode> {
    let start = Instant::now();
    let (mut requirements, mut sources, mut locks) = (Vec::new(), Vec::new(), Vec::new());
    for arg in &args.packages {
        match input_file(arg) {
            Some(path) if is_pylock(&path) => locks.push(path),
            Some(path) => sources.push(path),
            None => requirements.push(arg.clone()),
        }
    }
    for path in &args.requirement {
        if is_pylock(path) {
            locks.push(path.clone());
        } else {
            sources.push(path.clone());
        }
    }
    if requirements.is_empty() && sources.is_empty() && locks.is_empty() {
        anyhow::bail!(
            "nothing to fetch: name packages, a requirements file (`-r requirements.in`) or a `pylock.toml`"
        );
    }
    let inputs = BriefInputs {
        sources,
        requirements,
        constraints: args.resolver.constraint.clone(),
        overrides: args.resolver.r#override.clone(),
        no_sources: args.resolver.sources.no_sources,
        no_sources_package: args.resolver.sources.no_sources_package.clone(),
        ..BriefInputs::default()
    };
    let mut resolver = args.resolver.options(names_in(&args.resolver.excludes)?);
    if args.pre {
        resolver.prerelease = "allow".into();
    }
    let python = args.python.as_deref().map(python_arg);
    let options = WheelhouseOptions {
        resolve: ResolveOptions {
            resolver,
            index: args.index.settings(global),
            // A universal resolution starts at the first Python asked for.
            target: TargetRequest {
                python,
                python_version: args
                    .python_version
                    .first()
                    .filter(|_| args.universal)
                    .cloned(),
                python_platform: None,
            },
            universal: args.universal,
            ..ResolveOptions::default()
        },
        python_versions: args.python_version.clone(),
        python_platforms: args.python_platform.clone(),
        implementation: args.implementation.clone(),
        abis: args.abi.clone(),
        locks,
        selection: LockSelection {
            no_deps: args.no_deps,
            ..LockSelection::default()
        },
        dest: dest.to_path_buf(),
        build,
    };
    let session = settings::session(global)?;
    let report = fill_wheelhouse(&session, &inputs, &options)?;
    session.close()?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for replaced in &report.replaced {
        eprintln!("warning: {replaced}");
    }
    let targets = report.targets.len();
    let files = report.files.len();
    eprintln!(
        "{files} file{} for {targets} target{} in {} ({} already there, {} written{}) in {}",
        plural(files),
        plural(targets),
        dest.display(),
        report.kept,
        report.written,
        if report.built.is_empty() {
            String::new()
        } else {
            format!(", {} built", report.built.len())
        },
        elapsed(start)
    );
    eprintln!(
        "Downloaded {}; the files total {}",
        bytes(report.downloaded_bytes),
        bytes(report.total_bytes)
    );
    for wheel in &report.built {
        eprintln!(" + {wheel} (built)");
    }
    if let Some(out) = &args.index_out {
        let index = write_simple_index(dest, out)?;
        eprintln!(
            "Wrote a simple index of {} project{} ({} files) at {}",
            index.projects,
            plural(index.projects),
            index.files,
            index.root.display()
        );
    }
    if report.problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "error: the wheelhouse is incomplete for {} reason{} above; the other files are in {}",
        report.problems.len(),
        plural(report.problems.len()),
        dest.display()
    );
    Ok(ExitCode::FAILURE)
}

/// A positional argument that names an input file (a requirements file, a
/// `pyproject.toml`, a `pylock.toml`) rather than a requirement: an
/// existing file that is not a wheel or an sdist, which are requirements.
fn input_file(arg: &str) -> Option<PathBuf> {
    let path = PathBuf::from(arg);
    let archive = [".whl", ".tar.gz", ".zip", ".tar.bz2"]
        .iter()
        .any(|ext| arg.ends_with(ext));
    (path.is_file() && !archive).then_some(path)
}

/// A byte count as people read it: `812 KiB`, `23.4 MiB`.
fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let n = n as f64;
    if n < KIB {
        format!("{n} B")
    } else if n < KIB * KIB {
        format!("{:.0} KiB", n / KIB)
    } else if n < KIB * KIB * KIB {
        format!("{:.1} MiB", n / KIB / KIB)
    } else {
        format!("{:.2} GiB", n / KIB / KIB / KIB)
    }
}
