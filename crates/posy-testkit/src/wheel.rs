//! Wheels (PEP 427 / the binary distribution format), built in memory.
//!
//! A wheel here is exactly what a build backend would write: the package's
//! files at the root, optional `{name}-{version}.data/{scheme}/` entries,
//! and a `{name}-{version}.dist-info/` directory with METADATA, WHEEL,
//! entry_points.txt and a RECORD that lists every other member with its
//! sha256 (URL-safe base64, no padding) and size, and itself with empty
//! columns. The dist-info files come last, as the format recommends, so that
//! a reader of the zip's tail finds them. Every member gets the same fixed
//! timestamp (zip's 1980 epoch), so the same description always produces
//! the same bytes and the same hash.

use crate::package::check_relative_path;
use crate::{Error, Package, digest};
use std::collections::HashSet;
use std::io::{Cursor, Write};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

const DATA_SCHEMES: [&str; 5] = ["purelib", "platlib", "headers", "scripts", "data"];

/// Builds the wheel of `package` for `tag`; `base` is `{name}-{version}` as
/// filenames spell it. Returns the filename and the bytes.
pub(crate) fn build(
    package: &Package,
    base: &str,
    tag: &str,
    metadata: &str,
) -> Result<(String, Vec<u8>), Error> {
    let tags = expand_tag(&package.name, tag)?;
    let filename = match &package.build_tag {
        Some(build) => {
            check_build_tag(&package.name, build)?;
            format!("{base}-{build}-{tag}.whl")
        }
        None => format!("{base}-{tag}.whl"),
    };
    let dist_info = format!("{base}.dist-info");

    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for (path, contents) in &package.files {
        check_relative_path(&package.name, path)?;
        members.push((path.clone(), contents.clone()));
    }
    for (scheme, path, contents) in &package.data_files {
        if !DATA_SCHEMES.contains(&scheme.as_str()) {
            return Err(Error::DataScheme {
                package: package.name.clone(),
                scheme: scheme.clone(),
            });
        }
        check_relative_path(&package.name, path)?;
        members.push((format!("{base}.data/{scheme}/{path}"), contents.clone()));
    }
    members.push((
        format!("{dist_info}/METADATA"),
        metadata.as_bytes().to_vec(),
    ));
    let wheel_file = wheel_file(&tags, package.build_tag.as_deref());
    members.push((format!("{dist_info}/WHEEL"), wheel_file.into_bytes()));
    if !package.entry_points.is_empty() {
        let entry_points = entry_points_txt(&package.entry_points);
        members.push((
            format!("{dist_info}/entry_points.txt"),
            entry_points.into_bytes(),
        ));
    }

    let mut seen = HashSet::new();
    for (path, _) in &members {
        if !seen.insert(path.as_str()) {
            return Err(Error::Path {
                package: package.name.clone(),
                path: path.clone(),
                reason: "the wheel already has a file there",
            });
        }
    }
    let record_path = format!("{dist_info}/RECORD");
    let record = record(&members, &record_path);
    members.push((record_path, record.into_bytes()));

    let bytes = zip_members(&members).map_err(|e| Error::Archive {
        filename: filename.clone(),
        message: e.to_string(),
    })?;
    Ok((filename, bytes))
}

/// Checks a `python-abi-platform` tag and expands its compressed tag sets
/// (`py2.py3-none-any` is two tags).
fn expand_tag(package: &str, tag: &str) -> Result<Vec<String>, Error> {
    let error = || Error::Tag {
        package: package.to_string(),
        tag: tag.to_string(),
    };
    let parts: Vec<&str> = tag.split('-').collect();
    let [python, abi, platform] = parts[..] else {
        return Err(error());
    };
    let sets = [python, abi, platform].map(|part| part.split('.').collect::<Vec<_>>());
    let good = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !sets.iter().all(|set| set.iter().all(good)) {
        return Err(error());
    }
    let mut tags = Vec::new();
    for p in &sets[0] {
        for a in &sets[1] {
            for f in &sets[2] {
                tags.push(format!("{p}-{a}-{f}"));
            }
        }
    }
    Ok(tags)
}

/// A build tag must start with a digit and cannot contain `-` (PEP 427).
fn check_build_tag(package: &str, build: &str) -> Result<(), Error> {
    let starts_with_digit = build.starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit
        && build
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Ok(());
    }
    Err(Error::Tag {
        package: package.to_string(),
        tag: format!("build tag {build}"),
    })
}

