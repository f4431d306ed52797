//! When the resolver may pick a pre-release (PEP 440 `a`/`b`/`rc`/`.dev`).
//!
//! PEP 440 says installers should not pick pre-releases unless asked. The
//! five policies are uv's `--prerelease` values, with the same meaning:
//!
//! - `disallow`: never.
//! - `allow`: always, in plain version order.
//! - `if-necessary`: for a package that has no stable release at all
//!   (every version the index lists is a pre-release).
//! - `explicit`: for a package that one of the user's own requirements,
//!   constraints or overrides names with a pre-release in a specifier
//!   (`foo>=2.0b1`); an exclusion such as `!=2.0b1` does not count, and
//!   neither does a pre-release specifier deep in some dependency's
//!   metadata.
//! - `if-necessary-or-explicit` (the default): either of the two.
//!
//! `--prerelease-package NAME=MODE` gives one package its own policy, which
//! replaces the common one for that package alone (uv's rule).
//!
//! The decision is per package and fixed for the whole run, so the set of
//! candidates PubGrub sees never changes under it (which its learned
//! incompatibilities rely on). When a resolution fails and a pre-release
//! would have fit, the conflict report says so (see `report.rs`).

use std::fmt;
use std::str::FromStr;

use posy_vocab::{PackageName, Requirement};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::requested::explicit_prerelease;

/// The pre-release policy (`--prerelease`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PrereleaseMode {
    /// Never pick a pre-release.
    Disallow,
    /// Pick pre-releases like any other version.
    Allow,
    /// Pre-releases of packages that have no stable release.
    IfNecessary,
    /// Pre-releases of packages the user's requirements ask for explicitly.
    Explicit,
    /// Either `if-necessary` or `explicit` (uv's default).
    #[default]
    IfNecessaryOrExplicit,
}

impl fmt::Display for PrereleaseMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disallow => "disallow",
            Self::Allow => "allow",
            Self::IfNecessary => "if-necessary",
            Self::Explicit => "explicit",
            Self::IfNecessaryOrExplicit => "if-necessary-or-explicit",
        })
    }
}

impl FromStr for PrereleaseMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "disallow" => Ok(Self::Disallow),
            "allow" => Ok(Self::Allow),
            "if-necessary" => Ok(Self::IfNecessary),
            "explicit" => Ok(Self::Explicit),
            "if-necessary-or-explicit" => Ok(Self::IfNecessaryOrExplicit),
            other => Err(format!(
                "unknown pre-release mode `{other}`: expected one of `disallow`, `allow`, \
                 `if-necessary`, `explicit`, `if-necessary-or-explicit`"
            )),
        }
    }
}

/// The policy of one run: the mode, the packages with a mode of their own,
/// and the packages the user's own requirements opt into pre-releases.
#[derive(Debug, Clone)]
pub(crate) struct PrereleasePolicy {
    mode: PrereleaseMode,
    packages: FxHashMap<PackageName, PrereleaseMode>,
    explicit: FxHashSet<PackageName>,
}

impl PrereleasePolicy {
    pub(crate) fn new<'a>(
        mode: PrereleaseMode,
        packages: FxHashMap<PackageName, PrereleaseMode>,
        first_party: impl IntoIterator<Item = &'a Requirement>,
    ) -> Self {
        let explicit = first_party
            .into_iter()
            .filter(|requirement| explicit_prerelease(requirement))
            .map(|requirement| requirement.name.clone())
            .collect();
        Self {
            mode,
            packages,
            explicit,
        }
    }

    /// Whether pre-releases of `name` may be picked, given whether the
    /// package has any stable release at all.
    pub(crate) fn allows(&self, name: &PackageName, has_stable: bool) -> bool {
        match self.mode(name) {
            PrereleaseMode::Disallow => false,
            PrereleaseMode::Allow => true,
            PrereleaseMode::IfNecessary => !has_stable,
            PrereleaseMode::Explicit => self.explicit.contains(name),
            PrereleaseMode::IfNecessaryOrExplicit => !has_stable || self.explicit.contains(name),
        }
    }

    /// The mode for `name`: its own, else the common one.
    pub(crate) fn mode(&self, name: &PackageName) -> PrereleaseMode {
        self.packages.get(name).copied().unwrap_or(self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Requirement {
        s.parse().unwrap()
    }

    fn name(s: &str) -> PackageName {
        s.parse().unwrap()
    }

    #[test]
    fn round_trips_through_text() {
        for mode in [
            PrereleaseMode::Disallow,
            PrereleaseMode::Allow,
            PrereleaseMode::IfNecessary,
            PrereleaseMode::Explicit,
            PrereleaseMode::IfNecessaryOrExplicit,
        ] {
            assert_eq!(mode.to_string().parse::<PrereleaseMode>(), Ok(mode));
        }
        assert!("maybe".parse::<PrereleaseMode>().is_err());
    }

    #[test]
    fn explicit_means_a_prerelease_in_a_first_party_specifier() {
        let reqs = [req("a>=1.0b1"), req("b>=1.0"), req("c!=2.0rc1")];
        let policy = PrereleasePolicy::new(PrereleaseMode::Explicit, FxHashMap::default(), &reqs);
        assert!(policy.allows(&name("a"), true));
        assert!(!policy.allows(&name("b"), true));
        assert!(
            !policy.allows(&name("c"), true),
            "an exclusion is not an opt-in"
        );
        assert!(!policy.allows(&name("d"), false));
    }

    #[test]
    fn the_default_also_allows_packages_without_stable_releases() {
        let reqs = [req("a>=1.0b1")];
        let policy = PrereleasePolicy::new(
            PrereleaseMode::IfNecessaryOrExplicit,
            FxHashMap::default(),
            &reqs,
        );
        assert!(policy.allows(&name("a"), true));
        assert!(policy.allows(&name("z"), false));
        assert!(!policy.allows(&name("z"), true));
        let never = PrereleasePolicy::new(PrereleaseMode::Disallow, FxHashMap::default(), &reqs);
        assert!(!never.allows(&name("a"), false));
        let always = PrereleasePolicy::new(PrereleaseMode::Allow, FxHashMap::default(), &reqs);
        assert!(always.allows(&name("z"), true));
    }

    #[test]
    fn a_package_mode_replaces_the_common_one() {
        let reqs = [req("a>=1.0b1")];
        let packages = [
            (name("a"), PrereleaseMode::Disallow),
            (name("b"), PrereleaseMode::Allow),
        ]
        .into_iter()
        .collect();
        let policy = PrereleasePolicy::new(PrereleaseMode::IfNecessaryOrExplicit, packages, &reqs);
        assert!(!policy.allows(&name("a"), false), "its own mode wins");
        assert!(policy.allows(&name("b"), true));
        assert!(!policy.allows(&name("c"), true));
        assert!(policy.allows(&name("c"), false));
        assert_eq!(policy.mode(&name("b")), PrereleaseMode::Allow);
        assert_eq!(
            policy.mode(&name("c")),
            PrereleaseMode::IfNecessaryOrExplicit
        );
    }
}
