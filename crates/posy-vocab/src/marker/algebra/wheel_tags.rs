//! The environments a wheel's tags can be installed in, as a set.
//!
//! Each tag is (python part) and (platform part); the set is the union over
//! the tags. Only what markers can see is used: the interpreter
//! (`implementation_name`), its version, `sys_platform` and
//! `platform_machine`. The libc a `manylinux`/`musllinux` tag needs, the
//! macOS version and the ABI flags are no marker variables, so they are not
//! in the set; installing still checks the tags. A tag this does not
//! understand stands for every environment: a wheel is never ruled out by
//! what we cannot read.
//!
//! Versions are whole `python_version`s (`cp312` is `3.12.dev0` up to
//! `3.13.dev0`), since a pre-release of 3.12 takes `cp312` wheels too.

use version_ranges::Ranges;

use super::super::expression::MarkerVariable;
use super::diagram::{FALSE, Interner, NodeId, TRUE, Variable};
use crate::tags::TagSet;
use crate::version::Version;

impl Interner {
    pub(super) fn read_wheel_tags(&mut self, tags: &TagSet) -> NodeId {
        if let Some(&set) = self.wheel_tags.get(tags) {
            return set;
        }
        let mut set = FALSE;
        for tag in tags.iter() {
            let python = self.python_tag(tag.python(), tag.abi());
            let platform = self.platform_tag(tag.platform());
            let both = self.and(python, platform);
            set = self.or(set, both);
        }
        self.wheel_tags.insert(tags.clone(), set);
        set
    }

    fn python_tag(&mut self, python: &str, abi: &str) -> NodeId {
        let (implementation, digits) = if let Some(d) = python.strip_prefix("cp") {
            (Some("cpython"), d)
        } else if let Some(d) = python.strip_prefix("pp") {
            (Some("pypy"), d)
        } else if let Some(d) = python.strip_prefix("py") {
            (None, d)
        } else {
            return TRUE;
        };
        let Some((major, minor)) = split_digits(digits) else {
            return TRUE;
        };
        let start = |minor: u64| Version::new([major, minor]).with_dev(Some(0));
        let next_major = Version::new([major + 1, 0]).with_dev(Some(0));
        let versions = match (minor, implementation) {
            (None, _) => Ranges::from_range_bounds(start(0)..next_major),
            (Some(minor), None) => Ranges::from_range_bounds(start(minor)..next_major),
            // The stable ABI: this minor version and every later one.
            (Some(minor), Some("cpython")) if abi == "abi3" => Ranges::higher_than(start(minor)),
            (Some(minor), Some(_)) => Ranges::from_range_bounds(start(minor)..start(minor + 1)),
        };
        let versions = self.python_in(versions);
        match implementation {
            Some(name) => {
                let implementation = self.string(MarkerVariable::ImplementationName, name);
                self.and(implementation, versions)
            }
            None => versions,
        }
    }

    fn platform_tag(&mut self, platform: &str) -> NodeId {
        let (sys_platform, machines): (&str, Vec<&str>) = match platform {
            "any" => return TRUE,
            "win32" => ("win32", vec!["x86"]),
            "win_amd64" => ("win32", vec!["AMD64"]),
            "win_arm64" => ("win32", vec!["ARM64"]),
            p if p.starts_with("win") => ("win32", vec![]),
            p if p.starts_with("macosx_") => {
                let machines = if p.ends_with("_arm64") {
                    vec!["arm64"]
                } else if p.ends_with("_x86_64") {
                    vec!["x86_64"]
                } else if p.ends_with("_universal2") {
                    vec!["arm64", "x86_64"]
                } else {
                    vec![]
                };
                ("darwin", machines)
            }
            p => match linux_arch(p) {
                Some(arch) => ("linux", vec![arch]),
                None => return TRUE,
            },
        };
        let mut set = self.string(MarkerVariable::SysPlatform, sys_platform);
        if !machines.is_empty() {
            let mut machine = FALSE;
            for m in machines {
                let one = self.string(MarkerVariable::PlatformMachine, m);
                machine = self.or(machine, one);
            }
            set = self.and(set, machine);
        }
        set
    }

    fn string(&mut self, variable: MarkerVariable, value: &str) -> NodeId {
        let var = Variable::string(variable).expect("a string variable");
        self.string_is(var, value)
    }
}

/// `3` → (3, None), `312` → (3, Some(12)).
fn split_digits(digits: &str) -> Option<(u64, Option<u64>)> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let major = digits[..1].parse().ok()?;
    let minor = match &digits[1..] {
        "" => None,
        rest => Some(rest.parse().ok()?),
    };
    Some((major, minor))
}

/// The machine of a `manylinux1_x86_64`, `manylinux_2_17_aarch64`,
/// `musllinux_1_2_armv7l` or `linux_riscv64` tag.
fn linux_arch(platform: &str) -> Option<&str> {
    let mut rest = ["manylinux", "musllinux", "linux"]
        .iter()
        .find_map(|prefix| platform.strip_prefix(prefix))?;
    // Skip the version numbers: `_2_17_`, `1_`, `2014_`.
    loop {
        let trimmed = rest.strip_prefix('_').unwrap_or(rest);
        let digits = trimmed.len()
            - trimmed
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits > 0 && trimmed[digits..].starts_with('_') {
            rest = &trimmed[digits..];
        } else {
            rest = trimmed;
            break;
        }
    }
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_machines() {
        for (tag, arch) in [
            ("manylinux1_x86_64", Some("x86_64")),
            ("manylinux2014_aarch64", Some("aarch64")),
            ("manylinux_2_17_x86_64", Some("x86_64")),
            ("musllinux_1_2_armv7l", Some("armv7l")),
            ("linux_riscv64", Some("riscv64")),
            ("linux", None),
            ("android_21_arm64_v8a", None),
        ] {
            assert_eq!(linux_arch(tag), arch, "{tag}");
        }
        assert_eq!(split_digits("312"), Some((3, Some(12))));
        assert_eq!(split_digits("3"), Some((3, None)));
        assert_eq!(split_digits("3x"), None);
    }
}
