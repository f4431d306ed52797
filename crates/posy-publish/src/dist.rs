//! A file to upload: which kind of distribution it is, the core metadata it
//! carries, and its digests.
//!
//! The metadata is read from the file itself, never from its name alone: a
//! wheel's `*.dist-info/METADATA`, an sdist's top-level `PKG-INFO`. The
//! name and version it states must be the ones its file name states (an
//! index rejects the upload otherwise, with a message that is harder to
//! read than ours). The raw header fields are kept as written, because
//! the upload form sends them as text; [`CoreMetadata`] parsing is only
//! the check that they make sense.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use posy_vocab::{CoreMetadata, Headers, PackageName, SdistFilename, Version, WheelFilename};
use sha2::{Digest, Sha256};

use crate::error::PublishError;

/// Which kind of distribution a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistKind {
    Wheel(WheelFilename),
    Sdist(SdistFilename),
}

impl DistKind {
    /// The upload form's `filetype`.
    pub fn filetype(&self) -> &'static str {
        match self {
            DistKind::Wheel(_) => "bdist_wheel",
            DistKind::Sdist(_) => "sdist",
        }
    }

    /// The upload form's `pyversion`: a wheel's python tags, `source` for an sdist.
    pub fn pyversion(&self) -> String {
        match self {
            DistKind::Wheel(wheel) => wheel.python_tags().collect::<Vec<_>>().join("."),
            DistKind::Sdist(_) => "source".to_string(),
        }
    }
}

/// A wheel or sdist ready to upload (see the module documentation).
#[derive(Debug, Clone)]
pub struct DistFile {
    pub path: PathBuf,
    /// The file's base name, as it will be named on the index.
    pub filename: String,
    pub kind: DistKind,
    pub name: PackageName,
    pub version: Version,
    /// The core metadata as written (`METADATA` or `PKG-INFO`).
    pub metadata: Headers,
    /// Lowercase hex digests of the whole file.
    pub sha256: String,
    pub blake2_256: String,
    pub size: u64,
}

impl DistFile {
    /// Reads `path`: its kind from its name, its metadata from inside,
    /// its digests from its bytes.
    pub fn read(path: &Path) -> Result<DistFile, PublishError> {
        let invalid = |reason: String| PublishError::InvalidFile {
            path: path.to_path_buf(),
            reason,
        };
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| invalid("its name is not valid UTF-8".into()))?
            .to_string();
        let kind = if filename.ends_with(".whl") {
            DistKind::Wheel(
                filename
                    .parse()
                    .map_err(|e| invalid(format!("not a valid wheel file name: {e}")))?,
            )
        } else if filename.ends_with(".tar.gz") || filename.ends_with(".zip") {
            DistKind::Sdist(
                filename
                    .parse()
                    .map_err(|e| invalid(format!("not a valid sdist file name: {e}")))?,
            )
        } else {
            return Err(invalid(
                "only wheels (`.whl`) and sdists (`.tar.gz`, `.zip`) can be published".into(),
            ));
        };
        let bytes = match &kind {
            DistKind::Wheel(_) => zip_member(path, is_wheel_metadata),
            DistKind::Sdist(sdist) if sdist.extension().is_zip() => zip_member(path, is_pkg_info),
            DistKind::Sdist(_) => tar_gz_member(path, is_pkg_info),
        }?
        .ok_or_else(|| {
            invalid(match &kind {
                DistKind::Wheel(_) => "it holds no `*.dist-info/METADATA`".into(),
                DistKind::Sdist(_) => "it holds no top-level `PKG-INFO`".into(),
            })
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| invalid("its core metadata is not valid UTF-8".into()))?;
        let parsed = CoreMetadata::parse_str(&text)
            .map_err(|e| invalid(format!("its core metadata is invalid: {e}")))?;
        let metadata = Headers::parse(&text)
            .map_err(|e| invalid(format!("its core metadata is invalid: {e}")))?;
        let (file_name, file_version) = match &kind {
            DistKind::Wheel(w) => (w.name(), w.version()),
            DistKind::Sdist(s) => (s.name(), s.version()),
        };
        if &parsed.name != file_name || &parsed.version != file_version {
            return Err(invalid(format!(
                "its metadata names {} {}, but its file name {} {}",
                parsed.name, parsed.version, file_name, file_version
            )));
        }
        let (sha256, blake2_256, size) = digests(path)?;
        Ok(DistFile {
            path: path.to_path_buf(),
            filename,
            kind,
            name: parsed.name,
            version: parsed.version,
            metadata,
            sha256,
            blake2_256,
            size,
        })
    }
}

/// `NAME.dist-info/METADATA` at the top of a wheel.
fn is_wheel_metadata(entry: &str) -> bool {
    entry
        .split_once('/')
        .is_some_and(|(dir, file)| dir.ends_with(".dist-info") && file == "METADATA")
}

/// `NAME-VERSION/PKG-INFO` at the top of an sdist.
fn is_pkg_info(entry: &str) -> bool {
    let entry = entry.strip_prefix("./").unwrap_or(entry);
    entry
        .split_once('/')
        .is_some_and(|(dir, file)| !dir.is_empty() && file == "PKG-INFO")
}

