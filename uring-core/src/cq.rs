//! Completion: peeking, waiting (with timeout, sigmask, min-timeout) and
//! iterating CQEs.
//!
//! CQEs are returned as [`Cqe`], a copy of the kernel's 16 bytes (and no
//! larger): reading it never races with the kernel reusing the slot, and it
//! derefs to [`io_uring_cqe`](crate::sys::io_uring_cqe) so `cqe.user_data`, `cqe.res`, `cqe.flags`
//! and every helper taking `&io_uring_cqe` work. Rings with 32-byte CQEs
//! (IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED) are read whole as [`Cqe32`]
//! through the `*32` methods ([`Ring::peek_cqe32`], [`Ring::wait_cqe32`],
//! [`Ring::cqes32`], [`Ring::peek_batch_cqe`] into `[Cqe32]`); the ring, not
//! the value, knows how many slots a CQE takes ([`Ring::cqe_nr`]). As in
//! liburing, a peeked or waited CQE stays in the ring until
//! [`Ring::cqe_seen`] / [`Ring::cq_advance`].

use crate::enter::EnterCtx;
use crate::queue::{CqBatch, CqRing};
use crate::wait::{self, GetData};
use crate::Errno;
use crate::Ring;
use bare_uring_sys::{
    __kernel_timespec, kernel_sigset_t, IORING_CQ_EVENTFD_DISABLED, IORING_ENTER_GETEVENTS,
    IORING_FEAT_MIN_TIMEOUT, IORING_SETUP_CQE32,
};
use core::marker::PhantomData;
use core::ptr;

pub use crate::cqe::{Cqe, Cqe32, ReadCqe};

/// An iterator over the CQEs ready when it was made, as [`Cqe`] (from
/// [`Ring::cqes`]) or [`Cqe32`] (from [`Ring::cqes32`]); when dropped it
/// advances the CQ head once, past every CQE it yielded (and the padding
/// before them). Breaking out early leaves the rest in the ring.
///
/// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()` (liburing).
#[derive(Debug)]
pub struct CqeIter<'a, C = Cqe> {
    batch: CqBatch<'a>,
    _cqe: PhantomData<C>,
}

impl<'a, C> CqeIter<'a, C> {
    #[inline]
    pub(crate) fn new(batch: CqBatch<'a>) -> Self {
        CqeIter {
            batch,
            _cqe: PhantomData,
        }
    }
}

impl<C: ReadCqe> Iterator for CqeIter<'_, C> {
    type Item = C;
    #[inline(always)]
    fn next(&mut self) -> Option<C> {
        self.batch.next().map(C::from_raw)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.batch.size_hint()
    }
}

impl<C> Drop for CqeIter<'_, C> {
    #[inline]
    fn drop(&mut self) {
        self.batch.commit();
    }
}

/// The shift that turns a CQ index into a slot of 16-byte CQEs for rings
/// set up with `flags`: 1 with IORING_SETUP_CQE32 (each slot is two
/// 16-byte CQEs), else 0. Slot of index `i`: `(i & mask) << shift`.
///
/// Mirrors `io_uring_cqe_shift_from_flags()` (liburing). Kernel: any
/// (CQE32: 5.19+).
#[inline]
pub const fn cqe_shift_from_flags(flags: u32) -> u32 {
    (flags & IORING_SETUP_CQE32 != 0) as u32
}

impl Ring {
    /// The next CQE if one is ready, without waiting (entering the kernel
    /// only to flush overflow/task work the kernel flagged).
    ///
    /// Mirrors `io_uring_peek_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` when no CQE is ready; as [`Ring::enter`].
    #[inline]
    pub fn peek_cqe(&mut self) -> Result<Cqe, Errno> {
        let found = match wait::peek(&self.cq) {
            Some(found) => found,
            None => wait::peek_cqe_slow(&self.cq, &self.enter_ctx())?,
        };
        Ok(wait::hand_out(&self.cq, found))
    }

