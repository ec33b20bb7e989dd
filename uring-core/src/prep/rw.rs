//! Reads and writes: `io_uring_prep_rw(3)`, `io_uring_prep_read(3)`,
//! `io_uring_prep_write(3)`, `io_uring_prep_readv(3)`, `io_uring_prep_readv2(3)`,
//! `io_uring_prep_writev(3)`, `io_uring_prep_writev2(3)`,
//! `io_uring_prep_read_fixed(3)`, `io_uring_prep_write_fixed(3)`,
//! `io_uring_prep_readv_fixed(3)`, `io_uring_prep_writev_fixed(3)`,
//! `io_uring_prep_read_multishot(3)`.
//!
//! [`rw`] is the building block every other helper starts from: it sets
//! `opcode`, `fd`, `off`, `addr` and `len` and nothing else.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let mut buf = [0u8; 16];
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::read(&mut sqe, 3, buf.as_mut_ptr().cast(), 16, 0);
//! assert_eq!(sqe.opcode, sys::IORING_OP_READ as u8);
//! assert_eq!(sqe.fd, 3);
//! assert_eq!(sqe.len, 16);
//! assert_eq!(sqe.addr(), buf.as_ptr() as u64);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{io_uring_sqe, iovec};

/// The body of `io_uring_prep_rw` with the address already an integer.
///
/// Safe: it only stores values; nothing is dereferenced. Every helper of
/// `prep` starts with it, exactly where liburing calls `io_uring_prep_rw`.
#[inline(always)]
pub(crate) const fn prep_rw(
    op: u32,
    sqe: &mut io_uring_sqe,
    fd: i32,
    addr: u64,
    len: u32,
    off: u64,
) {
    // `(__u8) op`: truncation, as in C.
    sqe.opcode = op as u8;
    sqe.fd = fd;
    sqe.set_off(off);
    sqe.set_addr(addr);
    sqe.len = len;
}

/// Converts a pointer the way liburing does (`(unsigned long) ptr`).
#[inline(always)]
pub(crate) fn ptr_u64<T>(p: *const T) -> u64 {
    p as usize as u64
}

/// Prepares any opcode from its raw parts: sets `opcode`, `fd`, `off`,
/// `addr` and `len`, leaving every other byte of the SQE as it was.
///
/// Mirrors `io_uring_prep_rw()` (liburing). Note the argument order: `op`
/// comes before `sqe`, as in C. `op` is truncated to 8 bits (`(__u8) op`).
///
/// Opcode: `op`; kernel 5.1+ (the opcode decides the real minimum).
///
/// # Memory
/// `addr` is stored as an integer; what the kernel does with it depends on
/// `op`. The caller promises that whatever memory `op` makes the kernel read
/// or write through `addr` (and through `offset`, for opcodes that carry a
/// pointer there) stays valid, and for outputs writable and unaliased, until
/// the operation's CQE arrives.
#[inline]
pub fn rw(op: i32, sqe: &mut io_uring_sqe, fd: i32, addr: *const c_void, len: u32, offset: u64) {
    prep_rw(op as u32, sqe, fd, ptr_u64(addr), len, offset);
}

/// Prepares a `readv(2)`/`preadv(2)`: read into `nr_vecs` buffers
/// described by `iovecs`, at `offset` (`-1` as u64: the file position).
///
/// Mirrors `io_uring_prep_readv()` (liburing).
///
/// Opcode: `IORING_OP_READV`, kernel 5.1+.
///
/// # Memory
/// The `nr_vecs` `iovec`s at `iovecs` must stay valid for reads, and every
/// buffer they describe valid, writable and unaliased, until the CQE
/// arrives (kernels with `IORING_FEAT_SUBMIT_STABLE` copy the `iovec`s at
/// submission, older ones may read them later).
#[inline]
pub fn readv(sqe: &mut io_uring_sqe, fd: i32, iovecs: *const iovec, nr_vecs: u32, offset: u64) {
    prep_rw(
        bare_uring_sys::IORING_OP_READV,
        sqe,
        fd,
        ptr_u64(iovecs),
        nr_vecs,
        offset,
    );
}

/// Prepares a `preadv2(2)`: [`readv`] plus `RWF_*` flags in `rw_flags`.
///
/// Mirrors `io_uring_prep_readv2()` (liburing).
///
/// Opcode: `IORING_OP_READV`, kernel 5.1+ (each `RWF_*` flag needs the kernel
/// that added it to `preadv2`).
///
/// # Memory
/// As [`readv`].
#[inline]
pub fn readv2(
    sqe: &mut io_uring_sqe,
    fd: i32,
    iovecs: *const iovec,
    nr_vecs: u32,
    offset: u64,
    flags: i32,
) {
    readv(sqe, fd, iovecs, nr_vecs, offset);
    sqe.set_rw_flags(flags);
}

