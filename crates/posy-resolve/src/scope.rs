//! Where one solve must hold: one target, or one fork of a universal
//! resolution.
//!
//! For a target, a requirement applies when its marker evaluates to true in
//! the target's environment. A fork stands for a set of environments (a
//! [`MarkerSet`]: "Python 3.10 or later, on Windows", say), and a
//! requirement applies in it when its marker holds in *some* of them; the
//! package it names is then solved for the whole fork, and the lock's
//! markers (`universal.rs`) say where it is really needed. Requirements
//! that would give one package different versions in different parts of a
//! fork split the fork first (see `Solver::fork_regions`), so that inside
//! one fork "applies somewhere" never forces two answers into one.
//!
//! Both kinds answer the same questions, so the solver has one code path:
//! does this marker select this requirement (for the base package, or for
//! one of its extras), which files are installable, and which Python a
//! `Requires-Python` is checked against.

use std::sync::Arc;

use posy_vocab::{ExtraName, MarkerSet, MarkerTree, SpecifierSet, Version};
use version_ranges::Ranges;

use crate::target::Target;
use crate::version_map::{Compatibility, lower_bound_admits};

/// The environments one solve is for.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    Target(Box<Target>),
    Fork(Fork),
}

/// One fork of a universal resolution.
#[derive(Debug, Clone)]
pub(crate) struct Fork {
    /// The environments it stands for.
    pub(crate) marker: MarkerSet,
    /// Its lowest Python (every `Requires-Python` is held against it).
    pub(crate) floor: Version,
    /// What the whole resolution shares.
    pub(crate) rules: Arc<ForkRules>,
}

/// What every fork of one universal resolution shares.
#[derive(Debug)]
pub(crate) struct ForkRules {
    /// Environments in which every pin must have a wheel or an sdist
    /// (`required-environments`).
    pub(crate) required: Vec<(MarkerTree, MarkerSet)>,
    /// Fewest versions (`--fork-strategy fewest`, or `--resolution
    /// lowest`): no split on `Requires-Python`, oldest Pythons first.
    pub(crate) fewest: bool,
}

impl Fork {
    /// A fork for `marker`; `None` when it holds nowhere.
    pub(crate) fn new(marker: MarkerSet, rules: &Arc<ForkRules>) -> Option<Self> {
        if marker.is_disjoint(MarkerSet::TRUE) {
            return None;
        }
        let floor = python_floor(marker);
        Some(Self {
            marker,
            floor,
            rules: Arc::clone(rules),
        })
    }

    /// The order forks are solved in: sorts `forks` so that the one to
    /// solve first is last (they go on a stack). Newest Python first, or
    /// oldest with `fewest`; among equals, the one whose `key` is larger.
    pub(crate) fn schedule<T, K: Ord>(
        &self,
        forks: &mut [T],
        floor: impl Fn(&T) -> Version,
        key: impl Fn(&T) -> K,
    ) {
        let fewest = self.rules.fewest;
        forks.sort_by(|a, b| {
            let by_python = floor(a).cmp(&floor(b));
            let by_python = if fewest {
                by_python.reverse()
            } else {
                by_python
            };
            by_python.then_with(|| key(a).cmp(&key(b)))
        });
    }
}

/// The lowest `python_full_version` of a set, as a release (`0` when
/// unbounded): a split at `3.11` starts at `3.11.dev0` (see [`first_of`]),
/// which is Python 3.11 to every `Requires-Python`.
pub(crate) fn python_floor(marker: MarkerSet) -> Version {
    use std::ops::Bound;
    match marker.python_range().bounding_range() {
        Some((Bound::Included(v) | Bound::Excluded(v), _)) => {
            Version::new(v.release().iter().copied())
        }
        _ => Version::new([0]),
    }
}

