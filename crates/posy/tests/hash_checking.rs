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

#[test]
fn no_verify_hashes_ignores_the_files_hashes_unless_they_are_required() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let wrong = "0".repeat(64);
    world.write(
        "wrong.txt",
        &format!("a==1.0 --hash=sha256:{wrong}\nb==1.0\n"),
    );
    for command in ["install -r", "sync"] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.extend(["wrong.txt", "--python", env.arg()]);
        let run = world.pip(&args);
        assert!(!run.status.success(), "{command}: {}", common::stderr(&run));
        args.push("--no-verify-hashes");
        world.pip_ok(&args);
        assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
        world.pip_ok(&["uninstall", "a", "b", "--python", env.arg()]);
    }

    // A file's `--require-hashes` still requires them.
    let a = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    world.write(
        "required.txt",
        &format!(
            "--require-hashes\na==1.0 --hash=sha256:{}\nb==1.0\n",
            a.sha256()
        ),
    );
    let run = world.pip(&[
        "sync",
        "required.txt",
        "--no-verify-hashes",
        "--python",
        env.arg(),
    ]);
    assert!(!run.status.success());
    assert!(common::stderr(&run).contains("b==1.0 has no --hash"));
    // On the command line, the two contradict each other.
    let run = world.pip(&[
        "sync",
        "wrong.txt",
        "--no-verify-hashes",
        "--require-hashes",
        "--python",
        env.arg(),
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", common::stderr(&run));
    assert!(env.dist_infos().is_empty());
}
