//! Which installed distributions list a file in their `RECORD`, for noticing
//! when a wheel overwrites a file that another distribution installed.
//!
//! Two distributions sometimes ship the same file (`opencv-python` and
//! `opencv-contrib-python` both ship `cv2/`; a fork and its original share
//! their modules). Installing the second overwrites the first's file. pip
//! does that silently; uv warns and goes on; posy does what uv does: it warns,
//! naming both distributions and the path, and installs. Refusing would make
//! environments that pip and uv build impossible with posy. After the
//! overwrite both `RECORD`s list the file, so removing either distribution
//! removes it, which is what the warning is for.
//!
//! Knowing the owner of a path means reading every installed `RECORD`, which
//! installing into a fresh environment never needs. So the map is built only
//! when a wheel first puts a file where one already is (an upgrade, a
//! reinstall, a conflict), once per [`Installer`](crate::Installer), and each
//! distribution that installer completes afterwards is added to it (one
//! completed earlier is on disk when the map is read).
//!
//! Not detected: two wheels of one run writing the same new path at the same
//! moment, before either has written its `RECORD`. The later writer wins as
//! usual; only the warning is missed, and it needs two distributions that
//! are broken together anyway.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use posy_vocab::PackageName;

use crate::installed::{InstalledDist, dist_info_dirs};
use crate::uninstall::normalize;

/// Installed paths (absolute, normalized) and the distributions listing
/// them, read on first use.
#[derive(Debug)]
pub(crate) struct Owners {
    site_packages: Vec<PathBuf>,
    by_path: Mutex<Option<HashMap<PathBuf, Vec<Arc<InstalledDist>>>>>,
}

impl Owners {
    /// Owners of the files of the distributions in `site_packages` (purelib
    /// and platlib, which may be one directory).
    pub(crate) fn new(site_packages: Vec<PathBuf>) -> Self {
        Self {
            site_packages,
            by_path: Mutex::new(None),
        }
    }

    /// An installed distribution not named `except` whose `RECORD` lists
    /// `path` (absolute, normalized). Reads every `RECORD` on the first call.
    pub(crate) fn other_owner(
        &self,
        path: &Path,
        except: &PackageName,
    ) -> Option<Arc<InstalledDist>> {
        let mut by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        by_path
            .get_or_insert_with(|| self.read_all())
            .get(path)?
            .iter()
            .find(|owner| &owner.name != except)
            .cloned()
    }

    /// Whether the map has been read (and so needs [`Self::claim`]s).
    pub(crate) fn is_read(&self) -> bool {
        self.by_path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Records that `dist` now lists `paths`, replacing what an older
    /// version of it listed there. Nothing to do before the map is read:
    /// reading it will find `dist`'s `RECORD` on disk.
    pub(crate) fn claim(&self, dist: &InstalledDist, paths: impl IntoIterator<Item = PathBuf>) {
        let mut by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(by_path) = by_path.as_mut() else {
            return;
        };
        let dist = Arc::new(dist.clone());
        for path in paths {
            let owners = by_path.entry(path).or_default();
            owners.retain(|owner| owner.name != dist.name);
            owners.push(Arc::clone(&dist));
        }
    }

    /// Every installed distribution's `RECORD`, by path. A distribution
    /// whose `.dist-info` or `RECORD` cannot be read owns nothing here: the
    /// map only feeds a warning, and the install must not fail for it.
    fn read_all(&self) -> HashMap<PathBuf, Vec<Arc<InstalledDist>>> {
        let dirs: Vec<&Path> = self.site_packages.iter().map(PathBuf::as_path).collect();
        let mut by_path: HashMap<PathBuf, Vec<Arc<InstalledDist>>> = HashMap::new();
        let dist_infos = dist_info_dirs(&dirs).unwrap_or_else(|e| {
            tracing::debug!("not checking which distribution owns overwritten files: {e}");
            Vec::new()
        });
        for dist_info in dist_infos {
            let read = InstalledDist::from_dist_info(&dist_info)
                .and_then(|dist| dist.record().map(|record| (dist, record)));
            let (dist, record) = match read {
                Ok(read) => read,
                Err(e) => {
                    tracing::debug!("ignoring {} for file ownership: {e}", dist_info.display());
                    continue;
                }
            };
            let root = dist.root().to_path_buf();
            let dist = Arc::new(dist);
            for entry in record {
                by_path
                    .entry(normalize(&root.join(&entry.path)))
                    .or_default()
                    .push(Arc::clone(&dist));
            }
        }
        by_path
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn install_record(site: &Path, dist_info: &str, paths: &[&str]) {
        let dir = site.join(dist_info);
        fs::create_dir_all(&dir).unwrap();
        let rows: String = paths.iter().map(|p| format!("{p},,\n")).collect();
        fs::write(dir.join("RECORD"), rows).unwrap();
    }

    #[test]
    fn finds_other_owners_and_follows_claims() {
        let site = tempfile::tempdir().unwrap();
        let site = site.path();
        install_record(site, "first-1.0.dist-info", &["shared.py", "first.py"]);
        install_record(site, "second-1.0.dist-info", &["shared.py"]);
        fs::create_dir(site.join("broken.dist-info")).unwrap();
        let owners = Owners::new(vec![site.to_path_buf(), site.to_path_buf()]);
        let second = PackageName::new("second").unwrap();
        let first = PackageName::new("first").unwrap();

        let owner = owners
            .other_owner(&site.join("shared.py"), &second)
            .unwrap();
        assert_eq!(owner.to_string(), "first==1.0");
        assert_eq!(
            owners
                .other_owner(&site.join("shared.py"), &first)
                .unwrap()
                .name,
            second
        );
        assert!(owners.other_owner(&site.join("first.py"), &first).is_none());
        assert!(
            owners
                .other_owner(&site.join("nobody.py"), &first)
                .is_none()
        );

        // A distribution installed after the map was read is seen too, and an
        // upgrade replaces what the older version of it listed.
        let third = InstalledDist::from_dist_info(&site.join("third-2.0.dist-info")).unwrap();
        owners.claim(&third, [site.join("nobody.py")]);
        let owner = owners.other_owner(&site.join("nobody.py"), &first).unwrap();
        assert_eq!(owner.to_string(), "third==2.0");
        let newer = InstalledDist::from_dist_info(&site.join("third-3.0.dist-info")).unwrap();
        owners.claim(&newer, [site.join("nobody.py")]);
        let owner = owners.other_owner(&site.join("nobody.py"), &first).unwrap();
        assert_eq!(owner.to_string(), "third==3.0");
    }
}
