//! Universal resolutions: one answer for several environments, with
//! markers where the environments disagree.

use insta::assert_snapshot;
use posy_vocab::Version;

use super::memory_index::{MemoryIndex, outcome, request};
use crate::{ResolveError, ResolveRequest, Target};

fn universal(requirements: &[&str], pythons: &[&str]) -> ResolveRequest {
    let mut req = request(requirements);
    req.universal = true;
    let pythons: Vec<Version> = pythons.iter().map(|p| p.parse().unwrap()).collect();
    req.environments = Target::universal_set(&pythons);
    req
}

#[test]
fn the_default_environments_are_three_platforms_per_python() {
    let set = Target::universal_set(&["3.10".parse().unwrap(), "3.12".parse().unwrap()]);
    assert_eq!(set.len(), 6);
    let platforms: Vec<&str> = set
        .iter()
        .map(|t| t.markers.get(posy_vocab::MarkerVariable::SysPlatform))
        .collect();
    assert_eq!(
        platforms,
        ["linux", "linux", "darwin", "darwin", "win32", "win32"]
    );
    assert!(set[0].tags.len() > 10);
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
fn universal_without_environments_is_an_error() {
    let index = MemoryIndex::new();
    let mut req = request(&["a"]);
    req.universal = true;
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
