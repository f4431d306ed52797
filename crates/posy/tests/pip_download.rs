//! `posy pip download` and `posy pip wheel` end to end: one run fills a
//! wheelhouse for a matrix of Pythons × platforms from a local index, each
//! target gets the file it would install, each file is fetched once, a
//! second run changes nothing, a wrong file is replaced, a target with no
//! file is named, a full disk is reported, and the simple index written
//! over the wheelhouse serves pip and posy.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use common::{Run, World};
use posy_testkit::{BuildBackend, Index, IndexServer, Package};

/// `nat 1.0` has wheels for CPython 3.11 on manylinux x86_64 and macOS
/// arm64, for 3.12 on Windows, and a pure fallback; it needs `pure` and,
/// on Windows only, `winonly`.
fn matrix_index() -> Index {
    let nat = Package::new("nat", "1.0")
        .file("nat.py", "KIND = 'native'\n")
        .dep("pure")
        .dep("winonly ; sys_platform == 'win32'")
        .tag("cp311-cp311-manylinux_2_28_x86_64")
        .tag("cp311-cp311-macosx_11_0_arm64")
        .tag("cp312-cp312-win_amd64")
        .tag("py3-none-any");
    Index::new()
        .package(nat)
        .package(Package::new("pure", "1.0").file("pure.py", "V = 1\n"))
        .package(Package::new("winonly", "1.0").file("winonly.py", ""))
}

/// `posy pip download|wheel ARGS --index-url INDEX` in the world.
fn fetch(world: &World, index: &IndexServer, args: &[&str]) -> std::process::Output {
    let mut all = vec!["pip"];
    all.extend(args);
    let url = index.url();
    all.extend(["--index-url", &url]);
    world.posy(&all)
}

#[track_caller]
fn fetch_ok(world: &World, index: &IndexServer, args: &[&str]) -> Run {
    let output = fetch(world, index, args);
    assert!(
        output.status.success(),
        "posy {args:?} failed:\n{}",
        common::stderr(&output)
    );
    Run::from(output)
}

/// File name → modification time of every file in `dir`.
fn listing(dir: &Path) -> BTreeMap<String, SystemTime> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// `download nat` for CPython 3.11 and 3.12 on manylinux x86_64.
fn matrix() -> Vec<&'static str> {
    vec![
        "download",
        "nat",
        "--python-version",
        "3.11",
        "--python-version",
        "3.12",
        "--python-platform",
        "x86_64-manylinux_2_28",
    ]
}

#[test]
fn one_run_fills_the_matrix_each_file_once_and_a_second_run_changes_nothing() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    let mut args = matrix();
    // pip's spelling of a platform is accepted too.
    args.extend(["--platform", "win_amd64", "-d", "wh"]);
    let run = fetch_ok(&world, &index, &args);
    assert!(
        run.stderr.contains("5 files for 4 targets"),
        "{}",
        run.stderr
    );
    let wh = world.root.join("wh");
    let files: Vec<String> = listing(&wh).into_keys().collect();
    // 3.11 on Linux: its own wheel; 3.12 on Linux and 3.11 on Windows: the
    // pure one; 3.12 on Windows: its own; `winonly` only for Windows; the
    // macOS wheel for no one.
    assert_eq!(
        files,
        [
            "nat-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
            "nat-1.0-cp312-cp312-win_amd64.whl",
            "nat-1.0-py3-none-any.whl",
            "pure-1.0-py3-none-any.whl",
            "winonly-1.0-py3-none-any.whl",
        ]
    );
    // Each file downloaded once, though several targets need it.
    let downloads = index.full_downloads();
    assert_eq!(downloads.len(), 5, "{downloads:?}");
    for file in &files {
        let bytes = std::fs::read(wh.join(file)).unwrap();
        assert_eq!(bytes, index.artifact(file).unwrap().bytes(), "{file}");
    }

    // Again: nothing fetched, nothing rewritten.
    let before = listing(&wh);
    index.clear_requests();
    let again = fetch_ok(&world, &index, &args);
    assert!(
        again.stderr.contains("(5 already there, 0 written)"),
        "{}",
        again.stderr
    );
    assert!(index.full_downloads().is_empty());
    assert_eq!(listing(&wh), before);

    // A file whose bytes are wrong is replaced, and the run says so.
    let pure = wh.join("pure-1.0-py3-none-any.whl");
    std::fs::write(&pure, b"not the wheel").unwrap();
    let fixed = fetch_ok(&world, &index, &args);
    assert!(
        fixed
            .stderr
            .contains("pure-1.0-py3-none-any.whl had sha256")
            && fixed.stderr.contains("replaced it"),
        "{}",
        fixed.stderr
    );
    assert_eq!(
        std::fs::read(&pure).unwrap(),
        index.artifact("pure-1.0-py3-none-any.whl").unwrap().bytes()
    );
    // No temporary file is left behind.
    assert_eq!(listing(&wh).len(), 5, "{:?}", listing(&wh));
}

