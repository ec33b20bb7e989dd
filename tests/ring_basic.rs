//! Ring basics against the live kernel: NOP round trip, batches, a full
//! SQ, bad setup input.

use bare_uring::sys::{io_uring_sqe, IORING_OP_NOP, IORING_SETUP_CLAMP};
use bare_uring::{Errno, Ring};

mod common;
use common::nop;
// Links the C reference (tests/c/cqe_seen_ref.c) and liburing.
use uring as _;

extern "C" {
    fn ref_cqe_seen_foreign(a_next: *mut u64, a_ready: *mut u32, b_ready: *mut u32) -> i32;
}

fn nop_round_trip() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    assert!(ring.ring_fd() >= 0);
    assert_eq!(ring.sq_entries(), 8);
    assert_eq!(ring.cq_entries(), 16);
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 0xdead_beef);
    assert_eq!(ring.sq_ready(), 1);
    assert_eq!(ring.submit().unwrap(), 1);
    let cqe = ring.wait_cqe().unwrap();
    assert_eq!(cqe.user_data, 0xdead_beef);
    assert_eq!(cqe.res, 0);
    assert_eq!(cqe.result(), Ok(0));
    // The value is the kernel's 16-byte CQE, no larger.
    assert_eq!(core::mem::size_of_val(&cqe), 16);
    assert_eq!(ring.cqe_nr(&cqe), 1);
    assert_eq!(ring.cq_ready(), 1);
    ring.cqe_seen(&cqe);
    assert_eq!(ring.cq_ready(), 0);
    assert_eq!(ring.peek_cqe().unwrap_err(), Errno::EAGAIN);
}

fn initialize_sqe_resets_the_liburing_fields() {
    let mut raw = io_uring_sqe::zeroed();
    raw.opcode = 5;
    raw.flags = 3;
    raw.ioprio = 1;
    raw.personality = 9;
    raw.set_buf_index(3);
    raw.set_file_index(5);
    raw.set_addr3(11);
    raw.set_pad2(13);
    raw.set_rw_flags(17);
    bare_uring::sq::initialize_sqe(&mut raw);
    assert_eq!(
        (
            raw.flags,
            raw.ioprio,
            raw.personality,
            raw.buf_index(),
            raw.file_index()
        ),
        (0, 0, 0, 0, 0)
    );
    assert_eq!((raw.addr3(), raw.pad2(), raw.rw_flags()), (0, 0, 0));
    assert_eq!(raw.opcode, 5, "fields liburing leaves alone stay");
}

fn get_sqe_resets_a_reused_slot() {
    // One slot: the second get_sqe returns the same memory.
    let mut ring = Ring::queue_init(1, 0).unwrap();
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    nop(sqe, 1);
    sqe.set_buf_index(3);
    sqe.set_file_index(5);
    sqe.set_addr3(11);
    sqe.set_pad2(13);
    let first = sqe as *const io_uring_sqe;
    assert_eq!(ring.submit_and_wait(1).unwrap(), 1);
    assert_eq!(ring.for_each_cqe(|_| {}), 1);
    // SAFETY: this slot still holds the NOP above and is never submitted.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    assert_eq!(sqe as *const io_uring_sqe, first);
    assert_eq!(
        (sqe.buf_index(), sqe.file_index(), sqe.addr3(), sqe.pad2()),
        (0, 0, 0, 0)
    );
    // get_sqe initialises exactly what liburing's io_uring_get_sqe does
    // (io_uring_initialize_sqe); the rest is the prep helper's to write
    // and still holds the previous request's bytes.
    assert_eq!(
        (sqe.flags, sqe.ioprio, sqe.rw_flags(), sqe.personality),
        (0, 0, 0, 0)
    );
    assert_eq!(
        (sqe.opcode, sqe.fd, sqe.user_data),
        (IORING_OP_NOP as u8, -1, 1)
    );
}

fn batch_of_n() {
    const N: u64 = 100;
    let mut ring = Ring::queue_init(128, 0).unwrap();
    for i in 0..N {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), i);
    }
    assert_eq!(ring.sq_ready(), N as u32);
    assert_eq!(ring.submit_and_wait(N as u32).unwrap(), N as u32);
    assert_eq!(ring.sq_ready(), 0);
    assert_eq!(ring.cq_ready(), N as u32);
    let mut seen = [false; N as usize];
    let n = ring.for_each_cqe(|c| {
        assert_eq!(c.res, 0);
        let i = c.user_data as usize;
        assert!(!seen[i], "user_data {i} twice");
        seen[i] = true;
    });
    assert_eq!(n, N as u32);
    assert!(seen.iter().all(|&s| s));
    assert_eq!(ring.cq_ready(), 0);
}

