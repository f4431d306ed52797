//! The two things this crate keeps in the store: cached index responses
//! (the `http` bucket) and downloaded artifacts (the `artifacts` bucket).
//!
//! This is a small seam in front of `posy-store`, so the HTTP logic above
//! deals in "read this response", "replace this response", "is this
//! artifact here" and "stage an artifact, then publish it under its
//! sha256", and the store keeps its invariants (atomic publish, per-key
//! locks, recency for collection) underneath.
//!
//! - Responses live under a key derived from what identifies them (cache
//!   format version, `Accept`, URL without credentials) and are replaced
//!   atomically when revalidated ([`posy_store::FileBucket::lock_to_replace`]);
//!   they are tagged with their project so a per-package clean finds them.
//! - Artifacts live under their sha256. When the index states the hash, the
//!   key is locked before downloading ([`posy_store::Bucket::lock_or_get`]),
//!   so two processes wanting the same wheel download it once; when it does
//!   not, the file is downloaded to a private temporary in the store's
//!   `tmp/` first and published under the digest computed on the way.
//!
//! - Every response is framed: a first line `posy-http-1 <length> <crc32>`
//!   before the bytes. The store's atomic renames rule out torn writes, but
//!   not a disk, a backup tool or a person truncating or changing a file
//!   later; such an entry would otherwise be read as a shorter page (fewer
//!   versions) or a METADATA without its last fields (a different answer,
//!   silently). A CRC-32 is cheap enough to check on every read (a few
//!   GB/s), and finds truncation and flipped bits; it is not a defence
//!   against someone who can write the cache, nor needs to be. An entry
//!   whose frame does not check is removed, reported (a warning), and
//!   read as a miss, so the caller fetches it again.
//!
//! Taking a key lock can wait for another process, so those calls run on
//! blocking threads. Without a store (no `--cache-dir`), a throwaway store in
//! a temporary directory is used: downloads still land somewhere, nothing
//! outlives the client, and pages are not cached at all.

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use posy_store::{FileValue, Key, Lookup, Reservation, Store, Tag};
use posy_vocab::PackageName;

use crate::error::IndexError;

/// The store, or a throwaway one.
pub(crate) struct Cache {
    store: Store,
    persistent: bool,
    /// Declared after `store` so the store's root lock is released first.
    _scratch: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("root", &self.store.root())
            .field("persistent", &self.persistent)
            .finish()
    }
}

/// A file being written for the artifacts bucket; dropped without
/// [`Cache::publish_artifact`], it vanishes.
pub(crate) struct Staging {
    file: std::fs::File,
    path: PathBuf,
    slot: Slot,
}

enum Slot {
    /// The artifact's key is locked for us (its sha256 was known).
    Reserved(Reservation<FileValue>),
    /// A private temporary; the key is known only after hashing.
    Unkeyed(tempfile::NamedTempFile),
}

/// What looking up an artifact before downloading found.
pub(crate) enum ArtifactLookup {
    Hit(PathBuf),
    Miss(Staging),
}

impl Staging {
    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)
    }

    /// Empties the file, for a download that restarts after a failure.
    pub fn reset(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn store_error(action: &'static str, e: posy_store::StoreError) -> IndexError {
    let path = e.path().to_owned();
    IndexError::io(action, path, std::io::Error::new(e.kind(), e.to_string()))
}

async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, IndexError> + Send + 'static,
) -> Result<T, IndexError> {
    tokio::task::spawn_blocking(op).await.map_err(|e| {
        IndexError::io(
            "waiting for the cache",
            PathBuf::new(),
            std::io::Error::other(e),
        )
    })?
}

