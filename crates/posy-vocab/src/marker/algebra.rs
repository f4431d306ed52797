//! The marker algebra: sets of environments as canonical decision diagrams.
//!
//! A universal resolver asks set questions about markers thousands of times
//! per resolution: is `a and b` satisfiable, does `a` imply `b`, which Python
//! versions does a fork cover. [`MarkerSet`] answers them exactly and in
//! constant time once built, because every set has one canonical form and a
//! [`MarkerSet`] is just its id.
//!
//! **What a node is.** The diagram (`algebra/diagram.rs`) is a reduced,
//! ordered decision diagram over the PEP 508 variables, with many-valued
//! nodes instead of binary ones. Variables are tested in a fixed order: the
//! string variables (`implementation_name`, `platform_python_implementation`,
//! `sys_platform`, `os_name`, `platform_machine`, `platform_release`,
//! `platform_version`, `platform_system`), each node a list of named values
//! with their child plus one child for every other string; then the version
//! variables (`python_full_version`, `implementation_version`), each node a
//! partition of all versions into ranges, one range set per child; then the
//! opaque atoms, boolean variables ordered by their text, those about extras
//! last. Nodes live in one interner for the whole process and are
//! hash-consed; a node whose edges all lead to one child is never built.
//! Equal sets are then the same id, so `==` is equivalence, `is_false` is
//! unsatisfiability, and `and`/`or`/`negate` (memoized) cost in proportion
//! to the diagrams, not to the markers' text.
//!
//! **How comparisons become sets** (`algebra/read.rs`, which has the
//! details). Strings become string edges, version specifiers become ranges
//! (`python_version` lifted to the `python_full_version` values whose `X.Y`
//! it accepts), and what is not modelled becomes an atom that is evaluated
//! with posy's own evaluator: the extras, substring tests, `===`,
//! comparisons between two variables, `platform_release` as a version. The
//! sets agree with [`MarkerTree::evaluate`] on every environment of a real
//! interpreter, with two deliberate readings: `platform_system == "Windows"`
//! is `sys_platform == "win32"` (likewise `Darwin`, `Linux`, ...), and
//! `python_full_version > "V"` admits `V`'s post-releases, which no Python
//! has. A property test checks the agreement on random markers.
//!
//! **Known exclusions.** Some combinations describe no real machine
//! (`os_name == "nt"` with `sys_platform == "linux"`). `and`, `or` and
//! `negate` keep them, so the algebra stays exact; `is_disjoint`, `implies`
//! and `python_range` ask about real machines and leave them out.
//!
//! **Printing** (`algebra/print.rs`). [`MarkerSet::to_tree`] gives an
//! equivalent marker, as short as a walk of the diagram makes cheap,
//! simplified by [`MarkerTree::simplify`]; reading it back gives the same
//! set. [`MarkerSet::to_tree_within`] prints a marker that only has to agree
//! inside a context, which drops the bounds the context already implies
//! (`requires-python`, a fork's own markers).
//!
//! **Wheel tags** (`algebra/wheel_tags.rs`): the set of environments that
//! can install a wheel, from what markers can see of its tags.

mod diagram;
mod print;
mod read;
mod wheel_tags;

use std::fmt;

use version_ranges::Ranges;

use self::diagram::interner;
use super::environment::MarkerEnvironment;
use super::evaluate::Context;
use super::tree::MarkerTree;
use crate::ExtraName;
use crate::tags::TagSet;
use crate::version::Version;

/// A set of marker environments (every machine and interpreter for which a
/// marker holds), kept in a canonical form: two markers that hold in the
/// same environments are the same `MarkerSet`, so `==` is equivalence and
/// `is_false` is unsatisfiability. Cheap to copy; the nodes live in one
/// interner for the whole process.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct MarkerSet(u32);

impl MarkerSet {
    /// Every environment.
    pub const TRUE: MarkerSet = MarkerSet(0);
    /// No environment.
    pub const FALSE: MarkerSet = MarkerSet(1);

    /// The environments in which `tree` holds.
    pub fn from_tree(tree: &MarkerTree) -> MarkerSet {
        MarkerSet(interner().read_tree(tree))
    }

    /// The environments in both.
    pub fn and(self, other: MarkerSet) -> MarkerSet {
        MarkerSet(interner().and(self.0, other.0))
    }

    /// The environments in either.
    pub fn or(self, other: MarkerSet) -> MarkerSet {
        MarkerSet(interner().or(self.0, other.0))
    }

    /// The environments not in the set.
    pub fn negate(self) -> MarkerSet {
        MarkerSet(interner().negate(self.0))
    }

