//! Setup flags against the live kernel: SQPOLL, SINGLE_ISSUER |
//! DEFER_TASKRUN, R_DISABLED, SQE128/CQE32 and the mixed sizes,
//! NO_SQARRAY, registered ring fds, eventfd toggling, layout constants.
//!
//! Each test that needs a newer kernel than 5.10 skips at run time, from
//! the kernel's own answer: the setup's EINVAL for an unknown flag, a
//! register op's EINVAL, a request's EINVAL, or a missing feature bit.

use bare_uring::ring::{Params, RINGS_HEADER};
use bare_uring::sys::*;
use bare_uring::{syscall, Errno, Ring};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

mod common;
use common::nop;

fn round_trip(ring: &mut Ring, user_data: u64) {
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), user_data);
    ring.submit().unwrap();
    let cqe = ring.wait_cqe().unwrap();
    assert_eq!((cqe.user_data, cqe.res), (user_data, 0));
    ring.cqe_seen(&cqe);
}

/// Whether this kernel sets up a ring with IORING_SETUP_NO_SQARRAY
/// (6.6+): asked directly (with the flag given, setup does not fall back).
fn kernel_has_no_sqarray() -> bool {
    match Ring::queue_init(2, IORING_SETUP_NO_SQARRAY) {
        Ok(_) => true,
        Err(Errno::EINVAL) => false,
        Err(e) => panic!("io_uring_setup with IORING_SETUP_NO_SQARRAY: {e:?}"),
    }
}

fn params_written_back_and_header_constant_matches_kernel() {
    let mut p = Params::new();
    let ring = Ring::queue_init_params(16, &mut p).unwrap();
    assert_eq!((p.sq_entries, p.cq_entries), (16, 32));
    // RINGS_HEADER is an upper bound of sizeof(struct io_rings): 64 on
    // this kernel, 320 where head/tail had their own cache lines.
    println!("cq_off.cqes = {}", p.cq_off.cqes);
    assert!(
        p.cq_off.cqes as usize <= RINGS_HEADER,
        "sizeof(struct io_rings) grew"
    );
    assert_ne!(p.features & IORING_FEAT_SINGLE_MMAP, 0);
    assert_eq!(ring.features(), p.features);
    // NO_SQARRAY is added by default (liburing 2.15 does the same) where
    // the kernel has it (6.6+); where it refuses the flag (EINVAL), setup
    // is retried without it.
    if kernel_has_no_sqarray() {
        assert_eq!(ring.flags(), IORING_SETUP_NO_SQARRAY);
        assert_eq!(p.flags, IORING_SETUP_NO_SQARRAY);
    } else {
        assert_eq!(ring.flags(), 0, "the fallback ring has an SQ array");
        assert_eq!(p.flags, 0);
        assert_ne!(p.sq_off.array, 0);
    }
    assert_eq!(ring.as_raw_fd(), ring.ring_fd());
}

/// Run by `setup_falls_back_when_no_sqarray_is_refused` under strace,
/// which fails this thread's first io_uring_setup with EINVAL (what a
/// kernel before 6.6 answers to IORING_SETUP_NO_SQARRAY): setup must be
/// retried without the flag, and the ring, which has an SQ array, works.
fn child_setup_after_a_refused_no_sqarray() {
    let mut p = Params::new();
    let mut ring = Ring::queue_init_params(8, &mut p).unwrap();
    assert_eq!(ring.flags(), 0, "the retried setup has no NO_SQARRAY");
    assert_eq!(p.flags, 0);
    assert_ne!(p.sq_off.array, 0, "the kernel laid out an SQ array");
    for i in 0..20 {
        round_trip(&mut ring, i);
    }
}

