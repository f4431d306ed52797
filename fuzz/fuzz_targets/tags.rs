//! Compatibility tags (PEP 425) and compressed tag sets: parsing never
//! panics; what parses displays to a string that parses back equal; a set
//! contains every tag it expands to, and `Tags::best_priority` agrees with
//! looking each tag up. The same input read as a `--python-platform` name
//! must give a platform whose tags and markers build without panicking.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use posy_vocab::{Arch, Platform, Tag, TagSet, TagTarget, Tags};

fn supported() -> &'static Tags {
    static TAGS: OnceLock<Tags> = OnceLock::new();
    TAGS.get_or_init(|| {
        let platform = Platform::MacOs {
            arch: Arch::Aarch64,
            version: (14, 0),
        };
        Tags::from_target(&TagTarget::cpython((3, 11), platform))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tag) = s.parse::<Tag>() {
        let shown = tag.to_string();
        let again: Tag = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, tag, "{shown:?}");
        assert_eq!(
            Tag::new(tag.python(), tag.abi(), tag.platform()).ok(),
            Some(tag.clone())
        );
        assert!(TagSet::from(tag.clone()).contains(&tag));
    }
    if let Ok(set) = s.parse::<TagSet>() {
        let shown = set.to_string();
        let again: TagSet = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert!(again == set, "{shown:?}");
        assert_eq!(again.to_string(), shown);
        if set.len() <= 4096 {
            assert_eq!(set.iter().count(), set.len());
            assert!(set.iter().all(|t| set.contains(&t)), "{shown}");
            let slow = set.iter().filter_map(|t| supported().priority(&t)).max();
            assert_eq!(supported().best_priority(&set), slow, "{shown}");
            assert_eq!(
                set.is_platform_independent(),
                set.iter().all(|t| t.platform() == "any")
            );
        }
    }
    if let Ok(arch) = s.parse::<Arch>() {
        assert_eq!(arch.to_string().parse::<Arch>().ok(), Some(arch));
    }
    if let Ok(platform) = Platform::from_python_platform(s) {
        let _ = platform.markers();
        let _ = platform.platform_tags();
        let _ = Tags::from_target(&TagTarget::cpython((3, 13), platform));
    }
});
