//! Names, hashes, headers and entry points: parse without panicking, and
//! what parses displays to something that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use posy_vocab::{ArtifactHash, EntryPoints, Headers, PackageName};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(name) = s.parse::<PackageName>() {
        assert_eq!(name.to_string().parse::<PackageName>().unwrap(), name);
    }
    if let Ok(hash) = s.parse::<ArtifactHash>() {
        assert_eq!(hash.to_string().parse::<ArtifactHash>().unwrap(), hash);
        assert_eq!(ArtifactHash::from_record(&hash.to_record()).unwrap(), hash);
    }
    let _ = ArtifactHash::from_record(s);
    let _ = Headers::parse(s);
    if let Ok(eps) = EntryPoints::parse(s) {
        assert_eq!(EntryPoints::parse(&eps.to_string()).unwrap(), eps);
    }
});
