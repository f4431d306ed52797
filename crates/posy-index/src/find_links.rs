//! `--find-links`: artifacts listed by a directory or a page of links.
//!
//! A find-links source is flat: it lists files of many projects at once,
//! so it is read once per client and filtered per project by file name. A
//! directory is listed (not recursively) and every file whose name ends in
//! a distribution extension becomes an [`IndexFile`] with a `file:` URL;
//! hashes are computed when the file is used. A page is parsed as PEP 503
//! HTML; relative links resolve against the page.
//!
//! Matching a file name to a project is done on the file name alone, with
//! `posy-vocab`'s filename parsers (PEP 427 wheels, PEP 625 and legacy
//! sdists): a file belongs to a project when it parses as one of its
//! wheels or sdists.

use std::path::Path;

use posy_vocab::{DistFilename, PackageName, SdistExtension};
use url::Url;

use crate::error::IndexError;
use crate::page::IndexFile;

/// Every artifact in `dir`.
pub(crate) async fn list_directory(dir: &Path) -> Result<Vec<IndexFile>, IndexError> {
    let mut entries = tokio::fs::read_dir(dir)
        .await
        .map_err(|e| IndexError::io("listing the find-links directory", dir, e))?;
    let mut files = Vec::new();
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| IndexError::io("listing the find-links directory", dir, e))?
    {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !is_distribution(&name) || !entry.path().is_file() {
            continue;
        }
        if let Ok(url) = Url::from_file_path(entry.path()) {
            files.push(IndexFile::new(name, url));
        }
    }
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(files)
}

fn is_distribution(filename: &str) -> bool {
    filename.ends_with(".whl") || SdistExtension::split(filename).is_some()
}

/// Whether `filename` is a wheel or sdist of project `name`. A `.whl` of
/// the project that is not a wheel name (`six-1.17.0.whl`, without tags)
/// is skipped with a warning, as a listing on an index is.
pub(crate) fn belongs_to(filename: &str, name: &PackageName) -> bool {
    match DistFilename::parse(filename, name) {
        Ok(dist) => dist.is_some(),
        Err(e) => {
            let project = filename.split('-').next().map(PackageName::new);
            if filename.ends_with(".whl") && matches!(project, Some(Ok(p)) if p == *name) {
                tracing::warn!("skipping `{filename}`: it is not a valid wheel file name ({e})");
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PackageName {
        PackageName::new(s).unwrap()
    }

    #[test]
    fn matches_wheels_and_sdists_by_name() {
        assert!(belongs_to("Foo_Bar-1.0-py3-none-any.whl", &name("foo-bar")));
        assert!(!belongs_to("foo-1.0-py3-none-any.whl", &name("foo-bar")));
        assert!(belongs_to("foo-bar-1.0.tar.gz", &name("foo-bar")));
        assert!(belongs_to("foo.bar-v2.zip", &name("foo-bar")));
        assert!(!belongs_to("foo-bar-1.0.tar.gz", &name("foo")));
        assert!(!belongs_to("foo-1.0.exe", &name("foo")));
        assert!(!belongs_to("foo.tar.gz", &name("foo")));
    }

    #[tokio::test]
    async fn lists_only_distributions() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "notes.txt"] {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("b-1.0.tar.gz")).unwrap();
        let files = list_directory(dir.path()).await.unwrap();
        let names: Vec<_> = files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz"]);
        assert_eq!(files[0].url.scheme(), "file");
        assert!(list_directory(&dir.path().join("missing")).await.is_err());
    }
}
