//! The solver side: PubGrub's [`DependencyProvider`] over [`Node`]s.
//!
//! This runs on the solver thread (see `fetcher.rs`) and answers PubGrub's
//! three questions:
//!
//! - **prioritize**: which undecided package to decide next (see
//!   `priority.rs`).
//! - **choose_version**: the [`CandidateSelector`]'s pick, after waiting
//!   for the package's version list. When the solver keeps coming back to
//!   one package (it is backtracking through its versions), the metadata
//!   of the next [`BATCH_SIZE`] versions past the one chosen (below it,
//!   newest first) is fetched ahead, all at once, and again each time the
//!   search gets halfway through them. The window is taken over all of the
//!   package's versions, not the range allowed now: while the solver walks
//!   down one package, another's range moves with it (each boto3 allows a
//!   few botocores), and a window inside today's range is empty tomorrow.
//! - **get_dependencies**: for the root, the Brief; for a version, its
//!   metadata's `Requires-Python` (an edge to the Python node) and the
//!   `Requires-Dist` entries whose markers hold on the target, after
//!   overrides replace and constraints narrow them. For an extra node, the
//!   edge to its base at the same version plus the requirements the extra
//!   switches on (those whose marker holds with the extra and not without
//!   it). A version that cannot be used at all (yanked, no compatible file,
//!   sdist that cannot be built) is "unavailable" with an [`Unusable`]
//!   reason, which PubGrub keeps for the report.
//!
//! As soon as a version's dependencies are known, each newly seen package is
//! handed to the fetcher for prefetching. The edges are also kept, to
//! answer "why is this package here?" (`# via`) in the [`Resolution`].
//!
//! [`Resolution`]: crate::Resolution

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use posy_vocab::{ExtraName, MarkerSet, PackageName, Requirement, Version};
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::candidate::CandidateSelector;
use crate::fetcher::{Cancelled, Fetcher};
use crate::node::Node;
use crate::priority::{Priorities, Priority};
use crate::provider::{DistMetadata, ProviderError};
use crate::request::ResolveRequest;
use crate::requested::requirement_ranges;
use crate::scope::Scope;
use crate::unusable::Unusable;
use crate::version_map::{Compatibility, PackageIndex, Status, VersionMap};

/// Candidates whose metadata is fetched ahead once a package has been tried
/// [`BATCH_AFTER`] times: the search is backtracking through its versions.
const BATCH_SIZE: usize = 50;
const BATCH_AFTER: u32 = 5;

/// Why the solver stopped without an answer or a conflict.
#[derive(Debug)]
pub(crate) enum SolveError {
    Cancelled,
    /// A universal fork must split into these (see `scope.rs`); `chosen`
    /// is what it had decided so far, for the new forks to prefer.
    Fork {
        regions: Vec<MarkerSet>,
        chosen: Vec<(PackageName, Version)>,
    },
    Provider {
        name: PackageName,
        version: Option<Version>,
        source: Arc<ProviderError>,
    },
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("the resolution was cancelled"),
            Self::Fork { .. } => f.write_str("the resolution forks"),
            Self::Provider {
                name,
                version: None,
                ..
            } => write!(f, "could not get the versions of {name}"),
            Self::Provider {
                name,
                version: Some(version),
                ..
            } => write!(f, "could not get the metadata of {name}=={version}"),
        }
    }
}

impl std::error::Error for SolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Cancelled | Self::Fork { .. } => None,
            Self::Provider { source, .. } => Some(source.as_ref()),
        }
    }
}

impl From<Cancelled> for SolveError {
    fn from(_: Cancelled) -> Self {
        Self::Cancelled
    }
}

/// Dependency edges, each with the marker of the requirement it comes
/// from (`TRUE` for a target; the environments it applies in, for a fork).
type Edges = Vec<(Node, Ranges<Version>, MarkerSet)>;

