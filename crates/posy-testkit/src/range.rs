//! HTTP range requests (RFC 9110 §14) for a single byte range.
//!
//! Clients that read a remote wheel lazily ask for the zip's tail with a
//! suffix range (`bytes=-N`) and then for members with `bytes=A-B`. This
//! server answers one range: `bytes=A-B`, `bytes=A-` and `bytes=-N`. An end
//! past the file is clamped; a start at or past the end, or a zero-length
//! suffix, cannot be satisfied (416). As RFC 9110 allows, a header this
//! server does not understand — another unit, bad syntax, several ranges —
//! is ignored and the whole file is sent.

use std::ops::Range;

/// What to send for a `Range` header on a representation of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeAnswer {
    /// 200 with the whole body.
    Full,
    /// 206 with these bytes.
    Partial(Range<usize>),
    /// 416.
    Unsatisfiable,
}

/// Decides what a `Range` header asks of a body of `len` bytes.
pub(crate) fn answer(header: Option<&str>, len: usize) -> RangeAnswer {
    let Some(header) = header else {
        return RangeAnswer::Full;
    };
    let Some((unit, spec)) = header.split_once('=') else {
        return RangeAnswer::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return RangeAnswer::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Full;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // All digits: only overflow can fail, and a huge number means "past the end".
        Some(s.parse().unwrap_or(u64::MAX))
    };
    let len64 = len as u64;
    match (first.trim().is_empty(), number(first), number(last)) {
        // bytes=-N: the last N bytes.
        (true, _, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                RangeAnswer::Unsatisfiable
            } else {
                let start = len64.saturating_sub(suffix) as usize;
                RangeAnswer::Partial(start..len)
            }
        }
        // bytes=A- and bytes=A-B.
        (false, Some(start), end) => {
            let has_end = !last.trim().is_empty();
            if has_end && end.is_none_or(|end| end < start) {
                return RangeAnswer::Full;
            }
            if start >= len64 {
                return RangeAnswer::Unsatisfiable;
            }
            let end = end.map_or(len64, |end| end.saturating_add(1).min(len64));
            RangeAnswer::Partial(start as usize..end as usize)
        }
        _ => RangeAnswer::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeAnswer::*;

    #[test]
    fn single_ranges() {
        assert_eq!(answer(Some("bytes=0-9"), 100), Partial(0..10));
        assert_eq!(answer(Some("bytes=90-"), 100), Partial(90..100));
        assert_eq!(answer(Some("bytes=-10"), 100), Partial(90..100));
        assert_eq!(answer(Some("bytes=50-500"), 100), Partial(50..100));
        assert_eq!(answer(Some("bytes=-500"), 100), Partial(0..100));
        assert_eq!(answer(Some("Bytes = 5-5"), 100), Partial(5..6));
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(answer(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=100-200"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(
            answer(Some("bytes=99999999999999999999999-"), 100),
            Unsatisfiable
        );
    }

    #[test]
    fn ignored_headers_send_everything() {
        assert_eq!(answer(None, 100), Full);
        assert_eq!(answer(Some("items=0-1"), 100), Full);
        assert_eq!(answer(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(answer(Some("bytes=5-1"), 100), Full);
        assert_eq!(answer(Some("bytes=a-b"), 100), Full);
        assert_eq!(answer(Some("bytes=-"), 100), Full);
        assert_eq!(answer(Some("bytes"), 100), Full);
    }
}
