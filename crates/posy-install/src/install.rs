//! Linking an unpacked wheel into an environment, per the wheel specification.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use posy_vocab::{ArtifactHash, EntryPoints, HashAlgorithm};
use sha2::{Digest, Sha256};

use crate::error::{InstallError, IoContext};
use crate::installed::{InstalledDist, installed_distributions};
use crate::link::{LinkMode, Linker, write_atomic};
use crate::owners::Owners;
use crate::record::{RecordEntry, write_record};
use crate::scheme::InstallScheme;
use crate::scripts::{launcher, rewrite_python_shebang};
use crate::transaction::failpoint;
use crate::uninstall::{normalize, remove_bytecode, uninstall_except};
use crate::unpack::UnpackedWheel;

/// Installs unpacked wheels into one environment. Shared by all the wheels
/// of a run (it is `Sync`), so a link-mode fallback happens once.
#[derive(Debug)]
pub struct Installer {
    scheme: InstallScheme,
    linker: Linker,
    installer: String,
    owners: Owners,
}

/// Per-wheel choices.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// Write `REQUESTED`: the user asked for this distribution directly.
    pub requested: bool,
    /// PEP 610 `direct_url.json` content, for URL and path installs.
    pub direct_url: Option<String>,
    /// The installed distributions of the same name that this one replaces,
    /// when the caller already knows them; `None` makes the installer look.
    pub replaces: Option<Vec<InstalledDist>>,
}

impl Installer {
    /// `installer` is written to each `INSTALLER` file (`posy`).
    pub fn new(scheme: InstallScheme, link_mode: LinkMode, installer: &str) -> Self {
        Self {
            owners: Owners::new(vec![scheme.purelib.clone(), scheme.platlib.clone()]),
            scheme,
            linker: Linker::new(link_mode),
            installer: installer.to_string(),
        }
    }

    pub fn scheme(&self) -> &InstallScheme {
        &self.scheme
    }

