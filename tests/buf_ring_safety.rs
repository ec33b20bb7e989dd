//! `BufRing` soundness on the live kernel (issue 9, S5/S6): the group is
//! tied to the ring file it was registered with (its own duplicate of the
//! ring fd), dropping it unregisters the group so the kernel picks no
//! buffer afterwards, a ring without a real fd is refused, and buffers are
//! never published beyond the head the CQEs have shown.
//!
//! Run: `cargo test --test buf_ring_safety`

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::ptr::null_mut;

use bare_uring::buf_ring::{cqe_bid, BufRing};
use bare_uring::ring::Params;
use bare_uring::sys::{
    IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER, IORING_CQE_F_BUF_MORE, IORING_FEAT_REG_REG_RING,
    IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_NO_MMAP, IORING_SETUP_REGISTERED_FD_ONLY,
    IORING_SETUP_SINGLE_ISSUER, IOU_PBUF_RING_INC,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::pbuf::{
    assert_group, has_buf_ring_status, require_buf_ring, require_buf_ring_flag,
    require_buf_ring_status,
};
use common::IOSQE_BUFFER_SELECT;
use common::{reap_within, require_feature, setup_or_skip, setup_params_or_skip};

/// Queues (and submits) a single-shot recv that takes its buffer from
/// group `bgid`.
fn queue_select_recv(ring: &mut Ring, fd: i32, bgid: u16, user_data: u64) {
    // SAFETY: no buffer address in the SQE: the kernel takes a buffer of
    // group `bgid`, whose memory each test keeps valid until this request's
    // CQE (leaked, or reaped before the memory goes away).
    let sqe = unsafe { ring.get_sqe() }.expect("SQ slot");
    prep::recv(sqe, fd, null_mut(), 0, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(bgid);
    sqe.user_data = user_data;
    ring.submit().unwrap();
}

/// Buffer memory that is never freed: what `BufRing::setup_static` wants.
fn leaked(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// S6: with every entry published and none reported back, pushing one
/// more would overwrite an entry the kernel has not consumed (before the
/// fix, `recycle(1)` returned `Ok`, replaced bid 0's entry, and receives
/// saw bids [1, 1, 2, 3, 1]). Now it is refused (`EBUSY`: every buffer is
/// published, so any push is a duplicate; the room check behind it says
/// `ENOBUFS`), and the kernel hands out each buffer exactly once.
fn recycle_beyond_tracked_head_is_refused() {
    require_buf_ring();
    let status = has_buf_ring_status();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = BufRing::setup_static(&ring, 4, 31, 0, leaked(4 * 64), 64).unwrap();
    br.publish_all().unwrap();
    assert_eq!(br.recycle(1), Err(Errno::EBUSY), "ring is full");
    assert_eq!(br.push(1, 64), Err(Errno::EBUSY), "push: same check");
    if status {
        assert_eq!(br.available(), Ok(4), "nothing extra was published");
    }

    let (a, b) = UnixDatagram::pair().unwrap();
    let mut bids = Vec::new();
    for i in 0..5u8 {
        a.send(&[i; 3]).unwrap();
        queue_select_recv(&mut ring, b.as_raw_fd(), 31, u64::from(i));
        let cqe = reap_within(&mut ring, 5);
        if cqe.res < 0 {
            bids.push(Err(Errno(-cqe.res)));
            continue;
        }
        let c = br.consume(cqe.res, cqe.flags).expect("a buffer");
        // SAFETY: this CQE handed buffer `c.bid` back.
        assert_eq!(unsafe { br.data(&c) }, &[i; 3]);
        bids.push(Ok(c.bid));
    }
    println!("receives saw {bids:?}");
    assert_eq!(
        bids,
        [Ok(0), Ok(1), Ok(2), Ok(3), Err(Errno::ENOBUFS)],
        "each bid once, then the group is empty"
    );
    // Every buffer came back: all four can be published again, not five.
    for bid in 0..4 {
        br.recycle(bid).unwrap();
    }
    assert_eq!(br.recycle(0), Err(Errno::EBUSY));
    if status {
        assert_eq!(br.available(), Ok(4));
    }
}

/// Issue 18: a buffer already in the ring cannot be published again.
/// Before the per-buffer state, `recycle(0)` on a ring with room returned
/// `Ok`, bid 0 sat in two entries, and the second datagram landed in
/// buffer 0 while the slice of the first was borrowed. Now it is refused
/// (`EBUSY`), and the two datagrams go to two buffers.
fn duplicate_publish_is_refused() {
    require_buf_ring();
    let status = has_buf_ring_status();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    // 4 entries, 2 buffers: room for more entries than buffers.
    let mut br = BufRing::setup_static(&ring, 4, 41, 0, leaked(2 * 64), 64).unwrap();
    assert_eq!(br.nbufs(), 2);
    br.publish_all().unwrap();
    assert_eq!(br.recycle(0), Err(Errno::EBUSY), "bid 0 is in the ring");
    assert_eq!(br.push(1, 64), Err(Errno::EBUSY), "bid 1 too");
    br.publish_all().unwrap(); // all published: nothing to add
    if status {
        assert_eq!(br.available(), Ok(2), "one entry per buffer");
    }

    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"first").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 41, 1);
    let cqe = reap_within(&mut ring, 5);
    let c1 = br.consume(cqe.res, cqe.flags).expect("a buffer");
    assert_eq!(c1.bid, 0);
    // SAFETY: this CQE released buffer 0; every CQE of group 41 so far was
    // passed to `consume` once, in order.
    let first = unsafe { br.data(&c1) };
    // While `first` is borrowed, the kernel takes another buffer.
    a.send(b"SECOND").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 41, 2);
    let cqe2 = reap_within(&mut ring, 5);
    assert_eq!(first, b"first", "not overwritten under the borrow");
    let c2 = br.consume(cqe2.res, cqe2.flags).expect("a buffer");
    assert_eq!(c2.bid, 1, "the other buffer");
    // SAFETY: as above.
    assert_eq!(unsafe { br.data(&c2) }, b"SECOND");
    br.recycle(0).unwrap();
    br.recycle(1).unwrap();
}

