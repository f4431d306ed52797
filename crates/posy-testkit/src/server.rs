//! A running test index: a real HTTP server on 127.0.0.1.
//!
//! The server listens on a random port and runs on its own thread with its
//! own single-threaded tokio runtime, so a test may be synchronous or async
//! (even on a current-thread runtime) and still talk to it. Binding happens
//! before `serve` returns, so the URL works at once. Dropping the
//! [`IndexServer`] stops the accept loop and every open connection, and
//! joins the thread.
//!
//! While it runs, a test can read the request log, add or clear fault rules,
//! and publish or yank files — "a new release appears", "the file is yanked
//! after the lock was written".

use crate::catalog::Catalog;
use crate::fault::{self, FaultRule};
use crate::http1::{self, ReadError, Request, Response};
use crate::index::Settings;
use crate::request_log::LoggedRequest;
use crate::responder::{self, Reply, Shared, lock};
use crate::{Artifact, Error, Package};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A served index; stops when dropped.
#[derive(Debug)]
pub struct IndexServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl IndexServer {
    pub(crate) fn start(
        catalog: Catalog,
        settings: Settings,
        faults: Vec<FaultRule>,
    ) -> Result<Self, Error> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(Error::Serve)?;
        listener.set_nonblocking(true).map_err(Error::Serve)?;
        let addr = listener.local_addr().map_err(Error::Serve)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Serve)?;
        let shared = Arc::new(Shared {
            settings,
            catalog: Mutex::new(catalog),
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            modified: Mutex::new(responder::now()),
        });
        let (shutdown, stop) = oneshot::channel();
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("posy-testkit-index-{}", addr.port()))
                .spawn(move || runtime.block_on(accept_loop(listener, shared, stop)))
                .map_err(Error::Serve)?
        };
        Ok(Self {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The socket address, `127.0.0.1:PORT`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The simple index URL, `http://127.0.0.1:PORT/simple/` (for `--index-url`).
    pub fn url(&self) -> String {
        format!("{}/simple/", self.base_url())
    }

    /// The simple index URL with the Basic credentials in it
    /// (`http://user:password@127.0.0.1:PORT/simple/`), or [`url`](Self::url)
    /// when the index has no credentials.
    pub fn url_with_credentials(&self) -> String {
        match &self.shared.settings.basic_auth {
            Some((user, password)) => format!("http://{user}:{password}@{}/simple/", self.addr),
            None => self.url(),
        }
    }

    /// The URL of one project's page, `.../simple/{normalized name}/`.
    pub fn project_url(&self, name: &str) -> Result<String, Error> {
        let name = posy_vocab::PackageName::new(name)?;
        Ok(format!(
            "{}{}",
            self.base_url(),
            crate::simple_html::project_path(&name)
        ))
    }

    /// The URL of a file, `.../files/{filename}`.
    pub fn file_url(&self, filename: &str) -> String {
        format!(
            "{}/files/{}",
            self.base_url(),
            crate::listing::url_encode(filename)
        )
    }

    /// The URL of a page of links to every file (for a remote `--find-links`).
    pub fn find_links_url(&self) -> String {
        format!("{}/links/", self.base_url())
    }

    /// The file named `filename`, as served (with its hash and metadata).
    pub fn artifact(&self, filename: &str) -> Option<Artifact> {
        lock(&self.shared.catalog).file(filename).cloned()
    }

    /// Every request answered so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// The requests whose path matches `pattern` (`*` matches anything).
    pub fn requests_to(&self, pattern: &str) -> Vec<LoggedRequest> {
        let log = lock(&self.shared.log);
        log.iter()
            .filter(|r| fault::glob_match(pattern, r.path()))
            .cloned()
            .collect()
    }

    /// The complete downloads of artifacts (GET of a file answered 200).
    pub fn full_downloads(&self) -> Vec<LoggedRequest> {
        let log = lock(&self.shared.log);
        log.iter()
            .filter(|r| r.is_full_download())
            .cloned()
            .collect()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Adds a fault rule from now on (after the existing ones).
    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Publishes a new release while the index runs.
    pub fn publish(&self, package: Package) -> Result<(), Error> {
        let artifacts = package.build()?;
        let mut catalog = lock(&self.shared.catalog);
        // Check every name first so a failure publishes nothing.
        let mut trial = catalog.clone();
        for artifact in artifacts {
            trial.add(artifact)?;
        }
        *catalog = trial;
        self.shared.touch();
        Ok(())
    }

    /// Yanks a served file (empty reason: yanked without a reason).
    pub fn yank_file(&self, filename: &str, reason: &str) -> Result<(), Error> {
        lock(&self.shared.catalog).file_mut(filename)?.yanked = Some(reason.to_string());
        self.shared.touch();
        Ok(())
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("posy-testkit: the index cannot listen: {error}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(connection(stream, Arc::clone(&shared)));
                }
                // Out of file descriptors or similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
        }
    }
}

/// Serves requests on one connection until it closes or a reply ends it.
async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut stream = BufReader::new(stream);
    loop {
        let request = match http1::read_request(&mut stream).await {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Io) => return,
            Err(ReadError::Bad(status, reason)) => {
                let _ = Response::text(status, reason)
                    .write(stream.get_mut(), false, false, false)
                    .await;
                return;
            }
        };
        let keep_alive = request.keep_alive();
        let head_only = request.method == "HEAD";
        match responder::respond(&shared, &request).await {
            Reply::Reset => {
                log(&shared, &request, None, 0);
                let stream = stream.into_inner();
                // SO_LINGER 0 makes close() send RST, which is what "reset" means.
                let _ = stream.set_zero_linger();
                return;
            }
            Reply::Send(response) => {
                let sent = response.bytes_to_send(head_only, false);
                log(&shared, &request, Some(response.status), sent);
                let written = response
                    .write(stream.get_mut(), head_only, keep_alive, false)
                    .await;
                if written.is_err() || !keep_alive {
                    return;
                }
            }
            Reply::SendTruncated(response) => {
                let sent = response.bytes_to_send(head_only, true);
                log(&shared, &request, Some(response.status), sent);
                let _ = response
                    .write(stream.get_mut(), head_only, false, true)
                    .await;
                let _ = stream.get_mut().shutdown().await;
                return;
            }
        }
    }
}

fn log(shared: &Shared, request: &Request, status: Option<u16>, body_bytes: usize) {
    lock(&shared.log).push(LoggedRequest {
        method: request.method.clone(),
        path: request.path(),
        query: request.query().map(str::to_string),
        headers: request.headers.clone(),
        status,
        body_bytes,
    });
}
