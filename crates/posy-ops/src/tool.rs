//! Installed tools: `posy tool install / list / upgrade / uninstall`, what
//! pipx and `uv tool` do.
//!
//! A tool is a package with executables (console or GUI scripts). Each
//! installed tool gets its own virtual environment under the tools
//! directory (`$POSY_TOOL_DIR`, else `$XDG_DATA_HOME/posy/tools`, else
//! `~/.local/share/posy/tools`), named after the package, and its own
//! package's executables — not those of its dependencies or of `--with`
//! packages, as uv does it — are symlinked into the bin directory
//! (`$POSY_TOOL_BIN_DIR`, else `$XDG_BIN_HOME`, else
//! `$XDG_DATA_HOME/../bin`, else `~/.local/bin`).
//!
//! Beside the environment's `pyvenv.cfg` lies a receipt,
//! `posy-receipt.toml`, the only record of what was asked for: the
//! requirements (the tool's own first, then `--with`), the constraints and
//! overrides as requirement text (the files they came from may be gone by
//! the next upgrade), the `--python` request, the interpreter the
//! environment was made from, the index options, and each executable with
//! the path it was linked to. `upgrade` resolves the receipt again with
//! every package free to move, so a constraint given at install time keeps
//! holding; `uninstall` removes exactly the links the receipt lists, and
//! only while they still point into the tool's environment.
//!
//! A virtual environment links to its base interpreter. When that
//! interpreter is removed (a pyenv version uninstalled, a Homebrew Python
//! upgraded), the tool's executables stop working with a bare "No such
//! file or directory"; uv's tools break the same way without a word
//! (astral-sh/uv#17907). posy checks the link whenever it looks at a tool
//! and says which interpreter is gone and that `posy tool upgrade
//! --reinstall NAME` recreates the environment, with the receipt's
//! `--python` request when something still answers it, else with the
//! interpreter posy would choose today.
//!
//! Environments cannot be moved (scripts name their interpreter by absolute
//! path), so a tool's environment is written in place: an upgrade or a
//! changed install resolves first and changes the environment only when the
//! resolution succeeded; a first install that fails removes what it made.
//!
//! Not done yet: editable tools (`--editable`) and tools from a path or URL
//! without a package name (`posy tool install ./dir`): the tool's name
//! would be known only after building it.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use posy_install::InstalledDist;
use posy_python::{
    DiscoveryEnv, Interpreter, OnExisting, ProbeCache, PythonRequest, VenvOptions, create_venv,
    find_interpreter,
};
use posy_vocab::{EntryPoints, PackageName, Requirement, Version};
use serde::{Deserialize, Serialize};

use crate::brief::{Brief, BriefInputs};
use crate::env::{Env, install_scheme};
use crate::index::IndexSettings;
use crate::install::{ApplyOptions, InstallOptions, install};
use crate::output::plural;
use crate::resolve::ResolverOptions;
use crate::session::Session;

/// The receipt's file name, in the tool's environment.
pub const RECEIPT: &str = "posy-receipt.toml";

/// Where tools live: their environments and the directory their
/// executables are linked into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolDirs {
    /// One environment per tool, named after the package.
    pub tools: PathBuf,
    /// Where executables are linked (a directory on `PATH`, ideally).
    pub bin: PathBuf,
}

impl ToolDirs {
    /// The directories the process environment names (see the module
    /// documentation for the order).
    pub fn from_env() -> Result<ToolDirs> {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME");
        let data_home =
            var("XDG_DATA_HOME").or_else(|| home.as_ref().map(|h| h.join(".local/share")));
        let tools = match var("POSY_TOOL_DIR") {
            Some(dir) => dir,
            None => data_home
                .as_ref()
                .map(|d| d.join("posy").join("tools"))
                .context("cannot find the tools directory: neither POSY_TOOL_DIR, XDG_DATA_HOME nor HOME is set")?,
        };
        let bin = match var("POSY_TOOL_BIN_DIR").or_else(|| var("XDG_BIN_HOME")) {
            Some(dir) => dir,
            None => match var("XDG_DATA_HOME") {
                Some(data) => data.join("..").join("bin"),
                None => home
                    .map(|h| h.join(".local").join("bin"))
                    .context("cannot find the tools' bin directory: neither POSY_TOOL_BIN_DIR, XDG_BIN_HOME, XDG_DATA_HOME nor HOME is set")?,
            },
        };
        Ok(ToolDirs {
            tools: std::path::absolute(&tools)?,
            bin: std::path::absolute(&bin)?,
        })
    }

