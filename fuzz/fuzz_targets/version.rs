//! PEP 440 versions: parsing never panics; a parsed version displays to a
//! string that parses back to an equal version and displays the same again;
//! ordering agrees with equality and hashing, and is antisymmetric, against
//! a second version read from the input after a `0xFF` byte.
#![no_main]

mod common;

use std::cmp::Ordering;
use std::hash::{BuildHasher, RandomState};

use libfuzzer_sys::fuzz_target;
use posy_vocab::Version;

fn check_round_trip(v: &Version) {
    let shown = v.to_string();
    let again: Version = shown
        .parse()
        .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
    assert_eq!(&again, v, "{shown:?}");
    assert_eq!(again.cmp(v), Ordering::Equal, "{shown:?}");
    assert_eq!(again.to_string(), shown);
    assert_eq!(
        v.without_local().to_string().parse::<Version>().ok(),
        Some(v.without_local())
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((a, b)) = common::split2(data) else {
        return;
    };
    let Ok(v) = a.parse::<Version>() else { return };
    check_round_trip(&v);
    assert_eq!(v.cmp(&v), Ordering::Equal);
    let Ok(w) = b.parse::<Version>() else { return };
    check_round_trip(&w);
    let ord = v.cmp(&w);
    assert_eq!(ord == Ordering::Equal, v == w, "{v} vs {w}");
    assert_eq!(w.cmp(&v), ord.reverse(), "{v} vs {w}");
    assert_eq!(v.partial_cmp(&w), Some(ord));
    if v == w {
        let h = RandomState::new();
        assert_eq!(
            h.hash_one(&v),
            h.hash_one(&w),
            "{v} == {w} but hashes differ"
        );
    }
    // The local label only breaks ties between equal public versions.
    let public = v.without_local().cmp(&w.without_local());
    if public != Ordering::Equal {
        assert_eq!(ord, public, "{v} vs {w}");
    }
});
