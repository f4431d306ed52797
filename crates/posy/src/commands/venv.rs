//! `posy venv`.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, VenvArgs};

pub fn run(args: VenvArgs, _global: &GlobalArgs) -> Result<ExitCode> {
    anyhow::bail!(
        "`posy venv {}` is not available yet: interpreter support is being built (issue 5)",
        args.path.display()
    )
}