#[derive(Default)]
struct SolverState {
    priorities: Priorities,
    /// Version maps for this target, built from the shared raw listings.
    indexes: FxHashMap<PackageName, Arc<PackageIndex>>,
    /// How often a version was chosen for each package.
    tries: FxHashMap<PackageName, u32>,
    /// Per package, the last prefetch window: (the version whose choice
    /// starts the next window, the window's last version).
    windows: FxHashMap<PackageName, (Version, Version)>,
    /// The version last chosen for each package, offered to its extras.
    chosen: FxHashMap<PackageName, Version>,
    /// The dependency edges of every version PubGrub looked at, with
    /// their markers.
    edges: FxHashMap<(Node, Version), Vec<(Node, MarkerSet)>>,
    /// Extras asked for that a package does not declare.
    missing_extras: Vec<(PackageName, Version, ExtraName)>,
    /// A fork split found while reading a version's metadata.
    python_split: Option<Vec<MarkerSet>>,
}

pub(crate) struct Solver {
    fetcher: Fetcher,
    selector: Arc<CandidateSelector>,
    scope: Scope,
    /// Record the requirements' markers on the edges of a target's solve.
    keep_markers: bool,
    root: Vec<Requirement>,
    /// The class of each of `root` (see `Universe::root_classes`).
    root_classes: Vec<u16>,
    overrides: FxHashMap<PackageName, Vec<Requirement>>,
    constraints: FxHashMap<PackageName, Ranges<Version>>,
    state: RefCell<SolverState>,
}

/// The version of the root node (it has only one).
pub(crate) fn root_version() -> Version {
    Version::new([0])
}

impl Solver {
    /// A solver for `request` in `scope`.
    pub(crate) fn new(
        fetcher: Fetcher,
        selector: Arc<CandidateSelector>,
        scope: Scope,
        request: &ResolveRequest,
    ) -> Self {
        let (overrides, constraints) = (&request.overrides, &request.constraints);
        let mut by_name: FxHashMap<PackageName, Vec<Requirement>> = FxHashMap::default();
        for o in overrides {
            by_name.entry(o.name.clone()).or_default().push(o.clone());
        }
        let mut narrowed: FxHashMap<PackageName, Ranges<Version>> = FxHashMap::default();
        for c in constraints.iter().filter(|c| scope.holds(&c.marker, &[])) {
            let range = requirement_ranges(c);
            narrowed
                .entry(c.name.clone())
                .and_modify(|r| *r = r.intersection(&range))
                .or_insert(range);
        }
        Self {
            fetcher,
            selector,
            keep_markers: request.keep_markers,
            scope,
            root: request.requirements.clone(),
            root_classes: request
                .universal
                .as_ref()
                .map(|u| u.root_classes.clone())
                .unwrap_or_default(),
            overrides: by_name,
            constraints: narrowed,
            state: RefCell::new(SolverState::default()),
        }
    }

    pub(crate) fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    pub(crate) fn selector(&self) -> &CandidateSelector {
        &self.selector
    }

    pub(crate) fn python(&self) -> &Version {
        self.scope.python()
    }

    /// What counts as an installable file in this solve.
    pub(crate) fn compatibility(&self) -> &Compatibility {
        self.fetcher.compatibility()
    }

    /// Where the solve's root holds, when markers are followed: the fork's
    /// environments, or (`keep_markers`) every environment.
    pub(crate) fn root_marker(&self) -> Option<MarkerSet> {
        match self.scope.fork() {
            Some(fork) => Some(fork.marker),
            None => self.keep_markers.then_some(MarkerSet::TRUE),
        }
    }

    /// The recorded dependency edges of `node` at `version`, with markers.
    /// The class of each root requirement, if the request gives them.
    pub(crate) fn root_classes(&self) -> Option<&[u16]> {
        (!self.root_classes.is_empty()).then_some(self.root_classes.as_slice())
    }

