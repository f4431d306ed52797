//! `posy pip list | freeze | show | check | uninstall` end to end, on an
//! environment that the real `posy pip install` filled from a local index.

mod common;

use common::{Env, World};
use posy_testkit::{Index, Package};

/// An environment holding `app 1.0` (needs `lib<2`, has a console script)
/// and `lib 1.0`, installed from a fresh index.
fn installed_world() -> (posy_testkit::IndexServer, World, Env) {
    let index = Index::new()
        .package(
            Package::new("app", "1.0")
                .dep("lib<2")
                .dep("winlib; sys_platform == 'win32'")
                .summary("An app")
                .metadata_field("License", "MIT")
                .file("app/__init__.py", "def main():\n    print('app')\n")
                .file("app/util.py", "X = 1\n")
                .entry_point("console_scripts", "app", "app:main"),
        )
        .package(Package::new("lib", "1.0").file("lib.py", ""))
        .package(Package::new("lib", "2.0").file("lib.py", ""))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "app", "--python", env.arg()]);
    (index, world, env)
}

#[test]
fn list_prints_columns_freeze_and_json() {
    let (_index, world, env) = installed_world();
    let columns = world.pip_ok(&["list", "--python", env.arg()]);
    assert_eq!(
        columns.stdout,
        "Package Version\n------- -------\napp     1.0\nlib     1.0\n"
    );
    let freeze = world.pip_ok(&["list", "--format", "freeze", "--python", env.arg()]);
    assert_eq!(freeze.stdout, "app==1.0\nlib==1.0\n");
    let json = world.pip_ok(&["list", "--format", "json", "--python", env.arg()]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            {"name": "app", "version": "1.0"},
            {"name": "lib", "version": "1.0"},
        ])
    );
    // An unknown format is a usage error (exit 2), named by clap.
    let run = world.pip(&["list", "--format", "yaml", "--python", env.arg()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        common::stderr(&run).contains("yaml"),
        "{}",
        common::stderr(&run)
    );
}

#[test]
fn freeze_prints_requirements() {
    let (_index, world, env) = installed_world();
    assert_eq!(
        world.pip_ok(&["freeze", "--python", env.arg()]).stdout,
        "app==1.0\nlib==1.0\n"
    );
    // An empty environment freezes to nothing.
    let empty = world.venv("empty");
    assert_eq!(
        world.pip_ok(&["freeze", "--python", empty.arg()]).stdout,
        ""
    );
}

#[test]
fn show_names_what_a_package_requires_and_what_requires_it() {
    let (_index, world, env) = installed_world();
    let app = world.pip_ok(&["show", "app", "--python", env.arg()]);
    let location = env.site_packages().display().to_string();
    assert_eq!(
        app.stdout,
        format!(
            "Name: app\nVersion: 1.0\nSummary: An app\nLicense: MIT\nLocation: {location}\nRequires: lib\nRequired-by: \n"
        )
    );
    let lib = world.pip_ok(&["show", "LIB", "--python", env.arg()]);
    assert!(lib.stdout.contains("Name: lib\n"), "{}", lib.stdout);
    assert!(
        lib.stdout.contains("Requires: \nRequired-by: app\n"),
        "{}",
        lib.stdout
    );

    let both = world.pip_ok(&["show", "app", "lib", "--python", env.arg()]);
    assert_eq!(both.stdout.matches("\n---\n").count(), 1, "{}", both.stdout);

    let files = world.pip_ok(&["show", "-f", "app", "--python", env.arg()]);
    assert!(files.stdout.contains("Files:\n"), "{}", files.stdout);
    assert!(files.stdout.contains("  app/util.py\n"), "{}", files.stdout);

    let missing = world.posy(&["pip", "show", "app", "nothere", "--python", env.arg()]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        common::stderr(&missing).contains("not found: nothere"),
        "{}",
        common::stderr(&missing)
    );
}

#[test]
fn check_reports_missing_and_mismatched_dependencies() {
    let (_index, world, env) = installed_world();
    let ok = world.pip_ok(&["check", "--python", env.arg()]);
    assert_eq!(
        ok.stderr,
        "Checked 2 packages\nAll installed packages are compatible\n"
    );

    // A version the app does not accept.
    world.pip_ok(&["install", "--no-deps", "lib==2.0", "--python", env.arg()]);
    let bad = world.posy(&["pip", "check", "--python", env.arg()]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        common::stderr(&bad),
        "Checked 2 packages\nFound 1 incompatibility\nThe package `app` requires `lib<2`, but `2.0` is installed\n"
    );

    // A dependency that is gone.
    world.pip_ok(&["uninstall", "lib", "--python", env.arg()]);
    let missing = world.posy(&["pip", "check", "--python", env.arg()]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        common::stderr(&missing),
        "Checked 1 package\nFound 1 incompatibility\nThe package `app` requires `lib<2`, but it's not installed\n"
    );
}

