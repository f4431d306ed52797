//! Target platforms: which platform tags a machine accepts, in preference
//! order, and what its PEP 508 platform markers are.
//!
//! A [`Platform`] is a description, not a probe: it says "manylinux with
//! glibc 2.28 on aarch64" and this file turns that into the list of
//! platform tags `packaging.tags` would produce on such a machine. Probing
//! the real machine (reading the glibc version, the musl loader, the macOS
//! version) is I/O and lives with the interpreter code; this file also
//! parses uv-style `--python-platform` names so a user can ask for a
//! platform they are not running on.
//!
//! The orders follow `packaging.tags` (the reference pip uses):
//! - glibc: `manylinux_<major>_<minor>_<arch>` from the target's glibc down
//!   to 2.5 on x86 (2.17 on every other architecture, the oldest any
//!   manylinux image shipped there), each legacy alias (`manylinux2014` =
//!   2.17, `manylinux2010` = 2.12, `manylinux1` = 2.5) right after the tag
//!   it aliases; for a glibc major above 2, minors 50..0 of each lower
//!   major in between. Then `linux_<arch>`. Architectures manylinux never
//!   covered (armv6l) get only `linux_<arch>`.
//! - musl: `musllinux_<major>_<minor>_<arch>` from the target's minor down
//!   to 0, then `linux_<arch>`.
//! - macOS before 11: every `10.x` from the target's minor down to 10.0,
//!   each with the binary formats that can run there (for x86_64: `x86_64`,
//!   `intel`, `fat64`, `fat3`, `universal2`, `universal`, none below 10.4).
//!   From 11 on, only `<major>_0` for each major down to 11, then 10.16 down
//!   to 10.4: all x86_64 formats on Intel, only `universal2` on arm64 (no
//!   arm64 binaries exist for 10.x).
//! - Windows: the single tag `win_amd64`, `win32` or `win_arm64`.
//!
//! `packaging` 26.3 moved `linux_<arch>` before the manylinux tags (a wheel
//! built on the machine itself beats a portable one); uv and pip's older
//! vendored copies put it last. We put it last, like uv: only locally built
//! wheels carry `linux_` tags, and a lock file should not change preference
//! depending on what happens to sit in a find-links directory.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// A CPU architecture, named as Linux's `uname -m` names it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Arch {
    /// 64-bit x86 (`amd64`).
    X86_64,
    /// 32-bit x86.
    I686,
    /// 64-bit ARM (`arm64` on macOS and Windows).
    Aarch64,
    /// 32-bit ARMv7, hard float.
    Armv7l,
    /// 32-bit ARMv6 (Raspberry Pi 1 / Zero); no manylinux tags exist for it.
    Armv6l,
    /// 64-bit little-endian POWER.
    Ppc64le,
    /// 64-bit big-endian POWER.
    Ppc64,
    /// IBM Z.
    S390x,
    /// 64-bit RISC-V.
    Riscv64,
    /// 64-bit LoongArch.
    Loongarch64,
}

impl Arch {
    /// Every architecture, for error messages and exhaustive tests.
    pub const ALL: [Arch; 10] = [
        Arch::X86_64,
        Arch::I686,
        Arch::Aarch64,
        Arch::Armv7l,
        Arch::Armv6l,
        Arch::Ppc64le,
        Arch::Ppc64,
        Arch::S390x,
        Arch::Riscv64,
        Arch::Loongarch64,
    ];

    /// The name used in Linux platform tags and `platform.machine()` on
    /// Linux: `x86_64`, `aarch64`, `i686`, `armv7l`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I686 => "i686",
            Arch::Aarch64 => "aarch64",
            Arch::Armv7l => "armv7l",
            Arch::Armv6l => "armv6l",
            Arch::Ppc64le => "ppc64le",
            Arch::Ppc64 => "ppc64",
            Arch::S390x => "s390x",
            Arch::Riscv64 => "riscv64",
            Arch::Loongarch64 => "loongarch64",
        }
    }

    /// The oldest glibc minor (of glibc 2) with manylinux wheels for this
    /// architecture, or `None` when manylinux does not cover it.
    fn oldest_manylinux_minor(self) -> Option<u16> {
        match self {
            Arch::X86_64 | Arch::I686 => Some(5),
            Arch::Aarch64
            | Arch::Armv7l
            | Arch::Ppc64le
            | Arch::Ppc64
            | Arch::S390x
            | Arch::Riscv64
            | Arch::Loongarch64 => Some(17),
            Arch::Armv6l => None,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Arch {
    type Err = ParseError;

    /// Accepts the `uname -m` names and the common aliases of Rust target
    /// triples and other OSes (`amd64`, `arm64`, `x86`, `armv7`, `powerpc64le`, ...).
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "x86_64" | "amd64" | "x64" => Arch::X86_64,
            "i686" | "i386" | "i586" | "x86" => Arch::I686,
            "aarch64" | "arm64" => Arch::Aarch64,
            "armv7l" | "armv7" => Arch::Armv7l,
            "armv6l" | "armv6" | "arm" => Arch::Armv6l,
            "ppc64le" | "powerpc64le" => Arch::Ppc64le,
            "ppc64" | "powerpc64" => Arch::Ppc64,
            "s390x" => Arch::S390x,
            "riscv64" | "riscv64gc" => Arch::Riscv64,
            "loongarch64" => Arch::Loongarch64,
            _ => {
                let names: Vec<&str> = Arch::ALL.iter().map(|a| a.as_str()).collect();
                return Err(ParseError::new(
                    "architecture",
                    s,
                    0..s.len(),
                    format!("unknown architecture; expected one of {}", names.join(", ")),
                ));
            }
        })
    }
}

