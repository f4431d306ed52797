//! Putting a directory on the user's `PATH` for good (`posy tool
//! update-shell`): a line in the shell's start-up files, as uv writes it.
//!
//! The shell is the one `$SHELL` names. Which files, as uv chooses them:
//! bash reads `~/.bash_profile` (or `~/.bash_login`, or `~/.profile`,
//! whichever exists) in login shells and `~/.bashrc` in the others, so both
//! get the line; zsh reads `.zshenv` in every shell (the one in `$ZDOTDIR`
//! when it exists there, else `~/.zshenv`); fish reads every file of
//! `conf.d`, so posy writes its own `posy.env.fish` there; any other POSIX
//! shell reads `~/.profile` in login shells. A file that already holds the
//! line is left alone, so running it twice changes nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A shell whose start-up files posy knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// Any other POSIX shell (`sh`, `dash`, `ksh`).
    Posix,
}

impl Shell {
    /// The shell a `$SHELL` value names.
    pub fn from_path(shell: &str) -> Option<Shell> {
        let name = Path::new(shell).file_name()?.to_str()?;
        Some(match name {
            "bash" => Shell::Bash,
            "zsh" => Shell::Zsh,
            "fish" => Shell::Fish,
            "sh" | "dash" | "ksh" | "mksh" | "ash" => Shell::Posix,
            _ => return None,
        })
    }

    /// The line that puts `dir` first on `PATH`.
    pub fn path_line(self, dir: &Path) -> String {
        let dir = dir.display().to_string().replace('"', "\\\"");
        match self {
            Shell::Fish => format!("fish_add_path \"{dir}\""),
            _ => format!("export PATH=\"{dir}:$PATH\""),
        }
    }

    /// The start-up files to write, for a user whose home is `home`;
    /// `zdotdir` and `config_home` are `$ZDOTDIR` and `$XDG_CONFIG_HOME`.
    pub fn files(
        self,
        home: &Path,
        zdotdir: Option<&Path>,
        config_home: Option<&Path>,
    ) -> Vec<PathBuf> {
        match self {
            Shell::Bash => vec![
                [".bash_profile", ".bash_login", ".profile"]
                    .iter()
                    .map(|f| home.join(f))
                    .find(|f| f.is_file())
                    .unwrap_or_else(|| home.join(".bash_profile")),
                home.join(".bashrc"),
            ],
            Shell::Zsh => {
                let dir = zdotdir.unwrap_or(home);
                let file = [dir.join(".zshenv"), home.join(".zshenv")]
                    .into_iter()
                    .find(|f| f.is_file())
                    .unwrap_or_else(|| dir.join(".zshenv"));
                vec![file]
            }
            Shell::Fish => vec![
                config_home
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| home.join(".config"))
                    .join("fish")
                    .join("conf.d")
                    .join("posy.env.fish"),
            ],
            Shell::Posix => vec![home.join(".profile")],
        }
    }
}

/// Adds the line that puts `dir` on `PATH` to each of `files` that lacks
/// it (creating files and their directories as needed); returns the files
/// changed.
pub fn add_to_path(shell: Shell, dir: &Path, files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let line = shell.path_line(dir);
    let mut changed = Vec::new();
    for file in files {
        let text = match fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
        };
        if text.lines().any(|l| l.trim() == line) {
            continue;
        }
        let mut new = text;
        if !new.is_empty() && !new.ends_with('\n') {
            new.push('\n');
        }
        new.push_str("\n# posy\n");
        new.push_str(&line);
        new.push('\n');
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(file, new).with_context(|| format!("cannot write {}", file.display()))?;
        changed.push(file.clone());
    }
    Ok(changed)
}

/// `posy tool update-shell` with the process's environment: the shell from
/// `$SHELL`, the files under `$HOME`. Returns the files changed.
pub fn update_shell(dir: &Path) -> Result<(Shell, Vec<PathBuf>)> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let shell_var = std::env::var("SHELL").unwrap_or_default();
    let Some(shell) = Shell::from_path(&shell_var) else {
        bail!(
            "cannot tell which shell to configure from SHELL=`{shell_var}` (posy knows bash, zsh, fish and POSIX sh); add `{}` to your shell's PATH yourself",
            dir.display()
        );
    };
    let home =
        var("HOME").context("HOME is not set, so posy cannot find the shell's start-up files")?;
    let files = shell.files(
        &home,
        var("ZDOTDIR").as_deref(),
        var("XDG_CONFIG_HOME").as_deref(),
    );
    Ok((shell, add_to_path(shell, dir, &files)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_by_path() {
        assert_eq!(Shell::from_path("/bin/bash"), Some(Shell::Bash));
        assert_eq!(Shell::from_path("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_path("fish"), Some(Shell::Fish));
        assert_eq!(Shell::from_path("/bin/dash"), Some(Shell::Posix));
        assert_eq!(Shell::from_path("/usr/bin/nu"), None);
        assert_eq!(Shell::from_path(""), None);
    }

    #[test]
    fn bash_gets_the_login_file_that_exists_and_bashrc() {
        let home = tempfile::tempdir().unwrap();
        let home = home.path();
        assert_eq!(
            Shell::Bash.files(home, None, None),
            vec![home.join(".bash_profile"), home.join(".bashrc")]
        );
        fs::write(home.join(".profile"), "").unwrap();
        assert_eq!(
            Shell::Bash.files(home, None, None)[0],
            home.join(".profile")
        );
        assert_eq!(
            Shell::Fish.files(home, None, Some(Path::new("/cfg"))),
            vec![PathBuf::from("/cfg/fish/conf.d/posy.env.fish")]
        );
        let zdot = home.join("zdot");
        assert_eq!(
            Shell::Zsh.files(home, Some(&zdot), None),
            vec![zdot.join(".zshenv")]
        );
        fs::write(home.join(".zshenv"), "").unwrap();
        assert_eq!(
            Shell::Zsh.files(home, Some(&zdot), None),
            vec![home.join(".zshenv")]
        );
    }

    #[test]
    fn adds_the_line_once_keeping_what_is_there() {
        let home = tempfile::tempdir().unwrap();
        let rc = home.path().join(".bashrc");
        fs::write(&rc, "alias ll='ls -l'").unwrap();
        let dir = Path::new("/home/u/.local/bin");
        let changed = add_to_path(Shell::Bash, dir, std::slice::from_ref(&rc)).unwrap();
        assert_eq!(changed, vec![rc.clone()]);
        assert_eq!(
            fs::read_to_string(&rc).unwrap(),
            "alias ll='ls -l'\n\n# posy\nexport PATH=\"/home/u/.local/bin:$PATH\"\n"
        );
        assert!(
            add_to_path(Shell::Bash, dir, std::slice::from_ref(&rc))
                .unwrap()
                .is_empty()
        );
        let fish = home.path().join("conf.d/posy.env.fish");
        add_to_path(Shell::Fish, dir, std::slice::from_ref(&fish)).unwrap();
        assert!(
            fs::read_to_string(&fish)
                .unwrap()
                .ends_with("fish_add_path \"/home/u/.local/bin\"\n")
        );
    }
}
