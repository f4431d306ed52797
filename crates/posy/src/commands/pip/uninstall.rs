//! `posy pip uninstall`. posy never asks for confirmation, so pip's `-y` is
//! accepted and changes nothing.

use std::process::ExitCode;

use anyhow::{Result, bail};
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
    let start = std::time::Instant::now();
    let (removed, missing) = posy_ops::uninstall(&env, &dedup(names), args.dry_run)?;
    for name in missing {
        eprintln!("warning: skipping {name}: it is not installed");
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
