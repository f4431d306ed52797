//! Creating a virtual environment (PEP 405) without running `python -m venv`.
//!
//! A virtual environment is a handful of files, so posy writes them itself
//! in a millisecond or two instead of starting Python to run the `venv`
//! module (and `ensurepip`), which takes seconds:
//!
//! - `pyvenv.cfg`, which makes the interpreter treat the directory as its
//!   prefix: `home` (the base interpreter's directory),
//!   `include-system-site-packages`, `version`, `executable` and `command` as
//!   CPython 3.11+ writes them, plus `implementation`, `version_info` (the
//!   full version, as uv writes it), `posy = <version>` and `prompt` when
//!   one was given;
//! - `bin/python`, `bin/python3`, `bin/python3.X` (and `python3.Xt` for a
//!   free-threaded build, `pypy*` for PyPy): symlinks to the base
//!   interpreter, never to another venv's link, so an environment made from
//!   inside an active environment still stands on its own;
//! - the scheme's `site-packages` directories (as the interpreter's own
//!   `venv` scheme lays them out), and `lib64 -> lib` on 64-bit POSIX other
//!   than macOS, as `venv` does for distributions whose platlib is `lib64`;
//! - activation scripts (see [`crate::activation`]) and a `.gitignore` of
//!   `*` so the environment never ends up in a commit.
//!
//! An existing path is never destroyed silently. An empty directory is
//! used as is; a non-empty one is refused unless [`OnExisting::Clear`]
//! (empty it first, and only if it is a virtual environment: posy will not
//! wipe a directory that merely happens to be where the user pointed) or
//! [`OnExisting::Allow`] (write over our files, keep everything else). If
//! creation fails part way through a directory posy created, it is removed.
//!
//! Windows needs the `venv` launcher executables rather than symlinks;
//! that is not done yet and [`create_venv`] says so.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::activation::{ActivationError, activation_scripts};
use crate::interpreter::{Implementation, Interpreter};

/// What to do when the environment's path already holds something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnExisting {
    /// Refuse a non-empty path (the default).
    #[default]
    Refuse,
    /// Empty an existing virtual environment first (`--clear`).
    Clear,
    /// Empty the directory first even when it is not a virtual
    /// environment (`--clear --force`): the user said so twice.
    ClearAnything,
    /// Write into the directory, keeping what is there (`--allow-existing`).
    Allow,
}

/// How to make the environment.
#[derive(Debug, Clone, Default)]
pub struct VenvOptions {
    /// The prompt; default the directory's name. `.` means the name of the
    /// current directory, as with `python -m venv --prompt .`.
    pub prompt: Option<String>,
    /// Let the environment see the base interpreter's site-packages.
    pub system_site_packages: bool,
    pub on_existing: OnExisting,
    /// The command line recorded as `command` in `pyvenv.cfg`.
    pub command: Option<String>,
    /// The creating tool's version, recorded as `posy = <version>`.
    pub posy_version: String,
}

/// What was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvReport {
    /// The environment's root, absolute.
    pub root: PathBuf,
    /// `bin/python`.
    pub python: PathBuf,
    /// `bin`.
    pub scripts: PathBuf,
    /// `lib/pythonX.Y/site-packages` (purelib).
    pub site_packages: PathBuf,
    /// The prompt the activation scripts show.
    pub prompt: String,
    /// Whether an existing environment was emptied first.
    pub cleared: bool,
}

/// Why the environment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error(
        "`{}` already exists and is not empty; pass --clear to replace the virtual environment there, or --allow-existing to write into it",
        path.display()
    )]
    NotEmpty { path: PathBuf },
    #[error("`{}` exists and is not a directory; choose another path", path.display())]
    NotADirectory { path: PathBuf },
    #[error(
        "`{}` is not a virtual environment (it has no pyvenv.cfg), so --clear will not delete its contents; add --force to delete them, or choose another path",
        path.display()
    )]
    NotAVenv { path: PathBuf },
    #[error(
        "the interpreter `{}` lives inside `{}`, the environment being written; choose the base interpreter with --python",
        interpreter.display(), path.display()
    )]
    InterpreterInside { path: PathBuf, interpreter: PathBuf },
    #[error("cannot write activation scripts for `{}`: {source}", path.display())]
    Activation {
        path: PathBuf,
        #[source]
        source: ActivationError,
    },
    #[error("could not {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("posy cannot create virtual environments on this operating system yet")]
    Unsupported,
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> VenvError {
    let path = path.to_path_buf();
    move |source| VenvError::Io {
        action,
        path,
        source,
    }
}

