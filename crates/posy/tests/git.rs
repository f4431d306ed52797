//! Git requirements end to end, against repositories the tests make: a
//! branch, a tag, a short commit and a subdirectory resolved to full
//! commits; compiled, locked, installed with PEP 610 `vcs_info`; installed
//! again from the store with the repository gone; kept at its commit by a
//! later compile until upgraded; read back from a `pylock.toml`; reached
//! through `file://` and through `git daemon` on 127.0.0.1; each bad
//! input said clearly; `[tool.posy.sources]` git, path and url entries;
//! and, against the reference uv (`POSY_REF_UV`), the same pins,
//! `pylock.toml` `vcs` entries and `direct_url.json` as uv's.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::World;
use posy_testkit::{Index, Package};

/// A git repository made by the test, committing as it goes.
struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn init(dir: PathBuf) -> Repo {
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git is installed (CI installs it)");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Writes a project `name` at `version` into `sub` (the root when
    /// empty) and commits; returns the commit id.
    fn commit_project(&self, sub: &str, name: &str, version: &str, deps: &[&str]) -> String {
        write_project(&self.dir.join(sub), name, version, deps);
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", version]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }
}

/// Writes a project `name` at `version`, built by [`common::IN_TREE_BACKEND`], into `dir`.
fn write_project(dir: &Path, name: &str, version: &str, deps: &[&str]) {
    {
        std::fs::create_dir_all(dir.join("backend")).unwrap();
        let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        std::fs::write(
            dir.join("pyproject.toml"),
            format!(
                "[build-system]\nrequires = []\nbuild-backend = \"git_backend\"\nbackend-path = [\"backend\"]\n\n\
                 [project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{}]\n",
                deps.join(", ")
            ),
        )
        .unwrap();
        std::fs::write(dir.join("backend/git_backend.py"), common::IN_TREE_BACKEND).unwrap();
        std::fs::write(dir.join(format!("{name}.py")), format!("V = '{version}'\n")).unwrap();
    }
}

fn index() -> Index {
    Index::new().package(Package::new("dep", "1.0").file("dep.py", ""))
}

fn direct_url(env: &common::Env, dist_info: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(env.site_packages().join(dist_info).join("direct_url.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_branch_is_pinned_to_its_commit_locked_installed_and_frozen() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    repo.commit_project("", "gitpkg", "1.0", &["dep"]);
    repo.git(&["tag", "v1.0"]);
    let head = repo.commit_project("", "gitpkg", "2.0", &["dep"]);
    let url = repo.url();
    world.write("req.in", &format!("gitpkg @ git+{url}@main\n"));

    world.pip_ok(&["compile", "req.in", "-o", "req.txt", "--no-header"]);
    let pinned = format!("gitpkg @ git+{url}@{head}");
    assert!(
        world.read("req.txt").contains(&pinned),
        "{}",
        world.read("req.txt")
    );
    assert!(world.read("req.txt").contains("dep==1.0"));

    world.pip_ok(&["compile", "req.in", "-o", "pylock.toml"]);
    let lock = world.read("pylock.toml");
    assert!(
        lock.contains(&format!(
            "vcs = {{ type = \"git\", url = \"{url}\", requested-revision = \"main\", commit-id = \"{head}\" }}"
        )),
        "{lock}"
    );

    let env = world.venv("env");
    world.pip_ok(&["sync", "req.txt", "--python", env.arg()]);
    assert_eq!(env.python_ok("import gitpkg; print(gitpkg.V)"), "2.0");
    let info = direct_url(&env, "gitpkg-2.0.dist-info");
    assert_eq!(info["url"], url.as_str());
    assert_eq!(info["vcs_info"]["vcs"], "git");
    assert_eq!(info["vcs_info"]["commit_id"], head.as_str());
    let freeze = world.pip_ok(&["freeze", "--python", env.arg()]);
    assert!(freeze.stdout.contains(&pinned), "{}", freeze.stdout);

    // The lock installs too, with the requested revision recorded.
    let locked = world.venv("locked");
    world.pip_ok(&["sync", "pylock.toml", "--python", locked.arg()]);
    let info = direct_url(&locked, "gitpkg-2.0.dist-info");
    assert_eq!(info["vcs_info"]["requested_revision"], "main");
    assert_eq!(info["vcs_info"]["commit_id"], head.as_str());
}

#[test]
fn tags_short_commits_and_subdirectories() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    let first = repo.commit_project("", "gitpkg", "1.0", &[]);
    repo.git(&["tag", "v1.0"]);
    repo.commit_project("", "gitpkg", "2.0", &[]);
    let sub = repo.commit_project("libs/inner", "inner", "3.0", &[]);
    let url = repo.url();
    world.write(
        "req.in",
        &format!(
            "gitpkg @ git+{url}@v1.0\ninner @ git+{url}@{}#subdirectory=libs/inner\n",
            &sub[..10]
        ),
    );
    world.pip_ok(&["compile", "req.in", "-o", "req.txt", "--no-header"]);
    let text = world.read("req.txt");
    assert!(
        text.contains(&format!("gitpkg @ git+{url}@{first}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("inner @ git+{url}@{sub}#subdirectory=libs/inner")),
        "{text}"
    );
    let env = world.venv("env");
    world.pip_ok(&["sync", "req.txt", "--python", env.arg()]);
    assert_eq!(
        env.python_ok("import gitpkg, inner; print(gitpkg.V, inner.V)"),
        "1.0 3.0"
    );
    let info = direct_url(&env, "inner-3.0.dist-info");
    assert_eq!(info["subdirectory"], "libs/inner");
}

#[test]
fn a_locked_commit_installs_again_from_the_store_without_the_repository() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    let head = repo.commit_project("", "gitpkg", "1.0", &[]);
    let url = repo.url();
    world.write("req.txt", &format!("gitpkg @ git+{url}@{head}\n"));
    let env = world.venv("env");
    world.pip_ok(&["sync", "req.txt", "--python", env.arg()]);
    // The repository is gone: the commit is in the store, checked out and built.
    std::fs::rename(&repo.dir, world.root.join("moved")).unwrap();
    let again = world.venv("again");
    let run = world.pip_ok(&["sync", "req.txt", "--python", again.arg()]);
    assert!(!run.stderr.contains("Building"), "{}", run.stderr);
    assert_eq!(again.python_ok("import gitpkg; print(gitpkg.V)"), "1.0");
}

/// The commit `gitpkg` is pinned to in a `requirements.txt` or `pylock.toml`.
fn pinned_commit(text: &str) -> String {
    let after = text
        .split_once("gitpkg @ git+")
        .map(|(_, rest)| rest.split_once('@').map_or("", |(_, c)| c))
        .or_else(|| text.split_once("commit-id = \"").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no gitpkg pin in:\n{text}"));
    after.chars().take_while(char::is_ascii_hexdigit).collect()
}

#[test]
fn a_later_compile_keeps_the_locked_commit_until_the_package_is_upgraded() {
    let index = index().serve();
    let world = World::with_index(&index);
    for output in ["req.txt", "pylock.toml"] {
        let repo = Repo::init(world.root.join(format!("repo-{output}")));
        let first = repo.commit_project("", "gitpkg", "1.0", &[]);
        repo.git(&["tag", "v1.0"]);
        let url = repo.url();
        world.write("req.in", &format!("gitpkg @ git+{url}@main\n"));
        let compile = |extra: &[&str]| {
            let mut args = vec!["compile", "req.in", "-o", output];
            args.extend_from_slice(extra);
            world.pip_ok(&args);
            pinned_commit(&world.read(output))
        };
        assert_eq!(compile(&[]), first, "{output}");

        // The branch moves on: the lock keeps its commit, which is still on it.
        let second = repo.commit_project("", "gitpkg", "1.1", &[]);
        assert_eq!(compile(&[]), first, "{output}");
        // Upgrading another package keeps it too.
        assert_eq!(compile(&["--upgrade-package", "dep"]), first, "{output}");
        assert_eq!(
            compile(&["--upgrade-package", "gitpkg"]),
            second,
            "{output}"
        );
        assert_eq!(compile(&[]), second, "{output}");
        let third = repo.commit_project("", "gitpkg", "1.2", &[]);
        assert_eq!(compile(&["--upgrade"]), third, "{output}");
        let env = world.venv(&format!("env-{output}"));
        world.pip_ok(&["sync", output, "--python", env.arg()]);
        assert_eq!(env.python_ok("import gitpkg; print(gitpkg.V)"), "1.2");

        // The branch is rewritten: the locked commit is no longer on it.
        repo.git(&["reset", "--quiet", "--hard", &second]);
        let rewritten = repo.commit_project("", "gitpkg", "1.3", &[]);
        assert_eq!(compile(&[]), rewritten, "{output}");
        // The requirement now names a tag: its commit, whatever was locked.
        world.write("req.in", &format!("gitpkg @ git+{url}@v1.0\n"));
        assert_eq!(compile(&[]), first, "{output}");
    }
}

#[test]
fn a_pylock_vcs_entry_is_written_read_back_and_installed() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    repo.commit_project("", "gitpkg", "1.0", &[]);
    let head = repo.commit_project("libs/inner", "inner", "3.0", &["dep"]);
    let url = repo.url();
    world.write(
        "req.in",
        &format!("inner @ git+{url}@main#subdirectory=libs/inner\n"),
    );
    world.pip_ok(&["compile", "req.in", "-o", "pylock.toml"]);
    let lock = world.read("pylock.toml");
    let entry = format!(
        "[[packages]]\nname = \"inner\"\nversion = \"3.0\"\n\
         dependencies = [{{ name = \"dep\" }}]\n\
         vcs = {{ type = \"git\", url = \"{url}\", requested-revision = \"main\", \
         commit-id = \"{head}\", subdirectory = \"libs/inner\" }}\n"
    );
    assert!(lock.contains(&entry), "{lock}");

    // Read back: installed at the locked commit with the requested
    // revision and the subdirectory recorded (PEP 610), though the branch
    // has moved on since.
    repo.commit_project("libs/inner", "inner", "3.1", &["dep"]);
    let env = world.venv("env");
    world.pip_ok(&["sync", "pylock.toml", "--python", env.arg()]);
    assert_eq!(
        env.dist_infos(),
        ["dep-1.0.dist-info", "inner-3.0.dist-info"]
    );
    let info = direct_url(&env, "inner-3.0.dist-info");
    assert_eq!(
        info,
        serde_json::json!({
            "url": url,
            "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": head},
            "subdirectory": "libs/inner",
        })
    );
    // And read back as the preferences of the next lock.
    world.pip_ok(&["compile", "req.in", "-o", "pylock.toml"]);
    assert_eq!(world.read("pylock.toml"), lock);
}

#[test]
fn tool_posy_sources_point_a_projects_dependencies_at_git_and_paths() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    let first = repo.commit_project("", "gitpkg", "1.0", &[]);
    repo.git(&["tag", "v1.0"]);
    repo.commit_project("", "gitpkg", "2.0", &[]);
    let inner = repo.commit_project("libs/inner", "inner", "3.0", &["dep"]);
    let url = repo.url();
    write_project(&world.root.join("app/local"), "local", "0.5", &[]);
    let wheel = index.file_url("dep-1.0-py3-none-any.whl");
    let pyproject = |gitpkg_source: &str| {
        world.write(
            "app/pyproject.toml",
            &format!(
                "[project]\nname = \"app\"\nversion = \"0.1\"\ndependencies = [\"gitpkg>=1\", \"local\", \"dep\"]\n\
                 [project.optional-dependencies]\nextra = [\"inner\"]\n\
                 [dependency-groups]\ndev = [\"inner\"]\n\
                 [tool.posy.sources]\n\
                 gitpkg = {gitpkg_source}\n\
                 inner = {{ git = \"{url}\", branch = \"main\", subdirectory = \"libs/inner\" }}\n\
                 local = {{ path = \"local\", editable = true }}\n\
                 dep = {{ url = \"{wheel}\" }}\n"
            ),
        );
    };
    pyproject(&format!("{{ git = \"{url}\", tag = \"v1.0\" }}"));

    world.pip_ok(&[
        "compile",
        "app/pyproject.toml",
        "--extra",
        "extra",
        "-o",
        "req.txt",
        "--no-header",
        "--no-annotate",
    ]);
    assert_eq!(
        world.read("req.txt"),
        format!(
            "dep @ {wheel}\ngitpkg @ git+{url}@{first}\ninner @ git+{url}@{inner}#subdirectory=libs/inner\n-e ./app/local\n"
        )
    );

    let env = world.venv("env");
    world.pip_ok(&[
        "install",
        "-r",
        "app/pyproject.toml",
        "--group",
        "dev",
        "--python",
        env.arg(),
    ]);
    assert_eq!(
        env.python_ok("import gitpkg, inner, local; print(gitpkg.V, inner.V, local.V)"),
        "1.0 3.0 0.5"
    );
    let info = direct_url(&env, "gitpkg-1.0.dist-info");
    assert_eq!(info["vcs_info"]["requested_revision"], "v1.0");
    assert_eq!(info["vcs_info"]["commit_id"], first.as_str());
    assert_eq!(direct_url(&env, "dep-1.0.dist-info")["url"], wheel.as_str());
    let info = direct_url(&env, "local-0.5.dist-info");
    assert_eq!(info["dir_info"]["editable"], true);
    // Editable: a change shows without reinstalling (a different size, so
    // the bytecode cache cannot hide it).
    std::fs::write(world.root.join("app/local/local.py"), "V = 'changed'\n").unwrap();
    assert_eq!(env.python_ok("import local; print(local.V)"), "changed");

    // `--no-sources-package` / `--no-sources`: the requirement as written.
    let run = world.pip_ok(&[
        "compile",
        "app/pyproject.toml",
        "--no-header",
        "--no-sources-package",
        "dep",
    ]);
    assert!(
        run.stdout.lines().any(|l| l == "dep==1.0"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("gitpkg @ git+"), "{}", run.stdout);
    let run = world.pip(&["compile", "app/pyproject.toml", "--no-sources"]);
    let stderr = common::stderr(&run);
    assert!(!run.status.success());
    assert!(stderr.contains("gitpkg"), "{stderr}");

    // A short commit as `rev`.
    pyproject(&format!("{{ git = \"{url}\", rev = \"{}\" }}", &first[..8]));
    let run = world.pip_ok(&["compile", "app/pyproject.toml", "--no-header"]);
    assert!(
        run.stdout.contains(&format!("gitpkg @ git+{url}@{first}")),
        "{}",
        run.stdout
    );

    // A bad entry is named.
    pyproject(&format!(
        "{{ git = \"{url}\", tag = \"v1.0\", branch = \"main\" }}"
    ));
    let run = world.pip(&["compile", "app/pyproject.toml"]);
    let stderr = common::stderr(&run);
    assert!(!run.status.success());
    assert!(
        stderr.contains(
            "app/pyproject.toml: `tool.posy.sources.gitpkg`: give one of `tag`, `branch` and `rev`, not `tag` and `branch`"
        ),
        "{stderr}"
    );
}

/// `git daemon` serving `base` on 127.0.0.1, stopped when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn serve(base: &Path) -> Daemon {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The daemon itself, not the `git daemon` wrapper, so that killing
        // the child stops the server.
        let exec_path = Command::new("git").arg("--exec-path").output().unwrap();
        let exec_path = String::from_utf8_lossy(&exec_path.stdout).trim().to_owned();
        let child = Command::new(Path::new(&exec_path).join("git-daemon"))
            .arg(format!("--base-path={}", base.display()))
            .args(["--export-all", "--reuseaddr", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(base)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Daemon { child, port }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_repository_served_by_git_daemon_installs() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("served/repo"));
    let head = repo.commit_project("", "gitpkg", "1.0", &["dep"]);
    let daemon = Daemon::serve(&world.root.join("served"));
    let url = format!("git://127.0.0.1:{}/repo", daemon.port);
    let env = world.venv("env");
    world.pip_ok(&[
        "install",
        &format!("gitpkg @ git+{url}"),
        "--python",
        env.arg(),
    ]);
    assert_eq!(
        env.dist_infos(),
        ["dep-1.0.dist-info", "gitpkg-1.0.dist-info"]
    );
    assert_eq!(
        direct_url(&env, "gitpkg-1.0.dist-info")["vcs_info"]["commit_id"],
        head.as_str()
    );
}

#[test]
fn bad_git_inputs_are_said_clearly_and_leave_nothing_behind() {
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    repo.commit_project("", "gitpkg", "1.0", &[]);
    std::fs::create_dir_all(repo.dir.join("empty")).unwrap();
    std::fs::write(repo.dir.join("empty/README"), "nothing\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "--quiet", "-m", "empty dir"]);
    let url = repo.url();
    let env = world.venv("env");
    let missing = format!("file://{}/nowhere", world.root.display());
    for (requirement, says) in [
        (format!("x @ git+{missing}"), "cannot clone"),
        (
            format!("gitpkg @ git+{url}@no-such-branch"),
            "has no branch, tag or commit `no-such-branch`",
        ),
        (
            format!("gitpkg @ git+{url}#subdirectory=empty"),
            "no `empty` holding a Python project",
        ),
        (
            "gitpkg @ git+ftp://example.invalid/r.git".to_string(),
            "scheme `ftp`",
        ),
    ] {
        let run = world.pip(&["install", &requirement, "--python", env.arg()]);
        let stderr = common::stderr(&run);
        assert!(!run.status.success(), "{requirement}: {stderr}");
        assert!(stderr.contains(says), "{requirement}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(env.dist_infos().is_empty());
    // No half-cloned repository is left in the store.
    let db = world.cache().join("v1/git/db");
    let leftovers: Vec<_> = std::fs::read_dir(&db)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Without git on PATH.
    let args = world.pip_args(&[
        "install",
        &format!("gitpkg @ git+{url}"),
        "--python",
        env.arg(),
    ]);
    let run = world
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .env("PATH", world.root.join("no-bin"))
        .output()
        .unwrap();
    let stderr = common::stderr(&run);
    assert!(!run.status.success());
    assert!(
        stderr.contains("no `git` command was found on PATH"),
        "{stderr}"
    );
}

/// The reference uv (`POSY_REF_UV`; `.ci/run` installs uv 0.13.8 and sets
/// it). Without it the comparison fails rather than passing unchecked.
fn reference_uv() -> PathBuf {
    let uv = std::env::var_os("POSY_REF_UV")
        .map(PathBuf::from)
        .filter(|p| p.exists());
    uv.expect("this test compares with uv: set POSY_REF_UV to a uv binary (see .ci/run)")
}

/// `uv ARGS` in the world, with its own cache and no user configuration;
/// must succeed. Returns stdout.
fn uv(uv: &Path, world: &World, args: &[&str]) -> String {
    let output = Command::new(uv)
        .args(args)
        .args(["--no-config", "--cache-dir"])
        .arg(world.root.join("uv-cache"))
        .current_dir(&world.root)
        .env_remove("VIRTUAL_ENV")
        .env_remove("UV_INDEX_URL")
        .env_remove("UV_EXTRA_INDEX_URL")
        .env_remove("UV_PYTHON")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "uv {args:?}: {}",
        common::stderr(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The requirement lines of a `requirements.txt`, sorted.
fn requirement_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// The name, version and `vcs` table of each package of a `pylock.toml`
/// that has one.
fn vcs_entries(lock: &str) -> Vec<(String, String, toml::Value)> {
    let lock: toml::Table = toml::from_str(lock).unwrap();
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_owned(),
                p["version"].as_str()?.to_owned(),
                p.get("vcs")?.clone(),
            ))
        })
        .collect()
}

/// Every `direct_url.json` of an environment, by distribution.
fn direct_urls(env: &common::Env) -> Vec<(String, serde_json::Value)> {
    env.dist_infos()
        .into_iter()
        .filter(|d| env.site_packages().join(d).join("direct_url.json").exists())
        .map(|d| {
            let info = direct_url(env, &d);
            (d, info)
        })
        .collect()
}

#[test]
#[ignore = "needs POSY_REF_UV (a uv binary to compare with); CI runs it with --include-ignored"]
fn pins_and_direct_url_json_equal_uvs() {
    let uv_bin = reference_uv();
    let index = index().serve();
    let world = World::with_index(&index);
    let repo = Repo::init(world.root.join("repo"));
    repo.commit_project("", "gitpkg", "1.0", &["dep"]);
    repo.git(&["tag", "v1.0"]);
    repo.commit_project("", "gitpkg", "2.0", &["dep"]);
    repo.commit_project("libs/inner", "inner", "3.0", &[]);
    let other = Repo::init(world.root.join("other"));
    let short = other.commit_project("", "other", "0.1", &[]);
    other.commit_project("", "other", "0.2", &[]);
    let plain = Repo::init(world.root.join("plain"));
    plain.commit_project("", "plain", "5.0", &[]);
    let (url, other_url, plain_url) = (repo.url(), other.url(), plain.url());
    world.write(
        "req.in",
        &format!(
            "gitpkg @ git+{url}@v1.0\n\
             inner @ git+{url}@main#subdirectory=libs/inner\n\
             other @ git+{other_url}@{}\n\
             plain @ git+{plain_url}\n",
            &short[..9]
        ),
    );
    let index_url = index.url();
    let python = world.venv("python");
    let python = python.bin("python");
    let python = python.to_str().unwrap();

    // The pins.
    world.pip_ok(&[
        "compile",
        "req.in",
        "-o",
        "posy.txt",
        "--no-header",
        "--no-annotate",
    ]);
    uv(
        &uv_bin,
        &world,
        &[
            "pip",
            "compile",
            "req.in",
            "-o",
            "uv.txt",
            "--no-header",
            "--no-annotate",
            "--index-url",
            &index_url,
            "--python",
            python,
        ],
    );
    let pins = requirement_lines(&world.read("posy.txt"));
    assert_eq!(pins, requirement_lines(&world.read("uv.txt")));
    assert_eq!(pins.len(), 5, "{pins:?}");

    // The PEP 751 `vcs` entries.
    world.pip_ok(&["compile", "req.in", "-o", "pylock.posy.toml"]);
    uv(
        &uv_bin,
        &world,
        &[
            "pip",
            "compile",
            "req.in",
            "-o",
            "pylock.uv.toml",
            "--index-url",
            &index_url,
            "--python",
            python,
        ],
    );
    let vcs = vcs_entries(&world.read("pylock.posy.toml"));
    assert_eq!(vcs, vcs_entries(&world.read("pylock.uv.toml")));
    assert_eq!(vcs.len(), 4, "{vcs:?}");

    // `direct_url.json`, installing the requirements as asked (a revision
    // recorded as requested) and as pinned.
    for requirements in ["req.in", "posy.txt"] {
        let posy_env = world.venv(&format!("posy-{requirements}"));
        world.pip_ok(&["install", "-r", requirements, "--python", posy_env.arg()]);
        let uv_env = world.venv(&format!("uv-{requirements}"));
        uv(
            &uv_bin,
            &world,
            &[
                "pip",
                "install",
                "-r",
                requirements,
                "--index-url",
                &index_url,
                "--python",
                uv_env.arg(),
            ],
        );
        let ours = direct_urls(&posy_env);
        assert_eq!(ours, direct_urls(&uv_env), "{requirements}");
        assert_eq!(ours.len(), 4, "{requirements}: {ours:?}");
    }

    // `[tool.posy.sources]` read as uv reads `[tool.uv.sources]`.
    let sources = format!(
        "gitpkg = {{ git = \"{url}\", tag = \"v1.0\" }}\n\
         inner = {{ git = \"{url}\", branch = \"main\", subdirectory = \"libs/inner\" }}\n\
         other = {{ git = \"{other_url}\", rev = \"{}\" }}\n\
         plain = {{ git = \"{plain_url}\" }}\n",
        &short[..9]
    );
    world.write(
        "app/pyproject.toml",
        &format!(
            "[project]\nname = \"app\"\nversion = \"0.1\"\n\
             dependencies = [\"gitpkg\", \"inner\", \"other\", \"plain\"]\n\n\
             [tool.posy.sources]\n{sources}\n[tool.uv.sources]\n{sources}"
        ),
    );
    let ours = world.pip_ok(&[
        "compile",
        "app/pyproject.toml",
        "--no-header",
        "--no-annotate",
    ]);
    let theirs = uv(
        &uv_bin,
        &world,
        &[
            "pip",
            "compile",
            "app/pyproject.toml",
            "--no-header",
            "--no-annotate",
            "--index-url",
            &index_url,
            "--python",
            python,
        ],
    );
    assert_eq!(requirement_lines(&ours.stdout), requirement_lines(&theirs));
    assert_eq!(requirement_lines(&ours.stdout), pins);
}
