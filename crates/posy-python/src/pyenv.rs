//! pyenv: its installed versions, and seeing through its shims.
//!
//! pyenv puts `$PYENV_ROOT/shims` on `PATH`; each shim is a bash script that
//! asks pyenv which version is selected and execs the real interpreter.
//! Running a shim costs ~150 ms of bash, and a script cannot be cached by file
//! identity (see [`crate::probe_cache`]), so discovery resolves a shim to the
//! interpreter it would run, reading pyenv's selection the way pyenv does:
//! `PYENV_VERSION`, else the nearest `.python-version` in the working
//! directory or its parents, else `$PYENV_ROOT/version`. Each named version
//! is looked up as `$PYENV_ROOT/versions/<name>/bin/<shim name>`.
//!
//! When that does not give a file (the selection is `system`, a prefix such
//! as `3.12` that newer pyenv expands, or anything else unusual), the shim
//! itself is used: correct, only slower. The one way to disagree with pyenv
//! is `PYENV_DIR` (which moves where pyenv starts looking for
//! `.python-version`); posy does not read it, and looks from the working
//! directory as pyenv does by default.

use std::fs;
use std::path::{Path, PathBuf};

use crate::discovery::DiscoveryEnv;

/// `$PYENV_ROOT`, else `~/.pyenv`, if that directory exists.
pub fn pyenv_root(env: &DiscoveryEnv) -> Option<PathBuf> {
    let root = match &env.pyenv_root {
        Some(root) => root.clone(),
        None => env.home.as_ref()?.join(".pyenv"),
    };
    root.is_dir().then_some(root)
}

/// The interpreter a pyenv shim at `shim` would run, when it can be known
/// without running it. `None` if `shim` is not a pyenv shim or the
/// selection cannot be resolved to a file.
pub fn resolve_shim(shim: &Path, env: &DiscoveryEnv) -> Option<PathBuf> {
    let root = pyenv_root(env)?;
    let shims = fs::canonicalize(root.join("shims")).ok()?;
    let parent = fs::canonicalize(shim.parent()?).ok()?;
    if parent != shims {
        return None;
    }
    let name = shim.file_name()?;
    for version in selected_versions(&root, env) {
        if version == "system" {
            return None;
        }
        let candidate = root.join("versions").join(&version).join("bin").join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    None
}

/// The versions pyenv would select, in its order of precedence.
fn selected_versions(root: &Path, env: &DiscoveryEnv) -> Vec<String> {
    if let Some(versions) = env
        .pyenv_version
        .as_deref()
        .filter(|v| !v.trim().is_empty())
    {
        return versions
            .split([':', ' ', '\t', '\n'])
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
    }
    for dir in env.cwd.ancestors() {
        if let Ok(text) = fs::read_to_string(dir.join(".python-version")) {
            return parse_version_file(&text);
        }
    }
    match fs::read_to_string(root.join("version")) {
        Ok(text) => parse_version_file(&text),
        Err(_) => vec!["system".to_string()],
    }
}

/// The nearest `.python-version` from `dir` up, and its first entry: the
/// pin `posy python pin` writes and every command honours.
pub fn python_version_file(dir: &Path) -> Option<(PathBuf, String)> {
    dir.ancestors().find_map(|dir| {
        let path = dir.join(".python-version");
        let text = fs::read_to_string(&path).ok()?;
        let first = parse_version_file(&text).into_iter().next()?;
        Some((path, first))
    })
}

/// A `.python-version` or `version` file: whitespace-separated names,
/// `#` comments to the end of a line.
fn parse_version_file(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect()
}

/// Whether pyenv is in use: its `shims` or `bin` directory is on `PATH`.
/// A person who took pyenv off `PATH` (or a command run with a minimal
/// `PATH`) does not mean its interpreters, even with `PYENV_ROOT` still set.
pub fn is_active(env: &DiscoveryEnv) -> bool {
    let (Some(root), Some(path)) = (pyenv_root(env), &env.path) else {
        return false;
    };
    let shims = root.join("shims");
    let bin = root.join("bin");
    std::env::split_paths(path).any(|dir| dir == shims || dir == bin)
}

/// `$PYENV_ROOT/versions/*/bin/python`, newest version first (names that
/// are not dotted numbers, such as virtualenv names, sort last by name).
pub fn installed_interpreters(env: &DiscoveryEnv) -> Vec<PathBuf> {
    let Some(root) = pyenv_root(env) else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let mut versions: Vec<(Option<Vec<u64>>, String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let python = entry.path().join("bin").join("python");
            python
                .is_file()
                .then(|| (numeric_version(&name), name, python))
        })
        .collect();
    versions.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    versions.into_iter().map(|(_, _, path)| path).collect()
}

