//! PEP 440 specifier tables: the spec's own matching examples, `packaging`'s
//! matching cases (beyond the shared conformance files), the pre-release
//! policy of `allows`, parsing, display, equality and error spans.

use std::collections::HashSet;

use posy_vocab::{Operator, Specifier, SpecifierSet, Version};

fn v(s: &str) -> Version {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn set(s: &str) -> SpecifierSet {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// Checks `contains` and `to_ranges` against `(version, specifiers, expected)`.
fn check(cases: &[(&str, &str, bool)]) {
    for &(version, spec, expected) in cases {
        let version = v(version);
        let spec_set = set(spec);
        assert_eq!(spec_set.contains(&version), expected, "{version} in {spec}");
        assert_eq!(
            spec_set.to_ranges().contains(&version),
            expected,
            "{version} in ranges of {spec}: {}",
            spec_set.to_ranges()
        );
    }
}

#[test]
fn pep440_version_matching_examples() {
    check(&[
        // Given 1.1.post1:
        ("1.1.post1", "== 1.1", false),
        ("1.1.post1", "== 1.1.post1", true),
        ("1.1.post1", "== 1.1.*", true),
        // Given 1.1a1:
        ("1.1a1", "== 1.1", false),
        ("1.1a1", "== 1.1a1", true),
        ("1.1a1", "== 1.1.*", true),
        // Given 1.1:
        ("1.1", "== 1.1", true),
        ("1.1", "== 1.1.0", true),
        ("1.1", "== 1.1.dev1", false),
        ("1.1", "== 1.1a1", false),
        ("1.1", "== 1.1.post1", false),
        ("1.1", "== 1.1.*", true),
        // Version exclusion, given 1.1.post1:
        ("1.1.post1", "!= 1.1", true),
        ("1.1.post1", "!= 1.1.post1", false),
        ("1.1.post1", "!= 1.1.*", false),
        // Local versions: `==V` ignores the candidate's label.
        ("1.1+ubuntu1", "==1.1", true),
        ("1.1+ubuntu1", "==1.1+ubuntu1", true),
        ("1.1+ubuntu1", "==1.1+ubuntu2", false),
        ("1.1", "==1.1+ubuntu1", false),
        ("1.1+ubuntu.1", "==1.1+UBUNTU-1", true),
        // Exclusive ordered comparisons.
        ("1.7.1", ">1.7", true),
        ("1.7.0.post1", ">1.7", false),
        ("1.7+local", ">1.7", false),
        ("1.7.1", ">1.7.post2", true),
        ("1.7.0.post3", ">1.7.post2", true),
        ("1.7.0", ">1.7.post2", false),
        ("1.7.post2+local", ">1.7.post2", false),
        ("1.7a1", "<1.7", false),
        ("1.7.dev1", "<1.7", false),
        ("1.6.9", "<1.7", true),
        ("1.6.9a1", "<1.7", true),
        ("1.7a1", "<1.7rc1", true),
        ("1.7rc1.dev1", "<1.7rc1", true),
        ("1.7rc1", "<1.7rc1", false),
        // Inclusive ordered comparisons compare public versions.
        ("1.7+local", "<=1.7", true),
        ("1.7.post1", "<=1.7", false),
        ("1.7+local", ">=1.7", true),
        ("1.7.dev1+local", ">=1.7", false),
    ]);
}

/// PEP 440's table of compatible release clauses and their equivalents.
#[test]
fn pep440_compatible_release_equivalents() {
    let pairs = [
        ("~= 2.2", ">= 2.2, == 2.*"),
        ("~= 1.4.5", ">= 1.4.5, == 1.4.*"),
        ("~= 2.2.post3", ">= 2.2.post3, == 2.*"),
        ("~= 1.4.5a4", ">= 1.4.5a4, == 1.4.*"),
        ("~= 2.2.0", ">= 2.2.0, == 2.2.*"),
        ("~= 1.4.5.0", ">= 1.4.5.0, == 1.4.5.*"),
        ("~=2!1.0", ">=2!1.0, ==2!1.*"),
    ];
    let candidates = [
        "2.1",
        "2.2",
        "2.2.0",
        "2.2.1",
        "2.3",
        "2.9.post1",
        "3.0",
        "3.0.dev0",
        "2.2.post3",
        "2.2.post2",
        "2.2.post4",
        "1.4.4",
        "1.4.5a3",
        "1.4.5a4",
        "1.4.5",
        "1.4.6",
        "1.5.0",
        "1.5.0.dev0",
        "1.4.5.0",
        "1.4.5.1",
        "1.4.6.dev1",
        "2.2.0a1",
        "2.2+local",
        "2!1.0",
        "2!1.5",
        "2!2.0",
        "1.0",
        "2!1.0a1",
    ];
    for (compatible, equivalent) in pairs {
        let a = set(compatible);
        let b = set(equivalent);
        for c in candidates {
            let c = v(c);
            assert_eq!(
                a.contains(&c),
                b.contains(&c),
                "{c} in {compatible} vs {equivalent}"
            );
        }
        assert_eq!(a.to_ranges(), b.to_ranges(), "{compatible} vs {equivalent}");
    }
}

#[test]
fn packaging_matching_cases() {
    check(&[
        ("2c1.post1.dev1", "==2.0.*", true),
        ("2rc1", "==2.0.*", true),
        ("2", "==2.0.*", true),
        ("2", "==2.0.0.*", true),
        ("2", "==0!2.*", true),
        ("0!2", "==2.*", true),
        ("2.0.0.0", "==2.0.*", true),
        ("3", "!=2.0.0.*", true),
        ("2.1.0.0", "!=2.0.*", true),
        ("3.0.0a8", ">=3.0.0a7", true),
        ("3.0.0a7", "<=3.0.0a8", true),
        ("3.0.0a8", ">3.0.0a7", true),
        ("3.0.0a7", "<3.0.0a8", true),
        ("2022.01.01", "~=2022.01.01", true),
        ("2!1.0.0", "==2!1.0.0.0.*", true),
        ("2!1.0.0", "==2!1.0.*", true),
        ("2!1.0.0", "==2!1.*", true),
        ("1.0+local", ">1.0.dev1", true),
        ("4.1.0a2.dev1235+local", ">4.1.0a2.dev1234", true),
        ("1.0a2+local", ">1.0a1", true),
        ("1.0b2+local", ">1.0b1", true),
        ("1.0rc2+local", ">1.0rc1", true),
        ("1.0.post2+local", ">1.0.post1", true),
        ("1.0.dev2+local", ">1.0.dev1", true),
        ("1.0a1.dev2+local", ">1.0a1.dev1", true),
        ("1.0.post1.dev2+local", ">1.0.post1.dev1", true),
        ("3", "==2.0.0.*", false),
        ("2.1.0.0", "==2.0.*", false),
        ("2c1.post1.dev1", "!=2.0.*", false),
        ("2rc1", "!=2.0.*", false),
        ("2", "!=2.0.*", false),
        ("2", "!=2.0.0.*", false),
        ("2.0.0.0", "!=2.0.*", false),
        ("4.1.0a2.dev1234+local", ">4.1.0a2.dev1234", false),
        ("1.0a1+local", ">1.0a1", false),
        ("1.0b1+local", ">1.0b1", false),
        ("1.0rc1+local", ">1.0rc1", false),
        ("1.0.post1+local", ">1.0.post1", false),
        ("1.0.dev1+local", ">1.0.dev1", false),
        ("1.0a1.dev1+local", ">1.0a1.dev1", false),
        ("1.0.post1.dev1+local", ">1.0.post1.dev1", false),
        ("2!1.0", "==1.0.0.*", false),
        ("1.0", "==2!1.0.0.*", false),
    ]);
}

#[test]
fn operator_edge_cases() {
    check(&[
        // `>V` excludes V's own post-releases only.
        ("1.0a1.post1", ">1.0a1", false),
        ("1.0a2", ">1.0a1", true),
        ("1.0", ">1.0a1", true),
        ("1.0.post1", ">1.0a1", true),
        ("1.0.post1", ">1.0.dev1", true),
        ("1.0.post1", ">1.0", false),
        ("1.0.0.0.post1", ">1.0", false),
        ("1.0.0.1", ">1.0", true),
        ("1.0.0.1.dev0", ">1.0", true),
        ("1.0.post2.dev1", ">1.0.post1", true),
        ("1.0.post1.dev9", ">1.0.post1", false),
        // `<V` excludes V's own pre-releases only.
        ("1.0.post1.dev1", "<1.0.post1", false),
        ("1.0.post0", "<1.0.post1", true),
        ("1.0a1", "<1.0.post1", true),
        ("1.0+local", "<1.0.post1", true),
        ("0.9+local", "<1.0", true),
        ("1.0.dev0+local", "<1.0", false),
        ("0.9.post9", "<1.0", true),
        ("1.0a1.dev1", "<1.0a1", true),
        ("1.0.dev1", "<1.0.dev2", true),
        ("1.0.dev2", "<1.0.dev2", false),
        // Inclusive bounds.
        ("1.0.post1+local", "<=1.0.post1", true),
        ("1.0.post1.dev1", "<=1.0.post1", true),
        ("1.0.post2.dev0", "<=1.0.post1", false),
        ("1.0a1+x", "<=1.0a1", true),
        ("1.0a1.post0.dev0", "<=1.0a1", false),
        ("1.0.dev0", ">=1.0.dev0", true),
        ("1.0.dev0+x", ">=1.0.dev0", true),
        ("0.9.post99", ">=1.0.dev0", false),
        // Prefix matches.
        ("1.0a1", "==1.0a1.*", true),
        ("1.0a1.dev3", "==1.0a1.*", true),
        ("1.0a1.post2.dev3+x", "==1.0a1.*", true),
        ("1.0.0a1", "==1.0a1.*", true),
        ("1.0a10", "==1.0a1.*", false),
        ("1.0a2.dev0", "==1.0a1.*", false),
        ("1.0", "==1.0a1.*", false),
        ("1.0.post1", "==1.0.post1.*", true),
        ("1.0.post1+x", "==1.0.post1.*", true),
        ("1.0.post1.dev0", "==1.0.post1.*", true),
        ("1.0.post10", "==1.0.post1.*", false),
        ("1.0a1.post1", "==1.0.post1.*", false),
        ("1.0a1.post1", "==1.0a1.post1.*", true),
        ("1.0a1.post2", "==1.0a1.post1.*", false),
        ("1.0.5", "!=1.0.*", false),
        ("1.1.dev0", "!=1.0.*", true),
        ("0.9", "!=1.0.*", true),
        ("1.10", "==1.1.*", false),
        ("1.1", "==1.10.*", false),
        ("1.1.0.0.0.7", "==1.1.0.0.*", true),
        ("18446744073709551615.5", "==18446744073709551615.*", true),
        ("1!0", "==18446744073709551615.*", false),
        (
            "0.18446744073709551615.1",
            "==0.18446744073709551615.*",
            true,
        ),
        ("1.0", "==0.18446744073709551615.*", false),
        // Compatible release.
        ("1.4.5", "~=1.4.5", true),
        ("1.4.99", "~=1.4.5", true),
        ("1.5.0", "~=1.4.5", false),
        ("1.5.0.dev0", "~=1.4.5", false),
        ("1.4.5+local", "~=1.4.5", true),
        ("1.4.5.post1", "~=1.4.5", true),
        ("1.4.5a4", "~=1.4.5a4", true),
        ("1.4.5a3", "~=1.4.5a4", false),
        ("2.0", "~=1.0", false),
        ("1.99", "~=1.0", true),
        ("1.0.post1", "~=1.0.post1", true),
        ("1.0", "~=1.0.post1", false),
        ("1.0.dev1", "~=1.0.dev1", true),
        ("1.0.dev0", "~=1.0.dev1", false),
        // Empty set and combinations.
        ("0.0.dev0", "", true),
        ("99!99+anything", "", true),
        ("1.5", ">=1.0, <2.0, !=1.5", false),
        ("1.5.1", ">=1.0, <2.0, !=1.5", true),
        ("1.5+local", ">=1.0, <2.0, !=1.5", false),
        ("1.5+local", ">=1.0, <2.0, !=1.5+other", true),
        ("2.0rc1", ">=1.0, <2.0", false),
        ("1.0", ">1.0, <1.0", false),
        ("1.5", "~=1.4, !=1.5.*", false),
        ("1.6", "~=1.4, !=1.5.*", true),
    ]);
}

#[test]
fn arbitrary_equality() {
    let exact: Specifier = "===1.0".parse().unwrap_or_else(|e| panic!("{e}"));
    assert!(exact.contains(&v("1.0")));
    assert!(!exact.contains(&v("1.0.0")));
    assert!(!exact.contains(&v("1.0+local")));
    assert!(exact.to_ranges().contains(&v("1.0")));
    let upper: Specifier = "===1.0A1".parse().unwrap_or_else(|e| panic!("{e}"));
    assert!(upper.contains(&v("1.0a1")));
    assert_eq!(upper.version(), Some(&v("1.0a1")));
    let foo: Specifier = "===foobar".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(foo.version(), None);
    assert_eq!(foo.arbitrary(), Some("foobar"));
    assert!(!foo.contains(&v("1.0")));
    assert!(foo.to_ranges().is_empty());
    // Not the normalized spelling: no version displays as `v1.0`.
    let spelled: Specifier = "===v1.0".parse().unwrap_or_else(|e| panic!("{e}"));
    assert!(!spelled.contains(&v("1.0")));
    assert!(spelled.to_ranges().is_empty());
    assert_eq!(spelled.to_string(), "===v1.0");
    assert!("===".parse::<Specifier>().is_err());
    assert!("===1.0 extra".parse::<Specifier>().is_err());
    assert!("===1.0;".parse::<Specifier>().is_err());
}

#[test]
fn allows_applies_the_default_prerelease_policy() {
    let cases: &[(&str, &str, Option<bool>, bool)] = &[
        (">=1.0", "2.0a1", None, false),
        (">=1.0", "2.0a1", Some(true), true),
        (">=1.0", "2.0", Some(false), true),
        (">=1.0", "2.0.dev1", None, false),
        (">=1.0", "2.0.post1", None, true),
        (">=1.0a1", "2.0a1", None, true),
        (">=1.0a1", "2.0a1", Some(false), false),
        ("==2.0rc1", "2.0rc1", None, true),
        ("~=1.0b1", "1.5a1", None, true),
        ("<=2.0.dev5", "1.0a1", None, true),
        ("!=2.0a1", "1.0a1", None, false),
        ("!=2.0a1, >=1.0", "1.5a1", None, false),
        (">=1.0, !=2.0a1, <3.0b1", "1.5a1", None, true),
        ("==1.0.*", "1.0a1", None, false),
        ("==1.0a1.*", "1.0a1", None, true),
        ("", "1.0a1", None, false),
        ("", "1.0a1", Some(true), true),
        ("", "1.0", None, true),
        (">=1.0", "0.9", Some(true), false),
    ];
    for &(spec, version, prereleases, expected) in cases {
        let s = set(spec);
        assert_eq!(
            s.allows(&v(version), prereleases),
            expected,
            "{version} in {spec} with {prereleases:?}"
        );
    }
    assert!(set(">1.0, <2.0b1").mentions_prerelease());
    assert!(!set(">1.0, !=2.0b1").mentions_prerelease());
    assert!(set("===1.0rc1").mentions_prerelease());
    assert!(!set("===foo").mentions_prerelease());
}

#[test]
fn valid_specifiers_parse_and_normalize() {
    let cases = [
        ("~=2.0", "~=2.0", Operator::TildeEqual),
        ("==2.1.*", "==2.1.*", Operator::EqualStar),
        ("==2.1.0.3", "==2.1.0.3", Operator::Equal),
        ("!=2.2.*", "!=2.2.*", Operator::NotEqualStar),
        ("!=2.2.0.5", "!=2.2.0.5", Operator::NotEqual),
        ("<=5", "<=5", Operator::LessThanEqual),
        (">=7.9a1", ">=7.9a1", Operator::GreaterThanEqual),
        ("<1.0.dev1", "<1.0.dev1", Operator::LessThan),
        (">2.0.post1", ">2.0.post1", Operator::GreaterThan),
        ("===lolwat", "===lolwat", Operator::ExactEqual),
        ("== 1.0", "==1.0", Operator::Equal),
        ("  >=  v1.0  ", ">=1.0", Operator::GreaterThanEqual),
        ("~=1.0.POST1", "~=1.0.post1", Operator::TildeEqual),
        ("==1.0+ABC-1", "==1.0+abc.1", Operator::Equal),
        ("!=1.0+deadbeef", "!=1.0+deadbeef", Operator::NotEqual),
        ("==1.0a1.*", "==1.0a1.*", Operator::EqualStar),
        ("==1.0-1.*", "==1.0.post1.*", Operator::EqualStar),
        ("<2!1.0c1", "<2!1.0rc1", Operator::LessThan),
        ("=== 1.0", "===1.0", Operator::ExactEqual),
        ("~=0!1.0", "~=1.0", Operator::TildeEqual),
        (">=1.0\t", ">=1.0", Operator::GreaterThanEqual),
        ("==1.0.0.*", "==1.0.0.*", Operator::EqualStar),
    ];
    for (input, shown, op) in cases {
        let s: Specifier = input.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), shown, "{input}");
        assert_eq!(s.operator(), op, "{input}");
        let again: Specifier = shown.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, s);
    }
}