fn iterator_advances_only_past_what_it_yielded() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    for i in 0..6 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), i);
    }
    ring.submit_and_wait(6).unwrap();
    let mut it = ring.cqes();
    let a = it.next().unwrap();
    let b = it.next().unwrap();
    drop(it);
    assert_eq!((a.user_data, b.user_data), (0, 1));
    assert_eq!(ring.cq_ready(), 4);
    let mut out: [bare_uring::cq::Cqe; 3] = Default::default();
    assert_eq!(ring.peek_batch_cqe(&mut out), 3);
    assert_eq!(
        out.iter().map(|c| c.user_data).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(ring.cq_ready(), 4, "peek_batch_cqe must not advance");
    ring.cq_advance(3);
    assert_eq!(ring.wait_cqe().unwrap().user_data, 5);
    ring.cq_advance(100); // clamped to what is ready
    assert_eq!(ring.cq_ready(), 0);
}

fn sq_full_returns_none_and_overwrites_nothing() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    for i in 0..4 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), 100 + i);
    }
    assert_eq!(ring.sq_space_left(), 0);
    // SAFETY: the SQ is full, so no slot is handed out.
    assert!(unsafe { ring.get_sqe() }.is_none());
    // SAFETY: as above.
    assert!(unsafe { ring.get_sqe() }.is_none());
    assert_eq!(ring.submit_and_wait(4).unwrap(), 4);
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push(c.user_data));
    got.sort();
    assert_eq!(got, [100, 101, 102, 103]);
    assert_eq!(ring.sq_space_left(), 4);
    // SAFETY: only checked for: this slot (a NOP's old bytes) is never submitted.
    assert!(unsafe { ring.get_sqe() }.is_some());
}

fn wraps_many_times() {
    // 4 slots, 1000 rounds (divided by URING_TEST_SCALE): the indices
    // wrap the ring 250 times.
    let mut ring = Ring::queue_init(4, 0).unwrap();
    for round in 0..common::scale(1000u64) {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), round);
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), round + 1_000_000);
        assert_eq!(ring.submit_and_wait(2).unwrap(), 2);
        let a = ring.wait_cqe().unwrap();
        ring.cqe_seen(&a);
        let b = ring.wait_cqe().unwrap();
        ring.cqe_seen(&b);
        let mut v = [a.user_data, b.user_data];
        v.sort();
        assert_eq!(v, [round, round + 1_000_000]);
    }
}

fn bad_setup_input_is_named_errno() {
    assert_eq!(Ring::queue_init(0, 0).unwrap_err(), Errno::EINVAL);
    assert_eq!(Ring::queue_init(1 << 20, 0).unwrap_err(), Errno::EINVAL);
    assert_eq!(Ring::queue_init(8, 1 << 31).unwrap_err(), Errno::EINVAL);
    // CLAMP turns "too large" into the maximum.
    let r = Ring::queue_init(1 << 20, IORING_SETUP_CLAMP).unwrap();
    assert_eq!(r.sq_entries(), 32768);
}

fn submit_with_nothing_does_not_fail() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    assert_eq!(ring.submit().unwrap(), 0);
    assert_eq!(ring.peek_cqe().unwrap_err(), Errno::EAGAIN);
    assert_eq!(ring.wait_cqe_nr(0).unwrap_err(), Errno::EAGAIN);
}

/// Issue 18, item 2: `cqe_seen` with another ring's CQE consumes this
/// ring's head CQE (its argument is not looked at), as liburing's
/// `io_uring_cqe_seen()` does: the same steps in C (tests/c/cqe_seen_ref.c)
/// give the same result.
fn cqe_seen_of_another_ring_consumes_this_rings_head() {
    let (mut c_next, mut c_a, mut c_b) = (0u64, 0u32, 0u32);
    // SAFETY: three valid out-pointers.
    let r = unsafe { ref_cqe_seen_foreign(&mut c_next, &mut c_a, &mut c_b) };
    assert_eq!(r, 0, "C reference failed");
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, 0).unwrap();
    let post = |ring: &mut Ring, ud| {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), ud);
        ring.submit_and_wait(1).unwrap();
    };
    post(&mut a, 1);
    post(&mut a, 2);
    post(&mut b, 9);
    let cb = b.wait_cqe().unwrap();
    assert_eq!(cb.user_data, 9);
    a.cqe_seen(&cb);
    let next = a.peek_cqe().unwrap().user_data;
    println!(
        "after a.cqe_seen(&b's CQE): Rust a next {next}, a ready {}, b ready {}; \
         C {c_next}, {c_a}, {c_b}",
        a.cq_ready(),
        b.cq_ready()
    );
    assert_eq!((next, a.cq_ready(), b.cq_ready()), (c_next, c_a, c_b));
    // What the C reference shows: A's first CQE (1) is gone, B's stays.
    assert_eq!((c_next, c_a, c_b), (2, 1, 1));
}

common::harness::main! {
    cqe_seen_of_another_ring_consumes_this_rings_head,
    nop_round_trip,
    initialize_sqe_resets_the_liburing_fields,
    get_sqe_resets_a_reused_slot,
    batch_of_n,
    iterator_advances_only_past_what_it_yielded,
    sq_full_returns_none_and_overwrites_nothing,
    wraps_many_times,
    bad_setup_input_is_named_errno,
    submit_with_nothing_does_not_fail,
}
