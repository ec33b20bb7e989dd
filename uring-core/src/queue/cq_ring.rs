//! [`CqRing`]: the completion queue's index arithmetic (see [`super`]).

use bare_uring_sys::{io_uring_cqe, IORING_CQE_F_32, IORING_CQE_F_SKIP};
use core::cell::Cell;
use core::ptr;
use core::sync::atomic::Ordering;

use super::{atomic, check_geometry, ready, slot};
use crate::Errno;

/// Raw pointers describing a completion queue (see [`CqRing::new`]).
#[derive(Clone, Copy, Debug)]
pub struct CqPtrs {
    /// `cq_off.head`: consumer index, written by us.
    pub khead: *mut u32,
    /// `cq_off.tail`: producer index, written by the kernel.
    pub ktail: *mut u32,
    /// `cq_off.flags` (`IORING_CQ_*`), or null on kernels without it.
    pub kflags: *mut u32,
    /// `cq_off.overflow`: completions lost (without IORING_FEAT_NODROP).
    pub koverflow: *mut u32,
    /// The CQE array (`entries << shift` 16-byte units).
    pub cqes: *mut io_uring_cqe,
    /// Ring size (power of two).
    pub entries: u32,
    /// `entries - 1`.
    pub mask: u32,
    /// 1 for 32-byte CQEs (IORING_SETUP_CQE32), else 0.
    pub shift: u32,
    /// IORING_SETUP_CQE_MIXED: 16- and 32-byte CQEs (`IORING_CQE_F_32`)
    /// and padding entries (`IORING_CQE_F_SKIP`) share the ring. When
    /// false those flags are never looked at (the kernel sets neither).
    pub mixed: bool,
}

/// The flag of [`CqRing`]'s record of its last peek.
const PEEKED: u64 = 1 << 32;

/// A completion queue over shared indices. The head in shared memory is
/// the only consumer index; the one piece of local state is what the last
/// peek found (recorded by the crate's waits), so that
/// [`seen`](Self::seen) can consume that CQE without reading the indices
/// again.
#[derive(Debug)]
pub struct CqRing {
    p: CqPtrs,
    /// One past the last 16-byte CQE of the array (where a plain ring's
    /// runs stop).
    cqes_end: *const io_uring_cqe,
    /// Bytes from one CQE index to the next: 16, or 32 (CQE32).
    stride: usize,
    /// 16-byte CQEs only (`shift == 0 && !mixed`), decided once here.
    plain: bool,
    /// 0, or `PEEKED | next`: `next` is the head just past the CQE the
    /// last peek returned, a value in `[head, tail]` as the peek read them.
    /// The head has not moved since (every head store through this value
    /// sets 0) and the kernel's tail only grows, so storing `next` as the
    /// head consumes that one CQE, whole, without passing the tail. One
    /// word, so that a `cqe_seen` right after a peek overwrites the peek's
    /// record with one store.
    peeked: Cell<u64>,
}

