//! The bridge between the synchronous solver and the async provider.
//!
//! PubGrub is a synchronous algorithm that asks for data in the middle of
//! its loop, while fetching is async and wants many requests in flight. So,
//! as in uv, the two run apart:
//!
//! - The **solver** runs on a dedicated OS thread. When it needs a version
//!   list or some metadata it claims the key in a [`OnceMap`], sends a
//!   [`Request`] down an unbounded channel (a plain, non-blocking send), and
//!   blocks on the map until the value is there. It also sends *prefetch*
//!   requests that it does not wait for.
//! - The **fetch task** ([`serve`]) runs inside the caller's future on the
//!   caller's runtime. It turns requests into provider calls, keeps all of
//!   them in flight at once (`FuturesUnordered`), and stores each result in
//!   the map as it lands, waking the solver.
//!
//! Every key goes through the map's `register`, so each version list and
//! each version's metadata is fetched at most once per run, whether the
//! solver asked for it or a prefetch guessed it.
//!
//! Speculation: when the solver learns that a package depends on `b` in
//! some range, it sends `Prefetch(b, range)`. The fetch task then fetches
//! `b`'s versions and, once they are in, runs the same
//! [`CandidateSelector`] the solver will run and starts fetching that
//! version's metadata. By the time the solver decides `b`, the answer is
//! usually there already: a resolution costs about one round trip per
//! *level* of the dependency graph instead of one per package.
//!
//! When the solver keeps backtracking through one package's versions it
//! fetches the next candidates' metadata in a batch (`batch_prefetch` in
//! `solver.rs`). Those fetches *follow* their dependencies: as each lands,
//! the candidate of each of its requirements is guessed and fetched too.
//! Without it, a pair like boto3/botocore (each boto3 pins one botocore)
//! costs one round trip per boto3 version tried, because the botocore a
//! boto3 needs is only known once that boto3's metadata is read.
//!
//! One fetch task serves every fork of a universal resolution (each fork's
//! prefetches carry that fork's [`Speculation`] context), so a fetch that
//! one fork started and no longer needed is finished for the next one.
//!
//! Cancellation: if the caller drops the resolve future, the channel's
//! receiver is dropped; the solver notices (its waits poll
//! `Sender::is_closed`) and returns.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use posy_vocab::{PackageName, Version};
use rustc_hash::FxHashMap;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use version_ranges::Ranges;

use crate::candidate::CandidateSelector;
use crate::once_map::OnceMap;
use crate::provider::{DistFile, DistMetadata, MetadataProvider, PackageVersions, ProviderError};
use crate::requested::requirement_ranges;
use crate::scope::Scope;
use crate::version_map::{Compatibility, Status, VersionMap};

/// A package's files as the provider gave them (`None`: the index does not
/// know the package), or the provider's failure. Kept raw, independent of
/// any target, so the forks of a universal resolution share them.
pub(crate) type VersionsResult = Result<Option<PackageVersions>, Arc<ProviderError>>;
pub(crate) type MetadataResult = Result<DistMetadata, Arc<ProviderError>>;

/// What both sides share: the results of every fetch of this run (all of
/// its forks, in universal mode).
#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) versions: OnceMap<PackageName, VersionsResult>,
    pub(crate) metadata: OnceMap<(PackageName, Version), MetadataResult>,
}

pub(crate) enum Request {
    Versions(PackageName),
    Metadata(PackageName, Version, DistFile),
    /// A speculative metadata fetch whose dependencies' candidates are
    /// prefetched when it lands.
    Follow(PackageName, Version, DistFile, Arc<Speculation>),
    Prefetch(PackageName, Ranges<Version>, Arc<Speculation>),
}

/// What the fetch task needs to guess a fork's next candidate: that fork's
/// selector and target, and the version maps built for it so far.
pub(crate) struct Speculation {
    selector: Arc<CandidateSelector>,
    compatibility: Compatibility,
    scope: Scope,
    maps: Mutex<FxHashMap<PackageName, Arc<VersionMap>>>,
}

impl Speculation {
    pub(crate) fn new(selector: Arc<CandidateSelector>, scope: Scope) -> Self {
        Self {
            selector,
            compatibility: scope.compatibility(),
            scope,
            maps: Mutex::default(),
        }
    }

