//! Zero heap allocations across setup, 10,000 submit/reap cycles, an event
//! loop on the split handles (`Ring::split`) and teardown, seen by a
//! counting global allocator (its own test binary: the global allocator is
//! per binary). Only this thread's allocations are counted, so the test
//! harness's own threads do not interfere.
//!
//! Run on a default ring (every kernel) and on a SINGLE_ISSUER |
//! DEFER_TASKRUN ring (Linux 6.1+, skipped where setup answers EINVAL).

use bare_uring::ring::Params;
use bare_uring::sys::*;
use bare_uring::Ring;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

mod common;
use common::nop;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // try_with: TLS may be gone during thread teardown.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards to System; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.realloc(p, l, n) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(|c| c.get())
}

fn no_allocation_in_setup_io_and_teardown() {
    no_allocation_with_flags(0);
}

fn no_allocation_in_setup_io_and_teardown_defer_taskrun() {
    let flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    drop(common::setup_or_skip(
        16,
        flags,
        "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    ));
    no_allocation_with_flags(flags);
}

/// Counts this thread's allocations from setting up a ring with `flags`
/// to its teardown: there must be none.
fn no_allocation_with_flags(flags: u32) {
    // The counter itself works (else the test could not fail).
    let before = allocs();
    drop(std::hint::black_box(vec![1u8; 16]));
    assert_eq!(allocs(), before + 1);

    let start = allocs();
    let mut p = Params::new().with_flags(flags);
    let mut ring = Ring::queue_init_params(16, &mut p).unwrap();
    let mut sum = 0u64;
    for i in 0..10_000u64 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), i);
        ring.submit_and_wait(1).unwrap();
        let cqe = ring.wait_cqe().unwrap();
        sum += cqe.user_data;
        ring.cqe_seen(&cqe);
    }
    // Batches through the iterator too.
    for _ in 0..100 {
        for i in 0..8 {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.unwrap();
            sqe.opcode = IORING_OP_NOP as u8;
            sqe.user_data = i;
        }
        ring.submit_and_wait(8).unwrap();
        assert_eq!(ring.for_each_cqe(|_| {}), 8);
    }
    // The split handles: an event loop queueing while reaping.
    {
        let (mut sq, mut cq, submitter) = ring.split();
        let mut reaped = 0u64;
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), 0);
        while reaped < 1000 {
            sq.submit_and_wait(1).unwrap();
            for c in cq.cqes() {
                reaped += 1;
                // SAFETY: as above.
                nop(unsafe { sq.get_sqe() }.unwrap(), c.user_data + 1);
            }
        }
        // The last SQE queued in the loop.
        sq.submit_and_wait(1).unwrap();
        let c = cq.wait_cqe().unwrap();
        cq.cqe_seen(&c);
        submitter.get_events().unwrap();
    }
    drop(ring);
    let used = allocs() - start;
    assert_eq!(sum, (0..10_000u64).sum());
    assert_eq!(used, 0, "bare-uring allocated {used} times");
}

common::harness::main! {
    no_allocation_in_setup_io_and_teardown,
    no_allocation_in_setup_io_and_teardown_defer_taskrun,
}
