//! Wheel filenames (PEP 427 and the binary distribution format spec):
//! `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
//!
//! A wheel's filename is its metadata as far as an index listing goes: the
//! resolver reads name, version and compatibility tags from it long before
//! it downloads anything. The name is escaped (`-` written `_`), so the
//! stem splits at `-` into exactly five parts, or six with a build tag. We
//! accept the escaped name in any case or spelling that normalizes to a
//! valid name (old wheels kept `.` and capitals: `Django-1.0-...`), any
//! PEP 440 version, and a build tag that starts with a digit. `Display`
//! prints the canonical filename: normalized name with `_`, normalized
//! version, lowercased tags. It is not necessarily the original string, so
//! code that downloads a file keeps the filename it was given.
//!
//! The build tag breaks ties between wheels that agree on everything else:
//! no build tag sorts first, then by the leading number, then by the rest
//! as a string (`1` < `2` < `2b` < `10`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

use crate::{PackageName, ParseError, Tag, TagPriority, TagSet, Tags, Version};

const WHAT: &str = "wheel filename";

/// Re-reports an error from a sub-parser against the whole filename.
pub(crate) fn shift_error(
    what: &'static str,
    input: &str,
    offset: usize,
    e: &ParseError,
) -> ParseError {
    let span = e.span();
    ParseError::new(
        what,
        input,
        offset + span.start..offset + span.end,
        e.message(),
    )
}

/// A wheel's optional build tag: a number, then anything (`1`, `2b`, `20240101_1`).
#[derive(Clone)]
pub struct BuildTag {
    text: Arc<str>,
    /// Length of the leading digits in `text`.
    digits: usize,
}

impl BuildTag {
    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The leading number, without leading zeros (`"007"` → `"7"`); a
    /// string because a build number may exceed any integer type.
    pub fn number(&self) -> &str {
        let n = self.text[..self.digits].trim_start_matches('0');
        if n.is_empty() { "0" } else { n }
    }

    /// What follows the leading number.
    pub fn suffix(&self) -> &str {
        &self.text[self.digits..]
    }

    fn parse_in(input: &str, start: usize, text: &str) -> Result<Self, ParseError> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(ParseError::new(
                WHAT,
                input,
                start..start + text.len().max(1),
                "a build tag must start with a digit (is a `-` in the name or version not written as `_`?)",
            ));
        }
        if let Some((i, c)) = text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        {
            return Err(ParseError::new(
                WHAT,
                input,
                start + i..start + i + c.len_utf8(),
                format!("`{c}` is not allowed in a build tag"),
            ));
        }
        Ok(Self {
            text: Arc::from(text),
            digits,
        })
    }
}

impl FromStr for BuildTag {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_in(s, 0, s).map_err(|e| ParseError::new("build tag", s, e.span(), e.message()))
    }
}

impl Ord for BuildTag {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.number(), other.number());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| self.suffix().cmp(other.suffix()))
    }
}

impl PartialOrd for BuildTag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal when they sort equal: `01` and `1` are the same build number.
impl PartialEq for BuildTag {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for BuildTag {}

impl Hash for BuildTag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.number().hash(state);
        self.suffix().hash(state);
    }
}

impl fmt::Display for BuildTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for BuildTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BuildTag({})", self.text)
    }
}

/// A parsed wheel filename.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct WheelFilename {
    name: PackageName,
    version: Version,
    build: Option<BuildTag>,
    tags: TagSet,
}

impl WheelFilename {
    /// The distribution name.
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The build tag, if any.
    pub fn build_tag(&self) -> Option<&BuildTag> {
        self.build.as_ref()
    }

    /// The compressed tag set (`py2.py3-none-any`).
    pub fn tag_set(&self) -> &TagSet {
        &self.tags
    }