/// The NO_SQARRAY fallback of `queue_init_params`, on any kernel: the
/// refusal an older kernel gives is injected with strace.
fn setup_falls_back_when_no_sqarray_is_refused() {
    let strace = common::require_tool("strace");
    let log = std::env::temp_dir().join(format!(
        "uring-no-sqarray-fallback-{}.strace",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&log);
    let out = std::process::Command::new(&strace)
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=io_uring_setup",
            "-e",
            "inject=io_uring_setup:error=EINVAL:when=1",
            "-o",
        ])
        .arg(&log)
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_setup_after_a_refused_no_sqarray",
            "--ignored",
            "--test-threads=1",
        ])
        .output()
        .expect("run strace");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let calls: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("io_uring_setup("))
        .collect();
    if !calls.iter().any(|l| l.contains("(INJECTED)")) {
        common::host_tool_unavailable(
            "strace",
            &format!(
                "cannot trace or inject errors here (ptrace not allowed? strace before 4.16?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        );
    }
    println!("{}", calls.join("\n"));
    assert!(
        out.status.success(),
        "child under strace failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(calls.len(), 2, "the refused setup and its retry");
    assert!(calls[0].contains("(INJECTED)"));
    assert!(!calls[1].contains("= -1"), "the retry succeeded");
}

/// Sets a 16-entry ring with `flags` up by hand (queue_init_params would
/// add NO_SQARRAY) and checks that the kernel's SQ array follows `hdr`
/// bytes of header and the CQEs at a cache-line boundary, as rings_size()
/// assumes; `cqe_slots` is 1 for 16-byte CQEs, 2 for CQE32 (the kernel
/// doubles header + CQEs). Then maps it and runs a NOP.
fn check_sq_array_offset(p: &mut Params, cqe_slots: usize) {
    let flags = p.flags;
    // SAFETY: p is a valid io_uring_params; no NO_MMAP.
    let fd = unsafe { syscall::io_uring_setup(16, &mut p.0) };
    let fd = if flags & IORING_SETUP_CQE32 != 0 {
        common::skip_on(
            fd,
            &[Errno::EINVAL],
            "IORING_SETUP_CQE32 needs Linux 5.19+ (io_uring_setup)",
        )
    } else {
        fd.unwrap()
    };
    let hdr = p.cq_off.cqes as usize;
    let array = ((hdr + 32 * 16) * cqe_slots).next_multiple_of(64);
    assert_eq!(p.sq_off.array as usize, array, "flags {flags:#x}");
    // SAFETY: a fresh io_uring fd with the parameters setup returned.
    let mut ring = unsafe { Ring::queue_mmap(fd, p) }.unwrap();
    assert_eq!(ring.flags(), flags);
    round_trip(&mut ring, 3);
}

fn sq_array_follows_the_cqes_at_a_cache_line() {
    check_sq_array_offset(&mut Params::new(), 1);
}

fn sq_array_follows_the_doubled_cqe32_area() {
    check_sq_array_offset(&mut Params::new().with_flags(IORING_SETUP_CQE32), 2);
}

fn cqsize_and_clamp() {
    let mut p = Params::new().cq_size(100);
    let ring = Ring::queue_init_params(8, &mut p).unwrap();
    assert_eq!(ring.cq_entries(), 128);
    let mut p = Params::new().cq_size(4);
    assert_eq!(
        Ring::queue_init_params(8, &mut p).unwrap_err(),
        Errno::EINVAL
    );
    let mut p = Params::new().cq_size(0);
    assert_eq!(
        Ring::queue_init_params(8, &mut p).unwrap_err(),
        Errno::EINVAL
    );
}

fn sqpoll_submits_and_wakes_the_thread() {
    let mut p = Params::new().sqpoll(1);
    let mut ring = Ring::queue_init_params(8, &mut p).unwrap();
    assert_ne!(ring.flags() & IORING_SETUP_SQPOLL, 0);
    round_trip(&mut ring, 1);
    // Let the thread go idle (1 ms idle time) and flag NEED_WAKEUP.
    let start = Instant::now();
    while ring.sq_flags() & IORING_SQ_NEED_WAKEUP == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "SQPOLL thread never slept"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    println!("SQPOLL thread asleep after {:?}", start.elapsed());
    // submit must see the flag and enter with IORING_ENTER_SQ_WAKEUP.
    round_trip(&mut ring, 2);
    // A full SQ with SQPOLL: sqring_wait returns once space frees.
    for i in 0..8 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), 10 + i);
    }
    // SAFETY: the SQ is full, so no slot is handed out.
    assert!(unsafe { ring.get_sqe() }.is_none());
    ring.submit().unwrap();
    ring.sqring_wait().unwrap();
    let mut n = 0;
    while n < 8 {
        let c = ring.wait_cqe().unwrap();
        ring.cqe_seen(&c);
        n += 1;
    }
    // SAFETY: only checked for: this slot (a NOP's old bytes) is never submitted.
    assert!(unsafe { ring.get_sqe() }.is_some());
}

