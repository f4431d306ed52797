//! The core metadata file (`METADATA` in a wheel, `PKG-INFO` in an sdist).
//!
//! The format is RFC 822 style headers, one field per line, with the long
//! description as the body after a blank line (Metadata-Version 2.1+).
//! Extras follow PEP 685: the extra name is normalized both in
//! `Provides-Extra` and in the `extra == "..."` marker, and a requirement that
//! already has a marker gets it parenthesized before `and extra == ...` so the
//! extra cannot be absorbed by an `or` in the original marker.

use crate::Package;
use posy_vocab::ExtraName;
use std::fmt::Write;

/// Renders the metadata of `package`, with its extras already normalized.
pub(crate) fn render(package: &Package, extras: &[(ExtraName, &[String])]) -> String {
    let mut out = String::new();
    let mut field = |name: &str, value: &str| {
        // Continuation lines keep a multi-line value inside its field.
        let value = value.replace('\n', "\n        ");
        let _ = writeln!(out, "{name}: {value}");
    };
    field("Metadata-Version", &package.metadata_version);
    field("Name", &package.name);
    field("Version", &package.version);
    if let Some(summary) = &package.summary {
        field("Summary", summary);
    }
    for (name, value) in &package.headers {
        field(name, value);
    }
    if let Some(requires_python) = &package.requires_python {
        field("Requires-Python", requires_python);
    }
    for requirement in &package.requires_dist {
        field("Requires-Dist", requirement);
    }
    for (extra, requirements) in extras {
        for requirement in requirements.iter() {
            field("Requires-Dist", &with_extra_marker(requirement, extra));
        }
    }
    for (extra, _) in extras {
        field("Provides-Extra", extra.as_str());
    }
    if let Some(description) = &package.description {
        out.push('\n');
        out.push_str(description);
        if !description.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// `requirement` restricted to `extra`: `req; extra == "x"`, or
/// `req; (marker) and extra == "x"` when it already has a marker.
pub(crate) fn with_extra_marker(requirement: &str, extra: &ExtraName) -> String {
    match requirement.split_once(';') {
        Some((req, marker)) => {
            format!(
                "{}; ({}) and extra == \"{extra}\"",
                req.trim_end(),
                marker.trim()
            )
        }
        None => format!("{requirement}; extra == \"{extra}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lists_every_field() {
        let package = Package::new("My_Pkg", "2.0")
            .summary("A package")
            .dep("a>=1")
            .extra(
                "SOCKS",
                ["pysocks", "win-inet-pton; sys_platform == 'win32'"],
            )
            .requires_python(">=3.8")
            .description("Long text.");
        let extras = [(
            ExtraName::new("SOCKS").unwrap(),
            package.extras[0].1.as_slice(),
        )];
        assert_eq!(
            render(&package, &extras),
            "Metadata-Version: 2.2\n\
             Name: My_Pkg\n\
             Version: 2.0\n\
             Summary: A package\n\
             Requires-Python: >=3.8\n\
             Requires-Dist: a>=1\n\
             Requires-Dist: pysocks; extra == \"socks\"\n\
             Requires-Dist: win-inet-pton; (sys_platform == 'win32') and extra == \"socks\"\n\
             Provides-Extra: socks\n\
             \n\
             Long text.\n"
        );
    }
}