/// The platform a set of wheels is chosen for.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Platform {
    /// Linux with glibc `(major, minor)` (PEP 600).
    Manylinux { arch: Arch, glibc: (u16, u16) },
    /// Linux with musl `(major, minor)` (PEP 656).
    Musllinux { arch: Arch, musl: (u16, u16) },
    /// Linux whose C library is unknown: only `linux_<arch>` wheels.
    Linux { arch: Arch },
    /// macOS `(major, minor)`; use [`Arch::Aarch64`] for Apple silicon.
    MacOs { arch: Arch, version: (u16, u16) },
    /// Windows.
    Windows { arch: Arch },
    /// Android at API level `api_level` (`android_<level>_<abi>` tags).
    Android { arch: Arch, api_level: u16 },
    /// Any other platform, given as its one platform tag, e.g.
    /// `freebsd_14_0_release_amd64`: what `sysconfig.get_platform()` gives,
    /// lowercased, with `.`, `-` and anything else a tag cannot hold turned
    /// into `_`.
    Other { tag: String },
}

/// The PEP 508 marker values that describe a [`Platform`], for building a
/// marker environment when resolving for a machine we are not running on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PlatformMarkers {
    /// `sys.platform`: `linux`, `darwin`, `win32`, `android`.
    pub sys_platform: &'static str,
    /// `platform.system()`: `Linux`, `Darwin`, `Windows`, `Android`.
    pub platform_system: &'static str,
    /// `platform.machine()`: `x86_64`, `aarch64`, `arm64` (macOS),
    /// `AMD64`/`x86`/`ARM64` (Windows), ...
    pub platform_machine: &'static str,
    /// `os.name`: `posix` or `nt`.
    pub os_name: &'static str,
}

/// The uv-style platform names `from_python_platform` accepts, for help text.
const PYTHON_PLATFORM_FORMS: &str = "linux, macos, windows, <arch>-unknown-linux-gnu, \
<arch>-unknown-linux-musl, <arch>-manylinux_2_<minor>, <arch>-manylinux2014, \
<arch>-musllinux_1_<minor>, <arch>-apple-darwin, <arch>-pc-windows-msvc \
(e.g. x86_64-manylinux_2_28, aarch64-apple-darwin, i686-pc-windows-msvc)";

/// pip-style platform tags `from_platform_tag` accepts, for help text.
const PLATFORM_TAG_FORMS: &str = "manylinux_2_28_x86_64, manylinux2014_aarch64, \
musllinux_1_2_x86_64, linux_armv7l, macosx_11_0_arm64, macosx_10_9_x86_64, win_amd64, win32, win_arm64";

/// glibc version assumed for `linux` and `<arch>-unknown-linux-gnu`: 2.17,
/// manylinux2014, which every current manylinux wheel still runs on.
const DEFAULT_GLIBC: (u16, u16) = (2, 17);
/// musl version assumed for `<arch>-unknown-linux-musl`.
const DEFAULT_MUSL: (u16, u16) = (1, 2);
/// macOS version assumed for `macos` and `<arch>-apple-darwin`: 13.0, the
/// oldest macOS Apple still supports (uv's default too). Callers that honour
/// `MACOSX_DEPLOYMENT_TARGET` replace it with [`Platform::with_macos_version`].
const DEFAULT_MACOS: (u16, u16) = (13, 0);

impl Platform {
    /// The architecture, when the platform has one we know.
    pub fn arch(&self) -> Option<Arch> {
        match self {
            Platform::Manylinux { arch, .. }
            | Platform::Musllinux { arch, .. }
            | Platform::Linux { arch }
            | Platform::MacOs { arch, .. }
            | Platform::Windows { arch }
            | Platform::Android { arch, .. } => Some(*arch),
            Platform::Other { .. } => None,
        }
    }