    /// The environment of the tool `name`.
    pub fn env_dir(&self, name: &PackageName) -> PathBuf {
        self.tools.join(name.as_str())
    }

    /// Whether the bin directory is one of `PATH`'s entries.
    pub fn bin_on_path(&self) -> bool {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|p| same_dir(&p, &self.bin)))
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}

/// What an installed tool was made from (`posy-receipt.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Receipt {
    /// The tool's own requirement first, then the `--with` ones.
    pub requirements: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The `--python` request, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<String>,
    /// The base interpreter the environment links to.
    pub interpreter: PathBuf,
    /// The executables, and where each was linked.
    #[serde(default)]
    pub entrypoints: Vec<ToolExecutable>,
    #[serde(default)]
    pub options: ReceiptOptions,
}

/// One executable of a tool and its link in the bin directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ToolExecutable {
    pub name: String,
    pub install_path: PathBuf,
}

/// The index options a tool was installed with, which its upgrades keep
/// unless given again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReceiptOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_index_url: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub find_links: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_index: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_newer: Option<String>,
}

impl ReceiptOptions {
    fn from_settings(index: &IndexSettings) -> ReceiptOptions {
        ReceiptOptions {
            index_url: index.index_url.clone(),
            extra_index_url: index.extra_index_url.clone(),
            find_links: index.find_links.clone(),
            no_index: index.no_index,
            exclude_newer: index.exclude_newer.clone(),
        }
    }

    /// `index` with what the command line leaves unsaid taken from here.
    fn fill(&self, index: &IndexSettings) -> IndexSettings {
        let given = index.index_url.is_some()
            || !index.extra_index_url.is_empty()
            || !index.find_links.is_empty()
            || index.no_index;
        let mut index = index.clone();
        if !given {
            index.index_url = self.index_url.clone();
            index.extra_index_url = self.extra_index_url.clone();
            index.find_links = self.find_links.clone();
            index.no_index = self.no_index;
        }
        if index.exclude_newer.is_none() {
            index.exclude_newer = self.exclude_newer.clone();
        }
        index
    }
}

#[derive(Serialize, Deserialize)]
struct ReceiptFile {
    tool: Receipt,
}

impl Receipt {
    /// Reads the receipt in the environment `env_dir`; `None` when there is none.
    pub fn read(env_dir: &Path) -> Result<Option<Receipt>> {
        let path = env_dir.join(RECEIPT);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let file: ReceiptFile = toml::from_str(&text).with_context(|| {
            format!(
                "{} is not a valid tool receipt; reinstall the tool with `posy tool install --force`",
                path.display()
            )
        })?;
        Ok(Some(file.tool))
    }

    fn write(&self, env_dir: &Path) -> Result<()> {
        let text = toml::to_string(&ReceiptFile { tool: self.clone() })?;
        crate::project::write_atomically(&env_dir.join(RECEIPT), &text)
    }

    /// The tool's own requirement.
    pub fn requirement(&self) -> Option<&str> {
        self.requirements.first().map(String::as_str)
    }
}

/// How to install a tool (`posy tool install`).
#[derive(Debug, Clone, Default)]
pub struct ToolInstall {
    /// The tool's requirement: `black`, `black==24.1`, `black @ URL`.
    pub requirement: String,
    /// More packages for the tool's environment (`--with`).
    pub with: Vec<String>,
    /// Constraints and overrides files (`-c`, `--overrides`).
    pub constraints: Vec<PathBuf>,
    pub overrides: Vec<PathBuf>,
    /// `--python`.
    pub python: Option<String>,
    /// Replace executables that belong to something else, and install
    /// again even when the tool is installed as asked.
    pub force: bool,
    pub index: IndexSettings,
    pub resolver: ResolverOptions,
    pub apply: ApplyOptions,
}

