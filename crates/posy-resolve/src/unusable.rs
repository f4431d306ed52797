//! Why a particular version cannot be used, when the reason is not a
//! version conflict.
//!
//! PubGrub records these as "custom" incompatibilities: the version is
//! excluded and the search goes on, and if the search fails the report
//! names the reason ("a==1.0 was yanked (reason: broken)"). Each value
//! displays as a predicate that completes a sentence about a version.

use std::fmt;

use posy_vocab::Version;
use version_ranges::Ranges;

use crate::display::specifiers;
use crate::provider::{Exclusion, ProviderError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// Every file is yanked and nothing pins the version exactly.
    Yanked(Option<String>),
    /// No wheel for the target and no sdist.
    NoCompatibleFile,
    /// No wheel for this required environment (`required-environments`)
    /// and no sdist.
    NoFileFor(String),
    /// Only an sdist, and the provider cannot build it yet.
    SdistOnly,
    /// The metadata could not be read, or describes another package.
    InvalidMetadata(String),
    /// A dependency is a direct URL, which the resolver does not follow yet.
    DirectUrl(String),
    /// Nothing installable on the target, and the user's options ruled out
    /// files (see [`Status::Excluded`](crate::version_map::Status::Excluded)).
    Excluded {
        exclusion: Exclusion,
        other_files: bool,
    },
    /// Every version in a range requires a Python the target is not: the
    /// ranges of Python they require. Only a report makes this reason, when
    /// it folds a package's versions that fail alike into one fact (the
    /// solver records such versions as dependencies on the Python node).
    RequiresPython(Vec<Ranges<Version>>),
}

impl Unusable {
    /// The reason for a provider error that is a fact about the version.
    pub(crate) fn from_provider(err: &ProviderError) -> Self {
        match err {
            ProviderError::SdistOnly => Self::SdistOnly,
            ProviderError::InvalidMetadata(msg) => Self::InvalidMetadata(msg.clone()),
            ProviderError::NotFound => {
                Self::InvalidMetadata("the index could not find it".to_owned())
            }
            // Not facts (see `ProviderError::is_fact`): the resolution stops
            // before these become a reason.
            ProviderError::BuildFailed(_) | ProviderError::Other(_) => {
                Self::InvalidMetadata(err.to_string())
            }
        }
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Yanked(None) => f.write_str("was yanked"),
            Self::Yanked(Some(reason)) => write!(f, "was yanked (reason: {reason})"),
            Self::NoCompatibleFile => f.write_str(
                "has no wheel compatible with the target platform and no source distribution",
            ),
            Self::NoFileFor(environment) => write!(
                f,
                "has no wheel for the required environment `{environment}` and no source distribution"
            ),
            Self::SdistOnly => f.write_str(
                "has only a source distribution, and building from source is not supported yet",
            ),
            Self::InvalidMetadata(msg) => write!(f, "has unusable metadata ({msg})"),
            Self::DirectUrl(requirement) => write!(
                f,
                "depends on `{requirement}`, and direct URL dependencies are not supported yet"
            ),
            Self::Excluded { .. } | Self::RequiresPython(_) => f.write_str(&self.predicate(false)),
        }
    }
}

impl Unusable {
    /// The reasons a report may fold over many versions, worded for one
    /// version or (`plural`) for "all versions of a"; the others as
    /// `Display` words them.
    pub(crate) fn predicate(&self, plural: bool) -> String {
        let (has, a_sdist, wheel, its) = if plural {
            ("have", "source distributions", "wheels", "their")
        } else {
            ("has", "a source distribution", "wheel", "its")
        };
        let s = if plural { "s" } else { "" };
        match self {
            Self::Excluded {
                exclusion: Exclusion::OnlyBinary,
                other_files: false,
            } => format!("{has} only {a_sdist} (excluded by `--only-binary` or `--no-build`)"),
            Self::Excluded {
                exclusion: Exclusion::OnlyBinary,
                other_files: true,
            } => format!(
                "{has} no {wheel} for the target ({its} source distribution{s} excluded by \
                 `--only-binary` or `--no-build`)"
            ),
            Self::Excluded {
                exclusion: Exclusion::NoBinary,
                ..
            } => format!("{has} only wheels (excluded by `--no-binary`)"),
            Self::RequiresPython(ranges) => {
                let require = if plural { "require" } else { "requires" };
                format!("{require} {}", required_pythons(ranges))
            }
            other => other.to_string(),
        }
    }
}

/// "Python>=3.8" for one range; for several, the loosest lower bound
/// ("Python 3.6 or newer") when each has one, else each range.
fn required_pythons(ranges: &[Ranges<Version>]) -> String {
    let mut distinct: Vec<&Ranges<Version>> = Vec::new();
    for range in ranges {
        if !distinct.contains(&range) {
            distinct.push(range);
        }
    }
    if let [only] = distinct.as_slice() {
        return format!("Python{}", specifiers(only));
    }
    let lowest = distinct
        .iter()
        .map(|range| match range.bounding_range() {
            Some((std::ops::Bound::Included(v) | std::ops::Bound::Excluded(v), _)) => Some(v),
            _ => None,
        })
        .collect::<Option<Vec<&Version>>>()
        .and_then(|lows| lows.into_iter().min());
    match lowest {
        Some(version) => format!("Python {version} or newer"),
        None => distinct
            .iter()
            .map(|range| format!("Python{}", specifiers(range)))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}