#[test]
fn invalid_specifiers_point_at_the_problem() {
    let cases: &[(&str, &str, std::ops::Range<usize>)] = &[
        ("2.0", "missing operator", 0..1),
        ("=>2.0", "did you mean `>=`", 0..1),
        ("=<2.0", "did you mean `<=`", 0..1),
        ("=2.0", "did you mean `==`", 0..1),
        ("==", "expected a version after `==`", 2..2),
        (">= ", "expected a version after `>=`", 2..3),
        ("~=1.0+5", "local label", 5..6),
        (">=1.0+deadbeef", "local label", 5..6),
        ("<1.0+1.0", "local label", 4..5),
        ("~=1.0.*", "only be used with `==` and `!=`", 6..7),
        (">=1.0.*", "only be used with `==` and `!=`", 6..7),
        ("==1.0.*+5", "must come last", 6..7),
        ("==1.0.*.5", "must come last", 6..7),
        ("==1.0*", "must come last", 5..6),
        ("==1.0+5.*", "local label", 5..6),
        ("==1.0.dev1.*", "dev release", 6..9),
        ("!=1.0.DEV1.*", "dev release", 6..9),
        ("~=1", "at least two release numbers", 2..3),
        ("~=1a1", "at least two release numbers", 2..5),
        ("==1.0.x", "unexpected `x`", 6..7),
        ("==1.0 1", "cannot contain spaces", 5..6),
        ("==1.0 >2", "separate specifiers with a comma", 5..6),
        (">=1.0;", "unexpected `;`", 5..6),
        ("@1.0", "expected an operator", 0..1),
        ("", "expected a version specifier", 0..0),
        ("===a b", "cannot appear in a `===` version", 4..5),
        ("==1.2+\u{130}", "local label", 6..8),
        ("~=1.2.3prev\u{131}ew1", "unexpected `v`", 10..11),
    ];
    for (input, message, span) in cases {
        let e = input.parse::<Specifier>().expect_err(input);
        assert!(e.message().contains(message), "{input}: {e}");
        assert_eq!(e.span(), span.clone(), "{input}: {e}");
        assert_eq!(e.input(), *input);
    }
}

