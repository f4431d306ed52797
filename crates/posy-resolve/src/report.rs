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
//! Before the walk, the tree is simplified so that each cause is said
//! once. A package whose versions all fail for one reason (no wheel for
//! the platform, only source distributions under `--only-binary`, a
//! `Requires-Python` the target is not in) reads as one fact about "all
//! versions of a" rather than one sentence per version, and a conclusion
//! about the Python node alone reads as the fact it stands for.
//!
//! After the sentences come hints for the causes a person can act on, one
//! per package and cause: a pre-release that was held back, a
//! `Requires-Python` that no version of a package satisfies (with the
//! `--python-version` that would do), the platforms that do have wheels,
//! the binary option to relax, a yanked version that was skipped. (A build
//! that fails is not a reason here: it stops the resolution with its own
//! error.)

use std::collections::{BTreeMap, BTreeSet};
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
use crate::provider::Exclusion;
use crate::solver::Solver;
use crate::unusable::Unusable;
use crate::version_map::{Compatibility, PackageIndex, Status, VersionEntry};
use crate::wheel_mismatch::{TagPart, wheel_mismatch};

type Tree = DerivationTree<Node, Ranges<Version>, Unusable>;
type Incompat = Derived<Node, Ranges<Version>, Unusable>;
type Fact = External<Node, Ranges<Version>, Unusable>;

