//! Property tests: printing a parsed wheel filename, tag or tag set and
//! parsing it again gives the same value, and parsers never panic.

use posy_vocab::{SdistFilename, Tag, TagSet, WheelFilename};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9._]{0,10}[A-Za-z0-9])?"
}

fn version() -> impl Strategy<Value = String> {
    (
        prop::option::of(1u64..3),
        prop::collection::vec(0u64..1000, 1..5),
        prop::option::of((prop::sample::select(vec!["a", "b", "rc"]), 0u64..20)),
        prop::option::of(0u64..20),
        prop::option::of(0u64..20),
        prop::option::of("[a-z0-9]{1,5}(\\.[a-z0-9]{1,5}){0,2}"),
    )
        .prop_map(|(epoch, release, pre, post, dev, local)| {
            let mut s = String::new();
            if let Some(e) = epoch {
                s += &format!("{e}!");
            }
            s += &release
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".");
            if let Some((k, n)) = pre {
                s += &format!("{k}{n}");
            }
            if let Some(n) = post {
                s += &format!(".post{n}");
            }
            if let Some(n) = dev {
                s += &format!(".dev{n}");
            }
            if let Some(l) = local {
                s += &format!("+{l}");
            }
            s
        })
}

fn component(first: &str) -> impl Strategy<Value = String> {
    let part = proptest::string::string_regex(&format!("{first}[A-Za-z0-9_]{{0,8}}"))
        .expect("valid regex");
    prop::collection::vec(part, 1..4).prop_map(|v| v.join("."))
}

fn tag_set() -> impl Strategy<Value = String> {
    (
        component("[A-Za-z]"),
        component("[A-Za-z0-9_]"),
        component("[A-Za-z0-9_]"),
    )
        .prop_map(|(p, a, pl)| format!("{p}-{a}-{pl}"))
}

proptest! {
    #[test]
    fn tag_round_trips(p in "[a-z][a-z0-9_]{0,6}", a in "[A-Za-z0-9_]{1,8}", pl in "[A-Za-z0-9_]{1,20}") {
        let t: Tag = format!("{p}-{a}-{pl}").parse().unwrap();
        let again: Tag = t.to_string().parse().unwrap();
        prop_assert_eq!(again, t);
    }

    #[test]
    fn tag_set_round_trips(s in tag_set()) {
        let set: TagSet = s.parse().unwrap();
        prop_assert_eq!(set.to_string(), s.to_ascii_lowercase());
        let again: TagSet = set.to_string().parse().unwrap();
        prop_assert_eq!(&again, &set);
        prop_assert_eq!(set.iter().count(), set.len());
    }

    #[test]
    fn wheel_filename_round_trips(
        n in name(),
        v in version(),
        build in prop::option::of("[0-9]{1,4}[a-z_]{0,3}"),
        tags in tag_set(),
    ) {
        let build = build.map(|b| format!("-{b}")).unwrap_or_default();
        let file = format!("{n}-{v}{build}-{tags}.whl");
        let w: WheelFilename = file.parse().unwrap();
        let again: WheelFilename = w.to_string().parse().unwrap();
        prop_assert_eq!(&again, &w);
        prop_assert_eq!(again.to_string(), w.to_string());
    }

    #[test]
    fn sdist_filename_round_trips(n in name(), v in version()) {
        let s: SdistFilename = format!("{n}-{v}.tar.gz").parse().unwrap();
        let again: SdistFilename = s.to_string().parse().unwrap();
        prop_assert_eq!(again, s);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,60}") {
        let _ = s.parse::<WheelFilename>();
        let _ = s.parse::<SdistFilename>();
        let _ = s.parse::<Tag>();
        let _ = s.parse::<TagSet>();
        let _ = posy_vocab::Platform::from_python_platform(&s);
    }

    #[test]
    fn wheel_like_strings_never_panic(s in "[a-zA-Z0-9_.+!-]{0,40}\\.whl") {
        let _ = s.parse::<WheelFilename>();
    }
}
