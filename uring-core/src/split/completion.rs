//! [`CompletionQueue`]: the completion side of a split ring.

use crate::cq::{peek_batch_cqe, Cqe, Cqe32, CqeIter, ReadCqe};
use crate::enter::EnterCtx;
use crate::queue::CqRing;
use crate::wait::{self, GetData};
use crate::Errno;
use bare_uring_sys::{__kernel_timespec, kernel_sigset_t, IORING_SQ_CQ_OVERFLOW};
use core::marker::PhantomData;

/// The completion side of a [`Ring::split`](crate::Ring::split): peeks,
/// waits for and iterates CQEs. It keeps its own copy of the CQ geometry,
/// with the CQE size (16 bytes, 32 bytes or mixed) decided once, at the
/// split; the consumer index is the ring's head in shared memory, so
/// nothing needs to go back into the ring.
///
/// Not `Send` (as the ring).
#[derive(Debug)]
pub struct CompletionQueue<'a> {
    cq: CqRing,
    ctx: EnterCtx,
    _ring: PhantomData<&'a ()>,
}

impl CompletionQueue<'_> {
    #[inline]
    pub(crate) fn new(cq: CqRing, ctx: EnterCtx) -> Self {
        CompletionQueue {
            cq,
            ctx,
            _ring: PhantomData,
        }
    }

    /// The next CQE if one is ready, without waiting.
    ///
    /// Mirrors `io_uring_peek_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` when no CQE is ready; as
    /// [`Ring::peek_cqe`](crate::Ring::peek_cqe).
    #[inline]
    pub fn peek_cqe(&mut self) -> Result<Cqe, Errno> {
        let found = match wait::peek(&self.cq) {
            Some(found) => found,
            None => wait::peek_cqe_slow(&self.cq, &self.ctx)?,
        };
        Ok(wait::hand_out(&self.cq, found))
    }

    /// The next CQE, waiting for one if none is ready. Submits nothing:
    /// submit from the [`SubmissionQueue`](super::SubmissionQueue) first.
    ///
    /// Mirrors `io_uring_wait_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::wait_cqe`](crate::Ring::wait_cqe).
    #[inline(always)]
    pub fn wait_cqe(&mut self) -> Result<Cqe, Errno> {
        let found = {
            let q: &Self = self;
            wait::wait_cqe(&q.cq, move || (&q.cq, q.ctx))
        }?;
        Ok(wait::hand_out(&self.cq, found))
    }

    /// As [`peek_cqe`](Self::peek_cqe), reading all 32 bytes of a big CQE.
    ///
    /// Mirrors `io_uring_peek_cqe()` + `cqe->big_cqe` (liburing).
    /// Kernel: 5.19+ (CQE32), 6.18+ (CQE_MIXED).
    ///
    /// Errors: as [`Ring::peek_cqe32`](crate::Ring::peek_cqe32).
    #[inline]
    pub fn peek_cqe32(&mut self) -> Result<Cqe32, Errno> {
        let found = match wait::peek(&self.cq) {
            Some(found) => found,
            None => wait::peek_cqe_slow(&self.cq, &self.ctx)?,
        };
        Ok(wait::hand_out(&self.cq, found))
    }

    /// As [`wait_cqe`](Self::wait_cqe), reading all 32 bytes of a big CQE.
    ///
    /// Mirrors `io_uring_wait_cqe()` + `cqe->big_cqe` (liburing).
    /// Kernel: 5.19+ (CQE32), 6.18+ (CQE_MIXED).
    ///
    /// Errors: as [`Ring::wait_cqe32`](crate::Ring::wait_cqe32).
    #[inline]
    pub fn wait_cqe32(&mut self) -> Result<Cqe32, Errno> {
        let found = {
            let q: &Self = self;
            wait::wait_cqe(&q.cq, move || (&q.cq, q.ctx))
        }?;
        Ok(wait::hand_out(&self.cq, found))
    }

    /// Waits until `wait_nr` CQEs are ready; returns the first.
    ///
    /// Mirrors `io_uring_wait_cqe_nr()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::wait_cqe_nr`](crate::Ring::wait_cqe_nr).
    #[inline]
    pub fn wait_cqe_nr(&mut self, wait_nr: u32) -> Result<Cqe, Errno> {
        wait::get_cqe(&self.cq, &self.ctx, GetData::plain(0, wait_nr))
    }

    /// Waits for `wait_nr` CQEs with an optional timeout and signal mask.
    ///
    /// Mirrors `io_uring_wait_cqes()` (liburing). Kernel: 5.1+; a timeout
    /// needs IORING_FEAT_EXT_ARG (5.11+).
    ///
    /// Errors: as [`Ring::wait_cqes`](crate::Ring::wait_cqes).
    pub fn wait_cqes(
        &mut self,
        wait_nr: u32,
        ts: Option<&__kernel_timespec>,
        sigmask: Option<&kernel_sigset_t>,
    ) -> Result<Cqe, Errno> {
        wait::wait_ext(&self.cq, &self.ctx, 0, wait_nr, ts, 0, sigmask)
    }

    /// Waits for `wait_nr` CQEs with the wait arguments of entry
    /// `reg_index` of the ring's registered wait region; submits nothing
    /// (submit from the [`SubmissionQueue`](super::SubmissionQueue) first).
    ///
    /// The wait of [`Ring::submit_and_wait_reg`](crate::Ring::submit_and_wait_reg)
    /// (liburing has no split form, so no name of its own). Kernel: 6.13+.
    ///
    /// Errors: as [`Ring::submit_and_wait_reg`](crate::Ring::submit_and_wait_reg).
    pub fn wait_reg(&mut self, wait_nr: u32, reg_index: u32) -> Result<Cqe, Errno> {
        wait::wait_reg(&self.cq, &self.ctx, 0, wait_nr, reg_index)
    }

    /// Waits for one CQE for at most `ts` (forever with `None`).
    ///
    /// Mirrors `io_uring_wait_cqe_timeout()` (liburing). Kernel: 5.11+.
    ///
    /// Errors: `ETIME` on timeout; as [`wait_cqes`](Self::wait_cqes).
    pub fn wait_cqe_timeout(&mut self, ts: Option<&__kernel_timespec>) -> Result<Cqe, Errno> {
        wait::wait_ext(&self.cq, &self.ctx, 0, 1, ts, 0, None)
    }

    /// Marks a CQE from [`peek_cqe`](Self::peek_cqe) /
    /// [`wait_cqe`](Self::wait_cqe) consumed (the CQE at the head, whatever
    /// `cqe` is; as [`Ring::cqe_seen`](crate::Ring::cqe_seen)).
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

    /// CQ slots `cqe` occupies (see [`Ring::cqe_nr`](crate::Ring::cqe_nr)).
    ///
    /// Mirrors `io_uring_cqe_nr()` (liburing). Kernel: 6.18+ (CQE_MIXED).
    #[inline]
    pub fn cqe_nr(&self, cqe: &Cqe) -> u32 {
        self.cq.cqe_nr(cqe.flags)
    }

    /// Marks `nr` CQ slots consumed (clamped to the slots ready, as
    /// [`Ring::cq_advance`](crate::Ring::cq_advance)).
    ///
    /// Mirrors `io_uring_cq_advance()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_advance(&mut self, nr: u32) {
        self.cq.advance_whole(nr);
    }

    /// Iterates the CQEs ready now; dropping the iterator advances the head
    /// once past those yielded.
    ///
    /// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()`
    /// (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cqes(&mut self) -> CqeIter<'_> {
        CqeIter::new(self.cq.batch())
    }

    /// As [`cqes`](Self::cqes), yielding all 32 bytes of big CQEs.
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

    /// Copies up to `out.len()` ready CQEs without advancing the head (see
    /// [`Ring::peek_batch_cqe`](crate::Ring::peek_batch_cqe)).
    ///
    /// Mirrors `io_uring_peek_batch_cqe()` (liburing). Kernel: 5.1+.
    pub fn peek_batch_cqe<C: ReadCqe>(&mut self, out: &mut [C]) -> usize {
        peek_batch_cqe(&self.cq, &self.ctx, out)
    }

    /// CQ slots ready to reap.
    ///
    /// Mirrors `io_uring_cq_ready()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_ready(&self) -> u32 {
        self.cq.ready()
    }

    /// Number of CQ slots.
    #[inline]
    pub fn cq_entries(&self) -> u32 {
        self.cq.entries()
    }

    /// Whether completions overflowed the CQ and wait in the kernel's
    /// backlog.
    ///
    /// Mirrors `io_uring_cq_has_overflow()` (liburing). Kernel: 5.5+.
    #[inline]
    pub fn cq_has_overflow(&self) -> bool {
        self.ctx.sq_flags() & IORING_SQ_CQ_OVERFLOW != 0
    }

    /// Completions the kernel dropped.
    ///
    /// Mirrors `*ring->cq.koverflow` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_overflow(&self) -> u32 {
        self.cq.overflow()
    }
}
