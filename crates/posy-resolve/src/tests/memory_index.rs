//! An in-memory package index implementing [`MetadataProvider`], and
//! helpers to run a resolution against it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use posy_vocab::{
    ExtraName, MarkerEnvironment, MarkerValues, PackageName, Requirement, SpecifierSet, Tag, Tags,
    Version,
};

use crate::provider::{
    DistFile, DistMetadata, MetadataProvider, PackageVersions, ProviderError, Yanked,
};
use crate::{Resolution, ResolveError, ResolveRequest, Target, resolve};

/// One version of one package.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    version: Version,
    requires_dist: Vec<Requirement>,
    requires_python: Option<SpecifierSet>,
    file_requires_python: Option<String>,
    provides_extra: Vec<ExtraName>,
    yanked: Option<Yanked>,
    wheel_tags: Vec<String>,
    sdist: bool,
    buildable: bool,
}

impl Release {
    /// Sets `Requires-Python` in the metadata.
    pub(crate) fn requires_python(&mut self, spec: &str) -> &mut Self {
        self.requires_python = Some(spec.parse().unwrap());
        self
    }

    /// Sets `data-requires-python` on every file.
    pub(crate) fn file_requires_python(&mut self, spec: &str) -> &mut Self {
        self.file_requires_python = Some(spec.to_owned());
        self
    }

    pub(crate) fn extras(&mut self, extras: &[&str]) -> &mut Self {
        self.provides_extra = extras.iter().map(|e| e.parse().unwrap()).collect();
        self
    }

    pub(crate) fn yanked(&mut self, reason: Option<&str>) -> &mut Self {
        self.yanked = Some(Yanked {
            reason: reason.map(str::to_owned),
        });
        self
    }

    /// Replaces the default `py3-none-any` wheel with wheels of these tags.
    pub(crate) fn wheels(&mut self, tags: &[&str]) -> &mut Self {
        self.wheel_tags = tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// Only an sdist, whose metadata needs a build (which fails with
    /// "sdist-only") unless `buildable`.
    pub(crate) fn sdist_only(&mut self, buildable: bool) -> &mut Self {
        self.wheel_tags.clear();
        self.sdist = true;
        self.buildable = buildable;
        self
    }
}

/// A package index in memory, counting every question asked of it.
#[derive(Default)]
pub(crate) struct MemoryIndex {
    packages: BTreeMap<PackageName, Vec<Release>>,
    /// Packages whose version listing fails like a network error would.
    broken: Vec<PackageName>,
    /// How long every answer takes, as a network round trip would.
    latency: Option<Duration>,
    /// Packages whose answers take ten times as long.
    slow: Vec<PackageName>,
    pub(crate) version_calls: Mutex<BTreeMap<String, u32>>,
    pub(crate) metadata_calls: Mutex<BTreeMap<String, u32>>,
}

impl MemoryIndex {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `name` `version` depending on `requires`; returns it for tweaks.
    pub(crate) fn add(&mut self, name: &str, version: &str, requires: &[&str]) -> &mut Release {
        let releases = self.packages.entry(name.parse().unwrap()).or_default();
        releases.push(Release {
            version: version.parse().unwrap(),
            requires_dist: requires.iter().map(|r| r.parse().unwrap()).collect(),
            requires_python: None,
            file_requires_python: None,
            provides_extra: Vec::new(),
            yanked: None,
            wheel_tags: vec!["py3-none-any".to_owned()],
            sdist: false,
            buildable: true,
        });
        releases.last_mut().unwrap()
    }

    pub(crate) fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    pub(crate) fn slow_package(&mut self, name: &str) {
        self.slow.push(name.parse().unwrap());
    }

    async fn round_trip(&self, name: &PackageName) {
        match self.latency {
            Some(latency) if self.slow.contains(name) => tokio::time::sleep(latency * 10).await,
            Some(latency) => tokio::time::sleep(latency).await,
            // Let other fetches and the solver interleave, as a network would.
            None => tokio::task::yield_now().await,
        }
    }

    pub(crate) fn break_package(&mut self, name: &str) {
        self.broken.push(name.parse().unwrap());
    }

    fn release(&self, name: &PackageName, version: &Version) -> Option<&Release> {
        self.packages
            .get(name)?
            .iter()
            .find(|r| r.version == *version)
    }

