//! File data and metadata: `io_uring_prep_fsync(3)`,
//! `io_uring_prep_sync_file_range(3)`, `io_uring_prep_fallocate(3)`,
//! `io_uring_prep_ftruncate(3)`, `io_uring_prep_fadvise(3)` (and
//! `fadvise64`), `io_uring_prep_madvise(3)` (and `madvise64`),
//! `io_uring_prep_statx(3)`.
//!
//! Opening, closing and the file table are in `open.rs`; directory-entry
//! operations (unlink, rename, mkdir, symlink, link) in `path.rs`.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! prep::fsync(&mut sqe, 7, sys::IORING_FSYNC_DATASYNC);
//! assert_eq!(sqe.opcode, sys::IORING_OP_FSYNC as u8);
//! assert_eq!(sqe.fd, 7);
//! assert_eq!(sqe.fsync_flags(), sys::IORING_FSYNC_DATASYNC);
//! ```

use core::ffi::{c_char, c_void};

use bare_uring_sys::{io_uring_sqe, loff_t, off_t, statx};

use super::rw::{prep_rw, ptr_u64};

/// Prepares an `fsync(2)` (or `fdatasync(2)` with
/// `IORING_FSYNC_DATASYNC` in `fsync_flags`).
///
/// Mirrors `io_uring_prep_fsync()` (liburing).
///
/// Opcode: `IORING_OP_FSYNC`, kernel 5.1+.
#[inline]
pub const fn fsync(sqe: &mut io_uring_sqe, fd: i32, fsync_flags: u32) {
    prep_rw(bare_uring_sys::IORING_OP_FSYNC, sqe, fd, 0, 0, 0);
    sqe.set_fsync_flags(fsync_flags);
}

/// Prepares a `fallocate(2)`: `mode` (`FALLOC_FL_*`) over `len` bytes at
/// `offset`.
///
/// Mirrors `io_uring_prep_fallocate()` (liburing). Layout: `mode` goes in
/// `len`, `offset` in `off`, and the 64-bit `len` in `addr`.
///
/// Opcode: `IORING_OP_FALLOCATE`, kernel 5.6+.
#[inline]
pub const fn fallocate(sqe: &mut io_uring_sqe, fd: i32, mode: i32, offset: u64, len: u64) {
    prep_rw(
        bare_uring_sys::IORING_OP_FALLOCATE,
        sqe,
        fd,
        0,
        mode as u32,
        offset,
    );
    sqe.set_addr(len);
}

/// Prepares a `statx(2)` of `path` relative to `dfd` into `statxbuf`.
///
/// Mirrors `io_uring_prep_statx()` (liburing). Layout: `mask` (`STATX_*`)
/// goes in `len`, the output buffer in `off`, `flags` (`AT_*`) in
/// `statx_flags`.
///
/// Opcode: `IORING_OP_STATX`, kernel 5.6+.
///
/// # Memory
/// `path` must point to a NUL-terminated string valid for reads, and
/// `statxbuf` to a `statx` valid for writes and not otherwise accessed,
/// both until the CQE arrives (the kernel writes the result into
/// `*statxbuf`).
#[inline]
pub fn statx(
    sqe: &mut io_uring_sqe,
    dfd: i32,
    path: *const c_char,
    flags: i32,
    mask: u32,
    statxbuf: *mut statx,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_STATX,
        sqe,
        dfd,
        ptr_u64(path),
        mask,
        ptr_u64(statxbuf),
    );
    sqe.set_statx_flags(flags as u32);
}

/// Prepares a `posix_fadvise(2)` of `advice` (`POSIX_FADV_*`) over `len`
/// bytes at `offset`.
///
/// Mirrors `io_uring_prep_fadvise()` (liburing). For lengths of 4 GiB and
/// more use [`fadvise64`].
///
/// Opcode: `IORING_OP_FADVISE`, kernel 5.6+.
#[inline]
pub const fn fadvise(sqe: &mut io_uring_sqe, fd: i32, offset: u64, len: u32, advice: i32) {
    prep_rw(bare_uring_sys::IORING_OP_FADVISE, sqe, fd, 0, len, offset);
    sqe.set_fadvise_advice(advice as u32);
}

