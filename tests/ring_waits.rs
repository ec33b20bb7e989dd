//! Completion side against the live kernel: CQ overflow with NODROP,
//! timeouts (EXT_ARG), sigmask waits, min-timeout waits.
//!
//! DEFER_TASKRUN (6.1) and min-timeout waits (IORING_FEAT_MIN_TIMEOUT,
//! 6.12) are skipped where the kernel lacks them (setup EINVAL, feature
//! bit); timed waits need IORING_FEAT_EXT_ARG (5.11, which Debian's 5.10
//! has).

use bare_uring::sys::*;
use bare_uring::{Errno, Ring};

mod common;
use common::nop;

/// Skips the test unless `ring` takes timed waits (IORING_FEAT_EXT_ARG,
/// 5.11+: without it the library answers EOPNOTSUPP).
fn require_ext_arg(ring: &Ring) {
    common::require_feature(
        ring.features(),
        IORING_FEAT_EXT_ARG,
        "IORING_FEAT_EXT_ARG",
        "5.11",
    );
}

fn ms(n: i64) -> __kernel_timespec {
    __kernel_timespec {
        tv_sec: 0,
        tv_nsec: n * 1_000_000,
    }
}

/// Submits `total` NOPs (user_data 0..total), as many per submit as the SQ
/// holds, without reaping.
fn submit_nops(ring: &mut Ring, total: u64) {
    let mut next = 0u64;
    while next < total {
        // SAFETY: a NOP points to no memory.
        while let Some(sqe) = unsafe { ring.get_sqe() } {
            nop(sqe, next);
            next += 1;
            if next == total {
                break;
            }
        }
        ring.submit().unwrap();
    }
}

/// Submits 2x the CQ size of NOPs without reaping, then reaps everything
/// with `reap`, checking every user_data arrives exactly once.
fn overflow_case(flags: u32, reap: fn(&mut Ring, &mut Vec<u64>)) {
    let mut ring = Ring::queue_init(8, flags).unwrap();
    assert_ne!(ring.features() & IORING_FEAT_NODROP, 0);
    let total = 2 * ring.cq_entries() as u64; // 32
    submit_nops(&mut ring, total);
    // DEFER_TASKRUN rings post only when we enter to run task work.
    let _ = ring.get_events();
    assert_eq!(ring.cq_ready(), ring.cq_entries(), "CQ full");
    assert!(ring.cq_has_overflow(), "the rest waits in the backlog");
    let mut seen = Vec::new();
    reap(&mut ring, &mut seen);
    seen.sort();
    assert_eq!(seen, (0..total).collect::<Vec<_>>());
    assert!(!ring.cq_has_overflow());
    assert_eq!(ring.cq_overflow(), 0, "NODROP lost nothing");
}

fn reap_with_peek(ring: &mut Ring, seen: &mut Vec<u64>) {
    // peek_cqe enters by itself when the kernel flags the backlog.
    while let Ok(c) = ring.peek_cqe() {
        seen.push(c.user_data);
        ring.cqe_seen(&c);
    }
}

fn reap_with_batches(ring: &mut Ring, seen: &mut Vec<u64>) {
    let mut buf: [bare_uring::cq::Cqe; 5] = Default::default();
    loop {
        let n = ring.peek_batch_cqe(&mut buf);
        if n == 0 {
            break;
        }
        seen.extend(buf[..n].iter().map(|c| c.user_data));
        ring.cq_advance(n as u32);
    }
}

fn cq_overflow_nodrop_loses_nothing_peek() {
    overflow_case(0, reap_with_peek);
}

fn cq_overflow_nodrop_loses_nothing_batch() {
    overflow_case(0, reap_with_batches);
}

fn cq_overflow_nodrop_defer_taskrun() {
    drop(common::setup_or_skip(
        8,
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    ));
    overflow_case(
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        reap_with_peek,
    );
}

