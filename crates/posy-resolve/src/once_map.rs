//! A per-run map of fetch results in which each key is fetched exactly once.
//!
//! The solver runs on its own thread and asks for package version lists and
//! metadata; an async task on the caller's runtime does the fetching. Both
//! sides meet here. The first party to [`OnceMap::register`] a key wins the
//! right to fetch it (and the fetch is started exactly once, whether the
//! solver needs the value now or a prefetch merely guessed that it will);
//! everyone else waits for [`OnceMap::done`]. The solver waits with
//! [`OnceMap::wait_blocking`], which wakes on every completion and also
//! checks a cancellation predicate, so a solver whose async side has gone
//! away (the resolve future was dropped) stops instead of waiting forever.
//!
//! Values are shared (`Arc`), so handing one out is a reference count bump.

use std::hash::Hash;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use rustc_hash::FxHashMap;

/// How often a blocked solver re-checks whether it was cancelled.
const CANCEL_POLL: Duration = Duration::from_millis(50);

enum Slot<V> {
    Pending,
    Done(Arc<V>),
}

pub(crate) struct OnceMap<K, V> {
    slots: Mutex<FxHashMap<K, Slot<V>>>,
    ready: Condvar,
}

impl<K: Eq + Hash + Clone, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(FxHashMap::default()),
            ready: Condvar::new(),
        }
    }
}

impl<K: Eq + Hash + Clone, V> OnceMap<K, V> {
    /// Claims `key` for fetching: `true` exactly once per key, for the
    /// caller that must now start the fetch.
    pub(crate) fn register(&self, key: &K) -> bool {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.contains_key(key) {
            false
        } else {
            slots.insert(key.clone(), Slot::Pending);
            true
        }
    }

    /// Stores the fetched value and wakes every waiter.
    pub(crate) fn done(&self, key: K, value: V) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.insert(key, Slot::Done(Arc::new(value)));
        drop(slots);
        self.ready.notify_all();
    }

    /// The value, if its fetch has finished.
    pub(crate) fn get(&self, key: &K) -> Option<Arc<V>> {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match slots.get(key) {
            Some(Slot::Done(value)) => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Blocks the calling (non-async) thread until the value is there.
    /// Returns `None` as soon as `cancelled()` says the fetching side is
    /// gone. The key must have been registered, or this waits until then.
    pub(crate) fn wait_blocking(&self, key: &K, cancelled: impl Fn() -> bool) -> Option<Arc<V>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(Slot::Done(value)) = slots.get(key) {
                return Some(Arc::clone(value));
            }
            if cancelled() {
                return None;
            }
            slots = self
                .ready
                .wait_timeout(slots, CANCEL_POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_once_and_hands_out_the_value() {
        let map: OnceMap<u32, &str> = OnceMap::default();
        assert!(map.register(&1));
        assert!(!map.register(&1));
        assert!(map.get(&1).is_none());
        map.done(1, "one");
        assert_eq!(*map.get(&1).unwrap(), "one");
        assert!(!map.register(&1));
    }

    #[test]
    fn a_waiter_wakes_when_another_thread_finishes() {
        let map: Arc<OnceMap<u32, String>> = Arc::new(OnceMap::default());
        assert!(map.register(&7));
        let filler = Arc::clone(&map);
        let handle = std::thread::spawn(move || filler.done(7, "seven".to_owned()));
        let value = map.wait_blocking(&7, || false).unwrap();
        assert_eq!(*value, "seven");
        handle.join().unwrap();
    }

    #[test]
    fn a_waiter_gives_up_when_cancelled() {
        let map: OnceMap<u32, String> = OnceMap::default();
        assert!(map.register(&7));
        assert!(map.wait_blocking(&7, || true).is_none());
    }
}