/// Parses a tool's requirement, which must name a package.
pub fn tool_requirement(text: &str) -> Result<Requirement> {
    text.parse::<Requirement>().with_context(|| {
        format!("`{text}` is not a package requirement (a name, optionally with a version: `black`, `black==24.1`, `black@24.1`, `black@latest`)")
    })
}

/// A tool as the command line names it: a PEP 508 requirement, or uv's
/// `NAME@VERSION` and `NAME@latest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSpec {
    pub requirement: Requirement,
    /// `@latest`: the newest version, whatever is installed or cached.
    pub latest: bool,
}

impl ToolSpec {
    pub fn parse(text: &str) -> Result<ToolSpec> {
        if let Some((name, version)) = text.split_once('@')
            && let Ok(name) = PackageName::new(name.trim())
        {
            let version = version.trim();
            if version == "latest" {
                return Ok(ToolSpec {
                    requirement: tool_requirement(name.as_str())?,
                    latest: true,
                });
            }
            if version.parse::<Version>().is_ok() {
                return Ok(ToolSpec {
                    requirement: tool_requirement(&format!("{name}=={version}"))?,
                    latest: false,
                });
            }
        }
        Ok(ToolSpec {
            requirement: tool_requirement(text)?,
            latest: false,
        })
    }

    /// Whether a version (or a URL) is asked for, beyond the name.
    pub fn is_versioned(&self) -> bool {
        self.latest || self.requirement.version_or_url.is_some()
    }
}

/// Installs a tool: its environment, its executables in the bin
/// directory, its receipt. Says what happened on stderr.
pub fn install_tool(session: &Session, dirs: &ToolDirs, request: &ToolInstall) -> Result<()> {
    let requirement = tool_requirement(&request.requirement)?;
    for with in &request.with {
        tool_requirement(with)?;
    }
    let name = requirement.name.clone();
    let env_dir = dirs.env_dir(&name);
    let mut brief = Brief::read(&BriefInputs {
        requirements: requirements_of(&request.requirement, &request.with),
        constraints: request.constraints.clone(),
        overrides: request.overrides.clone(),
        ..BriefInputs::default()
    })?;
    let wanted = Receipt {
        requirements: requirements_of(&request.requirement, &request.with),
        constraints: brief.constraints.iter().map(|r| r.to_string()).collect(),
        overrides: brief.overrides.iter().map(|r| r.to_string()).collect(),
        python: request.python.clone(),
        interpreter: PathBuf::new(),
        entrypoints: Vec::new(),
        options: ReceiptOptions::from_settings(&request.index),
    };
    let existing = match Receipt::read(&env_dir) {
        Ok(receipt) => receipt,
        // A broken receipt is replaced by a fresh install.
        Err(_) if request.force => None,
        Err(e) => return Err(e),
    };
    let interpreter_ok = interpreter_present(&env_dir);
    if let Some(existing) = &existing
        && !request.force
        && interpreter_ok
        && same_request(existing, &wanted)
    {
        eprintln!("`{}` is already installed", request.requirement);
        return Ok(());
    }
    // The environment is made again only when it cannot serve: `--force`
    // on a working environment reinstalls every package in place, so a
    // failing resolution leaves the installed tool as it was.
    let fresh = existing.is_none()
        || !interpreter_ok
        || existing.as_ref().is_some_and(|e| e.python != wanted.python);
    let created = !env_dir.exists();
    let result: Result<Receipt> = (|| {
        let base = if fresh {
            Some(make_env(session, &env_dir, request.python.as_deref())?)
        } else {
            None
        };
        let env = tool_env(session, &env_dir)?;
        brief.constraints = parse_all(&wanted.constraints)?;
        brief.overrides = parse_all(&wanted.overrides)?;
        install(
            session,
            &env,
            brief,
            &InstallOptions {
                resolver: request.resolver.clone(),
                index: request.index.clone(),
                apply: ApplyOptions {
                    reinstall: request.apply.reinstall || (request.force && !fresh),
                    ..request.apply.clone()
                },
                no_deps: false,
                exact: true,
            },
        )?;
        let interpreter = match base {
            Some(base) => base,
            None => existing
                .as_ref()
                .map(|e| e.interpreter.clone())
                .unwrap_or_default(),
        };
        let previous = existing.as_ref().map_or(&[][..], |e| &e.entrypoints[..]);
        let entrypoints = link_executables(dirs, &env, &name, previous, request.force)?;
        let receipt = Receipt {
            interpreter,
            entrypoints,
            ..wanted.clone()
        };
        receipt.write(&env_dir)?;
        Ok(receipt)
    })();
    let receipt = match result {
        Ok(receipt) => receipt,
        Err(e) => {
            if created {
                let _ = fs::remove_dir_all(&env_dir);
            } else if fresh && !env_dir.join(RECEIPT).is_file() {
                // The old environment was emptied to be made again, and the
                // new one failed: nothing of the tool is left to keep, so
                // its links go too rather than point at nothing.
                for exe in existing.iter().flat_map(|r| &r.entrypoints) {
                    if points_into(&exe.install_path, &env_dir) {
                        let _ = fs::remove_file(&exe.install_path);
                    }
                }
                let _ = fs::remove_dir_all(&env_dir);
                return Err(e.context(format!(
                    "`{name}` was uninstalled on the way (its environment was being made again); install it again once this is fixed"
                )));
            }
            return Err(e);
        }
    };
    let names: Vec<&str> = receipt
        .entrypoints
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    eprintln!(
        "Installed {} executable{}: {}",
        names.len(),
        plural(names.len()),
        names.join(", ")
    );
    warn_if_not_on_path(dirs);
    Ok(())
}