impl CqRing {
    /// Wraps the pointers.
    ///
    /// Errors: `EINVAL` if the geometry is not a power of two with a
    /// matching mask.
    ///
    /// # Safety
    /// Every pointer is valid and aligned for the life of the value (the
    /// indices for atomic `u32` access, `kflags` may be null, `cqes` for
    /// `entries << shift` CQE units written only by the producer between
    /// head and tail). While the value is in use, the head is written only
    /// through it and the producer's tail never goes back (the kernel's
    /// only grows); forged indices may make it yield stale or wrong CQEs,
    /// never read outside the CQE array.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn new(p: CqPtrs) -> Result<Self, Errno> {
        check_geometry(p.entries, p.mask)?;
        let plain = p.shift == 0 && !p.mixed;
        Ok(CqRing {
            p,
            // wrapping_add: one past the end of the array of `entries`
            // CQEs (at least that many 16-byte units, per the contract).
            cqes_end: p.cqes.wrapping_add(p.entries as usize).cast_const(),
            stride: size_of::<io_uring_cqe>() << (p.shift & 1),
            plain,
            peeked: Cell::new(0),
        })
    }

    /// A second value over the same queue, for [`crate::split`]. Neither
    /// keeps what an earlier peek found (the other may move the head).
    #[inline]
    pub(crate) fn duplicate(&self) -> CqRing {
        self.peeked.set(0);
        CqRing {
            p: self.p,
            cqes_end: self.cqes_end,
            stride: self.stride,
            plain: self.plain,
            peeked: Cell::new(0),
        }
    }

    /// Records that a peek returned the CQE at the head, and that the
    /// head just past it is `next`: [`seen`](Self::seen) then moves the
    /// head there without reading the indices.
    ///
    /// # Safety
    /// `next` is `head + nr` for the current head and the `nr` slots of
    /// the CQE there, with `next` within `[head, tail]` for a tail read
    /// with [`tail`](Self::tail).
    #[inline(always)]
    pub(crate) unsafe fn note_peeked(&self, next: u32) {
        self.peeked.set(PEEKED | u64::from(next));
    }

    /// The `next` of the last [`note_peeked`](Self::note_peeked).
    #[inline(always)]
    pub(crate) fn peeked_next(&self) -> u32 {
        // Truncation: the low half is `next`.
        self.peeked.get() as u32
    }

    /// Consumes the CQE the last peek of this crate's waits returned, or
    /// if the head moved since (or nothing was peeked), the one CQE now at
    /// the head, as [`advance_one`](Self::advance_one).
    #[inline(always)]
    pub fn seen(&self) {
        let peeked = self.peeked.get();
        if peeked & PEEKED != 0 {
            self.peeked.set(0);
            // SAFETY: valid per `new`'s contract.
            // Release: as in `advance`. `next` (the low half) is in
            // [head, tail] (`note_peeked`'s contract; no head store since,
            // and the tail only grows), so this consumes exactly the
            // peeked CQE.
            unsafe { atomic(self.p.khead) }.store(peeked as u32, Ordering::Release);
        } else {
            self.advance_one();
        }
    }

    /// The pointers this queue was built from.
    #[inline]
    pub fn ptrs(&self) -> &CqPtrs {
        &self.p
    }

    /// Number of slots.
    #[inline]
    pub fn entries(&self) -> u32 {
        self.p.entries
    }

    /// The producer index.
    #[inline]
    pub fn tail(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Acquire: pairs with the kernel's release store of the tail, so
        // every CQE in [head, tail) is fully written before we read it.
        unsafe { atomic(self.p.ktail) }.load(Ordering::Acquire)
    }

    /// Our consumer index.
    #[inline]
    pub fn head(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Relaxed: only we write the CQ head, so we read our own value.
        unsafe { atomic(self.p.khead) }.load(Ordering::Relaxed)
    }

    /// Completions ready to reap, counted in slots (`io_uring_cq_ready`).
    #[inline]
    pub fn ready(&self) -> u32 {
        ready(self.tail(), self.head())
    }

    /// Marks `nr` slots consumed, but never more than are ready: a
    /// too-large `nr` would hand the kernel slots it has not filled (and
    /// make [`ready`](Self::ready) wrap).
    #[inline]
    pub fn advance_clamped(&self, nr: u32) {
        self.peeked.set(0);
        let head = self.head();
        let nr = nr.min(ready(self.tail(), head));
        // SAFETY: valid per `new`'s contract.
        // Release: as in `advance`.
        unsafe { atomic(self.p.khead) }.store(head.wrapping_add(nr), Ordering::Release);
    }

    /// Marks at least `nr` slots consumed, never more than are ready, and
    /// on a CQE_MIXED ring never half a CQE: the new head is rounded up to
    /// the end of the CQE it would split (a head in the middle of a 32-byte
    /// CQE would make its second half, kernel payload, read as a CQE with a
    /// `user_data` nobody chose).
    #[inline]
    pub fn advance_whole(&self, nr: u32) {
        if !self.p.mixed {
            return self.advance_clamped(nr);
        }
        let head = self.head();
        let avail = ready(self.tail(), head);
        let mut n = 0;
        while n < nr && n < avail {
            // SAFETY: head + n is in [head, tail) with tail just read
            // (acquire), so the producer published this CQE; flags only.
            n += self.cqe_nr(unsafe { (*self.at(head.wrapping_add(n))).flags });
        }
        self.advance_clamped(n);
    }

    /// Consumes the one CQE at the head (1 slot, or 2 for a 32-byte CQE of
    /// a CQE_MIXED ring, read from the ring itself, not from a copy the
    /// caller holds); nothing when none is ready.
    #[inline]
    pub fn advance_one(&self) {
        self.advance_whole(1)
    }

    /// Marks `nr` slots consumed (`io_uring_cq_advance`).
    #[inline]
    pub fn advance(&self, nr: u32) {
        if nr != 0 {
            self.peeked.set(0);
            let head = self.head().wrapping_add(nr);
            // SAFETY: valid per `new`'s contract.
            // Release: our reads of the consumed CQEs must complete before
            // the kernel can see the slots free and overwrite them.
            unsafe { atomic(self.p.khead) }.store(head, Ordering::Release);
        }
    }

    /// Completions the kernel could not post (`*cq.koverflow`).
    #[inline]
    pub fn overflow(&self) -> u32 {
        // SAFETY: valid per `new`'s contract.
        // Relaxed: a counter, nothing is read based on it.
        unsafe { atomic(self.p.koverflow) }.load(Ordering::Relaxed)
    }

    /// `IORING_CQ_*` flags, or `None` on kernels without the CQ flags word.
    #[inline]
    pub fn flags(&self) -> Option<u32> {
        if self.p.kflags.is_null() {
            return None;
        }
        // SAFETY: non-null, valid per `new`'s contract.
        // Relaxed: a control word only we write; the kernel reads it as a
        // hint (READ_ONCE), nothing else is published with it.
        Some(unsafe { atomic(self.p.kflags) }.load(Ordering::Relaxed))
    }

    /// Stores the CQ flags word; `EOPNOTSUPP` if the kernel has none.
    #[inline]
    pub fn set_flags(&self, flags: u32) -> Result<(), Errno> {
        if self.p.kflags.is_null() {
            return Err(Errno::EOPNOTSUPP);
        }
        // SAFETY: non-null, valid per `new`'s contract.
        // Relaxed: as in `flags` (WRITE_ONCE in liburing).
        unsafe { atomic(self.p.kflags) }.store(flags, Ordering::Relaxed);
        Ok(())
    }

    /// Slots a CQE with `flags` occupies: 2 for IORING_CQE_F_32 in a
    /// CQE_MIXED ring, else 1 (elsewhere the bit is a sender's flag, not a
    /// size).
    #[inline(always)]
    pub fn cqe_nr(&self, flags: u32) -> u32 {
        if self.p.mixed && flags & IORING_CQE_F_32 != 0 {
            2
        } else {
            1
        }
    }

    /// The CQE at `index` (no bounds beyond the mask are needed).
    #[inline]
    pub fn at(&self, index: u32) -> *const io_uring_cqe {
        // wrapping_add: the offset is < entries << shift by construction.
        self.p
            .cqes
            .wrapping_add(slot(index, self.p.mask, self.p.shift))
    }

    /// The first CQE and the head just past it, when it is one slot of
    /// plain CQE: `Some(Some((cqe, head + 1)))`, or `Some(None)` when none
    /// is ready; `None` when the CQE there is flagged as padding
    /// (IORING_CQE_F_SKIP, which the caller skips) or as 32 bytes
    /// (IORING_CQE_F_32, two slots of a CQE_MIXED ring; on other rings a
    /// flag a MSG_RING sender may set, which the slow path reads as one
    /// slot), and with `big` on rings other than plain ones (the caller
    /// wants all 32 bytes of a CQE32 ring's CQEs). On a CQE32 ring it reads
    /// the first 16 bytes of the head's 32-byte slot. A few loads and one
    /// test of the CQE's flags, for the single-CQE fast path (no test of
    /// the ring's kind when `big` is false); the crate's waits record what
    /// they hand out for [`seen`](Self::seen).
    #[inline(always)]
    pub fn peek_fast(&self, big: bool) -> Option<Option<(RawCqe, u32)>> {
        if big && !self.plain {
            return None;
        }
        let head = self.head();
        if self.tail() == head {
            return Some(None);
        }
        // SAFETY: head is the head, in [head, tail) with tail read (acquire)
        // just now.
        unsafe { self.peek_fast_at(head, big) }.map(Some)
    }

    /// [`peek_fast`](Self::peek_fast) once a CQE is known to be ready at
    /// `head`: `None` where `peek_fast` returns `None`.
    ///
    /// # Safety
    /// `head` is the current head, and in `[head, tail)` for a tail read
    /// with [`tail`](Self::tail) (acquire).
    #[inline(always)]
    pub(crate) unsafe fn peek_fast_at(&self, head: u32, big: bool) -> Option<(RawCqe, u32)> {
        if big && !self.plain {
            return None;
        }
        // wrapping_add: in bounds by the mask (check_geometry): the array
        // holds `entries` slots of `stride` bytes.
        let p = self
            .p
            .cqes
            .cast::<u8>()
            .wrapping_add((head & self.p.mask) as usize * self.stride)
            .cast::<io_uring_cqe>();
        // SAFETY: head is in [head, tail) with tail read (acquire) (the
        // caller), so the producer published this slot; its first 16 bytes
        // are a CQE on every ring.
        let (user_data, res, flags) = unsafe { ((*p).user_data, (*p).res, (*p).flags) };
        if flags & (IORING_CQE_F_SKIP | IORING_CQE_F_32) != 0 {
            // Padding (a MSG_RING can pass the flag even to a plain ring):
            // the caller's slow path consumes it, as liburing does. A
            // 32-byte CQE of a mixed ring: two slots, read whole there.
            return None;
        }
        let c = RawCqe {
            user_data,
            res,
            flags,
            big: false,
            extra: [0; 2],
            nr: 1,
        };
        Some((c, head.wrapping_add(1)))
    }

    /// Copies the CQE at `index`: `(user_data, res, flags, big)` where
    /// `big` is the second 16 bytes of a 32-byte CQE (zero otherwise).
    /// A 32-byte CQE is one with `shift == 1` or, in a mixed ring, with
    /// `IORING_CQE_F_32`.
    ///
    /// # Safety
    /// `index` is in `[head, tail)` as last read with [`tail`](Self::tail).
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn read(&self, index: u32) -> RawCqe {
        if self.plain {
            // Plain 16-byte CQEs: one slot each, nothing more to look at.
            // wrapping_add: in bounds by the mask (check_geometry).
            let p = self.p.cqes.wrapping_add((index & self.p.mask) as usize);
            // SAFETY: in bounds (mask) and published by the producer (caller).
            let (user_data, res, flags) = unsafe { ((*p).user_data, (*p).res, (*p).flags) };
            return RawCqe {
                user_data,
                res,
                flags,
                big: false,
                extra: [0; 2],
                nr: 1,
            };
        }
        // SAFETY: the slot of `index` (mask), published (caller).
        unsafe { self.read_at(self.at(index)) }
    }

    /// [`read`](Self::read) of the CQE at `p` on a ring other than a plain
    /// one.
    ///
    /// # Safety
    /// `p` is the slot of an index in `[head, tail)` as last read with
    /// [`tail`](Self::tail).
    #[inline(always)]
    unsafe fn read_at(&self, p: *const io_uring_cqe) -> RawCqe {
        // SAFETY: in bounds and published by the producer (caller).
        let (user_data, res, flags) = unsafe { ((*p).user_data, (*p).res, (*p).flags) };
        // Slots it takes: one 32-byte slot in a CQE32 ring, else as
        // `cqe_nr` (two for an F_32 entry of a mixed ring).
        let nr = if self.p.shift == 1 {
            1
        } else {
            self.cqe_nr(flags)
        };
        let big = self.p.shift == 1 || nr == 2;
        let mut extra = [0u64; 2];
        // wrapping_add: compared, not read, unless in the array.
        if big && (self.p.shift == 1 || p.wrapping_add(1) != self.cqes_end) {
            // SAFETY: the next 16 bytes are the same (32-byte) slot, or in a
            // mixed ring the following slot, which the kernel never splits
            // across the end of the ring (checked just above: a mixed ring
            // has `entries` 16-byte slots).
            extra = unsafe { ptr::read(p.add(1).cast::<[u64; 2]>()) };
        }
        RawCqe {
            user_data,
            res,
            flags,
            big,
            extra,
            nr,
        }
    }

    /// Iterates the completions in `[head, tail)` as read now, skipping
    /// padding entries (`IORING_CQE_F_SKIP`). The head is not moved: call
    /// [`advance`](Self::advance) with [`CqBatch::consumed`] afterwards.
    #[inline]
    pub fn batch(&self) -> CqBatch<'_> {
        let head = self.head();
        let all = ready(self.tail(), head);
        if self.plain {
            // Plain rings walk a pointer over the contiguous run of CQEs
            // from the head's slot to the tail or the array's end, then from
            // slot 0. An honest kernel is never more than `entries` ahead; a
            // corrupt tail is caught only where the walk wraps (`next`: the
            // batch ends there), so that no batch yields more than `entries`
            // CQEs, and a batch that does not wrap pays no compare for it:
            // its run ends at the array's end whatever the tail says.
            // wrapping_add: the slot is in the array (mask); `end_all` is
            // at most 2^32 CQEs (64 GiB) further, an address that does not
            // wrap on the 64-bit targets this crate builds for, never read.
            let cur = self.p.cqes.wrapping_add((head & self.p.mask) as usize);
            let end_all = cur.wrapping_add(all as usize).cast_const();
            let wraps = end_all > self.cqes_end;
            let end = if wraps { self.cqes_end } else { end_all };
            return CqBatch {
                cq: self,
                cqes: self.p.cqes,
                plain: true,
                wraps,
                start: head,
                head,
                tail: head.wrapping_add(all),
                cur: cur.cast_const(),
                end,
                end_all,
            };
        }
        // Other rings step by index (`end == cur`: no run). Clamping a
        // corrupt tail bounds the work one batch can do (e.g. stepping over
        // ~2^32 padding entries) without changing any honest result.
        let all = all.min(self.entries());
        let c = self.p.cqes.cast_const();
        CqBatch {
            cq: self,
            cqes: self.p.cqes,
            plain: false,
            wraps: false,
            start: head,
            head,
            tail: head.wrapping_add(all),
            cur: c,
            end: c,
            end_all: c,
        }
    }
}

