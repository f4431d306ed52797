//! The command-line surface. Flags are named as uv names them, with pip's
//! spelling as an alias where the two differ (`--constraints` and
//! `--constraint`, `-C/--config-setting` and `--config-settings`). Every flag
//! changes what posy does; the few that describe what posy always does
//! (`--system-certs`) say so in their help. uv's flags that posy does not take are listed, with the
//! reason, in the README ("Flags posy does not take").

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// posy: a Python installer and package manager.
#[derive(Debug, Parser)]
#[command(name = "posy", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// On when stderr is a terminal, unless `NO_COLOR` is set (`FORCE_COLOR` forces it).
    #[default]
    Auto,
    Always,
    Never,
}

/// Options every command understands.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print nothing but errors; `-qq` prints nothing on stdout either.
    #[arg(short, long, global = true, action = ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,
    /// Print more about what posy is doing (`-vv`: how).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Colour in output: `auto` (on a terminal, unless `NO_COLOR` is set; `FORCE_COLOR` forces it), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "COLOR_CHOICE")]
    pub color: ColorChoice,
    /// Never draw progress bars or spinners (build lines are printed as in a log).
    #[arg(long, global = true, env = "POSY_NO_PROGRESS")]
    pub no_progress: bool,
    /// Use only cached index data and artifacts; no network.
    #[arg(long, global = true, env = "POSY_OFFLINE")]
    pub offline: bool,
    /// The cache directory (the store). Defaults to `$XDG_CACHE_HOME/posy` or `~/.cache/posy`.
    #[arg(long, global = true, env = "POSY_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use a temporary cache, removed when the command ends, instead of the cache directory.
    #[arg(short = 'n', long, global = true, env = "POSY_NO_CACHE")]
    pub no_cache: bool,
    /// Change to this directory before doing anything else (relative paths start there).
    #[arg(long, global = true, value_name = "DIRECTORY")]
    pub directory: Option<PathBuf>,
    /// Read the project's `posy.toml` from this directory instead of the working directory.
    #[arg(long, global = true, env = "POSY_PROJECT", value_name = "PROJECT")]
    pub project: Option<PathBuf>,
    /// Read settings from this file only, instead of the project's and the user's `posy.toml`.
    #[arg(
        long,
        global = true,
        env = "POSY_CONFIG_FILE",
        value_name = "CONFIG_FILE"
    )]
    pub config_file: Option<PathBuf>,
    /// Read no `posy.toml`.
    #[arg(
        long,
        global = true,
        env = "POSY_NO_CONFIG",
        conflicts_with = "config_file"
    )]
    pub no_config: bool,
    /// A PEM bundle of CA certificates to trust instead of the system's (as `SSL_CERT_FILE` does).
    #[arg(long, global = true, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// Verify TLS with the platform's certificate store. posy always does
    /// (rustls with the platform verifier), so this changes nothing.
    #[arg(long, global = true, env = "POSY_SYSTEM_CERTS")]
    pub system_certs: bool,
    /// How to find credentials for indexes: only `disabled` (posy reads
    /// credentials from URLs and `~/.netrc`; it does not run `keyring`).
    #[arg(long, global = true, value_name = "KEYRING_PROVIDER", value_parser = keyring_provider)]
    pub keyring_provider: Option<String>,
    /// Use only interpreters posy installs (`posy python install`), never the system's.
    #[arg(
        long,
        global = true,
        env = "POSY_MANAGED_PYTHON",
        conflicts_with = "no_managed_python"
    )]
    pub managed_python: bool,
    /// Use only interpreters found on the system, never the ones posy installs.
    #[arg(long, global = true, env = "POSY_NO_MANAGED_PYTHON")]
    pub no_managed_python: bool,
    /// Never download an interpreter when none fits (as `POSY_PYTHON_DOWNLOADS=never`).
    #[arg(long, global = true)]
    pub no_python_downloads: bool,
}

