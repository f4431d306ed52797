//! The JSON form of the Simple API (PEP 691, with PEP 700's additions).
//!
//! The page is `{"meta": {"api-version": "1.x"}, "name", "files": [...],
//! "versions": [...]}`. Each file has `filename`, `url` (possibly relative to
//! the page), `hashes` (algorithm → hex; algorithms posy does not know are
//! skipped), and optionally `requires-python`, `yanked` (`false`, `true` or a
//! reason string), `core-metadata` (PEP 714; `dist-info-metadata` is the
//! older spelling, read only when the new one is missing) as `false`, `true`
//! or a hash map, `size` and `upload-time` (ISO 8601, always UTC). PEP 629's
//! rule applies: an unknown major `api-version` is refused.
//!
//! Parsing is lenient where the PEPs allow servers to be sloppy (a
//! malformed `upload-time` is treated as absent rather than failing the
//! whole page) and strict where a mistake would change what gets installed
//! (a file without a usable URL is an error).

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use posy_vocab::ArtifactHash;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use url::Url;

use crate::page::{CoreMetadataFile, IndexFile, Wanted, Yanked};
use crate::simple_html::check_api_version;

// The raw page borrows its strings from the body where it can (JSON
// strings without escapes, which is nearly all of them): a big project's
// page lists tens of thousands of files, and a resolution parses a hundred
// pages at once, so one allocation less per field is most of the cost.

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    meta: Meta<'a>,
    #[serde(borrow)]
    files: Vec<File<'a>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow, rename = "api-version")]
    api_version: Cow<'a, str>,
}

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    filename: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(default, borrow)]
    hashes: Hashes<'a>,
    #[serde(default, borrow, rename = "requires-python")]
    requires_python: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    yanked: Option<BoolOrString<'a>>,
    #[serde(default, borrow, rename = "core-metadata")]
    core_metadata: Option<BoolOrHashes<'a>>,
    #[serde(default, borrow, rename = "dist-info-metadata")]
    dist_info_metadata: Option<BoolOrHashes<'a>>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default, borrow, rename = "upload-time")]
    upload_time: Option<Cow<'a, str>>,
}

/// A `{"algorithm": "hex", ...}` map, in file order, without building a map.
#[derive(Default)]
struct Hashes<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

/// `yanked`: `false`, `true` or a reason.
enum BoolOrString<'a> {
    Bool(bool),
    String(Cow<'a, str>),
}

/// `core-metadata`: `false`, `true` or a hash map.
enum BoolOrHashes<'a> {
    Bool(bool),
    Hashes(Hashes<'a>),
}

/// One visitor for the three shapes above: each field takes the shapes it
/// allows and refuses the rest. (Untagged enums would buffer every value
/// before trying each shape.)
struct Shapes;

