//! Wheel zip → a directory in the store, checked member by member.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use posy_vocab::{ArtifactHash, HashAlgorithm, WheelFilename};
use sha2::{Digest, Sha256};

use crate::error::{InstallError, IoContext};
use crate::extract::{ExtractError, Extractor};
use crate::scratch::{borrow, wheel_buffer};

/// Wheels up to this size are read into memory whole to be unpacked (one
/// read, then every member is a slice of it); larger ones are read
/// through a buffer as they are unpacked.
const IN_MEMORY_MAX: u64 = 256 * 1024 * 1024;
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
/// accepted with a warning, as pip does) and against the CRC-32 and size
/// in the zip's central directory. Executable bits are kept. The tree must
/// then open as an [`UnpackedWheel`] (one `.dist-info` with a `WHEEL` posy
/// understands), so the store never holds one that cannot. On error,
/// `dest` may hold a partial tree: callers extract into a store
/// reservation, which is discarded on error.
pub fn unpack_wheel_as(wheel: &Path, wheel_name: &str, dest: &Path) -> Result<(), InstallError> {
    let mut file = File::open(wheel).ctx("open", wheel)?;
    let size = file.metadata().ctx("read", wheel)?.len();
    if size > IN_MEMORY_MAX {
        return unpack_archive(&OnDisk(wheel), size, wheel_name, dest);
    }
    // Reserving the exact size first reads the file in one go into memory
    // this process has already touched (see scratch.rs).
    let mut bytes = wheel_buffer();
    bytes.reserve(usize::try_from(size).unwrap_or_default());
    file.read_to_end(&mut bytes).ctx("read", wheel)?;
    unpack_archive(&InMemory(&bytes), size, wheel_name, dest)
}

/// [`unpack_wheel_as`] for a wheel held in memory, e.g. one just
/// downloaded and verified, which then never touches the disk as a zip.
pub fn unpack_wheel_bytes(wheel: &[u8], wheel_name: &str, dest: &Path) -> Result<(), InstallError> {
    unpack_archive(&InMemory(wheel), wheel.len() as u64, wheel_name, dest)
}

/// Wheels at least this big (compressed) are unpacked by several threads,
/// each with a share of the members: a big wheel is otherwise the last one
/// still unpacking, on one core, while the others idle.
const PARALLEL_FROM: u64 = 1 << 20;

/// Where a wheel's bytes are; each unpacking thread opens its own reader.
trait Source: Sync {
    type Reader: Read + io::Seek;
    fn open(&self) -> io::Result<Self::Reader>;
}

struct InMemory<'a>(&'a [u8]);

impl<'a> Source for InMemory<'a> {
    type Reader = io::Cursor<&'a [u8]>;
    fn open(&self) -> io::Result<Self::Reader> {
        Ok(io::Cursor::new(self.0))
    }
}

struct OnDisk<'a>(&'a Path);

impl Source for OnDisk<'_> {
    type Reader = io::BufReader<File>;
    fn open(&self) -> io::Result<Self::Reader> {
        File::open(self.0).map(io::BufReader::new)
    }
}

/// A file member to extract, its name checked and its directory made.
struct Member {
    index: usize,
    raw_name: String,
    target: PathBuf,
    executable: bool,
    /// Uncompressed size, to share the work out evenly.
    size: u64,
}

fn unpack_archive(
    source: &impl Source,
    size: u64,
    wheel_name: &str,
    dest: &Path,
) -> Result<(), InstallError> {
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: wheel_name.to_string(),
        reason,
    };
    let reader = source.open().ctx("open", Path::new(wheel_name))?;
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| invalid(format!("it is not a zip archive ({e})")))?;

    let record = read_wheel_record(&mut archive).map_err(&invalid)?;
    // Names are checked and directories made first, in archive order, so
    // the threads below only write files.
    let mut dirs = Directories::new(dest);
    let mut members = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let member = archive
            .by_index_raw(index)
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
        if member.is_dir() {
            dirs.ensure(&relative)?;
            continue;
        }
        if let Some(parent) = relative.parent() {
            dirs.ensure(parent)?;
        }
        members.push(Member {
            index,
            target: dest.join(&relative),
            executable: member.unix_mode().is_some_and(|m| m & 0o111 != 0),
            size: member.size(),
            raw_name,
        });
    }

    let threads = if size >= PARALLEL_FROM {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
    } else {
        1
    };
    let mut shares = share_out(members, threads);
    let first = shares.pop().unwrap_or_default();
    let (record, invalid) = (&record, &invalid);
    std::thread::scope(|scope| {
        let others: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    let reader = source.open().ctx("open", Path::new(wheel_name))?;
                    let mut archive = zip::ZipArchive::new(reader)
                        .map_err(|e| invalid(format!("it is not a zip archive ({e})")))?;
                    extract_members(&mut archive, &share, record, wheel_name)
                })
            })
            .collect();
        let mine = extract_members(&mut archive, &first, record, wheel_name);
        others.into_iter().try_for_each(|thread| {
            thread
                .join()
                .unwrap_or_else(|_| Err(invalid("an unpacking thread stopped unexpectedly".into())))
        })?;
        mine
    })?;
    let unpacked = UnpackedWheel::open_as(dest, wheel_name)?;
    // The `.dist-info` must be the one the file name promises: a wheel
    // named `a-1.0-…` that installs `b-2.0.dist-info` is refused. (A file
    // known only by its store name, without `.whl`, has no name to check.)
    if !wheel_name.ends_with(".whl") {
        return Ok(());
    }
    let filename = wheel_name
        .parse::<WheelFilename>()
        .map_err(|e| invalid(format!("its file name is not a wheel file name ({e})")))?;
    crate::verify::check_wheel_identity(&filename, &unpacked.dist_info)?;
    Ok(())
}

