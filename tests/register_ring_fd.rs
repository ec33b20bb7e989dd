//! Registering the ring fd: enter and register then go through the
//! registered index (proved by closing the real fd), per-task scope,
//! unregistering.

use bare_uring::ring::Params;
use bare_uring::sys::{
    IORING_FEAT_REG_REG_RING, IORING_SETUP_NO_MMAP, IORING_SETUP_REGISTERED_FD_ONLY,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::reap;

fn nop_round_trip(ring: &mut Ring, ud: u64) -> Result<(), Errno> {
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::nop(sqe);
    sqe.user_data = ud;
    ring.submit_and_wait(1)?;
    let c = reap(ring);
    assert_eq!((c.user_data, c.res), (ud, 0));
    Ok(())
}

/// `ring.register_ring_fd()`, skipping the test where the kernel has no
/// IORING_REGISTER_RING_FDS (5.18+: EINVAL for an unknown register op).
fn register_or_skip(ring: &mut Ring) -> u32 {
    common::skip_on(
        ring.register_ring_fd(),
        &[Errno::EINVAL],
        "IORING_REGISTER_RING_FDS needs Linux 5.18+",
    )
}

fn register_then_close_real_fd() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_REG_REG_RING,
        "IORING_FEAT_REG_REG_RING",
        "6.3",
    );
    assert_eq!(ring.registered_index(), None);
    let idx = ring.register_ring_fd().unwrap();
    assert!(idx < 16, "index {idx}");
    assert_eq!(ring.registered_index(), Some(idx));
    assert_eq!(ring.enter_ring_fd(), idx);
    assert_eq!(ring.register_ring_fd(), Err(Errno::EEXIST));
    nop_round_trip(&mut ring, 1).unwrap();
    // Without the real fd, only the registered index reaches the ring:
    // enter and register keep working.
    ring.close_ring_fd().unwrap();
    assert_eq!(ring.ring_fd(), -1);
    nop_round_trip(&mut ring, 2).unwrap();
    ring.register_files_sparse(2).unwrap();
    let id = ring.register_personality().unwrap();
    // SAFETY: no SQE names `id`.
    unsafe { ring.unregister_personality(id) }.unwrap();
    assert_eq!(ring.close_ring_fd(), Err(Errno::EBADF));
    // Unregistering would strand the ring: refused.
    assert_eq!(ring.unregister_ring_fd(), Err(Errno::EBADF));
    nop_round_trip(&mut ring, 3).unwrap();
}

fn unregister_goes_back_to_the_fd() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    assert_eq!(ring.unregister_ring_fd(), Err(Errno::EINVAL));
    // As liburing: without IORING_FEAT_REG_REG_RING (6.3+) closing the real
    // fd is never offered; with it, an unregistered ring cannot close it.
    let close_err = if ring.features() & IORING_FEAT_REG_REG_RING != 0 {
        Errno::EINVAL
    } else {
        Errno::EOPNOTSUPP
    };
    assert_eq!(ring.close_ring_fd(), Err(close_err));
    register_or_skip(&mut ring);
    nop_round_trip(&mut ring, 1).unwrap();
    ring.unregister_ring_fd().unwrap();
    assert_eq!(ring.registered_index(), None);
    assert_eq!(ring.enter_ring_fd(), ring.ring_fd() as u32);
    nop_round_trip(&mut ring, 2).unwrap();
    assert_eq!(ring.unregister_ring_fd(), Err(Errno::EINVAL));
    // And again.
    ring.register_ring_fd().unwrap();
    nop_round_trip(&mut ring, 3).unwrap();
}

fn a_registered_ring_cannot_leave_its_thread() {
    // The registered index is an entry of this thread's table: `Ring` is
    // not Send (tests/compile_fail has the program that tries), and the
    // explicit way across threads refuses a registered ring.
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let idx = register_or_skip(&mut ring);
    let (mut ring, e) = ring.into_send().unwrap_err();
    assert_eq!(e, Errno::EBUSY);
    assert_eq!(ring.registered_index(), Some(idx));
    nop_round_trip(&mut ring, 1).unwrap();
    // Unregistered, it may move; on the other thread it works through its
    // plain fd, and another ring registered there at the same index is
    // never touched by it.
    ring.unregister_ring_fd().unwrap();
    let sendable = ring.into_send().unwrap();
    std::thread::spawn(move || {
        let mut other = Ring::queue_init(2, 0).unwrap();
        assert_eq!(other.register_ring_fd(), Ok(idx));
        let mut ring = sendable.into_ring();
        assert_eq!(ring.registered_index(), None);
        nop_round_trip(&mut ring, 2).unwrap();
        assert_eq!(other.cq_ready(), 0);
        nop_round_trip(&mut other, 3).unwrap();
    })
    .join()
    .unwrap();
}

