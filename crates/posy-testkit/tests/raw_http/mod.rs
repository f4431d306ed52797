//! A bare HTTP/1.1 client on a std `TcpStream`, for what a library hides.
//!
//! Resets, short bodies and connection reuse are invisible or fatal in a
//! full HTTP client; here a test writes the request bytes itself and reads
//! exactly what came back.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A connection with a read timeout, so a broken server fails the test instead of hanging it.
pub fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(addr).expect("connect to the test index");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    BufReader::new(stream)
}

/// Sends `GET path` with extra header lines.
pub fn send_get(conn: &mut BufReader<TcpStream>, path: &str, headers: &[&str]) {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    conn.get_mut().write_all(request.as_bytes()).unwrap();
}

/// Reads one response head, then as much of the body as `Content-Length`
/// promises or the server sends before closing.
pub fn read_response(conn: &mut BufReader<TcpStream>) -> std::io::Result<RawResponse> {
    let mut status_line = String::new();
    if conn.read_line(&mut status_line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed before a response",
        ));
    }
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        conn.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header line");
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut response = RawResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let length: u64 = response
        .header("content-length")
        .map_or(0, |v| v.parse().unwrap());
    conn.take(length).read_to_end(&mut response.body)?;
    Ok(response)
}
