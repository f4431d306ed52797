//! PEP 440 specifiers and specifier sets: parsing never panics; what
//! parses displays to a string that parses back equal; `contains` never
//! panics and agrees with `to_ranges` for a version read from the input
//! after a `0xFF` byte.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posy_vocab::{Operator, Specifier, SpecifierSet, Version};

fuzz_target!(|data: &[u8]| {
    let Some((a, b)) = common::split2(data) else {
        return;
    };
    let version = b.parse::<Version>().ok();
    if let Ok(spec) = a.parse::<Specifier>() {
        let shown = spec.to_string();
        let again: Specifier = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, spec, "{shown:?}");
        assert_eq!(again.to_string(), shown);
        if let Some(v) = &version {
            let yes = spec.contains(v);
            // `===` ranges are documented to also hold other spellings.
            if spec.operator() != Operator::ExactEqual {
                assert_eq!(spec.to_ranges().contains(v), yes, "{spec} contains {v}");
            } else if yes {
                assert!(spec.to_ranges().contains(v), "{spec} contains {v}");
            }
        }
    }
    if let Ok(set) = a.parse::<SpecifierSet>() {
        let shown = set.to_string();
        let again: SpecifierSet = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, set, "{shown:?}");
        assert_eq!(again.to_string(), shown);
        if let Some(v) = &version {
            let yes = set.contains(v);
            let _ = set.allows(v, None);
            let _ = set.allows(v, Some(true));
            let arbitrary = set.iter().any(|s| s.operator() == Operator::ExactEqual);
            if !arbitrary {
                assert_eq!(set.to_ranges().contains(v), yes, "{set} contains {v}");
            } else if yes {
                assert!(set.to_ranges().contains(v), "{set} contains {v}");
            }
        }
    }
});
