//! Mapping the rings: kernel mmaps (single or separate SQ/CQ/SQE regions)
//! or caller memory (IORING_SETUP_NO_MMAP), and what Drop undoes.

use super::layout::{rings_size_with_header, sqe_size, RINGS_HEADER};
use crate::queue::{CqPtrs, SqPtrs};
use crate::syscall;
use crate::Errno;
use bare_uring_sys::{
    io_uring_cqe, io_uring_params, io_uring_sqe, IORING_FEAT_SINGLE_MMAP, IORING_OFF_CQ_RING,
    IORING_OFF_SQES, IORING_OFF_SQ_RING, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED,
    IORING_SETUP_NO_SQARRAY, IORING_SETUP_SQE128, IORING_SETUP_SQ_REWIND,
};
use core::ffi::c_void;
use core::ptr;

/// One region setup created and Drop must unmap (`len == 0`: none).
#[derive(Debug)]
pub(crate) struct Mapping {
    pub(crate) ptr: *mut c_void,
    pub(crate) len: usize,
}

impl Mapping {
    pub(crate) const NONE: Mapping = Mapping {
        ptr: ptr::null_mut(),
        len: 0,
    };

    /// `mmap(MAP_SHARED | MAP_POPULATE)` of `len` bytes of `fd` at `off`.
    pub(crate) fn of_ring(fd: i32, len: usize, off: u32) -> Result<Mapping, Errno> {
        // SAFETY: a fresh mapping at a kernel-chosen address overlaps
        // nothing we use.
        let ptr = unsafe {
            syscall::mmap(
                ptr::null_mut(),
                len,
                syscall::PROT_RW,
                syscall::MAP_SHARED | syscall::MAP_POPULATE,
                fd,
                off as u64,
            )
        }?;
        Ok(Mapping { ptr, len })
    }

    /// Anonymous shared memory (for NO_MMAP rings without caller memory).
    pub(crate) fn anonymous(len: usize) -> Result<Mapping, Errno> {
        // SAFETY: as in `of_ring`.
        let ptr = unsafe {
            syscall::mmap(
                ptr::null_mut(),
                len,
                syscall::PROT_RW,
                syscall::MAP_SHARED | syscall::MAP_ANONYMOUS | syscall::MAP_POPULATE,
                -1,
                0,
            )
        }?;
        Ok(Mapping { ptr, len })
    }

    pub(crate) fn base(&self) -> *mut u8 {
        self.ptr.cast()
    }

    /// `EINVAL` if part of this mapping of a ring fd lies past the kernel's
    /// object. Since 6.10 the kernel maps a ring region with
    /// `vm_insert_pages()`, and a mapping longer than the region gets only
    /// the pages the region has: the rest raise SIGBUS when touched.
    /// `MADV_POPULATE_READ` (Kernel: 5.14+) faults every page in without
    /// touching it and answers `EFAULT` where a fault would be SIGBUS.
    /// Older kernels map the rings with `remap_pfn_range()` and refuse a
    /// mapping longer than the region in `mmap` itself; there (and before
    /// 5.14) the advice answers `EINVAL`, and the `mmap` check stands.
    fn check_backed(&self) -> Result<(), Errno> {
        if self.len == 0 {
            return Ok(());
        }
        // SAFETY: MADV_POPULATE_READ changes no contents: it only fills
        // page tables, and fails instead of raising a signal.
        match unsafe { syscall::madvise(self.ptr, self.len, syscall::MADV_POPULATE_READ) } {
            Ok(()) | Err(Errno::EINVAL) => Ok(()),
            Err(Errno::EFAULT) => Err(Errno::EINVAL),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: we created this mapping and nothing refers to it once
            // its owner (the Ring) is dropped. An error cannot be reported
            // from Drop and leaves nothing to undo.
            let _ = unsafe { syscall::munmap(self.ptr, self.len) };
        }
    }
}

/// What setup mapped: Drop of each unmaps it (caller memory is never here).
#[derive(Debug)]
pub(crate) struct Maps {
    pub(crate) sq_ring: Mapping,
    pub(crate) cq_ring: Mapping,
    pub(crate) sqes: Mapping,
}

impl Maps {
    pub(crate) const NONE: Maps = Maps {
        sq_ring: Mapping::NONE,
        cq_ring: Mapping::NONE,
        sqes: Mapping::NONE,
    };
}

/// Where the three regions live and how long each is (for bounds checks).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Regions {
    pub(crate) sq_ring: *mut u8,
    pub(crate) sq_ring_len: usize,
    pub(crate) cq_ring: *mut u8,
    pub(crate) cq_ring_len: usize,
    pub(crate) sqes: *mut u8,
    pub(crate) sqes_len: usize,
}