    pub fn is_true(self) -> bool {
        self == Self::TRUE
    }

    pub fn is_false(self) -> bool {
        self == Self::FALSE
    }

    /// Whether no environment is in both, also counting combinations no
    /// real machine has (`os_name == "nt"` with `sys_platform == "linux"`).
    pub fn is_disjoint(self, other: MarkerSet) -> bool {
        let mut i = interner();
        let possible = i.possible();
        let both = i.and(self.0, other.0);
        i.and(both, possible) == diagram::FALSE
    }

    /// Whether every environment of `self` (that a real machine can have)
    /// is in `other`.
    pub fn implies(self, other: MarkerSet) -> bool {
        let mut i = interner();
        let possible = i.possible();
        let outside = i.negate(other.0);
        let counterexamples = i.and(self.0, outside);
        i.and(counterexamples, possible) == diagram::FALSE
    }

    /// The `python_full_version` values of the set's environments.
    pub fn python_range(self) -> Ranges<Version> {
        let mut i = interner();
        let possible = i.possible();
        let real = i.and(self.0, possible);
        i.python_range(real)
    }

    /// `python_full_version` in `range`.
    pub fn python_in(range: &Ranges<Version>) -> MarkerSet {
        MarkerSet(interner().python_in(range.clone()))
    }

    /// The environments that can install a wheel with these tags.
    pub fn from_wheel_tags(tags: &TagSet) -> MarkerSet {
        MarkerSet(interner().read_wheel_tags(tags))
    }

    /// The simplest exact marker of the set.
    pub fn to_tree(self) -> MarkerTree {
        interner().print_tree(self.0)
    }

    /// A simple marker that agrees with the set inside `context`.
    ///
    ///
    /// Two candidates, of which the shorter is printed: the set with its
    /// `python_full_version` edges stretched over the versions `context`
    /// rules out (dropping the bounds `context` implies), and the set
    /// restricted to `context` (a diagram that may do anything outside
    /// `context`; variables that only `context` tests disappear). Both are
    /// judged on real machines (the exclusions). A set that contains
    /// `context` prints as true, one disjoint from it as false.
    pub fn to_tree_within(self, context: MarkerSet) -> MarkerTree {
        let mut i = interner();
        let possible = i.possible();
        let real = i.and(context.0, possible);
        let inside = i.and(self.0, real);
        if inside == real {
            return MarkerTree::TRUE;
        }
        if inside == diagram::FALSE {
            return MarkerTree::FALSE;
        }
        let range = i.python_range(real);
        let clamped = i.clamp_python(self.0, &range);
        let restricted = i.restrict(self.0, real);
        let mut trees = [clamped, restricted].map(|id| i.print_tree(id));
        trees.sort_by_key(|t| t.to_string().len());
        let [shortest, _] = trees;
        shortest
    }

    /// Whether `env` (with `extras` active) is in the set.
    pub fn evaluate(self, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        let ctx = Context {
            env,
            extras,
            groups: &[],
        };
        interner().evaluate(self.0, &ctx)
    }
}

impl fmt::Display for MarkerSet {
    /// The marker of [`MarkerSet::to_tree`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_tree())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marker::environment::MarkerValues;