#[test]
fn no_deps_fetches_only_what_is_named() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    let mut args = matrix();
    args.extend(["--no-deps", "-d", "wh"]);
    fetch_ok(&world, &index, &args);
    let files: Vec<String> = listing(&world.root.join("wh")).into_keys().collect();
    assert_eq!(
        files,
        [
            "nat-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
            "nat-1.0-py3-none-any.whl",
        ]
    );
}

#[test]
fn a_target_with_no_file_is_named_and_the_rest_is_fetched() {
    let index = Index::new()
        .package(
            Package::new("linuxonly", "1.0")
                .file("linuxonly.py", "")
                .tag("cp311-cp311-manylinux_2_28_x86_64"),
        )
        .package(Package::new("pure", "1.0").file("pure.py", ""))
        .serve();
    let world = World::with_index(&index);
    let output = fetch(
        &world,
        &index,
        &[
            "download",
            "linuxonly",
            "pure",
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--python-platform",
            "aarch64-apple-darwin",
            "-d",
            "wh",
        ],
    );
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Python 3.11 on aarch64-apple-darwin") && stderr.contains("linuxonly"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let files: Vec<String> = listing(&world.root.join("wh")).into_keys().collect();
    assert_eq!(
        files,
        [
            "linuxonly-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
            "pure-1.0-py3-none-any.whl"
        ]
    );

    // With sdists not allowed, a pin that has only one is named with the target.
    let index = Index::new()
        .package(Package::new("src", "1.0").file("src.py", "").with_sdist())
        .serve();
    let world = World::with_index(&index);
    fetch_ok(
        &world,
        &index,
        &[
            "download",
            "src",
            "--python-version",
            "3.12",
            "--python-platform",
            "windows",
            "--only-binary",
            ":all:",
            "-d",
            "wh",
        ],
    );
    assert_eq!(
        listing(&world.root.join("wh"))
            .into_keys()
            .collect::<Vec<_>>(),
        ["src-1.0-py3-none-any.whl"]
    );
    // And with wheels not allowed, the sdist (for this machine, where it
    // can be read).
    fetch_ok(
        &world,
        &index,
        &["download", "src", "--no-binary", ":all:", "-d", "sdists"],
    );
    assert_eq!(
        listing(&world.root.join("sdists"))
            .into_keys()
            .collect::<Vec<_>>(),
        ["src-1.0.tar.gz"]
    );
}

