//! Unpacking sdist archives safely, and reading `PKG-INFO` out of them.
//!
//! An sdist is a `.tar.gz` (PEP 625), or in older releases a `.zip` or a
//! `.tar.bz2`. The kind is sniffed from the first bytes, not the name. The
//! archive comes from the network and is hostile until proven otherwise, so
//! extraction refuses, with an error naming the member:
//!
//! - absolute member paths, Windows prefixes, and `..` that climbs out;
//! - device files, FIFOs and any member type other than file, directory,
//!   hard link and symbolic link;
//! - hard links whose target is not a regular file extracted earlier (they
//!   are materialised as copies, so nothing can be linked from outside);
//! - symbolic links that are absolute, or whose target, resolved from the
//!   link's directory, leaves the tree or passes through another link.
//!
//! Symbolic links are created last, after every file and directory, so no
//! write ever goes through a link; with the rule above, a link can only
//! point at a real path inside the tree. Everything is written into a fresh
//! temporary directory beside the destination and renamed into place at
//! the end, so a refused or broken archive leaves nothing behind.
//! Permissions are normalised: executable members get 0o755, others 0o644.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::error::{BuildError, IoContext};

/// The compression and container of an sdist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArchiveKind {
    TarGz,
    TarBz2,
    Tar,
    Zip,
}

fn sniff(archive: &Path) -> Result<ArchiveKind, BuildError> {
    let mut file = File::open(archive).ctx("open", archive)?;
    let mut head = [0u8; 512];
    let mut read = 0;
    while read < head.len() {
        let n = file.read(&mut head[read..]).ctx("read", archive)?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let head = &head[..read];
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(ArchiveKind::TarGz)
    } else if head.starts_with(b"BZh") {
        Ok(ArchiveKind::TarBz2)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Ok(ArchiveKind::Zip)
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Ok(ArchiveKind::Tar)
    } else {
        Err(BuildError::BadArchive {
            archive: archive.to_path_buf(),
            reason: "it is not a .tar.gz, .tar.bz2, .tar or .zip archive".into(),
        })
    }
}

fn tar_reader(
    archive: &Path,
    kind: ArchiveKind,
) -> Result<tar::Archive<Box<dyn Read>>, BuildError> {
    let file = BufReader::new(File::open(archive).ctx("open", archive)?);
    let reader: Box<dyn Read> = match kind {
        ArchiveKind::TarGz => Box::new(flate2::read::GzDecoder::new(file)),
        ArchiveKind::TarBz2 => Box::new(bzip2::read::BzDecoder::new(file)),
        ArchiveKind::Tar | ArchiveKind::Zip => Box::new(file),
    };
    Ok(tar::Archive::new(reader))
}

fn zip_reader(archive: &Path) -> Result<zip::ZipArchive<BufReader<File>>, BuildError> {
    let file = BufReader::new(File::open(archive).ctx("open", archive)?);
    zip::ZipArchive::new(file).map_err(|e| BuildError::BadArchive {
        archive: archive.to_path_buf(),
        reason: format!("it is not a readable zip archive ({e})"),
    })
}

/// Extracts the sdist at `archive` to `dest`, which must not exist yet,
/// and returns the project root inside it: the archive's single top-level
/// directory (`name-version/`), or `dest` itself when there is none.
///
/// On any error nothing is left at `dest` (see the module documentation for
/// what is refused).
pub fn unpack_sdist(archive: &Path, dest: &Path) -> Result<PathBuf, BuildError> {
    let parent = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).ctx("create directory", parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".posy-unpack-")
        .tempdir_in(parent)
        .ctx("create a temporary directory in", parent)?;
    let mut sink = Sink::new(archive, staging.path());
    match sniff(archive)? {
        ArchiveKind::Zip => extract_zip(archive, &mut sink)?,
        kind => extract_tar(archive, kind, &mut sink)?,
    }
    sink.finish()?;
    let top = single_top_dir(staging.path())?;
    let staged = staging.keep();
    if let Err(e) = fs::rename(&staged, dest) {
        let _ = fs::remove_dir_all(&staged);
        return Err(e).ctx("move the unpacked sdist to", dest);
    }
    Ok(match top {
        Some(name) => dest.join(name),
        None => dest.to_path_buf(),
    })
}

