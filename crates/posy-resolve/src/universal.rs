//! Universal resolution: one answer for every environment of a universe.
//!
//! A universal Brief must hold on every machine whose Python is in the
//! universe's `requires-python` (and, if it lists `environments`, that
//! matches one of them): platforms and Pythons nobody listed included. posy
//! resolves it as uv does, by forking on the markers themselves:
//!
//! 1. The first fork is the whole universe (or one fork per listed
//!    environment). A fork is solved like a single target, except that a
//!    requirement applies when its marker holds *somewhere* in the fork,
//!    a version is usable when some file of it fits some Python of the
//!    fork, and `Requires-Python` is read by its lower bound against the
//!    fork's lowest Python (`scope.rs`, `version_map.rs`).
//! 2. A fork splits when one package's requirements carry different
//!    markers (`numpy>=2; python_version >= "3.11"` beside `numpy<2;
//!    python_version < "3.11"`), when one marker raises the lowest Python,
//!    or when the best version's `Requires-Python` starts inside the
//!    fork's Pythons (the newer Pythons take it, the older look further).
//!    A split restarts each part from the Brief, preferring what the
//!    parent had chosen, so no decision is made twice differently without
//!    reason. Nothing here lists platforms or Python minors: every split
//!    point comes from a marker or a `Requires-Python` in the graph, down
//!    to patch releases (`python_full_version >= "3.11.5"`).
//! 3. Parts are solved newest Python first (oldest first, and no split on
//!    `Requires-Python`, with `--fork-strategy fewest`), and each finished fork's pins
//!    become preferences of the forks after it, so the forks agree on a
//!    version wherever they can (uv's default `requires-python` strategy).
//!    They share one fetch cache: a file list or a version's metadata is
//!    fetched once for all of them.
//! 4. Each fork says where each of its packages is needed: the
//!    environments in which some chain of requirements from the Brief
//!    reaches it (`reach` in `resolve.rs`). A pin's marker is the `or` of
//!    those over the forks that chose it, printed as the simplest exact
//!    marker within the universe; its files are every wheel some
//!    environment of that marker can install, and the sdist.
//!
//! A fork with no solution fails the resolution; the report names it
//! ("For sys_platform == \"win32\": …").

use std::collections::BTreeMap;
use std::sync::Arc;

use posy_vocab::{MarkerSet, PackageName, Version};
use rustc_hash::FxHashMap;
use tokio::sync::mpsc::UnboundedSender;

use crate::error::{NoSolution, ResolveError};
use crate::fetcher::{Request, Shared};
use crate::provider::DistKind;
use crate::request::{ResolveRequest, Universe};
use crate::resolution::{ClassReach, Resolution, ResolvedPackage};
use crate::resolve::{Outcome, check_urls, resolve_in};

/// A solved fork: its resolution, its reach, and each class's reach.
type Solved = (
    Resolution,
    FxHashMap<PackageName, MarkerSet>,
    Vec<FxHashMap<PackageName, MarkerSet>>,
);
use crate::scope::{Fork, ForkRules, Scope};
use crate::strategy::{ForkStrategy, ResolutionStrategy};

/// At most this many forks are solved; a graph that keeps splitting past
/// it is reported rather than followed.
const MAX_FORKS: usize = 512;

