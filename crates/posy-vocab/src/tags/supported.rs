//! The tags an interpreter accepts, in preference order, and fast lookup of
//! a wheel's best match.
//!
//! [`Tags::from_target`] produces, for a described interpreter and
//! platform, the same list `packaging.tags.sys_tags()` produces when run on
//! that interpreter (see `platform.rs` for the platform order and the one
//! documented difference). For CPython `X.Y` with platforms `P1..Pn`:
//!
//! 1. `cpXY-<abi>-P` for each of the interpreter's ABIs (`cp311`; a debug
//!    build `cp311d` then `cp311`; free-threaded `cp313t`), every platform;
//! 2. `cpXY-abi3-P` (or `abi3t` on a free-threaded build), then `cpXY-none-P`;
//! 3. `cpXW-abi3-P` for every older minor W down to 2;
//! 4. `pyXY-none-P`, `pyX-none-P`, `pyXW-none-P` for W = Y-1 down to 0;
//! 5. `cpXY-none-any`, then `pyXY-none-any`, `pyX-none-any`, `pyXW-none-any`.
//!
//! PyPy gets `ppXY-<abi>-P`, `ppXY-none-P`, step 4, `pp3-none-any` and the
//! `py*-none-any` tags; GraalPy and other implementations the same without
//! an interpreter-specific `-none-any` tag.
//!
//! A list can also come from elsewhere (a probe of a real interpreter that
//! printed `sys_tags()`), via [`Tags::from_ordered`]. Lookup goes through
//! nested maps keyed python → ABI → platform, so checking a wheel's
//! compressed tag set only visits combinations whose python and ABI parts
//! are known, however many parts a hostile filename lists.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::platform::Platform;
use super::tag::{Tag, TagSet};

/// A Python implementation, with what it needs to name its ABI.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Implementation {
    /// CPython. `abiflags` is `sys.abiflags`: `t` free-threaded, `d` debug,
    /// `m` pymalloc (before 3.8), `u` wide unicode (before 3.3); usually `""`.
    CPython { abiflags: String },
    /// PyPy; `abi` is its ABI tag, e.g. `pypy310_pp73`.
    PyPy { abi: String },
    /// GraalPy; `abi` is its ABI tag, e.g. `graalpy242_311_native`.
    GraalPy { abi: String },
    /// Anything else: `name` is the interpreter's tag prefix (`ip`,
    /// `pyston`), `abi` its ABI tag.
    Other { name: String, abi: String },
}

/// Everything tag generation needs to know about the machine wheels are
/// chosen for.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TagTarget {
    pub implementation: Implementation,
    /// `(major, minor)`, e.g. `(3, 11)`.
    pub python_version: (u8, u8),
    pub platform: Platform,
}

impl TagTarget {
    /// A regular (non-debug, GIL) CPython build.
    pub fn cpython(python_version: (u8, u8), platform: Platform) -> Self {
        Self {
            implementation: Implementation::CPython {
                abiflags: String::new(),
            },
            python_version,
            platform,
        }
    }
}

/// How good a supported tag is. Compares **greater when better**: the
/// best tag of a [`Tags`] has the greatest priority. [`TagPriority::rank`]
/// gives the 0-based position in the list instead (0 = best).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagPriority {
    rank: u32,
}

impl TagPriority {
    /// The position in the supported-tag list; 0 is the most preferred tag.
    pub fn rank(self) -> usize {
        self.rank as usize
    }
}

impl Ord for TagPriority {
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank.cmp(&self.rank)
    }
}

impl PartialOrd for TagPriority {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for TagPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagPriority(rank {})", self.rank)
    }
}

type Ranks = HashMap<Arc<str>, HashMap<Arc<str>, HashMap<Arc<str>, u32>>>;

/// The ordered list of tags a target accepts, best first, with O(1) lookup.
///
/// ```
/// use posy_vocab::{Platform, TagTarget, Tags, WheelFilename};
///
/// let platform = Platform::from_python_platform("x86_64-manylinux_2_28")?;
/// let tags = Tags::from_target(&TagTarget::cpython((3, 12), platform));
/// let native: WheelFilename =
///     "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl".parse()?;
/// let pure: WheelFilename = "six-1.16.0-py2.py3-none-any.whl".parse()?;
/// assert!(native.compatibility(&tags) > pure.compatibility(&tags));
/// # Ok::<(), posy_vocab::ParseError>(())
/// ```
#[derive(Clone)]
pub struct Tags {
    ordered: Vec<Tag>,
    ranks: Ranks,
}

