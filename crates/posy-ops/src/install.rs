//! The operations that change an Env: install a Brief (`posy pip install`)
//! and sync to a lock or a pinned requirements file (`posy pip sync`).
//!
//! Both end the same way: pins, a [`Plan`] against what is installed, and
//! [`execute`]. `install` gets its pins by resolving the Brief for the
//! environment's interpreter (keeping installed versions where they fit)
//! into a Blueprint; `sync` reads them from the files: a `pylock.toml`
//! is a Blueprint already, and installs without any index; a
//! `requirements.txt` names versions whose files the index is asked for.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use posy_index::{IndexClient, IndexFile};
use posy_install::{InstalledDist, Installer, Journal, Transaction};
use posy_project::{Pylock, RequirementSpec, RequirementsTxt};
use posy_resolve::{Preference, ResolveRequest, resolve};
use posy_vocab::{
    ExtraName, MarkerEnvironment, MarkerTree, PackageName, Requirement, VersionOrUrl,
};

use crate::apply::{self, Apply, Pin, PinSource};
use crate::binary_policy::BinaryPolicy;
use crate::blueprint::Blueprint;
use crate::brief::{Brief, Selector, complete_brief};
use crate::build_envs;
use crate::changes::{Changes, WouldChange};
use crate::direct::{DirectPackage, DirectReference, DirectTarget, WithDirect};
use crate::env::Env;
use crate::index::{FileIndexSettings, IndexSettings, build_client};
use crate::output::{elapsed, plural};
use crate::plan::{LockSelection, lock_pins};
use crate::provider::{Builder, IndexProvider};
use crate::resolve::{ResolverOptions, resolve_error};
use crate::session::Session;
use crate::target::interpreter_target;

/// How to change the environment.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// `clone` (default), `hardlink`, `copy` or `symlink`.
    pub link_mode: Option<String>,
    pub reinstall: bool,
    pub compile_bytecode: bool,
    pub dry_run: bool,
    pub require_hashes: bool,
    /// `--no-verify-hashes`: ignore the `--hash` values of requirements
    /// files, unless hashes are required (`--require-hashes`, here or in a file).
    pub no_verify_hashes: bool,
    /// `--reinstall-package`: reinstall these even when installed as pinned.
    pub reinstall_package: Vec<String>,
    /// `--check`: change nothing, and fail if anything would change.
    pub check: bool,
}

/// What `posy pip install` does besides the Brief.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    pub resolver: ResolverOptions,
    pub index: IndexSettings,
    pub apply: ApplyOptions,
    /// Only the packages asked for, not their dependencies.
    pub no_deps: bool,
    /// `--exact`: also remove what the resolution does not list.
    pub exact: bool,
}

