//! A short description of one release of one package, and the artifacts it builds.
//!
//! `Package::new("b", "2.0").dep("a>=1").file("b/__init__.py", "X = 1")` is
//! everything a test needs to say; [`Package::build`] turns it into real
//! files: by default one `py3-none-any` wheel, optionally an sdist, or only
//! an sdist. Requirement strings, specifiers and versions are kept as the
//! test wrote them (the test kit must be able to produce odd or invalid
//! metadata on purpose); only names are normalized, because filenames and
//! index URLs depend on the normalized form.
//!
//! Defaults are chosen so that artifacts are reproducible: fixed timestamps,
//! fixed file order, and an upload time of 2024-01-01 unless one is given.

use crate::artifact::{Artifact, ArtifactKind};
use crate::build_backend::BuildBackend;
use crate::{Error, core_metadata, sdist, wheel};
use posy_vocab::{ExtraName, PackageName};

/// The upload time every file gets unless its package or the index says otherwise.
pub(crate) const DEFAULT_UPLOAD_TIME: &str = "2024-01-01T00:00:00.000000Z";

/// One release (name and version) of a package, described in a few calls.
///
/// ```
/// use posy_testkit::Package;
/// let b = Package::new("b", "2.0")
///     .dep("a>=1")
///     .extra("socks", ["pysocks"])
///     .requires_python(">=3.8")
///     .file("b/__init__.py", "X = 1")
///     .entry_point("console_scripts", "b-cli", "b:main");
/// let artifacts = b.build().unwrap();
/// assert_eq!(artifacts[0].filename(), "b-2.0-py3-none-any.whl");
/// ```
#[derive(Clone, Debug)]
pub struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) metadata_version: String,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) requires_dist: Vec<String>,
    pub(crate) extras: Vec<(String, Vec<String>)>,
    pub(crate) requires_python: Option<String>,
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) data_files: Vec<(String, String, Vec<u8>)>,
    pub(crate) sdist_files: Vec<(String, Vec<u8>)>,
    pub(crate) entry_points: Vec<(String, String, String)>,
    pub(crate) tags: Vec<String>,
    pub(crate) build_tag: Option<String>,
    pub(crate) wheel: bool,
    pub(crate) sdist: bool,
    pub(crate) build_backend: BuildBackend,
    pub(crate) yanked: Option<String>,
    pub(crate) upload_time: Option<String>,
}

