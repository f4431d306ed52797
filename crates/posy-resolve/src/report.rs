//! Why there is no solution, in sentences.
//!
//! When PubGrub proves that the Brief cannot be satisfied, it hands back a
//! derivation tree: every leaf is a fact ("a 1.0 depends on b>=2", "there
//! are no versions of b in >=2", "a 1.0 was yanked") and every inner node
//! is a conclusion drawn from its two children. This module walks that tree
//! and writes one sentence per conclusion, in the order of the proof:
//!
//! ```text
//! Because a==1.0 depends on b>=2 and only b<2 is available, a==1.0 cannot be used.
//! And because you require a==1.0, the requirements are unsatisfiable.
//! ```
//!
//! The walk is the classic one from PubGrub's documentation. A conclusion
//! whose two causes are facts is one sentence. A conclusion from a fact and
//! an earlier conclusion explains the earlier one first and continues with
//! "And because". A conclusion from two earlier conclusions explains both,
//! then joins them; a conclusion the tree uses more than once gets a number
//! the first time, `(1)`, and later sentences refer to it by that number.
//!
//! Wording: the Brief is "you"; versions and ranges are PEP 440 specifiers
//! (`a==1.0`, `b>=2, <3`) after simplifying each range against the versions
//! that exist, so a range covering every version of a package reads "all
//! versions of a"; the Python node reads as the target Python.
//!
//! After the sentences come hints for the causes a person can act on: a
//! pre-release that was held back, a `Requires-Python` that no version of a
//! package satisfies, a yanked version that was skipped. (A build that
//! fails is not a reason here: it stops the resolution with its own error.)

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use posy_vocab::{PackageName, SpecifierSet, Version};
use pubgrub::{DerivationTree, Derived, External, Term};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::display::{is_exact, specifiers};
use crate::error::NoSolution;
use crate::node::Node;
use crate::prerelease::PrereleaseMode;
use crate::solver::Solver;
use crate::unusable::Unusable;
use crate::version_map::{PackageIndex, Status};

type Tree = DerivationTree<Node, Ranges<Version>, Unusable>;
type Incompat = Derived<Node, Ranges<Version>, Unusable>;
type Fact = External<Node, Ranges<Version>, Unusable>;

/// Explains a failed resolution.
pub(crate) fn explain(solver: &Solver, mut tree: Tree) -> NoSolution {
    collapse_empty_ranges(solver, &mut tree);
    let tree = &tree;
    let mut writer = Writer {
        solver,
        lines: Vec::new(),
        numbers: FxHashMap::default(),
    };
    match tree {
        DerivationTree::External(fact) => {
            let line = format!(
                "Because {}, the requirements are unsatisfiable.",
                writer.fact(fact)
            );
            writer.lines.push(line);
        }
        DerivationTree::Derived(derived) => writer.derived(derived),
    }
    NoSolution {
        report: writer.lines.join("\n"),
        hints: hints(solver, tree),
    }
}

struct Writer<'a> {
    solver: &'a Solver,
    lines: Vec<String>,
    /// Line numbers given to shared conclusions, by `shared_id`.
    numbers: FxHashMap<usize, usize>,
}

