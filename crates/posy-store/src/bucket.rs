//! A bucket: one kind of entry (`artifacts`, `unpacked`, ...), key → value.
//!
//! `Bucket<FileValue>` ([`FileBucket`]) maps keys to files and
//! `Bucket<DirValue>` ([`DirBucket`]) to directories; everything except what
//! a producer is handed is shared. A bucket handle is cheap to clone and
//! `Send + 'static`, so it can move into `spawn_blocking`.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::entry;
use crate::error::{Context, ProduceError, StoreError};
use crate::key::Key;
use crate::layout::BucketName;
use crate::lease::Lease;
use crate::lock_file::{KeyLease, KeyLock};
use crate::reservation::Reservation;
use crate::store::Shared;
use crate::tag::Tag;
use crate::value_type::sealed::ValueType;
use crate::value_type::{DirValue, FileValue};

/// Entries of one bucket, of value type `V`.
pub struct Bucket<V: ValueType> {
    shared: Arc<Shared>,
    name: BucketName,
    value_type: PhantomData<fn() -> V>,
}

/// Key → file (artifacts, http responses, built wheels, probe results).
pub type FileBucket = Bucket<FileValue>;
/// Key → directory (unpacked wheels, managed interpreters).
pub type DirBucket = Bucket<DirValue>;

/// What [`Bucket::lock_or_get`] found.
#[derive(Debug)]
pub enum Lookup<V: ValueType> {
    /// The entry exists at this path.
    Hit(PathBuf),
    /// The entry is missing and the key is locked for the caller to produce it.
    Miss(Reservation<V>),
}

/// A held lock on an existing entry (from [`Bucket::lock_if_exists`]).
/// While it is held, no other process can remove or replace the entry.
#[derive(Debug)]
pub struct EntryLock {
    shared: Arc<Shared>,
    bucket: BucketName,
    key: Key,
    lock: KeyLock,
    path: PathBuf,
}

impl<V: ValueType> Bucket<V> {
    pub(crate) fn new(shared: Arc<Shared>, name: BucketName) -> Bucket<V> {
        Bucket {
            shared,
            name,
            value_type: PhantomData,
        }
    }

    pub fn name(&self) -> BucketName {
        self.name
    }

    /// Where `key`'s value lives (whether or not it exists).
    pub fn path(&self, key: &Key) -> PathBuf {
        self.shared.layout.value(self.name, key)
    }