impl Package {
    /// A release of `name` at `version`, with no dependencies and no files.
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_string(),
            version: version.to_string(),
            metadata_version: "2.2".to_string(),
            summary: None,
            description: None,
            headers: Vec::new(),
            requires_dist: Vec::new(),
            extras: Vec::new(),
            requires_python: None,
            files: Vec::new(),
            data_files: Vec::new(),
            sdist_files: Vec::new(),
            entry_points: Vec::new(),
            tags: Vec::new(),
            build_tag: None,
            wheel: true,
            sdist: false,
            build_backend: BuildBackend::setuptools(),
            yanked: None,
            upload_time: None,
        }
    }

    /// Adds a dependency: a PEP 508 requirement, written to `Requires-Dist` as given.
    pub fn dep(mut self, requirement: &str) -> Self {
        self.requires_dist.push(requirement.to_string());
        self
    }

    /// Adds several dependencies at once.
    pub fn deps<'a>(mut self, requirements: impl IntoIterator<Item = &'a str>) -> Self {
        self.requires_dist
            .extend(requirements.into_iter().map(str::to_string));
        self
    }

    /// Declares an extra (`Provides-Extra`) and the requirements it adds,
    /// each written as `req; extra == "name"`.
    pub fn extra<'a>(
        mut self,
        extra: &str,
        requirements: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let requirements = requirements.into_iter().map(str::to_string).collect();
        self.extras.push((extra.to_string(), requirements));
        self
    }

    /// Sets `Requires-Python` (and `data-requires-python` on index pages).
    pub fn requires_python(mut self, specifier: &str) -> Self {
        self.requires_python = Some(specifier.to_string());
        self
    }

    /// Sets the `Summary` field.
    pub fn summary(mut self, summary: &str) -> Self {
        self.summary = Some(summary.to_string());
        self
    }

    /// Sets the long description, written as the metadata body.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }

    /// Adds any other core metadata field, e.g. `("License", "MIT")`.
    pub fn metadata_field(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets `Metadata-Version` (default `2.2`, so sdist metadata is static per PEP 643).
    pub fn metadata_version(mut self, version: &str) -> Self {
        self.metadata_version = version.to_string();
        self
    }

    /// Adds a file at `path` in the wheel's root (site-packages) and in the sdist.
    pub fn file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.files
            .push((path.to_string(), contents.as_ref().to_vec()));
        self
    }

    /// Adds a file to the wheel's `{name}-{version}.data/{scheme}/` directory
    /// (`scheme` is one of purelib, platlib, headers, scripts, data).
    pub fn data_file(mut self, scheme: &str, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.data_files.push((
            scheme.to_string(),
            path.to_string(),
            contents.as_ref().to_vec(),
        ));
        self
    }

    /// Adds a file only to the sdist, e.g. an in-tree build backend or a
    /// hand-written `pyproject.toml` (which then replaces the generated one).
    pub fn sdist_file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.sdist_files
            .push((path.to_string(), contents.as_ref().to_vec()));
        self
    }

    /// Adds an entry point, written to `entry_points.txt` (and to the sdist's `pyproject.toml`).
    pub fn entry_point(mut self, group: &str, name: &str, object: &str) -> Self {
        self.entry_points
            .push((group.to_string(), name.to_string(), object.to_string()));
        self
    }

    /// Builds a wheel with this tag (`python-abi-platform`, compressed tag
    /// sets like `py2.py3-none-any` allowed). Call it again for more wheels;
    /// without any call the package gets one `py3-none-any` wheel.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tags.push(tag.to_string());
        self
    }

    /// Gives the wheels a build tag (`b-2.0-1-py3-none-any.whl`).
    pub fn build_tag(mut self, build: &str) -> Self {
        self.build_tag = Some(build.to_string());
        self
    }

    /// Also builds an sdist (`{name}-{version}.tar.gz`, PEP 625).
    pub fn with_sdist(mut self) -> Self {
        self.sdist = true;
        self
    }

    /// Builds only an sdist, no wheel.
    pub fn sdist_only(mut self) -> Self {
        self.sdist = true;
        self.wheel = false;
        self
    }

    /// Sets the sdist's `[build-system]` (default: setuptools).
    pub fn build_backend(mut self, backend: BuildBackend) -> Self {
        self.build_backend = backend;
        self
    }

    /// Marks every file of this release yanked (PEP 592); an empty reason
    /// means yanked without a reason.
    pub fn yanked(mut self, reason: &str) -> Self {
        self.yanked = Some(reason.to_string());
        self
    }

    /// Sets the upload time of every file of this release, as PEP 700 writes
    /// it (`2024-05-01T12:00:00.000000Z`).
    pub fn upload_time(mut self, time: &str) -> Self {
        self.upload_time = Some(time.to_string());
        self
    }

    /// The PEP 503-normalized name.
    pub fn normalized_name(&self) -> Result<PackageName, Error> {
        Ok(PackageName::new(&self.name)?)
    }

    /// Builds every artifact this description asks for: wheels first (one
    /// per tag), then the sdist.
    pub fn build(&self) -> Result<Vec<Artifact>, Error> {
        let name = self.normalized_name()?;
        let version = self.filename_version()?;
        let extras = self
            .extras
            .iter()
            .map(|(extra, reqs)| Ok((ExtraName::new(extra)?, reqs.as_slice())))
            .collect::<Result<Vec<_>, Error>>()?;
        let metadata = core_metadata::render(self, &extras);
        let base = format!("{}-{version}", name.as_dist_info_name());

        let mut artifacts = Vec::new();
        if self.wheel {
            let default_tag = ["py3-none-any".to_string()];
            let tags = if self.tags.is_empty() {
                &default_tag[..]
            } else {
                &self.tags[..]
            };
            for tag in tags {
                let wheel = wheel::build(self, &base, tag, &metadata)?;
                artifacts.push(self.artifact(&name, ArtifactKind::Wheel, wheel, Some(&metadata)));
            }
        }
        if self.sdist {
            let sdist = sdist::build(self, &base, &metadata, &extras)?;
            artifacts.push(self.artifact(&name, ArtifactKind::Sdist, sdist, None));
        }
        if artifacts.is_empty() {
            return Err(Error::NoArtifacts {
                package: self.name.clone(),
                version: self.version.clone(),
            });
        }
        Ok(artifacts)
    }

    fn artifact(
        &self,
        name: &PackageName,
        kind: ArtifactKind,
        (filename, bytes): (String, Vec<u8>),
        metadata: Option<&str>,
    ) -> Artifact {
        let mut artifact = Artifact::new(
            name.clone(),
            &self.version,
            kind,
            filename,
            bytes,
            metadata.map(|m| m.as_bytes().to_vec()),
        );
        artifact.requires_python = self.requires_python.clone();
        artifact.yanked = self.yanked.clone();
        artifact.upload_time = self
            .upload_time
            .clone()
            .unwrap_or_else(|| DEFAULT_UPLOAD_TIME.to_string());
        artifact
    }

    /// The version as filenames spell it (PEP 427: `-` becomes `_`), after
    /// checking it holds only characters a PEP 440 version can have.
    fn filename_version(&self) -> Result<String, Error> {
        let error = |reason| Error::Version {
            package: self.name.clone(),
            version: self.version.clone(),
            reason,
        };
        if self.version.is_empty() {
            return Err(error("it is empty"));
        }
        if !self
            .version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '-' | '_'))
        {
            return Err(error(
                "only letters, digits, `.`, `+`, `!`, `-` and `_` can appear",
            ));
        }
        Ok(self.version.replace('-', "_"))
    }
}

