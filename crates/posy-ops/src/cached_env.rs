//! Environments in the store: one per interpreter and set of pins, shared
//! by every run that needs exactly that, for scripts (`posy run
//! script.py`), `posy run --with`, and tools (`posy tool run`).
//!
//! # What an entry is
//!
//! An entry of the store's `envs` bucket is a PEP 405 virtual environment
//! whose key is a digest of what makes it ([`env_key`]):
//!
//! - the base interpreter's path *and* its full version (uv's key leaves
//!   the version out, so an interpreter upgraded in place keeps an
//!   environment built for the old one);
//! - the pins, each as name, version and where its files come from (the
//!   sha256 of every file a registry pin may install, an archive's URL and
//!   hash, a git commit, a directory's path), sorted by name; two Briefs
//!   that resolve to the same pins share one environment;
//! - the `layers`: `site-packages` directories of other environments that
//!   this one sees after its own, through a `.pth` file (how `posy run
//!   --with` lays extra packages over a project's `.venv`);
//! - [`ENV_FORMAT`], bumped when what posy writes into an entry changes.
//!
//! Whether a package was asked for directly (its `REQUESTED` file) is not
//! part of the key: the first run to make the environment decides it.
//!
//! # Made atomically, in place
//!
//! The environment is built in the store's `tmp/` under the key's lock and
//! renamed into place when complete, as every store value is: a crash
//! leaves garbage in `tmp/`, never a half-made environment. A venv is not
//! relocatable by itself, so everything written with a path in it is
//! written for the *final* path from the start: console scripts get
//! `<entry>/bin/python` in their shebangs (the install scheme's `python`),
//! and the activation scripts name the entry. The interpreter links and
//! `pyvenv.cfg` name only the base interpreter.
//!
//! # Leases: never collected while running
//!
//! The envs count in the store's size bound; `posy cache prune` and the
//! automatic collection may remove them, least recently used first. A run
//! holds a [`Lease`] on its environment (a shared lock on the entry's lock
//! file, see `posy_store::Lease`) from the moment it finds or makes it;
//! [`CachedEnv::exec`] clears close-on-exec on the lease's descriptor and
//! `exec`s, so the program that replaces posy holds the lease until it
//! exits (and children that inherit the descriptor hold it too). Collection
//! skips a leased entry. The kernel drops the lock when the last holder
//! dies, however it dies.
//!
//! # Use
//!
//! ```no_run
//! # fn demo(session: &posy_ops::Session, python: posy_python::Interpreter,
//! #         blueprint: posy_ops::Blueprint) -> anyhow::Result<()> {
//! use posy_ops::{CachedEnvOptions, ensure_cached_env};
//! // `blueprint` resolved for `python` (e.g. by `resolve_brief`).
//! let env = ensure_cached_env(session, &python, &blueprint, &CachedEnvOptions::default())?;
//! // Later, without resolving: the key alone finds it again.
//! let key = env.key().clone();
//! let again = posy_ops::open_cached_env(session.store(), &key)?.expect("just made");
//! let mut command = again.command("black".as_ref());
//! command.arg("--version");
//! again.exec(command)?; // on Unix, returns only on failure
//! # Ok(()) }
//! ```
//!
//! Not done: Windows keeps the lease by waiting for the child instead of
//! `exec`; relocating an entry (its paths are final once made).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use posy_install::InstallScheme;
use posy_python::{Interpreter, OnExisting, VenvOptions, create_venv};
use posy_store::{Key, Lease, Lookup, Store};

use crate::apply::{Pin, PinSource};
use crate::blueprint::Blueprint;
use crate::env::Env;
use crate::install::{ApplyOptions, SyncOptions, apply_blueprint};
use crate::plan::{LockSelection, lock_pins};
use crate::session::Session;

/// The version of what posy writes into an entry; part of every key.
pub const ENV_FORMAT: u32 = 1;

/// The `.pth` file that adds the layers' `site-packages` to an entry's.
const LAYERS_PTH: &str = "_posy_layers.pth";

/// How [`ensure_cached_env`] installs.
#[derive(Debug, Clone, Default)]
pub struct CachedEnvOptions {
    /// Where relative paths of the Blueprint start (its lock file's directory).
    pub base: PathBuf,
    /// `site-packages` directories seen after the environment's own.
    pub layers: Vec<PathBuf>,
    /// How to install (link mode, bytecode); `dry_run` and `check` are ignored.
    pub apply: ApplyOptions,
    /// For sdists and directories to build, and files not yet cached.
    pub index: crate::IndexSettings,
    pub resolver: crate::ResolverOptions,
}

