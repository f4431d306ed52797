//! Managed Python as operations: install, upgrade, uninstall, list, and
//! the automatic install behind every command that needs an interpreter.
//!
//! The engine is `posy_python::managed` (the table, the verified and
//! atomic install, the layout); this module adds what an operation needs
//! around it: the index client the archives are downloaded and cached
//! with, the downloads policy (`POSY_PYTHON_DOWNLOADS=automatic|manual|never`,
//! `--no-python-downloads` setting `never`), and the rule of automatic
//! installs: discovery first (managed interpreters, then the system's),
//! and only when nothing fits, the best download for the request.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::future::join_all;
use posy_index::{IndexClient, IndexFile, IndexOptions};
use posy_python::managed::{
    DownloadTable, HostPlatform, ManagedDir, ManagedPython, PythonDownload, install,
};
use posy_python::{DiscoveryEnv, Interpreter, ProbeCache, PythonRequest};

/// Whether posy may download interpreters.
pub const DOWNLOADS_ENV: &str = "POSY_PYTHON_DOWNLOADS";

/// `POSY_PYTHON_DOWNLOADS`, as uv's `python-downloads` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonDownloads {
    /// When a command needs an interpreter and none fits (the default).
    Automatic,
    /// Only `posy python install`.
    Manual,
    /// Never (`--no-python-downloads`).
    Never,
}

impl PythonDownloads {
    pub fn from_env() -> Result<PythonDownloads> {
        match std::env::var(DOWNLOADS_ENV).ok().as_deref() {
            None | Some("") | Some("automatic") => Ok(PythonDownloads::Automatic),
            Some("manual") => Ok(PythonDownloads::Manual),
            Some("never") => Ok(PythonDownloads::Never),
            Some(other) => bail!(
                "{DOWNLOADS_ENV}=`{other}` is not a downloads policy; use `automatic`, `manual` or `never`"
            ),
        }
    }
}

/// Where managed interpreters go.
pub fn managed_dir() -> Result<ManagedDir> {
    ManagedDir::from_env().context(
        "cannot tell where to install interpreters: set POSY_PYTHON_INSTALL_DIR (or XDG_DATA_HOME or HOME)",
    )
}

/// The client archives are downloaded with (and cached in the store by).
fn client(cache_dir: &Path) -> Result<IndexClient> {
    Ok(IndexOptions::new()
        .cache_dir(Some(cache_dir.to_path_buf()))
        .build()?)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// The downloads table: `POSY_PYTHON_DOWNLOADS_JSON_URL`'s or the built-in
/// one, with `POSY_PYTHON_INSTALL_MIRROR` applied.
pub fn download_table(cache_dir: &Path) -> Result<DownloadTable> {
    Ok(DownloadTable::from_env(|url| {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let client = client(cache_dir).map_err(|e| e.to_string())?;
        let runtime = runtime().map_err(|e| e.to_string())?;
        let artifact = runtime
            .block_on(client.download(&IndexFile::new("download-metadata.json", parsed)))
            .map_err(|e| e.to_string())?;
        std::fs::read(&artifact.path).map_err(|e| e.to_string())
    })?)
}

/// What one request of `posy python install` came to.
#[derive(Debug, Clone)]
pub struct PythonInstalled {
    pub python: ManagedPython,
    /// Installed by this run (else it was there already).
    pub new: bool,
}

/// Installs the best download for each request (already-installed ones
/// are kept unless `reinstall`), in parallel. Every request is tried; the
/// failures are reported together after the others are done.
pub fn install_pythons(
    cache_dir: &Path,
    requests: &[PythonRequest],
    reinstall: bool,
) -> Result<Vec<PythonInstalled>> {
    let dir = managed_dir()?;
    let table = download_table(cache_dir)?;
    let host = HostPlatform::current();
    let mut done = Vec::new();
    let mut wanted: Vec<PythonDownload> = Vec::new();
    for request in requests {
        if !reinstall && let Some(python) = dir.find(request, &host) {
            done.push(PythonInstalled { python, new: false });
            continue;
        }
        let download = best_download(&table, request, &host)?;
        if !wanted.iter().any(|d| d.key == download.key) {
            wanted.push(download.clone());
        }
    }
    done.extend(install_downloads(cache_dir, &dir, &wanted, reinstall)?);
    Ok(done)
}

/// The table's best download for `request` here, or an error that says
/// what the table has.
pub fn best_download<'t>(
    table: &'t DownloadTable,
    request: &PythonRequest,
    host: &HostPlatform,
) -> Result<&'t PythonDownload> {
    table.best(request, host).ok_or_else(|| {
        anyhow!(
            "no download of {request} for {} in the Python downloads table ({}); `posy python list --all-versions` shows what there is",
            host.key(),
            table.source
        )
    })
}

