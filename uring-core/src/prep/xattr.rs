//! Extended attributes: `io_uring_prep_getxattr(3)`,
//! `io_uring_prep_setxattr(3)`, `io_uring_prep_fgetxattr(3)`,
//! `io_uring_prep_fsetxattr(3)`.
//!
//! Layout shared by all four: the attribute name goes in `addr`, the value
//! buffer in `off`/`addr2`, its length in `len`, `XATTR_*` flags in
//! `xattr_flags`, and for the path variants the path in `addr3` (`fd` 0).
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let (name, path) = (c"user.note", c"/tmp/f");
//! let mut value = [0u8; 64];
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // SAFETY: the SQE is never submitted, so the kernel never touches these.
//! unsafe {
//!     prep::getxattr(&mut sqe, name.as_ptr(), value.as_mut_ptr().cast(), path.as_ptr(), 64)
//! };
//! assert_eq!(sqe.opcode, sys::IORING_OP_GETXATTR as u8);
//! assert_eq!(sqe.addr3(), path.as_ptr() as u64);
//! assert_eq!(sqe.addr2(), value.as_ptr() as u64);
//! ```

use core::ffi::c_char;

use bare_uring_sys::io_uring_sqe;

use super::rw::{prep_rw, ptr_u64};

/// Prepares a `getxattr(2)`: read attribute `name` of the file at `path`
/// into `value` (up to `len` bytes).
///
/// Mirrors `io_uring_prep_getxattr()` (liburing). `xattr_flags` is set to 0.
///
/// Opcode: `IORING_OP_GETXATTR`, kernel 5.19+.
///
/// # Memory
/// `name` and `path` must point to NUL-terminated strings valid for reads,
/// and `value` to `len` bytes valid for writes and not otherwise accessed,
/// until the CQE arrives.
#[inline]
pub fn getxattr(
    sqe: &mut io_uring_sqe,
    name: *const c_char,
    value: *mut c_char,
    path: *const c_char,
    len: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_GETXATTR,
        sqe,
        0,
        ptr_u64(name),
        len,
        ptr_u64(value),
    );
    sqe.set_addr3(ptr_u64(path));
    sqe.set_xattr_flags(0);
}

/// Prepares a `setxattr(2)`: set attribute `name` of the file at `path` to
/// the `len` bytes at `value`, with `XATTR_CREATE`/`XATTR_REPLACE` `flags`.
///
/// Mirrors `io_uring_prep_setxattr()` (liburing).
///
/// Opcode: `IORING_OP_SETXATTR`, kernel 5.19+.
///
/// # Memory
/// `name` and `path` must point to NUL-terminated strings, and `value` to
/// `len` bytes, all valid for reads until the CQE arrives.
#[inline]
pub fn setxattr(
    sqe: &mut io_uring_sqe,
    name: *const c_char,
    value: *const c_char,
    path: *const c_char,
    flags: i32,
    len: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_SETXATTR,
        sqe,
        0,
        ptr_u64(name),
        len,
        ptr_u64(value),
    );
    sqe.set_addr3(ptr_u64(path));
    sqe.set_xattr_flags(flags as u32);
}

/// Prepares an `fgetxattr(2)`: read attribute `name` of `fd` into `value`
/// (up to `len` bytes).
///
/// Mirrors `io_uring_prep_fgetxattr()` (liburing). `xattr_flags` is set to
/// 0; `addr3` is not touched.
///
/// Opcode: `IORING_OP_FGETXATTR`, kernel 5.19+.
///
/// # Memory
/// `name` must point to a NUL-terminated string valid for reads, and
/// `value` to `len` bytes valid for writes and not otherwise accessed,
/// until the CQE arrives.
#[inline]
pub fn fgetxattr(
    sqe: &mut io_uring_sqe,
    fd: i32,
    name: *const c_char,
    value: *mut c_char,
    len: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_FGETXATTR,
        sqe,
        fd,
        ptr_u64(name),
        len,
        ptr_u64(value),
    );
    sqe.set_xattr_flags(0);
}

/// Prepares an `fsetxattr(2)`: set attribute `name` of `fd` to the `len`
/// bytes at `value`, with `XATTR_CREATE`/`XATTR_REPLACE` `flags`.
///
/// Mirrors `io_uring_prep_fsetxattr()` (liburing). `addr3` is not touched.
///
/// Opcode: `IORING_OP_FSETXATTR`, kernel 5.19+.
///
/// # Memory
/// `name` must point to a NUL-terminated string, and `value` to `len`
/// bytes, both valid for reads until the CQE arrives.
#[inline]
pub fn fsetxattr(
    sqe: &mut io_uring_sqe,
    fd: i32,
    name: *const c_char,
    value: *const c_char,
    flags: i32,
    len: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_FSETXATTR,
        sqe,
        fd,
        ptr_u64(name),
        len,
        ptr_u64(value),
    );
    sqe.set_xattr_flags(flags as u32);
}
