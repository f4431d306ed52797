//! The package database: one object that answers "which files does project
//! X have", "what is the metadata of this wheel" and "give me this file,
//! verified", from every configured index and find-links source.
//!
//! [`IndexClient`] is cheap to clone (an `Arc`) and safe to share between
//! tasks; the resolver calls it from many futures at once and the
//! transport's semaphore keeps the number of requests in flight bounded.
//!
//! # Project pages
//!
//! Pages are requested with content negotiation (PEP 691): JSON preferred,
//! HTML accepted, and parsed by the response's `Content-Type` (sniffed when
//! a server sends none). A `404`/`410` means "this index does not have the
//! project", and so does a page that lists no files (some servers answer
//! 200 with an empty page for unknown names). With
//! [`IndexStrategy::FirstIndex`] the indexes are asked in order and the
//! first that has the project is the only one used; with
//! [`IndexStrategy::UnsafeBestMatch`] all are asked concurrently and their
//! files merged (the same file name on two indexes keeps the first). Files
//! from find-links sources are always merged, listed first. Yanked files are
//! kept (PEP 592 lets exact pins use them; the resolver decides), and
//! `--exclude-newer` filters index files, by each package's cutoff (see
//! [`crate::ExcludeNewer`] and [`crate::Cutoffs`]).
//! Pages, including "not found" answers, are cached as described in
//! [`crate::freshness`].
//!
//! # Metadata
//!
//! [`IndexClient::wheel_metadata`] tries, in order: the cache (METADATA of
//! a file with a known sha256 never changes); a local file (find-links, or
//! the artifact already in the store); the PEP 658 `.metadata` file when
//! the index advertises one (its hash verified when given); HTTP range
//! requests into the wheel ([`crate::lazy_wheel`]); a full download into the
//! store. Each fallback is taken only when the previous way is unavailable
//! (not advertised, `404`, ranges unsupported), never to paper over a
//! broken file. A host that once answered a range request with the whole
//! file is not asked for ranges again by this client.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use posy_vocab::{ArtifactHash, DistFilename, PackageName, Version};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use url::Url;

use crate::auth::Auth;
use crate::cache::Cache;
use crate::download::{Artifact, Hasher, download};
use crate::error::IndexError;
use crate::exclude_newer::Cutoffs;
use crate::find_links::{belongs_to, list_directory};
use crate::freshness::{CachePolicy, DEFAULT_HEURISTIC_FRESHNESS, Decision, Freshness};
use crate::lazy_wheel::{HttpRanges, LocalFile, read_metadata};
use crate::options::{FindLinks, IndexOptions, IndexStrategy, IndexUrl, Refresh};
use crate::page::{CoreMetadataFile, IndexFile, Wanted, metadata_file_url};
use crate::redact::{redact, strip_credentials};
use crate::retry::RetryPolicy;
use crate::simple_html::parse_html;
use crate::simple_json::{JsonPage, parse_json};
use crate::transport::{TransferStats, Transport, TransportConfig, status_failure};
use posy_store::Key;

/// The `Accept` header of project page requests (PEP 691).
pub const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The `Accept` header of find-links page requests: they are HTML by
/// definition (and some servers mislabel them when JSON is preferred).
const FIND_LINKS_ACCEPT: &str = "text/html";

/// The pseudo project name find-links pages are fetched under.
const FIND_LINKS_TAG: &str = "find-links";

/// Bumped when the cached page format changes.
const PAGE_CACHE_VERSION: &str = "simple-page-v2";

/// A client for the configured indexes; see the module documentation.
#[derive(Clone)]
pub struct IndexClient {
    inner: Arc<Inner>,
}

struct Inner {
    indexes: Vec<IndexUrl>,
    pins: Vec<(PackageName, IndexUrl)>,
    find_links: Vec<(FindLinks, OnceCell<Vec<IndexFile>>)>,
    strategy: IndexStrategy,
    refresh: Refresh,
    exclude_newer: Cutoffs,
    freshness: Freshness,
    transport: Transport,
    cache: Cache,
    no_range_hosts: Mutex<HashSet<String>>,
}