    /// The same platform with another macOS version; other platforms are
    /// returned unchanged.
    pub fn with_macos_version(self, version: (u16, u16)) -> Self {
        match self {
            Platform::MacOs { arch, .. } => Platform::MacOs { arch, version },
            other => other,
        }
    }

    /// Parses a uv-style `--python-platform` name: `linux`, `macos`,
    /// `windows`, a Rust-style target triple (`x86_64-unknown-linux-gnu`,
    /// `aarch64-apple-darwin`, `x86_64-pc-windows-msvc`, ...) or
    /// `<arch>-manylinux_2_<minor>` / `<arch>-musllinux_1_<minor>`.
    ///
    /// Defaults follow uv: glibc 2.17 for `linux` and `-linux-gnu`, musl 1.2
    /// for `-linux-musl`, macOS 13.0 for `macos` and `-apple-darwin`;
    /// `linux`, `windows` mean x86_64 and `macos` means Apple silicon.
    pub fn from_python_platform(name: &str) -> Result<Self, ParseError> {
        const WHAT: &str = "python platform";
        let unknown = |span: std::ops::Range<usize>, why: &str| {
            ParseError::new(
                WHAT,
                name,
                span,
                format!("{why}; expected one of {PYTHON_PLATFORM_FORMS}"),
            )
        };
        let lower = name.trim().to_ascii_lowercase();
        match lower.as_str() {
            "linux" => {
                return Ok(Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: DEFAULT_GLIBC,
                });
            }
            "macos" => {
                return Ok(Platform::MacOs {
                    arch: Arch::Aarch64,
                    version: DEFAULT_MACOS,
                });
            }
            "windows" => return Ok(Platform::Windows { arch: Arch::X86_64 }),
            _ => {}
        }
        let Some((arch_str, rest)) = lower.split_once('-') else {
            return Err(unknown(0..name.len(), "unknown platform name"));
        };
        let arch: Arch = arch_str
            .parse()
            .map_err(|e: ParseError| unknown(0..arch_str.len(), e.message()))?;
        let rest_span = arch_str.len() + 1..name.len();
        let platform = match rest {
            "unknown-linux-gnu" | "unknown-linux-gnueabihf" => Platform::Manylinux {
                arch,
                glibc: DEFAULT_GLIBC,
            },
            "unknown-linux-musl" | "unknown-linux-musleabihf" => Platform::Musllinux {
                arch,
                musl: DEFAULT_MUSL,
            },
            "manylinux2014" => Platform::Manylinux {
                arch,
                glibc: (2, 17),
            },
            "manylinux2010" => Platform::Manylinux {
                arch,
                glibc: (2, 12),
            },
            "manylinux1" => Platform::Manylinux {
                arch,
                glibc: (2, 5),
            },
            "apple-darwin" => Platform::MacOs {
                arch,
                version: DEFAULT_MACOS,
            },
            "pc-windows-msvc" => Platform::Windows { arch },
            _ => {
                if let Some(v) = rest.strip_prefix("manylinux_") {
                    let glibc = parse_libc_version(v)
                        .ok_or_else(|| unknown(rest_span.clone(), "bad glibc version"))?;
                    Platform::Manylinux { arch, glibc }
                } else if let Some(v) = rest.strip_prefix("musllinux_") {
                    let musl = parse_libc_version(v)
                        .ok_or_else(|| unknown(rest_span.clone(), "bad musl version"))?;
                    Platform::Musllinux { arch, musl }
                } else {
                    return Err(unknown(rest_span, "unknown platform name"));
                }
            }
        };
        let supported = match &platform {
            Platform::Manylinux { .. } => arch.oldest_manylinux_minor().is_some(),
            Platform::MacOs { .. } => matches!(arch, Arch::X86_64 | Arch::Aarch64),
            Platform::Windows { .. } => matches!(arch, Arch::X86_64 | Arch::I686 | Arch::Aarch64),
            _ => true,
        };
        if !supported {
            return Err(unknown(
                0..arch_str.len(),
                &format!("no wheels exist for {arch} on this operating system"),
            ));
        }
        Ok(platform)
    }

    /// Parses pip's `--platform` form, a platform tag: `manylinux_2_28_x86_64`,
    /// `manylinux2014_aarch64`, `musllinux_1_2_x86_64`, `linux_x86_64`,
    /// `macosx_11_0_arm64`, `win_amd64`, `win32`, `win_arm64`.
    ///
    /// The platform is the machine the tag names, so it accepts what such a
    /// machine accepts: a glibc 2.28 machine also runs `manylinux2014`
    /// wheels (pip would take the one tag literally; uv and posy describe the
    /// machine). A `macosx_*_universal2` tag means Apple silicon.
    pub fn from_platform_tag(tag: &str) -> Result<Self, ParseError> {
        let unknown = |why: &str| {
            ParseError::new(
                "platform tag",
                tag,
                0..tag.len(),
                format!("{why}; expected a platform tag such as {PLATFORM_TAG_FORMS}"),
            )
        };
        let lower = tag.trim().to_ascii_lowercase();
        match lower.as_str() {
            "win32" => return Ok(Platform::Windows { arch: Arch::I686 }),
            "win_amd64" => return Ok(Platform::Windows { arch: Arch::X86_64 }),
            "win_arm64" => {
                return Ok(Platform::Windows {
                    arch: Arch::Aarch64,
                });
            }
            _ => {}
        }
        let arch_of = |rest: &str| -> Result<Arch, ParseError> {
            rest.parse().map_err(|e: ParseError| unknown(e.message()))
        };
        // `<prefix>_<major>_<minor>_<arch>`; the arch may hold `_` (x86_64).
        let versioned = |rest: &str| -> Result<((u16, u16), Arch), ParseError> {
            let mut parts = rest.splitn(3, '_');
            let (major, minor, arch) = (parts.next(), parts.next(), parts.next());
            let (Some(major), Some(minor), Some(arch)) = (major, minor, arch) else {
                return Err(unknown("expected <major>_<minor>_<arch> after the prefix"));
            };
            let version = parse_libc_version(&format!("{major}_{minor}"))
                .ok_or_else(|| unknown("bad version"))?;
            Ok((version, arch_of(arch)?))
        };
        let platform = if let Some(rest) = lower.strip_prefix("manylinux_") {
            let (glibc, arch) = versioned(rest)?;
            Platform::Manylinux { arch, glibc }
        } else if let Some(rest) = lower.strip_prefix("manylinux2014_") {
            Platform::Manylinux {
                arch: arch_of(rest)?,
                glibc: (2, 17),
            }
        } else if let Some(rest) = lower.strip_prefix("manylinux2010_") {
            Platform::Manylinux {
                arch: arch_of(rest)?,
                glibc: (2, 12),
            }
        } else if let Some(rest) = lower.strip_prefix("manylinux1_") {
            Platform::Manylinux {
                arch: arch_of(rest)?,
                glibc: (2, 5),
            }
        } else if let Some(rest) = lower.strip_prefix("musllinux_") {
            let (musl, arch) = versioned(rest)?;
            Platform::Musllinux { arch, musl }
        } else if let Some(rest) = lower.strip_prefix("linux_") {
            Platform::Linux {
                arch: arch_of(rest)?,
            }
        } else if let Some(rest) = lower.strip_prefix("macosx_") {
            let mut parts = rest.splitn(3, '_');
            let (major, minor, arch) = (parts.next(), parts.next(), parts.next());
            let number = |t: Option<&str>| t.and_then(|t| t.parse::<u16>().ok());
            let (Some(major), Some(minor), Some(arch)) = (number(major), number(minor), arch)
            else {
                return Err(unknown("expected macosx_<major>_<minor>_<arch>"));
            };
            let arch = match arch {
                "universal2" => Arch::Aarch64,
                "intel" | "fat64" | "fat3" | "universal" => Arch::X86_64,
                other => arch_of(other)?,
            };
            Platform::MacOs {
                arch,
                version: (major, minor),
            }
        } else {
            return Err(unknown("unknown platform tag"));
        };
        if let Platform::Manylinux { arch, .. } = &platform
            && arch.oldest_manylinux_minor().is_none()
        {
            return Err(unknown(&format!("no manylinux wheels exist for {arch}")));
        }
        Ok(platform)
    }

    /// A target platform named either way: uv's `--python-platform` name
    /// (`x86_64-manylinux_2_28`, `aarch64-apple-darwin`) or pip's
    /// `--platform` tag (`manylinux_2_28_x86_64`, `win_amd64`). The error
    /// lists both forms.
    pub fn from_name_or_tag(name: &str) -> Result<Self, ParseError> {
        if let Ok(platform) = Platform::from_python_platform(name) {
            return Ok(platform);
        }
        // A uv-style name has a `-`; a tag never does.
        if name.contains('-') || name.is_empty() {
            return Platform::from_python_platform(name);
        }
        Platform::from_platform_tag(name).map_err(|_| {
            ParseError::new(
                "platform",
                name,
                0..name.len(),
                format!(
                    "neither a platform name nor a platform tag; expected one of \
                     {PYTHON_PLATFORM_FORMS}, or a platform tag such as {PLATFORM_TAG_FORMS}"
                ),
            )
        })
    }

    /// The platform tags this platform accepts, best first, without `any`.
    pub fn platform_tags(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Platform::Manylinux { arch, glibc } => {
                manylinux_tags(*arch, *glibc, &mut out);
                out.push(format!("linux_{arch}"));
            }
            Platform::Musllinux { arch, musl } => {
                for minor in (0..=musl.1).rev() {
                    out.push(format!("musllinux_{}_{minor}_{arch}", musl.0));
                }
                out.push(format!("linux_{arch}"));
            }
            Platform::Linux { arch } => out.push(format!("linux_{arch}")),
            Platform::MacOs { arch, version } => macos_tags(*arch, *version, &mut out),
            Platform::Windows { arch } => out.push(match arch {
                Arch::X86_64 => "win_amd64".to_string(),
                Arch::I686 => "win32".to_string(),
                Arch::Aarch64 => "win_arm64".to_string(),
                other => format!("win_{other}"),
            }),
            Platform::Android { arch, api_level } => {
                // 16 is the oldest API level CPython has ever supported.
                let abi = android_abi(*arch);
                for level in (16..=*api_level).rev() {
                    out.push(format!("android_{level}_{abi}"));
                }
            }
            Platform::Other { tag } => out.push(super::sanitize_part(tag)),
        }
        out
    }

    /// The PEP 508 marker values of this platform, or `None` for
    /// [`Platform::Other`], whose operating system we cannot name.
    pub fn markers(&self) -> Option<PlatformMarkers> {
        let arch = self.arch()?;
        let linux = |machine| PlatformMarkers {
            sys_platform: "linux",
            platform_system: "Linux",
            platform_machine: machine,
            os_name: "posix",
        };
        Some(match self {
            Platform::Manylinux { .. } | Platform::Musllinux { .. } | Platform::Linux { .. } => {
                linux(arch.as_str())
            }
            Platform::MacOs { .. } => PlatformMarkers {
                sys_platform: "darwin",
                platform_system: "Darwin",
                platform_machine: match arch {
                    Arch::Aarch64 => "arm64",
                    Arch::I686 => "i386",
                    other => other.as_str(),
                },
                os_name: "posix",
            },
            Platform::Windows { .. } => PlatformMarkers {
                sys_platform: "win32",
                platform_system: "Windows",
                platform_machine: match arch {
                    Arch::X86_64 => "AMD64",
                    Arch::I686 => "x86",
                    Arch::Aarch64 => "ARM64",
                    other => other.as_str(),
                },
                os_name: "nt",
            },
            Platform::Android { .. } => PlatformMarkers {
                sys_platform: "android",
                platform_system: "Android",
                platform_machine: arch.as_str(),
                os_name: "posix",
            },
            Platform::Other { .. } => return None,
        })
    }
}

