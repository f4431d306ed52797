//! The `pyproject.toml` written into a generated sdist.
//!
//! It carries the same facts as the core metadata, in PEP 621 form, so that
//! a real build backend (setuptools by default) building the sdist produces
//! a wheel whose metadata matches the PKG-INFO the index advertised. Console
//! and GUI scripts go to `[project.scripts]` / `[project.gui-scripts]`, as
//! PEP 621 requires; other entry point groups to `[project.entry-points]`.

use crate::Package;
use posy_vocab::ExtraName;
use std::fmt::Write;

/// Renders the `pyproject.toml` of `package`, with its extras already normalized.
pub(crate) fn render(package: &Package, extras: &[(ExtraName, &[String])]) -> String {
    let backend = &package.build_backend;
    let mut out = String::from("[build-system]\n");
    let _ = writeln!(out, "requires = {}", array(&backend.requires));
    let _ = writeln!(out, "build-backend = {}", string(&backend.backend));
    if !backend.backend_path.is_empty() {
        let _ = writeln!(out, "backend-path = {}", array(&backend.backend_path));
    }

    out.push_str("\n[project]\n");
    let _ = writeln!(out, "name = {}", string(&package.name));
    let _ = writeln!(out, "version = {}", string(&package.version));
    if let Some(summary) = &package.summary {
        let _ = writeln!(out, "description = {}", string(summary));
    }
    if let Some(requires_python) = &package.requires_python {
        let _ = writeln!(out, "requires-python = {}", string(requires_python));
    }
    let _ = writeln!(out, "dependencies = {}", array(&package.requires_dist));

    if !extras.is_empty() {
        out.push_str("\n[project.optional-dependencies]\n");
        for (extra, requirements) in extras {
            let _ = writeln!(out, "{} = {}", string(extra.as_str()), array(requirements));
        }
    }

    let mut groups: Vec<&str> = Vec::new();
    for (group, _, _) in &package.entry_points {
        if !groups.contains(&group.as_str()) {
            groups.push(group);
        }
    }
    for group in groups {
        let table = match group {
            "console_scripts" => "project.scripts".to_string(),
            "gui_scripts" => "project.gui-scripts".to_string(),
            other => format!("project.entry-points.{}", string(other)),
        };
        let _ = writeln!(out, "\n[{table}]");
        for (_, name, object) in package.entry_points.iter().filter(|(g, _, _)| g == group) {
            let _ = writeln!(out, "{} = {}", string(name), string(object));
        }
    }
    out
}

/// A TOML basic string, escaped.
fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn array(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| string(v)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildBackend;

    #[test]
    fn pyproject_mirrors_the_metadata() {
        let package = Package::new("b", "2.0")
            .dep("a>=1")
            .dep("c; python_version < \"3.9\"")
            .extra("socks", ["pysocks"])
            .requires_python(">=3.8")
            .entry_point("console_scripts", "b-cli", "b:main")
            .entry_point("b.plugins", "x", "b.x")
            .build_backend(BuildBackend::new("backend", []).backend_path(["."]));
        let extras = [(
            ExtraName::new("socks").unwrap(),
            package.extras[0].1.as_slice(),
        )];
        assert_eq!(
            render(&package, &extras),
            r#"[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]

[project]
name = "b"
version = "2.0"
requires-python = ">=3.8"
dependencies = ["a>=1", "c; python_version < \"3.9\""]

[project.optional-dependencies]
"socks" = ["pysocks"]

[project.scripts]
"b-cli" = "b:main"

[project.entry-points."b.plugins"]
"x" = "b.x"
"#
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(string("a\u{1}b"), "\"a\\u0001b\"");
    }
}
