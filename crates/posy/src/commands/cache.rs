//! `posy cache dir | size | clean | prune`.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{CacheCommand, GlobalArgs};
use crate::settings;

pub fn run(cmd: CacheCommand, global: &GlobalArgs) -> Result<ExitCode> {
    let dir = settings::cache_dir(global)?;
    match cmd {
        CacheCommand::Dir => {
            println!("{}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("`posy cache {other:?}` is not available yet: the store is being built (issue 3)"),
    }
}
