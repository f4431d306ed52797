//! From probe facts to the inputs of tag generation.
//!
//! posy-vocab computes the ordered tag list from a description
//! ([`TagTarget`]: implementation and ABI, version, [`Platform`]); this file
//! reads that description off a probed interpreter using the same rules
//! `packaging.tags` applies to the running interpreter:
//!
//! - CPython's ABI flags come from `sysconfig` config variables, not
//!   `sys.abiflags` (Windows has none): `t` for a free-threaded 3.13+ build,
//!   `d` for a debug build, `m` for pymalloc before 3.8, `u` for a wide
//!   unicode build before 3.3.
//! - Other implementations' ABI comes from `EXT_SUFFIX`
//!   (`.pypy310-pp73-x86_64-linux-gnu.so` → `pypy310_pp73`).
//! - The platform: on Linux the architecture from `sysconfig.get_platform()`
//!   (a 32-bit interpreter on a 64-bit kernel counts as 32-bit), then glibc
//!   → manylinux, musl → musllinux, neither → plain `linux_<arch>`; on macOS
//!   the version and machine from `platform.mac_ver()`; on Windows the
//!   architecture from `sysconfig.get_platform()`. Anything else (iOS,
//!   Emscripten, the BSDs) is the one tag `sysconfig.get_platform()` names.

use posy_vocab::{Arch, Implementation as TagImplementation, Platform};

use crate::facts::ProbeFacts;

/// The implementation and ABI part of a [`posy_vocab::TagTarget`].
pub fn tag_implementation(facts: &ProbeFacts, version: (u8, u8)) -> TagImplementation {
    match facts.sys.implementation.as_str() {
        "cpython" => TagImplementation::CPython {
            abiflags: cpython_abiflags(facts, version),
        },
        "pypy" => TagImplementation::PyPy {
            abi: generic_abi(facts),
        },
        "graalpy" => TagImplementation::GraalPy {
            abi: generic_abi(facts),
        },
        other => TagImplementation::Other {
            name: match other {
                "ironpython" => "ip".to_string(),
                "jython" => "jy".to_string(),
                _ => other.to_string(),
            },
            abi: generic_abi(facts),
        },
    }
}

/// `packaging.tags._cpython_abis`'s flags, from the config variables.
fn cpython_abiflags(facts: &ProbeFacts, version: (u8, u8)) -> String {
    let abi = &facts.abi;
    let mut flags = String::new();
    if version >= (3, 13) && abi.gil_disabled {
        flags.push('t');
    }
    if abi.is_debug() {
        flags.push('d');
    }
    if version < (3, 8) && abi.with_pymalloc.is_none_or(|v| v != 0) {
        flags.push('m');
    }
    if version < (3, 3)
        && match abi.unicode_size {
            Some(size) => size == 4,
            None => abi.max_unicode == 0x10FFFF,
        }
    {
        flags.push('u');
    }
    flags
}

/// `packaging.tags._generic_abi`: the ABI part of `EXT_SUFFIX`, or `none`.
fn generic_abi(facts: &ProbeFacts) -> String {
    let Some(suffix) = facts.abi.ext_suffix.as_deref() else {
        return "none".to_string();
    };
    let parts: Vec<&str> = suffix.split('.').collect();
    let soabi = parts
        .get(1)
        .copied()
        .filter(|_| parts.len() >= 3)
        .unwrap_or("");
    let abi = if let Some(rest) = soabi.strip_prefix("cpython-") {
        format!("cp{}", rest.split('-').next().unwrap_or(""))
    } else if soabi.starts_with("cp") {
        soabi.split('-').next().unwrap_or("").to_string()
    } else if soabi.starts_with("pypy") {
        soabi.split('-').take(2).collect::<Vec<_>>().join("-")
    } else if soabi.starts_with("graalpy") {
        soabi.split('-').take(3).collect::<Vec<_>>().join("-")
    } else {
        soabi.to_string()
    };
    if abi.is_empty() {
        "none".to_string()
    } else {
        abi.replace(['.', '-', ' '], "_")
    }
}

