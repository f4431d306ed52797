//! `--no-build`, `--only-binary` and `--no-binary`: which kinds of files each package may use.
//!
//! pip's spelling: each flag takes package names, comma-separated, or
//! `:all:`; `:none:` empties what came before it. `--no-build` is
//! `--only-binary :all:` (as in uv). A package both flags name can use
//! nothing, and the resolver says so.

use std::collections::BTreeSet;

use anyhow::Result;
use posy_vocab::PackageName;

/// One flag's packages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Packages {
    #[default]
    None,
    All,
    Some(BTreeSet<PackageName>),
}

impl Packages {
    fn add(&mut self, values: &[String]) -> Result<()> {
        for value in values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            match value {
                ":all:" => *self = Packages::All,
                ":none:" => *self = Packages::None,
                name => {
                    let name = PackageName::new(name)?;
                    match self {
                        Packages::All => {}
                        Packages::None => *self = Packages::Some(BTreeSet::from([name])),
                        Packages::Some(set) => {
                            set.insert(name);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn contains(&self, name: &PackageName) -> bool {
        match self {
            Packages::None => false,
            Packages::All => true,
            Packages::Some(set) => set.contains(name),
        }
    }
}

/// Which files a package may be installed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryPolicy {
    only_binary: Packages,
    no_binary: Packages,
}

impl BinaryPolicy {
    /// From the flags (and the same options read from requirement files).
    pub fn new(no_build: bool, only_binary: &[String], no_binary: &[String]) -> Result<Self> {
        let mut policy = Self::default();
        policy.only_binary.add(only_binary)?;
        if no_build {
            policy.only_binary = Packages::All;
        }
        policy.no_binary.add(no_binary)?;
        Ok(policy)
    }

    /// Whether `name` may be built from a source distribution.
    pub fn allows_sdist(&self, name: &PackageName) -> bool {
        !self.only_binary.contains(name)
    }

    /// Whether `name` may be installed from a wheel.
    pub fn allows_wheel(&self, name: &PackageName) -> bool {
        !self.no_binary.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PackageName {
        PackageName::new(s).unwrap()
    }

    #[test]
    fn flags_follow_pips_spelling() {
        let p = BinaryPolicy::new(false, &["numpy,Pandas".into()], &[":all:".into()]).unwrap();
        assert!(!p.allows_sdist(&name("numpy")) && !p.allows_sdist(&name("pandas")));
        assert!(p.allows_sdist(&name("six")));
        assert!(!p.allows_wheel(&name("six")));
        let p = BinaryPolicy::new(false, &[":all:".into(), ":none:".into(), "six".into()], &[])
            .unwrap();
        assert!(p.allows_sdist(&name("numpy")) && !p.allows_sdist(&name("six")));
        let p = BinaryPolicy::new(true, &[], &[]).unwrap();
        assert!(!p.allows_sdist(&name("anything")) && p.allows_wheel(&name("anything")));
        assert!(BinaryPolicy::new(false, &["not a name".into()], &[]).is_err());
    }
}
