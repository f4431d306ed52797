//! The store handle: one cache root, opened for the life of a posy run.
//!
//! Opening takes the root lock shared and keeps it until the last handle
//! (and every bucket, reservation and entry lock made from it) is dropped.
//! While any run holds it, collection cannot start; while collection runs,
//! `open` waits. [`Store::close`] releases it and then, if the running size
//! estimate is over the bound, collects — this is the automatic bound.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bucket::{DirBucket, FileBucket};
use crate::byte_size::ByteSize;
use crate::collect::{CollectReport, Maintenance};
use crate::error::{Context, StoreError};
use crate::layout::{BucketName, Layout};
use crate::ledger::Ledger;
use crate::lock_file::RootLock;

/// The default bound when none is configured: 10 GiB, but at most a quarter
/// of the filesystem the cache lives on, so a small disk is not filled by
/// the cache. A fixed figure rather than a share of *free* space: the bound
/// should not shrink, and evict what is in use, as the disk fills with
/// other things.
pub fn default_max_size(root: &Path) -> ByteSize {
    const TEN_GIB: u64 = 10 << 30;
    let probe = root.ancestors().find(|p| p.exists()).unwrap_or(root);
    let quarter_of_disk = fs4::total_space(probe)
        .map(|total| total / 4)
        .unwrap_or(TEN_GIB);
    ByteSize(TEN_GIB.min(quarter_of_disk))
}

/// How to open a store.
#[derive(Clone, Debug, Default)]
pub struct StoreOptions {
    /// The size bound enforced by [`Store::close`]; `None` means
    /// [`default_max_size`].
    pub max_size: Option<ByteSize>,
}

/// Automatic collection frees down to this share of the bound, so that a
/// cache hovering at its bound is not collected on every run.
const AUTO_TARGET_PERCENT: u128 = 90;

/// What every handle into one open store shares.
pub(crate) struct Shared {
    pub(crate) layout: Layout,
    pub(crate) ledger: Ledger,
    max_size: ByteSize,
    _root_lock: RootLock,
}

/// An open cache root. Cheap to clone; the root lock is held until the
/// last clone and everything made from it is dropped.
#[derive(Clone, Debug)]
pub struct Store {
    shared: Arc<Shared>,
}

