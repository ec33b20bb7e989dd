//! Bounds-checked parsing of the buffers filled by multishot `recvmsg`.
//!
//! With `IORING_OP_RECVMSG` + `IORING_RECV_MULTISHOT` (see
//! `prep::recvmsg_multishot`), each completion's provided buffer holds,
//! back to back:
//!
//! ```text
//! | io_uring_recvmsg_out (16 bytes) | name: msg_namelen bytes | control: msg_controllen bytes | payload ... |
//! ```
//!
//! where `msg_namelen`/`msg_controllen` are those of the `msghdr` given to
//! the SQE (the kernel reserves that much room even when it writes less),
//! and `cqe.res` is the number of bytes used (header + both areas + the
//! payload bytes copied). The header's fields are what the kernel *got*:
//! `namelen` is the source address's full length (it may exceed
//! `msg_namelen`: only `msg_namelen` bytes are stored), `controllen` the
//! bytes of control messages written, `payloadlen` what the socket's
//! recvmsg returned and `flags` the `msg_flags` (`MSG_TRUNC`, `MSG_CTRUNC`,
//! ...). As with `recvmsg(2)`, a cut datagram sets `MSG_TRUNC` in `flags`,
//! and `payloadlen` is its full length only when `MSG_TRUNC` was also
//! passed in the request's flags; otherwise it is the bytes copied
//! (checked on kernel 6.18 by `tests/recvmsg_live.rs`).
//!
//! Two APIs:
//!
//! * the 1:1 twins of liburing's inline helpers ([`recvmsg_validate`],
//!   [`recvmsg_name`], [`recvmsg_cmsg_firsthdr`], [`recvmsg_cmsg_nexthdr`],
//!   [`recvmsg_payload`], [`recvmsg_payload_length`]) with C-like
//!   parameters. They agree with liburing on every buffer the kernel
//!   produces, and unlike liburing stay inside `[buf, buf + len)` on any
//!   buffer at all, given only that `buf` is readable for `len` bytes and
//!   `recvmsg_validate(buf, len, msgh)` accepted it;
//! * [`RecvMsgOut`], a safe view over a `&[u8]` whose accessors return
//!   sub-slices and cannot read outside it.
//!
//! # Where liburing 2.15 itself can read out of bounds
//! The buffer's header is written by the kernel, but an application that
//! parses untrusted bytes (or a kernel bug, or a buffer reused before the
//! CQE) gets no protection from liburing's helpers:
//!
//! 1. `io_uring_recvmsg_cmsg_firsthdr()` tests the header's `controllen`,
//!    not `msgh->msg_controllen` (which `validate` checked against the
//!    buffer). With `msg_controllen == 0` and a forged `controllen >= 16`
//!    it returns a `cmsghdr` starting where the payload starts, possibly at
//!    `buf + len` exactly; reading its `cmsg_len` reads past the buffer.
//! 2. `io_uring_recvmsg_cmsg_nexthdr()` bounds the walk by
//!    `firsthdr + o->controllen`, again the forged value rather than the
//!    checked control area, so it walks through the payload and beyond the
//!    buffer's end.
//! 3. `CMSG_ALIGN(cmsg->cmsg_len)` with a `cmsg_len` near `SIZE_MAX` wraps
//!    (pointer overflow, undefined behaviour in C): the "next" header then
//!    lands *before* the current one, possibly before `buf`, and passes
//!    both `> end` checks.
//! 4. The first control message's `cmsg_len` is never checked against the
//!    control area, so `CMSG_DATA(cmsg)` for `cmsg_len - 16` bytes may run
//!    past the buffer.
//! 5. The header's `namelen` may exceed `msg_namelen` (the kernel reports
//!    the full address length but stores only `msg_namelen` bytes): reading
//!    `o->namelen` bytes at `io_uring_recvmsg_name(o)` overruns the name
//!    area.
//! 6. The header is accessed through a `struct io_uring_recvmsg_out *` cast
//!    from `buf` with no alignment check.
//!
//! Here: control-area bounds use `min(o.controllen, msg_controllen)`
//! (identical on kernel-written buffers, where `controllen <=
//! msg_controllen`), every sum is checked, the header is read unaligned,
//! and [`RecvMsgOut::name`] is clamped to the stored bytes.
//!
//! # Example
//! ```
//! use bare_uring::recvmsg_out::RecvMsgOut;
//!
//! // A buffer as the kernel fills it: header, 16-byte name area,
//! // no control area, 5-byte payload.
//! let mut buf = [0u8; 16 + 16 + 5];
//! buf[0..4].copy_from_slice(&16u32.to_ne_bytes()); // namelen
//! buf[8..12].copy_from_slice(&5u32.to_ne_bytes()); // payloadlen
//! buf[32..].copy_from_slice(b"hello");
//! let out = RecvMsgOut::from_lens(&buf, 16, 0).unwrap();
//! assert_eq!(out.name().len(), 16);
//! assert_eq!(out.payload(), b"hello");
//! assert_eq!(out.cmsgs().count(), 0);
//! ```
//!
//! # End to end: a UDP echo over multishot recvmsg and a buffer ring
//! One `recvmsg` request receives every datagram into buffers of a
//! [`BufRing`](crate::buf_ring::BufRing); each is parsed with
//! [`RecvMsgOut`] and answered at the sender's address
//! ([`RecvMsgOut::name_addr`], a copy, so the buffer goes back at once).
//! ```
//! # extern crate std;
//! use std::net::UdpSocket;
//! use std::os::fd::AsRawFd;
//! use bare_uring::buf_ring::BufRing;
//! use bare_uring::recvmsg_out::RecvMsgOut;
//! use bare_uring::sys::{msghdr, IORING_CQE_F_MORE, IOSQE_BUFFER_SELECT};
//! use bare_uring::{prep, Errno, Ring};
//!
//! let server = UdpSocket::bind("127.0.0.1:0").unwrap();
//! let client = UdpSocket::bind("127.0.0.1:0").unwrap();
//! let mut ring = Ring::queue_init(8, 0)?;
//! // Never freed: a request still in flight when a `?` returns early
//! // cannot outlive it (see `BufRing::setup`).
//! let mem = std::boxed::Box::leak(std::vec![0u8; 8 * 128].into_boxed_slice());
//! let mut br = BufRing::setup_static(&ring, 8, 1, 0, mem, 128)?;
//! br.publish_all()?;
//!
//! // Each buffer: 16-byte header, a 16-byte name area (sockaddr_in), no
//! // control area, then the payload.
//! let mut msg = msghdr { msg_namelen: 16, ..msghdr::zeroed() };
//! // SAFETY: the kernel reads `msg` and writes group 1's buffers; both
//! // outlive the request, whose final CQE is reaped below.
//! let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
//! prep::recvmsg_multishot(sqe, server.as_raw_fd(), &mut msg, 0);
//! sqe.flags |= IOSQE_BUFFER_SELECT;
//! sqe.set_buf_group(br.bgid());
//! sqe.user_data = 1;
//! ring.submit()?;
//!
//! let to = server.local_addr().unwrap();
//! for word in [&b"ping"[..], b"hello"] {
//!     client.send_to(word, to).unwrap();
//!     let cqe = ring.wait_cqe()?;
//!     ring.cqe_seen(&cqe);
//!     assert!(cqe.user_data == 1 && cqe.flags & IORING_CQE_F_MORE != 0);
//!     let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
//!     // SAFETY: this CQE handed buffer `c.bid` back to us.
//!     let out = RecvMsgOut::new(unsafe { br.data(&c) }, &msg).expect("valid");
//!     let (payload, peer) = (out.payload().to_vec(), out.name_addr());
//!     br.recycle(c.bid)?; // `payload` and `peer` are copies
//!
//!     // SAFETY: `payload` and `peer` outlive the send, awaited below.
//!     let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
//!     let (buf, len) = (payload.as_ptr().cast(), payload.len());
//!     prep::sendto(sqe, server.as_raw_fd(), buf, len, 0, peer.as_ptr(), peer.len());
//!     sqe.user_data = 2;
//!     ring.submit_and_wait(1)?;
//!     let sent = ring.wait_cqe()?;
//!     ring.cqe_seen(&sent);
//!     assert_eq!((sent.user_data, sent.res), (2, len as i32));
//!
//!     let mut echo = [0u8; 16];
//!     let (n, from) = client.recv_from(&mut echo).unwrap();
//!     assert_eq!((&echo[..n], from), (word, to));
//! }
//!
//! // Stop receiving: the request's final CQE has no F_MORE.
//! // SAFETY: a cancel points to no memory.
//! let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
//! prep::cancel64(sqe, 1, 0);
//! ring.submit_and_wait(2)?;
//! for _ in 0..2 {
//!     let cqe = ring.wait_cqe()?;
//!     ring.cqe_seen(&cqe);
//!     if cqe.user_data == 1 {
//!         assert_eq!(cqe.flags & IORING_CQE_F_MORE, 0);
//!         assert!(Errno::ECANCELED.is_res(cqe.res));
//!     }
//! }
//! br.free()?;
//! # Ok::<(), bare_uring::Errno>(())
//! ```

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr::NonNull;

