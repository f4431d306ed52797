//! `posy init`: a new project's skeleton, file for file what `uv init`
//! writes, so a project started by either tool looks the same.
//!
//! Every project gets a `pyproject.toml` (PEP 621: name, version
//! `0.1.0`, a placeholder description, the README, `requires-python =
//! ">=X.Y"` for the Python it starts with, and an empty `dependencies`),
//! a `.python-version` holding `X.Y`, and an empty `README.md`. Then by
//! [`Layout`]:
//!
//! - an application (the default) is a `main.py` with a `main()`, and is
//!   not built: there is no `[build-system]`;
//! - a packaged application is `src/<module>/__init__.py` with a `main()`
//!   that `[project.scripts]` names, built by hatchling;
//! - a library is `src/<module>/__init__.py` and a `py.typed` marker,
//!   built by hatchling.
//!
//! (uv's default backend is its own `uv_build`; posy writes hatchling,
//! which uv also writes with `--build-backend hatch`, because any
//! frontend can build with it.) `bare` writes the `pyproject.toml` alone,
//! without the description and README lines, and nothing else.
//!
//! The directory becomes a git repository, with a `.gitignore` for
//! Python's droppings and `.venv`, when git is installed and the directory
//! is not already inside a work tree; [`Vcs::Git`] insists (no git is an
//! error), [`Vcs::None`] never does it.
//!
//! Nothing is written when the project cannot be made: a directory that
//! already has a `pyproject.toml` and a name that is not a valid package
//! name are refused before the first file. Files the directory already has
//! (a README, a `main.py`) are kept as they are.
//!
//! Not yet: adding the new project to an enclosing workspace (uv does when
//! it finds one), `authors` from git's configuration and other build
//! backends. (`posy init --script` gives one file a PEP 723 block
//! instead; see `posy_project::init_script`.)

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use posy_python::PythonRequest;
use posy_vocab::PackageName;

/// What kind of project to lay out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// `main.py`, not built (`--app`, the default).
    #[default]
    App,
    /// `src/<module>/` with a console script, built (`--app --package`).
    PackagedApp,
    /// `src/<module>/` with `py.typed`, built (`--lib`).
    Lib,
}

/// Whether to start a version control repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Vcs {
    /// git when it is installed and the directory is not in a repository.
    #[default]
    Auto,
    /// git, which must be installed (`--vcs git`).
    Git,
    /// None (`--vcs none`).
    None,
}

/// Everything `posy init` needs to know.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The project's directory, created when missing.
    pub directory: PathBuf,
    /// `--name`; by default the directory's name, normalized.
    pub name: Option<String>,
    pub layout: Layout,
    /// `--bare`: the `pyproject.toml` only.
    pub bare: bool,
    /// The Python the project starts with, `(major, minor)`; see
    /// [`init_python`].
    pub python: (u64, u64),
    /// Write `README.md` (and name it in `pyproject.toml`).
    pub readme: bool,
    /// Write `.python-version`.
    pub pin_python: bool,
    pub vcs: Vcs,
}

/// What `posy init` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOutcome {
    pub name: PackageName,
    /// The project's directory, absolute.
    pub directory: PathBuf,
    /// Whether a git repository was started.
    pub git: bool,
}

/// The description uv writes, for the author to replace.
const DESCRIPTION: &str = "Add your description here";

/// uv's `.gitignore` for a new project.
const GITIGNORE: &str = "# Python-generated files
__pycache__/
*.py[oc]
build/
dist/
wheels/
*.egg-info

# Virtual environments
.venv
";

/// The Python a new project starts with: the version `--python` names
/// when it names one (`3.12`, as uv takes it, whether or not it is
/// installed), otherwise the version of the interpreter it finds.
pub fn init_python(python: Option<&str>, cache_dir: &Path) -> Result<(u64, u64)> {
    if let Some(text) = python
        && let PythonRequest::Version(version) = text.parse::<PythonRequest>()?
        && let Some(minor) = version.minor
    {
        return Ok((version.major, minor));
    }
    let (major, minor, _) = crate::find_interpreter(python, cache_dir)?.python_release();
    Ok((major, minor))
}