/// Every file of one project from the sources that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFiles {
    pub name: PackageName,
    /// Find-links files first, then index files in index order.
    pub files: Vec<IndexFile>,
    /// The indexes whose files are included.
    pub indexes: Vec<Url>,
    /// PEP 700 version lists from those indexes, merged, when given.
    pub versions: Option<Vec<String>>,
    /// Files dropped by `--exclude-newer` because they had no upload time.
    pub undated_excluded: usize,
}

/// Which way [`IndexClient::wheel_metadata_via`] must take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataVia {
    /// The cheapest available way, with fallbacks (what
    /// [`IndexClient::wheel_metadata`] does).
    Auto,
    /// The PEP 658 `.metadata` file, even if the page did not advertise it.
    MetadataFile,
    /// HTTP range requests into the wheel.
    RangeRequests,
    /// Download the whole wheel into the store and read it there.
    FullDownload,
}

#[derive(Serialize, Deserialize)]
struct PageEntry {
    url: String,
    status: u16,
    content_type: Option<String>,
    policy: CachePolicy,
}

struct FetchedPage {
    url: Url,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl IndexOptions {
    /// Builds the client: reads credentials, prepares the cache directory
    /// and the connection pool. No request is made yet.
    pub fn build(self) -> Result<IndexClient, IndexError> {
        let indexes: Vec<IndexUrl> = self.indexes().into_iter().cloned().collect();
        let find_links_urls: Vec<Url> = self.find_links.iter().map(FindLinks::url).collect();
        // Credentials in a find-links URL cover the files it links to on
        // the same host, as an index URL's do.
        let named: Vec<(Option<&str>, &Url)> = indexes
            .iter()
            .chain(self.pins.iter().map(|(_, index)| index))
            .map(|i| (i.name(), i.url()))
            .chain(find_links_urls.iter().map(|u| (None, u)))
            .collect();
        let env = self.env.clone();
        let auth = Auth::new(&named, &|key| env(key), &self.netrc);
        let transport = Transport::new(
            TransportConfig {
                concurrency: self.concurrency,
                connect_timeout: self.connect_timeout,
                read_timeout: self.read_timeout,
                retry: RetryPolicy {
                    retries: self.retries,
                    base: self.retry_backoff,
                },
                offline: self.offline,
            },
            auth,
        )?;
        let cache = Cache::new(self.store.clone(), self.cache_dir.clone())?;
        Ok(IndexClient {
            inner: Arc::new(Inner {
                find_links: self
                    .find_links
                    .iter()
                    .cloned()
                    .map(|f| (f, OnceCell::new()))
                    .collect(),
                indexes,
                pins: self.pins.clone(),
                strategy: self.strategy,
                refresh: self.refresh.clone(),
                freshness: Freshness {
                    heuristic: DEFAULT_HEURISTIC_FRESHNESS,
                    max_age_override: self.page_max_age,
                    // Each page's package has its own cutoff: see `fetch_page`.
                    exclude_newer: None,
                },
                exclude_newer: self.exclude_newer,
                transport,
                cache,
                no_range_hosts: Mutex::new(HashSet::new()),
            }),
        })
    }
}

impl IndexClient {
    /// A client with default options (the public index, no cache).
    pub fn new() -> Result<Self, IndexError> {
        IndexOptions::new().build()
    }

    /// Requests and bytes sent so far by this client (and its clones).
    pub fn stats(&self) -> TransferStats {
        self.inner.transport.stats()
    }

    /// The configured index URLs, in order (they may carry credentials:
    /// show them through [`crate::Redacted`]).
    pub fn index_urls(&self) -> Vec<&Url> {
        self.inner.indexes.iter().map(IndexUrl::url).collect()
    }

    /// Every file of `name` from the configured sources.
    pub async fn project(&self, name: &PackageName) -> Result<ProjectFiles, IndexError> {
        self.project_files(name, &Wanted::All).await
    }

