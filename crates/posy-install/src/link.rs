//! Putting a file from the store into an environment: reflink, hardlink, copy or symlink.
//!
//! The store's unpacked wheels are immutable, so an environment can share
//! their bytes. A reflink (copy-on-write clone) shares them safely; a
//! hardlink shares them for real (editing an installed file would edit the
//! store, which uv accepts too; posy never edits installed files in place);
//! a copy shares nothing. The default asks for a reflink and falls back,
//! once for the whole run and silently, to a hardlink when the filesystem
//! cannot clone, then to a copy when the store and the environment are on
//! different filesystems. Symlinks are only used when asked for.
//!
//! Replacing an existing file goes through a temporary name in the same
//! directory and a rename, so the path always holds a whole file.

use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

/// How files get from the store into an environment (`--link-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    /// Copy-on-write clone, falling back to hardlink, then copy.
    #[default]
    Clone,
    /// Hardlink, falling back to copy.
    Hardlink,
    Copy,
    /// Symlink to the store (the environment breaks if the cache is cleaned).
    Symlink,
}

impl LinkMode {
    fn as_u8(self) -> u8 {
        self as u8
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Clone,
            1 => Self::Hardlink,
            2 => Self::Copy,
            _ => Self::Symlink,
        }
    }
}

impl std::str::FromStr for LinkMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "clone" => Ok(Self::Clone),
            "hardlink" => Ok(Self::Hardlink),
            "copy" => Ok(Self::Copy),
            "symlink" => Ok(Self::Symlink),
            other => Err(format!(
                "unknown link mode `{other}` (expected clone, hardlink, copy or symlink)"
            )),
        }
    }
}

/// Links files with a mode that degrades once for all later files.
#[derive(Debug)]
pub(crate) struct Linker {
    mode: AtomicU8,
}

impl Linker {
    pub(crate) fn new(mode: LinkMode) -> Self {
        Self {
            mode: AtomicU8::new(mode.as_u8()),
        }
    }

    /// Places `src` at `dst`, replacing whatever `dst` was; says whether
    /// something was there (the caller then checks whose it was).
    pub(crate) fn link(&self, src: &Path, dst: &Path) -> io::Result<bool> {
        // Most destinations are new: try directly, and only go through a
        // temporary when something is already there.
        match self.link_new(src, dst) {
            Ok(()) => Ok(false),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let tmp = temporary_sibling(dst);
                let _ = fs::remove_file(&tmp);
                self.link_new(src, &tmp)?;
                fs::rename(&tmp, dst).inspect_err(|_| {
                    let _ = fs::remove_file(&tmp);
                })?;
                Ok(true)
            }
            Err(e) => Err(e),
        }
    }

    fn link_new(&self, src: &Path, dst: &Path) -> io::Result<()> {
        loop {
            let mode = LinkMode::from_u8(self.mode.load(Ordering::Relaxed));
            let result = match mode {
                LinkMode::Clone => reflink_copy::reflink(src, dst),
                LinkMode::Hardlink => fs::hard_link(src, dst),
                LinkMode::Copy => copy_new(src, dst),
                LinkMode::Symlink => symlink(src, dst),
            };
            match result {
                Err(e)
                    if matches!(mode, LinkMode::Clone | LinkMode::Hardlink)
                        && cannot_link_here(&e) =>
                {
                    let next = if mode == LinkMode::Clone {
                        LinkMode::Hardlink
                    } else {
                        LinkMode::Copy
                    };
                    tracing::debug!(
                        "{mode:?} failed ({e}); using {next:?} for the rest of this run"
                    );
                    let _ = fs::remove_file(dst);
                    self.mode.store(next.as_u8(), Ordering::Relaxed);
                }
                other => return other,
            }
        }
    }
}

/// Whether an error means "this filesystem cannot link like that" (the
/// store and the environment on different filesystems, a filesystem
/// without reflinks or hardlinks, a file with too many links), the only
/// errors that switch to the next mode. Anything else (a full disk, an
/// I/O error, a missing directory) would fail the same way in every mode,
/// or hide a real problem: it stops the install with its path.
fn cannot_link_here(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::Unsupported {
        return true;
    }
    #[cfg(unix)]
    {
        // EXDEV, EPERM, EOPNOTSUPP, EMLINK; and for a clone ioctl that the
        // filesystem does not implement, EINVAL, ENOTTY and ENOSYS.
        matches!(
            e.raw_os_error(),
            Some(
                libc::EXDEV
                    | libc::EPERM
                    | libc::EOPNOTSUPP
                    | libc::EMLINK
                    | libc::EINVAL
                    | libc::ENOTTY
                    | libc::ENOSYS
            )
        )
    }
    #[cfg(not(unix))]
    {
        !matches!(
            e.kind(),
            io::ErrorKind::NotFound | io::ErrorKind::AlreadyExists | io::ErrorKind::StorageFull
        )
    }
}