/// Installs what `brief` asks for into `env`, keeping what is installed
/// where it fits. A `pylock.toml` among the Brief's sources is installed
/// as it is (see [`sync`]); everything else is resolved first. Returns what
/// changed.
pub fn install(
    session: &Session,
    env: &Env,
    brief: Brief,
    options: &InstallOptions,
) -> Result<Changes> {
    let start = Instant::now();
    if brief.is_empty() {
        bail!("nothing to install: name packages, or pass -r FILE");
    }
    // Bad flags are reported even when nothing needs doing.
    let mut build_settings = options.resolver.build_settings(&BinaryPolicy::default())?;
    build_settings.policy = options.resolver.binary_policy(&brief)?;
    let markers = env.interpreter.markers();
    let _lock = env.lock_for_change()?;
    let installed = env.installed()?;
    if brief.direct.is_empty()
        && brief.dynamic_projects.is_empty()
        && !options.apply.reinstall
        && options.apply.reinstall_package.is_empty()
        && !options.exact
        && !options.resolver.upgrading()
        && satisfied(&brief.requirements, &installed, &markers)
    {
        eprintln!(
            "Audited {} package{} in {}",
            brief.requirements.len(),
            plural(brief.requirements.len()),
            elapsed(start)
        );
        return Ok(Changes::none(options.apply.dry_run || options.apply.check));
    }
    let upgrade = options.resolver.upgrade()?;
    let client = build_client(&options.index, &brief.index, session.store(), &upgrade)?;
    let policy = options.resolver.binary_policy(&brief)?;
    let build_settings = options.resolver.build_settings(&policy)?;
    let builder = build_envs::builder(
        session.store(),
        &client,
        env.interpreter.clone(),
        &build_settings,
    );
    let runtime = session.runtime()?;
    let mut brief = brief;
    if ignores_hashes(&options.apply, brief.require_hashes) {
        brief.hashes.clear();
    }
    let direct = runtime.block_on(complete_brief(
        &mut brief,
        Some(&builder),
        &client,
        session.git(),
        &[],
    ))?;

    let target = interpreter_target(&env.interpreter)?;
    let mut request = ResolveRequest::new(brief.requirements.clone(), target.clone());
    request.constraints = brief.constraints.clone();
    request.overrides = brief.overrides.clone();
    request.preferences = installed
        .iter()
        .map(|d| Preference {
            name: d.name.clone(),
            version: d.version.clone(),
        })
        .collect();
    options.resolver.apply(&mut request, brief.pre)?;
    let index = IndexProvider::with_builder(&client, Some(&builder), policy.clone());
    let provider = WithDirect::new(&index, &direct);
    let resolution = runtime
        .block_on(resolve(&request, &provider))
        .map_err(resolve_error)?;
    let blueprint = Blueprint::from_resolution(&resolution, &brief, &direct, &target, false);
    let selection = LockSelection {
        extras: brief.extras.clone(),
        groups: brief.groups.clone(),
        no_deps: options.no_deps,
        all_extras: false,
    };
    let mut pins = lock_pins(
        &blueprint,
        &markers,
        &env.python_version(),
        &selection,
        Path::new("/"),
    )?;
    // `--hash` values of the requirement files narrow the files a pin may use.
    for pin in &mut pins {
        if let (Some(hashes), PinSource::Files { wheels, sdist }) =
            (brief.hashes.get(&pin.name), &mut pin.source)
        {
            let allowed = |f: &IndexFile| f.hashes.iter().any(|h| hashes.contains(h));
            let listed: Vec<String> = wheels
                .iter()
                .chain(sdist.iter())
                .map(|f| match f.hashes.first() {
                    Some(hash) => format!("{} ({hash})", f.filename),
                    None => format!("{} (no hash given)", f.filename),
                })
                .collect();
            wheels.retain(allowed);
            sdist.take_if(|f| !allowed(f));
            if wheels.is_empty() && sdist.is_none() {
                bail!(
                    "{}: no file of this version has one of the requirement's --hash values ({}); the file changed or the hashes are wrong",
                    pin.label(),
                    listed.join(", ")
                );
            }
        }
    }
    eprintln!(
        "Resolved {} package{} in {}",
        pins.len(),
        plural(pins.len()),
        elapsed(start)
    );
    for warning in &blueprint.warnings {
        eprintln!("warning: {warning}");
    }
    // As in pip: `--require-hashes` on the command line or in a file, or
    // any `--hash` at all, puts the whole install in hash-checking mode,
    // where every package needs a hash the user gave.
    let require_hashes =
        options.apply.require_hashes || brief.require_hashes || !brief.hashes.is_empty();
    if require_hashes {
        let missing: Vec<String> = pins
            .iter()
            .filter(|p| matches!(p.source, PinSource::Files { .. }))
            .filter(|p| !brief.hashes.contains_key(&p.name))
            .map(Pin::label)
            .collect();
        if !missing.is_empty() {
            bail!(
                "hashes are required (--require-hashes, or a --hash on some requirement), \
                 but these have none: {}; pin them with --hash (posy pip compile --generate-hashes writes them)",
                missing.join(", ")
            );
        }
    }
    let result = apply_pins(
        session,
        env,
        &pins,
        &installed,
        &client,
        &builder,
        &policy,
        &ApplyOptions {
            require_hashes,
            ..options.apply.clone()
        },
        options.exact,
        &runtime,
        start,
    );
    runtime.shutdown_background();
    result
}

