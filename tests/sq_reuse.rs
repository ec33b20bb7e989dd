//! SQ slots reused while an SQPOLL kernel thread consumes them (handed out
//! by `get_sqe`, `SqeBatch::get_sqe` and `SqeBatch::get_sqes`), against the
//! live kernel. The submitter learns which slots are free from the kernel's
//! SQ head (`SqRing::head`, an acquire load made of a Relaxed load and a
//! barrier); a slot written before the kernel finished reading it (that
//! ordering broken, by the compiler or the CPU) makes the kernel run the
//! newer request twice and the older one never. So every request here
//! carries its own number, and each number must come back exactly once.

use bare_uring::ring::Params;
use bare_uring::sys::{__kernel_timespec, IORING_SETUP_SQPOLL};
use bare_uring::Ring;
use std::time::{Duration, Instant};

mod common;
use common::nop;

/// A small SQ, so the submitter laps the SQPOLL thread many times.
const ENTRIES: u32 = 8;
/// Requests per run (divided by `URING_TEST_SCALE`).
const N: u64 = 20_000;
/// How long without any request coming back counts as a hang (a liveness
/// guard, not a speed check: a working ring answers in microseconds).
const STALL: Duration = Duration::from_secs(10);

/// How the submitter gets its SQEs.
#[derive(Clone, Copy, Debug)]
enum Way {
    /// `Ring::get_sqe`, one per SQE.
    GetSqe,
    /// `SqeBatch::get_sqe`, one per SQE.
    Batch,
    /// `SqeBatch::get_sqes`, `CHUNK` at a time (so reservations cross
    /// the SQE array's end).
    Reserve,
}

/// SQEs per `get_sqes` reservation.
const CHUNK: u64 = 3;

/// Fills every free SQ slot (see [`Way`]), publishes, reaps what
/// completed, until `N` (scaled) requests came back; every user_data
/// exactly once, every result 0.
fn lap_the_sqpoll_thread(way: Way) {
    // The thread stays awake for 1 s without work; the CQ has room for
    // far more CQEs than can be in flight between two reaps.
    let mut p = Params::new().sqpoll(1000).cq_size(4096);
    let mut ring = Ring::queue_init_params(ENTRIES, &mut p).unwrap();
    assert_ne!(ring.flags() & IORING_SETUP_SQPOLL, 0);
    let n = common::scale(N);
    let mut seen = vec![false; n as usize];
    let (mut next, mut got, mut full) = (0u64, 0u64, 0u64);
    let mut last = Instant::now();
    let mut check = |ring: &mut Ring, c: &bare_uring::cq::Cqe| {
        assert_eq!(c.res, 0, "request {}", c.user_data);
        let s = &mut seen[c.user_data as usize];
        assert!(
            !*s,
            "request {} ran twice: its slot was reused early",
            c.user_data
        );
        *s = true;
        ring.cqe_seen(c);
    };
    while got < n {
        match way {
            Way::Batch => {
                let mut sq = ring.sq_batch();
                while next < n {
                    // SAFETY: a NOP points to no memory.
                    let Some(sqe) = (unsafe { sq.get_sqe() }) else {
                        full += 1;
                        break;
                    };
                    nop(sqe, next);
                    next += 1;
                }
            }
            Way::Reserve => {
                let mut sq = ring.sq_batch();
                while next < n {
                    let k = (n - next).min(CHUNK) as u32;
                    // SAFETY: NOPs point to no memory.
                    let Some(sqes) = (unsafe { sq.get_sqes(k) }) else {
                        full += 1;
                        break;
                    };
                    assert_eq!(sqes.len(), k as usize);
                    for sqe in sqes {
                        nop(sqe, next);
                        next += 1;
                    }
                }
            }
            Way::GetSqe => {
                while next < n {
                    // SAFETY: a NOP points to no memory.
                    let Some(sqe) = (unsafe { ring.get_sqe() }) else {
                        full += 1;
                        break;
                    };
                    nop(sqe, next);
                    next += 1;
                }
            }
        }
        ring.submit().unwrap();
        if next < n {
            // Full: try again soon (the thread frees slots a few at a time:
            // the most reuse right behind the head). A broken ring may stop
            // freeing any: fail then instead of spinning for ever.
            assert!(
                last.elapsed() < STALL,
                "no request came back for {STALL:?}: {got} of {n} back, {next} handed out, \
                 {} dropped",
                ring.sq_dropped()
            );
            std::thread::yield_now();
        } else {
            // All handed out: wait for the rest (a lost request fails
            // here instead of hanging).
            let ts = __kernel_timespec {
                tv_sec: STALL.as_secs() as i64,
                tv_nsec: 0,
            };
            let c = ring
                .wait_cqe_timeout(Some(&ts))
                .unwrap_or_else(|e| panic!("{got} of {n} requests came back: {e:?}"));
            check(&mut ring, &c);
            got += 1;
            last = Instant::now();
        }
        while let Ok(c) = ring.peek_cqe() {
            check(&mut ring, &c);
            got += 1;
            last = Instant::now();
        }
    }
    assert!(seen.iter().all(|&s| s));
    assert_eq!(ring.sq_dropped(), 0);
    println!(
        "{way:?}: {n} NOPs through a {ENTRIES}-slot SQ with SQPOLL: the SQ was full {full} times"
    );
    // The SQ must have filled up, or no slot was reused behind the head.
    assert!(full > 0, "the SQ never filled up");
}

fn get_sqe_reuses_slots_only_after_the_kernel_read_them() {
    lap_the_sqpoll_thread(Way::GetSqe);
}

fn sq_batch_reuses_slots_only_after_the_kernel_read_them() {
    lap_the_sqpoll_thread(Way::Batch);
}

fn get_sqes_reuses_slots_only_after_the_kernel_read_them() {
    lap_the_sqpoll_thread(Way::Reserve);
}

common::harness::main! {
    get_sqe_reuses_slots_only_after_the_kernel_read_them,
    sq_batch_reuses_slots_only_after_the_kernel_read_them,
    get_sqes_reuses_slots_only_after_the_kernel_read_them,
}
