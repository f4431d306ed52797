//! Conflict reports, checked word for word with `insta` snapshots.

use insta::assert_snapshot;

use super::memory_index::{MemoryIndex, outcome, request, target};
use crate::PrereleaseMode;

#[test]
fn dependency_on_a_missing_range() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b>=2"]);
    index.add("b", "1.0", &[]);
    index.add("b", "1.5", &[]);
    assert_snapshot!(outcome(&index, &request(&["a==1.0"])));
}

#[test]
fn direct_requirements_contradict() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]);
    index.add("a", "2.0", &[]);
    assert_snapshot!(outcome(&index, &request(&["a>=2", "a<2"])));
}

#[test]
fn package_not_found() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["does-not-exist"]);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn transitive_conflict_over_every_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["c==1.0"]);
    index.add("a", "2.0", &["c==2.0"]);
    index.add("b", "1.0", &["c==3.0"]);
    for v in ["1.0", "2.0", "3.0"] {
        index.add("c", v, &[]);
    }
    assert_snapshot!(outcome(&index, &request(&["a", "b"])));
}

#[test]
fn requires_python_excludes_every_version() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).file_requires_python(">=3.13");
    index.add("a", "2.0", &[]).file_requires_python(">=3.13");
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn requires_python_from_metadata() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).requires_python(">=3.13");
    let mut req = request(&["a==1.0"]);
    req.target = target("3.11.4", "linux", "Linux", "posix");
    assert_snapshot!(outcome(&index, &req));
}

#[test]
fn prerelease_only_in_range() {
    let mut index = MemoryIndex::new();
    index.add("a", "0.1.0", &[]);
    index.add("a", "1.0.0a1", &[]);
    assert_snapshot!(outcome(&index, &request(&["a>0.1.0"])));
}

#[test]
fn transitive_prerelease_with_a_stable_release() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["c==2.0b1"]);
    index.add("b", "1.0", &["c>=1.0,<=3.0"]);
    index.add("c", "1.0", &[]);
    index.add("c", "2.0b1", &[]);
    assert_snapshot!(outcome(&index, &request(&["a", "b"])));
}

#[test]
fn prereleases_disallowed() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0a1", &[]);
    let mut req = request(&["a"]);
    req.prerelease = PrereleaseMode::Disallow;
    assert_snapshot!(outcome(&index, &req));
}

#[test]
fn only_version_is_yanked() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &[])
        .yanked(Some("contains a critical bug"));
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn transitive_yanked_pin() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b==2.0"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]).yanked(None);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn sdist_only_cannot_be_built() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).sdist_only(false);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn no_wheel_for_the_platform() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &[])
        .wheels(&["cp312-cp312-win_amd64"]);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn extra_requires_a_missing_version() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &["b>=2; extra == 'x'"])
        .extras(&["x"]);
    index.add("b", "1.0", &[]);
    assert_snapshot!(outcome(&index, &request(&["a[x]"])));
}

#[test]
fn deep_chain_with_shared_conclusions() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["b", "c"]);
    index.add("b", "1.0", &["d>=2"]);
    index.add("c", "1.0", &["d<2"]);
    index.add("d", "1.0", &[]);
    index.add("d", "2.0", &[]);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn two_branches_that_both_fail() {
    // PubGrub's classic branching example: both versions of foo fail, each
    // for a reason of its own, and the report explains both branches.
    let mut index = MemoryIndex::new();
    index.add("foo", "1.0", &["a>=1,<2", "b>=1,<2"]);
    index.add("foo", "1.1", &["x>=1,<2", "y>=1,<2"]);
    index.add("a", "1.0", &["b>=2"]);
    index.add("b", "1.0", &[]);
    index.add("b", "2.0", &[]);
    index.add("x", "1.0", &["y>=2"]);
    index.add("y", "1.0", &[]);
    index.add("y", "2.0", &[]);
    assert_snapshot!(outcome(&index, &request(&["foo>=1,<2"])));
}

#[test]
fn every_version_depending_alike_is_merged() {
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &["c>=2"]);
    index.add("b", "1.0", &["c>=2"]);
    index.add("c", "1.0", &[]);
    index.add("d", "1.0", &["a", "b"]);
    index.add("d", "2.0", &["a", "e"]);
    index.add("e", "1.0", &["c<2"]);
    assert_snapshot!(outcome(&index, &request(&["d", "c<2"])));
}

#[test]
fn versions_needing_newer_pythons_are_said_once() {
    // The report once chained through "Python>=3.7 cannot be used" and
    // gave one hint per version range (and one for a pre-release that
    // needs a newer Python still).
    let mut index = MemoryIndex::new();
    index.add("a", "1.0", &[]).file_requires_python(">=3.6");
    index.add("a", "1.1", &[]).file_requires_python(">=3.7");
    index.add("a", "2.0", &[]).requires_python(">=3.8");
    index.add("a", "3.0a1", &[]).file_requires_python(">=3.10");
    let mut req = request(&["a"]);
    req.target = target("3.5.10", "linux", "Linux", "posix");
    assert_snapshot!(outcome(&index, &req));
}

#[test]
fn versions_without_a_wheel_for_the_platform_are_said_once() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &[])
        .wheels(&["cp312-cp312-win_amd64"]);
    index
        .add("a", "2.0", &[])
        .wheels(&["cp312-cp312-win_amd64", "cp312-cp312-macosx_11_0_arm64"]);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}

#[test]
fn versions_without_a_wheel_for_the_python_name_the_python_tags() {
    let mut index = MemoryIndex::new();
    index
        .add("a", "1.0", &[])
        .wheels(&["cp38-cp38-manylinux_2_17_x86_64"]);
    assert_snapshot!(outcome(&index, &request(&["a"])));
}
