//! Printing a set back as a [`MarkerTree`].
//!
//! The diagram is walked into a disjunction of paths, one per (node, child)
//! pair, each path the conjunction of the conditions on the way. Two things
//! keep it short. Edges leading to the same child are one condition
//! (`sys_platform == "darwin" or sys_platform == "linux"`). And a condition
//! is widened to the values of every other child that contains this one:
//! the path through a child `c` may also take the values that lead to a
//! `d ⊇ c`, since what it then adds is inside `d`'s own paths; when that
//! covers every value, the variable is not mentioned at all. This is what
//! turns the diagram of `a or b` back into `a or b` instead of
//! `a or (not a and b)`. Dually, the path through `c` then only has to
//! print `c` where those smaller children do not hold, which
//! `Interner::restrict` makes use of. [`MarkerTree::simplify`] finishes the
//! job.
//!
//! Version ranges are printed bound by bound, with the specifier that makes
//! each one exactly (the `X.Y.dev0` bounds as `python_version`, the point
//! after `V`'s local versions as `<= V` / `> V`), and whole ranges that are
//! one `==`/`!=` or prefix match as that. The complement of
//! `python_full_version >= "V"` below a final `V` has no single specifier
//! (it contains `V`'s pre-releases, which `< V` leaves out) and prints as
//! `<= V and != V`. An atom that does not hold prints as the comparison that
//! means exactly that when there is one, else as [`MarkerTree::negate`]'s
//! approximation (`platform_release >= "5"` has no exact negation).

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use version_ranges::Ranges;

use super::super::expression::{MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable};
use super::super::tree::MarkerTree;
use super::diagram::{Edges, FALSE, Interner, Node, NodeId, TRUE, Variable};
use crate::version::Version;

impl Interner {
    pub(super) fn print_tree(&mut self, id: NodeId) -> MarkerTree {
        let mut terms = Vec::new();
        self.collect_terms(id, &mut Vec::new(), &mut terms);
        MarkerTree::any(terms.into_iter().map(MarkerTree::all)).simplify()
    }

    fn collect_terms(
        &mut self,
        id: NodeId,
        path: &mut Vec<MarkerTree>,
        terms: &mut Vec<Vec<MarkerTree>>,
    ) {
        match id {
            TRUE => return terms.push(path.clone()),
            FALSE => return,
            _ => {}
        }
        let node = self.node(id);
        let conditions = self.conditions(&node);
        for (child, condition) in &conditions {
            // The children inside this one print their own paths over this
            // child's values too (they were widened to them), so this path
            // only needs what they leave out.
            let mut covered = FALSE;
            for (other, _) in &conditions {
                if other != child && self.is_subset(*other, *child) {
                    covered = self.or(covered, *other);
                }
            }
            let rest = self.negate(covered);
            let needed = self.restrict(*child, rest);
            let len = path.len();
            path.extend(condition.clone());
            self.collect_terms(needed, path, terms);
            path.truncate(len);
        }
    }

    /// For each child other than false, in a stable order, the widened
    /// condition to reach it (`None` when it is every value).
    fn conditions(&mut self, node: &Node) -> Vec<(NodeId, Option<MarkerTree>)> {
        match (&node.var, &node.edges) {
            (var, Edges::String { values, other }) => {
                let variable = var.marker_variable().expect("a string variable");
                let mut groups: Vec<(NodeId, Strings)> = Vec::new();
                for (value, child) in values.iter() {
                    match groups.iter_mut().find(|g| g.0 == *child) {
                        Some(group) => {
                            group.1.values.insert(value.clone());
                        }
                        None => groups.push((*child, Strings::one(value.clone()))),
                    }
                }
                let all = values.iter().map(|e| e.0.clone()).collect();
                groups.push((
                    *other,
                    Strings {
                        negated: true,
                        values: all,
                    },
                ));
                self.widen(groups, Strings::union)
                    .into_iter()
                    .map(|(child, set)| (child, set.to_tree(variable)))
                    .collect()
            }
            (var, Edges::Version(edges)) => {
                let variable = var.marker_variable().expect("a version variable");
                let mut widened = self.widen(
                    edges.iter().map(|(r, c)| (*c, r.clone())).collect(),
                    |a: &Ranges<Version>, b| a.union(b),
                );
                widened.sort_by(|a, b| a.1.cmp(&b.1));
                widened
                    .into_iter()
                    .map(|(child, range)| (child, version_condition(variable, &range)))
                    .collect()
            }
            (Variable::Atom(atom), Edges::Atom { yes, no }) => {
                // The values of each child: (holds, does not hold).
                let groups = vec![(*yes, (true, false)), (*no, (false, true))];
                self.widen(groups, |a, b| (a.0 || b.0, a.1 || b.1))
                    .into_iter()
                    .map(|(child, sides)| {
                        let condition = match sides {
                            (true, true) => None,
                            (true, false) => {
                                Some(MarkerTree::expression(atom.expression().clone()))
                            }
                            _ => Some(atom.negated_tree()),
                        };
                        (child, condition)
                    })
                    .collect()
            }
            (_, Edges::Atom { .. }) => unreachable!("only atoms have boolean edges"),
        }
    }

