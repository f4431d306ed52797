//! A download whose bytes do not match the index's hash is fetched once
//! more before it is an error (a flaky proxy or CDN is not an attack; a
//! second mismatch is), and nothing that failed its hash is ever stored.

use std::path::Path;
use std::time::Duration;

use posy_index::{IndexClient, IndexError, IndexFile, IndexOptions, IndexUrl, NetrcSource};
use posy_testkit::{Fault, Index, IndexServer, Package};
use posy_vocab::PackageName;

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
    client
        .project(&PackageName::new("a").unwrap())
        .await
        .unwrap()
        .files
        .into_iter()
        .find(|f| f.filename.ends_with(".whl"))
        .unwrap()
}

/// Stored artifacts (lock files and tag markers aside) and staging files.
fn stored(cache: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&cache.join("v1/artifacts"), &mut out);
    walk(&cache.join("v1/tmp"), &mut out);
    out.retain(|p| !p.ends_with(".lock"));
    out
}

fn index(fault_times: u32) -> IndexServer {
    Index::new()
        .package(Package::new("a", "1.0"))
        .fault(Fault::WrongHash.on("/files/*.whl").times(fault_times))
        .serve()
}

#[tokio::test]
async fn one_corrupt_download_is_fetched_again() {
    let cache = tempfile::tempdir().unwrap();
    let server = index(1);
    let client = client(&server, cache.path());
    let wheel = wheel(&client).await;
    let artifact = client.download(&wheel).await.unwrap();
    let served = server.artifact(&wheel.filename).unwrap();
    assert_eq!(std::fs::read(&artifact.path).unwrap(), served.bytes());
    assert_eq!(server.requests_to("/files/*.whl").len(), 2);
}

#[tokio::test]
async fn one_corrupt_download_to_memory_is_fetched_again() {
    let cache = tempfile::tempdir().unwrap();
    let server = index(1);
    let client = client(&server, cache.path());
    let wheel = wheel(&client).await;
    let mut bytes = Vec::new();
    let sha256 = client.download_to_memory(&wheel, &mut bytes).await.unwrap();
    let served = server.artifact(&wheel.filename).unwrap();
    assert_eq!(bytes, served.bytes());
    assert_eq!(sha256, served.sha256());
    assert_eq!(server.requests_to("/files/*.whl").len(), 2);
}

#[tokio::test]
async fn two_corrupt_downloads_are_an_error_and_store_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let server = index(0);
    let client = client(&server, cache.path());
    let wheel = wheel(&client).await;
    let served = server.artifact(&wheel.filename).unwrap();
    for to_memory in [false, true] {
        server.clear_requests();
        server.add_fault(Fault::WrongHash.on("/files/*.whl").times(2));
        let error = if to_memory {
            client
                .download_to_memory(&wheel, &mut Vec::new())
                .await
                .unwrap_err()
        } else {
            client.download(&wheel).await.unwrap_err()
        };
        let text = error.to_string();
        let IndexError::HashMismatch {
            expected, actual, ..
        } = &error
        else {
            panic!("{error}")
        };
        assert!(expected.contains(served.sha256()), "{text}");
        assert!(!actual.contains(served.sha256()), "{text}");
        assert!(text.contains(&wheel.url.to_string()), "{text}");
        assert!(text.contains(expected.as_str()), "{text}");
        assert!(text.contains(actual.as_str()), "{text}");
        assert!(text.contains("twice"), "{text}");
        assert_eq!(server.requests_to("/files/*.whl").len(), 2, "{to_memory}");
        assert_eq!(stored(cache.path()), Vec::<String>::new());
    }
}
