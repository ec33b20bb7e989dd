//! Pipes: `pipe2(2)` from the ring, optionally into the registered file
//! table.
//!
//! liburing man page: `io_uring_prep_pipe(3)` (with `pipe_direct`).
//!
//! SQE layout: `fd` = 0, `addr` = the `int[2]` result array, `pipe_flags` =
//! `O_CLOEXEC`/`O_NONBLOCK`/`O_DIRECT`, `file_index` = slot + 1 for direct
//! descriptors.
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_PIPE};
//!
//! let mut fds = [0i32; 2];
//! let mut sqe = io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::pipe_direct(&mut sqe, fds.as_mut_ptr(), 0, 4);
//! assert_eq!(sqe.opcode as u32, IORING_OP_PIPE);
//! assert_eq!(sqe.addr(), fds.as_ptr() as u64);
//! assert_eq!(sqe.file_index(), 5); // slot 4, stored + 1
//! ```

use bare_uring_sys::{io_uring_sqe, IORING_OP_PIPE};

use super::rw::prep_rw;

/// Prepares a `pipe2(2)`; the kernel writes the read and write ends to
/// `fds[0]` and `fds[1]`.
///
/// Mirrors `io_uring_prep_pipe()` (liburing). Opcode: `IORING_OP_PIPE`,
/// kernel 6.16+. `pipe_flags` goes in `sqe->pipe_flags`.
///
/// # Memory
/// `fds` points to two `i32`s that stay valid, writable and unaliased until
/// the CQE arrives.
#[inline]
pub fn pipe(sqe: &mut io_uring_sqe, fds: *mut i32, pipe_flags: i32) {
    prep_rw(IORING_OP_PIPE, sqe, 0, fds as usize as u64, 0, 0);
    sqe.set_pipe_flags(pipe_flags as u32);
}

/// Prepares a `pipe2(2)` whose two ends go into the registered file table:
/// slots `file_index` and `file_index + 1`, or two free slots for
/// `IORING_FILE_INDEX_ALLOC`. `fds` receives the slot numbers.
///
/// Mirrors `io_uring_prep_pipe_direct()` (liburing). Opcode:
/// `IORING_OP_PIPE`, kernel 6.16+. Stores `file_index + 1`, or
/// `IORING_FILE_INDEX_ALLOC` unchanged.
///
/// # Memory
/// As for [`pipe`].
#[inline]
pub fn pipe_direct(sqe: &mut io_uring_sqe, fds: *mut i32, pipe_flags: i32, file_index: u32) {
    pipe(sqe, fds, pipe_flags);
    super::open::set_direct_slot(sqe, file_index);
}
