//! Real package index servers for the tests of `posy publish` and the
//! shared build cache: pypiserver and devpi-server, from the public index,
//! in one venv per machine, each server started on 127.0.0.1 with its own
//! state directory and stopped when dropped.
//!
//! The venv is `$POSY_TEST_SERVERS` (`.ci/run` makes it), else
//! `/tmp/posy-ci-servers`; when it lacks the servers they are installed
//! into it once per test run (which needs the public index). A failure
//! to install is a test failure that says so, not a skip.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const PACKAGES: &[&str] = &["pypiserver>=2.4", "passlib", "devpi-server", "devpi-client"];

/// The venv holding the servers, installed into once if needed.
pub fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let venv = std::env::var_os("POSY_TEST_SERVERS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp/posy-ci-servers"));
        let ready = ["pypi-server", "devpi-server", "devpi-init", "devpi"]
            .iter()
            .all(|bin| venv.join("bin").join(bin).is_file());
        if !ready {
            if !venv.join("bin/pip").is_file() {
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            }
            run(Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(PACKAGES));
        }
        venv
    })
}

#[track_caller]
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed (the server tests need {PACKAGES:?} from the public index, or POSY_TEST_SERVERS naming a venv with them):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `path` on `port` answers 200 (or panics with the log).
fn wait_for(port: u16, path: &str, child: &mut Child, log: &Path, within: Duration) {
    let start = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.")
                && answer.split(' ').nth(1) == Some("200")
            {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "the server exited ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < within,
            "the server did not answer {path} within {within:?}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running server; killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    /// Its state: packages (pypiserver) or server directory (devpi).
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// GETs `path` and waits for the answer, however long it takes: a
    /// cold devpi mirror loads the public index's project list on its first
    /// request (tens of seconds) and answers 404 to requests racing it.
    pub fn warm(&self, path: &str) {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.split(' ').nth(1) == Some("200"),
            "{path}: {}",
            answer.lines().next().unwrap_or_default()
        );
    }

    /// pypiserver's served files, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("packages"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

/// pypiserver serving an empty directory; anyone may upload, or only
/// `user` with `password` when given.
pub fn pypiserver(credentials: Option<(&str, &str)>) -> Server {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let packages = dir.path().join("packages");
    std::fs::create_dir(&packages).unwrap();
    let port = free_port();
    let mut command = Command::new(venv.join("bin/pypi-server"));
    command.args(["run", "-i", "127.0.0.1", "-p", &port.to_string()]);
    match credentials {
        None => {
            command.args(["-a", ".", "-P", "."]);
        }
        Some((user, password)) => {
            let htpasswd = dir.path().join("htpasswd");
            run(Command::new(venv.join("bin/python")).args([
                "-c",
                "import sys; from passlib.apache import HtpasswdFile as H; h = H(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
                htpasswd.to_str().unwrap(),
                user,
                password,
            ]));
            command.args(["-a", "update", "-P"]).arg(&htpasswd);
        }
    }
    let log = dir.path().join("server.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut child = command
        .arg(&packages)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    wait_for(port, "/simple/", &mut child, &log, Duration::from_secs(30));
    Server { child, port, dir }
}

/// devpi-server with `root`'s password `password` and an empty index
/// `root/dev` (no bases). With `offline`, its `root/pypi` mirror never
/// asks the public index.
pub fn devpi(password: &str, offline: bool) -> Server {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let server_dir = dir.path().join("server");
    run(Command::new(venv.join("bin/devpi-init"))
        .arg("--serverdir")
        .arg(&server_dir)
        .args(["--root-passwd", password]));
    let port = free_port();
    let log = dir.path().join("server.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut command = Command::new(venv.join("bin/devpi-server"));
    command.arg("--serverdir").arg(&server_dir).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    if offline {
        command.arg("--offline-mode");
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    wait_for(port, "/+api", &mut child, &log, Duration::from_secs(60));
    let client_dir = dir.path().join("client");
    let devpi = |args: &[&str]| {
        run(Command::new(venv.join("bin/devpi"))
            .arg("--clientdir")
            .arg(&client_dir)
            .args(args));
    };
    devpi(&["use", &format!("http://127.0.0.1:{port}/")]);
    devpi(&["login", "root", "--password", password]);
    devpi(&["index", "-c", "dev", "bases="]);
    Server { child, port, dir }
}
