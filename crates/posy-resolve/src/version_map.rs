//! One package's versions as the resolver sees them on one target.
//!
//! Built once per package and run from a [`PackageVersions`] (all the
//! files an index lists), this is the hot data the solver consults on every
//! decision, so it is compact and sorted: one entry per version, ascending,
//! each holding the version, the range of its files in a single flat file
//! list, and a small [`Status`] computed up front:
//!
//! - **usable**: some file can be installed on the target: a wheel whose
//!   tags the target accepts, or an sdist, whose `data-requires-python`
//!   (if any) contains the target Python. The best such file (the wheel
//!   with the best tag priority, else the sdist) is the one the metadata is
//!   read from and the one an installer would pick.
//! - **requires a different Python**: installable files exist, but every
//!   one's `data-requires-python` excludes the target. The resolver turns
//!   this into a dependency on the target Python, so the conflict report
//!   can say "a==1.0 depends on Python>=3.12".
//! - **no compatible file**: only wheels for other platforms or Pythons.
//! - **yanked** (PEP 592): every file of the version is yanked. Such a
//!   version is used only where the user pinned it exactly; for that case
//!   the entry keeps what the status would be if the yank were ignored.
//!
//! - **excluded**: nothing installable, and the user's options
//!   (`--only-binary`, `--no-binary`) ruled out some of its files. Such a
//!   version may have no file at all in the map, only the provider's note
//!   of what was left out; it is listed so a report can name the reason.
//!
//! A version with some yanked and some live files is judged on its live
//! files alone.
//!
//! "Installable" depends on what the resolution is for ([`Compatibility`]):
//! for one interpreter, its tags and its Python; for a fork of a universal
//! resolution, which stands for many machines at once, a wheel counts when
//! its Python tags fit some Python of the fork (its platform is left to
//! the lock: every wheel some environment can use is listed there), and
//! `Requires-Python` is held against the fork's lowest Python by its lower
//! bound alone, as uv does: an upper bound or an excluded patch release
//! does not make a package unusable for a whole range of Pythons.

use std::ops::Bound;
use std::sync::Arc;

use posy_vocab::{MarkerSet, SpecifierSet, TagSet, Tags, Version};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::provider::{DistFile, DistKind, Exclusion, MetadataFile, PackageVersions};

/// Why a version can or cannot be used on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Usable; `best` indexes the file to read metadata from.
    Usable { best: usize },
    /// Every installable file requires a Python the target is not.
    RequiresPython(SpecifierSet),
    /// No file is installable on the target.
    NoCompatibleFile,
    /// No file is installable on the target, and the user's options ruled
    /// out some of this version's files; `other_files` when it has files
    /// the options left in (wheels for other targets), so the report can
    /// tell "only source distributions" from "no wheel for the target, and
    /// the source distribution ruled out".
    Excluded {
        exclusion: Exclusion,
        other_files: bool,
    },
    /// Every file is yanked; `if_allowed` is the status when the yank is
    /// overridden by an exact pin.
    Yanked {
        reason: Option<String>,
        if_allowed: Box<Status>,
    },
}

/// What a file must be to count as installable (see the module docs).
#[derive(Debug, Clone)]
pub(crate) enum Compatibility {
    /// One interpreter: its tags, best first, and its Python version.
    Target { tags: Tags, python: Version },
    /// A fork of a universal resolution: the Pythons it covers (a set over
    /// `python_full_version` alone) and the lowest of them.
    Fork { pythons: MarkerSet, floor: Version },
}

impl Compatibility {
    /// Whether a file's `Requires-Python` admits the Python(s).
    pub(crate) fn admits(&self, requires_python: &SpecifierSet) -> bool {
        match self {
            Self::Target { python, .. } => requires_python.contains(python),
            Self::Fork { floor, .. } => lower_bound_admits(requires_python, floor),
        }
    }
}

/// uv's reading of `Requires-Python` for a range of Pythons starting at
/// `floor`: only its lower bound counts.
pub(crate) fn lower_bound_admits(requires_python: &SpecifierSet, floor: &Version) -> bool {
    match requires_python.to_ranges().bounding_range() {
        None => false,
        Some((lower, _)) => match lower {
            Bound::Unbounded => true,
            Bound::Included(v) => v <= floor,
            Bound::Excluded(v) => v < floor,
        },
    }
}

#[derive(Debug, Clone)]
pub(crate) struct VersionEntry {
    pub(crate) version: Version,
    files: (usize, usize),
    pub(crate) status: Status,
}

