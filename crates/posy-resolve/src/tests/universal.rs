//! Universal resolutions: one answer for several environments, with
//! markers where the environments disagree.

use insta::assert_snapshot;
use posy_vocab::Version;

use super::memory_index::{MemoryIndex, outcome, request};
use version_ranges::Ranges;

use crate::{ResolveError, ResolveRequest, Universe};

/// A universal request for Pythons from the lowest of `pythons` up.
fn universal(requirements: &[&str], pythons: &[&str]) -> ResolveRequest {
    let mut req = request(requirements);
    let lowest = pythons
        .iter()
        .map(|p| p.parse::<Version>().unwrap())
        .min()
        .unwrap();
    req.universal = Some(Universe::new(Ranges::higher_than(lowest)));
    req
}

#[test]
fn a_platform_specific_dependency_gets_a_platform_marker() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["colorama; sys_platform == 'win32'"]);
    index.add("colorama", "0.4.6", &[]);
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.11", "3.12"])), @r#"
    a==1.0
    colorama==0.4.6 ; sys_platform == "win32"
    "#);
}

#[test]
fn requires_python_splits_versions_by_python() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).requires_python(">=3.11");
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.10", "3.11", "3.12"])), @r#"
    a==1.0 ; python_version < "3.11"
    a==2.0 ; python_version >= "3.11"
    "#);
}

#[test]
fn diverging_requirements_fork_and_agree_elsewhere() {
    let mut index = MemoryIndex::new();
    index.add(
        "app",
        "1.0",
        &[
            "numpy>=2; python_version >= '3.11'",
            "numpy<2; python_version < '3.11'",
            "six",
        ],
    );
    index.add("numpy", "1.26", &[]);
    index.add("numpy", "2.1", &[]);
    index.add("six", "1.16", &[]);
    index.add("six", "1.17", &[]).requires_python(">=3.11");
    assert_snapshot!(outcome(&index, &universal(&["app"], &["3.10", "3.11"])), @r#"
    app==1.0
    numpy==1.26 ; python_version < "3.11"
    numpy==2.1 ; python_version >= "3.11"
    six==1.16 ; python_version < "3.11"
    six==1.17 ; python_version >= "3.11"
    "#);
    assert_eq!(index.max_calls(), 1, "the forks share one fetch cache");
}

#[test]
fn a_dependency_for_one_platform_and_python() {
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &["b; sys_platform == 'darwin' and python_version < '3.12'"],
    );
    index.add("b", "1.0", &[]);
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.11", "3.12"])), @r#"
    a==1.0
    b==1.0 ; sys_platform == "darwin" and python_version < "3.12"
    "#);
}

#[test]
fn a_fork_without_solution_names_its_environment() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).requires_python(">=3.12");
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.11", "3.12"])));
}

#[test]
fn environments_that_hold_nowhere_are_an_error() {
    let index = MemoryIndex::new();
    let mut req = universal(&["a"], &["3.11"]);
    if let Some(universe) = &mut req.universal {
        universe.environments = vec!["python_version < '3.0'".parse().unwrap()];
    }
    let err = super::memory_index::run(&index, &req).unwrap_err();
    assert!(matches!(err, ResolveError::NoEnvironments), "{err}");
}

#[test]
fn a_fetch_one_fork_abandoned_is_finished_for_the_next() {
    // On 3.12, a 2.0 needs y, which does not exist, so the fork settles on
    // a 1.0 while x (a 2.0's other dependency) is still being prefetched.
    // On 3.11 a 1.0 is out (Requires-Python) and x is needed: that fork
    // must get it from the fetch the first fork started, not wait forever
    // and not fetch it twice.
    let mut index = MemoryIndex::new().with_latency(std::time::Duration::from_millis(5));
    index.add("a", "2.0", &["y; python_version >= '3.12'", "x"]);
    index.add("a", "1.0", &[]).requires_python(">=3.12");
    index.add("x", "1.0", &[]);
    index.slow_package("x");
    let request = universal(&["a"], &["3.11", "3.12"]);
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(20),
                crate::resolve(&request, &index),
            )
            .await
        });
    let resolution = outcome.expect("the second fork hung").unwrap();
    assert_eq!(
        resolution.pins(),
        [
            "a==1.0 ; python_version >= \"3.12\"",
            "a==2.0 ; python_version < \"3.12\"",
            "x==1.0 ; python_version < \"3.12\"",
        ]
    );
    assert_eq!(index.max_calls(), 1);
}

