//! `Ring::split` against the live kernel: an event loop that queues SQEs
//! while iterating CQEs, the handles' counters, what the ring sees after
//! the handles drop (or are forgotten), the submitter, timed waits and
//! 32-byte CQEs through the completion side.

use bare_uring::sys::{
    __kernel_timespec, IORING_NOP_CQE32, IORING_OP_NOP, IORING_SETUP_CQE32, IORING_UNREGISTER_FILES,
};
use bare_uring::{Errno, Ring};

mod common;
use common::nop;

fn event_loop_queues_while_reaping() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let (mut sq, mut cq, _submitter) = ring.split();
    // SAFETY: a NOP points to no memory.
    nop(unsafe { sq.get_sqe() }.unwrap(), 0);
    let mut seen = Vec::new();
    let mut next = 1u64;
    while seen.len() < 1000 {
        sq.submit_and_wait(1).unwrap();
        for cqe in cq.cqes() {
            assert_eq!(cqe.res, 0);
            seen.push(cqe.user_data);
            // Two new requests per completion while iterating, as long as
            // the SQ has room.
            for _ in 0..2 {
                // SAFETY: as above.
                if let Some(sqe) = unsafe { sq.get_sqe() } {
                    nop(sqe, next);
                    next += 1;
                }
            }
        }
    }
    // Every user_data seen once, in order: no request lost or repeated.
    assert!(seen.iter().enumerate().all(|(i, &u)| u == i as u64));
}

fn counters_and_a_full_sq() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let (mut sq, mut cq, _s) = ring.split();
    assert_eq!((sq.sq_entries(), cq.cq_entries()), (4, 8));
    for i in 0..4 {
        assert_eq!(sq.sq_space_left(), 4 - i);
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), i as u64);
    }
    // SAFETY: never written: None.
    assert!(unsafe { sq.get_sqe() }.is_none());
    assert_eq!(sq.sq_ready(), 4);
    assert_eq!(sq.submit_and_wait(4).unwrap(), 4);
    assert_eq!(cq.cq_ready(), 4);
    let first = cq.peek_cqe().unwrap();
    assert_eq!(first.user_data, 0);
    cq.cqe_seen(&first);
    let mut out = [bare_uring::cq::Cqe::zeroed(), bare_uring::cq::Cqe::zeroed()];
    assert_eq!(cq.peek_batch_cqe(&mut out), 2);
    assert_eq!((out[0].user_data, out[1].user_data), (1, 2));
    cq.cq_advance(2);
    let last = cq.wait_cqe().unwrap();
    assert_eq!(last.user_data, 3);
    cq.cqe_seen(&last);
    // cq_advance never passes the tail.
    cq.cq_advance(5);
    assert_eq!(cq.cq_ready(), 0);
    assert_eq!(cq.peek_cqe().unwrap_err(), Errno::EAGAIN);
    assert_eq!(cq.cq_overflow(), 0);
    assert!(!cq.cq_has_overflow());
}

fn the_ring_continues_where_the_handles_left_off() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    {
        let (mut sq, _cq, _s) = ring.split();
        for i in 0..3 {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { sq.get_sqe() }.unwrap(), 10 + i);
        }
        // Dropped without submitting.
    }
    assert_eq!(ring.sq_ready(), 3);
    assert_eq!(ring.submit_and_wait(3).unwrap(), 3);
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push(c.user_data));
    assert_eq!(got, [10, 11, 12]);

    // After a submit: dropping the handle gives the ring its SQ state back,
    // so the ring never hands out a published slot again and submits the
    // SQE the handle got but did not submit.
    {
        let (mut sq, _cq, _s) = ring.split();
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), 20);
        assert_eq!(sq.submit().unwrap(), 1);
        // SAFETY: as above; this one is handed out but never submitted by sq.
        nop(unsafe { sq.get_sqe() }.unwrap(), 21);
    }
    assert_eq!(ring.sq_ready(), 1);
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 22);
    assert_eq!(ring.submit_and_wait(3).unwrap(), 2);
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push(c.user_data));
    assert_eq!(got, [20, 21, 22]);
}

