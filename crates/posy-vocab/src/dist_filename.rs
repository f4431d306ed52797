//! A file from an index listing that posy can install from: a wheel or a
//! source distribution.
//!
//! Index pages list everything a project ever uploaded, including formats
//! nobody installs any more (`.egg`, `.exe` and `.msi` installers, `.rpm`,
//! `.dmg`). [`DistFilename::parse`] sorts a listing's filenames into three
//! piles: `Ok(Some(_))` for a wheel or sdist of the expected package,
//! `Ok(None)` for a file type we do not install, and `Err` for a file that
//! claims to be a wheel or sdist but whose name is malformed or names
//! another package. Callers usually skip the last pile with a warning.

use std::fmt;

use crate::{PackageName, ParseError, SdistExtension, SdistFilename, Version, WheelFilename};

/// A wheel or source distribution filename.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DistFilename {
    Wheel(WheelFilename),
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parses a filename from `package`'s listing; see the module docs for
    /// what each outcome means.
    pub fn parse(filename: &str, package: &PackageName) -> Result<Option<Self>, ParseError> {
        if filename.ends_with(".whl") {
            let wheel: WheelFilename = filename.parse()?;
            if wheel.name() != package {
                return Err(ParseError::new(
                    "wheel filename",
                    filename,
                    0..filename.find('-').unwrap_or(filename.len()),
                    format!("this wheel is for `{}`, not `{package}`", wheel.name()),
                ));
            }
            return Ok(Some(DistFilename::Wheel(wheel)));
        }
        if SdistExtension::split(filename).is_some() {
            return SdistFilename::parse(filename, package).map(|s| Some(DistFilename::Sdist(s)));
        }
        Ok(None)
    }

    /// The distribution name.
    pub fn name(&self) -> &PackageName {
        match self {
            DistFilename::Wheel(w) => w.name(),
            DistFilename::Sdist(s) => s.name(),
        }
    }

    /// The version.
    pub fn version(&self) -> &Version {
        match self {
            DistFilename::Wheel(w) => w.version(),
            DistFilename::Sdist(s) => s.version(),
        }
    }
}

impl fmt::Display for DistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistFilename::Wheel(w) => w.fmt(f),
            DistFilename::Sdist(s) => s.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_listing_entries() {
        let numpy = PackageName::new("numpy").unwrap();
        let parse = |f: &str| DistFilename::parse(f, &numpy);
        assert!(matches!(
            parse("numpy-2.0.0-cp312-cp312-win_amd64.whl"),
            Ok(Some(DistFilename::Wheel(_)))
        ));
        assert!(matches!(
            parse("numpy-2.0.0.tar.gz"),
            Ok(Some(DistFilename::Sdist(_)))
        ));
        assert!(matches!(parse("numpy-1.0.win32-py2.5.exe"), Ok(None)));
        assert!(matches!(
            parse("numpy-1.0-py2.5-linux-x86_64.egg"),
            Ok(None)
        ));
        assert!(parse("scipy-1.0-py3-none-any.whl").is_err());
        assert!(parse("scipy-1.0.tar.gz").is_err());
        assert!(parse("numpy-1.0-py3-none.whl").is_err());
    }
}