/// `--keyring-provider`: `disabled` is what posy does; `subprocess` is refused with the way out.
fn keyring_provider(value: &str) -> Result<String, String> {
    match value {
        "disabled" => Ok(value.to_string()),
        "subprocess" => Err(
            "posy does not call `keyring`; put the credentials in the index URL or in ~/.netrc, and use `disabled`"
                .to_string(),
        ),
        other => Err(format!("unknown keyring provider `{other}` (posy takes `disabled`)")),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project.
    Init(InitArgs),
    /// Manage posy's cache (the store).
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Create a virtual environment.
    Venv(Box<VenvArgs>),
    /// Manage Python interpreters: install, list, find, uninstall, pin, upgrade.
    #[command(subcommand)]
    Python(PythonCommand),
    /// pip-compatible commands: compile, install, sync, uninstall, list, freeze, show, check, tree, download, wheel.
    #[command(subcommand)]
    Pip(Box<PipCommand>),
    /// Simple indexes (PEP 503/691) over a directory of wheels.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Lock the project's dependencies into `pylock.toml` (PEP 751).
    Lock(Box<LockArgs>),
    /// Make the project's `.venv` hold what its lock selects.
    Sync(Box<SyncArgs>),
    /// Run a command in the project's environment (locking and syncing first), or a script in the environment its `# /// script` block describes.
    Run(Box<RunArgs>),
    /// Add dependencies to the project's `pyproject.toml`, then lock and sync.
    Add(Box<AddArgs>),
    /// Remove dependencies from the project's `pyproject.toml`, then lock and sync.
    Remove(Box<RemoveArgs>),
    /// Show the project's dependency tree, from its lock, for this interpreter.
    Tree(Box<TreeArgs>),
    /// Write the project's lock, for one selection, as requirements.txt or pylock.toml.
    Export(Box<ExportArgs>),
    /// Run and install command-line tools from Python packages (what pipx and `uv tool` do).
    #[command(subcommand)]
    Tool(Box<ToolCommand>),
    /// Run a command from a Python package: the same as `posy tool run` (and as `posyx`).
    X(Box<ToolRunArgs>),
    /// Upload wheels and sdists to a package index.
    Publish(Box<PublishArgs>),
    /// Print a completion script for a shell (`bash`, `zsh`, `fish`, `powershell`, `elvish`).
    GenerateShellCompletion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum PipCommand {
    /// Resolve requirements into a pinned requirements file.
    Compile(Box<PipCompileArgs>),
    /// Install packages into an environment.
    Install(Box<PipInstallArgs>),
    /// Make an environment hold exactly the pinned packages of a file.
    Sync(Box<PipSyncArgs>),
    /// Remove packages from an environment.
    Uninstall(PipUninstallArgs),
    /// List installed packages.
    List(PipListArgs),
    /// Print installed packages in requirements format.
    Freeze(PipFreezeArgs),
    /// Show information about installed packages.
    Show(PipShowArgs),
    /// Check that installed packages have compatible dependencies.
    Check(PipCheckArgs),
    /// Print the dependency tree of the installed packages.
    Tree(PipTreeArgs),
    /// Download the files requirements need into a directory, for many Pythons and platforms at once.
    Download(Box<PipDownloadArgs>),
    /// Download requirements' wheels into a directory, building the sdists this machine needs.
    Wheel(Box<PipWheelArgs>),
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Write a simple index (PEP 503 HTML, PEP 691 JSON, PEP 658 metadata) over a directory of wheels and sdists.
    Build(IndexBuildArgs),
}

#[derive(Debug, Args)]
pub struct IndexBuildArgs {
    /// The directory of wheels and sdists (a wheelhouse).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the index (default: `DIR/simple`); use it as `--index-url file:///…/simple`.
    #[arg(long, short = 'o', value_name = "OUT")]
    pub out: Option<PathBuf>,
}

/// What `pip download` and `pip wheel` share: what to fetch, for which
/// Pythons and platforms.
#[derive(Debug, Args)]
pub struct WheelhouseArgs {
    /// Packages (PEP 508 requirements), requirements files, or a `pylock.toml` whose files to fetch.
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Fetch what these requirements files (or `pylock.toml` locks) ask for.
    #[arg(
        long = "requirements",
        alias = "requirement",
        short = 'r',
        value_name = "FILE"
    )]
    pub requirement: Vec<PathBuf>,
    /// A Python version to fetch for (e.g. `3.12`); repeat for more (default: the interpreter's).
    #[arg(long, value_name = "VERSION")]
    pub python_version: Vec<String>,
    /// A platform to fetch for, as uv names it (`x86_64-manylinux_2_28`, `aarch64-apple-darwin`, `x86_64-pc-windows-msvc`) or as pip's tag (`manylinux_2_28_x86_64`, `win_amd64`); repeat for more (default: this machine).
    #[arg(long, alias = "platform", value_name = "PLATFORM")]
    pub python_platform: Vec<String>,
    /// The Python implementation to fetch for: `cp` (CPython), the only one posy describes.
    #[arg(long, value_name = "IMPL")]
    pub implementation: Option<String>,
    /// Accept only wheels with these ABIs (and `abi3`, `none`); repeat for more.
    #[arg(long, value_name = "ABI")]
    pub abi: Vec<String>,
    /// Fetch only the packages named, not their dependencies.
    #[arg(long)]
    pub no_deps: bool,
    /// Include pre-releases (`--prerelease allow`).
    #[arg(long)]
    pub pre: bool,
    /// Fetch every file of a universal resolution (every platform and Python from the target's up), not one set per target.
    #[arg(long, conflicts_with = "python_platform")]
    pub universal: bool,
    /// Also write a simple index (PEP 503/691, with PEP 658 metadata) over the directory here.
    #[arg(long, value_name = "DIR")]
    pub index_out: Option<PathBuf>,
    /// The interpreter for this machine's target and for builds (default: the active or nearest one).
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipDownloadArgs {
    /// The directory to fill (created when missing).
    #[arg(long, short = 'd', value_name = "DIR", default_value = ".")]
    pub dest: PathBuf,
    #[command(flatten)]
    pub wheelhouse: WheelhouseArgs,
}

#[derive(Debug, Args)]
pub struct PipWheelArgs {
    /// The directory to fill with wheels (created when missing).
    #[arg(long, short = 'w', value_name = "DIR", default_value = ".")]
    pub wheel_dir: PathBuf,
    #[command(flatten)]
    pub wheelhouse: WheelhouseArgs,
}

#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Run a command from a Python package, in a cached environment (also `posy x`, `posyx`).
    Run(Box<ToolRunArgs>),
    /// Install a package's executables into the tools' bin directory, in an environment of their own.
    Install(Box<ToolInstallArgs>),
    /// List the installed tools and their executables.
    List(ToolListArgs),
    /// Upgrade installed tools, keeping the requirements, constraints and Python they were installed with.
    Upgrade(Box<ToolUpgradeArgs>),
    /// Uninstall tools: their environments and executables.
    Uninstall(ToolUninstallArgs),
    /// Put the tools' bin directory on PATH in the shell's start-up files.
    UpdateShell,
    /// Print the tools directory (with `--bin`, the executables' directory).
    Dir {
        /// Print the directory the executables are linked into.
        #[arg(long)]
        bin: bool,
    },
}

/// What `posy tool run` runs.
#[derive(Debug, Args)]
pub struct ToolRunArgs {
    /// The package the command comes from, when it is not the command's
    /// name (`--from 'black<25' black`, `--from httpie http`); `@latest` works here too.
    #[arg(long, value_name = "PACKAGE")]
    pub from: Option<String>,
    /// Also install these packages into the command's environment.
    #[arg(long, short = 'w', value_name = "PACKAGE")]
    pub with: Vec<String>,
    /// The interpreter (a path or a version request).
    #[arg(
        long,
        short = 'p',
        env = "POSY_PYTHON",
        help_heading = "Python options"
    )]
    pub python: Option<String>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    /// The command (a package's name, `NAME==VERSION`, `NAME@VERSION` or `NAME@latest`) and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ToolInstallArgs {
    /// The package to install (`black`, `black==24.1`).
    pub package: String,
    /// Install the package from this requirement instead (`--from 'black<25' black`).
    #[arg(long, value_name = "PACKAGE")]
    pub from: Option<String>,
    /// Also install these packages into the tool's environment.
    #[arg(long, short = 'w', value_name = "PACKAGE")]
    pub with: Vec<String>,
    /// The interpreter for the tool's environment (a path or a version request).
    #[arg(
        long,
        short = 'p',
        env = "POSY_PYTHON",
        help_heading = "Python options"
    )]
    pub python: Option<String>,
    /// Replace executables in the bin directory that are not this tool's, and install again even when installed.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
}

