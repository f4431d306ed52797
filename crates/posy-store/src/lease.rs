//! A lease: a shared hold on an existing entry, for the time it is in use.
//!
//! Most entries are used only while a posy run holds the store open, and
//! the root lock keeps collection away for that long. An environment a
//! script or a tool runs in is different: posy `exec`s the interpreter,
//! the run ends as far as the store knows, and the program may run for
//! hours. A lease covers that time: it is a *shared* `flock` on the
//! entry's lock file. Any number of users hold leases on one entry at
//! once; collection and cleans try the key's lock exclusively without
//! waiting, so they skip a leased entry, and [`crate::Bucket::remove`]
//! waits for the leases to go.
//!
//! To outlive an `exec`, [`Lease::keep_across_exec`] clears the lock
//! file descriptor's close-on-exec flag: the program started in posy's
//! place inherits the descriptor, so the lock is held exactly as long as
//! that process (and any child that inherits it in turn) lives, and the
//! kernel drops it when they exit, however they exit. Nothing has to
//! notice a stale lease, and no pid is recorded.
//!
//! Taking a lease marks the entry as used now, as [`crate::Bucket::get`]
//! does, so collection also sees it as the most recent.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::lock_file::KeyLease;

/// A shared hold on an entry (see the module documentation). Dropping it
/// releases the hold, unless [`Lease::keep_across_exec`] handed it on.
#[derive(Debug)]
pub struct Lease {
    lock: KeyLease,
    path: PathBuf,
}

impl Lease {
    pub(crate) fn new(lock: KeyLease, path: PathBuf) -> Lease {
        Lease { lock, path }
    }

    /// The leased entry's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open lock file that carries the hold.
    pub fn file(&self) -> &File {
        self.lock.file()
    }

    /// Lets a program this process `exec`s (or spawns) inherit the hold:
    /// clears close-on-exec on the lock's descriptor. Call it just before
    /// `exec`, and keep the lease alive until then.
    #[cfg(unix)]
    pub fn keep_across_exec(&self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let fd = self.lock.file().as_raw_fd();
        // SAFETY: `fd` is an open descriptor owned by `self` for this call.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: as above; only the descriptor's flags change.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}
