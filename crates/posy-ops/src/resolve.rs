//! The operation "resolve a Brief into a Blueprint", and the resolver's options.
//!
//! [`resolve_brief`] is what `posy pip compile` (and, with an interpreter's
//! target, `posy pip install`) does: complete the Brief (dynamic projects,
//! direct references), ask the resolver, and turn its answer into a
//! [`Blueprint`]. The options are plain values: a command fills them from
//! its flags, a test or another front end from wherever it likes.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Result, anyhow};
use posy_git::GitUrl;
use posy_project::{PackageSource, RequirementSpec, RequirementsTxt};
use posy_resolve::{ForkStrategy, Preference, ResolveRequest, Target, Universe, Upgrade, resolve};
use posy_vocab::{MarkerTree, PackageName, Version};
use version_ranges::Ranges;

use crate::binary_policy::BinaryPolicy;
use crate::blueprint::Blueprint;
use crate::brief::{Brief, complete_brief};
use crate::build_envs::{self, BuildSettings};
use crate::direct::{DirectPackage, WithDirect};
use crate::index::{IndexSettings, build_client};
use crate::provider::IndexProvider;
use crate::session::Session;
use crate::target::{TargetRequest, find_interpreter, resolve_target};

/// How versions are chosen and built, as pip's and uv's flags say.
#[derive(Debug, Clone, Default)]
pub struct ResolverOptions {
    /// `highest` (the default when empty), `lowest` or `lowest-direct`.
    pub resolution: String,
    /// `disallow`, `allow`, `if-necessary`, `explicit` or
    /// `if-necessary-or-explicit` (the default when empty).
    pub prerelease: String,
    /// `--prerelease-package`: `NAME=MODE`, a mode for one package in place of `prerelease`.
    pub prerelease_package: Vec<String>,
    /// `--upgrade`: every package may move.
    pub upgrade: bool,
    /// `--upgrade-package`: these may move.
    pub upgrade_package: Vec<String>,
    /// `--no-build`: wheels only.
    pub no_build: bool,
    pub only_binary: Vec<String>,
    pub no_binary: Vec<String>,
    /// `-C KEY=VALUE` for build backends.
    pub config_settings: Vec<String>,
    /// `--config-settings-package NAME:KEY=VALUE`: more settings for one package's builds.
    pub config_settings_package: Vec<String>,
    pub no_build_isolation: bool,
    /// `--no-build-isolation-package`: build these without isolation.
    pub no_build_isolation_package: Vec<String>,
    /// `--build-constraints` files, for build requirements.
    pub build_constraints: Vec<std::path::PathBuf>,
    /// `--link-mode` for build environments (the default when `None`).
    pub build_link_mode: Option<String>,
    /// `--build-cache`: the index (simple API) of the shared build cache.
    pub build_cache: Option<String>,
    /// `--build-cache-upload`: its upload endpoint.
    pub build_cache_upload: Option<String>,
    /// `--excludes`: packages left out of the resolution; every
    /// requirement of them, the Brief's own too, is dropped.
    pub excludes: Vec<String>,
}

impl ResolverOptions {
    /// `--upgrade` / `--upgrade-package` as the resolver's [`Upgrade`].
    pub fn upgrade(&self) -> Result<Upgrade> {
        Ok(if self.upgrade {
            Upgrade::All
        } else if !self.upgrade_package.is_empty() {
            Upgrade::Packages(
                self.upgrade_package
                    .iter()
                    .map(|p| PackageName::new(p))
                    .collect::<Result<BTreeSet<_>, _>>()?,
            )
        } else {
            Upgrade::None
        })
    }

    /// Whether anything may be upgraded.
    pub fn upgrading(&self) -> bool {
        self.upgrade || !self.upgrade_package.is_empty()
    }

    /// The binary policy of the flags and the Brief's files, flags last
    /// (they win over `:none:`/`:all:` in files).
    pub fn binary_policy(&self, brief: &Brief) -> Result<BinaryPolicy> {
        let only: Vec<String> = brief
            .only_binary
            .iter()
            .chain(&self.only_binary)
            .cloned()
            .collect();
        let no: Vec<String> = brief
            .no_binary
            .iter()
            .chain(&self.no_binary)
            .cloned()
            .collect();
        BinaryPolicy::new(self.no_build, &only, &no)
    }

