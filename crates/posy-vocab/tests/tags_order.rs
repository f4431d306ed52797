//! The exact supported-tag order for a few targets, written out by hand
//! from the rules in `packaging.tags` (cpython_tags, generic_tags,
//! compatible_tags and the platform functions), so a change in order shows
//! up as a readable diff.

use posy_vocab::{Arch, Implementation, Platform, Tag, TagTarget, Tags};

fn order(target: &TagTarget) -> Vec<String> {
    Tags::from_target(target)
        .iter()
        .map(Tag::to_string)
        .collect()
}

#[test]
fn cpython_3_3_musllinux() {
    let target = TagTarget::cpython(
        (3, 3),
        Platform::Musllinux {
            arch: Arch::X86_64,
            musl: (1, 1),
        },
    );
    let plats = [
        "musllinux_1_1_x86_64",
        "musllinux_1_0_x86_64",
        "linux_x86_64",
    ];
    let mut want = Vec::new();
    for (py, abi) in [
        ("cp33", "cp33"),
        ("cp33", "abi3"),
        ("cp33", "none"),
        ("cp32", "abi3"),
        ("py33", "none"),
        ("py3", "none"),
        ("py32", "none"),
        ("py31", "none"),
        ("py30", "none"),
    ] {
        for plat in plats {
            want.push(format!("{py}-{abi}-{plat}"));
        }
    }
    for any in [
        "cp33-none-any",
        "py33-none-any",
        "py3-none-any",
        "py32-none-any",
        "py31-none-any",
        "py30-none-any",
    ] {
        want.push(any.to_string());
    }
    assert_eq!(order(&target), want);
}

#[test]
fn cpython_3_8_debug_win32() {
    let target = TagTarget {
        implementation: Implementation::CPython {
            abiflags: "d".into(),
        },
        python_version: (3, 8),
        platform: Platform::Windows { arch: Arch::I686 },
    };
    let want = [
        "cp38-cp38d-win32",
        "cp38-cp38-win32",
        "cp38-abi3-win32",
        "cp38-none-win32",
        "cp37-abi3-win32",
        "cp36-abi3-win32",
        "cp35-abi3-win32",
        "cp34-abi3-win32",
        "cp33-abi3-win32",
        "cp32-abi3-win32",
        "py38-none-win32",
        "py3-none-win32",
        "py37-none-win32",
        "py36-none-win32",
        "py35-none-win32",
        "py34-none-win32",
        "py33-none-win32",
        "py32-none-win32",
        "py31-none-win32",
        "py30-none-win32",
        "cp38-none-any",
        "py38-none-any",
        "py3-none-any",
        "py37-none-any",
        "py36-none-any",
        "py35-none-any",
        "py34-none-any",
        "py33-none-any",
        "py32-none-any",
        "py31-none-any",
        "py30-none-any",
    ];
    assert_eq!(order(&target), want);
}

#[test]
fn cpython_3_12_aarch64_manylinux_2_17() {
    let target = TagTarget::cpython(
        (3, 12),
        Platform::from_python_platform("aarch64-unknown-linux-gnu").unwrap(),
    );
    let got = order(&target);
    assert_eq!(
        &got[..6],
        [
            "cp312-cp312-manylinux_2_17_aarch64",
            "cp312-cp312-manylinux2014_aarch64",
            "cp312-cp312-linux_aarch64",
            "cp312-abi3-manylinux_2_17_aarch64",
            "cp312-abi3-manylinux2014_aarch64",
            "cp312-abi3-linux_aarch64",
        ]
    );
    // 3 platforms x (own ABI, abi3, none, 10 older abi3, 14 py* versions)
    // plus cp312-none-any and the 14 py*-none-any tags.
    assert_eq!(got.len(), 3 * (3 + 10 + 14) + 1 + 14);
    assert_eq!(got[3 * 13 - 1], "cp32-abi3-linux_aarch64");
    assert_eq!(got[3 * 13], "py312-none-manylinux_2_17_aarch64");
}

#[test]
fn pypy_3_9_macos_arm64() {
    let target = TagTarget {
        implementation: Implementation::PyPy {
            abi: "pypy39_pp73".into(),
        },
        python_version: (3, 9),
        platform: Platform::MacOs {
            arch: Arch::Aarch64,
            version: (11, 0),
        },
    };
    let got = order(&target);
    assert_eq!(
        &got[..4],
        [
            "pp39-pypy39_pp73-macosx_11_0_arm64",
            "pp39-pypy39_pp73-macosx_11_0_universal2",
            "pp39-pypy39_pp73-macosx_10_16_universal2",
            "pp39-pypy39_pp73-macosx_10_15_universal2",
        ]
    );
    // 15 platforms: 11.0 arm64 and universal2, then universal2 for 10.16..10.4.
    let plats = 2 + 13;
    assert_eq!(got[plats], "pp39-none-macosx_11_0_arm64");
    assert_eq!(got[2 * plats], "py39-none-macosx_11_0_arm64");
    let tail: Vec<&str> = got[got.len() - 12..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "pp3-none-any",
            "py39-none-any",
            "py3-none-any",
            "py38-none-any",
            "py37-none-any",
            "py36-none-any",
            "py35-none-any",
            "py34-none-any",
            "py33-none-any",
            "py32-none-any",
            "py31-none-any",
            "py30-none-any",
        ]
    );
    assert_eq!(got.len(), plats * (2 + 11) + 12);
}

#[test]
fn free_threaded_uses_abi3t() {
    let target = TagTarget {
        implementation: Implementation::CPython {
            abiflags: "t".into(),
        },
        python_version: (3, 14),
        platform: Platform::Linux {
            arch: Arch::Riscv64,
        },
    };
    let got = order(&target);
    assert_eq!(
        &got[..5],
        [
            "cp314-cp314t-linux_riscv64",
            "cp314-abi3t-linux_riscv64",
            "cp314-none-linux_riscv64",
            "cp313-abi3t-linux_riscv64",
            "cp312-abi3t-linux_riscv64",
        ]
    );
}
