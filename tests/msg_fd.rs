//! Passing direct descriptors between rings (msg_ring_fd /
//! msg_ring_fd_alloc) on the live kernel: chosen and allocated target
//! slots, I/O through the passed file, independence from the source slot,
//! IORING_MSG_RING_CQE_SKIP, and the documented errors.

use bare_uring::sys::{
    IORING_FILE_INDEX_ALLOC, IORING_MSG_RING_CQE_SKIP, IORING_OP_MSG_RING, IOSQE_FIXED_FILE_BIT,
};
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{msg, prep, Errno, Ring};

mod common;
use common::{reap, submit_one};

/// Passes source slot `src_slot` of `a` to ring `b_fd` at `dst` (or
/// IORING_FILE_INDEX_ALLOC); returns the sender's CQE res.
fn pass(a: &mut Ring, b_fd: i32, src_slot: i32, dst: u32, data: u64, flags: u32) -> i32 {
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send_fd(a, b_fd, src_slot, dst, data, flags, 0xfd5e) }.unwrap();
    a.submit_and_wait(1).unwrap();
    let c = reap(a);
    assert_eq!(c.user_data, 0xfd5e);
    c.res
}

/// Reads from fixed slot `slot` of `ring`; returns (res, bytes).
fn read_slot(ring: &mut Ring, slot: i32) -> (i32, Vec<u8>) {
    let mut buf = vec![0u8; 64];
    let c = submit_one(ring, 0x4ead, |sqe| {
        prep::read(sqe, slot, buf.as_mut_ptr().cast(), 64, 0);
        sqe.flags |= 1 << IOSQE_FIXED_FILE_BIT;
    });
    buf.truncate(c.res.max(0) as usize);
    (c.res, buf)
}

/// Two rings with sparse tables; a pipe whose read end sits in a's slot 1.
///
/// Skips the test where the kernel lacks a piece: IORING_OP_MSG_RING (5.18,
/// probe), sparse file tables (5.19, EINVAL), IORING_MSG_SEND_FD (6.0: an
/// unknown msg_ring command is EINVAL on the sender's CQE, tried on a
/// throwaway target).
fn setup() -> (Ring, Ring, i32, i32) {
    common::require_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING", "5.18");
    let mut a = Ring::queue_init(8, 0).unwrap();
    let b = Ring::queue_init(8, 0).unwrap();
    common::skip_on(
        a.register_files_sparse(4),
        &[Errno::EINVAL],
        "sparse file tables (IORING_RSRC_REGISTER_SPARSE) need Linux 5.19+",
    );
    b.register_files_sparse(8).unwrap();
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { a.register_files_update(1, &[r]) }, Ok(1));
    // The tables hold their own references.
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    let mut probe = Ring::queue_init(2, 0).unwrap();
    probe.register_files_sparse(1).unwrap();
    common::skip_on_res(
        pass(&mut a, probe.ring_fd(), 1, 0, 0x9e, 0),
        &[Errno::EINVAL],
        "IORING_MSG_SEND_FD needs Linux 6.0+",
    );
    assert_eq!(reap(&mut probe).user_data, 0x9e);
    (a, b, r, w)
}

