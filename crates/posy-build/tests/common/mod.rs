//! Test support: a real `BuildEnvironments` (venvs made with `python -m
//! venv`, requirements installed with pip from the public index), project
//! and sdist builders, and the test interpreter.
//!
//! Build environments are cached across tests and test runs under
//! `$TMPDIR/posy-build-test-envs/<hash of python + requirement set>`, with a
//! `.ready` marker written last, so a warm suite spends no time on them.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use posy_build::{BuildEnv, BuildEnvironments, BuildLabel, EnvironmentError};
use posy_python::{Interpreter, ProbeCache};
use posy_vocab::Requirement;
use sha2::{Digest, Sha256};

/// The machine's `python3`, probed once per test binary.
pub fn python() -> Interpreter {
    static PYTHON: OnceLock<Interpreter> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let output = Command::new("python3")
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .expect("python3 is on PATH");
            let path = String::from_utf8(output.stdout).unwrap();
            let cache_dir = std::env::temp_dir().join("posy-build-test-probes");
            Interpreter::query(Path::new(path.trim()), &ProbeCache::new(&cache_dir))
                .expect("python3 can be probed")
        })
        .clone()
}

/// Tests that need the public index are part of the live suite: they run
/// with `POSY_LIVE=1` (as CI does, see `.ci/run`), like the live tests of
/// the other crates: they are `#[ignore]`d, so the hermetic suite never
/// reaches the network, and fail without `POSY_LIVE=1`.
pub fn live() -> bool {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    true
}

/// Venvs with pip-installed requirements, cached by requirement set.
#[derive(Clone)]
pub struct VenvEnvironments {
    root: PathBuf,
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Environments created (not found in the cache) by this instance.
    pub created: Arc<AtomicUsize>,
    /// Calls to `environment`, with the requirement lists asked for.
    pub requests: Arc<Mutex<Vec<Vec<String>>>>,
}

impl VenvEnvironments {
    /// Environments shared by every test (and every run).
    pub fn shared() -> Self {
        Self::at(std::env::temp_dir().join("posy-build-test-envs"))
    }

    pub fn at(root: PathBuf) -> Self {
        VenvEnvironments {
            root,
            locks: Arc::default(),
            created: Arc::default(),
            requests: Arc::default(),
        }
    }
}

impl BuildEnvironments for VenvEnvironments {
    async fn environment(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
        _building: &BuildLabel,
    ) -> Result<BuildEnv, EnvironmentError> {
        let mut names: Vec<String> = requires.iter().map(ToString::to_string).collect();
        self.requests.lock().unwrap().push(names.clone());
        names.sort();
        names.dedup();
        let mut hasher = Sha256::new();
        hasher.update(python.executable().to_string_lossy().as_bytes());
        for name in &names {
            hasher.update([0]);
            hasher.update(name.as_bytes());
        }
        let key: String = hasher.finalize()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let dir = self.root.join(&key);
        let env_python = dir.join("bin").join("python");
        let lock = self
            .locks
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default()
            .clone();
        let _guard = lock.lock().await;
        if dir.join(".ready").is_file() {
            return Ok(BuildEnv::from_python(env_python));
        }
        let base = python.executable().to_path_buf();
        let created = self.created.clone();
        tokio::task::spawn_blocking(move || -> Result<BuildEnv, EnvironmentError> {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            let mut venv = Command::new(&base);
            venv.args(["-m", "venv"]);
            if names.is_empty() {
                venv.arg("--without-pip");
            }
            run(venv.arg(&dir))?;
            if !names.is_empty() {
                run(Command::new(&env_python)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .args(&names))?;
            }
            std::fs::write(dir.join(".ready"), names.join("\n"))?;
            created.fetch_add(1, Ordering::SeqCst);
            Ok(BuildEnv::from_python(env_python))
        })
        .await?
    }

    async fn pins(
        &self,
        _python: &Interpreter,
        requires: &[Requirement],
    ) -> Result<Vec<String>, EnvironmentError> {
        Ok(Self::written(requires))
    }
}

impl VenvEnvironments {
    /// What `environment` would install: pip picks the versions when it
    /// installs, so the requirements as written are all this provider knows.
    fn written(requires: &[Requirement]) -> Vec<String> {
        requires.iter().map(ToString::to_string).collect()
    }
}

fn run(command: &mut Command) -> Result<(), EnvironmentError> {
    let output = command.output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into())
    }
}

/// An environment provider that must not be used.
pub struct NoEnvironments;

impl BuildEnvironments for NoEnvironments {
    async fn environment(
        &self,
        _python: &Interpreter,
        requires: &[Requirement],
        _building: &BuildLabel,
    ) -> Result<BuildEnv, EnvironmentError> {
        Err(format!("no build environment expected (asked for {requires:?})").into())
    }

    async fn pins(
        &self,
        _python: &Interpreter,
        requires: &[Requirement],
    ) -> Result<Vec<String>, EnvironmentError> {
        Err(format!("no build requirements expected (asked for {requires:?})").into())
    }
}

/// Writes `files` (path, content) under `root`.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// A `.tar.gz` sdist at `out` holding `files` under `top/`.
pub fn make_sdist(out: &Path, top: &str, files: &[(&str, &str)]) {
    let file = std::fs::File::create(out).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, format!("{top}/{path}"), content.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
}

/// A `.tar.gz` whose members are given as raw headers, bypassing the tar
/// crate's own path checks, to build hostile archives.
pub struct RawTar {
    bytes: Vec<u8>,
}

impl RawTar {
    pub fn new() -> Self {
        RawTar { bytes: Vec::new() }
    }

    pub fn member(mut self, name: &str, kind: tar::EntryType, link: &str, content: &[u8]) -> Self {
        let mut header = tar::Header::new_old();
        {
            let raw = header.as_old_mut();
            raw.name[..name.len()].copy_from_slice(name.as_bytes());
            raw.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        header.set_mode(0o644);
        header.set_size(content.len() as u64);
        header.set_entry_type(kind);
        header.set_cksum();
        self.bytes.extend_from_slice(header.as_bytes());
        self.bytes.extend_from_slice(content);
        let pad = (512 - content.len() % 512) % 512;
        self.bytes.extend(std::iter::repeat_n(0u8, pad));
        self
    }

    pub fn file(self, name: &str, content: &str) -> Self {
        self.member(name, tar::EntryType::Regular, "", content.as_bytes())
    }

    pub fn write_gz(mut self, out: &Path) {
        self.bytes.extend(std::iter::repeat_n(0u8, 1024));
        let file = std::fs::File::create(out).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(&self.bytes).unwrap();
        gz.finish().unwrap();
    }
}

/// Opens a fresh store in `dir`.
pub fn store(dir: &Path) -> posy_store::Store {
    posy_store::Store::open(dir.join("cache")).unwrap()
}
