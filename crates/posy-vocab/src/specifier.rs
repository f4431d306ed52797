//! Version specifiers and specifier sets (PEP 440).
//!
//! A [`Specifier`] is one clause such as `>=1.2`, `==1.4.*` or `~=2.2`; a
//! [`SpecifierSet`] is a comma-separated list of them that a version must
//! all satisfy (the empty set allows everything).
//!
//! [`Specifier::contains`] applies PEP 440's matching rules exactly,
//! including the ones people trip over:
//!
//! - `==V` ignores the candidate's local label unless `V` has one
//!   (`==1.0` matches `1.0+abc`); `==V.*` is a prefix match where the
//!   release is padded with zeros (`==1.0.*` matches `1`, `1.0.5a1`, `1.0+x`).
//! - `<V` does not match a pre-release of `V` unless `V` is itself a
//!   pre-release (`<2.0` does not match `2.0rc1`; `<2.0.post1` does not match
//!   `2.0.post1.dev0`).
//! - `>V` does not match a post-release of `V` unless `V` is itself a
//!   post-release, nor a local version of `V` (`>1.7` matches neither
//!   `1.7.post1` nor `1.7+local`).
//! - `<=V` and `>=V` compare public versions (`<=1.0` matches `1.0+abc`).
//! - `===` is string equality with the normalized candidate, ignoring case.
//!
//! Where the text of PEP 440 leaves room, this follows the current
//! `packaging` range semantics: "pre-releases of `V`" are the versions
//! sorting in `[V.dev0, V)`, and "post-releases of `V`" are `V`'s own
//! `.postN` (for `>1.0a1`, `1.0a1.post1` is excluded but `1.0` is not).
//! Unlike `packaging`, a prefix match may name a pre- or post-release
//! (`==1.0a1.*`, `==1.0.post1.*`): PEP 440 forbids only dev and local
//! versions there.
//!
//! `contains` does **not** filter pre-releases: whether `2.0b1` may be
//! picked for `>=1.0` is a policy question for the resolver.
//! [`SpecifierSet::allows`] adds `packaging`'s classic default policy for
//! callers that want it.
//!
//! [`Specifier::to_ranges`] turns a clause into the resolver's
//! `Ranges<Version>`. The ranges contain exactly the versions `contains`
//! accepts (a property test checks this), using private boundary versions
//! for the points just above all local versions or all post-releases of a
//! version. The one exception is `===`: its ranges are the single version
//! the string spells, which also contains the same version written with
//! different trailing zeros (`1.0.0` for `===1.0`), since ranges order
//! versions and cannot tell those apart.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::str::FromStr;

use version_ranges::Ranges;

use crate::ParseError;
use crate::version::compare_release;
use crate::{Prerelease, Version};

/// A comparison operator of PEP 440. `==V.*` and `!=V.*` are their own
/// operators because they mean something different from `==V` and `!=V`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `==V`
    Equal,
    /// `==V.*`
    EqualStar,
    /// `!=V`
    NotEqual,
    /// `!=V.*`
    NotEqualStar,
    /// `~=V`
    TildeEqual,
    /// `<V`
    LessThan,
    /// `<=V`
    LessThanEqual,
    /// `>V`
    GreaterThan,
    /// `>=V`
    GreaterThanEqual,
    /// `===V`
    ExactEqual,
}

