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
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_RECV, IORING_RECV_MULTISHOT};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::recv_multishot(&mut sqe, 5, core::ptr::null_mut(), 0, 0);
//! assert_eq!(sqe.opcode as u32, IORING_OP_RECV);
//! assert_eq!(sqe.fd, 5);
//! assert_eq!(sqe.ioprio as u32, IORING_RECV_MULTISHOT);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{
    io_uring_sqe, msghdr, IORING_OP_RECV, IORING_OP_RECVMSG, IORING_RECV_MULTISHOT,
    IOSQE_BUFFER_SELECT,
};

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
///
/// # Example
/// End to end, with a buffer ring and [`RecvMsgOut`] parsing each buffer
/// and a reply to each sender: see [`recvmsg_out`](crate::recvmsg_out).
///
/// [`RecvMsgOut`]: crate::recvmsg_out::RecvMsgOut
#[inline]
pub fn recvmsg_multishot(sqe: &mut io_uring_sqe, fd: i32, msg: *mut msghdr, flags: u32) {
    recvmsg(sqe, fd, msg, flags);
    sqe.ioprio |= IORING_RECV_MULTISHOT as u16;
}

/// Prepares a `recv(2)` of up to `len` bytes into a buffer the kernel picks
/// from provided-buffer group `buf_group` (a [`BufRing`] or
/// [`provide_buffers`](super::provide_buffers)).
///
/// Companion of [`recv`] (not in liburing): `recv(sqe, sockfd, NULL, len,
/// flags)`, then `IOSQE_BUFFER_SELECT` ORed into `sqe->flags` and
/// `sqe->buf_group = buf_group`, which is what a C caller writes by hand.
/// No address to get right: the buffer comes from the group. `len` 0 means
/// "the buffer's size". The CQE's `flags` name the buffer
/// ([`BufRing::consume`]).
///
/// Opcode: `IORING_OP_RECV`, kernel 5.7+ (provided buffers; buffer rings
/// 5.19+). Errors in `cqe.res`: `-ENOBUFS` when the group has no buffer.
///
/// [`BufRing`]: crate::buf_ring::BufRing
/// [`BufRing::consume`]: crate::buf_ring::BufRing::consume
#[inline]
pub const fn recv_select(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    len: usize,
    flags: i32,
    buf_group: u16,
) {
    prep_rw(IORING_OP_RECV, sqe, sockfd, 0, len as u32, 0);
    sqe.set_msg_flags(flags as u32);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(buf_group);
}

/// Prepares a multishot `recv(2)` on provided-buffer group `buf_group`: one
/// CQE per received chunk, each in a buffer the kernel picks, until an
/// error, end of stream or cancellation (the final CQE lacks
/// `IORING_CQE_F_MORE`).
///
/// Companion of [`recv_multishot`] (not in liburing):
/// `recv_multishot(sqe, sockfd, NULL, 0, flags)`, then
/// `IOSQE_BUFFER_SELECT` ORed into `sqe->flags` and `sqe->buf_group =
/// buf_group`; multishot receives always take their buffers from a group,
/// so the C helper's `buf`/`len` are null/0 by design.
///
/// Opcode: `IORING_OP_RECV` with `IORING_RECV_MULTISHOT`, kernel 6.0+.
/// Errors in `cqe.res`: `-ENOBUFS` (the group ran dry; the request ends and
/// must be re-armed), the socket's errors.
///
/// # Example
/// ```
/// # extern crate std;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixDatagram;
/// use bare_uring::buf_ring::BufRing;
/// use bare_uring::sys::IORING_CQE_F_MORE;
/// use bare_uring::{prep, Ring};
///
/// let mut ring = Ring::queue_init(8, 0)?;
/// // Never freed: a request still in flight when a `?` returns early
/// // cannot outlive it (see `BufRing::setup`).
/// let mem = std::boxed::Box::leak(std::vec![0u8; 4 * 64].into_boxed_slice());
/// let mut br = BufRing::setup_static(&ring, 4, 7, 0, mem, 64)?;
/// br.publish_all()?;
///
/// let (a, b) = UnixDatagram::pair().unwrap();
/// // SAFETY: no address in this request: the kernel writes only into
/// // buffers of group 7, which `br` owns until after the final CQE.
/// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
/// prep::recv_multishot_select(sqe, b.as_raw_fd(), 0, br.bgid());
/// ring.submit()?;
///
/// for msg in [&b"one"[..], b"two"] {
///     a.send(msg).unwrap();
///     let cqe = ring.wait_cqe()?;
///     ring.cqe_seen(&cqe);
///     assert!(cqe.flags & IORING_CQE_F_MORE != 0, "still armed");
///     let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
///     // SAFETY: this CQE handed buffer `c.bid` back to us.
///     assert_eq!(unsafe { br.data(&c) }, msg);
///     br.recycle(c.bid)?;
/// }
/// // Datagram sockets have no end of stream: cancel to end the request.
/// // SAFETY: a cancel points to no memory.
/// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
/// prep::cancel_fd(sqe, b.as_raw_fd(), 0);
/// ring.submit_and_wait(2)?;
/// for _ in 0..2 {
///     let cqe = ring.wait_cqe()?;
///     ring.cqe_seen(&cqe);
/// }
/// br.free()?;
/// # Ok::<(), bare_uring::Errno>(())
/// ```
#[inline]
pub const fn recv_multishot_select(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    flags: i32,
    buf_group: u16,
) {
    recv_select(sqe, sockfd, 0, flags, buf_group);
    sqe.ioprio |= IORING_RECV_MULTISHOT as u16;
}
