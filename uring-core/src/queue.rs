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

use core::sync::atomic::{AtomicU32, Ordering};

use crate::Errno;

mod cq_ring;
mod sq_ring;
mod sq_run;

pub use cq_ring::{CqBatch, CqPtrs, CqRing, RawCqe};
pub use sq_ring::{SqCursor, SqPtrs, SqRing, WideSlot};
pub use sq_run::SqReserved;

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

/// Loads an index the kernel advances once it is done with the entries
/// before it (the SQ head) as an acquire for what this crate does next:
/// no store that follows it in program order, above all into the slots
/// the kernel just released, can take effect before it.
///
/// Kernel protocol: the kernel (or its SQPOLL thread) reads an SQE, then
/// store-releases the head past it; loading the head with acquire makes its
/// reads of a slot happen before our next writes into it.
///
/// Why not `load(Acquire)`: LLVM treats a load stronger than Relaxed, and
/// any `fence`, as possibly writing all memory, so one anywhere in a loop
/// (even on a path that never runs) stops the compiler from keeping a
/// ring's fields in registers across it: one `get_sqe` per SQE then
/// reloaded the SQE array, mask and shift and stored the tail every time.
/// Here the load is Relaxed and [`acquire_after`] makes it an acquire.
///
/// # Safety
/// As [`atomic`].
#[inline(always)]
unsafe fn load_acquire(p: *mut u32) -> u32 {
    // SAFETY: per the caller.
    // Relaxed here; acquire_after orders it before what follows.
    let v = unsafe { atomic(p) }.load(Ordering::Relaxed);
    acquire_after(v)
}

/// Returns `v`, just loaded by [`load_acquire`], after a barrier that
/// orders that load before every later store of this thread (and every
/// later load that uses the result).
///
/// Hardware: the architecture's acquire fence (what LLVM emits for
/// `fence(Acquire)`); x86 and s390x keep loads ordered before later loads
/// and stores by themselves (TSO), so there it is no instruction at all.
/// Compiler: the `asm!` takes `v` (so it comes after the load), every later
/// use of the index goes through its result (so no slot is written before
/// it runs), and it may read any memory (so no store is moved above it);
/// it writes none, so the compiler still keeps values in registers across
/// it (`pure`: it could drop it if the result went unused, which it never
/// does). An unrelated later load may still be moved above it: nothing
/// here reads a slot the kernel released before writing it.
#[inline(always)]
#[allow(unreachable_code)] // past the `return` of this arch's barrier
fn acquire_after(v: u32) -> u32 {
    /// Returns `v` through an `asm!` holding the barrier instruction
    /// (unused under Miri and on architectures without one listed below).
    #[allow(unused_macros)]
    macro_rules! barrier {
        ($insn:literal) => {{
            let mut r = v as usize;
            // SAFETY: at most one barrier instruction, which writes no
            // memory and leaves the stack and flags alone; `r` passes
            // through unchanged.
            unsafe {
                core::arch::asm!(
                    $insn,
                    "/* acquire after {0} */",
                    inout(reg) r,
                    options(pure, readonly, nostack, preserves_flags)
                )
            };
            return r as u32;
        }};
    }
    #[cfg(all(
        not(miri),
        any(target_arch = "x86_64", target_arch = "x86", target_arch = "s390x")
    ))]
    barrier!("");
    #[cfg(all(not(miri), target_arch = "aarch64"))]
    barrier!("dmb ishld");
    #[cfg(all(not(miri), target_arch = "riscv64"))]
    barrier!("fence r, rw");
    #[cfg(all(not(miri), target_arch = "powerpc64"))]
    barrier!("lwsync");
    // Hint 0x14: earlier loads before later loads and stores (cores
    // without barrier hints run every hint as the full `dbar 0`).
    #[cfg(all(not(miri), target_arch = "loongarch64"))]
    barrier!("dbar 0x14");
    // Other architectures, and Miri (which runs no `asm!`): the portable
    // fence; with the Relaxed load before it, an acquire load of `v`.
    core::sync::atomic::fence(Ordering::Acquire);
    v
}

#[cfg(test)]
pub(crate) mod tests;
