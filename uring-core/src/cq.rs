//! Completion: peeking, waiting (with timeout, sigmask, min-timeout) and
//! iterating CQEs.
//!
//! CQEs are returned as [`Cqe`], a copy of the 16 (or 32) bytes: reading
//! it never races with the kernel reusing the slot, and it derefs to
//! [`io_uring_cqe`] so `cqe.user_data`, `cqe.res`, `cqe.flags` and every
//! helper taking `&io_uring_cqe` work. As in liburing, a peeked or waited
//! CQE stays in the ring until [`Ring::cqe_seen`] / [`Ring::cq_advance`].

use crate::queue::{CqBatch, RawCqe};
use crate::Errno;
use crate::Ring;
use core::ffi::c_void;
use core::ops::Deref;
use core::ptr;
use uring_sys::{
    __kernel_timespec, io_uring_cqe, io_uring_getevents_arg, kernel_sigset_t,
    IORING_CQ_EVENTFD_DISABLED, IORING_ENTER_EXT_ARG, IORING_ENTER_GETEVENTS, IORING_FEAT_EXT_ARG,
    IORING_FEAT_MIN_TIMEOUT,
};

/// A completion copied out of the CQ (16 bytes, or 32 for big CQEs).
/// Derefs to [`io_uring_cqe`]; the second half of a 32-byte CQE is
/// [`big_cqe`](Self::big_cqe) (do not use `io_uring_cqe::big_cqe` on the
/// deref'd value: the copy behind it is only 16 bytes).
#[repr(C)]
pub struct Cqe {
    cqe: io_uring_cqe,
    extra: [u64; 2],
    big: bool,
    nr: u32,
}

impl Cqe {
    #[inline]
    pub(crate) fn from_raw(r: RawCqe) -> Cqe {
        Cqe {
            cqe: io_uring_cqe {
                user_data: r.user_data,
                res: r.res,
                flags: r.flags,
                big_cqe: Default::default(),
            },
            extra: r.extra,
            big: r.big,
            nr: r.nr,
        }
    }

    /// A zeroed 16-byte CQE (for filling arrays before
    /// [`Ring::peek_batch_cqe`]).
    #[inline]
    pub fn zeroed() -> Cqe {
        Cqe::from_raw(RawCqe {
            user_data: 0,
            res: 0,
            flags: 0,
            big: false,
            extra: [0; 2],
            nr: 1,
        })
    }

    /// The extra 16 bytes of a 32-byte CQE (IORING_SETUP_CQE32, or
    /// IORING_CQE_F_32 in a CQE_MIXED ring); `None` for 16-byte CQEs.
    ///
    /// Mirrors `cqe->big_cqe[0..2]` (liburing).
    #[inline]
    pub fn big_cqe(&self) -> Option<&[u64; 2]> {
        self.big.then_some(&self.extra)
    }

    /// CQ slots this CQE occupied: 2 for a 32-byte CQE in a mixed ring,
    /// else 1 (what [`Ring::cqe_seen`] advances by).
    ///
    /// Mirrors `io_uring_cqe_nr()` (liburing).
    #[inline]
    pub fn nr(&self) -> u32 {
        self.nr
    }

    /// `res` as a result: negative values are `Errno`s.
    #[inline]
    pub fn result(&self) -> Result<u32, Errno> {
        Errno::from_res(self.cqe.res)
    }
}

impl Deref for Cqe {
    type Target = io_uring_cqe;
    #[inline]
    fn deref(&self) -> &io_uring_cqe {
        &self.cqe
    }
}

impl Clone for Cqe {
    #[inline]
    fn clone(&self) -> Self {
        Cqe {
            cqe: io_uring_cqe {
                user_data: self.cqe.user_data,
                res: self.cqe.res,
                flags: self.cqe.flags,
                big_cqe: Default::default(),
            },
            extra: self.extra,
            big: self.big,
            nr: self.nr,
        }
    }
}

impl Default for Cqe {
    fn default() -> Self {
        Cqe::zeroed()
    }
}

