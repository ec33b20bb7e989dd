//! Opening and closing files, and the registered file table:
//! `io_uring_prep_openat(3)` (`openat_direct`, `open`, `open_direct`),
//! `io_uring_prep_openat2(3)` (`openat2_direct`), `io_uring_prep_close(3)`
//! (`close_direct`), `io_uring_prep_files_update(3)`,
//! `io_uring_prep_fixed_fd_install(3)`.
//!
//! The `_direct` variants open into the ring's registered file table
//! instead of the process's fd table: `file_index` is the slot, or
//! `IORING_FILE_INDEX_ALLOC` to let the kernel pick a free one (its number
//! comes back in the CQE's `res`). The SQE stores `slot + 1` in
//! `file_index` (0 means "not direct").
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! let path = c"/etc/hostname";
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! // Safe: this SQE is our own and is never submitted.
//! prep::open_direct(&mut sqe, path.as_ptr(), 0, 0, 4);
//! assert_eq!(sqe.opcode, sys::IORING_OP_OPENAT as u8);
//! assert_eq!(sqe.fd, sys::AT_FDCWD);
//! assert_eq!(sqe.file_index(), 5); // slot 4, stored as slot + 1
//! ```

use core::ffi::c_char;

use bare_uring_sys::{io_uring_sqe, mode_t, open_how, AT_FDCWD, IORING_FILE_INDEX_ALLOC};

use super::rw::{prep_rw, ptr_u64};

/// liburing's `__io_uring_set_target_fixed_file`: slots are stored as
/// `index + 1` (unsigned, wrapping like C), 0 meaning "no fixed file".
/// Shared by every helper that targets a direct descriptor (also
/// `net.rs`'s accept/socket `_direct` variants).
#[inline(always)]
pub(crate) const fn set_target_fixed_file(sqe: &mut io_uring_sqe, file_index: u32) {
    sqe.set_file_index(file_index.wrapping_add(1));
}

/// The `_direct` helpers' slot encoding: `IORING_FILE_INDEX_ALLOC` stays
/// `IORING_FILE_INDEX_ALLOC`, any other slot is stored as `slot + 1`.
#[inline(always)]
pub(crate) const fn set_direct_slot(sqe: &mut io_uring_sqe, mut file_index: u32) {
    // liburing: "offset by 1 for allocation".
    if file_index == IORING_FILE_INDEX_ALLOC {
        file_index = file_index.wrapping_sub(1);
    }
    set_target_fixed_file(sqe, file_index);
}

/// Prepares an `openat(2)` of `path` relative to `dfd` with `flags`
/// (`O_*`) and `mode`.
///
/// Mirrors `io_uring_prep_openat()` (liburing). Layout: `mode` goes in
/// `len`, `flags` in `open_flags`.
///
/// Opcode: `IORING_OP_OPENAT`, kernel 5.6+.
///
/// # Memory
/// `path` must point to a NUL-terminated string that stays valid for reads
/// until the CQE arrives.
#[inline]
pub fn openat(sqe: &mut io_uring_sqe, dfd: i32, path: *const c_char, flags: i32, mode: mode_t) {
    prep_rw(
        bare_uring_sys::IORING_OP_OPENAT,
        sqe,
        dfd,
        ptr_u64(path),
        mode,
        0,
    );
    sqe.set_open_flags(flags as u32);
}

/// Prepares an `openat(2)` into registered file slot `file_index` (or
/// `IORING_FILE_INDEX_ALLOC`).
///
/// Mirrors `io_uring_prep_openat_direct()` (liburing): `file_index` is
/// stored as `file_index + 1`, except `IORING_FILE_INDEX_ALLOC`, stored as
/// is.
///
/// Opcode: `IORING_OP_OPENAT`, kernel 5.15+ (`IORING_FILE_INDEX_ALLOC`:
/// 5.19+).
///
/// # Memory
/// As [`openat`].
#[inline]
pub fn openat_direct(
    sqe: &mut io_uring_sqe,
    dfd: i32,
    path: *const c_char,
    flags: i32,
    mode: mode_t,
    file_index: u32,
) {
    openat(sqe, dfd, path, flags, mode);
    set_direct_slot(sqe, file_index);
}

/// Prepares an `open(2)`: [`openat`] relative to the current directory.
///
/// Mirrors `io_uring_prep_open()` (liburing).
///
/// Opcode: `IORING_OP_OPENAT`, kernel 5.6+.
///
/// # Memory
/// As [`openat`].
#[inline]
pub fn open(sqe: &mut io_uring_sqe, path: *const c_char, flags: i32, mode: mode_t) {
    openat(sqe, AT_FDCWD, path, flags, mode);
}

/// Prepares an `open(2)` into registered file slot `file_index` (or
/// `IORING_FILE_INDEX_ALLOC`).
///
/// Mirrors `io_uring_prep_open_direct()` (liburing).
///
/// Opcode: `IORING_OP_OPENAT`, kernel 5.15+.
///
/// # Memory
/// As [`openat`].
#[inline]
pub fn open_direct(
    sqe: &mut io_uring_sqe,
    path: *const c_char,
    flags: i32,
    mode: mode_t,
    file_index: u32,
) {
    openat_direct(sqe, AT_FDCWD, path, flags, mode, file_index);
}

