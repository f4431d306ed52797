//! Managed interpreters: Pythons posy installs itself.
//!
//! posy must not assume that any Python is installed. When none fits a
//! request, it downloads one the way it downloads packages: from a table
//! of python-build-standalone archives ([`downloads`]: uv's
//! `download-metadata.json` format, compiled in, replaceable), verified
//! by sha256, cached in the store, unpacked into a temporary directory
//! beside its destination, made relocatable, and renamed into place
//! ([`install`]). A rename is the only step another process can see, so an
//! interrupted download or unpack leaves nothing half-installed: a reader
//! finds the whole interpreter or none.
//!
//! The layout of the install directory (`POSY_PYTHON_INSTALL_DIR`, else
//! `$XDG_DATA_HOME/posy/python`, else `~/.local/share/posy/python`):
//!
//! ```text
//! cpython-3.12.1-linux-x86_64-gnu/      one install per table key
//!     bin/python3.12, bin/python, lib/python3.12/…
//!     posy-python.json                  the table entry it came from
//! cpython-3.12-linux-x86_64-gnu -> cpython-3.12.1-linux-x86_64-gnu
//! .tmp-XXXXXX/                          an install being unpacked
//! ```
//!
//! The minor-version link (`cpython-3.12-…`) points at the newest installed
//! 3.12.x. Discovery hands out a managed interpreter through it when it is
//! that newest one, so a virtual environment made from "the managed 3.12"
//! records the link in `pyvenv.cfg` and keeps working when `posy python
//! upgrade` installs 3.12.2 and the old patch is uninstalled.
//!
//! A PyBI (PEP 711) installs into the same layout ([`pybi`]); its
//! metadata carries the marker values and wheel tags, which stand in for
//! the probe.
//!
//! PyPy's release archives (`pypy3.10-v7.3.19-linux64.tar.gz`: one
//! top-level directory, `bin/pypy3.10` beside its `libpypy3.10-c.so`, the
//! standard library in `lib/pypy3.10`) install into the same layout under
//! `pypy-3.10.16-linux-x86_64-gnu`; PyPy finds its prefix from its own
//! path, so nothing in them is rewritten.
//!
//! Not done here: Windows archives unpack (the layout is known) but posy's
//! venvs are Unix-only for now; GraalPy's archives, and PyPy's Windows
//! `.zip`s, are left out of `python list` and `install` (`is_installable`).

mod downloads;
mod install;
pub mod pybi;
pub mod pybi_facts;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use downloads::{
    DEFAULT_HOST, DOWNLOADS_JSON_ENV, DownloadArch, DownloadTable, HostPlatform, MIRROR_ENV,
    PYPY_HOST, PYPY_MIRROR_ENV, PythonDownload, TableError, canonical_url, local_path,
};
pub use install::{InstallError, install};

use crate::request::PythonRequest;

/// Moves the install directory.
pub const INSTALL_DIR_ENV: &str = "POSY_PYTHON_INSTALL_DIR";
/// The table entry an install came from, inside it.
const RECORD: &str = "posy-python.json";

/// The directory managed interpreters live in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedDir {
    root: PathBuf,
}

/// An installed managed interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPython {
    /// `<root>/cpython-3.12.1-linux-x86_64-gnu`.
    pub dir: PathBuf,
    /// The table entry it was installed from.
    pub download: PythonDownload,
}

impl ManagedDir {
    pub fn new(root: impl Into<PathBuf>) -> ManagedDir {
        ManagedDir { root: root.into() }
    }

    /// `POSY_PYTHON_INSTALL_DIR`, else `$XDG_DATA_HOME/posy/python`, else
    /// `~/.local/share/posy/python`; `None` when none of these is set.
    pub fn from_env() -> Option<ManagedDir> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(dir) = var(INSTALL_DIR_ENV) {
            let dir = PathBuf::from(dir);
            return Some(ManagedDir::new(std::path::absolute(&dir).unwrap_or(dir)));
        }
        if let Some(data) = var("XDG_DATA_HOME") {
            return Some(ManagedDir::new(PathBuf::from(data).join("posy/python")));
        }
        var("HOME")
            .map(|home| ManagedDir::new(PathBuf::from(home).join(".local/share/posy/python")))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every complete install, newest first (a directory being unpacked,
    /// or one without its record, is not one).
    pub fn installed(&self) -> Vec<ManagedPython> {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut found: Vec<ManagedPython> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|entry| ManagedPython::read(&entry.path()))
            .collect();
        found.sort_by(|a, b| {
            let order = |p: &ManagedPython| {
                let d = &p.download;
                (
                    d.major,
                    d.minor,
                    d.patch,
                    d.prerelease.is_empty(),
                    d.prerelease.clone(),
                )
            };
            order(b)
                .cmp(&order(a))
                .then_with(|| a.download.key.cmp(&b.download.key))
        });
        found
    }

