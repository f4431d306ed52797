//! Making an environment hold a set of pinned distributions: plan, fetch, unpack, link, remove.
//!
//! Shared by `posy pip sync` (the pins are the file) and `posy pip install`
//! (the pins are the resolution). The steps and their output follow uv:
//! one summary line per phase and a `+`/`-` list at the end.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use posy_build::BuildSource;
use posy_git::{GitSource, GitUrl};
use posy_index::{IndexClient, IndexFile};
use posy_install::{
    InstallOptions, InstalledDist, Installer, Journal, JournalInstall, LinkMode, Transaction,
    UnpackedWheel, prepare_local_wheel, prepare_wheel, uninstall,
};
use posy_resolve::DistFile;
use posy_store::Store;
use posy_vocab::{ArtifactHash, DistFilename, PackageName, Tags, Version};

use crate::binary_policy::BinaryPolicy;
use crate::changes::{Action, Changes};
use crate::output::{elapsed, plural};
use crate::provider::Builder;

/// A distribution the environment should hold.
#[derive(Debug, Clone)]
pub struct Pin {
    pub name: PackageName,
    /// Absent for a directory whose version is known once it is built.
    pub version: Option<Version>,
    /// Asked for directly (writes `REQUESTED`).
    pub requested: bool,
    /// Where its wheel comes from.
    pub source: PinSource,
}

impl Pin {
    /// `name==version`, or the name alone when the version is not known yet.
    pub fn label(&self) -> String {
        match &self.version {
            Some(version) => format!("{}=={version}", self.name),
            None => self.name.to_string(),
        }
    }
}

/// Where a pin's wheel comes from.
#[derive(Debug, Clone)]
pub enum PinSource {
    /// The version's files on the configured indexes (a `name==version`
    /// line), checked against these `--hash` values (empty: any).
    Index { hashes: Vec<ArtifactHash> },
    /// One of these files, as a Blueprint lists them: the best wheel for
    /// the environment, else the sdist built. URLs are absolute (a path in
    /// a lock file is made a `file:` URL when the lock is read).
    Files {
        wheels: Vec<IndexFile>,
        sdist: Option<IndexFile>,
    },
    /// One archive (wheel or sdist) at a URL or path, with its PEP 610
    /// `direct_url.json`.
    Archive { file: IndexFile, direct_url: String },
    /// A project directory, built (editable or not) at install time.
    Directory { path: PathBuf, editable: bool },
    /// A git repository at a commit (`url`'s revision is what was asked
    /// for), checked out in the store and built at install time.
    Git { url: GitUrl, commit: String },
}

/// What to do with the environment.
#[derive(Debug, Default)]
pub struct Plan {
    pub install: Vec<Pin>,
    /// Installed distributions the new ones replace (removed by the installer once they are in).
    pub replaced: Vec<InstalledDist>,
    /// Installed distributions to remove outright (`sync` only).
    pub extraneous: Vec<InstalledDist>,
    pub satisfied: usize,
}

/// Compares the pins with what is installed. A name installed more than
/// once, or whose `.dist-info` was never completed (an interrupted install
/// by another tool), is reinstalled, replacing every copy.
pub fn plan(
    pins: &[Pin],
    installed: &[InstalledDist],
    reinstall: bool,
    remove_extraneous: bool,
) -> Plan {
    let mut by_name: HashMap<&PackageName, Vec<&InstalledDist>> = HashMap::new();
    for dist in installed {
        by_name.entry(&dist.name).or_default().push(dist);
    }
    let mut plan = Plan::default();
    for pin in pins {
        let dists = by_name.get(&pin.name).map_or(&[][..], Vec::as_slice);
        match dists {
            [dist]
                if pin.version.as_ref() == Some(&dist.version)
                    && dist.is_complete()
                    && !reinstall =>
            {
                plan.satisfied += 1;
            }
            _ => {
                plan.replaced.extend(dists.iter().map(|d| (*d).clone()));
                plan.install.push(pin.clone());
            }
        }
    }
    if remove_extraneous {
        let wanted: HashMap<&PackageName, ()> = pins.iter().map(|p| (&p.name, ())).collect();
        plan.extraneous = installed
            .iter()
            .filter(|d| !wanted.contains_key(&d.name))
            .cloned()
            .collect();
    }
    plan
}

