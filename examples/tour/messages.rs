//! Scenarios about ring-to-ring messages: data messages, passing direct
//! descriptors, and the synchronous form with no source ring.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread;
use std::time::{Duration, Instant};

use bare_uring::register::register_sync_msg;
use bare_uring::sys::*;
use bare_uring::syscall::{gettid, pipe2, read, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};

use crate::scenarios::{CQE_FLAGS, DATA};
use crate::util::{
    ensure, io_next_cqe, io_sqe, next_cqe, res, sqe, timespec, Ctx, Fail, Outcome, WAIT,
};

/// Three data messages between two rings: res, user_data and (with
/// FLAGS_PASS) flags arrive exactly; the sender gets one CQE per message
/// unless IOSQE_CQE_SKIP_SUCCESS.
pub fn msg_ring() -> Outcome {
    let mut src = Ring::queue_init(8, 0).ctx("queue_init src")?;
    let mut dst = Ring::queue_init(8, 0).ctx("queue_init dst")?;
    let fd = dst.ring_fd();
    // 1: plain data message; 2: with the target CQE's flags passed;
    // 3: like 1 but the source gets no CQE on success
    // (IOSQE_CQE_SKIP_SUCCESS; IORING_MSG_RING_CQE_SKIP is for fd passing
    // and skips the *target's* CQE).
    let sent: [(u64, u32, u32); 3] = [
        (DATA, 42, 0),
        (DATA + 1, 0x7fff_ffff, CQE_FLAGS),
        (DATA + 2, 7, 0),
    ];
    // SAFETY: a MSG_RING message points to no memory; its target, dst,
    // is this function's own ring, which expects exactly these messages.
    let s = unsafe { sqe(&mut src, "msg_ring") }?;
    prep::msg_ring(s, fd, sent[0].1, sent[0].0, 0);
    s.user_data = 1;
    // SAFETY: as above.
    let s = unsafe { sqe(&mut src, "msg_ring_cqe_flags") }?;
    prep::msg_ring_cqe_flags(s, fd, sent[1].1, sent[1].0, 0, sent[1].2);
    s.user_data = 2;
    // SAFETY: as above.
    let s = unsafe { sqe(&mut src, "msg_ring CQE_SKIP") }?;
    prep::msg_ring(s, fd, sent[2].1, sent[2].0, 0);
    s.flags |= IOSQE_CQE_SKIP_SUCCESS;
    s.user_data = 3;
    src.submit().ctx("submit")?;
    let mut got = Vec::new();
    for _ in 0..sent.len() {
        let c = next_cqe(&mut dst, "target CQE")?;
        got.push((c.user_data, c.res as u32, c.flags));
    }
    got.sort_unstable();
    ensure!(
        got == sent,
        "target got (user_data, res, flags) {got:x?}, sent {sent:x?}"
    );
    let mut src_cqes = Vec::new();
    for _ in 0..2 {
        let c = next_cqe(&mut src, "source CQE")?;
        ensure!(c.res == 0, "source CQE {} res {}", c.user_data, c.res);
        src_cqes.push(c.user_data);
    }
    src_cqes.sort_unstable();
    ensure!(src_cqes == [1, 2], "source CQEs {src_cqes:?}");
    ensure!(
        matches!(src.peek_cqe(), Err(Errno::EAGAIN))
            && matches!(dst.peek_cqe(), Err(Errno::EAGAIN)),
        "unexpected extra CQEs"
    );
    Ok(format!(
        "3 messages: res/user_data/flags exact, flags {CQE_FLAGS:#x} passed; CQE_SKIP_SUCCESS left 2 source CQEs"
    ))
}

/// A pipe, as owned fds (read end, write end).
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Fail> {
    let [r, w] = pipe2(O_CLOEXEC).ctx("pipe2")?;
    // SAFETY: fresh fds from pipe2, owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(r), OwnedFd::from_raw_fd(w)) })
}

