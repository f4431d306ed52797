//! The engine without the command line: a Brief resolved into a Blueprint
//! against a real local index, the Blueprint written as `pylock.toml` and
//! read back, and applied to a real virtual environment.

use std::path::Path;

use posy_ops::{
    Blueprint, Brief, BriefInputs, Env, EnvRequest, IndexSettings, Placement, ResolveOptions,
    Session, SyncOptions, TargetRequest, apply_blueprint, resolve_brief,
};
use posy_project::{PackageSource, Pylock};
use posy_python::{DiscoveryEnv, OnExisting, ProbeCache, PythonRequest, VenvOptions};
use posy_testkit::{Index, Package};

fn index() -> Index {
    Index::new()
        .package(Package::new("app", "1.0").file("app.py", "").dep("lib>=1"))
        .package(Package::new("lib", "1.0").file("lib.py", "V = 1\n"))
        .package(Package::new("lib", "2.0").file("lib.py", "V = 2\n"))
}

fn venv(dir: &Path, cache: &Path) -> std::path::PathBuf {
    let env = DiscoveryEnv::from_process().unwrap();
    let python =
        posy_python::find_interpreter(&PythonRequest::Any, &env, &ProbeCache::new(cache)).unwrap();
    let options = VenvOptions {
        prompt: None,
        system_site_packages: false,
        on_existing: OnExisting::Refuse,
        command: None,
        posy_version: "test".into(),
    };
    posy_python::create_venv(&python, &dir.join("env"), &options)
        .unwrap()
        .python
}

#[test]
fn a_brief_resolves_to_a_blueprint_that_installs_without_the_index() {
    let server = index().serve();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let session = Session::open(cache.clone(), None).unwrap();
    let brief = Brief::read(&BriefInputs {
        requirements: vec!["app".into()],
        ..BriefInputs::default()
    })
    .unwrap();
    let options = ResolveOptions {
        index: IndexSettings {
            index_url: Some(server.url()),
            ..IndexSettings::default()
        },
        target: TargetRequest::default(),
        ..ResolveOptions::default()
    };
    let blueprint = resolve_brief(&session, brief, &options).unwrap().blueprint;

    let lock = &blueprint.lock;
    let pins: Vec<String> = lock
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version.as_ref().unwrap()))
        .collect();
    assert_eq!(pins, ["app==1.0", "lib==2.0"]);
    let app = &lock.packages[0];
    assert_eq!(app.dependencies[0].name.as_str(), "lib");
    assert_eq!(
        app.index.as_deref(),
        Some(server.url().trim_end_matches('/'))
    );
    let PackageSource::Registry { wheels, .. } = &app.source else {
        panic!("{:?}", app.source);
    };
    let served = server.artifact("app-1.0-py3-none-any.whl").unwrap();
    assert_eq!(wheels[0].hashes[0].hex(), served.sha256());
    assert!(blueprint.notes[0].requested && !blueprint.notes[1].requested);

    // pylock.toml on disk is the same Blueprint.
    let text = lock.to_toml();
    let read = Pylock::parse(&text, Path::new("pylock.toml")).unwrap();
    assert_eq!(read.to_toml(), text);

    // Applied with the index gone: every artifact comes from the lock's
    // URLs (the server still answers file downloads) and nothing asks
    // for a project page.
    let python = venv(dir.path(), &cache);
    let env = Env::find(
        &EnvRequest {
            python: Some(python.display().to_string()),
            system: false,
        },
        &Placement::Environment,
        &cache,
    )
    .unwrap();
    server.clear_requests();
    let sync = SyncOptions {
        index: IndexSettings {
            index_url: Some("http://127.0.0.1:9/simple".into()),
            ..IndexSettings::default()
        },
        remove_extraneous: true,
        ..SyncOptions::default()
    };
    apply_blueprint(
        &session,
        &env,
        &Blueprint::from_lock(read),
        dir.path(),
        &sync,
    )
    .unwrap();
    let installed: Vec<String> = env
        .installed()
        .unwrap()
        .iter()
        .map(|d| format!("{}=={}", d.name, d.version))
        .collect();
    assert_eq!(installed, ["app==1.0", "lib==2.0"]);
    assert!(
        server.requests().iter().all(|r| r.path().ends_with(".whl")),
        "{:?}",
        server.requests()
    );
}
