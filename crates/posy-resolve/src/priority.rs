//! The order in which PubGrub decides packages.
//!
//! PubGrub always decides the undecided package with the highest priority
//! next. The order changes which of several valid answers is found (and
//! how fast), so it follows uv's, which in turn follows pip's:
//!
//! 1. the root and the Python node;
//! 2. packages pinned to a single version (`==1.0`, which as a range also
//!    holds `1.0`'s local versions), since there is nothing to choose;
//! 3. packages that keep getting rejected in conflicts (at least
//!    [`CONFLICT_THRESHOLD`] times): deciding them earlier stops the search
//!    from seesawing through unrelated packages;
//! 4. everything else.
//!
//! Within a class, packages discovered earlier come first, which makes the
//! search breadth-first. Priorities are per package *name*, so a package
//! and its extras are decided together (the base first: it is discovered
//! first), and they only ever rise, so a package does not bounce between
//! classes. Everything here depends only on the order of events, never on
//! hashing or timing, which is what makes resolutions deterministic.

use std::cmp::Reverse;

use posy_vocab::{PackageName, Version};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::display::is_exact;
use crate::node::Node;

/// Rejections after which a package is decided before the unremarkable ones.
pub(crate) const CONFLICT_THRESHOLD: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Unspecified,
    Conflict,
    Singleton,
    Root,
}

/// A package's priority; higher is decided first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Priority {
    class: Class,
    package: Reverse<u32>,
    node: Reverse<u32>,
}

#[derive(Default)]
pub(crate) struct Priorities {
    names: FxHashMap<PackageName, (Class, u32)>,
    nodes: FxHashMap<Node, u32>,
}

impl Priorities {
    /// Records a node met as a dependency with `range`; returns whether the
    /// node is new.
    pub(crate) fn insert(&mut self, node: &Node, range: &Ranges<Version>) -> bool {
        let next = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let new = !self.nodes.contains_key(node);
        if new {
            self.nodes.insert(node.clone(), next);
        }
        if let Some(name) = node.name() {
            let class = if is_exact(range) {
                Class::Singleton
            } else {
                Class::Unspecified
            };
            let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
            let entry = self.names.entry(name.clone()).or_insert((class, next));
            entry.0 = entry.0.max(class);
        }
        new
    }

    /// The priority of `node`, given how often it was in conflicts.
    pub(crate) fn get(&mut self, node: &Node, conflicts: u32) -> Priority {
        let next = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let tiebreak = *self.nodes.entry(node.clone()).or_insert(next);
        let (class, index) = match node.name() {
            None => (Class::Root, 0),
            Some(name) => {
                let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
                let entry = self
                    .names
                    .entry(name.clone())
                    .or_insert((Class::Unspecified, next));
                if conflicts >= CONFLICT_THRESHOLD {
                    entry.0 = entry.0.max(Class::Conflict);
                }
                *entry
            }
        };
        Priority {
            class,
            package: Reverse(index),
            node: Reverse(tiebreak),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posy_vocab::SpecifierSet;

    fn node(name: &str) -> Node {
        Node::Package(name.parse().unwrap())
    }

    fn range(spec: &str) -> Ranges<Version> {
        spec.parse::<SpecifierSet>().unwrap().to_ranges()
    }

    #[test]
    fn root_then_pins_then_discovery_order() {
        let mut p = Priorities::default();
        p.insert(&node("a"), &range(">=1"));
        p.insert(&node("b"), &range("==2.0"));
        p.insert(&node("c"), &range(""));
        let root = p.get(&Node::Root, 0);
        let a = p.get(&node("a"), 0);
        let b = p.get(&node("b"), 0);
        let c = p.get(&node("c"), 0);
        assert!(root > b && b > a && a > c);
    }

    #[test]
    fn conflicts_raise_a_package_for_good() {
        let mut p = Priorities::default();
        p.insert(&node("a"), &range(""));
        p.insert(&node("b"), &range(""));
        assert!(p.get(&node("a"), 0) > p.get(&node("b"), 0));
        assert!(p.get(&node("b"), CONFLICT_THRESHOLD) > p.get(&node("a"), 0));
        assert!(p.get(&node("b"), 0) > p.get(&node("a"), 0));
    }

    #[test]
    fn an_extra_follows_its_base() {
        let mut p = Priorities::default();
        let base = node("a");
        let extra = Node::Extra("a".parse().unwrap(), "x".parse().unwrap());
        p.insert(&base, &range(""));
        p.insert(&node("b"), &range(""));
        p.insert(&extra, &range(""));
        let (base, extra, b) = (p.get(&base, 0), p.get(&extra, 0), p.get(&node("b"), 0));
        assert!(base > extra && extra > b);
    }
}