fn single_issuer_defer_taskrun() {
    drop(common::setup_or_skip(
        8,
        IORING_SETUP_SINGLE_ISSUER,
        "IORING_SETUP_SINGLE_ISSUER",
        "6.0",
    ));
    let mut ring = common::setup_or_skip(
        8,
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        "IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    );
    for i in 0..4 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), i);
    }
    assert_eq!(ring.submit_and_wait(4).unwrap(), 4);
    let mut seen = Vec::new();
    ring.for_each_cqe(|c| seen.push(c.user_data));
    seen.sort();
    assert_eq!(seen, [0, 1, 2, 3]);
    // Another task may not submit.
    let ring = ring.into_send().unwrap();
    let t = std::thread::spawn(move || {
        let mut ring = ring.into_ring();
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), 9);
        ring.submit()
    });
    assert_eq!(t.join().unwrap(), Err(Errno::EEXIST));
}

fn r_disabled_then_enable() {
    let mut ring = Ring::queue_init(4, IORING_SETUP_R_DISABLED).unwrap();
    // SAFETY: a NOP points to no memory.
    nop(unsafe { ring.get_sqe() }.unwrap(), 5);
    assert_eq!(ring.submit().unwrap_err(), Errno::EBADFD);
    // SAFETY: ENABLE_RINGS takes no argument.
    unsafe { ring.register_raw(IORING_REGISTER_ENABLE_RINGS, std::ptr::null(), 0) }.unwrap();
    // The SQE is still published (the tail was stored before the error).
    assert_eq!(ring.submit_and_wait(1).unwrap(), 1);
    let c = ring.wait_cqe().unwrap();
    assert_eq!(c.user_data, 5);
}

fn sqe128_ring() {
    let mut ring = common::setup_or_skip(4, IORING_SETUP_SQE128, "IORING_SETUP_SQE128", "5.19");
    for i in 0..4u64 {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe128() }.unwrap();
        nop(sqe, i);
        sqe.ext = [0xa5; 64];
        sqe.cmd()[79] = 1;
    }
    // SAFETY: the SQ is full, so no slot is handed out.
    assert!(unsafe { ring.get_sqe128() }.is_none());
    ring.submit_and_wait(4).unwrap();
    assert_eq!(ring.for_each_cqe(|c| assert_eq!(c.res, 0)), 4);
    // Slots are 128 bytes apart.
    // SAFETY: only the slots' addresses are used: they hold the NOPs' old bytes and are
    // never submitted.
    let a = unsafe { ring.get_sqe() }.unwrap() as *mut io_uring_sqe as usize;
    // SAFETY: as above.
    let b = unsafe { ring.get_sqe() }.unwrap() as *mut io_uring_sqe as usize;
    assert_eq!(b - a, 128);
}

fn cqe32_ring_round_trips() {
    let mut ring = common::setup_or_skip(4, IORING_SETUP_CQE32, "IORING_SETUP_CQE32", "5.19");
    for i in 0..10 {
        round_trip(&mut ring, i);
    }
}

fn cqe32_ring_carries_big_cqe() {
    let mut ring = common::setup_or_skip(4, IORING_SETUP_CQE32, "IORING_SETUP_CQE32", "5.19");
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    nop(sqe, 42);
    sqe.set_nop_flags(IORING_NOP_CQE32);
    sqe.set_off(0x1111);
    sqe.set_addr(0x2222);
    ring.submit_and_wait(1).unwrap();
    // The 16-byte view reads the first half of the same CQE.
    let first = ring.wait_cqe().unwrap();
    // A kernel without the NOP flag fails the NOP (unknown nop_flags).
    common::skip_on_res(
        first.res,
        &[Errno::EINVAL],
        "IORING_NOP_CQE32 needs Linux 6.18+ (the NOP's CQE)",
    );
    let c = ring.wait_cqe32().unwrap();
    assert_eq!(*c, first);
    assert_eq!((c.user_data, c.res), (42, 0));
    assert_eq!(c.big_cqe(), &[0x1111, 0x2222]);
    assert_eq!(ring.cqe_nr(&c), 1);
    ring.cqe_seen(&c);
    // A plain NOP in a CQE32 ring still has a (zero) second half.
    round_trip(&mut ring, 43);
}

