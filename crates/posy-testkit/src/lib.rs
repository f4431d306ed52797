//! Test support: real wheels, sdists and a real local package index.
//!
//! Tests of an installer are only as good as the world they run in. This
//! crate builds that world on the fly and hermetically: [`Package`]
//! describes one release in a few calls and builds real artifacts from it —
//! a wheel (PEP 427, with METADATA, WHEEL, entry points and a RECORD whose
//! hashes verify) and, if asked, an sdist (PEP 625, with PKG-INFO and a
//! `pyproject.toml` that a real backend can build). [`Index`] gathers
//! releases and serves them from a real HTTP/1.1 server on 127.0.0.1, as
//! PEP 503 HTML and PEP 691 JSON chosen by `Accept`, with PEP 658 metadata
//! files, range requests, upload times and yanks — each a switch — and with
//! [`Fault`]s on chosen paths: error statuses, resets, truncated bodies,
//! wrong hashes, slow answers. The server logs every request, so a test can
//! check what a client did as well as what it concluded. The same [`Index`]
//! can be written to a directory for `--find-links` instead.
//!
//! A test reads like its scenario:
//!
//! ```
//! use posy_testkit::{Fault, Index, Package};
//! let index = Index::new()
//!     .package(Package::new("a", "1.0"))
//!     .package(Package::new("b", "2.0").dep("a>=1"))
//!     .fault(Fault::Status(503).on("/simple/a/").times(1))
//!     .serve();
//! // ... run the client against index.url() ...
//! assert!(index.full_downloads().is_empty());
//! ```
//!
//! Versions and requirement strings are kept as written, so a test can also
//! describe broken packages on purpose; [`Artifact::raw`] serves bytes the
//! test made by hand.

mod artifact;
mod build_backend;
mod catalog;
mod conditional;
mod core_metadata;
mod digest;
mod error;
mod fault;
mod find_links;
mod http1;
mod http_date;
mod index;
mod listing;
mod negotiation;
mod package;
mod pyproject;
mod range;
mod request_log;
mod responder;
mod sdist;
mod server;
mod simple_html;
mod simple_json;
mod wheel;

pub use artifact::{Artifact, ArtifactKind};
pub use build_backend::BuildBackend;
pub use error::Error;
pub use fault::{Fault, FaultRule};
pub use find_links::FindLinks;
pub use index::Index;
pub use negotiation::Format;
pub use package::Package;
pub use request_log::LoggedRequest;
pub use server::IndexServer;
