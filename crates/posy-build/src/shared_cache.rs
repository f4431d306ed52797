//! A build cache shared by many machines through a package index server.
//!
//! A CI fleet starts every job with an empty cache, and every job builds
//! the same sdists again. The one shared place such fleets already run is
//! a package index (devpi, pypiserver, Artifactory, Nexus, a cloud
//! registry), so that is where built wheels go: before building an sdist
//! the frontend asks the index for a wheel built from the same inputs; if
//! there is one it is downloaded, checked and used, and no backend runs;
//! otherwise the wheel is built here and uploaded for the next machine.
//! The index side is a [`SharedBuildCache`], which the binary implements
//! with the index client and the uploader; this module owns what a build
//! *is*.
//!
//! # The identity of a build
//!
//! A [`BuildIdentity`] is a sha256 over everything a backend's output
//! depends on that posy can name:
//!
//! - the sdist's sha256 (not its name: a re-uploaded sdist is another build);
//! - the kind of build (a wheel; editable and directory builds are local
//!   by nature and are never shared);
//! - the build requirements of `build-system.requires`, *resolved* (exact
//!   pins, sorted), as [`BuildEnvironments::pins`](crate::BuildEnvironments::pins)
//!   gives them: `setuptools>=40.8` is a different build the day
//!   setuptools 81 comes out. What the backend's
//!   `get_requires_for_build_wheel` adds is left out: it is a function of
//!   the sdist, the pinned backend and the config settings, all of which
//!   are in the identity, and asking for it would cost a build
//!   environment, which is most of what a cache hit saves;
//! - the `config_settings` the build gets;
//! - the target: the interpreter's most specific wheel tag
//!   (`cp311-cp311-manylinux_2_39_x86_64`: implementation, version, ABI,
//!   platform and glibc), since backends build for the Python they run on.
//!   Patch releases of the interpreter are deliberately the same target.
//!
//! Builds without isolation (`--no-build-isolation`) use whatever the
//! user's environment holds, which no identity can name: they are never
//! looked up nor uploaded.
//!
//! # How the identity is carried: a build tag
//!
//! The index must be able to answer "is there a wheel with this identity"
//! from its project page alone, with no side channel and nothing but the
//! standard upload API, on every server. Three ways were weighed:
//!
//! - **a project per fingerprint** (`posy-cache-<hash>`): an upload's name
//!   must match its file's name and metadata, so the wheel would have to
//!   be rewritten, and the installed files would differ from a local build;
//! - **metadata** (a field or a file in `.dist-info`): invisible from the
//!   project page (every candidate would have to be downloaded to be
//!   judged), and again a rewritten wheel;
//! - **a build tag in the file name**: `docopt-0.6.2-0posy<hash>-py3-none-any.whl`.
//!   PEP 427 lets a wheel's name carry a build tag (it must start with a
//!   digit); every index lists the file under its real project and
//!   version, and the page says which identities exist. The wheel's bytes
//!   are exactly what the backend wrote (the tag is in the name only), so
//!   a machine that takes it installs what the machine that built it did.
//!
//! The build tag wins. It is `0posy` followed by the first 32 hex digits
//! (128 bits) of the identity: collisions are out of reach, and the name
//! stays short enough for every server. The leading `0` ranks these
//! wheels below any real build tag if the index is ever also used as an
//! ordinary one.
//!
//! # Trust
//!
//! A wheel from the cache is used only when its file name carries exactly
//! this identity's tag, the index's hash of it matches the downloaded
//! bytes (the index client verifies that), every member of the archive
//! reads back with a good CRC, and its `.dist-info` names the sdist's
//! project and version with tags this interpreter accepts. Anything else
//! is refused with a warning and the sdist is built locally. Whoever may
//! upload to the cache index can still make machines install what they
//! want: the cache index must be as trusted as the package index itself.

use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use posy_python::Interpreter;
use posy_vocab::{PackageName, Version, WheelFilename};

use crate::error::{BuildError, IoContext};
use crate::wheel_name::{wheel_filename, wheel_metadata};

/// Bumped when what goes into an identity changes.
const IDENTITY_FORMAT: &str = "posy-build-cache/1";

/// The error a [`SharedBuildCache`] returns; the frontend turns it into a
/// warning and builds locally.
pub type SharedCacheError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed future, so a shared cache can sit behind `dyn`.
pub type CacheFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store of built wheels on a package index (see the module documentation).
///
/// # Contract
///
/// - `fetch` returns a local file holding the bytes of a wheel whose file
///   name matches `identity` ([`BuildIdentity::matches`]), verified against
///   the hash the index states for it, or `None` when the index has none.
///   It decides itself what to do when the index cannot be reached (warn
///   once, then answer `None`): a shared cache never fails a build.
/// - `upload` sends `wheel` under the name `filename` (the built wheel's
///   name with the identity's build tag), and says whether it did: `false`
///   for a cache that takes no uploads (read-only) or already has the
///   file (another machine raced this one to the same build). A refusal is an error,
///   which the frontend logs as a warning and otherwise ignores.
pub trait SharedBuildCache: Send + Sync + std::fmt::Debug {
    fn fetch<'a>(
        &'a self,
        identity: &'a BuildIdentity,
    ) -> CacheFuture<'a, Result<Option<PathBuf>, SharedCacheError>>;

    fn upload<'a>(
        &'a self,
        identity: &'a BuildIdentity,
        wheel: &'a Path,
        filename: &'a str,
    ) -> CacheFuture<'a, Result<bool, SharedCacheError>>;
}

