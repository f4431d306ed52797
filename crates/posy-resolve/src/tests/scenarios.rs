//! Resolution scenarios that succeed (or fail for a reason checked by
//! name), modelled on uv's packse scenarios.

use std::time::{Duration, Instant};

use super::memory_index::{MemoryIndex, outcome, reqs, request, run, target};
use crate::{Preference, PrereleaseMode, ResolutionStrategy, ResolveError, Upgrade, Via};

fn pref(name: &str, version: &str) -> Preference {
    Preference {
        name: name.parse().unwrap(),
        version: version.parse().unwrap(),
    }
}

#[test]
fn single_package_takes_the_highest_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]);
    index.add("a", "1.5", &[]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==2.0");
}

#[test]
fn transitive_dependencies_are_followed() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b>=1"]);
    index.add("b", "1.0", &["c"]);
    index.add("c", "3.0", &[]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0\nb==1.0\nc==3.0");
}

#[test]
fn backtracks_out_of_a_transitive_conflict() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["c==1.0"]);
    index.add("a", "2.0", &["c==2.0"]);
    index.add("b", "1.0", &["c<2"]);
    index.add("c", "1.0", &[]);
    index.add("c", "2.0", &[]);
    assert_eq!(
        outcome(&index, &request(&["a", "b"])),
        "a==1.0\nb==1.0\nc==1.0"
    );
}

#[test]
fn lowest_strategy_takes_the_lowest_everywhere() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b>=1.1"]);
    index.add("a", "2.0", &["b>=1.1"]);
    index.add("b", "1.0", &[]);
    index.add("b", "1.1", &[]);
    index.add("b", "1.2", &[]);
    let mut req = request(&["a"]);
    req.strategy = ResolutionStrategy::Lowest;
    assert_eq!(outcome(&index, &req), "a==1.0\nb==1.1");
}

#[test]
fn lowest_direct_lowers_only_direct_requirements() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b>=1.1"]);
    index.add("a", "2.0", &["b>=1.1"]);
    index.add("b", "1.1", &[]);
    index.add("b", "1.2", &[]);
    let mut req = request(&["a"]);
    req.strategy = ResolutionStrategy::LowestDirect;
    assert_eq!(outcome(&index, &req), "a==1.0\nb==1.2");
}

#[test]
fn circular_dependencies_resolve() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("b", "1.0", &["a"]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0\nb==1.0");
}

#[test]
fn markers_that_do_not_hold_drop_requirements() {
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &[
            "winonly; sys_platform == 'win32'",
            "b; python_version >= '3.10'",
        ],
    );
    index.add("b", "1.0", &[]);
    assert_eq!(
        outcome(&index, &request(&["a", "c; os_name == 'nt'"])),
        "a==1.0\nb==1.0"
    );
}

#[test]
fn markers_are_evaluated_for_the_target() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["winonly; sys_platform == 'win32'"]);
    index.add("winonly", "1.0", &[]);
    let mut req = request(&["a"]);
    req.target = target("3.12.1", "win32", "Windows", "nt");
    assert_eq!(outcome(&index, &req), "a==1.0\nwinonly==1.0");
}

#[test]
fn extras_pull_in_their_dependencies_at_the_same_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b; extra == 'x'"]).extras(&["x"]);
    index.add("a", "2.0", &["c; extra == 'x'"]).extras(&["x"]);
    index.add("b", "1.0", &[]);
    index.add("c", "1.0", &[]);
    let resolution = run(&index, &request(&["a[x]"])).unwrap();
    assert_eq!(resolution.pins(), ["a==2.0", "c==1.0"]);
    let a = resolution.get(&"a".parse().unwrap()).unwrap();
    assert_eq!(a.extras, ["x".parse().unwrap()]);
    let c = resolution.get(&"c".parse().unwrap()).unwrap();
    assert_eq!(c.via, [Via::Package("a".parse().unwrap())]);
}

