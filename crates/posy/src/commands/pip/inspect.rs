//! `posy pip list | freeze | show | check`: reading an environment.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_install::InstalledDist;
use posy_ops::{Env, Placement};
use posy_python::Interpreter;
use posy_vocab::{CoreMetadata, PackageName};

use crate::cli::{EnvArgs, GlobalArgs, PipListArgs, PipShowArgs};
use crate::settings;

/// The interpreter and what is installed in its environment.
fn installed(args: &EnvArgs, global: &GlobalArgs) -> Result<(Interpreter, Vec<InstalledDist>)> {
    let env = Env::find(
        &args.request(),
        &Placement::Environment,
        &settings::cache_dir(global)?,
    )?;
    let dists = env.installed()?;
    Ok((env.interpreter, dists))
}

/// `name==version`, `name @ url` for a distribution installed from a URL
/// or path, or `-e url` for an editable project (PEP 610), as uv writes
/// them; `posy pip sync` and `pip install -r` read each back.
fn freeze_line(dist: &InstalledDist) -> String {
    let direct = dist
        .direct_url()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok());
    let url = direct
        .as_ref()
        .and_then(|d| d.get("url")?.as_str().map(String::from));
    let editable = direct.as_ref().is_some_and(|d| {
        d.pointer("/dir_info/editable")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    });
    let vcs = direct.as_ref().and_then(|d| {
        let info = d.get("vcs_info")?;
        let commit = info.get("commit_id")?.as_str()?;
        let vcs = info.get("vcs")?.as_str()?;
        let subdirectory = d
            .get("subdirectory")
            .and_then(|s| s.as_str())
            .map(|s| format!("#subdirectory={s}"))
            .unwrap_or_default();
        Some(format!("{vcs}+{}@{commit}{subdirectory}", url.as_deref()?))
    });
    match url {
        Some(_) if vcs.is_some() => format!("{} @ {}", dist.name, vcs.unwrap_or_default()),
        Some(url) if editable => format!("-e {url}"),
        Some(url) => format!("{} @ {url}", dist.name),
        None => dist.to_string(),
    }
}

