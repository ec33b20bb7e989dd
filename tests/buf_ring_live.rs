//! Provided buffer rings on the live kernel: the 1:1 `buf_ring_*` helpers,
//! `BufRing` over kernel-allocated, anonymous and caller memory,
//! incremental consumption (`IOU_PBUF_RING_INC`, `IORING_CQE_F_BUF_MORE`),
//! and `buf_ring_available` / `buf_ring_cq_advance`.
//!
//! Run: `cargo test --test buf_ring_live`

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::ptr::{null_mut, NonNull};

use bare_uring::buf_ring::{
    buf_ring_add, buf_ring_advance, buf_ring_available, buf_ring_cq_advance, buf_ring_init,
    buf_ring_mask, cqe_bid, BufRing,
};
use bare_uring::cq::Cqe;
use bare_uring::sys::{
    io_uring_buf_reg, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE, IOU_PBUF_RING_INC, IOU_PBUF_RING_MMAP,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::pbuf::{
    has_buf_ring_status, require_buf_ring, require_buf_ring_flag, require_buf_ring_status,
};
use common::{wait_within, IOSQE_BUFFER_SELECT};

/// Queues a recv of up to `len` bytes (0: the buffer's size) from group `bgid`.
fn queue_recv(ring: &mut Ring, fd: i32, bgid: u16, len: usize, multishot: bool) {
    // SAFETY: no address in the SQE: the recv fills buffers of group `bgid`, which callers
    // keep registered, with their memory alive, until its final CQE or the ring's drop.
    let sqe = unsafe { ring.get_sqe() }.expect("SQ slot");
    if multishot {
        prep::recv_multishot(sqe, fd, null_mut(), len, 0)
    } else {
        prep::recv(sqe, fd, null_mut(), len, 0)
    };
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(bgid);
    ring.submit().unwrap();
}

/// The 1:1 helpers on a kernel-allocated ring: init/add/advance publish,
/// the kernel consumes in ring order, `buf_ring_available` counts what is
/// left, `buf_ring_cq_advance` returns buffers and CQEs at once.
fn raw_helpers_publish_consume_and_cq_advance() {
    require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    require_buf_ring_status();
    raw_helpers(IOU_PBUF_RING_MMAP, true);
}

/// The same over anonymous memory registered by `setup_buf_ring` (5.19+);
/// `buf_ring_available` is checked where the kernel answers it (6.8+).
fn raw_helpers_on_anonymous_memory() {
    require_buf_ring();
    raw_helpers(0, has_buf_ring_status());
}

/// The body of the two tests above: a ring set up with `flags`;
/// `status`: check `buf_ring_available` too.
fn raw_helpers(flags: u32, status: bool) {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    const ENTRIES: u32 = 4;
    const BGID: u16 = 11;
    let br = ring.setup_buf_ring(ENTRIES, BGID, flags).unwrap().as_ptr();
    let mask = buf_ring_mask(ENTRIES);
    let mut bufs = vec![[0u8; 32]; ENTRIES as usize];
    // SAFETY: `br` is our registered ring of ENTRIES entries; `bufs` outlives
    // the group (freed at the end, before `bufs` drops).
    unsafe {
        buf_ring_init(br);
        // Publish in reverse bid order: the kernel must follow ring order.
        for (k, bid) in (0..ENTRIES as u16).rev().enumerate() {
            let b = bufs[bid as usize].as_mut_ptr().cast();
            buf_ring_add(br, b, 32, bid, mask, k as i32);
        }
        if status {
            assert_eq!(
                buf_ring_available(&ring, br, BGID),
                Ok(0),
                "not advanced yet"
            );
        }
        buf_ring_advance(br, ENTRIES as i32);
        if status {
            assert_eq!(buf_ring_available(&ring, br, BGID), Ok(ENTRIES as u16));
        }
    }
    let (a, b) = UnixDatagram::pair().unwrap();
    for i in 0..3u8 {
        a.send(&[i; 5]).unwrap();
        queue_recv(&mut ring, b.as_raw_fd(), BGID, 0, false);
    }
    ring.submit_and_wait(3).unwrap();
    assert_eq!(ring.cq_ready(), 3);
    let mut cqes = [Cqe::zeroed(), Cqe::zeroed(), Cqe::zeroed()];
    assert_eq!(ring.peek_batch_cqe(&mut cqes), 3);
    let seen: Vec<_> = cqes.iter().map(|c| (c.res, cqe_bid(c.flags))).collect();
    assert_eq!(
        seen,
        vec![(5, Some(3)), (5, Some(2)), (5, Some(1))],
        "reverse bids in ring order"
    );
    for (k, (_, bid)) in seen.iter().enumerate() {
        assert_eq!(bufs[bid.unwrap() as usize][..5], [k as u8; 5]);
    }
    // SAFETY: as above.
    unsafe {
        if status {
            assert_eq!(buf_ring_available(&ring, br, BGID), Ok(1));
        }
        for (k, (_, bid)) in seen.iter().enumerate() {
            let bid = bid.unwrap();
            buf_ring_add(
                br,
                bufs[bid as usize].as_mut_ptr().cast(),
                32,
                bid,
                mask,
                k as i32,
            );
        }
        // peek_batch_cqe only copied the CQEs; now mark them seen together
        // with publishing the three buffers.
        assert_eq!(ring.cq_ready(), 3);
        buf_ring_cq_advance(&mut ring, br, 3);
        assert_eq!(ring.cq_ready(), 0);
        if status {
            assert_eq!(buf_ring_available(&ring, br, BGID), Ok(4));
        }
        ring.free_buf_ring(NonNull::new(br).unwrap(), ENTRIES, BGID)
            .unwrap();
    }
}

/// A ring in caller memory (page-aligned, registered by hand), wrapped by
/// `BufRing::from_registered` (5.19+; `available` checked where the
/// kernel answers it, 6.8+).
fn caller_memory_ring() {
    require_buf_ring();
    let status = has_buf_ring_status();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let layout = Layout::from_size_align(4096, 4096).unwrap();
    // SAFETY: non-zero size.
    let mem = unsafe { alloc_zeroed(layout) };
    assert!(!mem.is_null());
    let reg = io_uring_buf_reg {
        ring_addr: mem as u64,
        ring_entries: 8,
        bgid: 12,
        ..Default::default()
    };
    // SAFETY: page-aligned 4096 bytes, freed only after unregistering.
    unsafe { ring.register_buf_ring(&reg, 0) }.unwrap();
    let mut data = vec![0u8; 8 * 64];
    // SAFETY: the ring of 8 entries just registered without flags (nothing
    // consumed from it yet); `free` before `data` drops.
    let mut br = unsafe {
        BufRing::from_registered(
            &ring,
            NonNull::new(mem).unwrap().cast(),
            8,
            12,
            0,
            &mut data,
            64,
        )
    }
    .unwrap();
    br.publish_all().unwrap();
    let (a, b) = UnixDatagram::pair().unwrap();
    for i in 0..20u8 {
        a.send(&[i; 9]).unwrap();
        queue_recv(&mut ring, b.as_raw_fd(), 12, 0, false);
        let cqe = wait_within(&mut ring, 5);
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        assert_eq!(c.bid, u16::from(i % 8), "bids come back in ring order");
        // SAFETY: handed back by this CQE.
        assert_eq!(unsafe { br.data(&c) }, &[i; 9]);
        // Return the buffer and mark the CQE seen in one go.
        if status {
            assert_eq!(br.available(), Ok(7));
        }
        br.push(c.bid, 64).unwrap();
        br.commit_cq(&mut ring, 1);
        assert_eq!(ring.cq_ready(), 0);
        if status {
            assert_eq!(br.available(), Ok(8));
        }
    }
    br.free().unwrap();
    // SAFETY: unregistered: the kernel no longer uses the ring memory.
    unsafe { dealloc(mem, layout) };
}

/// A buffer staged already is refused (`EBUSY`: it would be in the ring
/// twice); out-of-range bids and lengths too.
fn push_errors() {
    require_buf_ring();
    let ring = Ring::queue_init(2, 0).unwrap();
    let mut data = vec![0u8; 4 * 16];
    // SAFETY: `free` before `data` drops.
    let mut br = unsafe { BufRing::setup(&ring, 2, 13, 0, &mut data, 16) }.unwrap();
    assert_eq!(br.nbufs(), 2, "capped at the ring's entries");
    assert_eq!(br.push(2, 16), Err(Errno::EINVAL));
    assert_eq!(br.push(0, 17), Err(Errno::EINVAL));
    br.push(0, 16).unwrap();
    br.push(1, 16).unwrap();
    assert_eq!(br.push(0, 16), Err(Errno::EBUSY));
    br.commit();
    if has_buf_ring_status() {
        assert_eq!(br.available(), Ok(2));
    }
    // A second group with the same id exists already.
    let mut more = vec![0u8; 64];
    // SAFETY: fails before registering anything.
    let dup = unsafe { BufRing::setup(&ring, 2, 13, 0, &mut more, 16) };
    assert_eq!(dup.err(), Some(Errno::EEXIST));
    br.free().unwrap();
}

/// Incremental consumption over a stream: each recv takes only what
/// arrived, the buffer stays in the ring with IORING_CQE_F_BUF_MORE until
/// used up, and the data lands back to back.
fn incremental_ring_single_shot() {
    require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    require_buf_ring_flag(IOU_PBUF_RING_INC, "IOU_PBUF_RING_INC", "6.12");
    const BUF: usize = 4096;
    const CHUNK: usize = 1000;
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut data = vec![0u8; 2 * BUF];
    // SAFETY: `free` before `data` drops.
    let mut br = match unsafe {
        BufRing::setup(
            &ring,
            2,
            14,
            IOU_PBUF_RING_INC | IOU_PBUF_RING_MMAP,
            &mut data,
            BUF as u32,
        )
    } {
        Ok(br) => br,
        Err(e) => panic!("IOU_PBUF_RING_INC | IOU_PBUF_RING_MMAP refused: {e:?}"),
    };
    assert!(br.is_incremental());
    br.publish_all().unwrap();
    let (mut a, b) = UnixStream::pair().unwrap();
    let sent: Vec<u8> = (0..6 * CHUNK).map(|i| (i * 7 % 251) as u8).collect();
    let mut got = Vec::new();
    let mut log = Vec::new();
    for chunk in sent.chunks(CHUNK) {
        a.write_all(chunk).unwrap();
        // Drain what arrived: a chunk may straddle the end of a buffer.
        let mut want = chunk.len();
        while want > 0 {
            queue_recv(&mut ring, b.as_raw_fd(), 14, 0, false);
            let cqe = wait_within(&mut ring, 5);
            ring.cqe_seen(&cqe);
            assert!(cqe.res > 0, "{:?}", Errno::from_res(cqe.res));
            assert_ne!(cqe.flags & IORING_CQE_F_BUFFER, 0);
            let c = br.consume(cqe.res, cqe.flags).unwrap();
            // SAFETY: the bytes this CQE reported are ours.
            got.extend_from_slice(unsafe { br.data(&c) });
            log.push((c.bid, c.offset, c.len, c.more));
            want -= c.len as usize;
            if !c.more {
                br.recycle(c.bid).unwrap();
            }
        }
    }
    assert_eq!(got, sent, "stream reassembled exactly");
    // Buffer 0 takes 4 chunks (4000 bytes, BUF_MORE each), then the 96 bytes
    // left; buffer 1 continues.
    assert_eq!(
        &log[..6],
        &[
            (0, 0, 1000, true),
            (0, 1000, 1000, true),
            (0, 2000, 1000, true),
            (0, 3000, 1000, true),
            (0, 4000, 96, false),
            (1, 0, 904, true),
        ]
    );
    println!("incremental ring: {log:?}");
    br.free().unwrap();
}

/// Incremental consumption with multishot recv: many small messages share
/// one buffer.
fn incremental_ring_multishot() {
    require_buf_ring_flag(IOU_PBUF_RING_INC, "IOU_PBUF_RING_INC", "6.12");
    const BUF: usize = 1024;
    const MSG: usize = 100;
    const N: usize = 50;
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut data = vec![0u8; 4 * BUF];
    // SAFETY: `free` before `data` drops.
    let mut br =
        unsafe { BufRing::setup(&ring, 4, 15, IOU_PBUF_RING_INC, &mut data, BUF as u32) }.unwrap();
    br.publish_all().unwrap();
    let (mut a, b) = UnixStream::pair().unwrap();
    queue_recv(&mut ring, b.as_raw_fd(), 15, 0, true);
    let mut got = Vec::new();
    let mut sent = Vec::new();
    let mut completions = 0;
    let mut with_more = 0;
    for i in 0..N {
        let msg = vec![i as u8; MSG];
        a.write_all(&msg).unwrap();
        sent.extend_from_slice(&msg);
        while got.len() < sent.len() {
            let cqe = wait_within(&mut ring, 5);
            ring.cqe_seen(&cqe);
            assert!(cqe.res > 0, "{:?}", Errno::from_res(cqe.res));
            let c = br.consume(cqe.res, cqe.flags).unwrap();
            // SAFETY: the bytes this CQE reported are ours.
            got.extend_from_slice(unsafe { br.data(&c) });
            completions += 1;
            if c.more {
                with_more += 1;
            } else {
                br.recycle(c.bid).unwrap();
            }
            if cqe.flags & IORING_CQE_F_MORE == 0 {
                queue_recv(&mut ring, b.as_raw_fd(), 15, 0, true);
            }
        }
    }
    assert_eq!(got, sent);
    assert!(
        with_more > 0,
        "some completions left the buffer in the ring"
    );
    println!(
        "incremental multishot: {N} messages, {completions} completions, {with_more} with BUF_MORE"
    );
    drop(ring);
}

common::harness::main! {
    raw_helpers_publish_consume_and_cq_advance,
    raw_helpers_on_anonymous_memory,
    caller_memory_ring,
    push_errors,
    incremental_ring_single_shot,
    incremental_ring_multishot,
}