/// Settings for [`execute`].
pub struct Apply<'a> {
    pub client: &'a IndexClient,
    pub store: &'a Store,
    pub installer: Installer,
    pub tags: &'a Tags,
    pub require_hashes: bool,
    pub dry_run: bool,
    /// Builds sdist-only versions; without it they are an error.
    pub builder: Option<&'a Builder>,
    /// Which packages may use wheels, and which sdists.
    pub policy: &'a BinaryPolicy,
    /// The environment's Python version, for the files' Requires-Python.
    pub python: &'a Version,
    /// Git repositories and checkouts.
    pub git: &'a Arc<GitSource>,
    /// Byte-compile the installed packages afterwards (`--compile-bytecode`).
    pub compile_bytecode: bool,
    /// When the command started looking at the environment (for "Audited … in").
    pub started: Instant,
}

/// Carries out a plan, prints what changed and returns it. The environment must be
/// locked for the change (see [`crate::Env::lock_for_change`]); the change
/// is a transaction: the journal is written once everything is prepared,
/// before the first file in the environment changes, and removed when the
/// last step is done (`posy_install::Transaction`).
pub async fn execute(plan: Plan, apply: Apply<'_>) -> Result<Changes> {
    if plan.install.is_empty() && plan.extraneous.is_empty() {
        eprintln!(
            "Audited {} package{} in {}",
            plan.satisfied,
            plural(plan.satisfied),
            elapsed(apply.started)
        );
        return Ok(Changes::none(apply.dry_run));
    }
    if apply.dry_run {
        if !plan.extraneous.is_empty() {
            eprintln!(
                "Would uninstall {} package{}",
                plan.extraneous.len(),
                plural(plan.extraneous.len())
            );
        }
        if !plan.install.is_empty() {
            eprintln!(
                "Would install {} package{}",
                plan.install.len(),
                plural(plan.install.len())
            );
        }
        let would = plan
            .install
            .iter()
            .map(|p| {
                let version = p.version.as_ref().map(ToString::to_string);
                (p.name.clone(), version.unwrap_or_default())
            })
            .collect();
        let changes = changes(&plan, would, true);
        print_changes(&changes);
        return Ok(changes);
    }

    let start = Instant::now();
    let unpacked = prepare(&apply, &plan.install).await?;
    if !unpacked.is_empty() {
        eprintln!(
            "Prepared {} package{} in {}",
            unpacked.len(),
            plural(unpacked.len()),
            elapsed(start)
        );
    }

    let journal = Journal::new(
        plan.install
            .iter()
            .zip(&unpacked)
            .map(|(pin, prepared)| JournalInstall {
                wheel: prepared.wheel.dir.clone(),
                dist_info: prepared.wheel.dist_info.clone(),
                requested: pin.requested,
                direct_url: prepared.direct_url.clone(),
            })
            .collect(),
        plan.extraneous
            .iter()
            .map(|d| d.dist_info.clone())
            .collect(),
    );
    let transaction = Transaction::begin(&apply.installer.scheme().prefix, &journal)?;
    let installed = match change(&apply, &plan, &unpacked) {
        Ok(installed) => {
            transaction.commit()?;
            installed
        }
        Err(error) => {
            // The process is alive: finish the change, or where that
            // fails too (a full disk), take out what cannot be finished,
            // rather than leave it to the next run.
            let prefix = &apply.installer.scheme().prefix;
            if let Ok(Some(recovery)) = posy_install::recover(&apply.installer) {
                crate::env::report_recovery(prefix, &recovery);
            }
            return Err(error);
        }
    };
    let changes = changes(&plan, installed, false);
    print_changes(&changes);
    if apply.compile_bytecode {
        let scheme = apply.installer.scheme();
        compile_bytecode(&scheme.python, &scheme.purelib, &scheme.platlib)?;
    }
    Ok(changes)
}

/// The change itself: removals, then installs; what was installed.
fn change(
    apply: &Apply<'_>,
    plan: &Plan,
    unpacked: &[Prepared],
) -> Result<Vec<(PackageName, String)>> {
    if !plan.extraneous.is_empty() {
        let start = Instant::now();
        for dist in &plan.extraneous {
            uninstall(dist, &apply.installer.scheme().prefix)?;
        }
        eprintln!(
            "Uninstalled {} package{} in {}",
            plan.extraneous.len(),
            plural(plan.extraneous.len()),
            elapsed(start)
        );
    }
    let start = Instant::now();
    let installed = link_all(&apply.installer, &plan.install, &plan.replaced, unpacked)?;
    if !installed.is_empty() {
        eprintln!(
            "Installed {} package{} in {}",
            installed.len(),
            plural(installed.len()),
            elapsed(start)
        );
    }
    Ok(installed)
}

