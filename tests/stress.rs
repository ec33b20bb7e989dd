//! Stress runs (ignored by default; `.ci/stress.sh` runs them bounded, in
//! release mode, one at a time): CQ overflow under msg_ring load, ring
//! create/destroy cycles against fd/mapping/RSS baselines, and signal
//! storms against every wait function. Each prints one `stress:` line with
//! its figures (docs/RELIABILITY.md). Sizes come from environment
//! variables (defaults in brackets):
//!
//! - `URING_STRESS_MESSAGES` [1000000]: msg_ring messages per run.
//! - `URING_STRESS_CYCLES` [10000]: create/destroy cycles.
//! - `URING_STRESS_SIGNAL_ROUNDS` [300]: waits per wait function and ring.
//!
//! On older kernels what they lack is left out, from the kernel's own
//! answers (probe, setup EINVAL, feature bits), and named: msg_ring runs
//! skip without IORING_OP_MSG_RING (5.18) or DEFER_TASKRUN (6.1); the
//! cycles and storms run the ring kinds and waits this kernel has and
//! print the ones they left out.
#![allow(unused_unsafe)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bare_uring::cq::Cqe;
use bare_uring::ring::Params;
use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

mod common;
use common::nop;
#[path = "common/signals.rs"]
mod signals;
use signals::{signals_seen, Signaller};
// Links the C helpers (tests/c/signals.c) built into the root package.
use uring as _;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
        // The defaults shrink under URING_TEST_SCALE; a value set is kept.
        Err(_) => common::scale(default),
    }
}

fn flags_name(flags: u32) -> &'static str {
    match flags {
        0 => "default",
        f if f & IORING_SETUP_DEFER_TASKRUN != 0 => "DEFER_TASKRUN",
        f if f & IORING_SETUP_SQPOLL != 0 => "SQPOLL",
        _ => "other",
    }
}

// ---------------------------------------------------------------------
// msg_ring into an 8-entry CQ

const SENDERS: u64 = 2;
const SEQ_BITS: u32 = 40;

/// One sender: its own ring, `count` messages tagged `id << 40 | seq` to
/// `target`. A message whose own CQE reports an error was not delivered
/// and is sent again (counted in the return value).
fn sender(target: i32, id: u64, count: u64) -> u64 {
    let mut ring = Ring::queue_init(64, 0).unwrap();
    let mut next = 0u64;
    let mut retry: Vec<u64> = Vec::new();
    let mut in_flight = 0u64;
    let mut resent = 0u64;
    while next < count || !retry.is_empty() || in_flight > 0 {
        loop {
            let tag = match retry.last() {
                Some(&t) => t,
                None if next < count => (id << SEQ_BITS) | next,
                None => break,
            };
            // SAFETY: written at once by msg_ring.
            let Some(sqe) = (unsafe { ring.get_sqe() }) else {
                break;
            };
            prep::msg_ring(sqe, target, 0, tag, 0);
            sqe.user_data = tag;
            if retry.pop().is_none() {
                next += 1;
            }
            in_flight += 1;
        }
        match ring.submit_and_wait(1) {
            Ok(_) | Err(Errno::EINTR) | Err(Errno::EBUSY) | Err(Errno::EAGAIN) => {}
            Err(e) => panic!("sender {id}: submit: {e:?}"),
        }
        let mut failed = Vec::new();
        in_flight -= u64::from(ring.for_each_cqe(|c| {
            if c.res < 0 {
                failed.push(c.user_data);
            }
        }));
        resent += failed.len() as u64;
        retry.extend(failed);
    }
    resent
}