    /// Installs `wheel`, replacing any installed distribution of the same
    /// name once the new files are in place. Overwriting a file that another
    /// distribution installed is allowed, with a warning (see `owners.rs`).
    pub fn install(
        &self,
        wheel: &UnpackedWheel,
        options: &InstallOptions,
    ) -> Result<InstalledDist, InstallError> {
        let built = InstalledDist::from_dist_info(&wheel.dir.join(&wheel.dist_info))?;
        let scheme = &self.scheme;
        let root = if wheel.info.root_is_purelib {
            &scheme.purelib
        } else {
            &scheme.platlib
        };
        let previous: Vec<InstalledDist> = match &options.replaces {
            Some(replaces) => replaces.clone(),
            None => installed_distributions(&[&scheme.purelib, &scheme.platlib])?
                .into_iter()
                .filter(|d| d.name == built.name)
                .collect(),
        };

        let mut source_hashes: HashMap<String, RecordEntry> = wheel
            .record()?
            .into_iter()
            .map(|e| (e.path.clone(), e))
            .collect();
        let dist_info_dir = root.join(&wheel.dist_info);
        let data_dir = wheel.data_dir_name();
        let own_files = [
            "RECORD",
            "INSTALLER",
            "REQUESTED",
            "direct_url.json",
            "RECORD.jws",
            "RECORD.p7s",
        ];
        let mut record = Vec::new();
        let mut made_dirs = HashSet::new();
        // Paths where something was already: the replaced distribution's
        // files, or another distribution's.
        let mut overwritten = Vec::new();

        // Where each part of the wheel goes, and how RECORD names that place
        // (relative to `root`), worked out once per wheel rather than per file.
        let headers = scheme.include.join(built.name.as_str());
        let categories = [
            ("purelib", &scheme.purelib, false),
            ("platlib", &scheme.platlib, false),
            ("scripts", &scheme.scripts, true),
            ("headers", &headers, false),
            ("data", &scheme.data, false),
        ]
        .map(|(name, base, is_script)| {
            let prefix = record_path(base, root);
            let prefix = if prefix.is_empty() {
                prefix
            } else {
                prefix + "/"
            };
            (name, base, prefix, is_script)
        });
        let inside = normalize(&scheme.prefix);
        for (_, base, _, _) in &categories {
            if !normalize(base).starts_with(&inside) {
                return Err(InstallError::UnsafePath {
                    wheel: wheel.dist_info.clone(),
                    member: base.display().to_string(),
                });
            }
        }

        // The names come from `read_dir`, so no part is `.` or `..`: a file
        // lands inside its category's directory, and so inside the prefix.
        for rel in walk_files(&wheel.dir)? {
            let mut parts = rel.splitn(3, '/');
            let first = parts.next().unwrap_or_default();
            let (dest, record_name, is_script) = if first == data_dir {
                let (Some(category), Some(rest)) = (parts.next(), parts.next()) else {
                    return Err(self.invalid(
                        wheel,
                        format!("`{rel}` is directly in {data_dir}, outside any category"),
                    ));
                };
                let Some((_, base, prefix, is_script)) =
                    categories.iter().find(|(name, ..)| *name == category)
                else {
                    return Err(self.invalid(
                        wheel,
                        format!("`{rel}` is in an unknown .data category `{category}`"),
                    ));
                };
                (base.join(rest), format!("{prefix}{rest}"), *is_script)
            } else {
                if first == wheel.dist_info && own_files.contains(&parts.next().unwrap_or_default())
                {
                    continue;
                }
                (root.join(&rel), rel.clone(), false)
            };
            if let Some(parent) = dest.parent()
                && !made_dirs.contains(parent)
            {
                fs::create_dir_all(parent).ctx("create directory", parent)?;
                made_dirs.insert(parent.to_path_buf());
            }
            let src = wheel.dir.join(&rel);
            let (hash, size) = if is_script {
                let content = fs::read(&src).ctx("read", &src)?;
                let content = rewrite_python_shebang(&content, &scheme.python).unwrap_or(content);
                if write_replacing(&dest, &content)? {
                    overwritten.push(dest.clone());
                }
                (Some(sha256(&content)), Some(content.len() as u64))
            } else {
                if self.linker.link(&src, &dest).ctx("install", &dest)? {
                    overwritten.push(dest.clone());
                }
                match source_hashes.get_mut(&rel) {
                    Some(entry) if entry.hash.is_some() => (entry.hash.take(), entry.size),
                    _ => {
                        let content = fs::read(&src).ctx("read", &src)?;
                        (Some(sha256(&content)), Some(content.len() as u64))
                    }
                }
            };
            record.push(RecordEntry {
                path: record_name,
                hash,
                size,
            });
            failpoint("link");
        }

        fs::create_dir_all(&scheme.scripts).ctx("create directory", &scheme.scripts)?;
        let entry_points = dist_info_dir.join("entry_points.txt");
        if entry_points.exists() {
            let text = fs::read_to_string(&entry_points).ctx("read", &entry_points)?;
            let parsed = EntryPoints::parse(&text).map_err(|e| {
                self.invalid(wheel, format!("its entry_points.txt is invalid: {e}"))
            })?;
            for entry in parsed.console_scripts().chain(parsed.gui_scripts()) {
                if entry.name.contains(['/', '\\']) || entry.name.starts_with('.') {
                    return Err(InstallError::UnsafePath {
                        wheel: wheel.dist_info.clone(),
                        member: entry.name.clone(),
                    });
                }
                let text = launcher(entry, &scheme.python)
                    .map_err(|reason| self.invalid(wheel, reason))?;
                let dest = scheme.scripts.join(&entry.name);
                if write_replacing(&dest, text.as_bytes())? {
                    overwritten.push(dest.clone());
                }
                record.push(RecordEntry {
                    path: record_path(&dest, root),
                    hash: Some(sha256(text.as_bytes())),
                    size: Some(text.len() as u64),
                });
            }
        }

        let mut extra = vec![("INSTALLER", format!("{}\n", self.installer))];
        if options.requested {
            extra.push(("REQUESTED", String::new()));
        }
        if let Some(direct_url) = &options.direct_url {
            extra.push(("direct_url.json", direct_url.clone()));
        }
        for (name, content) in extra {
            let dest = dist_info_dir.join(name);
            write_atomic(&dest, content.as_bytes(), false).ctx("write", &dest)?;
            record.push(RecordEntry {
                path: record_path(&dest, root),
                hash: Some(sha256(content.as_bytes())),
                size: Some(content.len() as u64),
            });
        }
        let record_file = dist_info_dir.join("RECORD");
        record.push(RecordEntry {
            path: record_path(&record_file, root),
            hash: None,
            size: None,
        });
        let mut bytes = Vec::new();
        write_record(&mut bytes, &record).ctx("write", &record_file)?;
        failpoint("before-record");
        write_atomic(&record_file, &bytes, false).ctx("write", &record_file)?;
        failpoint("record-written");

        let dist = InstalledDist::from_dist_info(&dist_info_dir)?;
        self.after_overwriting(&dist, root, &overwritten)?;
        // Absolute, normalized paths: needed only to replace an older
        // version, or to keep the owners map (once read) up to date.
        let installed: BTreeSet<PathBuf> = if previous.is_empty() && !self.owners.is_read() {
            BTreeSet::new()
        } else {
            record
                .iter()
                .map(|e| normalize(&root.join(&e.path)))
                .collect()
        };
        self.owners.claim(&dist, installed.iter().cloned());
        // Only now that the new distribution is complete, remove what the old one had and the new one does not.
        for old in &previous {
            uninstall_except(old, &scheme.prefix, &installed)?;
        }
        Ok(dist)
    }

