//! The probe against the truth: every interpreter on this machine is asked
//! the same questions by posy's probe and by its own `sys`, `sysconfig` and
//! `packaging` (`markers.default_environment()`, `tags.sys_tags()`), and
//! the answers must agree exactly. Then the cache: a second query must not
//! run the interpreter.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use posy_python::{DiscoveryEnv, Interpreter, ProbeCache, PythonRequest, find_interpreter};
use serde_json::Value;

/// `python3` as discovery finds it, plus every pyenv version from 3.7 on.
fn interpreters() -> Vec<PathBuf> {
    let env = DiscoveryEnv::from_process().unwrap();
    let python3 = find_interpreter(&PythonRequest::Any, &env, &ProbeCache::disabled())
        .expect("the tests need a python3 on PATH");
    let mut found = vec![python3.executable().to_path_buf()];
    // A distribution's Python, with its patched sysconfig (Debian's
    // posix_local scheme), when there is one.
    if Path::new("/usr/bin/python3").is_file() {
        found.push(PathBuf::from("/usr/bin/python3"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        let root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(&home).join(".pyenv"));
        if let Ok(entries) = fs::read_dir(root.join("versions")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let minor = name
                    .strip_prefix("3.")
                    .and_then(|rest| rest.split('.').next());
                // Pythons before 3.7 ship a pip whose packaging predates the
                // tag rules posy follows.
                if minor
                    .and_then(|m| m.parse::<u32>().ok())
                    .is_some_and(|m| m >= 7)
                {
                    found.push(entry.path().join("bin/python"));
                }
            }
        }
    }
    found
}

fn reference(python: &Path) -> Value {
    let output = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/reference.py"
        ))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Equal lists, or a failure that shows where they part (tag lists run to
/// thousands of entries).
fn assert_same_list(ours: &[String], theirs: &[String], what: &str) {
    if let Some(i) = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i)) {
        let window =
            |list: &[String]| list[i.saturating_sub(2)..(i + 3).min(list.len())].join(", ");
        panic!(
            "{what}: first difference at {i} of {}/{}:\n  posy:      {}\n  packaging: {}",
            ours.len(),
            theirs.len(),
            window(ours),
            window(theirs)
        );
    }
}

