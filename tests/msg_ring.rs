//! Data messages between rings (IORING_OP_MSG_RING) on the live kernel:
//! what arrives, flags passing, skipping the sender's CQE, self messages,
//! waking a blocked waiter, special targets (SINGLE_ISSUER|DEFER_TASKRUN,
//! IOPOLL, a 4-entry CQ), and every error the man page lists.

use bare_uring::cq::Cqe;
use bare_uring::ring::Params;
use bare_uring::sys::{
    IORING_CQE_F_32, IORING_CQE_F_SKIP, IORING_FEAT_NODROP, IORING_MSG_RING_CQE_SKIP,
    IORING_MSG_RING_FLAGS_PASS, IORING_OP_MSG_RING, IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_IOPOLL, IORING_SETUP_R_DISABLED, IORING_SETUP_SINGLE_ISSUER,
    IOSQE_CQE_SKIP_SUCCESS_BIT, IOSQE_FIXED_FILE_BIT,
};
use bare_uring::{msg, prep, Errno, Ring};
use std::sync::mpsc;
use std::thread;

mod common;
use common::reap;

/// Skips the test unless the kernel has IORING_OP_MSG_RING (5.18+), asked
/// before any thread waits for a message.
fn require_msg_ring() {
    common::require_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING", "5.18");
}

/// Sends one data message from `src` to `target_fd` and returns the
/// sender's CQE.
fn send_one(src: &mut Ring, target_fd: i32, len: u32, data: u64) -> Cqe {
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send(src, target_fd, len, data, 0x5e4d) }.unwrap();
    src.submit_and_wait(1).unwrap();
    let c = reap(src);
    assert_eq!(c.user_data, 0x5e4d);
    c
}

fn len_and_data_arrive_as_res_and_user_data() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, 0).unwrap();
    for (len, data) in [
        (0u32, 0u64),
        (0x1234_5678, 0xdead_beef_cafe_f00d),
        (u32::MAX, u64::MAX),
    ] {
        assert_eq!(send_one(&mut a, b.ring_fd(), len, data).res, 0);
        let c = reap(&mut b);
        // res carries the 32 bits of len unchanged (u32::MAX reads as -1).
        assert_eq!((c.res as u32, c.user_data, c.flags), (len, data, 0));
    }
    assert_eq!(b.cq_ready(), 0);
    assert_eq!(a.cq_ready(), 0);
}

