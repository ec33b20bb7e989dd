//! The arena of examples/arena: rings and provided buffers carved from one
//! region, round trips through them, no heap and no mmap per ring, and a
//! named error when the region is full.

mod common;

#[allow(dead_code)]
#[path = "../examples/arena/arena.rs"]
mod arena;

use arena::{Arena, PAGE};
use bare_uring::buf_ring::BufRing;
use bare_uring::ring::{memory_size, Params};
use bare_uring::sys::IOSQE_BUFFER_SELECT_BIT;
use bare_uring::{prep, syscall, Errno, Ring};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};
use std::process::Command;
use std::ptr::NonNull;

// ---- a global allocator that counts this thread's allocations on demand

struct Counting;

thread_local! {
    /// Some(n): counting, n allocations so far on this thread.
    static COUNT: Cell<Option<u64>> = const { Cell::new(None) };
}

// SAFETY: forwards to System; the counter is a const-initialised
// thread-local Cell without destructor, safe to touch from the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get().map(|n| n + 1)));
        // SAFETY: forwarded contract.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get().map(|n| n + 1)));
        // SAFETY: forwarded contract.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the heap allocations it made on
/// this thread.
fn count_allocs<T>(f: impl FnOnce() -> T) -> (T, u64) {
    COUNT.with(|c| c.set(Some(0)));
    let r = f();
    let n = COUNT.with(|c| c.replace(None)).unwrap_or(0);
    (r, n)
}

// ---- helpers

const ENTRIES: u32 = 8;
const BGID: u16 = 3;
const BUF_LEN: u32 = 1024;

/// A NOP through `ring`; returns (user_data, address of the SQE used).
fn nop(ring: &mut Ring, ud: u64) -> Result<(u64, *const u8), Errno> {
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::nop(sqe);
    sqe.user_data = ud;
    let at = sqe as *const _ as *const u8;
    ring.submit_and_wait(1)?;
    let cqe = ring.wait_cqe()?;
    ring.cqe_seen(&cqe);
    Ok((cqe.user_data, at))
}

/// Writes `msg` into a fresh pipe and reads it back through `ring` with a
/// buffer selected from `bufs`; returns (bytes read, buffer address).
fn select_read(
    ring: &mut Ring,
    bufs: &mut BufRing<'_>,
    msg: &[u8],
) -> Result<(Vec<u8>, *const u8), Errno> {
    let [r, w] = syscall::pipe2(syscall::O_CLOEXEC)?;
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { syscall::write(w, msg) }?;
    // SAFETY: no address in the SQE: the read fills a buffer the kernel picks from `bufs`
    // (the caller's), and the CQE is reaped just below.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::read(sqe, r, std::ptr::null_mut(), BUF_LEN, 0);
    sqe.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
    sqe.set_buf_group(bufs.bgid());
    ring.submit_and_wait(1)?;
    let cqe = ring.wait_cqe()?;
    ring.cqe_seen(&cqe);
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { syscall::close(r) }?;
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { syscall::close(w) }?;
    Errno::from_res(cqe.res)?;
    let c = bufs.consume(cqe.res, cqe.flags).ok_or(Errno::ENOBUFS)?;
    // SAFETY: this CQE handed buffer c.bid back to us.
    let data = unsafe { bufs.data(&c) }.to_vec();
    let at = bufs
        .buf_ptr(c.bid)
        .map_or(std::ptr::null(), |p| p.as_ptr() as *const u8);
    bufs.recycle(c.bid)?;
    Ok((data, at))
}

