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
use posy_project::{RequirementSpec, RequirementsTxt};
use posy_resolve::{ForkStrategy, Preference, ResolveRequest, Universe, Upgrade, resolve};
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
    /// Universal only: restrict the resolution to these environments.
    pub environments: Vec<MarkerTree>,
    /// Universal only: environments where every pin needs a wheel or an sdist.
    pub required_environments: Vec<MarkerTree>,
    /// Universal only: newest versions per Python, or fewest versions.
    pub fork_strategy: ForkStrategy,
    /// Give each pin the marker its requirements reach it under.
    pub keep_markers: bool,
    /// Pins to keep unless upgraded (an existing output file's).
    pub preferences: Vec<Preference>,
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
    mut brief: Brief,
    options: &ResolveOptions,
) -> Result<Resolved> {
    let target = resolve_target(&options.target, session.cache_dir())?;
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
    let direct = runtime.block_on(complete_brief(
        &mut brief,
        builder.as_ref(),
        &client,
        session.git(),
    ))?;

    let mut request = ResolveRequest::new(brief.requirements.clone(), target.clone());
    request.constraints = brief.constraints.clone();
    request.overrides = brief.overrides.clone();
    request.preferences = options.preferences.clone();
    request.keep_markers = options.keep_markers;
    options.resolver.apply(&mut request, brief.pre)?;
    if options.universal {
        // As uv: from the target Python's minor version up (3.11.7 → >=3.11).
        let floor = Version::new(target.python_version.release().iter().take(2).copied());
        let mut universe = Universe::new(Ranges::higher_than(floor));
        universe.environments = options.environments.clone();
        universe.required_environments = options.required_environments.clone();
        universe.fork_strategy = options.fork_strategy;
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
pub fn preferences_from(path: &Path) -> Result<Vec<Preference>> {
    if !path.exists() {
        return Ok(Vec::new());
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
        return Ok(lock
            .packages
            .into_iter()
            .filter_map(|p| {
                Some(Preference {
                    version: p.version?,
                    name: p.name,
                })
            })
            .collect());
    }
    let file = RequirementsTxt::parse_file(path)?;
    Ok(file
        .requirements
        .into_iter()
        .filter_map(|e| match e.requirement {
            RequirementSpec::Named(req) => Some(req),
            RequirementSpec::Unnamed(_) => None,
        })
        .filter_map(|req| {
            Some(Preference {
                version: crate::install::exact_pin(&req)?,
                name: req.name,
            })
        })
        .collect())
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
