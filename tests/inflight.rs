//! `Ring::in_flight` (issue 18, item 8): a scope that ends every request
//! handed out through its `InFlight` handle before it returns, so memory
//! declared outside it may be freed once it has returned: after an early
//! `?` return, during a panic, for a multishot request, when the closure
//! forgets its handle, and at once when nothing is in flight.
//!
//! Each test reads a pipe nobody writes into a buffer painted with a byte
//! the test never writes; after the scope the test writes the pipe: the
//! data must stay in the pipe and the buffer keep its paint (the read is
//! over: cancelled, `-ECANCELED`). On kernels that cannot cancel "any"
//! request (before 5.19: no IORING_ASYNC_CANCEL_ANY) the end of the scope
//! waits for the request instead; there a thread writes the pipe while it
//! waits, and the data must be in the buffer when `in_flight` returns
//! (the read ended inside the scope).

use std::panic::{self, AssertUnwindSafe};
use std::thread;
use std::time::Duration;

use bare_uring::inflight::{InFlight, CANCEL_USER_DATA};
use bare_uring::sys::{
    io_uring_sync_cancel_reg, IORING_ASYNC_CANCEL_ANY, IORING_CQE_F_MORE,
    IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_SQPOLL,
};
use bare_uring::{prep, syscall, Errno, Ring};

mod common;
use common::harness;

const PAINT: u8 = 0xA5;
const DATA: [u8; 8] = *b"late-dat";
const POLLIN: u32 = 0x1;

/// A pipe, both ends closed on drop.
struct Pipe {
    r: i32,
    w: i32,
}

impl Pipe {
    fn new() -> Pipe {
        let [r, w] = syscall::pipe2(syscall::O_CLOEXEC).unwrap();
        Pipe { r, w }
    }

    fn write(&self, b: &[u8]) {
        // SAFETY: our own open write end.
        assert_eq!(unsafe { syscall::write(self.w, b) }, Ok(b.len()));
    }

    /// `n` bytes the pipe holds (called only after a write of `n` bytes:
    /// it does not block).
    fn read_exact(&self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        // SAFETY: our own open read end; n bytes were written before.
        assert_eq!(unsafe { syscall::read(self.r, &mut v) }, Ok(n));
        v
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // SAFETY: our own fds, closed once.
        unsafe {
            let _ = syscall::close(self.r);
            let _ = syscall::close(self.w);
        }
    }
}

/// Whether this kernel can cancel "any" request of a ring: sync cancel
/// (6.0+) succeeds on an idle ring (0 cancelled, or ENOENT); else an
/// ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY (5.19+) completes with 0 or
/// -ENOENT, and with -EINVAL before 5.19.
fn can_cancel_any() -> bool {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let reg = io_uring_sync_cancel_reg {
        flags: IORING_ASYNC_CANCEL_ANY,
        fd: -1,
        ..Default::default()
    };
    let sync = ring.register_sync_cancel(&reg);
    println!("sync cancel (ANY) on an idle ring: {sync:?}");
    if matches!(sync, Ok(_) | Err(Errno::ENOENT)) {
        return true;
    }
    // SAFETY: a cancel request points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY as i32);
    ring.submit_and_wait(1).unwrap();
    let res = ring.wait_cqe().unwrap().res;
    println!("ASYNC_CANCEL (ANY) on an idle ring: res {res}");
    assert!(
        res >= 0 || res == -Errno::ENOENT.0 || res == -Errno::EINVAL.0,
        "{res}"
    );
    res != -Errno::EINVAL.0
}

/// Queues a read of `pipe` into `buf` through the scope's handle and
/// submits it.
///
/// # Safety
/// `buf` outlives the scope.
unsafe fn submit_read(io: &mut InFlight<'_>, pipe: &Pipe, buf: &mut [u8; 8]) {
    // SAFETY: the caller keeps buf alive past the scope; the pipe is open
    // for the scope's life; the ring runs nothing else.
    let sqe = unsafe { io.get_sqe() }.expect("free SQE");
    prep::read(sqe, pipe.r, buf.as_mut_ptr().cast(), 8, 0);
    sqe.user_data = 7;
    io.submit().unwrap();
    assert_eq!(io.pending(), 1);
}