/// The largest libc major and minor version a `--python-platform` name may
/// give. Far beyond any real glibc or musl, but small enough that the tag
/// list stays a few thousand entries: every version below the target's is
/// a tag, so `manylinux_65535_65535` would be millions.
const MAX_LIBC_VERSION: (u16, u16) = (9, 999);

/// Parses `<major>_<minor>` of a `manylinux_` / `musllinux_` name.
fn parse_libc_version(s: &str) -> Option<(u16, u16)> {
    let (major, minor) = s.split_once('_')?;
    let num = |t: &str| {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            t.parse::<u16>().ok()
        }
    };
    let (major, minor) = (num(major)?, num(minor)?);
    (major <= MAX_LIBC_VERSION.0 && minor <= MAX_LIBC_VERSION.1).then_some((major, minor))
}

/// The last minor of each glibc major below the target's, were glibc ever
/// to reach 3.0; `packaging` assumes 50, and so do we to match its output.
const LAST_GLIBC_MINOR: u16 = 50;

fn manylinux_tags(arch: Arch, glibc: (u16, u16), out: &mut Vec<String>) {
    let Some(oldest_minor) = arch.oldest_manylinux_minor() else {
        return;
    };
    let (major, minor) = glibc;
    for m in (2..=major).rev() {
        let top = if m == major { minor } else { LAST_GLIBC_MINOR };
        let bottom = if m == 2 { oldest_minor } else { 0 };
        if top < bottom {
            continue;
        }
        for n in (bottom..=top).rev() {
            out.push(format!("manylinux_{m}_{n}_{arch}"));
            let legacy = match (m, n) {
                (2, 17) => Some("manylinux2014"),
                (2, 12) => Some("manylinux2010"),
                (2, 5) => Some("manylinux1"),
                _ => None,
            };
            if let Some(legacy) = legacy {
                out.push(format!("{legacy}_{arch}"));
            }
        }
    }
}