fn requirements_of(requirement: &str, with: &[String]) -> Vec<String> {
    std::iter::once(requirement.to_owned())
        .chain(with.iter().cloned())
        .collect()
}

fn parse_all(texts: &[String]) -> Result<Vec<Requirement>> {
    texts
        .iter()
        .map(|t| {
            t.parse::<Requirement>()
                .with_context(|| format!("`{t}` in a tool receipt is not a requirement"))
        })
        .collect()
}

/// Whether `existing` was installed from what `wanted` asks.
fn same_request(existing: &Receipt, wanted: &Receipt) -> bool {
    existing.requirements == wanted.requirements
        && existing.constraints == wanted.constraints
        && existing.overrides == wanted.overrides
        && existing.python == wanted.python
        && existing.options == wanted.options
}

/// Says how to put the bin directory on `PATH` when it is not there.
pub fn warn_if_not_on_path(dirs: &ToolDirs) {
    if !dirs.bin_on_path() {
        eprintln!(
            "warning: `{}` is not on your PATH; to use the installed tools, run `export PATH=\"{}:$PATH\"` or `posy tool update-shell`",
            dirs.bin.display(),
            dirs.bin.display()
        );
    }
}

/// Whether the environment's `bin/python` still leads to an interpreter.
fn interpreter_present(env_dir: &Path) -> bool {
    env_dir.join("bin").join("python").exists()
}

/// What is wrong with a tool's environment's interpreter, if anything: the
/// message names the missing interpreter and the repair.
pub fn interpreter_problem(
    name: &PackageName,
    env_dir: &Path,
    receipt: &Receipt,
) -> Option<String> {
    if interpreter_present(env_dir) {
        return None;
    }
    let missing = fs::read_link(env_dir.join("bin").join("python"))
        .ok()
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| receipt.interpreter.clone());
    Some(format!(
        "the interpreter the tool `{name}` was installed with, {}, no longer exists; run `posy tool upgrade --reinstall {name}` to recreate its environment with another interpreter",
        missing.display()
    ))
}

/// Creates (or empties and recreates) the tool environment at `env_dir`
/// from the interpreter `python` asks for; returns that interpreter's path.
fn make_env(session: &Session, env_dir: &Path, python: Option<&str>) -> Result<PathBuf> {
    let request = match python {
        Some(text) => text
            .parse::<PythonRequest>()
            .with_context(|| format!("invalid --python `{text}`"))?,
        None => PythonRequest::Any,
    };
    let interpreter = find_base_interpreter(session, &request)?;
    if env_dir.exists() && !env_dir.join("pyvenv.cfg").is_file() {
        bail!(
            "{} exists and is not a tool's environment; move it away to install the tool",
            env_dir.display()
        );
    }
    create_venv(
        &interpreter,
        env_dir,
        &VenvOptions {
            prompt: env_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            system_site_packages: false,
            on_existing: OnExisting::Clear,
            command: None,
            posy_version: env!("CARGO_PKG_VERSION").to_string(),
        },
    )?;
    eprintln!(
        "Using {} interpreter at: {}",
        interpreter.display_name(),
        interpreter.base_executable().display()
    );
    Ok(interpreter.base_executable().to_path_buf())
}