/// The function a program writes: a read, then a `?` that returns while
/// the read is in flight. `buf` is the caller's, declared outside the
/// scope.
fn read_then_fail(ring: &mut Ring, pipe: &Pipe, buf: &mut [u8; 8]) -> Result<(), Errno> {
    ring.in_flight(|io| {
        // SAFETY: buf (the caller's) outlives the scope.
        unsafe { submit_read(io, pipe, buf) };
        Err(Errno::EIO)?;
        unreachable!()
    })
}

/// After the scope: with cancellation, the pipe's data stays in
/// the pipe and `buf` keeps its paint; without, a thread wrote the data
/// while the drop waited, and the read put it in `buf`.
fn check_after(ring: &mut Ring, pipe: &Pipe, buf: &[u8; 8], cancelled: bool) {
    if cancelled {
        pipe.write(&DATA);
        // A NOP round trip: any CQE the read could still post would be
        // ahead of or with it.
        let c = common::submit_one(ring, 9, |s| common::nop(s, 0));
        assert_eq!(c.user_data, 9, "no CQE of the ended read");
        assert_eq!(ring.cq_ready(), 0);
        assert_eq!(pipe.read_exact(8), DATA, "the read took nothing");
        assert_eq!(buf, &[PAINT; 8], "the buffer was not written");
    } else {
        assert_eq!(buf, &DATA, "the read ended inside the drop");
        assert_eq!(ring.cq_ready(), 0, "the drop reaped its CQE");
    }
    assert_eq!(ring.sq_ready(), 0);
}

/// Without cancellation, a thread that writes the pipe while the drop
/// waits (the test would hang without it: the documented behaviour).
fn writer_unless(cancelled: bool, pipe: &Pipe) -> Option<thread::JoinHandle<()>> {
    if cancelled {
        return None;
    }
    println!("no IORING_ASYNC_CANCEL_ANY (5.19+): the drop waits for the read");
    let w = pipe.w;
    Some(thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        // SAFETY: the pipe outlives this thread (joined before it drops).
        assert_eq!(unsafe { syscall::write(w, &DATA) }, Ok(8));
    }))
}

fn early_return_ends_a_pending_read(flags: u32, name: &str, since: &str) {
    let cancelled = can_cancel_any();
    let mut ring = common::setup_or_skip(8, flags, name, since);
    let pipe = Pipe::new();
    let writer = writer_unless(cancelled, &pipe);
    let mut buf = Box::new([PAINT; 8]);
    assert_eq!(read_then_fail(&mut ring, &pipe, &mut buf), Err(Errno::EIO));
    if let Some(w) = writer {
        w.join().unwrap();
    }
    // The scope has ended: the buffer may be freed (and is, after the check).
    check_after(&mut ring, &pipe, &buf, cancelled);
    drop(buf);
}

fn early_return_ends_a_pending_read_default() {
    early_return_ends_a_pending_read(0, "a plain ring", "5.1");
}