#[test]
fn an_extra_conflict_moves_the_base_package() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b<2; extra == 'x'"]).extras(&["x"]);
    index
        .add("a", "2.0", &["b>=2; extra == 'x'"])
        .extras(&["x"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    assert_eq!(
        outcome(&index, &request(&["a[x]", "b<2"])),
        "a==1.0\nb==1.0"
    );
}

#[test]
fn several_extras_and_transitive_extras() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &["b[fast]; extra == 'x'", "c; extra == 'y'"])
        .extras(&["x", "y"]);
    index
        .add("b", "1.0", &["d; extra == 'fast'"])
        .extras(&["fast"]);
    index.add("c", "1.0", &[]);
    index.add("d", "1.0", &[]);
    let resolution = run(&index, &request(&["a[x,y]"])).unwrap();
    assert_eq!(resolution.pins(), ["a==1.0", "b==1.0", "c==1.0", "d==1.0"]);
    let b = resolution.get(&"b".parse().unwrap()).unwrap();
    assert_eq!(b.extras, ["fast".parse().unwrap()]);
}

#[test]
fn extra_markers_combine_with_environment_markers() {
    let mut index = MemoryIndex::new();
    index
        .add(
            "a",
            "1.0",
            &[
                "b; extra == 'x' and sys_platform == 'win32'",
                "c; extra == 'x' and sys_platform == 'linux'",
            ],
        )
        .extras(&["x"]);
    index.add("b", "1.0", &[]);
    index.add("c", "1.0", &[]);
    assert_eq!(outcome(&index, &request(&["a[x]"])), "a==1.0\nc==1.0");
}

#[test]
fn an_extra_that_names_other_extras_of_its_own_package() {
    let mut index = MemoryIndex::new();
    index
        .add(
            "a",
            "1.0",
            &[
                "b; extra == 'x'",
                "c; extra == 'y'",
                "a[x,y]; extra == 'all'",
            ],
        )
        .extras(&["x", "y", "all"]);
    index
        .add(
            "a",
            "2.0",
            &[
                "b; extra == 'x'",
                "c; extra == 'y'",
                "a[x,y]; extra == 'all'",
            ],
        )
        .extras(&["x", "y", "all"]);
    index.add("b", "1.0", &[]);
    index.add("c", "1.0", &[]);
    let resolution = run(&index, &request(&["a[all]"])).unwrap();
    assert_eq!(resolution.pins(), ["a==2.0", "b==1.0", "c==1.0"]);
    let a = resolution.get(&"a".parse().unwrap()).unwrap();
    let extras: Vec<String> = a.extras.iter().map(ToString::to_string).collect();
    assert_eq!(extras, ["all", "x", "y"]);
}

#[test]
fn an_undeclared_extra_is_a_warning() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    let resolution = run(&index, &request(&["a[nope]"])).unwrap();
    assert_eq!(resolution.pins(), ["a==1.0"]);
    assert_eq!(
        resolution.warnings,
        ["a==1.0 does not provide the extra `nope`"]
    );
}

#[test]
fn requires_python_in_metadata_skips_newer_versions() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).requires_python(">=3.8");
    index.add("a", "2.0", &[]).requires_python(">=3.13");
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn requires_python_on_files_skips_without_fetching_metadata() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).file_requires_python(">=3.13");
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
    assert!(!index.metadata_calls.lock().unwrap().contains_key("a==2.0"));
}

#[test]
fn requires_python_compares_the_full_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).requires_python(">=3.12.2");
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn only_prereleases_are_used_when_necessary() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0a1", &[]);
    index.add("a", "1.0b2", &[]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0b2");
}

#[test]
fn a_newer_prerelease_does_not_beat_a_stable_release() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0b1", &[]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn an_explicit_prerelease_specifier_opts_in() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0b1", &[]);
    index.add("a", "2.0b2", &[]);
    assert_eq!(outcome(&index, &request(&["a>=2.0b1"])), "a==2.0b2");
}