    fn tree(s: &str) -> MarkerTree {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn set(s: &str) -> MarkerSet {
        MarkerSet::from_tree(&tree(s))
    }

    fn printed(s: &str) -> String {
        set(s).to_string()
    }

    #[test]
    fn equal_sets_are_equal_ids() {
        assert_eq!(
            set("python_version >= '3.8' and python_version < '3.9'"),
            set("python_version == '3.8'")
        );
        assert_eq!(
            set("python_version < '3.11'"),
            set("python_full_version < '3.11'")
        );
        assert_eq!(
            set("platform_system == 'Windows'"),
            set("sys_platform == 'win32'")
        );
        let nt = tree("os_name == 'nt'");
        assert!(MarkerSet::from_tree(&nt.clone().or(nt.negate())).is_true());
        let a = set("sys_platform == 'linux' and python_version >= '3.9'");
        assert!(a.or(a.negate()).is_true());
        assert!(a.and(a.negate()).is_false());
        assert_eq!(set("extra != 'x'"), set("extra == 'x'").negate());
        assert_eq!(set("'x' not in extras"), set("'x' in extras").negate());
        assert_eq!(
            set("'3.8' <= python_version"),
            set("python_version >= '3.8'")
        );
        assert!(set("os_name < 'z'").is_false());
        assert!(set("'a' == 'a'").is_true());
        assert!(MarkerSet::from_tree(&MarkerTree::FALSE).is_false());
        // Exact, not simplified by the exclusions.
        assert!(!set("os_name == 'nt' and sys_platform == 'linux'").is_false());
    }

    #[test]
    fn disjointness_and_implication_know_real_machines() {
        let linux = set("sys_platform == 'linux'");
        assert!(linux.is_disjoint(set("os_name == 'nt'")));
        assert!(!linux.is_disjoint(set("platform_machine == 'x86_64'")));
        assert!(linux.is_disjoint(set("platform_system == 'FreeBSD'")));
        assert!(set("sys_platform == 'ios'").is_disjoint(set("platform_system == 'FreeBSD'")));
        assert!(!set("sys_platform == 'ios'").is_disjoint(set("platform_system == 'iOS'")));
        assert!(set("os_name == 'nt'").implies(set("sys_platform != 'linux'")));
        assert!(set("python_version >= '3.12'").implies(set("python_full_version >= '3.11'")));
        assert!(!set("python_version >= '3.11'").implies(set("python_full_version >= '3.11'")));
        assert!(MarkerSet::FALSE.is_disjoint(MarkerSet::TRUE));
    }

    #[test]
    fn python_ranges() {
        let full = |s: &str| s.parse::<crate::SpecifierSet>().unwrap().to_ranges();
        assert_eq!(
            set("python_version >= '3.11' and sys_platform == 'win32'").python_range(),
            full(">=3.11.dev0")
        );
        assert_eq!(
            set("sys_platform == 'win32'").python_range(),
            Ranges::full()
        );
        assert_eq!(MarkerSet::FALSE.python_range(), Ranges::empty());
        assert_eq!(
            set("python_version < '3.9' and os_name == 'nt' and sys_platform == 'linux' or python_version >= '3.12'")
                .python_range(),
            full(">=3.12.dev0")
        );
        let range = full(">=3.10");
        assert_eq!(MarkerSet::python_in(&range).python_range(), range);
        assert_eq!(
            MarkerSet::python_in(&range),
            set("python_full_version >= '3.10'")
        );
    }

    #[test]
    fn wheel_tags() {
        let tags = |s: &str| MarkerSet::from_wheel_tags(&s.parse().unwrap()).to_string();
        assert_eq!(
            tags("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"),
            "implementation_name == \"cpython\" and sys_platform == \"linux\" and platform_machine == \"x86_64\" and python_version == \"3.12\""
        );
        assert_eq!(
            tags("cp311-abi3-macosx_11_0_arm64"),
            "implementation_name == \"cpython\" and sys_platform == \"darwin\" and platform_machine == \"arm64\" and python_version >= \"3.11\""
        );
        assert_eq!(tags("py3-none-any"), "python_full_version == \"3.*\"");
        assert_eq!(
            tags("py2.py3-none-any"),
            "python_version >= \"2.0\" and python_version < \"4.0\""
        );
        assert_eq!(
            tags("cp310-cp310-win_amd64"),
            "implementation_name == \"cpython\" and sys_platform == \"win32\" and platform_machine == \"AMD64\" and python_version == \"3.10\""
        );
        assert_eq!(
            tags("pp310-pypy310_pp73-manylinux_2_17_x86_64"),
            "implementation_name == \"pypy\" and sys_platform == \"linux\" and platform_machine == \"x86_64\" and python_version == \"3.10\""
        );
        assert_eq!(
            tags("cp313-cp313t-macosx_10_13_universal2"),
            "implementation_name == \"cpython\" and sys_platform == \"darwin\" and (platform_machine == \"arm64\" or platform_machine == \"x86_64\") and python_version == \"3.13\""
        );
        assert_eq!(tags("graalpy311-graalpy242_311_native-any"), "");
        assert_eq!(
            tags("cp312-cp312-android_21_arm64_v8a"),
            "implementation_name == \"cpython\" and python_version == \"3.12\""
        );
    }

    #[test]
    fn printing() {
        for (input, want) in [
            (
                "python_version >= '3.8' and python_version < '3.9'",
                "python_version == \"3.8\"",
            ),
            (
                "python_full_version >= '3.8' and python_full_version < '3.9'",
                "python_full_version >= \"3.8\" and python_version < \"3.9\"",
            ),
            ("python_version != '3.8'", "python_version != \"3.8\""),
            (
                "python_full_version < '3.11.2'",
                "python_full_version < \"3.11.2\"",
            ),
            (
                "python_full_version >= '3.11.2'",
                "python_full_version >= \"3.11.2\"",
            ),
            (
                "python_full_version > '3.11.2'",
                "python_full_version > \"3.11.2\"",
            ),
            (
                "python_full_version <= '3.11.2'",
                "python_full_version <= \"3.11.2\"",
            ),
            (
                "python_full_version == '3.11.2'",
                "python_full_version == \"3.11.2\"",
            ),
            (
                "python_full_version ~= '3.11.2'",
                "python_full_version >= \"3.11.2\" and python_version < \"3.12\"",
            ),
            (
                "python_version < '3.9' or python_version >= '3.11'",
                "python_version >= \"3.11\" or python_version < \"3.9\"",
            ),
            (
                "os_name == 'nt' or sys_platform == 'linux'",
                "sys_platform == \"linux\" or os_name == \"nt\"",
            ),
            (
                "sys_platform != 'linux' and sys_platform != 'darwin'",
                "sys_platform != \"darwin\" and sys_platform != \"linux\"",
            ),
            (
                "(sys_platform == 'linux' or sys_platform == 'darwin') and python_version >= '3.10'",
                "(sys_platform == \"darwin\" or sys_platform == \"linux\") and python_version >= \"3.10\"",
            ),
            (
                "extra == 'x' and sys_platform == 'win32'",
                "sys_platform == \"win32\" and extra == \"x\"",
            ),
            (
                "extra != 'x' or 'linux' not in sys_platform",
                "extra != \"x\" or \"linux\" not in sys_platform",
            ),
        ] {
            assert_eq!(printed(input), want, "{input}");
            assert_eq!(set(want), set(input), "{input} reads back");
        }
        assert_eq!(
            set("python_full_version >= '3.11.2'").negate().to_string(),
            "python_full_version <= \"3.11.2\" and python_full_version != \"3.11.2\""
        );
        assert!(MarkerSet::TRUE.to_tree().is_true());
        assert!(MarkerSet::FALSE.to_tree().is_false());
    }

    #[test]
    fn printing_within_a_context() {
        let within = |s: &str, context: &str| set(s).to_tree_within(set(context)).to_string();
        assert_eq!(
            within(
                "python_full_version >= '3.10' and sys_platform == 'linux'",
                "python_full_version >= '3.10'"
            ),
            "sys_platform == \"linux\""
        );
        assert_eq!(
            within(
                "python_version >= '3.8' and python_version < '3.12'",
                "python_version >= '3.9'"
            ),
            "python_version < \"3.12\""
        );
        assert_eq!(
            within(
                "python_version >= '3.10' and sys_platform == 'linux'",
                "python_version >= '3.10' and sys_platform == 'linux'"
            ),
            ""
        );
        assert_eq!(
            within(
                "sys_platform == 'linux' and extra == 'x'",
                "sys_platform == 'linux'"
            ),
            "extra == \"x\""
        );
        assert_eq!(
            within("os_name == 'nt'", "sys_platform == 'linux'"),
            "python_version < \"0\""
        );
    }

    /// A small deterministic generator (xorshift64*), so that failures
    /// reproduce.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
    }