use bare_uring_sys::{
    cmsghdr, io_uring_recvmsg_out, msghdr, sockaddr, sockaddr_storage, socklen_t,
};

/// `MSG_TRUNC`: in [`RecvMsgOut::flags`], the payload was cut to fit the buffer.
pub const MSG_TRUNC: u32 = 0x20;
/// `MSG_CTRUNC`: in [`RecvMsgOut::flags`], control data was cut to fit.
pub const MSG_CTRUNC: u32 = 0x08;

/// Size of the header at the start of each buffer.
const HDR: usize = size_of::<io_uring_recvmsg_out>();
/// Size of `struct cmsghdr`.
const CMSG_HDR: usize = size_of::<cmsghdr>();

/// `CMSG_ALIGN(len)`, `None` on overflow (C would wrap).
#[inline]
const fn cmsg_align(len: usize) -> Option<usize> {
    let a = size_of::<usize>() - 1;
    match len.checked_add(a) {
        Some(v) => Some(v & !a),
        None => None,
    }
}

/// Checks that a buffer of `buf_len` bytes can hold the header plus the name
/// and control areas `msgh` reserves; returns the header pointer or `None`.
///
/// Mirrors `io_uring_recvmsg_validate()` (liburing). Kernel: 6.0+ (multishot
/// recvmsg). Returns `None` when `buf_len < 0`, when `buf_len < 16 +
/// msg_namelen + msg_controllen` (overflow-safe), or when `buf` is null (C
/// would return the null `buf` itself, which is its failure value anyway).
///
/// Only arithmetic: `buf` is not read, so this is safe to call.
#[inline]
pub fn recvmsg_validate(
    buf: *mut c_void,
    buf_len: i32,
    msgh: &msghdr,
) -> Option<NonNull<io_uring_recvmsg_out>> {
    if buf_len < 0 {
        return None;
    }
    let ulen = buf_len as usize;
    let namelen = msgh.msg_namelen as usize;
    let controllen = msgh.msg_controllen;
    // Each subtraction is checked, as liburing does, so nothing overflows.
    let after_hdr = ulen.checked_sub(HDR)?;
    let after_name = after_hdr.checked_sub(namelen)?;
    if controllen > after_name {
        return None;
    }
    NonNull::new(buf.cast::<io_uring_recvmsg_out>())
}

