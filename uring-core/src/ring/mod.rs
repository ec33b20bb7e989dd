//! [`Ring`]: setting up an io_uring instance, mapping its queues (kernel
//! mmaps, or caller memory with IORING_SETUP_NO_MMAP), and tearing it down.
//!
//! Submission lives in [`crate::sq`], completion in [`crate::cq`],
//! registration in [`crate::register`]; all are methods of [`Ring`].

mod layout;
mod mem;
mod mlock;
mod mmap;
mod params;
mod resize;
mod send;

pub use layout::{
    cqe_size, memory_layout, memory_layout_for_page, memory_size, memory_size_params, page_size,
    ring_entries, rings_size, set_page_size, sqe_size, sqes_size, MemLayout, MAX_CQ_ENTRIES,
    MAX_ENTRIES, PAGE_SIZE, RINGS_HEADER,
};
pub use mem::RingMem;
pub use mlock::{mlock_size, mlock_size_params};
pub use params::Params;
pub use send::SendRing;

use crate::enter::EnterCtx;
use crate::queue::{CqRing, SqRing};
use crate::syscall;
use crate::Errno;
use bare_uring_sys::{
    io_uring_params, io_uring_rsrc_update, IORING_ENTER_NO_IOWAIT, IORING_ENTER_REGISTERED_RING,
    IORING_FEAT_NO_IOWAIT, IORING_FEAT_REG_REG_RING, IORING_REGISTER_RESIZE_RINGS,
    IORING_REGISTER_RING_FDS, IORING_REGISTER_SEND_MSG_RING, IORING_REGISTER_USE_REGISTERED_RING,
    IORING_SETUP_ATTACH_WQ, IORING_SETUP_NO_MMAP, IORING_SETUP_NO_SQARRAY,
    IORING_SETUP_REGISTERED_FD_ONLY, IORING_UNREGISTER_RING_FDS,
};
use core::ffi::c_void;
use mmap::{Mapping, Maps, Regions};

/// An io_uring instance: its fd, the mapped submission and completion
/// queues, and the setup flags and features.
///
/// Not `Send`: a registered ring fd is valid only in the thread that
/// registered it; move an unregistered ring with [`Ring::into_send`].
///
/// Mirrors `struct io_uring` (liburing). Dropping it does what
/// `io_uring_queue_exit()` does: unregisters a registered ring fd, closes
/// the fd and unmaps exactly the regions setup mapped (never caller
/// memory). Kernel: 5.1+.
///
/// ```no_run
/// use bare_uring::Ring;
/// let mut ring = Ring::queue_init(8, 0)?;
/// // SAFETY: a NOP points to no memory (see the crate's safety model).
/// let sqe = unsafe { ring.get_sqe() }.ok_or(bare_uring::Errno::EBUSY)?;
/// sqe.opcode = bare_uring::sys::IORING_OP_NOP as u8;
/// sqe.user_data = 7;
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// assert_eq!(cqe.user_data, 7);
/// ring.cqe_seen(&cqe);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
// `repr(C)`: the SQ state and what every enter needs first, at small
// offsets, so that each access encodes shorter (a one-byte displacement on
// x86-64): it keeps get_sqe and submit a few dozen bytes smaller.
#[derive(Debug)]
#[repr(C)]
pub struct Ring {
    pub(crate) sq: SqRing,
    /// What io_uring_enter gets: `fd`, or the registered index.
    enter_fd: u32,
    /// ORed into every enter, as they are (liburing keeps them in
    /// `int_flags`): IORING_ENTER_REGISTERED_RING while the fd is
    /// registered, IORING_ENTER_NO_IOWAIT after `set_iowait(false)`.
    enter_flags: u32,
    flags: u32,
    features: u32,
    /// The real fd, or -1 (IORING_SETUP_REGISTERED_FD_ONLY, or closed).
    fd: i32,
    /// Register calls use the registered index too
    /// (IORING_REGISTER_USE_REGISTERED_RING, IORING_FEAT_REG_REG_RING).
    reg_reg_ring: bool,
    pub(crate) cq: CqRing,
    /// What setup mapped; unmapped when the Ring's fields drop, after
    /// `Drop for Ring` closed the fd.
    _maps: Maps,
    /// Where the SQ ring, CQ ring and SQEs live (for `ring_dontfork`).
    regions: Regions,
}