/// Copies `src` to `dst`, which must not exist yet (unlike `fs::copy`,
/// which would overwrite it in place, neither atomically nor visibly).
fn copy_new(src: &Path, dst: &Path) -> io::Result<()> {
    let mut from = fs::File::open(src)?;
    let mut to = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dst)?;
    io::copy(&mut from, &mut to)?;
    to.set_permissions(from.metadata()?.permissions())
}

#[cfg(unix)]
fn symlink(src: &Path, dst: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(src, dst)
}

#[cfg(not(unix))]
fn symlink(src: &Path, dst: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(src, dst)
}

/// `dir/.name.posy-tmp`, a name no distribution ships.
pub(crate) fn temporary_sibling(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.posy-tmp"))
}

/// Writes `bytes` to `dst` through a temporary sibling and a rename. The
/// file is created `rw-rw-rw-` (`rwxrwxrwx` when executable) less the
/// process's umask, as any file a user's tool creates.
pub(crate) fn write_atomic(dst: &Path, bytes: &[u8], executable: bool) -> io::Result<()> {
    let tmp = temporary_sibling(dst);
    let mut options = fs::OpenOptions::new();
    // `truncate`, not `create_new`: a temporary left by a killed run is
    // overwritten (its mode then stays; it was made by this same code).
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if executable { 0o777 } else { 0o666 });
    }
    #[cfg(not(unix))]
    let _ = executable;
    let written = options
        .open(&tmp)
        .and_then(|mut file| io::Write::write_all(&mut file, bytes));
    written
        .and_then(|()| fs::rename(&tmp, dst))
        .inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_once_and_replaces_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.txt");
        fs::write(&src, "new").unwrap();
        let dst = dir.path().join("dst.txt");
        fs::write(&dst, "old").unwrap();
        let linker = Linker::new(LinkMode::Clone);
        assert!(linker.link(&src, &dst).unwrap(), "dst.txt was replaced");
        assert_eq!(fs::read_to_string(&dst).unwrap(), "new");
        assert!(!temporary_sibling(&dst).exists());
        // Whatever the filesystem supports, a second file uses the settled mode.
        let settled = linker.mode.load(Ordering::Relaxed);
        assert!(!linker.link(&src, &dir.path().join("other.txt")).unwrap());
        assert_eq!(linker.mode.load(Ordering::Relaxed), settled);
    }

    #[test]
    fn every_mode_replaces_and_says_so() {
        for mode in [
            LinkMode::Clone,
            LinkMode::Hardlink,
            LinkMode::Copy,
            LinkMode::Symlink,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let src = dir.path().join("src.txt");
            fs::write(&src, "new").unwrap();
            let dst = dir.path().join("dst.txt");
            let linker = Linker::new(mode);
            assert!(!linker.link(&src, &dst).unwrap(), "{mode:?}");
            fs::remove_file(&dst).unwrap();
            fs::write(&dst, "old").unwrap();
            assert!(linker.link(&src, &dst).unwrap(), "{mode:?}");
            assert_eq!(fs::read_to_string(&dst).unwrap(), "new", "{mode:?}");
            assert!(!temporary_sibling(&dst).exists(), "{mode:?}");
        }
    }

    #[test]
    fn only_filesystem_limits_change_the_link_mode() {
        let no_space = io::Error::from_raw_os_error(libc::ENOSPC);
        let io_error = io::Error::from_raw_os_error(libc::EIO);
        let cross_device = io::Error::from_raw_os_error(libc::EXDEV);
        let unsupported = io::Error::from_raw_os_error(libc::EOPNOTSUPP);
        assert!(!cannot_link_here(&no_space));
        assert!(!cannot_link_here(&io_error));
        assert!(!cannot_link_here(&io::Error::from(io::ErrorKind::NotFound)));
        assert!(cannot_link_here(&cross_device));
        assert!(cannot_link_here(&unsupported));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn written_files_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        let data = dir.path().join("data");
        // The process's umask, read without changing it (other tests run
        // in this process at the same time).
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
            .unwrap();
        write_atomic(&script, b"#!/bin/sh\n", true).unwrap();
        write_atomic(&data, b"x", false).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&script), 0o777 & !umask);
        assert_eq!(mode(&data), 0o666 & !umask);
    }

    #[test]
    fn parses_link_modes() {
        assert_eq!("hardlink".parse::<LinkMode>().unwrap(), LinkMode::Hardlink);
        assert!("reflink".parse::<LinkMode>().is_err());
    }
}
