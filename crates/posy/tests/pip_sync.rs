//! `posy pip sync` end to end: a pinned file in, an environment holding
//! exactly that set out — installing, upgrading and removing as needed —
//! with hashes checked and unpinned lines refused before anything changes.

mod common;

use common::World;
use posy_testkit::{Index, Package};

fn three_packages() -> Index {
    Index::new()
        .package(Package::new("a", "1.0").file("a.py", "V = 1\n"))
        .package(Package::new("a", "2.0").file("a.py", "V = 2\n"))
        .package(Package::new("b", "1.0").file("b.py", ""))
        .package(
            Package::new("extra-stuff", "1.0")
                .file("extra_stuff.py", "")
                .entry_point("console_scripts", "extra-stuff", "extra_stuff:main"),
        )
}

#[test]
fn sync_makes_the_environment_exactly_the_file() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a==1.0", "extra-stuff", "--python", env.arg()]);
    assert!(env.bin("extra-stuff").exists());

    world.write(
        "requirements.txt",
        "# pinned by hand\na==2.0\nb==1.0 ; python_version >= '3'\nnever ; python_version < '3'\n",
    );
    let run = world.pip_ok(&["sync", "requirements.txt", "--python", env.arg()]);
    assert!(
        run.stderr.contains("Uninstalled 1 package"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with(" - a==1.0\n + a==2.0\n + b==1.0\n - extra-stuff==1.0\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
    assert!(!env.bin("extra-stuff").exists());
    assert!(!env.site_packages().join("extra_stuff.py").exists());
    assert_eq!(env.python_ok("import a, b; print(a.V)"), "2");
    // What sync installs was asked for by the file.
    assert!(env.dist_info("b", "1.0").join("REQUESTED").exists());

    // Already exact: nothing to do, nothing downloaded.
    index.clear_requests();
    let again = world.pip_ok(&["sync", "requirements.txt", "--python", env.arg()]);
    assert!(
        again.stderr.contains("Audited 2 packages"),
        "{}",
        again.stderr
    );
    assert!(index.full_downloads().is_empty());

    // An empty file would empty the environment: refused unless asked for.
    world.write("empty.txt", "\n");
    let run = world.pip_fails(&["sync", "empty.txt", "--python", env.arg()]);
    assert!(
        run.stderr.contains("--allow-empty-requirements"),
        "{}",
        run.stderr
    );
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
    world.pip_ok(&[
        "sync",
        "empty.txt",
        "--allow-empty-requirements",
        "--python",
        env.arg(),
    ]);
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());
}

#[test]
fn an_unpinned_requirement_is_an_error_naming_file_and_line() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("requirements.txt", "a==2.0\n\nb>=1\n");
    let run = world.pip_fails(&["sync", "requirements.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("requirements.txt:3"), "{}", run.stderr);
    assert!(run.stderr.contains("b>=1"), "{}", run.stderr);
    assert!(run.stderr.contains("not pinned"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());

    world.write("twice.txt", "a==1.0\na==2.0\n");
    let run = world.pip_fails(&["sync", "twice.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("pinned twice"), "{}", run.stderr);
}

#[test]
fn hashes_are_required_and_checked() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let a2 = index.artifact("a-2.0-py3-none-any.whl").unwrap();
    let b1 = index.artifact("b-1.0-py3-none-any.whl").unwrap();

    // --require-hashes with a line that has none.
    world.write(
        "requirements.txt",
        &format!("a==2.0 --hash=sha256:{}\nb==1.0\n", a2.sha256()),
    );
    let run = world.pip_fails(&[
        "sync",
        "requirements.txt",
        "--require-hashes",
        "--python",
        env.arg(),
    ]);
    assert!(run.stderr.contains("b==1.0"), "{}", run.stderr);
    assert!(run.stderr.contains("--require-hashes"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());

    // The same from a `--require-hashes` line in the file.
    world.write(
        "inline.txt",
        &format!(
            "--require-hashes\na==2.0 --hash=sha256:{}\nb==1.0\n",
            a2.sha256()
        ),
    );
    let run = world.pip_fails(&["sync", "inline.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("b==1.0"), "{}", run.stderr);

    // A hash that does not match the file is refused.
    let wrong = "0".repeat(64);
    world.write(
        "wrong.txt",
        &format!(
            "a==2.0 --hash=sha256:{wrong}\nb==1.0 --hash=sha256:{}\n",
            b1.sha256()
        ),
    );
    let run = world.pip_fails(&["sync", "wrong.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("a==2.0"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a-2.0-py3-none-any.whl"),
        "{}",
        run.stderr
    );
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());

    // Right hashes, written across continuation lines, pass.
    world.write(
        "right.txt",
        &format!(
            "a==2.0 \\\n    --hash=sha256:{wrong} \\\n    --hash=sha256:{}\nb==1.0 --hash=sha256:{}\n",
            a2.sha256(),
            b1.sha256()
        ),
    );
    world.pip_ok(&[
        "sync",
        "right.txt",
        "--require-hashes",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
}

#[test]
fn dry_run_url_lines_and_missing_versions() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "extra-stuff", "--python", env.arg()]);
    world.write("requirements.txt", "a==2.0\n");
    let run = world.pip_ok(&[
        "sync",
        "requirements.txt",
        "--dry-run",
        "--python",
        env.arg(),
    ]);
    assert!(run.stderr.contains(" + a==2.0"), "{}", run.stderr);
    assert!(run.stderr.contains(" - extra-stuff==1.0"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["extra_stuff-1.0.dist-info"]);

    world.write(
        "urls.txt",
        &format!("a==2.0\n{}\n", index.file_url("b-1.0-py3-none-any.whl")),
    );
    // A URL line (as `pip compile` and `pip freeze` write them) installs
    // that file, recorded as PEP 610 says.
    let run = world.pip_ok(&["sync", "urls.txt", "--python", env.arg()]);
    assert!(run.stderr.contains(" - extra-stuff==1.0"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
    let freeze = world.pip_ok(&["freeze", "--python", env.arg()]);
    assert!(freeze.stdout.contains("b @ http://"), "{}", freeze.stdout);

    world.write("missing.txt", "a==9.9\n");
    let run = world.pip_fails(&["sync", "missing.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("a==9.9"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
}

#[test]
fn json_output_lists_removals_and_installs() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a==1.0", "extra-stuff", "--python", env.arg()]);
    world.write("requirements.txt", "a==2.0\nb==1.0\n");
    let run = world.pip_ok(&[
        "sync",
        "requirements.txt",
        "--output-format",
        "json",
        "--python",
        env.arg(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stdout);
    assert_eq!(
        doc,
        serde_json::json!({
            "schema": {"version": "preview"},
            "changes": [
                {"name": "a", "version": "1.0", "action": "uninstalled"},
                {"name": "a", "version": "2.0", "action": "installed"},
                {"name": "b", "version": "1.0", "action": "installed"},
                {"name": "extra-stuff", "version": "1.0", "action": "uninstalled"},
            ],
            "dry_run": false,
        })
    );
    assert!(run.stderr.contains(" - extra-stuff==1.0"), "{}", run.stderr);
}

#[test]
fn exclude_newer_package_hides_a_pinned_version_of_one_package() {
    let index = three_packages().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("requirements.txt", "a==2.0\n");
    // Every file of the index was uploaded on 2024-01-01.
    let run = world.pip_fails(&[
        "sync",
        "requirements.txt",
        "--exclude-newer-package",
        "a=2023-06-01T00:00:00Z",
        "--python",
        env.arg(),
    ]);
    assert!(
        run.stderr.contains("a==2.0 is not available"),
        "{}",
        run.stderr
    );
    world.pip_ok(&[
        "sync",
        "requirements.txt",
        "--exclude-newer",
        "2023-06-01T00:00:00Z",
        "--exclude-newer-package",
        "a=false",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info"]);
}
