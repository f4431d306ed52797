//! Making an environment hold a set of pinned distributions: plan, fetch, unpack, link, remove.
//!
//! Shared by `posy pip sync` (the pins are the file) and `posy pip install`
//! (the pins are the resolution). The steps and their output follow uv:
//! one summary line per phase and a `+`/`-` list at the end.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use posy_build::BuildSource;
use posy_index::{IndexClient, IndexFile};
use posy_install::{
    InstallOptions, InstalledDist, Installer, LinkMode, UnpackedWheel, best_wheel,
    prepare_local_wheel, prepare_wheel, uninstall,
};
use posy_store::Store;
use posy_vocab::{ArtifactHash, DistFilename, PackageName, Tags, Version};

use crate::binary_policy::BinaryPolicy;
use crate::output::{elapsed, plural};
use crate::provider::Builder;

/// A distribution the environment should hold.
#[derive(Debug, Clone)]
pub struct Pin {
    pub name: PackageName,
    pub version: Version,
    /// Acceptable hashes (`--hash`); empty means any.
    pub hashes: Vec<ArtifactHash>,
    /// Asked for directly (writes `REQUESTED`).
    pub requested: bool,
    /// A wheel built locally (from a directory, or editable) rather than
    /// one from the index, with its PEP 610 `direct_url.json`.
    pub built: Option<BuiltPin>,
}

