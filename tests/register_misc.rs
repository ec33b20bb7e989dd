//! eventfd, personality, restrictions, R_DISABLED + enable_rings, sync
//! cancel, io-wq affinity and max workers, clock: on the live kernel.

use bare_uring::register::{
    restriction_register_op, restriction_sqe_flags_allowed, restriction_sqe_op,
};
use bare_uring::sys::{
    __kernel_timespec, io_uring_clock_register, io_uring_napi, io_uring_sync_cancel_reg,
    IORING_ASYNC_CANCEL_ALL, IORING_ASYNC_CANCEL_ANY, IORING_ASYNC_CANCEL_FD, IORING_OP_NOP,
    IORING_REGISTER_PROBE, IORING_SETUP_IOPOLL, IORING_SETUP_R_DISABLED, IOSQE_ASYNC_BIT,
    IOSQE_IO_DRAIN_BIT, IOSQE_IO_LINK_BIT,
};
use bare_uring::syscall::{
    close, eventfd, pipe2, read, write, EFD_CLOEXEC, EFD_NONBLOCK, O_CLOEXEC,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::reap;

fn nop(ring: &mut Ring, ud: u64, flags: u8) {
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::nop(sqe);
    sqe.flags = flags;
    sqe.user_data = ud;
}

/// Reads the eventfd counter (non-blocking): `Err(EAGAIN)` when zero.
fn efd_count(fd: i32) -> Result<u64, Errno> {
    let mut b = [0u8; 8];
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { read(fd, &mut b) }.map(|_| u64::from_ne_bytes(b))
}

fn eventfd_is_signalled_per_cqe() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).unwrap();
    // SAFETY: the eventfd is open and owned here for the call (I/O safety).
    unsafe { ring.register_eventfd(efd) }.unwrap();
    // SAFETY: the eventfd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_eventfd(efd) }, Err(Errno::EBUSY));
    assert_eq!(efd_count(efd), Err(Errno::EAGAIN));
    nop(&mut ring, 1, 0);
    nop(&mut ring, 2, 0);
    ring.submit_and_wait(2).unwrap();
    assert_eq!(reap(&mut ring).user_data, 1);
    assert_eq!(reap(&mut ring).user_data, 2);
    // Both CQEs were posted in one batch; the kernel signals at least once
    // and at most once per CQE.
    let n = efd_count(efd).unwrap();
    assert!((1..=2).contains(&n), "eventfd count {n}");
    ring.unregister_eventfd().unwrap();
    assert_eq!(ring.unregister_eventfd(), Err(Errno::ENXIO));
    nop(&mut ring, 3, 0);
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).user_data, 3);
    assert_eq!(efd_count(efd), Err(Errno::EAGAIN));
    // Not an eventfd.
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the eventfd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_eventfd(r) }, Err(Errno::EINVAL));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(efd) }.unwrap();
}

fn eventfd_async_only_for_async_completions() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).unwrap();
    // SAFETY: the eventfd is open and owned here for the call (I/O safety).
    unsafe { ring.register_eventfd_async(efd) }.unwrap();
    // Completed inline at submission: no signal.
    nop(&mut ring, 1, 0);
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).user_data, 1);
    assert_eq!(efd_count(efd), Err(Errno::EAGAIN));
    // Completed by an io-wq worker (IOSQE_ASYNC): signalled.
    nop(&mut ring, 2, 1 << IOSQE_ASYNC_BIT);
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).user_data, 2);
    // The kernel may signal the eventfd just after the CQE is visible (the
    // signal can be deferred to an RCU callback): wait for it, bounded.
    let t = std::time::Instant::now();
    let mut got = efd_count(efd);
    while got == Err(Errno::EAGAIN) && t.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(1));
        got = efd_count(efd);
    }
    assert_eq!(got, Ok(1));
    // Exactly one signal: nothing more arrives.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(efd_count(efd), Err(Errno::EAGAIN));
    ring.unregister_eventfd().unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(efd) }.unwrap();
}

