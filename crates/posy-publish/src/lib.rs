//! posy's uploader: wheels and sdists to a package index.
//!
//! Every index server people run accepts the same upload API, PyPI's
//! "legacy" one (PyPI, TestPyPI, devpi, pypiserver, Artifactory, Nexus,
//! the cloud artifact registries): one `multipart/form-data` POST per
//! file, carrying the core metadata and the file's digests ([`form`]).
//! This crate reads a distribution ([`DistFile`]: its kind, its metadata
//! from inside the archive, its sha256 and blake2b-256) and sends it
//! ([`Publisher`]), skipping files an index already has with the same
//! content when a check index is given (so a retried CI job is harmless).
//! Credentials are HTTP Basic and never shown: errors name the file, the
//! upload URL without userinfo, the status and the server's own message.
//!
//! It sits beside `posy-index` (whose credential types, redaction and
//! page client it reuses): `posy publish` uses it for files a person
//! built, and the shared build cache uses it to upload the wheels it
//! builds.
//!
//! ```no_run
//! # async fn demo() -> Result<(), posy_publish::PublishError> {
//! use posy_publish::{DistFile, PublishOptions, Publisher};
//! let url = "https://upload.pypi.org/legacy/".parse().unwrap();
//! let publisher = Publisher::new(PublishOptions::new(url))?;
//! let dist = DistFile::read("dist/demo-1.0-py3-none-any.whl".as_ref())?;
//! publisher.upload(&dist).await?;
//! # Ok(()) }
//! ```

mod dist;
mod error;
pub mod form;
mod upload;

pub use dist::{DistFile, DistKind};
pub use error::PublishError;
pub use upload::{Outcome, PublishOptions, Publisher};

/// Where `posy publish` uploads when told nothing else.
pub const PYPI_UPLOAD: &str = "https://upload.pypi.org/legacy/";