    /// Cleans up after files put where files already were: the bytecode of
    /// a replaced `.py` goes (it was compiled from the old file), and a file
    /// that a distribution of another name lists gets a warning, each time
    /// (a reinstall of either of two conflicting distributions warns again).
    fn after_overwriting(
        &self,
        dist: &InstalledDist,
        root: &Path,
        overwritten: &[PathBuf],
    ) -> Result<(), InstallError> {
        let mut conflicts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for path in overwritten {
            if path.extension().is_some_and(|e| e == "py") {
                remove_bytecode(path)?;
            }
            let path = normalize(path);
            if let Some(owner) = self.owners.other_owner(&path, &dist.name) {
                conflicts
                    .entry(owner.to_string())
                    .or_default()
                    .push(record_path(&path, root));
            }
        }
        for (owner, paths) in conflicts {
            tracing::warn!("{}", conflict_message(dist, &owner, &paths));
        }
        Ok(())
    }

    fn invalid(&self, wheel: &UnpackedWheel, reason: String) -> InstallError {
        InstallError::InvalidWheel {
            wheel: wheel.dist_info.trim_end_matches(".dist-info").to_string(),
            reason,
        }
    }
}

/// Says that `dist` overwrote `paths` (RECORD form), which `owner` installed too.
fn conflict_message(dist: &InstalledDist, owner: &str, paths: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut list = paths
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        list.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    let (what, it) = if paths.len() == 1 {
        ("file", "it")
    } else {
        ("files", "them")
    };
    format!(
        "{dist} overwrote the {what} {list}, which {owner} installed too: the two distributions \
         conflict, and uninstalling either one removes {it}; consider keeping only one of them"
    )
}

/// Writes an executable script through a temporary and a rename; says
/// whether something was at `dest` before.
fn write_replacing(dest: &Path, bytes: &[u8]) -> Result<bool, InstallError> {
    let existed = dest.symlink_metadata().is_ok();
    write_atomic(dest, bytes, true).ctx("write", dest)?;
    Ok(existed)
}

fn sha256(bytes: &[u8]) -> ArtifactHash {
    ArtifactHash::new(HashAlgorithm::Sha256, &Sha256::digest(bytes))
        .expect("sha256 digests are 32 bytes")
}