    /// The Python tags, as written.
    pub fn python_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.tags.python_tags()
    }

    /// The ABI tags, as written.
    pub fn abi_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.tags.abi_tags()
    }

    /// The platform tags, as written.
    pub fn platform_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.tags.platform_tags()
    }

    /// Every tag the wheel claims, expanded from the compressed set.
    pub fn tags(&self) -> impl Iterator<Item = Tag> + '_ {
        self.tags.iter()
    }

    /// The best priority any of the wheel's tags has on the target, or
    /// `None` when the target can install none of them. Greater is better.
    pub fn compatibility(&self, supported: &Tags) -> Option<TagPriority> {
        supported.best_priority(&self.tags)
    }

    /// Whether the target can install this wheel.
    pub fn is_compatible(&self, supported: &Tags) -> bool {
        self.compatibility(supported).is_some()
    }

    /// Whether the wheel runs on any platform (every platform tag is `any`).
    pub fn is_platform_independent(&self) -> bool {
        self.tags.is_platform_independent()
    }
}

impl FromStr for WheelFilename {
    type Err = ParseError;

    fn from_str(filename: &str) -> Result<Self, ParseError> {
        let Some(stem) = filename.strip_suffix(".whl") else {
            let dot = filename.rfind('.').unwrap_or(filename.len());
            return Err(ParseError::new(
                WHAT,
                filename,
                dot..filename.len(),
                "a wheel filename ends in `.whl`",
            ));
        };
        let dashes: Vec<usize> = stem.match_indices('-').map(|(i, _)| i).collect();
        if !(4..=5).contains(&dashes.len()) {
            let span = match dashes.get(5) {
                Some(&extra) => extra..stem.len(),
                None => 0..stem.len(),
            };
            return Err(ParseError::new(
                WHAT,
                filename,
                span,
                format!(
                    "expected `name-version[-build]-python-abi-platform.whl` (5 or 6 `-`-separated parts), found {} parts",
                    dashes.len() + 1
                ),
            ));
        }
        let name_end = dashes[0];
        let name =
            PackageName::new(&stem[..name_end]).map_err(|e| shift_error(WHAT, filename, 0, &e))?;
        let version_start = name_end + 1;
        let version_end = dashes[1];
        let version: Version = stem[version_start..version_end].parse().map_err(|e| {
            let e = shift_error(WHAT, filename, version_start, &e);
            if dashes.len() == 5 {
                // Six parts and a bad version: most likely an unescaped
                // `-` in the name, not a build tag.
                ParseError::new(
                    WHAT,
                    filename,
                    e.span(),
                    format!(
                        "{} (a `-` inside the name must be written `_` in a wheel filename)",
                        e.message()
                    ),
                )
            } else {
                e
            }
        })?;
        let build = if dashes.len() == 5 {
            let start = dashes[1] + 1;
            Some(BuildTag::parse_in(
                filename,
                start,
                &stem[start..dashes[2]],
            )?)
        } else {
            None
        };
        let tags_start = dashes[dashes.len() - 3] + 1;
        let tags = TagSet::parse_in(WHAT, filename, tags_start..stem.len())?;
        Ok(Self {
            name,
            version,
            build,
            tags,
        })
    }
}

impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
        if let Some(build) = &self.build {
            write!(f, "-{build}")?;
        }
        write!(f, "-{}.whl", self.tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let w: WheelFilename = "foo_bar-1.0-1b-py2.py3-none-any.whl".parse().unwrap();
        assert_eq!(w.name().as_str(), "foo-bar");
        assert_eq!(w.version().to_string(), "1.0");
        assert_eq!(w.build_tag().unwrap().as_str(), "1b");
        assert_eq!(w.python_tags().collect::<Vec<_>>(), ["py2", "py3"]);
        assert_eq!(w.to_string(), "foo_bar-1.0-1b-py2.py3-none-any.whl");
        assert!(w.is_platform_independent());
    }

    #[test]
    fn build_tags_sort_by_number_then_suffix() {
        let b = |s: &str| s.parse::<BuildTag>().unwrap();
        assert!(b("1") < b("2"));
        assert!(b("2") < b("2b"));
        assert!(b("2b") < b("10"));
        assert!(b("9") < b("10"));
        assert_eq!(b("01"), b("1"));
        assert!(b("99999999999999999999999") < b("100000000000000000000000"));
        assert_eq!(b("007").number(), "7");
        assert!("b1".parse::<BuildTag>().is_err());
        let none: Option<BuildTag> = None;
        assert!(none < Some(b("0")));
    }
}