    /// The build settings, with the binary policy for build requirements.
    pub fn build_settings(&self, policy: &BinaryPolicy) -> Result<BuildSettings> {
        let mut settings = BuildSettings::new(&self.config_settings, self.no_build_isolation)?
            .per_package(
                &self.config_settings_package,
                &self.no_build_isolation_package,
            )?;
        settings.policy = policy.clone();
        settings.link_mode = crate::apply::link_mode(self.build_link_mode.as_deref())?;
        settings.build_cache = match (&self.build_cache, &self.build_cache_upload) {
            (Some(index), upload) => Some(crate::build_cache::BuildCacheSettings::new(
                index,
                upload.as_deref(),
            )?),
            (None, Some(_)) => {
                return Err(anyhow!(
                    "--build-cache-upload needs --build-cache: the index the cache's wheels are looked up on"
                ));
            }
            (None, None) => None,
        };
        for file in &self.build_constraints {
            for entry in RequirementsTxt::parse_file(file)?.requirements {
                match entry.requirement {
                    RequirementSpec::Named(req) => settings.constraints.push(req),
                    RequirementSpec::Unnamed(u) => {
                        return Err(anyhow!(
                            "{}:{}: `{}` has no package name; a build constraint must name its package",
                            entry.file.display(),
                            entry.line,
                            u.target
                        ));
                    }
                }
            }
        }
        Ok(settings)
    }

    /// Fills the request's policy fields (`pre` is `--pre` from a file).
    pub fn apply(&self, request: &mut ResolveRequest, pre: bool) -> Result<()> {
        if !self.resolution.is_empty() {
            request.strategy = self
                .resolution
                .parse()
                .map_err(|e| anyhow!("invalid --resolution: {e}"))?;
        }
        if pre {
            request.prerelease = "allow".parse().map_err(|e| anyhow!("{e}"))?;
        } else if !self.prerelease.is_empty() {
            request.prerelease = self
                .prerelease
                .parse()
                .map_err(|e| anyhow!("invalid --prerelease: {e}"))?;
        }
        for text in &self.prerelease_package {
            let (name, mode) = text.split_once('=').ok_or_else(|| {
                anyhow!("invalid --prerelease-package `{text}`: expected PACKAGE=MODE")
            })?;
            let name = PackageName::new(name.trim())
                .map_err(|e| anyhow!("invalid --prerelease-package `{text}`: {e}"))?;
            let mode = mode
                .trim()
                .parse()
                .map_err(|e| anyhow!("invalid --prerelease-package `{text}`: {e}"))?;
            request.prerelease_package.insert(name, mode);
        }
        request.upgrade = self.upgrade()?;
        // An override whose marker never holds replaces every requirement
        // of the package with nothing (see `ResolveRequest::overrides`).
        for name in &self.excludes {
            let never: posy_vocab::Requirement =
                format!("{name} ; python_version < '0'")
                    .parse()
                    .map_err(|e| anyhow!("invalid --excludes entry `{name}`: {e}"))?;
            request.overrides.push(never);
        }
        Ok(())
    }
}

/// Everything [`resolve_brief`] needs besides the Brief.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    pub resolver: ResolverOptions,
    pub index: IndexSettings,
    pub target: TargetRequest,
    /// One resolution for every platform and Python version, with markers.
    pub universal: bool,
    /// Universal only: the Pythons to resolve for (a project's
    /// `requires-python`); default: from the target Python's minor version up.
    pub requires_python: Option<posy_vocab::SpecifierSet>,
    /// Universal only: restrict the resolution to these environments.
    pub environments: Vec<MarkerTree>,
    /// Universal only: environments where every pin needs a wheel or an sdist.
    pub required_environments: Vec<MarkerTree>,
    /// Universal only: newest versions per Python, or fewest versions.
    pub fork_strategy: ForkStrategy,
    /// Give each pin the marker its requirements reach it under.
    pub keep_markers: bool,
    /// Pins to keep unless upgraded (an existing output file's).
    pub preferences: Preferences,
    /// A project lock: move the pinned interpreter build to the newest
    /// the downloads table has (`posy lock --upgrade-python`).
    pub upgrade_python: bool,
}

/// The pins of an earlier resolution (an existing output file), to keep
/// unless upgraded.
#[derive(Debug, Clone, Default)]
pub struct Preferences {
    /// Versions of packages from an index: tried first by the resolver.
    pub versions: Vec<Preference>,
    /// Commits of git packages: kept while their requirement still names
    /// them (see [`posy_git::GitSource::resolve_keeping`]).
    pub commits: Vec<LockedCommit>,
}

