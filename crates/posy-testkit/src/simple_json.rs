//! Simple repository pages in JSON (PEP 691, with PEP 700 and PEP 714).
//!
//! Served as `application/vnd.pypi.simple.v1+json` with `meta.api-version`
//! 1.1, so the PEP 700 keys are present: the project's `versions`, and each
//! file's `size` and, when upload times are on, `upload-time`. `yanked` is
//! `false`, `true` (yanked without a reason) or the reason; `core-metadata`
//! (PEP 714) and its older spelling `dist-info-metadata` are `{"sha256": ..}`
//! or `false`. `requires-python` is left out when the file has none.

use crate::Artifact;
use crate::listing::Listing;
use posy_vocab::PackageName;
use serde_json::{Map, Value, json};

/// The media type of these pages.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.pypi.simple.v1+json";

/// The `/simple/` page: every project's name.
pub(crate) fn root_page(names: &[&PackageName]) -> String {
    let projects: Vec<Value> = names
        .iter()
        .map(|n| json!({ "name": n.as_str() }))
        .collect();
    json!({ "meta": { "api-version": "1.1" }, "projects": projects }).to_string()
}

/// A project page.
pub(crate) fn project_page(name: &PackageName, files: &[&Artifact], listing: &Listing) -> String {
    let mut versions: Vec<&str> = Vec::new();
    for artifact in files {
        if !versions.contains(&artifact.version()) {
            versions.push(artifact.version());
        }
    }
    let files: Vec<Value> = files.iter().map(|a| file(a, listing)).collect();
    json!({
        "meta": { "api-version": "1.1" },
        "name": name.as_str(),
        "versions": versions,
        "files": files,
    })
    .to_string()
}

fn file(artifact: &Artifact, listing: &Listing) -> Value {
    let mut file = Map::new();
    file.insert("filename".into(), artifact.filename().into());
    file.insert("url".into(), listing.url(artifact).into());
    file.insert(
        "hashes".into(),
        json!({ "sha256": listing.sha256(artifact) }),
    );
    if let Some(requires_python) = artifact.requires_python() {
        file.insert("requires-python".into(), requires_python.into());
    }
    let metadata = match listing.metadata_sha256(artifact) {
        Some(hash) => json!({ "sha256": hash }),
        None => Value::Bool(false),
    };
    file.insert("core-metadata".into(), metadata.clone());
    file.insert("dist-info-metadata".into(), metadata);
    let yanked = match artifact.yanked() {
        None => Value::Bool(false),
        Some("") => Value::Bool(true),
        Some(reason) => reason.into(),
    };
    file.insert("yanked".into(), yanked);
    file.insert("size".into(), artifact.bytes().len().into());
    if listing.upload_times {
        file.insert("upload-time".into(), artifact.upload_time().into());
    }
    Value::Object(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_page_has_pep_700_keys() {
        let wheel = Artifact::raw("a", "1.0", "a-1.0-py3-none-any.whl", "xy")
            .unwrap()
            .with_metadata("m")
            .with_requires_python(">=3.8")
            .with_yanked("")
            .with_upload_time("2023-02-03T04:05:06.000000Z");
        let sdist = Artifact::raw("a", "1.0", "a-1.0.tar.gz", "x").unwrap();
        let listing = Listing {
            href_prefix: "/files/",
            metadata_files: true,
            upload_times: true,
            wrong_hashes: false,
        };
        let name = PackageName::new("a").unwrap();
        let page: Value =
            serde_json::from_str(&project_page(&name, &[&wheel, &sdist], &listing)).unwrap();
        assert_eq!(page["meta"]["api-version"], "1.1");
        assert_eq!(page["versions"], json!(["1.0"]));
        let first = &page["files"][0];
        assert_eq!(first["url"], "/files/a-1.0-py3-none-any.whl");
        assert_eq!(first["hashes"]["sha256"], wheel.sha256());
        assert_eq!(
            first["core-metadata"]["sha256"],
            wheel.metadata_sha256().unwrap()
        );
        assert_eq!(first["requires-python"], ">=3.8");
        assert_eq!(first["yanked"], true);
        assert_eq!(first["size"], 2);
        assert_eq!(first["upload-time"], "2023-02-03T04:05:06.000000Z");
        let second = &page["files"][1];
        assert_eq!(second["core-metadata"], false);
        assert_eq!(second["yanked"], false);
        assert!(second.get("requires-python").is_none());
    }

    #[test]
    fn upload_times_follow_the_switch() {
        let sdist = Artifact::raw("a", "1.0", "a-1.0.tar.gz", "x").unwrap();
        let listing = Listing {
            href_prefix: "",
            metadata_files: true,
            upload_times: false,
            wrong_hashes: false,
        };
        let name = PackageName::new("a").unwrap();
        assert!(!project_page(&name, &[&sdist], &listing).contains("upload-time"));
    }
}
