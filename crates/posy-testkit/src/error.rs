//! What can go wrong while building artifacts or starting an index.
//!
//! A test describes its packages in code, so a mistake here is a mistake in
//! the test; every error names the package, file or path that is wrong and
//! says how to fix the description.

use std::path::PathBuf;

/// An error from describing, building, writing or serving test packages.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A package or extra name that PEP 508 does not allow.
    #[error("invalid name in the test package description: {0}")]
    Name(#[from] posy_vocab::ParseError),

    /// A version string that cannot be written into a filename.
    #[error(
        "package `{package}`: version `{version}` cannot be used in a filename \
         ({reason}); use a PEP 440 version such as `1.0` or `2.0.post1`"
    )]
    Version {
        package: String,
        version: String,
        reason: &'static str,
    },

    /// A wheel tag that is not `python-abi-platform`.
    #[error(
        "package `{package}`: tag `{tag}` is not of the form `python-abi-platform` \
         (for example `py3-none-any` or `cp311-cp311-manylinux_2_17_x86_64`)"
    )]
    Tag { package: String, tag: String },

    /// A path inside an artifact that is absolute, escapes its root, or repeats.
    #[error("package `{package}`: file path `{path}` is not usable: {reason}")]
    Path {
        package: String,
        path: String,
        reason: &'static str,
    },

    /// A `.data` scheme that wheels do not have.
    #[error(
        "package `{package}`: `{scheme}` is not a wheel data scheme \
         (use purelib, platlib, headers, scripts or data)"
    )]
    DataScheme { package: String, scheme: String },

    /// A package that would produce no artifact at all.
    #[error(
        "package `{package}` {version} has neither a wheel nor an sdist; drop `.sdist_only()` or add a tag"
    )]
    NoArtifacts { package: String, version: String },

    /// A per-file setting that names no artifact of the index.
    #[error("no artifact named `{filename}` in this index (it has: {known})")]
    UnknownFile { filename: String, known: String },

    /// Two packages that build the same file name.
    #[error("two packages build the same file `{filename}`; give them different versions or tags")]
    DuplicateFile { filename: String },

    /// Writing a wheel or sdist archive failed.
    #[error("could not assemble `{filename}`: {message}")]
    Archive { filename: String, message: String },

    /// Writing to the file system failed.
    #[error("could not write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The server could not start.
    #[error("could not start the test index on 127.0.0.1: {0}")]
    Serve(std::io::Error),
}
