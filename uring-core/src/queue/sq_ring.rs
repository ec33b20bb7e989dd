//! [`SqRing`]: the submission queue's index arithmetic (see [`super`]).

use bare_uring_sys::io_uring_sqe;

use super::{atomic, check_geometry, load_acquire, ready, space_left};
use crate::Errno;
use core::sync::atomic::{AtomicU32, Ordering};

/// The tail word of every queue closed by [`SqRing::lend`]: written by
/// their flushes, read by nobody that matters (atomic, so closed queues on
/// several threads may share it).
static CLOSED_TAIL: AtomicU32 = AtomicU32::new(0);

/// Raw pointers describing a submission queue (see [`SqRing::new`]).
#[derive(Clone, Copy, Debug)]
pub struct SqPtrs {
    /// `sq_off.head`: consumer index, written by the kernel.
    pub khead: *mut u32,
    /// `sq_off.tail`: producer index, written by us.
    pub ktail: *mut u32,
    /// `sq_off.flags`: `IORING_SQ_*`, written by the kernel.
    pub kflags: *mut u32,
    /// `sq_off.dropped`: invalid SQEs the kernel skipped.
    pub kdropped: *mut u32,
    /// The SQE array (`entries << shift` 64-byte units).
    pub sqes: *mut io_uring_sqe,
    /// Ring size (power of two).
    pub entries: u32,
    /// `entries - 1`.
    pub mask: u32,
    /// 1 for 128-byte SQEs (IORING_SETUP_SQE128), else 0.
    pub shift: u32,
    /// IORING_SETUP_SQ_REWIND: the kernel ignores head and tail and
    /// always reads SQEs from slot 0; the tail is never published.
    pub rewind: bool,
}

/// A submission queue: the kernel-shared indices plus our local head
/// and tail (SQEs handed out but not yet published lie between them).
///
/// `repr(C)`, hot fields first: at small offsets, so that each access
/// encodes shorter (a one-byte displacement on x86-64).
#[derive(Debug)]
#[repr(C)]
pub struct SqRing {
    /// The next slot to hand out, and the free run it walks.
    s: Slots,
    /// Bytes per slot.
    g: Stride,
    p: SqPtrs,
}

/// Where a producer hands out its next SQEs: the run of free slots it
/// walks by address.
///
/// `next` is the address of the next slot to hand out, and the slots from
/// `next` up to `stop` (excluded) are free and contiguous in memory: a
/// fast-path SQE is one add and one compare, with no index to keep or
/// mask. The tail is not counted on the way: [`tail`](Self::tail)
/// derives it from `next` when asked (on submit, mostly). When `next`
/// reaches `stop` (or a change elsewhere starts over at some tail), the
/// next call reads the kernel's head and starts a new run at the tail:
/// `stop` is then the first slot still in use or the end of the SQE
/// array, whichever comes first. So the head is read once per run (per
/// ring's worth of SQEs at most), not once per SQE. Every address stays
/// within the SQE array (`stop` at most one past its end), and only
/// addresses below `stop` are handed out.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slots {
    pub(super) next: *mut io_uring_sqe,
    pub(super) stop: *mut io_uring_sqe,
    /// The run's first slot address minus its tail times the stride, as
    /// an integer: the tail is `(next - run_base) / stride` (a subtract
    /// and a shift). In `u64`, so that no bit of a 32-bit tail is lost.
    pub(super) run_base: u64,
}

impl Slots {
    /// The tail at `tail`, with an empty run: the first SQE starts one.
    #[inline]
    fn starting_at(tail: u32, sqes: *mut io_uring_sqe, g: Stride) -> Self {
        Slots {
            next: sqes,
            stop: sqes,
            run_base: run_base(sqes, tail, g),
        }
    }

    /// Index of the next SQE to hand out.
    #[inline]
    pub(super) fn tail(&self, g: Stride) -> u32 {
        // Exact: next - run_base is (run tail + slots walked) * stride, and
        // the shift divides by the stride.
        ((self.next as usize as u64).wrapping_sub(self.run_base) >> g.log2()) as u32
    }

    /// Reserves the next slot; `None` when the ring is full (nothing is
    /// overwritten, the tail stays).
    #[inline(always)]
    fn take(&mut self, p: &SqPtrs, g: Stride) -> Option<*mut io_uring_sqe> {
        let mut slot = self.next;
        // Stored before the check, so on every path (undone at once at the
        // end of the run): a store that runs on every call lets the
        // compiler keep the state in registers across a caller's loop of
        // calls and store it once when the loop ends.
        self.next = slot.wrapping_byte_add(g.bytes);
        if slot == self.stop {
            self.next = slot;
            slot = self.new_run(p, g)?;
        }
        Some(slot)
    }

