//! Requirements that do not come from an index: projects whose
//! `pyproject.toml` leaves their dependencies to the build backend, and
//! direct references (`name @ https://…`, `./dir`, `-e ./dir`, a wheel or
//! sdist by path) in requirement files.
//!
//! Both need metadata before the resolution can start: a dynamic project's
//! `Requires-Dist` comes from its backend (PEP 517
//! `prepare_metadata_for_build_wheel`), and a direct reference's name,
//! version and dependencies from the file or project it points at. The
//! resolver then sees a direct reference as a package with exactly one
//! version whose metadata is known ([`WithDirect`]), so a dependency on it
//! from anywhere in the graph is answered by it, never by the index (as
//! PEP 440 asks of direct references and as uv does).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use std::sync::Arc;

use posy_build::BuildSource;
use posy_git::{GitSource, GitUrl};
use posy_index::{IndexClient, IndexFile};
use posy_project::ExtrasSelection;
use posy_resolve::{DistFile, DistMetadata, MetadataProvider, PackageVersions, ProviderError};
use posy_vocab::{CoreMetadata, ExtraName, MarkerTree, PackageName, Requirement, Version};

use crate::brief::Selector;
use crate::provider::Builder;
use crate::resolve::LockedCommit;

/// A project whose requirements only its build backend can tell.
#[derive(Debug, Clone)]
pub struct DynamicProject {
    /// The file the user named (`pyproject.toml`, `setup.py`, `setup.cfg`).
    pub source: PathBuf,
}