fn numeric_version(name: &str) -> Option<Vec<u64>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_pyenv(dir: &Path, versions: &[&str]) -> PathBuf {
        let root = dir.join("pyenv");
        fs::create_dir_all(root.join("shims")).unwrap();
        fs::write(root.join("shims/python3"), "#!/bin/sh\n").unwrap();
        for version in versions {
            let bin = root.join("versions").join(version).join("bin");
            fs::create_dir_all(&bin).unwrap();
            fs::write(bin.join("python"), "").unwrap();
            fs::write(bin.join("python3"), "").unwrap();
        }
        root
    }

    fn env(root: &Path, cwd: &Path) -> DiscoveryEnv {
        DiscoveryEnv {
            cwd: cwd.to_path_buf(),
            path: None,
            virtual_env: None,
            pyenv_root: Some(root.to_path_buf()),
            pyenv_version: None,
            home: None,
            ..DiscoveryEnv::default()
        }
    }

    #[test]
    fn version_file_parsing() {
        assert_eq!(
            parse_version_file("3.12.1 # main\n\n3.11.7\n# comment\nsystem"),
            ["3.12.1", "3.11.7", "system"]
        );
    }

    #[test]
    fn shim_follows_global_local_and_env_selection() {
        let dir = tempfile::tempdir().unwrap();
        let root = fake_pyenv(dir.path(), &["3.11.7", "3.12.1"]);
        let project = dir.path().join("project/sub");
        fs::create_dir_all(&project).unwrap();
        let shim = root.join("shims/python3");
        let mut env = env(&root, &project);

        // No selection at all: pyenv means "system", which we leave to the shim.
        assert_eq!(resolve_shim(&shim, &env), None);

        fs::write(root.join("version"), "3.11.7\n").unwrap();
        assert_eq!(
            resolve_shim(&shim, &env),
            Some(root.join("versions/3.11.7/bin/python3"))
        );

        fs::write(dir.path().join("project/.python-version"), "3.12.1\n").unwrap();
        assert_eq!(
            resolve_shim(&shim, &env),
            Some(root.join("versions/3.12.1/bin/python3"))
        );

        env.pyenv_version = Some("3.11.7".into());
        assert_eq!(
            resolve_shim(&shim, &env),
            Some(root.join("versions/3.11.7/bin/python3"))
        );

        // A version pyenv would have to expand: fall back to the shim.
        env.pyenv_version = Some("3.11".into());
        assert_eq!(resolve_shim(&shim, &env), None);
    }

    #[test]
    fn non_shims_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let root = fake_pyenv(dir.path(), &["3.11.7"]);
        fs::write(root.join("version"), "3.11.7\n").unwrap();
        let env = env(&root, dir.path());
        assert_eq!(
            resolve_shim(&root.join("versions/3.11.7/bin/python3"), &env),
            None
        );
    }

    #[test]
    fn installed_sorted_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = fake_pyenv(dir.path(), &["3.9.18", "3.12.1", "3.10.13", "myenv"]);
        let found = installed_interpreters(&env(&root, dir.path()));
        let names: Vec<_> = found
            .iter()
            .map(|p| p.parent().unwrap().parent().unwrap().file_name().unwrap())
            .collect();
        assert_eq!(names, ["3.12.1", "3.10.13", "3.9.18", "myenv"]);
    }
}
