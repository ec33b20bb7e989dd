//! Memory regions (`IORING_REGISTER_MEM_REGION`) and registered wait
//! arguments: [`Ring::register_region`], [`Ring::register_wait_reg`].
//! The wait that uses them, [`Ring::submit_and_wait_reg`], is with the
//! other waits.

use crate::{Errno, Ring};
use bare_uring_sys::{io_uring_mem_region_reg, io_uring_reg_wait, IORING_REGISTER_MEM_REGION};
use core::ptr;

impl Ring {
    /// Registers a memory region with the ring: `reg.region_uptr` points to
    /// an `io_uring_region_desc` describing it (`size`, and with
    /// IORING_MEM_REGION_TYPE_USER in its `flags` the caller's memory at
    /// `user_addr`, which the kernel pins; without, the kernel allocates
    /// the pages and writes into the descriptor the `mmap_offset` at which
    /// the ring fd maps them). With IORING_MEM_REGION_REG_WAIT_ARG in
    /// `reg.flags` the region holds `io_uring_reg_wait` entries that
    /// [`submit_and_wait_reg`](Self::submit_and_wait_reg) names by index;
    /// the kernel only accepts that on a ring still disabled
    /// (IORING_SETUP_R_DISABLED, then [`enable_rings`](Self::enable_rings)).
    /// One region per ring, kept until the ring is released.
    ///
    /// Mirrors `io_uring_register_region()` (liburing). Kernel: 6.13+.
    ///
    /// Errors: `EINVAL` (unknown or reserved flags set, REG_WAIT_ARG on an
    /// enabled ring, a size of 0 or not whole pages, an `id` or
    /// `mmap_offset` set; and from kernels before 6.13: unknown opcode),
    /// `EFAULT` (`user_addr` set without TYPE_USER or the reverse,
    /// unreadable descriptor or memory), `EBUSY` (a region is registered
    /// already), `ENOMEM`.
    ///
    /// # Safety
    /// `reg.region_uptr` points to an `io_uring_region_desc` valid for reads
    /// and writes during the call. With TYPE_USER, the `size` bytes at
    /// `user_addr` are memory the caller owns that stays allocated and is
    /// used for nothing else until the ring is dropped *and* the kernel
    /// released it (as ring memory with NO_MMAP: after the drop, with no
    /// event that tells when; memory never freed is the simple answer):
    /// the kernel keeps it pinned and reads the wait arguments there on
    /// every registered wait. Every entry a wait names holds an
    /// `io_uring_reg_wait` whose `sigmask`, if set, points to `sigmask_sz`
    /// readable bytes at that time. See the [safety model](crate#safety-model).
    pub unsafe fn register_region(&self, reg: &io_uring_mem_region_reg) -> Result<(), Errno> {
        // SAFETY: the kernel reads `reg` and the descriptor it points to and
        // writes the descriptor back during the call; the region itself is
        // the caller's promise.
        unsafe { self.register_op(IORING_REGISTER_MEM_REGION, ptr::from_ref(reg).cast(), 1) }
            .map(|_| ())
    }

    /// liburing 2.15's `io_uring_register_wait_reg()` is a stub that
    /// always returns `-EINVAL` (the 6.13-rc interface it wrapped,
    /// `IORING_REGISTER_CQWAIT_REG`, never reached a released kernel):
    /// this does the same, with no syscall. Register the wait arguments as
    /// a region with IORING_MEM_REGION_REG_WAIT_ARG instead
    /// ([`register_region`](Self::register_region)).
    ///
    /// Mirrors `io_uring_register_wait_reg()` (liburing). Kernel: none.
    ///
    /// Errors: `EINVAL`, always.
    pub fn register_wait_reg(&self, reg: &mut [io_uring_reg_wait]) -> Result<(), Errno> {
        let _ = reg;
        Err(Errno::EINVAL)
    }
}