/// Makes the project `options` describes; see the module doc.
pub fn init(options: &InitOptions) -> Result<InitOutcome> {
    let directory = clean_absolute(&options.directory)?;
    if directory.join("pyproject.toml").exists() {
        bail!(
            "Project is already initialized in `{}` (`pyproject.toml` file exists)",
            directory.display()
        );
    }
    let name = project_name(options.name.as_deref(), &directory)?;
    let wants_git = match options.vcs {
        Vcs::Auto => !options.bare,
        Vcs::Git => true,
        Vcs::None => false,
    };
    let git = wants_git
        && match git_work_tree(&directory) {
            Some(inside) => !inside,
            None if options.vcs == Vcs::Git => {
                bail!("`--vcs git` needs git, and git is not installed (or not on PATH)")
            }
            None => false,
        };

    fs::create_dir_all(&directory)
        .with_context(|| format!("cannot create {}", directory.display()))?;
    let module = name.as_dist_info_name();
    write_new(
        &directory.join("pyproject.toml"),
        &pyproject(&name, options),
    )?;
    if !options.bare {
        if options.pin_python {
            let (major, minor) = options.python;
            write_new(
                &directory.join(".python-version"),
                &format!("{major}.{minor}\n"),
            )?;
        }
        if options.readme {
            write_new(&directory.join("README.md"), "")?;
        }
        let package_dir = directory.join("src").join(&module);
        match options.layout {
            Layout::App => write_new(
                &directory.join("main.py"),
                &format!(
                    "def main():\n    print(\"Hello from {name}!\")\n\n\nif __name__ == \"__main__\":\n    main()\n"
                ),
            )?,
            Layout::PackagedApp => write_new(
                &package_dir.join("__init__.py"),
                &format!("def main() -> None:\n    print(\"Hello from {name}!\")\n"),
            )?,
            Layout::Lib => {
                write_new(
                    &package_dir.join("__init__.py"),
                    &format!("def hello() -> str:\n    return \"Hello from {name}!\"\n"),
                )?;
                write_new(&package_dir.join("py.typed"), "")?;
            }
        }
    }
    if git {
        git_init(&directory)?;
        write_new(&directory.join(".gitignore"), GITIGNORE)?;
    }
    Ok(InitOutcome {
        name,
        directory,
        git,
    })
}

/// The new `pyproject.toml`, line for line what uv writes.
fn pyproject(name: &PackageName, options: &InitOptions) -> String {
    let (major, minor) = options.python;
    let mut text = format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    if !options.bare {
        text.push_str(&format!("description = \"{DESCRIPTION}\"\n"));
        if options.readme {
            text.push_str("readme = \"README.md\"\n");
        }
    }
    text.push_str(&format!(
        "requires-python = \">={major}.{minor}\"\ndependencies = []\n"
    ));
    if options.layout == Layout::PackagedApp {
        let module = name.as_dist_info_name();
        text.push_str(&format!(
            "\n[project.scripts]\n{name} = \"{module}:main\"\n"
        ));
    }
    if options.layout != Layout::App {
        text.push_str(
            "\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
        );
    }
    text
}

/// `--name`, or else the directory's name with its spaces made dashes
/// (`my project` is `my-project`, as uv has it), normalized.
fn project_name(given: Option<&str>, directory: &Path) -> Result<PackageName> {
    if let Some(given) = given {
        return PackageName::new(given)
            .with_context(|| format!("`{given}` is not a valid project name"));
    }
    let dir_name = directory
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dashed = dir_name.split_whitespace().collect::<Vec<_>>().join("-");
    PackageName::new(&dashed).with_context(|| {
        format!(
            "the directory's name `{dir_name}` is not a valid project name; give one with `--name`"
        )
    })
}

/// `path` made absolute, with `.` and `..` folded away.
fn clean_absolute(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path)
        .with_context(|| format!("cannot make {} absolute", path.display()))?;
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// Whether `directory` (or, when it does not exist yet, its nearest
/// existing ancestor) is inside a git work tree; `None` without git.
fn git_work_tree(directory: &Path) -> Option<bool> {
    let existing = directory.ancestors().find(|dir| dir.is_dir())?;
    let output = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(existing)
        .output()
        .ok()?;
    Some(output.status.success() && output.stdout.starts_with(b"true"))
}

