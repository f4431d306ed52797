//! posy-index against a real local index (posy-testkit): every switch the
//! index has and every fault it can inject, checked both by what the client
//! concluded and by what it asked the server.

use std::time::{Duration, Instant};

use posy_index::{
    ExcludeNewer, FindLinks, IndexClient, IndexError, IndexOptions, IndexStrategy, IndexUrl,
    MetadataVia, NetrcSource, Refresh,
};
use posy_testkit::{Fault, Format, Index, IndexServer, Package};
use posy_vocab::PackageName;

fn name(s: &str) -> PackageName {
    PackageName::new(s).unwrap()
}

/// Options pointing at `server`, with fast retries and no ambient credentials.
fn options(server: &IndexServer) -> IndexOptions {
    IndexOptions::new()
        .index_url(IndexUrl::parse(&server.url()).unwrap())
        .retry_backoff(Duration::from_millis(10))
        .netrc(NetrcSource::Disabled)
        .env(|_| None)
}

fn client(server: &IndexServer) -> IndexClient {
    options(server).build().unwrap()
}

fn two_versions() -> Index {
    Index::new()
        .package(Package::new("a", "1.0").with_sdist())
        .package(Package::new("a", "2.0").requires_python(">=3.8"))
}

#[tokio::test]
async fn json_page_with_pep_700_fields() {
    let server = two_versions().format(Format::Json).serve();
    let files = client(&server).project(&name("a")).await.unwrap();
    let names: Vec<_> = files.files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let wheel = files
        .files
        .iter()
        .find(|f| f.filename == "a-2.0-py3-none-any.whl")
        .unwrap();
    assert_eq!(
        wheel.sha256().unwrap().hex(),
        server.artifact(&wheel.filename).unwrap().sha256()
    );
    assert_eq!(wheel.requires_python.as_deref(), Some(">=3.8"));
    assert!(wheel.upload_time.is_some());
    assert!(wheel.size.is_some());
    assert_eq!(files.versions.as_deref().map(<[String]>::len), Some(2));
    assert!(
        files
            .files
            .iter()
            .all(|f| f.dist.as_ref().is_some_and(|d| d.name().as_str() == "a"))
    );
    assert_eq!(wheel.dist.as_ref().unwrap().version().to_string(), "2.0");
    let page = &server.requests_to("/simple/a/")[0];
    assert!(
        page.header("accept")
            .unwrap()
            .starts_with("application/vnd.pypi.simple.v1+json")
    );
}

#[tokio::test]
async fn html_page() {
    let server = two_versions().format(Format::Html).serve();
    let files = client(&server).project(&name("A")).await.unwrap();
    assert_eq!(files.files.len(), 3);
    let wheel = files
        .files
        .iter()
        .find(|f| f.filename == "a-2.0-py3-none-any.whl")
        .unwrap();
    assert_eq!(wheel.requires_python.as_deref(), Some(">=3.8"));
    assert!(wheel.upload_time.is_none());
    assert!(wheel.sha256().is_some());
    // PEP 658/714 in HTML: the metadata file is advertised with its hash.
    let advertised = server
        .artifact(&wheel.filename)
        .unwrap()
        .metadata_sha256()
        .unwrap()
        .to_owned();
    match &wheel.core_metadata {
        posy_index::CoreMetadataFile::Present { hashes } => assert_eq!(hashes[0].hex(), advertised),
        other => panic!("{other:?}"),
    }
    assert_eq!(files.versions, None);
}

#[tokio::test]
async fn missing_project_is_empty_not_an_error() {
    let server = two_versions().serve();
    let files = client(&server).project(&name("nope")).await.unwrap();
    assert!(files.files.is_empty());
    assert!(files.indexes.is_empty());
}

#[tokio::test]
async fn yanked_files_keep_their_reason() {
    for format in [Format::Json, Format::Html] {
        let server = two_versions()
            .yank_file("a-1.0-py3-none-any.whl", "broken build")
            .format(format)
            .serve();
        let files = client(&server).project(&name("a")).await.unwrap();
        let yanked = files
            .files
            .iter()
            .find(|f| f.filename == "a-1.0-py3-none-any.whl")
            .unwrap();
        assert_eq!(
            yanked.yanked.as_ref().unwrap().reason.as_deref(),
            Some("broken build"),
            "{format:?}"
        );
        let kept = files
            .files
            .iter()
            .find(|f| f.filename == "a-2.0-py3-none-any.whl")
            .unwrap();
        assert_eq!(kept.yanked, None);
    }
}

