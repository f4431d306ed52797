//! The marker expression tree and the operations that build and print it.
//!
//! The tree is kept in one shape, whoever builds it: an `and` never has an
//! `and` child and an `or` never has an `or` child (they are flattened), a
//! group always has at least two children, and the constants true and false
//! only ever appear as the whole tree. That shape is what makes printing
//! canonical and parsing the printout give back an equal tree.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::environment::MarkerEnvironment;
use super::expression::{MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable};
use super::parse::parse_marker;
use crate::{ExtraName, GroupName, ParseError};

/// A parsed PEP 508 marker expression, such as
/// `python_version >= "3.8" and (sys_platform == "win32" or extra == "socks")`.
///
/// Parse with `str::parse`; print with `Display` (canonical, double quotes,
/// PEP 508 names for the legacy `os.name`-style variables, parentheses only
/// where needed), which parses back to an equal tree. Evaluation follows
/// pypa/packaging: version variables compare as PEP 440 specifiers when the
/// string is a version, other comparisons use string rules (`<`/`>` on
/// non-versions never hold, `<=`/`>=` mean equal, `in` is a substring test),
/// and comparisons packaging would reject at evaluation time are false.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MarkerTree(pub(crate) Node);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    True,
    False,
    Expression(MarkerExpression),
    And(Vec<MarkerTree>),
    Or(Vec<MarkerTree>),
}