fn early_return_ends_a_pending_read_defer_taskrun() {
    early_return_ends_a_pending_read(
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        "IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    );
}

fn early_return_ends_a_pending_read_sqpoll() {
    early_return_ends_a_pending_read(IORING_SETUP_SQPOLL, "IORING_SETUP_SQPOLL", "5.1");
}

/// A panic inside the scope: unwinding through `in_flight` ends the read
/// before `catch_unwind` returns.
fn panic_in_scope_ends_a_pending_read() {
    let cancelled = can_cancel_any();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let pipe = Pipe::new();
    let writer = writer_unless(cancelled, &pipe);
    let mut buf = Box::new([PAINT; 8]);
    let r = panic::catch_unwind(AssertUnwindSafe(|| {
        ring.in_flight(|io| {
            // SAFETY: buf outlives the scope (declared outside the closure).
            unsafe { submit_read(io, &pipe, &mut buf) };
            panic!("a bug with a read in flight");
        })
    }));
    assert!(r.is_err());
    if let Some(w) = writer {
        w.join().unwrap();
    }
    check_after(&mut ring, &pipe, &buf, cancelled);
}

/// `finish` shows what the drop discards: the read's CQE is -ECANCELED.
fn finish_shows_the_cancelled_read() {
    if !can_cancel_any() {
        harness::skip!("IORING_ASYNC_CANCEL_ANY needs Linux 5.19+ (cancel answered EINVAL)");
    }
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let pipe = Pipe::new();
    let mut buf = [PAINT; 8];
    let mut seen = Vec::new();
    ring.in_flight(|io| {
        // SAFETY: buf outlives the scope.
        unsafe { submit_read(io, &pipe, &mut buf) };
        io.finish(|c| seen.push((c.user_data, c.res, c.flags)));
        assert_eq!(io.pending(), 0);
    });
    let reads: Vec<_> = seen.iter().filter(|c| c.0 == 7).collect();
    println!("CQEs reaped by finish: {seen:?}");
    assert_eq!(reads.len(), 1, "{seen:?}");
    assert_eq!(reads[0].1, -Errno::ECANCELED.0, "{seen:?}");
    assert!(seen.iter().all(|c| c.0 == 7 || c.0 == CANCEL_USER_DATA));
    check_after(&mut ring, &pipe, &buf, true);
}

/// A multishot poll (one CQE with IORING_CQE_F_MORE already reaped) is
/// ended by the drop: its final CQE is reaped and no further CQE comes.
fn multishot_poll_is_ended() {
    if !can_cancel_any() {
        harness::skip!(
            "ending a multishot poll needs IORING_ASYNC_CANCEL_ANY (Linux 5.19+; \
             without it the drop waits for a request that never ends)"
        );
    }
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let pipe = Pipe::new();
    pipe.write(b"x");
    let r: Result<(), Errno> = ring.in_flight(|io| {
        // SAFETY: a poll points to no memory; the pipe outlives the scope.
        let sqe = unsafe { io.get_sqe() }.expect("free SQE");
        prep::poll_multishot(sqe, pipe.r, POLLIN);
        sqe.user_data = 5;
        io.submit()?;
        let c = io.reap()?;
        common::skip_on_res(
            c.res,
            &[Errno::EINVAL],
            "multishot poll (IORING_POLL_ADD_MULTI) needs Linux 5.13+",
        );
        assert_ne!(c.flags & IORING_CQE_F_MORE, 0, "multishot armed");
        assert_eq!(io.pending(), 1, "a CQE with F_MORE ends nothing");
        Err(Errno::EIO)?;
        Ok(())
    });
    assert_eq!(r, Err(Errno::EIO));
    // The poll is gone: more data posts nothing.
    pipe.write(b"y");
    let c = common::submit_one(&mut ring, 9, |s| common::nop(s, 0));
    assert_eq!(c.user_data, 9, "no CQE of the ended poll");
    assert_eq!(ring.cq_ready(), 0);
}

/// With nothing in flight the scope returns at once: one never used, and
/// one whose NOP was reaped (a scope that waited would hang here, and the
/// harness's watchdog would fail the test).
fn nothing_in_flight_drop_returns() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    ring.in_flight(|_| ());
    ring.in_flight(|io| {
        // SAFETY: a NOP points to no memory.
        common::nop(unsafe { io.get_sqe() }.unwrap(), 3);
        io.submit_and_wait(1).unwrap();
        assert_eq!(io.reap().unwrap().user_data, 3);
        assert_eq!(io.pending(), 0);
    });
    assert_eq!(ring.cq_ready(), 0);
    assert_eq!(ring.sq_ready(), 0);
}

/// An SQE taken but not submitted when the `?` returns (it may hold half a
/// request) is forgotten: never submitted, then or later.
fn unsubmitted_sqe_is_forgotten() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let pipe = Pipe::new();
    let mut buf = [PAINT; 8];
    let r: Result<(), Errno> = ring.in_flight(|io| {
        // SAFETY: buf outlives the scope.
        let sqe = unsafe { io.get_sqe() }.expect("free SQE");
        prep::read(sqe, pipe.r, buf.as_mut_ptr().cast(), 8, 0);
        Err(Errno::EIO)?;
        io.submit()?;
        Ok(())
    });
    assert_eq!(r, Err(Errno::EIO));
    assert_eq!(ring.sq_ready(), 0, "the SQE was taken back");
    assert_eq!(ring.submit(), Ok(0));
    check_after(&mut ring, &pipe, &buf, true);
}