fn cqe_mixed_ring() {
    let mut ring =
        common::setup_or_skip(4, IORING_SETUP_CQE_MIXED, "IORING_SETUP_CQE_MIXED", "6.18");
    // 16-byte and 32-byte CQEs interleaved, wrapping the 8-slot CQ a few
    // times so the kernel has to pad.
    for round in 0..10u64 {
        for k in 0..3u64 {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.unwrap();
            nop(sqe, round * 10 + k);
            if k == 1 {
                sqe.set_nop_flags(IORING_NOP_CQE32);
                sqe.set_off(round);
                sqe.set_addr(k);
            }
        }
        ring.submit_and_wait(3).unwrap();
        let cqes: Vec<bare_uring::cq::Cqe32> = ring.cqes32().collect();
        let mut got: Vec<_> = cqes
            .iter()
            .map(|c| (c.user_data, big_of(c), ring.cqe_nr(c)))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (round * 10, None, 1),
                (round * 10 + 1, Some([round, 1]), 2),
                (round * 10 + 2, None, 1)
            ]
        );
        assert_eq!(ring.cq_ready(), 0);
    }
}

const SQE_MIXED: u32 = IORING_SETUP_SQE_MIXED | IORING_SETUP_NO_SQARRAY;

/// IORING_SETUP_SQE_MIXED (Linux 6.19+): a kernel that accepts it pads at
/// the wrap; one that does not refuses the flag with EINVAL, nothing else.
/// (`sqe_mixed_ring_pads_at_the_wrap` requires the flag: skipped at run
/// time when the kernel refuses it.)
fn sqe_mixed_is_accepted_or_refused_with_einval() {
    match Ring::queue_init(4, SQE_MIXED) {
        Ok(ring) => sqe_mixed_pads(ring),
        Err(e) => assert_eq!(e, Errno::EINVAL),
    }
}

fn sqe_mixed_ring_pads_at_the_wrap() {
    let ring = common::setup_or_skip(4, SQE_MIXED, "IORING_SETUP_SQE_MIXED", "6.19");
    sqe_mixed_pads(ring);
}

fn plain_ring_has_no_wide_sqes() {
    let mut plain = Ring::queue_init(4, 0).unwrap();
    // SAFETY: no SQE is handed out (asserted).
    assert!(unsafe { plain.get_sqe128() }.is_none());
}

fn sqe_mixed_pads(mut ring: Ring) {
    // Occupy slots so the tail sits on the last slot, then ask for a wide
    // SQE: the last slot becomes a skip-success NOP.
    for round in 0..5u64 {
        for i in 0..3 {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { ring.get_sqe() }.unwrap(), round * 100 + i);
        }
        ring.submit_and_wait(3).unwrap();
        assert_eq!(ring.for_each_cqe(|c| assert_eq!(c.res, 0)), 3);
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe128() }.unwrap();
        nop(sqe, round * 100 + 50);
        sqe.opcode = IORING_OP_NOP128 as u8;
        ring.submit_and_wait(1).unwrap();
        let mut got = Vec::new();
        ring.for_each_cqe(|c| got.push((c.user_data, c.res)));
        assert_eq!(got, [(round * 100 + 50, 0)], "the pad NOP posts nothing");
    }
}

fn no_sqarray() {
    let mut ring =
        common::setup_or_skip(8, IORING_SETUP_NO_SQARRAY, "IORING_SETUP_NO_SQARRAY", "6.6");
    for i in 0..20 {
        round_trip(&mut ring, i);
    }
}