/// Each pin's wheel, unpacked in the store: its project page, then its
/// download and unpacking, one chain per pin, many chains at once, so
/// downloads start as soon as their page is in. Chains finish in any
/// order (a large wheel does not hold back the ones behind it); the
/// result is in the order of `pins`.
async fn prepare(apply: &Apply<'_>, pins: &[Pin]) -> Result<Vec<Prepared>> {
    let progress = crate::output::progress_bar(pins.len() as u64, "Preparing");
    let progress = &progress;
    let prepared: Result<Vec<(usize, Prepared)>> = stream::iter(pins.iter().enumerate())
        .map(|(index, pin)| async move {
            progress.set_message(pin.name.to_string());
            let wheel = prepare_pin(apply, pin).await;
            progress.inc(1);
            wheel
                .map(|prepared| (index, prepared))
                .with_context(|| format!("failed to prepare {}", pin.label()))
        })
        .buffer_unordered(32)
        .try_collect()
        .await;
    progress.finish_and_clear();
    let mut prepared = prepared?;
    prepared.sort_unstable_by_key(|(index, _)| *index);
    Ok(prepared.into_iter().map(|(_, prepared)| prepared).collect())
}

/// A wheel unpacked in the store, and the PEP 610 record of where it came from.
pub struct Prepared {
    wheel: UnpackedWheel,
    direct_url: Option<String>,
}

impl Prepared {
    /// The version installed: the pin's, or the built wheel's.
    fn version(&self, pin: &Pin) -> String {
        match &pin.version {
            Some(version) => version.to_string(),
            None => self
                .wheel
                .dist_info
                .trim_end_matches(".dist-info")
                .rsplit_once('-')
                .map_or_else(String::new, |(_, v)| v.to_string()),
        }
    }
}

/// The unpacked wheel of one pin, downloaded or built as its source says.
async fn prepare_pin(apply: &Apply<'_>, pin: &Pin) -> Result<Prepared> {
    let (wheel, direct_url) = match &pin.source {
        PinSource::Index { hashes } => {
            let version = pin
                .version
                .as_ref()
                .ok_or_else(|| anyhow!("{} has no version to look up", pin.name))?;
            let (wheels, sdist) = index_files(apply, pin, version).await?;
            let file = choose(apply, pin, &wheels, sdist.as_ref())?;
            check_hashes(pin, file, hashes, apply.require_hashes)?;
            (prepare_file(apply, pin, file).await?, None)
        }
        PinSource::Files { wheels, sdist } => {
            let file = choose(apply, pin, wheels, sdist.as_ref())?;
            if apply.require_hashes && file.hashes.is_empty() {
                bail!(
                    "{}: the lock gives no hash for {}, but hashes are required (--require-hashes)",
                    pin.label(),
                    file.filename
                );
            }
            (prepare_file(apply, pin, file).await?, None)
        }
        PinSource::Archive { file, direct_url } => (
            prepare_file(apply, pin, file).await?,
            Some(direct_url.clone()),
        ),
        PinSource::Git { url, commit } => {
            let builder = apply
                .builder
                .ok_or_else(|| anyhow!("{url}: building a project needs an interpreter"))?;
            let checkout = {
                let (git, url, commit) = (Arc::clone(apply.git), url.clone(), commit.clone());
                tokio::task::spawn_blocking(move || git.checkout(&url, &commit)).await??
            };
            let built = builder
                .build(&BuildSource::directory(&checkout.project))
                .await
                .with_context(|| format!("failed to build {}", url.at(commit)))?;
            // PEP 610: the repository, the commit, and what was asked for.
            let mut vcs_info = serde_json::json!({"vcs": "git", "commit_id": commit});
            if let Some(revision) = &url.revision {
                vcs_info["requested_revision"] = revision.clone().into();
            }
            let mut direct_url = serde_json::json!({"url": url.repository, "vcs_info": vcs_info});
            if let Some(sub) = &url.subdirectory {
                direct_url["subdirectory"] = sub.clone().into();
            }
            let wheel =
                prepare_local_wheel(apply.store, built.path, built.filename.to_string()).await?;
            (wheel, Some(direct_url.to_string()))
        }
        PinSource::Directory { path, editable } => {
            let builder = apply.builder.ok_or_else(|| {
                anyhow!(
                    "{}: building a project needs an interpreter",
                    path.display()
                )
            })?;
            let source = if *editable {
                BuildSource::editable(path)
            } else {
                BuildSource::directory(path)
            };
            let built = builder
                .build(&source)
                .await
                .with_context(|| format!("failed to build {}", path.display()))?;
            let url = url::Url::from_directory_path(path)
                .map_err(|()| anyhow!("`{}` is not an absolute path", path.display()))?;
            let direct_url = serde_json::json!({
                "url": url.as_str().trim_end_matches('/'),
                "dir_info": if *editable { serde_json::json!({"editable": true}) } else { serde_json::json!({}) },
            });
            let wheel =
                prepare_local_wheel(apply.store, built.path, built.filename.to_string()).await?;
            (wheel, Some(direct_url.to_string()))
        }
    };
    Ok(Prepared { wheel, direct_url })
}

