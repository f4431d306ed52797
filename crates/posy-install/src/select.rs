//! Choosing the wheel to install for a pinned version.

use posy_index::IndexFile;
use posy_vocab::{DistFilename, PackageName, Tags, Version};

/// The best wheel of `name==version` for `tags`: the one whose best tag
/// ranks highest, then the highest build tag. Yanked files are allowed, as
/// PEP 592 allows them for exact pins. Files whose names do not parse, or
/// belong to another package, are skipped (the index client parsed each
/// name into [`IndexFile::dist`]).
pub fn best_wheel<'a>(
    files: &'a [IndexFile],
    name: &PackageName,
    version: &Version,
    tags: &Tags,
) -> Option<&'a IndexFile> {
    files
        .iter()
        .filter_map(|f| {
            let Some(DistFilename::Wheel(wheel)) = &f.dist else {
                return None;
            };
            if wheel.name() != name || wheel.version() != version {
                return None;
            }
            let priority = wheel.compatibility(tags)?;
            Some((priority, wheel.build_tag().cloned(), f))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, _, f)| f)
}
