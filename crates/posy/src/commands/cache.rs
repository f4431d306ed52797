//! `posy cache dir | size | clean [PACKAGE...] | prune [--max-size N]`.
//!
//! `clean` and `prune` need the cache to themselves: if other posy processes
//! are using it, they say so and wait for them to finish.
//!
//! `clean NAME` removes every entry of the package: the ones tagged with
//! its name (downloads, pages, metadata, built wheels, build environments
//! holding it) and the unpacked wheels whose `.dist-info` names it, which
//! are found by looking, since a tree is known by its content, not its name.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_store::{BucketName, CleanReport, Maintenance, StoreError, Tag};
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
        clean_packages(&maintenance, &tags)
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

/// Removes the entries tagged with any of `tags` (normalized package
/// names) and the unpacked wheels of those packages.
fn clean_packages(maintenance: &Maintenance, tags: &[Tag]) -> Result<CleanReport, StoreError> {
    let mut report = maintenance.clean_tags(tags)?;
    let unpacked = maintenance.clean_where(BucketName::Unpacked, |tree| {
        unpacked_wheel_name(tree)
            .is_some_and(|name| tags.iter().any(|t| t.as_str() == name.as_str()))
    })?;
    report.entries_removed += unpacked.entries_removed;
    report.size_freed.0 += unpacked.size_freed.0;
    Ok(report)
}

/// The package an unpacked wheel holds, by its one top-level `.dist-info`.
fn unpacked_wheel_name(tree: &Path) -> Option<PackageName> {
    let mut names = std::fs::read_dir(tree).ok()?.filter_map(|entry| {
        let name = entry.ok()?.file_name().into_string().ok()?;
        let stem = name.strip_suffix(".dist-info")?;
        PackageName::new(stem.rsplit_once('-')?.0).ok()
    });
    let name = names.next()?;
    names.next().is_none().then_some(name)
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
