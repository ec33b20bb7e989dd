//! Fixed (registered) buffers for `READ_FIXED`/`WRITE_FIXED`, `send_zc`
//! with `IORING_RECVSEND_FIXED_BUF`, ...

use super::{addr_of, count, rsrc_sparse, rsrc_tagged};
use crate::{Errno, Ring};
use bare_uring_sys::{
    io_uring_clone_buffers, io_uring_rsrc_update2, iovec, IORING_FEAT_REG_REG_RING,
    IORING_REGISTER_BUFFERS, IORING_REGISTER_BUFFERS2, IORING_REGISTER_BUFFERS_UPDATE,
    IORING_REGISTER_CLONE_BUFFERS, IORING_REGISTER_SRC_REGISTERED, IORING_UNREGISTER_BUFFERS,
};
use core::ptr;

impl Ring {
    /// Registers `iovecs` as fixed buffers (index `i` is `iovecs[i]`).
    ///
    /// The kernel pins the pages and reads or writes them for every
    /// fixed-buffer request, through the pinned pages, until the buffers
    /// are unregistered (or the ring is dropped) and the requests using
    /// them are done. The `iovec` array itself is copied.
    ///
    /// Mirrors `io_uring_register_buffers()` (liburing). Kernel: 5.1+.
    ///
    /// An iovec with a null base and length 0 registers an empty slot.
    ///
    /// Errors: `EBUSY` buffers already registered, `EINVAL` empty slice or
    /// more than 16384 buffers, `EFAULT` unmapped memory, a zero length
    /// with a non-null base, or a buffer above 1 GiB, `ENOMEM`/`EOPNOTSUPP`
    /// pinning failed (`RLIMIT_MEMLOCK` on old kernels, file-backed memory).
    ///
    /// # Safety
    /// Each buffer (the `iov_len` bytes at `iov_base`) is lent to the
    /// kernel beyond this call ([safety model](crate#safety-model)). It
    /// must stay valid (not freed, unmapped or reused for anything else)
    /// until both:
    /// - every request that used it (`READ_FIXED`/`WRITE_FIXED`, sends and
    ///   receives with `IORING_RECVSEND_FIXED_BUF`, commands with a fixed
    ///   buffer, ...) has posted its final CQE (for a zero-copy send, the
    ///   `IORING_CQE_F_NOTIF` one), and
    /// - it is no longer registered: replaced with
    ///   [`Ring::register_buffers_update_tag`] (with a tag, the tag's CQE
    ///   says when the kernel let go of it), unregistered with
    ///   [`Ring::unregister_buffers`], or the ring dropped; on every ring it
    ///   was cloned to ([`Ring::clone_buffers`]).
    ///
    /// Neither dropping the ring nor unregistering ends requests in flight:
    /// the kernel cancels them and finishes them asynchronously after the
    /// ring file is closed, using the buffers until each completes. So
    /// memory used by a request whose final CQE was not reaped must stay
    /// valid even after the [`Ring`] is dropped: reap (or cancel and reap)
    /// such requests first, or lend memory that is never freed. Between
    /// requests the caller may read and write the buffers as usual; while a
    /// request writes part of one, no Rust reference may alias that part.
    pub unsafe fn register_buffers(&self, iovecs: &[iovec]) -> Result<(), Errno> {
        let nr = count(iovecs.len())?;
        // SAFETY: the kernel reads `nr` iovecs during the call; the memory
        // they describe is the caller's promise.
        unsafe { self.register_op(IORING_REGISTER_BUFFERS, iovecs.as_ptr().cast(), nr) }.map(|_| ())
    }

    /// As [`Ring::register_buffers`] with a tag per buffer: when a tagged
    /// buffer is replaced or unregistered the kernel posts a CQE with
    /// `user_data` = tag once no request uses it any more.
    ///
    /// Mirrors `io_uring_register_buffers_tags()` (liburing). Kernel: 5.13+.
    ///
    /// Errors: as [`Ring::register_buffers`]; `EINVAL` if `tags` is not as
    /// long as `iovecs`.
    ///
    /// # Safety
    /// As [`Ring::register_buffers`].
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_buffers_tags(
        &self,
        iovecs: &[iovec],
        tags: &[u64],
    ) -> Result<(), Errno> {
        let reg = rsrc_tagged(iovecs, tags)?;
        // SAFETY: the descriptor is copied; buffer lifetime is the caller's
        // promise.
        unsafe { self.rsrc_register(IORING_REGISTER_BUFFERS2, &reg) }
    }