/// A view of one level of a [`MarkerTree`], for code that walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind<'a> {
    /// Always true (no marker).
    True,
    /// Always false.
    False,
    /// A single comparison.
    Expression(&'a MarkerExpression),
    /// All of these (at least two, none of them an `And`).
    And(&'a [MarkerTree]),
    /// Any of these (at least two, none of them an `Or`).
    Or(&'a [MarkerTree]),
}

impl MarkerTree {
    /// The marker that always holds: the absence of a marker.
    pub const TRUE: MarkerTree = MarkerTree(Node::True);
    /// The marker that never holds.
    pub const FALSE: MarkerTree = MarkerTree(Node::False);

    /// Parses a marker expression (what follows `;` in a requirement).
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        parse_marker(input)
    }

    /// A tree of one comparison.
    pub fn expression(expression: MarkerExpression) -> Self {
        Self(Node::Expression(expression))
    }

    /// One level of the tree.
    pub fn kind(&self) -> MarkerKind<'_> {
        match &self.0 {
            Node::True => MarkerKind::True,
            Node::False => MarkerKind::False,
            Node::Expression(e) => MarkerKind::Expression(e),
            Node::And(c) => MarkerKind::And(c),
            Node::Or(c) => MarkerKind::Or(c),
        }
    }

    /// Whether this is the always-true marker (as built, not as evaluated:
    /// `os_name == "nt" or os_name != "nt"` is not, until simplified).
    pub fn is_true(&self) -> bool {
        matches!(self.0, Node::True)
    }

    /// Whether this is the always-false marker.
    pub fn is_false(&self) -> bool {
        matches!(self.0, Node::False)
    }

    /// `self and other`, flattened, with constants folded and exact
    /// duplicates dropped.
    pub fn and(self, other: MarkerTree) -> MarkerTree {
        Self::all([self, other])
    }

    /// `self or other`, flattened, with constants folded and exact duplicates
    /// dropped.
    pub fn or(self, other: MarkerTree) -> MarkerTree {
        Self::any([self, other])
    }

    /// All of the given markers (true for none).
    pub fn all(markers: impl IntoIterator<Item = MarkerTree>) -> MarkerTree {
        combine(markers, true)
    }

    /// Any of the given markers (false for none).
    pub fn any(markers: impl IntoIterator<Item = MarkerTree>) -> MarkerTree {
        combine(markers, false)
    }

    /// The marker that holds where this one does not, by De Morgan's laws
    /// down to single comparisons, which get the complementary operator.
    ///
    /// Two cases are approximations, because PEP 508 has no `not`:
    /// - `<`/`>=` and `>`/`<=` on a version variable are exact complements
    ///   except at pre-, post- and local releases *of the bound itself*
    ///   (PEP 440 excludes `3.13.0rc1` from both `< "3.13"` and
    ///   `>= "3.13"`), which never arise for `python_version` and rarely for
    ///   `python_full_version`.
    /// - `~=` is expanded to the two comparisons it stands for (`~= "X.Y"` is
    ///   `>= "X.Y"` and `== "X.*"`) before negating. `===`, `~=` with the
    ///   variable on the right (`"3.10" ~= python_version`, whose prefix
    ///   comes from the environment) and `~=` on a string that is not a
    ///   version have no PEP 508 negation; they negate to `!=`, which is
    ///   right for plain strings but only approximate for versions.
    pub fn negate(&self) -> MarkerTree {
        match &self.0 {
            Node::True => Self::FALSE,
            Node::False => Self::TRUE,
            Node::And(children) => Self::any(children.iter().map(Self::negate)),
            Node::Or(children) => Self::all(children.iter().map(Self::negate)),
            Node::Expression(e) => negate_expression(e),
        }
    }

    /// Evaluates the marker for an environment and a set of active extras.
    /// `"name" in dependency_groups` is false (no groups are active); see
    /// [`MarkerTree::evaluate_with_groups`].
    pub fn evaluate(&self, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        self.evaluate_with_groups(env, extras, &[])
    }

    /// Evaluates the marker for an environment, a set of active extras and a
    /// set of active dependency groups (the lock-file context of PEP 751).
    pub fn evaluate_with_groups(
        &self,
        env: &MarkerEnvironment,
        extras: &[ExtraName],
        groups: &[GroupName],
    ) -> bool {
        let ctx = super::evaluate::Context {
            env,
            extras,
            groups,
        };
        self.evaluate_in(&ctx)
    }

    fn evaluate_in(&self, ctx: &super::evaluate::Context<'_>) -> bool {
        match &self.0 {
            Node::True => true,
            Node::False => false,
            Node::Expression(e) => ctx.evaluate(e),
            Node::And(c) => c.iter().all(|m| m.evaluate_in(ctx)),
            Node::Or(c) => c.iter().any(|m| m.evaluate_in(ctx)),
        }
    }

    /// Every extra this marker mentions (`extra == "x"`, `"x" in extras`, in
    /// any position and with any operator), sorted and without duplicates.
    /// Strings that are not valid extra names are skipped.
    pub fn extras_referenced(&self) -> Vec<ExtraName> {
        let mut out = Vec::new();
        self.for_each_expression(&mut |e| out.extend(e.extra_name()));
        out.sort();
        out.dedup();
        out
    }

    /// Replaces every comparison on `extra` or `extras` with its value when
    /// exactly `extras` are active, and folds the constants away. What is
    /// left depends on the environment only.
    pub fn simplify_extras(&self, extras: &[ExtraName]) -> MarkerTree {
        self.map_expressions(&mut |e| {
            let touches_extras = [e.lhs(), e.rhs()].into_iter().any(|o| {
                matches!(
                    o,
                    MarkerOperand::Variable(MarkerVariable::Extra | MarkerVariable::Extras)
                )
            });
            if !touches_extras {
                return None;
            }
            Some(super::evaluate::evaluate_extras_only(e, extras))
        })
    }

    /// Replaces every comparison on `extra`, `extras` or
    /// `dependency_groups` with its value when exactly these extras and
    /// groups are selected (a lock's marker, made single-use for one
    /// selection). What is left depends on the environment only.
    pub fn simplify_selection(&self, extras: &[ExtraName], groups: &[GroupName]) -> MarkerTree {
        self.map_expressions(&mut |e| {
            let touches = |variable: MarkerVariable| {
                [e.lhs(), e.rhs()]
                    .into_iter()
                    .any(|o| *o == MarkerOperand::Variable(variable))
            };
            if touches(MarkerVariable::DependencyGroups) {
                let env = MarkerEnvironment::new(super::environment::MarkerValues::default());
                return Some(
                    super::evaluate::Context {
                        env: &env,
                        extras,
                        groups,
                    }
                    .evaluate(e),
                );
            }
            (touches(MarkerVariable::Extra) || touches(MarkerVariable::Extras))
                .then(|| super::evaluate::evaluate_extras_only(e, extras))
        })
    }

    /// The marker as uv writes it in lock and requirements files: values
    /// in single quotes, unless one contains a single quote. `Display`
    /// quotes every value with `"` unless it contains `"`, so a display
    /// without `'` has only `"` delimiters, and swapping them is exact.
    pub fn to_single_quoted(&self) -> String {
        let text = self.to_string();
        if text.contains('\'') {
            text
        } else {
            text.replace('"', "'")
        }
    }

    /// Calls `f` on every comparison, left to right.
    pub fn for_each_expression(&self, f: &mut impl FnMut(&MarkerExpression)) {
        match &self.0 {
            Node::True | Node::False => {}
            Node::Expression(e) => f(e),
            Node::And(c) | Node::Or(c) => c.iter().for_each(|m| m.for_each_expression(f)),
        }
    }

    /// Rebuilds the tree with some comparisons replaced by constants (where
    /// `f` returns `Some`), folding as it goes.
    pub(crate) fn map_expressions(
        &self,
        f: &mut impl FnMut(&MarkerExpression) -> Option<bool>,
    ) -> MarkerTree {
        match &self.0 {
            Node::True | Node::False => self.clone(),
            Node::Expression(e) => match f(e) {
                Some(true) => Self::TRUE,
                Some(false) => Self::FALSE,
                None => self.clone(),
            },
            Node::And(c) => Self::all(c.iter().map(|m| m.map_expressions(f))),
            Node::Or(c) => Self::any(c.iter().map(|m| m.map_expressions(f))),
        }
    }
}