#[test]
fn probe_agrees_with_the_interpreter() {
    for python in interpreters() {
        let interpreter = Interpreter::query(&python, &ProbeCache::disabled()).unwrap();
        let truth = reference(&python);
        let who = python.display();

        let markers = serde_json::to_value(&interpreter.facts().markers).unwrap();
        assert_eq!(markers, truth["markers"], "{who}: markers");

        let paths = serde_json::to_value(interpreter.paths()).unwrap();
        for key in [
            "purelib",
            "platlib",
            "scripts",
            "include",
            "data",
            "stdlib",
            "platstdlib",
        ] {
            assert_eq!(
                paths[key], truth["paths"][key],
                "{who}: sysconfig path {key}"
            );
        }
        let sys = &interpreter.facts().sys;
        assert_eq!(
            sys.executable.to_str(),
            truth["executable"].as_str(),
            "{who}"
        );
        assert_eq!(sys.prefix.to_str(), truth["prefix"].as_str(), "{who}");
        assert_eq!(
            sys.base_prefix.to_str(),
            truth["base_prefix"].as_str(),
            "{who}"
        );
        assert_eq!(
            sys.implementation,
            truth["implementation"].as_str().unwrap()
        );
        let (major, minor, micro) = interpreter.python_release();
        assert_eq!(
            [major, minor, micro],
            [0, 1, 2].map(|i| truth["version_info"][i].as_u64().unwrap()),
            "{who}"
        );
        assert!(!interpreter.is_venv(), "{who}");

        let mut tags: Vec<String> = interpreter.tags().iter().map(ToString::to_string).collect();
        // packaging before 22.0 (vendored by pip up to 23.x) did not yet
        // list `cpXY-none-any`; posy follows current packaging.
        let packaging_major: u32 = truth["packaging_version"]
            .as_str()
            .and_then(|v| v.split('.').next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        if packaging_major < 22 {
            let interpreter_any = format!("cp{major}{minor}-none-any");
            tags.retain(|tag| *tag != interpreter_any);
        }
        let expected: Vec<String> = truth["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        assert_same_list(
            &tags,
            &expected,
            &format!("{who}: tags in sys_tags() order"),
        );
    }
}

#[test]
fn venv_interpreters_know_they_are_one() {
    for python in interpreters() {
        let dir = tempfile::tempdir().unwrap();
        let base = Interpreter::query(&python, &ProbeCache::disabled()).unwrap();
        let root = dir.path().join("env");
        posy_python::create_venv(&base, &root, &posy_python::VenvOptions::default()).unwrap();
        let venv = Interpreter::query(&root.join("bin/python"), &ProbeCache::disabled()).unwrap();
        let who = python.display();
        assert!(venv.is_venv(), "{who}");
        assert_eq!(venv.prefix(), root, "{who}");
        assert_eq!(venv.base_prefix(), base.base_prefix(), "{who}");
        // A venv made from this venv would link to the real base interpreter.
        assert_eq!(
            fs::canonicalize(venv.base_executable()).unwrap(),
            fs::canonicalize(base.base_executable()).unwrap(),
            "{who}"
        );
        assert!(!venv.base_executable().starts_with(&root), "{who}");

        // The probe skips `site` but must see the venv as `site` makes it.
        let truth = reference(&root.join("bin/python"));
        assert_eq!(venv.prefix().to_str(), truth["prefix"].as_str(), "{who}");
        let paths = serde_json::to_value(venv.paths()).unwrap();
        for key in [
            "purelib",
            "platlib",
            "scripts",
            "include",
            "data",
            "stdlib",
            "platstdlib",
        ] {
            assert_eq!(
                paths[key], truth["paths"][key],
                "{who}: venv sysconfig path {key}"
            );
        }
        assert_eq!(
            venv.paths().purelib,
            root.join(format!(
                "lib/python{}/site-packages",
                venv.python_minor_version()
            )),
            "{who}"
        );
    }
}

#[test]
fn second_query_runs_nothing() {
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = ProbeCache::new(cache_dir.path());
    let python = interpreters().remove(0);

    let first = Interpreter::query(&python, &cache).unwrap();
    assert!(!first.was_cached());
    let second = Interpreter::query(&python, &cache).unwrap();
    assert!(second.was_cached());
    assert_eq!(first.facts(), second.facts());

    // Evidence that no subprocess ran: doctor the cached answer; a query
    // that ran the interpreter could not return the doctored value.
    let entries = entry_files(&cache_dir.path().join("v1/interpreters"));
    assert_eq!(entries.len(), 1, "one entry per interpreter path");
    let mut entry: Value = serde_json::from_slice(&fs::read(&entries[0]).unwrap()).unwrap();
    entry["facts"]["markers"]["platform_release"] = "doctored".into();
    fs::write(&entries[0], serde_json::to_vec(&entry).unwrap()).unwrap();
    let third = Interpreter::query(&python, &cache).unwrap();
    assert_eq!(third.facts().markers.platform_release, "doctored");

    // An entry whose recorded key does not match (a hash collision, or a
    // file from another version) is not trusted: the probe runs again and
    // the true value comes back.
    entry["key"]["modified_ns"] = 1.into();
    fs::write(&entries[0], serde_json::to_vec(&entry).unwrap()).unwrap();
    let fourth = Interpreter::query(&python, &cache).unwrap();
    assert!(!fourth.was_cached());
    assert_eq!(fourth.facts(), first.facts());
    assert!(Interpreter::query(&python, &cache).unwrap().was_cached());

    // A corrupt entry is a miss, never an error.
    let entries = entry_files(&cache_dir.path().join("v1/interpreters"));
    fs::write(&entries[0], b"{ not json").unwrap();
    assert!(!Interpreter::query(&python, &cache).unwrap().was_cached());
    assert!(Interpreter::query(&python, &cache).unwrap().was_cached());
}

/// The value files under a store bucket (not their lock files).
fn entry_files(bucket: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for shard in fs::read_dir(bucket).unwrap() {
        for entry in fs::read_dir(shard.unwrap().path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "lock") {
                found.push(path);
            }
        }
    }
    found
}

