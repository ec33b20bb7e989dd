//! `IORING_REGISTER_SEND_MSG_RING`: post a message CQE to a ring without
//! owning a ring.

use crate::syscall::io_uring_register;
use crate::Errno;
use bare_uring_sys::{io_uring_sqe, IORING_REGISTER_SEND_MSG_RING};
use core::ptr;

/// Performs the `IORING_OP_MSG_RING` data message described by `sqe`
/// synchronously, with no source ring: the kernel posts a CQE on the ring
/// `sqe.fd` (res = `len`, user_data = `data`, plus flags with
/// `IORING_MSG_RING_FLAGS_PASS`) and wakes its waiters before returning.
///
/// Prepare `sqe` with `prep::msg_ring` / `prep::msg_ring_cqe_flags` on a
/// zeroed SQE (e.g. `io_uring_sqe::default()`). Any thread can call this,
/// one that has no ring at all included; the call uses fd `-1` for the
/// (absent) source ring.
///
/// Returns `Ok(0)` when the message was posted.
///
/// Mirrors `io_uring_register_sync_msg()` (liburing). Kernel: 6.13+.
///
/// Errors: `EINVAL` the SQE is not a `MSG_RING` data message (fd passing
/// with `IORING_MSG_SEND_FD` is refused), has `sqe.flags` set, or unknown
/// msg_ring flags; `EBADF` `sqe.fd` is not open; `EBADFD` it is not an
/// io_uring, or the target ring is still disabled (`R_DISABLED`).
///
/// # Safety
/// As for messages sent through a ring ([`crate::msg`]'s contract): the
/// target ring `sqe.fd` expects this message (its `user_data`, `res` and
/// flags are never taken for the completion of one of its own requests).
/// See the [safety model](crate#safety-model).
///
/// # Example
/// A thread with no ring posts a message to ours:
/// ```
/// # extern crate std;
/// use bare_uring::sys::io_uring_sqe;
/// use bare_uring::{prep, Ring};
///
/// let mut ring = Ring::queue_init(4, 0)?;
/// let mut sqe = io_uring_sqe::zeroed();
/// prep::msg_ring(&mut sqe, ring.ring_fd(), 7, 0x5eed, 0);
/// // SAFETY: `ring` is ours; user_data 0x5eed is reserved for this message.
/// let posted = std::thread::spawn(move || unsafe { Ring::register_sync_msg(&sqe) })
///     .join()
///     .unwrap()?;
/// assert_eq!(posted, 0);
///
/// // Already there: the CQE was posted before the call returned.
/// let cqe = ring.peek_cqe()?;
/// assert_eq!((cqe.res, cqe.user_data), (7, 0x5eed));
/// ring.cqe_seen(&cqe);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
pub unsafe fn register_sync_msg(sqe: &io_uring_sqe) -> Result<u32, Errno> {
    // SAFETY: the kernel copies the 64-byte SQE during the call and keeps no
    // pointer to it; a data message dereferences no address from it; the
    // target's consent is the caller's promise.
    unsafe {
        io_uring_register(
            -1,
            IORING_REGISTER_SEND_MSG_RING,
            ptr::from_ref(sqe).cast(),
            1,
        )
    }
}

impl crate::Ring {
    /// [`register_sync_msg`] as an associated function (no ring needed):
    /// `Ring::register_sync_msg(&sqe)`.
    ///
    /// Mirrors `io_uring_register_sync_msg()` (liburing). Kernel: 6.13+.
    ///
    /// Errors: as [`register_sync_msg`].
    ///
    /// # Safety
    /// As [`register_sync_msg`].
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn register_sync_msg(sqe: &io_uring_sqe) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's promise.
        unsafe { register_sync_msg(sqe) }
    }
}