/// The [`Platform`] a probed interpreter accepts wheels for.
pub fn platform(facts: &ProbeFacts) -> Platform {
    let p = &facts.platform;
    let is_32bit = facts.sys.pointer_size == 32;
    let sysconfig = p.sysconfig_platform.as_str();
    let other = || Platform::Other {
        tag: sysconfig.to_ascii_lowercase().replace(['.', '-', ' '], "_"),
    };
    match p.system.as_str() {
        "Linux" => {
            let Some(machine) = sysconfig.strip_prefix("linux-") else {
                return other();
            };
            let machine = match (machine, is_32bit) {
                ("x86_64", true) => "i686",
                // packaging calls this armv8l and also accepts armv7l; posy
                // has no armv8l wheels to offer, so take the armv7l half.
                ("aarch64", true) => "armv7l",
                (machine, _) => machine,
            };
            let Ok(arch) = machine.parse::<Arch>() else {
                return other();
            };
            match (p.glibc, p.musl) {
                (Some(glibc), _) => Platform::Manylinux { arch, glibc },
                (None, Some(musl)) => Platform::Musllinux { arch, musl },
                (None, None) => Platform::Linux { arch },
            }
        }
        "Darwin" => {
            let machine = p.macos_machine.as_deref().unwrap_or("");
            // packaging's _mac_arch: a 32-bit interpreter is i386 (or ppc).
            let machine = if is_32bit && !machine.starts_with("ppc") {
                "i386"
            } else {
                machine
            };
            match (p.macos, machine.parse::<Arch>()) {
                (Some(version), Ok(arch)) => Platform::MacOs { arch, version },
                _ => other(),
            }
        }
        "Windows" => match sysconfig {
            "win-amd64" => Platform::Windows { arch: Arch::X86_64 },
            "win32" => Platform::Windows { arch: Arch::I686 },
            "win-arm64" => Platform::Windows {
                arch: Arch::Aarch64,
            },
            _ => other(),
        },
        "Android" => {
            let abi = sysconfig.rsplit('-').next().unwrap_or("");
            let arch = match abi {
                "arm64_v8a" => Some(Arch::Aarch64),
                "armeabi_v7a" => Some(Arch::Armv7l),
                "x86_64" => Some(Arch::X86_64),
                "x86" => Some(Arch::I686),
                _ => None,
            };
            match (
                arch,
                p.android_api_level.and_then(|l| u16::try_from(l).ok()),
            ) {
                (Some(arch), Some(api_level)) => Platform::Android { arch, api_level },
                _ => other(),
            }
        }
        _ => other(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ProbeFacts {
        serde_json::from_str(include_str!("../tests/data/cpython311-linux.json")).unwrap()
    }

    #[test]
    fn linux_cpython() {
        let facts = facts();
        assert_eq!(
            platform(&facts),
            Platform::Manylinux {
                arch: Arch::X86_64,
                glibc: (2, 36)
            }
        );
        assert_eq!(
            tag_implementation(&facts, (3, 11)),
            TagImplementation::CPython {
                abiflags: String::new()
            }
        );
    }

    #[test]
    fn abiflags_follow_packaging() {
        let mut facts = facts();
        assert_eq!(cpython_abiflags(&facts, (3, 7)), "m");
        facts.abi.gil_disabled = true;
        facts.abi.py_debug = Some(1);
        assert_eq!(cpython_abiflags(&facts, (3, 13)), "td");
        facts.abi.py_debug = None;
        facts.abi.debug_extension_suffix = true;
        assert_eq!(cpython_abiflags(&facts, (3, 12)), "d");
        facts.abi.debug_extension_suffix = false;
        facts.abi.unicode_size = Some(4);
        facts.abi.with_pymalloc = Some(0);
        assert_eq!(cpython_abiflags(&facts, (3, 2)), "u");
    }

    #[test]
    fn generic_abi_from_ext_suffix() {
        let mut facts = facts();
        let mut abi = |suffix: &str| {
            facts.abi.ext_suffix = Some(suffix.to_string());
            generic_abi(&facts)
        };
        assert_eq!(abi(".cpython-310-x86_64-linux-gnu.so"), "cp310");
        assert_eq!(abi(".cp310-win_amd64.pyd"), "cp310");
        assert_eq!(abi(".pypy38-pp73-x86_64-linux-gnu.so"), "pypy38_pp73");
        assert_eq!(
            abi(".graalpy-38-native-x86_64-darwin.dylib"),
            "graalpy_38_native"
        );
        assert_eq!(abi(".pyd"), "none");
    }

    #[test]
    fn other_platforms() {
        let mut facts = facts();
        facts.platform.glibc = None;
        assert_eq!(platform(&facts), Platform::Linux { arch: Arch::X86_64 });
        facts.platform.musl = Some((1, 2));
        assert_eq!(
            platform(&facts),
            Platform::Musllinux {
                arch: Arch::X86_64,
                musl: (1, 2)
            }
        );
        facts.sys.pointer_size = 32;
        assert_eq!(platform(&facts).arch(), Some(Arch::I686));
        facts.platform.system = "Darwin".into();
        facts.sys.pointer_size = 64;
        facts.platform.sysconfig_platform = "macosx-11.0-arm64".into();
        facts.platform.macos = Some((14, 2));
        facts.platform.macos_machine = Some("arm64".into());
        assert_eq!(
            platform(&facts),
            Platform::MacOs {
                arch: Arch::Aarch64,
                version: (14, 2)
            }
        );
        facts.platform.system = "Windows".into();
        facts.platform.sysconfig_platform = "win-amd64".into();
        assert_eq!(platform(&facts), Platform::Windows { arch: Arch::X86_64 });
        facts.platform.system = "FreeBSD".into();
        facts.platform.sysconfig_platform = "freebsd-14.0-RELEASE-amd64".into();
        assert_eq!(
            platform(&facts),
            Platform::Other {
                tag: "freebsd_14_0_release_amd64".into()
            }
        );
    }
}
