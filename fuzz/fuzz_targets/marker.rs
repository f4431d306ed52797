//! PEP 508 markers: parsing never panics; what parses displays to a string
//! that parses back equal; evaluation never panics, against fixed
//! environments and against one whose every value is the text after a
//! `0xFF` byte; `simplify` gives a marker whose display parses back equal
//! (but for the constants true and false, which have no spelling of their own),
//! that simplifies to itself, and that evaluates the same as the original
//! wherever the interpreter versions are versions (the one assumption the
//! simplifier documents); `negate` gives a marker that round trips.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posy_vocab::{ExtraName, MarkerEnvironment, MarkerTree, MarkerVariable};

fn round_trip(m: &MarkerTree, what: &str) {
    let shown = m.to_string();
    let again: MarkerTree = shown
        .parse()
        .unwrap_or_else(|e| panic!("{what} {shown:?} does not parse back: {e}"));
    assert_eq!(&again, m, "{what} {shown:?}");
    assert_eq!(again.to_string(), shown, "{what}");
}

/// Whether `simplify` promises exactness in `env`.
fn versions_are_versions(env: &MarkerEnvironment) -> bool {
    [
        MarkerVariable::PythonVersion,
        MarkerVariable::PythonFullVersion,
        MarkerVariable::ImplementationVersion,
    ]
    .into_iter()
    .all(|v| env.version(v).is_some())
}

fuzz_target!(|data: &[u8]| {
    let Some((a, b)) = common::split2(data) else {
        return;
    };
    let Ok(marker) = a.parse::<MarkerTree>() else {
        return;
    };
    round_trip(&marker, "marker");

    let simple = marker.simplify();
    // The constants have no PEP 508 spelling: true prints as the empty
    // marker and false as `python_version < "0"`, which parses to a
    // comparison that only simplifies back to false.
    if simple.is_true() {
        assert_eq!(simple.to_string(), "");
    } else if simple.is_false() {
        let shown = simple.to_string();
        let again: MarkerTree = shown.parse().expect("false prints as a marker");
        assert!(again.simplify().is_false(), "false printed as {shown:?}");
    } else {
        round_trip(&simple, "simplified");
    }
    assert_eq!(
        simple.simplify().to_string(),
        simple.to_string(),
        "simplify is not idempotent on {marker}"
    );
    // `negate` is documented as approximate (PEP 508 has no `not`: string
    // rules, `~=`, `===` and pre-releases of a bound), so it is only
    // evaluated, and its display must round trip.
    let negated = marker.negate();
    if !negated.is_true() && !negated.is_false() {
        round_trip(&negated, "negated");
    }

    let extras: Vec<ExtraName> = marker.extras_referenced().into_iter().take(1).collect();
    let envs = [
        common::linux_env(),
        common::windows_env(),
        common::env_of(b),
    ];
    for env in &envs {
        for active in [&[][..], &extras[..]] {
            let value = marker.evaluate(env, active);
            let _ = negated.evaluate(env, active);
            let _ = marker.simplify_extras(active).evaluate(env, active);
            if versions_are_versions(env) {
                assert_eq!(
                    simple.evaluate(env, active),
                    value,
                    "{marker} simplified to {simple} in {env:?} with {active:?}"
                );
            }
        }
    }
});
