//! What a build is of, and how the frontend tells the outside about it.
//!
//! Two audiences want to know which package a build is for: a person
//! watching (one progress line per build, `Building docopt==0.6.2` then
//! `Built docopt==0.6.2`, as uv prints them) and the provider of build
//! environments (to name a cycle when building `x` needs `x` itself built
//! first). Both get a [`BuildLabel`].
//!
//! The label is read from the unpacked tree, not from the source's path:
//! an sdist from an index sits in the store under its hash, so its file
//! name says nothing. Every sdist carries a `PKG-INFO` (core metadata,
//! whose `Name` and `Version` are never dynamic); a project directory
//! names itself in `pyproject.toml`'s `[project]` table when its name is
//! static, and is otherwise known by its directory's name.
//!
//! [`BuildReporter`] is called once when a build (a metadata hook or a
//! wheel build) starts doing work and once when it ends, successfully or
//! not; cache hits report nothing. It is called from several builds at
//! once and must be cheap: it runs on the async threads.

use std::fmt;
use std::path::{Path, PathBuf};

use posy_vocab::{PackageName, SdistFilename, Version};

use crate::source::BuildSource;

/// Which package a build is for, for progress lines and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildLabel {
    /// The project's normalized name, when the source states it.
    pub name: Option<PackageName>,
    /// Its version, when the source states it statically.
    pub version: Option<Version>,
    /// For a local project directory, its absolute path.
    pub directory: Option<PathBuf>,
    /// What to call it when there is no name: the source's file name.
    pub fallback: String,
}

impl BuildLabel {
    /// The label of `source`, whose unpacked or checked tree is `tree`.
    /// Reads at most two small files; never fails (an unreadable name
    /// falls back to the file name).
    pub fn read(source: &BuildSource, tree: &Path) -> BuildLabel {
        let fallback = source.display_name();
        match source {
            BuildSource::Sdist { path, .. } => {
                let from_pkg_info = std::fs::read(tree.join("PKG-INFO"))
                    .ok()
                    .and_then(|bytes| name_and_version(&bytes));
                let from_filename = || {
                    let name = path.file_name()?.to_str()?;
                    let parsed: SdistFilename = name.parse().ok()?;
                    Some((parsed.name().clone(), parsed.version().clone()))
                };
                let (name, version) = from_pkg_info
                    .or_else(from_filename)
                    .map_or((None, None), |(n, v)| (Some(n), Some(v)));
                BuildLabel {
                    name,
                    version,
                    directory: None,
                    fallback,
                }
            }
            BuildSource::Directory { .. } | BuildSource::Editable { .. } => {
                let (name, version) = std::fs::read_to_string(tree.join("pyproject.toml"))
                    .ok()
                    .map_or((None, None), |text| project_name_and_version(&text));
                BuildLabel {
                    name,
                    version,
                    directory: Some(tree.to_path_buf()),
                    fallback,
                }
            }
        }
    }
}

impl fmt::Display for BuildLabel {
    /// `name==version` for an sdist, `name @ file:///path` for a named
    /// local project (as uv writes them), else the source's file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.version, &self.directory) {
            (Some(name), _, Some(dir)) => write!(f, "{name} @ file://{}", dir.display()),
            (Some(name), Some(version), None) => write!(f, "{name}=={version}"),
            (Some(name), None, None) => write!(f, "{name}"),
            (None, _, _) => f.write_str(&self.fallback),
        }
    }
}

/// What a reported build produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStage {
    /// Core metadata, through `prepare_metadata_for_build_*` (or a full
    /// build when the backend has no such hook).
    Metadata,
    /// A wheel (`build_wheel`).
    Wheel,
    /// An editable wheel (`build_editable`).
    Editable,
}

/// Receives a line's worth of news per build. See the module documentation.
pub trait BuildReporter: Send + Sync + fmt::Debug {
    /// A build of `label` starts; the returned number is handed back to
    /// [`on_build_finish`](BuildReporter::on_build_finish).
    fn on_build_start(&self, label: &BuildLabel, stage: BuildStage) -> usize;
    /// The build `id` ended; `succeeded` is false when it failed (its
    /// error reaches the caller of the frontend, not the reporter).
    fn on_build_finish(&self, id: usize, succeeded: bool);
    /// The shared build cache gave the wheel of `label` (no build ran), or
    /// took the wheel just built (see [`crate::SharedBuildCache`]).
    fn on_shared_cache(&self, label: &BuildLabel, event: SharedCacheEvent);
}

/// What the shared build cache did for a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedCacheEvent {
    /// The wheel came from the cache.
    Fetched,
    /// The wheel built here was uploaded to it.
    Uploaded,
}

