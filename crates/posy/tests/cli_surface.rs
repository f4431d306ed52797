//! The command line as a uv or pip user meets it: every command's `--help`
//! (snapshots, so a change of wording is a reviewed diff), the global
//! options on every command, exit codes, errors said once, closed pipes,
//! the environment line, colour, and the flags of issue 18, each run
//! against the real binary and a local index.

mod common;

use std::process::Stdio;

use common::{Env, Run, World};
use posy_testkit::{Index, IndexServer, Package};

/// `a 1.0` needs `b` (`b 1.0` and `b 2.0` exist); `c 1.0` has an extra
/// `fast` that adds `b`; `s 1.0` is an sdist only.
fn world() -> (IndexServer, World) {
    let index = Index::new()
        .package(Package::new("a", "1.0").dep("b").file("a.py", ""))
        .package(Package::new("b", "1.0").file("b.py", ""))
        .package(Package::new("b", "2.0").file("b.py", ""))
        .package(
            Package::new("c", "1.0")
                .extra("fast", ["b"])
                .file("c.py", ""),
        )
        .package(Package::new("s", "1.0").sdist_only())
        .serve();
    let world = World::with_index(&index);
    (index, world)
}

fn installed() -> (IndexServer, World, Env) {
    let (index, world) = world();
    let env = world.venv("env");
    world.pip_ok(&["install", "a", "--python", env.arg()]);
    (index, world, env)
}

#[test]
fn help_of_every_command() {
    let world = World::new();
    for command in [
        "pip compile",
        "pip install",
        "pip sync",
        "pip uninstall",
        "pip list",
        "pip freeze",
        "pip show",
        "pip check",
        "pip tree",
        "pip download",
        "pip wheel",
        "index",
        "index build",
        "venv",
        "init",
        "lock",
        "sync",
        "run",
        "add",
        "remove",
        "tree",
        "export",
        "tool",
        "tool run",
        "x",
        "tool install",
        "tool list",
        "tool upgrade",
        "tool uninstall",
        "tool update-shell",
        "tool dir",
        "publish",
        "cache prune",
        "",
        "pip",
        "cache",
        "cache dir",
        "cache size",
        "cache clean",
        "python",
        "python install",
        "python list",
        "python find",
        "python uninstall",
        "python pin",
        "python upgrade",
        "python dir",
        "generate-shell-completion",
    ] {
        let mut args: Vec<&str> = command.split(' ').filter(|w| !w.is_empty()).collect();
        args.push("--help");
        // A variable's value would show in the help (`[env: NAME=value]`).
        let output = world
            .command(&args)
            .env("COLUMNS", "100")
            .env_remove("POSY_CACHE_DIR")
            .output()
            .unwrap();
        assert!(output.status.success(), "{command} --help");
        if command == "cache prune" {
            // Issue 18: the help once left the default bound unsaid.
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(
                text.contains("else 10 GiB or a quarter of the disk"),
                "{text}"
            );
        }
        let name = match command {
            "" => "posy".to_string(),
            _ => command.replace(' ', "_"),
        };
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
    }
}

#[test]
fn quiet_and_color_are_accepted_everywhere() {
    let (_index, world, env) = installed();
    for args in [
        &["-q", "pip", "list", "--python", env.arg()][..],
        &[
            "pip",
            "freeze",
            "-q",
            "--color",
            "never",
            "--python",
            env.arg(),
        ],
        &["--color", "always", "pip", "check", "--python", env.arg()],
        &[
            "pip",
            "show",
            "a",
            "-q",
            "--no-progress",
            "--python",
            env.arg(),
        ],
        &["venv", "other", "-q", "--color", "auto"],
    ] {
        world.ok(args);
    }
    let quiet = world.pip_ok(&["install", "-q", "c", "--python", env.arg()]);
    assert_eq!(quiet.stderr, "", "-q leaves stderr silent");
    assert!(quiet.env_line.is_none());
    let silent = world.ok(&["-qq", "pip", "freeze", "--python", env.arg()]);
    assert_eq!(silent.stdout, "", "-qq silences stdout too");
}

