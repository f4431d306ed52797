//! The Env: which environment an operation acts on, and its install scheme.
//!
//! As in uv: `--python` names an interpreter (or a version to find); without
//! it, the active virtual environment (`VIRTUAL_ENV`), then `.venv` in the
//! working directory or a parent. A system interpreter is only acted on with
//! `--system`, so a stray `posy pip install` never changes the system's
//! Python by accident.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use posy_install::InstallScheme;
use posy_python::{DiscoveryEnv, Interpreter, ProbeCache, PythonRequest, find_interpreter};

/// Where an install puts files: the environment itself, or a directory
/// for `PYTHONPATH` (`--target`), or another prefix (`--prefix`).
#[derive(Debug, Clone, Default)]
pub enum Placement {
    #[default]
    Environment,
    Target(PathBuf),
    Prefix(PathBuf),
}

/// An environment to plan against and change: an interpreter and where
/// installed files go.
#[derive(Debug, Clone)]
pub struct Env {
    pub interpreter: Interpreter,
    pub scheme: InstallScheme,
}

impl Env {
    /// The environment the request names, with files placed as `placement` says.
    pub fn find(request: &EnvRequest, placement: &Placement, cache_dir: &Path) -> Result<Env> {
        let elsewhere = !matches!(placement, Placement::Environment);
        let interpreter = find_env_for(request, cache_dir, elsewhere)?;
        let scheme = match placement {
            Placement::Environment => install_scheme(&interpreter),
            Placement::Target(dir) => target_scheme(&interpreter, dir)?,
            Placement::Prefix(dir) => prefix_scheme(&interpreter, dir)?,
        };
        Ok(Env {
            interpreter,
            scheme,
        })
    }

    /// The distributions installed where this Env installs.
    pub fn installed(&self) -> Result<Vec<posy_install::InstalledDist>> {
        Ok(posy_install::installed_distributions(&[
            &self.scheme.purelib,
            &self.scheme.platlib,
        ])?)
    }

    /// Takes the environment's lock for a change, waiting (and saying so)
    /// while another posy process holds it, and finishes whatever change an
    /// interrupted run left (see `posy_install::recover`). Hold the lock
    /// until the change is done.
    pub fn lock_for_change(&self) -> Result<posy_install::EnvLock> {
        let prefix = &self.scheme.prefix;
        let lock = posy_install::EnvLock::acquire(prefix, || {
            eprintln!(
                "Waiting for another posy process to finish changing the environment at {}",
                prefix.display()
            );
        })?;
        let installer = posy_install::Installer::new(
            self.scheme.clone(),
            posy_install::LinkMode::default(),
            "posy",
        );
        if let Some(recovery) = posy_install::recover(&installer)? {
            report_recovery(prefix, &recovery);
        }
        Ok(lock)
    }

    /// The `.dist-info` directories here that name no distribution, with why.
    pub fn broken(&self) -> Result<Vec<(PathBuf, String)>> {
        Ok(posy_install::broken_distributions(&[
            &self.scheme.purelib,
            &self.scheme.platlib,
        ])?)
    }

    /// Refuses to change an interpreter's own environment that its
    /// distribution marks `EXTERNALLY-MANAGED` (PEP 668), unless `allow`
    /// (`--break-system-packages`). Virtual environments and `--target` /
    /// `--prefix` installs are never externally managed.
    pub fn check_externally_managed(&self, allow: bool) -> Result<()> {
        if allow || self.interpreter.is_venv() || self.scheme.prefix != self.interpreter.prefix() {
            return Ok(());
        }
        let marker = self.interpreter.paths().stdlib.join("EXTERNALLY-MANAGED");
        if marker.is_file() {
            bail!(
                "{} is managed by the system's package manager ({} exists, PEP 668); \
                 create a virtual environment with `posy venv`, or pass --break-system-packages",
                self.interpreter.executable().display(),
                marker.display()
            );
        }
        Ok(())
    }

    /// The Python version of the interpreter (for Requires-Python).
    pub fn python_version(&self) -> posy_vocab::Version {
        let (major, minor, patch) = self.interpreter.python_release();
        posy_vocab::Version::new([major, minor, patch])
    }
}

