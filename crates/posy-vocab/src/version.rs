//! Versions (PEP 440): parsing, normalization and total ordering.
//!
//! A version is `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`. The parser
//! accepts every spelling PEP 440 allows and normalizes it: a leading `v`,
//! any case, `-`/`_`/`.` separators or none, `alpha`/`beta`/`c`/`pre`/
//! `preview` for the pre-release kinds, `rev`/`r` and the implicit `1.0-1`
//! for post-releases, missing numbers meaning 0, surrounding whitespace, and
//! local labels with any of the three separators. `Display` prints the
//! normalized form, so `parse(display(v)) == v` and display is canonical.
//!
//! Ordering is the one PEP 440 defines: epoch, then the release compared as if
//! padded with zeros (so `1.0 == 1.0.0`, and trailing zeros never change
//! `Eq`/`Hash`), then `.devN` of a release < its pre-releases (`a` < `b` <
//! `rc`, each with its own `.devN` first and `.postN` after) < the final
//! release < its `.postN` releases (each preceded by its own `.devN`), and a
//! local version sorts just above the same public version, local labels
//! being compared segment by segment with numbers above strings.
//!
//! # Size and speed
//!
//! The resolver compares and clones versions millions of times, so the
//! common case — epoch 0, at most four release numbers, nothing else — is
//! stored inline: `[u64; 4]` plus a length, with the unused slots zero so
//! that comparing two such versions is comparing two arrays (zero padding
//! comes for free, nothing allocates, nothing is dereferenced). Everything
//! else lives behind an `Arc`, so a clone is a memcpy or a reference count
//! bump. `size_of::<Version>()` is 40 bytes on 64-bit targets (the length's
//! niche holds the enum tag); a test pins this.
//!
//! Two private *boundary* versions exist for [`crate::SpecifierSet::to_ranges`]:
//! "just after every local version of V" and "just after every post-release
//! of V". Specifiers such as `<=1.0` or `>1.0` need those points, and no real
//! version sits exactly there. They cannot be parsed; they display as
//! `1.0+*` and `1.0.post*` so that a range printed in an error message still
//! reads sensibly.
//!
//! Numbers are `u64`; a number that does not fit is a parse error rather
//! than a silent wrap (PEP 440 puts no bound on them, real versions never
//! come close).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU8;
use std::str::FromStr;
use std::sync::Arc;

use crate::ParseError;

/// A PEP 440 version. Cheap to clone and compare; see the module docs.
#[derive(Clone)]
pub struct Version {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Small(Small),
    Full(Arc<Full>),
}

/// Epoch 0, 1 to 4 release numbers, no pre/post/dev/local. Slots past
/// `len` are always 0, which makes array comparison the PEP 440 comparison.
#[derive(Clone, Copy)]
struct Small {
    release: [u64; SMALL_RELEASE],
    len: NonZeroU8,
}

const SMALL_RELEASE: usize = 4;

impl Small {
    /// The inline form of a release of 1 to 4 numbers.
    fn new(release: &[u64]) -> Option<Self> {
        let len = NonZeroU8::new(u8::try_from(release.len()).ok()?)?;
        let mut inline = [0; SMALL_RELEASE];
        inline.get_mut(..release.len())?.copy_from_slice(release);
        Some(Self {
            release: inline,
            len,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Full {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<Prerelease>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<LocalSegment>,
    boundary: Boundary,
}

/// Private points between real versions, used as range bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Boundary {
    None,
    /// Above V and every `V+local`, below the next real version.
    AfterLocals,
    /// Above V, every `V.postN` and their locals, below the next real version.
    AfterPosts,
}

/// The kind of a pre-release, in PEP 440 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrereleaseKind {
    /// `a` (also spelled `alpha`).
    Alpha,
    /// `b` (also spelled `beta`).
    Beta,
    /// `rc` (also spelled `c`, `pre`, `preview`).
    Rc,
}

/// A pre-release segment such as `a1` or `rc2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prerelease {
    /// `a`, `b` or `rc`.
    pub kind: PrereleaseKind,
    /// The number after the kind, 0 when it was left out (`1.0a` is `1.0a0`).
    pub number: u64,
}

/// One dot-separated part of a local version label (`+ubuntu.1`).
///
/// The variant order is the PEP 440 order: any string sorts below any
/// number; strings compare as (lowercase) text, numbers numerically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalSegment {
    /// A segment with at least one letter, stored lowercase.
    String(String),
    /// A segment made only of digits (`00` and `0` are the same segment).
    Number(u64),
}

