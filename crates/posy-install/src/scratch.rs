//! Working memory for unpacking, kept and handed from one wheel to the next.
//!
//! Memory a process touches for the first time is not free: the kernel
//! zeroes every new page (a 2 MB huge page at a time where the allocator
//! asks for them), which on the machines posy was measured on costs about
//! half a millisecond per megabyte, as much as inflating it. An allocator
//! returns large freed blocks to the system, so a fresh buffer per wheel
//! pays that again for every wheel. Unpacking therefore borrows a
//! [`Scratch`] (the inflater with its buffers, and room for a whole wheel
//! file) from a small pool and gives it back afterwards; the pool holds
//! about as many as unpacks run at once (one per core, see prepare.rs).

use std::sync::Mutex;

use crate::extract::Extractor;

/// A wheel buffer that grew past this is dropped rather than kept, so one
/// huge wheel does not pin its size in memory for the rest of the run.
const KEEP_WHEEL_BUFFER_MAX: usize = 64 * 1024 * 1024;
/// At most this many scratches are kept.
const POOL_MAX: usize = 16;

/// Reusable memory for one unpack at a time.
pub(crate) struct Scratch {
    pub extractor: Extractor,
    /// Holds a wheel file read whole.
    pub wheel: Vec<u8>,
}

static POOL: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());

/// Runs `f` with a scratch from the pool (or a new one), then returns it.
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    let taken = POOL.lock().ok().and_then(|mut pool| pool.pop());
    let mut scratch = taken.unwrap_or_else(|| Scratch {
        extractor: Extractor::new(),
        wheel: Vec::new(),
    });
    let out = f(&mut scratch);
    if scratch.wheel.capacity() > KEEP_WHEEL_BUFFER_MAX {
        scratch.wheel = Vec::new();
    }
    scratch.wheel.clear();
    if let Ok(mut pool) = POOL.lock()
        && pool.len() < POOL_MAX
    {
        pool.push(scratch);
    }
    out
}
