//! The live suite: `posy pip compile` and `posy pip install` against the
//! real public index, for what only the real world shows (real metadata,
//! real wheels, real page shapes). The tests are `#[ignore]`d, so the
//! hermetic suite never needs a network; CI runs them with `POSY_LIVE=1
//! cargo test -- --include-ignored`, and without `POSY_LIVE=1` they fail. Dates and Python versions are pinned, so the expected pins do
//! not move.

mod common;

use common::{World, pins};

fn live() -> bool {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    true
}

const REQUIREMENTS: &str = "requests==2.32.3\nattrs\n";
const CUTOFF: &str = "2025-01-01T00:00:00Z";

/// What `uv pip compile` gives for [`REQUIREMENTS`] with the same cutoff
/// and Python 3.11.
const EXPECTED: [&str; 6] = [
    "attrs==24.3.0",
    "certifi==2024.12.14",
    "charset-normalizer==3.4.1",
    "idna==3.10",
    "requests==2.32.3",
    "urllib3==2.3.0",
];

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn compile_against_the_public_index_gives_the_expected_pins() {
    if !live() {
        return;
    }
    let world = World::new();
    world.write("requirements.in", REQUIREMENTS);
    let run = world.ok(&[
        "pip",
        "compile",
        "requirements.in",
        "--exclude-newer",
        CUTOFF,
        "--python-version",
        "3.11",
        "--no-header",
    ]);
    assert_eq!(pins(&run.stdout), EXPECTED, "{}", run.stdout);
    assert!(
        run.stdout.contains("urllib3==2.3.0\n    # via requests\n"),
        "{}",
        run.stdout
    );
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn install_from_the_public_index_imports() {
    if !live() {
        return;
    }
    let world = World::new();
    let env = world.venv("env");
    world.write("requirements.in", REQUIREMENTS);
    world.ok(&[
        "pip",
        "install",
        "-r",
        "requirements.in",
        "--exclude-newer",
        CUTOFF,
        "--python",
        env.arg(),
    ]);
    assert_eq!(
        env.python_ok("import requests, attrs, urllib3; print(requests.__version__)"),
        "2.32.3"
    );
    let freeze = world.ok(&["pip", "freeze", "--python", env.arg()]);
    // The environment's Python may not be 3.11, but this set has no
    // version-dependent dependencies, so the pins are the same.
    assert_eq!(pins(&freeze.stdout), EXPECTED, "{}", freeze.stdout);
    world.ok(&["pip", "check", "--python", env.arg()]);
    if let Some(check) = common::real_pip(&env, &["check"]) {
        assert!(check.status.success(), "{}", common::stderr(&check));
    }
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn a_project_with_dynamic_dependencies_compiles_through_its_backend() {
    if !live() {
        return;
    }
    // setuptools reads the dependencies from a file: only the backend
    // knows them, so posy asks it (prepare_metadata_for_build_wheel).
    let world = World::new();
    world.write(
        "proj/pyproject.toml",
        "[build-system]\nrequires = ['setuptools>=61']\nbuild-backend = 'setuptools.build_meta'\n\
         [project]\nname = 'dyn-demo'\nversion = '0.1'\ndynamic = ['dependencies']\n\
         [tool.setuptools]\npy-modules = []\n\
         [tool.setuptools.dynamic]\ndependencies = {file = ['requirements.txt']}\n",
    );
    world.write("proj/requirements.txt", "six==1.17.0\n");
    let run = world.pip_ok(&[
        "compile",
        "proj/pyproject.toml",
        "--exclude-newer",
        "2026-11-01T00:00:00Z",
        "--python-version",
        "3.11",
    ]);
    assert_eq!(pins(&run.stdout), ["six==1.17.0"]);
    assert!(
        run.stdout.contains("# via dyn-demo (proj/pyproject.toml)"),
        "{}",
        run.stdout
    );
}
