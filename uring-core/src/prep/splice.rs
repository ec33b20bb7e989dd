//! Moving data between file descriptors through a pipe:
//! `io_uring_prep_splice(3)` and `io_uring_prep_tee(3)`.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // fd 5 is a pipe, so its offset must be -1; write to fd 6 at offset 4096.
//! prep::splice(&mut sqe, 5, -1, 6, 4096, 65536, 0);
//! assert_eq!(sqe.opcode, sys::IORING_OP_SPLICE as u8);
//! assert_eq!(sqe.fd, 6); // the output fd goes in `fd`
//! assert_eq!(sqe.splice_fd_in(), 5);
//! assert_eq!(sqe.splice_off_in(), u64::MAX);
//! ```

use bare_uring_sys::io_uring_sqe;

use super::rw::prep_rw;

/// Prepares a `splice(2)`: move up to `nbytes` from `fd_in` to `fd_out`;
/// one of them must be a pipe.
///
/// An offset of `-1` means "use (and advance) the file position"; a pipe's
/// offset must be `-1`. `splice_flags` takes `SPLICE_F_*`, plus
/// `SPLICE_F_FD_IN_FIXED` when `fd_in` is a registered file index (set
/// `IOSQE_FIXED_FILE` for `fd_out`).
///
/// Mirrors `io_uring_prep_splice()` (liburing). Layout: `fd_out` goes in
/// `fd`, `off_out` in `off`, `off_in` in `splice_off_in` (which shares bytes
/// with `addr`), `fd_in` in `splice_fd_in`.
///
/// Opcode: `IORING_OP_SPLICE`, kernel 5.7+.
#[inline]
pub const fn splice(
    sqe: &mut io_uring_sqe,
    fd_in: i32,
    off_in: i64,
    fd_out: i32,
    off_out: i64,
    nbytes: u32,
    splice_flags: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_SPLICE,
        sqe,
        fd_out,
        0,
        nbytes,
        off_out as u64,
    );
    sqe.set_splice_off_in(off_in as u64);
    sqe.set_splice_fd_in(fd_in);
    sqe.set_splice_flags(splice_flags);
}

/// Prepares a `tee(2)`: duplicate up to `nbytes` from pipe `fd_in` into pipe
/// `fd_out` without consuming them.
///
/// Mirrors `io_uring_prep_tee()` (liburing). `splice_off_in` and `off` are
/// set to 0.
///
/// Opcode: `IORING_OP_TEE`, kernel 5.8+.
#[inline]
pub const fn tee(sqe: &mut io_uring_sqe, fd_in: i32, fd_out: i32, nbytes: u32, splice_flags: u32) {
    prep_rw(bare_uring_sys::IORING_OP_TEE, sqe, fd_out, 0, nbytes, 0);
    sqe.set_splice_off_in(0);
    sqe.set_splice_fd_in(fd_in);
    sqe.set_splice_flags(splice_flags);
}
