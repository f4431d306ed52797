//! Calling one PEP 517/660 hook in a subprocess.
//!
//! The hook runs in `python shim.py request.json response.json`, with the
//! shim (`shim.py`, embedded in the binary) written into a fresh directory
//! per call, inside the build's working directory in the store's `tmp/`
//! (never the system's temporary directory, where a killed run's files
//! would stay forever). The answer travels through `response.json`, because
//! backends print whatever they like on stdout. The backend's stdout and
//! stderr both go to one log file, so their interleaving is kept; when the
//! hook fails, the error carries the log's last [`TAIL_LINES`] lines.
//!
//! The subprocess's environment is controlled: `PYTHONPATH`, `PYTHONHOME`,
//! `PYTHONSTARTUP`, `VIRTUAL_ENV` and every `PIP_*` variable are removed,
//! `PYTHONNOUSERSITE=1` keeps the user's site-packages out, and
//! `PIP_CONFIG_FILE` points at the null device so a backend that shells out
//! to pip does not pick up the user's configuration. The working directory
//! is the source tree, as PEP 517 requires. `SOURCE_DATE_EPOCH` and the
//! rest of the environment pass through untouched (reproducible builds rely
//! on it). The build environment's scripts directory goes first on `PATH`.
//!
//! The backend never outlives posy. It runs in posy's process group, so a
//! Ctrl-C at the terminal, or `timeout`'s SIGTERM to the group, reaches it
//! directly; a dropped hook future kills it (`kill_on_drop`); and on Linux
//! the kernel sends it SIGKILL when posy dies in any other way (a SIGTERM
//! or SIGKILL to posy alone), through `PR_SET_PDEATHSIG`. That signal is
//! tied to the *thread* that started the child, which here is either a
//! runtime worker (alive as long as the runtime) or a thread blocked on the
//! very future that awaits the child, so it never fires early.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use serde_json::Value;

use crate::build_system::BuildSystem;
use crate::config_settings::ConfigSettings;
use crate::environment::BuildEnv;
use crate::error::{BuildError, IoContext};

const SHIM: &str = include_str!("shim.py");

/// How many lines of the backend's output a failure shows.
pub const TAIL_LINES: usize = 40;

/// The hooks posy calls (PEP 517 and PEP 660).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    GetRequiresForBuildWheel,
    GetRequiresForBuildEditable,
    PrepareMetadataForBuildWheel,
    PrepareMetadataForBuildEditable,
    BuildWheel,
    BuildEditable,
}

impl Hook {
    /// The hook's Python name.
    pub fn name(self) -> &'static str {
        match self {
            Hook::GetRequiresForBuildWheel => "get_requires_for_build_wheel",
            Hook::GetRequiresForBuildEditable => "get_requires_for_build_editable",
            Hook::PrepareMetadataForBuildWheel => "prepare_metadata_for_build_wheel",
            Hook::PrepareMetadataForBuildEditable => "prepare_metadata_for_build_editable",
            Hook::BuildWheel => "build_wheel",
            Hook::BuildEditable => "build_editable",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything a hook call needs besides the hook and its arguments.
pub(crate) struct HookContext<'a> {
    /// For messages: the package being built.
    pub package: &'a str,
    pub tree: &'a Path,
    /// Where the hook's own files go (the build's working directory).
    pub scratch: &'a Path,
    pub system: &'a BuildSystem,
    pub env: &'a BuildEnv,
    pub config_settings: &'a ConfigSettings,
    /// Counts subprocesses started (tests assert on it).
    pub runs: &'a AtomicU64,
}

/// What a hook call gave back.
#[derive(Debug)]
pub(crate) enum HookOutcome {
    Returned(Value),
    /// The backend does not define the hook.
    Missing,
}

#[derive(Deserialize)]
struct Response {
    result: Option<Value>,
    #[serde(default)]
    unsupported: bool,
    error: Option<String>,
}

impl HookContext<'_> {
    /// Calls `hook` with `kwargs` (plus `config_settings`).
    pub async fn call(
        &self,
        hook: Hook,
        mut kwargs: serde_json::Map<String, Value>,
    ) -> Result<HookOutcome, BuildError> {
        kwargs.insert("config_settings".into(), self.config_settings.to_json());
        let scratch = tempfile::Builder::new()
            .prefix("hook-")
            .tempdir_in(self.scratch)
            .ctx("create a directory for the hook in", self.scratch)?;
        let shim = scratch.path().join("posy_pep517_shim.py");
        let request = scratch.path().join("request.json");
        let response = scratch.path().join("response.json");
        let log = scratch.path().join("output.log");
        std::fs::write(&shim, SHIM).ctx("write", &shim)?;
        let body = serde_json::json!({
            "backend": self.system.backend,
            "backend_path": self.system.backend_path,
            "hook": hook.name(),
            "kwargs": kwargs,
        });
        std::fs::write(&request, body.to_string()).ctx("write", &request)?;
        let log_file = std::fs::File::create(&log).ctx("create", &log)?;
        let log_err = log_file.try_clone().ctx("open", &log)?;

        let mut command = tokio::process::Command::new(&self.env.python);
        command
            .arg(&shim)
            .arg(&request)
            .arg(&response)
            .current_dir(self.tree)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        #[cfg(target_os = "linux")]
        die_with_posy(&mut command);
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            if text.starts_with("PIP_")
                || matches!(
                    text.as_ref(),
                    "PYTHONPATH"
                        | "PYTHONHOME"
                        | "PYTHONSTARTUP"
                        | "VIRTUAL_ENV"
                        | "PYTHONSAFEPATH"
                )
            {
                command.env_remove(&name);
            }
        }
        command
            .env("PYTHONNOUSERSITE", "1")
            .env("PIP_CONFIG_FILE", null_device())
            .env("PATH", self.search_path());

