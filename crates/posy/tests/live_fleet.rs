//! devpi-server as a pull-through mirror of the public index: posy installs
//! through its `root/pypi/+simple/` with nothing special, and its HTTP cache
//! follows devpi's headers: project pages come with `Cache-Control:
//! no-store, must-revalidate` (the mirror's answer may change at any
//! time), so posy keeps none of them and asks again on the next run, while
//! files, named by their hash, are kept (a second environment needs no
//! build). A live test: devpi pulls from the public index, so it is
//! `#[ignore]`d and runs with `POSY_LIVE=1` (CI runs it).

mod common;

use common::{World, servers};

#[test]
#[ignore = "live: devpi pulls from the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn installs_through_a_devpi_mirror_following_its_cache_headers() {
    assert!(
        std::env::var_os("POSY_LIVE").is_some_and(|v| v == "1"),
        "a live test: run it with POSY_LIVE=1 (it needs the public index)"
    );
    let server = servers::devpi("root-pw", false);
    server.warm("/root/pypi/+simple/six/");
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

    // Pages are not kept (devpi says `no-store`): offline, there are none.
    let offline = world.venv("offline");
    let run = world.posy(&[
        "pip",
        "install",
        "six==1.16.0",
        "--index-url",
        &mirror,
        "--offline",
        "--python",
        offline.arg(),
    ]);
    let stderr = common::stderr(&run);
    assert!(stderr.contains("is not in the cache"), "{stderr}");

    // Online again, the pages are asked for anew; the built wheel is reused.
    let again = world.venv("again");
    let run = world.ok(&[
        "pip",
        "install",
        "six==1.16.0",
        "docopt==0.6.2",
        "--index-url",
        &mirror,
        "--python",
        again.arg(),
    ]);
    assert!(!run.stderr.contains("Building"), "{}", run.stderr);
    assert_eq!(
        again.python_ok("import six, docopt; print(six.__version__)"),
        "1.16.0"
    );
}
