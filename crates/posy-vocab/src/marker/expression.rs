//! One marker comparison: `<operand> <operator> <operand>`.
//!
//! An expression is validated and normalized when it is built, whether by
//! the parser or by hand: `extra` names are normalized (PEP 685), the
//! set-valued variables may only appear as `"name" in extras`, and strings
//! must be printable back in PEP 508 syntax (no backslash, no line break, not
//! both kinds of quote). Building it also parses, once, what evaluation will
//! need again and again: the specifier of `python_version >= "3.8"`, or the
//! version of the literal in `"3.8" <= python_version`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

use crate::specifier::Specifier;
use crate::version::Version;
use crate::{ExtraName, ParseError};

/// A marker variable, under its PEP 508 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerVariable {
    /// `implementation_name`, e.g. `cpython`.
    ImplementationName,
    /// `implementation_version`, e.g. `3.12.1` (a version variable).
    ImplementationVersion,
    /// `os_name`, e.g. `posix` (legacy spelling `os.name`).
    OsName,
    /// `platform_machine`, e.g. `x86_64` (legacy `platform.machine`).
    PlatformMachine,
    /// `platform_python_implementation`, e.g. `CPython` (legacy
    /// `platform.python_implementation`, `python_implementation`).
    PlatformPythonImplementation,
    /// `platform_release`, e.g. `6.5.0-14-generic` (a version variable when it parses).
    PlatformRelease,
    /// `platform_system`, e.g. `Linux`.
    PlatformSystem,
    /// `platform_version`, e.g. `#1 SMP ...` (legacy `platform.version`).
    PlatformVersion,
    /// `python_full_version`, e.g. `3.12.1` (a version variable).
    PythonFullVersion,
    /// `python_version`, e.g. `3.12` (a version variable).
    PythonVersion,
    /// `sys_platform`, e.g. `linux` (legacy `sys.platform`).
    SysPlatform,
    /// `extra`: the extra being installed (PEP 508, PEP 685).
    Extra,
    /// `extras`: the set of extras requested from a lock file (PEP 751).
    Extras,
    /// `dependency_groups`: the set of groups requested from a lock file (PEP 751).
    DependencyGroups,
}

impl MarkerVariable {
    /// Every variable, in the order of the enum.
    pub const ALL: [MarkerVariable; 14] = [
        Self::ImplementationName,
        Self::ImplementationVersion,
        Self::OsName,
        Self::PlatformMachine,
        Self::PlatformPythonImplementation,
        Self::PlatformRelease,
        Self::PlatformSystem,
        Self::PlatformVersion,
        Self::PythonFullVersion,
        Self::PythonVersion,
        Self::SysPlatform,
        Self::Extra,
        Self::Extras,
        Self::DependencyGroups,
    ];

    /// The PEP 508 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImplementationName => "implementation_name",
            Self::ImplementationVersion => "implementation_version",
            Self::OsName => "os_name",
            Self::PlatformMachine => "platform_machine",
            Self::PlatformPythonImplementation => "platform_python_implementation",
            Self::PlatformRelease => "platform_release",
            Self::PlatformSystem => "platform_system",
            Self::PlatformVersion => "platform_version",
            Self::PythonFullVersion => "python_full_version",
            Self::PythonVersion => "python_version",
            Self::SysPlatform => "sys_platform",
            Self::Extra => "extra",
            Self::Extras => "extras",
            Self::DependencyGroups => "dependency_groups",
        }
    }

    /// Looks a name up, accepting the legacy dotted spellings that pip and
    /// packaging accept (`os.name`, `sys.platform`, `platform.version`,
    /// `platform.machine`, `platform.python_implementation`) and setuptools'
    /// `python_implementation`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "os.name" => Self::OsName,
            "sys.platform" => Self::SysPlatform,
            "platform.version" => Self::PlatformVersion,
            "platform.machine" => Self::PlatformMachine,
            "platform.python_implementation" | "python_implementation" => {
                Self::PlatformPythonImplementation
            }
            _ => return Self::ALL.into_iter().find(|v| v.as_str() == name),
        })
    }

    /// Whether comparisons on this variable use PEP 440 version semantics
    /// when both sides parse.
    pub fn is_version(self) -> bool {
        matches!(
            self,
            Self::ImplementationVersion
                | Self::PlatformRelease
                | Self::PythonFullVersion
                | Self::PythonVersion
        )
    }

    /// Whether this is one of the set-valued lock-file variables (`extras`,
    /// `dependency_groups`), which only support `"name" in <variable>`.
    pub fn is_set(self) -> bool {
        matches!(self, Self::Extras | Self::DependencyGroups)
    }
}

