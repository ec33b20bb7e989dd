//! Pure tests of the index arithmetic over in-memory rings (no kernel).

use super::*;
use bare_uring_sys::{io_uring_sqe, IORING_CQE_F_32, IORING_CQE_F_SKIP};
use core::cell::UnsafeCell;

#[test]
fn ready_and_space_wrap_at_u32_max() {
    assert_eq!(ready(5, 3), 2);
    assert_eq!(ready(2, u32::MAX - 1), 4); // tail wrapped, head did not
    assert_eq!(ready(0, u32::MAX), 1);
    assert_eq!(space_left(8, 2, u32::MAX - 1), 4);
    assert_eq!(space_left(8, 0, 0), 8);
    // A head claiming more than `entries` in use never underflows.
    assert_eq!(space_left(8, 100, 0), 0);
}

#[test]
fn slot_masks_and_shifts() {
    assert_eq!(slot(9, 7, 0), 1);
    assert_eq!(slot(9, 7, 1), 2);
    assert_eq!(slot(u32::MAX, 7, 0), 7);
    assert_eq!(slot(u32::MAX, 7, 1), 14);
}

#[test]
fn geometry_is_checked() {
    assert!(check_geometry(8, 7).is_ok());
    assert_eq!(check_geometry(0, u32::MAX), Err(Errno::EINVAL));
    assert_eq!(check_geometry(6, 5), Err(Errno::EINVAL));
    assert_eq!(check_geometry(8, 15), Err(Errno::EINVAL));
}

/// An SQ in plain memory: indices + `N` SQE slots (64 bytes each).
pub(crate) struct MemSq<const N: usize> {
    idx: UnsafeCell<[u32; 4]>, // head, tail, flags, dropped
    sqes: UnsafeCell<[io_uring_sqe; N]>,
}

impl<const N: usize> MemSq<N> {
    pub(crate) fn new(start: u32) -> Self {
        MemSq {
            idx: UnsafeCell::new([start, start, 0, 0]),
            sqes: UnsafeCell::new([const { io_uring_sqe::zeroed() }; N]),
        }
    }
    fn idx(&self, i: usize) -> *mut u32 {
        self.idx.get().cast::<u32>().wrapping_add(i)
    }
    pub(crate) fn ring(&self) -> SqRing {
        let p = SqPtrs {
            khead: self.idx(0),
            ktail: self.idx(1),
            kflags: self.idx(2),
            kdropped: self.idx(3),
            sqes: self.sqes.get().cast(),
            entries: N as u32,
            mask: N as u32 - 1,
            shift: 0,
            rewind: false,
        };
        // SAFETY: all pointers into self, which outlives the ring in tests.
        unsafe { SqRing::new(p) }.unwrap()
    }
    /// The consumer takes `n` entries (as the kernel would).
    pub(crate) fn consume(&self, n: u32) {
        // SAFETY: test-local memory, single thread.
        unsafe { *self.idx(0) = (*self.idx(0)).wrapping_add(n) };
    }
    pub(crate) fn tail(&self) -> u32 {
        // SAFETY: as above.
        unsafe { *self.idx(1) }
    }
    pub(crate) fn base(&self) -> *mut io_uring_sqe {
        self.sqes.get().cast()
    }
}

#[test]
fn sq_fills_then_refuses_without_overwriting() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    let got: [_; 4] = core::array::from_fn(|_| sq.next_sqe().unwrap());
    for (i, p) in got.iter().enumerate() {
        assert_eq!(*p, m.base().wrapping_add(i));
    }
    assert_eq!(sq.space_left(), 0);
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.ready(), 4);
    // Nothing published before flush.
    assert_eq!(m.tail(), 0);
    assert_eq!(sq.flush(), 4);
    assert_eq!(m.tail(), 4);
    m.consume(3);
    assert_eq!(sq.space_left(), 3);
    assert_eq!(sq.next_sqe(), Some(m.base())); // index 4 -> slot 0
}

