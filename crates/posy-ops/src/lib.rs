//! posy's engine as a library: the three nouns and the operations between them.
//!
//! Everything posy does moves data through three nouns (see the project's
//! ARCHITECTURE.md):
//!
//! - a [`Brief`]: what the user asked for, read from requirement strings,
//!   requirements files and `pyproject.toml` ([`BriefInputs`]);
//! - a [`Blueprint`]: the resolved answer, a PEP 751 lock in memory, for one
//!   environment or for all, that writes itself as `pylock.toml` or
//!   `requirements.txt`;
//! - an [`Env`]: an environment (an interpreter and where files go) that a
//!   Blueprint is planned against and materialised into.
//!
//! The operations are plain functions over plain option structs, in the
//! manner of cargo's `ops`: [`resolve_brief`] (Brief → Blueprint),
//! [`lock_pins`] (Blueprint × Env → what to install), [`apply_blueprint`],
//! [`install`] and [`sync`] (which change an Env and say how: [`Changes`]). A command of the `posy` binary maps its
//! flags to these options and prints the outcome; a test or another front
//! end calls the same functions.
//!
//! ```no_run
//! # fn demo() -> anyhow::Result<()> {
//! use posy_ops::{Brief, BriefInputs, ResolveOptions, Session, resolve_brief};
//!
//! let session = Session::open("/tmp/posy-cache".into(), None)?;
//! let brief = Brief::read(&BriefInputs {
//!     requirements: vec!["requests>=2".into()],
//!     ..BriefInputs::default()
//! })?;
//! let resolved = resolve_brief(&session, brief, &ResolveOptions::default())?;
//! println!("{}", resolved.blueprint.lock.to_toml());
//! # Ok(())
//! # }
//! ```
//!
//! Errors are `anyhow` errors with context, as in cargo's `ops`: each
//! operation composes the typed errors of the lower crates and adds what
//! was being done and what to do next.
//!
//! Where the lower crates meet, this crate implements their traits: the
//! resolver's metadata provider over the index client and the build
//! frontend (`provider.rs`), and the build frontend's environments through
//! the resolver and the installer (`build_envs.rs`).

mod apply;
mod binary_policy;
mod blueprint;
mod blueprint_json;
mod brief;
mod build_cache;
mod build_envs;
mod build_progress;
mod cached_env;
mod changes;
mod direct;
mod env;
mod index;
mod init;
mod install;
mod output;
mod plan;
mod project;
mod provider;
mod publish;
mod python_install;
mod python_pin;
mod resolve;
mod script;
mod session;
mod shell_path;
mod simple_index;
mod single_use;
mod target;
mod tool;
mod tool_run;
mod wheelhouse;

pub use apply::{Pin, PinSource};
pub use binary_policy::BinaryPolicy;
pub use blueprint::{Blueprint, Notes, RequirementsTxtOptions, relative_paths};
pub use brief::{
    Brief, BriefInputs, GroupsSelection, Selector, extras_selection, groups_selection,
    project_group,
};
pub use build_cache::BuildCacheSettings;
pub use cached_env::{
    CachedEnv, CachedEnvOptions, ENV_FORMAT, ensure_cached_env, env_key, exec_holding,
    open_cached_env,
};
pub use changes::{Changes, WouldChange};
pub use env::{Env, EnvRequest, Placement, find_env, venv_python};
pub use index::{FileIndexSettings, IndexSettings, build_client};
pub use init::{InitOptions, InitOutcome, Layout, Vcs, init, init_python};
pub use install::{
    ApplyOptions, InstallOptions, SyncOptions, apply_blueprint, exact_pin, install, is_pylock,
    sync, uninstall,
};
pub use output::{elapsed, hide_progress, plural, progress_bar};
pub use plan::{LockSelection, lock_pins};
pub use posy_publish::PYPI_UPLOAD;
pub use project::{
    Freshness, LockOutcome, ProjectSelection, ProjectSync, ProjectSyncOptions, check_conflicts,
    fingerprint, freshness, is_synced, lock as lock_project, lock_inputs, options_key,
    sync_project, workspace_requires_python, write_atomically,
};
pub use publish::{
    PublishCredentials, PublishRequest, PublishSummary, configured_publish_url, dist_files, publish,
};
pub use python_install::{
    DOWNLOADS_ENV as PYTHON_DOWNLOADS_ENV, PythonDownloads, PythonInstalled, PythonListing,
    best_download, download_table, find_or_install, install_downloads, install_pythons,
    list_pythons, managed_dir, uninstall_pythons, upgrade_pythons,
};
pub use python_pin::project_request;
pub use resolve::{
    LockedCommit, Preferences, ResolveOptions, Resolved, ResolverOptions, preferences_from,
    resolve_brief, resolve_brief_for, resolve_error,
};
pub use script::{
    Script, ScriptEnv, ScriptLock, ScriptOptions, fetch_script, keep_script_text, lock_script,
    prepare_script, script_lock_is_fresh,
};
pub use session::Session;
pub use shell_path::{Shell, add_to_path, update_shell};
pub use simple_index::{SimpleIndexSummary, write_simple_index};
pub use single_use::{Edge, EdgeKind, ExportOptions, SingleUse, single_use};
pub use target::{TargetRequest, find_interpreter, resolve_target};
pub use tool::{
    InstalledTool, RECEIPT, Receipt, ReceiptOptions, ToolDirs, ToolExecutable, ToolInstall,
    ToolSpec, ToolUpgrade, Upgraded, install_tool, installed_tools, interpreter_problem,
    tool_requirement, uninstall_tool, upgrade_tool, warn_if_not_on_path,
};
pub use tool_run::{
    ToolCommand, ToolRun, installed_tool_command, prepare_tool_command, remembered_tool_command,
};
pub use wheelhouse::{
    WheelTarget, WheelhouseOptions, WheelhouseReport, fill_wheelhouse, wheel_targets,
};
