//! Ring-to-ring messaging: post a CQE on another ring (`IORING_OP_MSG_RING`),
//! pass a direct descriptor to it, or do either without a ring of your own.
//!
//! A message is a CQE that appears on the *target* ring: `res` is the
//! 32-bit `len` and `user_data` the 64-bit `data` you chose, `flags` is 0 or,
//! with [`send_cqe_flags`], exactly the flags you chose
//! (`IORING_MSG_RING_FLAGS_PASS`). The *sending* ring gets its own CQE with
//! the result (`res` 0, or `-errno`). Messages wake a thread blocked in
//! `wait_cqe` on the target, whatever its setup (`SINGLE_ISSUER |
//! DEFER_TASKRUN`, `IOPOLL`, a tiny CQ with overflow into the kernel's
//! backlog: nothing is lost with `IORING_FEAT_NODROP`).
//!
//! Order: messages from one sender arrive in the order sent, except on an
//! `IORING_SETUP_IOPOLL` target, whose lock the kernel only *tries* at
//! issue: on contention the message is retried from an io-wq worker and
//! later messages can overtake it (seen on 6.18).
//!
//! Passed CQE flags should not contain `IORING_CQE_F_SKIP` (the reaper,
//! ours and liburing's, drops such a CQE as padding) or `IORING_CQE_F_32`
//! (read as a 32-byte CQE on `CQE_MIXED` rings); the helpers here refuse
//! them.
//!
//! # Safety
//! A message is indistinguishable from a completion: whoever can name a
//! ring's fd can post it a CQE with any `user_data` and `res` (and, with
//! `FLAGS_PASS`, any flags), or replace one of its fixed-file slots. A ring
//! whose code takes a CQE with `user_data` 7 as "my read 7 is done, free its
//! buffer" would free memory the kernel still writes. So every function
//! here that targets a ring by raw fd is `unsafe`, with one contract:
//!
//! - `target_fd` is a ring whose owner expects *this* message: the
//!   `user_data`/`data` it carries never matches a request of that ring
//!   still in flight, and its `res`/`flags` (`IORING_CQE_F_BUFFER`,
//!   `IORING_CQE_F_MORE`, ...) are ones the target does not act on as the
//!   completion of its own requests (e.g. a `user_data` range reserved for
//!   messages);
//! - for fd passing, the target slot is one its owner expects to be
//!   filled (a passed file replaces what the slot held).
//!
//! See the [safety model](crate#safety-model).
//!
//! These helpers only save the `get_sqe` / `prep` / `user_data` lines; the
//! liburing-named building blocks are [`prep::msg_ring`],
//! [`prep::msg_ring_cqe_flags`], [`prep::msg_ring_fd`],
//! [`prep::msg_ring_fd_alloc`] and [`register_sync_msg`].
//!
//! ```
//! use bare_uring::{msg, Ring};
//! # fn main() -> Result<(), bare_uring::Errno> {
//! let mut a = Ring::queue_init(4, 0)?;
//! let mut b = Ring::queue_init(4, 0)?;
//! // SAFETY: b is ours and takes user_data 0xfeed as a message, not as
//! // the completion of a request (it has none).
//! unsafe { msg::send(&mut a, b.ring_fd(), 42, 0xfeed, 1) }?;
//! a.submit()?;
//! let cqe = b.wait_cqe()?; // on the target: the message
//! assert_eq!((cqe.res, cqe.user_data), (42, 0xfeed));
//! b.cqe_seen(&cqe);
//! let cqe = a.wait_cqe()?; // on the sender: the send's result
//! assert_eq!((cqe.user_data, cqe.res), (1, 0));
//! a.cqe_seen(&cqe);
//! # Ok(()) }
//! ```
//!
//! Errors arrive in the sender's CQE: `-EBADFD` target is not an io_uring
//! (or is still `R_DISABLED`), `-EBADF` target fd not open, `-EINVAL`
//! unknown flags, `-EOVERFLOW` the target could not take the CQE.
//! Kernel: 5.18+ (data), 6.0+ (fd passing), 6.3+ (`FLAGS_PASS`),
//! 6.13+ ([`sync_send`]).

