//! The answer: the core of a Blueprint.
//!
//! A [`Resolution`] lists every package to install, sorted by name, each
//! with its exact version, the extras that were asked of it, why it is
//! there ([`Via`]: the Brief itself, or the packages whose requirements
//! brought it in, for pip-tools' `# via` lines), and the files the index
//! offers for that version with their URLs and hashes (for
//! `--generate-hashes` and for lock files), with the file the target would
//! install marked. Nothing in it depends on the order in which the solver
//! happened to work, so the same inputs give the same resolution.

use std::collections::{BTreeMap, BTreeSet};

use posy_vocab::{ExtraName, MarkerTree, PackageName, Version};

use crate::provider::DistFile;

/// Why a package is in the resolution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// The Brief's requirement at this index in
    /// [`crate::ResolveRequest::requirements`] names it (or its override
    /// does), so a caller can say which file it came from.
    Requirement(usize),
    /// A requirement of this (resolved) package names it.
    Package(PackageName),
}

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPackage {
    pub name: PackageName,
    pub version: Version,
    /// The extras some requirement asked for, sorted.
    pub extras: Vec<ExtraName>,
    /// Why it is here: the Brief's requirements first (by index), then
    /// packages by name.
    pub via: Vec<Via>,
    /// Every file the index lists for this version, in the index's order.
    pub files: Vec<DistFile>,
    /// Which of `files` the target would install (its best wheel, or the
    /// sdist), if any. In a universal resolution, the first environment's.
    pub best_file: Option<usize>,
    /// Universal resolutions only: where this pin applies, when not
    /// everywhere (`None` means everywhere).
    pub marker: Option<MarkerTree>,
    /// Universal resolutions with requirement classes
    /// ([`crate::Universe::root_classes`]) only: for each class, where the
    /// requirements of that class alone reach this pin.
    pub by_class: Vec<ClassReach>,
}

/// Where the requirements of one class reach a pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassReach {
    Never,
    Everywhere,
    Under(MarkerTree),
}

impl ResolvedPackage {
    /// The file the target would install, if any.
    pub fn best_file(&self) -> Option<&DistFile> {
        self.best_file.map(|i| &self.files[i])
    }
}

/// A successful resolution: for one target, or (universal) for several,
/// where a package may then appear more than once, at different versions,
/// each with a marker saying where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    /// The pins, sorted by name (then version).
    pub packages: Vec<ResolvedPackage>,
    /// Things a person should know that did not stop the resolution (an
    /// extra that a package does not provide, say), deduplicated, sorted.
    pub warnings: Vec<String>,
}

impl Resolution {
    /// The (first) pin for `name`, if it is in the resolution.
    pub fn get(&self, name: &PackageName) -> Option<&ResolvedPackage> {
        self.packages.iter().find(|p| p.name == *name)
    }

    /// `name==version` lines, one per pin, with ` ; marker` where there is
    /// one: handy in tests and logs.
    pub fn pins(&self) -> Vec<String> {
        self.packages
            .iter()
            .map(|p| match &p.marker {
                Some(marker) => format!("{}=={} ; {marker}", p.name, p.version),
                None => format!("{}=={}", p.name, p.version),
            })
            .collect()
    }
}

/// Collects pins while the solver's answer is turned into a [`Resolution`].
#[derive(Default)]
pub(crate) struct ResolutionBuilder {
    packages: BTreeMap<PackageName, ResolvedPackage>,
    extras: BTreeMap<PackageName, BTreeSet<ExtraName>>,
    via: BTreeMap<PackageName, BTreeSet<Via>>,
    warnings: BTreeSet<String>,
}

impl ResolutionBuilder {
    pub(crate) fn pin(
        &mut self,
        name: PackageName,
        version: Version,
        files: Vec<DistFile>,
        best_file: Option<usize>,
    ) {
        self.packages.insert(
            name.clone(),
            ResolvedPackage {
                name,
                version,
                extras: Vec::new(),
                via: Vec::new(),
                files,
                best_file,
                marker: None,
                by_class: Vec::new(),
            },
        );
    }

    pub(crate) fn extra(&mut self, name: PackageName, extra: ExtraName) {
        self.extras.entry(name).or_default().insert(extra);
    }

    pub(crate) fn via(&mut self, name: PackageName, via: Via) {
        self.via.entry(name).or_default().insert(via);
    }

    pub(crate) fn warn(&mut self, warning: String) {
        self.warnings.insert(warning);
    }

    pub(crate) fn build(mut self) -> Resolution {
        for (name, package) in &mut self.packages {
            package.extras = self
                .extras
                .remove(name)
                .unwrap_or_default()
                .into_iter()
                .collect();
            package.via = self
                .via
                .remove(name)
                .unwrap_or_default()
                .into_iter()
                .collect();
        }
        Resolution {
            packages: self.packages.into_values().collect(),
            warnings: self.warnings.into_iter().collect(),
        }
    }
}