#[test]
fn sq_wraps_at_u32_max() {
    let m = MemSq::<4>::new(u32::MAX - 1);
    let mut sq = m.ring();
    for i in 0..4u32 {
        let want = m
            .base()
            .wrapping_add(((u32::MAX - 1).wrapping_add(i) & 3) as usize);
        assert_eq!(sq.next_sqe(), Some(want));
    }
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
    assert_eq!(m.tail(), 2); // wrapped past u32::MAX
    m.consume(4);
    assert_eq!(sq.space_left(), 4);
    assert_eq!(sq.ready(), 0);
    assert_eq!(sq.unflushed(), 0);
}

#[test]
fn sq_wide_pads_the_last_slot() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    sq.next_sqe().unwrap();
    sq.next_sqe().unwrap();
    sq.next_sqe().unwrap(); // tail = 3: the last slot
                            // Needs slot 3 (pad) + slots 0,1: only 1 free.
    assert!(sq.next_wide().is_none());
    sq.flush();
    m.consume(3);
    let w = sq.next_wide().unwrap();
    assert_eq!(w.pad, Some(m.base().wrapping_add(3)));
    assert_eq!(w.sqe, m.base());
    assert_eq!(sq.sqe_tail(), 6);
    assert_eq!(sq.space_left(), 1);
    // No pad when the pair fits: tail 6 -> slots 2,3 need 2 free, only 1.
    assert!(sq.next_wide().is_none());
    m.consume(3);
    let w = sq.next_wide().unwrap();
    assert_eq!(w.pad, None);
    assert_eq!(w.sqe, m.base().wrapping_add(2));
}

/// A CQ in plain memory: indices + `N` 16-byte slots.
pub(crate) struct MemCq<const N: usize> {
    idx: UnsafeCell<[u32; 4]>, // head, tail, flags, overflow
    cqes: UnsafeCell<[[u64; 2]; N]>,
    shift: u32,
}

impl<const N: usize> MemCq<N> {
    pub(crate) fn new(start: u32, shift: u32) -> Self {
        MemCq {
            idx: UnsafeCell::new([start, start, 0, 0]),
            cqes: UnsafeCell::new([[0; 2]; N]),
            shift,
        }
    }
    fn idx(&self, i: usize) -> *mut u32 {
        self.idx.get().cast::<u32>().wrapping_add(i)
    }
    pub(crate) fn ring(&self) -> CqRing {
        self.ring_mixed(self.shift == 0)
    }
    /// As `ring`, choosing whether a 16-byte ring is mixed.
    fn ring_mixed(&self, mixed: bool) -> CqRing {
        let entries = (N as u32) >> self.shift;
        let p = CqPtrs {
            khead: self.idx(0),
            ktail: self.idx(1),
            kflags: self.idx(2),
            koverflow: self.idx(3),
            cqes: self.cqes.get().cast(),
            entries,
            mask: entries - 1,
            shift: self.shift,
            // The tests below post 32-byte and padding CQEs into 16-byte
            // rings: those are mixed rings (`ring`).
            mixed,
        };
        // SAFETY: all pointers into self, which outlives the ring.
        unsafe { CqRing::new(p) }.unwrap()
    }
    /// The producer posts a CQE (`slots` 16-byte units) at its tail.
    pub(crate) fn post(&self, user_data: u64, flags: u32, extra: u64, slots: u32) {
        // SAFETY: test-local memory, single thread.
        unsafe {
            let tail = *self.idx(1);
            let entries = (N as u32) >> self.shift;
            let s = ((tail & (entries - 1)) as usize) << self.shift;
            let c = self.cqes.get().cast::<[u64; 2]>();
            *c.add(s) = [user_data, u64::from(flags) << 32];
            if slots == 2 || self.shift == 1 {
                *c.add(s + 1) = [extra, extra + 1];
            }
            *self.idx(1) = tail.wrapping_add(slots);
        }
    }
    pub(crate) fn head(&self) -> u32 {
        // SAFETY: as above.
        unsafe { *self.idx(0) }
    }
}

