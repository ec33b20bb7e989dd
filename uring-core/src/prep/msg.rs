//! Ring-to-ring messages: post a CQE on, or pass a direct descriptor to,
//! another io_uring.
//!
//! liburing man pages: `io_uring_prep_msg_ring(3)` (with
//! `msg_ring_cqe_flags`), `io_uring_prep_msg_ring_fd(3)` (with
//! `msg_ring_fd_alloc`).
//!
//! SQE layout of `IORING_OP_MSG_RING`: `fd` = target ring, `addr` =
//! `IORING_MSG_DATA` or `IORING_MSG_SEND_FD`, `len` = the target CQE's `res`,
//! `off` = the target CQE's `user_data`, `msg_ring_flags` =
//! `IORING_MSG_RING_*`, `file_index` = target slot + 1 (SEND_FD) or the
//! target CQE's flags (DATA with `IORING_MSG_RING_FLAGS_PASS`), `addr3` =
//! source direct descriptor (SEND_FD). See [`crate::decode`] to print one.
//!
//! # Example
//! ```
//! use uring_core::prep;
//! use uring_core::sys::{io_uring_sqe, IORING_MSG_RING_FLAGS_PASS, IORING_OP_MSG_RING};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! prep::msg_ring_cqe_flags(&mut sqe, 4, 42, 0xfeed, 0, 1 << 16);
//! assert_eq!(sqe.opcode as u32, IORING_OP_MSG_RING);
//! assert_eq!(sqe.fd, 4); // target ring
//! assert_eq!(sqe.len, 42); // target cqe->res
//! assert_eq!(sqe.off(), 0xfeed); // target cqe->user_data
//! assert_eq!(sqe.msg_ring_flags(), IORING_MSG_RING_FLAGS_PASS);
//! assert_eq!(sqe.file_index(), 1 << 16); // target cqe->flags
//! ```

use uring_sys::{
    io_uring_sqe, IORING_FILE_INDEX_ALLOC, IORING_MSG_RING_FLAGS_PASS, IORING_MSG_SEND_FD,
    IORING_OP_MSG_RING,
};

use super::rw::prep_rw;

/// Prepares a message that posts a CQE with `flags` (`cqe->flags`)
/// `cqe_flags`, `res` `len` and `user_data` `data` on the ring `fd`.
///
/// Mirrors `io_uring_prep_msg_ring_cqe_flags()` (liburing). Opcode:
/// `IORING_OP_MSG_RING`, kernel 6.3+ (`IORING_MSG_RING_FLAGS_PASS`, which
/// this ORs into `flags`). `cqe_flags` goes in `sqe->file_index`.
#[inline]
pub const fn msg_ring_cqe_flags(
    sqe: &mut io_uring_sqe,
    fd: i32,
    len: u32,
    data: u64,
    flags: u32,
    cqe_flags: u32,
) {
    prep_rw(IORING_OP_MSG_RING, sqe, fd, 0, len, data);
    sqe.set_msg_ring_flags(IORING_MSG_RING_FLAGS_PASS | flags);
    sqe.set_file_index(cqe_flags);
}

/// Prepares a message that posts a CQE with `res` `len` and `user_data`
/// `data` on the ring `fd` (`IORING_MSG_DATA`).
///
/// Mirrors `io_uring_prep_msg_ring()` (liburing). Opcode:
/// `IORING_OP_MSG_RING`, kernel 5.18+. `flags`: the `IORING_MSG_RING_*`
/// bits; `IORING_MSG_RING_CQE_SKIP` (which drops the *target's* CQE) applies
/// to fd passing only, and the kernel refuses it here with `EINVAL`. To
/// skip the sender's own CQE, set `IOSQE_CQE_SKIP_SUCCESS` on this SQE.
/// `fd` is a ring's real fd: io_uring fds cannot be fixed files, so
/// `IOSQE_FIXED_FILE` cannot name a target ring.
#[inline]
pub const fn msg_ring(sqe: &mut io_uring_sqe, fd: i32, len: u32, data: u64, flags: u32) {
    prep_rw(IORING_OP_MSG_RING, sqe, fd, 0, len, data);
    sqe.set_msg_ring_flags(flags);
}

/// Prepares a message that installs the sender's direct descriptor
/// `source_fd` into slot `target_fd` of ring `fd`'s file table, and posts a
/// CQE with `user_data` `data` there (`IORING_MSG_SEND_FD`).
///
/// Mirrors `io_uring_prep_msg_ring_fd()` (liburing). Opcode:
/// `IORING_OP_MSG_RING`, kernel 6.0+. `source_fd` is sign-extended into
/// `sqe->addr3` like C's `int` → `__u64`; `file_index` = `target_fd + 1`,
/// or `IORING_FILE_INDEX_ALLOC` unchanged when `target_fd as u32` is
/// `IORING_FILE_INDEX_ALLOC` (the target picks a free slot).
#[inline]
pub const fn msg_ring_fd(
    sqe: &mut io_uring_sqe,
    fd: i32,
    source_fd: i32,
    target_fd: i32,
    data: u64,
    flags: u32,
) {
    prep_rw(
        IORING_OP_MSG_RING,
        sqe,
        fd,
        IORING_MSG_SEND_FD as u64,
        0,
        data,
    );
    sqe.set_addr3(source_fd as u64);
    super::open::set_direct_slot(sqe, target_fd as u32);
    sqe.set_msg_ring_flags(flags);
}

/// Prepares a message that installs the sender's direct descriptor
/// `source_fd` into a free slot of ring `fd`'s file table.
///
/// Mirrors `io_uring_prep_msg_ring_fd_alloc()` (liburing). Opcode:
/// `IORING_OP_MSG_RING` with `file_index = IORING_FILE_INDEX_ALLOC`,
/// kernel 6.0+. The target's CQE `res` is the chosen slot.
#[inline]
pub const fn msg_ring_fd_alloc(
    sqe: &mut io_uring_sqe,
    fd: i32,
    source_fd: i32,
    data: u64,
    flags: u32,
) {
    // C passes `~0U` to an `int` parameter: -1.
    msg_ring_fd(
        sqe,
        fd,
        source_fd,
        IORING_FILE_INDEX_ALLOC as i32,
        data,
        flags,
    );
}
