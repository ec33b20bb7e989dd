//! Waiting for child processes: `waitid(2)` from the ring.
//!
//! liburing man page: `io_uring_prep_waitid(3)`.
//!
//! SQE layout: `fd` = `id`, `len` = `idtype`, `addr2` = `infop`,
//! `file_index` = `options` (`WEXITED`, ...), `waitid_flags` = io_uring
//! flags (0 today).
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_WAITID};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! // P_PID = 1, WEXITED = 4; no siginfo wanted.
//! // Safe: this SQE is our own and is never submitted.
//! prep::waitid(&mut sqe, 1, 1234, core::ptr::null_mut(), 4, 0);
//! assert_eq!(sqe.opcode as u32, IORING_OP_WAITID);
//! assert_eq!(sqe.fd, 1234);
//! assert_eq!(sqe.len, 1);
//! assert_eq!(sqe.file_index(), 4);
//! ```

use bare_uring_sys::{id_t, idtype_t, io_uring_sqe, siginfo_t, IORING_OP_WAITID};

use super::rw::prep_rw;

/// Prepares a `waitid(2)` for the child(ren) selected by `idtype`/`id`.
///
/// Mirrors `io_uring_prep_waitid()` (liburing). Opcode: `IORING_OP_WAITID`,
/// kernel 6.7+. `id` goes in `sqe->fd` (as C's `int`), `idtype` in `len`,
/// `options` in `file_index`, `infop` in `addr2`, `flags` in
/// `waitid_flags`.
///
/// # Memory
/// `infop` is null or points to a `siginfo_t` that stays valid, writable
/// and unaliased until the CQE arrives (the kernel fills it).
#[inline]
pub fn waitid(
    sqe: &mut io_uring_sqe,
    idtype: idtype_t,
    id: id_t,
    infop: *mut siginfo_t,
    options: i32,
    flags: u32,
) {
    prep_rw(IORING_OP_WAITID, sqe, id as i32, 0, idtype, 0);
    sqe.set_waitid_flags(flags);
    sqe.set_file_index(options as u32);
    sqe.set_addr2(infop as usize as u64);
}
