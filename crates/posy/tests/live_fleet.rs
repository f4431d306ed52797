//! devpi-server as a pull-through mirror of the public index: posy installs
//! through its `root/pypi/+simple/` with nothing special, and what it
//! cached from devpi's answers (pages with devpi's caching headers, and
//! the files) is enough to install again with the mirror gone and
//! `--offline`. A live test: devpi pulls from the public index, so it is
//! `#[ignore]`d and runs with `POSY_LIVE=1` (CI runs it).

mod common;

use common::{World, servers};

#[test]
#[ignore = "live: devpi pulls from the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn installs_through_a_devpi_mirror_and_again_from_the_cache_without_it() {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    let server = servers::devpi("root-pw", false);
    let mirror = format!("{}root/pypi/+simple/", server.base());
    let world = World::new();
    let env = world.venv("env");
    // A wheel, and an sdist-only package that is built.
    let run = world.ok(&[
        "pip",
        "install",
        "six==1.16.0",
        "docopt==0.6.2",
        "--index-url",
        &mirror,
        "--python",
        env.arg(),
    ]);
    assert!(run.stderr.contains("+ six==1.16.0"), "{}", run.stderr);
    assert_eq!(
        env.python_ok("import six, docopt; print(six.__version__)"),
        "1.16.0"
    );
    drop(server);

    let again = world.venv("again");
    let run = world.ok(&[
        "pip",
        "install",
        "six==1.16.0",
        "docopt==0.6.2",
        "--index-url",
        &mirror,
        "--offline",
        "--python",
        again.arg(),
    ]);
    assert!(!run.stderr.contains("Building"), "{}", run.stderr);
    assert_eq!(
        again.python_ok("import six, docopt; print(six.__version__)"),
        "1.16.0"
    );
}
