//! An interpreter that is not here: `--python-version` plus `--python-platform`.
//!
//! Resolving for another machine (a lock for Linux made on a Mac, a
//! requirements file for Python 3.13 made with 3.11) needs that machine's
//! marker environment and wheel tags without running anything. A [`Target`]
//! builds both from the version and a uv-style platform name, assuming a
//! regular CPython build (the interpreter almost every such request means).
//!
//! What cannot be known without the machine is left empty, as uv does:
//! `platform_release` and `platform_version` are `""`, so markers on them
//! compare as strings against the empty string. `python_full_version` is the
//! given version with a missing patch read as `0` (`3.12` → `3.12.0`).

use posy_vocab::{MarkerEnvironment, MarkerValues, ParseError, Platform, TagTarget, Tags};

use crate::python_version::PythonVersion;

/// A described interpreter: CPython at a version, on a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    major: u8,
    minor: u8,
    patch: u64,
    platform: Platform,
}

/// `--python-version` or `--python-platform` do not describe a target.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("`--python-version {0}` needs a major and minor version such as `3.12` or `3.12.1`")]
    Version(String),
    #[error("`--python-platform`: {0}")]
    Platform(#[from] ParseError),
}

impl Target {
    /// From `--python-version 3.12` and `--python-platform x86_64-manylinux_2_28`.
    pub fn new(python_version: &str, python_platform: &str) -> Result<Target, TargetError> {
        let platform = Platform::from_python_platform(python_platform)?;
        Target::with_platform(python_version, platform)
    }

    /// From a version and an already parsed platform.
    pub fn with_platform(python_version: &str, platform: Platform) -> Result<Target, TargetError> {
        let bad = || TargetError::Version(python_version.to_string());
        let version: PythonVersion = python_version.trim().parse().map_err(|()| bad())?;
        let major = u8::try_from(version.major).map_err(|_| bad())?;
        let minor = u8::try_from(version.minor.ok_or_else(bad)?).map_err(|_| bad())?;
        Ok(Target {
            major,
            minor,
            patch: version.patch.unwrap_or(0),
            platform,
        })
    }

    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// `(major, minor)`.
    pub fn python_version(&self) -> (u8, u8) {
        (self.major, self.minor)
    }

    /// The marker environment of CPython at this version on this platform.
    /// Platforms without markers (`Platform::Other`) get empty platform values.
    pub fn markers(&self) -> MarkerEnvironment {
        let full = format!("{}.{}.{}", self.major, self.minor, self.patch);
        let mut values = MarkerValues {
            implementation_name: "cpython".to_string(),
            implementation_version: full.clone(),
            platform_python_implementation: "CPython".to_string(),
            python_full_version: full,
            python_version: format!("{}.{}", self.major, self.minor),
            ..MarkerValues::default()
        };
        if let Some(platform) = self.platform.markers() {
            values.os_name = platform.os_name.to_string();
            values.sys_platform = platform.sys_platform.to_string();
            values.platform_system = platform.platform_system.to_string();
            values.platform_machine = platform.platform_machine.to_string();
        }
        MarkerEnvironment::new(values)
    }

    /// The tags such an interpreter accepts, best first.
    pub fn tags(&self) -> Tags {
        Tags::from_target(&self.tag_target())
    }

    /// What tag generation needs to know.
    pub fn tag_target(&self) -> TagTarget {
        TagTarget::cpython((self.major, self.minor), self.platform.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_target() {
        let target = Target::new("3.12", "x86_64-manylinux_2_28").unwrap();
        let markers = target.markers();
        let values = markers.values();
        assert_eq!(values.sys_platform, "linux");
        assert_eq!(values.platform_machine, "x86_64");
        assert_eq!(values.python_version, "3.12");
        assert_eq!(values.python_full_version, "3.12.0");
        assert_eq!(values.os_name, "posix");
        let tags: Vec<String> = target.tags().iter().map(ToString::to_string).collect();
        assert_eq!(tags[0], "cp312-cp312-manylinux_2_28_x86_64");
        assert!(tags.contains(&"cp312-abi3-manylinux_2_17_x86_64".to_string()));
        assert!(!tags.iter().any(|t| t.contains("manylinux_2_29")));
        assert_eq!(tags.last().map(String::as_str), Some("py30-none-any"));
    }

    #[test]
    fn mac_and_windows_targets() {
        let mac = Target::new("3.11.4", "aarch64-apple-darwin").unwrap();
        assert_eq!(mac.markers().values().sys_platform, "darwin");
        assert_eq!(mac.markers().values().python_full_version, "3.11.4");
        assert!(
            mac.tags()
                .iter()
                .next()
                .unwrap()
                .to_string()
                .ends_with("_arm64")
        );
        let windows = Target::new("3.13", "x86_64-pc-windows-msvc").unwrap();
        let markers = windows.markers();
        assert_eq!(markers.values().sys_platform, "win32");
        assert_eq!(markers.values().platform_machine, "AMD64");
        assert_eq!(
            windows.tags().iter().next().unwrap().to_string(),
            "cp313-cp313-win_amd64"
        );
    }

    #[test]
    fn bad_inputs_explain() {
        let err = Target::new("3", "linux").unwrap_err();
        assert!(err.to_string().contains("major and minor"), "{err}");
        let err = Target::new("three", "linux").unwrap_err();
        assert!(
            err.to_string().contains("`--python-version three`"),
            "{err}"
        );
        let err = Target::new("3.12", "sparc-sun-solaris").unwrap_err();
        assert!(err.to_string().starts_with("`--python-platform`"), "{err}");
    }
}