/// The binary formats a macOS `version` on `arch` can load, best first.
fn mac_binary_formats(version: (u16, u16), arch: Arch) -> &'static [&'static str] {
    let before_10_4 = version < (10, 4);
    match arch {
        Arch::X86_64 if !before_10_4 => &[
            "x86_64",
            "intel",
            "fat64",
            "fat3",
            "universal2",
            "universal",
        ],
        Arch::I686 if !before_10_4 => &["i386", "intel", "fat3", "fat", "universal"],
        Arch::Ppc64 if !before_10_4 && version <= (10, 5) => &["ppc64", "fat64", "universal"],
        Arch::Aarch64 => &["arm64", "universal2"],
        _ => &[],
    }
}

fn macos_tags(arch: Arch, version: (u16, u16), out: &mut Vec<String>) {
    let push_all = |v: (u16, u16), out: &mut Vec<String>| {
        for format in mac_binary_formats(v, arch) {
            out.push(format!("macosx_{}_{}_{format}", v.0, v.1));
        }
    };
    if ((10, 0)..(11, 0)).contains(&version) {
        // Before macOS 11 every yearly release bumped the minor version.
        for minor in (0..=version.1).rev() {
            push_all((10, minor), out);
        }
    } else if version >= (11, 0) {
        // From 11 on the major version is the release; minors are
        // mid-year updates and wheels are tagged `<major>_0`.
        for major in (11..=version.0).rev() {
            push_all((major, 0), out);
        }
        for minor in (4..=16).rev() {
            if arch == Arch::X86_64 {
                push_all((10, minor), out);
            } else {
                // No arm64 binaries predate 11.0, but a universal2 wheel's
                // x86_64 half can target 10.x.
                out.push(format!("macosx_10_{minor}_universal2"));
            }
        }
    }
}

