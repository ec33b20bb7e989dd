//! [`Submitter`]: entering and registering on a split ring.

use crate::enter::EnterCtx;
use crate::queue::SqPtrs;
use crate::Errno;
use bare_uring_sys::{
    IORING_ENTER_GETEVENTS, IORING_ENTER_REGISTERED_RING, IORING_ENTER_SQ_WAIT, IORING_SETUP_SQPOLL,
};
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};

/// The submitter of a [`Ring::split`](crate::Ring::split):
/// `io_uring_enter(2)` and `io_uring_register(2)` on the ring, while the
/// two queues are in use.
///
/// Not `Send` (as the ring).
#[derive(Debug)]
pub struct Submitter<'a> {
    sq: SqPtrs,
    ctx: EnterCtx,
    _ring: PhantomData<&'a ()>,
}

impl Submitter<'_> {
    #[inline]
    pub(crate) fn new(sq: SqPtrs, ctx: EnterCtx) -> Self {
        Submitter {
            sq,
            ctx,
            _ring: PhantomData,
        }
    }

    /// SQEs published (by [`SubmissionQueue::flush`](super::SubmissionQueue::flush)
    /// or a submit) that the kernel has not consumed yet.
    #[inline]
    fn published(&self) -> u32 {
        // SAFETY: the ring's mapped indices, valid while the ring (borrowed
        // by this value) lives; u32-aligned.
        // Acquire on head: as SqRing::head. Relaxed on tail: only the
        // submission side writes it, in this thread.
        let (head, tail) = unsafe {
            (
                AtomicU32::from_ptr(self.sq.khead).load(Ordering::Acquire),
                AtomicU32::from_ptr(self.sq.ktail).load(Ordering::Relaxed),
            )
        };
        if self.sq.rewind {
            // The kernel ignores the indices: nothing is known to be pending.
            return 0;
        }
        tail.wrapping_sub(head).min(self.sq.entries)
    }

    /// Submits the SQEs already published with
    /// [`SubmissionQueue::flush`](super::SubmissionQueue::flush) and waits
    /// for `wait_nr` completions (0: no wait). Returns how many SQEs the
    /// kernel took. SQEs handed out but not flushed are not submitted: use
    /// [`SubmissionQueue::submit`](super::SubmissionQueue::submit) for
    /// liburing's `io_uring_submit`.
    ///
    /// Mirrors `io_uring_submit_and_wait()` (liburing) without the flush.
    /// Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    pub fn submit_and_wait(&self, wait_nr: u32) -> Result<u32, Errno> {
        let submit = self.published();
        let cq_needs_enter = wait_nr != 0 || self.ctx.cq_ring_needs_enter();
        let mut flags = 0;
        if self.ctx.sq_ring_needs_enter(submit, &mut flags) || cq_needs_enter {
            if cq_needs_enter {
                flags |= IORING_ENTER_GETEVENTS;
            }
            // SAFETY: no argument; the SQEs up to the published tail were
            // written through get_sqe.
            unsafe { self.ctx.enter(submit, wait_nr, flags, ptr::null(), 8) }
        } else {
            Ok(submit)
        }
    }

    /// As [`submit_and_wait`](Self::submit_and_wait) without waiting.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    #[inline]
    pub fn submit(&self) -> Result<u32, Errno> {
        self.submit_and_wait(0)
    }

    /// Enters only to run task work and flush overflowed completions.
    ///
    /// Mirrors `io_uring_get_events()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    #[inline]
    pub fn get_events(&self) -> Result<u32, Errno> {
        // SAFETY: no argument.
        unsafe { self.ctx.enter(0, 0, IORING_ENTER_GETEVENTS, ptr::null(), 8) }
    }

    /// With SQPOLL and a full SQ (as published), waits until the kernel
    /// thread consumed some SQEs; otherwise returns 0 at once.
    ///
    /// Mirrors `io_uring_sqring_wait()` (liburing). Kernel: 5.10+.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    pub fn sqring_wait(&self) -> Result<u32, Errno> {
        if self.ctx.setup_flags & IORING_SETUP_SQPOLL == 0 || self.published() < self.sq.entries {
            return Ok(0);
        }
        // SAFETY: no argument.
        unsafe { self.ctx.enter(0, 0, IORING_ENTER_SQ_WAIT, ptr::null(), 8) }
    }

    /// `io_uring_enter(2)` on the ring (with IORING_ENTER_REGISTERED_RING
    /// and the index when its fd is registered).
    ///
    /// Mirrors `io_uring_enter2()` (liburing) bound to a ring. Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`](crate::Ring::enter).
    ///
    /// # Safety
    /// As [`Ring::enter`](crate::Ring::enter); see the
    /// [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's contract; the caller's own
        // IORING_ENTER_REGISTERED_RING is dropped, as in Ring::enter.
        unsafe {
            self.ctx.enter(
                to_submit,
                min_complete,
                flags & !IORING_ENTER_REGISTERED_RING,
                arg,
                argsz,
            )
        }
    }

    /// `io_uring_register(2)` on the ring.
    ///
    /// Mirrors liburing's internal `do_register()`. Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::register_raw`](crate::Ring::register_raw).
    ///
    /// # Safety
    /// As [`Ring::register_raw`](crate::Ring::register_raw); see the
    /// [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn register_raw(
        &self,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> Result<u32, Errno> {
        let op = crate::ring::checked_raw_opcode(opcode)?;
        // SAFETY: forwarded to the caller's contract; the opcodes that
        // would change the Ring's own state are refused above.
        unsafe { self.ctx.register(op, arg, nr_args) }
    }

    /// The `IORING_SETUP_*` flags of the ring.
    #[inline]
    pub fn flags(&self) -> u32 {
        self.ctx.setup_flags
    }

    /// The `IORING_FEAT_*` bits of the ring.
    #[inline]
    pub fn features(&self) -> u32 {
        self.ctx.features
    }
}
