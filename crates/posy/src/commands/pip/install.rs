//! `posy pip install`: resolve what is asked (keeping what is installed where it fits), then install.

use std::collections::{BTreeSet, HashMap};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use posy_build::BuildSource;
use posy_index::IndexClient;
use posy_install::{InstalledDist, Installer, installed_distributions};
use posy_resolve::{Preference, ResolveRequest, Target, resolve};
use posy_vocab::{ExtraName, MarkerEnvironment, PackageName, Requirement};

use super::apply::{self, Apply, BuiltPin, Pin};
use super::compile::{
    apply_resolver_args, binary_policy, extras_selection, read_brief, resolve_error, upgrade,
    yank_warnings,
};
use super::sources::{download_url, dynamic_project_requirements};
use crate::build_envs;
use crate::cli::{GlobalArgs, PipInstallArgs};
use crate::index_client;
use crate::output::{elapsed, plural};
use crate::provider::{Builder, IndexProvider};
use crate::settings;
use crate::target_env::{find_env_for, install_scheme, prefix_scheme, target_scheme};

pub fn run(args: &PipInstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let mut build_settings = build_envs::BuildSettings::from_args(&args.resolver.build)?;
    // Wheels, sdists and project directories named by path are installed
    // as they are (built first when needed); the rest are requirements.
    let (paths, specs): (Vec<String>, Vec<String>) = args
        .packages
        .iter()
        .cloned()
        .partition(|p| is_local_path(p));
    let extras = extras_selection(&args.extra, args.all_extras)?;
    let mut brief = read_brief(&args.requirement, &specs, &args.resolver, &extras)?;
    if brief.requirements.is_empty()
        && brief.direct.is_empty()
        && brief.dynamic_projects.is_empty()
        && args.editable.is_empty()
        && paths.is_empty()
    {
        bail!("nothing to install: name packages, or pass -r FILE");
    }
    let interpreter = find_env_for(
        &args.env,
        global,
        args.target.is_some() || args.prefix.is_some(),
    )?;
    let markers = interpreter.markers();
    let scheme = match (&args.target, &args.prefix) {
        (Some(dir), _) => target_scheme(&interpreter, dir)?,
        (None, Some(dir)) => prefix_scheme(&interpreter, dir)?,
        (None, None) => install_scheme(&interpreter),
    };
    let installed = installed_distributions(&[&scheme.purelib, &scheme.platlib])?;
    let upgrading = args.resolver.upgrade || !args.resolver.upgrade_package.is_empty();
    if args.editable.is_empty()
        && paths.is_empty()
        && brief.direct.is_empty()
        && brief.dynamic_projects.is_empty()
        && !args.installer.reinstall
        && !upgrading
        && satisfied(&brief.requirements, &installed, &markers)
    {
        eprintln!(
            "Audited {} package{} in {}",
            brief.requirements.len(),
            plural(brief.requirements.len()),
            elapsed(start)
        );
        return Ok(ExitCode::SUCCESS);
    }

    let store = settings::open_store(global)?;
    let upgrade = upgrade(&args.resolver)?;
    let client = index_client::build(&args.index, &brief.index, &store, &upgrade)?;
    let policy = binary_policy(&args.resolver, &brief)?;
    build_settings.policy = policy.clone();
    let builder = build_envs::builder(&store, &client, interpreter.clone(), &build_settings);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    // Editable projects are built first: their metadata brings their
    // dependencies into the resolution, and they are pinned as built.
    for project in std::mem::take(&mut brief.dynamic_projects) {
        let (_, requires) = runtime.block_on(dynamic_project_requirements(
            &project,
            Some(&builder),
            &extras,
        ))?;
        brief.requirements.extend(requires);
    }
    let mut editables = Vec::new();
    let mut requirements = brief.requirements.clone();
    for path in &args.editable {
        let (pin, requires) = runtime.block_on(local(&builder, path, true))?;
        requirements.extend(requires);
        editables.push(pin);
    }
    for path in &paths {
        let (pin, requires) = runtime.block_on(local(&builder, path, false))?;
        requirements.extend(requires);
        editables.push(pin);
    }
    for reference in &brief.direct {
        if !reference.marker.evaluate(&markers, &[]) {
            continue;
        }
        let target = reference.target.as_str();
        let (pin, requires) = if target.contains("://") && !target.starts_with("file://") {
            runtime.block_on(remote(&builder, &client, reference.name.as_ref(), target))?
        } else {
            let path = target.strip_prefix("file://").unwrap_or(target);
            let (pin, requires) = runtime.block_on(local(&builder, path, reference.editable))?;
            if let Some(name) = reference.name.as_ref().filter(|n| **n != pin.name) {
                bail!(
                    "`{name} @ {target}`: the requirement names {name}, but `{target}` is {}",
                    pin.name
                );
            }
            (pin, requires)
        };
        requirements.extend(requires);
        editables.push(pin);
    }
    requirements.retain(|r| r.url().is_none() && !editables.iter().any(|e: &Pin| e.name == r.name));

    let target = Target::from_environment(markers.clone(), interpreter.tags())
        .ok_or_else(|| anyhow!("the interpreter reports no usable python_version"))?;
    let mut request = ResolveRequest::new(requirements, target);
    request.constraints = brief.constraints.clone();
    request.overrides = brief.overrides.clone();
    request.preferences = installed
        .iter()
        .map(|d| Preference {
            name: d.name.clone(),
            version: d.version.clone(),
        })
        .collect();
    apply_resolver_args(&mut request, &args.resolver, brief.pre)?;

    let provider = IndexProvider::with_builder(&client, Some(&builder), policy.clone());
    let resolution = runtime
        .block_on(resolve(&request, &provider))
        .map_err(resolve_error)?;
    let requested: BTreeSet<&PackageName> = brief.requirements.iter().map(|r| &r.name).collect();
    let pins: Vec<Pin> = resolution
        .packages
        .iter()
        .filter(|p| !args.no_deps || requested.contains(&p.name))
        .map(|p| Pin {
            name: p.name.clone(),
            version: p.version.clone(),
            hashes: brief.hashes.get(&p.name).cloned().unwrap_or_default(),
            requested: requested.contains(&p.name),
            built: None,
        })
        .chain(editables)
        .collect();
    eprintln!(
        "Resolved {} package{} in {}",
        pins.len(),
        plural(pins.len()),
        elapsed(start)
    );
    for warning in yank_warnings(&resolution) {
        eprintln!("warning: {warning}");
    }

    let plan = apply::plan(&pins, &installed, args.installer.reinstall, false);
    let tags = interpreter.tags();
    let installer = Installer::new(
        scheme,
        apply::link_mode(args.installer.link_mode.as_deref())?,
        "posy",
    );
    runtime.block_on(apply::execute(
        plan,
        Apply {
            client: &client,
            store: &store,
            installer,
            tags: &tags,
            require_hashes: args.installer.require_hashes,
            dry_run: args.installer.dry_run,
            builder: Some(&builder),
            policy: &policy,
            compile_bytecode: args.installer.compile_bytecode,
        },
    ))?;
    // Lookups still running on blocking threads (a slow DNS answer no
    // one waits for any more) must not hold up the exit.
    runtime.shutdown_background();
    store.close()?;
    Ok(ExitCode::SUCCESS)
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

/// Whether a command-line package is a local file or directory rather than a requirement.
fn is_local_path(text: &str) -> bool {
    if text.contains("://") || text.contains('@') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    text.starts_with(['.', '/', '~'])
        || text.contains(std::path::MAIN_SEPARATOR)
        || [".whl", ".tar.gz", ".zip", ".tar.bz2"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// A wheel, sdist or project directory on disk, and how PEP 610 names where it came from.
struct Located {
    path: std::path::PathBuf,
    /// The file's real name (a downloaded file is stored under its hash).
    filename: String,
    url: String,
    /// `archive_info` for archives (with the hash when known).
    archive_info: serde_json::Value,
}

/// A local wheel, sdist or project directory (`editable` for `-e`).
async fn local(builder: &Builder, path: &str, editable: bool) -> Result<(Pin, Vec<Requirement>)> {
    let root = std::path::Path::new(path)
        .canonicalize()
        .with_context(|| format!("cannot find `{path}`"))?;
    let filename = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let url = format!("file://{}", root.display());
    let located = Located {
        path: root,
        filename,
        url,
        archive_info: serde_json::json!({}),
    };
    install_located(builder, located, editable).await
}

/// A `name @ https://…/file` requirement: downloaded (into the store), then installed as it is.
async fn remote(
    builder: &Builder,
    client: &IndexClient,
    name: Option<&PackageName>,
    url: &str,
) -> Result<(Pin, Vec<Requirement>)> {
    let (artifact, filename, plain) = download_url(client, url).await?;
    let located = Located {
        path: artifact.path,
        filename,
        url: plain.to_string(),
        archive_info: serde_json::json!({"hash": format!("sha256={}", artifact.sha256), "hashes": {"sha256": artifact.sha256}}),
    };
    let (pin, requires) = install_located(builder, located, false).await?;
    if let Some(name) = name.filter(|n| **n != pin.name) {
        bail!(
            "`{name} @ {url}` names {name}, but the file is {}",
            pin.name
        );
    }
    Ok((pin, requires))
}

/// The pin (built when needed, with its PEP 610 `direct_url.json`) and dependencies of a located source.
async fn install_located(
    builder: &Builder,
    located: Located,
    editable: bool,
) -> Result<(Pin, Vec<Requirement>)> {
    let Located {
        path,
        filename,
        url,
        archive_info,
    } = located;
    let (metadata, wheel, filename, direct_url) = if filename.ends_with(".whl") {
        let metadata = posy_build::wheel_metadata(&path)?;
        (
            metadata,
            path,
            filename,
            serde_json::json!({"url": url, "archive_info": archive_info}),
        )
    } else {
        let (source, direct_url) = if editable {
            (
                BuildSource::editable(&path),
                serde_json::json!({"url": url, "dir_info": {"editable": true}}),
            )
        } else if path.is_dir() {
            (
                BuildSource::directory(&path),
                serde_json::json!({"url": url, "dir_info": {}}),
            )
        } else {
            (
                BuildSource::sdist(&path),
                serde_json::json!({"url": url, "archive_info": archive_info}),
            )
        };
        let metadata = builder.metadata(&source).await?.metadata;
        let built = builder.build(&source).await?;
        (metadata, built.path, built.filename.to_string(), direct_url)
    };
    let pin = Pin {
        name: metadata.name.clone(),
        version: metadata.version.clone(),
        hashes: Vec::new(),
        requested: true,
        built: Some(BuiltPin {
            filename,
            wheel,
            direct_url: direct_url.to_string(),
        }),
    };
    Ok((pin, metadata.requires_dist))
}
