//! Writing a `pylock.toml` in uv's layout.
//!
//! The text is assembled line by line rather than through a TOML
//! serializer, because the layout is the point: which tables are inline,
//! where arrays break, the order of keys. Every scalar still goes through
//! `toml_writer` (strings as escaped basic strings) and the opaque tables
//! through `toml` itself, so the result is always valid TOML.
//!
//! A marker that always holds cannot be spelled in PEP 508, so it is
//! written as no marker, which means the same; an `environments` list that
//! contains one is left out, which also means "any environment".

use std::fmt::Write as _;

use posy_vocab::{ArtifactHash, MarkerTree};
use toml::Table;
use toml_writer::{ToTomlKey, ToTomlValue, TomlKeyBuilder, TomlStringBuilder};

use super::{LockedArtifact, LockedDependency, LockedPackage, PackageSource, Pylock};

pub(super) fn to_toml(lock: &Pylock) -> String {
    let mut out = String::new();
    if let Some(header) = &lock.header {
        for line in header.lines() {
            // TOML allows no control characters but tab in a comment.
            let line: String = line
                .chars()
                .filter(|c| *c == '\t' || !c.is_control())
                .collect();
            if !line.starts_with('#') {
                out.push_str("# ");
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    key_value(&mut out, "lock-version", basic(&lock.lock_version));
    // uv writes `created-by` second, not where PEP 751 lists it (last).
    key_value(&mut out, "created-by", basic(&lock.created_by));
    if !lock.environments.iter().any(MarkerTree::is_true) {
        let environments: Vec<String> = lock.environments.iter().map(marker).collect();
        list(&mut out, "environments", &environments);
    }
    if let Some(requires_python) = &lock.requires_python {
        key_value(
            &mut out,
            "requires-python",
            basic(&requires_python.to_string()),
        );
    }
    list(&mut out, "extras", &strings(&lock.extras));
    list(
        &mut out,
        "dependency-groups",
        &strings(&lock.dependency_groups),
    );
    list(&mut out, "default-groups", &strings(&lock.default_groups));
    if lock.packages.is_empty() {
        out.push_str("packages = []\n");
    }
    for package in &lock.packages {
        out.push_str("\n[[packages]]\n");
        write_package(&mut out, package);
    }
    tool_tables(&mut out, &["tool"], &lock.tool);
    out
}

fn write_package(out: &mut String, package: &LockedPackage) {
    key_value(out, "name", basic(package.name.as_str()));
    if let Some(version) = &package.version {
        key_value(out, "version", basic(&version.to_string()));
    }
    if let Some(m) = package.marker.as_ref().filter(|m| !m.is_true()) {
        key_value(out, "marker", marker(m));
    }
    if let Some(requires_python) = &package.requires_python {
        key_value(out, "requires-python", basic(&requires_python.to_string()));
    }
    if !package.dependencies.is_empty() {
        let dependencies: Vec<String> = package.dependencies.iter().map(dependency).collect();
        array(out, "dependencies", &dependencies);
    }
    if let Some(index) = &package.index {
        key_value(out, "index", basic(index));
    }
    match &package.source {
        PackageSource::Registry { sdist, wheels } => {
            if let Some(sdist) = sdist {
                key_value(out, "sdist", artifact(sdist).finish());
            }
            if !wheels.is_empty() || sdist.is_none() {
                let wheels: Vec<String> = wheels.iter().map(|w| artifact(w).finish()).collect();
                array(out, "wheels", &wheels);
            }
        }
        PackageSource::Archive {
            artifact: archive,
            subdirectory,
        } => {
            let mut table = artifact(archive);
            table.optional("subdirectory", subdirectory.as_deref());
            key_value(out, "archive", table.finish());
        }
        PackageSource::Directory {
            path,
            editable,
            subdirectory,
        } => {
            let mut table = Inline::default();
            table.push("path", basic(path));
            if *editable {
                table.push("editable", "true".into());
            }
            table.optional("subdirectory", subdirectory.as_deref());
            key_value(out, "directory", table.finish());
        }
        PackageSource::Vcs {
            kind,
            url,
            path,
            requested_revision,
            commit_id,
            subdirectory,
        } => {
            let mut table = Inline::default();
            table.push("type", basic(kind));
            table.optional("url", url.as_deref());
            table.optional("path", path.as_deref());
            table.optional("requested-revision", requested_revision.as_deref());
            table.push("commit-id", basic(commit_id));
            table.optional("subdirectory", subdirectory.as_deref());
            key_value(out, "vcs", table.finish());
        }
    }
    if !package.attestation_identities.is_empty() {
        let identities: Vec<String> = package
            .attestation_identities
            .iter()
            .map(|t| toml::Value::Table(t.clone()).to_string())
            .collect();
        array(out, "attestation-identities", &identities);
    }
    tool_tables(out, &["packages", "tool"], &package.tool);
}

fn dependency(dep: &LockedDependency) -> String {
    let mut table = Inline::default();
    table.push("name", basic(dep.name.as_str()));
    if let Some(version) = &dep.version {
        table.push("version", basic(&version.to_string()));
    }
    for (key, value) in &dep.other {
        table.push(key, value.to_string());
    }
    table.finish()
}

fn artifact(artifact: &LockedArtifact) -> Inline {
    let mut table = Inline::default();
    table.optional("name", artifact.name.as_deref());
    table.optional("url", artifact.url.as_deref());
    table.optional("path", artifact.path.as_deref());
    if let Some(time) = &artifact.upload_time {
        // A bare datetime when the text is one (it always is when read
        // from a file); anything else stays a string, which reads back.
        let value = match time.parse::<toml::value::Datetime>() {
            Ok(datetime) => datetime.to_string(),
            Err(_) => basic(time),
        };
        table.push("upload-time", value);
    }
    if let Some(size) = artifact.size {
        table.push("size", size.to_string());
    }
    table.push("hashes", hashes(&artifact.hashes));
    table
}

/// PEP 751 requires `hashes`, so it is written even when empty.
fn hashes(hashes: &[ArtifactHash]) -> String {
    let mut table = Inline::default();
    for hash in hashes {
        table.push(hash.algorithm().as_str(), basic(&hash.hex()));
    }
    table.finish()
}

/// An inline table being built: `{ key = value, … }`.
#[derive(Default)]
struct Inline(Vec<String>);

impl Inline {
    fn push(&mut self, key: &str, value: String) {
        self.0.push(format!("{} = {value}", bare_or_quoted(key)));
    }

    fn optional(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(key, basic(value));
        }
    }

    fn finish(self) -> String {
        if self.0.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", self.0.join(", "))
        }
    }
}

fn key_value(out: &mut String, key: &str, value: String) {
    let _ = writeln!(out, "{key} = {value}");
}

/// A one-line array of strings, left out when empty.
fn list(out: &mut String, key: &str, items: &[String]) {
    if !items.is_empty() {
        let _ = writeln!(out, "{key} = [{}]", items.join(", "));
    }
}

/// An array of inline tables: one item on the key's line, more one per line.
fn array(out: &mut String, key: &str, items: &[String]) {
    match items {
        [] => key_value(out, key, "[]".into()),
        [item] => key_value(out, key, format!("[{item}]")),
        items => {
            let _ = writeln!(out, "{key} = [");
            for item in items {
                let _ = writeln!(out, "    {item},");
            }
            out.push_str("]\n");
        }
    }
}

/// A `[tool]`-style table at `path`, as standard tables, after a blank line.
fn tool_tables(out: &mut String, path: &[&str], tool: &Table) {
    if tool.is_empty() {
        return;
    }
    // Nesting the table under its path makes `toml` write the headers
    // (`[packages.tool.uv]`) as they must appear in the file.
    let wrapped = path.iter().rev().fold(tool.clone(), |inner, key| {
        Table::from_iter([(key.to_string(), toml::Value::Table(inner))])
    });
    let text = toml::to_string(&wrapped).expect("a TOML table always serializes");
    out.push('\n');
    out.push_str(&text);
}

fn strings<T: AsRef<str>>(items: &[T]) -> Vec<String> {
    items.iter().map(|item| basic(item.as_ref())).collect()
}

/// A marker as uv writes it (see [`MarkerTree::to_single_quoted`]).
fn marker(marker: &MarkerTree) -> String {
    basic(&marker.to_single_quoted())
}

fn basic(s: &str) -> String {
    TomlStringBuilder::new(s).as_basic().to_toml_value()
}

fn bare_or_quoted(key: &str) -> String {
    TomlKeyBuilder::new(key).as_default().to_toml_key()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SHA: &str = "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274";

    /// A lock with one package of every source kind, every optional key and
    /// strings that need escaping, as posy writes it.
    fn everything() -> String {
        format!(
            r#"# This file was autogenerated by posy
#    posy lock
lock-version = "1.0"
created-by = "posy"
environments = ["sys_platform == 'linux'", "platform_version == \"it's\""]
requires-python = ">=3.9, <4"
extras = ["fast"]
dependency-groups = ["dev", "docs"]
default-groups = ["dev"]

[[packages]]
name = "app"
directory = {{ path = "C:\\src\\app \"quoted\"", editable = true, subdirectory = "pkg" }}

[[packages]]
name = "gitdep"
marker = "'dev' in dependency_groups"
vcs = {{ type = "git", url = "https://g.test/x.git", requested-revision = "v1", commit-id = "0123abc", subdirectory = "sub" }}

[[packages]]
name = "six"
version = "1.17.0"
marker = "python_full_version < '3.12' and extra == 'fast'"
requires-python = ">=2.7"
dependencies = [
    {{ name = "app" }},
    {{ name = "gitdep", version = "1.0", path = "x" }},
]
index = "https://pypi.org/simple"
sdist = {{ url = "https://i.test/six-1.17.0.tar.gz", upload-time = 2024-12-04T17:35:28Z, size = 34031, hashes = {{ sha256 = "{SHA}" }} }}
wheels = [
    {{ name = "six-1.17.0-py2.py3-none-any.whl", url = "https://i.test/six-1.17.0-py2.py3-none-any.whl", upload-time = 2024-12-04T17:35:26.5Z, size = 11050, hashes = {{ sha256 = "{SHA}" }} }},
    {{ path = "wheels/six-1.17.0-py3-none-any.whl", hashes = {{}} }},
]
attestation-identities = [{{ kind = "GitHub", repository = "o/r" }}]

[packages.tool.posy]
note = "kept"

[[packages]]
name = "wheelonly"
version = "2"
archive = {{ url = "https://i.test/w-2-py3-none-any.whl", hashes = {{ sha256 = "{SHA}" }}, subdirectory = "s" }}

[[packages]]
name = "empty"
wheels = []

[tool.posy]
answer = 42
"#
        )
    }

    fn parse(text: &str) -> Pylock {
        Pylock::parse(text, Path::new("pylock.toml")).unwrap()
    }

    #[test]
    fn writes_back_what_it_wrote_byte_for_byte() {
        let text = everything();
        let lock = parse(&text);
        assert_eq!(lock.to_toml(), text);
        assert_eq!(parse(&lock.to_toml()), lock);
        assert_eq!(lock.packages[2].tool["posy"]["note"].as_str(), Some("kept"));
        assert_eq!(lock.tool["posy"]["answer"].as_integer(), Some(42));
    }

    #[test]
    fn writes_datetimes_bare_and_other_times_as_strings() {
        let with_sdist_time = |time: &str| {
            let mut lock = parse(&everything());
            if let PackageSource::Registry {
                sdist: Some(sdist), ..
            } = &mut lock.packages[2].source
            {
                sdist.upload_time = Some(time.into());
            }
            lock.to_toml()
        };
        let text = with_sdist_time("2024-12-04 17:35:28+00:00");
        assert!(
            text.contains("upload-time = 2024-12-04T17:35:28+00:00,"),
            "{text}"
        );
        let text = with_sdist_time("last tuesday");
        assert!(text.contains("upload-time = \"last tuesday\","), "{text}");
        assert_eq!(parse(&text).to_toml(), text);
    }

    #[test]
    fn output_of_any_model_reads_back() {
        let mut lock = parse(&everything());
        lock.header = Some("not a comment\n# fine\u{7}".into());
        lock.environments.push(MarkerTree::TRUE);
        lock.packages[0].marker = Some(MarkerTree::TRUE);
        lock.created_by = "line\nbreak \u{1}".into();
        lock.packages.truncate(0);
        let text = lock.to_toml();
        assert!(
            text.starts_with("# not a comment\n# fine\nlock-version"),
            "{text}"
        );
        assert!(!text.contains("environments"), "{text}");
        assert!(
            text.contains("created-by = \"line\\nbreak \\u0001\"\n"),
            "{text}"
        );
        assert!(text.contains("packages = []\n"), "{text}");
        assert_eq!(parse(&text).to_toml(), text);
    }
}