async fn first_wheel(client: &IndexClient, project: &str) -> posy_index::IndexFile {
    let files = client.project(&name(project)).await.unwrap();
    files
        .files
        .into_iter()
        .rev()
        .find(|f| f.is_wheel())
        .unwrap()
}

#[tokio::test]
async fn metadata_from_pep_658_file() {
    let server = two_versions().serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "a").await;
    assert!(wheel.metadata_url().is_some());
    let metadata = client.wheel_metadata(&wheel).await.unwrap();
    assert_eq!(
        metadata,
        server
            .artifact(&wheel.filename)
            .unwrap()
            .metadata()
            .unwrap()
    );
    assert_eq!(server.requests_to("*.metadata").len(), 1);
    assert!(server.full_downloads().is_empty());
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("range").is_none())
    );
}

#[tokio::test]
async fn metadata_file_with_wrong_hash_is_refused() {
    let server = two_versions()
        .fault(Fault::WrongHash.on("*.metadata"))
        .serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "a").await;
    let error = client.wheel_metadata(&wheel).await.unwrap_err();
    assert!(matches!(error, IndexError::HashMismatch { .. }), "{error}");
    assert!(error.to_string().contains(".metadata"), "{error}");
}

#[tokio::test]
async fn metadata_by_range_requests_without_a_download() {
    let big = "x".repeat(300_000);
    let server = Index::new()
        .package(Package::new("a", "1.0").file("a/blob.bin", big.as_bytes()))
        .metadata_files(false)
        .serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "a").await;
    assert!(wheel.metadata_url().is_none());
    let metadata = client.wheel_metadata(&wheel).await.unwrap();
    assert_eq!(
        metadata,
        server
            .artifact(&wheel.filename)
            .unwrap()
            .metadata()
            .unwrap()
    );
    assert!(server.full_downloads().is_empty());
    let ranges: Vec<_> = server
        .requests_to("/files/*")
        .iter()
        .filter_map(|r| r.header("range").map(str::to_owned))
        .collect();
    assert!(!ranges.is_empty() && ranges.len() <= 3, "{ranges:?}");
    assert_eq!(ranges[0], format!("bytes=-{}", posy_index::TAIL_SIZE));
}

#[tokio::test]
async fn a_directory_larger_than_the_tail_costs_one_more_request() {
    let mut package = Package::new("big", "1.0");
    for i in 0..3000 {
        package = package.file(&format!("big/module_{i:05}.py"), "x = 1\n");
    }
    let server = Index::new().package(package).metadata_files(false).serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "big").await;
    let metadata = client.wheel_metadata(&wheel).await.unwrap();
    assert_eq!(
        metadata,
        server
            .artifact(&wheel.filename)
            .unwrap()
            .metadata()
            .unwrap()
    );
    assert_eq!(server.requests_to("/files/*").len(), 2);
    assert!(server.full_downloads().is_empty());
}

#[tokio::test]
async fn server_that_ignores_ranges_still_works_and_is_remembered() {
    let server = Index::new()
        .package(Package::new("a", "1.0"))
        .package(Package::new("b", "1.0"))
        .metadata_files(false)
        .range_requests(false)
        .serve();
    let client = client(&server);
    for project in ["a", "b"] {
        let wheel = first_wheel(&client, project).await;
        let metadata = client.wheel_metadata(&wheel).await.unwrap();
        assert_eq!(
            metadata,
            server
                .artifact(&wheel.filename)
                .unwrap()
                .metadata()
                .unwrap()
        );
    }
    let file_requests = server.requests_to("/files/*");
    // The first asked for a range, got the whole file and left it unread
    // (whole wheels are not held in memory), then downloaded it; the
    // second did not ask for a range at all.
    assert_eq!(file_requests.len(), 3);
    assert!(file_requests[0].header("range").is_some());
    assert!(file_requests[1].header("range").is_none());
    assert!(file_requests[2].header("range").is_none());
}

#[tokio::test]
async fn every_metadata_path_agrees() {
    let server = two_versions().serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "a").await;
    let expected = server
        .artifact(&wheel.filename)
        .unwrap()
        .metadata()
        .unwrap()
        .to_vec();
    for via in [
        MetadataVia::MetadataFile,
        MetadataVia::RangeRequests,
        MetadataVia::FullDownload,
        MetadataVia::Auto,
    ] {
        assert_eq!(
            client.wheel_metadata_via(&wheel, via).await.unwrap(),
            expected,
            "{via:?}"
        );
    }
}

