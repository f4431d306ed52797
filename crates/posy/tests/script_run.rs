//! `posy run script.py` (PEP 723): a script runs in an environment its
//! `# /// script` block describes, kept in the store and shared by every
//! script that resolves to the same pins; a second run neither resolves
//! nor asks the index; `posy lock --script` writes `pylock.<name>.toml`
//! and runs use it; `--with` adds packages for one run; bad blocks are
//! refused with their line; an environment in use survives `cache prune`.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{World, project};
use posy_testkit::{Index, IndexServer, Package};

fn index() -> IndexServer {
    Index::new()
        .package(Package::new("a", "1.0").dep("b").file("a.py", "X = 'a'\n"))
        .package(Package::new("b", "1.0").file("b.py", "X = 'b'\n"))
        .package(Package::new("c", "1.0").file("c.py", "X = 'c'\n"))
        .serve()
}

/// A script needing `deps`, printing its interpreter and what it imported.
fn script(deps: &[&str]) -> String {
    let list: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
    let imports: Vec<String> = deps
        .iter()
        .map(|d| d.split(['=', '>', '<']).next().unwrap().to_string())
        .collect();
    format!(
        "#!/usr/bin/env python3\n# /// script\n# requires-python = \">=3.8\"\n# dependencies = [{}]\n# ///\n\
         import sys\n{}\nprint(sys.executable)\nprint('args', sys.argv[1:])\n",
        list.join(", "),
        imports
            .iter()
            .map(|m| format!("import {m}\n"))
            .collect::<String>()
    )
}

/// The interpreter a run printed (its first line).
fn python_of(stdout: &str) -> PathBuf {
    PathBuf::from(stdout.lines().next().unwrap())
}

