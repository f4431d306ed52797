//! Project files: turning what users write into Briefs, and Blueprints back into files.
//!
//! Today this is the requirements-file format of pip (`requirements.in`,
//! `requirements.txt`, constraints files). `pyproject.toml` (PEP 621 and
//! PEP 735 dependency groups), inline script metadata (PEP 723) and
//! `pylock.toml` (PEP 751) join it as the project commands land.

mod requirements_txt;

pub use requirements_txt::{
    RequirementEntry, RequirementSpec, RequirementsTxt, RequirementsTxtError, UnnamedRequirement,
};