impl Tags {
    /// The tags `packaging.tags.sys_tags()` would give on `target`.
    pub fn from_target(target: &TagTarget) -> Self {
        Self::from_ordered(generate(target))
    }

    /// Tags from a list that is already in preference order. A tag listed
    /// twice keeps its first (better) position.
    pub fn from_ordered(tags: impl IntoIterator<Item = Tag>) -> Self {
        let mut ordered = Vec::new();
        let mut ranks: Ranks = HashMap::new();
        for tag in tags {
            let (py, abi, plat) = tag.parts();
            let by_platform = ranks
                .entry(py.clone())
                .or_default()
                .entry(abi.clone())
                .or_default();
            if by_platform.contains_key(plat) {
                continue;
            }
            let rank = u32::try_from(ordered.len()).unwrap_or(u32::MAX);
            by_platform.insert(plat.clone(), rank);
            ordered.push(tag);
        }
        Self { ordered, ranks }
    }

    fn rank_of(&self, python: &str, abi: &str, platform: &str) -> Option<u32> {
        self.ranks.get(python)?.get(abi)?.get(platform).copied()
    }

    /// The priority of `tag`, or `None` when the target does not accept it.
    pub fn priority(&self, tag: &Tag) -> Option<TagPriority> {
        self.rank_of(tag.python(), tag.abi(), tag.platform())
            .map(|rank| TagPriority { rank })
    }

    /// Whether the target accepts `tag`.
    pub fn is_compatible(&self, tag: &Tag) -> bool {
        self.priority(tag).is_some()
    }

    /// The best priority among the tags of a compressed set, or `None` when
    /// the target accepts none of them.
    pub fn best_priority(&self, set: &TagSet) -> Option<TagPriority> {
        let [pythons, abis, platforms] = set.raw_parts();
        let mut best: Option<u32> = None;
        for py in pythons {
            let Some(by_abi) = self.ranks.get(py) else {
                continue;
            };
            for abi in abis {
                let Some(by_platform) = by_abi.get(abi) else {
                    continue;
                };
                for plat in platforms {
                    if let Some(&rank) = by_platform.get(plat) {
                        best = Some(best.map_or(rank, |b| b.min(rank)));
                    }
                }
            }
        }
        best.map(|rank| TagPriority { rank })
    }

    /// The tags, best first.
    pub fn iter(&self) -> std::slice::Iter<'_, Tag> {
        self.ordered.iter()
    }

    /// How many distinct tags are accepted.
    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Whether no tag is accepted.
    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.ordered.iter().map(|t| t.to_string()))
            .finish()
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = &'a Tag;
    type IntoIter = std::slice::Iter<'a, Tag>;
    fn into_iter(self) -> Self::IntoIter {
        self.ordered.iter()
    }
}

/// An ABI or interpreter name as a tag part (see `sanitize_part`).
fn normalize(s: &str) -> Arc<str> {
    Arc::from(super::sanitize_part(s))
}

/// The CPython ABI tags for `abiflags`, best first: flags in the canonical
/// `t d m u` order, then for a debug build from 3.8 on the same without the
/// debug flag (such builds load regular extension modules too).
fn cpython_abis(version: (u8, u8), abiflags: &str) -> (Vec<Arc<str>>, bool) {
    let (major, minor) = version;
    let has = |c| abiflags.contains(c);
    let threaded = has('t');
    let debug = has('d');
    let t = if threaded { "t" } else { "" };
    let d = if debug { "d" } else { "" };
    let m = if has('m') && version < (3, 8) {
        "m"
    } else {
        ""
    };
    let u = if has('u') && version < (3, 3) {
        "u"
    } else {
        ""
    };
    let mut abis = vec![Arc::from(format!("cp{major}{minor}{t}{d}{m}{u}"))];
    if debug && version >= (3, 8) {
        abis.push(Arc::from(format!("cp{major}{minor}{t}")));
    }
    (abis, threaded)
}

