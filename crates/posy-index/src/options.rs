//! Everything a command line can say about where packages come from.
//!
//! [`IndexOptions`] is a builder that mirrors the flags (`--index-url`,
//! `--extra-index-url`, `--find-links`, `--no-index`, `--index-strategy`,
//! `--offline`, `--refresh`, `--exclude-newer`, `--cache-dir`, and the
//! network knobs), and [`IndexOptions::build`] turns it into an
//! [`crate::IndexClient`]. Defaults are the ones a person expects with no
//! flags: the public index, first-index strategy, a 64-request window,
//! 3 retries.
//!
//! Index order: `--extra-index-url`s come first, in the order given, then
//! `--index-url`, as uv does. With the default first-index strategy this
//! means a private extra index shadows the public one for every name it
//! has, and the public index is consulted only for names the private ones
//! lack — the order that defeats dependency confusion when the private
//! index is the one listed explicitly.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use posy_store::Store;
use posy_vocab::PackageName;
use url::Url;

use crate::auth::NetrcSource;
use crate::error::IndexError;
use crate::exclude_newer::Cutoffs;

/// The public index.
pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

/// An index base URL (the `.../simple/` part), optionally named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUrl {
    url: Url,
    name: Option<String>,
}

impl IndexUrl {
    /// Parses a URL or a local directory path; the result always ends in
    /// `/` so that project names join onto it.
    pub fn parse(input: &str) -> Result<Self, IndexError> {
        let url = parse_location(input)?;
        Ok(Self::from_url(url))
    }

    /// Wraps a URL, adding the trailing `/` if missing.
    pub fn from_url(mut url: Url) -> Self {
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Self { url, name: None }
    }

    /// Gives the index a name, used for `POSY_INDEX_<NAME>_USERNAME`/`_PASSWORD`.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The project page URL: `<base>/<normalized name>/`.
    pub fn project_url(&self, name: &PackageName) -> Url {
        let mut url = self.url.clone();
        let path = format!("{}{}/", url.path(), name.as_str());
        url.set_path(&path);
        url
    }
}

impl FromStr for IndexUrl {
    type Err = IndexError;
    fn from_str(s: &str) -> Result<Self, IndexError> {
        Self::parse(s)
    }
}

/// A `--find-links` source: a local directory of artifacts, or an HTML
/// page of links (remote, or a local `.html` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindLinks {
    Directory(PathBuf),
    Page(Url),
}

impl FindLinks {
    /// Parses a URL or a path; a local path that is a directory lists it,
    /// anything else is read as an HTML page.
    pub fn parse(input: &str) -> Result<Self, IndexError> {
        let url = parse_location(input)?;
        if url.scheme() == "file"
            && let Ok(path) = url.to_file_path()
            && path.is_dir()
        {
            return Ok(Self::Directory(path));
        }
        Ok(Self::Page(url))
    }

    /// The location as a URL (for errors and for [`crate::IndexFile`] origins).
    pub fn url(&self) -> Url {
        match self {
            Self::Directory(path) => Url::from_directory_path(path).unwrap_or_else(|()| {
                Url::parse("file:///").unwrap_or_else(|_| unreachable!("a constant URL"))
            }),
            Self::Page(url) => url.clone(),
        }
    }
}

impl FromStr for FindLinks {
    type Err = IndexError;
    fn from_str(s: &str) -> Result<Self, IndexError> {
        Self::parse(s)
    }
}

/// How files of one project are gathered from several indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexStrategy {
    /// The first index (in order) that has the project is the only one
    /// used for it (uv's default; defeats dependency confusion).
    #[default]
    FirstIndex,
    /// Every index's files are merged and the best version wins, wherever
    /// it comes from (pip's behaviour; unsafe with untrusted indexes).
    UnsafeBestMatch,
}

impl FromStr for IndexStrategy {
    type Err = IndexError;
    fn from_str(s: &str) -> Result<Self, IndexError> {
        match s {
            "first-index" => Ok(Self::FirstIndex),
            "unsafe-best-match" => Ok(Self::UnsafeBestMatch),
            other => Err(IndexError::InvalidOption(format!(
                "unknown index strategy `{other}` (use first-index or unsafe-best-match)"
            ))),
        }
    }
}

/// Which cached pages to ignore.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Refresh {
    /// Use the cache under the freshness policy.
    #[default]
    None,
    /// Revalidate every page (`--refresh`).
    All,
    /// Revalidate only these projects (`--refresh-package`).
    Packages(Vec<PackageName>),
}

