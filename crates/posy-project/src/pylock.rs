//! `pylock.toml`, the standard lock file of PEP 751.
//!
//! A lock file lists every distribution an installer may need, each with
//! exactly one source: a version-control checkout (`vcs`), a local
//! directory (`directory`), a single archive by URL or path (`archive`), or
//! the files an index offered for one release (`sdist` and/or `wheels`).
//! Installing from it needs no resolver: the installer keeps the packages
//! whose `marker` holds for the target environment (and the extras and
//! dependency groups asked for), and for each picks a compatible wheel or
//! builds the sdist. The file may say which environments it was made for
//! (`environments`) and which Pythons (`requires-python`); an installer must
//! refuse an environment outside them ([`Pylock::check_environment`]).
//!
//! [`Pylock`] is the model; [`Pylock::parse`] reads any 1.x file and
//! [`Pylock::to_toml`] writes one. Reading follows the specification and
//! accepts what uv (`uv pip compile -o pylock.toml`, `uv export`) and pip
//! (`pip lock`) write: inline tables or `[[packages.wheels]]` tables,
//! `upload-time` as a TOML datetime or as a string, and optional fields left
//! out (pip writes no sizes, uv no artifact names). Values are parsed once,
//! here, into posy's vocabulary types; an error names the file, the
//! package and the key. Keys this model does not know are ignored, which is
//! what PEP 751 asks of a reader meeting a newer minor `lock-version`; a
//! major version other than 1 is refused outright.
//!
//! Three parts are kept opaque, as TOML values, so that a file read and
//! written again loses nothing posy has no business interpreting: the
//! top-level `[tool]` table, each package's `[packages.tool]` table and its
//! `attestation-identities`, and any key of a `dependencies` entry beyond
//! `name` and `version` (entries only have to identify a package; the
//! spec lets a writer add whatever key does that).
//!
//! Writing is deterministic and in uv's layout, key for key: a file posy
//! rewrites after uv wrote it, or the other way round, diffs only where the
//! lock changed. That means the leading comment block first (kept verbatim
//! in [`Pylock::header`]), top-level keys in the specification's order
//! except that `created-by` comes second (as uv has it), empty lists left
//! out, one `[[packages]]` table per package with each
//! source as an inline table (`wheels` one per line), `upload-time` as a bare
//! TOML datetime, and markers with single quotes where that is possible.
//! Strings go through `toml_writer`'s basic-string escaping, never by hand.
//! The writer only emits what the reader accepts, so
//! `parse(to_toml(x)).to_toml() == to_toml(x)` for every model.
//!
//! Not done here: choosing a wheel for an environment and the
//! `default-groups` rules of an install (the installer's business), and
//! writing the file to disk (the command that builds the model knows where).

mod read;
mod write;

use std::path::{Path, PathBuf};

use posy_vocab::{
    ArtifactHash, ExtraName, GroupName, MarkerEnvironment, MarkerTree, PackageName, SpecifierSet,
    Version,
};

/// A `pylock.toml` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pylock {
    /// Where the file was read from, or will be written (for messages).
    pub path: PathBuf,
    /// The comment lines before the first key, with their `#`, joined by
    /// `\n` (uv records its command line there). Written back verbatim;
    /// a line without a leading `#` is written as a comment.
    pub header: Option<String>,
    /// `lock-version`: `1.<minor>`.
    pub lock_version: String,
    /// The environments the lock was made for; empty means any.
    pub environments: Vec<MarkerTree>,
    pub requires_python: Option<SpecifierSet>,
    /// The extras the lock can install, for markers that test `extras`.
    pub extras: Vec<ExtraName>,
    /// The dependency groups the lock can install.
    pub dependency_groups: Vec<GroupName>,
    /// The groups installed when none are asked for.
    pub default_groups: Vec<GroupName>,
    /// The tool that wrote the file, e.g. `uv`.
    pub created_by: String,
    pub packages: Vec<LockedPackage>,
    /// The top-level `[tool]` table, kept as written.
    pub tool: toml::Table,
}

/// One `[[packages]]` entry: a distribution and where to get it.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedPackage {
    pub name: PackageName,
    /// Absent for sources whose version is not fixed (directories, VCS).
    pub version: Option<Version>,
    /// When the package is installed; absent means always.
    pub marker: Option<MarkerTree>,
    pub requires_python: Option<SpecifierSet>,
    /// The other packages of this lock it depends on (informational: an
    /// installer selects by marker, not by walking these).
    pub dependencies: Vec<LockedDependency>,
    /// The index (simple API base URL) the files came from.
    pub index: Option<String>,
    pub source: PackageSource,
    /// `attestation-identities`, kept as written.
    pub attestation_identities: Vec<toml::Table>,
    /// `[packages.tool]`, kept as written.
    pub tool: toml::Table,
}

