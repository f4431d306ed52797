//! The wheels and sdists are real: Python's own tools accept and install them.

mod python;

use posy_testkit::{ArtifactKind, Index, Package};
use python::{listing, pip, run_python};

fn b() -> Package {
    Package::new("B.Pkg", "2.0")
        .dep("a>=1")
        .extra("socks", ["pysocks"])
        .requires_python(">=3.8")
        .file(
            "b_pkg/__init__.py",
            "X = 1\ndef main():\n    print('hello from b')\n",
        )
        .data_file("data", "share/b/readme.txt", "data file")
        .entry_point("console_scripts", "b-cli", "b_pkg:main")
}

#[test]
fn the_wheel_is_a_zip_whose_record_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = &b().build().unwrap()[0];
    assert_eq!(wheel.filename(), "b_pkg-2.0-py3-none-any.whl");
    let path = wheel.write_to(dir.path()).unwrap();
    let path = path.to_str().unwrap();

    let Some(_) = python::python() else { return };
    run_python(
        "import sys, zipfile; sys.exit(zipfile.main(['-t', sys.argv[1]]))",
        &[path],
    );
    let checked = run_python(
        r#"
import base64, csv, email.parser, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
record = z.read("b_pkg-2.0.dist-info/RECORD").decode()
rows = list(csv.reader(io.StringIO(record)))
assert sorted(r[0] for r in rows) == sorted(z.namelist()), (rows, z.namelist())
for path, hash, size in rows:
    if path.endswith("RECORD"):
        assert hash == "" and size == "", (path, hash, size)
        continue
    data = z.read(path)
    algo, digest = hash.split("=", 1)
    assert algo == "sha256"
    assert base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() == digest, path
    assert int(size) == len(data), path
meta = email.parser.Parser().parsestr(z.read("b_pkg-2.0.dist-info/METADATA").decode())
assert meta["Name"] == "B.Pkg" and meta["Version"] == "2.0", dict(meta)
assert meta["Requires-Python"] == ">=3.8"
assert meta.get_all("Requires-Dist") == ["a>=1", 'pysocks; extra == "socks"'], meta.get_all("Requires-Dist")
assert meta.get_all("Provides-Extra") == ["socks"]
wheel = email.parser.Parser().parsestr(z.read("b_pkg-2.0.dist-info/WHEEL").decode())
assert wheel["Wheel-Version"] == "1.0" and wheel["Root-Is-Purelib"] == "true" and wheel["Tag"] == "py3-none-any"
print(len(rows))
"#,
        &[path],
    );
    assert_eq!(checked.map(|s| s.trim().to_string()).as_deref(), Some("6"));
}

#[test]
fn pip_installs_from_a_find_links_directory() {
    let dir = tempfile::tempdir().unwrap();
    let links = Index::new()
        .package(Package::new("a", "1.0").file("a.py", "A = 1"))
        .package(b())
        .find_links(&dir.path().join("links"))
        .unwrap();
    let target = dir.path().join("target");
    let links_dir = links.dir().to_str().unwrap();
    let Some(_) = pip(&[
        "install",
        "--no-index",
        "--find-links",
        links_dir,
        "--target",
        target.to_str().unwrap(),
        "b.pkg",
    ]) else {
        return;
    };
    let installed = listing(&target);
    for expected in [
        "a-1.0.dist-info",
        "a.py",
        "b_pkg",
        "b_pkg-2.0.dist-info",
        "bin",
        "share",
    ] {
        assert!(installed.contains(&expected.to_string()), "{installed:?}");
    }
    assert!(target.join("bin/b-cli").is_file());
    assert_eq!(
        std::fs::read_to_string(target.join("share/b/readme.txt")).unwrap(),
        "data file"
    );
    // pip's generated console script runs the entry point.
    let out = run_python(
        "import sys; sys.path.insert(0, sys.argv[1]); import b_pkg; b_pkg.main()",
        &[target.to_str().unwrap()],
    );
    assert_eq!(out.as_deref(), Some("hello from b\n"));
}

#[test]
fn pip_reads_the_find_links_page() {
    let dir = tempfile::tempdir().unwrap();
    let links = Index::new()
        .package(Package::new("a", "1.0").file("a.py", "A = 1"))
        .package(
            Package::new("a", "2.0")
                .file("a.py", "A = 2")
                .yanked("broken"),
        )
        .find_links(dir.path())
        .unwrap();
    let dest = dir.path().join("dest");
    let Some(_) = pip(&[
        "download",
        "--no-index",
        "--find-links",
        &links.page_url(),
        "--dest",
        dest.to_str().unwrap(),
        "a",
    ]) else {
        return;
    };
    // 2.0 is yanked, so pip picks 1.0: the page's data-yanked was read.
    assert_eq!(listing(&dest), ["a-1.0-py3-none-any.whl"]);
}

#[test]
fn the_sdist_is_a_pep_625_archive_with_static_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let artifacts = b().with_sdist().build().unwrap();
    let sdist = artifacts
        .iter()
        .find(|a| a.kind() == ArtifactKind::Sdist)
        .unwrap();
    assert_eq!(sdist.filename(), "b_pkg-2.0.tar.gz");
    let path = sdist.write_to(dir.path()).unwrap();
    run_python(
        r#"
import email.parser, sys, tarfile, tomllib
t = tarfile.open(sys.argv[1])
names = t.getnames()
assert all(n == "b_pkg-2.0" or n.startswith("b_pkg-2.0/") for n in names), names
for name in ["b_pkg-2.0/PKG-INFO", "b_pkg-2.0/pyproject.toml", "b_pkg-2.0/b_pkg/__init__.py"]:
    assert name in names, names
assert all(m.mtime > 315532800 for m in t.getmembers())
meta = email.parser.Parser().parsestr(t.extractfile("b_pkg-2.0/PKG-INFO").read().decode())
assert meta["Metadata-Version"] == "2.2" and meta.get_all("Dynamic") is None
pyproject = tomllib.load(t.extractfile("b_pkg-2.0/pyproject.toml"))
assert pyproject["build-system"] == {"requires": ["setuptools>=61"], "build-backend": "setuptools.build_meta"}
project = pyproject["project"]
assert project["name"] == "B.Pkg" and project["version"] == "2.0"
assert project["dependencies"] == ["a>=1"]
assert project["optional-dependencies"] == {"socks": ["pysocks"]}
assert project["scripts"] == {"b-cli": "b_pkg:main"}
"#,
        &[path.to_str().unwrap()],
    );
}

#[test]
fn platform_wheels_install_to_platlib_and_expand_tags() {
    let wheel = &Package::new("c", "1.0")
        .tag("cp311.cp312-abi3-manylinux_2_17_x86_64")
        .build()
        .unwrap()[0];
    let mut zip = zip_archive(wheel.bytes());
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("c-1.0.dist-info/WHEEL").unwrap(),
        &mut text,
    )
    .unwrap();
    assert!(text.contains("Root-Is-Purelib: false\n"), "{text}");
    assert!(
        text.contains(
            "Tag: cp311-abi3-manylinux_2_17_x86_64\nTag: cp312-abi3-manylinux_2_17_x86_64\n"
        ),
        "{text}"
    );
}

fn zip_archive(bytes: &[u8]) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap()
}
