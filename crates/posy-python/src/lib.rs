//! Python interpreters: find them, learn what they are, make
//! virtual environments from them.
//!
//! - [`PythonRequest`] is what `--python` means (`3.12`, `>=3.10`,
//!   `cpython3.11`, `cp311`, `pypy3.10`, a path, `python3.11`).
//! - [`find_interpreter`] searches, in order: the active virtual environment
//!   (`VIRTUAL_ENV`), `.venv` in the working directory or a parent, managed
//!   interpreters ([`managed`]), every directory on `PATH`,
//!   and pyenv's installed versions; it explains every rejected candidate
//!   when nothing fits.
//! - [`Interpreter`] is a probed interpreter: markers, tags, install paths,
//!   version, venv-ness. Probing runs the interpreter once with an embedded
//!   script; the answer is cached by path and file identity so the next run
//!   spawns nothing ([`ProbeCache`]).
//! - [`create_venv`] writes a PEP 405 virtual environment directly (no
//!   `python -m venv`): `pyvenv.cfg`, interpreter links, `site-packages` and
//!   activation scripts for bash/zsh, fish, csh, nushell and PowerShell.
//!
//! ```no_run
//! use posy_python::{DiscoveryEnv, ProbeCache, PythonRequest, find_interpreter};
//!
//! let request: PythonRequest = "3.12".parse()?;
//! let cache = ProbeCache::new("/home/me/.cache/posy".as_ref());
//! let python = find_interpreter(&request, &DiscoveryEnv::from_process()?, &cache)?;
//! println!("{} at {}", python.display_name(), python.executable().display());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod activation;
pub mod discovery;
pub mod facts;
mod interpreter;
pub mod managed;
pub mod probe;
pub mod probe_cache;
mod pyenv;
mod python_version;
mod request;
mod tag_facts;
mod venv;

pub use discovery::{
    DiscoveryEnv, DiscoveryError, PythonPreference, find_interpreter, system_interpreters,
};
pub use interpreter::{Implementation, Interpreter};
pub use probe::ProbeError;
pub use probe_cache::ProbeCache;
pub use pyenv::python_version_file;
pub use python_version::PythonVersion;
pub use request::{PythonRequest, RequestParseError};
pub use venv::{OnExisting, VenvError, VenvOptions, VenvReport, create_venv};
