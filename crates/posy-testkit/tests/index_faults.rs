//! Every fault of the test index, observed on the wire.

mod raw_http;

use posy_testkit::{Fault, Index, Package};
use sha2::{Digest, Sha256};
use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

/// A GET with a plain client. The workspace builds reqwest with rustls and
/// no default crypto provider (posy-index installs ring), so install it here.
fn get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::blocking::Response> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::get(url)
}

fn index_with_a() -> Index {
    Index::new().package(Package::new("a", "1.0").file("a.py", "A = 1"))
}

const WHEEL: &str = "a-1.0-py3-none-any.whl";

#[test]
fn the_first_two_requests_get_500_then_the_page() {
    let index = index_with_a()
        .fault(Fault::Status(500).on("/simple/a/").times(2))
        .serve();
    let url = index.project_url("a").unwrap();
    let statuses: Vec<u16> = (0..3)
        .map(|_| get(&url).unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses, [500, 500, 200]);
    // Other paths were never affected.
    assert_eq!(get(index.url()).unwrap().status(), 200);
    let logged: Vec<Option<u16>> = index.requests().iter().map(|r| r.status()).collect();
    assert_eq!(logged, [Some(500), Some(500), Some(200), Some(200)]);
}

#[test]
fn too_many_requests_says_when_to_retry() {
    let index = index_with_a()
        .fault(
            Fault::RetryAfter {
                status: 429,
                seconds: 2,
            }
            .on("*")
            .times(1),
        )
        .fault(Fault::Status(503).on("/simple/*").times(1))
        .serve();
    let first = get(index.url()).unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "2");
    assert_eq!(get(index.url()).unwrap().status(), 503);
    assert_eq!(get(index.url()).unwrap().status(), 200);
}

#[test]
fn a_reset_closes_the_connection_without_an_answer() {
    let index = index_with_a()
        .fault(Fault::Reset.on("/simple/a/").times(1))
        .serve();
    let mut conn = raw_http::connect(index.addr());
    raw_http::send_get(&mut conn, "/simple/a/", &[]);
    let mut received = Vec::new();
    match conn.read_to_end(&mut received) {
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionReset),
        Ok(n) => assert_eq!(n, 0, "no byte of a response may arrive"),
    }
    assert!(received.is_empty());
    assert_eq!(index.requests()[0].status(), None);
    // A full client sees an error, and the next request succeeds.
    index.add_fault(Fault::Reset.on("/simple/a/").times(1));
    assert!(get(index.project_url("a").unwrap()).is_err());
    assert_eq!(get(index.project_url("a").unwrap()).unwrap().status(), 200);
}

#[test]
fn a_truncated_body_is_shorter_than_its_content_length() {
    let index = index_with_a()
        .fault(Fault::Truncate.on("/files/*.whl"))
        .serve();
    let full_len = index.artifact(WHEEL).unwrap().bytes().len();
    let mut conn = raw_http::connect(index.addr());
    raw_http::send_get(&mut conn, &format!("/files/{WHEEL}"), &[]);
    let response = raw_http::read_response(&mut conn).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-length"),
        Some(full_len.to_string().as_str())
    );
    assert_eq!(response.body.len(), full_len / 2);
    assert_eq!(index.requests()[0].body_bytes(), full_len / 2);
    // The server closed the connection after the short body.
    let mut rest = Vec::new();
    assert!(conn.read_to_end(&mut rest).map_or(true, |n| n == 0));
    // A full client sees a body error.
    assert!(get(index.file_url(WHEEL)).unwrap().bytes().is_err());
    // The metadata file is not a `.whl`, so it is untouched.
    let metadata = get(format!("{}.metadata", index.file_url(WHEEL))).unwrap();
    assert_eq!(
        metadata.bytes().unwrap().len(),
        index.artifact(WHEEL).unwrap().metadata().unwrap().len()
    );
}

#[test]
fn wrong_hashes_on_pages_and_files() {
    let index = index_with_a()
        .fault(Fault::WrongHash.on("/simple/a/").times(1))
        .serve();
    let wheel = index.artifact(WHEEL).unwrap();
    let lying = get(index.project_url("a").unwrap())
        .unwrap()
        .text()
        .unwrap();
    assert!(
        lying.contains(&format!("/files/{WHEEL}#sha256=")),
        "{lying}"
    );
    assert!(!lying.contains(wheel.sha256()), "{lying}");
    let honest = get(index.project_url("a").unwrap())
        .unwrap()
        .text()
        .unwrap();
    assert!(honest.contains(wheel.sha256()), "{honest}");

    index.add_fault(Fault::WrongHash.on("/files/*").times(1));
    let bytes = get(index.file_url(WHEEL)).unwrap().bytes().unwrap();
    assert_eq!(bytes.len(), wheel.bytes().len());
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(digest, wheel.sha256());
    assert_eq!(
        &get(index.file_url(WHEEL)).unwrap().bytes().unwrap()[..],
        wheel.bytes()
    );
}

#[test]
fn slow_responses_arrive_late_but_whole() {
    let delay = Duration::from_millis(300);
    let index = index_with_a()
        .fault(Fault::Delay(delay).on("/simple/a/").times(1))
        .fault(
            Fault::Delay(Duration::from_secs(3))
                .on("/simple/a/")
                .times(1),
        )
        .serve();
    let started = Instant::now();
    let response = get(index.project_url("a").unwrap()).unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().unwrap().contains("a-1.0-py3-none-any.whl"));
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());

    // A slow answer on one connection does not hold up another.
    let url = index.project_url("a").unwrap();
    let slow = std::thread::spawn(move || get(url).unwrap().status());
    // Let the slow request reach the server (it is logged only once answered).
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(index.url()).unwrap().status(), 200);
    assert!(!slow.is_finished(), "the slow answer came first");
    assert_eq!(slow.join().unwrap(), 200);
}

#[test]
fn a_missing_file_and_cleared_faults() {
    let index = index_with_a()
        .fault(Fault::Status(404).on(&format!("/files/{WHEEL}")))
        .serve();
    assert_eq!(get(index.file_url(WHEEL)).unwrap().status(), 404);
    assert_eq!(get(index.file_url(WHEEL)).unwrap().status(), 404);
    index.clear_faults();
    assert_eq!(get(index.file_url(WHEEL)).unwrap().status(), 200);
    assert_eq!(index.full_downloads().len(), 1);
}
