//! Planning a Blueprint against an Env: which of the lock's packages this
//! environment gets, and from which files (PEP 751's installer rules).
//!
//! In order: the lock's `requires-python` must contain the environment's
//! Python and one of its `environments` (if any) must hold; the extras and
//! dependency groups asked for must be ones the lock offers (no groups
//! asked means its `default-groups`); then each package whose marker holds
//! for the environment, the extras and the groups is installed, and at most
//! one entry per name may apply. Nothing here asks an index: registry
//! packages install one of the files the lock lists (chosen when applied,
//! by the resolver's rule), checked against the lock's hashes, and a
//! relative `path` is read relative to the lock file's directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use posy_git::GitUrl;
use posy_index::IndexFile;
use posy_project::{LockedArtifact, PackageSource, Pylock};
use posy_vocab::{ExtraName, GroupName, MarkerEnvironment, PackageName, Version};
use url::Url;

use crate::apply::{Pin, PinSource};
use crate::blueprint::Blueprint;

/// Which optional parts of a lock to install.
#[derive(Debug, Clone, Default)]
pub struct LockSelection {
    pub extras: Vec<ExtraName>,
    pub groups: Vec<GroupName>,
    /// Only the packages the Brief asked for, not their dependencies (`--no-deps`).
    pub no_deps: bool,
    /// Every extra the lock lists (`--all-extras`), besides `extras`.
    pub all_extras: bool,
}

/// The pins an environment with `markers` and Python `python` gets from
/// `blueprint`. `base` is the directory relative paths start from (the
/// lock file's).
pub fn lock_pins(
    blueprint: &Blueprint,
    markers: &MarkerEnvironment,
    python: &Version,
    selection: &LockSelection,
    base: &Path,
) -> Result<Vec<Pin>> {
    let lock = &blueprint.lock;
    lock.check_environment(markers, python)?;
    let where_ = lock.path.display();
    let (extras, groups) = chosen(lock, selection)?;
    let (extras, groups) = (&extras[..], &groups[..]);
    let mut pins: Vec<Pin> = Vec::new();
    for (index, package) in lock.packages.iter().enumerate() {
        if !package.applies(markers, extras, groups) {
            continue;
        }
        let requested = blueprint.notes.get(index).is_none_or(|n| n.requested);
        if selection.no_deps && !requested {
            continue;
        }
        if let Some(other) = pins.iter().find(|p| p.name == package.name) {
            bail!(
                "{where_}: two entries for {} apply to this environment ({} and {}); the lock is ambiguous here",
                package.name,
                label(other.version.as_ref()),
                label(package.version.as_ref())
            );
        }
        let context = || format!("{where_}: package {}", package.name);
        let source = match &package.source {
            PackageSource::Registry { sdist, wheels } => {
                let file = |artifact: &LockedArtifact| {
                    let file = index_file(&package.name, artifact, base)?;
                    check_identity(&package.name, package.version.as_ref(), &file)?;
                    Ok(file)
                };
                PinSource::Files {
                    wheels: wheels
                        .iter()
                        .map(file)
                        .collect::<Result<_>>()
                        .with_context(context)?,
                    sdist: sdist.as_ref().map(file).transpose().with_context(context)?,
                }
            }
            PackageSource::Archive {
                artifact,
                subdirectory,
            } => {
                if subdirectory.is_some() {
                    bail!(
                        "{where_}: package {} is an archive with a subdirectory, which posy cannot install yet",
                        package.name
                    );
                }
                let file = index_file(&package.name, artifact, base).with_context(context)?;
                let hashes: serde_json::Map<String, serde_json::Value> = file
                    .hashes
                    .iter()
                    .map(|h| (h.algorithm().to_string(), h.hex().into()))
                    .collect();
                let direct_url = serde_json::json!({
                    "url": file.url.as_str(),
                    "archive_info": {"hashes": hashes},
                })
                .to_string();
                PinSource::Archive { file, direct_url }
            }
            PackageSource::Directory {
                path,
                editable,
                subdirectory,
            } => {
                let mut dir = base.join(path);
                if let Some(sub) = subdirectory {
                    dir.push(sub);
                }
                let dir = dir.canonicalize().with_context(|| {
                    format!(
                        "{where_}: package {} is the directory `{path}`, which does not exist here",
                        package.name
                    )
                })?;
                PinSource::Directory {
                    path: dir,
                    editable: *editable,
                }
            }
            PackageSource::Vcs {
                kind,
                url,
                path,
                requested_revision,
                commit_id,
                subdirectory,
            } => {
                if kind != "git" {
                    bail!(
                        "{where_}: package {} comes from {kind}, and posy installs only git repositories",
                        package.name
                    );
                }
                // A local repository's path is relative to the lock.
                let repository = match (url, path) {
                    (Some(url), _) => url.clone(),
                    (None, Some(path)) => Url::from_directory_path(base.join(path))
                        .map_err(|()| anyhow!("{where_}: `{path}` cannot be made a file URL"))?
                        .as_str()
                        .trim_end_matches('/')
                        .to_owned(),
                    (None, None) => bail!(
                        "{where_}: package {} names no repository (vcs.url or vcs.path)",
                        package.name
                    ),
                };
                PinSource::Git {
                    url: GitUrl {
                        repository,
                        revision: requested_revision.clone(),
                        subdirectory: subdirectory.clone(),
                    },
                    commit: commit_id.clone(),
                }
            }
        };
        pins.push(Pin {
            name: package.name.clone(),
            version: package.version.clone(),
            requested,
            source,
        });
    }
    Ok(pins)
}

