//! `posy init [PATH] [--name N] [--app | --lib] [--package] [--bare] [--python X]`.
//!
//! Flags to [`posy_ops::InitOptions`], then one line on stderr as uv
//! prints it: ``Initialized project `app` at `/path/app` ``.

use std::process::ExitCode;

use anyhow::Result;
use posy_ops::{InitOptions, Layout, Vcs, init, init_python};

use crate::cli::{GlobalArgs, InitArgs, VcsChoice};
use crate::settings;

pub fn run(args: InitArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let layout = if args.lib {
        Layout::Lib
    } else if args.package {
        Layout::PackagedApp
    } else {
        Layout::App
    };
    let python = init_python(args.python.as_deref(), &settings::cache_dir(global)?)?;
    let outcome = init(&InitOptions {
        directory: args.path.unwrap_or_else(|| ".".into()),
        name: args.name,
        layout,
        bare: args.bare,
        python,
        readme: !args.no_readme,
        pin_python: !args.no_pin_python,
        vcs: match args.vcs {
            None => Vcs::Auto,
            Some(VcsChoice::Git) => Vcs::Git,
            Some(VcsChoice::None) => Vcs::None,
        },
    })?;
    eprintln!(
        "Initialized project `{}` at `{}`",
        outcome.name,
        outcome.directory.display()
    );
    Ok(ExitCode::SUCCESS)
}