/// Prepares a `madvise(2)` of `advice` (`MADV_*`) over `length` bytes at
/// `addr`.
///
/// Mirrors `io_uring_prep_madvise()` (liburing). For lengths of 4 GiB and
/// more use [`madvise64`].
///
/// Opcode: `IORING_OP_MADVISE`, kernel 5.6+.
///
/// # Memory
/// The kernel applies `advice` to the mapping at `addr..addr+length` when
/// the request runs: some advice (e.g. `MADV_DONTNEED`, `MADV_FREE`)
/// discards the contents. The caller promises the range is a mapping it
/// owns and that nothing relies on its contents in a way `advice` would
/// break, until the CQE arrives.
#[inline]
pub fn madvise(sqe: &mut io_uring_sqe, addr: *mut c_void, length: u32, advice: i32) {
    prep_rw(
        bare_uring_sys::IORING_OP_MADVISE,
        sqe,
        -1,
        ptr_u64(addr),
        length,
        0,
    );
    sqe.set_fadvise_advice(advice as u32);
}

/// Prepares a `posix_fadvise(2)` with a 64-bit length.
///
/// Mirrors `io_uring_prep_fadvise64()` (liburing). Layout: `len` is 0 and
/// the 64-bit length goes in `addr` (the kernel reads `addr` when `len` is
/// 0); kernels without this support fail it with `EINVAL`.
///
/// Opcode: `IORING_OP_FADVISE`, kernel 5.6+; 64-bit length kernel 6.11+.
#[inline]
pub const fn fadvise64(sqe: &mut io_uring_sqe, fd: i32, offset: u64, len: off_t, advice: i32) {
    prep_rw(bare_uring_sys::IORING_OP_FADVISE, sqe, fd, 0, 0, offset);
    sqe.set_addr(len as u64);
    sqe.set_fadvise_advice(advice as u32);
}

/// Prepares a `madvise(2)` with a 64-bit length.
///
/// Mirrors `io_uring_prep_madvise64()` (liburing). Layout: `len` is 0 and
/// the 64-bit length goes in `off`; kernels without this support fail it
/// with `EINVAL`.
///
/// Opcode: `IORING_OP_MADVISE`, kernel 5.6+; 64-bit length kernel 6.11+.
///
/// # Memory
/// As [`madvise`].
#[inline]
pub fn madvise64(sqe: &mut io_uring_sqe, addr: *mut c_void, length: off_t, advice: i32) {
    prep_rw(
        bare_uring_sys::IORING_OP_MADVISE,
        sqe,
        -1,
        ptr_u64(addr),
        0,
        length as u64,
    );
    sqe.set_fadvise_advice(advice as u32);
}

/// Prepares a `sync_file_range(2)` over `len` bytes at `offset` with
/// `SYNC_FILE_RANGE_*` `flags`.
///
/// Mirrors `io_uring_prep_sync_file_range()` (liburing).
///
/// Opcode: `IORING_OP_SYNC_FILE_RANGE`, kernel 5.2+.
#[inline]
pub const fn sync_file_range(sqe: &mut io_uring_sqe, fd: i32, len: u32, offset: u64, flags: i32) {
    prep_rw(
        bare_uring_sys::IORING_OP_SYNC_FILE_RANGE,
        sqe,
        fd,
        0,
        len,
        offset,
    );
    sqe.set_sync_range_flags(flags as u32);
}

/// Prepares an `ftruncate(2)` of `fd` to `len` bytes.
///
/// Mirrors `io_uring_prep_ftruncate()` (liburing; declared there only with
/// `_GNU_SOURCE`). The length goes in `off`.
///
/// Opcode: `IORING_OP_FTRUNCATE`, kernel 6.9+.
#[inline]
pub const fn ftruncate(sqe: &mut io_uring_sqe, fd: i32, len: loff_t) {
    prep_rw(
        bare_uring_sys::IORING_OP_FTRUNCATE,
        sqe,
        fd,
        0,
        0,
        len as u64,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expectations from reading liburing.h: fadvise64 puts the 64-bit
    /// length in `addr` and leaves `len` 0; madvise64 puts it in `off`.
    #[test]
    fn advise64_layouts() {
        let mut sqe = io_uring_sqe::zeroed();
        sqe.len = 9;
        fadvise64(&mut sqe, 3, 10, -1, 4);
        assert_eq!((sqe.opcode, sqe.fd, sqe.len), (24, 3, 0));
        assert_eq!(
            (sqe.off(), sqe.addr(), sqe.fadvise_advice()),
            (10, u64::MAX, 4)
        );

        let mut sqe = io_uring_sqe::zeroed();
        madvise64(
            &mut sqe,
            core::ptr::null_mut::<c_void>().wrapping_byte_add(0x2000),
            1 << 40,
            -1,
        );
        assert_eq!((sqe.opcode, sqe.fd, sqe.len), (25, -1, 0));
        assert_eq!(
            (sqe.off(), sqe.addr(), sqe.fadvise_advice()),
            (1 << 40, 0x2000, u32::MAX)
        );
    }
}
