//! `--exclude-newer`: resolve as if the index were frozen at a moment.
//!
//! `--exclude-newer-package NAME=DATE` gives one package its own cutoff,
//! which replaces the common one for that package alone (earlier or later
//! than it, or none at all: `NAME=false`, as uv spells it). [`Cutoffs`]
//! holds both and answers "which cutoff for this package".
//!
//! The cutoff is an RFC 3339 timestamp (`2024-03-01T12:00:00Z`) or a date
//! (`2024-03-01`), which means midnight at the start of that date in the
//! system time zone, as uv reads it. A file is kept only when its PEP 700
//! `upload-time` is strictly before the cutoff.
//!
//! Files with no upload time are dropped, as uv does, because keeping them
//! would silently defeat reproducibility (an index that sends no times
//! would let every new release through). The HTML form of the Simple API
//! has no upload times at all, so `--exclude-newer` needs an index that
//! speaks JSON; [`ExcludeNewer::filter`] reports how many files it dropped
//! for lack of a time so the caller can say so. find-links sources are not
//! filtered: they never carry upload times, they are chosen file by file by
//! the user, and uv leaves them alone too.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use posy_vocab::PackageName;

use crate::page::IndexFile;

/// The upload-time cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExcludeNewer(Timestamp);

impl ExcludeNewer {
    /// A cutoff at this instant.
    pub fn new(cutoff: Timestamp) -> Self {
        Self(cutoff)
    }

    /// The instant.
    pub fn timestamp(self) -> Timestamp {
        self.0
    }

    /// Keeps the files uploaded before the cutoff; returns how many files
    /// were dropped because they had no upload time.
    pub fn filter(self, files: &mut Vec<IndexFile>) -> usize {
        let mut undated = 0;
        files.retain(|file| match file.upload_time {
            Some(time) => time < self.0,
            None => {
                undated += 1;
                false
            }
        });
        undated
    }
}

impl FromStr for ExcludeNewer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Ok(timestamp) = s.parse::<Timestamp>() {
            return Ok(Self(timestamp));
        }
        if let Ok(date) = s.parse::<Date>() {
            let zoned = date
                .to_zoned_datetime(TimeZone::system())
                .map_err(|e| format!("`{s}` is not a usable date: {e}"))?;
            return Ok(Self(zoned.timestamp()));
        }
        Err(format!(
            "`{s}` is neither an RFC 3339 timestamp (2024-03-01T12:00:00Z) nor a date (2024-03-01)"
        ))
    }
}

impl fmt::Display for ExcludeNewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One `--exclude-newer-package` value: `NAME=DATE`, or `NAME=false` for
/// no cutoff at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCutoff {
    pub name: PackageName,
    pub cutoff: Option<ExcludeNewer>,
}

impl FromStr for PackageCutoff {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not of the form PACKAGE=DATE (or PACKAGE=false)"))?;
        let name = PackageName::new(name.trim()).map_err(|e| e.to_string())?;
        let cutoff = match value.trim() {
            "false" => None,
            date => Some(date.parse()?),
        };
        Ok(Self { name, cutoff })
    }
}

/// The cutoff of every package: the common one, and the packages that
/// have their own. `None` converts to "no cutoff", a single cutoff to one
/// for every package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cutoffs {
    common: Option<ExcludeNewer>,
    packages: BTreeMap<PackageName, Option<ExcludeNewer>>,
}

impl Cutoffs {
    /// `common` for every package (none: nothing is excluded).
    pub fn new(common: Option<ExcludeNewer>) -> Self {
        Self {
            common,
            packages: BTreeMap::new(),
        }
    }

    /// Gives one package its own cutoff; the last one given for a name wins.
    pub fn set(&mut self, package: PackageCutoff) {
        self.packages.insert(package.name, package.cutoff);
    }

    /// The cutoff that applies to `name`.
    pub fn of(&self, name: &PackageName) -> Option<ExcludeNewer> {
        match self.packages.get(name) {
            Some(own) => *own,
            None => self.common,
        }
    }
}

impl From<Option<ExcludeNewer>> for Cutoffs {
    fn from(common: Option<ExcludeNewer>) -> Self {
        Self::new(common)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn file(name: &str, time: Option<&str>) -> IndexFile {
        let mut file = IndexFile::new(
            name,
            Url::parse(&format!("https://f.example/{name}")).unwrap(),
        );
        file.upload_time = time.map(|t| t.parse().unwrap());
        file
    }

    #[test]
    fn parses_timestamps_and_dates() {
        let t: ExcludeNewer = "2024-03-01T12:00:00Z".parse().unwrap();
        assert_eq!(t.to_string(), "2024-03-01T12:00:00Z");
        assert!("2024-03-01".parse::<ExcludeNewer>().is_ok());
        let err = "last tuesday".parse::<ExcludeNewer>().unwrap_err();
        assert!(err.contains("last tuesday"));
    }

    #[test]
    fn keeps_strictly_older_and_drops_undated() {
        let cutoff: ExcludeNewer = "2024-03-01T00:00:00Z".parse().unwrap();
        let mut files = vec![
            file("a-1.tar.gz", Some("2024-02-29T23:59:59Z")),
            file("a-2.tar.gz", Some("2024-03-01T00:00:00Z")),
            file("a-3.tar.gz", None),
        ];
        assert_eq!(cutoff.filter(&mut files), 1);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "a-1.tar.gz");
    }

    #[test]
    fn a_package_cutoff_replaces_the_common_one() {
        let mut cutoffs = Cutoffs::new(Some("2024-03-01T00:00:00Z".parse().unwrap()));
        cutoffs.set("Late_Pkg=2025-01-01T00:00:00Z".parse().unwrap());
        cutoffs.set("free=false".parse().unwrap());
        let name = |s: &str| PackageName::new(s).unwrap();
        assert_eq!(
            cutoffs.of(&name("late-pkg")).unwrap().to_string(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(cutoffs.of(&name("free")), None);
        assert_eq!(
            cutoffs.of(&name("other")).unwrap().to_string(),
            "2024-03-01T00:00:00Z"
        );
        for bad in ["nodate", "x=soon", "=2024-01-01"] {
            assert!(bad.parse::<PackageCutoff>().is_err(), "{bad}");
        }
    }
}