#[test]
fn a_platform_that_is_neither_form_lists_both() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    let output = fetch(
        &world,
        &index,
        &["download", "nat", "--platform", "solaris_sparc", "-d", "wh"],
    );
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("solaris_sparc")
            && stderr.contains("x86_64-manylinux_2_28")
            && stderr.contains("manylinux_2_28_x86_64"),
        "{stderr}"
    );
    assert!(!world.root.join("wh").exists());

    // Nothing asked for is a mistake, not an empty wheelhouse.
    let output = fetch(&world, &index, &["download", "-d", "wh"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing to fetch"), "{stderr}");
}

#[test]
fn a_lock_as_input_fetches_exactly_its_files_for_each_target() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    world.write("req.in", "nat\n");
    world.pip_ok(&[
        "compile",
        "req.in",
        "--universal",
        "--python-version",
        "3.11",
        "-o",
        "pylock.toml",
    ]);
    // The lock names the index; no other index is asked.
    let output = world.posy(&[
        "pip",
        "download",
        "pylock.toml",
        "--python-version",
        "3.11",
        "--python-platform",
        "aarch64-apple-darwin",
        "-d",
        "wh",
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let files: Vec<String> = listing(&world.root.join("wh")).into_keys().collect();
    assert_eq!(
        files,
        [
            "nat-1.0-cp311-cp311-macosx_11_0_arm64.whl",
            "pure-1.0-py3-none-any.whl"
        ]
    );
}

#[test]
fn universal_fetches_every_wheel_of_the_blueprint() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    fetch_ok(
        &world,
        &index,
        &[
            "download",
            "nat",
            "--universal",
            "--python-version",
            "3.11",
            "-d",
            "wh",
        ],
    );
    assert_eq!(listing(&world.root.join("wh")).len(), 6);
}

#[test]
fn the_index_written_over_a_wheelhouse_serves_pip_and_posy() {
    let index = matrix_index().serve();
    let world = World::with_index(&index);
    let mut args = matrix();
    args.extend(["-d", "wh", "--index-out", "wh/simple"]);
    let run = fetch_ok(&world, &index, &args);
    assert!(
        run.stderr.contains("simple index of 2 projects"),
        "{}",
        run.stderr
    );
    let simple = world.root.join("wh/simple");
    let page = std::fs::read_to_string(simple.join("nat/index.html")).unwrap();
    let artifact = index.artifact("nat-1.0-py3-none-any.whl").unwrap();
    assert!(
        page.contains(&format!(
            "href=\"../../nat-1.0-py3-none-any.whl#sha256={}\"",
            artifact.sha256()
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "data-core-metadata=\"sha256={}\"",
            artifact.metadata_sha256().unwrap()
        )),
        "{page}"
    );
    assert_eq!(
        std::fs::read(world.root.join("wh/nat-1.0-py3-none-any.whl.metadata")).unwrap(),
        artifact.metadata().unwrap()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(simple.join("nat/index.json")).unwrap())
            .unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), 2);
    assert_eq!(json["meta"]["api-version"], "1.1");

    // pip reads it as an index, with no other source.
    let url = format!("file://{}", simple.display());
    let pip = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-cache-dir",
            "--index-url",
            &url,
        ])
        .args([
            "--only-binary",
            ":all:",
            "--platform",
            "manylinux_2_28_x86_64",
        ])
        .args(["--python-version", "3.11", "-d"])
        .arg(world.root.join("pip-out"))
        .arg("nat")
        .output()
        .unwrap();
    assert!(pip.status.success(), "{}", common::stderr(&pip));
    let got: Vec<String> = listing(&world.root.join("pip-out")).into_keys().collect();
    assert_eq!(
        got,
        [
            "nat-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
            "pure-1.0-py3-none-any.whl"
        ]
    );

    // posy installs from it, also with no other source.
    let env = world.venv("env");
    world.ok(&[
        "pip",
        "install",
        "nat",
        "--index-url",
        &url,
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.python_ok("import nat, pure; print(pure.V)"), "1");

    // `posy index build` writes the same index.
    let rebuilt = world.ok(&["index", "build", "wh", "-o", "again"]);
    assert_eq!(
        rebuilt.stdout.trim(),
        format!("file://{}", world.root.join("again").display())
    );
    let again = std::fs::read_to_string(world.root.join("again/nat/index.html")).unwrap();
    assert_eq!(again, page.replace("../../", "../../wh/"));
}

/// A PEP 517 backend inside the sdist: zips the top-level modules with
/// `PKG-INFO` as the METADATA into a `py3-none-any` wheel.
const BACKEND: &str = r#"
import base64, email.parser, hashlib, os, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
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
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        lines.append(stem + ".dist-info/RECORD,,")
        out.writestr(stem + ".dist-info/RECORD", "\n".join(lines) + "\n")
    return name
