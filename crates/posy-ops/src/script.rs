//! Scripts (PEP 723): a `.py` file whose `# /// script` block names its
//! Python and its packages → a Brief → a Blueprint → an environment of the
//! store ([`crate::cached_env`]) → the script runs.
//!
//! # The Brief from a block
//!
//! `dependencies` are the requirements (plus `--with` ones, for one run);
//! `requires-python` picks the interpreter (unless `--python` names one,
//! which must then fit it); `[tool.posy]` in the block sets what a
//! project's `[tool.posy]` sets for it: `sources`, `index-url`,
//! `extra-index-url`, `find-links`, `exclude-newer`, `prerelease`,
//! `resolution`, `constraint-dependencies`, `override-dependencies`. The
//! command line wins over the block.
//!
//! # Remembered resolutions: a second run asks nothing
//!
//! Each run's request has a key, a digest of everything its answer
//! depends on: the block's text, the `--with` requirements, the options,
//! the interpreter request and what discovery reads (`VIRTUAL_ENV`,
//! `PATH`, the working directory), the `site-packages` layered under it,
//! and the script's lock (below) if it has one. The store's `resolutions`
//! bucket maps that key to a small record ([`Memo`]): the interpreter (its
//! path and file identity), the environment's key and the pins (a PEP 751
//! lock). A run whose key has a record, whose interpreter is still the
//! same file and whose environment is still in the store runs at once:
//! no interpreter probe, no resolution, no network; it reads the script,
//! one record and takes a lease. If the environment was collected, the
//! record's pins are installed again without resolving (offline, when the
//! files are cached). `--refresh`, `--upgrade` and `--reinstall` skip the
//! record.
//!
//! # The script's lock
//!
//! `posy lock --script s.py` writes `pylock.s.toml` beside the script (the
//! PEP names such files `pylock.<name>.toml`): a universal PEP 751 lock
//! of the block over its `requires-python`, with a fingerprint of the
//! block and the options under `[tool.posy] inputs`, as a project lock
//! has. While the fingerprint matches, runs install from the lock and
//! never resolve; when the block changes, the next run (or `posy lock
//! --script`) locks again, keeping the locked versions that still fit.
//! With `--with`, the lock's versions are preferences of a resolution
//! that adds the extra packages.
//!
//! # Which environment
//!
//! A script with a block runs in its own environment, never a project's,
//! even inside a project (as uv). A script without one, outside a project
//! (or with `--no-project`), runs with the interpreter found and no
//! environment at all, unless `--with` asks for packages.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use posy_project::{PyProject, Pylock, ScriptBlock, ScriptMetadata, find_block};
use posy_python::{DiscoveryEnv, Interpreter, ProbeCache, PythonRequest};
use posy_store::{Key, Lookup, Store};
use posy_vocab::{Requirement, SpecifierSet};
use sha2::{Digest, Sha256};

use crate::blueprint::{Blueprint, relative_paths};
use crate::brief::{Brief, Selector};
use crate::cached_env::{CachedEnv, CachedEnvOptions, ensure_cached_env, exec_holding};
use crate::install::ApplyOptions;
use crate::project::{options_key, write_atomically};
use crate::resolve::{Preferences, ResolveOptions, preferences_from, resolve_brief};
use crate::session::Session;
use crate::target::TargetRequest;

/// A script to run: the file and what its block says.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file the interpreter runs.
    pub path: PathBuf,
    /// How to name it in messages (the path given, or `-`, or the URL).
    pub display: String,
    pub block: Option<ScriptBlock>,
    pub metadata: Option<ScriptMetadata>,
    /// Whether the script may have a lock beside it (not for `-` or a URL).
    pub lockable: bool,
}