/// Resolves `request` for every environment of `universe`.
pub(crate) async fn resolve_universe(
    request: &ResolveRequest,
    universe: &Universe,
    shared: &Arc<Shared>,
    tx: UnboundedSender<Request>,
) -> Result<Resolution, ResolveError> {
    let pythons = MarkerSet::python_in(&universe.requires_python);
    let listed = if universe.environments.is_empty() {
        vec![MarkerSet::TRUE]
    } else {
        universe
            .environments
            .iter()
            .map(MarkerSet::from_tree)
            .collect()
    };
    let root = listed
        .iter()
        .fold(MarkerSet::FALSE, |all, m| all.or(*m))
        .and(pythons);
    let rules = Arc::new(ForkRules {
        required: universe
            .required_environments
            .iter()
            .map(|m| (m.clone(), MarkerSet::from_tree(m)))
            .collect(),
        fewest: universe.fork_strategy == ForkStrategy::Fewest
            || request.strategy == ResolutionStrategy::Lowest,
    });
    // A stack: the last pushed is solved first.
    let mut stack: Vec<(Fork, Vec<(PackageName, Version)>)> = listed
        .iter()
        .rev()
        .filter_map(|m| Fork::new(m.and(pythons), &rules))
        .map(|fork| (fork, Vec::new()))
        .collect();
    let Some((first, _)) = stack.first() else {
        return Err(ResolveError::NoEnvironments);
    };
    first
        .clone()
        .schedule(&mut stack, |f| f.0.floor.clone(), |_| 0);
    let user = request.active_preferences();
    let mut chosen_by_forks: FxHashMap<PackageName, Vec<Version>> = FxHashMap::default();
    let mut solved: Vec<Solved> = Vec::new();
    let mut forks = 0;
    while let Some((fork, inherited)) = stack.pop() {
        forks += 1;
        if forks > MAX_FORKS {
            return Err(ResolveError::NoSolution(NoSolution {
                report: format!(
                    "the requirements split the resolution into more than {MAX_FORKS} parts"
                ),
                hints: vec![
                    "narrow the universe with environments, or resolve for one platform".to_owned(),
                ],
            }));
        }
        let scope = Scope::Fork(fork.clone());
        check_urls(request, &scope)?;
        let preferences = preferences_for(&user, &inherited, &chosen_by_forks);
        match resolve_in(request, scope, preferences, shared, tx.clone()).await {
            Ok(Outcome::Solved(done)) => {
                tracing::debug!("fork `{}` solved", fork.marker.to_tree_within(root));
                for package in &done.resolution.packages {
                    let versions = chosen_by_forks.entry(package.name.clone()).or_default();
                    if !versions.contains(&package.version) {
                        versions.push(package.version.clone());
                    }
                }
                solved.push((done.resolution, done.reach, done.by_class));
            }
            Ok(Outcome::Split { regions, chosen }) => {
                tracing::debug!(
                    "fork `{}` splits into {}",
                    fork.marker.to_tree_within(root),
                    regions
                        .iter()
                        .map(|r| format!("`{}`", r.to_tree_within(root)))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let mut inherited = inherited;
                inherited.extend(chosen);
                for region in regions {
                    if let Some(part) = Fork::new(region, &rules) {
                        stack.push((part, inherited.clone()));
                    }
                }
            }
            Err(ResolveError::NoSolution(no_solution)) if fork.marker != root => {
                return Err(ResolveError::NoSolution(NoSolution {
                    report: format!(
                        "For {}:\n{}",
                        fork.marker.to_tree_within(root),
                        no_solution.report
                    ),
                    hints: no_solution.hints,
                }));
            }
            Err(err) => return Err(err),
        }
    }
    Ok(merge(solved, root))
}

/// The versions a fork tries first: the user's (an existing output file),
/// what its parent had chosen, then what earlier forks chose, newest first.
fn preferences_for(
    user: &FxHashMap<PackageName, Vec<Version>>,
    inherited: &[(PackageName, Version)],
    chosen_by_forks: &FxHashMap<PackageName, Vec<Version>>,
) -> FxHashMap<PackageName, Vec<Version>> {
    let mut preferences = user.clone();
    for (name, version) in inherited {
        preferences
            .entry(name.clone())
            .or_default()
            .push(version.clone());
    }
    for (name, versions) in chosen_by_forks {
        let mut versions = versions.clone();
        versions.sort_by(|a, b| b.cmp(a));
        preferences
            .entry(name.clone())
            .or_default()
            .extend(versions);
    }
    preferences
}

/// One resolution from the forks' (see the module docs).
fn merge(solved: Vec<Solved>, root: MarkerSet) -> Resolution {
    type Merged = (ResolvedPackage, MarkerSet, Vec<MarkerSet>);
    let mut merged: BTreeMap<(PackageName, Version), Merged> = BTreeMap::new();
    let mut warnings = std::collections::BTreeSet::new();
    for (resolution, reach, by_class) in solved {
        warnings.extend(resolution.warnings);
        for package in resolution.packages {
            let marker = reach
                .get(&package.name)
                .copied()
                .unwrap_or(MarkerSet::FALSE);
            let classes: Vec<MarkerSet> = by_class
                .iter()
                .map(|reach| {
                    reach
                        .get(&package.name)
                        .copied()
                        .unwrap_or(MarkerSet::FALSE)
                })
                .collect();
            let key = (package.name.clone(), package.version.clone());
            match merged.get_mut(&key) {
                Some((existing, existing_marker, existing_classes)) => {
                    *existing_marker = existing_marker.or(marker);
                    for (old, new) in existing_classes.iter_mut().zip(classes) {
                        *old = old.or(new);
                    }
                    union_into(&mut existing.extras, package.extras);
                    union_into(&mut existing.via, package.via);
                }
                None => {
                    merged.insert(key, (package, marker, classes));
                }
            }
        }
    }
    let packages = merged
        .into_values()
        .filter(|(_, marker, _)| !marker.and(root).is_disjoint(MarkerSet::TRUE))
        .map(|(mut package, marker, classes)| {
            package.by_class = classes
                .into_iter()
                .map(|class| {
                    if class.and(root).is_disjoint(MarkerSet::TRUE) {
                        return ClassReach::Never;
                    }
                    let tree = class.to_tree_within(root);
                    if tree.is_true() {
                        ClassReach::Everywhere
                    } else {
                        ClassReach::Under(tree)
                    }
                })
                .collect();
            let here = marker.and(root);
            let best = package.best_file().map(|f| f.filename.clone());
            package.files.retain(|file| match &file.kind {
                DistKind::Sdist => true,
                DistKind::Wheel(tags) => !MarkerSet::from_wheel_tags(tags).is_disjoint(here),
            });
            package.best_file =
                best.and_then(|b| package.files.iter().position(|f| f.filename == b));
            let tree = marker.to_tree_within(root);
            package.marker = (!tree.is_true()).then_some(tree);
            package
        })
        .collect();
    Resolution {
        packages,
        warnings: warnings.into_iter().collect(),
    }
}

fn union_into<T: Ord>(into: &mut Vec<T>, more: Vec<T>) {
    let mut set: std::collections::BTreeSet<T> = std::mem::take(into).into_iter().collect();
    set.extend(more);
    *into = set.into_iter().collect();
}
