//! Directory entries: `io_uring_prep_unlinkat(3)` (`unlink`),
//! `io_uring_prep_renameat(3)` (`rename`), `io_uring_prep_mkdirat(3)`
//! (`mkdir`), `io_uring_prep_symlinkat(3)` (`symlink`),
//! `io_uring_prep_linkat(3)` (`link`).
//!
//! The variants without a directory fd pass `bare_uring_sys::AT_FDCWD` (-100).
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let (old, new) = (c"a.txt", c"b.txt");
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::rename(&mut sqe, old.as_ptr(), new.as_ptr());
//! assert_eq!(sqe.opcode, sys::IORING_OP_RENAMEAT as u8);
//! assert_eq!(sqe.fd, sys::AT_FDCWD); // old dfd
//! assert_eq!(sqe.len, sys::AT_FDCWD as u32); // new dfd
//! assert_eq!(sqe.addr2(), new.as_ptr() as u64);
//! ```

use core::ffi::c_char;

use bare_uring_sys::{io_uring_sqe, mode_t, AT_FDCWD};

use super::rw::{prep_rw, ptr_u64};

/// Prepares an `unlinkat(2)` of `path` relative to `dfd`; `flags` may be
/// `AT_REMOVEDIR`.
///
/// Mirrors `io_uring_prep_unlinkat()` (liburing).
///
/// Opcode: `IORING_OP_UNLINKAT`, kernel 5.11+.
///
/// # Memory
/// `path` must point to a NUL-terminated string that stays valid for reads
/// until the CQE arrives.
#[inline]
pub fn unlinkat(sqe: &mut io_uring_sqe, dfd: i32, path: *const c_char, flags: i32) {
    prep_rw(
        bare_uring_sys::IORING_OP_UNLINKAT,
        sqe,
        dfd,
        ptr_u64(path),
        0,
        0,
    );
    sqe.set_unlink_flags(flags as u32);
}

/// Prepares an `unlink(2)` (or `rmdir(2)` with `AT_REMOVEDIR`) of `path`
/// relative to the current directory.
///
/// Mirrors `io_uring_prep_unlink()` (liburing).
///
/// Opcode: `IORING_OP_UNLINKAT`, kernel 5.11+.
///
/// # Memory
/// As [`unlinkat`].
#[inline]
pub fn unlink(sqe: &mut io_uring_sqe, path: *const c_char, flags: i32) {
    unlinkat(sqe, AT_FDCWD, path, flags);
}

/// Prepares a `renameat2(2)` of `oldpath` (relative to `olddfd`) to
/// `newpath` (relative to `newdfd`) with `RENAME_*` `flags`.
///
/// Mirrors `io_uring_prep_renameat()` (liburing). Layout: `newdfd` goes in
/// `len`, `newpath` in `off`/`addr2`.
///
/// Opcode: `IORING_OP_RENAMEAT`, kernel 5.11+.
///
/// # Memory
/// `oldpath` and `newpath` must point to NUL-terminated strings that stay
/// valid for reads until the CQE arrives.
#[inline]
pub fn renameat(
    sqe: &mut io_uring_sqe,
    olddfd: i32,
    oldpath: *const c_char,
    newdfd: i32,
    newpath: *const c_char,
    flags: u32,
) {
    let (old, new) = (ptr_u64(oldpath), ptr_u64(newpath));
    prep_rw(
        bare_uring_sys::IORING_OP_RENAMEAT,
        sqe,
        olddfd,
        old,
        newdfd as u32,
        new,
    );
    sqe.set_rename_flags(flags);
}