impl Cache {
    /// Uses `store`; else opens one at `root`; else a throwaway one.
    pub fn new(store: Option<Store>, root: Option<PathBuf>) -> Result<Self, IndexError> {
        if let Some(store) = store {
            return Ok(Self {
                store,
                persistent: true,
                _scratch: None,
            });
        }
        let (root, scratch) = match root {
            Some(root) => (root, None),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("posy-index-")
                    .tempdir()
                    .map_err(|e| {
                        IndexError::io("creating a temporary directory in", std::env::temp_dir(), e)
                    })?;
                (dir.path().to_owned(), Some(dir))
            }
        };
        let store = Store::open(&root).map_err(|e| store_error("opening the cache", e))?;
        Ok(Self {
            store,
            persistent: scratch.is_none(),
            _scratch: scratch,
        })
    }

    /// Whether entries outlive this process (whether caching pages is useful).
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// A key from parts (length-prefixed, hashed).
    pub fn key(parts: &[&str]) -> Key {
        Key::hash_of_parts(parts)
    }

    /// A cached response's bytes, if present and intact. A damaged entry
    /// is removed (with a warning) and reads as absent.
    pub async fn read_http(&self, key: &Key) -> Result<Option<Vec<u8>>, IndexError> {
        let bucket = self.store.http();
        let Some(path) = bucket.get(key) else {
            return Ok(None);
        };
        let mut bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(IndexError::io("reading the cache entry", path, e)),
        };
        match unframe(&bytes) {
            Ok(start) => {
                bytes.drain(..start);
                Ok(Some(bytes))
            }
            Err(reason) => {
                tracing::warn!(
                    "the cache entry `{}` is damaged ({reason}); removing it and fetching it again",
                    path.display()
                );
                let key = key.clone();
                blocking(move || {
                    bucket
                        .remove(&key)
                        .map_err(|e| store_error("removing the damaged cache entry", e))
                })
                .await?;
                Ok(None)
            }
        }
    }

    /// Stores or replaces a response atomically, tagged with its project.
    pub async fn write_http(
        &self,
        key: Key,
        bytes: Vec<u8>,
        project: Option<&PackageName>,
    ) -> Result<(), IndexError> {
        let bucket = self.store.http();
        let tag = project.and_then(|p| Tag::new(p.as_str()).ok());
        blocking(move || {
            let mut reservation = bucket
                .lock_to_replace(&key)
                .map_err(|e| store_error("locking the cache entry", e))?;
            if let Some(tag) = tag {
                reservation.tag(tag);
            }
            let path = reservation.path().to_owned();
            let file = reservation.file();
            file.write_all(frame_header(&bytes).as_bytes())
                .and_then(|()| file.write_all(&bytes))
                .map_err(|e| IndexError::io("writing the cache entry", &path, e))?;
            reservation
                .commit()
                .map_err(|e| store_error("publishing the cache entry", e))?;
            Ok(())
        })
        .await
    }

    /// The artifact with this sha256 (lowercase hex), if stored.
    pub fn artifact(&self, sha256: &str) -> Option<PathBuf> {
        let key = Key::from_sha256_hex(sha256).ok()?;
        self.store.artifacts().get(&key)
    }

    /// Removes the artifact with this sha256 (found damaged).
    pub async fn remove_artifact(&self, sha256: &str) -> Result<(), IndexError> {
        let Ok(key) = Key::from_sha256_hex(sha256) else {
            return Ok(());
        };
        let bucket = self.store.artifacts();
        blocking(move || {
            bucket
                .remove(&key)
                .map(drop)
                .map_err(|e| store_error("removing the damaged artifact", e))
        })
        .await
    }

    /// Finds the artifact, or reserves a place to download it to: locked
    /// under its key when `sha256` is known, a private temporary otherwise.
    pub async fn lookup_artifact(
        &self,
        sha256: Option<&str>,
    ) -> Result<ArtifactLookup, IndexError> {
        let key = sha256.and_then(|s| Key::from_sha256_hex(s).ok());
        let Some(key) = key else {
            let tmp = self.store.root().join("v1").join("tmp");
            let temp = tempfile::Builder::new()
                .prefix(".download-")
                .tempfile_in(&tmp)
                .map_err(|e| IndexError::io("creating a download file in", &tmp, e))?;
            let file = temp
                .as_file()
                .try_clone()
                .map_err(|e| IndexError::io("opening", temp.path(), e))?;
            return Ok(ArtifactLookup::Miss(Staging {
                file,
                path: temp.path().to_owned(),
                slot: Slot::Unkeyed(temp),
            }));
        };
        let bucket = self.store.artifacts();
        blocking(move || match bucket.lock_or_get(&key) {
            Ok(Lookup::Hit(path)) => Ok(ArtifactLookup::Hit(path)),
            Ok(Lookup::Miss(mut reservation)) => {
                let path = reservation.path().to_owned();
                let file = reservation
                    .file()
                    .try_clone()
                    .map_err(|e| IndexError::io("opening", &path, e))?;
                Ok(ArtifactLookup::Miss(Staging {
                    file,
                    path,
                    slot: Slot::Reserved(reservation),
                }))
            }
            Err(e) => Err(store_error("locking the artifact", e)),
        })
        .await
    }

    /// Publishes a verified download under its sha256, tagged with its
    /// project when known; returns its path.
    pub async fn publish_artifact(
        &self,
        staging: Staging,
        sha256: &str,
        project: Option<&PackageName>,
    ) -> Result<PathBuf, IndexError> {
        let tag = project.and_then(|p| Tag::new(p.as_str()).ok());
        let key =
            Key::from_sha256_hex(sha256).map_err(|e| IndexError::InvalidOption(e.to_string()))?;
        let bucket = self.store.artifacts();
        let Staging { file, path, slot } = staging;
        drop(file);
        blocking(move || {
            let mut reservation = match slot {
                Slot::Reserved(reservation) => reservation,
                Slot::Unkeyed(temp) => match bucket.lock_or_get(&key) {
                    Ok(Lookup::Hit(existing)) => return Ok(existing),
                    Ok(Lookup::Miss(mut reservation)) => {
                        let mut source = std::fs::File::open(temp.path())
                            .map_err(|e| IndexError::io("reading the download", &path, e))?;
                        std::io::copy(&mut source, reservation.file())
                            .map_err(|e| IndexError::io("storing the download", &path, e))?;
                        reservation
                    }
                    Err(e) => return Err(store_error("locking the artifact", e)),
                },
            };
            if let Some(tag) = tag {
                reservation.tag(tag);
            }
            reservation
                .commit()
                .map_err(|e| store_error("publishing the artifact", e))
        })
        .await
    }
}

