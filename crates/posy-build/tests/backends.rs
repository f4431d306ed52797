//! Real backends from the public index: setuptools (pyproject and
//! `setup.py`-only), flit_core, hatchling (including an editable install
//! whose source edits show without reinstalling).
//!
//! The build environments are venvs with pip-installed requirements, cached
//! across tests and runs (see `common`); a cold run downloads a few
//! megabytes. Part of the live suite: they run with `POSY_LIVE=1` only.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::{VenvEnvironments, live, make_sdist, python, store, write_tree};
use posy_build::{BuildFrontend, BuildOptions, BuildSource, MetadataOrigin, wheel_metadata};
use posy_install::{
    InstallOptions, InstallScheme, Installer, LinkMode, UnpackedWheel, unpack_wheel,
};

/// A setuptools project whose dependencies are dynamic (read from a file
/// by setuptools), so only the backend can tell them.
fn setuptools_project(root: &Path, name: &str) {
    let module = name.replace('-', "_");
    write_tree(
        root,
        &[
            (
                "pyproject.toml",
                &format!(
                    "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
                     [project]\nname = \"{name}\"\nversion = \"0.1.0\"\ndynamic = [\"dependencies\"]\n\n\
                     [tool.setuptools.dynamic]\ndependencies = {{file = [\"requirements.txt\"]}}\n"
                ),
            ),
            ("requirements.txt", "six>=1\n"),
            (&format!("src/{module}/__init__.py"), "VALUE = 1\n"),
        ],
    );
}

fn frontend(cache: &Path) -> BuildFrontend<VenvEnvironments> {
    BuildFrontend::new(
        store(cache),
        VenvEnvironments::shared(),
        python(),
        BuildOptions::default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn setuptools_pyproject_directory() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("st-proj");
    setuptools_project(&project, "st-proj");
    let frontend = frontend(dir.path());
    let source = BuildSource::directory(&project);

    // Static dependencies (PEP 621) are read without the backend.
    let static_project = dir.path().join("st-static");
    write_tree(
        &static_project,
        &[(
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
             [project]\nname = \"st-static\"\nversion = \"0.1.0\"\ndependencies = [\"six>=1\"]\n",
        )],
    );
    let meta = frontend
        .metadata(&BuildSource::directory(&static_project))
        .await
        .unwrap();
    assert_eq!(meta.origin, MetadataOrigin::Pyproject);
    assert_eq!(meta.metadata.requires_dist[0].to_string(), "six>=1");
    assert_eq!(frontend.hook_runs(), 0);

    let meta = frontend.metadata(&source).await.unwrap();
    assert_eq!(meta.origin, MetadataOrigin::PrepareMetadataHook);
    assert_eq!(meta.metadata.requires_dist[0].to_string(), "six>=1");
    let runs = frontend.hook_runs();
    let again = frontend.metadata(&source).await.unwrap();
    assert_eq!(again.origin, MetadataOrigin::CachedMetadata);
    assert_eq!(again.metadata, meta.metadata);
    assert_eq!(frontend.hook_runs(), runs);

    let wheel = frontend.build(&source).await.unwrap();
    assert!(!wheel.cached);
    assert_eq!(wheel.filename.to_string(), "st_proj-0.1.0-py3-none-any.whl");
    // setuptools wrote build/ and *.egg-info into the tree: still a hit.
    let runs = frontend.hook_runs();
    let again = frontend.build(&source).await.unwrap();
    assert!(again.cached);
    assert_eq!(again.path, wheel.path);
    assert_eq!(frontend.hook_runs(), runs);

    std::fs::write(project.join("src/st_proj/__init__.py"), "VALUE = 2\n").unwrap();
    let rebuilt = frontend.build(&source).await.unwrap();
    assert!(!rebuilt.cached, "a source change must rebuild");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn flit_core_sdist_from_an_archive() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("flitproj-1.2.3.tar.gz");
    make_sdist(
        &archive,
        "flitproj-1.2.3",
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"flit_core>=3.4,<4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n\
                 [project]\nname = \"flitproj\"\nversion = \"1.2.3\"\ndescription = \"flit test\"\n\
                 dependencies = [\"attrs; python_version >= '3'\"]\n",
            ),
            ("flitproj/__init__.py", "VALUE = 3\n"),
            // Metadata 2.1: not trusted as static, so the backend is asked.
            (
                "PKG-INFO",
                "Metadata-Version: 2.1\nName: flitproj\nVersion: 1.2.3\n",
            ),
        ],
    );
    let frontend = frontend(dir.path());
    let source = BuildSource::sdist(&archive);
    let meta = frontend.metadata(&source).await.unwrap();
    assert_eq!(meta.origin, MetadataOrigin::PrepareMetadataHook);
    assert_eq!(meta.metadata.summary.as_deref(), Some("flit test"));

    let wheel = frontend.build(&source).await.unwrap();
    assert_eq!(
        wheel.filename.to_string(),
        "flitproj-1.2.3-py2.py3-none-any.whl"
    );
    let from_wheel = wheel_metadata(&wheel.path).unwrap();
    assert_eq!(from_wheel.requires_dist, meta.metadata.requires_dist);

    // Same archive bytes, given with the hash: the cached wheel.
    let sha256 = {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(std::fs::read(&archive).unwrap());
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let known = BuildSource::Sdist {
        path: archive.clone(),
        sha256: Some(sha256),
    };
    assert!(frontend.build(&known).await.unwrap().cached);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn setup_py_only_project_uses_the_legacy_backend() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("legacyproj");
    write_tree(
        &project,
        &[
            (
                "setup.py",
                "from setuptools import setup\n\
                 setup(name='legacyproj', version='0.3', py_modules=['legacyproj'],\n\
                 \x20     install_requires=['six'])\n",
            ),
            ("legacyproj.py", "VALUE = 4\n"),
        ],
    );
    let envs = VenvEnvironments::shared();
    let frontend = BuildFrontend::new(
        store(dir.path()),
        envs.clone(),
        python(),
        BuildOptions::default(),
    );
    let wheel = frontend
        .build(&BuildSource::directory(&project))
        .await
        .unwrap();
    assert_eq!(
        wheel.filename.to_string(),
        "legacyproj-0.3-py3-none-any.whl"
    );
    let requests = envs.requests.lock().unwrap().clone();
    assert_eq!(requests[0], vec!["setuptools>=40.8.0".to_string()]);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn hatchling_editable_install_sees_source_changes() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("hatchproj");
    write_tree(
        &project,
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
                 [project]\nname = \"hatchproj\"\nversion = \"0.1\"\n",
            ),
            ("src/hatchproj/__init__.py", "VALUE = 1\n"),
        ],
    );
    let frontend = frontend(dir.path());

    // A regular wheel first.
    let wheel = frontend
        .build(&BuildSource::directory(&project))
        .await
        .unwrap();
    assert_eq!(wheel.filename.name().as_str(), "hatchproj");
    assert!(wheel.filename.is_platform_independent());

    // The editable wheel, installed with posy-install into a fresh venv.
    let editable = frontend
        .build(&BuildSource::editable(&project))
        .await
        .unwrap();
    assert_eq!(editable.filename.name().as_str(), "hatchproj");
    let venv = dir.path().join("venv");
    let status = Command::new(python().executable())
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(status.success());
    let (major, minor, _) = python().python_release();
    let site = venv.join(format!("lib/python{major}.{minor}/site-packages"));
    let scheme = InstallScheme {
        prefix: venv.clone(),
        purelib: site.clone(),
        platlib: site,
        scripts: venv.join("bin"),
        data: venv.clone(),
        include: venv.join(format!("include/site/python{major}.{minor}")),
        python: venv.join("bin/python"),
    };
    let unpacked = dir.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    unpack_wheel(&editable.path, &unpacked).unwrap();
    let installer = Installer::new(scheme, LinkMode::Copy, "posy");
    installer
        .install(
            &UnpackedWheel::open(&unpacked).unwrap(),
            &InstallOptions::default(),
        )
        .unwrap();

    let value = || {
        let out = Command::new(venv.join("bin/python"))
            .args(["-c", "import hatchproj; print(hatchproj.VALUE)"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(value(), "1");
    std::fs::write(project.join("src/hatchproj/__init__.py"), "VALUE = 2\n").unwrap();
    assert_eq!(value(), "2", "the edit is visible without reinstalling");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn get_requires_additions_ask_for_a_second_environment() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("needs-more");
    write_tree(
        &project,
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = []\nbuild-backend = \"more\"\nbackend-path = [\".\"]\n",
            ),
            (
                "more.py",
                "def get_requires_for_build_wheel(config_settings=None):\n    return ['six']\n\n\
                 def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):\n\
                 \x20   import os, six\n\
                 \x20   d = os.path.join(metadata_directory, 'needs_more-1.0.dist-info')\n\
                 \x20   os.makedirs(d)\n\
                 \x20   open(os.path.join(d, 'METADATA'), 'w').write('Metadata-Version: 2.1\\nName: needs-more\\nVersion: 1.0\\nSummary: six %s\\n' % six.__version__)\n\
                 \x20   return 'needs_more-1.0.dist-info'\n",
            ),
        ],
    );
    let envs = VenvEnvironments::shared();
    let frontend = BuildFrontend::new(
        store(dir.path()),
        envs.clone(),
        python(),
        BuildOptions::default(),
    );
    let meta = frontend
        .metadata(&BuildSource::directory(&project))
        .await
        .unwrap();
    assert_eq!(meta.origin, MetadataOrigin::PrepareMetadataHook);
    assert!(meta.metadata.summary.unwrap().starts_with("six "));
    let requests = envs.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        vec![Vec::<String>::new(), vec!["six".to_string()]]
    );
}