#[test]
fn cq_batch_iterates_then_advances_once() {
    let m = MemCq::<8>::new(u32::MAX - 2, 0);
    let cq = m.ring();
    for i in 0..5 {
        m.post(i, 0, 0, 1);
    }
    assert_eq!(cq.ready(), 5);
    let mut b = cq.batch();
    let first: [u64; 3] = core::array::from_fn(|_| b.next().unwrap().user_data);
    assert_eq!(first, [0, 1, 2]);
    assert_eq!(b.consumed(), 3);
    assert_eq!(b.remaining(), 2);
    assert_eq!(
        m.head(),
        u32::MAX - 2,
        "iteration alone does not move the head"
    );
    cq.advance(b.consumed());
    assert_eq!(m.head(), 0); // wrapped
    let rest: [u64; 2] = {
        let mut b = cq.batch();
        let r = core::array::from_fn(|_| b.next().unwrap().user_data);
        assert!(b.next().is_none());
        cq.advance(b.consumed());
        r
    };
    assert_eq!(rest, [3, 4]);
    assert_eq!(cq.ready(), 0);
}

#[test]
fn cq_batch_snapshot_ignores_later_posts() {
    let m = MemCq::<8>::new(0, 0);
    let cq = m.ring();
    m.post(1, 0, 0, 1);
    let mut b = cq.batch();
    m.post(2, 0, 0, 1);
    assert_eq!(b.next().map(|c| c.user_data), Some(1));
    assert!(b.next().is_none());
}

#[test]
fn cq_big_entries_with_shift() {
    let m = MemCq::<8>::new(0, 1); // 4 entries of 32 bytes
    let cq = m.ring();
    m.post(7, 0, 40, 1);
    let c = cq.batch().next().unwrap();
    assert!(c.big);
    assert_eq!(c.nr, 1);
    assert_eq!(c.extra, [40, 41]);
}

#[test]
fn cq_mixed_sizes_and_skip_padding() {
    let m = MemCq::<4>::new(0, 0);
    let cq = m.ring();
    m.post(1, 0, 0, 1); // slot 0
    m.post(2, 0, 0, 1); // slot 1
    m.post(3, 0, 0, 1); // slot 2
                        // A 32-byte CQE cannot start at slot 3: the producer pads it.
    m.post(0, IORING_CQE_F_SKIP, 0, 1); // slot 3
    cq.advance(3);
    m.post(9, IORING_CQE_F_32, 90, 2); // slots 0,1
    let mut b = cq.batch();
    let c = b.next().unwrap();
    assert_eq!((c.user_data, c.big, c.nr, c.extra), (9, true, 2, [90, 91]));
    assert!(b.next().is_none());
    assert_eq!(b.consumed(), 3);
    cq.advance(b.consumed());
    assert_eq!(cq.ready(), 0);
}

#[test]
fn cq_mixed_batch_never_reads_past_the_array() {
    // A (corrupt) 32-byte CQE on the last slot, one slot published: the
    // batch yields it without its second half (which would lie past the
    // array; Miri checks) and stops at the tail.
    let m = MemCq::<4>::new(3, 0);
    let cq = m.ring();
    m.post(5, IORING_CQE_F_32, 50, 1); // slot 3
    let mut b = cq.batch();
    let c = b.next().unwrap();
    assert_eq!((c.user_data, c.big, c.nr, c.extra), (5, true, 2, [0, 0]));
    assert!(b.next().is_none());
    assert_eq!(b.consumed(), 1, "clamped to the tail");
}

#[test]
fn cq_flags_word() {
    let m = MemCq::<4>::new(0, 0);
    let cq = m.ring();
    assert_eq!(cq.flags(), Some(0));
    cq.set_flags(1).unwrap();
    assert_eq!(cq.flags(), Some(1));
}

#[test]
fn sq_rewind_restarts_at_slot_zero() {
    let m = MemSq::<4>::new(0);
    let mut p = *m.ring().ptrs();
    p.rewind = true;
    // SAFETY: pointers into m, which outlives the ring.
    let mut sq = unsafe { SqRing::new(p) }.unwrap();
    sq.next_sqe().unwrap();
    sq.next_sqe().unwrap();
    assert_eq!(sq.flush(), 2);
    assert_eq!(m.tail(), 0, "the tail is never published");
    assert_eq!(sq.next_sqe(), Some(m.base()));
    assert_eq!(sq.flush(), 1);
}

#[test]
fn sq_free_count_is_refreshed_only_when_used_up() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    for _ in 0..4 {
        sq.next_sqe().unwrap();
    }
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
    m.consume(2);
    // Exactly the two freed slots, then full again.
    assert_eq!(sq.next_sqe(), Some(m.base()));
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(1)));
    assert!(sq.next_sqe().is_none());
}