impl Script {
    /// Reads the script at `path` and its block (errors name the file and
    /// the line).
    pub fn read(path: &Path) -> Result<Script> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the script {}", path.display()))?;
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Script::parse(&text, absolute, path.display().to_string(), true)
    }

    /// A script whose text is `text`, kept at `path`.
    pub fn parse(text: &str, path: PathBuf, display: String, lockable: bool) -> Result<Script> {
        let block = find_block(text).with_context(|| format!("in the script {display}"))?;
        let metadata = block
            .as_ref()
            .map(ScriptBlock::metadata)
            .transpose()
            .with_context(|| format!("in the script {display}"))?;
        Ok(Script {
            path,
            display,
            block,
            metadata,
            lockable,
        })
    }

    /// `pylock.<stem>.toml` beside the script.
    pub fn lock_path(&self) -> PathBuf {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "script".into());
        self.path
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("pylock.{stem}.toml"))
    }

    fn content(&self) -> &str {
        self.block.as_ref().map_or("", |b| b.content.as_str())
    }

    /// The block's `[tool.posy]`, read as a project's.
    fn settings(&self) -> Result<PyProject> {
        let mut table = toml::Table::new();
        if let Some(metadata) = &self.metadata {
            table.insert("tool".into(), toml::Value::Table(metadata.tool.clone()));
        }
        PyProject::from_table(&table, &self.path)
            .with_context(|| format!("the `# /// script` block of {}", self.display))
    }
}

/// How to run a script, besides the script.
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// `--python`: the interpreter (a path or a version request).
    pub python: Option<String>,
    /// `--with`: more requirements for this run.
    pub with: Vec<String>,
    /// `site-packages` directories seen after the environment's own (a
    /// project's, for `posy run --with` in a project).
    pub layers: Vec<PathBuf>,
    pub index: crate::IndexSettings,
    pub resolver: crate::ResolverOptions,
    pub apply: ApplyOptions,
    /// `--locked`: the script's lock must be fresh; `--frozen`: use it as it is.
    pub locked: bool,
    pub frozen: bool,
}

/// Where a script runs: an environment of the store, or a bare interpreter.
#[derive(Debug)]
pub enum ScriptEnv {
    Env(CachedEnv),
    Interpreter(PathBuf),
}

impl ScriptEnv {
    /// The interpreter to run the script with.
    pub fn python(&self) -> PathBuf {
        match self {
            ScriptEnv::Env(env) => env.python(),
            ScriptEnv::Interpreter(python) => python.clone(),
        }
    }

    /// A command running `program` there (see [`CachedEnv::command`]).
    pub fn command(&self, program: &Path) -> Command {
        match self {
            ScriptEnv::Env(env) => env.command(program),
            ScriptEnv::Interpreter(_) => Command::new(program),
        }
    }

    /// Runs `command` in posy's place, holding the environment's lease.
    pub fn exec(self, command: Command) -> Result<ExitCode> {
        match self {
            ScriptEnv::Env(env) => env.exec(command),
            ScriptEnv::Interpreter(_) => exec_holding(None, command),
        }
    }
}

/// The record of a resolution (see the module documentation), as stored:
/// `key value` lines, a blank line, then the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Memo {
    python: PathBuf,
    python_id: String,
    env: Option<String>,
    lock: String,
}

const MEMO_HEADER: &str = "posy-script-memo 1";

impl Memo {
    fn to_text(&self) -> String {
        format!(
            "{MEMO_HEADER}\npython {}\npython-id {}\nenv {}\n\n{}",
            self.python.display(),
            self.python_id,
            self.env.as_deref().unwrap_or("-"),
            self.lock
        )
    }

    fn parse(text: &str) -> Option<Memo> {
        let (head, lock) = text.split_once("\n\n")?;
        let mut lines = head.lines();
        (lines.next()? == MEMO_HEADER).then_some(())?;
        let mut field = |name: &str| -> Option<String> {
            lines
                .next()?
                .strip_prefix(name)?
                .strip_prefix(' ')
                .map(str::to_owned)
        };
        let python = PathBuf::from(field("python")?);
        let python_id = field("python-id")?;
        let env = field("env").filter(|e| e != "-");
        Some(Memo {
            python,
            python_id,
            env,
            lock: lock.to_owned(),
        })
    }
}