impl fmt::Display for MarkerVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A marker comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerOperator {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    LessThan,
    /// `<=`
    LessThanEqual,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanEqual,
    /// `~=`
    TildeEqual,
    /// `===`
    ExactEqual,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl MarkerOperator {
    /// The operator as written in a marker.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "==",
            Self::NotEqual => "!=",
            Self::LessThan => "<",
            Self::LessThanEqual => "<=",
            Self::GreaterThan => ">",
            Self::GreaterThanEqual => ">=",
            Self::TildeEqual => "~=",
            Self::ExactEqual => "===",
            Self::In => "in",
            Self::NotIn => "not in",
        }
    }

    /// The operator that holds exactly when this one does not, for the
    /// operators that have one in PEP 508 syntax. Ordering operators map to
    /// their complements (`<` ↔ `>=`, `>` ↔ `<=`); see
    /// [`MarkerTree::negate`](crate::MarkerTree::negate) for where PEP 440's
    /// pre-release rules make that approximate.
    pub fn negate(self) -> Option<Self> {
        Some(match self {
            Self::Equal => Self::NotEqual,
            Self::NotEqual => Self::Equal,
            Self::LessThan => Self::GreaterThanEqual,
            Self::GreaterThanEqual => Self::LessThan,
            Self::GreaterThan => Self::LessThanEqual,
            Self::LessThanEqual => Self::GreaterThan,
            Self::In => Self::NotIn,
            Self::NotIn => Self::In,
            Self::TildeEqual | Self::ExactEqual => return None,
        })
    }

    /// Whether this operator is the negation of a "positive" one (`!=`,
    /// `not in`); with several extras active, these hold only when they hold
    /// for every extra.
    pub(crate) fn is_negative(self) -> bool {
        matches!(self, Self::NotEqual | Self::NotIn)
    }
}

impl fmt::Display for MarkerOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One side of a comparison: a variable or a quoted string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerOperand {
    /// A marker variable such as `python_version`.
    Variable(MarkerVariable),
    /// The contents of a quoted string, without the quotes.
    Literal(Arc<str>),
}

impl MarkerOperand {
    /// A quoted-string operand.
    pub fn literal(s: &str) -> Self {
        Self::Literal(Arc::from(s))
    }

    fn variable(&self) -> Option<MarkerVariable> {
        match self {
            Self::Variable(v) => Some(*v),
            Self::Literal(_) => None,
        }
    }
}

impl fmt::Display for MarkerOperand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Variable(v) => f.write_str(v.as_str()),
            Self::Literal(s) if s.contains('"') => write!(f, "'{s}'"),
            Self::Literal(s) => write!(f, "\"{s}\""),
        }
    }
}

/// What evaluation needs that can be parsed once, up front.
#[derive(Debug, Clone)]
pub(crate) enum Cache {
    Nothing,
    /// `version_var <op> "literal"` where `<op><literal>` is a specifier.
    Specifier(Box<Specifier>),
    /// `version_var <op> "literal"` where `<op><literal>` is not a
    /// specifier, so the string rules apply.
    StringsOnly,
    /// `"literal" <op> version_var` where the literal is a version.
    LeftVersion(Box<Version>),
}

/// A single comparison, such as `python_version >= "3.8"`.
///
/// Equality and hashing look at the operands and the operator only.
#[derive(Debug, Clone)]
pub struct MarkerExpression {
    lhs: MarkerOperand,
    op: MarkerOperator,
    rhs: MarkerOperand,
    pub(crate) cache: Cache,
}

impl MarkerExpression {
    /// Builds and validates a comparison. Fails when a set-valued variable is
    /// used other than as `"name" in extras` / `"name" not in extras`, or
    /// when a string could not be written back in PEP 508 syntax (it contains
    /// a backslash, a line break, or both `'` and `"`).
    pub fn new(
        lhs: MarkerOperand,
        op: MarkerOperator,
        rhs: MarkerOperand,
    ) -> Result<Self, ParseError> {
        let input = format!("{lhs} {op} {rhs}");
        Self::build(lhs, op, rhs)
            .map_err(|(message, _)| ParseError::new("marker", &input, 0..input.len(), message))
    }