#[test]
fn prerelease_allow_takes_the_newest_of_anything() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("a", "2.0rc1", &[]);
    index.add("b", "1.0", &[]);
    let mut req = request(&["a"]);
    req.prerelease = PrereleaseMode::Allow;
    assert_eq!(outcome(&index, &req), "a==2.0rc1");
}

#[test]
fn explicit_mode_does_not_allow_packages_without_stable_releases() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("b", "1.0a1", &[]);
    let mut req = request(&["a"]);
    req.prerelease = PrereleaseMode::Explicit;
    assert!(outcome(&index, &req).starts_with("error: no solution"));
    req.prerelease = PrereleaseMode::IfNecessary;
    assert_eq!(outcome(&index, &req), "a==1.0\nb==1.0a1");
}

#[test]
fn a_transitive_prerelease_pin_works_when_only_prereleases_exist() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b==1.0b1"]);
    index.add("b", "1.0b1", &[]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0\nb==1.0b1");
}

#[test]
fn a_prerelease_constraint_counts_as_explicit() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0a1", &[]);
    let mut req = request(&["a"]);
    req.constraints = reqs(&["b>=2.0a1"]);
    assert_eq!(outcome(&index, &req), "a==1.0\nb==2.0a1");
}

#[test]
fn yanked_versions_are_skipped() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).yanked(Some("broken"));
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn a_yanked_version_pinned_exactly_is_used() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).yanked(None);
    assert_eq!(outcome(&index, &request(&["a==2.0"])), "a==2.0");
}

#[test]
fn a_transitive_exact_pin_does_not_unyank() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b==2.0"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]).yanked(None);
    assert!(outcome(&index, &request(&["a"])).starts_with("error: no solution"));
    // ... but a first-party pin of the dependency does.
    assert_eq!(
        outcome(&index, &request(&["a", "b==2.0"])),
        "a==1.0\nb==2.0"
    );
}

#[test]
fn incompatible_wheels_are_skipped_for_an_older_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index
        .add("a", "2.0", &[])
        .wheels(&["cp38-cp38-win_amd64", "cp311-cp311-macosx_11_0_arm64"]);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn the_best_wheel_is_chosen_and_all_files_are_kept() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).wheels(&[
        "py3-none-any",
        "cp312-cp312-manylinux_2_17_x86_64",
        "cp38-cp38-win_amd64",
    ]);
    let resolution = run(&index, &request(&["a"])).unwrap();
    let a = &resolution.packages[0];
    assert_eq!(a.files.len(), 3);
    assert_eq!(
        a.best_file().unwrap().filename,
        "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    );
}

#[test]
fn sdist_only_versions_resolve_when_the_provider_can_build() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]).sdist_only(true);
    index.add("b", "1.0", &[]);
    let resolution = run(&index, &request(&["a"])).unwrap();
    assert_eq!(resolution.pins(), ["a==1.0", "b==1.0"]);
    assert!(!resolution.packages[0].best_file().unwrap().is_wheel());
}

#[test]
fn unbuildable_sdist_only_versions_fall_back_to_older_wheels() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).sdist_only(false);
    assert_eq!(outcome(&index, &request(&["a"])), "a==1.0");
}

#[test]
fn local_versions_satisfy_public_pins() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.2.3+foo", &[]);
    assert_eq!(outcome(&index, &request(&["a==1.2.3"])), "a==1.2.3+foo");
    assert_eq!(
        outcome(&index, &request(&["a>1.2.3"])).lines().next(),
        Some("error: no solution found when resolving the requirements:")
    );
}

#[test]
fn a_local_version_sorts_above_its_public_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.2.3", &[]);
    index.add("a", "1.2.3+cpu", &[]);
    assert_eq!(outcome(&index, &request(&["a<=1.2.3"])), "a==1.2.3+cpu");
}

