//! Artifact hashes.
//!
//! Hashes reach posy in three spellings, all naming an algorithm and a digest:
//!
//! - index URLs and `--hash` options: `sha256=<hex>` (PEP 503 fragments) or
//!   `sha256:<hex>` (pip's requirements files);
//! - wheel `RECORD` files: `sha256=<urlsafe base64, no padding>` (PEP 376/427);
//! - PEP 691 JSON and `pylock.toml`: a map of algorithm name to hex digest.
//!
//! An [`ArtifactHash`] holds the algorithm and the raw digest bytes, so two
//! spellings of the same hash compare equal. Its `Display` is the
//! requirements-file form `sha256:<hex>`, which `FromStr` reads back.
//! Computing digests is I/O-adjacent and lives with the code that reads the
//! bytes; this module only names and compares them.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// The digest algorithms an index may name (`hashlib.algorithms_guaranteed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Blake2b,
}

impl HashAlgorithm {
    /// The name as hashlib spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Blake2b => "blake2b",
        }
    }

    /// The digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 | Self::Blake2b => 64,
        }
    }

    /// Whether the algorithm is strong enough to trust for `--require-hashes`
    /// (pip accepts sha256 and stronger).
    pub fn is_secure(self) -> bool {
        matches!(
            self,
            Self::Sha256 | Self::Sha384 | Self::Sha512 | Self::Blake2b
        )
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => Self::Md5,
            "sha1" => Self::Sha1,
            "sha224" => Self::Sha224,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            "blake2b" => Self::Blake2b,
            _ => return None,
        })
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashAlgorithm {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::from_name(s).ok_or_else(|| {
            ParseError::new(
                "hash algorithm",
                s,
                0..s.len(),
                "expected one of md5, sha1, sha224, sha256, sha384, sha512, blake2b",
            )
        })
    }
}

/// An algorithm and a digest.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactHash {
    algorithm: HashAlgorithm,
    digest: Box<[u8]>,
}

impl ArtifactHash {
    /// A hash from raw digest bytes; the length must fit the algorithm.
    pub fn new(algorithm: HashAlgorithm, digest: &[u8]) -> Result<Self, ParseError> {
        if digest.len() != algorithm.digest_len() {
            let hex = to_hex(digest);
            return Err(ParseError::new(
                "hash",
                &hex,
                0..hex.len(),
                format!(
                    "a {algorithm} digest is {} bytes, this one is {}",
                    algorithm.digest_len(),
                    digest.len()
                ),
            ));
        }
        Ok(Self {
            algorithm,
            digest: digest.into(),
        })
    }

    /// Parses an algorithm name and a hex digest, as in PEP 691's `hashes` map.
    pub fn from_hex(algorithm: &str, hex: &str) -> Result<Self, ParseError> {
        let algorithm: HashAlgorithm = algorithm.parse()?;
        let digest = hex_digest(algorithm, hex)
            .map_err(|message| ParseError::new("hash", hex, 0..hex.len(), message))?;
        Self::new(algorithm, &digest)
            .map_err(|e| ParseError::new("hash", hex, 0..hex.len(), e.message()))
    }

    /// Parses a `RECORD` hash: `sha256=<urlsafe base64 without padding>`.
    pub fn from_record(s: &str) -> Result<Self, ParseError> {
        let (algo, b64) = split_algorithm(s, &['='])?;
        let algorithm: HashAlgorithm = algo.parse().map_err(|_| {
            ParseError::new(
                "hash",
                s,
                0..algo.len(),
                format!("unknown hash algorithm `{algo}`"),
            )
        })?;
        let digest = decode_base64_urlsafe(b64).ok_or_else(|| {
            ParseError::new(
                "hash",
                s,
                algo.len() + 1..s.len(),
                "the digest is not urlsafe base64",
            )
        })?;
        Self::new(algorithm, &digest)
            .map_err(|e| ParseError::new("hash", s, algo.len() + 1..s.len(), e.message()))
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// The digest as lowercase hex.
    pub fn hex(&self) -> String {
        to_hex(&self.digest)
    }

    /// The `RECORD` spelling: `sha256=<urlsafe base64 without padding>`.
    pub fn to_record(&self) -> String {
        format!("{}={}", self.algorithm, encode_base64_urlsafe(&self.digest))
    }
}

fn split_algorithm<'a>(s: &'a str, seps: &[char]) -> Result<(&'a str, &'a str), ParseError> {
    s.split_once(seps).ok_or_else(|| {
        ParseError::new(
            "hash",
            s,
            0..s.len(),
            "expected `<algorithm>=<digest>` or `<algorithm>:<digest>`, e.g. `sha256:0a1b…`",
        )
    })
}