#[derive(Debug, Args)]
pub struct ToolListArgs {
    /// Show the path of each tool's environment and executable.
    #[arg(long)]
    pub show_paths: bool,
    /// Show the version specifiers each tool was installed with.
    #[arg(long)]
    pub show_version_specifiers: bool,
}

#[derive(Debug, Args)]
pub struct ToolUpgradeArgs {
    /// The tools to upgrade.
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "NAME"
    )]
    pub names: Vec<String>,
    /// Upgrade every installed tool.
    #[arg(long)]
    pub all: bool,
    /// Recreate the environment with this interpreter (a path or a version request).
    #[arg(long, short = 'p', help_heading = "Python options")]
    pub python: Option<String>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub resolver: ResolverArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
}

#[derive(Debug, Args)]
pub struct ToolUninstallArgs {
    /// The tools to uninstall.
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "NAME"
    )]
    pub names: Vec<String>,
    /// Uninstall every tool.
    #[arg(long)]
    pub all: bool,
}

/// Which index(es) to use, as uv and pip name the flags.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Index options")]
pub struct IndexArgs {
    /// More indexes to use, searched before `--extra-index-url`s (`URL` or `NAME=URL`).
    #[arg(long, env = "POSY_INDEX", value_delimiter = ' ', value_name = "INDEX")]
    pub index: Vec<String>,
    /// The default index (default: the public index); the same as `--index-url`.
    #[arg(
        long,
        env = "POSY_DEFAULT_INDEX",
        value_name = "DEFAULT_INDEX",
        conflicts_with = "index_url"
    )]
    pub default_index: Option<String>,
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
    /// Give one package its own cutoff in place of `--exclude-newer` (`PACKAGE=DATE`, or `PACKAGE=false` for none); repeat for more.
    #[arg(long, value_name = "PACKAGE=DATE")]
    pub exclude_newer_package: Vec<String>,
    /// Ignore cached index pages and fetch them again.
    #[arg(long)]
    pub refresh: bool,
    /// Fetch this package's index page again, ignoring the cached one.
    #[arg(long, value_name = "PACKAGE")]
    pub refresh_package: Vec<String>,
}

/// Which environment a pip command acts on.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Python options")]
pub struct EnvArgs {
    /// The environment: an interpreter (a path, or a version request) or a
    /// virtual environment's directory. Default: the active or nearest `.venv`.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// Act on the system interpreter's environment rather than a virtual environment.
    #[arg(long, env = "POSY_SYSTEM_PYTHON")]
    pub system: bool,
}

/// Whether an `EXTERNALLY-MANAGED` interpreter (PEP 668) may be changed.
#[derive(Debug, Args, Clone, Default)]
pub struct SystemPackagesArgs {
    /// Change an interpreter's environment even though its distribution marks it `EXTERNALLY-MANAGED` (PEP 668).
    #[arg(
        long,
        env = "POSY_BREAK_SYSTEM_PACKAGES",
        overrides_with = "no_break_system_packages"
    )]
    pub break_system_packages: bool,
    /// Refuse to change an `EXTERNALLY-MANAGED` environment (the default).
    #[arg(long, overrides_with = "break_system_packages")]
    pub no_break_system_packages: bool,
}

/// Where installed files live, when not in the environment itself.
#[derive(Debug, Args, Clone, Default)]
pub struct PlacementArgs {
    /// A directory for `PYTHONPATH` (`pip install --target`) instead of the environment.
    #[arg(long, short = 't', value_name = "DIR", conflicts_with = "prefix")]
    pub target: Option<PathBuf>,
    /// A prefix (`DIR/lib/pythonX.Y/site-packages`, `DIR/bin`) instead of the environment's.
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
}

/// How sdists and projects are built.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Build options")]
pub struct BuildArgs {
    /// Settings passed to build backends' hooks (PEP 517 `config_settings`), `KEY=VALUE`; repeat for more.
    #[arg(
        long = "config-setting",
        alias = "config-settings",
        short = 'C',
        value_name = "KEY=VALUE"
    )]
    pub config_settings: Vec<String>,
    /// Settings for one package's build backend, `PACKAGE:KEY=VALUE`, passed before the `-C` ones; repeat for more.
    #[arg(long, value_name = "PACKAGE:KEY=VALUE")]
    pub config_settings_package: Vec<String>,
    /// Build sdists and projects with the target environment's interpreter
    /// and what is installed there, instead of an isolated build environment.
    #[arg(long, env = "POSY_NO_BUILD_ISOLATION")]
    pub no_build_isolation: bool,
    /// Build this package as `--no-build-isolation` builds everything (its build requirements must be installed already); repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub no_build_isolation_package: Vec<String>,
    /// Constraints files for the packages installed into build environments.
    #[arg(
        long,
        short = 'b',
        env = "POSY_BUILD_CONSTRAINT",
        value_delimiter = ' ',
        value_name = "FILE"
    )]
    pub build_constraints: Vec<PathBuf>,
    /// Never build from source: use wheels only.
    #[arg(long)]
    pub no_build: bool,
    /// Use only wheels for these packages (`:all:` for every package).
    #[arg(long, value_delimiter = ',', value_name = "PACKAGE")]
    pub only_binary: Vec<String>,
    /// Never use wheels for these packages (`:all:` for every package).
    #[arg(long, value_delimiter = ',', value_name = "PACKAGE")]
    pub no_binary: Vec<String>,
    /// A package index (simple API URL) shared as a build cache: wheels built from sdists are looked up there before building.
    #[arg(long, env = "POSY_BUILD_CACHE", value_name = "INDEX_URL")]
    pub build_cache: Option<String>,
    /// Upload wheels built here to this upload endpoint of the build cache (credentials as `posy publish` takes them).
    #[arg(long, env = "POSY_BUILD_CACHE_UPLOAD", value_name = "UPLOAD_URL")]
    pub build_cache_upload: Option<String>,
}

