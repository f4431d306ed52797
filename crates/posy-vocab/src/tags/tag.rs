//! A single compatibility tag (`cp311-cp311-manylinux_2_17_x86_64`) and the
//! compressed tag sets that wheel filenames carry (`py2.py3-none-any`).
//!
//! PEP 425 gives every wheel three tags: the Python it needs (`py3`, `cp311`),
//! the ABI its extension modules link against (`cp311`, `abi3`, `none`) and
//! the platform (`win_amd64`, `any`). A wheel that works in several places
//! joins the alternatives of one component with `.`; the set of tags it
//! supports is the cartesian product of the three lists. Tags are compared
//! case-insensitively, so they are stored lowercased, as `packaging` does.
//!
//! Each part is an `Arc<str>`: supported-tag lists and the wheels of an
//! index page share the same few strings, and cloning a [`Tag`] should be
//! three reference-count bumps. A part may hold ASCII letters, digits and
//! `_`; the Python part must not start with a digit (packaging requires an
//! identifier there). Nothing else appears in real tags, and rejecting the
//! rest keeps filenames from smuggling separators or paths into a tag.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use crate::ParseError;

/// Which of the three tag components a string is, for error messages and
/// the one extra rule the Python component has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Component {
    Python,
    Abi,
    Platform,
}

impl Component {
    fn name(self) -> &'static str {
        match self {
            Component::Python => "python tag",
            Component::Abi => "ABI tag",
            Component::Platform => "platform tag",
        }
    }
}

/// Checks one dot-free part of a tag and returns it lowercased. `range` is
/// where the part sits in `input`, so the error can point into a whole
/// filename.
fn parse_part(
    what: &'static str,
    input: &str,
    range: Range<usize>,
    component: Component,
) -> Result<Arc<str>, ParseError> {
    let part = &input[range.clone()];
    if part.is_empty() {
        return Err(ParseError::new(
            what,
            input,
            range.start..range.start + 1,
            format!("empty {}", component.name()),
        ));
    }
    if let Some((i, c)) = part
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
    {
        let at = range.start + i;
        return Err(ParseError::new(
            what,
            input,
            at..at + c.len_utf8(),
            format!(
                "`{c}` is not allowed in a {} (use letters, digits and `_`)",
                component.name()
            ),
        ));
    }
    if component == Component::Python && part.as_bytes()[0].is_ascii_digit() {
        return Err(ParseError::new(
            what,
            input,
            range.start..range.start + 1,
            "a python tag must start with a letter, e.g. `py3` or `cp311`",
        ));
    }
    if part.bytes().any(|b| b.is_ascii_uppercase()) {
        Ok(Arc::from(part.to_ascii_lowercase()))
    } else {
        Ok(Arc::from(part))
    }
}

/// Turns free text (an ABI read from `EXT_SUFFIX`, a `sysconfig` platform
/// name) into a valid tag part the way `packaging` does (lowercase, `.`,
/// `-` and spaces become `_`), going one step further: any other character
/// that a tag cannot hold also becomes `_`, so generated tags always parse.
pub(crate) fn sanitize_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Parses a `.`-separated list of parts of one component (`py2.py3`).
fn parse_component_list(
    what: &'static str,
    input: &str,
    range: Range<usize>,
    component: Component,
) -> Result<Box<[Arc<str>]>, ParseError> {
    let mut parts = Vec::new();
    let mut start = range.start;
    for piece in input[range.clone()].split('.') {
        let end = start + piece.len();
        parts.push(parse_part(what, input, start..end, component)?);
        start = end + 1;
    }
    Ok(parts.into_boxed_slice())
}

/// Splits `input[range]` at `-` into exactly three component ranges.
fn split_three(
    what: &'static str,
    input: &str,
    range: Range<usize>,
) -> Result<[Range<usize>; 3], ParseError> {
    let text = &input[range.clone()];
    let dashes: Vec<usize> = text
        .match_indices('-')
        .map(|(i, _)| range.start + i)
        .collect();
    match dashes[..] {
        [a, b] => Ok([range.start..a, a + 1..b, b + 1..range.end]),
        _ => {
            let span = match dashes.get(2) {
                Some(&extra) => extra..range.end,
                None => range.clone(),
            };
            Err(ParseError::new(
                what,
                input,
                span,
                "a tag has exactly three `-`-separated parts: python-abi-platform, e.g. `py3-none-any`",
            ))
        }
    }
}

