//! Core metadata 1.0–2.4: the `METADATA` file of a wheel and `PKG-INFO` of an sdist.
//!
//! The resolver needs four things from metadata: the name, the version, the
//! dependencies (`Requires-Dist`, with their markers and extras) and
//! `Requires-Python`; those are parsed into vocabulary types here, and a bad
//! value is an error naming the field and the line. Everything else a user
//! may want to see (`posy pip show`) is kept as text.
//!
//! Metadata is published, not typed: nobody can fix a release that is on
//! the index. `Requires-Dist` and `Requires-Python` are therefore read
//! leniently, as uv reads them: the well-known mistakes (`>=3.6.*`, a
//! missing comma, stray quotes; see `lenient.rs`) are read as what they
//! evidently mean, and each one is kept in [`CoreMetadata::fixups`] so the
//! caller, which knows whether the metadata is used, can warn about it.
//!
//! Versions of the format differ mostly in which fields exist; one parser
//! serves them all because the file format never changed. Metadata-Version
//! with a major version we do not know (3.x) is refused, as the
//! specification asks. `Dynamic` (2.2, PEP 643) matters for sdists: a
//! `PKG-INFO` at 2.2 or later whose `Dynamic` does not list a field can be
//! trusted for that field without running the build backend
//! ([`CoreMetadata::is_static`]).
//!
//! The description may be a `Description` header (older versions, with
//! continuation lines) or the body (2.1+); the body wins when both exist.

use std::fmt;

use crate::headers::Headers;
use crate::{ExtraName, PackageName, ParseError, Requirement, SpecifierSet, Version};

/// A metadata file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// The file is not in the header format at all.
    Format(ParseError),
    /// A required field is missing.
    Missing(&'static str),
    /// A field's value does not parse.
    Invalid {
        field: &'static str,
        error: ParseError,
    },
    /// The metadata version is one we cannot read.
    UnsupportedVersion(String),
    /// `Name` or `Version` was declared dynamic, which the specification forbids.
    ForbiddenDynamic(String),
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(e) => write!(f, "the metadata file is malformed: {e}"),
            Self::Missing(field) => write!(f, "the metadata has no `{field}` field"),
            Self::Invalid { field, error } => {
                write!(f, "the metadata's `{field}` field is invalid: {error}")
            }
            Self::UnsupportedVersion(v) => write!(
                f,
                "Metadata-Version {v} is newer than posy understands (2.x); upgrade posy"
            ),
            Self::ForbiddenDynamic(field) => {
                write!(
                    f,
                    "the metadata declares `{field}` dynamic, which core metadata forbids"
                )
            }
        }
    }
}

impl std::error::Error for MetadataError {}

/// A field value that broke the specification in a well-known way and was
/// read as it evidently meant. Its `Display` completes a sentence that
/// starts with the distribution: "declares `Requires-Python: >=3.6.*`, read
/// as `>=3.6`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataFixup {
    /// The field, such as `"Requires-Python"`.
    pub field: &'static str,
    /// The value as the file has it.
    pub written: String,
    /// The text it was read as.
    pub read_as: String,
}

impl MetadataFixup {
    /// The fixup for `written`, if a lenient parse had to rewrite it as `read_as`.
    fn new(field: &'static str, written: &str, read_as: Option<String>) -> Option<Self> {
        read_as.map(|read_as| Self {
            field,
            written: written.to_string(),
            read_as,
        })
    }
}

impl fmt::Display for MetadataFixup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "declares `{}: {}`, read as `{}`",
            self.field, self.written, self.read_as
        )
    }
}

