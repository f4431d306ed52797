//! `posy pip tree`: the dependency tree of an environment, read from the
//! installed packages' metadata (their `Requires-Dist` whose markers hold
//! for the environment's interpreter), printed as uv prints it:
//!
//! ```text
//! requests v2.32.3
//! ├── certifi v2024.8.30
//! └── urllib3 v2.2.3
//! ```
//!
//! Roots are the packages nothing installed depends on (with `--invert`,
//! those that depend on nothing). A package whose dependencies were
//! already shown is marked `(*)` and not expanded again, unless
//! `--no-dedupe`; a dependency cycle is cut the same way (see
//! `tree_drawing.rs`). Requirements on packages that are not installed
//! are left out (`--strict` warns of them).

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use anyhow::Result;
use posy_install::InstalledDist;
use posy_vocab::{PackageName, Version};

use crate::cli::{GlobalArgs, PipTreeArgs, PlacementArgs};
use crate::output::outln;
use crate::settings;
use crate::tree_drawing::Drawing;

use super::inspect::{installed, latest_versions, problems};

/// One installed package and its edges.
struct Node {
    version: Version,
    /// Installed packages it depends on (or, inverted, that depend on it),
    /// with the specifier of the requirement.
    edges: Vec<(PackageName, String)>,
    size: u64,
    latest: Option<Version>,
}

pub fn run(args: &PipTreeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (env, dists) = installed(&args.env, &PlacementArgs::default(), global)?;
    let markers = env.interpreter.markers();
    let latest = if args.outdated {
        let session = settings::session(global)?;
        let wanted: Vec<_> = dists
            .iter()
            .map(|d| (d.name.clone(), d.version.clone()))
            .collect();
        let latest = latest_versions(
            &session,
            &args.index.settings(global),
            &env.interpreter,
            &wanted,
        )?;
        session.close()?;
        latest
    } else {
        vec![None; dists.len()]
    };
    let pruned = names(&args.prune)?;
    let mut nodes: BTreeMap<PackageName, Node> = BTreeMap::new();
    for (dist, latest) in dists.iter().zip(latest) {
        nodes.insert(
            dist.name.clone(),
            Node {
                version: dist.version.clone(),
                edges: Vec::new(),
                size: if args.show_sizes { size_of(dist) } else { 0 },
                latest: latest.map(|(v, _)| v).filter(|v| *v > dist.version),
            },
        );
    }
    for dist in &dists {
        let Ok(meta) = dist.metadata() else { continue };
        let mut seen = BTreeSet::new();
        for req in meta
            .requires_dist
            .iter()
            .filter(|r| r.marker.evaluate(&markers, &[]))
        {
            if !nodes.contains_key(&req.name) || !seen.insert(req.name.clone()) {
                continue;
            }
            let specifier = req.specifiers().map(|s| s.to_string()).unwrap_or_default();
            let (from, to) = if args.invert {
                (req.name.clone(), dist.name.clone())
            } else {
                (dist.name.clone(), req.name.clone())
            };
            if let Some(node) = nodes.get_mut(&from) {
                node.edges.push((to, specifier));
            }
        }
    }
    let has_parent: BTreeSet<&PackageName> = nodes
        .values()
        .flat_map(|n| n.edges.iter().map(|(to, _)| to))
        .collect();
    let roots: Vec<PackageName> = if args.package.is_empty() {
        nodes
            .keys()
            .filter(|name| !has_parent.contains(name))
            .cloned()
            .collect()
    } else {
        names(&args.package)?
            .into_iter()
            .filter(|n| nodes.contains_key(n))
            .collect()
    };
    let printer = Printer {
        nodes: &nodes,
        args,
        pruned: &pruned,
    };
    if args.format == "json" {
        let trees: Vec<serde_json::Value> = roots
            .iter()
            .filter(|r| !pruned.contains(r))
            .map(|root| printer.json(root, 0, &mut Vec::new()))
            .collect();
        outln!("{}", serde_json::Value::Array(trees));
    } else {
        let children = |name: &PackageName| printer.children(name).cloned().collect();
        let label = |name: &PackageName, spec: Option<&String>| {
            printer.label(name, spec.map(String::as_str))
        };
        let drawing = Drawing {
            children: &children,
            label: &label,
            depth: args.depth,
            dedupe: !args.no_dedupe,
        };
        let roots: Vec<PackageName> = roots.into_iter().filter(|r| !pruned.contains(r)).collect();
        for line in drawing.lines(&roots) {
            outln!("{line}");
        }
    }
    if args.strict {
        for problem in problems(&markers, &dists)? {
            eprintln!("warning: {problem}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn names(values: &[String]) -> Result<Vec<PackageName>> {
    Ok(values
        .iter()
        .map(|v| PackageName::new(v))
        .collect::<Result<_, _>>()?)
}

/// The bytes its RECORD lists.
fn size_of(dist: &InstalledDist) -> u64 {
    dist.record()
        .map(|entries| entries.iter().filter_map(|e| e.size).sum())
        .unwrap_or(0)
}

/// `1.2 MiB` and the like.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

struct Printer<'a> {
    nodes: &'a BTreeMap<PackageName, Node>,
    args: &'a PipTreeArgs,
    pruned: &'a [PackageName],
}

impl Printer<'_> {
    /// `name vX` with what the flags add.
    fn label(&self, name: &PackageName, specifier: Option<&str>) -> String {
        let node = &self.nodes[name];
        let mut label = format!("{name} v{}", node.version);
        if let (true, Some(spec)) = (self.args.show_version_specifiers, specifier) {
            let word = if self.args.invert {
                "requires"
            } else {
                "required"
            };
            let spec = if spec.is_empty() { "*" } else { spec };
            label.push_str(&format!(" [{word}: {spec}]"));
        }
        if let Some(latest) = &node.latest {
            label.push_str(&format!(" (latest: v{latest})"));
        }
        if self.args.show_sizes {
            label.push_str(&format!(" ({})", human_size(node.size)));
        }
        label
    }

    fn children(&self, name: &PackageName) -> impl Iterator<Item = &(PackageName, String)> {
        self.nodes[name]
            .edges
            .iter()
            .filter(|(to, _)| !self.pruned.contains(to))
    }

    fn json(
        &self,
        name: &PackageName,
        depth: u8,
        path: &mut Vec<PackageName>,
    ) -> serde_json::Value {
        let node = &self.nodes[name];
        let mut value =
            serde_json::json!({"name": name.as_str(), "version": node.version.to_string()});
        if let Some(latest) = &node.latest {
            value["latest_version"] = latest.to_string().into();
        }
        if self.args.show_sizes {
            value["size"] = node.size.into();
        }
        if depth < self.args.depth && !path.contains(name) {
            path.push(name.clone());
            let key = if self.args.invert {
                "required_by"
            } else {
                "dependencies"
            };
            let children: Vec<serde_json::Value> = self
                .children(name)
                .map(|(child, spec)| {
                    let mut child_value = self.json(child, depth + 1, path);
                    child_value["specifier"] = spec.clone().into();
                    child_value
                })
                .collect();
            value[key] = children.into();
            path.pop();
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 KiB");
        assert_eq!(human_size(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }
}
