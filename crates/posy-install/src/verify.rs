//! Checks that an unpacked wheel is what it claims to be, before it is
//! linked into an environment.
//!
//! [`verify_unpacked`] guards the store: an unpacked tree was checked
//! member by member when it was made (`unpack.rs`), but it lives on in the
//! cache, where a disk error, a full disk during a copy, or a person can
//! truncate or delete a file, and every environment linked from it would
//! then get the damage. The check is cheap on purpose — one `stat` per file
//! that `RECORD` lists, comparing the size — so it can run on every use:
//! it finds missing and truncated files, which are what damage looks like
//! in practice, and leaves hashing (which reads every byte) to an explicit
//! verification. A tree that fails is not to be repaired in place: the
//! caller removes the store entry and unpacks the wheel again.
//!
//! [`check_wheel_identity`] is the wheel specification's rule that the
//! `.dist-info` directory is named after the distribution and version in
//! the wheel's file name. pip and uv refuse a wheel that breaks it; so does
//! posy, instead of installing `Mismatch-1.0-py3-none-any.whl` as
//! whatever its `.dist-info` says.

use std::path::Path;

use posy_vocab::{PackageName, Version, WheelFilename};

use crate::error::{InstallError, IoContext};
use crate::unpack::{UnpackedWheel, safe_relative_path};

/// Checks that every file the unpacked wheel's `RECORD` lists exists under
/// `dir` as a regular file of the recorded size. Any error means the tree
/// cannot be trusted (remove the entry and unpack again), except
/// [`InstallError::Io`] for a failure to read the directory itself.
pub fn verify_unpacked(dir: &Path) -> Result<(), InstallError> {
    verify_tree(&UnpackedWheel::open(dir)?)
}

/// [`verify_unpacked`] for a tree already opened. It runs before every
/// install from the store, so it reads only what it checks: the path and
/// size columns of `RECORD` (no hash decoding), and one `lstat` per file,
/// into one reused path buffer.
pub(crate) fn verify_tree(wheel: &UnpackedWheel) -> Result<(), InstallError> {
    let dir = wheel.dir.as_path();
    let damaged = |member: &str, detail: String| InstallError::RecordMismatch {
        wheel: dir.display().to_string(),
        member: member.to_string(),
        detail,
    };
    let record = dir.join(&wheel.dist_info).join("RECORD");
    let bytes = std::fs::read(&record).ctx("read", &record)?;
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut row = csv::StringRecord::new();
    let mut path = dir.to_path_buf();
    loop {
        match rows.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(damaged("RECORD", format!("it is not valid CSV: {e}"))),
        }
        let (Some(member), Some(size)) = (row.get(0), row.get(2)) else {
            continue;
        };
        if member.is_empty() || size.is_empty() {
            continue;
        }
        let expected: u64 = size
            .parse()
            .map_err(|_| damaged(member, format!("RECORD gives the size `{size}`")))?;
        let Some(relative) = safe_relative_path(member) else {
            return Err(InstallError::UnsafePath {
                wheel: dir.display().to_string(),
                member: member.to_owned(),
            });
        };
        path.push(&relative);
        let meta = std::fs::symlink_metadata(&path);
        for _ in relative.components() {
            path.pop();
        }
        let meta = match meta {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(damaged(member, "the file is missing from the store".into()));
            }
            Err(e) => return Err(e).ctx("inspect", dir.join(relative)),
        };
        if !meta.is_file() {
            return Err(damaged(
                member,
                "it is not a regular file in the store".into(),
            ));
        }
        if meta.len() != expected {
            return Err(damaged(
                member,
                format!(
                    "RECORD says {expected} bytes, the stored file has {}",
                    meta.len()
                ),
            ));
        }
    }
}