    /// The root's edges for the requirements of class `class` alone
    /// (`classes` gives each requirement's).
    pub(crate) fn class_edges(&self, class: u16, classes: &[u16]) -> Vec<(Node, MarkerSet)> {
        let mut edges = Vec::new();
        let ours = self
            .root
            .iter()
            .enumerate()
            .filter(|(i, _)| classes.get(*i) == Some(&class))
            .map(|(_, r)| r);
        // A requirement the root could not take leaves no edge here either.
        let _ = self.add_requirements(ours, None, &mut edges);
        edges.into_iter().map(|(n, _, m)| (n, m)).collect()
    }

    pub(crate) fn edges_of(&self, node: &Node, version: &Version) -> Vec<(Node, MarkerSet)> {
        self.state
            .borrow()
            .edges
            .get(&(node.clone(), version.clone()))
            .cloned()
            .unwrap_or_default()
    }

    /// What the solver has chosen so far (the last choice per package).
    pub(crate) fn chosen(&self) -> Vec<(PackageName, Version)> {
        let state = self.state.borrow();
        state
            .chosen
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect()
    }

    /// For each of the Brief's requirements that applies on the target (by
    /// index), the packages it brings in: its own, or its overrides'.
    pub(crate) fn requirement_sources(&self) -> Vec<(usize, PackageName)> {
        let mut sources = Vec::new();
        for (index, requirement) in self.root.iter().enumerate() {
            if self.scope.selects(&requirement.marker, None).is_none() {
                continue;
            }
            match self.overrides.get(&requirement.name) {
                Some(overrides) => sources.extend(
                    overrides
                        .iter()
                        .filter(|o| self.scope.holds(&o.marker, &[]))
                        .map(|o| (index, o.name.clone())),
                ),
                None => sources.push((index, requirement.name.clone())),
            }
        }
        sources
    }

    pub(crate) fn missing_extras(&self) -> Vec<(PackageName, Version, ExtraName)> {
        self.state.borrow().missing_extras.clone()
    }

    /// Counts a choice for `name`; when the solver keeps coming back to it,
    /// keeps the metadata of the next candidates coming ahead of time.
    fn batch_prefetch(&self, name: &PackageName, map: &VersionMap, chosen: &Version) {
        let highest_first = self.selector.highest_first(name);
        // Whether `a` comes at or after `b` in the search order.
        let past = |a: &Version, b: &Version| if highest_first { a <= b } else { a >= b };
        let start = {
            let mut state = self.state.borrow_mut();
            let tries = state.tries.entry(name.clone()).or_default();
            *tries += 1;
            if *tries < BATCH_AFTER {
                return;
            }
            match state.windows.get(name) {
                None => chosen.clone(),
                Some((next, last)) if past(chosen, next) => {
                    if past(chosen, last) { chosen } else { last }.clone()
                }
                Some(_) => return,
            }
        };
        let mut remaining = if highest_first {
            Ranges::strictly_lower_than(start.clone())
        } else {
            Ranges::strictly_higher_than(start.clone())
        };
        let mut picked = Vec::with_capacity(BATCH_SIZE);
        while picked.len() < BATCH_SIZE {
            let Some(entry) = self.selector.select(name, &remaining, map, None) else {
                break;
            };
            if let Status::Usable { best } = entry.status {
                self.fetcher
                    .prefetch_following(name, &entry.version, map.file(best));
            }
            remaining =
                remaining.intersection(&Ranges::singleton(entry.version.clone()).complement());
            picked.push(entry.version.clone());
        }
        let window = match (picked.get(BATCH_SIZE / 2), picked.last()) {
            (Some(next), Some(last)) => (next.clone(), last.clone()),
            (None, Some(last)) => (last.clone(), last.clone()),
            _ => (start.clone(), start),
        };
        self.state.borrow_mut().windows.insert(name.clone(), window);
    }