/// `[tool.posy.sources]` (posy's `tool.uv.sources`) of a `pyproject.toml` input.
#[derive(Debug, Args, Clone, Default)]
pub struct SourcesArgs {
    /// Ignore `[tool.posy.sources]`: take a `pyproject.toml`'s dependencies
    /// as `[project]` writes them. (posy never reads `tool.uv.sources`.)
    #[arg(long)]
    pub no_sources: bool,
    /// Ignore `[tool.posy.sources]` for this package.
    #[arg(long, value_name = "PACKAGE")]
    pub no_sources_package: Vec<String>,
}

/// How to choose versions.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Resolver options")]
pub struct ResolverArgs {
    /// Constraints files: restrict versions without adding packages.
    #[arg(
        long = "constraints",
        alias = "constraint",
        short = 'c',
        env = "POSY_CONSTRAINT",
        value_delimiter = ' ',
        value_name = "FILE"
    )]
    pub constraint: Vec<PathBuf>,
    /// Override files: replace every dependency on the packages they name.
    #[arg(
        long = "overrides",
        alias = "override",
        env = "POSY_OVERRIDE",
        value_delimiter = ' ',
        value_name = "FILE"
    )]
    pub r#override: Vec<PathBuf>,
    /// Files naming packages to leave out of the resolution: every dependency on them is dropped.
    #[arg(long, env = "POSY_EXCLUDE", value_delimiter = ' ', value_name = "FILE")]
    pub excludes: Vec<PathBuf>,
    // `None` when not given, so a project's recorded choice is kept unless
    // a flag names one (the default included).
    /// `highest` (default), `lowest` or `lowest-direct`.
    #[arg(long, value_name = "STRATEGY", env = "POSY_RESOLUTION")]
    pub resolution: Option<String>,
    /// `disallow`, `allow`, `if-necessary`, `explicit` or `if-necessary-or-explicit` (default).
    #[arg(long, value_name = "POLICY", env = "POSY_PRERELEASE")]
    pub prerelease: Option<String>,
    /// A pre-release policy for one package in place of `--prerelease` (`PACKAGE=POLICY`); repeat for more.
    #[arg(long, value_name = "PACKAGE=POLICY")]
    pub prerelease_package: Vec<String>,
    /// Allow upgrades of every package, ignoring existing pins.
    #[arg(long, short = 'U')]
    pub upgrade: bool,
    /// Allow upgrades of this package.
    #[arg(long, short = 'P', value_name = "PACKAGE")]
    pub upgrade_package: Vec<String>,
    /// Allow upgrades of the packages of this dependency group (PEP 735) of a `pyproject.toml` given.
    #[arg(long, value_name = "GROUP")]
    pub upgrade_group: Vec<String>,
    #[command(flatten)]
    pub sources: SourcesArgs,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// How to install.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Installer options")]
pub struct InstallerArgs {
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    /// Say what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Change nothing, and fail (exit 1) if the environment does not already match.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Require a hash for every requirement, and check it.
    #[arg(long, env = "POSY_REQUIRE_HASHES")]
    pub require_hashes: bool,
    /// Ignore the `--hash` values of requirements files (a file's `--require-hashes` still requires them).
    #[arg(long, env = "POSY_NO_VERIFY_HASHES", conflicts_with = "require_hashes")]
    pub no_verify_hashes: bool,
    /// `text` (default), or `json`: one JSON document on stdout listing what was installed and uninstalled (uv's).
    #[arg(long, value_name = "OUTPUT_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub output_format: String,
    /// Check the environment afterwards, as `posy pip check` does, and fail if a package's requirements are not met.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub system_packages: SystemPackagesArgs,
    #[command(flatten)]
    pub placement: PlacementArgs,
}