fn a_forgotten_submission_queue_leaves_the_sq_closed() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    {
        let (mut sq, _cq, _s) = ring.split();
        for i in 0..3 {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { sq.get_sqe() }.unwrap(), 30 + i);
        }
        assert_eq!(sq.submit().unwrap(), 3);
        // SAFETY: as above; handed out, never submitted.
        nop(unsafe { sq.get_sqe() }.unwrap(), 33);
        // The ring's SQ state is lent to `sq`; forgetting it never gives it
        // back.
        std::mem::forget(sq);
    }
    // The ring hands out no slot (any it chose could be one `sq` published
    // and the kernel has yet to read) and publishes nothing.
    // SAFETY: nothing is written through it.
    assert!(unsafe { ring.get_sqe() }.is_none());
    assert_eq!(ring.sq_entries(), 0);
    ring.submit().unwrap();
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 20_000_000,
    };
    let _ = ring.wait_cqes(4, Some(&ts), None);
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push(c.user_data));
    // What `sq` submitted completed once; what it only handed out never ran.
    assert_eq!(got, [30, 31, 32]);
}

fn submitter_submits_what_was_flushed_and_registers() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let direct = ring.register_raw_errno_probe();
    let (flags, features) = (ring.flags(), ring.features());
    let (mut sq, mut cq, submitter) = ring.split();
    for i in 0..2 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), i);
    }
    // Not flushed yet: the submitter sees nothing to submit.
    assert_eq!(submitter.submit().unwrap(), 0);
    assert_eq!(cq.cq_ready(), 0);
    assert_eq!(sq.flush(), 2);
    assert_eq!(submitter.submit_and_wait(2).unwrap(), 2);
    assert_eq!(cq.for_each_cqe(|_| {}), 2);
    assert_eq!(submitter.get_events().unwrap(), 0);
    // register reaches this ring: the same answer as through the Ring.
    // SAFETY: UNREGISTER_FILES reads no argument.
    let e = unsafe { submitter.register_raw(IORING_UNREGISTER_FILES, std::ptr::null(), 0) };
    assert_eq!(e, direct);
    assert_eq!(e, Err(Errno::ENXIO));
    assert_eq!((submitter.flags(), submitter.features()), (flags, features));
}

/// `register_raw(IORING_UNREGISTER_FILES)` on a ring without files.
trait Probe {
    fn register_raw_errno_probe(&self) -> Result<u32, Errno>;
}

impl Probe for Ring {
    fn register_raw_errno_probe(&self) -> Result<u32, Errno> {
        // SAFETY: UNREGISTER_FILES reads no argument.
        unsafe { self.register_raw(IORING_UNREGISTER_FILES, std::ptr::null(), 0) }
    }
}

fn timed_wait_on_the_completion_side() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let (_sq, mut cq, _s) = ring.split();
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    assert_eq!(cq.wait_cqe_timeout(Some(&ts)).unwrap_err(), Errno::ETIME);
    assert_eq!(cq.wait_cqes(1, Some(&ts), None).unwrap_err(), Errno::ETIME);
}

/// Skips the test unless NOPs on `ring` (an IORING_SETUP_CQE32 ring)
/// honour IORING_NOP_CQE32 (6.18+: they copy `off` and `addr` into the big
/// CQE), from the kernel's answers: kernels that check NOP flags fail a NOP
/// with an unknown flag with EINVAL, so one that completes a NOP with an
/// undefined flag (bit 31) ignores NOP flags altogether (6.1 does: its
/// NOPs post zeros); one that checks them answers for IORING_NOP_CQE32 in
/// the NOP's own CQE.
fn require_nop_cqe32(ring: &mut Ring) {
    let why = "IORING_NOP_CQE32 needs Linux 6.18+";
    let undefined = common::submit_one(ring, 90, |sqe| {
        nop(sqe, 0);
        sqe.set_nop_flags(1 << 31);
    });
    if undefined.res == 0 {
        common::skip!(
            "{why} (this kernel's NOP ignores its flags: an undefined one completes with 0)"
        );
    }
    assert_eq!(
        undefined.res,
        -Errno::EINVAL.0,
        "a NOP with an undefined flag"
    );
    let c = common::submit_one(ring, 91, |sqe| {
        nop(sqe, 0);
        sqe.set_nop_flags(IORING_NOP_CQE32);
    });
    common::skip_on_res(c.res, &[Errno::EINVAL], &format!("{why} (its CQE)"));
}

