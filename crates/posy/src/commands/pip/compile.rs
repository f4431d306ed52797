//! `posy pip compile`: requirements in, pinned requirements out (pip-tools' and uv's format).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use posy_project::{
    ExtrasSelection, PyProject, RequirementEntry, RequirementSpec, Requirements, RequirementsTxt,
};
use posy_resolve::{Preference, Resolution, ResolveRequest, Target, Upgrade, Via, resolve};
use posy_vocab::{
    ArtifactHash, MarkerEnvironment, MarkerValues, Operator, PackageName, Platform, Requirement,
    TagTarget, Tags, Version, VersionOrUrl,
};

use crate::binary_policy::BinaryPolicy;
use crate::build_envs;
use crate::cli::{GlobalArgs, PipCompileArgs, ResolverArgs};
use crate::index_client::{self, FileIndexSettings};
use crate::output::{elapsed, plural};
use crate::provider::{Builder, IndexProvider};
use crate::settings;

use super::sources::{
    DirectPackage, DirectReference, DynamicProject, WithDirect, dynamic_project_requirements,
    read_direct,
};

/// Requirements read from files, each remembering where it came from.
pub struct Brief {
    pub requirements: Vec<Requirement>,
    /// For each requirement, the `-r file` that named it.
    pub origins: Vec<String>,
    pub constraints: Vec<Requirement>,
    pub overrides: Vec<Requirement>,
    /// The `--hash` values requirement files give, by package.
    pub hashes: HashMap<PackageName, Vec<ArtifactHash>>,
    pub index: FileIndexSettings,
    pub pre: bool,
    /// `--only-binary` / `--no-binary` values from the files.
    pub only_binary: Vec<String>,
    pub no_binary: Vec<String>,
    /// Projects whose requirements only their build backend can tell
    /// (see [`complete_brief`]).
    pub dynamic_projects: Vec<DynamicProject>,
    /// Requirements that point at a path or URL rather than an index.
    pub direct: Vec<DirectReference>,
}

/// Reads requirement files (and constraint/override files) into a Brief.
pub fn read_brief(
    sources: &[PathBuf],
    extra_requirements: &[String],
    resolver: &ResolverArgs,
    extras: &ExtrasSelection,
) -> Result<Brief> {
    let mut brief = Brief {
        requirements: Vec::new(),
        origins: Vec::new(),
        constraints: Vec::new(),
        overrides: Vec::new(),
        hashes: HashMap::new(),
        index: FileIndexSettings::default(),
        pre: false,
        only_binary: Vec::new(),
        no_binary: Vec::new(),
        dynamic_projects: Vec::new(),
        direct: Vec::new(),
    };
    for text in extra_requirements {
        let requirement = text
            .parse::<Requirement>()
            .with_context(|| format!("invalid requirement `{text}`"))?;
        brief.push(requirement, String::new(), false);
    }
    for source in sources {
        let file_name = source.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name == "pyproject.toml" {
            let project = PyProject::read(source)?;
            match project.requirements(extras)? {
                Requirements::Static(requirements) => {
                    let name = project.project.as_ref().map(|p| p.name.to_string());
                    let origin = format!("{} ({})", name.unwrap_or_default(), source.display());
                    for requirement in requirements {
                        brief.push(requirement, origin.clone(), false);
                    }
                }
                Requirements::Dynamic => brief.dynamic_projects.push(DynamicProject {
                    source: source.clone(),
                }),
            }
            continue;
        }
        if file_name == "setup.py" || file_name == "setup.cfg" {
            brief.dynamic_projects.push(DynamicProject {
                source: source.clone(),
            });
            continue;
        }
        let file = if source == Path::new("-") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read requirements from stdin")?;
            RequirementsTxt::parse_str(&text, Path::new("-"), &|name| std::env::var(name).ok())?
        } else {
            RequirementsTxt::parse_file(source)?
        };
        brief.index.index_url = file.index_url.or(brief.index.index_url.take());
        brief.index.extra_index_urls.extend(file.extra_index_urls);
        brief.index.find_links.extend(file.find_links);
        brief.index.no_index |= file.no_index;
        brief.pre |= file.pre;
        brief.only_binary.extend(file.only_binary);
        brief.no_binary.extend(file.no_binary);
        for entry in file.requirements {
            let origin = format!("-r {}", entry.file.display());
            let hashes = entry.hashes.clone();
            let editable = entry.editable;
            let requirement = match entry.requirement {
                RequirementSpec::Named(req) => req,
                RequirementSpec::Unnamed(u) => {
                    brief.direct.push(DirectReference {
                        name: None,
                        extras: u.extras,
                        marker: u.marker.unwrap_or(posy_vocab::MarkerTree::TRUE),
                        target: u.target,
                        editable,
                        origin,
                    });
                    continue;
                }
            };
            if !hashes.is_empty() {
                brief
                    .hashes
                    .entry(requirement.name.clone())
                    .or_default()
                    .extend(hashes);
            }
            brief.push(requirement, origin, editable);
        }
        for entry in file.constraints {
            brief.constraints.push(named(entry)?);
        }
    }
    for path in &resolver.constraint {
        for entry in RequirementsTxt::parse_file(path)?.requirements {
            brief.constraints.push(named(entry)?);
        }
    }
    for path in &resolver.r#override {
        for entry in RequirementsTxt::parse_file(path)?.requirements {
            brief.overrides.push(named(entry)?);
        }
    }
    Ok(brief)
}

