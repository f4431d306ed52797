//! `posy pip sync FILE…`: make the environment hold exactly what the files
//! pin: a `pylock.toml` (installed without asking any index), or a
//! `requirements.txt` of pins, paths, URLs and editables.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{Env, LockSelection, SyncOptions, extras_selection, groups_selection};

use crate::cli::{GlobalArgs, PipSyncArgs};
use crate::settings;

use super::{announce_env, report_changes, strict_check};

pub fn run(args: &PipSyncArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let installer = &args.installer;
    let options = SyncOptions {
        index: args.index.settings(global),
        resolver: args.build.options(),
        apply: installer.options(),
        selection: LockSelection {
            extras: extras_selection(&args.extra, args.all_extras)?.extras,
            groups: groups_selection(&args.group, false)?.groups,
            no_deps: false,
            all_extras: args.all_extras,
        },
        remove_extraneous: true,
        allow_empty: args.allow_empty_requirements,
        constraints: args.constraint.clone(),
    };
    let session = settings::session(global)?;
    let env = Env::find(
        &args.env.request(),
        &installer.placement.placement(),
        session.cache_dir(),
    )?;
    env.check_externally_managed(installer.system_packages.break_system_packages)?;
    announce_env(&env);
    report_changes(
        posy_ops::sync(&session, &env, &args.src_file, &options),
        &installer.output_format,
    )?;
    session.close()?;
    if installer.strict && !installer.dry_run && !strict_check(&env)? {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