/// A locally built wheel to install for a pin.
#[derive(Debug, Clone)]
pub struct BuiltPin {
    pub wheel: std::path::PathBuf,
    /// The wheel's file name (the store names it by its hash).
    pub filename: String,
    pub direct_url: String,
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

/// Compares the pins with what is installed.
pub fn plan(
    pins: &[Pin],
    installed: &[InstalledDist],
    reinstall: bool,
    remove_extraneous: bool,
) -> Plan {
    let by_name: HashMap<&PackageName, &InstalledDist> =
        installed.iter().map(|d| (&d.name, d)).collect();
    let mut plan = Plan::default();
    for pin in pins {
        match by_name.get(&pin.name) {
            Some(dist) if dist.version == pin.version && !reinstall => plan.satisfied += 1,
            Some(dist) => {
                plan.replaced.push((*dist).clone());
                plan.install.push(pin.clone());
            }
            None => plan.install.push(pin.clone()),
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
    /// Byte-compile the installed packages afterwards (`--compile-bytecode`).
    pub compile_bytecode: bool,
}

/// Carries out a plan and prints what changed.
pub async fn execute(plan: Plan, apply: Apply<'_>) -> Result<()> {
    if plan.install.is_empty() && plan.extraneous.is_empty() {
        eprintln!(
            "Audited {} package{} in 0ms",
            plan.satisfied,
            plural(plan.satisfied)
        );
        return Ok(());
    }
    if apply.dry_run {
        eprintln!(
            "Would install {} package{}",
            plan.install.len(),
            plural(plan.install.len())
        );
        print_changes(
            &plan,
            &plan
                .install
                .iter()
                .map(|p| (p.name.clone(), p.version.clone()))
                .collect::<Vec<_>>(),
        );
        return Ok(());
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
    let installed = link_all(&apply.installer, &plan.install, &plan.replaced, &unpacked)?;
    if !installed.is_empty() {
        eprintln!(
            "Installed {} package{} in {}",
            installed.len(),
            plural(installed.len()),
            elapsed(start)
        );
    }
    print_changes(&plan, &installed);
    if apply.compile_bytecode {
        let scheme = apply.installer.scheme();
        compile_bytecode(&scheme.python, &scheme.purelib, &scheme.platlib)?;
    }
    Ok(())
}

/// Each pin's wheel, unpacked in the store: its project page, then its
/// download and unpacking, one chain per pin, many chains at once, so
/// downloads start as soon as their page is in. Chains finish in any
/// order (a large wheel does not hold back the ones behind it); the
/// result is in the order of `pins`.
async fn prepare(apply: &Apply<'_>, pins: &[Pin]) -> Result<Vec<UnpackedWheel>> {
    let progress = crate::output::progress_bar(pins.len() as u64, "Preparing");
    let progress = &progress;
    let prepared: Result<Vec<(usize, UnpackedWheel)>> = stream::iter(pins.iter().enumerate())
        .map(|(index, pin)| async move {
            progress.set_message(pin.name.to_string());
            let wheel = async {
                let wheel: UnpackedWheel = match &pin.built {
                    Some(built) => {
                        prepare_local_wheel(
                            apply.store,
                            built.wheel.clone(),
                            built.filename.clone(),
                        )
                        .await?
                    }
                    None => match select_file(apply, pin).await? {
                        Chosen::Wheel(file) => {
                            prepare_wheel(apply.client, apply.store, *file).await?
                        }
                        Chosen::Built(path, filename) => {
                            prepare_local_wheel(apply.store, path, filename).await?
                        }
                    },
                };
                anyhow::Ok(wheel)
            }
            .await;
            progress.inc(1);
            wheel
                .map(|wheel| (index, wheel))
                .with_context(|| format!("failed to prepare {}=={}", pin.name, pin.version))
        })
        .buffer_unordered(32)
        .try_collect()
        .await;
    progress.finish_and_clear();
    let mut prepared = prepared?;
    prepared.sort_unstable_by_key(|(index, _)| *index);
    Ok(prepared.into_iter().map(|(_, wheel)| wheel).collect())
}

/// What to install for an index pin.
enum Chosen {
    Wheel(Box<IndexFile>),
    /// A wheel built from the version's sdist, and its file name.
    Built(std::path::PathBuf, String),
}

/// The wheel to install for a pin: the best compatible one, else one built from its sdist.
async fn select_file(apply: &Apply<'_>, pin: &Pin) -> Result<Chosen> {
    let project = apply
        .client
        .project_version(&pin.name, &pin.version)
        .await?;
    let wheel = best_wheel(&project.files, &pin.name, &pin.version, apply.tags)
        .filter(|_| apply.policy.allows_wheel(&pin.name));
    if let Some(file) = wheel {
        check_hashes(pin, file, apply.require_hashes)?;
        return Ok(Chosen::Wheel(Box::new(file.clone())));
    }
    let sdist = project.files.iter().find(
        |f| matches!(&f.dist, Some(DistFilename::Sdist(sdist)) if *sdist.version() == pin.version),
    );
    let sdist = sdist.filter(|_| apply.policy.allows_sdist(&pin.name));
    let (Some(sdist), Some(builder)) = (sdist, apply.builder) else {
        let has_version = project
            .files
            .iter()
            .any(|f| f.dist.as_ref().is_some_and(|d| *d.version() == pin.version));
        if has_version {
            bail!(
                "{}=={} has no wheel compatible with this interpreter and no source distribution to build",
                pin.name,
                pin.version
            );
        }
        bail!(
            "{}=={} is not available from the configured indexes",
            pin.name,
            pin.version
        );
    };
    check_hashes(pin, sdist, apply.require_hashes)?;
    let artifact = apply.client.download(sdist).await?;
    let source = BuildSource::Sdist {
        path: artifact.path,
        sha256: Some(artifact.sha256),
    };
    let built = builder.build(&source).await.with_context(|| {
        format!(
            "failed to build {}=={} from {}",
            pin.name, pin.version, sdist.filename
        )
    })?;
    Ok(Chosen::Built(built.path, built.filename.to_string()))
}

fn check_hashes(pin: &Pin, file: &IndexFile, require_hashes: bool) -> Result<()> {
    if pin.hashes.is_empty() {
        if require_hashes {
            bail!(
                "{}=={} has no --hash, but hashes are required (--require-hashes)",
                pin.name,
                pin.version
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
    if !known.iter().any(|h| pin.hashes.contains(h)) {
        bail!(
            "{}=={}: the hash of {} ({}) is not among the requirement's --hash values; the file changed or the hashes are wrong",
            pin.name,
            pin.version,
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
    unpacked: &[UnpackedWheel],
) -> Result<Vec<(PackageName, Version)>> {
    let work: Mutex<Vec<(&Pin, &UnpackedWheel)>> = Mutex::new(pins.iter().zip(unpacked).collect());
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
                            direct_url: pin.built.as_ref().map(|b| b.direct_url.clone()),
                            replaces: Some(replaces),
                        };
                        installer.install(wheel, &options).with_context(|| {
                            format!("failed to install {}=={}", pin.name, pin.version)
                        })?;
                        done.lock()
                            .map_err(|_| anyhow!("an install thread failed"))?
                            .push((pin.name.clone(), pin.version.clone()));
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

/// ` - old` / ` + new` lines, sorted by name, as uv prints them.
fn print_changes(plan: &Plan, installed: &[(PackageName, Version)]) {
    let mut lines: BTreeMap<(PackageName, u8), String> = BTreeMap::new();
    for dist in plan.replaced.iter().chain(&plan.extraneous) {
        lines.insert(
            (dist.name.clone(), 0),
            format!(" - {}=={}", dist.name, dist.version),
        );
    }
    for (name, version) in installed {
        lines.insert((name.clone(), 1), format!(" + {name}=={version}"));
    }
    for line in lines.values() {
        eprintln!("{line}");
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
