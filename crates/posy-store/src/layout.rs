//! Where things live under the cache root, and creating that skeleton.
//!
//! ```text
//! <root>/.lock               the root lock (shared by every run, exclusive for maintenance)
//! <root>/CACHEDIR.TAG        tells backup tools this is a cache
//! <root>/v1/<bucket>/ab/<62 hex digits>        an entry (file or directory)
//! <root>/v1/<bucket>/ab/<62 hex digits>.lock   its lock file; mtime = last use
//! <root>/v1/tmp/             staging; anything here is garbage once no run holds the root lock
//! <root>/v1/tags/<tag>/<bucket>-<key>          package attribution markers
//! <root>/v1/size             the running size estimate (see ledger.rs)
//! ```
//!
//! Changing what an entry means or how it is laid out bumps `v1`; an old
//! version directory is left alone by collection and removed by `clean`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Context, StoreError};
use crate::key::Key;

/// The version directory this code reads and writes.
pub(crate) const VERSION_DIR: &str = "v1";
pub(crate) const ROOT_LOCK: &str = ".lock";
pub(crate) const CACHEDIR_TAG: &str = "CACHEDIR.TAG";
/// Prefix of directories being deleted by `clean`; garbage if found later.
pub(crate) const TRASH_PREFIX: &str = ".trash-";
const LOCK_SUFFIX: &str = ".lock";

/// The kinds of entries the store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BucketName {
    /// Cached index responses with their validators (files).
    Http,
    /// Downloaded wheels and sdists, keyed by their sha256 (files).
    Artifacts,
    /// Unpacked wheels, ready to link into environments (directories).
    Unpacked,
    /// Wheels built from sdists, keyed by sdist hash and build environment (files).
    Built,
    /// Interpreter probe results, keyed by interpreter path and mtime (files).
    Interpreters,
    /// Managed interpreters (directories).
    Pythons,
    /// Environments made for one-off runs (scripts, tools), keyed by
    /// interpreter and pins (directories).
    Envs,
    /// Remembered resolutions: a request's key → the pins it resolved to
    /// (files). Not content-addressed; replaced when a request is resolved again.
    Resolutions,
}

/// Whether a bucket's values are single files or directory trees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueKind {
    File,
    Dir,
}

impl BucketName {
    pub const ALL: [BucketName; 8] = [
        BucketName::Http,
        BucketName::Artifacts,
        BucketName::Unpacked,
        BucketName::Built,
        BucketName::Interpreters,
        BucketName::Pythons,
        BucketName::Envs,
        BucketName::Resolutions,
    ];

    /// The bucket's directory name under `v1/`.
    pub fn name(self) -> &'static str {
        match self {
            BucketName::Http => "http",
            BucketName::Artifacts => "artifacts",
            BucketName::Unpacked => "unpacked",
            BucketName::Built => "built",
            BucketName::Interpreters => "interpreters",
            BucketName::Pythons => "pythons",
            BucketName::Envs => "envs",
            BucketName::Resolutions => "resolutions",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<BucketName> {
        BucketName::ALL.into_iter().find(|b| b.name() == name)
    }

    pub(crate) fn kind(self) -> ValueKind {
        match self {
            BucketName::Unpacked | BucketName::Pythons | BucketName::Envs => ValueKind::Dir,
            BucketName::Http
            | BucketName::Artifacts
            | BucketName::Built
            | BucketName::Interpreters
            | BucketName::Resolutions => ValueKind::File,
        }
    }
}

/// Paths under one cache root.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    root: PathBuf,
    version: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_owned(),
            version: root.join(VERSION_DIR),
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn root_lock(&self) -> PathBuf {
        self.root.join(ROOT_LOCK)
    }

    pub(crate) fn tmp(&self) -> PathBuf {
        self.version.join("tmp")
    }

    pub(crate) fn tags(&self) -> PathBuf {
        self.version.join("tags")
    }

