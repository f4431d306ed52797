//! posy's build frontend (PEP 517, 518, 660, 643): sdists and local
//! projects in, wheels and core metadata out.
//!
//! - [`BuildFrontend`] is the entry point: [`build`](BuildFrontend::build)
//!   gives a wheel for a [`BuildSource`] (an sdist archive, a directory, or a
//!   directory in editable mode), cached in the store's `built/` bucket;
//!   [`metadata`](BuildFrontend::metadata) gives the core metadata a resolver
//!   needs, without a build when the sdist's `PKG-INFO` is static (PEP 643)
//!   or a project's `pyproject.toml` states it (PEP 621).
//! - [`BuildEnvironments`] is how the frontend gets "a Python with these
//!   build requirements": the binary implements it with posy's resolver and
//!   installer, so this crate depends on neither.
//! - Hooks run through a small embedded Python shim in a subprocess with a
//!   controlled environment, answering through a file; a failure shows the
//!   tail of the backend's output ([`BuildError::HookFailed`]).
//! - [`BuildOptions::reporter`] takes a [`BuildReporter`], told when each
//!   build starts and ends (with a [`BuildLabel`] such as `docopt==0.6.2`),
//!   for progress lines.
//! - [`BuildOptions::shared_cache`] takes a [`SharedBuildCache`]: a package
//!   index that machines share built wheels through, each named by its
//!   [`BuildIdentity`] (see the `shared_cache` module for why a build tag
//!   carries it).
//! - [`unpack_sdist`] extracts archives refusing anything that could write
//!   outside the target; [`BuildSystem`] reads `[build-system]`;
//!   [`fingerprint_tree`] decides when a local project must be rebuilt.
//!
//! ```no_run
//! use posy_build::{BuildEnv, BuildEnvironments, BuildFrontend, BuildLabel, BuildOptions, BuildSource, EnvironmentError};
//! use posy_python::Interpreter;
//! use posy_vocab::Requirement;
//!
//! struct Envs;
//! impl BuildEnvironments for Envs {
//!     async fn environment(&self, python: &Interpreter, requires: &[Requirement], building: &BuildLabel)
//!         -> Result<BuildEnv, EnvironmentError> {
//!         // Resolve `requires` for `python`, install into a cached venv...
//!         Ok(BuildEnv::from_python("/cache/envs/abc/bin/python"))
//!     }
//!     async fn pins(&self, python: &Interpreter, requires: &[Requirement])
//!         -> Result<Vec<String>, EnvironmentError> {
//!         // Resolve `requires` for `python`, without installing...
//!         Ok(vec!["setuptools==80.9.0".into()])
//!     }
//! }
//!
//! # async fn demo(store: posy_store::Store, python: Interpreter) -> Result<(), posy_build::BuildError> {
//! let frontend = BuildFrontend::new(store, Envs, python, BuildOptions::default());
//! let wheel = frontend.build(&BuildSource::sdist("dist/pkg-1.0.tar.gz")).await?;
//! println!("{} at {}", wheel.filename, wheel.path.display());
//! # Ok(()) }
//! ```

mod archive;
mod build_system;
mod config_settings;
mod environment;
mod error;
mod fingerprint;
mod frontend;
mod hook;
mod pyproject_metadata;
mod reporter;
mod shared_cache;
mod source;
mod wheel_name;

pub use archive::{read_pkg_info, unpack_sdist};
pub use build_system::{BuildSystem, LEGACY_BACKEND, LEGACY_REQUIRES};
pub use config_settings::{ConfigSettingError, ConfigSettings};
pub use environment::{BuildEnv, BuildEnvironments, EnvironmentError};
pub use error::BuildError;
pub use fingerprint::fingerprint_tree;
pub use frontend::{
    BuildFrontend, BuildOptions, BuiltWheel, Isolation, MetadataOrigin, SourceMetadata,
};
pub use hook::{Hook, TAIL_LINES};
pub use pyproject_metadata::pyproject_metadata;
pub use reporter::{BuildLabel, BuildReporter, BuildStage, SharedCacheEvent};
pub use shared_cache::{BuildIdentity, CacheFuture, SharedBuildCache, SharedCacheError};
pub use source::BuildSource;
pub use wheel_name::{wheel_filename, wheel_metadata};
