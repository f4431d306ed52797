//! `posy pip list | freeze | show | check`: reading an environment.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_install::InstalledDist;
use posy_ops::{Env, TargetRequest};
use posy_python::Interpreter;
use posy_vocab::{CoreMetadata, MarkerEnvironment, PackageName};

use crate::cli::{
    EnvArgs, GlobalArgs, ListingArgs, PipCheckArgs, PipFreezeArgs, PipListArgs, PipShowArgs,
    PlacementArgs,
};
use crate::output::outln;
use crate::settings;

/// The environment and what is installed in it (or where `--target` /
/// `--prefix` say).
pub(super) fn installed(
    args: &EnvArgs,
    placement: &PlacementArgs,
    global: &GlobalArgs,
) -> Result<(Env, Vec<InstalledDist>)> {
    let env = Env::find(
        &args.request(),
        &placement.placement(),
        &settings::cache_dir(global)?,
    )?;
    let dists = env.installed()?;
    Ok((env, dists))
}

/// Where a distribution was installed from (PEP 610's `direct_url.json`):
/// the URL, and whether it is an editable install.
pub(super) fn direct_url(dist: &InstalledDist) -> Option<(String, bool)> {
    let direct = serde_json::from_str::<serde_json::Value>(&dist.direct_url()?).ok()?;
    let url = direct.get("url")?.as_str()?.to_string();
    // A VCS install reads back as `git+URL@COMMIT[#subdirectory=DIR]`.
    if let Some(info) = direct.get("vcs_info") {
        let commit = info.get("commit_id")?.as_str()?;
        let vcs = info.get("vcs")?.as_str()?;
        let subdirectory = direct
            .get("subdirectory")
            .and_then(|s| s.as_str())
            .map(|s| format!("#subdirectory={s}"))
            .unwrap_or_default();
        return Some((format!("{vcs}+{url}@{commit}{subdirectory}"), false));
    }
    let editable = direct
        .pointer("/dir_info/editable")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    Some((url, editable))
}

/// The project directory of an editable install, if `dist` is one.
fn editable_location(dist: &InstalledDist) -> Option<std::path::PathBuf> {
    match direct_url(dist)? {
        (url, true) => url::Url::parse(&url).ok()?.to_file_path().ok(),
        _ => None,
    }
}

/// `name==version`, `name @ url` for a distribution installed from a URL
/// or path, or `-e url` for an editable project (PEP 610), as uv writes
/// them; `posy pip sync` and `pip install -r` read each back.
fn freeze_line(dist: &InstalledDist) -> String {
    match direct_url(dist) {
        Some((url, true)) => format!("-e {url}"),
        Some((url, false)) => format!("{} @ {url}", dist.name),
        None => dist.to_string(),
    }
}