/// Sizes of the SQ and CQ ring mappings: liburing derives them from
/// `sq_off.array` and `cq_off.cqes`, which would let a wrong offset map
/// past the kernel's rings (the kernel maps only the pages it has, and
/// touching the rest raises SIGBUS). Here the size follows from the
/// entries and flags, the kernel's `rings_size()`, with the header size
/// `cq_off.cqes` bounded by [`RINGS_HEADER`]; `sq_off.array` must sit
/// where the kernel puts it. Every other offset is then checked against
/// this size by [`queue_ptrs`].
///
/// The entries and flags are the caller's word too: a forged `sq_entries`
/// implies a mapping larger than the kernel's rings, with offsets inside
/// it that point past them. So every index and flag word must lie in the
/// `struct io_rings` header (below `cq_off.cqes`, at most
/// [`RINGS_HEADER`] bytes: inside the first page, which every ring has);
/// [`map_kernel`] reads the entries the kernel wrote there and compares
/// them, and [`Mapping::check_backed`] refuses a mapping the kernel's
/// object does not fill.
fn ring_sizes(p: &io_uring_params) -> Result<(usize, usize), Errno> {
    let header = p.cq_off.cqes as usize;
    if header > RINGS_HEADER || header % core::mem::align_of::<io_uring_cqe>() != 0 {
        return Err(Errno::EINVAL);
    }
    let (so, co) = (&p.sq_off, &p.cq_off);
    check_words(
        header,
        &[
            so.head,
            so.tail,
            so.ring_mask,
            so.ring_entries,
            so.flags,
            so.dropped,
            co.head,
            co.tail,
            co.ring_mask,
            co.ring_entries,
            co.overflow,
            co.flags,
        ],
    )?;
    let len = rings_size_with_header(p.flags, p.sq_entries, p.cq_entries, header)?;
    if p.flags & IORING_SETUP_NO_SQARRAY == 0 {
        let array = len - p.sq_entries as usize * 4;
        if p.sq_off.array as usize != array {
            return Err(Errno::EINVAL);
        }
    }
    Ok((len, len))
}

/// Maps the rings of `fd` the kernel allocated (`io_uring_queue_mmap`):
/// one mapping for both rings with IORING_FEAT_SINGLE_MMAP, else two, plus
/// the SQEs. On error everything mapped so far is unmapped.
pub(crate) fn map_kernel(fd: i32, p: &io_uring_params) -> Result<(Maps, Regions), Errno> {
    let (mut sq_len, mut cq_len) = ring_sizes(p)?;
    let mut maps = Maps::NONE;
    if p.features & IORING_FEAT_SINGLE_MMAP != 0 {
        sq_len = sq_len.max(cq_len);
        cq_len = sq_len;
        maps.sq_ring = Mapping::of_ring(fd, sq_len, IORING_OFF_SQ_RING)?;
    } else {
        maps.sq_ring = Mapping::of_ring(fd, sq_len, IORING_OFF_SQ_RING)?;
        maps.cq_ring = Mapping::of_ring(fd, cq_len, IORING_OFF_CQ_RING)?;
    }
    let sqes_len = (p.sq_entries as usize)
        .checked_mul(sqe_size(p.flags))
        .ok_or(Errno::EINVAL)?;
    maps.sqes = Mapping::of_ring(fd, sqes_len, IORING_OFF_SQES)?;
    for m in [&maps.sq_ring, &maps.cq_ring, &maps.sqes] {
        m.check_backed()?;
    }
    let cq_base = if maps.cq_ring.len != 0 {
        maps.cq_ring.base()
    } else {
        maps.sq_ring.base()
    };
    // The kernel's own entries, read where `p` says it wrote them (in the
    // header, which ring_sizes checked: inside the first page, which every
    // ring has), must be `p`'s: a forged count sizes the queues past the
    // kernel's.
    // SAFETY: in bounds and aligned (ring_sizes); the kernel wrote these at
    // setup and never changes them.
    let (sq_n, cq_n) = unsafe {
        (
            word(maps.sq_ring.base(), p.sq_off.ring_entries).read_volatile(),
            word(cq_base, p.cq_off.ring_entries).read_volatile(),
        )
    };
    if sq_n != p.sq_entries || cq_n != p.cq_entries {
        return Err(Errno::EINVAL);
    }
    let r = Regions {
        sq_ring: maps.sq_ring.base(),
        sq_ring_len: sq_len,
        cq_ring: cq_base,
        cq_ring_len: cq_len,
        sqes: maps.sqes.base(),
        sqes_len,
    };
    Ok((maps, r))
}