/// An entry of a package's `dependencies`: enough to find that package in
/// the lock.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedDependency {
    pub name: PackageName,
    pub version: Option<Version>,
    /// Any other keys the writer used to tell same-named packages apart.
    pub other: toml::Table,
}

/// Where a locked package comes from: exactly one of PEP 751's source keys.
#[derive(Debug, Clone, PartialEq)]
pub enum PackageSource {
    /// `sdist` and/or `wheels`: files of one release on an index.
    Registry {
        sdist: Option<LockedArtifact>,
        wheels: Vec<LockedArtifact>,
    },
    /// `archive`: one sdist or wheel by URL or path.
    Archive {
        artifact: LockedArtifact,
        /// Where the project sits inside the archive.
        subdirectory: Option<String>,
    },
    /// `directory`: a local source tree.
    Directory {
        path: String,
        /// Installed in development mode.
        editable: bool,
        subdirectory: Option<String>,
    },
    /// `vcs`: a checkout at a fixed commit.
    Vcs {
        /// `type`: `git`, `hg`, `svn` or `bzr`.
        kind: String,
        /// At least one of `url` and `path` is present.
        url: Option<String>,
        path: Option<String>,
        /// The branch, tag or revision the user asked for.
        requested_revision: Option<String>,
        /// The exact commit locked.
        commit_id: String,
        subdirectory: Option<String>,
    },
}

/// A file to download or read: an sdist, a wheel or an archive.
///
/// At least one of `url` and `path` is present.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedArtifact {
    /// The file name, when the writer recorded it.
    pub name: Option<String>,
    pub url: Option<String>,
    /// Relative to the lock file's directory, or absolute.
    pub path: Option<String>,
    /// RFC 3339, e.g. `2024-08-06T14:37:38Z` (a TOML datetime in the file).
    pub upload_time: Option<String>,
    pub size: Option<u64>,
    /// Every hash recorded. PEP 751 requires at least one; an installer
    /// should refuse to trust an artifact without a hash it can check.
    pub hashes: Vec<ArtifactHash>,
}

/// Why a `pylock.toml` could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum PylockError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid TOML: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    #[error(
        "{} has lock-version {version}, but posy reads only lock-version 1.x; \
         re-create the lock with a tool that writes 1.x, or upgrade posy",
        path.display()
    )]
    UnsupportedVersion { path: PathBuf, version: String },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{} is for Python {requires_python}, but the interpreter is Python {python}; \
         use a matching interpreter or re-create the lock",
        path.display()
    )]
    PythonMismatch {
        path: PathBuf,
        requires_python: SpecifierSet,
        python: Version,
    },
    #[error(
        "{} was locked for other environments ({}); \
         re-create the lock with this environment included",
        path.display(),
        list_markers(environments)
    )]
    EnvironmentMismatch {
        path: PathBuf,
        environments: Vec<MarkerTree>,
    },
}

fn list_markers(markers: &[MarkerTree]) -> String {
    let quoted: Vec<String> = markers.iter().map(|m| format!("`{m}`")).collect();
    quoted.join(", ")
}