/// Issue 18: on an incremental ring a made-up CQE must not let a push
/// rewrite the entry the kernel is consuming. The kernel keeps the buffer
/// it used part of at its head and moves that entry on (`addr += used;
/// len -= used`); made-up CQEs move the head tracked from CQEs past it.
/// Before the fix `push` trusted that tracked head: `push(0)` rewrote the
/// entry as `(buffer 0, 64 bytes)` and the next receive landed at offset 0
/// (for the last buffer, a push racing the kernel could leave the entry
/// pointing past `bufs`). Now the room is counted from the kernel's head:
/// pushes say `ENOBUFS`, the entry stays `(0, 54)`, and the kernel goes on
/// at offset 10.
fn incremental_forged_consume_cannot_overwrite_the_kernels_entry() {
    require_buf_ring_flag(IOU_PBUF_RING_INC, "IOU_PBUF_RING_INC", "6.12");
    require_buf_ring_status();
    const BUF: u32 = 64;
    let sel = |bid: u16| IORING_CQE_F_BUFFER | u32::from(bid) << IORING_CQE_BUFFER_SHIFT;
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mem = leaked(2 * BUF as usize);
    let base = mem.as_ptr();
    let mut br = BufRing::setup_static(&ring, 2, 42, IOU_PBUF_RING_INC, mem, BUF).unwrap();
    br.publish_all().unwrap();

    let (mut a, b) = UnixStream::pair().unwrap();
    a.write_all(b"0123456789").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 42, 1);
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.res, 10);
    assert_ne!(
        cqe.flags & IORING_CQE_F_BUF_MORE,
        0,
        "the kernel keeps bid 0"
    );
    let c = br.consume(cqe.res, cqe.flags).unwrap();
    assert_eq!((c.bid, c.offset, c.len, c.more), (0, 0, 10, true));
    assert_eq!(br.entry(0), (0, BUF - 10), "the kernel moved its entry on");

    // Made-up completions release both buffers and move the tracked head
    // to the tail, though the kernel consumed nothing whole.
    let forged = br.consume(54, sel(0)).expect("bid 0 is published");
    assert!(!forged.more);
    br.consume(64, sel(1)).expect("bid 1 is published");
    assert_eq!(br.tracked_head(), 2);
    assert_eq!(br.push(0, BUF), Err(Errno::ENOBUFS), "kernel's entry");
    assert_eq!(br.recycle(1), Err(Errno::ENOBUFS));
    assert_eq!(br.publish_all(), Err(Errno::ENOBUFS));
    assert!(
        !br.is_published(0) && !br.is_published(1),
        "publish_all staged nothing"
    );
    assert_eq!(br.entry(0), (0, BUF - 10), "entry intact");
    assert_eq!(br.available(), Ok(2), "nothing more published");

    // The kernel goes on in buffer 0 right after the first 10 bytes.
    a.write_all(b"abcde").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 42, 2);
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.res, 5);
    assert_eq!(cqe.flags >> IORING_CQE_BUFFER_SHIFT, 0, "bid 0");
    assert_eq!(br.entry(0), (0, BUF - 15));
    // SAFETY: leaked memory; the kernel wrote these 15 bytes and is not
    // writing them now (no request in flight); read only.
    let got = unsafe { std::slice::from_raw_parts(base, 15) };
    assert_eq!(got, b"0123456789abcde", "data back to back");
}

