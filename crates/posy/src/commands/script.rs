//! `posy init --script FILE`, `posy add --script FILE PKG…` and
//! `posy remove --script FILE PKG…`: the `# /// script` block of one file
//! (PEP 723, see `posy_project::ScriptEditor`). Only the block is edited:
//! no `pyproject.toml`, no lock, no environment. A requirement is written
//! as given (a bare name stays bare: there is no lock to take a bound
//! from).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_ops::init_python;
use posy_project::{ScriptEditor, init_script};
use posy_vocab::{PackageName, Requirement};

use crate::cli::GlobalArgs;
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