    /// As [`peek_cqe`](Self::peek_cqe), reading all 32 bytes of a big CQE
    /// (IORING_SETUP_CQE32, or IORING_CQE_F_32 in a CQE_MIXED ring).
    ///
    /// Mirrors `io_uring_peek_cqe()` + `cqe->big_cqe` (liburing).
    /// Kernel: 5.19+ (CQE32), 6.18+ (CQE_MIXED).
    ///
    /// Errors: as [`peek_cqe`](Self::peek_cqe).
    #[inline]
    pub fn peek_cqe32(&mut self) -> Result<Cqe32, Errno> {
        let found = match wait::peek(&self.cq) {
            Some(found) => found,
            None => wait::peek_cqe_slow(&self.cq, &self.enter_ctx())?,
        };
        Ok(wait::hand_out(&self.cq, found))
    }

    /// The next CQE, waiting for one if none is ready.
    ///
    /// Mirrors `io_uring_wait_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`] (`EINTR`, ...).
    #[inline(always)]
    pub fn wait_cqe(&mut self) -> Result<Cqe, Errno> {
        let found = {
            let ring: &Ring = self;
            wait::wait_cqe(&ring.cq, move || (&ring.cq, ring.enter_ctx()))
        }?;
        Ok(wait::hand_out(&self.cq, found))
    }

    /// As [`wait_cqe`](Self::wait_cqe), reading all 32 bytes of a big CQE
    /// (see [`peek_cqe32`](Self::peek_cqe32)). For a timed wait, wait with
    /// [`wait_cqe_timeout`](Self::wait_cqe_timeout) and then read the CQE
    /// with `peek_cqe32`.
    ///
    /// Mirrors `io_uring_wait_cqe()` + `cqe->big_cqe` (liburing).
    /// Kernel: 5.19+ (CQE32), 6.18+ (CQE_MIXED).
    ///
    /// Errors: as [`wait_cqe`](Self::wait_cqe).
    ///
    /// ```
    /// # use bare_uring::{prep, Ring, sys::{IORING_NOP_CQE32, IORING_SETUP_CQE32}};
    /// let mut ring = Ring::queue_init(8, IORING_SETUP_CQE32)?;
    /// // SAFETY: a NOP points to no memory.
    /// let sqe = unsafe { ring.get_sqe() }.unwrap();
    /// prep::nop(sqe);
    /// // A NOP that posts a 32-byte CQE whose second half is off, addr
    /// // (Linux 6.18+).
    /// sqe.set_nop_flags(IORING_NOP_CQE32);
    /// sqe.set_off(1);
    /// sqe.set_addr(2);
    /// ring.submit()?;
    /// let cqe = ring.wait_cqe32()?;
    /// assert_eq!((cqe.res, *cqe.big_cqe()), (0, [1, 2]));
    /// ring.cqe_seen(&cqe);
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    #[inline]
    pub fn wait_cqe32(&mut self) -> Result<Cqe32, Errno> {
        let found = {
            let ring: &Ring = self;
            wait::wait_cqe(&ring.cq, move || (&ring.cq, ring.enter_ctx()))
        }?;
        Ok(wait::hand_out(&self.cq, found))
    }

    /// Waits until `wait_nr` CQEs are ready; returns the first.
    ///
    /// Mirrors `io_uring_wait_cqe_nr()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` (`wait_nr` 0 and nothing ready); as [`Ring::enter`].
    #[inline]
    pub fn wait_cqe_nr(&mut self, wait_nr: u32) -> Result<Cqe, Errno> {
        wait::get_cqe(&self.cq, &self.enter_ctx(), GetData::plain(0, wait_nr))
    }

