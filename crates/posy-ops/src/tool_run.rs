//! `posy tool run` (`posy x`, `posyx`): run a package's command without
//! installing it, what `uvx` and `pipx run` do.
//!
//! Where the command comes from, first match wins:
//!
//! 1. **An installed tool.** `posy tool run black` with `black` installed
//!    by `posy tool install` (and no version, `--from` version, `--with` or
//!    `--python` asked) runs the installed tool's executable, as uv does.
//!    A tool whose interpreter is gone is an error naming it and the repair.
//! 2. **A remembered request.** The first run of a request records, in the
//!    store's `resolutions` bucket under a digest of the request (the
//!    command, the package and its version request, `--with`, `--python`,
//!    the index and resolver options, the constraint files' contents), the
//!    key of the environment it ran in and the executable. A later run of
//!    the same request opens that environment and runs the executable: no
//!    interpreter probe, no resolution, no index. This is what makes a
//!    second `posy tool run black --version` cost a few milliseconds over
//!    black's own start. The memo only ever names an environment; when the
//!    store has collected it, the request is resolved again.
//! 3. **A cached environment.** The request is resolved for the
//!    interpreter, and the environment of the resulting pins is taken from
//!    the store or made there (`cached_env.rs`, shared with scripts: two
//!    requests that resolve alike share one environment).
//!
//! `NAME@latest` skips 1 and 2: it fetches the index pages again (once,
//! for this resolution) and then reuses the environment that already holds
//! the newest pins, if any. `NAME@VERSION` and `NAME==VERSION` skip 1.
//!
//! The environment is leased while the command runs (see
//! `posy_store::Lease`), so `posy cache prune` never removes it under a
//! running tool.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use posy_python::PythonRequest;
use posy_store::{Key, Store};
use posy_vocab::PackageName;
use serde::{Deserialize, Serialize};

use crate::brief::{Brief, BriefInputs};
use crate::cached_env::{CachedEnv, CachedEnvOptions, ensure_cached_env, open_cached_env};
use crate::index::IndexSettings;
use crate::install::ApplyOptions;
use crate::resolve::{ResolveOptions, ResolverOptions, resolve_brief};
use crate::session::Session;
use crate::target::TargetRequest;
use crate::tool::{
    Receipt, ToolDirs, ToolSpec, executables, find_base_interpreter, installed_dist,
    interpreter_problem,
};

/// What to run (`posy tool run`).
#[derive(Debug, Clone)]
pub struct ToolRun {
    /// The executable's name.
    pub command: String,
    /// The package it comes from (the command itself, or `--from`).
    pub spec: ToolSpec,
    /// Whether the package was named with `--from`.
    pub from: bool,
    /// More packages for the environment (`--with`).
    pub with: Vec<String>,
    pub python: Option<String>,
    pub constraints: Vec<PathBuf>,
    pub overrides: Vec<PathBuf>,
    pub index: IndexSettings,
    pub resolver: ResolverOptions,
    pub apply: ApplyOptions,
}

impl ToolRun {
    /// Reads the command line's `COMMAND` and `--from`: the command is
    /// `--from`'s executable, or the package named by `COMMAND`
    /// (`black`, `black==24.1`, `black@latest`).
    pub fn new(command: &str, from: Option<&str>) -> Result<ToolRun> {
        let (command, spec) = match from {
            Some(from) => (command.to_owned(), ToolSpec::parse(from)?),
            None => {
                let spec = ToolSpec::parse(command)?;
                let end = command
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                    .unwrap_or(command.len());
                (command[..end].to_owned(), spec)
            }
        };
        if command.is_empty() || command.contains('/') {
            bail!(
                "`{command}` is not a command name; name a package's executable (`black`, `--from httpie http`)"
            );
        }
        Ok(ToolRun {
            command,
            spec,
            from: from.is_some(),
            with: Vec::new(),
            python: None,
            constraints: Vec::new(),
            overrides: Vec::new(),
            index: IndexSettings::default(),
            resolver: ResolverOptions::default(),
            apply: ApplyOptions::default(),
        })
    }

    /// Whether an installed tool answers this request: only a bare name.
    fn may_use_installed(&self) -> bool {
        !self.spec.is_versioned()
            && self.with.is_empty()
            && self.python.is_none()
            && self.constraints.is_empty()
            && self.overrides.is_empty()
    }