fn android_abi(arch: Arch) -> &'static str {
    match arch {
        Arch::Aarch64 => "arm64_v8a",
        Arch::Armv7l | Arch::Armv6l => "armeabi_v7a",
        Arch::I686 => "x86",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(arch: Arch, glibc: (u16, u16)) -> Vec<String> {
        Platform::Manylinux { arch, glibc }.platform_tags()
    }

    #[test]
    fn manylinux_x86_64_from_2_17() {
        let want = [
            "manylinux_2_17_x86_64",
            "manylinux2014_x86_64",
            "manylinux_2_16_x86_64",
            "manylinux_2_15_x86_64",
            "manylinux_2_14_x86_64",
            "manylinux_2_13_x86_64",
            "manylinux_2_12_x86_64",
            "manylinux2010_x86_64",
            "manylinux_2_11_x86_64",
            "manylinux_2_10_x86_64",
            "manylinux_2_9_x86_64",
            "manylinux_2_8_x86_64",
            "manylinux_2_7_x86_64",
            "manylinux_2_6_x86_64",
            "manylinux_2_5_x86_64",
            "manylinux1_x86_64",
            "linux_x86_64",
        ];
        assert_eq!(mk(Arch::X86_64, (2, 17)), want);
    }

    #[test]
    fn manylinux_aarch64_stops_at_2_17() {
        assert_eq!(
            mk(Arch::Aarch64, (2, 19)),
            [
                "manylinux_2_19_aarch64",
                "manylinux_2_18_aarch64",
                "manylinux_2_17_aarch64",
                "manylinux2014_aarch64",
                "linux_aarch64"
            ]
        );
        // Older than any aarch64 manylinux: only the native tag.
        assert_eq!(mk(Arch::Aarch64, (2, 12)), ["linux_aarch64"]);
        assert_eq!(mk(Arch::Armv6l, (2, 31)), ["linux_armv6l"]);
    }

    #[test]
    fn manylinux_glibc_3_walks_every_2_minor() {
        let tags = mk(Arch::X86_64, (3, 1));
        assert_eq!(
            &tags[..3],
            [
                "manylinux_3_1_x86_64",
                "manylinux_3_0_x86_64",
                "manylinux_2_50_x86_64"
            ]
        );
        assert_eq!(tags.last().unwrap(), "linux_x86_64");
    }

    #[test]
    fn musllinux() {
        let p = Platform::Musllinux {
            arch: Arch::Aarch64,
            musl: (1, 2),
        };
        assert_eq!(
            p.platform_tags(),
            [
                "musllinux_1_2_aarch64",
                "musllinux_1_1_aarch64",
                "musllinux_1_0_aarch64",
                "linux_aarch64"
            ]
        );
    }

    #[test]
    fn macos_10_5_x86_64() {
        let p = Platform::MacOs {
            arch: Arch::X86_64,
            version: (10, 5),
        };
        let want = [
            "macosx_10_5_x86_64",
            "macosx_10_5_intel",
            "macosx_10_5_fat64",
            "macosx_10_5_fat3",
            "macosx_10_5_universal2",
            "macosx_10_5_universal",
            "macosx_10_4_x86_64",
            "macosx_10_4_intel",
            "macosx_10_4_fat64",
            "macosx_10_4_fat3",
            "macosx_10_4_universal2",
            "macosx_10_4_universal",
        ];
        assert_eq!(p.platform_tags(), want);
    }

    #[test]
    fn macos_11_and_later() {
        let arm = Platform::MacOs {
            arch: Arch::Aarch64,
            version: (14, 2),
        }
        .platform_tags();
        assert_eq!(
            &arm[..9],
            [
                "macosx_14_0_arm64",
                "macosx_14_0_universal2",
                "macosx_13_0_arm64",
                "macosx_13_0_universal2",
                "macosx_12_0_arm64",
                "macosx_12_0_universal2",
                "macosx_11_0_arm64",
                "macosx_11_0_universal2",
                "macosx_10_16_universal2",
            ]
        );
        assert_eq!(arm.last().unwrap(), "macosx_10_4_universal2");
        assert_eq!(arm.len(), 8 + 13);
        assert!(!arm.iter().any(|t| t.contains("14_2")));

        let intel = Platform::MacOs {
            arch: Arch::X86_64,
            version: (11, 3),
        }
        .platform_tags();
        assert_eq!(&intel[..2], ["macosx_11_0_x86_64", "macosx_11_0_intel"]);
        assert!(intel.contains(&"macosx_11_0_universal".to_string()));
        assert!(intel.contains(&"macosx_10_16_x86_64".to_string()));
        assert_eq!(intel.last().unwrap(), "macosx_10_4_universal");
        assert_eq!(intel.len(), 6 * 14);
    }

    #[test]
    fn windows_and_android() {
        for (arch, tag) in [
            (Arch::X86_64, "win_amd64"),
            (Arch::I686, "win32"),
            (Arch::Aarch64, "win_arm64"),
        ] {
            assert_eq!(Platform::Windows { arch }.platform_tags(), [tag]);
        }
        let a = Platform::Android {
            arch: Arch::Aarch64,
            api_level: 18,
        }
        .platform_tags();
        assert_eq!(
            a,
            [
                "android_18_arm64_v8a",
                "android_17_arm64_v8a",
                "android_16_arm64_v8a"
            ]
        );
    }

    #[test]
    fn python_platform_names() {
        let cases = [
            (
                "linux",
                Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: (2, 17),
                },
            ),
            (
                "x86_64-unknown-linux-gnu",
                Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: (2, 17),
                },
            ),
            (
                "aarch64-unknown-linux-gnu",
                Platform::Manylinux {
                    arch: Arch::Aarch64,
                    glibc: (2, 17),
                },
            ),
            (
                "x86_64-manylinux_2_28",
                Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: (2, 28),
                },
            ),
            (
                "aarch64-manylinux_2_17",
                Platform::Manylinux {
                    arch: Arch::Aarch64,
                    glibc: (2, 17),
                },
            ),
            (
                "x86_64-manylinux2014",
                Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: (2, 17),
                },
            ),
            (
                "x86_64-unknown-linux-musl",
                Platform::Musllinux {
                    arch: Arch::X86_64,
                    musl: (1, 2),
                },
            ),
            (
                "aarch64-musllinux_1_1",
                Platform::Musllinux {
                    arch: Arch::Aarch64,
                    musl: (1, 1),
                },
            ),
            (
                "macos",
                Platform::MacOs {
                    arch: Arch::Aarch64,
                    version: (13, 0),
                },
            ),
            (
                "aarch64-apple-darwin",
                Platform::MacOs {
                    arch: Arch::Aarch64,
                    version: (13, 0),
                },
            ),
            (
                "x86_64-apple-darwin",
                Platform::MacOs {
                    arch: Arch::X86_64,
                    version: (13, 0),
                },
            ),
            ("windows", Platform::Windows { arch: Arch::X86_64 }),
            (
                "x86_64-pc-windows-msvc",
                Platform::Windows { arch: Arch::X86_64 },
            ),
            (
                "i686-pc-windows-msvc",
                Platform::Windows { arch: Arch::I686 },
            ),
            (
                "aarch64-pc-windows-msvc",
                Platform::Windows {
                    arch: Arch::Aarch64,
                },
            ),
            (
                "armv7-unknown-linux-gnueabihf",
                Platform::Manylinux {
                    arch: Arch::Armv7l,
                    glibc: (2, 17),
                },
            ),
        ];
        for (name, want) in cases {
            assert_eq!(
                Platform::from_python_platform(name).unwrap(),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn python_platform_errors_list_the_forms() {
        for (name, span) in [
            ("solaris", 0..7),
            ("sparc-unknown-linux-gnu", 0..5),
            ("x86_64-unknown-freebsd", 7..22),
            ("x86_64-manylinux_2_x", 7..20),
            // Found by fuzzing: millions of tags, out of memory.
            ("x86_64-manylinux_15884_20", 7..25),
            ("x86_64-musllinux_1_65535", 7..24),
            ("s390x-apple-darwin", 0..5),
            ("", 0..0),
        ] {
            let e = Platform::from_python_platform(name).unwrap_err();
            assert_eq!(e.span(), span, "{name}: {e}");
            assert!(e.message().contains("x86_64-manylinux_2_28"), "{e}");
        }
    }

    #[test]
    fn markers() {
        let m = Platform::from_python_platform("windows")
            .unwrap()
            .markers()
            .unwrap();
        assert_eq!(
            (
                m.sys_platform,
                m.platform_system,
                m.platform_machine,
                m.os_name
            ),
            ("win32", "Windows", "AMD64", "nt")
        );
        let m = Platform::from_python_platform("macos")
            .unwrap()
            .markers()
            .unwrap();
        assert_eq!(
            (
                m.sys_platform,
                m.platform_system,
                m.platform_machine,
                m.os_name
            ),
            ("darwin", "Darwin", "arm64", "posix")
        );
        let m = Platform::from_python_platform("aarch64-unknown-linux-musl")
            .unwrap()
            .markers()
            .unwrap();
        assert_eq!(
            (
                m.sys_platform,
                m.platform_system,
                m.platform_machine,
                m.os_name
            ),
            ("linux", "Linux", "aarch64", "posix")
        );
        assert_eq!(
            Platform::Other {
                tag: "freebsd_14_0_amd64".into()
            }
            .markers(),
            None
        );
    }

    #[test]
    fn pip_platform_tags_name_the_machine() {
        for (tag, want) in [
            (
                "manylinux_2_28_x86_64",
                Platform::Manylinux {
                    arch: Arch::X86_64,
                    glibc: (2, 28),
                },
            ),
            (
                "manylinux2014_aarch64",
                Platform::Manylinux {
                    arch: Arch::Aarch64,
                    glibc: (2, 17),
                },
            ),
            (
                "musllinux_1_2_x86_64",
                Platform::Musllinux {
                    arch: Arch::X86_64,
                    musl: (1, 2),
                },
            ),
            ("linux_armv7l", Platform::Linux { arch: Arch::Armv7l }),
            (
                "macosx_11_0_arm64",
                Platform::MacOs {
                    arch: Arch::Aarch64,
                    version: (11, 0),
                },
            ),
            (
                "macosx_10_9_x86_64",
                Platform::MacOs {
                    arch: Arch::X86_64,
                    version: (10, 9),
                },
            ),
            ("win_amd64", Platform::Windows { arch: Arch::X86_64 }),
            ("win32", Platform::Windows { arch: Arch::I686 }),
            (
                "WIN_ARM64",
                Platform::Windows {
                    arch: Arch::Aarch64,
                },
            ),
        ] {
            assert_eq!(Platform::from_platform_tag(tag).unwrap(), want, "{tag}");
            assert_eq!(Platform::from_name_or_tag(tag).unwrap(), want, "{tag}");
        }
        // The machine accepts older manylinux wheels too, as uv's names do.
        let tags = Platform::from_platform_tag("manylinux_2_28_x86_64")
            .unwrap()
            .platform_tags();
        assert!(tags.contains(&"manylinux2014_x86_64".to_string()));
        assert_eq!(
            Platform::from_name_or_tag("x86_64-manylinux_2_28").unwrap(),
            Platform::from_platform_tag("manylinux_2_28_x86_64").unwrap()
        );
    }

    #[test]
    fn a_bad_platform_lists_both_forms() {
        for bad in [
            "manylinux_2_x86_64",
            "manylinux_2_28_sparc",
            "macosx_arm64",
            "solaris",
            "armv6l_manylinux",
            "manylinux_2_28_armv6l",
        ] {
            let e = Platform::from_name_or_tag(bad).unwrap_err();
            assert!(
                e.message().contains("x86_64-manylinux_2_28")
                    && e.message().contains("manylinux_2_28_x86_64"),
                "{bad}: {e}"
            );
        }
        // A uv-style name keeps its precise error.
        let e = Platform::from_name_or_tag("x86_64-unknown-freebsd").unwrap_err();
        assert_eq!(e.span(), 7..22);
    }
}
