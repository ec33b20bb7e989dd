//! [`SqReserved`]: `n` SQE slots reserved at once, handed out in order
//! (see [`SqCursor::reserve`]).

use bare_uring_sys::io_uring_sqe;

use super::sq_ring::{run_base, sqe_at, Slots, Stride};
use super::{load_acquire, space_left, SqCursor, SqPtrs};

impl<'a> SqCursor<'a> {
    /// Reserves `n` slots at once: `None` if fewer than `n` are free
    /// (nothing is reserved, the cursor is unchanged); else a
    /// [`SqReserved`] that yields exactly `n` distinct slots, in index
    /// order, from the cursor's tail on.
    ///
    /// A slot counts as handed out (published by the next flush) once the
    /// iterator has yielded it: dropping the iterator early hands out no
    /// more than it yielded (leaking it, at most those). The kernel's head
    /// is read only if the cursor's current run of free slots is shorter
    /// than `n`.
    #[inline]
    pub fn reserve(&mut self, n: u32) -> Option<SqReserved<'_, 'a>> {
        let g = self.g;
        // In bytes: n slots against what is left of the current run (in
        // u64: no shift of a u32 count by 7 overflows it).
        let len = (n as u64) << g.log2();
        let room = (self.s.stop as usize).wrapping_sub(self.s.next as usize) as u64;
        let (len, wrap) = if len <= room {
            (len as usize, Wrap::NONE)
        } else {
            let (s, first, wrap) = new_run(self.sq.ptrs(), self.s, g, n)?;
            self.s = s;
            ((first as usize) << g.log2(), wrap)
        };
        Some(SqReserved {
            end: self.s.next.wrapping_byte_add(len),
            // One stride before the first slot: `next` steps, then yields.
            off: (len as isize).wrapping_add(g.bytes as isize).wrapping_neg(),
            stride: g.bytes as isize,
            wrap,
            cur: self,
        })
    }
}

/// The second segment of a reservation that reaches the SQE array's end.
#[derive(Clone, Copy, Debug)]
struct Wrap {
    /// Its slots (from slot 0); 0 if there is none, or once started.
    slots: u32,
    /// The SQE array (slot 0).
    sqes: *mut io_uring_sqe,
    /// `Slots::run_base` of a run starting at slot 0 there.
    run_base: u64,
}

impl Wrap {
    const NONE: Wrap = Wrap {
        slots: 0,
        sqes: core::ptr::null_mut(),
        run_base: 0,
    };
}

/// The run of `s` is shorter than `n` slots: starts a run at the tail with
/// a fresh head (as `Slots::take` does when a run is used up) and splits
/// the `n` slots into the part before the array's end and a [`Wrap`].
/// `None` if fewer than `n` slots are free.
#[inline(always)]
fn new_run(p: &SqPtrs, s: Slots, g: Stride, n: u32) -> Option<(Slots, u32, Wrap)> {
    let tail = s.tail(g);
    // SAFETY: khead is valid per SqRing::new's contract.
    // Acquire (see load_acquire): the kernel (or SQPOLL thread) advances
    // head once it has read the SQEs; our next writes to those slots must
    // come after.
    let free = space_left(p.entries, tail, unsafe { load_acquire(p.khead) });
    if n > free {
        return None;
    }
    // Slots before the array's end: in 1..=entries.
    let to_end = p.mask - (tail & p.mask) + 1;
    let run = if free < to_end { free } else { to_end };
    let slot = sqe_at(p.sqes, tail, p.mask, g.bytes);
    let s = Slots {
        next: slot,
        stop: slot.wrapping_byte_add(run as usize * g.bytes),
        run_base: run_base(slot, tail, g),
    };
    if n <= run {
        return Some((s, n, Wrap::NONE));
    }
    // n <= free and n > run: the run ends at the array's end (run = to_end
    // < free), and the rest, from slot 0, stays below the first slot still
    // in use (n <= free).
    let wrap = Wrap {
        slots: n - run,
        sqes: p.sqes,
        run_base: run_base(p.sqes, tail.wrapping_add(run), g),
    };
    Some((s, run, wrap))
}

/// Slots reserved by [`SqCursor::reserve`]: an iterator over their
/// addresses, each yielded once; it stores how far it got back into the
/// cursor when it drops.
///
/// The last slot yielded is `end + off`, with `off` a negative byte count:
/// each `next` adds the stride and yields `end + off` unless that is 0
/// (the end of a contiguous segment): one add and one branch per slot.
#[derive(Debug)]
pub struct SqReserved<'c, 'a> {
    cur: &'c mut SqCursor<'a>,
    /// One past the last slot of the current segment.
    end: *mut io_uring_sqe,
    /// Bytes from `end` back to the last slot yielded (before the first:
    /// one stride before it): `-(slots left + 1) * stride`.
    off: isize,
    /// Bytes per slot.
    stride: isize,
    wrap: Wrap,
}

impl Iterator for SqReserved<'_, '_> {
    type Item = *mut io_uring_sqe;

    #[inline(always)]
    fn next(&mut self) -> Option<*mut io_uring_sqe> {
        // Step first, test the result: the add's own flags are the test
        // (no separate compare), and the caller's loop ends on that add.
        let mut off = self.off.wrapping_add(self.stride);
        if off == 0 {
            if self.wrap.slots == 0 {
                // Stay at the end: every later call gets here again.
                self.off = self.stride.wrapping_neg();
                return None;
            }
            // The first segment ended at the array's end: the rest starts
            // at slot 0, as a run of the cursor (the reserved slots are
            // known free; past them the next `take` reads the head again).
            // Inline, in the iterator's own fields: a call taking its
            // address would keep its state out of registers.
            let len = self.wrap.slots as isize * self.stride;
            self.end = self.wrap.sqes.wrapping_byte_offset(len);
            off = -len;
            self.wrap.slots = 0;
            // The whole state, so that the cursor is consistent even if
            // the iterator is leaked (then it counts the first segment as
            // handed out: every slot of it was yielded).
            self.cur.s = Slots {
                next: self.wrap.sqes,
                stop: self.end,
                run_base: self.wrap.run_base,
            };
        }
        self.off = off;
        let slot = self.end.wrapping_byte_offset(off);
        // SAFETY: `slot` lies in the SQE array (non-null): `end - len` up
        // to `end` are slots of it. Telling the compiler keeps a null test
        // from splitting the caller's stores into the slot.
        unsafe { core::hint::assert_unchecked(!slot.is_null()) };
        Some(slot)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        // Slots after the last one yielded: -(off + stride) / stride.
        let n = (self.off.wrapping_add(self.stride).unsigned_abs() >> self.cur.g.log2())
            + self.wrap.slots as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for SqReserved<'_, '_> {}

impl core::iter::FusedIterator for SqReserved<'_, '_> {}

impl Drop for SqReserved<'_, '_> {
    #[inline]
    fn drop(&mut self) {
        // The slot after the last one yielded.
        self.cur.s.next = self
            .end
            .wrapping_byte_offset(self.off.wrapping_add(self.stride));
    }
}

#[cfg(test)]
#[path = "sq_run_tests.rs"]
mod tests;