    /// The digest of everything that decides which environment and
    /// executable the request means (see the module documentation).
    fn memo_key(&self) -> Result<Key> {
        let mut text = String::new();
        let _ = writeln!(text, "posy-tool-run {}", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(text, "command {}", self.command);
        let _ = writeln!(text, "package {}", self.spec.requirement);
        for with in &self.with {
            let _ = writeln!(text, "with {with}");
        }
        let _ = writeln!(text, "python {:?}", self.python);
        for (kind, files) in [
            ("constraints", &self.constraints),
            ("overrides", &self.overrides),
        ] {
            for file in files {
                let contents = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let _ = writeln!(text, "{kind} {}\n{contents}", file.display());
            }
        }
        let index = IndexSettings {
            offline: false,
            refresh: false,
            refresh_package: Vec::new(),
            ..self.index.clone()
        };
        let _ = writeln!(text, "index {index:?}");
        let _ = writeln!(text, "resolver {:?}", self.resolver);
        Ok(Key::hash_of(text.as_bytes()))
    }
}

/// What a [`ToolRun`] found to run.
pub enum ToolCommand {
    /// An installed tool's executable.
    Installed(PathBuf),
    /// An executable of an environment in the store, leased.
    Cached { env: CachedEnv, executable: PathBuf },
}

impl ToolCommand {
    /// The executable's path.
    pub fn executable(&self) -> &Path {
        match self {
            ToolCommand::Installed(path) => path,
            ToolCommand::Cached { executable, .. } => executable,
        }
    }

    /// Runs the executable with `args` in posy's place (see
    /// [`CachedEnv::exec`]).
    pub fn exec(self, args: &[OsString]) -> Result<ExitCode> {
        match self {
            ToolCommand::Installed(path) => {
                let mut command = std::process::Command::new(&path);
                command.args(args);
                crate::cached_env::exec_holding(None, command)
            }
            ToolCommand::Cached { env, executable } => {
                let mut command = env.command(&executable);
                command.args(args);
                env.exec(command)
            }
        }
    }
}

/// The memo of one request.
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    /// The environment's key in the store's `envs` bucket.
    env: String,
    executable: String,
}

/// The installed tool's executable for `run`, if an installed tool answers
/// it (see the module documentation).
pub fn installed_tool_command(dirs: &ToolDirs, run: &ToolRun) -> Result<Option<PathBuf>> {
    if !run.may_use_installed() {
        return Ok(None);
    }
    let name = &run.spec.requirement.name;
    let env_dir = dirs.env_dir(name);
    let Some(receipt) = Receipt::read(&env_dir)? else {
        return Ok(None);
    };
    // Installed with `--with` or a pin of its own: not what a bare name asks.
    if receipt.requirements.len() != 1 {
        return Ok(None);
    }
    let executable = env_dir.join("bin").join(&run.command);
    if !executable.is_file() {
        return Ok(None);
    }
    if let Some(problem) = interpreter_problem(name, &env_dir, &receipt) {
        bail!("{problem}");
    }
    Ok(Some(executable))
}

/// The environment and executable remembered for `run`, leased, if the
/// store still holds them. Never resolves and never probes.
pub fn remembered_tool_command(store: &Store, run: &ToolRun) -> Result<Option<ToolCommand>> {
    if run.spec.latest {
        return Ok(None);
    }
    let Some(path) = store.resolutions().get(&run.memo_key()?) else {
        return Ok(None);
    };
    let Some(memo) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| toml::from_str::<Memo>(&text).ok())
    else {
        return Ok(None);
    };
    let Ok(key) = Key::from_sha256_hex(&memo.env) else {
        return Ok(None);
    };
    let Some(env) = open_cached_env(store, &key)? else {
        return Ok(None);
    };
    let executable = env.bin().join(&memo.executable);
    // An interpreter removed since leaves the environment unusable: resolve again.
    if !executable.is_file() || !env.python().exists() {
        return Ok(None);
    }
    Ok(Some(ToolCommand::Cached { env, executable }))
}

