//! The two shapes of value: a single file, or a directory tree.
//!
//! A bucket is `Bucket<FileValue>` or `Bucket<DirValue>`; the type decides
//! what a producer is handed to fill (an open file, or an empty directory)
//! and how the temporary is staged. The trait is sealed: the store's
//! publish-by-rename logic is only right for these two.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::Path;

use tempfile::{NamedTempFile, TempDir, TempPath};

/// A file value: a producer writes into an open temporary file.
#[derive(Debug)]
pub enum FileValue {}

/// A directory value: a producer fills an empty temporary directory.
#[derive(Debug)]
pub enum DirValue {}

pub(crate) mod sealed {
    use super::*;

    /// What a bucket's values are. Sealed; implemented by [`FileValue`] and [`DirValue`].
    pub trait ValueType: Send + Sync + 'static {
        type Temp: Send + fmt::Debug;
        fn create_temp(tmp: &Path) -> io::Result<Self::Temp>;
        fn temp_path(temp: &Self::Temp) -> &Path;
        /// Closes what must be closed before the rename (Windows cannot
        /// rename an open file).
        fn stage(temp: Self::Temp) -> Staged;
    }

    /// A closed temporary, deleted on drop unless kept.
    pub enum Staged {
        File(TempPath),
        Dir(TempDir),
    }
}

use sealed::{Staged, ValueType};

impl Staged {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Staged::File(path) => path,
            Staged::Dir(dir) => dir.path(),
        }
    }

    /// The temporary became the entry: stop it from being deleted.
    pub(crate) fn keep(self) {
        match self {
            Staged::File(path) => {
                let _ = path.keep();
            }
            Staged::Dir(dir) => {
                let _ = dir.keep();
            }
        }
    }
}

impl ValueType for FileValue {
    type Temp = NamedTempFile;

    fn create_temp(tmp: &Path) -> io::Result<NamedTempFile> {
        tempfile::Builder::new().prefix(".file-").tempfile_in(tmp)
    }

    fn temp_path(temp: &NamedTempFile) -> &Path {
        temp.path()
    }

    fn stage(temp: NamedTempFile) -> Staged {
        Staged::File(temp.into_temp_path())
    }
}

impl ValueType for DirValue {
    type Temp = TempDir;

    fn create_temp(tmp: &Path) -> io::Result<TempDir> {
        tempfile::Builder::new().prefix(".dir-").tempdir_in(tmp)
    }

    fn temp_path(temp: &TempDir) -> &Path {
        temp.path()
    }

    fn stage(temp: TempDir) -> Staged {
        Staged::Dir(temp)
    }
}

/// Access to a file temporary's open handle, for [`FileValue`] only.
pub(crate) fn temp_file(temp: &mut NamedTempFile) -> &mut File {
    temp.as_file_mut()
}
