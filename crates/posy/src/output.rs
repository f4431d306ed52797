//! What the binary prints, and where: colour, quiet levels, progress,
//! closed pipes and errors.
//!
//! - Colour follows `--color auto|always|never`; without the flag,
//!   `NO_COLOR` turns it off and `FORCE_COLOR` on (as uv reads them), and
//!   otherwise it is on when stderr is a terminal. The choice is handed to
//!   the `console` crate, which the progress bars and the engine's install
//!   diff already draw with, and to the `-v` log.
//! - `-q` silences everything posy says on stderr except the error that
//!   ends a run; `-qq` silences stdout too (uv's "silent" mode). This is done
//!   once, on the file descriptors, rather than at every `eprintln!` in the
//!   engine: the engine's messages, its warnings and the build backends'
//!   output all go, and the error still has a way out (a duplicate of the
//!   original stderr, kept before the redirection).
//! - A closed pipe (`posy pip freeze | head -1`) ends the run quietly with
//!   exit 0, as uv does. Results go to stdout through [`outln!`], which
//!   treats `BrokenPipe` as the reader saying "enough". SIGPIPE is not reset
//!   to its default instead: that would also kill an install half-way when
//!   only its stderr went to a closed pipe, while this way only the printing
//!   of a finished result is cut short.
//! - An error is printed once, outermost first. Several library errors
//!   include their source's text in their own message and also return it as
//!   their `source()`, so a plain `{:#}` says it twice; [`error_text`] drops
//!   a cause whose text is already said and lets a cause that repeats its
//!   parent and adds to it stand in the parent's place.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::process::ExitCode;
use std::sync::OnceLock;

use crate::cli::{ColorChoice, GlobalArgs};

/// A duplicate of stderr taken before `-q` redirected it, for errors.
static ERROR_FD: OnceLock<RawFd> = OnceLock::new();

/// Applies the global output flags; returns whether colour is on.
pub fn init(global: &GlobalArgs) -> bool {
    let color = color_enabled(
        global.color,
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty()),
        io::stderr().is_terminal(),
    );
    console::set_colors_enabled(color);
    console::set_colors_enabled_stderr(color);
    if global.no_progress || global.quiet > 0 {
        posy_ops::hide_progress();
    }
    if global.quiet > 0 {
        silence(global.quiet);
    }
    color
}

/// The colour decision: the flag, then `NO_COLOR`, then `FORCE_COLOR`, then
/// whether the output is a terminal.
fn color_enabled(flag: ColorChoice, no_color: bool, force_color: bool, terminal: bool) -> bool {
    match flag {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if no_color => false,
        ColorChoice::Auto if force_color => true,
        ColorChoice::Auto => terminal,
    }
}

/// Points stderr (and, from `-qq`, stdout) at `/dev/null`.
fn silence(level: u8) {
    let Ok(null) = File::options().write(true).open("/dev/null") else {
        return;
    };
    // SAFETY: dup and dup2 on descriptors this process owns, before any
    // other thread runs; the duplicate is kept open for the whole run.
    unsafe {
        let saved = libc::dup(2);
        if saved >= 0 {
            let _ = ERROR_FD.set(saved);
        }
        libc::dup2(null.as_raw_fd(), 2);
        if level >= 2 {
            libc::dup2(null.as_raw_fd(), 1);
        }
    }
}

/// Writes to the stderr that was there before `-q`.
fn write_error(text: &str) {
    match ERROR_FD.get() {
        Some(&fd) => {
            // SAFETY: `fd` is a duplicate of stderr kept open for the whole
            // run; ManuallyDrop keeps this File from closing it.
            let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
            let _ = file.write_all(text.as_bytes());
        }
        None => {
            let _ = io::stderr().write_all(text.as_bytes());
        }
    }
}

/// Prints `err` once, with its causes, and gives the exit code of a failure.
pub fn report_error(err: &anyhow::Error) -> ExitCode {
    let text = error_text(err.chain().map(ToString::to_string));
    let prefix = console::style("error").red().bold();
    write_error(&format!("{prefix}: {text}\n"));
    ExitCode::FAILURE
}

/// The causes joined by `: `, each said once (see the module documentation).
fn error_text(causes: impl IntoIterator<Item = String>) -> String {
    let mut said: Vec<String> = Vec::new();
    for cause in causes {
        let cause = cause.trim_end().to_string();
        if cause.is_empty() || said.iter().any(|s| s.contains(&cause)) {
            continue;
        }
        match said.iter().position(|s| cause.contains(s.as_str())) {
            Some(i) => {
                said[i] = cause;
                said.truncate(i + 1);
            }
            None => said.push(cause),
        }
    }
    said.join(": ")
}

/// Writes a result line to stdout; a closed pipe ends the run quietly.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_error(&format!("error: cannot write to stdout: {e}\n"));
        std::process::exit(1);
    }
}

/// `println!` for results: see [`write_stdout`].
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for results: see [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

pub(crate) use {out, outln};

#[cfg(test)]
mod tests {
    use super::*;

    fn text(causes: &[&str]) -> String {
        error_text(causes.iter().map(ToString::to_string))
    }

    #[test]
    fn a_cause_already_said_is_not_said_again() {
        assert_eq!(
            text(&[
                "cannot read a.txt",
                "No such file (os error 2)",
                "No such file (os error 2)"
            ]),
            "cannot read a.txt: No such file (os error 2)"
        );
    }

    #[test]
    fn a_cause_that_repeats_its_parent_stands_in_for_it() {
        assert_eq!(
            text(&[
                "invalid requirement `requests>=`",
                "invalid requirement `requests>=`: expected a version\n  requests>=\n           ^",
                "expected a version",
            ]),
            "invalid requirement `requests>=`: expected a version\n  requests>=\n           ^"
        );
    }

    #[test]
    fn colour_follows_the_flag_then_the_environment() {
        assert!(!color_enabled(ColorChoice::Auto, true, true, true));
        assert!(color_enabled(ColorChoice::Auto, false, true, false));
        assert!(color_enabled(ColorChoice::Always, true, false, false));
        assert!(!color_enabled(ColorChoice::Never, false, true, true));
        assert!(color_enabled(ColorChoice::Auto, false, false, true));
    }
}