/// A git package an earlier resolution pinned to a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedCommit {
    pub name: PackageName,
    /// The repository, as `git` takes it.
    pub repository: String,
    pub subdirectory: Option<String>,
    /// The revision that was asked for, when the file says (a
    /// `pylock.toml` does, a `requirements.txt` does not).
    pub requested_revision: Option<String>,
    /// The full commit id.
    pub commit: String,
}

impl LockedCommit {
    /// Whether this pin is one of `url`'s (for the package `name`, when known).
    pub fn answers(&self, url: &GitUrl, name: Option<&PackageName>) -> bool {
        self.repository == url.repository
            && self.subdirectory == url.subdirectory
            && name.is_none_or(|name| *name == self.name)
            && self
                .requested_revision
                .as_ref()
                .is_none_or(|requested| url.revision.as_ref() == Some(requested))
    }
}

/// A resolved Brief: the Blueprint, and the Brief as completed on the way.
pub struct Resolved {
    pub blueprint: Blueprint,
    pub brief: Brief,
    pub direct: Vec<DirectPackage>,
}

/// Resolves `brief` for the target the options describe.
pub fn resolve_brief(
    session: &Session,
    brief: Brief,
    options: &ResolveOptions,
) -> Result<Resolved> {
    let target = resolve_target(&options.target, session.cache_dir())?;
    resolve_brief_for(session, brief, options, target)
}

/// Resolves `brief` for `target`, a target already described (a wheelhouse
/// makes one per Python and platform); `options.target` still says whether
/// an interpreter is there to build sdists with.
pub fn resolve_brief_for(
    session: &Session,
    mut brief: Brief,
    options: &ResolveOptions,
    target: Target,
) -> Result<Resolved> {
    let upgrade = options.resolver.upgrade()?;
    let client = build_client(&options.index, &brief.index, session.store(), &upgrade)?;
    let policy = options.resolver.binary_policy(&brief)?;
    let build_settings = options.resolver.build_settings(&policy)?;
    // Sdist-only versions are built with the interpreter being resolved
    // for; a resolution for another platform has none to build with.
    let builder = options
        .target
        .python_platform
        .is_none()
        .then(|| find_interpreter(options.target.python.as_deref(), session.cache_dir()).ok())
        .flatten()
        .map(|python| build_envs::builder(session.store(), &client, python, &build_settings));
    let runtime = session.runtime()?;
    let kept: Vec<LockedCommit> = options
        .preferences
        .commits
        .iter()
        .filter(|pin| !upgrade.covers(&pin.name))
        .cloned()
        .collect();
    let direct = runtime.block_on(complete_brief(
        &mut brief,
        builder.as_ref(),
        &client,
        session.git(),
        &kept,
    ))?;

    let mut request = ResolveRequest::new(brief.requirements.clone(), target.clone());
    request.constraints = brief.constraints.clone();
    request.overrides = brief.overrides.clone();
    request.preferences = options.preferences.versions.clone();
    request.keep_markers = options.keep_markers;
    options.resolver.apply(&mut request, brief.pre)?;
    if options.universal {
        // As uv: from the target Python's minor version up (3.11.7 → >=3.11).
        let pythons = match &options.requires_python {
            Some(spec) => spec.to_ranges(),
            None => Ranges::higher_than(Version::new(
                target.python_version.release().iter().take(2).copied(),
            )),
        };
        let mut universe = Universe::new(pythons);
        universe.environments = options.environments.clone();
        universe.required_environments = options.required_environments.clone();
        universe.fork_strategy = options.fork_strategy;
        universe.root_classes = brief.selector_classes().1;
        request.universal = Some(universe);
    }
    let index = IndexProvider::with_builder(&client, builder.as_ref(), policy);
    let provider = WithDirect::new(&index, &direct);
    let resolution = runtime
        .block_on(resolve(&request, &provider))
        .map_err(resolve_error)?;
    // Lookups still running on blocking threads (a slow DNS answer no
    // one waits for any more) must not hold up the exit.
    runtime.shutdown_background();
    let blueprint =
        Blueprint::from_resolution(&resolution, &brief, &direct, &target, options.universal);
    Ok(Resolved {
        blueprint,
        brief,
        direct,
    })
}