/// Returns a pointer to the name (source address) area, right after the header.
///
/// Mirrors `io_uring_recvmsg_name()` (liburing). Kernel: 6.0+. The area
/// holds `msgh.msg_namelen` bytes; the header's `namelen` may be larger
/// (the address was cut), so read `min(namelen, msg_namelen)` bytes.
/// Only arithmetic (wrapping): safe to call.
#[inline]
pub fn recvmsg_name(o: *mut io_uring_recvmsg_out) -> *mut c_void {
    o.wrapping_add(1).cast::<c_void>()
}

/// Reads the header's `controllen` and clamps it to the control area
/// `msgh` reserves.
///
/// # Safety
/// `o` is readable for the 16-byte header (any alignment).
/// See the [safety model](crate#safety-model).
#[inline]
unsafe fn control_len(o: *mut io_uring_recvmsg_out, msgh: &msghdr) -> usize {
    // SAFETY: the caller promises the header is readable; it may be unaligned.
    let hdr = unsafe { o.read_unaligned() };
    (hdr.controllen as usize).min(msgh.msg_controllen)
}

/// Returns the first control message, or `None` if the control data is
/// shorter than a `cmsghdr`.
///
/// Mirrors `io_uring_recvmsg_cmsg_firsthdr()` (liburing). Kernel: 6.0+.
/// Differs from liburing only on forged buffers: the header's `controllen`
/// is clamped to `msgh.msg_controllen` (see the module docs). The returned
/// pointer may be unaligned: read it with `read_unaligned`. Its header lies
/// inside the buffer; its `cmsg_len` is not checked (as in C); use
/// [`RecvMsgOut::cmsgs`] for checked data.
///
/// # Safety
/// `o` was returned by [`recvmsg_validate`]`(buf, len, msgh)` for this
/// `msgh`, and `buf` is valid for reads of `len` bytes.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn recvmsg_cmsg_firsthdr(
    o: *mut io_uring_recvmsg_out,
    msgh: &msghdr,
) -> Option<NonNull<cmsghdr>> {
    // SAFETY: validate accepted `buf`, so the header is inside it.
    if unsafe { control_len(o, msgh) } < CMSG_HDR {
        return None;
    }
    let first = recvmsg_name(o)
        .cast::<u8>()
        .wrapping_add(msgh.msg_namelen as usize);
    NonNull::new(first.cast::<cmsghdr>())
}

