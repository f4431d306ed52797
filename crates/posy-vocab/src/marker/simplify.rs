//! Simplification, so that markers built by combining others stay readable.
//!
//! [`MarkerTree::simplify`] rewrites bottom-up, in one pass per group:
//! flatten and drop duplicates; fold constants (a comparison between two
//! strings is a constant, as is `python_version < "0"`); merge bounds on one
//! version variable (`python_version >= "3.8" and python_version >= "3.9"` is
//! `python_version >= "3.9"`; disjoint bounds make an `and` false, and
//! overlapping lower-and-upper bounds make an `or` true); a comparison and
//! its exact negation make an `and` false and an `or` true; absorption
//! (`a or (a and b)` is `a`).
//!
//! Every rewrite is exact under the evaluation rules, with one assumption:
//! that the interpreter's `python_version`, `python_full_version` and
//! `implementation_version` are PEP 440 versions (they always are).
//! `platform_release` often is not, so only the rewrites that stay exact
//! when it does not parse are applied to it. Bounds are merged only when
//! they are plain release numbers (`3.8`, `3.10.2`), where PEP 440's special
//! cases for pre-, post- and local releases cannot change the answer.

use std::cmp::Ordering;
use std::str::FromStr;

use super::environment::{MarkerEnvironment, MarkerValues};
use super::evaluate::Context;
use super::expression::{MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable};
use super::tree::{MarkerTree, Node, is_number};
use crate::version::Version;

impl MarkerTree {
    /// An equivalent, simpler marker (see the rules at the top of this file):
    /// no duplicates, no constants inside, absorbed groups removed, bounds on
    /// one version variable merged.
    pub fn simplify(&self) -> MarkerTree {
        match &self.0 {
            Node::True | Node::False => self.clone(),
            Node::Expression(e) => match fold_expression(e) {
                Some(true) => MarkerTree::TRUE,
                Some(false) => MarkerTree::FALSE,
                None => self.clone(),
            },
            Node::And(c) => simplify_group(c.iter().map(MarkerTree::simplify).collect(), true),
            Node::Or(c) => simplify_group(c.iter().map(MarkerTree::simplify).collect(), false),
        }
    }
}

/// The value of a comparison that does not depend on the environment.
fn fold_expression(e: &MarkerExpression) -> Option<bool> {
    match (e.lhs(), e.rhs()) {
        (MarkerOperand::Literal(_), MarkerOperand::Literal(_)) => {
            let env = MarkerEnvironment::new(MarkerValues::default());
            Some(
                Context {
                    env: &env,
                    extras: &[],
                    groups: &[],
                }
                .evaluate(e),
            )
        }
        _ => {
            let bound = Bound::of(e)?;
            // Nothing is below version 0: `< "0"` never holds.
            let zero = bound.version.release().iter().all(|&n| n == 0);
            (zero && bound.op == MarkerOperator::LessThan).then_some(false)
        }
    }
}

fn simplify_group(children: Vec<MarkerTree>, conjunction: bool) -> MarkerTree {
    let join = |c: Vec<MarkerTree>| {
        if conjunction {
            MarkerTree::all(c)
        } else {
            MarkerTree::any(c)
        }
    };
    // The constant that decides the whole group (false for `and`).
    let absorbing = if conjunction {
        MarkerTree::FALSE
    } else {
        MarkerTree::TRUE
    };
    let children = match (join(children).0, conjunction) {
        (Node::And(c), true) | (Node::Or(c), false) => c,
        (node, _) => return MarkerTree(node),
    };
    let Some(children) = merge_bounds(children, conjunction) else {
        return absorbing;
    };
    if has_complementary_pair(&children) {
        return absorbing;
    }
    join(absorb(children, conjunction))
}

/// `variable <op> "X.Y.Z"` with an ordering operator and a plain release.
struct Bound {
    variable: MarkerVariable,
    op: MarkerOperator,
    version: Version,
}

impl Bound {
    fn of(e: &MarkerExpression) -> Option<Bound> {
        let (variable, op, value) = e.as_variable_comparison()?;
        let ordering = matches!(
            op,
            MarkerOperator::LessThan
                | MarkerOperator::LessThanEqual
                | MarkerOperator::GreaterThan
                | MarkerOperator::GreaterThanEqual
        );
        if !(variable.is_version() && ordering && value.split('.').all(is_number)) {
            return None;
        }
        let version = Version::from_str(value).ok()?;
        Some(Bound {
            variable,
            op,
            version,
        })
    }

