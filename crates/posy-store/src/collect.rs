//! Maintenance: collection (LRU down to a size bound) and cleaning.
//!
//! Maintenance holds the root lock exclusively, so no posy run is using the
//! store while it works: everything in `tmp/` is garbage, and no lock file
//! is being waited on. It still locks each key before removing it (without
//! waiting, skipping keys someone holds) and removes entries with the same
//! crash-safe steps as `remove`, so even a process that ignores the root
//! lock never observes a half-removed entry.
//!
//! Collection, in order: empty `tmp/` and leftover `.trash-*` directories;
//! walk every bucket, pairing values with their lock files; delete lock
//! files that lost their value; if the total exceeds the bound, remove
//! entries least recently used first (a lock file's mtime is the entry's
//! last use; an entry without one counts as oldest) until it does not;
//! remove empty fan-out directories and tag markers whose entry is gone;
//! write the measured total into the ledger.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::byte_size::ByteSize;
use crate::disk_usage::tree_size;
use crate::entry::remove_locked;
use crate::error::{Context, StoreError};
use crate::key::Key;
use crate::layout::{
    BucketName, CACHEDIR_TAG, Layout, ROOT_LOCK, TRASH_PREFIX, parse_leaf_name, parse_marker_name,
};
use crate::ledger::Ledger;
use crate::lock_file::{Create, KeyLock, RootLock, TryLock, Wait};
use crate::tag::Tag;

/// Exclusive use of a cache root, for collection and cleaning.
#[derive(Debug)]
pub struct Maintenance {
    layout: Layout,
    ledger: Ledger,
    _root_lock: RootLock,
}

/// What a collection did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectReport {
    /// Entries found before collecting.
    pub entries_before: u64,
    /// Entries removed to get under the bound.
    pub entries_removed: u64,
    /// Entries that were over the bound but locked by another process.
    pub entries_busy: u64,
    /// The store's measured size before and after (entries only).
    pub size_before: ByteSize,
    pub size_after: ByteSize,
    /// Abandoned temporaries deleted (from killed or crashed runs).
    pub temporaries_removed: u64,
    pub duration: Duration,
}

/// What a clean did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanReport {
    pub entries_removed: u64,
    pub size_freed: ByteSize,
}

/// One entry found by the walk.
struct Found {
    bucket: BucketName,
    key: Key,
    size: u64,
    last_used: SystemTime,
}

/// The walk's result: entries, and lock files whose value is missing.
#[derive(Default)]
struct Survey {
    entries: Vec<Found>,
    orphan_locks: Vec<PathBuf>,
}

impl Maintenance {
    /// Takes the root lock exclusively if no posy run holds it; `None` if
    /// one does. Creates the store if it does not exist.
    pub fn try_begin(root: &Path) -> Result<Option<Maintenance>, StoreError> {
        Maintenance::begin_with(root, Wait::No)
    }

    /// Takes the root lock exclusively, waiting for running posy processes
    /// to finish. Creates the store if it does not exist. Never call it
    /// while this process has a [`crate::Store`] open: it would wait for
    /// itself (use [`Maintenance::try_begin`], or close the store first).
    pub fn begin(root: &Path) -> Result<Maintenance, StoreError> {
        let maintenance = Maintenance::begin_with(root, Wait::Yes)?;
        Ok(maintenance.expect("a waiting lock is always taken"))
    }

    fn begin_with(root: &Path, wait: Wait) -> Result<Option<Maintenance>, StoreError> {
        let layout = Layout::new(root);
        layout.create_root()?;
        let Some(root_lock) = RootLock::exclusive(&layout.root_lock(), wait)? else {
            return Ok(None);
        };
        layout.create_version()?;
        let ledger = Ledger::new(layout.ledger());
        ledger.create()?;
        Ok(Some(Maintenance {
            layout,
            ledger,
            _root_lock: root_lock,
        }))
    }