#[derive(Debug, Args)]
pub struct PipCompileArgs {
    /// Requirements files (`requirements.in`, `pyproject.toml`); `-` reads stdin.
    #[arg(required = true, value_name = "SRC_FILE")]
    pub src_file: Vec<PathBuf>,
    /// Write the result here instead of stdout (its pins are kept unless upgraded).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
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
    /// Write only the packages the inputs name, not their dependencies (pinned as a full resolution pins them).
    #[arg(long)]
    pub no_deps: bool,
    /// The output format: `requirements.txt` (default) or `pylock.toml`
    /// (PEP 751; chosen by default when the output file is named `pylock.toml`).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Resolve and print the result, but write no output file.
    #[arg(long)]
    pub dry_run: bool,
    /// What goes to stdout: `text` (default; the requirements file or lock,
    /// unless it is written to `--output-file`), or `json`: one JSON document
    /// of the pins (name, version, marker, via, hashes) for scripts.
    #[arg(long, value_name = "OUTPUT_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub output_format: String,
    /// Resolve for this Python version (e.g. `3.11`) instead of an interpreter's.
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Resolve for this platform (e.g. `x86_64-manylinux_2_28`, `aarch64-apple-darwin`, `windows`).
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
    /// The interpreter (or virtual environment directory) to resolve for.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// Resolve for the system interpreter on `PATH`, ignoring an active or nearby virtual environment.
    #[arg(long, env = "POSY_SYSTEM_PYTHON", conflicts_with = "python")]
    pub system: bool,
    /// One resolution for every platform and Python version, with markers.
    #[arg(long)]
    pub universal: bool,
    /// With --universal: resolve only for environments where this marker holds (repeatable; uv's `environments`), e.g. `sys_platform == 'linux'`.
    #[arg(long = "environment", value_name = "MARKER", requires = "universal")]
    pub environments: Vec<String>,
    /// With --universal: every package must have a wheel or an sdist for this environment (repeatable; uv's `required-environments`), e.g. `sys_platform == 'linux' and platform_machine == 'aarch64'`.
    #[arg(
        long = "required-environment",
        value_name = "MARKER",
        requires = "universal"
    )]
    pub required_environments: Vec<String>,
    /// With --universal: `requires-python` (default) picks the newest version each Python supports; `fewest` picks as few versions as it can.
    #[arg(
        long,
        value_name = "STRATEGY",
        env = "POSY_FORK_STRATEGY",
        requires = "universal"
    )]
    pub fork_strategy: Option<posy_resolve::ForkStrategy>,
    /// Keep environment markers: each pin gets the marker under which the requirements reach it (universal output always has them).
    #[arg(long)]
    pub no_strip_markers: bool,
    /// Write the extras each package was asked with (`name[extra]==1.0`); by default they are left out.
    #[arg(long)]
    pub no_strip_extras: bool,
    /// Add `--hash` lines for every pinned artifact.
    #[arg(long)]
    pub generate_hashes: bool,
    /// Leave out the `# via` comments.
    #[arg(long)]
    pub no_annotate: bool,
    /// `split` (default: `# via` on lines of their own) or `line` (`  # via a, b` after the pin).
    #[arg(long, value_name = "STYLE", default_value = "split", value_parser = ["split", "line"])]
    pub annotation_style: String,
    /// Leave out the header comment.
    #[arg(long)]
    pub no_header: bool,
    /// The command to name in the header instead of this one (e.g. `make requirements.txt`).
    #[arg(long, env = "POSY_CUSTOM_COMPILE_COMMAND", value_name = "COMMAND")]
    pub custom_compile_command: Option<String>,
    /// Leave this package out of the output (it is still resolved); repeat for more.
    #[arg(long, alias = "unsafe-package", value_name = "PACKAGE")]
    pub no_emit_package: Vec<String>,
    /// Write the index URL into the output.
    #[arg(long)]
    pub emit_index_url: bool,
    /// Write the `--find-links` locations into the output.
    #[arg(long)]
    pub emit_find_links: bool,
    /// Write `--no-binary` and `--only-binary` lines into the output.
    #[arg(long)]
    pub emit_build_options: bool,
    /// Add a `# from URL` comment naming the index each package came from.
    #[arg(long)]
    pub emit_index_annotation: bool,
    /// For build environments: how files get into them (clone, hardlink, copy or symlink).
    #[arg(long, value_name = "MODE", env = "POSY_LINK_MODE")]
    pub link_mode: Option<String>,
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
    #[arg(
        long = "requirements",
        alias = "requirement",
        short = 'r',
        value_name = "FILE"
    )]
    pub requirement: Vec<PathBuf>,
    /// Install these local projects in editable mode.
    #[arg(long, short = 'e', value_name = "PATH")]
    pub editable: Vec<String>,
    /// Install every editable requirement (`-e`, here or in files) as a regular, non-editable install.
    #[arg(long)]
    pub no_editable: bool,
    /// Install this package's editable requirement as a regular one; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub no_editable_package: Vec<String>,
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
    /// Also remove what is installed but not asked for (or needed by what is), as `pip sync` does.
    #[arg(long)]
    pub exact: bool,
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
    pub src_file: Vec<PathBuf>,
    /// Extras of a multi-use `pylock.toml` to install.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Install every extra of a multi-use `pylock.toml`.
    #[arg(long)]
    pub all_extras: bool,
    /// Dependency groups of a multi-use `pylock.toml` to install (default: its `default-groups`).
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Let files that pin nothing empty the environment (refused otherwise).
    #[arg(long, overrides_with = "no_allow_empty_requirements")]
    pub allow_empty_requirements: bool,
    /// Refuse files that pin nothing (the default).
    #[arg(long, overrides_with = "allow_empty_requirements")]
    pub no_allow_empty_requirements: bool,
    /// Constraints files: every pin must satisfy them.
    #[arg(
        long = "constraints",
        alias = "constraint",
        short = 'c',
        env = "POSY_CONSTRAINT",
        value_delimiter = ' ',
        value_name = "FILE"
    )]
    pub constraint: Vec<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub installer: InstallerArgs,
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub sources: SourcesArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipUninstallArgs {
    /// Packages to remove.
    #[arg(value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Remove the packages named in these files.
    #[arg(
        long = "requirements",
        alias = "requirement",
        short = 'r',
        value_name = "FILE"
    )]
    pub requirement: Vec<PathBuf>,
    /// Do not ask for confirmation: posy never asks (accepted for pip's command lines).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Say what would be removed, and remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub system_packages: SystemPackagesArgs,
    #[command(flatten)]
    pub placement: PlacementArgs,
}

/// Which installed packages a listing shows.
#[derive(Debug, Args, Clone, Default)]
pub struct ListingArgs {
    /// Leave this package out; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub exclude: Vec<String>,
    /// Leave out packages installed in editable mode.
    #[arg(long)]
    pub exclude_editable: bool,
    /// Also check the environment, as `posy pip check` does, and warn about what is wrong.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct PipListArgs {
    /// `columns` (default), `freeze` or `json`.
    #[arg(long, default_value = "columns", value_name = "FORMAT", value_parser = ["columns", "freeze", "json"])]
    pub format: String,
    /// Only packages with a newer version on the index.
    #[arg(long)]
    pub outdated: bool,
    /// Only packages installed in editable mode.
    #[arg(long, short = 'e', conflicts_with = "exclude_editable")]
    pub editable: bool,
    #[command(flatten)]
    pub listing: ListingArgs,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub placement: PlacementArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct PipFreezeArgs {
    /// List what is installed in this directory (a `site-packages`), not the environment's; repeat for more.
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
    #[command(flatten)]
    pub listing: ListingArgs,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub placement: PlacementArgs,
}

#[derive(Debug, Args)]
pub struct PipShowArgs {
    /// Packages to show.
    #[arg(required = true, value_name = "PACKAGE")]
    pub packages: Vec<String>,
    /// Also list the installed files.
    #[arg(long, short = 'f')]
    pub files: bool,
    /// `text` (default; pip's layout) or `json`: a list of objects with the same fields.
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = ["text", "json"])]
    pub format: String,
    /// Also check the environment, as `posy pip check` does, and warn about what is wrong.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub placement: PlacementArgs,
}

#[derive(Debug, Args)]
pub struct PipCheckArgs {
    /// Check the requirements' markers for this Python version instead of the interpreter's.
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Check the requirements' markers for this platform instead of the interpreter's.
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Debug, Args)]
pub struct PipTreeArgs {
    /// Show at most this many levels of dependencies below each root.
    #[arg(long, short = 'd', value_name = "DEPTH", default_value_t = 255)]
    pub depth: u8,
    /// Leave this package (and what only it brings in) out of the tree; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub prune: Vec<String>,
    /// Show only the trees of these packages; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub package: Vec<String>,
    /// Show what depends on each package instead of what it depends on.
    #[arg(long)]
    pub invert: bool,
    /// Show a package's dependencies again each time it appears (default: once, then `(*)`).
    #[arg(long)]
    pub no_dedupe: bool,
    /// Show the version specifier each dependency was asked with.
    #[arg(long)]
    pub show_version_specifiers: bool,
    /// Show the size each package takes on disk (from its RECORD).
    #[arg(long)]
    pub show_sizes: bool,
    /// Show the newest version on the index next to packages that have one.
    #[arg(long)]
    pub outdated: bool,
    /// `text` (default) or `json`.
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = ["text", "json"])]
    pub format: String,
    /// Also check the environment, as `posy pip check` does, and warn about what is wrong.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

