//! Live checks of universal resolution (issue 17) against uv and against
//! the machines the lock is for.
//!
//! For each requirement set (the shared trio, black, jupyter and boto3
//! sets, plus a set whose dependencies are specific to an OS, an
//! architecture or an implementation): `posy pip compile --universal`
//! pins the same packages and versions as `uv pip compile --universal`,
//! and in every environment of a matrix (CPython 3.10-3.14 on x86_64 and
//! aarch64 Linux, glibc and musl, on arm64 and x86_64 macOS and on x86_64
//! Windows, and PyPy 3.10 on Linux) posy's markers select the same pins as
//! uv's. And each pin selected for a CPython environment has a file that
//! environment can install (a wheel its tags accept, or the sdist): a
//! universal lock that names a version some machine cannot install is
//! wrong there, whatever uv says.
//!
//! Runs with `POSY_LIVE=1` and `POSY_REF_UV` (see `live_reference.rs`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::World;
use posy_project::{PackageSource, Pylock};
use posy_resolve::Target;
use posy_vocab::{MarkerEnvironment, MarkerTree, MarkerValues, Platform, WheelFilename};

const CUTOFF: &str = "2026-11-01T00:00:00Z";

const PLATFORMS: &str = "\
psycopg[binary]
uvloop; sys_platform != 'win32'
pywin32; sys_platform == 'win32'
pyobjc-framework-Cocoa; sys_platform == 'darwin'
greenlet; platform_machine == 'aarch64' or platform_machine == 'x86_64'
cryptography
pyzmq
numpy
colorama; os_name == 'nt'
";

fn reference_uv() -> PathBuf {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    let uv = std::env::var_os("POSY_REF_UV")
        .map(PathBuf::from)
        .filter(|p| p.exists());
    uv.expect("POSY_LIVE=1 needs POSY_REF_UV: set it to a uv binary to compare against")
}

/// The environments of the matrix: a name, the marker environment, and
/// (CPython only) the target whose tags decide what installs.
fn matrix() -> Vec<(String, MarkerEnvironment, Option<Target>)> {
    let platforms = [
        ("linux-x86_64", "x86_64-manylinux_2_28"),
        ("linux-aarch64", "aarch64-manylinux_2_28"),
        ("musl-x86_64", "x86_64-unknown-linux-musl"),
        ("musl-aarch64", "aarch64-unknown-linux-musl"),
        ("macos-arm64", "aarch64-apple-darwin"),
        ("macos-x86_64", "x86_64-apple-darwin"),
        ("windows-amd64", "x86_64-pc-windows-msvc"),
    ];
    let mut out = Vec::new();
    for minor in 10..=14 {
        for (name, platform) in platforms {
            let platform = Platform::from_python_platform(platform).unwrap();
            let python = format!("3.{minor}.5").parse().unwrap();
            let target = Target::cpython(&python, platform).unwrap();
            out.push((
                format!("cp3{minor}-{name}"),
                target.markers.clone(),
                Some(target),
            ));
        }
    }
    let pypy = MarkerValues {
        implementation_name: "pypy".into(),
        implementation_version: "7.3.17".into(),
        os_name: "posix".into(),
        platform_machine: "x86_64".into(),
        platform_python_implementation: "PyPy".into(),
        platform_release: String::new(),
        platform_system: "Linux".into(),
        platform_version: String::new(),
        python_full_version: "3.10.14".into(),
        python_version: "3.10".into(),
        sys_platform: "linux".into(),
    };
    out.push((
        "pypy310-linux-x86_64".into(),
        MarkerEnvironment::new(pypy),
        None,
    ));
    out
}

/// `name==version` and marker of each line of a requirements file.
fn requirements_pins(text: &str) -> Vec<(String, MarkerTree)> {
    text.replace("\\\n", " ")
        .lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim())
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphanumeric()))
        .map(|l| {
            let (pin, marker) = l.split_once(';').unwrap_or((l, ""));
            let pin = pin.split_whitespace().next().unwrap_or_default();
            let (name, version) = pin.split_once("==").unwrap();
            let name: String = name.to_lowercase().replace(['_', '.'], "-");
            let marker = if marker.trim().is_empty() {
                MarkerTree::TRUE
            } else {
                marker.trim().parse().unwrap()
            };
            (format!("{name}=={version}"), marker)
        })
        .collect()
}