#[test]
fn sq_wide_ignores_a_head_ahead_of_the_tail() {
    // Found by tests/queue_model.rs: with the head 2 ahead of the tail, the
    // wrapping fit check passed and a 1-slot ring handed out slot 0 as
    // both the pad and a 128-byte pair running past the 64-byte array.
    let m = MemSq::<1>::new(u32::MAX);
    let mut sq = m.ring();
    m.consume(2);
    assert!(sq.next_wide().is_none());
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    m.consume(1); // head 1, tail 0: nonsense, nothing is free
    assert!(sq.next_wide().is_none());
}

#[test]
fn sq_wide_invalidates_the_free_count() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    sq.next_sqe().unwrap(); // 3 more known free
    sq.flush();
    m.consume(1);
    let w = sq.next_wide().unwrap(); // slots 1,2: tail 3, head 1
    assert_eq!((w.pad, w.sqe), (None, m.base().wrapping_add(1)));
    // 2 free (slots 3 and 0), not the 3 counted before the wide entry.
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(3)));
    assert_eq!(sq.next_sqe(), Some(m.base()));
    assert!(sq.next_sqe().is_none());
}

#[test]
fn sq_cursor_hands_out_the_same_slots_and_stores_the_tail() {
    let m = MemSq::<4>::new(u32::MAX - 1);
    let mut sq = m.ring();
    sq.next_sqe().unwrap();
    {
        let mut c = sq.cursor();
        for i in 1..4u32 {
            let want = m
                .base()
                .wrapping_add(((u32::MAX - 1).wrapping_add(i) & 3) as usize);
            assert_eq!(c.next_sqe(), Some(want));
        }
        assert!(c.next_sqe().is_none());
    }
    assert_eq!(sq.sqe_tail(), 2); // u32::MAX - 1 + 4, wrapped
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
    m.consume(1);
    assert_eq!(sq.cursor().next_sqe(), Some(m.base().wrapping_add(2)));
    assert_eq!(sq.sqe_tail(), 3);
}

#[test]
fn cq_plain_ring_ignores_mixed_only_flags() {
    let m = MemCq::<4>::new(0, 0);
    let mut p = *m.ring().ptrs();
    p.mixed = false;
    // SAFETY: pointers into m, which outlives the ring.
    let cq = unsafe { CqRing::new(p) }.unwrap();
    // A plain ring never carries these flags; if it did, they are data.
    m.post(5, IORING_CQE_F_32 | IORING_CQE_F_SKIP, 0, 1);
    m.post(6, 0, 0, 1);
    let mut b = cq.batch();
    let c = b.next().unwrap();
    assert_eq!((c.user_data, c.big, c.nr), (5, false, 1));
    assert_eq!(b.next().map(|c| c.user_data), Some(6));
    assert!(b.next().is_none());
    assert_eq!(b.consumed(), 2);
}

