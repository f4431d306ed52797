//! The questions the resolver asks about packages, as a trait.
//!
//! The resolver never talks to an index, a cache or a build backend itself:
//! it asks a [`MetadataProvider`] two things, and the crates below it
//! (`posy-index` for the Simple API and PEP 658 metadata, `posy-build` for
//! sdists) answer together where the binary wires them up. This keeps the
//! dependency arrows pointing down (see ARCHITECTURE.md).
//!
//! 1. [`MetadataProvider::versions`]: every file the index lists for a
//!    project, as [`DistFile`]s grouped into a [`PackageVersions`]. This is
//!    one Simple API page, with each file name parsed
//!    ([`DistFile::from_filename`]) and its `data-requires-python` and
//!    `data-yanked` attributes attached. The provider applies
//!    `--exclude-newer` here, by leaving out files uploaded after the
//!    cutoff, and merges indexes as its index strategy says. The resolver
//!    does the rest: it groups files by version, checks wheel tags against
//!    the target, checks `Requires-Python`, and skips yanked files.
//! 2. [`MetadataProvider::metadata`]: the core metadata of one version, for
//!    the file the resolver chose for the target (the best wheel, or else
//!    the sdist). From a PEP 658 `.metadata` file, a range request into the
//!    wheel, or a build. A provider that cannot build yet answers
//!    [`ProviderError::SdistOnly`] for an sdist without static metadata;
//!    the resolver then treats that version as unusable and says why.
//!
//! Both are `async`: the resolver calls them from one task on the caller's
//! runtime, many at a time, and never twice with the same arguments in one
//! run (see `fetcher.rs`), so a provider needs no cache of its own for a
//! single resolution (an HTTP cache across runs is still its business).
//! The futures need not be `Send`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use posy_vocab::{
    ArtifactHash, CoreMetadata, DistFilename, ExtraName, PackageName, ParseError, Requirement,
    SpecifierSet, TagSet, Version,
};

/// Answers the resolver's questions about packages. See the module docs.
pub trait MetadataProvider {
    /// Every file the index offers for `name` (after `--exclude-newer`).
    /// A project the index does not know is [`ProviderError::NotFound`].
    fn versions(
        &self,
        name: &PackageName,
    ) -> impl Future<Output = Result<PackageVersions, ProviderError>>;

    /// The core metadata of `name` `version`, read from (or built from)
    /// `file`, which is one of the files [`Self::versions`] returned for it.
    fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> impl Future<Output = Result<DistMetadata, ProviderError>>;
}

/// What kind of distribution a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistKind {
    /// A wheel, with the tags from its file name.
    Wheel(TagSet),
    /// A source distribution (`.tar.gz`, or a legacy `.zip`).
    Sdist,
}

/// PEP 592: a yanked file, with the index's reason if it gave one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Yanked {
    pub reason: Option<String>,
}

/// One file of one version, as an index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile {
    /// The file name as listed.
    pub filename: String,
    /// The version the file name says.
    pub version: Version,
    /// Wheel (with tags) or sdist.
    pub kind: DistKind,
    /// Where to download it (no hash fragment).
    pub url: String,
    /// The hashes the index gives for it (for `--generate-hashes`).
    pub hashes: Vec<ArtifactHash>,
    /// `data-requires-python`, if the index gives one; shared, since every
    /// file of a release usually says the same.
    pub requires_python: Option<Arc<SpecifierSet>>,
    /// `data-yanked`, if the file is yanked.
    pub yanked: Option<Yanked>,
    /// Size in bytes, if known (PEP 700).
    pub size: Option<u64>,
    /// When it was uploaded, in milliseconds since the Unix epoch (PEP 700), if known.
    pub upload_time: Option<i64>,
    /// The index that lists it (its base URL, shared by every file of the
    /// page), for a lock's `index` key.
    pub index: Option<Arc<str>>,
    /// Whether the index serves the file's core metadata on its own
    /// (PEP 658/714), so the provider can read it without the file.
    pub metadata_file: MetadataFile,
}

/// PEP 658/714: the core metadata of a file, served beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MetadataFile {
    /// Not advertised.
    #[default]
    Absent,
    /// Advertised, with the metadata file's sha256 if the index gave it.
    Present(Option<ArtifactHash>),
}