impl Pylock {
    /// Reads and checks the lock file at `path`.
    pub fn read(path: &Path) -> Result<Self, PylockError> {
        let text = std::fs::read_to_string(path).map_err(|source| PylockError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a lock file found at `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, PylockError> {
        read::parse(text, path)
    }

    /// The file's text, in uv's layout (see the module documentation).
    pub fn to_toml(&self) -> String {
        write::to_toml(self)
    }

    /// Checks that the lock may be installed into `env`, whose interpreter is
    /// `python`: PEP 751 has an installer refuse a Python outside
    /// `requires-python` and an environment no `environments` marker matches.
    pub fn check_environment(
        &self,
        env: &MarkerEnvironment,
        python: &Version,
    ) -> Result<(), PylockError> {
        if let Some(requires_python) = &self.requires_python
            && !requires_python.contains(python)
        {
            return Err(PylockError::PythonMismatch {
                path: self.path.clone(),
                requires_python: requires_python.clone(),
                python: python.clone(),
            });
        }
        if !self.environments.is_empty() && !self.environments.iter().any(|m| m.evaluate(env, &[]))
        {
            return Err(PylockError::EnvironmentMismatch {
                path: self.path.clone(),
                environments: self.environments.clone(),
            });
        }
        Ok(())
    }
}

impl LockedPackage {
    /// Whether the package is to be installed into `env` with these extras
    /// and dependency groups selected (PEP 751 markers may test `extras` and
    /// `dependency_groups`). A package without a marker always is.
    pub fn applies(
        &self,
        env: &MarkerEnvironment,
        extras: &[ExtraName],
        groups: &[GroupName],
    ) -> bool {
        self.marker
            .as_ref()
            .is_none_or(|m| m.evaluate_with_groups(env, extras, groups))
    }
}

impl LockedArtifact {
    /// The file name: `name` if recorded, else the last segment of the URL
    /// (percent-decoded, without query or fragment) or of the path.
    pub fn filename(&self) -> Option<String> {
        if let Some(name) = &self.name {
            return Some(name.clone());
        }
        if let Some(url) = &self.url {
            let end = url.find(['?', '#']).unwrap_or(url.len());
            let last = url[..end].rsplit('/').next().unwrap_or_default();
            return (!last.is_empty()).then(|| percent_decode(last));
        }
        let path = self.path.as_deref()?;
        let last = path.rsplit(['/', '\\']).next().unwrap_or_default();
        (!last.is_empty()).then(|| last.to_owned())
    }
}

/// Decodes `%XX` escapes; a malformed escape, or bytes that do not decode
/// to UTF-8, leave the text as it was.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use posy_vocab::MarkerValues;

    use super::*;

    fn linux_311() -> MarkerEnvironment {
        MarkerEnvironment::new(MarkerValues {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.7".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_system: "Linux".into(),
            python_full_version: "3.11.7".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
            ..MarkerValues::default()
        })
    }

    fn lock(text: &str) -> Pylock {
        Pylock::parse(text, Path::new("pylock.toml")).unwrap()
    }

    #[test]
    fn check_environment_follows_requires_python_and_environments() {
        let env = linux_311();
        let python: Version = "3.11.7".parse().unwrap();
        let ok = lock(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n\
             requires-python = \">=3.11\"\n\
             environments = [\"sys_platform == 'win32'\", \"sys_platform == 'linux'\"]\n",
        );
        ok.check_environment(&env, &python).unwrap();

        let old = lock(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n\
             requires-python = \">=3.12\"\n",
        );
        let e = old
            .check_environment(&env, &python)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pylock.toml is for Python >=3.12"), "{e}");
        assert!(e.contains("3.11.7"), "{e}");

        let windows = lock(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n\
             environments = [\"sys_platform == 'win32'\"]\n",
        );
        let e = windows
            .check_environment(&env, &python)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("pylock.toml was locked for other environments"),
            "{e}"
        );
        assert!(e.contains("`sys_platform == \"win32\"`"), "{e}");
    }

    #[test]
    fn applies_evaluates_markers_with_extras_and_groups() {
        let env = linux_311();
        let text = "lock-version = \"1.0\"\ncreated-by = \"t\"\n\
            [[packages]]\nname = \"a\"\ndirectory = { path = \"a\" }\n\
            [[packages]]\nname = \"b\"\nmarker = \"'dev' in dependency_groups\"\n\
            directory = { path = \"b\" }\n\
            [[packages]]\nname = \"c\"\nmarker = \"'fast' in extras and sys_platform == 'linux'\"\n\
            directory = { path = \"c\" }\n";
        let lock = lock(text);
        let [a, b, c] = &lock.packages[..] else {
            panic!("three packages")
        };
        let fast = [ExtraName::new("fast").unwrap()];
        let dev = [GroupName::new("dev").unwrap()];
        assert!(a.applies(&env, &[], &[]));
        assert!(!b.applies(&env, &[], &[]));
        assert!(b.applies(&env, &[], &dev));
        assert!(!c.applies(&env, &[], &dev));
        assert!(c.applies(&env, &fast, &[]));
    }

    #[test]
    fn filename_prefers_name_then_url_then_path() {
        let artifact = |name: Option<&str>, url: Option<&str>, path: Option<&str>| LockedArtifact {
            name: name.map(str::to_owned),
            url: url.map(str::to_owned),
            path: path.map(str::to_owned),
            upload_time: None,
            size: None,
            hashes: Vec::new(),
        };
        let url = "https://x.test/p/a%2Bb-1.0-py3-none-any.whl?x=1#sha256=00";
        assert_eq!(
            artifact(Some("n.whl"), Some(url), None)
                .filename()
                .as_deref(),
            Some("n.whl")
        );
        assert_eq!(
            artifact(None, Some(url), None).filename().as_deref(),
            Some("a+b-1.0-py3-none-any.whl")
        );
        assert_eq!(
            artifact(None, None, Some("dist\\b-2.0.tar.gz"))
                .filename()
                .as_deref(),
            Some("b-2.0.tar.gz")
        );
        assert_eq!(
            artifact(None, Some("https://x.test/"), None).filename(),
            None
        );
    }

    #[test]
    fn percent_decoding_leaves_bad_escapes() {
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
        assert_eq!(percent_decode("%ff%fe"), "%ff%fe");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
