//! Pure tests of the buffer-ring bookkeeping: the raw `buf_ring_*` helpers
//! and [`BufRing`]'s push/commit/consume accounting over a ring in plain
//! memory (no kernel). They run under Miri: `cargo +nightly miri test -p
//! bare-uring --lib buf_ring`.

use core::ptr::NonNull;

use bare_uring_sys::{
    io_uring_buf, io_uring_buf_ring, IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER,
    IORING_CQE_F_BUF_MORE, IOU_PBUF_RING_INC,
};

use super::*;
use crate::Errno;

/// CQE flags naming buffer `bid`.
fn sel(bid: u16) -> u32 {
    IORING_CQE_F_BUFFER | u32::from(bid) << IORING_CQE_BUFFER_SHIFT
}

fn ring_ptr(mem: &mut [io_uring_buf]) -> NonNull<io_uring_buf_ring> {
    NonNull::from(mem).cast()
}

#[test]
fn raw_helpers_fill_fields_and_keep_the_tail_in_entry_0() {
    let mut mem = [io_uring_buf::default(); 4];
    let br = ring_ptr(&mut mem).as_ptr();
    let mut bufs = [[0u8; 8]; 4];
    let mask = buf_ring_mask(4);
    // SAFETY: `br` addresses 4 entries of `mem`, used only through it here.
    unsafe {
        buf_ring_init(br);
        for (i, b) in bufs.iter_mut().enumerate() {
            buf_ring_add(br, b.as_mut_ptr().cast(), 8, 10 + i as u16, mask, i as i32);
        }
        assert_eq!(*io_uring_buf_ring::tail_ptr(br), 0, "add does not publish");
        buf_ring_advance(br, 3);
        assert_eq!(*io_uring_buf_ring::tail_ptr(br), 3);
        // The next add goes after the new tail, wrapping with the mask.
        buf_ring_add(br, bufs[0].as_mut_ptr().cast(), 5, 99, mask, 1);
        buf_ring_advance(br, i32::from(u16::MAX));
        assert_eq!(*io_uring_buf_ring::tail_ptr(br), 2, "tail wraps at 2^16");
    }
    assert_eq!(mem[0].bid, 99, "(3 + 1) & 3 = entry 0");
    assert_eq!(mem[0].len, 5);
    assert_eq!(mem[0].resv, 2, "entry 0's resv is the tail");
    assert_eq!((mem[3].bid, mem[3].len), (13, 8));
    assert_eq!(mem[2].addr, bufs[2].as_ptr() as usize as u64);
}

/// S6 without a kernel: a full ring refuses more, whatever is staged or
/// published, until a CQE reports a buffer back.
#[test]
fn push_stops_at_the_tracked_head() {
    let mut mem = [io_uring_buf::default(); 4];
    let mut bufs = [0u8; 4 * 16];
    // SAFETY: 4 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 4, 0, &mut bufs, 16) }.unwrap();
    br.publish_all().unwrap();
    assert_eq!(br.recycle(1), Err(Errno::ENOBUFS));
    assert_eq!(br.push(1, 16), Err(Errno::ENOBUFS));
    assert_eq!(br.entry(0), (0, 16), "bid 0's entry untouched");
    assert_eq!(br.entry(4), (0, 16), "position 4 is entry 0");

    let c = br.consume(3, sel(0)).unwrap();
    assert_eq!((c.bid, c.offset, c.len, c.more), (0, 0, 3, false));
    assert_eq!(br.tracked_head(), 1);
    br.push(0, 16).unwrap();
    assert_eq!(br.push(1, 16), Err(Errno::ENOBUFS), "staged entries count");
    br.commit();
    assert_eq!(br.entry(4), (0, 16));
    assert_eq!(br.recycle(2), Err(Errno::ENOBUFS));
}

/// A CQE that reports more buffers than were published (one of another
/// group) does not make room the kernel has not given back.
#[test]
fn consume_never_moves_the_head_past_the_tail() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 8];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 2, 0, &mut bufs, 8) }.unwrap();
    assert!(br.consume(1, sel(1)).is_some(), "decoded all the same");
    assert_eq!(br.tracked_head(), 0);
    assert_eq!(br.consume(1, 0), None, "no IORING_CQE_F_BUFFER");
    assert_eq!(br.consume(1, sel(2)), None, "bid out of range");
    br.publish_all().unwrap();
    br.consume(1, sel(0)).unwrap();
    br.consume(1, sel(1)).unwrap();
    br.consume(1, sel(1)).unwrap();
    assert_eq!(br.tracked_head(), 2, "stopped at the tail");
    br.recycle(0).unwrap();
    br.recycle(1).unwrap();
    assert_eq!(br.recycle(0), Err(Errno::ENOBUFS), "not 3 in a 2-ring");
}

