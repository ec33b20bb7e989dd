//! Provided buffer rings: liburing's `io_uring_buf_ring_*` inline helpers.
//!
//! A provided buffer ring is an array of `2^k` [`io_uring_buf`] entries
//! (16 bytes each) shared with the kernel. The application fills entries
//! and publishes them by moving the ring's `tail` (a `u16` that overlays the
//! `resv` field of entry 0); the kernel consumes them from its private
//! `head` when a request carrying `IOSQE_BUFFER_SELECT` needs a buffer, and
//! reports the chosen buffer id in `cqe.flags >> IORING_CQE_BUFFER_SHIFT`.
//!
//! The functions here are the 1:1 twins of liburing's (names minus the
//! `io_uring_` prefix). They are `unsafe fn`s over a raw
//! `*mut io_uring_buf_ring`: the caller promises the pointer addresses a
//! live ring of the size implied by `mask`.
//!
//! Ring-level helpers that also touch a [`crate::Ring`]
//! ([`buf_ring_cq_advance`], [`buf_ring_available`]) take it by reference.
//! [`BufRing`] wraps all of this: a registered ring over caller buffers,
//! handing buffers out by id and recycling them.
//!
//! # Example: fill a ring of 8 entries
//! ```
//! use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_init, buf_ring_mask};
//! use bare_uring::sys::{io_uring_buf, io_uring_buf_ring};
//!
//! // 8 entries of 16 bytes; io_uring_buf is 8-aligned, as the ring must be.
//! let mut mem = [io_uring_buf::default(); 8];
//! let br = mem.as_mut_ptr().cast::<io_uring_buf_ring>();
//! let mut bufs = [[0u8; 64]; 8];
//! let mask = buf_ring_mask(8);
//! // SAFETY: `br` addresses 8 entries; the kernel is not involved here.
//! unsafe {
//!     buf_ring_init(br);
//!     for (i, b) in bufs.iter_mut().enumerate() {
//!         buf_ring_add(br, b.as_mut_ptr().cast(), 64, i as u16, mask, i as i32);
//!     }
//!     buf_ring_advance(br, 8);
//!     assert_eq!(*io_uring_buf_ring::tail_ptr(br), 8);
//! }
//! assert_eq!(mem[3].bid, 3);
//! assert_eq!(mem[3].len, 64);
//! ```

use core::ffi::c_void;
use core::ptr::addr_of_mut;
use core::sync::atomic::{AtomicU16, Ordering};

use bare_uring_sys::{io_uring_buf, io_uring_buf_ring};

mod owned;
mod ring_file;
mod ring_ops;
#[cfg(test)]
mod tests;

pub use owned::*;
pub use ring_ops::*;

/// Returns the index mask for a buffer ring of `ring_entries` entries
/// (`ring_entries - 1`, wrapping like C for 0).
///
/// Mirrors `io_uring_buf_ring_mask()` (liburing). Kernel: 5.19+ (buffer rings).
#[inline]
pub const fn buf_ring_mask(ring_entries: u32) -> i32 {
    ring_entries.wrapping_sub(1) as i32
}

/// Resets the ring's tail to 0 (call once before the first add).
///
/// Mirrors `io_uring_buf_ring_init()` (liburing). Kernel: 5.19+.
///
/// # Safety
/// `br` is valid for writes of at least one [`io_uring_buf`] (16 bytes) and
/// 2-byte aligned, and the ring is not registered with a kernel ring that
/// may be consuming it concurrently.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn buf_ring_init(br: *mut io_uring_buf_ring) {
    // SAFETY: the caller promises the header (entry 0) is writable.
    unsafe { io_uring_buf_ring::tail_ptr(br).write(0) };
}

