//! Installing one download: fetch (verified, cached in the store), unpack
//! beside the destination, make relocatable, rename into place.
//!
//! python-build-standalone's `install_only` archives hold one top-level
//! `python/` directory whose files were built for the prefix `/install`.
//! The interpreter finds its own prefix at run time, and its shared
//! library through `$ORIGIN`, so the tree runs wherever it is put; what
//! still names `/install` is text read by other programs: the
//! `_sysconfigdata_*.py` module (what `sysconfig.get_config_var` answers,
//! which build backends read to compile extensions) and the pkg-config
//! `.pc` files. Those are rewritten to the final directory before the
//! rename, so the tree is complete when it appears. `bin/python` and
//! `bin/python3` are added where the archive lacks them, and an
//! `EXTERNALLY-MANAGED` file (PEP 668) tells pip to leave the interpreter
//! alone: packages go into virtual environments.
//!
//! PyPy's archives hold one top-level directory too
//! (`pypy3.10-v7.3.19-linux64/`), with `bin/pypy3.10` and the standard
//! library in `lib/pypy3.10`; PyPy computes its prefix from where it runs,
//! so there is nothing to rewrite, only the `python`/`python3`/`pypy3`
//! links to add where missing and `EXTERNALLY-MANAGED`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use posy_index::{IndexClient, IndexError, IndexFile};
use posy_vocab::ArtifactHash;

use super::{ManagedDir, ManagedPython, PythonDownload, pybi, write_record};

/// The prefix python-build-standalone builds with.
const BUILD_PREFIX: &str = "/install";

/// An install that did not happen (and left nothing behind).
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(
        "{key}: the downloads table gives no sha256 for {url}; posy installs only verified archives"
    )]
    NoHash { key: String, url: String },
    #[error("cannot download {key}: {source}")]
    Download {
        key: String,
        #[source]
        source: IndexError,
    },
    #[error("cannot install {key} into {}: {message}", dir.display())]
    Unpack {
        key: String,
        dir: PathBuf,
        message: String,
    },
}

/// Installs `download` into `dir` (unless it is there already, or
/// `reinstall`), and points its minor-version link at the newest patch.
pub async fn install(
    dir: &ManagedDir,
    download: &PythonDownload,
    client: &IndexClient,
    reinstall: bool,
) -> Result<ManagedPython, InstallError> {
    if !reinstall
        && let Some(existing) = dir.get(&download.key)
        && existing.download.sha256 == download.sha256
    {
        return Ok(existing);
    }
    let sha256 = download
        .sha256
        .clone()
        .ok_or_else(|| InstallError::NoHash {
            key: download.key.clone(),
            url: download.url.clone(),
        })?;
    let download_error = |message: String| InstallError::Download {
        key: download.key.clone(),
        source: IndexError::Parse {
            url: download.url.clone(),
            message,
        },
    };
    let url = if download.url.contains("://") {
        url::Url::parse(&download.url).map_err(|e| download_error(e.to_string()))?
    } else {
        let path = std::path::absolute(&download.url).map_err(|e| download_error(e.to_string()))?;
        url::Url::from_file_path(&path).map_err(|()| download_error("not a path".into()))?
    };
    let hash: ArtifactHash = format!("sha256:{sha256}")
        .parse()
        .map_err(|_| download_error(format!("`{sha256}` is not a sha256 digest")))?;
    let mut file = IndexFile::new(download.filename(), url);
    file.hashes = vec![hash];
    let artifact = client
        .download(&file)
        .await
        .map_err(|source| InstallError::Download {
            key: download.key.clone(),
            source,
        })?;
    let dir = dir.clone();
    let download = download.clone();
    tokio::task::spawn_blocking(move || unpack_into_place(&dir, &download, &artifact.path))
        .await
        .map_err(|e| InstallError::Unpack {
            key: String::new(),
            dir: PathBuf::new(),
            message: e.to_string(),
        })?
}