fn zip_member(path: &Path, wanted: fn(&str) -> bool) -> Result<Option<Vec<u8>>, PublishError> {
    let file = File::open(path).map_err(|e| PublishError::io("open", path, e))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| PublishError::InvalidFile {
            path: path.to_path_buf(),
            reason: format!("not a readable zip archive ({e})"),
        })?;
    let Some(index) = (0..archive.len()).find(|&i| {
        archive
            .by_index_raw(i)
            .is_ok_and(|entry| entry.name().is_ok_and(|name| wanted(&name)))
    }) else {
        return Ok(None);
    };
    let mut member = archive
        .by_index(index)
        .map_err(|e| PublishError::InvalidFile {
            path: path.to_path_buf(),
            reason: format!("its metadata cannot be read ({e})"),
        })?;
    let mut bytes = Vec::new();
    member
        .read_to_end(&mut bytes)
        .map_err(|e| PublishError::io("read", path, e))?;
    Ok(Some(bytes))
}

fn tar_gz_member(path: &Path, wanted: fn(&str) -> bool) -> Result<Option<Vec<u8>>, PublishError> {
    let file = File::open(path).map_err(|e| PublishError::io("open", path, e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let unreadable = |e: std::io::Error| PublishError::InvalidFile {
        path: path.to_path_buf(),
        reason: format!("not a readable .tar.gz archive ({e})"),
    };
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        let name = entry
            .path()
            .map_err(unreadable)?
            .to_string_lossy()
            .into_owned();
        if wanted(&name) {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(unreadable)?;
            return Ok(Some(bytes));
        }
    }
    Ok(None)
}

/// sha256 and blake2b-256 of the file, and its size, in one read.
fn digests(path: &Path) -> Result<(String, String, u64), PublishError> {
    let mut file = File::open(path).map_err(|e| PublishError::io("open", path, e))?;
    let mut sha256 = Sha256::new();
    let mut blake2 = blake2b_simd::Params::new().hash_length(32).to_state();
    let mut buffer = vec![0; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| PublishError::io("read", path, e))?;
        if n == 0 {
            break;
        }
        sha256.update(&buffer[..n]);
        blake2.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((
        hex(&sha256.finalize()),
        blake2.finalize().to_hex().to_string(),
        size,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const METADATA: &str = "Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0\nSummary: A demo\nClassifier: A :: B\nClassifier: C :: D\n\nLong text.\n";

    fn wheel(dir: &Path, name: &str, metadata: &str) -> PathBuf {
        let path = dir.join(name);
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("demo_pkg/__init__.py", options).unwrap();
        zip.start_file("demo_pkg-1.0.dist-info/METADATA", options)
            .unwrap();
        zip.write_all(metadata.as_bytes()).unwrap();
        zip.finish().unwrap();
        path
    }

    fn sdist(dir: &Path, name: &str, metadata: &str) -> PathBuf {
        let path = dir.join(name);
        let gz = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::default(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(metadata.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "demo_pkg-1.0/PKG-INFO", metadata.as_bytes())
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
        path
    }

    #[test]
    fn reads_wheel_and_sdist_metadata_and_digests() {
        let dir = tempfile::tempdir().unwrap();
        let whl = DistFile::read(&wheel(
            dir.path(),
            "demo_pkg-1.0-py3-none-any.whl",
            METADATA,
        ))
        .unwrap();
        assert_eq!(whl.name.as_str(), "demo-pkg");
        assert_eq!(whl.kind.filetype(), "bdist_wheel");
        assert_eq!(whl.kind.pyversion(), "py3");
        assert_eq!(whl.metadata.get_all("classifier").count(), 2);
        let bytes = std::fs::read(&whl.path).unwrap();
        assert_eq!(whl.sha256, hex(&Sha256::digest(&bytes)));
        assert_eq!(whl.size, bytes.len() as u64);
        assert_eq!(whl.blake2_256.len(), 64);

        let sd = DistFile::read(&sdist(dir.path(), "demo_pkg-1.0.tar.gz", METADATA)).unwrap();
        assert_eq!(sd.kind.filetype(), "sdist");
        assert_eq!(sd.kind.pyversion(), "source");
        assert_eq!(sd.metadata.get("Summary"), Some("A demo"));
    }

    #[test]
    fn refuses_mismatched_or_unknown_files() {
        let dir = tempfile::tempdir().unwrap();
        let other = METADATA.replace("Version: 1.0", "Version: 2.0");
        let error = DistFile::read(&wheel(dir.path(), "demo_pkg-1.0-py3-none-any.whl", &other))
            .unwrap_err()
            .to_string();
        assert!(error.contains("demo-pkg 2.0"), "{error}");
        assert!(error.contains("demo_pkg-1.0-py3-none-any.whl"), "{error}");

        let egg = dir.path().join("demo-1.0.egg");
        std::fs::write(&egg, b"x").unwrap();
        let error = DistFile::read(&egg).unwrap_err().to_string();
        assert!(error.contains("only wheels"), "{error}");

        let broken = dir.path().join("demo_pkg-1.0-py3-none-any.whl");
        std::fs::write(&broken, b"not a zip").unwrap();
        let error = DistFile::read(&broken).unwrap_err().to_string();
        assert!(error.contains("not a readable zip"), "{error}");
    }
}