    /// Registers an empty fixed buffer table of `nr` slots, to be filled by
    /// [`Ring::register_buffers_update_tag`].
    ///
    /// Mirrors `io_uring_register_buffers_sparse()` (liburing). Kernel: 5.19+.
    ///
    /// Errors: `EBUSY` buffers already registered, `EINVAL` `nr` is 0 or
    /// above 16384.
    pub fn register_buffers_sparse(&self, nr: u32) -> Result<(), Errno> {
        let reg = rsrc_sparse(nr);
        // SAFETY: the kernel copies `reg`; no memory is registered.
        unsafe { self.rsrc_register(IORING_REGISTER_BUFFERS2, &reg) }
    }

    /// Replaces fixed buffers `off..off + iovecs.len()`; an iovec with a
    /// null base and zero length empties its slot. `tags`, if given, must be
    /// as long as `iovecs`. Returns the number of slots updated.
    ///
    /// Mirrors `io_uring_register_buffers_update_tag()` (liburing).
    /// Kernel: 5.13+.
    ///
    /// Errors: `ENXIO` no buffer table, `EINVAL` range outside the table or
    /// a bad buffer/tag combination, `EFAULT` unmapped memory.
    ///
    /// # Safety
    /// As [`Ring::register_buffers`] for every buffer installed.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_buffers_update_tag(
        &self,
        off: u32,
        iovecs: &[iovec],
        tags: Option<&[u64]>,
    ) -> Result<u32, Errno> {
        let tags = match tags {
            Some(t) if t.len() != iovecs.len() => return Err(Errno::EINVAL),
            Some(t) => addr_of(t),
            None => 0,
        };
        let up = io_uring_rsrc_update2 {
            offset: off,
            resv: 0,
            data: addr_of(iovecs),
            tags,
            nr: count(iovecs.len())?,
            resv2: 0,
        };
        // SAFETY: the descriptor, iovecs and tags are read during the call;
        // buffer lifetime is the caller's promise.
        unsafe { self.rsrc_update2(IORING_REGISTER_BUFFERS_UPDATE, &up) }
    }

    /// Unregisters all fixed buffers (the kernel unpins them once in-flight
    /// requests finish).
    ///
    /// Mirrors `io_uring_unregister_buffers()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `ENXIO` no buffers registered.
    ///
    /// # Safety
    /// No request queued or in flight on this ring names a registered
    /// buffer index (or every such request has posted its final CQE). The
    /// kernel resolves an index when it issues a request (for a linked,
    /// drained, forced-async or SQPOLL request, long after the submit): if
    /// the table was emptied and another buffer registered at that index in
    /// between, the request reads or writes that buffer instead, while its
    /// owner may be using it. See the [safety model](crate#safety-model).
    pub unsafe fn unregister_buffers(&self) -> Result<(), Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_UNREGISTER_BUFFERS, core::ptr::null(), 0) }.map(|_| ())
    }

    /// Copies `nr` fixed buffers of ring `src`, from `src_off`, into this
    /// ring at `dst_off` (`nr` 0: all of them). Both rings then share the
    /// pinned pages. `flags`: `IORING_REGISTER_DST_REPLACE` to replace
    /// existing buffers here (otherwise this ring must have none).
    ///
    /// Mirrors `io_uring_clone_buffers_offset()` (liburing): as
    /// [`__clone_buffers_offset`](Self::__clone_buffers_offset) with
    /// `IORING_REGISTER_SRC_REGISTERED` added, so `src`'s registered index
    /// is used when its fd is registered. Kernel: 6.12+ (offsets and
    /// REPLACE 6.13+).
    ///
    /// Errors: `EBUSY` this ring has buffers (without REPLACE), `ENXIO`
    /// `src` has none, `EINVAL` bad range or `src` is this ring, `EOVERFLOW`
    /// offsets overflow, `EBADF` bad source.
    ///
    /// # Safety
    /// As [`Ring::register_buffers`], now for this ring too: `src`'s
    /// buffers must stay valid until the requests of both rings using them
    /// are done and neither ring has them registered.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn clone_buffers_offset(
        &self,
        src: &Ring,
        dst_off: u32,
        src_off: u32,
        nr: u32,
        flags: u32,
    ) -> Result<(), Errno> {
        // SAFETY: forwarded.
        unsafe {
            self.__clone_buffers_offset(
                src,
                dst_off,
                src_off,
                nr,
                flags | IORING_REGISTER_SRC_REGISTERED,
            )
        }
    }

    /// As [`clone_buffers_offset`](Self::clone_buffers_offset), with
    /// `flags` as given: `src` is named by its registered index only if
    /// `flags` has `IORING_REGISTER_SRC_REGISTERED` *and* `src`'s fd is
    /// registered (on a kernel with IORING_FEAT_REG_REG_RING); otherwise
    /// by its fd, with that flag cleared, so the kernel never reads a fd
    /// number as another ring's index.
    ///
    /// Mirrors `__io_uring_clone_buffers_offset()` (liburing). Kernel:
    /// 6.12+ (offsets and REPLACE 6.13+).
    ///
    /// Errors: as [`clone_buffers_offset`](Self::clone_buffers_offset).
    ///
    /// # Safety
    /// As [`clone_buffers_offset`](Self::clone_buffers_offset).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn __clone_buffers_offset(
        &self,
        src: &Ring,
        dst_off: u32,
        src_off: u32,
        nr: u32,
        flags: u32,
    ) -> Result<(), Errno> {
        let mut arg = io_uring_clone_buffers {
            src_fd: src.ring_fd() as u32,
            flags: flags & !IORING_REGISTER_SRC_REGISTERED,
            src_off,
            dst_off,
            nr,
            pad: [0; 3],
        };
        if flags & IORING_REGISTER_SRC_REGISTERED != 0
            && src.features() & IORING_FEAT_REG_REG_RING != 0
        {
            if let Some(idx) = src.registered_index() {
                arg.src_fd = idx;
                arg.flags |= IORING_REGISTER_SRC_REGISTERED;
            }
        }
        // SAFETY: the kernel copies `arg` during the call; buffer lifetime
        // is the caller's promise.
        unsafe { self.register_op(IORING_REGISTER_CLONE_BUFFERS, ptr::from_ref(&arg).cast(), 1) }
            .map(|_| ())
    }

    /// Copies all fixed buffers of ring `src` into this ring, with `flags`
    /// as [`__clone_buffers_offset`](Self::__clone_buffers_offset) takes
    /// them.
    ///
    /// Mirrors `__io_uring_clone_buffers()` (liburing). Kernel: 6.12+.
    ///
    /// Errors: as [`clone_buffers_offset`](Self::clone_buffers_offset).
    ///
    /// # Safety
    /// As [`clone_buffers_offset`](Self::clone_buffers_offset).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn __clone_buffers(&self, src: &Ring, flags: u32) -> Result<(), Errno> {
        // SAFETY: forwarded.
        unsafe { self.__clone_buffers_offset(src, 0, 0, 0, flags) }
    }

    /// Copies all fixed buffers of ring `src` into this ring.
    ///
    /// Mirrors `io_uring_clone_buffers()` (liburing). Kernel: 6.12+.
    ///
    /// Errors: as [`Ring::clone_buffers_offset`].
    ///
    /// # Safety
    /// As [`Ring::clone_buffers_offset`].
    /// See the [safety model](crate#safety-model).
    pub unsafe fn clone_buffers(&self, src: &Ring) -> Result<(), Errno> {
        // SAFETY: forwarded.
        unsafe { self.__clone_buffers_offset(src, 0, 0, 0, IORING_REGISTER_SRC_REGISTERED) }
    }
}
