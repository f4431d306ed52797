//! Hash-checking mode as pip defines it: `--require-hashes` on the command
//! line or in a file, or any `--hash` at all, and then every package needs
//! a hash the user gave.

mod common;

use common::World;
use posy_testkit::{Index, Package};

fn app_and_library() -> Index {
    Index::new()
        .package(Package::new("a", "1.0").dep("b>=1").file("a.py", ""))
        .package(Package::new("b", "1.0").file("b.py", ""))
}

#[test]
fn one_hash_puts_an_install_in_hash_checking_mode() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let a = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    let b = index.artifact("b-1.0-py3-none-any.whl").unwrap();
    world.write("one.txt", &format!("a==1.0 --hash=sha256:{}\n", a.sha256()));
    let run = world.pip(&["install", "-r", "one.txt", "--python", env.arg()]);
    let stderr = common::stderr(&run);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains("b==1.0"), "{stderr}");
    assert!(stderr.contains("hashes are required"), "{stderr}");
    assert!(env.dist_infos().is_empty());

    world.write(
        "both.txt",
        &format!(
            "a==1.0 --hash=sha256:{}\nb==1.0 --hash=sha256:{}\n",
            a.sha256(),
            b.sha256()
        ),
    );
    world.pip_ok(&["install", "-r", "both.txt", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
}

#[test]
fn require_hashes_in_a_file_applies() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("req.txt", "--require-hashes\na==1.0\nb==1.0\n");
    let run = world.pip(&["install", "-r", "req.txt", "--python", env.arg()]);
    assert!(!run.status.success());
    assert!(common::stderr(&run).contains("hashes are required"));
    let run = world.pip(&["sync", "req.txt", "--python", env.arg()]);
    assert!(!run.status.success());
    assert!(common::stderr(&run).contains("hashes are required"));
    assert!(env.dist_infos().is_empty());
}

#[test]
fn one_hash_puts_a_sync_in_hash_checking_mode() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let a = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    world.write(
        "pins.txt",
        &format!("a==1.0 --hash=sha256:{}\nb==1.0\n", a.sha256()),
    );
    let run = world.pip(&["sync", "pins.txt", "--python", env.arg()]);
    let stderr = common::stderr(&run);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains("b==1.0 has no --hash"), "{stderr}");
    assert!(env.dist_infos().is_empty());
}
