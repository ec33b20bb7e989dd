//! Rings in caller memory (IORING_SETUP_NO_MMAP) and teardown: open fds
//! and mappings are back to the start after Drop.
//!
//! /proc/self/{fd,maps} are process-wide: the counts hold because the
//! harness runs one test at a time. NO_MMAP (6.5+) and the other newer
//! setups are skipped where the kernel refuses them (setup EINVAL).

use bare_uring::ring::{
    memory_layout, memory_size, memory_size_params, page_size, Params, PAGE_SIZE,
};
use bare_uring::sys::*;
use bare_uring::{Errno, Ring};
use std::fs;

mod common;
use common::nop;

fn round_trips(ring: &mut Ring, n: u64) {
    for i in 0..n {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), i);
        ring.submit_and_wait(1).unwrap();
        let c = ring.wait_cqe().unwrap();
        assert_eq!((c.user_data, c.res), (i, 0));
        ring.cqe_seen(&c);
    }
}

fn fds() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir("/proc/self/fd")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Mapping lines (address range + what), without the read_dir fd noise.
fn maps() -> Vec<String> {
    let mut v: Vec<String> = fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{} {}", f[0], f.get(5).copied().unwrap_or(""))
        })
        .collect();
    v.sort();
    v
}

fn io_uring_maps() -> usize {
    maps().iter().filter(|l| l.contains("io_uring")).count()
}

/// Page-aligned static memory for a NO_MMAP ring (zero-initialised: .bss).
#[repr(C, align(65536))]
struct Arena(std::cell::UnsafeCell<[u8; 1 << 16]>);
// SAFETY: the tests use it through a raw pointer, one test at a time.
unsafe impl Sync for Arena {}
static ARENA: Arena = Arena(std::cell::UnsafeCell::new([0; 1 << 16]));

/// The fds and mappings of the process once whatever the harness or std
/// allocate lazily exists (a ring is set up and dropped first).
fn baseline() -> (Vec<String>, Vec<String>) {
    drop(Ring::queue_init(2, 0).unwrap());
    (fds(), maps())
}

/// A NO_MMAP setup's ring; skips the test where the kernel refuses the
/// flag (EINVAL: IORING_SETUP_NO_MMAP is 6.5+).
fn no_mmap(r: Result<Ring, Errno>) -> Ring {
    common::skip_on(
        r,
        &[Errno::EINVAL],
        "IORING_SETUP_NO_MMAP needs Linux 6.5+ (io_uring_setup)",
    )
}