impl core::fmt::Debug for Cqe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Cqe");
        d.field("user_data", &self.cqe.user_data)
            .field("res", &self.cqe.res)
            .field("flags", &self.cqe.flags);
        if self.big {
            d.field("big_cqe", &self.extra);
        }
        d.finish()
    }
}

/// An iterator over the CQEs ready when it was made; when dropped it
/// advances the CQ head once, past every CQE it yielded (and the padding
/// before them). Breaking out early leaves the rest in the ring.
///
/// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()` (liburing).
#[derive(Debug)]
pub struct CqeIter<'a> {
    batch: CqBatch<'a>,
}

impl Iterator for CqeIter<'_> {
    type Item = Cqe;
    #[inline]
    fn next(&mut self) -> Option<Cqe> {
        self.batch.next().map(Cqe::from_raw)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.batch.size_hint()
    }
}

impl Drop for CqeIter<'_> {
    fn drop(&mut self) {
        self.batch.ring().advance(self.batch.consumed());
    }
}

/// Timed waits the kernel ends with no CQE and no error that
/// [`Ring::get_cqe`] repeats before it reports `ETIME` anyway.
const MAX_REWAITS: u32 = 16;

/// How to wait: argument block for io_uring_enter.
struct GetData {
    submit: u32,
    wait_nr: u32,
    get_flags: u32,
    has_ts: bool,
    arg: *const c_void,
    sz: usize,
}

impl Ring {
    /// The first CQE and the number of CQ slots ready; padding CQEs
    /// (IORING_CQE_F_SKIP) are consumed on the way, at most one ring's
    /// worth per call: an honest kernel never publishes more, so a corrupt
    /// tail (far ahead, over padding) cannot make one peek spin for long.
    fn peek_inner(&mut self) -> (Option<Cqe>, u32) {
        let mut budget = self.cq.entries();
        loop {
            let tail = self.cq.tail();
            let head = self.cq.head();
            let available = crate::queue::ready(tail, head);
            if available == 0 || budget == 0 {
                return (None, 0);
            }
            // SAFETY: head is in [head, tail) with tail read (acquire) above.
            let c = unsafe { self.cq.read(head) };
            if c.is_skip() {
                let nr = c.nr.min(available).min(budget);
                self.cq.advance(nr);
                budget -= nr;
                continue;
            }
            return (Some(Cqe::from_raw(c)), available);
        }
    }

    /// liburing's `_io_uring_get_cqe`: submit, wait, and return the first
    /// CQE, entering the kernel only when needed.
    ///
    /// Unlike liburing, a wait with a timeout or a signal mask never
    /// submits in the same `io_uring_enter`: when the kernel submitted
    /// something it returns the count and drops the wait's -ETIME/-EINTR,
    /// so a signal would be reported as a timeout. The SQEs go in a first
    /// enter without waiting; the wait's own enter (submitting nothing)
    /// then returns the kernel's `ETIME` or `EINTR` as such.
    fn get_cqe(&mut self, mut d: GetData) -> Result<Cqe, Errno> {
        let mut looped = false;
        let mut rewaits = 0;
        loop {
            let (cqe, available) = self.peek_inner();
            let mut need_enter = false;
            let mut flags = 0;
            if cqe.is_none() && d.wait_nr == 0 && d.submit == 0 {
                if looped || !self.cq_ring_needs_enter() {
                    return Err(Errno::EAGAIN);
                }
                need_enter = true;
            }
            if d.wait_nr > available || need_enter {
                flags = IORING_ENTER_GETEVENTS | d.get_flags;
                need_enter = true;
            }
            if d.submit != 0 && flags != 0 && !d.arg.is_null() {
                // A wait with a timeout or a sigmask: submit first.
                self.submit_before_wait(d.submit)?;
                d.submit = 0;
            }
            if self.sq_ring_needs_enter(d.submit, &mut flags) {
                need_enter = true;
            }
            if !need_enter {
                return cqe.ok_or(Errno::EAGAIN);
            }
            if looped && d.has_ts {
                // The timed wait returned without an error. With CQEs, but
                // fewer than asked for: return the first, as liburing.
                if cqe.is_some() {
                    return cqe.ok_or(Errno::ETIME);
                }
                // With none: not an expiry (the kernel reports that as
                // -ETIME, and a signal as -EINTR, now that the wait
                // submits nothing). The kernel also ends a wait when an
                // IORING_OP_TIMEOUT fires, before that request's CQE is
                // visible (with SQPOLL it is posted by the SQ thread): wait
                // again. liburing reports ETIME here. Bounded, so ring
                // memory that keeps the kernel and us disagreeing (forged
                // indices) still ends.
                if rewaits == MAX_REWAITS {
                    return Err(Errno::ETIME);
                }
                rewaits += 1;
            }
            // SAFETY: d.arg/d.sz are null/8, a sigset (8 bytes) or an
            // io_uring_getevents_arg (with EXT_ARG in get_flags) whose
            // pointers outlive this call; SQEs were published by flush.
            let ret = unsafe { self.enter(d.submit, d.wait_nr, flags, d.arg, d.sz) }?;
            d.submit = d.submit.saturating_sub(ret);
            if let Some(c) = cqe {
                return Ok(c);
            }
            looped = true;
        }
    }

