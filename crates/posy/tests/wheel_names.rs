//! Wheels pip and uv refuse are refused: a file name without compatibility
//! tags (`six-1.17.0.whl`) is not a wheel, wherever it is found.

mod common;

use std::fs;

use common::World;
use posy_testkit::{Artifact, Index, Package};

/// The bytes of a real wheel of `name==version`.
fn wheel_bytes(name: &str, version: &str) -> Vec<u8> {
    Package::new(name, version)
        .file(&format!("{name}.py"), "X = 1\n")
        .build()
        .unwrap()
        .into_iter()
        .find(|a| a.filename().ends_with(".whl"))
        .unwrap()
        .bytes()
        .to_vec()
}

#[test]
fn a_listed_wheel_without_tags_is_skipped_with_a_warning() {
    let tagless = Artifact::raw(
        "six",
        "1.17.0",
        "six-1.17.0.whl",
        wheel_bytes("six", "1.17.0"),
    )
    .unwrap();
    let index = Index::new()
        .package(Package::new("six", "1.16.0"))
        .artifact(tagless)
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "six", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["six-1.16.0.dist-info"]);
    assert!(run.stderr.contains("six-1.17.0.whl"), "{}", run.stderr);
}

#[test]
fn a_find_links_wheel_without_tags_is_skipped_with_a_warning() {
    let world = World::new();
    let links = world.root.join("links");
    Index::new()
        .package(Package::new("six", "1.16.0"))
        .find_links(&links)
        .unwrap();
    fs::write(links.join("six-1.17.0.whl"), wheel_bytes("six", "1.17.0")).unwrap();
    let env = world.venv("env");
    let run = world.ok(&[
        "pip",
        "install",
        "six",
        "--python",
        env.arg(),
        "--no-index",
        "--find-links",
        links.to_str().unwrap(),
    ]);
    assert_eq!(env.dist_infos(), ["six-1.16.0.dist-info"]);
    assert!(run.stderr.contains("six-1.17.0.whl"), "{}", run.stderr);
}

#[test]
fn a_wheel_path_without_tags_is_refused() {
    let world = World::new();
    let path = world.root.join("six-1.17.0.whl");
    fs::write(&path, wheel_bytes("six", "1.17.0")).unwrap();
    let env = world.venv("env");
    let run = world.fails(&[
        "pip",
        "install",
        path.to_str().unwrap(),
        "--python",
        env.arg(),
    ]);
    assert!(run.stderr.contains("six-1.17.0.whl"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());
}
