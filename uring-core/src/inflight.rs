//! [`InFlight`]: a scope that keeps the kernel from writing memory after
//! an early return (`?`, a panic) while requests are in flight.
//!
//! The promise made at [`Ring::get_sqe`] is that the memory a request
//! points to stays valid until the request's final CQE. A `?` between the
//! submit and that CQE returns with the request still in flight, and the
//! buffer, often a local of the returning function, dies while the kernel
//! still writes it. [`Ring::in_flight`] moves the end of that promise to
//! the end of a call: it runs a closure with an [`InFlight`] handle and,
//! on every way out of the closure (a value, an early `?`, a panic's
//! unwinding), neutralises every request handed out through the handle
//! (cancels them and waits for each one's final CQE) before it returns.
//! Memory declared *outside* the closure therefore outlives them all:
//!
//! ```no_run
//! use bare_uring::{prep, Errno, Ring};
//!
//! fn read_header(ring: &mut Ring, fd: i32) -> Result<[u8; 16], Errno> {
//!     let mut buf = [0u8; 16]; // outside the closure: outlives the scope
//!     ring.in_flight(|io| {
//!         // SAFETY: `buf` outlives the scope, which ends the read (cancels
//!         // it and waits for its CQE) on every way out; `fd` is the
//!         // caller's open file; the ring has nothing else in flight.
//!         let sqe = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
//!         prep::read(sqe, fd, buf.as_mut_ptr().cast(), 16, 0);
//!         sqe.user_data = 1;
//!         io.submit()?;
//!         check_something_else()?; // returns with the read in flight: safe
//!         let cqe = io.reap()?;
//!         cqe.result()
//!     })?;
//!     Ok(buf)
//! }
//! # fn check_something_else() -> Result<(), Errno> { Err(Errno::EINVAL) }
//! ```
//!
//! Why a scope and not a guard value: a value can be leaked (`mem::forget`,
//! an `Rc` cycle), and then no destructor ends its requests, while the
//! memory it was meant to protect is freed. The handle exists only as a
//! `&mut` borrow inside [`Ring::in_flight`]'s own frame, which always ends
//! it; no handle can be swapped for another scope's (the lifetime is
//! invariant):
//!
//! ```compile_fail,E0521
//! # let mut a = bare_uring::Ring::queue_init(4, 0).unwrap();
//! # let mut b = bare_uring::Ring::queue_init(4, 0).unwrap();
//! a.in_flight(|x| b.in_flight(|y| core::mem::swap(x, y)));
//! ```
//!
//! No liburing equivalent (C has no destructors). `tests/inflight.rs`
//! shows an early return, a panic and a multishot request, each ended
//! before `in_flight` returns.

use core::marker::PhantomData;

use crate::cq::Cqe;
use crate::{prep, syscall, Errno, Ring};
use bare_uring_sys::{
    __kernel_timespec, io_uring_sqe, io_uring_sync_cancel_reg, IORING_ASYNC_CANCEL_ALL,
    IORING_ASYNC_CANCEL_ANY, IORING_CQE_F_MORE, IORING_FEAT_EXT_ARG, IORING_SETUP_SQPOLL,
    IOSQE_CQE_SKIP_SUCCESS,
};

/// `user_data` of the cancel request the end of an [`InFlight`] scope
/// submits on kernels without `IORING_REGISTER_SYNC_CANCEL` (before 6.0).
/// The scope reaps its
/// CQE itself; no request of the caller's is matched by it.
pub const CANCEL_USER_DATA: u64 = 0x1f1f_1f1f_1f1f_1f1f;

/// Exit status of the process when an [`InFlight`] scope cannot wait for
/// its requests (see its "The end of the scope" section).
pub const EXIT_CANNOT_WAIT: i32 = 134;