#[test]
fn the_install_diff_is_coloured_only_when_colour_is_on() {
    let (_index, world) = world();
    let env = world.venv("env");
    let plain = world.pip_ok(&[
        "install",
        "b==1.0",
        "--color",
        "never",
        "--python",
        env.arg(),
    ]);
    assert!(plain.stderr.ends_with(" + b==1.0\n"), "{}", plain.stderr);
    assert!(!plain.stderr.contains('\u{1b}'));
    let coloured = world.pip_ok(&[
        "install",
        "b==2.0",
        "--color",
        "always",
        "--python",
        env.arg(),
    ]);
    assert!(
        coloured.stderr.contains("\u{1b}[31m - b==1.0"),
        "{}",
        coloured.stderr
    );
    assert!(
        coloured.stderr.contains("\u{1b}[32m + b==2.0"),
        "{}",
        coloured.stderr
    );
    // NO_COLOR wins over a terminal; FORCE_COLOR turns colour on in a pipe.
    let forced = world
        .command(
            &world
                .pip_args(&["install", "b==1.0", "--python", env.arg()])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .env("FORCE_COLOR", "1")
        .output()
        .unwrap();
    assert!(common::stderr(&forced).contains("\u{1b}[32m + b==1.0"));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let (_index, world, env) = installed();
    for args in [
        &["pip", "freeze", "--python", env.arg()][..],
        &["pip", "list", "--python", env.arg()],
        &["pip", "show", "-f", "a", "--python", env.arg()],
        &["pip", "tree", "--python", env.arg()],
    ] {
        let mut child = world
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = common::stderr(&output);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn an_error_is_said_once_and_exits_1() {
    let (_index, world) = world();
    world.write("bad.in", "requests>=\n");
    let run = world.pip_fails(&["compile", "bad.in"]);
    assert_eq!(
        run.stderr.matches("invalid requirement").count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches('^').count(), 1, "{}", run.stderr);
    let missing = world.pip_fails(&["compile", "missing.in"]);
    assert_eq!(
        missing.stderr.matches("(os error 2)").count(),
        1,
        "{}",
        missing.stderr
    );
    insta::assert_snapshot!("error_invalid_requirement", world.redact(&run.stderr));
}

#[test]
fn a_failed_resolution_exits_1_and_usage_errors_2() {
    let (_index, world) = world();
    world.write("unsat.in", "a\nb>=3\n");
    let run = world.pip_fails(&["compile", "unsat.in"]);
    assert!(run.stderr.contains("No solution found"), "{}", run.stderr);
    let usage = world.posy(&["pip", "compile", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
    let keyring = world.posy(&["pip", "list", "--keyring-provider", "subprocess"]);
    assert_eq!(keyring.status.code(), Some(2));
    assert!(
        common::stderr(&keyring).contains("~/.netrc"),
        "{}",
        common::stderr(&keyring)
    );
    // Only managed interpreters, and none is installed in this world.
    let managed = world.fails(&["python", "find", "3.12", "--managed-python"]);
    assert!(
        managed.stderr.contains("no Python interpreter found"),
        "{}",
        managed.stderr
    );
}

#[test]
fn changing_commands_name_the_environment_first() {
    let (_index, world) = world();
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "b", "--python", env.arg()]);
    let line = run.env_line.expect("the environment line");
    assert!(line.starts_with("Using Python 3."), "{line}");
    assert!(
        line.ends_with(" environment at: [ROOT]/env") || line.contains("/env"),
        "{line}"
    );
}

#[test]
fn pip_uninstall_takes_y_and_python_takes_a_venv_directory() {
    let (_index, world, _env) = installed();
    let run = world.pip_ok(&["uninstall", "-y", "b", "-p", "env"]);
    assert!(
        run.stderr.starts_with("Uninstalled 1 package"),
        "{}",
        run.stderr
    );
    let list = world.pip_ok(&["freeze", "-p", "env"]);
    assert_eq!(list.stdout, "a==1.0\n");
}

#[test]
fn a_dry_run_sync_that_only_removes_says_so() {
    let (_index, world, env) = installed();
    world.write("pins.txt", "b==2.0\n");
    let run = world.pip_ok(&["sync", "pins.txt", "--dry-run", "--python", env.arg()]);
    assert!(
        run.stderr.contains("Would uninstall 1 package\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Would install"), "{}", run.stderr);
}

#[test]
fn pip_tree_prints_the_installed_dependencies() {
    let (_index, world, env) = installed();
    let tree = world.pip_ok(&["tree", "--python", env.arg()]);
    assert_eq!(tree.stdout, "a v1.0\n└── b v2.0\n");
    let specs = world.pip_ok(&["tree", "--show-version-specifiers", "--python", env.arg()]);
    assert_eq!(specs.stdout, "a v1.0\n└── b v2.0 [required: *]\n");
    let inverted = world.pip_ok(&["tree", "--invert", "--python", env.arg()]);
    assert_eq!(inverted.stdout, "b v2.0\n└── a v1.0\n");
    let shallow = world.pip_ok(&["tree", "--depth", "0", "--python", env.arg()]);
    assert_eq!(shallow.stdout, "a v1.0\n");
    let pruned = world.pip_ok(&["tree", "--prune", "b", "--python", env.arg()]);
    assert_eq!(pruned.stdout, "a v1.0\n");
    let one = world.pip_ok(&["tree", "--package", "b", "--python", env.arg()]);
    assert_eq!(one.stdout, "b v2.0\n");
    let json = world.pip_ok(&["tree", "--format", "json", "--python", env.arg()]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value[0]["dependencies"][0]["name"], "b");
}

#[test]
fn an_editable_install_shows_its_project_location() {
    let (_index, world, env) = installed();
    let project = world.root.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let url = url::Url::from_directory_path(&project).unwrap();
    let direct_url = serde_json::json!({"url": url.as_str(), "dir_info": {"editable": true}});
    std::fs::write(
        env.dist_info("b", "2.0").join("direct_url.json"),
        direct_url.to_string(),
    )
    .unwrap();
    let show = world.pip_ok(&["show", "b", "--python", env.arg()]);
    assert!(
        show.stdout.contains("Editable project location: "),
        "{}",
        show.stdout
    );
    let json = world.pip_ok(&["list", "--format", "json", "--python", env.arg()]);
    assert!(
        json.stdout.contains("editable_project_location"),
        "{}",
        json.stdout
    );
    let editable = world.pip_ok(&["list", "--editable", "--python", env.arg()]);
    assert!(
        editable.stdout.contains("Editable project location"),
        "{}",
        editable.stdout
    );
    let frozen = world.pip_ok(&["freeze", "--exclude-editable", "--python", env.arg()]);
    assert_eq!(frozen.stdout, "a==1.0\n");
}

#[test]
fn reinstall_package_check_and_strict() {
    let (_index, world, env) = installed();
    let again = world.pip_ok(&[
        "install",
        "a",
        "--reinstall-package",
        "b",
        "--python",
        env.arg(),
    ]);
    assert!(
        again.stderr.contains(" - b==2.0\n + b==2.0\n"),
        "{}",
        again.stderr
    );
    world.pip_ok(&["install", "a", "--check", "--python", env.arg()]);
    let check = world.pip_fails(&[
        "install",
        "c[fast]",
        "b==1.0",
        "--check",
        "--python",
        env.arg(),
    ]);
    assert!(check.stderr.contains("does not match"), "{}", check.stderr);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-2.0.dist-info"]);
    world.pip_ok(&["uninstall", "b", "--python", env.arg()]);
    let strict = world.pip(&["install", "c", "--strict", "--python", env.arg()]);
    assert_eq!(strict.status.code(), Some(1));
    let text = common::stderr(&strict);
    assert!(
        text.contains("warning: The package `a` requires `b`"),
        "{text}"
    );
}

#[test]
fn compile_output_flags() {
    let (_index, world) = world();
    world.write("in.txt", "a\nc[fast]\n");
    let base = ["compile", "in.txt", "--no-header"];
    let with = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        world.pip_ok(&args).stdout
    };
    assert_eq!(with(&["--no-deps", "--no-annotate"]), "a==1.0\nc==1.0\n");
    assert_eq!(
        with(&["--no-emit-package", "b", "--no-annotate"]),
        "a==1.0\nc==1.0\n"
    );
    assert_eq!(
        with(&["--no-strip-extras", "--no-annotate"]),
        "a==1.0\nb==2.0\nc[fast]==1.0\n"
    );
    assert_eq!(
        with(&["--annotation-style", "line"]),
        "a==1.0  # via -r in.txt\nb==2.0  # via a, c\nc==1.0  # via -r in.txt\n"
    );
    world.write("excludes.txt", "b\n");
    assert_eq!(
        with(&["--excludes", "excludes.txt", "--no-annotate"]),
        "a==1.0\nc==1.0\n"
    );
    let custom = world.pip_ok(&["compile", "in.txt", "--custom-compile-command", "make reqs"]);
    assert!(
        custom.stdout.starts_with(
            "# This file was autogenerated by posy via the following command:\n#    make reqs\n"
        ),
        "{}",
        custom.stdout
    );
}

#[test]
fn global_directory_no_cache_and_config_flags() {
    let (_index, world) = world();
    std::fs::create_dir_all(world.root.join("sub")).unwrap();
    world.write("sub/in.txt", "b<2\n");
    let out = world.pip_ok(&[
        "compile",
        "in.txt",
        "--no-header",
        "--no-annotate",
        "--directory",
        "sub",
        "--no-cache",
    ]);
    assert_eq!(out.stdout, "b==1.0\n");
    assert!(
        !world.cache().exists(),
        "--no-cache leaves the cache directory alone"
    );
    world.write("bad.toml", "cache-max-size = \"lots\"\n");
    let bad = world.fails(&["cache", "prune", "--config-file", "bad.toml"]);
    assert!(bad.stderr.contains("bad.toml"), "{}", bad.stderr);
    world.write("posy.toml", "cache-max-size = \"lots\"\n");
    world.ok(&["cache", "prune", "--no-config"]);
    world.fails(&["cache", "prune"]);
}

#[test]
fn sync_takes_uv_build_flags() {
    let (_index, world) = world();
    let env = world.venv("env");
    world.write("pins.txt", "s==1.0\n");
    let run = world.pip_fails(&["sync", "pins.txt", "--no-build", "--python", env.arg()]);
    assert!(
        run.stderr.contains("s==1.0") || run.stderr.contains("s 1.0"),
        "{}",
        run.stderr
    );
}

#[test]
fn shell_completions_are_generated() {
    let world = World::new();
    let bash = world.ok(&["generate-shell-completion", "bash"]);
    assert!(bash.stdout.contains("posy"), "{}", bash.stdout);
}

/// One instance of each class of error, word for word, so that a change of
/// wording is a reviewed diff. Each names the input, the cause and the
/// fix. (The resolver's own reports have theirs in `pip_compile.rs`:
/// `conflict`, `requires_python`, `python_version_too_old`, `sdist_only`,
/// `no_wheel_for_the_platform`, `prerelease_hint`.)
#[test]
fn each_class_of_error_reads_as_reviewed() {
    let (index, world) = world();
    let env = world.venv("env");
    let snapshot = |name: &str, run: Run| {
        insta::assert_snapshot!(format!("error_{name}"), world.redact(&run.stderr));
    };

    world.write("unsat.in", "a\nb>=3\n");
    snapshot("resolution", world.pip_fails(&["compile", "unsat.in"]));

    world.write("unknown.in", "no-such-package\n");
    snapshot(
        "package_not_found",
        world.pip_fails(&["compile", "unknown.in"]),
    );

    snapshot("missing_file", world.pip_fails(&["compile", "missing.in"]));

    std::fs::create_dir(world.root.join("out")).unwrap();
    world.write("ok.in", "b\n");
    snapshot(
        "output_is_a_directory",
        world.pip_fails(&["compile", "ok.in", "-o", "out"]),
    );

    world.write("short-hash.txt", "b==2.0 --hash=sha256:abc\n");
    snapshot(
        "malformed_hash",
        world.pip_fails(&["install", "-r", "short-hash.txt", "--python", env.arg()]),
    );

    world.write(
        "wrong-hash.txt",
        &format!("b==2.0 --hash=sha256:{}\n", "0".repeat(64)),
    );
    snapshot(
        "hash_mismatch",
        world.pip_fails(&["install", "-r", "wrong-hash.txt", "--python", env.arg()]),
    );
    assert!(env.dist_infos().is_empty());

    // Nothing listens on port 1; `--offline` is not the point, so no cache.
    snapshot(
        "unreachable_index",
        world.fails(&[
            "pip",
            "compile",
            "ok.in",
            "--no-cache",
            "--index-url",
            "http://127.0.0.1:1/simple/",
        ]),
    );

    snapshot(
        "invalid_python_version",
        world.pip_fails(&["compile", "ok.in", "--python-version", "three"]),
    );

    let usage = world.posy(&["pip", "compile", "ok.in", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
    snapshot("usage", Run::from(usage));
    drop(index);
}

#[test]
fn pip_show_speaks_json() {
    let (_index, world, env) = installed();
    let run = world.pip_ok(&[
        "show",
        "a",
        "b",
        "-f",
        "--format",
        "json",
        "--python",
        env.arg(),
    ]);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown[0]["name"], "a");
    assert_eq!(shown[0]["version"], "1.0");
    assert_eq!(shown[0]["requires"], serde_json::json!(["b"]));
    assert_eq!(shown[1]["required_by"], serde_json::json!(["a"]));
    assert!(
        shown[1]["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "b.py"),
        "{}",
        run.stdout
    );
    let text = world.pip_ok(&["show", "a", "--python", env.arg()]);
    assert!(
        text.stdout.starts_with("Name: a\nVersion: 1.0\n"),
        "{}",
        text.stdout
    );
}