fn file_arrives_at_the_chosen_slot() {
    let (mut a, mut b, _, w) = setup();
    assert_eq!(pass(&mut a, b.ring_fd(), 1, 6, 0xabc, 0), 0);
    let c = reap(&mut b);
    assert_eq!((c.user_data, c.res), (0xabc, 0));
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"through b") }.unwrap();
    assert_eq!(read_slot(&mut b, 6), (9, b"through b".to_vec()));
    // The source keeps its copy.
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"a too") }.unwrap();
    assert_eq!(read_slot(&mut a, 1), (5, b"a too".to_vec()));
    // After the source drops its slot, b's copy still works.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { a.register_files_update(1, &[-1]) }, Ok(1));
    assert_eq!(read_slot(&mut a, 1).0, -Errno::EBADF.0);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"still") }.unwrap();
    assert_eq!(read_slot(&mut b, 6), (5, b"still".to_vec()));
    // Even after the whole source ring is gone.
    drop(a);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"gone") }.unwrap();
    assert_eq!(read_slot(&mut b, 6), (4, b"gone".to_vec()));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn target_allocates_within_its_alloc_range() {
    let (mut a, mut b, _, w) = setup();
    b.register_file_alloc_range(3, 2).unwrap();
    let mut slots = Vec::new();
    for data in [1u64, 2] {
        let res = pass(&mut a, b.ring_fd(), 1, IORING_FILE_INDEX_ALLOC, data, 0);
        let c = reap(&mut b);
        assert_eq!(c.user_data, data);
        // The sender and the target both see the chosen slot.
        assert_eq!(c.res, res);
        slots.push(c.res);
    }
    slots.sort();
    assert_eq!(slots, [3, 4]);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"slot four") }.unwrap();
    assert_eq!(read_slot(&mut b, 4), (9, b"slot four".to_vec()));
    // The range is full: ENFILE, to the sender; the target gets nothing.
    assert_eq!(
        pass(&mut a, b.ring_fd(), 1, IORING_FILE_INDEX_ALLOC, 3, 0),
        -Errno::ENFILE.0
    );
    assert_eq!(b.cq_ready(), 0);
    // prep::msg_ring_fd_alloc is the same thing.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { b.register_files_update(3, &[-1]) }, Ok(1));
    // SAFETY: a MSG_RING points to no memory; it sends fixed file 1 to `b`, this test's own
    // ring, which expects it.
    let sqe = unsafe { a.get_sqe() }.unwrap();
    prep::msg_ring_fd_alloc(sqe, b.ring_fd(), 1, 4, 0);
    a.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut a).res, 3);
    assert_eq!((reap(&mut b).res, b.cq_ready()), (3, 0));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn cqe_skip_posts_nothing_on_the_target() {
    let (mut a, mut b, _, w) = setup();
    assert_eq!(
        pass(&mut a, b.ring_fd(), 1, 2, 9, IORING_MSG_RING_CQE_SKIP),
        0
    );
    assert_eq!(b.peek_cqe().err(), Some(Errno::EAGAIN));
    // ... but the file is there.
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"quiet") }.unwrap();
    assert_eq!(read_slot(&mut b, 2), (5, b"quiet".to_vec()));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn occupied_target_slot_is_replaced() {
    let (mut a, mut b, _, w) = setup();
    let [r2, w2] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { b.register_files_update(5, &[r2]) }, Ok(1));
    assert_eq!(pass(&mut a, b.ring_fd(), 1, 5, 0, 0), 0);
    reap(&mut b);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w2, b"old") }.unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"new") }.unwrap();
    assert_eq!(read_slot(&mut b, 5), (3, b"new".to_vec()));
    for fd in [r2, w2, w] {
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { close(fd) }.unwrap();
    }
}

fn errors() {
    let (mut a, mut b, _, w) = setup();
    let a_fd = a.ring_fd();
    // Target is the source ring itself.
    assert_eq!(pass(&mut a, a_fd, 1, 2, 0, 0), -Errno::EINVAL.0);
    // Empty source slot; source slot beyond the table.
    assert_eq!(pass(&mut a, b.ring_fd(), 0, 2, 0, 0), -Errno::EBADF.0);
    assert_eq!(pass(&mut a, b.ring_fd(), 100, 2, 0, 0), -Errno::EBADF.0);
    // Target slot beyond the target's table.
    assert_eq!(pass(&mut a, b.ring_fd(), 1, 8, 0, 0), -Errno::EINVAL.0);
    // Target without any file table.
    let c = Ring::queue_init(2, 0).unwrap();
    assert_eq!(pass(&mut a, c.ring_fd(), 1, 0, 0, 0), -Errno::ENXIO.0);
    // Target table full (no alloc range: the whole table).
    let fds = [w; 8];
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { b.register_files_update(0, &fds) }, Ok(8));
    assert_eq!(
        pass(&mut a, b.ring_fd(), 1, IORING_FILE_INDEX_ALLOC, 0, 0),
        -Errno::ENFILE.0
    );
    // Target not a ring; unknown flags.
    assert_eq!(pass(&mut a, 1, 1, 0, 0, 0), -Errno::EBADFD.0);
    assert_eq!(pass(&mut a, b.ring_fd(), 1, 0, 0, 1 << 7), -Errno::EINVAL.0);
    assert_eq!(b.peek_cqe().err(), Some(Errno::EAGAIN));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

common::harness::main! {
    file_arrives_at_the_chosen_slot,
    target_allocates_within_its_alloc_range,
    cqe_skip_posts_nothing_on_the_target,
    occupied_target_slot_is_replaced,
    errors,
}