fn submit_all_coop_taskrun_taskrun_flag() {
    for (flags, name, since) in [
        (IORING_SETUP_SUBMIT_ALL, "IORING_SETUP_SUBMIT_ALL", "5.18"),
        (
            IORING_SETUP_COOP_TASKRUN,
            "IORING_SETUP_COOP_TASKRUN",
            "5.19",
        ),
    ] {
        drop(common::setup_or_skip(8, flags, name, since));
    }
    let flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    let mut ring = common::setup_or_skip(8, flags, "IORING_SETUP_TASKRUN_FLAG", "5.19");
    round_trip(&mut ring, 1);
    assert_eq!(ring.submit_and_get_events().unwrap(), 0);
    assert_eq!(ring.get_events().unwrap(), 0);
}

fn attach_wq_shares_workers() {
    let a = Ring::queue_init(4, 0).unwrap();
    let mut p = Params::new();
    let mut b = Ring::queue_init_params_wq(4, &mut p, &a).unwrap();
    assert_ne!(p.flags & IORING_SETUP_ATTACH_WQ, 0);
    assert_eq!(p.wq_fd, a.ring_fd() as u32);
    round_trip(&mut b, 3);
    // The safe setups never hand the kernel a worker-pool fd number that
    // nobody vouches for: not through the builder, not through the public
    // fields, not through queue_init's flags (the kernel would have looked
    // up fd 0 there). Held to this ring's number, `a`'s, it is refused too:
    // the number alone proves nothing about who owns the file.
    let mut p = Params::new().attach_wq(a.ring_fd());
    assert_eq!(
        Ring::queue_init_params(4, &mut p).unwrap_err(),
        Errno::EINVAL
    );
    let mut p = Params::new();
    p.flags |= IORING_SETUP_ATTACH_WQ;
    p.wq_fd = a.ring_fd() as u32;
    assert_eq!(
        Ring::queue_init_params(4, &mut p).unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        Ring::queue_init(4, IORING_SETUP_ATTACH_WQ).unwrap_err(),
        Errno::EINVAL
    );
    // A ring without a real fd has no pool to offer.
    let mut ring_only = Ring::queue_init(4, 0).unwrap();
    if ring_only.features() & bare_uring::sys::IORING_FEAT_REG_REG_RING != 0 {
        register_ring_fd(&mut ring_only);
        ring_only.close_ring_fd().unwrap();
        assert_eq!(
            Ring::queue_init_params_wq(4, &mut Params::new(), &ring_only).unwrap_err(),
            Errno::EBADF
        );
    }
}

/// Registers the ring fd; skips the test where the kernel does not know
/// the register op (IORING_REGISTER_RING_FDS, 5.18+: EINVAL).
fn register_ring_fd(ring: &mut Ring) -> u32 {
    common::skip_on(
        ring.register_ring_fd(),
        &[Errno::EINVAL],
        "IORING_REGISTER_RING_FDS needs Linux 5.18+ (io_uring_register)",
    )
}

fn registered_ring_fd_is_used_by_enter() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let idx = register_ring_fd(&mut ring);
    assert_eq!(ring.registered_index(), Some(idx));
    assert_eq!(ring.enter_ring_fd(), idx);
    round_trip(&mut ring, 1);
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    assert_eq!(ring.wait_cqe_timeout(Some(&ts)).unwrap_err(), Errno::ETIME);
    if ring.features() & IORING_FEAT_REG_REG_RING == 0 {
        // Without it a later register call could not reach the ring:
        // the fd stays open (as liburing, EOPNOTSUPP).
        assert_eq!(ring.close_ring_fd(), Err(Errno::EOPNOTSUPP));
        assert!(ring.ring_fd() >= 0);
        round_trip(&mut ring, 2);
    }
}

fn closed_ring_fd_leaves_the_registered_index() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_REG_REG_RING,
        "IORING_FEAT_REG_REG_RING",
        "6.3",
    );
    register_ring_fd(&mut ring);
    round_trip(&mut ring, 1);
    // With the real fd closed, only the registered index can work.
    ring.close_ring_fd().unwrap();
    assert_eq!(ring.ring_fd(), -1);
    // SAFETY: the fd is this code's own and not used after this.
    assert_eq!(
        unsafe { syscall::close(ring.as_raw_fd()) },
        Err(Errno::EBADF)
    );
    round_trip(&mut ring, 2);
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    assert_eq!(ring.wait_cqe_timeout(Some(&ts)).unwrap_err(), Errno::ETIME);
    // register_raw goes through the index too (FEAT_REG_REG_RING).
    // SAFETY: no argument.
    let r = unsafe { ring.register_raw(IORING_REGISTER_ENABLE_RINGS, std::ptr::null(), 0) };
    assert_eq!(
        r,
        Err(Errno::EBADFD),
        "ring already enabled: the kernel saw our ring"
    );
}