impl Operator {
    /// The operator as written, without the `.*` of the star operators.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equal | Operator::EqualStar => "==",
            Operator::NotEqual | Operator::NotEqualStar => "!=",
            Operator::TildeEqual => "~=",
            Operator::LessThan => "<",
            Operator::LessThanEqual => "<=",
            Operator::GreaterThan => ">",
            Operator::GreaterThanEqual => ">=",
            Operator::ExactEqual => "===",
        }
    }

    fn is_star(self) -> bool {
        matches!(self, Operator::EqualStar | Operator::NotEqualStar)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One PEP 440 version clause, such as `>=1.2` or `==1.4.*`.
#[derive(Clone, Debug)]
pub struct Specifier {
    operator: Operator,
    /// For the star operators, the prefix without `.*`. `None` only for
    /// `===` with text that is not a PEP 440 version.
    version: Option<Version>,
    /// The text after `===`, as written.
    arbitrary: Option<Box<str>>,
}

impl Specifier {
    /// Builds `operator version`, checking what PEP 440 forbids: a local
    /// label outside `==`/`!=`, a prefix match on a dev or local version, and
    /// `~=` with a single release number. For the star operators `version`
    /// is the prefix (`EqualStar` with `1.2` is `==1.2.*`); for `===` it is
    /// matched as its normalized text.
    pub fn new(operator: Operator, version: Version) -> Result<Self, ParseError> {
        let text = match operator {
            Operator::EqualStar | Operator::NotEqualStar => format!("{operator}{version}.*"),
            _ => format!("{operator}{version}"),
        };
        let at = operator.as_str().len();
        check(&text, "specifier", operator, &version, at..text.len())?;
        let arbitrary = (operator == Operator::ExactEqual).then(|| version.to_string().into());
        Ok(Self {
            operator,
            version: Some(version),
            arbitrary,
        })
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The version (the prefix for `==V.*`/`!=V.*`). `None` only for `===`
    /// followed by text that is not a PEP 440 version, which no version can
    /// match.
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// The text after `===`, as written; `None` for every other operator.
    pub fn arbitrary(&self) -> Option<&str> {
        self.arbitrary.as_deref()
    }

    /// Whether this clause names a pre-release in a way that asks for
    /// pre-releases: any operator but `!=`, with a version that is a
    /// pre-release (`>=2.0b1`, `==1.0rc1`, `~=1.0a1`).
    pub fn mentions_prerelease(&self) -> bool {
        !matches!(self.operator, Operator::NotEqual | Operator::NotEqualStar)
            && self.version.as_ref().is_some_and(Version::is_prerelease)
    }

    /// Whether `candidate` satisfies this clause, by PEP 440's rules (see
    /// the module docs). Pre-releases are not filtered here.
    pub fn contains(&self, candidate: &Version) -> bool {
        let Some(spec) = &self.version else {
            return false;
        };
        match self.operator {
            Operator::Equal => equal(spec, candidate),
            Operator::NotEqual => !equal(spec, candidate),
            Operator::EqualStar => prefix_matches(&Prefix::of(spec), candidate),
            Operator::NotEqualStar => !prefix_matches(&Prefix::of(spec), candidate),
            Operator::TildeEqual => {
                candidate >= spec && prefix_matches(&Prefix::compatible(spec), candidate)
            }
            Operator::LessThan => {
                candidate < spec && (spec.is_prerelease() || !is_prerelease_of(candidate, spec))
            }
            Operator::LessThanEqual => candidate.cmp_public(spec).is_le(),
            Operator::GreaterThan => candidate > spec && !is_post_or_local_of(candidate, spec),
            Operator::GreaterThanEqual => candidate >= spec,
            Operator::ExactEqual => self
                .arbitrary
                .as_deref()
                .is_some_and(|text| candidate.to_string().eq_ignore_ascii_case(text)),
        }
    }

    /// The versions this clause contains, as a range set for the resolver.
    /// Agrees with [`Specifier::contains`] on every version (for `===`, see
    /// the module docs).
    pub fn to_ranges(&self) -> Ranges<Version> {
        let Some(spec) = &self.version else {
            return Ranges::empty();
        };
        match self.operator {
            Operator::Equal => equal_ranges(spec),
            Operator::NotEqual => equal_ranges(spec).complement(),
            Operator::EqualStar => prefix_ranges(&Prefix::of(spec)),
            Operator::NotEqualStar => prefix_ranges(&Prefix::of(spec)).complement(),
            Operator::TildeEqual => Ranges::higher_than(spec.clone())
                .intersection(&prefix_ranges(&Prefix::compatible(spec))),
            Operator::LessThan => {
                if spec.is_prerelease() {
                    Ranges::strictly_lower_than(spec.clone())
                } else {
                    Ranges::strictly_lower_than(spec.clone().with_dev(Some(0)))
                }
            }
            Operator::LessThanEqual => Ranges::lower_than(spec.after_locals()),
            Operator::GreaterThan => {
                if spec.is_post() || spec.is_dev() {
                    Ranges::strictly_higher_than(spec.after_locals())
                } else {
                    Ranges::strictly_higher_than(spec.after_posts())
                }
            }
            Operator::GreaterThanEqual => Ranges::higher_than(spec.clone()),
            Operator::ExactEqual => {
                let spelled = self
                    .arbitrary
                    .as_deref()
                    .is_some_and(|text| spec.to_string().eq_ignore_ascii_case(text));
                if spelled {
                    Ranges::singleton(spec.clone())
                } else {
                    Ranges::empty()
                }
            }
        }
    }

    /// Parses `input[range]` as one clause; errors span the whole `input`.
    fn parse_in(input: &str, range: Range<usize>, what: &'static str) -> Result<Self, ParseError> {
        let text = &input[range.clone()];
        let lead = text.len() - text.trim_start().len();
        let start = range.start + lead;
        let end = range.start + text.trim_end().len();
        let item = &input[start..end.max(start)];
        let err = |span: Range<usize>, msg: String| Err(ParseError::new(what, input, span, msg));
        if item.is_empty() {
            return err(range, "expected a version specifier like `>=1.0`".into());
        }
        const OPERATORS: [(&str, Operator); 8] = [
            ("===", Operator::ExactEqual),
            ("~=", Operator::TildeEqual),
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
            ("<=", Operator::LessThanEqual),
            (">=", Operator::GreaterThanEqual),
            ("<", Operator::LessThan),
            (">", Operator::GreaterThan),
        ];
        let Some(&(op_text, mut operator)) = OPERATORS.iter().find(|(t, _)| item.starts_with(t))
        else {
            let first = item.chars().next().map_or(1, char::len_utf8);
            return err(start..start + first, operator_hint(item));
        };
        let after_op = start + op_text.len();
        let rest = &input[after_op..end];
        let vstart = after_op + (rest.len() - rest.trim_start().len());
        let vtext = &input[vstart..end];
        if vtext.is_empty() {
            return err(
                after_op..after_op + 1,
                format!("expected a version after `{op_text}`"),
            );
        }
        if operator == Operator::ExactEqual {
            if let Some((i, c)) = vtext
                .char_indices()
                .find(|&(_, c)| c.is_whitespace() || c == ';' || c == ')')
            {
                return err(
                    vstart + i..vstart + i + c.len_utf8(),
                    format!("`{c}` cannot appear in a `===` version"),
                );
            }
            return Ok(Self {
                operator,
                version: vtext.parse().ok(),
                arbitrary: Some(vtext.into()),
            });
        }
        if let Some(space) = vtext.find(char::is_whitespace) {
            let next = vtext[space..].trim_start();
            let msg = if next.starts_with(['<', '>', '=', '!', '~']) {
                "separate specifiers with a comma, like `>=1.0, <2.0`"
            } else {
                "a version cannot contain spaces"
            };
            let width = vtext[space..].chars().next().map_or(1, char::len_utf8);
            return err(vstart + space..vstart + space + width, msg.into());
        }
        let mut vend = end;
        if let Some(star) = vtext.find('*') {
            let at = vstart + star;
            let wildcard_ok = matches!(operator, Operator::Equal | Operator::NotEqual);
            if !wildcard_ok {
                return err(
                    at..at + 1,
                    format!("`.*` can only be used with `==` and `!=`, not `{op_text}`"),
                );
            }
            if !vtext.ends_with(".*") || star != vtext.len() - 1 {
                return err(
                    at..at + 1,
                    "`.*` must come last, right after the release numbers (like `==1.2.*`)".into(),
                );
            }
            operator = if operator == Operator::Equal {
                Operator::EqualStar
            } else {
                Operator::NotEqualStar
            };
            vend = end - 2;
        }
        let version: Version = input[vstart..vend].parse().map_err(|e: ParseError| {
            let span = e.span();
            ParseError::new(
                what,
                input,
                vstart + span.start..vstart + span.end.max(span.start + 1),
                e.message(),
            )
        })?;
        check(input, what, operator, &version, vstart..end)?;
        Ok(Self {
            operator,
            version: Some(version),
            arbitrary: None,
        })
    }

    /// The fields that decide equality: the operator and the version, plus
    /// the number of release segments where it changes the meaning
    /// (`~=1.0` is not `~=1.0.0`, `==1.*` is not `==1.0.*`).
    fn release_len_key(&self) -> usize {
        match (self.operator, &self.version) {
            (Operator::TildeEqual | Operator::EqualStar | Operator::NotEqualStar, Some(v)) => {
                v.release().len()
            }
            _ => 0,
        }
    }
}

/// What the user probably meant when a clause has no known operator.
fn operator_hint(item: &str) -> String {
    let known = "(`==`, `!=`, `<=`, `>=`, `<`, `>`, `~=` or `===`)";
    if item.starts_with("=>") {
        "unknown operator `=>`; did you mean `>=`?".into()
    } else if item.starts_with("=<") {
        "unknown operator `=<`; did you mean `<=`?".into()
    } else if item.starts_with('=') {
        format!("unknown operator; did you mean `==`? Expected an operator {known}")
    } else if item.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V') {
        format!(
            "missing operator before `{item}`; write `=={item}` for exactly this version or `>={item}` for it and later"
        )
    } else {
        format!("expected an operator {known}")
    }
}

/// The checks PEP 440 puts on a clause's version beyond its syntax.
fn check(
    input: &str,
    what: &'static str,
    operator: Operator,
    version: &Version,
    span: Range<usize>,
) -> Result<(), ParseError> {
    let vtext = &input[span.clone()];
    let at = |needle: &str| {
        let lower = vtext.to_ascii_lowercase();
        lower.find(needle).map_or(span.clone(), |i| {
            span.start + i..span.start + i + needle.len()
        })
    };
    let fail = |span: Range<usize>, msg: &str| Err(ParseError::new(what, input, span, msg));
    match operator {
        Operator::Equal | Operator::NotEqual | Operator::ExactEqual => Ok(()),
        Operator::EqualStar | Operator::NotEqualStar => {
            if version.is_local() {
                fail(
                    at("+"),
                    "a prefix match (`.*`) cannot include a local label (`+...`)",
                )
            } else if version.is_dev() {
                fail(
                    at("dev"),
                    "a prefix match (`.*`) cannot follow a dev release; remove the `.*` or the `.devN`",
                )
            } else {
                Ok(())
            }
        }
        _ if version.is_local() => fail(
            at("+"),
            &format!(
                "a local label (`+...`) can only be used with `==` and `!=`, not `{operator}`"
            ),
        ),
        Operator::TildeEqual if version.release().len() < 2 => fail(
            span.clone(),
            "`~=` needs at least two release numbers, like `~=1.0` (which means `>=1.0, ==1.*`)",
        ),
        _ => Ok(()),
    }
}

impl PartialEq for Specifier {
    fn eq(&self, other: &Self) -> bool {
        self.operator == other.operator
            && self.version == other.version
            && self.release_len_key() == other.release_len_key()
            && match (&self.arbitrary, &other.arbitrary) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

impl Eq for Specifier {}

impl Hash for Specifier {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.operator.hash(state);
        self.version.hash(state);
        self.release_len_key().hash(state);
        if let Some(text) = &self.arbitrary {
            for b in text.bytes() {
                state.write_u8(b.to_ascii_lowercase());
            }
        }
    }
}

impl fmt::Display for Specifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.arbitrary, &self.version) {
            (Some(text), _) => write!(f, "{}{}", self.operator, text),
            (None, Some(v)) if self.operator.is_star() => write!(f, "{}{}.*", self.operator, v),
            (None, Some(v)) => write!(f, "{}{}", self.operator, v),
            (None, None) => write!(f, "{}", self.operator),
        }
    }
}

