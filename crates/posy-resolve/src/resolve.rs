//! The entry point: Brief in, Resolution (or an explanation) out.
//!
//! [`resolve`] resolves the request for its target (or, in universal mode,
//! for each fork of its universe in turn, see `universal.rs`) while one
//! fetch task serves them all on the caller's runtime (see `fetcher.rs` for
//! why fetching and solving are split). Each resolution runs its solver on
//! a thread of its own (named `posy-resolve`) and turns PubGrub's answer
//! into a [`Resolution`] or a [`crate::NoSolution`] report, both built on the
//! solver thread, which holds everything they need.

use std::sync::Arc;

use posy_vocab::{MarkerSet, PackageName, Requirement, Version};
use pubgrub::PubGrubError;
use rustc_hash::FxHashMap;
use tokio::sync::mpsc::UnboundedSender;

use crate::candidate::CandidateSelector;
use crate::error::ResolveError;
use crate::fetcher::{Fetcher, Request, Shared, Speculation, serve};
use crate::node::Node;
use crate::provider::MetadataProvider;
use crate::report::explain;
use crate::request::ResolveRequest;
use crate::resolution::{Resolution, ResolutionBuilder, Via};
use crate::scope::Scope;
use crate::solver::{SolveError, Solver, root_version};
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
/// the forks of its universe (see `universal.rs`).
async fn resolve_forks(
    request: &ResolveRequest,
    shared: &Arc<Shared>,
    tx: UnboundedSender<Request>,
) -> Result<Resolution, ResolveError> {
    if let Some(universe) = &request.universal {
        return crate::universal::resolve_universe(request, universe, shared, tx).await;
    }
    let scope = Scope::Target(Box::new(request.target.clone()));
    check_urls(request, &scope)?;
    let preferences = request.active_preferences();
    match resolve_in(request, scope, preferences, shared, tx).await? {
        Outcome::Solved(mut solved) => {
            for package in &mut solved.resolution.packages {
                if let Some(marker) = solved.reach.get(&package.name) {
                    let tree = marker.to_tree();
                    package.marker = (!tree.is_true()).then_some(tree);
                }
            }
            Ok(solved.resolution)
        }
        // Only forks split.
        Outcome::Split { .. } => Err(ResolveError::Cancelled),
    }
}

/// Refuses direct URL requirements (not supported yet) that apply in `scope`.
pub(crate) fn check_urls(request: &ResolveRequest, scope: &Scope) -> Result<(), ResolveError> {
    match request
        .requirements
        .iter()
        .chain(&request.overrides)
        .find(|r| r.url().is_some() && scope.holds(&r.marker, &[]))
    {
        Some(url) => Err(ResolveError::DirectUrl(url.to_string())),
        None => Ok(()),
    }
}

/// How one solve ended, short of an error.
pub(crate) enum Outcome {
    Solved(Solved),
    /// A fork must split first (see `scope.rs`).
    Split {
        regions: Vec<MarkerSet>,
        chosen: Vec<(PackageName, Version)>,
    },
}

/// A finished solve: the resolution, and (in a fork) where each package is
/// needed: the environments in which some chain of requirements from the
/// Brief reaches it.
pub(crate) struct Solved {
    pub(crate) resolution: Resolution,
    pub(crate) reach: FxHashMap<PackageName, MarkerSet>,
    /// The reach of each class of requirements alone (universal requests
    /// with `root_classes`).
    pub(crate) by_class: Vec<FxHashMap<PackageName, MarkerSet>>,
}

