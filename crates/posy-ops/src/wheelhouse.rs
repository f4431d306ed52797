//! A wheelhouse: a directory holding every file a set of machines needs to
//! install a Brief (or a lock) without reaching an index, filled in one run
//! for a matrix of Pythons × platforms (`posy pip download`, `posy pip wheel`).
//!
//! Each target of the matrix is a Python version on a platform (a marker
//! environment and a tag set, as `--python-version` and `--python-platform`
//! describe one). A target gets a resolution of its own, as one `pip
//! download --platform P --python-version V` run would: the resolutions run
//! side by side, after a first one has filled the store's HTTP cache with
//! the index pages and metadata every other one reads again. From each
//! target's pins, the file that target would install is chosen by the
//! resolver's rule (its best wheel, else the sdist), so every target gets a
//! full set; the union of those files, deduplicated by name, is what goes
//! into the directory. A lock as input skips the resolutions: each target
//! takes the lock's packages whose markers hold for it, and the same choice
//! among their files. `--universal` takes every file a universal Blueprint
//! lists, for machines not named in advance.
//!
//! Files are downloaded into the store (verified against the index's
//! hashes while they stream; an artifact the store holds already is not
//! downloaded again) and copied into the directory through a temporary
//! file renamed into place, so a reader never sees half a wheel and a full
//! disk leaves no partial file behind. A file already in the directory
//! whose sha256 is the one the index gives is kept untouched (its mtime
//! too); one with another sha256 is replaced, and the report says so. A
//! file whose index gives no sha256 cannot be checked and is kept.
//!
//! A target for which some package has no file at all (no compatible
//! wheel, and no sdist or sdists not allowed), or that cannot be resolved,
//! is reported by package and target; the other targets' files are still
//! fetched, and the caller exits non-zero. With `build` (`pip wheel`), the
//! sdists the host needs are built into wheels with the build frontend (and
//! its cache) and only the wheels land in the directory; an sdist another
//! target needs cannot be built here and is reported with its targets.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{StreamExt, stream};
use posy_build::BuildSource;
use posy_index::{IndexClient, IndexFile};
use posy_project::Pylock;
use posy_resolve::{Target, Upgrade};
use posy_vocab::{HashAlgorithm, PackageName, Tags, Version};
use sha2::{Digest, Sha256};

use crate::apply::{Pin, PinSource, best_of};
use crate::binary_policy::BinaryPolicy;
use crate::blueprint::{Blueprint, artifacts};
use crate::brief::{Brief, BriefInputs};
use crate::index::build_client;
use crate::output::progress_bar;
use crate::plan::{LockSelection, lock_pins};
use crate::resolve::{ResolveOptions, resolve_brief, resolve_brief_for};
use crate::session::Session;
use crate::target::{TargetRequest, find_interpreter, resolve_target};

/// What to put in a wheelhouse, for which machines, and where.
#[derive(Debug, Clone, Default)]
pub struct WheelhouseOptions {
    /// How to resolve (index, versions, binary policy); `resolve.target.python`
    /// is the interpreter for the host and for builds.
    pub resolve: ResolveOptions,
    /// `--python-version`, repeatable; none means the interpreter's.
    pub python_versions: Vec<String>,
    /// `--python-platform` / `--platform`, repeatable (uv's names or pip's
    /// tags); none means this machine.
    pub python_platforms: Vec<String>,
    /// `--implementation`: only `cp` (CPython) targets can be described.
    pub implementation: Option<String>,
    /// `--abi`: keep only tags with these ABIs (and `abi3`, `none`), as pip does.
    pub abis: Vec<String>,
    /// Lock files to take the pins from instead of resolving.
    pub locks: Vec<PathBuf>,
    /// The extras and groups of the locks, and `--no-deps`.
    pub selection: LockSelection,
    /// The wheelhouse directory (created when missing).
    pub dest: PathBuf,
    /// `pip wheel`: build the host's sdists into wheels.
    pub build: bool,
}

/// What a run did, for the command to print.
#[derive(Debug, Default)]
pub struct WheelhouseReport {
    /// The targets, as labels (`3.11 on x86_64-manylinux_2_28`).
    pub targets: Vec<String>,
    /// The files the wheelhouse holds for the targets, sorted.
    pub files: Vec<String>,
    /// Files that were there already with the right hash.
    pub kept: usize,
    /// Files copied into the directory this run.
    pub written: usize,
    /// Bytes received from the network for the files.
    pub downloaded_bytes: u64,
    /// The size of all the files together.
    pub total_bytes: u64,
    /// Files that were in the directory with a wrong hash and were replaced.
    pub replaced: Vec<String>,
    /// Wheels built from sdists (`pip wheel`).
    pub built: Vec<String>,
    /// What makes the wheelhouse incomplete, each naming the package and
    /// the target; the command exits non-zero when there is any.
    pub problems: Vec<String>,
    /// Things a person should know.
    pub warnings: Vec<String>,
}

