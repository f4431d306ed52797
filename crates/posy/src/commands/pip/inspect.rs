//! `posy pip list | freeze | show | check`: reading an environment.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_install::{InstalledDist, installed_distributions};
use posy_python::Interpreter;
use posy_vocab::{CoreMetadata, PackageName};

use crate::cli::{EnvArgs, GlobalArgs, PipListArgs, PipShowArgs};
use crate::target_env::{find_env, install_scheme};

/// The interpreter and what is installed in its environment.
fn installed(args: &EnvArgs, global: &GlobalArgs) -> Result<(Interpreter, Vec<InstalledDist>)> {
    let interpreter = find_env(args, global)?;
    let scheme = install_scheme(&interpreter);
    let dists = installed_distributions(&[&scheme.purelib, &scheme.platlib])?;
    Ok((interpreter, dists))
}

/// `name==version`, or `name @ url` for a distribution installed from a URL or path (PEP 610).
fn freeze_line(dist: &InstalledDist) -> String {
    let url = dist.direct_url().and_then(|json| {
        serde_json::from_str::<serde_json::Value>(&json)
            .ok()?
            .get("url")?
            .as_str()
            .map(String::from)
    });
    match url {
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
    if args.outdated {
        bail!(
            "`posy pip list --outdated` is not available yet: it needs the index wiring of `posy pip install`"
        );
    }
    let (_, dists) = installed(&args.env, global)?;
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
    let (interpreter, dists) = installed(args, global)?;
    let markers = interpreter.markers();
    let versions: BTreeMap<&PackageName, &InstalledDist> =
        dists.iter().map(|d| (&d.name, d)).collect();
    let mut problems = Vec::new();
    for dist in &dists {
        let meta = dist.metadata()?;
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
