//! PEP 508 requirements: parsing never panics; what parses displays to a
//! string that parses back equal and displays the same again; marker
//! evaluation never panics.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posy_vocab::Requirement;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = s.parse::<Requirement>() else {
        return;
    };
    let shown = req.to_string();
    let again: Requirement = shown
        .parse()
        .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
    assert_eq!(again, req, "{shown:?}");
    assert_eq!(again.to_string(), shown);
    let env = common::linux_env();
    let _ = req.evaluate_markers(&env, &req.extras);
    let _ = req.evaluate_markers(&env, &[]);
});