/// One (python, ABI, platform) triple, e.g. `cp311-abi3-manylinux_2_17_x86_64`.
///
/// Ordering is lexicographic by the three parts; it exists so tags can live
/// in sorted collections and says nothing about which tag is preferred
/// (see [`Tags`](crate::Tags) for that).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    python: Arc<str>,
    abi: Arc<str>,
    platform: Arc<str>,
}

impl Tag {
    /// Builds a tag from its three parts, validating and lowercasing each.
    pub fn new(python: &str, abi: &str, platform: &str) -> Result<Self, ParseError> {
        Self::from_str(&format!("{python}-{abi}-{platform}"))
    }

    /// Builds a tag from parts that are already valid and lowercase; used by
    /// tag generation and compressed-set expansion, which only hold such parts.
    pub(crate) fn from_parts(python: Arc<str>, abi: Arc<str>, platform: Arc<str>) -> Self {
        Self {
            python,
            abi,
            platform,
        }
    }

    /// The Python tag, e.g. `cp311`, `py3`, `pp310`.
    pub fn python(&self) -> &str {
        &self.python
    }

    /// The ABI tag, e.g. `cp311`, `abi3`, `none`, `pypy310_pp73`.
    pub fn abi(&self) -> &str {
        &self.abi
    }

    /// The platform tag, e.g. `manylinux_2_17_x86_64`, `win_amd64`, `any`.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    pub(crate) fn parts(&self) -> (&Arc<str>, &Arc<str>, &Arc<str>) {
        (&self.python, &self.abi, &self.platform)
    }
}

impl FromStr for Tag {
    type Err = ParseError;

    /// Parses a single tag. A compressed set such as `py2.py3-none-any` is
    /// rejected here; parse it as a [`TagSet`].
    fn from_str(s: &str) -> Result<Self, ParseError> {
        const WHAT: &str = "tag";
        let [p, a, pl] = split_three(WHAT, s, 0..s.len())?;
        if let Some(dot) = s.find('.') {
            return Err(ParseError::new(
                WHAT,
                s,
                dot..dot + 1,
                "a single tag cannot contain `.`; `py2.py3-none-any` is a compressed tag set (use TagSet)",
            ));
        }
        Ok(Self {
            python: parse_part(WHAT, s, p, Component::Python)?,
            abi: parse_part(WHAT, s, a, Component::Abi)?,
            platform: parse_part(WHAT, s, pl, Component::Platform)?,
        })
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.python, self.abi, self.platform)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

/// A compressed tag set (PEP 425): `.`-joined alternatives per component,
/// standing for every combination. `py2.py3-none-any` is `py2-none-any` and
/// `py3-none-any`.
///
/// The parts keep the order they were written in, so `Display` gives back
/// the (lowercased) input.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TagSet {
    python: Box<[Arc<str>]>,
    abi: Box<[Arc<str>]>,
    platform: Box<[Arc<str>]>,
}

impl TagSet {
    /// Parses the tag part of `input[range]`, reporting errors against the
    /// whole `input` (a wheel filename, say).
    pub(crate) fn parse_in(
        what: &'static str,
        input: &str,
        range: Range<usize>,
    ) -> Result<Self, ParseError> {
        let [p, a, pl] = split_three(what, input, range)?;
        Ok(Self {
            python: parse_component_list(what, input, p, Component::Python)?,
            abi: parse_component_list(what, input, a, Component::Abi)?,
            platform: parse_component_list(what, input, pl, Component::Platform)?,
        })
    }

