//! A PyBI's metadata as the interpreter's probe: what `probe.py` would
//! report about an installed PyBI, read from `pybi-info/METADATA` without
//! running the interpreter (PEP 711's point: an installer can know the
//! interpreter from its metadata).
//!
//! The metadata gives what belongs to the build: the PEP 508 marker values
//! (`Pybi-Environment-Marker-Variables`), the install paths relative to the
//! root (`Pybi-Paths`) and the wheel tags (`Pybi-Wheel-Tag`, whose first
//! tag names the interpreter and its ABI: `cp312-cp312`, `cp313-cp313t`).
//! What belongs to the machine comes from the machine, as the probe would
//! read it there: `platform_release` and `platform_version` from `uname`
//! (when the metadata leaves them out, as the PEP's example does), the
//! glibc version from the C library, the ELF loader from the executable.
//!
//! Only where every part is known is the probe skipped: a CPython PyBI on
//! glibc Linux, run from its own `bin/` (a virtual environment's link to it
//! is a different interpreter, with its own prefix). Anything else (macOS,
//! Windows, musl, PyPy, an incomplete METADATA) returns `None` and the
//! ordinary probe runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use posy_vocab::MarkerValues;

use super::pybi::PybiMetadata;
use crate::facts::{AbiFacts, PlatformFacts, ProbeFacts, SysFacts, SysconfigPaths, VenvScheme};

/// The probe's facts for the interpreter at `executable`, from the PyBI it
/// belongs to; `None` when it is not a PyBI's or the metadata cannot stand
/// in for the probe here.
pub fn facts_for(executable: &Path) -> Option<ProbeFacts> {
    let bin = executable.parent()?;
    let root = bin.parent()?;
    if bin.join("pyvenv.cfg").exists() || root.join("pyvenv.cfg").exists() {
        return None;
    }
    let text = std::fs::read_to_string(root.join("pybi-info/METADATA")).ok()?;
    let metadata = PybiMetadata::parse(&text).ok()?;
    let executable = std::path::absolute(executable).ok()?;
    let root = executable.parent()?.parent()?.to_path_buf();
    let host = Host::current(&executable)?;
    from_metadata(&metadata, &root, &executable, &host)
}

/// What the machine contributes.
#[derive(Debug, Clone)]
struct Host {
    release: String,
    version: String,
    glibc: (u16, u16),
    elf_interpreter: String,
}

