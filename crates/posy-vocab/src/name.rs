//! Package, extra and dependency-group names (PEP 503, PEP 508, PEP 685, PEP 735).
//!
//! A name is valid when it is ASCII letters and digits, optionally with `.`,
//! `-` and `_` inside (never at either end). Two names are the same name when
//! their normalized forms are equal: lowercase, with every run of `-`, `_`
//! and `.` replaced by one `-`. These types only ever hold the normalized
//! form, so comparing and hashing them is comparing strings. Extras (PEP 685)
//! and dependency groups (PEP 735) are normalized the same way but are kept
//! as distinct types so one cannot be passed where the other is meant.
//!
//! The text is an `Arc<str>`: names are cloned into every node of a
//! resolution, and a clone should be a reference-count bump.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::ParseError;

/// Checks `input` against PEP 508's name grammar and returns the normalized
/// form, or an error pointing at the first bad character.
fn normalize(what: &'static str, input: &str) -> Result<Arc<str>, ParseError> {
    let bytes = input.as_bytes();
    let Some((&first, _)) = bytes.split_first() else {
        return Err(ParseError::new(what, input, 0..0, "a name cannot be empty"));
    };
    let is_sep = |b: u8| matches!(b, b'-' | b'_' | b'.');
    if let Some(bad) = input
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c.is_ascii() && is_sep(c as u8)))
    {
        let (i, c) = bad;
        return Err(ParseError::new(
            what,
            input,
            i..i + c.len_utf8(),
            format!("`{c}` is not allowed in a name (use letters, digits, `-`, `_` and `.`)"),
        ));
    }
    if is_sep(first) {
        return Err(ParseError::new(
            what,
            input,
            0..1,
            "a name must start with a letter or digit",
        ));
    }
    let last = bytes.len() - 1;
    if is_sep(bytes[last]) {
        return Err(ParseError::new(
            what,
            input,
            last..last + 1,
            "a name must end with a letter or digit",
        ));
    }
    // Fast path: already normalized names (the common case, e.g. from an
    // index) allocate once and copy.
    let normalized = bytes
        .iter()
        .all(|&b| !b.is_ascii_uppercase() && b != b'_' && b != b'.')
        && !input.contains("--");
    if normalized {
        return Ok(Arc::from(input));
    }
    let mut out = String::with_capacity(input.len());
    let mut in_sep = false;
    for b in bytes {
        if is_sep(*b) {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(b.to_ascii_lowercase() as char);
            in_sep = false;
        }
    }
    Ok(Arc::from(out))
}

macro_rules! normalized_name {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(Arc<str>);

        impl $ty {
            /// Parses and normalizes a name.
            pub fn new(name: &str) -> Result<Self, ParseError> {
                normalize($what, name).map(Self)
            }

            /// The normalized name.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $ty {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::new(s)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

normalized_name!(
    /// A distribution name, normalized per PEP 503 (`Foo.Bar_baz` → `foo-bar-baz`).
    PackageName,
    "package name"
);
normalized_name!(
    /// An extra name, normalized like a package name (PEP 685).
    ExtraName,
    "extra name"
);
normalized_name!(
    /// A dependency group name, normalized like a package name (PEP 735).
    GroupName,
    "group name"
);

impl PackageName {
    /// The name as it appears in wheel and sdist filenames and `.dist-info`
    /// directories: `-` replaced by `_` (PEP 427, PEP 625).
    pub fn as_dist_info_name(&self) -> String {
        self.0.replace('-', "_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_per_pep_503() {
        for (input, want) in [
            ("friendly-bard", "friendly-bard"),
            ("Friendly-Bard", "friendly-bard"),
            ("FRIENDLY-BARD", "friendly-bard"),
            ("friendly.bard", "friendly-bard"),
            ("friendly_bard", "friendly-bard"),
            ("friendly--bard", "friendly-bard"),
            ("FrIeNdLy-._.-bArD", "friendly-bard"),
            ("a", "a"),
            ("A1", "a1"),
            ("zope.interface", "zope-interface"),
        ] {
            assert_eq!(PackageName::new(input).unwrap().as_str(), want, "{input}");
        }
    }

    #[test]
    fn rejects_invalid_names() {
        for (input, col) in [
            ("", 0),
            ("-a", 0),
            ("a-", 1),
            ("a b", 1),
            ("a/b", 1),
            ("é", 0),
            ("_x", 0),
        ] {
            let e = PackageName::new(input).unwrap_err();
            assert_eq!(e.span().start, col, "{input}: {e}");
        }
    }

    #[test]
    fn extras_and_groups_normalize_the_same_way() {
        assert_eq!(
            ExtraName::new("Socks_Proxy").unwrap().as_str(),
            "socks-proxy"
        );
        assert_eq!(GroupName::new("Dev.Test").unwrap().as_str(), "dev-test");
    }

    #[test]
    fn dist_info_name_uses_underscores() {
        assert_eq!(
            PackageName::new("Zope.Interface")
                .unwrap()
                .as_dist_info_name(),
            "zope_interface"
        );
    }
}
