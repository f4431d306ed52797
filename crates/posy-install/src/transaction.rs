//! Changing an environment as a transaction: one writer at a time, and a
//! journal that lets the next run finish what a killed one started.
//!
//! An install or sync changes many distributions, file by file; a process
//! can die at any instant (SIGKILL, Ctrl-C, power loss, a full disk). The
//! invariant this module keeps: **after any interruption, the next posy
//! command that changes the environment first brings every distribution the
//! interrupted change touched to its new state, then does its own work**, so
//! no environment is ever left holding a half-installed distribution, or an
//! old version beside a new one, without the next run repairing it.
//!
//! How:
//! - **One writer.** Every change takes an exclusive advisory lock on
//!   `<prefix>/.posy.lock` ([`EnvLock`]) for its whole duration; a second
//!   process waits for it, saying so. Readers (`list`, `freeze`) take no
//!   lock: every file they read (`METADATA`, `RECORD`) is written whole,
//!   through a temporary and a rename.
//! - **A journal.** Before the first file in the environment changes, the
//!   whole change is written to `<prefix>/.posy-transaction.json` (through a
//!   temporary and a rename): each distribution to install, by its unpacked
//!   tree in the store and its install options, and each `.dist-info` to
//!   remove. When every step is done the journal is deleted; that deletion
//!   is the commit. There is no fsync, on purpose: a killed process loses
//!   nothing that reached the page cache, and for a power loss what matters
//!   is order, not durability (posy, like every installer, does not fsync
//!   the installed files either, so a power loss may lose some of them,
//!   which the journal's roll-forward reinstalls). ext4 and xfs commit a
//!   rename that replaces a file's contents after those contents, and before
//!   the metadata changes made after it, so the journal is on disk before
//!   any change it describes. An fsync would cost 5–15 ms per install here,
//!   more than 5% of a warm install.
//! - **Roll forward.** [`recover`] (run by every changing command, under the
//!   lock, before it looks at what is installed) finds a leftover journal
//!   and redoes its steps. Each step is idempotent: installing a wheel
//!   rewrites all its files and its `RECORD`, then removes every other
//!   `.dist-info` of its name; removing a distribution that is gone is
//!   nothing. A step that cannot be redone (the store has collected the
//!   unpacked tree since, or the disk is still full) removes every copy of
//!   that name instead, each by its `RECORD` (a `.dist-info` without one,
//!   which is written last, by itself), so no mix of old and new files stays
//!   installed under either version; the caller's plan, which treats a
//!   missing distribution as not installed, installs it afresh.
//! - **Without a journal** (an environment broken by another tool, or by a
//!   posy older than this), [`crate::InstalledDist::is_complete`] still tells a
//!   `.dist-info` whose `RECORD` never got written, and the planner treats it
//!   and every duplicate of a name as needing a reinstall.
//!
//! Failpoints: [`failpoint`] aborts the process at a named step when
//! `POSY_FAILPOINT=name[:n]` says so (the n-th time the step is reached),
//! which is how the tests kill an install at every step. The variable is
//! read once; an unset variable costs one branch per step.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use fs4::{FileExt, TryLockError};
use serde::{Deserialize, Serialize};

use crate::error::{InstallError, IoContext};
use crate::install::{InstallOptions, Installer};
use crate::installed::{InstalledDist, dist_info_dirs};
use crate::uninstall::uninstall;
use crate::unpack::UnpackedWheel;

const LOCK_FILE: &str = ".posy.lock";
const JOURNAL_FILE: &str = ".posy-transaction.json";
const JOURNAL_VERSION: u32 = 1;

/// The exclusive right to change one environment, held until dropped.
#[derive(Debug)]
pub struct EnvLock {
    _file: fs::File,
}

impl EnvLock {
    /// Takes the lock of the environment at `prefix`, waiting for another
    /// process that holds it; `waiting` is called once if it has to wait.
    pub fn acquire(prefix: &Path, waiting: impl FnOnce()) -> Result<EnvLock, InstallError> {
        fs::create_dir_all(prefix).ctx("create directory", prefix)?;
        let path = prefix.join(LOCK_FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .ctx("open", &path)?;
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting();
                FileExt::lock(&file).ctx("lock", &path)?;
            }
            Err(TryLockError::Error(e)) => return Err(e).ctx("lock", &path),
        }
        Ok(EnvLock { _file: file })
    }
}

/// A change to write down before making it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Journal {
    version: u32,
    /// Distributions to install.
    pub install: Vec<JournalInstall>,
    /// `.dist-info` directories of distributions to remove.
    pub remove: Vec<PathBuf>,
}

/// One distribution to install: its unpacked tree and how.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JournalInstall {
    /// The unpacked wheel in the store.
    pub wheel: PathBuf,
    /// Its `.dist-info` directory's name (`name-1.0.dist-info`).
    pub dist_info: String,
    pub requested: bool,
    pub direct_url: Option<String>,
}

