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
//!   of the next [`BATCH_SIZE`] candidates is fetched ahead, all at once.
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

use posy_vocab::{
    ExtraName, MarkerEnvironment, MarkerTree, PackageName, Requirement, Tags, Version,
};
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
use crate::target::Target;
use crate::unusable::Unusable;
use crate::version_map::{PackageIndex, Status, VersionMap};

/// Candidates whose metadata is fetched ahead once a package has been tried
/// [`BATCH_AFTER`] times: the search is backtracking through its versions.
const BATCH_SIZE: usize = 50;
const BATCH_AFTER: u32 = 5;

/// Why the solver stopped without an answer or a conflict.
#[derive(Debug)]
pub(crate) enum SolveError {
    Cancelled,
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
            Self::Cancelled => None,
            Self::Provider { source, .. } => Some(source.as_ref()),
        }
    }
}

impl From<Cancelled> for SolveError {
    fn from(_: Cancelled) -> Self {
        Self::Cancelled
    }
}

type Edges = Vec<(Node, Ranges<Version>)>;

#[derive(Default)]
struct SolverState {
    priorities: Priorities,
    /// Version maps for this target, built from the shared raw listings.
    indexes: FxHashMap<PackageName, Arc<PackageIndex>>,
    /// How often a version was chosen for each package.
    tries: FxHashMap<PackageName, u32>,
    /// The version last chosen for each package, offered to its extras.
    chosen: FxHashMap<PackageName, Version>,
    /// The dependency edges of every version PubGrub looked at.
    edges: FxHashMap<(Node, Version), Vec<Node>>,
    /// Extras asked for that a package does not declare.
    missing_extras: Vec<(PackageName, Version, ExtraName)>,
}

pub(crate) struct Solver {
    fetcher: Fetcher,
    selector: Arc<CandidateSelector>,
    markers: MarkerEnvironment,
    tags: Tags,
    python: Version,
    root: Vec<Requirement>,
    overrides: FxHashMap<PackageName, Vec<Requirement>>,
    constraints: FxHashMap<PackageName, Ranges<Version>>,
    state: RefCell<SolverState>,
}

/// The version of the root node (it has only one).
pub(crate) fn root_version() -> Version {
    Version::new([0])
}

