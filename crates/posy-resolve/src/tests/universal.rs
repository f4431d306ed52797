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