/// Kernel-mapped ring: one fd and io_uring mappings while alive.
fn kernel_mapped_ring_releases_its_fd_and_mappings() {
    let (fds0, maps0) = baseline();
    {
        let mut ring = Ring::queue_init(64, 0).unwrap();
        round_trips(&mut ring, 3);
        assert_eq!(fds().len(), fds0.len() + 1);
        // Single mmap for both rings + one for the SQEs.
        assert_eq!(io_uring_maps(), 2, "{:#?}", maps());
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// NO_MMAP in a static buffer: no mapping appears at all.
fn no_mmap_ring_in_caller_memory_maps_nothing() {
    let (fds0, maps0) = baseline();
    let mut p = Params::new();
    let l = memory_layout(64, &p).unwrap();
    println!("NO_MMAP layout for 64 entries: {l:?}");
    assert!(l.size <= 1 << 16);
    assert_eq!(memory_size(64, 0), Ok(l.size));
    assert_eq!(memory_size_params(64, &p), Ok(l.size));
    let mem = ARENA.0.get().cast::<u8>();
    {
        // SAFETY: ARENA is 64 KiB, page aligned, used by nothing else, and
        // outlives the ring (static).
        let mut ring = no_mmap(unsafe { Ring::queue_init_mem(64, &mut p, mem, 1 << 16) });
        assert_ne!(ring.flags() & IORING_SETUP_NO_MMAP, 0);
        assert_eq!(p.sq_off.user_addr, mem as u64);
        assert_eq!(p.cq_off.user_addr, mem as u64 + l.rings_offset as u64);
        round_trips(&mut ring, 200);
        assert_eq!(maps(), maps0, "NO_MMAP with caller memory mapped something");
        assert_eq!(fds().len(), fds0.len() + 1);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
    // The same with the page size given (what a no_std program passes
    // from AT_PAGESZ): the same layout, no mapping either.
    {
        let mut p = Params::new();
        let page = page_size();
        // SAFETY: as above; the previous ring is gone.
        let mut ring =
            unsafe { Ring::queue_init_mem_page_size(64, &mut p, mem, 1 << 16, page) }.unwrap();
        assert_eq!(p.cq_off.user_addr, mem as u64 + l.rings_offset as u64);
        round_trips(&mut ring, 20);
        assert_eq!(maps(), maps0, "NO_MMAP with caller memory mapped something");
    }
    assert_eq!(fds(), fds0);
    // The same memory again, laid out without an SQ array (stale indices
    // are cleared by setup).
    {
        let mut p = Params::new().with_flags(IORING_SETUP_NO_SQARRAY);
        // SAFETY: as above; the previous ring is gone.
        let r = unsafe { Ring::queue_init_mem(8, &mut p, mem, 1 << 16) };
        let mut ring = common::skip_on(
            r,
            &[Errno::EINVAL],
            "IORING_SETUP_NO_SQARRAY needs Linux 6.6+ (io_uring_setup)",
        );
        round_trips(&mut ring, 20);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// Bad caller memory and page sizes are named errors, before any
/// syscall (so on every kernel, NO_MMAP or not).
fn bad_caller_memory_is_refused_before_any_syscall() {
    let (fds0, maps0) = baseline();
    let l = memory_layout(64, &Params::new()).unwrap();
    let mem = ARENA.0.get().cast::<u8>();
    // A page size no kernel of this architecture has is refused before
    // any syscall (no fd appears).
    for bad in [0, 2048, 4095, 4097, 2 * PAGE_SIZE] {
        let mut p = Params::new();
        // SAFETY: rejected before the memory is touched.
        let e = unsafe { Ring::queue_init_mem_page_size(8, &mut p, mem, 1 << 16, bad) };
        assert_eq!(e.unwrap_err(), Errno::EINVAL, "page {bad}");
    }
    assert_eq!(fds(), fds0);
    let mut p = Params::new();
    // SAFETY: rejected before the memory is touched.
    let e = unsafe { Ring::queue_init_mem(64, &mut p, mem, l.size - 1) }.unwrap_err();
    assert_eq!(e, Errno::ENOMEM);
    // SAFETY: rejected (misaligned) before the memory is touched.
    let e = unsafe { Ring::queue_init_mem(64, &mut p, mem.wrapping_add(8), 1 << 15) }.unwrap_err();
    assert_eq!(e, Errno::EINVAL);
    // SAFETY: null is rejected.
    let e = unsafe { Ring::queue_init_mem(64, &mut p, std::ptr::null_mut(), 1 << 16) };
    assert_eq!(e.unwrap_err(), Errno::EINVAL);
    // SAFETY: entries 0 is rejected by the layout.
    let e = unsafe { Ring::queue_init_mem(0, &mut p, mem, 1 << 16) }.unwrap_err();
    assert_eq!(e, Errno::EINVAL);
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// NO_MMAP without caller memory: an anonymous mapping we own.
fn no_mmap_ring_without_caller_memory_owns_one_mapping() {
    let (fds0, maps0) = baseline();
    {
        let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP);
        let mut ring = no_mmap(Ring::queue_init_params(16, &mut p));
        round_trips(&mut ring, 5);
        assert_eq!(maps().len(), maps0.len() + 1, "one anonymous region");
        assert_eq!(p.sq_off.user_addr % PAGE_SIZE as u64, 0);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// An SQPOLL ring: its fd and mappings are released.
fn sqpoll_ring_is_released() {
    let (fds0, maps0) = baseline();
    {
        let mut a = Ring::queue_init_params(8, &mut Params::new().sqpoll(10)).unwrap();
        round_trips(&mut a, 3);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// Big entries (SQE128 | CQE32, 5.19+) and a registered ring fd
/// (5.18+), its real fd closed where the kernel lets register calls use
/// the index (IORING_FEAT_REG_REG_RING, 6.3+): all released.
fn big_entry_ring_with_registered_fd_is_released() {
    let (fds0, maps0) = baseline();
    {
        let mut b = common::setup_or_skip(
            8,
            IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
            "IORING_SETUP_SQE128 | IORING_SETUP_CQE32",
            "5.19",
        );
        common::skip_on(
            b.register_ring_fd(),
            &[Errno::EINVAL],
            "IORING_REGISTER_RING_FDS needs Linux 5.18+ (io_uring_register)",
        );
        if b.features() & IORING_FEAT_REG_REG_RING != 0 {
            b.close_ring_fd().unwrap();
        }
        round_trips(&mut b, 3);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// Separate SQ and CQ ring mappings (kernels without
/// IORING_FEAT_SINGLE_MMAP), forced through queue_mmap; and
/// ring_dontfork marking every mapping "dc" (do not copy on fork).
fn separate_ring_mappings_and_dontfork() {
    let (fds0, maps0) = baseline();
    {
        let mut p = Params::new();
        // SAFETY: p is a valid io_uring_params; no NO_MMAP.
        let fd = unsafe { bare_uring::syscall::io_uring_setup(32, &mut p.0) }.unwrap();
        p.features &= !IORING_FEAT_SINGLE_MMAP;
        // SAFETY: a fresh io_uring fd with its own setup parameters.
        let mut ring = unsafe { Ring::queue_mmap(fd, &p) }.unwrap();
        assert_eq!(io_uring_maps(), 3, "SQ ring, CQ ring and SQEs apart");
        round_trips(&mut ring, 50);
        assert_eq!(dontfork_maps(), 0);
        ring.ring_dontfork().unwrap();
        assert_eq!(dontfork_maps(), 3);
    }
    assert_eq!(fds(), fds0);
    assert_eq!(maps(), maps0);
}

/// io_uring mappings whose smaps VmFlags include `dc` (MADV_DONTFORK).
fn dontfork_maps() -> usize {
    let smaps = fs::read_to_string("/proc/self/smaps").unwrap();
    let mut n = 0;
    let mut in_uring = false;
    for line in smaps.lines() {
        if line.starts_with("VmFlags:") {
            if in_uring && line.split_whitespace().any(|f| f == "dc") {
                n += 1;
            }
        } else if line
            .split_whitespace()
            .next()
            .is_some_and(|a| a.contains('-') && !a.ends_with(':'))
        {
            in_uring = line.contains("io_uring");
        }
    }
    n
}

common::harness::main! {
    kernel_mapped_ring_releases_its_fd_and_mappings,
    no_mmap_ring_in_caller_memory_maps_nothing,
    bad_caller_memory_is_refused_before_any_syscall,
    no_mmap_ring_without_caller_memory_owns_one_mapping,
    sqpoll_ring_is_released,
    big_entry_ring_with_registered_fd_is_released,
    separate_ring_mappings_and_dontfork,
}