fn personality_ids() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let id = ring.register_personality().unwrap();
    assert!(id >= 1, "id {id}");
    let id2 = ring.register_personality().unwrap();
    assert_ne!(id, id2);
    for (ud, pers) in [(1u64, id), (2, id2), (3, id2 + 100)] {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::nop(sqe);
        sqe.personality = pers as u16;
        sqe.user_data = ud;
    }
    ring.submit_and_wait(3).unwrap();
    let mut res = [0i32; 3];
    for _ in 0..3 {
        let c = reap(&mut ring);
        res[c.user_data as usize - 1] = c.res;
    }
    assert_eq!(res, [0, 0, -Errno::EINVAL.0]);
    // SAFETY: every SQE naming `id` was consumed (all reaped above).
    unsafe { ring.unregister_personality(id) }.unwrap();
    // SAFETY: as above.
    assert_eq!(
        unsafe { ring.unregister_personality(id) },
        Err(Errno::EINVAL)
    );
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::nop(sqe);
    sqe.personality = id as u16;
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).res, -Errno::EINVAL.0);
    // SAFETY: no SQE names `id2`.
    unsafe { ring.unregister_personality(id2) }.unwrap();
}

fn disabled_ring_then_enable() {
    let mut ring = Ring::queue_init(8, IORING_SETUP_R_DISABLED).unwrap();
    nop(&mut ring, 7, 0);
    // io_uring_enter(2): EBADFD while the ring is disabled.
    assert_eq!(ring.submit(), Err(Errno::EBADFD));
    ring.enable_rings().unwrap();
    // Already enabled.
    assert_eq!(ring.enable_rings(), Err(Errno::EBADFD));
    // The NOP queued before is still in the SQ and goes now.
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).user_data, 7);
    // Restrictions need a disabled ring.
    assert_eq!(
        ring.register_restrictions(&[restriction_sqe_op(IORING_OP_NOP)]),
        Err(Errno::EBADFD)
    );
}

fn restrictions() {
    let mut ring = Ring::queue_init(8, IORING_SETUP_R_DISABLED).unwrap();
    let res = [
        restriction_sqe_op(IORING_OP_NOP),
        restriction_sqe_flags_allowed(1 << IOSQE_IO_LINK_BIT),
        restriction_register_op(IORING_REGISTER_PROBE),
    ];
    ring.register_restrictions(&res).unwrap();
    assert_eq!(ring.register_restrictions(&res), Err(Errno::EBUSY));
    ring.enable_rings().unwrap();
    // Allowed: NOP, with or without IO_LINK.
    nop(&mut ring, 1, 0);
    nop(&mut ring, 2, 1 << IOSQE_IO_LINK_BIT);
    nop(&mut ring, 3, 0);
    assert_eq!(ring.submit_and_wait(3), Ok(3));
    let mut uds: Vec<_> = (0..3)
        .map(|_| reap(&mut ring))
        .map(|c| (c.user_data, c.res))
        .collect();
    uds.sort();
    assert_eq!(uds, [(1, 0), (2, 0), (3, 0)]);
    // Not allowed: a READ, and NOP with IO_DRAIN. A refused SQE completes
    // with -EACCES and ends that submit call (no IORING_SETUP_SUBMIT_ALL),
    // so each goes in its own.
    let mut buf = [0u8; 4];
    // SAFETY: the read would fill `buf` (a local of this test, which outlives the CQE
    // reaped below); the restriction refuses it anyway.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::read(sqe, 0, buf.as_mut_ptr().cast(), 4, 0);
    sqe.user_data = 4;
    ring.submit_and_wait(1).unwrap();
    let c = reap(&mut ring);
    assert_eq!((c.user_data, c.res), (4, -Errno::EACCES.0));
    nop(&mut ring, 5, 1 << IOSQE_IO_DRAIN_BIT);
    ring.submit_and_wait(1).unwrap();
    let c = reap(&mut ring);
    assert_eq!((c.user_data, c.res), (5, -Errno::EACCES.0));
    // Register opcodes are restricted too once enabled.
    assert_eq!(ring.register_personality(), Err(Errno::EACCES));
    let p = ring.get_probe_ring().unwrap();
    assert!(p.opcode_supported(IORING_OP_NOP));
}

/// Skips the test unless the kernel knows IORING_REGISTER_SYNC_CANCEL
/// (6.0+), asked before anything is in flight: a cancel by an unknown
/// user_data answers ENOENT there, EINVAL (unknown register op) before.
fn require_sync_cancel(ring: &Ring) {
    let reg = io_uring_sync_cancel_reg {
        addr: 0x5ca7,
        timeout: __kernel_timespec {
            tv_sec: -1,
            tv_nsec: -1,
        },
        ..Default::default()
    };
    let r = ring.register_sync_cancel(&reg);
    if r != Err(Errno::ENOENT) {
        common::skip_on(
            r,
            &[Errno::EINVAL],
            "IORING_REGISTER_SYNC_CANCEL needs Linux 6.0+",
        );
        panic!("sync cancel with nothing in flight answered Ok");
    }
}