/// The identity of the file at `path` (following links): its size, change
/// time and inode, so an interpreter replaced in place is noticed.
fn file_identity(path: &Path) -> String {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::MetadataExt;
            format!("{}:{}.{}:{}", m.len(), m.mtime(), m.mtime_nsec(), m.ino())
        }
        #[cfg(not(unix))]
        Ok(m) => format!("{}:{:?}", m.len(), m.modified().ok()),
        Err(_) => "missing".into(),
    }
}

/// The options that change a script's resolution, as a lock records them
/// (`[tool.posy.options]`): the block's `[tool.posy]`, overridden by the
/// command line.
fn recorded_options(script: &Script, settings: &PyProject, options: &ScriptOptions) -> toml::Table {
    // What the script's lock recorded stays, unless given again.
    let mut recorded = match script.lockable {
        true => std::fs::read_to_string(script.lock_path())
            .map(|text| lock_recorded(&text))
            .unwrap_or_default(),
        false => toml::Table::new(),
    };
    for (key, value) in &settings.settings.resolution_options {
        let value = match value {
            posy_project::OptionValue::Text(text) => text.clone().into(),
            posy_project::OptionValue::List(items) => strings(items),
        };
        recorded.insert(key.clone(), value);
    }
    let mut set = |key: &str, value: toml::Value| {
        recorded.insert(key.to_owned(), value);
    };
    let index = &options.index;
    if let Some(date) = &index.exclude_newer {
        set("exclude-newer", date.clone().into());
    }
    if let Some(url) = &index.index_url {
        set("index-url", url.clone().into());
    }
    if !index.extra_index_url.is_empty() {
        set("extra-index-url", strings(&index.extra_index_url));
    }
    if !index.find_links.is_empty() {
        set("find-links", strings(&index.find_links));
    }
    let resolver = &options.resolver;
    if !resolver.prerelease.is_empty() && resolver.prerelease != "if-necessary-or-explicit" {
        set("prerelease", resolver.prerelease.clone().into());
    }
    if !resolver.resolution.is_empty() && resolver.resolution != "highest" {
        set("resolution", resolver.resolution.clone().into());
    }
    if index.no_index {
        set("no-index", true.into());
    }
    recorded
}