/// `posy init`: flags as uv names them.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project's directory (created when missing; default: the working directory).
    pub path: Option<PathBuf>,
    /// The project's name (default: the directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// An application: a `main.py`, not built (the default).
    #[arg(long, conflicts_with = "lib")]
    pub app: bool,
    /// A library: `src/<name>/` with `py.typed`, built by hatchling.
    #[arg(long)]
    pub lib: bool,
    /// Build the project as a package: `src/<name>/`, a console script for an application, hatchling.
    #[arg(long)]
    pub package: bool,
    /// Write the `pyproject.toml` only.
    #[arg(long)]
    pub bare: bool,
    /// The Python to start with (`requires-python = ">=X.Y"`): a version, or an interpreter to ask.
    #[arg(long, short = 'p', env = "POSY_PYTHON")]
    pub python: Option<String>,
    /// Do not write a `README.md`.
    #[arg(long)]
    pub no_readme: bool,
    /// Do not write a `.python-version`.
    #[arg(long)]
    pub no_pin_python: bool,
    /// Start a repository: `git`, or `none` (default: git when installed and not already in a repository).
    #[arg(long, value_enum)]
    pub vcs: Option<VcsChoice>,
    /// Give this Python file a `# /// script` block (PEP 723) instead of making a project; created when missing.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["path", "name", "app", "lib", "package", "bare", "no_readme", "no_pin_python", "vcs"]
    )]
    pub script: Option<PathBuf>,
}

/// `posy init --vcs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VcsChoice {
    Git,
    None,
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
    /// Remove the virtual environment already at the path first.
    #[arg(long, short = 'c', conflicts_with = "allow_existing")]
    pub clear: bool,
    /// Let `--clear` empty a directory that is not a virtual environment.
    #[arg(long, requires = "clear")]
    pub force: bool,
    /// Do not look for a project. `posy venv` never reads a project's
    /// settings, so this is always the case.
    #[arg(long, env = "POSY_NO_PROJECT")]
    pub no_project: bool,
    /// Write into an existing directory, keeping what is there.
    #[arg(long)]
    pub allow_existing: bool,
    /// How `--seed` puts pip's files in place: clone (default), hardlink, copy or symlink.
    #[arg(long, value_name = "MODE", env = "POSY_LINK_MODE")]
    pub link_mode: Option<String>,
    /// Where `--seed` gets pip from.
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Subcommand)]
pub enum PythonCommand {
    /// Download and install interpreters (python-build-standalone builds, PyPy), in parallel.
    Install {
        /// What to install: `3.12`, `3.12.7`, `cpython@3.13`, `3.13t`, `>=3.11`, `pypy@3.10`.
        /// Default: the `.python-version` pin, else the newest Python.
        targets: Vec<String>,
        /// Install again even when installed.
        #[arg(long, short = 'r')]
        reinstall: bool,
        /// Download from this mirror instead of python-build-standalone's
        /// releases (`https://…`, `file://…` or a directory of archives; as
        /// `POSY_PYTHON_INSTALL_MIRROR`).
        #[arg(long, value_name = "MIRROR")]
        mirror: Option<String>,
        /// Download PyPy from this mirror instead of downloads.python.org
        /// (as `POSY_PYPY_INSTALL_MIRROR`).
        #[arg(long, value_name = "MIRROR")]
        pypy_mirror: Option<String>,
    },
    /// List installed interpreters and the ones posy can download.
    List {
        /// Only these (`3.12`, `cpython`, `>=3.10`).
        request: Option<String>,
        /// Only installed interpreters.
        #[arg(long)]
        only_installed: bool,
        /// Every patch release, not only the newest of each minor version.
        #[arg(long)]
        all_versions: bool,
    },
    /// Print the path of the interpreter a request finds (default: the
    /// `.python-version` pin, else any Python 3).
    Find { request: Option<String> },
    /// Remove managed interpreters.
    Uninstall {
        /// What to remove: `3.12`, `3.12.7`, `cpython@3.13`.
        targets: Vec<String>,
        /// Remove every managed interpreter.
        #[arg(long, conflicts_with = "targets")]
        all: bool,
    },
    /// Write `.python-version` (or print the current pin).
    Pin {
        /// The version to pin: `3.12`, `3.12.7`, `cpython@3.13`.
        request: Option<String>,
    },
    /// Install the newest patch release of installed minor versions (or of the given ones).
    Upgrade {
        /// Minor versions to upgrade: `3.12`.
        targets: Vec<String>,
    },
    /// Print the directory managed interpreters are installed in.
    Dir,
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
        /// The bound to prune to, e.g. `2GiB`, `500M`, `0`. Default: `POSY_CACHE_MAX_SIZE`, else
        /// `cache-max-size` in posy.toml, else 10 GiB or a quarter of the disk, whichever is less.
        #[arg(long, value_name = "SIZE")]
        max_size: Option<String>,
    },
}

/// What the project commands share: where the lock comes from and how it is made.
#[derive(Debug, Args, Clone, Default)]
pub struct ProjectArgs {
    /// Fail if the lock is missing or does not match `pyproject.toml` (never write it).
    #[arg(long, env = "POSY_LOCKED", conflicts_with = "frozen")]
    pub locked: bool,
    /// Use the lock as it is, without checking it against `pyproject.toml`.
    #[arg(long, env = "POSY_FROZEN")]
    pub frozen: bool,
    /// The interpreter for the project's environment (a path or a version request).
    #[arg(
        long,
        short = 'p',
        env = "POSY_PYTHON",
        help_heading = "Python options"
    )]
    pub python: Option<String>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub resolver: ResolverArgs,
}