/// Returns the control message after `cmsg`, or `None` at the end.
///
/// Mirrors `io_uring_recvmsg_cmsg_nexthdr()` (liburing). Kernel: 6.0+.
/// Like liburing: `None` if `cmsg.cmsg_len < 16`, if the next header does not
/// fit, or if the next message's `CMSG_ALIGN(cmsg_len)` does not fit. Unlike
/// liburing: the end is the clamped control area, sums are checked (an
/// overflowing length ends the walk), and a `cmsg` outside the control area
/// gives `None`. Pointers may be unaligned.
///
/// # Safety
/// `o` was returned by [`recvmsg_validate`]`(buf, len, msgh)` for this
/// `msgh`, `buf` is valid for reads of `len` bytes, and `cmsg` was returned
/// by [`recvmsg_cmsg_firsthdr`] or [`recvmsg_cmsg_nexthdr`] for them.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn recvmsg_cmsg_nexthdr(
    o: *mut io_uring_recvmsg_out,
    msgh: &msghdr,
    cmsg: *mut cmsghdr,
) -> Option<NonNull<cmsghdr>> {
    // SAFETY: validate accepted `buf`, so the header is inside it.
    let ctl = unsafe { control_len(o, msgh) };
    let first = recvmsg_name(o)
        .cast::<u8>()
        .wrapping_add(msgh.msg_namelen as usize);
    // Work with offsets inside the control area [first, first + ctl).
    let off = (cmsg as usize).checked_sub(first as usize)?;
    if off.checked_add(CMSG_HDR)? > ctl {
        return None;
    }
    // SAFETY: [off, off + 16) lies inside the control area, inside `buf`.
    let len = unsafe { cmsg.read_unaligned() }.cmsg_len;
    if len < CMSG_HDR {
        return None;
    }
    let next = off.checked_add(cmsg_align(len)?)?;
    if next.checked_add(CMSG_HDR)? > ctl {
        return None;
    }
    let next_ptr = first.wrapping_add(next).cast::<cmsghdr>();
    // SAFETY: [next, next + 16) lies inside the control area, inside `buf`.
    let next_len = unsafe { next_ptr.read_unaligned() }.cmsg_len;
    if next.checked_add(cmsg_align(next_len)?)? > ctl {
        return None;
    }
    NonNull::new(next_ptr)
}

/// Returns a pointer to the payload: after the header, name and control areas.
///
/// Mirrors `io_uring_recvmsg_payload()` (liburing). Kernel: 6.0+. Only
/// arithmetic (wrapping): safe to call. Its length is
/// [`recvmsg_payload_length`].
#[inline]
pub fn recvmsg_payload(o: *mut io_uring_recvmsg_out, msgh: &msghdr) -> *mut c_void {
    recvmsg_name(o)
        .cast::<u8>()
        .wrapping_add(msgh.msg_namelen as usize)
        .wrapping_add(msgh.msg_controllen)
        .cast::<c_void>()
}

