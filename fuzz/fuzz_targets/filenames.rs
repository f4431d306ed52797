//! Wheel, sdist and index-listing filenames: parsing never panics; what
//! parses displays to a filename that parses back equal. The text after a
//! `0xFF` byte is the package name the listing belongs to, for
//! `SdistFilename::parse` and `DistFilename::parse`.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use posy_vocab::{
    DistFilename, PackageName, Platform, SdistFilename, TagTarget, Tags, WheelFilename,
};

fn tags() -> &'static Tags {
    static TAGS: OnceLock<Tags> = OnceLock::new();
    TAGS.get_or_init(|| {
        let platform = Platform::Manylinux {
            arch: posy_vocab::Arch::X86_64,
            glibc: (2, 28),
        };
        Tags::from_target(&TagTarget::cpython((3, 12), platform))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((filename, package)) = common::split2(data) else {
        return;
    };
    if let Ok(wheel) = filename.parse::<WheelFilename>() {
        let shown = wheel.to_string();
        let again: WheelFilename = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, wheel, "{shown:?}");
        assert_eq!(again.to_string(), shown);
        let best = wheel.compatibility(tags());
        assert_eq!(best.is_some(), wheel.is_compatible(tags()));
        if wheel.tag_set().len() <= 4096 {
            let slow = wheel.tags().filter_map(|t| tags().priority(&t)).max();
            assert_eq!(best, slow, "{shown}");
        }
    }
    if let Ok(sdist) = filename.parse::<SdistFilename>() {
        let shown = sdist.to_string();
        let again: SdistFilename = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, sdist, "{shown:?}");
        assert_eq!(again.to_string(), shown);
    }
    let Ok(package) = PackageName::new(package) else {
        return;
    };
    if let Ok(sdist) = SdistFilename::parse(filename, &package) {
        assert_eq!(sdist.name(), &package);
        let shown = sdist.to_string();
        let again = SdistFilename::parse(&shown, &package)
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, sdist, "{shown:?}");
    }
    if let Ok(Some(dist)) = DistFilename::parse(filename, &package) {
        assert_eq!(dist.name(), &package);
        let shown = dist.to_string();
        let again = DistFilename::parse(&shown, &package)
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, Some(dist), "{shown:?}");
    }
});
