//! pip, the reference client, talks to the test index as to a real one.

mod python;

use posy_testkit::{BuildBackend, Fault, Format, Index, Package};
use python::{listing, pip, pip_output};

fn a_and_b() -> Index {
    Index::new()
        .package(Package::new("a", "1.0").file("a.py", "A = 1"))
        .package(
            Package::new("a", "2.0")
                .file("a.py", "A = 2")
                .requires_python(">=4"),
        )
        .package(
            Package::new("b", "2.0")
                .dep("a>=1")
                .file("b.py", "B = 2")
                .with_sdist(),
        )
}

#[test]
fn pip_downloads_from_the_html_pages() {
    let index = a_and_b().format(Format::Html).serve();
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();
    let Some(_) = pip(&[
        "download",
        "--no-deps",
        "--index-url",
        &index.url(),
        "--dest",
        dest_str,
        "a",
    ]) else {
        return;
    };
    // a 2.0 needs Python 4: pip read data-requires-python and took 1.0.
    assert_eq!(listing(dest.path()), ["a-1.0-py3-none-any.whl"]);
    let page = &index.requests_to("/simple/a/")[0];
    assert!(page.header("accept").unwrap().contains("text/html"));
    let downloads: Vec<String> = index
        .full_downloads()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(downloads, ["/files/a-1.0-py3-none-any.whl"]);
}

#[test]
fn pip_installs_with_dependencies_from_the_json_pages() {
    let index = a_and_b().format(Format::Json).serve();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    let Some(_) = pip(&[
        "install",
        "--index-url",
        &index.url(),
        "--target",
        target.to_str().unwrap(),
        "b",
    ]) else {
        return;
    };
    let installed = listing(&target);
    for expected in ["a-1.0.dist-info", "a.py", "b-2.0.dist-info", "b.py"] {
        assert!(installed.contains(&expected.to_string()), "{installed:?}");
    }
}

#[test]
fn pip_resolves_from_metadata_files() {
    let index = a_and_b().serve();
    let Some(_) = pip(&[
        "install",
        "--dry-run",
        "--quiet",
        "--index-url",
        &index.url(),
        "b",
    ]) else {
        return;
    };
    // pip 23 checks each metadata file against data-dist-info-metadata and
    // resolves with it; it still downloads the chosen wheels afterwards.
    let paths: Vec<String> = index
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let metadata: Vec<&String> = paths.iter().filter(|p| p.ends_with(".metadata")).collect();
    assert_eq!(
        metadata,
        [
            "/files/b-2.0-py3-none-any.whl.metadata",
            "/files/a-1.0-py3-none-any.whl.metadata"
        ]
    );
    let first_download = paths
        .iter()
        .position(|p| p.ends_with(".whl"))
        .unwrap_or(paths.len());
    let last_metadata = paths
        .iter()
        .rposition(|p| p.ends_with(".metadata"))
        .unwrap();
    assert!(last_metadata < first_download, "{paths:?}");
}

#[test]
fn pip_sends_credentials_from_the_url() {
    let index = a_and_b().basic_auth("alice", "s3cret").serve();
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();
    let url = index.url_with_credentials();
    let Some(_) = pip(&[
        "download",
        "--no-deps",
        "--index-url",
        &url,
        "--dest",
        dest_str,
        "b",
    ]) else {
        return;
    };
    assert_eq!(listing(dest.path()), ["b-2.0-py3-none-any.whl"]);
    assert!(
        index
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_some())
    );
}

#[test]
fn pip_lists_the_versions_of_a_project() {
    let index = Index::new()
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "1.5"))
        .package(Package::new("a", "2.0").yanked("bad"))
        .serve();
    let Some(out) = pip(&["index", "versions", "--index-url", &index.url(), "a"]) else {
        return;
    };
    assert!(out.contains("a (1.5)"), "{out}");
    assert!(out.contains("Available versions: 1.5, 1.0"), "{out}");
}

#[test]
fn pip_rejects_a_file_whose_hash_does_not_match_the_page() {
    let index = a_and_b().fault(Fault::WrongHash.on("/simple/a/")).serve();
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();
    let Some(output) = pip_output(&[
        "download",
        "--no-deps",
        "--index-url",
        &index.url(),
        "--dest",
        dest_str,
        "a",
    ]) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("HASHES"), "{stderr}");
}

#[test]
fn pip_retries_after_server_errors() {
    let index = a_and_b()
        .fault(Fault::Status(503).on("/simple/a/").times(1))
        .serve();
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();
    let Some(_) = pip(&[
        "download",
        "--no-deps",
        "--index-url",
        &index.url(),
        "--dest",
        dest_str,
        "a",
    ]) else {
        return;
    };
    assert_eq!(listing(dest.path()), ["a-1.0-py3-none-any.whl"]);
    let statuses: Vec<Option<u16>> = index
        .requests_to("/simple/a/")
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(statuses, [Some(503), Some(200)]);
}

/// A PEP 517 backend small enough to ship inside the sdist, so building
/// needs nothing from a registry: it zips the top-level modules with the
/// sdist's PKG-INFO as METADATA.
const IN_TREE_BACKEND: &str = r#"
import base64, email.parser, hashlib, os, zipfile

def get_requires_for_build_wheel(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    metadata = open("PKG-INFO", encoding="utf-8").read()
    fields = email.parser.Parser().parsestr(metadata)
    base = "{}-{}".format(fields["Name"].replace("-", "_").lower(), fields["Version"])
    filename = base + "-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        def add(name, data):
            wheel.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append("{},sha256={},{}".format(name, digest, len(data)))
        for module in sorted(os.listdir(".")):
            if module.endswith(".py"):
                add(module, open(module, "rb").read())
        add(base + ".dist-info/METADATA", metadata.encode())
        add(base + ".dist-info/WHEEL", b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        records.append(base + ".dist-info/RECORD,,")
        wheel.writestr(base + ".dist-info/RECORD", "\n".join(records) + "\n")
    return filename
"#;

#[test]
fn pip_builds_an_sdist_with_an_in_tree_backend() {
    let index = Index::new()
        .package(
            Package::new("c", "1.0")
                .file("c.py", "C = 3")
                .sdist_file("backend/tk_backend.py", IN_TREE_BACKEND)
                .build_backend(BuildBackend::new("tk_backend", []).backend_path(["backend"]))
                .sdist_only(),
        )
        .serve();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    let Some(_) = pip(&[
        "install",
        "--index-url",
        &index.url(),
        "--target",
        target.to_str().unwrap(),
        "c",
    ]) else {
        return;
    };
    assert_eq!(
        std::fs::read_to_string(target.join("c.py")).unwrap(),
        "C = 3"
    );
    assert!(target.join("c-1.0.dist-info/METADATA").is_file());
    assert_eq!(index.full_downloads()[0].path(), "/files/c-1.0.tar.gz");
}
