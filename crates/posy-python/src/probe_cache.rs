//! The probe cache: interpreter facts kept on disk so a second run spawns nothing.
//!
//! An entry lives at `<cache>/v1/interpreters/<hash>.json`, where the hash
//! is of the interpreter's path as given. The entry records its full
//! [`CacheKey`] and is used only if the key still matches exactly:
//!
//! - the path as given (a venv's `bin/python` and its base interpreter are
//!   different interpreters even though one links to the other);
//! - the canonical path it resolves to, and that file's modification time
//!   (nanoseconds), size, inode and device. Upgrading Python in place,
//!   re-pointing a symlink, or recreating a venv changes at least one.
//!
//! Scripts (files starting with `#!`, such as pyenv's shims) are never
//! cached: what they run depends on the current directory and environment,
//! not on the file itself. [`crate::pyenv`] resolves pyenv shims before they
//! get here, so the common case still hits the cache.
//!
//! Writes go to `<cache>/v1/tmp/` and are renamed into place, so a reader
//! never sees a partial entry and two processes probing at once both succeed
//! (the last rename wins; both wrote the same facts). An unreadable or
//! mismatched entry is a miss, never an error: the cache can always be
//! deleted. TODO: switch to posy-store's bucket API (per-key locks, LRU
//! touch) once it lands; the on-disk layout already follows its design.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::facts::ProbeFacts;

/// Bump when [`ProbeFacts`] or `probe.py` change meaning: older entries are then misses.
pub const SCHEMA: u32 = 1;

/// What must be unchanged for a cached probe result to still be true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    pub path: PathBuf,
    pub canonical: PathBuf,
    pub modified_ns: u128,
    pub size: u64,
    pub inode: u64,
    pub device: u64,
}

impl CacheKey {
    /// The key for an interpreter file, or `None` if its answers cannot be
    /// cached (a `#!` script) or it cannot be read.
    pub fn for_executable(path: &Path) -> Option<CacheKey> {
        let canonical = fs::canonicalize(path).ok()?;
        let metadata = fs::metadata(&canonical).ok()?;
        if is_script(&canonical) {
            return None;
        }
        let modified_ns = metadata
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        let (inode, device) = file_identity(&metadata);
        Some(CacheKey {
            path: path.to_path_buf(),
            canonical,
            modified_ns,
            size: metadata.len(),
            inode,
            device,
        })
    }
}

#[cfg(unix)]
fn file_identity(metadata: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.ino(), metadata.dev())
}

#[cfg(not(unix))]
fn file_identity(_metadata: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn is_script(path: &Path) -> bool {
    let mut head = [0u8; 2];
    match fs::File::open(path).and_then(|mut file| file.read_exact(&mut head)) {
        Ok(()) => &head == b"#!",
        Err(_) => false,
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    schema: u32,
    key: CacheKey,
    facts: ProbeFacts,
}

/// The `interpreters/` bucket of the store.
#[derive(Debug, Clone)]
pub struct ProbeCache {
    root: Option<PathBuf>,
}

impl ProbeCache {
    /// The probe cache inside the cache root `root` (`posy cache dir`).
    pub fn new(root: &Path) -> ProbeCache {
        ProbeCache {
            root: Some(root.join("v1")),
        }
    }

    /// A cache that remembers nothing (`--no-cache`, tests).
    pub fn disabled() -> ProbeCache {
        ProbeCache { root: None }
    }

    fn entry_path(&self, key: &CacheKey) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        let name = format!(
            "{:016x}.json",
            fnv1a(key.path.as_os_str().as_encoded_bytes())
        );
        Some(root.join("interpreters").join(name))
    }

    /// The cached facts for `key`, if an entry exists and matches it exactly.
    pub fn get(&self, key: &CacheKey) -> Option<ProbeFacts> {
        let bytes = fs::read(self.entry_path(key)?).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        (entry.schema == SCHEMA && entry.key == *key).then_some(entry.facts)
    }

    /// Remember `facts` under `key`, atomically. A disabled cache does nothing.
    pub fn put(&self, key: &CacheKey, facts: &ProbeFacts) -> io::Result<()> {
        let (Some(root), Some(path)) = (&self.root, self.entry_path(key)) else {
            return Ok(());
        };
        let tmp_dir = root.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let entry = Entry {
            schema: SCHEMA,
            key: key.clone(),
            facts: facts.clone(),
        };
        let mut file = tempfile::NamedTempFile::new_in(&tmp_dir)?;
        serde_json::to_writer(&mut file, &entry)?;
        file.flush()?;
        file.persist(&path).map_err(|err| err.error)?;
        Ok(())
    }
}

/// FNV-1a, 64-bit: a stable file name for a path. Collisions are harmless
/// because the entry holds its full key.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_not_cacheable() {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("python3");
        fs::write(&shim, "#!/bin/sh\nexec python3 \"$@\"\n").unwrap();
        assert!(CacheKey::for_executable(&shim).is_none());
        let binary = dir.path().join("python-binary");
        fs::write(&binary, b"\x7fELF....").unwrap();
        assert!(CacheKey::for_executable(&binary).is_some());
    }

    #[test]
    fn missing_file_has_no_key() {
        assert!(CacheKey::for_executable(Path::new("/nonexistent/python")).is_none());
    }

    #[test]
    fn key_changes_when_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("python");
        fs::write(&binary, b"\x7fELF one").unwrap();
        let before = CacheKey::for_executable(&binary).unwrap();
        fs::write(&binary, b"\x7fELF two, longer").unwrap();
        let after = CacheKey::for_executable(&binary).unwrap();
        assert_ne!(before, after);
    }

    #[test]
    fn fnv_is_stable() {
        // Published FNV-1a test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
