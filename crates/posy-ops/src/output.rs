//! Small pieces of human output shared by commands.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by [`hide_progress`]: no bars or spinners for the rest of the run.
static PROGRESS_HIDDEN: AtomicBool = AtomicBool::new(false);

/// Turns progress bars and build spinners off for the rest of the process
/// (`--no-progress`, `-q`); build lines are then printed as in a log.
pub fn hide_progress() {
    PROGRESS_HIDDEN.store(true, Ordering::Relaxed);
}

/// Whether bars and spinners may be drawn: stderr is a terminal and
/// progress was not turned off.
pub fn progress_on_terminal() -> bool {
    use std::io::IsTerminal;
    !PROGRESS_HIDDEN.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// Elapsed time the way uv prints it: `12ms`, `1.23s`.
pub fn elapsed(start: Instant) -> String {
    let d = start.elapsed();
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// `s` unless there is exactly one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A progress bar on stderr when it is a terminal; hidden (and free) when
/// output is piped or redirected, as in CI logs, or progress is turned off.
pub fn progress_bar(len: u64, verb: &'static str) -> indicatif::ProgressBar {
    if !progress_on_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    let style =
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(verb);
    // Shares the terminal with build spinners, so they do not interleave.
    crate::build_progress::terminal().add(bar)
}
