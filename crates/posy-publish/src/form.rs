//! The legacy upload API's form: which fields, and the multipart body.
//!
//! The API is the one PyPI's `upload.pypi.org/legacy/` defines and every
//! other index copies (devpi, pypiserver, Artifactory, Nexus, the cloud
//! registries): one `multipart/form-data` POST per file, with
//! `:action=file_upload`, `protocol_version=1`, the core metadata fields
//! under Warehouse's names (a multi-valued field repeated once per value),
//! the file's `sha256_digest` and `blake2_256_digest`, and the file itself
//! as the `content` part. These are the fields twine and uv send; md5 is
//! left out, as uv leaves it out: no index requires it and it proves
//! nothing.
//!
//! The body is built in memory: distributions are small next to memory,
//! and a body that exists whole can be sent again as it is when a request
//! is retried.

use crate::dist::DistFile;

/// Core metadata headers sent once, with their form names.
const SINGLE: &[(&str, &str)] = &[
    ("Summary", "summary"),
    ("Author", "author"),
    ("Author-email", "author_email"),
    ("Maintainer", "maintainer"),
    ("Maintainer-email", "maintainer_email"),
    ("License", "license"),
    ("License-Expression", "license_expression"),
    ("Keywords", "keywords"),
    ("Home-page", "home_page"),
    ("Download-URL", "download_url"),
    ("Description-Content-Type", "description_content_type"),
    ("Requires-Python", "requires_python"),
];

/// Core metadata headers sent once per value, with their form names.
const MULTI: &[(&str, &str)] = &[
    ("Classifier", "classifiers"),
    ("Dynamic", "dynamic"),
    ("License-File", "license_file"),
    ("Obsoletes-Dist", "obsoletes_dist"),
    ("Platform", "platform"),
    ("Project-URL", "project_urls"),
    ("Provides-Dist", "provides_dist"),
    ("Provides-Extra", "provides_extra"),
    ("Requires-Dist", "requires_dist"),
    ("Requires-External", "requires_external"),
    ("Supported-Platform", "supported_platform"),
];

/// The text fields of `dist`'s upload, in the order they are sent.
pub fn form_fields(dist: &DistFile) -> Vec<(&'static str, String)> {
    let metadata = &dist.metadata;
    let mut fields = vec![
        (":action", "file_upload".to_string()),
        ("protocol_version", "1".to_string()),
        ("sha256_digest", dist.sha256.clone()),
        ("blake2_256_digest", dist.blake2_256.clone()),
        (
            "metadata_version",
            metadata
                .get("Metadata-Version")
                .unwrap_or("1.0")
                .to_string(),
        ),
        (
            "name",
            metadata
                .get("Name")
                .map_or_else(|| dist.name.to_string(), str::to_string),
        ),
        ("version", dist.version.to_string()),
        ("filetype", dist.kind.filetype().to_string()),
        ("pyversion", dist.kind.pyversion()),
    ];
    for (header, field) in SINGLE {
        if let Some(value) = metadata.get(header) {
            fields.push((field, value.to_string()));
        }
    }
    // Metadata 2.1+ puts the description in the body; older files in a header.
    if let Some(description) = metadata.body().or_else(|| metadata.get("Description")) {
        fields.push(("description", description.to_string()));
    }
    for (header, field) in MULTI {
        for value in metadata.get_all(header) {
            fields.push((field, value.to_string()));
        }
    }
    fields
}

/// A `multipart/form-data` body (RFC 7578).
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    /// An empty body with a boundary that cannot occur in `content` (it
    /// is derived from the content's digest, and checked).
    pub fn new(seed: &str, content: &[u8]) -> Multipart {
        let mut boundary = format!("----posy-{seed}");
        while contains(content, boundary.as_bytes()) {
            boundary.push('x');
        }
        Multipart {
            boundary,
            body: Vec::with_capacity(content.len() + 16 * 1024),
        }
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &str, value: &str) {
        self.header(name, None);
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
    }

    /// Adds a file part.
    pub fn file(&mut self, name: &str, filename: &str, content: &[u8]) {
        self.header(name, Some(filename));
        self.body.extend_from_slice(content);
        self.body.extend_from_slice(b"\r\n");
    }

    fn header(&mut self, name: &str, filename: Option<&str>) {
        let mut header = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
            self.boundary,
            escape(name)
        );
        if let Some(filename) = filename {
            header.push_str(&format!(
                "; filename=\"{}\"\r\nContent-Type: application/octet-stream",
                escape(filename)
            ));
        }
        header.push_str("\r\n\r\n");
        self.body.extend_from_slice(header.as_bytes());
    }

    /// The `Content-Type` header value and the finished body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body,
        )
    }
}

/// Quotes a name as HTML forms do in `Content-Disposition`.
fn escape(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::DistKind;
    use posy_vocab::Headers;

    fn dist(metadata: &str) -> DistFile {
        DistFile {
            path: "demo-1.0.tar.gz".into(),
            filename: "demo-1.0.tar.gz".into(),
            kind: DistKind::Sdist("demo-1.0.tar.gz".parse().unwrap()),
            name: posy_vocab::PackageName::new("demo").unwrap(),
            version: "1.0".parse().unwrap(),
            metadata: Headers::parse(metadata).unwrap(),
            sha256: "ab".repeat(32),
            blake2_256: "cd".repeat(32),
            size: 3,
        }
    }

    #[test]
    fn fields_follow_warehouse_names_and_repeat_multi_values() {
        let fields = form_fields(&dist(
            "Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\nSummary: S\nRequires-Python: >=3.8\n\
             Classifier: A\nClassifier: B\nRequires-Dist: six\nProject-URL: Home, https://x\n\nBody text\n",
        ));
        let get = |name: &str| -> Vec<&str> {
            fields
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get(":action"), ["file_upload"]);
        assert_eq!(get("protocol_version"), ["1"]);
        assert_eq!(get("name"), ["Demo"]);
        assert_eq!(get("metadata_version"), ["2.1"]);
        assert_eq!(get("filetype"), ["sdist"]);
        assert_eq!(get("pyversion"), ["source"]);
        assert_eq!(get("classifiers"), ["A", "B"]);
        assert_eq!(get("requires_python"), [">=3.8"]);
        assert_eq!(get("project_urls"), ["Home, https://x"]);
        assert_eq!(get("description"), ["Body text\n"]);
        assert_eq!(get("sha256_digest"), ["ab".repeat(32)]);
        assert!(get("md5_digest").is_empty());
    }

    #[test]
    fn multipart_body_is_well_formed() {
        let content = b"PK\x03\x04 bytes";
        let mut form = Multipart::new("seed", content);
        form.text("name", "demo");
        form.file("content", "demo\"1.whl", content);
        let (content_type, body) = form.finish();
        assert_eq!(content_type, "multipart/form-data; boundary=----posy-seed");
        let text = String::from_utf8_lossy(&body);
        assert_eq!(
            text,
            "------posy-seed\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ndemo\r\n\
             ------posy-seed\r\nContent-Disposition: form-data; name=\"content\"; filename=\"demo%221.whl\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nPK\u{3}\u{4} bytes\r\n------posy-seed--\r\n"
        );
        let clash = Multipart::new("s", b"xx------posy-s yy");
        assert_eq!(
            clash.finish().0,
            "multipart/form-data; boundary=----posy-sx"
        );
    }
}
