//! The shared PEP 440 specifier conformance tables (tests/data/*.txt, drawn
//! from `packaging`'s test suite): every `[version, specifier]` pair must
//! match or not as listed, through both `contains` and `to_ranges`, and
//! every invalid specifier must fail to parse with an error that points
//! inside the input.

use posy_vocab::{Specifier, SpecifierSet, Version};

/// The double-quoted strings of a Python list literal, comments removed.
fn strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut rest = line;
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            out.push(after[..close].to_string());
            rest = &after[close + 1..];
        }
    }
    out
}

fn pairs(text: &str) -> Vec<(String, String)> {
    let all = strings(text);
    assert_eq!(all.len() % 2, 0, "odd number of strings in a pair table");
    all.chunks(2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect()
}

fn check_pairs(text: &str, expected: bool) -> usize {
    let cases = pairs(text);
    for (version, spec) in &cases {
        let v: Version = version.parse().unwrap_or_else(|e| panic!("{e}"));
        let set: SpecifierSet = spec.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.contains(&v), expected, "{version} in {spec}");
        assert_eq!(
            set.to_ranges().contains(&v),
            expected,
            "{version} in ranges of {spec}"
        );
        let single: Specifier = spec.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(single.contains(&v), expected, "{version} in {spec}");
    }
    cases.len()
}

#[test]
fn successful_specifiers_match() {
    let n = check_pairs(include_str!("data/successful-specifiers.txt"), true);
    assert!(n >= 70, "only {n} cases");
}

#[test]
fn failing_specifiers_do_not_match() {
    let n = check_pairs(include_str!("data/failing-specifiers.txt"), false);
    assert!(n >= 70, "only {n} cases");
}

#[test]
fn invalid_specifiers_are_rejected() {
    let cases = strings(include_str!("data/invalid-specifiers.txt"));
    assert!(cases.len() >= 21);
    for spec in &cases {
        let err = spec
            .parse::<Specifier>()
            .expect_err(&format!("{spec} should be invalid"));
        assert!(err.span().end <= spec.len(), "{err}");
        assert!(!err.message().is_empty());
        spec.parse::<SpecifierSet>()
            .expect_err(&format!("{spec} should be invalid as a set"));
        let in_set = format!(">=0.1, {spec}");
        let err = in_set.parse::<SpecifierSet>().expect_err(&in_set);
        assert!(err.span().start >= 6, "{err}");
    }
}
