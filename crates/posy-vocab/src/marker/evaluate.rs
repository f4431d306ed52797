//! Evaluating one comparison, with packaging's rules (see `marker.rs`).
//!
//! The order of the checks matters and mirrors packaging: set membership
//! first; then, for the version variables, the PEP 440 specifier when
//! `<op><right side>` is one; then the string rules, under which `<` and `>`
//! never hold and `~=`/`===` are undefined (false here, an exception there).

use std::borrow::Cow;
use std::str::FromStr;

use super::environment::MarkerEnvironment;
use super::expression::{
    Cache, MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable, specifier,
};
use crate::version::Version;
use crate::{ExtraName, GroupName};

pub(crate) struct Context<'a> {
    pub(crate) env: &'a MarkerEnvironment,
    pub(crate) extras: &'a [ExtraName],
    pub(crate) groups: &'a [GroupName],
}

impl Context<'_> {
    pub(crate) fn evaluate(&self, e: &MarkerExpression) -> bool {
        let op = e.operator();
        // `"name" in extras` / `"name" in dependency_groups`: the parser
        // guarantees this is the only form the set variables take.
        if let (MarkerOperand::Literal(name), MarkerOperand::Variable(set)) = (e.lhs(), e.rhs())
            && set.is_set()
        {
            let found = match set {
                MarkerVariable::Extras => self.extras.iter().any(|x| x.as_str() == &**name),
                _ => self.groups.iter().any(|x| x.as_str() == &**name),
            };
            return found == (op == MarkerOperator::In);
        }
        let mentions_extra = [e.lhs(), e.rhs()]
            .into_iter()
            .any(|o| *o == MarkerOperand::Variable(MarkerVariable::Extra));
        if mentions_extra {
            return over_extras(self.extras, op, |extra| {
                compare(
                    e,
                    None,
                    &self.value(e.lhs(), extra),
                    &self.value(e.rhs(), extra),
                )
            });
        }
        let lhs = self.value(e.lhs(), "");
        let rhs = self.value(e.rhs(), "");
        let lhs_version = match e.lhs() {
            MarkerOperand::Variable(v) => self.env.version(*v),
            MarkerOperand::Literal(_) => None,
        };
        compare(e, lhs_version, &lhs, &rhs)
    }

    fn value<'s>(&'s self, operand: &'s MarkerOperand, extra: &'s str) -> Cow<'s, str> {
        match operand {
            MarkerOperand::Literal(s) => Cow::Borrowed(s),
            MarkerOperand::Variable(MarkerVariable::Extra) => Cow::Borrowed(extra),
            MarkerOperand::Variable(v) => Cow::Borrowed(self.env.get(*v)),
        }
    }
}

/// Evaluates a comparison that mentions `extra` once for each active extra
/// (or once with `""` when none is active): a positive operator holds if it
/// holds for some extra, a negative one (`!=`, `not in`) if it holds for all.
fn over_extras(extras: &[ExtraName], op: MarkerOperator, mut f: impl FnMut(&str) -> bool) -> bool {
    if extras.is_empty() {
        return f("");
    }
    if op.is_negative() {
        extras.iter().all(|x| f(x.as_str()))
    } else {
        extras.iter().any(|x| f(x.as_str()))
    }
}

/// The value of a comparison on `extra` or `extras` alone, for
/// [`MarkerTree::simplify_extras`](crate::MarkerTree::simplify_extras).
/// Other variables in the same comparison (`extra == os_name`) read as empty.
pub(crate) fn evaluate_extras_only(e: &MarkerExpression, extras: &[ExtraName]) -> bool {
    let op = e.operator();
    if let (MarkerOperand::Literal(name), MarkerOperand::Variable(MarkerVariable::Extras)) =
        (e.lhs(), e.rhs())
    {
        return extras.iter().any(|x| x.as_str() == &**name) == (op == MarkerOperator::In);
    }
    over_extras(extras, op, |extra| {
        let side = |o: &MarkerOperand| match o {
            MarkerOperand::Literal(s) => s.to_string(),
            MarkerOperand::Variable(MarkerVariable::Extra) => extra.to_string(),
            MarkerOperand::Variable(_) => String::new(),
        };
        compare(e, None, &side(e.lhs()), &side(e.rhs()))
    })
}

/// Compares two values under the expression's key and operator.
/// `lhs_version` is the already-parsed left value, when there is one.
fn compare(e: &MarkerExpression, lhs_version: Option<&Version>, lhs: &str, rhs: &str) -> bool {
    let op = e.operator();
    if e.key().is_some_and(MarkerVariable::is_version) {
        if op == MarkerOperator::ExactEqual {
            return lhs.to_lowercase() == rhs.to_lowercase();
        }
        let contained = match &e.cache {
            Cache::Specifier(spec) => Some(match lhs_version {
                Some(v) => spec.contains(v),
                None => Version::from_str(lhs).is_ok_and(|v| spec.contains(&v)),
            }),
            Cache::StringsOnly => None,
            // The specifier's version comes from the environment (variable
            // on the right) or from another variable: parse it now.
            cache => specifier(op, rhs).map(|spec| match (cache, lhs_version) {
                (Cache::LeftVersion(v), _) => spec.contains(v),
                (_, Some(v)) => spec.contains(v),
                _ => Version::from_str(lhs).is_ok_and(|v| spec.contains(&v)),
            }),
        };
        if let Some(contained) = contained {
            return contained;
        }
    }
    match op {
        MarkerOperator::Equal
        | MarkerOperator::LessThanEqual
        | MarkerOperator::GreaterThanEqual => lhs == rhs,
        MarkerOperator::NotEqual => lhs != rhs,
        MarkerOperator::In => rhs.contains(lhs),
        MarkerOperator::NotIn => !rhs.contains(lhs),
        MarkerOperator::LessThan
        | MarkerOperator::GreaterThan
        | MarkerOperator::TildeEqual
        | MarkerOperator::ExactEqual => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MarkerTree;
    use crate::marker::tree::Node;

    fn expression(s: &str) -> MarkerExpression {
        match s.parse::<MarkerTree>().map(|t| t.0) {
            Ok(Node::Expression(e)) => e,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn string_rules_and_specifier_fallback() {
        for (marker, lhs, rhs, want) in [
            ("os_name == 'a'", "a", "a", true),
            ("os_name < 'b'", "a", "b", false),
            ("os_name <= 'a'", "a", "a", true),
            ("os_name ~= 'a'", "a", "a", false),
            ("os_name in 'abc'", "b", "abc", true),
            ("python_version < '3.10'", "3.9", "3.10", true),
            ("python_version < '3.10'", "three", "3.10", false),
            ("python_version === '3.10'", "3.10", "3.10", true),
            ("python_version > 'x'", "y", "x", false),
            ("python_version >= 'x'", "x", "x", true),
        ] {
            assert_eq!(
                compare(&expression(marker), None, lhs, rhs),
                want,
                "{marker}"
            );
        }
    }

    #[test]
    fn negative_operators_need_every_extra() {
        let names = |n: &[&str]| {
            n.iter()
                .map(|x| ExtraName::new(x).unwrap())
                .collect::<Vec<_>>()
        };
        let ab = names(&["a", "b"]);
        assert!(over_extras(&ab, MarkerOperator::Equal, |x| x == "b"));
        assert!(!over_extras(&ab, MarkerOperator::NotEqual, |x| x != "b"));
        assert!(over_extras(&[], MarkerOperator::Equal, str::is_empty));
    }
}
