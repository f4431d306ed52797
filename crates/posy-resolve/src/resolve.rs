//! The entry point: Brief in, Resolution (or an explanation) out.
//!
//! [`resolve`] resolves the request for its target (or, in universal mode,
//! for each of its environments in turn, see `universal.rs`) while one
//! fetch task serves them all on the caller's runtime (see `fetcher.rs` for
//! why fetching and solving are split). Each resolution runs its solver on
//! a thread of its own (named `posy-resolve`) and turns PubGrub's answer
//! into a [`Resolution`] or a [`NoSolution`] report, both built on the
//! solver thread, which holds everything they need.

use std::sync::Arc;

use posy_vocab::{PackageName, Requirement, Version};
use pubgrub::PubGrubError;
use rustc_hash::FxHashMap;
use tokio::sync::mpsc::UnboundedSender;

use crate::candidate::CandidateSelector;
use crate::divergence::divergent_environments;
use crate::error::{NoSolution, ResolveError};
use crate::fetcher::{Fetcher, Request, Shared, Speculation, serve};
use crate::node::Node;
use crate::provider::MetadataProvider;
use crate::report::explain;
use crate::request::ResolveRequest;
use crate::resolution::{Resolution, ResolutionBuilder, Via};
use crate::solver::{SolveError, Solver, root_version};
use crate::target::Target;
use crate::universal::{environment_marker, merge};
use crate::universal_markers;
use crate::version_map::Status;

/// Resolves `request` with the packages `provider` knows.
///
/// Must be awaited inside a Tokio runtime (any flavour); the solver itself
/// runs on a separate OS thread, so a current-thread runtime is fine.
/// Dropping the returned future cancels the resolution.
pub async fn resolve<P: MetadataProvider>(
    request: &ResolveRequest,
    provider: &P,
) -> Result<Resolution, ResolveError> {
    let shared = Arc::new(Shared::default());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    // The forks run one after the other; the fetch task serves them all,
    // and ends when `forks` drops the last sender.
    let forks = resolve_forks(request, &shared, tx);
    let fetching = serve(provider, &shared, rx);
    tokio::pin!(forks, fetching);
    let mut fetching_done = false;
    loop {
        tokio::select! {
            outcome = &mut forks => return outcome,
            () = &mut fetching, if !fetching_done => fetching_done = true,
        }
    }
}

/// The resolution for the request's target, or the merged resolutions of
/// its environments (see `universal.rs`).
async fn resolve_forks(
    request: &ResolveRequest,
    shared: &Arc<Shared>,
    tx: UnboundedSender<Request>,
) -> Result<Resolution, ResolveError> {
    if !request.universal {
        check_urls(request, &request.target)?;
        let preferences = request.active_preferences();
        return resolve_for(request, &request.target, preferences, shared, tx).await;
    }
    if request.environments.is_empty() {
        return Err(ResolveError::NoEnvironments);
    }
    let mut preferences = request.active_preferences();
    let mut environments = request.environments.clone();
    let mut forks: Vec<Option<Resolution>> = Vec::new();
    // The listed environments, then (at most twice) the environments where
    // requirements diverge that the listed ones do not tell apart.
    for round in 0..3 {
        let first_new = forks.len();
        forks.resize(environments.len(), None);
        // Newest Python first: each Python gets the newest versions that
        // support it, and older Pythons keep them where they can (uv's
        // default `requires-python` fork strategy).
        let mut order: Vec<usize> = (first_new..environments.len()).collect();
        order.sort_by(|&a, &b| {
            let python = |i: usize| &environments[i].python_version;
            python(b).cmp(python(a))
        });
        for index in order {
            let target = &environments[index];
            check_urls(request, target)?;
            match resolve_for(request, target, preferences.clone(), shared, tx.clone()).await {
                Ok(resolution) => {
                    // Later forks try what earlier ones chose, so they agree
                    // wherever they can.
                    for package in &resolution.packages {
                        preferences.insert(package.name.clone(), package.version.clone());
                    }
                    forks[index] = Some(resolution);
                }
                Err(ResolveError::NoSolution(no_solution)) => {
                    return Err(ResolveError::NoSolution(NoSolution {
                        report: format!(
                            "In the environment `{}`:\n{}",
                            environment_marker(target),
                            no_solution.report
                        ),
                        hints: no_solution.hints,
                    }));
                }
                Err(err) => return Err(err),
            }
        }
        if round == 2 {
            break;
        }
        let resolved: Vec<Resolution> = forks.iter().flatten().cloned().collect();
        let more = divergent_environments(request, shared, &environments, &resolved);
        if more.is_empty() {
            break;
        }
        environments.extend(more);
    }
    let mut resolution = merge(&environments, forks.into_iter().flatten().collect());
    universal_markers::refine(&mut resolution, request, shared, &environments);
    Ok(resolution)
}

