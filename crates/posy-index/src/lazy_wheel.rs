//! Reading a wheel's METADATA without downloading the wheel.
//!
//! This is posy's original lazy-remote-file idea: treat a remote wheel as a
//! random-access file backed by HTTP range requests and read only what the
//! zip format needs (see [`crate::wheel_zip`]). The first request asks for
//! the last [`TAIL_SIZE`] bytes with a suffix range (`Range: bytes=-N`), which
//! also tells the file's length; most wheels' central directory and
//! `.dist-info` members fit in it, so one request is usually all it takes,
//! and at most two more are needed (the rest of a large directory, then
//! the member).
//!
//! Servers that ignore `Range` answer `200` with the whole file. The body
//! is not read: a resolution asks for many wheels' metadata at once (a
//! backtracking one, hundreds of botocore wheels of ~12 MB each), and
//! holding whole wheels in memory is what the range request was meant to
//! avoid. The request fails
//! with [`IndexError::RangesIgnored`], [`HttpRanges::ignored_ranges`]
//! reports it so the client stops trying ranges on that host, and the
//! client downloads the wheel into the store, streaming, instead. The same reader runs over a local file (a
//! find-links wheel, or a wheel already in the store), so there is one
//! implementation of "find METADATA in a zip".
//!
//! Range and download requests send `Accept-Encoding: identity`: a range
//! of a gzip-encoded representation is not a range of the file.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use posy_vocab::WheelFilename;
use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::IndexError;
use crate::redact::redact;
use crate::transport::{Failure, Transport, status_failure};
use crate::wheel_zip::{self, TailRead};

/// How much of the end of a wheel the first request asks for.
pub const TAIL_SIZE: u64 = 64 * 1024;

/// Random access to a file's bytes.
pub(crate) trait RangeRead {
    /// The last `n` bytes (fewer if the file is shorter): the bytes, the
    /// offset they start at, and the file's length.
    async fn read_tail(&mut self, n: u64) -> Result<(Vec<u8>, u64, u64), IndexError>;
    /// Bytes `[start, end)`.
    async fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError>;
}

/// Reads `filename`'s METADATA through `source`.
pub(crate) async fn read_metadata<R: RangeRead>(
    source: &mut R,
    filename: &str,
    url: &Url,
) -> Result<Vec<u8>, IndexError> {
    let invalid = |message: String| IndexError::InvalidWheel {
        url: redact(url),
        message,
    };
    // pip and uv refuse a `.whl` whose name lacks its parts (`six-1.17.0.whl`
    // has no tags): what it is for cannot be known, so it is not a wheel.
    filename
        .parse::<WheelFilename>()
        .map_err(|e| invalid(format!("`{filename}` is not a wheel file name:\n{e}")))?;
    let (mut tail, mut tail_start, len) = source.read_tail(TAIL_SIZE).await?;
    let directory = loop {
        match wheel_zip::read_directory(&tail, tail_start, len)
            .map_err(|m| invalid(m.to_owned()))?
        {
            TailRead::Complete(directory) => break directory,
            TailRead::NeedFrom { from, partial } if from < tail_start => {
                // The tail held the end of the directory: if METADATA's
                // entry is there, read just the member and skip the rest.
                if let Ok(member) = wheel_zip::find_metadata(&partial, filename) {
                    let bytes = member_bytes(source, &partial, member, &tail, tail_start).await?;
                    if let Ok(metadata) = wheel_zip::extract(member, &bytes) {
                        return Ok(metadata);
                    }
                }
                let mut more = source.read_range(from, tail_start).await?;
                more.extend_from_slice(&tail);
                tail = more;
                tail_start = from;
            }
            TailRead::NeedFrom { .. } => {
                return Err(invalid("the zip directory points at itself".into()));
            }
        }
    };
    let member = wheel_zip::find_metadata(&directory, filename).map_err(invalid)?;
    let bytes = member_bytes(source, &directory, member, &tail, tail_start).await?;
    wheel_zip::extract(member, &bytes).map_err(invalid)
}

/// A member's local header and data: from the bytes at hand when they
/// cover it, else with one more read.
async fn member_bytes<R: RangeRead>(
    source: &mut R,
    directory: &wheel_zip::Directory,
    member: &wheel_zip::Member,
    tail: &[u8],
    tail_start: u64,
) -> Result<Vec<u8>, IndexError> {
    let (start, end) = wheel_zip::member_extent(directory, member);
    // The tail always runs to the end of the file.
    let end = end.min(tail_start + tail.len() as u64);
    if start >= tail_start
        && let Some(bytes) = slice(tail, start - tail_start, end - tail_start)
    {
        return Ok(bytes);
    }
    source.read_range(start, end).await
}

/// A remote file read with HTTP range requests.
pub(crate) struct HttpRanges<'a> {
    transport: &'a Transport,
    url: &'a Url,
    /// Set once the server answered a range request with the whole file.
    ignored: bool,
}

