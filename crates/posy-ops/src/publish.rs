//! `posy publish`: upload distributions to an index, in parallel, skipping
//! what the index already has when asked to check.
//!
//! The files are read first, all of them ([`DistFile::read`]: kind,
//! metadata, digests), so a bad file stops the run before anything is
//! sent. Uploads then run a few at a time; each ends in one line
//! (`Uploaded`, or `Skipped` when the check index already has the same
//! content); on a terminal a spinner per file shows what is in flight.
//! A refused upload does not stop the others: every failure is collected
//! and the run fails at the end, naming each file and the server's reason.
//!
//! Credentials ([`PublishCredentials`]) are looked up the way uv and twine
//! look them up: a token (`POSY_PUBLISH_TOKEN`, sent as user `__token__`),
//! else a user name and password, else the upload URL's userinfo, else
//! netrc for its host. The shared build cache uploads with the same
//! lookup.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use posy_index::redact::redact;
use posy_index::{Credentials, IndexOptions, IndexUrl, NetrcSource, Refresh};
use posy_publish::{DistFile, Outcome, PublishOptions, Publisher};
use url::Url;

use crate::output::{elapsed, plural, progress_on_terminal};
use crate::session::Session;

/// Uploads at once: enough to hide latency, few enough not to look like
/// an attack to an index's rate limiter.
const CONCURRENT_UPLOADS: usize = 4;

/// Where credentials for an upload come from (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct PublishCredentials {
    /// `--token` / `POSY_PUBLISH_TOKEN`.
    pub token: Option<String>,
    /// `--username` / `POSY_PUBLISH_USERNAME`.
    pub username: Option<String>,
    /// `--password` / `POSY_PUBLISH_PASSWORD`.
    pub password: Option<String>,
}

impl PublishCredentials {
    /// From `POSY_PUBLISH_TOKEN`, `POSY_PUBLISH_USERNAME` and `POSY_PUBLISH_PASSWORD`.
    pub fn from_env() -> PublishCredentials {
        let var = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        PublishCredentials {
            token: var("POSY_PUBLISH_TOKEN"),
            username: var("POSY_PUBLISH_USERNAME"),
            password: var("POSY_PUBLISH_PASSWORD"),
        }
    }

    /// The credentials to send to `url`, if any.
    pub fn resolve(&self, url: &Url) -> Result<Option<Credentials>> {
        if let Some(token) = &self.token {
            if self.username.as_deref().is_some_and(|u| u != "__token__") {
                bail!(
                    "a token is sent as user `__token__`: pass either a token or --username, not both"
                );
            }
            return Ok(Some(Credentials {
                username: "__token__".into(),
                password: Some(token.clone()),
            }));
        }
        match (&self.username, &self.password) {
            (Some(username), Some(password)) => {
                return Ok(Some(Credentials {
                    username: username.clone(),
                    password: Some(password.clone()),
                }));
            }
            (Some(username), None) => bail!(
                "--username {username} needs a password: pass --password or set POSY_PUBLISH_PASSWORD (posy does not prompt)"
            ),
            (None, Some(_)) => bail!(
                "--password needs a user name: pass --username or set POSY_PUBLISH_USERNAME (`__token__` for a token)"
            ),
            (None, None) => {}
        }
        if let Some(credentials) = Credentials::from_url(url) {
            return Ok(Some(credentials));
        }
        Ok(posy_index::auth::netrc_credentials(
            url,
            &NetrcSource::Default,
        ))
    }
}

/// What `posy publish` was asked.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// Files or directories (whose wheels and sdists are taken); empty
    /// means `dist/`.
    pub files: Vec<PathBuf>,
    /// The upload endpoint.
    pub url: Url,
    pub credentials: PublishCredentials,
    /// `--check-url`: the index (simple API) to compare files with.
    pub check_url: Option<String>,
}

/// What became of the files.
#[derive(Debug, Default, Clone)]
pub struct PublishSummary {
    pub uploaded: Vec<String>,
    pub skipped: Vec<String>,
}