/// One machine of the matrix.
#[derive(Debug, Clone)]
pub struct WheelTarget {
    /// `3.11 on x86_64-manylinux_2_28`, or `this interpreter`.
    pub label: String,
    pub target: Target,
    /// The request it was made from (a resolution for it uses the same).
    request: TargetRequest,
    /// This machine's interpreter: its sdists can be built here.
    host: bool,
}

/// The targets the options name: every `--python-version` on every
/// `--python-platform`.
pub fn wheel_targets(options: &WheelhouseOptions, cache_dir: &Path) -> Result<Vec<WheelTarget>> {
    if let Some(implementation) = &options.implementation
        && !matches!(implementation.as_str(), "cp" | "cpython")
    {
        bail!(
            "--implementation {implementation}: posy describes CPython targets only; use `--implementation cp` or leave it out"
        );
    }
    let versions: Vec<Option<&String>> = if options.python_versions.is_empty() {
        vec![None]
    } else {
        options.python_versions.iter().map(Some).collect()
    };
    let platforms: Vec<Option<&String>> = if options.python_platforms.is_empty() {
        vec![None]
    } else {
        options.python_platforms.iter().map(Some).collect()
    };
    let host_python = find_interpreter(options.resolve.target.python.as_deref(), cache_dir)
        .ok()
        .map(|i| i.python_version());
    let mut targets = Vec::new();
    for platform in &platforms {
        for version in &versions {
            let request = TargetRequest {
                python: options.resolve.target.python.clone(),
                python_version: version.cloned(),
                python_platform: platform.cloned(),
            };
            let mut target = resolve_target(&request, cache_dir).with_context(|| {
                format!(
                    "cannot describe the target Python {} on {}",
                    version.map_or("(the interpreter's)", |v| v.as_str()),
                    platform.map_or("this machine", |p| p.as_str())
                )
            })?;
            if !options.abis.is_empty() {
                target.tags = only_abis(&target.tags, &options.abis);
            }
            let host = platform.is_none()
                && host_python
                    .as_ref()
                    .is_some_and(|v| same_minor(v, &target.python_version));
            let label = match (version, platform) {
                (None, None) => format!("Python {} here", target.python_version),
                (Some(v), None) => format!("Python {v} here"),
                (None, Some(p)) => format!("Python {} on {p}", target.python_version),
                (Some(v), Some(p)) => format!("Python {v} on {p}"),
            };
            targets.push(WheelTarget {
                label,
                target,
                request,
                host,
            });
        }
    }
    Ok(targets)
}

fn same_minor(a: &Version, b: &Version) -> bool {
    a.release().iter().take(2).eq(b.release().iter().take(2))
}

/// `tags` without the ABIs `--abi` leaves out (`abi3` and `none` stay, as in pip).
fn only_abis(tags: &Tags, abis: &[String]) -> Tags {
    Tags::from_ordered(
        tags.iter()
            .filter(|t| {
                matches!(t.abi(), "abi3" | "none") || abis.iter().any(|a| a.as_str() == t.abi())
            })
            .cloned(),
    )
}

/// A file some targets need, with the targets (indexes into the target list).
struct Needed {
    name: PackageName,
    file: IndexFile,
    targets: Vec<usize>,
}

/// The files of the wheelhouse, by file name.
#[derive(Default)]
struct Needs {
    files: BTreeMap<String, Needed>,
}

impl Needs {
    fn add(&mut self, name: &PackageName, file: &IndexFile, target: Option<usize>) {
        let entry = self
            .files
            .entry(file.filename.clone())
            .or_insert_with(|| Needed {
                name: name.clone(),
                file: file.clone(),
                targets: Vec::new(),
            });
        entry.targets.extend(target);
    }

