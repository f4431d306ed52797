//! The shared build cache on a package index: posy-build's
//! [`SharedBuildCache`] over the index client (lookups and verified
//! downloads) and the uploader (`posy-publish`).
//!
//! `--build-cache INDEX_URL` is the index's simple API (where wheels are
//! looked up), `--build-cache-upload UPLOAD_URL` its upload endpoint (the
//! one `posy publish` would use); without the second, machines only read
//! the cache (a CI fleet where one trusted job fills it). Upload
//! credentials are looked up as `posy publish` looks them up
//! ([`PublishCredentials`]); lookup credentials as for any index (the URL,
//! `POSY_INDEX_<HOST>_USERNAME`/`_PASSWORD`, netrc).
//!
//! Lookups always revalidate the project page: a page cached as "no such
//! project" before another machine uploaded must not hide its wheel. An
//! index that cannot be reached or answers 5xx is reported once, as one
//! warning, and not asked again by this run: every build then happens
//! locally, and the install finishes. A refused upload is a warning and
//! the local wheel is used; "already exists" is not even that (another
//! machine raced this one to the same build).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use posy_build::{BuildIdentity, CacheFuture, SharedBuildCache, SharedCacheError};
use posy_index::redact::redact;
use posy_index::{IndexClient, IndexError, IndexOptions, IndexUrl, Refresh};
use posy_publish::{DistFile, Outcome, PublishError, Publisher};
use posy_store::Store;
use posy_vocab::DistFilename;
use url::Url;

use crate::publish::PublishCredentials;

/// `--build-cache` and `--build-cache-upload`, checked.
#[derive(Debug, Clone)]
pub struct BuildCacheSettings {
    pub index: IndexUrl,
    pub upload: Option<Url>,
    pub credentials: PublishCredentials,
}

impl BuildCacheSettings {
    /// Reads the flags' values; upload credentials come from the environment.
    pub fn new(index: &str, upload: Option<&str>) -> anyhow::Result<BuildCacheSettings> {
        let index = IndexUrl::parse(index)
            .map_err(|e| anyhow::anyhow!("invalid --build-cache `{index}`: {e}"))?;
        let upload = upload
            .map(|u| {
                Url::parse(u)
                    .map_err(|e| anyhow::anyhow!("invalid --build-cache-upload `{u}`: {e}"))
            })
            .transpose()?;
        Ok(BuildCacheSettings {
            index,
            upload,
            credentials: PublishCredentials::from_env(),
        })
    }
}

/// A shared build cache on one index (see the module documentation).
/// An upload answered "already exists" counts as not uploaded, quietly.
pub struct IndexBuildCache {
    store: Store,
    client: IndexClient,
    index: String,
    publisher: Option<Publisher>,
    /// Set when the index could not be reached: no more lookups this run.
    unreachable: AtomicBool,
}

impl std::fmt::Debug for IndexBuildCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuildCache")
            .field("index", &self.index)
            .field(
                "upload",
                &self.publisher.as_ref().map(|p| p.url().to_string()),
            )
            .finish_non_exhaustive()
    }
}

impl IndexBuildCache {
    pub fn new(store: &Store, settings: &BuildCacheSettings) -> anyhow::Result<IndexBuildCache> {
        let client = IndexOptions::new()
            .index_url(settings.index.clone())
            .store(Some(store.clone()))
            .refresh(Refresh::All)
            .retries(1)
            .build()?;
        let publisher = match &settings.upload {
            Some(url) => {
                let mut options = posy_publish::PublishOptions::new(url.clone());
                options.credentials = settings.credentials.resolve(url)?;
                options.retries = 1;
                Some(Publisher::new(options)?)
            }
            None => None,
        };
        Ok(IndexBuildCache {
            store: store.clone(),
            client,
            index: redact(settings.index.url()),
            publisher,
            unreachable: AtomicBool::new(false),
        })
    }

    async fn lookup(&self, identity: &BuildIdentity) -> Result<Option<PathBuf>, SharedCacheError> {
        if self.unreachable.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let files = match self.client.project(&identity.name).await {
            Ok(files) => files,
            Err(e) => {
                if !self.unreachable.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "the build cache {} cannot be used ({}); building locally",
                        self.index,
                        first_line(&e)
                    );
                }
                return Ok(None);
            }
        };
        let Some(file) = files.files.iter().find(|file| {
            matches!(&file.dist, Some(DistFilename::Wheel(wheel)) if identity.matches(wheel))
        }) else {
            tracing::debug!(identity = %identity.digest, "no wheel in the build cache for {} {}", identity.name, identity.version);
            return Ok(None);
        };
        match self.client.download(file).await {
            Ok(artifact) => Ok(Some(artifact.path)),
            Err(e @ IndexError::HashMismatch { .. }) => Err(format!(
                "{} does not match the hash the index gives for it: {}",
                file.filename,
                first_line(&e)
            )
            .into()),
            Err(e) => Err(format!("{}: {}", file.filename, first_line(&e)).into()),
        }
    }

    async fn store(&self, wheel: &Path, filename: &str) -> Result<bool, SharedCacheError> {
        let Some(publisher) = &self.publisher else {
            return Ok(false);
        };
        // The wheel goes up under its tagged name: a copy in the store's
        // staging area.
        let staging = self.store.scratch_dir("build-cache-")?;
        let named = staging.path().join(filename);
        std::fs::copy(wheel, &named)?;
        let dist = DistFile::read(&named)?;
        match publisher.upload(&dist).await {
            Ok(Outcome::Uploaded) => Ok(true),
            Ok(Outcome::AlreadyPresent) => Ok(false),
            Err(PublishError::Refused {
                status, message, ..
            }) if matches!(status.as_u16(), 400 | 409)
                && message.to_ascii_lowercase().contains("exist") =>
            {
                tracing::debug!("{filename} is already in the build cache");
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl SharedBuildCache for IndexBuildCache {
    fn fetch<'a>(
        &'a self,
        identity: &'a BuildIdentity,
    ) -> CacheFuture<'a, Result<Option<PathBuf>, SharedCacheError>> {
        Box::pin(self.lookup(identity))
    }

    fn upload<'a>(
        &'a self,
        _identity: &'a BuildIdentity,
        wheel: &'a Path,
        filename: &'a str,
    ) -> CacheFuture<'a, Result<bool, SharedCacheError>> {
        Box::pin(self.store(wheel, filename))
    }
}

fn first_line(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    text.lines().next().unwrap_or_default().to_string()
}