/// Writes `msg` through fixed file `slot` of `ring`; returns bytes written.
fn write_fixed(ring: &mut Ring, slot: i32, msg: &[u8]) -> Result<u32, Fail> {
    // `msg` (the caller's) outlives the scope, which ends the write on
    // every way out, the `?` of a timed-out wait included.
    ring.in_flight(|io| {
        // SAFETY: the write reads `msg`, which outlives the scope; the fixed
        // file is the ring's own; nothing else is in flight on the ring.
        let s = unsafe { io_sqe(io, "write") }?;
        prep::write(s, slot, msg.as_ptr().cast(), msg.len() as u32, u64::MAX);
        s.flags |= IOSQE_FIXED_FILE;
        s.user_data = 0x77;
        let c = io_next_cqe(io, "write through the fixed file")?;
        res(&c, "write through the fixed file")
    })
}

/// Reads what the pipe holds now (up to 256 bytes).
fn drain(r: &OwnedFd) -> Result<Vec<u8>, Fail> {
    let mut buf = [0u8; 256];
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    let n = unsafe { read(r.as_raw_fd(), &mut buf) }.ctx("read pipe")?;
    Ok(buf.get(..n).unwrap_or(&[]).to_vec())
}

/// Passes a registered pipe end to chosen and allocated slots of another
/// ring's table and writes through each copy.
pub fn msg_ring_fd() -> Outcome {
    let (r, w) = pipe()?;
    let mut src = Ring::queue_init(4, 0).ctx("queue_init src")?;
    let mut dst = Ring::queue_init(4, 0).ctx("queue_init dst")?;
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { src.register_files(&[w.as_raw_fd()]) }.ctx("register_files")?;
    dst.register_files_sparse(4)
        .ctx("register_files_sparse(4)")?;
    // Source slot 0 → target slot 2.
    // SAFETY: a MSG_RING fd message points to no memory; it fills slot 2
    // of dst, this function's own ring, as intended.
    let s = unsafe { sqe(&mut src, "msg_ring_fd") }?;
    prep::msg_ring_fd(s, dst.ring_fd(), 0, 2, DATA, 0);
    let c = next_cqe(&mut src, "msg_ring_fd source CQE")?;
    res(&c, "msg_ring_fd")?;
    let c = next_cqe(&mut dst, "msg_ring_fd target CQE")?;
    ensure!(
        c.user_data == DATA && c.res == 0,
        "target CQE user_data {:#x} res {}",
        c.user_data,
        c.res
    );
    // Source slot 0 → target slot 1 with IORING_MSG_RING_CQE_SKIP: the
    // file arrives, the target gets no CQE.
    // SAFETY: as above, for slot 1.
    let s = unsafe { sqe(&mut src, "msg_ring_fd CQE_SKIP") }?;
    prep::msg_ring_fd(s, dst.ring_fd(), 0, 1, DATA + 2, IORING_MSG_RING_CQE_SKIP);
    res(
        &next_cqe(&mut src, "msg_ring_fd CQE_SKIP source CQE")?,
        "msg_ring_fd CQE_SKIP",
    )?;
    let skipped = matches!(dst.peek_cqe(), Err(Errno::EAGAIN));
    ensure!(skipped, "target got a CQE despite IORING_MSG_RING_CQE_SKIP");
    let m0 = b"slot 1, no CQE";
    let n = write_fixed(&mut dst, 1, m0)?;
    ensure!(n as usize == m0.len(), "wrote {n} of {}", m0.len());
    let got = drain(&r)?;
    ensure!(got == m0, "pipe read {got:?}");

    // Source slot 0 → a slot the target allocates (reported in res).
    // SAFETY: a MSG_RING fd message points to no memory; dst, this
    // function's own ring, has free slots for it to allocate from.
    let s = unsafe { sqe(&mut src, "msg_ring_fd_alloc") }?;
    prep::msg_ring_fd_alloc(s, dst.ring_fd(), 0, DATA + 1, 0);
    res(
        &next_cqe(&mut src, "msg_ring_fd_alloc source CQE")?,
        "msg_ring_fd_alloc",
    )?;
    let c = next_cqe(&mut dst, "msg_ring_fd_alloc target CQE")?;
    ensure!(
        c.user_data == DATA + 1,
        "alloc CQE user_data {:#x}",
        c.user_data
    );
    let alloc = res(&c, "msg_ring_fd_alloc target")?;
    ensure!(
        alloc == 0 || alloc == 3,
        "allocated slot {alloc}, not a free one"
    );

    let m1 = b"hello through slot 2";
    let n = write_fixed(&mut dst, 2, m1)?;
    ensure!(n as usize == m1.len(), "wrote {n} of {}", m1.len());
    let got = drain(&r)?;
    ensure!(got == m1, "pipe read {got:?}");
    // The source empties its slot and we close our fd: the target's copy
    // still works.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { src.register_files_update(0, &[-1]) }.ctx("empty source slot")?;
    drop(w);
    let m2 = b"and after the source let go";
    let n = write_fixed(&mut dst, alloc as i32, m2)?;
    ensure!(n as usize == m2.len(), "wrote {n} of {}", m2.len());
    let got = drain(&r)?;
    ensure!(got == m2, "pipe read {got:?}");
    Ok(format!(
        "a pipe end to slot 2, to slot 1 with no target CQE (MSG_RING_CQE_SKIP), to free slot {alloc} (alloc); written through all three, the last after the source closed its copy"
    ))
}

