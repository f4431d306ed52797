//! The interpreter in the lock: which Python build a project was locked
//! with, so a fresh machine gets exactly that build.
//!
//! `posy lock` records, under `[tool.posy]` of `pylock.toml`, one
//! `[[tool.posy.python]]` table per platform the project was locked on
//! (`platform = "linux-x86_64-gnu"`): the implementation, the version, the
//! downloads table's key and build, and the archive's URL (the
//! python-build-standalone one when a mirror served it) and sha256. It
//! records the interpreter the project's environment uses (its `.venv`'s
//! base, else the one discovery picks for the project's request) when that
//! is a managed one: only a managed interpreter is a build another machine
//! can fetch (a system or pyenv interpreter is not recorded: putting a
//! download of the same version in its place would pin a build the
//! project was never locked against). An existing entry for this platform
//! is kept while it satisfies the project's request, unless
//! `posy lock --upgrade-python`, which moves it to the newest build the
//! table has for the request.
//!
//! The lock is universal, so it names a build for each environment it
//! covers, not only this machine's: for every main platform python-build-
//! standalone publishes ([`PLATFORMS`]: Linux glibc x86-64 and aarch64,
//! Linux musl x86-64, macOS x86-64 and arm64, Windows x86-64) that the
//! project's `environments` admit, the same implementation, version and
//! variant, from the same release when the table has it. An entry of
//! another platform already in the lock is kept while it satisfies the
//! request (it may have been locked on that platform) and has this
//! platform's version, unless `--upgrade-python`.
//!
//! `posy sync` and `posy run` creating the environment use the pinned
//! build when the lock has one for this platform: the managed install of
//! that exact build (key and sha256) if present, else a download of it
//! (verified by the recorded sha256; `POSY_PYTHON_INSTALL_MIRROR` applies),
//! unless downloads are off, when ordinary discovery decides. An existing
//! `.venv` of another Python version than the pin is made again.
//!
//! The project's request: `--python`, else the nearest `.python-version`,
//! else `requires-python`, else any Python 3.

use std::path::Path;

use anyhow::{Context, Result};
use posy_project::Workspace;
use posy_python::managed::{DownloadArch, HostPlatform, ManagedDir, PythonDownload};
use posy_python::{DiscoveryEnv, Interpreter, ProbeCache, PythonRequest};

use crate::python_install::{PythonDownloads, download_table, find_or_install, install_downloads};
use crate::session::Session;

/// The interpreter request of the project: `python` (`--python`), else
/// `.python-version` at the workspace root, else `requires-python`.
pub fn project_request(ws: &Workspace, python: Option<&str>) -> Result<PythonRequest> {
    let pin_file = ws.root.join(".python-version");
    let pinned = std::fs::read_to_string(&pin_file).ok().and_then(|text| {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
            .find(|l| !l.is_empty())
    });
    Ok(
        match (
            python,
            pinned,
            crate::project::workspace_requires_python(ws)?,
        ) {
            (Some(text), _, _) => text.parse()?,
            (None, Some(pin), _) => pin
                .parse()
                .with_context(|| format!("{}: `{pin}`", pin_file.display()))?,
            (None, None, Some(spec)) => PythonRequest::Specifiers(spec),
            (None, None, None) => PythonRequest::Any,
        },
    )
}

