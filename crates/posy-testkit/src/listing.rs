//! What an index page says about each file, shared by the HTML and JSON pages.
//!
//! Both page formats list the same facts: where the file is, its sha256, its
//! metadata file's sha256 (PEP 658/714) when metadata files are served,
//! requires-python and yanked. The "wrong hash" fault is applied here, once,
//! so both formats lie in the same way: they list the sha256 of other bytes.

use crate::{Artifact, digest};

/// How a page lists its files.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Listing<'a> {
    /// Prepended to the (percent-encoded) file name to form its URL.
    pub href_prefix: &'a str,
    /// Whether PEP 658 metadata files are advertised.
    pub metadata_files: bool,
    /// Whether PEP 700 upload times are listed (JSON only).
    pub upload_times: bool,
    /// Whether file hashes are replaced by the hash of other bytes.
    pub wrong_hashes: bool,
}

impl Listing<'_> {
    /// The file's URL, relative to the page.
    pub(crate) fn url(&self, artifact: &Artifact) -> String {
        format!("{}{}", self.href_prefix, url_encode(artifact.filename()))
    }

    /// The sha256 the page lists for the file.
    pub(crate) fn sha256(&self, artifact: &Artifact) -> String {
        if self.wrong_hashes {
            digest::sha256_hex(format!("not the bytes of {}", artifact.filename()).as_bytes())
        } else {
            artifact.sha256().to_string()
        }
    }

    /// The metadata file's sha256, when the page advertises one.
    pub(crate) fn metadata_sha256<'b>(&self, artifact: &'b Artifact) -> Option<&'b str> {
        if self.metadata_files {
            artifact.metadata_sha256()
        } else {
            None
        }
    }
}

/// Percent-encodes every byte of a file name that is not unreserved in a URL
/// path (RFC 3986), keeping `+` and `!` that versions use.
pub(crate) fn url_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'!') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_keeps_version_characters() {
        assert_eq!(
            url_encode("a-1.0+local-py3-none-any.whl"),
            "a-1.0+local-py3-none-any.whl"
        );
        assert_eq!(url_encode("a b#.whl"), "a%20b%23.whl");
    }

    #[test]
    fn wrong_hashes_differ_from_the_real_one() {
        let artifact = Artifact::raw("a", "1", "a-1.tar.gz", "x").unwrap();
        let listing = Listing {
            href_prefix: "",
            metadata_files: true,
            upload_times: true,
            wrong_hashes: true,
        };
        assert_ne!(listing.sha256(&artifact), artifact.sha256());
        let honest = Listing {
            wrong_hashes: false,
            ..listing
        };
        assert_eq!(honest.sha256(&artifact), artifact.sha256());
    }
}
