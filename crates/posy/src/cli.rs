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