impl Writer<'_> {
    /// Explains `derived`, its causes first.
    fn derived(&mut self, derived: &Incompat) {
        let conclusion = self.conclusion(derived);
        match (derived.cause1.as_ref(), derived.cause2.as_ref()) {
            (DerivationTree::External(a), DerivationTree::External(b)) => {
                let text = format!(
                    "Because {} and {}, {conclusion}.",
                    self.fact(a),
                    self.fact(b)
                );
                self.push(text, derived);
            }
            (DerivationTree::Derived(inner), DerivationTree::External(fact))
            | (DerivationTree::External(fact), DerivationTree::Derived(inner)) => {
                self.one_each(inner, fact, &conclusion, derived);
            }
            (DerivationTree::Derived(first), DerivationTree::Derived(second)) => {
                match (self.number(first), self.number(second)) {
                    (Some(n1), Some(n2)) => {
                        let text = format!(
                            "Because {} ({n1}) and {} ({n2}), {conclusion}.",
                            self.conclusion(first),
                            self.conclusion(second)
                        );
                        self.push(text, derived);
                    }
                    (Some(n), None) | (None, Some(n)) => {
                        let (known, fresh) = if self.number(first).is_some() {
                            (first, second)
                        } else {
                            (second, first)
                        };
                        self.derived(fresh);
                        let text = format!(
                            "And because {} ({n}), {conclusion}.",
                            self.conclusion(known)
                        );
                        self.push(text, derived);
                    }
                    (None, None) => {
                        // Explain the first on its own, numbered so the
                        // closing sentence can point back at it.
                        self.derived(first);
                        let n1 = self.force_number(first);
                        self.blank();
                        self.derived(second);
                        let text = format!(
                            "And because {} ({n1}), {conclusion}.",
                            self.conclusion(first)
                        );
                        self.push(text, derived);
                    }
                }
            }
        }
    }

    /// A conclusion drawn from an earlier conclusion and a fact.
    fn one_each(&mut self, inner: &Incompat, fact: &Fact, conclusion: &str, derived: &Incompat) {
        if let Some(n) = self.number(inner) {
            let text = format!(
                "Because {} and {} ({n}), {conclusion}.",
                self.fact(fact),
                self.conclusion(inner)
            );
            self.push(text, derived);
            return;
        }
        // When the earlier conclusion itself came from a conclusion and a
        // fact, the two facts read best together in one sentence.
        if let (DerivationTree::Derived(prior), DerivationTree::External(prior_fact))
        | (DerivationTree::External(prior_fact), DerivationTree::Derived(prior)) =
            (inner.cause1.as_ref(), inner.cause2.as_ref())
            && inner.shared_id.is_none()
        {
            self.derived(prior);
            let text = format!(
                "And because {} and {}, {conclusion}.",
                self.fact(prior_fact),
                self.fact(fact)
            );
            self.push(text, derived);
            return;
        }
        self.derived(inner);
        let text = format!("And because {}, {conclusion}.", self.fact(fact));
        self.push(text, derived);
    }

    fn number(&self, derived: &Incompat) -> Option<usize> {
        derived
            .shared_id
            .and_then(|id| self.numbers.get(&id).copied())
    }

    /// Numbers the last line, which explained `derived`.
    fn force_number(&mut self, derived: &Incompat) -> usize {
        if let Some(n) = self.number(derived) {
            return n;
        }
        let n = self.numbers.len() + 1;
        if let Some(id) = derived.shared_id {
            self.numbers.insert(id, n);
        }
        if let Some(last) = self.lines.last_mut() {
            // "..., a cannot be used (1)."
            match last.strip_suffix('.') {
                Some(sentence) => *last = format!("{sentence} ({n})."),
                None => last.push_str(&format!(" ({n})")),
            }
        }
        n
    }

    fn push(&mut self, text: String, derived: &Incompat) {
        self.lines.push(capitalize(text));
        if derived.shared_id.is_some() {
            self.force_number(derived);
        }
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// A fact as a clause.
    fn fact(&self, fact: &Fact) -> String {
        match fact {
            External::NotRoot(..) => "you asked to resolve the requirements".to_owned(),
            External::NoVersions(Node::Python, range) => format!(
                "the target Python version ({}) does not satisfy Python{}",
                self.solver.python(),
                specifiers(range)
            ),
            External::NoVersions(node, range) => self.no_versions(node, range),
            External::FromDependencyOf(Node::Root, _, dependency, range) => {
                format!("you require {}", self.term(dependency, range, false))
            }
            External::FromDependencyOf(node, range, dependency, dep_range) => depends_on(
                &self.term(node, range, true),
                &self.term(dependency, dep_range, false),
            ),
            External::Custom(node, range, reason) => {
                format!("{} {reason}", self.term(node, range, true))
            }
        }
    }

    fn no_versions(&self, node: &Node, range: &Ranges<Version>) -> String {
        let Some(name) = node.name() else {
            return "the requirements cannot be used".to_owned();
        };
        let Some(index) = self.index(name) else {
            return format!("there is no version of {}", self.term(node, range, false));
        };
        if index.not_found {
            return format!("{name} was not found in the package index");
        }
        let available = range.complement();
        let any_available = index
            .map
            .entries()
            .iter()
            .any(|e| available.contains(&e.version));
        if !any_available {
            if *range == Ranges::full() {
                format!("there are no versions of {}", self.display_name(node))
            } else {
                format!("there is no version of {}", self.term(node, range, false))
            }
        } else {
            let mut shown = self.simplify(name, &available);
            if shown == Ranges::full() {
                shown = available;
            }
            format!("only {} is available", self.term_exact(node, &shown))
        }
    }

    /// The sentence-ending conclusion of a derived incompatibility.
    fn conclusion(&self, derived: &Incompat) -> String {
        let terms: Vec<(&Node, &Term<Ranges<Version>>)> = derived
            .terms
            .iter()
            .filter(|(node, term)| !(**node == Node::Root && matches!(term, Term::Positive(_))))
            .collect();
        match terms.as_slice() {
            [] => "the requirements are unsatisfiable".to_owned(),
            [(node, Term::Positive(range))] => {
                format!("{} cannot be used", self.term(node, range, true))
            }
            [(node, Term::Negative(range))] => {
                if derived.terms.contains_key(&Node::Root) {
                    format!("you require {}", self.term(node, range, false))
                } else {
                    format!("{} is required", self.term(node, range, false))
                }
            }
            [(a, Term::Positive(ra)), (b, Term::Negative(rb))]
            | [(b, Term::Negative(rb)), (a, Term::Positive(ra))] => {
                depends_on(&self.term(a, ra, true), &self.term(b, rb, false))
            }
            [(a, Term::Positive(ra)), (b, Term::Positive(rb))] => format!(
                "{} and {} are incompatible",
                self.term(a, ra, false),
                self.term(b, rb, false)
            ),
            _ => {
                let parts: Vec<String> = terms
                    .iter()
                    .map(|(node, term)| match term {
                        Term::Positive(range) => self.term(node, range, true),
                        Term::Negative(range) => format!("not {}", self.term(node, range, false)),
                    })
                    .collect();
                format!("{} are incompatible", parts.join(", "))
            }
        }
    }

    /// `node` restricted to `range`, as text. `subject` selects the
    /// wording for the start of a clause ("all versions of a") over the one
    /// for a dependency ("a").
    fn term(&self, node: &Node, range: &Ranges<Version>, subject: bool) -> String {
        let shown = match node.name() {
            Some(name) if subject => self.simplify(name, range),
            _ => range.clone(),
        };
        if shown == Ranges::full() {
            return if subject && node.name().is_some() {
                format!("all versions of {}", self.display_name(node))
            } else {
                self.display_name(node)
            };
        }
        self.term_exact(node, &shown)
    }

    fn term_exact(&self, node: &Node, range: &Ranges<Version>) -> String {
        match node {
            Node::Root => "you".to_owned(),
            _ => format!("{}{}", self.display_name(node), specifiers(range)),
        }
    }

    fn display_name(&self, node: &Node) -> String {
        match node {
            Node::Root => "you".to_owned(),
            Node::Python => "Python".to_owned(),
            Node::Package(name) => name.to_string(),
            Node::Extra(name, extra) => format!("{name}[{extra}]"),
        }
    }

    fn index(&self, name: &PackageName) -> Option<Arc<PackageIndex>> {
        self.solver.known_index(name)
    }

    /// `range` simplified against the versions that exist, when that makes
    /// it shorter (`a<2` beats `a==1.0 | ==1.5`) or covers every version
    /// ("all versions of a"); an exact pin stays as written.
    fn simplify(&self, name: &PackageName, range: &Ranges<Version>) -> Ranges<Version> {
        let Some(index) = self.index(name) else {
            return range.clone();
        };
        if index.map.is_empty() {
            return range.clone();
        }
        if is_exact(range) {
            return range.clone();
        }
        let simpler = range.simplify(index.map.entries().iter().map(|e| &e.version));
        if simpler == Ranges::full() || simpler.iter().count() < range.iter().count() {
            simpler
        } else {
            range.clone()
        }
    }
}