/// `submit()` with nothing queued still enters when the kernel flags a
/// CQ backlog (IORING_SQ_CQ_OVERFLOW), to flush it into the CQ, as
/// liburing's `io_uring_submit` (`cq_ring_needs_flush`); with nothing
/// flagged it does not enter, and returns 0 either way.
fn submit_with_nothing_queued_flushes_the_backlog() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    assert_ne!(ring.features() & IORING_FEAT_NODROP, 0);
    let total = 2 * u64::from(ring.cq_entries());
    submit_nops(&mut ring, total);
    assert!(ring.cq_has_overflow(), "the rest waits in the backlog");
    // Reap what the CQ holds without entering.
    let mut seen: Vec<u64> = ring.cqes().map(|c| c.user_data).collect();
    assert_eq!(seen.len() as u32, ring.cq_entries());
    assert_eq!(ring.cq_ready(), 0);
    assert!(ring.cq_has_overflow(), "a reap does not flush the backlog");
    // Nothing to submit: the enter flushes the backlog into the CQ.
    assert_eq!(ring.submit(), Ok(0));
    assert!(ring.cq_ready() > 0, "submit() flushed the backlog");
    // Bounded: each round takes at least one CQE (asserted above for the
    // first).
    for _ in 0..total {
        if !ring.cq_has_overflow() && ring.cq_ready() == 0 {
            break;
        }
        seen.extend(ring.cqes().map(|c| c.user_data));
        assert_eq!(ring.submit(), Ok(0));
    }
    seen.sort();
    assert_eq!(seen, (0..total).collect::<Vec<_>>());
    // Nothing flagged, nothing queued: no enter, 0.
    assert_eq!(ring.submit(), Ok(0));
}

fn wait_timeout_gives_etime() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    require_ext_arg(&ring);
    assert_eq!(
        ring.wait_cqe_timeout(Some(&ms(5))).unwrap_err(),
        Errno::ETIME
    );
    assert_eq!(
        ring.wait_cqes(3, Some(&ms(5)), None).unwrap_err(),
        Errno::ETIME
    );
    // A CQE that is already there comes back without waiting.
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 8);
    ring.submit().unwrap();
    let c = ring.wait_cqe_timeout(Some(&ms(1000))).unwrap();
    assert_eq!(c.user_data, 8);
    ring.cqe_seen(&c);
}

fn submit_and_wait_timeout_submits() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    require_ext_arg(&ring);
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 1);
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 2);
    let c = ring
        .submit_and_wait_timeout(2, Some(&ms(1000)), None)
        .unwrap();
    assert!(c.user_data == 1 || c.user_data == 2);
    assert_eq!(ring.cq_ready(), 2);
    ring.cq_advance(2);
    // Nothing more will come: the SQEs were submitted, the wait times out.
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 3);
    let c = ring.submit_and_wait_timeout(2, Some(&ms(5)), None);
    match c {
        Ok(c) => assert_eq!(c.user_data, 3),
        Err(e) => assert_eq!(e, Errno::ETIME),
    }
    assert_eq!(ring.sq_ready(), 0, "the SQE was submitted");
}

fn wait_with_sigmask() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    require_ext_arg(&ring);
    // Block SIGUSR1 (10) while waiting; with and without a timeout.
    let mask = kernel_sigset_t {
        sig: [1 << (10 - 1)],
    };
    assert_eq!(
        ring.wait_cqes(1, Some(&ms(2)), Some(&mask)).unwrap_err(),
        Errno::ETIME
    );
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 4);
    ring.submit().unwrap();
    let c = ring.wait_cqes(1, None, Some(&mask)).unwrap();
    assert_eq!(c.user_data, 4);
}

fn min_timeout_wait_returns_what_is_ready() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_MIN_TIMEOUT,
        "IORING_FEAT_MIN_TIMEOUT",
        "6.12",
    );
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 6);
    // Ask for 3 with a 10 s cap, but after 1 ms take what is there.
    let ts = __kernel_timespec {
        tv_sec: 10,
        tv_nsec: 0,
    };
    let c = ring
        .submit_and_wait_min_timeout(3, Some(&ts), 1000, None)
        .unwrap();
    assert_eq!(c.user_data, 6);
    ring.cqe_seen(&c);
    assert_eq!(
        ring.wait_cqes_min_timeout(2, Some(&ms(5)), 1000, None)
            .unwrap_err(),
        Errno::ETIME
    );
}

common::harness::main! {
    cq_overflow_nodrop_loses_nothing_peek,
    cq_overflow_nodrop_loses_nothing_batch,
    cq_overflow_nodrop_defer_taskrun,
    submit_with_nothing_queued_flushes_the_backlog,
    wait_timeout_gives_etime,
    submit_and_wait_timeout_submits,
    wait_with_sigmask,
    min_timeout_wait_returns_what_is_ready,
}
