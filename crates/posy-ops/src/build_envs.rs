//! Build environments for the PEP 517 frontend, made with posy's own resolver and installer.
//!
//! `posy-build` asks for "an environment with these requirements" through
//! its [`BuildEnvironments`] trait; this is where that request meets the
//! resolver and the installer (ARCHITECTURE.md: the loop between resolving
//! and building is broken by traits implemented where the pieces meet).
//!
//! An environment is keyed by the interpreter and the *resolved* pins, and
//! kept in the store's `unpacked/` directory bucket, so a second build that
//! needs `setuptools>=61` resolves (from cached pages) and finds the same
//! environment: no download, no install. Like every directory value it is
//! built in the store's staging area and renamed into place. A virtual
//! environment tolerates the move (its interpreter finds its prefix from
//! its own location); the one thing that names its location is the shebang
//! of each console script, so scripts are written for the entry's final
//! path from the start: a backend that runs a tool of its requirements
//! (`cython`, `cmake`) finds it on `PATH` and it runs. (The activation
//! scripts still name the staging path; nothing activates a build
//! environment.)
//!
//! A build requirement that exists only as an sdist is built, as pip and
//! uv do: its own build environment is made the same way, one level down.
//! Each level remembers the chain of packages whose builds led to it, and
//! a package that would be built inside its own chain (`x` needs `y` to
//! build, and `y` needs `x`) is refused, naming the chain, instead of
//! recursing forever. Wheels and built wheels are all prepared before the
//! environment's store lock is taken, so a nested build never waits on a
//! lock its caller holds. Each level's frontend has its own concurrency
//! bound: the build waiting for its environment keeps its permit but runs
//! no hook meanwhile, so sharing one bound could only deadlock.
//!
//! The command's `--only-binary` / `--no-binary` policy applies to build
//! requirements too (as in pip and uv): `--only-binary :all:` with an
//! sdist-only build requirement is an unresolvable build environment, not a
//! silent build.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use futures_util::future::try_join_all;
use posy_build::{
    BuildEnv, BuildEnvironments, BuildLabel, BuildOptions, BuildReporter, BuildSource,
    EnvironmentError, SharedBuildCache,
};
use posy_index::IndexClient;
use posy_install::{
    InstallOptions, InstallScheme, Installer, LinkMode, UnpackedWheel, prepare_local_wheel,
    prepare_wheel,
};
use posy_python::{Interpreter, OnExisting, VenvOptions, create_venv};
use posy_resolve::{ResolveRequest, ResolvedPackage, Target, resolve};
use posy_store::{Key, Lookup, Store, Tag};
use posy_vocab::{PackageName, Requirement};

use crate::binary_policy::BinaryPolicy;
use crate::build_cache::{BuildCacheSettings, IndexBuildCache};
use crate::provider::{Builder, IndexProvider};

/// Bumped when the content of an environment entry changes meaning (v2:
/// console scripts name the entry's final path).
const ENV_FORMAT: &str = "build-env-v2";

/// Makes (or finds) build environments with posy's resolver and installer.
#[derive(Clone)]
pub struct PosyBuildEnvironments {
    store: Store,
    client: IndexClient,
    reporter: Option<Arc<dyn BuildReporter>>,
    /// `--only-binary` / `--no-binary`, for build requirements too.
    policy: BinaryPolicy,
    /// `--build-constraints`: narrow the versions of build requirements.
    constraints: Vec<Requirement>,
    /// How files get into build environments (`--link-mode`).
    link_mode: LinkMode,
    /// The packages whose builds led to this level, outermost first.
    chain: Arc<Vec<BuildLabel>>,
    /// `--build-cache`, for builds of build requirements too.
    shared_cache: Option<Arc<dyn SharedBuildCache>>,
}

impl PosyBuildEnvironments {
    /// Environments for top-level builds, whose builds of sdist-only build
    /// requirements report to `reporter`.
    pub fn new(
        store: Store,
        client: IndexClient,
        reporter: Option<Arc<dyn BuildReporter>>,
        settings: &BuildSettings,
    ) -> Self {
        Self {
            store,
            client,
            reporter,
            policy: settings.policy.clone(),
            constraints: settings.constraints.clone(),
            link_mode: settings.link_mode,
            chain: Arc::new(Vec::new()),
            shared_cache: None,
        }
    }

