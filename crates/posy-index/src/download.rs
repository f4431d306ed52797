//! Downloading artifacts into the cache, verified while they stream.
//!
//! The body is written to a staging file and hashed chunk by chunk; only
//! when the last byte has arrived and the digest matches what the index
//! promised is the file moved into the artifacts bucket, under its sha256.
//! A mismatch costs one more download (a flaky proxy or CDN is not an
//! attack); a second mismatch is an error that names the URL and both
//! digests, and the staging file is deleted: nothing unverified is ever
//! stored. A download
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
use reqwest::{Method, Response, StatusCode};
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
    let sha256 = verified_twice(url, || async {
        let hasher = transport
            .execute(url, || async {
                let mut staged = staged.lock().await;
                staged
                    .reset()
                    .map_err(|e| IndexError::io("emptying the staging file", staged.path(), e))?;
                let response = get_as_is(transport, url).await?;
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
        hasher.verify(expected, url)
    })
    .await?;
    let path = cache
        .publish_artifact(staged.into_inner(), &sha256, project)
        .await?;
    Ok(Artifact { path, sha256 })
}

/// Downloads `url` into `into` (emptied first), verified against
/// `expected`, without storing it; returns its sha256 (lowercase hex).
///
/// For callers that use the bytes at once and keep something derived
/// from them instead (an installer unpacking a wheel): the artifact never
/// exists as a file, which saves writing it, reading it back and three
/// store entries' worth of inodes. `into` is the caller's to reuse, so
/// the memory is touched once for many downloads. `size` (the index's
/// PEP 700 size, or the response's length) only reserves room. An
/// artifact the store already holds (by the sha256 the index gives) is
/// read from there instead, and a find-links file from its directory.
pub(crate) async fn download_to_memory(
    transport: &Transport,
    cache: &Cache,
    url: &Url,
    expected: &[ArtifactHash],
    size: Option<u64>,
    into: &mut Vec<u8>,
) -> Result<String, IndexError> {
    into.clear();
    if url.scheme() == "file" {
        let path = url.to_file_path().map_err(|()| IndexError::Parse {
            url: redact(url),
            message: "not a local file path".into(),
        })?;
        return read_verified(&path, expected, url, into).await;
    }
    let sha256 = expected
        .iter()
        .find(|h| h.algorithm() == HashAlgorithm::Sha256)
        .map(ArtifactHash::hex);
    if let Some(sha256) = &sha256
        && let Some(path) = cache.artifact(sha256)
    {
        match read_verified(&path, expected, url, into).await {
            Err(IndexError::HashMismatch { actual, .. }) => {
                // The store never serves a damaged entry: drop it, download.
                tracing::warn!(
                    "the stored copy of {} is damaged (its sha256 is now {actual}); removing it and downloading again",
                    redact(url)
                );
                cache.remove_artifact(sha256).await?;
                into.clear();
            }
            other => return other,
        }
    }
    let body = Mutex::new(into);
    verified_twice(url, || async {
        let hasher = transport
            .execute(url, || async {
                let mut body = body.lock().await;
                body.clear();
                let response = get_as_is(transport, url).await?;
                let length = response.content_length().or(size).unwrap_or(0);
                // A length the server states is only a hint; cap what it reserves.
                body.reserve(usize::try_from(length.min(1 << 30)).unwrap_or(0));
                let mut hasher = Hasher::new(expected);
                let mut stream = response.bytes_stream();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(Failure::Transport)?;
                    transport.count_bytes(chunk.len());
                    hasher.update(&chunk);
                    body.extend_from_slice(&chunk);
                }
                Ok(hasher)
            })
            .await?;
        hasher.verify(expected, url)
    })
    .await
}

/// Runs `attempt` (a download and its verification) once more if the bytes
/// did not match the expected hash; a second mismatch is the error, saying
/// that the file was fetched twice (and what the first attempt got, if it
/// differed).
async fn verified_twice<F, Fut>(url: &Url, mut attempt: F) -> Result<String, IndexError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String, IndexError>>,
{
    let first = match attempt().await {
        Err(IndexError::HashMismatch { actual, .. }) => actual,
        other => return other,
    };
    tracing::warn!(
        "{}: the downloaded bytes do not match the index's hash (got {first}); downloading it again",
        redact(url)
    );
    match attempt().await {
        Err(IndexError::HashMismatch {
            url,
            expected,
            actual,
        }) => {
            let actual = if actual == first {
                format!("{actual} (fetched twice)")
            } else {
                format!("{actual} (fetched twice; the first time {first})")
            };
            Err(IndexError::HashMismatch {
                url,
                expected,
                actual,
            })
        }
        other => other,
    }
}

