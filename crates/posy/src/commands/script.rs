//! Scripts (PEP 723). `posy init --script FILE`, `posy add --script FILE
//! PKG…` and `posy remove --script FILE PKG…` edit the `# /// script`
//! block of one file (see `posy_project::ScriptEditor`): only the block,
//! no `pyproject.toml`, no lock, no environment; a requirement is written
//! as given (a bare name stays bare: there is no lock to take a bound
//! from). `posy run script.py` (or `-`, or a URL) runs a script in the
//! environment its block describes and `posy lock --script FILE` locks
//! the block (see `posy_ops::script`); `posy run --with` adds packages for
//! one run.
//!
//! Which `posy run` is a script's, as uv decides: a file with a block
//! always (even inside a project: the script gets its own environment);
//! stdin and URLs always; a file without a block only outside a project
//! or with `--no-project` (it then runs with the interpreter alone, or in
//! an environment of the `--with` packages). A command (`python`, a
//! console script) outside a project runs with `--with` packages if any,
//! else as it is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use posy_ops::{
    Script, ScriptOptions, fetch_script, init_python, keep_script_text, lock_script,
    prepare_script, script_lock_is_fresh,
};
use posy_project::{ScriptEditor, Workspace, init_script};
use posy_vocab::{PackageName, Requirement};

use crate::cli::{GlobalArgs, LockArgs, RunArgs};
use crate::settings;

