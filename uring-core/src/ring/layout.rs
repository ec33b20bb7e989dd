//! Ring sizes and the memory layout for IORING_SETUP_NO_MMAP.
//!
//! The kernel (io_uring/io_uring.c, `rings_size()`, 6.18) lays the shared
//! rings out as one `struct io_rings` header, then the CQE array, then
//! (unless IORING_SETUP_NO_SQARRAY) the SQ index array after a cache-line
//! boundary; the SQEs are a separate array. With NO_MMAP the caller gives
//! the kernel both: `cq_off.user_addr` for the rings, `sq_off.user_addr`
//! for the SQEs. Each must start on a page boundary and is pinned in whole
//! pages (the kernel rounds each region up to a page).
//!
//! Physical contiguity: kernels 6.5–6.9 map each region with a single
//! `page_address()`, so a region larger than a page must lie in one huge
//! page (one folio), otherwise setup fails (`EINVAL` or `EFAULT`). From
//! 6.10 the kernel `vmap`s the pinned pages, so any page-aligned memory
//! works (Debian's 6.12 in the kernel matrix sets up a multi-page ring in
//! heap memory: `tests/ring_setup.rs`, `no_mmap_in_multi_page_heap_memory`).
//!
//! Our layout: `[SQEs, rounded up to a page][rings, rounded up to a page]`,
//! aligned to a page, where "page" is the running kernel's [`page_size`]
//! (found at run time: 4 KiB on most kernels, 16 or 64 KiB on some aarch64,
//! loongarch64 and powerpc64 ones), not a compile-time guess. Both regions fit one 2 MiB huge page for any
//! ring up to 4096 SQ entries.

use super::Params;
use crate::{syscall, Errno};
use bare_uring_sys::{
    io_uring_params, IORING_SETUP_CLAMP, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED,
    IORING_SETUP_CQSIZE, IORING_SETUP_NO_SQARRAY, IORING_SETUP_SQE128, IORING_SETUP_SQE_MIXED,
};
use core::sync::atomic::{AtomicUsize, Ordering};

/// The largest page size a Linux kernel for this architecture can use:
/// memory aligned to it is page-aligned under any kernel configuration
/// (4 KiB on x86_64, riscv64 and s390x; 64 KiB on aarch64, loongarch64 and
/// powerpc64, whose kernels may be built with 4, 16 or 64 KiB pages).
///
/// A compile-time upper bound for static buffers (see
/// `examples/nostd-cat`); the layout itself uses the running kernel's
/// [`page_size`], so it never over-aligns.
#[cfg(any(target_arch = "x86_64", target_arch = "riscv64", target_arch = "s390x"))]
pub const PAGE_SIZE: usize = 4096;
/// The largest page size a Linux kernel for this architecture can use:
/// memory aligned to it is page-aligned under any kernel configuration
/// (4 KiB on x86_64, riscv64 and s390x; 64 KiB on aarch64, loongarch64 and
/// powerpc64, whose kernels may be built with 4, 16 or 64 KiB pages).
///
/// A compile-time upper bound for static buffers (see
/// `examples/nostd-cat`); the layout itself uses the running kernel's
/// [`page_size`], so it never over-aligns.
#[cfg(not(any(target_arch = "x86_64", target_arch = "riscv64", target_arch = "s390x")))]
pub const PAGE_SIZE: usize = 65536;

/// Whether Linux on this architecture has a single page size, 4 KiB
/// (x86_64, riscv64, s390x): then [`page_size`] is [`PAGE_SIZE`], with no
/// cache and no syscall.
const FIXED_PAGE: bool = PAGE_SIZE == 4096;

/// The running kernel's page size, 0 until first asked (unused with
/// `FIXED_PAGE`).
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// `AT_PAGESZ`: the auxiliary-vector key of the page size.
const AT_PAGESZ: usize = 6;

/// The running kernel's page size: the alignment and rounding unit of the
/// NO_MMAP [`memory_layout`].
///
/// On x86_64, riscv64 and s390x, whose Linux kernels only use 4 KiB pages,
/// it is [`PAGE_SIZE`] (4096), known at compile time. Elsewhere it is found
/// once and cached: the caller's [`set_page_size`] if it came first,
/// else `AT_PAGESZ` from `prctl(PR_GET_AUXV)` (Kernel: 6.4+), else a probe
/// that finds the smallest power-of-two offset at which `madvise(2)`
/// accepts an address (any kernel), else [`PAGE_SIZE`] (the upper bound)
/// if both syscalls are refused (e.g. by a seccomp filter).
///
/// ```
/// let p = bare_uring::ring::page_size();
/// assert!(p.is_power_of_two() && p <= bare_uring::ring::PAGE_SIZE);
/// ```
#[inline]
pub fn page_size() -> usize {
    if FIXED_PAGE {
        return PAGE_SIZE;
    }
    page_size_cached()
}

