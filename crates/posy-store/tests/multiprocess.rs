//! The store's locking, tested the only way that means anything: with many
//! real processes (not threads) on one store, some of them killed with
//! SIGKILL at random moments.
//!
//! The processes are this test binary, re-executed with
//! `POSY_STORE_TEST_ROLE` naming a worker role; the `worker` test is the
//! entry point for them and does nothing in a normal run. Each value's
//! content is a function of its key's number, so any process can check that
//! what it reads is complete, and every producer appends a line to a log
//! opened with O_APPEND, so the parent can count productions afterwards.

use std::collections::BTreeMap;
use std::env;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use posy_store::{ByteSize, Key, Maintenance, Store, StoreOptions};

const ROLE: &str = "POSY_STORE_TEST_ROLE";
const ROOT: &str = "POSY_STORE_TEST_ROOT";
const WORK: &str = "POSY_STORE_TEST_WORK";
const SEED: &str = "POSY_STORE_TEST_SEED";

/// Files per directory value.
const DIR_FILES: usize = 12;

// ---------------------------------------------------------------- values

fn key(n: usize) -> Key {
    Key::hash_of(format!("value {n}").as_bytes())
}

fn file_len(n: usize) -> usize {
    48 * 1024 + n * 1000
}

fn byte_at(n: usize, j: usize) -> u8 {
    (n.wrapping_mul(131) ^ j.wrapping_mul(7) ^ (j >> 8)) as u8
}

fn content(n: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| byte_at(n, j)).collect()
}

/// Writes `n`'s content in chunks, pausing now and then so that other
/// processes get to look at (and killers get to hit) a half-written value.
fn write_slowly(out: &mut impl Write, n: usize, len: usize, pause: Duration) -> io::Result<()> {
    let data = content(n, len);
    for (i, chunk) in data.chunks(8 * 1024).enumerate() {
        out.write_all(chunk)?;
        out.flush()?;
        if i % 2 == 1 {
            sleep(pause);
        }
    }
    Ok(())
}

fn produce_dir(dir: &Path, n: usize, pause: Duration) -> io::Result<()> {
    for f in 0..DIR_FILES {
        let mut file = fs::File::create(dir.join(format!("part-{f}")))?;
        write_slowly(&mut file, n + f, 4096, Duration::ZERO)?;
        if f % 4 == 3 {
            sleep(pause);
        }
    }
    Ok(())
}

fn check_file(n: usize, path: &Path) {
    let got = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        got == content(n, file_len(n)),
        "file value {n} is partial or wrong ({} bytes)",
        got.len()
    );
}

fn check_dir(n: usize, path: &Path) {
    let count = fs::read_dir(path)
        .unwrap_or_else(|e| panic!("list {}: {e}", path.display()))
        .count();
    assert_eq!(count, DIR_FILES, "dir value {n} is partial: {count} files");
    for f in 0..DIR_FILES {
        let got = fs::read(path.join(format!("part-{f}"))).unwrap();
        assert!(
            got == content(n + f, 4096),
            "dir value {n} file {f} is partial or wrong"
        );
    }
}

/// Appends one line atomically (O_APPEND, one write).
fn log(work: &Path, name: &str, line: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(work.join(name))
        .unwrap();
    file.write_all(format!("{line}\n").as_bytes()).unwrap();
}

/// Asserts no other process is producing the same key right now: the
/// store's lock should make this marker file impossible to find taken.
struct Exclusive(PathBuf);

