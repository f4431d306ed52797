//! Just enough HTTP/1.1 (RFC 9112) to be a package index, written by hand.
//!
//! The faults this server must produce — a connection reset mid-exchange, a
//! body shorter than its `Content-Length` — are things a well-behaved HTTP
//! library refuses to do, so requests are parsed and responses written here
//! directly on the socket. Requests are a request line and headers; a body
//! announced with `Content-Length` is read and dropped (index clients send
//! none), a chunked request body is refused. Connections are persistent
//! unless the client says `Connection: close` (or speaks HTTP/1.0 without
//! `keep-alive`), because real clients reuse connections and tests must
//! see that work. Every response has a `Content-Length`, except those that
//! cannot have a body (304).

use std::ops::Range;
use std::sync::Arc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most a request line plus headers may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most request body this server reads (and discards).
const MAX_BODY: u64 = 1024 * 1024;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) http11: bool,
    pub(crate) headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, percent-decoded, without the query.
    pub(crate) fn path(&self) -> String {
        let raw = self.target.split(['?', '#']).next().unwrap_or("");
        percent_decode(raw)
    }

    /// The raw query string.
    pub(crate) fn query(&self) -> Option<&str> {
        let (_, rest) = self.target.split_once('?')?;
        Some(rest.split('#').next().unwrap_or(""))
    }

    /// The decoded value of query parameter `key`. A `+` stays a `+`: PEP
    /// 691 writes media types such as `v1+json` into the query unescaped.
    pub(crate) fn query_param(&self, key: &str) -> Option<String> {
        self.query()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == key).then(|| percent_decode(v))
        })
    }

    /// Whether the connection stays open after this exchange.
    pub(crate) fn keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or("").to_ascii_lowercase();
        let says = |token: &str| connection.split(',').any(|t| t.trim() == token);
        if self.http11 {
            !says("close")
        } else {
            says("keep-alive")
        }
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Not HTTP as this server speaks it: answer with this status and reason, then close.
    Bad(u16, &'static str),
    /// The connection failed or closed mid-request: just close.
    Io,
}

impl From<std::io::Error> for ReadError {
    fn from(_: std::io::Error) -> Self {
        ReadError::Io
    }
}

/// Reads one request head (and discards its body). `Ok(None)` is a clean
/// end of the connection between requests.
pub(crate) async fn read_request<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> Result<Option<Request>, ReadError> {
    let mut used = 0;
    // RFC 9112 §2.2: ignore empty lines before the request line.
    let line = loop {
        match read_line(reader, &mut used).await? {
            None => return Ok(None),
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400, "malformed request line"));
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => {
            return Err(ReadError::Bad(
                505,
                "only HTTP/1.0 and HTTP/1.1 are spoken here",
            ));
        }
    };
    if method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Bad(400, "malformed request line"));
    }
    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(reader, &mut used).await? else {
            return Err(ReadError::Io);
        };
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            return Err(ReadError::Bad(400, "obsolete header line folding"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Bad(400, "header line without a colon"));
        };
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return Err(ReadError::Bad(400, "malformed header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let request = Request {
        method: method.to_string(),
        target: target.to_string(),
        http11,
        headers,
    };
    if request.header("transfer-encoding").is_some() {
        return Err(ReadError::Bad(
            501,
            "chunked request bodies are not supported",
        ));
    }
    if let Some(length) = request.header("content-length") {
        let Ok(length) = length.parse::<u64>() else {
            return Err(ReadError::Bad(400, "malformed Content-Length"));
        };
        if length > MAX_BODY {
            return Err(ReadError::Bad(413, "request body too large"));
        }
        let copied =
            tokio::io::copy(&mut (&mut *reader).take(length), &mut tokio::io::sink()).await?;
        if copied < length {
            return Err(ReadError::Io);
        }
    }
    Ok(Some(request))
}

/// Reads one line without its line ending; `None` at end of input.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    used: &mut usize,
) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let limit = (MAX_HEAD - *used) as u64;
    let n = (&mut *reader)
        .take(limit)
        .read_until(b'\n', &mut buf)
        .await?;
    *used += n;
    if n == 0 {
        return if *used >= MAX_HEAD {
            Err(ReadError::Bad(431, "request head too large"))
        } else {
            Ok(None)
        };
    }
    if !buf.ends_with(b"\n") {
        return Err(if *used >= MAX_HEAD {
            ReadError::Bad(431, "request head too large")
        } else {
            ReadError::Io
        });
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response: status, headers, and the part of a shared body to send.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Arc<[u8]>,
    pub(crate) range: Range<usize>,
}

