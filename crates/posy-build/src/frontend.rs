//! The build frontend: sources in, wheels and metadata out, through the
//! store's `built/` cache.
//!
//! # Building
//!
//! [`BuildFrontend::build`] turns a [`BuildSource`] into a wheel:
//!
//! 1. The cache key is computed: the sdist's sha256, or for a directory its
//!    canonical path and [fingerprint](crate::fingerprint_tree); the kind
//!    (wheel or editable); the `config_settings`; isolation on or off; and the
//!    interpreter (implementation, version and its most specific tag, which
//!    names ABI and platform), since a backend may build for the Python it
//!    runs on. A hit costs a hash (sdists) or one `stat` per file
//!    (directories), and no subprocess.
//! 2. On a miss the sdist is unpacked into a working directory in the
//!    store's `tmp/` (see
//!    [`unpack_sdist`](crate::unpack_sdist)), the backend is chosen
//!    ([`BuildSystem`]), an environment is obtained from [`BuildEnvironments`]
//!    for `build-system.requires`, the backend is asked
//!    `get_requires_for_build_wheel` (or `_editable`), the environment is
//!    asked again with the union if that added anything, the key's store
//!    lock is taken (a concurrent build of the same thing, in this process
//!    or another, waits and then finds it; the lock is not held while the
//!    environment is made, which may build other sdists), and `build_wheel`
//!    (or `build_editable`) writes the wheel into a temporary directory.
//!    The `get_requires_*` answer is remembered (in memory, by cache key),
//!    so a build that follows a metadata hook for the same source does
//!    not ask again: one subprocess less, which is most of the cost of a
//!    build whose environment is cached.
//! 3. The wheel is copied into the store reservation and committed. Any
//!    failure drops the reservation, which deletes the temporary: a failed
//!    build leaves no cache entry.
//!
//! With a [shared cache](crate::SharedBuildCache) configured, a wheel
//! build of an sdist in isolation asks it between steps 1 and 2, once the
//! sdist is unpacked and its build requirements resolved (the
//! [`BuildIdentity`](crate::BuildIdentity) needs both): a wheel it has is
//! checked and committed under the local key, and no backend runs;
//! otherwise the wheel built in step 2 is uploaded to it after step 3. A
//! metadata request asks it too, before any hook. Every failure of the
//! shared cache is a warning and a local build.
//!
//! At most `max_concurrent_builds` builds (hook subprocesses and the
//! unpacking for them) run at once. Each build that does work (a metadata
//! hook or a wheel build, not a cache hit) is announced to the
//! [`BuildReporter`] of the options, if any, when it starts and when it
//! ends, with the [`BuildLabel`] read from its tree; it also logs a
//! `tracing::info!` line (target `posy_build`) when it starts.
//!
//! # Metadata
//!
//! [`BuildFrontend::metadata`] is what a resolver needs for a source with no
//! wheel. It takes the cheapest path that is correct, and says which it
//! took ([`MetadataOrigin`]):
//!
//! 1. an sdist's `PKG-INFO`, if it is Metadata 2.2+ and does not declare
//!    `Requires-Dist`, `Requires-Python` or `Provides-Extra` dynamic (PEP
//!    643), read straight from the archive: no extraction, no subprocess;
//! 2. a project directory's `pyproject.toml`, when its `[project]` table
//!    states name, version and dependencies statically (PEP 621; see
//!    [`pyproject_metadata`](crate::pyproject_metadata)): no subprocess;
//! 3. the `METADATA` of a wheel already built from the same source;
//! 4. the answer of an earlier metadata hook for the same source (kept in
//!    the `built/` bucket beside the wheels);
//! 5. `prepare_metadata_for_build_wheel` (or `_editable`);
//! 6. if the backend lacks that hook, a full build, whose wheel is cached.
//!
//! # Isolation
//!
//! With [`Isolation::Isolated`] (the default), backends run in environments
//! from [`BuildEnvironments`]. With [`Isolation::Shared`]
//! (`--no-build-isolation`) they run with the frontend's interpreter as it
//! is: nothing is installed, the build requirements are the user's business,
//! and `get_requires_for_build_*` is not called.
//!
//! # Per-package settings
//!
//! [`BuildOptions::package_config_settings`] and
//! [`BuildOptions::shared_isolation`] apply to the builds of one package.
//! The package is known by the name its source states without a build
//! ([`BuildSource::read_name`]), read only when such settings exist, before
//! the cache key is made (the settings are part of it); a project whose
//! name only its backend can tell gets the common settings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use posy_python::Interpreter;
use posy_store::{FileValue, Key, Lookup, Reservation, Store, Tag};
use posy_vocab::{CoreMetadata, PackageName, Requirement, WheelFilename};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;

