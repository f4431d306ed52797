//! Where posy's settings come from: flags, then environment variables, then
//! config files, then defaults.
//!
//! Config files are TOML, read from two places, the first that sets a key
//! winning: `posy.toml` in the working directory (a project's settings; in
//! `--project DIR` instead when given), then
//! `$XDG_CONFIG_HOME/posy/posy.toml` or `~/.config/posy/posy.toml` (the
//! user's). `--config-file FILE` reads that file only; `--no-config` none. A missing file is fine; a file that is not valid TOML, or a key
//! with a bad value, is an error naming the file. Keys posy does not know are
//! ignored, so a newer posy's config does not break an older one.
//!
//! Keys: `cache-max-size` (a size such as `"5GiB"`, or a number of bytes);
//! `build-cache` and `build-cache-upload` (URLs: the shared build cache's
//! index and upload endpoint, as `--build-cache`/`--build-cache-upload`);
//! and the managed-Python settings, each standing in for its environment
//! variable when that is unset: `python-install-mirror`
//! (`POSY_PYTHON_INSTALL_MIRROR`), `python-downloads-json-url`
//! (`POSY_PYTHON_DOWNLOADS_JSON_URL`), `python-downloads` (`automatic`,
//! `manual` or `never`: `POSY_PYTHON_DOWNLOADS`) and `python-preference`
//! (`managed`, `only-managed`, `system` or `only-system`:
//! `POSY_PYTHON_PREFERENCE`). A flag (`--no-python-downloads`,
//! `--managed-python`) wins over both.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use posy_ops::Session;
use posy_store::{ByteSize, default_max_size};
use serde::Deserialize;

use crate::cli::GlobalArgs;

/// The environment variable that bounds the cache's size.
pub const CACHE_MAX_SIZE_ENV: &str = "POSY_CACHE_MAX_SIZE";
const CONFIG_FILE: &str = "posy.toml";

/// Which config files this run reads, from the global flags ([`prepare`]).
static CONFIG_FILES: OnceLock<Vec<PathBuf>> = OnceLock::new();

/// Applies the global flags that change the process itself, before the
/// command runs: `--directory` (the working directory), `--cert` (the CA
/// bundle, as `SSL_CERT_FILE`), `--managed-python`, `--no-managed-python`
/// and `--no-python-downloads` (as `POSY_PYTHON_PREFERENCE` and
/// `POSY_PYTHON_DOWNLOADS`), the config files, and
/// `--no-cache`, whose temporary cache is returned: the caller keeps it
/// until the command is done, and dropping it removes it.
pub fn prepare(global: &mut GlobalArgs) -> Result<Option<tempfile::TempDir>> {
    if let Some(dir) = &global.directory {
        std::env::set_current_dir(dir)
            .with_context(|| format!("cannot change to --directory {}", dir.display()))?;
    }
    if let Some(cert) = &global.cert {
        if !cert.is_file() {
            bail!("--cert {}: no such file", cert.display());
        }
        let cert = std::path::absolute(cert)?;
        // SAFETY: no other thread has started yet; the TLS verifier reads
        // the variable when the first client is built, later.
        unsafe { std::env::set_var("SSL_CERT_FILE", cert) };
    }
    // Discovery (in the library crates) reads these; set here, before any
    // thread starts, so a flag wins over the variable.
    let preference = if global.managed_python {
        Some("only-managed")
    } else if global.no_managed_python {
        Some("only-system")
    } else {
        None
    };
    if let Some(preference) = preference {
        // SAFETY: no other thread has started yet.
        unsafe { std::env::set_var(posy_python::discovery::PREFERENCE_ENV, preference) };
    }
    if global.no_python_downloads {
        // SAFETY: no other thread has started yet.
        unsafe { std::env::set_var(posy_ops::PYTHON_DOWNLOADS_ENV, "never") };
    }
    let files = if global.no_config {
        Vec::new()
    } else if let Some(file) = &global.config_file {
        if !file.is_file() {
            bail!("--config-file {}: no such file", file.display());
        }
        vec![file.clone()]
    } else {
        let project = global.project.clone().unwrap_or_default();
        default_config_files(&project)
    };
    apply_python_settings(&files)?;
    let _ = CONFIG_FILES.set(files);
    if !global.no_cache {
        return Ok(None);
    }
    let temporary = tempfile::Builder::new()
        .prefix("posy-no-cache-")
        .tempdir()
        .context("cannot create a temporary cache directory for --no-cache")?;
    global.cache_dir = Some(temporary.path().to_path_buf());
    Ok(Some(temporary))
}