/// Whether `--no-verify-hashes` has the `--hash` values of requirements
/// files ignored: it does unless hashes are required, on the command line
/// or (`in_files`) by a file.
fn ignores_hashes(options: &ApplyOptions, in_files: bool) -> bool {
    options.no_verify_hashes && !(options.require_hashes || in_files)
}

/// What `posy pip sync` does besides the files.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    pub index: IndexSettings,
    pub resolver: ResolverOptions,
    pub apply: ApplyOptions,
    /// The extras and groups to install from a multi-use lock.
    pub selection: LockSelection,
    /// Remove what the files do not list (`sync`); `install -r pylock.toml` keeps it.
    pub remove_extraneous: bool,
    /// Let an empty set of pins empty the environment (`--allow-empty-requirements`).
    pub allow_empty: bool,
    /// `--constraints` files: every pin they name must satisfy them.
    pub constraints: Vec<PathBuf>,
}

/// Fails on the first pin that a constraint (of `files`, whose marker
/// holds here) does not allow.
fn check_constraints(
    pins: &[Pin],
    files: &[PathBuf],
    markers: &posy_vocab::MarkerEnvironment,
) -> Result<()> {
    for file in files {
        for entry in RequirementsTxt::parse_file(file)?.requirements {
            let RequirementSpec::Named(constraint) = entry.requirement else {
                continue;
            };
            if !constraint.marker.evaluate(markers, &[]) {
                continue;
            }
            let Some(pin) = pins.iter().find(|p| p.name == constraint.name) else {
                continue;
            };
            if let (Some(version), Some(specifiers)) = (&pin.version, constraint.specifiers())
                && !specifiers.contains(version)
            {
                bail!(
                    "{} is pinned to {version}, but the constraint `{constraint}` ({}:{}) does not allow it",
                    pin.name,
                    entry.file.display(),
                    entry.line
                );
            }
        }
    }
    Ok(())
}

/// Makes `env` hold exactly what `sources` pin: `pylock.toml` files, or
/// requirements files of `name==version` lines, paths, URLs and editables.
/// Returns what changed.
pub fn sync(
    session: &Session,
    env: &Env,
    sources: &[PathBuf],
    options: &SyncOptions,
) -> Result<Changes> {
    sync_with(session, env, sources, None, options)
}

