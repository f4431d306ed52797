//! The distributions installed in an environment, found by their `.dist-info` directories.

use std::fs;
use std::path::{Path, PathBuf};

use posy_vocab::{CoreMetadata, PackageName, Version};

use crate::error::{InstallError, IoContext};
use crate::record::{RecordEntry, read_record};

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledDist {
    pub name: PackageName,
    pub version: Version,
    /// The `.dist-info` directory.
    pub dist_info: PathBuf,
}

impl InstalledDist {
    /// Reads a `.dist-info` directory. The name and version come from the
    /// directory name when it is in the standard form, else from `METADATA`.
    pub fn from_dist_info(dist_info: &Path) -> Result<Self, InstallError> {
        let dir_name = dist_info
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = dir_name.trim_end_matches(".dist-info");
        if let Some((name, version)) = stem.rsplit_once('-')
            && let (Ok(name), Ok(version)) = (PackageName::new(name), version.parse::<Version>())
        {
            return Ok(Self {
                name,
                version,
                dist_info: dist_info.to_path_buf(),
            });
        }
        let metadata = read_metadata(dist_info)?;
        Ok(Self {
            name: metadata.name,
            version: metadata.version,
            dist_info: dist_info.to_path_buf(),
        })
    }

    /// Whether its installation finished: `RECORD` is written last, so a
    /// `.dist-info` without one is what an interrupted install left.
    pub fn is_complete(&self) -> bool {
        self.dist_info.join("RECORD").is_file()
    }

    /// The parsed `METADATA`.
    pub fn metadata(&self) -> Result<CoreMetadata, InstallError> {
        read_metadata(&self.dist_info)
    }

    /// The `RECORD` rows.
    pub fn record(&self) -> Result<Vec<RecordEntry>, InstallError> {
        let path = self.dist_info.join("RECORD");
        let file = fs::File::open(&path).ctx("open", &path)?;
        read_record(file).map_err(|reason| InstallError::InvalidWheel {
            wheel: self.to_string(),
            reason,
        })
    }

    /// The directory the `RECORD` paths are relative to (site-packages).
    pub fn root(&self) -> &Path {
        self.dist_info.parent().unwrap_or(Path::new("."))
    }

    /// The tool that installed it (`INSTALLER`), if recorded.
    pub fn installer(&self) -> Option<String> {
        fs::read_to_string(self.dist_info.join("INSTALLER"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Whether it was asked for directly rather than pulled in (`REQUESTED`).
    pub fn requested(&self) -> bool {
        self.dist_info.join("REQUESTED").exists()
    }

    /// The PEP 610 `direct_url.json`, if it was installed from a URL or path.
    pub fn direct_url(&self) -> Option<String> {
        fs::read_to_string(self.dist_info.join("direct_url.json")).ok()
    }
}

impl std::fmt::Display for InstalledDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}=={}", self.name, self.version)
    }
}

/// `name` normalized as PEP 503 says (for names read from file names,
/// which may be escaped differently).
pub(crate) fn normalized(name: &str) -> String {
    PackageName::new(name).map_or_else(|_| name.to_ascii_lowercase(), |n| n.to_string())
}

fn read_metadata(dist_info: &Path) -> Result<CoreMetadata, InstallError> {
    let path = dist_info.join("METADATA");
    let bytes = fs::read(&path).ctx("read", &path)?;
    CoreMetadata::parse(&bytes).map_err(|e| InstallError::InvalidWheel {
        wheel: dist_info.display().to_string(),
        reason: e.to_string(),
    })
}

/// Every distribution installed in the given site-packages directories
/// (purelib and platlib may be the same directory; it is read once),
/// sorted by name. Directories that do not exist hold nothing. A
/// `.dist-info` that names no distribution (no standard name and no
/// readable `METADATA`: another tool's debris, a disk error) is skipped
/// with a warning, not fatal: see [`broken_distributions`].
pub fn installed_distributions(dirs: &[&Path]) -> Result<Vec<InstalledDist>, InstallError> {
    let mut out = Vec::new();
    for dir in dist_info_dirs(dirs)? {
        match InstalledDist::from_dist_info(&dir) {
            Ok(dist) => out.push(dist),
            Err(error) => tracing::warn!("skipping {}: {error}", dir.display()),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.version.cmp(&b.version)));
    Ok(out)
}

/// The `.dist-info` directories in `dirs` that name no distribution, each
/// with the reason (for `pip check`).
pub fn broken_distributions(dirs: &[&Path]) -> Result<Vec<(PathBuf, String)>, InstallError> {
    Ok(dist_info_dirs(dirs)?
        .into_iter()
        .filter_map(|dir| {
            let error = InstalledDist::from_dist_info(&dir).err()?;
            Some((dir, error.to_string()))
        })
        .collect())
}

/// The `.dist-info` directories in the given site-packages directories,
/// each directory read once. Directories that do not exist hold nothing.
pub(crate) fn dist_info_dirs(dirs: &[&Path]) -> Result<Vec<PathBuf>, InstallError> {
    let mut seen: Vec<&Path> = Vec::new();
    let mut out = Vec::new();
    for dir in dirs {
        if seen.contains(dir) {
            continue;
        }
        seen.push(dir);
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(InstallError::Io {
                    action: "read",
                    path: dir.to_path_buf(),
                    source: e,
                });
            }
        };
        for entry in entries {
            let entry = entry.ctx("read", *dir)?;
            if entry.file_name().to_string_lossy().ends_with(".dist-info") && entry.path().is_dir()
            {
                out.push(entry.path());
            }
        }
    }
    Ok(out)
}
