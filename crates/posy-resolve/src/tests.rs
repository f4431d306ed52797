//! Scenario tests of the whole resolver over an in-memory index.
//!
//! `memory_index.rs` is a real [`crate::MetadataProvider`] over data held in
//! memory (not a mock of HTTP), with a builder that makes "a 1.0 needs
//! b>=2" one line. The scenarios follow uv's packse scenarios (pre-releases,
//! extras, Requires-Python, yanked, local versions, wheel tags, conflicts)
//! plus posy's own rules (constraints, overrides, preferences, fetching
//! once). Conflict reports are checked with `insta` snapshots.

mod memory_index;
mod reports;
mod scenarios;
mod universal;