    /// The files of `name==version` from the configured sources: what an
    /// installer with a pin needs. Cheaper than [`Self::project`] on a big
    /// page, since the other versions' files are skipped unparsed.
    pub async fn project_version(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<ProjectFiles, IndexError> {
        let wanted = Wanted::Version(name.clone(), version.clone());
        let mut files = self.project_files(name, &wanted).await?;
        files
            .files
            .retain(|f| f.dist.as_ref().is_some_and(|d| d.version() == version));
        Ok(files)
    }

    async fn project_files(
        &self,
        name: &PackageName,
        wanted: &Wanted,
    ) -> Result<ProjectFiles, IndexError> {
        let inner = &self.inner;
        let mut result = ProjectFiles {
            name: name.clone(),
            files: Vec::new(),
            indexes: Vec::new(),
            versions: None,
            undated_excluded: 0,
        };
        if let Some((_, index)) = inner.pins.iter().find(|(pinned, _)| pinned == name) {
            // A pinned package comes from its index alone.
            let page = self.index_project(index, name, wanted).await?;
            return self.finish_project_files(result, page.into_iter().collect());
        }
        for (source, listing) in &inner.find_links {
            let all = listing
                .get_or_try_init(|| self.list_find_links(source))
                .await?;
            result.files.extend(
                all.iter()
                    .filter(|f| belongs_to(&f.filename, name))
                    .cloned(),
            );
        }
        let pages = match inner.strategy {
            IndexStrategy::FirstIndex => {
                let mut found = Vec::new();
                for index in &inner.indexes {
                    if let Some(page) = self.index_project(index, name, wanted).await? {
                        found.push(page);
                        break;
                    }
                }
                found
            }
            IndexStrategy::UnsafeBestMatch => {
                let pages = futures_util::future::join_all(
                    inner
                        .indexes
                        .iter()
                        .map(|index| self.index_project(index, name, wanted)),
                )
                .await;
                pages
                    .into_iter()
                    .filter_map(Result::transpose)
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        self.finish_project_files(result, pages)
    }

    /// Adds `pages` (in index order) to `result`: each package's
    /// `--exclude-newer` cutoff applied, the same file name kept once.
    fn finish_project_files(
        &self,
        mut result: ProjectFiles,
        pages: Vec<(Url, Vec<IndexFile>, Option<Vec<String>>)>,
    ) -> Result<ProjectFiles, IndexError> {
        let name = result.name.clone();
        let name = &name;
        for (index, mut files, versions) in pages {
            if let Some(cutoff) = self.inner.exclude_newer.of(name) {
                result.undated_excluded += cutoff.filter(&mut files);
            }
            result.indexes.push(index);
            result.files.extend(files);
            if let Some(versions) = versions {
                let merged = result.versions.get_or_insert_with(Vec::new);
                for version in versions {
                    if !merged.contains(&version) {
                        merged.push(version);
                    }
                }
            }
        }
        let keep: Vec<bool> = {
            let mut seen = HashSet::with_capacity(result.files.len());
            result
                .files
                .iter()
                .map(|f| seen.insert(f.filename.as_str()))
                .collect()
        };
        let mut keep = keep.into_iter();
        result.files.retain(|_| keep.next().unwrap_or(true));
        for file in &mut result.files {
            file.parse_dist(name);
        }
        Ok(result)
    }

    /// One index's files for `name`, or `None` when it does not have it.
    async fn index_project(
        &self,
        index: &IndexUrl,
        name: &PackageName,
        wanted: &Wanted,
    ) -> Result<Option<(Url, Vec<IndexFile>, Option<Vec<String>>)>, IndexError> {
        let url = index.project_url(name);
        let page = if url.scheme() == "file" {
            local_index_page(&url).await?
        } else {
            self.fetch_page(&url, name, SIMPLE_ACCEPT).await?
        };
        let Some(page) = page else { return Ok(None) };
        let parsed = parse_page_off_thread(page, wanted.clone()).await?;
        if parsed.listed == 0 {
            return Ok(None);
        }
        let (mut files, versions) = (parsed.files, parsed.versions);
        let origin = Arc::new(index.url().clone());
        for file in &mut files {
            file.origin = Some(Arc::clone(&origin));
        }
        Ok(Some((index.url().clone(), files, versions)))
    }

    async fn list_find_links(&self, source: &FindLinks) -> Result<Vec<IndexFile>, IndexError> {
        let origin = source.url();
        let mut files = match source {
            FindLinks::Directory(dir) => list_directory(dir).await?,
            FindLinks::Page(url) if url.scheme() == "file" => {
                let path = url.to_file_path().map_err(|()| {
                    IndexError::InvalidOption(format!("`{url}` is not a local path"))
                })?;
                let html = tokio::fs::read(&path)
                    .await
                    .map_err(|e| IndexError::io("reading the find-links page", &path, e))?;
                parse_html(url, &String::from_utf8_lossy(&html)).map_err(|message| {
                    IndexError::Parse {
                        url: redact(url),
                        message,
                    }
                })?
            }
            FindLinks::Page(url) => {
                let key = PackageName::new(FIND_LINKS_TAG)
                    .map_err(|e| IndexError::InvalidOption(e.to_string()))?;
                match self.fetch_page(url, &key, FIND_LINKS_ACCEPT).await? {
                    // Parsed by content type all the same: a server may
                    // answer JSON whatever was asked.
                    Some(page) => parse_page(&page, &Wanted::All)?.files,
                    None => {
                        return Err(IndexError::Status {
                            url: redact(url),
                            status: 404,
                            attempts: 1,
                            hint: " (the --find-links page does not exist)",
                        });
                    }
                }
            }
        };
        let origin = Arc::new(origin.clone());
        for file in &mut files {
            file.origin = Some(Arc::clone(&origin));
        }
        Ok(files)
    }

    /// A page from the cache or the network, under the freshness policy;
    /// `None` for 404/410.
    async fn fetch_page(
        &self,
        url: &Url,
        name: &PackageName,
        accept: &'static str,
    ) -> Result<Option<FetchedPage>, IndexError> {
        let inner = &self.inner;
        let clean = strip_credentials(url);
        let key = Cache::key(&[PAGE_CACHE_VERSION, accept, clean.as_str()]);
        let cached = if inner.cache.is_persistent() {
            read_page_entry(&inner.cache, &key).await?
        } else {
            None
        };
        let now = Timestamp::now();
        let decision = match &cached {
            Some(_) if inner.transport.is_offline() => Decision::Fresh,
            Some(_) if inner.refresh.covers(name) => Decision::Refetch,
            Some((entry, _)) => Freshness {
                exclude_newer: inner.exclude_newer.of(name),
                ..inner.freshness
            }
            .decide(&entry.policy, now),
            None => Decision::Refetch,
        };
        if decision == Decision::Fresh
            && let Some((entry, body)) = cached
        {
            return Ok(entry_to_page(entry, body));
        }
        let transport = &inner.transport;
        let (status, final_url, content_type, policy, body) = transport
            .execute(url, || async {
                let mut request = transport
                    .request(Method::GET, url)?
                    .header("accept", accept);
                if let Decision::Revalidate {
                    etag,
                    last_modified,
                } = &decision
                {
                    if let Some(etag) = etag {
                        request = request.header("if-none-match", etag);
                    }
                    if let Some(date) = last_modified {
                        request = request.header("if-modified-since", date);
                    }
                }
                let response = transport.send(request).await?;
                let status = response.status();
                if !(status.is_success()
                    || status == StatusCode::NOT_MODIFIED
                    || status == StatusCode::NOT_FOUND
                    || status == StatusCode::GONE)
                {
                    return Err(status_failure(&response));
                }
                let final_url = strip_credentials(response.url());
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let policy = CachePolicy::from_headers(response.headers(), Timestamp::now());
                let body = transport.read_body(response).await?;
                Ok((status, final_url, content_type, policy, body))
            })
            .await?;
        if status == StatusCode::NOT_MODIFIED {
            if let Some((entry, body)) = cached {
                let entry = PageEntry {
                    policy: entry.policy.revalidated(&policy),
                    ..entry
                };
                self.store_page(&key, name, &entry, &body).await;
                return Ok(entry_to_page(entry, body));
            }
            return Err(IndexError::Parse {
                url: redact(url),
                message:
                    "the server answered 304 Not Modified to a request that was not conditional"
                        .into(),
            });
        }
        let entry = PageEntry {
            url: final_url.to_string(),
            status: status.as_u16(),
            content_type,
            policy,
        };
        if !entry.policy.no_store {
            self.store_page(&key, name, &entry, &body).await;
        }
        Ok(entry_to_page(entry, body))
    }

    /// Writes a page to the cache; a failure only costs a refetch later.
    async fn store_page(&self, key: &Key, project: &PackageName, entry: &PageEntry, body: &[u8]) {
        if !self.inner.cache.is_persistent() {
            return;
        }
        let Ok(mut bytes) = serde_json::to_vec(entry) else {
            return;
        };
        bytes.push(b'\n');
        bytes.extend_from_slice(body);
        let project = (project.as_str() != FIND_LINKS_TAG).then_some(project);
        if let Err(e) = self
            .inner
            .cache
            .write_http(key.clone(), bytes, project)
            .await
        {
            tracing::warn!("could not cache a page: {e}");
        }
    }

    /// The raw `METADATA` of a wheel (or of an sdist whose index serves a
    /// PEP 658 file), the cheapest way available.
    pub async fn wheel_metadata(&self, file: &IndexFile) -> Result<Vec<u8>, IndexError> {
        self.wheel_metadata_via(file, MetadataVia::Auto).await
    }

    /// The raw `METADATA`, forcing one way of getting it (for tests and
    /// measurements; the cache is bypassed unless `via` is `Auto`).
    pub async fn wheel_metadata_via(
        &self,
        file: &IndexFile,
        via: MetadataVia,
    ) -> Result<Vec<u8>, IndexError> {
        let inner = &self.inner;
        let cache_key = file
            .sha256()
            .map(|sha| Cache::key(&["core-metadata-v2", &sha.hex()]));
        if via == MetadataVia::Auto
            && let Some(key) = &cache_key
            && let Some(bytes) = inner.cache.read_http(key).await?
        {
            return Ok(bytes);
        }
        let metadata = self.metadata_uncached(file, via).await?;
        if let Some(key) = &cache_key
            && inner.cache.is_persistent()
            && let Err(e) = inner
                .cache
                .write_http(
                    key.clone(),
                    metadata.clone(),
                    file.dist.as_ref().map(DistFilename::name),
                )
                .await
        {
            tracing::warn!("could not cache metadata: {e}");
        }
        Ok(metadata)
    }

    async fn metadata_uncached(
        &self,
        file: &IndexFile,
        via: MetadataVia,
    ) -> Result<Vec<u8>, IndexError> {
        let inner = &self.inner;
        let url = &file.url;
        if via == MetadataVia::Auto {
            if url.scheme() == "file" {
                let path = url.to_file_path().map_err(|()| IndexError::Parse {
                    url: redact(url),
                    message: "not a local file path".into(),
                })?;
                return self.metadata_from_local(file, path).await;
            }
            if let Some(path) = file
                .sha256()
                .and_then(|sha| inner.cache.artifact(&sha.hex()))
            {
                return self.metadata_from_local(file, path).await;
            }
        }
        let advertised = matches!(file.core_metadata, CoreMetadataFile::Present { .. });
        if via == MetadataVia::MetadataFile || (via == MetadataVia::Auto && advertised) {
            match self.metadata_file(file).await {
                Ok(metadata) => return Ok(metadata),
                Err(e) if via == MetadataVia::Auto && matches!(e.status(), Some(404 | 410)) => {
                    tracing::debug!(
                        "{}: advertised metadata file is missing; trying the wheel",
                        redact(url)
                    );
                }
                Err(e) => return Err(e),
            }
        }
        if !file.is_wheel() {
            return Err(IndexError::MetadataUnavailable { url: redact(url) });
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        let ranges_ok = !inner
            .no_range_hosts
            .lock()
            .is_ok_and(|hosts| hosts.contains(&host));
        if via == MetadataVia::RangeRequests || (via == MetadataVia::Auto && ranges_ok) {
            let mut source = HttpRanges::new(&inner.transport, url);
            let result = read_metadata(&mut source, &file.filename, url).await;
            if source.ignored_ranges()
                && let Ok(mut hosts) = inner.no_range_hosts.lock()
            {
                hosts.insert(host);
            }
            match result {
                Ok(metadata) => return Ok(metadata),
                Err(
                    e @ (IndexError::Status { .. }
                    | IndexError::Parse { .. }
                    | IndexError::RangesIgnored { .. }),
                ) if via == MetadataVia::Auto => {
                    tracing::debug!("range requests failed ({e}); downloading the whole wheel");
                }
                Err(e) => return Err(e),
            }
        }
        let artifact = self.download(file).await?;
        self.metadata_from_local(file, artifact.path).await
    }

    async fn metadata_from_local(
        &self,
        file: &IndexFile,
        path: std::path::PathBuf,
    ) -> Result<Vec<u8>, IndexError> {
        if !file.is_wheel() {
            return Err(IndexError::MetadataUnavailable {
                url: redact(&file.url),
            });
        }
        read_metadata(&mut LocalFile { path }, &file.filename, &file.url).await
    }

    /// The PEP 658 file, verified against the advertised hash.
    async fn metadata_file(&self, file: &IndexFile) -> Result<Vec<u8>, IndexError> {
        let url = metadata_file_url(&file.url);
        let transport = &self.inner.transport;
        let body = transport
            .execute(&url, || async {
                let response = transport
                    .send(transport.request(Method::GET, &url)?)
                    .await?;
                if response.status() != StatusCode::OK {
                    return Err(status_failure(&response));
                }
                transport.read_body(response).await
            })
            .await?;
        let expected: &[ArtifactHash] = match &file.core_metadata {
            CoreMetadataFile::Present { hashes } => hashes,
            CoreMetadataFile::Absent => &[],
        };
        let mut hasher = Hasher::new(expected);
        hasher.update(&body);
        hasher.verify(expected, &url)?;
        Ok(body)
    }

    /// The file, downloaded and verified into `into` (emptied first) but
    /// not stored; returns its sha256. For an installer that unpacks the
    /// wheel at once and keeps only the unpacked tree (see
    /// [`download_to_memory`](crate::download::download_to_memory)).
    pub async fn download_to_memory(
        &self,
        file: &IndexFile,
        into: &mut Vec<u8>,
    ) -> Result<String, IndexError> {
        crate::download::download_to_memory(
            &self.inner.transport,
            &self.inner.cache,
            &file.url,
            &file.hashes,
            file.size,
            into,
        )
        .await
    }

    /// The file, downloaded into the store and verified (or found there).
    pub async fn download(&self, file: &IndexFile) -> Result<Artifact, IndexError> {
        download(
            &self.inner.transport,
            &self.inner.cache,
            &file.url,
            &file.hashes,
            file.dist.as_ref().map(DistFilename::name),
        )
        .await
    }
}

/// Reads a cached page: the JSON entry line, then the body.
async fn read_page_entry(
    cache: &Cache,
    key: &Key,
) -> Result<Option<(PageEntry, Vec<u8>)>, IndexError> {
    let Some(mut bytes) = cache.read_http(key).await? else {
        return Ok(None);
    };
    let Some(newline) = bytes.iter().position(|&b| b == b'\n') else {
        return Ok(None);
    };
    let Ok(entry) = serde_json::from_slice::<PageEntry>(&bytes[..newline]) else {
        // An unreadable entry is a cache miss, not an error.
        return Ok(None);
    };
    let body = bytes.split_off(newline + 1);
    Ok(Some((entry, body)))
}

fn entry_to_page(entry: PageEntry, body: Vec<u8>) -> Option<FetchedPage> {
    if entry.status == 404 || entry.status == 410 {
        return None;
    }
    Some(FetchedPage {
        url: Url::parse(&entry.url).ok()?,
        content_type: entry.content_type,
        body,
    })
}

/// A PEP 503 index on disk: `<base>/<name>/index.html`.
async fn local_index_page(url: &Url) -> Result<Option<FetchedPage>, IndexError> {
    let Ok(dir) = url.to_file_path() else {
        return Ok(None);
    };
    let path = dir.join("index.html");
    match tokio::fs::read(&path).await {
        Ok(body) => Ok(Some(FetchedPage {
            url: url.clone(),
            content_type: Some("text/html".into()),
            body,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IndexError::io("reading the index page", path, e)),
    }
}

/// Pages above this size are parsed on a blocking thread: the largest
/// (numpy's JSON page is over a megabyte) take long enough to stall the
/// other requests an executor thread is driving.
const PARSE_OFF_THREAD: usize = 256 * 1024;

async fn parse_page_off_thread(page: FetchedPage, wanted: Wanted) -> Result<JsonPage, IndexError> {
    if page.body.len() < PARSE_OFF_THREAD {
        return parse_page(&page, &wanted);
    }
    let url = redact(&page.url);
    tokio::task::spawn_blocking(move || parse_page(&page, &wanted))
        .await
        .map_err(|e| IndexError::Parse {
            url,
            message: format!("the parser stopped: {e}"),
        })?
}

/// Parses a page by its content type (sniffed when missing or generic).
fn parse_page(page: &FetchedPage, wanted: &Wanted) -> Result<JsonPage, IndexError> {
    let media = page
        .content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_json = match media.as_str() {
        "application/vnd.pypi.simple.v1+json"
        | "application/vnd.pypi.simple.latest+json"
        | "application/json" => true,
        "application/vnd.pypi.simple.v1+html"
        | "application/vnd.pypi.simple.latest+html"
        | "text/html" => false,
        _ => page.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
    };
    let failed = |message: String| IndexError::Parse {
        url: redact(&page.url),
        message,
    };
    if is_json {
        parse_json(&page.url, &page.body, wanted).map_err(failed)
    } else {
        let mut files =
            parse_html(&page.url, &String::from_utf8_lossy(&page.body)).map_err(failed)?;
        let listed = files.len();
        files.retain(|f| wanted.keeps(&f.filename));
        Ok(JsonPage {
            files,
            versions: None,
            listed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client is shared across tasks and its futures can be spawned.
    #[test]
    fn client_and_futures_are_send() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let client = IndexClient::new().unwrap();
        send_sync(&client);
        let name = PackageName::new("a").unwrap();
        let file = IndexFile::new(
            "a-1.0-py3-none-any.whl",
            Url::parse("https://f.example/a-1.0-py3-none-any.whl").unwrap(),
        );
        send(client.project(&name));
        send(client.wheel_metadata(&file));
        send(client.download(&file));
    }

    #[test]
    fn content_type_selects_the_parser() {
        let url = Url::parse("https://pypi.org/simple/iniconfig/").unwrap();
        for (content_type, body) in [
            (
                Some("application/vnd.pypi.simple.v1+json"),
                &include_bytes!("../tests/fixtures/iniconfig.json")[..],
            ),
            (
                Some("text/html; charset=utf-8"),
                &include_bytes!("../tests/fixtures/iniconfig.html")[..],
            ),
            (
                None,
                &include_bytes!("../tests/fixtures/iniconfig.json")[..],
            ),
            (
                Some("application/octet-stream"),
                &include_bytes!("../tests/fixtures/iniconfig.html")[..],
            ),
        ] {
            let page = FetchedPage {
                url: url.clone(),
                content_type: content_type.map(str::to_owned),
                body: body.to_vec(),
            };
            let files = parse_page(&page, &Wanted::All).unwrap().files;
            assert_eq!(files.len(), 18, "{content_type:?}");
        }
    }
}