    /// `EINVAL` unless the kernel has IORING_FEAT_MIN_TIMEOUT (6.12+).
    fn require_min_timeout(&self) -> Result<(), Errno> {
        if self.features() & IORING_FEAT_MIN_TIMEOUT == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// Common body of the timed/sigmask waits.
    fn wait_ext(
        &mut self,
        submit: u32,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        min_wait_usec: u32,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        let ctx = self.enter_ctx();
        wait::wait_ext(&self.cq, &ctx, submit, wait_nr, ts, min_wait_usec, sigmask)
    }

    /// Waits for `wait_nr` CQEs with an optional timeout (relative) and
    /// an optional signal mask applied while waiting; returns the first.
    ///
    /// Mirrors `io_uring_wait_cqes()` (liburing). Kernel: 5.1+; a timeout
    /// needs IORING_FEAT_EXT_ARG (5.11+).
    ///
    /// Errors: `ETIME` when the timeout expires first, `EINTR`,
    /// `EOPNOTSUPP` (timeout without EXT_ARG); as [`Ring::enter`].
    ///
    /// **Kernels before 5.11** (no IORING_FEAT_EXT_ARG) get `EOPNOTSUPP`
    /// for every timed wait, here and in the other `*_timeout` waits; the
    /// call submits and waits for nothing. liburing instead queues an
    /// internal `IORING_OP_TIMEOUT` request whose CQE carries a reserved
    /// `user_data` (`LIBURING_UDATA_TIMEOUT`) and filters such CQEs out of
    /// every peek. This crate does not: that takes an SQE slot the caller
    /// did not hand out (and submits the caller's pending SQEs with it),
    /// reserves a `user_data` value in every ring, and puts a filter on the
    /// reap path of all kernels. On those kernels, queue the timeout
    /// yourself ([`prep::timeout`](crate::prep::timeout) with `count`
    /// `wait_nr` and a `user_data` of yours) and wait without one.
    #[inline]
    pub fn wait_cqes(
        &mut self,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        self.wait_ext(0, wait_nr, ts, 0, sigmask)
    }

    /// Waits for one CQE for at most `ts` (forever with `None`).
    ///
    /// Mirrors `io_uring_wait_cqe_timeout()` (liburing). Kernel: 5.11+.
    ///
    /// Errors: `ETIME` on timeout; as [`wait_cqes`](Self::wait_cqes).
    ///
    /// ```no_run
    /// # use bare_uring::{Ring, Errno, sys::__kernel_timespec};
    /// let mut ring = Ring::queue_init(4, 0)?;
    /// let ts = __kernel_timespec { tv_sec: 0, tv_nsec: 1_000_000 };
    /// assert_eq!(ring.wait_cqe_timeout(Some(&ts)).unwrap_err(), Errno::ETIME);
    /// # Ok::<(), Errno>(())
    /// ```
    #[inline]
    pub fn wait_cqe_timeout(&mut self, ts: Option<&__kernel_timespec>) -> Result<Cqe, Errno> {
        self.wait_ext(0, 1, ts, 0, None)
    }

    /// Submits, then waits for `wait_nr` CQEs with optional timeout and
    /// signal mask; returns the first CQE. The SQEs are submitted even
    /// when the wait times out or a signal interrupts it.
    ///
    /// With a timeout or a signal mask, submitting and waiting are two
    /// `io_uring_enter` calls where liburing makes one: a kernel that
    /// submits in the call that waits returns the submitted count and
    /// loses the wait's `-ETIME`/`-EINTR`, so liburing reports a signal as
    /// `ETIME`. Without either, one call, as liburing.
    ///
    /// Mirrors `io_uring_submit_and_wait_timeout()` (liburing). Kernel:
    /// 5.11+ with a timeout.
    ///
    /// Errors: `ETIME` when the timeout expires first, `EINTR` when a
    /// signal interrupts the wait; as [`wait_cqes`](Self::wait_cqes).
    pub fn submit_and_wait_timeout(
        &mut self,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        let submit = self.flush_sq();
        self.wait_ext(submit, wait_nr, ts, 0, sigmask)
    }

    /// As [`wait_cqes`](Self::wait_cqes), but once `min_wait_usec` has
    /// passed, returns as soon as any CQE is ready rather than waiting for
    /// all `wait_nr` (until `ts`).
    ///
    /// Mirrors `io_uring_wait_cqes_min_timeout()` (liburing). Kernel: 6.12+
    /// (IORING_FEAT_MIN_TIMEOUT).
    ///
    /// Errors: `EINVAL` without IORING_FEAT_MIN_TIMEOUT; as
    /// [`wait_cqes`](Self::wait_cqes).
    pub fn wait_cqes_min_timeout(
        &mut self,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        min_wait_usec: u32,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        self.require_min_timeout()?;
        self.wait_ext(0, wait_nr, ts, min_wait_usec, sigmask)
    }

    /// Submits, then waits as
    /// [`wait_cqes_min_timeout`](Self::wait_cqes_min_timeout).
    ///
    /// Mirrors `io_uring_submit_and_wait_min_timeout()` (liburing).
    /// Kernel: 6.12+.
    ///
    /// Errors: as [`wait_cqes_min_timeout`](Self::wait_cqes_min_timeout).
    pub fn submit_and_wait_min_timeout(
        &mut self,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        min_wait_usec: u32,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        self.require_min_timeout()?;
        let submit = self.flush_sq();
        self.wait_ext(submit, wait_nr, ts, min_wait_usec, sigmask)
    }

    /// Submits, then waits for `wait_nr` CQEs with the wait arguments
    /// (timeout, minimum wait, signal mask: an `io_uring_reg_wait`) of
    /// entry `reg_index` of the ring's registered wait region, registered
    /// with [`register_region`](Self::register_region) and
    /// IORING_MEM_REGION_REG_WAIT_ARG; returns the first CQE. The kernel
    /// reads the entry at `reg_index * 64` bytes into the region, so a
    /// wait passes no pointer at all.
    ///
    /// As in [`submit_and_wait_timeout`](Self::submit_and_wait_timeout),
    /// the SQEs go in an `io_uring_enter` of their own before the wait, so
    /// the wait's `ETIME`/`EINTR` is reported as such.
    ///
    /// Works the same on NO_MMAP rings (the region is separate from the
    /// ring memory). On a [`split`](Self::split) ring: submit with the
    /// [`SubmissionQueue`](crate::split::SubmissionQueue), then wait with
    /// [`CompletionQueue::wait_reg`](crate::split::CompletionQueue::wait_reg).
    ///
    /// Mirrors `io_uring_submit_and_wait_reg()` (liburing), whose
    /// `reg_index` is an `int` (a negative one there becomes a huge offset
    /// the kernel refuses with `EFAULT`). Kernel: 6.13+.
    ///
    /// Errors: `EINVAL` without IORING_FEAT_EXT_ARG (as liburing), or
    /// for entry flags the kernel does not know; `EFAULT` when no wait
    /// region is registered or the entry lies outside it; `ETIME` when the
    /// entry's timeout (IORING_REG_WAIT_TS) expires first; `EINTR`; as
    /// [`Ring::enter`].
    pub fn submit_and_wait_reg(&mut self, wait_nr: u32, reg_index: u32) -> Result<Cqe, Errno> {
        let submit = self.flush_sq();
        wait::wait_reg(&self.cq, &self.enter_ctx(), submit, wait_nr, reg_index)
    }

    /// Copies up to `out.len()` ready CQEs into `out` without advancing
    /// the head; returns how many. Then call [`cq_advance`](Self::cq_advance)
    /// with the sum of their [`cqe_nr`](Self::cqe_nr) (equal to the count
    /// unless the ring is CQE_MIXED). Padding CQEs (IORING_CQE_F_SKIP) are never
    /// returned: leading ones are consumed, and the batch stops before a
    /// CQE that follows one, so the sum is always exact.
    ///
    /// Mirrors `io_uring_peek_batch_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// `out` may be `[Cqe]` or, to copy all 32 bytes of big CQEs,
    /// `[Cqe32]`.
    pub fn peek_batch_cqe<C: ReadCqe>(&mut self, out: &mut [C]) -> usize {
        peek_batch_cqe(&self.cq, &self.enter_ctx(), out)
    }

    /// Iterates the CQEs ready now; dropping the iterator advances the
    /// head once past those yielded.
    ///
    /// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()`
    /// (liburing). Kernel: 5.1+.
    ///
    /// ```no_run
    /// # let mut ring = bare_uring::Ring::queue_init(4, 0)?;
    /// for cqe in ring.cqes() {
    ///     println!("{} -> {}", cqe.user_data, cqe.res);
    /// }
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    #[inline]
    pub fn cqes(&mut self) -> CqeIter<'_> {
        CqeIter::new(self.cq.batch())
    }

