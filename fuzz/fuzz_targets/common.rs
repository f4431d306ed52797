//! Helpers shared by the fuzz targets: splitting one input into several
//! strings, and the fixed marker environments markers are evaluated against.
//!
//! A target that needs two values (a specifier and a version, a filename and
//! a package name) reads them from one input split at the first `0xFF` byte,
//! a byte that never occurs in UTF-8, so each part is still plain text.
#![allow(dead_code)]

use posy_vocab::{MarkerEnvironment, MarkerValues};

/// The input as text up to the first `0xFF`, and the text after it (empty
/// when there is no `0xFF`). `None` when either part is not UTF-8.
pub fn split2(data: &[u8]) -> Option<(&str, &str)> {
    let (a, b) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    Some((std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?))
}

/// CPython 3.12 on x86_64 Linux, as the probe reports it.
pub fn linux_env() -> MarkerEnvironment {
    MarkerEnvironment::new(MarkerValues {
        implementation_name: "cpython".into(),
        implementation_version: "3.12.1".into(),
        os_name: "posix".into(),
        platform_machine: "x86_64".into(),
        platform_python_implementation: "CPython".into(),
        platform_release: "6.5.0-14-generic".into(),
        platform_system: "Linux".into(),
        platform_version: "#14~22.04.1-Ubuntu SMP PREEMPT_DYNAMIC".into(),
        python_full_version: "3.12.1".into(),
        python_version: "3.12".into(),
        sys_platform: "linux".into(),
    })
}

/// PyPy 3.10 on Windows, with a pre-release implementation version.
pub fn windows_env() -> MarkerEnvironment {
    MarkerEnvironment::new(MarkerValues {
        implementation_name: "pypy".into(),
        implementation_version: "7.3.16rc1".into(),
        os_name: "nt".into(),
        platform_machine: "AMD64".into(),
        platform_python_implementation: "PyPy".into(),
        platform_release: "10".into(),
        platform_system: "Windows".into(),
        platform_version: "10.0.22631".into(),
        python_full_version: "3.10.14".into(),
        python_version: "3.10".into(),
        sys_platform: "win32".into(),
    })
}

/// An environment whose every value is `s`: odd strings in every position.
pub fn env_of(s: &str) -> MarkerEnvironment {
    let v = || s.to_string();
    MarkerEnvironment::new(MarkerValues {
        implementation_name: v(),
        implementation_version: v(),
        os_name: v(),
        platform_machine: v(),
        platform_python_implementation: v(),
        platform_release: v(),
        platform_system: v(),
        platform_version: v(),
        python_full_version: v(),
        python_version: v(),
        sys_platform: v(),
    })
}