impl FromStr for Specifier {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        Self::parse_in(input, 0..input.len(), "version specifier")
    }
}

/// `==V`: the public versions are equal, and the local labels too when `V`
/// has one.
fn equal(spec: &Version, candidate: &Version) -> bool {
    if spec.is_local() {
        candidate == spec
    } else {
        candidate.cmp_public(spec).is_eq()
    }
}

fn equal_ranges(spec: &Version) -> Ranges<Version> {
    if spec.is_local() {
        Ranges::singleton(spec.clone())
    } else {
        Ranges::from_range_bounds(spec.clone()..=spec.after_locals())
    }
}

/// `candidate` is a pre-release of the final or post-release `spec`: it
/// sorts in `[spec.dev0, spec)`.
fn is_prerelease_of(candidate: &Version, spec: &Version) -> bool {
    if candidate.epoch() != spec.epoch()
        || compare_release(candidate.release(), spec.release()).is_ne()
    {
        return false;
    }
    match spec.post() {
        // Every version of this release below the final one.
        None => candidate < spec,
        // Only the dev releases of this very post-release.
        post => candidate.pre().is_none() && candidate.post() == post && candidate.is_dev(),
    }
}

/// `candidate` (already `> spec`) is a local version of `spec` or, when
/// `spec` is neither a post nor a dev release, one of its post-releases.
fn is_post_or_local_of(candidate: &Version, spec: &Version) -> bool {
    if spec.is_post() || spec.is_dev() {
        return candidate.cmp_public(spec).is_eq();
    }
    candidate.epoch() == spec.epoch()
        && compare_release(candidate.release(), spec.release()).is_eq()
        && candidate.pre() == spec.pre()
}