/// Writes buffer `addr`/`len`/`bid` into the entry `buf_offset` places
/// after the current tail (masked with `mask`), without publishing it.
///
/// Mirrors `io_uring_buf_ring_add()` (liburing). Kernel: 5.19+. Only the
/// `addr`, `len` and `bid` fields are written: entry 0's `resv` is the
/// ring's `tail`. Call [`buf_ring_advance`] to make the entries visible.
///
/// # Safety
/// `br` addresses a buffer ring of `mask + 1` entries (a power of two),
/// valid for reads and writes and 8-byte aligned; `(tail + buf_offset) & mask`
/// must index inside it (true for any `buf_offset` when `mask >= 0`). Once
/// published, the kernel may write up to `len` bytes at `addr` whenever a
/// request selects this buffer: `addr` must stay valid for that until the
/// buffer comes back in a CQE or the ring is unregistered.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn buf_ring_add(
    br: *mut io_uring_buf_ring,
    addr: *mut c_void,
    len: u32,
    bid: u16,
    mask: i32,
    buf_offset: i32,
) {
    // SAFETY: the caller promises the header is readable; only we write the tail.
    let tail = unsafe { io_uring_buf_ring::tail_ptr(br).read() };
    // C: `(br->tail + buf_offset) & mask` in `int` (wrapping instead of UB).
    let idx = (tail as i32).wrapping_add(buf_offset) & mask;
    // SAFETY: the caller promises entry `idx` lies inside the ring.
    unsafe { write_entry(br, idx as isize, addr, len, bid) };
}

/// Writes entry `idx` (already masked) of the ring: `addr`, `len`, `bid`,
/// field by field, leaving `resv` (the tail, for entry 0) untouched. The
/// stores of [`buf_ring_add`], shared with [`BufRing`]'s pushes.
///
/// # Safety
/// Entry `idx` lies inside the ring `br` (valid for writes, 8-aligned),
/// and [`buf_ring_add`]'s promise about `addr` and `len` holds.
#[inline(always)]
pub(crate) unsafe fn write_entry(
    br: *mut io_uring_buf_ring,
    idx: isize,
    addr: *mut c_void,
    len: u32,
    bid: u16,
) {
    let buf: *mut io_uring_buf = io_uring_buf_ring::bufs_ptr(br).wrapping_offset(idx);
    // SAFETY: the caller promises entry `idx` lies inside the ring. Field-wise
    // writes leave `resv` (the tail, for entry 0) untouched.
    unsafe {
        addr_of_mut!((*buf).addr).write(addr as usize as u64);
        addr_of_mut!((*buf).len).write(len);
        addr_of_mut!((*buf).bid).write(bid);
    }
}

/// Stores `tail` as the ring's published tail (release), for a writer that
/// keeps its own copy of the tail ([`BufRing`]).
///
/// # Safety
/// As [`buf_ring_advance`], for the entries from the old tail to `tail`.
#[inline(always)]
pub(crate) unsafe fn store_tail(br: *mut io_uring_buf_ring, tail: u16) {
    // SAFETY: the caller promises the header is valid and 8-aligned (the
    // tail is at byte 14, so 2-aligned); the kernel only reads it.
    let t = unsafe { AtomicU16::from_ptr(io_uring_buf_ring::tail_ptr(br)) };
    // Release: the entries written before must be visible to the kernel
    // before it sees the new tail (liburing's io_uring_smp_store_release).
    t.store(tail, Ordering::Release);
}

/// Publishes `count` entries written by [`buf_ring_add`]: `tail += count`
/// (wrapping at 2^16) with a release store.
///
/// Mirrors `io_uring_buf_ring_advance()` (liburing). Kernel: 5.19+.
///
/// # Safety
/// `br` is valid for reads and writes of its header and 8-byte aligned;
/// the `count` entries after the old tail hold buffers satisfying
/// [`buf_ring_add`]'s promise.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn buf_ring_advance(br: *mut io_uring_buf_ring, count: i32) {
    let tail_ptr = io_uring_buf_ring::tail_ptr(br);
    // SAFETY: the caller promises the header is valid and aligned (the tail
    // is at byte 14 of an 8-aligned ring, so 2-aligned); the kernel only reads
    // it, so an atomic view is sound.
    let tail = unsafe { AtomicU16::from_ptr(tail_ptr) };
    // Only the application writes the tail: a relaxed load sees our last store.
    let new_tail = tail.load(Ordering::Relaxed).wrapping_add(count as u16);
    // Release: the entries written before must be visible to the kernel
    // before it sees the new tail (liburing's io_uring_smp_store_release).
    tail.store(new_tail, Ordering::Release);
}
