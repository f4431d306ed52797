//! One progress line per build, as uv prints them.
//!
//! A wheel build of an sdist or a project prints `   Building docopt==0.6.2`
//! when it starts and `      Built docopt==0.6.2` when it succeeds (the
//! verbs right-aligned, as uv and cargo do), on stderr, so a log shows what
//! was compiled and a slow install shows what it is waiting for. A failed
//! build prints no `Built` line: its error follows, naming the package.
//!
//! On a terminal the `Building` line is a spinner while the build runs
//! (several at once when builds run concurrently), replaced by the `Built`
//! line at the end. Preparing an sdist's metadata for the resolver (a
//! `prepare_metadata_for_build_wheel` call) shows a spinner on a terminal
//! only, and nothing in a log, as uv does: the wheel build that follows
//! for an install prints the lasting lines.
//!
//! A wheel the shared build cache gave prints `    Fetched docopt==0.6.2
//! from the build cache` (no build ran: no `Built` line), and one built
//! here and uploaded to it `   Uploaded docopt==0.6.2 to the build cache`.
//!
//! Spinners live in one process-wide [`MultiProgress`] ([`terminal`]), so
//! other bars drawn while builds run should be added to it to share the
//! screen without tearing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use posy_build::{BuildLabel, BuildReporter, BuildStage, SharedCacheEvent};

/// The process's stderr multi-bar: spinners of builds, and any bar that
/// must share the terminal with them.
pub fn terminal() -> &'static MultiProgress {
    static MULTI: LazyLock<MultiProgress> = LazyLock::new(MultiProgress::new);
    &MULTI
}

/// Prints progress lines for builds (see the module documentation).
#[derive(Debug)]
pub struct BuildProgress {
    on_terminal: bool,
    next: AtomicUsize,
    running: Mutex<HashMap<usize, Running>>,
}

#[derive(Debug)]
struct Running {
    label: String,
    stage: BuildStage,
    spinner: Option<ProgressBar>,
}

impl BuildProgress {
    /// Spinners when stderr is a terminal (and progress is on), plain lines otherwise.
    pub fn new() -> BuildProgress {
        BuildProgress {
            on_terminal: crate::output::progress_on_terminal(),
            next: AtomicUsize::new(0),
            running: Mutex::new(HashMap::new()),
        }
    }

    fn spinner(&self, text: String) -> ProgressBar {
        let style = ProgressStyle::with_template("{spinner} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let spinner = terminal().add(ProgressBar::new_spinner().with_style(style));
        spinner.set_message(text);
        spinner.enable_steady_tick(Duration::from_millis(100));
        spinner
    }

    /// A line printed above the spinners on a terminal, as is otherwise.
    fn println(&self, line: &str) {
        if self.on_terminal {
            // Fails only when the terminal is gone; then so is the reader.
            let _ = terminal().println(line);
        } else {
            eprintln!("{line}");
        }
    }
}

impl Default for BuildProgress {
    fn default() -> Self {
        Self::new()
    }
}

/// The lasting lines of a build, or `None` for a metadata build.
fn lines(stage: BuildStage, label: &str) -> Option<(String, String)> {
    match stage {
        BuildStage::Metadata => None,
        BuildStage::Wheel | BuildStage::Editable => Some((
            format!("   Building {label}"),
            format!("      Built {label}"),
        )),
    }
}

impl BuildReporter for BuildProgress {
    fn on_build_start(&self, label: &BuildLabel, stage: BuildStage) -> usize {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let label = label.to_string();
        let spinner = if self.on_terminal {
            let text = match stage {
                BuildStage::Metadata => format!("Preparing metadata for {label}"),
                BuildStage::Wheel | BuildStage::Editable => format!("Building {label}"),
            };
            Some(self.spinner(text))
        } else {
            if let Some((building, _)) = lines(stage, &label) {
                self.println(&building);
            }
            None
        };
        if let Ok(mut running) = self.running.lock() {
            running.insert(
                id,
                Running {
                    label,
                    stage,
                    spinner,
                },
            );
        }
        id
    }

    fn on_build_finish(&self, id: usize, succeeded: bool) {
        let Some(build) = self.running.lock().ok().and_then(|mut r| r.remove(&id)) else {
            return;
        };
        if let Some(spinner) = &build.spinner {
            spinner.finish_and_clear();
            terminal().remove(spinner);
        }
        if let (true, Some((building, built))) = (succeeded, lines(build.stage, &build.label)) {
            if build.spinner.is_some() {
                self.println(&building);
            }
            self.println(&built);
        }
    }

    fn on_shared_cache(&self, label: &BuildLabel, event: SharedCacheEvent) {
        self.println(&match event {
            SharedCacheEvent::Fetched => format!("    Fetched {label} from the build cache"),
            SharedCacheEvent::Uploaded => format!("   Uploaded {label} to the build cache"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_builds_have_lasting_lines_aligned_like_uv() {
        let (building, built) = lines(BuildStage::Wheel, "docopt==0.6.2").unwrap();
        assert_eq!(building, "   Building docopt==0.6.2");
        assert_eq!(built, "      Built docopt==0.6.2");
        assert!(lines(BuildStage::Editable, "x").is_some());
        assert!(lines(BuildStage::Metadata, "x").is_none());
    }

    #[test]
    fn finishing_an_unknown_build_is_harmless() {
        let progress = BuildProgress {
            on_terminal: false,
            next: AtomicUsize::new(0),
            running: Mutex::new(HashMap::new()),
        };
        progress.on_build_finish(42, true);
        let label = BuildLabel {
            name: None,
            version: None,
            directory: None,
            fallback: "x.tar.gz".into(),
        };
        let id = progress.on_build_start(&label, BuildStage::Metadata);
        progress.on_build_finish(id, false);
        assert!(progress.running.lock().unwrap().is_empty());
    }
}
