//! Why no wheel of some versions fits the target, in the terms a person
//! can act on: the first part of the tags (platform, then Python, then
//! ABI) that none of the wheels matches, the target's own value of that
//! part as an example (`manylinux_2_28_x86_64`), and the values the newest
//! version's wheels do have (`win_amd64`, `macosx_11_0_arm64`), as uv
//! reports it. Used by the conflict report, for the sentence and the hint.

use posy_vocab::{Tag, TagSet, Tags, Version};
use rustc_hash::FxHashSet;
use version_ranges::Ranges;

use crate::provider::DistKind;
use crate::version_map::VersionMap;

/// A part of a wheel's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagPart {
    Platform,
    Python,
    Abi,
}

impl TagPart {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Python => "Python",
            Self::Abi => "ABI",
        }
    }

    fn of(self, tag: &Tag) -> &str {
        match self {
            Self::Platform => tag.platform(),
            Self::Python => tag.python(),
            Self::Abi => tag.abi(),
        }
    }

    fn of_set(self, set: &TagSet) -> Vec<&str> {
        match self {
            Self::Platform => set.platform_tags().collect(),
            Self::Python => set.python_tags().collect(),
            Self::Abi => set.abi_tags().collect(),
        }
    }
}

/// Why the wheels of some versions do not fit a target, and what does.
pub(crate) struct WheelMismatch {
    /// The first part of the tags (platform, then Python, then ABI) that
    /// no wheel matches.
    pub(crate) part: TagPart,
    /// The target's best value of that part (`manylinux_2_28_x86_64`).
    pub(crate) example: String,
    /// The newest version in the range that has wheels, and the values of
    /// that part its wheels have (`win_amd64`), sorted.
    pub(crate) available: Option<(Version, Vec<String>)>,
}

/// What keeps the wheels of the versions in `range` off the target (see
/// [`WheelMismatch`]); `None` when the versions have no wheel at all.
pub(crate) fn wheel_mismatch(
    tags: &Tags,
    map: &VersionMap,
    range: &Ranges<Version>,
) -> Option<WheelMismatch> {
    let wheels_of = |entry| {
        map.files(entry).iter().filter_map(|f| match &f.kind {
            DistKind::Wheel(set) => Some(set),
            DistKind::Sdist => None,
        })
    };
    let entries: Vec<_> = map.in_range(range).collect();
    let wheels: Vec<&TagSet> = entries.iter().flat_map(|e| wheels_of(e)).collect();
    if wheels.is_empty() {
        return None;
    }
    let part = [TagPart::Platform, TagPart::Python, TagPart::Abi]
        .into_iter()
        .find(|part| {
            let target: FxHashSet<&str> = tags.iter().map(|t| part.of(t)).collect();
            !wheels
                .iter()
                .any(|set| part.of_set(set).iter().any(|v| target.contains(v)))
        })?;
    let example = tags
        .iter()
        .map(|t| part.of(t))
        .find(|v| !matches!(*v, "any" | "none"))?
        .to_owned();
    let available = entries.iter().rev().find_map(|entry| {
        let mut values: Vec<String> = wheels_of(entry)
            .flat_map(|set| part.of_set(set))
            .map(str::to_owned)
            .collect();
        values.sort();
        values.dedup();
        (!values.is_empty()).then(|| (entry.version.clone(), values))
    });
    Some(WheelMismatch {
        part,
        example,
        available,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{DistFile, PackageVersions};
    use crate::version_map::Compatibility;

    fn target() -> Tags {
        Tags::from_ordered([
            Tag::new("cp312", "cp312", "manylinux_2_17_x86_64").unwrap(),
            Tag::new("cp312", "abi3", "manylinux_2_17_x86_64").unwrap(),
            Tag::new("py3", "none", "any").unwrap(),
        ])
    }

    fn mismatch(wheels: &[(&str, &str)]) -> WheelMismatch {
        let files = wheels.iter().map(|(version, tags)| {
            DistFile::wheel(
                format!("a-{version}-{tags}.whl"),
                version.parse().unwrap(),
                tags.parse().unwrap(),
                "https://x.example/",
            )
        });
        let compatibility = Compatibility::Target {
            tags: target(),
            python: "3.12.1".parse().unwrap(),
        };
        let map = VersionMap::new(&PackageVersions::new(files), &compatibility);
        wheel_mismatch(&target(), &map, &Ranges::full()).unwrap()
    }

    #[test]
    fn the_first_part_no_wheel_matches_is_named() {
        let platform = mismatch(&[
            ("1.0", "cp312-cp312-win_amd64"),
            ("2.0", "cp312-cp312-macosx_11_0_arm64.win32"),
        ]);
        assert_eq!(platform.part, TagPart::Platform);
        assert_eq!(platform.example, "manylinux_2_17_x86_64");
        assert_eq!(
            platform.available,
            Some((
                "2.0".parse().unwrap(),
                vec!["macosx_11_0_arm64".into(), "win32".into()]
            ))
        );
        let python = mismatch(&[("1.0", "cp311-cp311-manylinux_2_17_x86_64")]);
        assert_eq!(
            (python.part, python.example.as_str()),
            (TagPart::Python, "cp312")
        );
        let abi = mismatch(&[("1.0", "cp312-cp312d-manylinux_2_17_x86_64")]);
        assert_eq!((abi.part, abi.example.as_str()), (TagPart::Abi, "cp312"));
    }
}