/// Which part of the lock to install.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Selection options")]
pub struct SelectionArgs {
    /// Act on this workspace member instead of the root project.
    #[arg(long, value_name = "PACKAGE")]
    pub package: Option<String>,
    /// Act on every member of the workspace.
    #[arg(long, conflicts_with = "package")]
    pub all_packages: bool,
    /// Include this extra of the project; repeat for more.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Include every extra.
    #[arg(long, conflicts_with = "extra")]
    pub all_extras: bool,
    #[command(flatten)]
    pub groups: GroupArgs,
}

/// Which dependency groups of the lock to take.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Selection options")]
pub struct GroupArgs {
    /// Leave out the `dev` dependency group.
    #[arg(long)]
    pub no_dev: bool,
    /// Only the `dev` dependency group, not the project.
    #[arg(long, conflicts_with = "no_dev")]
    pub only_dev: bool,
    /// Include this dependency group (PEP 735); repeat for more.
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Only this dependency group, not the project or the default groups; repeat for more.
    #[arg(long, value_name = "GROUP")]
    pub only_group: Vec<String>,
    /// Include every dependency group.
    #[arg(long)]
    pub all_groups: bool,
    /// Leave out the default groups (`dev`, or `tool.posy.default-groups`).
    #[arg(long)]
    pub no_default_groups: bool,
}

/// How files are installed (every command that changes an environment).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Installer options")]
pub struct ProjectInstallArgs {
    /// How files get into the environment: clone (default, falls back to hardlink, then copy), hardlink, copy or symlink.
    #[arg(long, value_name = "MODE", env = "POSY_LINK_MODE")]
    pub link_mode: Option<String>,
    /// Reinstall every package even if it is already installed.
    #[arg(long, alias = "force-reinstall")]
    pub reinstall: bool,
    /// Reinstall this package even if it is already installed.
    #[arg(long, value_name = "PACKAGE")]
    pub reinstall_package: Vec<String>,
    /// Byte-compile installed Python files.
    #[arg(long, env = "POSY_COMPILE_BYTECODE")]
    pub compile_bytecode: bool,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Check that the lock matches `pyproject.toml`, without writing it (exit 1 if not).
    #[arg(long, alias = "check-exists")]
    pub check: bool,
    /// Resolve and say what would be written, without writing it.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Lock this script's `# /// script` block into `pylock.<name>.toml` beside it (PEP 723, PEP 751).
    #[arg(long, value_name = "SCRIPT")]
    pub script: Option<PathBuf>,
    /// Move the interpreter build the lock names to the newest one the
    /// downloads table has for the project's Python.
    #[arg(long, conflicts_with = "check")]
    pub upgrade_python: bool,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep packages the lock's selection does not hold (default: remove them).
    #[arg(long)]
    pub inexact: bool,
    /// Say what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Wheels and sdists to upload, or directories holding them (default: `dist/`).
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// The upload endpoint (default: the public index's, https://upload.pypi.org/legacy/).
    #[arg(
        long,
        env = "POSY_PUBLISH_URL",
        value_name = "URL",
        conflicts_with = "index"
    )]
    pub publish_url: Option<String>,
    /// Upload to the index of this name in `[[tool.posy.index]]` of `pyproject.toml` (its `publish-url`).
    #[arg(long, value_name = "NAME")]
    pub index: Option<String>,
    /// A token, sent as user `__token__`.
    #[arg(long, short = 't', env = "POSY_PUBLISH_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The user name for the upload.
    #[arg(long, short = 'u', env = "POSY_PUBLISH_USERNAME")]
    pub username: Option<String>,
    /// The password for the upload.
    #[arg(
        long,
        short = 'p',
        env = "POSY_PUBLISH_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Skip files this index (simple API URL) already has with the same content, so a retried upload is harmless.
    #[arg(long, env = "POSY_PUBLISH_CHECK_URL", value_name = "CHECK_URL")]
    pub check_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `requirements.txt` (default) or `pylock.toml` (default when `-o` names a `pylock.toml`).
    #[arg(long, value_name = "FORMAT", value_parser = ["requirements.txt", "pylock.toml"])]
    pub format: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "OUTPUT_FILE")]
    pub output_file: Option<PathBuf>,
    /// Leave out the `--hash` lines.
    #[arg(long)]
    pub no_hashes: bool,
    /// Leave out the `# via` lines.
    #[arg(long)]
    pub no_annotate: bool,
    /// Leave out the `# This file was autogenerated…` header.
    #[arg(long)]
    pub no_header: bool,
    /// Leave out the project itself (or the `--package` member), keeping its dependencies.
    #[arg(long)]
    pub no_emit_project: bool,
    /// Leave out every workspace member, keeping their dependencies.
    #[arg(long)]
    pub no_emit_workspace: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// Show at most this many levels of dependencies below each root.
    #[arg(long, short = 'd', value_name = "DEPTH", default_value_t = 255)]
    pub depth: u8,
    /// Show only the trees of these packages; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub package: Vec<String>,
    /// Leave this package (and what only it brings in) out of the tree; repeat for more.
    #[arg(long, value_name = "PACKAGE")]
    pub prune: Vec<String>,
    /// Show what depends on each package instead of what it depends on.
    #[arg(long)]
    pub invert: bool,
    /// Show a package's dependencies again each time it appears (default: once, then `(*)`).
    #[arg(long)]
    pub no_dedupe: bool,
    /// Show the newest version on the index beside each package that has a newer one.
    #[arg(long)]
    pub outdated: bool,
    #[command(flatten)]
    pub groups: GroupArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Which list of `pyproject.toml` an `add` or `remove` edits.