    /// The run is used up: starts the next one at the tail, up to the
    /// first slot the kernel has not consumed or the end of the array;
    /// `None` if the ring is full.
    #[inline(always)]
    fn new_run(&mut self, p: &SqPtrs, g: Stride) -> Option<*mut io_uring_sqe> {
        let tail = self.tail(g);
        // SAFETY: khead is valid per SqRing::new's contract.
        // Acquire (see load_acquire): the kernel (or SQPOLL thread)
        // advances head once it has read the SQEs; our next writes to
        // those slots must come after.
        let free = space_left(p.entries, tail, unsafe { load_acquire(p.khead) });
        if free == 0 {
            return None;
        }
        let index = tail & p.mask;
        // Slots left before the array's end: never 0, never more than
        // `entries` (so `stop` is at most one past the end).
        let to_end = p.mask - index + 1;
        let run = if free < to_end { free } else { to_end };
        let slot = sqe_at(p.sqes, tail, p.mask, g.bytes);
        self.run_base = run_base(slot, tail, g);
        self.next = slot.wrapping_byte_add(g.bytes);
        self.stop = slot.wrapping_byte_add(run as usize * g.bytes);
        Some(slot)
    }
}

/// [`Slots::run_base`] of a run starting at `slot` with tail `tail`.
#[inline]
pub(super) fn run_base(slot: *mut io_uring_sqe, tail: u32, g: Stride) -> u64 {
    (slot as usize as u64).wrapping_sub((tail as u64) << g.log2())
}

/// Bytes per slot, 64 or 128 (SQE128), and their log2.
#[derive(Clone, Copy, Debug)]
pub(super) struct Stride {
    pub(super) bytes: usize,
    log2: u32,
}

impl Stride {
    /// From `SqPtrs::shift` (1 for 128-byte SQEs).
    #[inline]
    fn new(shift: u32) -> Self {
        let log2 = 6 + (shift & 1);
        Stride {
            bytes: 1 << log2,
            log2,
        }
    }

    /// log2 of the stride (6 or 7), as a shift count the compiler knows
    /// to be in range: no masking instruction where the count is loaded
    /// in one block and used in another.
    #[inline(always)]
    pub(super) fn log2(self) -> u32 {
        // SAFETY: `new` is the only constructor and sets 6 or 7.
        unsafe { core::hint::assert_unchecked(self.log2 < 8) };
        self.log2
    }
}