/// Reports the end of a build when dropped, so that every exit path of a
/// build (an early `?` included) closes its progress line.
pub(crate) struct Reported<'a> {
    reporter: Option<&'a dyn BuildReporter>,
    id: usize,
    succeeded: bool,
}

impl<'a> Reported<'a> {
    pub(crate) fn start(
        reporter: Option<&'a dyn BuildReporter>,
        label: &BuildLabel,
        stage: BuildStage,
    ) -> Reported<'a> {
        let id = reporter.map_or(0, |r| r.on_build_start(label, stage));
        Reported {
            reporter,
            id,
            succeeded: false,
        }
    }

    /// Marks the build as successful; call just before returning its result.
    pub(crate) fn succeeded(&mut self) {
        self.succeeded = true;
    }
}

impl Drop for Reported<'_> {
    fn drop(&mut self) {
        if let Some(reporter) = self.reporter {
            reporter.on_build_finish(self.id, self.succeeded);
        }
    }
}

/// `Name` and `Version` from the header of core metadata (RFC 822 style).
/// Scans the header directly: an old or sloppy `PKG-INFO` that a strict
/// parser refuses still names its project.
pub(crate) fn name_and_version(bytes: &[u8]) -> Option<(PackageName, Version)> {
    let text = String::from_utf8_lossy(bytes);
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((field, value)) = line.split_once(':') {
            let value = value.trim();
            if field.eq_ignore_ascii_case("name") {
                name = PackageName::new(value).ok();
            } else if field.eq_ignore_ascii_case("version") {
                version = value.parse::<Version>().ok();
            }
        }
    }
    Some((name?, version?))
}

/// `[project] name` and `version` of a `pyproject.toml`, when static.
pub(crate) fn project_name_and_version(text: &str) -> (Option<PackageName>, Option<Version>) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return (None, None);
    };
    let Some(project) = doc.get("project").and_then(|p| p.as_table()) else {
        return (None, None);
    };
    let name = project
        .get("name")
        .and_then(|n| n.as_str())
        .and_then(|n| PackageName::new(n).ok());
    let version = project
        .get("version")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok());
    (name, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: Option<&str>, version: Option<&str>, directory: Option<&str>) -> BuildLabel {
        BuildLabel {
            name: name.map(|n| PackageName::new(n).unwrap()),
            version: version.map(|v| v.parse().unwrap()),
            directory: directory.map(PathBuf::from),
            fallback: "src.tar.gz".into(),
        }
    }

    #[test]
    fn labels_read_like_uv() {
        assert_eq!(
            label(Some("DocOpt"), Some("0.6.2"), None).to_string(),
            "docopt==0.6.2"
        );
        assert_eq!(
            label(Some("demo"), Some("1"), Some("/w/demo")).to_string(),
            "demo @ file:///w/demo"
        );
        assert_eq!(label(None, None, Some("/w/x")).to_string(), "src.tar.gz");
    }

    #[test]
    fn pkg_info_header_gives_name_and_version() {
        let text = b"Metadata-Version: 1.0\nName: Foo_Bar\nVersion: 1.0.post1\n\nName: not-this\n";
        let (name, version) = name_and_version(text).unwrap();
        assert_eq!(name.as_str(), "foo-bar");
        assert_eq!(version.to_string(), "1.0.post1");
        assert!(name_and_version(b"Name: x\n").is_none());
        assert!(name_and_version(b"Name: \xff bad\nVersion: 1\n").is_none());
    }

    #[test]
    fn pyproject_names_only_static_fields() {
        let (name, version) =
            project_name_and_version("[project]\nname = \"Demo\"\ndynamic = [\"version\"]\n");
        assert_eq!(name.unwrap().as_str(), "demo");
        assert!(version.is_none());
        assert_eq!(project_name_and_version("not toml ["), (None, None));
    }

    #[test]
    fn sdists_are_labelled_from_pkg_info_then_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let source = BuildSource::sdist(dir.path().join("pkg_x-2.0.tar.gz"));
        assert_eq!(
            BuildLabel::read(&source, dir.path()).to_string(),
            "pkg-x==2.0"
        );
        std::fs::write(
            dir.path().join("PKG-INFO"),
            "Metadata-Version: 2.1\nName: real\nVersion: 3\n",
        )
        .unwrap();
        assert_eq!(BuildLabel::read(&source, dir.path()).to_string(), "real==3");
        let hashed = BuildSource::sdist(dir.path().join("0a1b2c"));
        assert_eq!(BuildLabel::read(&hashed, dir.path()).to_string(), "real==3");
    }
}
