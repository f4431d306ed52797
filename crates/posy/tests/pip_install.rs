//! `posy pip install` end to end: real wheels from a real local index
//! (posy-testkit) installed into an environment made by `posy venv`, then
//! checked the way a person (and the real pip) would: imports work, console
//! scripts run, the dist-info says who installed what and why, and a second
//! run does nothing.

mod common;

use std::fs;
use std::io::Write;

use common::{Env, World, real_pip};
use posy_testkit::{Artifact, Fault, Index, Package};

/// `a` (with a console script) needs `b`; both are plain modules.
fn app_and_library() -> Index {
    Index::new()
        .package(
            Package::new("a", "1.0")
                .dep("b>=1")
                .summary("The app")
                .file(
                    "a/__init__.py",
                    "import b\nVERSION = '1.0'\ndef main():\n    print('hello from a, b says', b.WORD)\n",
                )
                .entry_point("console_scripts", "a-cli", "a:main"),
        )
        .package(Package::new("b", "1.0").file("b.py", "WORD = 'hi'\n"))
}

/// Every path in `RECORD` (relative to site-packages) exists.
fn assert_record_complete(env: &Env, dist_info: &str) {
    let dir = env.site_packages().join(dist_info);
    let record = fs::read_to_string(dir.join("RECORD")).unwrap();
    for line in record.lines() {
        let path = line.rsplitn(3, ',').last().unwrap();
        let full = env.site_packages().join(path);
        assert!(
            full.exists(),
            "{dist_info}/RECORD lists {path}, which is missing"
        );
    }
}

#[test]
fn installs_importable_packages_with_scripts_and_dist_info() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "a", "--python", env.arg()]);
    let text = &run.stderr;
    assert!(text.contains("Resolved 2 packages in "), "{text}");
    assert!(text.contains("Prepared 2 packages in "), "{text}");
    assert!(text.contains("Installed 2 packages in "), "{text}");
    assert!(text.ends_with(" + a==1.0\n + b==1.0\n"), "{text}");

    assert_eq!(
        env.python_ok("import a, b; print(a.VERSION, b.WORD)"),
        "1.0 hi"
    );
    let script = std::process::Command::new(env.bin("a-cli"))
        .output()
        .unwrap();
    assert!(script.status.success(), "{}", common::stderr(&script));
    assert_eq!(
        String::from_utf8_lossy(&script.stdout),
        "hello from a, b says hi\n"
    );
    let shebang = fs::read_to_string(env.bin("a-cli")).unwrap();
    assert!(
        shebang.starts_with(&format!("#!{}", env.bin("python").display())),
        "{shebang}"
    );

    let a = env.dist_info("a", "1.0");
    let b = env.dist_info("b", "1.0");
    assert_eq!(fs::read_to_string(a.join("INSTALLER")).unwrap(), "posy\n");
    assert_eq!(fs::read_to_string(b.join("INSTALLER")).unwrap(), "posy\n");
    assert!(a.join("REQUESTED").exists(), "a was asked for");
    assert!(!b.join("REQUESTED").exists(), "b was only a dependency");

    let record = fs::read_to_string(a.join("RECORD")).unwrap();
    for expected in [
        "a/__init__.py,sha256=",
        "a-1.0.dist-info/METADATA,sha256=",
        "a-1.0.dist-info/INSTALLER,sha256=",
        "a-1.0.dist-info/RECORD,,",
        "/bin/a-cli,sha256=",
    ] {
        assert!(record.contains(expected), "{expected} not in:\n{record}");
    }
    assert_record_complete(&env, "a-1.0.dist-info");
    assert_record_complete(&env, "b-1.0.dist-info");

    // Everything is there: the second run asks the index nothing.
    index.clear_requests();
    let again = world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert!(
        again.stderr.starts_with("Audited 1 package in "),
        "{}",
        again.stderr
    );
    assert!(index.full_downloads().is_empty());
    assert!(index.requests().is_empty(), "{:?}", index.requests());
}