/// An environment of the store, leased for as long as this value (or the
/// program [`CachedEnv::exec`] starts) lives.
#[derive(Debug)]
pub struct CachedEnv {
    key: Key,
    lease: Lease,
    /// This run made the environment (it was not in the store).
    pub created: bool,
}

impl CachedEnv {
    /// The entry's key (see [`env_key`]): remember it to find the
    /// environment again with [`open_cached_env`].
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The environment's root.
    pub fn dir(&self) -> &Path {
        self.lease.path()
    }

    /// Its scripts directory (`bin`).
    pub fn bin(&self) -> PathBuf {
        self.dir()
            .join(if cfg!(windows) { "Scripts" } else { "bin" })
    }

    /// Its interpreter (`bin/python`).
    pub fn python(&self) -> PathBuf {
        self.bin().join(if cfg!(windows) {
            "python.exe"
        } else {
            "python"
        })
    }

    /// A command running `program` in the environment: its `bin` first on
    /// `PATH`, `VIRTUAL_ENV` set, `PYTHONHOME` unset. A bare `program`
    /// name is found on that `PATH`.
    pub fn command(&self, program: &Path) -> Command {
        let bin = self.bin();
        let program = if program.components().count() == 1 && bin.join(program).is_file() {
            bin.join(program)
        } else {
            program.to_path_buf()
        };
        let mut command = Command::new(program);
        let mut path = vec![bin];
        if let Some(old) = std::env::var_os("PATH") {
            path.extend(std::env::split_paths(&old));
        }
        if let Ok(joined) = std::env::join_paths(path) {
            command.env("PATH", joined);
        }
        command
            .env("VIRTUAL_ENV", self.dir())
            .env_remove("PYTHONHOME");
        command
    }

    /// Runs `command` in posy's place, handing it the lease: on Unix,
    /// `exec` (signals and the exit status are the program's own; returns
    /// only if `exec` fails); elsewhere, runs it to its end and returns its
    /// exit status.
    pub fn exec(self, command: Command) -> Result<ExitCode> {
        exec_holding(Some(&self.lease), command)
    }
}

/// Runs `command` in posy's place (see [`CachedEnv::exec`]), handing on
/// `lease` if any.
pub fn exec_holding(lease: Option<&Lease>, mut command: Command) -> Result<ExitCode> {
    let program = command.get_program().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Some(lease) = lease {
            lease
                .keep_across_exec()
                .context("cannot hand the environment's lease to the program")?;
        }
        let error = command.exec();
        bail!("cannot run `{}`: {error}", Path::new(&program).display());
    }
    #[cfg(not(unix))]
    {
        let _ = lease;
        let status = command
            .status()
            .with_context(|| format!("cannot run `{}`", Path::new(&program).display()))?;
        Ok(ExitCode::from(status.code().unwrap_or(1) as u8))
    }
}

/// The key of the environment of `pins` on `interpreter` with `layers`
/// (see the module documentation).
pub fn env_key(interpreter: &Interpreter, pins: &[Pin], layers: &[PathBuf]) -> Key {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "posy-env {ENV_FORMAT}\npython {}\nversion {} {}",
        interpreter.base_executable().display(),
        interpreter.implementation().sys_name(),
        interpreter.python_full_version()
    );
    for layer in layers {
        let _ = writeln!(text, "layer {}", layer.display());
    }
    let mut lines: Vec<String> = pins.iter().map(pin_identity).collect();
    lines.sort();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    Key::hash_of(text.as_bytes())
}

/// One pin as the key sees it: name, version and its files' identity.
fn pin_identity(pin: &Pin) -> String {
    let version = pin
        .version
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let file = |f: &posy_index::IndexFile| {
        let mut hashes: Vec<String> = f.hashes.iter().map(ToString::to_string).collect();
        hashes.sort();
        match hashes.is_empty() {
            true => f.url.to_string(),
            false => hashes.join(","),
        }
    };
    let source = match &pin.source {
        PinSource::Index { hashes } => {
            let mut hashes: Vec<String> = hashes.iter().map(ToString::to_string).collect();
            hashes.sort();
            format!("index {}", hashes.join(","))
        }
        PinSource::Files { wheels, sdist } => {
            let mut files: Vec<String> = wheels.iter().chain(sdist).map(file).collect();
            files.sort();
            format!("files {}", files.join(" "))
        }
        PinSource::Archive { file: f, .. } => format!("archive {} {}", f.url, file(f)),
        PinSource::Directory { path, editable } => {
            format!("dir {} editable={editable}", path.display())
        }
        PinSource::Git { url, commit } => format!("git {url} {commit}"),
    };
    format!("{} {version} {source}", pin.name)
}