    /// The Python tags, in the order written (`["py2", "py3"]`).
    pub fn python_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.python.iter().map(|s| &**s)
    }

    /// The ABI tags, in the order written.
    pub fn abi_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.abi.iter().map(|s| &**s)
    }

    /// The platform tags, in the order written.
    pub fn platform_tags(&self) -> impl ExactSizeIterator<Item = &str> {
        self.platform.iter().map(|s| &**s)
    }

    /// The python, ABI and platform lists, for lookups that want the
    /// shared strings rather than expanded tags.
    pub(crate) fn raw_parts(&self) -> [&[Arc<str>]; 3] {
        [&self.python, &self.abi, &self.platform]
    }

    /// Every tag in the set: python-major, then ABI, then platform order.
    pub fn iter(&self) -> impl Iterator<Item = Tag> + '_ {
        self.python.iter().flat_map(move |py| {
            self.abi.iter().flat_map(move |abi| {
                self.platform
                    .iter()
                    .map(move |plat| Tag::from_parts(py.clone(), abi.clone(), plat.clone()))
            })
        })
    }

    /// How many tags the set expands to (duplicates included).
    pub fn len(&self) -> usize {
        self.python.len() * self.abi.len() * self.platform.len()
    }

    /// Never true: every component has at least one part.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `tag` is one of the tags the set expands to.
    pub fn contains(&self, tag: &Tag) -> bool {
        self.python.contains(&tag.python)
            && self.abi.contains(&tag.abi)
            && self.platform.contains(&tag.platform)
    }

    /// Whether every platform in the set is `any` (a pure-Python wheel).
    pub fn is_platform_independent(&self) -> bool {
        self.platform.iter().all(|p| &**p == "any")
    }
}

impl FromStr for TagSet {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_in("tag set", s, 0..s.len())
    }
}

impl From<Tag> for TagSet {
    fn from(tag: Tag) -> Self {
        Self {
            python: Box::new([tag.python]),
            abi: Box::new([tag.abi]),
            platform: Box::new([tag.platform]),
        }
    }
}

impl fmt::Display for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, list) in [&self.python, &self.abi, &self.platform]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                f.write_str("-")?;
            }
            for (j, part) in list.iter().enumerate() {
                if j > 0 {
                    f.write_str(".")?;
                }
                f.write_str(part)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_tag_round_trips_and_lowercases() {
        let t: Tag = "CP311-cp311-Manylinux_2_17_x86_64".parse().unwrap();
        assert_eq!(t.to_string(), "cp311-cp311-manylinux_2_17_x86_64");
        assert_eq!(
            (t.python(), t.abi(), t.platform()),
            ("cp311", "cp311", "manylinux_2_17_x86_64")
        );
        assert_eq!(
            Tag::new("py3", "none", "any").unwrap().to_string(),
            "py3-none-any"
        );
    }

    #[test]
    fn single_tag_errors_point_at_the_problem() {
        for (input, span) in [
            ("py3-none", 0..8),
            ("py3-none-any-x", 12..14),
            ("py2.py3-none-any", 3..4),
            ("py3--any", 4..5),
            ("3py-none-any", 0..1),
            ("py3-no/ne-any", 6..7),
            ("", 0..0),
        ] {
            let e = input.parse::<Tag>().unwrap_err();
            assert_eq!(e.span(), span, "{input}: {e}");
        }
    }

    #[test]
    fn compressed_set_expands_in_order() {
        let s: TagSet = "py2.py3-none-any".parse().unwrap();
        let tags: Vec<String> = s.iter().map(|t| t.to_string()).collect();
        assert_eq!(tags, ["py2-none-any", "py3-none-any"]);
        assert_eq!(s.len(), 2);
        assert!(s.is_platform_independent());
        assert!(s.contains(&"py3-none-any".parse().unwrap()));
        assert!(!s.contains(&"py4-none-any".parse().unwrap()));

        let s: TagSet = "cp37-cp37m-macosx_10_6_intel.macosx_10_9_x86_64"
            .parse()
            .unwrap();
        assert_eq!(
            s.to_string(),
            "cp37-cp37m-macosx_10_6_intel.macosx_10_9_x86_64"
        );
        assert_eq!(
            s.platform_tags().collect::<Vec<_>>(),
            ["macosx_10_6_intel", "macosx_10_9_x86_64"]
        );
        assert!(!s.is_platform_independent());
    }

    #[test]
    fn compressed_set_rejects_empty_parts() {
        for (input, at) in [
            ("py2.-none-any", 4),
            (".py3-none-any", 0),
            ("py3-none-any.", 13),
        ] {
            let e = input.parse::<TagSet>().unwrap_err();
            assert_eq!(e.span().start, at, "{input}: {e}");
        }
    }
}
