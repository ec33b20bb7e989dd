//! [`SqRing`]: the submission queue's index arithmetic (see [`super`]).

use uring_sys::io_uring_sqe;

use super::{atomic, check_geometry, load_acquire, ready, space_left};
use crate::Errno;
use core::sync::atomic::Ordering;

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

/// A submission queue: the kernel-shared indices plus our local
/// `sqe_head`/`sqe_tail` (SQEs handed out but not yet published).
#[derive(Debug)]
pub struct SqRing {
    p: SqPtrs,
    /// Index up to which SQEs are published to the kernel (`*ktail`).
    sqe_head: u32,
    /// Index of the next SQE to hand out.
    sqe_tail: u32,
    /// Bytes per slot, 64 or 128 (SQE128): a slot's byte offset is
    /// `(index & mask) * stride` (a multiply, one instruction; a shift by a
    /// variable count is three on x86-64 without BMI2).
    stride: usize,
    /// `sqe_tail` plus the slots known to be free when `khead` was last
    /// read: [`next_sqe`](Self::next_sqe) reads the kernel's head again
    /// only when the tail reaches it. Never past the real free space, since
    /// the consumer only ever frees slots.
    sqe_limit: u32,
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
        Ok(SqRing {
            p,
            sqe_head: tail,
            sqe_tail: tail,
            stride: 64 << (p.shift & 1),
            sqe_limit: tail,
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
        self.sqe_tail = self.sqe_head;
        self.sqe_limit = self.sqe_head;
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
            sqe_head: self.sqe_head,
            sqe_tail: self.sqe_tail,
            stride: self.stride,
            sqe_limit: self.sqe_limit,
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
        ready(self.sqe_tail, self.head())
    }

    /// Free slots (`io_uring_sq_space_left`).
    #[inline]
    pub fn space_left(&self) -> u32 {
        space_left(self.p.entries, self.sqe_tail, self.head())
    }

    /// SQEs handed out since the last [`flush`](Self::flush).
    #[inline]
    pub fn unflushed(&self) -> u32 {
        ready(self.sqe_tail, self.sqe_head)
    }

    /// Local index of the next SQE to hand out.
    #[inline]
    pub fn sqe_tail(&self) -> u32 {
        self.sqe_tail
    }

    #[inline]
    fn at(&self, index: u32) -> *mut io_uring_sqe {
        sqe_at(self.p.sqes, index, self.p.mask, self.stride)
    }

    /// Free slots past `tail` per the kernel's head read now; what
    /// [`next_sqe`](Self::next_sqe) adds to its limit when the tail
    /// reaches it (called with the limit, equal to the tail then).
    #[inline]
    fn free_after(&self, tail: u32) -> u32 {
        space_left(self.p.entries, tail, self.head())
    }

    /// Reserves the next slot; `None` when the ring is full (nothing is
    /// overwritten). The slot's content is left as is.
    #[inline]
    pub fn next_sqe(&mut self) -> Option<*mut io_uring_sqe> {
        let tail = self.sqe_tail;
        // Stored before the check, so on every path (undone below when
        // full): a store that runs on every call lets the compiler keep
        // the tail in a register across a caller's loop of calls and store
        // it once when the loop ends.
        self.sqe_tail = tail.wrapping_add(1);
        let limit = self.sqe_limit;
        if tail == limit {
            // Written in terms of `limit` (== tail here), so a caller's
            // loop needs the tail nowhere but on its fast path.
            let free = self.free_after(limit);
            if free == 0 {
                // Full: the tail stays.
                self.sqe_tail = limit;
                return None;
            }
            self.sqe_limit = limit.wrapping_add(free);
        }
        Some(self.at(tail))
    }

    /// A cursor handing out SQEs with the queue's geometry, tail and free
    /// count held in the cursor itself (in registers once inlined), not
    /// re-read from `self` after every SQE written; the tail is stored
    /// back when it drops. Same slots, same checks as
    /// [`next_sqe`](Self::next_sqe).
    #[inline]
    pub fn cursor(&mut self) -> SqCursor<'_> {
        SqCursor {
            sqes: self.p.sqes,
            mask: self.p.mask,
            stride: self.stride,
            tail: self.sqe_tail,
            limit: self.sqe_limit,
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
        let free = space_left(self.p.entries, self.sqe_tail, self.head());
        let mut tail = self.sqe_tail;
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
        self.sqe_tail = tail.wrapping_add(2);
        // The limit may now be behind the tail: re-read the head next time.
        self.sqe_limit = self.sqe_tail;
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
        let tail = self.sqe_tail;
        if self.p.rewind {
            // The next batch starts at slot 0 again; head and tail stay 0
            // in shared memory (the kernel ignores them).
            self.sqe_tail = 0;
            self.sqe_head = 0;
            self.sqe_limit = 0;
            return tail;
        }
        if self.sqe_head != tail {
            self.sqe_head = tail;
            // SAFETY: valid per `new`'s contract.
            // Release: the SQE contents must be visible before the kernel
            // (or the SQPOLL thread) can see the new tail.
            unsafe { atomic(self.p.ktail) }.store(tail, Ordering::Release);
        }
        ready(tail, self.head())
    }
}

/// Hands out SQE slots of an [`SqRing`] from local copies of its state
/// (see [`SqRing::cursor`]); dropping it stores the tail back.
#[derive(Debug)]
pub struct SqCursor<'a> {
    sq: &'a mut SqRing,
    sqes: *mut io_uring_sqe,
    mask: u32,
    stride: usize,
    tail: u32,
    limit: u32,
}

impl SqCursor<'_> {
    /// As [`SqRing::next_sqe`].
    #[inline]
    pub fn next_sqe(&mut self) -> Option<*mut io_uring_sqe> {
        let tail = self.tail;
        if tail == self.limit {
            let free = self.sq.free_after(self.limit);
            if free == 0 {
                return None;
            }
            self.limit = self.limit.wrapping_add(free);
        }
        self.tail = tail.wrapping_add(1);
        Some(sqe_at(self.sqes, tail, self.mask, self.stride))
    }
}

impl Drop for SqCursor<'_> {
    #[inline]
    fn drop(&mut self) {
        self.sq.sqe_tail = self.tail;
        self.sq.sqe_limit = self.limit;
    }
}

/// The SQE of `index`: `(index & mask) * stride` bytes into `sqes`
/// (`stride` is 64, or 128 for 128-byte SQEs).
#[inline(always)]
fn sqe_at(sqes: *mut io_uring_sqe, index: u32, mask: u32, stride: usize) -> *mut io_uring_sqe {
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
