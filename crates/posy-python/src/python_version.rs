//! A Python release as people write it in requests: `3`, `3.12`, `3.12.1`.
//!
//! This is not a PEP 440 version (that is `posy_vocab::Version`); it is the
//! small numeric shape that `--python 3.12`, `--python-version 3.12`,
//! `cp312` and the `python3.12` file name all mean, with the parts the user
//! left out kept as `None` so that `3.12` matches every `3.12.x`.

use std::fmt;
use std::str::FromStr;

/// `major[.minor[.patch]]`, each part optional after the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    pub major: u64,
    pub minor: Option<u64>,
    pub patch: Option<u64>,
}

impl PythonVersion {
    pub fn new(major: u64, minor: Option<u64>, patch: Option<u64>) -> PythonVersion {
        PythonVersion {
            major,
            minor,
            patch: minor.and(patch),
        }
    }

    /// Parse the "no dot" spelling of wheel tags: `3` → 3, `312` → 3.12,
    /// `37` → 3.7. The first digit is the major version (as in PEP 425).
    pub fn from_nodot(digits: &str) -> Option<PythonVersion> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (major, minor) = digits.split_at(1);
        let major = major.parse().ok()?;
        let minor = if minor.is_empty() {
            None
        } else {
            Some(minor.parse().ok()?)
        };
        Some(PythonVersion::new(major, minor, None))
    }

    /// Whether an interpreter of release `(major, minor, patch)` satisfies
    /// this request: every part the request names must be equal.
    pub fn matches(&self, major: u64, minor: u64, patch: u64) -> bool {
        self.major == major
            && self.minor.is_none_or(|m| m == minor)
            && self.patch.is_none_or(|p| p == patch)
    }
}

impl FromStr for PythonVersion {
    type Err = ();

    /// `3`, `3.12`, `3.12.1`; nothing else (no pre-release suffixes, no
    /// leading `v`, no empty parts).
    fn from_str(text: &str) -> Result<PythonVersion, ()> {
        let mut parts = text.split('.');
        let mut next = || -> Result<Option<u64>, ()> {
            match parts.next() {
                None => Ok(None),
                Some(part) if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) => {
                    part.parse().map(Some).map_err(|_| ())
                }
                Some(_) => Err(()),
            }
        };
        let major = next()?.ok_or(())?;
        let minor = next()?;
        let patch = next()?;
        if parts.next().is_some() {
            return Err(());
        }
        Ok(PythonVersion::new(major, minor, patch))
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(minor) = self.minor {
            write!(f, ".{minor}")?;
        }
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_shapes() {
        assert_eq!("3".parse(), Ok(PythonVersion::new(3, None, None)));
        assert_eq!("3.12".parse(), Ok(PythonVersion::new(3, Some(12), None)));
        assert_eq!(
            "3.12.1".parse(),
            Ok(PythonVersion::new(3, Some(12), Some(1)))
        );
        for bad in ["", "3.", ".3", "3.12.1.0", "3.12a1", "v3", "3..1", "-3"] {
            assert!(bad.parse::<PythonVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn nodot() {
        assert_eq!(PythonVersion::from_nodot("312"), "3.12".parse().ok());
        assert_eq!(PythonVersion::from_nodot("37"), "3.7".parse().ok());
        assert_eq!(PythonVersion::from_nodot("3"), "3".parse().ok());
        assert_eq!(PythonVersion::from_nodot(""), None);
        assert_eq!(PythonVersion::from_nodot("3x"), None);
    }

    #[test]
    fn matching_ignores_unnamed_parts() {
        let v: PythonVersion = "3.11".parse().unwrap();
        assert!(v.matches(3, 11, 7));
        assert!(!v.matches(3, 12, 0));
        let v: PythonVersion = "3.11.7".parse().unwrap();
        assert!(v.matches(3, 11, 7));
        assert!(!v.matches(3, 11, 8));
        assert_eq!(v.to_string(), "3.11.7");
    }
}