#[tokio::test]
async fn sdist_without_metadata_file_says_it_needs_a_build() {
    let server = Index::new()
        .package(Package::new("a", "1.0").sdist_only())
        .metadata_files(false)
        .serve();
    let client = client(&server);
    let files = client.project(&name("a")).await.unwrap();
    let error = client.wheel_metadata(&files.files[0]).await.unwrap_err();
    assert!(
        matches!(error, IndexError::MetadataUnavailable { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn download_is_verified_and_cached_by_hash() {
    let cache = tempfile::tempdir().unwrap();
    let server = two_versions().serve();
    let client = options(&server)
        .cache_dir(Some(cache.path().to_owned()))
        .build()
        .unwrap();
    let wheel = first_wheel(&client, "a").await;
    let artifact = client.download(&wheel).await.unwrap();
    let served = server.artifact(&wheel.filename).unwrap();
    assert_eq!(std::fs::read(&artifact.path).unwrap(), served.bytes());
    assert_eq!(artifact.sha256, served.sha256());
    // Attributed to its project, for a per-package clean.
    let stored = walk(cache.path());
    assert!(
        stored.iter().any(|p| p.contains("tags/a/artifacts-")),
        "{stored:?}"
    );
    let before = server.requests().len();
    assert_eq!(client.download(&wheel).await.unwrap(), artifact);
    // The metadata of a stored artifact is read from disk too.
    client
        .wheel_metadata_via(&wheel, MetadataVia::Auto)
        .await
        .unwrap();
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn download_with_wrong_hash_stores_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let server = two_versions()
        .fault(Fault::WrongHash.on("/files/*"))
        .serve();
    let client = options(&server)
        .cache_dir(Some(cache.path().to_owned()))
        .build()
        .unwrap();
    let wheel = first_wheel(&client, "a").await;
    let error = client.download(&wheel).await.unwrap_err();
    let text = error.to_string();
    let IndexError::HashMismatch {
        expected, actual, ..
    } = &error
    else {
        panic!("{error}")
    };
    assert!(
        text.contains(&wheel.url.to_string())
            && text.contains(expected.as_str())
            && text.contains(actual.as_str())
    );
    let stored = walk(cache.path());
    assert!(
        stored
            .iter()
            .all(|p| !p.contains("artifacts") || p.ends_with(".lock"))
            && !stored.iter().any(|p| p.contains("v1/tmp/")),
        "{stored:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path().display().to_string());
        }
    }
    out
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = two_versions()
        .fault(Fault::Status(500).on("/simple/a/").times(2))
        .serve();
    let files = client(&server).project(&name("a")).await.unwrap();
    assert_eq!(files.files.len(), 3);
    assert_eq!(server.requests_to("/simple/a/").len(), 3);
}

#[tokio::test]
async fn retry_after_is_respected() {
    let server = two_versions()
        .fault(
            Fault::RetryAfter {
                status: 429,
                seconds: 1,
            }
            .on("/simple/a/")
            .times(1),
        )
        .serve();
    let start = Instant::now();
    client(&server).project(&name("a")).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn persistent_failure_names_the_url_and_attempts() {
    let server = two_versions()
        .fault(Fault::Status(503).on("/simple/a/"))
        .serve();
    let error = options(&server)
        .retries(2)
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    let text = error.to_string();
    assert!(
        text.contains(&server.project_url("a").unwrap()) && text.contains("3 attempt"),
        "{text}"
    );
    assert_eq!(server.requests_to("/simple/a/").len(), 3);
}

#[tokio::test]
async fn resets_and_truncated_bodies_are_retried() {
    let server = two_versions()
        .fault(Fault::Reset.on("/simple/a/").times(1))
        .fault(Fault::Truncate.on("/files/*").times(1))
        .serve();
    let client = client(&server);
    let wheel = first_wheel(&client, "a").await;
    let artifact = client.download(&wheel).await.unwrap();
    assert_eq!(
        artifact.sha256,
        server.artifact(&wheel.filename).unwrap().sha256()
    );
    let truncated_page = Index::new()
        .package(Package::new("a", "1.0"))
        .fault(Fault::Truncate.on("/simple/a/").times(1))
        .serve();
    assert_eq!(
        options(&truncated_page)
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap()
            .files
            .len(),
        1
    );
}

#[tokio::test]
async fn slow_responses_time_out_then_retry() {
    let server = two_versions()
        .fault(
            Fault::Delay(Duration::from_secs(2))
                .on("/simple/a/")
                .times(1),
        )
        .serve();
    let error = options(&server)
        .read_timeout(Duration::from_millis(300))
        .retries(0)
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap_err();
    assert!(matches!(error, IndexError::Transport { .. }), "{error}");
    server.add_fault(
        Fault::Delay(Duration::from_secs(2))
            .on("/simple/a/")
            .times(1),
    );
    let files = options(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .project(&name("a"))
        .await;
    assert_eq!(files.unwrap().files.len(), 3);
}

#[tokio::test]
async fn credentials_from_the_index_url_cover_files_and_never_show() {
    let server = two_versions()
        .basic_auth("alice", "s3cret")
        .metadata_files(false)
        .serve();
    let client = IndexOptions::new()
        .index_url(IndexUrl::parse(&server.url_with_credentials()).unwrap())
        .netrc(NetrcSource::Disabled)
        .env(|_| None)
        .build()
        .unwrap();
    let wheel = first_wheel(&client, "a").await;
    assert!(wheel.url.username().is_empty());
    client.wheel_metadata(&wheel).await.unwrap();
    client.download(&wheel).await.unwrap();

    let wrong = server.url_with_credentials().replace("s3cret", "wrong-pw");
    let error = IndexOptions::new()
        .index_url(IndexUrl::parse(&wrong).unwrap())
        .env(|_| None)
        .netrc(NetrcSource::Disabled)
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.status(), Some(401));
    assert!(
        !text.contains("wrong-pw") && !text.contains("alice") && text.contains("****"),
        "{text}"
    );
    assert!(text.contains("credentials"), "{text}");
}

#[tokio::test]
async fn credentials_in_a_find_links_url_cover_its_files() {
    let server = two_versions().basic_auth("carol", "pw").serve();
    let links = server
        .find_links_url()
        .replace("http://", "http://carol:pw@");
    let client = IndexOptions::new()
        .no_index(true)
        .find_links(FindLinks::parse(&links).unwrap())
        .netrc(NetrcSource::Disabled)
        .env(|_| None)
        .build()
        .unwrap();
    let wheel = first_wheel(&client, "a").await;
    client.download(&wheel).await.unwrap();
}

#[tokio::test]
async fn credentials_from_env_and_netrc() {
    let server = two_versions().basic_auth("bob", "hunter2").serve();
    let error = client(&server).project(&name("a")).await.unwrap_err();
    assert_eq!(error.status(), Some(401));

    let by_host = options(&server).env(|key| match key {
        "POSY_INDEX_127_0_0_1_USERNAME" => Some("bob".into()),
        "POSY_INDEX_127_0_0_1_PASSWORD" => Some("hunter2".into()),
        _ => None,
    });
    assert_eq!(
        by_host
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap()
            .files
            .len(),
        3
    );

    let named = options(&server)
        .index_url(IndexUrl::parse(&server.url()).unwrap().named("corp"))
        .env(|key| match key {
            "POSY_INDEX_CORP_USERNAME" => Some("bob".into()),
            "POSY_INDEX_CORP_PASSWORD" => Some("hunter2".into()),
            _ => None,
        });
    assert_eq!(
        named
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap()
            .files
            .len(),
        3
    );

    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login bob password hunter2\n").unwrap();
    let from_netrc = options(&server).netrc(NetrcSource::Path(netrc));
    assert_eq!(
        from_netrc
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap()
            .files
            .len(),
        3
    );
}

#[tokio::test]
async fn exclude_newer_filters_by_upload_time() {
    let index = Index::new()
        .package(Package::new("a", "1.0").upload_time("2023-01-01T00:00:00Z"))
        .package(Package::new("a", "2.0").upload_time("2025-01-01T00:00:00Z"));
    let server = index.clone().format(Format::Json).serve();
    let cutoff: ExcludeNewer = "2024-01-01T00:00:00Z".parse().unwrap();
    let files = options(&server)
        .exclude_newer(Some(cutoff))
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap();
    let names: Vec<_> = files.files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(names, ["a-1.0-py3-none-any.whl"]);

    let undated = index.upload_times(false).serve();
    let files = options(&undated)
        .exclude_newer(Some(cutoff))
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap();
    assert!(files.files.is_empty());
    assert_eq!(files.undated_excluded, 2);
}

#[tokio::test]
async fn find_links_directory_and_page() {
    let index = two_versions().package(Package::new("b", "1.0"));
    let dir = tempfile::tempdir().unwrap();
    let links = index.find_links(dir.path()).unwrap();

    let client = IndexOptions::new()
        .no_index(true)
        .find_links(FindLinks::parse(links.dir().to_str().unwrap()).unwrap())
        .build()
        .unwrap();
    let files = client.project(&name("a")).await.unwrap();
    assert_eq!(files.files.len(), 3);
    let wheel = files
        .files
        .iter()
        .find(|f| f.filename == "a-2.0-py3-none-any.whl")
        .unwrap();
    let metadata = client.wheel_metadata(wheel).await.unwrap();
    assert!(String::from_utf8_lossy(&metadata).contains("Version: 2.0"));
    assert_eq!(
        client.download(wheel).await.unwrap().path,
        wheel.url.to_file_path().unwrap()
    );
    assert_eq!(client.stats().requests, 0);

    let local_page = IndexOptions::new()
        .no_index(true)
        .find_links(FindLinks::parse(links.page().to_str().unwrap()).unwrap())
        .build()
        .unwrap();
    assert_eq!(local_page.project(&name("b")).await.unwrap().files.len(), 1);

    let server = index.serve();
    let remote = options(&server)
        .no_index(true)
        .find_links(FindLinks::parse(&server.find_links_url()).unwrap())
        .build()
        .unwrap();
    assert_eq!(remote.project(&name("a")).await.unwrap().files.len(), 3);
    assert_eq!(remote.project(&name("b")).await.unwrap().files.len(), 1);
    assert_eq!(
        server.requests_to("/links/").len(),
        1,
        "a find-links page is read once"
    );
    assert!(server.requests_to("/simple/*").is_empty());
}

#[tokio::test]
async fn index_strategies() {
    let private = Index::new().package(Package::new("a", "1.0")).serve();
    let public = Index::new()
        .package(Package::new("a", "9.0"))
        .package(Package::new("c", "1.0"))
        .serve();
    let base = |strategy| {
        options(&public)
            .extra_index_url(IndexUrl::parse(&private.url()).unwrap())
            .index_strategy(strategy)
            .build()
            .unwrap()
    };
    let first = base(IndexStrategy::FirstIndex)
        .project(&name("a"))
        .await
        .unwrap();
    let names: Vec<_> = first.files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(
        names,
        ["a-1.0-py3-none-any.whl"],
        "the extra index shadows the default one"
    );
    assert!(public.requests_to("/simple/a/").is_empty());
    // A name the private index lacks falls through to the next index.
    assert_eq!(
        base(IndexStrategy::FirstIndex)
            .project(&name("c"))
            .await
            .unwrap()
            .files
            .len(),
        1
    );

    let merged = base(IndexStrategy::UnsafeBestMatch)
        .project(&name("a"))
        .await
        .unwrap();
    assert_eq!(merged.files.len(), 2);
    assert_eq!(merged.indexes.len(), 2);
}

#[tokio::test]
async fn page_cache_freshness_revalidation_offline_and_refresh() {
    let cache = tempfile::tempdir().unwrap();
    let server = two_versions().etag(true).serve();
    let cached = |o: IndexOptions| o.cache_dir(Some(cache.path().to_owned())).build().unwrap();

    cached(options(&server)).project(&name("a")).await.unwrap();
    assert_eq!(server.requests_to("/simple/a/").len(), 1);
    // No Cache-Control: fresh for the heuristic lifetime, no request.
    cached(options(&server)).project(&name("a")).await.unwrap();
    assert_eq!(server.requests_to("/simple/a/").len(), 1);
    // A user max age of zero: revalidate with the ETag, get a 304.
    let files = cached(options(&server).page_max_age(Some(Duration::ZERO)))
        .project(&name("a"))
        .await
        .unwrap();
    assert_eq!(files.files.len(), 3);
    let requests = server.requests_to("/simple/a/");
    assert_eq!(requests.len(), 2);
    assert!(requests[1].header("if-none-match").is_some());
    assert_eq!(requests[1].status(), Some(304));
    // --refresh always asks.
    cached(options(&server).refresh(Refresh::All))
        .project(&name("a"))
        .await
        .unwrap();
    assert_eq!(server.requests_to("/simple/a/").len(), 3);
    // --offline uses the cache however old, and fails clearly without it.
    let offline = cached(
        options(&server)
            .offline(true)
            .page_max_age(Some(Duration::ZERO)),
    );
    assert_eq!(offline.project(&name("a")).await.unwrap().files.len(), 3);
    let error = offline.project(&name("b")).await.unwrap_err();
    assert!(matches!(error, IndexError::Offline { .. }), "{error}");
    assert!(error.to_string().contains("--offline"));
    assert_eq!(server.requests_to("/simple/*").len(), 3);
}

#[tokio::test]
async fn server_cache_control_is_obeyed() {
    let cache = tempfile::tempdir().unwrap();
    let server = two_versions().cache_control("max-age=0").serve();
    for _ in 0..2 {
        options(&server)
            .cache_dir(Some(cache.path().to_owned()))
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap();
    }
    assert_eq!(server.requests_to("/simple/a/").len(), 2);

    let cache = tempfile::tempdir().unwrap();
    let no_store = two_versions().cache_control("no-store").serve();
    for _ in 0..2 {
        options(&no_store)
            .cache_dir(Some(cache.path().to_owned()))
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap();
    }
    assert_eq!(no_store.requests_to("/simple/a/").len(), 2);
}

#[tokio::test]
async fn exclude_newer_keeps_old_pages_fresh() {
    let cache = tempfile::tempdir().unwrap();
    let server = two_versions().cache_control("max-age=0").serve();
    let cutoff: ExcludeNewer = "2020-01-01T00:00:00Z".parse().unwrap();
    for _ in 0..3 {
        options(&server)
            .exclude_newer(Some(cutoff))
            .cache_dir(Some(cache.path().to_owned()))
            .build()
            .unwrap()
            .project(&name("a"))
            .await
            .unwrap();
    }
    assert_eq!(server.requests_to("/simple/a/").len(), 1);
}

#[tokio::test]
async fn many_requests_share_a_bounded_window() {
    let index = Index::new().packages((0..20).map(|i| Package::new(&format!("p{i}"), "1.0")));
    let server = index.serve();
    let client = options(&server).concurrency(4).build().unwrap();
    let names: Vec<_> = (0..20).map(|i| name(&format!("p{i}"))).collect();
    let results = futures_util::future::join_all(names.iter().map(|n| client.project(n))).await;
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|f| f.files.len() == 1))
    );
    assert_eq!(client.stats().requests, 20);
}

#[tokio::test]
async fn a_local_directory_index_and_refreshing_one_package() {
    let dir = tempfile::tempdir().unwrap();
    let links = two_versions().find_links(dir.path()).unwrap();
    let project = dir.path().join("simple").join("a");
    std::fs::create_dir_all(&project).unwrap();
    let anchors: String = links
        .files()
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            format!("<a href=\"../../{name}\">{name}</a>\n")
        })
        .collect();
    std::fs::write(project.join("index.html"), anchors).unwrap();
    let client = IndexOptions::new()
        .index_url(IndexUrl::parse(dir.path().join("simple").to_str().unwrap()).unwrap())
        .build()
        .unwrap();
    let files = client.project(&name("a")).await.unwrap();
    assert_eq!(files.files.len(), 3);
    assert!(client.project(&name("b")).await.unwrap().files.is_empty());
    let wheel = files
        .files
        .iter()
        .find(|f| f.filename == "a-2.0-py3-none-any.whl")
        .unwrap();
    assert!(client.wheel_metadata(wheel).await.is_ok());

    let cache = tempfile::tempdir().unwrap();
    let server = two_versions().package(Package::new("b", "1.0")).serve();
    let cached = |refresh| {
        options(&server)
            .cache_dir(Some(cache.path().to_owned()))
            .refresh(refresh)
            .build()
            .unwrap()
    };
    for project in ["a", "b"] {
        cached(Refresh::None).project(&name(project)).await.unwrap();
    }
    cached(Refresh::Packages(vec![name("b")]))
        .project(&name("a"))
        .await
        .unwrap();
    cached(Refresh::Packages(vec![name("b")]))
        .project(&name("b"))
        .await
        .unwrap();
    assert_eq!(server.requests_to("/simple/a/").len(), 1);
    assert_eq!(server.requests_to("/simple/b/").len(), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_then_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://user:hunter2@127.0.0.1:{port}/simple/");
    let error = IndexOptions::new()
        .index_url(IndexUrl::parse(&url).unwrap())
        .retries(2)
        .retry_backoff(Duration::from_millis(5))
        .netrc(NetrcSource::Disabled)
        .env(|_| None)
        .build()
        .unwrap()
        .project(&name("a"))
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, IndexError::Transport { attempts: 3, .. }),
        "{text}"
    );
    assert!(
        text.contains(&format!("http://****@127.0.0.1:{port}/simple/a/")),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}
