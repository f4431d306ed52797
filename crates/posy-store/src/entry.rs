//! Publishing and removing one entry: the two moments an entry changes.
//!
//! Publishing renames a finished temporary into place, so a reader sees
//! either nothing or the whole value. Removing a directory value first
//! renames it into `tmp/` and deletes it there, so a removal killed halfway
//! leaves garbage in `tmp/`, never a half-deleted entry a reader would trust.
//! Both run with the key's lock held; removal deletes the lock file last,
//! still holding it (see lock_file.rs).

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::disk_usage::tree_size;
use crate::error::{Context, StoreError};
use crate::key::Key;
use crate::layout::{BucketName, Layout, ValueKind};
use crate::ledger::Ledger;
use crate::lock_file::KeyLock;
use crate::store::Shared;
use crate::tag::Tag;

pub(crate) enum Published {
    /// The temporary is now the entry; the caller must not delete it.
    New(PathBuf),
    /// An entry appeared by other means; the caller's temporary is redundant.
    AlreadyThere(PathBuf),
}

/// Moves `temp` into place as `key`'s value. The key's lock must be held.
/// With `replace`, an existing file value is atomically replaced (readers
/// see the old file or the new one) and the ledger forgets the old size.
pub(crate) fn publish(
    shared: &Shared,
    bucket: BucketName,
    key: &Key,
    lock: &KeyLock,
    temp: &Path,
    tags: &[Tag],
    replace: bool,
) -> Result<Published, StoreError> {
    let (layout, ledger) = (&shared.layout, &shared.ledger);
    let size = tree_size(temp).context("measure the new cache entry", temp)?;
    let delta = i64::try_from(size).unwrap_or(i64::MAX);
    for tag in tags {
        write_marker(layout, tag, bucket, key)?;
    }
    let value = layout.value(bucket, key);
    let old_size = if replace {
        tree_size(&value).context("measure the cache entry", &value)?
    } else {
        0
    };
    // Count first: a crash after this line over-counts, which the next
    // collection corrects; counting after the rename could under-count forever.
    ledger.add(delta)?;
    if let Err(e) = fs::rename(temp, &value) {
        ledger.add(-delta)?;
        if fs::symlink_metadata(&value).is_ok() {
            return Ok(Published::AlreadyThere(value));
        }
        return Err(StoreError::new(
            "move a new entry into the cache at",
            &value,
            e,
        ));
    }
    if old_size > 0 {
        ledger.add(-i64::try_from(old_size).unwrap_or(i64::MAX))?;
    }
    lock.touch();
    Ok(Published::New(value))
}

/// Deletes `key`'s value and then its lock file; returns the bytes freed.
/// `ledger` is `None` when the caller rewrites the ledger itself.
pub(crate) fn remove_locked(
    layout: &Layout,
    ledger: Option<&Ledger>,
    bucket: BucketName,
    key: &Key,
    lock: KeyLock,
) -> Result<u64, StoreError> {
    let value = layout.value(bucket, key);
    let size = tree_size(&value).context("measure the cache entry", &value)?;
    let removed = match bucket.kind() {
        ValueKind::File => remove_file(&value)?,
        ValueKind::Dir => remove_dir_via_tmp(layout, &value)?,
    };
    if let (true, Some(ledger)) = (removed, ledger) {
        ledger.add(-i64::try_from(size).unwrap_or(i64::MAX))?;
    }
    lock.delete()?;
    Ok(if removed { size } else { 0 })
}

fn remove_file(value: &Path) -> Result<bool, StoreError> {
    match fs::remove_file(value) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StoreError::new("remove the cache entry", value, e)),
    }
}

fn remove_dir_via_tmp(layout: &Layout, value: &Path) -> Result<bool, StoreError> {
    let tmp = layout.tmp();
    fs::create_dir_all(&tmp).context("create the cache directory", &tmp)?;
    let trash = tempfile::Builder::new()
        .prefix(".removing-")
        .tempdir_in(&tmp)
        .context("create a temporary directory in", &tmp)?;
    match fs::rename(value, trash.path().join("entry")) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StoreError::new(
                "move the cache entry out of the way",
                value,
                e,
            ));
        }
    }
    let trash_path = trash.path().to_owned();
    trash.close().context("remove", &trash_path)?;
    Ok(true)
}

/// Records that `key` in `bucket` belongs to `tag`.
pub(crate) fn write_marker(
    layout: &Layout,
    tag: &Tag,
    bucket: BucketName,
    key: &Key,
) -> Result<(), StoreError> {
    let marker = layout.tag_marker(tag.as_str(), bucket, key);
    let create = || {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&marker)
    };
    let result = match create() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = layout.tags().join(tag.as_str());
            fs::create_dir_all(&dir).context("create the tag directory", &dir)?;
            create()
        }
        other => other,
    };
    result.map(drop).context("write the tag marker", &marker)
}
