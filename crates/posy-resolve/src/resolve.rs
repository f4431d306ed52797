//! The entry point: Brief in, Resolution (or an explanation) out.
//!
//! [`resolve`] checks the request, starts the solver on its own thread
//! (named `posy-resolve`), serves its fetches on the caller's runtime until
//! it finishes (see `fetcher.rs` for why the two are split), and turns
//! PubGrub's answer into a [`Resolution`] or a [`NoSolution`] report. Both
//! are built on the solver thread, which holds everything they need.
//!
//! [`NoSolution`]: crate::NoSolution

use std::sync::Arc;

use posy_vocab::{Requirement, Version};
use pubgrub::PubGrubError;

use crate::candidate::CandidateSelector;
use crate::error::ResolveError;
use crate::fetcher::{Fetcher, Shared, serve};
use crate::node::Node;
use crate::provider::MetadataProvider;
use crate::report::explain;
use crate::request::ResolveRequest;
use crate::resolution::{Resolution, ResolutionBuilder, Via};
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
    if request.universal {
        return Err(ResolveError::UniversalUnsupported);
    }
    let markers = &request.target.markers;
    let applies = |r: &&Requirement| r.marker.evaluate(markers, &[]);
    if let Some(url) = request
        .requirements
        .iter()
        .chain(&request.overrides)
        .filter(applies)
        .find(|r| r.url().is_some())
    {
        return Err(ResolveError::DirectUrl(url.to_string()));
    }
    let first_party: Vec<&Requirement> = request
        .requirements
        .iter()
        .chain(&request.constraints)
        .chain(&request.overrides)
        .filter(applies)
        .collect();
    let selector = Arc::new(CandidateSelector::new(request, first_party.iter().copied()));
    let shared = Arc::new(Shared::default());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let solver = Solver::new(
        Fetcher::new(Arc::clone(&shared), tx),
        Arc::clone(&selector),
        request.target.markers.clone(),
        request.target.python_version.clone(),
        request.requirements.clone(),
        &request.overrides,
        &request.constraints,
    );
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("posy-resolve".to_owned())
        .spawn(move || {
            let outcome = run(solver);
            let _ = done_tx.send(outcome);
        })
        .map_err(ResolveError::Thread)?;
    let fetching = serve(
        provider,
        &shared,
        &selector,
        &request.target.tags,
        &request.target.python_version,
        rx,
    );
    tokio::pin!(fetching);
    let outcome = tokio::select! {
        outcome = &mut done_rx => outcome,
        () = &mut fetching => (&mut done_rx).await,
    };
    // A solver thread that ended without an answer panicked; there is no
    // better report than "cancelled" for that.
    outcome.unwrap_or(Err(ResolveError::Cancelled))
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
                    .fetcher()
                    .shared()
                    .versions
                    .get(name)
                    .and_then(|versions| {
                        let index = versions.as_ref().as_ref().ok()?;
                        let entry = index.map.get(version)?;
                        let files = index.map.files(entry).to_vec();
                        let status =
                            entry.effective_status(solver.selector().allows_yanked(name, version));
                        let best = match status {
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
                Node::Root => Via::Requirement,
                Node::Package(name) | Node::Extra(name, _) if name != dependency_name => {
                    Via::Package(name.clone())
                }
                _ => continue,
            };
            builder.via(dependency_name.clone(), via);
        }
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