/// Prepares an `openat2(2)` of `path` relative to `dfd` as described by
/// `how` (flags, mode, `RESOLVE_*`).
///
/// Mirrors `io_uring_prep_openat2()` (liburing). Layout: `how` goes in
/// `off`, `sizeof(struct open_how)` (24) in `len`.
///
/// Opcode: `IORING_OP_OPENAT2`, kernel 5.6+.
///
/// # Memory
/// `path` must point to a NUL-terminated string and `how` to an
/// `open_how`, both valid for reads until the CQE arrives.
#[inline]
pub fn openat2(sqe: &mut io_uring_sqe, dfd: i32, path: *const c_char, how: *const open_how) {
    let len = core::mem::size_of::<open_how>() as u32;
    prep_rw(
        bare_uring_sys::IORING_OP_OPENAT2,
        sqe,
        dfd,
        ptr_u64(path),
        len,
        ptr_u64(how),
    );
}

/// Prepares an `openat2(2)` into registered file slot `file_index` (or
/// `IORING_FILE_INDEX_ALLOC`).
///
/// Mirrors `io_uring_prep_openat2_direct()` (liburing).
///
/// Opcode: `IORING_OP_OPENAT2`, kernel 5.15+.
///
/// # Memory
/// As [`openat2`].
#[inline]
pub fn openat2_direct(
    sqe: &mut io_uring_sqe,
    dfd: i32,
    path: *const c_char,
    how: *const open_how,
    file_index: u32,
) {
    openat2(sqe, dfd, path, how);
    set_direct_slot(sqe, file_index);
}

/// Prepares a `close(2)` of `fd`.
///
/// Mirrors `io_uring_prep_close()` (liburing).
///
/// Opcode: `IORING_OP_CLOSE`, kernel 5.6+.
#[inline]
pub const fn close(sqe: &mut io_uring_sqe, fd: i32) {
    prep_rw(bare_uring_sys::IORING_OP_CLOSE, sqe, fd, 0, 0, 0);
}

/// Prepares closing registered file slot `file_index`.
///
/// Mirrors `io_uring_prep_close_direct()` (liburing): `fd` 0 and
/// `file_index + 1` (wrapping; there is no `IORING_FILE_INDEX_ALLOC` case).
///
/// Opcode: `IORING_OP_CLOSE`, kernel 5.15+.
#[inline]
pub const fn close_direct(sqe: &mut io_uring_sqe, file_index: u32) {
    close(sqe, 0);
    set_target_fixed_file(sqe, file_index);
}

/// Prepares updating `nr_fds` registered file slots from `offset` with the
/// fds in `fds` (-1 clears a slot), like `IORING_REGISTER_FILES_UPDATE` but
/// asynchronous.
///
/// Mirrors `io_uring_prep_files_update()` (liburing). With `offset`
/// `IORING_FILE_INDEX_ALLOC` (-1 as `int`) the kernel picks free slots and
/// writes them back into `fds`. `offset` is sign-extended into `off`.
///
/// Opcode: `IORING_OP_FILES_UPDATE`, kernel 5.6+.
///
/// # Memory
/// `fds` must point to `nr_fds` `int`s valid for reads, and for writes and
/// not otherwise accessed when `offset` is `IORING_FILE_INDEX_ALLOC`, until
/// the CQE arrives.
#[inline]
pub fn files_update(sqe: &mut io_uring_sqe, fds: *mut i32, nr_fds: u32, offset: i32) {
    prep_rw(
        bare_uring_sys::IORING_OP_FILES_UPDATE,
        sqe,
        -1,
        ptr_u64(fds),
        nr_fds,
        offset as u64,
    );
}

/// Prepares installing registered file `fd` (a slot index) into the
/// process's fd table; the new fd comes back in the CQE's `res`.
///
/// Mirrors `io_uring_prep_fixed_fd_install()` (liburing). ABI subtlety: it
/// *assigns* `sqe->flags = IOSQE_FIXED_FILE` (the kernel requires it; other
/// flags set before are lost). `flags`: `IORING_FIXED_FD_NO_CLOEXEC`.
///
/// Opcode: `IORING_OP_FIXED_FD_INSTALL`, kernel 6.8+.
#[inline]
pub const fn fixed_fd_install(sqe: &mut io_uring_sqe, fd: i32, flags: u32) {
    prep_rw(bare_uring_sys::IORING_OP_FIXED_FD_INSTALL, sqe, fd, 0, 0, 0);
    sqe.flags = bare_uring_sys::IOSQE_FIXED_FILE;
    sqe.set_install_fd_flags(flags);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed from liburing.h: `_direct` keeps ALLOC, close_direct
    /// wraps ALLOC + 1 to 0.
    #[test]
    fn direct_slot_encoding() {
        let mut sqe = io_uring_sqe::zeroed();
        openat_direct(
            &mut sqe,
            3,
            core::ptr::null(),
            0,
            0,
            IORING_FILE_INDEX_ALLOC,
        );
        assert_eq!(sqe.file_index(), u32::MAX);
        openat2_direct(&mut sqe, 3, core::ptr::null(), core::ptr::null(), 0);
        assert_eq!((sqe.file_index(), sqe.len), (1, 24));
        close_direct(&mut sqe, IORING_FILE_INDEX_ALLOC);
        assert_eq!((sqe.file_index(), sqe.fd), (0, 0));
    }

    #[test]
    fn fixed_fd_install_assigns_flags() {
        let mut sqe = io_uring_sqe::zeroed();
        sqe.flags = 0xfe;
        fixed_fd_install(&mut sqe, 2, 1);
        assert_eq!((sqe.flags, sqe.install_fd_flags(), sqe.opcode), (1, 1, 54));
    }
}
