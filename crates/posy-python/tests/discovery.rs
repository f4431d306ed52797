//! Discovery in small made-up worlds: a temporary `PATH` of symlinks to real
//! interpreters, virtual environments in and above the working directory,
//! explicit paths, and requests that nothing satisfies.
//!
//! The worlds are built from the interpreters pyenv has installed on this
//! machine (two different minor versions are needed); without them the
//! tests say so and pass vacuously.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use posy_python::{
    DiscoveryEnv, Interpreter, ProbeCache, PythonRequest, VenvOptions, create_venv,
    find_interpreter,
};

/// Real interpreters by minor version (`(3, 12)` → `.../bin/python3.12`).
fn real_pythons() -> BTreeMap<(u64, u64), PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    let mut found = BTreeMap::new();
    let Some(Ok(entries)) = root.map(|r| fs::read_dir(r.join("versions"))) else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let parts: Vec<u64> = name.split('.').filter_map(|p| p.parse().ok()).collect();
        if let [3, minor, _] = parts[..]
            && minor >= 8
        {
            let python = entry.path().join(format!("bin/python3.{minor}"));
            if python.is_file() {
                found.insert((3, minor), python);
            }
        }
    }
    found
}

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    older: PathBuf,
    newer: PathBuf,
    older_version: (u64, u64),
    newer_version: (u64, u64),
    cache: ProbeCache,
}

impl World {
    /// Two real interpreters, or `None` (and a note) on a machine without them.
    fn new() -> Option<World> {
        let pythons = real_pythons();
        let mut versions = pythons.iter().rev();
        let (Some((&newer_version, newer)), Some((&older_version, older))) =
            (versions.next(), versions.next())
        else {
            panic!(
                "needs two pyenv Python versions (the development and CI machines have 2.7 and 3.6-3.13), found {pythons:?}"
            );
        };
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let cache = ProbeCache::new(&root.join("cache"));
        Some(World {
            older: older.clone(),
            newer: newer.clone(),
            older_version,
            newer_version,
            _dir: dir,
            root,
            cache,
        })
    }

    /// A directory of symlinks `name -> target`.
    fn bin(&self, dir: &str, links: &[(&str, &Path)]) -> PathBuf {
        let bin = self.root.join(dir);
        fs::create_dir_all(&bin).unwrap();
        for (name, target) in links {
            symlink(target, bin.join(name)).unwrap();
        }
        bin
    }

    fn env(&self, path: &[&Path]) -> DiscoveryEnv {
        DiscoveryEnv {
            cwd: self.root.clone(),
            path: Some(std::env::join_paths(path).unwrap()),
            virtual_env: None,
            // Keep the machine's own pyenv out of these worlds.
            pyenv_root: Some(self.root.join("no-pyenv")),
            pyenv_version: None,
            home: None,
            ..DiscoveryEnv::default()
        }
    }

    fn find(&self, request: &str, env: &DiscoveryEnv) -> Result<Interpreter, String> {
        let request: PythonRequest = request.parse().unwrap();
        find_interpreter(&request, env, &self.cache).map_err(|e| e.to_string())
    }

    fn venv(&self, path: &Path, base: &Path) -> PathBuf {
        let base = Interpreter::query(base, &self.cache).unwrap();
        create_venv(&base, path, &VenvOptions::default()).unwrap();
        path.to_path_buf()
    }
}

fn minor_of(interpreter: &Interpreter) -> (u64, u64) {
    let (major, minor, _) = interpreter.python_release();
    (major, minor)
}

#[test]
fn path_search_by_version() {
    let Some(w) = World::new() else { return };
    let (nm, nn) = w.newer_version;
    let (om, on) = w.older_version;
    let newer_name = format!("python{nm}.{nn}");
    let first = w.bin("first", &[(&newer_name, &w.newer), ("python3", &w.older)]);
    let second = w.bin("second", &[("python3", &w.newer), ("python", &w.newer)]);
    let env = w.env(&[&first, &second]);

    let found = w.find("any", &env).unwrap();
    assert_eq!(found.path(), first.join("python3"));
    assert_eq!(minor_of(&found), w.older_version);

    let found = w.find(&format!("{nm}.{nn}"), &env).unwrap();
    assert_eq!(found.path(), first.join(&newer_name));

    // No python3.O in `first`, but its python3 is that version.
    let found = w.find(&format!("{om}.{on}"), &env).unwrap();
    assert_eq!(found.path(), first.join("python3"));

    let found = w.find(&format!(">={nm}.{nn}"), &env).unwrap();
    assert_eq!(minor_of(&found), w.newer_version);
    assert_eq!(found.path(), first.join(&newer_name));

    let found = w.find(&format!("cpython{nm}.{nn}"), &env).unwrap();
    assert_eq!(found.path(), first.join(&newer_name));
    let found = w.find(&format!("cp{nm}{nn}"), &env).unwrap();
    assert_eq!(found.path(), first.join(&newer_name));

    let found = w.find(&newer_name, &env).unwrap();
    assert_eq!(found.path(), first.join(&newer_name));
}

