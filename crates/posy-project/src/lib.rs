//! Project files: turning what users write into Briefs, and Blueprints back into files.
//!
//! Today these are the requirements-file format of pip (`requirements.in`,
//! `requirements.txt`, constraints files), `pyproject.toml` (PEP 621
//! with PEP 735 dependency groups and `[tool.posy.sources]`) and the
//! `pylock.toml` lock file (PEP 751), and inline script metadata (PEP 723)
//! in a `# /// script` block, which `ScriptEditor` edits. `PyProjectEditor` edits a
//! `pyproject.toml` in place for `posy add` and `posy remove`, keeping
//! its comments and formatting.

mod edit;
mod pylock;
mod pyproject;
mod requirements_txt;
mod script;
mod sources;
mod workspace;

pub use edit::{Added, EditError, Place, PyProjectEditor};
pub use pylock::{
    LockedArtifact, LockedDependency, LockedPackage, PackageSource, Pylock, PylockError,
};
pub use pyproject::{
    ConflictItem, ConflictKind, ExtrasSelection, GroupEntry, NamedIndex, OptionValue, Project,
    ProjectSettings, PyProject, PyProjectError, Requirements, WorkspaceTable,
};
pub use script::{
    ScriptBlock, ScriptEditor, ScriptError, ScriptMetadata, find_block, init_script,
    parse_metadata, with_new_block,
};
pub use sources::{GitReference, Source, SourceTarget};
pub use workspace::{Member, RESOLUTION_OPTIONS, Workspace, WorkspaceError};

pub use requirements_txt::{
    RequirementEntry, RequirementSpec, RequirementsTxt, RequirementsTxtError, UnnamedRequirement,
};
