//! Project files as inputs of `posy pip install`: a `pyproject.toml` given
//! with `-r` (PEP 621 dependencies and extras), against a real local index.
//! (`pip compile` reads them the same way; see pip_compile.rs.)

mod common;

use common::World;
use posy_testkit::{Index, Package};

#[test]
fn a_pyproject_given_with_r_installs_its_requirements_and_extras() {
    let index = Index::new()
        .package(
            Package::new("a", "1.0")
                .dep("b>=1")
                .file("a.py", "import b\n"),
        )
        .package(Package::new("b", "1.0").file("b.py", "WORD = 'hi'\n"))
        .package(Package::new("c", "1.0").file("c.py", "X = 1\n"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write(
        "pyproject.toml",
        "[project]\nname = 'demo'\nversion = '0.1'\ndependencies = ['a']\n\
         [project.optional-dependencies]\nextra-c = ['c']\n",
    );
    world.pip_ok(&["install", "-r", "pyproject.toml", "--python", env.arg()]);
    assert_eq!(env.dist_infos(), ["a-1.0.dist-info", "b-1.0.dist-info"]);
    world.pip_ok(&[
        "install",
        "-r",
        "pyproject.toml",
        "--extra",
        "extra-c",
        "--python",
        env.arg(),
    ]);
    assert_eq!(
        env.dist_infos(),
        ["a-1.0.dist-info", "b-1.0.dist-info", "c-1.0.dist-info"]
    );
    assert_eq!(env.python_ok("import a, c; print(a.b.WORD, c.X)"), "hi 1");
}
