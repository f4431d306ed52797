//! What every `posy pip` CLI test needs: a scratch world with its own cache
//! and config, the real binary run inside it, environments made by the real
//! `posy venv`, and a few readers for what landed on disk.
//!
//! Hermetic tests always pass `--index-url` to a `posy-testkit` index on
//! 127.0.0.1; the world also removes every `POSY_*` variable that could
//! point posy somewhere else (an index, an interpreter, an offline switch),
//! so a developer's shell settings never leak into a test.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use posy_testkit::IndexServer;

pub mod servers;

/// Variables a developer may have set that would change what posy does.
const LEAKY_VARS: &[&str] = &[
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "POSY_PYTHON",
    "POSY_INDEX_URL",
    "POSY_EXTRA_INDEX_URL",
    "POSY_EXCLUDE_NEWER",
    "POSY_OFFLINE",
    "POSY_LINK_MODE",
    "POSY_COMPILE_BYTECODE",
    "POSY_SYSTEM_PYTHON",
    "POSY_CACHE_MAX_SIZE",
    "PIP_INDEX_URL",
    "PIP_REQUIRE_VIRTUALENV",
    "POSY_PYTHON_DOWNLOADS",
    "POSY_PYTHON_DOWNLOADS_JSON_URL",
    "POSY_PYTHON_INSTALL_MIRROR",
    "POSY_PYTHON_PREFERENCE",
    "POSY_MANAGED_PYTHON",
    "POSY_NO_MANAGED_PYTHON",
];

