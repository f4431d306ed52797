//! `posy publish` and the shared build cache against real index servers
//! (pypiserver, devpi-server; see `common/servers.rs`), with packages from
//! posy-testkit's local index: publish, re-publish skipped by
//! `--check-url`, credentials required and refused, the server's own
//! message on a 4xx; builds shared by several empty caches, and the
//! failures of a build cache (unreachable, 5xx, a corrupt wheel).

mod common;

use common::World;
use common::servers::{self, Server};
use posy_testkit::{BuildBackend, Fault, Index, Package};

/// A world whose runs ignore the developer's netrc and upload settings.
fn world() -> World {
    let world = World::new();
    world.write("netrc", "");
    world
}

fn run(world: &World, args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut command = world.command(args);
    command.env("NETRC", world.root.join("netrc"));
    for var in [
        "POSY_PUBLISH_TOKEN",
        "POSY_PUBLISH_USERNAME",
        "POSY_PUBLISH_PASSWORD",
        "POSY_PUBLISH_URL",
        "POSY_PUBLISH_CHECK_URL",
        "POSY_BUILD_CACHE",
        "POSY_BUILD_CACHE_UPLOAD",
    ] {
        command.env_remove(var);
    }
    command.envs(envs.iter().copied());
    command.output().unwrap()
}

#[track_caller]
fn ok(world: &World, args: &[&str], envs: &[(&str, &str)]) -> String {
    let output = run(world, args, envs);
    let stderr = common::stderr(&output);
    assert!(output.status.success(), "posy {args:?} failed:\n{stderr}");
    stderr
}

#[track_caller]
fn fails(world: &World, args: &[&str], envs: &[(&str, &str)]) -> String {
    let output = run(world, args, envs);
    let stderr = common::stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "posy {args:?} should fail:\n{stderr}"
    );
    stderr
}

/// A wheel and an sdist of `demo 1.0` in the world's `dist/`.
fn dist(world: &World) {
    let dir = world.root.join("dist");
    std::fs::create_dir_all(&dir).unwrap();
    for artifact in Package::new("demo", "1.0")
        .summary("A demo")
        .file("demo.py", "X = 1\n")
        .with_sdist()
        .build()
        .unwrap()
    {
        artifact.write_to(&dir).unwrap();
    }
}

#[test]
fn publish_then_check_url_skips_and_a_conflict_names_the_file_and_the_servers_words() {
    let server = servers::pypiserver(None);
    let world = world();
    dist(&world);
    let upload = server.base();
    let check = format!("{}simple/", server.base());

    let stderr = ok(&world, &["publish", "--publish-url", &upload], &[]);
    assert!(
        stderr.contains("Uploaded demo-1.0-py3-none-any.whl"),
        "{stderr}"
    );
    assert!(stderr.contains("Uploaded demo-1.0.tar.gz"), "{stderr}");
    assert_eq!(
        server.files(),
        ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    );

    // A retried job: the index has both, with the same content.
    let stderr = ok(
        &world,
        &["publish", "--publish-url", &upload, "--check-url", &check],
        &[],
    );
    assert!(stderr.contains("Skipped demo-1.0.tar.gz"), "{stderr}");
    assert!(
        stderr.contains("Published 0 files (2 already there)"),
        "{stderr}"
    );

    // Without the check, the server's 409 is shown with the file and a hint.
    let stderr = fails(&world, &["publish", "--publish-url", &upload], &[]);
    assert!(
        stderr.contains("the upload of demo-1.0.tar.gz to http://127.0.0.1:")
            && stderr.contains("(409 Conflict): Package 'demo-1.0.tar.gz' already exists!"),
        "{stderr}"
    );
    assert!(stderr.contains("--check-url"), "{stderr}");

    // The same name with other content is never "already there".
    let dir = world.root.join("other");
    std::fs::create_dir_all(&dir).unwrap();
    for artifact in Package::new("demo", "1.0")
        .file("demo.py", "X = 2\n")
        .build()
        .unwrap()
    {
        artifact.write_to(&dir).unwrap();
    }
    let stderr = fails(
        &world,
        &[
            "publish",
            "other",
            "--publish-url",
            &upload,
            "--check-url",
            &check,
        ],
        &[],
    );
    assert!(
        stderr.contains("already on") && stderr.contains("other content"),
        "{stderr}"
    );
}