/// Refuses direct URL requirements (not supported yet) that apply on `target`.
fn check_urls(request: &ResolveRequest, target: &Target) -> Result<(), ResolveError> {
    match request
        .requirements
        .iter()
        .chain(&request.overrides)
        .find(|r| r.url().is_some() && r.marker.evaluate(&target.markers, &[]))
    {
        Some(url) => Err(ResolveError::DirectUrl(url.to_string())),
        None => Ok(()),
    }
}

/// One single-platform resolution, its fetches sent down `tx`.
async fn resolve_for(
    request: &ResolveRequest,
    target: &Target,
    preferences: FxHashMap<PackageName, Version>,
    shared: &Arc<Shared>,
    tx: UnboundedSender<Request>,
) -> Result<Resolution, ResolveError> {
    let first_party: Vec<&Requirement> = request
        .requirements
        .iter()
        .chain(&request.constraints)
        .chain(&request.overrides)
        .filter(|r| r.marker.evaluate(&target.markers, &[]))
        .collect();
    let selector = Arc::new(CandidateSelector::new(
        request,
        preferences,
        first_party.iter().copied(),
    ));
    let speculation = Speculation::new(
        Arc::clone(&selector),
        target.tags.clone(),
        target.python_version.clone(),
    );
    let solver = Solver::new(
        Fetcher::new(Arc::clone(shared), tx, speculation),
        selector,
        target,
        request,
    );
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("posy-resolve".to_owned())
        .spawn(move || {
            let outcome = run(solver);
            let _ = done_tx.send(outcome);
        })
        .map_err(ResolveError::Thread)?;
    // A solver thread that ended without an answer panicked; there is no
    // better report than "cancelled" for that.
    done_rx.await.unwrap_or(Err(ResolveError::Cancelled))
}

/// Runs PubGrub to the end, on the solver thread.
fn run(solver: Solver) -> Result<Resolution, ResolveError> {
    match pubgrub::resolve(&solver, Node::Root, root_version()) {
        Ok(selected) => Ok(build(&solver, selected.into_iter().collect())),
        Err(PubGrubError::NoSolution(tree)) => {
            Err(ResolveError::NoSolution(explain(&solver, tree)))
        }
        Err(PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorInShouldCancel(source)) => Err(match source {
            SolveError::Cancelled => ResolveError::Cancelled,
            SolveError::Provider {
                name,
                version: None,
                source,
            } => ResolveError::Versions { name, source },
            SolveError::Provider {
                name,
                version: Some(version),
                source,
            } => ResolveError::Metadata {
                name,
                version,
                source,
            },
        }),
    }
}

/// Turns PubGrub's selection into pins with files and `via` edges.
fn build(solver: &Solver, selected: Vec<(Node, Version)>) -> Resolution {
    let mut builder = ResolutionBuilder::default();
    for (node, version) in &selected {
        match node {
            Node::Package(name) => {
                let (files, best) = solver
                    .known_index(name)
                    .and_then(|index| {
                        let entry = index.map.get(version)?;
                        let files = index.map.files(entry).to_vec();
                        let allow_yanked = solver.selector().allows_yanked(name, version);
                        let best = match entry.effective_status(allow_yanked) {
                            Status::Usable { best } => {
                                let chosen = index.map.file(*best);
                                files.iter().position(|f| f == chosen)
                            }
                            _ => None,
                        };
                        Some((files, best))
                    })
                    .unwrap_or_default();
                builder.pin(name.clone(), version.clone(), files, best);
            }
            Node::Extra(name, extra) => builder.extra(name.clone(), extra.clone()),
            Node::Root | Node::Python => {}
        }
        for dependency in solver.edges_of(node, version) {
            let Some(dependency_name) = dependency.name() else {
                continue;
            };
            let via = match node {
                Node::Package(name) | Node::Extra(name, _) if name != dependency_name => {
                    Via::Package(name.clone())
                }
                _ => continue,
            };
            builder.via(dependency_name.clone(), via);
        }
    }
    for (index, name) in solver.requirement_sources() {
        builder.via(name, Via::Requirement(index));
    }
    for (name, version, extra) in solver.missing_extras() {
        if selected.contains(&(Node::Package(name.clone()), version.clone())) {
            builder.warn(format!(
                "{name}=={version} does not provide the extra `{extra}`"
            ));
        }
    }
    builder.build()
}
