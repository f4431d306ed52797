//! A project's resolution settings: `[tool.posy]`'s constraint and
//! override dependencies, `required-environments` and the persistent
//! resolver options, the same options as flags of `lock`, `add`, `sync`
//! and `run`, and `run --no-sync`. Against real local indexes.

mod common;

use common::{World, project};
use posy_testkit::{Index, IndexServer, Package};

/// The version `name` is pinned at in the world's pylock.toml.
fn pinned(world: &World, name: &str) -> Option<String> {
    let lock: toml::Table = world.read("pylock.toml").parse().unwrap();
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn index() -> IndexServer {
    Index::new()
        .package(
            Package::new("a", "1.0")
                .dep("b>=2")
                .file("a.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("b", "1.0")
                .file("b.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("b", "2.0")
                .file("b.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("b", "3.0")
                .file("b.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("c", "1.0")
                .file("c.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("c", "2.0")
                .file("c.py", "")
                .upload_time("2025-01-01T00:00:00Z"),
        )
        .package(
            Package::new("d", "1.0")
                .file("d.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .package(
            Package::new("d", "2.0b1")
                .file("d.py", "")
                .upload_time("2024-01-01T00:00:00Z"),
        )
        .serve()
}

#[test]
fn constraint_and_override_dependencies_shape_the_lock() {
    let index = index();
    let world = World::new();
    project(&world, "", "app", "dependencies = [\"a\", \"c\"]\n");
    world.ok(&["lock", "--index-url", &index.url()]);
    assert_eq!(pinned(&world, "b").as_deref(), Some("3.0"));
    assert_eq!(pinned(&world, "c").as_deref(), Some("2.0"));

    let text = world.read("pyproject.toml");
    world.write(
        "pyproject.toml",
        &format!(
            "{text}\n[tool.posy]\nconstraint-dependencies = [\"c<2\"]\noverride-dependencies = [\"b==1.0\"]\n"
        ),
    );
    // The settings are inputs of the lock: it is stale now.
    let run = world.fails(&["lock", "--check"]);
    assert!(
        run.stderr.contains("does not match pyproject.toml"),
        "{}",
        run.stderr
    );
    world.ok(&["lock", "--index-url", &index.url()]);
    assert_eq!(pinned(&world, "c").as_deref(), Some("1.0"));
    // The override replaces a's own `b>=2`.
    assert_eq!(pinned(&world, "b").as_deref(), Some("1.0"));
    world.ok(&["sync"]);
    let out = world.ok(&[
        "run",
        "python",
        "-c",
        "import importlib.metadata as m; print(m.version('b'), m.version('c'))",
    ]);
    assert_eq!(out.stdout.trim(), "1.0 1.0");
}

/// The resolver options of `lock`, `add` and `sync`: recorded in the lock
/// (`[tool.posy.options]`), so later commands keep them until a flag
/// names another value (the default included); `[tool.posy]` sets them
/// for every command, and a flag beats it.
#[test]
fn resolver_options_work_as_flags_and_as_settings() {
    let index = index();
    let world = World::new();
    project(&world, "", "app", "dependencies = [\"c\"]\n");
    let url = index.url();
    // --exclude-newer: only what was uploaded by then, and kept.
    world.ok(&[
        "lock",
        "--index-url",
        &url,
        "--exclude-newer",
        "2024-06-01T00:00:00Z",
    ]);
    assert_eq!(pinned(&world, "c").as_deref(), Some("1.0"));
    world.ok(&["lock", "--upgrade"]);
    assert_eq!(pinned(&world, "c").as_deref(), Some("1.0"), "recorded");
    world.ok(&[
        "lock",
        "--upgrade",
        "--exclude-newer",
        "2026-01-01T00:00:00Z",
    ]);
    assert_eq!(pinned(&world, "c").as_deref(), Some("2.0"));
    // --resolution lowest on add: the lowest d, and no pre-release.
    world.ok(&["add", "d", "--resolution", "lowest"]);
    assert_eq!(pinned(&world, "d").as_deref(), Some("1.0"));
    // sync locks first: pre-releases allowed, and back to highest.
    world.ok(&[
        "sync",
        "--prerelease",
        "allow",
        "--resolution",
        "highest",
        "--upgrade",
    ]);
    assert_eq!(pinned(&world, "d").as_deref(), Some("2.0b1"));
    let out = world.ok(&[
        "run",
        "python",
        "-c",
        "import importlib.metadata as m; print(m.version('d'))",
    ]);
    assert_eq!(out.stdout.trim(), "2.0b1");

    // The same options written once in [tool.posy] apply to every command,
    // over what the lock recorded.
    let text = world.read("pyproject.toml");
    world.write(
        "pyproject.toml",
        &format!(
            "{text}\n[tool.posy]\nexclude-newer = \"2024-06-01T00:00:00Z\"\nresolution = \"lowest\"\n"
        ),
    );
    world.ok(&["lock", "--upgrade"]);
    assert_eq!(pinned(&world, "c").as_deref(), Some("1.0"));
    assert_eq!(pinned(&world, "d").as_deref(), Some("1.0"));
    // A flag beats the setting.
    world.ok(&["lock", "--upgrade", "--resolution", "highest"]);
    assert_eq!(
        pinned(&world, "c").as_deref(),
        Some("1.0"),
        "still excluded"
    );
    assert_eq!(pinned(&world, "d").as_deref(), Some("2.0b1"));
}

#[test]
fn find_links_and_extra_index_urls_reach_run() {
    let main = index();
    let extra = Index::new()
        .package(Package::new("e", "1.0").file("e.py", "X = 'e'\n"))
        .serve();
    let world = World::new();
    // A wheel only in a local directory.
    let wheels = world.root.join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    for artifact in Package::new("f", "1.0")
        .file("f.py", "X = 'f'\n")
        .build()
        .unwrap()
    {
        if artifact.filename().ends_with(".whl") {
            std::fs::write(wheels.join(artifact.filename()), artifact.bytes()).unwrap();
        }
    }
    project(&world, "", "app", "dependencies = [\"c\", \"e\", \"f\"]\n");
    let out = world.ok(&[
        "run",
        "--index-url",
        &main.url(),
        "--extra-index-url",
        &extra.url(),
        "--find-links",
        wheels.to_str().unwrap(),
        "python",
        "-c",
        "import c, e, f; print(e.X, f.X)",
    ]);
    assert_eq!(out.stdout.trim(), "e f");
    assert_eq!(pinned(&world, "e").as_deref(), Some("1.0"));
    assert_eq!(pinned(&world, "f").as_deref(), Some("1.0"));
}

#[test]
fn run_no_sync_leaves_the_lock_and_the_environment_alone() {
    let index = index();
    let world = World::new();
    project(&world, "", "app", "dependencies = [\"c\"]\n");
    world.ok(&["sync", "--index-url", &index.url()]);
    let lock = world.read("pylock.toml");
    let text = world.read("pyproject.toml");
    world.write("pyproject.toml", &text.replace("[\"c\"]", "[\"c\", \"d\"]"));
    let run = world.fails(&["run", "--no-sync", "python", "-c", "import d"]);
    assert!(run.stderr.contains("ModuleNotFoundError"), "{}", run.stderr);
    assert_eq!(world.read("pylock.toml"), lock, "--no-sync does not lock");
    // Without it, run locks and syncs first.
    world.ok(&[
        "run",
        "--index-url",
        &index.url(),
        "python",
        "-c",
        "import d",
    ]);
    assert_ne!(world.read("pylock.toml"), lock);
}

#[test]
fn required_environments_need_a_file_for_each() {
    let index = Index::new()
        .package(
            Package::new("native", "1.0")
                .file("native.py", "")
                .tag("py3-none-manylinux_2_17_x86_64"),
        )
        .serve();
    let world = World::new();
    project(&world, "", "app", "dependencies = [\"native\"]\n");
    world.ok(&["lock", "--index-url", &index.url()]);
    let text = world.read("pyproject.toml");
    world.write(
        "pyproject.toml",
        &format!("{text}\n[tool.posy]\nrequired-environments = [\"sys_platform == 'win32'\"]\n"),
    );
    let before = world.read("pylock.toml");
    let run = world.fails(&["lock", "--index-url", &index.url()]);
    assert!(run.stderr.contains("native"), "{}", run.stderr);
    assert!(run.stderr.contains("win32"), "{}", run.stderr);
    assert_eq!(
        world.read("pylock.toml"),
        before,
        "a failed lock writes nothing"
    );
}
