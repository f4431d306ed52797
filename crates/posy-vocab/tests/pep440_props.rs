//! Property tests for PEP 440 versions and specifiers: display round-trips
//! and is canonical, ordering is total and agrees with `Eq`, `Hash` and an
//! independent model of PEP 440's sort key, specifiers round-trip, and a
//! specifier set's ranges contain exactly the versions `contains` accepts.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use posy_vocab::{
    LocalSegment, Operator, Prerelease, PrereleaseKind, Specifier, SpecifierSet, Version,
};
use proptest::prelude::*;

fn number() -> impl Strategy<Value = u64> {
    // Small numbers collide often (the interesting cases); a few huge ones
    // exercise the carry and overflow paths.
    prop_oneof![8 => 0u64..4, 1 => Just(u64::MAX), 1 => 0u64..100_000]
}

fn kind() -> impl Strategy<Value = PrereleaseKind> {
    prop_oneof![
        Just(PrereleaseKind::Alpha),
        Just(PrereleaseKind::Beta),
        Just(PrereleaseKind::Rc)
    ]
}

fn local_segment() -> impl Strategy<Value = LocalSegment> {
    prop_oneof![
        (0u64..3).prop_map(LocalSegment::Number),
        "[a-c][a-c0-9]{0,2}".prop_map(LocalSegment::String),
    ]
}

prop_compose! {
    fn public_version()(
        epoch in prop_oneof![6 => Just(0u64), 1 => 1u64..3, 1 => Just(u64::MAX)],
        release in prop::collection::vec(number(), 1..6),
        pre in prop::option::weighted(0.3, (kind(), number())),
        post in prop::option::weighted(0.3, number()),
        dev in prop::option::weighted(0.3, number()),
    ) -> Version {
        Version::new(release)
            .with_epoch(epoch)
            .with_pre(pre.map(|(kind, number)| Prerelease { kind, number }))
            .with_post(post)
            .with_dev(dev)
    }
}

prop_compose! {
    fn version()(
        public in public_version(),
        local in prop::option::weighted(0.25, prop::collection::vec(local_segment(), 1..4)),
    ) -> Version {
        public.with_local(local.unwrap_or_default())
    }
}

/// An independent model of PEP 440's sort key, written the way the spec
/// states it: `(epoch, release without trailing zeros, pre, post, dev, local)`
/// with the special cases for dev-only releases and missing segments.
fn model_key(v: &Version) -> impl Ord {
    let mut release = v.release().to_vec();
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    // (0, _) sorts first, (2, _) last.
    let pre = match v.pre() {
        None if v.post().is_none() && v.dev().is_some() => (0, None),
        None => (2, None),
        Some(p) => (1, Some((p.kind, p.number))),
    };
    let post = v.post().map_or((0, 0), |n| (1, n));
    let dev = v.dev().map_or((1, 0), |n| (0, n));
    let local: Option<Vec<(u8, u64, String)>> = if v.is_local() {
        Some(
            v.local()
                .iter()
                .map(|s| match s {
                    LocalSegment::Number(n) => (1, *n, String::new()),
                    LocalSegment::String(t) => (0, 0, t.clone()),
                })
                .collect(),
        )
    } else {
        None
    };
    (v.epoch(), release, pre, post, dev, local)
}

fn hash_of(v: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn display_round_trips_and_is_canonical(v in version()) {
        let shown = v.to_string();
        let parsed: Version = shown.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&parsed, &v);
        prop_assert_eq!(parsed.to_string(), shown);
        prop_assert_eq!(parsed.release(), v.release());
        prop_assert_eq!(parsed.local(), v.local());
    }

    #[test]
    fn ordering_matches_the_model_and_eq_and_hash(a in version(), b in version()) {
        let ord = a.cmp(&b);
        prop_assert_eq!(ord, model_key(&a).cmp(&model_key(&b)), "{} vs {}", a, b);
        prop_assert_eq!(ord, b.cmp(&a).reverse());
        prop_assert_eq!(ord == Ordering::Equal, a == b);
        prop_assert_eq!(a.partial_cmp(&b), Some(ord));
        if a == b {
            prop_assert_eq!(hash_of(&a), hash_of(&b));
        }
    }

    #[test]
    fn trailing_zeros_do_not_change_eq_or_hash(v in version(), zeros in 1usize..4) {
        let mut release = v.release().to_vec();
        release.extend(std::iter::repeat_n(0, zeros));
        let padded = Version::new(release)
            .with_epoch(v.epoch())
            .with_pre(v.pre())
            .with_post(v.post())
            .with_dev(v.dev())
            .with_local(v.local().to_vec());
        prop_assert_eq!(&padded, &v);
        prop_assert_eq!(hash_of(&padded), hash_of(&v));
    }

    #[test]
    fn ordering_is_transitive(a in version(), b in version(), c in version()) {
        let mut sorted = [a, b, c];
        sorted.sort();
        prop_assert!(sorted[0] <= sorted[1] && sorted[1] <= sorted[2]);
        prop_assert!(sorted[0] <= sorted[2]);
    }

    #[test]
    fn without_local_is_just_below_every_local(v in version()) {
        let public = v.without_local();
        prop_assert!(!public.is_local());
        prop_assert!(public <= v);
        prop_assert_eq!(public == v, !v.is_local());
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,24}") {
        let _ = s.parse::<Version>();
        let _ = s.parse::<Specifier>();
        let _ = s.parse::<SpecifierSet>();
    }

    #[test]
    fn parsing_version_like_text_never_panics(s in "[vV]?[0-9]{1,3}([.!][0-9]{1,3}){0,3}[-_.]?(a|b|rc|c|pre|dev|post|r|rev|alpha)?[-_.]?[0-9]{0,2}(\\+[a-z0-9._-]{0,5})?( ?[.*,]{0,2})") {
        if let Ok(v) = s.parse::<Version>() {
            let again: Version = v.to_string().parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(again, v);
        }
        for op in ["==", "!=", "<", ">=", "~=", "==="] {
            let _ = format!("{op}{s}").parse::<SpecifierSet>();
        }
    }
}

