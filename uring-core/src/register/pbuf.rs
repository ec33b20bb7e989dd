//! Provided buffer rings (`IORING_REGISTER_PBUF_RING`): the ring memory is
//! either the caller's or allocated by the kernel (`IOU_PBUF_RING_MMAP`) and
//! mapped at `IORING_OFF_PBUF_RING | bgid << IORING_OFF_PBUF_SHIFT`.
//! Filling and recycling entries is `crate::buf_ring`'s job.

use crate::syscall::{mmap, munmap, MAP_ANONYMOUS, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_RW};
use crate::{Errno, Ring};
use bare_uring_sys::{
    io_uring_buf, io_uring_buf_reg, io_uring_buf_ring, io_uring_buf_status, IORING_OFF_PBUF_RING,
    IORING_OFF_PBUF_SHIFT, IORING_REGISTER_PBUF_RING, IORING_REGISTER_PBUF_STATUS,
    IORING_UNREGISTER_PBUF_RING, IOU_PBUF_RING_MMAP,
};
use core::mem::size_of;
use core::ptr::{self, NonNull};

/// Bytes of a buffer ring with `nentries` entries (`EINVAL` on overflow).
fn ring_size(nentries: u32) -> Result<usize, Errno> {
    (nentries as usize)
        .checked_mul(size_of::<io_uring_buf>())
        .ok_or(Errno::EINVAL)
}

impl Ring {
    /// Registers a provided buffer ring described by `reg` (`ring_addr`,
    /// `ring_entries` a power of two below 65536, `bgid`), with `flags`
    /// (`IOU_PBUF_RING_MMAP`, `IOU_PBUF_RING_INC`) or-ed into `reg.flags`.
    /// With `IOU_PBUF_RING_MMAP`, `ring_addr` must be 0 and the kernel
    /// allocates the ring; map it with [`Ring::setup_buf_ring`] instead.
    ///
    /// Mirrors `io_uring_register_buf_ring()` (liburing). Kernel: 5.19+
    /// (`IOU_PBUF_RING_MMAP` 6.4+, `IOU_PBUF_RING_INC` 6.12+).
    ///
    /// Errors: `EEXIST` group `bgid` exists, `EINVAL` bad entries, flags
    /// (also any bit above the kernel's 16-bit field) or alignment,
    /// `EFAULT` bad address.
    ///
    /// # Safety
    /// Unless `IOU_PBUF_RING_MMAP` is set, `reg.ring_addr` must point to
    /// page-aligned memory of `ring_entries * 16` bytes that stays valid
    /// (not freed or reused) until the group is unregistered
    /// ([`Ring::unregister_buf_ring`]); the kernel reads entries from it.
    /// Every buffer an entry names once published stays valid until the
    /// group is unregistered and every request that picked it has posted
    /// its final CQE (the kernel writes a picked buffer until then). If the
    /// ring is dropped with the group registered or such requests in
    /// flight, the kernel finishes them asynchronously after close, so that
    /// memory must then never be freed. [`BufRing`](crate::buf_ring::BufRing)
    /// does the unregistering for you ([safety model](crate#safety-model)).
    pub unsafe fn register_buf_ring(
        &self,
        reg: &io_uring_buf_reg,
        flags: u32,
    ) -> Result<(), Errno> {
        // The kernel's field is 16 bits: refuse bits it would never see.
        let flags = u16::try_from(flags).map_err(|_| Errno::EINVAL)?;
        let mut reg = *reg;
        reg.flags |= flags;
        // SAFETY: the kernel copies `reg`; the memory it names is the
        // caller's promise.
        unsafe { self.register_op(IORING_REGISTER_PBUF_RING, ptr::from_ref(&reg).cast(), 1) }
            .map(|_| ())
    }

    /// Unregisters buffer group `bgid` (the memory is not freed: see
    /// [`Ring::free_buf_ring`]).
    ///
    /// Mirrors `io_uring_unregister_buf_ring()` (liburing). Kernel: 5.19+.
    ///
    /// Errors: `ENOENT` no such group, `EINVAL` it is a legacy
    /// (`PROVIDE_BUFFERS`) group.
    ///
    /// # Safety
    /// No [`BufRing`](crate::buf_ring::BufRing) owns group `bgid` (it
    /// unregisters its own group on drop or [`free`](crate::buf_ring::BufRing::free)):
    /// once its group is gone, anyone may register another buffer ring
    /// under the same id, and the owner would read that ring's buffer ids in
    /// CQEs of "its" group as its own. A group registered with
    /// [`Ring::register_buf_ring`] is the caller's to unregister. See the
    /// [safety model](crate#safety-model).
    pub unsafe fn unregister_buf_ring(&self, bgid: u16) -> Result<(), Errno> {
        let reg = io_uring_buf_reg {
            bgid,
            ..Default::default()
        };
        // SAFETY: the kernel copies `reg` during the call.
        unsafe { self.register_op(IORING_UNREGISTER_PBUF_RING, ptr::from_ref(&reg).cast(), 1) }
            .map(|_| ())
    }