/// Unpacks the verified archive at `archive` and renames it into place.
fn unpack_into_place(
    dir: &ManagedDir,
    download: &PythonDownload,
    archive: &Path,
) -> Result<ManagedPython, InstallError> {
    let final_dir = dir.root().join(&download.key);
    let fail = |message: String| InstallError::Unpack {
        key: download.key.clone(),
        dir: dir.root().to_path_buf(),
        message,
    };
    fs::create_dir_all(dir.root()).map_err(|e| fail(format!("cannot create it: {e}")))?;
    // Dropped on every early return: a failed unpack leaves nothing.
    let staging = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(dir.root())
        .map_err(|e| fail(format!("cannot make a staging directory: {e}")))?;
    let tree = if download.filename().ends_with(".pybi") {
        let tree = staging.path().join("pybi");
        pybi::unpack(archive, &tree).map_err(|e| fail(e.to_string()))?;
        tree
    } else {
        unpack_tar_gz(archive, staging.path())
            .map_err(|e| fail(format!("cannot unpack {}: {e}", archive.display())))?;
        let tree = top_directory(staging.path()).map_err(&fail)?;
        check_interpreter(&tree, download).map_err(&fail)?;
        tree
    };
    relocate(&tree, &final_dir, download).map_err(|e| fail(format!("cannot relocate: {e}")))?;
    write_record(&tree, download).map_err(|e| fail(format!("cannot write its record: {e}")))?;
    if fs::symlink_metadata(&final_dir).is_ok() {
        // A reinstall, or another process won the race: the old tree is
        // moved aside (and removed with the staging directory).
        fs::rename(&final_dir, staging.path().join("replaced"))
            .map_err(|e| fail(format!("cannot replace {}: {e}", final_dir.display())))?;
    }
    fs::rename(&tree, &final_dir)
        .map_err(|e| fail(format!("cannot move it into {}: {e}", final_dir.display())))?;
    drop(staging);
    dir.update_minor_link(&download.minor_key())
        .map_err(|e| fail(format!("cannot update {}: {e}", download.minor_key())))?;
    Ok(ManagedPython {
        dir: final_dir,
        download: download.clone(),
    })
}

fn unpack_tar_gz(archive: &Path, into: &Path) -> io::Result<()> {
    let file = fs::File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(file)));
    tar.set_preserve_permissions(true);
    tar.set_preserve_mtime(true);
    tar.set_overwrite(false);
    tar.unpack(into)
}

/// The archive holds the interpreter the table says (a table entry whose
/// sha256 names another archive is caught here: the store hands out
/// artifacts by sha256, so the bytes match but the Python does not).
fn check_interpreter(tree: &Path, download: &PythonDownload) -> Result<(), String> {
    if download.os == "windows" {
        return Ok(());
    }
    let name = format!("bin/{}", download.executable_name());
    if tree.join(&name).exists() {
        Ok(())
    } else {
        Err(format!(
            "the archive has no {name}: it is not the {} {} its table entry ({}) says",
            if download.name == "pypy" {
                "PyPy"
            } else {
                "Python"
            },
            download.version(),
            download.url
        ))
    }
}

/// The archive's single top-level directory (`python/`).
fn top_directory(staging: &Path) -> Result<PathBuf, String> {
    let entries: Vec<PathBuf> = fs::read_dir(staging)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    match entries.as_slice() {
        [only] if only.is_dir() => Ok(only.clone()),
        _ => Err(
            "the archive does not hold one top-level directory (python-build-standalone's `python/` or PyPy's `pypy3.X-vX.Y.Z-PLATFORM/` layout was expected)"
                .to_string(),
        ),
    }
}