/// The interpreter `request` names, never the active virtual environment:
/// a tool does not depend on whatever environment was active when it was
/// installed.
pub(crate) fn find_base_interpreter(
    session: &Session,
    request: &PythonRequest,
) -> Result<Interpreter> {
    let cache = ProbeCache::new(session.cache_dir());
    let mut discovery =
        DiscoveryEnv::from_process().context("cannot read the working directory")?;
    discovery.virtual_env = None;
    Ok(find_interpreter(request, &discovery, &cache)?)
}

/// The Env of a tool's environment.
fn tool_env(session: &Session, env_dir: &Path) -> Result<Env> {
    let python = env_dir.join("bin").join("python");
    let cache = ProbeCache::new(session.cache_dir());
    let interpreter = Interpreter::query(&python, &cache)
        .with_context(|| format!("cannot run the tool environment's {}", python.display()))?;
    Ok(Env {
        scheme: install_scheme(&interpreter),
        interpreter,
    })
}

/// The executables the tool's own package declares, in file order.
fn executables_of(env: &Env, name: &PackageName) -> Result<(Version, Vec<String>)> {
    let dist = env
        .installed()?
        .into_iter()
        .find(|d| &d.name == name)
        .with_context(|| format!("`{name}` is not installed in its tool environment"))?;
    Ok((dist.version.clone(), executables(&dist)?))
}

/// The console and GUI scripts a distribution declares, in file order.
pub(crate) fn executables(dist: &InstalledDist) -> Result<Vec<String>> {
    let path = dist.dist_info.join("entry_points.txt");
    match fs::read_to_string(&path) {
        Ok(text) => {
            let entry_points = EntryPoints::parse(&text)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(entry_points
                .console_scripts()
                .chain(entry_points.gui_scripts())
                .map(|e| e.name.clone())
                .collect())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Links the tool's executables into the bin directory; removes the links
/// of `previous` executables the tool no longer has. An existing file that
/// is not this tool's link is only replaced with `force`.
fn link_executables(
    dirs: &ToolDirs,
    env: &Env,
    name: &PackageName,
    previous: &[ToolExecutable],
    force: bool,
) -> Result<Vec<ToolExecutable>> {
    let (version, names) = executables_of(env, name)?;
    if names.is_empty() {
        bail!(
            "`{name}` {version} provides no executables (no console_scripts or gui_scripts entry points), so there is nothing to install as a tool; to use it as a library, add it with `--with` to the tool that needs it"
        );
    }
    let env_dir = env.interpreter.prefix().to_path_buf();
    let scripts = &env.scheme.scripts;
    let links: Vec<(String, PathBuf, PathBuf)> = names
        .iter()
        .map(|n| (n.clone(), scripts.join(n), dirs.bin.join(n)))
        .collect();
    let taken: Vec<&str> = links
        .iter()
        .filter(|(_, _, link)| fs::symlink_metadata(link).is_ok() && !points_into(link, &env_dir))
        .map(|(n, _, _)| n.as_str())
        .collect();
    if !taken.is_empty() && !force {
        bail!(
            "executable{} already in {}: {} (not this tool's; pass `--force` to replace {})",
            plural(taken.len()),
            dirs.bin.display(),
            taken.join(", "),
            if taken.len() == 1 { "it" } else { "them" }
        );
    }
    fs::create_dir_all(&dirs.bin)
        .with_context(|| format!("cannot create {}", dirs.bin.display()))?;
    let mut linked = Vec::new();
    for (exe, target, link) in links {
        if !target.exists() {
            bail!(
                "`{name}` declares the executable `{exe}`, but its environment has no {}",
                target.display()
            );
        }
        replace_with_link(&target, &link)?;
        linked.push(ToolExecutable {
            name: exe,
            install_path: link,
        });
    }
    let kept: BTreeSet<&PathBuf> = linked.iter().map(|e| &e.install_path).collect();
    for old in previous {
        if !kept.contains(&old.install_path) && points_into(&old.install_path, &env_dir) {
            let _ = fs::remove_file(&old.install_path);
        }
    }
    Ok(linked)
}

/// Whether `link` is a symlink into `dir`.
fn points_into(link: &Path, dir: &Path) -> bool {
    fs::read_link(link).is_ok_and(|target| target.starts_with(dir))
}

/// Puts a symlink to `target` at `link`, atomically replacing what is there.
fn replace_with_link(target: &Path, link: &Path) -> Result<()> {
    let staging = link.with_file_name(format!(
        ".{}.posy-{}",
        link.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&staging);
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, &staging)
        .with_context(|| format!("cannot link {}", link.display()))?;
    #[cfg(not(unix))]
    fs::copy(target, &staging).with_context(|| format!("cannot copy {}", link.display()))?;
    fs::rename(&staging, link).with_context(|| format!("cannot write {}", link.display()))?;
    Ok(())
}

/// A tool found in the tools directory.
#[derive(Debug, Clone)]
pub struct InstalledTool {
    pub name: PackageName,
    pub env_dir: PathBuf,
    /// The tool package's installed version (`None` when it cannot be read).
    pub version: Option<Version>,
    pub receipt: Receipt,
    /// What is wrong with it, for `posy tool list` to say.
    pub problem: Option<String>,
}

/// The installed tools, by name. Directories without a receipt are not
/// tools; a receipt that cannot be read is reported as a problem.
pub fn installed_tools(dirs: &ToolDirs) -> Result<Vec<InstalledTool>> {
    let entries = match fs::read_dir(&dirs.tools) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dirs.tools.display())),
    };
    let mut tools = Vec::new();
    for entry in entries {
        let env_dir = entry?.path();
        let Some(name) = env_dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| PackageName::new(n).ok())
        else {
            continue;
        };
        tools.push(match Receipt::read(&env_dir) {
            Ok(None) => continue,
            Ok(Some(receipt)) => InstalledTool {
                version: installed_version(&env_dir, &name),
                problem: interpreter_problem(&name, &env_dir, &receipt),
                name,
                env_dir,
                receipt,
            },
            Err(e) => InstalledTool {
                name,
                env_dir,
                version: None,
                receipt: Receipt::default(),
                problem: Some(format!("{e:#}")),
            },
        });
    }
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tools)
}