impl Brief {
    /// Adds a requirement from `origin`: a direct reference (`name @ url`)
    /// to [`Brief::direct`], anything else to [`Brief::requirements`].
    fn push(&mut self, requirement: Requirement, origin: String, editable: bool) {
        if let Some(url) = requirement.url() {
            self.direct.push(DirectReference {
                name: Some(requirement.name.clone()),
                target: url.to_string(),
                extras: requirement.extras,
                marker: requirement.marker,
                editable,
                origin,
            });
        } else {
            self.requirements.push(requirement);
            self.origins.push(origin);
        }
    }
}

/// Reads what [`read_brief`] could not: the requirements of dynamic
/// projects (from their build backends) and the metadata of direct
/// references. The direct references' own requirements join the Brief,
/// and their packages are returned for [`WithDirect`].
pub async fn complete_brief(
    brief: &mut Brief,
    builder: Option<&Builder>,
    client: &posy_index::IndexClient,
    extras: &ExtrasSelection,
) -> Result<Vec<DirectPackage>> {
    for project in std::mem::take(&mut brief.dynamic_projects) {
        let (origin, requirements) =
            dynamic_project_requirements(&project, builder, extras).await?;
        for requirement in requirements {
            brief.push(requirement, origin.clone(), false);
        }
    }
    let mut direct = Vec::new();
    for reference in &brief.direct {
        direct.push(read_direct(reference, builder, client).await?);
    }
    for package in &direct {
        brief.requirements.push(package.requirement.clone());
        brief.origins.push(package.origin.clone());
    }
    Ok(direct)
}

/// `--extra` / `--all-extras` as a selection.
pub fn extras_selection(extra: &[String], all: bool) -> Result<ExtrasSelection> {
    Ok(ExtrasSelection {
        extras: extra
            .iter()
            .map(|e| {
                posy_vocab::ExtraName::new(e).map_err(|err| anyhow!("invalid --extra `{e}`: {err}"))
            })
            .collect::<Result<_>>()?,
        all,
    })
}

fn named(entry: RequirementEntry) -> Result<Requirement> {
    match entry.requirement {
        RequirementSpec::Named(req) => Ok(req),
        RequirementSpec::Unnamed(u) => bail!(
            "{}:{}: `{}`: requirements given as a path or URL without a name are not supported yet; write `name @ {}`",
            entry.file.display(),
            entry.line,
            u.target,
            u.target
        ),
    }
}