fn generate(target: &TagTarget) -> Vec<Tag> {
    let (major, minor) = target.python_version;
    let platforms: Vec<Arc<str>> = target
        .platform
        .platform_tags()
        .into_iter()
        .map(Arc::from)
        .collect();
    let none: Arc<str> = Arc::from("none");
    let mut out = Vec::new();
    let mut push_all = |out: &mut Vec<Tag>, py: &Arc<str>, abi: &Arc<str>| {
        for plat in &platforms {
            out.push(Tag::from_parts(py.clone(), abi.clone(), plat.clone()));
        }
    };

    let any_interpreter: Option<Arc<str>> = match &target.implementation {
        Implementation::CPython { abiflags } => {
            let interpreter: Arc<str> = Arc::from(format!("cp{major}{minor}"));
            let (abis, threaded) = cpython_abis(target.python_version, abiflags);
            for abi in &abis {
                push_all(&mut out, &interpreter, abi);
            }
            // Free-threaded builds cannot load abi3 modules; PEP 803 gives
            // them `abi3t`, which packaging accepts back to 3.2 like abi3.
            let stable: Option<Arc<str>> = (target.python_version >= (3, 2))
                .then(|| Arc::from(if threaded { "abi3t" } else { "abi3" }));
            if let Some(stable) = &stable {
                push_all(&mut out, &interpreter, stable);
            }
            push_all(&mut out, &interpreter, &none);
            if let Some(stable) = &stable {
                for older in (2..minor).rev() {
                    push_all(&mut out, &Arc::from(format!("cp{major}{older}")), stable);
                }
            }
            Some(interpreter)
        }
        Implementation::PyPy { abi } => {
            generic(
                &mut out,
                &mut push_all,
                format!("pp{major}{minor}"),
                abi,
                &none,
            );
            Some(Arc::from(format!("pp{major}")))
        }
        Implementation::GraalPy { abi } => {
            generic(
                &mut out,
                &mut push_all,
                format!("graalpy{major}{minor}"),
                abi,
                &none,
            );
            None
        }
        Implementation::Other { name, abi } => {
            let name = normalize(name);
            generic(
                &mut out,
                &mut push_all,
                format!("{name}{major}{minor}"),
                abi,
                &none,
            );
            None
        }
    };

    let py_range: Vec<Arc<str>> = std::iter::once(format!("py{major}{minor}"))
        .chain(std::iter::once(format!("py{major}")))
        .chain((0..minor).rev().map(|m| format!("py{major}{m}")))
        .map(Arc::from)
        .collect();
    for py in &py_range {
        push_all(&mut out, py, &none);
    }
    let any: Arc<str> = Arc::from("any");
    if let Some(interpreter) = any_interpreter {
        out.push(Tag::from_parts(interpreter, none.clone(), any.clone()));
    }
    for py in py_range {
        out.push(Tag::from_parts(py, none.clone(), any.clone()));
    }
    out
}