/// The WHEEL file. A wheel whose tags are all platform-independent is
/// purelib; anything else installs to platlib.
fn wheel_file(tags: &[String], build: Option<&str>) -> String {
    let purelib = tags.iter().all(|t| t.ends_with("-none-any"));
    let mut out = format!(
        "Wheel-Version: 1.0\nGenerator: posy-testkit {}\nRoot-Is-Purelib: {purelib}\n",
        env!("CARGO_PKG_VERSION")
    );
    for tag in tags {
        out.push_str(&format!("Tag: {tag}\n"));
    }
    if let Some(build) = build {
        out.push_str(&format!("Build: {build}\n"));
    }
    out
}

/// `entry_points.txt`: an INI file with one section per group, in the order
/// the groups were first named.
pub(crate) fn entry_points_txt(entry_points: &[(String, String, String)]) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for (group, _, _) in entry_points {
        if !groups.contains(&group.as_str()) {
            groups.push(group);
        }
    }
    let mut out = String::new();
    for group in groups {
        out.push_str(&format!("[{group}]\n"));
        for (_, name, object) in entry_points.iter().filter(|(g, _, _)| g == group) {
            out.push_str(&format!("{name} = {object}\n"));
        }
        out.push('\n');
    }
    out
}

/// RECORD: one CSV row per member, and one for RECORD itself without hash or size.
fn record(members: &[(String, Vec<u8>)], record_path: &str) -> String {
    let mut out = String::new();
    for (path, contents) in members {
        out.push_str(&format!(
            "{},{},{}\n",
            csv_field(path),
            digest::record_hash(contents),
            contents.len()
        ));
    }
    out.push_str(&format!("{},,\n", csv_field(record_path)));
    out
}

/// Quotes a CSV field the way Python's csv module does when it must.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn zip_members(members: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, contents) in members {
        let executable = path.contains(".data/scripts/");
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .unix_permissions(if executable { 0o755 } else { 0o644 });
        zip.start_file(path.as_str(), options)?;
        zip.write_all(contents)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_tag_sets_expand() {
        assert_eq!(
            expand_tag("a", "py2.py3-none-any").unwrap(),
            ["py2-none-any", "py3-none-any"]
        );
        assert!(expand_tag("a", "py3-none").is_err());
        assert!(expand_tag("a", "py3--any").is_err());
        assert!(expand_tag("a", "py3-none-any-x").is_err());
    }

    #[test]
    fn build_tags_must_start_with_a_digit() {
        assert!(check_build_tag("a", "1abc").is_ok());
        assert!(check_build_tag("a", "abc").is_err());
        assert!(check_build_tag("a", "1-2").is_err());
    }

    #[test]
    fn entry_points_are_grouped() {
        let eps = [
            ("console_scripts".into(), "a".into(), "m:a".into()),
            ("gui_scripts".into(), "g".into(), "m:g".into()),
            ("console_scripts".into(), "b".into(), "m:b".into()),
        ];
        assert_eq!(
            entry_points_txt(&eps),
            "[console_scripts]\na = m:a\nb = m:b\n\n[gui_scripts]\ng = m:g\n\n"
        );
    }

    #[test]
    fn record_quotes_paths_with_commas() {
        let members = [("a,b.py".to_string(), b"x".to_vec())];
        let record = record(&members, "p-1.dist-info/RECORD");
        assert!(record.starts_with("\"a,b.py\",sha256="), "{record}");
        assert!(record.ends_with("p-1.dist-info/RECORD,,\n"), "{record}");
    }

    #[test]
    fn duplicate_paths_are_rejected() {
        let err = Package::new("a", "1")
            .file("a.py", "")
            .file("a.py", "")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("a.py"), "{err}");
    }

    #[test]
    fn data_files_need_a_known_scheme() {
        let err = Package::new("a", "1")
            .data_file("bin", "x", "")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("bin"), "{err}");
    }

    #[test]
    fn wheel_members_end_with_the_dist_info() {
        let artifacts = Package::new("a", "1")
            .file("a/__init__.py", "")
            .data_file("scripts", "tool", "#!python\n")
            .entry_point("console_scripts", "a", "a:main")
            .build()
            .unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(artifacts[0].bytes().to_vec())).unwrap();
        let names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "a/__init__.py",
                "a-1.data/scripts/tool",
                "a-1.dist-info/METADATA",
                "a-1.dist-info/WHEEL",
                "a-1.dist-info/entry_points.txt",
                "a-1.dist-info/RECORD"
            ]
        );
    }
}
