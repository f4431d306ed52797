//! Universal resolution: one answer for every environment of a set.
//!
//! A universal Brief (`--universal`) must hold on every platform and Python
//! version the project supports. posy resolves it as a sequence of forks,
//! one per environment the caller lists (typically each supported Python
//! minor version on Linux, macOS and Windows, see
//! [`crate::Target::universal_set`]):
//!
//! 1. Each fork is an ordinary single-platform resolution, with the pins of
//!    the forks before it as preferences, so the forks agree on every
//!    package where they can. Forks run newest Python first, so each Python
//!    gets the newest versions that support it and older Pythons keep
//!    those wherever they can (uv's default `requires-python` strategy). They share one fetch cache, so a package's
//!    files and a version's metadata are still fetched once in all.
//! 2. The answers are merged: a pin that is the same in every environment
//!    is unconditional; a pin that differs (or that only some environments
//!    need) carries a marker over `python_version` and `sys_platform` that
//!    holds exactly in the environments that chose it, written compactly
//!    (`sys_platform == "win32"`, `python_version >= "3.11"`, or a
//!    combination).
//! 3. The pins' markers are then derived from the requirements that bring
//!    each package in (`universal_markers.rs`), so they also hold on
//!    environments that were not listed (PyPy, another machine): the
//!    environment marker stays only where a package's versions differ
//!    between environments.
//! 4. Requirements that diverge on markers the listed environments do not
//!    tell apart (`platform_machine`, `implementation_name`, …) get
//!    environments of their own (`divergence.rs`), resolved like the rest.
//!
//! So requirements fork where they diverge. What this does not do, unlike
//! uv's marker algebra: fork on version variables other than the listed
//! Python minors (a requirement split at `python_full_version >= "3.11.5"`
//! is resolved at 3.11 and 3.12, not at 3.11.4 and 3.11.5). A fork that has
//! no solution fails the whole resolution, and its report says which
//! environment it was.

use std::collections::{BTreeMap, BTreeSet};

use posy_vocab::{MarkerTree, MarkerVariable, PackageName, Version};

use crate::resolution::{Resolution, ResolvedPackage};
use crate::target::Target;

/// The marker text that says "in this environment".
pub(crate) fn environment_marker(target: &Target) -> String {
    format!(
        "python_version == \"{}\" and sys_platform == \"{}\"",
        target.markers.get(MarkerVariable::PythonVersion),
        target.markers.get(MarkerVariable::SysPlatform)
    )
}

/// Merges the resolutions of `environments` (in the same order) into one,
/// with markers on the pins that not every environment shares.
pub(crate) fn merge(environments: &[Target], forks: Vec<Resolution>) -> Resolution {
    let all: BTreeSet<usize> = (0..forks.len()).collect();
    let mut merged: BTreeMap<(PackageName, Version), (ResolvedPackage, BTreeSet<usize>)> =
        BTreeMap::new();
    let mut warnings = BTreeSet::new();
    for (fork, resolution) in forks.into_iter().enumerate() {
        warnings.extend(resolution.warnings);
        for package in resolution.packages {
            let key = (package.name.clone(), package.version.clone());
            match merged.get_mut(&key) {
                Some((existing, forks)) => {
                    forks.insert(fork);
                    union_into(&mut existing.extras, package.extras);
                    union_into(&mut existing.via, package.via);
                }
                None => {
                    merged.insert(key, (package, BTreeSet::from([fork])));
                }
            }
        }
    }
    let packages = merged
        .into_values()
        .map(|(mut package, forks)| {
            package.marker = (forks != all).then(|| marker_for(environments, &forks));
            package
        })
        .collect();
    Resolution {
        packages,
        warnings: warnings.into_iter().collect(),
    }
}

fn union_into<T: Ord>(into: &mut Vec<T>, more: Vec<T>) {
    let mut set: BTreeSet<T> = std::mem::take(into).into_iter().collect();
    set.extend(more);
    *into = set.into_iter().collect();
}

