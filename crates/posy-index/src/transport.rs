//! The HTTP layer: one connection pool, bounded concurrency, credentials,
//! retries, and the final error that names the URL.
//!
//! All requests of a client share one `reqwest::Client`, so connections
//! (HTTP/2 where the server offers it) are reused. It is made on the first
//! request, not with the transport: making it reads the platform's
//! certificate store (~10 ms of a `posy sync` that has nothing to do),
//! which a command served from the cache never needs. Connections are reused: on the public index a new
//! TLS connection costs more than most pages take to transfer. A semaphore
//! bounds how many requests are in flight at once; the permit is held for
//! the whole exchange, body included, so the bound is on real work.
//!
//! Each operation is a closure that sends one request and reads its body;
//! [`Transport::execute`] runs it, and runs it again after a backoff when it
//! fails in a way [`crate::retry`] calls transient. Retrying the whole
//! exchange (not just the send) is what makes a reset or a truncated body
//! recoverable. Credentials are taken off the URL and sent as a Basic
//! `Authorization` header, so the URL that reqwest puts in its errors, and
//! that this crate puts in its own, never carries them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

use crate::auth::Auth;
use crate::error::{IndexError, status_hint};
use crate::first_connection::FirstConnection;
use crate::redact::{redact, strip_credentials};
use crate::retry::{RetryPolicy, is_retryable_error, is_retryable_status, retry_after};

/// Why one attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    Transport(reqwest::Error),
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    /// Not worth retrying; already a finished error.
    Fatal(IndexError),
}

impl From<IndexError> for Failure {
    fn from(error: IndexError) -> Self {
        Failure::Fatal(error)
    }
}

/// Counts of what went over the network, for measurements and `-v`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TransferStats {
    /// Requests sent (each retry counts).
    pub requests: u64,
    /// Response body bytes received (after content decoding).
    pub bytes: u64,
}

/// Timeouts and limits for [`Transport::new`].
pub(crate) struct TransportConfig {
    pub concurrency: usize,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
    pub offline: bool,
}

pub(crate) struct Transport {
    /// Made on first use (see the module doc); an error is kept as its
    /// message and given to every request.
    client: std::sync::OnceLock<Result<Client, String>>,
    connect_timeout: Duration,
    read_timeout: Duration,
    permits: Semaphore,
    first_connection: FirstConnection,
    auth: Auth,
    retry: RetryPolicy,
    offline: bool,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Transport {
    pub fn new(config: TransportConfig, auth: Auth) -> Result<Self, IndexError> {
        Ok(Self {
            client: std::sync::OnceLock::new(),
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            permits: Semaphore::new(config.concurrency.max(1)),
            first_connection: FirstConnection::default(),
            auth,
            retry: config.retry,
            offline: config.offline,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// The shared client, made on the first call.
    fn client(&self) -> Result<&Client, Failure> {
        let made = self.client.get_or_init(|| {
            // ring, not aws-lc: aws-lc seeds its random generator from CPU
            // jitter on first use, ~30 ms of CPU before the first handshake.
            // Installing fails harmlessly when a provider is already installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Client::builder()
                .user_agent(concat!("posy/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_timeout)
                .pool_idle_timeout(Duration::from_secs(90))
                .dns_resolver(Arc::new(crate::dns::CachingResolver::default()))
                .build()
                .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(&e)))
        });
        made.as_ref()
            .map_err(|message| Failure::Fatal(IndexError::InvalidOption(message.clone())))
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    pub fn stats(&self) -> TransferStats {
        TransferStats {
            requests: self.requests.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }

    /// A request for `url` with credentials moved into a header.
    pub fn request(&self, method: Method, url: &Url) -> Result<RequestBuilder, Failure> {
        let builder = self.client()?.request(method, strip_credentials(url));
        Ok(match self.auth.for_url(url) {
            Some(credentials) => builder.basic_auth(credentials.username, credentials.password),
            None => builder,
        })
    }

    /// Sends a request, counting it. The first request to an origin goes
    /// alone until it has an answer (see [`crate::first_connection`]).
    pub async fn send(&self, builder: RequestBuilder) -> Result<Response, Failure> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let request = builder.build().map_err(Failure::Transport)?;
        let _opener = self.first_connection.admit(request.url()).await;
        self.client()?
            .execute(request)
            .await
            .map_err(Failure::Transport)
    }

    /// Reads a whole body, counting its bytes.
    pub async fn read_body(&self, response: Response) -> Result<Vec<u8>, Failure> {
        let mut body = Vec::with_capacity(
            usize::try_from(response.content_length().unwrap_or(0))
                .unwrap_or(0)
                .min(1 << 26),
        );
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(Failure::Transport)?;
            self.count_bytes(chunk.len());
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    pub fn count_bytes(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Runs `attempt` under a concurrency permit until it succeeds, fails
    /// for good, or runs out of retries.
    pub async fn execute<T, F, Fut>(&self, url: &Url, mut attempt: F) -> Result<T, IndexError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        if self.offline {
            return Err(IndexError::Offline { url: redact(url) });
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            tracing::trace!("GET {}", redact(url));
            let outcome = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| IndexError::Transport {
                        url: redact(url),
                        attempts,
                        message: "the client is shutting down".into(),
                    })?;
                attempt().await
            };
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let (retryable, wait) = match &failure {
                Failure::Transport(e) => (is_retryable_error(e), None),
                Failure::Status {
                    status,
                    retry_after,
                } => (is_retryable_status(*status), *retry_after),
                Failure::Fatal(_) => (false, None),
            };
            if retryable && attempts <= self.retry.retries {
                let delay = self.retry.delay(attempts, wait);
                tracing::debug!(
                    "retrying {} in {delay:?} after attempt {attempts} failed",
                    redact(url)
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(match failure {
                Failure::Transport(e) => IndexError::Transport {
                    url: redact(url),
                    attempts,
                    message: error_chain(&e),
                },
                Failure::Status { status, .. } => IndexError::Status {
                    url: redact(url),
                    status: status.as_u16(),
                    attempts,
                    hint: status_hint(status.as_u16()),
                },
                Failure::Fatal(e) => e,
            });
        }
    }
}

/// The failure for an error status, with its `Retry-After`.
pub(crate) fn status_failure(response: &Response) -> Failure {
    Failure::Status {
        status: response.status(),
        retry_after: retry_after(response.headers(), Timestamp::now()),
    }
}

/// The error and its causes, without the URL (callers name it, redacted).
fn error_chain(error: &reqwest::Error) -> String {
    let mut message = String::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        // reqwest puts the URL in its own message; ours names it already.
        let text = match text.find(" for url (") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
        current = e.source();
    }
    message
}