/// `base + off` as a `*mut T` if `off + size_of::<T>() * n` fits in `len`
/// and is aligned; `EINVAL` otherwise (a kernel offset we cannot trust).
fn field<T>(base: *mut u8, len: usize, off: u32, n: usize) -> Result<*mut T, Errno> {
    let off = off as usize;
    let end = core::mem::size_of::<T>()
        .checked_mul(n)
        .and_then(|b| b.checked_add(off))
        .ok_or(Errno::EINVAL)?;
    if end > len || off % core::mem::align_of::<T>() != 0 {
        return Err(Errno::EINVAL);
    }
    // wrapping_add: in bounds of the region (checked above).
    Ok(base.wrapping_add(off).cast())
}

/// `EINVAL` unless each offset in `offs` leaves room for an aligned `u32`
/// in a region of `len` bytes (the index and flag words of one ring). One
/// loop instead of a check per field: setup code, kept small.
fn check_words(len: usize, offs: &[u32]) -> Result<(), Errno> {
    for &off in offs {
        field::<u32>(ptr::null_mut(), len, off, 1)?;
    }
    Ok(())
}

/// `base + off` as a `*mut u32`, for an offset [`check_words`] accepted.
fn word(base: *mut u8, off: u32) -> *mut u32 {
    // wrapping_add: in bounds of the region (checked by check_words).
    base.wrapping_add(off as usize).cast()
}

/// Queue pointers from the kernel's offsets, every one bounds-checked
/// against its region. Reads the ring masks the kernel wrote.
///
/// # Safety
/// The regions are valid for their lengths and hold a ring the kernel
/// set up with `p`.
/// See the [safety model](crate#safety-model).
pub(crate) unsafe fn queue_ptrs(
    p: &io_uring_params,
    r: &Regions,
) -> Result<(SqPtrs, CqPtrs, *mut u32), Errno> {
    let (sb, sl, cb, cl) = (r.sq_ring, r.sq_ring_len, r.cq_ring, r.cq_ring_len);
    let so = &p.sq_off;
    let co = &p.cq_off;
    check_words(sl, &[so.head, so.tail, so.flags, so.dropped, so.ring_mask])?;
    // cq_off.flags is 0 on kernels before 5.8 (no CQ flags word): offset 0
    // passes the check, and the pointer is null then (below).
    check_words(cl, &[co.head, co.tail, co.overflow, co.ring_mask, co.flags])?;
    // SAFETY: in bounds, aligned (checked above); the kernel wrote these at
    // setup and never changes them.
    let (sq_mask, cq_mask) = unsafe {
        (
            word(sb, so.ring_mask).read_volatile(),
            word(cb, co.ring_mask).read_volatile(),
        )
    };
    let sq_shift = u32::from(p.flags & IORING_SETUP_SQE128 != 0);
    let cq_shift = u32::from(p.flags & IORING_SETUP_CQE32 != 0);
    let sq_entries = p.sq_entries;
    let cq_entries = p.cq_entries;
    if sq_mask != sq_entries.wrapping_sub(1) || cq_mask != cq_entries.wrapping_sub(1) {
        return Err(Errno::EINVAL);
    }
    if (sq_entries as usize)
        .checked_mul(sqe_size(p.flags))
        .is_none_or(|n| n > r.sqes_len)
    {
        return Err(Errno::EINVAL);
    }
    let sq = SqPtrs {
        khead: word(sb, so.head),
        ktail: word(sb, so.tail),
        kflags: word(sb, so.flags),
        kdropped: word(sb, so.dropped),
        sqes: r.sqes.cast::<io_uring_sqe>(),
        entries: sq_entries,
        mask: sq_mask,
        shift: sq_shift,
        rewind: p.flags & IORING_SETUP_SQ_REWIND != 0,
    };
    let cq = CqPtrs {
        khead: word(cb, co.head),
        ktail: word(cb, co.tail),
        // cq_off.flags is 0 on kernels before 5.8 (no CQ flags word).
        kflags: if co.flags == 0 {
            ptr::null_mut()
        } else {
            word(cb, co.flags)
        },
        koverflow: word(cb, co.overflow),
        cqes: field::<io_uring_cqe>(cb, cl, co.cqes, (cq_entries as usize) << cq_shift)?,
        entries: cq_entries,
        mask: cq_mask,
        shift: cq_shift,
        mixed: p.flags & IORING_SETUP_CQE_MIXED != 0,
    };
    let array = if p.flags & IORING_SETUP_NO_SQARRAY != 0 {
        ptr::null_mut()
    } else {
        field::<u32>(sb, sl, so.array, sq_entries as usize)?
    };
    Ok((sq, cq, array))
}
