//! An interpreter posy found and probed: the one place its facts are read.
//!
//! [`Interpreter::query`] is the only way to get one from a path: it looks
//! in the probe cache first and runs the probe only on a miss, so asking
//! about the same unchanged interpreter twice costs one subprocess ever.
//! Everything else here is a pure view of the [`ProbeFacts`].

use std::fmt;
use std::path::{Path, PathBuf};

use posy_vocab::{Arch, MarkerEnvironment, Platform, TagTarget, Tags, Version};

use crate::facts::{ProbeFacts, SysconfigPaths, VenvScheme};
use crate::probe::{ProbeError, run_probe};
use crate::probe_cache::{CacheKey, ProbeCache};

/// A Python implementation, by `sys.implementation.name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Implementation {
    CPython,
    PyPy,
    GraalPy,
    /// Any other implementation, by its lowercase `sys.implementation.name`.
    Other(String),
}

impl Implementation {
    /// From `sys.implementation.name` (`cpython`) or a request spelling
    /// (`cpython`, `cp`, `pypy`, `pp`, `graalpy`, `gp`), case-insensitively.
    pub fn from_name(name: &str) -> Implementation {
        match name.to_ascii_lowercase().as_str() {
            "cpython" | "cp" => Implementation::CPython,
            "pypy" | "pp" => Implementation::PyPy,
            "graalpy" | "gp" => Implementation::GraalPy,
            other => Implementation::Other(other.to_string()),
        }
    }

    /// The name as `sys.implementation.name` spells it.
    pub fn sys_name(&self) -> &str {
        match self {
            Implementation::CPython => "cpython",
            Implementation::PyPy => "pypy",
            Implementation::GraalPy => "graalpy",
            Implementation::Other(name) => name,
        }
    }
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Implementation::CPython => "CPython",
            Implementation::PyPy => "PyPy",
            Implementation::GraalPy => "GraalPy",
            Implementation::Other(name) => name,
        })
    }
}

/// A probed interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    path: PathBuf,
    facts: ProbeFacts,
    cached: bool,
}

impl Interpreter {
    /// Learn about the interpreter at `path`: from the cache when its entry
    /// still matches the file, else by running the probe (and caching the
    /// answer). A failure to write the cache is not an error: the next run
    /// just probes again.
    ///
    /// An installed PyBI is not run: its metadata stands in for the probe
    /// ([`crate::managed::pybi_facts`]), and `was_cached` says so.
    pub fn query(path: &Path, cache: &ProbeCache) -> Result<Interpreter, ProbeError> {
        if let Some(facts) = crate::managed::pybi_facts::facts_for(path) {
            return Ok(Interpreter {
                path: path.to_path_buf(),
                facts,
                cached: true,
            });
        }
        let (facts, cached) = match CacheKey::for_executable(path) {
            Some(key) => cache.get_or_probe(&key, || run_probe(path))?,
            None => (run_probe(path)?, false),
        };
        Ok(Interpreter {
            path: path.to_path_buf(),
            facts,
            cached,
        })
    }

    /// An interpreter from facts obtained elsewhere (tests, fixtures).
    pub fn from_facts(path: PathBuf, facts: ProbeFacts) -> Interpreter {
        Interpreter {
            path,
            facts,
            cached: false,
        }
    }

    /// Everything the probe reported.
    pub fn facts(&self) -> &ProbeFacts {
        &self.facts
    }

    /// The path posy found it at (may be a symlink, e.g. a venv's `bin/python`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the facts came from the probe cache or a PyBI's metadata (no
    /// subprocess ran).
    pub fn was_cached(&self) -> bool {
        self.cached
    }

    /// `sys.executable`.
    pub fn executable(&self) -> &Path {
        &self.facts.sys.executable
    }

    /// The interpreter a virtual environment made from this one links to:
    /// itself, or for a venv, the interpreter the venv was made from.
    pub fn base_executable(&self) -> &Path {
        &self.facts.sys.base_executable
    }

    pub fn implementation(&self) -> Implementation {
        Implementation::from_name(&self.facts.sys.implementation)
    }

    /// `(major, minor, micro)` of `sys.version_info`.
    pub fn python_release(&self) -> (u64, u64, u64) {
        let (major, minor, micro, ..) = self.facts.sys.version_info;
        (major, minor, micro)
    }