/// 32-byte CQEs with content (NOPs with IORING_NOP_CQE32) through the
/// completion side's `*32` readers.
fn big_cqes_through_the_completion_side() {
    let mut ring = common::setup_or_skip(4, IORING_SETUP_CQE32, "IORING_SETUP_CQE32", "5.19");
    require_nop_cqe32(&mut ring);
    let (mut sq, mut cq, _s) = ring.split();
    for i in 0..3u64 {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { sq.get_sqe() }.unwrap();
        nop(sqe, i);
        sqe.set_nop_flags(IORING_NOP_CQE32);
        sqe.set_off(0x100 + i);
        sqe.set_addr(0x200 + i);
    }
    sq.submit_and_wait(3).unwrap();
    let c = cq.wait_cqe32().unwrap();
    assert_eq!(c.big_cqe(), &[0x100, 0x200]);
    assert_eq!(cq.cqe_nr(&c), 1);
    cq.cqe_seen(&c);
    let c = cq.peek_cqe32().unwrap();
    assert_eq!((c.user_data, *c.big_cqe()), (1, [0x101, 0x201]));
    let mut got = Vec::new();
    for c in cq.cqes32() {
        got.push((c.user_data, *c.big_cqe()));
    }
    assert_eq!(got, [(1, [0x101, 0x201]), (2, [0x102, 0x202])]);
}

/// The same walk over 32-byte CQEs of plain NOPs (no big CQE content, so
/// no IORING_NOP_CQE32): the completion side steps 32 bytes per entry and
/// counts one entry per CQE.
fn cqe32_ring_through_the_completion_side() {
    let mut ring = common::setup_or_skip(4, IORING_SETUP_CQE32, "IORING_SETUP_CQE32", "5.19");
    let (mut sq, mut cq, _s) = ring.split();
    for i in 0..3u64 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), 40 + i);
    }
    sq.submit_and_wait(3).unwrap();
    let c = cq.wait_cqe32().unwrap();
    assert_eq!((c.user_data, c.res), (40, 0));
    assert_eq!(cq.cqe_nr(&c), 1);
    cq.cqe_seen(&c);
    let c = cq.peek_cqe32().unwrap();
    assert_eq!((c.user_data, c.res), (41, 0));
    let mut got = Vec::new();
    for c in cq.cqes32() {
        got.push((c.user_data, c.res));
    }
    assert_eq!(got, [(41, 0), (42, 0)]);
    assert_eq!(cq.cq_ready(), 0);
}

fn get_sqe_leaves_what_prep_writes_and_clears_the_rest() {
    // A slot reused after a request: the fields liburing's get_sqe
    // initialises are 0 again, the others still hold the old request's
    // bytes until a prep helper writes them.
    let mut ring = Ring::queue_init(1, 0).unwrap();
    let (mut sq, mut cq, _s) = ring.split();
    // SAFETY: a NOP points to no memory; the fields set below are flags
    // the kernel checks (it rejects unknown ones) and a personality of 0.
    let sqe = unsafe { sq.get_sqe() }.unwrap();
    nop(sqe, 7);
    sqe.set_buf_index(3);
    sqe.set_addr3(9);
    sq.submit_and_wait(1).unwrap();
    let c = cq.wait_cqe().unwrap();
    cq.cqe_seen(&c);
    // SAFETY: only read here, never submitted.
    let sqe = unsafe { sq.get_sqe() }.unwrap();
    assert_eq!(sqe.opcode, IORING_OP_NOP as u8);
    assert_eq!(
        sqe.user_data, 7,
        "user_data is the prep's (or caller's) to write"
    );
    assert_eq!((sqe.buf_index(), sqe.addr3(), sqe.flags), (0, 0, 0));
}

common::harness::main! {
    event_loop_queues_while_reaping,
    counters_and_a_full_sq,
    the_ring_continues_where_the_handles_left_off,
    a_forgotten_submission_queue_leaves_the_sq_closed,
    submitter_submits_what_was_flushed_and_registers,
    timed_wait_on_the_completion_side,
    big_cqes_through_the_completion_side,
    cqe32_ring_through_the_completion_side,
    get_sqe_leaves_what_prep_writes_and_clears_the_rest,
}