/// Joins markers with `and` (`conjunction`) or `or`, keeping the tree's shape.
fn combine(markers: impl IntoIterator<Item = MarkerTree>, conjunction: bool) -> MarkerTree {
    let mut children: Vec<MarkerTree> = Vec::new();
    for m in markers {
        match m.0 {
            // The identity element disappears.
            Node::True if conjunction => {}
            Node::False if !conjunction => {}
            // The absorbing element wins.
            Node::False => return MarkerTree::FALSE,
            Node::True => return MarkerTree::TRUE,
            Node::And(c) if conjunction => push_all(&mut children, c),
            Node::Or(c) if !conjunction => push_all(&mut children, c),
            node => push_all(&mut children, vec![MarkerTree(node)]),
        }
    }
    match children.len() {
        0 if conjunction => MarkerTree::TRUE,
        0 => MarkerTree::FALSE,
        1 => children.pop().unwrap_or(MarkerTree::TRUE),
        _ if conjunction => MarkerTree(Node::And(children)),
        _ => MarkerTree(Node::Or(children)),
    }
}

fn push_all(children: &mut Vec<MarkerTree>, new: Vec<MarkerTree>) {
    for m in new {
        if !children.contains(&m) {
            children.push(m);
        }
    }
}

fn negate_expression(e: &MarkerExpression) -> MarkerTree {
    if let Some(n) = e.negate() {
        return MarkerTree::expression(n);
    }
    let rebuild = |op, rhs: &str| {
        MarkerExpression::build(e.lhs().clone(), op, MarkerOperand::literal(rhs))
            .map(MarkerTree::expression)
            .ok()
    };
    // `v ~= "X.Y.Z"` is `v >= "X.Y.Z" and v == "X.Y.*"`.
    if let Some((var, MarkerOperator::TildeEqual, value)) = e.as_variable_comparison() {
        let release = value.split('.').count();
        if var.is_version() && release >= 2 && value.split('.').all(is_number) {
            let prefix: Vec<&str> = value.split('.').take(release - 1).collect();
            let star = format!("{}.*", prefix.join("."));
            if let (Some(lower), Some(prefix)) = (
                rebuild(MarkerOperator::LessThan, value),
                rebuild(MarkerOperator::NotEqual, &star),
            ) {
                return lower.or(prefix);
            }
        }
    }
    let not_equal =
        MarkerExpression::build(e.lhs().clone(), MarkerOperator::NotEqual, e.rhs().clone());
    match not_equal {
        Ok(n) => MarkerTree::expression(n),
        // Unreachable in practice: `!=` is valid wherever `~=`/`===` is.
        Err(_) => MarkerTree::TRUE,
    }
}