/// Returns how many payload bytes a buffer of `buf_len` bytes holds
/// (`buf_len` minus header, name and control areas; 0 if negative).
///
/// Mirrors `io_uring_recvmsg_payload_length()` (liburing). Kernel: 6.0+.
/// Pass `cqe.res` as `buf_len`. The datagram's full length is the header's
/// `payloadlen`, larger when `MSG_TRUNC` is set. Only arithmetic: safe.
#[inline]
pub fn recvmsg_payload_length(o: *mut io_uring_recvmsg_out, buf_len: i32, msgh: &msghdr) -> u32 {
    let _ = o;
    if buf_len < 0 {
        return 0;
    }
    let start = HDR
        .checked_add(msgh.msg_namelen as usize)
        .and_then(|s| s.checked_add(msgh.msg_controllen));
    match start {
        Some(s) if s < buf_len as usize => (buf_len as usize - s) as u32,
        _ => 0,
    }
}

/// A safe, bounds-checked view of one multishot recvmsg buffer.
///
/// Built from the bytes the kernel used (`&buf[..cqe.res as usize]`) and
/// the `msghdr` given to the SQE. Every accessor returns a sub-slice of
/// those bytes; none can panic or read outside them, whatever they hold.
/// Mirrors the `io_uring_recvmsg_*` helpers (liburing) as one type.
#[derive(Clone, Copy, Debug)]
pub struct RecvMsgOut<'a> {
    buf: &'a [u8],
    namelen: usize,
    controllen: usize,
}

/// One control message (`struct cmsghdr` plus its data) inside a [`RecvMsgOut`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmsg<'a> {
    /// `cmsg_level`, e.g. `SOL_IP` (0), `SOL_SOCKET` (1).
    pub level: i32,
    /// `cmsg_type`, e.g. `IP_ORIGDSTADDR` (20), `SCM_RIGHTS` (1).
    pub ty: i32,
    /// The data: `cmsg_len - sizeof(cmsghdr)` bytes (`CMSG_DATA`).
    pub data: &'a [u8],
}

/// `SOL_SOCKET`: [`Cmsg::level`] of socket-level control messages.
pub const SOL_SOCKET: i32 = 1;
/// `SCM_RIGHTS`: [`Cmsg::ty`] of a message carrying file descriptors.
pub const SCM_RIGHTS: i32 = 1;

impl<'a> Cmsg<'a> {
    /// The data read as consecutive native-endian `i32`s (`int`s), e.g. the
    /// descriptors of an `SCM_RIGHTS` message; trailing bytes that do not
    /// make a whole `i32` are skipped. Unaligned data is fine.
    pub fn i32s(&self) -> impl Iterator<Item = i32> + 'a {
        self.data
            .chunks_exact(4)
            .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The file descriptors of an `SCM_RIGHTS` message (`SOL_SOCKET`), or
    /// `None` for any other message.
    ///
    /// The kernel installed them in this process when it wrote the
    /// message: the receiver owns them and should close them (for example
    /// through `std::os::fd::OwnedFd::from_raw_fd`).
    pub fn fds(&self) -> Option<impl Iterator<Item = i32> + 'a> {
        (self.level == SOL_SOCKET && self.ty == SCM_RIGHTS).then(|| self.i32s())
    }
}

/// A socket address copied out of a [`RecvMsgOut`] ([`RecvMsgOut::name_addr`]):
/// storage for any address family plus its length, to pass where a
/// `(const struct sockaddr *, socklen_t)` pair is expected (`prep::sendto`,
/// `prep::send_set_addr`, `prep::connect`).
///
/// ```
/// use bare_uring::recvmsg_out::SockAddr;
///
/// // AF_INET (2), port 0x1234, 127.0.0.1, as the kernel writes it.
/// let mut raw = [0u8; 16];
/// raw[..2].copy_from_slice(&2u16.to_ne_bytes());
/// raw[2..4].copy_from_slice(&0x1234u16.to_be_bytes());
/// raw[4..8].copy_from_slice(&[127, 0, 0, 1]);
/// let a = SockAddr::from_bytes(&raw);
/// assert_eq!((a.family(), a.len()), (2, 16));
/// assert_eq!(a.as_bytes(), &raw);
/// ```
#[derive(Clone, Copy)]
pub struct SockAddr {
    storage: AddrBytes,
    len: socklen_t,
}

/// `sizeof(struct sockaddr_storage)` bytes with its alignment.
#[derive(Clone, Copy)]
#[repr(C, align(8))]
struct AddrBytes([u8; size_of::<sockaddr_storage>()]);

