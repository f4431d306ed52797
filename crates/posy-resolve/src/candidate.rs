//! Which version of a package to try next.
//!
//! Given the versions a package may still take (PubGrub's range for it),
//! the selector picks one, in this order:
//!
//! 1. A preferred version (a pin from an earlier output file, then, in a
//!    universal resolution, the versions other forks chose, newest first),
//!    when the package is not being upgraded, the range contains it, the
//!    index still lists it, and it is not a pre-release under `disallow`.
//! 2. For a `Package` extra node (`foo[bar]`), the version its base was
//!    just given, when the range allows it, so the two agree without a
//!    round of backtracking (`node.rs` explains the extra nodes).
//! 3. Otherwise the highest (or, by the strategy, the lowest) version in
//!    the range, skipping pre-releases unless the policy allows them for
//!    this package.
//!
//! The selector does not skip unusable versions (yanked, wrong platform,
//! wrong Python): it returns them, the solver records *why* each is
//! unusable as an incompatibility, and PubGrub asks again with that version
//! excluded. That is what lets a conflict report name the reason.
//!
//! The selector is pure and shared: the solver thread uses it to decide,
//! and the fetch task uses the same one to guess which version's metadata
//! will be wanted next (speculative prefetch).

use posy_vocab::{PackageName, Requirement, Version};
use rustc_hash::{FxHashMap, FxHashSet};
use version_ranges::Ranges;

use crate::prerelease::{PrereleaseMode, PrereleasePolicy};
use crate::request::ResolveRequest;
use crate::requested::exact_pins;
use crate::strategy::ResolutionStrategy;
use crate::version_map::{VersionEntry, VersionMap};

#[derive(Debug)]
pub(crate) struct CandidateSelector {
    strategy: ResolutionStrategy,
    prerelease: PrereleasePolicy,
    preferences: FxHashMap<PackageName, Vec<Version>>,
    direct: FxHashSet<PackageName>,
    pinned: FxHashSet<(PackageName, Version)>,
}

impl CandidateSelector {
    /// The selector for a request; `first_party` are the requirements,
    /// constraints and overrides of the Brief that apply on the target, and
    /// `preferences` the versions to try first, in order (already without
    /// the packages being upgraded).
    pub(crate) fn new<'a>(
        request: &ResolveRequest,
        preferences: FxHashMap<PackageName, Vec<Version>>,
        first_party: impl IntoIterator<Item = &'a Requirement> + Clone,
    ) -> Self {
        let direct = request
            .requirements
            .iter()
            .map(|r| r.name.clone())
            .collect();
        let pinned = first_party
            .clone()
            .into_iter()
            .flat_map(|r| exact_pins(r).map(|v| (r.name.clone(), v.clone())))
            .collect();
        Self {
            strategy: request.strategy,
            prerelease: PrereleasePolicy::new(
                request.prerelease,
                request.prerelease_package.clone(),
                first_party,
            ),
            preferences,
            direct,
            pinned,
        }
    }

    /// Whether a yanked `name` `version` may be used: only when the Brief
    /// pins it exactly (PEP 592).
    pub(crate) fn allows_yanked(&self, name: &PackageName, version: &Version) -> bool {
        // `==1.0` also matches `1.0+local`, so a pin is looked up by its
        // public version too.
        self.pinned.contains(&(name.clone(), version.clone()))
            || (version.is_local()
                && self
                    .pinned
                    .contains(&(name.clone(), version.without_local())))
    }

    /// Whether pre-releases of this package may be picked.
    pub(crate) fn allows_prereleases(&self, name: &PackageName, map: &VersionMap) -> bool {
        self.prerelease.allows(name, map.has_stable())
    }

    pub(crate) fn prerelease_mode(&self, name: &PackageName) -> PrereleaseMode {
        self.prerelease.mode(name)
    }

    /// Whether `name` is searched from its newest version down.
    pub(crate) fn highest_first(&self, name: &PackageName) -> bool {
        self.strategy.highest_first(self.direct.contains(name))
    }

    /// Picks the version to try; see the module docs. `sibling` is the
    /// version last chosen for the base package of an extra node.
    pub(crate) fn select<'m>(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        map: &'m VersionMap,
        sibling: Option<&Version>,
    ) -> Option<&'m VersionEntry> {
        let prereleases = self.allows_prereleases(name, map);
        for preferred in self.preferences.get(name).into_iter().flatten() {
            let allowed = !preferred.is_prerelease()
                || self.prerelease.mode(name) != PrereleaseMode::Disallow;
            if allowed
                && range.contains(preferred)
                && let Some(entry) = map.get(preferred)
            {
                return Some(entry);
            }
        }
        if let Some(sibling) = sibling
            && range.contains(sibling)
            && let Some(entry) = map.get(sibling)
        {
            return Some(entry);
        }
        let acceptable = |e: &&VersionEntry| prereleases || !e.version.is_prerelease();
        if self.strategy.highest_first(self.direct.contains(name)) {
            map.in_range(range).rev().find(acceptable)
        } else {
            map.in_range(range).find(acceptable)
        }
    }
}