/// The distributions a listing shows (`--exclude`, `--exclude-editable`).
fn listed(dists: Vec<InstalledDist>, listing: &ListingArgs) -> Result<Vec<InstalledDist>> {
    let excluded = listing
        .exclude
        .iter()
        .map(|p| PackageName::new(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dists
        .into_iter()
        .filter(|d| !excluded.contains(&d.name))
        .filter(|d| !listing.exclude_editable || editable_location(d).is_none())
        .collect())
}

/// `--strict` on a listing: what `pip check` would say, as warnings.
fn warn_strict(strict: bool, interpreter: &Interpreter, dists: &[InstalledDist]) -> Result<()> {
    if strict {
        for problem in problems(&interpreter.markers(), dists)? {
            eprintln!("warning: {problem}");
        }
    }
    Ok(())
}

pub fn freeze(args: &PipFreezeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (env, dists) = installed(&args.env, &args.placement, global)?;
    let dists = if args.path.is_empty() {
        dists
    } else {
        let paths: Vec<&std::path::Path> = args.path.iter().map(AsRef::as_ref).collect();
        posy_install::installed_distributions(&paths)?
    };
    let dists = listed(dists, &args.listing)?;
    for dist in &dists {
        outln!("{}", freeze_line(dist));
    }
    warn_strict(args.listing.strict, &env.interpreter, &dists)?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(args: &PipListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (env, dists) = installed(&args.env, &args.placement, global)?;
    let mut dists = listed(dists, &args.listing)?;
    if args.editable {
        dists.retain(|d| editable_location(d).is_some());
    }
    warn_strict(args.listing.strict, &env.interpreter, &dists)?;
    if args.outdated {
        return outdated(args, global, &env.interpreter, &dists);
    }
    match args.format.as_str() {
        "freeze" => dists.iter().for_each(|d| outln!("{}", freeze_line(d))),
        "json" => {
            let rows: Vec<_> = dists
                .iter()
                .map(|d| {
                    let mut row = serde_json::json!({"name": d.name.as_str(), "version": d.version.to_string()});
                    if let Some(location) = editable_location(d) {
                        row["editable_project_location"] = location.display().to_string().into();
                    }
                    row
                })
                .collect();
            outln!("{}", serde_json::Value::Array(rows));
        }
        "columns" => {
            let rows: Vec<(String, String, Option<String>)> = dists
                .iter()
                .map(|d| {
                    let location = editable_location(d).map(|p| p.display().to_string());
                    (d.name.to_string(), d.version.to_string(), location)
                })
                .collect();
            let w0 = rows.iter().map(|r| r.0.len()).chain([7]).max().unwrap_or(7);
            let w1 = rows.iter().map(|r| r.1.len()).chain([7]).max().unwrap_or(7);
            if rows.iter().any(|r| r.2.is_some()) {
                // pip's and uv's fourth column, only when some row has one.
                outln!(
                    "{:w0$} {:w1$} Editable project location",
                    "Package",
                    "Version"
                );
                let w2 = rows
                    .iter()
                    .filter_map(|r| r.2.as_ref())
                    .map(String::len)
                    .max()
                    .unwrap_or(0);
                outln!(
                    "{} {} {}",
                    "-".repeat(w0),
                    "-".repeat(w1),
                    "-".repeat(w2.max(25))
                );
                for (name, version, location) in rows {
                    let line = format!("{name:w0$} {version:w1$} {}", location.unwrap_or_default());
                    outln!("{}", line.trim_end());
                }
            } else {
                outln!("{:w0$} Version", "Package");
                outln!("{} {}", "-".repeat(w0), "-".repeat(w1));
                for (name, version, _) in rows {
                    outln!("{name:w0$} {version}");
                }
            }
        }
        other => bail!("unknown --format `{other}` (expected columns, freeze or json)"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: &PipShowArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (env, dists) = installed(&args.env, &args.placement, global)?;
    let markers = env.interpreter.markers();
    let metadata: BTreeMap<PackageName, CoreMetadata> = dists
        .iter()
        .filter_map(|d| Some((d.name.clone(), d.metadata().ok()?)))
        .collect();
    let mut missing = Vec::new();
    let mut shown = Vec::new();
    for wanted in &args.packages {
        let name = PackageName::new(wanted)?;
        let Some(dist) = dists.iter().find(|d| d.name == name) else {
            missing.push(wanted.clone());
            continue;
        };
        let meta = dist.metadata()?;
        let requires: Vec<String> = meta
            .requires_dist
            .iter()
            .filter(|r| r.marker.evaluate(&markers, &[]))
            .map(|r| r.name.to_string())
            .collect();
        let required_by: Vec<String> = metadata
            .iter()
            .filter(|(_, m)| {
                m.requires_dist
                    .iter()
                    .any(|r| r.name == name && r.marker.evaluate(&markers, &[]))
            })
            .map(|(n, _)| n.to_string())
            .collect();
        shown.push(Shown {
            name: meta.name.to_string(),
            version: meta.version.to_string(),
            summary: meta.summary.clone(),
            home_page: meta
                .home_page
                .clone()
                .or(meta.project_urls.first().map(|(_, u)| u.clone())),
            author: meta.author.clone().or(meta.author_email.clone()),
            license: meta
                .license_expression
                .as_ref()
                .or(meta.license.as_ref())
                .map(|l| l.lines().next().unwrap_or_default().to_string()),
            location: dist.root().display().to_string(),
            editable_project_location: editable_location(dist).map(|l| l.display().to_string()),
            requires: dedup(requires),
            required_by,
            files: match args.files {
                true => Some(dist.record()?.into_iter().map(|e| e.path).collect()),
                false => None,
            },
        });
    }
    if args.format == "json" {
        outln!(
            "{}",
            serde_json::to_string_pretty(&shown)
                .unwrap_or_else(|_| unreachable!("strings and lists"))
        );
    } else {
        for (i, package) in shown.iter().enumerate() {
            if i > 0 {
                outln!("---");
            }
            package.print();
        }
    }
    warn_strict(args.strict, &env.interpreter, &dists)?;
    if !missing.is_empty() {
        eprintln!("warning: package(s) not found: {}", missing.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// One package as `pip show` shows it; `--format json` writes these
/// fields as they are named here.
#[derive(serde::Serialize)]
struct Shown {
    name: String,
    version: String,
    summary: Option<String>,
    home_page: Option<String>,
    author: Option<String>,
    license: Option<String>,
    location: String,
    editable_project_location: Option<String>,
    requires: Vec<String>,
    required_by: Vec<String>,
    /// With `--files`.
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<String>>,
}

impl Shown {
    /// pip's layout.
    fn print(&self) {
        outln!("Name: {}", self.name);
        outln!("Version: {}", self.version);
        if let Some(summary) = &self.summary {
            outln!("Summary: {summary}");
        }
        if let Some(home) = &self.home_page {
            outln!("Home-page: {home}");
        }
        if let Some(author) = &self.author {
            outln!("Author: {author}");
        }
        if let Some(license) = &self.license {
            outln!("License: {license}");
        }
        outln!("Location: {}", self.location);
        if let Some(location) = &self.editable_project_location {
            outln!("Editable project location: {location}");
        }
        outln!("Requires: {}", self.requires.join(", "));
        outln!("Required-by: {}", self.required_by.join(", "));
        if let Some(files) = &self.files {
            outln!("Files:");
            for path in files {
                outln!("  {path}");
            }
        }
    }
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

pub fn check(args: &PipCheckArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (env, dists) = installed(&args.env, &PlacementArgs::default(), global)?;
    // `--python-version` / `--python-platform` evaluate the markers of
    // another target than the interpreter's.
    let markers = if args.python_version.is_some() || args.python_platform.is_some() {
        let request = TargetRequest {
            python: Some(env.interpreter.executable().display().to_string()),
            python_version: args.python_version.clone(),
            python_platform: args.python_platform.clone(),
        };
        posy_ops::resolve_target(&request, &settings::cache_dir(global)?)?.markers
    } else {
        env.interpreter.markers()
    };
    let mut problems = problems(&markers, &dists)?;
    problems.extend(
        env.broken()?.into_iter().map(|(dir, why)| {
            format!("{} names no distribution ({why}); remove it", dir.display())
        }),
    );
    eprintln!(
        "Checked {} package{}",
        dists.len(),
        if dists.len() == 1 { "" } else { "s" }
    );
    if problems.is_empty() {
        eprintln!("All installed packages are compatible");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "Found {} incompatibilit{}",
        problems.len(),
        if problems.len() == 1 { "y" } else { "ies" }
    );
    for problem in problems {
        eprintln!("{problem}");
    }
    Ok(ExitCode::from(1))
}

/// What `pip check` reports: each requirement of an installed package
/// (whose marker holds in `markers`) that is missing or not satisfied.
pub(super) fn problems(
    markers: &MarkerEnvironment,
    dists: &[InstalledDist],
) -> Result<Vec<String>> {
    let versions: BTreeMap<&PackageName, &InstalledDist> =
        dists.iter().map(|d| (&d.name, d)).collect();
    let mut problems = Vec::new();
    for dist in dists {
        if !dist.is_complete() {
            problems.push(format!(
                "The package `{}` was never completely installed (its RECORD is missing); reinstall it",
                dist.name
            ));
        }
        let meta = match dist.metadata() {
            Ok(meta) => meta,
            Err(error) => {
                problems.push(format!(
                    "The package `{}` has unreadable metadata ({error}); reinstall it",
                    dist.name
                ));
                continue;
            }
        };
        for req in meta
            .requires_dist
            .iter()
            .filter(|r| r.marker.evaluate(markers, &[]))
        {
            match versions.get(&req.name) {
                None => problems.push(format!(
                    "The package `{}` requires `{req}`, but it's not installed",
                    dist.name
                )),
                Some(found) => {
                    if let Some(specs) = req.specifiers()
                        && !specs.contains(&found.version)
                    {
                        problems.push(format!(
                            "The package `{}` requires `{req}`, but `{}` is installed",
                            dist.name, found.version
                        ));
                    }
                }
            }
        }
    }
    Ok(problems)
}

/// `pip list --outdated`: installed distributions with a newer usable
/// version on the index (a compatible wheel or an sdist, not yanked, not a
/// prerelease unless the installed one is).
fn outdated(
    args: &PipListArgs,
    global: &GlobalArgs,
    interpreter: &Interpreter,
    dists: &[InstalledDist],
) -> Result<ExitCode> {
    let session = crate::settings::session(global)?;
    let wanted: Vec<(PackageName, posy_vocab::Version)> = dists
        .iter()
        .map(|d| (d.name.clone(), d.version.clone()))
        .collect();
    let latest = latest_versions(&session, &args.index.settings(global), interpreter, &wanted)?;
    let rows: Vec<(&InstalledDist, posy_vocab::Version, &str)> = dists
        .iter()
        .zip(latest)
        .filter_map(|(d, l)| {
            l.filter(|(v, _)| *v > d.version)
                .map(|(v, kind)| (d, v, kind))
        })
        .collect();
    print_outdated(&args.format, &rows);
    session.close()?;
    Ok(ExitCode::SUCCESS)
}

/// The newest usable version on the index of each of `dists` (name and
/// the version there is, in order), and whether it is a wheel or an sdist.
pub(crate) fn latest_versions(
    session: &posy_ops::Session,
    index: &posy_ops::IndexSettings,
    interpreter: &Interpreter,
    dists: &[(PackageName, posy_vocab::Version)],
) -> Result<Vec<Option<(posy_vocab::Version, &'static str)>>> {
    let client = posy_ops::build_client(
        index,
        &Default::default(),
        session.store(),
        &Default::default(),
    )?;
    let tags = interpreter.tags();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // An index that cannot be asked is an error, not "nothing is outdated".
    let latest: Vec<Result<Option<(posy_vocab::Version, &'static str)>>> =
        runtime.block_on(async {
            let lookups = dists.iter().map(|(name, version)| {
                let client = &client;
                let tags = &tags;
                async move {
                    let project = client.project(name).await.map_err(|e| {
                        anyhow::anyhow!("cannot look up the newest version of {name}: {e}")
                    })?;
                    Ok(project
                        .files
                        .iter()
                        .filter(|f| f.yanked.is_none())
                        .filter_map(|f| match f.dist.as_ref()? {
                            posy_vocab::DistFilename::Wheel(w) if w.is_compatible(tags) => {
                                Some((w.version().clone(), "wheel"))
                            }
                            posy_vocab::DistFilename::Sdist(s) => {
                                Some((s.version().clone(), "sdist"))
                            }
                            _ => None,
                        })
                        .filter(|(v, _)| !v.is_prerelease() || version.is_prerelease())
                        .max_by(|a, b| {
                            a.0.cmp(&b.0)
                                .then_with(|| (a.1 == "wheel").cmp(&(b.1 == "wheel")))
                        }))
                }
            });
            futures_util::future::join_all(lookups).await
        });
    runtime.shutdown_background();
    latest.into_iter().collect()
}

/// The table (or JSON, or freeze lines) of `pip list --outdated`.
fn print_outdated(format: &str, rows: &[(&InstalledDist, posy_vocab::Version, &str)]) {
    match format {
        "json" => {
            let rows: Vec<_> = rows
                .iter()
                .map(|(d, v, kind)| serde_json::json!({"name": d.name.as_str(), "version": d.version.to_string(), "latest_version": v.to_string(), "latest_filetype": kind}))
                .collect();
            outln!("{}", serde_json::Value::Array(rows));
        }
        "freeze" => rows
            .iter()
            .for_each(|(d, _, _)| outln!("{}", freeze_line(d))),
        _ => {
            let header: Vec<String> = ["Package", "Version", "Latest", "Type"]
                .map(String::from)
                .to_vec();
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|(d, v, kind)| {
                    vec![
                        d.name.to_string(),
                        d.version.to_string(),
                        v.to_string(),
                        kind.to_string(),
                    ]
                })
                .collect();
            let widths: Vec<usize> = (0..header.len())
                .map(|i| {
                    table
                        .iter()
                        .chain([&header])
                        .map(|r| r[i].len())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            for row in [header, dashes].into_iter().chain(table) {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:w$}"))
                    .collect();
                outln!("{}", cells.join(" ").trim_end());
            }
        }
    }
}