/// The number the issue asks for: a build whose environment is cached
/// versus the first one, which creates it. Run with `--nocapture` to see.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
async fn measure_second_build_with_a_cached_environment() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let envs = VenvEnvironments::at(dir.path().join("envs"));
    let frontend = BuildFrontend::new(
        store(dir.path()),
        envs.clone(),
        python(),
        BuildOptions::default(),
    );
    let mut times = Vec::new();
    let mut created = Vec::new();
    for name in ["first-proj", "second-proj"] {
        let project = dir.path().join(name);
        setuptools_project(&project, name);
        let started = Instant::now();
        frontend
            .build(&BuildSource::directory(&project))
            .await
            .unwrap();
        times.push(started.elapsed());
        created.push(envs.created.load(std::sync::atomic::Ordering::SeqCst));
    }
    let started = Instant::now();
    let hit = frontend
        .build(&BuildSource::directory(dir.path().join("second-proj")))
        .await
        .unwrap();
    let hit_time = started.elapsed();
    assert!(hit.cached);
    assert!(created[0] >= 1);
    assert_eq!(
        created[1], created[0],
        "the second build creates no environment"
    );
    eprintln!(
        "setuptools>=61 build: first (creates {} env(s)) {:.2}s, second (cached env) {:.2}s, \
         cached wheel {:.3}s; environments asked for: {:?}",
        created[0],
        times[0].as_secs_f64(),
        times[1].as_secs_f64(),
        hit_time.as_secs_f64(),
        envs.requests.lock().unwrap()
    );
}
