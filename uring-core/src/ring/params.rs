//! [`Params`]: the `io_uring_params` a ring is set up with.

use bare_uring_sys::{
    io_uring_params, IORING_SETUP_ATTACH_WQ, IORING_SETUP_CQSIZE, IORING_SETUP_SQPOLL,
    IORING_SETUP_SQ_AFF,
};
use core::ops::{Deref, DerefMut};

/// Setup parameters: a zero-initialised `io_uring_params` the kernel fills
/// in during setup. Derefs to [`io_uring_params`], so every field
/// (`flags`, `sq_thread_cpu`, `sq_thread_idle`, `cq_entries`, `wq_fd`,
/// and after setup `sq_entries`, `features`, `sq_off`, `cq_off`) is
/// reachable directly; the builder methods only save typing.
///
/// Every `IORING_SETUP_*` flag of the headers can be set in `flags`:
/// IOPOLL, SQPOLL, SQ_AFF, CQSIZE, CLAMP, ATTACH_WQ, R_DISABLED,
/// SUBMIT_ALL, COOP_TASKRUN, TASKRUN_FLAG, SQE128, CQE32, SINGLE_ISSUER,
/// DEFER_TASKRUN, NO_MMAP, REGISTERED_FD_ONLY, NO_SQARRAY, HYBRID_IOPOLL,
/// CQE_MIXED, SQE_MIXED, SQ_REWIND. The kernel rejects the ones it does not
/// know with `EINVAL`.
///
/// Mirrors `struct io_uring_params` as passed to
/// `io_uring_queue_init_params()` (liburing). Kernel: 5.1+.
///
/// ```
/// use bare_uring::ring::Params;
/// use bare_uring::sys::{IORING_SETUP_SQPOLL, IORING_SETUP_CQSIZE};
/// let p = Params::new().sqpoll(2000).cq_size(1024);
/// assert_eq!(p.flags, IORING_SETUP_SQPOLL | IORING_SETUP_CQSIZE);
/// assert_eq!(p.sq_thread_idle, 2000);
/// ```
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Params(pub io_uring_params);

impl Params {
    /// All-zero parameters (no flags).
    #[inline]
    pub fn new() -> Self {
        Params(io_uring_params::default())
    }

    /// Adds `IORING_SETUP_*` flags.
    #[inline]
    pub fn with_flags(mut self, flags: u32) -> Self {
        self.0.flags |= flags;
        self
    }

    /// Sets IORING_SETUP_SQPOLL with the kernel thread's idle time in
    /// milliseconds before it sleeps (0: the kernel default, 1 s).
    #[inline]
    pub fn sqpoll(mut self, idle_ms: u32) -> Self {
        self.0.flags |= IORING_SETUP_SQPOLL;
        self.0.sq_thread_idle = idle_ms;
        self
    }

    /// Pins the SQPOLL thread to `cpu` (sets IORING_SETUP_SQ_AFF).
    #[inline]
    pub fn sq_thread_cpu(mut self, cpu: u32) -> Self {
        self.0.flags |= IORING_SETUP_SQ_AFF;
        self.0.sq_thread_cpu = cpu;
        self
    }

    /// Asks for `entries` CQ entries (sets IORING_SETUP_CQSIZE); the kernel
    /// rounds up to a power of two, at least the SQ size.
    #[inline]
    pub fn cq_size(mut self, entries: u32) -> Self {
        self.0.flags |= IORING_SETUP_CQSIZE;
        self.0.cq_entries = entries;
        self
    }

    /// Shares the async worker pool of the ring `fd` (sets
    /// IORING_SETUP_ATTACH_WQ). Only stores the number: the safe setups
    /// ([`Ring::queue_init_params`](crate::Ring::queue_init_params),
    /// [`Ring::queue_init_static`](crate::Ring::queue_init_static)) refuse
    /// such parameters, and the `unsafe` ones
    /// ([`Ring::queue_init_mem`](crate::Ring::queue_init_mem),
    /// [`syscall::io_uring_setup`](crate::syscall::io_uring_setup)) carry
    /// the I/O-safety promise for the number. Safe code attaches with
    /// [`Ring::queue_init_params_wq`](crate::Ring::queue_init_params_wq).
    #[inline]
    pub fn attach_wq(mut self, fd: i32) -> Self {
        self.0.flags |= IORING_SETUP_ATTACH_WQ;
        self.0.wq_fd = fd as u32;
        self
    }
}

impl Deref for Params {
    type Target = io_uring_params;
    #[inline]
    fn deref(&self) -> &io_uring_params {
        &self.0
    }
}

impl DerefMut for Params {
    #[inline]
    fn deref_mut(&mut self) -> &mut io_uring_params {
        &mut self.0
    }
}

impl From<io_uring_params> for Params {
    #[inline]
    fn from(p: io_uring_params) -> Self {
        Params(p)
    }
}