/// The environment `key` names if the store holds it, leased.
pub fn open_cached_env(store: &Store, key: &Key) -> Result<Option<CachedEnv>> {
    let lease = store
        .envs()
        .lease(key)
        .with_context(|| format!("cannot use the environments in {}", store.root().display()))?;
    Ok(lease.map(|lease| CachedEnv {
        key: key.clone(),
        lease,
        created: false,
    }))
}

/// The environment holding what `blueprint` lists for `interpreter`: the
/// store's if it has one (no install at all), else made now. `blueprint`
/// must apply to `interpreter` (a Blueprint resolved for it, or a
/// universal one that covers it).
pub fn ensure_cached_env(
    session: &Session,
    interpreter: &Interpreter,
    blueprint: &Blueprint,
    options: &CachedEnvOptions,
) -> Result<CachedEnv> {
    let pins = lock_pins(
        blueprint,
        &interpreter.markers(),
        &interpreter.python_version(),
        &LockSelection::default(),
        &options.base,
    )?;
    let key = env_key(interpreter, &pins, &options.layers);
    let envs = session.store().envs();
    let context = || {
        format!(
            "cannot make an environment in {}",
            envs.path(&key).display()
        )
    };
    let reservation = match envs.lock_or_get(&key).with_context(context)? {
        Lookup::Hit(_) => {
            if let Some(env) = open_cached_env(session.store(), &key)? {
                return Ok(env);
            }
            // Collected between the look and the lease: make it again.
            match envs.lock_or_get(&key).with_context(context)? {
                Lookup::Hit(_) => bail!("{}: the environment keeps vanishing", context()),
                Lookup::Miss(reservation) => reservation,
            }
        }
        Lookup::Miss(reservation) => reservation,
    };
    let final_dir = envs.path(&key);
    build(
        session,
        interpreter,
        blueprint,
        options,
        reservation.path(),
        &final_dir,
    )?;
    reservation.commit().with_context(context)?;
    let mut env = open_cached_env(session.store(), &key)?
        .with_context(|| format!("{}: it vanished once made", context()))?;
    env.created = true;
    Ok(env)
}

/// Makes the environment in `temp`, with every path in it written for
/// `final_dir`.
fn build(
    session: &Session,
    interpreter: &Interpreter,
    blueprint: &Blueprint,
    options: &CachedEnvOptions,
    temp: &Path,
    final_dir: &Path,
) -> Result<()> {
    let report = create_venv(
        interpreter,
        temp,
        &VenvOptions {
            prompt: Some("posy".into()),
            system_site_packages: false,
            on_existing: OnExisting::Allow,
            command: None,
            posy_version: env!("CARGO_PKG_VERSION").to_string(),
        },
    )?;
    let bin_name = report
        .scripts
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("bin")
        .to_owned();
    for script in posy_python::activation::activation_scripts(final_dir, &bin_name, "posy")
        .with_context(|| {
            format!(
                "cannot write activation scripts for {}",
                final_dir.display()
            )
        })?
    {
        let path = report.scripts.join(script.file_name);
        std::fs::write(&path, script.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !options.layers.is_empty() {
        let mut text = String::new();
        for layer in &options.layers {
            let _ = writeln!(text, "{}", layer.display());
        }
        let pth = report.site_packages.join(LAYERS_PTH);
        std::fs::write(&pth, text).with_context(|| format!("cannot write {}", pth.display()))?;
    }
    let (major, minor, _) = interpreter.python_release();
    let relative = |path: &Path| path.strip_prefix(temp).unwrap_or(path).to_path_buf();
    let env = Env {
        interpreter: interpreter.clone(),
        scheme: InstallScheme::virtual_env(
            temp.to_path_buf(),
            report.site_packages.clone(),
            report.scripts.clone(),
            final_dir.join(relative(&report.python)),
            (major, minor),
        ),
    };
    if blueprint.lock.packages.is_empty() {
        return Ok(());
    }
    apply_blueprint(
        session,
        &env,
        blueprint,
        &options.base,
        &SyncOptions {
            index: options.index.clone(),
            resolver: options.resolver.clone(),
            apply: ApplyOptions {
                dry_run: false,
                check: false,
                ..options.apply.clone()
            },
            selection: LockSelection::default(),
            remove_extraneous: false,
            allow_empty: true,
            constraints: Vec::new(),
        },
    )?;
    Ok(())
}
