//! The description of a whole package index: its packages and its switches.
//!
//! `Index::new().package(a).package(b)` is a PyPI-like index with those
//! releases. The switches set the shape of the index — HTML or JSON pages,
//! PEP 658 metadata files, range requests, upload times, validators, auth —
//! and fault rules say what goes wrong and when. The same description can
//! be served over HTTP ([`Index::serve`]) or written to a directory for
//! `--find-links` ([`Index::find_links`]).

use crate::catalog::Catalog;
use crate::fault::FaultRule;
use crate::find_links::{self, FindLinks};
use crate::negotiation::Format;
use crate::server::IndexServer;
use crate::{Artifact, Error, Package};
use std::path::Path;

/// The switches of a served index.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) format: Format,
    pub(crate) metadata_files: bool,
    pub(crate) range_requests: bool,
    pub(crate) upload_times: bool,
    pub(crate) etag: bool,
    pub(crate) last_modified: bool,
    pub(crate) cache_control: Option<String>,
    pub(crate) basic_auth: Option<(String, String)>,
}

/// A package index to serve or write out, described in a few calls.
///
/// ```
/// use posy_testkit::{Index, Package};
/// let index = Index::new()
///     .package(Package::new("a", "1.0"))
///     .package(Package::new("b", "2.0").dep("a>=1"))
///     .serve();
/// assert!(index.url().ends_with("/simple/"));
/// ```
#[derive(Clone, Debug)]
pub struct Index {
    packages: Vec<Package>,
    artifacts: Vec<Artifact>,
    upload_times: Vec<(String, String)>,
    yanks: Vec<(String, String)>,
    settings: Settings,
    faults: Vec<FaultRule>,
}

impl Default for Index {
    fn default() -> Self {
        Self::new()
    }
}

impl Index {
    /// An empty index serving HTML and JSON, with metadata files, range
    /// requests and upload times on, and no ETag, Last-Modified,
    /// Cache-Control or auth.
    pub fn new() -> Self {
        Self {
            packages: Vec::new(),
            artifacts: Vec::new(),
            upload_times: Vec::new(),
            yanks: Vec::new(),
            settings: Settings {
                format: Format::Both,
                metadata_files: true,
                range_requests: true,
                upload_times: true,
                etag: false,
                last_modified: false,
                cache_control: None,
                basic_auth: None,
            },
            faults: Vec::new(),
        }
    }

    /// Adds a release; several releases of one name make a multi-version project.
    pub fn package(mut self, package: Package) -> Self {
        self.packages.push(package);
        self
    }

    /// Adds several releases.
    pub fn packages(mut self, packages: impl IntoIterator<Item = Package>) -> Self {
        self.packages.extend(packages);
        self
    }

    /// Adds a file made by hand (see [`Artifact::raw`]).
    pub fn artifact(mut self, artifact: Artifact) -> Self {
        self.artifacts.push(artifact);
        self
    }

    /// Sets the upload time of one file, by file name.
    pub fn file_upload_time(mut self, filename: &str, time: &str) -> Self {
        self.upload_times
            .push((filename.to_string(), time.to_string()));
        self
    }

    /// Yanks one file, by file name (empty reason: yanked without a reason).
    pub fn yank_file(mut self, filename: &str, reason: &str) -> Self {
        self.yanks.push((filename.to_string(), reason.to_string()));
        self
    }

    /// Which page formats are served (default: both, by content negotiation).
    pub fn format(mut self, format: Format) -> Self {
        self.settings.format = format;
        self
    }

    /// Whether PEP 658/714 `.metadata` files are advertised and served (default on).
    pub fn metadata_files(mut self, on: bool) -> Self {
        self.settings.metadata_files = on;
        self
    }

    /// Whether files honour `Range` (default on); off, a range is ignored and
    /// the whole file sent with 200.
    pub fn range_requests(mut self, on: bool) -> Self {
        self.settings.range_requests = on;
        self
    }