fn cqe_flags_pass_exactly() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, 0).unwrap();
    // Every bit except IORING_CQE_F_SKIP (0x20) and IORING_CQE_F_32
    // (0x8000), which reapers read as padding / entry size (see below).
    let all = !(IORING_CQE_F_SKIP | IORING_CQE_F_32);
    // Before 6.3 the kernel refuses the flag on the sender's CQE.
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send_cqe_flags(&mut a, b.ring_fd(), 9, 0xf1a9, 0, 3) }.unwrap();
    a.submit_and_wait(1).unwrap();
    common::skip_on_res(
        reap(&mut a).res,
        &[Errno::EINVAL],
        "IORING_MSG_RING_FLAGS_PASS needs Linux 6.3+",
    );
    let c = reap(&mut b);
    assert_eq!((c.res, c.user_data, c.flags), (9, 0xf1a9, 0));
    for f in [0u32, 1, 0x8000_0000, 0xabcd_0000, 0x1234_5658, all] {
        // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
        unsafe { msg::send_cqe_flags(&mut a, b.ring_fd(), 9, 0xf1a9, f, 3) }.unwrap();
        a.submit_and_wait(1).unwrap();
        assert_eq!(reap(&mut a).res, 0);
        let c = reap(&mut b);
        assert_eq!((c.res, c.user_data, c.flags), (9, 0xf1a9, f));
    }
    // The helper refuses flags a reaper would misread.
    for bad in [IORING_CQE_F_SKIP, IORING_CQE_F_32] {
        assert_eq!(
            // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
            unsafe { msg::send_cqe_flags(&mut a, b.ring_fd(), 0, 0, bad, 0) },
            Err(Errno::EINVAL)
        );
    }
    assert_eq!(a.sq_ready(), 0);
    // The kernel passes them anyway; a CQE carrying IORING_CQE_F_SKIP is
    // then consumed as padding by the reaper (as liburing's does).
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring_cqe_flags(sqe, b.ring_fd(), 1, 0x5c1b, 0, IORING_CQE_F_SKIP);
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send(&mut a, b.ring_fd(), 2, 0x0b, 0) }.unwrap();
    a.submit_and_wait(2).unwrap();
    assert_eq!((reap(&mut a).res, reap(&mut a).res), (0, 0));
    let c = reap(&mut b);
    assert_eq!((c.res, c.user_data), (2, 0x0b));
    assert_eq!(b.cq_ready(), 0);
    // IORING_CQE_F_32 on a ring without CQE_MIXED is a flag, not a size:
    // the CQE occupies one slot and the message after it is intact. Newer
    // kernels (7.x) refuse to pass it at all (the sender's CQE says
    // -EINVAL, nothing reaches the target); the message after it must be
    // intact either way. Sent alone: a refusal at submission would end the
    // batch.
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring_cqe_flags(sqe, b.ring_fd(), 3, 0x32, 0, IORING_CQE_F_32);
    a.submit_and_wait(1).unwrap();
    let passed = match reap(&mut a).res {
        0 => true,
        r if r == -Errno::EINVAL.0 => false,
        r => panic!("sender of an IORING_CQE_F_32 message: res {r}"),
    };
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send(&mut a, b.ring_fd(), 4, 0x0c, 0) }.unwrap();
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, 0);
    if passed {
        let c = b.wait_cqe().unwrap();
        assert_eq!((c.res, c.user_data, c.flags), (3, 0x32, IORING_CQE_F_32));
        assert_eq!(b.cqe_nr(&c), 1);
        b.cqe_seen(&c);
    } else {
        println!("this kernel refuses IORING_CQE_F_32 in passed CQE flags (EINVAL)");
    }
    let c = reap(&mut b);
    assert_eq!((c.res, c.user_data), (4, 0x0c));
    assert_eq!(b.cq_ready(), 0);
    // The raw flag works with prep::msg_ring too (file_index carries them).
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, b.ring_fd(), 1, 2, IORING_MSG_RING_FLAGS_PASS);
    sqe.set_file_index(0x4007);
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, 0);
    assert_eq!(reap(&mut b).flags, 0x4007);
}

fn skipping_cqes() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, 0).unwrap();
    // IOSQE_CQE_SKIP_SUCCESS: the sender gets no CQE, the target does.
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, b.ring_fd(), 5, 6, 0);
    sqe.flags |= 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;
    a.submit().unwrap();
    let c = reap(&mut b);
    assert_eq!((c.res, c.user_data), (5, 6));
    assert_eq!(a.cq_ready(), 0);
    // IORING_MSG_RING_CQE_SKIP ("no CQE on the target") is for fd passing
    // only; a data message with it is refused.
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, b.ring_fd(), 5, 6, IORING_MSG_RING_CQE_SKIP);
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, -Errno::EINVAL.0);
    assert_eq!(b.cq_ready(), 0);
}

fn message_to_itself() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let fd = a.ring_fd();
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send(&mut a, fd, 77, 0x5e1f, 1) }.unwrap();
    a.submit_and_wait(2).unwrap();
    let mut got = [reap(&mut a), reap(&mut a)];
    got.sort_by_key(|c| c.user_data);
    assert_eq!((got[0].user_data, got[0].res), (1, 0));
    assert_eq!((got[1].user_data, got[1].res), (0x5e1f, 77));
    assert_eq!(a.cq_ready(), 0);
}