/// The managed-Python keys of the config files, and the environment
/// variable each stands in for.
const PYTHON_KEYS: [(&str, &str); 5] = [
    ("python-install-mirror", posy_python::managed::MIRROR_ENV),
    ("pypy-install-mirror", posy_python::managed::PYPY_MIRROR_ENV),
    (
        "python-downloads-json-url",
        posy_python::managed::DOWNLOADS_JSON_ENV,
    ),
    ("python-downloads", posy_ops::PYTHON_DOWNLOADS_ENV),
    ("python-preference", posy_python::discovery::PREFERENCE_ENV),
];

/// Sets each managed-Python variable that neither a flag nor the
/// environment set from the first config file that has its key, checking
/// the value. Runs before any thread starts.
fn apply_python_settings(files: &[PathBuf]) -> Result<()> {
    let unset: Vec<_> = PYTHON_KEYS
        .iter()
        .filter(|(_, env)| std::env::var_os(env).is_none_or(|v| v.is_empty()))
        .collect();
    if unset.is_empty() {
        return Ok(());
    }
    // A file that cannot be read or parsed is skipped here: the command
    // reports it when it reads its own keys (as `config_string` does).
    let configs: Vec<_> = files
        .iter()
        .filter_map(|path| Some((path, read_config(path).ok()??)))
        .collect();
    for (key, env) in unset {
        let Some((path, value)) = configs
            .iter()
            .find_map(|(path, config)| config.python_value(key).map(|v| (path, v)))
        else {
            continue;
        };
        let allowed: &[&str] = match *key {
            "python-downloads" => &["automatic", "manual", "never"],
            "python-preference" => &["managed", "only-managed", "system", "only-system"],
            _ => &[],
        };
        if !allowed.is_empty() && !allowed.contains(&value) {
            bail!(
                "invalid `{key} = \"{value}\"` in {}: expected one of {}",
                display(path),
                allowed.join(", ")
            );
        }
        // SAFETY: called from `prepare`, before any other thread starts.
        unsafe { std::env::set_var(env, value) };
    }
    Ok(())
}

