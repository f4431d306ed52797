//! One built file (a wheel or an sdist) with everything an index says about it.
//!
//! An artifact carries its bytes, their sha256, the core metadata that PEP
//! 658 serves beside a wheel, and the per-file facts an index page lists:
//! requires-python, yanked (PEP 592) and upload time (PEP 700). Bytes are
//! shared (`Arc`), so an index can hand out the same wheel to many requests
//! without copying it. [`Artifact::raw`] wraps bytes that the test made
//! itself, for example a "wheel" that is not a zip at all.

use crate::{Error, digest, package::DEFAULT_UPLOAD_TIME};
use posy_vocab::PackageName;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether an artifact is a built or a source distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    /// A `.whl` file.
    Wheel,
    /// A `.tar.gz` (or other) source distribution.
    Sdist,
}

/// A wheel or sdist file, ready to be written to disk or served.
#[derive(Clone, Debug)]
pub struct Artifact {
    project: PackageName,
    version: String,
    kind: ArtifactKind,
    filename: String,
    bytes: Arc<[u8]>,
    sha256: String,
    metadata: Option<(Arc<[u8]>, String)>,
    pub(crate) requires_python: Option<String>,
    pub(crate) yanked: Option<String>,
    pub(crate) upload_time: String,
}

impl Artifact {
    pub(crate) fn new(
        project: PackageName,
        version: &str,
        kind: ArtifactKind,
        filename: String,
        bytes: Vec<u8>,
        metadata: Option<Vec<u8>>,
    ) -> Self {
        let sha256 = digest::sha256_hex(&bytes);
        let metadata = metadata.map(|m| {
            let hash = digest::sha256_hex(&m);
            (Arc::from(m), hash)
        });
        Self {
            project,
            version: version.to_string(),
            kind,
            filename,
            bytes: Arc::from(bytes),
            sha256,
            metadata,
            requires_python: None,
            yanked: None,
            upload_time: DEFAULT_UPLOAD_TIME.to_string(),
        }
    }

    /// A file with bytes the test made itself, listed under `project` at
    /// `version`. It is a wheel when `filename` ends in `.whl`.
    pub fn raw(
        project: &str,
        version: &str,
        filename: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<Self, Error> {
        let kind = if filename.ends_with(".whl") {
            ArtifactKind::Wheel
        } else {
            ArtifactKind::Sdist
        };
        let project = PackageName::new(project)?;
        Ok(Self::new(
            project,
            version,
            kind,
            filename.to_string(),
            bytes.into(),
            None,
        ))
    }

    /// Serves `metadata` as this file's PEP 658 `.metadata` file.
    pub fn with_metadata(mut self, metadata: impl Into<Vec<u8>>) -> Self {
        let metadata = metadata.into();
        let hash = digest::sha256_hex(&metadata);
        self.metadata = Some((Arc::from(metadata), hash));
        self
    }

    /// Lists the file with this `requires-python`.
    pub fn with_requires_python(mut self, specifier: &str) -> Self {
        self.requires_python = Some(specifier.to_string());
        self
    }

    /// Lists the file as yanked; an empty reason means yanked without a reason.
    pub fn with_yanked(mut self, reason: &str) -> Self {
        self.yanked = Some(reason.to_string());
        self
    }

    /// Lists the file with this upload time (`2024-05-01T12:00:00.000000Z`).
    pub fn with_upload_time(mut self, time: &str) -> Self {
        self.upload_time = time.to_string();
        self
    }

    /// The normalized project name the file is listed under.
    pub fn project(&self) -> &PackageName {
        &self.project
    }

    /// The version, as the package description wrote it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Wheel or sdist.
    pub fn kind(&self) -> ArtifactKind {
        self.kind
    }

    /// The file name, e.g. `b-2.0-py3-none-any.whl`.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn shared_bytes(&self) -> Arc<[u8]> {
        Arc::clone(&self.bytes)
    }

    /// The sha256 of the bytes, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The core metadata served as `{filename}.metadata` (wheels only, unless set).
    pub fn metadata(&self) -> Option<&[u8]> {
        self.metadata.as_ref().map(|(m, _)| &m[..])
    }

    pub(crate) fn shared_metadata(&self) -> Option<Arc<[u8]>> {
        self.metadata.as_ref().map(|(m, _)| Arc::clone(m))
    }

    /// The sha256 of the metadata file, lowercase hex.
    pub fn metadata_sha256(&self) -> Option<&str> {
        self.metadata.as_ref().map(|(_, hash)| hash.as_str())
    }

    /// The `requires-python` the index lists for this file.
    pub fn requires_python(&self) -> Option<&str> {
        self.requires_python.as_deref()
    }

    /// The yank reason, if the file is yanked (empty: no reason given).
    pub fn yanked(&self) -> Option<&str> {
        self.yanked.as_deref()
    }

    /// The upload time the index lists (PEP 700).
    pub fn upload_time(&self) -> &str {
        &self.upload_time
    }

    /// Writes the file into `dir` (which must exist) and returns its path.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf, Error> {
        let path = dir.join(&self.filename);
        std::fs::write(&path, &self.bytes).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_artifacts_hash_their_bytes() {
        let artifact = Artifact::raw("A_B", "1.0", "a_b-1.0-py3-none-any.whl", "not a zip")
            .unwrap()
            .with_metadata("Metadata-Version: 2.1\nName: a_b\nVersion: 1.0\n")
            .with_yanked("broken");
        assert_eq!(artifact.kind(), ArtifactKind::Wheel);
        assert_eq!(artifact.project().as_str(), "a-b");
        assert_eq!(artifact.sha256(), digest::sha256_hex(b"not a zip"));
        assert!(artifact.metadata_sha256().is_some());
        assert_eq!(artifact.yanked(), Some("broken"));
    }

    #[test]
    fn write_to_puts_the_file_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let artifact = Artifact::raw("a", "1.0", "a-1.0.tar.gz", "x").unwrap();
        let path = artifact.write_to(dir.path()).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"x");
    }
}
