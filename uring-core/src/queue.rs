//! Queue index arithmetic over plain memory: head/tail/mask, space left,
//! ready counts, slot addressing and batch iteration.
//!
//! Nothing here knows about file descriptors or mappings: [`SqRing`] and
//! [`CqRing`] are built from raw pointers to the shared indices and entry
//! arrays, so the same code runs over kernel-mapped rings (see
//! [`crate::Ring`]) and over ordinary arrays in unit tests, Miri or fuzzers.
//!
//! Index protocol (io_uring(7)): head and tail are free-running `u32`
//! counters that wrap at `u32::MAX`; the slot of index `i` is
//! `i & ring_mask`; the number of entries between them is `tail - head`
//! (wrapping). The producer owns the tail, the consumer the head.

use core::sync::atomic::AtomicU32;

use crate::Errno;

mod cq_ring;
mod sq_ring;

pub use cq_ring::{CqBatch, CqPtrs, CqRing, RawCqe};
pub use sq_ring::{SqCursor, SqPtrs, SqRing, WideSlot};

/// Entries between `head` and `tail` (`tail - head`, wrapping).
#[inline(always)]
pub const fn ready(tail: u32, head: u32) -> u32 {
    tail.wrapping_sub(head)
}

/// Free slots in a ring of `entries` slots; 0 if the indices claim more
/// than `entries` are in use (a corrupt head never underflows).
#[inline(always)]
pub const fn space_left(entries: u32, tail: u32, head: u32) -> u32 {
    entries.saturating_sub(ready(tail, head))
}

/// Offset, in units of the 64-byte SQE or 16-byte CQE, of index `index`:
/// `(index & mask) << shift` (`shift` is 1 for SQE128/CQE32 rings).
#[inline(always)]
pub const fn slot(index: u32, mask: u32, shift: u32) -> usize {
    ((index & mask) as usize) << (shift & 1)
}

/// Checks a ring geometry: `entries` a non-zero power of two and
/// `mask == entries - 1`. Every slot computed with [`slot`] is then in
/// bounds of an array of `entries << shift` units.
#[inline]
pub const fn check_geometry(entries: u32, mask: u32) -> Result<(), Errno> {
    if entries == 0 || !entries.is_power_of_two() || mask != entries - 1 {
        Err(Errno::EINVAL)
    } else {
        Ok(())
    }
}

/// Views a `*mut u32` in shared memory as an atomic.
///
/// # Safety
/// `p` is valid and 4-byte aligned for the returned lifetime.
/// See the [safety model](crate#safety-model).
#[inline(always)]
unsafe fn atomic<'a>(p: *mut u32) -> &'a AtomicU32 {
    // SAFETY: AtomicU32 has the layout of u32; validity per the caller.
    unsafe { AtomicU32::from_ptr(p) }
}

#[cfg(test)]
mod tests;