/// Prepares a read into a registered (fixed) buffer: `nbytes` into `buf`,
/// which must lie inside registered buffer `buf_index`.
///
/// Mirrors `io_uring_prep_read_fixed()` (liburing). `buf_index` is
/// truncated to 16 bits (`(__u16) buf_index`).
///
/// Opcode: `IORING_OP_READ_FIXED`, kernel 5.1+.
///
/// # Memory
/// `buf..buf+nbytes` must stay valid, writable and unaliased until the CQE
/// arrives (registration pins the pages, it does not make aliasing sound).
#[inline]
pub fn read_fixed(
    sqe: &mut io_uring_sqe,
    fd: i32,
    buf: *mut c_void,
    nbytes: u32,
    offset: u64,
    buf_index: i32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_READ_FIXED,
        sqe,
        fd,
        ptr_u64(buf),
        nbytes,
        offset,
    );
    sqe.set_buf_index(buf_index as u16);
}

/// Prepares a vectored read into registered buffer `buf_index`: the
/// `iovecs` address ranges inside that registered buffer.
///
/// Mirrors `io_uring_prep_readv_fixed()` (liburing): [`readv2`], then the
/// opcode is replaced and `buf_index` set (truncated to 16 bits).
///
/// Opcode: `IORING_OP_READV_FIXED`, kernel 6.15+.
///
/// # Memory
/// As [`readv`]; the described ranges must also lie inside the registered
/// buffer.
#[inline]
pub fn readv_fixed(
    sqe: &mut io_uring_sqe,
    fd: i32,
    iovecs: *const iovec,
    nr_vecs: u32,
    offset: u64,
    flags: i32,
    buf_index: i32,
) {
    readv2(sqe, fd, iovecs, nr_vecs, offset, flags);
    sqe.opcode = bare_uring_sys::IORING_OP_READV_FIXED as u8;
    sqe.set_buf_index(buf_index as u16);
}

/// Prepares a `writev(2)`/`pwritev(2)`: write `nr_vecs` buffers described
/// by `iovecs`, at `offset` (`-1` as u64: the file position).
///
/// Mirrors `io_uring_prep_writev()` (liburing).
///
/// Opcode: `IORING_OP_WRITEV`, kernel 5.1+.
///
/// # Memory
/// The `nr_vecs` `iovec`s at `iovecs`, and every buffer they describe, must
/// stay valid for reads until the CQE arrives.
#[inline]
pub fn writev(sqe: &mut io_uring_sqe, fd: i32, iovecs: *const iovec, nr_vecs: u32, offset: u64) {
    prep_rw(
        bare_uring_sys::IORING_OP_WRITEV,
        sqe,
        fd,
        ptr_u64(iovecs),
        nr_vecs,
        offset,
    );
}

/// Prepares a `pwritev2(2)`: [`writev`] plus `RWF_*` flags in `rw_flags`.
///
/// Mirrors `io_uring_prep_writev2()` (liburing).
///
/// Opcode: `IORING_OP_WRITEV`, kernel 5.1+.
///
/// # Memory
/// As [`writev`].
#[inline]
pub fn writev2(
    sqe: &mut io_uring_sqe,
    fd: i32,
    iovecs: *const iovec,
    nr_vecs: u32,
    offset: u64,
    flags: i32,
) {
    writev(sqe, fd, iovecs, nr_vecs, offset);
    sqe.set_rw_flags(flags);
}

/// Prepares a write from a registered (fixed) buffer: `nbytes` from `buf`,
/// which must lie inside registered buffer `buf_index`.
///
/// Mirrors `io_uring_prep_write_fixed()` (liburing). `buf_index` is
/// truncated to 16 bits.
///
/// Opcode: `IORING_OP_WRITE_FIXED`, kernel 5.1+.
///
/// # Memory
/// `buf..buf+nbytes` must stay valid for reads until the CQE arrives.
#[inline]
pub fn write_fixed(
    sqe: &mut io_uring_sqe,
    fd: i32,
    buf: *const c_void,
    nbytes: u32,
    offset: u64,
    buf_index: i32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_WRITE_FIXED,
        sqe,
        fd,
        ptr_u64(buf),
        nbytes,
        offset,
    );
    sqe.set_buf_index(buf_index as u16);
}

/// Prepares a vectored write from registered buffer `buf_index`.
///
/// Mirrors `io_uring_prep_writev_fixed()` (liburing): [`writev2`], then the
/// opcode is replaced and `buf_index` set (truncated to 16 bits).
///
/// Opcode: `IORING_OP_WRITEV_FIXED`, kernel 6.15+.
///
/// # Memory
/// As [`writev`]; the described ranges must also lie inside the registered
/// buffer.
#[inline]
pub fn writev_fixed(
    sqe: &mut io_uring_sqe,
    fd: i32,
    iovecs: *const iovec,
    nr_vecs: u32,
    offset: u64,
    flags: i32,
    buf_index: i32,
) {
    writev2(sqe, fd, iovecs, nr_vecs, offset, flags);
    sqe.opcode = bare_uring_sys::IORING_OP_WRITEV_FIXED as u8;
    sqe.set_buf_index(buf_index as u16);
}