use crate::register::register_sync_msg;
use crate::{prep, Errno, Ring};
use bare_uring_sys::{io_uring_sqe, IORING_CQE_F_32, IORING_CQE_F_SKIP};

/// CQE flags a reaper interprets itself; [`send_cqe_flags`] refuses them.
pub const RESERVED_CQE_FLAGS: u32 = IORING_CQE_F_SKIP | IORING_CQE_F_32;

/// Queues a message to ring `target_fd`: it will get a CQE with
/// `res = len as i32` and `user_data = data`. The sending ring's CQE has
/// `user_data`. Submit to send.
///
/// [`prep::msg_ring`] + `sqe.user_data`. Kernel: 5.18+.
///
/// Errors: `EBUSY` if the submission queue is full (submit and retry).
/// # Safety
/// The [messaging contract](self#safety): `target_fd` is a ring that expects
/// this message. See the [safety model](crate#safety-model).
pub unsafe fn send(
    ring: &mut Ring,
    target_fd: i32,
    len: u32,
    data: u64,
    user_data: u64,
) -> Result<(), Errno> {
    // SAFETY: a MSG_RING data message points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::msg_ring(sqe, target_fd, len, data, 0);
    sqe.user_data = user_data;
    Ok(())
}

/// As [`send`], and the target CQE's `flags` are exactly `cqe_flags`.
///
/// [`prep::msg_ring_cqe_flags`] with `IORING_MSG_RING_FLAGS_PASS`.
/// Kernel: 6.3+.
///
/// Errors: `EINVAL` if `cqe_flags` has a [`RESERVED_CQE_FLAGS`] bit;
/// `EBUSY` if the submission queue is full.
/// # Safety
/// The [messaging contract](self#safety): `target_fd` is a ring that expects
/// this message. See the [safety model](crate#safety-model).
pub unsafe fn send_cqe_flags(
    ring: &mut Ring,
    target_fd: i32,
    len: u32,
    data: u64,
    cqe_flags: u32,
    user_data: u64,
) -> Result<(), Errno> {
    if cqe_flags & RESERVED_CQE_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: a MSG_RING data message points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::msg_ring_cqe_flags(sqe, target_fd, len, data, 0, cqe_flags);
    sqe.user_data = user_data;
    Ok(())
}

/// Queues passing direct descriptor `source_slot` of this ring's file table
/// to ring `target_fd`, into `target_slot`, or into a free slot the target
/// picks when `target_slot` is `IORING_FILE_INDEX_ALLOC`. The target gets a
/// CQE with `user_data = data` and `res` = the slot allocated (or 0),
/// unless `flags` has `IORING_MSG_RING_CQE_SKIP`. The file stays in our
/// table too.
///
/// [`prep::msg_ring_fd`]. Kernel: 6.0+.
///
/// Errors: `EBUSY` if the submission queue is full. In the sender's CQE:
/// `-EINVAL` target is this ring or slot out of range, `-ENFILE` no free
/// target slot, `-EBADF` empty source slot, `-ENXIO` target has no file
/// table.
///
/// ```
/// # extern crate std;
/// use std::io::Read;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use bare_uring::sys::IOSQE_FIXED_FILE;
/// use bare_uring::{msg, prep, Ring};
///
/// let (x, mut y) = UnixStream::pair().unwrap();
/// let mut a = Ring::queue_init(4, 0)?;
/// let mut b = Ring::queue_init(4, 0)?;
/// // SAFETY: `x` is open and owned here for the call (I/O safety).
/// unsafe { a.register_files(&[x.as_raw_fd()]) }?; // a's slot 0: `x`
/// b.register_files_sparse(2)?;
///
/// // a's slot 0 -> b's slot 1; b's CQE gets user_data 0xfd.
/// // SAFETY: b is ours and expects a file in slot 1, announced by user_data
/// // 0xfd, which none of its requests uses.
/// unsafe { msg::send_fd(&mut a, b.ring_fd(), 0, 1, 0xfd, 0, 9) }?;
/// a.submit_and_wait(1)?;
/// let sent = a.wait_cqe()?;
/// assert_eq!((sent.user_data, sent.res), (9, 0));
/// a.cqe_seen(&sent);
/// let got = b.wait_cqe()?;
/// assert_eq!((got.user_data, got.res), (0xfd, 0));
/// b.cqe_seen(&got);
///
/// // b uses the socket through its slot 1.
/// let hello = *b"hello";
/// // SAFETY: `hello` outlives the send, whose CQE is awaited below.
/// let sqe = unsafe { b.get_sqe() }.expect("SQ has room");
/// prep::send(sqe, 1, hello.as_ptr().cast(), hello.len(), 0);
/// sqe.flags |= IOSQE_FIXED_FILE;
/// b.submit_and_wait(1)?;
/// let cqe = b.wait_cqe()?;
/// assert_eq!(cqe.res, 5);
/// b.cqe_seen(&cqe);
/// let mut buf = [0u8; 5];
/// y.read_exact(&mut buf).unwrap();
/// assert_eq!(&buf, b"hello");
/// # Ok::<(), bare_uring::Errno>(())
/// ```
///
/// # Safety
/// The [messaging contract](self#safety): `target_fd` is a ring that expects
/// this message. See the [safety model](crate#safety-model).
pub unsafe fn send_fd(
    ring: &mut Ring,
    target_fd: i32,
    source_slot: i32,
    target_slot: u32,
    data: u64,
    flags: u32,
    user_data: u64,
) -> Result<(), Errno> {
    // SAFETY: passing a direct descriptor points to no memory; the slots
    // are bounds-checked by the kernel.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::msg_ring_fd(sqe, target_fd, source_slot, target_slot as i32, data, flags);
    sqe.user_data = user_data;
    Ok(())
}