/// Create a virtual environment at `path` for `interpreter`.
pub fn create_venv(
    interpreter: &Interpreter,
    path: &Path,
    options: &VenvOptions,
) -> Result<VenvReport, VenvError> {
    if !cfg!(unix) {
        return Err(VenvError::Unsupported);
    }
    let root = std::path::absolute(path).map_err(io_error("find the absolute path of", path))?;
    let base = interpreter.base_executable();
    let existed = match fs::metadata(&root) {
        Ok(metadata) if !metadata.is_dir() => return Err(VenvError::NotADirectory { path: root }),
        Ok(_) => true,
        Err(err) if err.kind() == io::ErrorKind::NotFound => false,
        Err(err) => return Err(io_error("inspect", &root)(err)),
    };
    let mut cleared = false;
    if existed {
        if let (Ok(base), Ok(dir)) = (fs::canonicalize(base), fs::canonicalize(&root))
            && base.starts_with(&dir)
        {
            return Err(VenvError::InterpreterInside {
                path: root,
                interpreter: base,
            });
        }
        let empty = fs::read_dir(&root)
            .map_err(io_error("read", &root))?
            .next()
            .is_none();
        if !empty {
            match options.on_existing {
                OnExisting::Refuse => return Err(VenvError::NotEmpty { path: root }),
                OnExisting::Allow => {}
                OnExisting::Clear | OnExisting::ClearAnything => {
                    if options.on_existing == OnExisting::Clear
                        && !root.join("pyvenv.cfg").is_file()
                    {
                        return Err(VenvError::NotAVenv { path: root });
                    }
                    empty_directory(&root)?;
                    cleared = true;
                }
            }
        }
    } else {
        fs::create_dir_all(&root).map_err(io_error("create", &root))?;
    }
    let result = write_environment(interpreter, &root, options, cleared);
    if result.is_err() && !existed {
        // Leave nothing half-made behind in a place we created.
        let _ = fs::remove_dir_all(&root);
    }
    result
}

fn empty_directory(root: &Path) -> Result<(), VenvError> {
    for entry in fs::read_dir(root).map_err(io_error("read", root))? {
        let entry = entry.map_err(io_error("read", root))?;
        let path = entry.path();
        let is_dir = entry
            .file_type()
            .map_err(io_error("inspect", &path))?
            .is_dir();
        if is_dir {
            fs::remove_dir_all(&path).map_err(io_error("remove", &path))?;
        } else {
            fs::remove_file(&path).map_err(io_error("remove", &path))?;
        }
    }
    Ok(())
}

fn write_environment(
    interpreter: &Interpreter,
    root: &Path,
    options: &VenvOptions,
    cleared: bool,
) -> Result<VenvReport, VenvError> {
    let (major, minor, _) = interpreter.python_release();
    let scheme = &interpreter.venv_scheme().paths;
    let default_site = PathBuf::from(format!("lib/python{major}.{minor}/site-packages"));
    let relative = |key: &str, default: &Path| {
        scheme
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_path_buf())
    };
    let scripts = root.join(relative("scripts", Path::new("bin")));
    let purelib = root.join(relative("purelib", &default_site));
    let platlib = root.join(relative("platlib", &default_site));
    // Before the directories: where platlib is `lib64/...` (Fedora, SUSE),
    // it must land inside `lib` through this link, as with `venv`.
    let markers = &interpreter.facts().markers;
    if interpreter.pointer_size() == 64
        && markers.os_name == "posix"
        && markers.sys_platform != "darwin"
    {
        let lib64 = root.join("lib64");
        if fs::symlink_metadata(&lib64).is_err() {
            symlink(Path::new("lib"), &lib64)?;
        }
    }

    for dir in [&scripts, &purelib, &platlib] {
        fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    }

    let base = interpreter.base_executable();
    for name in link_names(interpreter, major, minor) {
        let link = scripts.join(&name);
        if fs::symlink_metadata(&link).is_ok() {
            fs::remove_file(&link).map_err(io_error("replace", &link))?;
        }
        symlink(base, &link)?;
    }

    let prompt = prompt(root, options.prompt.as_deref());
    let cfg = root.join("pyvenv.cfg");
    fs::write(&cfg, pyvenv_cfg(interpreter, options)).map_err(io_error("write", &cfg))?;
    let gitignore = root.join(".gitignore");
    fs::write(&gitignore, "*\n").map_err(io_error("write", &gitignore))?;

    let bin_name = scripts
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("bin");
    let scripts_text =
        activation_scripts(root, bin_name, &prompt).map_err(|source| VenvError::Activation {
            path: root.to_path_buf(),
            source,
        })?;
    for script in scripts_text {
        let path = scripts.join(script.file_name);
        fs::write(&path, script.contents).map_err(io_error("write", &path))?;
    }

    Ok(VenvReport {
        root: root.to_path_buf(),
        python: scripts.join("python"),
        scripts,
        site_packages: purelib,
        prompt,
        cleared,
    })
}