/// Explains a failed resolution.
pub(crate) fn explain(solver: &Solver, mut tree: Tree) -> NoSolution {
    collapse_empty_ranges(solver, &mut tree);
    collapse_alike_versions(solver, &mut tree);
    let tree = &tree;
    let mut writer = Writer {
        solver,
        lines: Vec::new(),
        numbers: FxHashMap::default(),
        next_number: 1,
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
    /// The number the next numbered conclusion gets (a conclusion used
    /// only once is numbered too, when two branches meet, without a
    /// `shared_id` to remember it by).
    next_number: usize,
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
        let n = self.next_number;
        self.next_number += 1;
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
                let subject = self.term(node, range, true);
                let plural = subject.starts_with("all versions of ");
                let predicate = match reason {
                    Unusable::NoCompatibleFile => self.no_wheel(node, range, plural),
                    Unusable::RequiresPython(_) => format!(
                        "{} (the target Python version is {})",
                        reason.predicate(plural),
                        self.solver.python()
                    ),
                    _ => reason.predicate(plural),
                };
                format!("{subject} {predicate}")
            }
        }
    }

    /// Why the versions of `node` in `range` have no file for the target:
    /// which part of the wheel tags (platform, Python, ABI) none of their
    /// wheels matches, with the target's own as an example.
    fn no_wheel(&self, node: &Node, range: &Ranges<Version>, plural: bool) -> String {
        let (has, wheels, sdists) = if plural {
            ("have", "wheels", "source distributions")
        } else {
            ("has", "wheel", "source distribution")
        };
        let mismatch = match (self.solver.compatibility(), node.name()) {
            (Compatibility::Target { tags, .. }, Some(name)) => {
                with_index(self.solver, name, |index| {
                    wheel_mismatch(tags, &index.map, range)
                })
            }
            (Compatibility::Fork { .. }, _) => {
                return format!(
                    "{has} no {sdists} and no {wheels} for the Python versions of this resolution"
                );
            }
            _ => None,
        };
        match mismatch {
            Some(m) => format!(
                "{has} no {sdists} and no {wheels} with a matching {} tag (e.g. `{}`)",
                m.part.name(),
                m.example
            ),
            None => format!("{has} no {sdists} and no {wheels} compatible with the target"),
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

/// Folds a conclusion about one package, drawn from nothing but facts
/// about that package's versions that all give the same reason (and the
/// target Python, for `Requires-Python`), into one fact with that reason:
/// "all versions of a have only source distributions (excluded by
/// `--only-binary`)" instead of one sentence per version, and "all
/// versions of a require Python 3.8 or newer" instead of a chain through
/// the Python node. A conclusion about the Python node alone ("Python>=3.7
/// cannot be used", which reads as if it contradicted the packages that
/// need it) becomes the fact it stands for: the target Python is not in
/// that range.
fn collapse_alike_versions(solver: &Solver, tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    collapse_alike_versions(solver, Arc::make_mut(&mut derived.cause1));
    collapse_alike_versions(solver, Arc::make_mut(&mut derived.cause2));
    let mut terms = derived
        .terms
        .iter()
        .filter(|(node, term)| !(**node == Node::Root && matches!(term, Term::Positive(_))));
    let fact = match (terms.next(), terms.next()) {
        (Some((Node::Python, Term::Positive(range))), None) => {
            External::NoVersions(Node::Python, range.clone())
        }
        (Some((node @ Node::Package(_), Term::Positive(range))), None) => {
            let mut alike = Alike {
                solver,
                reason: None,
                python: false,
            };
            if !(alike.visit(&derived.cause1, node) && alike.visit(&derived.cause2, node)) {
                return;
            }
            match alike.reason {
                Some(reason @ Unusable::RequiresPython(_)) => {
                    External::Custom(node.clone(), range.clone(), reason)
                }
                Some(reason) if !alike.python => {
                    External::Custom(node.clone(), range.clone(), reason)
                }
                _ => return,
            }
        }
        _ => return,
    };
    *tree = DerivationTree::External(fact);
}

/// The one reason the facts of a subtree give about a package's versions
/// (see [`collapse_alike_versions`]). A yanked version counts as needing
/// another Python when it would, yank or not: the yank is not what stands
/// in the way.
struct Alike<'s> {
    solver: &'s Solver,
    reason: Option<Unusable>,
    /// A fact about the target Python was among them.
    python: bool,
}

impl Alike<'_> {
    /// Whether every fact under `tree` is about `node`'s versions (or the
    /// target Python) and all give one reason, which is gathered.
    fn visit(&mut self, tree: &Tree, node: &Node) -> bool {
        match tree {
            DerivationTree::Derived(derived) => {
                self.visit(&derived.cause1, node) && self.visit(&derived.cause2, node)
            }
            DerivationTree::External(External::NoVersions(Node::Python, _)) => {
                self.python = true;
                true
            }
            DerivationTree::External(External::NoVersions(of, _)) => of == node,
            DerivationTree::External(External::FromDependencyOf(of, _, Node::Python, python))
                if of == node =>
            {
                self.merge(Unusable::RequiresPython(vec![python.clone()]))
            }
            DerivationTree::External(External::Custom(of, range, reason)) if of == node => {
                match (reason, self.yanked_python(node, range)) {
                    (Unusable::Yanked(_), Some(python)) => {
                        self.merge(Unusable::RequiresPython(vec![python]))
                    }
                    _ => self.merge(reason.clone()),
                }
            }
            DerivationTree::External(_) => false,
        }
    }

    /// The Pythons a yanked version `node` `range` (one version) would
    /// require, when they exclude the target.
    fn yanked_python(&self, node: &Node, range: &Ranges<Version>) -> Option<Ranges<Version>> {
        let version = range.as_singleton()?;
        with_index(self.solver, node.name()?, |index| {
            match &index.map.get(version)?.status {
                Status::Yanked { if_allowed, .. } => match if_allowed.as_ref() {
                    Status::RequiresPython(spec) if !spec.contains(self.solver.python()) => {
                        Some(spec.to_ranges())
                    }
                    _ => None,
                },
                _ => None,
            }
        })
    }

    fn merge(&mut self, new: Unusable) -> bool {
        match (&mut self.reason, new) {
            (
                None,
                new @ (Unusable::NoCompatibleFile
                | Unusable::Excluded { .. }
                | Unusable::RequiresPython(_)),
            ) => {
                self.reason = Some(new);
                true
            }
            (Some(Unusable::NoCompatibleFile), Unusable::NoCompatibleFile) => true,
            (
                Some(Unusable::Excluded {
                    exclusion,
                    other_files,
                }),
                Unusable::Excluded {
                    exclusion: more,
                    other_files: more_files,
                },
            ) if *exclusion == more => {
                *other_files |= more_files;
                true
            }
            (Some(Unusable::RequiresPython(ranges)), Unusable::RequiresPython(more)) => {
                ranges.extend(more);
                true
            }
            _ => false,
        }
    }
}

