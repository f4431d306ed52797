//! The Brief, as the resolver takes it: what to resolve, and how.
//!
//! - `requirements`: what the user asked for (command line, `-r` files,
//!   `pyproject.toml`), already parsed into PEP 508 requirements.
//! - `constraints` (`-c`): they never bring a package in; when something
//!   else does, its versions must also satisfy every constraint on it whose
//!   marker holds on the target. Extras on constraints are ignored.
//! - `overrides` (`--override`): for a package that has any, every
//!   dependency on it, from any package's metadata and from the Brief
//!   itself, is replaced by the overrides (those whose marker holds).
//! - `preferences`: pins from an existing output file; a preferred version
//!   is tried first when the constraints of the moment allow it, so that
//!   recompiling keeps the pins that still work.
//! - `upgrade`: packages whose preferences are ignored (`--upgrade`,
//!   `--upgrade-package`).
//! - `strategy`, `prerelease`: see `strategy.rs` and `prerelease.rs`.
//! - `target`: the platform (see `target.rs`).
//! - `universal`: one resolution valid in every environment of a
//!   [`Universe`] (see `universal.rs`); `target` is then unused.
//!
//! `--exclude-newer` is not here: it filters what the index offers, so the
//! [`crate::MetadataProvider`] applies it.

use std::collections::BTreeSet;

use posy_vocab::{MarkerTree, PackageName, Requirement, Version};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::prerelease::PrereleaseMode;
use crate::strategy::{ForkStrategy, ResolutionStrategy};
use crate::target::Target;

/// A pin from an earlier resolution that the resolver tries first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    pub name: PackageName,
    pub version: Version,
}

/// Which preferences to ignore.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Upgrade {
    /// Keep every preferred version that still fits.
    #[default]
    None,
    /// Ignore all preferences (`--upgrade`).
    All,
    /// Ignore the preferences of these packages (`--upgrade-package`).
    Packages(BTreeSet<PackageName>),
}

impl Upgrade {
    /// Whether the preference for `name` is ignored.
    pub fn covers(&self, name: &PackageName) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Packages(names) => names.contains(name),
        }
    }
}

/// Everything a resolution needs besides the provider.
#[derive(Debug, Clone)]
pub struct ResolveRequest {
    pub requirements: Vec<Requirement>,
    pub constraints: Vec<Requirement>,
    pub overrides: Vec<Requirement>,
    pub preferences: Vec<Preference>,
    pub upgrade: Upgrade,
    pub strategy: ResolutionStrategy,
    pub prerelease: PrereleaseMode,
    /// Packages whose pre-release mode is their own (`--prerelease-package`).
    pub prerelease_package: FxHashMap<PackageName, PrereleaseMode>,
    pub target: Target,
    /// One resolution for every environment of this universe, with markers
    /// (see `universal.rs`); `None` resolves for `target` alone.
    pub universal: Option<Universe>,
    /// Give each pin of a single-target resolution the marker under which
    /// its requirements reach it (`--no-strip-markers`); universal pins
    /// always have theirs.
    pub keep_markers: bool,
}

/// The environments a universal resolution must hold in.
#[derive(Debug, Clone)]
pub struct Universe {
    /// The Pythons (`requires-python`; for `pip compile`, from
    /// `--python-version` or the interpreter's version up).
    pub requires_python: Ranges<Version>,
    /// Restrict the resolution to these environments (uv's
    /// `environments`); empty means every environment.
    pub environments: Vec<MarkerTree>,
    /// Environments where every pin must have a wheel or an sdist (uv's
    /// `required-environments`): a version without is not used there.
    pub required_environments: Vec<MarkerTree>,
    /// Newest versions per Python, or fewest versions (`--fork-strategy`).
    pub fork_strategy: ForkStrategy,
    /// A class for each requirement (a multi-use lock's extra or group it
    /// belongs to); when given, each pin also says where each class's
    /// requirements reach it ([`crate::ResolvedPackage::by_class`]).
    pub root_classes: Vec<u16>,
}

impl Universe {
    /// Every environment with a Python of `requires_python`.
    pub fn new(requires_python: Ranges<Version>) -> Self {
        Self {
            requires_python,
            environments: Vec::new(),
            required_environments: Vec::new(),
            fork_strategy: ForkStrategy::default(),
            root_classes: Vec::new(),
        }
    }
}

impl ResolveRequest {
    /// The preferences in effect: those of packages not being upgraded.
    pub(crate) fn active_preferences(&self) -> FxHashMap<PackageName, Vec<Version>> {
        let mut preferences: FxHashMap<PackageName, Vec<Version>> = FxHashMap::default();
        for p in self
            .preferences
            .iter()
            .filter(|p| !self.upgrade.covers(&p.name))
        {
            preferences
                .entry(p.name.clone())
                .or_default()
                .push(p.version.clone());
        }
        // A universal output file may pin a package at several versions
        // (one per part of the universe): the newest is tried first, so a
        // fork that a newer version splits splits again the same way.
        for versions in preferences.values_mut() {
            versions.sort_by(|a, b| b.cmp(a));
        }
        preferences
    }

    /// A request for `requirements` on `target` with every option at its
    /// default (highest versions, uv's pre-release default, nothing pinned).
    pub fn new(requirements: Vec<Requirement>, target: Target) -> Self {
        Self {
            requirements,
            constraints: Vec::new(),
            overrides: Vec::new(),
            preferences: Vec::new(),
            upgrade: Upgrade::None,
            strategy: ResolutionStrategy::default(),
            prerelease: PrereleaseMode::default(),
            prerelease_package: FxHashMap::default(),
            target,
            universal: None,
            keep_markers: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_covers() {
        let a: PackageName = "a".parse().unwrap();
        let b: PackageName = "b".parse().unwrap();
        assert!(!Upgrade::None.covers(&a));
        assert!(Upgrade::All.covers(&a));
        let some = Upgrade::Packages([a.clone()].into_iter().collect());
        assert!(some.covers(&a));
        assert!(!some.covers(&b));
    }
}
