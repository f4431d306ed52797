//! Reading a [`MarkerTree`] into the diagram: what each comparison means as
//! a set, under posy's evaluation rules (`evaluate.rs`), and the known
//! exclusions.
//!
//! A comparison becomes one of four things:
//! - a constant, when its value does not depend on the environment (two
//!   literals; `<`, `>`, `~=` under the string rules, which never hold);
//! - a string edge (`sys_platform == "linux"`, `!=` its complement; `<=`
//!   and `>=` mean `==` under the string rules);
//! - a version range on `python_full_version` or `implementation_version`,
//!   from [`Specifier::to_ranges`](crate::Specifier::to_ranges), with
//!   `python_version` lifted (below);
//! - an atom, for everything else: the extras, substring tests, `===`,
//!   comparisons between two variables, `platform_release` as a version,
//!   version literals with a local label, and a literal on the left where
//!   flipping the operator would not be exact.
//!
//! **`python_version`** is the `X.Y` of `python_full_version`, so a set of
//! `python_version` values is a set of full versions: all those whose
//! `X.Y` is in it. Each bound of the specifier's ranges moves to the lowest
//! full version of the first `X.Y` on its side, `X.Y.dev0`: `< "3.11"` is
//! `< 3.11.dev0`, `<= "3.11"` is `< 3.12.dev0`, `> "3.11.2"` is
//! `>= 3.12.dev0`. This is exact for every value, pre-releases and
//! `3.11.5`-style values included, and it is also what
//! `python_full_version < "3.11"` means (PEP 440 keeps `3.11`'s
//! pre-releases out of `< 3.11`), so the two spellings give one set.
//!
//! **One simplification.** `python_full_version > "V"` is read as "above
//! `V` and its local versions", letting in `V`'s post-releases, which PEP
//! 440 keeps out (likewise the post-releases of a pre-release prefix
//! `== "3.13.0a1.*"`). No interpreter reports a post-release version, and
//! this way every set has an exact printing: "at or below `V`'s
//! post-releases" has no PEP 508 spelling.
//!
//! **Literal on the left.** `"3.8" <= python_version` is `python_version >=
//! "3.8"` when the literal is a plain release. The full versions stay
//! atoms: there the evaluator reads the variable's raw string as the
//! specifier (`"3.11" > python_full_version` holds for `3.11.0rc1`, and
//! nothing holds for an untagged build's `3.11.1+`), which no range says.
//!
//! **`platform_system`** values that name a `sys_platform` (`Windows` →
//! `win32`, `Darwin`, `Linux`, `AIX`, `Emscripten`, `Android`) are read as
//! that `sys_platform`, as uv does: real machines never disagree on them.
//!
//! **Exclusions** are combinations no real machine has (`os_name == "nt"`
//! on Linux; a BSD `platform_system` with a non-BSD `sys_platform`).
//! `and`/`or` ignore them (the algebra stays exact), the questions about
//! real machines (`is_disjoint`, `implies`, `python_range`) remove them.

use std::ops::Bound;
use std::str::FromStr;

use version_ranges::Ranges;

use super::super::environment::{MarkerEnvironment, MarkerValues};
use super::super::evaluate::Context;
use super::super::expression::{
    MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable, specifier,
};
use super::super::tree::{MarkerKind, MarkerTree};
use super::diagram::{Atom, FALSE, Interner, NodeId, TRUE, Variable};
use crate::specifier::{Operator, Specifier};
use crate::version::Version;

/// Machines that do not exist.
const EXCLUSIONS: &str = "os_name == 'nt' and (sys_platform == 'linux' or sys_platform == 'darwin' or sys_platform == 'ios') \
    or os_name == 'posix' and sys_platform == 'win32' \
    or (platform_system == 'FreeBSD' or platform_system == 'NetBSD' or platform_system == 'OpenBSD' \
        or platform_system == 'SunOS' or platform_system == 'iOS' or platform_system == 'iPadOS') \
       and (sys_platform == 'aix' or sys_platform == 'android' or sys_platform == 'emscripten' \
        or sys_platform == 'linux' or sys_platform == 'darwin' or sys_platform == 'win32' \
        or sys_platform == 'cygwin' or sys_platform == 'wasi') \
    or (platform_system == 'FreeBSD' or platform_system == 'NetBSD' or platform_system == 'OpenBSD' \
        or platform_system == 'SunOS') and sys_platform == 'ios'";