/// The interpreter for a new environment of `ws`: the lock's pinned build
/// for this platform when there is one (and no `--python`), else
/// discovery, installing when nothing fits.
pub fn project_interpreter(
    session: &Session,
    ws: &Workspace,
    request: &PythonRequest,
    explicit: bool,
    discovery: &DiscoveryEnv,
) -> Result<Interpreter> {
    let cache_dir = session.cache_dir();
    if !explicit
        && let Some(pin) = read_pin(ws)
        && request.admits_build(&pin.name, &pin.version(), pin.is_free_threaded())
        && let Some(dir) = discovery.managed.clone()
    {
        let cache = ProbeCache::new(cache_dir);
        if let Some(python) = dir.get(&pin.key)
            && python.download.sha256 == pin.sha256
        {
            return Ok(Interpreter::query(&dir.executable(&python), &cache)?);
        }
        if PythonDownloads::from_env()? != PythonDownloads::Never
            && discovery.preference.allows_managed()
        {
            let mut download = pin.clone();
            apply_mirror(&mut download);
            eprintln!(
                "{} names {}; installing it",
                ws.lock_path().display(),
                pin.key
            );
            let python = install_downloads(cache_dir, &dir, &[download], true)
                .with_context(|| {
                    format!(
                        "cannot install the Python build {} names ({}); `posy lock --upgrade-python` picks another",
                        ws.lock_path().display(),
                        pin.key
                    )
                })?
                .remove(0)
                .python;
            return Ok(Interpreter::query(&dir.executable(&python), &cache)?);
        }
    }
    find_or_install(request, discovery, cache_dir)
}

/// Whether the `.venv` at `venv` runs another Python version than `pin`,
/// the build the lock pins for this platform (then it is made again).
pub fn venv_differs_from(pin: &PythonDownload, venv: &Path) -> bool {
    let Ok(cfg) = std::fs::read_to_string(venv.join("pyvenv.cfg")) else {
        return false;
    };
    let version = cfg.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "version" || key.trim() == "version_info").then(|| value.trim().to_owned())
    });
    version.is_some_and(|v| v != pin.version())
}

/// The `[[tool.posy.python]]` value for a lock of `ws` being written: the
/// existing entries of other platforms, and this platform's (kept, moved
/// with `upgrade`, or added when the project's interpreter is managed).
pub fn lock_pins(session: &Session, ws: &Workspace, upgrade: bool) -> Result<Option<toml::Value>> {
    let host = HostPlatform::current();
    let mut entries = existing_entries(ws);
    let request = project_request(ws, None)?;
    let here = entries
        .iter()
        .position(|e| e.get("platform").and_then(toml::Value::as_str) == Some(&host.key()));
    let kept = here
        .and_then(|i| download_from_entry(&entries[i]))
        .filter(|pin| request.admits_build(&pin.name, &pin.version(), pin.is_free_threaded()));
    let chosen = if kept.is_some() && !upgrade {
        kept
    } else if upgrade {
        let table = download_table(session.cache_dir())?;
        Some(crate::python_install::best_download(&table, &request, &host)?.clone())
    } else {
        used_managed_build(session, ws, &request)?
    };
    if let Some(i) = here {
        entries.remove(i);
    }
    if let Some(download) = chosen {
        entries.push(entry_of(&download, &host));
        let table = download_table(session.cache_dir())?;
        let environments = &ws.root_pyproject.settings.environments;
        for other in PLATFORMS {
            if other.key() == host.key() {
                continue;
            }
            let existing = entries.iter().position(|e| {
                e.get("platform").and_then(toml::Value::as_str) == Some(&other.key())
            });
            if !platform_admitted(&other, &download, environments) {
                // The lock does not cover that platform.
                if let Some(i) = existing {
                    entries.remove(i);
                }
                continue;
            }
            let keep = existing
                .and_then(|i| download_from_entry(&entries[i]))
                .is_some_and(|pin| {
                    !upgrade
                        && pin.version() == download.version()
                        && request.admits_build(&pin.name, &pin.version(), pin.is_free_threaded())
                });
            if keep {
                continue;
            }
            if let Some(i) = existing {
                entries.remove(i);
            }
            if let Some(same) = same_build_for(&table, &download, &other) {
                entries.push(entry_of(same, &other));
            }
        }
    }
    entries.sort_by(|a, b| {
        let platform = |e: &toml::Table| {
            e.get("platform")
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
        };
        platform(a).cmp(&platform(b))
    });
    Ok((!entries.is_empty())
        .then(|| toml::Value::Array(entries.into_iter().map(toml::Value::Table).collect())))
}

