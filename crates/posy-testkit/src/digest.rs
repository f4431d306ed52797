//! The two spellings of a sha256 digest that packaging uses.
//!
//! Index pages, `#sha256=` fragments and PEP 658 attributes spell a digest
//! as lowercase hex; a wheel's RECORD spells it as URL-safe base64 without
//! padding (PEP 376 / PEP 427). Both are computed here so that every file
//! the test kit writes agrees with every page it serves.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The sha256 of `data` as lowercase hex, as index pages write it.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for byte in digest.iter() {
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 0xf)] as char);
    }
    out
}

/// The hash column of a RECORD line: `sha256=` and URL-safe base64 without padding.
pub(crate) fn record_hash(data: &[u8]) -> String {
    format!("sha256={}", URL_SAFE_NO_PAD.encode(Sha256::digest(data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_empty_input_is_the_known_digest() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn record_hash_is_urlsafe_base64_without_padding() {
        // Known value: the digest of "hello\n" in RECORD spelling.
        assert_eq!(
            record_hash(b"hello\n"),
            "sha256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM"
        );
    }
}