"#;

#[test]
fn pip_wheel_builds_the_hosts_sdists_and_names_the_targets_it_cannot() {
    let index = Index::new()
        .package(
            Package::new("fromsrc", "1.0")
                .file("fromsrc.py", "V = 'built'\n")
                .dep("pure")
                .sdist_file("backend/wheelhouse_test_backend.py", BACKEND)
                .build_backend(
                    BuildBackend::new("wheelhouse_test_backend", Vec::<&str>::new())
                        .backend_path(["backend"]),
                )
                .sdist_only(),
        )
        .package(Package::new("pure", "1.0").file("pure.py", ""))
        .serve();
    let world = World::with_index(&index);
    let run = fetch_ok(&world, &index, &["wheel", "fromsrc", "-w", "wheels"]);
    assert!(run.stderr.contains("1 built"), "{}", run.stderr);
    let files: Vec<String> = listing(&world.root.join("wheels")).into_keys().collect();
    assert_eq!(
        files,
        ["fromsrc-1.0-py3-none-any.whl", "pure-1.0-py3-none-any.whl"]
    );
    // The wheelhouse installs with no index.
    let env = world.venv("env");
    world.ok(&[
        "pip",
        "install",
        "fromsrc",
        "--no-index",
        "--find-links",
        "wheels",
        "--python",
        env.arg(),
    ]);
    assert_eq!(env.python_ok("import fromsrc; print(fromsrc.V)"), "built");

    // Another platform's sdist cannot be built here: named, exit 1. (A
    // lock says which file each platform takes without a resolution.)
    world.write("req.in", "fromsrc\n");
    world.pip_ok(&["compile", "req.in", "--universal", "-o", "pylock.toml"]);
    let output = world.posy(&[
        "pip",
        "wheel",
        "pylock.toml",
        "--python-version",
        "3.12",
        "--python-platform",
        "windows",
        "-w",
        "win",
    ]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("fromsrc has only a source distribution for Python 3.12 on windows, which cannot be built here"),
        "{stderr}"
    );
    assert_eq!(
        listing(&world.root.join("win"))
            .into_keys()
            .collect::<Vec<_>>(),
        ["pure-1.0-py3-none-any.whl"]
    );
}

/// A small tmpfs mounted for one test, unmounted when dropped (mounting
/// needs root, which CI has; elsewhere the test fails rather than pass
/// without checking anything).
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: std::path::PathBuf, size: &str) -> SmallDisk {
        std::fs::create_dir_all(&at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        SmallDisk(at)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_reported_and_leaves_no_partial_file() {
    // Random bytes do not compress: a 3 MB wheel for a 1 MB disk.
    let mut noise = vec![0u8; 3 << 20];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for byte in &mut noise {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    let index = Index::new()
        .package(Package::new("big", "1.0").file("big.bin", &noise))
        .package(Package::new("small", "1.0").file("small.py", ""))
        .serve();
    let world = World::with_index(&index);
    let disk = SmallDisk::mount(world.root.join("disk"), "1m");
    let output = fetch(
        &world,
        &index,
        &[
            "download",
            "big",
            "small",
            "--python-version",
            "3.11",
            "--python-platform",
            "linux",
            "-d",
            "disk/wh",
        ],
    );
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("No space left on device") && stderr.contains("big-1.0-py3-none-any.whl"),
        "{stderr}"
    );
    // Whatever made it is whole; the big one left nothing behind, not even
    // a temporary file (the small one may have met the full disk too).
    let files: Vec<String> = listing(&disk.0.join("wh")).into_keys().collect();
    assert!(
        files.is_empty() || files == ["small-1.0-py3-none-any.whl"],
        "{files:?}"
    );
    for file in &files {
        assert_eq!(
            std::fs::read(disk.0.join("wh").join(file)).unwrap(),
            index.artifact(file).unwrap().bytes()
        );
    }
}
