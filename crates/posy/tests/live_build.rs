//! The live build suite (issue 8): real sdist-only packages from the public
//! index, built by posy's PEP 517 frontend with real backends (setuptools,
//! in build environments posy resolves and installs itself).
//!
//! - `docopt==0.6.2`, which has never had a wheel, installs into a fresh
//!   environment and imports; a second environment reuses the built wheel.
//! - A requirements file that pulls sdist-only packages in as
//!   dependencies (`docopt` through `num2words`, `sgmllib3k` through
//!   `feedparser==6.0.11`) compiles to the same pins as `uv pip compile`
//!   with the same flags, and the pinned set installs and imports.
//!
//! `#[ignore]`d; CI runs it with `POSY_LIVE=1 cargo test -- --include-ignored`
//! (without `POSY_LIVE=1` it fails). The comparison with uv needs `POSY_REF_UV`
//! naming a uv 0.13.8 binary, and without it the pins are checked against
//! what that uv gave when this test was written. The cutoff date and the
//! Python version keep the answer fixed.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{World, pins};

const CUTOFF: &str = "2026-11-01T00:00:00Z";

const REQUIREMENTS: &str = "feedparser==6.0.11\nnum2words\nrequests==2.32.3\n";

/// What `uv pip compile` 0.13.8 gives for [`REQUIREMENTS`] with
/// `--exclude-newer 2026-11-01T00:00:00Z --python-version 3.11`.
const UV_PINS: [&str; 9] = [
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.2",
    "docopt==0.6.2",
    "feedparser==6.0.11",
    "idna==3.20",
    "num2words==0.5.14",
    "requests==2.32.3",
    "sgmllib3k==1.0.0",
    "urllib3==2.8.0",
];

fn live() -> bool {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    true
}

fn reference_uv() -> Option<PathBuf> {
    let uv = std::env::var_os("POSY_REF_UV")
        .map(PathBuf::from)
        .filter(|p| p.exists());
    if uv.is_none() {
        eprintln!("POSY_REF_UV is not set: comparing with the recorded pins of uv 0.13.8");
    }
    uv
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn an_sdist_only_package_installs_and_imports() {
    if !live() {
        return;
    }
    let world = World::new();
    let env = world.venv("env");
    let run = world.ok(&["pip", "install", "docopt==0.6.2", "--python", env.arg()]);
    assert!(run.stderr.contains("Built docopt==0.6.2"), "{}", run.stderr);
    assert_eq!(
        env.python_ok("import docopt; print(docopt.__version__)"),
        "0.6.2"
    );
    let freeze = world.ok(&["pip", "freeze", "--python", env.arg()]);
    assert_eq!(pins(&freeze.stdout), ["docopt==0.6.2"]);

    // The wheel built for the first environment serves the second.
    let again = world.venv("again");
    let run = world.ok(&["pip", "install", "docopt==0.6.2", "--python", again.arg()]);
    assert!(!run.stderr.contains("Building"), "{}", run.stderr);
    assert_eq!(again.python_ok("import docopt; print('ok')"), "ok");
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn compiling_with_sdist_only_dependencies_gives_uvs_pins() {
    if !live() {
        return;
    }
    let world = World::new();
    let input = world.write("requirements.in", REQUIREMENTS);
    let flags = ["--exclude-newer", CUTOFF, "--python-version", "3.11"];
    let want: Vec<String> = match reference_uv() {
        Some(uv) => {
            let reference = Command::new(&uv)
                .args(["pip", "compile", "-q", "--no-header"])
                .arg(&input)
                .args(flags)
                .env("UV_CACHE_DIR", world.root.join("uv-cache"))
                .output()
                .unwrap();
            assert!(reference.status.success(), "{}", common::stderr(&reference));
            pins(&String::from_utf8_lossy(&reference.stdout))
        }
        None => UV_PINS.iter().map(ToString::to_string).collect(),
    };
    let mut args = vec![
        "pip",
        "compile",
        "requirements.in",
        "--no-header",
        "-o",
        "requirements.txt",
    ];
    args.extend(flags);
    world.ok(&args);
    let got = pins(&world.read("requirements.txt"));
    assert_eq!(got, want, "posy's pins differ from uv's");
    assert!(got.contains(&"sgmllib3k==1.0.0".to_string()), "{got:?}");

    // The pinned set installs, building both sdists, on the machine's Python.
    let env = world.venv("env");
    world.ok(&[
        "pip",
        "install",
        "-r",
        "requirements.txt",
        "--python",
        env.arg(),
    ]);
    assert_eq!(
        env.python_ok("import docopt, feedparser, num2words, sgmllib; print('ok')"),
        "ok"
    );
}