/// Posts a message on ring `target_fd` right now, without a ring of our
/// own (any thread may call it): a CQE with `res = len as i32` and
/// `user_data = data`. Waiters on the target are woken before it returns.
///
/// [`prep::msg_ring`] on a zeroed SQE + [`register_sync_msg`].
/// Kernel: 6.13+.
///
/// Errors: `EBADFD` target not an io_uring or disabled, `EBADF` fd not
/// open.
///
/// ```
/// use bare_uring::{msg, Ring};
/// # fn main() -> Result<(), bare_uring::Errno> {
/// let mut ring = Ring::queue_init(4, 0)?;
/// let fd = ring.ring_fd();
/// // SAFETY: `ring` is ours; user_data 0x5eed is reserved for this message.
/// std::thread::spawn(move || unsafe { msg::sync_send(fd, 7, 0x5eed) })
///     .join()
///     .unwrap()?;
/// let cqe = ring.wait_cqe()?;
/// assert_eq!((cqe.res, cqe.user_data), (7, 0x5eed));
/// # Ok(()) }
/// ```
///
/// # Safety
/// The [messaging contract](self#safety): `target_fd` is a ring that expects
/// this message. See the [safety model](crate#safety-model).
pub unsafe fn sync_send(target_fd: i32, len: u32, data: u64) -> Result<(), Errno> {
    let mut sqe = io_uring_sqe::default();
    prep::msg_ring(&mut sqe, target_fd, len, data, 0);
    // SAFETY: forwarded: the caller promised the target expects it.
    unsafe { register_sync_msg(&sqe) }.map(|_| ())
}

/// As [`sync_send`], and the target CQE's `flags` are exactly `cqe_flags`.
/// Kernel: 6.13+.
///
/// Errors: as [`sync_send`]; `EINVAL` if `cqe_flags` has a
/// [`RESERVED_CQE_FLAGS`] bit.
/// # Safety
/// The [messaging contract](self#safety): `target_fd` is a ring that expects
/// this message. See the [safety model](crate#safety-model).
pub unsafe fn sync_send_cqe_flags(
    target_fd: i32,
    len: u32,
    data: u64,
    cqe_flags: u32,
) -> Result<(), Errno> {
    if cqe_flags & RESERVED_CQE_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    let mut sqe = io_uring_sqe::default();
    prep::msg_ring_cqe_flags(&mut sqe, target_fd, len, data, 0, cqe_flags);
    // SAFETY: forwarded: the caller promised the target expects it.
    unsafe { register_sync_msg(&sqe) }.map(|_| ())
}
