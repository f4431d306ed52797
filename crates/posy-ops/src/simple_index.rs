//! A static simple index over a directory of wheels and sdists (a
//! wheelhouse), so a machine without the internet can use it with
//! `--index-url file:///…/simple` as well as with `--find-links`.
//!
//! The index is a tree of static files: `index.html` (PEP 503) and
//! `index.json` (PEP 691) at the root, listing the projects, and the same
//! two per project under its normalized name, listing its files with a
//! `#sha256=` fragment, `data-requires-python` and, for wheels, the PEP 658
//! / 714 attributes (`data-dist-info-metadata`, `data-core-metadata`) that
//! point at a `<wheel>.metadata` file. PEP 658 puts that file at the
//! wheel's URL plus `.metadata`, so it is written beside the wheel, in the
//! wheelhouse: the wheel's `*.dist-info/METADATA`, byte for byte.
//!
//! Links are relative (from the project's directory to the file), so the
//! index and the wheelhouse can be moved together to another machine. pip
//! and posy read a `file:` index by opening `<project>/index.html`; the
//! JSON pages serve a static HTTP server that picks one by extension.
//!
//! Every page and metadata file is written to a temporary file and renamed
//! into place; pages of projects no longer in the directory are left as
//! they are (they are not linked from the root page any more).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use posy_vocab::{PackageName, SdistFilename, WheelFilename};
use sha2::{Digest, Sha256};

use crate::project::write_atomically;

/// What [`write_simple_index`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleIndexSummary {
    /// The index root (use it as `--index-url`).
    pub root: PathBuf,
    pub projects: usize,
    pub files: usize,
}

/// One file of the index.
struct Listed {
    filename: String,
    sha256: String,
    size: u64,
    requires_python: Option<String>,
    /// The sha256 of the `.metadata` file beside a wheel.
    metadata_sha256: Option<String>,
}

/// Writes a simple index over the wheels and sdists of `dir` into `out`.
pub fn write_simple_index(dir: &Path, out: &Path) -> Result<SimpleIndexSummary> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot read the directory {}", dir.display()))?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the index directory {}", out.display()))?;
    let out = out.canonicalize()?;
    let mut projects: BTreeMap<PackageName, Vec<Listed>> = BTreeMap::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(filename) = entry.file_name().into_string() else {
            continue;
        };
        if !entry.path().is_file() {
            continue;
        }
        let (name, wheel) = if filename.ends_with(".whl") {
            match WheelFilename::from_str(&filename) {
                Ok(w) => (w.name().clone(), true),
                Err(e) => {
                    tracing::warn!("{filename}: not a wheel name, left out of the index: {e}");
                    continue;
                }
            }
        } else {
            match SdistFilename::from_str(&filename) {
                Ok(s) => (s.name().clone(), false),
                // Not a distribution (a `.metadata` file, a README).
                Err(_) => continue,
            }
        };
        let path = entry.path();
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let (requires_python, metadata_sha256) = if wheel {
            let metadata = wheel_metadata(&bytes)
                .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
            let beside = dir.join(format!("{filename}.metadata"));
            if std::fs::read(&beside).ok().as_deref() != Some(&metadata[..]) {
                write_atomically(&beside, &metadata)?;
            }
            (
                requires_python(&String::from_utf8_lossy(&metadata)),
                Some(sha256_hex(&metadata)),
            )
        } else {
            (None, None)
        };
        projects.entry(name).or_default().push(Listed {
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            filename,
            requires_python,
            metadata_sha256,
        });
    }
    let files = projects.values().map(Vec::len).sum();
    for (name, listed) in &projects {
        let project_dir = out.join(name.as_str());
        std::fs::create_dir_all(&project_dir)
            .with_context(|| format!("cannot create {}", project_dir.display()))?;
        let prefix = relative(&project_dir, &dir)?;
        write_atomically(
            &project_dir.join("index.html"),
            project_html(name, listed, &prefix),
        )?;
        write_atomically(
            &project_dir.join("index.json"),
            project_json(name, listed, &prefix),
        )?;
    }
    write_atomically(&out.join("index.html"), root_html(&projects))?;
    write_atomically(&out.join("index.json"), root_json(&projects))?;
    Ok(SimpleIndexSummary {
        root: out,
        projects: projects.len(),
        files,
    })
}

