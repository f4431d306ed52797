//! `posy pip install`: resolve what is asked (keeping what is installed
//! where it fits), then install. A `pylock.toml` given with `-r` is
//! installed as it is locked.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{
    Brief, BriefInputs, Env, InstallOptions, LockSelection, Placement, SyncOptions,
    extras_selection, groups_selection, is_pylock,
};

use crate::cli::{GlobalArgs, PipInstallArgs};
use crate::settings;

pub fn run(args: &PipInstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (locks, files): (Vec<_>, Vec<_>) =
        args.requirement.iter().cloned().partition(|p| is_pylock(p));
    let extras = extras_selection(&args.extra, args.all_extras)?;
    let groups = groups_selection(&args.group, args.all_groups)?;
    let placement = match (&args.target, &args.prefix) {
        (Some(dir), _) => Placement::Target(dir.clone()),
        (None, Some(dir)) => Placement::Prefix(dir.clone()),
        (None, None) => Placement::Environment,
    };
    let session = settings::session(global)?;
    let env = Env::find(&args.env.request(), &placement, session.cache_dir())?;
    if !locks.is_empty() {
        let options = SyncOptions {
            index: args.index.settings(),
            resolver: args.resolver.options(),
            apply: args.installer.options(),
            selection: LockSelection {
                extras: extras.extras.clone(),
                groups: groups.groups.clone(),
                no_deps: args.no_deps,
            },
            remove_extraneous: false,
            allow_empty: true,
        };
        posy_ops::sync(&session, &env, &locks, &options)?;
    }
    let inputs = BriefInputs {
        sources: files,
        requirements: args.packages.clone(),
        editables: args.editable.clone(),
        constraints: args.resolver.constraint.clone(),
        overrides: args.resolver.r#override.clone(),
        extras,
        groups,
    };
    let brief = Brief::read(&inputs)?;
    // A lock alone needs no resolution.
    if !brief.is_empty() || locks.is_empty() {
        let options = InstallOptions {
            resolver: args.resolver.options(),
            index: args.index.settings(),
            apply: args.installer.options(),
            no_deps: args.no_deps,
        };
        posy_ops::install(&session, &env, brief, &options)?;
    }
    session.close()?;
    Ok(ExitCode::SUCCESS)
}
