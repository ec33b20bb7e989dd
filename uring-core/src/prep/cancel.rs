//! Cancellation: `io_uring_prep_cancel(3)`, `io_uring_prep_cancel64(3)`,
//! `io_uring_prep_cancel_fd(3)`.
//!
//! A cancel request matches pending requests by `user_data` (the default),
//! by fd (`IORING_ASYNC_CANCEL_FD`), by opcode (`IORING_ASYNC_CANCEL_OP`)
//! or any (`IORING_ASYNC_CANCEL_ANY`); with `IORING_ASYNC_CANCEL_ALL` it
//! cancels every match and its CQE's `res` is how many, otherwise 0, or
//! `-ENOENT` (no match) / `-EALREADY` (already running).
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! prep::cancel_fd(&mut sqe, 9, sys::IORING_ASYNC_CANCEL_ALL);
//! assert_eq!(sqe.opcode, sys::IORING_OP_ASYNC_CANCEL as u8);
//! assert_eq!(sqe.fd, 9);
//! assert_eq!(
//!     sqe.cancel_flags(),
//!     sys::IORING_ASYNC_CANCEL_ALL | sys::IORING_ASYNC_CANCEL_FD
//! );
//! ```

use core::ffi::c_void;

use bare_uring_sys::io_uring_sqe;

use super::rw::{prep_rw, ptr_u64};

/// Prepares cancelling the pending request(s) whose SQE had `user_data`.
///
/// Mirrors `io_uring_prep_cancel64()` (liburing). `flags`
/// (`IORING_ASYNC_CANCEL_*`) is stored as `u32`.
///
/// Opcode: `IORING_OP_ASYNC_CANCEL`, kernel 5.5+ (flags: 5.19+).
#[inline]
pub const fn cancel64(sqe: &mut io_uring_sqe, user_data: u64, flags: i32) {
    prep_rw(bare_uring_sys::IORING_OP_ASYNC_CANCEL, sqe, -1, 0, 0, 0);
    sqe.set_addr(user_data);
    sqe.set_cancel_flags(flags as u32);
}

/// Prepares cancelling the pending request(s) whose `user_data` is the
/// pointer `user_data` (as stored by `sqe_set_data`).
///
/// Mirrors `io_uring_prep_cancel()` (liburing): [`cancel64`] with the
/// pointer converted to an integer.
///
/// Opcode: `IORING_OP_ASYNC_CANCEL`, kernel 5.5+.
///
/// # Memory
/// Nothing to promise: the kernel only compares `user_data` with other
/// requests' `user_data` and never dereferences it. The function is
/// `unsafe` only because every prep helper that takes a pointer is (a rule
/// the conformance harness relies on); [`cancel64`] is the safe spelling.
#[inline]
pub fn cancel(sqe: &mut io_uring_sqe, user_data: *const c_void, flags: i32) {
    cancel64(sqe, ptr_u64(user_data), flags);
}

/// Prepares cancelling the pending request(s) on `fd`.
///
/// Mirrors `io_uring_prep_cancel_fd()` (liburing): `IORING_ASYNC_CANCEL_FD`
/// is always ORed into `flags`; add `IORING_ASYNC_CANCEL_FD_FIXED` when
/// `fd` is a registered file index.
///
/// Opcode: `IORING_OP_ASYNC_CANCEL`, kernel 5.19+.
#[inline]
pub const fn cancel_fd(sqe: &mut io_uring_sqe, fd: i32, flags: u32) {
    prep_rw(bare_uring_sys::IORING_OP_ASYNC_CANCEL, sqe, fd, 0, 0, 0);
    sqe.set_cancel_flags(flags | bare_uring_sys::IORING_ASYNC_CANCEL_FD);
}