fn single_top_dir(root: &Path) -> Result<Option<std::ffi::OsString>, BuildError> {
    let mut entries = fs::read_dir(root)
        .ctx("read", root)?
        .collect::<Result<Vec<_>, _>>()
        .ctx("read", root)?;
    if entries.len() == 1 && entries[0].file_type().ctx("inspect", root)?.is_dir() {
        return Ok(Some(entries.remove(0).file_name()));
    }
    Ok(None)
}

fn extract_tar(archive: &Path, kind: ArchiveKind, sink: &mut Sink) -> Result<(), BuildError> {
    let mut tar = tar_reader(archive, kind)?;
    let bad = |e: io::Error| BuildError::BadArchive {
        archive: archive.to_path_buf(),
        reason: e.to_string(),
    };
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        use tar::EntryType as T;
        match kind {
            T::Regular | T::Continuous => {
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                sink.file(&raw, &mut entry, executable)?;
            }
            T::Directory => sink.dir(&raw)?,
            T::Symlink | T::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .ok_or_else(|| sink.refuse(&raw, "it is a link without a target"))?;
                if kind == T::Link {
                    sink.hardlink(&raw, &target)?;
                } else {
                    sink.symlink(&raw, &target)?;
                }
            }
            // Metadata records that the tar crate surfaces as entries.
            T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {}
            T::Char | T::Block => return Err(sink.refuse(&raw, "it is a device file")),
            T::Fifo => return Err(sink.refuse(&raw, "it is a FIFO")),
            other => {
                return Err(sink.refuse(&raw, &format!("it has the unsupported type {other:?}")));
            }
        }
    }
    Ok(())
}

fn extract_zip(archive: &Path, sink: &mut Sink) -> Result<(), BuildError> {
    let mut zip = zip_reader(archive)?;
    for index in 0..zip.len() {
        let mut member = zip.by_index(index).map_err(|e| BuildError::BadArchive {
            archive: archive.to_path_buf(),
            reason: format!("member {index} is unreadable ({e})"),
        })?;
        let raw = member
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("member {index}"));
        let mode = member.unix_mode();
        let file_type = mode.map(|m| m & 0o170000);
        if member.is_symlink() {
            let mut target = String::new();
            member
                .read_to_string(&mut target)
                .map_err(|e| sink.refuse(&raw, &format!("its link target is unreadable ({e})")))?;
            sink.symlink(&raw, &target)?;
        } else if member.is_dir() {
            sink.dir(&raw)?;
        } else if matches!(file_type, Some(0o010000 | 0o020000 | 0o060000 | 0o140000)) {
            return Err(sink.refuse(&raw, "it is a device file, FIFO or socket"));
        } else {
            let executable = mode.is_some_and(|m| m & 0o111 != 0);
            sink.file(&raw, &mut member, executable)?;
        }
    }
    Ok(())
}

/// Writes checked members under `root`, deferring symbolic links.
struct Sink<'a> {
    archive: &'a Path,
    root: &'a Path,
    files: HashSet<PathBuf>,
    /// (link path relative to `root`, target as written), checked in `finish`.
    symlinks: Vec<(PathBuf, PathBuf)>,
    symlink_paths: HashSet<PathBuf>,
}

impl<'a> Sink<'a> {
    fn new(archive: &'a Path, root: &'a Path) -> Self {
        Sink {
            archive,
            root,
            files: HashSet::new(),
            symlinks: Vec::new(),
            symlink_paths: HashSet::new(),
        }
    }

    fn refuse(&self, member: &str, reason: &str) -> BuildError {
        BuildError::UnsafeArchive {
            archive: self.archive.to_path_buf(),
            reason: format!("member `{member}`: {reason}"),
        }
    }

