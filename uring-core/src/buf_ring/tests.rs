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

/// S6 without a kernel: a full ring refuses more (every buffer is
/// published, so any push is a duplicate), whatever is staged or
/// published, until a CQE releases a buffer.
#[test]
fn push_stops_at_the_tracked_head() {
    let mut mem = [io_uring_buf::default(); 4];
    let mut bufs = [0u8; 4 * 16];
    // SAFETY: 4 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 4, 0, &mut bufs, 16) }.unwrap();
    br.publish_all().unwrap();
    assert_eq!(br.recycle(1), Err(Errno::EBUSY));
    assert_eq!(br.push(1, 16), Err(Errno::EBUSY));
    assert_eq!(br.entry(0), (0, 16), "bid 0's entry untouched");
    assert_eq!(br.entry(4), (0, 16), "position 4 is entry 0");

    let c = br.consume(3, sel(0)).unwrap();
    assert_eq!((c.bid, c.offset, c.len, c.more), (0, 0, 3, false));
    assert_eq!(br.tracked_head(), 1);
    br.push(0, 16).unwrap();
    assert_eq!(br.push(0, 16), Err(Errno::EBUSY), "staged counts");
    br.commit();
    assert_eq!(br.entry(4), (0, 16));
    assert_eq!(br.recycle(2), Err(Errno::EBUSY));
}

/// A CQE naming a buffer that is not published (never pushed, released
/// already, or only staged) is refused and changes nothing: it cannot be a
/// real CQE of this group, and releasing the buffer would hand out memory
/// the kernel may write. Before the per-buffer state, each was decoded.
#[test]
fn consume_refuses_unpublished_buffers() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 8];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 2, 0, &mut bufs, 8) }.unwrap();
    assert_eq!(br.consume(1, sel(1)), None, "never pushed");
    assert_eq!(br.consume(1, 0), None, "no IORING_CQE_F_BUFFER");
    assert_eq!(br.consume(1, sel(2)), None, "bid out of range");
    br.push(0, 8).unwrap();
    assert_eq!(br.consume(1, sel(0)), None, "staged, not committed");
    assert!(br.is_published(0));
    br.commit();
    assert_eq!(br.consume(1, sel(1)), None, "bid 1 not pushed");
    assert_eq!(br.tracked_head(), 0);
    br.consume(1, sel(0)).unwrap();
    assert!(!br.is_published(0), "released");
    assert_eq!(br.consume(1, sel(0)), None, "released already");
    assert_eq!(br.tracked_head(), 1, "never past the tail");
    br.publish_all().unwrap();
    br.consume(1, sel(1)).unwrap();
    br.consume(1, sel(0)).unwrap();
    assert_eq!(br.tracked_head(), 3);
    br.recycle(0).unwrap();
    br.recycle(1).unwrap();
    assert_eq!(br.recycle(0), Err(Errno::EBUSY), "not 3 in a 2-ring");
}

/// A buffer is never published twice: `push`, `recycle` and a second
/// `push` before the commit refuse a published buffer (`EBUSY`) and
/// `publish_all` skips it, so the kernel cannot hand one buffer to two
/// requests. Before the per-buffer state, a ring with room accepted all
/// of them (bid 0 ended up in three entries).
#[test]
fn duplicate_publish_is_refused() {
    let mut mem = [io_uring_buf::default(); 8];
    let mut bufs = [0u8; 4 * 8];
    // SAFETY: 8 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 8, 0, &mut bufs, 8) }.unwrap();
    assert_eq!(br.nbufs(), 4);
    br.push(0, 8).unwrap();
    assert_eq!(br.push(0, 4), Err(Errno::EBUSY), "staged already");
    br.commit();
    assert_eq!(br.recycle(0), Err(Errno::EBUSY), "in the ring");
    br.push(2, 8).unwrap();
    br.publish_all().unwrap();
    let bids: [u16; 4] = core::array::from_fn(|k| br.entry(k as u16).0);
    assert_eq!(bids, [0, 2, 1, 3], "each buffer once");
    assert_eq!(br.entry(4), (0, 0), "nothing more written");
    for bid in 0..4 {
        assert!(br.is_published(bid));
    }
    assert!(!br.is_published(4), "out of range");
    br.publish_all().unwrap();
    assert_eq!(br.entry(4), (0, 0), "all published: nothing to do");
}

/// Bundles release every buffer they walk, and refuse (changing nothing)
/// a walk over an entry whose buffer is not published, which only made-up
/// CQEs can cause. Before, the walk took such entries.
#[test]
fn bundle_over_unpublished_buffers_is_refused() {
    let mut mem = [io_uring_buf::default(); 4];
    let mut bufs = [0u8; 4 * 8];
    // SAFETY: 4 entries of `mem`, only used through the BufRing.
    let mut br = unsafe { BufRing::detached(ring_ptr(&mut mem), 4, 0, &mut bufs, 8) }.unwrap();
    for bid in 0..3 {
        br.push(bid, 8).unwrap();
    }
    br.commit();
    // A made-up CQE for bid 2: released, head moved to the entry of bid 1.
    br.consume(8, sel(2)).unwrap();
    assert_eq!(br.tracked_head(), 1);
    // Bid 1 is published, bid 2 (next entry) is not.
    assert_eq!(br.consume_bundle(16, sel(1)), Err(Errno::EINVAL));
    assert!(br.is_published(1), "rolled back");
    assert_eq!(br.tracked_head(), 1);
    // The entry at the head names an unpublished buffer.
    br.consume(8, sel(1)).unwrap();
    assert_eq!(br.consume_bundle(8, sel(2)), Err(Errno::EINVAL));
    assert_eq!(br.tracked_head(), 2);
    assert!(!br.is_published(1) && br.is_published(0));
}