/// Splits `members` into `n` shares of about equal work, a directory's
/// files all in one share (largest directories first, each to the share
/// with the least work so far; a file costs its size plus about what
/// creating it costs).
///
/// Whole directories, because creating a file holds its directory's lock:
/// on a disk where creating a file is slow (ext4 just after a mass
/// deletion scans recently freed inodes under that lock), two threads
/// filling one directory take turns, and the waiting one spins.
fn share_out(members: Vec<Member>, n: usize) -> Vec<Vec<Member>> {
    const PER_FILE: u64 = 16 * 1024;
    if n <= 1 {
        return vec![members];
    }
    let mut by_dir: HashMap<PathBuf, (u64, Vec<Member>)> = HashMap::new();
    for member in members {
        let dir = member
            .target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let group = by_dir.entry(dir).or_default();
        group.0 += member.size + PER_FILE;
        group.1.push(member);
    }
    let mut groups: Vec<(u64, Vec<Member>)> = by_dir.into_values().collect();
    groups.sort_unstable_by_key(|(work, _)| std::cmp::Reverse(*work));
    let mut shares: Vec<(u64, Vec<Member>)> = (0..n).map(|_| (0, Vec::new())).collect();
    for (work, group) in groups {
        let lightest = shares
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("n > 1 shares");
        lightest.0 += work;
        lightest.1.extend(group);
    }
    shares.into_iter().map(|(_, share)| share).collect()
}

/// Extracts `share` and checks each file against the RECORD.
fn extract_members<R: Read + io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    share: &[Member],
    record: &HashMap<String, RecordEntry>,
    wheel_name: &str,
) -> Result<(), InstallError> {
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: wheel_name.to_string(),
        reason,
    };
    let mut extractor = borrow::<Extractor>();
    for m in share {
        let mut member = archive
            .by_index_raw(m.index)
            .map_err(|e| invalid(format!("member {} is unreadable ({e})", m.index)))?;
        let extracted = extractor
            .extract(&mut member, &m.target, m.executable)
            .map_err(|e| match e {
                ExtractError::Io(e) => e,
                ExtractError::Invalid(reason) => {
                    invalid(format!("`{}` is unreadable: {reason}", m.raw_name))
                }
            })?;
        check_against_record(
            record,
            &m.raw_name,
            &m.target,
            extracted.sha256,
            extracted.size,
        )
        .map_err(|detail| InstallError::RecordMismatch {
            wheel: wheel_name.to_string(),
            member: m.raw_name.clone(),
            detail,
        })?;
    }
    Ok(())
}

/// The directories made so far under the destination, so each is created
/// with one `mkdir` and never probed again.
struct Directories<'a> {
    root: &'a Path,
    made: HashSet<PathBuf>,
}

impl<'a> Directories<'a> {
    fn new(root: &'a Path) -> Self {
        Self {
            root,
            made: HashSet::new(),
        }
    }

    /// Makes `relative` (and its missing ancestors) under the root.
    fn ensure(&mut self, relative: &Path) -> Result<(), InstallError> {
        if relative.as_os_str().is_empty() || self.made.contains(relative) {
            return Ok(());
        }
        if let Some(parent) = relative.parent() {
            self.ensure(parent)?;
        }
        let path = self.root.join(relative);
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(e).ctx("create directory", &path),
        }
        self.made.insert(relative.to_path_buf());
        Ok(())
    }
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