#[test]
fn set_parsing_errors_and_blank_items() {
    assert!(set("").is_empty());
    assert!(set("  ").is_empty());
    assert_eq!(set(">=1.0,").len(), 1);
    assert_eq!(set(",>=1.0,,<2").to_string(), ">=1.0, <2");
    let e = ">=1.0, ~=1".parse::<SpecifierSet>().unwrap_err();
    assert_eq!(e.span(), 9..10);
    assert_eq!(
        e.to_string(),
        "invalid version specifiers `>=1.0, ~=1`: `~=` needs at least two release numbers, like `~=1.0` (which means `>=1.0, ==1.*`)\n  >=1.0, ~=1\n           ^"
    );
    let e = ">=1.0 <2.0".parse::<SpecifierSet>().unwrap_err();
    assert_eq!(e.span(), 5..6, "{e}");
    assert!(e.message().contains("comma"), "{e}");
}

#[test]
fn set_accessors_and_iteration() {
    let s = set(">=1.0, !=1.5.*, <2");
    assert_eq!(s.len(), 3);
    assert!(!s.is_empty());
    let ops: Vec<Operator> = s.iter().map(Specifier::operator).collect();
    assert_eq!(
        ops,
        [
            Operator::GreaterThanEqual,
            Operator::NotEqualStar,
            Operator::LessThan
        ]
    );
    let versions: Vec<String> = (&s)
        .into_iter()
        .filter_map(Specifier::version)
        .map(ToString::to_string)
        .collect();
    assert_eq!(versions, ["1.0", "1.5", "2"]);
    let rebuilt: SpecifierSet = s.clone().into_iter().collect();
    assert_eq!(rebuilt, s);
    assert_eq!(SpecifierSet::default(), set(""));
    assert_eq!(SpecifierSet::default().to_string(), "");
}