#[test]
fn cq_peek_fast_is_only_for_one_slot_unpadded_cqes() {
    let m = MemCq::<4>::new(u32::MAX, 0);
    let cq = m.ring_mixed(false);
    assert_eq!(cq.peek_fast(false), Some(None), "empty");
    m.post(5, 0, 0, 1);
    let (c, next) = cq.peek_fast(false).unwrap().unwrap();
    assert_eq!((c.user_data, c.nr, c.big), (5, 1, false));
    assert_eq!(next, 0, "the head past it (wrapping)");
    assert_eq!(m.head(), u32::MAX, "peeking does not consume");
    assert_eq!(cq.peek_fast(true), cq.peek_fast(false), "plain: all of it");
    cq.advance(1);
    // A padding flag is left to the slow path (None), even in a plain ring,
    // and so is IORING_CQE_F_32 (there a sender's flag, read as one slot).
    m.post(6, IORING_CQE_F_SKIP, 0, 1);
    assert_eq!(cq.peek_fast(false), None);
    cq.advance(1);
    m.post(6, IORING_CQE_F_32, 0, 1);
    assert_eq!(cq.peek_fast(false), None);
    // A CQE32 ring: the first 16 bytes of the head's 32-byte slot, the
    // next index just past it; never when all 32 bytes are wanted.
    let big = MemCq::<8>::new(u32::MAX, 1);
    big.post(7, 0, 40, 1);
    big.post(8, 0, 41, 1);
    let ring = big.ring();
    let (c, next) = ring.peek_fast(false).unwrap().unwrap();
    assert_eq!((c.user_data, c.nr, c.big, next), (7, 1, false, 0));
    assert_eq!(ring.peek_fast(true), None);
    ring.advance(1);
    let (c, next) = ring.peek_fast(false).unwrap().unwrap();
    assert_eq!((c.user_data, next), (8, 1), "slot 0 after the wrap");
    // A mixed ring: a 16-byte CQE is read here, a 32-byte one (two slots)
    // and padding are not; never when all 32 bytes are wanted.
    let mixed = MemCq::<4>::new(0, 0);
    mixed.post(8, 0, 0, 1);
    mixed.post(9, IORING_CQE_F_32, 1, 2);
    let ring = mixed.ring();
    let (c, next) = ring.peek_fast(false).unwrap().unwrap();
    assert_eq!((c.user_data, c.nr, next), (8, 1, 1));
    assert_eq!(ring.peek_fast(true), None);
    ring.advance(1);
    assert_eq!(ring.peek_fast(false), None, "32-byte: the slow path");
}

#[test]
fn cq_seen_consumes_the_peeked_cqe_without_passing_the_tail() {
    let m = MemCq::<4>::new(u32::MAX, 0);
    let cq = m.ring_mixed(false);
    // Nothing peeked, nothing ready: nothing moves.
    cq.seen();
    assert_eq!(m.head(), u32::MAX);
    m.post(1, 0, 0, 1);
    m.post(2, 0, 0, 1);
    let (c, next) = cq.peek_fast(false).unwrap().unwrap();
    assert_eq!(c.user_data, 1);
    // SAFETY: from the peek just made, the head unmoved.
    unsafe { cq.note_peeked(next) };
    cq.seen();
    assert_eq!(m.head(), 0, "one CQE, wrapping");
    // A second seen with no new peek consumes the next CQE, re-reading
    // the indices, and a third finds nothing.
    cq.seen();
    assert_eq!(m.head(), 1);
    cq.seen();
    assert_eq!(m.head(), 1, "the head never passes the tail");

    // The head moved by a batch after the peek: seen must not go back to
    // (or past) what the peek saw.
    m.post(3, 0, 0, 1);
    m.post(4, 0, 0, 1);
    let (_, next) = cq.peek_fast(false).unwrap().unwrap();
    // SAFETY: as above.
    unsafe { cq.note_peeked(next) };
    let mut b = cq.batch();
    assert_eq!(b.by_ref().count(), 2);
    b.commit();
    assert_eq!(m.head(), 3);
    cq.seen();
    assert_eq!(m.head(), 3, "nothing ready after the batch: no move");
    // Likewise after cq_advance and a plain advance.
    for step in 0..2 {
        m.post(5, 0, 0, 1);
        let (_, next) = cq.peek_fast(false).unwrap().unwrap();
        // SAFETY: as above.
        unsafe { cq.note_peeked(next) };
        if step == 0 {
            cq.advance_whole(1);
        } else {
            cq.advance(1);
        }
        let h = m.head();
        cq.seen();
        assert_eq!(m.head(), h, "seen after an advance: nothing ready");
    }
}

#[test]
fn cq_seen_after_duplicate_rereads_the_indices() {
    // A split hands a second value over the same queue: the first one's
    // record of its last peek must not survive the other's head moves.
    let m = MemCq::<4>::new(0, 0);
    let cq = m.ring_mixed(false);
    m.post(1, 0, 0, 1);
    m.post(2, 0, 0, 1);
    let (_, next) = cq.peek_fast(false).unwrap().unwrap();
    // SAFETY: as above.
    unsafe { cq.note_peeked(next) };
    let other = cq.duplicate();
    other.advance_whole(2);
    assert_eq!(m.head(), 2);
    cq.seen();
    assert_eq!(m.head(), 2, "the duplicate consumed both; nothing ready");
    other.seen();
    assert_eq!(m.head(), 2);
}
