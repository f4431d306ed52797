//! The store never serves a corrupt entry and forgets a package entirely
//! when asked: a damaged cached metadata file is fetched again (never read
//! as a different answer), and `posy cache clean NAME` leaves nothing of
//! NAME behind — downloads, pages, unpacked trees, built wheels.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{World, pins};
use posy_testkit::{BuildBackend, Index, Package};

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Every directory under `dir` whose name ends with `.dist-info`.
fn dist_infos_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.to_string_lossy().ends_with(".dist-info") {
                out.push(path.clone());
            }
            out.extend(dist_infos_under(&path));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_truncated_cached_metadata_file_is_fetched_again_not_believed() {
    let index = Index::new()
        .package(Package::new("needle", "1.0"))
        .package(Package::new("needle", "2.0").dep("thread>=1"))
        .package(Package::new("thread", "1.0"))
        .serve();
    let world = World::with_index(&index);
    world.write("requirements.in", "needle\n");
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0", "thread==1.0"]);

    // Cut the cached METADATA of needle 2.0 in half.
    let http = world.cache().join("v1/http");
    let cached: Vec<PathBuf> = files_under(&http)
        .into_iter()
        .filter(|p| {
            let bytes = fs::read(p).unwrap();
            contains(&bytes, "Name: needle") && contains(&bytes, "Version: 2.0")
        })
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let bytes = fs::read(&cached[0]).unwrap();
    fs::write(&cached[0], &bytes[..bytes.len() / 2]).unwrap();

    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0", "thread==1.0"]);
    assert!(
        run.stderr.contains("damaged"),
        "the damage is reported:\n{}",
        run.stderr
    );
    // The entry was replaced by a good one: the next run is quiet.
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0", "thread==1.0"]);
    assert!(!run.stderr.contains("damaged"), "{}", run.stderr);

    // --refresh does not trust a damaged entry either.
    let cached: Vec<PathBuf> = files_under(&http)
        .into_iter()
        .filter(|p| contains(&fs::read(p).unwrap(), "Name: needle"))
        .collect();
    for path in &cached {
        let bytes = fs::read(path).unwrap();
        fs::write(path, &bytes[..bytes.len() - 3]).unwrap();
    }
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header", "--refresh"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0", "thread==1.0"]);
}

#[test]
fn a_truncated_cached_page_is_fetched_again() {
    let index = Index::new()
        .package(Package::new("needle", "1.0"))
        .package(Package::new("needle", "2.0"))
        .cache_control("max-age=600")
        .serve();
    let world = World::with_index(&index);
    world.write("requirements.in", "needle\n");
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0"]);
    let pages: Vec<PathBuf> = files_under(&world.cache().join("v1/http"))
        .into_iter()
        .filter(|p| contains(&fs::read(p).unwrap(), "needle-2.0-py3-none-any.whl"))
        .collect();
    assert!(!pages.is_empty());
    for page in &pages {
        let bytes = fs::read(page).unwrap();
        // Keep the part that lists 1.0 only.
        let cut = bytes
            .windows(b"needle-2.0".len())
            .position(|w| w == b"needle-2.0")
            .unwrap();
        fs::write(page, &bytes[..cut]).unwrap();
    }
    index.clear_requests();
    let run = world.pip_ok(&["compile", "requirements.in", "--no-header"]);
    assert_eq!(pins(&run.stdout), ["needle==2.0"]);
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
    assert!(!index.requests_to("/simple/needle/").is_empty());
}

/// A backend that writes a wheel of the sdist's package from its PKG-INFO.
const BACKEND: &str = r#"
import email.parser, os, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    info = open("PKG-INFO", encoding="utf-8").read()
    fields = email.parser.Parser().parsestr(info)
    stem = "{}-{}".format(fields["Name"].lower(), fields["Version"])
    name = stem + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as out:
        for module in sorted(os.listdir(".")):
            if module.endswith(".py"):
                out.write(module)
        out.writestr(stem + ".dist-info/METADATA", info)
        out.writestr(stem + ".dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        out.writestr(stem + ".dist-info/RECORD", "")
    return name
"#;

#[test]
fn cache_clean_removes_every_entry_of_the_package() {
    let index = Index::new()
        .package(Package::new("alpha", "1.0").file("alpha.py", "A = 1\n"))
        .package(
            Package::new("bravo", "1.0")
                .file("bravo.py", "B = 1\n")
                .sdist_file("backend/posy_test_backend.py", BACKEND)
                .build_backend(BuildBackend::new("posy_test_backend", []).backend_path(["backend"]))
                .sdist_only(),
        )
        .package(Package::new("keeper", "1.0").file("keeper.py", "K = 1\n"))
        .serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "alpha", "bravo", "keeper", "--python", env.arg()]);

    let cache = world.cache().join("v1");
    let mentions = |name: &str| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = files_under(&cache)
            .into_iter()
            .filter(|p| !p.starts_with(cache.join("tags")))
            .filter(|p| p.to_string_lossy().contains(name) || contains(&fs::read(p).unwrap(), name))
            .collect();
        found.extend(
            dist_infos_under(&cache)
                .into_iter()
                .filter(|p| p.to_string_lossy().contains(name)),
        );
        found
    };
    for name in ["alpha", "bravo", "keeper"] {
        assert!(!mentions(name).is_empty(), "{name} is cached");
    }
    assert!(
        dist_infos_under(&cache.join("unpacked"))
            .iter()
            .any(|p| p.ends_with("alpha-1.0.dist-info")),
        "alpha's unpacked tree is in the store"
    );

    let run = world.ok(&["cache", "clean", "alpha", "bravo"]);
    assert!(run.stdout.starts_with("Removed "), "{}", run.stdout);
    assert_eq!(mentions("alpha"), Vec::<PathBuf>::new());
    assert_eq!(mentions("bravo"), Vec::<PathBuf>::new());
    assert!(!mentions("keeper").is_empty(), "other packages stay");

    // The store still works: everything comes back.
    let other = world.venv("other");
    world.pip_ok(&["install", "alpha", "bravo", "--python", other.arg()]);
    assert_eq!(
        other.python_ok("import alpha, bravo; print(alpha.A + bravo.B)"),
        "2"
    );
}
