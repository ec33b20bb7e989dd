//! [`SubmissionQueue`]: the submission side of a split ring.

use crate::enter::EnterCtx;
use crate::queue::SqRing;
use crate::sq::{init_sqe, submit_sq, SqeBatch};
use crate::Errno;
use bare_uring_sys::{io_uring_sqe, IORING_ENTER_SQ_WAIT, IORING_SETUP_SQPOLL};
use core::ptr;

/// The submission side of a [`Ring::split`](crate::Ring::split): hands out
/// SQEs and submits them. The ring lends it its SQ state (indices and
/// geometry) for as long as it lives, and it keeps that state in itself,
/// with its own copy of what entering the kernel needs: a loop of
/// [`get_sqe`](Self::get_sqe) calls on a `&mut SubmissionQueue` keeps the
/// indices in registers and touches no field of the ring. Dropping it gives
/// the state back to the ring. (Leaking it leaves the ring's SQ closed:
/// [`Ring::get_sqe`](crate::Ring::get_sqe) then returns `None`, never a
/// slot the leaked value may have published.)
///
/// Not `Send` (as the ring).
#[derive(Debug)]
pub struct SubmissionQueue<'a> {
    /// The ring's SQ state, lent (see `SqRing::lend`).
    sq: SqRing,
    /// Where it goes back on drop.
    home: &'a mut SqRing,
    ctx: EnterCtx,
}

impl Drop for SubmissionQueue<'_> {
    #[inline]
    fn drop(&mut self) {
        self.home.give_back(&self.sq);
    }
}

impl<'a> SubmissionQueue<'a> {
    #[inline]
    pub(crate) fn new(home: &'a mut SqRing, ctx: EnterCtx) -> Self {
        SubmissionQueue {
            sq: home.lend(),
            home,
            ctx,
        }
    }

    /// The next free SQE, initialised as liburing does (see
    /// [`Ring::get_sqe`](crate::Ring::get_sqe)), or `None` when the SQ is
    /// full (submit, or with SQPOLL [`sqring_wait`](Self::sqring_wait)).
    ///
    /// Mirrors `io_uring_get_sqe()` (liburing). Kernel: 5.1+.
    ///
    /// # Safety
    /// As [`Ring::get_sqe`](crate::Ring::get_sqe): whatever the slot holds
    /// when it is next submitted must be a request the kernel can carry out
    /// soundly (see the [safety model](crate#safety-model)).
    #[inline]
    pub unsafe fn get_sqe(&mut self) -> Option<&mut io_uring_sqe> {
        let p = self.sq.next_sqe()?;
        // SAFETY: `next_sqe` reserved this unpublished slot; the borrow of
        // self (which borrows the ring's queue) keeps it exclusive until the
        // next call.
        Some(unsafe { init_sqe(p) })
    }

    /// A batch handle for getting many SQEs in a row: the queue's state
    /// lives in the handle (in registers, once inlined) while it exists,
    /// wherever this value lives (a loop of [`get_sqe`](Self::get_sqe)
    /// calls gets the same when the compiler can tell the SQEs apart from
    /// this value: a local or a `&mut SubmissionQueue` argument). Submit
    /// after dropping it.
    ///
    /// No liburing equivalent (see [`Ring::sq_batch`](crate::Ring::sq_batch)).
    #[inline]
    pub fn sq_batch(&mut self) -> SqeBatch<'_> {
        SqeBatch::new(&mut self.sq)
    }

    /// Publishes the SQEs handed out so far (stores the tail) without
    /// entering the kernel; returns how many the kernel has not consumed
    /// yet. With SQPOLL the kernel thread may pick them up at once; without,
    /// [`Submitter::submit`](crate::split::Submitter::submit) submits them.
    ///
    /// Mirrors liburing's internal `__io_uring_flush_sq()`.
    #[inline]
    pub fn flush(&mut self) -> u32 {
        self.sq.flush()
    }

    #[inline]
    fn submit_inner(&mut self, wait_nr: u32, getevents: bool) -> Result<u32, Errno> {
        submit_sq(&mut self.sq, &self.ctx, wait_nr, getevents)
    }

    /// Submits the SQEs handed out since the last submit.
    ///
    /// Mirrors `io_uring_submit()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::submit`](crate::Ring::submit).
    #[inline]
    pub fn submit(&mut self) -> Result<u32, Errno> {
        self.submit_inner(0, false)
    }

    /// Submits and waits until at least `wait_nr` completions are ready.
    ///
    /// Mirrors `io_uring_submit_and_wait()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::submit_and_wait`](crate::Ring::submit_and_wait).
    #[inline]
    pub fn submit_and_wait(&mut self, wait_nr: u32) -> Result<u32, Errno> {
        self.submit_inner(wait_nr, false)
    }

    /// Submits and always enters to flush completions without waiting.
    ///
    /// Mirrors `io_uring_submit_and_get_events()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`submit`](Self::submit).
    #[inline]
    pub fn submit_and_get_events(&mut self) -> Result<u32, Errno> {
        self.submit_inner(0, true)
    }

    /// SQEs handed out and not yet consumed by the kernel.
    ///
    /// Mirrors `io_uring_sq_ready()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn sq_ready(&self) -> u32 {
        self.sq.ready()
    }

    /// Free SQ slots.
    ///
    /// Mirrors `io_uring_sq_space_left()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn sq_space_left(&self) -> u32 {
        self.sq.space_left()
    }

    /// Number of SQ slots.
    #[inline]
    pub fn sq_entries(&self) -> u32 {
        self.sq.entries()
    }

    /// SQEs the kernel dropped as invalid (`*sq.kdropped`).
    #[inline]
    pub fn sq_dropped(&self) -> u32 {
        self.sq.dropped()
    }

    /// The kernel's `IORING_SQ_*` flags word.
    #[inline]
    pub fn sq_flags(&self) -> u32 {
        self.sq.flags()
    }

    /// With SQPOLL and a full SQ, waits until the kernel thread consumed
    /// some SQEs; otherwise returns 0 at once.
    ///
    /// Mirrors `io_uring_sqring_wait()` (liburing). Kernel: 5.10+.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    pub fn sqring_wait(&mut self) -> Result<u32, Errno> {
        if self.ctx.setup_flags & IORING_SETUP_SQPOLL == 0 || self.sq_space_left() != 0 {
            return Ok(0);
        }
        // SAFETY: no argument.
        unsafe { self.ctx.enter(0, 0, IORING_ENTER_SQ_WAIT, ptr::null(), 8) }
    }
}
