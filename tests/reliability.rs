//! Regression tests for what adversarial testing found (issue 11): signals
//! during timed waits, buffer-ring flag bits, padding CQEs over forged ring
//! memory, forged mmap offsets, IOPOLL|SQPOLL enters, NO_SQARRAY by
//! default, and a ring shared with a forked child.
//!
//! Every test takes `SERIAL`: several count this process's fds or send
//! signals, so none may overlap another.
#![allow(unused_unsafe)]

use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bare_uring::ring::Params;
use bare_uring::sys::*;
use bare_uring::{prep, syscall, Errno, Ring};

mod common;
use common::nop;
// Links the C helpers (tests/c/signals.c) built into the root package.
use uring as _;

#[path = "common/signals.rs"]
mod signals;
use signals::Signaller;

extern "C" {
    fn rel_fork() -> i32;
    fn rel_waitpid(pid: i32) -> i32;
}

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn secs(n: i64) -> __kernel_timespec {
    __kernel_timespec {
        tv_sec: n,
        tv_nsec: 0,
    }
}

/// Queues a 10 s timeout (an SQE to submit whose CQE will not come soon).
fn queue_long_timeout(ring: &mut Ring, ts: &__kernel_timespec) {
    // SAFETY: the SQE is written at once by prep; `ts` outlives the
    // submission (the kernel reads it while submitting).
    let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
    // SAFETY: as above.
    unsafe { prep::timeout(sqe, ts, 0, 0) };
    sqe.user_data = 0x7100;
}

/// D2: with SQEs to submit, a signal interrupting the timed wait must give
/// `EINTR`, not `ETIME` (the kernel returns the submitted count, not
/// -EINTR, when it submitted something in the same call).
fn submit_and_wait_timeout_interrupted(mut p: Params) {
    let _g = serial();
    let mut ring = Ring::queue_init_params(8, &mut p).unwrap();
    let long = secs(10);
    queue_long_timeout(&mut ring, &long);
    let sig = Signaller::start(Duration::from_millis(20));
    let r = ring.submit_and_wait_timeout(1, Some(&secs(5)), None);
    drop(sig);
    assert_eq!(r.map(|c| c.user_data), Err(Errno::EINTR));
    // The timeout was submitted all the same.
    assert_eq!(ring.sq_ready(), 0, "the SQE went to the kernel");
}

fn submit_and_wait_timeout_eintr_default() {
    submit_and_wait_timeout_interrupted(Params::new());
}

fn submit_and_wait_timeout_eintr_defer_taskrun() {
    drop(common::setup_or_skip(
        8,
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    ));
    submit_and_wait_timeout_interrupted(
        Params::new().with_flags(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
    );
}

fn submit_and_wait_timeout_eintr_coop_taskrun() {
    drop(common::setup_or_skip(
        8,
        IORING_SETUP_COOP_TASKRUN,
        "IORING_SETUP_COOP_TASKRUN",
        "5.19",
    ));
    submit_and_wait_timeout_interrupted(Params::new().with_flags(IORING_SETUP_COOP_TASKRUN));
}

fn submit_and_wait_timeout_eintr_sqpoll() {
    // 1 ms idle: the thread is likely asleep by the submit, so the wakeup
    // path (IORING_ENTER_SQ_WAKEUP) is exercised too.
    submit_and_wait_timeout_interrupted(Params::new().sqpoll(1));
}

/// The same with a signal mask instead of a timeout: the wait must not
/// swallow the signal and wait on.
fn submit_and_wait_sigmask_eintr() {
    let _g = serial();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let long = secs(10);
    queue_long_timeout(&mut ring, &long);
    let empty = kernel_sigset_t { sig: [0] };
    let sig = Signaller::start(Duration::from_millis(20));
    let r = ring.submit_and_wait_timeout(1, None, Some(&empty));
    drop(sig);
    assert_eq!(r.map(|c| c.user_data), Err(Errno::EINTR));
}

/// A timed wait that nothing interrupts still ends with `ETIME`, and the
/// SQE is submitted.
fn submit_and_wait_timeout_still_times_out() {
    let _g = serial();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let long = secs(10);
    queue_long_timeout(&mut ring, &long);
    let short = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 20_000_000,
    };
    let r = ring.submit_and_wait_timeout(1, Some(&short), None);
    assert_eq!(r.map(|c| c.user_data), Err(Errno::ETIME));
    assert_eq!(ring.sq_ready(), 0);
}