/// One CQE copied out of a ring by [`CqRing::read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCqe {
    /// `cqe->user_data`.
    pub user_data: u64,
    /// `cqe->res`.
    pub res: i32,
    /// `cqe->flags`.
    pub flags: u32,
    /// A 32-byte CQE.
    pub big: bool,
    /// `big_cqe[0..2]` (zero for 16-byte CQEs).
    pub extra: [u64; 2],
    /// Slots it occupies (`io_uring_cqe_nr`): 2 for a 32-byte CQE in a
    /// mixed ring, else 1.
    pub nr: u32,
}

impl RawCqe {
    /// Whether this is a padding entry the consumer must skip.
    #[inline]
    pub fn is_skip(&self) -> bool {
        self.flags & IORING_CQE_F_SKIP != 0
    }
}

/// A snapshot iterator over `[head, tail)` of a [`CqRing`].
#[derive(Debug)]
pub struct CqBatch<'a> {
    cq: &'a CqRing,
    /// The CQE array (where a plain ring's run continues after the wrap).
    cqes: *mut io_uring_cqe,
    plain: bool,
    /// Plain rings: whether the snapshot crosses the end of the array
    /// (decided once, when the batch is made: a batch that does not wrap
    /// tests nothing more when its run ends, and the compiler can make
    /// one loop for each case). Never changes.
    wraps: bool,
    /// The head when the batch was made.
    start: u32,
    /// The cursor (rings other than plain ones).
    head: u32,
    /// The tail as read (and clamped) when the batch was made.
    tail: u32,
    /// Plain rings: the CQEs left in the current contiguous run are
    /// `[cur, end)`; `end_all` is where the snapshot would end if the array
    /// went on, so `(end_all - end) / 16` more follow from slot 0 when the
    /// snapshot crosses the end of the array (`end_all == end`: none).
    /// Other rings: all three equal.
    cur: *const io_uring_cqe,
    end: *const io_uring_cqe,
    end_all: *const io_uring_cqe,
}

