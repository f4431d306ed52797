//! What a build that goes wrong leaves behind: an error naming the package
//! and showing the backend's own words (never a quiet fallback to an older
//! release), no scratch directories in the system's temporary directory,
//! and no backend process outliving a posy that was told to stop.
//!
//! Every sdist here is built by a backend shipped inside it
//! (`backend-path`), so nothing needs the public index.

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{World, pins};
use posy_testkit::{BuildBackend, Index, Package};

/// A PEP 517 backend whose `build_wheel` runs `body` (a function body).
fn backend(body: &str) -> String {
    format!(
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n    {body}\n"
    )
}

/// `name==version` as an sdist only, built by a backend running `body`.
fn sdist(name: &str, version: &str, body: &str) -> Package {
    Package::new(name, version)
        .sdist_file("backend/posy_test_backend.py", backend(body))
        .build_backend(BuildBackend::new("posy_test_backend", []).backend_path(["backend"]))
        .sdist_only()
}

/// x 1.0 as a wheel; x 2.0 as an sdist whose build fails with a message.
/// Its PKG-INFO predates Metadata 2.2, so a resolver must build it to learn
/// its dependencies.
fn broken_newest() -> Index {
    Index::new()
        .package(Package::new("x", "1.0"))
        .package(
            sdist(
                "x",
                "2.0",
                "import sys; print('BACKEND-SAYS: no compiler here', file=sys.stderr); raise SystemExit(1)",
            )
            .metadata_version("2.1"),
        )
}

#[test]
fn a_failed_build_is_an_error_not_an_older_version() {
    let index = broken_newest().serve();
    let world = World::with_index(&index);
    let env = world.venv("env");

    let run = world.pip_fails(&["install", "x", "--python", env.arg()]);
    assert!(run.stderr.contains("x==2.0"), "{}", run.stderr);
    assert!(
        run.stderr.contains("BACKEND-SAYS: no compiler here"),
        "{}",
        run.stderr
    );
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());

    world.write("requirements.in", "x\n");
    let run = world.pip_fails(&["compile", "requirements.in"]);
    assert!(run.stderr.contains("x==2.0"), "{}", run.stderr);
    assert!(
        run.stderr.contains("BACKEND-SAYS: no compiler here"),
        "{}",
        run.stderr
    );
    assert!(pins(&run.stdout).is_empty(), "{}", run.stdout);

    // Asking for the older release is still fine: nothing builds 2.0.
    world.write("requirements.in", "x<2\n");
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["x==1.0"]);
}

#[test]
fn a_failed_build_from_find_links_is_an_error_too() {
    let world = World::new();
    let links = world.root.join("links");
    broken_newest().find_links(&links).unwrap();
    let env = world.venv("env");
    let run = world.fails(&[
        "pip",
        "install",
        "x",
        "--python",
        env.arg(),
        "--no-index",
        "--find-links",
        links.to_str().unwrap(),
    ]);
    assert!(run.stderr.contains("x==2.0"), "{}", run.stderr);
    assert!(
        run.stderr.contains("BACKEND-SAYS: no compiler here"),
        "{}",
        run.stderr
    );
    assert!(env.dist_infos().is_empty(), "{:?}", env.dist_infos());
}

/// The entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn builds_leave_nothing_in_the_system_temporary_directory() {
    let index = Index::new()
        .package(sdist("good", "1.0", &good_wheel("good")))
        .package(sdist("bad", "1.0", "raise SystemExit(3)"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let tmp = world.root.join("tmpdir");
    fs::create_dir(&tmp).unwrap();

    let args = world.pip_args(&["install", "good", "--python", env.arg()]);
    let out = world
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(entries(&tmp), Vec::<String>::new());

    let args = world.pip_args(&["install", "bad", "--python", env.arg()]);
    let out = world
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

/// A `build_wheel` body that writes a minimal wheel of `name` 1.0.
fn good_wheel(name: &str) -> String {
    format!(
        "import zipfile, os\n    \
         stem = '{name}-1.0'\n    \
         whl = stem + '-py3-none-any.whl'\n    \
         with zipfile.ZipFile(os.path.join(wheel_directory, whl), 'w') as z:\n        \
         z.writestr(stem + '.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0\\n')\n        \
         z.writestr(stem + '.dist-info/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n        \
         z.writestr(stem + '.dist-info/RECORD', '')\n    \
         return whl"
    )
}

/// Whether a process with this id is still running (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        }
        Err(_) => false,
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminated_posy_takes_its_build_backend_with_it() {
    for signal in ["TERM", "KILL"] {
        let world_pid_file = format!("backend-{signal}.pid");
        let index = Index::new().package(sdist(
            "slow",
            "1.0",
            "import os, time\n    \
             open(os.environ['POSY_TEST_PID_FILE'], 'w').write(str(os.getpid()))\n    \
             time.sleep(60)",
        ));
        let index = index.serve();
        let world = World::with_index(&index);
        let env = world.venv("env");
        let pid_file = world.root.join(&world_pid_file);
        let tmp = world.root.join("tmpdir");
        fs::create_dir(&tmp).unwrap();
        let args = world.pip_args(&["install", "slow", "--python", env.arg()]);
        let mut child = world
            .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .env("POSY_TEST_PID_FILE", &pid_file)
            .env("TMPDIR", &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();

        let deadline = Instant::now() + Duration::from_secs(60);
        let backend: u32 = loop {
            if let Ok(text) = fs::read_to_string(&pid_file)
                && let Ok(pid) = text.trim().parse()
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the backend never started");
            assert!(child.try_wait().unwrap().is_none(), "posy ended early");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(alive(backend));

        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = child.wait().unwrap();
        assert!(!status.success());

        let deadline = Instant::now() + Duration::from_secs(1);
        while alive(backend) {
            assert!(
                Instant::now() < deadline,
                "the backend {backend} outlived posy killed by SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(entries(&tmp), Vec::<String>::new());
    }
}