/// Prepares a `read(2)`/`pread(2)` of `nbytes` into `buf` at `offset`
/// (`-1` as u64: the file position).
///
/// Mirrors `io_uring_prep_read()` (liburing).
///
/// Opcode: `IORING_OP_READ`, kernel 5.6+.
///
/// # Memory
/// `buf..buf+nbytes` must stay valid, writable and unaliased until the CQE
/// arrives.
#[inline]
pub fn read(sqe: &mut io_uring_sqe, fd: i32, buf: *mut c_void, nbytes: u32, offset: u64) {
    prep_rw(
        bare_uring_sys::IORING_OP_READ,
        sqe,
        fd,
        ptr_u64(buf),
        nbytes,
        offset,
    );
}

/// Prepares a multishot read: one CQE per chunk read into a buffer picked
/// from provided-buffer group `buf_group`, until the file has no more data
/// or an error ends it.
///
/// Mirrors `io_uring_prep_read_multishot()` (liburing). ABI subtleties: it
/// *assigns* `sqe->flags = IOSQE_BUFFER_SELECT` (any flags set before are
/// lost, so set link/async flags afterwards), and stores `buf_group`
/// truncated to 16 bits. `nbytes` 0 means "the provided buffer's size".
///
/// Opcode: `IORING_OP_READ_MULTISHOT`, kernel 6.7+.
#[inline]
pub const fn read_multishot(
    sqe: &mut io_uring_sqe,
    fd: i32,
    nbytes: u32,
    offset: u64,
    buf_group: i32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_READ_MULTISHOT,
        sqe,
        fd,
        0,
        nbytes,
        offset,
    );
    // `sqe->buf_group = buf_group`: implicit int -> __u16 truncation.
    sqe.set_buf_group(buf_group as u16);
    sqe.flags = bare_uring_sys::IOSQE_BUFFER_SELECT;
}

/// Prepares a `read(2)`/`pread(2)` of up to `nbytes` at `offset` into a
/// buffer the kernel picks from provided-buffer group `buf_group`.
///
/// Companion of [`read`] (not in liburing): `read(sqe, fd, NULL, nbytes,
/// offset)`, then `IOSQE_BUFFER_SELECT` ORed into `sqe->flags` (unlike
/// [`read_multishot`], which assigns it) and `sqe->buf_group = buf_group`.
/// No address to get right: the buffer comes from the group. `nbytes` 0,
/// or more than the buffer holds, means "the buffer's size". The CQE's
/// `flags` name the buffer (`BufRing::consume`).
///
/// Opcode: `IORING_OP_READ`, kernel 5.7+ (provided buffers; buffer rings
/// 5.19+). Errors in `cqe.res`: `-ENOBUFS` when the group has no buffer,
/// the file's read errors.
#[inline]
pub const fn read_select(
    sqe: &mut io_uring_sqe,
    fd: i32,
    nbytes: u32,
    offset: u64,
    buf_group: u16,
) {
    prep_rw(bare_uring_sys::IORING_OP_READ, sqe, fd, 0, nbytes, offset);
    sqe.flags |= bare_uring_sys::IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(buf_group);
}

/// Prepares a `write(2)`/`pwrite(2)` of `nbytes` from `buf` at `offset`
/// (`-1` as u64: the file position).
///
/// Mirrors `io_uring_prep_write()` (liburing).
///
/// Opcode: `IORING_OP_WRITE`, kernel 5.6+.
///
/// # Memory
/// `buf..buf+nbytes` must stay valid for reads until the CQE arrives.
#[inline]
pub fn write(sqe: &mut io_uring_sqe, fd: i32, buf: *const c_void, nbytes: u32, offset: u64) {
    prep_rw(
        bare_uring_sys::IORING_OP_WRITE,
        sqe,
        fd,
        ptr_u64(buf),
        nbytes,
        offset,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected bytes computed by hand from liburing.h's
    /// `io_uring_prep_readv_fixed`: readv2 then opcode/buf_index overwritten.
    #[test]
    fn readv_fixed_overwrites_opcode_and_truncates_buf_index() {
        let mut sqe = io_uring_sqe::zeroed();
        sqe.flags = 0x44;
        readv_fixed(
            &mut sqe,
            -7,
            core::ptr::null::<iovec>().wrapping_byte_add(0x1000),
            3,
            u64::MAX,
            -2,
            0x1_0005,
        );
        assert_eq!(sqe.opcode, 60);
        assert_eq!(sqe.fd, -7);
        assert_eq!(sqe.addr(), 0x1000);
        assert_eq!(sqe.len, 3);
        assert_eq!(sqe.off(), u64::MAX);
        assert_eq!(sqe.rw_flags(), -2);
        assert_eq!(sqe.buf_index(), 5);
        assert_eq!(sqe.flags, 0x44, "flags untouched");
    }

    #[test]
    fn read_multishot_assigns_flags() {
        let mut sqe = io_uring_sqe::zeroed();
        sqe.flags = 0x07;
        sqe.set_addr(99);
        read_multishot(&mut sqe, 4, 0, 8, 0x12345);
        assert_eq!(sqe.flags, 0x20);
        assert_eq!(sqe.buf_group(), 0x2345);
        assert_eq!(sqe.addr(), 0);
        assert_eq!(sqe.opcode, 49);
    }
}
