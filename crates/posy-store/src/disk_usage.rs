//! Measuring trees: the size of an entry, a bucket, or the whole cache.
//!
//! Sizes are apparent sizes (the sum of file lengths, symlinks not followed),
//! which are predictable and portable; block-rounded disk usage is larger
//! for stores of many small files. Files hard-linked into environments count
//! in full even though removing them from the store frees nothing until the
//! environments go too.

use std::fs;
use std::io;
use std::path::Path;

/// The apparent size of `path`: a file's length, or the sum over a tree.
/// A path that does not exist (or vanishes while we walk) measures zero.
pub(crate) fn tree_size(path: &Path) -> io::Result<u64> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => dir_size(path),
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

fn dir_size(dir: &Path) -> io::Result<u64> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut total = 0u64;
    for entry in entries {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        total = total.saturating_add(if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_a_tree() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(tree_size(&dir.path().join("missing")).unwrap(), 0);
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(dir.path().join("a/one"), [0; 10]).unwrap();
        fs::write(dir.path().join("a/b/two"), [0; 32]).unwrap();
        assert_eq!(tree_size(&dir.path().join("a/one")).unwrap(), 10);
        assert_eq!(tree_size(dir.path()).unwrap(), 42);
    }
}