    /// As [`cqes`](Self::cqes), yielding all 32 bytes of big CQEs
    /// ([`Cqe32`]; IORING_SETUP_CQE32 or IORING_CQE_F_32 in a CQE_MIXED
    /// ring).
    ///
    /// Mirrors `io_uring_for_each_cqe()` + `cqe->big_cqe` (liburing).
    /// Kernel: 5.19+ (CQE32), 6.18+ (CQE_MIXED).
    #[inline]
    pub fn cqes32(&mut self) -> CqeIter<'_, Cqe32> {
        CqeIter::new(self.cq.batch())
    }

    /// Calls `f` on every ready CQE, then advances the head once; returns
    /// how many CQEs were handled.
    ///
    /// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()`
    /// (liburing). Kernel: 5.1+.
    #[inline]
    pub fn for_each_cqe(&mut self, mut f: impl FnMut(&Cqe)) -> u32 {
        let mut n = 0u32;
        for c in self.cqes() {
            f(&c);
            n = n.wrapping_add(1);
        }
        n
    }

    /// Marks `nr` CQ slots consumed. Unlike liburing, `nr` is clamped to
    /// the slots ready, so a too-large value never hands the kernel slots
    /// it has not filled (and never makes `cq_ready` wrap), and on a
    /// CQE_MIXED ring it is rounded up to whole CQEs, so the head never
    /// stops inside a 32-byte CQE (whose second half would read as a CQE).
    ///
    /// Mirrors `io_uring_cq_advance()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_advance(&mut self, nr: u32) {
        self.cq.advance_whole(nr);
    }

    /// Marks a CQE from [`peek_cqe`](Self::peek_cqe) /
    /// [`wait_cqe`](Self::wait_cqe) consumed: the CQE at the head, one slot
    /// or, for a 32-byte CQE of a CQE_MIXED ring, two (a [`Cqe32`] derefs
    /// to the `&Cqe` taken here). The size comes from the ring itself, so a
    /// stale `cqe` can never leave the head inside a CQE; with nothing
    /// ready it does nothing.
    ///
    /// **`cqe` is not looked at**: this ring's head CQE is consumed
    /// whatever `cqe` is, a copy of it or not. A [`Cqe`] is a 16-byte copy,
    /// with nothing in it that says which ring it came from, so a CQE of
    /// another ring (or an old copy) passed here drops this ring's head CQE
    /// unseen. liburing does the same: `io_uring_cqe_seen()` uses its
    /// `cqe` only for the CQE's size on a CQE_MIXED ring and advances the
    /// ring's head. It costs a completion, never memory safety: a CQE
    /// dropped unseen only keeps its request's memory lent for longer (see
    /// the [safety model](crate#safety-model)).
    ///
    /// Mirrors `io_uring_cqe_seen()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cqe_seen(&mut self, cqe: &Cqe) {
        // The head CQE's size is read from the ring, not from `cqe`: a stale
        // copy cannot move the head into the middle of a 32-byte CQE. After
        // a peek or wait, the head that peek computed is stored as is (the
        // head has not moved since, the kernel's tail only grows).
        let _ = cqe;
        self.cq.seen();
    }

    /// CQ slots `cqe` occupies: 2 for an IORING_CQE_F_32 entry of a
    /// CQE_MIXED ring, else 1 (a 32-byte CQE of a CQE32 ring is one slot;
    /// on other rings IORING_CQE_F_32 is just a flag a MSG_RING sender
    /// passed, and is not read as a size).
    ///
    /// Mirrors `io_uring_cqe_nr()` (liburing), which needs no ring because
    /// the kernel sets IORING_CQE_F_32 only in CQE_MIXED rings.
    /// Kernel: 6.18+ (CQE_MIXED).
    #[inline]
    pub fn cqe_nr(&self, cqe: &Cqe) -> u32 {
        self.cq.cqe_nr(cqe.flags)
    }

    /// This ring's CQE index shift (see [`cqe_shift_from_flags`]): 1 for
    /// IORING_SETUP_CQE32 rings, else 0.
    ///
    /// Mirrors `io_uring_cqe_shift()` (liburing). Kernel: any (CQE32:
    /// 5.19+).
    #[inline]
    pub fn cqe_shift(&self) -> u32 {
        cqe_shift_from_flags(self.flags())
    }

    /// The first ready CQE, if any, without entering the kernel, and how
    /// many CQ slots are ready (0 with `None`). Padding CQEs
    /// (IORING_CQE_F_SKIP) at the head are consumed on the way. The CQE is
    /// not consumed: [`cqe_seen`](Self::cqe_seen) does that.
    ///
    /// Mirrors `__io_uring_peek_cqe()` (liburing), whose error is always
    /// 0 here: this crate queues no internal timeout requests whose CQEs
    /// it would filter out. Kernel: any (it never enters the kernel).
    #[inline]
    pub fn __peek_cqe(&mut self) -> (Option<Cqe>, u32) {
        wait::peek_inner::<Cqe>(&self.cq)
    }

    /// Submits up to `submit` of the SQEs handed out (publishing them
    /// first), waits until `wait_nr` CQEs are ready, with `sigmask`
    /// applied while waiting, and returns the first without consuming it.
    ///
    /// Mirrors `__io_uring_get_cqe()` (liburing), the helper of its peeks
    /// and waits. Unlike it, `submit` is capped at the SQEs actually
    /// published, so a count larger than that cannot make the call
    /// re-enter forever. Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` when `submit` and `wait_nr` are 0 and no CQE is
    /// ready; `EINTR`; as [`Ring::enter`].
    pub fn __get_cqe(
        &mut self,
        submit: u32,
        wait_nr: u32,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        let published = self.flush_sq();
        self.wait_ext(submit.min(published), wait_nr, None, 0, sigmask)
    }

    /// CQ slots ready to reap.
    ///
    /// Mirrors `io_uring_cq_ready()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_ready(&self) -> u32 {
        self.cq.ready()
    }

    /// Whether completions overflowed the CQ and wait in the kernel's
    /// backlog (flushed by the next enter, e.g. [`get_events`](Self::get_events)).
    ///
    /// Mirrors `io_uring_cq_has_overflow()` (liburing). Kernel: 5.5+.
    #[inline]
    pub fn cq_has_overflow(&self) -> bool {
        self.sq_flags() & bare_uring_sys::IORING_SQ_CQ_OVERFLOW != 0
    }

    /// Completions the kernel dropped (without IORING_FEAT_NODROP, or when
    /// it could not allocate the backlog).
    ///
    /// Mirrors `*ring->cq.koverflow` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_overflow(&self) -> u32 {
        self.cq.overflow()
    }

    /// Whether eventfd notifications are enabled (true on kernels without
    /// the CQ flags word).
    ///
    /// Mirrors `io_uring_cq_eventfd_enabled()` (liburing). Kernel: 5.8+.
    #[inline]
    pub fn cq_eventfd_enabled(&self) -> bool {
        self.cq
            .flags()
            .is_none_or(|f| f & IORING_CQ_EVENTFD_DISABLED == 0)
    }

    /// Turns eventfd notifications for this ring on or off.
    ///
    /// Mirrors `io_uring_cq_eventfd_toggle()` (liburing). Kernel: 5.8+.
    ///
    /// Errors: `EOPNOTSUPP` on kernels without the CQ flags word.
    pub fn cq_eventfd_toggle(&mut self, enabled: bool) -> Result<(), Errno> {
        if enabled == self.cq_eventfd_enabled() {
            return Ok(());
        }
        let flags = self.cq.flags().ok_or(Errno::EOPNOTSUPP)?;
        let flags = if enabled {
            flags & !IORING_CQ_EVENTFD_DISABLED
        } else {
            flags | IORING_CQ_EVENTFD_DISABLED
        };
        self.cq.set_flags(flags)
    }
}