/// Uploads the files of `request` (see the module documentation).
pub fn publish(session: &Session, request: &PublishRequest) -> Result<PublishSummary> {
    let start = Instant::now();
    let paths = dist_files(&request.files)?;
    let dists = paths
        .iter()
        .map(|path| DistFile::read(path))
        .collect::<Result<Vec<_>, _>>()?;
    let publisher = publisher(
        session,
        &request.url,
        &request.credentials,
        request.check_url.as_deref(),
    )?;
    eprintln!(
        "Publishing {} file{} to {}",
        dists.len(),
        plural(dists.len()),
        redact(&request.url)
    );
    let runtime = session.runtime()?;
    let outcomes: Vec<(DistFile, Result<Outcome, posy_publish::PublishError>)> =
        runtime.block_on(async {
            futures_util::stream::iter(dists.into_iter().map(|dist| {
                let publisher = publisher.clone();
                async move {
                    let spinner = progress_on_terminal().then(|| {
                        let bar = crate::build_progress::terminal()
                            .add(indicatif::ProgressBar::new_spinner());
                        bar.set_message(format!("Uploading {}", dist.filename));
                        bar.enable_steady_tick(std::time::Duration::from_millis(100));
                        bar
                    });
                    let outcome = publisher.upload(&dist).await;
                    if let Some(spinner) = spinner {
                        spinner.finish_and_clear();
                    }
                    report(&dist, &outcome);
                    (dist, outcome)
                }
            }))
            .buffer_unordered(CONCURRENT_UPLOADS)
            .collect()
            .await
        });
    let mut summary = PublishSummary::default();
    let mut failures = Vec::new();
    for (dist, outcome) in outcomes {
        match outcome {
            Ok(Outcome::Uploaded) => summary.uploaded.push(dist.filename),
            Ok(Outcome::AlreadyPresent) => summary.skipped.push(dist.filename),
            Err(error) => failures.push(error.to_string()),
        }
    }
    if !failures.is_empty() {
        failures.sort();
        bail!(
            "{} of {} file{} not published:\n{}",
            failures.len(),
            paths.len(),
            plural(paths.len()),
            failures.join("\n")
        );
    }
    eprintln!(
        "Published {} file{}{} in {}",
        summary.uploaded.len(),
        plural(summary.uploaded.len()),
        if summary.skipped.is_empty() {
            String::new()
        } else {
            format!(" ({} already there)", summary.skipped.len())
        },
        elapsed(start)
    );
    Ok(summary)
}

fn report(dist: &DistFile, outcome: &Result<Outcome, posy_publish::PublishError>) {
    let line = match outcome {
        Ok(Outcome::Uploaded) => format!("  Uploaded {} ({})", dist.filename, size(dist.size)),
        Ok(Outcome::AlreadyPresent) => {
            format!(
                "   Skipped {} (already on the index, same content)",
                dist.filename
            )
        }
        Err(_) => format!("    Failed {}", dist.filename),
    };
    if progress_on_terminal() {
        let _ = crate::build_progress::terminal().println(line);
    } else {
        eprintln!("{line}");
    }
}

fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// A publisher for `url`, with credentials looked up and, for
/// `check_url`, a client that always revalidates project pages.
pub(crate) fn publisher(
    session: &Session,
    url: &Url,
    credentials: &PublishCredentials,
    check_url: Option<&str>,
) -> Result<Publisher> {
    let mut options = PublishOptions::new(url.clone());
    options.credentials = credentials.resolve(url)?;
    if let Some(check_url) = check_url {
        let index = IndexUrl::parse(check_url)
            .with_context(|| format!("invalid --check-url `{check_url}`"))?;
        options.check = Some(
            IndexOptions::new()
                .index_url(index)
                .store(Some(session.store().clone()))
                .refresh(Refresh::All)
                .build()?,
        );
    }
    Ok(Publisher::new(options)?)
}

