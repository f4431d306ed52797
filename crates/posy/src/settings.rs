//! Where posy's settings come from: flags, then environment variables, then defaults.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cli::GlobalArgs;

/// The cache root: `--cache-dir`/`POSY_CACHE_DIR`, else `$XDG_CACHE_HOME/posy`,
/// else `~/.cache/posy`.
pub fn cache_dir(global: &GlobalArgs) -> Result<PathBuf> {
    if let Some(dir) = &global.cache_dir {
        return Ok(dir.clone());
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("posy"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .context("cannot find a cache directory: neither POSY_CACHE_DIR, XDG_CACHE_HOME nor HOME is set; pass --cache-dir")?;
    Ok(PathBuf::from(home).join(".cache").join("posy"))
}