/// The `*.dist-info/METADATA` of a wheel's bytes.
fn wheel_metadata(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| {
            let mut parts = n.split('/');
            matches!(
                (parts.next(), parts.next(), parts.next()),
                (Some(dir), Some("METADATA"), None) if dir.ends_with(".dist-info")
            )
        })
        .map(std::borrow::Cow::into_owned);
    let Some(name) = name else {
        bail!("the wheel has no .dist-info/METADATA");
    };
    let mut metadata = Vec::new();
    archive.by_name(&name)?.read_to_end(&mut metadata)?;
    Ok(metadata)
}

/// The `Requires-Python` header of core metadata, if any.
fn requires_python(metadata: &str) -> Option<String> {
    metadata
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("requires-python")
                .then(|| value.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The relative URL path from directory `from` to directory `to`, ending
/// in `/` (both absolute and canonical).
fn relative(from: &Path, to: &Path) -> Result<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for _ in common..from.len() {
        out.push_str("../");
    }
    for part in &to[common..] {
        let Some(part) = part.as_os_str().to_str() else {
            bail!(
                "{} is not a UTF-8 path",
                to.iter().collect::<PathBuf>().display()
            );
        };
        out.push_str(&url_escape(part));
        out.push('/');
    }
    Ok(out)
}

/// Percent-encodes what a URL path segment cannot hold as is.
fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~+!".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn project_html(name: &PackageName, files: &[Listed], prefix: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for {name}</title>\n  </head>\n  <body>\n    <h1>Links for {name}</h1>\n"
    );
    for file in files {
        let mut attributes = String::new();
        if let Some(rp) = &file.requires_python {
            let _ = write!(attributes, " data-requires-python=\"{}\"", html_escape(rp));
        }
        if let Some(sha) = &file.metadata_sha256 {
            let _ = write!(
                attributes,
                " data-dist-info-metadata=\"sha256={sha}\" data-core-metadata=\"sha256={sha}\""
            );
        }
        let _ = writeln!(
            html,
            "    <a href=\"{prefix}{}#sha256={}\"{attributes}>{}</a><br>",
            url_escape(&file.filename),
            file.sha256,
            html_escape(&file.filename)
        );
    }
    html.push_str("  </body>\n</html>\n");
    html
}

fn project_json(name: &PackageName, files: &[Listed], prefix: &str) -> String {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            let mut entry = serde_json::json!({
                "filename": file.filename,
                "url": format!("{prefix}{}", url_escape(&file.filename)),
                "hashes": {"sha256": file.sha256},
                "size": file.size,
            });
            if let Some(rp) = &file.requires_python {
                entry["requires-python"] = rp.clone().into();
            }
            if let Some(sha) = &file.metadata_sha256 {
                entry["core-metadata"] = serde_json::json!({"sha256": sha});
                entry["dist-info-metadata"] = serde_json::json!({"sha256": sha});
            }
            entry
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "meta": {"api-version": "1.1"},
        "name": name.as_str(),
        "files": files,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

fn root_html(projects: &BTreeMap<PackageName, Vec<Listed>>) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n",
    );
    for name in projects.keys() {
        let _ = writeln!(html, "    <a href=\"{name}/\">{name}</a><br>");
    }
    html.push_str("  </body>\n</html>\n");
    html
}

fn root_json(projects: &BTreeMap<PackageName, Vec<Listed>>) -> String {
    let names: Vec<serde_json::Value> = projects
        .keys()
        .map(|name| serde_json::json!({"name": name.as_str()}))
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "meta": {"api-version": "1.1"},
        "projects": names,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_climb_to_the_common_directory() {
        let rel = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).unwrap();
        assert_eq!(rel("/w/simple/six", "/w"), "../../");
        assert_eq!(rel("/out/simple/six", "/w h"), "../../../w%20h/");
        assert_eq!(rel("/w/simple/six", "/w/simple/six"), "");
    }

    #[test]
    fn requires_python_is_read_from_the_headers_only() {
        let text =
            "Metadata-Version: 2.1\nName: a\nRequires-Python: >=3.9\n\nRequires-Python: no\n";
        assert_eq!(requires_python(text).as_deref(), Some(">=3.9"));
        assert_eq!(requires_python("Name: a\n\n"), None);
    }
}
