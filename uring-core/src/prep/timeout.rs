//! Timeouts: `io_uring_prep_timeout(3)`, `io_uring_prep_timeout_remove(3)`,
//! `io_uring_prep_timeout_update(3)`, `io_uring_prep_link_timeout(3)`.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let ts = sys::__kernel_timespec { tv_sec: 1, tv_nsec: 0 };
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::timeout(&mut sqe, &ts, 0, sys::IORING_TIMEOUT_BOOTTIME);
//! assert_eq!(sqe.opcode, sys::IORING_OP_TIMEOUT as u8);
//! assert_eq!(sqe.addr(), &ts as *const _ as u64);
//! assert_eq!(sqe.len, 1);
//! assert_eq!(sqe.timeout_flags(), sys::IORING_TIMEOUT_BOOTTIME);
//! ```

use bare_uring_sys::{__kernel_timespec, io_uring_sqe};

use super::rw::{prep_rw, ptr_u64};

/// Prepares a timeout: completes after `ts` elapses (CQE `res` `-ETIME`),
/// or earlier, with `res` 0, once `count` other CQEs have been posted
/// (`count` 0: time only).
///
/// Mirrors `io_uring_prep_timeout()` (liburing). Layout: `ts` in `addr`,
/// `len` 1, `count` in `off`. `flags`: `IORING_TIMEOUT_ABS`,
/// `_BOOTTIME`, `_REALTIME`, `_ETIME_SUCCESS`, `_MULTISHOT`.
///
/// Opcode: `IORING_OP_TIMEOUT`, kernel 5.4+.
///
/// # Memory
/// `ts` must point to a `__kernel_timespec` valid for reads until the CQE
/// arrives (current kernels read it once, while the SQE is submitted).
#[inline]
pub fn timeout(sqe: &mut io_uring_sqe, ts: *const __kernel_timespec, count: u32, flags: u32) {
    prep_rw(
        bare_uring_sys::IORING_OP_TIMEOUT,
        sqe,
        -1,
        ptr_u64(ts),
        1,
        count as u64,
    );
    sqe.set_timeout_flags(flags);
}

/// Prepares removing the pending timeout whose SQE had `user_data`.
///
/// Mirrors `io_uring_prep_timeout_remove()` (liburing). The CQE's `res` is
/// 0, or `-ENOENT`/`-EALREADY`.
///
/// Opcode: `IORING_OP_TIMEOUT_REMOVE`, kernel 5.5+.
#[inline]
pub const fn timeout_remove(sqe: &mut io_uring_sqe, user_data: u64, flags: u32) {
    prep_rw(bare_uring_sys::IORING_OP_TIMEOUT_REMOVE, sqe, -1, 0, 0, 0);
    sqe.set_addr(user_data);
    sqe.set_timeout_flags(flags);
}

/// Prepares changing the expiry of the pending timeout `user_data` to `ts`
/// (add `IORING_LINK_TIMEOUT_UPDATE` to `flags` for a linked timeout).
///
/// Mirrors `io_uring_prep_timeout_update()` (liburing). Layout: `ts` goes
/// in `off`, `user_data` in `addr`; `IORING_TIMEOUT_UPDATE` is always
/// ORed into `timeout_flags`.
///
/// Opcode: `IORING_OP_TIMEOUT_REMOVE`, kernel 5.11+.
///
/// # Memory
/// As [`timeout`].
#[inline]
pub fn timeout_update(
    sqe: &mut io_uring_sqe,
    ts: *const __kernel_timespec,
    user_data: u64,
    flags: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_TIMEOUT_REMOVE,
        sqe,
        -1,
        0,
        0,
        ptr_u64(ts),
    );
    sqe.set_addr(user_data);
    sqe.set_timeout_flags(flags | bare_uring_sys::IORING_TIMEOUT_UPDATE);
}

/// Prepares a timeout for the previous SQE of a link (the one with
/// `IOSQE_IO_LINK`): if it has not completed after `ts`, it is cancelled.
///
/// Mirrors `io_uring_prep_link_timeout()` (liburing). Layout: `ts` in
/// `addr`, `len` 1, `off` 0.
///
/// Opcode: `IORING_OP_LINK_TIMEOUT`, kernel 5.5+.
///
/// # Memory
/// As [`timeout`].
#[inline]
pub fn link_timeout(sqe: &mut io_uring_sqe, ts: *const __kernel_timespec, flags: u32) {
    prep_rw(
        bare_uring_sys::IORING_OP_LINK_TIMEOUT,
        sqe,
        -1,
        ptr_u64(ts),
        1,
        0,
    );
    sqe.set_timeout_flags(flags);
}