/// The handle [`Ring::in_flight`] lends its closure: a borrow of the ring
/// whose requests are all ended (cancelled, and their final CQEs reaped)
/// before `in_flight` returns, also after an early `?` return or during a
/// panic's unwinding. Memory declared outside the closure therefore
/// outlives every request submitted through it. See the [module](self)
/// for an example.
///
/// It counts: each SQE from [`get_sqe`](Self::get_sqe) is one request, and
/// a CQE without `IORING_CQE_F_MORE` reaped through the handle
/// ([`reap`](Self::reap), [`try_reap`](Self::try_reap), or the scope's end) ends
/// one. That is why it borrows the ring mutably (nothing else submits or
/// reaps while it lives), why it hands out no 128-byte SQEs, why
/// [`submit`](Self::submit) clears `IOSQE_CQE_SKIP_SUCCESS` (a request
/// must post its CQE to be counted) and why CQEs other than its requests'
/// must not reach the ring while it lives (its `get_sqe`'s "Safety").
///
/// # The end of the scope
/// 1. SQEs the kernel has not consumed are forgotten (never submitted):
///    a slot taken before a `?` may hold half a request. With SQPOLL only
///    the unsubmitted ones are (the thread may be reading the others),
///    and the thread is woken for the rest.
/// 2. If requests remain, every request of the ring is cancelled:
///    `IORING_REGISTER_SYNC_CANCEL` with `IORING_ASYNC_CANCEL_ANY |
///    IORING_ASYNC_CANCEL_ALL` (Kernel: 6.0+), else an
///    `IORING_OP_ASYNC_CANCEL` request with the same flags (Kernel:
///    5.19+; [`CANCEL_USER_DATA`]). Before 5.19 nothing can cancel "any"
///    request: the scope's end **waits until the requests finish by
///    themselves** (a read of a pipe nobody writes waits forever).
/// 3. CQEs are reaped and discarded until each request has posted its
///    final CQE; with sync cancel, a wait that lasts 50 ms cancels again
///    (a request armed after the first cancel, such as an SQE the SQPOLL
///    thread had not read yet). A request that cannot be cancelled (a
///    read already running in a worker thread) is waited for. What a
///    discarded CQE carries (an accepted fd, a selected buffer) is lost:
///    call [`finish`](Self::finish) to see them.
///
/// With nothing in flight this takes no syscall.
/// If waiting fails with an error other than `EINTR`, `EAGAIN`, `EBUSY`
/// or `ETIME` (a ring the kernel no longer lets this task wait on), the
/// kernel may still write the memory and nothing can tell when it stops:
/// rather than return, the scope ends the process (`exit_group` with
/// [`EXIT_CANNOT_WAIT`]).
#[derive(Debug)]
pub struct InFlight<'r> {
    ring: &'r mut Ring,
    /// Requests handed out whose final CQE has not been reaped.
    pending: u64,
    /// The CQ held no CQE (and no overflow backlog) when the scope began:
    /// every CQE it reaps can then be counted as one of its requests'.
    clean: bool,
    /// Invariant in `'r` (as `std::thread::Scope`): handles of two scopes
    /// never have the same type, so they cannot be swapped.
    _invariant: PhantomData<fn(&'r ()) -> &'r ()>,
}

impl Ring {
    /// Runs `f` with an [`InFlight`] handle over this ring and, before
    /// returning (also when `f` returns early with an error, and while a
    /// panic in `f` unwinds), ends every request handed out through the
    /// handle: cancels them and waits until each has posted its final CQE
    /// (see [`InFlight`]). Memory the requests use must be declared outside
    /// `f`. Returns what `f` returns.
    ///
    /// No liburing equivalent. Kernel: 5.1+ (cancelling: 5.19+; before,
    /// the end waits for the requests to finish).
    #[inline]
    pub fn in_flight<R>(&mut self, f: impl FnOnce(&mut InFlight<'_>) -> R) -> R {
        // A CQE already waiting would be counted as the end of one of the
        // scope's requests, ending the scope while that request still runs:
        // such a scope hands out no SQE.
        // Likewise an SQE queued before the scope and not yet consumed: its
        // CQE would end one of the scope's requests.
        let clean = self.cq_ready() == 0 && !self.cq_has_overflow() && self.sq_ready() == 0;
        let mut io = InFlight {
            ring: self,
            pending: 0,
            clean,
            _invariant: PhantomData,
        };
        // `io` is a local of this frame: dropped (its requests ended) when
        // `f` returns and when a panic unwinds through here. The closure
        // only borrows it, so it cannot leak or replace it.
        f(&mut io)
    }
}

impl InFlight<'_> {
    /// The next free SQE, as [`Ring::get_sqe`], counted as one request
    /// the scope ends. `None` when the SQ is full, and in a scope that
    /// began with CQEs waiting in the CQ (or an overflow backlog) or with
    /// SQEs queued and not yet consumed by the kernel: the scope counts
    /// every CQE it reaps as the end of one of its requests, so submit and
    /// reap what was there before entering it.
    ///
    /// # Safety
    /// As [`Ring::get_sqe`], except that memory the request uses *until its
    /// final CQE* need only stay valid until that CQE is reaped through
    /// this handle or until [`Ring::in_flight`] returns, whichever comes
    /// first: memory declared outside the closure qualifies, the closure's
    /// own locals do not (they die before the scope ends its requests).
    /// Memory an opcode lends *beyond* its CQE (the buffers of
    /// `IORING_OP_PROVIDE_BUFFERS`, a zero-copy send's buffer until its
    /// `IORING_CQE_F_NOTIF`) keeps [`Ring::get_sqe`]'s terms: ending the
    /// scope does not take those back. In addition, while the scope lasts
    /// every CQE posted to the ring must be a completion of a request
    /// handed out through this handle (each counts as one request's end):
    /// - nothing the ring had submitted or queued before the scope is
    ///   still in flight or unsubmitted;
    /// - no message ([`crate::msg`], [`crate::register::register_sync_msg`],
    ///   `IORING_OP_MSG_RING`, including one the scope's own requests send
    ///   to this ring) and no tagged-resource CQE is posted to the ring;
    /// - no request uses `user_data` [`CANCEL_USER_DATA`] (the scope's
    ///   cancel request) on kernels before 6.0.
    ///
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn get_sqe(&mut self) -> Option<&mut io_uring_sqe> {
        if !self.clean {
            return None;
        }
        // SAFETY: forwarded to the caller's contract (stricter than
        // Ring::get_sqe's: the end of the scope ends the request before
        // the memory the caller declared outside it goes away).
        let sqe = unsafe { self.ring.get_sqe() }?;
        self.pending += 1;
        Some(sqe)
    }