/// Released buffers are the application's: `buf`/`buf_mut` hand out only
/// those, and a buffer the kernel keeps (`IORING_CQE_F_BUF_MORE`) stays
/// published. Before, `buf` returned published buffers.
#[test]
fn only_owned_buffers_are_handed_out() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 8];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br =
        unsafe { BufRing::detached(ring_ptr(&mut mem), 2, IOU_PBUF_RING_INC, &mut bufs, 8) }
            .unwrap();
    // SAFETY: no CQE was passed to `consume` yet.
    assert!(unsafe { br.buf_mut(0) }.is_some(), "never pushed: ours");
    br.publish_all().unwrap();
    // SAFETY: no CQE was passed to `consume` yet.
    unsafe {
        assert!(br.buf(0).is_none(), "published");
        assert!(br.buf_mut(1).is_none(), "published");
    }
    let c = br.consume(3, sel(0) | IORING_CQE_F_BUF_MORE).unwrap();
    assert!(c.more);
    assert!(br.is_published(0), "the kernel keeps the rest");
    assert_eq!(br.recycle(0), Err(Errno::EBUSY));
    // SAFETY: the CQEs above stand for real ones in CQ order.
    assert!(unsafe { br.buf(0) }.is_none());
    br.consume(5, sel(0)).unwrap();
    assert!(!br.is_published(0), "released");
    // SAFETY: as above.
    assert_eq!(unsafe { br.buf(0) }.map(<[u8]>::len), Some(8));
    br.recycle(0).unwrap();
    // SAFETY: as above.
    assert!(unsafe { br.buf(0) }.is_none(), "published again");
}

/// Bundles are refused on incremental rings: there the kernel zeroes the
/// length of each entry it used up, so the walk cannot be done.
#[test]
fn bundles_are_refused_on_incremental_rings() {
    let mut mem = [io_uring_buf::default(); 2];
    let mut bufs = [0u8; 2 * 8];
    // SAFETY: 2 entries of `mem`, only used through the BufRing.
    let mut br =
        unsafe { BufRing::detached(ring_ptr(&mut mem), 2, IOU_PBUF_RING_INC, &mut bufs, 8) }
            .unwrap();
    br.publish_all().unwrap();
    assert_eq!(br.consume_bundle(10, sel(0)), Err(Errno::EINVAL));
    assert!(br.is_published(0) && br.is_published(1));
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
        let beyond = Consumed {
            offset: 20,
            len: 5,
            ..past
        };
        assert_eq!(br.data(&beyond), b"", "starts past the buffer");
        let wraps = Consumed {
            offset: u32::MAX,
            len: u32::MAX,
            ..past
        };
        assert_eq!(br.data(&wraps), b"", "offset + len past u32");
        let whole = Consumed {
            offset: 0,
            len: 16,
            ..past
        };
        assert_eq!(br.data(&whole), b"abcdefghijklmnop", "exactly the buffer");
        assert_eq!(br.buf(0).map(<[u8]>::len), Some(16), "released");
        assert_eq!(br.buf(1), None, "published");
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
    assert_eq!(br.recycle(1), Err(Errno::EBUSY));
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
        assert_eq!(br.push(bid, 4), Err(Errno::EBUSY));
    }
    assert_eq!(br.tracked_head(), 50);
}

/// The ring's `tail` (a u16 in entry 0, what the kernel reads) is what
/// `commit` and `recycle` publish, the BufRing keeping its own copy: it
/// counts every entry committed, staged ones included when `recycle`
/// publishes, and wraps at 2^16 as liburing's `io_uring_buf_ring_advance()`
/// does, with the head and the entries following it round.
#[test]
fn the_ring_tail_counts_every_commit_and_wraps() {
    let mut mem = [io_uring_buf::default(); 4];
    let br_ptr = ring_ptr(&mut mem);
    let tail_p = io_uring_buf_ring::tail_ptr(br_ptr.as_ptr());
    // SAFETY: entry 0's last field, inside `mem`; read only between calls.
    let tail = || unsafe { tail_p.read() };
    let mut bufs = [0u8; 4 * 8];
    // SAFETY: 4 entries of `mem`, only used through the BufRing and `tail`.
    let mut br = unsafe { BufRing::detached(br_ptr, 4, 0, &mut bufs, 8) }.unwrap();
    br.push(0, 8).unwrap();
    br.push(1, 8).unwrap();
    assert_eq!(tail(), 0, "staged entries are not published");
    br.recycle(2).unwrap();
    assert_eq!(
        tail(),
        3,
        "recycle publishes the staged entries with its own"
    );
    br.commit();
    assert_eq!(tail(), 3, "nothing staged: nothing to publish");
    br.push(3, 8).unwrap();
    br.commit();
    assert_eq!(tail(), 4);
    // Round after round past 2^16 (fewer under Miri: no wrap there).
    let rounds: u32 = if cfg!(miri) { 300 } else { 70_000 };
    for round in 0..rounds {
        let pos = br.tracked_head();
        let (bid, len) = br.entry(pos);
        assert_eq!((bid, len), ((round % 4) as u16, 8));
        br.consume(1, sel(bid)).unwrap();
        br.recycle(bid).unwrap();
        assert_eq!(tail(), (round as u16).wrapping_add(5));
        assert_eq!(br.tracked_head(), (round as u16).wrapping_add(1));
    }
    assert_eq!(br.push(0, 8), Err(Errno::EBUSY), "all four still published");
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