    /// Returns the kernel's consumer head of buffer group `buf_group`: the
    /// entries from head up to the tail we published are still unused.
    ///
    /// Mirrors `io_uring_buf_ring_head()` (liburing). Kernel: 6.8+.
    ///
    /// Errors: `ENOENT` no such group, `EINVAL` not a buffer ring.
    pub fn buf_ring_head(&self, buf_group: u16) -> Result<u16, Errno> {
        let mut st = io_uring_buf_status {
            buf_group: buf_group as u32,
            head: 0,
            resv: [0; 8],
        };
        // SAFETY: the kernel reads and writes `st` during the call.
        unsafe {
            self.register_op(
                IORING_REGISTER_PBUF_STATUS,
                ptr::from_mut(&mut st).cast_const().cast(),
                1,
            )
        }?;
        Ok(st.head as u16)
    }

    /// Creates and registers a buffer ring of `nentries` entries (a power
    /// of two, at most 32768) for group `bgid`; returns it with tail 0 and
    /// no buffers published.
    ///
    /// With `IOU_PBUF_RING_MMAP` in `flags` the kernel allocates the ring
    /// and this maps it (`MAP_SHARED` at `IORING_OFF_PBUF_RING | bgid <<
    /// IORING_OFF_PBUF_SHIFT` of the ring fd, which must therefore still be
    /// open); otherwise this maps anonymous memory and registers it.
    /// `IOU_PBUF_RING_INC` makes the kernel consume buffers incrementally.
    ///
    /// Mirrors `io_uring_setup_buf_ring()` (liburing). Kernel: 5.19+ (see
    /// [`Ring::register_buf_ring`]).
    ///
    /// Errors: those of [`Ring::register_buf_ring`] and `mmap(2)`; on error
    /// nothing stays registered or mapped.
    pub fn setup_buf_ring(
        &self,
        nentries: u32,
        bgid: u16,
        flags: u32,
    ) -> Result<NonNull<io_uring_buf_ring>, Errno> {
        let size = ring_size(nentries)?;
        let mut reg = io_uring_buf_reg {
            ring_entries: nentries,
            bgid,
            ..Default::default()
        };
        let p = if flags & IOU_PBUF_RING_MMAP != 0 {
            // SAFETY: ring_addr is 0: the kernel allocates the ring memory.
            unsafe { self.register_buf_ring(&reg, flags) }?;
            let off = IORING_OFF_PBUF_RING as u64 | ((bgid as u64) << IORING_OFF_PBUF_SHIFT);
            // SAFETY: a fresh shared mapping of the kernel's ring pages; it
            // overlaps nothing of ours.
            match unsafe {
                mmap(
                    ptr::null_mut(),
                    size,
                    PROT_RW,
                    MAP_SHARED | MAP_POPULATE,
                    self.ring_fd(),
                    off,
                )
            } {
                Ok(p) => p,
                Err(e) => {
                    // SAFETY: the group registered just above, which no
                    // BufRing owns (none was made of it).
                    let _ = unsafe { self.unregister_buf_ring(bgid) };
                    return Err(e);
                }
            }
        } else {
            // SAFETY: a fresh private anonymous mapping, zero-filled.
            let p = unsafe {
                mmap(
                    ptr::null_mut(),
                    size,
                    PROT_RW,
                    MAP_PRIVATE | MAP_ANONYMOUS,
                    -1,
                    0,
                )
            }?;
            reg.ring_addr = p as usize as u64;
            // SAFETY: the mapping is page aligned, `size` bytes, and lives
            // until free_buf_ring (whose contract says unregister first).
            if let Err(e) = unsafe { self.register_buf_ring(&reg, flags) } {
                // SAFETY: our own mapping, not registered, not handed out.
                let _ = unsafe { munmap(p, size) };
                return Err(e);
            }
            p
        };
        NonNull::new(p.cast()).ok_or(Errno::ENOMEM)
    }

    /// Unregisters group `bgid` and unmaps its ring.
    ///
    /// Mirrors `io_uring_free_buf_ring()` (liburing). Kernel: 5.19+.
    ///
    /// # Safety
    /// `br` and `nentries` must come from [`Ring::setup_buf_ring`] on this
    /// ring for `bgid`; no request may still be using its buffers and
    /// nothing may use `br` afterwards.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn free_buf_ring(
        &self,
        br: NonNull<io_uring_buf_ring>,
        nentries: u32,
        bgid: u16,
    ) -> Result<(), Errno> {
        // SAFETY: the group came from setup_buf_ring (the caller's
        // contract), which hands out a raw ring, never a BufRing.
        unsafe { self.unregister_buf_ring(bgid) }?;
        let size = ring_size(nentries)?;
        // SAFETY: the caller promises this is our mapping of `size` bytes
        // and that nothing uses it any more.
        unsafe { munmap(br.as_ptr().cast(), size) }
    }
}
