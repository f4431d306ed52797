//! Repositories and checkouts in the store, through the `git` command.
//!
//! posy runs the `git` on `PATH`, as pip and uv do, so a user's
//! credentials, SSH keys, proxies and `insteadOf` rules apply unchanged.
//!
//! - **A bare clone per repository URL**, in `<store>/v1/git/db/<hash of
//!   the URL>`: cloned into a temporary and renamed into place (so no
//!   half-cloned repository is ever used), fetched at most once per run
//!   (every branch and tag), under a lock file beside it so two processes
//!   never fetch into one repository at once. A revision that is a full
//!   commit id already present is used without fetching at all: a locked
//!   commit installs offline.
//! - **A checkout per commit**, in the store's `unpacked/` bucket keyed by
//!   the commit id: content-addressed like an unpacked wheel, so it is
//!   shared by every environment, written in the store's staging area and
//!   renamed into place, and collected like any other entry. It is a
//!   `git clone --shared` of the bare clone (a real working tree with its
//!   `.git`, for backends such as setuptools-scm that read it) at a
//!   detached HEAD. Its path never changes, so the build frontend's cache
//!   (keyed by a directory's path and content) builds each commit once.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use fs4::FileExt;
use posy_store::{Key, Lookup, Store};

use crate::url::GitUrl;

/// Bumped when a checkout's content changes meaning.
const CHECKOUT_FORMAT: &str = "git-checkout-v1";

/// Why a git source could not be used; every message names the URL.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error(
        "`{url}` is a git requirement, but no `git` command was found on PATH; install git (e.g. `apt-get install git`) and try again"
    )]
    GitMissing { url: String },
    #[error("cannot {action} `{url}`: {message}")]
    Command {
        url: String,
        action: String,
        message: String,
    },
    #[error(
        "`{url}` has no branch, tag or commit `{revision}`; check the spelling, or that it was pushed"
    )]
    RevisionNotFound { url: String, revision: String },
    #[error(
        "`{url}`: the commit {commit} has no `{subdirectory}` holding a Python project (no pyproject.toml, setup.py or setup.cfg)"
    )]
    NoProject {
        url: String,
        commit: String,
        subdirectory: String,
    },
    #[error("the store failed while checking out `{url}`: {source}")]
    Store {
        url: String,
        #[source]
        source: posy_store::StoreError,
    },
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A checkout, ready to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The full commit id.
    pub commit: String,
    /// The project's directory (the checkout, or its subdirectory).
    pub project: PathBuf,
}

/// Git repositories and checkouts in one store, for one run.
#[derive(Debug)]
pub struct GitSource {
    store: Store,
    /// Repositories fetched in this run.
    fetched: Mutex<HashMap<String, ()>>,
}

impl GitSource {
    pub fn new(store: Store) -> GitSource {
        GitSource {
            store,
            fetched: Mutex::new(HashMap::new()),
        }
    }

    /// The full commit id that `url`'s revision names now (the default
    /// branch's head when it names none). Blocking: run it off the async
    /// runtime's threads.
    pub fn resolve(&self, url: &GitUrl) -> Result<String, GitError> {
        let db = self.database(url)?;
        let revision = url.revision.as_deref().unwrap_or("HEAD");
        // A full commit id already here needs no network.
        if is_full_commit(revision)
            && let Some(commit) = rev_parse(&db, revision, url)?
        {
            return Ok(commit);
        }
        self.fetch(url, &db)?;
        if let Some(commit) = rev_parse(&db, revision, url)? {
            return Ok(commit);
        }
        if is_full_commit(revision) {
            // A commit on no branch or tag: servers usually give it when asked by id.
            let _ = git(
                &db,
                url,
                "fetch the commit of",
                ["fetch", "--quiet", "origin", revision],
            );
            if let Some(commit) = rev_parse(&db, revision, url)? {
                return Ok(commit);
            }
        }
        Err(GitError::RevisionNotFound {
            url: url.to_string(),
            revision: revision.to_owned(),
        })
    }

    /// The commit `url`'s revision names now, or `kept` (a full commit id
    /// an earlier lock pinned) when that still answers the requirement: the
    /// revision is a branch (or the default branch) and `kept` is on it, at
    /// its head or behind it. A tag or a commit names exactly one commit,
    /// so for them `kept` never wins; neither does a commit that the branch
    /// no longer holds (it was rewritten, or the requirement now names
    /// another branch). Blocking.
    pub fn resolve_keeping(&self, url: &GitUrl, kept: &str) -> Result<String, GitError> {
        let head = self.resolve(url)?;
        if head == kept || !is_full_commit(kept) {
            return Ok(head);
        }
        let db = self.database(url)?;
        let on_branch = match url.revision.as_deref() {
            None => true,
            // `git rev-parse NAME` prefers a tag to a branch of the same name.
            Some(name) => {
                rev_parse(&db, &format!("refs/tags/{name}"), url)?.is_none()
                    && rev_parse(&db, &format!("refs/heads/{name}"), url)?.is_some()
            }
        };
        if on_branch && is_ancestor(&db, kept, &head, url)? {
            return Ok(kept.to_owned());
        }
        Ok(head)
    }

