//! A cheap fingerprint of a local source tree, so a wheel built from a
//! directory is rebuilt when its sources change and reused when they do not.
//!
//! It hashes, for every file of the tree in sorted order, its relative path,
//! size and modification time (nanoseconds): no file is read, so a large tree
//! costs one `stat` per file. Left out are what builds and tools write
//! *into* the tree and what is not a source: VCS directories (`.git`, `.hg`,
//! `.svn`), `build/`, `dist/`, `*.egg-info/`, `__pycache__/`, tox/nox/
//! pytest/mypy caches, `node_modules/`, and any virtual environment (a
//! directory holding `pyvenv.cfg`). Without those exclusions setuptools
//! would change the fingerprint by building (it writes `build/` and
//! `*.egg-info` in place) and every build would be a miss.
//!
//! Known limit: an edit that keeps both size and mtime (possible on a
//! filesystem with coarse timestamps, within one tick) is missed.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::archive::hex;
use crate::error::{BuildError, IoContext};

const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    "build",
    "dist",
    "__pycache__",
    ".tox",
    ".nox",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "node_modules",
];

fn skipped(entry: &walkdir::DirEntry) -> bool {
    if entry.depth() == 0 || !entry.file_type().is_dir() {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    SKIPPED_DIRS.contains(&name.as_ref())
        || name.ends_with(".egg-info")
        || entry.path().join("pyvenv.cfg").is_file()
}

/// The fingerprint of the tree at `root`, as 64 hex digits.
pub fn fingerprint_tree(root: &Path) -> Result<String, BuildError> {
    let mut hasher = Sha256::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e));
    for entry in walker {
        let entry = entry.map_err(|e| BuildError::Io {
            action: "list the files of",
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let metadata = entry.metadata().map_err(|e| BuildError::Io {
            action: "inspect",
            path: entry.path().to_path_buf(),
            source: e.into(),
        })?;
        let mtime = metadata
            .modified()
            .ctx("read the modification time of", entry.path())?
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let name = relative.to_string_lossy();
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update(metadata.len().to_le_bytes());
        hasher.update(mtime.to_le_bytes());
    }
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn changes_with_sources_not_with_build_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("src/pkg")).unwrap();
        fs::write(root.join("pyproject.toml"), "[project]\n").unwrap();
        fs::write(root.join("src/pkg/__init__.py"), "x = 1\n").unwrap();
        let first = fingerprint_tree(root).unwrap();
        assert_eq!(first, fingerprint_tree(root).unwrap());

        fs::create_dir_all(root.join("build/lib")).unwrap();
        fs::write(root.join("build/lib/x.py"), "").unwrap();
        fs::create_dir_all(root.join("src/pkg.egg-info")).unwrap();
        fs::write(root.join("src/pkg.egg-info/PKG-INFO"), "").unwrap();
        fs::create_dir_all(root.join(".venv")).unwrap();
        fs::write(root.join(".venv/pyvenv.cfg"), "").unwrap();
        assert_eq!(first, fingerprint_tree(root).unwrap());

        fs::write(root.join("src/pkg/__init__.py"), "x = 22\n").unwrap();
        assert_ne!(first, fingerprint_tree(root).unwrap());
    }
}
