//! `--exclude-newer`: resolve as if the index were frozen at a moment.
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

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

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
}
