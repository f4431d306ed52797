//! Wheel zip → a directory in the store, checked member by member.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use posy_vocab::{ArtifactHash, HashAlgorithm};
use sha2::{Digest, Sha256};

use crate::error::{InstallError, IoContext};
use crate::record::{RecordEntry, read_record};
use crate::wheel_info::WheelInfo;

/// A wheel extracted into a directory (an entry of the store's `unpacked/`
/// bucket), with the facts the linker needs.
#[derive(Debug, Clone)]
pub struct UnpackedWheel {
    pub dir: PathBuf,
    /// The `.dist-info` directory's name, e.g. `requests-2.32.3.dist-info`.
    pub dist_info: String,
    pub info: WheelInfo,
}

impl UnpackedWheel {
    /// Opens an unpacked wheel, finding its `.dist-info` and reading `WHEEL`.
    pub fn open(dir: &Path) -> Result<Self, InstallError> {
        Self::open_as(dir, &dir.display().to_string())
    }

    /// [`open`](Self::open), with errors calling the wheel `wheel_name`.
    fn open_as(dir: &Path, wheel_name: &str) -> Result<Self, InstallError> {
        let invalid = |reason: String| InstallError::InvalidWheel {
            wheel: wheel_name.to_string(),
            reason,
        };
        let mut dist_infos = Vec::new();
        for entry in fs::read_dir(dir).ctx("read", dir)? {
            let name = entry
                .ctx("read", dir)?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".dist-info") {
                dist_infos.push(name);
            }
        }
        let dist_info = match dist_infos.len() {
            1 => dist_infos.remove(0),
            0 => return Err(invalid("it has no .dist-info directory".into())),
            _ => {
                dist_infos.sort();
                return Err(invalid(format!(
                    "it has several .dist-info directories: {}",
                    dist_infos.join(", ")
                )));
            }
        };
        let wheel_file = dir.join(&dist_info).join("WHEEL");
        let text = match fs::read_to_string(&wheel_file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(invalid(format!("it has no {dist_info}/WHEEL file")));
            }
            Err(e) => return Err(e).ctx("read", &wheel_file),
        };
        let info = WheelInfo::parse(&text).map_err(invalid)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            dist_info,
            info,
        })
    }

    /// The `.data` directory's name (`<dist-info stem>.data`).
    pub fn data_dir_name(&self) -> String {
        format!("{}.data", self.dist_info.trim_end_matches(".dist-info"))
    }

    /// The RECORD entries of the wheel as built.
    pub fn record(&self) -> Result<Vec<RecordEntry>, InstallError> {
        let path = self.dir.join(&self.dist_info).join("RECORD");
        let file = File::open(&path).ctx("open", &path)?;
        read_record(file).map_err(|reason| InstallError::InvalidWheel {
            wheel: self.dir.display().to_string(),
            reason,
        })
    }
}

/// Extracts the wheel at `wheel` into the empty directory `dest`; errors
/// call the wheel by its file name. See [`unpack_wheel_as`].
pub fn unpack_wheel(wheel: &Path, dest: &Path) -> Result<(), InstallError> {
    let wheel_name = wheel.file_name().map_or_else(
        || wheel.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    unpack_wheel_as(wheel, &wheel_name, dest)
}

/// Extracts the wheel at `wheel` into the empty directory `dest`, calling it
/// `wheel_name` in every error: the file may be a store entry named by its
/// hash, while the user knows it as `climber-1.0-py3-none-any.whl`.
///
/// Refuses members with absolute paths, `..`, symlinks or a name that is
/// not valid UTF-8; checks every file against the hash and size in the
/// wheel's `RECORD` (a mismatch is an error; a file `RECORD` forgot is
/// accepted with a warning, as pip does). Executable bits are kept. The
/// tree must then open as an [`UnpackedWheel`] (one `.dist-info` with a
/// `WHEEL` posy understands), so the store never holds one that cannot.
/// On error, `dest` may hold a partial tree: callers extract into a store
/// reservation, which is discarded on error.
pub fn unpack_wheel_as(wheel: &Path, wheel_name: &str, dest: &Path) -> Result<(), InstallError> {
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: wheel_name.to_string(),
        reason,
    };
    let file = File::open(wheel).ctx("open", wheel)?;
    let mut archive = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|e| invalid(format!("it is not a zip archive ({e})")))?;

    let record = read_wheel_record(&mut archive).map_err(&invalid)?;
    let mut seen_dirs: Vec<PathBuf> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut member = archive
            .by_index(index)
            .map_err(|e| invalid(format!("member {index} is unreadable ({e})")))?;
        let raw_name = member
            .name()
            .map_err(|e| invalid(format!("member {index} has a bad name ({e})")))?
            .into_owned();
        let relative = safe_relative_path(&raw_name)
            .filter(|_| !member.is_symlink())
            .ok_or_else(|| InstallError::UnsafePath {
                wheel: wheel_name.to_string(),
                member: raw_name.clone(),
            })?;
        let target = dest.join(&relative);
        if member.is_dir() {
            fs::create_dir_all(&target).ctx("create directory", &target)?;
            continue;
        }
        if let Some(parent) = target.parent()
            && !seen_dirs.iter().any(|d| d == parent)
        {
            fs::create_dir_all(parent).ctx("create directory", parent)?;
            seen_dirs.push(parent.to_path_buf());
        }
        let mut out = File::create(&target).ctx("create", &target)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = member
                .read(&mut buf)
                .map_err(|e| invalid(format!("`{raw_name}` cannot be decompressed ({e})")))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).ctx("write", &target)?;
            size += n as u64;
        }
        #[cfg(unix)]
        if member.unix_mode().is_some_and(|m| m & 0o111 != 0) {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755))
                .ctx("set permissions on", &target)?;
        }
        check_against_record(&record, &raw_name, hasher, size).map_err(|detail| {
            InstallError::RecordMismatch {
                wheel: wheel_name.to_string(),
                member: raw_name.clone(),
                detail,
            }
        })?;
    }
    UnpackedWheel::open_as(dest, wheel_name)?;
    Ok(())
}

