//! Passthrough commands (`IORING_OP_URING_CMD`): driver- and socket-specific
//! operations addressed to a file, such as socket options or block discard.
//!
//! liburing man pages: `io_uring_prep_uring_cmd(3)` (with
//! `__io_uring_prep_uring_cmd` and `uring_cmd128`), `io_uring_prep_cmd_sock(3)`,
//! `io_uring_prep_cmd_getsockname(3)`, `io_uring_prep_cmd_discard(3)`.
//!
//! SQE layout: `fd` = target file, `cmd_op` = sub-command (low half of
//! `off`; `__pad1` is zeroed), `addr`/`len` zeroed; then command-specific
//! bytes: for sockets `level`/`optname` (the two halves of `addr`), `optlen`
//! (`file_index` slot) and `optval` (`addr3`). A command's own payload,
//! if any, goes in `sqe->cmd` (16 bytes at offset 48, 80 bytes in a
//! 128-byte SQE); these helpers do not touch it.
//!
//! # Example
//! ```
//! use bare_uring::prep;
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_URING_CMD, SOCKET_URING_OP_SIOCINQ};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! prep::uring_cmd(&mut sqe, SOCKET_URING_OP_SIOCINQ as i32, 6);
//! assert_eq!(sqe.opcode as u32, IORING_OP_URING_CMD);
//! assert_eq!(sqe.fd, 6);
//! assert_eq!(sqe.cmd_op(), SOCKET_URING_OP_SIOCINQ);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{
    io_uring_sqe, sockaddr, socklen_t, IORING_OP_URING_CMD, IORING_OP_URING_CMD128,
    SOCKET_URING_OP_GETSOCKNAME,
};

/// `BLOCK_URING_CMD_DISCARD` from the kernel's `<linux/fs.h>`
/// (`_IO(0x12, 0)` = `0x1200`, kernel 6.12+), which liburing.h uses but
/// neither it nor io_uring.h defines.
pub const BLOCK_URING_CMD_DISCARD: u32 = 0x1200;

/// Prepares a passthrough command with opcode `op` (`IORING_OP_URING_CMD`
/// or `IORING_OP_URING_CMD128`) and sub-command `cmd_op` for file `fd`.
///
/// Mirrors `__io_uring_prep_uring_cmd()` (liburing). Writes `opcode`, `fd`,
/// `cmd_op`, `__pad1 = 0`, `addr = 0`, `len = 0`; kernel 5.19+
/// (`IORING_OP_URING_CMD`).
#[inline]
pub const fn __uring_cmd(sqe: &mut io_uring_sqe, op: i32, cmd_op: u32, fd: i32) {
    sqe.opcode = op as u8;
    sqe.fd = fd;
    sqe.set_cmd_op(cmd_op);
    sqe.set_pad1(0);
    sqe.set_addr(0);
    sqe.len = 0;
}

/// Prepares a passthrough command `cmd_op` for file `fd`.
///
/// Mirrors `io_uring_prep_uring_cmd()` (liburing). Opcode:
/// `IORING_OP_URING_CMD`, kernel 5.19+. The command payload, if any, is
/// written by the caller into `sqe.cmd()`.
#[inline]
pub const fn uring_cmd(sqe: &mut io_uring_sqe, cmd_op: i32, fd: i32) {
    __uring_cmd(sqe, IORING_OP_URING_CMD as i32, cmd_op as u32, fd);
}

/// Prepares a 128-byte passthrough command `cmd_op` for file `fd` in a ring
/// with mixed SQE sizes (`IORING_SETUP_SQE_MIXED`): the SQE spans two
/// 64-byte slots, giving an 80-byte `cmd` area.
///
/// Mirrors `io_uring_prep_uring_cmd128()` (liburing). Opcode:
/// `IORING_OP_URING_CMD128`, kernel 6.18+. Writes only the first 64 bytes.
#[inline]
pub const fn uring_cmd128(sqe: &mut io_uring_sqe, cmd_op: i32, fd: i32) {
    __uring_cmd(sqe, IORING_OP_URING_CMD128 as i32, cmd_op as u32, fd);
}

/// Prepares a socket command `cmd_op` (`SOCKET_URING_OP_SIOCINQ`,
/// `_SIOCOUTQ`, `_GETSOCKOPT`, `_SETSOCKOPT`, ...) on socket `fd`.
///
/// Mirrors `io_uring_prep_cmd_sock()` (liburing). Opcode:
/// `IORING_OP_URING_CMD`, kernel 6.7+ (SIOCINQ/SIOCOUTQ/GETSOCKOPT/
/// SETSOCKOPT). `level`/`optname` share the bytes of `addr`, `optlen`
/// those of `file_index`, `optval` those of `addr3`.
///
/// # Memory
/// For `SETSOCKOPT`, `optval` points to `optlen` readable bytes; for
/// `GETSOCKOPT`, to `optlen` writable, unaliased bytes (the kernel writes
/// the option there). Either way it stays valid until the CQE arrives.
#[inline]
pub fn cmd_sock(
    sqe: &mut io_uring_sqe,
    cmd_op: i32,
    fd: i32,
    level: i32,
    optname: i32,
    optval: *mut c_void,
    optlen: i32,
) {
    uring_cmd(sqe, cmd_op, fd);
    sqe.set_optval(optval as usize as u64);
    sqe.set_optname(optname as u32);
    sqe.set_optlen(optlen as u32);
    sqe.set_level(level as u32);
}

/// Prepares a `getsockname(2)` (`peer == 0`) or `getpeername(2)`
/// (`peer == 1`) on socket `fd`.
///
/// Mirrors `io_uring_prep_cmd_getsockname()` (liburing). Opcode:
/// `IORING_OP_URING_CMD` with `SOCKET_URING_OP_GETSOCKNAME`, kernel 6.19+.
/// `sockaddr` goes in `addr`, `sockaddr_len` in `addr3`, `peer` in
/// `optlen`. A non-socket `fd` fails with `-EOPNOTSUPP`.
///
/// # Memory
/// `sockaddr_len` points to a `socklen_t` holding the size of the buffer at
/// `sockaddr`; both stay valid, writable and unaliased until the CQE
/// arrives (the kernel writes the address and its length).
#[inline]
pub fn cmd_getsockname(
    sqe: &mut io_uring_sqe,
    fd: i32,
    sockaddr: *mut sockaddr,
    sockaddr_len: *mut socklen_t,
    peer: i32,
) {
    uring_cmd(sqe, SOCKET_URING_OP_GETSOCKNAME as i32, fd);
    sqe.set_addr(sockaddr as usize as u64);
    sqe.set_addr3(sockaddr_len as usize as u64);
    sqe.set_optlen(peer as u32);
}

/// Prepares a discard of `nbytes` bytes at `offset` on block device `fd`.
///
/// Mirrors `io_uring_prep_cmd_discard()` (liburing). Opcode:
/// `IORING_OP_URING_CMD` with [`BLOCK_URING_CMD_DISCARD`], kernel 6.12+.
/// `offset` goes in `addr`, `nbytes` in `addr3`.
#[inline]
pub const fn cmd_discard(sqe: &mut io_uring_sqe, fd: i32, offset: u64, nbytes: u64) {
    uring_cmd(sqe, BLOCK_URING_CMD_DISCARD as i32, fd);
    sqe.set_addr(offset);
    sqe.set_addr3(nbytes);
}