/// Reads the file at `path` into `into` and verifies it against `expected`.
async fn read_verified(
    path: &std::path::Path,
    expected: &[ArtifactHash],
    url: &Url,
    into: &mut Vec<u8>,
) -> Result<String, IndexError> {
    let mut buffer = std::mem::take(into);
    let read_path = path.to_path_buf();
    let (buffer, read) = tokio::task::spawn_blocking(move || {
        let read = std::fs::File::open(&read_path)
            .and_then(|mut file| std::io::Read::read_to_end(&mut file, &mut buffer));
        (buffer, read)
    })
    .await
    .map_err(|e| IndexError::io("reading", path, std::io::Error::other(e)))?;
    *into = buffer;
    read.map_err(|e| IndexError::io("reading", path, e))?;
    let mut hasher = Hasher::new(expected);
    hasher.update(into);
    hasher.verify(expected, url)
}

/// A find-links file on disk: hashed and verified in place, not copied.
/// GETs `url` without content encoding (the bytes are hashed as stored),
/// and fails unless the answer is 200.
async fn get_as_is(transport: &Transport, url: &Url) -> Result<Response, Failure> {
    let request = transport
        .request(Method::GET, url)?
        .header("accept-encoding", "identity");
    let response = transport.send(request).await?;
    if response.status() != StatusCode::OK {
        return Err(status_failure(&response));
    }
    Ok(response)
}

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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use posy_testkit::{Fault, Index, IndexServer, Package};
    use posy_vocab::PackageName;

    use crate::{IndexClient, IndexError, IndexFile, IndexOptions, IndexUrl, NetrcSource};

    fn client(server: &IndexServer, cache: &Path) -> IndexClient {
        IndexOptions::new()
            .index_url(IndexUrl::parse(&server.url()).unwrap())
            .retry_backoff(Duration::from_millis(10))
            .netrc(NetrcSource::Disabled)
            .env(|_| None)
            .cache_dir(Some(cache.to_owned()))
            .build()
            .unwrap()
    }

    async fn wheel(client: &IndexClient) -> IndexFile {
        let files = client
            .project(&PackageName::new("a").unwrap())
            .await
            .unwrap();
        files
            .files
            .into_iter()
            .find(|f| f.filename.ends_with(".whl"))
            .unwrap()
    }

    fn files_under(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                out.extend(files_under(&entry.path()));
            } else {
                out.push(entry.path().display().to_string());
            }
        }
        out
    }

    #[tokio::test]
    async fn a_download_to_memory_is_verified_retried_and_not_stored() {
        let cache = tempfile::tempdir().unwrap();
        let server = Index::new()
            .package(Package::new("a", "1.0"))
            .fault(Fault::Truncate.on("/files/*").times(1))
            .serve();
        let client = client(&server, cache.path());
        let wheel = wheel(&client).await;
        let mut bytes = b"left over from another wheel".to_vec();
        let sha256 = client.download_to_memory(&wheel, &mut bytes).await.unwrap();
        let served = server.artifact(&wheel.filename).unwrap();
        assert_eq!(bytes, served.bytes());
        assert_eq!(sha256, served.sha256());
        let stored = files_under(&cache.path().join("v1").join("artifacts"));
        assert!(stored.is_empty(), "{stored:?}");
    }

    #[tokio::test]
    async fn a_download_to_memory_with_a_wrong_hash_fails_and_says_so() {
        let cache = tempfile::tempdir().unwrap();
        let server = Index::new()
            .package(Package::new("a", "1.0"))
            .fault(Fault::WrongHash.on("/files/*"))
            .serve();
        let client = client(&server, cache.path());
        let wheel = wheel(&client).await;
        let error = client
            .download_to_memory(&wheel, &mut Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(error, IndexError::HashMismatch { .. }), "{error}");
        assert!(error.to_string().contains(&wheel.filename), "{error}");
    }

    #[tokio::test]
    async fn a_damaged_stored_artifact_is_dropped_and_downloaded_again() {
        let cache = tempfile::tempdir().unwrap();
        let server = Index::new().package(Package::new("a", "1.0")).serve();
        let client = client(&server, cache.path());
        let wheel = wheel(&client).await;
        let stored = client.download(&wheel).await.unwrap().path;
        let len = std::fs::metadata(&stored).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&stored)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        let before = server.full_downloads().len();
        let mut bytes = Vec::new();
        client.download_to_memory(&wheel, &mut bytes).await.unwrap();
        assert_eq!(bytes, server.artifact(&wheel.filename).unwrap().bytes());
        assert_eq!(server.full_downloads().len(), before + 1);
        assert!(!stored.exists(), "the damaged entry is gone");
    }

    #[tokio::test]
    async fn an_artifact_the_store_holds_is_read_from_it() {
        let cache = tempfile::tempdir().unwrap();
        let server = Index::new().package(Package::new("a", "1.0")).serve();
        let client = client(&server, cache.path());
        let wheel = wheel(&client).await;
        client.download(&wheel).await.unwrap();
        let before = server.requests().len();
        let mut bytes = Vec::new();
        client.download_to_memory(&wheel, &mut bytes).await.unwrap();
        assert_eq!(bytes, server.artifact(&wheel.filename).unwrap().bytes());
        assert_eq!(server.requests().len(), before);
    }
}