    /// The file each pin gives `target`, or a problem naming the pin and the target.
    fn add_pins(
        &mut self,
        pins: &[Pin],
        index: usize,
        target: &WheelTarget,
        policy: &BinaryPolicy,
        report: &mut WheelhouseReport,
    ) {
        for pin in pins {
            match &pin.source {
                PinSource::Files { wheels, sdist } => {
                    let wheels: Vec<&IndexFile> = if policy.allows_wheel(&pin.name) {
                        wheels.iter().collect()
                    } else {
                        Vec::new()
                    };
                    let sdist_allowed = policy.allows_sdist(&pin.name);
                    let sdist = sdist.as_ref().filter(|_| sdist_allowed);
                    let (tags, python) = (&target.target.tags, &target.target.python_version);
                    match best_of(&pin.name, wheels, sdist, tags, python) {
                        Some(file) => self.add(&pin.name, file, Some(index)),
                        None => report.problems.push(format!(
                            "{} has no file for {}: no compatible wheel, and {}",
                            pin.label(),
                            target.label,
                            if sdist_allowed {
                                "no source distribution"
                            } else {
                                "source distributions are not allowed (--only-binary)"
                            }
                        )),
                    }
                }
                PinSource::Archive { file, .. } => self.add(&pin.name, file, Some(index)),
                PinSource::Directory { path, .. } => report.warnings.push(format!(
                    "{} is the local directory {}, not a file; it is left out of the wheelhouse",
                    pin.name,
                    path.display()
                )),
                PinSource::Git { url, .. } => report.warnings.push(format!(
                    "{} comes from the git repository {}, not a file; it is left out of the wheelhouse",
                    pin.name, url.repository
                )),
                PinSource::Index { .. } => report.problems.push(format!(
                    "{}: no files are listed for it (needed by {})",
                    pin.label(),
                    target.label
                )),
            }
        }
    }
}

/// Fills the wheelhouse `options.dest` for the targets the options name,
/// from the Brief `inputs` describe and the locks `options.locks` lists.
pub fn fill_wheelhouse(
    session: &Session,
    inputs: &BriefInputs,
    options: &WheelhouseOptions,
) -> Result<WheelhouseReport> {
    let targets = wheel_targets(options, session.cache_dir())?;
    let mut report = WheelhouseReport {
        targets: targets.iter().map(|t| t.label.clone()).collect(),
        ..WheelhouseReport::default()
    };
    let brief = Brief::read(inputs)?;
    let policy = options.resolve.resolver.binary_policy(&brief)?;
    let file_index = brief.index.clone();
    let resolve_brief_too = !brief.is_empty() || options.locks.is_empty();
    let mut needs = Needs::default();

    for path in &options.locks {
        let lock = Pylock::read(path)?;
        let blueprint = Blueprint::from_lock(lock);
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(std::env::current_dir, Path::canonicalize)
            .with_context(|| format!("cannot find the directory of {}", path.display()))?;
        for (index, target) in targets.iter().enumerate() {
            let t = &target.target;
            match lock_pins(
                &blueprint,
                &t.markers,
                &t.python_version,
                &options.selection,
                &base,
            ) {
                Ok(pins) => needs.add_pins(&pins, index, target, &policy, &mut report),
                Err(e) => {
                    report
                        .problems
                        .push(format!("{} for {}: {e:#}", path.display(), target.label))
                }
            }
        }
    }

    if resolve_brief_too && options.resolve.universal {
        report.targets = vec![format!(
            "every environment of a universal resolution (Python {} and later)",
            targets
                .first()
                .map_or_else(String::new, |t| t.target.python_version.to_string())
        )];
        let resolved = resolve_brief(session, brief, &options.resolve)?;
        report.warnings.extend(resolved.blueprint.warnings.clone());
        for package in &resolved.blueprint.lock.packages {
            let base = std::env::current_dir()?;
            let files = artifacts(&package.source)
                .map(|artifact| crate::plan::index_file(&package.name, artifact, &base))
                .collect::<Result<Vec<_>>>()?;
            for file in files {
                let is_wheel = file.filename.ends_with(".whl");
                let allowed = if is_wheel {
                    policy.allows_wheel(&package.name)
                } else {
                    policy.allows_sdist(&package.name)
                };
                if allowed {
                    needs.add(&package.name, &file, None);
                }
            }
        }
    } else if resolve_brief_too {
        drop(brief);
        let resolutions = resolve_each(session, inputs, &options.resolve, &targets);
        let selection = LockSelection {
            no_deps: options.selection.no_deps,
            ..LockSelection::default()
        };
        let base = std::env::current_dir()?;
        for (index, (target, resolution)) in targets.iter().zip(resolutions).enumerate() {
            let t = &target.target;
            let pins = resolution.and_then(|blueprint| {
                report.warnings.extend(blueprint.warnings.clone());
                lock_pins(&blueprint, &t.markers, &t.python_version, &selection, &base)
            });
            match pins {
                Ok(pins) => needs.add_pins(&pins, index, target, &policy, &mut report),
                Err(e) => report
                    .problems
                    .push(format!("cannot resolve for {}: {e:#}", target.label)),
            }
        }
    }
    report.warnings.sort();
    report.warnings.dedup();

    std::fs::create_dir_all(&options.dest)
        .with_context(|| format!("cannot create the directory {}", options.dest.display()))?;
    let client = build_client(
        &options.resolve.index,
        &file_index,
        session.store(),
        &Upgrade::None,
    )?;
    let runtime = session.runtime()?;
    let outcome = runtime.block_on(fetch_all(
        session,
        &client,
        options,
        &targets,
        needs,
        &mut report,
    ));
    runtime.shutdown_background();
    outcome?;
    report.downloaded_bytes = client.stats().bytes;
    Ok(report)
}

