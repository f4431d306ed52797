//! What a requirement asks of the resolver, in the resolver's terms.
//!
//! A PEP 508 requirement is read three ways here: as a set of versions
//! (its specifiers as `Ranges<Version>`, everything when it has none), as a
//! possible opt-in to pre-releases (a pre-release named in a specifier
//! other than `!=`), and as a possible exact pin (`==V` without a wildcard,
//! or `===V`), which is the only thing that lets a yanked version be picked
//! (PEP 592).

use posy_vocab::{Operator, Requirement, Version};
use version_ranges::Ranges;

/// The versions a requirement allows; direct URL requirements allow all
/// (the URL itself is handled, or refused, elsewhere).
pub(crate) fn requirement_ranges(requirement: &Requirement) -> Ranges<Version> {
    requirement
        .specifiers()
        .map_or_else(Ranges::full, |specifiers| specifiers.to_ranges())
}

/// Whether the requirement's specifiers name a pre-release in a way that
/// asks for pre-releases (see `prerelease.rs`).
pub(crate) fn explicit_prerelease(requirement: &Requirement) -> bool {
    requirement
        .specifiers()
        .is_some_and(|specifiers| specifiers.mentions_prerelease())
}

/// The versions pinned exactly by `==V` (no wildcard) or `===V` clauses.
pub(crate) fn exact_pins(requirement: &Requirement) -> impl Iterator<Item = &Version> {
    requirement.specifiers().into_iter().flat_map(|specifiers| {
        specifiers
            .iter()
            .filter_map(|specifier| match specifier.operator() {
                Operator::Equal => specifier.version(),
                Operator::ExactEqual => specifier.version(),
                _ => None,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Requirement {
        s.parse().unwrap()
    }

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_follow_the_specifiers() {
        let ranges = requirement_ranges(&req("a>=1.0,<2"));
        assert!(ranges.contains(&v("1.5")));
        assert!(!ranges.contains(&v("2.0")));
        assert_eq!(requirement_ranges(&req("a")), Ranges::full());
        assert_eq!(
            requirement_ranges(&req("a @ https://x.example/a.whl")),
            Ranges::full()
        );
    }

    #[test]
    fn exact_pins_are_double_equals_without_wildcards() {
        let r = req("a==1.0");
        assert_eq!(exact_pins(&r).cloned().collect::<Vec<_>>(), vec![v("1.0")]);
        assert_eq!(exact_pins(&req("a==1.*")).count(), 0);
        assert_eq!(exact_pins(&req("a>=1.0")).count(), 0);
    }

    #[test]
    fn prerelease_opt_in() {
        assert!(explicit_prerelease(&req("a>=1.0rc1")));
        assert!(!explicit_prerelease(&req("a!=1.0rc1")));
        assert!(!explicit_prerelease(&req("a")));
    }
}
