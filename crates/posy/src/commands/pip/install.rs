//! `posy pip install`: resolve what is asked (keeping what is installed
//! where it fits), then install. A `pylock.toml` given with `-r` is
//! installed as it is locked.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{
    Brief, BriefInputs, Changes, Env, InstallOptions, LockSelection, SyncOptions, extras_selection,
    groups_selection, is_pylock,
};

use crate::cli::{GlobalArgs, PipInstallArgs};
use crate::settings;

use super::{announce_env, group_members, names_in, report_changes, strict_check};

pub fn run(args: &PipInstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (locks, files): (Vec<_>, Vec<_>) =
        args.requirement.iter().cloned().partition(|p| is_pylock(p));
    let extras = extras_selection(&args.extra, args.all_extras)?;
    let groups = groups_selection(&args.group, args.all_groups)?;
    let installer = &args.installer;
    let session = settings::session(global)?;
    let env = Env::find(
        &args.env.request(),
        &installer.placement.placement(),
        session.cache_dir(),
    )?;
    env.check_externally_managed(installer.system_packages.break_system_packages)?;
    announce_env(&env);
    let inputs = BriefInputs {
        sources: files,
        requirements: args.packages.clone(),
        editables: args.editable.clone(),
        constraints: args.resolver.constraint.clone(),
        overrides: args.resolver.r#override.clone(),
        extras: extras.clone(),
        groups: groups.clone(),
        no_editable: args.no_editable,
        no_editable_package: args.no_editable_package.clone(),
        no_sources: args.resolver.sources.no_sources,
        no_sources_package: args.resolver.sources.no_sources_package.clone(),
        ..BriefInputs::default()
    };
    let mut resolver = args.resolver.options(names_in(&args.resolver.excludes)?);
    resolver
        .upgrade_package
        .extend(group_members(&inputs, &args.resolver.upgrade_group)?);
    // One document of changes for both steps, even when `--check` stops the first.
    let outcome = (|| {
        let mut changes = Changes::default();
        if !locks.is_empty() {
            let options = SyncOptions {
                index: args.index.settings(global),
                resolver: resolver.clone(),
                apply: installer.options(),
                selection: LockSelection {
                    extras: extras.extras.clone(),
                    groups: groups.groups.clone(),
                    no_deps: args.no_deps,
                    all_extras: args.all_extras,
                },
                remove_extraneous: args.exact,
                allow_empty: true,
                constraints: args.resolver.constraint.clone(),
            };
            changes.extend(posy_ops::sync(&session, &env, &locks, &options)?);
        }
        let brief = Brief::read(&inputs)?;
        // A lock alone needs no resolution.
        if !brief.is_empty() || locks.is_empty() {
            let options = InstallOptions {
                resolver,
                index: args.index.settings(global),
                apply: installer.options(),
                no_deps: args.no_deps,
                exact: args.exact,
            };
            changes.extend(posy_ops::install(&session, &env, brief, &options)?);
        }
        Ok(changes)
    })();
    report_changes(outcome, &installer.output_format)?;
    session.close()?;
    if installer.strict && !installer.dry_run && !strict_check(&env)? {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