/// Installs `downloads` in parallel into `dir`.
pub fn install_downloads(
    cache_dir: &Path,
    dir: &ManagedDir,
    downloads: &[PythonDownload],
    reinstall: bool,
) -> Result<Vec<PythonInstalled>> {
    if downloads.is_empty() {
        return Ok(Vec::new());
    }
    let client = client(cache_dir)?;
    let runtime = runtime()?;
    let results = runtime.block_on(join_all(
        downloads
            .iter()
            .map(|download| install(dir, download, &client, reinstall)),
    ));
    runtime.shutdown_background();
    let mut installed = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(python) => installed.push(PythonInstalled { python, new: true }),
            Err(err) => errors.push(err.to_string()),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(installed)
}

/// The interpreter `request` means: found by discovery (managed first,
/// unless the preference says otherwise), else installed from the table
/// when downloads are automatic and the request names a version or an
/// implementation (a path or an executable name is never downloaded).
pub fn find_or_install(
    request: &PythonRequest,
    env: &DiscoveryEnv,
    cache_dir: &Path,
) -> Result<Interpreter> {
    let cache = ProbeCache::new(cache_dir);
    let not_found = match posy_python::find_interpreter(request, env, &cache) {
        Ok(interpreter) => return Ok(interpreter),
        Err(err) => err,
    };
    let downloadable = !matches!(
        request,
        PythonRequest::Path(_) | PythonRequest::ExecutableName(_)
    );
    if !downloadable
        || PythonDownloads::from_env()? != PythonDownloads::Automatic
        || !env.preference.allows_managed()
    {
        return Err(not_found.into());
    }
    let Some(dir) = env.managed.clone() else {
        return Err(not_found.into());
    };
    let table = download_table(cache_dir)?;
    let host = HostPlatform::current();
    let Some(download) = table.best(request, &host) else {
        return Err(anyhow::Error::new(not_found).context(format!(
            "and the Python downloads table ({}) has no build of {request} for {}",
            table.source,
            host.key()
        )));
    };
    let python = install_for(cache_dir, &dir, download, request)?;
    Ok(Interpreter::query(&dir.executable(&python), &cache)?)
}

/// Installs `download` because nothing installed fits `request`, saying so.
pub fn install_for(
    cache_dir: &Path,
    dir: &ManagedDir,
    download: &PythonDownload,
    request: &PythonRequest,
) -> Result<ManagedPython> {
    let started = Instant::now();
    eprintln!(
        "No installed interpreter fits {request}; installing {}",
        download.key
    );
    let mut installed = install_downloads(cache_dir, dir, std::slice::from_ref(download), false)
        .with_context(|| format!("cannot install a Python for {request}"))?;
    let python = installed.remove(0).python;
    eprintln!(
        "Installed {} in {}",
        python.download.key,
        crate::elapsed(started)
    );
    Ok(python)
}

/// For each installed minor version (or each request), the newest patch
/// the table has, installed when it is newer than what is there.
pub fn upgrade_pythons(
    cache_dir: &Path,
    requests: &[PythonRequest],
) -> Result<Vec<PythonInstalled>> {
    let dir = managed_dir()?;
    let table = download_table(cache_dir)?;
    let host = HostPlatform::current();
    let installed = dir.installed();
    let mut minors: Vec<PythonRequest> = Vec::new();
    if requests.is_empty() {
        for python in &installed {
            let d = &python.download;
            let t = if d.is_free_threaded() { "t" } else { "" };
            let request: PythonRequest = format!("{}.{}{t}", d.major, d.minor)
                .parse()
                .map_err(anyhow::Error::new)?;
            if !minors.contains(&request) {
                minors.push(request);
            }
        }
    } else {
        minors = requests.to_vec();
    }
    let mut wanted = Vec::new();
    let mut done = Vec::new();
    for request in &minors {
        let Some(newest) = table.best(request, &host) else {
            continue;
        };
        match dir.get(&newest.key) {
            Some(python) => done.push(PythonInstalled { python, new: false }),
            None => {
                wanted.push(newest.clone());
            }
        }
    }
    done.extend(install_downloads(cache_dir, &dir, &wanted, false)?);
    Ok(done)
}

