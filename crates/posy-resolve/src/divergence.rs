//! Environments a universal resolution must add because requirements
//! diverge on markers that the listed environments do not tell apart.
//!
//! The listed environments (see `universal.rs`) vary `python_version` and
//! `sys_platform`. A Brief can also say `b>=2; platform_machine != 'aarch64'`
//! and `b<2; platform_machine == 'aarch64'`: every listed environment is
//! x86_64 or arm64, so the aarch64 requirement never applies and its pin
//! would be missing from the answer. After the listed forks are resolved,
//! this pass looks, in each fork, for a requirement that does not apply
//! there, whose specifier the fork's pin of the package does not meet, and
//! that no listed environment where its parent is chosen brings into play.
//! For each, it makes an environment where the requirement applies: the
//! fork's environment with the `variable == "value"` comparisons of the
//! marker made true (string variables only; versions are the Python forks'
//! business). The resolver then forks for those environments too, so the
//! requirements that diverge get a resolution each, and the pins' markers
//! (`universal_markers.rs`) say which applies where.

use posy_vocab::{
    MarkerEnvironment, MarkerOperator, MarkerTree, MarkerValues, MarkerVariable, Requirement,
};

use crate::fetcher::Shared;
use crate::request::ResolveRequest;
use crate::resolution::Resolution;
use crate::target::Target;
use crate::universal_markers::admits;

/// At most this many environments are added to one resolution.
const MAX_ADDED: usize = 16;

/// New environments to fork for (see the module docs); empty when the
/// listed ones already see every divergence. `forks[i]` is the resolution
/// of `environments[i]`.
pub(crate) fn divergent_environments(
    request: &ResolveRequest,
    shared: &Shared,
    environments: &[Target],
    forks: &[Resolution],
) -> Vec<Target> {
    let mut added: Vec<Target> = Vec::new();
    for (index, fork) in forks.iter().enumerate() {
        let env = &environments[index];
        // Every requirement the fork's packages (and the Brief) state, with
        // the package that states it (`None` for the Brief).
        let mut stated: Vec<(Option<usize>, Requirement)> = request
            .requirements
            .iter()
            .map(|r| (None, r.clone()))
            .collect();
        for (at, package) in fork.packages.iter().enumerate() {
            let Some(metadata) = shared
                .metadata
                .get(&(package.name.clone(), package.version.clone()))
            else {
                continue;
            };
            let Ok(metadata) = metadata.as_ref() else {
                continue;
            };
            for dependency in &metadata.requires_dist {
                let mut dependency = dependency.clone();
                dependency.marker = dependency.marker.simplify_extras(&package.extras);
                stated.push((Some(at), dependency));
            }
        }
        for (parent, requirement) in stated {
            if requirement.marker.is_false() || requirement.marker.evaluate(&env.markers, &[]) {
                continue;
            }
            let Some(pin) = fork.packages.iter().find(|p| p.name == requirement.name) else {
                continue;
            };
            if admits(&requirement, &pin.version) {
                continue;
            }
            // Does a listed (or added) environment where the parent is
            // chosen already bring this requirement into play?
            let parent = parent.map(|at| &fork.packages[at]);
            let covered = environments
                .iter()
                .chain(&added)
                .enumerate()
                .any(|(i, other)| {
                    requirement.marker.evaluate(&other.markers, &[])
                        && parent.is_none_or(|p| {
                            forks.get(i).is_none_or(|f| {
                                f.packages
                                    .iter()
                                    .any(|q| q.name == p.name && q.version == p.version)
                            })
                        })
                });
            if covered {
                continue;
            }
            if let Some(target) = environment_where(&requirement.marker, env)
                && !added.iter().any(|t| t.markers == target.markers)
            {
                tracing::debug!(
                    "universal: `{requirement}` diverges from {}=={}; forking for it",
                    pin.name,
                    pin.version
                );
                added.push(target);
                if added.len() >= MAX_ADDED {
                    return added;
                }
            }
        }
    }
    added
}

/// `base` with the string comparisons of `marker` made true, if that makes
/// `marker` true: first one `==` at a time, then all of them at once.
fn environment_where(marker: &MarkerTree, base: &Target) -> Option<Target> {
    let mut assignments: Vec<(MarkerVariable, String)> = Vec::new();
    marker.for_each_expression(&mut |e| {
        if let Some((variable, MarkerOperator::Equal, value)) = e.as_variable_comparison()
            && is_settable(variable)
            && !assignments.iter().any(|(v, _)| *v == variable)
        {
            assignments.push((variable, value.to_owned()));
        }
    });
    let with = |chosen: &[(MarkerVariable, String)]| {
        let mut values: MarkerValues = base.markers.values().clone();
        for (variable, value) in chosen {
            set(&mut values, *variable, value);
        }
        let markers = MarkerEnvironment::new(values);
        marker.evaluate(&markers, &[]).then(|| Target {
            markers,
            tags: base.tags.clone(),
            python_version: base.python_version.clone(),
        })
    };
    assignments
        .iter()
        .find_map(|one| with(std::slice::from_ref(one)))
        .or_else(|| with(&assignments))
}

fn is_settable(variable: MarkerVariable) -> bool {
    matches!(
        variable,
        MarkerVariable::ImplementationName
            | MarkerVariable::OsName
            | MarkerVariable::PlatformMachine
            | MarkerVariable::PlatformPythonImplementation
            | MarkerVariable::PlatformSystem
            | MarkerVariable::SysPlatform
    )
}

fn set(values: &mut MarkerValues, variable: MarkerVariable, value: &str) {
    let field = match variable {
        MarkerVariable::ImplementationName => &mut values.implementation_name,
        MarkerVariable::OsName => &mut values.os_name,
        MarkerVariable::PlatformMachine => &mut values.platform_machine,
        MarkerVariable::PlatformPythonImplementation => &mut values.platform_python_implementation,
        MarkerVariable::PlatformSystem => &mut values.platform_system,
        MarkerVariable::SysPlatform => &mut values.sys_platform,
        _ => return,
    };
    *field = value.to_owned();
}
