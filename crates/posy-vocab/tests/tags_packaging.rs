//! Compares our generated tag order with `packaging.tags.sys_tags()` of the
//! `python3` on this machine, for the same interpreter and platform.
//!
//! The Python side reports its version, `sys.abiflags`, implementation,
//! architecture and glibc version (`os.confstr("CS_GNU_LIBC_VERSION")`);
//! we build the matching [`TagTarget`] and expect the identical list.
//! `packaging` is used if installed, else the copy vendored in pip. Known
//! differences between `packaging` releases are applied to our list
//! before comparing (see `adjust_for_packaging`). Machines without
//! `python3`, or not running CPython on glibc Linux, skip the comparison
//! with a message: there is nothing to compare against there.

use std::process::Command;

use posy_vocab::{Arch, Implementation, Platform, Tag, TagTarget, Tags};

const PROBE: &str = r#"
import os, sys, sysconfig
try:
    import packaging
    from packaging.tags import sys_tags
except ImportError:
    from pip._vendor import packaging
    from pip._vendor.packaging.tags import sys_tags
try:
    libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
except (AttributeError, ValueError, OSError):
    libc = ""
print("packaging=" + packaging.__version__)
print("implementation=" + sys.implementation.name)
print("version=%d.%d" % sys.version_info[:2])
print("abiflags=" + getattr(sys, "abiflags", ""))
print("platform=" + sysconfig.get_platform())
print("libc=" + libc)
print("--")
for tag in sys_tags():
    print(tag)
"#;

/// `mac_platforms` takes the version and architecture as arguments, so it
/// can be compared on any machine.
const MAC_PROBE: &str = r#"
try:
    import packaging
    from packaging.tags import mac_platforms
except ImportError:
    from pip._vendor.packaging.tags import mac_platforms
    from pip._vendor import packaging
print(packaging.__version__)
for major, minor, arch in [(10, 3, "x86_64"), (10, 9, "x86_64"), (10, 16, "x86_64"),
                           (11, 0, "x86_64"), (14, 2, "x86_64"), (11, 0, "arm64"),
                           (15, 1, "arm64"), (10, 6, "i386")]:
    print("%d.%d %s %s" % (major, minor, arch, " ".join(mac_platforms((major, minor), arch))))
"#;

struct Probe {
    packaging: Vec<u32>,
    implementation: String,
    version: (u8, u8),
    abiflags: String,
    platform: String,
    libc: String,
    tags: Vec<String>,
}

fn run_python(script: &str) -> Option<String> {
    // python3 (CPython on glibc Linux) is on every machine posy is tested on.
    let output = match Command::new("python3").arg("-c").arg(script).output() {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "the python3 probe failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run python3: {e}"),
    };
    Some(String::from_utf8(output.stdout).expect("python3 printed UTF-8"))
}

fn run_probe() -> Option<Probe> {
    let text = run_python(PROBE)?;
    let (header, tags) = text
        .split_once("--\n")
        .expect("probe output has a `--` line");
    let field = |key: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_default()
            .to_string()
    };
    let version = field("version");
    let (major, minor) = version.split_once('.').expect("version is X.Y");
    Some(Probe {
        packaging: field("packaging")
            .split('.')
            .map_while(|p| p.parse().ok())
            .collect(),
        implementation: field("implementation"),
        version: (major.parse().unwrap(), minor.parse().unwrap()),
        abiflags: field("abiflags"),
        platform: field("platform"),
        libc: field("libc"),
        tags: tags.lines().map(str::to_string).collect(),
    })
}