/// The versions of one package on one target, ascending.
#[derive(Debug, Clone, Default)]
pub(crate) struct VersionMap {
    entries: Vec<VersionEntry>,
    /// Shared with the [`PackageVersions`] it was built from, sorted.
    files: Arc<[DistFile]>,
    has_stable: bool,
}

impl VersionMap {
    pub(crate) fn new(versions: &PackageVersions, compatibility: &Compatibility) -> Self {
        let files = versions.shared();
        let mut ranks = Ranker::new(compatibility);
        let mut entries = Vec::new();
        let mut start = 0;
        while start < files.len() {
            let end = start
                + files[start..]
                    .iter()
                    .position(|f| f.version != files[start].version)
                    .unwrap_or(files.len() - start);
            let status = classify_version(&files, start, end, &mut ranks);
            entries.push(VersionEntry {
                version: files[start].version.clone(),
                files: (start, end),
                status,
            });
            start = end;
        }
        for (version, exclusion) in versions.excluded() {
            match entries.binary_search_by(|e| e.version.cmp(version)) {
                Ok(i) => {
                    if entries[i].status == Status::NoCompatibleFile {
                        entries[i].status = Status::Excluded {
                            exclusion: *exclusion,
                            other_files: true,
                        };
                    }
                }
                Err(i) => entries.insert(
                    i,
                    VersionEntry {
                        version: version.clone(),
                        files: (0, 0),
                        status: Status::Excluded {
                            exclusion: *exclusion,
                            other_files: false,
                        },
                    },
                ),
            }
        }
        let has_stable = entries.iter().any(|e| !e.version.is_prerelease());
        Self {
            entries,
            files,
            has_stable,
        }
    }

    /// Whether any version is a final (non-pre) release.
    pub(crate) fn has_stable(&self) -> bool {
        self.has_stable
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries whose versions `range` contains, ascending.
    pub(crate) fn in_range<'s, 'r>(
        &'s self,
        range: &'r Ranges<Version>,
    ) -> impl DoubleEndedIterator<Item = &'s VersionEntry> + use<'s, 'r> {
        let (lo, hi) = match range.bounding_range() {
            Some((lo, hi)) => (self.lower_index(lo), self.upper_index(hi)),
            None => (0, 0),
        };
        self.entries[lo..hi.max(lo)]
            .iter()
            .filter(move |e| range.contains(&e.version))
    }

    /// Every entry, ascending.
    pub(crate) fn entries(&self) -> &[VersionEntry] {
        &self.entries
    }

    pub(crate) fn get(&self, version: &Version) -> Option<&VersionEntry> {
        self.entries
            .binary_search_by(|e| e.version.cmp(version))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The files of a version, in the index's order.
    pub(crate) fn files(&self, entry: &VersionEntry) -> &[DistFile] {
        &self.files[entry.files.0..entry.files.1]
    }

    /// A file by its index into the flat list (see [`Status::Usable`]).
    pub(crate) fn file(&self, index: usize) -> &DistFile {
        &self.files[index]
    }

    fn lower_index(&self, bound: Bound<&Version>) -> usize {
        match bound {
            Bound::Unbounded => 0,
            Bound::Included(v) => self.entries.partition_point(|e| e.version < *v),
            Bound::Excluded(v) => self.entries.partition_point(|e| e.version <= *v),
        }
    }

    fn upper_index(&self, bound: Bound<&Version>) -> usize {
        match bound {
            Bound::Unbounded => self.entries.len(),
            Bound::Included(v) => self.entries.partition_point(|e| e.version <= *v),
            Bound::Excluded(v) => self.entries.partition_point(|e| e.version < *v),
        }
    }
}

/// What the index knows about one package on one target.
#[derive(Debug, Default)]
pub(crate) struct PackageIndex {
    pub(crate) map: Arc<VersionMap>,
    /// The index does not know the package at all.
    pub(crate) not_found: bool,
}

impl VersionEntry {
    /// The status with the yank overridden when `allow_yanked`.
    pub(crate) fn effective_status(&self, allow_yanked: bool) -> &Status {
        match &self.status {
            Status::Yanked { if_allowed, .. } if allow_yanked => if_allowed,
            status => status,
        }
    }
}

fn classify_version(files: &[DistFile], start: usize, end: usize, ranks: &mut Ranker) -> Status {
    let live: Vec<usize> = (start..end)
        .filter(|&i| files[i].yanked.is_none())
        .collect();
    if !live.is_empty() {
        return classify_files(files, &live, ranks);
    }
    let all: Vec<usize> = (start..end).collect();
    let reason = files[start..end]
        .iter()
        .find_map(|f| f.yanked.as_ref().and_then(|y| y.reason.clone()));
    Status::Yanked {
        reason,
        if_allowed: Box::new(classify_files(files, &all, ranks)),
    }
}

/// The file of one version that an environment with `tags` and Python
/// `python` installs: the wheel whose best tag ranks highest (the first
/// listed among equals), else the sdist (`.tar.gz` before other formats),
/// skipping files whose Requires-Python excludes `python`. The one rule
/// both the resolver (choosing whose metadata to read) and the installer
/// (choosing what to install from a Blueprint) follow, so what is
/// installed is what was resolved. Yanked files are not skipped: an exact
/// pin may use them (PEP 592).
pub fn best_file(files: &[DistFile], tags: &Tags, python: &Version) -> Option<usize> {
    let all: Vec<usize> = (0..files.len()).collect();
    let compatibility = Compatibility::Target {
        tags: tags.clone(),
        python: python.clone(),
    };
    match classify_files(files, &all, &mut Ranker::new(&compatibility)) {
        Status::Usable { best } => Some(best),
        _ => None,
    }
}

/// Ranks wheels for a [`Compatibility`]: by tag priority for a target;
/// for a fork, any wheel whose Python tags fit, those whose metadata the
/// index serves on its own (PEP 658) first. A fork's answers are kept per
/// tag set, since a package's releases repeat the same few.
struct Ranker<'c> {
    compatibility: &'c Compatibility,
    seen: FxHashMap<TagSet, Option<usize>>,
}