pub fn freeze(args: &EnvArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (_, dists) = installed(args, global)?;
    for dist in &dists {
        println!("{}", freeze_line(dist));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(args: &PipListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (interpreter, dists) = installed(&args.env, global)?;
    if args.outdated {
        return outdated(args, global, &interpreter, &dists);
    }
    match args.format.as_str() {
        "freeze" => dists.iter().for_each(|d| println!("{}", freeze_line(d))),
        "json" => {
            let rows: Vec<_> = dists
                .iter()
                .map(|d| serde_json::json!({"name": d.name.as_str(), "version": d.version.to_string()}))
                .collect();
            println!("{}", serde_json::Value::Array(rows));
        }
        "columns" => {
            let rows: Vec<(String, String)> = dists
                .iter()
                .map(|d| (d.name.to_string(), d.version.to_string()))
                .collect();
            let w0 = rows.iter().map(|r| r.0.len()).chain([7]).max().unwrap_or(7);
            let w1 = rows.iter().map(|r| r.1.len()).chain([7]).max().unwrap_or(7);
            println!("{:w0$} Version", "Package");
            println!("{} {}", "-".repeat(w0), "-".repeat(w1));
            for (name, version) in rows {
                println!("{name:w0$} {version}");
            }
        }
        other => bail!("unknown --format `{other}` (expected columns, freeze or json)"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: &PipShowArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (interpreter, dists) = installed(&args.env, global)?;
    let markers = interpreter.markers();
    let metadata: BTreeMap<PackageName, CoreMetadata> = dists
        .iter()
        .filter_map(|d| Some((d.name.clone(), d.metadata().ok()?)))
        .collect();
    let mut missing = Vec::new();
    for (i, wanted) in args.packages.iter().enumerate() {
        let name = PackageName::new(wanted)?;
        let Some(dist) = dists.iter().find(|d| d.name == name) else {
            missing.push(wanted.clone());
            continue;
        };
        if i > 0 {
            println!("---");
        }
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
        println!("Name: {}", meta.name);
        println!("Version: {}", meta.version);
        if let Some(summary) = &meta.summary {
            println!("Summary: {summary}");
        }
        if let Some(home) = meta
            .home_page
            .as_ref()
            .or(meta.project_urls.first().map(|(_, u)| u))
        {
            println!("Home-page: {home}");
        }
        if let Some(author) = meta.author.as_ref().or(meta.author_email.as_ref()) {
            println!("Author: {author}");
        }
        if let Some(license) = meta.license_expression.as_ref().or(meta.license.as_ref()) {
            println!("License: {}", license.lines().next().unwrap_or_default());
        }
        println!("Location: {}", dist.root().display());
        println!("Requires: {}", dedup(requires).join(", "));
        println!("Required-by: {}", required_by.join(", "));
        if args.files {
            println!("Files:");
            for entry in dist.record()? {
                println!("  {}", entry.path);
            }
        }
    }
    if !missing.is_empty() {
        eprintln!("warning: package(s) not found: {}", missing.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

pub fn check(args: &EnvArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let env = Env::find(
        &args.request(),
        &Placement::Environment,
        &settings::cache_dir(global)?,
    )?;
    let dists = env.installed()?;
    let markers = env.interpreter.markers();
    let versions: BTreeMap<&PackageName, &InstalledDist> =
        dists.iter().map(|d| (&d.name, d)).collect();
    let mut problems: Vec<String> = env
        .broken()?
        .into_iter()
        .map(|(dir, why)| format!("{} names no distribution ({why}); remove it", dir.display()))
        .collect();
    for dist in &dists {
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
            .filter(|r| r.marker.evaluate(&markers, &[]))
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
    let client = posy_ops::build_client(
        &args.index.settings(),
        &Default::default(),
        session.store(),
        &Default::default(),
    )?;
    let tags = interpreter.tags();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let latest: Vec<Option<(posy_vocab::Version, &'static str)>> = runtime.block_on(async {
        let lookups = dists.iter().map(|dist| {
            let client = &client;
            let tags = &tags;
            async move {
                let project = client.project(&dist.name).await.ok()?;
                project
                    .files
                    .iter()
                    .filter(|f| f.yanked.is_none())
                    .filter_map(|f| match f.dist.as_ref()? {
                        posy_vocab::DistFilename::Wheel(w) if w.is_compatible(tags) => {
                            Some((w.version().clone(), "wheel"))
                        }
                        posy_vocab::DistFilename::Sdist(s) => Some((s.version().clone(), "sdist")),
                        _ => None,
                    })
                    .filter(|(v, _)| !v.is_prerelease() || dist.version.is_prerelease())
                    .max_by(|a, b| {
                        a.0.cmp(&b.0)
                            .then_with(|| (a.1 == "wheel").cmp(&(b.1 == "wheel")))
                    })
            }
        });
        futures_util::future::join_all(lookups).await
    });
    runtime.shutdown_background();
    let rows: Vec<(&InstalledDist, posy_vocab::Version, &str)> = dists
        .iter()
        .zip(latest)
        .filter_map(|(d, l)| {
            l.filter(|(v, _)| *v > d.version)
                .map(|(v, kind)| (d, v, kind))
        })
        .collect();
    match args.format.as_str() {
        "json" => {
            let rows: Vec<_> = rows
                .iter()
                .map(|(d, v, kind)| serde_json::json!({"name": d.name.as_str(), "version": d.version.to_string(), "latest_version": v.to_string(), "latest_filetype": kind}))
                .collect();
            println!("{}", serde_json::Value::Array(rows));
        }
        "freeze" => rows
            .iter()
            .for_each(|(d, _, _)| println!("{}", freeze_line(d))),
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
                println!("{}", cells.join(" ").trim_end());
            }
        }
    }
    session.close()?;
    Ok(ExitCode::SUCCESS)
}