fn drop_unregisters_the_ring_fd() {
    // A task has 16 registered-ring slots: leaking them would fail here.
    for i in 0..40 {
        let mut ring = Ring::queue_init(2, 0).unwrap();
        register_ring_fd(&mut ring);
        round_trip(&mut ring, i);
    }
}

fn eventfd_toggle() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let efd = syscall::eventfd(0, syscall::EFD_CLOEXEC | syscall::EFD_NONBLOCK).unwrap();
    // SAFETY: the kernel reads one int.
    unsafe { ring.register_raw(IORING_REGISTER_EVENTFD, (&efd as *const i32).cast(), 1) }.unwrap();
    assert!(ring.cq_eventfd_enabled());
    ring.cq_eventfd_toggle(false).unwrap();
    assert!(!ring.cq_eventfd_enabled());
    round_trip(&mut ring, 1);
    let mut b = [0u8; 8];
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { syscall::read(efd, &mut b) }, Err(Errno::EAGAIN));
    ring.cq_eventfd_toggle(true).unwrap();
    ring.cq_eventfd_toggle(true).unwrap(); // no-op
    round_trip(&mut ring, 2);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { syscall::read(efd, &mut b) }, Ok(8));
    assert_eq!(u64::from_ne_bytes(b), 1);
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { syscall::close(efd) }.unwrap();
}

fn registered_fd_only_with_no_mmap() {
    let mut p = Params::new().with_flags(IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
    let mut ring = common::setup_params_or_skip(
        4,
        &mut p,
        "IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP",
        "6.5",
    );
    assert_eq!(ring.ring_fd(), -1);
    assert!(ring.registered_index().is_some());
    round_trip(&mut ring, 77);
}

fn no_mmap_in_multi_page_heap_memory() {
    // 1024 entries: 16 pages of SQEs, 5 pages of rings, ordinary (not huge)
    // pages; kernels from 6.10 vmap them (6.5 to 6.9 need each region in
    // one page or one huge page, and answer EFAULT or EINVAL otherwise).
    drop(common::setup_or_skip(
        2,
        IORING_SETUP_NO_MMAP,
        "IORING_SETUP_NO_MMAP",
        "6.5",
    ));
    let vmaps_user_memory = {
        let probe = Ring::queue_init(2, 0).unwrap();
        // No flag or probe tells it; IORING_FEAT_RECVSEND_BUNDLE came in
        // the same release (6.10), so a kernel with it must succeed here.
        probe.features() & IORING_FEAT_RECVSEND_BUNDLE != 0
    };
    let mut p = Params::new();
    let l = bare_uring::ring::memory_layout(1024, &p).unwrap();
    let layout = std::alloc::Layout::from_size_align(l.size, l.align).unwrap();
    // SAFETY: non-zero size.
    let mem = unsafe { std::alloc::alloc_zeroed(layout) };
    assert!(!mem.is_null());
    {
        // SAFETY: mem holds l.size bytes, is page aligned, and is freed
        // only after the ring is dropped (end of this block).
        let mut ring = match unsafe { Ring::queue_init_mem(1024, &mut p, mem, l.size) } {
            Ok(r) => r,
            Err(e) => {
                // SAFETY: allocated above with this layout; no ring uses it.
                unsafe { std::alloc::dealloc(mem, layout) };
                if !vmaps_user_memory && (e == Errno::EFAULT || e == Errno::EINVAL) {
                    common::skip(&format!(
                        "NO_MMAP rings in memory of several ordinary pages need Linux 6.10+ \
                         (io_uring_setup: {e:?}; this kernel lacks IORING_FEAT_RECVSEND_BUNDLE, \
                         also new in 6.10)"
                    ));
                }
                panic!("NO_MMAP in {} bytes of heap: {e}", l.size);
            }
        };
        for i in 0..common::scale(3000) {
            round_trip(&mut ring, i);
        }
        let mut n = 0;
        for i in 0..1024 {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { ring.get_sqe() }.unwrap(), i);
        }
        ring.submit_and_wait(1024).unwrap();
        while n < 1024 {
            n += ring.for_each_cqe(|_| {});
        }
    }
    // SAFETY: the ring is gone.
    unsafe { std::alloc::dealloc(mem, layout) };
}

