//! Source distribution filenames: PEP 625's `{name}-{version}.tar.gz` and
//! the older forms indexes still serve (`.zip`, `.tar.bz2`, `.tgz`, ...).
//!
//! PEP 625 escapes the name like a wheel's (`-` written `_`), so the stem
//! splits at its last `-`: a normalized version never contains one. Older
//! sdists wrote the project name as is (`python-dateutil-2.8.2.tar.gz`),
//! and a `-` may even sit inside the version (`foo-1.0-1` is post-release
//! 1); no rule can split those without knowing the name. So there are two
//! parsers: [`SdistFilename::parse`] takes the expected package name and
//! finds the one split whose prefix normalizes to it (what an index client
//! does, where the project is known), and `FromStr` splits at the last `-`
//! (right for PEP 625 names and for most legacy ones).
//!
//! Extensions are matched case-insensitively; `Display` prints the
//! canonical PEP 625 form of the stem with the lowercase extension.

use std::fmt;
use std::str::FromStr;

use crate::wheel_filename::shift_error;
use crate::{PackageName, ParseError, Version};

const WHAT: &str = "source distribution filename";

/// The archive format of a source distribution, from its filename.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SdistExtension {
    /// `.tar.gz`, the only format PEP 625 allows for new uploads.
    TarGz,
    /// `.tgz`
    Tgz,
    /// `.zip`
    Zip,
    /// `.tar.bz2`
    TarBz2,
    /// `.tbz`
    Tbz,
    /// `.tar.xz`
    TarXz,
    /// `.txz`
    Txz,
    /// `.tar.lz`
    TarLz,
    /// `.tar.lzma`
    TarLzma,
    /// `.tlz`
    Tlz,
    /// `.tar.zst`
    TarZst,
    /// `.tar` (uncompressed)
    Tar,
}

impl SdistExtension {
    /// Every extension, in the order [`SdistExtension::split`] tries them
    /// (a suffix before any shorter suffix of it).
    pub const ALL: [SdistExtension; 12] = [
        SdistExtension::TarLzma,
        SdistExtension::TarBz2,
        SdistExtension::TarZst,
        SdistExtension::TarGz,
        SdistExtension::TarXz,
        SdistExtension::TarLz,
        SdistExtension::Tar,
        SdistExtension::Tgz,
        SdistExtension::Tbz,
        SdistExtension::Txz,
        SdistExtension::Tlz,
        SdistExtension::Zip,
    ];

    /// The extension with its leading dot, lowercase (`.tar.gz`).
    pub fn as_str(self) -> &'static str {
        match self {
            SdistExtension::TarGz => ".tar.gz",
            SdistExtension::Tgz => ".tgz",
            SdistExtension::Zip => ".zip",
            SdistExtension::TarBz2 => ".tar.bz2",
            SdistExtension::Tbz => ".tbz",
            SdistExtension::TarXz => ".tar.xz",
            SdistExtension::Txz => ".txz",
            SdistExtension::TarLz => ".tar.lz",
            SdistExtension::TarLzma => ".tar.lzma",
            SdistExtension::Tlz => ".tlz",
            SdistExtension::TarZst => ".tar.zst",
            SdistExtension::Tar => ".tar",
        }
    }

    /// Whether the archive is a zip file (everything else is a tarball).
    pub fn is_zip(self) -> bool {
        self == SdistExtension::Zip
    }

    /// Splits `filename` into its stem and sdist extension, or `None` when
    /// it does not end in one.
    pub fn split(filename: &str) -> Option<(&str, SdistExtension)> {
        SdistExtension::ALL.into_iter().find_map(|ext| {
            let suffix = ext.as_str();
            let cut = filename.len().checked_sub(suffix.len())?;
            let tail = filename.get(cut..)?;
            tail.eq_ignore_ascii_case(suffix)
                .then(|| (&filename[..cut], ext))
        })
    }
}