#[test]
fn the_real_pip_agrees_with_what_posy_installed() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);

    let Some(freeze) = real_pip(&env, &["freeze"]) else {
        return;
    };
    assert!(freeze.status.success(), "{}", common::stderr(&freeze));
    let posy_freeze = world.pip_ok(&["freeze", "--python", env.arg()]);
    assert_eq!(String::from_utf8_lossy(&freeze.stdout), posy_freeze.stdout);
    assert_eq!(posy_freeze.stdout, "a==1.0\nb==1.0\n");

    let check = real_pip(&env, &["check"]).unwrap();
    assert!(
        check.status.success(),
        "pip check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        common::stderr(&check)
    );
    world.pip_ok(&["check", "--python", env.arg()]);

    let json = |text: &[u8]| serde_json::from_slice::<serde_json::Value>(text).unwrap();
    let pip_list = real_pip(&env, &["list", "--format", "json"]).unwrap();
    let posy_list = world.pip_ok(&["list", "--format", "json", "--python", env.arg()]);
    assert_eq!(json(&pip_list.stdout), json(posy_list.stdout.as_bytes()));

    // `show` agrees on the fields both print (pip prints an empty
    // `Summary:` where posy, like uv, leaves it out).
    let fields = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                [
                    "Name:",
                    "Version:",
                    "Summary:",
                    "Location:",
                    "Requires:",
                    "Required-by:",
                ]
                .iter()
                .any(|f| l.starts_with(f))
            })
            .map(|l| l.trim_end().to_string())
            .filter(|l| l != "Summary:")
            .collect()
    };
    for name in ["a", "b"] {
        let pip_show = real_pip(&env, &["show", name]).unwrap();
        let posy_show = world.pip_ok(&["show", name, "--python", env.arg()]);
        assert_eq!(
            fields(&String::from_utf8_lossy(&pip_show.stdout)),
            fields(&posy_show.stdout),
            "{name}"
        );
    }

    // pip reads posy's RECORD to uninstall: every file and the script go.
    let uninstall = real_pip(&env, &["uninstall", "--yes", "a"]).unwrap();
    assert!(uninstall.status.success(), "{}", common::stderr(&uninstall));
    assert!(!env.site_packages().join("a").exists());
    assert!(!env.bin("a-cli").exists());
    assert!(!env.dist_info("a", "1.0").exists());
    assert_eq!(
        world.pip_ok(&["freeze", "--python", env.arg()]).stdout,
        "b==1.0\n"
    );
}