const _: () =
    assert!(core::mem::align_of::<AddrBytes>() >= core::mem::align_of::<sockaddr_storage>());

impl SockAddr {
    /// Copies up to 128 bytes of `raw` (a `sockaddr_*` as the kernel lays
    /// it out); longer input is cut to 128 bytes.
    pub fn from_bytes(raw: &[u8]) -> SockAddr {
        let mut storage = AddrBytes([0; size_of::<sockaddr_storage>()]);
        let n = raw.len().min(storage.0.len());
        storage.0[..n].copy_from_slice(&raw[..n]);
        SockAddr {
            storage,
            len: n as socklen_t,
        }
    }

    /// The address family (`AF_INET` 2, `AF_INET6` 10, `AF_UNIX` 1, ...),
    /// 0 when empty.
    #[inline]
    pub fn family(&self) -> u16 {
        match self.as_bytes() {
            [a, b, ..] => u16::from_ne_bytes([*a, *b]),
            _ => 0,
        }
    }

    /// The address length in bytes (`socklen_t`), as `sendto(2)` takes it.
    #[inline]
    pub fn len(&self) -> socklen_t {
        self.len
    }

    /// True when no address was stored.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A pointer to the address, for the `sockaddr` argument of the
    /// `prep` helpers. It points into `self`: keep `self` in place until the
    /// request's CQE.
    #[inline]
    pub fn as_ptr(&self) -> *const sockaddr {
        self.storage.0.as_ptr().cast()
    }

    /// The address bytes (`len()` of them).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.storage.0.get(..self.len as usize).unwrap_or(&[])
    }
}

impl core::fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SockAddr")
            .field("family", &self.family())
            .field("bytes", &self.as_bytes())
            .finish()
    }
}

impl PartialEq for SockAddr {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SockAddr {}

/// Iterator over the control messages of a [`RecvMsgOut`].
///
/// Yields a message while its header fits, `cmsg_len >= 16` and its
/// `cmsg_len` bytes fit in the control area; steps by `CMSG_ALIGN(cmsg_len)`.
/// Stops at the first message that breaks a rule (liburing's nexthdr also
/// requires the last message's alignment padding to fit; the kernel writes
/// it whenever there is room).
#[derive(Clone, Debug)]
pub struct CmsgIter<'a> {
    area: &'a [u8],
    off: usize,
}

/// Reads a native-endian `u32` at `off`, or 0 if out of range.
#[inline]
fn u32_at(b: &[u8], off: usize) -> u32 {
    match b.get(off..off.wrapping_add(4)) {
        Some(&[a, b, c, d]) => u32::from_ne_bytes([a, b, c, d]),
        _ => 0,
    }
}

impl<'a> RecvMsgOut<'a> {
    /// Validates `buf` against the areas `msgh` reserves (see
    /// [`recvmsg_validate`]); `None` if it is too short.
    #[inline]
    pub fn new(buf: &'a [u8], msgh: &msghdr) -> Option<Self> {
        Self::from_lens(buf, msgh.msg_namelen, msgh.msg_controllen)
    }

    /// Like [`RecvMsgOut::new`] with the `msghdr`'s `msg_namelen` and
    /// `msg_controllen` given directly.
    #[inline]
    pub fn from_lens(buf: &'a [u8], msg_namelen: u32, msg_controllen: usize) -> Option<Self> {
        let namelen = msg_namelen as usize;
        let need = HDR.checked_add(namelen)?.checked_add(msg_controllen)?;
        if buf.len() < need {
            return None;
        }
        Some(RecvMsgOut {
            buf,
            namelen,
            controllen: msg_controllen,
        })
    }

    /// The header as the kernel wrote it (copied, alignment-free).
    #[inline]
    pub fn header(&self) -> io_uring_recvmsg_out {
        io_uring_recvmsg_out {
            namelen: u32_at(self.buf, 0),
            controllen: u32_at(self.buf, 4),
            payloadlen: u32_at(self.buf, 8),
            flags: u32_at(self.buf, 12),
        }
    }

    /// The source address's full length as reported (may exceed `name().len()`).
    #[inline]
    pub fn namelen(&self) -> u32 {
        u32_at(self.buf, 0)
    }