impl fmt::Display for SdistExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed source distribution filename.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SdistFilename {
    name: PackageName,
    version: Version,
    extension: SdistExtension,
}

fn split_extension(filename: &str) -> Result<(&str, SdistExtension), ParseError> {
    SdistExtension::split(filename).ok_or_else(|| {
        let dot = filename.rfind('.').unwrap_or(filename.len());
        let mut all = SdistExtension::ALL;
        all.sort();
        let names: Vec<&str> = all.iter().map(|e| e.as_str()).collect();
        ParseError::new(
            WHAT,
            filename,
            dot..filename.len(),
            format!(
                "not a source distribution; expected one of {}",
                names.join(" ")
            ),
        )
    })
}

impl SdistFilename {
    /// Parses the filename of an sdist of `package`, whose name part may
    /// contain `-` (legacy names such as `python-dateutil-2.8.2.tar.gz`).
    /// The split chosen is the one whose prefix normalizes to `package`.
    pub fn parse(filename: &str, package: &PackageName) -> Result<Self, ParseError> {
        let (stem, extension) = split_extension(filename)?;
        let split = stem
            .match_indices('-')
            .map(|(i, _)| i)
            .find(|&i| PackageName::new(&stem[..i]).is_ok_and(|n| n == *package));
        let Some(i) = split else {
            return Err(ParseError::new(
                WHAT,
                filename,
                0..stem.len(),
                format!(
                    "expected `{package}-<version>{extension}`; the name part does not match `{package}`"
                ),
            ));
        };
        Self::from_parts(filename, stem, i, extension)
    }

    fn from_parts(
        filename: &str,
        stem: &str,
        dash: usize,
        extension: SdistExtension,
    ) -> Result<Self, ParseError> {
        let name =
            PackageName::new(&stem[..dash]).map_err(|e| shift_error(WHAT, filename, 0, &e))?;
        let version = stem[dash + 1..]
            .parse()
            .map_err(|e| shift_error(WHAT, filename, dash + 1, &e))?;
        Ok(Self {
            name,
            version,
            extension,
        })
    }

    /// The distribution name.
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The archive format.
    pub fn extension(&self) -> SdistExtension {
        self.extension
    }
}

impl FromStr for SdistFilename {
    type Err = ParseError;

    /// Parses a filename splitting name and version at the last `-`; see
    /// the module docs, and prefer [`SdistFilename::parse`] when the package
    /// is known.
    fn from_str(filename: &str) -> Result<Self, ParseError> {
        let (stem, extension) = split_extension(filename)?;
        let Some(dash) = stem.rfind('-') else {
            return Err(ParseError::new(
                WHAT,
                filename,
                0..stem.len(),
                format!("expected `<name>-<version>{extension}`"),
            ));
        };
        Self::from_parts(filename, stem, dash, extension)
    }
}

impl fmt::Display for SdistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}{}",
            self.name.as_dist_info_name(),
            self.version,
            self.extension
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_split_is_case_insensitive_and_longest_first() {
        assert_eq!(
            SdistExtension::split("a-1.TAR.GZ"),
            Some(("a-1", SdistExtension::TarGz))
        );
        assert_eq!(
            SdistExtension::split("a-1.tar"),
            Some(("a-1", SdistExtension::Tar))
        );
        assert_eq!(
            SdistExtension::split("a-1.tar.lzma"),
            Some(("a-1", SdistExtension::TarLzma))
        );
        assert_eq!(SdistExtension::split("a-1.whl"), None);
        assert_eq!(SdistExtension::split("é"), None);
    }

    #[test]
    fn legacy_name_with_dashes() {
        let name = PackageName::new("python-dateutil").unwrap();
        let s = SdistFilename::parse("python-dateutil-2.8.2.tar.gz", &name).unwrap();
        assert_eq!(s.name(), &name);
        assert_eq!(s.version().to_string(), "2.8.2");
        assert_eq!(s.to_string(), "python_dateutil-2.8.2.tar.gz");
    }
}
