//! Where the resolver's questions meet the index client (and, later, the build frontend).
//!
//! `posy-resolve` owns the [`MetadataProvider`] trait so that it never
//! imports the index; this is the implementation, in the binary where the
//! pieces meet (ARCHITECTURE.md). It remembers each file's index entry from
//! the project listing, so the metadata request can take the cheapest path
//! the index offers (PEP 658 file, range request, download).

use std::collections::HashMap;
use std::sync::Mutex;

use posy_build::{BuildFrontend, BuildSource};
use posy_index::{IndexClient, IndexFile};
use posy_resolve::{
    DistFile, DistKind, DistMetadata, MetadataProvider, PackageVersions, ProviderError, Yanked,
};
use posy_vocab::{CoreMetadata, PackageName, Version};

use crate::binary_policy::BinaryPolicy;
use crate::build_envs::PosyBuildEnvironments;

/// The build frontend posy uses, with environments from its own resolver and installer.
pub type Builder = BuildFrontend<PosyBuildEnvironments>;

/// Answers the resolver from the configured indexes, building sdists
/// (for their metadata) when given a builder.
pub struct IndexProvider<'a> {
    client: &'a IndexClient,
    builder: Option<&'a Builder>,
    policy: BinaryPolicy,
    /// Index entries by download URL, from the listings seen so far.
    files: Mutex<HashMap<String, IndexFile>>,
}

impl<'a> IndexProvider<'a> {
    /// A provider that reads sdists' metadata through `builder`.
    pub fn with_builder(
        client: &'a IndexClient,
        builder: Option<&'a Builder>,
        policy: BinaryPolicy,
    ) -> Self {
        Self {
            client,
            builder,
            policy,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// The index entry behind a file the resolver chose.
    pub fn index_file(&self, file: &DistFile) -> Option<IndexFile> {
        self.files.lock().ok()?.get(&file.url).cloned()
    }
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> ProviderError {
    ProviderError::Other(Box::new(e))
}

impl MetadataProvider for IndexProvider<'_> {
    async fn versions(&self, name: &PackageName) -> Result<PackageVersions, ProviderError> {
        let project = self.client.project(name).await.map_err(other)?;
        if project.files.is_empty() && project.indexes.is_empty() {
            return Err(ProviderError::NotFound);
        }
        let mut out = Vec::with_capacity(project.files.len());
        let mut seen = self
            .files
            .lock()
            .map_err(|_| ProviderError::InvalidMetadata("internal lock poisoned".into()))?;
        for file in project.files {
            let url = file.url.to_string();
            let Ok(Some(mut dist)) = DistFile::from_filename(name, &file.filename, url.clone())
            else {
                continue;
            };
            let allowed = if dist.is_wheel() {
                self.policy.allows_wheel(name)
            } else {
                self.policy.allows_sdist(name)
            };
            if !allowed {
                continue;
            }
            dist.hashes = file.hashes.clone();
            dist.size = file.size;
            dist.yanked = file.yanked.as_ref().map(|y| Yanked {
                reason: y.reason.clone(),
            });
            if let Some(text) = &file.requires_python {
                dist = dist.with_requires_python_text(text);
            }
            seen.insert(url, file);
            out.push(dist);
        }
        Ok(PackageVersions::new(out))
    }

    async fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<DistMetadata, ProviderError> {
        let entry = self.index_file(file).ok_or_else(|| {
            ProviderError::InvalidMetadata(format!(
                "{} was not in the index listing of {name}",
                file.filename
            ))
        })?;
        let metadata = if matches!(file.kind, DistKind::Sdist) {
            let Some(builder) = self.builder else {
                return Err(ProviderError::SdistOnly);
            };
            let artifact = self.client.download(&entry).await.map_err(other)?;
            let source = BuildSource::Sdist {
                path: artifact.path,
                sha256: Some(artifact.sha256),
            };
            builder
                .metadata(&source)
                .await
                .map_err(|e| ProviderError::BuildFailed(e.to_string()))?
                .metadata
        } else {
            let bytes = self.client.wheel_metadata(&entry).await.map_err(other)?;
            CoreMetadata::parse(&bytes)
                .map_err(|e| ProviderError::InvalidMetadata(e.to_string()))?
        };
        if metadata.name != *name || metadata.version != *version {
            return Err(ProviderError::InvalidMetadata(format!(
                "{} declares itself as {} {} in its metadata",
                file.filename, metadata.name, metadata.version
            )));
        }
        Ok(metadata.into())
    }
}