/// Every file under `dir`, as `/`-separated paths relative to it, sorted.
fn walk_files(dir: &Path) -> Result<Vec<String>, InstallError> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(relative) = stack.pop() {
        let full = dir.join(&relative);
        for entry in fs::read_dir(&full).ctx("read", &full)? {
            let entry = entry.ctx("read", &full)?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = if relative.is_empty() {
                name.into_owned()
            } else {
                format!("{relative}/{name}")
            };
            if entry.file_type().ctx("read", entry.path())?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// `path` relative to `root`, `/`-separated, as RECORD writes it.
fn record_path(path: &Path, root: &Path) -> String {
    let path = normalize(path);
    let root = normalize(root);
    let common = path
        .components()
        .zip(root.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = root.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(path.components().skip(common).filter_map(|c| match c {
        Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
        _ => None,
    }));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_wheel::{TestWheel, scheme, warnings_of};

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn an_upgrade_removes_the_bytecode_of_every_old_py_file() {
        let tmp = tempfile::tempdir().unwrap();
        let scheme = scheme(&tmp.path().join("env"));
        let installer = Installer::new(scheme.clone(), LinkMode::Copy, "posy");
        let v1 = TestWheel::new("a", "1.0")
            .file("a/__init__.py", "V = 1\n")
            .file("a/gone.py", "")
            .unpacked(tmp.path());
        installer.install(&v1, &InstallOptions::default()).unwrap();
        let cache = scheme.purelib.join("a/__pycache__");
        fs::create_dir(&cache).unwrap();
        for pyc in ["__init__.cpython-312.pyc", "gone.cpython-312.opt-1.pyc"] {
            fs::write(cache.join(pyc), "old bytecode").unwrap();
        }

        let v2 = TestWheel::new("a", "2.0")
            .file("a/__init__.py", "V = 2\n")
            .unpacked(tmp.path());
        let (dist, warnings) =
            warnings_of(|| installer.install(&v2, &InstallOptions::default()).unwrap());
        assert_eq!(dist.to_string(), "a==2.0");
        assert_eq!(warnings, Vec::<String>::new());
        assert!(!cache.exists(), "stale bytecode: {:?}", files_in(&cache));
        assert_eq!(files_in(&scheme.purelib.join("a")), ["__init__.py"]);
        assert_eq!(
            fs::read_to_string(scheme.purelib.join("a/__init__.py")).unwrap(),
            "V = 2\n"
        );
        assert_eq!(
            files_in(&scheme.purelib),
            ["a", "a-2.0.dist-info"],
            "only the new version is left"
        );
    }

    #[test]
    fn overwriting_another_distributions_file_warns_naming_both() {
        let tmp = tempfile::tempdir().unwrap();
        let scheme = scheme(&tmp.path().join("env"));
        let first = TestWheel::new("first", "1.0")
            .file("shared.py", "WHO = 'first'\n")
            .file("first.py", "")
            .unpacked(tmp.path());
        let second = TestWheel::new("second", "1.0")
            .file("shared.py", "WHO = 'second'\n")
            .unpacked(tmp.path());
        let installer = Installer::new(scheme.clone(), LinkMode::Hardlink, "posy");
        installer
            .install(&first, &InstallOptions::default())
            .unwrap();
        let cache = scheme.purelib.join("__pycache__");
        fs::create_dir(&cache).unwrap();
        fs::write(cache.join("shared.cpython-312.pyc"), "first's bytecode").unwrap();

        // A new installer, as in a later run: it reads the RECORDs on the first overwrite.
        let installer = Installer::new(scheme.clone(), LinkMode::Hardlink, "posy");
        let (_, warnings) = warnings_of(|| {
            installer
                .install(&second, &InstallOptions::default())
                .unwrap()
        });
        assert_eq!(
            warnings,
            [
                "second==1.0 overwrote the file `shared.py`, which first==1.0 installed too: \
              the two distributions conflict, and uninstalling either one removes it; \
              consider keeping only one of them"
            ]
        );
        assert_eq!(
            fs::read_to_string(scheme.purelib.join("shared.py")).unwrap(),
            "WHO = 'second'\n"
        );
        assert!(files_in(&cache).is_empty(), "{:?}", files_in(&cache));
        assert!(scheme.purelib.join("first-1.0.dist-info/RECORD").exists());

        // The same installer knows what it installed: reinstalling the
        // other one warns the other way round.
        let (_, warnings) = warnings_of(|| {
            installer
                .install(&first, &InstallOptions::default())
                .unwrap()
        });
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("first==1.0 overwrote the file `shared.py`, which second==1.0"),
            "{warnings:?}"
        );
    }

    #[test]
    fn conflicts_name_a_few_files_and_count_the_rest() {
        let dist = InstalledDist {
            name: posy_vocab::PackageName::new("b").unwrap(),
            version: "2.0".parse().unwrap(),
            dist_info: PathBuf::from("site/b-2.0.dist-info"),
        };
        let paths: Vec<String> = (1..=5).map(|i| format!("m/{i}.py")).collect();
        assert_eq!(
            conflict_message(&dist, "a==1.0", &paths),
            "b==2.0 overwrote the files `m/1.py`, `m/2.py`, `m/3.py` and 2 more, which a==1.0 \
             installed too: the two distributions conflict, and uninstalling either one removes \
             them; consider keeping only one of them"
        );
    }

    #[test]
    fn record_paths_are_relative_to_site_packages() {
        let root = Path::new("/env/lib/python3.11/site-packages");
        assert_eq!(record_path(&root.join("pkg/a.py"), root), "pkg/a.py");
        assert_eq!(
            record_path(Path::new("/env/bin/tool"), root),
            "../../../bin/tool"
        );
    }
}
