//! Project files: turning what users write into Briefs, and Blueprints back into files.
//!
//! Today these are the requirements-file format of pip (`requirements.in`,
//! `requirements.txt`, constraints files) and `pyproject.toml` (PEP 621
//! with PEP 735 dependency groups). Inline script metadata (PEP 723) and
//! `pylock.toml` (PEP 751) join them as the project commands land.

mod pyproject;
mod requirements_txt;

pub use pyproject::{
    ExtrasSelection, GroupEntry, Project, PyProject, PyProjectError, Requirements,
};

pub use requirements_txt::{
    RequirementEntry, RequirementSpec, RequirementsTxt, RequirementsTxtError, UnnamedRequirement,
};
