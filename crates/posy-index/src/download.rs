//! Downloading artifacts into the cache, verified while they stream.
//!
//! The body is written to a staging file and hashed chunk by chunk; only
//! when the last byte has arrived and the digest matches what the index
//! promised is the file moved into the artifacts bucket, under its sha256.
//! A mismatch is an error that names the URL and both digests, and the
//! staging file is deleted: nothing unverified is ever stored. A download
//! that fails midway (reset, truncated body) restarts from zero under the
//! transport's retry policy, into the same emptied staging file.
//!
//! Artifacts are looked up by sha256 before any request, so an artifact
//! whose hash the index states is downloaded once per machine, whatever
//! index or URL it is later found at. Files the index gives no sha256 for
//! are still stored under the digest computed while downloading.
//!
//! The sha2 family (sha224/256/384/512) is verified; an index that only
//! gives md5, sha1 or blake2b digests (old mirrors) cannot be checked by
//! this build, which is logged and accepted, as pip does for hashes it
//! cannot compute only when not in require-hashes mode.

use std::path::PathBuf;

use futures_util::StreamExt;
use posy_vocab::{ArtifactHash, HashAlgorithm, PackageName};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use tokio::sync::Mutex;
use url::Url;

use crate::cache::{ArtifactLookup, Cache};
use crate::error::IndexError;
use crate::redact::redact;
use crate::transport::{Failure, Transport, status_failure};

/// A verified artifact on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Where it is: in the cache, or the original local file for
    /// find-links directories.
    pub path: PathBuf,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

/// Hashes the sha2 family at once; one of them is always sha256.
#[derive(Clone)]
pub(crate) struct Hasher {
    sha256: Sha256,
    other: Option<Other>,
}

#[derive(Clone)]
enum Other {
    Sha224(Sha224),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(expected: &[ArtifactHash]) -> Self {
        let other = expected.iter().find_map(|h| match h.algorithm() {
            HashAlgorithm::Sha224 => Some(Other::Sha224(Sha224::new())),
            HashAlgorithm::Sha384 => Some(Other::Sha384(Sha384::new())),
            HashAlgorithm::Sha512 => Some(Other::Sha512(Sha512::new())),
            _ => None,
        });
        Self {
            sha256: Sha256::new(),
            other,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        match &mut self.other {
            Some(Other::Sha224(h)) => h.update(bytes),
            Some(Other::Sha384(h)) => h.update(bytes),
            Some(Other::Sha512(h)) => h.update(bytes),
            None => {}
        }
    }

    /// Checks the digests against `expected`; returns the sha256 hex.
    pub fn verify(self, expected: &[ArtifactHash], url: &Url) -> Result<String, IndexError> {
        let sha256 = hex(&self.sha256.finalize());
        let other = self.other.map(|other| match other {
            Other::Sha224(h) => (HashAlgorithm::Sha224, hex(&h.finalize())),
            Other::Sha384(h) => (HashAlgorithm::Sha384, hex(&h.finalize())),
            Other::Sha512(h) => (HashAlgorithm::Sha512, hex(&h.finalize())),
        });
        let mut checked = false;
        for hash in expected {
            let actual = match hash.algorithm() {
                HashAlgorithm::Sha256 => Some(sha256.clone()),
                algorithm => other
                    .as_ref()
                    .filter(|(a, _)| *a == algorithm)
                    .map(|(_, h)| h.clone()),
            };
            let Some(actual) = actual else { continue };
            checked = true;
            if actual != hash.hex() {
                return Err(IndexError::HashMismatch {
                    url: redact(url),
                    expected: hash.to_string(),
                    actual: format!("{}:{actual}", hash.algorithm()),
                });
            }
        }
        if !checked && !expected.is_empty() {
            tracing::warn!(
                "{}: cannot check its {} digest; accepting it unverified",
                redact(url),
                expected[0].algorithm()
            );
        }
        Ok(sha256)
    }
}

/// Downloads `url` into the artifacts bucket, verified against `expected`.
pub(crate) async fn download(
    transport: &Transport,
    cache: &Cache,
    url: &Url,
    expected: &[ArtifactHash],
    project: Option<&PackageName>,
) -> Result<Artifact, IndexError> {
    if url.scheme() == "file" {
        return local_file(url, expected).await;
    }
    let known = expected
        .iter()
        .find(|h| h.algorithm() == HashAlgorithm::Sha256)
        .map(ArtifactHash::hex);
    let staging = match cache.lookup_artifact(known.as_deref()).await? {
        ArtifactLookup::Hit(path) => {
            return Ok(Artifact {
                path,
                sha256: known.unwrap_or_default(),
            });
        }
        ArtifactLookup::Miss(staging) => staging,
    };
    let staged = Mutex::new(staging);
    let hasher = transport
        .execute(url, || async {
            let mut staged = staged.lock().await;
            staged
                .reset()
                .map_err(|e| IndexError::io("emptying the staging file", staged.path(), e))?;
            let request = transport
                .request(Method::GET, url)
                .header("accept-encoding", "identity");
            let response = transport.send(request).await?;
            if response.status() != StatusCode::OK {
                return Err(status_failure(&response));
            }
            let mut hasher = Hasher::new(expected);
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(Failure::Transport)?;
                transport.count_bytes(chunk.len());
                hasher.update(&chunk);
                staged
                    .write_all(&chunk)
                    .map_err(|e| IndexError::io("writing the download to", staged.path(), e))?;
            }
            Ok(hasher)
        })
        .await?;
    let sha256 = hasher.verify(expected, url)?;
    let path = cache
        .publish_artifact(staged.into_inner(), &sha256, project)
        .await?;
    Ok(Artifact { path, sha256 })
}

/// A find-links file on disk: hashed and verified in place, not copied.
async fn local_file(url: &Url, expected: &[ArtifactHash]) -> Result<Artifact, IndexError> {
    let path = url.to_file_path().map_err(|()| IndexError::Parse {
        url: redact(url),
        message: "not a local file path".into(),
    })?;
    let mut hasher = Hasher::new(expected);
    let read_path = path.clone();
    let hasher = tokio::task::spawn_blocking(move || -> std::io::Result<Hasher> {
        use std::io::Read;
        let mut file = std::fs::File::open(&read_path)?;
        let mut buffer = vec![0; 256 * 1024];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                return Ok(hasher);
            }
            hasher.update(&buffer[..n]);
        }
    })
    .await
    .map_err(|e| IndexError::io("reading", &path, std::io::Error::other(e)))?
    .map_err(|e| IndexError::io("reading", &path, e))?;
    let sha256 = hasher.verify(expected, url)?;
    Ok(Artifact { path, sha256 })
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