/// "X depends on Y", agreeing with a plural subject ("all versions of a").
fn depends_on(subject: &str, dependency: &str) -> String {
    if subject.starts_with("all versions of ") {
        format!("{subject} depend on {dependency}")
    } else {
        format!("{subject} depends on {dependency}")
    }
}

/// Folds away "no versions" facts about ranges in which the index lists no
/// version at all, next to a fact about versions that do exist.
///
/// When `a==1.0` is ruled out, PubGrub still asks about the rest of the
/// range `==1.0` allows (the local versions `1.0+x`, of which there are
/// none) and records "there is no version of a in that rest". Said aloud,
/// that reads "only a==1.0 is available", which is noise. Such a fact is
/// merged into its sibling (the sibling's range grows by a set that holds
/// no versions, so it stays true), and the conclusion they drew is
/// replaced by the merged fact. A "no versions" fact about a range the
/// user actually asked for (`b>=2` when only `b<2` exists) is kept: its
/// sibling's range holds no versions either.
fn collapse_empty_ranges(solver: &Solver, tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    collapse_empty_ranges(solver, Arc::make_mut(&mut derived.cause1));
    collapse_empty_ranges(solver, Arc::make_mut(&mut derived.cause2));
    let replacement = match (derived.cause1.as_ref(), derived.cause2.as_ref()) {
        (DerivationTree::External(External::NoVersions(node, empty)), other)
        | (other, DerivationTree::External(External::NoVersions(node, empty))) => {
            merge_empty(solver, node, empty, other)
        }
        _ => None,
    };
    if let Some(replacement) = replacement {
        *tree = replacement;
    }
}