    /// The member's path relative to the root, if it is safe to write.
    fn relative(&self, member: &str) -> Result<PathBuf, BuildError> {
        if member.contains('\0') {
            return Err(self.refuse(member, "its name contains a NUL byte"));
        }
        if member.starts_with('/') || member.starts_with('\\') {
            return Err(self.refuse(member, "it has an absolute path"));
        }
        let mut out = PathBuf::new();
        for component in Path::new(member).components() {
            match component {
                Component::Normal(part) => {
                    // On Windows a backslash separates and a colon names a drive or
                    // an alternate data stream; elsewhere both are ordinary.
                    let text = part.to_string_lossy();
                    if cfg!(windows) && (text.contains('\\') || text.contains(':')) {
                        return Err(self.refuse(member, "it has a Windows-style path"));
                    }
                    out.push(part);
                }
                Component::CurDir => {}
                Component::ParentDir => {
                    return Err(self.refuse(member, "its path contains `..`"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(self.refuse(member, "it has an absolute path"));
                }
            }
        }
        if out.as_os_str().is_empty() {
            return Err(self.refuse(member, "its path is empty"));
        }
        if self.through_symlink(&out) {
            return Err(self.refuse(member, "its path goes through a symbolic link"));
        }
        Ok(out)
    }

    /// Whether a proper ancestor of `rel` is a symbolic link member.
    fn through_symlink(&self, rel: &Path) -> bool {
        rel.ancestors()
            .skip(1)
            .any(|a| !a.as_os_str().is_empty() && self.symlink_paths.contains(a))
    }

    fn dir(&mut self, member: &str) -> Result<(), BuildError> {
        let rel = self.relative(member)?;
        if self.symlink_paths.contains(&rel) {
            return Err(self.refuse(member, "it replaces a symbolic link"));
        }
        let path = self.root.join(rel);
        fs::create_dir_all(&path).ctx("create directory", &path)
    }

    fn file(
        &mut self,
        member: &str,
        reader: &mut dyn Read,
        executable: bool,
    ) -> Result<(), BuildError> {
        let rel = self.relative(member)?;
        if self.symlink_paths.contains(&rel) {
            return Err(self.refuse(member, "it replaces a symbolic link"));
        }
        let path = self.root.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).ctx("create directory", parent)?;
        }
        let mut out = File::create(&path).ctx("create", &path)?;
        io::copy(reader, &mut out).map_err(|e| BuildError::BadArchive {
            archive: self.archive.to_path_buf(),
            reason: format!("member `{member}` cannot be read ({e})"),
        })?;
        drop(out);
        set_mode(&path, executable)?;
        self.files.insert(rel);
        Ok(())
    }

