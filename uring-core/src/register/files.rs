//! The fixed ("direct") file table.

use super::{addr_of, count, rsrc_sparse, rsrc_tagged};
use crate::{Errno, Ring};
use bare_uring_sys::{
    io_uring_file_index_range, io_uring_files_update, io_uring_rsrc_register,
    io_uring_rsrc_update2, IORING_REGISTER_FILES, IORING_REGISTER_FILES2,
    IORING_REGISTER_FILES_UPDATE, IORING_REGISTER_FILES_UPDATE2, IORING_REGISTER_FILE_ALLOC_RANGE,
    IORING_UNREGISTER_FILES,
};
use core::ffi::c_void;
use core::mem::size_of;

impl Ring {
    /// Registers `files` as the ring's fixed file table (slot `i` holds
    /// `files[i]`; `-1` leaves a slot empty).
    ///
    /// The kernel takes its own reference to each file during the call; the
    /// slice may be dropped afterwards and closing the original fds does not
    /// affect the table. Use slots with `IOSQE_FIXED_FILE` and the slot index
    /// as the SQE's fd.
    ///
    /// Mirrors `io_uring_register_files()` (liburing), except that liburing
    /// raises `RLIMIT_NOFILE` and retries on `EMFILE`; this does not.
    /// Kernel: 5.1+.
    ///
    /// Errors: `EBUSY` a table is already registered, `EMFILE` more than
    /// `RLIMIT_NOFILE` slots, `EBADF` an fd is not open, `EINVAL` empty
    /// slice or an io_uring fd in the table.
    ///
    /// # Safety
    /// I/O safety: every fd in `files` (other than the placeholders named
    /// above) is open and owned or borrowed by the caller for the call, as a
    /// `std::os::fd::BorrowedFd` would be; a number that another owner may
    /// close names whatever file later gets it.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_files(&self, files: &[i32]) -> Result<(), Errno> {
        let nr = count(files.len())?;
        // SAFETY: the kernel reads `nr` ints from `files` during the call and
        // keeps no pointer to them.
        unsafe { self.register_op(IORING_REGISTER_FILES, files.as_ptr().cast(), nr) }.map(|_| ())
    }

    /// Registers `files` with a 64-bit tag per slot; when a tagged file is
    /// later removed from the table, the kernel posts a CQE with
    /// `user_data` = tag (and res 0) once it is no longer in use.
    ///
    /// Mirrors `io_uring_register_files_tags()` (liburing). Kernel: 5.13+.
    ///
    /// Errors: as [`Ring::register_files`]; `EINVAL` if `tags` is not as
    /// long as `files`.
    ///
    /// # Safety
    /// I/O safety: every fd in `files` (other than the placeholders named
    /// above) is open and owned or borrowed by the caller for the call, as a
    /// `std::os::fd::BorrowedFd` would be; a number that another owner may
    /// close names whatever file later gets it.
    /// Tags: every non-zero tag becomes the `user_data` of a CQE the kernel
    /// posts when the file leaves the table (update, unregister, ring
    /// teardown), with `res` 0 and no request behind it. The caller's
    /// completion handling must tell such a CQE from a request's: no tag may
    /// equal a `user_data` the program acts on as a request completion
    /// (freeing memory, say) while that CQE can arrive.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_files_tags(&self, files: &[i32], tags: &[u64]) -> Result<(), Errno> {
        let reg = rsrc_tagged(files, tags)?;
        // SAFETY: the kernel copies `reg` and then reads `nr` fds and tags
        // through it during the call only.
        unsafe { self.rsrc_register(IORING_REGISTER_FILES2, &reg) }
    }

    /// Registers an empty fixed file table of `nr` slots, to be filled by
    /// [`Ring::register_files_update`], direct opens/accepts or
    /// `msg_ring_fd`.
    ///
    /// Mirrors `io_uring_register_files_sparse()` (liburing). Kernel: 5.19+.
    ///
    /// Errors: `EBUSY` a table exists, `EMFILE` `nr` above `RLIMIT_NOFILE`,
    /// `EINVAL` `nr` is 0.
    pub fn register_files_sparse(&self, nr: u32) -> Result<(), Errno> {
        let reg = rsrc_sparse(nr);
        // SAFETY: the kernel copies `reg`; no data pointers are passed.
        unsafe { self.rsrc_register(IORING_REGISTER_FILES2, &reg) }
    }

    /// Replaces slots `off..off + files.len()` of the fixed file table:
    /// an fd installs that file, `-1` empties the slot,
    /// `IORING_REGISTER_FILES_SKIP` (-2) leaves it as is. Returns the
    /// number of slots processed.
    ///
    /// Mirrors `io_uring_register_files_update()` (liburing). Kernel: 5.5+.
    ///
    /// Errors: `ENXIO` no table registered, `EINVAL` range outside the
    /// table, `EBADF` a bad fd.
    ///
    /// # Safety
    /// I/O safety: every fd in `files` (other than the placeholders named
    /// above) is open and owned or borrowed by the caller for the call, as a
    /// `std::os::fd::BorrowedFd` would be; a number that another owner may
    /// close names whatever file later gets it.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_files_update(&self, off: u32, files: &[i32]) -> Result<u32, Errno> {
        let up = io_uring_files_update {
            offset: off,
            resv: 0,
            fds: addr_of(files),
        };
        let nr = count(files.len())?;
        // SAFETY: the kernel copies `up` and reads `nr` fds during the call.
        unsafe {
            self.register_op(
                IORING_REGISTER_FILES_UPDATE,
                &up as *const io_uring_files_update as *const c_void,
                nr,
            )
        }
    }

    /// As [`Ring::register_files_update`], also setting each slot's tag.
    ///
    /// Mirrors `io_uring_register_files_update_tag()` (liburing).
    /// Kernel: 5.13+.
    ///
    /// Errors: as [`Ring::register_files_update`]; `EINVAL` if `tags` is not
    /// as long as `files`, or a non-zero tag goes with `-1` or
    /// `IORING_REGISTER_FILES_SKIP`.
    ///
    /// # Safety
    /// I/O safety: every fd in `files` (other than the placeholders named
    /// above) is open and owned or borrowed by the caller for the call, as a
    /// `std::os::fd::BorrowedFd` would be; a number that another owner may
    /// close names whatever file later gets it.
    /// Tags: every non-zero tag becomes the `user_data` of a CQE the kernel
    /// posts when the file leaves the table (update, unregister, ring
    /// teardown), with `res` 0 and no request behind it. The caller's
    /// completion handling must tell such a CQE from a request's: no tag may
    /// equal a `user_data` the program acts on as a request completion
    /// (freeing memory, say) while that CQE can arrive.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_files_update_tag(
        &self,
        off: u32,
        files: &[i32],
        tags: &[u64],
    ) -> Result<u32, Errno> {
        if files.len() != tags.len() {
            return Err(Errno::EINVAL);
        }
        let up = io_uring_rsrc_update2 {
            offset: off,
            resv: 0,
            data: addr_of(files),
            tags: addr_of(tags),
            nr: count(files.len())?,
            resv2: 0,
        };
        // SAFETY: the kernel copies `up` and reads `nr` fds and tags during
        // the call only.
        unsafe { self.rsrc_update2(IORING_REGISTER_FILES_UPDATE2, &up) }
    }

    /// Drops the whole fixed file table.
    ///
    /// Mirrors `io_uring_unregister_files()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `ENXIO` no table registered.
    ///
    /// # Safety
    /// No request queued or in flight on this ring names a slot of the table
    /// (or every such request has posted its final CQE). Emptying the table
    /// is to fixed slots what closing is to fd numbers: the kernel looks a
    /// slot up when it issues a request (for a linked, drained, forced-async
    /// or SQPOLL request, long after the submit), so a slot emptied and
    /// refilled in between (a new table, another component's
    /// `open_direct`) makes the request act on another file. Also, tagged
    /// slots post their tag CQEs now (see
    /// [`register_files_tags`](Self::register_files_tags)).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn unregister_files(&self) -> Result<(), Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_UNREGISTER_FILES, core::ptr::null(), 0) }.map(|_| ())
    }

    /// Restricts the slots the kernel picks for `IORING_FILE_INDEX_ALLOC`
    /// (direct open/accept/socket, `msg_ring_fd_alloc`) to
    /// `off..off + len`.
    ///
    /// Mirrors `io_uring_register_file_alloc_range()` (liburing).
    /// Kernel: 6.0+.
    ///
    /// Errors: `EINVAL` range beyond the table, `EOVERFLOW` `off + len`
    /// overflows, `ENXIO` no table.
    pub fn register_file_alloc_range(&self, off: u32, len: u32) -> Result<(), Errno> {
        let range = io_uring_file_index_range { off, len, resv: 0 };
        // SAFETY: the kernel copies `range` during the call.
        unsafe {
            self.register_op(
                IORING_REGISTER_FILE_ALLOC_RANGE,
                &range as *const io_uring_file_index_range as *const c_void,
                0,
            )
        }
        .map(|_| ())
    }

    /// `IORING_REGISTER_{FILES,BUFFERS}2` with a prepared descriptor.
    ///
    /// # Safety
    /// The pointers in `reg` must be valid for what the opcode reads.
    /// See the [safety model](crate#safety-model).
    pub(crate) unsafe fn rsrc_register(
        &self,
        opcode: u32,
        reg: &io_uring_rsrc_register,
    ) -> Result<(), Errno> {
        // SAFETY: forwarded to the caller; `reg` is valid for its size.
        unsafe {
            self.register_op(
                opcode,
                reg as *const io_uring_rsrc_register as *const c_void,
                size_of::<io_uring_rsrc_register>() as u32,
            )
        }
        .map(|_| ())
    }

    /// `IORING_REGISTER_{FILES,BUFFERS}_UPDATE2` with a prepared descriptor.
    ///
    /// # Safety
    /// The pointers in `up` must be valid for what the opcode reads.
    /// See the [safety model](crate#safety-model).
    pub(crate) unsafe fn rsrc_update2(
        &self,
        opcode: u32,
        up: &io_uring_rsrc_update2,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller; `up` is valid for its size.
        unsafe {
            self.register_op(
                opcode,
                up as *const io_uring_rsrc_update2 as *const c_void,
                size_of::<io_uring_rsrc_update2>() as u32,
            )
        }
    }
}
