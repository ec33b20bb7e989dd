//! Buffer-ring helpers that also act on a [`Ring`]: returning buffers while
//! consuming CQEs, and counting the buffers the kernel has not used yet.

use bare_uring_sys::io_uring_buf_ring;

use super::buf_ring_advance;
use crate::{Errno, Ring};

/// Publishes `buf_count` buffers and marks `cq_count` CQEs seen.
///
/// Mirrors `__io_uring_buf_ring_cq_advance()` (liburing). Kernel: 5.19+.
/// The buffer tail moves first (release store), then the CQ head.
///
/// # Safety
/// As [`buf_ring_advance`]: `br` is a live, aligned buffer ring whose
/// `buf_count` entries after the tail hold valid buffers.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn __buf_ring_cq_advance(
    ring: &mut Ring,
    br: *mut io_uring_buf_ring,
    cq_count: i32,
    buf_count: i32,
) {
    // SAFETY: forwarded to the caller's promise.
    unsafe { buf_ring_advance(br, buf_count) };
    // C passes the int to an `unsigned` parameter.
    ring.cq_advance(cq_count as u32);
}

/// Publishes `count` buffers and marks `count` CQEs seen: the common case of
/// recycling one buffer per completion.
///
/// Mirrors `io_uring_buf_ring_cq_advance()` (liburing). Kernel: 5.19+.
///
/// # Safety
/// As [`__buf_ring_cq_advance`].
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn buf_ring_cq_advance(ring: &mut Ring, br: *mut io_uring_buf_ring, count: i32) {
    // SAFETY: forwarded to the caller's promise.
    unsafe { __buf_ring_cq_advance(ring, br, count, count) };
}

/// Returns how many published buffers of group `bgid` the kernel has not
/// consumed yet (`tail - head`, modulo 2^16).
///
/// Mirrors `io_uring_buf_ring_available()` (liburing). Kernel: 6.8+
/// (`IORING_REGISTER_PBUF_STATUS`).
///
/// Errors: those of [`Ring::buf_ring_head`] (`ENOENT` no such group,
/// `EINVAL` not a ring-mapped group or kernel too old).
///
/// # Safety
/// `br` is readable for its 16-byte header and is the ring registered as
/// group `bgid`.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn buf_ring_available(
    ring: &Ring,
    br: *mut io_uring_buf_ring,
    bgid: u16,
) -> Result<u16, Errno> {
    let head = ring.buf_ring_head(bgid)?;
    // SAFETY: the caller promises the header is readable; only we write the tail.
    let tail = unsafe { io_uring_buf_ring::tail_ptr(br).read() };
    Ok(tail.wrapping_sub(head))
}