enum Shape<'a> {
    Bool(bool),
    String(Cow<'a, str>),
    Hashes(Hashes<'a>),
}

impl<'de> Visitor<'de> for Shapes {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, a string or a map of hashes")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Shape<'de>, E> {
        Ok(Shape::Bool(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Shape<'de>, E> {
        Ok(Shape::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Shape<'de>, E> {
        Ok(Shape::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Shape<'de>, E> {
        Ok(Shape::String(Cow::Owned(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape<'de>, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(1));
        while let Some((algorithm, hex)) = map.next_entry::<Cow<'de, str>, Cow<'de, str>>()? {
            pairs.push((algorithm, hex));
        }
        Ok(Shape::Hashes(Hashes(pairs)))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Hashes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(Shapes)? {
            Shape::Hashes(hashes) => Ok(hashes),
            _ => Err(de::Error::custom("expected a map of hashes")),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for BoolOrString<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(Shapes)? {
            Shape::Bool(b) => Ok(Self::Bool(b)),
            Shape::String(s) => Ok(Self::String(s)),
            Shape::Hashes(_) => Err(de::Error::custom("expected a boolean or a string")),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for BoolOrHashes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(Shapes)? {
            Shape::Bool(b) => Ok(Self::Bool(b)),
            Shape::Hashes(h) => Ok(Self::Hashes(h)),
            Shape::String(_) => Err(de::Error::custom("expected a boolean or a map of hashes")),
        }
    }
}

pub(crate) struct JsonPage {
    pub files: Vec<IndexFile>,
    pub versions: Option<Vec<String>>,
    /// How many files the page lists, kept or not.
    pub listed: usize,
}

/// Parses a JSON Simple API page fetched from `page_url`, keeping the
/// files that `wanted` keeps.
pub(crate) fn parse_json(page_url: &Url, body: &[u8], wanted: &Wanted) -> Result<JsonPage, String> {
    let page: Page<'_> =
        serde_json::from_slice(body).map_err(|e| format!("invalid Simple API JSON: {e}"))?;
    check_api_version(&page.meta.api_version)?;
    let listed = page.files.len();
    let mut files = Vec::with_capacity(match wanted {
        Wanted::All => listed,
        Wanted::Version(..) => 8,
    });
    for raw in page.files {
        if !wanted.keeps(&raw.filename) {
            continue;
        }
        let url = page_url.join(&raw.url).map_err(|e| {
            format!(
                "file `{}` has an unusable URL `{}`: {e}",
                raw.filename, raw.url
            )
        })?;
        let mut file = IndexFile::new(raw.filename.into_owned(), url);
        file.hashes = hashes(&raw.hashes);
        file.requires_python = raw
            .requires_python
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        file.yanked = match raw.yanked {
            None | Some(BoolOrString::Bool(false)) => None,
            Some(BoolOrString::Bool(true)) => Some(Yanked { reason: None }),
            Some(BoolOrString::String(reason)) => Some(Yanked {
                reason: Some(reason.trim().to_owned()).filter(|r| !r.is_empty()),
            }),
        };
        file.core_metadata = match raw.core_metadata.or(raw.dist_info_metadata) {
            None | Some(BoolOrHashes::Bool(false)) => CoreMetadataFile::Absent,
            Some(BoolOrHashes::Bool(true)) => CoreMetadataFile::Present { hashes: Vec::new() },
            Some(BoolOrHashes::Hashes(map)) => CoreMetadataFile::Present {
                hashes: hashes(&map),
            },
        };
        file.size = raw.size;
        file.upload_time = raw.upload_time.and_then(|t| t.parse::<Timestamp>().ok());
        files.push(file);
    }
    Ok(JsonPage {
        files,
        versions: page.versions,
        listed,
    })
}

fn hashes(map: &Hashes<'_>) -> Vec<ArtifactHash> {
    map.0
        .iter()
        .filter_map(|(algorithm, hex)| ArtifactHash::from_hex(algorithm, hex).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_pypi_page() {
        let url = Url::parse("https://pypi.org/simple/iniconfig/").unwrap();
        let page = parse_json(
            &url,
            include_bytes!("../tests/fixtures/iniconfig.json"),
            &Wanted::All,
        )
        .unwrap();
        assert_eq!(page.files.len(), 18);
        let first = &page.files[0];
        assert_eq!(first.filename, "iniconfig-0.1.tar.gz");
        assert_eq!(first.size, Some(3948));
        assert_eq!(
            first.upload_time.unwrap().to_string(),
            "2010-10-12T17:42:07.038193Z"
        );
        assert_eq!(
            first.sha256().unwrap().hex(),
            "f0a16b26d6439c6cf0841a1d77d8fe93c6bacdeff9e7d45dadf8fc83a2e56ae1"
        );
        assert!(
            page.versions
                .as_ref()
                .unwrap()
                .contains(&"2.3.1".to_owned())
        );
        let last = page.files.last().unwrap();
        assert_eq!(last.requires_python.as_deref(), Some(">=3.10"));
    }

    #[test]
    fn real_pages_agree_between_forms() {
        for (name, json, html) in [
            (
                "iniconfig",
                &include_bytes!("../tests/fixtures/iniconfig.json")[..],
                include_str!("../tests/fixtures/iniconfig.html"),
            ),
            (
                "pluggy",
                &include_bytes!("../tests/fixtures/pluggy.json")[..],
                include_str!("../tests/fixtures/pluggy.html"),
            ),
        ] {
            let url = Url::parse(&format!("https://pypi.org/simple/{name}/")).unwrap();
            // The two forms list files in different orders.
            let mut from_json = parse_json(&url, json, &Wanted::All).unwrap().files;
            let mut from_html = crate::simple_html::parse_html(&url, html).unwrap();
            from_json.sort_by(|a, b| a.filename.cmp(&b.filename));
            from_html.sort_by(|a, b| a.filename.cmp(&b.filename));
            assert_eq!(from_json.len(), from_html.len());
            for (j, h) in from_json.iter().zip(&from_html) {
                assert_eq!(j.filename, h.filename);
                assert_eq!(j.url, h.url);
                assert_eq!(j.hashes, h.hashes);
                assert_eq!(j.requires_python, h.requires_python, "{}", j.filename);
                assert_eq!(j.yanked, h.yanked, "{}", j.filename);
            }
        }
    }

    #[test]
    fn pep_691_and_700_fields() {
        let body = br#"{
          "meta": {"api-version": "1.1"},
          "name": "a",
          "versions": ["1.0", "2.0"],
          "files": [
            {"filename": "a-1.0.tar.gz", "url": "../../files/a-1.0.tar.gz",
             "hashes": {"sha256": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "weird": "zz"},
             "yanked": "bad build", "dist-info-metadata": true},
            {"filename": "a-2.0-py3-none-any.whl", "url": "https://f.example/a-2.0-py3-none-any.whl",
             "hashes": {}, "yanked": true, "requires-python": ">=3.9",
             "core-metadata": {"sha256": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
             "dist-info-metadata": false, "upload-time": "not a time", "size": 12}
          ]}"#;
        let url = Url::parse("https://i.example/simple/a/").unwrap();
        let page = parse_json(&url, body, &Wanted::All).unwrap();
        let [one, two] = &page.files[..] else {
            panic!()
        };
        assert_eq!(one.url.as_str(), "https://i.example/files/a-1.0.tar.gz");
        assert_eq!(one.hashes.len(), 1);
        assert_eq!(
            one.yanked.as_ref().unwrap().reason.as_deref(),
            Some("bad build")
        );
        assert_eq!(
            one.core_metadata,
            CoreMetadataFile::Present { hashes: vec![] }
        );
        assert_eq!(two.yanked, Some(Yanked { reason: None }));
        assert!(
            matches!(&two.core_metadata, CoreMetadataFile::Present { hashes } if hashes.len() == 1)
        );
        assert_eq!(two.upload_time, None);
        assert_eq!(two.size, Some(12));
        assert_eq!(page.versions.unwrap(), ["1.0", "2.0"]);
    }

    #[test]
    fn refuses_v2_and_garbage() {
        let url = Url::parse("https://i.example/simple/a/").unwrap();
        assert!(
            parse_json(
                &url,
                br#"{"meta":{"api-version":"2.0"},"files":[]}"#,
                &Wanted::All
            )
            .is_err()
        );
        assert!(parse_json(&url, b"{not json", &Wanted::All).is_err());
        assert!(parse_json(&url, b"", &Wanted::All).is_err());
    }
}