/// Staged but uncommitted entries count too: a staged buffer is published
/// (`EBUSY` for a second push, across commits), and a buffer comes back
/// only when its CQE is consumed.
fn push_counts_published_and_staged() {
    require_buf_ring();
    let status = has_buf_ring_status();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = BufRing::setup_static(&ring, 2, 32, 0, leaked(2 * 16), 16).unwrap();
    br.push(0, 16).unwrap();
    br.commit();
    br.push(1, 16).unwrap();
    assert_eq!(br.push(0, 16), Err(Errno::EBUSY), "published");
    assert_eq!(br.push(1, 16), Err(Errno::EBUSY), "staged");
    br.commit();
    if status {
        assert_eq!(br.available(), Ok(2));
    }
    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"x").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 32, 1);
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe_bid(cqe.flags), Some(0));
    assert_eq!(br.push(0, 16), Err(Errno::EBUSY), "CQE not consumed yet");
    br.consume(cqe.res, cqe.flags).unwrap();
    br.push(0, 16).unwrap();
    br.commit();
    if status {
        assert_eq!(br.available(), Ok(2));
    }
}

/// S5: dropping a `BufRing` unregisters its group: the kernel then picks
/// no buffer from it (a buffer-select recv fails with ENOBUFS and the old
/// buffer memory stays untouched), and the group id is free again. Before
/// the fix, Drop only unmapped the ring: the group stayed registered and
/// the recv wrote into the buffers.
fn drop_unregisters_the_group() {
    require_buf_ring();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mem = leaked(4 * 64);
    let base = mem.as_ptr();
    let mut br = BufRing::setup_static(&ring, 4, 33, 0, mem, 64).unwrap();
    br.publish_all().unwrap();
    assert_group(&ring, 33, Ok(0), "registered");
    drop(br);
    assert_group(&ring, 33, Err(Errno::ENOENT), "unregistered");

    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"late").unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 33, 7);
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.res, -Errno::ENOBUFS.0, "no group, no buffer");
    // SAFETY: leaked memory, no longer lent to the kernel (the group is
    // gone and the only request on it failed); read only.
    let old = unsafe { std::slice::from_raw_parts(base, 4 * 64) };
    assert!(old.iter().all(|&x| x == 0), "nothing written after drop");

    // The id can be used again.
    let br2 = BufRing::setup_static(&ring, 4, 33, 0, leaked(4 * 64), 64).unwrap();
    br2.free().unwrap();
}

/// S5, the window after drop: a recv that waits for data (no buffer picked
/// yet) when the `BufRing` is dropped finds no group once data arrives, so
/// the kernel never writes the memory of a dropped `BufRing`.
fn recv_pending_across_drop_writes_nothing() {
    require_buf_ring();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mem = leaked(2 * 64);
    let base = mem.as_ptr();
    let mut br = BufRing::setup_static(&ring, 2, 34, 0, mem, 64).unwrap();
    br.publish_all().unwrap();
    let (a, b) = UnixDatagram::pair().unwrap();
    queue_select_recv(&mut ring, b.as_raw_fd(), 34, 9);
    assert_eq!(ring.cq_ready(), 0, "the recv waits for data");
    drop(br);
    a.send(b"after drop").unwrap();
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.user_data, 9);
    assert_eq!(cqe.res, -Errno::ENOBUFS.0);
    // SAFETY: leaked memory, no longer lent to the kernel; read only.
    let old = unsafe { std::slice::from_raw_parts(base, 2 * 64) };
    assert!(old.iter().all(|&x| x == 0), "nothing written after drop");
}

