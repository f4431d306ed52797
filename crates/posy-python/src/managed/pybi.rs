//! PyBI (PEP 711, a draft): a Python interpreter as a zip archive,
//! `{name}-{version}-{platform tag}.pybi`.
//!
//! The archive holds the installation tree at its root and a `pybi-info/`
//! directory: `PYBI` (the format version), `METADATA` (core-metadata
//! style, with `Pybi-Paths`: the sysconfig paths relative to the root,
//! `Pybi-Environment-Marker-Variables`: the PEP 508 marker values as JSON,
//! and one `Pybi-Wheel-Tag` line per supported wheel tag, best first) and
//! `RECORD`, whose hash field reads `symlink=TARGET` for a symlink (zip has
//! no portable symlinks). A relative symlink is recreated; one that is
//! absolute or leaves the tree is refused, as is any path that would.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// What `pybi-info/METADATA` says about the interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PybiMetadata {
    pub name: String,
    pub version: String,
    /// `Pybi-Paths`: sysconfig paths relative to the install root.
    pub paths: BTreeMap<String, String>,
    /// `Pybi-Environment-Marker-Variables`.
    pub markers: BTreeMap<String, String>,
    /// `Pybi-Wheel-Tag`, best first (`cp312-cp312-PLATFORM` keeps the
    /// literal `PLATFORM` the PEP allows for the platform tags).
    pub wheel_tags: Vec<String>,
}

/// A PyBI that cannot be installed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", archive.display())]
pub struct PybiError {
    pub archive: PathBuf,
    pub message: String,
}

impl PybiMetadata {
    /// Parses the text of `pybi-info/METADATA`.
    pub fn parse(text: &str) -> Result<PybiMetadata, String> {
        let mut name = None;
        let mut version = None;
        let mut paths = None;
        let mut markers = None;
        let mut wheel_tags = Vec::new();
        for line in text.lines() {
            if line.is_empty() {
                break;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(value.to_string()),
                "version" => version = Some(value.to_string()),
                "pybi-paths" => {
                    paths =
                        Some(serde_json::from_str(value).map_err(|e| format!("Pybi-Paths: {e}"))?)
                }
                "pybi-environment-marker-variables" => {
                    markers = Some(
                        serde_json::from_str(value)
                            .map_err(|e| format!("Pybi-Environment-Marker-Variables: {e}"))?,
                    )
                }
                "pybi-wheel-tag" => wheel_tags.push(value.to_string()),
                _ => {}
            }
        }
        Ok(PybiMetadata {
            name: name.ok_or("no Name")?,
            version: version.ok_or("no Version")?,
            paths: paths.ok_or("no Pybi-Paths")?,
            markers: markers.ok_or("no Pybi-Environment-Marker-Variables")?,
            wheel_tags,
        })
    }

    /// The metadata of the PyBI installed at `root`.
    pub fn read(root: &Path) -> Option<PybiMetadata> {
        let text = fs::read_to_string(root.join("pybi-info/METADATA")).ok()?;
        PybiMetadata::parse(&text).ok()
    }
}

/// Unpacks the PyBI at `archive` into `into` (which must not exist),
/// recreating the symlinks its RECORD lists.
pub fn unpack(archive: &Path, into: &Path) -> Result<PybiMetadata, PybiError> {
    let fail = |message: String| PybiError {
        archive: archive.to_path_buf(),
        message,
    };
    let file = fs::File::open(archive).map_err(|e| fail(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|e| fail(format!("not a zip archive: {e}")))?;
    fs::create_dir_all(into).map_err(|e| fail(e.to_string()))?;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| fail(e.to_string()))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let relative = entry
            .enclosed_name()
            .ok_or_else(|| fail(format!("`{name}` leaves the archive")))?;
        let path = into.join(&relative);
        if entry.is_dir() {
            fs::create_dir_all(&path).map_err(|e| fail(e.to_string()))?;
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
        }
        let mut out = fs::File::create(&path).map_err(|e| fail(e.to_string()))?;
        io::copy(&mut entry, &mut out).map_err(|e| fail(format!("{name}: {e}")))?;
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode & 0o777))
                .map_err(|e| fail(e.to_string()))?;
        }
    }
    let metadata = fs::read_to_string(into.join("pybi-info/METADATA"))
        .map_err(|_| fail("it has no pybi-info/METADATA".into()))?;
    let metadata =
        PybiMetadata::parse(&metadata).map_err(|e| fail(format!("pybi-info/METADATA: {e}")))?;
    let record = fs::read_to_string(into.join("pybi-info/RECORD"))
        .map_err(|_| fail("it has no pybi-info/RECORD".into()))?;
    for line in record.lines() {
        let mut fields = line.splitn(3, ',');
        let (Some(path), Some(hash)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some(target) = hash.strip_prefix("symlink=") else {
            continue;
        };
        let link = Path::new(path);
        if !stays_inside(link, Path::new(""))
            || !stays_inside(Path::new(target), link.parent().unwrap_or(Path::new("")))
        {
            return Err(fail(format!(
                "the symlink {path} -> {target} leaves the installation"
            )));
        }
        let link = into.join(link);
        if let Some(parent) = link.parent() {
            fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
        }
        let _ = fs::remove_file(&link);
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, &link).map_err(|e| fail(format!("{path}: {e}")))?;
    }
    Ok(metadata)
}

/// Whether `relative`, read from the directory `base` (itself relative to
/// the root), stays inside the root.
fn stays_inside(relative: &Path, base: &Path) -> bool {
    let mut depth: i64 = base.components().count() as i64;
    for component in relative.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_fields() {
        let text = "Metadata-Version: 2.2\nName: cpython\nVersion: 3.12.1\nPybi-Environment-Marker-Variables: {\"python_version\": \"3.12\"}\nPybi-Paths: {\"stdlib\": \"lib/python3.12\", \"scripts\": \"bin\"}\nPybi-Wheel-Tag: cp312-cp312-PLATFORM\nPybi-Wheel-Tag: py3-none-any\n\nbody";
        let meta = PybiMetadata::parse(text).unwrap();
        assert_eq!(meta.name, "cpython");
        assert_eq!(meta.markers["python_version"], "3.12");
        assert_eq!(meta.paths["scripts"], "bin");
        assert_eq!(meta.wheel_tags, ["cp312-cp312-PLATFORM", "py3-none-any"]);
        assert!(
            PybiMetadata::parse("Name: x\n")
                .unwrap_err()
                .contains("Version")
        );
    }

    #[test]
    fn symlinks_must_stay_inside() {
        assert!(stays_inside(Path::new("python3.12"), Path::new("bin")));
        assert!(stays_inside(
            Path::new("../lib/libpython.so"),
            Path::new("bin")
        ));
        assert!(!stays_inside(
            Path::new("../../etc/passwd"),
            Path::new("bin")
        ));
        assert!(!stays_inside(
            Path::new("/usr/bin/python"),
            Path::new("bin")
        ));
    }
}