/// `platform_system` values that are a `sys_platform` value in disguise.
const SYSTEM_TO_PLATFORM: [(&str, &str); 6] = [
    ("AIX", "aix"),
    ("Android", "android"),
    ("Darwin", "darwin"),
    ("Emscripten", "emscripten"),
    ("Linux", "linux"),
    ("Windows", "win32"),
];

impl Interner {
    pub(super) fn read_tree(&mut self, tree: &MarkerTree) -> NodeId {
        if let Some(&known) = self.trees.get(tree) {
            return known;
        }
        let id = match tree.kind() {
            MarkerKind::True => TRUE,
            MarkerKind::False => FALSE,
            MarkerKind::Expression(e) => self.read_expression(e),
            MarkerKind::And(children) => children.iter().fold(TRUE, |acc, child| {
                let child = self.read_tree(child);
                self.and(acc, child)
            }),
            MarkerKind::Or(children) => children.iter().fold(FALSE, |acc, child| {
                let child = self.read_tree(child);
                self.or(acc, child)
            }),
        };
        self.trees.insert(tree.clone(), id);
        id
    }

    /// The environments a real machine can have: not the exclusions.
    pub(super) fn possible(&mut self) -> NodeId {
        if let Some(known) = self.possible {
            return known;
        }
        let exclusions = MarkerTree::parse(EXCLUSIONS).expect("the exclusions parse");
        let excluded = self.read_tree(&exclusions);
        let possible = self.negate(excluded);
        self.possible = Some(possible);
        possible
    }

    fn read_expression(&mut self, e: &MarkerExpression) -> NodeId {
        let op = e.operator();
        match (e.lhs(), e.rhs()) {
            (MarkerOperand::Literal(_), MarkerOperand::Literal(_)) => {
                let env = MarkerEnvironment::new(MarkerValues::default());
                let ctx = Context {
                    env: &env,
                    extras: &[],
                    groups: &[],
                };
                if ctx.evaluate(e) { TRUE } else { FALSE }
            }
            (MarkerOperand::Variable(var), MarkerOperand::Literal(value)) => {
                self.compare(*var, op, value, e)
            }
            (MarkerOperand::Literal(value), MarkerOperand::Variable(var)) => {
                match flipped(*var, op, value) {
                    Some(op) => self.compare(*var, op, value, e),
                    None => self.atom_of(e),
                }
            }
            (MarkerOperand::Variable(_), MarkerOperand::Variable(_)) => self.atom_of(e),
        }
    }

    /// `var <op> "value"`; `e` is the expression as written, for atoms.
    fn compare(
        &mut self,
        var: MarkerVariable,
        op: MarkerOperator,
        value: &str,
        e: &MarkerExpression,
    ) -> NodeId {
        use MarkerOperator::{
            Equal, ExactEqual, GreaterThan, GreaterThanEqual, In, LessThan, LessThanEqual,
            NotEqual, NotIn, TildeEqual,
        };
        if matches!(op, In | NotIn) || (op == ExactEqual && var.is_version()) {
            return self.atom_of(e);
        }
        let spec = if var.is_version() {
            specifier(op, value)
        } else {
            None
        };
        if let Some(spec) = spec {
            return match var {
                MarkerVariable::PythonVersion => {
                    let range = lift_python_version(&spec.to_ranges());
                    self.python_in(range)
                }
                MarkerVariable::PythonFullVersion | MarkerVariable::ImplementationVersion
                    if !spec.version().is_some_and(Version::is_local) =>
                {
                    let var = Variable::version(var).expect("a version variable");
                    self.version_in(var, version_ranges(&spec))
                }
                _ => self.atom_of(e),
            };
        }
        // The string rules.
        match op {
            LessThan | GreaterThan | TildeEqual | ExactEqual => FALSE,
            In | NotIn => unreachable!("handled above"),
            Equal | NotEqual | LessThanEqual | GreaterThanEqual => {
                let equal = if var == MarkerVariable::Extra {
                    self.atom_of(&equality(var, value))
                } else if let Some(var) = Variable::string(var) {
                    self.string_equal(var, value)
                } else {
                    // A version variable compared as a string: `==`/`!=`
                    // pair up, `<=`/`>=` are atoms of their own.
                    return self.atom_of(e);
                };
                if op == NotEqual {
                    self.negate(equal)
                } else {
                    equal
                }
            }
        }
    }