    /// Submits `submit` published SQEs without waiting (entering only when
    /// the SQ needs it: always without SQPOLL, with SQPOLL when the thread
    /// sleeps); also flushes completions the kernel flagged.
    fn submit_before_wait(&mut self, submit: u32) -> Result<(), Errno> {
        let mut flags = 0;
        if !self.sq_ring_needs_enter(submit, &mut flags) {
            return Ok(());
        }
        if self.cq_ring_needs_enter() {
            flags |= IORING_ENTER_GETEVENTS;
        }
        // SAFETY: no argument; the SQEs up to the tail were published by
        // flush_sq.
        unsafe { self.enter(submit, 0, flags, ptr::null(), 8) }.map(|_| ())
    }

    /// The next CQE if one is ready, without waiting (entering the kernel
    /// only to flush overflow/task work the kernel flagged).
    ///
    /// Mirrors `io_uring_peek_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` when no CQE is ready; as [`Ring::enter`].
    #[inline]
    pub fn peek_cqe(&mut self) -> Result<Cqe, Errno> {
        if let (Some(c), _) = self.peek_inner() {
            return Ok(c);
        }
        if !self.cq_ring_needs_enter() {
            return Err(Errno::EAGAIN);
        }
        self.wait_cqe_nr(0)
    }

    /// The next CQE, waiting for one if none is ready.
    ///
    /// Mirrors `io_uring_wait_cqe()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`] (`EINTR`, ...).
    #[inline]
    pub fn wait_cqe(&mut self) -> Result<Cqe, Errno> {
        if let (Some(c), _) = self.peek_inner() {
            return Ok(c);
        }
        self.wait_cqe_nr(1)
    }

    /// Waits until `wait_nr` CQEs are ready; returns the first.
    ///
    /// Mirrors `io_uring_wait_cqe_nr()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EAGAIN` (`wait_nr` 0 and nothing ready); as [`Ring::enter`].
    #[inline]
    pub fn wait_cqe_nr(&mut self, wait_nr: u32) -> Result<Cqe, Errno> {
        self.get_cqe(GetData {
            submit: 0,
            wait_nr,
            get_flags: 0,
            has_ts: false,
            arg: ptr::null(),
            sz: 8,
        })
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
        let sig = sigmask.map_or(ptr::null(), |s| s as *const kernel_sigset_t);
        if ts.is_none() && min_wait_usec == 0 {
            return self.get_cqe(GetData {
                submit,
                wait_nr,
                get_flags: 0,
                has_ts: false,
                arg: sig.cast(),
                sz: 8,
            });
        }
        if self.features() & IORING_FEAT_EXT_ARG == 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let arg = io_uring_getevents_arg {
            sigmask: sig as u64,
            sigmask_sz: 8,
            min_wait_usec,
            ts: ts.map_or(0, |t| t as *const __kernel_timespec as u64),
        };
        self.get_cqe(GetData {
            submit,
            wait_nr,
            get_flags: IORING_ENTER_EXT_ARG,
            has_ts: ts.is_some(),
            arg: (&arg as *const io_uring_getevents_arg).cast(),
            sz: core::mem::size_of::<io_uring_getevents_arg>(),
        })
    }