    fn is_lower(&self) -> bool {
        matches!(
            self.op,
            MarkerOperator::GreaterThan | MarkerOperator::GreaterThanEqual
        )
    }

    fn is_strict(&self) -> bool {
        matches!(
            self.op,
            MarkerOperator::GreaterThan | MarkerOperator::LessThan
        )
    }

    /// Orders bounds of the same direction by the set they admit: `Less`
    /// means `self` admits fewer versions (is tighter).
    fn tightness(&self, other: &Bound) -> Ordering {
        let by_version = self.version.cmp(&other.version);
        let by_version = if self.is_lower() {
            by_version.reverse()
        } else {
            by_version
        };
        // At the same version, the strict bound admits less.
        by_version.then_with(|| other.is_strict().cmp(&self.is_strict()))
    }
}

/// Variables whose value always parses as a version in a real interpreter.
fn always_parses(variable: MarkerVariable) -> bool {
    matches!(
        variable,
        MarkerVariable::PythonVersion
            | MarkerVariable::PythonFullVersion
            | MarkerVariable::ImplementationVersion
    )
}

/// The bounds kept for one variable: the variable, its position in the
/// output, and the chosen lower and upper bound with the tree it came from.
type Slot = (
    MarkerVariable,
    usize,
    Option<(Bound, MarkerTree)>,
    Option<(Bound, MarkerTree)>,
);

/// Keeps the tightest (for `and`) or loosest (for `or`) lower and upper
/// bound per version variable, where the first bound of that variable was.
/// `None` when the bounds decide the whole group.
fn merge_bounds(children: Vec<MarkerTree>, conjunction: bool) -> Option<Vec<MarkerTree>> {
    let mut out: Vec<MarkerTree> = Vec::with_capacity(children.len());
    // Per variable: its slot in `out`, the chosen lower and upper bounds.
    let mut slots: Vec<Slot> = Vec::new();
    for child in children {
        let bound = match &child.0 {
            Node::Expression(e) => Bound::of(e),
            _ => None,
        };
        let Some(bound) = bound else {
            out.push(child);
            continue;
        };
        let index = match slots.iter().position(|s| s.0 == bound.variable) {
            Some(i) => i,
            None => {
                slots.push((bound.variable, out.len(), None, None));
                out.push(MarkerTree::TRUE); // placeholder, replaced below
                slots.len() - 1
            }
        };
        let slot = &mut slots[index];
        let current = if bound.is_lower() {
            &mut slot.2
        } else {
            &mut slot.3
        };
        let replace = match current {
            None => true,
            Some((kept, _)) => {
                let order = bound.tightness(kept);
                if conjunction {
                    order == Ordering::Less
                } else {
                    order == Ordering::Greater
                }
            }
        };
        if replace {
            *current = Some((bound, child));
        }
    }
    // Fill the placeholders from the back so earlier indices stay valid.
    for (variable, at, lower, upper) in slots.into_iter().rev() {
        if let (Some((l, _)), Some((u, _))) = (&lower, &upper) {
            let order = l.version.cmp(&u.version);
            if conjunction {
                let empty = order == Ordering::Greater
                    || (order == Ordering::Equal && (l.is_strict() || u.is_strict()));
                if empty {
                    return None;
                }
            } else {
                // Overlapping bounds cover every value. Bounds that meet
                // (`x >= a or x < a`) do only for `python_version`, which
                // is always a plain `X.Y`: a full version can be a
                // pre-release of `a`, which PEP 440's `<` excludes and
                // `>=` does not reach.
                let meet = order == Ordering::Equal
                    && variable == MarkerVariable::PythonVersion
                    && !(l.is_strict() && u.is_strict());
                let covers = order == Ordering::Less || meet;
                if covers && always_parses(variable) {
                    return None;
                }
            }
        }
        let kept: Vec<MarkerTree> = lower.into_iter().chain(upper).map(|(_, m)| m).collect();
        out.splice(at..at + 1, kept);
    }
    Some(out)
}

/// Whether some child is the exact negation of another (`==`/`!=` or
/// `in`/`not in` on the same operands), which decides the group.
fn has_complementary_pair(children: &[MarkerTree]) -> bool {
    children.iter().enumerate().any(|(i, a)| {
        let Node::Expression(e) = &a.0 else {
            return false;
        };
        let exact = match e.operator() {
            MarkerOperator::In | MarkerOperator::NotIn => true,
            MarkerOperator::Equal | MarkerOperator::NotEqual => {
                e.key().is_none_or(|k| !k.is_version() || always_parses(k))
            }
            _ => false,
        };
        if !exact {
            return false;
        }
        let Some(negated) = e.negate() else {
            return false;
        };
        children[i + 1..]
            .iter()
            .any(|b| matches!(&b.0, Node::Expression(other) if *other == negated))
    })
}

