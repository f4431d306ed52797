//! posy's store: a content-addressed, crash-safe, size-bounded cache on disk.
//!
//! # What it is for
//!
//! Everything posy downloads, unpacks, builds or probes is kept here so the
//! next run does not do it again: index responses, wheels and sdists,
//! unpacked wheels ready to link into environments, wheels built from
//! sdists, interpreter probe results, managed interpreters. The store is a
//! key–value map of *static* values: once an entry is published it never
//! changes, it only disappears (when collected, cleaned or removed as bad).
//! The one exception is a file whose key names a place rather than content
//! (an HTTP response for a URL), which [`FileBucket::lock_to_replace`] swaps
//! atomically for a newer version.
//! Keys are content hashes ([`Key`]), so "the same key" means "the same
//! bytes", and two processes that want the same thing want exactly one copy.
//! The store knows nothing about Python; the crates above it decide keys.
//!
//! ```no_run
//! use posy_store::{Key, Store};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::open("/home/me/.cache/posy")?;
//! let key = Key::hash_of(b"https://example.invalid/simple/requests/");
//! let path = store.http().get_or_set(&key, |file| {
//!     std::io::Write::write_all(file, b"<html>...</html>")
//! })?;
//! println!("{}", std::fs::read_to_string(path)?);
//! store.close()?; // may collect if the cache is over its bound
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! `<root>/v1/<bucket>/<2 hex>/<62 hex>` is an entry: a file in the file
//! buckets (`http`, `artifacts`, `built`, `interpreters`), a directory in the
//! directory buckets (`unpacked`, `pythons`). Beside it, `<62 hex>.lock` is
//! its lock file. `v1/tmp/` is staging, `v1/tags/` attributes entries to
//! packages, `v1/size` is the running size estimate, `<root>/.lock` is the
//! root lock. See `layout.rs`. A format change bumps `v1`.
//!
//! # Invariants
//!
//! - **Readers never see a partial value.** A value is produced in `tmp/`
//!   (same filesystem) and renamed into place; renames are atomic. Removal
//!   of a directory value renames it back into `tmp/` before deleting it.
//!   So a value that exists is complete, and `get` takes no lock.
//! - **Each value is produced once.** Producing takes the key's lock and
//!   re-checks for the value under it; a process that wanted the same key
//!   waits on the lock and then finds the value (no dogpile).
//! - **A crash at any instant leaves a usable store.** Locks are kernel
//!   `flock` locks, released when a process dies (even by SIGKILL). What a
//!   dead process leaves behind is only garbage in `tmp/` (or `.trash-*`
//!   at the root, from an interrupted clean), which collection deletes.
//! - **Collection never races a run.** Every run holds the root lock shared
//!   from [`Store::open`] until its handles are dropped; [`Maintenance`]
//!   takes it exclusive, and automatic collection only tries (never waits),
//!   so it happens when the last concurrent run finishes.
//! - **An entry in use by a running program stays.** Environments that
//!   posy `exec`s into (the `envs` bucket) are held by a [`Lease`], a
//!   shared lock the program inherits; collection skips leased entries.
//! - **Lock files are removed safely.** A lock file is only deleted by a
//!   holder of its lock, and every acquirer re-checks that the file it
//!   locked is still the one on disk (same inode). See `lock_file.rs`.
//! - **Recency without a database.** Every use of an entry sets its lock
//!   file's mtime; collection evicts by that mtime, least recent first.
//! - **The bound is cheap to check.** A ledger ([`Store::size_estimate`])
//!   counts bytes as entries come and go; only collection walks the store,
//!   and rewrites the ledger with what it measured. See `ledger.rs`.
//!
//! # Platform corners
//!
//! - Keys are lowercase hex, not base64: macOS and Windows filesystems are
//!   case-insensitive by default and would merge keys differing in case.
//! - `flock` is per open file description, so two handles in one process
//!   exclude each other like two processes do. On NFS, Linux emulates
//!   `flock` with byte-range locks; keep the cache on a local disk.
//! - On Windows an open file cannot be deleted or renamed over, so removing
//!   an entry that another process has open fails with an error instead of
//!   pulling it away, and the inode re-check reduces to "does the path still
//!   exist". Files are closed before they are renamed into place.
//! - Temporaries are created private to the user (0600 files, 0700
//!   directories); a cache shared between users is not supported.
//! - Sizes are apparent sizes (file lengths); see `disk_usage.rs`.
//!
//! # Not done (deliberately, for now)
//!
//! - No `fsync`: the invariants hold against process crashes, not power
//!   loss, where a rename may reach the disk before the data it names. A
//!   cache may lose entries then; consumers verify hashes of artifacts.
//! - No read locks: `get` returns a path and a concurrent
//!   [`Bucket::remove`] (used only for entries known to be bad) can remove
//!   it under a reader. Hold an [`EntryLock`] to pin an entry.
//! - `open` waits silently while a collection runs (usually well under a
//!   second); there is no "waiting for the cache" callback yet.
//! - Old version directories (`v0`, or `v2` written by a newer posy) are
//!   left alone by collection and removed only by a full clean.

mod bucket;
mod byte_size;
mod collect;
mod disk_usage;
mod entry;
mod error;
mod key;
mod layout;
mod lease;
mod ledger;
mod lock_file;
mod reservation;
mod store;
mod tag;
mod value_type;

pub use bucket::{Bucket, DirBucket, EntryLock, FileBucket, Lookup};
pub use byte_size::{ByteSize, ByteSizeError};
pub use collect::{CleanReport, CollectReport, Maintenance};
pub use error::{ProduceError, StoreError};
pub use key::{Key, KeyError};
pub use layout::BucketName;
pub use lease::Lease;
pub use reservation::Reservation;
pub use store::{Store, StoreOptions, default_max_size};
pub use tag::{Tag, TagError};
pub use value_type::{DirValue, FileValue};

/// The size of the cache root as `posy cache size` reports it: every file
/// under `root`, all versions included (zero if it does not exist).
pub fn disk_usage(root: &std::path::Path) -> Result<ByteSize, StoreError> {
    disk_usage::tree_size(root)
        .map(ByteSize)
        .map_err(|e| StoreError::new("measure", root, e))
}