/// A valid specifier built around `v`, so that candidates drawn from the
/// same small domain often sit right on its boundaries.
fn specifier() -> impl Strategy<Value = Specifier> {
    let op = prop_oneof![
        Just(Operator::Equal),
        Just(Operator::EqualStar),
        Just(Operator::NotEqual),
        Just(Operator::NotEqualStar),
        Just(Operator::TildeEqual),
        Just(Operator::LessThan),
        Just(Operator::LessThanEqual),
        Just(Operator::GreaterThan),
        Just(Operator::GreaterThanEqual),
    ];
    (op, version()).prop_map(|(op, v)| {
        let v = match op {
            Operator::Equal | Operator::NotEqual => v,
            Operator::EqualStar | Operator::NotEqualStar => v.without_local().with_dev(None),
            Operator::TildeEqual => {
                let mut release = v.release().to_vec();
                if release.len() < 2 {
                    release.push(0);
                }
                Version::new(release)
                    .with_epoch(v.epoch())
                    .with_pre(v.pre())
                    .with_post(v.post())
                    .with_dev(v.dev())
            }
            _ => v.without_local(),
        };
        Specifier::new(op, v).unwrap_or_else(|e| panic!("{e}"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn ranges_agree_with_contains(spec in specifier(), candidates in prop::collection::vec(version(), 1..12)) {
        let single = spec.to_ranges();
        let set = SpecifierSet::new([spec.clone()]);
        let ranges = set.to_ranges();
        for c in &candidates {
            prop_assert_eq!(spec.contains(c), single.contains(c), "{} in {} (ranges {})", c, spec, single);
            prop_assert_eq!(set.contains(c), ranges.contains(c));
        }
        // And exactly around the specifier's own version.
        if let Some(v) = spec.version() {
            for c in neighbours(v) {
                prop_assert_eq!(spec.contains(&c), single.contains(&c), "{} in {} (ranges {})", c, spec, single);
            }
        }
    }

    #[test]
    fn set_ranges_agree_with_contains(
        specs in prop::collection::vec(specifier(), 0..4),
        candidates in prop::collection::vec(version(), 1..12),
    ) {
        let set = SpecifierSet::new(specs);
        let ranges = set.to_ranges();
        for c in candidates.iter().chain(set.iter().filter_map(Specifier::version).flat_map(neighbours).collect::<Vec<_>>().iter()) {
            prop_assert_eq!(set.contains(c), ranges.contains(c), "{} in {} (ranges {})", c, set, ranges);
        }
    }

    #[test]
    fn specifiers_round_trip_through_display(specs in prop::collection::vec(specifier(), 0..4)) {
        let set = SpecifierSet::new(specs);
        let shown = set.to_string();
        let parsed: SpecifierSet = shown.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(parsed.to_string(), shown);
        prop_assert_eq!(&parsed, &set);
        for s in &set {
            let again: Specifier = s.to_string().parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(hash_of(&again), hash_of(s));
            prop_assert_eq!(again, s.clone());
        }
    }
}

/// Versions at and around `v`'s boundaries: its dev, pre, post and local
/// variants and the next and previous release numbers.
fn neighbours(v: &Version) -> Vec<Version> {
    let base = v.without_local();
    let mut out = vec![v.clone(), base.clone()];
    let local = [LocalSegment::String("x".into())];
    for dev in [None, Some(0), Some(1)] {
        for post in [None, Some(0), Some(1)] {
            let c = base.clone().with_dev(dev).with_post(post);
            out.push(c.clone().with_local(local.clone()));
            out.push(c.clone().with_pre(None));
            out.push(c);
        }
    }
    let release = base.release().to_vec();
    for i in 0..release.len() {
        let mut up = release.clone();
        up[i] = up[i].saturating_add(1);
        let mut down = release.clone();
        down[i] = down[i].saturating_sub(1);
        let mut longer = release.clone();
        longer.push(1);
        for r in [up, down, longer, release[..=i].to_vec()] {
            let c = Version::new(r).with_epoch(base.epoch());
            out.push(c.clone().with_dev(Some(0)));
            out.push(c.clone().with_pre(base.pre()));
            out.push(c);
        }
    }
    out
}

#[test]
fn ranges_for_every_operator_read_sensibly() {
    let cases = [
        ("==1.0", ">=1.0, <=1.0+*"),
        ("!=1.0", "<1.0 | >1.0+*"),
        (">1.0", ">1.0.post*"),
        (">1.0.post1", ">1.0.post1+*"),
        ("<1.0", "<1.0.dev0"),
        ("<1.0rc1", "<1.0rc1"),
        ("<=1.0", "<=1.0+*"),
        (">=1.0", ">=1.0"),
        ("==1.2.*", ">=1.2.dev0, <1.3.dev0"),
        ("~=1.2.3", ">=1.2.3, <1.3.dev0"),
        ("==1.0+local", "1.0+local"),
        ("", "*"),
    ];
    for (spec, expected) in cases {
        let set: SpecifierSet = spec.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.to_ranges().to_string(), expected, "{spec}");
    }
}
