//! The live comparison with the reference tools (issues 6 and 7): posy's
//! pins equal `uv pip compile`'s for every requirement set of
//! `../shared/bench/requirements/`, and the pinned jupyter set installed by
//! posy and by pip gives the same environment.
//!
//! Runs with `POSY_LIVE=1` and a reference uv: `POSY_REF_UV` names its
//! binary (`.ci/run` installs uv 0.13.8 from the public index into a venv
//! and sets it). The tests are `#[ignore]`d; CI runs them with
//! `-- --include-ignored`, and without those variables they fail.
//! The cutoff date makes the comparison reproducible.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::World;

const CUTOFF: &str = "2026-11-01T00:00:00Z";

fn reference_uv() -> Option<PathBuf> {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    // CI sets both (`.ci/run`): there, a missing uv is a failure, not a skip.
    let uv = std::env::var_os("POSY_REF_UV")
        .map(PathBuf::from)
        .filter(|p| p.exists());
    assert!(
        uv.is_some(),
        "POSY_LIVE=1 needs POSY_REF_UV: set it to a uv binary to compare against (see .ci/run)"
    );
    uv
}

fn requirement_sets() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/requirements");
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    sets.sort();
    sets
}

/// `name==version` lines, names normalized, as the acceptance check compares them.
fn pins(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphanumeric()))
        .map(|l| l.split([' ', ';', '\\']).next().unwrap_or_default())
        .filter_map(|pin| pin.split_once("=="))
        .map(|(name, version)| {
            let name: String = name.to_lowercase().replace(['_', '.'], "-");
            format!("{name}=={version}")
        })
        .collect()
}

/// The pins of `posy pip compile SET` (as of [`CUTOFF`], for Python 3.11),
/// written to `out` in the world.
fn posy_pins(world: &World, set: &Path, out: &str, flags: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["pip", "compile"];
    args.extend_from_slice(flags);
    args.extend([
        set.to_str().unwrap(),
        "--exclude-newer",
        CUTOFF,
        "--python-version",
        "3.11",
        "-o",
        out,
    ]);
    world.ok(&args);
    pins(&world.read(out))
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn pins_equal_uv_for_every_benchmark_set() {
    let Some(uv) = reference_uv() else { return };
    let world = World::new();
    let mut compared = 0;
    for set in requirement_sets() {
        let name = set.file_stem().unwrap().to_string_lossy().into_owned();
        let uv_out = world.root.join(format!("{name}.uv.txt"));
        let reference = Command::new(&uv)
            .args(["pip", "compile", "-q"])
            .arg(&set)
            .args(["--exclude-newer", CUTOFF, "--python-version", "3.11", "-o"])
            .arg(&uv_out)
            .output()
            .unwrap();
        if !reference.status.success() {
            // home-assistant needs a newer Python than 3.11: uv cannot resolve it either.
            eprintln!("{name}: uv could not resolve it on 3.11; not compared");
            continue;
        }
        let want = pins(&std::fs::read_to_string(&uv_out).unwrap());
        let got = posy_pins(&world, &set, &format!("{name}.posy.txt"), &[]);
        assert_eq!(got, want, "{name}: posy's pins differ from uv's");
        compared += 1;
    }
    assert!(compared >= 3, "only {compared} sets compared");
}

/// Every installed file of an environment, relative to it, without what
/// differs by design between installers.
fn file_set(env: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![env.join("lib")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(env)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel.contains("__pycache__") || rel.ends_with(".pyc") {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if !["INSTALLER", "RECORD", "REQUESTED", "direct_url.json"]
                .iter()
                .any(|f| rel.ends_with(f))
            {
                out.insert(rel);
            }
        }
    }
    out
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn jupyter_installed_by_posy_equals_pip() {
    let Some(uv) = reference_uv() else { return };
    let world = World::new();
    let jupyter = requirement_sets()
        .into_iter()
        .find(|p| p.ends_with("jupyter.in"))
        .unwrap();
    let lock = world.root.join("jupyter.txt");
    let status = Command::new(&uv)
        .args(["pip", "compile", "-q"])
        .arg(&jupyter)
        .args(["--exclude-newer", CUTOFF, "--python-version", "3.11", "-o"])
        .arg(&lock)
        .status()
        .unwrap();
    assert!(status.success());

    let pip_env = world.root.join("pip-env");
    assert!(
        Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&pip_env)
            .status()
            .unwrap()
            .success()
    );
    let pip = pip_env.join("bin/pip");
    let out = Command::new(&pip)
        .args(["install", "-q", "--no-deps", "-r"])
        .arg(&lock)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let posy_env = world.venv("posy-env");
    world.ok(&[
        "pip",
        "install",
        "-r",
        lock.to_str().unwrap(),
        "--python",
        posy_env.arg(),
    ]);

    let freeze = |python: &Path| {
        let out = Command::new(&pip)
            .args(["--python"])
            .arg(python)
            .args(["freeze", "--all"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("pip==") && !l.starts_with("setuptools=="))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let posy_python = posy_env.bin("python");
    assert_eq!(freeze(&posy_python), freeze(&pip_env.join("bin/python")));

    // `python -m venv` seeds pip and setuptools; posy's environment has neither.
    let seeded = |f: &String| {
        let top = f.split('/').nth(3).unwrap_or_default();
        [
            "pip",
            "setuptools",
            "pkg_resources",
            "_distutils_hack",
            "distutils-precedence.pth",
        ]
        .iter()
        .any(|s| top == *s || top.starts_with(&format!("{s}-")))
    };
    let mut pip_files = file_set(&pip_env);
    pip_files.retain(|f| !seeded(f));
    let posy_files = file_set(&posy_env.path);
    let only_posy: Vec<_> = posy_files.difference(&pip_files).take(20).collect();
    let only_pip: Vec<_> = pip_files.difference(&posy_files).take(20).collect();
    assert!(
        only_posy.is_empty() && only_pip.is_empty(),
        "only posy installed: {only_posy:#?}\nonly pip installed: {only_pip:#?}"
    );

    let check = Command::new(&pip)
        .args(["--python"])
        .arg(&posy_python)
        .arg("check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let import = Command::new(&posy_python)
        .args(["-c", "import jupyterlab, notebook"])
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let version = Command::new(posy_env.bin("jupyter"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        version.status.success(),
        "{}",
        String::from_utf8_lossy(&version.stderr)
    );
}

/// `--universal` from Python 3.11: the same names and versions as uv's
/// universal resolution (trio, black, jupyter; `live_universal.rs` checks
/// the markers too, from 3.10). The markers are not compared as text: each
/// tool spells and simplifies them its own way.
#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn universal_versions_equal_uv() {
    let Some(uv) = reference_uv() else { return };
    let world = World::new();
    for set in requirement_sets() {
        let name = set.file_stem().unwrap().to_string_lossy().into_owned();
        if !matches!(name.as_str(), "trio" | "black" | "jupyter") {
            continue;
        }
        let uv_out = world.root.join(format!("{name}.universal.uv.txt"));
        let reference = Command::new(&uv)
            .args(["pip", "compile", "-q", "--universal"])
            .arg(&set)
            .args(["--exclude-newer", CUTOFF, "--python-version", "3.11", "-o"])
            .arg(&uv_out)
            .output()
            .unwrap();
        assert!(reference.status.success(), "uv failed on {name}");
        let want = pins(&std::fs::read_to_string(&uv_out).unwrap());
        let got = posy_pins(
            &world,
            &set,
            &format!("{name}.universal.posy.txt"),
            &["--universal"],
        );
        assert_eq!(got, want, "{name}: posy's universal pins differ from uv's");
    }
}