/// Checks that `dist_info` (e.g. `requests-2.32.3.dist-info`) names the
/// distribution and version of the wheel file `filename`, as the wheel
/// specification requires (names compared normalized, versions by PEP 440).
pub fn check_wheel_identity(filename: &WheelFilename, dist_info: &str) -> Result<(), InstallError> {
    let refuse = |reason: String| InstallError::InvalidWheel {
        wheel: filename.to_string(),
        reason,
    };
    let stem = dist_info.strip_suffix(".dist-info").unwrap_or(dist_info);
    let parsed = stem.rsplit_once('-').and_then(|(name, version)| {
        Some((
            PackageName::new(name).ok()?,
            version.parse::<Version>().ok()?,
        ))
    });
    let Some((name, version)) = parsed else {
        return Err(refuse(format!(
            "its metadata directory `{dist_info}` is not named `NAME-VERSION.dist-info`"
        )));
    };
    if name != *filename.name() || version != *filename.version() {
        return Err(refuse(format!(
            "its file name says {} {}, but its metadata directory `{dist_info}` says {name} {version}; \
             the wheel is misnamed, refusing to install it",
            filename.name(),
            filename.version()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::test_wheel::TestWheel;
    use crate::unpack::unpack_wheel;

    fn unpacked(dir: &Path) -> std::path::PathBuf {
        let wheel = TestWheel::new("demo", "1.0")
            .file("demo/__init__.py", "VALUE = 1\n")
            .file("demo/data.txt", "0123456789");
        let path = dir.join(wheel.filename());
        fs::write(&path, wheel.zip()).unwrap();
        let tree = dir.join("tree");
        fs::create_dir(&tree).unwrap();
        unpack_wheel(&path, &tree).unwrap();
        tree
    }

    #[test]
    fn a_tree_as_unpacked_passes() {
        let dir = tempfile::tempdir().unwrap();
        verify_unpacked(&unpacked(dir.path())).unwrap();
    }

    #[test]
    fn a_truncated_file_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let tree = unpacked(dir.path());
        fs::write(tree.join("demo/data.txt"), "01234").unwrap();
        let error = verify_unpacked(&tree).unwrap_err().to_string();
        assert!(error.contains("demo/data.txt"), "{error}");
        assert!(
            error.contains("RECORD says 10 bytes, the stored file has 5"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_file_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let tree = unpacked(dir.path());
        fs::remove_file(tree.join("demo/__init__.py")).unwrap();
        let error = verify_unpacked(&tree).unwrap_err().to_string();
        assert!(error.contains("demo/__init__.py"), "{error}");
        assert!(error.contains("missing"), "{error}");
    }

    #[test]
    fn a_directory_where_a_file_was_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let tree = unpacked(dir.path());
        fs::remove_file(tree.join("demo/data.txt")).unwrap();
        fs::create_dir(tree.join("demo/data.txt")).unwrap();
        assert!(verify_unpacked(&tree).is_err());
    }

    fn wheel(name: &str) -> WheelFilename {
        name.parse().unwrap()
    }

    #[test]
    fn the_dist_info_must_name_the_wheel() {
        let ok = wheel("Mismatch-1.0-py3-none-any.whl");
        check_wheel_identity(&ok, "mismatch-1.0.dist-info").unwrap();
        check_wheel_identity(&ok, "Mismatch-1.0.0.dist-info").unwrap();
        check_wheel_identity(
            &wheel("zope.interface-5.0-py3-none-any.whl"),
            "zope_interface-5.0.dist-info",
        )
        .unwrap();

        let error = check_wheel_identity(&ok, "othername-2.0.dist-info")
            .unwrap_err()
            .to_string();
        assert!(error.contains("mismatch-1.0-py3-none-any.whl"), "{error}");
        assert!(error.contains("othername-2.0.dist-info"), "{error}");
        assert!(error.contains("mismatch 1.0"), "{error}");
        assert!(check_wheel_identity(&ok, "mismatch-2.0.dist-info").is_err());
        assert!(check_wheel_identity(&ok, "mismatch.dist-info").is_err());
    }
}