/// Removes the managed installs each request matches (every install with
/// `all`); an uninstall that matches nothing is an error naming it.
pub fn uninstall_pythons(requests: &[PythonRequest], all: bool) -> Result<Vec<ManagedPython>> {
    let dir = managed_dir()?;
    let installed = dir.installed();
    let mut removed: Vec<ManagedPython> = Vec::new();
    let mut targets: Vec<ManagedPython> = Vec::new();
    if all {
        targets = installed;
    } else {
        for request in requests {
            let matching: Vec<_> = installed
                .iter()
                .filter(|p| {
                    request.admits_build(
                        &p.download.name,
                        &p.download.version(),
                        p.download.is_free_threaded(),
                    )
                })
                .cloned()
                .collect();
            if matching.is_empty() {
                bail!(
                    "no managed Python matches {request} in {}; `posy python list --only-installed` shows what is installed",
                    dir.root().display()
                );
            }
            targets.extend(matching);
        }
    }
    for python in targets {
        if removed.iter().any(|p| p.dir == python.dir) {
            continue;
        }
        dir.uninstall(&python)
            .with_context(|| format!("cannot remove {}", python.dir.display()))?;
        removed.push(python);
    }
    Ok(removed)
}

/// One line of `posy python list`.
#[derive(Debug, Clone)]
pub struct PythonListing {
    pub key: String,
    pub version: String,
    /// The interpreter, when installed (managed or found on the system).
    pub path: Option<std::path::PathBuf>,
    pub managed: bool,
}

/// What `posy python list` shows: managed installs, then (unless
/// `only_installed`) the interpreters found on `PATH` and in pyenv and the
/// downloads not installed, only the newest patch
/// of each minor version unless `all_versions`.
pub fn list_pythons(
    cache_dir: &Path,
    request: &PythonRequest,
    only_installed: bool,
    all_versions: bool,
) -> Result<Vec<PythonListing>> {
    let host = HostPlatform::current();
    let mut rows = Vec::new();
    if let Some(dir) = ManagedDir::from_env() {
        for python in dir.installed() {
            let d = &python.download;
            if !request.admits_build(&d.name, &d.version(), d.is_free_threaded())
                && *request != PythonRequest::Any
            {
                continue;
            }
            rows.push(PythonListing {
                key: d.key.clone(),
                version: d.version(),
                path: Some(dir.executable(&python)),
                managed: true,
            });
        }
    }
    if only_installed {
        return Ok(rows);
    }
    // The interpreters found outside the managed directory (`PATH`,
    // pyenv). `--only-installed` means installed by posy, so they are
    // listed only in the full listing.
    let discovery = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    if discovery.preference.allows_system() {
        let cache = ProbeCache::new(cache_dir);
        let mut found = posy_python::system_interpreters(&discovery, &cache);
        // Newest first; the search order among equals.
        found.sort_by_key(|i| std::cmp::Reverse(i.python_release()));
        for interpreter in found {
            if request.check(&interpreter).is_err() {
                continue;
            }
            let variant = if interpreter.is_free_threaded() {
                "+freethreaded"
            } else {
                ""
            };
            rows.push(PythonListing {
                key: format!(
                    "{}-{}{variant}-{}",
                    interpreter.implementation().sys_name(),
                    interpreter.python_full_version(),
                    host.key()
                ),
                version: interpreter.python_full_version().to_owned(),
                path: Some(interpreter.executable().to_path_buf()),
                managed: false,
            });
        }
    }
    let table = download_table(cache_dir)?;
    let mut minors_seen: Vec<String> = Vec::new();
    // With no request, every implementation's final releases are listed
    // (as `uv python list` does): CPython first, then PyPy.
    let offered: Vec<&PythonDownload> = if *request == PythonRequest::Any {
        let mut all: Vec<&PythonDownload> = table
            .iter()
            .filter(|d| {
                host.runs(d) && d.is_installable() && d.prerelease.is_empty() && d.variant.is_none()
            })
            .collect();
        all.sort_by_key(|d| d.name != "cpython");
        all
    } else {
        table.matching(request, &host)
    };
    for download in offered {
        if rows.iter().any(|r| r.managed && r.key == download.key) {
            continue;
        }
        if !all_versions {
            let minor = download.minor_key();
            if minors_seen.contains(&minor) {
                continue;
            }
            minors_seen.push(minor);
        }
        rows.push(PythonListing {
            key: download.key.clone(),
            version: download.version(),
            path: None,
            managed: false,
        });
    }
    Ok(rows)
}