impl SqRing {
    /// Wraps the pointers; reads the current tail as the start.
    ///
    /// Errors: `EINVAL` if the geometry is not a power of two with a
    /// matching mask.
    ///
    /// # Safety
    /// Every pointer is valid (and aligned) for the life of the value:
    /// the indices for atomic `u32` access, `sqes` for `entries << shift`
    /// SQEs that nobody but this value and the consumer touch.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn new(p: SqPtrs) -> Result<Self, Errno> {
        check_geometry(p.entries, p.mask)?;
        // SAFETY: ktail is valid per the contract; we are the only writer.
        let tail = unsafe { atomic(p.ktail) }.load(Ordering::Relaxed);
        let g = Stride::new(p.shift);
        Ok(SqRing {
            p,
            g,
            s: Slots::starting_at(tail, p.sqes, g),
        })
    }

    /// Lends the queue's whole state to a second value (the split
    /// [`SubmissionQueue`](crate::split::SubmissionQueue), which keeps it in
    /// itself so a loop of its `get_sqe` calls keeps it in registers) and
    /// closes this one until [`give_back`](Self::give_back): no slot is
    /// handed out (no free slots) and nothing is left to publish. If the
    /// borrower is leaked, the queue stays closed; it never hands out or
    /// publishes slots behind the borrower's back.
    #[inline]
    pub(crate) fn lend(&mut self) -> SqRing {
        let lent = self.copy();
        self.p.entries = 0;
        // The kernel's tail is the borrower's now. A flush stores the tail
        // unconditionally, so the closed queue's would move the kernel's
        // tail back to where it stood at the lend, making SQEs the kernel
        // already consumed look pending again. Its tail word is a dummy
        // instead, which nobody else reads.
        self.p.ktail = CLOSED_TAIL.as_ptr();
        self.s = Slots::starting_at(0, self.p.sqes, self.g);
        lent
    }

    /// Takes back the state [`lend`](Self::lend) gave out.
    #[inline]
    pub(crate) fn give_back(&mut self, lent: &SqRing) {
        *self = lent.copy();
    }

    /// A second producer over the same queue: private, because two live
    /// ones would hand out the same slots (`lend` closes the first).
    #[inline]
    fn copy(&self) -> SqRing {
        SqRing {
            p: self.p,
            g: self.g,
            s: self.s,
        }
    }

    /// The pointers this queue was built from.
    #[inline]
    pub fn ptrs(&self) -> &SqPtrs {
        &self.p
    }

    /// Number of slots.
    #[inline]
    pub fn entries(&self) -> u32 {
        self.p.entries
    }

    /// The kernel's consumer index.
    #[inline]
    pub fn head(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Acquire (see load_acquire): the kernel (or SQPOLL thread)
        // advances head once it has read the SQEs; our next writes to those
        // slots must come after.
        unsafe { load_acquire(self.p.khead) }
    }

    /// `IORING_SQ_*` flags the kernel publishes.
    #[inline]
    pub fn flags(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Relaxed: a hint word (READ_ONCE in liburing); callers that need
        // ordering against their tail store issue a fence first.
        unsafe { atomic(self.p.kflags) }.load(Ordering::Relaxed)
    }

    /// SQEs the kernel dropped as invalid.
    #[inline]
    pub fn dropped(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Relaxed: a statistic, nothing is read based on it.
        unsafe { atomic(self.p.kdropped) }.load(Ordering::Relaxed)
    }

    /// SQEs handed out and not yet consumed by the kernel
    /// (`io_uring_sq_ready`).
    #[inline]
    pub fn ready(&self) -> u32 {
        ready(self.s.tail(self.g), self.head())
    }

    /// Free slots (`io_uring_sq_space_left`).
    #[inline]
    pub fn space_left(&self) -> u32 {
        space_left(self.p.entries, self.s.tail(self.g), self.head())
    }

    /// SQEs handed out since the last [`flush`](Self::flush).
    #[inline]
    pub fn unflushed(&self) -> u32 {
        ready(self.s.tail(self.g), self.published())
    }

    /// Index up to which SQEs are published to the kernel: `*ktail`, which
    /// only we write (liburing keeps a copy, `sqe_head`; reading the
    /// shared word instead saves a store per submit). 0 on a rewind queue,
    /// whose tail is never published and whose batches start at 0.
    #[inline]
    fn published(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Relaxed: our own last store (or the value before it), nobody
        // else writes the tail.
        unsafe { atomic(self.p.ktail) }.load(Ordering::Relaxed)
    }

    /// Local index of the next SQE to hand out.
    #[inline]
    pub fn sqe_tail(&self) -> u32 {
        self.s.tail(self.g)
    }

    /// The `i`-th SQE handed out since the last [`flush`](Self::flush)
    /// (for `i` below [`unflushed`](Self::unflushed)).
    #[inline]
    pub(crate) fn unflushed_sqe(&self, i: u32) -> *mut io_uring_sqe {
        self.at(self.published().wrapping_add(i))
    }

    /// Forgets the SQEs handed out since the last [`flush`](Self::flush):
    /// the next SQE handed out is the first of them again. Returns how
    /// many were forgotten. The kernel has not seen them.
    pub(crate) fn discard_unflushed(&mut self) -> u32 {
        let n = self.unflushed();
        self.s = Slots::starting_at(self.published(), self.p.sqes, self.g);
        n
    }

    /// Forgets every SQE the kernel has not consumed, published or not:
    /// the tail goes back to the kernel's head (in shared memory too).
    /// Returns how many were forgotten.
    ///
    /// Only for a ring whose SQEs the kernel reads during
    /// `io_uring_enter` alone (no SQPOLL thread) and while nobody enters
    /// it: then the kernel's head equals its cached head and a tail equal
    /// to it means "nothing to submit"; the slots were never read.
    pub(crate) fn discard_unconsumed(&mut self) -> u32 {
        if self.p.rewind {
            // Nothing is kept between enters: the slots handed out since
            // the last flush are all there is.
            return self.discard_unflushed();
        }
        let head = self.head();
        let n = ready(self.s.tail(self.g), head);
        if self.published() != head {
            // SAFETY: valid per `new`'s contract.
            // Release, as in flush: the store that publishes a tail.
            unsafe { atomic(self.p.ktail) }.store(head, Ordering::Release);
        }
        self.s = Slots::starting_at(head, self.p.sqes, self.g);
        n
    }

    #[inline]
    fn at(&self, index: u32) -> *mut io_uring_sqe {
        sqe_at(self.p.sqes, index, self.p.mask, self.g.bytes)
    }

    /// Reserves the next slot; `None` when the ring is full (nothing is
    /// overwritten). The slot's content is left as is.
    #[inline]
    pub fn next_sqe(&mut self) -> Option<*mut io_uring_sqe> {
        self.s.take(&self.p, self.g)
    }

    /// A cursor handing out SQEs with the queue's geometry and its run of
    /// free slots held in the cursor itself (in registers once inlined),
    /// not re-read from `self` after every SQE written; the state is
    /// stored back when it drops. Same slots, same checks as
    /// [`next_sqe`](Self::next_sqe).
    #[inline]
    pub fn cursor(&mut self) -> SqCursor<'_> {
        SqCursor {
            s: self.s,
            g: self.g,
            sq: self,
        }
    }

    /// Reserves two consecutive slots for a 128-byte SQE in a mixed-size
    /// ring (IORING_SETUP_SQE_MIXED). When the tail is on the ring's last
    /// slot, that slot is returned as `pad` (to be filled with a NOP that
    /// posts no CQE) and the pair starts at slot 0. `None` if it does not
    /// fit (always in a 1-slot ring, whatever the kernel's head says).
    #[inline]
    pub fn next_wide(&mut self) -> Option<WideSlot> {
        // Saturating, as space_left: a head claiming to be ahead of the
        // tail frees nothing, so the pair never lands on a slot in use or,
        // in a 1-slot ring, past the end of the SQE array.
        let mut tail = self.s.tail(self.g);
        let free = space_left(self.p.entries, tail, self.head());
        let mut pad = None;
        if tail.wrapping_add(1) & self.p.mask == 0 {
            // Last slot: pad it, the 128-byte entry wraps to slot 0.
            if free < 3 {
                return None;
            }
            pad = Some(self.at(tail));
            tail = tail.wrapping_add(1);
        } else if free < 2 {
            return None;
        }
        // The run (if any) is behind the tail now: start over after it.
        self.s = Slots::starting_at(tail.wrapping_add(2), self.p.sqes, self.g);
        Some(WideSlot {
            pad,
            sqe: self.at(tail),
        })
    }

    /// Publishes every handed-out SQE to the kernel by storing the tail;
    /// returns how many SQEs the kernel has not consumed yet
    /// (`__io_uring_flush_sq`).
    #[inline]
    pub fn flush(&mut self) -> u32 {
        let tail = self.s.tail(self.g);
        if self.p.rewind {
            // The next batch starts at slot 0 again; head and tail stay 0
            // in shared memory (the kernel ignores them).
            self.s = Slots::starting_at(0, self.p.sqes, self.g);
            return tail;
        }
        self.publish(tail)
    }

    /// [`flush`](Self::flush) of a queue without IORING_SETUP_SQ_REWIND:
    /// the same, minus the rewind test, for callers that already know the
    /// setup flags (`submit_sq` tests SQPOLL, IOPOLL and SQ_REWIND in one
    /// instruction). On a rewind queue it would publish a tail the kernel
    /// ignores and keep handing out slots past 0, so it is crate-private.
    #[inline(always)]
    pub(crate) fn flush_no_rewind(&mut self) -> u32 {
        let tail = self.s.tail(self.g);
        self.publish(tail)
    }

    #[inline(always)]
    fn publish(&mut self, tail: u32) -> u32 {
        // Stored even when unchanged (liburing tests `sqe_head != tail`
        // first): the kernel reads the same tail again, and the store costs
        // less than the test on the path that matters, one or more new SQEs.
        // SAFETY: valid per `new`'s contract.
        // Release: the SQE contents must be visible before the kernel
        // (or the SQPOLL thread) can see the new tail.
        unsafe { atomic(self.p.ktail) }.store(tail, Ordering::Release);
        ready(tail, self.head())
    }
}

