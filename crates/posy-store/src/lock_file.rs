//! Lock files: one per key, plus the root lock.
//!
//! Locks are advisory `flock`-style locks (through `fs4`), so the kernel
//! drops them when a process dies, even by SIGKILL; nothing ever has to
//! notice a stale lock.
//!
//! A key's lock file may be deleted (when its entry is removed, or by
//! collection), and deleting a file that another process has open and is
//! waiting to lock is the classic trap: the waiter wakes up holding a lock on
//! a file nobody else will ever open again, while a third process creates a
//! fresh lock file at the same path and locks that. So whoever deletes a lock
//! file does so while holding its lock, and whoever acquires a lock checks
//! afterwards that the file it locked is still the one at that path (same
//! device and inode) and starts over if not.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

use crate::error::{Context, StoreError};

/// An exclusive lock on one key, held until dropped.
#[derive(Debug)]
pub(crate) struct KeyLock {
    file: File,
    path: PathBuf,
}

/// What trying to lock a key found.
pub(crate) enum TryLock {
    Locked(KeyLock),
    Busy,
    /// There was no lock file and the caller asked not to create one.
    Missing,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    Yes,
    No,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    Yes,
    No,
}

impl KeyLock {
    /// Locks `path`, creating it (and its parent directory) if `create` says so.
    pub(crate) fn acquire(path: &Path, create: Create, wait: Wait) -> Result<TryLock, StoreError> {
        loop {
            let file = match open_lock_file(path, create) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound && create == Create::No => {
                    return Ok(TryLock::Missing);
                }
                Err(e) => return Err(StoreError::new("open the lock file", path, e)),
            };
            match wait {
                Wait::Yes => FileExt::lock(&file).context("lock", path)?,
                Wait::No => match FileExt::try_lock(&file) {
                    Ok(()) => {}
                    Err(TryLockError::WouldBlock) => return Ok(TryLock::Busy),
                    Err(TryLockError::Error(e)) => return Err(StoreError::new("lock", path, e)),
                },
            }
            if still_on_disk(&file, path).context("check the lock file", path)? {
                return Ok(TryLock::Locked(KeyLock {
                    file,
                    path: path.to_owned(),
                }));
            }
            // The file was deleted or replaced while we waited: lock the new one.
        }
    }

    /// Blocks until the key is ours, creating its lock file if needed.
    pub(crate) fn acquire_blocking(path: &Path) -> Result<KeyLock, StoreError> {
        match KeyLock::acquire(path, Create::Yes, Wait::Yes)? {
            TryLock::Locked(lock) => Ok(lock),
            TryLock::Busy | TryLock::Missing => {
                unreachable!("a blocking, creating acquire always locks")
            }
        }
    }

    /// Marks the key as used now: collection evicts the least recently used.
    pub(crate) fn touch(&self) {
        // Recency is a hint; a filesystem that refuses mtimes only makes
        // eviction order less exact.
        let _ = filetime::set_file_handle_times(&self.file, None, Some(filetime::FileTime::now()));
    }

    /// Deletes the lock file while still holding it, then releases it.
    pub(crate) fn delete(self) -> Result<(), StoreError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::new("remove the lock file", &self.path, e)),
        }
    }
}

fn open_lock_file(path: &Path, create: Create) -> io::Result<File> {
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(create == Create::Yes)
            .open(path)
    };
    match open() {
        Err(e) if e.kind() == io::ErrorKind::NotFound && create == Create::Yes => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            open()
        }
        other => other,
    }
}