/// The pins of an existing output file (`requirements.txt` or
/// `pylock.toml`), to keep unless upgraded. A missing file has none.
pub fn preferences_from(path: &Path) -> Result<Preferences> {
    if !path.exists() {
        return Ok(Preferences::default());
    }
    if path.is_dir() {
        anyhow::bail!(
            "the output file `{}` is a directory; name the file to write, e.g. `{}`",
            path.display(),
            path.join("requirements.txt").display()
        );
    }
    if crate::install::is_pylock(path) {
        let lock = posy_project::Pylock::read(path)?;
        let mut preferences = Preferences::default();
        for package in lock.packages {
            if let PackageSource::Vcs {
                kind,
                url: Some(repository),
                requested_revision,
                commit_id,
                subdirectory,
                ..
            } = package.source
                && kind == "git"
            {
                preferences.commits.push(LockedCommit {
                    name: package.name,
                    repository,
                    subdirectory,
                    requested_revision,
                    commit: commit_id,
                });
            } else if let Some(version) = package.version {
                preferences.versions.push(Preference {
                    name: package.name,
                    version,
                });
            }
        }
        return Ok(preferences);
    }
    let file = RequirementsTxt::parse_file(path)?;
    let mut preferences = Preferences::default();
    for entry in file.requirements {
        let RequirementSpec::Named(req) = entry.requirement else {
            continue;
        };
        // `name @ git+URL@COMMIT`, as `pip compile` writes a git pin.
        let git = req
            .url()
            .filter(|url| GitUrl::is_git(url))
            .and_then(|url| GitUrl::parse(url).ok());
        if let Some(url) = git {
            if let Some(commit) = url.revision {
                preferences.commits.push(LockedCommit {
                    name: req.name,
                    repository: url.repository,
                    subdirectory: url.subdirectory,
                    requested_revision: None,
                    commit,
                });
            }
        } else if let Some(version) = crate::install::exact_pin(&req) {
            preferences.versions.push(Preference {
                name: req.name,
                version,
            });
        }
    }
    Ok(preferences)
}

/// A resolver error as the user reads it: the conflict report, then its hints.
pub fn resolve_error(error: posy_resolve::ResolveError) -> anyhow::Error {
    match error {
        posy_resolve::ResolveError::NoSolution(no) => {
            let hints: String = no.hints.iter().map(|h| format!("\n\nhint: {h}")).collect();
            anyhow!(
                "No solution found when resolving dependencies:\n{}{hints}",
                no.report
            )
        }
        other => anyhow!(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_pins_are_read_from_both_output_formats() {
        let dir = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let txt = dir.path().join("requirements.txt");
        std::fs::write(
            &txt,
            format!("six==1.16.0\ngitpkg @ git+https://g.test/r.git@{commit}#subdirectory=sub\n"),
        )
        .unwrap();
        let read = preferences_from(&txt).unwrap();
        assert_eq!(read.versions.len(), 1);
        let gitpkg = PackageName::new("gitpkg").unwrap();
        assert_eq!(
            read.commits,
            [LockedCommit {
                name: gitpkg.clone(),
                repository: "https://g.test/r.git".into(),
                subdirectory: Some("sub".into()),
                requested_revision: None,
                commit: commit.into(),
            }]
        );
        let lock = dir.path().join("pylock.toml");
        std::fs::write(
            &lock,
            format!(
                "lock-version = \"1.0\"\ncreated-by = \"t\"\n\n[[packages]]\nname = \"gitpkg\"\nversion = \"1.0\"\n\
                 vcs = {{ type = \"git\", url = \"https://g.test/r.git\", requested-revision = \"main\", commit-id = \"{commit}\" }}\n"
            ),
        )
        .unwrap();
        let read = preferences_from(&lock).unwrap();
        assert!(read.versions.is_empty());
        let pin = &read.commits[0];
        assert_eq!(pin.requested_revision.as_deref(), Some("main"));

        // A pin answers the same repository, subdirectory and (when the
        // file says) requested revision.
        let url = |text: &str| GitUrl::parse(text).unwrap();
        assert!(pin.answers(&url("git+https://g.test/r.git@main"), Some(&gitpkg)));
        assert!(pin.answers(&url("git+https://g.test/r.git@main"), None));
        for other in [
            "git+https://g.test/r.git@v1",
            "git+https://g.test/r.git",
            "git+https://g.test/other.git@main",
            "git+https://g.test/r.git@main#subdirectory=sub",
        ] {
            assert!(!pin.answers(&url(other), Some(&gitpkg)), "{other}");
        }
        let six = PackageName::new("six").unwrap();
        assert!(!pin.answers(&url("git+https://g.test/r.git@main"), Some(&six)));
    }
}