fn registered_fd_only_rings_never_leave_their_thread() {
    let mut p = Params::new().with_flags(IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
    let ring = common::setup_params_or_skip(
        4,
        &mut p,
        "IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP",
        "6.5",
    );
    assert!(ring.registered_index().is_some());
    assert_eq!(ring.into_send().unwrap_err().1, Errno::EBUSY);
}

fn many_rings_fill_the_task_table() {
    // A task has 16 registered-ring slots (IO_RINGFD_REG_MAX).
    let mut rings: Vec<Ring> = (0..17).map(|_| Ring::queue_init(2, 0).unwrap()).collect();
    let mut seen = Vec::new();
    for r in rings.iter_mut().take(16) {
        seen.push(register_or_skip(r));
    }
    seen.sort();
    assert_eq!(seen, (0..16).collect::<Vec<u32>>());
    assert_eq!(rings[16].register_ring_fd(), Err(Errno::EBUSY));
    // Dropping a ring frees its slot.
    rings.swap_remove(0);
    assert!(rings[0].register_ring_fd().is_ok());
}

/// Found by the third adversarial pass: through `register_raw`, a caller
/// could unregister the ring's index behind the `Ring`'s back, and a new
/// ring given that index then received this ring's registrations. The raw
/// entry points refuse the opcodes that change what a `Ring` tracks.
fn raw_register_refuses_ring_state_opcodes() {
    use bare_uring::sys::{
        io_uring_rsrc_update, IORING_REGISTER_RESIZE_RINGS, IORING_REGISTER_RING_FDS,
        IORING_REGISTER_SEND_MSG_RING, IORING_REGISTER_USE_REGISTERED_RING,
        IORING_UNREGISTER_RING_FDS,
    };
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let idx = register_or_skip(&mut ring);
    let up = io_uring_rsrc_update {
        offset: idx,
        resv: 0,
        data: 0,
    };
    let arg = (&up as *const io_uring_rsrc_update).cast();
    for op in [
        IORING_REGISTER_RING_FDS,
        IORING_UNREGISTER_RING_FDS,
        IORING_UNREGISTER_RING_FDS | IORING_REGISTER_USE_REGISTERED_RING,
        IORING_REGISTER_RESIZE_RINGS,
        IORING_REGISTER_SEND_MSG_RING,
    ] {
        // SAFETY: refused before any syscall (asserted); `up` is valid.
        assert_eq!(
            unsafe { ring.register_raw(op, arg, 1) },
            Err(Errno::EINVAL),
            "{op:#x}"
        );
    }
    // The index is still this ring's.
    nop_round_trip(&mut ring, 1).unwrap();
    assert_eq!(ring.registered_index(), Some(idx));
    let (sq, _cq, submitter) = ring.split();
    drop(sq);
    // SAFETY: refused before any syscall (asserted); `up` is valid.
    let r = unsafe { submitter.register_raw(IORING_UNREGISTER_RING_FDS, arg, 1) };
    assert_eq!(r, Err(Errno::EINVAL));
}

/// Found by the third adversarial pass: `Ring::enter` passed the caller's
/// IORING_ENTER_REGISTERED_RING on, so an unregistered ring's fd number
/// was read as a registered index (another ring's, when one sat there).
/// The flag is the ring's to add: with the ring unregistered the call
/// enters this ring by its fd.
fn enter_ignores_the_callers_registered_ring_flag() {
    use bare_uring::sys::IORING_ENTER_REGISTERED_RING;
    let ring = Ring::queue_init(4, 0).unwrap();
    assert_eq!(ring.registered_index(), None);
    // SAFETY: no argument; nothing is published.
    let r = unsafe { ring.enter(0, 0, IORING_ENTER_REGISTERED_RING, std::ptr::null(), 8) };
    assert_eq!(r, Ok(0));
}

common::harness::main! {
    register_then_close_real_fd,
    unregister_goes_back_to_the_fd,
    a_registered_ring_cannot_leave_its_thread,
    registered_fd_only_rings_never_leave_their_thread,
    many_rings_fill_the_task_table,
    raw_register_refuses_ring_state_opcodes,
    enter_ignores_the_callers_registered_ring_flag,
}