fn cqe_mixed_batches_across_padding() {
    let mut ring =
        common::setup_or_skip(4, IORING_SETUP_CQE_MIXED, "IORING_SETUP_CQE_MIXED", "6.18");
    let mut want = Vec::new();
    let mut got = Vec::new();
    let mut next = 0u64;
    let mut pads = 0;
    for round in 0..40u64 {
        // 1 or 2 small CQEs then one big one: the big one lands on every
        // slot parity, so the kernel must pad at the ring's end sometimes.
        for _ in 0..(round % 2 + 1) {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { ring.get_sqe() }.unwrap(), next);
            want.push((next, None));
            next += 1;
        }
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        nop(sqe, next);
        sqe.set_nop_flags(IORING_NOP_CQE32);
        sqe.set_off(next * 3);
        sqe.set_addr(next * 5);
        want.push((next, Some([next * 3, next * 5])));
        next += 1;
        let small = round as u32 % 2 + 1;
        ring.submit_and_wait(small + 1).unwrap();
        // Slots posted: the small ones, two for the big one, and a pad
        // when the big one would have straddled the end.
        if ring.cq_ready() == small + 3 {
            pads += 1;
        }
        let mut buf: [bare_uring::cq::Cqe32; 2] = Default::default();
        loop {
            let n = ring.peek_batch_cqe(&mut buf);
            if n == 0 {
                break;
            }
            let slots: u32 = buf[..n].iter().map(|c| ring.cqe_nr(c)).sum();
            got.extend(buf[..n].iter().map(|c| (c.user_data, big_of(c))));
            ring.cq_advance(slots);
        }
    }
    assert_eq!(got, want);
    println!("{pads} rounds were padded");
    assert!(
        pads > 0,
        "the kernel never padded: the test missed its case"
    );
}

const SQ_REWIND: u32 = IORING_SETUP_SQ_REWIND | IORING_SETUP_NO_SQARRAY;

/// IORING_SETUP_SQ_REWIND (Linux 7.0+): a kernel that accepts it runs
/// requests; one that does not refuses the flag with EINVAL, nothing else.
/// (`sq_rewind_ring_runs_requests` requires the flag: skipped at run time
/// when the kernel refuses it.)
fn sq_rewind_is_accepted_or_refused_with_einval() {
    match Ring::queue_init(4, SQ_REWIND) {
        Ok(ring) => sq_rewind_round_trips(ring),
        Err(e) => assert_eq!(e, Errno::EINVAL),
    }
}

fn sq_rewind_ring_runs_requests() {
    let ring = common::setup_or_skip(4, SQ_REWIND, "IORING_SETUP_SQ_REWIND", "7.0");
    sq_rewind_round_trips(ring);
}

fn sq_rewind_round_trips(mut ring: Ring) {
    for round in 0..10u64 {
        for i in 0..3 {
            // SAFETY: a NOP points to no memory.
            nop(unsafe { ring.get_sqe() }.unwrap(), round * 10 + i);
        }
        assert_eq!(ring.submit_and_wait(3).unwrap(), 3);
        let mut got = Vec::new();
        ring.for_each_cqe(|c| got.push(c.user_data));
        got.sort();
        assert_eq!(got, [round * 10, round * 10 + 1, round * 10 + 2]);
    }
}