    /// Like [`MarkerExpression::new`], with the error message and which side
    /// (`false` = left) it is about, so the parser can point at it.
    pub(crate) fn build(
        lhs: MarkerOperand,
        op: MarkerOperator,
        rhs: MarkerOperand,
    ) -> Result<Self, (String, bool)> {
        for (side, operand) in [(false, &lhs), (true, &rhs)] {
            if let MarkerOperand::Literal(s) = operand {
                check_literal(s).map_err(|m| (m, side))?;
            }
        }
        for (side, operand) in [(false, &lhs), (true, &rhs)] {
            if let Some(v) = operand.variable().filter(|v| v.is_set()) {
                let ok = side
                    && matches!(lhs, MarkerOperand::Literal(_))
                    && matches!(op, MarkerOperator::In | MarkerOperator::NotIn);
                if !ok {
                    return Err((
                        format!(
                            "`{v}` is a set of names; it can only be used as \
                             `\"name\" in {v}` or `\"name\" not in {v}`"
                        ),
                        side,
                    ));
                }
            }
        }
        let (lhs, rhs) = match (lhs, rhs) {
            (MarkerOperand::Variable(v), MarkerOperand::Literal(s))
                if v == MarkerVariable::Extra =>
            {
                (
                    MarkerOperand::Variable(v),
                    MarkerOperand::Literal(normalize_name(&s)),
                )
            }
            (MarkerOperand::Literal(s), MarkerOperand::Variable(v))
                if v == MarkerVariable::Extra || v.is_set() =>
            {
                (
                    MarkerOperand::Literal(normalize_name(&s)),
                    MarkerOperand::Variable(v),
                )
            }
            other => other,
        };
        let cache = match (&lhs, &rhs) {
            (MarkerOperand::Variable(v), MarkerOperand::Literal(s))
                if v.is_version() && op_uses_specifier(op) =>
            {
                specifier(op, s).map_or(Cache::StringsOnly, |s| Cache::Specifier(Box::new(s)))
            }
            (MarkerOperand::Literal(s), MarkerOperand::Variable(v))
                if v.is_version() && op_uses_specifier(op) =>
            {
                Version::from_str(s).map_or(Cache::Nothing, |v| Cache::LeftVersion(Box::new(v)))
            }
            _ => Cache::Nothing,
        };
        Ok(Self {
            lhs,
            op,
            rhs,
            cache,
        })
    }

    /// The left operand.
    pub fn lhs(&self) -> &MarkerOperand {
        &self.lhs
    }

    /// The operator.
    pub fn operator(&self) -> MarkerOperator {
        self.op
    }

    /// The right operand.
    pub fn rhs(&self) -> &MarkerOperand {
        &self.rhs
    }

    /// The variable whose semantics decide the comparison: the left operand
    /// if it is a variable, else the right one; `None` when both are strings.
    pub fn key(&self) -> Option<MarkerVariable> {
        self.lhs.variable().or_else(|| self.rhs.variable())
    }

    /// For the common form `variable <op> "string"`, its three parts.
    pub fn as_variable_comparison(&self) -> Option<(MarkerVariable, MarkerOperator, &str)> {
        match (&self.lhs, &self.rhs) {
            (MarkerOperand::Variable(v), MarkerOperand::Literal(s)) => Some((*v, self.op, s)),
            _ => None,
        }
    }

    /// The extra this expression tests, for `extra == "name"`, `"name" ==
    /// extra`, `extra != "name"` and `"name" [not] in extras`; `None` for
    /// anything else or when the string is not a valid extra name.
    pub fn extra_name(&self) -> Option<ExtraName> {
        use MarkerOperand::{Literal, Variable};
        use MarkerVariable::{Extra, Extras};
        let name = match (&self.lhs, &self.rhs) {
            (Variable(Extra), Literal(s)) | (Literal(s), Variable(Extra | Extras)) => s,
            _ => return None,
        };
        ExtraName::new(name).ok()
    }

    /// The comparison with the opposite truth value, when PEP 508 can spell
    /// it with one operator.
    pub(crate) fn negate(&self) -> Option<Self> {
        let op = self.op.negate()?;
        Self::build(self.lhs.clone(), op, self.rhs.clone()).ok()
    }
}

impl PartialEq for MarkerExpression {
    fn eq(&self, other: &Self) -> bool {
        self.lhs == other.lhs && self.op == other.op && self.rhs == other.rhs
    }
}