/// [`sync`], with the `pylock.toml` among `sources` at `parsed.path`
/// already read (a project's sync has parsed it to check it: a lock of
/// many wheels costs milliseconds to parse again).
pub fn sync_with(
    session: &Session,
    env: &Env,
    sources: &[PathBuf],
    mut parsed: Option<Pylock>,
    options: &SyncOptions,
) -> Result<Changes> {
    let start = Instant::now();
    let markers = env.interpreter.markers();
    let python = env.python_version();
    let mut pins = Vec::new();
    let mut file_index = FileIndexSettings::default();
    let (mut only_binary, mut no_binary) = (Vec::new(), Vec::new());
    let mut require_hashes = options.apply.require_hashes;
    let mut any_hash = false;
    let mut requirement_files = Vec::new();
    for path in sources {
        if is_pylock(path) {
            let lock = match parsed.take_if(|lock| lock.path == *path) {
                Some(lock) => lock,
                None => Pylock::read(path)?,
            };
            let base = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .canonicalize()?;
            let blueprint = Blueprint::from_lock(lock);
            pins.extend(lock_pins(
                &blueprint,
                &markers,
                &python,
                &options.selection,
                &base,
            )?);
        } else {
            requirement_files.push(path.clone());
        }
    }
    // Pins by name; paths, URLs and editables become direct references,
    // named and versioned below by what they point at.
    let mut direct = Brief::default();
    for path in &requirement_files {
        let file = RequirementsTxt::parse_file(path)?;
        require_hashes |= file.require_hashes;
        file_index.index_url = file.index_url.or(file_index.index_url.take());
        file_index.extra_index_urls.extend(file.extra_index_urls);
        file_index.find_links.extend(file.find_links);
        file_index.no_index |= file.no_index;
        only_binary.extend(file.only_binary);
        no_binary.extend(file.no_binary);
        for entry in file.requirements {
            let at = format!("{}:{}", entry.file.display(), entry.line);
            let (name, marker, extras, target) = match entry.requirement {
                RequirementSpec::Named(req) => match req.url() {
                    Some(url) => (
                        Some(req.name.clone()),
                        req.marker.clone(),
                        req.extras.clone(),
                        url.to_string(),
                    ),
                    None => {
                        if !req.marker.evaluate(&markers, &[]) {
                            continue;
                        }
                        let Some(version) = exact_pin(&req) else {
                            bail!(
                                "{at}: `{req}` is not pinned; posy pip sync needs `name==version` (use posy pip compile to pin, or posy pip install)"
                            );
                        };
                        any_hash |= !entry.hashes.is_empty();
                        pins.push(Pin {
                            name: req.name.clone(),
                            version: Some(version),
                            requested: true,
                            source: PinSource::Index {
                                hashes: entry.hashes.clone(),
                            },
                        });
                        continue;
                    }
                },
                RequirementSpec::Unnamed(u) => (
                    None,
                    u.marker.unwrap_or(MarkerTree::TRUE),
                    u.extras,
                    u.target,
                ),
            };
            direct.direct.push(DirectReference {
                name,
                extras,
                marker,
                target,
                editable: entry.editable,
                origin: at,
                selector: Selector::Always,
            });
        }
    }
    if ignores_hashes(&options.apply, require_hashes) {
        for pin in &mut pins {
            if let PinSource::Index { hashes } = &mut pin.source {
                hashes.clear();
            }
        }
    } else {
        // Any `--hash` puts the sync in hash-checking mode (pip's rule).
        require_hashes |= any_hash;
    }
    if pins.is_empty()
        && direct.direct.is_empty()
        && options.remove_extraneous
        && !options.allow_empty
    {
        bail!(
            "{} pin nothing, and syncing to nothing would remove every package; \
             pass --allow-empty-requirements if that is what you want",
            sources
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    pins.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(dup) = pins.windows(2).find(|w| w[0].name == w[1].name) {
        bail!(
            "{} is pinned twice ({} and {}); keep one",
            dup[0].name,
            dup[0].label(),
            dup[1].label()
        );
    }

    check_constraints(&pins, &options.constraints, &markers)?;
    let client = build_client(
        &options.index,
        &file_index,
        session.store(),
        &posy_resolve::Upgrade::None,
    )?;
    // The command's flags come after the files' lines, and win.
    only_binary.extend(options.resolver.only_binary.iter().cloned());
    no_binary.extend(options.resolver.no_binary.iter().cloned());
    let policy = BinaryPolicy::new(options.resolver.no_build, &only_binary, &no_binary)?;
    let build_settings = options.resolver.build_settings(&policy)?;
    let builder = build_envs::builder(
        session.store(),
        &client,
        env.interpreter.clone(),
        &build_settings,
    );
    let runtime = session.runtime()?;
    let direct = runtime.block_on(complete_brief(
        &mut direct,
        Some(&builder),
        &client,
        session.git(),
        &[],
    ))?;
    for package in &direct {
        if package.requirement.marker.evaluate(&markers, &[]) {
            pins.push(direct_pin(package)?);
        }
    }
    eprintln!(
        "Resolved {} package{} in {}",
        pins.len(),
        plural(pins.len()),
        elapsed(start)
    );
    let _lock = env.lock_for_change()?;
    let installed = env.installed()?;
    let result = apply_pins(
        session,
        env,
        &pins,
        &installed,
        &client,
        &builder,
        &policy,
        &ApplyOptions {
            require_hashes,
            ..options.apply.clone()
        },
        options.remove_extraneous,
        &runtime,
        start,
    );
    runtime.shutdown_background();
    result
}

/// Makes `env` hold what `blueprint` lists for it (see [`lock_pins`]),
/// without asking any index; `base` is where the lock's relative paths
/// start. Removes what the Blueprint does not list when the options say so.
pub fn apply_blueprint(
    session: &Session,
    env: &Env,
    blueprint: &Blueprint,
    base: &Path,
    options: &SyncOptions,
) -> Result<Changes> {
    let start = Instant::now();
    let markers = env.interpreter.markers();
    let pins = lock_pins(
        blueprint,
        &markers,
        &env.python_version(),
        &options.selection,
        base,
    )?;
    eprintln!(
        "Resolved {} package{} in {}",
        pins.len(),
        plural(pins.len()),
        elapsed(start)
    );
    let client = build_client(
        &options.index,
        &FileIndexSettings::default(),
        session.store(),
        &posy_resolve::Upgrade::None,
    )?;
    let policy = BinaryPolicy::default();
    let build_settings = options.resolver.build_settings(&policy)?;
    let builder = build_envs::builder(
        session.store(),
        &client,
        env.interpreter.clone(),
        &build_settings,
    );
    let runtime = session.runtime()?;
    let _lock = env.lock_for_change()?;
    let installed = env.installed()?;
    let result = apply_pins(
        session,
        env,
        &pins,
        &installed,
        &client,
        &builder,
        &policy,
        &options.apply,
        options.remove_extraneous,
        &runtime,
        start,
    );
    runtime.shutdown_background();
    result
}

/// Removes the distributions named `names` from `env` (every copy of a
/// name), as one transaction; names that are not installed are returned
/// apart. With `dry_run`, says what would go and changes nothing.
pub fn uninstall(
    env: &Env,
    names: &[PackageName],
    dry_run: bool,
) -> Result<(Vec<InstalledDist>, Vec<PackageName>)> {
    let _lock = env.lock_for_change()?;
    let installed = env.installed()?;
    let (mut remove, mut missing) = (Vec::new(), Vec::new());
    for name in names {
        let found: Vec<&InstalledDist> = installed.iter().filter(|d| d.name == *name).collect();
        if found.is_empty() {
            missing.push(name.clone());
        }
        remove.extend(found.into_iter().cloned());
    }
    if dry_run || remove.is_empty() {
        return Ok((remove, missing));
    }
    let journal = Journal::new(
        Vec::new(),
        remove.iter().map(|d| d.dist_info.clone()).collect(),
    );
    let transaction = Transaction::begin(&env.scheme.prefix, &journal)?;
    for dist in &remove {
        posy_install::uninstall(dist, &env.scheme.prefix)?;
    }
    transaction.commit()?;
    Ok((remove, missing))
}

/// Whether a file is a PEP 751 lock (`pylock.toml`, `pylock.NAME.toml`).
pub fn is_pylock(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("pylock.") && n.ends_with(".toml"))
}

/// The version of `name==version` (or `===`), if that is what the requirement says.
pub fn exact_pin(requirement: &Requirement) -> Option<posy_vocab::Version> {
    match &requirement.version_or_url {
        Some(VersionOrUrl::Specifiers(set)) if set.len() == 1 => set
            .iter()
            .next()
            .filter(|s| {
                matches!(
                    s.operator(),
                    posy_vocab::Operator::Equal | posy_vocab::Operator::ExactEqual
                )
            })
            .and_then(|s| s.version().cloned()),
        _ => None,
    }
}

/// A direct reference of a requirements file as a pin.
fn direct_pin(package: &DirectPackage) -> Result<Pin> {
    let source = match &package.target {
        DirectTarget::Git { url, commit, .. } => PinSource::Git {
            url: url.clone(),
            commit: commit.clone(),
        },
        DirectTarget::Directory(path) => PinSource::Directory {
            path: path.clone(),
            editable: package.editable,
        },
        DirectTarget::Url(_) | DirectTarget::File(_) if package.editable => {
            bail!(
                "`{}`: only project directories can be installed editable",
                package.display
            )
        }
        DirectTarget::Url(url) => {
            let parsed = url::Url::parse(url)?;
            archive_pin(parsed, package)
        }
        DirectTarget::File(path) => {
            let parsed = url::Url::from_file_path(path)
                .map_err(|()| anyhow::anyhow!("`{}` is not an absolute path", path.display()))?;
            archive_pin(parsed, package)
        }
    };
    Ok(Pin {
        name: package.name.clone(),
        version: Some(package.version.clone()),
        requested: true,
        source,
    })
}

fn archive_pin(url: url::Url, package: &DirectPackage) -> PinSource {
    let filename = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or_default()
        .to_string();
    let mut file = IndexFile::new(filename, url.clone());
    file.hashes = package
        .sha256
        .as_deref()
        .and_then(|hex| format!("sha256:{hex}").parse().ok())
        .into_iter()
        .collect();
    file.parse_dist(&package.name);
    let direct_url = match &package.sha256 {
        Some(hex) => {
            serde_json::json!({"url": url.as_str(), "archive_info": {"hash": format!("sha256={hex}"), "hashes": {"sha256": hex}}})
        }
        None => serde_json::json!({"url": url.as_str(), "archive_info": {}}),
    };
    PinSource::Archive {
        file,
        direct_url: direct_url.to_string(),
    }
}

/// Plans `pins` against what is installed and carries the plan out.
#[allow(clippy::too_many_arguments)]
fn apply_pins(
    session: &Session,
    env: &Env,
    pins: &[Pin],
    installed: &[InstalledDist],
    client: &IndexClient,
    builder: &Builder,
    policy: &BinaryPolicy,
    options: &ApplyOptions,
    remove_extraneous: bool,
    runtime: &tokio::runtime::Runtime,
    started: Instant,
) -> Result<Changes> {
    let mut plan = apply::plan(pins, installed, options.reinstall, remove_extraneous);
    for name in &options.reinstall_package {
        let name = PackageName::new(name)
            .with_context(|| format!("invalid --reinstall-package `{name}`"))?;
        let unplanned = !plan.install.iter().any(|p| p.name == name);
        if let (true, Some(pin), Some(dist)) = (
            unplanned,
            pins.iter().find(|p| p.name == name),
            installed.iter().find(|d| d.name == name),
        ) {
            plan.install.push(pin.clone());
            plan.replaced.push(dist.clone());
            plan.satisfied -= 1;
        }
    }
    let count = plan.install.len() + plan.extraneous.len();
    let tags = env.interpreter.tags();
    let python = env.python_version();
    let installer = Installer::new(
        env.scheme.clone(),
        apply::link_mode(options.link_mode.as_deref())?,
        "posy",
    );
    let changes = runtime.block_on(apply::execute(
        plan,
        Apply {
            client,
            store: session.store(),
            installer,
            tags: &tags,
            python: &python,
            git: session.git(),
            require_hashes: options.require_hashes,
            dry_run: options.dry_run || options.check,
            builder: Some(builder),
            policy,
            compile_bytecode: options.compile_bytecode,
            started,
        },
    ))?;
    if options.check && count > 0 {
        return Err(WouldChange { changes, count }.into());
    }
    Ok(changes)
}

/// Whether the installed distributions already satisfy the requirements and,
/// recursively, their dependencies (with the extras asked of them).
fn satisfied(
    requirements: &[Requirement],
    installed: &[InstalledDist],
    markers: &MarkerEnvironment,
) -> bool {
    let by_name: HashMap<&PackageName, &InstalledDist> =
        installed.iter().map(|d| (&d.name, d)).collect();
    let mut queue: Vec<(Requirement, Vec<ExtraName>)> = requirements
        .iter()
        .map(|r| (r.clone(), Vec::new()))
        .collect();
    let mut seen: BTreeSet<(PackageName, Vec<ExtraName>)> = BTreeSet::new();
    while let Some((req, parent_extras)) = queue.pop() {
        if !req.marker.evaluate(markers, &parent_extras) {
            continue;
        }
        if req.url().is_some() {
            return false;
        }
        let Some(dist) = by_name.get(&req.name) else {
            return false;
        };
        if req.specifiers().is_some_and(|s| !s.contains(&dist.version)) {
            return false;
        }
        if !seen.insert((req.name.clone(), req.extras.clone())) {
            continue;
        }
        let Ok(metadata) = dist.metadata() else {
            return false;
        };
        for dep in metadata.requires_dist {
            queue.push((dep, req.extras.clone()));
        }
    }
    true
}
