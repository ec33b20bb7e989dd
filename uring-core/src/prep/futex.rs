//! Futexes: wait on and wake `futex2(2)`-style futexes from the ring.
//!
//! liburing man pages: `io_uring_prep_futex_wait(3)`,
//! `io_uring_prep_futex_wake(3)`, `io_uring_prep_futex_waitv(3)`.
//!
//! SQE layout: `fd` = `FUTEX2_*` flags (size, private, NUMA), `addr` = the
//! futex word, `off` = value (expected value for wait, count for wake),
//! `addr3` = bitset mask, `futex_flags` = io_uring flags (must be 0 today).
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_FUTEX_WAKE};
//!
//! let word = 0u32;
//! let mut sqe = io_uring_sqe::zeroed();
//! // FUTEX2_SIZE_U32 = 2; wake one waiter, any bit.
//! // Safe: this SQE is our own and is never submitted.
//! prep::futex_wake(&mut sqe, &word, 1, u64::MAX, 2, 0);
//! assert_eq!(sqe.opcode as u32, IORING_OP_FUTEX_WAKE);
//! assert_eq!(sqe.fd, 2);
//! assert_eq!(sqe.off(), 1);
//! assert_eq!(sqe.addr3(), u64::MAX);
//! ```

use bare_uring_sys::{
    futex_waitv, io_uring_sqe, IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAITV, IORING_OP_FUTEX_WAKE,
};

use super::rw::prep_rw;

/// Prepares waking up to `val` waiters of the futex at `futex` whose bitset
/// matches `mask`.
///
/// Mirrors `io_uring_prep_futex_wake()` (liburing). Opcode:
/// `IORING_OP_FUTEX_WAKE`, kernel 6.7+. `futex_flags` (`FUTEX2_*`) goes in
/// `sqe->fd`, `val` in `off`, `mask` in `addr3`, `flags` in `futex_flags`.
/// `cqe->res` is the number woken.
///
/// # Memory
/// `futex` points to a futex word (sized per `futex_flags`) that stays
/// valid until the CQE arrives.
#[inline]
pub fn futex_wake(
    sqe: &mut io_uring_sqe,
    futex: *const u32,
    val: u64,
    mask: u64,
    futex_flags: u32,
    flags: u32,
) {
    prep_rw(
        IORING_OP_FUTEX_WAKE,
        sqe,
        futex_flags as i32,
        futex as usize as u64,
        0,
        val,
    );
    sqe.set_futex_flags(flags);
    sqe.set_addr3(mask);
}

/// Prepares waiting on the futex at `futex` while it holds `val`, for a
/// wake whose bitset intersects `mask`.
///
/// Mirrors `io_uring_prep_futex_wait()` (liburing). Opcode:
/// `IORING_OP_FUTEX_WAIT`, kernel 6.7+. Same layout as [`futex_wake`].
/// `cqe->res` is 0 when woken, `-EAGAIN` if the word did not hold `val`.
///
/// # Memory
/// `futex` points to a futex word that stays valid until the CQE arrives.
#[inline]
pub fn futex_wait(
    sqe: &mut io_uring_sqe,
    futex: *const u32,
    val: u64,
    mask: u64,
    futex_flags: u32,
    flags: u32,
) {
    prep_rw(
        IORING_OP_FUTEX_WAIT,
        sqe,
        futex_flags as i32,
        futex as usize as u64,
        0,
        val,
    );
    sqe.set_futex_flags(flags);
    sqe.set_addr3(mask);
}

/// Prepares waiting on any of `nr_futex` futexes described by the array at
/// `futex`; `cqe->res` is the index of the one that woke.
///
/// Mirrors `io_uring_prep_futex_waitv()` (liburing). Opcode:
/// `IORING_OP_FUTEX_WAITV`, kernel 6.7+. `sqe->fd` is 0, `len` is
/// `nr_futex` (at most 128).
///
/// # Memory
/// `futex` points to `nr_futex` `futex_waitv` entries that, with the words
/// they point to, stay valid until the CQE arrives.
#[inline]
pub fn futex_waitv(sqe: &mut io_uring_sqe, futex: *const futex_waitv, nr_futex: u32, flags: u32) {
    prep_rw(
        IORING_OP_FUTEX_WAITV,
        sqe,
        0,
        futex as usize as u64,
        nr_futex,
        0,
    );
    sqe.set_futex_flags(flags);
}
