//! `posy pip uninstall`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_ops::{Env, Placement, elapsed, plural};
use posy_project::{RequirementSpec, RequirementsTxt};
use posy_vocab::{PackageName, Requirement};

use crate::cli::{GlobalArgs, PipUninstallArgs};

pub fn run(args: &PipUninstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let mut names = Vec::new();
    for package in &args.packages {
        names.push(package.parse::<Requirement>()?.name);
    }
    for file in &args.requirement {
        for entry in RequirementsTxt::parse_file(file)?.requirements {
            match entry.requirement {
                RequirementSpec::Named(req) => names.push(req.name),
                RequirementSpec::Unnamed(u) => bail!(
                    "{}:{}: `{}` has no package name; name the package to uninstall instead",
                    entry.file.display(),
                    entry.line,
                    u.target
                ),
            }
        }
    }
    if names.is_empty() {
        bail!("name at least one package to uninstall, or pass -r FILE");
    }
    let env = Env::find(
        &args.env.request(),
        &Placement::Environment,
        &crate::settings::cache_dir(global)?,
    )?;
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
        eprintln!(" - {dist}");
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup(mut names: Vec<PackageName>) -> Vec<PackageName> {
    names.sort();
    names.dedup();
    names
}