/// Checks an extracted member (at `path`) against its RECORD row: size,
/// and hash in whatever algorithm the row uses. sha256, which nearly every
/// wheel uses, was computed while extracting; sha384 and sha512 (allowed
/// by the wheel specification) read the file again; md5 and sha1 are
/// refused, as the specification forbids them, and so is an algorithm
/// posy cannot compute, since the file could then not be checked.
fn check_against_record(
    record: &HashMap<String, RecordEntry>,
    name: &str,
    path: &Path,
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
    let Some(expected) = &entry.hash else {
        return Ok(());
    };
    let digest: Vec<u8> = match expected.algorithm() {
        HashAlgorithm::Sha256 => hasher.finalize().to_vec(),
        HashAlgorithm::Sha384 => digest_file::<sha2::Sha384>(path)?,
        HashAlgorithm::Sha512 => digest_file::<sha2::Sha512>(path)?,
        other => {
            return Err(format!(
                "RECORD gives a {} hash, which the wheel specification does not allow \
                 (sha256 or stronger), so the file cannot be checked",
                other.as_str()
            ));
        }
    };
    let actual = ArtifactHash::new(expected.algorithm(), &digest)
        .map_err(|e| format!("its hash cannot be computed: {e}"))?;
    if &actual != expected {
        return Err(format!(
            "RECORD says {}, the file has {}",
            expected.to_record(),
            actual.to_record()
        ));
    }
    Ok(())
}

