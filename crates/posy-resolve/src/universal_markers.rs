//! Markers of a universal resolution's pins, derived from the requirements
//! that bring each package in.
//!
//! The merge of the forks (see `universal.rs`) knows only in which listed
//! environments a pin was chosen, so its markers speak of `python_version`
//! and `sys_platform` alone. That is exact on the listed environments but
//! says nothing true of others: `cffi` is needed by trio only
//! `os_name == 'nt' or platform_python_implementation != 'PyPy'`, and on
//! PyPy a lock that says "always" installs it for nothing. This pass
//! computes, for every package, the condition under which some chain of
//! requirements from the Brief reaches it: the `or` over every requirement
//! naming it of (the condition of the package that requires it `and` that
//! requirement's marker), with `extra` comparisons decided by which extra
//! of the requiring package is in play. It is a fixed point over the
//! dependency graph (which may have cycles), each marker kept simplified.
//!
//! The derived marker replaces the environment marker where the two agree
//! on every listed environment (the common case: a pin's presence is
//! explained by its requirements); where they do not (a package with
//! different versions for different Pythons), the pin gets both, `and`ed.

use std::collections::{BTreeMap, VecDeque};

use posy_vocab::{ExtraName, MarkerTree, PackageName, Requirement, Version, VersionOrUrl};
use rustc_hash::FxHashMap;

use crate::fetcher::Shared;
use crate::request::ResolveRequest;
use crate::resolution::Resolution;
use crate::target::Target;

/// A package (`None`) or one of its extras.
type Key = (PackageName, Option<ExtraName>);

/// After this many updates the graph is taken not to settle (markers that
/// keep growing), and the environment markers stay as they are.
const MAX_UPDATES: usize = 100_000;

/// Rewrites the markers of `resolution`'s pins (see the module docs).
pub(crate) fn refine(
    resolution: &mut Resolution,
    request: &ResolveRequest,
    shared: &Shared,
    environments: &[Target],
) {
    let mut versions: BTreeMap<PackageName, Vec<(Version, MarkerTree)>> = BTreeMap::new();
    for package in &resolution.packages {
        versions.entry(package.name.clone()).or_default().push((
            package.version.clone(),
            package.marker.clone().unwrap_or(MarkerTree::TRUE),
        ));
    }
    let Some((_, per_version)) = reach(request, shared, &versions) else {
        tracing::debug!("universal markers did not settle; keeping the environment markers");
        return;
    };
    // A package with several versions: each version's own marker where it
    // says exactly where that version was chosen. Its requirements then
    // apply under that marker, so a second pass carries it downwards.
    for (name, list) in versions.iter_mut().filter(|(_, list)| list.len() > 1) {
        for (version, environment) in list.iter_mut() {
            if let Some(derived) = per_version.get(&(name.clone(), version.clone()))
                && !derived.is_false()
                && environments.iter().all(|env| {
                    derived.evaluate(&env.markers, &[]) == environment.evaluate(&env.markers, &[])
                })
            {
                *environment = derived.clone();
            }
        }
    }
    let Some((reached, per_version)) = reach(request, shared, &versions) else {
        return;
    };
    for package in &mut resolution.packages {
        let several = versions.get(&package.name).is_some_and(|v| v.len() > 1);
        // With several versions, a version's requirements are those whose
        // specifiers admit it: where requirements diverge by marker, that
        // alone tells the versions apart.
        let derived = if several {
            per_version.get(&(package.name.clone(), package.version.clone()))
        } else {
            reached.get(&(package.name.clone(), None))
        }
        .cloned()
        .unwrap_or(MarkerTree::FALSE);
        if derived.is_false() {
            // Not reached by any requirement we can see (metadata missing):
            // the environment marker is all we know.
            continue;
        }
        let environment = package.marker.clone().unwrap_or(MarkerTree::TRUE);
        let agree = environments.iter().all(|env| {
            derived.evaluate(&env.markers, &[]) == environment.evaluate(&env.markers, &[])
        });
        let marker = if agree {
            derived
        } else {
            derived.and(environment).simplify()
        };
        package.marker = (!marker.is_true()).then_some(marker);
    }
}

/// What [`reach`] finds: the condition of each package and extra, and of
/// each pinned version (from the requirements whose specifiers admit it).
type Reached = (
    FxHashMap<Key, MarkerTree>,
    FxHashMap<(PackageName, Version), MarkerTree>,
);

