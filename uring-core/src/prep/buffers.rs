//! Legacy provided buffers: hand buffers to the kernel for
//! `IOSQE_BUFFER_SELECT` requests, or take them back.
//!
//! liburing man pages: `io_uring_prep_provide_buffers(3)`,
//! `io_uring_prep_remove_buffers(3)`. Provided buffer *rings*
//! (`buf_ring`, kernel 5.19+) are the faster replacement.
//!
//! SQE layout: `fd` = number of buffers, `addr` = first buffer, `len` =
//! size of each buffer, `off` = first buffer id, `buf_group` = group id.
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_REMOVE_BUFFERS};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! prep::remove_buffers(&mut sqe, 8, 3);
//! assert_eq!(sqe.opcode as u32, IORING_OP_REMOVE_BUFFERS);
//! assert_eq!(sqe.fd, 8); // how many buffers
//! assert_eq!(sqe.buf_group(), 3);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{io_uring_sqe, IORING_OP_PROVIDE_BUFFERS, IORING_OP_REMOVE_BUFFERS};

use super::rw::prep_rw;

/// Prepares handing `nr` buffers of `len` bytes each, laid out back to back
/// from `addr`, to buffer group `bgid` with ids `bid`, `bid + 1`, ...
///
/// Mirrors `io_uring_prep_provide_buffers()` (liburing). Opcode:
/// `IORING_OP_PROVIDE_BUFFERS`, kernel 5.7+. `nr` goes in `sqe->fd`, `bid`
/// in `sqe->off` (sign-extended like C's `(__u64) bid`), `bgid` is
/// truncated to the 16-bit `buf_group`.
///
/// # Memory
/// `addr` points to `nr * len` bytes that stay valid, writable and
/// unaliased until each buffer is consumed by a request (its CQE carries
/// `IORING_CQE_F_BUFFER`) or removed with [`remove_buffers`]: the kernel
/// writes received data there.
#[inline]
pub fn provide_buffers(
    sqe: &mut io_uring_sqe,
    addr: *mut c_void,
    len: i32,
    nr: i32,
    bgid: i32,
    bid: i32,
) {
    prep_rw(
        IORING_OP_PROVIDE_BUFFERS,
        sqe,
        nr,
        addr as usize as u64,
        len as u32,
        bid as u64,
    );
    sqe.set_buf_group(bgid as u16);
}

/// Prepares removing up to `nr` buffers from buffer group `bgid`;
/// `cqe->res` is how many were removed.
///
/// Mirrors `io_uring_prep_remove_buffers()` (liburing). Opcode:
/// `IORING_OP_REMOVE_BUFFERS`, kernel 5.7+. `bgid` is truncated to the
/// 16-bit `buf_group`.
#[inline]
pub const fn remove_buffers(sqe: &mut io_uring_sqe, nr: i32, bgid: i32) {
    prep_rw(IORING_OP_REMOVE_BUFFERS, sqe, nr, 0, 0, 0);
    sqe.set_buf_group(bgid as u16);
}