/// The parsed metadata of one distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    /// `Metadata-Version` as written (e.g. `"2.1"`).
    pub metadata_version: String,
    pub name: PackageName,
    pub version: Version,
    pub requires_dist: Vec<Requirement>,
    pub requires_python: Option<SpecifierSet>,
    pub provides_extra: Vec<ExtraName>,
    /// Lowercased names of fields declared `Dynamic` (2.2+).
    pub dynamic: Vec<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub description_content_type: Option<String>,
    pub keywords: Option<String>,
    pub home_page: Option<String>,
    pub download_url: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub license: Option<String>,
    pub license_expression: Option<String>,
    pub license_files: Vec<String>,
    pub classifiers: Vec<String>,
    /// `Project-URL` entries as (label, URL).
    pub project_urls: Vec<(String, String)>,
    pub platforms: Vec<String>,
    pub supported_platforms: Vec<String>,
    pub requires_external: Vec<String>,
    pub provides_dist: Vec<String>,
    pub obsoletes_dist: Vec<String>,
    /// The values of `Requires-Dist` and `Requires-Python` that were read
    /// leniently, in file order; empty for metadata that follows the
    /// specifications.
    pub fixups: Vec<MetadataFixup>,
}

impl CoreMetadata {
    /// Parses metadata from bytes. Files are UTF-8 by specification; the
    /// odd legacy file in another encoding is read lossily rather than refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        Self::parse_str(&String::from_utf8_lossy(bytes))
    }

    /// Parses metadata from text.
    pub fn parse_str(text: &str) -> Result<Self, MetadataError> {
        let headers = Headers::parse(text).map_err(MetadataError::Format)?;
        let metadata_version = headers
            .get("Metadata-Version")
            .ok_or(MetadataError::Missing("Metadata-Version"))?
            .to_string();
        let major = metadata_version
            .split('.')
            .next()
            .and_then(|m| m.trim().parse::<u32>().ok());
        if !matches!(major, Some(1 | 2)) {
            return Err(MetadataError::UnsupportedVersion(metadata_version));
        }
        let name = required(&headers, "Name")?;
        let name = PackageName::new(name).map_err(|error| MetadataError::Invalid {
            field: "Name",
            error,
        })?;
        let version = required(&headers, "Version")?;
        let version: Version = version.parse().map_err(|error| MetadataError::Invalid {
            field: "Version",
            error,
        })?;
        let mut fixups = Vec::new();
        let mut requires_dist = Vec::new();
        for text in headers.get_all("Requires-Dist") {
            let (requirement, read_as) =
                Requirement::parse_lenient(text).map_err(|error| MetadataError::Invalid {
                    field: "Requires-Dist",
                    error,
                })?;
            fixups.extend(MetadataFixup::new("Requires-Dist", text, read_as));
            requires_dist.push(requirement);
        }
        let requires_python = match headers.get("Requires-Python").filter(|s| !s.is_empty()) {
            Some(text) => {
                let (specifiers, read_as) =
                    SpecifierSet::parse_lenient(text).map_err(|error| MetadataError::Invalid {
                        field: "Requires-Python",
                        error,
                    })?;
                fixups.extend(MetadataFixup::new("Requires-Python", text, read_as));
                Some(specifiers)
            }
            None => None,
        };
        let provides_extra = headers
            .get_all("Provides-Extra")
            .map(ExtraName::new)
            .collect::<Result<_, _>>()
            .map_err(|error| MetadataError::Invalid {
                field: "Provides-Extra",
                error,
            })?;
        let dynamic: Vec<String> = headers
            .get_all("Dynamic")
            .map(|d| d.to_ascii_lowercase())
            .collect();
        if let Some(bad) = dynamic
            .iter()
            .find(|d| *d == "name" || *d == "version" || *d == "metadata-version")
        {
            return Err(MetadataError::ForbiddenDynamic(bad.clone()));
        }
        let text = |field: &str| headers.get(field).map(String::from);
        let all = |field: &str| headers.get_all(field).map(String::from).collect::<Vec<_>>();
        let description = headers
            .body()
            .map(String::from)
            .or_else(|| headers.get("Description").map(unindent_description));
        let project_urls = headers
            .get_all("Project-URL")
            .map(|entry| match entry.split_once(',') {
                Some((label, url)) => (label.trim().to_string(), url.trim().to_string()),
                None => (String::new(), entry.trim().to_string()),
            })
            .collect();
        Ok(Self {
            metadata_version,
            name,
            version,
            requires_dist,
            requires_python,
            provides_extra,
            dynamic,
            summary: text("Summary"),
            description,
            description_content_type: text("Description-Content-Type"),
            keywords: text("Keywords"),
            home_page: text("Home-page"),
            download_url: text("Download-URL"),
            author: text("Author"),
            author_email: text("Author-email"),
            maintainer: text("Maintainer"),
            maintainer_email: text("Maintainer-email"),
            license: text("License"),
            license_expression: text("License-Expression"),
            license_files: all("License-File"),
            classifiers: all("Classifier"),
            project_urls,
            platforms: all("Platform"),
            supported_platforms: all("Supported-Platform"),
            requires_external: all("Requires-External"),
            provides_dist: all("Provides-Dist"),
            obsoletes_dist: all("Obsoletes-Dist"),
            fixups,
        })
    }

    /// Whether the metadata version is 2.2 or later, so `Dynamic` is meaningful (PEP 643).
    pub fn declares_dynamic(&self) -> bool {
        let mut parts = self
            .metadata_version
            .split('.')
            .map(|p| p.trim().parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        (major, minor) >= (2, 2)
    }

    /// Whether `field` (e.g. `"Requires-Dist"`) can be taken from this file
    /// as final: true for metadata 2.2+ that does not list it as dynamic.
    /// For older metadata in an sdist nothing is known to be static.
    pub fn is_static(&self, field: &str) -> bool {
        self.declares_dynamic() && !self.dynamic.iter().any(|d| d.eq_ignore_ascii_case(field))
    }
}