    /// The version as a PEP 440 value (`3.13.0rc1`). An untagged
    /// development build reports `3.14.0a1+`, which is not PEP 440; it reads
    /// as its release (`3.14.0a1`), since that is what it will be compared
    /// against.
    pub fn python_version(&self) -> Version {
        let full = self.python_full_version();
        full.trim_end_matches('+').parse().unwrap_or_else(|_| {
            let (major, minor, micro) = self.python_release();
            Version::new([major, minor, micro])
        })
    }

    /// `python_full_version` as PEP 508 defines it (`3.13.0rc1`, `3.12.1`).
    pub fn python_full_version(&self) -> &str {
        &self.facts.markers.python_full_version
    }

    /// `major.minor`, e.g. `3.12`.
    pub fn python_minor_version(&self) -> String {
        let (major, minor, _) = self.python_release();
        format!("{major}.{minor}")
    }

    /// The PEP 508 marker environment.
    pub fn markers(&self) -> MarkerEnvironment {
        MarkerEnvironment::new(self.facts.markers.clone())
    }

    /// The wheel tags this interpreter accepts, best first, in
    /// `packaging.tags.sys_tags()` order.
    pub fn tags(&self) -> Tags {
        Tags::from_target(&self.tag_target())
    }

    /// What tag generation needs to know: implementation and ABI, version,
    /// platform, read off the probe's facts as `packaging.tags` reads them
    /// off the running interpreter.
    pub fn tag_target(&self) -> TagTarget {
        let (major, minor, _) = self.python_release();
        let version = (
            u8::try_from(major).unwrap_or(u8::MAX),
            u8::try_from(minor).unwrap_or(u8::MAX),
        );
        TagTarget {
            implementation: crate::tag_facts::tag_implementation(&self.facts, version),
            python_version: version,
            platform: self.platform(),
        }
    }

    /// The platform wheels are chosen for.
    pub fn platform(&self) -> Platform {
        crate::tag_facts::platform(&self.facts)
    }

    /// The CPU architecture, when posy knows it.
    pub fn arch(&self) -> Option<Arch> {
        self.platform().arch()
    }

    /// `sysconfig.get_paths()`: purelib, platlib, scripts, include, data, stdlib.
    pub fn paths(&self) -> &SysconfigPaths {
        &self.facts.paths
    }

    /// The layout of a virtual environment made from this interpreter.
    pub fn venv_scheme(&self) -> &VenvScheme {
        &self.facts.venv_scheme
    }

    pub fn prefix(&self) -> &Path {
        &self.facts.sys.prefix
    }

    pub fn base_prefix(&self) -> &Path {
        &self.facts.sys.base_prefix
    }

    /// Whether this interpreter runs inside a virtual environment.
    pub fn is_venv(&self) -> bool {
        self.facts.sys.is_venv
    }

    /// Pointer size in bits: 32 or 64.
    pub fn pointer_size(&self) -> u8 {
        self.facts.sys.pointer_size
    }

    /// Whether this is a free-threaded (no-GIL, PEP 703) build.
    pub fn is_free_threaded(&self) -> bool {
        self.facts.abi.gil_disabled
    }

    /// "CPython 3.12.1", as shown to people.
    pub fn display_name(&self) -> String {
        let threaded = if self.is_free_threaded() { "t" } else { "" };
        format!(
            "{} {}{threaded}",
            self.implementation(),
            self.python_full_version()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interpreter(full_version: &str) -> Interpreter {
        let mut facts: ProbeFacts =
            serde_json::from_str(include_str!("../tests/data/cpython311-linux.json")).unwrap();
        facts.markers.python_full_version = full_version.to_string();
        Interpreter::from_facts("/opt/python/bin/python3".into(), facts)
    }

    #[test]
    fn python_version_is_pep440() {
        assert_eq!(interpreter("3.11.7").python_version().to_string(), "3.11.7");
        assert_eq!(
            interpreter("3.13.0rc1").python_version().to_string(),
            "3.13.0rc1"
        );
        assert_eq!(
            interpreter("3.14.0a1+").python_version().to_string(),
            "3.14.0a1"
        );
        // Not a version at all: fall back to sys.version_info's release.
        assert_eq!(interpreter("weird").python_version().to_string(), "3.11.7");
    }

    #[test]
    fn display_names() {
        let mut python = interpreter("3.13.0");
        assert_eq!(python.display_name(), "CPython 3.13.0");
        python.facts.abi.gil_disabled = true;
        assert_eq!(python.display_name(), "CPython 3.13.0t");
        assert_eq!(python.implementation().sys_name(), "cpython");
    }
}