/// The files the indexes list for a pinned version: its wheels and its sdist.
async fn index_files(
    apply: &Apply<'_>,
    pin: &Pin,
    version: &Version,
) -> Result<(Vec<IndexFile>, Option<IndexFile>)> {
    let project = apply.client.project_version(&pin.name, version).await?;
    let mut wheels = Vec::new();
    let mut sdist: Option<IndexFile> = None;
    for file in project.files {
        match &file.dist {
            Some(DistFilename::Wheel(wheel)) if wheel.version() == version => wheels.push(file),
            Some(DistFilename::Sdist(s))
                if s.version() == version
                    && (sdist.is_none() || file.filename.ends_with(".tar.gz")) =>
            {
                sdist = Some(file);
            }
            _ => {}
        }
    }
    if wheels.is_empty() && sdist.is_none() {
        bail!(
            "{} is not available from the configured indexes",
            pin.label(),
        );
    }
    Ok((wheels, sdist))
}

/// The file to install among a version's files, by the resolver's rule
/// ([`posy_resolve::best_file`]) and the binary policy.
fn choose<'f>(
    apply: &Apply<'_>,
    pin: &Pin,
    wheels: &'f [IndexFile],
    sdist: Option<&'f IndexFile>,
) -> Result<&'f IndexFile> {
    let wheels: Vec<&IndexFile> = if apply.policy.allows_wheel(&pin.name) {
        wheels.iter().collect()
    } else {
        Vec::new()
    };
    let sdist = sdist.filter(|_| apply.policy.allows_sdist(&pin.name) && apply.builder.is_some());
    match best_of(&pin.name, wheels, sdist, apply.tags, apply.python) {
        Some(best) => Ok(best),
        None => bail!(
            "{} has no wheel compatible with this interpreter and no source distribution to build",
            pin.label(),
        ),
    }
}

/// The best of a version's files for an interpreter with `tags` and
/// Python `python`, by the resolver's rule ([`posy_resolve::best_file`]):
/// its best wheel, else the sdist; `None` when neither fits.
pub(crate) fn best_of<'f>(
    name: &PackageName,
    wheels: Vec<&'f IndexFile>,
    sdist: Option<&'f IndexFile>,
    tags: &Tags,
    python: &Version,
) -> Option<&'f IndexFile> {
    // Each file as the resolver sees it; a name that does not parse as
    // this package's wheel or sdist is not a candidate.
    let (candidates, files): (Vec<&IndexFile>, Vec<DistFile>) = wheels
        .into_iter()
        .chain(sdist)
        .filter_map(|f| {
            let dist = match &f.dist {
                Some(parsed) => DistFile::from_parsed(f.filename.clone(), parsed.clone(), ""),
                None => DistFile::from_filename(name, &f.filename, "").ok()??,
            };
            Some(match f.requires_python.as_deref() {
                Some(text) => (f, dist.with_requires_python_text(text)),
                None => (f, dist),
            })
        })
        .unzip();
    posy_resolve::best_file(&files, tags, python).map(|best| candidates[best])
}

/// The unpacked wheel of one file: downloaded (hash-checked) and unpacked,
/// or, for an sdist, downloaded and built first.
async fn prepare_file(apply: &Apply<'_>, pin: &Pin, file: &IndexFile) -> Result<UnpackedWheel> {
    let is_wheel = file.filename.ends_with(".whl");
    if is_wheel {
        return Ok(prepare_wheel(apply.client, apply.store, file.clone()).await?);
    }
    let Some(builder) = apply.builder else {
        bail!(
            "{} has only a source distribution here, and building it needs an interpreter",
            pin.label(),
        );
    };
    let artifact = apply.client.download(file).await?;
    let source = BuildSource::Sdist {
        path: artifact.path,
        sha256: Some(artifact.sha256),
    };
    let built = builder
        .build(&source)
        .await
        .with_context(|| format!("failed to build {} from {}", pin.label(), file.filename))?;
    Ok(prepare_local_wheel(apply.store, built.path, built.filename.to_string()).await?)
}