/// One solve in `scope`, its fetches sent down `tx`.
pub(crate) async fn resolve_in(
    request: &ResolveRequest,
    scope: Scope,
    preferences: FxHashMap<PackageName, Vec<Version>>,
    shared: &Arc<Shared>,
    tx: UnboundedSender<Request>,
) -> Result<Outcome, ResolveError> {
    let first_party: Vec<&Requirement> = request
        .requirements
        .iter()
        .chain(&request.constraints)
        .chain(&request.overrides)
        .filter(|r| scope.holds(&r.marker, &[]))
        .collect();
    let selector = Arc::new(CandidateSelector::new(
        request,
        preferences,
        first_party.iter().copied(),
    ));
    let speculation = Speculation::new(Arc::clone(&selector), scope.clone());
    let solver = Solver::new(
        Fetcher::new(Arc::clone(shared), tx, speculation),
        selector,
        scope,
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
fn run(solver: Solver) -> Result<Outcome, ResolveError> {
    match pubgrub::resolve(&solver, Node::Root, root_version()) {
        Ok(selected) => {
            let selected: Vec<(Node, Version)> = selected.into_iter().collect();
            let reach = reach(&solver, &selected);
            let by_class = classes_reach(&solver, &selected);
            Ok(Outcome::Solved(Solved {
                resolution: build(&solver, selected),
                reach,
                by_class,
            }))
        }
        Err(PubGrubError::NoSolution(tree)) => {
            Err(ResolveError::NoSolution(explain(&solver, tree)))
        }
        Err(PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorInShouldCancel(source)) => Err(match source {
            SolveError::Fork { regions, chosen } => return Ok(Outcome::Split { regions, chosen }),
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

/// In a fork (or with `keep_markers`), the environments in which each
/// selected package is needed:
/// a fixed point over the selected dependency edges, from the fork's own
/// marker at the root, each edge `and`ing its requirement's marker (the
/// graph may have cycles; markers only grow, in a finite algebra).
fn reach(solver: &Solver, selected: &[(Node, Version)]) -> FxHashMap<PackageName, MarkerSet> {
    let Some(root) = solver.root_marker() else {
        return FxHashMap::default();
    };
    reach_from(solver, selected, vec![(Node::Root, root)])
}

/// [`reach`] for each class of the root's requirements alone: from the
/// root's edges of that class.
fn classes_reach(
    solver: &Solver,
    selected: &[(Node, Version)],
) -> Vec<FxHashMap<PackageName, MarkerSet>> {
    let (Some(root), Some(classes)) = (solver.root_marker(), solver.root_classes()) else {
        return Vec::new();
    };
    let count = classes
        .iter()
        .copied()
        .max()
        .map_or(0, |m| usize::from(m) + 1);
    (0..count)
        .map(|class| {
            let start = solver
                .class_edges(class as u16, classes)
                .into_iter()
                .filter(|(node, _)| *node != Node::Python)
                .map(|(node, marker)| (node, root.and(marker)))
                .collect();
            reach_from(solver, selected, start)
        })
        .collect()
}

/// Where each selected package is reached from `start` (nodes with the
/// markers they are reached under), following the selected versions' edges.
fn reach_from(
    solver: &Solver,
    selected: &[(Node, Version)],
    start: Vec<(Node, MarkerSet)>,
) -> FxHashMap<PackageName, MarkerSet> {
    let version_of: FxHashMap<&Node, &Version> = selected.iter().map(|(n, v)| (n, v)).collect();
    let mut marker_of: FxHashMap<Node, MarkerSet> = FxHashMap::default();
    let mut queue = Vec::new();
    for (node, marker) in start {
        let old = marker_of.get(&node).copied().unwrap_or(MarkerSet::FALSE);
        marker_of.insert(node.clone(), old.or(marker));
        queue.push(node);
    }
    while let Some(node) = queue.pop() {
        let Some(&version) = version_of.get(&node) else {
            continue;
        };
        let here = marker_of[&node];
        for (child, marker) in solver.edges_of(&node, version) {
            if child == Node::Python {
                continue;
            }
            let add = here.and(marker);
            let old = marker_of.get(&child).copied().unwrap_or(MarkerSet::FALSE);
            let new = old.or(add);
            if new != old {
                marker_of.insert(child.clone(), new);
                queue.push(child);
            }
        }
    }
    marker_of
        .into_iter()
        .filter_map(|(node, marker)| match node {
            Node::Package(name) => Some((name, marker)),
            _ => None,
        })
        .collect()
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
        for (dependency, _) in solver.edges_of(node, version) {
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