fn wakes_a_thread_blocked_in_wait_cqe() {
    require_msg_ring();
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let mut b = Ring::queue_init(4, 0).unwrap();
        tx.send(b.ring_fd()).unwrap();
        // Blocks until the message arrives.
        let c = b.wait_cqe().unwrap();
        (c.res, c.user_data)
    });
    let fd = rx.recv().unwrap();
    let mut a = Ring::queue_init(4, 0).unwrap();
    // Give the waiter time to block (not needed for correctness).
    thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(send_one(&mut a, fd, 31337, 0x77a4e).res, 0);
    assert_eq!(waiter.join().unwrap(), (31337, 0x77a4e));
}

/// A receiver thread owning a ring set up with `params`: it reports its
/// fd, then waits for `n` messages and returns (res, user_data) in arrival
/// order.
///
/// Skips the test when the kernel refuses the setup flags `name` (first in
/// Linux `since`) with EINVAL; no thread is left waiting then.
fn receiver(
    params: Params,
    entries: u32,
    n: usize,
    name: &str,
    since: &str,
) -> (i32, thread::JoinHandle<Vec<(i32, u64)>>) {
    let (tx, rx) = mpsc::channel();
    let h = thread::spawn(move || {
        let mut p = params;
        let mut r = match Ring::queue_init_params(entries, &mut p) {
            Ok(r) => r,
            Err(e) => {
                tx.send(Err(e)).unwrap();
                return Vec::new();
            }
        };
        tx.send(Ok(r.ring_fd())).unwrap();
        let mut got = Vec::with_capacity(n);
        while got.len() < n {
            let c = r.wait_cqe().unwrap();
            got.push((c.res, c.user_data));
            r.cqe_seen(&c);
        }
        assert_eq!(
            r.peek_cqe().err(),
            Some(Errno::EAGAIN),
            "more CQEs than messages"
        );
        got
    });
    match rx.recv().unwrap() {
        Ok(fd) => (fd, h),
        Err(e) => {
            h.join().unwrap();
            if e == Errno::EINVAL {
                common::skip(&format!(
                    "{name} needs Linux {since}+ (io_uring_setup: EINVAL)"
                ));
            }
            panic!("io_uring_setup with {name}: {e:?}");
        }
    }
}

/// Sends `n` messages (res = i, user_data = 1000 + i) from a fresh ring, in
/// batches, checking every sender CQE.
fn send_n(target: i32, n: usize) {
    let mut a = Ring::queue_init(32, 0).unwrap();
    let mut sent = 0;
    while sent < n {
        let batch = (n - sent).min(32);
        for i in sent..sent + batch {
            // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
            unsafe { msg::send(&mut a, target, i as u32, 1000 + i as u64, i as u64) }.unwrap();
        }
        a.submit_and_wait(batch as u32).unwrap();
        for _ in 0..batch {
            let c = reap(&mut a);
            assert_eq!(c.res, 0, "message {} failed", c.user_data);
        }
        sent += batch;
    }
}

fn expected(n: usize) -> Vec<(i32, u64)> {
    (0..n).map(|i| (i as i32, 1000 + i as u64)).collect()
}