/// The cache root: `--cache-dir`/`POSY_CACHE_DIR`, else `$XDG_CACHE_HOME/posy`,
/// else `~/.cache/posy`. Always absolute: paths inside it (build
/// environments' interpreters) are handed to processes running elsewhere.
pub fn cache_dir(global: &GlobalArgs) -> Result<PathBuf> {
    if let Some(dir) = &global.cache_dir {
        if dir.is_relative() {
            return Ok(std::env::current_dir()
                .context("cannot read the working directory")?
                .join(dir));
        }
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

/// The cache's size bound: the command's `--max-size` flag if given, else
/// `POSY_CACHE_MAX_SIZE`, else `cache-max-size` from a config file, else
/// [`default_max_size`] (10 GiB, at most a quarter of the disk).
pub fn cache_max_size(flag: Option<&str>, cache_dir: &Path) -> Result<ByteSize> {
    if let Some(flag) = flag {
        return flag
            .parse()
            .with_context(|| "invalid --max-size".to_string());
    }
    if let Some(value) = std::env::var_os(CACHE_MAX_SIZE_ENV).filter(|v| !v.is_empty()) {
        let Some(value) = value.to_str() else {
            bail!("invalid {CACHE_MAX_SIZE_ENV}: it is not valid UTF-8");
        };
        return value
            .parse()
            .with_context(|| format!("invalid {CACHE_MAX_SIZE_ENV}"));
    }
    for path in config_files() {
        if let Some(config) = read_config(&path)?
            && let Some(size) = config.cache_max_size
        {
            return size
                .to_byte_size()
                .with_context(|| format!("invalid `cache-max-size` in {}", path.display()));
        }
    }
    Ok(default_max_size(cache_dir))
}

/// Opens the store for a command that uses it. The command should call
/// [`Session::close`] when done, which keeps the cache within its bound.
pub fn session(global: &GlobalArgs) -> Result<Session> {
    let dir = cache_dir(global)?;
    let max_size = cache_max_size(None, &dir)?;
    Session::open(dir, Some(max_size))
}

/// The config files, highest precedence first.
fn config_files() -> Vec<PathBuf> {
    CONFIG_FILES
        .get()
        .cloned()
        .unwrap_or_else(|| default_config_files(Path::new("")))
}

/// The project's `posy.toml` (in `project`, or the working directory),
/// then the user's.
fn default_config_files(project: &Path) -> Vec<PathBuf> {
    let mut files = vec![project.join(CONFIG_FILE)];
    let user_dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        });
    if let Some(dir) = user_dir {
        files.push(dir.join("posy").join(CONFIG_FILE));
    }
    files
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ConfigFile {
    cache_max_size: Option<SizeSetting>,
    build_cache: Option<String>,
    build_cache_upload: Option<String>,
    python_install_mirror: Option<String>,
    python_downloads_json_url: Option<String>,
    python_downloads: Option<String>,
    python_preference: Option<String>,
}

impl ConfigFile {
    /// The value of one of [`PYTHON_KEYS`].
    fn python_value(&self, key: &str) -> Option<&str> {
        match key {
            "python-install-mirror" => self.python_install_mirror.as_deref(),
            "python-downloads-json-url" => self.python_downloads_json_url.as_deref(),
            "python-downloads" => self.python_downloads.as_deref(),
            "python-preference" => self.python_preference.as_deref(),
            _ => None,
        }
    }
}

/// A text setting (`build-cache`, `build-cache-upload`) from the first
/// config file that sets it. An unreadable config file is skipped here:
/// opening the session reads the same files and reports it.
pub fn config_string(key: &str) -> Option<String> {
    config_files().iter().find_map(|path| {
        let config = read_config(path).ok()??;
        match key {
            "build-cache" => config.build_cache,
            "build-cache-upload" => config.build_cache_upload,
            _ => None,
        }
    })
}

/// A size in a config file: `"5GiB"` or `5368709120`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SizeSetting {
    Bytes(u64),
    Text(String),
}

impl SizeSetting {
    fn to_byte_size(&self) -> Result<ByteSize> {
        match self {
            SizeSetting::Bytes(n) => Ok(ByteSize(*n)),
            SizeSetting::Text(s) => Ok(s.parse()?),
        }
    }
}

fn read_config(path: &Path) -> Result<Option<ConfigFile>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read config file {}", display(path)));
        }
    };
    let config = toml::from_str(&text).with_context(|| {
        format!(
            "config file {} is not valid (`cache-max-size` takes a size like \"5GiB\" or a number of bytes; `build-cache`, `build-cache-upload`, `python-install-mirror` and `python-downloads-json-url` take URLs; `python-downloads` and `python-preference` take words)",
            display(path)
        )
    })?;
    Ok(Some(config))
}

fn display(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_accepts_sizes_as_text_or_bytes_and_ignores_other_keys() {
        let config: ConfigFile =
            toml::from_str("cache-max-size = \"2GiB\"\nsomething-else = 1\n").unwrap();
        assert_eq!(
            config.cache_max_size.unwrap().to_byte_size().unwrap(),
            ByteSize(2 << 30)
        );
        let config: ConfigFile = toml::from_str("cache-max-size = 1000").unwrap();
        assert_eq!(
            config.cache_max_size.unwrap().to_byte_size().unwrap(),
            ByteSize(1000)
        );
        let config: ConfigFile = toml::from_str("cache-max-size = \"lots\"").unwrap();
        assert!(config.cache_max_size.unwrap().to_byte_size().is_err());
        assert!(toml::from_str::<ConfigFile>("cache-max-size = -5").is_err());
        assert!(
            toml::from_str::<ConfigFile>("")
                .unwrap()
                .cache_max_size
                .is_none()
        );
    }
}
