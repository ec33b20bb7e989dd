//! Messages without a source ring (IORING_REGISTER_SEND_MSG_RING,
//! `register_sync_msg`) on the live kernel: from threads that own no ring,
//! waking a waiter, exact counts from several senders, and refusals.

mod common;

use bare_uring::register::register_sync_msg;
use bare_uring::ring::Params;
use bare_uring::sys::{io_uring_sqe, IORING_SETUP_R_DISABLED, IOSQE_ASYNC_BIT};
use bare_uring::{msg, prep, Errno, Ring};
use std::sync::mpsc;
use std::thread;

/// Skips the test unless the kernel takes ringless messages
/// (IORING_REGISTER_SEND_MSG_RING, 6.13+), asked before any thread waits:
/// one message to a throwaway ring of this thread. Older kernels know no
/// register call without a ring fd: io_uring_register(-1, ..) answers
/// EBADF there (EINVAL where the fd-less form exists but not this op).
fn require_sync_msg() {
    let mut probe = Ring::queue_init(2, 0).unwrap();
    // SAFETY: `probe` is this test's own ring and expects this message.
    let r = unsafe { msg::sync_send(probe.ring_fd(), 7, 0x5_1c0) };
    common::skip_on(
        r,
        &[Errno::EBADF, Errno::EINVAL],
        "IORING_REGISTER_SEND_MSG_RING needs Linux 6.13+",
    );
    let c = common::reap(&mut probe);
    assert_eq!((c.res, c.user_data), (7, 0x5_1c0));
}

fn ringless_thread_wakes_a_waiter() {
    require_sync_msg();
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let mut r = Ring::queue_init(4, 0).unwrap();
        tx.send(r.ring_fd()).unwrap();
        let c = r.wait_cqe().unwrap();
        (c.res, c.user_data, c.flags)
    });
    let fd = rx.recv().unwrap();
    // This thread never creates a ring.
    let sender = thread::spawn(move || {
        thread::sleep(std::time::Duration::from_millis(50));
        let mut sqe = io_uring_sqe::default();
        prep::msg_ring(&mut sqe, fd, 4242, 0x051c_0001, 0);
        // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
        unsafe { register_sync_msg(&sqe) }
    });
    // The result comes back directly.
    assert_eq!(sender.join().unwrap(), Ok(0));
    assert_eq!(waiter.join().unwrap(), (4242, 0x051c_0001, 0));
}

fn cqe_flags_pass() {
    require_sync_msg();
    let mut r = Ring::queue_init(4, 0).unwrap();
    let fd = r.ring_fd();
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    thread::spawn(move || unsafe { msg::sync_send_cqe_flags(fd, 1, 2, 0x0bad_0000) })
        .join()
        .unwrap()
        .unwrap();
    let c = r.wait_cqe().unwrap();
    assert_eq!((c.res, c.user_data, c.flags), (1, 2, 0x0bad_0000));
}

fn several_senders_exact_counts() {
    require_sync_msg();
    const SENDERS: u64 = 4;
    let each = common::scale(2000u64);
    let mut p = Params::new().cq_size(64);
    let mut r = Ring::queue_init_params(8, &mut p).unwrap();
    let fd = r.ring_fd();
    let senders: Vec<_> = (0..SENDERS)
        .map(|t| {
            thread::spawn(move || {
                for i in 0..each {
                    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
                    unsafe { msg::sync_send(fd, i as u32, t << 32 | i) }.unwrap();
                }
            })
        })
        .collect();
    let mut next = [0u64; SENDERS as usize];
    for _ in 0..SENDERS * each {
        let c = r.wait_cqe().unwrap();
        let (t, i) = (c.user_data >> 32, c.user_data & 0xffff_ffff);
        // Per sender: every message once, in order.
        assert_eq!(i, next[t as usize], "sender {t}");
        assert_eq!(c.res as u64, i);
        next[t as usize] += 1;
        r.cqe_seen(&c);
    }
    for s in senders {
        s.join().unwrap();
    }
    assert_eq!(next, [each; SENDERS as usize]);
    assert_eq!(r.peek_cqe().err(), Some(Errno::EAGAIN));
}

fn refusals() {
    require_sync_msg();
    let r = Ring::queue_init(4, 0).unwrap();
    let mut sqe = io_uring_sqe::default();
    // Fd passing is not possible without a source ring.
    prep::msg_ring_fd(&mut sqe, r.ring_fd(), 0, 0, 0, 0);
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { register_sync_msg(&sqe) }, Err(Errno::EINVAL));
    // Any SQE flag.
    let mut sqe = io_uring_sqe::default();
    prep::msg_ring(&mut sqe, r.ring_fd(), 0, 0, 0);
    sqe.flags = 1 << IOSQE_ASYNC_BIT;
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { register_sync_msg(&sqe) }, Err(Errno::EINVAL));
    // Not a MSG_RING SQE (through the associated-function spelling).
    let mut sqe = io_uring_sqe::default();
    prep::nop(&mut sqe);
    sqe.fd = r.ring_fd();
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { Ring::register_sync_msg(&sqe) }, Err(Errno::EINVAL));
    // Unknown msg_ring flags.
    let mut sqe = io_uring_sqe::default();
    prep::msg_ring(&mut sqe, r.ring_fd(), 0, 0, 1 << 6);
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { register_sync_msg(&sqe) }, Err(Errno::EINVAL));
    // Targets: not a ring, not open, disabled.
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { msg::sync_send(1, 0, 0) }, Err(Errno::EBADFD));
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(
        unsafe { msg::sync_send(1_000_000, 0, 0) },
        Err(Errno::EBADF)
    );
    let d = Ring::queue_init(4, IORING_SETUP_R_DISABLED).unwrap();
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(
        unsafe { msg::sync_send(d.ring_fd(), 0, 0) },
        Err(Errno::EBADFD)
    );
    d.enable_rings().unwrap();
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    assert_eq!(unsafe { msg::sync_send(d.ring_fd(), 0, 0) }, Ok(()));
    // Reserved CQE flags are refused by the helper.
    assert_eq!(
        // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
        unsafe { msg::sync_send_cqe_flags(r.ring_fd(), 0, 0, 0x20) },
        Err(Errno::EINVAL)
    );
}

common::harness::main! {
    ringless_thread_wakes_a_waiter,
    cqe_flags_pass,
    several_senders_exact_counts,
    refusals,
}