impl<'c> Ranker<'c> {
    fn new(compatibility: &'c Compatibility) -> Self {
        Self {
            compatibility,
            seen: FxHashMap::default(),
        }
    }

    fn wheel_rank(&mut self, file: &DistFile, set: &TagSet) -> Option<usize> {
        match self.compatibility {
            Compatibility::Target { tags, .. } => tags.best_priority(set).map(|p| p.rank()),
            Compatibility::Fork { pythons, .. } => {
                let fits = match self.seen.get(set) {
                    Some(fits) => *fits,
                    None => {
                        let fits =
                            (!MarkerSet::from_wheel_tags(set).is_disjoint(*pythons)).then_some(0);
                        self.seen.insert(set.clone(), fits);
                        fits
                    }
                };
                fits.map(|_| usize::from(file.metadata_file == MetadataFile::Absent))
            }
        }
    }
}

/// Picks the best installable file among `candidates`.
fn classify_files(files: &[DistFile], candidates: &[usize], ranks: &mut Ranker) -> Status {
    // (index, rank): wheels rank by tag priority, sdists after every wheel.
    let mut installable: Vec<(usize, usize)> = candidates
        .iter()
        .filter_map(|&i| match &files[i].kind {
            DistKind::Wheel(set) => ranks.wheel_rank(&files[i], set).map(|r| (i, r)),
            DistKind::Sdist => Some((
                i,
                usize::MAX - usize::from(files[i].filename.ends_with(".tar.gz")),
            )),
        })
        .collect();
    if installable.is_empty() {
        return Status::NoCompatibleFile;
    }
    installable.sort_by_key(|&(_, rank)| rank);
    let fits = |i: usize| {
        files[i]
            .requires_python
            .as_ref()
            .is_none_or(|spec| ranks.compatibility.admits(spec))
    };
    match installable.iter().find(|(i, _)| fits(*i)) {
        Some(&(best, _)) => Status::Usable { best },
        None => {
            let (best, _) = installable[0];
            match &files[best].requires_python {
                Some(spec) => Status::RequiresPython(SpecifierSet::clone(spec)),
                None => Status::NoCompatibleFile,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Yanked;
    use posy_vocab::{Tag, TagSet};

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    fn tags() -> Tags {
        Tags::from_ordered([
            Tag::new("cp312", "cp312", "manylinux_2_17_x86_64").unwrap(),
            Tag::new("py3", "none", "any").unwrap(),
        ])
    }

    fn wheel(version: &str, tags: &str) -> DistFile {
        let set: TagSet = tags.parse().unwrap();
        DistFile::wheel(
            format!("a-{version}-{tags}.whl"),
            v(version),
            set,
            "https://x.example/",
        )
    }

    fn sdist(version: &str) -> DistFile {
        DistFile::sdist(
            format!("a-{version}.tar.gz"),
            v(version),
            "https://x.example/",
        )
    }

    fn map(files: Vec<DistFile>) -> VersionMap {
        let compatibility = Compatibility::Target {
            tags: tags(),
            python: v("3.12.1"),
        };
        VersionMap::new(&PackageVersions::new(files), &compatibility)
    }

    #[test]
    fn groups_and_sorts_versions() {
        let m = map(vec![
            sdist("2.0"),
            wheel("1.0", "py3-none-any"),
            sdist("1.0"),
            sdist("1.5b1"),
        ]);
        let versions: Vec<_> = m.entries().iter().map(|e| e.version.to_string()).collect();
        assert_eq!(versions, ["1.0", "1.5b1", "2.0"]);
        assert!(m.has_stable());
        let one = m.get(&v("1.0")).unwrap();
        assert_eq!(m.files(one).len(), 2);
        let Status::Usable { best } = one.status else {
            panic!("{:?}", one.status)
        };
        assert!(
            m.file(best).is_wheel(),
            "a compatible wheel beats the sdist"
        );
    }

    #[test]
    fn prefers_the_best_tag() {
        let m = map(vec![
            wheel("1.0", "py3-none-any"),
            wheel("1.0", "cp312-cp312-manylinux_2_17_x86_64"),
        ]);
        let Status::Usable { best } = m.entries()[0].status else {
            panic!()
        };
        assert!(m.file(best).filename.contains("cp312"));
    }

    #[test]
    fn incompatible_wheels_only() {
        let m = map(vec![wheel("1.0", "cp38-cp38-win_amd64")]);
        assert_eq!(m.entries()[0].status, Status::NoCompatibleFile);
    }

    #[test]
    fn versions_the_options_emptied_are_kept_with_the_reason() {
        let compatibility = Compatibility::Target {
            tags: tags(),
            python: v("3.12.1"),
        };
        let versions = PackageVersions::new(vec![wheel("2.0", "cp38-cp38-win_amd64")])
            .with_excluded([
                (v("1.0"), Exclusion::OnlyBinary),
                (v("2.0"), Exclusion::OnlyBinary),
            ]);
        let m = VersionMap::new(&versions, &compatibility);
        let statuses: Vec<_> = m.entries().iter().map(|e| e.status.clone()).collect();
        assert_eq!(
            statuses,
            [
                Status::Excluded {
                    exclusion: Exclusion::OnlyBinary,
                    other_files: false
                },
                Status::Excluded {
                    exclusion: Exclusion::OnlyBinary,
                    other_files: true
                },
            ]
        );
        assert!(m.files(&m.entries()[0]).is_empty());
    }

    #[test]
    fn requires_python_of_every_installable_file() {
        let file = sdist("1.0").with_requires_python_text(">=3.13");
        let m = map(vec![file]);
        assert_eq!(
            m.entries()[0].status,
            Status::RequiresPython(">=3.13".parse().unwrap())
        );
        let ok = map(vec![
            wheel("1.0", "py3-none-any").with_requires_python_text(">=3.13"),
            sdist("1.0").with_requires_python_text(">=3.8"),
        ]);
        assert!(matches!(ok.entries()[0].status, Status::Usable { .. }));
    }

    #[test]
    fn yanked_only_when_every_file_is() {
        let mut yanked = sdist("1.0");
        yanked.yanked = Some(Yanked {
            reason: Some("broken".into()),
        });
        let m = map(vec![yanked.clone()]);
        let entry = &m.entries()[0];
        assert!(matches!(&entry.status, Status::Yanked { reason: Some(r), .. } if r == "broken"));
        assert!(matches!(
            entry.effective_status(true),
            Status::Usable { .. }
        ));
        let partly = map(vec![yanked, wheel("1.0", "py3-none-any")]);
        assert!(matches!(partly.entries()[0].status, Status::Usable { .. }));
    }

    #[test]
    fn in_range_uses_bounds() {
        let m = map(["0.9", "1.0", "1.5", "2.0", "3.0"]
            .iter()
            .map(|s| sdist(s))
            .collect());
        let range: Ranges<Version> = ">=1.0,<3".parse::<SpecifierSet>().unwrap().to_ranges();
        let got: Vec<_> = m.in_range(&range).map(|e| e.version.to_string()).collect();
        assert_eq!(got, ["1.0", "1.5", "2.0"]);
        let rev: Vec<_> = m
            .in_range(&range)
            .rev()
            .map(|e| e.version.to_string())
            .collect();
        assert_eq!(rev, ["2.0", "1.5", "1.0"]);
        assert_eq!(m.in_range(&Ranges::empty()).count(), 0);
    }
}