/// Whether `file` is still the file at `path`.
#[cfg(unix)]
fn still_on_disk(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    match fs::metadata(path) {
        Ok(on_disk) => Ok(held.dev() == on_disk.dev() && held.ino() == on_disk.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Windows refuses to delete a file another process has open (the standard
/// library opens without `FILE_SHARE_DELETE`), so the file we hold cannot
/// have been replaced; a deleter simply fails and leaves it for later.
#[cfg(not(unix))]
fn still_on_disk(_file: &File, path: &Path) -> io::Result<bool> {
    Ok(path.exists())
}

/// A shared lock on one key: the entry is in use and must stay. Any
/// number of leases coexist; removal (which takes the key's lock
/// exclusively) waits for them, and collection skips the entry.
#[derive(Debug)]
pub(crate) struct KeyLease {
    file: File,
}

impl KeyLease {
    /// Takes `path` shared, waiting while a producer or a remover holds it
    /// exclusively; re-checks, as [`KeyLock::acquire`] does, that the file
    /// locked is still the one on disk.
    pub(crate) fn acquire(path: &Path) -> Result<KeyLease, StoreError> {
        loop {
            let file = open_lock_file(path, Create::Yes).context("open the lock file", path)?;
            FileExt::lock_shared(&file).context("lock", path)?;
            if still_on_disk(&file, path).context("check the lock file", path)? {
                let _ =
                    filetime::set_file_handle_times(&file, None, Some(filetime::FileTime::now()));
                return Ok(KeyLease { file });
            }
        }
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }
}

/// The root lock: shared by every run for its lifetime, exclusive for maintenance.
#[derive(Debug)]
pub(crate) struct RootLock {
    _file: File,
}

impl RootLock {
    /// Takes the lock shared, waiting while maintenance runs.
    pub(crate) fn shared(path: &Path) -> Result<RootLock, StoreError> {
        let file = open_lock_file(path, Create::Yes).context("open the cache lock", path)?;
        FileExt::lock_shared(&file).context("lock", path)?;
        Ok(RootLock { _file: file })
    }

    /// Takes the lock exclusive; `None` if `wait` is `No` and anyone holds it.
    pub(crate) fn exclusive(path: &Path, wait: Wait) -> Result<Option<RootLock>, StoreError> {
        let file = open_lock_file(path, Create::Yes).context("open the cache lock", path)?;
        match wait {
            Wait::Yes => FileExt::lock(&file).context("lock", path)?,
            Wait::No => match FileExt::try_lock(&file) {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(StoreError::new("lock", path, e)),
            },
        }
        Ok(Some(RootLock { _file: file }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locked(result: TryLock) -> KeyLock {
        match result {
            TryLock::Locked(lock) => lock,
            TryLock::Busy => panic!("busy"),
            TryLock::Missing => panic!("missing"),
        }
    }

    #[test]
    fn second_locker_is_turned_away_until_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ab").join("k.lock");
        assert!(matches!(
            KeyLock::acquire(&path, Create::No, Wait::No).unwrap(),
            TryLock::Missing
        ));
        let first = KeyLock::acquire_blocking(&path).unwrap();
        assert!(matches!(
            KeyLock::acquire(&path, Create::No, Wait::No).unwrap(),
            TryLock::Busy
        ));
        drop(first);
        locked(KeyLock::acquire(&path, Create::No, Wait::No).unwrap());
    }

    #[test]
    fn waiter_on_a_deleted_lock_file_relocks_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let holder = KeyLock::acquire_blocking(&path).unwrap();
        let waiter_path = path.clone();
        let waiter = std::thread::spawn(move || KeyLock::acquire_blocking(&waiter_path).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(50));
        holder.delete().unwrap();
        let got = waiter.join().unwrap();
        // The waiter holds the file now at `path`, so a third party is excluded.
        assert!(path.exists());
        assert!(matches!(
            KeyLock::acquire(&path, Create::Yes, Wait::No).unwrap(),
            TryLock::Busy
        ));
        drop(got);
    }

    #[test]
    fn leases_share_and_turn_away_an_exclusive_locker() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let a = KeyLease::acquire(&path).unwrap();
        let b = KeyLease::acquire(&path).unwrap();
        assert!(matches!(
            KeyLock::acquire(&path, Create::No, Wait::No).unwrap(),
            TryLock::Busy
        ));
        drop(a);
        assert!(matches!(
            KeyLock::acquire(&path, Create::No, Wait::No).unwrap(),
            TryLock::Busy
        ));
        drop(b);
        locked(KeyLock::acquire(&path, Create::No, Wait::No).unwrap());
    }

    #[test]
    fn root_lock_shared_excludes_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let a = RootLock::shared(&path).unwrap();
        let b = RootLock::shared(&path).unwrap();
        assert!(RootLock::exclusive(&path, Wait::No).unwrap().is_none());
        drop((a, b));
        let x = RootLock::exclusive(&path, Wait::No).unwrap();
        assert!(x.is_some());
    }
}