    /// `var == "value"` for a string variable, with `platform_system`
    /// values that name a `sys_platform` moved there.
    fn string_equal(&mut self, var: Variable, value: &str) -> NodeId {
        let system = Variable::string(MarkerVariable::PlatformSystem);
        if Some(&var) == system.as_ref()
            && let Some((_, platform)) = SYSTEM_TO_PLATFORM.iter().find(|(s, _)| *s == value)
        {
            let sys_platform = Variable::string(MarkerVariable::SysPlatform);
            return self.string_is(sys_platform.expect("a string variable"), platform);
        }
        self.string_is(var, value)
    }

    /// `python_full_version` in `range`.
    pub(super) fn python_in(&mut self, range: Ranges<Version>) -> NodeId {
        let var = Variable::version(MarkerVariable::PythonFullVersion).expect("a version variable");
        self.version_in(var, canonical(&range))
    }

    /// An atom, stored in its positive form (`in`, or `==` under the string
    /// rules) when the expression is the exact negation of one.
    fn atom_of(&mut self, e: &MarkerExpression) -> NodeId {
        let negation = exact_negation(e);
        if matches!(
            e.operator(),
            MarkerOperator::NotEqual | MarkerOperator::NotIn
        ) && let Some(positive) = negation
        {
            let atom = self.atom(Atom::new(positive, Some(e.clone())));
            return self.negate(atom);
        }
        self.atom(Atom::new(e.clone(), negation))
    }
}

/// `var == "value"` (with `extra` on the left, as the parser writes it).
fn equality(var: MarkerVariable, value: &str) -> MarkerExpression {
    MarkerExpression::build(
        MarkerOperand::Variable(var),
        MarkerOperator::Equal,
        MarkerOperand::literal(value),
    )
    .expect("the value came from a valid expression")
}

/// The comparison that holds exactly when `e` does not, when there is one:
/// `in`/`not in` always, `==`/`!=` under the string rules (not for a
/// version specifier, where neither holds for a value that is not a
/// version).
fn exact_negation(e: &MarkerExpression) -> Option<MarkerExpression> {
    let strings = match (e.lhs(), e.rhs()) {
        (MarkerOperand::Variable(v), MarkerOperand::Literal(s)) => {
            !v.is_version() || specifier(e.operator(), s).is_none()
        }
        _ => !e.key().is_some_and(MarkerVariable::is_version),
    };
    let exact = match e.operator() {
        MarkerOperator::In | MarkerOperator::NotIn => true,
        MarkerOperator::Equal | MarkerOperator::NotEqual => strings,
        _ => false,
    };
    if exact { e.negate() } else { None }
}

/// The operator of `var <op'> "value"` that means `"value" <op> var`, when
/// swapping the sides is exact (see the module docs).
fn flipped(var: MarkerVariable, op: MarkerOperator, value: &str) -> Option<MarkerOperator> {
    use MarkerOperator::{Equal, GreaterThan, GreaterThanEqual, LessThan, LessThanEqual, NotEqual};
    if !var.is_version() {
        // Only `==` and `in` differ from false under the string rules, and
        // `==` is symmetric; `in` is a substring test of the variable.
        let symmetric = !matches!(op, MarkerOperator::In | MarkerOperator::NotIn);
        return (symmetric && !var.is_set()).then_some(op);
    }
    let plain = Version::from_str(value)
        .is_ok_and(|v| v.epoch() == 0 && !v.is_prerelease() && !v.is_post() && !v.is_local());
    if !plain {
        return None;
    }
    let swap = |op| match op {
        LessThan => GreaterThan,
        GreaterThan => LessThan,
        LessThanEqual => GreaterThanEqual,
        GreaterThanEqual => LessThanEqual,
        other => other,
    };
    let exact = matches!(
        op,
        LessThan | LessThanEqual | GreaterThan | GreaterThanEqual | Equal | NotEqual
    );
    (var == MarkerVariable::PythonVersion && exact).then(|| swap(op))
}

/// The ranges of a `python_full_version` or `implementation_version`
/// specifier (with the one simplification of the module docs), in
/// canonical spelling.
fn version_ranges(spec: &Specifier) -> Ranges<Version> {
    let ranges = match (spec.operator(), spec.version()) {
        (Operator::GreaterThan, Some(v)) if !v.is_post() && !v.is_dev() => {
            Ranges::strictly_higher_than(v.after_locals())
        }
        (Operator::EqualStar | Operator::NotEqualStar, Some(v))
            if v.pre().is_some() && v.post().is_none() =>
        {
            let prefix = Ranges::from_range_bounds(v.clone().with_dev(Some(0))..=v.after_locals());
            if spec.operator() == Operator::EqualStar {
                prefix
            } else {
                prefix.complement()
            }
        }
        _ => spec.to_ranges(),
    };
    canonical(&ranges)
}