fn sync_cancel_any_ends_everything_in_flight() {
    // The form a program uses before it frees memory its requests point to
    // (the cancel step of `InFlight`'s drop, uring-core/src/inflight.rs):
    // ANY | ALL, one call.
    let mut ring = Ring::queue_init(8, 0).unwrap();
    require_sync_cancel(&ring);
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    let mut bufs = [[0u8; 8]; 3];
    for (i, b) in bufs.iter_mut().enumerate() {
        // SAFETY: each read targets its own element of `bufs` (a local of
        // this test), which nothing touches until the reads are cancelled
        // and reaped below.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::read(sqe, r, b.as_mut_ptr().cast(), 8, 0);
        sqe.user_data = 0xa0 + i as u64;
    }
    ring.submit().unwrap();
    let reg = io_uring_sync_cancel_reg {
        fd: -1,
        flags: IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY,
        timeout: __kernel_timespec {
            tv_sec: -1,
            tv_nsec: -1,
        },
        ..Default::default()
    };
    assert_eq!(ring.register_sync_cancel(&reg), Ok(3));
    // Every CQE is there when the call returns.
    assert_eq!(ring.cq_ready(), 3);
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push((c.user_data, c.res)));
    got.sort_unstable();
    let ecanceled = -Errno::ECANCELED.0;
    assert_eq!(
        got,
        [(0xa0, ecanceled), (0xa1, ecanceled), (0xa2, ecanceled)]
    );
    // Nothing left in flight: with ALL the answer is a count, 0 (not
    // ENOENT as for a single match).
    assert_eq!(ring.register_sync_cancel(&reg), Ok(0));
    // SAFETY: the fds are this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: as above.
    unsafe { close(w) }.unwrap();
}

fn sync_cancel_pending_pipe_read() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    require_sync_cancel(&ring);
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    let mut buf = [0u8; 8];
    for ud in [0xca1u64, 0xca2] {
        // SAFETY: both reads target `buf` (a local of this test), which nothing else touches
        // until both are cancelled and their CQEs reaped below.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::read(sqe, r, buf.as_mut_ptr().cast(), 8, 0);
        sqe.user_data = ud;
    }
    ring.submit().unwrap();
    assert_eq!(ring.cq_ready(), 0);
    let forever = __kernel_timespec {
        tv_sec: -1,
        tv_nsec: -1,
    };
    let mut reg = io_uring_sync_cancel_reg {
        addr: 0xca1,
        timeout: forever,
        ..Default::default()
    };
    assert_eq!(ring.register_sync_cancel(&reg), Ok(0));
    // Already gone; an unknown user_data.
    assert_eq!(ring.register_sync_cancel(&reg), Err(Errno::ENOENT));
    reg.addr = 0xdead;
    assert_eq!(ring.register_sync_cancel(&reg), Err(Errno::ENOENT));
    let c = reap(&mut ring);
    assert_eq!((c.user_data, c.res), (0xca1, -Errno::ECANCELED.0));
    // By fd.
    let reg = io_uring_sync_cancel_reg {
        fd: r,
        flags: IORING_ASYNC_CANCEL_FD,
        timeout: forever,
        ..Default::default()
    };
    assert_eq!(ring.register_sync_cancel(&reg), Ok(0));
    let c = reap(&mut ring);
    assert_eq!((c.user_data, c.res), (0xca2, -Errno::ECANCELED.0));
    assert_eq!(ring.cq_ready(), 0);
    // The pipe is untouched: data written now stays there.
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"q") }.unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { read(r, &mut buf) }, Ok(1));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn iowq_max_workers_get_set() {
    let ring = Ring::queue_init(8, 0).unwrap();
    let mut v = [0u32; 2];
    common::skip_on(
        ring.register_iowq_max_workers(&mut v),
        &[Errno::EINVAL],
        "IORING_REGISTER_IOWQ_MAX_WORKERS needs Linux 5.15+",
    );
    println!("io-wq max workers: bounded {} unbounded {}", v[0], v[1]);
    assert!(v[0] > 0 && v[1] > 0, "{v:?}");
    let before = v;
    let mut v = [2, 3];
    ring.register_iowq_max_workers(&mut v).unwrap();
    assert_eq!(v, before, "setting returns the previous limits");
    let mut v = [0, 0];
    ring.register_iowq_max_workers(&mut v).unwrap();
    assert_eq!(v, [2, 3]);
    // 0 leaves one value alone.
    let mut v = [0, 5];
    ring.register_iowq_max_workers(&mut v).unwrap();
    let mut v = [0, 0];
    ring.register_iowq_max_workers(&mut v).unwrap();
    assert_eq!(v, [2, 5]);
}