    /// Drops the false child and adds to each child's values those of every
    /// child that contains it.
    fn widen<S: Clone>(
        &mut self,
        groups: Vec<(NodeId, S)>,
        union: impl Fn(&S, &S) -> S,
    ) -> Vec<(NodeId, S)> {
        let mut out = Vec::with_capacity(groups.len());
        for (i, (child, set)) in groups.iter().enumerate() {
            if *child == FALSE {
                continue;
            }
            let mut set = set.clone();
            for (j, (other, values)) in groups.iter().enumerate() {
                if i != j && self.is_subset(*child, *other) {
                    set = union(&set, values);
                }
            }
            out.push((*child, set));
        }
        out
    }
}

/// A set of strings: `values`, or every string but them.
#[derive(Clone)]
struct Strings {
    negated: bool,
    values: BTreeSet<Arc<str>>,
}

impl Strings {
    fn one(value: Arc<str>) -> Strings {
        Strings {
            negated: false,
            values: BTreeSet::from([value]),
        }
    }

    fn union(&self, other: &Strings) -> Strings {
        let values = match (self.negated, other.negated) {
            (false, false) => self.values.union(&other.values).cloned().collect(),
            (true, true) => self.values.intersection(&other.values).cloned().collect(),
            (true, false) => self.values.difference(&other.values).cloned().collect(),
            (false, true) => other.values.difference(&self.values).cloned().collect(),
        };
        Strings {
            negated: self.negated || other.negated,
            values,
        }
    }

    fn to_tree(&self, variable: MarkerVariable) -> Option<MarkerTree> {
        if self.negated && self.values.is_empty() {
            return None;
        }
        let op = if self.negated {
            MarkerOperator::NotEqual
        } else {
            MarkerOperator::Equal
        };
        let each = self.values.iter().map(|v| comparison(variable, op, v));
        Some(if self.negated {
            MarkerTree::all(each)
        } else {
            MarkerTree::any(each)
        })
    }
}

/// `variable <op> "value"`.
fn comparison(variable: MarkerVariable, op: MarkerOperator, value: &str) -> MarkerTree {
    let e = MarkerExpression::build(
        MarkerOperand::Variable(variable),
        op,
        MarkerOperand::literal(value),
    )
    .expect("values and versions are valid marker strings");
    MarkerTree::expression(e)
}

/// The condition `variable in range`, `None` for every version.
fn version_condition(variable: MarkerVariable, range: &Ranges<Version>) -> Option<MarkerTree> {
    if range == &Ranges::full() {
        return None;
    }
    let complement = range.complement();
    if let Some((lo, hi)) = complement.iter().next()
        && complement.iter().count() == 1
        && let Some(not) = one_comparison(variable, lo, hi, true)
    {
        return Some(not);
    }
    Some(MarkerTree::any(range.iter().map(|(lo, hi)| {
        one_comparison(variable, lo, hi, false).unwrap_or_else(|| {
            MarkerTree::all(lower(variable, lo).into_iter().chain(upper(variable, hi)))
        })
    })))
}

/// The segment as one `==` (or `!=` when `negated`): `== V` for `V` and
/// its local versions, `== P.*` (`python_version == X.Y`) for a prefix.
fn one_comparison(
    variable: MarkerVariable,
    lo: &Bound<Version>,
    hi: &Bound<Version>,
    negated: bool,
) -> Option<MarkerTree> {
    let op = if negated {
        MarkerOperator::NotEqual
    } else {
        MarkerOperator::Equal
    };
    match (lo, hi) {
        (Bound::Included(x), Bound::Included(y)) if y.before_locals().as_ref() == Some(x) => {
            Some(comparison(variable, op, &x.to_string()))
        }
        (Bound::Included(p), Bound::Excluded(q)) => {
            let prefix = prefix_between(p, q)?;
            let text: Vec<String> = prefix.iter().map(u64::to_string).collect();
            if variable == MarkerVariable::PythonFullVersion && prefix.len() == 2 {
                Some(comparison(
                    MarkerVariable::PythonVersion,
                    op,
                    &text.join("."),
                ))
            } else {
                Some(comparison(variable, op, &format!("{}.*", text.join("."))))
            }
        }
        _ => None,
    }
}