/// Applies what older or newer `packaging` releases do differently from
/// the order we generate, so the comparison checks everything else exactly.
fn adjust_for_packaging(ours: Vec<String>, packaging: &[u32], interpreter: &str) -> Vec<String> {
    let at_least = |want: &[u32]| packaging >= want;
    let mut ours = ours;
    if !at_least(&[22]) {
        // `cpXY-none-any` was added in packaging 22.0.
        let extra = format!("{interpreter}-none-any");
        ours.retain(|t| *t != extra);
    }
    if at_least(&[26, 3]) {
        // packaging 26.3 puts `linux_<arch>` before the manylinux tags
        // within each (python, abi) run.
        let mut out = Vec::with_capacity(ours.len());
        let mut i = 0;
        while i < ours.len() {
            let prefix = |t: &str| {
                t.rsplit_once('-')
                    .map(|(p, _)| p.to_string())
                    .unwrap_or_default()
            };
            let key = prefix(&ours[i]);
            let mut j = i;
            while j < ours.len() && prefix(&ours[j]) == key {
                j += 1;
            }
            let run = &ours[i..j];
            out.extend(run.iter().filter(|t| t.contains("-linux_")).cloned());
            out.extend(run.iter().filter(|t| !t.contains("-linux_")).cloned());
            i = j;
        }
        ours = out;
    }
    ours
}

#[test]
fn matches_packaging_sys_tags_on_this_machine() {
    let Some(probe) = run_probe() else { return };
    assert_eq!(
        probe.implementation, "cpython",
        "this test compares with CPython's tags"
    );
    let arch = probe
        .platform
        .strip_prefix("linux-")
        .unwrap_or_else(|| panic!("python3's platform is {}, not Linux", probe.platform));
    let glibc = probe
        .libc
        .strip_prefix("glibc ")
        .unwrap_or_else(|| panic!("python3 is not linked against glibc ({:?})", probe.libc));
    let (gmaj, gmin) = glibc.split_once('.').expect("glibc version is X.Y");
    let gmin: String = gmin.chars().take_while(char::is_ascii_digit).collect();
    let arch: Arch = arch.parse().expect("known architecture");
    let target = TagTarget {
        implementation: Implementation::CPython {
            abiflags: probe.abiflags.clone(),
        },
        python_version: probe.version,
        platform: Platform::Manylinux {
            arch,
            glibc: (gmaj.parse().unwrap(), gmin.parse().unwrap()),
        },
    };
    let ours: Vec<String> = Tags::from_target(&target)
        .iter()
        .map(Tag::to_string)
        .collect();
    let interpreter = format!("cp{}{}", probe.version.0, probe.version.1);
    let ours = adjust_for_packaging(ours, &probe.packaging, &interpreter);
    if ours != probe.tags {
        let first = ours.iter().zip(&probe.tags).position(|(a, b)| a != b);
        panic!(
            "tag order differs from packaging {:?} (ours {} tags, packaging {}); first difference at {:?}: ours {:?}, packaging {:?}",
            probe.packaging,
            ours.len(),
            probe.tags.len(),
            first,
            first.map(|i| &ours[i]),
            first.map(|i| &probe.tags[i]),
        );
    }
    eprintln!(
        "{} tags identical to packaging {:?}",
        ours.len(),
        probe.packaging
    );
}

#[test]
fn matches_packaging_mac_platforms() {
    let Some(text) = run_python(MAC_PROBE) else {
        return;
    };
    let mut lines = text.lines();
    let packaging: Vec<u32> = lines
        .next()
        .unwrap()
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    let mut checked = 0;
    for line in lines {
        let mut words = line.split(' ');
        let (version, arch) = (words.next().unwrap(), words.next().unwrap());
        let want: Vec<&str> = words.filter(|w| !w.is_empty()).collect();
        let (major, minor) = version.split_once('.').unwrap();
        let platform = Platform::MacOs {
            arch: arch.parse().unwrap(),
            version: (major.parse().unwrap(), minor.parse().unwrap()),
        };
        let mut ours = platform.platform_tags();
        if packaging < vec![26, 3] {
            // Before 26.3 packaging misspelled `fat3` as `fat32`.
            for tag in &mut ours {
                if let Some(stem) = tag.strip_suffix("_fat3") {
                    *tag = format!("{stem}_fat32");
                }
            }
        }
        assert_eq!(ours, want, "macOS {version} {arch}");
        checked += 1;
    }
    assert_eq!(checked, 8);
}