/// Makes the tree at `tree` right for living at `final_dir`.
fn relocate(tree: &Path, final_dir: &Path, download: &PythonDownload) -> io::Result<()> {
    if download.os == "windows" {
        return Ok(());
    }
    let final_text = final_dir.to_string_lossy();
    let stdlib = tree.join(download.stdlib_relative());
    if stdlib.is_dir() {
        // PyPy's sysconfig data names no build prefix.
        let entries = match download.name.as_str() {
            "pypy" => Vec::new(),
            _ => fs::read_dir(&stdlib)?.filter_map(Result::ok).collect(),
        };
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("_sysconfigdata_") && name.ends_with(".py") {
                rewrite_prefix(&entry.path(), &final_text)?;
            }
        }
        // The bytecode of the rewritten module would still say /install.
        let cache = stdlib.join("__pycache__");
        if let Ok(entries) = fs::read_dir(&cache) {
            for entry in entries.filter_map(Result::ok) {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("_sysconfigdata_")
                {
                    fs::remove_file(entry.path())?;
                }
            }
        }
        fs::write(
            stdlib.join("EXTERNALLY-MANAGED"),
            "[externally-managed]\nError=This Python is managed by posy. Make a virtual environment \
             (`posy venv`) and install packages there, or use `posy pip install --python <venv>`.\n",
        )?;
    }
    for pc_dir in [tree.join("lib/pkgconfig"), tree.join("share/pkgconfig")] {
        if let Ok(entries) = fs::read_dir(&pc_dir) {
            for entry in entries.filter_map(Result::ok) {
                if entry.path().extension().is_some_and(|e| e == "pc") {
                    rewrite_prefix(&entry.path(), &final_text)?;
                }
            }
        }
    }
    let bin = tree.join("bin");
    let versioned = download.executable_name();
    let links: &[&str] = match download.name.as_str() {
        "pypy" => &["pypy3", "pypy", "python3", "python"],
        _ => &["python3", "python"],
    };
    if bin.join(&versioned).exists() {
        for name in links {
            let link = bin.join(name);
            if fs::symlink_metadata(&link).is_err() {
                #[cfg(unix)]
                std::os::unix::fs::symlink(&versioned, &link)?;
            }
        }
    }
    Ok(())
}

/// Replaces the build prefix `/install` (as a whole path component) with
/// `prefix` in the text file at `path`; a symlink is left alone (it points
/// at a file rewritten on its own).
fn rewrite_prefix(path: &Path, prefix: &str) -> io::Result<()> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Ok(());
    }
    let text = fs::read_to_string(path)?;
    let rewritten = replace_prefix(&text, prefix);
    if rewritten != text {
        fs::write(path, rewritten)?;
    }
    Ok(())
}

/// `/install` as a path of its own (after a quote, `=`, whitespace or a
/// compiler flag like `-L`; followed by `/`, a quote, whitespace or the end
/// of a line) is the build prefix; `/usr/install` or `/installer` are not.
fn replace_prefix(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(BUILD_PREFIX) {
        let after = &rest[at + BUILD_PREFIX.len()..];
        out.push_str(&rest[..at]);
        let mut previous = out.chars().rev();
        let before_ok = match (previous.next(), previous.next()) {
            (None, _) => true,
            // `-L/install/lib`, `-I/install/include`
            (Some(flag), Some('-')) if flag.is_ascii_alphabetic() => true,
            (Some(c), _) => !path_char(c),
        };
        let after_ok = after
            .chars()
            .next()
            .is_none_or(|c| matches!(c, '/' | '\'' | '"' | ' ' | '\n' | '\t' | ':' | ';'));
        if before_ok && after_ok {
            out.push_str(prefix);
        } else {
            out.push_str(BUILD_PREFIX);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_build_prefix_is_replaced() {
        let text = "'prefix': '/install',\n'LIBDIR': '/install/lib',\n'X': '-L/install/lib -I/install/include',\n'Y': '/usr/install/x /installer'\nprefix=/install\n";
        assert_eq!(
            replace_prefix(text, "/opt/py"),
            "'prefix': '/opt/py',\n'LIBDIR': '/opt/py/lib',\n'X': '-L/opt/py/lib -I/opt/py/include',\n'Y': '/usr/install/x /installer'\nprefix=/opt/py\n"
        );
    }
}