/// The release prefix `P` whose versions are exactly `[p, q)`, if any:
/// `p` is `P.dev0` and `q` is the next prefix's `.dev0`.
fn prefix_between(p: &Version, q: &Version) -> Option<Vec<u64>> {
    let next = plain_dev0(q)?;
    let significant = next.iter().rposition(|&n| n != 0)?;
    let mut prefix = next[..=significant].to_vec();
    prefix[significant] -= 1;
    let lowest = Version::new(prefix.iter().copied()).with_dev(Some(0));
    (plain_dev0(p).is_some() && lowest == *p).then_some(prefix)
}

/// The release of `X.Y.Z.dev0` (epoch 0, nothing else), else `None`.
fn plain_dev0(v: &Version) -> Option<Vec<u64>> {
    let plain = v.epoch() == 0
        && v.dev() == Some(0)
        && v.pre().is_none()
        && v.post().is_none()
        && !v.is_local()
        && v.before_locals().is_none();
    plain.then(|| v.release().to_vec())
}

/// `X.Y` when `v` is `X.Y.dev0`, the lowest full version of a
/// `python_version`.
fn minor_start(v: &Version) -> Option<String> {
    let release = plain_dev0(v)?;
    let significant = release.iter().rposition(|&n| n != 0).map_or(0, |i| i + 1);
    (significant <= 2).then(|| {
        let minor = release.get(1).copied().unwrap_or(0);
        format!("{}.{minor}", release[0])
    })
}

/// The comparisons that make the lower bound `bound`.
fn lower(variable: MarkerVariable, bound: &Bound<Version>) -> Vec<MarkerTree> {
    use MarkerOperator::{GreaterThan, GreaterThanEqual};
    match bound {
        Bound::Unbounded => vec![],
        Bound::Included(v) | Bound::Excluded(v) if v.before_locals().is_some() => {
            let base = v.before_locals().expect("checked");
            vec![comparison(variable, GreaterThan, &base.to_string())]
        }
        Bound::Included(v) => match minor_start(v) {
            Some(minor) if variable == MarkerVariable::PythonFullVersion => vec![comparison(
                MarkerVariable::PythonVersion,
                GreaterThanEqual,
                &minor,
            )],
            _ => vec![comparison(variable, GreaterThanEqual, &v.to_string())],
        },
        // Not produced by any comparison: above a real version but below
        // its local versions.
        Bound::Excluded(v) => vec![comparison(variable, GreaterThan, &v.to_string())],
    }
}

/// The comparisons that make the upper bound `bound`.
fn upper(variable: MarkerVariable, bound: &Bound<Version>) -> Vec<MarkerTree> {
    use MarkerOperator::{LessThan, LessThanEqual, NotEqual};
    match bound {
        Bound::Unbounded => vec![],
        Bound::Included(v) | Bound::Excluded(v) if v.before_locals().is_some() => {
            let base = v.before_locals().expect("checked");
            vec![comparison(variable, LessThanEqual, &base.to_string())]
        }
        Bound::Excluded(v) => {
            if let Some(minor) = minor_start(v)
                && variable == MarkerVariable::PythonFullVersion
            {
                return vec![comparison(MarkerVariable::PythonVersion, LessThan, &minor)];
            }
            // `< W` for a final or post-release `W` ends at `W.dev0`.
            let final_of_dev0 = (v.dev() == Some(0) && !v.is_local())
                .then(|| v.clone().with_dev(None))
                .filter(|w| !w.is_prerelease());
            match final_of_dev0 {
                Some(w) => vec![comparison(variable, LessThan, &w.to_string())],
                None if v.is_prerelease() => vec![comparison(variable, LessThan, &v.to_string())],
                None => vec![
                    comparison(variable, LessThanEqual, &v.to_string()),
                    comparison(variable, NotEqual, &v.to_string()),
                ],
            }
        }
        // Not produced by any comparison: a real version without its locals.
        Bound::Included(v) => vec![comparison(variable, LessThanEqual, &v.to_string())],
    }
}