    /// Clears `IOSQE_CQE_SKIP_SUCCESS` in the SQEs about to be published:
    /// every request must post a CQE for the count to end.
    fn clear_skip_success(&mut self) {
        let sq = &self.ring.sq;
        for i in 0..sq.unflushed() {
            // SAFETY: a slot handed out and not yet published: the kernel
            // does not read it, and the `&mut self` borrow of the ring
            // excludes any other reference to it (the SQE borrowed from
            // get_sqe ended when this method borrowed the handle).
            unsafe { (*sq.unflushed_sqe(i)).flags &= !IOSQE_CQE_SKIP_SUCCESS };
        }
    }

    /// Submits the SQEs handed out since the last submit, as
    /// [`Ring::submit`] (after clearing `IOSQE_CQE_SKIP_SUCCESS` in them).
    ///
    /// Errors: as [`Ring::submit`].
    pub fn submit(&mut self) -> Result<u32, Errno> {
        self.clear_skip_success();
        self.ring.submit()
    }

    /// Submits and waits for `wait_nr` completions, as
    /// [`Ring::submit_and_wait`] (after clearing `IOSQE_CQE_SKIP_SUCCESS`).
    ///
    /// Errors: as [`Ring::submit_and_wait`].
    pub fn submit_and_wait(&mut self, wait_nr: u32) -> Result<u32, Errno> {
        self.clear_skip_success();
        self.ring.submit_and_wait(wait_nr)
    }

    /// Counts a CQE just consumed: one without `IORING_CQE_F_MORE` ends a
    /// request.
    #[inline]
    fn count(&mut self, cqe: &Cqe) {
        if cqe.flags & IORING_CQE_F_MORE == 0 {
            self.pending = self.pending.saturating_sub(1);
        }
    }

    /// Takes the next CQE if one is ready: returns a copy and consumes it
    /// (unlike [`Ring::peek_cqe`], no [`Ring::cqe_seen`] follows).
    ///
    /// Errors: `EAGAIN` if none is ready; as [`Ring::peek_cqe`].
    pub fn try_reap(&mut self) -> Result<Cqe, Errno> {
        let cqe = self.ring.peek_cqe()?;
        self.ring.cqe_seen(&cqe);
        self.count(&cqe);
        Ok(cqe)
    }

    /// Waits for the next CQE, returns a copy and consumes it.
    ///
    /// Errors: as [`Ring::wait_cqe`] (`EINTR`, ...).
    pub fn reap(&mut self) -> Result<Cqe, Errno> {
        let cqe = self.ring.wait_cqe()?;
        self.ring.cqe_seen(&cqe);
        self.count(&cqe);
        Ok(cqe)
    }

    /// Waits at most `ts` (forever with `None`) for the next CQE, returns a
    /// copy and consumes it.
    ///
    /// Errors: `ETIME` when `ts` expires first; `EOPNOTSUPP` with a `ts`
    /// on kernels without IORING_FEAT_EXT_ARG (before 5.11); as
    /// [`Ring::wait_cqe_timeout`].
    pub fn reap_timeout(&mut self, ts: Option<&__kernel_timespec>) -> Result<Cqe, Errno> {
        let cqe = self.ring.wait_cqe_timeout(ts)?;
        self.ring.cqe_seen(&cqe);
        self.count(&cqe);
        Ok(cqe)
    }

