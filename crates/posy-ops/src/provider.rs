//! Where the resolver's questions meet the index client (and, later, the build frontend).
//!
//! `posy-resolve` owns the [`MetadataProvider`] trait so that it never
//! imports the index; this is the implementation, in the binary where the
//! pieces meet (ARCHITECTURE.md). Each [`DistFile`] carries what the
//! metadata request needs from the listing (URL, hashes, whether a PEP 658
//! file is served), so it can take the cheapest path the index offers
//! (PEP 658 file, range request, download) without this provider keeping
//! a second copy of every listed file: a resolution lists tens of thousands.

use std::collections::HashMap;
use std::sync::Arc;

use posy_build::{BuildFrontend, BuildSource};
use posy_index::{CoreMetadataFile, IndexClient, IndexFile};
use posy_resolve::{
    DistFile, DistKind, DistMetadata, Exclusion, MetadataFile, MetadataProvider, PackageVersions,
    ProviderError, Yanked, index_requires_python,
};
use posy_vocab::{CoreMetadata, HashAlgorithm, PackageName, SpecifierSet, Version};
use url::Url;

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
        }
    }
}

/// The index entry behind a file the resolver chose, rebuilt from what the
/// [`DistFile`] kept of the listing.
fn index_file(name: &PackageName, file: &DistFile) -> Result<IndexFile, ProviderError> {
    let url = Url::parse(&file.url).map_err(|e| {
        ProviderError::InvalidMetadata(format!(
            "{} has a bad URL `{}`: {e}",
            file.filename, file.url
        ))
    })?;
    let mut entry = IndexFile::new(file.filename.clone(), url);
    entry.hashes = file.hashes.clone();
    entry.size = file.size;
    entry.core_metadata = match &file.metadata_file {
        MetadataFile::Absent => CoreMetadataFile::Absent,
        MetadataFile::Present(hash) => CoreMetadataFile::Present {
            hashes: hash.iter().cloned().collect(),
        },
    };
    entry.parse_dist(name);
    Ok(entry)
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
        // Files the binary policy rules out, kept for the report.
        let mut left_out = Vec::new();
        // Every file of a release (often of many releases) says the same
        // Requires-Python: parse each text once and share it.
        let mut requires_python: HashMap<String, Option<Arc<SpecifierSet>>> = HashMap::new();
        // The index each file came from, as a lock names it: without
        // credentials, without the trailing slash, one string per index.
        let mut indexes: Vec<(Arc<Url>, Arc<str>)> = Vec::new();
        for file in project.files {
            // The client parsed the name already; `None` is a file posy
            // does not install or a name that does not parse.
            let Some(parsed) = file.dist else { continue };
            let mut dist = DistFile::from_parsed(file.filename, parsed, file.url);
            let excluded = if dist.is_wheel() {
                (!self.policy.allows_wheel(name)).then_some(Exclusion::NoBinary)
            } else {
                (!self.policy.allows_sdist(name)).then_some(Exclusion::OnlyBinary)
            };
            if let Some(exclusion) = excluded {
                left_out.push((dist.version, exclusion));
                continue;
            }
            dist.hashes = file.hashes;
            dist.size = file.size;
            dist.upload_time = file.upload_time.map(|t| t.as_millisecond());
            dist.index = file.origin.map(|origin| {
                match indexes
                    .iter()
                    .find(|(known, _)| Arc::ptr_eq(known, &origin))
                {
                    Some((_, text)) => Arc::clone(text),
                    None => {
                        let text: Arc<str> = posy_index::redact::strip_credentials(&origin)
                            .as_str()
                            .trim_end_matches('/')
                            .into();
                        indexes.push((origin, Arc::clone(&text)));
                        text
                    }
                }
            });
            dist.yanked = file.yanked.map(|y| Yanked { reason: y.reason });
            dist.metadata_file = match file.core_metadata {
                CoreMetadataFile::Absent => MetadataFile::Absent,
                CoreMetadataFile::Present { hashes } => MetadataFile::Present(
                    hashes
                        .into_iter()
                        .find(|h| h.algorithm() == HashAlgorithm::Sha256),
                ),
            };
            if let Some(text) = file.requires_python {
                dist.requires_python = requires_python
                    .entry(text)
                    .or_insert_with_key(|text| index_requires_python(text, name).map(Arc::new))
                    .clone();
            }
            out.push(dist);
        }
        Ok(PackageVersions::new(out).with_excluded(left_out))
    }

    async fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<DistMetadata, ProviderError> {
        let entry = index_file(name, file)?;
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