/// `[tool.posy.options]` of a lock's text (only its `[tool.posy…]`
/// tables, written last, are parsed).
fn lock_recorded(text: &str) -> toml::Table {
    let Some(at) = text.find("\n[tool.posy") else {
        return toml::Table::new();
    };
    let tail: toml::Table = toml::from_str(&text[at..]).unwrap_or_default();
    tail.get("tool")
        .and_then(|t| t.get("posy"))
        .and_then(|p| p.get("options"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default()
}

fn strings(items: &[String]) -> toml::Value {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
}

/// The resolve options `recorded` means, on top of the command line's.
fn resolve_options(options: &ScriptOptions, recorded: &toml::Table) -> ResolveOptions {
    let mut index = options.index.clone();
    let mut resolver = options.resolver.clone();
    let text = |key: &str| {
        recorded
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let list = |key: &str| -> Vec<String> {
        recorded
            .get(key)
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    index.exclude_newer = text("exclude-newer");
    index.index_url = text("index-url");
    index.extra_index_url = list("extra-index-url");
    index.find_links = list("find-links");
    if let Some(prerelease) = text("prerelease") {
        resolver.prerelease = prerelease;
    }
    if let Some(resolution) = text("resolution") {
        resolver.resolution = resolution;
    }
    ResolveOptions {
        resolver,
        index,
        ..ResolveOptions::default()
    }
}

/// The fingerprint a script lock records: the block and the options.
fn lock_fingerprint(script: &Script, recorded: &toml::Table) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"posy-script-lock 1\noptions ");
    hasher.update(options_key(recorded).as_bytes());
    hasher.update(b"\nblock\n");
    hasher.update(script.content().as_bytes());
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The key of a run's request (see the module documentation).
fn memo_key(
    script: &Script,
    options: &ScriptOptions,
    recorded: &toml::Table,
    lock_text: Option<&str>,
) -> Key {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "posy-script-run 1\nposy {}\noptions {}",
        env!("CARGO_PKG_VERSION"),
        options_key(recorded)
    );
    let _ = writeln!(text, "python {:?}", options.python);
    let mut with = options.with.clone();
    with.sort();
    let _ = writeln!(text, "with {with:?}\nlayers {:?}", options.layers);
    for var in ["VIRTUAL_ENV", "PATH", "PYENV_VERSION", "PYENV_ROOT"] {
        let _ = writeln!(text, "{var} {:?}", std::env::var_os(var));
    }
    let _ = writeln!(text, "cwd {:?}", std::env::current_dir().ok());
    if let Some(lock) = lock_text {
        let _ = writeln!(text, "lock {}", hex(&Sha256::digest(lock.as_bytes())));
    }
    let _ = writeln!(
        text,
        "block {}\n{}",
        script.block.is_some(),
        script.content()
    );
    Key::hash_of(text.as_bytes())
}

/// What [`lock_script`] did.
#[derive(Debug)]
pub struct ScriptLock {
    pub path: PathBuf,
    pub written: bool,
    pub packages: usize,
}

/// Whether the script's lock (if any) was made from the block as it is.
pub fn script_lock_is_fresh(script: &Script, options: &ScriptOptions) -> Result<Option<bool>> {
    let settings = script.settings()?;
    let recorded = recorded_options(script, &settings, options);
    let Ok(text) = std::fs::read_to_string(script.lock_path()) else {
        return Ok(None);
    };
    Ok(Some(
        recorded_inputs(&text) == Some(lock_fingerprint(script, &recorded).as_str()),
    ))
}

/// `inputs` of the lock's `[tool.posy]`, found by text.
fn recorded_inputs(text: &str) -> Option<&str> {
    let at = text.find("\n[tool.posy]\n")?;
    text[at..]
        .lines()
        .skip(2)
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("inputs = \""))
        .and_then(|rest| rest.strip_suffix('"'))
}

/// Writes `pylock.<name>.toml` beside the script: a universal lock of its
/// block (keeping the versions an existing lock pins, unless upgraded).
/// Written only when its content changes.
pub fn lock_script(
    session: &Session,
    script: &Script,
    options: &ScriptOptions,
) -> Result<ScriptLock> {
    if script.block.is_none() {
        bail!(
            "{} has no `# /// script` block to lock; add one with `posy init --script` or `posy add --script`",
            script.display
        );
    }
    let settings = script.settings()?;
    let recorded = recorded_options(script, &settings, options);
    let path = script.lock_path();
    let preferences = if path.is_file() {
        preferences_from(&path)?
    } else {
        Preferences::default()
    };
    let interpreter = find_script_interpreter(session, script, options)?;
    let mut resolve = resolve_options(options, &recorded);
    resolve.universal = true;
    resolve.requires_python = script
        .metadata
        .as_ref()
        .and_then(|m| m.requires_python.clone());
    resolve.preferences = preferences;
    resolve.target = TargetRequest {
        python: Some(interpreter.executable().display().to_string()),
        ..TargetRequest::default()
    };
    let brief = script_brief(script, &settings, &[])?;
    let resolved = resolve_brief(session, brief, &resolve)?;
    let mut lock = resolved.blueprint.lock;
    lock.path = path.clone();
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    relative_paths(&mut lock, &dir);
    lock.header = None;
    if let Some(spec) = &resolve.requires_python {
        lock.requires_python = Some(spec.clone());
    }
    let mut tool = toml::Table::new();
    tool.insert("lock-version".into(), toml::Value::Integer(1));
    tool.insert(
        "inputs".into(),
        toml::Value::String(lock_fingerprint(script, &recorded)),
    );
    if !recorded.is_empty() {
        tool.insert("options".into(), toml::Value::Table(recorded));
    }
    lock.tool.insert("posy".into(), toml::Value::Table(tool));
    let text = lock.to_toml();
    let packages = lock.packages.len();
    let written = std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str());
    if written {
        write_atomically(&path, &text)?;
    }
    Ok(ScriptLock {
        path,
        written,
        packages,
    })
}