/// The environment to resolve for: an interpreter's, optionally with
/// another Python version, or a named platform with no interpreter at all.
pub fn resolve_target(
    python: Option<&str>,
    python_version: Option<&str>,
    python_platform: Option<&str>,
    global: &GlobalArgs,
) -> Result<Target> {
    let version = python_version
        .map(|v| {
            v.parse::<Version>()
                .map_err(|e| anyhow!("invalid --python-version: {e}"))
        })
        .transpose()?;
    if let Some(platform) = python_platform {
        let platform = Platform::from_python_platform(platform)?;
        let version = match version {
            Some(v) => v,
            None => find_interpreter(python, global)?
                .markers()
                .version(posy_vocab::MarkerVariable::PythonFullVersion)
                .cloned()
                .ok_or_else(|| anyhow!("cannot tell the interpreter's Python version"))?,
        };
        return Target::cpython(&version, platform)
            .ok_or_else(|| anyhow!("cannot describe Python {version} on that platform"));
    }
    let interpreter = find_interpreter(python, global)?;
    let Some(version) = version else {
        return Target::from_environment(interpreter.markers(), interpreter.tags())
            .ok_or_else(|| anyhow!("the interpreter reports no usable python_version"));
    };
    let (major, minor) = match version.release() {
        [major, minor, ..] => (*major, *minor),
        [major] => (*major, 0),
        [] => bail!("invalid --python-version `{version}`"),
    };
    let short = (u8::try_from(major)?, u8::try_from(minor)?);
    let base = interpreter.markers();
    let values = MarkerValues {
        python_version: format!("{major}.{minor}"),
        python_full_version: if version.release().len() >= 3 {
            version.to_string()
        } else {
            format!("{major}.{minor}.0")
        },
        ..base.values().clone()
    };
    let target = TagTarget {
        python_version: short,
        ..interpreter.tag_target()
    };
    Target::from_environment(MarkerEnvironment::new(values), Tags::from_target(&target))
        .ok_or_else(|| anyhow!("invalid --python-version `{version}`"))
}

fn find_interpreter(python: Option<&str>, global: &GlobalArgs) -> Result<posy_python::Interpreter> {
    let request = match python {
        Some(text) => text.parse::<posy_python::PythonRequest>()?,
        None => posy_python::PythonRequest::Any,
    };
    let cache = posy_python::ProbeCache::new(&settings::cache_dir(global)?);
    let env =
        posy_python::DiscoveryEnv::from_process().context("cannot read the working directory")?;
    Ok(posy_python::find_interpreter(&request, &env, &cache)?)
}

/// Fills the request's policy fields from the flags.
pub fn apply_resolver_args(
    request: &mut ResolveRequest,
    args: &ResolverArgs,
    pre: bool,
) -> Result<()> {
    request.strategy = args
        .resolution
        .parse()
        .map_err(|e| anyhow!("invalid --resolution: {e}"))?;
    request.prerelease = if pre {
        "allow".parse()
    } else {
        args.prerelease.parse()
    }
    .map_err(|e| anyhow!("invalid --prerelease: {e}"))?;
    request.upgrade = upgrade(args)?;
    Ok(())
}

