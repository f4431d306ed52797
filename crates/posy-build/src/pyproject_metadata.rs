//! Core metadata of a local project read from its `pyproject.toml`, when
//! PEP 621 makes it binding, so a resolver needs no backend to learn what
//! a project directory depends on.
//!
//! PEP 621: a field of the `[project]` table that is not listed in
//! `dynamic` is exactly what the built distribution's metadata will say,
//! and a backend must not fill in a field that is absent and not dynamic.
//! So when `name` and `version` are given, and none of `version`,
//! `dependencies`, `optional-dependencies` and `requires-python` is
//! dynamic, the fields a resolver reads (`Name`, `Version`,
//! `Requires-Dist`, `Provides-Extra`, `Requires-Python`) follow from the
//! table alone, as uv also reads them. Only those fields are filled in:
//! this metadata is for resolving, not for installing (the installed
//! metadata is the built wheel's).
//!
//! Anything unexpected (no table, a dynamic field, a requirement or
//! specifier that does not parse) gives `None`, and the frontend asks the
//! backend, which then reports the problem in its own words.

use std::fmt::Write;
use std::path::Path;

use posy_vocab::{CoreMetadata, ExtraName, MarkerTree, Requirement};

/// The resolver's view of the project at `root`, if its `pyproject.toml`
/// states it statically (see the module documentation).
pub fn pyproject_metadata(root: &Path) -> Option<CoreMetadata> {
    let text = std::fs::read_to_string(root.join("pyproject.toml")).ok()?;
    metadata_from_pyproject(&text)
}

fn metadata_from_pyproject(text: &str) -> Option<CoreMetadata> {
    let doc: toml::Table = text.parse().ok()?;
    let project = doc.get("project")?.as_table()?;
    let dynamic: Vec<&str> = match project.get("dynamic") {
        None => Vec::new(),
        Some(value) => value
            .as_array()?
            .iter()
            .map(|v| v.as_str())
            .collect::<Option<_>>()?,
    };
    let binding = [
        "version",
        "dependencies",
        "optional-dependencies",
        "requires-python",
    ];
    if dynamic.iter().any(|field| binding.contains(field)) {
        return None;
    }
    let name = one_line(project.get("name")?.as_str()?)?;
    let version = one_line(project.get("version")?.as_str()?)?;
    let mut out = format!("Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n");
    if let Some(requires_python) = project.get("requires-python") {
        writeln!(
            out,
            "Requires-Python: {}",
            one_line(requires_python.as_str()?)?
        )
        .ok()?;
    }
    for requirement in strings(project.get("dependencies"))? {
        let requirement: Requirement = requirement.parse().ok()?;
        writeln!(out, "Requires-Dist: {requirement}").ok()?;
    }
    if let Some(extras) = project.get("optional-dependencies") {
        for (extra, requirements) in extras.as_table()? {
            let extra = ExtraName::new(extra).ok()?;
            writeln!(out, "Provides-Extra: {extra}").ok()?;
            for requirement in strings(Some(requirements))? {
                let requirement: Requirement = requirement.parse().ok()?;
                writeln!(out, "Requires-Dist: {}", for_extra(requirement, &extra)).ok()?;
            }
        }
    }
    CoreMetadata::parse_str(&out).ok()
}

/// `requirement` applying only with `extra`: its marker, if any, and
/// `extra == "…"`.
fn for_extra(mut requirement: Requirement, extra: &ExtraName) -> String {
    let marker = std::mem::replace(&mut requirement.marker, MarkerTree::TRUE);
    if marker.is_true() {
        format!("{requirement} ; extra == \"{extra}\"")
    } else {
        format!("{requirement} ; ({marker}) and extra == \"{extra}\"")
    }
}

/// An array of strings (absent is empty); `None` for anything else.
fn strings(value: Option<&toml::Value>) -> Option<Vec<&str>> {
    match value {
        None => Some(Vec::new()),
        Some(value) => value.as_array()?.iter().map(|v| v.as_str()).collect(),
    }
}

/// The value, if it cannot break out of its header line.
fn one_line(value: &str) -> Option<&str> {
    (!value.contains(['\n', '\r'])).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_tables_give_the_resolver_fields() {
        let metadata = metadata_from_pyproject(
            r#"
[project]
name = "Demo_Pkg"
version = "1.2"
requires-python = ">=3.9"
dependencies = ["six>=1", "attrs ; python_version < '3.12'"]
dynamic = ["readme"]
[project.optional-dependencies]
Socks = ["pysocks", "win-inet-pton ; sys_platform == 'win32'"]
"#,
        )
        .unwrap();
        assert_eq!(metadata.name.as_str(), "demo-pkg");
        assert_eq!(metadata.version.to_string(), "1.2");
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.9");
        assert_eq!(metadata.provides_extra[0].as_str(), "socks");
        let requires: Vec<String> = metadata
            .requires_dist
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(requires[0], "six>=1");
        assert!(
            requires[1].starts_with("attrs ; python_version <"),
            "{requires:?}"
        );
        assert_eq!(requires[2], r#"pysocks ; extra == "socks""#);
        assert!(
            requires[3].contains("sys_platform == \"win32\"")
                && requires[3].contains("extra == \"socks\""),
            "{requires:?}"
        );
    }

    #[test]
    fn anything_dynamic_or_odd_asks_the_backend() {
        let base = "[project]\nname = \"x\"\nversion = \"1\"\n";
        assert!(metadata_from_pyproject(base).is_some());
        for field in [
            "version",
            "dependencies",
            "optional-dependencies",
            "requires-python",
        ] {
            let text = format!("{base}dynamic = [\"{field}\"]\n");
            assert!(metadata_from_pyproject(&text).is_none(), "{field}");
        }
        for text in [
            "[project]\nname = \"x\"\ndynamic = [\"version\"]\n",
            "[project]\nname = \"x\"\n",
            "[build-system]\nrequires = []\n",
            "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"not a requirement!\"]\n",
            "[project]\nname = \"x\"\nversion = \"not.a.version!\"\n",
            "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = \"six\"\n",
            "[project]\nname = \"x\"\nversion = \"1\"\nrequires-python = \">=3\\nName: y\"\n",
            "[project]\nname = \"x\\nRequires-Dist: evil\"\nversion = \"1\"\n",
            "not toml [",
        ] {
            assert!(metadata_from_pyproject(text).is_none(), "{text}");
        }
    }
}
