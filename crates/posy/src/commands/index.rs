//! `posy index build DIR`: a static simple index over a wheelhouse.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{plural, write_simple_index};

use crate::cli::IndexCommand;

pub fn run(cmd: IndexCommand) -> Result<ExitCode> {
    match cmd {
        IndexCommand::Build(args) => {
            let out = args.out.unwrap_or_else(|| args.dir.join("simple"));
            let index = write_simple_index(&args.dir, &out)?;
            eprintln!(
                "Wrote a simple index of {} project{} ({} files) at {}",
                index.projects,
                plural(index.projects),
                index.files,
                index.root.display()
            );
            println!("file://{}", index.root.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
