//! Sending on sockets: send, sendto, zero-copy send, sendmsg, bundles.
//!
//! liburing man pages: `io_uring_prep_send(3)` (with `send_bundle`,
//! `send_set_addr`, `sendto`), `io_uring_prep_send_zc(3)` (with
//! `send_zc_fixed`), `io_uring_prep_sendmsg(3)` (with `sendmsg_zc`,
//! `sendmsg_zc_fixed`).
//!
//! ABI notes: `MSG_*` flags go in `sqe->msg_flags`; the io_uring-specific
//! `IORING_RECVSEND_*` flags go in `sqe->ioprio`. Zero-copy sends post two
//! CQEs: the result (with `IORING_CQE_F_MORE`) and a notification
//! (`IORING_CQE_F_NOTIF`) once the kernel no longer reads the buffer.
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_SEND_ZC, IORING_RECVSEND_FIXED_BUF};
//!
//! let data = *b"hello";
//! let mut sqe = io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::send_zc_fixed(&mut sqe, 3, data.as_ptr().cast(), data.len(), 0, 0, 7);
//! assert_eq!(sqe.opcode as u32, IORING_OP_SEND_ZC);
//! assert_eq!(sqe.len, 5);
//! assert_eq!(sqe.ioprio as u32, IORING_RECVSEND_FIXED_BUF);
//! assert_eq!(sqe.buf_index(), 7);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{
    io_uring_sqe, iovec, msghdr, sockaddr, socklen_t, IORING_OP_SEND, IORING_OP_SENDMSG,
    IORING_OP_SENDMSG_ZC, IORING_OP_SEND_ZC, IORING_RECVSEND_BUNDLE, IORING_RECVSEND_FIXED_BUF,
    IORING_SEND_VECTORIZED, IOSQE_BUFFER_SELECT,
};

use super::rw::prep_rw;

/// Prepares a `send(2)` of `len` bytes at `buf` on socket `sockfd`.
///
/// Mirrors `io_uring_prep_send()` (liburing). Opcode: `IORING_OP_SEND`,
/// kernel 5.6+. `len` is truncated to 32 bits like C's `(__u32) len`.
///
/// # Memory
/// `buf` points to `len` readable bytes that stay valid until the CQE
/// arrives (the kernel reads them, possibly after submission). With
/// `IOSQE_BUFFER_SELECT`, `buf` may be null.
///
/// # Example
/// ```
/// # extern crate std;
/// use std::io::Read;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use bare_uring::{prep, Ring};
///
/// let (a, mut b) = UnixStream::pair().unwrap();
/// let mut ring = Ring::queue_init(4, 0)?;
/// let data = *b"hello";
/// // SAFETY: `data` outlives the send, whose CQE is awaited below.
/// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
/// prep::send(sqe, a.as_raw_fd(), data.as_ptr().cast(), data.len(), 0);
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// assert_eq!(cqe.res, 5); // bytes sent
/// ring.cqe_seen(&cqe);
///
/// let mut got = [0u8; 5];
/// b.read_exact(&mut got).unwrap();
/// assert_eq!(&got, b"hello");
/// # Ok::<(), bare_uring::Errno>(())
/// ```
#[inline]
pub fn send(sqe: &mut io_uring_sqe, sockfd: i32, buf: *const c_void, len: usize, flags: i32) {
    prep_rw(
        IORING_OP_SEND,
        sqe,
        sockfd,
        buf as usize as u64,
        len as u32,
        0,
    );
    sqe.set_msg_flags(flags as u32);
}

