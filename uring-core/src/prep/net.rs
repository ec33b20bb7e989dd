//! Sockets: accept, connect, bind, listen, shutdown, socket.
//!
//! liburing man pages: `io_uring_prep_accept(3)` (with `_direct`,
//! `multishot_accept` and `multishot_accept_direct`), `io_uring_prep_connect(3)`,
//! `io_uring_prep_bind(3)`, `io_uring_prep_listen(3)`, `io_uring_prep_shutdown(3)`,
//! `io_uring_prep_socket(3)` (with `_direct` and `_direct_alloc`).
//! Send and receive helpers live in `send.rs` and `recv.rs`.
//!
//! Helpers that create a *direct* descriptor take `file_index`, the slot in
//! the registered file table; they store `file_index + 1` in
//! `sqe->file_index` (0 means "not direct"), except that
//! `IORING_FILE_INDEX_ALLOC` is stored unchanged and asks the kernel to pick a
//! free slot (returned in `cqe->res`).
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_FILE_INDEX_ALLOC, IORING_OP_SOCKET};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! // AF_INET = 2, SOCK_STREAM = 1: a TCP socket in a kernel-chosen fixed slot.
//! prep::socket_direct(&mut sqe, 2, 1, 0, IORING_FILE_INDEX_ALLOC, 0);
//! assert_eq!(sqe.opcode as u32, IORING_OP_SOCKET);
//! assert_eq!(sqe.fd, 2); // domain
//! assert_eq!(sqe.off(), 1); // type
//! assert_eq!(sqe.file_index(), IORING_FILE_INDEX_ALLOC);
//! ```

use bare_uring_sys::{
    io_uring_sqe, sockaddr, socklen_t, IORING_ACCEPT_MULTISHOT, IORING_FILE_INDEX_ALLOC,
    IORING_OP_ACCEPT, IORING_OP_BIND, IORING_OP_CONNECT, IORING_OP_LISTEN, IORING_OP_SHUTDOWN,
    IORING_OP_SOCKET,
};

use super::open::set_direct_slot;
use super::rw::prep_rw;

/// Prepares an `accept4(2)` on listening socket `fd`.
///
/// Mirrors `io_uring_prep_accept()` (liburing). Opcode: `IORING_OP_ACCEPT`,
/// kernel 5.5+. `addrlen` goes in `sqe->addr2` (the `off` slot), `flags`
/// (`SOCK_NONBLOCK`, `SOCK_CLOEXEC`) in `accept_flags`. The CQE's `res` is
/// the new descriptor or `-errno`.
///
/// # Memory
/// `addr` and `addrlen` are either both null or: `addrlen` points to a
/// `socklen_t` holding the size of the buffer at `addr`, and both stay valid,
/// writable and unaliased until the CQE arrives (the kernel writes the peer
/// address into `addr` and its length into `*addrlen`).
#[inline]
pub fn accept(
    sqe: &mut io_uring_sqe,
    fd: i32,
    addr: *mut sockaddr,
    addrlen: *mut socklen_t,
    flags: i32,
) {
    prep_rw(
        IORING_OP_ACCEPT,
        sqe,
        fd,
        addr as usize as u64,
        0,
        addrlen as usize as u64,
    );
    sqe.set_accept_flags(flags as u32);
}

/// Prepares an `accept4(2)` whose socket goes straight into the registered
/// file table at `file_index` (or a free slot for `IORING_FILE_INDEX_ALLOC`).
///
/// Mirrors `io_uring_prep_accept_direct()` (liburing). Opcode:
/// `IORING_OP_ACCEPT`, kernel 5.19+. Stores `file_index + 1`, or
/// `IORING_FILE_INDEX_ALLOC` unchanged. `cqe->res` is 0 (or the allocated
/// slot) on success.
///
/// # Memory
/// As for [`accept`].
#[inline]
pub fn accept_direct(
    sqe: &mut io_uring_sqe,
    fd: i32,
    addr: *mut sockaddr,
    addrlen: *mut socklen_t,
    flags: i32,
    file_index: u32,
) {
    accept(sqe, fd, addr, addrlen, flags);
    // Offset by 1 for allocation: ALLOC - 1 + 1 stores ALLOC itself.
    set_direct_slot(sqe, file_index);
}

/// Prepares a multishot accept: one CQE (with `IORING_CQE_F_MORE`) per
/// incoming connection until cancelled or an error.
///
/// Mirrors `io_uring_prep_multishot_accept()` (liburing). Opcode:
/// `IORING_OP_ACCEPT` with `IORING_ACCEPT_MULTISHOT` ORed into `sqe->ioprio`,
/// kernel 5.19+.
///
/// # Memory
/// As for [`accept`], and the memory stays valid until the final CQE (the
/// one without `IORING_CQE_F_MORE`); every accept overwrites it.
#[inline]
pub fn multishot_accept(
    sqe: &mut io_uring_sqe,
    fd: i32,
    addr: *mut sockaddr,
    addrlen: *mut socklen_t,
    flags: i32,
) {
    accept(sqe, fd, addr, addrlen, flags);
    sqe.ioprio |= IORING_ACCEPT_MULTISHOT as u16;
}

