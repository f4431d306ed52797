//! Activation scripts: one per shell, written into the environment's `bin/`.
//!
//! Each script is a template in `activation/` with three placeholders,
//! replaced by literals quoted for that shell: `__VIRTUAL_ENV__` (the
//! environment's absolute path), `__VIRTUAL_PROMPT__` (the prompt text) and
//! `__BIN_NAME__` (`bin`, or `Scripts` on Windows). The scripts all behave
//! the same way: remember `PATH` (and `PYTHONHOME`, and the prompt), put the
//! environment's `bin` first, set `VIRTUAL_ENV` and `VIRTUAL_ENV_PROMPT`,
//! unset `PYTHONHOME`, prefix the prompt unless `VIRTUAL_ENV_DISABLE_PROMPT`
//! is set, and define `deactivate` to undo all of it. Activating while
//! another environment is active deactivates that one first.
//!
//! The values are baked in at creation, as CPython's `venv` does; moving an
//! environment breaks it anyway (the interpreter links are absolute).
//! Quoting is the only delicate part: a path may hold any character, and a
//! wrong quote would run part of it as code. Each shell gets the quoting
//! form that has no escapes to get wrong (single quotes, a raw string) with
//! its one exception handled; a line break cannot be represented safely in
//! every shell, so paths and prompts containing one are refused.

use std::path::Path;

/// An activation script: its file name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationScript {
    pub file_name: &'static str,
    pub contents: String,
}

/// A value that cannot be written into an activation script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivationError {
    #[error(
        "the {what} `{value}` contains a line break, which activation scripts cannot hold safely"
    )]
    LineBreak { what: &'static str, value: String },
    #[error("the path `{0}` is not valid UTF-8, which activation scripts need")]
    NotUtf8(String),
}

struct Shell {
    file_name: &'static str,
    template: &'static str,
    quote: fn(&str) -> String,
}

const SHELLS: [Shell; 5] = [
    Shell {
        file_name: "activate",
        template: include_str!("activation/activate.sh"),
        quote: quote_posix,
    },
    Shell {
        file_name: "activate.fish",
        template: include_str!("activation/activate.fish"),
        quote: quote_fish,
    },
    Shell {
        file_name: "activate.csh",
        template: include_str!("activation/activate.csh"),
        quote: quote_csh,
    },
    Shell {
        file_name: "activate.nu",
        template: include_str!("activation/activate.nu"),
        quote: quote_nu,
    },
    Shell {
        file_name: "activate.ps1",
        template: include_str!("activation/activate.ps1"),
        quote: quote_powershell,
    },
];

/// The activation scripts for the environment at `venv` (absolute), whose
/// scripts directory is named `bin_name`, showing `prompt`.
pub fn activation_scripts(
    venv: &Path,
    bin_name: &str,
    prompt: &str,
) -> Result<Vec<ActivationScript>, ActivationError> {
    let venv = venv
        .to_str()
        .ok_or_else(|| ActivationError::NotUtf8(venv.display().to_string()))?;
    for (what, value) in [("path", venv), ("prompt", prompt)] {
        if value.contains(['\n', '\r']) {
            return Err(ActivationError::LineBreak {
                what,
                value: value.to_string(),
            });
        }
    }
    Ok(SHELLS
        .iter()
        .map(|shell| ActivationScript {
            file_name: shell.file_name,
            contents: shell
                .template
                .replace("__VIRTUAL_ENV__", &(shell.quote)(venv))
                .replace("__VIRTUAL_PROMPT__", &(shell.quote)(prompt))
                .replace("__BIN_NAME__", &(shell.quote)(bin_name)),
        })
        .collect())
}

/// sh, bash, zsh: single quotes; a `'` is closed, escaped, reopened.
fn quote_posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish: single quotes, inside which only `\` and `'` need a backslash.
fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// csh: single quotes, except that `!` (history) and `'` are written
/// outside them with a backslash.
fn quote_csh(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\'' | '!' => {
                out.push('\'');
                out.push('\\');
                out.push(c);
                out.push('\'');
            }
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

/// nushell: single quotes (no escapes) when possible, else a raw string
/// `r#'...'#` with more `#` than any run in the value.
fn quote_nu(value: &str) -> String {
    if !value.contains('\'') {
        return format!("'{value}'");
    }
    let mut hashes = String::from("#");
    while value.contains(&format!("'{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}'{value}'{hashes}")
}

/// PowerShell: single quotes, a quote doubled. PowerShell also takes the
/// typographic single quotes as quotes, so those are doubled too.
fn quote_powershell(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_posix("a b'c"), r"'a b'\''c'");
        assert_eq!(quote_fish(r"a\b'c"), r"'a\\b\'c'");
        assert_eq!(quote_csh("a!b'c"), r"'a'\!'b'\''c'");
        assert_eq!(quote_nu("plain $x"), "'plain $x'");
        assert_eq!(quote_nu("it's"), "r#'it's'#");
        assert_eq!(quote_nu("it'# is"), "r##'it'# is'##");
        assert_eq!(quote_powershell("it's ‘x’"), "'it''s ‘‘x’’'");
    }

    #[test]
    fn every_placeholder_is_filled() {
        let scripts = activation_scripts(Path::new("/tmp/my env"), "bin", "my env").unwrap();
        assert_eq!(scripts.len(), 5);
        for script in &scripts {
            for placeholder in ["__VIRTUAL_ENV__", "__VIRTUAL_PROMPT__", "__BIN_NAME__"] {
                assert!(
                    !script.contents.contains(placeholder),
                    "{}",
                    script.file_name
                );
            }
            assert!(script.contents.contains("my env"), "{}", script.file_name);
        }
    }

    #[test]
    fn line_breaks_are_refused() {
        let err = activation_scripts(Path::new("/tmp/a\nb"), "bin", "x").unwrap_err();
        assert!(err.to_string().contains("line break"));
        let err = activation_scripts(Path::new("/tmp/ab"), "bin", "x\ry").unwrap_err();
        assert!(err.to_string().contains("prompt"));
    }
}