use crate::archive::{read_pkg_info, sha256_file, unpack_sdist};
use crate::build_system::BuildSystem;
use crate::config_settings::ConfigSettings;
use crate::environment::{BuildEnv, BuildEnvironments};
use crate::error::{BuildError, IoContext};
use crate::fingerprint::fingerprint_tree;
use crate::hook::{Hook, HookContext, HookOutcome};
use crate::pyproject_metadata::pyproject_metadata;
use crate::reporter::{BuildLabel, BuildReporter, BuildStage, Reported, SharedCacheEvent};
use crate::shared_cache::{BuildIdentity, SharedBuildCache, check_cached_wheel};
use crate::source::BuildSource;
use crate::wheel_name::{wheel_filename, wheel_metadata};

/// Bumped when the meaning of a `built/` entry changes.
const CACHE_FORMAT: &str = "posy-build/1";
/// The same for the `METADATA` files kept from metadata hooks (keyed by
/// the built-wheel key of the same source and settings).
const METADATA_FORMAT: &str = "posy-build/metadata/1";

/// Whether backends run in their own environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Each build gets an environment with its build requirements from
    /// [`BuildEnvironments`] (PEP 518).
    #[default]
    Isolated,
    /// Hooks run with the frontend's interpreter and whatever is installed
    /// there (`--no-build-isolation`).
    Shared,
}

/// How builds are done.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Passed to every hook (`--config-settings`).
    pub config_settings: ConfigSettings,
    /// A package's own settings, passed before `config_settings` to its
    /// hooks (`--config-settings-package`).
    pub package_config_settings: BTreeMap<PackageName, ConfigSettings>,
    pub isolation: Isolation,
    /// Packages built under [`Isolation::Shared`] whatever `isolation` says
    /// (`--no-build-isolation-package`).
    pub shared_isolation: BTreeSet<PackageName>,
    /// At most this many builds run at once (at least one).
    pub max_concurrent_builds: usize,
    /// Told when each build starts and ends (progress lines).
    pub reporter: Option<Arc<dyn BuildReporter>>,
    /// A package index shared with other machines: sdist builds are
    /// looked up there first and uploaded there after (see
    /// [`SharedBuildCache`]).
    pub shared_cache: Option<Arc<dyn SharedBuildCache>>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            config_settings: ConfigSettings::default(),
            package_config_settings: BTreeMap::new(),
            isolation: Isolation::Isolated,
            shared_isolation: BTreeSet::new(),
            max_concurrent_builds: std::thread::available_parallelism().map_or(2, |n| n.get()),
            reporter: None,
            shared_cache: None,
        }
    }
}

/// A wheel in the store's `built/` bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltWheel {
    /// The wheel file (its name in the store is a hash; use `filename`).
    pub path: PathBuf,
    /// The name the wheel has per PEP 427, read from the wheel itself.
    pub filename: WheelFilename,
    /// Whether it came from the cache (no backend ran).
    pub cached: bool,
}

/// Where [`BuildFrontend::metadata`] found the metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataOrigin {
    /// The sdist's `PKG-INFO`, static per PEP 643. No subprocess ran.
    PkgInfo,
    /// A project directory's `pyproject.toml` `[project]` table, static
    /// per PEP 621. Only the fields a resolver reads are filled in (name,
    /// version, dependencies, extras, `Requires-Python`). No subprocess ran.
    Pyproject,
    /// A wheel built earlier from the same source. No subprocess ran.
    CachedWheel,
    /// An earlier `prepare_metadata_for_build_*` answer for the same
    /// source and settings, kept in the store. No subprocess ran.
    CachedMetadata,
    /// The backend's `prepare_metadata_for_build_wheel` (or `_editable`);
    /// the answer is kept in the store.
    PrepareMetadataHook,
    /// A full build (the backend has no metadata hook); the wheel is cached.
    BuiltWheel,
}

/// A source's core metadata and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMetadata {
    pub metadata: CoreMetadata,
    pub origin: MetadataOrigin,
}

/// The PEP 517/660 build frontend. Cheap to clone; clones share the
/// concurrency bound.
pub struct BuildFrontend<E> {
    inner: Arc<Inner<E>>,
}