impl Journal {
    pub fn new(install: Vec<JournalInstall>, remove: Vec<PathBuf>) -> Journal {
        Journal {
            version: JOURNAL_VERSION,
            install,
            remove,
        }
    }
}

/// A change in progress: its journal is on disk until [`Transaction::commit`].
#[derive(Debug)]
pub struct Transaction {
    journal: PathBuf,
}

impl Transaction {
    /// Writes `journal` into the environment at `prefix` before anything in
    /// it changes.
    pub fn begin(prefix: &Path, journal: &Journal) -> Result<Transaction, InstallError> {
        let path = prefix.join(JOURNAL_FILE);
        let tmp = prefix.join(format!("{JOURNAL_FILE}.tmp"));
        let bytes = serde_json::to_vec(journal).map_err(|e| InstallError::Io {
            action: "write",
            path: path.clone(),
            source: e.into(),
        })?;
        let mut file = fs::File::create(&tmp).ctx("create", &tmp)?;
        file.write_all(&bytes).ctx("write", &tmp)?;
        drop(file);
        fs::rename(&tmp, &path).ctx("rename", &path)?;
        failpoint("journal-written");
        Ok(Transaction { journal: path })
    }

    /// Every step is done: the journal goes, and with it the change's
    /// claim on the next run.
    pub fn commit(self) -> Result<(), InstallError> {
        failpoint("before-commit");
        fs::remove_file(&self.journal).ctx("remove", &self.journal)
    }
}

/// What [`recover`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Distributions installed again (`name==version`).
    pub reinstalled: Vec<String>,
    /// Distributions removed as the interrupted change meant to.
    pub removed: Vec<String>,
    /// Distributions whose change could not be finished (their wheel left
    /// the store, or the disk is full): removed, every copy, to be
    /// installed afresh by the caller's plan.
    pub dropped: Vec<String>,
}

/// Finishes a change that was interrupted in the environment `installer`
/// installs into (see the module documentation). Call it with the
/// environment's [`EnvLock`] held, before reading what is installed.
/// `None` when there was nothing to finish.
pub fn recover(installer: &Installer) -> Result<Option<Recovery>, InstallError> {
    let scheme = installer.scheme();
    let path = scheme.prefix.join(JOURNAL_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).ctx("read", &path),
    };
    let mut recovery = Recovery::default();
    // A journal that does not parse was never renamed into place whole;
    // the rename is atomic, so this is another tool's file or a disk
    // error. Its change is unknown: only the generic repair applies.
    let journal: Journal = match serde_json::from_slice(&bytes) {
        Ok(journal) => journal,
        Err(e) => {
            tracing::warn!("ignoring the unreadable journal {}: {e}", path.display());
            Journal::default()
        }
    };
    for dist_info in &journal.remove {
        if let Ok(dist) = InstalledDist::from_dist_info(dist_info)
            && dist_info.exists()
        {
            uninstall(&dist, &scheme.prefix)?;
            recovery.removed.push(dist.to_string());
        }
    }
    for step in &journal.install {
        let attempt = UnpackedWheel::open(&step.wheel).and_then(|wheel| {
            let options = InstallOptions {
                requested: step.requested,
                direct_url: step.direct_url.clone(),
                replaces: None,
            };
            installer.install(&wheel, &options)
        });
        match attempt {
            Ok(dist) => recovery.reinstalled.push(dist.to_string()),
            Err(error) => {
                // It cannot be finished (its tree left the store, or the
                // disk is full): every copy of the name goes, by its RECORD
                // where it has one, so no mix of old and new files stays
                // installed under either version; the caller's plan
                // installs the name afresh.
                tracing::warn!("cannot finish installing {}: {error}", step.dist_info);
                let name = step.dist_info.split('-').next().unwrap_or_default();
                for dir in dist_info_dirs(&[&scheme.purelib, &scheme.platlib])? {
                    let Ok(dist) = InstalledDist::from_dist_info(&dir) else {
                        continue;
                    };
                    if dist.name.as_str() == crate::installed::normalized(name) {
                        uninstall(&dist, &scheme.prefix)?;
                        recovery.dropped.push(dist.to_string());
                    }
                }
            }
        }
    }
    fs::remove_file(&path).ctx("remove", &path)?;
    Ok(Some(recovery))
}

/// Aborts the process here when `POSY_FAILPOINT` names this step (see the
/// module documentation). For tests of crash safety; free otherwise.
pub fn failpoint(name: &str) {
    static ARMED: OnceLock<Option<(String, usize, AtomicUsize)>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| {
        let spec = std::env::var("POSY_FAILPOINT").ok()?;
        let (point, n) = match spec.split_once(':') {
            Some((point, n)) => (point.to_owned(), n.parse().ok()?),
            None => (spec, 1),
        };
        Some((point, n, AtomicUsize::new(0)))
    });
    if let Some((point, n, hits)) = armed
        && point == name
        && hits.fetch_add(1, Ordering::Relaxed) + 1 == *n
    {
        eprintln!("posy: failpoint `{name}` reached; aborting");
        std::process::abort();
    }
}
