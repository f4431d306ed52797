//! `posy cache dir | size | clean [PACKAGE...] | prune [--max-size N]`.
//!
//! `clean` and `prune` need the cache to themselves: if other posy processes
//! are using it, they say so and wait for them to finish.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_store::{Maintenance, Tag};
use posy_vocab::PackageName;

use crate::cli::{CacheCommand, GlobalArgs};
use crate::settings;

pub fn run(cmd: CacheCommand, global: &GlobalArgs) -> Result<ExitCode> {
    let dir = settings::cache_dir(global)?;
    match cmd {
        CacheCommand::Dir => println!("{}", dir.display()),
        CacheCommand::Size { bytes } => {
            let size = posy_store::disk_usage(&dir)
                .with_context(|| format!("cannot measure the cache at {}", dir.display()))?;
            if bytes {
                println!("{}", size.0);
            } else {
                println!("{size}");
            }
        }
        CacheCommand::Clean { packages } => clean(&dir, &packages)?,
        CacheCommand::Prune { max_size } => prune(&dir, max_size.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn clean(dir: &Path, packages: &[String]) -> Result<()> {
    let tags = packages
        .iter()
        .map(|p| {
            let name = PackageName::new(p)
                .with_context(|| format!("cannot clean `{p}`: it is not a package name"))?;
            Tag::new(name.as_str()).with_context(|| format!("cannot clean `{p}`"))
        })
        .collect::<Result<Vec<_>>>()?;
    if !dir.exists() {
        println!("Nothing to clean: {} does not exist", dir.display());
        return Ok(());
    }
    let maintenance = begin_maintenance(dir)?;
    let report = if tags.is_empty() {
        maintenance.clean_all()
    } else {
        maintenance.clean_tags(&tags)
    }
    .with_context(|| format!("cannot clean the cache at {}", dir.display()))?;
    let what = if tags.is_empty() {
        String::new()
    } else {
        format!(" of {}", packages.join(", "))
    };
    println!(
        "Removed {} {}{what} ({}) from {}",
        report.entries_removed,
        plural(report.entries_removed, "entry", "entries"),
        report.size_freed,
        dir.display()
    );
    Ok(())
}

fn prune(dir: &Path, max_size: Option<&str>) -> Result<()> {
    let bound = settings::cache_max_size(max_size, dir)?;
    if !dir.exists() {
        println!("Nothing to prune: {} does not exist", dir.display());
        return Ok(());
    }
    let report = begin_maintenance(dir)?
        .collect(bound)
        .with_context(|| format!("cannot prune the cache at {}", dir.display()))?;
    println!(
        "Removed {} {} and {} abandoned {}; the cache holds {} (bound {})",
        report.entries_removed,
        plural(report.entries_removed, "entry", "entries"),
        report.temporaries_removed,
        plural(report.temporaries_removed, "temporary", "temporaries"),
        report.size_after,
        bound
    );
    if report.entries_busy > 0 {
        println!(
            "{} entries over the bound were in use and kept",
            report.entries_busy
        );
    }
    Ok(())
}

fn begin_maintenance(dir: &Path) -> Result<Maintenance> {
    let context = || format!("cannot lock the cache at {}", dir.display());
    if let Some(maintenance) = Maintenance::try_begin(dir).with_context(context)? {
        return Ok(maintenance);
    }
    eprintln!(
        "Waiting for other posy processes to finish using the cache at {}...",
        dir.display()
    );
    Maintenance::begin(dir).with_context(context)
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
