//! The package database client: everything posy learns from package
//! indexes and find-links sources, and the artifacts it downloads from them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), posy_index::IndexError> {
//! use posy_index::{IndexOptions, IndexStrategy};
//! use posy_vocab::PackageName;
//!
//! let client = IndexOptions::new()
//!     .cache_dir(Some("/tmp/posy-cache".into()))
//!     .index_strategy(IndexStrategy::FirstIndex)
//!     .build()?;
//! let requests = client.project(&PackageName::new("requests").unwrap()).await?;
//! let wheel = requests.files.iter().rev().find(|f| f.is_wheel()).unwrap();
//! let metadata: Vec<u8> = client.wheel_metadata(wheel).await?;
//! let artifact = client.download(wheel).await?; // sha256-verified, in the store
//! # Ok(()) }
//! ```
//!
//! What it speaks: the Simple API in HTML (PEP 503) and JSON (PEP 691, 700),
//! chosen by content negotiation; yanking (PEP 592); metadata files (PEP
//! 658/714); range requests into remote wheels when there is no metadata
//! file; find-links directories and pages. How it behaves on the network:
//! one connection pool, bounded concurrency, retries with backoff
//! ([`retry`](crate::retry)), credentials from URLs, environment variables
//! and netrc ([`auth`](crate::auth)) that never reach a log or an error
//! ([`redact`](crate::redact)), and a page cache whose freshness policy is
//! written down in [`freshness`](crate::freshness).
//!
//! The modules, from the wire up: `transport` (HTTP), `simple_html` and
//! `simple_json` (parsers), `page` (the parsed shape), `find_links`,
//! `freshness` and `cache` (on disk), `wheel_zip` and `lazy_wheel`
//! (metadata by ranges), `download` (verified artifacts), `options` (the
//! builder), `client` (the object callers use).

pub mod auth;
mod cache;
mod client;
mod dns;
mod download;
mod error;
mod exclude_newer;
mod find_links;
mod first_connection;
pub mod freshness;
mod lazy_wheel;
mod netrc;
mod options;
mod page;
pub mod redact;
pub mod retry;
mod simple_html;
mod simple_json;
mod transport;
mod wheel_zip;

pub use auth::{Credentials, NetrcSource};
pub use client::{IndexClient, MetadataVia, ProjectFiles, SIMPLE_ACCEPT};
pub use download::Artifact;
pub use error::IndexError;
pub use exclude_newer::{Cutoffs, ExcludeNewer, PackageCutoff};
pub use freshness::DEFAULT_HEURISTIC_FRESHNESS;
pub use lazy_wheel::TAIL_SIZE;
pub use options::{FindLinks, IndexOptions, IndexStrategy, IndexUrl, PYPI_SIMPLE, Refresh};
pub use page::{CoreMetadataFile, IndexFile, Yanked};
pub use redact::Redacted;
pub use transport::TransferStats;