/// Reads `sha256:<hex>` (requirements files) or `sha256=<hex>` (URL fragments).
impl FromStr for ArtifactHash {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let (algo, hex) = split_algorithm(s, &[':', '='])?;
        let algorithm: HashAlgorithm = algo.parse().map_err(|_| {
            ParseError::new(
                "hash",
                s,
                0..algo.len(),
                format!("unknown hash algorithm `{algo}`"),
            )
        })?;
        let at = algo.len() + 1;
        let digest = hex_digest(algorithm, hex)
            .map_err(|message| ParseError::new("hash", s, at..s.len(), message))?;
        Self::new(algorithm, &digest)
            .map_err(|e| ParseError::new("hash", s, at..s.len(), e.message()))
    }
}

/// The bytes of a hex digest of `algorithm`, or what is wrong with it: a
/// digest of hex digits but the wrong length says so (a truncated paste is
/// the usual mistake), rather than calling it not hexadecimal.
fn hex_digest(algorithm: HashAlgorithm, hex: &str) -> Result<Vec<u8>, String> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the digest is not hexadecimal".into());
    }
    let want = algorithm.digest_len() * 2;
    if hex.len() != want {
        return Err(format!(
            "a {algorithm} digest is {want} hexadecimal digits, this one has {}",
            hex.len()
        ));
    }
    from_hex(hex).ok_or_else(|| "the digest is not hexadecimal".into())
}

impl fmt::Display for ArtifactHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex())
    }
}

impl fmt::Debug for ArtifactHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The hash named by a URL fragment (`…/x.whl#sha256=abc`), if there is one.
/// Fragments that name no known algorithm (e.g. `#egg=`) give `None`.
pub fn hash_from_url_fragment(url: &str) -> Option<ArtifactHash> {
    let (_, fragment) = url.split_once('#')?;
    fragment
        .split('&')
        .find_map(|part| part.parse::<ArtifactHash>().ok())
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Urlsafe base64 without padding, the `RECORD` encoding.
pub(crate) fn encode_base64_urlsafe(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes urlsafe base64, with or without `=` padding.
pub(crate) fn decode_base64_urlsafe(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    if s.len() % 4 == 1 {
        return None;
    }
    let value = |c: u8| B64.iter().position(|&d| d == c).map(|p| p as u32);
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn hex_and_record_spellings_agree() {
        let a: ArtifactHash = format!("sha256:{EMPTY_SHA256}").parse().unwrap();
        let b: ArtifactHash = format!("sha256={EMPTY_SHA256}").parse().unwrap();
        let c = ArtifactHash::from_record("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
            .unwrap();
        let d = ArtifactHash::from_hex("SHA256", &EMPTY_SHA256.to_uppercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a.to_string(), format!("sha256:{EMPTY_SHA256}"));
        assert_eq!(
            a.to_record(),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(a.to_string().parse::<ArtifactHash>().unwrap(), a);
    }

    #[test]
    fn a_short_digest_is_called_short_not_unhexadecimal() {
        let error = "sha256:abc"
            .parse::<ArtifactHash>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("a sha256 digest is 64 hexadecimal digits, this one has 3"),
            "{error}"
        );
        let error = "sha256:xyz"
            .parse::<ArtifactHash>()
            .unwrap_err()
            .to_string();
        assert!(error.contains("not hexadecimal"), "{error}");
    }

    #[test]
    fn rejects_bad_hashes_with_a_pointer() {
        for (input, start) in [
            ("sha256", 0),
            ("sha999:00", 0),
            ("sha256:xyz", 7),
            ("sha256:00", 7),
            ("md5:0g", 4),
        ] {
            let e = input.parse::<ArtifactHash>().unwrap_err();
            assert_eq!(e.span().start, start, "{input}: {e}");
        }
        assert!(ArtifactHash::from_record("sha256=!!!!").is_err());
        assert!(ArtifactHash::from_record("sha256=AAAAA").is_err());
    }

    #[test]
    fn url_fragments() {
        let url = format!("https://x/y-1.0.tar.gz#sha256={EMPTY_SHA256}");
        assert_eq!(
            hash_from_url_fragment(&url).unwrap().algorithm(),
            HashAlgorithm::Sha256
        );
        assert_eq!(hash_from_url_fragment("https://x/y.tar.gz#egg=y"), None);
        assert_eq!(hash_from_url_fragment("https://x/y.tar.gz"), None);
    }

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..70u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(len))
                .collect();
            let enc = encode_base64_urlsafe(&bytes);
            assert!(!enc.contains('='));
            assert_eq!(decode_base64_urlsafe(&enc).unwrap(), bytes, "len {len}");
        }
    }

    #[test]
    fn secure_algorithms() {
        assert!(HashAlgorithm::Sha256.is_secure());
        assert!(!HashAlgorithm::Md5.is_secure());
        assert!(!HashAlgorithm::Sha1.is_secure());
    }
}