#[test]
fn uninstall_removes_files_scripts_and_bytecode() {
    let (_index, world, env) = installed_world();
    // Importing writes __pycache__, which RECORD does not list.
    env.python_ok("import app.util");
    assert!(env.site_packages().join("app/__pycache__").exists());
    assert!(env.bin("app").exists());

    let dry = world.pip_ok(&["uninstall", "app", "--dry-run", "--python", env.arg()]);
    assert!(
        dry.stderr.starts_with("Would uninstall 1 package"),
        "{}",
        dry.stderr
    );
    assert!(env.bin("app").exists());

    let run = world.pip_ok(&["uninstall", "App", "--python", env.arg()]);
    assert!(
        run.stderr.starts_with("Uninstalled 1 package in "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with(" - app==1.0\n"), "{}", run.stderr);
    assert!(!env.site_packages().join("app").exists());
    assert!(!env.bin("app").exists());
    assert!(!env.dist_info("app", "1.0").exists());
    assert_eq!(env.dist_infos(), ["lib-1.0.dist-info"]);

    // Uninstalling what is not there is a warning, not an error.
    world.write("remove.txt", "app\nlib==1.0\n");
    let run = world.pip_ok(&["uninstall", "-r", "remove.txt", "--python", env.arg()]);
    assert!(run.stderr.contains("skipping app"), "{}", run.stderr);
    assert!(run.stderr.ends_with(" - lib==1.0\n"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());
    assert!(!env.site_packages().join("lib.py").exists());

    let run = world.pip_fails(&["uninstall", "--python", env.arg()]);
    assert!(
        run.stderr.contains("name at least one package"),
        "{}",
        run.stderr
    );
}

#[test]
fn uninstall_refuses_a_record_that_points_outside_the_environment() {
    let (_index, world, env) = installed_world();
    let outside = world.write("precious.txt", "keep me\n");
    let record = env.dist_info("lib", "1.0").join("RECORD");
    let mut text = std::fs::read_to_string(&record).unwrap();
    let depth = env
        .site_packages()
        .strip_prefix(&world.root)
        .unwrap()
        .components()
        .count();
    text.push_str(&format!("{}precious.txt,,\n", "../".repeat(depth)));
    std::fs::write(&record, text).unwrap();

    let run = world.pip_fails(&["uninstall", "lib", "--python", env.arg()]);
    assert!(run.stderr.contains("precious.txt"), "{}", run.stderr);
    assert!(outside.exists());
    // Nothing of lib was removed either: the check comes first.
    assert!(env.site_packages().join("lib.py").exists());
    assert!(env.dist_info("lib", "1.0").exists());
}

#[test]
fn a_broken_dist_info_does_not_hide_the_rest() {
    let (_index, world, env) = installed_world();
    let junk = env.site_packages().join("junk-1.0.dist-info");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("METADATA"), "this is not metadata\n").unwrap();
    let list = world.posy(&["pip", "list", "--format", "freeze", "--python", env.arg()]);
    let text = String::from_utf8_lossy(&list.stdout);
    let err = common::stderr(&list);
    // Either listed as what its directory name says, or skipped with a
    // warning naming it; the good distributions are listed either way.
    assert!(list.status.success(), "{err}");
    assert!(
        text.contains("app==1.0\n") && text.contains("lib==1.0\n"),
        "{text}"
    );
    assert!(text.contains("junk") || err.contains("junk"), "{text}{err}");
    let check = world.posy(&["pip", "check", "--python", env.arg()]);
    assert!(
        common::stderr(&check).contains("junk"),
        "{}",
        common::stderr(&check)
    );
}

#[test]
fn list_outdated_names_newer_versions_on_the_index() {
    let index = Index::new()
        .package(Package::new("old", "1.0"))
        .package(Package::new("old", "2.0").upload_time("2024-06-01T00:00:00.000000Z"))
        .package(Package::new("old", "3.0a1"))
        .package(Package::new("current", "1.0"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "old==1.0", "current", "--python", env.arg()]);
    let url = index.url();
    let run = world.pip_ok(&[
        "list",
        "--outdated",
        "--python",
        env.arg(),
        "--index-url",
        &url,
    ]);
    let rows: Vec<&str> = run.stdout.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    let cells: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!(
        cells,
        ["old", "1.0", "2.0", "wheel"],
        "prereleases are not offered for a final release"
    );
    // A package's own cutoff hides what came after it, for `list` and `tree`.
    for command in ["list", "tree"] {
        let outdated = |extra: &[&str]| {
            let args = [
                command,
                "--outdated",
                "--python",
                env.arg(),
                "--index-url",
                &url,
            ];
            world.pip_ok(&[&args[..], extra].concat()).stdout
        };
        assert!(outdated(&[]).contains("2.0"), "{command}");
        let held_back = outdated(&["--exclude-newer-package", "old=2024-03-01T00:00:00Z"]);
        assert!(!held_back.contains("2.0"), "{command}: {held_back}");
    }
    // An index that cannot be reached is an error, not an empty list.
    let run = world.pip(&[
        "list",
        "--outdated",
        "--python",
        env.arg(),
        "--index-url",
        "http://127.0.0.1:9/simple",
    ]);
    let stderr = common::stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot look up the newest version of"),
        "{stderr}"
    );
}