    /// `name`'s version map for this fork, built once for the solver and
    /// the guesses.
    fn map(&self, name: &PackageName, files: &PackageVersions) -> Arc<VersionMap> {
        let mut maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        let map = maps
            .entry(name.clone())
            .or_insert_with(|| Arc::new(VersionMap::new(files, &self.compatibility)));
        Arc::clone(map)
    }

    /// The metadata fetch a prefetch of `name` in `range` should start, if
    /// any, claiming its key.
    fn guess(
        &self,
        shared: &Shared,
        name: &PackageName,
        range: &Ranges<Version>,
        versions: &VersionsResult,
    ) -> Option<(PackageName, Version, DistFile)> {
        let files = versions.as_ref().ok()?.as_ref()?;
        let map = self.map(name, files);
        let entry = self.selector.select(name, range, &map, None)?;
        let Status::Usable { best } = entry.status else {
            return None;
        };
        let key = (name.clone(), entry.version.clone());
        if !shared.metadata.register(&key) {
            return None;
        }
        Some((key.0, key.1, map.file(best).clone()))
    }
}

/// The solver's end: blocking reads and non-blocking prefetches.
pub(crate) struct Fetcher {
    shared: Arc<Shared>,
    tx: UnboundedSender<Request>,
    speculation: Arc<Speculation>,
}

/// The fetch task went away (the resolve future was dropped).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cancelled;

impl Fetcher {
    pub(crate) fn new(
        shared: Arc<Shared>,
        tx: UnboundedSender<Request>,
        speculation: Speculation,
    ) -> Self {
        Self {
            shared,
            tx,
            speculation: Arc::new(speculation),
        }
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.tx.is_closed()
    }

    /// What counts as an installable file on this target.
    pub(crate) fn compatibility(&self) -> &Compatibility {
        &self.speculation.compatibility
    }

    /// `name`'s version map on this target, built from `files`.
    pub(crate) fn version_map(
        &self,
        name: &PackageName,
        files: &PackageVersions,
    ) -> Arc<VersionMap> {
        self.speculation.map(name, files)
    }

    /// The versions of `name`, fetching them if nobody has yet.
    pub(crate) fn versions(&self, name: &PackageName) -> Result<Arc<VersionsResult>, Cancelled> {
        if self.shared.versions.register(name) {
            self.send(Request::Versions(name.clone()))?;
        }
        self.shared
            .versions
            .wait_blocking(name, || self.tx.is_closed())
            .ok_or(Cancelled)
    }

    /// The metadata of `name` `version`, read from `file`.
    pub(crate) fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<Arc<MetadataResult>, Cancelled> {
        let key = (name.clone(), version.clone());
        if self.shared.metadata.register(&key) {
            self.send(Request::Metadata(
                name.clone(),
                version.clone(),
                file.clone(),
            ))?;
        }
        self.shared
            .metadata
            .wait_blocking(&key, || self.tx.is_closed())
            .ok_or(Cancelled)
    }

    /// The metadata of `name` `version`, if it has been fetched.
    pub(crate) fn known_metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Option<Arc<MetadataResult>> {
        self.shared.metadata.get(&(name.clone(), version.clone()))
    }

    /// Asks for `name`'s versions and its likely candidate's metadata
    /// without waiting for either.
    pub(crate) fn prefetch(&self, name: &PackageName, range: &Ranges<Version>) {
        // A failed send means the run is over, which the next wait notices.
        let _ = self.tx.send(Request::Prefetch(
            name.clone(),
            range.clone(),
            Arc::clone(&self.speculation),
        ));
    }

    /// Starts fetching a version's metadata, if nobody has, without
    /// waiting; once it is in, prefetches the candidates of its
    /// requirements.
    pub(crate) fn prefetch_following(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) {
        let key = (name.clone(), version.clone());
        if self.shared.metadata.register(&key) {
            // A failed send means the run is over, which the next wait notices.
            let _ = self.send(Request::Follow(
                key.0,
                key.1,
                file.clone(),
                Arc::clone(&self.speculation),
            ));
        }
    }

    fn send(&self, request: Request) -> Result<(), Cancelled> {
        self.tx.send(request).map_err(|_| Cancelled)
    }
}

enum Fetched {
    Versions(PackageName, Result<PackageVersions, ProviderError>),
    Metadata(
        PackageName,
        Version,
        Result<DistMetadata, ProviderError>,
        Option<Arc<Speculation>>,
    ),
}