    /// Removes garbage, then least-recently-used entries until the store
    /// holds at most `max_size` bytes.
    pub fn collect(&self, max_size: ByteSize) -> Result<CollectReport, StoreError> {
        let started = Instant::now();
        let mut report = CollectReport {
            temporaries_removed: self.remove_garbage()?,
            ..CollectReport::default()
        };
        let mut survey = self.survey()?;
        for lock_path in &survey.orphan_locks {
            remove_orphan_lock(lock_path)?;
        }
        let mut total: u64 = survey.entries.iter().map(|e| e.size).sum();
        report.entries_before = survey.entries.len() as u64;
        report.size_before = ByteSize(total);
        if total > max_size.0 {
            survey.entries.sort_by_key(|e| e.last_used);
            for found in &survey.entries {
                if total <= max_size.0 {
                    break;
                }
                let lock_path = self.layout.lock(found.bucket, &found.key);
                match KeyLock::acquire(&lock_path, Create::Yes, Wait::No)? {
                    TryLock::Locked(lock) => {
                        // The ledger is rewritten from the measurement below.
                        remove_locked(&self.layout, None, found.bucket, &found.key, lock)?;
                        total -= found.size;
                        report.entries_removed += 1;
                    }
                    TryLock::Busy | TryLock::Missing => report.entries_busy += 1,
                }
            }
        }
        self.remove_empty_fan_dirs()?;
        self.remove_stale_markers()?;
        self.ledger.set(total)?;
        report.size_after = ByteSize(total);
        report.duration = started.elapsed();
        Ok(report)
    }

    /// Removes everything in the cache: every entry of every version.
    pub fn clean_all(&self) -> Result<CleanReport, StoreError> {
        let survey = self.survey()?;
        let root = self.layout.root();
        let before = tree_size(root).context("measure", root)?;
        for child in list(root)? {
            let name = child.file_name().unwrap_or_default();
            if name == ROOT_LOCK || name == CACHEDIR_TAG {
                continue;
            }
            remove_via_trash(root, &child)?;
        }
        self.layout.create_version()?;
        self.ledger.create()?;
        self.ledger.set(0)?;
        let after = tree_size(root).context("measure", root)?;
        Ok(CleanReport {
            entries_removed: survey.entries.len() as u64,
            size_freed: ByteSize(before.saturating_sub(after)),
        })
    }

    /// Removes the entries attributed to any of `tags` (see [`Tag`]).
    pub fn clean_tags(&self, tags: &[Tag]) -> Result<CleanReport, StoreError> {
        let mut report = CleanReport::default();
        for tag in tags {
            let dir = self.layout.tags().join(tag.as_str());
            for marker in list(&dir)? {
                let Some((bucket, key)) = marker
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(parse_marker_name)
                else {
                    continue;
                };
                if fs::symlink_metadata(self.layout.value(bucket, &key)).is_ok()
                    && let TryLock::Locked(lock) =
                        KeyLock::acquire(&self.layout.lock(bucket, &key), Create::Yes, Wait::No)?
                {
                    let freed =
                        remove_locked(&self.layout, Some(&self.ledger), bucket, &key, lock)?;
                    report.entries_removed += 1;
                    report.size_freed.0 += freed;
                }
                remove_file_if_exists(&marker)?;
            }
            let _ = fs::remove_dir(&dir);
        }
        Ok(report)
    }

    /// Removes the entries of `bucket` whose value (file or directory)
    /// `belongs` says is wanted gone: for what a tag cannot find, such as
    /// entries written before they were tagged. Walks the whole bucket, so
    /// it is for explicit cleans, not for every run.
    pub fn clean_where(
        &self,
        bucket: BucketName,
        mut belongs: impl FnMut(&Path) -> bool,
    ) -> Result<CleanReport, StoreError> {
        let mut survey = Survey::default();
        for fan_dir in list(&self.layout.bucket(bucket))? {
            survey_fan_dir(bucket, &fan_dir, &mut survey)?;
        }
        let mut report = CleanReport::default();
        for found in survey.entries {
            if !belongs(&self.layout.value(bucket, &found.key)) {
                continue;
            }
            if let TryLock::Locked(lock) =
                KeyLock::acquire(&self.layout.lock(bucket, &found.key), Create::Yes, Wait::No)?
            {
                let freed =
                    remove_locked(&self.layout, Some(&self.ledger), bucket, &found.key, lock)?;
                report.entries_removed += 1;
                report.size_freed.0 += freed;
            }
        }
        Ok(report)
    }

