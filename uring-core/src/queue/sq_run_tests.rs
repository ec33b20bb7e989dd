//! [`SqCursor::reserve`] over an SQ in plain memory (runs under Miri).

use super::super::tests::MemSq;
use super::super::{SqPtrs, SqRing};
use bare_uring_sys::io_uring_sqe;

/// The slots a reservation yields (up to 8), in order.
#[derive(Debug, PartialEq)]
struct Got {
    slots: [*mut io_uring_sqe; 8],
    len: usize,
}

impl Got {
    fn len(&self) -> usize {
        self.len
    }
}

impl<const K: usize> PartialEq<[*mut io_uring_sqe; K]> for Got {
    fn eq(&self, want: &[*mut io_uring_sqe; K]) -> bool {
        self.slots[..self.len] == want[..]
    }
}

/// The slots a reservation of `n` yields, collected.
fn reserve_all(sq: &mut SqRing, n: u32) -> Option<Got> {
    let mut c = sq.cursor();
    let r = c.reserve(n)?;
    assert_eq!(r.len(), n as usize);
    let mut got = Got {
        slots: [core::ptr::null_mut(); 8],
        len: 0,
    };
    for p in r {
        got.slots[got.len] = p;
        got.len += 1;
    }
    Some(got)
}

#[test]
fn reserve_yields_consecutive_slots_then_publishes_them() {
    let m = MemSq::<8>::new(0);
    let mut sq = m.ring();
    let got = reserve_all(&mut sq, 5).unwrap();
    assert_eq!(got, [0, 1, 2, 3, 4].map(|i| m.base().wrapping_add(i)));
    assert_eq!(sq.sqe_tail(), 5);
    assert_eq!(m.tail(), 0, "nothing published before flush");
    assert_eq!(sq.flush(), 5);
    assert_eq!(m.tail(), 5);
    // The next slot, either way.
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(5)));
    assert_eq!(
        reserve_all(&mut sq, 2).unwrap(),
        [6, 7].map(|i| m.base().wrapping_add(i))
    );
}

#[test]
fn reserve_refuses_more_than_free_and_changes_nothing() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    sq.next_sqe().unwrap();
    assert!(reserve_all(&mut sq, 4).is_none());
    assert_eq!(sq.sqe_tail(), 1);
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(1)));
    // Exactly what is free is fine: slots 2 and 3.
    assert_eq!(
        reserve_all(&mut sq, 2).unwrap(),
        [2, 3].map(|i| m.base().wrapping_add(i))
    );
    assert!(reserve_all(&mut sq, 1).is_none());
    assert_eq!(sq.flush(), 4);
    // The kernel consumes two: they are free again, from slot 0.
    m.consume(2);
    assert!(reserve_all(&mut sq, 3).is_none());
    assert_eq!(
        reserve_all(&mut sq, 2).unwrap(),
        [0, 1].map(|i| m.base().wrapping_add(i))
    );
}

#[test]
fn reserve_across_the_array_end_continues_at_slot_zero() {
    // Tail and head at u32::MAX - 1: slot 2 of 4; the indices also wrap.
    let m = MemSq::<4>::new(u32::MAX - 1);
    let mut sq = m.ring();
    let got = reserve_all(&mut sq, 4).unwrap();
    assert_eq!(got, [2, 3, 0, 1].map(|i| m.base().wrapping_add(i)));
    assert_eq!(sq.sqe_tail(), 2);
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
    assert_eq!(m.tail(), 2);
    m.consume(3);
    // Index 2 -> slot 2; then 3 and 0.
    assert_eq!(
        reserve_all(&mut sq, 3).unwrap(),
        [2, 3, 0].map(|i| m.base().wrapping_add(i))
    );
    assert_eq!(sq.flush(), 4);
}

