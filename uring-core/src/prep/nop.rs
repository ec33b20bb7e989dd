//! No-ops: `io_uring_prep_nop(3)`, `io_uring_prep_nop128(3)`.
//!
//! A NOP completes immediately with `res` 0; it is the cheapest way to test
//! a ring, and with `nop_flags` (`IORING_NOP_*`, set by hand after the
//! helper) it can inject results, use fixed files/buffers or post big CQEs.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! prep::nop(&mut sqe);
//! assert_eq!(sqe.opcode, sys::IORING_OP_NOP as u8);
//! assert_eq!(sqe.fd, -1);
//! ```

use bare_uring_sys::io_uring_sqe;

use super::rw::prep_rw;

/// Prepares a no-op.
///
/// Mirrors `io_uring_prep_nop()` (liburing): `fd` -1, `addr`, `len`, `off`
/// 0.
///
/// Opcode: `IORING_OP_NOP`, kernel 5.1+.
#[inline]
pub const fn nop(sqe: &mut io_uring_sqe) {
    prep_rw(bare_uring_sys::IORING_OP_NOP, sqe, -1, 0, 0, 0);
}

/// Prepares a no-op that occupies a 128-byte SQE slot.
///
/// Mirrors `io_uring_prep_nop128()` (liburing). It writes only the first 64
/// bytes, like liburing. The SQE must be a 128-byte (double) slot of an
/// `IORING_SETUP_SQE_MIXED` ring (liburing's `io_uring_get_sqe128`); in a
/// ring of plain 64-byte SQEs the kernel fails it with `-EINVAL`.
///
/// Opcode: `IORING_OP_NOP128`, kernel 6.19+.
#[inline]
pub const fn nop128(sqe: &mut io_uring_sqe) {
    prep_rw(bare_uring_sys::IORING_OP_NOP128, sqe, -1, 0, 0, 0);
}