    /// Empties `tmp/` and removes leftovers of interrupted cleans. Nobody
    /// else holds the store, so all of it is abandoned.
    fn remove_garbage(&self) -> Result<u64, StoreError> {
        let mut removed = 0;
        for path in list(&self.layout.tmp())? {
            remove_tree(&path)?;
            removed += 1;
        }
        let root = self.layout.root();
        for path in list(root)? {
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(TRASH_PREFIX))
            {
                remove_tree(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn survey(&self) -> Result<Survey, StoreError> {
        let mut survey = Survey::default();
        for bucket in BucketName::ALL {
            for fan_dir in list(&self.layout.bucket(bucket))? {
                survey_fan_dir(bucket, &fan_dir, &mut survey)?;
            }
        }
        Ok(survey)
    }

    fn remove_empty_fan_dirs(&self) -> Result<(), StoreError> {
        for bucket in BucketName::ALL {
            for fan_dir in list(&self.layout.bucket(bucket))? {
                // Fails, as intended, unless empty.
                let _ = fs::remove_dir(&fan_dir);
            }
        }
        Ok(())
    }

    fn remove_stale_markers(&self) -> Result<(), StoreError> {
        for tag_dir in list(&self.layout.tags())? {
            for marker in list(&tag_dir)? {
                let parsed = marker
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(parse_marker_name);
                if let Some((bucket, key)) = parsed
                    && fs::symlink_metadata(self.layout.value(bucket, &key)).is_err()
                {
                    remove_file_if_exists(&marker)?;
                }
            }
            let _ = fs::remove_dir(&tag_dir);
        }
        Ok(())
    }
}

fn survey_fan_dir(
    bucket: BucketName,
    fan_dir: &Path,
    survey: &mut Survey,
) -> Result<(), StoreError> {
    let Some(fan) = fan_dir.file_name().and_then(|n| n.to_str()) else {
        return Ok(());
    };
    let mut values: Vec<(Key, u64)> = Vec::new();
    let mut locks: HashMap<Key, (PathBuf, SystemTime)> = HashMap::new();
    let entries = match fs::read_dir(fan_dir) {
        Ok(entries) => entries,
        // A stray file where a fan-out directory belongs: not ours to judge.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(());
        }
        Err(e) => return Err(StoreError::new("list", fan_dir, e)),
    };
    for entry in entries {
        let entry = entry.context("list", fan_dir)?;
        let name = entry.file_name();
        let Some((leaf, is_lock)) = name.to_str().map(parse_leaf_name) else {
            continue;
        };
        let Some(key) = Key::from_fanned(fan, leaf) else {
            continue;
        };
        let path = entry.path();
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StoreError::new("inspect", &path, e)),
        };
        if is_lock {
            locks.insert(
                key,
                (path, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)),
            );
        } else {
            let size = if meta.is_dir() {
                tree_size(&path).context("measure", &path)?
            } else {
                meta.len()
            };
            values.push((key, size));
        }
    }
    for (key, size) in values {
        let last_used = locks
            .remove(&key)
            .map_or(SystemTime::UNIX_EPOCH, |(_, mtime)| mtime);
        survey.entries.push(Found {
            bucket,
            key,
            size,
            last_used,
        });
    }
    survey
        .orphan_locks
        .extend(locks.into_values().map(|(path, _)| path));
    Ok(())
}

/// Deletes a lock file whose value is gone, if nobody holds it.
fn remove_orphan_lock(lock_path: &Path) -> Result<(), StoreError> {
    if let TryLock::Locked(lock) = KeyLock::acquire(lock_path, Create::No, Wait::No)? {
        // The value shares the lock's name minus `.lock`; re-check under the lock.
        let value = lock_path.with_extension("");
        if fs::symlink_metadata(&value).is_err() {
            lock.delete()?;
        }
    }
    Ok(())
}

/// The paths in `dir`; none if it does not exist.
fn list(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()
            .context("list", dir),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(StoreError::new("list", dir, e)),
    }
}

fn remove_tree(path: &Path) -> Result<(), StoreError> {
    let result = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::new("remove", path, e)),
        _ => Ok(()),
    }
}

fn remove_file_if_exists(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::new("remove", path, e)),
        _ => Ok(()),
    }
}