/// Checks that `path` is a relative path that stays inside an archive's root.
pub(crate) fn check_relative_path(package: &str, path: &str) -> Result<(), Error> {
    let error = |reason| Error::Path {
        package: package.to_string(),
        path: path.to_string(),
        reason,
    };
    if path.is_empty() {
        return Err(error("it is empty"));
    }
    if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return Err(error("use a relative path with `/` separators"));
    }
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(error("empty, `.` and `..` components are not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_build_is_one_pure_wheel() {
        let artifacts = Package::new("Foo.Bar", "1.0").build().unwrap();
        assert_eq!(artifacts.len(), 1);
        assert_eq!(artifacts[0].filename(), "foo_bar-1.0-py3-none-any.whl");
        assert_eq!(artifacts[0].project().as_str(), "foo-bar");
    }

    #[test]
    fn tags_and_sdist_build_one_artifact_each() {
        let artifacts = Package::new("a", "1.0")
            .tag("py2.py3-none-any")
            .tag("cp311-cp311-manylinux_2_17_x86_64")
            .build_tag("7")
            .with_sdist()
            .build()
            .unwrap();
        let names: Vec<_> = artifacts.iter().map(Artifact::filename).collect();
        assert_eq!(
            names,
            [
                "a-1.0-7-py2.py3-none-any.whl",
                "a-1.0-7-cp311-cp311-manylinux_2_17_x86_64.whl",
                "a-1.0.tar.gz"
            ]
        );
    }

    #[test]
    fn sdist_only_builds_no_wheel() {
        let artifacts = Package::new("a", "1.0").sdist_only().build().unwrap();
        assert_eq!(artifacts.len(), 1);
        assert_eq!(artifacts[0].kind(), ArtifactKind::Sdist);
        assert!(artifacts[0].metadata().is_none());
    }

    #[test]
    fn bad_descriptions_are_errors_that_name_the_problem() {
        let err = Package::new("a b", "1.0").build().unwrap_err().to_string();
        assert!(err.contains("a b"), "{err}");
        let err = Package::new("a", "1.0 beta")
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("1.0 beta"), "{err}");
        let err = Package::new("a", "1")
            .tag("py3")
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("py3"), "{err}");
        let err = Package::new("a", "1")
            .file("../x.py", "")
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("../x.py"), "{err}");
        let err = Package::new("a", "1")
            .extra("no way", ["b"])
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("no way"), "{err}");
    }

    #[test]
    fn dashed_versions_are_escaped_in_filenames() {
        let artifacts = Package::new("a", "1.0-1").with_sdist().build().unwrap();
        assert_eq!(artifacts[0].filename(), "a-1.0_1-py3-none-any.whl");
        assert_eq!(artifacts[1].filename(), "a-1.0_1.tar.gz");
    }
}