/// Page-aligned memory for `Arena::from_raw`, leaked (like a static).
fn leaked_region(len: usize) -> NonNull<u8> {
    #[repr(C, align(4096))]
    struct Page(#[allow(dead_code)] UnsafeCell<[u8; PAGE]>);
    let pages: Vec<Page> = (0..len / PAGE)
        .map(|_| Page(UnsafeCell::new([0; PAGE])))
        .collect();
    NonNull::new(Box::leak(pages.into_boxed_slice()).as_mut_ptr().cast()).unwrap()
}

/// Skips the test unless the kernel sets a ring up in memory of ours
/// (IORING_SETUP_NO_MMAP, 6.5+; before, io_uring_setup answers EINVAL for
/// the unknown flag), which every arena ring is.
fn require_no_mmap() {
    let arena = Arena::map().unwrap();
    common::skip_on(
        arena.ring(ENTRIES, &mut Params::new()).map(drop),
        &[Errno::EINVAL],
        "IORING_SETUP_NO_MMAP needs Linux 6.5+ (io_uring_setup)",
    );
}

// ---- tests

fn several_rings_and_their_buffers_live_in_one_region() {
    require_no_mmap();
    let arena = Arena::map().unwrap();
    let (base, len) = arena.region();
    assert_eq!(len, arena::REGION);
    println!("arena {len} bytes at {base:p}, {:?}", arena.source());
    let per_ring = memory_size(ENTRIES, 0).unwrap();
    let mut rings = Vec::new();
    for i in 0..4u16 {
        let before = arena.used();
        let ring = arena.ring(ENTRIES, &mut Params::new()).unwrap();
        assert!(
            arena.used() - before >= per_ring,
            "ring {i} took less than memory_size"
        );
        let mut bufs = arena.buf_ring(&ring, 4, BGID, BUF_LEN).unwrap();
        bufs.publish_all().unwrap();
        rings.push((ring, bufs));
    }
    for (i, (ring, bufs)) in rings.iter_mut().enumerate() {
        let (ud, sqe_at) = nop(ring, 100 + i as u64).unwrap();
        assert_eq!(ud, 100 + i as u64);
        assert!(arena.contains(sqe_at), "ring {i}: SQE outside the arena");
        let msg = format!("message for ring {i}");
        let (data, buf_at) = select_read(ring, bufs, msg.as_bytes()).unwrap();
        assert_eq!(data, msg.as_bytes());
        assert!(arena.contains(buf_at), "ring {i}: buffer outside the arena");
    }
    println!(
        "4 rings + 4 buffer rings: {} bytes of the arena",
        arena.used()
    );
}

fn no_heap_allocation_for_rings_buffers_and_round_trips() {
    require_no_mmap();
    // The counter sees allocations (so a 0 below means something).
    let (_, n) = count_allocs(|| drop(std::hint::black_box(Box::new(1u64))));
    assert_eq!(n, 1);
    let (r, allocs) = count_allocs(|| -> Result<(), Errno> {
        let arena = Arena::map()?;
        let mut a = arena.ring(ENTRIES, &mut Params::new())?;
        let mut b = arena.ring(ENTRIES, &mut Params::new())?;
        let mut bufs = arena.buf_ring(&a, 4, BGID, BUF_LEN)?;
        bufs.publish_all()?;
        for i in 0..100 {
            assert_eq!(nop(&mut a, i)?.0, i);
            assert_eq!(nop(&mut b, i)?.0, i);
        }
        Ok(())
    });
    r.unwrap();
    assert_eq!(allocs, 0, "the arena path allocated on the heap");
}

fn a_full_arena_says_enomem_and_keeps_working() {
    require_no_mmap();
    let per_ring = memory_size(ENTRIES, 0).unwrap();
    let fit = 5;
    let len = fit * per_ring + PAGE; // room for 5 rings and a bit
                                     // SAFETY: leaked memory, used by this arena only, never freed.
    let arena = unsafe { Arena::from_raw(leaked_region(len), len) };
    let mut rings = Vec::new();
    let err = loop {
        match arena.ring(ENTRIES, &mut Params::new()) {
            Ok(r) => rings.push(r),
            Err(e) => break e,
        }
        assert!(rings.len() <= fit, "more rings than the memory can hold");
    };
    assert_eq!(err, Errno::ENOMEM);
    assert_eq!(rings.len(), fit);
    // The failed attempt consumed nothing; the spare page still serves a
    // buffer ring's entries, but not its buffers too.
    let used = arena.used();
    assert_eq!(
        arena.buf_ring(&rings[0], 4, BGID, BUF_LEN).err(),
        Some(Errno::ENOMEM)
    );
    assert_eq!(arena.used(), used, "a failed buf_ring kept its space");
    for (i, r) in rings.iter_mut().enumerate() {
        let (ud, at) = nop(r, i as u64).unwrap();
        assert_eq!(ud, i as u64);
        assert!(arena.contains(at));
    }
}

fn alloc_aligns_and_refuses_bad_alignment() {
    let len = 4 * PAGE;
    // SAFETY: leaked memory, used by this arena only.
    let arena = unsafe { Arena::from_raw(leaked_region(len), len) };
    let a = arena.alloc(1, 1).unwrap();
    let b = arena.alloc(8, PAGE).unwrap();
    assert_eq!(b.as_ptr() as usize % PAGE, 0);
    assert!(b.as_ptr() as usize > a.as_ptr() as usize);
    assert_eq!(arena.alloc(8, 3).err(), Some(Errno::EINVAL));
    assert_eq!(arena.alloc(len, 1).err(), Some(Errno::ENOMEM));
    assert_eq!(arena.alloc(usize::MAX, 1).err(), Some(Errno::ENOMEM));
}

/// Marker syscall for the strace test: `close(-1)` fails with EBADF and
/// shows in the trace as `close(-1)`.
fn marker() {
    // SAFETY: the fd is this code's own and not used after this.
    assert_eq!(unsafe { syscall::close(-1) }, Err(Errno::EBADF));
}

/// Run by `rings_make_no_mmap` in a child process under strace.
fn child_rings_between_markers() {
    let arena = Arena::map().unwrap();
    marker();
    let mut rings = [
        arena.ring(ENTRIES, &mut Params::new()).unwrap(),
        arena.ring(ENTRIES, &mut Params::new()).unwrap(),
        arena.ring(ENTRIES, &mut Params::new()).unwrap(),
    ];
    let mut bufs = arena.buf_ring(&rings[0], 4, BGID, BUF_LEN).unwrap();
    bufs.publish_all().unwrap();
    for (i, r) in rings.iter_mut().enumerate() {
        assert_eq!(nop(r, i as u64).unwrap().0, i as u64);
    }
    marker();
}

fn rings_make_no_mmap() {
    require_no_mmap();
    // Counts syscalls with strace (apt-get install strace; .ci/run has it).
    let strace = common::require_tool("strace");
    let log = std::env::temp_dir().join(format!("arena-strace-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let me = std::env::current_exe().unwrap();
    let out = Command::new(strace)
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=mmap,munmap,mremap,brk,close,io_uring_setup,io_uring_register",
            "-o",
        ])
        .arg(&log)
        .arg(&me)
        .args([
            "--exact",
            "child_rings_between_markers",
            "--ignored",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(
        text.contains("close("),
        "strace cannot trace here (ptrace not allowed?): {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let between: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("close(-1)"))
        .skip(1)
        .take_while(|l| !l.contains("close(-1)"))
        .collect();
    let setups = between
        .iter()
        .filter(|l| l.contains("io_uring_setup("))
        .count();
    assert_eq!(
        setups,
        3,
        "trace between the markers:\n{}",
        between.join("\n")
    );
    for l in &between {
        for call in ["mmap(", "munmap(", "mremap(", "brk("] {
            assert!(!l.contains(call), "a ring made a {call}...): {l}");
        }
    }
    println!(
        "between the markers: {} traced calls, 3 io_uring_setup, no mmap",
        between.len()
    );
}

common::harness::main! {
    several_rings_and_their_buffers_live_in_one_region,
    no_heap_allocation_for_rings_buffers_and_round_trips,
    a_full_arena_says_enomem_and_keeps_working,
    alloc_aligns_and_refuses_bad_alignment,
    #[ignore = "child of rings_make_no_mmap (needs to run alone under strace)"]
    child_rings_between_markers,
    rings_make_no_mmap,
}