/// Renames `path` under a `.trash-*` directory in `root`, then deletes it:
/// a clean killed halfway leaves trash that collection removes, never a
/// half-deleted entry.
fn remove_via_trash(root: &Path, path: &Path) -> Result<(), StoreError> {
    let trash = tempfile::Builder::new()
        .prefix(TRASH_PREFIX)
        .tempdir_in(root)
        .context("create a temporary directory in", root)?;
    match fs::rename(path, trash.path().join("x")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(StoreError::new("move out of the way", path, e));
        }
        _ => {}
    }
    let trash_path = trash.path().to_owned();
    trash.close().context("remove", &trash_path)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::{Lookup, Store};

    fn age(store: &Store, bucket: BucketName, key: &Key, seconds_ago: i64) {
        let lock = store
            .root()
            .join("v1")
            .join(bucket.name())
            .join(key.fan())
            .join(format!("{}.lock", key.leaf()));
        let now = filetime::FileTime::now().unix_seconds();
        filetime::set_file_mtime(
            lock,
            filetime::FileTime::from_unix_time(now - seconds_ago, 0),
        )
        .unwrap();
    }

    #[test]
    fn evicts_least_recently_used_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys: Vec<Key> = (0..4u8).map(|i| Key::hash_of(&[i])).collect();
        for (i, key) in keys.iter().enumerate() {
            store
                .artifacts()
                .get_or_set(key, |f| f.write_all(&[0; 100]))
                .unwrap();
            age(&store, BucketName::Artifacts, key, 1000 - i as i64 * 100);
        }
        // Key 0 is the oldest by creation, but used just now.
        store.artifacts().get(&keys[0]).unwrap();
        drop(store);

        let m = Maintenance::try_begin(dir.path()).unwrap().unwrap();
        let report = m.collect(ByteSize(250)).unwrap();
        assert_eq!((report.entries_before, report.entries_removed), (4, 2));
        assert_eq!(
            (report.size_before, report.size_after),
            (ByteSize(400), ByteSize(200))
        );
        drop(m);
        let store = Store::open(dir.path()).unwrap();
        let present: Vec<bool> = keys
            .iter()
            .map(|k| store.artifacts().get(k).is_some())
            .collect();
        assert_eq!(present, [true, false, false, true]);
        assert_eq!(store.size_estimate(), Some(ByteSize(200)));
    }

    #[test]
    fn a_leased_environment_outlives_collection_and_its_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (used, idle) = (Key::hash_of(b"used"), Key::hash_of(b"idle"));
        for key in [&used, &idle] {
            store
                .envs()
                .get_or_set(key, |d| fs::write(d.join("pyvenv.cfg"), "home = /x\n"))
                .unwrap();
        }
        assert!(
            store
                .envs()
                .lease(&Key::hash_of(b"absent"))
                .unwrap()
                .is_none()
        );
        let lease = store.envs().lease(&used).unwrap().unwrap();
        assert_eq!(lease.path(), store.envs().path(&used));
        // The run ends (as an exec'd process outlives posy's store handle).
        drop(store);

        let m = Maintenance::begin(dir.path()).unwrap();
        let report = m.collect(ByteSize(0)).unwrap();
        assert_eq!((report.entries_removed, report.entries_busy), (1, 1));
        assert!(lease.path().join("pyvenv.cfg").is_file());
        drop(m);
        drop(lease);
        let report = Maintenance::begin(dir.path())
            .unwrap()
            .collect(ByteSize(0))
            .unwrap();
        assert_eq!((report.entries_removed, report.entries_busy), (1, 0));
    }

    #[test]
    fn removes_garbage_orphans_empty_dirs_and_stale_markers() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let tag = Tag::new("pkg").unwrap();
        let kept = Key::hash_of(b"kept");
        let gone = Key::hash_of(b"gone");
        store
            .unpacked()
            .get_or_set(&kept, |d| fs::write(d.join("a"), "12345"))
            .unwrap();
        store.unpacked().tag(&kept, &tag).unwrap();
        store.unpacked().tag(&gone, &tag).unwrap();
        // A lock without a value, an abandoned temporary, a foreign file.
        let orphan = Key::hash_of(b"orphan");
        let orphan_lock = dir
            .path()
            .join("v1/http")
            .join(orphan.fan())
            .join(format!("{}.lock", orphan.leaf()));
        fs::create_dir_all(orphan_lock.parent().unwrap()).unwrap();
        fs::write(&orphan_lock, "").unwrap();
        fs::create_dir(dir.path().join("v1/tmp/.dir-abandoned")).unwrap();
        fs::write(dir.path().join("v1/tmp/.dir-abandoned/f"), "x").unwrap();
        fs::create_dir(dir.path().join(".trash-old")).unwrap();
        fs::write(dir.path().join("v1/http/README"), "not ours").unwrap();
        fs::write(dir.path().join("v1/size"), "garbage").unwrap();
        assert_eq!(store.size_estimate(), None);
        drop(store);

        let m = Maintenance::begin(dir.path()).unwrap();
        let report = m.collect(ByteSize(u64::MAX)).unwrap();
        assert_eq!(report.temporaries_removed, 2);
        assert_eq!((report.entries_before, report.entries_removed), (1, 0));
        assert!(!orphan_lock.exists());
        assert!(
            !orphan_lock.parent().unwrap().exists(),
            "empty fan-out dir removed"
        );
        assert!(dir.path().join("v1/http/README").exists());
        assert!(
            dir.path()
                .join("v1/tags/pkg")
                .join(format!("unpacked-{kept}"))
                .exists()
        );
        assert!(
            !dir.path()
                .join("v1/tags/pkg")
                .join(format!("unpacked-{gone}"))
                .exists()
        );
        drop(m);
        assert_eq!(
            Store::open(dir.path()).unwrap().size_estimate(),
            Some(ByteSize(5))
        );
    }

    #[test]
    fn collect_to_zero_empties_every_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..20u8 {
            store
                .http()
                .get_or_set(&Key::hash_of(&[i]), |f| f.write_all(b"r"))
                .unwrap();
            store
                .pythons()
                .get_or_set(&Key::hash_of(&[i]), |d| fs::write(d.join("python"), "bin"))
                .unwrap();
        }
        drop(store);
        let report = Maintenance::begin(dir.path())
            .unwrap()
            .collect(ByteSize(0))
            .unwrap();
        assert_eq!(report.entries_removed, 40);
        assert_eq!(report.size_after, ByteSize(0));
        for bucket in BucketName::ALL {
            let dir = dir.path().join("v1").join(bucket.name());
            assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "{}", dir.display());
        }
    }

    #[test]
    fn maintenance_is_refused_while_a_run_holds_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(Maintenance::try_begin(dir.path()).unwrap().is_none());
        drop(store);
        let m = Maintenance::try_begin(dir.path()).unwrap().unwrap();
        assert!(Maintenance::try_begin(dir.path()).unwrap().is_none());
        drop(m);
    }

    #[test]
    fn clean_tags_removes_only_that_packages_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let foo = Tag::new("foo").unwrap();
        let bar = Tag::new("bar").unwrap();
        let (a, b, c) = (Key::hash_of(b"a"), Key::hash_of(b"b"), Key::hash_of(b"c"));
        for (key, tag) in [(&a, &foo), (&b, &bar)] {
            let Lookup::Miss(mut r) = store.artifacts().lock_or_get(key).unwrap() else {
                panic!()
            };
            r.tag(tag.clone());
            r.file().write_all(b"wheel").unwrap();
            r.commit().unwrap();
        }
        store
            .unpacked()
            .get_or_set(&c, |d| fs::write(d.join("m"), "ab"))
            .unwrap();
        store.unpacked().tag(&c, &foo).unwrap();
        drop(store);

        let m = Maintenance::begin(dir.path()).unwrap();
        let report = m
            .clean_tags(&[foo, Tag::new("never-seen").unwrap()])
            .unwrap();
        assert_eq!(
            report,
            CleanReport {
                entries_removed: 2,
                size_freed: ByteSize(7)
            }
        );
        drop(m);
        let store = Store::open(dir.path()).unwrap();
        assert!(store.artifacts().get(&a).is_none());
        assert!(store.unpacked().get(&c).is_none());
        assert!(store.artifacts().get(&b).is_some());
        assert_eq!(store.size_estimate(), Some(ByteSize(5)));
        assert!(!dir.path().join("v1/tags/foo").exists());
    }

    #[test]
    fn clean_where_removes_the_entries_a_predicate_picks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (foo, bar) = (Key::hash_of(b"foo"), Key::hash_of(b"bar"));
        for (key, marker) in [(&foo, "foo-1.0.dist-info"), (&bar, "bar-1.0.dist-info")] {
            store
                .unpacked()
                .get_or_set(key, |d| fs::create_dir(d.join(marker)))
                .unwrap();
        }
        drop(store);
        let report = Maintenance::begin(dir.path())
            .unwrap()
            .clean_where(BucketName::Unpacked, |d| {
                d.join("foo-1.0.dist-info").exists()
            })
            .unwrap();
        assert_eq!(report.entries_removed, 1);
        let store = Store::open(dir.path()).unwrap();
        assert!(store.unpacked().get(&foo).is_none());
        assert!(store.unpacked().get(&bar).is_some());
    }

    #[test]
    fn clean_all_empties_the_root_but_keeps_it_usable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .artifacts()
            .get_or_set(&Key::hash_of(b"a"), |f| f.write_all(b"1234"))
            .unwrap();
        drop(store);
        fs::create_dir_all(dir.path().join("v0/old")).unwrap();
        let m = Maintenance::begin(dir.path()).unwrap();
        let report = m.clean_all().unwrap();
        assert_eq!(report.entries_removed, 1);
        assert!(report.size_freed.0 >= 4);
        drop(m);
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".lock", "CACHEDIR.TAG", "v1"]);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.size_estimate(), Some(ByteSize(0)));
        assert!(store.artifacts().get(&Key::hash_of(b"a")).is_none());
    }
}