/// The syscall number thread `tid` of this process is blocked in, from
/// `/proc/self/task/<tid>/syscall` (`None` while it runs or on error).
fn blocked_in(tid: i32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// `__NR_io_uring_enter`, the same number on every architecture.
const NR_IO_URING_ENTER: u64 = 426;

/// A thread with no ring wakes a thread blocked on its ring with
/// `register_sync_msg`.
pub fn sync_msg() -> Outcome {
    let dst = Ring::queue_init(4, 0).ctx("queue_init")?;
    let fd = dst.ring_fd();
    let dst = dst.into_send().map_err(|(_, e)| e).ctx("into_send")?;
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let waiter = thread::spawn(move || {
        let mut dst = dst.into_ring();
        let _ = tid_tx.send(gettid());
        let ts = timespec(WAIT);
        let r = dst.wait_cqe_timeout(Some(&ts));
        let woke = Instant::now();
        if let Ok(c) = &r {
            dst.cqe_seen(c);
        }
        (dst.into_send().ok(), r, woke)
    });
    // Send only once the waiter is seen blocked in io_uring_enter.
    let t0 = Instant::now();
    let tid = tid_rx
        .recv_timeout(WAIT)
        .map_err(|_| Fail::Failed("waiter sent no thread id".into()))?;
    while blocked_in(tid) != Some(NR_IO_URING_ENTER) && t0.elapsed() < WAIT {
        thread::sleep(Duration::from_micros(200));
    }
    let seen_blocked = blocked_in(tid) == Some(NR_IO_URING_ENTER);
    let blocked_after = t0.elapsed();
    // A thread that owns no ring sends the message.
    let sender = thread::spawn(move || {
        let mut s = io_uring_sqe::zeroed();
        prep::msg_ring_cqe_flags(&mut s, fd, 77, DATA, 0, CQE_FLAGS);
        let sent_at = Instant::now();
        // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
        (unsafe { register_sync_msg(&s) }, sent_at)
    });
    let (sent, sent_at) = sender
        .join()
        .map_err(|_| Fail::Failed("sender thread died".into()))?;
    let (_dst, got, woke) = waiter
        .join()
        .map_err(|_| Fail::Failed("waiter thread died".into()))?;
    ensure!(
        seen_blocked,
        "waiter (tid {tid}) not seen in io_uring_enter within {WAIT:?}"
    );
    let ret = sent.ctx("register_sync_msg")?;
    let c = got.ctx("waiter")?;
    ensure!(ret == 0, "register_sync_msg returned {ret}");
    ensure!(
        c.res == 77 && c.user_data == DATA && c.flags == CQE_FLAGS,
        "waiter got res {} user_data {:#x} flags {:#x}",
        c.res,
        c.user_data,
        c.flags
    );
    // fd passing has no synchronous form.
    let mut s = io_uring_sqe::zeroed();
    prep::msg_ring_fd(&mut s, fd, 0, 0, 0, 0);
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    let refused = unsafe { register_sync_msg(&s) };
    ensure!(
        refused == Err(Errno::EINVAL),
        "fd message: expected EINVAL, got {refused:?}"
    );
    Ok(format!(
        "waiter seen blocked in io_uring_enter (/proc/self/task/{tid}/syscall) after {:.1} ms; \
         woke {:.1} µs after register_sync_msg was called, res 77, user_data and flags exact; \
         fd message refused: EINVAL",
        blocked_after.as_secs_f64() * 1e3,
        woke.saturating_duration_since(sent_at).as_secs_f64() * 1e6
    ))
}
