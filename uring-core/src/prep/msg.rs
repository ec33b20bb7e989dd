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
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_MSG_RING_FLAGS_PASS, IORING_OP_MSG_RING};
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

use bare_uring_sys::{
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
///
/// # Example
/// The target's CQE carries flags of our choosing (here a value in the
/// upper 16 bits, where buffer ids usually go):
/// ```
/// use bare_uring::{prep, Ring};
///
/// let mut a = Ring::queue_init(4, 0)?;
/// let mut b = Ring::queue_init(4, 0)?;
/// // SAFETY: a MSG_RING data message points to no memory.
/// let sqe = unsafe { a.get_sqe() }.expect("SQ has room");
/// prep::msg_ring_cqe_flags(sqe, b.ring_fd(), 42, 0xfeed, 0, 7 << 16);
/// a.submit_and_wait(1)?;
/// let sent = a.wait_cqe()?;
/// assert_eq!(sent.res, 0);
/// a.cqe_seen(&sent);
///
/// let cqe = b.wait_cqe()?;
/// assert_eq!((cqe.res, cqe.user_data, cqe.flags), (42, 0xfeed, 7 << 16));
/// b.cqe_seen(&cqe);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
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
///
/// # Example
/// ```
/// use bare_uring::{prep, Ring};
///
/// let mut a = Ring::queue_init(4, 0)?;
/// let mut b = Ring::queue_init(4, 0)?;
/// // SAFETY: a MSG_RING data message points to no memory.
/// let sqe = unsafe { a.get_sqe() }.expect("SQ has room");
/// prep::msg_ring(sqe, b.ring_fd(), 42, 0xfeed, 0);
/// sqe.user_data = 1;
/// a.submit()?;
///
/// let cqe = b.wait_cqe()?; // on the target: the message
/// assert_eq!((cqe.res, cqe.user_data, cqe.flags), (42, 0xfeed, 0));
/// b.cqe_seen(&cqe);
/// let cqe = a.wait_cqe()?; // on the sender: the send's result
/// assert_eq!((cqe.user_data, cqe.res), (1, 0));
/// a.cqe_seen(&cqe);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
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
///
/// # Example
/// Ring `a` hands the socket in its slot 0 to ring `b`'s slot 2; `b`
/// then writes to it through that slot:
/// ```
/// # extern crate std;
/// use std::io::Read;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use bare_uring::sys::IOSQE_FIXED_FILE;
/// use bare_uring::{prep, Ring};
///
/// let (x, mut y) = UnixStream::pair().unwrap();
/// let mut a = Ring::queue_init(4, 0)?;
/// let mut b = Ring::queue_init(4, 0)?;
/// // SAFETY: `x` is open and owned here for the call (I/O safety).
/// unsafe { a.register_files(&[x.as_raw_fd()]) }?; // a's slot 0: `x`
/// b.register_files_sparse(4)?; // b: 4 empty slots
///
/// // SAFETY: passing a direct descriptor points to no memory.
/// let sqe = unsafe { a.get_sqe() }.expect("SQ has room");
/// prep::msg_ring_fd(sqe, b.ring_fd(), 0, 2, 0xfd, 0);
/// a.submit_and_wait(1)?;
/// let sent = a.wait_cqe()?;
/// assert_eq!(sent.res, 0);
/// a.cqe_seen(&sent);
/// let cqe = b.wait_cqe()?; // b is told, with our `data`
/// assert_eq!((cqe.user_data, cqe.res), (0xfd, 0));
/// b.cqe_seen(&cqe);
///
/// let msg = *b"via b";
/// // SAFETY: `msg` outlives the write, whose CQE is awaited below.
/// let sqe = unsafe { b.get_sqe() }.expect("SQ has room");
/// prep::write(sqe, 2, msg.as_ptr().cast(), msg.len() as u32, 0);
/// sqe.flags |= IOSQE_FIXED_FILE; // fd 2 means b's slot 2
/// b.submit_and_wait(1)?;
/// let cqe = b.wait_cqe()?;
/// assert_eq!(cqe.res, 5);
/// b.cqe_seen(&cqe);
/// let mut got = [0u8; 5];
/// y.read_exact(&mut got).unwrap();
/// assert_eq!(&got, b"via b");
/// # Ok::<(), bare_uring::Errno>(())
/// ```
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
///
/// # Example
/// ```
/// # extern crate std;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use bare_uring::{prep, Ring};
///
/// let (x, _y) = UnixStream::pair().unwrap();
/// let mut a = Ring::queue_init(4, 0)?;
/// let mut b = Ring::queue_init(4, 0)?;
/// // SAFETY: `x` is open and owned here for the call (I/O safety).
/// unsafe { a.register_files(&[x.as_raw_fd()]) }?;
/// b.register_files_sparse(4)?;
///
/// // SAFETY: passing a direct descriptor points to no memory.
/// let sqe = unsafe { a.get_sqe() }.expect("SQ has room");
/// prep::msg_ring_fd_alloc(sqe, b.ring_fd(), 0, 0xa110c, 0);
/// a.submit_and_wait(1)?;
/// let sent = a.wait_cqe()?;
/// assert_eq!(sent.res, 0);
/// a.cqe_seen(&sent);
/// let cqe = b.wait_cqe()?;
/// b.cqe_seen(&cqe);
/// assert_eq!(cqe.user_data, 0xa110c);
/// let slot = cqe.res as u32; // the slot b's table gave the file
/// assert!(slot < 4);
///
/// // b owns that slot now: close it.
/// // SAFETY: closing a direct descriptor points to no memory.
/// let sqe = unsafe { b.get_sqe() }.expect("SQ has room");
/// prep::close_direct(sqe, slot);
/// b.submit_and_wait(1)?;
/// let cqe = b.wait_cqe()?;
/// assert_eq!(cqe.res, 0);
/// b.cqe_seen(&cqe);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
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
