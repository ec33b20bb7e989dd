//! What entering the kernel needs, copied out of a [`crate::Ring`]: the fd
//! (or registered index) and flags of `io_uring_enter`/`io_uring_register`,
//! the setup flags, and the SQ flags word the kernel publishes.
//!
//! [`crate::Ring`] builds one per call ([`crate::Ring::enter_ctx`]), the
//! split handles of [`crate::split`] keep one each: none of them changes
//! while a split borrows the ring. The "enter only when needed" decisions
//! (liburing's `sq_ring_needs_enter` / `cq_ring_needs_enter`) live here, so
//! the one-object API and the split handles make them the same way.

use crate::syscall;
use crate::Errno;
use bare_uring_sys::{
    IORING_ENTER_SQ_WAKEUP, IORING_SETUP_IOPOLL, IORING_SETUP_SQPOLL, IORING_SQ_CQ_OVERFLOW,
    IORING_SQ_NEED_WAKEUP, IORING_SQ_TASKRUN,
};
use core::ffi::c_void;
use core::sync::atomic::{fence, AtomicU32, Ordering};

/// Everything `io_uring_enter`/`io_uring_register` and the enter decisions
/// need (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct EnterCtx {
    /// What enter is called with: the fd or the registered index.
    pub(crate) enter_fd: u32,
    /// ORed into every enter (IORING_ENTER_REGISTERED_RING, NO_IOWAIT).
    pub(crate) enter_flags: u32,
    /// What register is called with: the fd or the registered index.
    pub(crate) reg_fd: i32,
    /// ORed into every register opcode (USE_REGISTERED_RING).
    pub(crate) reg_flags: u32,
    /// The `IORING_SETUP_*` flags.
    pub(crate) setup_flags: u32,
    /// The `IORING_FEAT_*` bits.
    pub(crate) features: u32,
    /// The SQ ring's flags word (`sq_off.flags`), written by the kernel.
    pub(crate) sq_kflags: *mut u32,
}

impl EnterCtx {
    /// `io_uring_enter(2)` with this ring's fd and flags added.
    ///
    /// # Safety
    /// As [`crate::Ring::enter`].
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub(crate) unsafe fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's contract; enter_fd and
        // enter_flags are the ring's.
        unsafe {
            enter_with(
                self.enter_fd,
                self.enter_flags,
                to_submit,
                min_complete,
                flags,
                arg,
                argsz,
            )
        }
    }

    /// `io_uring_register(2)` on this ring.
    ///
    /// # Safety
    /// As [`crate::Ring::register_raw`].
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub(crate) unsafe fn register(
        &self,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> Result<u32, Errno> {
        // SAFETY: forwarded to the caller's contract.
        unsafe { syscall::io_uring_register(self.reg_fd, opcode | self.reg_flags, arg, nr_args) }
    }

    /// The kernel's `IORING_SQ_*` flags word.
    #[inline]
    pub(crate) fn sq_flags(&self) -> u32 {
        sq_flags(self.sq_kflags)
    }

    /// CQ overflow backlog or pending task work (IORING_SQ_CQ_OVERFLOW,
    /// IORING_SQ_TASKRUN).
    #[inline]
    pub(crate) fn cq_ring_needs_flush(&self) -> bool {
        cq_needs_flush(self.sq_kflags)
    }

    /// Whether the kernel asks us to enter to flush completions, or IOPOLL
    /// needs reaping by us (IOPOLL without SQPOLL: with SQPOLL the kernel
    /// thread reaps, as liburing's INT_FLAG_CQ_ENTER).
    #[inline]
    pub(crate) fn cq_ring_needs_enter(&self) -> bool {
        self.setup_flags & (IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL) == IORING_SETUP_IOPOLL
            || self.cq_ring_needs_flush()
    }

    /// Whether submitting `submit` SQEs needs a syscall; adds
    /// IORING_ENTER_SQ_WAKEUP to `flags` when the SQPOLL thread sleeps.
    #[inline]
    pub(crate) fn sq_ring_needs_enter(&self, submit: u32, flags: &mut u32) -> bool {
        if submit == 0 {
            return false;
        }
        if self.setup_flags & IORING_SETUP_SQPOLL == 0 {
            return true;
        }
        // SeqCst fence: our tail store must be visible to the SQPOLL thread
        // before we read its NEED_WAKEUP flag (pairs with the kernel's
        // smp_mb between setting the flag and re-checking the tail).
        fence(Ordering::SeqCst);
        if self.sq_flags() & IORING_SQ_NEED_WAKEUP != 0 {
            *flags |= IORING_ENTER_SQ_WAKEUP;
            return true;
        }
        false
    }
}

/// [`EnterCtx::enter`] from the two fields it uses, for an out-of-line path
/// that takes no `&EnterCtx`: `io_uring_enter(2)` on `enter_fd` with
/// `enter_flags` ORed into `flags`.
///
/// # Safety
/// As [`crate::Ring::enter`]; `enter_fd` and `enter_flags` are a ring's
/// (its [`EnterCtx`]'s).
/// See the [safety model](crate#safety-model).
#[inline(always)]
pub(crate) unsafe fn enter_with(
    enter_fd: u32,
    enter_flags: u32,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    arg: *const c_void,
    argsz: usize,
) -> Result<u32, Errno> {
    // SAFETY: forwarded to the caller's contract.
    unsafe {
        syscall::io_uring_enter(
            enter_fd,
            to_submit,
            min_complete,
            flags | enter_flags,
            arg,
            argsz,
        )
    }
}

/// The `IORING_SQ_*` flags word at `sq_kflags`, an [`EnterCtx`]'s.
#[inline(always)]
fn sq_flags(sq_kflags: *mut u32) -> u32 {
    // SAFETY: the ring's mapped flags word (`EnterCtx::sq_kflags`), valid
    // while the ring (which the holder of that value borrows) lives;
    // u32-aligned.
    // Relaxed: a hint word (READ_ONCE in liburing); callers that need
    // ordering against their tail store issue a fence first.
    unsafe { AtomicU32::from_ptr(sq_kflags) }.load(Ordering::Relaxed)
}

/// [`EnterCtx::cq_ring_needs_flush`] from the ctx's `sq_kflags` alone (for
/// an out-of-line path that takes no `&EnterCtx`).
#[inline(always)]
pub(crate) fn cq_needs_flush(sq_kflags: *mut u32) -> bool {
    sq_flags(sq_kflags) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN) != 0
}
