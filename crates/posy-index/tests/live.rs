//! Against the real public index, for what only the real world shows:
//! real pages, real metadata files, real servers' range support. Runs only
//! with `POSY_LIVE=1` as `#[ignore]`d tests (CI runs them with
//! `-- --include-ignored`); without `POSY_LIVE=1` they fail.

use posy_index::{IndexClient, IndexFile, IndexOptions, MetadataVia};
use posy_vocab::PackageName;

fn live() -> bool {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    true
}

async fn file(client: &IndexClient, project: &str, filename: &str) -> IndexFile {
    let files = client
        .project(&PackageName::new(project).unwrap())
        .await
        .unwrap();
    assert!(
        files.versions.is_some(),
        "{project}: the public index should answer in JSON (PEP 691/700)"
    );
    let file = files.files.into_iter().find(|f| f.filename == filename);
    file.unwrap_or_else(|| panic!("{filename} is not listed on the {project} page"))
}

#[tokio::test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn real_metadata_through_every_path() {
    if !live() {
        return;
    }
    let client = IndexOptions::new().build().unwrap();
    for (project, filename, version) in [
        ("requests", "requests-2.32.3-py3-none-any.whl", "2.32.3"),
        ("django", "Django-5.1.4-py3-none-any.whl", "5.1.4"),
        (
            "numpy",
            "numpy-2.2.6-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "2.2.6",
        ),
    ] {
        let wheel = file(&client, project, filename).await;
        assert!(wheel.sha256().is_some() && wheel.upload_time.is_some() && wheel.size.is_some());
        for via in [
            MetadataVia::MetadataFile,
            MetadataVia::RangeRequests,
            MetadataVia::FullDownload,
            MetadataVia::Auto,
        ] {
            let before = client.stats();
            let metadata = client
                .wheel_metadata_via(&wheel, via)
                .await
                .unwrap_or_else(|e| panic!("{filename} via {via:?}: {e}"));
            let parsed = posy_vocab::CoreMetadata::parse(&metadata)
                .unwrap_or_else(|e| panic!("{filename} via {via:?}: {e}"));
            assert_eq!(parsed.name.as_str(), project, "{via:?}");
            assert_eq!(parsed.version.to_string(), version, "{via:?}");
            let after = client.stats();
            eprintln!(
                "{filename} via {via:?}: {} request(s), {} bytes",
                after.requests - before.requests,
                after.bytes - before.bytes
            );
        }
    }
}

#[tokio::test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn real_html_and_json_pages_agree() {
    if !live() {
        return;
    }
    let name = PackageName::new("iniconfig").unwrap();
    let json = IndexOptions::new()
        .build()
        .unwrap()
        .project(&name)
        .await
        .unwrap();
    // The public index serves HTML to clients that ask only for HTML; a
    // find-links page is always read as HTML, so read the page that way.
    let html = IndexOptions::new()
        .no_index(true)
        .find_links(posy_index::FindLinks::Page(
            url::Url::parse("https://pypi.org/simple/iniconfig/").unwrap(),
        ))
        .build()
        .unwrap()
        .project(&name)
        .await
        .unwrap();
    assert!(!json.files.is_empty());
    let mut a: Vec<_> = json
        .files
        .iter()
        .map(|f| (&f.filename, f.sha256().map(|h| h.hex())))
        .collect();
    let mut b: Vec<_> = html
        .files
        .iter()
        .map(|f| (&f.filename, f.sha256().map(|h| h.hex())))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}