/// A prefetch whose package's versions are still on their way.
type WaitingPrefetch = (Ranges<Version>, Arc<Speculation>);

type Pending<'a> = Pin<Box<dyn Future<Output = Fetched> + 'a>>;

/// Runs the fetch side until every solver has hung up (every sender of the
/// channel is dropped). One fetch task serves all the forks of a run, so a
/// fetch one fork started is finished for the next.
pub(crate) async fn serve<P: MetadataProvider>(
    provider: &P,
    shared: &Shared,
    mut rx: UnboundedReceiver<Request>,
) {
    let mut in_flight: FuturesUnordered<Pending<'_>> = FuturesUnordered::new();
    // Prefetches waiting for their package's versions.
    let mut waiting: FxHashMap<PackageName, Vec<WaitingPrefetch>> = FxHashMap::default();
    loop {
        tokio::select! {
            request = rx.recv() => {
                let Some(request) = request else { return };
                match request {
                    Request::Versions(name) => in_flight.push(fetch_versions(provider, name)),
                    Request::Metadata(name, version, file) => {
                        in_flight.push(fetch_metadata(provider, name, version, file, None));
                    }
                    Request::Follow(name, version, file, speculation) => {
                        in_flight.push(fetch_metadata(provider, name, version, file, Some(speculation)));
                    }
                    Request::Prefetch(name, range, speculation) => {
                        prefetch(provider, shared, &mut in_flight, &mut waiting, name, range, speculation);
                    }
                }
            }
            Some(fetched) = in_flight.next(), if !in_flight.is_empty() => match fetched {
                Fetched::Versions(name, result) => {
                    let stored = match result {
                        Ok(files) => Ok(Some(files)),
                        Err(ProviderError::NotFound) => Ok(None),
                        Err(err) => Err(Arc::new(err)),
                    };
                    shared.versions.done(name.clone(), stored);
                    if let (Some(prefetches), Some(versions)) = (waiting.remove(&name), shared.versions.get(&name)) {
                        for (range, speculation) in prefetches {
                            if let Some((n, v, f)) = speculation.guess(shared, &name, &range, &versions) {
                                in_flight.push(fetch_metadata(provider, n, v, f, None));
                            }
                        }
                    }
                }
                Fetched::Metadata(name, version, result, follow) => {
                    if let (Ok(metadata), Some(speculation)) = (&result, follow) {
                        for requirement in &metadata.requires_dist {
                            if requirement.url().is_some()
                                || speculation.scope.selects(&requirement.marker, None).is_none()
                            {
                                continue;
                            }
                            let range = requirement_ranges(requirement);
                            prefetch(provider, shared, &mut in_flight, &mut waiting, requirement.name.clone(), range, Arc::clone(&speculation));
                        }
                    }
                    shared.metadata.done((name, version), result.map_err(Arc::new));
                }
            }
        }
    }
}

/// Starts fetching `name`'s versions if nobody has, and the metadata of
/// its candidate in `range` once they are in.
fn prefetch<'a, P: MetadataProvider>(
    provider: &'a P,
    shared: &Shared,
    in_flight: &mut FuturesUnordered<Pending<'a>>,
    waiting: &mut FxHashMap<PackageName, Vec<WaitingPrefetch>>,
    name: PackageName,
    range: Ranges<Version>,
    speculation: Arc<Speculation>,
) {
    if shared.versions.register(&name) {
        in_flight.push(fetch_versions(provider, name.clone()));
    }
    match shared.versions.get(&name) {
        Some(versions) => {
            if let Some((n, v, f)) = speculation.guess(shared, &name, &range, &versions) {
                in_flight.push(fetch_metadata(provider, n, v, f, None));
            }
        }
        None => waiting.entry(name).or_default().push((range, speculation)),
    }
}

fn fetch_versions<P: MetadataProvider>(provider: &P, name: PackageName) -> Pending<'_> {
    Box::pin(async move {
        let result = provider.versions(&name).await;
        Fetched::Versions(name, result)
    })
}

fn fetch_metadata<P: MetadataProvider>(
    provider: &P,
    name: PackageName,
    version: Version,
    file: DistFile,
    follow: Option<Arc<Speculation>>,
) -> Pending<'_> {
    Box::pin(async move {
        let result = provider.metadata(&name, &version, &file).await;
        Fetched::Metadata(name, version, result, follow)
    })
}
