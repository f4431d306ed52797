//! Name resolution for the HTTP client: once per host per run, with a hedge.
//!
//! reqwest's default resolver calls `getaddrinfo` on a blocking thread for
//! every new connection, and a run opens many connections to the same two
//! or three hosts at once. glibc sends the A and AAAA queries of a lookup
//! together from one socket; on some networks (this project's CI among
//! them) one of the two answers is dropped now and then, and glibc waits
//! its full 5-second timeout before asking again. Many concurrent lookups
//! make that likelier, and any one of them stalls a download.
//!
//! So each host is resolved once per client and shared by every
//! connection; and if an attempt has not answered within [`HEDGE_AFTER`],
//! a second attempt starts beside it and whichever answers first wins (a
//! fresh query is usually answered at once). Failures are not cached: the
//! next connection asks again.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::OnceCell;

/// How long one lookup may take before a second one is started beside it.
pub(crate) const HEDGE_AFTER: Duration = Duration::from_millis(750);

type Lookup = Arc<OnceCell<Arc<[SocketAddr]>>>;

/// A resolver that remembers answers for the life of the client.
#[derive(Default)]
pub(crate) struct CachingResolver {
    hosts: Mutex<HashMap<String, Lookup>>,
}

impl Resolve for CachingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let cell = self
            .hosts
            .lock()
            .map(|mut hosts| Arc::clone(hosts.entry(host.clone()).or_default()))
            .unwrap_or_default();
        Box::pin(async move {
            let addrs = cell.get_or_try_init(|| hedged_lookup(host)).await?;
            let addrs = Arc::clone(addrs);
            let addrs: Addrs = Box::new((0..addrs.len()).map(move |i| addrs[i]));
            Ok(addrs)
        })
    }
}

async fn hedged_lookup(
    host: String,
) -> Result<Arc<[SocketAddr]>, Box<dyn std::error::Error + Send + Sync>> {
    let first = lookup(host.clone());
    tokio::pin!(first);
    tokio::select! {
        result = &mut first => return result,
        () = tokio::time::sleep(HEDGE_AFTER) => {}
    }
    tracing::debug!("resolving {host} is slow; asking again in parallel");
    let second = lookup(host);
    tokio::pin!(second);
    tokio::select! {
        result = &mut first => match result {
            Ok(addrs) => Ok(addrs),
            Err(_) => second.await,
        },
        result = &mut second => match result {
            Ok(addrs) => Ok(addrs),
            Err(_) => first.await,
        },
    }
}

async fn lookup(
    host: String,
) -> Result<Arc<[SocketAddr]>, Box<dyn std::error::Error + Send + Sync>> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address").into());
    }
    Ok(addrs.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resolves_once_and_shares_the_answer() {
        let resolver = CachingResolver::default();
        let a: Vec<_> = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        let b: Vec<_> = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(!a.is_empty());
        assert_eq!(a, b);
        assert_eq!(resolver.hosts.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn failures_are_not_cached() {
        let resolver = CachingResolver::default();
        assert!(
            resolver
                .resolve("no-such-host.invalid".parse().unwrap())
                .await
                .is_err()
        );
        let cell = resolver
            .hosts
            .lock()
            .unwrap()
            .get("no-such-host.invalid")
            .cloned()
            .unwrap();
        assert!(cell.get().is_none());
    }
}