    fn hardlink(&mut self, member: &str, target: &str) -> Result<(), BuildError> {
        let rel = self.relative(member)?;
        let target_rel = self.relative(target).map_err(|_| {
            self.refuse(
                member,
                &format!("it is a hard link to `{target}`, outside the archive"),
            )
        })?;
        if !self.files.contains(&target_rel) {
            return Err(self.refuse(
                member,
                &format!(
                    "it is a hard link to `{target}`, which is not a file extracted before it"
                ),
            ));
        }
        let from = self.root.join(&target_rel);
        let to = self.root.join(&rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).ctx("create directory", parent)?;
        }
        fs::copy(&from, &to).ctx("copy", &from)?;
        self.files.insert(rel);
        Ok(())
    }

    fn symlink(&mut self, member: &str, target: &str) -> Result<(), BuildError> {
        let rel = self.relative(member)?;
        if target.is_empty() || Path::new(target).has_root() || target.starts_with('\\') {
            return Err(self.refuse(
                member,
                &format!("it is a symbolic link to the absolute path `{target}`"),
            ));
        }
        self.symlink_paths.insert(rel.clone());
        self.symlinks.push((rel, PathBuf::from(target)));
        Ok(())
    }

    /// Resolves a link's target from the link's directory, one component
    /// at a time, refusing to climb above the root or to pass through a link
    /// (all links are known by now). Returns the target relative to the root.
    fn resolve_link(&self, rel: &Path, target: &Path) -> Result<PathBuf, BuildError> {
        let member = rel.display().to_string();
        let shown = target.display();
        let mut resolved = rel.parent().map(Path::to_path_buf).unwrap_or_default();
        let components: Vec<_> = target.components().collect();
        for (i, component) in components.iter().enumerate() {
            match component {
                Component::Normal(part) => {
                    resolved.push(part);
                    let last = i + 1 == components.len();
                    if !last && self.symlink_paths.contains(&resolved) {
                        return Err(self.refuse(
                            &member,
                            &format!("its target `{shown}` passes through another symbolic link"),
                        ));
                    }
                }
                Component::CurDir => {}
                Component::ParentDir => {
                    if !resolved.pop() {
                        return Err(self.refuse(
                            &member,
                            &format!("it is a symbolic link to `{shown}`, outside the archive"),
                        ));
                    }
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(self.refuse(
                        &member,
                        &format!("it is a symbolic link to the absolute path `{shown}`"),
                    ));
                }
            }
        }
        if resolved.as_os_str().is_empty() || rel.starts_with(&resolved) {
            return Err(self.refuse(
                &member,
                &format!("it is a symbolic link to `{shown}`, one of its own ancestors"),
            ));
        }
        Ok(resolved)
    }

    /// Creates the deferred symbolic links, each pointing, relatively, at
    /// its checked target.
    fn finish(self) -> Result<(), BuildError> {
        for (rel, target) in &self.symlinks {
            let resolved = self.resolve_link(rel, target)?;
            if self.through_symlink(rel) {
                return Err(self.refuse(
                    &rel.display().to_string(),
                    "its path goes through a symbolic link",
                ));
            }
            let link = self.root.join(rel);
            if let Some(parent) = link.parent() {
                fs::create_dir_all(parent).ctx("create directory", parent)?;
            }
            if fs::symlink_metadata(&link).is_ok() {
                return Err(self.refuse(
                    &rel.display().to_string(),
                    "it is a symbolic link that replaces another member",
                ));
            }
            let depth = rel.components().count().saturating_sub(1);
            let mut relative_target = PathBuf::new();
            for _ in 0..depth {
                relative_target.push("..");
            }
            relative_target.push(resolved);
            make_symlink(&relative_target, &link, self.archive, rel)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn make_symlink(
    target: &Path,
    link: &Path,
    _archive: &Path,
    _rel: &Path,
) -> Result<(), BuildError> {
    std::os::unix::fs::symlink(target, link).ctx("create the symbolic link", link)
}

#[cfg(not(unix))]
fn make_symlink(
    _target: &Path,
    _link: &Path,
    archive: &Path,
    rel: &Path,
) -> Result<(), BuildError> {
    Err(BuildError::UnsafeArchive {
        archive: archive.to_path_buf(),
        reason: format!(
            "member `{}` is a symbolic link, which posy does not create on this platform",
            rel.display()
        ),
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> Result<(), BuildError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).ctx("set permissions of", path)
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _executable: bool) -> Result<(), BuildError> {
    Ok(())
}

/// The bytes of the sdist's `PKG-INFO` (the one in its top-level
/// directory), read without extracting anything else; `None` if there is
/// no such file.
pub fn read_pkg_info(archive: &Path) -> Result<Option<Vec<u8>>, BuildError> {
    let is_pkg_info = |name: &str| {
        let parts: Vec<&str> = name.trim_start_matches("./").split('/').collect();
        parts.len() == 2 && parts[1] == "PKG-INFO" && !parts[0].is_empty() && parts[0] != ".."
    };
    let bad = |e: &dyn std::fmt::Display| BuildError::BadArchive {
        archive: archive.to_path_buf(),
        reason: e.to_string(),
    };
    match sniff(archive)? {
        ArchiveKind::Zip => {
            let mut zip = zip_reader(archive)?;
            let names: Vec<String> = zip
                .file_names()
                .filter_map(|n| n.ok().map(|n| n.into_owned()))
                .collect();
            let Some(name) = names.into_iter().find(|n| is_pkg_info(n)) else {
                return Ok(None);
            };
            let mut member = zip.by_name(&name).map_err(|e| bad(&e))?;
            read_limited(&mut member).map(Some).map_err(|e| bad(&e))
        }
        kind => {
            let mut tar = tar_reader(archive, kind)?;
            for entry in tar.entries().map_err(|e| bad(&e))? {
                let mut entry = entry.map_err(|e| bad(&e))?;
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                if entry.header().entry_type().is_file() && is_pkg_info(&name) {
                    return read_limited(&mut entry).map(Some).map_err(|e| bad(&e));
                }
            }
            Ok(None)
        }
    }
}

/// Reads a metadata file, refusing one larger than any real one (16 MiB).
fn read_limited(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    const LIMIT: u64 = 16 << 20;
    let mut bytes = Vec::new();
    reader.take(LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > LIMIT {
        return Err(io::Error::other("PKG-INFO is larger than 16 MiB"));
    }
    Ok(bytes)
}

/// The sha256 of a file, streamed.
pub(crate) fn sha256_file(path: &Path) -> Result<String, BuildError> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path).ctx("open", path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).ctx("read", path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