#[test]
fn an_upgrade_replaces_the_old_version_files() {
    let index = Index::new()
        .package(
            Package::new("a", "1.0")
                .file("a/__init__.py", "V = 1\n")
                .file("a/old.py", "")
                .entry_point("console_scripts", "a-old", "a:V"),
        )
        .package(
            Package::new("a", "2.0")
                .file("a/__init__.py", "V = 2\n")
                .file("a/new.py", ""),
        )
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a==1.0", "--python", env.arg()]);
    assert!(env.site_packages().join("a/old.py").exists());
    assert!(env.bin("a-old").exists());

    // Satisfied by what is installed: nothing changes without --upgrade.
    let kept = world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert!(
        kept.stderr.starts_with("Audited 1 package"),
        "{}",
        kept.stderr
    );
    assert_eq!(
        fs::read_to_string(env.site_packages().join("a/__init__.py")).unwrap(),
        "V = 1\n"
    );

    let run = world.pip_ok(&["install", "--upgrade", "a", "--python", env.arg()]);
    assert!(
        run.stderr.ends_with(" - a==1.0\n + a==2.0\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.python_ok("import a; print(a.V)"), "2");
    assert!(!env.site_packages().join("a/old.py").exists());
    assert!(env.site_packages().join("a/new.py").exists());
    assert!(!env.bin("a-old").exists());
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info"]);
    assert_record_complete(&env, "a-2.0.dist-info");

    // And back down, by asking for the old version.
    world.pip_ok(&["install", "a==1.0", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
    assert!(!env.site_packages().join("a/new.py").exists());

    // A release made a moment ago is seen by an upgrade of that package.
    index
        .publish(Package::new("a", "3.0").file("a/__init__.py", "V = 3\n"))
        .unwrap();
    world.pip_ok(&["install", "a", "-P", "a", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-3.0.dist-info"]);
}

#[test]
fn an_upgrade_leaves_no_stale_bytecode() {
    let index = Index::new()
        .package(Package::new("a", "1.0").file("a/__init__.py", "V = 1\n"))
        .package(Package::new("a", "2.0").file("a/__init__.py", "V = 2\n"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a==1.0", "--python", env.arg()]);
    assert_eq!(env.python_ok("import a; print(a.V)"), "1");
    let cache = env.site_packages().join("a/__pycache__");
    assert!(cache.exists());

    world.pip_ok(&["install", "a==2.0", "--python", env.arg()]);
    // The bytecode of 1.0's `a/__init__.py` went with 1.0. (Left behind, it
    // is used whenever the new source has the same size and mtime second.)
    let left: Vec<_> = fs::read_dir(&cache)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "stale bytecode: {left:?}");
    assert_eq!(env.python_ok("import a; print(a.V)"), "2");
}

#[test]
fn reinstall_restores_a_damaged_installation() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);
    fs::remove_file(env.site_packages().join("a/__init__.py")).unwrap();

    let run = world.pip_ok(&["install", "a", "--reinstall", "--python", env.arg()]);
    assert!(
        run.stderr
            .ends_with(" - a==1.0\n + a==1.0\n - b==1.0\n + b==1.0\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.python_ok("import a; print(a.VERSION)"), "1.0");
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
    // The reinstall took the wheels from the store: only the first install downloaded them.
    assert_eq!(index.full_downloads().len(), 2);
}

#[test]
fn dry_run_changes_nothing() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "a", "--dry-run", "--python", env.arg()]);
    assert!(
        run.stderr.contains("Would install 2 packages"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(" + a==1.0"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());
    assert!(!env.bin("a-cli").exists());
    assert!(index.full_downloads().is_empty());
}

/// What `--output-format json` printed: each change as `name version action`.
fn json_changes(run: &common::Run) -> (Vec<String>, bool) {
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stdout);
    assert_eq!(doc["schema"]["version"], "preview", "{doc}");
    let changes = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap(),
                c["action"].as_str().unwrap()
            )
        })
        .collect();
    (changes, doc["dry_run"].as_bool().unwrap())
}

#[test]
fn json_output_says_what_changed_on_stdout() {
    let index = Index::new()
        .package(Package::new("a", "1.0").dep("b>=1").file("a.py", ""))
        .package(Package::new("b", "1.0").file("b.py", ""))
        .package(Package::new("b", "2.0").file("b.py", ""))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let json = ["--output-format", "json", "--python", env.arg()];
    let install = |args: &[&str]| world.pip_ok(&[&["install"][..], args, &json].concat());

    let run = install(&["a", "b==1.0"]);
    assert_eq!(
        json_changes(&run),
        (
            vec!["a 1.0 installed".into(), "b 1.0 installed".into()],
            false
        )
    );
    // People still read the summary, on stderr.
    assert!(
        run.stderr.ends_with(" + a==1.0\n + b==1.0\n"),
        "{}",
        run.stderr
    );

    let run = install(&["b==2.0", "--dry-run"]);
    assert_eq!(
        json_changes(&run),
        (
            vec!["b 1.0 uninstalled".into(), "b 2.0 installed".into()],
            true
        )
    );
    let run = install(&["b==2.0"]);
    assert_eq!(
        json_changes(&run),
        (
            vec!["b 1.0 uninstalled".into(), "b 2.0 installed".into()],
            false
        )
    );
    assert_eq!(json_changes(&install(&["a"])), (vec![], false));

    // `--check` fails, and still says what would change.
    let run = world.pip(&[&["install", "b==1.0", "--check"][..], &json].concat());
    assert_eq!(run.status.code(), Some(1));
    let run = common::Run::from(run);
    assert_eq!(
        json_changes(&run),
        (
            vec!["b 2.0 uninstalled".into(), "b 1.0 installed".into()],
            true
        )
    );
    assert!(run.stderr.contains("would change"), "{}", run.stderr);

    // The default is text: nothing on stdout.
    let run = world.pip_ok(&["install", "b==1.0", "--python", env.arg()]);
    assert_eq!(run.stdout, "");
}

#[test]
fn per_package_resolver_flags_apply_to_install() {
    let index = Index::new()
        .package(Package::new("a", "1.0").upload_time("2024-01-01T00:00:00.000000Z"))
        .package(Package::new("a", "2.0").upload_time("2024-06-01T00:00:00.000000Z"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0b1"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&[
        "install",
        "a",
        "b",
        "--exclude-newer-package",
        "a=2024-03-01T00:00:00Z",
        "--prerelease-package",
        "b=allow",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-2.0b1.dist-info"]);
}

#[test]
fn no_deps_installs_only_what_was_named() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "a", "--no-deps", "--python", env.arg()]);
    assert!(run.stderr.ends_with(" + a==1.0\n"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
    let check = world.posy(&["pip", "check", "--python", env.arg()]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        common::stderr(&check).contains("The package `a` requires `b>=1`, but it's not installed"),
        "{}",
        common::stderr(&check)
    );
}

#[test]
fn a_wheel_whose_bytes_do_not_match_the_index_hash_is_refused() {
    let index = app_and_library()
        .fault(Fault::WrongHash.on("/files/b-1.0-py3-none-any.whl"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_fails(&["install", "a", "--python", env.arg()]);
    assert!(
        run.stderr.contains("b-1.0-py3-none-any.whl"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.to_lowercase().contains("hash"), "{}", run.stderr);
    // Neither the bad wheel nor the good one that needs it was installed.
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());
    assert!(!env.bin("a-cli").exists());
}

/// A wheel with one member whose name is `member`, and otherwise valid
/// (its RECORD lists only itself, which installers accept with a warning).
fn hostile_wheel(name: &str, member: &str) -> Artifact {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n");
    let dist_info = format!("{name}-1.0.dist-info");
    let members = [
        (format!("{name}/__init__.py"), String::new()),
        (member.to_string(), "gotcha\n".to_string()),
        (format!("{dist_info}/METADATA"), metadata.clone()),
        (
            format!("{dist_info}/WHEEL"),
            "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .to_string(),
        ),
        (
            format!("{dist_info}/RECORD"),
            format!("{dist_info}/RECORD,,\n"),
        ),
    ];
    for (path, text) in members {
        zip.start_file(path, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    Artifact::raw(name, "1.0", &format!("{name}-1.0-py3-none-any.whl"), bytes)
        .unwrap()
        .with_metadata(metadata)
}

#[test]
fn hostile_wheels_are_refused_and_write_nothing_outside() {
    let index = Index::new()
        .artifact(hostile_wheel("climber", "../../../../escaped.txt"))
        .artifact(hostile_wheel("absolute", "/tmp/posy-clitests-absolute.txt"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_fails(&["install", "climber", "--python", env.arg()]);
    assert!(
        run.stderr.contains("../../../../escaped.txt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("refusing to install"), "{}", run.stderr);
    assert!(!world.root.join("escaped.txt").exists());
    assert!(!env.path.join("escaped.txt").exists());
    assert!(!env.site_packages().join("climber").exists());
    assert!(env.dist_infos().is_empty());

    let run = world.pip_fails(&["install", "absolute", "--python", env.arg()]);
    assert!(
        run.stderr.contains("/tmp/posy-clitests-absolute.txt"),
        "{}",
        run.stderr
    );
    assert!(!std::path::Path::new("/tmp/posy-clitests-absolute.txt").exists());
    assert!(env.dist_infos().is_empty());
}

#[test]
fn a_refused_wheel_is_named_by_its_file_name() {
    let index = Index::new()
        .artifact(hostile_wheel("climber", "../../../../escaped.txt"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_fails(&["install", "climber", "--python", env.arg()]);
    assert!(
        run.stderr.contains("climber-1.0-py3-none-any.whl"),
        "{}",
        run.stderr
    );
}

#[test]
fn requirements_files_and_constraints_drive_the_install() {
    let index = Index::new()
        .package(Package::new("a", "1.0").dep("b"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("requirements.txt", "a\n");
    world.write("constraints.txt", "b<2\n");
    world.pip_ok(&[
        "install",
        "-r",
        "requirements.txt",
        "-c",
        "constraints.txt",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);

    let run = world.pip_fails(&["install", "--python", env.arg()]);
    assert!(run.stderr.contains("nothing to install"), "{}", run.stderr);
}

#[test]
fn without_an_environment_posy_refuses_to_touch_the_system() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let run = world.pip_fails(&["install", "a"]);
    assert!(
        run.stderr.contains("no virtual environment found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("posy venv"), "{}", run.stderr);

    // The `.venv` in the working directory is found without --python.
    let env = world.venv(".venv");
    world.pip_ok(&["install", "a"]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
}

#[test]
fn wheel_data_directories_land_in_their_schemes() {
    let index = Index::new()
        .package(
            Package::new("tools", "1.0")
                .file("tools/__init__.py", "")
                .data_file(
                    "scripts",
                    "tool",
                    "#!python\nimport sys\nprint(sys.prefix)\n",
                )
                .data_file("data", "share/tools/notes.txt", "notes\n")
                .data_file("headers", "tools.h", "/* h */\n")
                .data_file("purelib", "tools_extra.py", "EXTRA = 1\n")
                .file("tools.pth", "import tools\n")
                .entry_point("gui_scripts", "tools-gui", "tools:gui"),
        )
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "tools", "--python", env.arg()]);

    // `#!python` becomes this environment's interpreter, and the script runs.
    let tool = env.bin("tool");
    let text = fs::read_to_string(&tool).unwrap();
    assert!(
        text.starts_with(&format!("#!{}\n", env.bin("python").display())),
        "{text}"
    );
    let out = std::process::Command::new(&tool).output().unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        env.path.to_str().unwrap()
    );
    assert!(env.bin("tools-gui").exists());
    assert_eq!(
        fs::read_to_string(env.path.join("share/tools/notes.txt")).unwrap(),
        "notes\n"
    );
    let headers = fs::read_dir(env.path.join("include/site"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        headers.join("tools/tools.h").exists(),
        "{}",
        headers.display()
    );
    assert_eq!(
        env.python_ok("import tools_extra; print(tools_extra.EXTRA)"),
        "1"
    );
    // The .pth file ran at startup.
    assert_eq!(
        env.python_ok("import sys; print('tools' in sys.modules)"),
        "True"
    );
    assert_record_complete(&env, "tools-1.0.dist-info");

    // Uninstalling takes all of it away again.
    world.pip_ok(&["uninstall", "tools", "--python", env.arg()]);
    assert!(!tool.exists());
    assert!(!env.bin("tools-gui").exists());
    assert!(!env.path.join("share/tools/notes.txt").exists());
    assert!(!headers.join("tools/tools.h").exists());
    assert!(!env.site_packages().join("tools.pth").exists());
    assert!(!env.site_packages().join("tools_extra.py").exists());
}

#[test]
fn asking_for_an_extra_later_installs_what_it_adds() {
    let index = Index::new()
        .package(Package::new("a", "1.0").extra("x", ["c"]))
        .package(Package::new("c", "1.0"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
    let run = world.pip_ok(&["install", "a[x]", "--python", env.arg()]);
    assert!(run.stderr.ends_with(" + c==1.0\n"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "c-1.0.dist-info"]);
    let again = world.pip_ok(&["install", "A[X]", "--python", env.arg()]);
    assert!(
        again.stderr.starts_with("Audited 1 package"),
        "{}",
        again.stderr
    );
}

#[test]
fn names_are_normalized_everywhere() {
    let index = Index::new()
        .package(Package::new("Foo.Bar_Baz", "1.0").file("foo_bar_baz.py", ""))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "FOO_bar.baz", "--python", env.arg()]);
    assert!(
        run.stderr.ends_with(" + foo-bar-baz==1.0\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.dist_infos(), ["foo_bar_baz-1.0.dist-info"]);
    let again = world.pip_ok(&["install", "foo-bar-baz", "--python", env.arg()]);
    assert!(again.stderr.starts_with("Audited"), "{}", again.stderr);
    world.pip_ok(&["uninstall", "Foo.Bar.Baz", "--python", env.arg()]);
    assert!(env.dist_infos().is_empty());
}

#[test]
fn broken_downloads_are_retried() {
    let index = app_and_library()
        .fault(Fault::Truncate.on("/files/a-1.0-py3-none-any.whl").times(1))
        .fault(Fault::Reset.on("/files/b-1.0-py3-none-any.whl").times(1))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert_eq!(env.python_ok("import a; print(a.VERSION)"), "1.0");
    let statuses = |file: &str| -> Vec<Option<u16>> {
        index
            .requests_to(&format!("/files/{file}"))
            .iter()
            .map(|r| r.status())
            .collect()
    };
    // The truncated answer said 200 before it stopped; the reset said nothing.
    assert_eq!(statuses("a-1.0-py3-none-any.whl"), [Some(200), Some(200)]);
    assert_eq!(statuses("b-1.0-py3-none-any.whl"), [None, Some(200)]);
}

#[test]
fn a_killed_upgrade_leaves_a_working_environment() {
    let index = Index::new()
        .package(Package::new("a", "1.0").file("a/__init__.py", "V = 1\n"))
        .package(Package::new("a", "2.0").file("a/__init__.py", "V = 2\n"))
        .fault(Fault::Delay(std::time::Duration::from_secs(30)).on("/files/a-2.0-py3-none-any.whl"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a==1.0", "--python", env.arg()]);
    let mut child = world
        .command(&[
            "pip",
            "install",
            "a==2.0",
            "--python",
            env.arg(),
            "--index-url",
            &index.url(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has resolved (the metadata of 2.0 was read) and is
    // waiting for the new wheel, which the index holds back.
    let started = std::time::Instant::now();
    while index
        .requests_to("/files/a-2.0-py3-none-any.whl.metadata")
        .is_empty()
    {
        assert!(started.elapsed().as_secs() < 20, "posy never resolved");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(env.python_ok("import a; print(a.V)"), "1");
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
}

#[test]
fn no_compatible_wheel_is_a_clear_error() {
    let index = Index::new()
        .package(Package::new("winonly", "1.0").tag("cp311-cp311-win_amd64"))
        .package(Package::new("source", "1.0").sdist_only())
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_fails(&["install", "winonly", "--python", env.arg()]);
    assert!(run.stderr.contains("winonly"), "{}", run.stderr);
    let run = world.pip_fails(&["install", "source", "--python", env.arg()]);
    assert!(run.stderr.contains("source"), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());
}

#[test]
fn packages_pip_installed_are_read_upgraded_and_removed() {
    let index = app_and_library()
        .package(
            Package::new("a", "2.0")
                .dep("b>=1")
                .file("a/__init__.py", "VERSION = '2.0'\n"),
        )
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let Some(pip) = real_pip(&env, &["install", "--index-url", &index.url(), "a==1.0"]) else {
        return;
    };
    assert!(
        pip.status.success(),
        "pip install: {}",
        common::stderr(&pip)
    );
    assert_eq!(
        fs::read_to_string(env.dist_info("a", "1.0").join("INSTALLER")).unwrap(),
        "pip\n"
    );
    assert_eq!(
        world.pip_ok(&["freeze", "--python", env.arg()]).stdout,
        "a==1.0\nb==1.0\n"
    );
    world.pip_ok(&["check", "--python", env.arg()]);
    let show = world.pip_ok(&["show", "b", "--python", env.arg()]);
    assert!(show.stdout.contains("Required-by: a\n"), "{}", show.stdout);

    // posy upgrades over pip's installation, removing pip's files (and the
    // bytecode pip compiled) through pip's RECORD.
    world.pip_ok(&["install", "a==2.0", "--python", env.arg()]);
    assert_eq!(env.python_ok("import a; print(a.VERSION)"), "2.0");
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info", "b-1.0.dist-info"]);
    assert!(!env.bin("a-cli").exists());

    world.pip_ok(&["uninstall", "b", "--python", env.arg()]);
    assert!(!env.site_packages().join("b.py").exists());
    let leftovers: Vec<_> = fs::read_dir(env.site_packages().join("__pycache__"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        !leftovers
            .iter()
            .any(|n: &std::ffi::OsString| n.to_string_lossy().starts_with("b.")),
        "{leftovers:?}"
    );
}

#[test]
fn hashes_in_a_requirements_file_are_checked() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let a = index.artifact("a-1.0-py3-none-any.whl").unwrap();
    let b = index.artifact("b-1.0-py3-none-any.whl").unwrap();
    let wrong = "0".repeat(64);
    world.write(
        "wrong.txt",
        &format!(
            "a==1.0 --hash=sha256:{wrong}\nb==1.0 --hash=sha256:{}\n",
            b.sha256()
        ),
    );
    let run = world.pip_fails(&["install", "-r", "wrong.txt", "--python", env.arg()]);
    assert!(
        run.stderr.contains("a-1.0-py3-none-any.whl"),
        "{}",
        run.stderr
    );
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());

    world.write(
        "right.txt",
        &format!(
            "a==1.0 --hash=sha256:{}\nb==1.0 --hash=sha256:{}\n",
            a.sha256(),
            b.sha256()
        ),
    );
    world.pip_ok(&[
        "install",
        "-r",
        "right.txt",
        "--require-hashes",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
}

#[test]
fn link_modes_and_bytecode() {
    use std::os::unix::fs::MetadataExt;
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    for mode in ["copy", "hardlink", "symlink", "clone"] {
        let env = world.venv(mode);
        world.pip_ok(&["install", "a", "--link-mode", mode, "--python", env.arg()]);
        assert_eq!(
            env.python_ok("import a, b; print(a.VERSION)"),
            "1.0",
            "{mode}"
        );
        let file = env.site_packages().join("b.py");
        let meta = fs::symlink_metadata(&file).unwrap();
        match mode {
            "copy" => assert_eq!(meta.nlink(), 1, "{mode}"),
            "hardlink" => assert!(meta.nlink() > 1, "{mode}"),
            "symlink" => assert!(meta.file_type().is_symlink(), "{mode}"),
            _ => assert!(!meta.file_type().is_symlink(), "{mode}"),
        }
        // Files that posy writes per environment are never shared with the store.
        let installer = env.dist_info("a", "1.0").join("INSTALLER");
        let meta = fs::symlink_metadata(&installer).unwrap();
        assert!(meta.file_type().is_file() && meta.nlink() == 1, "{mode}");
    }
    let bad = world.venv("bad");
    let run = world.pip_fails(&[
        "install",
        "a",
        "--link-mode",
        "teleport",
        "--python",
        bad.arg(),
    ]);
    assert!(run.stderr.contains("teleport"), "{}", run.stderr);

    let env = world.venv("compiled");
    world.pip_ok(&["install", "a", "--compile-bytecode", "--python", env.arg()]);
    let cache = env.site_packages().join("a/__pycache__");
    assert!(
        fs::read_dir(&cache).unwrap().count() >= 1,
        "no bytecode in {}",
        cache.display()
    );
    world.pip_ok(&["uninstall", "a", "b", "--python", env.arg()]);
    assert!(!env.site_packages().join("a").exists());
    assert!(env.dist_infos().is_empty());
}

#[test]
fn the_most_specific_compatible_wheel_is_chosen() {
    let probe = World::new();
    let env = probe.venv("env");
    let (python, arch) = {
        let text = env.python_ok(
            "import sys, platform; print(f'{sys.version_info[0]}{sys.version_info[1]}', platform.machine())",
        );
        let (v, a) = text.split_once(' ').unwrap();
        (v.to_string(), a.to_string())
    };
    assert!(
        cfg!(target_os = "linux") && ["x86_64", "aarch64"].contains(&arch.as_str()),
        "this test describes Linux on x86_64 or aarch64 (the machines posy is developed and tested on)"
    );
    let specific = format!("cp{python}-abi3-manylinux_2_17_{arch}");
    let index = Index::new()
        .package(
            Package::new("fast", "1.0")
                .file("fast.py", "")
                .tag("py3-none-any")
                .tag(&specific)
                .tag("cp311-cp311-win_amd64"),
        )
        .package(
            Package::new("fast", "2.0")
                .file("fast.py", "")
                .tag("cp27-cp27m-manylinux1_x86_64"),
        )
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    // 2.0 has no wheel this interpreter can use, so 1.0 is chosen, and of
    // its wheels the most specific.
    world.pip_ok(&["install", "fast", "--python", env.arg()]);
    let wheel = fs::read_to_string(env.dist_info("fast", "1.0").join("WHEEL")).unwrap();
    assert!(wheel.contains(&format!("Tag: {specific}")), "{wheel}");
}

#[test]
fn requires_python_of_the_environment_is_respected() {
    let index = Index::new()
        .package(Package::new("a", "1.0").requires_python(">=3.7"))
        .package(Package::new("a", "2.0").requires_python(">=3.99"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
    let run = world.pip_fails(&["install", "a==2.0", "--python", env.arg()]);
    assert!(run.stderr.contains("3.99"), "{}", run.stderr);

    let run = world.pip_fails(&["install", "a", "--python", "/nowhere/python3"]);
    assert!(run.stderr.contains("/nowhere/python3"), "{}", run.stderr);
}

#[test]
fn two_distributions_claiming_one_file() {
    let index = Index::new()
        .package(Package::new("first", "1.0").file("shared.py", "WHO = 'first'\n"))
        .package(Package::new("second", "1.0").file("shared.py", "WHO = 'second'\n"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "first", "--python", env.arg()]);
    let run = world.posy(&[
        "pip",
        "install",
        "second",
        "--python",
        env.arg(),
        "--index-url",
        &index.url(),
    ]);
    let text = common::stderr(&run);
    // Either refused, or installed with a warning naming the file; never silent.
    assert!(text.contains("shared"), "{text}");
    if run.status.success() {
        assert_eq!(env.python_ok("import shared; print(shared.WHO)"), "second");
    } else {
        assert_eq!(env.python_ok("import shared; print(shared.WHO)"), "first");
        assert_eq!(env.dist_infos(), ["first-1.0.dist-info"]);
    }
}

#[test]
fn installing_a_pinned_yanked_version_warns() {
    let index = Index::new()
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "2.0").yanked(""))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "a", "--python", env.arg()]);
    assert!(!run.stderr.contains("yanked"), "{}", run.stderr);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info"]);
    let run = world.pip_ok(&["install", "a==2.0", "--python", env.arg()]);
    assert!(
        run.stderr.contains("warning: a==2.0 is yanked\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.dist_infos(), ["a-2.0.dist-info"]);
}

#[test]
fn direct_url_and_path_requirements() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let url = index.file_url("b-1.0-py3-none-any.whl");
    world.pip_ok(&["install", &format!("b @ {url}"), "--python", env.arg()]);
    let direct = fs::read_to_string(env.dist_info("b", "1.0").join("direct_url.json")).unwrap();
    let direct: serde_json::Value = serde_json::from_str(&direct).unwrap();
    assert_eq!(direct["url"], url.as_str());
    assert_eq!(
        world.pip_ok(&["freeze", "--python", env.arg()]).stdout,
        format!("b @ {url}\n")
    );

    let wheel = index
        .artifact("a-1.0-py3-none-any.whl")
        .unwrap()
        .write_to(&world.root)
        .unwrap();
    world.pip_ok(&["install", wheel.to_str().unwrap(), "--python", env.arg()]);
    assert_eq!(env.python_ok("import a; print(a.VERSION)"), "1.0");
}

#[test]
fn target_and_prefix_install_outside_the_environment() {
    let index = Index::new()
        .package(
            Package::new("tool", "1.0")
                .file("tool/__init__.py", "NAME = 'tool'\n")
                .entry_point("console_scripts", "tool", "tool:main"),
        )
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "tool", "--python", env.arg(), "--target", "tgt"]);
    assert!(world.root.join("tgt/tool/__init__.py").exists());
    assert!(world.root.join("tgt/tool-1.0.dist-info/RECORD").exists());
    assert!(world.root.join("tgt/bin/tool").exists());
    assert!(
        env.dist_infos().is_empty(),
        "the environment itself is untouched"
    );

    world.pip_ok(&["install", "tool", "--python", env.arg(), "--prefix", "pfx"]);
    let site = world
        .root
        .join("pfx/lib")
        .read_dir()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("site-packages");
    assert!(site.join("tool/__init__.py").exists(), "{}", site.display());
    assert!(world.root.join("pfx/bin/tool").exists());
    assert!(env.dist_infos().is_empty());
}

#[test]
fn a_wheel_file_given_by_path_installs_with_its_direct_url() {
    let index = app_and_library().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let wheel = index
        .artifact("a-1.0-py3-none-any.whl")
        .unwrap()
        .write_to(&world.root)
        .unwrap();
    let run = world.pip_ok(&["install", wheel.to_str().unwrap(), "--python", env.arg()]);
    assert!(run.stderr.contains("+ a==1.0"), "{}", run.stderr);
    // Its dependency comes from the index.
    assert!(run.stderr.contains("+ b=="), "{}", run.stderr);
    assert_eq!(env.python_ok("import a; print(a.VERSION)"), "1.0");
    let direct = fs::read_to_string(env.dist_info("a", "1.0").join("direct_url.json")).unwrap();
    let direct: serde_json::Value = serde_json::from_str(&direct).unwrap();
    assert_eq!(
        direct["url"],
        format!("file://{}", wheel.canonicalize().unwrap().display())
    );
    assert!(direct["archive_info"].is_object());
}