/// Prepares a bundled send: data from several provided buffers of the group
/// in `sqe->buf_group` (set `IOSQE_BUFFER_SELECT`) goes out in one request.
///
/// Mirrors `io_uring_prep_send_bundle()` (liburing). Opcode:
/// `IORING_OP_SEND` with `IORING_RECVSEND_BUNDLE` ORed into `sqe->ioprio`,
/// kernel 6.10+. No buffer address: `addr` is 0.
///
/// # Example
/// Three buffers staged in a [`BufRing`] leave in one request; the CQE is
/// decoded with [`BufRing::consume_bundle`]:
/// ```
/// # extern crate std;
/// use std::io::Read;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use bare_uring::buf_ring::BufRing;
/// use bare_uring::sys::IOSQE_BUFFER_SELECT;
/// use bare_uring::{prep, Ring};
///
/// let mut ring = Ring::queue_init(4, 0)?;
/// // Never freed: a request still in flight when a `?` returns early
/// // cannot outlive it (see `BufRing::setup`).
/// let mem = std::boxed::Box::leak(std::vec![0u8; 4 * 16].into_boxed_slice());
/// let mut br = BufRing::setup_static(&ring, 4, 2, 0, mem, 16)?;
/// for (bid, part) in [&b"alpha "[..], b"beta ", b"gamma"].into_iter().enumerate() {
///     // SAFETY: not published yet: the buffer is ours.
///     let buf = unsafe { br.buf_mut(bid as u16) }.expect("bid in range");
///     buf[..part.len()].copy_from_slice(part);
///     br.push(bid as u16, part.len() as u32)?;
/// }
/// br.commit();
///
/// let (a, mut b) = UnixStream::pair().unwrap();
/// // SAFETY: no address: the kernel reads group 2's published buffers,
/// // which `br` keeps until after the CQE.
/// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
/// prep::send_bundle(sqe, a.as_raw_fd(), 0, 0);
/// sqe.flags |= IOSQE_BUFFER_SELECT; // or prep::send_bundle_select
/// sqe.set_buf_group(br.bgid());
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// ring.cqe_seen(&cqe);
/// assert_eq!(cqe.res, 16);
///
/// let bundle = br.consume_bundle(cqe.res, cqe.flags)?;
/// let used: Vec<(u16, u32)> = br.bundle_bufs(&bundle).collect();
/// assert_eq!(used, [(0, 6), (1, 5), (2, 5)]); // (bid, bytes sent)
///
/// let mut got = [0u8; 16];
/// b.read_exact(&mut got).unwrap();
/// assert_eq!(&got, b"alpha beta gamma");
/// br.free()?;
/// # Ok::<(), bare_uring::Errno>(())
/// ```
///
/// [`BufRing`]: crate::buf_ring::BufRing
/// [`BufRing::consume_bundle`]: crate::buf_ring::BufRing::consume_bundle
#[inline]
pub const fn send_bundle(sqe: &mut io_uring_sqe, sockfd: i32, len: usize, flags: i32) {
    // `io_uring_prep_send(sqe, sockfd, NULL, len, flags)`, spelled out so
    // that no pointer cast keeps this from being `const`.
    prep_rw(IORING_OP_SEND, sqe, sockfd, 0, len as u32, 0);
    sqe.set_msg_flags(flags as u32);
    sqe.ioprio |= IORING_RECVSEND_BUNDLE as u16;
}

/// Prepares a bundled send from provided-buffer group `buf_group`: the
/// kernel sends the data of as many consecutive published buffers of the
/// group as fit in `len` bytes (0: no limit) in one request.
///
/// Companion of [`send_bundle`] (not in liburing): `send_bundle(sqe,
/// sockfd, len, flags)`, then `IOSQE_BUFFER_SELECT` ORed into `sqe->flags`
/// and `sqe->buf_group = buf_group`, which a C caller writes by hand.
/// `cqe.res` is the bytes sent; the CQE's `flags` name the first buffer
/// (`BufRing::consume_bundle` walks the rest).
///
/// Opcode: `IORING_OP_SEND` with `IORING_RECVSEND_BUNDLE`, kernel 6.10+.
/// Errors in `cqe.res`: `-ENOBUFS` (no published buffer), `-EINVAL` on
/// kernels without bundles, the socket's errors.
#[inline]
pub const fn send_bundle_select(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    len: usize,
    flags: i32,
    buf_group: u16,
) {
    send_bundle(sqe, sockfd, len, flags);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(buf_group);
}

