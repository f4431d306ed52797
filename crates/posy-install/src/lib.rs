//! Wheels into environments.
//!
//! Installing a wheel is two steps with the store between them:
//!
//! 1. **Unpack** ([`unpack_wheel`]): the wheel's zip is extracted once into
//!    the store's `unpacked/` bucket, keyed by the wheel's sha256. Every
//!    member is checked on the way: no absolute paths, no `..`, no symlinks,
//!    and its bytes must match the hash and size the wheel's `RECORD` claims.
//!    A wheel that fails any check leaves nothing behind.
//! 2. **Link** ([`Installer::install`]): the unpacked tree is materialised into
//!    the environment's scheme (purelib or platlib root, and the `.data/`
//!    subdirectories into scripts, headers, data), by reflink where the
//!    filesystem can, else hardlink, else copy ([`LinkMode`]). Files whose
//!    content changes on install (scripts with a `#!python` shebang) and the
//!    files the installer adds (`INSTALLER`, `REQUESTED`,
//!    `direct_url.json`, entry-point launchers) are written fresh. The
//!    `RECORD` is rewritten last, with installed paths and hashes.
//!
//! Replacing a distribution installs the new files first (each replaced file
//! by write-to-temporary and rename) and only then removes what the old
//! `RECORD` listed and the new one does not, so a failure midway leaves an
//! environment whose files all exist. The bytecode of every replaced `.py`
//! goes with the old version, so it cannot stand in for the new source. A
//! file that another distribution installed is overwritten with a warning
//! naming both, as uv does (`owners.rs`). Uninstalling ([`uninstall`]) follows
//! `RECORD` and refuses paths that point outside the environment.
//!
//! A change of several distributions is a transaction (`transaction.rs`):
//! one writer per environment, a journal written before the first file
//! changes, and a roll-forward by the next run after an interruption.
//!
//! This crate knows nothing about indexes or resolution: it is handed wheel
//! files and an [`InstallScheme`] (the paths of an interpreter's
//! environment) and does what the wheel specification says.

mod error;
mod extract;
mod install;
mod installed;
mod link;
mod owners;
mod prepare;
mod record;
mod scheme;
mod scratch;
mod scripts;
#[cfg(test)]
mod test_wheel;
mod transaction;
mod uninstall;
mod unpack;
mod verify;
mod wheel_info;

pub use error::InstallError;
pub use install::{InstallOptions, Installer};
pub use installed::{InstalledDist, broken_distributions, installed_distributions};
pub use link::LinkMode;
pub use prepare::{PrepareError, prepare_local_wheel, prepare_wheel, sha256_file};
pub use record::{RecordEntry, read_record, write_record};
pub use scheme::InstallScheme;
pub use transaction::{
    EnvLock, Journal, JournalInstall, Recovery, Transaction, failpoint, recover,
};
pub use uninstall::{UninstallReport, uninstall};
pub use unpack::{UnpackedWheel, unpack_wheel, unpack_wheel_as, unpack_wheel_bytes};
pub use verify::{check_wheel_identity, verify_unpacked};
pub use wheel_info::WheelInfo;