/// The sibling `other` with `empty` (a range of `node` in which no version
/// exists) folded in, when that is both true and clearer.
fn merge_empty(
    solver: &Solver,
    node: &Node,
    empty: &Ranges<Version>,
    other: &Tree,
) -> Option<Tree> {
    let name = node.name()?;
    let holds_versions = |range: &Ranges<Version>| {
        with_index(solver, name, |index| {
            Some(index.map.in_range(range).next().is_some())
        })
        .unwrap_or(false)
    };
    if holds_versions(empty) {
        return None;
    }
    // An unbounded rest ("everything but 1.0") is worth saying as "only
    // a==1.0 is available" next to a fact about that one version or a
    // conclusion; a bounded sliver (the local versions `==1.0` allows) is not.
    let bounded = matches!(
        empty.bounding_range(),
        Some((
            Bound::Included(_) | Bound::Excluded(_),
            Bound::Included(_) | Bound::Excluded(_)
        ))
    );
    let widen = |range: &Ranges<Version>| holds_versions(range).then(|| range.union(empty));
    let fact = match other {
        DerivationTree::External(External::FromDependencyOf(p, rp, d, rd)) if p == node => {
            External::FromDependencyOf(p.clone(), widen(rp)?, d.clone(), rd.clone())
        }
        DerivationTree::External(External::FromDependencyOf(p, rp, d, rd)) if d == node => {
            External::FromDependencyOf(p.clone(), rp.clone(), d.clone(), widen(rd)?)
        }
        DerivationTree::External(External::Custom(p, rp, reason)) if p == node && bounded => {
            widen(rp)?;
            External::Custom(p.clone(), rp.clone(), reason.clone())
        }
        DerivationTree::Derived(derived) => {
            let Some(Term::Positive(range)) = derived.terms.get(node) else {
                return None;
            };
            // Unless the conclusion already covers every version there is.
            let covers_all = with_index(solver, name, |index| {
                Some(
                    index
                        .map
                        .entries()
                        .iter()
                        .all(|e| range.contains(&e.version)),
                )
            })
            .unwrap_or(false);
            if !bounded && !covers_all {
                return None;
            }
            let mut derived = derived.clone();
            derived
                .terms
                .insert(node.clone(), Term::Positive(widen(range)?));
            return Some(DerivationTree::Derived(derived));
        }
        _ => return None,
    };
    Some(DerivationTree::External(fact))
}