/// What a shared build is (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildIdentity {
    pub name: PackageName,
    pub version: Version,
    /// 64 hex digits.
    pub digest: String,
}

impl BuildIdentity {
    /// The identity of building the sdist with sha256 `sdist_sha256` into
    /// a wheel, with build requirements resolved to `pins`, the given
    /// `config_settings` (as JSON) and `target_tag`.
    pub fn new(
        name: PackageName,
        version: Version,
        sdist_sha256: &str,
        pins: &[String],
        config_settings: &str,
        target_tag: &str,
    ) -> BuildIdentity {
        let mut pins: Vec<&str> = pins.iter().map(String::as_str).collect();
        pins.sort_unstable();
        pins.dedup();
        let pins = pins.join("\n");
        let key = posy_store::Key::hash_of_parts([
            IDENTITY_FORMAT,
            &sdist_sha256.to_ascii_lowercase(),
            "wheel",
            &pins,
            config_settings,
            target_tag,
        ]);
        BuildIdentity {
            name,
            version,
            digest: key.as_str().to_string(),
        }
    }

    /// The build tag that carries this identity in a wheel's file name.
    pub fn build_tag(&self) -> String {
        format!("0posy{}", &self.digest[..32.min(self.digest.len())])
    }

    /// Whether a wheel named `filename` was uploaded for this identity.
    pub fn matches(&self, filename: &WheelFilename) -> bool {
        filename.name() == &self.name
            && filename.version() == &self.version
            && filename
                .build_tag()
                .is_some_and(|tag| tag.as_str() == self.build_tag())
    }

    /// The name to upload a wheel built as `built` under: the same name
    /// with this identity's build tag.
    pub fn upload_filename(&self, built: &WheelFilename) -> String {
        format!(
            "{}-{}-{}-{}.whl",
            built.name().as_dist_info_name(),
            built.version(),
            self.build_tag(),
            built.tag_set()
        )
    }
}

/// Checks a wheel from the shared cache before it is used (see "Trust"):
/// every member reads back, and its `.dist-info` is the identity's project
/// and version, with tags `python` accepts. Returns its real name.
pub(crate) fn check_cached_wheel(
    path: &Path,
    identity: &BuildIdentity,
    python: &Interpreter,
) -> Result<WheelFilename, BuildError> {
    let bad = |reason: String| BuildError::BadWheel {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).ctx("open", path)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| bad(format!("it is not a zip archive ({e})")))?;
    let mut sink = Vec::new();
    for index in 0..archive.len() {
        let mut member = archive
            .by_index(index)
            .map_err(|e| bad(format!("member {index} cannot be read ({e})")))?;
        sink.clear();
        member
            .read_to_end(&mut sink)
            .map_err(|e| bad(format!("member {index} is corrupt ({e})")))?;
    }
    let filename = wheel_filename(path)?;
    let metadata = wheel_metadata(path)?;
    if filename.name() != &identity.name
        || filename.version() != &identity.version
        || metadata.name != identity.name
        || metadata.version != identity.version
    {
        return Err(bad(format!(
            "it holds {} {}, not {} {}",
            metadata.name, metadata.version, identity.name, identity.version
        )));
    }
    if !filename.is_compatible(&python.tags()) {
        return Err(bad(format!(
            "its tags ({}) do not suit {}",
            filename.tag_set(),
            python.display_name()
        )));
    }
    Ok(filename)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(pins: &[&str], settings: &str) -> BuildIdentity {
        BuildIdentity::new(
            PackageName::new("docopt").unwrap(),
            "0.6.2".parse().unwrap(),
            &"AB".repeat(32),
            &pins.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            settings,
            "cp311-cp311-manylinux_2_39_x86_64",
        )
    }

    #[test]
    fn identity_covers_every_input_and_ignores_pin_order() {
        let base = identity(&["setuptools==80.9.0", "wheel==0.45.1"], "{}");
        assert_eq!(
            base,
            identity(&["wheel==0.45.1", "setuptools==80.9.0"], "{}")
        );
        assert_ne!(
            base,
            identity(&["setuptools==80.9.1", "wheel==0.45.1"], "{}")
        );
        assert_ne!(
            base,
            identity(&["setuptools==80.9.0", "wheel==0.45.1"], r#"{"k":"v"}"#)
        );
        let other_target = BuildIdentity::new(
            base.name.clone(),
            base.version.clone(),
            &"ab".repeat(32),
            &["setuptools==80.9.0".into(), "wheel==0.45.1".into()],
            "{}",
            "cp312-cp312-manylinux_2_39_x86_64",
        );
        assert_ne!(base.digest, other_target.digest);
    }

    #[test]
    fn the_build_tag_names_one_identity() {
        let id = identity(&["setuptools==80.9.0"], "{}");
        let built: WheelFilename = "docopt-0.6.2-py2.py3-none-any.whl".parse().unwrap();
        let name = id.upload_filename(&built);
        assert_eq!(
            name,
            format!("docopt-0.6.2-{}-py2.py3-none-any.whl", id.build_tag())
        );
        let parsed: WheelFilename = name.parse().unwrap();
        assert!(id.matches(&parsed));
        assert!(
            !id.matches(&built),
            "an untagged wheel is not a cached build"
        );
        let other = identity(&["setuptools==80.9.1"], "{}");
        assert!(
            !other.matches(&parsed),
            "another identity's wheel is never used"
        );
        let other_version: WheelFilename =
            format!("docopt-0.6.3-{}-py3-none-any.whl", id.build_tag())
                .parse()
                .unwrap();
        assert!(!id.matches(&other_version));
    }
}
