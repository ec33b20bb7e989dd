//! A ring embedded in an event loop that is not ours: how a program with its
//! own reactor (epoll, poll(2), mio, a GUI toolkit's main loop) drives
//! `bare-uring` without giving it a thread.
//!
//! ```text
//! cargo run --release --example foreign_loop
//! ```
//!
//! The "foreign loop" below only knows file descriptors and readiness: it
//! is asked to watch fds and tells which became readable. To stay free of
//! libc it is built on io_uring's own `POLL_ADD` (a second ring, see
//! [`Reactor`]), but it could be epoll: it never sees the work ring's
//! queues, only an fd. Two ways to give it one:
//!
//! 1. **A registered eventfd** (`Ring::register_eventfd`, mirrors
//!    `io_uring_register_eventfd()`): the kernel signals the eventfd when it
//!    posts CQEs on the work ring. The loop watches the eventfd next to an
//!    unrelated event source (a pipe a "UI" thread writes to); when it fires,
//!    the loop reads the eventfd (resetting it) *first*, then drains the
//!    work ring with non-blocking `peek_cqe` — in that order no wake-up is
//!    lost: a CQE posted after the read signals the eventfd again.
//! 2. **The ring fd itself**: a ring's fd is readable while its CQ holds
//!    entries, so the loop can watch `ring.ring_fd()` directly, no eventfd.
//!
//! The work is 12 timeouts of 1..=12 ms submitted at once, so completions
//! trickle in while the loop sleeps. Printed: how often the loop woke and
//! why, and how long after each timeout's deadline its CQE reached the loop
//! (measured from the submit; printed, not asserted). Bounded: every wait
//! gives up after 3 s; exit code 1 on any failure.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread;
use std::time::{Duration, Instant};

use bare_uring::cq::Cqe;
use bare_uring::sys::__kernel_timespec;
use bare_uring::syscall::{eventfd, pipe2, read, write, EFD_CLOEXEC, EFD_NONBLOCK, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};

/// `POLLIN` (asm-generic/poll.h).
const POLLIN: u32 = 0x1;
/// Timeouts submitted to the work ring: 1, 2, ..., TIMEOUTS ms.
const TIMEOUTS: u64 = 12;
/// Bytes the "UI" thread writes to its pipe, one every 3 ms.
const UI_EVENTS: usize = 10;
/// Upper bound for any wait.
const WAIT: Duration = Duration::from_secs(3);

/// The foreign loop's readiness backend: watch an fd once (like
/// `EPOLLONESHOT`), wait for readiness. A stand-in for epoll; it is a ring
/// only so that this example needs no libc.
struct Reactor {
    ring: Ring,
}

impl Reactor {
    fn new() -> Result<Reactor, Errno> {
        Ok(Reactor {
            ring: Ring::queue_init(8, 0)?,
        })
    }

    /// Reports `token` once when `fd` is readable (re-watch after handling).
    fn watch(&mut self, fd: i32, token: u64) -> Result<(), Errno> {
        // SAFETY: POLL_ADD points to no memory; `fd` stays open while
        // watched (the caller's fds outlive the reactor's waits).
        let sqe = unsafe { self.ring.get_sqe() }.ok_or(Errno::EBUSY)?;
        prep::poll_add(sqe, fd, POLLIN);
        sqe.user_data = token;
        Ok(())
    }

    /// Waits (at most [`WAIT`]) until at least one watched fd is readable;
    /// returns the tokens of all that are.
    fn wait(&mut self) -> Result<Vec<u64>, String> {
        let ts = timespec(WAIT);
        let first = self
            .ring
            .submit_and_wait_timeout(1, Some(&ts), None)
            .map_err(|e| format!("reactor wait: {e}"))?;
        let mut ready = Vec::new();
        let mut next = Ok(first);
        while let Ok(c) = next {
            self.ring.cqe_seen(&c);
            Errno::from_res(c.res).map_err(|e| format!("poll {}: {e}", c.user_data))?;
            ready.push(c.user_data);
            next = self.ring.peek_cqe();
        }
        Ok(ready)
    }
}