#[test]
fn specifier_equality_follows_meaning() {
    let same = [
        ("==1.0", "==1.0.0"),
        ("==1.0", "== 1.0"),
        (">=1", ">=1.0"),
        ("===Foo", "===foo"),
        ("!=1.0+A", "!=1.0+a"),
    ];
    for (a, b) in same {
        let a: Specifier = a.parse().unwrap_or_else(|e| panic!("{e}"));
        let b: Specifier = b.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a, b);
        let hashes: HashSet<Specifier> = [a, b].into_iter().collect();
        assert_eq!(hashes.len(), 1);
    }
    let different = [
        ("~=1.0", "~=1.0.0"),
        ("==1.*", "==1.0.*"),
        ("==1.0", "===1.0"),
        ("==1.0", "!=1.0"),
        ("<1", "<=1"),
    ];
    for (a, b) in different {
        let a: Specifier = a.parse().unwrap_or_else(|e| panic!("{e}"));
        let b: Specifier = b.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
    }
}

#[test]
fn operators_print_as_written() {
    let all = [
        (Operator::Equal, "=="),
        (Operator::EqualStar, "=="),
        (Operator::NotEqual, "!="),
        (Operator::NotEqualStar, "!="),
        (Operator::TildeEqual, "~="),
        (Operator::LessThan, "<"),
        (Operator::LessThanEqual, "<="),
        (Operator::GreaterThan, ">"),
        (Operator::GreaterThanEqual, ">="),
        (Operator::ExactEqual, "==="),
    ];
    for (op, text) in all {
        assert_eq!(op.to_string(), text);
        assert_eq!(op.as_str(), text);
    }
}

#[test]
fn specifier_new_builds_pins() {
    let pin = Specifier::new(Operator::Equal, v("1.0+local")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pin.to_string(), "==1.0+local");
    assert!(pin.contains(&v("1.0+local")));
    let exact = Specifier::new(Operator::ExactEqual, v("1.0a1")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exact.to_string(), "===1.0a1");
    assert!(exact.contains(&v("1.0a1")));
    let e = Specifier::new(Operator::LessThanEqual, v("1.0+local")).unwrap_err();
    assert_eq!(
        e.to_string().lines().next(),
        Some(
            "invalid specifier `<=1.0+local`: a local label (`+...`) can only be used with `==` and `!=`, not `<=`"
        )
    );
}