    /// The newest install that satisfies `request` and runs here.
    pub fn find(&self, request: &PythonRequest, host: &HostPlatform) -> Option<ManagedPython> {
        self.installed().into_iter().find(|python| {
            host.runs(&python.download)
                && request.admits_build(
                    &python.download.name,
                    &python.download.version(),
                    python.download.is_free_threaded(),
                )
        })
    }

    /// The install of exactly this table key.
    pub fn get(&self, key: &str) -> Option<ManagedPython> {
        ManagedPython::read(&self.root.join(key))
    }

    /// Removes `python`: renamed aside first (so nothing sees half of it),
    /// then deleted; its minor-version link moves to the next newest patch
    /// or goes.
    pub fn uninstall(&self, python: &ManagedPython) -> io::Result<()> {
        let aside = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempdir_in(&self.root)?;
        let target = aside.path().join("old");
        fs::rename(&python.dir, &target)?;
        self.update_minor_link(&python.download.minor_key())?;
        drop(aside);
        Ok(())
    }

    /// Points `<minor key>` at the newest install with that minor key, or
    /// removes it when there is none. The link is replaced by a rename, so
    /// it always points somewhere valid.
    pub fn update_minor_link(&self, minor_key: &str) -> io::Result<()> {
        let link = self.root.join(minor_key);
        let newest = self
            .installed()
            .into_iter()
            .find(|p| p.download.minor_key() == minor_key && p.download.prerelease.is_empty())
            .or_else(|| {
                self.installed()
                    .into_iter()
                    .find(|p| p.download.minor_key() == minor_key)
            });
        match newest {
            None => match fs::remove_file(&link) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
                _ => Ok(()),
            },
            Some(python) => {
                let name = python.download.key.clone();
                if fs::read_link(&link).is_ok_and(|target| target == Path::new(&name)) {
                    return Ok(());
                }
                let staged = self
                    .root
                    .join(format!(".tmp-link-{}-{minor_key}", std::process::id()));
                let _ = fs::remove_file(&staged);
                symlink_dir(Path::new(&name), &staged)?;
                fs::rename(&staged, &link)
            }
        }
    }

    /// The path to hand out for `python`'s interpreter: through its
    /// minor-version link when the link points at it, else direct.
    pub fn executable(&self, python: &ManagedPython) -> PathBuf {
        let link = self.root.join(python.download.minor_key());
        let through_link =
            fs::read_link(&link).is_ok_and(|target| target == Path::new(&python.download.key));
        let base = if through_link {
            link
        } else {
            python.dir.clone()
        };
        base.join(python.executable_relative())
    }
}

impl ManagedPython {
    /// The install at `dir`, if it is a complete one.
    pub fn read(dir: &Path) -> Option<ManagedPython> {
        let text = fs::read(dir.join(RECORD)).ok()?;
        let record: Record = serde_json::from_slice(&text).ok()?;
        let mut download = record.download;
        download.key = record.key;
        Some(ManagedPython {
            dir: dir.to_path_buf(),
            download,
        })
    }

    /// The interpreter inside the install: `bin/python3.12` (`python3.13t`
    /// for a free-threaded build, `pypy3.10` for PyPy; `python.exe` on
    /// Windows).
    pub fn executable_relative(&self) -> PathBuf {
        if self.download.os == "windows" {
            return PathBuf::from("python.exe");
        }
        let versioned = Path::new("bin").join(self.download.executable_name());
        if self.dir.join(&versioned).exists() {
            versioned
        } else {
            PathBuf::from("bin/python")
        }
    }
}

/// What `posy-python.json` holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    key: String,
    #[serde(flatten)]
    download: PythonDownload,
}

/// Writes the record of `download` into an install being made at `dir`.
fn write_record(dir: &Path, download: &PythonDownload) -> io::Result<()> {
    let record = Record {
        key: download.key.clone(),
        download: download.clone(),
    };
    let text = serde_json::to_vec_pretty(&record).map_err(io::Error::other)?;
    fs::write(dir.join(RECORD), text)
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}