/// One resolution per target, in the targets' order. The first runs alone
/// and fills the HTTP cache; the others then run side by side and read
/// their pages and metadata from it.
fn resolve_each(
    session: &Session,
    inputs: &BriefInputs,
    options: &ResolveOptions,
    targets: &[WheelTarget],
) -> Vec<Result<Blueprint>> {
    let resolve_one = |target: &WheelTarget| -> Result<Blueprint> {
        let brief = Brief::read(inputs)?;
        let options = ResolveOptions {
            target: target.request.clone(),
            ..options.clone()
        };
        Ok(resolve_brief_for(session, brief, &options, target.target.clone())?.blueprint)
    };
    let Some((first, rest)) = targets.split_first() else {
        return Vec::new();
    };
    let mut results = vec![resolve_one(first)];
    let slots: Vec<Mutex<Option<Result<Blueprint>>>> =
        rest.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(2, 4)
        .min(rest.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = rest.get(i) else { break };
                    let result = resolve_one(target);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results.extend(slots.into_iter().map(|slot| {
        slot.into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| Err(anyhow!("the resolution did not run")))
    }));
    results
}

/// What happened to one file.
enum Fetched {
    /// There already, with the right hash.
    Kept,
    /// Copied in (`Some(message)` when it replaced a wrong file).
    Written(Option<String>),
    /// An sdist the host needed, built into this wheel.
    Built(String),
}