/// The compact marker of a set of environments (see the module docs).
fn marker_for(environments: &[Target], chosen: &BTreeSet<usize>) -> MarkerTree {
    let python_of = |i: usize| {
        environments[i]
            .markers
            .get(MarkerVariable::PythonVersion)
            .to_owned()
    };
    let platform_of = |i: usize| {
        environments[i]
            .markers
            .get(MarkerVariable::SysPlatform)
            .to_owned()
    };
    // Every Python version listed, in version order.
    let mut pythons: Vec<String> = (0..environments.len()).map(python_of).collect();
    pythons.sort_by_key(|p| p.parse::<Version>().ok());
    pythons.dedup();
    // Per platform: the Pythons listed, and those chosen.
    let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut picked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..environments.len() {
        listed
            .entry(platform_of(i))
            .or_default()
            .insert(python_of(i));
        if chosen.contains(&i) {
            picked
                .entry(platform_of(i))
                .or_default()
                .insert(python_of(i));
        }
    }
    // The same Pythons on every platform: no need to name platforms.
    let same_everywhere = listed
        .keys()
        .all(|p| picked.get(p) == picked.values().next());
    let text = if same_everywhere && picked.len() == listed.len() {
        python_clause(
            &pythons,
            picked.values().next().cloned().unwrap_or_default(),
        )
    } else {
        let alternatives: Vec<String> = picked
            .iter()
            .map(|(platform, chosen)| {
                let platform_clause = format!("sys_platform == \"{platform}\"");
                if Some(chosen) == listed.get(platform) {
                    platform_clause
                } else {
                    let python = python_clause(&pythons, chosen.clone());
                    if python.contains(" or ") {
                        format!("{platform_clause} and ({python})")
                    } else {
                        format!("{platform_clause} and {python}")
                    }
                }
            })
            .collect();
        if alternatives.len() == 1 {
            alternatives.into_iter().next().unwrap_or_default()
        } else {
            alternatives
                .iter()
                .map(|a| {
                    if a.contains(" and ") {
                        format!("({a})")
                    } else {
                        a.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" or ")
        }
    };
    // The text is built from values that came out of valid markers, so it
    // parses; if a platform string ever held a quote, fall back to "always".
    let compact = text
        .parse::<MarkerTree>()
        .map_or(MarkerTree::TRUE, |m| m.simplify());
    let exact = (0..environments.len())
        .all(|i| compact.evaluate(&environments[i].markers, &[]) == chosen.contains(&i));
    if exact {
        return compact;
    }
    // Environments added for diverging requirements (`divergence.rs`) differ
    // in more than Python and platform: name every variable that varies.
    let mut varied: Vec<MarkerVariable> = VARIABLES
        .into_iter()
        .filter(|&v| {
            let first = environments.first().map(|e| e.markers.get(v));
            environments.iter().any(|e| Some(e.markers.get(v)) != first)
        })
        .collect();
    let build = |variables: &[MarkerVariable]| {
        let alternatives = chosen.iter().map(|&i| {
            MarkerTree::all(variables.iter().filter_map(|&v| {
                format!("{} == {:?}", v.as_str(), environments[i].markers.get(v))
                    .parse::<MarkerTree>()
                    .ok()
            }))
        });
        MarkerTree::any(alternatives).simplify()
    };
    // Leave out every variable the answer does not need.
    let mut at = 0;
    while at < varied.len() {
        let mut fewer = varied.clone();
        fewer.remove(at);
        let marker = build(&fewer);
        let still_exact = (0..environments.len())
            .all(|i| marker.evaluate(&environments[i].markers, &[]) == chosen.contains(&i));
        if still_exact {
            varied = fewer;
        } else {
            at += 1;
        }
    }
    build(&varied)
}

/// The variables an environment of a universal resolution is told apart by.
const VARIABLES: [MarkerVariable; 7] = [
    MarkerVariable::PythonVersion,
    MarkerVariable::SysPlatform,
    MarkerVariable::PlatformMachine,
    MarkerVariable::ImplementationName,
    MarkerVariable::PlatformPythonImplementation,
    MarkerVariable::OsName,
    MarkerVariable::PlatformSystem,
];

/// `python_version` clauses for a set of the listed versions: a range when
/// they are consecutive in the list, else one `==` per version.
fn python_clause(pythons: &[String], chosen: BTreeSet<String>) -> String {
    let positions: Vec<usize> = pythons
        .iter()
        .enumerate()
        .filter(|(_, p)| chosen.contains(*p))
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (positions.first(), positions.last()) else {
        return "python_version < \"0\"".to_owned();
    };
    if last - first + 1 != positions.len() {
        return positions
            .iter()
            .map(|&i| format!("python_version == \"{}\"", pythons[i]))
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let lower = (first > 0).then(|| format!("python_version >= \"{}\"", pythons[first]));
    let upper = pythons
        .get(last + 1)
        .map(|next| format!("python_version < \"{next}\""));
    match (lower, upper) {
        (Some(l), Some(u)) => format!("{l} and {u}"),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (None, None) => String::new(),
    }
}
