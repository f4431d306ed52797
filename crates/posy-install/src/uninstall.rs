//! Removing an installed distribution by its `RECORD`.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{InstallError, IoContext};
use crate::installed::InstalledDist;
use crate::transaction::failpoint;

/// What an uninstall removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UninstallReport {
    pub files: usize,
    pub dirs: usize,
}

/// Removes `dist` from the environment rooted at `prefix`: every file its
/// `RECORD` lists (and the `__pycache__` bytecode of listed `.py` files),
/// then directories left empty, then the `.dist-info` directory.
///
/// Every path is checked before anything is removed: a `RECORD` that
/// points outside `prefix` (`../../etc/passwd`) fails the whole uninstall,
/// and so does one whose directory, symlinks resolved, lies outside it (a
/// symlinked directory inside the environment that leads elsewhere).
pub fn uninstall(dist: &InstalledDist, prefix: &Path) -> Result<UninstallReport, InstallError> {
    uninstall_except(dist, prefix, &BTreeSet::new())
}

/// Like [`uninstall`], but keeps the files in `keep` (absolute, normalized
/// paths): used when an upgrade already put new files at some of the paths.
/// The bytecode of a kept `.py` file is removed all the same, since it was
/// compiled from the old file.
pub(crate) fn uninstall_except(
    dist: &InstalledDist,
    prefix: &Path,
    keep: &BTreeSet<PathBuf>,
) -> Result<UninstallReport, InstallError> {
    let root = dist.root().to_path_buf();
    let prefix = normalize(prefix);
    let mut targets = Vec::new();
    // An interrupted install wrote no RECORD: its files are unknown (a
    // reinstall of the name overwrites them); its `.dist-info` goes.
    let record = if dist.is_complete() {
        dist.record()?
    } else {
        tracing::warn!(
            "{dist} was never completely installed (its RECORD is missing); removing its {}",
            dist.dist_info.display()
        );
        Vec::new()
    };
    for entry in record {
        let path = normalize(&root.join(&entry.path));
        if !path.starts_with(&prefix) {
            return Err(InstallError::OutsideEnvironment {
                dist: dist.to_string(),
                path: entry.path,
                root: prefix,
            });
        }
        targets.push(path);
    }
    check_real_parents(dist, &targets, &prefix)?;
    let mut report = UninstallReport::default();
    let mut parents = BTreeSet::new();
    for path in &targets {
        // Bytecode goes even when the source is kept: a new version's file at
        // the same path must not run as the old one's cached code.
        if path.extension().is_some_and(|e| e == "py") {
            report.files += remove_bytecode(path)?;
        }
        if let Some(parent) = path.parent() {
            parents.insert(parent.join("__pycache__"));
        }
        if keep.contains(path) {
            continue;
        }
        if remove_file(path)? {
            report.files += 1;
        }
        failpoint("uninstall");
        if let Some(parent) = path.parent() {
            parents.insert(parent.to_path_buf());
        }
    }
    let dist_info = normalize(&dist.dist_info);
    if dist_info.starts_with(&prefix)
        && dist_info.exists()
        && !keep.iter().any(|k| k.starts_with(&dist_info))
    {
        fs::remove_dir_all(&dist_info).ctx("remove", &dist_info)?;
        report.dirs += 1;
    }
    // Deepest first, so a package's subdirectories go before it.
    let mut parents: Vec<PathBuf> = parents.into_iter().collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for dir in parents {
        let mut dir = dir.as_path();
        while dir.starts_with(&root) && dir != root && fs::remove_dir(dir).is_ok() {
            report.dirs += 1;
            match dir.parent() {
                Some(parent) => dir = parent,
                None => break,
            }
        }
    }
    Ok(report)
}

