//! The probe cache: interpreter facts kept in the store so a second run
//! spawns nothing.
//!
//! Entries live in the store's `interpreters` bucket
//! (`<cache>/v1/interpreters/`), keyed by everything that must be unchanged
//! for a cached answer to still be true ([`CacheKey`]):
//!
//! - the path as given (a venv's `bin/python` and its base interpreter are
//!   different interpreters even though one links to the other);
//! - the canonical path it resolves to, and that file's modification time
//!   (nanoseconds), size, inode and device. Upgrading Python in place,
//!   re-pointing a symlink, or recreating a venv changes at least one.
//!
//! Because the key names the file's exact state, an entry never needs
//! updating: a changed interpreter simply has a new key, and the stale entry
//! ages out through the store's LRU collection. The store also gives each
//! key a lock, so two posy processes meeting the same new interpreter probe
//! it once. Each entry repeats its full key and is checked on read, and an
//! unreadable entry is removed and probed again: the cache can be wrong only
//! in costing a subprocess.
//!
//! Scripts (files starting with `#!`, such as pyenv's shims) are never
//! cached: what they run depends on the current directory and environment,
//! not on the file itself. [`crate::discovery`] resolves pyenv shims before
//! they get here, so the common case still hits the cache.
//!
//! If the store cannot be opened (a read-only cache directory, say), the
//! cache is off: every query probes, and nothing else changes.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use posy_store::{FileBucket, Key, Lookup, Store};
use serde::{Deserialize, Serialize};

use crate::facts::ProbeFacts;
use crate::probe::ProbeError;

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

impl CacheKey {
    /// The store key: a hash of every part of this key and of the schema.
    fn store_key(&self) -> Key {
        let number = |n: u128| n.to_le_bytes();
        Key::hash_of_parts([
            b"posy-python probe".as_slice(),
            &number(u128::from(SCHEMA)),
            self.path.as_os_str().as_encoded_bytes(),
            self.canonical.as_os_str().as_encoded_bytes(),
            &number(self.modified_ns),
            &number(u128::from(self.size)),
            &number(u128::from(self.inode)),
            &number(u128::from(self.device)),
        ])
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
    bucket: Option<FileBucket>,
}

impl ProbeCache {
    /// The probe cache of the store at `root` (`posy cache dir`). A store
    /// that cannot be opened gives a disabled cache (see the module docs).
    pub fn new(root: &Path) -> ProbeCache {
        match Store::open(root) {
            Ok(store) => ProbeCache::in_store(&store),
            Err(_) => ProbeCache::disabled(),
        }
    }

    /// The probe cache of an open store.
    pub fn in_store(store: &Store) -> ProbeCache {
        ProbeCache {
            bucket: Some(store.interpreters()),
        }
    }

    /// A cache that remembers nothing (`--no-cache`, tests).
    pub fn disabled() -> ProbeCache {
        ProbeCache { bucket: None }
    }

    /// The cached facts for `key`, if an entry exists and matches it exactly.
    pub fn get(&self, key: &CacheKey) -> Option<ProbeFacts> {
        let path = self.bucket.as_ref()?.get(&key.store_key())?;
        read_entry(&path, key)
    }

    /// The facts for `key`: cached, or from `probe` (then cached). Returns
    /// whether they came from the cache. Store failures only cost the
    /// caching; probe failures are returned.
    pub fn get_or_probe(
        &self,
        key: &CacheKey,
        probe: impl FnOnce() -> Result<ProbeFacts, ProbeError>,
    ) -> Result<(ProbeFacts, bool), ProbeError> {
        let Some(bucket) = &self.bucket else {
            return probe().map(|facts| (facts, false));
        };
        let store_key = key.store_key();
        if let Some(path) = bucket.get(&store_key) {
            if let Some(facts) = read_entry(&path, key) {
                return Ok((facts, true));
            }
            // Damaged: drop it and produce it again below.
            let _ = bucket.remove(&store_key);
        }
        let mut reservation = match bucket.lock_or_get(&store_key) {
            Ok(Lookup::Miss(reservation)) => reservation,
            Ok(Lookup::Hit(path)) => match read_entry(&path, key) {
                // Another process probed it while we waited for the lock.
                Some(facts) => return Ok((facts, true)),
                None => return probe().map(|facts| (facts, false)),
            },
            Err(_) => return probe().map(|facts| (facts, false)),
        };
        let facts = probe()?;
        let entry = Entry {
            schema: SCHEMA,
            key: key.clone(),
            facts,
        };
        if serde_json::to_writer(reservation.file(), &entry).is_ok() {
            // Best effort, by design: see the module docs.
            let _ = reservation.commit();
        }
        Ok((entry.facts, false))
    }
}

fn read_entry(path: &Path, key: &CacheKey) -> Option<ProbeFacts> {
    let bytes = fs::read(path).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.schema == SCHEMA && entry.key == *key).then_some(entry.facts)
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
}