fn check_hashes(
    pin: &Pin,
    file: &IndexFile,
    wanted: &[ArtifactHash],
    require_hashes: bool,
) -> Result<()> {
    if wanted.is_empty() {
        if require_hashes {
            bail!(
                "{} has no --hash, but hashes are required (--require-hashes)",
                pin.label(),
            );
        }
        return Ok(());
    }
    let known = &file.hashes;
    if known.is_empty() {
        bail!(
            "{}: the index gives no hash for {}, so it cannot be checked against the requirement's --hash",
            pin.name,
            file.filename
        );
    }
    if !known.iter().any(|h| wanted.contains(h)) {
        bail!(
            "{}: the hash of {} ({}) is not among the requirement's --hash values; the file changed or the hashes are wrong",
            pin.label(),
            file.filename,
            known[0]
        );
    }
    Ok(())
}

/// Links the wheels into the environment on a few threads.
fn link_all(
    installer: &Installer,
    pins: &[Pin],
    replaced: &[InstalledDist],
    unpacked: &[Prepared],
) -> Result<Vec<(PackageName, String)>> {
    let work: Mutex<Vec<(&Pin, &Prepared)>> = Mutex::new(pins.iter().zip(unpacked).collect());
    let done = Mutex::new(Vec::new());
    // Linking waits on the filesystem more than on the CPU: a few more
    // threads than cores keep the disk busy.
    let threads = std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .clamp(4, 16);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let Some((pin, wheel)) = work
                            .lock()
                            .map_err(|_| anyhow!("an install thread failed"))?
                            .pop()
                        else {
                            return Ok(());
                        };
                        let replaces = replaced
                            .iter()
                            .filter(|d| d.name == pin.name)
                            .cloned()
                            .collect();
                        let options = InstallOptions {
                            requested: pin.requested,
                            direct_url: wheel.direct_url.clone(),
                            replaces: Some(replaces),
                        };
                        installer
                            .install(&wheel.wheel, &options)
                            .with_context(|| format!("failed to install {}", pin.label()))?;
                        done.lock()
                            .map_err(|_| anyhow!("an install thread failed"))?
                            .push((pin.name.clone(), wheel.version(pin)));
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| anyhow!("an install thread panicked"))?
        })
    })?;
    Ok(done.into_inner().unwrap_or_default())
}

/// What the plan removes, with what was (or would be) `installed`.
fn changes(plan: &Plan, installed: Vec<(PackageName, String)>, dry_run: bool) -> Changes {
    Changes {
        uninstalled: plan
            .replaced
            .iter()
            .chain(&plan.extraneous)
            .map(|dist| (dist.name.clone(), dist.version.to_string()))
            .collect(),
        installed,
        dry_run,
    }
}

/// ` - old` / ` + new` lines, sorted by name, as uv prints them: red and
/// green when colour is on (`console`'s setting, which the binary makes).
fn print_changes(changes: &Changes) {
    for (name, action, version) in changes.entries() {
        let line = match action {
            Action::Uninstalled => console::style(format!(" - {name}=={version}")).red(),
            Action::Installed => console::style(format!(" + {name}=={version}")).green(),
        };
        eprintln!("{}", line.for_stderr());
    }
}

/// The link mode from `--link-mode`.
pub fn link_mode(flag: Option<&str>) -> Result<LinkMode> {
    flag.map_or(Ok(LinkMode::default()), |m| {
        m.parse::<LinkMode>().map_err(|e| anyhow!(e))
    })
}

/// Byte-compiles the installed packages (`compileall`, in parallel, with
/// the target interpreter), as `--compile-bytecode` asks.
fn compile_bytecode(
    python: &std::path::Path,
    purelib: &std::path::Path,
    platlib: &std::path::Path,
) -> Result<()> {
    let start = Instant::now();
    let mut dirs = vec![purelib];
    if platlib != purelib {
        dirs.push(platlib);
    }
    let status = std::process::Command::new(python)
        .args(["-m", "compileall", "-q", "-j", "0"])
        .args(&dirs)
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("cannot run {}", python.display()))?;
    if !status.success() {
        bail!(
            "byte-compiling {} failed ({status}); some installed file has a syntax error for this Python",
            dirs[0].display()
        );
    }
    eprintln!("Bytecode compiled in {}", elapsed(start));
    Ok(())
}