/// S5: `free` acts on the ring the group was registered with, whatever
/// other ring exists (it takes none): with the same group id on two rings,
/// freeing one leaves the other's group alone.
fn free_acts_on_its_own_ring() {
    require_buf_ring();
    let ring_a = Ring::queue_init(4, 0).unwrap();
    let ring_b = Ring::queue_init(4, 0).unwrap();
    let br_a = BufRing::setup_static(&ring_a, 2, 35, 0, leaked(2 * 16), 16).unwrap();
    let br_b = BufRing::setup_static(&ring_b, 2, 35, 0, leaked(2 * 16), 16).unwrap();
    br_a.free().unwrap();
    assert_group(&ring_a, 35, Err(Errno::ENOENT), "freed");
    assert_group(&ring_b, 35, Ok(0), "the other ring's group");
    if has_buf_ring_status() {
        assert_eq!(br_b.available(), Ok(0));
    }
    br_b.free().unwrap();
    assert_group(&ring_b, 35, Err(Errno::ENOENT), "freed too");
}

/// S5: the `BufRing` keeps the ring file alive: dropped first, the `Ring`
/// takes neither the group nor the `BufRing`'s fd with it; `free` still
/// reaches the group.
fn buf_ring_outlives_its_ring() {
    require_buf_ring();
    let status = has_buf_ring_status();
    let ring = Ring::queue_init(4, 0).unwrap();
    let mut br = BufRing::setup_static(&ring, 2, 36, 0, leaked(2 * 16), 16).unwrap();
    br.publish_all().unwrap();
    drop(ring);
    if status {
        assert_eq!(br.available(), Ok(2), "group still registered");
    }
    // Also says the group was still registered (else ENOENT).
    assert_eq!(br.free(), Ok(()));
}

/// S5: a ring without a real fd (IORING_SETUP_REGISTERED_FD_ONLY) cannot
/// back a `BufRing` (it could not keep the ring file alive): `EBADF` at
/// setup, before anything is registered.
fn registered_fd_only_ring_is_refused() {
    let mut p = Params::new().with_flags(IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
    let ring = setup_params_or_skip(
        4,
        &mut p,
        "IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP",
        "6.5",
    );
    assert_eq!(ring.ring_fd(), -1);
    let r = BufRing::setup_static(&ring, 2, 37, 0, leaked(32), 16);
    assert_eq!(r.err(), Some(Errno::EBADF));
    assert_group(&ring, 37, Err(Errno::ENOENT), "nothing registered");
}

/// After `close_ring_fd` the ring has no fd to duplicate: refused too; a
/// `BufRing` made before keeps working through its own fd.
fn closed_ring_fd_is_refused_existing_buf_ring_keeps_working() {
    require_buf_ring();
    let mut ring = Ring::queue_init(4, 0).unwrap();
    require_feature(
        ring.features(),
        IORING_FEAT_REG_REG_RING,
        "IORING_FEAT_REG_REG_RING",
        "6.3",
    );
    let mut br = BufRing::setup_static(&ring, 2, 38, 0, leaked(32), 16).unwrap();
    br.publish_all().unwrap();
    ring.register_ring_fd().unwrap();
    ring.close_ring_fd().unwrap();
    let r = BufRing::setup_static(&ring, 2, 39, 0, leaked(32), 16);
    assert_eq!(r.err(), Some(Errno::EBADF));
    if has_buf_ring_status() {
        assert_eq!(br.available(), Ok(2));
    }
    br.free().unwrap();
    assert_group(&ring, 38, Err(Errno::ENOENT), "freed");
}

/// IORING_SETUP_SINGLE_ISSUER rings accept registrations only from their
/// submitter thread: a `BufRing` (not `Send`) is dropped on the thread
/// that made it, and its duplicate fd reaches the same ring, so the
/// unregistration on drop goes through.
fn single_issuer_ring_unregisters_on_drop() {
    require_buf_ring();
    let ring = setup_or_skip(
        4,
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        "IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN",
        "6.1",
    );
    let mut br = BufRing::setup_static(&ring, 2, 40, 0, leaked(32), 16).unwrap();
    br.publish_all().unwrap();
    if has_buf_ring_status() {
        assert_eq!(br.available(), Ok(2));
    }
    drop(br);
    assert_group(&ring, 40, Err(Errno::ENOENT), "unregistered on drop");
}

common::harness::main! {
    recycle_beyond_tracked_head_is_refused,
    duplicate_publish_is_refused,
    incremental_forged_consume_cannot_overwrite_the_kernels_entry,
    push_counts_published_and_staged,
    drop_unregisters_the_group,
    recv_pending_across_drop_writes_nothing,
    free_acts_on_its_own_ring,
    buf_ring_outlives_its_ring,
    registered_fd_only_ring_is_refused,
    closed_ring_fd_is_refused_existing_buf_ring_keeps_working,
    single_issuer_ring_unregisters_on_drop,
}