#[test]
fn constraints_narrow_but_never_add() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    index.add("c", "1.0", &[]);
    let mut req = request(&["a"]);
    req.constraints = reqs(&["b<2", "c==1.0"]);
    assert_eq!(outcome(&index, &req), "a==1.0\nb==1.0");
}

#[test]
fn constraints_with_markers_apply_only_where_they_hold() {
    let mut index = MemoryIndex::new();
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    let mut req = request(&["b"]);
    req.constraints = reqs(&["b<2; sys_platform == 'win32'"]);
    assert_eq!(outcome(&index, &req), "b==2.0");
}

#[test]
fn overrides_replace_every_requirement_on_a_package() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b<2"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    let mut req = request(&["a", "b<1.5"]);
    req.overrides = reqs(&["b>=2"]);
    assert_eq!(outcome(&index, &req), "a==1.0\nb==2.0");
}

#[test]
fn overrides_can_drop_a_dependency_by_marker() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    let mut req = request(&["a"]);
    req.overrides = reqs(&["b; sys_platform == 'win32'"]);
    assert_eq!(outcome(&index, &req), "a==1.0");
}

#[test]
fn preferences_keep_existing_pins() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.add("a", "2.0", &["b"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    let mut req = request(&["a"]);
    req.preferences = vec![pref("a", "1.0"), pref("b", "1.0")];
    assert_eq!(outcome(&index, &req), "a==1.0\nb==1.0");

    req.upgrade = Upgrade::Packages(["b".parse().unwrap()].into_iter().collect());
    assert_eq!(outcome(&index, &req), "a==1.0\nb==2.0");

    req.upgrade = Upgrade::All;
    assert_eq!(outcome(&index, &req), "a==2.0\nb==2.0");
}

#[test]
fn a_preference_outside_the_range_is_ignored() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]);
    index.add("a", "3.0", &[]);
    let mut req = request(&["a>=2"]);
    req.preferences = vec![pref("a", "1.0")];
    assert_eq!(outcome(&index, &req), "a==3.0");
    req.preferences = vec![pref("a", "2.0")];
    assert_eq!(outcome(&index, &req), "a==2.0");
}

#[test]
fn via_names_the_brief_and_the_dependents() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["c"]);
    index.add("b", "1.0", &["c"]);
    index.add("c", "1.0", &[]);
    let resolution = run(&index, &request(&["a", "b", "c"])).unwrap();
    let c = resolution.get(&"c".parse().unwrap()).unwrap();
    assert_eq!(
        c.via,
        [
            Via::Requirement(2),
            Via::Package("a".parse().unwrap()),
            Via::Package("b".parse().unwrap())
        ]
    );
}

#[test]
fn via_follows_overrides_and_skips_requirements_that_do_not_apply() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("b", "1.0", &[]);
    let mut req = request(&["x; sys_platform == 'win32'", "a", "c"]);
    req.overrides = reqs(&["c; python_version < '3'", "b"]);
    let resolution = run(&index, &req).unwrap();
    assert_eq!(resolution.pins(), ["a==1.0"]);
    assert_eq!(resolution.packages[0].via, [Via::Requirement(1)]);
    req.requirements = reqs(&["a", "b"]);
    let resolution = run(&index, &req).unwrap();
    assert_eq!(
        resolution.get(&"b".parse().unwrap()).unwrap().via,
        [Via::Requirement(1)]
    );
}

