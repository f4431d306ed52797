//! What an index says about one project: its files and their attributes.
//!
//! Both forms of the Simple API (PEP 503 HTML and PEP 691 JSON) and
//! find-links pages are parsed into these types, so everything above this
//! module sees one shape. The attributes are the union of the standards:
//! hashes (PEP 503 fragments or PEP 691 maps), `requires-python` (PEP 345
//! syntax, kept as text: the specifier parser lives in `posy-vocab` and
//! reading it is the resolver's business), yanked with an optional reason
//! (PEP 592), core-metadata availability with optional hashes (PEP 658,
//! renamed by PEP 714), and PEP 700's `size` and `upload-time`.
//!
//! The filename stays a string here: a page may list files this client
//! cannot parse (eggs, `.exe` installers, misnamed uploads), and dropping or
//! erroring on them is a policy decision for the caller.

use std::sync::Arc;

use jiff::Timestamp;
use posy_vocab::{ArtifactHash, DistFilename, HashAlgorithm, PackageName, SdistFilename, Version};
use url::Url;

/// One downloadable file of a project, as listed by an index or find-links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// The file name as the index spells it (`numpy-2.0.0-cp312-…whl`).
    pub filename: String,
    /// The file name parsed as a wheel or sdist of the project, set by the
    /// client; `None` for files posy does not install (eggs, `.exe`s) and
    /// for names that are malformed or belong to another project.
    pub dist: Option<DistFilename>,
    /// Where to download it: absolute, with any hash fragment removed.
    pub url: Url,
    /// Hashes the index promises for the file's bytes.
    pub hashes: Vec<ArtifactHash>,
    /// The `Requires-Python` specifier text, HTML-unescaped, if given.
    pub requires_python: Option<String>,
    /// Set when the file is yanked (PEP 592).
    pub yanked: Option<Yanked>,
    /// Whether a PEP 658 `.metadata` file is served beside the file.
    pub core_metadata: CoreMetadataFile,
    /// Size in bytes (PEP 700), if the index says.
    pub size: Option<u64>,
    /// When the file was uploaded (PEP 700), if the index says.
    pub upload_time: Option<Timestamp>,
    /// The index or find-links source that listed it (set by the client;
    /// may carry credentials, so show it through [`crate::Redacted`]);
    /// shared by every file of the listing.
    pub origin: Option<Arc<Url>>,
}

impl IndexFile {
    /// A file with only a name and a URL; the parsers fill in the rest.
    pub fn new(filename: impl Into<String>, url: Url) -> Self {
        Self {
            filename: filename.into(),
            dist: None,
            url,
            hashes: Vec::new(),
            requires_python: None,
            yanked: None,
            core_metadata: CoreMetadataFile::Absent,
            size: None,
            upload_time: None,
            origin: None,
        }
    }

    /// The sha256 the index promises, if any.
    pub fn sha256(&self) -> Option<&ArtifactHash> {
        self.hashes
            .iter()
            .find(|h| h.algorithm() == HashAlgorithm::Sha256)
    }

    /// Parses [`Self::filename`] as a file of `project` into [`Self::dist`];
    /// a name that does not parse leaves it `None`, since one odd upload
    /// must not hide a project's other files. A `.whl` that is not a wheel
    /// name (`six-1.17.0.whl`, without tags) is worth a warning: pip and uv
    /// refuse it too, and someone may be wondering why it is not used.
    /// Other odd names (old sdists) are common and only logged at debug
    /// level.
    pub fn parse_dist(&mut self, project: &PackageName) {
        self.dist = match DistFilename::parse(&self.filename, project) {
            Ok(dist) => dist,
            Err(e) if self.is_wheel() => {
                tracing::warn!(
                    "skipping `{}`: it is not a valid wheel file name ({e})",
                    self.filename
                );
                None
            }
            Err(e) => {
                tracing::debug!("ignoring `{}`: {e}", self.filename);
                None
            }
        };
    }

    /// Whether the file is a wheel (by its extension).
    pub fn is_wheel(&self) -> bool {
        self.filename.ends_with(".whl")
    }

    /// The URL of the PEP 658 metadata file, when the index serves one.
    pub fn metadata_url(&self) -> Option<Url> {
        match self.core_metadata {
            CoreMetadataFile::Absent => None,
            CoreMetadataFile::Present { .. } => Some(metadata_file_url(&self.url)),
        }
    }
}

/// Where PEP 658 puts a file's metadata: `.metadata` appended to its path.
pub(crate) fn metadata_file_url(file_url: &Url) -> Url {
    let mut url = file_url.clone();
    url.set_path(&format!("{}.metadata", file_url.path()));
    url
}

/// Why a file was yanked (PEP 592); the reason is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Yanked {
    pub reason: Option<String>,
}

/// Whether a file's core metadata is served on its own (PEP 658/714).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreMetadataFile {
    /// No `.metadata` file is advertised.
    Absent,
    /// A `.metadata` file is served at the file URL plus `.metadata`; the
    /// hashes, when given, are of that metadata file.
    Present { hashes: Vec<ArtifactHash> },
}

