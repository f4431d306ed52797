//! Measures the store's hot paths; run with
//! `cargo run --release -p posy-store --example bench [DIR [ENTRIES]]`.
//!
//! Prints: the cost of a `get` hit, of `get_or_set` on a miss for a small
//! file, and of collecting a store of 100k entries (a walk that removes
//! nothing, removing half, removing the rest).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use posy_store::{ByteSize, Key, Maintenance, Store};

fn per_op(elapsed: Duration, ops: usize) -> String {
    format!("{:.2} µs/op", elapsed.as_secs_f64() * 1e6 / ops as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scratch = tempfile::tempdir()?;
    let root = std::env::args()
        .nth(1)
        .map_or_else(|| scratch.path().join("cache"), PathBuf::from);
    let entries: usize = std::env::args().nth(2).map_or(Ok(100_000), |n| n.parse())?;
    let keys: Vec<Key> = (0..entries)
        .map(|i| Key::hash_of(&i.to_le_bytes()))
        .collect();

    let store = Store::open(&root)?;
    let artifacts = store.artifacts();
    let started = Instant::now();
    for key in &keys {
        artifacts.get_or_set(key, |f| f.write_all(&[7; 100]))?;
    }
    println!(
        "get_or_set miss, 100-byte file: {} ({entries} entries)",
        per_op(started.elapsed(), entries)
    );

    let started = Instant::now();
    for key in &keys {
        artifacts.get_or_set(key, |_| -> std::io::Result<()> { unreachable!("a hit") })?;
    }
    println!(
        "get_or_set hit:                 {}",
        per_op(started.elapsed(), entries)
    );

    let started = Instant::now();
    for key in &keys {
        assert!(artifacts.get(key).is_some());
    }
    println!(
        "get hit:                        {}",
        per_op(started.elapsed(), entries)
    );

    let missing = Key::hash_of(b"missing");
    let started = Instant::now();
    for _ in 0..entries {
        assert!(artifacts.get(&missing).is_none());
    }
    println!(
        "get miss:                       {}",
        per_op(started.elapsed(), entries)
    );
    drop((artifacts, store));

    let maintenance = Maintenance::begin(&root)?;
    for (label, bound) in [
        ("walk only, nothing removed", u64::MAX),
        ("remove half", (entries as u64 / 2) * 100),
        ("remove the rest", 0),
    ] {
        let report = maintenance.collect(ByteSize(bound))?;
        println!(
            "collect {} entries, {label}: {:.3} s ({} removed)",
            report.entries_before,
            report.duration.as_secs_f64(),
            report.entries_removed
        );
    }
    Ok(())
}