/// Prepares a vectored `send(2)`: the data of the `nr_vecs` buffers
/// described by `iovecs`, in order, as one send on socket `sockfd`.
///
/// liburing 2.15 has no helper for this: it is [`send`] with `addr` the
/// `iovec` array, `len` its count and `IORING_SEND_VECTORIZED` ORed into
/// `sqe->ioprio` (io_uring.h: "SEND\[_ZC\] will take a pointer to a
/// io_vec"). Unlike [`sendmsg`] it needs no `msghdr`.
///
/// Opcode: `IORING_OP_SEND` with `IORING_SEND_VECTORIZED`, kernel 6.17+
/// (older kernels fail it with `-EINVAL`). Errors in `cqe.res`: the
/// socket's, `-EFAULT` for a bad `iovec`.
///
/// # Memory
/// The `nr_vecs` `iovec`s at `iovecs`, and every buffer they describe, stay
/// valid for reads until the CQE arrives.
#[inline]
pub fn send_vectorized(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    iovecs: *const iovec,
    nr_vecs: u32,
    flags: i32,
) {
    prep_rw(
        IORING_OP_SEND,
        sqe,
        sockfd,
        iovecs as usize as u64,
        nr_vecs,
        0,
    );
    sqe.set_msg_flags(flags as u32);
    sqe.ioprio |= IORING_SEND_VECTORIZED as u16;
}

/// Sets the destination address of a prepared send (`sendto(2)`-style):
/// `sqe->addr2 = dest_addr`, `sqe->addr_len = addr_len`.
///
/// Mirrors `io_uring_prep_send_set_addr()` (liburing). For `IORING_OP_SEND`
/// and `IORING_OP_SEND_ZC`, kernel 6.0+. Writes only those two fields.
///
/// # Memory
/// `dest_addr` points to `addr_len` readable bytes that stay valid until the
/// CQE arrives.
#[inline]
pub fn send_set_addr(sqe: &mut io_uring_sqe, dest_addr: *const sockaddr, addr_len: u16) {
    sqe.set_addr2(dest_addr as usize as u64);
    sqe.set_addr_len(addr_len);
}

/// Prepares a `sendto(2)`: [`send`] plus a destination address.
///
/// Mirrors `io_uring_prep_sendto()` (liburing). Opcode: `IORING_OP_SEND`,
/// kernel 6.0+. `addrlen` is truncated to the 16-bit `sqe->addr_len`.
///
/// # Memory
/// As for [`send`] and [`send_set_addr`].
///
/// # Example
/// ```
/// # extern crate std;
/// use std::net::UdpSocket;
/// use std::os::fd::AsRawFd;
/// use bare_uring::sys::{in_addr, sockaddr_in};
/// use bare_uring::{prep, Ring};
///
/// let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
/// let tx = UdpSocket::bind("127.0.0.1:0").unwrap(); // not connected
/// let to = sockaddr_in {
///     sin_family: 2, // AF_INET
///     sin_port: rx.local_addr().unwrap().port().to_be(),
///     sin_addr: in_addr { s_addr: u32::from_ne_bytes([127, 0, 0, 1]) },
///     sin_zero: [0; 8],
/// };
/// let data = *b"datagram";
/// let mut ring = Ring::queue_init(4, 0)?;
/// // SAFETY: `data` and `to` outlive the send, whose CQE is awaited below.
/// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
/// let to_ptr = (&to as *const sockaddr_in).cast();
/// prep::sendto(sqe, tx.as_raw_fd(), data.as_ptr().cast(), data.len(), 0, to_ptr, 16);
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// assert_eq!(cqe.res, 8);
/// ring.cqe_seen(&cqe);
///
/// let mut got = [0u8; 16];
/// let (n, from) = rx.recv_from(&mut got).unwrap();
/// assert_eq!((&got[..n], from), (&b"datagram"[..], tx.local_addr().unwrap()));
/// # Ok::<(), bare_uring::Errno>(())
/// ```
///
/// To answer a datagram received with multishot `recvmsg`, pass the
/// sender's address from `RecvMsgOut::name_addr` (see
/// [`recvmsg_out`](crate::recvmsg_out)).
#[inline]
pub fn sendto(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    buf: *const c_void,
    len: usize,
    flags: i32,
    addr: *const sockaddr,
    addrlen: socklen_t,
) {
    {
        send(sqe, sockfd, buf, len, flags);
        send_set_addr(sqe, addr, addrlen as u16);
    }
}

