//! The size ledger: a running estimate of the store's size, so that deciding
//! whether to collect costs one small read instead of a walk of the store.
//!
//! The ledger is `v1/size`, a decimal byte count padded to a fixed width.
//! Every commit adds the size of the new entry and every removal subtracts,
//! under the ledger's own file lock (read, add, write back in place). Only
//! collection, which walks the store anyway, replaces the estimate with a
//! measurement.
//!
//! The estimate errs high, never low: a commit adds its size *before* the
//! rename that publishes the entry, so a crash in between over-counts (the
//! next collection corrects it) and an entry can never exist uncounted.
//! Temporaries abandoned by killed processes are not counted; they are freed
//! by the next collection, which runs when the counted size crosses the
//! bound. A missing or unreadable ledger reads as "unknown", which callers
//! treat as "collect to find out".

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use fs4::FileExt;

use crate::error::{Context, StoreError};

const WIDTH: usize = 20;

#[derive(Clone, Debug)]
pub(crate) struct Ledger {
    path: PathBuf,
}

impl Ledger {
    pub(crate) fn new(path: PathBuf) -> Ledger {
        Ledger { path }
    }

    /// Creates the ledger at zero unless it exists.
    pub(crate) fn create(&self) -> Result<(), StoreError> {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)
        {
            Ok(file) => write_value(&file, 0).context("write the size ledger", &self.path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(StoreError::new("create the size ledger", &self.path, e)),
        }
    }

    /// The current estimate, or `None` if it is missing or unreadable.
    pub(crate) fn read(&self) -> Option<u64> {
        let file = File::open(&self.path).ok()?;
        FileExt::lock_shared(&file).ok()?;
        read_value(&file).ok().flatten()
    }

    /// Adds `delta` (negative on removal). An unreadable ledger stays
    /// unreadable, so the next run still knows to measure.
    pub(crate) fn add(&self, delta: i64) -> Result<(), StoreError> {
        self.update(|current| current.map(|c| c.saturating_add_signed(delta)))
    }

    /// Replaces the estimate with a measurement.
    pub(crate) fn set(&self, value: u64) -> Result<(), StoreError> {
        self.update(|_| Some(value))
    }

    fn update(&self, f: impl FnOnce(Option<u64>) -> Option<u64>) -> Result<(), StoreError> {
        let path = &self.path;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .context("open the size ledger", path)?;
        FileExt::lock(&file).context("lock the size ledger", path)?;
        let current = read_value(&file).context("read the size ledger", path)?;
        if let Some(new) = f(current) {
            write_value(&file, new).context("write the size ledger", path)?;
        }
        Ok(())
    }
}

fn read_value(mut file: &File) -> io::Result<Option<u64>> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))?;
    file.take(64).read_to_string(&mut text)?;
    Ok(text.trim().parse().ok())
}

fn write_value(mut file: &File, value: u64) -> io::Result<()> {
    // Fixed width: every write covers the whole previous value, so there is
    // never a stale tail to truncate.
    file.seek(SeekFrom::Start(0))?;
    file.write_all(format!("{value:0WIDTH$}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_and_down_and_survives_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(dir.path().join("size"));
        assert_eq!(ledger.read(), None);
        ledger.create().unwrap();
        assert_eq!(ledger.read(), Some(0));
        ledger.add(1000).unwrap();
        ledger.add(-300).unwrap();
        assert_eq!(ledger.read(), Some(700));
        ledger.add(-5000).unwrap();
        assert_eq!(ledger.read(), Some(0));
        ledger.create().unwrap();
        assert_eq!(
            ledger.read(),
            Some(0),
            "create leaves an existing ledger alone"
        );

        std::fs::write(dir.path().join("size"), "garbage").unwrap();
        assert_eq!(ledger.read(), None);
        ledger.add(10).unwrap();
        assert_eq!(ledger.read(), None, "unknown stays unknown until measured");
        ledger.set(42).unwrap();
        assert_eq!(ledger.read(), Some(42));
    }
}
