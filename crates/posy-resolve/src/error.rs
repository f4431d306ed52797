//! Why a resolution did not produce an answer.
//!
//! Two kinds of failure are kept apart. [`ResolveError::NoSolution`] is an
//! answer in its own right: the requirements cannot all hold, and the
//! [`NoSolution`] explains why in sentences, with hints. The other
//! variants mean the resolver could not finish its work: a provider failed
//! (network, index), the Brief asked for something not supported yet, or the
//! resolution was cancelled.

use std::fmt;
use std::sync::Arc;

use posy_vocab::{PackageName, Version};

use crate::provider::ProviderError;

/// A failed resolution.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The requirements cannot be satisfied together.
    #[error("{0}")]
    NoSolution(NoSolution),
    /// The provider could not list a package's versions.
    #[error("could not get the versions of {name} from the index")]
    Versions {
        name: PackageName,
        #[source]
        source: Arc<ProviderError>,
    },
    /// The provider could not read a version's metadata.
    #[error("could not get the metadata of {name}=={version}")]
    Metadata {
        name: PackageName,
        version: Version,
        #[source]
        source: Arc<ProviderError>,
    },
    /// A requirement of the Brief is a direct URL (`name @ url`).
    #[error(
        "`{0}` is a direct URL requirement, which the resolver does not support yet; \
         require the package by version instead"
    )]
    DirectUrl(String),
    /// Universal resolution was asked for without any environment.
    #[error(
        "a universal resolution needs at least one environment to hold in; \
         list the supported Python versions and platforms"
    )]
    NoEnvironments,
    /// The resolution was cancelled, or its solver thread stopped.
    #[error("the resolution was cancelled")]
    Cancelled,
    /// The solver thread could not be started.
    #[error("could not start the resolver thread")]
    Thread(#[source] std::io::Error),
}

/// The explanation of an unsatisfiable Brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSolution {
    /// The derivation, in sentences, each paragraph on its own line.
    pub report: String,
    /// Suggestions, one sentence each (may be empty).
    pub hints: Vec<String>,
}

impl fmt::Display for NoSolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no solution found when resolving the requirements:\n{}",
            self.report
        )?;
        for hint in &self.hints {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}
