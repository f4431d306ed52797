//! `posy pip sync FILE…`: make the environment hold exactly what the files
//! pin: a `pylock.toml` (installed without asking any index), or a
//! `requirements.txt` of pins, paths, URLs and editables.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{Env, LockSelection, Placement, SyncOptions, extras_selection, groups_selection};

use crate::cli::{GlobalArgs, PipSyncArgs};
use crate::settings;

pub fn run(args: &PipSyncArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let options = SyncOptions {
        index: args.index.settings(),
        resolver: posy_ops::ResolverOptions {
            config_settings: args.build.config_settings.clone(),
            no_build_isolation: args.build.no_build_isolation,
            ..Default::default()
        },
        apply: args.installer.options(),
        selection: LockSelection {
            extras: extras_selection(&args.extra, false)?.extras,
            groups: groups_selection(&args.group, false)?.groups,
            no_deps: false,
        },
        remove_extraneous: true,
        allow_empty: args.allow_empty_requirements,
    };
    let session = settings::session(global)?;
    let env = Env::find(
        &args.env.request(),
        &Placement::Environment,
        session.cache_dir(),
    )?;
    posy_ops::sync(&session, &env, &args.src_file, &options)?;
    session.close()?;
    Ok(ExitCode::SUCCESS)
}