/// The first word of a framed entry; bumped if the frame changes.
const FRAME_MAGIC: &str = "posy-http-1";

/// The line that goes before `body` in the store (see the module docs).
fn frame_header(body: &[u8]) -> String {
    let mut crc = flate2::Crc::new();
    crc.update(body);
    format!("{FRAME_MAGIC} {} {:08x}\n", body.len(), crc.sum())
}

/// Where the body of a framed entry starts, if the frame checks.
fn unframe(entry: &[u8]) -> Result<usize, String> {
    let newline = entry
        .iter()
        .take(64)
        .position(|&b| b == b'\n')
        .ok_or("it has no header line")?;
    let header = std::str::from_utf8(&entry[..newline]).map_err(|_| "its header is not text")?;
    let mut words = header.split(' ');
    let (Some(FRAME_MAGIC), Some(length), Some(crc), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(format!(
            "its header `{}` is not posy's",
            header.escape_debug()
        ));
    };
    let body = &entry[newline + 1..];
    if length.parse::<usize>().ok() != Some(body.len()) {
        return Err(format!("{} bytes where {length} were stored", body.len()));
    }
    let mut actual = flate2::Crc::new();
    actual.update(body);
    if u32::from_str_radix(crc, 16).ok() != Some(actual.sum()) {
        return Err("its checksum does not match its bytes".into());
    }
    Ok(newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_find_truncation_and_changed_bytes() {
        let body = b"Metadata-Version: 2.1\nName: a\nVersion: 2.0\n";
        let mut entry = frame_header(body).into_bytes();
        entry.extend_from_slice(body);
        let start = unframe(&entry).unwrap();
        assert_eq!(&entry[start..], body);
        assert!(unframe(&entry[..entry.len() - 1]).is_err());
        assert!(unframe(&entry[..10]).is_err());
        let mut flipped = entry.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(unframe(&flipped).is_err());
        assert!(unframe(body).is_err(), "an unframed entry is not trusted");
        assert!(unframe(b"").is_err());
    }

    #[tokio::test]
    async fn a_damaged_response_is_removed_and_reads_as_absent() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(None, Some(dir.path().to_owned())).unwrap();
        let key = Cache::key(&["page"]);
        cache
            .write_http(key.clone(), b"<html>a-1.0 a-2.0</html>".to_vec(), None)
            .await
            .unwrap();
        let path = cache.store.http().get(&key).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 12]).unwrap();
        assert_eq!(cache.read_http(&key).await.unwrap(), None);
        assert!(cache.store.http().get(&key).is_none(), "removed");
    }

    #[tokio::test]
    async fn responses_and_artifacts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(None, Some(dir.path().to_owned())).unwrap();
        assert!(cache.is_persistent());
        let key = Cache::key(&["a", "b"]);
        assert_ne!(key, Cache::key(&["ab", ""]));
        assert_eq!(cache.read_http(&key).await.unwrap(), None);
        let project = PackageName::new("demo").unwrap();
        cache
            .write_http(key.clone(), b"one".to_vec(), Some(&project))
            .await
            .unwrap();
        cache
            .write_http(key.clone(), b"two".to_vec(), None)
            .await
            .unwrap();
        assert_eq!(cache.read_http(&key).await.unwrap().unwrap(), b"two");

        for known in [true, false] {
            let sha = if known {
                "ab".repeat(32)
            } else {
                "cd".repeat(32)
            };
            assert!(cache.artifact(&sha).is_none());
            let ArtifactLookup::Miss(mut staging) = cache
                .lookup_artifact(known.then_some(sha.as_str()))
                .await
                .unwrap()
            else {
                panic!("nothing is stored yet");
            };
            staging.write_all(b"partial").unwrap();
            staging.reset().unwrap();
            staging.write_all(b"whole").unwrap();
            let path = cache
                .publish_artifact(staging, &sha, Some(&project))
                .await
                .unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), b"whole");
            assert_eq!(cache.artifact(&sha), Some(path.clone()));
            assert!(
                matches!(cache.lookup_artifact(Some(&sha)).await.unwrap(), ArtifactLookup::Hit(p) if p == path)
            );
        }
    }

    #[tokio::test]
    async fn an_abandoned_download_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(None, Some(dir.path().to_owned())).unwrap();
        let sha = "ef".repeat(32);
        let ArtifactLookup::Miss(mut staging) = cache.lookup_artifact(Some(&sha)).await.unwrap()
        else {
            panic!()
        };
        staging.write_all(b"bad bytes").unwrap();
        drop(staging);
        assert!(cache.artifact(&sha).is_none());
        // The key's lock was released with the reservation.
        assert!(matches!(
            cache.lookup_artifact(Some(&sha)).await.unwrap(),
            ArtifactLookup::Miss(_)
        ));
    }

    #[test]
    fn scratch_store_is_not_persistent() {
        assert!(!Cache::new(None, None).unwrap().is_persistent());
    }
}