/// `posy init --script FILE [--python X]`.
pub fn init(path: &Path, python: Option<&str>, global: &GlobalArgs) -> Result<ExitCode> {
    let python = init_python(python, &settings::cache_dir(global)?)?;
    init_script(path, Some(python))?;
    eprintln!("Initialized script at `{}`", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `posy add --script FILE PKG…`; a file without a block gets one, with
/// `requires-python` from `--python` or the interpreter found.
pub fn add(
    path: &Path,
    packages: &[String],
    python: Option<&str>,
    global: &GlobalArgs,
) -> Result<ExitCode> {
    let requirements: Vec<Requirement> = packages
        .iter()
        .map(|text| {
            text.parse::<Requirement>()
                .with_context(|| format!("cannot add `{text}`"))
        })
        .collect::<Result<_>>()?;
    let mut editor = match ScriptEditor::open(path)? {
        Some(editor) => editor,
        None => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let python = init_python(python, &settings::cache_dir(global)?)?;
            ScriptEditor::with_new_block(&text, Some(python))?
        }
    };
    for requirement in &requirements {
        editor.add_dependency(requirement)?;
    }
    write(&editor, path)
}

/// `posy remove --script FILE PKG…`.
pub fn remove(path: &Path, packages: &[String]) -> Result<ExitCode> {
    let names: Vec<PackageName> = packages
        .iter()
        .map(|n| PackageName::new(n).with_context(|| format!("`{n}` is not a package name")))
        .collect::<Result<_>>()?;
    let mut editor = ScriptEditor::open(path)?.with_context(|| {
        format!(
            "{} has no `# /// script` block to remove from",
            path.display()
        )
    })?;
    for name in &names {
        editor.remove_dependency(name)?;
    }
    write(&editor, path)
}

fn write(editor: &ScriptEditor, path: &Path) -> Result<ExitCode> {
    if editor.write(path)? {
        eprintln!("Updated `{}`", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// What `posy run` was given to run.
enum Target {
    /// A script: a file, `-` (stdin) or a URL.
    Script(Script),
    /// A command (`python`, a console script) outside any project.
    Command,
}

/// `posy run` of a script, or of a command outside a project (see
/// `posy_ops::script` for which environment): `None` when the command is
/// the project's to run.
pub fn run(args: &RunArgs, global: &GlobalArgs) -> Result<Option<ExitCode>> {
    let (first, rest) = args.command.split_first().context("no command to run")?;
    let is_url = first.starts_with("https://") || first.starts_with("http://");
    let file = Path::new(first);
    let is_file = !is_url && first != "-" && file.is_file();
    if !is_url && first != "-" && is_python_file(file) && !file.exists() {
        bail!("the script {first} does not exist");
    }
    let in_project = !args.no_project && in_project()?;
    // A block decides at once; a file without one is the project's if
    // there is a project; stdin and URLs are always scripts.
    let local = if is_file && (is_python_file(file) || !in_project) {
        Some(Script::read(file)?)
    } else {
        None
    };
    let target = match local {
        Some(script) if script.block.is_some() || !in_project => Target::Script(script),
        Some(_) => return Ok(None),
        None if first == "-" || is_url => {
            Target::Script(Script::parse("", PathBuf::from("-"), String::new(), false)?)
        }
        None if in_project => return Ok(None),
        None => Target::Command,
    };
    let session = settings::session(global)?;
    let target = match target {
        Target::Script(_) if first == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read the script from stdin")?;
            let path = keep_script_text(session.store(), &text)?;
            Target::Script(Script::parse(&text, path, "-".into(), false)?)
        }
        Target::Script(_) if is_url => Target::Script(fetch_script(
            &session,
            first,
            global.offline,
            args.project.index.refresh,
        )?),
        other => other,
    };
    let options = options(args, global);
    let (script, program, program_args): (Script, PathBuf, Vec<String>) = match target {
        Target::Script(script) => {
            let path = script.path.clone();
            let mut all = vec![path.display().to_string()];
            all.extend(rest.iter().cloned());
            (script, PathBuf::new(), all)
        }
        Target::Command => (
            Script::parse("", PathBuf::from(first), first.clone(), false)?,
            PathBuf::from(first),
            rest.to_vec(),
        ),
    };
    let env = prepare_script(&session, &script, &options)?;
    session.close()?;
    let program = if program.as_os_str().is_empty() {
        env.python()
    } else {
        program
    };
    let mut command = env.command(&program);
    command.args(&program_args);
    env.exec(command).map(Some)
}

/// `posy run --with PKG CMD` in a project: an environment of the store
/// holding the `--with` packages, whose `site-packages` sees the project
/// `.venv`'s after its own (a `.pth` file), with the project's `bin` after
/// its own on `PATH`. Layering rather than one environment of the lock
/// and the extra packages: the project's environment is already synced
/// and stays as it is, and the overlay installs only the extra packages
/// (its key holds the project's `site-packages` path, so each project
/// gets its own). The extra packages win where both have a package.
pub fn run_with_overlay(venv: &Path, args: &RunArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let python = posy_ops::venv_python(venv)
        .with_context(|| format!("{} is not a virtual environment", venv.display()))?;
    let site = site_packages(venv)?;
    let mut options = options(args, global);
    options.python = Some(python.display().to_string());
    options.layers = vec![site];
    let (first, rest) = args.command.split_first().context("no command to run")?;
    let script = Script::parse("", PathBuf::from(first), first.clone(), false)?;
    let session = settings::session(global)?;
    let env = prepare_script(&session, &script, &options)?;
    session.close()?;
    let (program, program_args): (PathBuf, Vec<String>) =
        if first.ends_with(".py") && Path::new(first).is_file() {
            let mut all = vec![first.clone()];
            all.extend(rest.iter().cloned());
            (env.python(), all)
        } else {
            (PathBuf::from(first), rest.to_vec())
        };
    let mut command = env.command(&program);
    let mut path = vec![
        env.python()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        python.parent().map(Path::to_path_buf).unwrap_or_default(),
    ];
    if let Some(old) = std::env::var_os("PATH") {
        path.extend(std::env::split_paths(&old));
    }
    command
        .env("PATH", std::env::join_paths(path)?)
        .args(&program_args);
    env.exec(command)
}

/// `posy lock --script FILE`.
pub fn lock(path: &Path, args: &LockArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let script = Script::read(path)?;
    let options = ScriptOptions {
        python: args.project.python.clone(),
        index: args.project.index.settings(global),
        resolver: args.project.resolver.options(Vec::new()),
        ..ScriptOptions::default()
    };
    let lock_path = script.lock_path();
    if args.check || args.project.locked {
        return match script_lock_is_fresh(&script, &options)? {
            Some(true) => {
                eprintln!("{} is up to date", lock_path.display());
                Ok(ExitCode::SUCCESS)
            }
            Some(false) => {
                eprintln!(
                    "error: {} does not match the script's block; run `posy lock --script {}` to update it",
                    lock_path.display(),
                    path.display()
                );
                Ok(ExitCode::FAILURE)
            }
            None => {
                eprintln!(
                    "error: {} does not exist; run `posy lock --script {}` to make it",
                    lock_path.display(),
                    path.display()
                );
                Ok(ExitCode::FAILURE)
            }
        };
    }
    let session = settings::session(global)?;
    let start = std::time::Instant::now();
    let outcome = lock_script(&session, &script, &options)?;
    session.close()?;
    eprintln!(
        "Resolved {} package{} in {}",
        outcome.packages,
        posy_ops::plural(outcome.packages),
        posy_ops::elapsed(start)
    );
    if outcome.written {
        eprintln!("Wrote {}", outcome.path.display());
    } else {
        eprintln!("{} is up to date", outcome.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn options(args: &RunArgs, global: &GlobalArgs) -> ScriptOptions {
    ScriptOptions {
        python: args.project.python.clone(),
        with: args.with.clone(),
        layers: Vec::new(),
        index: args.project.index.settings(global),
        resolver: args.project.resolver.options(Vec::new()),
        apply: args.install.options(),
        locked: args.project.locked,
        frozen: args.project.frozen,
    }
}

/// Whether the working directory is in a project (a malformed
/// `pyproject.toml` is an error only for the project's commands).
fn in_project() -> Result<bool> {
    let here = std::env::current_dir().context("cannot read the working directory")?;
    Ok(!matches!(
        Workspace::discover(&here),
        Err(posy_project::WorkspaceError::NotFound(_))
    ))
}

fn is_python_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyw")
    )
}

/// The `site-packages` of the virtual environment at `venv`.
fn site_packages(venv: &Path) -> Result<PathBuf> {
    if cfg!(windows) {
        return Ok(venv.join("Lib").join("site-packages"));
    }
    let lib = venv.join("lib");
    std::fs::read_dir(&lib)
        .with_context(|| format!("cannot read {}", lib.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("site-packages"))
        .find(|site| site.is_dir())
        .with_context(|| format!("{} has no site-packages", venv.display()))
}