/// The binary policy of the flags and the files, flags last (they win over `:none:`/`:all:` in files).
pub fn binary_policy(args: &ResolverArgs, brief: &Brief) -> Result<BinaryPolicy> {
    let only: Vec<String> = brief
        .only_binary
        .iter()
        .chain(&args.only_binary)
        .cloned()
        .collect();
    let no: Vec<String> = brief
        .no_binary
        .iter()
        .chain(&args.no_binary)
        .cloned()
        .collect();
    BinaryPolicy::new(args.no_build, &only, &no)
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

/// `--upgrade` / `--upgrade-package` as the resolver's [`Upgrade`].
pub fn upgrade(args: &ResolverArgs) -> Result<Upgrade> {
    Ok(if args.upgrade {
        Upgrade::All
    } else if !args.upgrade_package.is_empty() {
        Upgrade::Packages(
            args.upgrade_package
                .iter()
                .map(|p| PackageName::new(p))
                .collect::<Result<BTreeSet<_>, _>>()?,
        )
    } else {
        Upgrade::None
    })
}

/// Pins of an existing output file, kept unless upgraded.
fn preferences(output: Option<&Path>) -> Result<Vec<Preference>> {
    let Some(path) = output.filter(|p| p.exists()) else {
        return Ok(Vec::new());
    };
    let file = RequirementsTxt::parse_file(path)?;
    Ok(file
        .requirements
        .into_iter()
        .filter_map(|e| match e.requirement {
            RequirementSpec::Named(req) => Some(req),
            RequirementSpec::Unnamed(_) => None,
        })
        .filter_map(|req| {
            let Some(VersionOrUrl::Specifiers(set)) = &req.version_or_url else {
                return None;
            };
            let spec = set
                .iter()
                .next()
                .filter(|s| set.len() == 1 && s.operator() == Operator::Equal)?;
            Some(Preference {
                name: req.name.clone(),
                version: spec.version()?.clone(),
            })
        })
        .collect())
}

pub fn run(args: &PipCompileArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let extras = extras_selection(&args.extra, args.all_extras)?;
    let mut brief = read_brief(&args.src_file, &[], &args.resolver, &extras)?;
    let target = resolve_target(
        args.python.as_deref(),
        args.python_version.as_deref(),
        args.python_platform.as_deref(),
        global,
    )?;
    let upgrade = upgrade(&args.resolver)?;
    let store = settings::open_store(global)?;
    let client = index_client::build(&args.index, &brief.index, &store, &upgrade)?;
    let mut build_settings = build_envs::BuildSettings::from_args(&args.resolver.build)?;
    let policy = binary_policy(&args.resolver, &brief)?;
    build_settings.policy = policy.clone();
    // Sdist-only versions are built with the interpreter being resolved
    // for; a resolution for another platform has none to build with.
    let builder = args
        .python_platform
        .is_none()
        .then(|| find_interpreter(args.python.as_deref(), global).ok())
        .flatten()
        .map(|python| build_envs::builder(&store, &client, python, &build_settings));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let direct = runtime.block_on(complete_brief(
        &mut brief,
        builder.as_ref(),
        &client,
        &extras,
    ))?;

    let mut request = ResolveRequest::new(brief.requirements.clone(), target.clone());
    request.constraints = brief.constraints.clone();
    request.overrides = brief.overrides.clone();
    request.preferences = preferences(args.output_file.as_deref())?;
    apply_resolver_args(&mut request, &args.resolver, brief.pre)?;
    if args.universal {
        request.universal = true;
        let minor = target.python_version.release().get(1).copied().unwrap_or(0);
        let pythons: Vec<Version> = (minor..=14).map(|m| Version::new([3, m])).collect();
        request.environments = Target::universal_set(&pythons);
    }
    let index = IndexProvider::with_builder(&client, builder.as_ref(), policy);
    let provider = WithDirect::new(&index, &direct);
    let resolution = runtime
        .block_on(resolve(&request, &provider))
        .map_err(resolve_error)?;
    if !args.quiet {
        eprintln!(
            "Resolved {} package{} in {}",
            resolution.packages.len(),
            plural(resolution.packages.len()),
            elapsed(start)
        );
        let yanks = yank_warnings(&resolution);
        for warning in resolution.warnings.iter().chain(&yanks) {
            eprintln!("warning: {warning}");
        }
    }
    let text = render(&resolution, &brief, &direct, args);
    match &args.output_file {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    // Lookups still running on blocking threads (a slow DNS answer no
    // one waits for any more) must not hold up the exit.
    runtime.shutdown_background();
    store.close()?;
    Ok(ExitCode::SUCCESS)
}

/// A warning for each pin whose file is yanked, with the reason (PEP 592
/// asks installers to say so; only an exact pin can choose such a file).
pub fn yank_warnings(resolution: &Resolution) -> Vec<String> {
    resolution
        .packages
        .iter()
        .filter_map(|package| {
            let yanked = package.best_file()?.yanked.as_ref()?;
            let (name, version) = (&package.name, &package.version);
            Some(match yanked.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(reason) => format!("{name}=={version} is yanked (reason: \"{reason}\")"),
                None => format!("{name}=={version} is yanked"),
            })
        })
        .collect()
}

/// The requirements.txt text, in uv's layout.
fn render(
    resolution: &Resolution,
    brief: &Brief,
    direct: &[DirectPackage],
    args: &PipCompileArgs,
) -> String {
    let mut out = String::new();
    if !args.no_header {
        out.push_str("# This file was autogenerated by posy via the following command:\n");
        let _ = writeln!(out, "#    {}", header_command(args.emit_index_url));
    }
    if args.emit_index_url {
        let first = args
            .index
            .index_url
            .clone()
            .or(brief.index.index_url.clone())
            .unwrap_or_else(|| posy_index::PYPI_SIMPLE.to_string());
        let extras = args
            .index
            .extra_index_url
            .iter()
            .chain(&brief.index.extra_index_urls);
        for (i, index) in std::iter::once(&first).chain(extras).enumerate() {
            let flag = if i == 0 {
                "--index-url"
            } else {
                "--extra-index-url"
            };
            let _ = writeln!(out, "{flag} {}", without_credentials(index));
        }
    }
    for package in &resolution.packages {
        let reference = direct.iter().find(|d| d.name == package.name);
        let mut line = match reference {
            Some(reference) => reference.display.clone(),
            None => format!("{}=={}", package.name, package.version),
        };
        if let Some(marker) = &package.marker {
            let _ = write!(line, " ; {marker}");
        }
        if args.generate_hashes {
            let hashes: BTreeSet<String> = match reference {
                Some(reference) => reference
                    .sha256
                    .iter()
                    .map(|hex| format!("sha256:{hex}"))
                    .collect(),
                None => package
                    .files
                    .iter()
                    .flat_map(|f| &f.hashes)
                    .filter(|h| h.algorithm() == posy_vocab::HashAlgorithm::Sha256)
                    .map(|h| h.to_string())
                    .collect(),
            };
            for hash in hashes {
                let _ = write!(line, " \\\n    --hash={hash}");
            }
        }
        out.push_str(&line);
        out.push('\n');
        if !args.no_annotate {
            let via: Vec<String> = package
                .via
                .iter()
                .map(|v| match v {
                    Via::Requirement(i) => brief.origins.get(*i).cloned().unwrap_or_default(),
                    Via::Package(name) => name.to_string(),
                })
                .filter(|s| !s.is_empty())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            match via.as_slice() {
                [] => {}
                [one] => {
                    let _ = writeln!(out, "    # via {one}");
                }
                many => {
                    out.push_str("    # via\n");
                    for v in many {
                        let _ = writeln!(out, "    #   {v}");
                    }
                }
            }
        }
    }
    out
}

/// The command line for the header, without options that only matter
/// locally: the cache directory, the find-links locations, and (as uv does)
/// the indexes unless `--emit-index-url` asks for them. Index URLs often
/// carry credentials and the file is often committed, so any URL that stays
/// loses its `user:password@`.
fn header_command(include_index_url: bool) -> String {
    const INDEX_FLAGS: [&str; 3] = ["--index-url", "-i", "--extra-index-url"];
    const LOCAL_FLAGS: [&str; 3] = ["--cache-dir", "--find-links", "-f"];
    let mut words = vec!["posy".to_string()];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, _)) if flag.starts_with('-') => (flag, true),
            _ => (arg.as_str(), false),
        };
        if LOCAL_FLAGS.contains(&flag) || (!include_index_url && INDEX_FLAGS.contains(&flag)) {
            if !inline_value {
                args.next();
            }
            continue;
        }
        words.push(without_credentials(&arg));
    }
    words.join(" ")
}

/// `text` (a URL, or `--flag=URL`) with the URL's `user:password@` removed.
fn without_credentials(text: &str) -> String {
    let (prefix, value) = match text.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (format!("{flag}="), value),
        _ => (String::new(), text),
    };
    match posy_index::IndexUrl::parse(value) {
        Ok(url) if value.contains("://") && value.contains('@') => format!(
            "{prefix}{}",
            posy_index::redact::strip_credentials(url.url())
        ),
        _ => text.to_string(),
    }
}
