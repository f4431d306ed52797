//! `posy python install | list | find | uninstall | pin | upgrade | dir`:
//! managed interpreters (see `posy_python::managed` and
//! `posy_ops::python_install`). Paths and listings go to stdout, what
//! happened to stderr.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use posy_python::{DiscoveryEnv, PythonRequest};

use crate::cli::{GlobalArgs, PythonCommand};
use crate::settings;

pub fn run(cmd: PythonCommand, global: &GlobalArgs) -> Result<ExitCode> {
    let cache_dir = settings::cache_dir(global)?;
    match cmd {
        PythonCommand::Install {
            targets,
            reinstall,
            mirror,
            pypy_mirror,
        } => {
            for (value, env) in [
                (mirror, posy_python::managed::MIRROR_ENV),
                (pypy_mirror, posy_python::managed::PYPY_MIRROR_ENV),
            ] {
                if let Some(value) = value {
                    // SAFETY: no other thread has started yet; the table reads it.
                    unsafe { std::env::set_var(env, value) };
                }
            }
            let requests = requests_or_pin(&targets)?;
            let started = Instant::now();
            let done = posy_ops::install_pythons(&cache_dir, &requests, reinstall)?;
            let new: Vec<_> = done.iter().filter(|d| d.new).collect();
            if new.is_empty() {
                eprintln!("Every requested Python is already installed");
            } else {
                eprintln!(
                    "Installed {} in {}",
                    pythons(new.len()),
                    posy_ops::elapsed(started)
                );
            }
            for installed in &done {
                eprintln!(
                    " {} {}",
                    if installed.new { "+" } else { "=" },
                    installed.python.download.key
                );
            }
        }
        PythonCommand::List {
            request,
            only_installed,
            all_versions,
        } => {
            let request = match request {
                Some(text) => text.parse()?,
                None => PythonRequest::Any,
            };
            let rows = posy_ops::list_pythons(&cache_dir, &request, only_installed, all_versions)?;
            let width = rows.iter().map(|r| r.key.len()).max().unwrap_or(0);
            for row in rows {
                match row.path {
                    Some(path) => println!("{:width$}    {}", row.key, path.display()),
                    None => println!("{:width$}    <download available>", row.key),
                }
            }
        }
        PythonCommand::Find { request } => {
            let request = match request {
                Some(text) => text.parse()?,
                None => pinned()?.unwrap_or(PythonRequest::Any),
            };
            let env = DiscoveryEnv::from_process().context("cannot read the working directory")?;
            let cache = posy_python::ProbeCache::new(&cache_dir);
            let interpreter = posy_python::find_interpreter(&request, &env, &cache)?;
            println!("{}", interpreter.executable().display());
        }
        PythonCommand::Uninstall { targets, all } => {
            if targets.is_empty() && !all {
                bail!("say what to uninstall (`posy python uninstall 3.12`), or pass --all");
            }
            let requests = parse_all(&targets)?;
            let removed = posy_ops::uninstall_pythons(&requests, all)?;
            eprintln!("Uninstalled {}", pythons(removed.len()));
            for python in removed {
                eprintln!(" - {}", python.download.key);
            }
        }
        PythonCommand::Pin { request } => match request {
            None => match pinned_text()? {
                Some((_, text)) => println!("{text}"),
                None => bail!(
                    "no .python-version here or in a parent directory; `posy python pin 3.12` writes one"
                ),
            },
            Some(text) => {
                let parsed: PythonRequest = text.parse()?;
                if matches!(parsed, PythonRequest::Path(_)) {
                    bail!(
                        "`{text}` is a path; pin a version (`3.12`) or an implementation (`cpython@3.12`)"
                    );
                }
                let path = std::env::current_dir()?.join(".python-version");
                std::fs::write(&path, format!("{}\n", text.trim()))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("Pinned `{}` to `{}`", path.display(), text.trim());
            }
        },
        PythonCommand::Upgrade { targets } => {
            let requests = parse_all(&targets)?;
            let started = Instant::now();
            let done = posy_ops::upgrade_pythons(&cache_dir, &requests)?;
            let new: Vec<_> = done.iter().filter(|d| d.new).collect();
            if new.is_empty() {
                eprintln!("Every managed Python is at its newest patch release");
            } else {
                eprintln!(
                    "Upgraded {} in {}",
                    pythons(new.len()),
                    posy_ops::elapsed(started)
                );
                for installed in new {
                    eprintln!(" + {}", installed.python.download.key);
                }
            }
        }
        PythonCommand::Dir => {
            println!("{}", posy_ops::managed_dir()?.root().display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1 Python`, `2 Pythons`.
fn pythons(n: usize) -> String {
    format!("{n} Python{}", posy_ops::plural(n))
}

fn parse_all(targets: &[String]) -> Result<Vec<PythonRequest>> {
    targets
        .iter()
        .map(|t| t.parse::<PythonRequest>().map_err(anyhow::Error::new))
        .collect()
}

/// The targets, else the `.python-version` pin, else the newest Python.
fn requests_or_pin(targets: &[String]) -> Result<Vec<PythonRequest>> {
    if !targets.is_empty() {
        return parse_all(targets);
    }
    Ok(vec![pinned()?.unwrap_or(PythonRequest::Any)])
}

/// The nearest `.python-version`'s request.
fn pinned() -> Result<Option<PythonRequest>> {
    match pinned_text()? {
        Some((path, text)) => {
            Ok(Some(text.parse().with_context(|| {
                format!("{}: `{text}`", path.display())
            })?))
        }
        None => Ok(None),
    }
}

fn pinned_text() -> Result<Option<(std::path::PathBuf, String)>> {
    let cwd = std::env::current_dir()?;
    Ok(posy_python::python_version_file(&cwd))
}