    /// The frontend that builds the sdist-only requirements of an
    /// environment for `building`: one level down the chain.
    fn nested_builder(&self, python: &Interpreter, building: &BuildLabel) -> Builder {
        let mut chain = (*self.chain).clone();
        chain.push(building.clone());
        let environments = PosyBuildEnvironments {
            chain: Arc::new(chain),
            ..self.clone()
        };
        let options = BuildOptions {
            reporter: self.reporter.clone(),
            shared_cache: self.shared_cache.clone(),
            ..BuildOptions::default()
        };
        posy_build::BuildFrontend::new(self.store.clone(), environments, python.clone(), options)
    }
}

/// Refuses to build `name` when it is already being built further up.
fn check_cycle(chain: &[BuildLabel], next: &BuildLabel) -> Result<(), EnvironmentError> {
    let Some(name) = &next.name else {
        return Ok(());
    };
    let Some(start) = chain.iter().position(|l| l.name.as_ref() == Some(name)) else {
        return Ok(());
    };
    let path: Vec<String> = chain[start..]
        .iter()
        .chain([next])
        .map(ToString::to_string)
        .collect();
    Err(format!(
        "its build requirements form a cycle ({}): building {name} needs {name} built from source first; \
         make a wheel of one of them available (--find-links) or build with --no-build-isolation",
        path.join(" -> ")
    )
    .into())
}

impl BuildEnvironments for PosyBuildEnvironments {
    fn environment(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
        building: &BuildLabel,
    ) -> impl Future<Output = Result<BuildEnv, EnvironmentError>> + Send {
        let this = self.clone();
        let python = python.clone();
        let requires = requires.to_vec();
        let building = building.clone();
        async move {
            check_cycle(&this.chain, &building)?;
            let nested = this.nested_builder(&python, &building);
            let resolution = this.resolve(&python, requires, &nested).await?;
            let mut parts: Vec<String> = vec![
                ENV_FORMAT.into(),
                python.executable().display().to_string(),
                python.python_full_version().to_string(),
            ];
            parts.extend(
                resolution
                    .packages
                    .iter()
                    .map(|p| format!("{}=={}", p.name, p.version)),
            );
            let key = Key::hash_of_parts(parts.iter().map(String::as_bytes));
            let bucket = this.store.unpacked();
            if let Some(dir) = bucket.get(&key) {
                return Ok(env_in(&dir));
            }

            // Everything to install, built where needed, before the lock.
            let nested_chain: Vec<BuildLabel> =
                this.chain.iter().cloned().chain([building]).collect();
            let wheels = try_join_all(
                resolution
                    .packages
                    .iter()
                    .map(|package| this.prepare(package, &nested, &nested_chain)),
            )
            .await?;

            let lookup_key = key.clone();
            let lookup =
                tokio::task::spawn_blocking(move || bucket.lock_or_get(&lookup_key)).await??;
            let mut reservation = match lookup {
                Lookup::Hit(dir) => return Ok(env_in(&dir)),
                Lookup::Miss(reservation) => reservation,
            };
            // Attributed to every package in it, for `posy cache clean NAME`.
            for package in &resolution.packages {
                if let Ok(tag) = Tag::new(package.name.as_str()) {
                    reservation.tag(tag);
                }
            }
            let final_dir = this.store.unpacked().path(&key);
            let python_for_venv = python.clone();
            let dir = tokio::task::spawn_blocking(move || -> Result<PathBuf, EnvironmentError> {
                install_env(
                    &python_for_venv,
                    reservation.path(),
                    &final_dir,
                    &wheels,
                    this.link_mode,
                )?;
                Ok(reservation.commit()?)
            })
            .await??;
            Ok(env_in(&dir))
        }
    }

    fn pins(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
    ) -> impl Future<Output = Result<Vec<String>, EnvironmentError>> + Send {
        let this = self.clone();
        let python = python.clone();
        let requires = requires.to_vec();
        async move {
            let building = BuildLabel {
                name: None,
                version: None,
                directory: None,
                fallback: "build requirements".into(),
            };
            let nested = this.nested_builder(&python, &building);
            let resolution = this.resolve(&python, requires, &nested).await?;
            Ok(resolution
                .packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect())
        }
    }
}