/// The part of a version a prefix match (`==V.*`) compares.
struct Prefix<'a> {
    epoch: u64,
    release: &'a [u64],
    pre: Option<Prerelease>,
    post: Option<u64>,
}

impl<'a> Prefix<'a> {
    fn of(spec: &'a Version) -> Self {
        Self {
            epoch: spec.epoch(),
            release: spec.release(),
            pre: spec.pre(),
            post: spec.post(),
        }
    }

    /// `~=V` is `>=V, ==P.*` where `P` is `V`'s release without its last
    /// number (parsing guarantees at least two).
    fn compatible(spec: &'a Version) -> Self {
        let release = spec.release();
        Self {
            epoch: spec.epoch(),
            release: &release[..release.len().saturating_sub(1).max(1)],
            pre: None,
            post: None,
        }
    }

    fn version(&self) -> Version {
        Version::new(self.release.iter().copied())
            .with_epoch(self.epoch)
            .with_pre(self.pre)
            .with_post(self.post)
    }
}

/// A release-only prefix ignores the candidate's extra release numbers
/// (padding missing ones with zeros) and everything after them. A prefix
/// with a pre- or post-release needs the whole release to be equal, the
/// same pre-release, and the same post-release if it names one.
fn prefix_matches(prefix: &Prefix<'_>, candidate: &Version) -> bool {
    if candidate.epoch() != prefix.epoch {
        return false;
    }
    let release = candidate.release();
    if prefix.pre.is_none() && prefix.post.is_none() {
        return prefix
            .release
            .iter()
            .enumerate()
            .all(|(i, &n)| release.get(i).copied().unwrap_or(0) == n);
    }
    compare_release(release, prefix.release).is_eq()
        && candidate.pre() == prefix.pre
        && (prefix.post.is_none() || candidate.post() == prefix.post)
}