/// Removes every child made redundant by another (absorption). In an `or`,
/// a child `a and b and c` goes when `a and b` (or `a`) is also a child; in
/// an `and`, dually. Of two children that say the same, the first stays.
fn absorb(children: Vec<MarkerTree>, conjunction: bool) -> Vec<MarkerTree> {
    // The terms of each child as seen from the inner operator: the children
    // of an inner group of the other kind, or the child alone.
    let terms: Vec<&[MarkerTree]> = children
        .iter()
        .map(|c| match (&c.0, conjunction) {
            (Node::Or(inner), true) | (Node::And(inner), false) => inner.as_slice(),
            _ => std::slice::from_ref(c),
        })
        .collect();
    let subset = |a: &[MarkerTree], b: &[MarkerTree]| a.iter().all(|t| b.contains(t));
    let redundant = |i: usize| {
        (0..children.len())
            .any(|j| j != i && subset(terms[j], terms[i]) && (j < i || !subset(terms[i], terms[j])))
    };
    let keep: Vec<bool> = (0..children.len()).map(|i| !redundant(i)).collect();
    children
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(s: &str) -> String {
        s.parse::<MarkerTree>().unwrap().simplify().to_string()
    }

    #[test]
    fn simplification_table() {
        for (input, want) in [
            ("os_name == 'a' and os_name == 'a'", "os_name == \"a\""),
            (
                "os_name == 'a' or (os_name == 'a' and sys_platform == 'x')",
                "os_name == \"a\"",
            ),
            (
                "os_name == 'a' and (os_name == 'a' or sys_platform == 'x')",
                "os_name == \"a\"",
            ),
            (
                "(os_name == 'a' and sys_platform == 'x') or (sys_platform == 'x' and os_name == 'a')",
                "os_name == \"a\" and sys_platform == \"x\"",
            ),
            (
                "python_version >= '3.8' and python_version >= '3.9'",
                "python_version >= \"3.9\"",
            ),
            (
                "python_version >= '3.8' or python_version >= '3.9'",
                "python_version >= \"3.8\"",
            ),
            (
                "implementation_name == 'pypy' or python_version >= '3.14' or python_version < '3.14'",
                "",
            ),
            (
                "python_version > '3.14' or python_version < '3.14'",
                "python_version > \"3.14\" or python_version < \"3.14\"",
            ),
            ("python_version > '3.14' or python_version <= '3.14'", ""),
            (
                "python_version > '3.8' and python_version >= '3.8'",
                "python_version > \"3.8\"",
            ),
            (
                "python_version < '3.12' and python_version >= '3.8' and python_version < '3.10'",
                "python_version >= \"3.8\" and python_version < \"3.10\"",
            ),
            (
                "python_version < '3.8' and python_version >= '3.8'",
                "python_version < \"0\"",
            ),
            ("python_version < '3.8' or python_version >= '3.7'", ""),
            ("python_version < '3.8' or python_version >= '3.8'", ""),
            (
                "python_full_version < '3.8' or python_full_version >= '3.8'",
                "python_full_version >= \"3.8\" or python_full_version < \"3.8\"",
            ),
            (
                "platform_release < '6' or platform_release >= '5'",
                "platform_release >= \"5\" or platform_release < \"6\"",
            ),
            ("extra == 'a' or extra != 'a'", ""),
            (
                "'x' in extras and 'x' not in extras",
                "python_version < \"0\"",
            ),
            (
                "os_name == 'a' and ('a' == 'b' or sys_platform == 'x')",
                "os_name == \"a\" and sys_platform == \"x\"",
            ),
            ("'a' == 'a' and os_name == 'nt'", "os_name == \"nt\""),
            (
                "python_version < '0' or os_name == 'nt'",
                "os_name == \"nt\"",
            ),
            (
                "python_version >= '3.8.0rc1' and python_version >= '3.9'",
                "python_version >= \"3.8.0rc1\" and python_version >= \"3.9\"",
            ),
        ] {
            assert_eq!(simple(input), want, "{input}");
        }
    }
}