impl Ring {
    /// Sets up a ring with `entries` SQ entries and `IORING_SETUP_*` flags.
    ///
    /// Mirrors `io_uring_queue_init()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EINVAL` (entries 0 or above 32768 without CLAMP, unknown or
    /// conflicting flags), `ENOMEM`, `EMFILE`/`ENFILE`, `EPERM` (io_uring
    /// disabled by sysctl), `ENOSYS` (kernel without io_uring).
    pub fn queue_init(entries: u32, flags: u32) -> Result<Ring, Errno> {
        Self::queue_init_params(entries, &mut Params::new().with_flags(flags))
    }

    /// Sets up a ring from full parameters; the kernel's answers
    /// (`sq_entries`, `cq_entries`, `features`, offsets) are written back
    /// to `p`.
    ///
    /// With IORING_SETUP_NO_MMAP and no caller memory, the rings go in an
    /// anonymous shared mapping of [`memory_size_params`] bytes, unmapped
    /// on Drop (as liburing does; kernels before 6.10 need each region to
    /// fit one page or huge page, and fail with `EINVAL` or `EFAULT`; see
    /// [`memory_layout`]). Use [`queue_init_mem`](Self::queue_init_mem)
    /// to supply the memory.
    ///
    /// As liburing 2.15 does, IORING_SETUP_NO_SQARRAY is added when the
    /// caller did not set it (no SQ index array: submission writes SQEs in
    /// ring order, which is all this crate does), and setup is retried
    /// without it if the kernel answers `EINVAL` (kernels before 6.6). It
    /// shows in [`flags`](Self::flags) and `p.flags`.
    ///
    /// IORING_SETUP_ATTACH_WQ in `p.flags` is refused with `EINVAL`: the
    /// kernel would look up `p.wq_fd`, a raw fd number (I/O safety). Use
    /// [`queue_init_params_wq`](Self::queue_init_params_wq), which takes the
    /// ring to share workers with.
    ///
    /// Mirrors `io_uring_queue_init_params()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`queue_init`](Self::queue_init).
    pub fn queue_init_params(entries: u32, p: &mut Params) -> Result<Ring, Errno> {
        if p.flags & IORING_SETUP_ATTACH_WQ != 0 {
            return Err(Errno::EINVAL);
        }
        Self::setup_params(entries, p)
    }

    /// As [`queue_init_params`](Self::queue_init_params), sharing the async
    /// worker pool (and, with SQPOLL, the SQ thread) of `wq`: sets
    /// IORING_SETUP_ATTACH_WQ and `p.wq_fd` to `wq`'s fd, which the borrow
    /// keeps open while the kernel looks it up.
    ///
    /// Mirrors `io_uring_queue_init_params()` with
    /// `IORING_SETUP_ATTACH_WQ` (liburing). Kernel: 5.6+.
    ///
    /// Errors: `EBADF` (`wq` has no real fd: IORING_SETUP_REGISTERED_FD_ONLY,
    /// or after [`close_ring_fd`](Self::close_ring_fd)); as
    /// [`queue_init`](Self::queue_init).
    pub fn queue_init_params_wq(entries: u32, p: &mut Params, wq: &Ring) -> Result<Ring, Errno> {
        let fd = wq.ring_fd();
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        p.flags |= IORING_SETUP_ATTACH_WQ;
        p.wq_fd = fd as u32;
        Self::setup_params(entries, p)
    }

    /// The body of the setups above. With IORING_SETUP_ATTACH_WQ, `p.wq_fd`
    /// must name a ring the caller borrows (the callers see to it).
    fn setup_params(entries: u32, p: &mut Params) -> Result<Ring, Errno> {
        let asked = p.flags;
        if asked & IORING_SETUP_NO_SQARRAY == 0 {
            p.flags |= IORING_SETUP_NO_SQARRAY;
            match Self::queue_init_params_once(entries, p) {
                Err(Errno::EINVAL) => p.flags = asked,
                r => return r,
            }
        }
        Self::queue_init_params_once(entries, p)
    }

    /// One setup attempt of [`queue_init_params`](Self::queue_init_params).
    fn queue_init_params_once(entries: u32, p: &mut Params) -> Result<Ring, Errno> {
        if p.flags & IORING_SETUP_NO_MMAP != 0 {
            let l = memory_layout(entries, p)?;
            let m = Mapping::anonymous(l.size)?;
            // SAFETY: a fresh private-to-us mapping of exactly l.size bytes,
            // page aligned; it moves into the ring and lives as long (on
            // error it is unmapped here, after setup_mem closed the fd).
            let mut ring = unsafe { Self::setup_mem(entries, p, m.base(), l.size, l.align) }?;
            ring._maps.sq_ring = m;
            return Ok(ring);
        }
        // SAFETY: p is a valid io_uring_params; no NO_MMAP, so the kernel
        // reads no user addresses.
        let fd = unsafe { syscall::io_uring_setup(entries, &mut p.0) }?;
        // SAFETY: a fresh io_uring fd, owned by nobody else, with the
        // parameters its setup returned.
        unsafe { Self::queue_mmap(fd, p) }
    }

