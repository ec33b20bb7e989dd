//! liburing's other inline SQE/CQE helpers: `io_uring_sqe_set_data(3)`,
//! `io_uring_sqe_set_data64(3)`, `io_uring_sqe_set_flags(3)`,
//! `io_uring_sqe_set_buf_group(3)`, `io_uring_initialize_sqe`,
//! `io_uring_cqe_get_data(3)`, `io_uring_cqe_get_data64(3)`.
//!
//! Like the [`prep`](crate::prep) helpers these write exactly the bytes
//! liburing's do (checked against C by the root package's `sqe_helpers`
//! test). The ones taking only integers (`sqe_set_data64`,
//! `sqe_set_flags`, `sqe_set_buf_group`, `cqe_get_data64`) are `const fn`,
//! for SQE tables built at compile time (see [`prep`](crate::prep)).
//!
//! # Example
//! ```
//! use bare_uring::{helpers, prep, sys};
//!
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! prep::nop(&mut sqe);
//! helpers::sqe_set_data64(&mut sqe, 42);
//! helpers::sqe_set_flags(&mut sqe, sys::IOSQE_IO_LINK.into());
//! assert_eq!(sqe.user_data, 42);
//! assert_eq!(sqe.flags, sys::IOSQE_IO_LINK);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{io_uring_cqe, io_uring_sqe};

pub use crate::sq::initialize_sqe;

/// Stores the pointer `data` as the SQE's `user_data`; the CQE of the
/// request carries it back ([`cqe_get_data`]).
///
/// Mirrors `io_uring_sqe_set_data()` (liburing). Safe: the kernel never
/// dereferences `user_data`, it only copies it into the CQE. Whether the
/// pointer is still valid when it comes back is the caller's business.
///
/// Kernel: 5.1+.
#[inline]
pub fn sqe_set_data(sqe: &mut io_uring_sqe, data: *mut c_void) {
    // `(unsigned long) data`.
    sqe.user_data = data as usize as u64;
}

/// Returns the CQE's `user_data` as a pointer (what [`sqe_set_data`]
/// stored).
///
/// Mirrors `io_uring_cqe_get_data()` (liburing). On 32-bit targets the
/// upper half of `user_data` is dropped, as in C.
///
/// Kernel: 5.1+.
#[inline]
pub fn cqe_get_data(cqe: &io_uring_cqe) -> *mut c_void {
    // `(void *) (uintptr_t) cqe->user_data`.
    cqe.user_data as usize as *mut c_void
}

/// Stores `data` as the SQE's `user_data`; the CQE of the request carries
/// it back ([`cqe_get_data64`]).
///
/// Mirrors `io_uring_sqe_set_data64()` (liburing).
///
/// Kernel: 5.1+.
#[inline]
pub const fn sqe_set_data64(sqe: &mut io_uring_sqe, data: u64) {
    sqe.user_data = data;
}

/// Returns the CQE's `user_data`.
///
/// Mirrors `io_uring_cqe_get_data64()` (liburing).
///
/// Kernel: 5.1+.
#[inline]
pub const fn cqe_get_data64(cqe: &io_uring_cqe) -> u64 {
    cqe.user_data
}

/// Sets the SQE's `IOSQE_*` flags (link, drain, async, fixed file, buffer
/// select, skip-success CQE), replacing the previous ones.
///
/// Mirrors `io_uring_sqe_set_flags()` (liburing): an assignment, truncated
/// to 8 bits (`(__u8) flags`), not an OR. Note that a few prep helpers
/// (`read_multishot`, `fixed_fd_install`) assign flags themselves: call
/// this after them, ORing in what they set.
///
/// Kernel: 5.1+ (each flag: the kernel that added it).
#[inline]
pub const fn sqe_set_flags(sqe: &mut io_uring_sqe, flags: u32) {
    sqe.flags = flags as u8;
}

/// Sets the provided-buffer group the kernel picks a buffer from when the
/// SQE has `IOSQE_BUFFER_SELECT`.
///
/// Mirrors `io_uring_sqe_set_buf_group()` (liburing): stored truncated to
/// 16 bits (`(__u16) bgid`), in the bytes shared with `buf_index`.
///
/// Kernel: 5.7+.
#[inline]
pub const fn sqe_set_buf_group(sqe: &mut io_uring_sqe, bgid: i32) {
    sqe.set_buf_group(bgid as u16);
}