impl fmt::Display for PrereleaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrereleaseKind::Alpha => "a",
            PrereleaseKind::Beta => "b",
            PrereleaseKind::Rc => "rc",
        })
    }
}

impl fmt::Display for Prerelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind, self.number)
    }
}

impl fmt::Display for LocalSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalSegment::String(s) => f.write_str(s),
            LocalSegment::Number(n) => write!(f, "{n}"),
        }
    }
}

impl Version {
    /// A final release with the given release numbers (`[1, 2]` is `1.2`).
    /// An empty release is taken as `0`.
    pub fn new(release: impl IntoIterator<Item = u64>) -> Self {
        let mut release: Vec<u64> = release.into_iter().collect();
        if release.is_empty() {
            release.push(0);
        }
        Self::from_full(Full {
            epoch: 0,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
            boundary: Boundary::None,
        })
    }

    /// This version with another epoch.
    pub fn with_epoch(self, epoch: u64) -> Self {
        self.modify(|f| f.epoch = epoch)
    }

    /// This version with another pre-release segment (or none).
    pub fn with_pre(self, pre: Option<Prerelease>) -> Self {
        self.modify(|f| f.pre = pre)
    }

    /// This version with another post-release number (or none).
    pub fn with_post(self, post: Option<u64>) -> Self {
        self.modify(|f| f.post = post)
    }

    /// This version with another dev-release number (or none).
    pub fn with_dev(self, dev: Option<u64>) -> Self {
        self.modify(|f| f.dev = dev)
    }