impl Store {
    /// Opens (creating if needed) the store at `root` with default options.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store, StoreError> {
        Store::open_with(root, StoreOptions::default())
    }

    /// Opens (creating if needed) the store at `root`. Waits while a
    /// collection or clean holds the root lock.
    pub fn open_with(root: impl Into<PathBuf>, options: StoreOptions) -> Result<Store, StoreError> {
        let root = root.into();
        let layout = Layout::new(&root);
        layout.create_root()?;
        let root_lock = RootLock::shared(&layout.root_lock())?;
        // Created under the lock: a clean that just finished may have removed them.
        layout.create_version()?;
        let ledger = Ledger::new(layout.ledger());
        ledger.create()?;
        let max_size = options.max_size.unwrap_or_else(|| default_max_size(&root));
        Ok(Store {
            shared: Arc::new(Shared {
                layout,
                ledger,
                max_size,
                _root_lock: root_lock,
            }),
        })
    }

    pub fn root(&self) -> &Path {
        self.shared.layout.root()
    }

    /// The bound [`Store::close`] enforces.
    pub fn max_size(&self) -> ByteSize {
        self.shared.max_size
    }

    /// The running estimate of the store's size; `None` if unknown (the
    /// ledger is missing or damaged), which the next collection repairs.
    pub fn size_estimate(&self) -> Option<ByteSize> {
        self.shared.ledger.read().map(ByteSize)
    }

    /// Cached index responses (files).
    pub fn http(&self) -> FileBucket {
        FileBucket::new(Arc::clone(&self.shared), BucketName::Http)
    }

    /// Downloaded wheels and sdists, keyed by sha256 (files).
    pub fn artifacts(&self) -> FileBucket {
        FileBucket::new(Arc::clone(&self.shared), BucketName::Artifacts)
    }

    /// Wheels built from sdists (files).
    pub fn built(&self) -> FileBucket {
        FileBucket::new(Arc::clone(&self.shared), BucketName::Built)
    }

    /// Interpreter probe results (files).
    pub fn interpreters(&self) -> FileBucket {
        FileBucket::new(Arc::clone(&self.shared), BucketName::Interpreters)
    }

    /// Unpacked wheels (directories).
    pub fn unpacked(&self) -> DirBucket {
        DirBucket::new(Arc::clone(&self.shared), BucketName::Unpacked)
    }

    /// Managed interpreters (directories).
    pub fn pythons(&self) -> DirBucket {
        DirBucket::new(Arc::clone(&self.shared), BucketName::Pythons)
    }

    /// Environments for one-off runs, keyed by interpreter and pins
    /// (directories). A running user holds a [`crate::Lease`] on its entry.
    pub fn envs(&self) -> DirBucket {
        DirBucket::new(Arc::clone(&self.shared), BucketName::Envs)
    }

    /// Remembered resolutions (files), keyed by what was asked.
    pub fn resolutions(&self) -> FileBucket {
        FileBucket::new(Arc::clone(&self.shared), BucketName::Resolutions)
    }

    /// A private working directory in the store's `tmp/` (named
    /// `<prefix>XXXXXX`), deleted when the handle is dropped. For work that
    /// is not a store value (a build tree, a hook's files): it shares the
    /// cache's filesystem, never fills the system's temporary directory,
    /// and whatever a killed process leaves there is garbage that the next
    /// collection deletes. Keep the [`Store`] open while it is in use: the
    /// root lock is what keeps collection away from it.
    pub fn scratch_dir(&self, prefix: &str) -> Result<tempfile::TempDir, StoreError> {
        let tmp = self.shared.layout.tmp();
        let create = || tempfile::Builder::new().prefix(prefix).tempdir_in(&tmp);
        match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&tmp).context("create the cache directory", &tmp)?;
                create()
            }
            other => other,
        }
        .context("create a working directory in", &tmp)
    }

    /// Ends this run's use of the store: releases the root lock and, if the
    /// size estimate is over the bound (or unknown), collects down to 90% of
    /// the bound — unless another run is using the store, in which case the
    /// last one to finish will. Returns the collection's report if one ran.
    /// Does nothing while other clones of this handle are alive.
    pub fn close(self) -> Result<Option<CollectReport>, StoreError> {
        let Ok(shared) = Arc::try_unwrap(self.shared) else {
            return Ok(None);
        };
        let root = shared.layout.root().to_owned();
        let max_size = shared.max_size.0;
        let over = shared
            .ledger
            .read()
            .is_none_or(|estimate| estimate > max_size);
        drop(shared);
        if !over {
            return Ok(None);
        }
        match Maintenance::try_begin(&root)? {
            Some(maintenance) => {
                let target = u128::from(max_size) * AUTO_TARGET_PERCENT / 100;
                maintenance.collect(ByteSize(target as u64)).map(Some)
            }
            None => Ok(None),
        }
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("root", &self.layout.root())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::Key;

    #[test]
    fn close_collects_when_over_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let options = StoreOptions {
            max_size: Some(ByteSize(1000)),
        };
        let store = Store::open_with(dir.path(), options.clone()).unwrap();
        assert_eq!(store.max_size(), ByteSize(1000));
        for i in 0..5u8 {
            store
                .artifacts()
                .get_or_set(&Key::hash_of(&[i]), |f| f.write_all(&[i; 300]))
                .unwrap();
        }
        assert_eq!(store.size_estimate(), Some(ByteSize(1500)));
        let clone = store.clone();
        assert_eq!(store.close().unwrap(), None, "another handle is alive");
        let report = clone
            .close()
            .unwrap()
            .expect("over the bound, so collected");
        assert_eq!(report.size_before, ByteSize(1500));
        assert_eq!(report.entries_removed, 2, "down to 90% of the bound");
        assert_eq!(report.size_after, ByteSize(900));

        let store = Store::open_with(dir.path(), options).unwrap();
        assert_eq!(store.size_estimate(), Some(ByteSize(900)));
        assert_eq!(
            store.close().unwrap(),
            None,
            "under the bound: nothing to do"
        );
    }

    #[test]
    fn close_skips_collection_while_another_run_holds_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let tiny = StoreOptions {
            max_size: Some(ByteSize(0)),
        };
        let running = Store::open(dir.path()).unwrap();
        let store = Store::open_with(dir.path(), tiny).unwrap();
        store
            .artifacts()
            .get_or_set(&Key::hash_of(b"x"), |f| f.write_all(b"data"))
            .unwrap();
        assert_eq!(store.close().unwrap(), None);
        assert!(running.artifacts().get(&Key::hash_of(b"x")).is_some());
    }

    #[test]
    fn scratch_dirs_live_in_tmp_and_are_collected() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let scratch = store.scratch_dir("build-").unwrap();
        assert!(scratch.path().starts_with(dir.path().join("v1/tmp")));
        std::fs::write(scratch.path().join("f"), "x").unwrap();
        // A run killed while it works leaves its scratch directory behind.
        let left = scratch.keep();
        drop(store);
        let report = Maintenance::begin(dir.path())
            .unwrap()
            .collect(ByteSize(u64::MAX))
            .unwrap();
        assert_eq!(report.entries_removed, 0);
        assert!(!left.exists());
    }

    #[test]
    fn default_bound_is_at_most_ten_gib() {
        let dir = tempfile::tempdir().unwrap();
        let bound = default_max_size(&dir.path().join("not/yet/created"));
        assert!(bound.0 > 0 && bound.0 <= 10 << 30, "{bound}");
    }
}
