//! `posy pip uninstall`. posy never asks for confirmation, so pip's `-y` is
//! accepted and changes nothing.

use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_install::uninstall;
use posy_ops::{Env, elapsed, plural};
use posy_vocab::{PackageName, Requirement};

use crate::cli::{GlobalArgs, PipUninstallArgs};

use super::{announce_env, names_in};

pub fn run(args: &PipUninstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let mut names = Vec::new();
    for package in &args.packages {
        names.push(package.parse::<Requirement>()?.name);
    }
    for name in names_in(&args.requirement)? {
        names.push(PackageName::new(&name)?);
    }
    if names.is_empty() {
        bail!("name at least one package to uninstall, or pass -r FILE");
    }
    let env = Env::find(
        &args.env.request(),
        &args.placement.placement(),
        &crate::settings::cache_dir(global)?,
    )?;
    env.check_externally_managed(args.system_packages.break_system_packages)?;
    announce_env(&env);
    let installed = env.installed()?;
    let scheme = &env.scheme;
    let start = std::time::Instant::now();
    let mut removed = Vec::new();
    for name in dedup(names) {
        let Some(dist) = installed.iter().find(|d| d.name == name) else {
            eprintln!("warning: skipping {name}: it is not installed");
            continue;
        };
        if !args.dry_run {
            uninstall(dist, &scheme.prefix)?;
        }
        removed.push(dist.to_string());
    }
    let verb = if args.dry_run {
        "Would uninstall"
    } else {
        "Uninstalled"
    };
    eprintln!(
        "{verb} {} package{} in {}",
        removed.len(),
        plural(removed.len()),
        elapsed(start)
    );
    for dist in removed {
        eprintln!(
            "{}",
            console::style(format!(" - {dist}")).for_stderr().red()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup(mut names: Vec<PackageName>) -> Vec<PackageName> {
    names.sort();
    names.dedup();
    names
}