impl DynamicProject {
    fn directory(&self) -> PathBuf {
        match self.source.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

/// A requirement that points at a file, a directory or a URL.
#[derive(Debug, Clone)]
pub struct DirectReference {
    /// The name, when the requirement gives one (`name @ url`).
    pub name: Option<PackageName>,
    pub extras: Vec<ExtraName>,
    pub marker: MarkerTree,
    /// The path or URL as written.
    pub target: String,
    pub editable: bool,
    /// Where the requirement was written, for `# via`.
    pub origin: String,
    /// The optional part of a project it belongs to.
    pub selector: Selector,
}

impl DirectReference {
    fn is_url(&self) -> bool {
        self.target.contains("://")
    }
}

/// A direct reference with its metadata read.
#[derive(Debug, Clone)]
pub struct DirectPackage {
    pub name: PackageName,
    pub version: Version,
    pub metadata: DistMetadata,
    /// How the output file writes it: `-e ./dir`, `./dir`, `name @ url`.
    pub display: String,
    /// The sha256 of a downloaded or local archive, for `--generate-hashes`.
    pub sha256: Option<String>,
    /// The requirement that brings it in (name, extras, marker).
    pub requirement: Requirement,
    pub origin: String,
    pub selector: Selector,
    /// Whether it is installed editable (`-e`).
    pub editable: bool,
    /// What it points at: a URL, or an absolute path.
    pub target: DirectTarget,
}

impl DirectPackage {
    /// An editable requirement made a regular one (`--no-editable-package`).
    pub fn install_regular(&mut self) {
        if let Some(target) = self.display.strip_prefix("-e ") {
            self.display = target.to_string();
        }
        self.editable = false;
    }
}

/// Where a direct reference's distribution is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectTarget {
    /// A wheel or sdist at a URL (with the URL as written, fragment removed).
    Url(String),
    /// A wheel or sdist file on disk.
    File(PathBuf),
    /// A project directory.
    Directory(PathBuf),
    /// A git repository at a commit, checked out in the store.
    Git {
        /// The URL as the requirement wrote it (its revision as asked for).
        url: GitUrl,
        /// The full commit id the revision named.
        commit: String,
        /// The project's directory in the checkout.
        project: PathBuf,
    },
}

/// Adds the selected requirements of `project`'s metadata, read through its
/// build backend, to `out` (each with `label` as its origin).
pub async fn dynamic_project_requirements(
    project: &DynamicProject,
    builder: Option<&Builder>,
    selection: &ExtrasSelection,
) -> Result<(String, Vec<Requirement>)> {
    let dir = project.directory();
    let Some(builder) = builder else {
        bail!(
            "{}: the project's dependencies are dynamic, and reading them needs its build backend \
             run by a Python interpreter; none is available with --python-platform (pass --python instead)",
            project.source.display()
        );
    };
    let metadata = builder
        .metadata(&BuildSource::directory(&dir))
        .await
        .with_context(|| {
            format!(
                "cannot read the requirements of {} from its build backend",
                project.source.display()
            )
        })?
        .metadata;
    let active = active_extras(&metadata, selection, &project.source)?;
    let label = format!("{} ({})", metadata.name, project.source.display());
    Ok((label, selected(metadata.requires_dist, &active)))
}

/// The extras to turn on: all the metadata provides, or the requested ones
/// (each of which it must provide).
fn active_extras(
    metadata: &CoreMetadata,
    selection: &ExtrasSelection,
    source: &Path,
) -> Result<Vec<ExtraName>> {
    if selection.all {
        return Ok(metadata.provides_extra.clone());
    }
    for extra in &selection.extras {
        if !metadata.provides_extra.contains(extra) {
            let known: Vec<String> = metadata
                .provides_extra
                .iter()
                .map(ToString::to_string)
                .collect();
            bail!(
                "{}: the project has no extra `{extra}` (it has: {})",
                source.display(),
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    Ok(selection.extras.clone())
}

/// `Requires-Dist` with `extras` active: the requirements whose markers
/// can still hold, with the extra comparisons folded away.
fn selected(requires_dist: Vec<Requirement>, extras: &[ExtraName]) -> Vec<Requirement> {
    requires_dist
        .into_iter()
        .filter_map(|mut req| {
            let marker = req.marker.simplify_extras(extras);
            if marker.is_false() {
                return None;
            }
            req.marker = marker;
            Some(req)
        })
        .collect()
}

/// Reads the name, version and dependencies a direct reference points at
/// (a git reference at the commit of `kept` that still answers it, if any).
pub async fn read_direct(
    reference: &DirectReference,
    builder: Option<&Builder>,
    client: &IndexClient,
    git: &Arc<GitSource>,
    kept: &[LockedCommit],
) -> Result<DirectPackage> {
    let target = reference.target.as_str();
    if GitUrl::is_git(target) {
        return read_git(reference, builder, git, kept).await;
    }
    if let Some(scheme) = target.split_once("://").map(|(s, _)| s)
        && !matches!(scheme, "http" | "https" | "file")
    {
        bail!(
            "`{target}`: {scheme} URLs are not supported (http, https and file URLs, `git+` URLs, and local paths are)"
        );
    }
    let (metadata, sha256, located) = if reference.is_url() && !target.starts_with("file://") {
        let (artifact, filename, plain) = download_url(client, target).await?;
        let metadata = archive_metadata(&artifact.path, &filename, builder, client).await?;
        (
            metadata,
            Some(artifact.sha256),
            DirectTarget::Url(plain.to_string()),
        )
    } else {
        let path = match target.strip_prefix("file://") {
            Some(rest) => PathBuf::from(rest),
            None => PathBuf::from(target),
        };
        let path = path
            .canonicalize()
            .with_context(|| format!("cannot find `{target}`"))?;
        if path.is_dir() {
            let Some(builder) = builder else {
                bail!(
                    "`{target}`: reading a project's metadata needs a Python interpreter (not available with --python-platform)"
                );
            };
            let metadata = builder
                .metadata(&BuildSource::directory(&path))
                .await
                .with_context(|| format!("cannot read the metadata of `{target}`"))?
                .metadata;
            (metadata, None, DirectTarget::Directory(path))
        } else {
            let filename = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let metadata = archive_metadata(&path, &filename, builder, client).await?;
            (
                metadata,
                posy_install::sha256_file(&path)
                    .ok()
                    .map(|digest| posy_store::Key::from_sha256(digest).to_string()),
                DirectTarget::File(path),
            )
        }
    };
    if let Some(name) = &reference.name
        && *name != metadata.name
    {
        bail!(
            "`{name} @ {target}`: the requirement names {name}, but `{target}` is {}",
            metadata.name
        );
    }
    let name = metadata.name.clone();
    let version = metadata.version.clone();
    let display = if reference.editable {
        format!("-e {target}")
    } else if reference.is_url() {
        format!("{name} @ {target}")
    } else {
        target.to_string()
    };
    let requirement = Requirement {
        name: name.clone(),
        extras: reference.extras.clone(),
        version_or_url: None,
        marker: reference.marker.clone(),
    };
    Ok(DirectPackage {
        name,
        version,
        metadata: metadata.into(),
        display,
        sha256,
        requirement,
        origin: reference.origin.clone(),
        selector: reference.selector.clone(),
        editable: reference.editable,
        target: located,
    })
}

/// A `git+…` reference: its revision resolved to a commit (or the commit
/// an earlier lock pinned, while the revision still names it), that commit
/// checked out in the store, and the project there read like any local
/// directory (no build when its `pyproject.toml` is static).
async fn read_git(
    reference: &DirectReference,
    builder: Option<&Builder>,
    git: &Arc<GitSource>,
    kept: &[LockedCommit],
) -> Result<DirectPackage> {
    let requested = GitUrl::parse(&reference.target)?;
    let kept = kept
        .iter()
        .find(|pin| pin.answers(&requested, reference.name.as_ref()))
        .map(|pin| pin.commit.clone());
    let Some(builder) = builder else {
        bail!(
            "`{requested}`: reading a project's metadata needs a Python interpreter (not available with --python-platform)"
        );
    };
    let checkout = {
        let (git, url) = (Arc::clone(git), requested.clone());
        tokio::task::spawn_blocking(move || -> Result<posy_git::Checkout> {
            let commit = match kept {
                Some(kept) => git.resolve_keeping(&url, &kept)?,
                None => git.resolve(&url)?,
            };
            Ok(git.checkout(&url, &commit)?)
        })
        .await??
    };
    let metadata = builder
        .metadata(&BuildSource::directory(&checkout.project))
        .await
        .with_context(|| format!("cannot read the metadata of `{requested}`"))?
        .metadata;
    if let Some(name) = &reference.name
        && *name != metadata.name
    {
        bail!(
            "`{name} @ {requested}`: the requirement names {name}, but the project there is {}",
            metadata.name
        );
    }
    let name = metadata.name.clone();
    let pinned = requested.at(&checkout.commit);
    Ok(DirectPackage {
        display: format!("{name} @ {pinned}"),
        version: metadata.version.clone(),
        requirement: Requirement {
            name: name.clone(),
            extras: reference.extras.clone(),
            version_or_url: None,
            marker: reference.marker.clone(),
        },
        name,
        metadata: metadata.into(),
        sha256: None,
        origin: reference.origin.clone(),
        selector: reference.selector.clone(),
        editable: reference.editable,
        target: DirectTarget::Git {
            url: requested,
            commit: checkout.commit,
            project: checkout.project,
        },
    })
}

/// Downloads the file at `url` into the store, checked against a
/// `#sha256=…` fragment if the URL has one. Returns the artifact, the
/// file's name, and the URL without its fragment.
pub async fn download_url(
    client: &IndexClient,
    url: &str,
) -> Result<(posy_index::Artifact, String, url::Url)> {
    let mut parsed = url::Url::parse(url).with_context(|| format!("`{url}` is not a valid URL"))?;
    let filename = parsed
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or_default()
        .to_string();
    parsed.set_fragment(None);
    let mut file = IndexFile::new(filename.clone(), parsed.clone());
    file.hashes = posy_vocab::hash_from_url_fragment(url)
        .into_iter()
        .collect();
    let artifact = client
        .download(&file)
        .await
        .with_context(|| format!("cannot download `{url}`"))?;
    Ok((artifact, filename, parsed))
}

/// The metadata of a wheel or sdist on disk.
async fn archive_metadata(
    path: &Path,
    filename: &str,
    builder: Option<&Builder>,
    client: &IndexClient,
) -> Result<CoreMetadata> {
    if filename.ends_with(".whl") {
        let url = url::Url::from_file_path(path)
            .map_err(|()| anyhow::anyhow!("`{}` is not an absolute path", path.display()))?;
        let bytes = client
            .wheel_metadata(&IndexFile::new(filename, url))
            .await
            .with_context(|| format!("cannot read the metadata of {filename}"))?;
        return CoreMetadata::parse(&bytes)
            .with_context(|| format!("{filename} has invalid metadata"));
    }
    let Some(builder) = builder else {
        bail!(
            "{filename}: reading an sdist's metadata needs a Python interpreter (not available with --python-platform)"
        );
    };
    Ok(builder
        .metadata(&BuildSource::sdist(path))
        .await
        .with_context(|| format!("cannot read the metadata of {filename}"))?
        .metadata)
}

/// A provider that answers for direct references itself and asks `inner`
/// for everything else.
pub struct WithDirect<'a, P> {
    inner: &'a P,
    direct: HashMap<PackageName, &'a DirectPackage>,
}

impl<'a, P> WithDirect<'a, P> {
    pub fn new(inner: &'a P, direct: &'a [DirectPackage]) -> Self {
        Self {
            inner,
            direct: direct.iter().map(|d| (d.name.clone(), d)).collect(),
        }
    }
}

impl<P: MetadataProvider> MetadataProvider for WithDirect<'_, P> {
    async fn versions(&self, name: &PackageName) -> Result<PackageVersions, ProviderError> {
        match self.direct.get(name) {
            // One file that fits any target: what it needs of Python is in
            // its metadata, which the resolver checks.
            Some(direct) => Ok(PackageVersions::new([DistFile::sdist(
                direct.display.clone(),
                direct.version.clone(),
                direct.display.clone(),
            )])),
            None => self.inner.versions(name).await,
        }
    }

    async fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<DistMetadata, ProviderError> {
        match self.direct.get(name) {
            Some(direct) => Ok(direct.metadata.clone()),
            None => self.inner.metadata(name, version, file).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reqs(list: &[&str]) -> Vec<Requirement> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    #[test]
    fn extras_are_folded_into_markers() {
        let requires = reqs(&[
            "six",
            "pytest; extra == 'test'",
            "mypy; extra == 'typing' and python_version >= '3.9'",
            "ruff; extra == 'test' or extra == 'lint'",
        ]);
        let none: Vec<String> = selected(requires.clone(), &[])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(none, ["six"]);
        let typing = [ExtraName::new("typing").unwrap()];
        let got: Vec<String> = selected(requires.clone(), &typing)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["six", "mypy ; python_version >= \"3.9\""]);
        let lint = [ExtraName::new("lint").unwrap()];
        let got: Vec<String> = selected(requires, &lint)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["six", "ruff"]);
    }
}