impl Refresh {
    pub(crate) fn covers(&self, name: &PackageName) -> bool {
        match self {
            Refresh::None => false,
            Refresh::All => true,
            Refresh::Packages(names) => names.contains(name),
        }
    }
}

/// Reads one environment variable.
pub(crate) type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The settings of an [`crate::IndexClient`]; see the module documentation.
#[derive(Clone)]
pub struct IndexOptions {
    pub(crate) index_url: IndexUrl,
    pub(crate) extra_index_urls: Vec<IndexUrl>,
    pub(crate) find_links: Vec<FindLinks>,
    /// Packages that come from one index only (`{ index = "name" }`
    /// sources), whatever the other indexes have.
    pub(crate) pins: Vec<(PackageName, IndexUrl)>,
    pub(crate) no_index: bool,
    pub(crate) strategy: IndexStrategy,
    pub(crate) offline: bool,
    pub(crate) refresh: Refresh,
    pub(crate) exclude_newer: Cutoffs,
    pub(crate) page_max_age: Option<Duration>,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) store: Option<Store>,
    pub(crate) concurrency: usize,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) retries: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) netrc: NetrcSource,
    pub(crate) env: EnvLookup,
}

impl std::fmt::Debug for IndexOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexOptions")
            .field("index_url", &crate::redact::redact(self.index_url.url()))
            .field(
                "extra_index_urls",
                &self
                    .extra_index_urls
                    .iter()
                    .map(|i| crate::redact::redact(i.url()))
                    .collect::<Vec<_>>(),
            )
            .field("find_links", &self.find_links)
            .field(
                "pins",
                &self
                    .pins
                    .iter()
                    .map(|(n, i)| (n.as_str(), crate::redact::redact(i.url())))
                    .collect::<Vec<_>>(),
            )
            .field("no_index", &self.no_index)
            .field("strategy", &self.strategy)
            .field("offline", &self.offline)
            .field("refresh", &self.refresh)
            .field("exclude_newer", &self.exclude_newer)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl IndexOptions {
    /// The defaults: the public index, no cache directory, first-index.
    pub fn new() -> Self {
        Self {
            index_url: IndexUrl::from_url(
                Url::parse(PYPI_SIMPLE).unwrap_or_else(|_| unreachable!("a constant URL")),
            ),
            extra_index_urls: Vec::new(),
            find_links: Vec::new(),
            pins: Vec::new(),
            no_index: false,
            strategy: IndexStrategy::FirstIndex,
            offline: false,
            refresh: Refresh::None,
            exclude_newer: Cutoffs::default(),
            page_max_age: None,
            cache_dir: None,
            store: None,
            concurrency: 64,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retries: 3,
            retry_backoff: Duration::from_millis(250),
            netrc: NetrcSource::Default,
            env: Arc::new(|key| std::env::var(key).ok()),
        }
    }

    /// `--index-url`: replaces the public index.
    pub fn index_url(mut self, index: IndexUrl) -> Self {
        self.index_url = index;
        self
    }

    /// `--extra-index-url`: searched before `--index-url`, in order.
    pub fn extra_index_url(mut self, index: IndexUrl) -> Self {
        self.extra_index_urls.push(index);
        self
    }

    /// Pins `package` to `index`: its files come from that index alone
    /// (no other index, no find-links source), and the index is asked for
    /// no other package unless it is also one of the ordinary indexes. An
    /// "explicit" named index (uv's `explicit = true`) is one that is only
    /// ever given here. This is what stops a public package of the same
    /// name from standing in for a private one.
    pub fn pin(mut self, package: PackageName, index: IndexUrl) -> Self {
        self.pins.retain(|(name, _)| *name != package);
        self.pins.push((package, index));
        self
    }

    /// `--find-links`: merged into every project's files, whatever the strategy.
    pub fn find_links(mut self, source: FindLinks) -> Self {
        self.find_links.push(source);
        self
    }

    /// `--no-index`: ignore every index; only find-links remain.
    pub fn no_index(mut self, no_index: bool) -> Self {
        self.no_index = no_index;
        self
    }

    /// `--index-strategy`.
    pub fn index_strategy(mut self, strategy: IndexStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// `--offline`: never touch the network; use cached pages however old.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// `--refresh` / `--refresh-package`.
    pub fn refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = refresh;
        self
    }

    /// `--exclude-newer`, and `--exclude-newer-package` when given
    /// [`Cutoffs`] (a plain `Option<ExcludeNewer>` is the same cutoff for
    /// every package).
    pub fn exclude_newer(mut self, cutoffs: impl Into<Cutoffs>) -> Self {
        self.exclude_newer = cutoffs.into();
        self
    }

    /// Treat cached pages younger than this as fresh, whatever the server
    /// said (see [`crate::freshness`]).
    pub fn page_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.page_max_age = max_age;
        self
    }

    /// `--cache-dir`: the store root. Without one nothing outlives the client.
    pub fn cache_dir(mut self, root: Option<PathBuf>) -> Self {
        self.cache_dir = root;
        self
    }

    /// An already open store (the binary opens one per run and shares it);
    /// takes precedence over [`Self::cache_dir`].
    pub fn store(mut self, store: Option<Store>) -> Self {
        self.store = store;
        self
    }

    /// How many requests may be in flight at once (at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// How long to wait for a TCP+TLS connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a response may stall between two reads.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How many times a transient failure is retried.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The first backoff step (doubled per retry, jittered, capped at 10 s).
    pub fn retry_backoff(mut self, base: Duration) -> Self {
        self.retry_backoff = base;
        self
    }

    /// Where netrc credentials come from.
    pub fn netrc(mut self, source: NetrcSource) -> Self {
        self.netrc = source;
        self
    }

    /// How environment variables are read (`POSY_INDEX_*`, `NETRC`,
    /// `HOME`); the process environment by default, replaceable in tests.
    pub fn env(mut self, env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// The indexes in search order (empty with `--no-index`).
    pub fn indexes(&self) -> Vec<&IndexUrl> {
        if self.no_index {
            return Vec::new();
        }
        self.extra_index_urls
            .iter()
            .chain(std::iter::once(&self.index_url))
            .collect()
    }
}