#[test]
fn markers_come_from_the_requirements_not_only_the_listed_environments() {
    // Every listed environment is CPython, so the environments alone would
    // make `b` unconditional; its requirement says it is not needed on PyPy.
    // `c` comes only through `a`'s extra, under a platform marker, and
    // `d` through two paths whose markers join.
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &[
            "b; platform_python_implementation != 'PyPy'",
            "c; extra == 'x' and sys_platform == 'linux'",
            "d; os_name == 'nt'",
        ],
    );
    index.add("b", "1.0", &["d; platform_python_implementation != 'PyPy'"]);
    index.add("c", "1.0", &[]);
    index.add("d", "1.0", &[]);
    assert_snapshot!(outcome(&index, &universal(&["a[x]"], &["3.11", "3.12"])), @r#"
    a==1.0
    b==1.0 ; platform_python_implementation != "PyPy"
    c==1.0 ; sys_platform == "linux"
    d==1.0 ; os_name == "nt" or platform_python_implementation != "PyPy"
    "#);
}

#[test]
fn requirements_that_diverge_on_an_unlisted_marker_fork_for_it() {
    // No listed environment is aarch64, yet the Brief asks for another b
    // there: the resolution forks for an aarch64 environment, and each b
    // gets the marker of the requirement that admits it.
    let mut index = MemoryIndex::new();
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &["c"]);
    index.add("c", "1.0", &[]);
    let request = universal(
        &[
            "b>=2; platform_machine != 'aarch64'",
            "b<2; platform_machine == 'aarch64'",
        ],
        &["3.11", "3.12"],
    );
    assert_snapshot!(outcome(&index, &request), @r#"
    b==1.0 ; platform_machine == "aarch64"
    b==2.0 ; platform_machine != "aarch64"
    c==1.0 ; platform_machine != "aarch64"
    "#);
}

/// The wheel file names a pin of `name` keeps in the resolution.
fn wheels_of(index: &MemoryIndex, request: &ResolveRequest, name: &str) -> Vec<String> {
    let resolution = super::memory_index::run(index, request).unwrap();
    let mut names: Vec<String> = resolution
        .packages
        .iter()
        .filter(|p| p.name.as_ref() == name)
        .flat_map(|p| p.files.iter().filter(|f| f.is_wheel()))
        .map(|f| f.filename.clone())
        .collect();
    names.sort();
    names
}

#[test]
fn a_dependency_only_one_architecture_needs_brings_only_its_wheels() {
    // `b` is needed on aarch64 Linux only and has wheels for every
    // platform: the lock lists the aarch64 Linux ones. `c` has wheels for
    // two platforms only and no sdist; a universal resolution still uses
    // it (no platform is asked to have a wheel unless it is required).
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &[
            "b; platform_machine == 'aarch64' and sys_platform == 'linux'",
            "c",
        ],
    );
    index.add("b", "1.0", &[]).wheels(&[
        "cp312-cp312-manylinux_2_28_aarch64",
        "cp312-cp312-manylinux_2_17_x86_64",
        "cp312-cp312-win_amd64",
        "cp312-cp312-macosx_11_0_arm64",
    ]);
    index
        .add("c", "1.0", &[])
        .wheels(&["cp312-cp312-manylinux_2_28_x86_64", "cp312-cp312-win_amd64"]);
    let request = universal(&["a"], &["3.12"]);
    assert_snapshot!(outcome(&index, &request), @r#"
    a==1.0
    b==1.0 ; sys_platform == "linux" and platform_machine == "aarch64"
    c==1.0
    "#);
    assert_eq!(
        wheels_of(&index, &request, "b"),
        ["b-1.0-cp312-cp312-manylinux_2_28_aarch64.whl"]
    );
    assert_eq!(wheels_of(&index, &request, "c").len(), 2);
}

#[test]
fn wheels_for_pythons_below_the_universe_are_left_out() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).wheels(&[
        "cp38-cp38-manylinux_2_17_x86_64",
        "cp311-cp311-manylinux_2_17_x86_64",
        "cp312-abi3-manylinux_2_17_x86_64",
    ]);
    assert_eq!(
        wheels_of(&index, &universal(&["a"], &["3.11"]), "a"),
        [
            "a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "a-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"
        ]
    );
}