/// The platforms a lock names an interpreter build for, beside the one it
/// was made on.
pub const PLATFORMS: [HostPlatform; 6] = [
    HostPlatform {
        os: "linux",
        arch: "x86_64",
        libc: "gnu",
    },
    HostPlatform {
        os: "linux",
        arch: "aarch64",
        libc: "gnu",
    },
    HostPlatform {
        os: "linux",
        arch: "x86_64",
        libc: "musl",
    },
    HostPlatform {
        os: "darwin",
        arch: "x86_64",
        libc: "none",
    },
    HostPlatform {
        os: "darwin",
        arch: "aarch64",
        libc: "none",
    },
    HostPlatform {
        os: "windows",
        arch: "x86_64",
        libc: "none",
    },
];

/// Whether the project's `environments` (none: every platform) admit
/// `download`'s Python on `platform`.
fn platform_admitted(
    platform: &HostPlatform,
    download: &PythonDownload,
    environments: &[posy_vocab::MarkerTree],
) -> bool {
    if environments.is_empty() {
        return true;
    }
    let triple = match (platform.os, platform.libc) {
        ("linux", "musl") => format!("{}-unknown-linux-musl", platform.arch),
        ("linux", _) => format!("{}-unknown-linux-gnu", platform.arch),
        ("darwin", _) => format!("{}-apple-darwin", platform.arch),
        ("windows", _) => format!("{}-pc-windows-msvc", platform.arch),
        _ => return false,
    };
    let Ok(tag_platform) = posy_vocab::Platform::from_python_platform(&triple) else {
        return false;
    };
    let Ok(version) = download.version().parse::<posy_vocab::Version>() else {
        return false;
    };
    let Some(target) = posy_resolve::Target::cpython(&version, tag_platform) else {
        return false;
    };
    environments
        .iter()
        .any(|marker| marker.evaluate(&target.markers, &[]))
}

/// `download`'s implementation, version and variant for `platform`: from
/// the same release when the table has it, else the newest release.
fn same_build_for<'t>(
    table: &'t posy_python::managed::DownloadTable,
    download: &PythonDownload,
    platform: &HostPlatform,
) -> Option<&'t PythonDownload> {
    let mut candidates: Vec<&PythonDownload> = table
        .iter()
        .filter(|d| {
            platform.runs(d)
                && d.is_installable()
                && d.name == download.name
                && d.version() == download.version()
                && d.variant == download.variant
        })
        .collect();
    candidates.sort_by(|a, b| {
        let same = |d: &PythonDownload| d.build == download.build;
        same(b)
            .cmp(&same(a))
            .then_with(|| b.build.cmp(&a.build))
            .then_with(|| a.key.cmp(&b.key))
    });
    candidates.into_iter().next()
}

/// The managed build the project's environment uses or would use.
fn used_managed_build(
    session: &Session,
    ws: &Workspace,
    request: &PythonRequest,
) -> Result<Option<PythonDownload>> {
    let discovery = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    let Some(dir) = discovery.managed.clone() else {
        return Ok(None);
    };
    let venv_base = crate::venv_python(&ws.venv_path()).and_then(|python| {
        Interpreter::query(&python, &ProbeCache::new(session.cache_dir()))
            .ok()
            .map(|i| i.base_executable().to_path_buf())
    });
    let base = match venv_base {
        Some(base) => base,
        None => {
            let interpreter = project_interpreter(session, ws, request, false, &discovery)?;
            interpreter.base_executable().to_path_buf()
        }
    };
    Ok(owner(&dir, &base).map(|python| python.download))
}