    /// A checkout of `commit` (a full id, from [`GitSource::resolve`]) with
    /// its project directory. Blocking.
    pub fn checkout(&self, url: &GitUrl, commit: &str) -> Result<Checkout, GitError> {
        let key = Key::hash_of_parts([CHECKOUT_FORMAT, commit]);
        let bucket = self.store.unpacked();
        let store_error = |source| GitError::Store {
            url: url.to_string(),
            source,
        };
        let dir = match bucket.lock_or_get(&key).map_err(store_error)? {
            Lookup::Hit(dir) => dir,
            Lookup::Miss(reservation) => {
                let db = self.database(url)?;
                if rev_parse(&db, commit, url)?.is_none() {
                    self.fetch(url, &db)?;
                }
                let target = reservation.path().to_path_buf();
                run(
                    Command::new("git")
                        .args(["clone", "--quiet", "--shared", "--no-checkout"])
                        .arg(&db)
                        .arg(&target),
                    url,
                    "check out",
                )?;
                git(
                    &target,
                    url,
                    "check out",
                    [
                        "-c",
                        "advice.detachedHead=false",
                        "checkout",
                        "--quiet",
                        "--detach",
                        commit,
                    ],
                )?;
                reservation.commit().map_err(store_error)?
            }
        };
        let project = match &url.subdirectory {
            Some(sub) => dir.join(sub),
            None => dir,
        };
        let has_project = ["pyproject.toml", "setup.py", "setup.cfg"]
            .iter()
            .any(|f| project.join(f).is_file());
        if !has_project {
            return Err(GitError::NoProject {
                url: url.to_string(),
                commit: commit.to_owned(),
                subdirectory: url.subdirectory.clone().unwrap_or_else(|| ".".into()),
            });
        }
        Ok(Checkout {
            commit: commit.to_owned(),
            project,
        })
    }

    /// The bare clone of `url`'s repository, cloned (whole, then renamed
    /// into place) if it is not there yet.
    fn database(&self, url: &GitUrl) -> Result<PathBuf, GitError> {
        let root = self.store.root().join("v1").join("git").join("db");
        fs::create_dir_all(&root).map_err(|source| GitError::Io {
            action: "create",
            path: root.clone(),
            source,
        })?;
        let name = Key::hash_of_parts([url.repository.as_str()]).to_string();
        let db = root.join(&name);
        let _lock = lock(&root.join(format!("{name}.lock")))?;
        if db.join("HEAD").is_file() {
            return Ok(db);
        }
        let staging = root.join(format!(".{name}.{}.tmp", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        let cloned = run(
            Command::new("git")
                .args(["clone", "--bare", "--quiet", "--"])
                .arg(&url.repository)
                .arg(&staging),
            url,
            "clone",
        );
        if let Err(error) = cloned {
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
        fs::rename(&staging, &db).map_err(|source| GitError::Io {
            action: "move into place",
            path: db.clone(),
            source,
        })?;
        self.fetched
            .lock()
            .map(|mut f| f.insert(url.repository.clone(), ()))
            .ok();
        Ok(db)
    }

    /// Fetches every branch and tag of the repository, once per run.
    fn fetch(&self, url: &GitUrl, db: &Path) -> Result<(), GitError> {
        let mut fetched = self.fetched.lock().map_err(|_| GitError::Command {
            url: url.to_string(),
            action: "fetch".into(),
            message: "another fetch panicked".into(),
        })?;
        if fetched.contains_key(&url.repository) {
            return Ok(());
        }
        let name = db.file_name().map(|n| n.to_string_lossy().into_owned());
        let _lock = lock(&db.with_file_name(format!("{}.lock", name.unwrap_or_default())))?;
        git(
            db,
            url,
            "fetch",
            [
                "fetch",
                "--quiet",
                "--prune",
                "--tags",
                "--force",
                "origin",
                "+refs/heads/*:refs/heads/*",
            ],
        )?;
        fetched.insert(url.repository.clone(), ());
        Ok(())
    }
}

fn is_full_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The full commit id `revision` names in `db`, if it names one.
fn rev_parse(db: &Path, revision: &str, url: &GitUrl) -> Result<Option<String>, GitError> {
    let spec = format!("{revision}^{{commit}}");
    let output = Command::new("git")
        .arg("-C")
        .arg(db)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])
        .output()
        .map_err(|e| spawn_error(e, url))?;
    if !output.status.success() {
        return Ok(None);
    }
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Ok(is_full_commit(&commit).then_some(commit))
}

/// Whether `ancestor` is `commit` or in its history (false when `db` does
/// not have it at all).
fn is_ancestor(db: &Path, ancestor: &str, commit: &str, url: &GitUrl) -> Result<bool, GitError> {
    let status = Command::new("git")
        .arg("-C")
        .arg(db)
        .args(["merge-base", "--is-ancestor", ancestor, commit])
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| spawn_error(e, url))?;
    Ok(status.success())
}

/// Runs `git -C dir ARGS`.
fn git<I, S>(dir: &Path, url: &GitUrl, action: &str, args: I) -> Result<(), GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(
        Command::new("git").arg("-C").arg(dir).args(args),
        url,
        action,
    )
}

fn run(command: &mut Command, url: &GitUrl, action: &str) -> Result<(), GitError> {
    tracing::debug!("running {command:?}");
    let output = command.output().map_err(|e| spawn_error(e, url))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Err(GitError::Command {
        url: url.to_string(),
        action: action.to_owned(),
        message: if message.is_empty() {
            format!("git exited with {}", output.status)
        } else {
            message
        },
    })
}

fn spawn_error(error: std::io::Error, url: &GitUrl) -> GitError {
    if error.kind() == std::io::ErrorKind::NotFound {
        GitError::GitMissing {
            url: url.to_string(),
        }
    } else {
        GitError::Command {
            url: url.to_string(),
            action: "run git for".into(),
            message: error.to_string(),
        }
    }
}

/// An exclusive lock on `path` (created if needed), held until dropped.
fn lock(path: &Path) -> Result<fs::File, GitError> {
    let io = |action, source| GitError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| io("open", e))?;
    FileExt::lock(&file).map_err(|e| io("lock", e))?;
    Ok(file)
}