/// Run one of `probe.py`'s helper functions on its own (the script without
/// its final `main()` call, plus `expression` printed as JSON).
fn probe_helper(python: &Path, expression: &str) -> Value {
    let script = posy_python::probe::PROBE_SCRIPT;
    let body = script
        .strip_suffix("main()\n")
        .expect("probe.py ends with its main() call");
    let code = format!("{body}\nprint(json.dumps({expression}))\n");
    let output = Command::new(python)
        .args(["-E", "-s", "-S", "-c", &code])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn libc_detection_helpers() {
    let python = interpreters().remove(0);
    // The ELF loader of the interpreter, read from its headers.
    let loader = probe_helper(&python, "elf_interpreter(sys.executable)");
    let loader = loader.as_str().expect("a dynamically linked Linux python");
    assert!(Path::new(loader).exists(), "{loader}");
    assert_eq!(
        probe_helper(&python, "elf_interpreter('/etc/hostname')"),
        Value::Null
    );
    // musl's loader reports its version; glibc's does not look like musl.
    // `.ci/run` installs musl for this check.
    let musl = Path::new("/lib/ld-musl-x86_64.so.1");
    assert!(
        musl.exists(),
        "no /lib/ld-musl-x86_64.so.1: apt-get install musl, as .ci/run does"
    );
    let version = probe_helper(&python, "musl_version('/lib/ld-musl-x86_64.so.1')");
    assert_eq!(version[0], 1, "{version}");
    assert!(version[1].as_u64().is_some(), "{version}");
    assert_eq!(
        probe_helper(&python, &format!("musl_version({loader:?})")),
        Value::Null
    );
    let glibc = probe_helper(&python, "glibc_version()");
    assert_eq!(glibc[0], 2, "{glibc}");
}

/// `python PYBI_METADATA`: the `pybi-info/METADATA` a PyBI of this
/// interpreter would carry (PEP 711): the static marker values (no
/// `platform_release`/`platform_version`, as in the PEP's example), the
/// sysconfig paths relative to the prefix, the interpreter's own tag first.
const PYBI_METADATA: &str = r#"
import json, os, platform, sys, sysconfig
m = {
    "implementation_name": sys.implementation.name,
    "implementation_version": "%d.%d.%d" % sys.implementation.version[:3],
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_system": platform.system(),
    "platform_python_implementation": platform.python_implementation(),
    "python_full_version": platform.python_version(),
    "python_version": "%d.%d" % sys.version_info[:2], "sys_platform": sys.platform,
}
if sys.version_info.releaselevel != "final":
    m["implementation_version"] += sys.version_info.releaselevel[0] + str(sys.version_info.serial)
paths = {k: os.path.relpath(v, sys.prefix) for k, v in sysconfig.get_paths().items()}
flags = ""
if sysconfig.get_config_var("Py_GIL_DISABLED"): flags += "t"
if sysconfig.get_config_var("Py_DEBUG"): flags += "d"
if sysconfig.get_config_var("WITH_PYMALLOC") and sys.version_info < (3, 8): flags += "m"
v = "%d%d" % sys.version_info[:2]
print("Metadata-Version: 2.2\nName: cpython\nVersion: " + platform.python_version())
print("Pybi-Environment-Marker-Variables: " + json.dumps(m))
print("Pybi-Paths: " + json.dumps(paths))
print("Pybi-Wheel-Tag: cp%s-cp%s%s-PLATFORM\nPybi-Wheel-Tag: cp%s-abi3-PLATFORM\nPybi-Wheel-Tag: py3-none-any" % (v, v, flags, v))
"#;

/// A PyBI's metadata stands in for the probe: for every CPython here, the
/// facts read from the METADATA the interpreter would ship give the same
/// markers, tags, ABI, platform and venv scheme as probing it, and the
/// interpreter is not run (`was_cached` with the cache disabled).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_pybi_metadata_is_the_probe() {
    let mut compared = 0;
    for python in interpreters() {
        let real = Interpreter::query(&python, &ProbeCache::disabled()).unwrap();
        // A distribution's Python (Debian's `posix_local` scheme) is not
        // what a PyBI ships.
        if real.facts().sys.implementation != "cpython"
            || real.facts().sys.is_venv
            || real.facts().sys.prefix.starts_with("/usr")
        {
            continue;
        }
        let output = Command::new(&python)
            .args(["-c", PYBI_METADATA])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", python.display());
        let root = tempfile::tempdir().unwrap();
        let (major, minor) = (
            real.facts().sys.version_info.0,
            real.facts().sys.version_info.1,
        );
        fs::create_dir_all(root.path().join("bin")).unwrap();
        fs::create_dir_all(root.path().join("pybi-info")).unwrap();
        fs::write(root.path().join("pybi-info/METADATA"), &output.stdout).unwrap();
        // The real binary's bytes (its ELF loader is read), never run: a
        // copy without its libpython next to it would not start anyway.
        let exe = root.path().join(format!("bin/python{major}.{minor}"));
        fs::copy(real.facts().sys.executable.canonicalize().unwrap(), &exe).unwrap();
        let pybi = Interpreter::query(&exe, &ProbeCache::disabled())
            .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
        assert!(
            pybi.was_cached(),
            "{}: the PyBI was probed",
            python.display()
        );
        let ours = pybi.facts();
        let theirs = real.facts();
        let what = python.display().to_string();
        assert_eq!(ours.markers, theirs.markers, "{what}: markers");
        assert_eq!(ours.abi, theirs.abi, "{what}: abi");
        assert_eq!(ours.platform, theirs.platform, "{what}: platform");
        assert_eq!(ours.venv_scheme, theirs.venv_scheme, "{what}: venv scheme");
        assert_eq!(ours.sys.abiflags, theirs.sys.abiflags, "{what}: abiflags");
        assert_eq!(ours.sys.version_info, theirs.sys.version_info, "{what}");
        let tags =
            |i: &Interpreter| -> Vec<String> { i.tags().iter().map(|t| t.to_string()).collect() };
        assert_same_list(&tags(&pybi), &tags(&real), &what);
        assert_eq!(ours.sys.prefix, root.path(), "{what}: prefix");
        assert_eq!(
            ours.paths.stdlib,
            root.path().join(format!("lib/python{major}.{minor}"))
        );
        compared += 1;
    }
    assert!(
        compared >= 2,
        "only {compared} CPython interpreters compared"
    );
}
