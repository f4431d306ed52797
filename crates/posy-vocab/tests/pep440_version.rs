//! PEP 440 version tables: the spec's own examples, the normalization
//! rules, the full ordering list used by `packaging`'s test suite, accessor
//! values, and inputs that must be rejected.

use std::collections::HashSet;

use posy_vocab::{LocalSegment, Prerelease, PrereleaseKind, Version};

fn v(s: &str) -> Version {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// Every version below sorts strictly after the one before it.
const ORDERED: &[&str] = &[
    "1.0.dev0",
    "1.0.dev456",
    "1.0.dev456+local",
    "1.0a0",
    "1.0a0.post0.dev0",
    "1.0a0.post0",
    "1.0a1.dev1",
    "1.0a1.dev1+local",
    "1.0a1",
    "1.0a1+local",
    "1.0b0",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0rc0",
    "1.0rc1.dev1",
    "1.0c1+local",
    "1.0rc2",
    "1.0",
    "1.0.post0.dev0",
    "1.0.post0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.post456+local",
    "1.0.1.dev1",
    "1.0.1a1",
    "1.0.1",
    "1.0.1+local",
    "1.0.1.post1",
    "1.1.dev1",
    "1.2+a",
    "1.2+abc",
    "1.2+abcdef",
    "1.2+def",
    "1.2+0",
    "1.2+1",
    "1.2+1.abc",
    "1.2+1.1",
    "1.2+1.1.0",
    "1.2+2",
    "1.2+123",
    "1.2+123456",
    "1.2.r32+123456",
    "1.2.rev33+123456",
    "1.2.0.0.1",
    "1.2.0.0.1.0.1",
    "1.3",
    "1.3.5",
    "1.3.5.7.9.11",
    "2",
    "10",
    "18446744073709551615",
    "1!0.dev0",
    "1!1.0.dev0",
    "1!1.0.dev456",
    "1!1.0.dev456+local",
    "1!1.0a0",
    "1!1.0a0.post0.dev0",
    "1!1.0a0.post0",
    "1!1.0a1.dev1",
    "1!1.0a1.dev1+local",
    "1!1.0a1",
    "1!1.0a1+local",
    "1!1.0b0",
    "1!1.0b1.dev456",
    "1!1.0b2",
    "1!1.0b2.post345.dev456",
    "1!1.0b2.post345",
    "1!1.0b2-346",
    "1!1.0rc0",
    "1!1.0rc1.dev1",
    "1!1.0c1",
    "1!1.0rc2",
    "1!1.0",
    "1!1.0.post0.dev0",
    "1!1.0.post0",
    "1!1.0.post456.dev34",
    "1!1.0.post456",
    "1!1.0.post456+local",
    "1!1.0.1.dev1",
    "1!1.0.1a1",
    "1!1.0.1",
    "1!1.0.1+local",
    "1!1.0.1.post1",
    "1!1.1.dev1",
    "1!1.2+a",
    "1!1.2+abc",
    "1!1.2+abcdef",
    "1!1.2+def",
    "1!1.2+0",
    "1!1.2+1",
    "1!1.2+1.abc",
    "1!1.2+1.1",
    "1!1.2+1.1.0",
    "1!1.2+2",
    "1!1.2+123",
    "1!1.2+123456",
    "1!1.2.r32+123456",
    "1!1.2.rev33+123456",
    "2!0",
];

#[test]
fn ordering_list_is_strictly_increasing_in_every_pair() {
    let versions: Vec<Version> = ORDERED.iter().map(|s| v(s)).collect();
    for (i, a) in versions.iter().enumerate() {
        for (j, b) in versions.iter().enumerate() {
            assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
            assert_eq!(a == b, i == j, "{a} == {b}");
        }
    }
    let distinct: HashSet<&Version> = versions.iter().collect();
    assert_eq!(distinct.len(), versions.len());
}

/// The example ordering from PEP 440's "Summary of permitted suffixes and
/// relative ordering" section.
#[test]
fn pep440_summary_ordering() {
    let list = [
        "1.dev0",
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0rc1.dev456",
        "1.0rc1",
        "1.0",
        "1.0+abc.5",
        "1.0+abc.7",
        "1.0+5",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
    ];
    for pair in list.windows(2) {
        assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn sorting_shuffled_versions_restores_the_order() {
    let mut versions: Vec<Version> = ORDERED.iter().rev().map(|s| v(s)).collect();
    versions.rotate_left(17);
    versions.sort();
    let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
    let expected: Vec<String> = ORDERED.iter().map(|s| v(s).to_string()).collect();
    assert_eq!(sorted, expected);
}

#[test]
fn equal_versions_compare_and_hash_equal() {
    let groups: &[&[&str]] = &[
        &[
            "1",
            "1.0",
            "1.0.0",
            "1.0.0.0.0.0",
            "v1",
            "V1.0",
            "0!1",
            "01.00",
        ],
        &[
            "1.0c1",
            "1.0rc1",
            "1.0pre1",
            "1.0preview1",
            "1.0.RC.1",
            "1.0-c-1",
        ],
        &["1.0a", "1.0alpha0", "1.0.a.0", "1.0_ALPHA", "1.0.0a0"],
        &[
            "1.0-1",
            "1.0.post1",
            "1.0r1",
            "1.0rev1",
            "1.0_post_1",
            "1.0.0-1",
        ],
        &["1.0.dev", "1.0dev0", "1.0-dev-0", "1.0_DEV"],
        &["1.0+abc.1", "1.0+ABC-1", "1.0+abc_01", "1.0.0+abc.1"],
        &["2!3.4", "2!3.4.0", "002!3.4"],
        &["1.2.3.4", "1.2.3.4.0"],
    ];
    for group in groups {
        let versions: Vec<Version> = group.iter().map(|s| v(s)).collect();
        let hashes: HashSet<&Version> = versions.iter().collect();
        assert_eq!(hashes.len(), 1, "{group:?}");
        for a in &versions {
            for b in &versions {
                assert_eq!(a, b);
            }
        }
    }
}

/// Input → normalized display, from PEP 440's normalization section.
const NORMALIZED: &[(&str, &str)] = &[
    ("1.0dev", "1.0.dev0"),
    ("1.0.dev", "1.0.dev0"),
    ("1.0dev1", "1.0.dev1"),
    ("1.0-dev", "1.0.dev0"),
    ("1.0-dev1", "1.0.dev1"),
    ("1.0DEV", "1.0.dev0"),
    ("1.0.DEV", "1.0.dev0"),
    ("1.0DEV1", "1.0.dev1"),
    ("1.0.DEV1", "1.0.dev1"),
    ("1.0-DEV", "1.0.dev0"),
    ("1.0-DEV1", "1.0.dev1"),
    ("1.0_dev_1", "1.0.dev1"),
    ("1.0a", "1.0a0"),
    ("1.0.a", "1.0a0"),
    ("1.0.a1", "1.0a1"),
    ("1.0-a", "1.0a0"),
    ("1.0-a1", "1.0a1"),
    ("1.0alpha", "1.0a0"),
    ("1.0.alpha", "1.0a0"),
    ("1.0.alpha1", "1.0a1"),
    ("1.0-alpha", "1.0a0"),
    ("1.0-alpha1", "1.0a1"),
    ("1.0A", "1.0a0"),
    ("1.0.A", "1.0a0"),
    ("1.0.A1", "1.0a1"),
    ("1.0-A", "1.0a0"),
    ("1.0-A1", "1.0a1"),
    ("1.0ALPHA", "1.0a0"),
    ("1.0.ALPHA", "1.0a0"),
    ("1.0.ALPHA1", "1.0a1"),
    ("1.0-ALPHA", "1.0a0"),
    ("1.0-ALPHA1", "1.0a1"),
    ("1.0a.1", "1.0a1"),
    ("1.0a-1", "1.0a1"),
    ("1.0a_1", "1.0a1"),
    ("1.0b", "1.0b0"),
    ("1.0.b", "1.0b0"),
    ("1.0.b1", "1.0b1"),
    ("1.0-b", "1.0b0"),
    ("1.0-b1", "1.0b1"),
    ("1.0beta", "1.0b0"),
    ("1.0.beta", "1.0b0"),
    ("1.0.beta1", "1.0b1"),
    ("1.0-beta", "1.0b0"),
    ("1.0-beta1", "1.0b1"),
    ("1.0B", "1.0b0"),
    ("1.0.B", "1.0b0"),
    ("1.0.B1", "1.0b1"),
    ("1.0-B", "1.0b0"),
    ("1.0-B1", "1.0b1"),
    ("1.0BETA", "1.0b0"),
    ("1.0.BETA", "1.0b0"),
    ("1.0.BETA1", "1.0b1"),
    ("1.0-BETA", "1.0b0"),
    ("1.0-BETA1", "1.0b1"),
    ("1.0c", "1.0rc0"),
    ("1.0.c", "1.0rc0"),
    ("1.0.c1", "1.0rc1"),
    ("1.0-c", "1.0rc0"),
    ("1.0-c1", "1.0rc1"),
    ("1.0rc", "1.0rc0"),
    ("1.0.rc", "1.0rc0"),
    ("1.0.rc1", "1.0rc1"),
    ("1.0-rc", "1.0rc0"),
    ("1.0-rc1", "1.0rc1"),
    ("1.0C", "1.0rc0"),
    ("1.0.C", "1.0rc0"),
    ("1.0.C1", "1.0rc1"),
    ("1.0-C", "1.0rc0"),
    ("1.0-C1", "1.0rc1"),
    ("1.0RC", "1.0rc0"),
    ("1.0.RC", "1.0rc0"),
    ("1.0.RC1", "1.0rc1"),
    ("1.0-RC", "1.0rc0"),
    ("1.0-RC1", "1.0rc1"),
    ("1.0pre", "1.0rc0"),
    ("1.0pre1", "1.0rc1"),
    ("1.0preview", "1.0rc0"),
    ("1.0-preview-2", "1.0rc2"),
    ("1.0.PREVIEW.2", "1.0rc2"),
    ("1.0post", "1.0.post0"),
    ("1.0.post", "1.0.post0"),
    ("1.0post1", "1.0.post1"),
    ("1.0-post", "1.0.post0"),
    ("1.0-post1", "1.0.post1"),
    ("1.0POST", "1.0.post0"),
    ("1.0.POST", "1.0.post0"),
    ("1.0POST1", "1.0.post1"),
    ("1.0r", "1.0.post0"),
    ("1.0rev", "1.0.post0"),
    ("1.0.POST1", "1.0.post1"),
    ("1.0.r1", "1.0.post1"),
    ("1.0.rev1", "1.0.post1"),
    ("1.0-POST", "1.0.post0"),
    ("1.0-POST1", "1.0.post1"),
    ("1.0-5", "1.0.post5"),
    ("1.0-r5", "1.0.post5"),
    ("1.0-rev5", "1.0.post5"),
    ("1.0_post_5", "1.0.post5"),
    ("1.0a1-1", "1.0a1.post1"),
    ("1.0+AbC", "1.0+abc"),
    ("1.0+ubuntu-1", "1.0+ubuntu.1"),
    ("1.0+ubuntu_1", "1.0+ubuntu.1"),
    ("1.0+Ubuntu-1_B.2", "1.0+ubuntu.1.b.2"),
    ("1.0+001", "1.0+1"),
    ("1.0+abc.007", "1.0+abc.7"),
    ("1.01", "1.1"),
    ("1.0a05", "1.0a5"),
    ("1.0b07", "1.0b7"),
    ("1.0c056", "1.0rc56"),
    ("1.0rc09", "1.0rc9"),
    ("1.0.post000", "1.0.post0"),
    ("1.1.dev09000", "1.1.dev9000"),
    ("00!1.2", "1.2"),
    ("0100!0.0", "100!0.0"),
    ("v1.0", "1.0"),
    ("V1.0", "1.0"),
    ("   v1.0\t\n", "1.0"),
    ("\u{202f}1.0\t\u{2029}\n ", "1.0"),
    ("1.0.0", "1.0.0"),
    ("1.0a1.post2.dev3+x", "1.0a1.post2.dev3+x"),
    ("1!2.0b3-4.DEV5+Six.7", "1!2.0b3.post4.dev5+six.7"),
    ("1.0alpha-1", "1.0a1"),
    ("1.0.rc.1.post.2.dev.3", "1.0rc1.post2.dev3"),
    ("1.0-rc-1-post-2-dev-3", "1.0rc1.post2.dev3"),
    ("1.0rc1-2", "1.0rc1.post2"),
    ("1.0a.", "1.0a0"),
    ("1.0.post.", "1.0.post0"),
    ("1.0.dev.", "1.0.dev0"),
    ("18446744073709551615", "18446744073709551615"),
];

#[test]
fn normalization_table() {
    for (input, expected) in NORMALIZED {
        let parsed = v(input);
        assert_eq!(parsed.to_string(), *expected, "{input:?}");
        // Display is canonical: it parses back to itself and prints the same.
        let again = v(expected);
        assert_eq!(again, parsed);
        assert_eq!(again.to_string(), *expected);
    }
}

/// Already-normalized versions print exactly as written.
const CANONICAL: &[&str] = &[
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0rc1.dev456",
    "1.0rc1",
    "1.0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.1",
    "1.0.3+7",
    "1.0.5+9.5",
    "1.2+1234.abc",
    "1.2+123456",
    "1.2+123abc",
    "1.2+123abc456",
    "1.2+abc",
    "1.2+abc123",
    "1.2+abc123def",
    "1.1.dev1",
    "7!1.0.dev456",
    "7!1.0a1",
    "7!1.0a2.dev456",
    "7!1.0b2.post345.dev456",
    "7!1.0rc1",
    "7!1.0",
    "7!1.0.post456.dev34",
    "7!1.0.3+7",
    "7!1.0.4+8.0",
    "7!1.1.dev1",
    "0.0.0.0.0.0",
    "2024.10.31.1",
    "1.2.3.4.5.6.7.8",
];

#[test]
fn canonical_versions_print_as_written() {
    for s in CANONICAL {
        assert_eq!(v(s).to_string(), *s);
    }
    assert_eq!(v("0!1.0.2").to_string(), "1.0.2");
    assert_eq!(v("0!1.0.4+8.0").to_string(), "1.0.4+8.0");
}

const INVALID: &[&str] = &[
    "",
    "   ",
    "french toast",
    "1.0+a+",
    "1.0++",
    "1.0+_foobar",
    "1.0+foo&asd",
    "1.0+1+1",
    "1.0+",
    "1.0+.",
    "1.0+a..b",
    "1.0+a.",
    "1. 0",
    "1 .0",
    "1. 0a1",
    "1 .0a1",
    "1.0 a1",
    "1.0a 1",
    "\u{660}\u{661}\u{662}.\u{663}",
    ".",
    "..",
    "1..0",
    "1.0.",
    ".1.0",
    "1..2.3",
    "1.0+\u{130}",
    "1.0ı",
    "v",
    "vv1.0",
    "1.0-",
    "1.0_",
    "1!",
    "!1.0",
    "1!2!3",
    "1.0a1b1",
    "1.0.post1.post2",
    "1.0.dev1.dev2",
    "1.0.dev1a1",
    "1.0.dev1.post1",
    "1.0.post1a1",
    "1.0gamma1",
    "1.0.x",
    "1.*",
    "1.0.*",
    "-1.0",
    "+1.0",
    "1.0+local+again",
    "1,0",
    "1.0;",
    "a1.0",
    "1.0rc1.1",
    "18446744073709551616",
    "1.18446744073709551616",
    "1.0a18446744073709551616",
    "1.0+18446744073709551616",
];

#[test]
fn invalid_versions_are_rejected_with_a_pointed_error() {
    for s in INVALID {
        let err = s
            .parse::<Version>()
            .expect_err(&format!("{s:?} should be invalid"));
        assert_eq!(err.input(), *s);
        assert!(err.span().end <= s.len());
        assert!(err.to_string().starts_with("invalid version"), "{err}");
    }
}

#[test]
fn error_messages_name_the_problem() {
    let e = "1.0.x".parse::<Version>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid version `1.0.x`: unexpected `x`; a version looks like `1.2.3`, optionally with `a1`/`b1`/`rc1`, `.post1`, `.dev1` and `+local` after it\n  1.0.x\n      ^"
    );
    let e = "".parse::<Version>().unwrap_err();
    assert_eq!(e.message(), "a version cannot be empty");
    let e = "1.0+".parse::<Version>().unwrap_err();
    assert!(e.message().contains("local label"), "{e}");
}

fn pre(kind: PrereleaseKind, number: u64) -> Option<Prerelease> {
    Some(Prerelease { kind, number })
}

#[test]
fn accessors() {
    use PrereleaseKind::*;
    struct Case {
        input: &'static str,
        epoch: u64,
        release: &'static [u64],
        pre: Option<Prerelease>,
        post: Option<u64>,
        dev: Option<u64>,
        local: &'static str,
    }
    let cases = [
        Case {
            input: "1.0",
            epoch: 0,
            release: &[1, 0],
            pre: None,
            post: None,
            dev: None,
            local: "",
        },
        Case {
            input: "2!1.0a1",
            epoch: 2,
            release: &[1, 0],
            pre: pre(Alpha, 1),
            post: None,
            dev: None,
            local: "",
        },
        Case {
            input: "1.0b2.post3",
            epoch: 0,
            release: &[1, 0],
            pre: pre(Beta, 2),
            post: Some(3),
            dev: None,
            local: "",
        },
        Case {
            input: "1.0c",
            epoch: 0,
            release: &[1, 0],
            pre: pre(Rc, 0),
            post: None,
            dev: None,
            local: "",
        },
        Case {
            input: "1.2.3.4.5.dev6",
            epoch: 0,
            release: &[1, 2, 3, 4, 5],
            pre: None,
            post: None,
            dev: Some(6),
            local: "",
        },
        Case {
            input: "1-7",
            epoch: 0,
            release: &[1],
            pre: None,
            post: Some(7),
            dev: None,
            local: "",
        },
        Case {
            input: "1.0+Ubuntu-1",
            epoch: 0,
            release: &[1, 0],
            pre: None,
            post: None,
            dev: None,
            local: "ubuntu.1",
        },
        Case {
            input: "1.0rc1.post2.dev3+x.4",
            epoch: 0,
            release: &[1, 0],
            pre: pre(Rc, 1),
            post: Some(2),
            dev: Some(3),
            local: "x.4",
        },
    ];
    for c in cases {
        let version = v(c.input);
        assert_eq!(version.epoch(), c.epoch, "{}", c.input);
        assert_eq!(version.release(), c.release, "{}", c.input);
        assert_eq!(version.pre(), c.pre, "{}", c.input);
        assert_eq!(version.post(), c.post, "{}", c.input);
        assert_eq!(version.dev(), c.dev, "{}", c.input);
        let local: Vec<String> = version.local().iter().map(ToString::to_string).collect();
        assert_eq!(local.join("."), c.local, "{}", c.input);
        assert_eq!(version.is_prerelease(), c.pre.is_some() || c.dev.is_some());
        assert_eq!(version.is_post(), c.post.is_some());
        assert_eq!(version.is_dev(), c.dev.is_some());
        assert_eq!(version.is_local(), !c.local.is_empty());
        assert!(!version.without_local().is_local());
        assert_eq!(
            version.without_local().to_string(),
            c.input
                .split('+')
                .next()
                .map(|s| v(s).to_string())
                .unwrap_or_default()
        );
    }
}

#[test]
fn local_segments_are_typed() {
    let version = v("1.0+abc.07.x1");
    assert_eq!(
        version.local(),
        &[
            LocalSegment::String("abc".into()),
            LocalSegment::Number(7),
            LocalSegment::String("x1".into()),
        ]
    );
    // Strings sort below numbers.
    assert!(LocalSegment::String("zzz".into()) < LocalSegment::Number(0));
}

#[test]
fn builders_match_parsing() {
    use PrereleaseKind::*;
    let built = Version::new([1, 2, 3])
        .with_epoch(4)
        .with_pre(pre(Beta, 5))
        .with_post(Some(6))
        .with_dev(Some(7))
        .with_local([LocalSegment::String("Abc".into()), LocalSegment::Number(8)]);
    assert_eq!(built.to_string(), "4!1.2.3b5.post6.dev7+abc.8");
    assert_eq!(built, v("4!1.2.3b5.post6.dev7+abc.8"));
    let stripped = built
        .with_epoch(0)
        .with_pre(None)
        .with_post(None)
        .with_dev(None)
        .with_local([]);
    assert_eq!(stripped.to_string(), "1.2.3");
    assert_eq!(Version::new([1, 0]), v("1"));
}

#[test]
fn prerelease_kinds_order_and_print() {
    use PrereleaseKind::*;
    assert!(Alpha < Beta && Beta < Rc);
    assert_eq!(format!("{Alpha}{Beta}{Rc}"), "abrc");
    let p = Prerelease {
        kind: Rc,
        number: 3,
    };
    assert_eq!(p.to_string(), "rc3");
}

#[test]
fn debug_shows_the_version() {
    assert_eq!(format!("{:?}", v("1.0-1")), "Version(1.0.post1)");
}