/// The condition under which each package and extra is reached, or `None`
/// if the fixed point is not reached within [`MAX_UPDATES`].
fn reach(
    request: &ResolveRequest,
    shared: &Shared,
    versions: &BTreeMap<PackageName, Vec<(Version, MarkerTree)>>,
) -> Option<Reached> {
    let overrides = overrides_by_name(request);
    let mut reached: FxHashMap<Key, MarkerTree> = FxHashMap::default();
    let mut queue: VecDeque<Key> = VecDeque::new();
    let mut updates = 0;
    let contribute = |reached: &mut FxHashMap<Key, MarkerTree>,
                      queue: &mut VecDeque<Key>,
                      requirement: &Requirement,
                      condition: &MarkerTree| {
        for requirement in replaced(requirement, &overrides) {
            let condition = condition.clone().and(requirement.marker.clone()).simplify();
            if condition.is_false() || !versions.contains_key(&requirement.name) {
                continue;
            }
            let keys = std::iter::once(None)
                .chain(requirement.extras.iter().cloned().map(Some))
                .map(|extra| (requirement.name.clone(), extra));
            for key in keys {
                let old = reached.get(&key).cloned().unwrap_or(MarkerTree::FALSE);
                let new = old.clone().or(condition.clone()).simplify();
                if new != old {
                    reached.insert(key.clone(), new);
                    queue.push_back(key);
                }
            }
        }
    };
    for requirement in roots(request) {
        contribute(&mut reached, &mut queue, &requirement, &MarkerTree::TRUE);
    }
    while let Some(key) = queue.pop_front() {
        updates += 1;
        if updates > MAX_UPDATES {
            return None;
        }
        let condition = reached.get(&key).cloned().unwrap_or(MarkerTree::FALSE);
        for (dependency, here) in stated_by(&key, &condition, shared, versions) {
            contribute(&mut reached, &mut queue, &dependency, &here);
        }
    }
    // With every condition settled, each requirement's condition goes to
    // the pinned versions its specifiers admit.
    let mut per_version: FxHashMap<(PackageName, Version), MarkerTree> = FxHashMap::default();
    let mut admit = |requirement: &Requirement, condition: &MarkerTree| {
        for requirement in replaced(requirement, &overrides) {
            let condition = condition.clone().and(requirement.marker.clone()).simplify();
            if condition.is_false() {
                continue;
            }
            for (version, _) in versions.get(&requirement.name).into_iter().flatten() {
                if !admits(&requirement, version) {
                    continue;
                }
                let slot = per_version
                    .entry((requirement.name.clone(), version.clone()))
                    .or_insert(MarkerTree::FALSE);
                *slot = slot.clone().or(condition.clone()).simplify();
            }
        }
    };
    for requirement in roots(request) {
        admit(&requirement, &MarkerTree::TRUE);
    }
    for (key, condition) in &reached {
        for (dependency, here) in stated_by(key, condition, shared, versions) {
            admit(&dependency, &here);
        }
    }
    Some((reached, per_version))
}

/// The Brief's requirements; extras in a root requirement's marker make no
/// sense, so their comparisons are decided as false.
fn roots(request: &ResolveRequest) -> impl Iterator<Item = Requirement> + '_ {
    request.requirements.iter().map(|requirement| {
        let mut requirement = requirement.clone();
        requirement.marker = requirement.marker.simplify_extras(&[]);
        requirement
    })
}

/// What `key` (a package or one of its extras), reached under `condition`,
/// requires: each requirement of each of its pinned versions, with the
/// condition it applies under. Where a package has one version, its
/// requirements apply wherever it is reached; where it has several, each
/// version's only where that version is chosen.
fn stated_by(
    key: &Key,
    condition: &MarkerTree,
    shared: &Shared,
    versions: &BTreeMap<PackageName, Vec<(Version, MarkerTree)>>,
) -> Vec<(Requirement, MarkerTree)> {
    let (name, extra) = key;
    let active: Vec<ExtraName> = extra.iter().cloned().collect();
    let pinned = versions.get(name).map(Vec::as_slice).unwrap_or_default();
    let mut out = Vec::new();
    for (version, environment) in pinned {
        let Some(metadata) = shared.metadata.get(&(name.clone(), version.clone())) else {
            continue;
        };
        let Ok(metadata) = metadata.as_ref() else {
            continue;
        };
        let here = if pinned.len() > 1 {
            condition.clone().and(environment.clone()).simplify()
        } else {
            condition.clone()
        };
        out.extend(
            edges(&metadata.requires_dist, extra.as_ref(), &active)
                .into_iter()
                .map(|dependency| (dependency, here.clone())),
        );
    }
    out
}

/// The requirements a package (`extra` `None`) or one of its extras brings
/// in, with the `extra` comparisons of their markers decided. The base
/// package brings in what needs no extra; an extra only what depends on it.
fn edges(
    requires_dist: &[Requirement],
    extra: Option<&ExtraName>,
    active: &[ExtraName],
) -> Vec<Requirement> {
    requires_dist
        .iter()
        .filter_map(|dependency| {
            let without = dependency.marker.simplify_extras(&[]);
            let with = dependency.marker.simplify_extras(active);
            if with.is_false() || (extra.is_some() && with == without) {
                return None;
            }
            let mut dependency = dependency.clone();
            dependency.marker = with;
            Some(dependency)
        })
        .collect()
}

/// Whether `requirement`'s version specifiers admit `version` (a direct
/// reference, or no specifier, admits any).
pub(crate) fn admits(requirement: &Requirement, version: &Version) -> bool {
    match &requirement.version_or_url {
        Some(VersionOrUrl::Specifiers(specifiers)) => specifiers.contains(version),
        _ => true,
    }
}

fn overrides_by_name(request: &ResolveRequest) -> FxHashMap<PackageName, Vec<Requirement>> {
    let mut map: FxHashMap<PackageName, Vec<Requirement>> = FxHashMap::default();
    for o in &request.overrides {
        map.entry(o.name.clone()).or_default().push(o.clone());
    }
    map
}

/// A requirement as the solver sees it: replaced by its overrides, if any
/// (each keeping the original's marker `and` its own).
fn replaced(
    requirement: &Requirement,
    overrides: &FxHashMap<PackageName, Vec<Requirement>>,
) -> Vec<Requirement> {
    match overrides.get(&requirement.name) {
        None => vec![requirement.clone()],
        Some(list) => list
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.marker = requirement.marker.clone().and(o.marker.clone());
                o
            })
            .collect(),
    }
}
