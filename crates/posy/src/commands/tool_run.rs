//! `posy tool run` (WIP).
use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::{GlobalArgs, ToolRunArgs};

pub fn run(_args: &ToolRunArgs, _global: &GlobalArgs) -> Result<ExitCode> {
    bail!("WIP")
}