/// The Brief of the block (and `with`), with the block's sources applied.
fn script_brief(script: &Script, settings: &PyProject, with: &[Requirement]) -> Result<Brief> {
    let mut brief = Brief::default();
    if let Some(metadata) = &script.metadata {
        for requirement in &metadata.dependencies {
            let (requirement, editable) = settings.with_source(requirement.clone());
            brief.push_requirement(
                requirement,
                format!("{} (script)", script.display),
                Selector::Always,
                editable,
            );
        }
    }
    for requirement in with {
        brief.push_requirement(
            requirement.clone(),
            "--with".into(),
            Selector::Always,
            false,
        );
    }
    let project = &settings.settings;
    brief
        .constraints
        .extend(project.constraint_dependencies.iter().cloned());
    brief
        .overrides
        .extend(project.override_dependencies.iter().cloned());
    Ok(brief)
}

/// The interpreter for the script: `--python`, else one that fits the
/// block's `requires-python`, else any; `--python` must fit too.
fn find_script_interpreter(
    session: &Session,
    script: &Script,
    options: &ScriptOptions,
) -> Result<Interpreter> {
    let requires: Option<&SpecifierSet> = script
        .metadata
        .as_ref()
        .and_then(|m| m.requires_python.as_ref());
    let request = match (&options.python, requires) {
        (Some(text), _) => text.parse::<PythonRequest>()?,
        (None, Some(spec)) => PythonRequest::Specifiers(spec.clone()),
        (None, None) => PythonRequest::Any,
    };
    let cache = ProbeCache::new(session.cache_dir());
    let discovery = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    let interpreter = posy_python::find_interpreter(&request, &discovery, &cache)?;
    if let Some(spec) = requires
        && !spec.contains(&interpreter.python_version())
    {
        bail!(
            "{} is Python {}, but {} requires Python {spec}; pass `--python` with one that fits",
            interpreter.executable().display(),
            interpreter.python_version(),
            script.display
        );
    }
    Ok(interpreter)
}