    fn vocabulary() -> Vec<String> {
        let mut out = Vec::new();
        let ops = ["<", "<=", ">", ">=", "==", "!="];
        for op in ops {
            for v in ["3.8", "3.10", "3.11", "3.12", "3.14", "3.11.5", "3.11.0"] {
                out.push(format!("python_version {op} '{v}'"));
            }
            for v in [
                "3.8",
                "3.11",
                "3.11.5",
                "3.12.0",
                "3.13",
                "3.14.1",
                "3.13.0rc1",
            ] {
                out.push(format!("python_full_version {op} '{v}'"));
            }
            out.push(format!("implementation_version {op} '7.3'"));
            out.push(format!("'3.10' {op} python_version"));
        }
        out.extend(
            [
                "python_version == '3.*'",
                "python_full_version == '3.11.*'",
                "python_full_version != '3.12.*'",
                "python_version ~= '3.10'",
                "python_full_version ~= '3.11.2'",
                "'3.10' <= python_full_version",
                "'3.10' < python_full_version",
                "'3.11' > python_full_version",
                "python_full_version == '3.11.1+local'",
                "os_name < 'z'",
                "'linux' in sys_platform",
                "'win' not in sys_platform",
                "sys_platform in 'linux darwin'",
                "extra == 'x'",
                "extra != 'y'",
                "'x' in extras",
                "platform_python_implementation == 'PyPy'",
                "platform_release == '6.5.0-14-generic'",
            ]
            .map(String::from),
        );
        for (var, values) in [
            ("sys_platform", &["linux", "win32", "darwin", "freebsd"][..]),
            (
                "platform_system",
                &["Windows", "Linux", "Darwin", "FreeBSD"],
            ),
            ("os_name", &["nt", "posix"]),
            ("platform_machine", &["x86_64", "AMD64", "arm64", "aarch64"]),
            ("implementation_name", &["cpython", "pypy"]),
        ] {
            for value in values {
                out.push(format!("{var} == '{value}'"));
                out.push(format!("{var} != '{value}'"));
            }
        }
        out
    }

