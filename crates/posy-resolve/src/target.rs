//! The one platform a single-platform resolution is for.
//!
//! A target is what an interpreter (probed, or described by
//! `--python-version`/`--python-platform`) says about itself: its PEP 508
//! marker environment, which decides which dependencies apply; its PEP 425
//! tags, which decide which wheels can be installed; and its Python
//! version, which every candidate's `Requires-Python` must contain. The
//! Python version is the full one (`3.11.4`); when only `3.11` is known the
//! caller passes `3.11`, which PEP 440 compares as `3.11.0`, so
//! `Requires-Python: >=3.11.1` then excludes it, as in uv.

use posy_vocab::{MarkerEnvironment, MarkerVariable, Tags, Version};

/// The platform and interpreter a resolution is for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The marker environment requirements are evaluated in.
    pub markers: MarkerEnvironment,
    /// The wheel tags the interpreter accepts, best first.
    pub tags: Tags,
    /// The interpreter's version, checked against `Requires-Python`.
    pub python_version: Version,
}

impl Target {
    /// A target whose Python version is the environment's
    /// `python_full_version` (or, failing that, `python_version`).
    /// `None` when the environment has neither as a valid version.
    pub fn from_environment(markers: MarkerEnvironment, tags: Tags) -> Option<Self> {
        let python_version = markers
            .version(MarkerVariable::PythonFullVersion)
            .or_else(|| markers.version(MarkerVariable::PythonVersion))?
            .clone();
        Some(Self {
            markers,
            tags,
            python_version,
        })
    }
}