fn msg_ring_overflow(flags: u32) {
    let _g = serial();
    common::require_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING", "5.18");
    if flags != 0 {
        drop(common::setup_or_skip(
            4,
            flags,
            "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
            "6.1",
        ));
    }
    let total = env_u64("URING_STRESS_MESSAGES", 1_000_000);
    let per = total / SENDERS;
    let total = per * SENDERS;
    let mut rx =
        Ring::queue_init_params(4, &mut Params::new().with_flags(flags).cq_size(8)).unwrap();
    assert_eq!(rx.cq_entries(), 8);
    assert_ne!(rx.features() & IORING_FEAT_NODROP, 0);
    let fd = rx.ring_fd();
    let start = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..SENDERS)
        .map(|id| {
            let done = done.clone();
            std::thread::spawn(move || {
                let r = sender(fd, id, per);
                // Release: pairs with the receiver's acquire load; nothing
                // else rides on it (the count comes back through join).
                done.fetch_add(1, Ordering::Release);
                r
            })
        })
        .collect();
    let mut seen = vec![0u8; total as usize];
    let mut got = 0u64;
    let mut overflow_flagged = 0u64;
    let mut idle_waits = 0;
    while got < total {
        if rx.cq_has_overflow() {
            overflow_flagged += 1;
        }
        got += u64::from(rx.for_each_cqe(|c| {
            let (id, seq) = (c.user_data >> SEQ_BITS, c.user_data & ((1 << SEQ_BITS) - 1));
            let i = (id * per + seq) as usize;
            if id < SENDERS && seq < per {
                seen[i] = seen[i].saturating_add(1);
            } else {
                panic!("unknown message {:#x}", c.user_data);
            }
        }));
        if got == total {
            break;
        }
        let ts = __kernel_timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        match rx.wait_cqe_timeout(Some(&ts)) {
            Ok(_) | Err(Errno::EINTR) => idle_waits = 0,
            Err(Errno::ETIME) => {
                // Acquire: see the senders' release.
                if done.load(Ordering::Acquire) == SENDERS as usize {
                    idle_waits += 1;
                    if idle_waits >= 10 {
                        break; // all sent, nothing more for 10 s: lost
                    }
                }
            }
            Err(e) => panic!("receiver wait: {e:?}"),
        }
    }
    let resent: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let secs = start.elapsed().as_secs_f64();
    let lost = seen.iter().filter(|&&n| n == 0).count();
    let duplicated = seen.iter().filter(|&&n| n > 1).count();
    println!(
        "stress: msg_ring {}: messages {total}, received {got}, lost {lost}, duplicated {duplicated}, \
         dropped by kernel {}, overflow flagged on {overflow_flagged} polls, resent {resent}, \
         {secs:.2} s ({:.0} msg/s)",
        flags_name(flags),
        rx.cq_overflow(),
        total as f64 / secs
    );
    assert_eq!((lost, duplicated), (0, 0));
    assert_eq!(got, total);
    assert_eq!(rx.cq_overflow(), 0, "NODROP: nothing dropped");
}

fn stress_msg_ring_overflow_default() {
    msg_ring_overflow(0);
}