/// The installed version of `name` in a tool environment, read from its
/// `.dist-info` without running the interpreter.
fn installed_version(env_dir: &Path, name: &PackageName) -> Option<Version> {
    installed_dist(env_dir, name).map(|d| d.version)
}

/// The distribution `name` installed in the environment `env_dir`, found
/// without running the interpreter (in `lib/*/site-packages`).
pub(crate) fn installed_dist(env_dir: &Path, name: &PackageName) -> Option<InstalledDist> {
    let lib = env_dir.join("lib");
    let dirs: Vec<PathBuf> = fs::read_dir(&lib)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("site-packages")))
        .filter(|p| p.is_dir())
        .collect();
    let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    posy_install::installed_distributions(&refs)
        .ok()?
        .into_iter()
        .find(|d| &d.name == name)
}

/// Removes a tool: its executables' links (those still pointing into its
/// environment) and its environment. Returns the executables removed.
pub fn uninstall_tool(dirs: &ToolDirs, name: &str) -> Result<Vec<String>> {
    let name = PackageName::new(name).with_context(|| format!("`{name}` is not a package name"))?;
    let env_dir = dirs.env_dir(&name);
    let receipt = match Receipt::read(&env_dir) {
        Ok(Some(receipt)) => Some(receipt),
        Ok(None) if !env_dir.exists() => {
            bail!("`{name}` is not installed as a tool (see `posy tool list`)")
        }
        // A tool whose receipt is gone or broken is still removed.
        Ok(None) | Err(_) => None,
    };
    let mut removed = Vec::new();
    let executables = receipt.map(|r| r.entrypoints).unwrap_or_default();
    for exe in executables {
        if points_into(&exe.install_path, &env_dir) {
            fs::remove_file(&exe.install_path)
                .with_context(|| format!("cannot remove {}", exe.install_path.display()))?;
            removed.push(exe.name);
        }
    }
    // Links the receipt does not know about (a receipt lost) still go.
    if let Ok(entries) = fs::read_dir(&dirs.bin) {
        for entry in entries.flatten() {
            let path = entry.path();
            if points_into(&path, &env_dir) {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                removed.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    fs::remove_dir_all(&env_dir).with_context(|| format!("cannot remove {}", env_dir.display()))?;
    Ok(removed)
}

/// How to upgrade a tool (`posy tool upgrade`).
#[derive(Debug, Clone, Default)]
pub struct ToolUpgrade {
    /// Recreate the environment from scratch (`--reinstall`): the repair
    /// for a missing interpreter.
    pub reinstall: bool,
    /// Recreate it with this interpreter instead of the receipt's request.
    pub python: Option<String>,
    pub index: IndexSettings,
    pub resolver: ResolverOptions,
    pub apply: ApplyOptions,
}

/// What an upgrade did to one tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgraded {
    pub name: PackageName,
    pub before: Option<Version>,
    pub after: Option<Version>,
}

/// Upgrades a tool to the newest versions its receipt allows, keeping its
/// requirements, constraints, overrides and Python; with `reinstall` (or
/// another `--python`) its environment is made again.
pub fn upgrade_tool(
    session: &Session,
    dirs: &ToolDirs,
    name: &str,
    options: &ToolUpgrade,
) -> Result<Upgraded> {
    let name = PackageName::new(name).with_context(|| format!("`{name}` is not a package name"))?;
    let env_dir = dirs.env_dir(&name);
    let Some(receipt) = Receipt::read(&env_dir)? else {
        bail!("`{name}` is not installed as a tool; install it with `posy tool install {name}`");
    };
    let before = installed_version(&env_dir, &name);
    if let Some(problem) = interpreter_problem(&name, &env_dir, &receipt)
        && !options.reinstall
        && options.python.is_none()
    {
        bail!("{problem}");
    }
    let mut python = options.python.clone().or(receipt.python.clone());
    let recreate = options.reinstall || options.python.is_some();
    let mut interpreter = receipt.interpreter.clone();
    if recreate {
        // The receipt's request may be the very interpreter that is gone.
        let request = python
            .as_deref()
            .map(str::parse::<PythonRequest>)
            .transpose()
            .ok()
            .flatten()
            .unwrap_or(PythonRequest::Any);
        if options.python.is_none()
            && request != PythonRequest::Any
            && find_base_interpreter(session, &request).is_err()
        {
            eprintln!(
                "warning: nothing answers `--python {}` any more (the tool was installed with it); using the interpreter posy chooses by default",
                python.as_deref().unwrap_or_default()
            );
            python = None;
        }
        interpreter = make_env(session, &env_dir, python.as_deref())?;
    }
    let env = tool_env(session, &env_dir)?;
    let mut brief = Brief::read(&BriefInputs {
        requirements: receipt.requirements.clone(),
        ..BriefInputs::default()
    })?;
    brief.constraints = parse_all(&receipt.constraints)?;
    brief.overrides = parse_all(&receipt.overrides)?;
    let mut resolver = options.resolver.clone();
    resolver.upgrade = true;
    // Index options given now replace the recorded ones, for later upgrades too.
    let index = receipt.options.fill(&options.index);
    install(
        session,
        &env,
        brief,
        &InstallOptions {
            resolver,
            index: index.clone(),
            apply: ApplyOptions {
                reinstall: options.apply.reinstall || options.reinstall,
                ..options.apply.clone()
            },
            no_deps: false,
            exact: true,
        },
    )?;
    let entrypoints = link_executables(dirs, &env, &name, &receipt.entrypoints, false)?;
    Receipt {
        python: if options.python.is_some() {
            options.python.clone()
        } else {
            python
        },
        interpreter,
        entrypoints,
        options: ReceiptOptions::from_settings(&index),
        ..receipt
    }
    .write(&env_dir)?;
    Ok(Upgraded {
        after: installed_version(&env_dir, &name),
        name,
        before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_specs() {
        let spec = ToolSpec::parse("black").unwrap();
        assert_eq!(spec.requirement.to_string(), "black");
        assert!(!spec.is_versioned());
        let spec = ToolSpec::parse("Black@latest").unwrap();
        assert_eq!(
            (spec.requirement.to_string(), spec.latest),
            ("black".into(), true)
        );
        let spec = ToolSpec::parse("black@24.1").unwrap();
        assert_eq!(spec.requirement.to_string(), "black==24.1");
        assert!(spec.is_versioned() && !spec.latest);
        let spec = ToolSpec::parse("black<25").unwrap();
        assert!(spec.is_versioned());
        let spec =
            ToolSpec::parse("black @ https://example.com/black-24.1-py3-none-any.whl").unwrap();
        assert!(spec.requirement.url().is_some());
        let error = format!("{:#}", ToolSpec::parse("black@nonsense!").unwrap_err());
        assert!(
            error.contains("`black@nonsense!` is not a package requirement"),
            "{error}"
        );
        assert!(ToolSpec::parse("./dir").is_err());
    }

    #[test]
    fn receipt_round_trips_and_reads_minimal_files() {
        let receipt = Receipt {
            requirements: vec!["black<25".into(), "black-plugin".into()],
            constraints: vec!["click<9".into()],
            overrides: Vec::new(),
            python: Some("3.12".into()),
            interpreter: "/usr/bin/python3.12".into(),
            entrypoints: vec![ToolExecutable {
                name: "black".into(),
                install_path: "/home/u/.local/bin/black".into(),
            }],
            options: ReceiptOptions {
                index_url: Some("http://127.0.0.1:1/simple/".into()),
                ..ReceiptOptions::default()
            },
        };
        let dir = tempfile::tempdir().unwrap();
        receipt.write(dir.path()).unwrap();
        let text = fs::read_to_string(dir.path().join(RECEIPT)).unwrap();
        assert!(text.starts_with("[tool]\n"), "{text}");
        assert!(
            text.contains("install-path = \"/home/u/.local/bin/black\""),
            "{text}"
        );
        assert_eq!(Receipt::read(dir.path()).unwrap(), Some(receipt));

        fs::write(
            dir.path().join(RECEIPT),
            "[tool]\nrequirements = [\"x\"]\ninterpreter = \"/p\"\n",
        )
        .unwrap();
        let minimal = Receipt::read(dir.path()).unwrap().unwrap();
        assert_eq!(minimal.requirement(), Some("x"));
        assert!(minimal.entrypoints.is_empty());

        fs::write(dir.path().join(RECEIPT), "[tool]\nrequirements = 3\n").unwrap();
        let error = format!("{:#}", Receipt::read(dir.path()).unwrap_err());
        assert!(error.contains("not a valid tool receipt"), "{error}");
        assert_eq!(Receipt::read(&dir.path().join("none")).unwrap(), None);
    }

    #[test]
    fn receipt_options_fill_what_the_command_line_leaves_unsaid() {
        let recorded = ReceiptOptions {
            index_url: Some("http://a/simple/".into()),
            find_links: vec!["/wheels".into()],
            exclude_newer: Some("2024-01-01".into()),
            ..ReceiptOptions::default()
        };
        let filled = recorded.fill(&IndexSettings::default());
        assert_eq!(filled.index_url.as_deref(), Some("http://a/simple/"));
        assert_eq!(filled.find_links, vec!["/wheels".to_string()]);
        assert_eq!(filled.exclude_newer.as_deref(), Some("2024-01-01"));
        let given = IndexSettings {
            index_url: Some("http://b/simple/".into()),
            ..IndexSettings::default()
        };
        let filled = recorded.fill(&given);
        assert_eq!(filled.index_url.as_deref(), Some("http://b/simple/"));
        assert!(filled.find_links.is_empty());
    }

    #[test]
    fn links_are_recognised_by_where_they_point() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("tools").join("black");
        fs::create_dir_all(env.join("bin")).unwrap();
        fs::write(env.join("bin").join("black"), "#!/bin/sh\n").unwrap();
        let link = dir.path().join("black");
        replace_with_link(&env.join("bin").join("black"), &link).unwrap();
        assert!(points_into(&link, &env));
        assert!(!points_into(&link, &dir.path().join("tools").join("blue")));
        // Replacing is atomic and leaves no staging file behind.
        replace_with_link(&env.join("bin").join("black"), &link).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let plain = dir.path().join("plain");
        fs::write(&plain, "").unwrap();
        assert!(!points_into(&plain, &env));
    }
}
