//! A reservation: the key's lock, held, plus an empty temporary to fill.
//!
//! This is the two-step form of `get_or_set` for callers that cannot hand
//! the store a synchronous closure, above all a streaming download:
//!
//! ```no_run
//! # fn demo(store: posy_store::Store, key: posy_store::Key) -> Result<(), Box<dyn std::error::Error>> {
//! use posy_store::Lookup;
//! let artifacts = store.artifacts();
//! // Taking the lock may wait for another process producing the same key:
//! // async callers run this step in `tokio::task::spawn_blocking`.
//! match artifacts.lock_or_get(&key)? {
//!     Lookup::Hit(path) => println!("cached at {}", path.display()),
//!     Lookup::Miss(mut reservation) => {
//!         // Write reservation.path() however you like (async included;
//!         // the reservation is Send); then publish it:
//!         std::io::Write::write_all(reservation.file(), b"...")?;
//!         let path = reservation.commit()?;
//!         println!("stored at {}", path.display());
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Dropping a reservation without committing deletes the temporary and
//! releases the lock: an error or a panic while producing leaves nothing
//! behind. A process killed mid-write leaves the temporary in `tmp/`, where
//! collection deletes it.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::entry::{self, Published};
use crate::error::StoreError;
use crate::key::Key;
use crate::layout::BucketName;
use crate::lock_file::KeyLock;
use crate::store::Shared;
use crate::tag::Tag;
use crate::value_type::sealed::ValueType;
use crate::value_type::{FileValue, temp_file};

/// The exclusive right to produce one missing entry.
#[derive(Debug)]
pub struct Reservation<V: ValueType> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) bucket: BucketName,
    pub(crate) key: Key,
    pub(crate) lock: KeyLock,
    pub(crate) temp: V::Temp,
    pub(crate) tags: Vec<Tag>,
    /// Made by `lock_to_replace`: commit replaces an existing value.
    pub(crate) replace: bool,
}

impl<V: ValueType> Reservation<V> {
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The temporary to fill: a file for file buckets, an empty directory
    /// for directory buckets. It is on the same filesystem as the entry.
    pub fn path(&self) -> &Path {
        V::temp_path(&self.temp)
    }

    /// The value this reservation will replace on commit: only for
    /// reservations from [`crate::FileBucket::lock_to_replace`], and only if
    /// the entry exists. Read it (e.g. for HTTP validators) before committing.
    pub fn existing(&self) -> Option<PathBuf> {
        let path = self.shared.layout.value(self.bucket, &self.key);
        (self.replace && fs::symlink_metadata(&path).is_ok()).then_some(path)
    }

    /// Attributes the entry to `tag` (e.g. its package) once committed.
    pub fn tag(&mut self, tag: Tag) {
        self.tags.push(tag);
    }

    /// Publishes the temporary as the entry and returns the entry's path.
    pub fn commit(self) -> Result<PathBuf, StoreError> {
        let Reservation {
            shared,
            bucket,
            key,
            lock,
            temp,
            tags,
            replace,
        } = self;
        let staged = V::stage(temp);
        let published =
            entry::publish(&shared, bucket, &key, &lock, staged.path(), &tags, replace)?;
        match published {
            Published::New(path) => {
                staged.keep();
                Ok(path)
            }
            Published::AlreadyThere(path) => Ok(path),
        }
    }
}

impl Reservation<FileValue> {
    /// The temporary file, open for writing. Async callers can
    /// `try_clone` it into a `tokio::fs::File`, or open [`Self::path`].
    pub fn file(&mut self) -> &mut File {
        temp_file(&mut self.temp)
    }
}