/// Says what [`posy_install::recover`] did to the environment at `prefix`.
pub(crate) fn report_recovery(prefix: &Path, recovery: &posy_install::Recovery) {
    let mut done: Vec<String> = Vec::new();
    done.extend(
        recovery
            .reinstalled
            .iter()
            .map(|d| format!("installed {d}")),
    );
    done.extend(recovery.removed.iter().map(|d| format!("removed {d}")));
    done.extend(
        recovery
            .dropped
            .iter()
            .map(|d| format!("removed the unfinished {d}")),
    );
    eprintln!(
        "Finished an interrupted change of {}: {}",
        prefix.display(),
        if done.is_empty() {
            "nothing was left to do".to_owned()
        } else {
            done.join(", ")
        }
    );
}

/// Which environment the user named: `--python` (a path or a version
/// request) and `--system`.
#[derive(Debug, Clone, Default)]
pub struct EnvRequest {
    pub python: Option<String>,
    pub system: bool,
}

/// The interpreter of the environment to act on.
pub fn find_env(args: &EnvRequest, cache_dir: &Path) -> Result<Interpreter> {
    find_env_for(args, cache_dir, false)
}

/// Like [`find_env`]; `elsewhere` (installing with `--target`/`--prefix`)
/// lets a system interpreter be used, since its environment is not changed.
pub fn find_env_for(args: &EnvRequest, cache_dir: &Path, elsewhere: bool) -> Result<Interpreter> {
    let request = match &args.python {
        Some(text) => match venv_python(Path::new(text)) {
            Some(python) => python.to_string_lossy().parse::<PythonRequest>()?,
            None => text.parse::<PythonRequest>()?,
        },
        None => PythonRequest::Any,
    };
    let cache = ProbeCache::new(cache_dir);
    let env = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    let interpreter = find_interpreter(&request, &env, &cache)?;
    if !interpreter.is_venv() && !args.system && !elsewhere && args.python.is_none() {
        bail!(
            "no virtual environment found (looked at VIRTUAL_ENV and .venv in this directory and its parents); \
             create one with `posy venv`, or pass `--system` to use {} at {}",
            interpreter.display_name(),
            interpreter.executable().display()
        );
    }
    Ok(interpreter)
}

/// The interpreter of a virtual environment's directory (`-p .venv`), if
/// `dir` is one.
pub fn venv_python(dir: &Path) -> Option<PathBuf> {
    if !dir.join("pyvenv.cfg").is_file() {
        return None;
    }
    let python = if cfg!(windows) {
        dir.join("Scripts").join("python.exe")
    } else {
        dir.join("bin").join("python")
    };
    python.exists().then(|| absolute(&python).unwrap_or(python))
}

/// Where installed files go in the interpreter's environment: its own
/// `sysconfig` paths, with headers where pip puts them in a virtual environment.
pub fn install_scheme(interpreter: &Interpreter) -> InstallScheme {
    let paths = interpreter.paths();
    let (major, minor, _) = interpreter.python_release();
    InstallScheme {
        platlib: paths.platlib.clone(),
        data: paths.data.clone(),
        ..InstallScheme::virtual_env(
            interpreter.prefix().to_path_buf(),
            paths.purelib.clone(),
            paths.scripts.clone(),
            interpreter.executable().to_path_buf(),
            (major, minor),
        )
    }
}

/// The scheme of `--target DIR`: everything importable lands directly in
/// `DIR` (pip's layout: scripts in `DIR/bin`), for a `PYTHONPATH` entry.
pub fn target_scheme(interpreter: &Interpreter, dir: &Path) -> Result<InstallScheme> {
    let dir = absolute(dir)?;
    Ok(InstallScheme {
        purelib: dir.clone(),
        platlib: dir.clone(),
        scripts: dir.join("bin"),
        data: dir.clone(),
        include: dir.join("include"),
        python: interpreter.executable().to_path_buf(),
        prefix: dir,
    })
}

/// The scheme of `--prefix DIR`: the interpreter's layout rooted at `DIR`
/// (`DIR/lib/pythonX.Y/site-packages`, `DIR/bin`), as a venv would have it.
pub fn prefix_scheme(interpreter: &Interpreter, dir: &Path) -> Result<InstallScheme> {
    let dir = absolute(dir)?;
    let (major, minor, _) = interpreter.python_release();
    let site = dir
        .join("lib")
        .join(format!("python{major}.{minor}"))
        .join("site-packages");
    Ok(InstallScheme {
        purelib: site.clone(),
        platlib: site,
        scripts: dir.join("bin"),
        data: dir.clone(),
        include: dir.join("include").join(format!("python{major}.{minor}")),
        python: interpreter.executable().to_path_buf(),
        prefix: dir,
    })
}

fn absolute(dir: &Path) -> Result<PathBuf> {
    Ok(if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()?.join(dir)
    })
}
