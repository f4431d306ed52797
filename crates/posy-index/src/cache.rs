//! The two places this crate keeps things on disk: cached index responses
//! and downloaded artifacts.
//!
//! This is a deliberately small seam in front of the store: three
//! operations on the `http` bucket (read an entry, write an entry) and the
//! `artifacts` bucket (look up by sha256, stage a file, commit it under its
//! sha256). Everything else in the crate talks to this module only, so the
//! backing layout can change without touching the HTTP logic.
//!
//! The layout follows the store's: `<root>/v1/<bucket>/<2 hex>/<62 hex>`,
//! with staging in `<root>/v1/tmp/` and a rename into place, so a reader
//! never sees a half-written entry and a crash leaves only garbage in
//! `tmp/`. Without a cache root (`IndexOptions::cache_dir` unset) nothing is
//! cached and downloads land in a temporary directory owned by the client.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::IndexError;

/// The on-disk cache, or none.
#[derive(Debug)]
pub(crate) struct Cache {
    root: PathBuf,
    /// Keeps the scratch directory alive when there is no cache root.
    _scratch: Option<tempfile::TempDir>,
    persistent: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Bucket {
    Http,
    Artifacts,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Http => "http",
            Bucket::Artifacts => "artifacts",
        }
    }
}

/// A file being written into the cache; dropped without commit, it vanishes.
pub(crate) struct Staged {
    file: tempfile::NamedTempFile,
}

impl Staged {
    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)
    }

    /// Empties the file, for a download that restarts after a failure.
    pub fn reset(&mut self) -> std::io::Result<()> {
        use std::io::Seek;
        self.file.as_file_mut().set_len(0)?;
        self.file.as_file_mut().rewind().map(|_| ())
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

impl Cache {
    /// A cache rooted at `root`, or a throwaway one when `root` is `None`.
    pub fn new(root: Option<PathBuf>) -> Result<Self, IndexError> {
        let (root, scratch, persistent) = match root {
            Some(root) => (root, None, true),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("posy-index-")
                    .tempdir()
                    .map_err(|e| {
                        IndexError::io("creating a temporary directory in", std::env::temp_dir(), e)
                    })?;
                (dir.path().to_owned(), Some(dir), false)
            }
        };
        let tmp = root.join("v1").join("tmp");
        std::fs::create_dir_all(&tmp)
            .map_err(|e| IndexError::io("creating the cache directory", &tmp, e))?;
        Ok(Self {
            root,
            _scratch: scratch,
            persistent,
        })
    }

    /// Whether entries outlive this process (whether caching pages is useful).
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// A key from parts: the sha256 of the parts, separated by NUL bytes.
    pub fn key(parts: &[&str]) -> String {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hex(&hasher.finalize())
    }

    fn path(&self, bucket: Bucket, key: &str) -> PathBuf {
        let (prefix, rest) = key.split_at(2.min(key.len()));
        self.root
            .join("v1")
            .join(bucket.name())
            .join(prefix)
            .join(rest)
    }

    /// The entry's bytes, if present.
    pub async fn read(&self, bucket: Bucket, key: &str) -> Result<Option<Vec<u8>>, IndexError> {
        let path = self.path(bucket, key);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(IndexError::io("reading the cache entry", path, e)),
        }
    }

    /// Replaces the entry atomically.
    pub async fn write(&self, bucket: Bucket, key: &str, bytes: Vec<u8>) -> Result<(), IndexError> {
        let mut staged = self.stage()?;
        staged
            .write_all(&bytes)
            .map_err(|e| IndexError::io("writing the cache entry", staged.path(), e))?;
        self.commit(staged, bucket, key).map(|_| ())
    }

    /// The artifact with this sha256 (lowercase hex), if stored.
    pub fn artifact(&self, sha256: &str) -> Option<PathBuf> {
        let path = self.path(Bucket::Artifacts, sha256);
        path.is_file().then_some(path)
    }

    /// A new file in the staging area.
    pub fn stage(&self) -> Result<Staged, IndexError> {
        let tmp = self.root.join("v1").join("tmp");
        let file = tempfile::NamedTempFile::new_in(&tmp)
            .map_err(|e| IndexError::io("creating a staging file in", &tmp, e))?;
        Ok(Staged { file })
    }

    /// Moves a staged file into place under `key`; returns its path.
    pub fn commit(&self, staged: Staged, bucket: Bucket, key: &str) -> Result<PathBuf, IndexError> {
        let path = self.path(bucket, key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| IndexError::io("creating the cache directory", parent, e))?;
        }
        staged
            .file
            .persist(&path)
            .map_err(|e| IndexError::io("moving a staged file into", &path, e.error))?;
        Ok(path)
    }
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn write_read_and_artifacts() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path().to_owned())).unwrap();
        let key = Cache::key(&["a", "b"]);
        assert_ne!(key, Cache::key(&["ab", ""]));
        assert_eq!(cache.read(Bucket::Http, &key).await.unwrap(), None);
        cache
            .write(Bucket::Http, &key, b"hello".to_vec())
            .await
            .unwrap();
        assert_eq!(
            cache.read(Bucket::Http, &key).await.unwrap().unwrap(),
            b"hello"
        );

        let sha = Cache::key(&["artifact"]);
        assert!(cache.artifact(&sha).is_none());
        let mut staged = cache.stage().unwrap();
        staged.write_all(b"partial").unwrap();
        staged.reset().unwrap();
        staged.write_all(b"whole").unwrap();
        let path = cache.commit(staged, Bucket::Artifacts, &sha).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        assert_eq!(cache.artifact(&sha), Some(path));
        assert_eq!(
            std::fs::read_dir(dir.path().join("v1/tmp"))
                .unwrap()
                .count(),
            0
        );
    }
}