fn timespec(d: Duration) -> __kernel_timespec {
    __kernel_timespec {
        tv_sec: d.as_secs() as i64,
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// The timeouts' durations; they must stay put until their CQEs arrive.
fn durations() -> Vec<__kernel_timespec> {
    (1..=TIMEOUTS)
        .map(|ms| timespec(Duration::from_millis(ms)))
        .collect()
}

/// Queues and submits the timeouts on `work` (user_data = duration in ms);
/// returns the submit time.
fn submit_timeouts(work: &mut Ring, ts: &[__kernel_timespec]) -> Result<Instant, String> {
    for (i, t) in ts.iter().enumerate() {
        // SAFETY: `t` lives in the caller's Vec, which outlives the
        // timeouts (the caller drains every CQE before dropping it).
        let sqe = unsafe { work.get_sqe() }.ok_or("work SQ full")?;
        prep::timeout(sqe, t, 0, 0);
        sqe.user_data = i as u64 + 1;
    }
    let at = Instant::now();
    work.submit().map_err(|e| format!("submit: {e}"))?;
    Ok(at)
}

/// What the loop saw of the work ring.
#[derive(Default)]
struct Seen {
    wakes: usize,
    cqes: u64,
    late_us: Vec<f64>,
}

impl Seen {
    /// Drains the work ring without blocking; each CQE must be an expired
    /// timeout (-ETIME).
    fn drain(&mut self, work: &mut Ring, submitted: Instant) -> Result<(), String> {
        let now = Instant::now();
        while let Ok(c) = work.peek_cqe() {
            work.cqe_seen(&c);
            self.check(&c)?;
            let deadline = submitted + Duration::from_millis(c.user_data);
            self.late_us
                .push(now.saturating_duration_since(deadline).as_secs_f64() * 1e6);
            self.cqes += 1;
        }
        Ok(())
    }

    fn check(&self, c: &Cqe) -> Result<(), String> {
        match Errno::from_res(c.res) {
            Err(Errno::ETIME) if (1..=TIMEOUTS).contains(&c.user_data) => Ok(()),
            r => Err(format!("timeout {}: {r:?}", c.user_data)),
        }
    }

    fn report(&self) -> String {
        let n = self.late_us.len().max(1) as f64;
        let mean = self.late_us.iter().sum::<f64>() / n;
        let max = self.late_us.iter().copied().fold(0.0, f64::max);
        format!(
            "{} CQEs drained in {} wake-ups; a CQE reached the loop {mean:.0} µs after its deadline \
             (counted from the submit call) on average, max {max:.0} µs",
            self.cqes, self.wakes
        )
    }
}

const T_EVENTFD: u64 = 1;
const T_PIPE: u64 = 2;
const T_RING: u64 = 3;

/// Part 1: an eventfd registered with the work ring, watched by the loop
/// together with a pipe fed by another thread.
fn with_eventfd() -> Result<(), String> {
    let mut work = Ring::queue_init(16, 0).map_err(|e| format!("queue_init: {e}"))?;
    let efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).map_err(|e| format!("eventfd: {e}"))?;
    // SAFETY: a fresh fd, owned by nothing else.
    let efd = unsafe { OwnedFd::from_raw_fd(efd) };
    // SAFETY: the eventfd is open and owned here for the call (I/O safety).
    unsafe { work.register_eventfd(efd.as_raw_fd()) }
        .map_err(|e| format!("register_eventfd: {e}"))?;
    let [r, w] = pipe2(O_CLOEXEC).map_err(|e| format!("pipe2: {e}"))?;
    // SAFETY: fresh fds from pipe2, owned by nothing else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(r), OwnedFd::from_raw_fd(w)) };
    // The "UI" thread: an event source that has nothing to do with io_uring.
    let ui = thread::spawn(move || {
        for _ in 0..UI_EVENTS {
            thread::sleep(Duration::from_millis(3));
            // SAFETY: the fd is open and owned here for the call (I/O safety).
            if unsafe { write(w.as_raw_fd(), b"x") } != Ok(1) {
                break;
            }
        }
        // Dropping `w` closes the pipe: the loop reads end of file.
    });

    let mut reactor = Reactor::new().map_err(|e| format!("reactor: {e}"))?;
    let ts = durations();
    let submitted = submit_timeouts(&mut work, &ts)?;
    reactor
        .watch(efd.as_raw_fd(), T_EVENTFD)
        .map_err(|e| e.to_string())?;
    reactor
        .watch(r.as_raw_fd(), T_PIPE)
        .map_err(|e| e.to_string())?;
    let mut seen = Seen::default();
    let (mut counter, mut ui_bytes, mut ui_wakes, mut ui_open) = (0u64, 0, 0, true);
    while seen.cqes < TIMEOUTS || ui_open {
        for token in reactor.wait()? {
            match token {
                T_EVENTFD => {
                    seen.wakes += 1;
                    // Read (reset) the eventfd before draining: a CQE posted
                    // after this read signals it again.
                    let mut v = [0u8; 8];
                    // SAFETY: the fd is open and owned here for the call (I/O safety).
                    unsafe { read(efd.as_raw_fd(), &mut v) }
                        .map_err(|e| format!("read eventfd: {e}"))?;
                    counter += u64::from_ne_bytes(v);
                    seen.drain(&mut work, submitted)?;
                    reactor
                        .watch(efd.as_raw_fd(), T_EVENTFD)
                        .map_err(|e| e.to_string())?;
                }
                T_PIPE => {
                    ui_wakes += 1;
                    let mut b = [0u8; 16];
                    // SAFETY: the fd is open and owned here for the call (I/O safety).
                    let n = unsafe { read(r.as_raw_fd(), &mut b) }
                        .map_err(|e| format!("read pipe: {e}"))?;
                    ui_bytes += n;
                    if n == 0 {
                        ui_open = false;
                    } else {
                        reactor
                            .watch(r.as_raw_fd(), T_PIPE)
                            .map_err(|e| e.to_string())?;
                    }
                }
                t => return Err(format!("unknown token {t}")),
            }
        }
    }
    ui.join().map_err(|_| "UI thread panicked")?;
    if ui_bytes != UI_EVENTS {
        return Err(format!(
            "UI thread wrote {UI_EVENTS} bytes, loop read {ui_bytes}"
        ));
    }
    println!("1. eventfd registered with the work ring, watched next to a pipe:");
    println!(
        "   {TIMEOUTS} timeouts (1..={TIMEOUTS} ms): {}",
        seen.report()
    );
    println!(
        "   eventfd counter summed over its reads: {counter}, for {} CQEs",
        seen.cqes
    );
    println!(
        "   meanwhile the pipe woke the loop {ui_wakes} times ({ui_bytes} bytes from the UI thread, then end of file)"
    );
    work.unregister_eventfd()
        .map_err(|e| format!("unregister_eventfd: {e}"))?;
    Ok(())
}

/// Part 2: no eventfd — the loop watches the work ring's own fd.
fn with_ring_fd() -> Result<(), String> {
    let mut work = Ring::queue_init(16, 0).map_err(|e| format!("queue_init: {e}"))?;
    let mut reactor = Reactor::new().map_err(|e| format!("reactor: {e}"))?;
    let ts = durations();
    let submitted = submit_timeouts(&mut work, &ts)?;
    let fd = work.ring_fd();
    reactor.watch(fd, T_RING).map_err(|e| e.to_string())?;
    let mut seen = Seen::default();
    while seen.cqes < TIMEOUTS {
        for token in reactor.wait()? {
            if token != T_RING {
                return Err(format!("unknown token {token}"));
            }
            seen.wakes += 1;
            seen.drain(&mut work, submitted)?;
            reactor.watch(fd, T_RING).map_err(|e| e.to_string())?;
        }
    }
    // The last watch is still armed: dropping the reactor's ring cancels it.
    println!("2. the work ring's fd watched for POLLIN by the loop (no eventfd):");
    println!(
        "   {TIMEOUTS} timeouts (1..={TIMEOUTS} ms): {}",
        seen.report()
    );
    Ok(())
}

fn main() {
    println!("foreign_loop: a ring driven by an event loop that only sees fds\n");
    let mut failed = false;
    for part in [with_eventfd as fn() -> Result<(), String>, with_ring_fd] {
        if let Err(e) = part() {
            eprintln!("FAILED: {e}");
            failed = true;
        }
    }
    std::process::exit(i32::from(failed));
}