/// A URL, or a local path turned into a `file:` URL.
fn parse_location(input: &str) -> Result<Url, IndexError> {
    let input = input.trim();
    if let Ok(url) = Url::parse(input) {
        if matches!(url.scheme(), "http" | "https" | "file") {
            return Ok(url);
        }
        // `C:\wheels` parses as a URL with scheme `c`.
        if url.scheme().len() > 1 {
            return Err(IndexError::InvalidOption(format!(
                "`{}` has an unsupported scheme `{}` (use http, https, file or a path)",
                crate::redact::redact(&url),
                url.scheme()
            )));
        }
    }
    let path = std::path::absolute(input).map_err(|e| {
        IndexError::InvalidOption(format!("`{input}` is neither a URL nor a usable path: {e}"))
    })?;
    Url::from_file_path(&path).map_err(|()| {
        IndexError::InvalidOption(format!("`{input}` is neither a URL nor a usable path"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_get_a_trailing_slash_and_join_names() {
        let index = IndexUrl::parse("https://pkgs.example.com/simple").unwrap();
        let name = PackageName::new("Foo_Bar").unwrap();
        assert_eq!(
            index.project_url(&name).as_str(),
            "https://pkgs.example.com/simple/foo-bar/"
        );
    }

    #[test]
    fn paths_become_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        let found = FindLinks::parse(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(found, FindLinks::Directory(dir.path().to_owned()));
        assert!(matches!(
            FindLinks::parse("https://h.example/links.html").unwrap(),
            FindLinks::Page(_)
        ));
        assert!(IndexUrl::parse("ftp://h.example/simple").is_err());
    }

    #[test]
    fn order_puts_extras_first() {
        let options = IndexOptions::new()
            .extra_index_url(IndexUrl::parse("https://a.example/simple").unwrap())
            .extra_index_url(IndexUrl::parse("https://b.example/simple").unwrap());
        let order: Vec<_> = options
            .indexes()
            .iter()
            .map(|i| i.url().host_str().unwrap().to_owned())
            .collect();
        assert_eq!(order, ["a.example", "b.example", "pypi.org"]);
        assert!(options.no_index(true).indexes().is_empty());
    }

    #[test]
    fn strategy_names() {
        assert_eq!(
            "first-index".parse::<IndexStrategy>().unwrap(),
            IndexStrategy::FirstIndex
        );
        assert_eq!(
            "unsafe-best-match".parse::<IndexStrategy>().unwrap(),
            IndexStrategy::UnsafeBestMatch
        );
        assert!("best".parse::<IndexStrategy>().is_err());
    }

    #[test]
    fn debug_hides_credentials() {
        let options = IndexOptions::new()
            .index_url(IndexUrl::parse("https://u:secret@h.example/simple").unwrap());
        assert!(!format!("{options:?}").contains("secret"));
    }
}