fn prefix_ranges(prefix: &Prefix<'_>) -> Ranges<Version> {
    let version = prefix.version();
    let lowest = version.clone().with_dev(Some(0));
    if prefix.post.is_some() {
        return Ranges::from_range_bounds(lowest..=version.after_locals());
    }
    if prefix.pre.is_some() {
        return Ranges::from_range_bounds(lowest..version.after_posts());
    }
    match next_prefix(prefix.epoch, prefix.release) {
        Some(next) => Ranges::from_range_bounds(lowest..next),
        None => Ranges::higher_than(lowest),
    }
}

/// The lowest version above every version with the release prefix
/// `release`: the next prefix's `.dev0` (`1.2` → `1.3.dev0`), carrying past
/// numbers that cannot grow, `None` if nothing is above.
fn next_prefix(epoch: u64, release: &[u64]) -> Option<Version> {
    match release.iter().rposition(|&n| n < u64::MAX) {
        Some(i) => {
            let mut next = release[..=i].to_vec();
            next[i] += 1;
            Some(Version::new(next).with_epoch(epoch).with_dev(Some(0)))
        }
        None => epoch
            .checked_add(1)
            .map(|e| Version::new([0]).with_epoch(e).with_dev(Some(0))),
    }
}

/// Comma-separated specifiers that a version must all satisfy. The empty
/// set (also the `Default`) allows every version.
///
/// ```
/// use posy_vocab::{SpecifierSet, Version};
///
/// let set: SpecifierSet = ">=1.0, <2, !=1.5.*".parse()?;
/// let v = |s: &str| s.parse::<Version>();
/// assert!(set.contains(&v("1.4.2+local")?));
/// assert!(!set.contains(&v("1.5.1")?));
/// assert!(!set.contains(&v("2.0rc1")?)); // `<2` excludes 2's pre-releases
/// assert!(set.contains(&v("1.6b1")?)); // pre-releases are the caller's policy...
/// assert!(!set.allows(&v("1.6b1")?, None)); // ...or `packaging`'s default
/// assert!(set.to_ranges().contains(&v("1.4.2")?));
/// assert_eq!(set.to_string(), ">=1.0, <2, !=1.5.*");
/// # Ok::<(), posy_vocab::ParseError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SpecifierSet {
    specifiers: Vec<Specifier>,
}