/// The first CPU this process may run on (from /proc/self/status).
fn first_allowed_cpu() -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s
        .lines()
        .find(|l| l.starts_with("Cpus_allowed_list:"))
        .unwrap();
    let list = line.split(':').nth(1).unwrap().trim();
    list.split([',', '-']).next().unwrap().parse().unwrap()
}

fn iowq_affinity() {
    let ring = Ring::queue_init(8, 0).unwrap();
    let cpu = first_allowed_cpu();
    let mut mask = [0u8; 128];
    mask[cpu / 8] |= 1 << (cpu % 8);
    common::skip_on(
        ring.register_iowq_aff(&mask),
        &[Errno::EINVAL],
        "IORING_REGISTER_IOWQ_AFF needs Linux 5.14+",
    );
    ring.unregister_iowq_aff().unwrap();
    assert_eq!(ring.register_iowq_aff(&[]), Err(Errno::EINVAL));
}

fn clock() {
    let ring = Ring::queue_init(8, 0).unwrap();
    const CLOCK_MONOTONIC: u32 = 1;
    const CLOCK_PROCESS_CPUTIME_ID: u32 = 2;
    const CLOCK_BOOTTIME: u32 = 7;
    // Unknown register op before 6.12: EINVAL for a valid clock too.
    common::skip_on(
        ring.register_clock(&io_uring_clock_register {
            clockid: CLOCK_BOOTTIME,
            __resv: [0; 3],
        }),
        &[Errno::EINVAL],
        "IORING_REGISTER_CLOCK needs Linux 6.12+",
    );
    ring.register_clock(&io_uring_clock_register {
        clockid: CLOCK_MONOTONIC,
        __resv: [0; 3],
    })
    .unwrap();
    let bad = io_uring_clock_register {
        clockid: CLOCK_PROCESS_CPUTIME_ID,
        __resv: [0; 3],
    };
    assert_eq!(ring.register_clock(&bad), Err(Errno::EINVAL));
    let resv = io_uring_clock_register {
        clockid: CLOCK_MONOTONIC,
        __resv: [1, 0, 0],
    };
    assert_eq!(ring.register_clock(&resv), Err(Errno::EINVAL));
}

fn napi_settings_round_trip() {
    let ring = Ring::queue_init(8, 0).unwrap();
    let mut n = io_uring_napi {
        busy_poll_to: 50,
        prefer_busy_poll: 1,
        ..Default::default()
    };
    // Unknown register op before 6.9: EINVAL; a kernel built without
    // CONFIG_NET_RX_BUSY_POLL: EOPNOTSUPP.
    common::skip_on(
        ring.register_napi(&mut n),
        &[Errno::EINVAL, Errno::EOPNOTSUPP],
        "IORING_REGISTER_NAPI needs Linux 6.9+ with CONFIG_NET_RX_BUSY_POLL",
    );
    // The previous settings come back: none.
    assert_eq!((n.busy_poll_to, n.prefer_busy_poll), (0, 0));
    let mut out = io_uring_napi::default();
    ring.unregister_napi(Some(&mut out)).unwrap();
    assert_eq!((out.busy_poll_to, out.prefer_busy_poll), (50, 1));
    ring.unregister_napi(None).unwrap();
    // 6.18 reads liburing 2.15's pad[0] as a NAPI opcode and the low half
    // of resv as its parameter; pad[1..3] and the high half are reserved.
    for (pad, resv) in [
        ([0, 1, 0], 0),
        ([0, 0, 1], 0),
        ([0, 0, 0], 1u64 << 32),
        ([9, 0, 0], 0),
    ] {
        let mut bad = io_uring_napi {
            pad,
            resv,
            ..Default::default()
        };
        assert_eq!(
            ring.register_napi(&mut bad),
            Err(Errno::EINVAL),
            "{pad:?} {resv:#x}"
        );
    }
    // IOPOLL rings cannot busy poll sockets.
    let iopoll = Ring::queue_init(2, IORING_SETUP_IOPOLL).unwrap();
    assert_eq!(
        iopoll.register_napi(&mut io_uring_napi::default()),
        Err(Errno::EINVAL)
    );
}

common::harness::main! {
    eventfd_is_signalled_per_cqe,
    eventfd_async_only_for_async_completions,
    personality_ids,
    disabled_ring_then_enable,
    restrictions,
    sync_cancel_any_ends_everything_in_flight,
    sync_cancel_pending_pipe_read,
    iowq_max_workers_get_set,
    iowq_affinity,
    clock,
    napi_settings_round_trip,
}
