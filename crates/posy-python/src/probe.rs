//! Running an interpreter once to learn its facts.
//!
//! The probe is `probe.py`, embedded in the binary and passed with `-c`, so
//! nothing is written to disk and any Python 3 answers. It runs as
//! `python -E -s -S`: environment variables such as `PYTHONPATH` and the
//! user site directory cannot change what it reports, and skipping `site`
//! skips the `.pth` files of site-packages, which can triple startup time
//! (25 ms → 48 ms with a certifi `.pth` on this machine's CPython 3.11).
//! `site` is also what applies `pyvenv.cfg` to `sys.prefix`, so the script
//! does that part itself, exactly as `site` does. The answer is the last line
//! of output, in case something prints before it. Python 2 answers
//! `unsupported` instead of failing with a syntax error, because the script
//! stays Python 2-parseable.
//!
//! This module only runs the subprocess and parses its answer; caching lives
//! in [`crate::probe_cache`], and [`crate::Interpreter::query`] ties them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::facts::ProbeFacts;

/// The probe script, run as `python -E -s -S -c PROBE_SCRIPT`.
pub const PROBE_SCRIPT: &str = include_str!("probe.py");

/// Why probing an interpreter failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not run `{}`: {source}", path.display())]
    Spawn {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` failed while posy asked it about itself ({status}): {stderr}", path.display())]
    Failed {
        path: PathBuf,
        status: String,
        stderr: String,
    },
    #[error("`{}` gave an answer posy cannot read ({reason}); is it a Python interpreter?", path.display())]
    BadOutput { path: PathBuf, reason: String },
    #[error("`{}` is Python {version}, which posy does not support (it needs Python 3)", path.display())]
    Unsupported { path: PathBuf, version: String },
}

/// The probe's answer: the facts, or a refusal from an old interpreter.
#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "lowercase")]
enum ProbeOutput {
    Ok(Box<ProbeFacts>),
    Unsupported { version: String },
}

/// Run `path` with the probe script and parse its answer. Always spawns a
/// subprocess; see [`crate::Interpreter::query`] for the cached route.
pub fn run_probe(path: &Path) -> Result<ProbeFacts, ProbeError> {
    let output = Command::new(path)
        .args(["-E", "-s", "-S", "-c", PROBE_SCRIPT])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ProbeError::Spawn {
            path: path.to_path_buf(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = last_lines(&stderr, 3);
        if stderr.contains("Unknown option") {
            // Interpreters too old for our flags (Python 2 knows -E -s -S,
            // but others might not).
            return Err(ProbeError::Unsupported {
                path: path.to_path_buf(),
                version: "too old to run posy's probe".to_string(),
            });
        }
        return Err(ProbeError::Failed {
            path: path.to_path_buf(),
            status: output.status.to_string(),
            stderr,
        });
    }
    parse_probe_output(path, &output.stdout)
}

/// Parse what `probe.py` printed: its last line (anything before it came
/// from `.pth` files run at startup).
pub(crate) fn parse_probe_output(path: &Path, stdout: &[u8]) -> Result<ProbeFacts, ProbeError> {
    let last_line = stdout
        .split(|b| *b == b'\n')
        .rfind(|line| !line.trim_ascii().is_empty())
        .unwrap_or(b"");
    match serde_json::from_slice::<ProbeOutput>(last_line) {
        Ok(ProbeOutput::Ok(facts)) => Ok(*facts),
        Ok(ProbeOutput::Unsupported { version }) => Err(ProbeError::Unsupported {
            path: path.to_path_buf(),
            version,
        }),
        Err(err) => Err(ProbeError::BadOutput {
            path: path.to_path_buf(),
            reason: err.to_string(),
        }),
    }
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let start = lines.len().saturating_sub(count);
    lines[start..].join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python2_answer_is_unsupported() {
        let err = parse_probe_output(
            Path::new("/x/python2"),
            br#"{"version": "2.7.18", "result": "unsupported"}"#,
        )
        .unwrap_err();
        assert!(matches!(err, ProbeError::Unsupported { ref version, .. } if version == "2.7.18"));
        assert!(err.to_string().contains("Python 2.7.18"));
    }

    #[test]
    fn startup_noise_before_the_answer_is_ignored() {
        let err = parse_probe_output(
            Path::new("/x/python"),
            b"hello from a .pth file\n{\"version\": \"2.7.18\", \"result\": \"unsupported\"}\n\n",
        )
        .unwrap_err();
        assert!(matches!(err, ProbeError::Unsupported { .. }), "{err}");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = parse_probe_output(Path::new("/bin/echo"), b"hello").unwrap_err();
        assert!(matches!(err, ProbeError::BadOutput { .. }));
        assert!(err.to_string().contains("/bin/echo"));
    }

    #[test]
    fn non_python_program_fails_cleanly() {
        // `false` exits 1 without output: a failure, not a panic.
        let err = run_probe(Path::new("/bin/false")).unwrap_err();
        assert!(matches!(err, ProbeError::Failed { .. }), "{err}");
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = run_probe(Path::new("/nonexistent/python3")).unwrap_err();
        assert!(matches!(err, ProbeError::Spawn { .. }), "{err}");
    }

    #[test]
    fn last_lines_keeps_the_tail() {
        assert_eq!(last_lines("a\n\nb\nc\nd\n", 2), "c / d");
    }
}