/// Found by the signal-storm stress run: the kernel ends a wait when an
/// IORING_OP_TIMEOUT fires, and with SQPOLL that request's CQE is posted a
/// little later by the SQ thread. A timed wait must not take that empty
/// return for its own expiry (ETIME after 1 ms of a 5 s wait). Signals
/// arrive all along; EINTR is retried.
fn timed_wait_is_not_ended_by_a_timeout_request_sqpoll() {
    let _g = serial();
    let mut ring = Ring::queue_init_params(8, &mut Params::new().sqpoll(1000)).unwrap();
    let ms = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    // Signals make the race likely: each EINTR starts a new wait, often
    // just before the 1 ms timeout fires.
    let sig = Signaller::start(Duration::from_micros(200));
    for round in 0..common::scale(1000u64) {
        // SAFETY: written at once by prep; `ms` outlives the submission.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        // SAFETY: as above.
        unsafe { prep::timeout(sqe, &ms, 0, 0) };
        sqe.user_data = round;
        ring.submit().unwrap();
        let c = loop {
            let t = Instant::now();
            match ring.wait_cqes(1, Some(&secs(5)), None) {
                Err(Errno::EINTR) => continue,
                // A wait that really lasted its 5 s may end in ETIME (an
                // emulated machine starved of CPU can lose that much); one
                // that ends early may not.
                Err(Errno::ETIME) if t.elapsed() >= Duration::from_millis(4990) => {
                    println!("round {round}: a full 5 s wait timed out (starved machine)");
                    continue;
                }
                r => break r,
            }
        };
        let c = c.unwrap_or_else(|e| panic!("round {round}: {e:?} before the 5 s passed"));
        assert_eq!((c.user_data, c.res), (round, -Errno::ETIME.raw()));
        ring.cqe_seen(&c);
    }
    drop(sig);
}

/// D3 (documented behaviour): `submit_and_wait(1)` whose wait a signal
/// interrupts returns `Ok(submitted)` with no CQE ready.
fn submit_and_wait_interrupted_returns_ok_without_cqe() {
    let _g = serial();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let long = secs(10);
    queue_long_timeout(&mut ring, &long);
    let sig = Signaller::start(Duration::from_millis(20));
    let r = ring.submit_and_wait(1);
    drop(sig);
    assert_eq!(r, Ok(1));
    assert_eq!(ring.cq_ready(), 0, "no CQE: the wait was interrupted");
}

/// D4: buffer-ring flags above 16 bits are refused, not truncated.
fn buf_ring_high_flag_bits_are_einval() {
    let _g = serial();
    let ring = Ring::queue_init(8, 0).unwrap();
    // The kernel must have buffer rings for the refusals below to mean
    // anything (before 5.19 it refuses every registration with EINVAL).
    let br = common::skip_on(
        ring.setup_buf_ring(8, 1, 0),
        &[Errno::EINVAL],
        "IORING_REGISTER_PBUF_RING needs Linux 5.19+ (io_uring_register)",
    );
    // SAFETY: from setup_buf_ring on this ring for group 1; unused.
    unsafe { ring.free_buf_ring(br, 8, 1) }.unwrap();
    for flags in [1u32 << 16, 0xdead_0000, IOU_PBUF_RING_MMAP | (1 << 31)] {
        assert_eq!(
            ring.setup_buf_ring(8, 1, flags).err(),
            Some(Errno::EINVAL),
            "flags {flags:#x}"
        );
    }
    let reg = io_uring_buf_reg {
        ring_entries: 8,
        bgid: 2,
        ..Default::default()
    };
    // SAFETY: with IOU_PBUF_RING_MMAP and ring_addr 0 the kernel would
    // allocate the ring; here the call must fail before reaching it.
    let r = unsafe { ring.register_buf_ring(&reg, IOU_PBUF_RING_MMAP | (1 << 20)) };
    assert_eq!(r, Err(Errno::EINVAL));
    // The valid flags still work, and nothing was registered above.
    let br = ring.setup_buf_ring(8, 1, 0).unwrap();
    // SAFETY: from setup_buf_ring on this ring for group 1; unused.
    unsafe { ring.free_buf_ring(br, 8, 1) }.unwrap();
}