    /// The length the socket's recvmsg returned: the bytes copied, or the
    /// datagram's full length if the request passed `MSG_TRUNC` in its flags.
    #[inline]
    pub fn payloadlen(&self) -> u32 {
        u32_at(self.buf, 8)
    }

    /// The `msg_flags` of the receive (`MSG_TRUNC`, `MSG_CTRUNC`, ...).
    #[inline]
    pub fn flags(&self) -> u32 {
        u32_at(self.buf, 12)
    }

    /// True when `MSG_TRUNC` is set: the payload was cut.
    #[inline]
    pub fn is_truncated(&self) -> bool {
        self.flags() & MSG_TRUNC != 0
    }

    /// The stored source address bytes: `min(namelen, msg_namelen)` bytes
    /// of the name area (a `sockaddr_*` to decode; may be unaligned).
    #[inline]
    pub fn name(&self) -> &'a [u8] {
        let n = (self.namelen() as usize).min(self.namelen);
        self.buf.get(HDR..HDR + n).unwrap_or(&[])
    }

    /// The source address copied out of the buffer, ready to reply to:
    /// `prep::sendto(sqe, fd, buf, len, flags, a.as_ptr(), a.len())`.
    ///
    /// A copy (at most 128 bytes, `sockaddr_storage`-aligned), so the
    /// provided buffer can be recycled at once while the reply is in flight;
    /// [`SockAddr::len`] is `name().len()` (the stored bytes). Empty when
    /// the request reserved no name area (`msg_namelen` 0) or the socket
    /// reported no address.
    #[inline]
    pub fn name_addr(&self) -> SockAddr {
        SockAddr::from_bytes(self.name())
    }

    /// The control bytes written: `min(controllen, msg_controllen)` bytes
    /// of the control area.
    #[inline]
    pub fn control(&self) -> &'a [u8] {
        let start = HDR + self.namelen;
        let n = (u32_at(self.buf, 4) as usize).min(self.controllen);
        self.buf.get(start..start + n).unwrap_or(&[])
    }

    /// Iterates the control messages (see [`CmsgIter`] for the rules).
    #[inline]
    pub fn cmsgs(&self) -> CmsgIter<'a> {
        CmsgIter {
            area: self.control(),
            off: 0,
        }
    }

    /// The payload bytes held in the buffer (everything after the control area).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buf
            .get(HDR + self.namelen + self.controllen..)
            .unwrap_or(&[])
    }

    /// `payload().len()` as `u32`, like [`recvmsg_payload_length`].
    #[inline]
    pub fn payload_length(&self) -> u32 {
        self.payload().len() as u32
    }
}

impl<'a> Iterator for CmsgIter<'a> {
    type Item = Cmsg<'a>;