    /// Requests handed out through this handle whose final CQE has not
    /// been reaped (the ones the scope's end would end).
    #[inline]
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// The ring, for what needs only `&Ring` (flags, probes,
    /// registrations).
    #[inline]
    pub fn ring(&self) -> &Ring {
        self.ring
    }

    /// `IORING_REGISTER_SYNC_CANCEL` of every request of the ring;
    /// whether the kernel did it (Kernel: 6.0+).
    fn sync_cancel_all(&self) -> bool {
        let reg = io_uring_sync_cancel_reg {
            addr: 0,
            fd: -1,
            flags: IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL,
            // No timeout (-1, -1): with ALL the kernel does not wait anyway.
            timeout: __kernel_timespec {
                tv_sec: -1,
                tv_nsec: -1,
            },
            opcode: 0,
            pad: [0; 7],
            pad2: [0; 3],
        };
        // Cancelled n requests, or none matched.
        matches!(
            self.ring.register_sync_cancel(&reg),
            Ok(_) | Err(Errno::ENOENT)
        )
    }

    /// Asks the kernel to cancel every request of the ring (step 2 of the
    /// scope's end); whether sync cancel did it (else a cancel request went in).
    fn cancel_all(&mut self) -> bool {
        let flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
        if self.sync_cancel_all() {
            return true;
        }
        // SAFETY: an ASYNC_CANCEL points to no memory; it matches
        // this ring's own requests only; its CQE is counted below.
        if let Some(sqe) = unsafe { self.get_sqe() } {
            prep::cancel64(sqe, 0, flags as i32);
            sqe.user_data = CANCEL_USER_DATA;
            // An error leaves the SQE unconsumed: forget it.
            if self.ring.submit().is_err() {
                self.forget_unconsumed();
            }
        }
        false
    }

    /// Forgets SQEs the kernel has not consumed (step 1 of the scope's end) and
    /// stops counting them.
    fn forget_unconsumed(&mut self) {
        let sqpoll = self.ring.flags() & IORING_SETUP_SQPOLL != 0;
        let n = if sqpoll {
            self.ring.sq.discard_unflushed()
        } else {
            self.ring.sq.discard_unconsumed()
        };
        self.pending = self.pending.saturating_sub(u64::from(n));
        if sqpoll && self.pending != 0 {
            // Wakes the thread for what it has not consumed yet; it takes
            // published SQEs whether or not this reports an error.
            let _ = self.ring.submit();
        }
    }

    /// Ends every request now, as the end of the scope does, handing each
    /// CQE reaped on the way to `f` (the scope's end discards them: with
    /// `finish` a caller
    /// sees the `-ECANCELED` results and can release what a CQE carries,
    /// such as an accepted fd or a selected buffer). The CQEs of the
    /// cancel request the scope may submit ([`CANCEL_USER_DATA`]) are
    /// passed too.
    pub fn finish(&mut self, mut f: impl FnMut(&Cqe)) {
        self.end(&mut f);
    }

    /// Steps 1–3 of the scope's end (see [`InFlight`]).
    fn end(&mut self, f: &mut impl FnMut(&Cqe)) {
        if self.pending == 0 {
            return;
        }
        self.forget_unconsumed();
        if self.pending == 0 {
            return;
        }
        let sync = self.cancel_all();
        // With sync cancel, waits are bounded and a wait that times out
        // cancels again: a request the kernel had not armed yet when it
        // cancelled (an SQE the SQPOLL thread had not read) is caught by
        // the next round. Without it, one cancel request was all there is.
        let round = __kernel_timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        };
        // (Sync cancel came in 6.0, timed waits (EXT_ARG) in 5.11.)
        let ts = (sync && self.ring.features() & IORING_FEAT_EXT_ARG != 0).then_some(&round);
        while self.pending != 0 {
            match self.reap_timeout(ts) {
                Ok(cqe) => f(&cqe),
                Err(Errno::ETIME) if sync => {
                    self.sync_cancel_all();
                }
                Err(Errno::EINTR | Errno::EAGAIN | Errno::EBUSY | Errno::ETIME) => {}
                // The kernel may still write memory the scope protects and
                // nothing can tell when it stops: returning would let the
                // caller free it.
                Err(_) => syscall::exit(EXIT_CANNOT_WAIT),
            }
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.end(&mut |_| {});
    }
}