impl Response {
    /// A response with the whole of `body`.
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Arc<[u8]>>) -> Self {
        let body = body.into();
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            range: 0..body.len(),
            body,
        }
    }

    /// A short plain-text response.
    pub(crate) fn text(status: u16, text: &str) -> Self {
        Self::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Whether this status can carry a body (RFC 9110: not 1xx, 204, 304).
    fn has_body(&self) -> bool {
        !matches!(self.status, 100..=199 | 204 | 304)
    }

    /// How many body bytes a write sends: none for HEAD, half when truncated.
    pub(crate) fn bytes_to_send(&self, head_only: bool, truncate: bool) -> usize {
        let len = if self.has_body() { self.range.len() } else { 0 };
        match (head_only, truncate) {
            (true, _) => 0,
            (false, true) => len / 2,
            (false, false) => len,
        }
    }

    /// Writes the response. `Content-Length` always announces the full body,
    /// so a truncated write leaves the client short.
    pub(crate) async fn write<W: AsyncWrite + Unpin>(
        &self,
        writer: &mut W,
        head_only: bool,
        keep_alive: bool,
        truncate: bool,
    ) -> std::io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.has_body() {
            head.push_str(&format!("Content-Length: {}\r\n", self.range.len()));
        }
        if !keep_alive {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("Server: posy-testkit\r\n\r\n");
        writer.write_all(head.as_bytes()).await?;
        let sent = self.bytes_to_send(head_only, truncate);
        let start = self.range.start;
        writer.write_all(&self.body[start..start + sent]).await?;
        writer.flush().await
    }
}

/// The reason phrase of a status code.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        413 => "Content Too Large",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(raw: &[u8]) -> Result<Option<Request>, ReadError> {
        let mut reader = tokio::io::BufReader::new(raw);
        read_request(&mut reader).await
    }

    #[tokio::test]
    async fn parses_a_request_head() {
        let raw = b"\r\nGET /simple/a%2Bb/?format=x%2By HTTP/1.1\r\nHost: h\r\nAccept:  text/html \r\n\r\n";
        let request = parse(raw).await.unwrap().unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path(), "/simple/a+b/");
        assert_eq!(request.query_param("format").as_deref(), Some("x+y"));
        assert_eq!(request.header("accept"), Some("text/html"));
        assert!(request.keep_alive());
    }

    #[tokio::test]
    async fn reads_consecutive_requests_and_skips_bodies() {
        let raw = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /b HTTP/1.0\r\n\r\n";
        let mut reader = tokio::io::BufReader::new(&raw[..]);
        let first = read_request(&mut reader).await.unwrap().unwrap();
        assert_eq!(first.path(), "/a");
        let second = read_request(&mut reader).await.unwrap().unwrap();
        assert_eq!(second.path(), "/b");
        assert!(!second.keep_alive());
        assert!(read_request(&mut reader).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn rejects_what_it_does_not_speak() {
        assert!(matches!(
            parse(b"GET / HTTP/2\r\n\r\n").await,
            Err(ReadError::Bad(505, _))
        ));
        assert!(matches!(
            parse(b"GET /\r\n\r\n").await,
            Err(ReadError::Bad(400, _))
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nbad\r\n\r\n").await,
            Err(ReadError::Bad(400, _))
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\n x: y\r\n\r\n").await,
            Err(ReadError::Bad(400, _))
        ));
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(matches!(parse(chunked).await, Err(ReadError::Bad(501, _))));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost").await,
            Err(ReadError::Io)
        ));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(
            parse(huge.as_bytes()).await,
            Err(ReadError::Bad(431, _))
        ));
    }

    #[test]
    fn percent_decoding_leaves_bad_escapes() {
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
    }

    #[tokio::test]
    async fn writes_a_truncated_response_with_the_full_length() {
        let response = Response::new(200, "text/plain", b"0123456789".to_vec());
        let mut out = Vec::new();
        response.write(&mut out, false, true, true).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("Content-Length: 10\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n01234"), "{text}");
    }
}
