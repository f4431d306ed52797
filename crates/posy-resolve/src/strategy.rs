//! Which version of a package the resolver tries first.
//!
//! `highest` is what everyone wants by default. `lowest` tries the lowest
//! version allowed for every package, which checks that declared lower
//! bounds really work; `lowest-direct` does that only for the packages the
//! user asked for directly and takes the highest version of everything
//! else, which is what a library author testing their own bounds wants.
//! The spellings are uv's and pip-tools' `--resolution` values.

use std::fmt;
use std::str::FromStr;

/// The order in which candidate versions are tried (`--resolution`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ResolutionStrategy {
    /// The highest allowed version of every package.
    #[default]
    Highest,
    /// The lowest allowed version of every package.
    Lowest,
    /// The lowest allowed version of each direct requirement, the highest of
    /// everything else.
    LowestDirect,
}

impl ResolutionStrategy {
    /// Whether a package (direct or not) is tried from its highest version.
    pub(crate) fn highest_first(self, direct: bool) -> bool {
        match self {
            Self::Highest => true,
            Self::Lowest => false,
            Self::LowestDirect => !direct,
        }
    }
}

impl fmt::Display for ResolutionStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Highest => "highest",
            Self::Lowest => "lowest",
            Self::LowestDirect => "lowest-direct",
        })
    }
}

impl FromStr for ResolutionStrategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "highest" => Ok(Self::Highest),
            "lowest" => Ok(Self::Lowest),
            "lowest-direct" => Ok(Self::LowestDirect),
            other => Err(format!(
                "unknown resolution strategy `{other}`: expected one of `highest`, `lowest`, `lowest-direct`"
            )),
        }
    }
}

/// How a universal resolution trades newer versions against fewer ones
/// (`--fork-strategy`, uv's spelling).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ForkStrategy {
    /// The newest version each Python supports: a version whose
    /// `Requires-Python` starts inside the universe splits it, and the
    /// newest Pythons are solved first.
    #[default]
    RequiresPython,
    /// As few versions as possible: a version that does not support the
    /// lowest Python is not used at all, and the oldest Pythons are solved
    /// first, so the others can agree with them.
    Fewest,
}

impl fmt::Display for ForkStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RequiresPython => "requires-python",
            Self::Fewest => "fewest",
        })
    }
}

impl FromStr for ForkStrategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "requires-python" => Ok(Self::RequiresPython),
            "fewest" => Ok(Self::Fewest),
            other => Err(format!(
                "unknown fork strategy `{other}`: expected `requires-python` or `fewest`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for strategy in [
            ResolutionStrategy::Highest,
            ResolutionStrategy::Lowest,
            ResolutionStrategy::LowestDirect,
        ] {
            assert_eq!(
                strategy.to_string().parse::<ResolutionStrategy>(),
                Ok(strategy)
            );
        }
        assert!(
            "newest"
                .parse::<ResolutionStrategy>()
                .unwrap_err()
                .contains("`newest`")
        );
    }

    #[test]
    fn fork_strategies_round_trip() {
        for strategy in [ForkStrategy::RequiresPython, ForkStrategy::Fewest] {
            assert_eq!(strategy.to_string().parse::<ForkStrategy>(), Ok(strategy));
        }
        assert!("many".parse::<ForkStrategy>().is_err());
    }

    #[test]
    fn lowest_direct_only_lowers_direct_packages() {
        assert!(!ResolutionStrategy::LowestDirect.highest_first(true));
        assert!(ResolutionStrategy::LowestDirect.highest_first(false));
        assert!(!ResolutionStrategy::Lowest.highest_first(false));
        assert!(ResolutionStrategy::Highest.highest_first(true));
    }
}