    /// The entry's path if it exists, marking it as recently used. Values
    /// are immutable once published, so no lock is taken: a hit is complete.
    pub fn get(&self, key: &Key) -> Option<PathBuf> {
        let value = self.path(key);
        fs::symlink_metadata(&value).ok()?;
        let lock = self.shared.layout.lock(self.name, key);
        match filetime::set_file_mtime(&lock, filetime::FileTime::now()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Removed meanwhile, or its lock file was lost in a crash.
                fs::symlink_metadata(&value).ok()?;
                let _ = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&lock);
                Some(value)
            }
            // Recency is a hint: a refused mtime must not turn a hit into a miss.
            _ => Some(value),
        }
    }

    /// The entry if it exists; otherwise the key's lock and a temporary to
    /// produce it in. Blocks while another process holds the key's lock
    /// (it is probably producing the same entry, which we then return), so
    /// each value is produced once however many processes want it.
    pub fn lock_or_get(&self, key: &Key) -> Result<Lookup<V>, StoreError> {
        if let Some(path) = self.get(key) {
            return Ok(Lookup::Hit(path));
        }
        let lock = KeyLock::acquire_blocking(&self.shared.layout.lock(self.name, key))?;
        let value = self.path(key);
        if fs::symlink_metadata(&value).is_ok() {
            lock.touch();
            return Ok(Lookup::Hit(value));
        }
        self.reserve(key, lock, false).map(Lookup::Miss)
    }

    /// A reservation for `key`, whose lock the caller holds.
    fn reserve(
        &self,
        key: &Key,
        lock: KeyLock,
        replace: bool,
    ) -> Result<Reservation<V>, StoreError> {
        let tmp = self.shared.layout.tmp();
        let temp = match V::create_temp(&tmp) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&tmp).context("create the cache directory", &tmp)?;
                V::create_temp(&tmp)
            }
            other => other,
        }
        .context("create a temporary in", &tmp)?;
        Ok(Reservation {
            shared: Arc::clone(&self.shared),
            bucket: self.name,
            key: key.clone(),
            lock,
            temp,
            tags: Vec::new(),
            replace,
        })
    }

    /// Probes for an entry without creating anything when it is missing;
    /// when it exists, locks it (waiting for a current holder) and returns
    /// the lock.
    pub fn lock_if_exists(&self, key: &Key) -> Result<Option<EntryLock>, StoreError> {
        let value = self.path(key);
        if fs::symlink_metadata(&value).is_err() {
            return Ok(None);
        }
        let lock = KeyLock::acquire_blocking(&self.shared.layout.lock(self.name, key))?;
        if fs::symlink_metadata(&value).is_err() {
            return Ok(None);
        }
        lock.touch();
        Ok(Some(EntryLock {
            shared: Arc::clone(&self.shared),
            bucket: self.name,
            key: key.clone(),
            lock,
            path: value,
        }))
    }

    /// A shared hold on the entry while it is in use (see [`Lease`]);
    /// `None` when the entry does not exist. Waits while the key is
    /// locked exclusively (an entry being produced or removed).
    pub fn lease(&self, key: &Key) -> Result<Option<Lease>, StoreError> {
        let value = self.path(key);
        if fs::symlink_metadata(&value).is_err() {
            return Ok(None);
        }
        let lock = KeyLease::acquire(&self.shared.layout.lock(self.name, key))?;
        // Removed between the look and the lock: removal holds the key
        // exclusively, so under a shared hold the answer cannot change.
        if fs::symlink_metadata(&value).is_err() {
            return Ok(None);
        }
        Ok(Some(Lease::new(lock, value)))
    }

    /// Removes the entry, e.g. one found to be corrupt. Returns whether it
    /// existed. A process using the entry's files at this moment may see
    /// them vanish: remove only what nobody should be using.
    pub fn remove(&self, key: &Key) -> Result<bool, StoreError> {
        match self.lock_if_exists(key)? {
            Some(lock) => lock.remove().map(|_| true),
            None => Ok(false),
        }
    }

    /// Attributes an entry to `tag` (e.g. a package name), so that
    /// `Maintenance::clean_tags` can find it.
    pub fn tag(&self, key: &Key, tag: &Tag) -> Result<(), StoreError> {
        entry::write_marker(&self.shared.layout, tag, self.name, key)
    }
}

impl FileBucket {
    /// Takes the key's lock whether or not the entry exists, with a
    /// temporary for a new value; committing atomically replaces the old
    /// one ([`Reservation::existing`]). This is for the one kind of file
    /// whose value legitimately changes under a fixed key: an HTTP response
    /// revalidated with new headers. Directory values are never replaced
    /// in place, since no rename can swap a tree atomically.
    pub fn lock_to_replace(&self, key: &Key) -> Result<Reservation<FileValue>, StoreError> {
        let lock = KeyLock::acquire_blocking(&self.shared.layout.lock(self.name, key))?;
        self.reserve(key, lock, true)
    }

    /// The entry's path, producing it first if it is missing: `producer`
    /// writes the value into the open temporary file. If the producer fails
    /// (or panics), nothing is stored and the temporary is deleted.
    pub fn get_or_set<E>(
        &self,
        key: &Key,
        producer: impl FnOnce(&mut File) -> Result<(), E>,
    ) -> Result<PathBuf, ProduceError<E>> {
        match self.lock_or_get(key)? {
            Lookup::Hit(path) => Ok(path),
            Lookup::Miss(mut reservation) => {
                producer(reservation.file()).map_err(ProduceError::Producer)?;
                Ok(reservation.commit()?)
            }
        }
    }
}

impl DirBucket {
    /// The entry's path, producing it first if it is missing: `producer`
    /// fills the empty temporary directory it is given. If the producer
    /// fails (or panics), nothing is stored and the temporary is deleted.
    pub fn get_or_set<E>(
        &self,
        key: &Key,
        producer: impl FnOnce(&Path) -> Result<(), E>,
    ) -> Result<PathBuf, ProduceError<E>> {
        match self.lock_or_get(key)? {
            Lookup::Hit(path) => Ok(path),
            Lookup::Miss(reservation) => {
                producer(reservation.path()).map_err(ProduceError::Producer)?;
                Ok(reservation.commit()?)
            }
        }
    }
}

