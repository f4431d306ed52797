//! `posy tool install / list / upgrade / uninstall / update-shell` and
//! `posy tool run` (`posy x`, `posyx`) end to end, against posy-testkit's
//! local index: tools with console scripts are installed into their own
//! environments, their executables linked into a bin directory the test
//! owns, and run as a person would run them.

mod common;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{World, stderr};
use posy_testkit::{Index, IndexServer, Package};

/// `app` (executable `app-cli`) at `version`, printing its version and lib's.
fn app(version: &str) -> Package {
    Package::new("app", version)
        .dep("lib>=1")
        .file(
            "app/__init__.py",
            format!(
                "import sys, lib\ndef main():\n    print('app {version}, lib', lib.VERSION, *sys.argv[1:])\n"
            ),
        )
        .entry_point("console_scripts", "app-cli", "app:main")
}

/// `lib` at `version`, with an executable of its own that tools must not link.
fn lib(version: &str) -> Package {
    Package::new("lib", version)
        .file(
            "lib/__init__.py",
            format!("VERSION = '{version}'\ndef main():\n    print('lib-cli')\n"),
        )
        .entry_point("console_scripts", "lib-cli", "lib:main")
}

/// app 1.0 and lib 1.0, `plugin` (a library for `--with`), `quiet` (no executables).
fn first_index() -> Index {
    Index::new()
        .package(app("1.0"))
        .package(lib("1.0"))
        .package(Package::new("plugin", "1.0").file("plugin.py", "NAME = 'plugin'\n"))
        .package(Package::new("quiet", "1.0").file("quiet.py", ""))
        .package(
            Package::new("httpie", "3.0")
                .file("httpie.py", "def main():\n    print('http says hi')\n")
                .entry_point("console_scripts", "http", "httpie:main"),
        )
}

/// Later releases: app 2.0 and 3.0, lib 2.0.
fn later_index() -> Index {
    Index::new().packages([app("1.0"), app("2.0"), app("3.0"), lib("1.0"), lib("2.0")])
}

/// A world with its own tools directory, bin directory and home, whose
/// `PATH` does not hold the bin directory.
struct Tools {
    world: World,
    url: String,
}

impl Tools {
    fn new(index: &IndexServer) -> Tools {
        let world = World::with_index(index);
        fs::create_dir_all(world.root.join("home")).unwrap();
        Tools {
            world,
            url: index.url(),
        }
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.world.root.join("bin").join(name)
    }

    fn env_dir(&self, name: &str) -> PathBuf {
        self.world.root.join("tools").join(name)
    }

    fn home(&self) -> PathBuf {
        self.world.root.join("home")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.world.command(args);
        cmd.env("POSY_TOOL_DIR", self.world.root.join("tools"))
            .env("POSY_TOOL_BIN_DIR", self.world.root.join("bin"))
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_BIN_HOME")
            .env_remove("POSY_TOOL_DIR_OVERRIDE");
        cmd
    }

    /// `posy tool ARGS…`, with `--index-url` right after the subcommand
    /// for those that read an index.
    fn tool(&self, args: &[&str]) -> Output {
        let mut all = vec!["tool", args[0]];
        if matches!(args[0], "install" | "run") {
            all.extend(["--index-url", &self.url]);
        }
        all.extend(&args[1..]);
        self.command(&all).output().unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> (String, String) {
        let output = self.tool(args);
        assert!(
            output.status.success(),
            "posy tool {args:?} failed:\n{}",
            stderr(&output)
        );
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr(&output),
        )
    }

    #[track_caller]
    fn fails(&self, args: &[&str]) -> String {
        let output = self.tool(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "posy tool {args:?} should fail:\n{}",
            stderr(&output)
        );
        stderr(&output)
    }
}

