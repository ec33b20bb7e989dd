//! Registering the ring fd: enter and register then go through the
//! registered index (proved by closing the real fd), per-task scope,
//! unregistering.

use uring_core::sys::IORING_FEAT_REG_REG_RING;
use uring_core::{prep, Errno, Ring};

mod common;
use common::reap;

fn nop_round_trip(ring: &mut Ring, ud: u64) -> Result<(), Errno> {
    let sqe = ring.get_sqe().ok_or(Errno::EBUSY)?;
    prep::nop(sqe);
    sqe.user_data = ud;
    ring.submit_and_wait(1)?;
    let c = reap(ring);
    assert_eq!((c.user_data, c.res), (ud, 0));
    Ok(())
}

#[test]
fn register_then_close_real_fd() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    assert_ne!(
        ring.features() & IORING_FEAT_REG_REG_RING,
        0,
        "6.3+ kernel expected"
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
    ring.unregister_personality(id).unwrap();
    assert_eq!(ring.close_ring_fd(), Err(Errno::EBADF));
    // Unregistering would strand the ring: refused.
    assert_eq!(ring.unregister_ring_fd(), Err(Errno::EBADF));
    nop_round_trip(&mut ring, 3).unwrap();
}

#[test]
fn unregister_goes_back_to_the_fd() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    assert_eq!(ring.unregister_ring_fd(), Err(Errno::EINVAL));
    assert_eq!(ring.close_ring_fd(), Err(Errno::EINVAL));
    ring.register_ring_fd().unwrap();
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

#[test]
fn registration_is_per_thread() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    ring.register_ring_fd().unwrap();
    nop_round_trip(&mut ring, 1).unwrap();
    // A fresh thread has no registered-ring table at all: the kernel
    // answers EINVAL (EBADF only when the thread has a table whose slot
    // is empty).
    let mut ring = std::thread::spawn(move || {
        let sqe = ring.get_sqe().unwrap();
        prep::nop(sqe);
        assert_eq!(ring.submit(), Err(Errno::EINVAL));
        // Give this thread a table whose slot `moved` is empty.
        let moved = ring.registered_index().unwrap();
        let mut own: Vec<Ring> = (0..=moved)
            .map(|_| Ring::queue_init(2, 0).unwrap())
            .collect();
        for (i, r) in own.iter_mut().enumerate() {
            assert_eq!(r.register_ring_fd(), Ok(i as u32));
        }
        own[moved as usize].unregister_ring_fd().unwrap();
        assert_eq!(ring.submit(), Err(Errno::EBADF));
        ring
    })
    .join()
    .unwrap();
    // Back on the registering thread the queued NOP goes through.
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).res, 0);
}

#[test]
fn many_rings_fill_the_task_table() {
    // A task has 16 registered-ring slots (IO_RINGFD_REG_MAX).
    let mut rings: Vec<Ring> = (0..17).map(|_| Ring::queue_init(2, 0).unwrap()).collect();
    let mut seen = Vec::new();
    for r in rings.iter_mut().take(16) {
        seen.push(r.register_ring_fd().unwrap());
    }
    seen.sort();
    assert_eq!(seen, (0..16).collect::<Vec<u32>>());
    assert_eq!(rings[16].register_ring_fd(), Err(Errno::EBUSY));
    // Dropping a ring frees its slot.
    rings.swap_remove(0);
    assert!(rings[0].register_ring_fd().is_ok());
}