impl Exclusive {
    fn enter(work: &Path, what: &str) -> Exclusive {
        let path = work.join(format!("producing-{what}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => Exclusive(path),
            Err(e) => panic!("two processes producing {what} at once ({e})"),
        }
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

// --------------------------------------------------------------- workers

/// Entry point of re-executed worker processes; a no-op in a normal run.
#[test]
fn worker() {
    let Ok(role) = env::var(ROLE) else { return };
    let root = PathBuf::from(env::var_os(ROOT).unwrap());
    let work = PathBuf::from(env::var_os(WORK).unwrap());
    fastrand::seed(env::var(SEED).unwrap().parse().unwrap());
    match role.as_str() {
        "hammer" => hammer(&root, &work),
        "reader" => reader(&root, &work),
        "remover" => remover(&root, &work),
        "writer" => writer(&root, &work),
        "collector" => collector(&root, &work),
        "holder" => holder(&root, &work),
        other => panic!("unknown role {other}"),
    }
}

const HAMMER_KEYS: usize = 12;

/// get_or_set every key, in a random order, checking every value it gets.
fn hammer(root: &Path, work: &Path) {
    let store = Store::open(root).unwrap();
    let mut order: Vec<usize> = (0..HAMMER_KEYS).collect();
    for _ in 0..2 {
        fastrand::shuffle(&mut order);
        for &n in &order {
            let path = store
                .artifacts()
                .get_or_set(&key(n), |file| {
                    let _one = Exclusive::enter(work, &format!("file-{n}"));
                    log(work, "productions", &format!("file {n}"));
                    write_slowly(file, n, file_len(n), Duration::from_millis(1))
                })
                .unwrap();
            check_file(n, &path);
            let path = store
                .unpacked()
                .get_or_set(&key(n), |dir| {
                    let _one = Exclusive::enter(work, &format!("dir-{n}"));
                    log(work, "productions", &format!("dir {n}"));
                    produce_dir(dir, n, Duration::from_millis(1))
                })
                .unwrap();
            check_dir(n, &path);
        }
    }
}

/// Polls with `get` only, checking whatever is there, until all is there.
fn reader(root: &Path, work: &Path) {
    let store = Store::open(root).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = 0;
    while Instant::now() < deadline {
        seen = 0;
        for n in 0..HAMMER_KEYS {
            if let Some(path) = store.artifacts().get(&key(n)) {
                check_file(n, &path);
                seen += 1;
            }
            if let Some(path) = store.unpacked().get(&key(n)) {
                check_dir(n, &path);
                seen += 1;
            }
        }
        if seen == 2 * HAMMER_KEYS {
            break;
        }
    }
    log(work, "reads", &format!("saw {seen}"));
}

/// Produces and removes the same few keys, so that lock files are deleted
/// while other processes wait on them.
fn remover(root: &Path, work: &Path) {
    let store = Store::open(root).unwrap();
    let bucket = store.unpacked();
    for _ in 0..60 {
        let n = fastrand::usize(0..3);
        if fastrand::bool() {
            let path = bucket
                .get_or_set(&key(n), |dir| {
                    let _one = Exclusive::enter(work, &format!("dir-{n}"));
                    produce_dir(dir, n, Duration::ZERO)
                })
                .unwrap();
            // Removers may take it away again at once; check what we can.
            if let Some(held) = bucket.lock_if_exists(&key(n)).unwrap() {
                assert_eq!(held.path(), path);
                check_dir(n, held.path());
            }
        } else {
            bucket.remove(&key(n)).unwrap();
        }
    }
}

const WRITER_KEYS: usize = 30;

/// Writes slowly, to be killed in the middle.
fn writer(root: &Path, work: &Path) {
    let store = Store::open(root).unwrap();
    log(work, "started", "writer");
    let mut order: Vec<usize> = (0..WRITER_KEYS).collect();
    fastrand::shuffle(&mut order);
    for n in order {
        store
            .artifacts()
            .get_or_set(&key(n), |file| {
                write_slowly(file, n, file_len(n), Duration::from_millis(1))
            })
            .unwrap();
        store
            .unpacked()
            .get_or_set(&key(n), |dir| produce_dir(dir, n, Duration::from_millis(1)))
            .unwrap();
    }
}

/// Collects everything, to be killed in the middle.
fn collector(root: &Path, work: &Path) {
    let maintenance = Maintenance::begin(root).unwrap();
    log(work, "started", "collector");
    maintenance.collect(ByteSize(0)).unwrap();
}

/// Holds the store open until killed.
fn holder(root: &Path, work: &Path) {
    let _store = Store::open(root).unwrap();
    fs::write(work.join("ready"), "").unwrap();
    sleep(Duration::from_secs(30));
}

// ----------------------------------------------------------------- parent

fn spawn(role: &str, root: &Path, work: &Path) -> Child {
    Command::new(env::current_exe().unwrap())
        .args([
            "--exact",
            "worker",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(ROLE, role)
        .env(ROOT, root)
        .env(WORK, work)
        .env(SEED, fastrand::u64(..).to_string())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_ok(mut child: Child, role: &str) {
    let status = child.wait().unwrap();
    assert!(status.success(), "{role} worker failed: {status}");
}

/// Kills `child` with SIGKILL (what `Child::kill` sends on Unix).
fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Takes the root lock exclusively once no process holds it, which must be
/// at once after every holder has exited or been killed.
///
/// "At once" allows a moment: other tests in this binary spawn processes from
/// other threads, and a child holds copies of this process's descriptors (a
/// just-closed store's root lock among them) from its fork until its exec
/// closes them. A lock that SIGKILL failed to release fails every attempt.
fn unlocked_maintenance(root: &Path) -> Maintenance {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(maintenance) = Maintenance::try_begin(root).unwrap() {
            return maintenance;
        }
        assert!(Instant::now() < deadline, "no stale root lock");
        sleep(Duration::from_millis(20));
    }
}

fn dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("cache");
    let work = base.path().join("work");
    fs::create_dir_all(&work).unwrap();
    (base, root, work)
}

/// Opens the store and checks that every entry present is complete.
fn check_everything_present(root: &Path, keys: usize) -> usize {
    let store = Store::open(root).unwrap();
    let mut present = 0;
    for n in 0..keys {
        if let Some(path) = store.artifacts().get(&key(n)) {
            check_file(n, &path);
            present += 1;
        }
        if let Some(path) = store.unpacked().get(&key(n)) {
            check_dir(n, &path);
            present += 1;
        }
    }
    present
}

/// Waits until `count` workers have logged that they started.
fn wait_for_starts(work: &Path, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let started = fs::read_to_string(work.join("started")).map_or(0, |s| s.lines().count());
        if started >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {started} of {count} workers started"
        );
        sleep(Duration::from_millis(2));
    }
}

fn tmp_entries(root: &Path) -> usize {
    fs::read_dir(root.join("v1/tmp")).map_or(0, |d| d.count())
}

#[test]
fn many_processes_produce_each_value_exactly_once_and_never_read_partial_values() {
    let (_base, root, work) = dirs();
    let hammers: Vec<Child> = (0..5).map(|_| spawn("hammer", &root, &work)).collect();
    let readers: Vec<Child> = (0..2).map(|_| spawn("reader", &root, &work)).collect();
    for child in hammers {
        wait_ok(child, "hammer");
    }
    for child in readers {
        wait_ok(child, "reader");
    }
    let log = fs::read_to_string(work.join("productions")).unwrap();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in log.lines() {
        *counts.entry(line).or_default() += 1;
    }
    assert_eq!(
        counts.len(),
        2 * HAMMER_KEYS,
        "every value produced: {counts:?}"
    );
    assert!(
        counts.values().all(|&c| c == 1),
        "some value produced twice: {counts:?}"
    );
    assert_eq!(
        check_everything_present(&root, HAMMER_KEYS),
        2 * HAMMER_KEYS
    );
    assert_eq!(tmp_entries(&root), 0);
}

#[test]
fn removing_entries_under_waiting_processes_keeps_producers_exclusive() {
    let (_base, root, work) = dirs();
    let children: Vec<Child> = (0..4).map(|_| spawn("remover", &root, &work)).collect();
    for child in children {
        wait_ok(child, "remover");
    }
    check_everything_present(&root, 3);
    let report = unlocked_maintenance(&root)
        .collect(ByteSize(u64::MAX))
        .unwrap();
    assert_eq!(
        report.temporaries_removed, 0,
        "removal leaves nothing in tmp/"
    );
}

#[test]
fn sigkill_during_writes_leaves_a_store_the_next_run_reads_and_collects() {
    let (_base, root, work) = dirs();
    let mut started = 0;
    let mut abandoned = 0;
    for round in 0..4 {
        let writers: Vec<Child> = (0..3).map(|_| spawn("writer", &root, &work)).collect();
        started += writers.len();
        wait_for_starts(&work, started);
        for child in writers {
            sleep(Duration::from_millis(fastrand::u64(5..40)));
            kill(child);
        }
        // Every value that is there is whole, and every key lock was
        // released (taking each key's lock would hang otherwise).
        check_everything_present(&root, WRITER_KEYS);
        let store = Store::open(&root).unwrap();
        for n in 0..WRITER_KEYS {
            drop(store.artifacts().lock_if_exists(&key(n)).unwrap());
            drop(store.unpacked().lock_if_exists(&key(n)).unwrap());
        }
        drop(store);
        // The root lock died with its holders: collection starts at once,
        // clears what the kills left, and empties the store for the next round.
        let maintenance = unlocked_maintenance(&root);
        let bound = if round == 3 { u64::MAX } else { 0 };
        let report = maintenance.collect(ByteSize(bound)).unwrap();
        abandoned += report.temporaries_removed;
        assert_eq!(tmp_entries(&root), 0);
        drop(maintenance);
        let store = Store::open(&root).unwrap();
        assert_eq!(
            store.size_estimate(),
            Some(report.size_after),
            "the ledger is re-measured"
        );
    }
    assert!(
        abandoned > 0,
        "the kills should have left temporaries to collect"
    );

    // The store still works.
    let store = Store::open(&root).unwrap();
    for n in 0..WRITER_KEYS {
        let path = store
            .artifacts()
            .get_or_set(&key(n), |f| write_slowly(f, n, file_len(n), Duration::ZERO))
            .unwrap();
        check_file(n, &path);
    }
}

#[test]
fn sigkill_during_collection_never_exposes_a_partial_entry() {
    let (_base, root, work) = dirs();
    const KEYS: usize = 80;
    let fill = || {
        let store = Store::open(&root).unwrap();
        for n in 0..KEYS {
            store
                .unpacked()
                .get_or_set(&key(n), |dir| produce_dir(dir, n, Duration::ZERO))
                .unwrap();
            store
                .artifacts()
                .get_or_set(&key(n), |f| write_slowly(f, n, file_len(n), Duration::ZERO))
                .unwrap();
        }
    };
    let mut interrupted = 0;
    for round in 1..=5 {
        fill();
        let collector = spawn("collector", &root, &work);
        wait_for_starts(&work, round);
        sleep(Duration::from_millis(fastrand::u64(0..15)));
        if collector_was_killed_midway(collector) {
            interrupted += 1;
        }
        let store = Store::open(&root).unwrap();
        for n in 0..KEYS {
            if let Some(path) = store.unpacked().get(&key(n)) {
                check_dir(n, &path);
            }
        }
    }
    eprintln!("{interrupted} of 5 collections were killed midway");

    let maintenance = unlocked_maintenance(&root);
    let report = maintenance.collect(ByteSize(0)).unwrap();
    assert_eq!(report.size_after, ByteSize(0));
    assert_eq!(tmp_entries(&root), 0);
    let leftovers: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".trash"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    drop(maintenance);
    fill();
    assert_eq!(check_everything_present(&root, KEYS), 2 * KEYS);
}

/// Kills the collector unless it already finished; says which.
fn collector_was_killed_midway(mut child: Child) -> bool {
    if child.try_wait().unwrap().is_some() {
        return false;
    }
    kill(child);
    true
}

#[test]
fn collection_waits_for_running_processes_and_sigkill_releases_them() {
    let (_base, root, work) = dirs();
    let holder = spawn("holder", &root, &work);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !work.join("ready").exists() {
        assert!(Instant::now() < deadline, "holder never opened the store");
        sleep(Duration::from_millis(5));
    }
    assert!(
        Maintenance::try_begin(&root).unwrap().is_none(),
        "a running process holds the store"
    );
    let store = Store::open_with(
        &root,
        StoreOptions {
            max_size: Some(ByteSize(0)),
        },
    )
    .unwrap();
    store
        .http()
        .get_or_set(&key(1), |f| f.write_all(b"response"))
        .unwrap();
    assert_eq!(
        store.close().unwrap(),
        None,
        "automatic collection does not wait"
    );
    kill(holder);
    // See `unlocked_maintenance` for why this retries.
    let deadline = Instant::now() + Duration::from_secs(10);
    let report = loop {
        let store = Store::open_with(
            &root,
            StoreOptions {
                max_size: Some(ByteSize(0)),
            },
        )
        .unwrap();
        if let Some(report) = store.close().unwrap() {
            break report;
        }
        assert!(Instant::now() < deadline, "the last process out collects");
        sleep(Duration::from_millis(20));
    };
    assert_eq!(report.entries_removed, 1);
}
