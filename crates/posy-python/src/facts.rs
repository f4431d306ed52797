//! What the probe learns about an interpreter, as plain data.
//!
//! `probe.py` prints one JSON object; these types are its schema, field for
//! field. They are plain (strings, numbers, lists) on purpose: the same value
//! is written to the probe cache and read back on the next run, so it must
//! round-trip through JSON exactly, and a change to this schema must bump
//! [`crate::probe_cache::SCHEMA`] so old cache entries are ignored.
//!
//! Richer views (the PEP 508 marker environment, the PEP 425 tag list, the
//! version as a PEP 440 value) are computed from these facts by
//! [`crate::Interpreter`]; nothing here interprets anything.

use std::collections::BTreeMap;
use std::path::PathBuf;

use posy_vocab::MarkerValues;
use serde::{Deserialize, Serialize};

/// Everything one probe run reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeFacts {
    /// The PEP 508 environment marker variables (keyed by their PEP 508
    /// names in JSON).
    pub markers: MarkerValues,
    pub sys: SysFacts,
    /// `sysconfig.get_paths()` of the interpreter (its default scheme).
    pub paths: SysconfigPaths,
    /// Where a virtual environment made from this interpreter puts things.
    pub venv_scheme: VenvScheme,
    pub abi: AbiFacts,
    pub platform: PlatformFacts,
}

/// Values from `sys` (and `sys.implementation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysFacts {
    pub executable: PathBuf,
    /// The interpreter a virtual environment made from this one should link
    /// to: `sys._base_executable`, corrected for venvs of Python < 3.11.
    pub base_executable: PathBuf,
    pub prefix: PathBuf,
    pub base_prefix: PathBuf,
    pub exec_prefix: PathBuf,
    pub base_exec_prefix: PathBuf,
    /// `sys.version_info` as `(major, minor, micro, releaselevel, serial)`.
    pub version_info: (u64, u64, u64, String, u64),
    /// `sys.version`, the human-readable banner.
    pub version: String,
    /// `sys.implementation.name`, e.g. `cpython`, `pypy`.
    pub implementation: String,
    /// `sys.implementation.version` in PEP 508's `implementation_version` form.
    pub implementation_version: String,
    /// `sys.abiflags` (empty on Windows and on most modern builds).
    pub abiflags: String,
    /// Pointer size in bits (`struct.calcsize("P") * 8`).
    pub pointer_size: u8,
    /// `sys.byteorder`: `little` or `big`.
    pub byteorder: String,
    /// `sys.prefix != sys.base_prefix`.
    pub is_venv: bool,
    /// `sys.implementation._multiarch`, when the build defines it.
    pub multiarch: Option<String>,
}

/// `sysconfig.get_paths()`: absolute paths of the interpreter's own scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysconfigPaths {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    pub include: PathBuf,
    pub data: PathBuf,
    pub stdlib: PathBuf,
    pub platstdlib: PathBuf,
}

/// The install scheme of a virtual environment made from this interpreter:
/// the scheme's name and its paths relative to the environment's root
/// (`lib/python3.12/site-packages`, `bin`, and `""` for `data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenvScheme {
    pub name: String,
    pub paths: BTreeMap<String, PathBuf>,
}

/// The inputs of the CPython ABI tag rules (`packaging.tags._cpython_abis`)
/// and of the generic ABI tag (`EXT_SUFFIX`), as the interpreter reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbiFacts {
    /// `sysconfig.get_config_var("py_version_nodot")`; the version part of
    /// the interpreter tag when set.
    pub py_version_nodot: Option<String>,
    pub soabi: Option<String>,
    pub ext_suffix: Option<String>,
    /// `Py_DEBUG`: `None` when the build does not say (Windows).
    pub py_debug: Option<i64>,
    pub has_gettotalrefcount: bool,
    /// Whether `_d.pyd` is an extension suffix (Windows debug builds).
    pub debug_extension_suffix: bool,
    /// `Py_GIL_DISABLED`: a free-threaded build (PEP 703).
    pub gil_disabled: bool,
    pub with_pymalloc: Option<i64>,
    pub unicode_size: Option<i64>,
    pub max_unicode: u64,
}

impl AbiFacts {
    /// Whether this is a debug build, by `packaging`'s rule: `Py_DEBUG` when
    /// set, else the presence of `sys.gettotalrefcount` or `_d.pyd`.
    pub fn is_debug(&self) -> bool {
        match self.py_debug {
            Some(value) => value != 0,
            None => self.has_gettotalrefcount || self.debug_extension_suffix,
        }
    }
}

/// The platform facts wheel tags depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformFacts {
    /// `sysconfig.get_platform()`, e.g. `linux-x86_64`, `macosx-11.0-arm64`.
    pub sysconfig_platform: String,
    /// `platform.machine()`.
    pub machine: String,
    /// `platform.system()`.
    pub system: String,
    /// `(major, minor)` of glibc from `os.confstr("CS_GNU_LIBC_VERSION")`.
    pub glibc: Option<(u16, u16)>,
    /// The ELF loader (`PT_INTERP`) of `sys.executable`, on Linux.
    pub elf_interpreter: Option<String>,
    /// `(major, minor)` of musl, from running the musl loader.
    pub musl: Option<(u16, u16)>,
    /// `(major, minor)` of macOS, corrected for the `10.16` compatibility answer.
    pub macos: Option<(u16, u16)>,
    /// The machine `platform.mac_ver()` reports.
    pub macos_machine: Option<String>,
    pub ios: Option<(u16, u16)>,
    pub android_api_level: Option<u32>,
    pub emscripten_version: Option<String>,
}