#[test]
fn results_do_not_depend_on_requirement_order() {
    let mut index = MemoryIndex::new();
    for (name, deps) in [
        ("a", vec!["c<3", "d"]),
        ("b", vec!["c>=2", "e[x]"]),
        ("d", vec!["e<2"]),
    ] {
        for version in ["1.0", "2.0"] {
            index.add(name, version, &deps);
        }
    }
    for version in ["1.0", "2.0", "3.0"] {
        index.add("c", version, &[]);
        index.add("e", version, &["f; extra == 'x'"]).extras(&["x"]);
    }
    index.add("f", "1.0", &[]);
    let forward = run(&index, &request(&["a", "b"])).unwrap();
    let backward = run(&index, &request(&["b", "a"])).unwrap();
    assert_eq!(
        forward.pins(),
        ["a==2.0", "b==2.0", "c==2.0", "d==2.0", "e==1.0", "f==1.0"]
    );
    assert_eq!(forward.pins(), backward.pins());
    for _ in 0..5 {
        assert_eq!(run(&index, &request(&["a", "b"])).unwrap(), forward);
    }
}

#[test]
fn nothing_is_fetched_twice() {
    let mut index = MemoryIndex::new();
    for version in ["1.0", "2.0", "3.0"] {
        index.add("a", version, &["b", "c"]);
        index.add("b", version, &["c", "d"]);
        index.add("c", version, &["d<3"]);
        index.add("d", version, &[]);
    }
    index.add("e", "1.0", &["a<3", "d<2"]);
    assert_eq!(
        outcome(&index, &request(&["e", "a"])),
        "a==2.0\nb==3.0\nc==3.0\nd==1.0\ne==1.0"
    );
    assert_eq!(index.max_calls(), 1);
}

#[test]
fn backtracking_through_many_versions_fetches_each_once() {
    let mut index = MemoryIndex::new();
    // Every a>=2 needs c>=2, which b rules out: the solver walks a's
    // versions down to 1.x, prefetching candidates in batches.
    for minor in 0..40 {
        index.add("a", &format!("2.{minor}"), &["c>=2"]);
    }
    index.add("a", "1.0", &["c<2"]);
    index.add("b", "1.0", &["c<2"]);
    index.add("c", "1.0", &[]);
    index.add("c", "2.0", &[]);
    assert_eq!(
        outcome(&index, &request(&["b", "a"])),
        "a==1.0\nb==1.0\nc==1.0"
    );
    assert_eq!(index.max_calls(), 1);
}

#[test]
fn speculative_fetching_overlaps_round_trips() {
    // A tree five levels deep, five wide: 781 packages. One by one, at
    // 20 ms per answer and two answers per package, that is 31 seconds;
    // prefetching each level while the solver works on the one above
    // makes it a few round trips per level (about 0.25 s here).
    let mut index = MemoryIndex::new().with_latency(Duration::from_millis(20));
    let mut level = vec!["root".to_owned()];
    for depth in 0..4 {
        let mut next = Vec::new();
        for parent in &level {
            let children: Vec<String> = (0..5).map(|i| format!("{parent}-{i}")).collect();
            let deps: Vec<&str> = children.iter().map(String::as_str).collect();
            index.add(parent, "1.0", &deps);
            index.add(parent, "0.9", &[]);
            next.extend(children);
        }
        level = next;
        if depth == 3 {
            for leaf in &level {
                index.add(leaf, "1.0", &[]);
            }
        }
    }
    let started = Instant::now();
    let resolution = run(&index, &request(&["root"])).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resolution.packages.len(), 1 + 5 + 25 + 125 + 625);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn direct_url_requirements_are_refused_clearly() {
    let index = MemoryIndex::new();
    let err = run(
        &index,
        &request(&["a @ https://x.test/a-1.0-py3-none-any.whl"]),
    )
    .unwrap_err();
    assert!(matches!(err, ResolveError::DirectUrl(_)), "{err}");
}

#[test]
fn a_provider_failure_stops_the_resolution() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b"]);
    index.break_package("b");
    let err = run(&index, &request(&["a"])).unwrap_err();
    assert!(
        matches!(&err, ResolveError::Versions { name, .. } if name.as_str() == "b"),
        "{err}"
    );
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("connection reset"), "{source}");
}

#[test]
fn an_empty_brief_resolves_to_nothing() {
    let index = MemoryIndex::new();
    assert_eq!(outcome(&index, &request(&[])), "");
}
