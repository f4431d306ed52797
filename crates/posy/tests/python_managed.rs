//! Managed Python: `posy python install / list / find / pin / uninstall /
//! upgrade`, automatic installs with no Python on `PATH`, and the
//! interpreter build named in the lock.
//!
//! The archive is built once per test run, as the acceptance script does:
//! pyenv's CPython 3.12.1 copied into python-build-standalone's
//! `install_only` layout (`python/` at the top, libpython found through
//! `$ORIGIN` with patchelf, the build prefix recorded as `/install`), then
//! served from 127.0.0.1 by a small HTTP server that can also cut a body
//! short. Each test writes its own downloads table (uv's
//! `download-metadata.json` format) and points `POSY_PYTHON_DOWNLOADS_JSON_URL`
//! at it. CI has pyenv's 3.12.1 and patchelf (`.ci/run`).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{World, stderr};

const VERSION: &str = "3.12.1";

/// The archive and the server, shared by every test of the run.
struct Fixture {
    _dir: tempfile::TempDir,
    name: String,
    sha256: String,
    /// The same interpreter as a PyBI.
    pybi: String,
    pybi_sha256: String,
    /// `http://127.0.0.1:PORT`.
    base: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn run(cmd: &mut Command) {
    let output = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        output.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// pyenv's root: `$PYENV_ROOT`, else `~/.pyenv`.
fn pyenv_root() -> PathBuf {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
        .expect("PYENV_ROOT or HOME")
}

fn build_fixture() -> Fixture {
    let source = pyenv_root().join("versions").join(VERSION);
    assert!(
        source.join("bin/python3.12").is_file(),
        "these tests build their archive from pyenv's Python {VERSION} at {} (CI installs it)",
        source.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let build = dir.path().join("build");
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(&build).unwrap();
    std::fs::create_dir_all(&mirror).unwrap();
    let python = build.join("python");
    run(Command::new("cp").arg("-a").arg(&source).arg(&python));
    // Smaller and faster to pack: no test suite, no bytecode.
    for dir in [
        "lib/python3.12/test",
        "lib/python3.12/idlelib",
        "lib/python3.12/tkinter",
    ] {
        let _ = std::fs::remove_dir_all(python.join(dir));
    }
    run(Command::new("find").arg(&python).args([
        "-name",
        "__pycache__",
        "-prune",
        "-exec",
        "rm",
        "-rf",
        "{}",
        "+",
    ]));
    run(Command::new("patchelf")
        .args(["--set-rpath", "$ORIGIN/../lib"])
        .arg(python.join("bin/python3.12")));
    // As in python-build-standalone, the recorded build prefix is /install.
    let prefix = source.to_string_lossy().to_string();
    let stdlib = python.join("lib/python3.12");
    for entry in std::fs::read_dir(&stdlib)
        .unwrap()
        .chain(std::fs::read_dir(python.join("lib/pkgconfig")).unwrap())
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if (name.starts_with("_sysconfigdata_") && name.ends_with(".py")) || name.ends_with(".pc") {
            if std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace(&prefix, "/install")).unwrap();
        }
    }
    // The same tree as a PyBI (PEP 711), made by the interpreter itself.
    let pybi = format!("cpython-{VERSION}-manylinux_2_17_x86_64.pybi");
    run(Command::new(source.join("bin/python3.12"))
        .args(["-c", MAKE_PYBI])
        .arg(&python)
        .arg(mirror.join(&pybi)));
    let name = format!("cpython-{VERSION}+20990101-x86_64-unknown-linux-gnu-install_only.tar.gz");
    run(Command::new("tar")
        .arg("-C")
        .arg(&build)
        .arg("-czf")
        .arg(mirror.join(&name))
        .arg("python"));
    std::fs::remove_dir_all(&build).unwrap();
    let sha256 = sha256_of(&mirror.join(&name));
    let pybi_sha256 = sha256_of(&mirror.join(&pybi));
    let base = serve(mirror);
    Fixture {
        _dir: dir,
        name,
        sha256,
        pybi,
        pybi_sha256,
        base,
    }
}

fn sha256_of(path: &Path) -> String {
    let sums = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(sums.stdout).unwrap()[..64].to_string()
}

/// `python MAKE_PYBI TREE OUT.pybi`: zips TREE with a `pybi-info/`
/// (PYBI, METADATA with the running interpreter's marker values, paths and
/// tags, RECORD listing symlinks as `symlink=TARGET`).
const MAKE_PYBI: &str = r#"
import hashlib, base64, json, os, platform, sys, sysconfig, zipfile
tree, out = sys.argv[1], sys.argv[2]
markers = {
    "implementation_name": sys.implementation.name,
    "implementation_version": "%d.%d.%d" % sys.implementation.version[:3],
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_full_version": platform.python_version(),
    "python_version": "%d.%d" % sys.version_info[:2], "sys_platform": sys.platform,
}
v = "%d%d" % sys.version_info[:2]
paths = {"scripts": "bin", "stdlib": "lib/python3.12", "purelib": "lib/python3.12/site-packages",
         "platlib": "lib/python3.12/site-packages", "include": "include/python3.12", "data": "."}
meta = ["Metadata-Version: 2.2", "Name: cpython", "Version: " + platform.python_version(),
        "Pybi-Environment-Marker-Variables: " + json.dumps(markers),
        "Pybi-Paths: " + json.dumps(paths),
        "Pybi-Wheel-Tag: cp%s-cp%s-PLATFORM" % (v, v), "Pybi-Wheel-Tag: cp%s-abi3-PLATFORM" % v,
        "Pybi-Wheel-Tag: py3-none-any", ""]
record = []
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    for root, dirs, files in os.walk(tree):
        for name in sorted(dirs + files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, tree)
            if os.path.islink(full):
                record.append("%s,symlink=%s," % (rel, os.readlink(full)))
                if name in dirs:
                    dirs.remove(name)
            elif os.path.isfile(full):
                z.write(full, rel)
                data = open(full, "rb").read()
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                record.append("%s,sha256=%s,%d" % (rel, digest, len(data)))
    z.writestr("pybi-info/PYBI", "Pybi-Version: 1.0\nGenerator: posy-test\nTag: manylinux_2_17_x86_64\n")
    z.writestr("pybi-info/METADATA", "\n".join(meta))
    z.writestr("pybi-info/RECORD", "\n".join(record + ["pybi-info/RECORD,,"]) + "\n")
"#;

/// Serves `dir` over HTTP/1.0 on 127.0.0.1. `/cut/NAME` sends NAME's
/// length but only half its bytes, then closes: an interrupted download.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(stream, &dir));
        }
    });
    base
}