    /// Whether JSON pages list PEP 700 `upload-time` (default on).
    pub fn upload_times(mut self, on: bool) -> Self {
        self.settings.upload_times = on;
        self
    }

    /// Whether responses carry an `ETag` and honour `If-None-Match` with 304 (default off).
    pub fn etag(mut self, on: bool) -> Self {
        self.settings.etag = on;
        self
    }

    /// Whether responses carry `Last-Modified` (when the index last changed:
    /// its start, a publish or a yank) and honour `If-Modified-Since` with
    /// 304 (default off).
    pub fn last_modified(mut self, on: bool) -> Self {
        self.settings.last_modified = on;
        self
    }

    /// Sends this `Cache-Control` value with every simple page (default: none).
    pub fn cache_control(mut self, value: &str) -> Self {
        self.settings.cache_control = Some(value.to_string());
        self
    }

    /// Requires HTTP Basic credentials on every request (401 otherwise).
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.settings.basic_auth = Some((user.to_string(), password.to_string()));
        self
    }

    /// Adds a fault rule, e.g. `Fault::Status(500).on("/simple/a/").times(2)`.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Builds every artifact, in the order the packages were added.
    pub fn build(&self) -> Result<Vec<Artifact>, Error> {
        let catalog = self.catalog()?;
        Ok(catalog.all().into_iter().cloned().collect())
    }

    pub(crate) fn catalog(&self) -> Result<Catalog, Error> {
        let mut catalog = Catalog::default();
        for package in &self.packages {
            for artifact in package.build()? {
                catalog.add(artifact)?;
            }
        }
        for artifact in &self.artifacts {
            catalog.add(artifact.clone())?;
        }
        for (filename, time) in &self.upload_times {
            catalog.file_mut(filename)?.upload_time = time.clone();
        }
        for (filename, reason) in &self.yanks {
            catalog.file_mut(filename)?.yanked = Some(reason.clone());
        }
        Ok(catalog)
    }

    /// Builds everything and serves it on 127.0.0.1 at a random port, from a
    /// background thread, until the returned server is dropped.
    pub fn try_serve(&self) -> Result<IndexServer, Error> {
        IndexServer::start(self.catalog()?, self.settings.clone(), self.faults.clone())
    }

    /// [`Index::try_serve`], panicking with the error: a bad description is a
    /// broken test.
    #[track_caller]
    pub fn serve(&self) -> IndexServer {
        match self.try_serve() {
            Ok(server) => server,
            Err(error) => panic!("the test index could not be served: {error}"),
        }
    }

    /// Writes every artifact into `dir` (created if missing), plus an
    /// `index.html` page linking them, for `--find-links`.
    pub fn find_links(&self, dir: &Path) -> Result<FindLinks, Error> {
        find_links::write(&self.catalog()?, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_file_settings_apply_by_name() {
        let artifacts = Index::new()
            .package(Package::new("a", "1.0").with_sdist())
            .file_upload_time("a-1.0.tar.gz", "2020-01-01T00:00:00Z")
            .yank_file("a-1.0-py3-none-any.whl", "")
            .build()
            .unwrap();
        assert_eq!(artifacts[0].yanked(), Some(""));
        assert_eq!(
            artifacts[0].upload_time(),
            crate::package::DEFAULT_UPLOAD_TIME
        );
        assert_eq!(artifacts[1].yanked(), None);
        assert_eq!(artifacts[1].upload_time(), "2020-01-01T00:00:00Z");
    }

    #[test]
    fn unknown_file_names_are_reported() {
        let err = Index::new()
            .package(Package::new("a", "1.0"))
            .yank_file("a-2.0.tar.gz", "")
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a-2.0.tar.gz") && err.contains("a-1.0-py3-none-any.whl"),
            "{err}"
        );
    }

    #[test]
    fn the_same_file_twice_is_an_error() {
        let err = Index::new()
            .package(Package::new("a", "1.0"))
            .package(Package::new("A", "1.0"))
            .try_serve()
            .unwrap_err();
        assert!(matches!(err, Error::DuplicateFile { .. }), "{err}");
    }
}