#[test]
fn publish_needs_credentials_and_reports_refused_ones_without_showing_them() {
    let server = servers::pypiserver(Some(("ci", "s3cret-pw")));
    let world = world();
    dist(&world);
    let upload = server.base();

    let stderr = fails(&world, &["publish", "--publish-url", &upload], &[]);
    assert!(
        stderr.contains("refused (401") || stderr.contains("refused (403"),
        "{stderr}"
    );
    assert!(stderr.contains("requires credentials"), "{stderr}");

    let stderr = fails(
        &world,
        &[
            "publish",
            "--publish-url",
            &upload,
            "-u",
            "ci",
            "-p",
            "wrong-pw",
        ],
        &[],
    );
    assert!(stderr.contains("credentials were refused"), "{stderr}");
    assert!(
        !stderr.contains("wrong-pw"),
        "a credential was printed: {stderr}"
    );
    assert!(server.files().is_empty());

    let stderr = ok(
        &world,
        &["publish", "dist/demo-1.0.tar.gz", "--publish-url", &upload],
        &[
            ("POSY_PUBLISH_USERNAME", "ci"),
            ("POSY_PUBLISH_PASSWORD", "s3cret-pw"),
        ],
    );
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
    // netrc, by host.
    world.write("netrc", "machine 127.0.0.1 login ci password s3cret-pw\n");
    ok(
        &world,
        &[
            "publish",
            "dist/demo-1.0-py3-none-any.whl",
            "--publish-url",
            &upload,
        ],
        &[],
    );
    assert_eq!(
        server.files(),
        ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    );
}