/// The digest of a file on disk (for RECORD rows that are not sha256).
fn digest_file<D: Digest>(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read it back: {e}"))?;
    Ok(D::digest(&bytes).to_vec())
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
    fn record_rows_in_every_allowed_algorithm_are_checked() {
        let content = b"print('hi')\n".to_vec();
        let wheel_with = |row: String| {
            let record = format!("m.py,{row},{}\nm-1.0.dist-info/RECORD,,\n", content.len());
            zip_of(&[
                ("m.py".into(), content.clone()),
                (
                    "m-1.0.dist-info/METADATA".into(),
                    b"Metadata-Version: 2.1\nName: m\nVersion: 1.0\n".to_vec(),
                ),
                (
                    "m-1.0.dist-info/WHEEL".into(),
                    b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
                ),
                ("m-1.0.dist-info/RECORD".into(), record.into_bytes()),
            ])
        };
        let row = |algorithm: HashAlgorithm, digest: &[u8]| {
            ArtifactHash::new(algorithm, digest).unwrap().to_record()
        };
        let sha512 = row(HashAlgorithm::Sha512, &sha2::Sha512::digest(&content));
        let sha384_wrong = row(HashAlgorithm::Sha384, &sha2::Sha384::digest(b"other"));
        let md5 = row(HashAlgorithm::Md5, &[0u8; 16]);
        let unpack = |bytes: Vec<u8>| {
            let dest = tempfile::tempdir().unwrap();
            unpack_wheel_bytes(&bytes, "m-1.0-py3-none-any.whl", dest.path()).map(|_| ())
        };
        unpack(wheel_with(sha512)).unwrap();
        let wrong = unpack(wheel_with(sha384_wrong)).unwrap_err().to_string();
        assert!(wrong.contains("RECORD says sha384="), "{wrong}");
        let weak = unpack(wheel_with(md5)).unwrap_err().to_string();
        assert!(weak.contains("md5 hash"), "{weak}");
    }

    #[test]
    fn every_kind_of_member_comes_out_whole_from_a_file_or_from_memory() {
        use zip::write::SimpleFileOptions;
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        // Larger than the extractor's output buffer, and not all alike, so it
        // is inflated and written in several pieces.
        let big: Vec<u8> = (0..5_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 ^ (i % 7) as u8)
            .collect();
        let members: Vec<(&str, Vec<u8>, SimpleFileOptions)> = vec![
            ("shapes/stored.txt", b"kept as is".to_vec(), stored),
            ("shapes/empty.py", Vec::new(), deflated),
            ("shapes/deep/er/big.bin", big.clone(), deflated),
            ("shapes/big-stored.bin", big, stored),
            (
                "shapes-1.0.data/scripts/tool",
                b"#!python\nprint(1)\n".to_vec(),
                deflated.unix_permissions(0o755),
            ),
        ];
        let wheel = members.iter().fold(
            TestWheel::new("shapes", "1.0"),
            |w, (path, bytes, options)| w.file_with(path, bytes, *options),
        );
        let bytes = wheel.zip();
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(wheel.filename());
        fs::write(&file, &bytes).unwrap();
        let from_file = tmp.path().join("from-file");
        let from_memory = tmp.path().join("from-memory");
        fs::create_dir(&from_file).unwrap();
        fs::create_dir(&from_memory).unwrap();
        unpack_wheel(&file, &from_file).unwrap();
        unpack_wheel_bytes(&bytes, &wheel.filename(), &from_memory).unwrap();
        for dest in [&from_file, &from_memory] {
            for (path, contents, _) in &members {
                assert_eq!(&fs::read(dest.join(path)).unwrap(), contents, "{path}");
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = |p: &str| fs::metadata(dest.join(p)).unwrap().permissions().mode();
                assert_ne!(mode("shapes-1.0.data/scripts/tool") & 0o100, 0);
                assert_eq!(mode("shapes/stored.txt") & 0o111, 0);
            }
            assert!(UnpackedWheel::open(dest).is_ok());
        }
    }

    #[test]
    fn work_is_shared_out_evenly_by_directory_and_every_member_once() {
        let member = |index: usize, dir: &str, size: u64| Member {
            index,
            raw_name: format!("{dir}/m{index}"),
            target: PathBuf::from(format!("/w/{dir}/m{index}")),
            executable: false,
            size,
        };
        let members = vec![
            member(0, "a", 900_000),
            member(1, "b", 10),
            member(2, "c", 500_000),
            member(3, "d", 400_000),
            member(4, "b", 20),
            member(5, "c", 30),
            member(6, "e", 100_000),
        ];
        let shares = share_out(members, 2);
        assert_eq!(shares.len(), 2);
        let mut seen: Vec<usize> = shares.iter().flatten().map(|m| m.index).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        let work: Vec<u64> = shares
            .iter()
            .map(|share| share.iter().map(|m| m.size).sum())
            .collect();
        assert!(work[0].abs_diff(work[1]) <= 200_000, "{work:?}");
        for dir in ["/w/b", "/w/c"] {
            let holders = shares
                .iter()
                .filter(|share| {
                    share
                        .iter()
                        .any(|m| m.target.parent() == Some(Path::new(dir)))
                })
                .count();
            assert_eq!(holders, 1, "{dir} is split between shares");
        }
        assert_eq!(share_out(vec![member(0, "a", 1)], 1).len(), 1);
    }

    #[test]
    fn a_big_wheel_unpacked_by_several_threads_still_checks_every_file() {
        // Over PARALLEL_FROM even compressed, so its directories are shared
        // out among threads; the bad file is in one of the small ones.
        let noise: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut wheel = TestWheel::new("big", "1.0").file_with("big/noise.bin", &noise, stored);
        for i in 0..50 {
            let text = format!("N = {i}\n");
            let path = format!("big/d{}/m{i}.py", i % 5);
            wheel = wheel.file_with(&path, text.as_bytes(), stored);
        }
        let good = wheel.zip();
        assert!(good.len() as u64 >= PARALLEL_FROM);
        let dest = tempfile::tempdir().unwrap();
        unpack_wheel_bytes(&good, &wheel.filename(), dest.path()).unwrap();
        assert_eq!(fs::read(dest.path().join("big/noise.bin")).unwrap(), noise);
        assert_eq!(
            fs::read_to_string(dest.path().join("big/d4/m49.py")).unwrap(),
            "N = 49\n"
        );

        // Same length, other content: the RECORD's hash no longer matches
        // (nor the CRC-32; either way the file is refused by name).
        let at = good
            .windows(7)
            .position(|w| w == b"N = 37\n")
            .expect("stored as is");
        let mut bad = good.clone();
        bad[at + 4] = b'8';
        let dest = tempfile::tempdir().unwrap();
        let error = unpack_wheel_bytes(&bad, &wheel.filename(), dest.path()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("big/d2/m37.py"), "{text}");
    }

    #[test]
    fn members_that_disagree_with_the_central_directory_are_refused() {
        let text = "print('hello')\n";
        let bytes = TestWheel::new("liar", "1.0").file("liar/a.py", text).zip();
        // The first central directory entry (`liar/a.py`): its CRC-32 is at
        // offset 16, its uncompressed size at 24.
        let entry = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        let field =
            |at: usize| u32::from_le_bytes(bytes[entry + at..entry + at + 4].try_into().unwrap());
        let size = u32::try_from(text.len()).unwrap();
        assert_eq!(field(24), size);
        for (at, value, says) in [
            (16, field(16) ^ 1, "CRC-32"),
            (24, size - 1, "holds more than the 14 bytes"),
            (24, size + 1, "its header says 16 bytes, its data holds 15"),
        ] {
            let mut broken = bytes.clone();
            broken[entry + at..entry + at + 4].copy_from_slice(&value.to_le_bytes());
            let dest = tempfile::tempdir().unwrap();
            let error = unpack_wheel_bytes(&broken, "liar-1.0-py3-none-any.whl", dest.path())
                .unwrap_err()
                .to_string();
            assert!(error.contains("`liar/a.py` is unreadable"), "{error}");
            assert!(error.contains(says), "{error}");
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
