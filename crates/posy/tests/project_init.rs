//! `posy init`: the skeleton of a new project, as `uv init` lays it out,
//! made by the real binary in a scratch world.

mod common;

use std::path::Path;
use std::process::Command;

use common::World;
use posy_testkit::{Index, Package};

/// `X.Y` of the `python3` on PATH, which `posy init` starts a project with.
fn python_minor() -> String {
    let output = Command::new("python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn exists(dir: &Path, names: &[&str]) -> Vec<bool> {
    names.iter().map(|name| dir.join(name).exists()).collect()
}

#[test]
fn init_in_the_working_directory_makes_an_app() {
    let world = World::new();
    let dir = world.root.join("hello_world");
    std::fs::create_dir(&dir).unwrap();
    let output = world.command(&["init"]).current_dir(&dir).output().unwrap();
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert_eq!(
        common::stderr(&output),
        format!("Initialized project `hello-world` at `{}`\n", dir.display())
    );
    let minor = python_minor();
    assert_eq!(
        world.read("hello_world/pyproject.toml"),
        format!(
            "[project]\nname = \"hello-world\"\nversion = \"0.1.0\"\ndescription = \"Add your description here\"\nreadme = \"README.md\"\nrequires-python = \">={minor}\"\ndependencies = []\n"
        )
    );
    assert_eq!(
        world.read("hello_world/.python-version"),
        format!("{minor}\n")
    );
    assert_eq!(
        exists(&dir, &["README.md", "main.py", "src"]),
        [true, true, false]
    );
    let hello = Command::new("python3")
        .arg("main.py")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&hello.stdout),
        "Hello from hello-world!\n"
    );
}

#[test]
fn init_path_creates_the_directory_and_a_git_repository() {
    let world = World::new();
    let run = world.ok(&["init", "app", "--python", "3.12"]);
    let dir = world.root.join("app");
    assert_eq!(
        run.stderr,
        format!("Initialized project `app` at `{}`\n", dir.display())
    );
    assert!(
        world
            .read("app/pyproject.toml")
            .contains("requires-python = \">=3.12\"\n")
    );
    assert_eq!(world.read("app/.python-version"), "3.12\n");
    if Command::new("git").arg("--version").output().is_ok() {
        assert!(dir.join(".git").is_dir());
        assert!(world.read("app/.gitignore").contains("\n.venv\n"));
    }

    // Inside that repository a second project gets no repository of its own.
    world.ok(&["init", "app/tools/sub", "--no-readme", "--no-pin-python"]);
    let sub = dir.join("tools/sub");
    assert_eq!(
        exists(
            &sub,
            &[
                "pyproject.toml",
                "main.py",
                ".git",
                ".gitignore",
                "README.md",
                ".python-version"
            ]
        ),
        [true, true, false, false, false, false]
    );
    world.ok(&["init", "plain", "--vcs", "none"]);
    assert!(!world.root.join("plain/.git").exists());
}

#[test]
fn lib_and_package_layouts() {
    let world = World::new();
    world.ok(&["init", "My.Lib", "--lib"]);
    let lib = world.root.join("My.Lib");
    assert_eq!(
        exists(
            &lib,
            &["src/my_lib/__init__.py", "src/my_lib/py.typed", "main.py"]
        ),
        [true, true, false]
    );
    let text = world.read("My.Lib/pyproject.toml");
    assert!(text.contains("name = \"my-lib\"\n"), "{text}");
    assert!(
        text.ends_with(
            "\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
        ),
        "{text}"
    );

    world.ok(&["init", "tool", "--package", "--name", "cli-tool"]);
    let text = world.read("tool/pyproject.toml");
    assert!(
        text.contains("\n[project.scripts]\ncli-tool = \"cli_tool:main\"\n"),
        "{text}"
    );
    assert!(world.root.join("tool/src/cli_tool/__init__.py").is_file());

    world.ok(&["init", "bare", "--bare"]);
    assert_eq!(
        std::fs::read_dir(world.root.join("bare")).unwrap().count(),
        1,
        "only pyproject.toml"
    );
    let usage = world.posy(&["init", "x", "--app", "--lib"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn an_initialized_directory_is_refused_and_left_alone() {
    let world = World::new();
    world.write("done/pyproject.toml", "[project]\nname = \"done\"\n");
    let run = world.fails(&["init", "done"]);
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "error: Project is already initialized in `{}` (`pyproject.toml` file exists)",
            world.root.join("done").display()
        )
    );
    assert_eq!(
        std::fs::read_dir(world.root.join("done")).unwrap().count(),
        1
    );
    assert_eq!(
        world.read("done/pyproject.toml"),
        "[project]\nname = \"done\"\n"
    );

    let run = world.fails(&["init", "fresh", "--name", "no good"]);
    assert!(
        run.stderr.contains("`no good` is not a valid project name"),
        "{}",
        run.stderr
    );
    assert!(!world.root.join("fresh").exists());
}

#[test]
fn the_new_pyproject_is_a_project_pip_compile_reads() {
    let index = Index::new()
        .package(Package::new("a", "1.0").dep("b>=1"))
        .package(Package::new("b", "1.0"))
        .serve();
    let world = World::with_index(&index);
    world.ok(&["init", "--name", "demo", "demo"]);
    let text = world.read("demo/pyproject.toml");
    world.write(
        "demo/pyproject.toml",
        &text.replace("dependencies = []", "dependencies = [\"a\"]"),
    );
    let run = world.pip_ok(&["compile", "demo/pyproject.toml", "--no-header"]);
    assert_eq!(
        common::pins(&run.stdout),
        ["a==1.0", "b==1.0"],
        "{}",
        run.stdout
    );
}
