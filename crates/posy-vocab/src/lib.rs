//! The Python packaging vocabulary, exact to the specifications.
//!
//! Every value that the rest of posy passes around is a type here, parsed
//! once at the edge: a [`PackageName`] can only hold a PEP 503-normalized
//! name, a `Version` is cheap to copy and compare, a `Requirement` is a
//! parsed PEP 508 string. Every parser reports a [`ParseError`] that shows
//! the input with a caret under the bad part. Nothing in this crate does I/O.

mod dist_filename;
mod entry_points;
mod hash;
mod headers;
mod lenient;
mod marker;
mod metadata;
mod name;
mod parse_error;
mod requirement;
mod sdist_filename;
mod specifier;
mod tags;
mod version;
mod wheel_filename;

pub use dist_filename::DistFilename;
pub use entry_points::{EntryPoint, EntryPoints};
pub use hash::{ArtifactHash, HashAlgorithm, hash_from_url_fragment};
pub use headers::Headers;
pub use marker::{
    MarkerEnvironment, MarkerExpression, MarkerKind, MarkerOperand, MarkerOperator, MarkerSet,
    MarkerTree, MarkerValues, MarkerVariable,
};
pub use metadata::{CoreMetadata, MetadataError, MetadataFixup};
pub use name::{ExtraName, GroupName, PackageName};
pub use parse_error::ParseError;
pub use requirement::{Requirement, VersionOrUrl};
pub use sdist_filename::{SdistExtension, SdistFilename};
pub use specifier::{Operator, Specifier, SpecifierSet};
pub use tags::{
    Arch, Implementation, Platform, PlatformMarkers, Tag, TagPriority, TagSet, TagTarget, Tags,
};
pub use version::{LocalSegment, Prerelease, PrereleaseKind, Version};
pub use wheel_filename::{BuildTag, WheelFilename};