/// IOSQE_CQE_SKIP_SUCCESS is cleared: a NOP submitted with it through the
/// scope still posts its CQE (the scope counts it).
fn skip_success_is_cleared() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    ring.in_flight(|io| {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { io.get_sqe() }.unwrap();
        common::nop(sqe, 4);
        sqe.flags |= bare_uring::sys::IOSQE_CQE_SKIP_SUCCESS;
        io.submit_and_wait(1).unwrap();
        let c = io.reap().unwrap();
        assert_eq!((c.user_data, c.res), (4, 0));
        assert_eq!(io.pending(), 0);
    });
}

/// Found by the second adversarial pass against the guard this scope
/// replaced: leaking the guard (`mem::forget`) skipped its drop, and the
/// read then wrote into freed memory. The closure can only forget its
/// `&mut` borrow of the handle, which leaks nothing: the scope still ends
/// the read before `in_flight` returns.
#[allow(forgetting_references)] // what a leaking caller would write
fn forgetting_the_handle_leaks_nothing() {
    let cancelled = can_cancel_any();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let pipe = Pipe::new();
    let writer = writer_unless(cancelled, &pipe);
    let mut buf = Box::new([PAINT; 8]);
    ring.in_flight(|io| {
        // SAFETY: buf outlives the scope (declared outside the closure).
        unsafe { submit_read(io, &pipe, &mut buf) };
        std::mem::forget(io);
    });
    if let Some(w) = writer {
        w.join().unwrap();
    }
    check_after(&mut ring, &pipe, &buf, cancelled);
}

/// Found by the third adversarial pass: a CQE left in the CQ before the
/// scope was counted as the end of the scope's read, which then ran on
/// after `in_flight` returned. A scope that begins with CQEs waiting (or
/// SQEs queued) hands out no SQE.
fn leftover_cqe_refuses_sqes() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    // SAFETY: a NOP points to no memory.
    common::nop(unsafe { ring.get_sqe() }.unwrap(), 7);
    ring.submit_and_wait(1).unwrap();
    assert_eq!(ring.cq_ready(), 1);
    ring.in_flight(|io| {
        // SAFETY: nothing is queued (the scope refuses).
        assert!(unsafe { io.get_sqe() }.is_none(), "a CQE was waiting");
    });
    assert_eq!(common::reap(&mut ring).user_data, 7);
    // The fourth pass: an SQE queued before the scope (its CQE would be
    // counted as the scope's) refuses SQEs too.
    // SAFETY: a NOP points to no memory.
    common::nop(unsafe { ring.get_sqe() }.unwrap(), 9);
    ring.in_flight(|io| {
        // SAFETY: nothing is queued (the scope refuses).
        assert!(unsafe { io.get_sqe() }.is_none(), "an SQE was queued");
    });
    ring.submit_and_wait(1).unwrap();
    assert_eq!(common::reap(&mut ring).user_data, 9);
    ring.in_flight(|io| {
        // SAFETY: a NOP points to no memory.
        common::nop(unsafe { io.get_sqe() }.expect("empty CQ: SQEs again"), 8);
        io.submit_and_wait(1).unwrap();
        assert_eq!(io.reap().unwrap().user_data, 8);
    });
}

common::harness::main! {
    early_return_ends_a_pending_read_default,
    early_return_ends_a_pending_read_defer_taskrun,
    early_return_ends_a_pending_read_sqpoll,
    panic_in_scope_ends_a_pending_read,
    finish_shows_the_cancelled_read,
    multishot_poll_is_ended,
    nothing_in_flight_drop_returns,
    unsubmitted_sqe_is_forgotten,
    forgetting_the_handle_leaks_nothing,
    leftover_cqe_refuses_sqes,
    skip_success_is_cleared,
}
