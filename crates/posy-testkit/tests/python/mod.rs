//! The machine's Python, as the independent judge of what the test kit builds.
//!
//! pip and the standard library are the reference implementations of the
//! formats; if they accept a wheel, a page or a server, so will the
//! ecosystem. pip runs isolated (`--isolated`, no `PIP_*` variables, no
//! config file, no cache), so only the test's own index or directory is
//! ever consulted. When python3 is missing the test prints a note and
//! passes without checking.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `python3` with a clean pip environment, or `None` (with a note) if it is missing.
pub fn python() -> Option<Command> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: python3 is not installed; skipping the check against the reference tools");
        return None;
    }
    let mut command = Command::new("python3");
    for (key, _) in std::env::vars() {
        if key.starts_with("PIP_") {
            command.env_remove(key);
        }
    }
    command.env("PIP_CONFIG_FILE", "/dev/null");
    command.env("PYTHONDONTWRITEBYTECODE", "1");
    Some(command)
}

/// Runs a Python snippet with arguments; panics with its output on failure.
pub fn run_python(script: &str, args: &[&str]) -> Option<String> {
    let mut command = python()?;
    command.arg("-c").arg(script).args(args);
    Some(checked(command))
}

/// Runs `python3 -m pip --isolated ...`; panics with its output on failure.
pub fn pip(args: &[&str]) -> Option<String> {
    let mut command = python()?;
    command
        .args([
            "-m",
            "pip",
            "--isolated",
            "--disable-pip-version-check",
            "--no-cache-dir",
        ])
        .args(args);
    Some(checked(command))
}

/// Runs pip and returns its output whether or not it succeeded.
pub fn pip_output(args: &[&str]) -> Option<Output> {
    let mut command = python()?;
    command
        .args([
            "-m",
            "pip",
            "--isolated",
            "--disable-pip-version-check",
            "--no-cache-dir",
        ])
        .args(args);
    Some(command.output().expect("python3 runs"))
}

fn checked(mut command: Command) -> String {
    let output = command.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// The names of the files directly in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("directory exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
