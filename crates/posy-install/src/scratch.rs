//! Working memory for unpacking, kept and handed from one wheel to the next.
//!
//! Memory a process touches for the first time is not free: the kernel
//! zeroes every new page (a 2 MB huge page at a time where the allocator
//! asks for them), which on the machines posy was measured on costs about
//! half a millisecond per megabyte, as much as inflating it. An allocator
//! returns large freed blocks to the system, so a fresh buffer per wheel
//! pays that again for every wheel. So the inflater with its buffers
//! ([`Extractor`]) and the buffers that hold whole wheels are borrowed from
//! small pools and go back when the borrow ends; a pool holds about as
//! many as are in use at once.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use crate::extract::Extractor;

/// A wheel buffer that grew past this is dropped rather than kept, so one
/// huge wheel does not pin its size in memory for the rest of the run.
const KEEP_WHEEL_BUFFER_MAX: usize = 64 * 1024 * 1024;
/// At most this many of each are kept.
const POOL_MAX: usize = 32;

static EXTRACTORS: Mutex<Vec<Extractor>> = Mutex::new(Vec::new());
static WHEEL_BUFFERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Something a pool can take back.
pub(crate) trait Recycle: Sized + 'static {
    fn pool() -> &'static Mutex<Vec<Self>>;
    fn fresh() -> Self;
    /// Readies it for the next user; `false` if it is not worth keeping.
    fn ready_for_reuse(&mut self) -> bool;
}

impl Recycle for Extractor {
    fn pool() -> &'static Mutex<Vec<Self>> {
        &EXTRACTORS
    }
    fn fresh() -> Self {
        Extractor::new()
    }
    fn ready_for_reuse(&mut self) -> bool {
        true
    }
}

impl Recycle for Vec<u8> {
    fn pool() -> &'static Mutex<Vec<Self>> {
        &WHEEL_BUFFERS
    }
    fn fresh() -> Self {
        Vec::new()
    }
    fn ready_for_reuse(&mut self) -> bool {
        self.clear();
        self.capacity() <= KEEP_WHEEL_BUFFER_MAX
    }
}

/// A borrowed item; it goes back to its pool when dropped.
pub(crate) struct Pooled<T: Recycle>(Option<T>);

/// Borrows an item from its pool, or makes one.
pub(crate) fn borrow<T: Recycle>() -> Pooled<T> {
    let taken = T::pool().lock().ok().and_then(|mut pool| pool.pop());
    Pooled(Some(taken.unwrap_or_else(T::fresh)))
}

impl<T: Recycle> Deref for Pooled<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_ref().expect("present until dropped")
    }
}

impl<T: Recycle> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_mut().expect("present until dropped")
    }
}

impl<T: Recycle> Drop for Pooled<T> {
    fn drop(&mut self) {
        let Some(mut item) = self.0.take() else {
            return;
        };
        if !item.ready_for_reuse() {
            return;
        }
        if let Ok(mut pool) = T::pool().lock()
            && pool.len() < POOL_MAX
        {
            pool.push(item);
        }
    }
}

/// A buffer for a whole wheel file, from the pool.
pub(crate) type WheelBuffer = Pooled<Vec<u8>>;

/// Borrows a buffer to hold a wheel, e.g. to download one into.
pub(crate) fn wheel_buffer() -> WheelBuffer {
    borrow()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_empty_and_huge_ones_do_not_come_back() {
        let mut buffer = wheel_buffer();
        buffer.extend_from_slice(b"wheel bytes");
        let capacity = buffer.capacity();
        drop(buffer);
        let again = wheel_buffer();
        assert!(again.is_empty());
        assert!(again.capacity() == capacity || again.capacity() == 0);
        let mut huge = Vec::with_capacity(KEEP_WHEEL_BUFFER_MAX + 1);
        assert!(!huge.ready_for_reuse());
        let mut small = vec![1u8; 10];
        assert!(small.ready_for_reuse() && small.is_empty());
    }
}