/// A second, writable mapping of a ring's CQ ring (the kernel's pages, as
/// `queue_mmap` maps them), through which a test forges what the kernel
/// writes. Unmapped on drop.
struct CqView {
    base: *mut u8,
    len: usize,
}

impl CqView {
    /// Maps the CQ ring of the ring fd `fd` set up with `p`.
    fn new(fd: i32, p: &Params) -> CqView {
        let len =
            p.cq_off.cqes as usize + p.cq_entries as usize * std::mem::size_of::<io_uring_cqe>();
        // SAFETY: a fresh shared mapping of the ring fd's CQ ring, at an
        // address the kernel picks: it overlaps nothing of ours.
        let base = unsafe {
            syscall::mmap(
                std::ptr::null_mut(),
                len,
                syscall::PROT_RW,
                syscall::MAP_SHARED | syscall::MAP_POPULATE,
                fd,
                IORING_OFF_CQ_RING as u64,
            )
        }
        .expect("mmap of the CQ ring");
        CqView {
            base: base.cast(),
            len,
        }
    }

    /// The u32 at offset `off` of the CQ ring.
    fn at(&self, off: u32) -> *mut u32 {
        self.base.wrapping_add(off as usize).cast()
    }
}

impl Drop for CqView {
    fn drop(&mut self) {
        // SAFETY: mapped in `new` with this length; the pointers made from
        // it are not used after the view is dropped.
        unsafe { syscall::munmap(self.base.cast(), self.len) }.unwrap();
    }
}

