//! Zero-copy receive: registering an interface queue
//! (`IORING_REGISTER_ZCRX_IFQ`) and its control operations
//! (`IORING_REGISTER_ZCRX_CTRL`).

use crate::{Errno, Ring};
use bare_uring_sys::{
    io_uring_zcrx_ifq_reg, zcrx_ctrl, IORING_REGISTER_ZCRX_CTRL, IORING_REGISTER_ZCRX_IFQ,
};
use core::ptr;

impl Ring {
    /// Registers a zero-copy receive interface queue: receive queue
    /// `reg.if_rxq` of interface `reg.if_idx` delivers packet payloads
    /// straight into the area `reg.area_ptr` describes
    /// (`io_uring_zcrx_area_reg`: user memory at `addr`, `len` bytes, or a
    /// dma-buf with IORING_ZCRX_AREA_DMABUF), and the kernel reads
    /// returned buffers from a refill ring of `reg.rq_entries` entries in
    /// the region `reg.region_ptr` describes (`io_uring_region_desc`). The
    /// kernel writes back `reg.offsets`, `reg.zcrx_id`,
    /// `reg.rq_entries`, the area's `rq_area_token` and the region's
    /// `mmap_offset`.
    ///
    /// Needs a NIC and driver with header split and flow steering, a ring
    /// with IORING_SETUP_DEFER_TASKRUN and 32-byte CQEs (CQE32 or
    /// CQE_MIXED), and `CAP_NET_ADMIN`.
    ///
    /// Mirrors `io_uring_register_ifq()` (liburing). Kernel: 6.15+.
    ///
    /// Errors: `EOPNOTSUPP` for a device that cannot do it (`lo`:
    /// `tests/register_new.rs`, as liburing gets), `EINVAL` for a ring
    /// without DEFER_TASKRUN or 32-byte CQEs (tested), reserved fields or
    /// sizes, and from kernels before 6.15 (unknown opcode); `EPERM`
    /// without `CAP_NET_ADMIN`; `ENODEV` for no such interface; `EFAULT`,
    /// `ENOMEM`.
    ///
    /// # Safety
    /// `reg`'s `area_ptr` and `region_ptr` point to an
    /// `io_uring_zcrx_area_reg` and an `io_uring_region_desc` valid for
    /// reads and writes during the call. The area's memory (and a
    /// caller-memory region's, IORING_MEM_REGION_TYPE_USER) is the
    /// caller's, stays allocated and is used for nothing else until the
    /// ring is dropped and the kernel released it: the device writes
    /// packets into the area and the kernel reads the refill ring there,
    /// with no event that tells when it stopped (memory never freed is the
    /// simple answer). A dma-buf fd is open and owned or borrowed by the
    /// caller for the call (I/O safety). See the
    /// [safety model](crate#safety-model).
    pub unsafe fn register_ifq(&self, reg: &mut io_uring_zcrx_ifq_reg) -> Result<(), Errno> {
        // SAFETY: the kernel reads and writes back `reg` (and what it
        // points to) during the call; the memory it keeps is the caller's
        // promise.
        unsafe { self.register_op(IORING_REGISTER_ZCRX_IFQ, ptr::from_mut(reg).cast(), 1) }
            .map(|_| ())
    }

    /// A control operation on this ring's zero-copy receive queue
    /// `ctrl.zcrx_id`: `ZCRX_CTRL_FLUSH_RQ` (take back every buffer in the
    /// refill ring now) or `ZCRX_CTRL_EXPORT` (a new fd for the queue, in
    /// `ctrl.zc_export().zcrx_fd`, owned by the caller, that another ring
    /// can import with `ZCRX_REG_IMPORT`). Returns the kernel's result.
    ///
    /// Safe: the kernel reads no pointer from `ctrl` and acts only on a
    /// queue of this ring; an exported fd is a new one.
    ///
    /// Mirrors `io_uring_register_zcrx_ctrl()` (liburing). Kernel: 6.19+.
    ///
    /// Errors: `ENXIO` (no queue `zcrx_id` on this ring: tested on 7.2, as
    /// liburing gets), `EINVAL` (unknown `op`, reserved fields set; and
    /// from kernels before 6.19: unknown opcode), `EFAULT`.
    pub fn register_zcrx_ctrl(&self, ctrl: &mut zcrx_ctrl) -> Result<u32, Errno> {
        // SAFETY: the kernel reads (and for EXPORT writes back) one
        // zcrx_ctrl during the call; it holds no pointers.
        unsafe { self.register_op(IORING_REGISTER_ZCRX_CTRL, ptr::from_mut(ctrl).cast(), 0) }
    }
}