/// The extras and dependency groups `selection` means in `lock`: the
/// ones asked for, which must be ones the lock offers (no groups means its
/// `default-groups`; `all_extras` every extra it lists).
pub(crate) fn chosen(
    lock: &Pylock,
    selection: &LockSelection,
) -> Result<(Vec<ExtraName>, Vec<GroupName>)> {
    let where_ = lock.path.display();
    for extra in &selection.extras {
        if !lock.extras.contains(extra) {
            bail!(
                "{where_}: the lock has no extra `{extra}` (it has: {})",
                names(&lock.extras)
            );
        }
    }
    for group in &selection.groups {
        if !lock.dependency_groups.contains(group) {
            bail!(
                "{where_}: the lock has no dependency group `{group}` (it has: {})",
                names(&lock.dependency_groups)
            );
        }
    }
    let groups = if selection.groups.is_empty() {
        &lock.default_groups
    } else {
        &selection.groups
    };
    let extras = if selection.all_extras {
        &lock.extras
    } else {
        &selection.extras
    };
    Ok((extras.clone(), groups.clone()))
}

/// A lock artifact as a file to download: its URL, or its path as a
/// `file:` URL, with its name, size and hashes.
pub(crate) fn index_file(
    name: &PackageName,
    artifact: &LockedArtifact,
    base: &Path,
) -> Result<IndexFile> {
    let url = match (&artifact.url, &artifact.path) {
        (_, Some(path)) => {
            let path: PathBuf = base.join(path);
            Url::from_file_path(&path)
                .map_err(|()| anyhow!("`{}` cannot be made a file URL", path.display()))?
        }
        (Some(url), None) => {
            Url::parse(url).with_context(|| format!("`{url}` is not a valid URL"))?
        }
        (None, None) => bail!("an artifact has neither a url nor a path"),
    };
    let filename = artifact
        .filename()
        .ok_or_else(|| anyhow!("cannot tell the file name of `{url}`"))?;
    let mut file = IndexFile::new(filename, url);
    file.hashes = artifact.hashes.clone();
    file.size = artifact.size;
    file.parse_dist(name);
    Ok(file)
}

/// Refuses a registry file whose name says another project or version
/// than its entry: installing it would put something else in the
/// environment than the lock says.
fn check_identity(name: &PackageName, version: Option<&Version>, file: &IndexFile) -> Result<()> {
    let parsed = posy_vocab::DistFilename::parse(&file.filename, name);
    match (parsed, version) {
        (Ok(Some(dist)), Some(version)) if dist.version() != version => bail!(
            "{} is a file of version {}, but the entry is {name} {version}; the lock is inconsistent",
            file.filename,
            dist.version()
        ),
        (Ok(Some(_)), _) => Ok(()),
        (Ok(None), _) => bail!("{} is neither a wheel nor an sdist", file.filename),
        (Err(err), _) => bail!("{} is not a file of {name}: {err}", file.filename),
    }
}

fn names<T: std::fmt::Display>(list: &[T]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn label(version: Option<&Version>) -> String {
    version.map_or_else(|| "unversioned".into(), ToString::to_string)
}
