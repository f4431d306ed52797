//! The values that markers are evaluated against: one interpreter on one
//! platform.
//!
//! posy learns them by running a small probe inside the interpreter, which
//! prints them as JSON keyed by the PEP 508 variable names (what packaging's
//! `default_environment()` returns); [`MarkerEnvironment`] deserializes from
//! exactly that. The strings are kept as given. The four version variables
//! are also parsed once, here, so that evaluating thousands of markers
//! during a resolution never parses an environment version again; a value
//! that is not a PEP 440 version (a `platform_release` such as
//! `6.5.0-14-generic` often is not) is simply compared as a string.
//!
//! `platform.python_version()` returns `3.11.1+` for an untagged build of
//! CPython, which is not a version; like packaging, the parsed
//! `python_full_version` reads it as `3.11.1+local`.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::MarkerVariable;
use crate::version::Version;

/// The raw marker values of an environment, one string per PEP 508 variable.
/// Build one (it implements `Default`) and turn it into a
/// [`MarkerEnvironment`] with [`MarkerEnvironment::new`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MarkerValues {
    /// `sys.implementation.name`, e.g. `cpython`.
    pub implementation_name: String,
    /// `sys.implementation.version` formatted like `3.12.1` or `3.13.0b4`.
    pub implementation_version: String,
    /// `os.name`, e.g. `posix`, `nt`.
    pub os_name: String,
    /// `platform.machine()`, e.g. `x86_64`, `AMD64`, `arm64`.
    pub platform_machine: String,
    /// `platform.python_implementation()`, e.g. `CPython`, `PyPy`.
    pub platform_python_implementation: String,
    /// `platform.release()`, e.g. `6.5.0-14-generic`, `10`, `23.1.0`.
    pub platform_release: String,
    /// `platform.system()`, e.g. `Linux`, `Windows`, `Darwin`.
    pub platform_system: String,
    /// `platform.version()`, e.g. `#1 SMP PREEMPT_DYNAMIC ...`.
    pub platform_version: String,
    /// `platform.python_version()`, e.g. `3.12.1`.
    pub python_full_version: String,
    /// The first two parts of `platform.python_version_tuple()`, e.g. `3.12`.
    pub python_version: String,
    /// `sys.platform`, e.g. `linux`, `win32`, `darwin`.
    pub sys_platform: String,
}

/// An environment to evaluate markers against: the values, plus the version
/// variables parsed once. Serializes as a [`MarkerValues`] object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "MarkerValues", into = "MarkerValues")]
pub struct MarkerEnvironment {
    values: MarkerValues,
    implementation_version: Option<Version>,
    platform_release: Option<Version>,
    python_full_version: Option<Version>,
    python_version: Option<Version>,
}

impl MarkerEnvironment {
    /// Wraps the values, parsing the version variables that parse.
    pub fn new(values: MarkerValues) -> Self {
        let parse = |s: &str| Version::from_str(s).ok();
        let full = match values.python_full_version.strip_suffix('+') {
            Some(untagged) => parse(&format!("{untagged}+local")),
            None => parse(&values.python_full_version),
        };
        Self {
            implementation_version: parse(&values.implementation_version),
            platform_release: parse(&values.platform_release),
            python_full_version: full,
            python_version: parse(&values.python_version),
            values,
        }
    }

    /// The raw values.
    pub fn values(&self) -> &MarkerValues {
        &self.values
    }

    /// The string value of a variable. `extra`, `extras` and
    /// `dependency_groups` are not part of an environment (they come with
    /// each evaluation) and read as the empty string.
    pub fn get(&self, variable: MarkerVariable) -> &str {
        let v = &self.values;
        match variable {
            MarkerVariable::ImplementationName => &v.implementation_name,
            MarkerVariable::ImplementationVersion => &v.implementation_version,
            MarkerVariable::OsName => &v.os_name,
            MarkerVariable::PlatformMachine => &v.platform_machine,
            MarkerVariable::PlatformPythonImplementation => &v.platform_python_implementation,
            MarkerVariable::PlatformRelease => &v.platform_release,
            MarkerVariable::PlatformSystem => &v.platform_system,
            MarkerVariable::PlatformVersion => &v.platform_version,
            MarkerVariable::PythonFullVersion => &v.python_full_version,
            MarkerVariable::PythonVersion => &v.python_version,
            MarkerVariable::SysPlatform => &v.sys_platform,
            MarkerVariable::Extra | MarkerVariable::Extras | MarkerVariable::DependencyGroups => "",
        }
    }

    /// The parsed value of a version variable, if the variable is one and its
    /// value is a PEP 440 version.
    pub fn version(&self, variable: MarkerVariable) -> Option<&Version> {
        match variable {
            MarkerVariable::ImplementationVersion => self.implementation_version.as_ref(),
            MarkerVariable::PlatformRelease => self.platform_release.as_ref(),
            MarkerVariable::PythonFullVersion => self.python_full_version.as_ref(),
            MarkerVariable::PythonVersion => self.python_version.as_ref(),
            _ => None,
        }
    }
}

impl From<MarkerValues> for MarkerEnvironment {
    fn from(values: MarkerValues) -> Self {
        Self::new(values)
    }
}

impl From<MarkerEnvironment> for MarkerValues {
    fn from(env: MarkerEnvironment) -> Self {
        env.values
    }
}

impl PartialEq for MarkerEnvironment {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl Eq for MarkerEnvironment {}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> MarkerValues {
        MarkerValues {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.1".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_release: "6.5.0-14-generic".into(),
            platform_system: "Linux".into(),
            platform_version: "#14-Ubuntu SMP".into(),
            python_full_version: "3.11.1+".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
        }
    }

    #[test]
    fn caches_versions_that_parse() {
        let env = MarkerEnvironment::new(values());
        assert_eq!(env.get(MarkerVariable::PythonFullVersion), "3.11.1+");
        assert_eq!(
            env.version(MarkerVariable::PythonFullVersion)
                .map(ToString::to_string)
                .as_deref(),
            Some("3.11.1+local")
        );
        assert!(env.version(MarkerVariable::PythonVersion).is_some());
        assert!(env.version(MarkerVariable::ImplementationVersion).is_some());
        // `6.5.0-14-generic` is not PEP 440 (`-14` would be a post-release,
        // but `-generic` is nothing).
        assert!(env.version(MarkerVariable::PlatformRelease).is_none());
        assert!(env.version(MarkerVariable::OsName).is_none());
        assert_eq!(env.get(MarkerVariable::Extra), "");
    }
}
