//! Platform compatibility tags (PEP 425, PEP 600 manylinux, PEP 656
//! musllinux, macOS, Windows): what a wheel says it runs on, and which of
//! those claims a given interpreter accepts, best first.
//!
//! - [`Tag`] and [`TagSet`]: one `python-abi-platform` triple and the
//!   compressed form wheel filenames use (`tag.rs`).
//! - [`Platform`] and [`Arch`]: a target machine and its platform tags in
//!   preference order, its PEP 508 platform markers, and uv-style
//!   `--python-platform` names (`platform.rs`).
//! - [`TagTarget`] and [`Tags`]: the full supported-tag list of an
//!   interpreter on a platform, in `packaging.tags.sys_tags()` order, with
//!   [`TagPriority`] lookups (`supported.rs`).

mod platform;
mod supported;
mod tag;

pub use platform::{Arch, Platform, PlatformMarkers};
pub use supported::{Implementation, TagPriority, TagTarget, Tags};
use tag::sanitize_part;
pub use tag::{Tag, TagSet};