/// A scratch directory holding a cache, a config home and the working
/// directory every command runs in.
pub struct World {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    /// The index that `pip compile/install/sync` get as `--index-url`.
    index_url: Option<String>,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("config")).unwrap();
        World {
            _dir: dir,
            root,
            index_url: None,
        }
    }

    /// A world whose `pip` commands that talk to an index use `index`.
    pub fn with_index(index: &IndexServer) -> World {
        World {
            index_url: Some(index.url()),
            ..World::new()
        }
    }

    /// `pip SUBCOMMAND ARGS`, with `--index-url` added for the subcommands that read an index.
    pub fn pip_args(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["pip".to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        if let Some(url) = &self.index_url
            && matches!(args.first(), Some(&("compile" | "install" | "sync")))
        {
            all.extend(["--index-url".to_string(), url.clone()]);
        }
        all
    }

    /// `posy pip ARGS` (see [`World::pip_args`]), whatever happens.
    pub fn pip(&self, args: &[&str]) -> Output {
        let all = self.pip_args(args);
        self.posy(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// `posy pip ARGS`, which must succeed.
    #[track_caller]
    pub fn pip_ok(&self, args: &[&str]) -> Run {
        let all = self.pip_args(args);
        self.ok(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// `posy pip ARGS`, which must fail with code 2.
    #[track_caller]
    pub fn pip_fails(&self, args: &[&str]) -> Run {
        let all = self.pip_args(args);
        self.fails(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    pub fn cache(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// `posy ARGS` in the world, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_posy"));
        cmd.args(args)
            .current_dir(&self.root)
            .env("POSY_CACHE_DIR", self.cache())
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            // Managed interpreters stay in the world, never in the user's data dir.
            .env("POSY_PYTHON_INSTALL_DIR", self.root.join("pythons"));
        for var in LEAKY_VARS {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs `posy ARGS` and returns what happened, whatever it was.
    pub fn posy(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `posy ARGS`, which must succeed; returns its stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        let output = self.posy(args);
        assert!(
            output.status.success(),
            "posy {args:?} failed ({}):\n{}",
            output.status,
            stderr(&output)
        );
        Run::from(output)
    }

    /// Runs `posy ARGS`, which must fail with posy's failure code 1 (uv's;
    /// 2 is for usage errors); returns the run.
    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> Run {
        let output = self.posy(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "posy {args:?} should fail with code 1:\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        Run::from(output)
    }

    /// Writes `text` to `name` under the root and returns the path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.root.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.root.join(name)).unwrap()
    }

    /// A fresh environment made by `posy venv NAME`.
    pub fn venv(&self, name: &str) -> Env {
        self.ok(&["venv", name]);
        Env::at(self.root.join(name))
    }

    /// Replaces the world's absolute root with `[ROOT]` and the index URL
    /// with `[INDEX]/simple/`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.replace(self.root.to_str().unwrap(), "[ROOT]");
        if let Some(url) = &self.index_url {
            text = text.replace(url.trim_end_matches("simple/"), "[INDEX]/");
        }
        text
    }
}

/// A finished run's output, as text. `stderr` leaves out the
/// `Using Python … environment at: …` line that commands changing an
/// environment print first (`env_line` keeps it; `cli_surface.rs` checks it),
/// so tests read what the command did.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub env_line: Option<String>,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        let full = stderr(&output);
        let (env_line, stderr) = match full.split_once('\n') {
            Some((first, rest)) if first.starts_with("Using Python ") => {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, full),
        };
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr,
            env_line,
        }
    }
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A virtual environment on disk.
pub struct Env {
    pub path: PathBuf,
    site_packages: PathBuf,
}

impl Env {
    /// The environment at `path`; asks its interpreter where site-packages is.
    pub fn at(path: PathBuf) -> Env {
        let out = Command::new(path.join("bin/python"))
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let site_packages = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        Env {
            path,
            site_packages,
        }
    }

    /// The environment path as a `--python` argument.
    pub fn arg(&self) -> &str {
        self.path.to_str().unwrap()
    }

    pub fn site_packages(&self) -> &Path {
        &self.site_packages
    }

    pub fn bin(&self, name: &str) -> PathBuf {
        self.path.join("bin").join(name)
    }

    /// The `.dist-info` directory of `name==version` (`name` as in file names).
    pub fn dist_info(&self, name: &str, version: &str) -> PathBuf {
        self.site_packages
            .join(format!("{name}-{version}.dist-info"))
    }

    /// The names of the `.dist-info` directories in site-packages, sorted.
    pub fn dist_infos(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.site_packages)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.ends_with(".dist-info").then_some(name)
            })
            .collect();
        names.sort();
        names
    }

    /// Runs `python -c CODE` in the environment, as Python runs by default
    /// (writing bytecode, no extra path).
    pub fn python(&self, code: &str) -> Output {
        Command::new(self.bin("python"))
            .args(["-c", code])
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONDONTWRITEBYTECODE")
            .output()
            .unwrap()
    }

    /// Runs `python -c CODE`, which must succeed; returns its stdout, trimmed.
    #[track_caller]
    pub fn python_ok(&self, code: &str) -> String {
        let out = self.python(code);
        assert!(out.status.success(), "python -c {code:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The real pip, run with `--python ENV` from the interpreter on PATH; a
/// missing or too old pip fails the test (the machines have one). `None`
/// only when python3 itself cannot be run.
pub fn real_pip(env: &Env, args: &[&str]) -> Option<Output> {
    let output = Command::new("python3")
        .args(["-m", "pip", "--disable-pip-version-check", "--no-input"])
        .args(["--python", env.arg()])
        .args(args)
        .env_remove("VIRTUAL_ENV")
        .env_remove("PIP_REQUIRE_VIRTUALENV")
        .output()
        .ok()?;
    let text = stderr(&output);
    assert!(
        !(text.contains("No module named pip") || text.contains("no such option: --python")),
        "these tests compare with the real pip: python3 -m pip with --python (pip 22.3 or newer) is required: {text}"
    );
    Some(output)
}

/// The lines of a `requirements.txt` that pin something (`name==version`),
/// without hashes, markers or comments.
pub fn pins(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains("=="))
        .map(|l| l.split([' ', ';']).next().unwrap().to_string())
        .collect()
}

/// A tiny PEP 517/660 backend for projects to ship in-tree (`backend-path`), so
/// tests build them with nothing but the test index: the wheel holds `<name>.py` (or, editable, a
/// `.pth` pointing at the project), named and versioned by `[project]`,
/// with its `dependencies` and extras.
pub const IN_TREE_BACKEND: &str = r#"
import base64, hashlib, os, tomllib, zipfile

def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _project()["name"]
    return _wheel(wheel_directory, name + ".py", open(name + ".py").read())

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, _project()["name"] + ".pth", os.path.abspath(".") + "\n")

def _wheel(wheel_directory, module, content):
    project = _project()
    name, version = project["name"], project["version"]
    dist_info = "%s-%s.dist-info" % (name, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    for dep in project.get("dependencies", []):
        metadata += "Requires-Dist: %s\n" % dep
    for extra, deps in project.get("optional-dependencies", {}).items():
        metadata += "Provides-Extra: %s\n" % extra
        for dep in deps:
            metadata += "Requires-Dist: %s ; extra == '%s'\n" % (dep, extra)
    files = {
        module: content,
        dist_info + "/METADATA": metadata,
        dist_info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    wheel = "%s-%s-py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append(dist_info + "/RECORD,,")
        z.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return wheel
"#;

/// The `[build-system]` of a project built by [`IN_TREE_BACKEND`].
pub const BUILD_SYSTEM: &str = "[build-system]\nrequires = []\nbuild-backend = \"proj_backend\"\nbackend-path = [\"backend\"]\n";

/// Writes a packaged project `name` in `dir` (relative to the world's root;
/// `""` for the root) built by [`IN_TREE_BACKEND`], with `body` after
/// `[project]`'s name, version and `requires-python`.
pub fn project(world: &World, dir: &str, name: &str, body: &str) {
    let base = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    world.write(
        &format!("{base}pyproject.toml"),
        &format!(
            "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n{body}\n{BUILD_SYSTEM}"
        ),
    );
    world.write(&format!("{base}backend/proj_backend.py"), IN_TREE_BACKEND);
    world.write(&format!("{base}{name}.py"), &format!("NAME = '{name}'\n"));
}

/// A PEP 517 backend for sdists to ship in themselves (`backend-path`):
/// it zips the tree's top-level modules, with `PKG-INFO` as the METADATA.
pub const SDIST_BACKEND: &str = r#"
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
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append("%s,sha256=%s,%d" % (path, digest, len(data)))
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