/// Prepares a zero-copy send of `len` bytes at `buf`.
///
/// Mirrors `io_uring_prep_send_zc()` (liburing). Opcode:
/// `IORING_OP_SEND_ZC`, kernel 6.0+. `zc_flags` (`IORING_RECVSEND_POLL_FIRST`,
/// `IORING_SEND_ZC_REPORT_USAGE`, ...) is *assigned* to `sqe->ioprio`
/// (truncated to 16 bits), replacing what was there.
///
/// # Memory
/// `buf` points to `len` readable bytes that stay valid and unmodified until
/// the notification CQE (`IORING_CQE_F_NOTIF`) arrives, not just the first
/// CQE: the kernel transmits straight from this memory.
#[inline]
pub fn send_zc(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    buf: *const c_void,
    len: usize,
    flags: i32,
    zc_flags: u32,
) {
    prep_rw(
        IORING_OP_SEND_ZC,
        sqe,
        sockfd,
        buf as usize as u64,
        len as u32,
        0,
    );
    sqe.set_msg_flags(flags as u32);
    sqe.ioprio = zc_flags as u16;
}

/// Prepares a zero-copy send from registered buffer `buf_index`.
///
/// Mirrors `io_uring_prep_send_zc_fixed()` (liburing). Opcode:
/// `IORING_OP_SEND_ZC` with `IORING_RECVSEND_FIXED_BUF` ORed into
/// `sqe->ioprio`, kernel 6.0+. `buf_index` is truncated to 16 bits.
///
/// # Memory
/// As for [`send_zc`]; `buf..buf+len` lies inside registered buffer
/// `buf_index`.
#[inline]
pub fn send_zc_fixed(
    sqe: &mut io_uring_sqe,
    sockfd: i32,
    buf: *const c_void,
    len: usize,
    flags: i32,
    zc_flags: u32,
    buf_index: u32,
) {
    send_zc(sqe, sockfd, buf, len, flags, zc_flags);
    sqe.ioprio |= IORING_RECVSEND_FIXED_BUF as u16;
    sqe.set_buf_index(buf_index as u16);
}

/// Prepares a `sendmsg(2)` on socket `fd`.
///
/// Mirrors `io_uring_prep_sendmsg()` (liburing). Opcode:
/// `IORING_OP_SENDMSG`, kernel 5.3+. `len` is 1 (one `msghdr`).
///
/// # Memory
/// `msg` and everything it points to (name, iovecs and their buffers,
/// control data) stay valid and readable until the CQE arrives.
#[inline]
pub fn sendmsg(sqe: &mut io_uring_sqe, fd: i32, msg: *const msghdr, flags: u32) {
    prep_rw(IORING_OP_SENDMSG, sqe, fd, msg as usize as u64, 1, 0);
    sqe.set_msg_flags(flags);
}

/// Prepares a zero-copy `sendmsg(2)`.
///
/// Mirrors `io_uring_prep_sendmsg_zc()` (liburing). Opcode:
/// `IORING_OP_SENDMSG_ZC` (written over `sendmsg`'s opcode), kernel 6.1+.
///
/// # Memory
/// As for [`sendmsg`], and the data buffers stay valid and unmodified until
/// the notification CQE (`IORING_CQE_F_NOTIF`) arrives.
#[inline]
pub fn sendmsg_zc(sqe: &mut io_uring_sqe, fd: i32, msg: *const msghdr, flags: u32) {
    sendmsg(sqe, fd, msg, flags);
    sqe.opcode = IORING_OP_SENDMSG_ZC as u8;
}

/// Prepares a zero-copy `sendmsg(2)` whose iovecs lie in registered buffer
/// `buf_index`.
///
/// Mirrors `io_uring_prep_sendmsg_zc_fixed()` (liburing). Opcode:
/// `IORING_OP_SENDMSG_ZC` with `IORING_RECVSEND_FIXED_BUF` ORed into
/// `sqe->ioprio`, kernel 6.15+. `buf_index` is truncated to 16 bits.
///
/// # Memory
/// As for [`sendmsg_zc`]; the iovecs lie inside registered buffer
/// `buf_index`.
#[inline]
pub fn sendmsg_zc_fixed(
    sqe: &mut io_uring_sqe,
    fd: i32,
    msg: *const msghdr,
    flags: u32,
    buf_index: u32,
) {
    sendmsg_zc(sqe, fd, msg, flags);
    sqe.ioprio |= IORING_RECVSEND_FIXED_BUF as u16;
    sqe.set_buf_index(buf_index as u16);
}
