//! What every operation works in: the store (the cache) and where it is.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use std::sync::Arc;

use posy_git::GitSource;
use posy_store::{ByteSize, Store, StoreOptions};

/// The store an operation reads and fills, opened once per command.
pub struct Session {
    store: Store,
    cache_dir: PathBuf,
    /// Git repositories, each fetched at most once per run.
    git: Arc<GitSource>,
}

impl Session {
    /// Opens the store at `cache_dir` (an absolute path: paths inside it
    /// are handed to processes running elsewhere), kept under `max_size`.
    pub fn open(cache_dir: PathBuf, max_size: Option<ByteSize>) -> Result<Session> {
        let store = Store::open_with(&cache_dir, StoreOptions { max_size })
            .with_context(|| format!("cannot use the cache at {}", cache_dir.display()))?;
        Ok(Session {
            git: Arc::new(GitSource::new(store.clone())),
            store,
            cache_dir,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Git repositories and checkouts in the store.
    pub fn git(&self) -> &Arc<GitSource> {
        &self.git
    }

    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// A runtime for an operation's I/O. The operation should end it with
    /// `shutdown_background`, so a lookup nobody waits for (a slow DNS
    /// answer) does not hold up the exit.
    pub fn runtime(&self) -> Result<tokio::runtime::Runtime> {
        Ok(tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?)
    }

    /// Closes the store, which keeps the cache within its bound.
    pub fn close(self) -> Result<()> {
        // The git source holds a copy of the store; it must go first for
        // the store to see itself closed by its last user.
        drop(self.git);
        self.store.close()?;
        Ok(())
    }
}