    /// This version with another local label; an empty one removes it.
    /// Segments are normalized as parsing would: strings lowercased, and an
    /// all-digit string becomes a number. String segments should be ASCII
    /// letters and digits; anything else would not print back to a version.
    pub fn with_local(self, local: impl IntoIterator<Item = LocalSegment>) -> Self {
        let local = local
            .into_iter()
            .map(|seg| match seg {
                LocalSegment::String(s)
                    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    s.parse()
                        .map_or(LocalSegment::String(s), LocalSegment::Number)
                }
                LocalSegment::String(s) => LocalSegment::String(s.to_ascii_lowercase()),
                n => n,
            })
            .collect();
        self.modify(|f| f.local = local)
    }

    /// The public version: this version without its local label.
    pub fn without_local(&self) -> Self {
        if !self.is_local() {
            return self.clone();
        }
        self.clone().modify(|f| f.local.clear())
    }

    /// The epoch (`2` in `2!1.0`), 0 when absent.
    pub fn epoch(&self) -> u64 {
        match &self.repr {
            Repr::Small(_) => 0,
            Repr::Full(f) => f.epoch,
        }
    }

    /// The release numbers as written, trailing zeros included.
    pub fn release(&self) -> &[u64] {
        match &self.repr {
            Repr::Small(s) => &s.release[..usize::from(s.len.get())],
            Repr::Full(f) => &f.release,
        }
    }

    /// The pre-release segment, if any.
    pub fn pre(&self) -> Option<Prerelease> {
        self.full().and_then(|f| f.pre)
    }

    /// The post-release number, if any.
    pub fn post(&self) -> Option<u64> {
        self.full().and_then(|f| f.post)
    }

    /// The dev-release number, if any.
    pub fn dev(&self) -> Option<u64> {
        self.full().and_then(|f| f.dev)
    }

    /// The local label's segments; empty when there is none.
    pub fn local(&self) -> &[LocalSegment] {
        self.full().map_or(&[], |f| &f.local)
    }

    /// A pre-release in PEP 440's sense: it has a pre-release or a dev segment.
    pub fn is_prerelease(&self) -> bool {
        self.full()
            .is_some_and(|f| f.pre.is_some() || f.dev.is_some())
    }

    /// It has a post-release segment.
    pub fn is_post(&self) -> bool {
        self.full().is_some_and(|f| f.post.is_some())
    }

    /// It has a dev-release segment.
    pub fn is_dev(&self) -> bool {
        self.full().is_some_and(|f| f.dev.is_some())
    }

    /// It has a local label.
    pub fn is_local(&self) -> bool {
        self.full().is_some_and(|f| !f.local.is_empty())
    }

    fn full(&self) -> Option<&Full> {
        match &self.repr {
            Repr::Small(_) => None,
            Repr::Full(f) => Some(f),
        }
    }

    fn to_full(&self) -> Full {
        match &self.repr {
            Repr::Small(_) => Full {
                epoch: 0,
                release: self.release().to_vec(),
                pre: None,
                post: None,
                dev: None,
                local: Vec::new(),
                boundary: Boundary::None,
            },
            Repr::Full(f) => Full::clone(f),
        }
    }

    fn modify(self, change: impl FnOnce(&mut Full)) -> Self {
        let mut full = match self.repr {
            Repr::Full(f) => Arc::unwrap_or_clone(f),
            Repr::Small(_) => self.to_full(),
        };
        change(&mut full);
        Self::from_full(full)
    }

    /// The one place a `Full` becomes a `Version`: uses the inline form
    /// whenever it can, so equal versions built different ways share it.
    fn from_full(full: Full) -> Self {
        let small = full.epoch == 0
            && full.release.len() <= SMALL_RELEASE
            && full.pre.is_none()
            && full.post.is_none()
            && full.dev.is_none()
            && full.local.is_empty()
            && full.boundary == Boundary::None;
        if let (true, Some(small)) = (small, Small::new(&full.release)) {
            return Self {
                repr: Repr::Small(small),
            };
        }
        Self {
            repr: Repr::Full(Arc::new(full)),
        }
    }

    /// The point just above this version and all its local versions, below
    /// the next real version. `self` must have no local label.
    pub(crate) fn after_locals(&self) -> Self {
        self.clone().modify(|f| f.boundary = Boundary::AfterLocals)
    }

    /// The point just above this version, its post-releases and all their
    /// local versions. `self` must have no post, dev or local segment.
    pub(crate) fn after_posts(&self) -> Self {
        self.clone().modify(|f| {
            f.post = None;
            f.dev = None;
            f.local.clear();
            f.boundary = Boundary::AfterPosts;
        })
    }

    /// For the point `V.after_locals()`, the version `V`; `None` for a real
    /// version or another boundary. Lets code that keeps ranges print a
    /// bound back as the `<= V` / `> V` that made it.
    pub(crate) fn before_locals(&self) -> Option<Self> {
        let f = self.full()?;
        (f.boundary == Boundary::AfterLocals)
            .then(|| self.clone().modify(|f| f.boundary = Boundary::None))
    }

    /// The same version (or boundary) with its release written with exactly
    /// two numbers or up to its last non-zero one, whichever is longer
    /// (`3` and `3.0.0` become `3.0`, `3.11.0` becomes `3.11`). Equal
    /// versions get one spelling, for code that stores versions and prints
    /// them back.
    pub(crate) fn with_canonical_release(&self) -> Self {
        let release = self.release();
        let keep = release
            .iter()
            .rposition(|&n| n != 0)
            .map_or(0, |i| i + 1)
            .max(2);
        if keep == release.len() {
            return self.clone();
        }
        self.clone().modify(|f| f.release.resize(keep, 0))
    }

    /// The order key after epoch and release; see the module docs.
    fn suffix_key(&self) -> SuffixKey<'_> {
        let Some(f) = self.full() else {
            return SuffixKey::FINAL;
        };
        let post = match (f.boundary, f.post) {
            (Boundary::AfterPosts, _) => PostKey::AfterAll,
            (_, Some(n)) => PostKey::Post(n),
            (_, None) => PostKey::None,
        };
        let pre = match f.pre {
            Some(p) => PreKey::Pre(p.kind, p.number),
            // A dev release of the final version sorts before its
            // pre-releases; `1.0.post1.dev1` is not such a release.
            None if f.dev.is_some() && post == PostKey::None => PreKey::DevOnly,
            None => PreKey::Final,
        };
        let dev = match f.dev {
            Some(n) => DevKey::Dev(n),
            None => DevKey::None,
        };
        let local = match f.boundary {
            Boundary::AfterLocals => LocalKey::AfterAll,
            _ if f.local.is_empty() => LocalKey::None,
            _ => LocalKey::Segments(&f.local),
        };
        SuffixKey {
            pre,
            post,
            dev,
            local,
        }
    }

    /// Compares the public versions, as if neither had a local label.
    pub(crate) fn cmp_public(&self, other: &Self) -> Ordering {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.repr, &other.repr) {
            return a.release.cmp(&b.release);
        }
        let public = |v: &Self| SuffixKey {
            local: LocalKey::None,
            ..v.suffix_key()
        };
        self.epoch()
            .cmp(&other.epoch())
            .then_with(|| compare_release(self.release(), other.release()))
            .then_with(|| public(self).cmp(&public(other)))
    }

    /// The release with trailing zeros removed (at least one number), which
    /// is what equality and hashing look at.
    fn trimmed_release(&self) -> &[u64] {
        let release = self.release();
        let end = release.iter().rposition(|&n| n != 0).map_or(1, |i| i + 1);
        &release[..end.min(release.len())]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum PreKey {
    DevOnly,
    Pre(PrereleaseKind, u64),
    Final,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum PostKey {
    None,
    Post(u64),
    AfterAll,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum DevKey {
    Dev(u64),
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum LocalKey<'a> {
    None,
    Segments(&'a [LocalSegment]),
    AfterAll,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct SuffixKey<'a> {
    pre: PreKey,
    post: PostKey,
    dev: DevKey,
    local: LocalKey<'a>,
}

impl SuffixKey<'_> {
    const FINAL: Self = SuffixKey {
        pre: PreKey::Final,
        post: PostKey::None,
        dev: DevKey::None,
        local: LocalKey::None,
    };
}

/// Compares two releases as if the shorter were padded with zeros.
pub(crate) fn compare_release(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.repr, &other.repr) {
            return a.release.cmp(&b.release);
        }
        self.epoch()
            .cmp(&other.epoch())
            .then_with(|| compare_release(self.release(), other.release()))
            .then_with(|| self.suffix_key().cmp(&other.suffix_key()))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.epoch().hash(state);
        self.trimmed_release().hash(state);
        self.suffix_key().hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let epoch = self.epoch();
        if epoch != 0 {
            write!(f, "{epoch}!")?;
        }
        let mut release = self.release().iter();
        if let Some(first) = release.next() {
            write!(f, "{first}")?;
        }
        for n in release {
            write!(f, ".{n}")?;
        }
        let Some(full) = self.full() else {
            return Ok(());
        };
        if let Some(pre) = full.pre {
            write!(f, "{pre}")?;
        }
        if full.boundary == Boundary::AfterPosts {
            f.write_str(".post*")?;
        } else if let Some(post) = full.post {
            write!(f, ".post{post}")?;
        }
        if let Some(dev) = full.dev {
            write!(f, ".dev{dev}")?;
        }
        if full.boundary == Boundary::AfterLocals {
            f.write_str("+*")?;
        }
        for (i, seg) in full.local.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            write!(f, "{seg}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({self})")
    }
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        Parser::new(input).version()
    }
}

