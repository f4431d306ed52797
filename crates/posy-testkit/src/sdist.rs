//! Source distributions (PEP 625 / the sdist format), built in memory.
//!
//! `{name}-{version}.tar.gz`, a gzip-compressed ustar archive with one top
//! directory `{name}-{version}/` that holds PKG-INFO, a generated
//! `pyproject.toml` (unless the test supplies its own) and the package's
//! files. Entries get a fixed 2024-01-01 timestamp rather than zero, because
//! a backend that zips the unpacked tree into a wheel rejects times before
//! 1980; with fixed times, the same description gives the same bytes.

use crate::package::check_relative_path;
use crate::{Error, Package, pyproject};
use flate2::Compression;
use flate2::write::GzEncoder;
use posy_vocab::ExtraName;
use std::collections::BTreeSet;

/// 2024-01-01T00:00:00Z.
const MTIME: u64 = 1_704_067_200;

/// Builds the sdist of `package`; `base` is `{name}-{version}` as filenames
/// spell it. Returns the filename and the bytes.
pub(crate) fn build(
    package: &Package,
    base: &str,
    metadata: &str,
    extras: &[(ExtraName, &[String])],
) -> Result<(String, Vec<u8>), Error> {
    let filename = format!("{base}.tar.gz");
    let mut members: Vec<(String, Vec<u8>)> =
        vec![("PKG-INFO".into(), metadata.as_bytes().to_vec())];
    if !package
        .sdist_files
        .iter()
        .any(|(path, _)| path == "pyproject.toml")
    {
        let pyproject = pyproject::render(package, extras);
        members.push(("pyproject.toml".into(), pyproject.into_bytes()));
    }
    for (path, contents) in package.files.iter().chain(&package.sdist_files) {
        check_relative_path(&package.name, path)?;
        if members.iter().any(|(p, _)| p == path) {
            return Err(Error::Path {
                package: package.name.clone(),
                path: path.clone(),
                reason: "the sdist already has a file there",
            });
        }
        members.push((path.clone(), contents.clone()));
    }
    let bytes = tar_gz(base, &members).map_err(|e| Error::Archive {
        filename: filename.clone(),
        message: e.to_string(),
    })?;
    Ok((filename, bytes))
}

fn tar_gz(base: &str, members: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut directories = BTreeSet::from([String::new()]);
    for (path, _) in members {
        let mut parent = path.as_str();
        while let Some((dir, _)) = parent.rsplit_once('/') {
            directories.insert(format!("{dir}/"));
            parent = dir;
        }
    }
    for dir in &directories {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_mtime(MTIME);
        header.set_size(0);
        tar.append_data(&mut header, format!("{base}/{dir}"), std::io::empty())?;
    }
    for (path, contents) in members {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_mtime(MTIME);
        header.set_size(contents.len() as u64);
        tar.append_data(&mut header, format!("{base}/{path}"), contents.as_slice())?;
    }
    tar.into_inner()?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = tar::Archive::new(GzDecoder::new(bytes));
        let mut out = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            out.push((path, data));
        }
        out
    }

    #[test]
    fn sdist_has_one_top_directory_with_pkg_info_and_pyproject() {
        let artifacts = Package::new("My.Pkg", "1.0")
            .file("my_pkg/__init__.py", "X = 1")
            .sdist_only()
            .build()
            .unwrap();
        assert_eq!(artifacts[0].filename(), "my_pkg-1.0.tar.gz");
        let entries = entries(artifacts[0].bytes());
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "my_pkg-1.0/",
                "my_pkg-1.0/my_pkg/",
                "my_pkg-1.0/PKG-INFO",
                "my_pkg-1.0/pyproject.toml",
                "my_pkg-1.0/my_pkg/__init__.py"
            ]
        );
        let pkg_info = String::from_utf8(entries[2].1.clone()).unwrap();
        assert!(pkg_info.starts_with("Metadata-Version: 2.2\nName: My.Pkg\nVersion: 1.0\n"));
    }

    #[test]
    fn a_supplied_pyproject_replaces_the_generated_one() {
        let artifacts = Package::new("a", "1.0")
            .sdist_file("pyproject.toml", "[project]\nname = 'a'\n")
            .sdist_only()
            .build()
            .unwrap();
        let entries = entries(artifacts[0].bytes());
        let pyproject = entries
            .iter()
            .find(|(p, _)| p == "a-1.0/pyproject.toml")
            .unwrap();
        assert_eq!(pyproject.1, b"[project]\nname = 'a'\n");
    }

    #[test]
    fn the_same_description_gives_the_same_bytes() {
        let build = || Package::new("a", "1.0").with_sdist().build().unwrap();
        let (first, second) = (build(), build());
        assert_eq!(first[0].sha256(), second[0].sha256());
        assert_eq!(first[1].sha256(), second[1].sha256());
    }
}
