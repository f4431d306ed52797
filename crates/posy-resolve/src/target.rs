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

use posy_vocab::{
    MarkerEnvironment, MarkerValues, MarkerVariable, Platform, TagTarget, Tags, Version,
};

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
    /// A regular CPython `python` (`3.11` or `3.11.4`) on `platform`, as
    /// `--python-version` and `--python-platform` describe one: its markers
    /// are the platform's and the version's (`platform_release` and
    /// `platform_version` stay empty), its tags those `pip` would accept.
    /// `None` when `python` has no minor version or the platform has no
    /// PEP 508 markers.
    pub fn cpython(python: &Version, platform: Platform) -> Option<Self> {
        let (&major, &minor) = (python.release().first()?, python.release().get(1)?);
        let short = (u8::try_from(major).ok()?, u8::try_from(minor).ok()?);
        let platform_markers = platform.markers()?;
        let values = MarkerValues {
            implementation_name: "cpython".to_owned(),
            implementation_version: python.to_string(),
            os_name: platform_markers.os_name.to_owned(),
            platform_machine: platform_markers.platform_machine.to_owned(),
            platform_python_implementation: "CPython".to_owned(),
            platform_release: String::new(),
            platform_system: platform_markers.platform_system.to_owned(),
            platform_version: String::new(),
            python_full_version: python.to_string(),
            python_version: format!("{major}.{minor}"),
            sys_platform: platform_markers.sys_platform.to_owned(),
        };
        let tags = Tags::from_target(&TagTarget::cpython(short, platform));
        Some(Self {
            markers: MarkerEnvironment::new(values),
            tags,
            python_version: Version::new(python.release().iter().copied()),
        })
    }

    /// A target whose Python version is the release part of the
    /// environment's `python_full_version` (or, failing that,
    /// `python_version`).
    /// `None` when the environment has neither as a valid version.
    pub fn from_environment(markers: MarkerEnvironment, tags: Tags) -> Option<Self> {
        let full = markers
            .version(MarkerVariable::PythonFullVersion)
            .or_else(|| markers.version(MarkerVariable::PythonVersion))?;
        // As pip does: `Requires-Python: >=3.13` admits 3.13.0rc1 (a
        // pre-release is below 3.13 to PEP 440, but it is a 3.13).
        let python_version = Version::new(full.release().iter().copied());
        Some(Self {
            markers,
            tags,
            python_version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn cpython_on_a_named_platform() {
        let platform = Platform::from_python_platform("x86_64-pc-windows-msvc").unwrap();
        let target = Target::cpython(&v("3.11"), platform).unwrap();
        assert_eq!(target.markers.get(MarkerVariable::SysPlatform), "win32");
        assert_eq!(target.markers.get(MarkerVariable::PythonVersion), "3.11");
        assert_eq!(target.python_version, v("3.11"));
        let first = target.tags.iter().next().unwrap().to_string();
        assert!(first.starts_with("cp311-cp311-win"), "{first}");
        assert!(
            Target::cpython(&v("3"), Platform::from_python_platform("linux").unwrap()).is_none()
        );
    }

    #[test]
    fn a_prerelease_interpreter_counts_as_its_release() {
        let target = Target::cpython(
            &v("3.13.0rc1"),
            Platform::from_python_platform("linux").unwrap(),
        )
        .unwrap();
        assert_eq!(target.python_version, v("3.13.0"));
        let from_env =
            Target::from_environment(target.markers.clone(), target.tags.clone()).unwrap();
        assert_eq!(from_env.python_version, v("3.13.0"));
    }
}
