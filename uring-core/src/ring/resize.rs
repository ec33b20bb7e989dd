//! [`Ring::resize_rings`]: new SQ/CQ sizes for a live ring
//! (`IORING_REGISTER_RESIZE_RINGS`), remapping the kernel's new rings.

use super::mmap::{self, Maps};
use super::{Params, Ring};
use crate::queue::{CqRing, SqRing};
use crate::Errno;
use bare_uring_sys::{
    io_cqring_offsets, io_sqring_offsets, IORING_REGISTER_RESIZE_RINGS, IORING_SETUP_CQE_MIXED,
    IORING_SETUP_NO_MMAP, IORING_SETUP_SQE_MIXED,
};
use core::ffi::c_void;

impl Ring {
    /// Gives the ring new SQ and CQ sizes: `p.sq_entries` SQ entries and,
    /// with IORING_SETUP_CQSIZE in `p.flags`, `p.cq_entries` CQ entries
    /// (else twice the SQ size); IORING_SETUP_CLAMP clamps too-large sizes.
    /// No other flag is allowed: the ring keeps its setup flags. The kernel
    /// copies the SQEs not yet consumed and the CQEs not yet seen into the
    /// new rings (`EOVERFLOW` if they do not fit); the old rings are
    /// unmapped and the new ones mapped. On return `p` holds the kernel's
    /// answer (`sq_entries`, `cq_entries`, offsets) with `flags` cleared,
    /// as liburing does ("for next use").
    ///
    /// SQEs handed out by [`get_sqe`](Self::get_sqe) and not yet submitted
    /// are published first (the tail is stored, nothing is submitted), so
    /// the kernel copies them too and the next submit submits them; a
    /// liburing ring would lose them (liburing keeps its local indices but
    /// the slots it filled are in the old SQE array).
    ///
    /// Takes `&mut self`: while a [`split`](Self::split) (or an
    /// [`SqeBatch`](crate::sq::SqeBatch), a CQE iterator) borrows the ring,
    /// the borrow checker rejects the call, so no handle keeps pointers
    /// into the unmapped rings:
    /// ```compile_fail,E0499
    /// # use bare_uring::{ring::Params, Ring};
    /// let mut ring = Ring::queue_init(8, bare_uring::sys::IORING_SETUP_DEFER_TASKRUN
    ///     | bare_uring::sys::IORING_SETUP_SINGLE_ISSUER).unwrap();
    /// let (sq, _cq, _submitter) = ring.split();
    /// ring.resize_rings(&mut Params::new()).unwrap(); // E0499: borrowed by the split
    /// drop(sq);
    /// ```
    ///
    /// ```no_run
    /// use bare_uring::sys::{IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER};
    /// use bare_uring::{ring::Params, Ring};
    /// let mut ring = Ring::queue_init(8, IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER)?;
    /// let mut p = Params::new().cq_size(1024);
    /// p.sq_entries = 256;
    /// ring.resize_rings(&mut p)?;
    /// assert_eq!((ring.sq_entries(), ring.cq_entries()), (256, 1024));
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    ///
    /// Mirrors `io_uring_resize_rings()` (liburing). Kernel: 6.13+, for
    /// rings set up with IORING_SETUP_DEFER_TASKRUN.
    ///
    /// Errors: `EINVAL` for a ring without IORING_SETUP_DEFER_TASKRUN (the
    /// kernel's rule), for flags other than CQSIZE and CLAMP, for sizes out
    /// of range, and for IORING_SETUP_NO_MMAP rings (refused before any
    /// syscall, as liburing does: the kernel would need new caller memory
    /// in `sq_off.user_addr`/`cq_off.user_addr`, and this crate's NO_MMAP
    /// memory is never reused, so it has nowhere to put the new rings);
    /// `EOPNOTSUPP` for IORING_SETUP_CQE_MIXED and IORING_SETUP_SQE_MIXED
    /// rings (refused before any syscall: the kernel copies pending entries
    /// slot by slot under the new mask, so a 32-byte CQE or 128-byte SQE
    /// straddling the new end would come out split, seen on 6.18);
    /// `EBADF` when the ring has no real fd to map the new rings from
    /// (after [`close_ring_fd`](Self::close_ring_fd); refused before the
    /// resize); `EOVERFLOW` when the pending SQEs or CQEs do not fit the
    /// new sizes (the ring is unchanged); `EINVAL` from kernels before 6.13
    /// (unknown register opcode); `ENOMEM`; what `mmap` returns. If mapping
    /// the new rings fails after the kernel resized them, the error is
    /// returned and the ring can no longer submit or complete (its old
    /// mappings stay valid memory the kernel no longer uses); drop it.
    pub fn resize_rings(&mut self, p: &mut Params) -> Result<(), Errno> {
        let r = self.resize_rings_inner(p);
        // liburing: "clear for next use", on every path.
        p.flags = 0;
        r
    }

    fn resize_rings_inner(&mut self, p: &mut Params) -> Result<(), Errno> {
        if self.flags & IORING_SETUP_NO_MMAP != 0 {
            return Err(Errno::EINVAL);
        }
        if self.flags & (IORING_SETUP_CQE_MIXED | IORING_SETUP_SQE_MIXED) != 0 {
            // The kernel copies 16-byte CQE (64-byte SQE) slots one by one
            // under the new mask: a 32-byte CQE (128-byte SQE) pending across
            // the new end is split, its second half landing in slot 0.
            return Err(Errno::EOPNOTSUPP);
        }
        if self.fd < 0 {
            return Err(Errno::EBADF);
        }
        p.sq_off = io_sqring_offsets::default();
        p.cq_off = io_cqring_offsets::default();
        // Publish what was handed out, so the kernel copies it.
        self.sq.flush();
        // SAFETY: the kernel reads and writes back one io_uring_params; it
        // keeps no pointer (no NO_MMAP here, so no user addresses).
        unsafe {
            self.register_op(
                IORING_REGISTER_RESIZE_RINGS,
                (&mut p.0 as *mut bare_uring_sys::io_uring_params).cast::<c_void>(),
                1,
            )
        }?;
        // The geometry of the new rings: what the kernel answered, with the
        // ring's own setup flags (the kernel keeps them, resize cannot
        // change them) and features (SINGLE_MMAP).
        let mut q = p.0;
        q.flags = self.flags;
        q.features = self.features;
        let (maps, regions) = mmap::map_kernel(self.fd, &q)?;
        // SAFETY: the regions were just mapped from the ring fd with the
        // kernel's offsets (checked against them here) and move into the
        // ring below, so they live as long as the queues built on them.
        let (sqp, cqp, array) = unsafe { mmap::queue_ptrs(&q, &regions) }?;
        // SAFETY: as above.
        let sq = unsafe { SqRing::new(sqp) }?;
        // SAFETY: as above.
        let cq = unsafe { CqRing::new(cqp) }?;
        if !array.is_null() {
            // Slot i -> SQE i, as at setup (the kernel copied SQEs by slot).
            for i in 0..sqp.entries {
                // SAFETY: checked to hold sq_entries u32s; the kernel only
                // reads it during io_uring_enter, not now.
                unsafe { array.add(i as usize).write_volatile(i) };
            }
        }
        self.sq = sq;
        self.cq = cq;
        self.regions = regions;
        // The old mappings are unmapped here, once nothing points to them.
        let old: Maps = core::mem::replace(&mut self._maps, maps);
        drop(old);
        Ok(())
    }
}