        tracing::debug!(package = self.package, hook = hook.name(), python = %self.env.python.display(), "running build hook");
        self.runs.fetch_add(1, Ordering::Relaxed);
        let status = command.status().await.map_err(|source| BuildError::Spawn {
            package: self.package.to_string(),
            hook,
            python: self.env.python.clone(),
            source,
        })?;

        let failed = |reason: String| BuildError::HookFailed {
            package: self.package.to_string(),
            hook,
            reason,
            output: output_tail(&log, TAIL_LINES),
        };
        let answer = match std::fs::read(&response) {
            Ok(bytes) => serde_json::from_slice::<Response>(&bytes)
                .map_err(|e| failed(format!("the hook runner wrote an unreadable answer ({e})")))?,
            Err(_) => {
                return Err(failed(format!(
                    "the backend process ended ({status}) without answering"
                )));
            }
        };
        if let Some(error) = answer.error {
            return Err(failed(error));
        }
        if answer.unsupported {
            return Ok(HookOutcome::Missing);
        }
        if !status.success() {
            return Err(failed(format!("the backend process ended with {status}")));
        }
        Ok(HookOutcome::Returned(answer.result.unwrap_or(Value::Null)))
    }

    fn search_path(&self) -> std::ffi::OsString {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let dirs: Vec<PathBuf> = self
            .env
            .path_dirs
            .iter()
            .cloned()
            .chain(std::env::split_paths(&inherited))
            .collect();
        std::env::join_paths(dirs).unwrap_or(inherited)
    }
}

/// Makes the child receive SIGKILL when posy dies (see the module docs).
#[cfg(target_os = "linux")]
fn die_with_posy(command: &mut tokio::process::Command) {
    let posy = std::process::id();
    // SAFETY: the closure runs in the child between fork and exec and only
    // makes async-signal-safe system calls.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // posy may have died before the call above: then nobody will
            // send the signal, and the child must not start at all.
            if libc::getppid() as u32 != posy {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

fn null_device() -> &'static str {
    if cfg!(windows) { "NUL" } else { "/dev/null" }
}

/// The last `lines` lines of the log (reading at most its last 256 KiB).
pub(crate) fn output_tail(log: &Path, lines: usize) -> String {
    const WINDOW: u64 = 256 * 1024;
    let Ok(mut file) = std::fs::File::open(log) else {
        return "(no output)".into();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(WINDOW);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return "(the output could not be read)".into();
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    if all.is_empty() {
        return "(no output)".into();
    }
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&log, text).unwrap();
        let tail = output_tail(&log, 3);
        assert_eq!(tail, "line 98\nline 99\nline 100");
        std::fs::write(&log, "").unwrap();
        assert_eq!(output_tail(&log, 3), "(no output)");
    }
}