/// `io_uring_peek_batch_cqe` over a CQ (see [`Ring::peek_batch_cqe`]).
pub(crate) fn peek_batch_cqe<C: ReadCqe>(cq: &CqRing, ctx: &EnterCtx, out: &mut [C]) -> usize {
    let mut n = copy_batch(cq, out);
    if n == 0 && ctx.cq_ring_needs_flush() {
        // Flush overflow / task work into the CQ, then look again.
        // SAFETY: no argument.
        let _ = unsafe { ctx.enter(0, 0, IORING_ENTER_GETEVENTS, ptr::null(), 8) };
        n = copy_batch(cq, out);
    }
    n
}

fn copy_batch<C: ReadCqe>(cq: &CqRing, out: &mut [C]) -> usize {
    // Leading padding is consumed here, so the caller's advance by the
    // copied CQEs' `nr` lines up with the head.
    let _ = wait::peek_inner::<Cqe>(cq);
    let mut batch = cq.batch();
    let mut n = 0;
    let mut passed = 0u32;
    for slot in out.iter_mut() {
        let Some(c) = batch.next() else { break };
        if batch.consumed().wrapping_sub(passed) != c.nr {
            // Padding sits before this CQE: stop, so that advancing by the
            // copied CQEs' `nr` never lands inside the pad. The next call
            // consumes the pad first.
            break;
        }
        passed = batch.consumed();
        *slot = C::from_raw(c);
        n += 1;
    }
    n
}
