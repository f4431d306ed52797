//! Every switch of the test index, observed with a plain HTTP client.

mod raw_http;

use posy_testkit::{Format, Index, IndexServer, Package};
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;

const JSON: &str = "application/vnd.pypi.simple.v1+json";
const PIP_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

fn a_and_b() -> Index {
    Index::new()
        .package(Package::new("a", "1.0").file("a.py", "A = 1"))
        .package(
            Package::new("b", "2.0")
                .dep("a>=1")
                .requires_python(">=3.8")
                .with_sdist(),
        )
}

/// The workspace builds reqwest with rustls and no default crypto provider
/// (posy-index installs ring), so install it here.
fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn get(url: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = client().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().unwrap()
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

fn json_page(index: &IndexServer, project: &str) -> Value {
    let response = get(&index.project_url(project).unwrap(), &[("Accept", JSON)]);
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type").as_deref(), Some(JSON));
    serde_json::from_str(&response.text().unwrap()).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_index_with_a_and_b_serves_html_and_json() {
    let index = a_and_b().serve();
    assert_eq!(
        index.url(),
        format!("http://127.0.0.1:{}/simple/", index.addr().port())
    );

    let root = get(&index.url(), &[]);
    assert_eq!(header(&root, "content-type").as_deref(), Some("text/html"));
    let root = root.text().unwrap();
    assert!(
        root.contains(r#"<a href="/simple/a/">a</a>"#)
            && root.contains(r#"<a href="/simple/b/">b</a>"#),
        "{root}"
    );

    let html = get(&index.project_url("b").unwrap(), &[("Accept", "text/html")])
        .text()
        .unwrap();
    let wheel = index.artifact("b-2.0-py3-none-any.whl").unwrap();
    let anchor = format!(
        "<a href=\"/files/b-2.0-py3-none-any.whl#sha256={}\" data-requires-python=\"&gt;=3.8\"",
        wheel.sha256()
    );
    assert!(html.contains(&anchor), "{html}");

    let page = json_page(&index, "b");
    assert_eq!(page["versions"], serde_json::json!(["2.0"]));
    let files = page["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["filename"], "b-2.0-py3-none-any.whl");
    assert_eq!(files[1]["filename"], "b-2.0.tar.gz");
    assert_eq!(files[0]["requires-python"], ">=3.8");

    // The URL on the page leads to the very bytes the hash describes.
    let url = format!("{}{}", index.base_url(), files[0]["url"].as_str().unwrap());
    let bytes = get(&url, &[]).bytes().unwrap();
    assert_eq!(
        sha256_hex(&bytes),
        files[0]["hashes"]["sha256"].as_str().unwrap()
    );
    assert_eq!(files[0]["size"], bytes.len());

    // pip's Accept header prefers JSON.
    let pip = get(&index.project_url("b").unwrap(), &[("Accept", PIP_ACCEPT)]);
    assert_eq!(header(&pip, "content-type").as_deref(), Some(JSON));
    assert_eq!(header(&pip, "vary").as_deref(), Some("Accept"));
}

#[test]
fn the_format_switch_limits_what_negotiation_can_choose() {
    let html_only = a_and_b().format(Format::Html).serve();
    let answer = get(&html_only.url(), &[("Accept", JSON)]);
    assert_eq!(answer.status(), 406);
    let answer = get(&html_only.url(), &[("Accept", PIP_ACCEPT)]);
    assert_eq!(
        header(&answer, "content-type").as_deref(),
        Some("application/vnd.pypi.simple.v1+html")
    );

    let json_only = a_and_b().format(Format::Json).serve();
    assert_eq!(
        get(&json_only.url(), &[("Accept", "text/html")]).status(),
        406
    );
    let answer = get(&json_only.url(), &[]);
    assert_eq!(header(&answer, "content-type").as_deref(), Some(JSON));
    let root: Value = serde_json::from_str(&answer.text().unwrap()).unwrap();
    assert_eq!(
        root["projects"],
        serde_json::json!([{ "name": "a" }, { "name": "b" }])
    );

    // PEP 691's query parameter stands in for the header.
    let index = a_and_b().serve();
    let query = get(
        &format!("{}?format={JSON}", index.url()),
        &[("Accept", "text/html")],
    );
    assert_eq!(header(&query, "content-type").as_deref(), Some(JSON));
}

#[test]
fn metadata_files_are_served_and_advertised_only_when_on() {
    let index = a_and_b().serve();
    let wheel = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    let metadata_url = format!("{}.metadata", index.file_url(wheel.filename()));
    let metadata = get(&metadata_url, &[]).bytes().unwrap();
    assert_eq!(&metadata[..], wheel.metadata().unwrap());
    assert_eq!(sha256_hex(&metadata), wheel.metadata_sha256().unwrap());
    let page = json_page(&index, "a");
    assert_eq!(
        page["files"][0]["core-metadata"]["sha256"],
        wheel.metadata_sha256().unwrap()
    );
    assert_eq!(
        page["files"][0]["dist-info-metadata"],
        page["files"][0]["core-metadata"]
    );
    let html = get(&index.project_url("a").unwrap(), &[]).text().unwrap();
    assert!(
        html.contains(&format!(
            "data-core-metadata=\"sha256={}\"",
            wheel.metadata_sha256().unwrap()
        )),
        "{html}"
    );
    // Sdists have no metadata file.
    assert_eq!(
        get(&format!("{}.metadata", index.file_url("b-2.0.tar.gz")), &[]).status(),
        404
    );

    let off = a_and_b().metadata_files(false).serve();
    assert_eq!(
        get(
            &metadata_url.replace(&index.base_url(), &off.base_url()),
            &[]
        )
        .status(),
        404
    );
    assert_eq!(json_page(&off, "a")["files"][0]["core-metadata"], false);
    let html = get(&off.project_url("a").unwrap(), &[]).text().unwrap();
    assert!(
        !html.contains("data-core-metadata") && !html.contains("data-dist-info-metadata"),
        "{html}"
    );
}

#[test]
fn range_requests_read_only_part_of_a_wheel() {
    let index = a_and_b().serve();
    let wheel = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    let url = index.file_url(wheel.filename());
    let len = wheel.bytes().len();

    let head = get(&url, &[("Range", "bytes=0-3")]);
    assert_eq!(head.status(), 206);
    assert_eq!(
        header(&head, "content-range"),
        Some(format!("bytes 0-3/{len}"))
    );
    assert_eq!(&head.bytes().unwrap()[..], b"PK\x03\x04");

    // The end-of-central-directory record is the last 22 bytes of a zip without a comment.
    let tail = get(&url, &[("Range", "bytes=-22")]);
    assert_eq!(tail.status(), 206);
    assert_eq!(&tail.bytes().unwrap()[..4], b"PK\x05\x06");

    let open_ended = get(&url, &[("Range", &format!("bytes={}-", len - 10))]);
    assert_eq!(open_ended.bytes().unwrap().len(), 10);

    let past_end = get(&url, &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(past_end.status(), 416);
    assert_eq!(
        header(&past_end, "content-range"),
        Some(format!("bytes */{len}"))
    );

    let log = index.requests_to("/files/*");
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].header("range"), Some("bytes=0-3"));
    assert_eq!(log[0].body_bytes(), 4);
    assert!(index.full_downloads().is_empty(), "only ranges were read");

    let off = a_and_b().range_requests(false).serve();
    let full = get(&off.file_url(wheel.filename()), &[("Range", "bytes=0-3")]);
    assert_eq!(full.status(), 200);
    assert_eq!(header(&full, "accept-ranges"), None);
    assert_eq!(full.bytes().unwrap().len(), len);
    assert_eq!(off.full_downloads().len(), 1);
}

#[test]
fn upload_times_are_listed_per_file_when_on() {
    let index = Index::new()
        .package(
            Package::new("a", "1.0")
                .upload_time("2023-01-01T00:00:00.000000Z")
                .with_sdist(),
        )
        .file_upload_time("a-1.0.tar.gz", "2022-06-01T12:00:00.000000Z");
    let page = json_page(&index.serve(), "a");
    assert_eq!(
        page["files"][0]["upload-time"],
        "2023-01-01T00:00:00.000000Z"
    );
    assert_eq!(
        page["files"][1]["upload-time"],
        "2022-06-01T12:00:00.000000Z"
    );
    let page = json_page(&index.upload_times(false).serve(), "a");
    assert!(page["files"][0].get("upload-time").is_none());
}

#[test]
fn yanked_files_are_marked_in_both_formats() {
    let index = Index::new()
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "1.1").yanked("broken build"))
        .package(Package::new("a", "1.2").yanked(""))
        .serve();
    let page = json_page(&index, "a");
    assert_eq!(page["versions"], serde_json::json!(["1.0", "1.1", "1.2"]));
    assert_eq!(page["files"][0]["yanked"], false);
    assert_eq!(page["files"][1]["yanked"], "broken build");
    assert_eq!(page["files"][2]["yanked"], true);
    let html = get(&index.project_url("a").unwrap(), &[]).text().unwrap();
    assert!(
        html.contains("data-yanked=\"broken build\">a-1.1-py3-none-any.whl</a>"),
        "{html}"
    );
    assert!(
        html.contains("data-yanked=\"\">a-1.2-py3-none-any.whl</a>"),
        "{html}"
    );

    index.yank_file("a-1.0-py3-none-any.whl", "later").unwrap();
    assert_eq!(json_page(&index, "a")["files"][0]["yanked"], "later");
}

#[test]
fn etags_revalidate_and_cache_control_is_sent() {
    let index = a_and_b().etag(true).cache_control("max-age=600").serve();
    let first = get(&index.project_url("a").unwrap(), &[]);
    assert_eq!(
        header(&first, "cache-control").as_deref(),
        Some("max-age=600")
    );
    let etag = header(&first, "etag").expect("an ETag");
    let again = get(
        &index.project_url("a").unwrap(),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()));
    assert!(again.bytes().unwrap().is_empty());

    // A new release changes the page, so the old validator no longer matches.
    index.publish(Package::new("a", "2.0")).unwrap();
    let changed = get(
        &index.project_url("a").unwrap(),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(changed.status(), 200);
    assert_ne!(header(&changed, "etag"), Some(etag));

    let plain = a_and_b().serve();
    assert_eq!(header(&get(&plain.url(), &[]), "etag"), None);
}

#[test]
fn last_modified_revalidates_until_the_index_changes() {
    let index = a_and_b().last_modified(true).serve();
    let url = index.project_url("a").unwrap();
    let first = get(&url, &[]);
    let date = header(&first, "last-modified").expect("a Last-Modified date");
    assert!(date.ends_with(" GMT"), "{date}");
    assert_eq!(header(&first, "etag"), None);
    let again = get(&url, &[("If-Modified-Since", &date)]);
    assert_eq!(again.status(), 304);
    let file = get(
        &index.file_url("a-1.0-py3-none-any.whl"),
        &[("If-Modified-Since", &date)],
    );
    assert_eq!(file.status(), 304);

    index.yank_file("a-1.0-py3-none-any.whl", "").unwrap();
    let changed = get(&url, &[("If-Modified-Since", &date)]);
    assert_eq!(changed.status(), 200);
    assert_ne!(header(&changed, "last-modified"), Some(date));
}

#[test]
fn basic_auth_requires_credentials() {
    let index = a_and_b().basic_auth("alice", "s3cret").serve();
    let denied = get(&index.url(), &[]);
    assert_eq!(denied.status(), 401);
    assert_eq!(
        header(&denied, "www-authenticate").as_deref(),
        Some("Basic realm=\"posy-testkit\"")
    );
    let wrong = client()
        .get(index.url())
        .basic_auth("alice", Some("nope"))
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let allowed = client()
        .get(index.url())
        .basic_auth("alice", Some("s3cret"))
        .send()
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let log = index.requests();
    assert_eq!(log[0].header("authorization"), None);
    assert_eq!(
        log[2].header("authorization"),
        Some("Basic YWxpY2U6czNjcmV0")
    );
    assert_eq!(
        index.url_with_credentials(),
        format!(
            "http://alice:s3cret@127.0.0.1:{}/simple/",
            index.addr().port()
        )
    );
}

#[test]
fn names_are_normalized_by_redirect() {
    let index = Index::new().package(Package::new("Foo.Bar", "1.0")).serve();
    let redirect = get(&format!("{}Foo_Bar/", index.url()), &[]);
    assert_eq!(redirect.status(), 301);
    assert_eq!(
        header(&redirect, "location").as_deref(),
        Some("/simple/foo-bar/")
    );
    let no_slash = get(&format!("{}foo-bar", index.url()), &[]);
    assert_eq!(
        header(&no_slash, "location").as_deref(),
        Some("/simple/foo-bar/")
    );
    assert_eq!(get(&format!("{}nothing/", index.url()), &[]).status(), 404);
    assert_eq!(
        get(&format!("{}/other", index.base_url()), &[]).status(),
        404
    );
    assert_eq!(client().post(index.url()).send().unwrap().status(), 405);
}

#[test]
fn one_connection_serves_many_requests() {
    let index = a_and_b().serve();
    let mut conn = raw_http::connect(index.addr());
    for path in ["/simple/", "/simple/a/", "/files/a-1.0-py3-none-any.whl"] {
        raw_http::send_get(&mut conn, path, &[]);
        let response = raw_http::read_response(&mut conn).unwrap();
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("connection"), None);
    }
    // HEAD announces the length and sends no body; the connection stays usable.
    conn.get_mut()
        .write_all(b"HEAD /files/a-1.0-py3-none-any.whl HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut conn, &mut line).unwrap();
        head.push_str(&line);
    }
    let len = index
        .artifact("a-1.0-py3-none-any.whl")
        .unwrap()
        .bytes()
        .len();
    assert!(
        head.contains(&format!("Content-Length: {len}\r\n")),
        "{head}"
    );
    raw_http::send_get(&mut conn, "/simple/b/", &["Connection: close"]);
    let last = raw_http::read_response(&mut conn).unwrap();
    assert_eq!(last.header("connection"), Some("close"));
    assert_eq!(index.requests().len(), 5);
}

#[tokio::test]
async fn async_tests_use_the_same_index() {
    let index = a_and_b().serve();
    let response = reqwest::get(index.url()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("/simple/b/"));
}

#[test]
fn a_remote_find_links_page_lists_every_file() {
    let index = a_and_b().serve();
    let page = get(&index.find_links_url(), &[]).text().unwrap();
    for file in [
        "a-1.0-py3-none-any.whl",
        "b-2.0-py3-none-any.whl",
        "b-2.0.tar.gz",
    ] {
        assert!(
            page.contains(&format!("href=\"/files/{file}#sha256=")),
            "{page}"
        );
    }
}