/// The text after a valid version that explains what may follow it.
const SHAPE: &str = "a version looks like `1.2.3`, optionally with `a1`/`b1`/`rc1`, `.post1`, `.dev1` and `+local` after it";

/// A hand-written parser for PEP 440's version regex (its appendix), byte
/// by byte, ASCII case-insensitively. Each optional part is tried
/// atomically: if its label is missing, the cursor goes back to where the
/// part began, which is all the backtracking the regex ever needs.
struct Parser<'a> {
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        let start = input.len() - input.trim_start().len();
        let end = input.trim_end().len().max(start);
        Self {
            input,
            bytes: input.as_bytes(),
            pos: start,
            end,
        }
    }

    fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new("version", self.input, span, message)
    }

    /// The span of the character at the cursor (one byte past the end).
    fn char_span(&self) -> std::ops::Range<usize> {
        let len = self.input[self.pos..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        self.pos..self.pos + len
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.bytes[self.pos])
    }

    fn peek_digit(&self) -> bool {
        self.peek().is_some_and(|b| b.is_ascii_digit())
    }

    fn eat(&mut self, pred: impl Fn(u8) -> bool) -> bool {
        if self.peek().is_some_and(pred) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_separator(&mut self) -> bool {
        self.eat(|b| matches!(b, b'-' | b'_' | b'.'))
    }

    /// Eats the first of `labels` (longest listed first) that the input
    /// starts with, ignoring ASCII case; returns its index.
    fn eat_label(&mut self, labels: &[&str]) -> Option<usize> {
        let rest = &self.bytes[self.pos..self.end];
        let found = labels.iter().position(|label| {
            rest.len() >= label.len() && rest[..label.len()].eq_ignore_ascii_case(label.as_bytes())
        })?;
        self.pos += labels[found].len();
        Some(found)
    }

    fn number(&mut self, what: &str) -> Result<u64, ParseError> {
        let start = self.pos;
        while self.peek_digit() {
            self.pos += 1;
        }
        if start == self.pos {
            let span = self.char_span();
            return Err(match self.peek() {
                None => self.error(span, format!("expected {what} at the end")),
                Some(_) => self.error(span, format!("expected {what} here; {SHAPE}")),
            });
        }
        self.input[start..self.pos].parse().map_err(|_| {
            self.error(
                start..self.pos,
                "this number is too large (at most 18446744073709551615)",
            )
        })
    }

    fn optional_number(&mut self) -> Result<u64, ParseError> {
        if self.peek_digit() {
            self.number("a number")
        } else {
            Ok(0)
        }
    }

    fn version(mut self) -> Result<Version, ParseError> {
        if self.pos == self.end {
            return Err(self.error(0..self.input.len(), "a version cannot be empty"));
        }
        self.eat(|b| b == b'v' || b == b'V');
        let first = self.number("a release number like `1.0`")?;
        let mut epoch = 0;
        // Most releases fit the inline form; only longer ones allocate.
        let mut inline = [first, 0, 0, 0];
        let mut len = 1;
        let mut spilled = Vec::new();
        if self.eat(|b| b == b'!') {
            epoch = first;
            inline[0] = self.number("a release number after the epoch `!`")?;
        }
        while self.peek() == Some(b'.')
            && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
            && self.pos + 1 < self.end
        {
            self.pos += 1;
            let n = self.number("a number")?;
            if len < SMALL_RELEASE {
                inline[len] = n;
            } else {
                if spilled.is_empty() {
                    spilled.extend_from_slice(&inline);
                }
                spilled.push(n);
            }
            len += 1;
        }
        let pre = self.pre()?;
        let post = self.post()?;
        let dev = self.dev()?;
        let local = self.local()?;
        if self.pos < self.end {
            // `1.0.x`: the separator is fine, what follows it is not.
            if matches!(self.bytes[self.pos], b'-' | b'_' | b'.') && self.pos + 1 < self.end {
                self.pos += 1;
            }
            let c = self.input[self.pos..].chars().next().unwrap_or(' ');
            return Err(self.error(
                self.pos..self.pos + c.len_utf8(),
                format!("unexpected `{c}`; {SHAPE}"),
            ));
        }
        let plain = epoch == 0
            && pre.is_none()
            && post.is_none()
            && dev.is_none()
            && local.is_empty()
            && spilled.is_empty();
        if let (true, Some(small)) = (plain, Small::new(&inline[..len.min(SMALL_RELEASE)])) {
            return Ok(Version {
                repr: Repr::Small(small),
            });
        }
        let release = if spilled.is_empty() {
            inline[..len].to_vec()
        } else {
            spilled
        };
        Ok(Version::from_full(Full {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
            boundary: Boundary::None,
        }))
    }

    fn pre(&mut self) -> Result<Option<Prerelease>, ParseError> {
        let start = self.pos;
        self.eat_separator();
        const LABELS: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "rc", "c"];
        let Some(i) = self.eat_label(&LABELS) else {
            self.pos = start;
            return Ok(None);
        };
        let kind = match LABELS[i] {
            "alpha" | "a" => PrereleaseKind::Alpha,
            "beta" | "b" => PrereleaseKind::Beta,
            _ => PrereleaseKind::Rc,
        };
        self.eat_separator();
        let number = self.optional_number()?;
        Ok(Some(Prerelease { kind, number }))
    }

    fn post(&mut self) -> Result<Option<u64>, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            return self.number("a post-release number").map(Some);
        }
        self.eat_separator();
        if self.eat_label(&["post", "rev", "r"]).is_none() {
            self.pos = start;
            return Ok(None);
        }
        self.eat_separator();
        self.optional_number().map(Some)
    }

    fn dev(&mut self) -> Result<Option<u64>, ParseError> {
        let start = self.pos;
        self.eat_separator();
        if self.eat_label(&["dev"]).is_none() {
            self.pos = start;
            return Ok(None);
        }
        self.eat_separator();
        self.optional_number().map(Some)
    }

    fn local(&mut self) -> Result<Vec<LocalSegment>, ParseError> {
        let mut local = Vec::new();
        if !self.eat(|b| b == b'+') {
            return Ok(local);
        }
        loop {
            let start = self.pos;
            while self.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
                self.pos += 1;
            }
            if start == self.pos {
                return Err(self.error(
                    self.char_span(),
                    "expected letters or digits in the local label (like `+ubuntu.1`)",
                ));
            }
            let text = &self.input[start..self.pos];
            let segment = if text.bytes().all(|b| b.is_ascii_digit()) {
                LocalSegment::Number(text.parse().map_err(|_| {
                    self.error(
                        start..self.pos,
                        "this number is too large (at most 18446744073709551615)",
                    )
                })?)
            } else {
                LocalSegment::String(text.to_ascii_lowercase())
            };
            local.push(segment);
            if !self.eat_separator() {
                return Ok(local);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn size_is_pinned() {
        // See the module docs: inline small case, niche-packed tag.
        assert_eq!(std::mem::size_of::<Version>(), 40);
    }

    #[test]
    fn small_and_full_compare_and_hash_alike() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |v: &Version| {
            let mut h = DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        let small = v("1.2");
        let full = v("1.2.0.0.0");
        assert!(matches!(small.repr, Repr::Small(_)));
        assert!(matches!(full.repr, Repr::Full(_)));
        assert_eq!(small, full);
        assert_eq!(hash(&small), hash(&full));
        assert_eq!(small.to_string(), "1.2");
        assert_eq!(full.to_string(), "1.2.0.0.0");
        assert!(matches!(v("v1.2.3.4").repr, Repr::Small(_)));
        for not_small in ["1.2.3.4.5", "1!1", "1a1", "1.post1", "1.dev1", "1+x"] {
            assert!(matches!(v(not_small).repr, Repr::Full(_)), "{not_small}");
        }
    }

    #[test]
    fn with_local_normalizes_like_parsing() {
        let built = Version::new([1]).with_local([
            LocalSegment::String("Ab".into()),
            LocalSegment::String("007".into()),
        ]);
        assert_eq!(built.to_string(), "1+ab.7");
        assert_eq!(built.local(), v("1+ab.7").local());
    }

    #[test]
    fn builders_normalize_back_to_small() {
        let built = Version::new([1, 0]).with_dev(Some(1)).with_dev(None);
        assert!(matches!(built.repr, Repr::Small(_)));
        assert_eq!(built.to_string(), "1.0");
        assert_eq!(Version::new([]).to_string(), "0");
    }

    #[test]
    fn boundaries_sit_between_real_versions() {
        let base = v("1.0");
        let after_locals = base.after_locals();
        assert!(v("1.0+zzz.999") < after_locals);
        assert!(after_locals < v("1.0.post0.dev0"));
        let after_posts = base.after_posts();
        assert!(v("1.0.post999+x") < after_posts);
        assert!(after_posts < v("1.0.0.0.1.dev0"));
        assert_eq!(after_locals.to_string(), "1.0+*");
        assert_eq!(after_posts.to_string(), "1.0.post*");
        let pre = v("1.0a1").after_posts();
        assert!(v("1.0a1.post5") < pre && pre < v("1.0a2.dev0"));
    }

    #[test]
    fn canonical_release_and_boundary_base() {
        for (input, want) in [
            ("3", "3.0"),
            ("3.0.0", "3.0"),
            ("3.11.0", "3.11"),
            ("3.11.5", "3.11.5"),
        ] {
            assert_eq!(v(input).with_canonical_release().to_string(), want);
        }
        let bound = v("3.11.0").after_locals().with_canonical_release();
        assert_eq!(bound.to_string(), "3.11+*");
        assert_eq!(bound.before_locals().unwrap().to_string(), "3.11");
        assert_eq!(v("3.11").before_locals(), None);
        assert_eq!(v("3.11").after_posts().before_locals(), None);
    }

    #[test]
    fn errors_point_at_the_bad_part() {
        let e = "1.0.x".parse::<Version>().unwrap_err();
        assert_eq!(e.span(), 4..5);
        let e = " 1.0+ ".parse::<Version>().unwrap_err();
        assert_eq!(e.span(), 5..6);
        let e = "99999999999999999999".parse::<Version>().unwrap_err();
        assert!(e.message().contains("too large"), "{e}");
        assert!("".parse::<Version>().is_err());
        assert!("1.0ı".parse::<Version>().is_err());
    }
}