impl Solver {
    /// A solver for `request` on `target` (in universal mode, one of the
    /// request's environments).
    pub(crate) fn new(
        fetcher: Fetcher,
        selector: Arc<CandidateSelector>,
        target: &Target,
        request: &ResolveRequest,
    ) -> Self {
        let markers = target.markers.clone();
        let (overrides, constraints) = (&request.overrides, &request.constraints);
        let mut by_name: FxHashMap<PackageName, Vec<Requirement>> = FxHashMap::default();
        for o in overrides {
            by_name.entry(o.name.clone()).or_default().push(o.clone());
        }
        let mut narrowed: FxHashMap<PackageName, Ranges<Version>> = FxHashMap::default();
        for c in constraints
            .iter()
            .filter(|c| c.marker.evaluate(&markers, &[]))
        {
            let range = requirement_ranges(c);
            narrowed
                .entry(c.name.clone())
                .and_modify(|r| *r = r.intersection(&range))
                .or_insert(range);
        }
        Self {
            fetcher,
            selector,
            markers,
            tags: target.tags.clone(),
            python: target.python_version.clone(),
            root: request.requirements.clone(),
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
        &self.python
    }

    /// The recorded dependency edges of `node` at `version`.
    pub(crate) fn edges_of(&self, node: &Node, version: &Version) -> Vec<Node> {
        self.state
            .borrow()
            .edges
            .get(&(node.clone(), version.clone()))
            .cloned()
            .unwrap_or_default()
    }

    /// For each of the Brief's requirements that applies on the target (by
    /// index), the packages it brings in: its own, or its overrides'.
    pub(crate) fn requirement_sources(&self) -> Vec<(usize, PackageName)> {
        let mut sources = Vec::new();
        for (index, requirement) in self.root.iter().enumerate() {
            if !self.selects(&requirement.marker, None) {
                continue;
            }
            match self.overrides.get(&requirement.name) {
                Some(overrides) => sources.extend(
                    overrides
                        .iter()
                        .filter(|o| o.marker.evaluate(&self.markers, &[]))
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
    /// fetches the metadata of the next candidates ahead of time.
    fn batch_prefetch(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        map: &VersionMap,
        chosen: &Version,
    ) {
        let tries = {
            let mut state = self.state.borrow_mut();
            let tries = state.tries.entry(name.clone()).or_default();
            *tries += 1;
            *tries
        };
        if tries != BATCH_AFTER && tries % (BATCH_AFTER * 10) != 0 {
            return;
        }
        let rest = range.intersection(&Ranges::singleton(chosen.clone()).complement());
        let mut picked = 0;
        let mut remaining = rest;
        while picked < BATCH_SIZE {
            let Some(entry) = self.selector.select(name, &remaining, map, None) else {
                break;
            };
            if let Status::Usable { best } = entry.status {
                self.fetcher
                    .prefetch_metadata(name, &entry.version, map.file(best));
            }
            remaining =
                remaining.intersection(&Ranges::singleton(entry.version.clone()).complement());
            picked += 1;
        }
    }

    /// The versions of `name` on this target, fetching them if needed.
    fn index(&self, name: &PackageName) -> Result<Arc<PackageIndex>, SolveError> {
        if let Some(index) = self.known_index(name) {
            return Ok(index);
        }
        let versions = self.fetcher.versions(name)?;
        let index = match versions.as_ref() {
            Ok(Some(files)) => PackageIndex {
                map: VersionMap::new(files, &self.tags, &self.python),
                not_found: false,
            },
            Ok(None) => PackageIndex {
                map: VersionMap::default(),
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

    /// Whether a marker selects a requirement for the node being expanded:
    /// the base package (`extra` is `None`) or one of its extras.
    fn selects(&self, marker: &MarkerTree, extra: Option<&ExtraName>) -> bool {
        match extra {
            None => marker.evaluate(&self.markers, &[]),
            Some(extra) => {
                marker.evaluate(&self.markers, std::slice::from_ref(extra))
                    && !marker.evaluate(&self.markers, &[])
            }
        }
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
            if !self.selects(&requirement.marker, extra) {
                continue;
            }
            match self.overrides.get(&requirement.name) {
                Some(overrides) => {
                    for o in overrides
                        .iter()
                        .filter(|o| o.marker.evaluate(&self.markers, active))
                    {
                        self.add_edge(o, edges)?;
                    }
                }
                None => self.add_edge(requirement, edges)?,
            }
        }
        Ok(())
    }

    fn add_edge(&self, requirement: &Requirement, edges: &mut Edges) -> Result<(), Unusable> {
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
        );
        for extra in &requirement.extras {
            push_edge(
                edges,
                Node::Extra(requirement.name.clone(), extra.clone()),
                range.clone(),
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
            Status::RequiresPython(specifiers) => match extra {
                Some(_) => Ok(Ok(base_only())),
                None => Ok(Ok(vec![(Node::Python, specifiers.to_ranges())])),
            },
            Status::Usable { best } => {
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
                    edges.push((Node::Python, requires_python.to_ranges()));
                }
            }
            Some(extra) => {
                edges.push((
                    Node::Package(name.clone()),
                    Ranges::singleton(version.clone()),
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
        let exact_base = (own.clone(), Ranges::singleton(version.clone()));
        edges.retain(|edge| {
            edge.0 != this && (edge.0 != own || extra.is_none_or(|_| *edge == exact_base))
        });
        Ok(edges)
    }
}

/// Adds an edge. Two requirements on one package stay two edges (PubGrub
/// needs both to hold either way), so a report can name each.
fn push_edge(edges: &mut Edges, node: Node, range: Ranges<Version>) {
    if !edges.contains(&(node.clone(), range.clone())) {
        edges.push((node, range));
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
            Node::Python => Ok(range.contains(&self.python).then(|| self.python.clone())),
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
                if matches!(node, Node::Package(_)) {
                    self.state
                        .borrow_mut()
                        .chosen
                        .insert(name.clone(), entry.version.clone());
                    self.batch_prefetch(name, range, map, &entry.version);
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
        for (dependency, range) in &edges {
            let new = self.state.borrow_mut().priorities.insert(dependency, range);
            if let (true, Some(name)) = (new, dependency.name()) {
                self.fetcher.prefetch(name, range);
            }
        }
        self.state.borrow_mut().edges.insert(
            (node.clone(), version.clone()),
            edges.iter().map(|(n, _)| n.clone()).collect(),
        );
        Ok(Dependencies::Available(edges.into_iter().collect()))
    }

    fn should_cancel(&self) -> Result<(), SolveError> {
        if self.fetcher.is_cancelled() {
            Err(SolveError::Cancelled)
        } else {
            Ok(())
        }
    }
}