/// Refuses targets whose parent directory, with symlinks resolved, is
/// outside `prefix` (also resolved). Parents that do not exist hold nothing
/// to remove. Each directory is resolved once.
fn check_real_parents(
    dist: &InstalledDist,
    targets: &[PathBuf],
    prefix: &Path,
) -> Result<(), InstallError> {
    let real_prefix = fs::canonicalize(prefix).unwrap_or_else(|_| prefix.to_path_buf());
    let mut checked: BTreeSet<&Path> = BTreeSet::new();
    for path in targets {
        let Some(parent) = path.parent() else {
            continue;
        };
        if !checked.insert(parent) {
            continue;
        }
        let Ok(real) = fs::canonicalize(parent) else {
            continue;
        };
        if !real.starts_with(&real_prefix) {
            return Err(InstallError::OutsideEnvironment {
                dist: dist.to_string(),
                path: format!(
                    "{} (through a symlink to {})",
                    path.display(),
                    real.display()
                ),
                root: prefix.to_path_buf(),
            });
        }
    }
    Ok(())
}

fn remove_file(path: &Path) -> Result<bool, InstallError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(InstallError::Io {
            action: "remove",
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Removes `__pycache__/<stem>.*.pyc` next to a `.py` file.
pub(crate) fn remove_bytecode(py: &Path) -> Result<usize, InstallError> {
    let (Some(dir), Some(stem)) = (py.parent(), py.file_stem()) else {
        return Ok(0);
    };
    let cache = dir.join("__pycache__");
    let Ok(entries) = fs::read_dir(&cache) else {
        return Ok(0);
    };
    let prefix = format!("{}.", stem.to_string_lossy());
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".pyc") && remove_file(&entry.path())? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Resolves `.` and `..` lexically (the paths may not exist).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytecode_of_kept_files_goes_too() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("lib/site-packages");
        let dist_info = site.join("a-1.0.dist-info");
        fs::create_dir_all(&dist_info).unwrap();
        fs::create_dir_all(site.join("a/__pycache__")).unwrap();
        fs::write(
            dist_info.join("RECORD"),
            "a/__init__.py,,\na/old.py,,\na/data.txt,,\na-1.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        for file in [
            "a/__init__.py",
            "a/old.py",
            "a/data.txt",
            "a/__pycache__/__init__.cpython-312.pyc",
            "a/__pycache__/__init__.cpython-312.opt-2.pyc",
            "a/__pycache__/old.cpython-312.pyc",
        ] {
            fs::write(site.join(file), "").unwrap();
        }
        let dist = InstalledDist::from_dist_info(&dist_info).unwrap();
        let keep = BTreeSet::from([site.join("a/__init__.py"), site.join("a/data.txt")]);

        let report = uninstall_except(&dist, tmp.path(), &keep).unwrap();
        assert!(site.join("a/__init__.py").exists());
        assert!(site.join("a/data.txt").exists());
        assert!(!site.join("a/old.py").exists());
        assert!(!site.join("a/__pycache__").exists());
        assert!(!dist_info.exists());
        // old.py, three .pyc files and RECORD; __pycache__ and the .dist-info.
        assert_eq!(report, UninstallReport { files: 5, dirs: 2 });
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_never_leads_a_removal_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("precious"), "keep me").unwrap();
        let env = tmp.path().join("env");
        let site = env.join("lib/site-packages");
        let dist_info = site.join("evil-1.0.dist-info");
        fs::create_dir_all(&dist_info).unwrap();
        std::os::unix::fs::symlink(&outside, site.join("evil")).unwrap();
        fs::write(
            dist_info.join("RECORD"),
            "evil/precious,,\nevil-1.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        let dist = InstalledDist::from_dist_info(&dist_info).unwrap();
        let error = uninstall(&dist, &env).unwrap_err().to_string();
        assert!(error.contains("through a symlink"), "{error}");
        assert_eq!(
            fs::read_to_string(outside.join("precious")).unwrap(),
            "keep me"
        );
        assert!(
            dist_info.exists(),
            "nothing is removed when a path is refused"
        );
    }
}