/// D7: a CQ tail forged 2^31 ahead with padding CQEs in every slot: one
/// peek consumes at most one ring's worth of padding, then reports
/// nothing ready (it used to walk all 2^31 entries). The ring is an
/// ordinary mmapped one; the test forges the kernel's side through a
/// second mapping of the CQ ring.
fn peek_over_forged_padding_is_bounded() {
    let _g = serial();
    let mut p = Params::new();
    // SAFETY: p is a valid io_uring_params; no NO_MMAP.
    let fd = unsafe { syscall::io_uring_setup(8, &mut p.0) }.unwrap();
    let view = CqView::new(fd, &p);
    // SAFETY: a fresh io_uring fd with the parameters setup returned.
    let mut ring = unsafe { Ring::queue_mmap(fd, &p) }.unwrap();
    let (head_p, tail_p) = (view.at(p.cq_off.head), view.at(p.cq_off.tail));
    let cqes = view.at(p.cq_off.cqes).cast::<io_uring_cqe>();
    let entries = ring.cq_entries();
    for i in 0..entries as usize {
        // SAFETY: the CQE array holds cq_entries CQEs in the view; the
        // kernel has posted nothing, so nothing races with these writes.
        unsafe {
            (*cqes.add(i)).flags = IORING_CQE_F_SKIP;
            (*cqes.add(i)).user_data = 0xbad;
        }
    }
    // SAFETY: in the view; forging the kernel's tail is the point.
    let head = unsafe { head_p.read_volatile() };
    // SAFETY: as above.
    unsafe { tail_p.write_volatile(head.wrapping_add(1 << 31)) };
    assert_eq!(ring.cq_ready(), 1 << 31, "the view is the ring's CQ ring");
    assert_eq!(ring.peek_cqe().err(), Some(Errno::EAGAIN));
    // SAFETY: as above.
    let moved = unsafe { head_p.read_volatile() }.wrapping_sub(head);
    println!("one peek consumed {moved} padding slots of {entries}");
    assert!(moved <= entries, "peek walked {moved} slots");
    // SAFETY: as above: undo the forgery before the ring is used again.
    unsafe { tail_p.write_volatile(head_p.read_volatile()) };
    drop(ring);
    drop(view);
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Sets up a ring by hand (flags 0, so it has an SQ array and kernel
/// mmaps), lets `forge` change the parameters, then hands both to
/// `queue_mmap`.
fn queue_mmap_forged(forge: impl FnOnce(&mut Params)) -> Result<Ring, Errno> {
    queue_mmap_forged_n(8, forge)
}

/// As [`queue_mmap_forged`] for a ring of `entries` SQ entries.
fn queue_mmap_forged_n(entries: u32, forge: impl FnOnce(&mut Params)) -> Result<Ring, Errno> {
    let mut p = Params::new();
    // SAFETY: p is a valid io_uring_params; no NO_MMAP.
    let fd = unsafe { syscall::io_uring_setup(entries, &mut p.0) }.unwrap();
    forge(&mut p);
    // SAFETY: fd is a fresh io_uring fd owned by nobody else; `p` is what
    // setup returned except for the forged fields, which queue_mmap must
    // detect (that is the test).
    unsafe { Ring::queue_mmap(fd, &p) }
}

/// D8: offsets pointing past the kernel's ring (which is one page for 8
/// entries) give `EINVAL`, not a mapping whose tail SIGBUSes.
fn queue_mmap_rejects_offsets_past_the_rings() {
    let _g = serial();
    let before = open_fds();
    let r = queue_mmap_forged(|p| p.cq_off.cqes = 0x1000);
    assert_eq!(r.err(), Some(Errno::EINVAL), "cq_off.cqes = 0x1000");
    let r = queue_mmap_forged(|p| p.sq_off.array = 0x1000);
    assert_eq!(r.err(), Some(Errno::EINVAL), "sq_off.array = 0x1000");
    let r = queue_mmap_forged(|p| p.sq_off.array = 0x10_0000);
    assert_eq!(r.err(), Some(Errno::EINVAL), "sq_off.array = 1 MiB");
    assert_eq!(open_fds(), before, "every fd was closed");
    // The honest parameters still map.
    let mut ring = queue_mmap_forged(|_| ()).unwrap();
    assert_eq!(common::submit_one(&mut ring, 5, |s| nop(s, 0)).res, 0);
    drop(ring);
    assert_eq!(open_fds(), before);
}

/// Issue 18, item 7: forged entries or flags imply rings larger than the
/// kernel's, with every offset inside that larger size. Each forgery runs
/// in a forked child (a SIGBUS there is a test failure, not a crash of the
/// suite): `queue_mmap` must answer `EINVAL`; a ring it returns anyway has
/// all its SQE slots written and CQE slots read, which raises SIGBUS where
/// the mapping is longer than the kernel's object (kernels 6.10+ map only
/// the pages they have; older ones refuse the longer `mmap`).
fn queue_mmap_forged_entries_are_einval_not_sigbus() {
    let _g = serial();
    type Forge = fn(&mut Params);
    let cases: [(&str, u32, Forge); 3] = [
        // The issue's forgery: a ring mask offset inside the size 2^20
        // entries imply (the SQ array, after the CQEs, does not move).
        ("sq_entries = 2^20, sq_off.ring_mask = 8192", 8, |p| {
            p.sq_entries = 1 << 20;
            p.sq_off.ring_mask = 8192;
        }),
        ("sq_entries = 2^20, true offsets", 8, |p| {
            p.sq_entries = 1 << 20
        }),
        // 64 SQEs of 64 bytes fill one page; SQE128 implies two.
        ("SQE128 not set up", 64, |p| p.flags |= IORING_SETUP_SQE128),
    ];
    for (what, entries, forge) in cases {
        // SAFETY: the child runs only raw syscalls and ring code (no locks,
        // no allocation) and leaves with exit_group.
        let pid = unsafe { rel_fork() };
        if pid == 0 {
            let code = match queue_mmap_forged_n(entries, forge) {
                Err(Errno::EINVAL) => 0,
                Err(_) => 2,
                Ok(mut ring) => {
                    // SAFETY: NOPs point to no memory; never submitted.
                    while let Some(sqe) = unsafe { ring.get_sqe128() } {
                        nop(sqe, 1);
                    }
                    // SAFETY: as above.
                    while let Some(sqe) = unsafe { ring.get_sqe() } {
                        nop(sqe, 1);
                    }
                    1
                }
            };
            syscall::exit(code);
        }
        let st = wait_child(pid);
        let how = match (st & 0x7f, (st >> 8) & 0xff) {
            (0, 0) => "EINVAL".to_string(),
            (0, 1) => "a ring (which survived its use)".to_string(),
            (0, 2) => "another error".to_string(),
            (sig, _) => format!("death by signal {sig}"),
        };
        println!("{what}: {how}");
        assert_eq!(st, 0, "{what}: expected EINVAL, got {how}");
    }
}

/// D8: REGISTERED_FD_ONLY (or NO_MMAP) set in `p.flags` of a ring set up
/// without it: `queue_mmap` was handed a real fd and must close it.
fn queue_mmap_forged_registered_fd_only_closes_the_fd() {
    let _g = serial();
    let before = open_fds();
    let r = queue_mmap_forged(|p| p.flags |= IORING_SETUP_REGISTERED_FD_ONLY);
    assert_eq!(r.err(), Some(Errno::EINVAL));
    assert_eq!(open_fds(), before, "REGISTERED_FD_ONLY: fd closed");
    let r =
        queue_mmap_forged(|p| p.flags |= IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
    assert_eq!(r.err(), Some(Errno::EINVAL));
    assert_eq!(open_fds(), before, "REGISTERED_FD_ONLY|NO_MMAP: fd closed");
}

const IOPOLL_LOOPS: u64 = 1000;

/// Run by `iopoll_sqpoll_peek_does_not_enter` under strace.
fn child_iopoll_sqpoll_nop_loops() {
    let mut ring = Ring::queue_init_params(
        8,
        &mut Params::new().sqpoll(1000).with_flags(IORING_SETUP_IOPOLL),
    )
    .unwrap();
    for i in 0..IOPOLL_LOOPS {
        // SAFETY: written at once by nop.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        nop(sqe, i);
        ring.submit().unwrap();
        let c = loop {
            match ring.peek_cqe() {
                Ok(c) => break c,
                Err(Errno::EAGAIN) => std::hint::spin_loop(),
                Err(e) => panic!("peek: {e:?}"),
            }
        };
        assert_eq!((c.user_data, c.res), (i, 0));
        ring.cqe_seen(&c);
    }
}

/// IOPOLL|SQPOLL: the SQPOLL thread reaps IOPOLL completions, so peeking
/// must not enter the kernel (liburing enters for IOPOLL only without
/// SQPOLL). Counted with strace over 1000 NOP submit+peek loops.
fn iopoll_sqpoll_peek_does_not_enter() {
    let _g = serial();
    let strace = common::require_tool("strace");
    {
        // Kernels before 5.19 fail a NOP on an IOPOLL ring with EINVAL.
        let mut ring = Ring::queue_init(8, IORING_SETUP_IOPOLL).unwrap();
        let c = common::submit_one(&mut ring, 1, |s| nop(s, 0));
        common::skip_on_res(
            c.res,
            &[Errno::EINVAL],
            "a NOP on an IOPOLL ring needs Linux 5.19+ (the NOP's CQE)",
        );
        assert_eq!(c.res, 0);
    }
    let log =
        std::env::temp_dir().join(format!("uring-iopoll-sqpoll-{}.strace", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let out = Command::new(&strace)
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=io_uring_setup,io_uring_enter",
            "-o",
        ])
        .arg(&log)
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_iopoll_sqpoll_nop_loops",
            "--ignored",
            "--test-threads=1",
        ])
        .output()
        .expect("run strace");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    if !text.contains("io_uring_setup(") {
        common::host_tool_unavailable(
            "strace",
            &format!(
                "cannot trace here (ptrace not allowed?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        );
    }
    assert!(
        out.status.success(),
        "child under strace failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let enters = text.matches("io_uring_enter(").count();
    println!(
        "{IOPOLL_LOOPS} NOP submit+peek loops on IOPOLL|SQPOLL: {enters} io_uring_enter calls"
    );
    assert!(
        (enters as u64) < IOPOLL_LOOPS / 10,
        "{enters} enters for {IOPOLL_LOOPS} loops"
    );
}

/// NO_SQARRAY by default (as liburing 2.15's io_uring_queue_init): set
/// when the caller did not ask for it, reported back in `p.flags`, and the
/// ring works; an explicit request is kept.
fn no_sqarray_is_the_default() {
    let _g = serial();
    // A kernel without the flag gets none by default (setup is retried).
    drop(common::setup_or_skip(
        8,
        IORING_SETUP_NO_SQARRAY,
        "IORING_SETUP_NO_SQARRAY",
        "6.6",
    ));
    let mut p = Params::new();
    let mut ring = Ring::queue_init_params(8, &mut p).unwrap();
    assert_ne!(ring.flags() & IORING_SETUP_NO_SQARRAY, 0);
    assert_ne!(p.flags & IORING_SETUP_NO_SQARRAY, 0);
    for i in 0..20 {
        assert_eq!(common::submit_one(&mut ring, i, |s| nop(s, 0)).res, 0);
    }
    let ring = Ring::queue_init(8, IORING_SETUP_NO_SQARRAY).unwrap();
    assert_ne!(ring.flags() & IORING_SETUP_NO_SQARRAY, 0);
    // NO_MMAP rings (memory sized by us) get it too.
    let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP);
    let mut ring = Ring::queue_init_params(8, &mut p).unwrap();
    assert_ne!(ring.flags() & IORING_SETUP_NO_SQARRAY, 0);
    assert_eq!(common::submit_one(&mut ring, 3, |s| nop(s, 0)).res, 0);
}

fn wait_child(pid: i32) -> i32 {
    assert!(pid > 0, "fork failed");
    // SAFETY: waits for our own child.
    let st = unsafe { rel_waitpid(pid) };
    assert!(st >= 0, "waitpid failed");
    st
}

/// fork without `ring_dontfork`: the child shares the ring memory, so an
/// SQE it submits goes through the parent's SQ (its CQE lands in the
/// parent's CQ) and the parent's own next SQE silently never reaches the
/// kernel. Documented on `Ring::ring_dontfork`.
fn fork_child_submitting_steals_the_parents_sqe() {
    let _g = serial();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    // SAFETY: the child runs only raw syscalls and ring code (no locks,
    // no allocation) and leaves with exit_group.
    let pid = unsafe { rel_fork() };
    if pid == 0 {
        // SAFETY: written at once by nop.
        let ok = match unsafe { ring.get_sqe() } {
            Some(sqe) => {
                nop(sqe, 77);
                ring.submit() == Ok(1)
            }
            None => false,
        };
        syscall::exit(if ok { 0 } else { 1 });
    }
    assert_eq!(wait_child(pid), 0, "child submitted");
    let c = common::reap_within(&mut ring, 5);
    assert_eq!(c.user_data, 77, "the child's CQE is in the parent's ring");
    // The parent's SQ is out of step with the kernel's head now: its next
    // SQE does not reach the kernel (the SQ looks full, or the SQE goes to
    // the slot the child used and the tail it publishes is not new).
    // SAFETY: written at once by nop.
    let reached = match unsafe { ring.get_sqe() } {
        None => false,
        Some(sqe) => {
            nop(sqe, 1);
            ring.submit() != Ok(0)
        }
    };
    assert!(!reached, "the parent's next SQE was lost");
    assert_eq!(ring.cq_ready(), 0);
}

/// With `ring_dontfork` the child has no ring memory: touching the ring
/// faults (SIGSEGV) instead of corrupting the parent's queues.
fn fork_after_dontfork_child_faults() {
    let _g = serial();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    ring.ring_dontfork().unwrap();
    // SAFETY: as above.
    let pid = unsafe { rel_fork() };
    if pid == 0 {
        // SAFETY: reading the (absent) ring memory faults: that is the
        // behaviour under test; nothing returns from here normally.
        if let Some(sqe) = unsafe { ring.get_sqe() } {
            nop(sqe, 1);
            let _ = ring.submit();
        }
        syscall::exit(0);
    }
    let st = wait_child(pid);
    assert_eq!(st & 0x7f, 11, "child killed by SIGSEGV (status {st:#x})");
    // The parent's ring is untouched.
    assert_eq!(common::submit_one(&mut ring, 9, |s| nop(s, 0)).res, 0);
}

common::harness::main! {
    submit_and_wait_timeout_eintr_default,
    submit_and_wait_timeout_eintr_defer_taskrun,
    submit_and_wait_timeout_eintr_coop_taskrun,
    submit_and_wait_timeout_eintr_sqpoll,
    submit_and_wait_sigmask_eintr,
    submit_and_wait_timeout_still_times_out,
    timed_wait_is_not_ended_by_a_timeout_request_sqpoll,
    submit_and_wait_interrupted_returns_ok_without_cqe,
    buf_ring_high_flag_bits_are_einval,
    peek_over_forged_padding_is_bounded,
    queue_mmap_rejects_offsets_past_the_rings,
    queue_mmap_forged_registered_fd_only_closes_the_fd,
    queue_mmap_forged_entries_are_einval_not_sigbus,
    #[ignore = "child of iopoll_sqpoll_peek_does_not_enter (runs under strace)"]
    child_iopoll_sqpoll_nop_loops,
    iopoll_sqpoll_peek_does_not_enter,
    no_sqarray_is_the_default,
    fork_child_submitting_steals_the_parents_sqe,
    fork_after_dontfork_child_faults,
}
