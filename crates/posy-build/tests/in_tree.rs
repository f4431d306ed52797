//! Builds with in-tree backends (`backend-path`) and static sdist metadata:
//! no requirement needs the network, so these always run.

mod common;

use std::path::Path;

use common::{NoEnvironments, VenvEnvironments, make_sdist, python, store, write_tree};
use posy_build::{
    BuildError, BuildFrontend, BuildLabel, BuildOptions, BuildReporter, BuildSource, BuildStage,
    ConfigSettings, Hook, Isolation, MetadataOrigin,
};

/// A backend that writes a wheel by hand, has no metadata hook, prints on
/// stdout, and puts its `config_settings` into the wheel's `Summary`.
const BACKEND: &str = r#"
import base64, hashlib, json, os, zipfile

def get_requires_for_build_wheel(config_settings=None):
    extra = (config_settings or {}).get("requires")
    return [extra] if extra else []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("lots of noise on stdout, which must not confuse the frontend")
    dist_info = "intree-0.5.dist-info"
    files = {
        "intree.py": "VALUE = 5\n",
        dist_info + "/METADATA": "Metadata-Version: 2.1\nName: intree\nVersion: 0.5\nSummary: "
            + json.dumps(config_settings or {}, sort_keys=True) + "\n",
        dist_info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: intree\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append(dist_info + "/RECORD,,")
    name = "intree-0.5-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
        z.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return name
"#;

const PYPROJECT: &str = "[build-system]\nrequires = []\nbuild-backend = \"intree_backend\"\nbackend-path = [\"backend\"]\n";

fn in_tree_project(root: &Path) {
    write_tree(
        root,
        &[
            ("pyproject.toml", PYPROJECT),
            ("backend/intree_backend.py", BACKEND),
            ("intree.py", "VALUE = 5\n"),
        ],
    );
}

fn frontend<E: posy_build::BuildEnvironments>(
    cache: &Path,
    envs: E,
    options: BuildOptions,
) -> BuildFrontend<E> {
    BuildFrontend::new(store(cache), envs, python(), options)
}

#[tokio::test(flavor = "multi_thread")]
async fn in_tree_backend_builds_caches_and_passes_config_settings() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("intree");
    in_tree_project(&project);
    let mut options = BuildOptions::default();
    options.config_settings.push("--opt", "x");
    options.config_settings.push("--opt", "y");
    let envs = VenvEnvironments::shared();
    let frontend = frontend(dir.path(), envs.clone(), options);
    let source = BuildSource::directory(&project);

    // No metadata hook: a full build, whose wheel is then cached.
    let meta = frontend.metadata(&source).await.unwrap();
    assert_eq!(meta.origin, MetadataOrigin::BuiltWheel);
    assert_eq!(meta.metadata.name.as_str(), "intree");
    assert_eq!(
        meta.metadata.summary.as_deref(),
        Some(r#"{"--opt": ["x", "y"]}"#)
    );
    let runs = frontend.hook_runs();
    assert_eq!(
        runs, 3,
        "get_requires, prepare_metadata (missing), then build_wheel in the same environment"
    );

    let wheel = frontend.build(&source).await.unwrap();
    assert!(wheel.cached);
    assert_eq!(wheel.filename.to_string(), "intree-0.5-py3-none-any.whl");
    let again = frontend.metadata(&source).await.unwrap();
    assert_eq!(again.origin, MetadataOrigin::CachedWheel);
    assert_eq!(frontend.hook_runs(), runs, "cache hits run nothing");

    // A source change is a new build.
    std::fs::write(project.join("intree.py"), "VALUE = 6\n").unwrap();
    let rebuilt = frontend.build(&source).await.unwrap();
    assert!(!rebuilt.cached);

    // Other settings, other entry.
    let plain = BuildFrontend::new(store(dir.path()), envs, python(), BuildOptions::default());
    let other = plain.build(&source).await.unwrap();
    assert!(!other.cached);
    assert_ne!(other.path, rebuilt.path);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_build_isolation_uses_the_given_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("intree");
    in_tree_project(&project);
    let options = BuildOptions {
        isolation: Isolation::Shared,
        ..BuildOptions::default()
    };
    let frontend = frontend(dir.path(), NoEnvironments, options);
    let wheel = frontend
        .build(&BuildSource::directory(&project))
        .await
        .unwrap();
    assert_eq!(wheel.filename.to_string(), "intree-0.5-py3-none-any.whl");
    assert_eq!(
        frontend.hook_runs(),
        1,
        "only build_wheel: no get_requires without isolation"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_backend_shows_its_output_tail() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("fail-proj");
    let backend = "import sys\n\
        def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n\
        \x20   for i in range(1, 101):\n\
        \x20       print('noise line %d' % i)\n\
        \x20   sys.stdout.flush()\n\
        \x20   raise RuntimeError('compiler exploded')\n";
    write_tree(
        &project,
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = []\nbuild-backend = \"failing\"\nbackend-path = [\".\"]\n",
            ),
            ("failing.py", backend),
        ],
    );
    let frontend = frontend(
        dir.path(),
        VenvEnvironments::shared(),
        BuildOptions::default(),
    );
    let error = frontend
        .build(&BuildSource::directory(&project))
        .await
        .unwrap_err();
    let BuildError::HookFailed { hook, .. } = &error else {
        panic!("expected a hook failure, got {error}");
    };
    assert_eq!(*hook, Hook::BuildWheel);
    let message = error.to_string();
    assert!(
        message.contains("build_wheel failed for fail-proj"),
        "{message}"
    );
    assert!(
        message.contains("RuntimeError: compiler exploded"),
        "{message}"
    );
    assert!(message.contains("noise line 100"), "{message}");
    assert!(
        !message.contains("noise line 20\n"),
        "only the tail: {message}"
    );

    // Nothing was published in the built bucket.
    let built = dir.path().join("cache/v1/built");
    let entries: Vec<_> = walkdir::WalkDir::new(&built)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_none_or(|x| x != "lock"))
        .collect();
    assert!(entries.is_empty(), "{entries:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn static_pkg_info_is_used_without_any_subprocess() {
    let dir = tempfile::tempdir().unwrap();
    let frontend = frontend(dir.path(), NoEnvironments, BuildOptions::default());

    let archive = dir.path().join("static_pkg-1.0.tar.gz");
    let pkg_info = "Metadata-Version: 2.2\nName: static-pkg\nVersion: 1.0\n\
                    Requires-Dist: six>=1\nRequires-Python: >=3.8\nDynamic: Summary\n";
    make_sdist(
        &archive,
        "static_pkg-1.0",
        &[
            ("PKG-INFO", pkg_info),
            ("setup.py", "raise SystemExit('must not run')\n"),
        ],
    );
    let meta = frontend
        .metadata(&BuildSource::sdist(&archive))
        .await
        .unwrap();
    assert_eq!(meta.origin, MetadataOrigin::PkgInfo);
    assert_eq!(meta.metadata.requires_dist[0].to_string(), "six>=1");
    assert_eq!(frontend.hook_runs(), 0);

    // Dynamic dependencies, or metadata older than 2.2: the backend must be
    // asked, which here means asking for an environment (and failing).
    for pkg_info in [
        "Metadata-Version: 2.2\nName: dyn\nVersion: 1.0\nDynamic: Requires-Dist\n",
        "Metadata-Version: 2.1\nName: dyn\nVersion: 1.0\n",
    ] {
        let archive = dir.path().join("dyn-1.0.tar.gz");
        make_sdist(
            &archive,
            "dyn-1.0",
            &[("PKG-INFO", pkg_info), ("setup.py", "")],
        );
        let error = frontend
            .metadata(&BuildSource::sdist(&archive))
            .await
            .unwrap_err();
        assert!(matches!(error, BuildError::Environment { .. }), "{error}");
        assert!(error.to_string().contains("setuptools>=40.8.0"), "{error}");
    }
    assert_eq!(frontend.hook_runs(), 0);
}