    fn next(&mut self) -> Option<Cmsg<'a>> {
        let rest = self.area.get(self.off..)?;
        let hdr = rest.get(..CMSG_HDR)?;
        let mut len_bytes = [0u8; size_of::<usize>()];
        len_bytes.copy_from_slice(hdr.get(..size_of::<usize>())?);
        let len = usize::from_ne_bytes(len_bytes);
        if len < CMSG_HDR {
            self.off = self.area.len();
            return None;
        }
        let Some(data) = rest.get(CMSG_HDR..len) else {
            self.off = self.area.len();
            return None;
        };
        let level = u32_at(hdr, size_of::<usize>()) as i32;
        let ty = u32_at(hdr, size_of::<usize>() + 4) as i32;
        self.off = match cmsg_align(len).and_then(|a| self.off.checked_add(a)) {
            Some(o) => o,
            None => self.area.len(),
        };
        Some(Cmsg { level, ty, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_cmsg(b: &mut [u8], off: usize, len: usize, level: i32, ty: i32) {
        b[off..off + 8].copy_from_slice(&len.to_ne_bytes());
        b[off + 8..off + 12].copy_from_slice(&level.to_ne_bytes());
        b[off + 12..off + 16].copy_from_slice(&ty.to_ne_bytes());
    }

    #[test]
    fn two_cmsgs_and_payload() {
        // name area 16, control area 48 (two cmsgs: 20 -> 24 bytes, 24 bytes), payload 3.
        let mut b = [0u8; 16 + 16 + 48 + 3];
        b[0..4].copy_from_slice(&16u32.to_ne_bytes());
        b[4..8].copy_from_slice(&48u32.to_ne_bytes());
        b[8..12].copy_from_slice(&3u32.to_ne_bytes());
        put_cmsg(&mut b, 32, 20, 1, 29);
        b[48..52].copy_from_slice(&[1, 2, 3, 4]);
        put_cmsg(&mut b, 56, 24, 0, 20);
        b[80..].copy_from_slice(b"abc");
        let o = RecvMsgOut::from_lens(&b, 16, 48).unwrap();
        let c: [Cmsg; 2] = {
            let mut it = o.cmsgs();
            let a = it.next().unwrap();
            let b2 = it.next().unwrap();
            assert!(it.next().is_none());
            [a, b2]
        };
        assert_eq!(
            (c[0].level, c[0].ty, c[0].data),
            (1, 29, &[1u8, 2, 3, 4][..])
        );
        assert_eq!((c[1].level, c[1].ty, c[1].data.len()), (0, 20, 8));
        assert_eq!(o.payload(), b"abc");
        assert_eq!(o.payload_length(), 3);
    }

    #[test]
    fn forged_controllen_is_clamped() {
        // msg_controllen = 0 but header claims 1000 bytes of control data.
        let mut b = [0u8; 16 + 8 + 16];
        b[4..8].copy_from_slice(&1000u32.to_ne_bytes());
        let o = RecvMsgOut::from_lens(&b, 8, 0).unwrap();
        assert_eq!(o.control().len(), 0);
        assert_eq!(o.cmsgs().count(), 0);
        let msgh = msghdr {
            msg_namelen: 8,
            ..msghdr::zeroed()
        };
        let p = recvmsg_validate(b.as_mut_ptr().cast(), b.len() as i32, &msgh).unwrap();
        // SAFETY: validated; `b` is readable for its length.
        assert!(unsafe { recvmsg_cmsg_firsthdr(p.as_ptr(), &msgh) }.is_none());
    }

    #[test]
    fn name_addr_copies_the_stored_name() {
        // Reported namelen 28 (sockaddr_in6) but only 16 bytes stored.
        let mut b = [0u8; 16 + 16 + 2];
        b[0..4].copy_from_slice(&28u32.to_ne_bytes());
        b[16..18].copy_from_slice(&10u16.to_ne_bytes());
        b[18] = 0xab;
        let o = RecvMsgOut::from_lens(&b, 16, 0).unwrap();
        let a = o.name_addr();
        assert_eq!((a.family(), a.len(), a.as_bytes()), (10, 16, &b[16..32]));
        assert_eq!(a.as_ptr().cast::<u8>(), a.as_bytes().as_ptr());
        // No name area reserved: an empty address.
        let o = RecvMsgOut::from_lens(&b, 0, 0).unwrap();
        assert!(o.name_addr().is_empty());
        assert_eq!(o.name_addr().family(), 0);
        // Longer than sockaddr_storage: cut to 128 bytes.
        let big = [7u8; 200];
        let a = SockAddr::from_bytes(&big);
        assert_eq!((a.len(), a.as_bytes()), (128, &big[..128]));
        assert_eq!(a.as_ptr() as usize % 8, 0, "sockaddr_storage alignment");
    }

    #[test]
    fn cmsg_fds_only_for_scm_rights() {
        let data = [3u8, 0, 0, 0, 9, 0, 0, 0, 1];
        let rights = Cmsg {
            level: SOL_SOCKET,
            ty: SCM_RIGHTS,
            data: &data,
        };
        let fds: [i32; 2] = {
            let mut it = rights.fds().unwrap();
            [it.next().unwrap(), it.next().unwrap()]
        };
        assert_eq!(fds, [3, 9]);
        assert_eq!(rights.i32s().count(), 2, "trailing byte skipped");
        let other = Cmsg {
            level: 0,
            ty: SCM_RIGHTS,
            data: &data,
        };
        assert!(other.fds().is_none());
    }

    #[test]
    fn huge_cmsg_len_ends_walk() {
        let mut b = [0u8; 16 + 64];
        b[4..8].copy_from_slice(&64u32.to_ne_bytes());
        put_cmsg(&mut b, 16, 16, 1, 1);
        put_cmsg(&mut b, 32, usize::MAX - 7, 1, 1);
        let o = RecvMsgOut::from_lens(&b, 0, 64).unwrap();
        assert_eq!(o.cmsgs().count(), 1);
    }
}