    fn random_tree(rng: &mut Rng, words: &[String], depth: usize) -> MarkerTree {
        if depth == 0 || rng.below(4) == 0 {
            return tree(&words[rng.below(words.len())]);
        }
        let kind = rng.below(3);
        if kind == 2 {
            return random_tree(rng, words, depth - 1).negate();
        }
        let count = 2 + rng.below(2);
        let children: Vec<MarkerTree> = (0..count)
            .map(|_| random_tree(rng, words, depth - 1))
            .collect();
        if kind == 0 {
            MarkerTree::all(children)
        } else {
            MarkerTree::any(children)
        }
    }

    fn environments() -> Vec<(MarkerEnvironment, Vec<ExtraName>)> {
        let mut pythons = vec![
            ("3.13.0rc1".to_string(), "3.13".to_string()),
            ("3.14.0a2".to_string(), "3.14".to_string()),
            ("3.11.1+".to_string(), "3.11".to_string()),
        ];
        for minor in 7..=15 {
            for patch in [0, 1, 5] {
                pythons.push((format!("3.{minor}.{patch}"), format!("3.{minor}")));
            }
        }
        let platforms = [
            ("linux", "Linux", "posix", "x86_64", "6.5.0-14-generic"),
            ("linux", "Linux", "posix", "aarch64", "6.1.0"),
            ("win32", "Windows", "nt", "AMD64", "10"),
            ("darwin", "Darwin", "posix", "arm64", "23.1.0"),
            ("darwin", "Darwin", "posix", "x86_64", "22.0.0"),
            ("freebsd", "FreeBSD", "posix", "amd64", "14.0-RELEASE"),
        ];
        let extras: [&[&str]; 3] = [&[], &["x"], &["x", "y"]];
        let mut out = Vec::new();
        for (full, short) in &pythons {
            for (sys_platform, system, os_name, machine, release) in platforms {
                for (name, implementation, version) in [
                    ("cpython", "CPython", full.trim_end_matches('+')),
                    ("pypy", "PyPy", "7.3.17"),
                ] {
                    for active in extras {
                        let env = MarkerEnvironment::new(MarkerValues {
                            implementation_name: name.into(),
                            implementation_version: version.into(),
                            os_name: os_name.into(),
                            platform_machine: machine.into(),
                            platform_python_implementation: implementation.into(),
                            platform_release: release.into(),
                            platform_system: system.into(),
                            platform_version: "#1".into(),
                            python_full_version: full.clone(),
                            python_version: short.clone(),
                            sys_platform: sys_platform.into(),
                        });
                        let active = active.iter().map(|x| ExtraName::new(x).unwrap()).collect();
                        out.push((env, active));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn sets_agree_with_the_evaluator() {
        let words = vocabulary();
        let envs = environments();
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut previous = MarkerTree::TRUE;
        for round in 0..500 {
            let t = random_tree(&mut rng, &words, 4);
            let s = MarkerSet::from_tree(&t);
            let printed = s.to_tree();
            let back = MarkerSet::from_tree(&printed);
            assert_eq!(
                back, s,
                "round {round}: {t}\nprinted: {printed}\nback: {back}"
            );
            let not = s.negate();
            let p = MarkerSet::from_tree(&previous);
            assert_eq!(
                MarkerSet::from_tree(&t.clone().and(previous.clone())),
                s.and(p),
                "round {round}: {t}"
            );
            let within = s.to_tree_within(p);
            for (env, extras) in &envs {
                let want = t.evaluate(env, extras);
                let context = |m: &str| {
                    format!(
                        "round {round}: {m}\n{t}\nprinted: {printed}\n{:?} {extras:?}",
                        env.values()
                    )
                };
                assert_eq!(s.evaluate(env, extras), want, "{}", context("set"));
                assert_eq!(not.evaluate(env, extras), !want, "{}", context("negation"));
                assert_eq!(
                    printed.evaluate(env, extras),
                    want,
                    "{}",
                    context("printed")
                );
                if previous.evaluate(env, extras) {
                    assert_eq!(
                        within.evaluate(env, extras),
                        want,
                        "{}",
                        context(&format!("within {previous}: {within}"))
                    );
                }
            }
            previous = t;
        }
    }
}