/// Prepares a `rename(2)` of `oldpath` to `newpath`, both relative to the
/// current directory.
///
/// Mirrors `io_uring_prep_rename()` (liburing).
///
/// Opcode: `IORING_OP_RENAMEAT`, kernel 5.11+.
///
/// # Memory
/// As [`renameat`].
#[inline]
pub fn rename(sqe: &mut io_uring_sqe, oldpath: *const c_char, newpath: *const c_char) {
    renameat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/// Prepares a `mkdirat(2)` of `path` relative to `dfd` with `mode`.
///
/// Mirrors `io_uring_prep_mkdirat()` (liburing). `mode` goes in `len`.
///
/// Opcode: `IORING_OP_MKDIRAT`, kernel 5.15+.
///
/// # Memory
/// As [`unlinkat`].
#[inline]
pub fn mkdirat(sqe: &mut io_uring_sqe, dfd: i32, path: *const c_char, mode: mode_t) {
    prep_rw(
        bare_uring_sys::IORING_OP_MKDIRAT,
        sqe,
        dfd,
        ptr_u64(path),
        mode,
        0,
    );
}

/// Prepares a `mkdir(2)` of `path` relative to the current directory.
///
/// Mirrors `io_uring_prep_mkdir()` (liburing).
///
/// Opcode: `IORING_OP_MKDIRAT`, kernel 5.15+.
///
/// # Memory
/// As [`unlinkat`].
#[inline]
pub fn mkdir(sqe: &mut io_uring_sqe, path: *const c_char, mode: mode_t) {
    mkdirat(sqe, AT_FDCWD, path, mode);
}

/// Prepares a `symlinkat(2)`: create `linkpath` (relative to `newdirfd`)
/// pointing to `target`.
///
/// Mirrors `io_uring_prep_symlinkat()` (liburing). Layout: `newdirfd` goes
/// in `fd`, `target` in `addr`, `linkpath` in `off`/`addr2`.
///
/// Opcode: `IORING_OP_SYMLINKAT`, kernel 5.15+.
///
/// # Memory
/// `target` and `linkpath` must point to NUL-terminated strings that stay
/// valid for reads until the CQE arrives.
#[inline]
pub fn symlinkat(
    sqe: &mut io_uring_sqe,
    target: *const c_char,
    newdirfd: i32,
    linkpath: *const c_char,
) {
    let (target, link) = (ptr_u64(target), ptr_u64(linkpath));
    prep_rw(
        bare_uring_sys::IORING_OP_SYMLINKAT,
        sqe,
        newdirfd,
        target,
        0,
        link,
    );
}

/// Prepares a `symlink(2)`: create `linkpath` (relative to the current
/// directory) pointing to `target`.
///
/// Mirrors `io_uring_prep_symlink()` (liburing).
///
/// Opcode: `IORING_OP_SYMLINKAT`, kernel 5.15+.
///
/// # Memory
/// As [`symlinkat`].
#[inline]
pub fn symlink(sqe: &mut io_uring_sqe, target: *const c_char, linkpath: *const c_char) {
    symlinkat(sqe, target, AT_FDCWD, linkpath);
}

/// Prepares a `linkat(2)`: hard-link `newpath` (relative to `newdfd`) to
/// `oldpath` (relative to `olddfd`); `flags` may be `AT_SYMLINK_FOLLOW`.
///
/// Mirrors `io_uring_prep_linkat()` (liburing). Layout: `newdfd` goes in
/// `len`, `newpath` in `off`/`addr2`, `flags` in `hardlink_flags`.
///
/// Opcode: `IORING_OP_LINKAT`, kernel 5.15+.
///
/// # Memory
/// As [`renameat`].
#[inline]
pub fn linkat(
    sqe: &mut io_uring_sqe,
    olddfd: i32,
    oldpath: *const c_char,
    newdfd: i32,
    newpath: *const c_char,
    flags: i32,
) {
    let (old, new) = (ptr_u64(oldpath), ptr_u64(newpath));
    prep_rw(
        bare_uring_sys::IORING_OP_LINKAT,
        sqe,
        olddfd,
        old,
        newdfd as u32,
        new,
    );
    sqe.set_hardlink_flags(flags as u32);
}

/// Prepares a `link(2)`-like hard link of `newpath` to `oldpath`, both
/// relative to the current directory.
///
/// Mirrors `io_uring_prep_link()` (liburing).
///
/// Opcode: `IORING_OP_LINKAT`, kernel 5.15+.
///
/// # Memory
/// As [`renameat`].
#[inline]
pub fn link(sqe: &mut io_uring_sqe, oldpath: *const c_char, newpath: *const c_char, flags: i32) {
    linkat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, flags);
}