/// Resolves `run` and finds or makes its environment in the store, then
/// remembers the request (not for `@latest`). Says what it does on stderr.
pub fn prepare_tool_command(session: &Session, run: &ToolRun) -> Result<ToolCommand> {
    let request = match &run.python {
        Some(text) => text
            .parse::<PythonRequest>()
            .with_context(|| format!("invalid --python `{text}`"))?,
        None => PythonRequest::Any,
    };
    let interpreter = find_base_interpreter(session, &request)?;
    let mut requirements = vec![run.spec.requirement.to_string()];
    requirements.extend(run.with.iter().cloned());
    let brief = Brief::read(&BriefInputs {
        requirements,
        constraints: run.constraints.clone(),
        overrides: run.overrides.clone(),
        ..BriefInputs::default()
    })?;
    let mut resolver = run.resolver.clone();
    // `@latest`: the index's pages again, whatever is cached.
    resolver.upgrade |= run.spec.latest;
    let resolved = resolve_brief(
        session,
        brief,
        &ResolveOptions {
            resolver: resolver.clone(),
            index: run.index.clone(),
            target: TargetRequest {
                python: Some(interpreter.executable().display().to_string()),
                ..TargetRequest::default()
            },
            ..ResolveOptions::default()
        },
    )?;
    let env = ensure_cached_env(
        session,
        &interpreter,
        &resolved.blueprint,
        &CachedEnvOptions {
            base: std::env::current_dir().unwrap_or_default(),
            layers: Vec::new(),
            apply: run.apply.clone(),
            index: run.index.clone(),
            resolver,
        },
    )?;
    let executable = env.bin().join(&run.command);
    if !executable.is_file() {
        let name = &run.spec.requirement.name;
        bail!(
            "{}",
            missing_executable(env.dir(), name, &run.command, run.from)
        );
    }
    if !run.spec.latest {
        remember(session.store(), run, &env)?;
    }
    Ok(ToolCommand::Cached { env, executable })
}

/// Says that `package` has no executable `command`, and which it has.
fn missing_executable(env_dir: &Path, package: &PackageName, command: &str, from: bool) -> String {
    let offered = installed_dist(env_dir, package)
        .and_then(|d| executables(&d).ok())
        .unwrap_or_default();
    let hint = if from {
        String::new()
    } else {
        format!(
            "; if `{command}` comes from another package, name it with `--from PACKAGE {command}`"
        )
    };
    if offered.is_empty() {
        format!(
            "the package `{package}` provides no executables (no console_scripts or gui_scripts entry points), so there is no `{command}` to run{hint}"
        )
    } else {
        format!(
            "the package `{package}` provides no executable `{command}`; it provides: {}{hint}",
            offered.join(", ")
        )
    }
}

/// Records which environment and executable `run` means.
fn remember(store: &Store, run: &ToolRun, env: &CachedEnv) -> Result<()> {
    let memo = Memo {
        env: env.key().as_str().to_owned(),
        executable: run.command.clone(),
    };
    let text = toml::to_string(&memo)?;
    let key = run.memo_key()?;
    let write = || -> Result<()> {
        let mut reservation = store.resolutions().lock_to_replace(&key)?;
        reservation.file().write_all(text.as_bytes())?;
        reservation.commit()?;
        Ok(())
    };
    write().context("cannot remember the tool's environment in the cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_the_package_or_what_from_names() {
        let run = ToolRun::new("black==24.1", None).unwrap();
        assert_eq!(run.command, "black");
        assert_eq!(run.spec.requirement.to_string(), "black==24.1");
        assert!(!run.may_use_installed());
        let run = ToolRun::new("Black@latest", None).unwrap();
        assert_eq!(run.command, "Black");
        assert!(run.spec.latest);
        let run = ToolRun::new("http", Some("httpie<4")).unwrap();
        assert_eq!(run.command, "http");
        assert_eq!(run.spec.requirement.to_string(), "httpie<4");
        assert!(ToolRun::new("black", None).unwrap().may_use_installed());
        assert!(ToolRun::new("./bin/x", Some("x")).is_err());
        assert!(ToolRun::new("black>>1", None).is_err());
    }

    #[test]
    fn the_memo_key_changes_with_what_decides_the_environment() {
        let base = ToolRun::new("black", None).unwrap();
        let key = base.memo_key().unwrap();
        assert_eq!(
            ToolRun::new("black", None).unwrap().memo_key().unwrap(),
            key
        );
        let mut with = base.clone();
        with.with.push("click".into());
        assert_ne!(with.memo_key().unwrap(), key);
        let mut python = base.clone();
        python.python = Some("3.12".into());
        assert_ne!(python.memo_key().unwrap(), key);
        let mut index = base.clone();
        index.index.index_url = Some("http://127.0.0.1:1/simple/".into());
        assert_ne!(index.memo_key().unwrap(), key);
        // Going offline or refreshing does not change what is meant.
        let mut offline = base.clone();
        offline.index.offline = true;
        assert_eq!(offline.memo_key().unwrap(), key);
        let pinned = ToolRun::new("black==24.1", None).unwrap();
        assert_ne!(pinned.memo_key().unwrap(), key);

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.txt");
        std::fs::write(&file, "click<8\n").unwrap();
        let mut constrained = base.clone();
        constrained.constraints.push(file.clone());
        let first = constrained.memo_key().unwrap();
        std::fs::write(&file, "click<9\n").unwrap();
        assert_ne!(constrained.memo_key().unwrap(), first);
    }
}