/// A partial submit on an SQ_REWIND ring (the kernel stops the batch at
/// an SQE it refuses) is not followed by a second enter for the
/// remainder: with no SQ indices that enter would take slot 0 again and
/// run the first request twice. Every request completes at most once.
fn sq_rewind_partial_submit_is_not_resubmitted() {
    let mut ring = common::setup_or_skip(4, SQ_REWIND, "IORING_SETUP_SQ_REWIND", "7.0");
    // SAFETY: NOPs point to no memory; the refused SQE is a NOP with an
    // opcode past IORING_OP_LAST, which the kernel rejects unread.
    unsafe {
        nop(ring.get_sqe().unwrap(), 1);
        let bad = ring.get_sqe().unwrap();
        nop(bad, 2);
        bad.opcode = 0xff;
        nop(ring.get_sqe().unwrap(), 3);
    }
    // A wait without timeout or sigmask: submit and wait in one enter,
    // the path that used to re-enter with the unsubmitted remainder.
    let first = ring.submit_and_wait_timeout(1, None, None).unwrap();
    assert_eq!(first.user_data, 1);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let mut got = Vec::new();
    ring.for_each_cqe(|c| got.push((c.user_data, c.res)));
    println!("SQ_REWIND partial submit: CQEs {got:?}");
    let ones = got.iter().filter(|c| c.0 == 1).count();
    assert_eq!(ones, 1, "the first NOP ran once: {got:?}");
    assert!(got.contains(&(2, -Errno::EINVAL.0)), "{got:?}");
    assert!(got.iter().filter(|c| c.0 == 3).count() <= 1, "{got:?}");
    // The ring goes on from slot 0 with a fresh batch.
    sq_rewind_round_trips(ring);
}

fn no_iowait() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_NO_IOWAIT,
        "IORING_FEAT_NO_IOWAIT",
        "6.15",
    );
    ring.set_iowait(false).unwrap();
    round_trip(&mut ring, 1);
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    assert_eq!(ring.wait_cqe_timeout(Some(&ts)).unwrap_err(), Errno::ETIME);
    ring.set_iowait(true).unwrap();
    round_trip(&mut ring, 2);
}

fn register_ring_fd_api_switches_enter() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let idx = register_ring_fd(&mut ring);
    assert_eq!(ring.registered_index(), Some(idx));
    assert_eq!(ring.enter_ring_fd(), idx);
    round_trip(&mut ring, 1);
    ring.unregister_ring_fd().unwrap();
    assert_eq!(ring.registered_index(), None);
    assert_eq!(ring.enter_ring_fd(), ring.ring_fd() as u32);
    round_trip(&mut ring, 2);
    ring.queue_exit();
}

/// The second half of a CQE read from a CQE_MIXED ring, if it is a 32-byte
/// one (IORING_CQE_F_32).
fn big_of(c: &bare_uring::cq::Cqe32) -> Option<[u64; 2]> {
    (c.flags & bare_uring::sys::IORING_CQE_F_32 != 0).then(|| *c.big_cqe())
}

common::harness::main! {
    params_written_back_and_header_constant_matches_kernel,
    #[ignore = "child of setup_falls_back_when_no_sqarray_is_refused (runs under strace)"]
    child_setup_after_a_refused_no_sqarray,
    setup_falls_back_when_no_sqarray_is_refused,
    sq_array_follows_the_cqes_at_a_cache_line,
    sq_array_follows_the_doubled_cqe32_area,
    cqsize_and_clamp,
    sqpoll_submits_and_wakes_the_thread,
    single_issuer_defer_taskrun,
    r_disabled_then_enable,
    sqe128_ring,
    cqe32_ring_round_trips,
    cqe32_ring_carries_big_cqe,
    cqe_mixed_ring,
    sqe_mixed_is_accepted_or_refused_with_einval,
    sqe_mixed_ring_pads_at_the_wrap,
    plain_ring_has_no_wide_sqes,
    no_sqarray,
    submit_all_coop_taskrun_taskrun_flag,
    attach_wq_shares_workers,
    registered_ring_fd_is_used_by_enter,
    closed_ring_fd_leaves_the_registered_index,
    drop_unregisters_the_ring_fd,
    eventfd_toggle,
    registered_fd_only_with_no_mmap,
    no_mmap_in_multi_page_heap_memory,
    cqe_mixed_batches_across_padding,
    sq_rewind_is_accepted_or_refused_with_einval,
    sq_rewind_ring_runs_requests,
    sq_rewind_partial_submit_is_not_resubmitted,
    no_iowait,
    register_ring_fd_api_switches_enter,
}