fn envs(world: &World) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(fans) = std::fs::read_dir(world.cache().join("v1/envs")) else {
        return found;
    };
    for fan in fans {
        for entry in std::fs::read_dir(fan.unwrap().path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn a_script_runs_in_its_env_and_runs_again_without_the_index() {
    let index = index();
    let world = World::new();
    world.write("s.py", &script(&["a"]));
    let url = index.url();
    let run = world.ok(&["run", "--index-url", &url, "s.py", "x", "--flag"]);
    let python = python_of(&run.stdout);
    assert!(
        python.starts_with(world.cache().join("v1/envs")),
        "{python:?}"
    );
    assert!(
        run.stdout.contains("args ['x', '--flag']"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("+ a==1.0"), "{}", run.stderr);

    // The second run asks the index nothing, installs nothing.
    index.clear_requests();
    let again = world.ok(&["run", "--index-url", &url, "s.py"]);
    assert_eq!(python_of(&again.stdout), python);
    assert!(index.requests().is_empty(), "{:?}", index.requests());
    assert_eq!(again.stderr, "");

    // No index at all, and offline.
    drop(index);
    let offline = world.ok(&["run", "--offline", "--index-url", &url, "s.py"]);
    assert_eq!(python_of(&offline.stdout), python);
}

#[test]
fn the_exit_status_and_a_changed_block_are_the_scripts() {
    let index = index();
    let world = World::new();
    let url = index.url();
    world.write(
        "exit.py",
        "# /// script\n# dependencies = [\"a\"]\n# ///\nimport a, sys\nsys.exit(7)\n",
    );
    let output = world.posy(&["run", "--index-url", &url, "exit.py"]);
    assert_eq!(output.status.code(), Some(7), "{}", common::stderr(&output));
    // A new dependency is a new resolution and a new environment.
    world.write("s.py", &script(&["a"]));
    let first = python_of(&world.ok(&["run", "--index-url", &url, "s.py"]).stdout);
    world.write("s.py", &script(&["a", "c"]));
    let second = python_of(&world.ok(&["run", "--index-url", &url, "s.py"]).stdout);
    assert_ne!(first, second);
}

#[test]
fn scripts_that_resolve_alike_share_one_environment() {
    let index = index();
    let world = World::new();
    let url = index.url();
    world.write("one.py", &script(&["a", "c"]));
    world.write("two.py", &script(&["c", "a>=1"]));
    let one = python_of(&world.ok(&["run", "--index-url", &url, "one.py"]).stdout);
    let two = world.ok(&["run", "--index-url", &url, "two.py"]);
    assert_eq!(python_of(&two.stdout), one);
    assert!(!two.stderr.contains("Installed"), "{}", two.stderr);
    assert_eq!(envs(&world).len(), 1);
}

#[test]
fn a_script_lock_is_written_used_and_renewed_when_the_block_changes() {
    let index = index();
    let world = World::new();
    let url = index.url();
    world.write("s.py", &script(&["a"]));
    let run = world.ok(&["lock", "--script", "s.py", "--index-url", &url]);
    assert!(run.stderr.contains("Wrote"), "{}", run.stderr);
    let lock = world.read("pylock.s.toml");
    assert!(
        lock.contains("name = \"a\"") && lock.contains("name = \"b\""),
        "{lock}"
    );
    assert!(
        lock.contains("[tool.posy]") && lock.contains("inputs = "),
        "{lock}"
    );
    world.ok(&["lock", "--script", "s.py", "--check"]);

    // Runs install from the lock: no resolution, no index pages.
    index.clear_requests();
    let first = world.ok(&["run", "--index-url", &url, "s.py"]);
    assert!(first.stdout.contains("args"), "{}", first.stdout);
    assert!(
        index.requests_to("/simple/").is_empty(),
        "{:?}",
        index.requests()
    );

    // A changed block makes the lock stale; the next run locks again.
    world.write("s.py", &script(&["a", "c"]));
    world.fails(&["lock", "--script", "s.py", "--check"]);
    let run = world.ok(&["run", "--index-url", &url, "s.py"]);
    assert!(run.stderr.contains("pylock.s.toml"), "{}", run.stderr);
    assert!(world.read("pylock.s.toml").contains("name = \"c\""));
    world.ok(&["lock", "--script", "s.py", "--check"]);
    // --locked refuses a stale lock rather than changing it.
    world.write("s.py", &script(&["c"]));
    let refused = world.fails(&["run", "--locked", "--index-url", &url, "s.py"]);
    assert!(refused.stderr.contains("--locked"), "{}", refused.stderr);
}

#[test]
fn with_adds_packages_for_one_run() {
    let index = index();
    let world = World::new();
    let url = index.url();
    world.write(
        "s.py",
        "# /// script\n# dependencies = [\"a\"]\n# ///\nimport a\ntry:\n    import c\n    print('with c')\nexcept ImportError:\n    print('without c')\n",
    );
    let with = world.ok(&["run", "--index-url", &url, "--with", "c", "s.py"]);
    assert_eq!(with.stdout, "with c\n");
    let without = world.ok(&["run", "--index-url", &url, "s.py"]);
    assert_eq!(without.stdout, "without c\n");
    // A command outside a project, with packages for it.
    let command = world.ok(&[
        "run",
        "--index-url",
        &url,
        "--with",
        "c",
        "python",
        "-c",
        "import c; print(c.X)",
    ]);
    assert_eq!(command.stdout, "c\n");
}

#[test]
fn with_lays_packages_over_a_projects_environment() {
    let index = index();
    let world = World::new();
    let url = index.url();
    project(&world, "", "app", "dependencies = [\"a\"]");
    let run = world.ok(&[
        "run",
        "--index-url",
        &url,
        "--with",
        "c",
        "python",
        "-c",
        "import a, app, c, sys; print(c.X, a.X, sys.prefix)",
    ]);
    assert!(run.stdout.starts_with("c a "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&world.cache().join("v1/envs").display().to_string()),
        "{}",
        run.stdout
    );
    // The project's environment itself did not get `c`.
    let plain = world.posy(&["run", "python", "-c", "import c"]);
    assert!(!plain.status.success());
}

#[test]
fn a_script_without_a_block_runs_with_the_interpreter_alone() {
    let world = World::new();
    world.write(
        "plain.py",
        "import sys\nprint(sys.prefix == sys.base_prefix)\n",
    );
    let run = world.ok(&["run", "plain.py"]);
    assert_eq!(run.stdout, "True\n");
    assert!(envs(&world).is_empty());
}

#[test]
fn a_script_on_stdin_runs() {
    let index = index();
    let world = World::new();
    let url = index.url();
    let mut child = world
        .command(&["run", "--index-url", &url, "-", "arg"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script(&["a"]).as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", common::stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("args ['arg']"), "{stdout}");
}

#[test]
fn bad_blocks_and_bad_scripts_are_refused_with_their_line() {
    let index = index();
    let world = World::new();
    let url = index.url();
    for (name, text, want) in [
        (
            "unclosed.py",
            "import os\n# /// script\n# dependencies = []\nprint(1)\n",
            "line 2: `# /// script` is never closed",
        ),
        (
            "two.py",
            "# /// script\n# dependencies = []\n# ///\n\n# /// script\n# dependencies = []\n# ///\n",
            "line 5: a second `# /// script` block (the first is on line 1)",
        ),
        (
            "toml.py",
            "# /// script\n# dependencies = [\n# requires-python = 3\n# ///\n",
            "line 3: the `# /// script` block is not valid TOML",
        ),
    ] {
        world.write(name, text);
        let run = world.fails(&["run", "--index-url", &url, name]);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(want), "{name}: {}", run.stderr);
    }
    world.write("nope.py", &script(&["a==9"]));
    let run = world.fails(&["run", "--index-url", &url, "nope.py"]);
    assert!(
        run.stderr
            .contains("cannot resolve the requirements of the script nope.py")
            && run.stderr.contains("a==9"),
        "{}",
        run.stderr
    );
    assert!(envs(&world).is_empty());
    let run = world.fails(&["run", "missing.py"]);
    assert!(
        run.stderr.contains("the script missing.py does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn prune_keeps_an_environment_a_running_script_uses() {
    let index = index();
    let world = World::new();
    let url = index.url();
    // The script says it started, then waits for the test's word.
    world.write(
        "wait.py",
        "# /// script\n# dependencies = [\"a\"]\n# ///\nimport a, pathlib, time\n\
         pathlib.Path('started').touch()\n\
         while not pathlib.Path('go').exists():\n    time.sleep(0.02)\n",
    );
    let mut child = world
        .command(&["run", "--index-url", &url, "wait.py"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !world.root.join("started").exists() {
        assert!(Instant::now() < deadline, "the script never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let [env] = &envs(&world)[..] else {
        panic!("one environment expected: {:?}", envs(&world));
    };
    let run = world.ok(&["cache", "prune", "--max-size", "0"]);
    assert!(run.stdout.contains("in use and kept"), "{}", run.stdout);
    assert!(env.join("pyvenv.cfg").is_file(), "pruned while running");
    world.write("go", "");
    assert!(child.wait().unwrap().success());
    world.ok(&["cache", "prune", "--max-size", "0"]);
    assert!(!Path::new(env).exists(), "kept after the script ended");
}
