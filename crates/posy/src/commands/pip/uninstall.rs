//! `posy pip uninstall`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_install::uninstall;
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
        eprintln!(" - {dist}");
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup(mut names: Vec<PackageName>) -> Vec<PackageName> {
    names.sort();
    names.dedup();
    names
}