#[test]
fn config_settings_parse_from_the_command_line() {
    let settings: ConfigSettings = "editable_mode=strict".parse().unwrap();
    assert_eq!(settings.to_json()["editable_mode"], "strict");
}

/// Wraps the in-tree backend to record when each `build_wheel` runs.
const SLOW_BACKEND: &str = r#"
import os, time
import intree_backend
get_requires_for_build_wheel = intree_backend.get_requires_for_build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    start = time.time()
    time.sleep(1.5)
    with open(config_settings["log"], "a") as f:
        f.write("%f %f\n" % (start, time.time()))
    return intree_backend.build_wheel(wheel_directory, config_settings, metadata_directory)
"#;

/// Runs two slow builds at once under `bound`; returns their intervals.
async fn two_builds(bound: usize) -> Vec<(f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut projects = Vec::new();
    for name in ["one", "two"] {
        let project = dir.path().join(name);
        in_tree_project(&project);
        write_tree(
            &project,
            &[
                ("backend/slow_backend.py", SLOW_BACKEND),
                (
                    "pyproject.toml",
                    &PYPROJECT.replace("intree_backend", "slow_backend"),
                ),
            ],
        );
        projects.push(BuildSource::directory(project));
    }
    let mut options = BuildOptions {
        max_concurrent_builds: bound,
        ..BuildOptions::default()
    };
    options.config_settings.push("log", log.to_string_lossy());
    let frontend = frontend(dir.path(), VenvEnvironments::shared(), options);
    let (a, b) = tokio::join!(frontend.build(&projects[0]), frontend.build(&projects[1]));
    a.unwrap();
    b.unwrap();
    std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| {
            let (start, end) = line.split_once(' ').unwrap();
            (start.parse().unwrap(), end.parse().unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn builds_run_concurrently_up_to_the_bound() {
    let overlaps = |v: &[(f64, f64)]| v[0].0 < v[1].1 && v[1].0 < v[0].1;
    let serial = two_builds(1).await;
    assert_eq!(serial.len(), 2);
    assert!(!overlaps(&serial), "bound 1 must serialise: {serial:?}");
    let parallel = two_builds(2).await;
    assert!(overlaps(&parallel), "bound 2 lets both run: {parallel:?}");
}

/// The binary runs builds on a multi-threaded runtime (`tokio::spawn`).
#[test]
fn build_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let frontend = frontend(dir.path(), NoEnvironments, BuildOptions::default());
    let source = BuildSource::directory(dir.path());
    send(&frontend.build(&source));
    send(&frontend.metadata(&source));
}

/// Remembers what it was told, in order.
#[derive(Debug, Default)]
struct Recorder {
    events: std::sync::Mutex<Vec<String>>,
}

impl BuildReporter for Recorder {
    fn on_build_start(&self, label: &BuildLabel, stage: BuildStage) -> usize {
        let mut events = self.events.lock().unwrap();
        events.push(format!("start {stage:?} {label}"));
        events.len()
    }

    fn on_build_finish(&self, id: usize, succeeded: bool) {
        let mut events = self.events.lock().unwrap();
        events.push(format!("finish {id} {succeeded}"));
    }

    fn on_shared_cache(&self, label: &BuildLabel, event: posy_build::SharedCacheEvent) {
        let mut events = self.events.lock().unwrap();
        events.push(format!("shared {event:?} {label}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_build_that_does_work_is_reported_once_with_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = std::sync::Arc::new(Recorder::default());
    let options = BuildOptions {
        isolation: Isolation::Shared,
        reporter: Some(recorder.clone()),
        ..BuildOptions::default()
    };
    let frontend = frontend(dir.path(), NoEnvironments, options);
    // An sdist stored under a hashed name is labelled from its PKG-INFO.
    let sdist = dir.path().join("0123abcd");
    let pkg_info = "Metadata-Version: 2.1\nName: intree\nVersion: 0.5\n";
    make_sdist(
        &sdist,
        "intree-0.5",
        &[
            ("pyproject.toml", PYPROJECT),
            ("backend/intree_backend.py", BACKEND),
            ("intree.py", "VALUE = 5\n"),
            ("PKG-INFO", pkg_info),
        ],
    );
    let source = BuildSource::sdist(&sdist);
    frontend.build(&source).await.unwrap();
    frontend.build(&source).await.unwrap();
    frontend.metadata(&source).await.unwrap();
    assert_eq!(
        *recorder.events.lock().unwrap(),
        ["start Wheel intree==0.5", "finish 1 true"],
        "cache hits are not reported"
    );

    // A failed build is reported as such; a project directory by its path.
    let project = dir.path().join("broken");
    write_tree(
        &project,
        &[
            (
                "pyproject.toml",
                &format!("{PYPROJECT}[project]\nname = \"Broken\"\nversion = \"1\"\n"),
            ),
            (
                "backend/intree_backend.py",
                "def build_wheel(*a, **k):\n    raise SystemExit(3)\n",
            ),
        ],
    );
    frontend
        .build(&BuildSource::directory(&project))
        .await
        .unwrap_err();
    let events = recorder.events.lock().unwrap();
    assert_eq!(
        events[2..],
        [
            format!(
                "start Wheel broken @ file://{}",
                project.canonicalize().unwrap().display()
            ),
            "finish 3 false".to_string()
        ]
    );
}

/// [`BACKEND`] with a metadata hook.
const BACKEND_WITH_METADATA: &str = r#"
import os
from intree_backend import get_requires_for_build_wheel, build_wheel

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, "intree-0.5.dist-info")
    os.makedirs(dist_info)
    with open(os.path.join(dist_info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: intree\nVersion: 0.5\n")
    return "intree-0.5.dist-info"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_build_after_a_metadata_hook_does_not_ask_for_requirements_again() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("intree");
    in_tree_project(&project);
    write_tree(
        &project,
        &[
            ("backend/with_metadata.py", BACKEND_WITH_METADATA),
            (
                "pyproject.toml",
                &PYPROJECT.replace("\"intree_backend\"", "\"with_metadata\""),
            ),
        ],
    );
    let envs = VenvEnvironments::shared();
    let frontend = frontend(dir.path(), envs.clone(), BuildOptions::default());
    let source = BuildSource::directory(&project);
    let meta = frontend.metadata(&source).await.unwrap();
    assert_eq!(meta.origin, MetadataOrigin::PrepareMetadataHook);
    assert_eq!(frontend.hook_runs(), 2, "get_requires, prepare_metadata");
    frontend.build(&source).await.unwrap();
    assert_eq!(frontend.hook_runs(), 3, "then build_wheel only");
}