/// The files to publish: each file given, the wheels and sdists of each
/// directory given, or those of `dist/` when nothing is given.
pub fn dist_files(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let default = [PathBuf::from("dist")];
    let given = if given.is_empty() {
        &default[..]
    } else {
        given
    };
    let mut files = Vec::new();
    for path in given {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| is_dist(p))
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(anyhow!(
                "{}: no such file or directory{}",
                path.display(),
                if given == default {
                    " (build the project first, or name the files to publish)"
                } else {
                    ""
                }
            ));
        }
    }
    files.dedup();
    if files.is_empty() {
        bail!(
            "no wheels or sdists to publish in {}",
            given
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(files)
}

fn is_dist(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
}

/// The publish URL of the index named `name` in `[[tool.posy.index]]` of
/// `pyproject` (`name`, `url`, `publish-url`), as `--index NAME` reads it.
pub fn configured_publish_url(pyproject: &Path, name: &str) -> Result<Url> {
    let text = std::fs::read_to_string(pyproject).with_context(|| {
        format!(
            "--index {name}: cannot read {} (indexes are named in its [[tool.posy.index]] tables)",
            pyproject.display()
        )
    })?;
    let document: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{} is not valid TOML", pyproject.display()))?;
    let indexes = document
        .get("tool")
        .and_then(|t| t.get("posy"))
        .and_then(|t| t.get("index"))
        .and_then(|t| t.as_array())
        .cloned()
        .unwrap_or_default();
    let entry = indexes
        .iter()
        .find(|entry| entry.get("name").and_then(|n| n.as_str()) == Some(name))
        .ok_or_else(|| {
            anyhow!(
                "--index {name}: no [[tool.posy.index]] named `{name}` in {}",
                pyproject.display()
            )
        })?;
    let url = entry
        .get("publish-url")
        .and_then(|u| u.as_str())
        .ok_or_else(|| {
            anyhow!(
                "--index {name}: the [[tool.posy.index]] named `{name}` in {} has no `publish-url`",
                pyproject.display()
            )
        })?;
    Url::parse(url).with_context(|| {
        format!(
            "--index {name}: invalid `publish-url` in {}",
            pyproject.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_token_then_user_then_url() {
        let url = Url::parse("https://me:pw@up.example/legacy/").unwrap();
        let token = PublishCredentials {
            token: Some("pypi-abc".into()),
            ..Default::default()
        };
        let c = token.resolve(&url).unwrap().unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_deref()),
            ("__token__", Some("pypi-abc"))
        );
        let user = PublishCredentials {
            username: Some("u".into()),
            password: Some("p".into()),
            ..Default::default()
        };
        assert_eq!(user.resolve(&url).unwrap().unwrap().username, "u");
        let none = PublishCredentials::default();
        assert_eq!(none.resolve(&url).unwrap().unwrap().username, "me");
        let half = PublishCredentials {
            username: Some("u".into()),
            ..Default::default()
        };
        let error = half.resolve(&url).unwrap_err().to_string();
        assert!(error.contains("needs a password"), "{error}");
    }

    #[test]
    fn publish_url_from_pyproject_index_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(
            &path,
            "[project]\nname='x'\n[[tool.posy.index]]\nname='corp'\nurl='https://corp/simple/'\npublish-url='https://corp/upload/'\n\
             [[tool.posy.index]]\nname='ro'\nurl='https://ro/simple/'\n",
        )
        .unwrap();
        assert_eq!(
            configured_publish_url(&path, "corp").unwrap().as_str(),
            "https://corp/upload/"
        );
        let error = configured_publish_url(&path, "ro").unwrap_err().to_string();
        assert!(error.contains("has no `publish-url`"), "{error}");
        let error = configured_publish_url(&path, "nope")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("no [[tool.posy.index]] named `nope`"),
            "{error}"
        );
    }

    #[test]
    fn dist_files_lists_directories_and_names_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a-1.0.tar.gz", "a-1.0-py3-none-any.whl", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let files = dist_files(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(files.len(), 2);
        let error = dist_files(&[dir.path().join("missing.whl")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing.whl: no such file"), "{error}");
    }
}
