//! Tags: which package an entry belongs to, so `posy cache clean PACKAGE`
//! can find its entries without walking the whole store.
//!
//! The store knows nothing about Python, so a tag is just a label that is
//! safe as a directory name; posy uses normalized package names (PEP 503).
//! Tagging entry `K` of bucket `B` with `T` creates the empty marker file
//! `v1/tags/T/B-K`. Cleaning a tag reads that one directory. Markers are
//! written before the entry is committed, so a crash can leave a marker whose
//! entry does not exist (harmless, and collection removes it) but never an
//! entry its tag forgot.

use std::fmt;

/// A label for entries, e.g. a normalized package name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

/// A label that cannot be used as a tag.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{input}` cannot label cache entries: use 1 to {MAX_LEN} lowercase letters, digits, `.`, `_` or `-`, \
     starting with a letter or digit (a normalized package name)"
)]
pub struct TagError {
    input: String,
}

const MAX_LEN: usize = 128;

impl Tag {
    /// Checks that `label` is safe as a directory name on every platform.
    pub fn new(label: &str) -> Result<Tag, TagError> {
        let mut bytes = label.bytes();
        let first_ok = bytes
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest_ok = bytes.all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
        if first_ok && rest_ok && label.len() <= MAX_LEN {
            Ok(Tag(label.to_owned()))
        } else {
            Err(TagError {
                input: label.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_normalized_names() {
        for ok in ["requests", "zope-interface", "a", "0", "x.y_z"] {
            assert_eq!(Tag::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_unsafe_labels() {
        let long = "a".repeat(MAX_LEN + 1);
        for bad in [
            "",
            "Requests",
            "-a",
            ".",
            "..",
            "a/b",
            "a\\b",
            "a b",
            "ä",
            long.as_str(),
        ] {
            let err = Tag::new(bad).unwrap_err();
            assert!(err.to_string().contains("cannot label"), "{err}");
        }
    }
}
