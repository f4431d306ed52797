//! Core metadata (METADATA / PKG-INFO): `CoreMetadata::parse` on raw bytes
//! never panics, and agrees with `parse_str` on input that is UTF-8.
//! Inside, the `Requires-Dist` values must round trip like any requirement.
#![no_main]

use libfuzzer_sys::fuzz_target;
use posy_vocab::{CoreMetadata, Requirement};

fuzz_target!(|data: &[u8]| {
    let parsed = CoreMetadata::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(CoreMetadata::parse_str(text), parsed);
    }
    let Ok(metadata) = parsed else { return };
    for req in &metadata.requires_dist {
        let shown = req.to_string();
        assert_eq!(shown.parse::<Requirement>().as_ref(), Ok(req), "{shown:?}");
    }
    if let Some(python) = &metadata.requires_python {
        assert_eq!(python.to_string().parse().as_ref(), Ok(python));
    }
    let _ = metadata.declares_dynamic();
});