    /// Whether any key was asked for more than once.
    pub(crate) fn max_calls(&self) -> u32 {
        let v = self.version_calls.lock().unwrap();
        let m = self.metadata_calls.lock().unwrap();
        v.values().chain(m.values()).copied().max().unwrap_or(0)
    }
}

fn count(calls: &Mutex<BTreeMap<String, u32>>, key: String) {
    *calls.lock().unwrap().entry(key).or_default() += 1;
}

impl MetadataProvider for MemoryIndex {
    async fn versions(&self, name: &PackageName) -> Result<PackageVersions, ProviderError> {
        count(&self.version_calls, name.to_string());
        self.round_trip(name).await;
        if self.broken.contains(name) {
            return Err(ProviderError::Other(
                "connection reset by the test index".into(),
            ));
        }
        let releases = self.packages.get(name).ok_or(ProviderError::NotFound)?;
        let mut files = Vec::new();
        for release in releases {
            let v = &release.version;
            let mut release_files = Vec::new();
            for tags in &release.wheel_tags {
                let filename = format!("{}-{v}-{tags}.whl", name.as_dist_info_name());
                let file = DistFile::from_filename(
                    name,
                    &filename,
                    format!("https://index.test/{filename}"),
                )
                .unwrap()
                .unwrap();
                release_files.push(file);
            }
            if release.sdist {
                let filename = format!("{}-{v}.tar.gz", name.as_dist_info_name());
                let file = DistFile::from_filename(
                    name,
                    &filename,
                    format!("https://index.test/{filename}"),
                )
                .unwrap()
                .unwrap();
                release_files.push(file);
            }
            for mut file in release_files {
                if let Some(spec) = &release.file_requires_python {
                    file = file.with_requires_python_text(spec);
                }
                file.yanked = release.yanked.clone();
                files.push(file);
            }
        }
        Ok(PackageVersions::new(files))
    }

    async fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<DistMetadata, ProviderError> {
        count(&self.metadata_calls, format!("{name}=={version}"));
        self.round_trip(name).await;
        let release = self
            .release(name, version)
            .ok_or_else(|| ProviderError::InvalidMetadata(format!("no {name} {version}")))?;
        if !file.is_wheel() && !release.buildable {
            return Err(ProviderError::SdistOnly);
        }
        Ok(DistMetadata {
            requires_dist: release.requires_dist.clone(),
            requires_python: release.requires_python.clone(),
            provides_extra: release.provides_extra.clone(),
        })
    }
}

/// CPython 3.12.1 on x86_64 Linux (glibc 2.17).
pub(crate) fn linux_312() -> Target {
    target("3.12.1", "linux", "Linux", "posix")
}

pub(crate) fn target(python: &str, sys_platform: &str, system: &str, os_name: &str) -> Target {
    let short: String = python.split('.').take(2).collect::<Vec<_>>().join(".");
    let values = MarkerValues {
        implementation_name: "cpython".into(),
        implementation_version: python.into(),
        os_name: os_name.into(),
        platform_machine: "x86_64".into(),
        platform_python_implementation: "CPython".into(),
        platform_release: "6.1.0".into(),
        platform_system: system.into(),
        platform_version: "#1 SMP".into(),
        python_full_version: python.into(),
        python_version: short.clone(),
        sys_platform: sys_platform.into(),
    };
    let cp = format!("cp{}", short.replace('.', ""));
    let py = format!("py{}", short.replace('.', ""));
    let tags = Tags::from_ordered(
        [
            (cp.as_str(), cp.as_str(), "manylinux_2_17_x86_64"),
            (cp.as_str(), "abi3", "manylinux_2_17_x86_64"),
            (cp.as_str(), "none", "manylinux_2_17_x86_64"),
            (py.as_str(), "none", "manylinux_2_17_x86_64"),
            ("py3", "none", "manylinux_2_17_x86_64"),
            (cp.as_str(), "none", "any"),
            (py.as_str(), "none", "any"),
            ("py3", "none", "any"),
        ]
        .into_iter()
        .map(|(p, a, pl)| Tag::new(p, a, pl).unwrap()),
    );
    Target::from_environment(MarkerEnvironment::new(values), tags).unwrap()
}

/// A request for `requirements` on [`linux_312`].
pub(crate) fn request(requirements: &[&str]) -> ResolveRequest {
    ResolveRequest::new(
        requirements.iter().map(|r| r.parse().unwrap()).collect(),
        linux_312(),
    )
}

pub(crate) fn reqs(requirements: &[&str]) -> Vec<Requirement> {
    requirements.iter().map(|r| r.parse().unwrap()).collect()
}

/// Runs a resolution to the end on a fresh current-thread runtime.
pub(crate) fn run(
    index: &MemoryIndex,
    request: &ResolveRequest,
) -> Result<Resolution, ResolveError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(resolve(request, index))
}

/// The pins of a successful resolution, one `name==version` per line, or
/// the error.
pub(crate) fn outcome(index: &MemoryIndex, request: &ResolveRequest) -> String {
    match run(index, request) {
        Ok(resolution) => resolution.pins().join("\n"),
        Err(err) => format!("error: {err}"),
    }
}