/// `packaging.tags.generic_tags`: the interpreter's own ABI, then `none`.
fn generic(
    out: &mut Vec<Tag>,
    push_all: &mut impl FnMut(&mut Vec<Tag>, &Arc<str>, &Arc<str>),
    interpreter: String,
    abi: &str,
    none: &Arc<str>,
) {
    let interpreter: Arc<str> = Arc::from(interpreter);
    let abi = normalize(abi);
    if !abi.is_empty() && abi != *none {
        push_all(out, &interpreter, &abi);
    }
    push_all(out, &interpreter, none);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::platform::Arch;

    fn names(tags: &Tags) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn cpython_windows_full_list() {
        let tags = Tags::from_target(&TagTarget::cpython(
            (3, 4),
            Platform::Windows { arch: Arch::X86_64 },
        ));
        let want = [
            "cp34-cp34m-win_amd64",
            "cp34-abi3-win_amd64",
            "cp34-none-win_amd64",
            "cp33-abi3-win_amd64",
            "cp32-abi3-win_amd64",
            "py34-none-win_amd64",
            "py3-none-win_amd64",
            "py33-none-win_amd64",
            "py32-none-win_amd64",
            "py31-none-win_amd64",
            "py30-none-win_amd64",
            "cp34-none-any",
            "py34-none-any",
            "py3-none-any",
            "py33-none-any",
            "py32-none-any",
            "py31-none-any",
            "py30-none-any",
        ];
        // 3.4 without `m` in abiflags is a non-pymalloc build.
        assert_eq!(names(&tags)[0], "cp34-cp34-win_amd64");
        let target = TagTarget {
            implementation: Implementation::CPython {
                abiflags: "m".into(),
            },
            python_version: (3, 4),
            platform: Platform::Windows { arch: Arch::X86_64 },
        };
        assert_eq!(names(&Tags::from_target(&target)), want);
    }

    #[test]
    fn debug_and_free_threaded_abis() {
        let plat = Platform::Windows {
            arch: Arch::Aarch64,
        };
        let target = |flags: &str| TagTarget {
            implementation: Implementation::CPython {
                abiflags: flags.into(),
            },
            python_version: (3, 13),
            platform: plat.clone(),
        };
        let t = names(&Tags::from_target(&target("d")));
        assert_eq!(
            &t[..4],
            [
                "cp313-cp313d-win_arm64",
                "cp313-cp313-win_arm64",
                "cp313-abi3-win_arm64",
                "cp313-none-win_arm64"
            ]
        );
        let t = names(&Tags::from_target(&target("t")));
        assert_eq!(
            &t[..4],
            [
                "cp313-cp313t-win_arm64",
                "cp313-abi3t-win_arm64",
                "cp313-none-win_arm64",
                "cp312-abi3t-win_arm64"
            ]
        );
        assert!(!t.iter().any(|s| s.contains("-abi3-")));
        let t = names(&Tags::from_target(&target("td")));
        assert_eq!(
            &t[..2],
            ["cp313-cp313td-win_arm64", "cp313-cp313t-win_arm64"]
        );
    }

    #[test]
    fn pypy_tags() {
        let target = TagTarget {
            implementation: Implementation::PyPy {
                abi: "pypy310_pp73".into(),
            },
            python_version: (3, 10),
            platform: Platform::Windows { arch: Arch::X86_64 },
        };
        let t = names(&Tags::from_target(&target));
        assert_eq!(
            &t[..4],
            [
                "pp310-pypy310_pp73-win_amd64",
                "pp310-none-win_amd64",
                "py310-none-win_amd64",
                "py3-none-win_amd64"
            ]
        );
        let any_start = t.iter().position(|s| s.ends_with("-any")).unwrap();
        assert_eq!(
            &t[any_start..any_start + 3],
            ["pp3-none-any", "py310-none-any", "py3-none-any"]
        );
    }

    #[test]
    fn graalpy_has_no_interpreter_any_tag() {
        let target = TagTarget {
            implementation: Implementation::GraalPy {
                abi: "graalpy-242-311-native".into(),
            },
            python_version: (3, 11),
            platform: Platform::Linux { arch: Arch::X86_64 },
        };
        let t = names(&Tags::from_target(&target));
        assert_eq!(
            &t[..2],
            [
                "graalpy311-graalpy_242_311_native-linux_x86_64",
                "graalpy311-none-linux_x86_64"
            ]
        );
        let any_start = t.iter().position(|s| s.ends_with("-any")).unwrap();
        assert_eq!(t[any_start], "py311-none-any");
    }

    #[test]
    fn priority_and_best_match() {
        let tags = Tags::from_target(&TagTarget::cpython(
            (3, 12),
            Platform::Manylinux {
                arch: Arch::X86_64,
                glibc: (2, 28),
            },
        ));
        let p = |s: &str| tags.priority(&s.parse().unwrap());
        let native = p("cp312-cp312-manylinux_2_17_x86_64").unwrap();
        let abi3 = p("cp39-abi3-manylinux_2_28_x86_64").unwrap();
        let pure = p("py3-none-any").unwrap();
        assert!(native > abi3 && abi3 > pure);
        assert_eq!(p("cp312-cp312-manylinux_2_28_x86_64").unwrap().rank(), 0);
        assert_eq!(p("cp312-cp312-manylinux_2_29_x86_64"), None);
        assert_eq!(p("cp312-cp312-win_amd64"), None);

        let set: crate::TagSet = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"
            .parse()
            .unwrap();
        let best = tags.best_priority(&set).unwrap();
        assert_eq!(best, p("cp312-cp312-manylinux_2_17_x86_64").unwrap());
        let set: crate::TagSet = "py2.py3-none-any".parse().unwrap();
        assert_eq!(tags.best_priority(&set), Some(pure));
        let set: crate::TagSet = "cp27-cp27mu-manylinux1_x86_64".parse().unwrap();
        assert_eq!(tags.best_priority(&set), None);
    }

    #[test]
    fn free_text_inputs_still_give_valid_tags() {
        let target = TagTarget {
            implementation: Implementation::Other {
                name: "Iron Python".into(),
                abi: "ip-27.x/y".into(),
            },
            python_version: (2, 7),
            platform: Platform::Other {
                tag: "FreeBSD-14.0-RELEASE/amd64".into(),
            },
        };
        let tags = Tags::from_target(&target);
        assert_eq!(
            names(&tags)[..2],
            [
                "iron_python27-ip_27_x_y-freebsd_14_0_release_amd64",
                "iron_python27-none-freebsd_14_0_release_amd64"
            ]
        );
        for tag in &tags {
            assert_eq!(&tag.to_string().parse::<Tag>().unwrap(), tag);
        }
    }

    #[test]
    fn from_ordered_keeps_first_duplicate() {
        let t: Vec<Tag> = ["py3-none-any", "py2-none-any", "py3-none-any"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let tags = Tags::from_ordered(t);
        assert_eq!(tags.len(), 2);
        assert_eq!(
            tags.priority(&"py2-none-any".parse().unwrap())
                .unwrap()
                .rank(),
            1
        );
    }
}