/// Downloads (or builds) every needed file into the directory, in parallel.
async fn fetch_all(
    session: &Session,
    client: &IndexClient,
    options: &WheelhouseOptions,
    targets: &[WheelTarget],
    needs: Needs,
    report: &mut WheelhouseReport,
) -> Result<()> {
    let builder = if options.build {
        let settings = options
            .resolve
            .resolver
            .build_settings(&BinaryPolicy::default())?;
        find_interpreter(
            options.resolve.target.python.as_deref(),
            session.cache_dir(),
        )
        .ok()
        .map(|python| crate::build_envs::builder(session.store(), client, python, &settings))
    } else {
        None
    };
    let mut jobs = Vec::new();
    for needed in needs.files.into_values() {
        let is_sdist = !needed.file.filename.ends_with(".whl");
        // A universal run names no targets: its sdists are kept as they are.
        let build_here = options.build && is_sdist && !needed.targets.is_empty();
        if build_here {
            let foreign: Vec<&str> = needed
                .targets
                .iter()
                .filter(|&&i| !targets[i].host)
                .map(|&i| targets[i].label.as_str())
                .collect();
            if !foreign.is_empty() {
                report.problems.push(format!(
                    "{} has only a source distribution for {}, which cannot be built here (only for {}); its sdist is left out",
                    needed.name,
                    foreign.join(", "),
                    targets
                        .iter()
                        .find(|t| t.host)
                        .map_or("no target of this run", |t| t.label.as_str())
                ));
            }
            if foreign.len() == needed.targets.len() {
                continue;
            }
        }
        jobs.push((needed, build_here));
    }
    let bar = progress_bar(jobs.len() as u64, "Downloading");
    let dest = options.dest.as_path();
    let builder = builder.as_ref();
    let results: Vec<(String, Result<Fetched>)> = stream::iter(jobs)
        .map(|(needed, build_here)| {
            let bar = bar.clone();
            async move {
                let outcome = if build_here {
                    build_into(client, builder, &needed, dest).await
                } else {
                    fetch_into(client, &needed.file, dest).await
                };
                bar.inc(1);
                (needed.file.filename, outcome)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    bar.finish_and_clear();
    let mut failures = Vec::new();
    for (filename, outcome) in results {
        match outcome {
            Ok(Fetched::Kept) => {
                report.kept += 1;
                report.files.push(filename);
            }
            Ok(Fetched::Written(replaced)) => {
                report.written += 1;
                report.replaced.extend(replaced);
                report.files.push(filename);
            }
            Ok(Fetched::Built(wheel)) => {
                report.built.push(wheel.clone());
                report.files.push(wheel);
            }
            Err(e) => failures.push(format!("{filename}: {e:#}")),
        }
    }
    report.files.sort();
    report.built.sort();
    for file in &report.files {
        report.total_bytes += std::fs::metadata(dest.join(file)).map_or(0, |m| m.len());
    }
    if !failures.is_empty() {
        failures.sort();
        bail!(
            "{} file{} could not be put in {}:\n  {}",
            failures.len(),
            crate::output::plural(failures.len()),
            dest.display(),
            failures.join("\n  ")
        );
    }
    Ok(())
}

/// The file in `dest`: kept when there with the index's sha256, else
/// downloaded (or found in the store) and copied in atomically.
async fn fetch_into(client: &IndexClient, file: &IndexFile, dest: &Path) -> Result<Fetched> {
    let path = dest.join(&file.filename);
    let expected = file
        .hashes
        .iter()
        .find(|h| h.algorithm() == HashAlgorithm::Sha256)
        .map(|h| h.hex());
    let mut replaced = None;
    if path.is_file() {
        let Some(expected) = expected else {
            return Ok(Fetched::Kept);
        };
        let actual = sha256_of(path.clone()).await?;
        if actual == expected {
            return Ok(Fetched::Kept);
        }
        replaced = Some(format!(
            "{} had sha256 {actual}, not {expected} as the index says; replaced it",
            path.display()
        ));
    }
    let artifact = client.download(file).await?;
    copy_atomically(artifact.path, path).await?;
    Ok(Fetched::Written(replaced))
}

/// An sdist the host needs, built into a wheel that is copied into `dest`.
async fn build_into(
    client: &IndexClient,
    builder: Option<&crate::provider::Builder>,
    needed: &Needed,
    dest: &Path,
) -> Result<Fetched> {
    let Some(builder) = builder else {
        bail!(
            "{} has only a source distribution, and building it needs an interpreter (--python)",
            needed.name
        );
    };
    let artifact = client.download(&needed.file).await?;
    let source = BuildSource::Sdist {
        path: artifact.path,
        sha256: Some(artifact.sha256),
    };
    let built = builder
        .build(&source)
        .await
        .with_context(|| format!("failed to build {}", needed.file.filename))?;
    let filename = built.filename.to_string();
    let path = dest.join(&filename);
    if !path.is_file() || sha256_of(path.clone()).await? != sha256_of(built.path.clone()).await? {
        copy_atomically(built.path, path).await?;
    }
    Ok(Fetched::Built(filename))
}

/// The sha256 of a file, lowercase hex, computed on a blocking thread.
async fn sha256_of(path: PathBuf) -> Result<String> {
    tokio::task::spawn_blocking(move || -> Result<String> {
        let mut file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file
                .read(&mut buf)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    })
    .await?
}

/// Copies `from` to `to` through a temporary file beside `to`, renamed
/// into place: `to` is never seen half written, and a failure (a full
/// disk) leaves no partial file.
async fn copy_atomically(from: PathBuf, to: PathBuf) -> Result<()> {
    tokio::task::spawn_blocking(move || -> Result<()> {
        let dir = to.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(".posy-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        let mut source = std::fs::File::open(&from)
            .with_context(|| format!("cannot read {}", from.display()))?;
        std::io::copy(&mut source, temp.as_file_mut())
            .and_then(|_| temp.as_file().sync_data())
            .with_context(|| format!("cannot write {}", to.display()))?;
        temp.persist(&to)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", to.display()))?;
        Ok(())
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_filter_keeps_abi3_and_none() {
        let tags = Tags::from_ordered(
            [
                "cp311-cp311-win_amd64",
                "cp311-abi3-win_amd64",
                "cp311-none-win_amd64",
                "cp311-cp311d-win_amd64",
                "py3-none-any",
            ]
            .map(|t| t.parse().unwrap()),
        );
        let kept: Vec<String> = only_abis(&tags, &["cp311d".into()])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            kept,
            [
                "cp311-abi3-win_amd64",
                "cp311-none-win_amd64",
                "cp311-cp311d-win_amd64",
                "py3-none-any"
            ]
        );
    }

    #[test]
    fn copies_are_atomic_and_exact() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("a.whl");
        std::fs::write(&from, b"wheel bytes").unwrap();
        let to = dir.path().join("out").join("a.whl");
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(copy_atomically(from.clone(), to.clone()))
            .unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"wheel bytes");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.whl"]);
        assert_eq!(
            rt.block_on(sha256_of(to)).unwrap(),
            "67c0d8f7de19e30c2d5891030a0b37cbfcdd240852b53055c0b28290ad52290b"
        );
    }
}
