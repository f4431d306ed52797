//! `posy venv [PATH] [--python X] [--prompt P] [--system-site-packages] [--clear|--allow-existing]`.
//!
//! Find the interpreter, write the environment, say what happened on stderr
//! the way uv does (so scripts that scrape uv's output keep working):
//!
//! ```text
//! Using CPython 3.12.1 interpreter at: /usr/bin/python3.12
//! Creating virtual environment at: .venv
//! Activate with: source .venv/bin/activate
//! ```
//!
//! `--seed` then installs pip into the new environment with posy's own
//! resolver and installer (`posy pip install pip --python ENV/bin/python`,
//! with the same index flags), not with `ensurepip`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use posy_python::{DiscoveryEnv, OnExisting, PythonRequest, VenvOptions, create_venv};

use crate::cli::{GlobalArgs, VenvArgs};
use crate::settings;

pub fn run(args: VenvArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let env = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    let request = match &args.python {
        Some(text) => text.parse::<PythonRequest>()?,
        None => match posy_python::python_version_file(&env.cwd) {
            Some((path, pin)) => pin
                .parse()
                .with_context(|| format!("{}: `{pin}`", path.display()))?,
            None => PythonRequest::Any,
        },
    };
    let interpreter = posy_ops::find_or_install(&request, &env, &settings::cache_dir(global)?)?;
    eprintln!(
        "Using {} interpreter at: {}",
        interpreter.display_name(),
        interpreter.executable().display()
    );
    eprintln!("Creating virtual environment at: {}", args.path.display());

    let options = VenvOptions {
        prompt: args.prompt.clone(),
        system_site_packages: args.system_site_packages,
        on_existing: if args.clear && args.force {
            OnExisting::ClearAnything
        } else if args.clear {
            OnExisting::Clear
        } else if args.allow_existing {
            OnExisting::Allow
        } else {
            OnExisting::Refuse
        },
        command: Some(command_line()),
        posy_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let report = create_venv(&interpreter, &args.path, &options)?;
    if report.cleared {
        eprintln!("Removed the previous environment's contents first (--clear)");
    }
    if args.seed {
        seed(&args, &report.python, global)?;
    }
    let activate = args.path.join("bin").join("activate");
    eprintln!(
        "Activate with: source {}",
        shell_word(&activate.to_string_lossy())
    );
    Ok(ExitCode::SUCCESS)
}

/// This process's command line, for `pyvenv.cfg`'s `command`.
fn command_line() -> String {
    std::env::args_os()
        .map(|arg| shell_word(&arg.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as a POSIX shell would need it typed: bare when safe, else quoted.
fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Installs pip into the new environment, as `posy pip install pip` would.
fn seed(args: &VenvArgs, python: &std::path::Path, global: &GlobalArgs) -> Result<()> {
    let mut argv: Vec<std::ffi::OsString> = ["posy", "pip", "install", "pip", "--python"]
        .map(Into::into)
        .to_vec();
    argv.push(python.as_os_str().to_owned());
    if let Some(dir) = &global.cache_dir {
        argv.extend(["--cache-dir".into(), dir.as_os_str().to_owned()]);
    }
    let index = &args.index;
    let flags = index
        .index_url
        .iter()
        .chain(&index.default_index)
        .map(|u| ("--index-url", u))
        .chain(index.index.iter().map(|u| ("--index", u)))
        .chain(
            index
                .refresh_package
                .iter()
                .map(|p| ("--refresh-package", p)),
        )
        .chain(args.link_mode.iter().map(|m| ("--link-mode", m)))
        .chain(
            index
                .extra_index_url
                .iter()
                .map(|u| ("--extra-index-url", u)),
        )
        .chain(index.find_links.iter().map(|u| ("--find-links", u)))
        .chain(index.exclude_newer.iter().map(|d| ("--exclude-newer", d)))
        .chain(
            index
                .exclude_newer_package
                .iter()
                .map(|p| ("--exclude-newer-package", p)),
        );
    for (flag, value) in flags {
        argv.extend([flag.into(), value.into()]);
    }
    for (on, flag) in [
        (index.no_index, "--no-index"),
        (global.offline, "--offline"),
        (index.refresh, "--refresh"),
        (global.quiet > 0, "--quiet"),
        (global.no_progress, "--no-progress"),
    ] {
        if on {
            argv.push(flag.into());
        }
    }
    let cli = crate::cli::Cli::try_parse_from(argv)
        .context("cannot set up the pip install for --seed")?;
    crate::commands::run(cli).context("seeding the environment with pip failed")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word(".venv/bin/activate"), ".venv/bin/activate");
        assert_eq!(shell_word("my env/bin/activate"), "'my env/bin/activate'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