impl EntryLock {
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The entry's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the entry and its lock file; returns the bytes freed.
    pub fn remove(self) -> Result<u64, StoreError> {
        let EntryLock {
            shared,
            bucket,
            key,
            lock,
            ..
        } = self;
        entry::remove_locked(&shared.layout, Some(&shared.ledger), bucket, &key, lock)
    }
}

impl<V: ValueType> Clone for Bucket<V> {
    fn clone(&self) -> Self {
        Bucket::new(Arc::clone(&self.shared), self.name)
    }
}

impl<V: ValueType> fmt::Debug for Bucket<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket")
            .field("name", &self.name)
            .field("dir", &self.shared.layout.bucket(self.name))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::Store;

    fn tmp_is_empty(store: &Store) -> bool {
        fs::read_dir(store.root().join("v1/tmp"))
            .unwrap()
            .next()
            .is_none()
    }

    #[test]
    fn file_get_or_set_produces_once_then_hits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bucket = store.artifacts();
        let key = Key::hash_of(b"one");
        assert_eq!(bucket.get(&key), None);
        let mut runs = 0;
        for _ in 0..3 {
            let path = bucket
                .get_or_set(&key, |f| {
                    runs += 1;
                    f.write_all(b"hello")
                })
                .unwrap();
            assert_eq!(fs::read(&path).unwrap(), b"hello");
            assert_eq!(path, bucket.path(&key));
        }
        assert_eq!(runs, 1);
        assert_eq!(bucket.get(&key), Some(bucket.path(&key)));
        assert_eq!(store.size_estimate(), Some(crate::ByteSize(5)));
        assert!(tmp_is_empty(&store));
    }

    #[test]
    fn dir_get_or_set_publishes_the_whole_tree() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let key = Key::hash_of(b"wheel");
        let path = store
            .unpacked()
            .get_or_set(&key, |d| {
                fs::create_dir(d.join("pkg"))?;
                fs::write(d.join("pkg/__init__.py"), "x = 1\n")
            })
            .unwrap();
        assert_eq!(
            fs::read_to_string(path.join("pkg/__init__.py")).unwrap(),
            "x = 1\n"
        );
        assert_eq!(store.size_estimate(), Some(crate::ByteSize(6)));
        assert!(tmp_is_empty(&store));
    }

    #[test]
    fn failing_or_panicking_producer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let key = Key::hash_of(b"bad");
        let err = store
            .artifacts()
            .get_or_set(&key, |f| {
                f.write_all(b"partial")?;
                Err(io::Error::other("network went away"))
            })
            .unwrap_err();
        assert!(matches!(err, ProduceError::Producer(_)), "{err}");
        assert_eq!(err.to_string(), "network went away");

        let unpacked = store.unpacked();
        let panicked = std::panic::catch_unwind(|| {
            let _ = unpacked.get_or_set(&key, |d| -> io::Result<()> {
                fs::write(d.join("half"), "x")?;
                panic!("producer bug")
            });
        });
        assert!(panicked.is_err());

        assert_eq!(store.artifacts().get(&key), None);
        assert_eq!(store.unpacked().get(&key), None);
        assert!(tmp_is_empty(&store));
        assert_eq!(store.size_estimate(), Some(crate::ByteSize(0)));
        // The key is not left locked: a later producer succeeds.
        let path = store
            .artifacts()
            .get_or_set(&key, |f| f.write_all(b"ok"))
            .unwrap();
        assert_eq!(fs::read(path).unwrap(), b"ok");
    }

    #[test]
    fn reservation_two_step_and_tags() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let http = store.http();
        let key = Key::hash_of(b"https://example.invalid/simple/foo/");
        let Lookup::Miss(mut reservation) = http.lock_or_get(&key).unwrap() else {
            panic!("fresh store has nothing");
        };
        assert_eq!(reservation.key(), &key);
        reservation.tag(Tag::new("foo").unwrap());
        // Written by path, as an async writer would.
        fs::write(reservation.path(), b"<html/>").unwrap();
        let path = reservation.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"<html/>");
        assert!(matches!(http.lock_or_get(&key).unwrap(), Lookup::Hit(p) if p == path));
        let marker = store.root().join("v1/tags/foo").join(format!("http-{key}"));
        assert!(marker.exists());

        // An abandoned reservation deletes its temporary and frees the key.
        let other = Key::hash_of(b"other");
        let Lookup::Miss(reservation) = http.lock_or_get(&other).unwrap() else {
            panic!()
        };
        let temp = reservation.path().to_owned();
        assert!(temp.exists());
        drop(reservation);
        assert!(!temp.exists());
        assert!(matches!(http.lock_or_get(&other).unwrap(), Lookup::Miss(_)));
    }

    #[test]
    fn lock_if_exists_probes_without_creating_and_remove_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bucket = store.unpacked();
        let key = Key::hash_of(b"k");
        let lock_path = store
            .root()
            .join("v1/unpacked")
            .join(key.fan())
            .join(format!("{}.lock", key.leaf()));
        assert!(bucket.lock_if_exists(&key).unwrap().is_none());
        assert!(!lock_path.exists(), "a probe creates nothing");
        assert!(!bucket.remove(&key).unwrap());

        let path = bucket
            .get_or_set(&key, |d| fs::write(d.join("f"), "abc"))
            .unwrap();
        let held = bucket.lock_if_exists(&key).unwrap().unwrap();
        assert_eq!(held.path(), path);
        assert_eq!(held.key(), &key);
        drop(held);
        assert!(bucket.remove(&key).unwrap());
        assert!(!path.exists());
        assert!(!lock_path.exists());
        assert_eq!(store.size_estimate(), Some(crate::ByteSize(0)));
        assert!(tmp_is_empty(&store));
    }

    #[test]
    fn replacing_a_file_swaps_it_and_fixes_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let http = store.http();
        let key = Key::hash_of(b"https://example.invalid/simple/bar/");
        let mut first = http.lock_to_replace(&key).unwrap();
        assert_eq!(first.existing(), None);
        first.file().write_all(b"etag: 1\n").unwrap();
        let path = first.commit().unwrap();
        let reader = fs::File::open(&path).unwrap();

        let mut second = http.lock_to_replace(&key).unwrap();
        assert_eq!(fs::read(second.existing().unwrap()).unwrap(), b"etag: 1\n");
        second.file().write_all(b"etag: 22\n").unwrap();
        assert_eq!(second.commit().unwrap(), path);
        assert_eq!(fs::read(&path).unwrap(), b"etag: 22\n");
        // A reader that opened the old value keeps reading the old value.
        assert_eq!(io::read_to_string(reader).unwrap(), "etag: 1\n");
        assert_eq!(store.size_estimate(), Some(crate::ByteSize(9)));
        assert!(tmp_is_empty(&store));

        // A miss-reservation never reports an existing value.
        let Lookup::Miss(r) = http.lock_or_get(&Key::hash_of(b"new")).unwrap() else {
            panic!()
        };
        assert_eq!(r.existing(), None);
    }

    #[test]
    fn handles_move_into_spawn_blocking_and_back() {
        fn sendable<T: Send + Sync + 'static>() {}
        sendable::<Store>();
        sendable::<FileBucket>();
        sendable::<DirBucket>();
        sendable::<Reservation<FileValue>>();
        sendable::<Reservation<DirValue>>();
        sendable::<Lookup<FileValue>>();
        sendable::<EntryLock>();
    }

    #[test]
    fn get_touches_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bucket = store.built();
        let key = Key::hash_of(b"t");
        bucket.get_or_set(&key, |f| f.write_all(b"w")).unwrap();
        let lock_path = bucket.path(&key).with_extension("lock");
        let old = filetime::FileTime::from_unix_time(1_000_000, 0);
        filetime::set_file_mtime(&lock_path, old).unwrap();
        bucket.get(&key).unwrap();
        let now =
            filetime::FileTime::from_last_modification_time(&fs::metadata(&lock_path).unwrap());
        assert!(now > old);
        // A lost lock file is recreated by a hit.
        fs::remove_file(&lock_path).unwrap();
        assert!(bucket.get(&key).is_some());
        assert!(lock_path.exists());
    }
}
