//! One connection first: the first request to an origin goes alone, and the
//! others wait until it has a response (or has failed) before they start.
//!
//! Whether a server speaks HTTP/2 is learnt during the TLS handshake
//! (ALPN). Until the pool holds a connection to an origin it cannot know
//! that one connection will do, so a burst of requests (a resolver asking
//! for dozens of pages, an installer starting every download at once) opens
//! one TLS connection per request, and once the first handshake says
//! HTTP/2 all but one are closed again. Measured on the jupyter set: 55
//! handshakes where one was needed, each a few milliseconds of CPU.
//!
//! Holding the burst back costs nothing: the others would have waited for
//! a handshake of their own anyway. If the first request is slow to get an
//! answer (a lost SYN, a slow server), the others stop waiting after
//! [`PATIENCE`] and connect for themselves, as they would have without the
//! gate. An origin that speaks only HTTP/1.1 gets a connection per request
//! after the first, as before.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use url::Url;

/// How long the others wait for the first request to an origin.
pub(crate) const PATIENCE: Duration = Duration::from_millis(500);

/// The gates of all origins one client has talked to.
#[derive(Default)]
pub(crate) struct FirstConnection {
    gates: Mutex<HashMap<String, Arc<Gate>>>,
}

#[derive(Default)]
struct Gate {
    open: AtomicBool,
    first_taken: AtomicBool,
    opened: Notify,
}

/// Held by the first request to an origin; opens the gate when dropped,
/// whether the request succeeded, failed or was cancelled.
pub(crate) struct Opener(Arc<Gate>);

impl Drop for Opener {
    fn drop(&mut self) {
        self.0.open.store(true, Ordering::Release);
        self.0.opened.notify_waiters();
    }
}

impl FirstConnection {
    /// Waits until a request to `url` may start. Returns an [`Opener`] to
    /// the first request to its origin, which holds it until its answer.
    pub(crate) async fn admit(&self, url: &Url) -> Option<Opener> {
        let gate = {
            let Ok(mut gates) = self.gates.lock() else {
                return None;
            };
            let origin = url.origin().ascii_serialization();
            Arc::clone(gates.entry(origin).or_default())
        };
        if gate.open.load(Ordering::Acquire) {
            return None;
        }
        if !gate.first_taken.swap(true, Ordering::AcqRel) {
            return Some(Opener(gate));
        }
        let _ = tokio::time::timeout(PATIENCE, gate.wait_open()).await;
        None
    }
}

impl Gate {
    async fn wait_open(&self) {
        loop {
            let notified = self.opened.notified();
            tokio::pin!(notified);
            // Registered before the check, so an opening in between is seen.
            notified.as_mut().enable();
            if self.open.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[tokio::test]
    async fn the_first_request_goes_alone_and_its_answer_lets_the_rest_go() {
        let gates = Arc::new(FirstConnection::default());
        let first = gates.admit(&url("https://example.org/a")).await;
        assert!(first.is_some(), "the first request opens the gate");
        let waiter = {
            let gates = Arc::clone(&gates);
            tokio::spawn(async move {
                let started = Instant::now();
                let opener = gates.admit(&url("https://example.org/b")).await;
                (opener.is_none(), started.elapsed())
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "the second request waits");
        drop(first);
        let (no_opener, waited) = waiter.await.unwrap();
        assert!(no_opener);
        assert!(waited < PATIENCE, "released by the answer, not the timeout");
        assert!(gates.admit(&url("https://example.org/c")).await.is_none());
    }

    #[tokio::test]
    async fn origins_are_gated_separately() {
        let gates = FirstConnection::default();
        let _a = gates.admit(&url("https://example.org/a")).await.unwrap();
        let _b = gates
            .admit(&url("https://files.example.org/a"))
            .await
            .unwrap();
        let _c = gates.admit(&url("http://example.org/a")).await.unwrap();
    }

    #[tokio::test]
    async fn a_slow_first_request_holds_the_others_only_so_long() {
        let gates = FirstConnection::default();
        let _first = gates.admit(&url("https://example.org/a")).await.unwrap();
        let started = Instant::now();
        assert!(gates.admit(&url("https://example.org/b")).await.is_none());
        assert!(started.elapsed() >= PATIENCE);
    }
}
