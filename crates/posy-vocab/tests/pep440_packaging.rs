//! Differential tables recorded from `packaging` (the reference
//! implementation pip uses) on random inputs: version normalization and
//! rejection, ordering, and specifier matching (with pre-releases allowed,
//! since `contains` leaves pre-release policy to the caller). See the
//! header of each file in tests/data for the exact provenance.

use std::cmp::Ordering;

use posy_vocab::{Specifier, Version};

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

#[test]
fn version_spellings_normalize_like_packaging() {
    let (mut valid, mut invalid) = (0, 0);
    for row in rows(include_str!("data/packaging-versions.tsv")) {
        let (input, expected) = (row[0], row[1]);
        match input.parse::<Version>() {
            Ok(v) => {
                assert_eq!(v.to_string(), expected, "{input:?}");
                valid += 1;
            }
            Err(e) => {
                assert_eq!(expected, "INVALID", "{input:?}: {e}");
                invalid += 1;
            }
        }
    }
    assert!(
        valid >= 1500 && invalid >= 500,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn ordering_agrees_with_packaging() {
    let mut n = 0;
    for row in rows(include_str!("data/packaging-ordering.tsv")) {
        let a: Version = row[0].parse().unwrap_or_else(|e| panic!("{e}"));
        let b: Version = row[1].parse().unwrap_or_else(|e| panic!("{e}"));
        let expected = match row[2] {
            "-1" => Ordering::Less,
            "1" => Ordering::Greater,
            _ => Ordering::Equal,
        };
        assert_eq!(a.cmp(&b), expected, "{a} vs {b}");
        n += 1;
    }
    assert!(n >= 2000);
}

#[test]
fn matching_agrees_with_packaging() {
    let mut n = 0;
    for row in rows(include_str!("data/packaging-contains.tsv")) {
        let v: Version = row[0].parse().unwrap_or_else(|e| panic!("{e}"));
        let s: Specifier = row[1].parse().unwrap_or_else(|e| panic!("{e}"));
        let expected = row[2] == "1";
        assert_eq!(s.contains(&v), expected, "{v} in {s}");
        assert_eq!(s.to_ranges().contains(&v), expected, "{v} in ranges of {s}");
        n += 1;
    }
    assert!(n >= 3000);
}