    /// Waits for `wait_nr` CQEs with an optional timeout (relative) and
    /// an optional signal mask applied while waiting; returns the first.
    ///
    /// Mirrors `io_uring_wait_cqes()` (liburing). Kernel: 5.1+; a timeout
    /// needs IORING_FEAT_EXT_ARG (5.11+).
    ///
    /// Errors: `ETIME` when the timeout expires first, `EINTR`,
    /// `EOPNOTSUPP` (timeout without EXT_ARG); as [`Ring::enter`].
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
    /// # use uring_core::{Ring, Errno, sys::__kernel_timespec};
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

    /// Copies up to `out.len()` ready CQEs into `out` without advancing
    /// the head; returns how many. Then call [`cq_advance`](Self::cq_advance)
    /// with the sum of their [`Cqe::nr`] (equal to the count unless the
    /// ring is CQE_MIXED). Padding CQEs (IORING_CQE_F_SKIP) are never
    /// returned: leading ones are consumed, and the batch stops before a
    /// CQE that follows one, so the sum is always exact.
    ///
    /// Mirrors `io_uring_peek_batch_cqe()` (liburing). Kernel: 5.1+.
    pub fn peek_batch_cqe(&mut self, out: &mut [Cqe]) -> usize {
        let mut n = self.copy_batch(out);
        if n == 0 && self.cq_ring_needs_flush() {
            // Flush overflow / task work into the CQ, then look again.
            let _ = self.get_events();
            n = self.copy_batch(out);
        }
        n
    }

    fn copy_batch(&mut self, out: &mut [Cqe]) -> usize {
        // Leading padding is consumed here, so the caller's advance by the
        // copied CQEs' `nr` lines up with the head.
        let _ = self.peek_inner();
        let mut batch = self.cq.batch();
        let mut n = 0;
        let mut passed = 0u32;
        for slot in out.iter_mut() {
            let Some(c) = batch.next() else { break };
            if batch.consumed().wrapping_sub(passed) != c.nr {
                // Padding sits before this CQE: stop, so that advancing by
                // the copied CQEs' `nr` never lands inside the pad. The
                // next call consumes the pad first.
                break;
            }
            passed = batch.consumed();
            *slot = Cqe::from_raw(c);
            n += 1;
        }
        n
    }

    /// Iterates the CQEs ready now; dropping the iterator advances the
    /// head once past those yielded.
    ///
    /// Mirrors `io_uring_for_each_cqe()` + `io_uring_cq_advance()`
    /// (liburing). Kernel: 5.1+.
    ///
    /// ```no_run
    /// # let mut ring = uring_core::Ring::queue_init(4, 0)?;
    /// for cqe in ring.cqes() {
    ///     println!("{} -> {}", cqe.user_data, cqe.res);
    /// }
    /// # Ok::<(), uring_core::Errno>(())
    /// ```
    #[inline]
    pub fn cqes(&mut self) -> CqeIter<'_> {
        CqeIter {
            batch: self.cq.batch(),
        }
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
    /// it has not filled (and never makes `cq_ready` wrap).
    ///
    /// Mirrors `io_uring_cq_advance()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cq_advance(&mut self, nr: u32) {
        // Never past the tail: a too-large nr would hand the kernel slots
        // it has not filled.
        self.cq.advance(nr.min(self.cq.ready()));
    }

    /// Marks a CQE from [`peek_cqe`](Self::peek_cqe) /
    /// [`wait_cqe`](Self::wait_cqe) consumed (advances by [`Cqe::nr`]).
    ///
    /// Mirrors `io_uring_cqe_seen()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn cqe_seen(&mut self, cqe: &Cqe) {
        self.cq_advance(cqe.nr());
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
        self.sq_flags() & uring_sys::IORING_SQ_CQ_OVERFLOW != 0
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
