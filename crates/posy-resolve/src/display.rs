//! Version ranges written back as PEP 440 specifiers, for people.
//!
//! The solver works on `Ranges<Version>`: unions of intervals, some of
//! whose ends are private boundary versions (`1.0+*`, "just above every
//! local version of 1.0"; `1.0.post*`, "just above every post-release";
//! `2.0.dev0` as the exclusive end of `<2.0`, which leaves out 2.0's
//! pre-releases). A report must say `==1.0`, `<=1.0`, `>1.0` and `<2.0`
//! instead, so each interval is read back into the specifier that produced
//! it:
//!
//! | interval                 | written   |
//! | ------------------------ | --------- |
//! | `[1.0, 1.0]`, `[1.0, 1.0+*]` | `==1.0` |
//! | `[1.0, ∞)`               | `>=1.0`   |
//! | `(1.0.post*, ∞)`, `(1.0+*, ∞)`, `(1.0, ∞)` | `>1.0` |
//! | `(-∞, 2.0.dev0)`         | `<2.0`    |
//! | `(-∞, 2.0)`              | `<2.0` (rare: from the complement of `>=2.0`) |
//! | `(-∞, 1.0+*]`, `(-∞, 1.0]` | `<=1.0` |
//!
//! Clauses of one interval are joined with `, ` (`>=1.0, <2.0`); several
//! intervals with ` | ` (`<1.0 | >=2.0`), except that the hole of a `!=`
//! reads as `!=1.0`. The empty range is written `<none>`; the full range is
//! the empty string (the caller says "all versions of").

use std::fmt::Write as _;
use std::ops::Bound;

use posy_vocab::Version;
use version_ranges::Ranges;

/// The specifier text of `range` (empty for the full range).
pub(crate) fn specifiers(range: &Ranges<Version>) -> String {
    if range.is_empty() {
        return "<none>".to_owned();
    }
    let segments: Vec<(&Bound<Version>, &Bound<Version>)> = range.iter().collect();
    // `!=V`: everything below V and everything above it, V's locals excepted.
    if let [
        (Bound::Unbounded, Bound::Excluded(hole)),
        (Bound::Excluded(after), Bound::Unbounded),
    ] = segments.as_slice()
        && is_point(hole, after)
    {
        return format!("!={hole}");
    }
    let mut out = String::new();
    for (i, (lo, hi)) in segments.into_iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        write_segment(&mut out, lo, hi);
    }
    out
}

/// Whether `range` allows exactly one public version: `==V` without a
/// local label, which as a range also holds `V`'s local versions.
pub(crate) fn is_exact(range: &Ranges<Version>) -> bool {
    let mut segments = range.iter();
    match (segments.next(), segments.next()) {
        (Some((Bound::Included(a), Bound::Included(b) | Bound::Excluded(b))), None) => {
            is_point(a, b)
        }
        _ => false,
    }
}

/// `after` is `v` itself or the point just above all of `v`'s locals.
fn is_point(v: &Version, after: &Version) -> bool {
    v == after || after.to_string() == format!("{v}+*")
}

/// A boundary version's public version: `1.0+*` and `1.0.post*` read as `1.0`.
fn base_text(v: &Version) -> Option<String> {
    let text = v.to_string();
    text.strip_suffix("+*")
        .or_else(|| text.strip_suffix(".post*"))
        .map(str::to_owned)
}

fn write_segment(out: &mut String, lo: &Bound<Version>, hi: &Bound<Version>) {
    match (lo, hi) {
        (Bound::Unbounded, Bound::Unbounded) => return,
        (Bound::Included(a), Bound::Included(b) | Bound::Excluded(b)) if is_point(a, b) => {
            let _ = write!(out, "=={a}");
            return;
        }
        _ => {}
    }
    let lower = match lo {
        Bound::Unbounded => None,
        Bound::Included(a) => Some(format!(">={a}")),
        Bound::Excluded(a) => Some(format!(
            ">{}",
            base_text(a).unwrap_or_else(|| a.to_string())
        )),
    };
    let upper = match hi {
        Bound::Unbounded => None,
        Bound::Excluded(b) => Some(match base_text(b) {
            Some(base) => format!("<={base}"),
            None if is_plain_dev0(b) => format!("<{}", b.clone().with_dev(None)),
            None => format!("<{b}"),
        }),
        Bound::Included(b) => Some(format!(
            "<={}",
            base_text(b).unwrap_or_else(|| b.to_string())
        )),
    };
    let clauses: Vec<String> = lower.into_iter().chain(upper).collect();
    out.push_str(&clauses.join(", "));
}

/// `V.dev0` of a final release: the exclusive end `<V` uses.
fn is_plain_dev0(v: &Version) -> bool {
    v.dev() == Some(0) && v.pre().is_none() && v.post().is_none() && !v.is_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use posy_vocab::SpecifierSet;

    fn show(spec: &str) -> String {
        specifiers(&spec.parse::<SpecifierSet>().unwrap().to_ranges())
    }

    #[test]
    fn reads_back_the_usual_specifiers() {
        assert_eq!(show("==1.0"), "==1.0");
        assert_eq!(show("==1.0+local"), "==1.0+local");
        assert_eq!(show(">=1.0"), ">=1.0");
        assert_eq!(show(">1.0"), ">1.0");
        assert_eq!(show("<2.0"), "<2.0");
        assert_eq!(show("<=1.0"), "<=1.0");
        assert_eq!(show(">=1.0,<2"), ">=1.0, <2");
        assert_eq!(show("!=1.5"), "!=1.5");
        assert_eq!(show(""), "");
        assert_eq!(show(">=2,<1"), "<none>");
    }

    #[test]
    fn exact_pins() {
        let range = |s: &str| s.parse::<SpecifierSet>().unwrap().to_ranges();
        assert!(is_exact(&range("==1.0")));
        assert!(is_exact(&range("==1.0+cpu")));
        assert!(!is_exact(&range("==1.*")));
        assert!(!is_exact(&range(">=1.0")));
    }

    #[test]
    fn unions_and_complements() {
        let r = ">=2"
            .parse::<SpecifierSet>()
            .unwrap()
            .to_ranges()
            .complement();
        assert_eq!(specifiers(&r), "<2");
        let two = "<1"
            .parse::<SpecifierSet>()
            .unwrap()
            .to_ranges()
            .union(&">=2".parse::<SpecifierSet>().unwrap().to_ranges());
        assert_eq!(specifiers(&two), "<1 | >=2");
    }
}