fn selected(pins: &[(String, MarkerTree)], env: &MarkerEnvironment) -> BTreeSet<String> {
    pins.iter()
        .filter(|(_, m)| m.evaluate(env, &[]))
        .map(|(p, _)| p.clone())
        .collect()
}

fn compile_set(world: &World, uv: &Path, name: &str, set: &Path) {
    let reference = Command::new(uv)
        .args(["pip", "compile", "-q", "--universal"])
        .arg(set)
        .args(["--exclude-newer", CUTOFF, "--python-version", "3.10", "-o"])
        .arg(world.root.join(format!("{name}.uv.txt")))
        .output()
        .unwrap();
    assert!(
        reference.status.success(),
        "uv failed on {name}: {}",
        String::from_utf8_lossy(&reference.stderr)
    );
    for out in [format!("{name}.posy.txt"), format!("pylock.{name}.toml")] {
        world.ok(&[
            "pip",
            "compile",
            "--universal",
            set.to_str().unwrap(),
            "--exclude-newer",
            CUTOFF,
            "--python-version",
            "3.10",
            "-o",
            &out,
        ]);
    }
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn universal_locks_agree_with_uv_and_install_everywhere() {
    let uv = reference_uv();
    let world = World::new();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/requirements");
    std::fs::write(world.root.join("platforms.in"), PLATFORMS).unwrap();
    let mut sets: Vec<(String, PathBuf)> = ["trio", "black", "jupyter", "boto3"]
        .iter()
        .map(|n| ((*n).to_owned(), shared.join(format!("{n}.in"))))
        .collect();
    sets.push(("platforms".into(), world.root.join("platforms.in")));
    let environments = matrix();
    for (name, set) in &sets {
        compile_set(&world, &uv, name, set);
        let theirs = requirements_pins(&world.read(&format!("{name}.uv.txt")));
        let ours = requirements_pins(&world.read(&format!("{name}.posy.txt")));
        let names = |pins: &[(String, MarkerTree)]| -> BTreeSet<String> {
            pins.iter().map(|(p, _)| p.clone()).collect()
        };
        assert_eq!(
            names(&ours),
            names(&theirs),
            "{name}: pins differ from uv's"
        );
        let lock = Pylock::read(&world.root.join(format!("pylock.{name}.toml")))
            .unwrap_or_else(|e| panic!("{name}: cannot read posy's pylock.toml: {e}"));
        for (env_name, env, target) in &environments {
            assert_eq!(
                selected(&ours, env),
                selected(&theirs, env),
                "{name}: in {env_name} posy's markers select other pins than uv's"
            );
            let Some(target) = target else { continue };
            let mut missing = BTreeMap::new();
            for package in &lock.packages {
                let applies = package.marker.as_ref().is_none_or(|m| m.evaluate(env, &[]));
                let PackageSource::Registry { sdist, wheels } = &package.source else {
                    continue;
                };
                if !applies || sdist.is_some() {
                    continue;
                }
                let installable = wheels.iter().any(|w| {
                    // PEP 751: the name is optional; the URL ends with it.
                    let file = w.name.clone().unwrap_or_else(|| {
                        let url = w.url.as_deref().unwrap_or_default();
                        url.rsplit('/').next().unwrap_or_default().to_owned()
                    });
                    file.parse::<WheelFilename>()
                        .is_ok_and(|f| target.tags.best_priority(f.tag_set()).is_some())
                });
                if !installable {
                    missing.insert(package.name.to_string(), package.version.clone());
                }
            }
            assert!(
                missing.is_empty(),
                "{name}: in {env_name} the lock selects pins with no installable file: {missing:?}"
            );
        }
    }
}