impl<'a> CqBatch<'a> {
    /// The ring the batch reads (to [`CqRing::advance`] it afterwards).
    #[inline]
    pub fn ring(&self) -> &'a CqRing {
        self.cq
    }

    /// Moves the ring's head to the batch's cursor: the same as
    /// [`CqRing::advance`] by [`consumed`](Self::consumed), with the head
    /// the batch already holds (no reload, no test).
    #[inline]
    pub fn commit(&self) {
        self.cq.peeked.set(0);
        // SAFETY: valid per `CqRing::new`'s contract.
        // Release: as in `CqRing::advance`. Only we write the head, and the
        // cursor never passes the tail the batch read.
        unsafe { atomic(self.cq.p.khead) }.store(self.cursor_index(), Ordering::Release);
    }

    /// The index of the next slot the batch looks at.
    #[inline(always)]
    fn cursor_index(&self) -> u32 {
        if !self.plain {
            return self.head;
        }
        // The CQEs left are the rest of the run and the wrapped part, as
        // many as 16-byte slots lie between the cursor and `end_all`.
        let left =
            (self.end_all as usize).wrapping_sub(self.cur as usize) / size_of::<io_uring_cqe>();
        self.tail.wrapping_sub(left as u32)
    }

    /// Slots passed so far (what to hand to [`CqRing::advance`]).
    #[inline]
    pub fn consumed(&self) -> u32 {
        ready(self.cursor_index(), self.start)
    }

    /// Slots left in the snapshot (never more than the ring holds). With a
    /// corrupt tail (more than `entries` ahead of the head) this is an
    /// upper bound: a plain ring's batch then ends where its walk reaches
    /// the end of the CQE array.
    #[inline]
    pub fn remaining(&self) -> u32 {
        ready(self.tail, self.cursor_index()).min(self.cq.entries().wrapping_sub(self.consumed()))
    }
}

