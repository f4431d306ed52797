//! Building what the index has only as sdists, through the real binary:
//! the progress line per build, build requirements that are themselves
//! sdist-only (built one level down, with cycles refused by name), and
//! console scripts of build requirements that a backend runs.
//!
//! Every sdist here builds with a small backend shipped inside it
//! (`backend-path`), so nothing needs the public index: each package adds
//! its own `steps.py`, whose `before()` runs at the start of `build_wheel`.

mod common;

use common::World;
use posy_testkit::{BuildBackend, Index, Package};

/// A PEP 517 backend that runs the package's `steps.before()`, then zips
/// the top-level modules of the tree with `PKG-INFO` as the METADATA.
const BACKEND: &str = r#"
import base64, email.parser, hashlib, os, zipfile
import steps

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    steps.before()
    info = open("PKG-INFO", encoding="utf-8").read()
    fields = email.parser.Parser().parsestr(info)
    stem = "{}-{}".format(fields["Name"].replace("-", "_").lower(), fields["Version"])
    name = stem + "-py3-none-any.whl"
    lines = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as out:
        def put(path, data):
            out.writestr(path, data)
            digest = hashlib.sha256(data).digest()
            encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            lines.append("%s,sha256=%s,%d" % (path, encoded, len(data)))
        for module in sorted(os.listdir(".")):
            if module.endswith(".py"):
                put(module, open(module, "rb").read())
        put(stem + ".dist-info/METADATA", info.encode())
        put(stem + ".dist-info/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: pip_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        lines.append(stem + ".dist-info/RECORD,,")
        out.writestr(stem + ".dist-info/RECORD", "\n".join(lines) + "\n")
    return name
"#;

/// An sdist-only package built by [`BACKEND`] with `requires`, whose
/// `steps.before()` is `before` (a function body).
fn from_source(name: &str, requires: &[&str], before: &str) -> Package {
    let steps = format!("def before():\n    {before}\n");
    Package::new(name, "1.0")
        .file(&format!("{name}.py"), format!("NAME = {name:?}\n"))
        .sdist_file("backend/steps.py", steps)
        .sdist_file("backend/posy_test_backend.py", BACKEND)
        .build_backend(
            BuildBackend::new("posy_test_backend", requires.iter().copied())
                .backend_path(["backend"]),
        )
        .sdist_only()
}

#[test]
fn each_build_prints_a_line_as_uv_does() {
    let index = Index::new()
        .package(from_source("plain", &[], "pass"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "plain", "--python", env.arg()]);
    assert!(
        run.stderr
            .contains("   Building plain==1.0\n      Built plain==1.0\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.python_ok("import plain; print(plain.NAME)"), "plain");

    // A second environment gets the cached wheel: nothing is built.
    let other = world.venv("other");
    let run = world.pip_ok(&["install", "plain", "--python", other.arg()]);
    assert!(!run.stderr.contains("Building"), "{}", run.stderr);
}

#[test]
fn a_backend_runs_a_console_script_of_its_build_requirement() {
    let tool =
        "import sys\ndef main():\n    open(sys.argv[1], 'w').write('MADE_BY = \"make-gen\"\\n')\n";
    let index = Index::new()
        .package(
            Package::new("tooling", "1.0")
                .file("tooling.py", tool)
                .entry_point("console_scripts", "make-gen", "tooling:main"),
        )
        .package(from_source(
            "app",
            &["tooling"],
            "import subprocess; subprocess.check_call(['make-gen', 'gen.py'])",
        ))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "app", "--python", env.arg()]);
    assert_eq!(env.python_ok("import gen; print(gen.MADE_BY)"), "make-gen");
    assert_eq!(env.dist_infos(), ["app-1.0.dist-info"]);
}

#[test]
fn an_sdist_only_build_requirement_is_built_first() {
    let index = Index::new()
        .package(from_source("helper", &[], "pass"))
        .package(from_source(
            "app",
            &["helper"],
            "import helper; open('gen.py', 'w').write('FROM = %r\\n' % helper.NAME)",
        ))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_ok(&["install", "app", "--python", env.arg()]);
    assert_eq!(env.python_ok("import gen; print(gen.FROM)"), "helper");
    assert_eq!(env.dist_infos(), ["app-1.0.dist-info"]);
    let helper = run.stderr.find("Built helper==1.0").expect(&run.stderr);
    let app = run.stderr.find("Built app==1.0").expect(&run.stderr);
    assert!(helper < app, "{}", run.stderr);

    // `--only-binary` reaches build requirements: helper may not be built.
    let other = world.venv("other");
    let run = world.pip_fails(&[
        "install",
        "app",
        "--python",
        other.arg(),
        "--only-binary",
        "helper",
        "--reinstall",
        "-C",
        "fresh=1",
    ]);
    assert!(
        run.stderr
            .contains("failed to prepare a build environment for app==1.0 (requirements: helper)"),
        "{}",
        run.stderr
    );
    assert!(other.dist_infos().is_empty());
}

#[test]
fn a_cycle_of_build_requirements_is_refused_by_name() {
    let index = Index::new()
        .package(from_source("selfish", &["selfish"], "pass"))
        .package(from_source("x", &["y"], "pass"))
        .package(from_source("y", &["x"], "pass"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    let run = world.pip_fails(&["install", "selfish", "--python", env.arg()]);
    assert!(
        run.stderr.contains("cycle (selfish==1.0 -> selfish==1.0)"),
        "{}",
        run.stderr
    );
    let run = world.pip_fails(&["install", "x", "--python", env.arg()]);
    assert!(
        run.stderr.contains("cycle (x==1.0 -> y==1.0 -> x==1.0)"),
        "{}",
        run.stderr
    );
    // Both at once: two builds that each need the other must not wait on
    // each other's lock forever.
    let run = world.pip_fails(&["install", "x", "y", "--python", env.arg()]);
    assert!(run.stderr.contains("cycle ("), "{}", run.stderr);
    assert!(env.dist_infos().is_empty());
}

/// An sdist-only package (its metadata dynamic, so that even resolving it
/// builds it) whose build records what it saw, the interpreter running the
/// backend and the settings it was given, in a module `seen_NAME` of its
/// wheel, and in the file a `log` setting names, if any.
fn probe(name: &str) -> Package {
    let backend = BACKEND.replace("steps.before()", "steps.before(config_settings)");
    let steps = format!(
        "import sys\n\
         def before(config_settings):\n    \
         text = 'EXE = %r\\nSETTINGS = %r\\n' % (sys.executable, config_settings)\n    \
         open('seen_{name}.py', 'w').write(text)\n    \
         if config_settings and 'log' in config_settings:\n        \
         open(config_settings['log'], 'w').write(text)\n"
    );
    Package::new(name, "1.0")
        .metadata_version("2.1")
        .file(&format!("{name}.py"), "")
        .sdist_file("backend/steps.py", steps)
        .sdist_file("backend/posy_test_backend.py", backend)
        .build_backend(BuildBackend::new("posy_test_backend", []).backend_path(["backend"]))
        .sdist_only()
}

#[test]
fn config_settings_reach_the_backend_and_no_build_isolation_uses_the_target() {
    let index = Index::new().package(probe("probe")).serve();
    let world = World::with_index(&index);

    let env = world.venv("env");
    world.pip_ok(&[
        "install",
        "probe",
        "--python",
        env.arg(),
        "-C",
        "color=blue",
        "--config-settings",
        "color=red",
        "--no-build-isolation",
    ]);
    assert_eq!(
        env.python_ok("import seen_probe as seen; print(seen.SETTINGS)"),
        "{'color': ['blue', 'red']}"
    );
    let exe = env.python_ok("import seen_probe as seen; print(seen.EXE)");
    assert!(
        exe.starts_with(&env.arg().replace("/bin/python", "")),
        "built with {exe}, not the target environment's interpreter"
    );

    // Isolated (the default), with other settings: a new build, elsewhere.
    let other = world.venv("other");
    world.pip_ok(&[
        "install",
        "probe",
        "--python",
        other.arg(),
        "-C",
        "color=green",
    ]);
    assert_eq!(
        other.python_ok("import seen_probe as seen; print(seen.SETTINGS)"),
        "{'color': 'green'}"
    );
    let exe = other.python_ok("import seen_probe as seen; print(seen.EXE)");
    assert!(
        !exe.starts_with(&other.arg().replace("/bin/python", "")),
        "{exe}"
    );

    let run = world.pip_fails(&[
        "install",
        "probe",
        "--python",
        other.arg(),
        "-C",
        "nonsense",
    ]);
    assert!(
        run.stderr.contains("invalid config setting \"nonsense\""),
        "{}",
        run.stderr
    );
}

#[test]
fn per_package_build_settings_reach_only_their_package() {
    let index = Index::new()
        .package(probe("probe"))
        .package(probe("other"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&[
        "install",
        "probe",
        "other",
        "--python",
        env.arg(),
        "-C",
        "color=red",
        "--config-settings-package",
        "probe:color=blue",
        "--config-settings-package",
        "probe:size=big",
        "--no-build-isolation-package",
        "PROBE",
    ]);
    assert_eq!(
        env.python_ok("import seen_probe as s; print(s.SETTINGS)"),
        "{'color': ['blue', 'red'], 'size': 'big'}"
    );
    assert_eq!(
        env.python_ok("import seen_other as s; print(s.SETTINGS)"),
        "{'color': 'red'}"
    );
    let built_in_env = |module: &str| {
        env.python_ok(&format!("import {module} as s; print(s.EXE)"))
            .starts_with(env.arg())
    };
    assert!(
        built_in_env("seen_probe"),
        "probe is built without isolation"
    );
    assert!(!built_in_env("seen_other"), "other is built in isolation");

    // `pip compile` builds them to read their metadata, with the same rules.
    let log = |name: &str| world.root.join(format!("{name}.log"));
    world.write("requirements.in", "probe\nother\n");
    world.pip_ok(&[
        "compile",
        "requirements.in",
        "--python",
        env.arg(),
        "--config-settings-package",
        &format!("probe:log={}", log("probe").display()),
        "--config-settings-package",
        &format!("other:log={}", log("other").display()),
        "--no-build-isolation-package",
        "other",
    ]);
    let seen = |name: &str| std::fs::read_to_string(log(name)).unwrap();
    assert!(!seen("probe").contains(env.arg()), "{}", seen("probe"));
    assert!(
        seen("other").contains(&format!("EXE = '{}", env.arg())),
        "{}",
        seen("other")
    );

    // And `pip sync` builds the pins with them.
    let fresh = world.venv("fresh");
    world.write("pins.txt", "probe==1.0\n");
    world.pip_ok(&[
        "sync",
        "pins.txt",
        "--python",
        fresh.arg(),
        "--config-settings-package",
        "probe:color=green",
        "--no-build-isolation-package",
        "probe",
    ]);
    assert_eq!(
        fresh.python_ok("import seen_probe as s; print(s.SETTINGS)"),
        "{'color': 'green'}"
    );
    let exe = fresh.python_ok("import seen_probe as s; print(s.EXE)");
    assert!(exe.starts_with(fresh.arg()), "{exe}");

    for bad in ["probe", "probe:nonsense", ":color=red"] {
        let run = world.pip_fails(&[
            "install",
            "probe",
            "--python",
            env.arg(),
            "--config-settings-package",
            bad,
        ]);
        assert!(
            run.stderr
                .contains(&format!("invalid --config-settings-package `{bad}`")),
            "{}",
            run.stderr
        );
    }
}