impl Host {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn current(executable: &Path) -> Option<Host> {
        let elf_interpreter = elf_interpreter(executable)?;
        if !elf_interpreter.contains("ld-linux") {
            return None;
        }
        // SAFETY: both return pointers to static, NUL-terminated strings
        // (uname fills the struct we own).
        let glibc = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) }
            .to_str()
            .ok()
            .and_then(|v| {
                let mut parts = v.split('.');
                Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
            })?;
        let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut uts) } != 0 {
            return None;
        }
        let field = |chars: &[libc::c_char]| {
            let bytes: Vec<u8> = chars
                .iter()
                .take_while(|c| **c != 0)
                .map(|c| *c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        Some(Host {
            release: field(&uts.release),
            version: field(&uts.version),
            glibc,
            elf_interpreter,
        })
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    fn current(_executable: &Path) -> Option<Host> {
        None
    }
}

fn from_metadata(
    metadata: &PybiMetadata,
    root: &Path,
    executable: &Path,
    host: &Host,
) -> Option<ProbeFacts> {
    let marker = |name: &str| metadata.markers.get(name).cloned();
    if marker("implementation_name")? != "cpython" || marker("sys_platform")? != "linux" {
        return None;
    }
    let full_version = marker("python_full_version")?;
    let version_info = version_info(&full_version)?;
    let (major, minor) = (version_info.0, version_info.1);
    // The first tag names the interpreter and its ABI: cp312-cp312-…
    let first = metadata.wheel_tags.first()?;
    let mut parts = first.split('-');
    let (interpreter, abi) = (parts.next()?, parts.next()?);
    let nodot = interpreter.strip_prefix("cp")?;
    if nodot != format!("{major}{minor}") {
        return None;
    }
    let abiflags = abi.strip_prefix("cp")?.strip_prefix(nodot)?.to_string();
    if abiflags
        .chars()
        .any(|c| !matches!(c, 't' | 'd' | 'm' | 'u'))
    {
        return None;
    }
    let machine = marker("platform_machine")?;
    let (pointer_size, byteorder) = match machine.as_str() {
        "x86_64" | "aarch64" | "ppc64le" | "riscv64" | "loongarch64" => (64, "little"),
        "s390x" => (64, "big"),
        "i686" | "armv7l" => (32, "little"),
        _ => return None,
    };
    let multiarch = match machine.as_str() {
        "i686" => "i386-linux-gnu".to_string(),
        "armv7l" => "arm-linux-gnueabihf".to_string(),
        "ppc64le" => "powerpc64le-linux-gnu".to_string(),
        other => format!("{other}-linux-gnu"),
    };
    let path = |key: &str| metadata.paths.get(key).map(|p| root.join(p));
    let purelib = path("purelib")?;
    let stdlib = path("stdlib")?;
    let scripts = path("scripts")?;
    let paths = SysconfigPaths {
        platlib: path("platlib").unwrap_or_else(|| purelib.clone()),
        platstdlib: path("platstdlib").unwrap_or_else(|| stdlib.clone()),
        include: path("include")?,
        data: path("data").unwrap_or_else(|| root.to_path_buf()),
        purelib,
        stdlib,
        scripts,
    };
    // CPython's venv scheme on POSIX (what `posix_prefix` gives under a
    // venv's root before 3.11): `lib/python3.X[t]/site-packages`, `bin`.
    let site = PathBuf::from(format!(
        "lib/python{major}.{minor}{}/site-packages",
        if abiflags.contains('t') { "t" } else { "" }
    ));
    let venv_paths = BTreeMap::from([
        ("purelib".to_string(), site.clone()),
        ("platlib".to_string(), site),
        ("scripts".to_string(), PathBuf::from("bin")),
        ("data".to_string(), PathBuf::new()),
    ]);
    let soabi = format!("cpython-{nodot}{abiflags}-{multiarch}");
    let markers = MarkerValues {
        implementation_name: "cpython".into(),
        implementation_version: marker("implementation_version")?,
        os_name: marker("os_name")?,
        platform_machine: machine.clone(),
        platform_python_implementation: marker("platform_python_implementation")?,
        platform_release: marker("platform_release").unwrap_or_else(|| host.release.clone()),
        platform_system: marker("platform_system")?,
        platform_version: marker("platform_version").unwrap_or_else(|| host.version.clone()),
        python_full_version: full_version.clone(),
        python_version: marker("python_version")?,
        sys_platform: "linux".into(),
    };
    let root = root.to_path_buf();
    Some(ProbeFacts {
        sys: SysFacts {
            executable: executable.to_path_buf(),
            base_executable: executable.to_path_buf(),
            prefix: root.clone(),
            base_prefix: root.clone(),
            exec_prefix: root.clone(),
            base_exec_prefix: root,
            version_info,
            version: full_version,
            implementation: "cpython".into(),
            implementation_version: markers.implementation_version.clone(),
            abiflags: abiflags.clone(),
            pointer_size,
            byteorder: byteorder.into(),
            is_venv: false,
            multiarch: Some(multiarch),
        },
        markers,
        paths,
        venv_scheme: VenvScheme {
            name: if (major, minor) >= (3, 11) {
                "venv".into()
            } else {
                "posix_prefix".into()
            },
            paths: venv_paths,
        },
        abi: AbiFacts {
            py_version_nodot: Some(nodot.to_string()),
            ext_suffix: Some(format!(".{soabi}.so")),
            soabi: Some(soabi),
            py_debug: Some(i64::from(abiflags.contains('d'))),
            has_gettotalrefcount: abiflags.contains('d'),
            debug_extension_suffix: false,
            gil_disabled: abiflags.contains('t'),
            with_pymalloc: Some(i64::from(
                abiflags.contains('m') || (major, minor) >= (3, 8),
            )),
            unicode_size: None,
            max_unicode: 0x10FFFF,
        },
        platform: PlatformFacts {
            sysconfig_platform: format!("linux-{machine}"),
            machine,
            system: "Linux".into(),
            glibc: Some(host.glibc),
            elf_interpreter: Some(host.elf_interpreter.clone()),
            musl: None,
            macos: None,
            macos_machine: None,
            ios: None,
            android_api_level: None,
            emscripten_version: None,
        },
    })
}

/// `3.12.1` → `(3, 12, 1, "final", 0)`; `3.13.0rc2` → `(3, 13, 0, "candidate", 2)`.
fn version_info(text: &str) -> Option<(u64, u64, u64, String, u64)> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (release, pre) = text.split_at(split);
    let mut parts = release.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let micro = parts.next().unwrap_or("0").parse().ok()?;
    let (level, serial) = if pre.is_empty() {
        ("final", 0)
    } else {
        let digits = pre.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let level = match &pre[..pre.len() - digits.len()] {
            "a" => "alpha",
            "b" => "beta",
            "rc" | "c" => "candidate",
            _ => return None,
        };
        (level, digits.parse().ok()?)
    };
    Some((major, minor, micro, level.to_string(), serial))
}

/// The `PT_INTERP` of an ELF executable: the loader it asks for.
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn elf_interpreter(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match bytes.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let big = match bytes.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let int = |at: usize, size: usize| -> Option<u64> {
        let slice = bytes.get(at..at + size)?;
        let mut value = 0u64;
        for i in 0..size {
            let byte = if big { slice[i] } else { slice[size - 1 - i] };
            value = value << 8 | u64::from(byte);
        }
        Some(value)
    };
    let (ph_off, ph_size, ph_num) = if wide {
        (int(0x20, 8)?, int(0x36, 2)?, int(0x38, 2)?)
    } else {
        (int(0x1C, 4)?, int(0x2A, 2)?, int(0x2C, 2)?)
    };
    for index in 0..ph_num {
        let at = usize::try_from(ph_off + index * ph_size).ok()?;
        if int(at, 4)? != 3 {
            continue; // not PT_INTERP
        }
        let (offset, size) = if wide {
            (int(at + 8, 8)?, int(at + 32, 8)?)
        } else {
            (int(at + 4, 4)?, int(at + 16, 4)?)
        };
        let start = usize::try_from(offset).ok()?;
        let end = start + usize::try_from(size).ok()?;
        let text = bytes.get(start..end)?;
        let text = text.split(|b| *b == 0).next()?;
        return String::from_utf8(text.to_vec()).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            version_info("3.12.1").unwrap(),
            (3, 12, 1, "final".into(), 0)
        );
        assert_eq!(
            version_info("3.13.0rc2").unwrap(),
            (3, 13, 0, "candidate".into(), 2)
        );
        assert_eq!(version_info("3.14.0a1").unwrap().3, "alpha");
        assert!(version_info("3.x").is_none());
    }

    #[test]
    fn not_a_pybi_is_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        assert!(facts_for(&dir.path().join("bin/python3")).is_none());
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_loader_of_this_test_binary() {
        let me = std::env::current_exe().unwrap();
        let loader = elf_interpreter(&me).unwrap();
        assert!(loader.contains("ld-linux"), "{loader}");
        assert!(elf_interpreter(Path::new("/etc/hostname")).is_none());
    }
}