/// The same ranges with every bound spelled canonically (`3.11.0` as
/// `3.11`), so that equal sets print the same whatever built them.
fn canonical(ranges: &Ranges<Version>) -> Ranges<Version> {
    let spell = |b: &Bound<Version>| b.as_ref().map(Version::with_canonical_release);
    ranges
        .iter()
        .map(|(lo, hi)| (spell(lo), spell(hi)))
        .collect()
}

/// The full versions whose `X.Y` is in `range` (see the module docs).
fn lift_python_version(range: &Ranges<Version>) -> Ranges<Version> {
    range
        .iter()
        .filter_map(|(lo, hi)| {
            let start = match lo {
                Bound::Unbounded => Bound::Unbounded,
                Bound::Included(v) => Bound::Included(first_minor(v, true)?),
                Bound::Excluded(v) => Bound::Included(first_minor(v, false)?),
            };
            let end = match hi {
                Bound::Unbounded => Bound::Unbounded,
                Bound::Included(v) => {
                    first_minor(v, false).map_or(Bound::Unbounded, Bound::Excluded)
                }
                Bound::Excluded(v) => {
                    first_minor(v, true).map_or(Bound::Unbounded, Bound::Excluded)
                }
            };
            Some((start, end))
        })
        .collect()
}

/// The lowest full version (`X.Y.dev0`) of the lowest `X.Y` at or above
/// (`inclusive`) or strictly above `bound`; `None` when no `X.Y` is.
fn first_minor(bound: &Version, inclusive: bool) -> Option<Version> {
    if bound.epoch() > 0 {
        return None;
    }
    let release = bound.release();
    let major = release.first().copied().unwrap_or(0);
    let minor = release.get(1).copied().unwrap_or(0);
    let candidate = Version::new([major, minor]);
    let fits = if inclusive {
        candidate >= *bound
    } else {
        candidate > *bound
    };
    let chosen = if fits {
        candidate
    } else {
        Version::new([major, minor.checked_add(1)?])
    };
    Some(chosen.with_dev(Some(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    fn lifted(spec: &str) -> String {
        let spec: crate::SpecifierSet = spec.parse().unwrap();
        lift_python_version(&spec.to_ranges()).to_string()
    }

    #[test]
    fn python_version_lifts_to_minor_boundaries() {
        assert_eq!(first_minor(&v("3.11"), true), Some(v("3.11.dev0")));
        assert_eq!(first_minor(&v("3.11"), false), Some(v("3.12.dev0")));
        assert_eq!(first_minor(&v("3.11.5"), true), Some(v("3.12.dev0")));
        assert_eq!(first_minor(&v("3.11rc1"), true), Some(v("3.11.dev0")));
        assert_eq!(first_minor(&v("1!3.11"), true), None);
        assert_eq!(lifted("<3.11"), lifted("<3.11.0"));
        assert_eq!(lifted("<=3.11"), lifted("<3.12"));
        assert_eq!(lifted(">3.11"), lifted(">=3.12"));
        assert_eq!(lifted("<3.11.5"), lifted("<3.12"));
        assert_eq!(lifted(">=3.11.5"), lifted(">=3.12"));
        assert_eq!(lifted("==3.11"), lifted("==3.11.*"));
        assert_eq!(lifted("==3.11.5"), Ranges::<Version>::empty().to_string());
        assert_eq!(lifted("!=3.11.5"), Ranges::<Version>::full().to_string());
        assert_eq!(lifted("==3.*"), lifted(">=3.0,<4"));
        assert_eq!(lifted("~=3.11"), lifted(">=3.11,<4"));
        assert_eq!(lifted("==3"), lifted("==3.0"));
    }

    #[test]
    fn only_exact_flips() {
        use MarkerOperator::*;
        let py = MarkerVariable::PythonVersion;
        let full = MarkerVariable::PythonFullVersion;
        assert_eq!(flipped(py, LessThan, "3.8"), Some(GreaterThan));
        assert_eq!(flipped(py, TildeEqual, "3.8"), None);
        assert_eq!(flipped(py, LessThan, "3.8rc1"), None);
        assert_eq!(flipped(full, LessThanEqual, "3.8"), None);
        assert_eq!(flipped(MarkerVariable::OsName, Equal, "nt"), Some(Equal));
        assert_eq!(flipped(MarkerVariable::OsName, In, "nt"), None);
    }
}