impl DistFile {
    /// A file from `package`'s index listing, by its name: `Ok(None)` for a
    /// kind of file posy does not install (eggs, `.exe` installers), `Err`
    /// for a wheel or sdist name that is malformed or names another
    /// project (callers usually skip those with a warning).
    pub fn from_filename(
        package: &PackageName,
        filename: &str,
        url: impl Into<String>,
    ) -> Result<Option<Self>, ParseError> {
        Ok(DistFilename::parse(filename, package)?
            .map(|parsed| Self::from_parsed(filename, parsed, url)))
    }

    /// A file whose name the caller has parsed already.
    pub fn from_parsed(
        filename: impl Into<String>,
        parsed: DistFilename,
        url: impl Into<String>,
    ) -> Self {
        match parsed {
            DistFilename::Wheel(wheel) => {
                let version = wheel.version().clone();
                Self::wheel(filename, version, wheel.tag_set().clone(), url)
            }
            DistFilename::Sdist(sdist) => Self::sdist(filename, sdist.version().clone(), url),
        }
    }

    /// A wheel of `version` with the given tags.
    pub fn wheel(
        filename: impl Into<String>,
        version: Version,
        tags: TagSet,
        url: impl Into<String>,
    ) -> Self {
        Self::new(filename.into(), version, DistKind::Wheel(tags), url.into())
    }

    /// A source distribution of `version`.
    pub fn sdist(filename: impl Into<String>, version: Version, url: impl Into<String>) -> Self {
        Self::new(filename.into(), version, DistKind::Sdist, url.into())
    }

    fn new(filename: String, version: Version, kind: DistKind, url: String) -> Self {
        Self {
            filename,
            version,
            kind,
            url,
            hashes: Vec::new(),
            requires_python: None,
            yanked: None,
            size: None,
            upload_time: None,
            index: None,
            metadata_file: MetadataFile::Absent,
        }
    }

    /// Sets `requires_python` from an index's `data-requires-python` text,
    /// read by [`index_requires_python`].
    pub fn with_requires_python_text(mut self, text: &str) -> Self {
        self.requires_python = index_requires_python(text, &self.filename).map(Arc::new);
        self
    }

    /// Whether the file is a wheel.
    pub fn is_wheel(&self) -> bool {
        matches!(self.kind, DistKind::Wheel(_))
    }
}

/// Reads an index's `data-requires-python` text for the files of `whose`
/// (a project or a file name, for the log). The well-known mistakes
/// (`>=3.6.*`) are forgiven, as for the metadata itself; other text is
/// ignored, as pip does, since a typo on the index must not hide the file.
/// Both are said at debug level only: the index repeats a value for every
/// file of a release, most of which the resolver never picks, and the
/// metadata of the version it does pick warns about the same mistake.
pub fn index_requires_python(text: &str, whose: &dyn fmt::Display) -> Option<SpecifierSet> {
    match SpecifierSet::parse_lenient(text.trim()) {
        Ok((specifiers, None)) => Some(specifiers),
        Ok((specifiers, Some(read_as))) => {
            tracing::debug!("reading Requires-Python `{text}` of {whose} as `{read_as}`");
            Some(specifiers)
        }
        Err(err) => {
            tracing::debug!("ignoring Requires-Python `{text}` of {whose}: {err}");
            None
        }
    }
}

/// Every file an index offers for one project, sorted by version.
///
/// The files are shared (`Arc`), not copied, by everything that reads them
/// in a run: the fetch side, each solver's version map, the speculative
/// prefetcher. A large project lists thousands of files, and a resolution
/// touches a hundred projects, so one copy is all a run can afford.
///
/// Files the user's options ruled out (`--only-binary`, `--no-binary`) are
/// not among them, since nothing may install them; the provider names each
/// one's version and why ([`PackageVersions::with_excluded`]), so that a
/// failed resolution can say "a has only source distributions, and
/// `--only-binary` excludes them" rather than "there are no versions of a".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageVersions {
    files: Arc<[DistFile]>,
    excluded: Arc<[(Version, Exclusion)]>,
}

/// Why the user's options left a file out of a [`PackageVersions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// A source distribution, ruled out by `--only-binary` (or `--no-build`).
    OnlyBinary,
    /// A wheel, ruled out by `--no-binary`.
    NoBinary,
}

