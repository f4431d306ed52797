//! Hostile and benign sdist archives through `unpack_sdist` and `read_pkg_info`.

mod common;

use std::io::Write;
use std::path::Path;

use common::RawTar;
use posy_build::{BuildError, read_pkg_info, unpack_sdist};
use tar::EntryType;

/// Unpacks `archive` into `<dir>/out`, expecting a refusal that mentions
/// `needle`, and checks that nothing was left in `dir` but the archive.
fn assert_refused(dir: &Path, archive: &Path, needle: &str) {
    let dest = dir.join("out");
    let error = unpack_sdist(archive, &dest).expect_err("the archive must be refused");
    assert!(matches!(error, BuildError::UnsafeArchive { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains(needle), "{message}");
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec![archive.file_name().unwrap().to_string_lossy().into_owned()]
    );
}

#[test]
fn path_traversal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("evil-1.0.tar.gz");
    RawTar::new()
        .file("evil-1.0/setup.py", "")
        .file("evil-1.0/../../escaped.txt", "owned")
        .write_gz(&archive);
    assert_refused(dir.path(), &archive, "`..`");
    assert!(!dir.path().parent().unwrap().join("escaped.txt").exists());
}

#[test]
fn absolute_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("evil-1.0.tar.gz");
    RawTar::new()
        .file("evil-1.0/setup.py", "")
        .file("/tmp/posy-absolute-escape.txt", "owned")
        .write_gz(&archive);
    assert_refused(dir.path(), &archive, "absolute path");
    assert!(!Path::new("/tmp/posy-absolute-escape.txt").exists());
}

#[test]
fn symlink_escapes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.tar.gz");
    RawTar::new()
        .file("evil-1.0/setup.py", "")
        .member("evil-1.0/link", EntryType::Symlink, "../../../etc", b"")
        .write_gz(&outside);
    assert_refused(dir.path(), &outside, "outside the archive");

    let dir = tempfile::tempdir().unwrap();
    let absolute = dir.path().join("absolute.tar.gz");
    RawTar::new()
        .member("evil-1.0/link", EntryType::Symlink, "/etc/passwd", b"")
        .write_gz(&absolute);
    assert_refused(dir.path(), &absolute, "absolute path");

    // A link, then a file written through it.
    let dir = tempfile::tempdir().unwrap();
    let through = dir.path().join("through.tar.gz");
    RawTar::new()
        .member("evil-1.0/sub", EntryType::Symlink, "..", b"")
        .file("evil-1.0/sub/x.txt", "owned")
        .write_gz(&through);
    assert_refused(dir.path(), &through, "symbolic link");

    // Two links, each fine alone, where the second goes through the first
    // and then climbs: lexically it stays inside, really it would not.
    let dir = tempfile::tempdir().unwrap();
    let chained = dir.path().join("chained.tar.gz");
    RawTar::new()
        .member("evil-1.0/b/", EntryType::Directory, "", b"")
        .member("evil-1.0/a/up", EntryType::Symlink, "../b", b"")
        .member("evil-1.0/t", EntryType::Symlink, "a/up/../../x", b"")
        .write_gz(&chained);
    assert_refused(dir.path(), &chained, "passes through another symbolic link");
}

#[test]
fn hard_link_to_outside_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("evil-1.0.tar.gz");
    RawTar::new()
        .member("evil-1.0/passwd", EntryType::Link, "/etc/passwd", b"")
        .write_gz(&archive);
    assert_refused(dir.path(), &archive, "hard link");
}

#[test]
fn device_files_and_fifos_are_refused() {
    for (kind, needle) in [
        (EntryType::Char, "device file"),
        (EntryType::Block, "device file"),
        (EntryType::Fifo, "FIFO"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("evil-1.0.tar.gz");
        RawTar::new()
            .file("evil-1.0/setup.py", "")
            .member("evil-1.0/null", kind, "", b"")
            .write_gz(&archive);
        assert_refused(dir.path(), &archive, needle);
    }
}

#[test]
fn zip_traversal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("evil-1.0.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("evil-1.0/setup.py", options).unwrap();
    zip.start_file("evil-1.0/../../escaped.txt", options)
        .unwrap();
    zip.write_all(b"owned").unwrap();
    zip.finish().unwrap();
    assert_refused(dir.path(), &archive, "`..`");
}

#[test]
fn garbage_is_not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("x-1.0.tar.gz");
    std::fs::write(&archive, b"this is not an archive").unwrap();
    let error = unpack_sdist(&archive, &dir.path().join("out")).unwrap_err();
    assert!(matches!(error, BuildError::BadArchive { .. }), "{error}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn benign_archives_unpack_with_internal_links() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("ok-1.0.tar.gz");
    RawTar::new()
        .member("ok-1.0/", EntryType::Directory, "", b"")
        .file(
            "ok-1.0/PKG-INFO",
            "Metadata-Version: 2.1\nName: ok\nVersion: 1.0\n",
        )
        .file("ok-1.0/src/ok/__init__.py", "x = 1\n")
        .member(
            "ok-1.0/README",
            EntryType::Symlink,
            "src/ok/__init__.py",
            b"",
        )
        .member(
            "ok-1.0/copy.py",
            EntryType::Link,
            "ok-1.0/src/ok/__init__.py",
            b"",
        )
        .write_gz(&archive);
    let root = unpack_sdist(&archive, &dir.path().join("out")).unwrap();
    assert_eq!(root, dir.path().join("out/ok-1.0"));
    assert_eq!(
        std::fs::read_to_string(root.join("README")).unwrap(),
        "x = 1\n"
    );
    assert!(
        std::fs::symlink_metadata(root.join("README"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(root.join("copy.py")).unwrap(),
        "x = 1\n"
    );
    assert!(
        String::from_utf8(read_pkg_info(&archive).unwrap().unwrap())
            .unwrap()
            .contains("Name: ok")
    );
}

#[test]
fn zip_and_bz2_sdists_unpack() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("z-1.0.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    zip.start_file("z-1.0/PKG-INFO", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"Metadata-Version: 2.2\nName: z\nVersion: 1.0\n")
        .unwrap();
    zip.finish().unwrap();
    let root = unpack_sdist(&zip_path, &dir.path().join("zip-out")).unwrap();
    assert!(root.join("PKG-INFO").is_file());
    assert!(read_pkg_info(&zip_path).unwrap().is_some());

    let bz2_path = dir.path().join("b-1.0.tar.bz2");
    let file = std::fs::File::create(&bz2_path).unwrap();
    let mut tar = tar::Builder::new(bzip2::write::BzEncoder::new(
        file,
        bzip2::Compression::fast(),
    ));
    let content = b"Metadata-Version: 2.1\nName: b\nVersion: 1.0\n";
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "b-1.0/PKG-INFO", &content[..])
        .unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let root = unpack_sdist(&bz2_path, &dir.path().join("bz2-out")).unwrap();
    assert!(root.join("PKG-INFO").is_file());
}
