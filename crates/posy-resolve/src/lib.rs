//! posy's resolver: from a Brief to the pins of a Blueprint.
//!
//! [`resolve`] takes a [`ResolveRequest`] (requirements, constraints,
//! overrides, preferences, the target platform, the strategy and
//! pre-release policy) and a [`MetadataProvider`] (whatever can list a
//! package's files and read a version's metadata: in posy, the index client
//! and the build frontend together), and returns a [`Resolution`], or a
//! [`ResolveError::NoSolution`] that explains in sentences why none
//! exists.
//!
//! The solver is PubGrub (the `pubgrub` crate) over PEP 440 version ranges,
//! with extras as their own nodes and the target Python as a node, as uv
//! does. It runs on its own thread while the provider's async calls run on
//! the caller's runtime, many at once, each at most once per run, with the
//! likely next candidates fetched before the solver asks.
//!
//! ```no_run
//! # async fn demo(provider: impl posy_resolve::MetadataProvider, target: posy_resolve::Target)
//! # -> Result<(), posy_resolve::ResolveError> {
//! use posy_resolve::{ResolveRequest, resolve};
//!
//! let request = ResolveRequest::new(vec!["requests>=2".parse().unwrap()], target);
//! let resolution = resolve(&request, &provider).await?;
//! for package in &resolution.packages {
//!     println!("{}=={}", package.name, package.version);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Universal resolution (one answer for every platform and Python of a
//! `requires-python`, with markers on the pins that differ) forks on the
//! markers of the graph, see `universal.rs`. Not yet: direct URL requirements, which are reported as
//! an error rather than guessed at.

mod candidate;
mod display;
mod error;
mod fetcher;
mod node;
mod once_map;
mod prerelease;
mod priority;
mod provider;
mod report;
mod request;
mod requested;
mod resolution;
mod resolve;
mod scope;
mod solver;
mod strategy;
mod target;
mod universal;
mod unusable;
mod version_map;
mod wheel_mismatch;

#[cfg(test)]
mod tests;

pub use error::{NoSolution, ResolveError};
pub use prerelease::PrereleaseMode;
pub use provider::{
    DistFile, DistKind, DistMetadata, Exclusion, MetadataFile, MetadataProvider, PackageVersions,
    ProviderError, Yanked, index_requires_python,
};
pub use request::{Preference, ResolveRequest, Universe, Upgrade};
pub use resolution::{ClassReach, Resolution, ResolvedPackage, Via};
pub use resolve::resolve;
pub use strategy::{ForkStrategy, ResolutionStrategy};
pub use target::Target;
pub use version_map::best_file;
