//! Why a particular version cannot be used, when the reason is not a
//! version conflict.
//!
//! PubGrub records these as "custom" incompatibilities: the version is
//! excluded and the search goes on, and if the search fails the report
//! names the reason ("a==1.0 was yanked (reason: broken)"). Each value
//! displays as a predicate that completes a sentence about a version.

use std::fmt;

use crate::provider::ProviderError;

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
        }
    }
}