/// Picks the hash from a URL fragment such as `#sha256=abcd`, leaving the
/// URL without its fragment. Unknown or malformed fragments are dropped:
/// `#egg=` and `#md5=` typos must not make a file unusable.
pub(crate) fn split_hash_fragment(url: &mut Url) -> Option<ArtifactHash> {
    let fragment = url.fragment()?.to_owned();
    url.set_fragment(None);
    let (algorithm, hex) = fragment.split_once('=')?;
    ArtifactHash::from_hex(algorithm, hex).ok()
}

/// Parses a PEP 658 attribute value: `true`, or `<algorithm>=<hex>`.
/// Anything else (including PEP 714's advice to treat garbage as absent)
/// means no metadata file.
pub(crate) fn core_metadata_from_attribute(value: &str) -> CoreMetadataFile {
    let value = value.trim();
    if value.eq_ignore_ascii_case("true") {
        return CoreMetadataFile::Present { hashes: Vec::new() };
    }
    match value.split_once('=') {
        Some((algorithm, hex)) => match ArtifactHash::from_hex(algorithm, hex) {
            Ok(hash) => CoreMetadataFile::Present { hashes: vec![hash] },
            // A present attribute with an unknown algorithm still says the
            // file exists; we just cannot check it.
            Err(_) => CoreMetadataFile::Present { hashes: Vec::new() },
        },
        None => CoreMetadataFile::Absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_hash_is_split_off() {
        let mut url = Url::parse(&format!(
            "https://f.example/a-1.0.tar.gz#sha256={}",
            "ab".repeat(32)
        ))
        .unwrap();
        let hash = split_hash_fragment(&mut url).unwrap();
        assert_eq!(hash.hex(), "ab".repeat(32));
        assert_eq!(url.as_str(), "https://f.example/a-1.0.tar.gz");
    }

    #[test]
    fn a_version_filter_keeps_equal_versions_and_what_it_cannot_read() {
        let name = PackageName::new("foo-bar").unwrap();
        let wanted = Wanted::Version(name, "2.0".parse().unwrap());
        for kept in [
            "foo_bar-2.0-py3-none-any.whl",
            "foo_bar-2.0.0-1-cp311-cp311-manylinux_2_17_x86_64.whl",
            "foo-bar-2.0.tar.gz",
            "foo_bar-2.0.0.zip",
            "odd.whl",
            "foo-bar.tar.gz",
            "something-else.exe",
        ] {
            assert!(wanted.keeps(kept), "{kept}");
        }
        for dropped in [
            "foo-bar-2.0-1.tar.gz", // 2.0-1 is 2.0.post1
            "foo_bar-2.1-py3-none-any.whl",
            "foo_bar-2.0rc1-py3-none-any.whl",
            "foo-bar-1.9.tar.gz",
        ] {
            assert!(!wanted.keeps(dropped), "{dropped}");
        }
        assert!(Wanted::All.keeps("foo_bar-2.1-py3-none-any.whl"));
    }

    #[test]
    fn bad_fragment_is_dropped() {
        let mut url = Url::parse("https://f.example/a-1.0.tar.gz#egg=a").unwrap();
        assert!(split_hash_fragment(&mut url).is_none());
        assert_eq!(url.fragment(), None);
    }

    #[test]
    fn core_metadata_attribute_forms() {
        assert_eq!(
            core_metadata_from_attribute("true"),
            CoreMetadataFile::Present { hashes: vec![] }
        );
        let hex = "0f".repeat(32);
        match core_metadata_from_attribute(&format!("sha256={hex}")) {
            CoreMetadataFile::Present { hashes } => assert_eq!(hashes[0].hex(), hex),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            core_metadata_from_attribute("false"),
            CoreMetadataFile::Absent
        );
    }

    #[test]
    fn metadata_url_appends_suffix() {
        let mut file = IndexFile::new(
            "a-1.0-py3-none-any.whl",
            Url::parse("https://f.example/p/a-1.0-py3-none-any.whl").unwrap(),
        );
        assert_eq!(file.metadata_url(), None);
        file.core_metadata = CoreMetadataFile::Present { hashes: vec![] };
        assert_eq!(
            file.metadata_url().unwrap().as_str(),
            "https://f.example/p/a-1.0-py3-none-any.whl.metadata"
        );
    }
}

/// Which files of a project page to keep. An installer with a pinned
/// version needs a handful of a page's thousands of files, and building
/// each file's URL, hashes and tags is most of a page's parsing time.
#[derive(Debug, Clone)]
pub(crate) enum Wanted {
    All,
    /// Files that may be of this version: a name that does not clearly
    /// carry another version is kept, for the full parse to judge.
    Version(PackageName, Version),
}

impl Wanted {
    pub(crate) fn keeps(&self, filename: &str) -> bool {
        let Wanted::Version(project, version) = self else {
            return true;
        };
        if let Some(stem) = filename.strip_suffix(".whl") {
            // A wheel's name and version never contain `-` (they are escaped).
            return match stem.split('-').nth(1).map(str::parse::<Version>) {
                Some(Ok(v)) => v == *version,
                _ => true,
            };
        }
        match SdistFilename::parse(filename, project) {
            Ok(sdist) => sdist.version() == version,
            Err(_) => true,
        }
    }
}