#[test]
fn nothing_matches_explains_every_candidate() {
    let Some(w) = World::new() else { return };
    let (nm, nn) = w.newer_version;
    let newer_name = format!("python{nm}.{nn}");
    let first = w.bin("first", &[(&newer_name, &w.newer), ("python3", &w.older)]);
    let env = w.env(&[&first]);

    let err = w.find("3.99", &env).unwrap_err();
    assert!(
        err.starts_with("no Python interpreter found for Python 3.99; tried:"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{} (PATH): CPython {}.{}.",
            first.join("python3").display(),
            w.older_version.0,
            w.older_version.1
        )),
        "{err}"
    );
    assert!(err.contains("is not 3.99"), "{err}");
    assert!(err.contains("pass --python"), "{err}");

    let err = w.find("pypy", &env).unwrap_err();
    assert!(err.contains("is not PyPy"), "{err}");

    let err = w.find("python9.9", &env).unwrap_err();
    assert!(
        err.contains("python9.9 (PATH): no directory on PATH has it"),
        "{err}"
    );
}

#[test]
fn virtual_environments_come_first() {
    let Some(w) = World::new() else { return };
    let bin = w.bin("bin", &[("python3", &w.older)]);
    let project = w.root.join("project");
    let sub = project.join("src/pkg");
    fs::create_dir_all(&sub).unwrap();
    let project_venv = w.venv(&project.join(".venv"), &w.newer);
    let mut env = w.env(&[&bin]);
    env.cwd = sub;

    // `.venv` in a parent of the working directory beats PATH.
    let found = w.find("any", &env).unwrap();
    assert_eq!(found.path(), project_venv.join("bin/python"));
    assert!(found.is_venv());
    assert_eq!(found.prefix(), project_venv);

    // The active environment beats `.venv`.
    let active = w.venv(&w.root.join("active"), &w.older);
    env.virtual_env = Some(active.clone());
    let found = w.find("any", &env).unwrap();
    assert_eq!(found.path(), active.join("bin/python"));

    // A request the environments do not satisfy falls through to PATH.
    env.virtual_env = None;
    let (om, on) = w.older_version;
    let found = w.find(&format!("{om}.{on}"), &env).unwrap();
    assert_eq!(found.path(), bin.join("python3"));
    assert!(!found.is_venv());

    // A stale VIRTUAL_ENV is reported, not fatal.
    env.virtual_env = Some(w.root.join("gone"));
    let err = w.find("3.99", &env).unwrap_err();
    assert!(
        err.contains("VIRTUAL_ENV points at a directory without bin/python"),
        "{err}"
    );
}

#[test]
fn explicit_paths() {
    let Some(w) = World::new() else { return };
    let env = w.env(&[]);
    let venv = w.venv(&w.root.join("env"), &w.newer);

    let found = w.find(venv.to_str().unwrap(), &env).unwrap();
    assert_eq!(found.path(), venv.join("bin/python"));
    assert!(found.is_venv());

    let found = w.find(w.older.to_str().unwrap(), &env).unwrap();
    assert_eq!(minor_of(&found), w.older_version);

    // Relative to the working directory.
    let found = w.find("./env", &env).unwrap();
    assert_eq!(found.path(), w.root.join("./env/bin/python"));

    let empty = w.root.join("empty");
    fs::create_dir(&empty).unwrap();
    let err = w.find(empty.to_str().unwrap(), &env).unwrap_err();
    assert!(
        err.contains("neither an executable file, nor a directory with bin/python"),
        "{err}"
    );
    let err = w.find("/nonexistent/python3", &env).unwrap_err();
    assert!(err.contains("it does not exist"), "{err}");
}

#[test]
fn pyenv_versions_are_searched_last() {
    let Some(w) = World::new() else { return };
    let pyenv_root = w
        .older
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    // pyenv counts when it is on PATH (its `bin`, which holds no python).
    let mut env = w.env(&[&pyenv_root.join("bin")]);
    env.pyenv_root = Some(pyenv_root.to_path_buf());
    let (om, on) = w.older_version;
    let found = w.find(&format!("{om}.{on}"), &env).unwrap();
    assert_eq!(minor_of(&found), w.older_version);
    assert!(found.path().starts_with(pyenv_root.join("versions")));
    // Newest first when anything goes.
    let found = w.find("any", &env).unwrap();
    assert!(minor_of(&found) >= w.newer_version);
}