/// The interpreter names a venv's `bin` holds.
fn link_names(interpreter: &Interpreter, major: u64, minor: u64) -> Vec<String> {
    let mut names = vec![
        "python".to_string(),
        format!("python{major}"),
        format!("python{major}.{minor}"),
    ];
    if interpreter.is_free_threaded() {
        names.push(format!("python{major}.{minor}t"));
    }
    if interpreter.implementation() == Implementation::PyPy {
        names.extend([
            "pypy".to_string(),
            format!("pypy{major}"),
            format!("pypy{major}.{minor}"),
        ]);
    }
    names
}

fn prompt(root: &Path, requested: Option<&str>) -> String {
    let dir_name = |path: &Path| {
        path.file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    match requested {
        Some(".") => std::env::current_dir()
            .map(|cwd| dir_name(&cwd))
            .unwrap_or_default(),
        Some(prompt) => prompt.to_string(),
        None => dir_name(root),
    }
}

/// The text of `pyvenv.cfg`.
fn pyvenv_cfg(interpreter: &Interpreter, options: &VenvOptions) -> String {
    let base = interpreter.base_executable();
    let home = base.parent().unwrap_or(base);
    let executable = fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    let (major, minor, micro) = interpreter.python_release();
    let mut lines = vec![
        format!("home = {}", home.display()),
        format!(
            "include-system-site-packages = {}",
            options.system_site_packages
        ),
        format!("version = {major}.{minor}.{micro}"),
        format!("executable = {}", executable.display()),
    ];
    if let Some(command) = &options.command {
        lines.push(format!("command = {command}"));
    }
    lines.push(format!("implementation = {}", interpreter.implementation()));
    lines.push(format!(
        "version_info = {}",
        interpreter.python_full_version()
    ));
    lines.push(format!("posy = {}", options.posy_version));
    if let Some(prompt) = options.prompt.as_deref().filter(|p| *p != ".") {
        lines.push(format!("prompt = {prompt}"));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), VenvError> {
    std::os::unix::fs::symlink(target, link).map_err(io_error("create the link", link))
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> Result<(), VenvError> {
    Err(VenvError::Unsupported)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interpreter() -> Interpreter {
        let facts =
            serde_json::from_str(include_str!("../tests/data/cpython311-linux.json")).unwrap();
        Interpreter::from_facts("/opt/python/bin/python3".into(), facts)
    }

    fn options() -> VenvOptions {
        VenvOptions {
            command: Some("posy venv .venv".into()),
            posy_version: "0.1.0".into(),
            ..VenvOptions::default()
        }
    }

    #[test]
    fn pyvenv_cfg_contents() {
        let interpreter = interpreter();
        let text = pyvenv_cfg(&interpreter, &options());
        let home = interpreter
            .base_executable()
            .parent()
            .unwrap()
            .display()
            .to_string();
        assert!(
            text.starts_with(&format!(
                "home = {home}\ninclude-system-site-packages = false\nversion = 3.11.7\n"
            )),
            "{text}"
        );
        assert!(text.contains("\ncommand = posy venv .venv\n"), "{text}");
        assert!(
            text.contains("\nimplementation = CPython\nversion_info = 3.11.7\nposy = 0.1.0\n"),
            "{text}"
        );
        assert!(!text.contains("prompt"));
        let with_prompt = VenvOptions {
            prompt: Some("work".into()),
            system_site_packages: true,
            ..options()
        };
        let text = pyvenv_cfg(&interpreter, &with_prompt);
        assert!(text.contains("include-system-site-packages = true\n"));
        assert!(text.ends_with("prompt = work\n"));
    }

    #[test]
    fn links_by_implementation() {
        let mut interpreter = interpreter();
        assert_eq!(
            link_names(&interpreter, 3, 11),
            ["python", "python3", "python3.11"]
        );
        let mut facts = interpreter.facts().clone();
        facts.abi.gil_disabled = true;
        facts.sys.implementation = "pypy".into();
        interpreter = Interpreter::from_facts(interpreter.path().into(), facts);
        assert_eq!(
            link_names(&interpreter, 3, 13),
            [
                "python",
                "python3",
                "python3.13",
                "python3.13t",
                "pypy",
                "pypy3",
                "pypy3.13"
            ]
        );
    }

    #[test]
    fn prompt_defaults_to_directory_name() {
        assert_eq!(prompt(Path::new("/a/b/.venv"), None), ".venv");
        assert_eq!(prompt(Path::new("/a/b/.venv"), Some("mine")), "mine");
    }

    #[test]
    fn existing_paths_are_guarded() {
        let dir = tempfile::tempdir().unwrap();
        let interpreter = interpreter();

        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = create_venv(&interpreter, &file, &options()).unwrap_err();
        assert!(matches!(err, VenvError::NotADirectory { .. }), "{err}");

        let full = dir.path().join("project");
        fs::create_dir(&full).unwrap();
        fs::write(full.join("keep.txt"), "precious").unwrap();
        let err = create_venv(&interpreter, &full, &options()).unwrap_err();
        assert!(matches!(err, VenvError::NotEmpty { .. }), "{err}");
        assert!(err.to_string().contains("--clear"), "{err}");
        let clear = VenvOptions {
            on_existing: OnExisting::Clear,
            ..options()
        };
        let err = create_venv(&interpreter, &full, &clear).unwrap_err();
        assert!(matches!(err, VenvError::NotAVenv { .. }), "{err}");
        assert_eq!(
            fs::read_to_string(full.join("keep.txt")).unwrap(),
            "precious"
        );

        let allow = VenvOptions {
            on_existing: OnExisting::Allow,
            ..options()
        };
        let report = create_venv(&interpreter, &full, &allow).unwrap();
        assert!(full.join("keep.txt").exists());
        assert!(!report.cleared);

        // Now it is a venv: --clear empties it, including the stray file.
        let report = create_venv(&interpreter, &full, &clear).unwrap();
        assert!(report.cleared);
        assert!(!full.join("keep.txt").exists());
        assert!(full.join("pyvenv.cfg").is_file());
    }

    #[test]
    fn platlib_under_lib64_lands_in_lib() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("env");
        let mut facts = interpreter().facts().clone();
        facts.venv_scheme.paths.insert(
            "platlib".into(),
            PathBuf::from("lib64/python3.11/site-packages"),
        );
        let interpreter = Interpreter::from_facts("/opt/python/bin/python3".into(), facts);
        create_venv(&interpreter, &root, &options()).unwrap();
        assert_eq!(fs::read_link(root.join("lib64")).unwrap(), Path::new("lib"));
        assert!(root.join("lib64/python3.11/site-packages").is_dir());
    }

    #[test]
    fn layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("env");
        let interpreter = interpreter();
        let report = create_venv(&interpreter, &root, &options()).unwrap();
        assert_eq!(report.root, root);
        assert_eq!(
            report.site_packages,
            root.join("lib/python3.11/site-packages")
        );
        assert!(report.site_packages.is_dir());
        assert_eq!(fs::read_link(root.join("lib64")).unwrap(), Path::new("lib"));
        for name in ["python", "python3", "python3.11"] {
            assert_eq!(
                fs::read_link(root.join("bin").join(name)).unwrap(),
                interpreter.base_executable()
            );
        }
        for name in [
            "activate",
            "activate.fish",
            "activate.csh",
            "activate.nu",
            "activate.ps1",
        ] {
            assert!(root.join("bin").join(name).is_file(), "{name}");
        }
        assert_eq!(fs::read_to_string(root.join(".gitignore")).unwrap(), "*\n");
        assert_eq!(report.prompt, "env");
    }
}