    /// The versions of `name` on this target, fetching them if needed.
    fn index(&self, name: &PackageName) -> Result<Arc<PackageIndex>, SolveError> {
        if let Some(index) = self.known_index(name) {
            return Ok(index);
        }
        let versions = self.fetcher.versions(name)?;
        let index = match versions.as_ref() {
            Ok(Some(files)) => PackageIndex {
                map: self.fetcher.version_map(name, files),
                not_found: false,
            },
            Ok(None) => PackageIndex {
                map: Arc::default(),
                not_found: true,
            },
            Err(source) => {
                return Err(SolveError::Provider {
                    name: name.clone(),
                    version: None,
                    source: Arc::clone(source),
                });
            }
        };
        let index = Arc::new(index);
        self.state
            .borrow_mut()
            .indexes
            .insert(name.clone(), Arc::clone(&index));
        Ok(index)
    }

    /// The versions of `name` on this target, if the solver has seen them.
    pub(crate) fn known_index(&self, name: &PackageName) -> Option<Arc<PackageIndex>> {
        self.state.borrow().indexes.get(name).cloned()
    }

    /// Adds the edges for `requirements` as seen by the base package or by
    /// one of its extras, with overrides and constraints applied.
    fn add_requirements<'r>(
        &self,
        requirements: impl IntoIterator<Item = &'r Requirement>,
        extra: Option<&ExtraName>,
        edges: &mut Edges,
    ) -> Result<(), Unusable> {
        let active: &[ExtraName] = extra.map_or(&[], std::slice::from_ref);
        for requirement in requirements {
            let Some(mut marker) = self.scope.selects(&requirement.marker, extra) else {
                continue;
            };
            if self.keep_markers && self.scope.fork().is_none() {
                marker = crate::scope::set_of(&requirement.marker, active);
            }
            match self.overrides.get(&requirement.name) {
                Some(overrides) => {
                    for o in overrides
                        .iter()
                        .filter(|o| self.scope.holds(&o.marker, active))
                    {
                        self.add_edge(o, marker, edges)?;
                    }
                }
                None => self.add_edge(requirement, marker, edges)?,
            }
        }
        Ok(())
    }

    fn add_edge(
        &self,
        requirement: &Requirement,
        marker: MarkerSet,
        edges: &mut Edges,
    ) -> Result<(), Unusable> {
        if requirement.url().is_some() {
            return Err(Unusable::DirectUrl(requirement.to_string()));
        }
        let mut range = requirement_ranges(requirement);
        if let Some(constraint) = self.constraints.get(&requirement.name) {
            range = range.intersection(constraint);
        }
        push_edge(
            edges,
            Node::Package(requirement.name.clone()),
            range.clone(),
            marker,
        );
        for extra in &requirement.extras {
            push_edge(
                edges,
                Node::Extra(requirement.name.clone(), extra.clone()),
                range.clone(),
                marker,
            );
        }
        Ok(())
    }

    fn version_edges(
        &self,
        node: &Node,
        name: &PackageName,
        version: &Version,
    ) -> Result<Result<Edges, Unusable>, SolveError> {
        let extra = match node {
            Node::Extra(_, extra) => Some(extra),
            _ => None,
        };
        let base_only = || {
            vec![(
                Node::Package(name.clone()),
                Ranges::singleton(version.clone()),
                MarkerSet::TRUE,
            )]
        };
        let index = self.index(name)?;
        let Some(entry) = index.map.get(version) else {
            return Ok(Err(Unusable::InvalidMetadata(format!(
                "the index does not list {name} {version}"
            ))));
        };
        // An extra node never fails on its own: it follows its base, which
        // carries the reason.
        let fail = |reason: Unusable| match extra {
            Some(_) => Ok(Ok(base_only())),
            None => Ok(Err(reason)),
        };
        match entry.effective_status(self.selector.allows_yanked(name, version)) {
            Status::Yanked { reason, .. } => fail(Unusable::Yanked(reason.clone())),
            Status::NoCompatibleFile => fail(Unusable::NoCompatibleFile),
            Status::Excluded {
                exclusion,
                other_files,
            } => fail(Unusable::Excluded {
                exclusion: *exclusion,
                other_files: *other_files,
            }),
            Status::RequiresPython(specifiers) => match extra {
                Some(_) => Ok(Ok(base_only())),
                None => Ok(Ok(vec![(
                    Node::Python,
                    self.scope.python_ranges(specifiers),
                    MarkerSet::TRUE,
                )])),
            },
            Status::Usable { best } => {
                if let Some((required, reason)) = self.missing_environment(&index.map, entry) {
                    // As uv: the rest of the fork may still use this
                    // version; only the required environment looks further.
                    if let Some(fork) = self.scope.fork() {
                        let outside = fork.marker.and(required.negate());
                        if !outside.is_disjoint(MarkerSet::TRUE) {
                            return Err(self.fork_error(vec![outside, fork.marker.and(required)]));
                        }
                    }
                    return fail(reason);
                }
                let file = index.map.file(*best);
                let metadata = self.fetcher.metadata(name, version, file)?;
                match metadata.as_ref() {
                    Ok(metadata) => Ok(self.metadata_edges(name, version, extra, metadata)),
                    Err(err) if err.is_fact() => fail(Unusable::from_provider(err)),
                    Err(err) => Err(SolveError::Provider {
                        name: name.clone(),
                        version: Some(version.clone()),
                        source: Arc::clone(err),
                    }),
                }
            }
        }
    }

    fn metadata_edges(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
        metadata: &DistMetadata,
    ) -> Result<Edges, Unusable> {
        let mut edges = Vec::new();
        match extra {
            None => {
                if let Some(requires_python) = &metadata.requires_python {
                    if let Some(regions) = self.python_split(requires_python) {
                        self.state.borrow_mut().python_split = Some(regions);
                    }
                    edges.push((
                        Node::Python,
                        self.scope.python_ranges(requires_python),
                        MarkerSet::TRUE,
                    ));
                }
            }
            Some(extra) => {
                edges.push((
                    Node::Package(name.clone()),
                    Ranges::singleton(version.clone()),
                    MarkerSet::TRUE,
                ));
                let declared = metadata.provides_extra.contains(extra)
                    || metadata
                        .requires_dist
                        .iter()
                        .any(|r| r.marker.extras_referenced().contains(extra));
                if !declared {
                    self.state.borrow_mut().missing_extras.push((
                        name.clone(),
                        version.clone(),
                        extra.clone(),
                    ));
                }
            }
        }
        self.add_requirements(&metadata.requires_dist, extra, &mut edges)?;
        // A package may name itself (`a[all]` needing `a[x]`, or `a`): an
        // edge from a node to itself says nothing, and an extra's edge to its
        // base at the same version is already there.
        let own = Node::Package(name.clone());
        let this = match extra {
            Some(extra) => Node::Extra(name.clone(), extra.clone()),
            None => own.clone(),
        };
        let exact_base = Ranges::singleton(version.clone());
        edges.retain(|edge| {
            edge.0 != this && (edge.0 != own || extra.is_none_or(|_| edge.1 == exact_base))
        });
        Ok(edges)
    }

    /// In a fork with `required-environments`: the first required
    /// environment (that the fork reaches) where `entry` has no wheel and
    /// no sdist.
    fn missing_environment(
        &self,
        map: &VersionMap,
        entry: &crate::version_map::VersionEntry,
    ) -> Option<(MarkerSet, Unusable)> {
        let fork = self.scope.fork()?;
        let files = map.files(entry);
        fork.rules
            .required
            .iter()
            .filter(|(_, set)| !set.is_disjoint(fork.marker))
            .find(|(_, set)| {
                let here = set.and(fork.marker);
                !files.iter().any(|f| match &f.kind {
                    crate::provider::DistKind::Sdist => true,
                    crate::provider::DistKind::Wheel(tags) => {
                        !MarkerSet::from_wheel_tags(tags).is_disjoint(here)
                    }
                })
            })
            .map(|(marker, set)| (*set, Unusable::NoFileFor(marker.to_string())))
    }

    /// The regions a fork must split into before it can take the edges of
    /// one node (uv's rules, so that the pins agree with its): a package
    /// named by requirements with different markers splits the fork along
    /// each marker; a package named under one marker splits it only where
    /// that marker raises the lowest Python. Empty when nothing splits.
    /// The regions come in the order they are to be solved in, last first:
    /// by lowest Python, then by how many of the edges have upper bounds.
    fn fork_regions(&self, edges: &Edges) -> Vec<MarkerSet> {
        let Some(fork) = self.scope.fork() else {
            return Vec::new();
        };
        let mut by_name: std::collections::BTreeMap<&PackageName, Vec<MarkerSet>> =
            std::collections::BTreeMap::new();
        for (node, _, marker) in edges {
            if let Some(name) = node.name() {
                let markers = by_name.entry(name).or_default();
                markers.push(*marker);
            }
        }
        let mut regions = vec![fork.marker];
        let split = |regions: Vec<MarkerSet>, marker: MarkerSet| -> Vec<MarkerSet> {
            regions
                .into_iter()
                .flat_map(|region| {
                    let inside = region.and(marker);
                    let outside = region.and(marker.negate());
                    if inside.is_disjoint(MarkerSet::TRUE) || outside.is_disjoint(MarkerSet::TRUE) {
                        vec![region]
                    } else {
                        vec![outside, inside]
                    }
                })
                .collect()
        };
        for markers in by_name.values() {
            let first = markers[0];
            if markers.iter().all(|m| *m == first) {
                let raises = crate::scope::python_floor(first.and(fork.marker)) > fork.floor;
                if raises {
                    regions = split(regions, first);
                }
                continue;
            }
            for marker in markers {
                if !marker.is_true() {
                    regions = split(regions, *marker);
                }
            }
        }
        if regions.len() < 2 {
            return Vec::new();
        }
        let upper_bounded = |region: &MarkerSet| {
            edges
                .iter()
                .filter(|(node, range, marker)| {
                    node.name().is_some()
                        && !marker.is_disjoint(*region)
                        && range
                            .bounding_range()
                            .is_some_and(|(_, upper)| !matches!(upper, std::ops::Bound::Unbounded))
                })
                .count()
        };
        let mut keyed: Vec<(Version, usize, MarkerSet)> = regions
            .into_iter()
            .map(|r| (crate::scope::python_floor(r), upper_bounded(&r), r))
            .collect();
        fork.schedule(&mut keyed, |k| k.0.clone(), |k| k.1);
        keyed.into_iter().map(|(_, _, r)| r).collect()
    }

    /// In a fork, a version whose `Requires-Python` starts above the
    /// fork's lowest Python but inside its range splits the fork there
    /// (uv's `requires-python` fork strategy): the newer Pythons get this
    /// version, the older ones look further.
    fn python_split(&self, requires_python: &posy_vocab::SpecifierSet) -> Option<Vec<MarkerSet>> {
        let fork = self.scope.fork().filter(|f| !f.rules.fewest)?;
        let ranges = requires_python.to_ranges();
        let (lower, _) = ranges.bounding_range()?;
        let bound = match lower {
            std::ops::Bound::Included(v) | std::ops::Bound::Excluded(v) => v.clone(),
            std::ops::Bound::Unbounded => return None,
        };
        if bound <= fork.floor {
            return None;
        }
        let above = MarkerSet::python_in(&Ranges::higher_than(crate::scope::first_of(&bound)));
        let older = fork.marker.and(above.negate());
        let newer = fork.marker.and(above);
        if older.is_disjoint(MarkerSet::TRUE) || newer.is_disjoint(MarkerSet::TRUE) {
            return None;
        }
        let mut regions = vec![older, newer];
        fork.schedule(&mut regions, |r| crate::scope::python_floor(*r), |_| 0);
        Some(regions)
    }

    fn fork_error(&self, regions: Vec<MarkerSet>) -> SolveError {
        SolveError::Fork {
            regions,
            chosen: self.chosen(),
        }
    }
}

