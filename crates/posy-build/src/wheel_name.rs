//! A wheel's filename, recovered from its contents.
//!
//! Built wheels are kept in the store's `built/` bucket under a key that
//! describes how they were built, so the entry's own name is a hash. The
//! filename (name, version, build tag, compressed tag sets) is rebuilt from
//! the wheel itself: the `.dist-info` directory gives name and version,
//! its `WHEEL` file the `Build` and `Tag` lines. This keeps each cache entry
//! a single self-describing file: there is no second record to fall out of
//! step with it. The same reading also yields the wheel's `METADATA`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use posy_vocab::{CoreMetadata, Headers, WheelFilename};

use crate::error::{BuildError, IoContext};

/// The filename the wheel at `path` should have.
pub fn wheel_filename(path: &Path) -> Result<WheelFilename, BuildError> {
    let mut archive = open(path)?;
    let dist_info = dist_info_dir(path, &archive)?;
    let wheel_text = read_member(path, &mut archive, &format!("{dist_info}/WHEEL"))?;
    filename_from_parts(&dist_info, &String::from_utf8_lossy(&wheel_text)).map_err(|reason| {
        BuildError::BadWheel {
            path: path.to_path_buf(),
            reason,
        }
    })
}

/// The `METADATA` of the wheel at `path`.
pub fn wheel_metadata(path: &Path) -> Result<CoreMetadata, BuildError> {
    let mut archive = open(path)?;
    let dist_info = dist_info_dir(path, &archive)?;
    let bytes = read_member(path, &mut archive, &format!("{dist_info}/METADATA"))?;
    CoreMetadata::parse(&bytes).map_err(|e| BuildError::BadWheel {
        path: path.to_path_buf(),
        reason: format!("its METADATA is invalid: {e}"),
    })
}

fn open(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>, BuildError> {
    let file = BufReader::new(File::open(path).ctx("open", path)?);
    zip::ZipArchive::new(file).map_err(|e| BuildError::BadWheel {
        path: path.to_path_buf(),
        reason: format!("it is not a zip archive ({e})"),
    })
}

fn dist_info_dir(
    path: &Path,
    archive: &zip::ZipArchive<BufReader<File>>,
) -> Result<String, BuildError> {
    let dirs: BTreeSet<String> = archive
        .file_names()
        .filter_map(|name| {
            let name = name.ok()?;
            let (top, _) = name.split_once('/')?;
            top.ends_with(".dist-info").then(|| top.to_string())
        })
        .collect();
    match dirs.len() {
        1 => Ok(dirs.into_iter().next().unwrap_or_default()),
        n => Err(BuildError::BadWheel {
            path: path.to_path_buf(),
            reason: format!("it has {n} .dist-info directories, not one"),
        }),
    }
}

fn read_member(
    path: &Path,
    archive: &mut zip::ZipArchive<BufReader<File>>,
    name: &str,
) -> Result<Vec<u8>, BuildError> {
    let bad = |reason: String| BuildError::BadWheel {
        path: path.to_path_buf(),
        reason,
    };
    let mut member = archive
        .by_name(name)
        .map_err(|e| bad(format!("`{name}` is missing ({e})")))?;
    let mut bytes = Vec::new();
    member
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("`{name}` cannot be read ({e})")))?;
    Ok(bytes)
}

/// Builds the filename from the `.dist-info` directory name and the text
/// of `WHEEL`. The tags must form a product (every python × abi ×
/// platform), since that is all a filename can express.
pub(crate) fn filename_from_parts(dist_info: &str, wheel: &str) -> Result<WheelFilename, String> {
    let stem = dist_info
        .strip_suffix(".dist-info")
        .ok_or_else(|| format!("`{dist_info}` is not a .dist-info directory"))?;
    let (name, version) = stem
        .split_once('-')
        .ok_or_else(|| format!("`{dist_info}` is not named NAME-VERSION.dist-info"))?;
    let headers = Headers::parse(wheel).map_err(|e| format!("its WHEEL file is invalid:\n{e}"))?;
    let mut tags: Vec<[&str; 3]> = Vec::new();
    for line in headers.get_all("Tag") {
        let mut parts = line.trim().splitn(3, '-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(py), Some(abi), Some(platform)) => tags.push([py, abi, platform]),
            _ => return Err(format!("its WHEEL file has a bad Tag line {line:?}")),
        }
    }
    if tags.is_empty() {
        return Err("its WHEEL file has no Tag lines".into());
    }
    let column = |i: usize| {
        let mut seen = Vec::new();
        for tag in &tags {
            if !seen.contains(&tag[i]) {
                seen.push(tag[i]);
            }
        }
        seen
    };
    let (pys, abis, platforms) = (column(0), column(1), column(2));
    let distinct: BTreeSet<&[&str; 3]> = tags.iter().collect();
    if distinct.len() != pys.len() * abis.len() * platforms.len() {
        return Err("its WHEEL tags do not form a set a filename can express".into());
    }
    let build = headers
        .get("Build")
        .map(|b| format!("-{}", b.trim()))
        .unwrap_or_default();
    let filename = format!(
        "{name}-{version}{build}-{}-{}-{}.whl",
        pys.join("."),
        abis.join("."),
        platforms.join(".")
    );
    filename
        .parse()
        .map_err(|e| format!("the filename `{filename}` it implies is invalid:\n{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_and_compressed_tags() {
        let pure = filename_from_parts(
            "my_pkg-1.0.dist-info",
            "Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        .unwrap();
        assert_eq!(pure.to_string(), "my_pkg-1.0-py3-none-any.whl");
        let many = filename_from_parts(
            "x-2.0.dist-info",
            "Wheel-Version: 1.0\nBuild: 1a\nTag: cp311-cp311-manylinux_2_17_x86_64\n\
             Tag: cp311-cp311-manylinux2014_x86_64\n",
        )
        .unwrap();
        assert_eq!(
            many.to_string(),
            "x-2.0-1a-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
    }

    #[test]
    fn refusals() {
        assert!(filename_from_parts("x-1.0.dist-info", "Wheel-Version: 1.0\n").is_err());
        assert!(filename_from_parts("x.dist-info", "Tag: py3-none-any\n").is_err());
        let not_product = "Tag: py2-none-any\nTag: py3-none-linux_x86_64\n";
        assert!(filename_from_parts("x-1.0.dist-info", not_product).is_err());
    }
}
