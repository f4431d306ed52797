//! Reading a `pylock.toml`: TOML in, checked model out.
//!
//! The file is parsed into a plain `toml::Table` and walked by hand, so that
//! every message can say which package and which key is wrong (package
//! `six`: `wheels[1].size` must be a non-negative integer), and
//! so that pip's `[[packages.wheels]]` tables and uv's inline tables are
//! one and the same thing by the time they are read.

use std::fmt::Display;
use std::path::Path;
use std::str::FromStr;

use posy_vocab::{ArtifactHash, PackageName, ParseError};
use toml::{Table, Value};

use super::{LockedArtifact, LockedDependency, LockedPackage, PackageSource, Pylock, PylockError};

pub(super) fn parse(text: &str, path: &Path) -> Result<Pylock, PylockError> {
    let table: Table = toml::from_str(text).map_err(|e| PylockError::Toml {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    let invalid = |message: String| PylockError::Invalid {
        path: path.to_owned(),
        message,
    };
    let top = Fields::new(&table, String::new());
    let lock_version = top.required_str("lock-version").map_err(invalid)?;
    if !is_lock_version_1(lock_version) {
        if lock_version.split('.').next() != Some("1") {
            return Err(PylockError::UnsupportedVersion {
                path: path.to_owned(),
                version: lock_version.to_owned(),
            });
        }
        return Err(invalid(format!(
            "`lock-version` is \"{lock_version}\", expected a version like \"1.0\""
        )));
    }
    let packages = top
        .tables("packages")
        .and_then(|packages| packages.ok_or_else(|| top.error("packages", "is missing")))
        .and_then(|packages| {
            packages
                .into_iter()
                .enumerate()
                .map(|(i, package)| parse_package(package, i))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(invalid)?;
    Ok(Pylock {
        path: path.to_owned(),
        header: header(text),
        lock_version: lock_version.to_owned(),
        environments: top.parse_each("environments").map_err(invalid)?,
        requires_python: top.parse("requires-python").map_err(invalid)?,
        extras: top.parse_each("extras").map_err(invalid)?,
        dependency_groups: top.parse_each("dependency-groups").map_err(invalid)?,
        default_groups: top.parse_each("default-groups").map_err(invalid)?,
        created_by: top.required_str("created-by").map_err(invalid)?.to_owned(),
        packages,
        tool: top
            .table("tool")
            .map_err(invalid)?
            .cloned()
            .unwrap_or_default(),
    })
}

/// `1.<digits>`.
fn is_lock_version_1(version: &str) -> bool {
    version
        .strip_prefix("1.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
}

/// The comment lines at the very top of the file.
fn header(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn parse_package(table: &Table, index: usize) -> Result<LockedPackage, String> {
    let name: PackageName = Fields::new(table, format!("packages[{index}]"))
        .parse("name")
        .and_then(|name| name.ok_or_else(|| format!("packages[{index}]: `name` is missing")))?;
    let f = Fields::new(table, format!("package `{name}`"));
    let dependencies = f
        .tables("dependencies")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, dep)| parse_dependency(&f.nested(dep, format!("dependencies[{i}]"))))
        .collect::<Result<_, _>>()?;
    Ok(LockedPackage {
        version: f.parse("version")?,
        marker: f.parse("marker")?,
        requires_python: f.parse("requires-python")?,
        dependencies,
        index: f.str("index")?.map(str::to_owned),
        source: parse_source(&f)?,
        attestation_identities: f
            .tables("attestation-identities")?
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect(),
        tool: f.table("tool")?.cloned().unwrap_or_default(),
        name,
    })
}

fn parse_dependency(f: &Fields<'_>) -> Result<LockedDependency, String> {
    let name = f
        .parse("name")?
        .ok_or_else(|| f.error("name", "is missing"))?;
    let mut other = f.table.clone();
    other.remove("name");
    other.remove("version");
    Ok(LockedDependency {
        name,
        version: f.parse("version")?,
        other,
    })
}

fn parse_source(f: &Fields<'_>) -> Result<PackageSource, String> {
    let sources: Vec<&str> = ["vcs", "directory", "archive", "sdist", "wheels"]
        .into_iter()
        .filter(|key| f.table.contains_key(*key))
        .collect();
    match sources[..] {
        [] => Err(format!(
            "{} has no source; give it one of `vcs`, `directory`, `archive`, or `sdist` and/or `wheels`",
            f.owner
        )),
        ["vcs"] => {
            let vcs = f.required_table("vcs")?;
            let (url, path) = (vcs.str("url")?, vcs.str("path")?);
            if url.is_none() && path.is_none() {
                return Err(format!("{}: `vcs` needs a `url` or a `path`", f.owner));
            }
            Ok(PackageSource::Vcs {
                kind: vcs.required_str("type")?.to_owned(),
                url: url.map(str::to_owned),
                path: path.map(str::to_owned),
                requested_revision: vcs.str("requested-revision")?.map(str::to_owned),
                commit_id: vcs.required_str("commit-id")?.to_owned(),
                subdirectory: vcs.str("subdirectory")?.map(str::to_owned),
            })
        }
        ["directory"] => {
            let directory = f.required_table("directory")?;
            Ok(PackageSource::Directory {
                path: directory.required_str("path")?.to_owned(),
                editable: directory.bool("editable")?.unwrap_or(false),
                subdirectory: directory.str("subdirectory")?.map(str::to_owned),
            })
        }
        ["archive"] => {
            let archive = f.required_table("archive")?;
            Ok(PackageSource::Archive {
                artifact: parse_artifact(&archive)?,
                subdirectory: archive.str("subdirectory")?.map(str::to_owned),
            })
        }
        ["sdist"] | ["sdist", "wheels"] | ["wheels"] => {
            let sdist = match f.table("sdist")? {
                Some(sdist) => Some(parse_artifact(&f.nested(sdist, "sdist".into()))?),
                None => None,
            };
            let wheels = f
                .tables("wheels")?
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, wheel)| parse_artifact(&f.nested(wheel, format!("wheels[{i}]"))))
                .collect::<Result<_, _>>()?;
            Ok(PackageSource::Registry { sdist, wheels })
        }
        _ => Err(format!(
            "{} has more than one source ({}); PEP 751 allows exactly one of `vcs`, \
             `directory`, `archive`, or `sdist` and/or `wheels`",
            f.owner,
            sources
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn parse_artifact(f: &Fields<'_>) -> Result<LockedArtifact, String> {
    let (url, path) = (f.str("url")?, f.str("path")?);
    if url.is_none() && path.is_none() {
        return Err(format!(
            "{}: `{}` needs a `url` or a `path`",
            f.owner, f.prefix
        ));
    }
    let hashes = match f.table("hashes")? {
        None => Vec::new(),
        Some(hashes) => hashes
            .iter()
            .map(|(algorithm, hex)| {
                let hex = hex
                    .as_str()
                    .ok_or_else(|| f.error(&format!("hashes.{algorithm}"), "must be a string"))?;
                ArtifactHash::from_hex(algorithm, hex)
                    .map_err(|e| f.error(&format!("hashes.{algorithm}"), invalid_value(&e)))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(LockedArtifact {
        name: f.str("name")?.map(str::to_owned),
        url: url.map(str::to_owned),
        path: path.map(str::to_owned),
        upload_time: f.datetime("upload-time")?,
        size: f.size("size")?,
        hashes,
    })
}

fn invalid_value(e: &ParseError) -> String {
    format!("is not valid: {e}")
}

/// One table being read, and how to name its keys in messages.
struct Fields<'a> {
    table: &'a Table,
    /// What the table belongs to (package `six`), or empty at the top.
    owner: String,
    /// The keys leading from the owner to this table: `wheels[1]`.
    prefix: String,
}

impl<'a> Fields<'a> {
    fn new(table: &'a Table, owner: String) -> Self {
        Self {
            table,
            owner,
            prefix: String::new(),
        }
    }

    fn nested(&self, table: &'a Table, key: String) -> Fields<'a> {
        Fields {
            table,
            owner: self.owner.clone(),
            prefix: self.key_path(&key),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    fn error(&self, key: &str, problem: impl Display) -> String {
        let key = self.key_path(key);
        if self.owner.is_empty() {
            format!("`{key}` {problem}")
        } else {
            format!("{}: `{key}` {problem}", self.owner)
        }
    }

    fn typed<T>(
        &self,
        key: &str,
        what: &str,
        get: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, String> {
        self.table
            .get(key)
            .map(|value| get(value).ok_or_else(|| self.error(key, format!("must be {what}"))))
            .transpose()
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>, String> {
        self.typed(key, "a string", Value::as_str)
    }

    fn required_str(&self, key: &str) -> Result<&'a str, String> {
        self.str(key)?.ok_or_else(|| self.error(key, "is missing"))
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        self.typed(key, "true or false", Value::as_bool)
    }

    fn size(&self, key: &str) -> Result<Option<u64>, String> {
        self.typed(key, "a non-negative integer", |v| {
            v.as_integer().and_then(|n| u64::try_from(n).ok())
        })
    }

    /// A TOML datetime, or (leniently) a string; kept as RFC 3339 text.
    fn datetime(&self, key: &str) -> Result<Option<String>, String> {
        self.typed(key, "a datetime", |v| match v {
            Value::Datetime(dt) => Some(dt.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
    }

    fn table(&self, key: &str) -> Result<Option<&'a Table>, String> {
        self.typed(key, "a table", Value::as_table)
    }

    fn required_table(&self, key: &str) -> Result<Fields<'a>, String> {
        let table = self
            .table(key)?
            .ok_or_else(|| self.error(key, "is missing"))?;
        Ok(self.nested(table, key.to_owned()))
    }

    fn tables(&self, key: &str) -> Result<Option<Vec<&'a Table>>, String> {
        self.typed(key, "an array of tables", |v| {
            v.as_array()?.iter().map(Value::as_table).collect()
        })
    }

    fn parse<T: FromStr<Err = ParseError>>(&self, key: &str) -> Result<Option<T>, String> {
        self.str(key)?
            .map(|s| s.parse().map_err(|e| self.error(key, invalid_value(&e))))
            .transpose()
    }

    /// An array of strings, each parsed; absent is empty.
    fn parse_each<T: FromStr<Err = ParseError>>(&self, key: &str) -> Result<Vec<T>, String> {
        let Some(items) = self.typed(key, "an array of strings", |v| {
            v.as_array()?
                .iter()
                .map(Value::as_str)
                .collect::<Option<Vec<_>>>()
        })?
        else {
            return Ok(Vec::new());
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                s.parse()
                    .map_err(|e| self.error(&format!("{key}[{i}]"), invalid_value(&e)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274";

    fn error(text: &str) -> String {
        Pylock::parse(text, Path::new("dir/pylock.toml"))
            .unwrap_err()
            .to_string()
    }

    fn with_package(package: &str) -> String {
        format!("lock-version = \"1.0\"\ncreated-by = \"t\"\n[[packages]]\n{package}\n")
    }

    #[test]
    fn reads_every_source_kind() {
        let text = format!(
            "# made by hand\n#   for a test\nlock-version = \"1.3\"\ncreated-by = \"t\"\n\
             extras = [\"Fast\"]\ndependency-groups = [\"dev\"]\ndefault-groups = [\"dev\"]\n\
             [[packages]]\nname = \"G\"\n\
             vcs = {{ type = \"git\", url = \"https://g.test/g\", requested-revision = \"main\", \
             commit-id = \"abc\", subdirectory = \"sub\" }}\n\
             [[packages]]\nname = \"d\"\ndirectory = {{ path = \".\", editable = true }}\n\
             [[packages]]\nname = \"a\"\nversion = \"1.0\"\n\
             archive = {{ path = \"a-1.0.tar.gz\", size = 3, hashes = {{ sha256 = \"{SHA}\" }}, \
             subdirectory = \"x\" }}\n\
             [[packages]]\nname = \"s\"\nversion = \"2\"\n\
             sdist = {{ url = \"https://i.test/s-2.tar.gz\", upload-time = \"2024-01-02T03:04:05Z\", \
             hashes = {{}} }}\n\
             dependencies = [{{ name = \"a\" }}, {{ name = \"d\", version = \"0.1\", path = \".\" }}]\n"
        );
        let lock = Pylock::parse(&text, Path::new("pylock.toml")).unwrap();
        assert_eq!(
            lock.header.as_deref(),
            Some("# made by hand\n#   for a test")
        );
        assert_eq!(lock.lock_version, "1.3");
        assert_eq!(lock.extras[0].as_str(), "fast");
        let [g, d, a, s] = &lock.packages[..] else {
            panic!("four packages: {:?}", lock.packages)
        };
        assert_eq!(g.name.as_str(), "g");
        assert!(matches!(
            &g.source,
            PackageSource::Vcs { kind, url: Some(_), path: None, requested_revision: Some(r), commit_id, subdirectory: Some(_) }
                if kind == "git" && r == "main" && commit_id == "abc"
        ));
        assert!(
            matches!(&d.source, PackageSource::Directory { path, editable: true, subdirectory: None } if path == ".")
        );
        let PackageSource::Archive {
            artifact,
            subdirectory,
        } = &a.source
        else {
            panic!("{:?}", a.source)
        };
        assert_eq!(subdirectory.as_deref(), Some("x"));
        assert_eq!(artifact.size, Some(3));
        assert_eq!(artifact.hashes[0].hex(), SHA);
        let PackageSource::Registry {
            sdist: Some(sdist),
            wheels,
        } = &s.source
        else {
            panic!("{:?}", s.source)
        };
        assert!(wheels.is_empty());
        assert_eq!(sdist.upload_time.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(s.dependencies[1].name.as_str(), "d");
        assert_eq!(s.dependencies[1].other["path"].as_str(), Some("."));
    }

    #[test]
    fn refuses_other_major_versions() {
        let e = error("lock-version = \"2.0\"\ncreated-by = \"t\"\npackages = []\n");
        assert!(e.contains("dir/pylock.toml has lock-version 2.0"), "{e}");
        assert!(e.contains("only lock-version 1.x"), "{e}");
        let e = error("lock-version = \"1\"\ncreated-by = \"t\"\npackages = []\n");
        assert!(e.contains("expected a version like \"1.0\""), "{e}");
    }

    #[test]
    fn sources_must_be_exactly_one() {
        let e = error(&with_package("name = \"six\"\nversion = \"1\""));
        assert!(e.contains("package `six` has no source"), "{e}");
        let e = error(&with_package(
            "name = \"six\"\ndirectory = { path = \".\" }\nwheels = []",
        ));
        assert!(
            e.contains("package `six` has more than one source (`directory`, `wheels`)"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_file_package_and_key() {
        for (package, expected) in [
            (
                "name = \"six\"\nwheels = [{ url = \"u\" }, { url = \"v\", size = -1 }]",
                "dir/pylock.toml: package `six`: `wheels[1].size` must be a non-negative integer",
            ),
            (
                "name = \"six\"\nwheels = [{ size = 1 }]",
                "package `six`: `wheels[0]` needs a `url` or a `path`",
            ),
            (
                "name = \"six\"\nsdist = { url = \"u\", hashes = { sha256 = \"00\" } }",
                "package `six`: `sdist.hashes.sha256` is not valid",
            ),
            (
                "name = \"six\"\nsdist = { url = \"u\", hashes = { crc32 = \"00\" } }",
                "package `six`: `sdist.hashes.crc32` is not valid",
            ),
            (
                "name = \"six\"\nversion = \"one\"\ndirectory = { path = \".\" }",
                "package `six`: `version` is not valid",
            ),
            (
                "name = \"six\"\nmarker = \"python_version >\"\ndirectory = { path = \".\" }",
                "package `six`: `marker` is not valid",
            ),
            (
                "name = \"six\"\nvcs = { type = \"git\", url = \"u\" }",
                "package `six`: `vcs.commit-id` is missing",
            ),
            ("version = \"1\"", "packages[0]: `name` is missing"),
            (
                "name = \"-\"\ndirectory = { path = \".\" }",
                "packages[0]: `name` is not valid",
            ),
        ] {
            let e = error(&with_package(package));
            assert!(e.contains(expected), "expected {expected:?} in:\n{e}");
        }
        let e = error("lock-version = \"1.0\"\npackages = []\n");
        assert!(
            e.contains("dir/pylock.toml: `created-by` is missing"),
            "{e}"
        );
        let e = error("lock-version = \"1.0\"\ncreated-by = \"t\"\n");
        assert!(e.contains("`packages` is missing"), "{e}");
        let e = error(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\nextras = [\"a\", 1]\n",
        );
        assert!(e.contains("`extras` must be an array of strings"), "{e}");
    }

    /// Every prefix of a real file, and a few garbled ones, give an error or
    /// a model, never a panic.
    #[test]
    fn truncated_and_garbled_input_never_panics() {
        let text = include_str!("../../tests/fixtures/pylock/uv-export.toml");
        let path = Path::new("pylock.toml");
        for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = Pylock::parse(&text[..end], path);
        }
        for garbled in [
            text.replace('=', " "),
            text.replace("\"1.0\"", "1.0"),
            text.replace("hashes = {", "hashes = [")
                .replace("\" } }", "\" ] }"),
            text.replace("sdist", "archive"),
            text.replace("name", "marker"),
            text.replace("size = ", "size = -"),
            text.replace("upload-time = ", "upload-time = []"),
            "\u{feff}\0%%%".to_owned(),
        ] {
            let _ = Pylock::parse(&garbled, path);
        }
    }
}