/// The managed install `executable` belongs to.
fn owner(dir: &ManagedDir, executable: &Path) -> Option<posy_python::managed::ManagedPython> {
    let real = std::fs::canonicalize(executable).ok()?;
    dir.installed()
        .into_iter()
        .find(|python| std::fs::canonicalize(&python.dir).is_ok_and(|root| real.starts_with(root)))
}

/// This platform's pinned build in `ws`'s lock.
fn read_pin(ws: &Workspace) -> Option<PythonDownload> {
    let text = std::fs::read_to_string(ws.lock_path()).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    pin_in(doc.get("tool")?.as_table()?)
}

/// This platform's pinned build in a lock's `[tool]` table.
pub fn pin_in(tool: &toml::Table) -> Option<PythonDownload> {
    let host = HostPlatform::current().key();
    entries_in(tool)
        .iter()
        .find(|e| e.get("platform").and_then(toml::Value::as_str) == Some(&host))
        .and_then(download_from_entry)
}

fn existing_entries(ws: &Workspace) -> Vec<toml::Table> {
    let Ok(text) = std::fs::read_to_string(ws.lock_path()) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    doc.get("tool")
        .and_then(toml::Value::as_table)
        .map(entries_in)
        .unwrap_or_default()
}

/// The `[[tool.posy.python]]` entries of a lock's `[tool]` table.
fn entries_in(tool: &toml::Table) -> Vec<toml::Table> {
    tool.get("posy")
        .and_then(|t| t.get("python"))
        .and_then(toml::Value::as_array)
        .map(|items| items.iter().filter_map(|v| v.as_table().cloned()).collect())
        .unwrap_or_default()
}

fn entry_of(download: &PythonDownload, host: &HostPlatform) -> toml::Table {
    let mut entry = toml::Table::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            entry.insert(key.into(), toml::Value::String(value));
        }
    };
    put("platform", Some(host.key()));
    put("implementation", Some(download.name.clone()));
    put("version", Some(download.version()));
    put("variant", download.variant.clone());
    put("build", download.build.clone());
    put("key", Some(download.key.clone()));
    put(
        "url",
        Some(posy_python::managed::canonical_url(&download.url)),
    );
    put("sha256", download.sha256.clone());
    entry
}

fn download_from_entry(entry: &toml::Table) -> Option<PythonDownload> {
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let platform = text("platform")?;
    let mut parts = platform.splitn(3, '-');
    let (os, arch, libc) = (parts.next()?, parts.next()?, parts.next()?);
    let version: posy_vocab::Version = text("version")?.parse().ok()?;
    let release = version.release();
    let prerelease = text("version")?
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        .to_owned();
    Some(PythonDownload {
        key: text("key")?,
        name: text("implementation")?,
        arch: DownloadArch {
            family: arch.to_owned(),
            variant: None,
        },
        os: os.to_owned(),
        libc: libc.to_owned(),
        major: *release.first()?,
        minor: *release.get(1)?,
        patch: release.get(2).copied().unwrap_or(0),
        prerelease,
        url: text("url")?,
        sha256: Some(text("sha256")?),
        variant: text("variant"),
        build: text("build"),
    })
}

/// `POSY_PYTHON_INSTALL_MIRROR` (`POSY_PYPY_INSTALL_MIRROR`) applies to a
/// pinned URL as to the table's.
fn apply_mirror(download: &mut PythonDownload) {
    let mut table = posy_python::managed::DownloadTable::default();
    table.push(download.clone());
    table.apply_env_mirrors();
    if let Some(moved) = table.iter().next() {
        *download = moved.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_round_trips() {
        let host = HostPlatform {
            os: "linux",
            arch: "x86_64",
            libc: "gnu",
        };
        let table = posy_python::managed::DownloadTable::builtin();
        let download = table
            .best(&"3.12.1".parse().unwrap(), &host)
            .unwrap()
            .clone();
        let entry = entry_of(&download, &host);
        let mut back = download_from_entry(&entry).unwrap();
        back.arch = download.arch.clone();
        assert_eq!(back, download);
    }
}
