//! Environment markers (PEP 508): parsing, evaluation and simplification.
//!
//! A marker is the `; python_version < "3.11" and sys_platform == "win32"`
//! tail of a requirement: a boolean expression over a fixed set of variables
//! that describe the interpreter and the platform, plus `extra` (which extra
//! of the depending package is being installed) and, for lock files
//! (PEP 751), the set-valued `extras` and `dependency_groups`.
//!
//! **Grammar.** Exactly PEP 508's, as pypa/packaging implements it: `and`
//! binds tighter than `or`, parentheses group, either side of a comparison may
//! be a variable or a quoted string, strings use `'` or `"` and contain no
//! escapes, whitespace is spaces and tabs only. The legacy PEP 345 spellings
//! `os.name`, `sys.platform`, `platform.version`, `platform.machine`,
//! `platform.python_implementation` and setuptools' `python_implementation`
//! are accepted and read back under their PEP 508 names. A quoted string may
//! not contain a backslash: PEP 508 has no escapes, and packaging rejects
//! every backslash sequence except the ones Python itself would unescape.
//!
//! **Evaluation.** Comparisons follow packaging (26.x) exactly, with one
//! difference in kind: where packaging *raises* (`UndefinedComparison`), a
//! marker here evaluates to `false`, because an installer must decide and "not
//! satisfied" is the safe answer.
//! - For the version variables (`python_version`, `python_full_version`,
//!   `implementation_version`, `platform_release`), when `<op><right side>`
//!   is a valid PEP 440 specifier, the comparison is that specifier's
//!   `contains` on the left side with pre-releases allowed; a left side that
//!   is not a version is then never contained. `===` is a case-insensitive
//!   string comparison.
//! - Otherwise (other variables, or a right side that is not a version) the
//!   comparison is on strings: `==`/`!=` compare, `in`/`not in` test for a
//!   substring, `<=`/`>=` mean "equal", `<`/`>` are always false, and `~=`/
//!   `===` are undefined, hence false.
//! - `extra` values are normalized (PEP 685) both in the marker (at parse
//!   time, so `extra == "Foo_Bar"` prints as `extra == "foo-bar"`) and in the
//!   environment. [`MarkerTree::evaluate`] takes the *set* of active extras:
//!   `extra == "x"` holds when `x` is one of them, `extra != "x"` when it is
//!   not (the negation of `==`; likewise `not in` of `in`). With no extras,
//!   `extra` is the empty string, as in packaging's metadata context.
//! - `"x" in extras` / `"x" in dependency_groups` test membership in the given
//!   sets; these variables may appear in no other form (rejected at parse
//!   time, where packaging would raise at evaluation).
//!
//! **Printing.** [`MarkerTree`] keeps the expression as written (strings are
//! not rewritten, except `extra` names, which are normalized), flattened so
//! that `a and (b and c)` is `a and b and c`. `Display` prints a canonical
//! form: single spaces, double quotes (single quotes only for a string that
//! contains `"`), PEP 508 variable names, and parentheses only where `or`
//! sits inside `and`. Parsing what was printed gives back an equal tree.
//! [`MarkerTree::simplify`] goes further for readable output: it removes
//! duplicates, folds constants, applies absorption and merges bounds on the
//! same version variable.
//!
//! The always-true marker prints as the empty string (a requirement without
//! `;`). The always-false marker has no PEP 508 spelling; it prints as
//! `python_version < "0"`, which no version satisfies, and which parses back
//! to an expression (not to [`MarkerTree::FALSE`]) that evaluates the same.

mod algebra;
mod environment;
mod evaluate;
mod expression;
mod parse;
mod simplify;
mod tree;

pub use algebra::MarkerSet;
pub use environment::{MarkerEnvironment, MarkerValues};
pub use expression::{MarkerExpression, MarkerOperand, MarkerOperator, MarkerVariable};
pub(crate) use parse::{Cursor, parse_marker_tail};
pub use tree::{MarkerKind, MarkerTree};