/// [`page_size`] where the page size varies: the cache, filled on first use.
fn page_size_cached() -> usize {
    // Relaxed: the cache holds a plain number that is the same whichever
    // thread finds it first; it publishes no other memory.
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            let p = page_size_from_auxv()
                .or_else(page_size_from_madvise)
                .unwrap_or(PAGE_SIZE);
            // Relaxed: as above; a racing store writes the same value.
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// Tells bare-uring the page size instead of letting [`page_size`] ask the
/// kernel, e.g. `AT_PAGESZ` from the auxiliary vector a `no_std` program
/// finds on its initial stack. Call it before the first ring setup. Not
/// needed where [`PAGE_SIZE`] is 4096 (x86_64, riscv64, s390x): the page
/// size is known there, and only 4096 is accepted.
///
/// Errors: `EINVAL` unless `size` is a power of two from 4096 to
/// [`PAGE_SIZE`]. A wrong but valid size is not unsafe: a smaller one makes
/// NO_MMAP setup fail with `EINVAL` from the kernel, a larger one only
/// over-aligns.
pub fn set_page_size(size: usize) -> Result<(), Errno> {
    if !valid_page_size(size) {
        return Err(Errno::EINVAL);
    }
    // Relaxed: as in `page_size`.
    PAGE.store(size, Ordering::Relaxed);
    Ok(())
}

/// A page size a kernel of this architecture can have: a power of two
/// from 4096 to [`PAGE_SIZE`].
#[inline]
pub(crate) fn valid_page_size(size: usize) -> bool {
    size.is_power_of_two() && (4096..=PAGE_SIZE).contains(&size)
}

/// `AT_PAGESZ` from `prctl(PR_GET_AUXV)`; `None` before 6.4 or if absent.
/// (Where the page size is fixed, only the tests use it, checking it
/// against the loader's value.)
#[cfg_attr(not(test), allow(dead_code))]
fn page_size_from_auxv() -> Option<usize> {
    // 64 (key, value) pairs: more than any kernel writes before AT_PAGESZ
    // (it is among the first entries); a longer vector is cut, not an error.
    let mut auxv = [0usize; 128];
    // SAFETY: the kernel writes at most size_of_val(&auxv) bytes into auxv.
    unsafe {
        syscall::prctl(
            syscall::PR_GET_AUXV,
            auxv.as_mut_ptr() as usize,
            core::mem::size_of_val(&auxv),
            0,
            0,
        )
    }
    .ok()?;
    auxv.chunks_exact(2)
        .take_while(|kv| kv[0] != 0)
        .find(|kv| kv[0] == AT_PAGESZ)
        .map(|kv| kv[1])
        .filter(|&p| valid_page_size(p))
}

/// The smallest power of two `c` from 4096 to [`PAGE_SIZE`] such that
/// `madvise(base + c, c, MADV_NORMAL)` succeeds on a fresh mapping at
/// `base` (page-aligned): it fails with `EINVAL` exactly when `base + c`
/// is not page-aligned, that is when the page is larger than `c`.
#[cfg_attr(not(test), allow(dead_code))]
fn page_size_from_madvise() -> Option<usize> {
    const MADV_NORMAL: usize = 0;
    // SAFETY: a fresh private anonymous mapping overlaps nothing of ours.
    let base = unsafe {
        syscall::mmap(
            core::ptr::null_mut(),
            2 * PAGE_SIZE,
            syscall::PROT_RW,
            syscall::MAP_PRIVATE | syscall::MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .ok()?;
    let mut c = 4096;
    let mut found = None;
    while c <= PAGE_SIZE {
        // SAFETY: MADV_NORMAL changes no contents; [base + c, base + 2c) is
        // inside the 2 * PAGE_SIZE bytes we mapped.
        if unsafe { syscall::madvise(base.cast::<u8>().wrapping_add(c).cast(), c, MADV_NORMAL) }
            .is_ok()
        {
            found = Some(c);
            break;
        }
        c *= 2;
    }
    // SAFETY: our own mapping, used by nothing else. A failure leaves a
    // leaked mapping, nothing unsafe.
    let _ = unsafe { syscall::munmap(base, 2 * PAGE_SIZE) };
    found
}

/// `IORING_MAX_ENTRIES`: the largest SQ size the kernel accepts.
pub const MAX_ENTRIES: u32 = 32768;
/// `IORING_MAX_CQ_ENTRIES`: the largest CQ size the kernel accepts.
pub const MAX_CQ_ENTRIES: u32 = 2 * MAX_ENTRIES;
/// Upper bound of `sizeof(struct io_rings)` (= `cq_off.cqes`) used for
/// sizing: 320 bytes where each queue's head and tail sit on their own
/// 64-byte cache line (kernel builds so configured), 64 where they do not
/// (e.g. the 6.18 test kernel). Sizing with the bound makes
/// [`memory_size`] at most a few hundred bytes (before page rounding)
/// larger than the kernel's own figure, never smaller: the kernel pins
/// whole pages from `cq_off.user_addr` and cannot know the buffer's end.
/// `tests/ring_setup.rs` checks the bound against the live kernel.
pub const RINGS_HEADER: usize = 320;
const CACHE_LINE: usize = 64;

/// Bytes per SQE slot for these setup flags (128 with SQE128).
#[inline]
pub const fn sqe_size(flags: u32) -> usize {
    if flags & IORING_SETUP_SQE128 != 0 {
        128
    } else {
        64
    }
}

/// Bytes per CQE slot for these setup flags (32 with CQE32).
#[inline]
pub const fn cqe_size(flags: u32) -> usize {
    if flags & IORING_SETUP_CQE32 != 0 {
        32
    } else {
        16
    }
}

/// `(sq_entries, cq_entries)` the kernel will pick for `entries` and `p`,
/// with its rules: entries 0 → `EINVAL`; above [`MAX_ENTRIES`] → `EINVAL`
/// unless IORING_SETUP_CLAMP; rounded up to a power of two; CQ twice the
/// SQ unless IORING_SETUP_CQSIZE (then `p.cq_entries`, 0 → `EINVAL`, at
/// most [`MAX_CQ_ENTRIES`] unless CLAMP, and not below the SQ size).
pub fn ring_entries(entries: u32, p: &io_uring_params) -> Result<(u32, u32), Errno> {
    let clamp = p.flags & IORING_SETUP_CLAMP != 0;
    if entries == 0 {
        return Err(Errno::EINVAL);
    }
    let sq = match entries {
        e if e <= MAX_ENTRIES => e,
        _ if clamp => MAX_ENTRIES,
        _ => return Err(Errno::EINVAL),
    };
    let sq = sq.checked_next_power_of_two().ok_or(Errno::EINVAL)?;
    let cq = if p.flags & IORING_SETUP_CQSIZE != 0 {
        let cq = match p.cq_entries {
            0 => return Err(Errno::EINVAL),
            c if c <= MAX_CQ_ENTRIES => c,
            _ if clamp => MAX_CQ_ENTRIES,
            _ => return Err(Errno::EINVAL),
        };
        let cq = cq.checked_next_power_of_two().ok_or(Errno::EINVAL)?;
        if cq < sq {
            return Err(Errno::EINVAL);
        }
        cq
    } else {
        sq.checked_mul(2).ok_or(Errno::EINVAL)?
    };
    Ok((sq, cq))
}

/// Bytes of the shared rings (header, CQEs, SQ array), the kernel's
/// `rings_size()`, with the header bound [`RINGS_HEADER`].
pub fn rings_size(flags: u32, sq_entries: u32, cq_entries: u32) -> Result<usize, Errno> {
    rings_size_with_header(flags, sq_entries, cq_entries, RINGS_HEADER)
}

/// The kernel's `rings_size()` for a `struct io_rings` header of `header`
/// bytes (= `cq_off.cqes`): header and CQEs (both doubled with CQE32),
/// cache-line aligned, then the SQ index array unless NO_SQARRAY.
pub(crate) fn rings_size_with_header(
    flags: u32,
    sq_entries: u32,
    cq_entries: u32,
    header: usize,
) -> Result<usize, Errno> {
    if (flags & IORING_SETUP_CQE_MIXED != 0 && cq_entries < 2)
        || (flags & IORING_SETUP_SQE_MIXED != 0 && sq_entries < 2)
    {
        return Err(Errno::EINVAL);
    }
    let mut off = (cq_entries as usize)
        .checked_mul(16)
        .and_then(|c| c.checked_add(header))
        .ok_or(Errno::EINVAL)?;
    if flags & IORING_SETUP_CQE32 != 0 {
        // The kernel doubles header + CQEs, not only the CQEs.
        off = off.checked_mul(2).ok_or(Errno::EINVAL)?;
    }
    off = align_up(off, CACHE_LINE)?;
    if flags & IORING_SETUP_NO_SQARRAY == 0 {
        off = off
            .checked_add(sq_entries as usize * 4)
            .ok_or(Errno::EINVAL)?;
    }
    Ok(off)
}

/// Bytes of the SQE array.
#[inline]
pub fn sqes_size(flags: u32, sq_entries: u32) -> Result<usize, Errno> {
    (sq_entries as usize)
        .checked_mul(sqe_size(flags))
        .ok_or(Errno::EINVAL)
}

/// Where the SQEs and rings go in caller memory for IORING_SETUP_NO_MMAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemLayout {
    /// Total bytes needed.
    pub size: usize,
    /// Required alignment of the memory's start (the [`page_size`]).
    pub align: usize,
    /// Offset of the SQE array (always 0).
    pub sqes_offset: usize,
    /// Bytes reserved for the SQEs (page-rounded).
    pub sqes_len: usize,
    /// Offset of the rings (page aligned).
    pub rings_offset: usize,
    /// Bytes reserved for the rings (page-rounded).
    pub rings_len: usize,
    /// SQ entries the kernel will use.
    pub sq_entries: u32,
    /// CQ entries the kernel will use.
    pub cq_entries: u32,
}

/// The exact memory `Ring::queue_init_mem` needs for `entries` and `p`.
///
/// Mirrors the sizing of `io_uring_memory_size_params()` (liburing), and
/// adds the alignment. Kernel: 6.5+ (NO_MMAP).
///
/// Errors: `EINVAL` for entries the kernel would reject (0, too large
/// without CLAMP, bad CQSIZE).
///
/// ```
/// use bare_uring::ring::{memory_layout, Params};
/// let l = memory_layout(8, &Params::new()).unwrap();
/// assert_eq!(l.align, bare_uring::ring::page_size());
/// assert!(l.size >= 8 * 64 + 16 * 16);
/// ```
pub fn memory_layout(entries: u32, p: &Params) -> Result<MemLayout, Errno> {
    memory_layout_for_page(entries, p, page_size())
}

/// As [`memory_layout`] for a given page size (a power of two), e.g. to
/// size memory for another kernel than the running one.
///
/// Errors: `EINVAL` as [`memory_layout`], or if `page` is not a power of
/// two.
pub fn memory_layout_for_page(entries: u32, p: &Params, page: usize) -> Result<MemLayout, Errno> {
    if !page.is_power_of_two() {
        return Err(Errno::EINVAL);
    }
    let (sq, cq) = ring_entries(entries, p)?;
    let sqes_len = align_up(sqes_size(p.flags, sq)?, page)?;
    let rings_len = align_up(rings_size(p.flags, sq, cq)?, page)?;
    Ok(MemLayout {
        size: sqes_len.checked_add(rings_len).ok_or(Errno::EINVAL)?,
        align: page,
        sqes_offset: 0,
        sqes_len,
        rings_offset: sqes_len,
        rings_len,
        sq_entries: sq,
        cq_entries: cq,
    })
}

/// Bytes of caller memory a NO_MMAP ring of `entries` with setup `flags`
/// needs (aligned to the [`page_size`]).
///
/// Mirrors `io_uring_memory_size()` (liburing). Kernel: 6.5+.
///
/// Errors: `EINVAL` as [`memory_layout`].
pub fn memory_size(entries: u32, flags: u32) -> Result<usize, Errno> {
    memory_layout(entries, &Params::new().with_flags(flags)).map(|l| l.size)
}

/// As [`memory_size`], with full parameters (CQSIZE, CLAMP, ...).
///
/// Mirrors `io_uring_memory_size_params()` (liburing). Kernel: 6.5+.
///
/// Errors: `EINVAL` as [`memory_layout`].
pub fn memory_size_params(entries: u32, p: &Params) -> Result<usize, Errno> {
    memory_layout(entries, p).map(|l| l.size)
}

#[inline]
pub(crate) fn align_up(n: usize, a: usize) -> Result<usize, Errno> {
    n.checked_add(a - 1)
        .map(|v| v & !(a - 1))
        .ok_or(Errno::EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_rules() {
        let p = Params::new();
        assert_eq!(ring_entries(0, &p), Err(Errno::EINVAL));
        assert_eq!(ring_entries(1, &p), Ok((1, 2)));
        assert_eq!(ring_entries(5, &p), Ok((8, 16)));
        assert_eq!(ring_entries(MAX_ENTRIES + 1, &p), Err(Errno::EINVAL));
        let c = Params::new().with_flags(IORING_SETUP_CLAMP);
        assert_eq!(
            ring_entries(u32::MAX, &c),
            Ok((MAX_ENTRIES, MAX_CQ_ENTRIES))
        );
        let q = Params::new().cq_size(3);
        assert_eq!(ring_entries(8, &q), Err(Errno::EINVAL)); // 4 < 8
        assert_eq!(ring_entries(2, &q), Ok((2, 4)));
        assert_eq!(
            ring_entries(2, &Params::new().cq_size(0)),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn rings_size_formula() {
        // header + 16 CQEs of 16 bytes, cache aligned, + 8 u32 SQ indices.
        assert_eq!(rings_size(0, 8, 16), Ok(320 + 256 + 32));
        assert_eq!(rings_size(IORING_SETUP_NO_SQARRAY, 8, 16), Ok(320 + 256));
        assert_eq!(
            rings_size(IORING_SETUP_CQE32, 8, 16),
            Ok((320 + 256) * 2 + 32)
        );
        assert_eq!(rings_size(IORING_SETUP_CQE_MIXED, 1, 1), Err(Errno::EINVAL));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "asks the kernel for the page size (prctl, madvise, /proc)"
    )]
    fn layout_is_page_rounded() {
        let page = page_size();
        let l = memory_layout(8, &Params::new()).unwrap();
        assert_eq!(l.sqes_len, page);
        assert_eq!(l.rings_offset, page);
        assert_eq!(l.size, 2 * page);
        let big = memory_layout(4096, &Params::new().with_flags(IORING_SETUP_SQE128)).unwrap();
        assert_eq!(big.sqes_len, 4096 * 128);
        assert_eq!(big.size % page, 0);
        for pg in [4096, 16384, 65536] {
            let l = memory_layout_for_page(8, &Params::new(), pg).unwrap();
            assert_eq!(
                (l.align, l.sqes_len, l.rings_offset, l.size),
                (pg, pg, pg, 2 * pg)
            );
        }
        assert_eq!(
            memory_layout_for_page(8, &Params::new(), 4095),
            Err(Errno::EINVAL)
        );
    }

    /// AT_PAGESZ as the ELF loader gave it to this process, read from
    /// /proc/self/auxv (the test's independent source).
    fn auxv_page_size() -> usize {
        extern crate std;
        let raw = std::fs::read("/proc/self/auxv").unwrap();
        let words: std::vec::Vec<usize> = raw
            .chunks_exact(core::mem::size_of::<usize>())
            .map(|b| usize::from_ne_bytes(b.try_into().unwrap()))
            .collect();
        words
            .chunks_exact(2)
            .find(|kv| kv[0] == AT_PAGESZ)
            .map(|kv| kv[1])
            .unwrap()
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "asks the kernel for the page size (prctl, madvise, /proc)"
    )]
    fn both_page_size_sources_agree_with_the_loader() {
        let want = auxv_page_size();
        // prctl(PR_GET_AUXV) exists from 6.4: older kernels answer EINVAL
        // (an unknown option), and then this source has nothing to say.
        match page_size_from_auxv() {
            Some(p) => assert_eq!(p, want),
            None => {
                let mut auxv = [0usize; 2];
                // SAFETY: the kernel writes at most 16 bytes into auxv.
                let r = unsafe {
                    syscall::prctl(syscall::PR_GET_AUXV, auxv.as_mut_ptr() as usize, 16, 0, 0)
                };
                assert_eq!(r.err(), Some(Errno::EINVAL), "PR_GET_AUXV refused");
            }
        }
        assert_eq!(page_size_from_madvise(), Some(want));
        assert_eq!(page_size(), want);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "asks the kernel for the page size (prctl, madvise, /proc)"
    )]
    fn set_page_size_validates() {
        assert_eq!(set_page_size(0), Err(Errno::EINVAL));
        assert_eq!(set_page_size(4095), Err(Errno::EINVAL));
        assert_eq!(set_page_size(2048), Err(Errno::EINVAL));
        assert_eq!(set_page_size(2 * PAGE_SIZE), Err(Errno::EINVAL));
        // Storing the true value keeps the other tests' view unchanged.
        assert_eq!(set_page_size(auxv_page_size()), Ok(()));
        assert_eq!(page_size(), auxv_page_size());
    }
}