impl PosyBuildEnvironments {
    /// Resolves `requires` for `python`; sdist-only requirements have
    /// their metadata from `builder`.
    async fn resolve(
        &self,
        python: &Interpreter,
        requires: Vec<Requirement>,
        builder: &Builder,
    ) -> Result<posy_resolve::Resolution, EnvironmentError> {
        // The resolver's futures are not `Send`; give it a thread and a
        // runtime of its own, so this future can be awaited anywhere.
        let resolve_client = self.client.clone();
        let target_python = python.clone();
        let resolve_builder = builder.clone();
        let policy = self.policy.clone();
        let constraints = self.constraints.clone();
        tokio::task::spawn_blocking(move || -> Result<_, EnvironmentError> {
            let target = Target::from_environment(target_python.markers(), target_python.tags())
                .ok_or("the interpreter reports no usable python_version")?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let provider =
                IndexProvider::with_builder(&resolve_client, Some(&resolve_builder), policy);
            let mut request = ResolveRequest::new(requires, target);
            request.constraints = constraints;
            Ok(runtime.block_on(resolve(&request, &provider))?)
        })
        .await?
    }

    /// The unpacked wheel of one pin: from the index, or built from its
    /// sdist (by `builder`, one level down `chain`).
    async fn prepare(
        &self,
        package: &ResolvedPackage,
        builder: &Builder,
        chain: &[BuildLabel],
    ) -> Result<UnpackedWheel, EnvironmentError> {
        let file = package.best_file().ok_or_else(|| {
            format!(
                "build requirement {}=={} has no file usable with this interpreter",
                package.name, package.version
            )
        })?;
        // The listing is in the page cache from the resolution just made.
        let entry = self
            .client
            .project(&package.name)
            .await?
            .files
            .into_iter()
            .find(|f| f.filename == file.filename)
            .ok_or_else(|| format!("{} vanished from the index listing", file.filename))?;
        if file.is_wheel() {
            return Ok(prepare_wheel(&self.client, &self.store, entry).await?);
        }
        check_cycle(chain, &label_of(&package.name, package))?;
        let artifact = self.client.download(&entry).await?;
        let source = BuildSource::Sdist {
            path: artifact.path,
            sha256: Some(artifact.sha256),
        };
        let built = builder.build(&source).await.map_err(|e| {
            format!(
                "failed to build the build requirement {}=={} from {}: {e}",
                package.name, package.version, entry.filename
            )
        })?;
        let filename = built.filename.to_string();
        Ok(prepare_local_wheel(&self.store, built.path, filename).await?)
    }
}

fn label_of(name: &PackageName, package: &ResolvedPackage) -> BuildLabel {
    BuildLabel {
        name: Some(name.clone()),
        version: Some(package.version.clone()),
        directory: None,
        fallback: name.to_string(),
    }
}

/// Creates a venv from `python` in `staging` and installs `wheels` into it,
/// with scripts written to run from `final_dir`, where it will live.
fn install_env(
    python: &Interpreter,
    staging: &Path,
    final_dir: &Path,
    wheels: &[UnpackedWheel],
    link_mode: LinkMode,
) -> Result<(), EnvironmentError> {
    let options = VenvOptions {
        prompt: Some("posy-build".into()),
        system_site_packages: false,
        on_existing: OnExisting::Allow,
        command: None,
        posy_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let venv = create_venv(python, staging, &options)?;
    let relocated_python = venv
        .python
        .strip_prefix(staging)
        .map(|rel| final_dir.join(rel))
        .map_err(|_| "the new environment's python is outside it")?;
    let (major, minor, _) = python.python_release();
    // Shebangs name the path the scripts will run from.
    let scheme = InstallScheme::virtual_env(
        venv.root.clone(),
        venv.site_packages.clone(),
        venv.scripts.clone(),
        relocated_python,
        (major, minor),
    );
    let installer = Installer::new(scheme, link_mode, "posy");
    for wheel in wheels {
        installer.install(wheel, &InstallOptions::default())?;
    }
    Ok(())
}

fn env_in(dir: &Path) -> BuildEnv {
    BuildEnv {
        python: dir.join("bin").join("python"),
        path_dirs: vec![dir.join("bin")],
    }
}

/// `--config-settings` and `--no-build-isolation` (and their per-package
/// forms), as the commands take them.
#[derive(Debug, Clone, Default)]
pub struct BuildSettings {
    pub config_settings: posy_build::ConfigSettings,
    pub no_build_isolation: bool,
    /// `--config-settings-package`: added to `config_settings` for one package.
    pub package_config_settings: BTreeMap<PackageName, posy_build::ConfigSettings>,
    /// `--no-build-isolation-package`: built without isolation whatever
    /// `no_build_isolation` says.
    pub no_build_isolation_package: BTreeSet<PackageName>,
    /// The command's binary policy, for build requirements.
    pub policy: BinaryPolicy,
    /// `--build-constraints`, for build requirements.
    pub constraints: Vec<Requirement>,
    pub link_mode: LinkMode,
    /// `--build-cache` / `--build-cache-upload`.
    pub build_cache: Option<BuildCacheSettings>,
}

impl BuildSettings {
    /// Reads `-C KEY=VALUE` settings; one that is not `KEY=VALUE` is an error that shows it.
    pub fn new(settings: &[String], no_build_isolation: bool) -> anyhow::Result<Self> {
        let mut config_settings = posy_build::ConfigSettings::default();
        for text in settings {
            config_settings.extend(parse_setting(text)?);
        }
        Ok(Self {
            config_settings,
            no_build_isolation,
            ..Self::default()
        })
    }

    /// Adds the per-package flags: `NAME:KEY=VALUE` settings and the names
    /// to build without isolation.
    pub fn per_package(
        mut self,
        settings: &[String],
        no_isolation: &[String],
    ) -> anyhow::Result<Self> {
        for text in settings {
            let invalid = || format!("invalid --config-settings-package `{text}`");
            let (name, setting) = text
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("expected PACKAGE:KEY=VALUE"))
                .with_context(invalid)?;
            let name = PackageName::new(name.trim()).with_context(invalid)?;
            let setting = parse_setting(setting).with_context(invalid)?;
            self.package_config_settings
                .entry(name)
                .or_default()
                .extend(setting);
        }
        for name in no_isolation {
            self.no_build_isolation_package
                .insert(PackageName::new(name.trim()).map_err(|e| {
                    anyhow::anyhow!("invalid --no-build-isolation-package `{name}`: {e}")
                })?);
        }
        Ok(self)
    }
}