/// The first version of `release`'s line, its first dev release: splitting
/// the Pythons there puts 3.11's pre-releases with 3.11 (as pip and uv
/// treat `Requires-Python: >=3.11` on a 3.11.0rc1), and gives both sides
/// a plain marker (`python_full_version < "3.11"` and `>= "3.11"`).
pub(crate) fn first_of(release: &Version) -> Version {
    let text: Vec<String> = release.release().iter().map(u64::to_string).collect();
    format!("{}.dev0", text.join("."))
        .parse()
        .unwrap_or_else(|_| release.clone())
}

impl Scope {
    /// What makes a file installable here.
    pub(crate) fn compatibility(&self) -> Compatibility {
        match self {
            Self::Target(target) => Compatibility::Target {
                tags: target.tags.clone(),
                python: target.python_version.clone(),
            },
            Self::Fork(fork) => Compatibility::Fork {
                pythons: MarkerSet::python_in(&fork.marker.python_range()),
                floor: fork.floor.clone(),
            },
        }
    }

    /// The Python version `Requires-Python` is checked against.
    pub(crate) fn python(&self) -> &Version {
        match self {
            Self::Target(target) => &target.python_version,
            Self::Fork(fork) => &fork.floor,
        }
    }

    /// The fork, in universal mode.
    pub(crate) fn fork(&self) -> Option<&Fork> {
        match self {
            Self::Target(_) => None,
            Self::Fork(fork) => Some(fork),
        }
    }

    /// Whether `marker` holds (somewhere, for a fork) with `extras` active.
    pub(crate) fn holds(&self, marker: &MarkerTree, extras: &[ExtraName]) -> bool {
        if marker.is_true() {
            return true;
        }
        match self {
            Self::Target(target) => marker.evaluate(&target.markers, extras),
            Self::Fork(fork) => !set_of(marker, extras).is_disjoint(fork.marker),
        }
    }

    /// Whether a requirement with `marker` applies to the node being
    /// expanded (the base package when `extra` is `None`, else that extra:
    /// the requirements its extra switches on), and where: the marker of
    /// the edge, `TRUE` for a target.
    pub(crate) fn selects(
        &self,
        marker: &MarkerTree,
        extra: Option<&ExtraName>,
    ) -> Option<MarkerSet> {
        match (self, extra) {
            (_, None) if marker.is_true() => Some(MarkerSet::TRUE),
            (_, Some(_)) if marker.is_true() => None,
            (Self::Target(target), None) => marker
                .evaluate(&target.markers, &[])
                .then_some(MarkerSet::TRUE),
            (Self::Target(target), Some(extra)) => (marker
                .evaluate(&target.markers, std::slice::from_ref(extra))
                && !marker.evaluate(&target.markers, &[]))
            .then_some(MarkerSet::TRUE),
            (Self::Fork(fork), None) => {
                let set = set_of(marker, &[]);
                (!set.is_disjoint(fork.marker)).then_some(set)
            }
            (Self::Fork(fork), Some(extra)) => {
                let with = set_of(marker, std::slice::from_ref(extra));
                let without = set_of(marker, &[]);
                (!with.and(without.negate()).is_disjoint(fork.marker)).then_some(with)
            }
        }
    }

    /// The Pythons a `Requires-Python` admits, as the Python node's range:
    /// for a fork only the lower bound counts (see `version_map.rs`).
    pub(crate) fn python_ranges(&self, requires_python: &SpecifierSet) -> Ranges<Version> {
        match self {
            Self::Target(_) => requires_python.to_ranges(),
            Self::Fork(fork) => {
                if lower_bound_admits(requires_python, &fork.floor) {
                    Ranges::full()
                } else {
                    requires_python.to_ranges()
                }
            }
        }
    }
}

/// The environments where `marker` holds with `extras` active.
pub(crate) fn set_of(marker: &MarkerTree, extras: &[ExtraName]) -> MarkerSet {
    if marker.extras_referenced().is_empty() {
        MarkerSet::from_tree(marker)
    } else {
        MarkerSet::from_tree(&marker.simplify_extras(extras))
    }
}
