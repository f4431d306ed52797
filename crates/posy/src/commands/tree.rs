//! `posy tree`: the project's dependency tree, drawn from its lock (made
//! first if it is stale, as `posy sync` does) for the packages the
//! project's interpreter gets — the `.venv`'s, else `--python`'s or the
//! one posy finds — printed as `uv tree` prints it:
//!
//! ```text
//! app v0.1.0
//! ├── a v1.0
//! │   └── b v1.0
//! ├── c v1.0 (extra: fast)
//! └── d v1.0 (group: dev)
//! ```
//!
//! Like uv's, the tree shows every member of the workspace, every extra
//! and the selected dependency groups; `--outdated` asks the lock's
//! indexes for each package's newest version and writes `(latest: vX)`
//! beside those that have a newer one. Roots are the packages nothing selected depends on (with
//! `--invert`, those that depend on nothing), or `--package`'s; the
//! drawing (`(*)` for a subtree already shown) is `posy pip tree`'s, with
//! uv's footer when a `(*)` was drawn.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_ops::{EdgeKind, single_use};
use posy_project::Pylock;
use posy_vocab::{PackageName, Version};

use crate::cli::{GlobalArgs, SelectionArgs, TreeArgs};
use crate::output::outln;
use crate::settings;
use crate::tree_drawing::Drawing;

use super::pip::inspect::latest_versions;
use super::project::{ensure_lock, lock_options, selection, workspace};

pub fn run(args: &TreeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let ws = workspace()?;
    let session = settings::session(global)?;
    ensure_lock(&session, &ws, &args.project, global)?;
    let python = args.project.python.clone().or_else(|| {
        posy_ops::venv_python(&ws.venv_path())
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
    });
    let interpreter = posy_ops::find_interpreter(python.as_deref(), session.cache_dir())?;
    let lock = Pylock::read(&ws.lock_path())?;
    let selection = selection(&SelectionArgs {
        all_extras: true,
        all_packages: true,
        groups: args.groups.clone(),
        ..SelectionArgs::default()
    })?;
    let single = single_use(
        &ws,
        &lock,
        &selection.lock_selection(&ws, &lock)?,
        Some(&interpreter.markers()),
        true,
    )?;
    let packages = &single.lock.packages;
    let latest: Vec<Option<Version>> = if args.outdated {
        let (mut options, _) = lock_options(&ws, &args.project, global)?;
        // Newer than what the lock saw: ask again (revalidated, so cheap).
        options.index.refresh = true;
        // The workspace's own projects are not on an index.
        let wanted: Vec<(usize, (PackageName, Version))> = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| ws.member(&p.name).is_none())
            .filter_map(|(i, p)| Some((i, (p.name.clone(), p.version.clone()?))))
            .collect();
        let pairs: Vec<(PackageName, Version)> = wanted.iter().map(|(_, w)| w.clone()).collect();
        let found = latest_versions(&session, &options.index, &interpreter, &pairs)?;
        let mut latest = vec![None; packages.len()];
        for ((i, (_, version)), newest) in wanted.iter().zip(found) {
            latest[*i] = newest.map(|(v, _)| v).filter(|v| v > version);
        }
        latest
    } else {
        vec![None; packages.len()]
    };
    session.close()?;
    let names = |values: &[String]| -> Result<Vec<PackageName>> {
        values
            .iter()
            .map(|v| PackageName::new(v).with_context(|| format!("`{v}` is not a package name")))
            .collect()
    };
    let pruned = names(&args.prune)?;
    let mut edges: Vec<Vec<(usize, EdgeKind)>> = vec![Vec::new(); packages.len()];
    for (from, out) in single.edges.iter().enumerate() {
        for edge in out {
            let (a, b) = if args.invert {
                (edge.to, from)
            } else {
                (from, edge.to)
            };
            edges[a].push((b, edge.kind.clone()));
        }
    }
    let roots: Vec<usize> = if args.package.is_empty() {
        let has_parent: BTreeSet<usize> = edges.iter().flatten().map(|(to, _)| *to).collect();
        (0..packages.len())
            .filter(|i| !has_parent.contains(i))
            .collect()
    } else {
        let wanted = names(&args.package)?;
        (0..packages.len())
            .filter(|&i| wanted.contains(&packages[i].name))
            .collect()
    };
    let label = |&i: &usize, kind: Option<&EdgeKind>| {
        let mut text = match &packages[i].version {
            Some(version) => format!("{} v{version}", packages[i].name),
            None => packages[i].name.to_string(),
        };
        if let Some(kind) = kind.filter(|k| **k != EdgeKind::Dependency) {
            text.push_str(&format!(" ({kind})"));
        }
        if let Some(newest) = &latest[i] {
            text.push_str(&format!(" (latest: v{newest})"));
        }
        text
    };
    // Pruned after the roots are found, so that what only a pruned
    // package brings in is not drawn as a tree of its own.
    let children = |&i: &usize| -> Vec<(usize, EdgeKind)> {
        edges[i]
            .iter()
            .filter(|(to, _)| !pruned.contains(&packages[*to].name))
            .cloned()
            .collect()
    };
    let drawing = Drawing {
        children: &children,
        label: &label,
        depth: args.depth,
        dedupe: !args.no_dedupe,
    };
    let roots: Vec<usize> = roots
        .into_iter()
        .filter(|&r| !pruned.contains(&packages[r].name))
        .collect();
    let lines = drawing.lines(&roots);
    for line in &lines {
        outln!("{line}");
    }
    if lines.iter().any(|l| l.ends_with(" (*)")) {
        outln!("(*) Package tree already displayed");
    }
    Ok(ExitCode::SUCCESS)
}