    /// Maps a ring fd that was set up by hand with
    /// [`syscall::io_uring_setup`] and takes ownership of it (Drop closes
    /// it, also when this fails). Uses one mapping for both rings with
    /// IORING_FEAT_SINGLE_MMAP in `p.features`, separate SQ and CQ ring
    /// mappings otherwise, plus the SQE mapping.
    ///
    /// Mirrors `io_uring_queue_mmap()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EINVAL` (offsets in `p` that do not fit the rings the
    /// entries and flags imply, index or flag words outside the rings'
    /// header, entries that differ from those the kernel wrote in the
    /// rings, entries or flags implying a mapping larger than the kernel's
    /// rings or SQE array, a NO_MMAP or REGISTERED_FD_ONLY ring), `ENOMEM`,
    /// and what `mmap` and `madvise(MADV_POPULATE_READ)` return. Nothing
    /// outside the kernel's rings is touched first: a forged `p` gives an
    /// error, not SIGBUS.
    ///
    /// # Safety
    /// `fd` is an io_uring fd nobody else closes, and `p` holds the
    /// parameters its `io_uring_setup` returned.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn queue_mmap(fd: i32, p: &Params) -> Result<Ring, Errno> {
        // A ring that can be mmapped has a real fd: REGISTERED_FD_ONLY
        // needs NO_MMAP, so either flag here means `p` is not what setup
        // returned; the fd is closed as the fd it must be.
        if p.flags & (IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY) != 0 {
            discard_fd(fd, 0);
            return Err(Errno::EINVAL);
        }
        match mmap::map_kernel(fd, p) {
            Ok((maps, r)) => {
                // On error `maps` unmaps itself after from_parts closed the fd.
                let mut ring = Self::from_parts(fd, p, &r)?;
                ring._maps = maps;
                Ok(ring)
            }
            Err(e) => {
                discard_fd(fd, p.flags);
                Err(e)
            }
        }
    }

    /// Sets up a ring whose SQEs and rings live in caller memory
    /// (IORING_SETUP_NO_MMAP, added to `p.flags`): no mmap syscall at all.
    /// The memory is zeroed first. [`memory_layout`] gives the size and
    /// alignment needed.
    ///
    /// Mirrors `io_uring_queue_init_mem()` (liburing), returning the ring
    /// instead of the bytes used. Kernel: 6.5+.
    ///
    /// Errors: `EINVAL` if `mem` is null or not aligned to [`page_size`] (or
    /// for entries/flags as [`queue_init`](Self::queue_init)); `ENOMEM` if
    /// `len` is smaller than [`memory_size_params`] (checked before any
    /// syscall); `EINVAL` from kernels before 6.13 when a region larger than
    /// a page is not in one huge page.
    ///
    /// # Safety
    /// `mem` is valid for reads and writes of `len` bytes and is accessed by
    /// nobody else while the kernel may use it, and the kernel may use it
    /// until it has released the ring, which is *after* the ring is
    /// dropped, with no event that tells when. After the drop the kernel
    /// still writes this memory:
    /// - CQEs of requests in flight at the drop (teardown cancels them
    ///   asynchronously and posts their CQEs here);
    /// - tag CQEs of registered files and buffers, posted as the tables
    ///   are torn down (tens of milliseconds after the drop; seen from
    ///   Linux 6.13, `tests/no_mmap_lifetime.rs`);
    /// - the SQPOLL thread's `sq_flags` updates until it exits;
    /// - the teardown of an idle ring that never had a request: it writes
    ///   the CQ tail and `sq_flags` (with the values they already hold)
    ///   some milliseconds after the drop.
    ///
    /// So the memory must not be freed, unmapped or reused for anything
    /// (another ring included) for the rest of the process, whatever was in
    /// flight. With IORING_SETUP_ATTACH_WQ in `p.flags`, `p.wq_fd` is an
    /// io_uring fd the caller owns or borrows for the call (I/O safety). [`queue_init_static`](Self::queue_init_static) is the safe
    /// form: memory that is never handed out again. See the
    /// [safety model](crate#safety-model).
    pub unsafe fn queue_init_mem(
        entries: u32,
        p: &mut Params,
        mem: *mut u8,
        len: usize,
    ) -> Result<Ring, Errno> {
        p.flags |= IORING_SETUP_NO_MMAP;
        // SAFETY: forwarded to the caller's contract; nothing to unmap.
        unsafe { Self::setup_mem(entries, p, mem, len, page_size()) }
    }

    /// As [`queue_init_mem`](Self::queue_init_mem), with the running
    /// kernel's page size given by the caller (e.g. `AT_PAGESZ` from the
    /// auxiliary vector a `no_std` program finds on its initial stack)
    /// instead of [`page_size`]: a program that only sets up rings this
    /// way links none of `page_size`'s lookup code. Where the page size is
    /// fixed (x86_64, riscv64, s390x) this is `queue_init_mem` with
    /// `page` checked.
    ///
    /// No liburing equivalent (liburing asks libc for the page size).
    /// Kernel: 6.5+.
    ///
    /// Errors: `EINVAL` unless `page` is a power of two from 4096 to
    /// [`PAGE_SIZE`], as [`set_page_size`]; as
    /// [`queue_init_mem`](Self::queue_init_mem) otherwise, with `mem`
    /// aligned to and the layout rounded to `page`. A wrong but valid
    /// `page` is not unsafe: a smaller one than the kernel's makes setup
    /// fail with `EINVAL`, a larger one only over-aligns.
    ///
    /// # Safety
    /// As [`queue_init_mem`](Self::queue_init_mem).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn queue_init_mem_page_size(
        entries: u32,
        p: &mut Params,
        mem: *mut u8,
        len: usize,
        page: usize,
    ) -> Result<Ring, Errno> {
        if !layout::valid_page_size(page) {
            return Err(Errno::EINVAL);
        }
        p.flags |= IORING_SETUP_NO_MMAP;
        // SAFETY: forwarded to the caller's contract; nothing to unmap.
        unsafe { Self::setup_mem(entries, p, mem, len, page) }
    }

    /// Sets up a NO_MMAP ring in `mem`, memory that nothing else can ever
    /// use again (a [`RingMem`] `static`, or a leaked allocation). Safe: the
    /// kernel may keep writing completions there after the ring is dropped,
    /// and with a `&'static mut` given away nobody can observe or reuse it.
    ///
    /// As [`queue_init_mem`](Self::queue_init_mem) otherwise. Kernel: 6.5+.
    ///
    /// ```no_run
    /// use bare_uring::ring::{memory_size, RingMem};
    /// use bare_uring::{Ring, ring::Params};
    ///
    /// static MEM: RingMem<{ 16 * 1024 }> = RingMem::new();
    /// let mem = MEM.take().expect("first and only use");
    /// assert!(memory_size(8, 0)? <= mem.len());
    /// let ring = Ring::queue_init_static(8, &mut Params::new(), mem)?;
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    ///
    /// Errors: as [`queue_init_mem`](Self::queue_init_mem); `EINVAL` for
    /// IORING_SETUP_ATTACH_WQ in `p.flags` (see
    /// [`queue_init_params`](Self::queue_init_params)).
    pub fn queue_init_static(
        entries: u32,
        p: &mut Params,
        mem: &'static mut [u8],
    ) -> Result<Ring, Errno> {
        if p.flags & IORING_SETUP_ATTACH_WQ != 0 {
            return Err(Errno::EINVAL);
        }
        let len = mem.len();
        // SAFETY: `mem` is valid for `len` bytes and, being a `'static mut`
        // borrow moved in here and never returned, is accessed by nobody
        // else for the rest of the program, during the ring's life and
        // after it.
        unsafe { Self::queue_init_mem(entries, p, mem.as_mut_ptr(), len) }
    }

    /// NO_MMAP setup in `[mem, mem + len)` laid out for pages of `page`
    /// bytes (a valid page size). The ring owns no mapping: the caller
    /// moves one into `_maps` if it mapped `mem` itself.
    ///
    /// # Safety
    /// As [`queue_init_mem`](Self::queue_init_mem).
    /// See the [safety model](crate#safety-model).
    unsafe fn setup_mem(
        entries: u32,
        p: &mut Params,
        mem: *mut u8,
        len: usize,
        page: usize,
    ) -> Result<Ring, Errno> {
        p.flags |= IORING_SETUP_NO_MMAP;
        let l = memory_layout_for_page(entries, p, page)?;
        if mem.is_null() || (mem as usize) % l.align != 0 {
            return Err(Errno::EINVAL);
        }
        if len < l.size {
            return Err(Errno::ENOMEM);
        }
        // SAFETY: the caller promises len writable bytes; zeroing clears
        // stale indices of a previous ring in the same memory.
        unsafe { core::ptr::write_bytes(mem, 0, l.size) };
        let sqes = mem.wrapping_add(l.sqes_offset);
        let rings = mem.wrapping_add(l.rings_offset);
        p.sq_off.user_addr = sqes as u64;
        p.cq_off.user_addr = rings as u64;
        let flags = p.flags;
        // SAFETY: p is valid; the user addresses point to l.size bytes the
        // caller lends to the kernel for the ring's life (contract).
        let fd = unsafe { syscall::io_uring_setup(entries, &mut p.0) }?;
        // The kernel copies back the flags it was given (io_uring_create)
        // and the ring sizes it chose. Checking the flags also tells the
        // compiler what they are, so a caller's constant flags fold the
        // flag tests of the code below away.
        if p.flags != flags || p.sq_entries != l.sq_entries || p.cq_entries != l.cq_entries {
            // The kernel set up another ring than our layout describes.
            discard_fd(fd, flags);
            return Err(Errno::EINVAL);
        }
        let r = Regions {
            sq_ring: rings,
            sq_ring_len: l.rings_len,
            cq_ring: rings,
            cq_ring_len: l.rings_len,
            sqes,
            sqes_len: l.sqes_len,
        };
        Self::from_parts(fd, p, &r)
    }

    /// Builds the ring from a set-up fd and its regions, owning no mapping
    /// yet (the caller moves what it mapped into `_maps`); closes the fd on
    /// error.
    fn from_parts(fd: i32, p: &io_uring_params, r: &Regions) -> Result<Ring, Errno> {
        let reg_only = p.flags & IORING_SETUP_REGISTERED_FD_ONLY != 0;
        let fail = |e: Errno| -> Result<Ring, Errno> {
            discard_fd(fd, p.flags);
            Err(e)
        };
        // SAFETY: the regions are valid for their lengths (mapped by us or
        // promised by the caller) and hold the ring the kernel set up with p.
        let (sqp, cqp, array) = match unsafe { mmap::queue_ptrs(p, r) } {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        // SAFETY: every pointer was bounds-checked against regions that
        // live as long as the ring (maps move into it, caller memory is
        // promised to).
        let sq = match unsafe { SqRing::new(sqp) } {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        // SAFETY: as above.
        let cq = match unsafe { CqRing::new(cqp) } {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        if !array.is_null() {
            // The SQ index array maps ring slot i to SQE i, set once here
            // (as liburing does) so submission never touches it again.
            for i in 0..sqp.entries {
                // SAFETY: array was checked to hold sq_entries u32s; the
                // kernel only reads it during io_uring_enter, not now.
                unsafe { array.add(i as usize).write_volatile(i) };
            }
        }
        let mut ring = Ring {
            sq,
            cq,
            flags: p.flags,
            features: p.features,
            fd,
            enter_fd: fd as u32,
            enter_flags: 0,
            reg_reg_ring: false,
            _maps: Maps::NONE,
            regions: *r,
        };
        if reg_only {
            // setup returned a registered ring index, not an fd.
            ring.fd = -1;
            ring.enter_flags = IORING_ENTER_REGISTERED_RING;
            ring.reg_reg_ring = true;
        }
        Ok(ring)
    }

    /// Tears the ring down now (the same as dropping it): unregisters a
    /// registered ring fd, closes the fd, unmaps what setup mapped.
    ///
    /// Mirrors `io_uring_queue_exit()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn queue_exit(self) {}

    /// The ring's file descriptor, or -1 with
    /// IORING_SETUP_REGISTERED_FD_ONLY or after [`close_ring_fd`](Self::close_ring_fd).
    ///
    /// Mirrors `ring->ring_fd` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn ring_fd(&self) -> i32 {
        self.fd
    }

    /// What `io_uring_enter` is called with: the registered index if the
    /// ring fd is registered, else the fd.
    ///
    /// Mirrors `ring->enter_ring_fd` (liburing).
    #[inline]
    pub fn enter_ring_fd(&self) -> u32 {
        self.enter_fd
    }

    /// The `IORING_SETUP_*` flags the ring was set up with.
    ///
    /// Mirrors `ring->flags` (liburing).
    #[inline]
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// The `IORING_FEAT_*` bits the kernel reported at setup.
    ///
    /// Mirrors `ring->features` (liburing).
    #[inline]
    pub fn features(&self) -> u32 {
        self.features
    }

    /// Number of SQ slots.
    #[inline]
    pub fn sq_entries(&self) -> u32 {
        self.sq.entries()
    }

    /// Number of CQ slots.
    #[inline]
    pub fn cq_entries(&self) -> u32 {
        self.cq.entries()
    }

    /// The registered ring index, if the ring fd is registered.
    #[inline]
    pub fn registered_index(&self) -> Option<u32> {
        self.fd_registered().then_some(self.enter_fd)
    }

    /// Whether enter goes through a registered index.
    #[inline]
    fn fd_registered(&self) -> bool {
        self.enter_flags & IORING_ENTER_REGISTERED_RING != 0
    }

    /// Records that the ring fd is registered at `idx` (what
    /// `IORING_REGISTER_RING_FDS` returned in `offset`): from now on every
    /// enter uses IORING_ENTER_REGISTERED_RING with `idx`, and, when the
    /// kernel has IORING_FEAT_REG_REG_RING, every [`register_raw`](Self::register_raw)
    /// uses IORING_REGISTER_USE_REGISTERED_RING. Drop unregisters it.
    ///
    /// `Ring::register_ring_fd()` calls this. Crate-private: the index is
    /// valid only in the registering thread, which `Ring: !Send` enforces,
    /// and a wrong index would make enter act on another ring.
    #[inline]
    pub(crate) fn set_registered_index(&mut self, idx: u32) {
        self.enter_fd = idx;
        self.enter_flags |= IORING_ENTER_REGISTERED_RING;
        self.reg_reg_ring = self.features & IORING_FEAT_REG_REG_RING != 0;
    }

    /// Forgets the registered index (after `IORING_UNREGISTER_RING_FDS`):
    /// enter and register go back to the plain fd. Does nothing when the
    /// fd is closed or was never a real fd (there is nothing to go back to).
    #[inline]
    pub(crate) fn clear_registered_index(&mut self) {
        if self.fd >= 0 {
            self.enter_fd = self.fd as u32;
            self.enter_flags &= !IORING_ENTER_REGISTERED_RING;
            self.reg_reg_ring = false;
        }
    }

    /// Closes the ring's real fd once it is registered; the ring keeps
    /// working through the registered index.
    ///
    /// Mirrors `io_uring_close_ring_fd()` (liburing). Kernel: 5.18+
    /// (needs IORING_FEAT_REG_REG_RING, 6.3+, for later registrations).
    ///
    /// Errors: `EOPNOTSUPP` without IORING_FEAT_REG_REG_RING, `EINVAL` if
    /// the fd is not registered, `EBADF` if already closed.
    pub fn close_ring_fd(&mut self) -> Result<(), Errno> {
        if self.features & IORING_FEAT_REG_REG_RING == 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        if !self.fd_registered() {
            return Err(Errno::EINVAL);
        }
        if self.fd < 0 {
            return Err(Errno::EBADF);
        }
        // SAFETY: the fd is ours (set up by us, or adopted through the
        // unsafe queue_mmap); it is forgotten right after.
        unsafe { syscall::close(self.fd) }?;
        self.fd = -1;
        Ok(())
    }

    /// Keeps the ring's memory out of forked children (`MADV_DONTFORK` on
    /// the SQEs and both rings), so a child cannot touch the parent's ring
    /// and copy-on-write never splits pages the kernel has pinned. For a
    /// NO_MMAP ring this applies to the caller's memory region (whole
    /// pages).
    ///
    /// Without it a forked child shares the ring: the queues are shared
    /// memory and the fd refers to the same instance. A child that
    /// submits on the parent's ring takes the parent's next SQ slot, its
    /// CQE lands in the parent's CQ, and the parent's SQ state (kept in the
    /// `Ring`, copied at fork) goes out of step with the kernel's: the
    /// parent's next SQE is silently lost, or the SQ looks full. Nothing
    /// detects this (a pid check would cost a syscall per submit). Give a
    /// child its own ring; call this before forking so a child that
    /// touches the parent's ring *memory* faults (SIGSEGV) instead
    /// (`tests/reliability.rs` shows both). It does not stop what goes
    /// through the fd or a registered index rather than memory: a
    /// registration made through the child's copy reaches the shared ring
    /// (or, by index, a ring the child registered since). The child of a
    /// fork must not use or drop the parent's `Ring`, `BufRing` or split
    /// handles (see the [safety model](crate#safety-model): exit with
    /// `exit_group` or exec, without running their destructors).
    ///
    /// Mirrors `io_uring_ring_dontfork()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: what `madvise` returns (`EINVAL`, `ENOMEM`).
    pub fn ring_dontfork(&self) -> Result<(), Errno> {
        let r = &self.regions;
        let mut areas = [
            (r.sqes, r.sqes_len),
            (r.sq_ring, r.sq_ring_len),
            (r.cq_ring, 0),
        ];
        if r.cq_ring != r.sq_ring {
            areas[2].1 = r.cq_ring_len;
        }
        for (ptr, len) in areas {
            if len != 0 {
                // SAFETY: MADV_DONTFORK changes no contents; the range lies
                // in memory the ring owns or was lent for its life.
                unsafe { syscall::madvise(ptr.cast(), len, syscall::MADV_DONTFORK) }?;
            }
        }
        Ok(())
    }

    /// Whether a task waiting on this ring counts as in iowait (the
    /// default); `false` makes every later enter pass
    /// IORING_ENTER_NO_IOWAIT.
    ///
    /// Mirrors `io_uring_set_iowait()` (liburing). Kernel: 6.15+
    /// (IORING_FEAT_NO_IOWAIT).
    ///
    /// Errors: `EOPNOTSUPP` on kernels without IORING_FEAT_NO_IOWAIT.
    pub fn set_iowait(&mut self, enable_iowait: bool) -> Result<(), Errno> {
        if self.features & IORING_FEAT_NO_IOWAIT == 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        if enable_iowait {
            self.enter_flags &= !IORING_ENTER_NO_IOWAIT;
        } else {
            self.enter_flags |= IORING_ENTER_NO_IOWAIT;
        }
        Ok(())
    }

    /// `io_uring_register(2)` on this ring: through the registered index
    /// with IORING_REGISTER_USE_REGISTERED_RING ORed into `opcode` when the
    /// ring fd is registered (and the kernel supports it), else on the fd.
    /// Returns the kernel's non-negative result.
    ///
    /// The caller's `opcode` is taken without its own
    /// IORING_REGISTER_USE_REGISTERED_RING bit (the ring adds it when it
    /// applies: with it, this ring's fd number would be read as another
    /// ring's registered index), and the opcodes that change what the
    /// `Ring` itself keeps track of are refused with `EINVAL` before any
    /// syscall: IORING_REGISTER_RING_FDS / IORING_UNREGISTER_RING_FDS
    /// ([`register_ring_fd`](Self::register_ring_fd),
    /// [`unregister_ring_fd`](Self::unregister_ring_fd)),
    /// IORING_REGISTER_RESIZE_RINGS ([`resize_rings`](Self::resize_rings))
    /// and IORING_REGISTER_SEND_MSG_RING (a message to another ring:
    /// [`register::register_sync_msg`](crate::register::register_sync_msg)).
    ///
    /// Mirrors liburing's internal `do_register()`. Kernel: 5.1+ (opcodes
    /// vary).
    ///
    /// Errors: whatever the opcode returns (`EINVAL`, `EBADF`, `EFAULT`,
    /// `EBUSY`, `ENOMEM`, `EEXIST`, ...); `EINVAL` for the refused opcodes.
    ///
    /// # Safety
    /// `arg` is valid for what `opcode` makes the kernel read or write with
    /// `nr_args`, and memory registered with the kernel outlives its
    /// registration, as the dedicated function's contract says. Beyond
    /// memory, every promise the dedicated functions of this crate ask for
    /// their opcode holds: every fd handed over is open and owned or
    /// borrowed by the caller (I/O safety); no table slot, buffer or
    /// personality that a queued or in-flight request names is removed
    /// (e.g. IORING_UNREGISTER_FILES); a tag or anything else that makes the
    /// kernel post a CQE is one this ring's completion handling expects
    /// (see the [safety model](crate#safety-model)).
    pub unsafe fn register_raw(
        &self,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> Result<u32, Errno> {
        let op = checked_raw_opcode(opcode)?;
        // SAFETY: forwarded to the caller's contract; the opcodes that
        // would change this Ring's own state are refused above.
        unsafe { self.register_op(op, arg, nr_args) }
    }

    /// `io_uring_register(2)` on this ring for the crate's own functions
    /// (any opcode, as [`register_raw`](Self::register_raw) without its
    /// refusals).
    ///
    /// # Safety
    /// As [`register_raw`](Self::register_raw), and the caller keeps the
    /// `Ring`'s own state in step with what the opcode changes.
    pub(crate) unsafe fn register_op(
        &self,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's contract.
        unsafe { self.enter_ctx().register(opcode, arg, nr_args) }
    }

    /// `io_uring_enter(2)` on this ring, adding IORING_ENTER_REGISTERED_RING
    /// and using the index when the ring fd is registered.
    ///
    /// Mirrors `io_uring_enter2()` (liburing) bound to a ring. Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN`/`EBUSY` (resources, CQ overflow backlog), `EINTR`,
    /// `ETIME` (timeout with IORING_ENTER_EXT_ARG), `EBADFD` (disabled
    /// ring), `EEXIST` (SINGLE_ISSUER from another task), `EINVAL`.
    ///
    /// # Safety
    /// `arg`/`argsz` are null/8 or a valid sigset (8 bytes), or with
    /// IORING_ENTER_EXT_ARG a valid `io_uring_getevents_arg` whose pointers
    /// are valid; SQEs up to the published tail are fully written.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's contract. The caller's own
        // IORING_ENTER_REGISTERED_RING is dropped: the ring adds it (with
        // its index) when its fd is registered; otherwise this ring's fd
        // number would be read as another ring's registered index.
        unsafe {
            self.enter_ctx().enter(
                to_submit,
                min_complete,
                flags & !IORING_ENTER_REGISTERED_RING,
                arg,
                argsz,
            )
        }
    }

    /// What entering and registering need, copied (see [`crate::enter`]).
    #[inline]
    pub(crate) fn enter_ctx(&self) -> EnterCtx {
        let (reg_fd, reg_flags) = if self.reg_reg_ring {
            (self.enter_fd as i32, IORING_REGISTER_USE_REGISTERED_RING)
        } else {
            (self.fd, 0)
        };
        EnterCtx {
            enter_fd: self.enter_fd,
            enter_flags: self.enter_flags,
            reg_fd,
            reg_flags,
            setup_flags: self.flags,
            features: self.features,
            sq_kflags: self.sq.ptrs().kflags,
        }
    }
}

/// Releases what io_uring_setup returned when setup fails later: closes
/// the fd, or unregisters the index with IORING_SETUP_REGISTERED_FD_ONLY.
fn discard_fd(fd: i32, flags: u32) {
    if flags & IORING_SETUP_REGISTERED_FD_ONLY != 0 {
        unregister_index(fd as u32);
    } else {
        // SAFETY: the fd io_uring_setup just returned (or the caller gave
        // to queue_mmap to own); nobody else closes it.
        let _ = unsafe { syscall::close(fd) };
    }
}

/// Unregisters registered ring index `idx` of the current task, through
/// the index itself (IORING_FEAT_REG_REG_RING). Best effort (Drop/error
/// paths).
fn unregister_index(idx: u32) {
    let up = io_uring_rsrc_update {
        offset: idx,
        resv: 0,
        data: 0,
    };
    // SAFETY: the kernel reads one io_uring_rsrc_update from `up`.
    let _ = unsafe {
        syscall::io_uring_register(
            idx as i32,
            IORING_UNREGISTER_RING_FDS | IORING_REGISTER_USE_REGISTERED_RING,
            &up as *const io_uring_rsrc_update as *const c_void,
            1,
        )
    };
}

impl Drop for Ring {
    fn drop(&mut self) {
        if self.fd_registered() {
            if self.fd >= 0 {
                let up = io_uring_rsrc_update {
                    offset: self.enter_fd,
                    resv: 0,
                    data: 0,
                };
                // SAFETY: the kernel reads one io_uring_rsrc_update.
                let _ = unsafe {
                    syscall::io_uring_register(
                        self.fd,
                        IORING_UNREGISTER_RING_FDS,
                        &up as *const io_uring_rsrc_update as *const c_void,
                        1,
                    )
                };
            } else {
                unregister_index(self.enter_fd);
            }
        }
        if self.fd >= 0 {
            // SAFETY: the ring owns its fd; this is its last use.
            let _ = unsafe { syscall::close(self.fd) };
        }
        // The mappings in `_maps` unmap themselves when dropped right after.
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl std::os::fd::AsRawFd for Ring {
    /// The ring fd (-1 when closed or REGISTERED_FD_ONLY).
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.fd
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl std::os::fd::AsFd for Ring {
    /// The ring fd. Panics if the ring has no real fd
    /// (IORING_SETUP_REGISTERED_FD_ONLY, or after `close_ring_fd`), as a
    /// `BorrowedFd` cannot be -1; check [`Ring::ring_fd`] first then.
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        assert!(self.fd >= 0, "ring has no real fd");
        // SAFETY: fd is open (>= 0, closed only through &mut self) for as
        // long as the borrow of self.
        unsafe { std::os::fd::BorrowedFd::borrow_raw(self.fd) }
    }
}

/// The opcode [`Ring::register_raw`] (and the split `register_raw`) pass
/// on: without the caller's IORING_REGISTER_USE_REGISTERED_RING, and
/// `EINVAL` for the opcodes that change what a `Ring` keeps track of.
pub(crate) fn checked_raw_opcode(opcode: u32) -> Result<u32, Errno> {
    let op = opcode & !IORING_REGISTER_USE_REGISTERED_RING;
    match op {
        IORING_REGISTER_RING_FDS
        | IORING_UNREGISTER_RING_FDS
        | IORING_REGISTER_RESIZE_RINGS
        | IORING_REGISTER_SEND_MSG_RING => Err(Errno::EINVAL),
        _ => Ok(op),
    }
}