#[derive(Debug, Args, Clone, Default)]
pub struct PlaceArgs {
    /// The `dev` dependency group (PEP 735).
    #[arg(long, conflicts_with_all = ["group", "optional"])]
    pub dev: bool,
    /// This dependency group (PEP 735).
    #[arg(long, value_name = "GROUP", conflicts_with = "optional")]
    pub group: Option<String>,
    /// This extra (`project.optional-dependencies`).
    #[arg(long, value_name = "EXTRA")]
    pub optional: Option<String>,
    /// Edit this workspace member instead of the project in the working directory.
    #[arg(long, value_name = "PACKAGE")]
    pub package: Option<String>,
    /// Edit `pyproject.toml` and the lock, but do not sync the environment.
    #[arg(long)]
    pub no_sync: bool,
    /// Edit this Python file's `# /// script` block (PEP 723) instead: no `pyproject.toml`, lock or sync.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["dev", "group", "optional", "package", "no_sync"]
    )]
    pub script: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Requirements to add (`requests`, `'rich>=13'`, `name @ URL`), or a
    /// project directory, wheel or sdist (`./lib`, `../x-1.0-py3-none-any.whl`)
    /// or the URL of a wheel or sdist: these are written as sources.
    #[arg(required = true, value_name = "PACKAGES")]
    pub packages: Vec<String>,
    /// Add a local project directory as editable (`{ path = …, editable = true }`).
    #[arg(long, short = 'e')]
    pub editable: bool,
    /// Write a direct reference (`name @ URL`) into the dependency list
    /// instead of a `[tool.posy.sources]` entry.
    #[arg(long, alias = "raw-sources")]
    pub raw: bool,
    /// The git tag of a `git+` URL.
    #[arg(long, value_name = "TAG", conflicts_with_all = ["branch", "rev"])]
    pub tag: Option<String>,
    /// The git branch of a `git+` URL.
    #[arg(long, value_name = "BRANCH", conflicts_with = "rev")]
    pub branch: Option<String>,
    /// The git commit (or any revision) of a `git+` URL.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    #[command(flatten)]
    pub place: PlaceArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Names of the packages to remove.
    #[arg(required = true, value_name = "PACKAGES")]
    pub packages: Vec<String>,
    #[command(flatten)]
    pub place: PlaceArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run without locking or syncing first.
    #[arg(long)]
    pub no_sync: bool,
    /// Remove packages the selection does not hold before running (default: keep them).
    #[arg(long)]
    pub exact: bool,
    /// Run with this package too, for this run only (a requirement; repeat for more).
    #[arg(long, value_name = "WITH")]
    pub with: Vec<String>,
    /// Do not look for a project: a script without a block runs with the interpreter alone.
    #[arg(long)]
    pub no_project: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub install: ProjectInstallArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The command and its arguments (`python -m pytest`, a console script, `script.py`, `-` for a script on stdin, or a script's URL).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

impl ProjectInstallArgs {
    /// The flags as the engine's options (the rest at their defaults).
    pub fn options(&self) -> posy_ops::ApplyOptions {
        posy_ops::ApplyOptions {
            link_mode: self.link_mode.clone(),
            reinstall: self.reinstall,
            reinstall_package: self.reinstall_package.clone(),
            compile_bytecode: self.compile_bytecode,
            ..posy_ops::ApplyOptions::default()
        }
    }
}

impl IndexArgs {
    /// The flags as the engine's settings; `--offline` is global.
    pub fn settings(&self, global: &GlobalArgs) -> posy_ops::IndexSettings {
        posy_ops::IndexSettings {
            index_url: self.default_index.clone().or(self.index_url.clone()),
            extra_index_url: self
                .index
                .iter()
                .map(|i| index_location(i).to_string())
                .chain(self.extra_index_url.iter().cloned())
                .collect(),
            find_links: self.find_links.clone(),
            no_index: self.no_index,
            index_strategy: self.index_strategy.clone(),
            exclude_newer: self.exclude_newer.clone(),
            exclude_newer_package: self.exclude_newer_package.clone(),
            offline: global.offline,
            refresh: self.refresh,
            refresh_package: self.refresh_package.clone(),
            named_indexes: Vec::new(),
            index_pins: Vec::new(),
        }
    }
}

/// The URL of an `--index` value: `URL`, or uv's `NAME=URL`.
fn index_location(value: &str) -> &str {
    match value.split_once('=') {
        Some((name, url)) if !name.contains([':', '/']) => url,
        _ => value,
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

impl PlacementArgs {
    /// Where files are, as the engine names it.
    pub fn placement(&self) -> posy_ops::Placement {
        match (&self.target, &self.prefix) {
            (Some(dir), _) => posy_ops::Placement::Target(dir.clone()),
            (None, Some(dir)) => posy_ops::Placement::Prefix(dir.clone()),
            (None, None) => posy_ops::Placement::Environment,
        }
    }
}

impl BuildArgs {
    /// The flags as the engine's resolver options, for commands that only
    /// build (`sync`) and do not choose versions.
    pub fn options(&self) -> posy_ops::ResolverOptions {
        posy_ops::ResolverOptions {
            no_build: self.no_build,
            only_binary: self.only_binary.clone(),
            no_binary: self.no_binary.clone(),
            config_settings: self.config_settings.clone(),
            config_settings_package: self.config_settings_package.clone(),
            no_build_isolation: self.no_build_isolation,
            no_build_isolation_package: self.no_build_isolation_package.clone(),
            build_constraints: self.build_constraints.clone(),
            build_cache: self
                .build_cache
                .clone()
                .or_else(|| crate::settings::config_string("build-cache")),
            build_cache_upload: self
                .build_cache_upload
                .clone()
                .or_else(|| crate::settings::config_string("build-cache-upload")),
            ..Default::default()
        }
    }
}

impl ResolverArgs {
    /// The flags as the engine's resolver options; `excludes` are the
    /// package names of the `--excludes` files.
    pub fn options(&self, excludes: Vec<String>) -> posy_ops::ResolverOptions {
        posy_ops::ResolverOptions {
            resolution: self.resolution.clone().unwrap_or_else(|| "highest".into()),
            prerelease: self
                .prerelease
                .clone()
                .unwrap_or_else(|| "if-necessary-or-explicit".into()),
            prerelease_package: self.prerelease_package.clone(),
            upgrade: self.upgrade,
            upgrade_package: self.upgrade_package.clone(),
            excludes,
            ..self.build.options()
        }
    }
}

impl InstallerArgs {
    /// The flags as the engine's apply options.
    pub fn options(&self) -> posy_ops::ApplyOptions {
        posy_ops::ApplyOptions {
            dry_run: self.dry_run,
            require_hashes: self.require_hashes,
            no_verify_hashes: self.no_verify_hashes,
            check: self.check,
            ..self.install.options()
        }
    }
}
