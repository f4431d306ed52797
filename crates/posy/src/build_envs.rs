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
//! built in the store's staging area and renamed into place; a virtual
//! environment tolerates the move (its interpreter finds its prefix from
//! its own location), except that console scripts of build requirements
//! keep a shebang naming the staging path. Backends are run as
//! `python -m`/imports by the frontend, so that is harmless for them; a
//! build that shells out to such a script would fail, and says which.
//!
//! Build requirements are resolved to wheels only: a build requirement that
//! exists only as an sdist would need a build to build, which is refused
//! (as uv does by default) rather than recursed into.

use std::future::Future;
use std::sync::Arc;

use posy_build::{BuildEnv, BuildEnvironments, EnvironmentError};
use posy_index::IndexClient;
use posy_install::{InstallOptions, InstallScheme, Installer, LinkMode, prepare_wheel};
use posy_python::{Interpreter, OnExisting, VenvOptions, create_venv};
use posy_resolve::{ResolveRequest, Target, resolve};
use posy_store::{Key, Lookup, Store};
use posy_vocab::Requirement;

use crate::provider::IndexProvider;

/// Makes (or finds) build environments with posy's resolver and installer.
#[derive(Clone)]
pub struct PosyBuildEnvironments {
    store: Store,
    client: IndexClient,
}

impl PosyBuildEnvironments {
    pub fn new(store: Store, client: IndexClient) -> Self {
        Self { store, client }
    }
}

impl BuildEnvironments for PosyBuildEnvironments {
    fn environment(
        &self,
        python: &Interpreter,
        requires: &[Requirement],
    ) -> impl Future<Output = Result<BuildEnv, EnvironmentError>> + Send {
        let this = self.clone();
        let python = python.clone();
        let requires = requires.to_vec();
        async move {
            // The resolver's futures are not `Send`; give it a thread and a
            // runtime of its own, so this future can be awaited anywhere.
            let resolve_client = this.client.clone();
            let target_python = python.clone();
            let resolution = tokio::task::spawn_blocking(move || -> Result<_, EnvironmentError> {
                let target =
                    Target::from_environment(target_python.markers(), target_python.tags())
                        .ok_or("the interpreter reports no usable python_version")?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let provider = IndexProvider::new(&resolve_client);
                let request = ResolveRequest::new(requires, target);
                Ok(runtime.block_on(resolve(&request, &provider))?)
            })
            .await??;
            let mut parts: Vec<String> = vec![
                "build-env-v1".into(),
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

            let store = this.store.clone();
            let lookup_key = key.clone();
            let lookup =
                tokio::task::spawn_blocking(move || store.unpacked().lock_or_get(&lookup_key))
                    .await??;
            let reservation = match lookup {
                Lookup::Hit(dir) => return Ok(env_in(&dir)),
                Lookup::Miss(reservation) => reservation,
            };
            let options = VenvOptions {
                prompt: Some("posy-build".into()),
                system_site_packages: false,
                on_existing: OnExisting::Allow,
                command: None,
                posy_version: env!("CARGO_PKG_VERSION").to_string(),
            };
            let venv = create_venv(&python, reservation.path(), &options)?;
            let (major, minor, _) = python.python_release();
            let scheme = InstallScheme {
                prefix: venv.root.clone(),
                purelib: venv.site_packages.clone(),
                platlib: venv.site_packages.clone(),
                scripts: venv.scripts.clone(),
                data: venv.root.clone(),
                include: venv
                    .root
                    .join("include")
                    .join("site")
                    .join(format!("python{major}.{minor}")),
                python: venv.python.clone(),
            };
            let installer = Arc::new(Installer::new(scheme, LinkMode::default(), "posy"));
            for package in &resolution.packages {
                let file = package
                    .best_file()
                    .filter(|f| f.is_wheel())
                    .ok_or_else(|| format!("build requirement {}=={} has no wheel for this interpreter; posy does not build build requirements from source", package.name, package.version))?;
                // The listing is in the page cache from the resolution just made.
                let entry = this
                    .client
                    .project(&package.name)
                    .await?
                    .files
                    .into_iter()
                    .find(|f| f.filename == file.filename)
                    .ok_or_else(|| format!("{} vanished from the index listing", file.filename))?;
                let wheel = prepare_wheel(&this.client, &this.store, entry).await?;
                let installer = Arc::clone(&installer);
                tokio::task::spawn_blocking(move || {
                    installer.install(&wheel, &InstallOptions::default())
                })
                .await??;
            }
            let dir = tokio::task::spawn_blocking(move || reservation.commit()).await??;
            Ok(env_in(&dir))
        }
    }
}

fn env_in(dir: &std::path::Path) -> BuildEnv {
    BuildEnv {
        python: dir.join("bin").join("python"),
        path_dirs: vec![dir.join("bin")],
    }
}

/// The build frontend for builds targeting `python`.
pub fn builder(
    store: &Store,
    client: &IndexClient,
    python: Interpreter,
) -> crate::provider::Builder {
    posy_build::BuildFrontend::new(
        store.clone(),
        PosyBuildEnvironments::new(store.clone(), client.clone()),
        python,
        posy_build::BuildOptions::default(),
    )
}