#[test]
fn push_rejects_bad_bids_and_lengths() {
    let mut mem = [io_uring_buf::default(); 4];
    let mut bufs = [0u8; 3 * 10 + 5];
    // SAFETY: 4 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 4, 0, &mut bufs, 10) }.unwrap();
    assert_eq!(br.nbufs(), 3, "whole buffers only");
    assert_eq!(br.push(3, 10), Err(Errno::EINVAL));
    assert_eq!(br.push(0, 11), Err(Errno::EINVAL));
    assert!(br.buf_ptr(3).is_none());
    let mut m2 = [io_uring_buf::default(); 4];
    let mut small = [0u8; 4];
    // SAFETY: as above.
    let r = unsafe { BufRing::detached(ring_ptr(&mut m2), 4, 0, &mut small, 10) };
    assert_eq!(r.err(), Some(Errno::EINVAL), "no whole buffer");
    let mut m3 = [io_uring_buf::default(); 4];
    let mut more = [0u8; 40];
    // SAFETY: as above.
    let r = unsafe { BufRing::detached(ring_ptr(&mut m3), 3, 0, &mut more, 10) };
    assert_eq!(r.err(), Some(Errno::EINVAL), "3 is not a power of two");
}

/// Buffer memory is reached only through raw pointers derived from the one
/// borrow: writing a buffer, then reading what a completion reported, is
/// clean under Stacked Borrows.
#[test]
fn data_reads_the_reported_bytes_incrementally() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 16];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br =
        unsafe { BufRing::detached(ring_ptr(&mut mem), 2, IOU_PBUF_RING_INC, &mut bufs, 16) }
            .unwrap();
    assert!(br.is_incremental());
    // SAFETY: never published yet: the application's.
    let b0 = unsafe { br.buf_mut(0) }.unwrap();
    b0.copy_from_slice(b"abcdefghijklmnop");
    br.publish_all().unwrap();
    // Stand-in for the kernel: two partial completions, then the rest.
    let c1 = br.consume(5, sel(0) | IORING_CQE_F_BUF_MORE).unwrap();
    let c2 = br.consume(4, sel(0) | IORING_CQE_F_BUF_MORE).unwrap();
    let c3 = br.consume(7, sel(0)).unwrap();
    assert_eq!((c1.offset, c2.offset, c3.offset), (0, 5, 9));
    assert_eq!(br.tracked_head(), 1, "only the last completion frees it");
    // SAFETY: the completions reported these bytes; nothing writes them.
    unsafe {
        assert_eq!(br.data(&c1), b"abcde");
        assert_eq!(br.data(&c2), b"fghi");
        assert_eq!(br.data(&c3), b"jklmnop");
        let past = Consumed {
            bid: 0,
            offset: 14,
            len: 100,
            more: false,
        };
        assert_eq!(br.data(&past), b"op", "clamped to the buffer");
        let bad = Consumed { bid: 9, ..past };
        assert_eq!(br.data(&bad), b"");
        assert_eq!(br.buf(1).map(<[u8]>::len), Some(16));
    }
}

#[test]
fn bundles_walk_entries_from_the_tracked_head() {
    let mut mem = [io_uring_buf::default(); 4];
    let mut bufs = [0u8; 4 * 8];
    // SAFETY: 4 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 4, 0, &mut bufs, 8) }.unwrap();
    for (bid, len) in [(2, 8), (0, 3), (3, 8), (1, 5)] {
        br.push(bid, len).unwrap();
    }
    br.commit();
    assert_eq!(
        br.consume_bundle(10, sel(0)),
        Err(Errno::EINVAL),
        "not at head"
    );
    assert_eq!(br.consume_bundle(10, 0), Err(Errno::EINVAL), "no buffer");
    let b = br.consume_bundle(10, sel(2)).unwrap();
    assert_eq!((b.start, b.count, b.len), (0, 2, 10));
    let parts: [(u16, u32); 2] = {
        let mut it = br.bundle_bufs(&b);
        [it.next().unwrap(), it.next().unwrap()]
    };
    assert_eq!(parts, [(2, 8), (0, 2)]);
    assert_eq!(br.tracked_head(), 2);
    assert_eq!(
        br.consume_bundle(14, sel(3)),
        Err(Errno::ERANGE),
        "13 bytes published"
    );
    let b = br.consume_bundle(13, sel(3)).unwrap();
    assert_eq!((b.start, b.count), (2, 2));
    br.recycle(2).unwrap();
    br.recycle(0).unwrap();
    br.recycle(3).unwrap();
    br.recycle(1).unwrap();
    assert_eq!(br.recycle(1), Err(Errno::ENOBUFS));
}

/// Many rounds through a 2-entry ring: positions wrap, the bookkeeping
/// keeps exactly `entries` buffers in flight.
#[test]
fn rounds_keep_the_ring_exactly_full() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 4];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 2, 0, &mut bufs, 4) }.unwrap();
    br.publish_all().unwrap();
    for round in 0..50u16 {
        let pos = br.tracked_head();
        let (bid, _) = br.entry(pos);
        assert_eq!(bid, round % 2);
        br.consume(1, sel(bid)).unwrap();
        br.recycle(bid).unwrap();
        assert_eq!(br.push(bid, 4), Err(Errno::ENOBUFS));
    }
    assert_eq!(br.tracked_head(), 50);
}

/// Without a ring file every kernel call says `EBADF` and dropping touches
/// nothing (the harness for the tests above).
#[test]
fn detached_ring_has_no_kernel_side() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 8];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let br = unsafe { BufRing::detached(ring_ptr(&mut mem), 2, 0, &mut bufs, 4) }.unwrap();
    assert_eq!(br.available(), Err(Errno::EBADF));
    assert_eq!(br.free(), Err(Errno::EBADF));
}