impl Iterator for CqBatch<'_> {
    type Item = RawCqe;

    #[inline(always)]
    fn next(&mut self) -> Option<RawCqe> {
        if self.plain {
            // 16-byte CQEs: one slot each, no padding (the common case, a
            // pointer walk kept free of the tests below).
            if self.cur == self.end {
                if !self.wraps || self.end == self.end_all {
                    return None;
                }
                // The run reached the end of the array: the rest of the
                // snapshot starts at slot 0. An honest tail leaves at most
                // as many CQEs as there are slots before the head's
                // (`start & mask`: one ring in all). A corrupt tail that
                // claims more ends the batch here, before slot 0: it never
                // yields more than `entries` CQEs nor reads past the array
                // (and the next batch, from slot 0, ends at the array's
                // end), its tail cut to where it stopped.
                let rest = (self.end_all as usize).wrapping_sub(self.end as usize)
                    / size_of::<io_uring_cqe>();
                if rest > (self.start & self.cq.p.mask) as usize {
                    // rest < 2^32: the tail is a u32 ahead of the head.
                    self.tail = self.tail.wrapping_sub(rest as u32);
                    self.end_all = self.end;
                    return None;
                }
                self.cur = self.cqes;
                // wrapping_add: rest < entries (just checked), so this
                // stays within the array.
                self.end = self.cqes.wrapping_add(rest);
                self.end_all = self.end;
            }
            let p = self.cur;
            self.cur = p.wrapping_add(1);
            // SAFETY: p is in the run [cur, end), slots in [start, tail),
            // and tail was read with acquire ordering when the batch was
            // made.
            let (user_data, res, flags) = unsafe { ((*p).user_data, (*p).res, (*p).flags) };
            return Some(RawCqe {
                user_data,
                res,
                flags,
                big: false,
                extra: [0; 2],
                nr: 1,
            });
        }
        if self.head == self.tail {
            return None;
        }
        let (p, head) = next_slow(self.cq, self.head, self.tail);
        self.head = head;
        if p.is_null() {
            return None;
        }
        // SAFETY: `next_slow` returns the slot of an index in [start, tail),
        // and tail was read with acquire ordering when the batch was made.
        Some(unsafe { self.cq.read_at(p) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining() as usize))
    }
}

/// [`Iterator::next`] of a [`CqBatch`] for 32-byte and mixed-size CQEs:
/// the slot of the CQE at `head` (skipping padding on a mixed ring), or
/// null if only padding is left, and the new head. Values in, values out
/// (two registers), so the batch itself never leaves registers.
#[cold]
#[inline(never)]
fn next_slow(cq: &CqRing, mut head: u32, tail: u32) -> (*const io_uring_cqe, u32) {
    if !cq.p.mixed {
        // One 32-byte slot per CQE (the caller checked head != tail).
        return (cq.at(head), head.wrapping_add(1));
    }
    while head != tail {
        let p = cq.at(head);
        // SAFETY: head is in [start, tail) (the loop's test) and tail was
        // read with acquire ordering when the batch was made.
        let flags = unsafe { (*p).flags };
        // min: a corrupt F_32 on the last published slot never moves the
        // cursor past the tail.
        head = head.wrapping_add(cq.cqe_nr(flags).min(ready(tail, head)));
        if flags & IORING_CQE_F_SKIP == 0 {
            return (p, head);
        }
    }
    (ptr::null(), head)
}