fn capitalize(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// Hints for the causes in the tree that a person can act on.
fn hints(solver: &Solver, tree: &Tree) -> Vec<String> {
    let mut facts = Vec::new();
    collect_facts(tree, &mut facts);
    let mut hints = BTreeSet::new();
    for fact in facts {
        match fact {
            External::NoVersions(node, range) => {
                if let Some(name) = node.name() {
                    if let Some(hint) = prerelease_hint(solver, name, range) {
                        hints.insert(hint);
                    }
                    if let Some(hint) = requires_python_hint(solver, name, range) {
                        hints.insert(hint);
                    }
                }
            }
            External::FromDependencyOf(node, range, Node::Python, _) => {
                if let Some(name) = node.name()
                    && let Some(hint) = requires_python_hint(solver, name, range)
                {
                    hints.insert(hint);
                }
            }
            External::Custom(node, range, reason) => {
                let (Some(name), Some(version)) = (node.name(), range.as_singleton()) else {
                    continue;
                };
                match reason {
                    Unusable::Yanked(_) => {
                        hints.insert(format!(
                            "{name}=={version} was yanked, so it is only used when pinned exactly \
                             (`{name}=={version}`)"
                        ));
                    }
                    Unusable::SdistOnly => {
                        hints.insert(format!(
                            "{name}=={version} has only a source distribution; building from source \
                             is not supported yet, so that version was skipped"
                        ));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    hints.into_iter().collect()
}

fn collect_facts<'t>(tree: &'t Tree, out: &mut Vec<&'t Fact>) {
    match tree {
        DerivationTree::External(fact) => out.push(fact),
        DerivationTree::Derived(derived) => {
            collect_facts(&derived.cause1, out);
            collect_facts(&derived.cause2, out);
        }
    }
}

fn with_index<T>(
    solver: &Solver,
    name: &PackageName,
    f: impl FnOnce(&PackageIndex) -> Option<T>,
) -> Option<T> {
    f(solver.known_index(name)?.as_ref())
}

/// A pre-release in `range` that the policy held back.
fn prerelease_hint(solver: &Solver, name: &PackageName, range: &Ranges<Version>) -> Option<String> {
    if solver.selector().prerelease_mode(name) == PrereleaseMode::Allow {
        return None;
    }
    with_index(solver, name, |index| {
        if solver.selector().allows_prereleases(name, &index.map) {
            return None;
        }
        let newest = index
            .map
            .in_range(range)
            .rev()
            .find(|e| e.version.is_prerelease())?;
        Some(format!(
            "pre-releases are available for {name} in the requested range (e.g. {}), but \
             pre-releases were not enabled (try `--prerelease=allow`, or require a pre-release \
             explicitly, like `{name}>={}`)",
            newest.version, newest.version
        ))
    })
}

/// Every version of `name` in `range` requires another Python.
fn requires_python_hint(
    solver: &Solver,
    name: &PackageName,
    range: &Ranges<Version>,
) -> Option<String> {
    with_index(solver, name, |index| {
        let entries: Vec<_> = index.map.in_range(range).collect();
        let newest = entries.last()?;
        let python = solver.python();
        // The Requires-Python that excludes the target: from the files, or
        // from metadata the resolver already read.
        let excluding = |entry: &crate::version_map::VersionEntry| -> Option<SpecifierSet> {
            let spec = match &entry.status {
                Status::RequiresPython(spec) => spec.clone(),
                _ => {
                    let metadata = solver.fetcher().known_metadata(name, &entry.version)?;
                    metadata.as_ref().as_ref().ok()?.requires_python.clone()?
                }
            };
            (!spec.contains(python)).then_some(spec)
        };
        if !entries.iter().all(|e| excluding(e).is_some()) {
            return None;
        }
        let spec = excluding(newest)?;
        Some(format!(
            "the Requires-Python of every version of {name} in the requested range excludes the \
             target Python {python} (the newest, {name}=={}, requires Python {spec}); \
             resolve for another Python version (`--python-version`)",
            newest.version
        ))
    })
}