#[test]
fn an_early_drop_hands_out_only_what_was_yielded() {
    let m = MemSq::<4>::new(2);
    let mut sq = m.ring();
    {
        let mut c = sq.cursor();
        let mut r = c.reserve(4).unwrap();
        assert_eq!(r.next(), Some(m.base().wrapping_add(2)));
        assert_eq!(r.len(), 3);
    }
    assert_eq!(sq.sqe_tail(), 3);
    {
        // Past the wrap: slots 3, 0, then stop.
        let mut c = sq.cursor();
        let mut r = c.reserve(3).unwrap();
        assert_eq!(r.next(), Some(m.base().wrapping_add(3)));
        assert_eq!(r.next(), Some(m.base()));
    }
    assert_eq!(sq.sqe_tail(), 5);
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(1)));
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
}

#[test]
fn a_leaked_reservation_leaves_a_consistent_cursor() {
    // Leaked before the wrap: nothing handed out.
    let m = MemSq::<4>::new(2);
    let mut sq = m.ring();
    {
        let mut c = sq.cursor();
        let mut r = c.reserve(4).unwrap();
        r.next().unwrap();
        core::mem::forget(r);
    }
    assert_eq!(sq.sqe_tail(), 2);
    // Leaked after the wrap: the first segment (slots 2 and 3, both
    // yielded) counts as handed out; the next slot is slot 0, in the array.
    {
        let mut c = sq.cursor();
        let mut r = c.reserve(4).unwrap();
        for _ in 0..3 {
            r.next().unwrap();
        }
        core::mem::forget(r);
    }
    assert_eq!(sq.sqe_tail(), 4);
    assert_eq!(sq.next_sqe(), Some(m.base()));
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(1)));
    assert!(sq.next_sqe().is_none());
    assert_eq!(sq.flush(), 4);
}

#[test]
fn an_exhausted_reservation_stays_exhausted() {
    let m = MemSq::<4>::new(3);
    let mut sq = m.ring();
    {
        let mut c = sq.cursor();
        let mut r = c.reserve(2).unwrap();
        assert_eq!(r.next(), Some(m.base().wrapping_add(3)));
        assert_eq!(r.next(), Some(m.base()));
        for _ in 0..3 {
            assert_eq!(r.next(), None);
            assert_eq!(r.len(), 0);
        }
    }
    assert_eq!(sq.sqe_tail(), 5);
    let mut c = sq.cursor();
    let mut r = c.reserve(0).unwrap();
    assert_eq!(r.next(), None);
    drop(r);
    drop(c);
    assert_eq!(sq.sqe_tail(), 5);
}

#[test]
fn a_head_ahead_of_the_tail_frees_nothing() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    m.consume(7); // a corrupt head, past the tail
    assert!(reserve_all(&mut sq, 1).is_none());
    assert_eq!(sq.sqe_tail(), 0);
}

#[test]
fn reserve_on_a_closed_queue_yields_nothing() {
    let m = MemSq::<4>::new(0);
    let mut sq = m.ring();
    let lent = sq.lend();
    assert!(reserve_all(&mut sq, 1).is_none());
    assert_eq!(reserve_all(&mut sq, 0).unwrap().len(), 0);
    sq.give_back(&lent);
    assert_eq!(reserve_all(&mut sq, 4).unwrap().len(), 4);
}

#[test]
fn reserve_steps_by_128_bytes_on_sqe128_queues() {
    // 4 slots of 128 bytes: 8 SQE structs of memory.
    let m = MemSq::<8>::new(3);
    let mut p: SqPtrs = *m.ring().ptrs();
    p.entries = 4;
    p.mask = 3;
    p.shift = 1;
    // SAFETY: pointers into m (8 x 64 bytes = 4 x 128), which outlives it.
    let mut sq = unsafe { SqRing::new(p) }.unwrap();
    let got = reserve_all(&mut sq, 3).unwrap();
    assert_eq!(got, [6, 0, 2].map(|i| m.base().wrapping_add(i)));
    assert_eq!(sq.sqe_tail(), 6);
    assert_eq!(sq.next_sqe(), Some(m.base().wrapping_add(4)));
    assert!(sq.next_sqe().is_none());
}