impl PackageVersions {
    /// The files, in any order; they are sorted by version, stably, so the
    /// files of one version keep the index's order (which breaks ties
    /// between equally good files the way the index lists them).
    pub fn new(files: impl IntoIterator<Item = DistFile>) -> Self {
        let mut files: Vec<DistFile> = files.into_iter().collect();
        files.sort_by(|a, b| a.version.cmp(&b.version));
        Self {
            files: files.into(),
            excluded: Arc::new([]),
        }
    }

    /// The same files, with the versions and kinds of the files the user's
    /// options ruled out (see the type's documentation).
    pub fn with_excluded(
        mut self,
        excluded: impl IntoIterator<Item = (Version, Exclusion)>,
    ) -> Self {
        let mut excluded: Vec<(Version, Exclusion)> = excluded.into_iter().collect();
        excluded.sort();
        excluded.dedup();
        self.excluded = excluded.into();
        self
    }

    /// What [`Self::with_excluded`] recorded, sorted, each pair once.
    pub fn excluded(&self) -> &[(Version, Exclusion)] {
        &self.excluded
    }

    /// Every file, ascending by version.
    pub fn files(&self) -> &[DistFile] {
        &self.files
    }

    /// The shared list itself, for holders that outlive a borrow.
    pub(crate) fn shared(&self) -> Arc<[DistFile]> {
        Arc::clone(&self.files)
    }
}

/// The parts of a version's core metadata the resolver reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistMetadata {
    /// `Requires-Dist`, in file order.
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python`, if present.
    pub requires_python: Option<SpecifierSet>,
    /// `Provides-Extra`, normalized.
    pub provides_extra: Vec<ExtraName>,
}

/// Warns about each value the metadata had to read leniently
/// ([`CoreMetadata::fixups`]), naming the distribution. The resolver asks
/// for a version's metadata once per run, so each warning is said once.
impl From<CoreMetadata> for DistMetadata {
    fn from(metadata: CoreMetadata) -> Self {
        for fixup in &metadata.fixups {
            tracing::warn!("{} {} {fixup}", metadata.name, metadata.version);
        }
        Self {
            requires_dist: metadata.requires_dist,
            requires_python: metadata.requires_python,
            provides_extra: metadata.provides_extra,
        }
    }
}

/// Why a provider could not answer.
///
/// [`ProviderError::NotFound`], [`ProviderError::SdistOnly`] and
/// [`ProviderError::InvalidMetadata`] are facts about a package or a
/// version: the resolver records them and tries other versions, and the
/// conflict report names them. [`ProviderError::BuildFailed`] and
/// [`ProviderError::Other`] (network, disk, an index that is down) stop the
/// resolution: a build that fails says more about the machine (a missing
/// compiler, a broken toolchain) than about the release, and falling back
/// to an older version would quietly pin it — possibly one with known
/// vulnerabilities — where pip and uv stop with the backend's error.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The index has no project by that name.
    #[error("not found in the package index")]
    NotFound,
    /// The version has only a source distribution and building it (to read
    /// its metadata) is not supported yet.
    #[error("has only a source distribution, and building from source is not supported yet")]
    SdistOnly,
    /// Building the source distribution to read its metadata failed.
    #[error("could not be built: {0}")]
    BuildFailed(String),
    /// The metadata could not be read or parsed.
    #[error("has invalid metadata: {0}")]
    InvalidMetadata(String),
    /// The provider failed; resolution cannot go on.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl ProviderError {
    /// Whether the error is about the package (resolution goes on without
    /// it) rather than about the provider or the machine (resolution stops).
    pub(crate) fn is_fact(&self) -> bool {
        !matches!(self, Self::Other(_) | Self::BuildFailed(_))
    }
}

impl From<ParseError> for ProviderError {
    fn from(err: ParseError) -> Self {
        Self::InvalidMetadata(err.to_string())
    }
}

impl fmt::Display for DistKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wheel(tags) => write!(f, "wheel ({tags})"),
            Self::Sdist => f.write_str("source distribution"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_requires_python_forgives_known_mistakes_and_ignores_the_rest() {
        let read = |text: &str| index_requires_python(text, &"pyhiveapi").map(|s| s.to_string());
        assert_eq!(read(" >=3.6 ").as_deref(), Some(">=3.6"));
        assert_eq!(read(">=3.6.*").as_deref(), Some(">=3.6"));
        assert_eq!(read(">=2.7,!=3.0*").as_deref(), Some(">=2.7, !=3.0.*"));
        assert_eq!(read("3.6"), None);
    }
}