impl<E> Clone for BuildFrontend<E> {
    fn clone(&self) -> Self {
        BuildFrontend {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<E> {
    store: Store,
    environments: E,
    python: Interpreter,
    options: BuildOptions,
    permits: Semaphore,
    hook_runs: AtomicU64,
    /// What `get_requires_for_build_*` answered, by built-wheel key and
    /// kind: a metadata hook and the build that follows it for the same
    /// source ask once.
    extra_requires: Mutex<HashMap<(Key, Kind), Vec<Requirement>>>,
    /// Identities the shared cache did not have (or had unusable), so a
    /// metadata request and the build that follows ask once.
    shared_misses: Mutex<HashSet<String>>,
}

/// Wheel or editable wheel: which hooks to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Wheel,
    Editable,
}

impl Kind {
    fn of(source: &BuildSource) -> Kind {
        if source.is_editable() {
            Kind::Editable
        } else {
            Kind::Wheel
        }
    }

    fn stage(self) -> BuildStage {
        match self {
            Kind::Wheel => BuildStage::Wheel,
            Kind::Editable => BuildStage::Editable,
        }
    }

    fn get_requires(self) -> Hook {
        match self {
            Kind::Wheel => Hook::GetRequiresForBuildWheel,
            Kind::Editable => Hook::GetRequiresForBuildEditable,
        }
    }

    fn prepare_metadata(self) -> Hook {
        match self {
            Kind::Wheel => Hook::PrepareMetadataForBuildWheel,
            Kind::Editable => Hook::PrepareMetadataForBuildEditable,
        }
    }

    fn build(self) -> Hook {
        match self {
            Kind::Wheel => Hook::BuildWheel,
            Kind::Editable => Hook::BuildEditable,
        }
    }
}

/// The settings of one source's builds: the common ones, with its
/// package's own (see "Per-package settings" above).
#[derive(Debug, Clone)]
struct SourceSettings {
    config_settings: ConfigSettings,
    isolation: Isolation,
}

/// A source tree ready for hooks: where it is, what builds it, what it
/// is called, its settings, and the working directory of the build (in
/// the store's `tmp/`), which holds an unpacked sdist, the hooks' files
/// and what they write, until it is dropped.
struct Prepared {
    tree: PathBuf,
    settings: SourceSettings,
    system: BuildSystem,
    build_label: BuildLabel,
    /// `build_label` as text, for error messages.
    label: String,
    scratch: tempfile::TempDir,
}

impl<E: BuildEnvironments> BuildFrontend<E> {
    /// A frontend that caches in `store`, gets build environments from
    /// `environments`, and builds for `python` (which also runs the hooks
    /// under [`Isolation::Shared`]).
    pub fn new(store: Store, environments: E, python: Interpreter, options: BuildOptions) -> Self {
        let permits = Semaphore::new(options.max_concurrent_builds.max(1));
        BuildFrontend {
            inner: Arc::new(Inner {
                store,
                environments,
                python,
                options,
                permits,
                hook_runs: AtomicU64::new(0),
                extra_requires: Mutex::default(),
                shared_misses: Mutex::default(),
            }),
        }
    }

    /// How many hook subprocesses this frontend (and its clones) started.
    pub fn hook_runs(&self) -> u64 {
        self.inner
            .hook_runs
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The built wheel for `source`, from the cache or by building it (see
    /// the module documentation).
    pub async fn build(&self, source: &BuildSource) -> Result<BuiltWheel, BuildError> {
        let settings = self.settings(source).await?;
        let key = self.cache_key(source, &settings).await?;
        if let Some(wheel) = self.cached_wheel(&key).await? {
            return Ok(wheel);
        }
        let _permit = self.permit().await;
        let kind = Kind::of(source);
        let prepared = self.prepare(source, settings).await?;
        let shared = self.shared_identity(source, &prepared, kind).await;
        if let Some(identity) = &shared
            && let Some(wheel) = self.fetch_shared(identity, &prepared, &key).await?
        {
            return Ok(wheel);
        }
        tracing::info!(target: "posy_build", source = %source.display_name(), "Building {}", prepared.label);
        let mut reported = Reported::start(self.reporter(), &prepared.build_label, kind.stage());
        let env = self.environment(&prepared, kind, &key).await?;
        // The lock is taken only now: getting the environment may build
        // other sdists, and holding this key's lock meanwhile could
        // deadlock two builds that each need the other built (a cycle,
        // which the environment provider then reports instead).
        let wheel = match self.reserve(&key).await? {
            Lookup::Hit(path) => self.open_cached(path).await?,
            Lookup::Miss(reservation) => {
                let wheel = self.build_into(reservation, &prepared, &env, kind).await?;
                if let Some(identity) = &shared {
                    self.upload_shared(identity, &wheel, &prepared).await;
                }
                wheel
            }
        };
        reported.succeeded();
        Ok(wheel)
    }

    /// The shared-cache identity of building `source`, when it can be
    /// shared: an sdist built into a wheel in isolation, with a shared
    /// cache configured, whose build requirements resolve. `None` (with
    /// a warning when resolving failed) means "build locally".
    async fn shared_identity(
        &self,
        source: &BuildSource,
        prepared: &Prepared,
        kind: Kind,
    ) -> Option<BuildIdentity> {
        self.inner.options.shared_cache.as_ref()?;
        let BuildSource::Sdist { path, sha256 } = source else {
            return None;
        };
        if kind != Kind::Wheel || prepared.settings.isolation == Isolation::Shared {
            return None;
        }
        let name = prepared.build_label.name.clone()?;
        let version = prepared.build_label.version.clone()?;
        let sdist_sha256 = match sha256 {
            Some(digest) => digest.clone(),
            None => {
                let path = path.clone();
                blocking(move || sha256_file(&path)).await.ok()?
            }
        };
        let python = &self.inner.python;
        let pins = match self
            .inner
            .environments
            .pins(python, &prepared.system.requires)
            .await
        {
            Ok(pins) => pins,
            Err(e) => {
                tracing::warn!(
                    "not using the build cache for {}: its build requirements do not resolve ({e})",
                    prepared.label
                );
                return None;
            }
        };
        let target = python
            .tags()
            .iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        Some(BuildIdentity::new(
            name,
            version,
            &sdist_sha256,
            &pins,
            &prepared.settings.config_settings.to_json().to_string(),
            &target,
        ))
    }

    /// The wheel of `identity` from the shared cache, checked and put in
    /// the local cache under `key`; `None` when the cache has no usable one.
    async fn fetch_shared(
        &self,
        identity: &BuildIdentity,
        prepared: &Prepared,
        key: &Key,
    ) -> Result<Option<BuiltWheel>, BuildError> {
        let Some(cache) = &self.inner.options.shared_cache else {
            return Ok(None);
        };
        let missed = self
            .inner
            .shared_misses
            .lock()
            .is_ok_and(|misses| misses.contains(&identity.digest));
        if missed {
            return Ok(None);
        }
        let miss = || {
            if let Ok(mut misses) = self.inner.shared_misses.lock() {
                misses.insert(identity.digest.clone());
            }
        };
        let path = match cache.fetch(identity).await {
            Ok(Some(path)) => path,
            Ok(None) => {
                miss();
                return Ok(None);
            }
            Err(e) => {
                tracing::warn!(
                    "the build cache could not be asked for {} ({e}); building locally",
                    prepared.label
                );
                miss();
                return Ok(None);
            }
        };
        let checked = {
            let (path, identity, python) =
                (path.clone(), identity.clone(), self.inner.python.clone());
            blocking(move || check_cached_wheel(&path, &identity, &python)).await
        };
        if let Err(e) = checked {
            tracing::warn!(
                "refusing the build cache's wheel for {}: {e}; building locally",
                prepared.label
            );
            miss();
            return Ok(None);
        }
        let wheel = match self.reserve(key).await? {
            Lookup::Hit(path) => self.open_cached(path).await?,
            Lookup::Miss(mut reservation) => {
                if let Ok(tag) = Tag::new(identity.name.as_str()) {
                    reservation.tag(tag);
                }
                let stored = blocking(move || {
                    let mut file = std::fs::File::open(&path).ctx("open", &path)?;
                    let target = reservation.path().to_path_buf();
                    std::io::copy(&mut file, reservation.file()).ctx("write", &target)?;
                    reservation.commit().map_err(BuildError::from)
                })
                .await?;
                self.open_cached(stored).await?
            }
        };
        tracing::info!(target: "posy_build", "Fetched {} from the build cache", prepared.label);
        if let Some(reporter) = self.reporter() {
            reporter.on_shared_cache(&prepared.build_label, SharedCacheEvent::Fetched);
        }
        Ok(Some(wheel))
    }

    /// Uploads a wheel just built to the shared cache; a failure is a
    /// warning (the local build stands).
    async fn upload_shared(
        &self,
        identity: &BuildIdentity,
        wheel: &BuiltWheel,
        prepared: &Prepared,
    ) {
        let Some(cache) = &self.inner.options.shared_cache else {
            return;
        };
        let filename = identity.upload_filename(&wheel.filename);
        match cache.upload(identity, &wheel.path, &filename).await {
            Ok(false) => {}
            Ok(true) => {
                if let Some(reporter) = self.reporter() {
                    reporter.on_shared_cache(&prepared.build_label, SharedCacheEvent::Uploaded);
                }
            }
            Err(e) => tracing::warn!(
                "the build cache did not take {filename} ({e}); the local build is used"
            ),
        }
    }

    fn reporter(&self) -> Option<&dyn BuildReporter> {
        self.inner.options.reporter.as_deref()
    }

    /// Takes the store lock of `key` (waiting for whoever holds it).
    async fn reserve(&self, key: &Key) -> Result<Lookup<FileValue>, BuildError> {
        let bucket = self.inner.store.built();
        let key = key.clone();
        blocking(move || bucket.lock_or_get(&key).map_err(BuildError::from)).await
    }

    /// Builds the wheel and publishes it under the reservation; on any
    /// error the reservation is dropped, which leaves no entry.
    async fn build_into(
        &self,
        mut reservation: Reservation<FileValue>,
        prepared: &Prepared,
        env: &BuildEnv,
        kind: Kind,
    ) -> Result<BuiltWheel, BuildError> {
        let started = Instant::now();
        let out = prepared.scratch.path().join("wheel");
        std::fs::create_dir(&out).ctx("create", &out)?;
        let built = self.run_build(prepared, env, kind, &out).await?;
        let filename = built.filename.clone();
        // Attribute the entry to its package, for `posy cache clean NAME`.
        if let Ok(tag) = Tag::new(filename.name().as_str()) {
            reservation.tag(tag);
        }
        let path = blocking(move || {
            let mut file = std::fs::File::open(&built.path).ctx("open", &built.path)?;
            let target = reservation.path().to_path_buf();
            std::io::copy(&mut file, reservation.file()).ctx("write", &target)?;
            reservation.commit().map_err(BuildError::from)
        })
        .await?;
        tracing::debug!(target: "posy_build", wheel = %filename, seconds = started.elapsed().as_secs_f64(), "built");
        Ok(BuiltWheel {
            path,
            filename,
            cached: false,
        })
    }

    /// The core metadata of `source`, by the cheapest correct path (see the
    /// module documentation).
    pub async fn metadata(&self, source: &BuildSource) -> Result<SourceMetadata, BuildError> {
        if let BuildSource::Sdist { path, .. } = source
            && let Some(metadata) = static_pkg_info(path).await?
        {
            return Ok(SourceMetadata {
                metadata,
                origin: MetadataOrigin::PkgInfo,
            });
        }
        if let BuildSource::Directory { path } | BuildSource::Editable { path } = source {
            let path = path.clone();
            if let Some(metadata) = blocking(move || Ok(pyproject_metadata(&path))).await? {
                return Ok(SourceMetadata {
                    metadata,
                    origin: MetadataOrigin::Pyproject,
                });
            }
        }
        let settings = self.settings(source).await?;
        let key = self.cache_key(source, &settings).await?;
        if let Some(wheel) = self.cached_wheel(&key).await? {
            let metadata = blocking(move || wheel_metadata(&wheel.path)).await?;
            return Ok(SourceMetadata {
                metadata,
                origin: MetadataOrigin::CachedWheel,
            });
        }
        let metadata_key = Key::hash_of_parts([METADATA_FORMAT, key.as_str()]);
        if let Some(metadata) = self.cached_metadata(&metadata_key).await? {
            return Ok(SourceMetadata {
                metadata,
                origin: MetadataOrigin::CachedMetadata,
            });
        }
        let _permit = self.permit().await;
        let kind = Kind::of(source);
        let prepared = self.prepare(source, settings).await?;
        if let Some(identity) = self.shared_identity(source, &prepared, kind).await
            && let Some(wheel) = self.fetch_shared(&identity, &prepared, &key).await?
        {
            let metadata = blocking(move || wheel_metadata(&wheel.path)).await?;
            return Ok(SourceMetadata {
                metadata,
                origin: MetadataOrigin::CachedWheel,
            });
        }
        tracing::info!(target: "posy_build", source = %source.display_name(), "Preparing metadata for {}", prepared.label);
        let mut reported =
            Reported::start(self.reporter(), &prepared.build_label, BuildStage::Metadata);
        let env = self.environment(&prepared, kind, &key).await?;
        let out = prepared.scratch.path().join("metadata");
        std::fs::create_dir(&out).ctx("create", &out)?;
        let hook = kind.prepare_metadata();
        let mut kwargs = Map::new();
        kwargs.insert("metadata_directory".into(), path_value(&out));
        if let HookOutcome::Returned(value) = self.call(&prepared, &env, hook, kwargs).await? {
            let dist_info = self.returned_name(&prepared, hook, &value)?;
            let file = out.join(&dist_info).join("METADATA");
            let bytes = std::fs::read(&file).map_err(|e| BuildError::BadHookResult {
                package: prepared.label.clone(),
                hook,
                reason: format!("`{}` cannot be read ({e})", file.display()),
            })?;
            let metadata = CoreMetadata::parse(&bytes).map_err(|e| BuildError::BadHookResult {
                package: prepared.label.clone(),
                hook,
                reason: format!("its METADATA is invalid: {e}"),
            })?;
            let bucket = self.inner.store.built();
            let tag = Tag::new(metadata.name.as_str()).ok();
            blocking(move || {
                let Lookup::Miss(mut reservation) = bucket.lock_or_get(&metadata_key)? else {
                    return Ok(());
                };
                // Attributed to its package, for `posy cache clean NAME`.
                if let Some(tag) = tag {
                    reservation.tag(tag);
                }
                let path = reservation.path().to_path_buf();
                reservation.file().write_all(&bytes).ctx("write", &path)?;
                reservation.commit()?;
                Ok(())
            })
            .await?;
            reported.succeeded();
            return Ok(SourceMetadata {
                metadata,
                origin: MetadataOrigin::PrepareMetadataHook,
            });
        }
        // The backend has no metadata hook: build the wheel with the tree and
        // environment at hand, and read its METADATA.
        let wheel = match self.reserve(&key).await? {
            Lookup::Hit(path) => self.open_cached(path).await?,
            Lookup::Miss(reservation) => {
                self.build_into(reservation, &prepared, &env, kind).await?
            }
        };
        let metadata = blocking(move || wheel_metadata(&wheel.path)).await?;
        reported.succeeded();
        Ok(SourceMetadata {
            metadata,
            origin: MetadataOrigin::BuiltWheel,
        })
    }

    async fn permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        // The semaphore is never closed, so acquiring cannot fail.
        match self.inner.permits.acquire().await {
            Ok(permit) => permit,
            Err(_) => unreachable!("the build semaphore is never closed"),
        }
    }

    /// The settings for `source`'s builds; its name is read only when some
    /// package has settings of its own.
    async fn settings(&self, source: &BuildSource) -> Result<SourceSettings, BuildError> {
        let options = &self.inner.options;
        let mut settings = SourceSettings {
            config_settings: options.config_settings.clone(),
            isolation: options.isolation,
        };
        if options.package_config_settings.is_empty() && options.shared_isolation.is_empty() {
            return Ok(settings);
        }
        let source = source.clone();
        let Some(name) = blocking(move || Ok(source.read_name())).await? else {
            return Ok(settings);
        };
        if let Some(own) = options.package_config_settings.get(&name) {
            settings.config_settings = own.followed_by(&options.config_settings);
        }
        if options.shared_isolation.contains(&name) {
            settings.isolation = Isolation::Shared;
        }
        Ok(settings)
    }

    /// The `built/` key of `source` under `settings`.
    async fn cache_key(
        &self,
        source: &BuildSource,
        settings: &SourceSettings,
    ) -> Result<Key, BuildError> {
        let source = source.clone();
        let identity = blocking(move || source_identity(&source)).await?;
        let python = &self.inner.python;
        let most_specific_tag = python
            .tags()
            .iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        Ok(Key::hash_of_parts([
            CACHE_FORMAT.to_string(),
            identity,
            settings.config_settings.to_json().to_string(),
            format!("{:?}", settings.isolation),
            python.display_name(),
            most_specific_tag,
        ]))
    }

    /// The cached wheel under `key`; an unreadable entry is removed and
    /// counts as a miss.
    async fn cached_wheel(&self, key: &Key) -> Result<Option<BuiltWheel>, BuildError> {
        let bucket = self.inner.store.built();
        let Some(path) = bucket.get(key) else {
            return Ok(None);
        };
        match self.open_cached(path).await {
            Ok(wheel) => Ok(Some(wheel)),
            Err(BuildError::BadWheel { path, reason }) => {
                tracing::warn!(entry = %path.display(), "removing unusable cached wheel: {reason}");
                bucket.remove(key)?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Metadata cached from an earlier metadata hook; an unreadable entry
    /// is removed and counts as a miss.
    async fn cached_metadata(&self, key: &Key) -> Result<Option<CoreMetadata>, BuildError> {
        let bucket = self.inner.store.built();
        let Some(path) = bucket.get(key) else {
            return Ok(None);
        };
        let key = key.clone();
        blocking(move || {
            let parsed = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| CoreMetadata::parse(&bytes).map_err(|e| e.to_string()));
            match parsed {
                Ok(metadata) => Ok(Some(metadata)),
                Err(reason) => {
                    tracing::warn!(entry = %path.display(), "removing unusable cached metadata: {reason}");
                    bucket.remove(&key)?;
                    Ok(None)
                }
            }
        })
        .await
    }

    async fn open_cached(&self, path: PathBuf) -> Result<BuiltWheel, BuildError> {
        blocking(move || {
            let filename = wheel_filename(&path)?;
            Ok(BuiltWheel {
                path,
                filename,
                cached: true,
            })
        })
        .await
    }

    /// Unpacks an sdist (or checks a directory) and reads its build system.
    async fn prepare(
        &self,
        source: &BuildSource,
        settings: SourceSettings,
    ) -> Result<Prepared, BuildError> {
        let source = source.clone();
        let store = self.inner.store.clone();
        blocking(move || {
            let scratch = store.scratch_dir("build-")?;
            let tree = match &source {
                BuildSource::Sdist { path, .. } => unpack_sdist(path, &scratch.path().join("src"))?,
                BuildSource::Directory { path } | BuildSource::Editable { path } => {
                    std::fs::canonicalize(path).ctx("find", path)?
                }
            };
            let system = BuildSystem::read(&tree)?;
            let build_label = BuildLabel::read(&source, &tree);
            Ok(Prepared {
                label: build_label.to_string(),
                build_label,
                tree,
                settings,
                system,
                scratch,
            })
        })
        .await
    }

    /// The environment the hooks of `kind` run in.
    async fn environment(
        &self,
        prepared: &Prepared,
        kind: Kind,
        key: &Key,
    ) -> Result<BuildEnv, BuildError> {
        if prepared.settings.isolation == Isolation::Shared {
            return Ok(BuildEnv {
                python: self.inner.python.executable().to_path_buf(),
                path_dirs: Vec::new(),
            });
        }
        let mut requires = prepared.system.requires.clone();
        let memo_key = (key.clone(), kind);
        let known = self
            .inner
            .extra_requires
            .lock()
            .ok()
            .and_then(|memo| memo.get(&memo_key).cloned());
        if let Some(extra) = known {
            add_new(&mut requires, extra);
            return self.request_environment(prepared, &requires).await;
        }
        let env = self.request_environment(prepared, &requires).await?;
        let hook = kind.get_requires();
        let extra = match self.call(prepared, &env, hook, Map::new()).await? {
            HookOutcome::Missing => Vec::new(),
            HookOutcome::Returned(value) => self.requirements(prepared, hook, &value)?,
        };
        if let Ok(mut memo) = self.inner.extra_requires.lock() {
            memo.insert(memo_key, extra.clone());
        }
        if !add_new(&mut requires, extra) {
            return Ok(env);
        }
        self.request_environment(prepared, &requires).await
    }

    async fn request_environment(
        &self,
        prepared: &Prepared,
        requires: &[Requirement],
    ) -> Result<BuildEnv, BuildError> {
        self.inner
            .environments
            .environment(&self.inner.python, requires, &prepared.build_label)
            .await
            .map_err(|cause| BuildError::Environment {
                package: prepared.label.clone(),
                requires: requirement_list(requires),
                cause,
            })
    }

    async fn call(
        &self,
        prepared: &Prepared,
        env: &BuildEnv,
        hook: Hook,
        kwargs: Map<String, Value>,
    ) -> Result<HookOutcome, BuildError> {
        HookContext {
            package: &prepared.label,
            tree: &prepared.tree,
            scratch: prepared.scratch.path(),
            system: &prepared.system,
            env,
            config_settings: &prepared.settings.config_settings,
            runs: &self.inner.hook_runs,
        }
        .call(hook, kwargs)
        .await
    }

    /// Runs `build_wheel` or `build_editable` into `out`; returns the wheel.
    async fn run_build(
        &self,
        prepared: &Prepared,
        env: &BuildEnv,
        kind: Kind,
        out: &Path,
    ) -> Result<BuiltWheel, BuildError> {
        let hook = kind.build();
        let mut kwargs = Map::new();
        kwargs.insert("wheel_directory".into(), path_value(out));
        kwargs.insert("metadata_directory".into(), Value::Null);
        let value = match self.call(prepared, env, hook, kwargs).await? {
            HookOutcome::Returned(value) => value,
            HookOutcome::Missing => {
                return Err(BuildError::HookMissing {
                    package: prepared.label.clone(),
                    hook,
                    advice: match kind {
                        Kind::Editable => {
                            "it predates PEP 660 editable installs; upgrade the backend in `build-system.requires` or install without `-e`"
                        }
                        Kind::Wheel => {
                            "it is not a PEP 517 backend; check `build-system.build-backend`"
                        }
                    },
                });
            }
        };
        let name = self.returned_name(prepared, hook, &value)?;
        let path = out.join(&name);
        let bad = |reason: String| BuildError::BadHookResult {
            package: prepared.label.clone(),
            hook,
            reason,
        };
        let filename: WheelFilename = name
            .parse()
            .map_err(|e| bad(format!("`{name}` is not a wheel filename:\n{e}")))?;
        if !path.is_file() {
            return Err(bad(format!("it named `{name}`, which it did not write")));
        }
        Ok(BuiltWheel {
            path,
            filename,
            cached: false,
        })
    }

    /// A hook's returned basename (of a wheel or a `.dist-info`), checked
    /// to be a plain file name.
    fn returned_name(
        &self,
        prepared: &Prepared,
        hook: Hook,
        value: &Value,
    ) -> Result<String, BuildError> {
        let name = value.as_str().unwrap_or_default();
        let plain = !name.is_empty()
            && Path::new(name).file_name().is_some_and(|n| n == name)
            && name != "..";
        if plain {
            Ok(name.to_string())
        } else {
            Err(BuildError::BadHookResult {
                package: prepared.label.clone(),
                hook,
                reason: format!("expected a file name, got {value}"),
            })
        }
    }

    fn requirements(
        &self,
        prepared: &Prepared,
        hook: Hook,
        value: &Value,
    ) -> Result<Vec<Requirement>, BuildError> {
        let bad = |reason: String| BuildError::BadHookResult {
            package: prepared.label.clone(),
            hook,
            reason,
        };
        let items = value
            .as_array()
            .ok_or_else(|| bad(format!("expected a list of requirements, got {value}")))?;
        items
            .iter()
            .map(|item| {
                let text = item
                    .as_str()
                    .ok_or_else(|| bad(format!("expected a requirement string, got {item}")))?;
                text.parse::<Requirement>()
                    .map_err(|e| bad(format!("invalid requirement:\n{e}")))
            })
            .collect()
    }
}

/// What identifies the source's content for the cache key.
fn source_identity(source: &BuildSource) -> Result<String, BuildError> {
    Ok(match source {
        BuildSource::Sdist { path, sha256 } => {
            let digest = match sha256 {
                Some(digest) => digest.to_ascii_lowercase(),
                None => sha256_file(path)?,
            };
            format!("sdist:{digest}")
        }
        BuildSource::Directory { path } | BuildSource::Editable { path } => {
            let root = std::fs::canonicalize(path).ctx("find", path)?;
            if !root.is_dir() {
                return Err(BuildError::NotAProject { path: root });
            }
            let kind = if source.is_editable() {
                "editable"
            } else {
                "directory"
            };
            format!("{kind}:{}:{}", root.display(), fingerprint_tree(&root)?)
        }
    })
}

/// The sdist's `PKG-INFO`, if PEP 643 lets a resolver trust it.
async fn static_pkg_info(archive: &Path) -> Result<Option<CoreMetadata>, BuildError> {
    let archive = archive.to_path_buf();
    blocking(move || {
        let Some(bytes) = read_pkg_info(&archive)? else {
            return Ok(None);
        };
        let metadata = match CoreMetadata::parse(&bytes) {
            Ok(metadata) => metadata,
            Err(e) => {
                tracing::debug!(sdist = %archive.display(), "unusable PKG-INFO ({e}); asking the backend");
                return Ok(None);
            }
        };
        let fields = ["Requires-Dist", "Requires-Python", "Provides-Extra"];
        Ok(fields
            .iter()
            .all(|field| metadata.is_static(field))
            .then_some(metadata))
    })
    .await
}

/// Appends the requirements of `extra` not already in `requires`; says
/// whether there were any.
fn add_new(requires: &mut Vec<Requirement>, extra: Vec<Requirement>) -> bool {
    let before = requires.len();
    for requirement in extra {
        if !requires.contains(&requirement) {
            requires.push(requirement);
        }
    }
    requires.len() > before
}

fn requirement_list(requires: &[Requirement]) -> String {
    if requires.is_empty() {
        return "none".into();
    }
    requires
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn path_value(path: &Path) -> Value {
    Value::String(path.to_string_lossy().into_owned())
}

/// Runs blocking file work off the async threads.
async fn blocking<T, F>(work: F) -> Result<T, BuildError>
where
    F: FnOnce() -> Result<T, BuildError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(BuildError::Io {
            action: "finish background work for",
            path: PathBuf::from("build"),
            source: std::io::Error::other(e),
        }),
    }
}