pub(crate) fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for MarkerTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Node::True => Ok(()),
            Node::False => f.write_str("python_version < \"0\""),
            Node::Expression(e) => write!(f, "{e}"),
            Node::And(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    if matches!(child.0, Node::Or(_)) {
                        write!(f, "({child})")?;
                    } else {
                        write!(f, "{child}")?;
                    }
                }
                Ok(())
            }
            Node::Or(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    write!(f, "{child}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for MarkerTree {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        parse_marker(s)
    }
}

impl Default for MarkerTree {
    fn default() -> Self {
        Self::TRUE
    }
}

impl From<MarkerExpression> for MarkerTree {
    fn from(e: MarkerExpression) -> Self {
        Self::expression(e)
    }
}

impl Serialize for MarkerTree {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MarkerTree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        if s.trim().is_empty() {
            return Ok(Self::TRUE);
        }
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MarkerTree {
        s.parse().unwrap()
    }

    #[test]
    fn and_or_fold_constants_and_flatten() {
        let a = m("os_name == \"nt\"");
        let b = m("sys_platform == \"win32\"");
        assert_eq!(a.clone().and(MarkerTree::TRUE), a);
        assert!(a.clone().and(MarkerTree::FALSE).is_false());
        assert!(a.clone().or(MarkerTree::TRUE).is_true());
        assert_eq!(a.clone().or(MarkerTree::FALSE), a);
        assert_eq!(a.clone().and(a.clone()), a);
        let ab = a.clone().and(b.clone());
        assert_eq!(
            ab.to_string(),
            "os_name == \"nt\" and sys_platform == \"win32\""
        );
        let abc = ab.and(m("python_version >= \"3\""));
        assert!(matches!(abc.kind(), MarkerKind::And(c) if c.len() == 3));
        let or_in_and = a.clone().or(b.clone()).and(m("extra == \"x\""));
        assert_eq!(
            or_in_and.to_string(),
            "(os_name == \"nt\" or sys_platform == \"win32\") and extra == \"x\""
        );
        assert_eq!(m(&or_in_and.to_string()), or_in_and);
    }

    #[test]
    fn negation_uses_de_morgan_and_complements() {
        let n = m("python_version < \"3.8\" and (os_name == \"nt\" or \"x\" in extras)").negate();
        assert_eq!(
            n.to_string(),
            "python_version >= \"3.8\" or os_name != \"nt\" and \"x\" not in extras"
        );
        assert_eq!(
            m("python_version ~= \"3.8.1\"").negate().to_string(),
            "python_version < \"3.8.1\" or python_version != \"3.8.*\""
        );
        assert_eq!(
            m("python_version === \"3.8\"").negate().to_string(),
            "python_version != \"3.8\""
        );
        assert!(MarkerTree::TRUE.negate().is_false());
        assert!(MarkerTree::FALSE.negate().is_true());
    }

    #[test]
    fn false_prints_as_an_unsatisfiable_comparison() {
        assert_eq!(MarkerTree::FALSE.to_string(), "python_version < \"0\"");
        assert_eq!(MarkerTree::TRUE.to_string(), "");
    }
}
