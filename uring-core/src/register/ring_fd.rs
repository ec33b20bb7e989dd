//! Registering the ring's own fd (`IORING_REGISTER_RING_FDS`), so each
//! `io_uring_enter(2)` skips the fd table lookup. Closing the real fd
//! afterwards is [`Ring::close_ring_fd`] (in `ring`).

use crate::{Errno, Ring};
use bare_uring_sys::{io_uring_rsrc_update, IORING_REGISTER_RING_FDS, IORING_UNREGISTER_RING_FDS};
use core::ptr;

impl Ring {
    /// Registers the ring fd with the calling task's registered-ring table;
    /// from then on every enter uses `IORING_ENTER_REGISTERED_RING` with
    /// the index, and (kernel 6.3+, `IORING_FEAT_REG_REG_RING`) every
    /// register call uses `IORING_REGISTER_USE_REGISTERED_RING`. Returns the
    /// index (liburing returns the count, 1).
    ///
    /// The registration belongs to the task (thread) that made it: another
    /// thread entering this ring gets `EINVAL` (it has no registered-ring
    /// table) or `EBADF` (its slot is empty), or reaches *its own* ring
    /// registered at the same index. Register from the thread that submits.
    ///
    /// Mirrors `io_uring_register_ring_fd()` (liburing). Kernel: 5.18+.
    ///
    /// Errors: `EEXIST` already registered (or set up with
    /// `IORING_SETUP_REGISTERED_FD_ONLY`), `EBUSY` the task's 16 slots are
    /// taken, `EBADF` the fd was closed.
    pub fn register_ring_fd(&mut self) -> Result<u32, Errno> {
        if self.registered_index().is_some() {
            return Err(Errno::EEXIST);
        }
        let mut up = io_uring_rsrc_update {
            // -1: let the kernel pick a free slot.
            offset: u32::MAX,
            resv: 0,
            data: self.ring_fd() as u32 as u64,
        };
        // SAFETY: the kernel reads one io_uring_rsrc_update and writes the
        // chosen slot back into `offset`, during the call.
        let n = unsafe {
            self.register_op(
                IORING_REGISTER_RING_FDS,
                ptr::from_mut(&mut up).cast_const().cast(),
                1,
            )
        }?;
        if n != 1 {
            return Err(Errno::EINVAL);
        }
        self.set_registered_index(up.offset);
        Ok(up.offset)
    }

    /// Unregisters the ring fd; enter and register use the plain fd again.
    ///
    /// Mirrors `io_uring_unregister_ring_fd()` (liburing). Kernel: 5.18+.
    ///
    /// Errors: `EINVAL` not registered; `EBADF` the real fd was closed by
    /// [`Ring::close_ring_fd`] (or never existed): unregistering would
    /// leave the ring unreachable, so this refuses (liburing does not);
    /// the registration then ends when the ring is dropped.
    pub fn unregister_ring_fd(&mut self) -> Result<(), Errno> {
        let Some(idx) = self.registered_index() else {
            return Err(Errno::EINVAL);
        };
        if self.ring_fd() < 0 {
            return Err(Errno::EBADF);
        }
        let up = io_uring_rsrc_update {
            offset: idx,
            resv: 0,
            data: 0,
        };
        // SAFETY: the kernel reads one io_uring_rsrc_update during the call.
        let n =
            unsafe { self.register_op(IORING_UNREGISTER_RING_FDS, ptr::from_ref(&up).cast(), 1) }?;
        if n != 1 {
            return Err(Errno::EINVAL);
        }
        self.clear_registered_index();
        Ok(())
    }
}