fn answer(mut stream: TcpStream, dir: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (cut, name) = match path.strip_prefix("/cut/") {
        Some(name) => (true, name.to_string()),
        None => (false, path.trim_start_matches('/').to_string()),
    };
    let name = name.replace("%2B", "+");
    let Ok(body) = std::fs::read(dir.join(&name)) else {
        let _ = stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let end = if cut { body.len() / 2 } else { body.len() };
    let _ = stream.write_all(&body[..end]);
}

/// One entry of a downloads table in uv's format.
fn entry(key_version: &str, url: &str, sha256: &str) -> String {
    let mut parts = key_version.split('.');
    let (major, minor, patch) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!(
        r#""cpython-{key_version}-linux-x86_64-gnu": {{"name": "cpython", "arch": {{"family": "x86_64", "variant": null}}, "os": "linux", "libc": "gnu", "major": {major}, "minor": {minor}, "patch": {patch}, "prerelease": "", "url": "{url}", "sha256": "{sha256}", "variant": null, "build": "20990101"}}"#
    )
}

/// A world whose downloads table holds `entries`, and whose `PATH` has no
/// Python (and no pyenv).
fn world_with(entries: &[String]) -> World {
    table_in(World::new(), entries)
}

fn table_in(world: World, entries: &[String]) -> World {
    world.write("downloads.json", &format!("{{{}}}", entries.join(",\n")));
    std::fs::create_dir_all(world.root.join("empty-bin")).unwrap();
    world
}

fn posy(world: &World, args: &[&str]) -> Command {
    let mut cmd = world.command(args);
    cmd.env(
        "POSY_PYTHON_DOWNLOADS_JSON_URL",
        format!("file://{}", world.root.join("downloads.json").display()),
    )
    .env("PATH", world.root.join("empty-bin"));
    cmd
}

#[track_caller]
fn ok(world: &World, args: &[&str]) -> String {
    let output = posy(world, args).output().unwrap();
    assert!(
        output.status.success(),
        "posy {args:?} failed:\n{}",
        stderr(&output)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[track_caller]
fn fails(world: &World, args: &[&str]) -> String {
    let output = posy(world, args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "posy {args:?}: {}",
        stderr(&output)
    );
    stderr(&output)
}

fn good_entry(version: &str) -> String {
    let f = fixture();
    entry(version, &format!("{}/{}", f.base, f.name), &f.sha256)
}

fn installed(world: &World) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(world.root.join("pythons"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn python_runs(python: &Path, code: &str) -> String {
    let output = Command::new(python).args(["-c", code]).output().unwrap();
    assert!(
        output.status.success(),
        "{} -c {code}: {}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn install_list_find_pin_uninstall() {
    let world = world_with(&[good_entry(VERSION)]);
    ok(&world, &["python", "install", "3.12"]);
    assert_eq!(
        installed(&world),
        [
            "cpython-3.12-linux-x86_64-gnu",
            "cpython-3.12.1-linux-x86_64-gnu"
        ]
    );
    let list = ok(&world, &["python", "list", "--only-installed"]);
    assert!(list.contains("cpython-3.12.1-linux-x86_64-gnu"), "{list}");
    // Installing again does nothing.
    let again = posy(&world, &["python", "install", "3.12"])
        .output()
        .unwrap();
    assert!(
        stderr(&again).contains("already installed"),
        "{}",
        stderr(&again)
    );

    let found = ok(&world, &["python", "find", "3.12"]);
    let python = PathBuf::from(found.trim());
    assert_eq!(
        python,
        world
            .root
            .join("pythons/cpython-3.12-linux-x86_64-gnu/bin/python3.12"),
        "found through the minor-version link"
    );
    // Relocated: sysconfig names the install, not /install; the stdlib's
    // compiled modules load; pip is told to keep out.
    let prefix = python_runs(
        &python,
        "import ssl, sqlite3, ctypes, venv, sysconfig; print(sysconfig.get_config_var('prefix'))",
    );
    assert_eq!(
        prefix.trim(),
        world
            .root
            .join("pythons/cpython-3.12.1-linux-x86_64-gnu")
            .to_string_lossy()
    );
    assert!(
        world
            .root
            .join("pythons/cpython-3.12.1-linux-x86_64-gnu/lib/python3.12/EXTERNALLY-MANAGED")
            .is_file()
    );
    assert!(
        world
            .root
            .join("pythons/cpython-3.12.1-linux-x86_64-gnu/bin/python")
            .exists()
    );

    ok(&world, &["python", "pin", "3.12"]);
    assert_eq!(world.read(".python-version"), "3.12\n");
    assert_eq!(ok(&world, &["python", "pin"]).trim(), "3.12");
    // `find` with no request honours the pin.
    assert_eq!(
        ok(&world, &["python", "find"]).trim(),
        python.to_string_lossy()
    );

    ok(&world, &["python", "uninstall", "3.12"]);
    assert!(installed(&world).is_empty(), "{:?}", installed(&world));
    let list = ok(&world, &["python", "list", "--only-installed"]);
    assert!(list.trim().is_empty(), "{list}");
    let err = fails(&world, &["python", "uninstall", "3.12"]);
    assert!(
        err.contains("no managed Python matches Python 3.12"),
        "{err}"
    );
}

#[test]
fn list_shows_downloads_newest_patch_per_minor() {
    let world = world_with(&[
        good_entry(VERSION),
        good_entry("3.12.0"),
        good_entry("3.11.9"),
    ]);
    let list = ok(&world, &["python", "list"]);
    let keys: Vec<&str> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "cpython-3.12.1-linux-x86_64-gnu",
            "cpython-3.11.9-linux-x86_64-gnu"
        ]
    );
    assert!(list.contains("<download available>"), "{list}");
    let all = ok(&world, &["python", "list", "--all-versions"]);
    assert_eq!(all.lines().count(), 3, "{all}");
}

#[test]
fn a_wrong_hash_is_refused_and_leaves_nothing() {
    let f = fixture();
    let world = world_with(&[entry(
        VERSION,
        &format!("{}/{}", f.base, f.name),
        &"0".repeat(64),
    )]);
    let err = fails(&world, &["python", "install", "3.12"]);
    assert!(err.contains("cpython-3.12.1-linux-x86_64-gnu"), "{err}");
    assert!(err.contains("sha256"), "{err}");
    assert!(installed(&world).is_empty(), "{:?}", installed(&world));
}

#[test]
fn an_interrupted_download_leaves_nothing() {
    let f = fixture();
    let world = world_with(&[entry(
        VERSION,
        &format!("{}/cut/{}", f.base, f.name),
        &f.sha256,
    )]);
    let err = fails(&world, &["python", "install", "3.12"]);
    assert!(
        err.contains("cannot download cpython-3.12.1-linux-x86_64-gnu"),
        "{err}"
    );
    assert!(installed(&world).is_empty(), "{:?}", installed(&world));
    let list = ok(&world, &["python", "list", "--only-installed"]);
    assert!(list.trim().is_empty(), "{list}");
}

#[test]
fn a_request_the_table_does_not_know_says_so() {
    let world = world_with(&[good_entry(VERSION)]);
    let err = fails(&world, &["python", "install", "3.99"]);
    assert!(err.contains("no download of Python 3.99"), "{err}");
    let err = fails(
        &world,
        &["--no-python-downloads", "venv", "v", "--python", "3.12"],
    );
    assert!(
        err.contains("no Python interpreter found for Python 3.12"),
        "{err}"
    );
    assert!(installed(&world).is_empty());
}

/// A venv made from the managed 3.12 records the minor-version link, so
/// an upgrade to a newer patch (and removing the old one) keeps it working.
/// The "3.12.2" of this table is the same archive listed as a newer patch.
#[test]
fn a_venv_survives_an_upgrade_through_the_minor_link() {
    let world = world_with(&[good_entry(VERSION)]);
    ok(&world, &["venv", "v", "--python", "3.12"]);
    assert!(installed(&world).contains(&"cpython-3.12.1-linux-x86_64-gnu".to_string()));
    let cfg = world.read("v/pyvenv.cfg");
    let home = world.root.join("pythons/cpython-3.12-linux-x86_64-gnu/bin");
    assert!(cfg.contains(&format!("home = {}", home.display())), "{cfg}");

    world.write(
        "downloads.json",
        &format!("{{{},\n{}}}", good_entry(VERSION), good_entry("3.12.2")),
    );
    ok(&world, &["python", "upgrade"]);
    assert_eq!(
        std::fs::read_link(world.root.join("pythons/cpython-3.12-linux-x86_64-gnu")).unwrap(),
        Path::new("cpython-3.12.2-linux-x86_64-gnu")
    );
    ok(&world, &["python", "uninstall", "3.12.1"]);
    assert_eq!(
        installed(&world),
        [
            "cpython-3.12-linux-x86_64-gnu",
            "cpython-3.12.2-linux-x86_64-gnu"
        ]
    );
    python_runs(
        &world.root.join("v/bin/python"),
        "import sys; assert sys.prefix != sys.base_prefix",
    );
    let again = posy(&world, &["python", "upgrade"]).output().unwrap();
    assert!(
        stderr(&again).contains("newest patch"),
        "{}",
        stderr(&again)
    );
}

/// With no Python on PATH, a project's `lock` and `run` install the
/// interpreter `.python-version` asks for; the lock names that build; a
/// clean machine's `sync` installs exactly it, even when the table's
/// newest 3.12 is another build.
#[test]
fn a_project_installs_its_python_and_the_lock_names_the_build() {
    let f = fixture();
    let world = world_with(&[good_entry(VERSION)]);
    world.write(
        "pyproject.toml",
        "[project]\nname = \"proj\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = []\n",
    );
    world.write(".python-version", "3.12\n");
    let out = ok(
        &world,
        &[
            "run",
            "python",
            "-c",
            "import sys; print(sys.version_info[:2])",
        ],
    );
    assert_eq!(out.trim(), "(3, 12)");
    let lock = world.read("pylock.toml");
    assert!(lock.contains("[[tool.posy.python]]"), "{lock}");
    assert!(lock.contains(&f.sha256), "{lock}");
    assert!(
        lock.contains("key = \"cpython-3.12.1-linux-x86_64-gnu\""),
        "{lock}"
    );

    // A clean machine: no managed Python, no .venv, a table whose newest
    // 3.12 is "3.12.2".
    std::fs::remove_dir_all(world.root.join("pythons")).unwrap();
    std::fs::remove_dir_all(world.root.join(".venv")).unwrap();
    world.write(
        "downloads.json",
        &format!("{{{},\n{}}}", good_entry("3.12.2"), good_entry(VERSION)),
    );
    ok(&world, &["sync"]);
    assert_eq!(
        installed(&world),
        [
            "cpython-3.12-linux-x86_64-gnu",
            "cpython-3.12.1-linux-x86_64-gnu"
        ]
    );
    python_runs(&world.root.join(".venv/bin/python"), "pass");

    // `--upgrade-python` moves the pin to the table's newest 3.12.
    ok(&world, &["lock", "--upgrade-python"]);
    let lock = world.read("pylock.toml");
    assert!(
        lock.contains("key = \"cpython-3.12.2-linux-x86_64-gnu\""),
        "{lock}"
    );
}

/// A PyBI in the table installs like an archive and runs; its metadata
/// is kept in the install.
#[test]
fn a_pybi_installs_and_runs() {
    let f = fixture();
    let world = world_with(&[entry(
        VERSION,
        &format!("{}/{}", f.base, f.pybi),
        &f.pybi_sha256,
    )]);
    ok(&world, &["python", "install", "3.12"]);
    let root = world.root.join("pythons/cpython-3.12.1-linux-x86_64-gnu");
    assert!(root.join("pybi-info/METADATA").is_file());
    // Its symlinks came back from RECORD.
    assert!(
        std::fs::symlink_metadata(root.join("bin/python3"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let python = PathBuf::from(ok(&world, &["python", "find", "3.12"]).trim());
    let out = python_runs(&python, "import sys, ssl; print(sys.version_info[:3])");
    assert_eq!(out.trim(), "(3, 12, 1)");
}

/// `python list` shows the interpreters found on `PATH` beside the
/// managed ones and the downloads (`--only-installed` is what posy
/// installed), filtered by the request, and not when only managed Pythons
/// are wanted.
#[test]
fn list_shows_interpreters_found_on_path() {
    let world = world_with(&[good_entry(VERSION)]);
    let python = pyenv_root()
        .join("versions")
        .join(VERSION)
        .join("bin/python3.12");
    assert!(python.is_file(), "pyenv's {VERSION} is needed");
    std::os::unix::fs::symlink(&python, world.root.join("empty-bin/python3.12")).unwrap();
    let found = world.root.join("empty-bin/python3.12");
    let list = ok(&world, &["python", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(
        lines[0],
        format!("cpython-{VERSION}-linux-x86_64-gnu    {}", found.display())
    );
    // The download of the same version is still offered, after it.
    assert!(lines[1].contains("<download available>"), "{list}");
    assert!(
        ok(&world, &["python", "list", "--only-installed"])
            .trim()
            .is_empty()
    );
    let list = ok(&world, &["python", "list", "3.11"]);
    assert!(list.trim().is_empty(), "{list}");
    let only_managed = posy(&world, &["python", "list"])
        .env("POSY_PYTHON_PREFERENCE", "only-managed")
        .output()
        .unwrap();
    assert!(only_managed.status.success(), "{}", stderr(&only_managed));
    let text = String::from_utf8_lossy(&only_managed.stdout);
    assert!(!text.contains("empty-bin"), "{text}");
}

/// PyPy's release archive, made from Debian's PyPy: the `pypy3` and
/// `pypy3-lib` packages (fetched once per machine with `apt-get download`
/// into `$POSY_TEST_PYPY`, else `/tmp/posy-ci-pypy`; `.ci/run` does it
/// first) laid out as downloads.python.org's `pypy3.X-vA.B.C-linux64/`
/// (`bin/pypy3.X` finding `bin/libpypy3.X-c.so` through `$ORIGIN`, the
/// standard library in `lib/pypy3.X`) and served from 127.0.0.1.
struct PypyFixture {
    _dir: tempfile::TempDir,
    /// `pypy3.9-v7.3.11-linux64.tar.gz`.
    name: String,
    sha256: String,
    /// The Python version it implements (`3.9.16`).
    python: String,
    /// PyPy's own (`7.3.11`).
    pypy: String,
    base: String,
}

fn pypy_fixture() -> &'static PypyFixture {
    static FIXTURE: OnceLock<PypyFixture> = OnceLock::new();
    FIXTURE.get_or_init(build_pypy_fixture)
}

fn build_pypy_fixture() -> PypyFixture {
    let debs = std::env::var_os("POSY_TEST_PYPY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/posy-ci-pypy"));
    let root = debs.join("root");
    let find_binary = || {
        std::fs::read_dir(root.join("usr/bin"))
            .ok()
            .and_then(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .find(|n| n.starts_with("pypy3.") && !n.contains('-'))
            })
    };
    if find_binary().is_none() {
        std::fs::create_dir_all(&debs).unwrap();
        let output = Command::new("apt-get")
            .args(["download", "pypy3", "pypy3-lib"])
            .current_dir(&debs)
            .output()
            .expect("apt-get runs");
        assert!(
            output.status.success(),
            "the PyPy test repacks Debian's pypy3 and pypy3-lib packages; `apt-get download` them into {} (or set POSY_TEST_PYPY): {}",
            debs.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        for deb in std::fs::read_dir(&debs).unwrap() {
            let deb = deb.unwrap().path();
            if deb.extension().is_some_and(|e| e == "deb") {
                run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
            }
        }
    }
    let binary = find_binary().expect("Debian's pypy3 package holds /usr/bin/pypy3.X");
    let dir = tempfile::tempdir().unwrap();
    let build = dir.path().join("build");
    let tree = build.join("pypy");
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::create_dir_all(tree.join("lib")).unwrap();
    run(Command::new("cp")
        .arg(root.join("usr/bin").join(&binary))
        .arg(tree.join("bin")));
    run(Command::new("cp")
        .arg(
            root.join("usr/lib/x86_64-linux-gnu")
                .join(format!("lib{binary}-c.so")),
        )
        .arg(tree.join("bin")));
    run(Command::new("cp")
        .arg("-a")
        .arg(root.join("usr/lib").join(&binary))
        .arg(tree.join("lib")));
    let stdlib = tree.join("lib").join(&binary);
    let _ = std::fs::remove_dir_all(stdlib.join("test"));
    let _ = std::fs::remove_file(stdlib.join("EXTERNALLY-MANAGED"));
    run(Command::new("patchelf")
        .args(["--set-rpath", "$ORIGIN"])
        .arg(tree.join("bin").join(&binary)));
    let versions = python_runs(
        &tree.join("bin").join(&binary),
        "import sys; print('%d.%d.%d' % sys.version_info[:3], '%d.%d.%d' % sys.pypy_version_info[:3])",
    );
    let (python, pypy) = versions.trim().split_once(' ').unwrap();
    let (python, pypy) = (python.to_string(), pypy.to_string());
    let top = format!("{binary}-v{pypy}-linux64");
    std::fs::rename(&tree, build.join(&top)).unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(&mirror).unwrap();
    let name = format!("{top}.tar.gz");
    run(Command::new("tar")
        .arg("-C")
        .arg(&build)
        .arg("-czf")
        .arg(mirror.join(&name))
        .arg(&top));
    std::fs::remove_dir_all(&build).unwrap();
    let sha256 = sha256_of(&mirror.join(&name));
    let base = serve(mirror);
    PypyFixture {
        _dir: dir,
        name,
        sha256,
        python,
        pypy,
        base,
    }
}

/// `posy python install pypy@3.X` from PyPy's archive (through
/// `POSY_PYPY_INSTALL_MIRROR`, as a table kept for uv names
/// downloads.python.org), then find, list, a venv made from it and a
/// wheel installed there; the lock's pin names the publisher's URL.
#[test]
fn pypy_installs_from_its_release_archive() {
    let f = pypy_fixture();
    let mut parts = f.python.split('.');
    let (major, minor, patch) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let key = format!("pypy-{}-linux-x86_64-gnu", f.python);
    let entry = format!(
        r#""{key}": {{"name": "pypy", "arch": {{"family": "x86_64", "variant": null}}, "os": "linux", "libc": "gnu", "major": {major}, "minor": {minor}, "patch": {patch}, "prerelease": "", "url": "https://downloads.python.org/pypy/{}", "sha256": "{}", "variant": null, "build": "{}"}}"#,
        f.name, f.sha256, f.pypy
    );
    let index = posy_testkit::Index::new()
        .package(posy_testkit::Package::new("six", "1.16.0").file("six.py", "X = 1\n"))
        .serve();
    let world = table_in(World::with_index(&index), &[entry]);
    let install = |args: &[&str]| {
        let mut cmd = posy(&world, args);
        cmd.env("POSY_PYPY_INSTALL_MIRROR", &f.base);
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "posy {args:?}: {}",
            stderr(&output)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let request = format!("pypy@{major}.{minor}");
    install(&["python", "install", &request]);
    assert_eq!(
        installed(&world),
        [
            format!("pypy-{major}.{minor}-linux-x86_64-gnu"),
            key.clone()
        ]
    );
    let found =
        PathBuf::from(ok(&world, &["python", "find", &format!("pypy{major}.{minor}")]).trim());
    assert_eq!(
        found,
        world.root.join(format!(
            "pythons/pypy-{major}.{minor}-linux-x86_64-gnu/bin/pypy{major}.{minor}"
        ))
    );
    let out = python_runs(
        &found,
        "import sys, platform; print(sys.implementation.name, platform.python_version())",
    );
    assert_eq!(out.trim(), format!("pypy {}", f.python));
    let install_dir = world.root.join("pythons").join(&key);
    assert!(install_dir.join("bin/python").exists());
    let marker = std::fs::read_to_string(
        install_dir.join(format!("lib/pypy{major}.{minor}/EXTERNALLY-MANAGED")),
    )
    .unwrap();
    assert!(marker.contains("managed by posy"), "{marker}");
    for args in [
        &["python", "list"][..],
        &["python", "list", "--only-installed"],
    ] {
        let list = ok(&world, args);
        assert!(list.contains(&key), "{list}");
    }
    // Plain version requests stay CPython's.
    let err = fails(&world, &["python", "find", &format!("{major}.{minor}")]);
    assert!(err.contains(&format!("{major}.{minor}")), "{err}");

    // A venv from it, and a wheel installed into the venv.
    ok(&world, &["venv", "pv", "--python", &request]);
    let venv = world.root.join("pv");
    let out = python_runs(
        &venv.join("bin/python"),
        "import sys; print(sys.implementation.name, sys.prefix != sys.base_prefix)",
    );
    assert_eq!(out.trim(), "pypy True");
    let output = posy(
        &world,
        &world
            .pip_args(&["install", "six", "--python", "pv/bin/python"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .output()
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = python_runs(&venv.join("bin/python"), "import six; print(six.__file__)");
    assert!(out.contains("/pv/lib/pypy"), "{out}");
}

/// The managed-Python settings in the user's `posy.toml`: the mirror
/// replaces python-build-standalone's host (as the variable does), and
/// `python-downloads = "never"` stops an automatic install; a bad value
/// names the file.
#[test]
fn config_keys_set_the_mirror_and_the_download_policy() {
    let f = fixture();
    let table_url = format!(
        "{}/{}",
        "https://github.com/astral-sh/python-build-standalone/releases/download", f.name
    );
    let world = world_with(&[entry(VERSION, &table_url, &f.sha256)]);
    let config = world.root.join("config/posy/posy.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "python-downloads = \"never\"\npython-install-mirror = \"http://127.0.0.1:1\"\n",
    )
    .unwrap();
    let err = fails(&world, &["venv", "v", "--python", "3.12"]);
    assert!(
        err.contains("no Python interpreter found for Python 3.12"),
        "{err}"
    );
    assert!(installed(&world).is_empty());
    // The environment variable wins over the file.
    let out = posy(&world, &["python", "install", "3.12"])
        .env("POSY_PYTHON_INSTALL_MIRROR", &f.base)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    ok(&world, &["python", "uninstall", "3.12"]);
    std::fs::write(&config, format!("python-install-mirror = \"{}\"\n", f.base)).unwrap();
    ok(&world, &["venv", "v", "--python", "3.12"]);
    assert_eq!(installed(&world).len(), 2, "{:?}", installed(&world));
    std::fs::write(&config, "python-preference = \"sometimes\"\n").unwrap();
    let err = fails(&world, &["python", "list"]);
    assert!(
        err.contains("python-preference")
            && err.contains("posy.toml")
            && err.contains("only-managed"),
        "{err}"
    );
}

/// One entry of a downloads table for another platform.
fn entry_on(version: &str, os: &str, arch: &str, libc: &str, build: &str) -> String {
    let mut parts = version.split('.');
    let (major, minor, patch) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!(
        r#""cpython-{version}-{os}-{arch}-{libc}": {{"name": "cpython", "arch": {{"family": "{arch}", "variant": null}}, "os": "{os}", "libc": "{libc}", "major": {major}, "minor": {minor}, "patch": {patch}, "prerelease": "", "url": "https://example.invalid/{build}/cpython-{version}+{build}-{os}-{arch}.tar.gz", "sha256": "{build:0>64}", "variant": null, "build": "{build}"}}"#
    )
}

/// The lock names a build for each platform it covers, not only this
/// machine's: the same version (from another release where the table has
/// only that; none where the version is missing), only for the platforms
/// `environments` admits.
#[test]
fn the_lock_names_a_build_for_every_platform_it_covers() {
    let world = world_with(&[
        good_entry(VERSION),
        entry_on(VERSION, "darwin", "aarch64", "none", "20990101"),
        entry_on(VERSION, "windows", "x86_64", "none", "20980101"),
        entry_on("3.12.2", "linux", "aarch64", "gnu", "20990101"),
    ]);
    world.write(
        "pyproject.toml",
        "[project]\nname = \"proj\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = []\n",
    );
    world.write(".python-version", "3.12\n");
    ok(&world, &["sync"]);
    let lock = world.read("pylock.toml");
    let platforms: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("platform = "))
        .collect();
    assert_eq!(
        platforms,
        [
            "\"darwin-aarch64-none\"",
            "\"linux-x86_64-gnu\"",
            "\"windows-x86_64-none\""
        ],
        "{lock}"
    );
    assert!(
        lock.contains("cpython-3.12.1+20990101-darwin-aarch64"),
        "{lock}"
    );
    assert!(
        lock.contains("cpython-3.12.1+20980101-windows-x86_64"),
        "{lock}"
    );

    // Only Linux: the other platforms' entries go.
    world.write(
        "pyproject.toml",
        "[project]\nname = \"proj\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = []\n\n[tool.posy]\nenvironments = [\"sys_platform == 'linux'\"]\n",
    );
    ok(&world, &["lock"]);
    let lock = world.read("pylock.toml");
    assert!(!lock.contains("darwin-aarch64-none"), "{lock}");
    assert!(!lock.contains("windows-x86_64-none"), "{lock}");
    assert!(lock.contains("linux-x86_64-gnu"), "{lock}");
}