/// Adds an edge. Two requirements on one package stay two edges (PubGrub
/// needs both to hold either way), so a report can name each; the same
/// requirement under another marker widens the edge's marker.
fn push_edge(edges: &mut Edges, node: Node, range: Ranges<Version>, marker: MarkerSet) {
    match edges.iter_mut().find(|(n, r, _)| *n == node && *r == range) {
        Some(edge) if edge.2 != marker => edge.2 = edge.2.or(marker),
        Some(_) => {}
        None => edges.push((node, range, marker)),
    }
}

impl DependencyProvider for Solver {
    type P = Node;
    type V = Version;
    type VS = Ranges<Version>;
    type M = Unusable;
    type Priority = Priority;
    type Err = SolveError;

    fn prioritize(
        &self,
        node: &Node,
        _range: &Ranges<Version>,
        stats: &PackageResolutionStatistics,
    ) -> Priority {
        self.state
            .borrow_mut()
            .priorities
            .get(node, stats.conflict_count())
    }

    fn choose_version(
        &self,
        node: &Node,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, SolveError> {
        match node {
            Node::Root => Ok(Some(root_version()).filter(|v| range.contains(v))),
            Node::Python => {
                let python = self.scope.python();
                Ok(range.contains(python).then(|| python.clone()))
            }
            Node::Package(name) | Node::Extra(name, _) => {
                let index = self.index(name)?;
                let map = &index.map;
                let sibling = match node {
                    Node::Extra(..) => self.state.borrow().chosen.get(name).cloned(),
                    _ => None,
                };
                let Some(entry) = self.selector.select(name, range, map, sibling.as_ref()) else {
                    return Ok(None);
                };
                if let (Node::Package(_), Status::RequiresPython(requires_python)) = (
                    node,
                    entry.effective_status(self.selector.allows_yanked(name, &entry.version)),
                ) && let Some(regions) = self.python_split(requires_python)
                {
                    return Err(self.fork_error(regions));
                }
                if matches!(node, Node::Package(_)) {
                    self.state
                        .borrow_mut()
                        .chosen
                        .insert(name.clone(), entry.version.clone());
                    self.batch_prefetch(name, map, &entry.version);
                }
                Ok(Some(entry.version.clone()))
            }
        }
    }

    fn get_dependencies(
        &self,
        node: &Node,
        version: &Version,
    ) -> Result<Dependencies<Node, Ranges<Version>, Unusable>, SolveError> {
        let edges = match node {
            Node::Root => {
                let mut edges = Vec::new();
                match self.add_requirements(&self.root, None, &mut edges) {
                    Ok(()) => Ok(edges),
                    Err(reason) => Err(reason),
                }
            }
            Node::Python => Ok(Vec::new()),
            Node::Package(name) | Node::Extra(name, _) => {
                self.version_edges(node, name, version)?
            }
        };
        let edges = match edges {
            Ok(edges) => edges,
            Err(reason) => return Ok(Dependencies::Unavailable(reason)),
        };
        if self.scope.fork().is_some() {
            let regions = self.fork_regions(&edges);
            if !regions.is_empty() {
                return Err(self.fork_error(regions));
            }
            // A `Requires-Python` read from the metadata (not announced by
            // the index) splits the fork like one the index announced.
            let split = self.state.borrow_mut().python_split.take();
            if let Some(regions) = split {
                return Err(self.fork_error(regions));
            }
        }
        for (dependency, range, _) in &edges {
            let new = self.state.borrow_mut().priorities.insert(dependency, range);
            if let (true, Some(name)) = (new, dependency.name()) {
                self.fetcher.prefetch(name, range);
            }
        }
        self.state.borrow_mut().edges.insert(
            (node.clone(), version.clone()),
            edges.iter().map(|(n, _, m)| (n.clone(), *m)).collect(),
        );
        Ok(Dependencies::Available(
            edges.into_iter().map(|(n, r, _)| (n, r)).collect(),
        ))
    }

    fn should_cancel(&self) -> Result<(), SolveError> {
        if self.fetcher.is_cancelled() {
            Err(SolveError::Cancelled)
        } else {
            Ok(())
        }
    }
}