fn single_issuer_defer_taskrun_target() {
    require_msg_ring();
    let n = 500;
    let p = Params::new().with_flags(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    let (fd, h) = receiver(
        p,
        64,
        n,
        "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    );
    send_n(fd, n);
    assert_eq!(h.join().unwrap(), expected(n));
}

fn iopoll_target() {
    require_msg_ring();
    let n = 200;
    let (fd, h) = receiver(
        Params::new().with_flags(IORING_SETUP_IOPOLL),
        64,
        n,
        "IORING_SETUP_IOPOLL",
        "5.1",
    );
    send_n(fd, n);
    let mut got = h.join().unwrap();
    // An IOPOLL target's lock is taken with trylock at issue; on contention
    // the message is retried from io-wq and may be overtaken by later
    // ones. Nothing is lost or duplicated, but order is not kept.
    let in_order = got == expected(n);
    println!("IOPOLL target: {n} messages, arrived in order: {in_order}");
    got.sort();
    assert_eq!(got, expected(n));
}

fn tiny_cq_overflows_without_loss() {
    require_msg_ring();
    let mut p = Params::new().cq_size(4);
    let mut b = Ring::queue_init_params(2, &mut p).unwrap();
    assert_eq!(b.cq_entries(), 4);
    assert_ne!(b.features() & IORING_FEAT_NODROP, 0);
    let n = 50;
    // Nobody reaps while they are sent: 46 go to the kernel's backlog.
    send_n(b.ring_fd(), n);
    assert!(b.cq_has_overflow(), "overflow flag expected");
    let mut got = Vec::new();
    while got.len() < n {
        let c = b.wait_cqe().unwrap();
        got.push((c.res, c.user_data));
        b.cqe_seen(&c);
    }
    assert_eq!(got, expected(n));
    assert_eq!(b.peek_cqe().err(), Some(Errno::EAGAIN));
    assert!(!b.cq_has_overflow());
}

fn target_not_a_ring_is_ebadfd() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    // stdout (whatever it is here, it is not an io_uring).
    assert_eq!(send_one(&mut a, 1, 1, 1).res, -Errno::EBADFD.0);
    // The same as a fixed file.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { a.register_files(&[1]) }.unwrap();
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, 0, 1, 1, 0);
    sqe.flags |= 1 << IOSQE_FIXED_FILE_BIT;
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, -Errno::EBADFD.0);
    // A closed fd.
    assert_eq!(send_one(&mut a, 1_000_000, 1, 1).res, -Errno::EBADF.0);
}

fn disabled_target_is_ebadfd_until_enabled() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, IORING_SETUP_R_DISABLED).unwrap();
    assert_eq!(send_one(&mut a, b.ring_fd(), 1, 2).res, -Errno::EBADFD.0);
    b.enable_rings().unwrap();
    assert_eq!(send_one(&mut a, b.ring_fd(), 3, 4).res, 0);
    let c = reap(&mut b);
    // Only the message sent after enabling arrived.
    assert_eq!((c.res, c.user_data), (3, 4));
    assert_eq!(b.cq_ready(), 0);
}

fn unknown_flags_are_einval() {
    require_msg_ring();
    let mut a = Ring::queue_init(8, 0).unwrap();
    let mut b = Ring::queue_init(8, 0).unwrap();
    for bad in [1u32 << 2, 1 << 31] {
        // SAFETY: a MSG_RING message points to no memory.
        let sqe = unsafe { a.get_sqe() }.unwrap();
        prep::msg_ring(sqe, b.ring_fd(), 1, 2, bad);
        a.submit_and_wait(1).unwrap();
        assert_eq!(reap(&mut a).res, -Errno::EINVAL.0, "flags {bad:#x}");
    }
    // A target slot without FLAGS_PASS, or a source fd, on a data message.
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, b.ring_fd(), 1, 2, 0);
    sqe.set_file_index(3);
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, -Errno::EINVAL.0);
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring(sqe, b.ring_fd(), 1, 2, 0);
    sqe.set_addr3(5);
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, -Errno::EINVAL.0);
    assert_eq!(b.peek_cqe().err(), Some(Errno::EAGAIN));
}

common::harness::main! {
    len_and_data_arrive_as_res_and_user_data,
    cqe_flags_pass_exactly,
    skipping_cqes,
    message_to_itself,
    wakes_a_thread_blocked_in_wait_cqe,
    single_issuer_defer_taskrun_target,
    iopoll_target,
    tiny_cq_overflows_without_loss,
    target_not_a_ring_is_ebadfd,
    disabled_target_is_ebadfd_until_enabled,
    unknown_flags_are_einval,
}