/// Finds or makes where `script` runs (see the module documentation).
/// `open_session` opens the store; it is called once.
pub fn prepare_script(
    session: &Session,
    script: &Script,
    options: &ScriptOptions,
) -> Result<ScriptEnv> {
    let settings = script.settings()?;
    let recorded = recorded_options(script, &settings, options);
    let with: Vec<Requirement> = options
        .with
        .iter()
        .map(|text| {
            text.parse::<Requirement>()
                .with_context(|| format!("invalid --with requirement `{text}`"))
        })
        .collect::<Result<_>>()?;
    let lock_path = script.lock_path();
    let lock_text = if script.lockable && script.block.is_some() {
        std::fs::read_to_string(&lock_path).ok()
    } else {
        None
    };
    if options.locked || options.frozen {
        let Some(text) = &lock_text else {
            bail!(
                "{} does not exist, and `--{}` forbids making it; run `posy lock --script {}`",
                lock_path.display(),
                if options.locked { "locked" } else { "frozen" },
                script.display
            );
        };
        if options.locked && recorded_inputs(text) != Some(&lock_fingerprint(script, &recorded)) {
            bail!(
                "{} does not match the script's block, and `--locked` forbids changing it; run `posy lock --script {}`",
                lock_path.display(),
                script.display
            );
        }
    }
    let key = memo_key(script, options, &recorded, lock_text.as_deref());
    let store = session.store();
    let memo = remembered(store, &key);
    let bypass = options.index.refresh
        || !options.index.refresh_package.is_empty()
        || options.resolver.upgrading()
        || options.apply.reinstall
        || !options.apply.reinstall_package.is_empty();
    if !bypass && let Some(memo) = &memo {
        match &memo.env {
            None => return Ok(ScriptEnv::Interpreter(memo.python.clone())),
            Some(env) => {
                if let Ok(env_key) = Key::from_sha256_hex(env)
                    && let Some(env) = crate::open_cached_env(store, &env_key)?
                {
                    return Ok(ScriptEnv::Env(env));
                }
            }
        }
    }

    let interpreter = find_script_interpreter(session, script, options)?;
    let python_id = file_identity(interpreter.executable());
    let lock_dir = lock_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let script_dir = script.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    // The pins: the record's (same interpreter), the script's lock, or a resolution.
    let (blueprint, base) = match (&memo, &lock_text) {
        (Some(memo), _) if !bypass && memo.python_id == python_id && !memo.lock.is_empty() => (
            Blueprint::from_lock(Pylock::parse(&memo.lock, &script_dir.join("pylock.toml"))?),
            script_dir.clone(),
        ),
        (_, Some(text)) if with.is_empty() && !options.resolver.upgrading() => {
            let fresh = options.frozen
                || recorded_inputs(text) == Some(&lock_fingerprint(script, &recorded));
            if !fresh {
                let outcome = lock_script(session, script, options)?;
                eprintln!(
                    "Locked {} package{} into {}",
                    outcome.packages,
                    crate::plural(outcome.packages),
                    outcome.path.display()
                );
            }
            (Blueprint::from_lock(Pylock::read(&lock_path)?), lock_dir)
        }
        _ => {
            let mut resolve = resolve_options(options, &recorded);
            resolve.target = TargetRequest {
                python: Some(interpreter.executable().display().to_string()),
                ..TargetRequest::default()
            };
            if lock_text.is_some() {
                resolve.preferences = preferences_from(&lock_path)?;
            }
            let brief = script_brief(script, &settings, &with)?;
            let resolved = resolve_brief(session, brief, &resolve).with_context(|| {
                format!(
                    "cannot resolve the requirements of the script {}",
                    script.display
                )
            })?;
            for warning in &resolved.blueprint.warnings {
                eprintln!("warning: {warning}");
            }
            (resolved.blueprint, script_dir.clone())
        }
    };
    let env = if blueprint.lock.packages.is_empty() && options.layers.is_empty() {
        None
    } else {
        let resolve = resolve_options(options, &recorded);
        Some(ensure_cached_env(
            session,
            &interpreter,
            &blueprint,
            &CachedEnvOptions {
                base,
                layers: options.layers.clone(),
                apply: options.apply.clone(),
                index: resolve.index,
                resolver: resolve.resolver,
            },
        )?)
    };
    let mut lock = blueprint.lock.clone();
    lock.header = None;
    let memo = Memo {
        python: interpreter.executable().to_path_buf(),
        python_id,
        env: env.as_ref().map(|e| e.key().as_str().to_owned()),
        lock: if lock.packages.is_empty() {
            String::new()
        } else {
            lock.to_toml()
        },
    };
    remember(store, &key, &memo)?;
    Ok(match env {
        Some(env) => ScriptEnv::Env(env),
        None => ScriptEnv::Interpreter(interpreter.executable().to_path_buf()),
    })
}

/// The record under `key`, if any and if its interpreter is still the
/// same file.
fn remembered(store: &Store, key: &Key) -> Option<Memo> {
    let path = store.resolutions().get(key)?;
    let memo = Memo::parse(&std::fs::read_to_string(path).ok()?)?;
    (file_identity(&memo.python) == memo.python_id).then_some(memo)
}

fn remember(store: &Store, key: &Key, memo: &Memo) -> Result<()> {
    let context = || format!("cannot remember a resolution in {}", store.root().display());
    let mut reservation = store
        .resolutions()
        .lock_to_replace(key)
        .with_context(context)?;
    std::io::Write::write_all(reservation.file(), memo.to_text().as_bytes())
        .with_context(context)?;
    reservation.commit().with_context(context)?;
    Ok(())
}

/// Keeps `text` (a script read from stdin or a URL) in the store, keyed
/// by its content, and returns where: the interpreter runs that file.
pub fn keep_script_text(store: &Store, text: &str) -> Result<PathBuf> {
    let key = Key::hash_of(text.as_bytes());
    let artifacts = store.artifacts();
    let context = || format!("cannot keep the script in {}", store.root().display());
    match artifacts.lock_or_get(&key).with_context(context)? {
        Lookup::Hit(path) => Ok(path),
        Lookup::Miss(mut reservation) => {
            std::io::Write::write_all(reservation.file(), text.as_bytes()).with_context(context)?;
            reservation.commit().with_context(context)
        }
    }
}

