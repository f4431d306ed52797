//! A packaged project for CLI tests, built by a PEP 517/660 backend that
//! lives inside it (`backend-path`), so nothing but the test index is
//! needed. Include it with `#[path = "common/project_kit.rs"] mod project_kit;`
//! (it is not part of `common`, which every test file compiles).

use super::common::World;

/// A tiny in-tree backend: the wheel holds `<name>.py` (or, editable, a
/// `.pth` pointing at the project), named and versioned by `[project]`,
/// with its `dependencies` and extras.
pub const BACKEND: &str = r#"
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

pub const BUILD_SYSTEM: &str = "[build-system]\nrequires = []\nbuild-backend = \"proj_backend\"\nbackend-path = [\"backend\"]\n";

/// Writes a packaged project `name` in `dir` (relative to the world's root)
/// with the given extra `pyproject.toml` text after `[project]`'s name and version.
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
    world.write(&format!("{base}backend/proj_backend.py"), BACKEND);
    world.write(&format!("{base}{name}.py"), &format!("NAME = '{name}'\n"));
}
