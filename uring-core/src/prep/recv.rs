//! Receiving on sockets: recv, recvmsg and their multishot forms.
//!
//! liburing man pages: `io_uring_prep_recv(3)` (with `recv_multishot`),
//! `io_uring_prep_recvmsg(3)` (with `recvmsg_multishot`).
//!
//! ABI notes: `MSG_*` flags go in `sqe->msg_flags`; `IORING_RECV_MULTISHOT`
//! and the other `IORING_RECVSEND_*` flags go in `sqe->ioprio`. Multishot
//! receives need provided buffers (`IOSQE_BUFFER_SELECT` and
//! `sqe->buf_group`); a multishot `recvmsg` buffer starts with an
//! `io_uring_recvmsg_out` header (see `recvmsg_out`).
//!
//! # Example
//! ```
//! use uring_core::prep;
//! use uring_core::sys::{io_uring_sqe, IORING_OP_RECV, IORING_RECV_MULTISHOT};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! // SAFETY: only the SQE is filled; it is never submitted.
//! unsafe { prep::recv_multishot(&mut sqe, 5, core::ptr::null_mut(), 0, 0) };
//! assert_eq!(sqe.opcode as u32, IORING_OP_RECV);
//! assert_eq!(sqe.fd, 5);
//! assert_eq!(sqe.ioprio as u32, IORING_RECV_MULTISHOT);
//! ```

use core::ffi::c_void;

use uring_sys::{io_uring_sqe, msghdr, IORING_OP_RECV, IORING_OP_RECVMSG, IORING_RECV_MULTISHOT};

use super::rw::prep_rw;

/// Prepares a `recv(2)` of up to `len` bytes into `buf` from socket `sockfd`.
///
/// Mirrors `io_uring_prep_recv()` (liburing). Opcode: `IORING_OP_RECV`,
/// kernel 5.6+. `len` is truncated to 32 bits like C's `(__u32) len`.
///
/// # Memory
/// `buf` points to `len` writable bytes, valid and unaliased until the CQE
/// arrives (the kernel writes the received data there). With
/// `IOSQE_BUFFER_SELECT`, `buf` may be null and a provided buffer is used.
#[inline]
pub fn recv(sqe: &mut io_uring_sqe, sockfd: i32, buf: *mut c_void, len: usize, flags: i32) {
    prep_rw(
        IORING_OP_RECV,
        sqe,
        sockfd,
        buf as usize as u64,
        len as u32,
        0,
    );
    sqe.set_msg_flags(flags as u32);
}

/// Prepares a multishot `recv(2)`: one CQE per received chunk, each in a
/// provided buffer, until cancelled, an error, or end of stream.
///
/// Mirrors `io_uring_prep_recv_multishot()` (liburing). Opcode:
/// `IORING_OP_RECV` with `IORING_RECV_MULTISHOT` ORed into `sqe->ioprio`,
/// kernel 6.0+.
///
/// # Memory
/// As for [`recv`], until the final CQE (without `IORING_CQE_F_MORE`).
#[inline]
pub fn recv_multishot(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    buf: *mut c_void,
    len: usize,
    flags: i32,
) {
    recv(sqe, sockfd, buf, len, flags);
    sqe.ioprio |= IORING_RECV_MULTISHOT as u16;
}

/// Prepares a `recvmsg(2)` on socket `fd`.
///
/// Mirrors `io_uring_prep_recvmsg()` (liburing). Opcode:
/// `IORING_OP_RECVMSG`, kernel 5.3+. `len` is 1 (one `msghdr`).
///
/// # Memory
/// `msg` and everything it points to stay valid until the CQE arrives; the
/// kernel writes the name, iovec buffers, control data and `msg_flags`/
/// lengths of `*msg`, so those must be writable and unaliased.
#[inline]
pub fn recvmsg(sqe: &mut io_uring_sqe, fd: i32, msg: *mut msghdr, flags: u32) {
    prep_rw(IORING_OP_RECVMSG, sqe, fd, msg as usize as u64, 1, 0);
    sqe.set_msg_flags(flags);
}

/// Prepares a multishot `recvmsg(2)`: each CQE's provided buffer holds an
/// `io_uring_recvmsg_out` header, the name, control data and payload, laid
/// out per `msg`'s `msg_namelen`/`msg_controllen`.
///
/// Mirrors `io_uring_prep_recvmsg_multishot()` (liburing). Opcode:
/// `IORING_OP_RECVMSG` with `IORING_RECV_MULTISHOT` ORed into
/// `sqe->ioprio`, kernel 6.0+.
///
/// # Memory
/// As for [`recvmsg`], until the final CQE (without `IORING_CQE_F_MORE`).
#[inline]
pub fn recvmsg_multishot(sqe: &mut io_uring_sqe, fd: i32, msg: *mut msghdr, flags: u32) {
    recvmsg(sqe, fd, msg, flags);
    sqe.ioprio |= IORING_RECV_MULTISHOT as u16;
}