/// Hands out SQE slots of an [`SqRing`] from local copies of its state
/// (see [`SqRing::cursor`]); dropping it stores the state back.
#[derive(Debug)]
pub struct SqCursor<'a> {
    pub(super) sq: &'a mut SqRing,
    pub(super) s: Slots,
    pub(super) g: Stride,
}

impl SqCursor<'_> {
    /// As [`SqRing::next_sqe`].
    #[inline]
    pub fn next_sqe(&mut self) -> Option<*mut io_uring_sqe> {
        self.s.take(&self.sq.p, self.g)
    }
}

impl Drop for SqCursor<'_> {
    #[inline]
    fn drop(&mut self) {
        self.sq.s = self.s;
    }
}

/// The SQE of `index`: `(index & mask) * stride` bytes into `sqes`
/// (`stride` is 64, or 128 for 128-byte SQEs).
#[inline(always)]
pub(super) fn sqe_at(
    sqes: *mut io_uring_sqe,
    index: u32,
    mask: u32,
    stride: usize,
) -> *mut io_uring_sqe {
    // wrapping_byte_add: the offset is below entries * stride by
    // construction (check_geometry, stride 64 or 128), so this stays
    // inside the SQE array.
    sqes.wrapping_byte_add(((index & mask) as usize).wrapping_mul(stride))
}

/// The slots [`SqRing::next_wide`] reserved.
#[derive(Debug, Clone, Copy)]
pub struct WideSlot {
    /// The ring's last slot, to be padded with a skip-success NOP.
    pub pad: Option<*mut io_uring_sqe>,
    /// The first of the two slots of the 128-byte entry.
    pub sqe: *mut io_uring_sqe,
}
