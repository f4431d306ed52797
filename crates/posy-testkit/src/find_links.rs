//! A `--find-links` directory: artifacts side by side, and a page of links.
//!
//! pip and uv accept a local directory (every archive in it is a candidate)
//! or an HTML page of links. Both are written: the files, and `index.html`
//! whose anchors are relative file names with `#sha256=` fragments,
//! `data-requires-python` and `data-yanked`, so that a client can be pointed
//! at the directory, at the page's path, or at its `file://` URL.

use crate::catalog::Catalog;
use crate::listing::Listing;
use crate::{Error, simple_html};
use std::path::{Path, PathBuf};

/// A written find-links directory.
#[derive(Clone, Debug)]
pub struct FindLinks {
    dir: PathBuf,
    page: PathBuf,
    files: Vec<PathBuf>,
}

impl FindLinks {
    /// The directory holding the artifacts.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `index.html` page of links.
    pub fn page(&self) -> &Path {
        &self.page
    }

    /// The `file://` URL of the page.
    pub fn page_url(&self) -> String {
        format!("file://{}", self.page.display())
    }

    /// The artifacts written, in index order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

/// Writes every file of `catalog` and the page into `dir`.
pub(crate) fn write(catalog: &Catalog, dir: &Path) -> Result<FindLinks, Error> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    let dir = std::fs::canonicalize(dir).map_err(write_error(dir))?;
    let artifacts = catalog.all();
    let files = artifacts
        .iter()
        .map(|artifact| artifact.write_to(&dir))
        .collect::<Result<Vec<_>, _>>()?;
    let listing = Listing {
        href_prefix: "",
        metadata_files: false,
        upload_times: false,
        wrong_hashes: false,
    };
    let page = dir.join("index.html");
    let html = simple_html::links_page("Links", &artifacts, &listing);
    std::fs::write(&page, html).map_err(write_error(&page))?;
    Ok(FindLinks { dir, page, files })
}

#[cfg(test)]
mod tests {
    use crate::{Index, Package};

    #[test]
    fn writes_files_and_a_page_of_relative_links() {
        let dir = tempfile::tempdir().unwrap();
        let links = Index::new()
            .package(
                Package::new("a", "1.0")
                    .with_sdist()
                    .requires_python(">=3.8"),
            )
            .find_links(&dir.path().join("links"))
            .unwrap();
        assert_eq!(links.files().len(), 2);
        assert!(links.files().iter().all(|f| f.is_file()));
        let page = std::fs::read_to_string(links.page()).unwrap();
        assert!(
            page.contains("<a href=\"a-1.0-py3-none-any.whl#sha256="),
            "{page}"
        );
        assert!(page.contains("data-requires-python=\"&gt;=3.8\""), "{page}");
        assert!(links.page_url().starts_with("file:///"));
    }
}