fn git_init(directory: &Path) -> Result<()> {
    let output = Command::new("git")
        .arg("init")
        .current_dir(directory)
        .output()
        .context("cannot run `git init`")?;
    if !output.status.success() {
        bail!(
            "`git init` failed in {}: {}",
            directory.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Writes `text` to `path` unless the file exists (a README the
/// directory already has is the author's).
fn write_new(path: &Path, text: &str) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(directory: &Path) -> InitOptions {
        InitOptions {
            directory: directory.to_owned(),
            name: None,
            layout: Layout::App,
            bare: false,
            python: (3, 12),
            readme: true,
            pin_python: true,
            vcs: Vcs::None,
        }
    }

    /// The files under `dir`, relative, sorted.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(at) = stack.pop() {
            for entry in fs::read_dir(&at).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(dir).unwrap();
                    out.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn an_app_is_a_main_py_and_an_unbuilt_pyproject() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("My App");
        let outcome = init(&options(&dir)).unwrap();
        assert_eq!(outcome.name.as_str(), "my-app");
        assert_eq!(outcome.directory, dir);
        assert_eq!(
            files(&dir),
            [".python-version", "README.md", "main.py", "pyproject.toml"]
        );
        assert_eq!(
            fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
            "[project]\nname = \"my-app\"\nversion = \"0.1.0\"\ndescription = \"Add your description here\"\nreadme = \"README.md\"\nrequires-python = \">=3.12\"\ndependencies = []\n"
        );
        assert_eq!(
            fs::read_to_string(dir.join(".python-version")).unwrap(),
            "3.12\n"
        );
        assert!(
            fs::read_to_string(dir.join("main.py"))
                .unwrap()
                .contains("def main():\n    print(\"Hello from my-app!\")")
        );
    }

    #[test]
    fn a_library_and_a_packaged_app_live_under_src_and_are_built_by_hatchling() {
        let root = tempfile::tempdir().unwrap();
        let lib = root.path().join("lib");
        init(&InitOptions {
            name: Some("Fancy.Lib".into()),
            layout: Layout::Lib,
            ..options(&lib)
        })
        .unwrap();
        assert_eq!(
            files(&lib),
            [
                ".python-version",
                "README.md",
                "pyproject.toml",
                "src/fancy_lib/__init__.py",
                "src/fancy_lib/py.typed"
            ]
        );
        let text = fs::read_to_string(lib.join("pyproject.toml")).unwrap();
        assert!(text.contains("name = \"fancy-lib\""), "{text}");
        assert!(
            text.ends_with(
                "dependencies = []\n\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
            ),
            "{text}"
        );
        assert!(!text.contains("[project.scripts]"), "{text}");

        let app = root.path().join("tool");
        init(&InitOptions {
            layout: Layout::PackagedApp,
            ..options(&app)
        })
        .unwrap();
        let text = fs::read_to_string(app.join("pyproject.toml")).unwrap();
        assert!(
            text.contains("\n[project.scripts]\ntool = \"tool:main\"\n\n[build-system]\n"),
            "{text}"
        );
        assert!(app.join("src/tool/__init__.py").is_file());
        assert!(!app.join("src/tool/py.typed").exists());
    }

    #[test]
    fn bare_writes_the_pyproject_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("bare");
        init(&InitOptions {
            bare: true,
            vcs: Vcs::Auto,
            ..options(&dir)
        })
        .unwrap();
        assert_eq!(files(&dir), ["pyproject.toml"]);
        assert_eq!(
            fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
            "[project]\nname = \"bare\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = []\n"
        );
    }

    #[test]
    fn no_readme_and_no_pin() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("p");
        init(&InitOptions {
            readme: false,
            pin_python: false,
            ..options(&dir)
        })
        .unwrap();
        assert_eq!(files(&dir), ["main.py", "pyproject.toml"]);
        let text = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
        assert!(!text.contains("readme"), "{text}");
    }

    #[test]
    fn an_initialized_directory_or_a_bad_name_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("done");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("pyproject.toml"), "[project]\n").unwrap();
        let error = init(&options(&dir)).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "Project is already initialized in `{}` (`pyproject.toml` file exists)",
                dir.display()
            )
        );
        assert_eq!(files(&dir), ["pyproject.toml"]);

        let fresh = root.path().join("fresh");
        let error = init(&InitOptions {
            name: Some("bad name!".into()),
            ..options(&fresh)
        })
        .unwrap_err();
        assert_eq!(error.to_string(), "`bad name!` is not a valid project name");
        let bad_dir = root.path().join("-x-");
        let error = init(&options(&bad_dir)).unwrap_err();
        assert!(
            error.to_string().contains("give one with `--name`"),
            "{error}"
        );
        assert!(!fresh.exists() && !bad_dir.exists());
    }

    #[test]
    fn files_the_directory_has_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("mine");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("README.md"), "# Mine\n").unwrap();
        init(&options(&dir)).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("README.md")).unwrap(),
            "# Mine\n"
        );
        assert!(dir.join("pyproject.toml").is_file());
    }

    #[test]
    fn git_is_started_only_outside_a_work_tree() {
        let root = tempfile::tempdir().unwrap();
        if git_work_tree(root.path()) != Some(false) {
            return; // no git, or a temporary directory inside a repository.
        }
        let outer = root.path().join("outer");
        let outcome = init(&InitOptions {
            vcs: Vcs::Auto,
            ..options(&outer)
        })
        .unwrap();
        assert!(outcome.git);
        assert!(outer.join(".git").is_dir());
        assert_eq!(
            fs::read_to_string(outer.join(".gitignore")).unwrap(),
            GITIGNORE
        );
        let inner = outer.join("inner");
        let outcome = init(&InitOptions {
            vcs: Vcs::Git,
            ..options(&inner)
        })
        .unwrap();
        assert!(!outcome.git, "already inside outer's work tree");
        assert!(!inner.join(".git").exists() && !inner.join(".gitignore").exists());
    }
}
