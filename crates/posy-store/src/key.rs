//! Keys: the names entries are filed under.
//!
//! A key is a SHA-256 digest written as 64 lowercase hex digits. Callers that
//! already know the content hash of what they store (a wheel's sha256) use it
//! directly, so `ls` of the artifacts bucket reads like `sha256sum` output;
//! callers with any other identity (a URL, "sdist hash + build environment")
//! hash it into a key with [`Key::hash_of`] or [`Key::hash_of_parts`].
//!
//! Why hex and not URL-safe base64, which is shorter: base64 is
//! case-sensitive, and the default filesystems of macOS and Windows are not, so
//! two keys that differ only in case would silently share one entry there.
//!
//! On disk a key is fanned out as `<first two digits>/<remaining 62>`: 256
//! directories per bucket, so 100k entries put about 400 names in each
//! directory, which every filesystem lists quickly.

use std::fmt;

use sha2::{Digest, Sha256};

/// The name of one entry: a SHA-256 digest as 64 lowercase hex digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

/// A string that is not a SHA-256 hex digest.
#[derive(Debug, thiserror::Error)]
#[error("`{input}` is not a cache key: expected a SHA-256 digest as 64 hex digits")]
pub struct KeyError {
    input: String,
}

const FAN_LEN: usize = 2;
const HEX_LEN: usize = 64;

impl Key {
    /// The key for a content hash the caller already has (e.g. a wheel's sha256).
    pub fn from_sha256(digest: [u8; 32]) -> Key {
        let mut hex = String::with_capacity(HEX_LEN);
        for byte in digest {
            hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
        }
        Key(hex)
    }

    /// Parses a SHA-256 digest written in hex (either case).
    pub fn from_sha256_hex(input: &str) -> Result<Key, KeyError> {
        if input.len() == HEX_LEN && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Key(input.to_ascii_lowercase()))
        } else {
            Err(KeyError {
                input: input.to_owned(),
            })
        }
    }

    /// The key for an arbitrary identity: the SHA-256 of `bytes`.
    pub fn hash_of(bytes: &[u8]) -> Key {
        Key::from_sha256(Sha256::digest(bytes).into())
    }

    /// The key for an identity made of several parts (e.g. a URL and a
    /// header). Each part is length-prefixed before hashing, so `["ab", "c"]`
    /// and `["a", "bc"]` get different keys.
    pub fn hash_of_parts<I, P>(parts: I) -> Key
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let mut hasher = Sha256::new();
        for part in parts {
            let part = part.as_ref();
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key::from_sha256(hasher.finalize().into())
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fan-out directory name: the first two digits.
    pub(crate) fn fan(&self) -> &str {
        &self.0[..FAN_LEN]
    }

    /// The file name inside the fan-out directory: the remaining digits.
    pub(crate) fn leaf(&self) -> &str {
        &self.0[FAN_LEN..]
    }

    /// Rebuilds a key from its fan-out directory and leaf names, as found on disk.
    pub(crate) fn from_fanned(fan: &str, leaf: &str) -> Option<Key> {
        let is_lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (fan.len() == FAN_LEN
            && leaf.len() == HEX_LEN - FAN_LEN
            && is_lower_hex(fan)
            && is_lower_hex(leaf))
        .then(|| Key(format!("{fan}{leaf}")))
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_matches_sha256sum() {
        // sha256("abc"), a FIPS 180-2 test vector.
        let key = Key::hash_of(b"abc");
        assert_eq!(
            key.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(key.fan(), "ba");
        assert_eq!(key.leaf().len(), 62);
        assert_eq!(Key::from_fanned(key.fan(), key.leaf()), Some(key));
    }

    #[test]
    fn parses_hex_in_either_case() {
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(Key::from_sha256_hex(upper).unwrap(), Key::hash_of(b"abc"));
        for bad in [
            "",
            "xyz",
            &upper[1..],
            &format!("{upper}0"),
            &upper.replace('B', "g"),
        ] {
            let err = Key::from_sha256_hex(bad).unwrap_err();
            assert!(err.to_string().contains("64 hex digits"), "{err}");
        }
    }

    #[test]
    fn parts_are_unambiguous() {
        assert_ne!(
            Key::hash_of_parts(["ab", "c"]),
            Key::hash_of_parts(["a", "bc"])
        );
        assert_eq!(
            Key::hash_of_parts(["ab", "c"]),
            Key::hash_of_parts([b"ab".as_slice(), b"c"])
        );
    }

    #[test]
    fn from_fanned_rejects_foreign_names() {
        assert_eq!(Key::from_fanned("ab", "cd"), None);
        assert_eq!(Key::from_fanned("AB", &"c".repeat(62)), None);
        assert_eq!(
            Key::from_fanned("ab", &format!("{}.lock", "c".repeat(57))),
            None
        );
    }
}