impl<'a> HttpRanges<'a> {
    pub fn new(transport: &'a Transport, url: &'a Url) -> Self {
        Self {
            transport,
            url,
            ignored: false,
        }
    }

    /// Whether the server sent the whole file instead of a range.
    pub fn ignored_ranges(&self) -> bool {
        self.ignored
    }

    async fn fetch(&mut self, range: String) -> Result<Ranged, IndexError> {
        let (transport, url) = (self.transport, self.url);
        let ranged = transport
            .execute(url, || {
                let range = range.clone();
                async move {
                    let request = transport
                        .request(Method::GET, url)?
                        .header("range", range)
                        .header("accept-encoding", "identity");
                    let response = transport.send(request).await?;
                    match response.status() {
                        StatusCode::PARTIAL_CONTENT => {
                            let content_range = response
                                .headers()
                                .get("content-range")
                                .and_then(|v| v.to_str().ok())
                                .and_then(parse_content_range);
                            let Some((start, total)) = content_range else {
                                return Err(Failure::Fatal(IndexError::Parse {
                                    url: redact(url),
                                    message: "a 206 response without a usable Content-Range".into(),
                                }));
                            };
                            let body = transport.read_body(response).await?;
                            Ok(Ranged::Part { body, start, total })
                        }
                        // The whole file: dropped unread (see the module docs).
                        StatusCode::OK => Ok(Ranged::Whole),
                        _ => Err(status_failure(&response)),
                    }
                }
            })
            .await?;
        if let Ranged::Whole = ranged {
            tracing::debug!("{} ignored a range request", redact(url));
            self.ignored = true;
            return Err(IndexError::RangesIgnored { url: redact(url) });
        }
        Ok(ranged)
    }
}

enum Ranged {
    Part {
        body: Vec<u8>,
        start: u64,
        total: u64,
    },
    /// A `200`: the server ignored the range.
    Whole,
}

impl RangeRead for HttpRanges<'_> {
    async fn read_tail(&mut self, n: u64) -> Result<(Vec<u8>, u64, u64), IndexError> {
        match self.fetch(format!("bytes=-{n}")).await? {
            Ranged::Part { body, start, total } if start + body.len() as u64 == total => {
                Ok((body, start, total))
            }
            _ => Err(short_range(self.url)),
        }
    }

    async fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        if end <= start {
            return Ok(Vec::new());
        }
        match self.fetch(format!("bytes={start}-{}", end - 1)).await? {
            Ranged::Part {
                body, start: got, ..
            } if got == start && body.len() as u64 == end - start => Ok(body),
            _ => Err(short_range(self.url)),
        }
    }
}

fn short_range(url: &Url) -> IndexError {
    IndexError::Parse {
        url: redact(url),
        message: "the server sent a different byte range than asked for".into(),
    }
}

fn slice(bytes: &[u8], start: u64, end: u64) -> Option<Vec<u8>> {
    let start = usize::try_from(start).ok()?;
    let end = usize::try_from(end).ok()?;
    bytes.get(start..end).map(<[u8]>::to_vec)
}

/// `bytes 100-199/1000` → (100, 1000).
fn parse_content_range(value: &str) -> Option<(u64, u64)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// A local file (find-links wheel, or a stored artifact).
pub(crate) struct LocalFile {
    pub path: PathBuf,
}

impl LocalFile {
    async fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut std::fs::File) -> std::io::Result<T> + Send + 'static,
    ) -> Result<T, IndexError> {
        let path = self.path.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut file = std::fs::File::open(&path)?;
            op(&mut file)
        })
        .await
        .map_err(|e| IndexError::io("reading", &self.path, std::io::Error::other(e)))?;
        result.map_err(|e| IndexError::io("reading", &self.path, e))
    }
}

impl RangeRead for LocalFile {
    async fn read_tail(&mut self, n: u64) -> Result<(Vec<u8>, u64, u64), IndexError> {
        self.blocking(move |file| {
            let len = file.metadata()?.len();
            let start = len.saturating_sub(n);
            file.seek(SeekFrom::Start(start))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            Ok((bytes, start, len))
        })
        .await
    }

    async fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        self.blocking(move |file| {
            file.seek(SeekFrom::Start(start))?;
            let mut bytes = Vec::new();
            file.take(end.saturating_sub(start))
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), Some((100, 1000)));
        assert_eq!(parse_content_range("bytes 0-0/*"), None);
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[tokio::test]
    async fn local_file_metadata() {
        let text = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo-1.0-py3-none-any.whl");
        std::fs::write(&path, crate::wheel_zip::tests::sample_wheel(text, 200_000)).unwrap();
        let url = Url::from_file_path(&path).unwrap();
        let mut source = LocalFile { path };
        let metadata = read_metadata(&mut source, "demo-1.0-py3-none-any.whl", &url)
            .await
            .unwrap();
        assert_eq!(metadata, text.as_bytes());
    }
}
