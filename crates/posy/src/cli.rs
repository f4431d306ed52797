//! The command-line surface. Flags are named as uv and pip name them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// posy: a Python installer and package manager.
#[derive(Debug, Parser)]
#[command(name = "posy", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The cache directory (the store). Defaults to `$XDG_CACHE_HOME/posy` or `~/.cache/posy`.
    #[arg(long, global = true, env = "POSY_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print more about what posy is doing.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage posy's cache (the store).
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Create a virtual environment.
    Venv(VenvArgs),
    /// pip-compatible commands: compile, install, sync, uninstall, list, freeze, show, check.
    #[command(subcommand)]
    Pip(Box<PipCommand>),
}

#[derive(Debug, Subcommand)]
pub enum PipCommand {
    /// Resolve requirements into a pinned requirements file.
    Compile(PipCompileArgs),
    /// Install packages into an environment.
    Install(PipInstallArgs),
    /// Make an environment hold exactly the pinned packages of a file.
    Sync(PipSyncArgs),
    /// Remove packages from an environment.
    Uninstall(PipUninstallArgs),
    /// List installed packages.
    List(PipListArgs),
    /// Print installed packages in requirements format.
    Freeze(EnvArgs),
    /// Show information about installed packages.
    Show(PipShowArgs),
    /// Check that installed packages have compatible dependencies.
    Check(EnvArgs),
}

/// Which index(es) to use, as pip and uv name the flags.
#[derive(Debug, Args, Clone, Default)]
pub struct IndexArgs {
    /// The base URL of the package index (default: the public index).
    #[arg(long, short = 'i', env = "POSY_INDEX_URL", value_name = "URL")]
    pub index_url: Option<String>,
    /// More indexes to use, after `--index-url`.
    #[arg(
        long,
        env = "POSY_EXTRA_INDEX_URL",
        value_delimiter = ' ',
        value_name = "URL"
    )]
    pub extra_index_url: Vec<String>,
    /// Local directories or HTML pages of links to look for distributions in.
    #[arg(long, short = 'f', value_name = "DIR_OR_URL")]
    pub find_links: Vec<String>,
    /// Ignore the package index; use only `--find-links`.
    #[arg(long)]
    pub no_index: bool,
    /// How to choose among indexes: `first-index` (default; the first index with the package wins) or `unsafe-best-match`.
    #[arg(long, value_name = "STRATEGY", default_value = "first-index")]
    pub index_strategy: String,
    /// Ignore files uploaded after this date (RFC 3339 timestamp or YYYY-MM-DD), for reproducible results.
    #[arg(long, env = "POSY_EXCLUDE_NEWER", value_name = "DATE")]
    pub exclude_newer: Option<String>,
    /// Use only cached index data and artifacts; no network.
    #[arg(long, env = "POSY_OFFLINE")]
    pub offline: bool,
    /// Ignore cached index pages and fetch them again.
    #[arg(long)]
    pub refresh: bool,
}

/// Which environment a pip command acts on.
#[derive(Debug, Args, Clone, Default)]
pub struct EnvArgs {
    /// The interpreter of the environment (a path, or a version request). Default: the active or nearest `.venv`.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// Act on the system interpreter's environment rather than a virtual environment.
    #[arg(long, env = "POSY_SYSTEM_PYTHON")]
    pub system: bool,
}

/// How sdists and projects are built.
#[derive(Debug, Args, Clone, Default)]
pub struct BuildArgs {
    /// Settings passed to build backends' hooks (PEP 517 `config_settings`), `KEY=VALUE`; repeat for more.
    #[arg(long = "config-settings", short = 'C', value_name = "KEY=VALUE")]
    pub config_settings: Vec<String>,
    /// Build sdists and projects with the target environment's interpreter
    /// and what is installed there, instead of an isolated build environment.
    #[arg(long)]
    pub no_build_isolation: bool,
}

