//! The marker algebra: sets of environments as canonical decision diagrams.
//!
//! (Module essay to be written with the implementation: what a node is, the
//! variable order, how each PEP 508 comparison becomes edges, the
//! `python_version` → `python_full_version` lifting, the opaque atoms, the
//! known exclusions, and how `to_tree` prints the simplest exact marker.)

use version_ranges::Ranges;

use super::environment::MarkerEnvironment;
use super::tree::MarkerTree;
use crate::ExtraName;
use crate::tags::TagSet;
use crate::version::Version;

/// A set of marker environments (every machine and interpreter for which a
/// marker holds), kept in a canonical form: two markers that hold in the
/// same environments are the same `MarkerSet`, so `==` is equivalence and
/// `is_false` is unsatisfiability. Cheap to copy; the nodes live in one
/// interner for the whole process.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct MarkerSet(u32);

impl MarkerSet {
    /// Every environment.
    pub const TRUE: MarkerSet = MarkerSet(0);
    /// No environment.
    pub const FALSE: MarkerSet = MarkerSet(1);

    /// The environments in which `tree` holds.
    pub fn from_tree(tree: &MarkerTree) -> MarkerSet {
        let _ = tree;
        todo!()
    }

    pub fn and(self, other: MarkerSet) -> MarkerSet {
        let _ = other;
        todo!()
    }

    pub fn or(self, other: MarkerSet) -> MarkerSet {
        let _ = other;
        todo!()
    }

    pub fn negate(self) -> MarkerSet {
        todo!()
    }

    pub fn is_true(self) -> bool {
        self == Self::TRUE
    }

    pub fn is_false(self) -> bool {
        self == Self::FALSE
    }

    /// Whether no environment is in both, also counting combinations no
    /// real machine has (`os_name == "nt"` with `sys_platform == "linux"`).
    pub fn is_disjoint(self, other: MarkerSet) -> bool {
        let _ = other;
        todo!()
    }

    /// Whether every environment of `self` (that a real machine can have)
    /// is in `other`.
    pub fn implies(self, other: MarkerSet) -> bool {
        let _ = other;
        todo!()
    }

    /// The `python_full_version` values of the set's environments.
    pub fn python_range(self) -> Ranges<Version> {
        todo!()
    }

    /// `python_full_version` in `range`.
    pub fn python_in(range: &Ranges<Version>) -> MarkerSet {
        let _ = range;
        todo!()
    }

    /// The environments that can install a wheel with these tags.
    pub fn from_wheel_tags(tags: &TagSet) -> MarkerSet {
        let _ = tags;
        todo!()
    }

    /// The simplest exact marker of the set.
    pub fn to_tree(self) -> MarkerTree {
        todo!()
    }

    /// A simple marker that agrees with the set inside `context`.
    pub fn to_tree_within(self, context: MarkerSet) -> MarkerTree {
        let _ = context;
        todo!()
    }

    /// Whether `env` (with `extras` active) is in the set.
    pub fn evaluate(self, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        let _ = (env, extras);
        todo!()
    }
}