fn stress_msg_ring_overflow_defer_taskrun() {
    msg_ring_overflow(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

// ---------------------------------------------------------------------
// create/destroy cycles

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn map_count() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count()
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn nop_round_trip(ring: &mut Ring) {
    assert_eq!(common::submit_one(ring, 1, |s| nop(s, 0)).res, 0);
}

/// One ring life of kind `k`: set up, use, tear down.
fn cycle(k: usize) {
    match k {
        0 => nop_round_trip(&mut Ring::queue_init(8, 0).unwrap()),
        1 => nop_round_trip(&mut Ring::queue_init(8, IORING_SETUP_NO_MMAP).unwrap()),
        2 => nop_round_trip(
            &mut Ring::queue_init(8, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)
                .unwrap(),
        ),
        3 => nop_round_trip(
            &mut Ring::queue_init(8, IORING_SETUP_SQE128 | IORING_SETUP_CQE32).unwrap(),
        ),
        4 => nop_round_trip(
            &mut Ring::queue_init(8, IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY)
                .unwrap(),
        ),
        5 => {
            let mut ring = Ring::queue_init(8, 0).unwrap();
            ring.register_ring_fd().unwrap();
            ring.close_ring_fd().unwrap();
            nop_round_trip(&mut ring);
        }
        6 => {
            let ring = Ring::queue_init(8, 0).unwrap();
            for (bgid, flags) in [(1, 0), (2, IOU_PBUF_RING_MMAP)] {
                let br = ring.setup_buf_ring(16, bgid, flags).unwrap();
                // SAFETY: from setup_buf_ring on this ring; never used.
                unsafe { ring.free_buf_ring(br, 16, bgid) }.unwrap();
            }
        }
        _ => {
            nop_round_trip(&mut Ring::queue_init_params(8, &mut Params::new().sqpoll(10)).unwrap())
        }
    }
}

const KINDS: usize = 8;

/// Whether setting up a ring with `flags` works here (`false` on the
/// kernel's EINVAL for a flag it does not know).
fn setup_works(flags: u32) -> bool {
    match Ring::queue_init(8, flags) {
        Ok(_) => true,
        Err(Errno::EINVAL) => false,
        Err(e) => panic!("io_uring_setup with flags {flags:#x}: {e:?}"),
    }
}

/// `None` when this kernel has what cycle kind `k` needs, else what it
/// lacks (decided by its own answers).
fn kind_missing(k: usize) -> Option<&'static str> {
    let missing = match k {
        1 => !setup_works(IORING_SETUP_NO_MMAP),
        2 => !setup_works(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
        3 => !setup_works(IORING_SETUP_SQE128 | IORING_SETUP_CQE32),
        4 => !setup_works(IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY),
        5 => Ring::queue_init(2, 0).unwrap().features() & IORING_FEAT_REG_REG_RING == 0,
        6 => {
            let ring = Ring::queue_init(2, 0).unwrap();
            match ring.setup_buf_ring(16, 1, IOU_PBUF_RING_MMAP) {
                Ok(br) => {
                    // SAFETY: from setup_buf_ring on this ring; never used.
                    unsafe { ring.free_buf_ring(br, 16, 1) }.unwrap();
                    false
                }
                Err(Errno::EINVAL) => true,
                Err(e) => panic!("setup_buf_ring: {e:?}"),
            }
        }
        _ => false,
    };
    missing.then_some(match k {
        1 => "IORING_SETUP_NO_MMAP (6.5)",
        2 => "IORING_SETUP_DEFER_TASKRUN (6.1)",
        3 => "IORING_SETUP_SQE128 | IORING_SETUP_CQE32 (5.19)",
        4 => "IORING_SETUP_REGISTERED_FD_ONLY (6.5)",
        5 => "IORING_FEAT_REG_REG_RING (6.3)",
        _ => "IOU_PBUF_RING_MMAP (6.4)",
    })
}

fn stress_create_destroy_cycles() {
    let _g = serial();
    let cycles = env_u64("URING_STRESS_CYCLES", 10_000);
    let mut kinds = Vec::new();
    for k in 0..KINDS {
        match kind_missing(k) {
            None => kinds.push(k),
            Some(what) => println!("stress: create/destroy: kind {k} left out: needs {what}"),
        }
    }
    let n = kinds.len();
    // Warm up: allocator pools, lazily loaded pages, first-use maps.
    for i in 0..(n * 20) {
        cycle(kinds[i % n]);
    }
    let (fds0, maps0, rss0) = (fd_count(), map_count(), rss_kib());
    let start = Instant::now();
    for i in 0..cycles as usize {
        cycle(kinds[i % n]);
    }
    let secs = start.elapsed().as_secs_f64();
    let (fds1, maps1, rss1) = (fd_count(), map_count(), rss_kib());
    println!(
        "stress: create/destroy: {cycles} cycles over {n} of {KINDS} kinds in {secs:.2} s; \
         fds {fds0} -> {fds1}, maps {maps0} -> {maps1}, RSS {rss0} -> {rss1} KiB"
    );
    assert_eq!(fds1, fds0, "fd leak");
    assert_eq!(maps1, maps0, "mapping leak");
    // One leaked ring is at least 8 KiB of mappings or memory: 10,000
    // cycles would add tens of MiB. 2 MiB is allocator noise.
    assert!(rss1 <= rss0 + 2048, "RSS grew {rss0} -> {rss1} KiB");
}

// ---------------------------------------------------------------------
// signal storms against every wait

#[derive(Clone, Copy, Debug)]
enum WaitFn {
    WaitCqe,
    WaitCqeNr,
    WaitCqes,
    WaitCqesSigmask,
    WaitCqeTimeout,
    WaitCqesMinTimeout,
    SubmitAndWait,
    SubmitAndWaitTimeout,
    SubmitAndWaitMinTimeout,
}

const WAITS: [WaitFn; 9] = [
    WaitFn::WaitCqe,
    WaitFn::WaitCqeNr,
    WaitFn::WaitCqes,
    WaitFn::WaitCqesSigmask,
    WaitFn::WaitCqeTimeout,
    WaitFn::WaitCqesMinTimeout,
    WaitFn::SubmitAndWait,
    WaitFn::SubmitAndWaitTimeout,
    WaitFn::SubmitAndWaitMinTimeout,
];

/// One call of `w`: `Ok(Some(cqe))`, `Ok(None)` (submit_and_wait returned
/// without a CQE), or the error.
fn wait_once(ring: &mut Ring, w: WaitFn) -> Result<Option<Cqe>, Errno> {
    let long = __kernel_timespec {
        tv_sec: 5,
        tv_nsec: 0,
    };
    let empty = kernel_sigset_t { sig: [0] };
    let c = match w {
        WaitFn::WaitCqe => ring.wait_cqe(),
        WaitFn::WaitCqeNr => ring.wait_cqe_nr(1),
        WaitFn::WaitCqes => ring.wait_cqes(1, Some(&long), None),
        WaitFn::WaitCqesSigmask => ring.wait_cqes(1, None, Some(&empty)),
        WaitFn::WaitCqeTimeout => ring.wait_cqe_timeout(Some(&long)),
        WaitFn::WaitCqesMinTimeout => ring.wait_cqes_min_timeout(1, Some(&long), 100, None),
        WaitFn::SubmitAndWait => {
            ring.submit_and_wait(1)?;
            return Ok(ring.peek_cqe().ok());
        }
        WaitFn::SubmitAndWaitTimeout => ring.submit_and_wait_timeout(1, Some(&long), None),
        WaitFn::SubmitAndWaitMinTimeout => {
            ring.submit_and_wait_min_timeout(1, Some(&long), 100, None)
        }
    };
    c.map(Some)
}

fn submits_itself(w: WaitFn) -> bool {
    matches!(
        w,
        WaitFn::SubmitAndWait | WaitFn::SubmitAndWaitTimeout | WaitFn::SubmitAndWaitMinTimeout
    )
}

/// Rounds of: queue a 1 ms timeout, wait for its CQE with `w` while
/// SIGUSR1 arrives every 200 µs. Every call must give the CQE or EINTR
/// (never ETIME: the wait's own timeout is 5 s), and exactly one CQE per
/// round. Returns the EINTRs seen.
fn storm_one(ring: &mut Ring, w: WaitFn, rounds: u64) -> u64 {
    let ms = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    let mut eintr = 0;
    for round in 0..rounds {
        // SAFETY: written at once by prep; `ms` outlives the submission.
        let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
        // SAFETY: as above.
        unsafe { prep::timeout(sqe, &ms, 0, 0) };
        sqe.user_data = round;
        if !submits_itself(w) {
            loop {
                // With SQPOLL the count is what the thread has not taken yet.
                match ring.submit() {
                    Ok(_) => break,
                    Err(Errno::EINTR) => eintr += 1,
                    r => panic!("{w:?}: submit: {r:?}"),
                }
            }
        }
        let cqe = loop {
            match wait_once(ring, w) {
                Ok(Some(c)) => break c,
                Ok(None) => {}
                Err(Errno::EINTR) => eintr += 1,
                Err(e) => panic!("{w:?} round {round}: {e:?}"),
            }
        };
        assert_eq!(
            (cqe.user_data, cqe.res),
            (round, -Errno::ETIME.raw()),
            "{w:?}: the timeout's own CQE"
        );
        ring.cqe_seen(&cqe);
        assert_eq!(ring.cq_ready(), 0, "{w:?}: one CQE per round");
        assert_eq!(ring.sq_ready(), 0, "{w:?}: the SQE was submitted");
    }
    eintr
}

fn stress_signal_storm_every_wait() {
    let _g = serial();
    let rounds = env_u64("URING_STRESS_SIGNAL_ROUNDS", 300);
    let features = Ring::queue_init(2, 0).unwrap().features();
    common::require_feature(
        features,
        IORING_FEAT_EXT_ARG,
        "IORING_FEAT_EXT_ARG (timed waits)",
        "5.11",
    );
    // Min-timeout waits need IORING_FEAT_MIN_TIMEOUT (6.12).
    let waits: Vec<WaitFn> = WAITS
        .into_iter()
        .filter(|w| {
            let min = matches!(
                w,
                WaitFn::WaitCqesMinTimeout | WaitFn::SubmitAndWaitMinTimeout
            );
            let keep = !min || features & IORING_FEAT_MIN_TIMEOUT != 0;
            if !keep {
                println!(
                    "stress: signal storm: {w:?} left out: needs IORING_FEAT_MIN_TIMEOUT (6.12)"
                );
            }
            keep
        })
        .collect();
    for flags in [
        0,
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_SQPOLL,
    ] {
        let mut ring = match Ring::queue_init(8, flags) {
            Ok(r) => r,
            Err(Errno::EINVAL) if flags & IORING_SETUP_DEFER_TASKRUN != 0 => {
                println!(
                    "stress: signal storm: DEFER_TASKRUN left out: needs Linux 6.1 (setup EINVAL)"
                );
                continue;
            }
            Err(e) => panic!("setup {}: {e:?}", flags_name(flags)),
        };
        let seen0 = signals_seen();
        let start = Instant::now();
        let sig = Signaller::start(Duration::from_micros(200));
        let mut per = Vec::new();
        for &w in &waits {
            per.push((w, storm_one(&mut ring, w, rounds)));
        }
        let sent = sig.finish();
        let secs = start.elapsed().as_secs_f64();
        let eintr: u64 = per.iter().map(|p| p.1).sum();
        println!(
            "stress: signal storm {}: {} waits ({rounds} per function x {}), {sent} signals sent, \
             {} handled, {eintr} EINTR, every CQE checked, {secs:.2} s",
            flags_name(flags),
            rounds * waits.len() as u64,
            waits.len(),
            signals_seen() - seen0,
        );
        for (w, n) in per {
            println!("stress:   {w:?}: {n} EINTR");
        }
        assert!(sent > 0);
    }
}

common::harness::main! {
    #[ignore = "stress: run by .ci/stress.sh"]
    stress_msg_ring_overflow_default,
    #[ignore = "stress: run by .ci/stress.sh"]
    stress_msg_ring_overflow_defer_taskrun,
    #[ignore = "stress: run by .ci/stress.sh"]
    stress_create_destroy_cycles,
    #[ignore = "stress: run by .ci/stress.sh"]
    stress_signal_storm_every_wait,
}