/// One `KEY=VALUE` as a `(key, value)` pair; parsing checks the form and
/// gives the error its wording.
fn parse_setting(text: &str) -> anyhow::Result<Option<(String, String)>> {
    text.parse::<posy_build::ConfigSettings>()?;
    Ok(text
        .split_once('=')
        .map(|(key, value)| (key.trim().to_string(), value.to_string())))
}

/// The build frontend for builds targeting `python`, printing a progress
/// line per build.
pub fn builder(
    store: &Store,
    client: &IndexClient,
    python: Interpreter,
    settings: &BuildSettings,
) -> Builder {
    let reporter: Arc<dyn BuildReporter> = Arc::new(crate::build_progress::BuildProgress::new());
    let shared_cache =
        settings
            .build_cache
            .as_ref()
            .and_then(|cache| match IndexBuildCache::new(store, cache) {
                Ok(cache) => Some(Arc::new(cache) as Arc<dyn SharedBuildCache>),
                Err(e) => {
                    tracing::warn!("not using the build cache: {e:#}");
                    None
                }
            });
    let options = BuildOptions {
        shared_cache: shared_cache.clone(),
        reporter: Some(Arc::clone(&reporter)),
        config_settings: settings.config_settings.clone(),
        package_config_settings: settings.package_config_settings.clone(),
        isolation: if settings.no_build_isolation {
            posy_build::Isolation::Shared
        } else {
            posy_build::Isolation::Isolated
        },
        shared_isolation: settings.no_build_isolation_package.clone(),
        ..BuildOptions::default()
    };
    let environments = PosyBuildEnvironments {
        shared_cache,
        ..PosyBuildEnvironments::new(store.clone(), client.clone(), Some(reporter), settings)
    };
    posy_build::BuildFrontend::new(store.clone(), environments, python, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str) -> BuildLabel {
        BuildLabel {
            name: Some(PackageName::new(name).unwrap()),
            version: Some("1.0".parse().unwrap()),
            directory: None,
            fallback: format!("{name}-1.0.tar.gz"),
        }
    }

    #[test]
    fn a_package_built_inside_its_own_chain_is_a_named_cycle() {
        let chain = [label("app"), label("x"), label("y")];
        assert!(check_cycle(&chain, &label("z")).is_ok());
        let error = check_cycle(&chain, &label("X")).unwrap_err().to_string();
        assert!(
            error.contains("(x==1.0 -> y==1.0 -> x==1.0)"),
            "only the loop is named: {error}"
        );
        let unnamed = BuildLabel {
            name: None,
            ..label("x")
        };
        assert!(check_cycle(&chain, &unnamed).is_ok());
    }
}