#[test]
fn requirements_on_unlisted_platforms_and_implementations_are_resolved() {
    // Nobody lists FreeBSD, PyPy or musl: their requirements still get pins.
    let mut index = MemoryIndex::new();
    index.add("bsd-only", "1.0", &[]);
    index.add("pypy-only", "1.0", &[]);
    index.add("cpython-only", "1.0", &[]);
    let request = universal(
        &[
            "bsd-only; sys_platform == 'freebsd'",
            "pypy-only; implementation_name == 'pypy'",
            "cpython-only; implementation_name == 'cpython'",
        ],
        &["3.10"],
    );
    assert_snapshot!(outcome(&index, &request), @r#"
    bsd-only==1.0 ; sys_platform == "freebsd"
    cpython-only==1.0 ; implementation_name == "cpython"
    pypy-only==1.0 ; implementation_name == "pypy"
    "#);
}

#[test]
fn a_patch_release_bound_forks_inside_a_minor() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).file_requires_python(">=3.11.5");
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.10"])), @r#"
    a==1.0 ; python_full_version < "3.11.5"
    a==2.0 ; python_full_version >= "3.11.5.dev0"
    "#);
}

#[test]
fn pythons_past_any_list_resolve() {
    // A universe starting at 3.15 (or later) needs no table of Pythons.
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b; python_version >= '3.16'"]);
    index.add("b", "1.0", &[]);
    assert_snapshot!(outcome(&index, &universal(&["a"], &["3.15"])), @r#"
    a==1.0
    b==1.0 ; python_version >= "3.16"
    "#);
}

#[test]
fn a_conflict_inside_one_fork_is_reported_with_the_fork() {
    // On Windows `a` needs c>=2 and `b` needs c<2: only that fork fails.
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &[
            "c>=2; sys_platform == 'win32'",
            "c; sys_platform != 'win32'",
        ],
    );
    index.add("b", "1.0", &["c<2"]);
    index.add("c", "1.0", &[]);
    index.add("c", "2.0", &[]);
    let out = outcome(&index, &universal(&["a", "b"], &["3.12"]));
    assert!(out.contains("\nFor sys_platform == \"win32\":\n"), "{out}");
}

#[test]
fn environments_restrict_the_lock() {
    let mut index = MemoryIndex::new();
    index.add(
        "a",
        "1.0",
        &[
            "win; sys_platform == 'win32'",
            "lin; sys_platform == 'linux'",
        ],
    );
    index.add("win", "1.0", &[]);
    index.add("lin", "1.0", &[]);
    let mut request = universal(&["a"], &["3.12"]);
    if let Some(universe) = &mut request.universal {
        universe.environments = vec!["sys_platform == 'linux'".parse().unwrap()];
    }
    assert_snapshot!(outcome(&index, &request), @r#"
    a==1.0
    lin==1.0
    "#);
}

#[test]
fn required_environments_skip_versions_without_a_wheel_there() {
    // b 2.0 has no aarch64 wheel and no sdist; aarch64 Linux is required,
    // so that part of the universe keeps b 1.0 (the rest takes 2.0, as uv).
    let mut index = MemoryIndex::new();
    index
        .add("b", "2.0", &[])
        .wheels(&["py3-none-manylinux_2_17_x86_64", "py3-none-win_amd64"]);
    index.add("b", "1.0", &[]);
    let mut request = universal(&["b"], &["3.12"]);
    let required = "sys_platform == 'linux' and platform_machine == 'aarch64'";
    if let Some(universe) = &mut request.universal {
        universe.required_environments = vec![required.parse().unwrap()];
    }
    assert_snapshot!(outcome(&index, &request), @r#"
    b==1.0 ; sys_platform == "linux" and platform_machine == "aarch64"
    b==2.0 ; platform_machine != "aarch64" or sys_platform != "linux"
    "#);
    // Without a version that has one, the failure names the environment.
    let mut index = MemoryIndex::new();
    index
        .add("b", "2.0", &[])
        .wheels(&["py3-none-manylinux_2_17_x86_64"]);
    let out = outcome(&index, &request);
    assert!(out.contains("required environment"), "{out}");
}

#[test]
fn recompiling_over_a_universal_output_keeps_its_split() {
    // The existing output pins a at 1.0 for old Pythons and 2.0 for new
    // ones; as preferences, both must come back where they were.
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]).file_requires_python(">=3.11");
    index.add("a", "3.0", &[]).file_requires_python(">=3.11");
    let mut request = universal(&["a"], &["3.10"]);
    for version in ["1.0", "2.0"] {
        request.preferences.push(crate::Preference {
            name: "a".parse().unwrap(),
            version: version.parse().unwrap(),
        });
    }
    assert_snapshot!(outcome(&index, &request), @r#"
    a==1.0 ; python_version < "3.11"
    a==2.0 ; python_version >= "3.11"
    "#);
}