impl SpecifierSet {
    /// The set of the given clauses, in order.
    pub fn new(specifiers: impl IntoIterator<Item = Specifier>) -> Self {
        Self {
            specifiers: specifiers.into_iter().collect(),
        }
    }

    /// The clauses, in the order they were written.
    pub fn iter(&self) -> std::slice::Iter<'_, Specifier> {
        self.specifiers.iter()
    }

    /// How many clauses there are.
    pub fn len(&self) -> usize {
        self.specifiers.len()
    }

    /// Whether there are no clauses (every version is allowed).
    pub fn is_empty(&self) -> bool {
        self.specifiers.is_empty()
    }

    /// Parses a set read from published metadata (`Requires-Python`, an
    /// index's `data-requires-python`), forgiving the well-known mistakes
    /// listed in `lenient.rs` (`>=3.6.*` is `>=3.6`). Returns the set and,
    /// when a mistake was forgiven, the text it was read as, for a warning.
    /// What a person types is parsed strictly, with [`str::parse`].
    pub fn parse_lenient(text: &str) -> Result<(Self, Option<String>), ParseError> {
        crate::lenient::parse_with_fixes(text, Self::from_str)
    }

    /// Whether `candidate` satisfies every clause. Pre-releases are not
    /// filtered; see [`SpecifierSet::allows`].
    pub fn contains(&self, candidate: &Version) -> bool {
        self.specifiers.iter().all(|s| s.contains(candidate))
    }

    /// Whether some clause names a pre-release (see
    /// [`Specifier::mentions_prerelease`]).
    pub fn mentions_prerelease(&self) -> bool {
        self.specifiers.iter().any(Specifier::mentions_prerelease)
    }

    /// [`SpecifierSet::contains`] plus a pre-release policy, as `packaging`
    /// has long done by default: `Some(true)` allows pre-releases,
    /// `Some(false)` rejects them, `None` allows them only when some clause
    /// names a pre-release. (PEP 440's "unless nothing else matches" rule
    /// needs the list of candidates, so it belongs to the resolver.)
    pub fn allows(&self, candidate: &Version, prereleases: Option<bool>) -> bool {
        let prereleases = prereleases.unwrap_or_else(|| self.mentions_prerelease());
        (prereleases || !candidate.is_prerelease()) && self.contains(candidate)
    }

    /// The versions the set contains, for the resolver: the intersection of
    /// every clause's [`Specifier::to_ranges`]; the full range when empty.
    pub fn to_ranges(&self) -> Ranges<Version> {
        self.specifiers
            .iter()
            .fold(Ranges::full(), |acc, s| acc.intersection(&s.to_ranges()))
    }
}