/// How to choose versions.
#[derive(Debug, Args, Clone, Default)]
pub struct ResolverArgs {
    /// Constraints files: restrict versions without adding packages.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub constraint: Vec<std::path::PathBuf>,
    /// Override files: replace every dependency on the packages they name.
    #[arg(long, value_name = "FILE")]
    pub r#override: Vec<std::path::PathBuf>,
    /// `highest` (default), `lowest` or `lowest-direct`.
    #[arg(long, value_name = "STRATEGY", default_value = "highest")]
    pub resolution: String,
    /// `disallow`, `allow`, `if-necessary`, `explicit` or `if-necessary-or-explicit` (default).
    #[arg(
        long,
        value_name = "POLICY",
        default_value = "if-necessary-or-explicit"
    )]
    pub prerelease: String,
    /// Allow upgrades of every package, ignoring existing pins.
    #[arg(long, short = 'U')]
    pub upgrade: bool,
    /// Allow upgrades of this package.
    #[arg(long, short = 'P', value_name = "PACKAGE")]
    pub upgrade_package: Vec<String>,
    /// Never use source distributions.
    #[arg(long)]
    pub no_build: bool,
    /// Use only wheels for these packages (`:all:` for every package).
    #[arg(long, value_delimiter = ',', value_name = "PACKAGE")]
    pub only_binary: Vec<String>,
    /// Never use wheels for these packages (`:all:` for every package).
    #[arg(long, value_delimiter = ',', value_name = "PACKAGE")]
    pub no_binary: Vec<String>,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// How to install.
#[derive(Debug, Args, Clone, Default)]
pub struct InstallerArgs {
    /// How files get into the environment: clone (default, falls back to hardlink, then copy), hardlink, copy or symlink.
    #[arg(long, value_name = "MODE", env = "POSY_LINK_MODE")]
    pub link_mode: Option<String>,
    /// Reinstall every package even if it is already installed.
    #[arg(long)]
    pub reinstall: bool,
    /// Byte-compile installed Python files.
    #[arg(long, env = "POSY_COMPILE_BYTECODE")]
    pub compile_bytecode: bool,
    /// Say what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Require a hash for every requirement, and check it.
    #[arg(long)]
    pub require_hashes: bool,
}

