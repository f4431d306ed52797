//! `posy cache dir | size | clean | prune`, run as a person would: the real
//! binary on a real cache directory, filled through the store's API.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use posy_store::{Key, Lookup, Store, Tag};

/// A scratch world: a cache dir, a working dir, and a user config dir, with
/// no settings leaking in from the environment of the test run.
struct World {
    _base: tempfile::TempDir,
    cache: PathBuf,
    cwd: PathBuf,
    config_home: PathBuf,
}

impl World {
    fn new() -> World {
        let base = tempfile::tempdir().unwrap();
        let world = World {
            cache: base.path().join("cache"),
            cwd: base.path().join("project"),
            config_home: base.path().join("config"),
            _base: base,
        };
        fs::create_dir_all(&world.cwd).unwrap();
        fs::create_dir_all(world.config_home.join("posy")).unwrap();
        world
    }

    fn posy(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_posy"));
        cmd.args(args)
            .current_dir(&self.cwd)
            .env("POSY_CACHE_DIR", &self.cache)
            .env("XDG_CONFIG_HOME", &self.config_home)
            .env_remove("POSY_CACHE_MAX_SIZE");
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.posy(args).output().unwrap();
        assert!(
            out.status.success(),
            "posy {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fail(&self, args: &[&str]) -> String {
        let out = self.posy(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "posy {args:?} should fail: {out:?}"
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Stores `len` bytes under `name` in the artifacts bucket, attributed to `package`.
    fn add(&self, package: &str, name: &str, len: usize) {
        let store = Store::open(&self.cache).unwrap();
        let Lookup::Miss(mut reservation) = store
            .artifacts()
            .lock_or_get(&Key::hash_of(name.as_bytes()))
            .unwrap()
        else {
            panic!("{name} added twice");
        };
        reservation.tag(Tag::new(package).unwrap());
        reservation.file().write_all(&vec![b'x'; len]).unwrap();
        reservation.commit().unwrap();
    }

    fn has(&self, name: &str) -> bool {
        Store::open(&self.cache)
            .unwrap()
            .artifacts()
            .get(&Key::hash_of(name.as_bytes()))
            .is_some()
    }

    fn size_bytes(&self) -> u64 {
        self.run(&["cache", "size", "--bytes"])
            .trim()
            .parse()
            .unwrap()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn dir_follows_posy_cache_dir_flag_and_xdg() {
    let world = World::new();
    assert_eq!(
        world.run(&["cache", "dir"]).trim(),
        world.cache.display().to_string()
    );
    let flag = world.cwd.join("elsewhere");
    let out = world
        .posy(&["--cache-dir", flag.to_str().unwrap(), "cache", "dir"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), flag.display().to_string());
    let out = world
        .posy(&["cache", "dir"])
        .env_remove("POSY_CACHE_DIR")
        .env("XDG_CACHE_HOME", &world.cwd)
        .output()
        .unwrap();
    assert_eq!(Path::new(stdout(&out).trim()), world.cwd.join("posy"));
}

#[test]
fn size_of_a_missing_cache_is_zero_and_does_not_create_it() {
    let world = World::new();
    assert_eq!(world.run(&["cache", "size"]).trim(), "0 B");
    assert_eq!(world.run(&["cache", "size", "--bytes"]).trim(), "0");
    assert!(!world.cache.exists());
    assert!(world.run(&["cache", "clean"]).contains("Nothing to clean"));
    assert!(
        world
            .run(&["cache", "prune", "--max-size", "0"])
            .contains("Nothing to prune")
    );
    assert!(!world.cache.exists());
}

#[test]
fn size_counts_entries_in_human_units() {
    let world = World::new();
    world.add("foo", "a", 3 << 20);
    assert!(world.size_bytes() >= 3 << 20);
    let human = world.run(&["cache", "size"]);
    assert!(human.trim().ends_with(" MiB"), "{human}");
}

#[test]
fn clean_package_removes_only_its_entries() {
    let world = World::new();
    world.add("foo", "foo-1.0.whl", 1000);
    world.add("zope-interface", "zope-5.0.whl", 1000);
    world.add("bar", "bar-2.0.whl", 1000);
    // Names are normalized as PEP 503 says.
    let out = world.run(&["cache", "clean", "Foo", "Zope.Interface"]);
    assert!(
        out.contains("Removed 2 entries of Foo, Zope.Interface"),
        "{out}"
    );
    assert!(!world.has("foo-1.0.whl"));
    assert!(!world.has("zope-5.0.whl"));
    assert!(world.has("bar-2.0.whl"));
    let out = world.run(&["cache", "clean", "never-cached"]);
    assert!(out.contains("Removed 0 entries"), "{out}");

    let out = world.run(&["cache", "clean"]);
    assert!(out.contains("Removed 1 entry"), "{out}");
    assert!(!world.has("bar-2.0.whl"));

    let err = world.fail(&["cache", "clean", "not a name!"]);
    assert!(err.contains("not a name!"), "{err}");
}

#[test]
fn prune_to_a_bound_keeps_the_most_recently_used() {
    let world = World::new();
    for name in ["old", "middle", "new"] {
        world.add("p", name, 1000);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(world.has("old"), "using it makes it the most recent");
    let out = world.run(&["cache", "prune", "--max-size", "2.5K"]);
    assert!(out.contains("Removed 1 entry"), "{out}");
    assert!(world.has("old") && world.has("new") && !world.has("middle"));

    let out = world.run(&["cache", "prune", "--max-size", "0"]);
    assert!(out.contains("Removed 2 entries"), "{out}");
    assert!(out.contains("the cache holds 0 B (bound 0 B)"), "{out}");

    let err = world.fail(&["cache", "prune", "--max-size", "lots"]);
    assert!(
        err.contains("--max-size") && err.contains("`lots` is not a size"),
        "{err}"
    );
}

#[test]
fn prune_bound_comes_from_flag_then_env_then_project_then_user_config() {
    let world = World::new();
    let bound = |extra_env: Option<&str>| {
        world.add("p", "probe", 10);
        let mut cmd = world.posy(&["cache", "prune"]);
        if let Some(value) = extra_env {
            cmd.env("POSY_CACHE_MAX_SIZE", value);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = stdout(&out);
        let start = text.rfind("(bound ").unwrap() + 7;
        world.run(&["cache", "clean"]);
        text[start..text.len() - 2].to_owned()
    };
    let user = world.config_home.join("posy/posy.toml");
    fs::write(&user, "cache-max-size = \"3MiB\"\n").unwrap();
    assert_eq!(bound(None), "3.0 MiB");
    fs::write(
        world.cwd.join("posy.toml"),
        "cache-max-size = 2048\nsome-future-key = true\n",
    )
    .unwrap();
    assert_eq!(bound(None), "2.0 KiB");
    assert_eq!(bound(Some("5G")), "5.0 GiB");

    fs::write(world.cwd.join("posy.toml"), "cache-max-size = \"huge\"\n").unwrap();
    let err = world.fail(&["cache", "prune"]);
    assert!(
        err.contains("cache-max-size") && err.contains("posy.toml") && err.contains("`huge`"),
        "{err}"
    );
    fs::write(world.cwd.join("posy.toml"), "cache-max-size = [\n").unwrap();
    let err = world.fail(&["cache", "prune"]);
    assert!(
        err.contains("posy.toml") && err.contains("not valid"),
        "{err}"
    );
    let out = world
        .posy(&["cache", "prune"])
        .env("POSY_CACHE_MAX_SIZE", "nope")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("POSY_CACHE_MAX_SIZE"));
}

#[test]
fn clean_waits_for_a_running_posy_to_finish() {
    let world = World::new();
    world.add("foo", "in-use", 100);
    let running = Store::open(&world.cache).unwrap();
    let mut clean = world
        .posy(&["cache", "clean"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        clean.try_wait().unwrap().is_none(),
        "clean must wait while the store is in use"
    );
    assert!(running.artifacts().get(&Key::hash_of(b"in-use")).is_some());
    drop(running);
    let out = clean.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Waiting for other posy processes"));
    assert!(stdout(&out).contains("Removed 1 entry"));
    assert!(!world.has("in-use"));
}