    pub(crate) fn ledger(&self) -> PathBuf {
        self.version.join("size")
    }

    pub(crate) fn bucket(&self, bucket: BucketName) -> PathBuf {
        self.version.join(bucket.name())
    }

    pub(crate) fn value(&self, bucket: BucketName, key: &Key) -> PathBuf {
        let mut path = self.bucket(bucket);
        path.push(key.fan());
        path.push(key.leaf());
        path
    }

    pub(crate) fn lock(&self, bucket: BucketName, key: &Key) -> PathBuf {
        let mut path = self.bucket(bucket);
        path.push(key.fan());
        path.push(format!("{}{LOCK_SUFFIX}", key.leaf()));
        path
    }

    pub(crate) fn tag_marker(&self, tag: &str, bucket: BucketName, key: &Key) -> PathBuf {
        self.tags().join(tag).join(marker_name(bucket, key))
    }

    /// Creates the root, the version directory and its buckets if missing.
    pub(crate) fn create_root(&self) -> Result<(), StoreError> {
        fs::create_dir_all(&self.root).context("create the cache directory", &self.root)?;
        let tag = self.root.join(CACHEDIR_TAG);
        match fs::OpenOptions::new().write(true).create_new(true).open(&tag) {
            Ok(mut file) => file
                .write_all(b"Signature: 8a477f597d28d172789f06886806bc55\n# This directory is posy's cache (the store). See `posy cache --help`.\n")
                .context("write", &tag),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(StoreError::new("create", &tag, e)),
        }
    }

    /// Creates the version directory's skeleton. Call with the root lock held.
    pub(crate) fn create_version(&self) -> Result<(), StoreError> {
        let dirs = BucketName::ALL.map(|b| self.bucket(b));
        for dir in dirs
            .iter()
            .map(PathBuf::as_path)
            .chain([self.tmp().as_path(), self.tags().as_path()])
        {
            fs::create_dir_all(dir).context("create the cache directory", dir)?;
        }
        Ok(())
    }
}

pub(crate) fn marker_name(bucket: BucketName, key: &Key) -> String {
    format!("{}-{}", bucket.name(), key.as_str())
}

pub(crate) fn parse_marker_name(name: &str) -> Option<(BucketName, Key)> {
    let (bucket, key) = name.split_once('-')?;
    let bucket = BucketName::from_name(bucket)?;
    let key = Key::from_sha256_hex(key)
        .ok()
        .filter(|k| k.as_str() == key)?;
    Some((bucket, key))
}

/// Splits a fan-out directory's file name into (leaf, is_lock).
pub(crate) fn parse_leaf_name(name: &str) -> (&str, bool) {
    match name.strip_suffix(LOCK_SUFFIX) {
        Some(leaf) => (leaf, true),
        None => (name, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_names_round_trip() {
        let key = Key::hash_of(b"x");
        for bucket in BucketName::ALL {
            assert_eq!(
                parse_marker_name(&marker_name(bucket, &key)),
                Some((bucket, key.clone()))
            );
            assert_eq!(BucketName::from_name(bucket.name()), Some(bucket));
        }
        assert_eq!(parse_marker_name("wheels-abc"), None);
        assert_eq!(
            parse_marker_name(&format!("http-{}", key.as_str().to_uppercase())),
            None
        );
    }

    #[test]
    fn entry_and_lock_sit_side_by_side() {
        let layout = Layout::new(Path::new("/c"));
        let key = Key::hash_of(b"abc");
        let value = layout.value(BucketName::Unpacked, &key);
        let lock = layout.lock(BucketName::Unpacked, &key);
        assert_eq!(value, Path::new("/c/v1/unpacked/ba").join(key.leaf()));
        assert_eq!(lock.parent(), value.parent());
        let lock_name = lock.file_name().unwrap().to_str().unwrap();
        assert_eq!(parse_leaf_name(lock_name), (key.leaf(), true));
    }
}