/// A script at an `http(s)` URL: fetched once, then found by the URL in
/// the store (its text kept by content, see [`keep_script_text`]);
/// `refresh` fetches it again.
pub fn fetch_script(session: &Session, url: &str, offline: bool, refresh: bool) -> Result<Script> {
    let store = session.store();
    let key = Key::hash_of(format!("posy-script-url 1\n{url}").as_bytes());
    let known = store
        .resolutions()
        .get(&key)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|hash| Key::from_sha256_hex(hash.trim()).ok())
        .and_then(|content| store.artifacts().get(&content));
    let path = match known {
        Some(path) if !refresh => path,
        _ => {
            if offline {
                bail!("{url} is not in the cache, and `--offline` forbids fetching it");
            }
            let parsed = url::Url::parse(url).with_context(|| format!("invalid URL `{url}`"))?;
            let client = crate::build_client(
                &crate::IndexSettings::default(),
                &crate::FileIndexSettings::default(),
                store,
                &posy_resolve::Upgrade::None,
            )?;
            let file = posy_index::IndexFile {
                filename: parsed
                    .path_segments()
                    .and_then(|mut s| s.next_back())
                    .unwrap_or("script.py")
                    .to_owned(),
                dist: None,
                url: parsed,
                hashes: Vec::new(),
                requires_python: None,
                yanked: None,
                core_metadata: posy_index::CoreMetadataFile::Absent,
                size: None,
                upload_time: None,
                origin: None,
            };
            let runtime = session.runtime()?;
            let mut body = Vec::new();
            let fetched = runtime.block_on(client.download_to_memory(&file, &mut body));
            runtime.shutdown_background();
            fetched.with_context(|| format!("cannot fetch the script {url}"))?;
            let text = String::from_utf8(body)
                .map_err(|_| anyhow::anyhow!("the script at {url} is not UTF-8 text"))?;
            let path = keep_script_text(store, &text)?;
            let content = Key::hash_of(text.as_bytes());
            let mut reservation = store
                .resolutions()
                .lock_to_replace(&key)
                .context("cannot remember the script's URL")?;
            std::io::Write::write_all(reservation.file(), content.as_str().as_bytes())?;
            reservation.commit()?;
            path
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Script::parse(&text, path, url.to_owned(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_reads_back_what_it_wrote() {
        let memo = Memo {
            python: "/usr/bin/python3".into(),
            python_id: "1:2.3:4".into(),
            env: Some("ab".repeat(32)),
            lock: "lock-version = \"1.0\"\n\n[[packages]]\nname = \"a\"\n".into(),
        };
        assert_eq!(Memo::parse(&memo.to_text()), Some(memo.clone()));
        let bare = Memo {
            env: None,
            lock: String::new(),
            ..memo
        };
        assert_eq!(Memo::parse(&bare.to_text()), Some(bare));
        assert_eq!(Memo::parse("posy-script-memo 2\npython x\n\n"), None);
    }

    #[test]
    fn the_lock_fingerprint_follows_the_block_and_the_options() {
        let script = |text: &str| Script::parse(text, "/s.py".into(), "s.py".into(), true).unwrap();
        let a = script("# /// script\n# dependencies = [\"a\"]\n# ///\n");
        let b = script("# /// script\n# dependencies = [\"b\"]\n# ///\n");
        let none = toml::Table::new();
        let mut dated = toml::Table::new();
        dated.insert("exclude-newer".into(), "2024-01-01".into());
        assert_eq!(lock_fingerprint(&a, &none), lock_fingerprint(&a, &none));
        assert_ne!(lock_fingerprint(&a, &none), lock_fingerprint(&b, &none));
        assert_ne!(lock_fingerprint(&a, &none), lock_fingerprint(&a, &dated));
        assert_eq!(a.lock_path(), Path::new("/pylock.s.toml"));
    }

    #[test]
    fn block_errors_name_the_script_and_the_line() {
        let error = Script::parse(
            "x = 1\n# /// script\n# dependencies = [\n",
            "/s.py".into(),
            "s.py".into(),
            true,
        )
        .unwrap_err();
        let text = format!("{error:#}");
        assert!(text.contains("s.py") && text.contains("line 2"), "{text}");
    }
}