fn capitalize(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// Hints for the causes in the tree that a person can act on, one per
/// package and cause.
fn hints(solver: &Solver, tree: &Tree) -> Vec<String> {
    let mut facts = Vec::new();
    collect_facts(tree, &mut facts);
    let mut hints = BTreeSet::new();
    // Per package: the versions that need another Python, those without a
    // wheel for the target, and what the binary options excluded.
    let mut python: BTreeMap<&PackageName, Ranges<Version>> = BTreeMap::new();
    let mut missing: Vec<(&PackageName, &Ranges<Version>)> = Vec::new();
    let mut no_wheel: BTreeMap<&PackageName, Ranges<Version>> = BTreeMap::new();
    let mut excluded: BTreeMap<&PackageName, Exclusion> = BTreeMap::new();
    let widen = |map: &mut BTreeMap<_, Ranges<Version>>, name, range: &Ranges<Version>| {
        let all = map.entry(name).or_insert_with(Ranges::empty);
        *all = all.union(range);
    };
    for fact in facts {
        match fact {
            External::NoVersions(node, range) => {
                if let Some(name) = node.name() {
                    if with_index(solver, name, |index| Some(index.not_found)) == Some(true) {
                        hints.insert(format!(
                            "check the spelling of `{name}`, or name the index that has it \
                             (`--index-url`, `--extra-index-url`, `--find-links`)"
                        ));
                    }
                    hints.extend(prerelease_hint(solver, name, range));
                    missing.push((name, range));
                }
            }
            External::FromDependencyOf(node, range, Node::Python, _) => {
                if let Some(name) = node.name() {
                    widen(&mut python, name, range);
                }
            }
            External::Custom(node, range, reason) => {
                let Some(name) = node.name() else {
                    continue;
                };
                match (reason, range.as_singleton()) {
                    (Unusable::Yanked(_), Some(version)) => {
                        hints.insert(format!(
                            "{name}=={version} was yanked, so it is only used when pinned exactly \
                             (`{name}=={version}`)"
                        ));
                    }
                    (Unusable::SdistOnly, Some(version)) => {
                        hints.insert(format!(
                            "{name}=={version} has only a source distribution; building from source \
                             is not supported yet, so that version was skipped"
                        ));
                    }
                    (Unusable::RequiresPython(_), _) => {
                        hints.extend(prerelease_hint(solver, name, range));
                        widen(&mut python, name, range);
                    }
                    (Unusable::NoCompatibleFile, _) => widen(&mut no_wheel, name, range),
                    (Unusable::Excluded { exclusion, .. }, _) => {
                        excluded.insert(name, *exclusion);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for (name, range) in &python {
        hints.extend(requires_python_hint(solver, name, range));
    }
    for (name, range) in missing {
        if !python.contains_key(name) {
            hints.extend(requires_python_hint(solver, name, range));
        }
    }
    for (name, range) in &no_wheel {
        hints.extend(no_wheel_hint(solver, name, range));
    }
    for (name, exclusion) in excluded {
        hints.insert(match exclusion {
            Exclusion::OnlyBinary => format!(
                "to build {name} from its source distribution, leave it out of `--only-binary` \
                 (and do not pass `--no-build`)"
            ),
            Exclusion::NoBinary => {
                format!("to install {name} from a wheel, leave it out of `--no-binary`")
            }
        });
    }
    hints.into_iter().collect()
}

/// Which platforms (or Pythons, or ABIs) the wheels of `name` are for,
/// when none is for the target.
fn no_wheel_hint(solver: &Solver, name: &PackageName, range: &Ranges<Version>) -> Option<String> {
    let Compatibility::Target { tags, .. } = solver.compatibility() else {
        return None;
    };
    let mismatch = with_index(solver, name, |index| {
        wheel_mismatch(tags, &index.map, range)
    })?;
    let (version, available) = mismatch.available?;
    let list = available
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (what, flag) = match mismatch.part {
        TagPart::Platform => ("platforms", "`--python-platform`"),
        TagPart::Python => ("Python tags", "`--python-version`"),
        TagPart::Abi => ("ABI tags", "`--python`"),
    };
    Some(format!(
        "wheels of {name} (the newest, {version}) are available for these {what}: {list}; \
         to resolve for one of them, use {flag}"
    ))
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

/// A pre-release in `range` that the policy held back and that would
/// have been usable (one that needs another Python, or has no file for
/// the target, would not help).
fn prerelease_hint(solver: &Solver, name: &PackageName, range: &Ranges<Version>) -> Option<String> {
    if solver.selector().prerelease_mode(name) == PrereleaseMode::Allow {
        return None;
    }
    with_index(solver, name, |index| {
        if solver.selector().allows_prereleases(name, &index.map) {
            return None;
        }
        let newest = index.map.in_range(range).rev().find(|e| {
            e.version.is_prerelease()
                && matches!(e.status, Status::Usable { .. })
                && python_excluding(solver, name, e).is_none()
        })?;
        Some(format!(
            "pre-releases are available for {name} in the requested range (e.g. {}), but \
             pre-releases were not enabled (try `--prerelease=allow`, or require a pre-release \
             explicitly, like `{name}>={}`)",
            newest.version, newest.version
        ))
    })
}

/// The Requires-Python of `entry` when it excludes the target: from the
/// files (yanked or not), or from metadata the resolver already read.
fn python_excluding(
    solver: &Solver,
    name: &PackageName,
    entry: &VersionEntry,
) -> Option<SpecifierSet> {
    let spec = match entry.effective_status(true) {
        Status::RequiresPython(spec) => spec.clone(),
        _ => {
            let metadata = solver.fetcher().known_metadata(name, &entry.version)?;
            metadata.as_ref().as_ref().ok()?.requires_python.clone()?
        }
    };
    (!spec.contains(solver.python())).then_some(spec)
}

/// Every version of `name` in `range` (that the pre-release policy lets
/// in) requires another Python: says so once, with the newest one's
/// Requires-Python as the way out.
fn requires_python_hint(
    solver: &Solver,
    name: &PackageName,
    range: &Ranges<Version>,
) -> Option<String> {
    with_index(solver, name, |index| {
        let prereleases = solver.selector().prerelease_mode(name) == PrereleaseMode::Allow
            || solver.selector().allows_prereleases(name, &index.map);
        let entries: Vec<_> = index
            .map
            .in_range(range)
            .filter(|e| prereleases || !e.version.is_prerelease())
            .collect();
        let newest = entries.last()?;
        if !entries
            .iter()
            .all(|e| python_excluding(solver, name, e).is_some())
        {
            return None;
        }
        let spec = python_excluding(solver, name, newest)?;
        let python = solver.python();
        let flag = match spec.to_ranges().bounding_range() {
            Some((Bound::Included(lowest), _)) if lowest > python => {
                format!("`--python-version {lowest}`")
            }
            _ => "`--python-version`".to_owned(),
        };
        Some(format!(
            "no version of {name} in the requested range supports the target Python {python}; \
             the newest, {name}=={}, requires Python{spec}: resolve for a Python it supports \
             ({flag})",
            newest.version
        ))
    })
}