impl FromIterator<Specifier> for SpecifierSet {
    fn from_iter<I: IntoIterator<Item = Specifier>>(iter: I) -> Self {
        Self::new(iter)
    }
}

impl Extend<Specifier> for SpecifierSet {
    fn extend<I: IntoIterator<Item = Specifier>>(&mut self, iter: I) {
        self.specifiers.extend(iter);
    }
}

impl From<Specifier> for SpecifierSet {
    fn from(specifier: Specifier) -> Self {
        Self {
            specifiers: vec![specifier],
        }
    }
}

impl<'a> IntoIterator for &'a SpecifierSet {
    type Item = &'a Specifier;
    type IntoIter = std::slice::Iter<'a, Specifier>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for SpecifierSet {
    type Item = Specifier;
    type IntoIter = std::vec::IntoIter<Specifier>;

    fn into_iter(self) -> Self::IntoIter {
        self.specifiers.into_iter()
    }
}

impl fmt::Display for SpecifierSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.specifiers.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl FromStr for SpecifierSet {
    type Err = ParseError;

    /// Parses `>=1.0, <2, !=1.5.*`. Blank input is the empty set; blank
    /// items between commas are skipped, as `packaging` does, since real
    /// metadata has trailing commas.
    fn from_str(input: &str) -> Result<Self, ParseError> {
        let mut specifiers = Vec::new();
        let mut start = 0;
        for part in input.split(',') {
            let range = start..start + part.len();
            start = range.end + 1;
            if part.trim().is_empty() {
                continue;
            }
            specifiers.push(Specifier::parse_in(input, range, "version specifiers")?);
        }
        Ok(Self { specifiers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn set_errors_point_into_the_whole_string() {
        let e = ">=1.0, <2.x".parse::<SpecifierSet>().unwrap_err();
        assert_eq!(e.input(), ">=1.0, <2.x");
        assert_eq!(e.span(), 10..11, "{e}");
        let e = ">=1.0,=>2".parse::<SpecifierSet>().unwrap_err();
        assert_eq!(e.span(), 6..7);
        assert!(e.message().contains("did you mean `>=`"), "{e}");
    }

    #[test]
    fn display_normalizes_and_joins() {
        let set: SpecifierSet = " >= 1.0 ,==2.0.*,!=V1.5.POST1,===Foo, "
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.to_string(), ">=1.0, ==2.0.*, !=1.5.post1, ===Foo");
    }

    #[test]
    fn new_checks_like_the_parser() {
        assert!(Specifier::new(Operator::GreaterThan, v("1.0+local")).is_err());
        assert!(Specifier::new(Operator::TildeEqual, v("1")).is_err());
        assert!(Specifier::new(Operator::EqualStar, v("1.0.dev1")).is_err());
        let s = Specifier::new(Operator::EqualStar, v("1.2")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "==1.2.*");
    }

    #[test]
    fn next_prefix_carries() {
        assert_eq!(next_prefix(0, &[1, 2]), Some(v("1.3.dev0")));
        assert_eq!(next_prefix(0, &[1, u64::MAX]), Some(v("2.dev0")));
        assert_eq!(next_prefix(3, &[u64::MAX]), Some(v("4!0.dev0")));
        assert_eq!(next_prefix(u64::MAX, &[u64::MAX]), None);
    }
}