/// Prepares a multishot accept whose sockets go into kernel-chosen slots of
/// the registered file table.
///
/// Mirrors `io_uring_prep_multishot_accept_direct()` (liburing). Opcode:
/// `IORING_OP_ACCEPT`, `IORING_ACCEPT_MULTISHOT` in `ioprio` and
/// `file_index = IORING_FILE_INDEX_ALLOC`, kernel 5.19+.
///
/// # Memory
/// As for [`multishot_accept`].
#[inline]
pub fn multishot_accept_direct(
    sqe: &mut io_uring_sqe,
    fd: i32,
    addr: *mut sockaddr,
    addrlen: *mut socklen_t,
    flags: i32,
) {
    multishot_accept(sqe, fd, addr, addrlen, flags);
    set_direct_slot(sqe, IORING_FILE_INDEX_ALLOC);
}

/// Prepares a `connect(2)` of socket `fd` to `addr`.
///
/// Mirrors `io_uring_prep_connect()` (liburing). Opcode: `IORING_OP_CONNECT`,
/// kernel 5.5+. `addrlen` goes in `sqe->off`.
///
/// # Memory
/// `addr` points to `addrlen` readable bytes that stay valid until the CQE
/// arrives (the kernel may copy it when the request is issued, possibly
/// after submission).
#[inline]
pub fn connect(sqe: &mut io_uring_sqe, fd: i32, addr: *const sockaddr, addrlen: socklen_t) {
    prep_rw(
        IORING_OP_CONNECT,
        sqe,
        fd,
        addr as usize as u64,
        0,
        addrlen as u64,
    );
}

/// Prepares a `bind(2)` of socket `fd` to `addr`.
///
/// Mirrors `io_uring_prep_bind()` (liburing). Opcode: `IORING_OP_BIND`,
/// kernel 6.11+. `addrlen` goes in `sqe->off`.
///
/// # Memory
/// `addr` points to `addrlen` readable bytes that stay valid until the CQE
/// arrives.
#[inline]
pub fn bind(sqe: &mut io_uring_sqe, fd: i32, addr: *const sockaddr, addrlen: socklen_t) {
    prep_rw(
        IORING_OP_BIND,
        sqe,
        fd,
        addr as usize as u64,
        0,
        addrlen as u64,
    );
}

/// Prepares a `listen(2)` on socket `fd`.
///
/// Mirrors `io_uring_prep_listen()` (liburing). Opcode: `IORING_OP_LISTEN`,
/// kernel 6.11+. `backlog` goes in `sqe->len`.
#[inline]
pub const fn listen(sqe: &mut io_uring_sqe, fd: i32, backlog: i32) {
    prep_rw(IORING_OP_LISTEN, sqe, fd, 0, backlog as u32, 0);
}

/// Prepares a `shutdown(2)` of socket `fd`; `how` is `SHUT_RD`, `SHUT_WR` or
/// `SHUT_RDWR`.
///
/// Mirrors `io_uring_prep_shutdown()` (liburing). Opcode:
/// `IORING_OP_SHUTDOWN`, kernel 5.11+. `how` goes in `sqe->len`.
#[inline]
pub const fn shutdown(sqe: &mut io_uring_sqe, fd: i32, how: i32) {
    prep_rw(IORING_OP_SHUTDOWN, sqe, fd, 0, how as u32, 0);
}

/// Prepares a `socket(2)`; `cqe->res` is the new descriptor.
///
/// Mirrors `io_uring_prep_socket()` (liburing). Opcode: `IORING_OP_SOCKET`,
/// kernel 5.19+. Layout: `fd` = domain, `off` = type (sign-extended like
/// C's `int` → `__u64`), `len` = protocol, `rw_flags` = flags (currently 0).
#[inline]
pub const fn socket(sqe: &mut io_uring_sqe, domain: i32, r#type: i32, protocol: i32, flags: u32) {
    prep_rw(
        IORING_OP_SOCKET,
        sqe,
        domain,
        0,
        protocol as u32,
        r#type as u64,
    );
    sqe.set_rw_flags(flags as i32);
}

/// Prepares a `socket(2)` whose socket goes into the registered file table
/// at `file_index` (or a free slot for `IORING_FILE_INDEX_ALLOC`).
///
/// Mirrors `io_uring_prep_socket_direct()` (liburing). Opcode:
/// `IORING_OP_SOCKET`, kernel 5.19+. Stores `file_index + 1`, or
/// `IORING_FILE_INDEX_ALLOC` unchanged.
#[inline]
pub const fn socket_direct(
    sqe: &mut io_uring_sqe,
    domain: i32,
    r#type: i32,
    protocol: i32,
    file_index: u32,
    flags: u32,
) {
    prep_rw(
        IORING_OP_SOCKET,
        sqe,
        domain,
        0,
        protocol as u32,
        r#type as u64,
    );
    sqe.set_rw_flags(flags as i32);
    // Offset by 1 for allocation: ALLOC - 1 + 1 stores ALLOC itself.
    set_direct_slot(sqe, file_index);
}

/// Prepares a `socket(2)` whose socket goes into a kernel-chosen slot of the
/// registered file table; `cqe->res` is the slot.
///
/// Mirrors `io_uring_prep_socket_direct_alloc()` (liburing). Opcode:
/// `IORING_OP_SOCKET` with `file_index = IORING_FILE_INDEX_ALLOC`,
/// kernel 5.19+.
#[inline]
pub const fn socket_direct_alloc(
    sqe: &mut io_uring_sqe,
    domain: i32,
    r#type: i32,
    protocol: i32,
    flags: u32,
) {
    prep_rw(
        IORING_OP_SOCKET,
        sqe,
        domain,
        0,
        protocol as u32,
        r#type as u64,
    );
    sqe.set_rw_flags(flags as i32);
    set_direct_slot(sqe, IORING_FILE_INDEX_ALLOC);
}