fn required<'a>(headers: &'a Headers, field: &'static str) -> Result<&'a str, MetadataError> {
    headers
        .get(field)
        .filter(|v| !v.is_empty())
        .ok_or(MetadataError::Missing(field))
}

/// Older tools wrote the description as a header whose continuation lines are
/// indented by eight spaces, or by seven and a `|`; strip that indentation.
fn unindent_description(value: &str) -> String {
    let mut lines = value.lines();
    let mut out = String::from(lines.next().unwrap_or_default());
    for line in lines {
        out.push('\n');
        let stripped = line
            .strip_prefix("       |")
            .or_else(|| line.strip_prefix("        "))
            .unwrap_or(line.trim_start());
        out.push_str(stripped);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUESTS: &str = "Metadata-Version: 2.1
Name: requests
Version: 2.32.3
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
License: Apache-2.0
Project-URL: Documentation, https://requests.readthedocs.io
Project-URL: Source, https://github.com/psf/requests
Classifier: Development Status :: 5 - Production/Stable
Classifier: Programming Language :: Python :: 3
Requires-Python: >=3.8
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: charset-normalizer<4,>=2
Requires-Dist: idna<4,>=2.5
Requires-Dist: urllib3<3,>=1.21.1
Requires-Dist: certifi>=2017.4.17
Provides-Extra: security
Provides-Extra: socks
Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == \"socks\"
Provides-Extra: use_chardet_on_py3
Requires-Dist: chardet<6,>=3.0.2; extra == \"use-chardet-on-py3\"

# Requests

**Requests** is a simple, yet elegant, HTTP library.
";

    #[test]
    fn parses_real_metadata() {
        let m = CoreMetadata::parse(REQUESTS.as_bytes()).unwrap();
        assert_eq!(m.name.as_str(), "requests");
        assert_eq!(m.version.to_string(), "2.32.3");
        assert_eq!(m.requires_dist.len(), 6);
        assert_eq!(m.requires_dist[4].name.as_str(), "pysocks");
        assert_eq!(m.requires_python.as_ref().unwrap().to_string(), ">=3.8");
        assert_eq!(
            m.provides_extra
                .iter()
                .map(ExtraName::as_str)
                .collect::<Vec<_>>(),
            ["security", "socks", "use-chardet-on-py3"]
        );
        assert_eq!(
            m.project_urls[1],
            ("Source".into(), "https://github.com/psf/requests".into())
        );
        assert_eq!(m.classifiers.len(), 2);
        assert!(m.description.as_deref().unwrap().starts_with("# Requests"));
        assert!(!m.declares_dynamic());
        assert!(!m.is_static("Requires-Dist"));
    }

    #[test]
    fn pep_643_dynamic_fields() {
        let m = CoreMetadata::parse_str(
            "Metadata-Version: 2.2\nName: a\nVersion: 1.0\nDynamic: Requires-Dist\nRequires-Python: >=3.9\n",
        )
        .unwrap();
        assert!(m.declares_dynamic());
        assert!(!m.is_static("Requires-Dist"));
        assert!(m.is_static("Requires-Python"));
        let e = CoreMetadata::parse_str(
            "Metadata-Version: 2.2\nName: a\nVersion: 1.0\nDynamic: Version\n",
        )
        .unwrap_err();
        assert_eq!(e, MetadataError::ForbiddenDynamic("version".into()));
    }

    #[test]
    fn legacy_description_header() {
        let m = CoreMetadata::parse_str(
            "Metadata-Version: 1.1\nName: old\nVersion: 0.1\nDescription: First line\n        second line\n       |third line\n",
        )
        .unwrap();
        assert_eq!(
            m.description.as_deref(),
            Some("First line\nsecond line\nthird line")
        );
        assert!(m.requires_dist.is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let cases: [(&str, &str); 5] = [
            ("Name: a\nVersion: 1\n", "Metadata-Version"),
            ("Metadata-Version: 2.1\nVersion: 1\n", "Name"),
            ("Metadata-Version: 2.1\nName: a\n", "Version"),
            (
                "Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b>=>1\n",
                "Requires-Dist",
            ),
            (
                "Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: 3.8\n",
                "Requires-Python",
            ),
        ];
        for (text, field) in cases {
            let e = CoreMetadata::parse_str(text).unwrap_err();
            assert!(e.to_string().contains(field), "{text:?}: {e}");
        }
        assert!(matches!(
            CoreMetadata::parse_str("Metadata-Version: 3.0\nName: a\nVersion: 1\n"),
            Err(MetadataError::UnsupportedVersion(_))
        ));
    }

    #[test]
    fn well_known_mistakes_are_read_leniently_and_recorded() {
        let m = CoreMetadata::parse_str(
            "Metadata-Version: 2.1\nName: pyhiveapi\nVersion: 0.5.14\nRequires-Python: >=3.6.*\n\
             Requires-Dist: requests\nRequires-Dist: botocore>=1.3.0,<1.4.0',\n",
        )
        .unwrap();
        assert_eq!(m.requires_python.unwrap().to_string(), ">=3.6");
        assert_eq!(m.requires_dist[1].to_string(), "botocore>=1.3.0, <1.4.0");
        let said: Vec<String> = m.fixups.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "declares `Requires-Dist: botocore>=1.3.0,<1.4.0',`, read as `botocore>=1.3.0,<1.4.0`",
                "declares `Requires-Python: >=3.6.*`, read as `>=3.6`",
            ]
        );
        assert!(
            CoreMetadata::parse(REQUESTS.as_bytes())
                .unwrap()
                .fixups
                .is_empty()
        );
    }

    #[test]
    fn non_utf8_is_read_lossily() {
        let mut bytes = b"Metadata-Version: 2.1\nName: a\nVersion: 1.0\nAuthor: Jos\xe9\n".to_vec();
        bytes.push(b'\n');
        let m = CoreMetadata::parse(&bytes).unwrap();
        assert!(m.author.unwrap().starts_with("Jos"));
    }
}