/// The wheel's RECORD, by path. The RECORD is found as the one
/// `*.dist-info/RECORD` at the top level.
fn read_wheel_record<R: Read + io::Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<HashMap<String, RecordEntry>, String> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| {
            let mut parts = n.split('/');
            matches!((parts.next(), parts.next(), parts.next()), (Some(d), Some("RECORD"), None) if d.ends_with(".dist-info"))
        })
        .map(String::from)
        .collect();
    let name = match names.as_slice() {
        [one] => one.clone(),
        [] => return Err("it has no .dist-info/RECORD".into()),
        _ => return Err(format!("it has several RECORD files: {}", names.join(", "))),
    };
    let member = archive
        .by_name(&name)
        .map_err(|e| format!("its RECORD is unreadable ({e})"))?;
    Ok(read_record(member)?
        .into_iter()
        .map(|e| (e.path.clone(), e))
        .collect())
}

fn check_against_record(
    record: &HashMap<String, RecordEntry>,
    name: &str,
    hasher: Sha256,
    size: u64,
) -> Result<(), String> {
    let Some(entry) = record.get(name) else {
        if !name.ends_with("/RECORD")
            && !name.ends_with("/RECORD.jws")
            && !name.ends_with("/RECORD.p7s")
        {
            tracing::warn!("`{name}` is not listed in the wheel's RECORD");
        }
        return Ok(());
    };
    if let Some(expected) = entry.size
        && expected != size
    {
        return Err(format!("RECORD says {expected} bytes, the file has {size}"));
    }
    if let Some(expected) = &entry.hash
        && expected.algorithm() == HashAlgorithm::Sha256
    {
        let digest = hasher.finalize();
        let actual =
            ArtifactHash::new(HashAlgorithm::Sha256, &digest).expect("sha256 digests are 32 bytes");
        if &actual != expected {
            return Err(format!(
                "RECORD says {}, the file has {}",
                expected.to_record(),
                actual.to_record()
            ));
        }
    }
    Ok(())
}

/// A member name as a relative path with only normal components, or `None`
/// if it is absolute, has `..`, a drive prefix, a NUL or a backslash (which
/// a Windows installer would treat as a separator).
pub(crate) fn safe_relative_path(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['\0', '\\']) || name.starts_with('/') {
        return None;
    }
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_wheel::{TestWheel, zip_of};

    #[test]
    fn errors_name_the_wheel_not_the_store_file_it_is_read_from() {
        let tmp = tempfile::tempdir().unwrap();
        let stored = tmp.path().join("9f86d081884c7d659a2feaa0c55ad015");
        let name = "climber-1.0-py3-none-any.whl";
        let unpack = |bytes: Vec<u8>| {
            fs::write(&stored, bytes).unwrap();
            let dest = tempfile::tempdir_in(tmp.path()).unwrap();
            unpack_wheel_as(&stored, name, dest.path())
                .unwrap_err()
                .to_string()
        };
        let hostile = TestWheel::new("climber", "1.0")
            .file("../../escaped.txt", "gotcha")
            .zip();
        let no_wheel_file = zip_of(&[
            (
                "climber-1.0.dist-info/METADATA".into(),
                b"Name: climber".to_vec(),
            ),
            ("climber-1.0.dist-info/RECORD".into(), Vec::new()),
        ]);
        let corrupt = b"PK not really a zip".to_vec();
        for (bytes, says) in [
            (
                hostile,
                "`../../escaped.txt`, which would be written outside",
            ),
            (no_wheel_file, "it has no climber-1.0.dist-info/WHEEL file"),
            (corrupt, "it is not a zip archive"),
        ] {
            let error = unpack(bytes);
            assert!(
                error.starts_with("`climber-1.0-py3-none-any.whl`"),
                "{error}"
            );
            assert!(error.contains(says), "{error}");
            assert!(!error.contains("9f86d08"), "{error}");
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in [
            "../evil",
            "a/../../evil",
            "/etc/passwd",
            "a\\..\\b",
            "",
            "a\0b",
        ] {
            assert_eq!(safe_relative_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            safe_relative_path("a/./b/c.py"),
            Some(PathBuf::from("a/b/c.py"))
        );
        assert_eq!(safe_relative_path("a/"), Some(PathBuf::from("a")));
    }
}