impl Eq for MarkerExpression {}

impl Hash for MarkerExpression {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.lhs.hash(state);
        self.op.hash(state);
        self.rhs.hash(state);
    }
}

impl fmt::Display for MarkerExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.lhs, self.op, self.rhs)
    }
}

/// Whether `<op><version>` can be a PEP 440 specifier at all.
pub(crate) fn op_uses_specifier(op: MarkerOperator) -> bool {
    !matches!(
        op,
        MarkerOperator::In | MarkerOperator::NotIn | MarkerOperator::ExactEqual
    )
}

/// The specifier `<op><value>`, when it is one.
pub(crate) fn specifier(op: MarkerOperator, value: &str) -> Option<Specifier> {
    if !op_uses_specifier(op) {
        return None;
    }
    Specifier::from_str(&format!("{op}{value}")).ok()
}

/// Why a string cannot be a marker literal, if it cannot.
fn check_literal(s: &str) -> Result<(), String> {
    if s.contains('\\') {
        return Err("a marker string cannot contain a backslash (PEP 508 has no escapes)".into());
    }
    if s.contains(['\n', '\r']) {
        return Err("a marker string cannot contain a line break".into());
    }
    if s.contains('"') && s.contains('\'') {
        return Err("a marker string cannot contain both `'` and `\"`".into());
    }
    Ok(())
}

/// PEP 503/685 normalization for names found in marker strings. Unlike
/// [`ExtraName::new`] it accepts any string, as packaging does: an `extra ==
/// "odd name!"` marker is valid and simply never matches a real extra.
pub(crate) fn normalize_name(s: &str) -> Arc<str> {
    if let Ok(name) = ExtraName::new(s) {
        return Arc::from(name.as_str());
    }
    let mut out = String::with_capacity(s.len());
    let mut in_sep = false;
    for c in s.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    Arc::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_round_trip_their_names() {
        for v in MarkerVariable::ALL {
            assert_eq!(MarkerVariable::from_name(v.as_str()), Some(v));
        }
        assert_eq!(
            MarkerVariable::from_name("os.name"),
            Some(MarkerVariable::OsName)
        );
        assert_eq!(
            MarkerVariable::from_name("python_implementation"),
            Some(MarkerVariable::PlatformPythonImplementation)
        );
        assert_eq!(MarkerVariable::from_name("platform.release"), None);
        assert_eq!(MarkerVariable::from_name("python.version"), None);
    }

    #[test]
    fn extra_literals_are_normalized() {
        let e = MarkerExpression::new(
            MarkerOperand::Variable(MarkerVariable::Extra),
            MarkerOperator::Equal,
            MarkerOperand::literal("Foo_Bar"),
        )
        .unwrap();
        assert_eq!(e.to_string(), "extra == \"foo-bar\"");
        assert_eq!(e.extra_name().unwrap().as_str(), "foo-bar");
        assert_eq!(normalize_name("Odd Name!").as_ref(), "odd name!");
        assert_eq!(normalize_name("A__b..C").as_ref(), "a-b-c");
    }

    #[test]
    fn set_variables_only_in_membership_form() {
        let extras = MarkerOperand::Variable(MarkerVariable::Extras);
        let lit = MarkerOperand::literal("x");
        assert!(MarkerExpression::new(lit.clone(), MarkerOperator::In, extras.clone()).is_ok());
        assert!(MarkerExpression::new(lit.clone(), MarkerOperator::NotIn, extras.clone()).is_ok());
        assert!(MarkerExpression::new(lit.clone(), MarkerOperator::Equal, extras.clone()).is_err());
        assert!(MarkerExpression::new(extras.clone(), MarkerOperator::Equal, lit).is_err());
    }

    #[test]
    fn unprintable_literals_are_rejected() {
        let var = MarkerOperand::Variable(MarkerVariable::OsName);
        for bad in ["a\\b", "a\nb", "a'\"b"] {
            assert!(
                MarkerExpression::new(
                    var.clone(),
                    MarkerOperator::Equal,
                    MarkerOperand::literal(bad)
                )
                .is_err(),
                "{bad:?}"
            );
        }
        let single =
            MarkerExpression::new(var, MarkerOperator::Equal, MarkerOperand::literal("a\"b"))
                .unwrap();
        assert_eq!(single.to_string(), "os_name == 'a\"b'");
    }
}