#[test]
fn publish_to_devpi_with_check_url_and_install_from_it() {
    let server = servers::devpi("root-pw", true);
    let world = world();
    dist(&world);
    let upload = format!("{}root/dev/", server.base());
    let simple = format!("{}root/dev/+simple/", server.base());

    let stderr = fails(
        &world,
        &[
            "publish",
            "--publish-url",
            &upload,
            "-u",
            "root",
            "-p",
            "nope",
        ],
        &[],
    );
    assert!(stderr.contains("credentials were refused"), "{stderr}");
    let creds = [
        ("POSY_PUBLISH_USERNAME", "root"),
        ("POSY_PUBLISH_PASSWORD", "root-pw"),
    ];
    ok(&world, &["publish", "--publish-url", &upload], &creds);
    let stderr = ok(
        &world,
        &["publish", "--publish-url", &upload, "--check-url", &simple],
        &creds,
    );
    assert!(stderr.contains("(2 already there)"), "{stderr}");

    let env = world.venv("env");
    world.ok(&[
        "pip",
        "install",
        "demo",
        "--index-url",
        &simple,
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.python_ok("import demo; print(demo.X)"), "1");
}

/// An sdist-only package whose wheel the backend shipped inside it builds.
fn from_source(name: &str) -> Package {
    Package::new(name, "1.0")
        .file(&format!("{name}.py"), format!("NAME = {name:?}\n"))
        .sdist_file("backend/posy_fleet_backend.py", common::SDIST_BACKEND)
        .build_backend(BuildBackend::new("posy_fleet_backend", []).backend_path(["backend"]))
        .sdist_only()
}

/// `posy pip install PACKAGES` in a new venv of a world of its own (an
/// empty cache: a new machine), with the build cache flags `cache`.
fn machine(
    index: &posy_testkit::IndexServer,
    packages: &[&str],
    cache: &[&str],
) -> (World, String) {
    let world = World::with_index(index);
    world.write("netrc", "");
    let env = world.venv("env");
    let mut args: Vec<String> = world.pip_args(&["install"]);
    args.extend(packages.iter().map(|p| p.to_string()));
    args.extend(["--python".into(), env.arg().into()]);
    args.extend(cache.iter().map(|c| c.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stderr = ok(&world, &args, &[]);
    for package in packages {
        assert_eq!(
            env.python_ok(&format!("import {package}; print({package}.NAME)")),
            *package
        );
    }
    (world, stderr)
}

fn installed(world: &World, module: &str) -> Vec<u8> {
    let env = common::Env::at(world.root.join("env"));
    std::fs::read(env.site_packages().join(format!("{module}.py"))).unwrap()
}

fn cache_flags(server: &Server) -> [String; 4] {
    [
        "--build-cache".into(),
        format!("{}simple/", server.base()),
        "--build-cache-upload".into(),
        server.base(),
    ]
}

#[test]
fn machines_with_empty_caches_share_builds_through_the_build_cache() {
    let index = Index::new()
        .package(from_source("alpha"))
        .package(from_source("beta"))
        .serve();
    let server = servers::pypiserver(None);
    let flags = cache_flags(&server);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();

    let (first, stderr) = machine(&index, &["alpha", "beta"], &flags);
    assert!(stderr.contains("Built alpha==1.0"), "{stderr}");
    assert!(
        stderr.contains("Uploaded beta==1.0 to the build cache"),
        "{stderr}"
    );
    let files = server.files();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.contains("-1.0-0posy") && f.ends_with("-py3-none-any.whl")),
        "the identity is carried as a build tag: {files:?}"
    );

    for _ in 0..2 {
        let (other, stderr) = machine(&index, &["alpha", "beta"], &flags);
        assert!(!stderr.contains("Build"), "built again:\n{stderr}");
        assert!(
            stderr.contains("Fetched alpha==1.0 from the build cache"),
            "{stderr}"
        );
        assert_eq!(installed(&other, "alpha"), installed(&first, "alpha"));
        assert_eq!(server.files(), files, "uploaded again");
    }

    // Other build settings are another identity: built, and uploaded beside.
    let mut settings = flags.clone();
    settings.extend(["-C", "mode=fast"]);
    let (_, stderr) = machine(&index, &["alpha"], &settings);
    assert!(stderr.contains("Built alpha==1.0"), "{stderr}");
    assert_eq!(server.files().len(), 3);
}

#[test]
fn an_unreachable_or_failing_build_cache_warns_once_and_builds_locally() {
    let index = Index::new()
        .package(from_source("alpha"))
        .package(from_source("beta"))
        .serve();
    let closed = format!(
        "http://127.0.0.1:{}/simple/",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let (_, stderr) = machine(&index, &["alpha", "beta"], &["--build-cache", &closed]);
    assert_eq!(stderr.matches("cannot be used").count(), 1, "{stderr}");
    assert!(
        stderr.contains("Built alpha==1.0") && stderr.contains("Built beta==1.0"),
        "{stderr}"
    );

    let failing = Index::new().fault(Fault::Status(503).on("*")).serve();
    let url = failing.url();
    let (_, stderr) = machine(&index, &["alpha", "beta"], &["--build-cache", &url]);
    assert_eq!(stderr.matches("cannot be used").count(), 1, "{stderr}");
    assert!(stderr.contains("503"), "{stderr}");
    assert!(stderr.contains("Built beta==1.0"), "{stderr}");
}

#[test]
fn a_corrupt_wheel_in_the_build_cache_is_refused_and_an_upload_refusal_keeps_the_local_build() {
    let index = Index::new().package(from_source("alpha")).serve();
    let server = servers::pypiserver(None);
    let flags = cache_flags(&server);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    machine(&index, &["alpha"], &flags);
    let [wheel] = &server.files()[..] else {
        panic!("{:?}", server.files())
    };
    // The index lists the corrupt file with its (matching) hash: only the
    // content check can catch it.
    std::fs::write(
        server.dir.path().join("packages").join(wheel),
        b"PK\x03\x04garbage",
    )
    .unwrap();

    let (_, stderr) = machine(&index, &["alpha"], &flags);
    assert!(
        stderr.contains("refusing the build cache's wheel for alpha==1.0"),
        "{stderr}"
    );
    assert!(stderr.contains("Built alpha==1.0"), "{stderr}");

    // An upload the server refuses (here: no credentials) is a warning.
    let locked = servers::pypiserver(Some(("ci", "pw")));
    let flags = cache_flags(&locked);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (_, stderr) = machine(&index, &["alpha"], &flags);
    assert!(
        stderr.contains("the build cache did not take alpha-1.0-0posy"),
        "{stderr}"
    );
    assert!(locked.files().is_empty());
}