#[derive(Debug, Args)]
pub struct PipCompileArgs {
    /// Requirements files (`requirements.in`, `pyproject.toml`); `-` reads stdin.
    #[arg(required = true, value_name = "SRC_FILE")]
    pub src_file: Vec<std::path::PathBuf>,
    /// Write the result here instead of stdout (its pins are kept unless upgraded).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<std::path::PathBuf>,
    /// Extras of a `pyproject.toml` to include.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Include every extra of a `pyproject.toml`.
    #[arg(long)]
    pub all_extras: bool,
    /// Dependency groups of a `pyproject.toml` to include (PEP 735).
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Include every dependency group of a `pyproject.toml`.
    #[arg(long)]
    pub all_groups: bool,
    /// The output format: `requirements.txt` (default) or `pylock.toml`
    /// (PEP 751; chosen by default when the output file is named `pylock.toml`).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Resolve for this Python version (e.g. `3.11`) instead of an interpreter's.
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Resolve for this platform (e.g. `x86_64-manylinux_2_28`, `aarch64-apple-darwin`, `windows`).
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
    /// The interpreter to resolve for.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// One resolution for every platform and Python version, with markers.
    #[arg(long)]
    pub universal: bool,
    /// Add `--hash` lines for every pinned artifact.
    #[arg(long)]
    pub generate_hashes: bool,
    /// Leave out the `# via` comments.
    #[arg(long)]
    pub no_annotate: bool,
    /// Leave out the header comment.
    #[arg(long)]
    pub no_header: bool,
    /// Write the index URL into the output.
    #[arg(long)]
    pub emit_index_url: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipInstallArgs {
    /// Packages to install (PEP 508 requirements, paths or URLs).
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Install the requirements of these files.
    #[arg(long, short = 'r', value_name = "FILE")]
    pub requirement: Vec<std::path::PathBuf>,
    /// Install these local projects in editable mode.
    #[arg(long, short = 'e', value_name = "PATH")]
    pub editable: Vec<String>,
    /// Install only the named packages, not their dependencies.
    #[arg(long)]
    pub no_deps: bool,
    /// Extras of a `pyproject.toml` given with `-r` to include.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Include every extra of a `pyproject.toml` given with `-r`.
    #[arg(long)]
    pub all_extras: bool,
    /// Dependency groups of a `pyproject.toml` given with `-r` to include.
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Include every dependency group of a `pyproject.toml` given with `-r`.
    #[arg(long)]
    pub all_groups: bool,
    /// Install into this directory (for `PYTHONPATH`) instead of the environment.
    #[arg(long, value_name = "DIR", conflicts_with = "prefix")]
    pub target: Option<std::path::PathBuf>,
    /// Install under this prefix (`DIR/lib/pythonX.Y/site-packages`, `DIR/bin`).
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub installer: InstallerArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipSyncArgs {
    /// Pinned requirements files, or `pylock.toml` files (PEP 751).
    #[arg(required = true, value_name = "SRC_FILE")]
    pub src_file: Vec<std::path::PathBuf>,
    /// Extras of a multi-use `pylock.toml` to install.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Dependency groups of a multi-use `pylock.toml` to install (default: its `default-groups`).
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Let files that pin nothing empty the environment (refused otherwise).
    #[arg(long)]
    pub allow_empty_requirements: bool,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub installer: InstallerArgs,
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipUninstallArgs {
    /// Packages to remove.
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Remove the packages named in these files.
    #[arg(long, short = 'r', value_name = "FILE")]
    pub requirement: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
    /// Say what would be removed, and remove nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PipListArgs {
    /// `columns` (default), `freeze` or `json`.
    #[arg(long, default_value = "columns", value_name = "FORMAT")]
    pub format: String,
    /// Only packages with a newer version on the index.
    #[arg(long)]
    pub outdated: bool,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipShowArgs {
    /// Packages to show.
    #[arg(required = true, value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Also list the installed files.
    #[arg(long, short = 'f')]
    pub files: bool,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// `posy venv`: flags as uv names them.
#[derive(Debug, Args)]
pub struct VenvArgs {
    /// Where to create the environment.
    #[arg(default_value = ".venv")]
    pub path: PathBuf,
    /// The interpreter to use: a version (`3.11`, `>=3.10`, `cpython3.11`), a path or an executable name.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// Install pip into the environment.
    #[arg(long)]
    pub seed: bool,
    /// The prompt shown when the environment is active (default: the directory name).
    #[arg(long)]
    pub prompt: Option<String>,
    /// Give the environment access to the interpreter's site-packages.
    #[arg(long)]
    pub system_site_packages: bool,
    /// Remove anything already at the path first.
    #[arg(long, conflicts_with = "allow_existing")]
    pub clear: bool,
    /// Write into an existing directory, keeping what is there.
    #[arg(long)]
    pub allow_existing: bool,
    /// Where `--seed` gets pip from.
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Print the cache directory.
    Dir,
    /// Print the size of the cache.
    Size {
        /// Print the size in bytes rather than a human-readable figure.
        #[arg(long)]
        bytes: bool,
    },
    /// Remove everything from the cache, or only the entries of the given packages.
    Clean {
        /// Packages whose entries to remove.
        packages: Vec<String>,
    },
    /// Remove unused and least-recently-used entries until the cache is under its size bound.
    Prune {
        /// The bound to prune to, e.g. `2GiB`, `500M`, `0`. Defaults to the configured maximum.
        #[arg(long, value_name = "SIZE")]
        max_size: Option<String>,
    },
}

impl IndexArgs {
    /// The flags as the engine's settings.
    pub fn settings(&self) -> posy_ops::IndexSettings {
        posy_ops::IndexSettings {
            index_url: self.index_url.clone(),
            extra_index_url: self.extra_index_url.clone(),
            find_links: self.find_links.clone(),
            no_index: self.no_index,
            index_strategy: self.index_strategy.clone(),
            exclude_newer: self.exclude_newer.clone(),
            offline: self.offline,
            refresh: self.refresh,
        }
    }
}

impl EnvArgs {
    /// The flags as the engine's environment request.
    pub fn request(&self) -> posy_ops::EnvRequest {
        posy_ops::EnvRequest {
            python: self.python.clone(),
            system: self.system,
        }
    }
}

impl ResolverArgs {
    /// The flags as the engine's resolver options.
    pub fn options(&self) -> posy_ops::ResolverOptions {
        posy_ops::ResolverOptions {
            resolution: self.resolution.clone(),
            prerelease: self.prerelease.clone(),
            upgrade: self.upgrade,
            upgrade_package: self.upgrade_package.clone(),
            no_build: self.no_build,
            only_binary: self.only_binary.clone(),
            no_binary: self.no_binary.clone(),
            config_settings: self.build.config_settings.clone(),
            no_build_isolation: self.build.no_build_isolation,
        }
    }
}

impl InstallerArgs {
    /// The flags as the engine's apply options.
    pub fn options(&self) -> posy_ops::ApplyOptions {
        posy_ops::ApplyOptions {
            link_mode: self.link_mode.clone(),
            reinstall: self.reinstall,
            compile_bytecode: self.compile_bytecode,
            dry_run: self.dry_run,
            require_hashes: self.require_hashes,
        }
    }
}