/// Runs an installed executable; returns its stdout.
#[track_caller]
fn run_exe(path: &Path, args: &[&str]) -> String {
    let output = Command::new(path).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        path.display(),
        stderr(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn install_links_the_tools_own_executables_lists_and_uninstalls_them() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    let (_, err) = tools.ok(&["install", "app"]);
    assert!(err.contains("Installed 1 executable: app-cli"), "{err}");
    assert!(
        err.contains(&format!(
            "warning: `{}` is not on your PATH",
            tools.world.root.join("bin").display()
        )),
        "{err}"
    );
    assert!(err.contains("posy tool update-shell"), "{err}");
    assert_eq!(
        run_exe(&tools.bin("app-cli"), &["x"]),
        "app 1.0, lib 1.0 x\n"
    );
    // Only the tool's own package's executables, as uv does.
    assert!(!tools.bin("lib-cli").exists());
    assert!(tools.env_dir("app").join("bin").join("lib-cli").exists());

    let receipt = fs::read_to_string(tools.env_dir("app").join("posy-receipt.toml")).unwrap();
    assert!(receipt.contains("requirements = [\"app\"]"), "{receipt}");
    assert!(receipt.contains("name = \"app-cli\""), "{receipt}");
    assert!(
        receipt.contains(&format!("index-url = \"{}\"", tools.url)),
        "{receipt}"
    );

    let (out, _) = tools.ok(&["list"]);
    assert_eq!(out, "app v1.0\n- app-cli\n");
    let (out, _) = tools.ok(&["list", "--show-paths"]);
    assert_eq!(
        out,
        format!(
            "app v1.0 ({})\n- app-cli ({})\n",
            tools.env_dir("app").display(),
            tools.bin("app-cli").display()
        )
    );

    // Installed as asked: nothing to do.
    let (_, err) = tools.ok(&["install", "app"]);
    assert_eq!(err, "`app` is already installed\n");

    // With the bin directory on PATH there is no warning.
    let path = std::env::join_paths(
        std::iter::once(tools.world.root.join("bin"))
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let output = tools
        .command(&[
            "tool",
            "install",
            "--force",
            "--index-url",
            &tools.url,
            "app",
        ])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("not on your PATH"),
        "{}",
        stderr(&output)
    );

    let (_, err) = tools.ok(&["uninstall", "app"]);
    assert_eq!(err, "Uninstalled 1 executable: app-cli\n");
    assert!(!tools.bin("app-cli").exists());
    assert!(!tools.env_dir("app").exists());
    let (out, err) = tools.ok(&["list"]);
    assert_eq!((out.as_str(), err.as_str()), ("", "No tools installed\n"));
    let err = tools.fails(&["uninstall", "app"]);
    assert!(err.contains("`app` is not installed as a tool"), "{err}");
}

#[test]
fn from_and_with_shape_the_tools_environment() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    tools.ok(&["install", "--from", "app==1.0", "--with", "plugin", "app"]);
    let python = tools.env_dir("app").join("bin").join("python");
    let output = Command::new(python)
        .args(["-c", "import plugin; print(plugin.NAME)"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "plugin\n");
    let (out, _) = tools.ok(&["list", "--show-version-specifiers"]);
    assert_eq!(out, "app v1.0 [required: ==1.0]\n- app-cli\n");
    let err = tools.fails(&["install", "--from", "httpie", "app"]);
    assert!(
        err.contains("`--from httpie` installs the package `httpie`, so the tool's name must be `httpie`, not `app`"),
        "{err}"
    );
    tools.ok(&["install", "--with", "lib", "httpie"]);
    assert_eq!(run_exe(&tools.bin("http"), &[]), "http says hi\n");
    // `--with` packages' executables are not linked either.
    assert!(!tools.bin("lib-cli").exists());
    let (_, err) = tools.ok(&["uninstall", "--all"]);
    assert_eq!(err, "Uninstalled 2 executables: app-cli, http\n");
}

#[test]
fn upgrade_keeps_the_receipts_requirements_and_constraints() {
    let first = first_index().serve();
    let later = later_index().serve();
    let tools = Tools::new(&first);
    tools.world.write("c.txt", "lib<2\n");
    tools.ok(&["install", "app<3", "-c", "c.txt"]);
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
    fs::remove_file(tools.world.root.join("c.txt")).unwrap();

    // A newer index: app may move to 2.0 (not 3.0), lib stays below 2.
    let output = tools
        .command(&["tool", "upgrade", "app", "--index-url", &later.url()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Updated app v1.0 -> v2.0"),
        "{}",
        stderr(&output)
    );
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 2.0, lib 1.0\n");
    let receipt = fs::read_to_string(tools.env_dir("app").join("posy-receipt.toml")).unwrap();
    assert!(receipt.contains("constraints = [\"lib<2\"]"), "{receipt}");

    // The index given to the upgrade is recorded, and has nothing newer.
    assert!(
        receipt.contains(&format!("index-url = \"{}\"", later.url())),
        "{receipt}"
    );
    let (_, err) = tools.ok(&["upgrade", "--all"]);
    assert!(err.ends_with("Nothing to upgrade\n"), "{err}");
    let err = tools.fails(&["upgrade", "nothing"]);
    assert!(
        err.contains("`nothing` is not installed as a tool"),
        "{err}"
    );
}

#[test]
fn an_executable_that_is_not_the_tools_is_kept_unless_forced() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    fs::create_dir_all(tools.world.root.join("bin")).unwrap();
    fs::write(tools.bin("app-cli"), "#!/bin/sh\necho mine\n").unwrap();
    let err = tools.fails(&["install", "app"]);
    assert!(err.contains("already in"), "{err}");
    assert!(
        err.contains("app-cli (not this tool's; pass `--force` to replace it)"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(tools.bin("app-cli")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    assert!(
        !tools.env_dir("app").exists(),
        "a failed first install leaves nothing"
    );
    tools.ok(&["install", "--force", "app"]);
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
}

#[test]
fn bad_tools_are_refused_with_what_to_do() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    let err = tools.fails(&["install", "quiet"]);
    assert!(
        err.contains(
            "`quiet` 1.0 provides no executables (no console_scripts or gui_scripts entry points)"
        ),
        "{err}"
    );
    assert!(!tools.env_dir("quiet").exists());
    let err = tools.fails(&["install", "nonexistent"]);
    assert!(err.contains("nonexistent"), "{err}");
    assert!(!tools.env_dir("nonexistent").exists());
    let err = tools.fails(&["install", "app>>1"]);
    assert!(
        err.contains("`app>>1` is not a package requirement"),
        "{err}"
    );
    let err = tools.fails(&["install", "app", "--python", "/nowhere/python3"]);
    assert!(err.contains("/nowhere/python3"), "{err}");
    assert!(!tools.env_dir("app").exists());
}

#[test]
fn a_missing_interpreter_is_named_and_reinstall_repairs_it() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    // An interpreter that can disappear: a link to the real one.
    let real = Command::new("python3")
        .args([
            "-c",
            "import os, sys; print(os.path.realpath(sys.executable))",
        ])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap();
    let gone = tools.world.root.join("gone");
    fs::create_dir_all(&gone).unwrap();
    let python = gone.join("python3");
    std::os::unix::fs::symlink(real.trim(), &python).unwrap();
    tools.ok(&["install", "app", "--python", python.to_str().unwrap()]);
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
    fs::remove_dir_all(&gone).unwrap();

    let message = format!(
        "the interpreter the tool `app` was installed with, {}, no longer exists; run `posy tool upgrade --reinstall app`",
        python.display()
    );
    let (out, err) = tools.ok(&["list"]);
    assert_eq!(out, "app v1.0\n- app-cli\n");
    assert!(err.contains(&message), "{err}");
    let err = tools.fails(&["upgrade", "app"]);
    assert!(err.contains(&message), "{err}");
    let err = tools.fails(&["run", "--from", "app", "app-cli"]);
    assert!(err.contains(&message), "{err}");

    let (_, err) = tools.ok(&["upgrade", "--reinstall", "app"]);
    assert!(err.contains("nothing answers `--python"), "{err}");
    assert!(err.contains("Reinstalled app v1.0"), "{err}");
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
    let (_, err) = tools.ok(&["list"]);
    assert_eq!(err, "");
}

#[test]
fn update_shell_writes_the_start_up_files_once() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    let line = format!(
        "export PATH=\"{}:$PATH\"",
        tools.world.root.join("bin").display()
    );
    fs::write(tools.home().join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    let output = tools
        .command(&["tool", "update-shell"])
        .env("SHELL", "/bin/bash")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let bashrc = fs::read_to_string(tools.home().join(".bashrc")).unwrap();
    assert_eq!(bashrc, format!("alias ll='ls -l'\n\n# posy\n{line}\n"));
    let profile = fs::read_to_string(tools.home().join(".bash_profile")).unwrap();
    assert_eq!(profile, format!("\n# posy\n{line}\n"));
    let output = tools
        .command(&["tool", "update-shell"])
        .env("SHELL", "/bin/bash")
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("already put"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(tools.home().join(".bashrc")).unwrap(),
        bashrc
    );

    let output = tools
        .command(&["tool", "update-shell"])
        .env("SHELL", "/usr/bin/nu")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("SHELL=`/usr/bin/nu`"),
        "{}",
        stderr(&output)
    );
}

/// The wheels the index has served so far.
fn wheel_downloads(index: &IndexServer) -> usize {
    index
        .requests()
        .iter()
        .filter(|r| r.path().ends_with(".whl"))
        .count()
}

/// The environments in the store.
fn cached_envs(tools: &Tools) -> usize {
    fs::read_dir(tools.world.cache().join("v1").join("envs"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn run_makes_an_environment_once_and_a_second_run_asks_no_index() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    let (out, _) = tools.ok(&["run", "--from", "app", "app-cli", "hello", "--flag"]);
    assert_eq!(out, "app 1.0, lib 1.0 hello --flag\n");
    assert_eq!(cached_envs(&tools), 1);
    // Nothing is installed: the environment lives in the cache.
    assert!(!tools.env_dir("app").exists());
    assert!(!tools.bin("app-cli").exists());

    let asked = index.requests().len();
    let (out, err) = tools.ok(&["run", "--from", "app", "app-cli", "again"]);
    assert_eq!(out, "app 1.0, lib 1.0 again\n");
    assert_eq!(err, "", "a remembered run says nothing");
    // `posy x` is the same command, and `--offline` changes nothing.
    let output = tools
        .command(&[
            "x",
            "--offline",
            "--index-url",
            &tools.url,
            "--from",
            "app",
            "app-cli",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "app 1.0, lib 1.0\n"
    );
    assert_eq!(
        index.requests().len(),
        asked,
        "a second run asks the index nothing"
    );

    // Invoked as `posyx`, the binary is `posy tool run`.
    let posyx = tools.world.root.join("posyx");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_posy"), &posyx).unwrap();
    let mut cmd = tools.command(&["--index-url", &tools.url, "--from", "app", "app-cli", "x"]);
    let output = cmd.arg0(&posyx).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "app 1.0, lib 1.0 x\n"
    );
    assert_eq!(index.requests().len(), asked);

    // A package of its own name: `posy tool run http`-style, `--with` adds to it.
    let (out, _) = tools.ok(&["run", "--from", "httpie", "http"]);
    assert_eq!(out, "http says hi\n");
    let (out, _) = tools.ok(&[
        "run",
        "--with",
        "plugin",
        "--from",
        "app",
        "python",
        "-c",
        "import plugin, app; print(plugin.NAME)",
    ]);
    assert_eq!(out, "plugin\n");
    assert_eq!(cached_envs(&tools), 3);
}

#[test]
fn run_at_latest_asks_the_index_again_and_reuses_an_environment_with_those_pins() {
    let index = later_index().serve();
    let tools = Tools::new(&index);
    let (out, _) = tools.ok(&["run", "--from", "app==1.0", "app-cli"]);
    assert_eq!(out, "app 1.0, lib 2.0\n");
    let (out, _) = tools.ok(&["run", "--from", "app@latest", "app-cli"]);
    assert_eq!(out, "app 3.0, lib 2.0\n");
    assert_eq!(cached_envs(&tools), 2);
    let (pages, wheels) = (index.requests().len(), wheel_downloads(&index));
    let (out, _) = tools.ok(&["run", "--from", "app@latest", "app-cli"]);
    assert_eq!(out, "app 3.0, lib 2.0\n");
    assert!(
        index.requests().len() > pages,
        "@latest asks the index again"
    );
    assert_eq!(
        wheel_downloads(&index),
        wheels,
        "and reuses the environment"
    );
    assert_eq!(cached_envs(&tools), 2);
    // A version asked by `NAME@VERSION` on the command itself.
    let (out, _) = tools.ok(&["run", "--from", "app@2.0", "app-cli"]);
    assert_eq!(out, "app 2.0, lib 2.0\n");
}

#[test]
fn run_uses_an_installed_tool_unless_a_version_is_asked() {
    let index = later_index().serve();
    let tools = Tools::new(&index);
    tools.ok(&["install", "app<3", "--with", "lib<2"]);
    let asked = index.requests().len();
    // Installed with `--with`: a bare `run` is not what was installed.
    let (out, _) = tools.ok(&["run", "--from", "app", "app-cli"]);
    assert_eq!(out, "app 3.0, lib 2.0\n");
    assert!(index.requests().len() > asked);

    // Installed again without `--with`, in place: lib keeps its version.
    tools.ok(&["install", "--force", "app<3"]);
    let asked = index.requests().len();
    let (out, err) = tools.ok(&["run", "--from", "app", "app-cli"]);
    assert_eq!(out, "app 2.0, lib 1.0\n", "the installed tool runs");
    assert_eq!(err, "");
    assert_eq!(index.requests().len(), asked);
    let (out, _) = tools.ok(&["run", "--from", "app==1.0", "app-cli"]);
    assert_eq!(out, "app 1.0, lib 2.0\n");
}

#[test]
fn run_refuses_what_it_cannot_run_with_what_to_do() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    let err = tools.fails(&["run", "app"]);
    assert!(
        err.contains("the package `app` provides no executable `app`; it provides: app-cli; if `app` comes from another package, name it with `--from PACKAGE app`"),
        "{err}"
    );
    let err = tools.fails(&["run", "quiet"]);
    assert!(
        err.contains("the package `quiet` provides no executables"),
        "{err}"
    );
    let err = tools.fails(&["run", "nonexistent"]);
    assert!(err.contains("nonexistent"), "{err}");
    let err = tools.fails(&["run", "app>>1"]);
    assert!(
        err.contains("`app>>1` is not a package requirement"),
        "{err}"
    );
}

#[test]
fn a_failed_reinstall_leaves_the_installed_tool_working() {
    let index = first_index().serve();
    let tools = Tools::new(&index);
    tools.ok(&["install", "app"]);
    let err = tools.fails(&["install", "--force", "--with", "nonexistent", "app"]);
    assert!(err.contains("nonexistent"), "{err}");
    let err = tools.fails(&["install", "--force", "--python", "/nowhere/python3", "app"]);
    assert!(err.contains("/nowhere/python3"), "{err}");
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
    let (out, _) = tools.ok(&["list"]);
    assert_eq!(out, "app v1.0\n- app-cli\n");
    // `--force` on a working tool reinstalls it in place.
    let (_, err) = tools.ok(&["install", "--force", "app"]);
    assert!(err.contains(" - app==1.0\n + app==1.0\n"), "{err}");
    assert_eq!(run_exe(&tools.bin("app-cli"), &[]), "app 1.0, lib 1.0\n");
}
