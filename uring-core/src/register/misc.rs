//! Small registrations: eventfd, probe, personality, restrictions, enabling
//! a disabled ring, io-wq tuning, synchronous cancel and the wait clock.

use super::count;
use crate::{Errno, Ring};
use bare_uring_sys::{
    io_uring_clock_register, io_uring_napi, io_uring_probe, io_uring_restriction,
    io_uring_sync_cancel_reg, IORING_REGISTER_CLOCK, IORING_REGISTER_ENABLE_RINGS,
    IORING_REGISTER_EVENTFD, IORING_REGISTER_EVENTFD_ASYNC, IORING_REGISTER_IOWQ_AFF,
    IORING_REGISTER_IOWQ_MAX_WORKERS, IORING_REGISTER_NAPI, IORING_REGISTER_PERSONALITY,
    IORING_REGISTER_PROBE, IORING_REGISTER_RESTRICTIONS, IORING_REGISTER_SYNC_CANCEL,
    IORING_RESTRICTION_REGISTER_OP, IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
    IORING_RESTRICTION_SQE_FLAGS_REQUIRED, IORING_RESTRICTION_SQE_OP, IORING_UNREGISTER_EVENTFD,
    IORING_UNREGISTER_IOWQ_AFF, IORING_UNREGISTER_NAPI, IORING_UNREGISTER_PERSONALITY,
};
use core::ffi::c_void;
use core::ptr;

impl Ring {
    /// Registers eventfd `fd`: the kernel signals it whenever it posts a
    /// CQE to this ring.
    ///
    /// Mirrors `io_uring_register_eventfd()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `EBUSY` an eventfd is already registered, `EBADF`/`EINVAL`
    /// `fd` is not an eventfd.
    ///
    /// # Safety
    /// I/O safety: `fd` is open and owned or borrowed by the caller for the
    /// call. The ring keeps its own reference to the eventfd, so closing
    /// `fd` later does not reach the ring. See the
    /// [safety model](crate#safety-model).
    pub unsafe fn register_eventfd(&self, fd: i32) -> Result<(), Errno> {
        // SAFETY: the kernel reads one int during the call.
        unsafe { self.register_op(IORING_REGISTER_EVENTFD, ptr::from_ref(&fd).cast(), 1) }
            .map(|_| ())
    }

    /// As [`Ring::register_eventfd`], but the eventfd is only signalled for
    /// completions that were not posted inline at submission time.
    ///
    /// Mirrors `io_uring_register_eventfd_async()` (liburing). Kernel: 5.6+.
    ///
    /// # Safety
    /// I/O safety: `fd` is open and owned or borrowed by the caller for the
    /// call. The ring keeps its own reference to the eventfd, so closing
    /// `fd` later does not reach the ring. See the
    /// [safety model](crate#safety-model).
    pub unsafe fn register_eventfd_async(&self, fd: i32) -> Result<(), Errno> {
        // SAFETY: the kernel reads one int during the call.
        unsafe { self.register_op(IORING_REGISTER_EVENTFD_ASYNC, ptr::from_ref(&fd).cast(), 1) }
            .map(|_| ())
    }

    /// Unregisters the eventfd.
    ///
    /// Mirrors `io_uring_unregister_eventfd()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: `ENXIO` none registered.
    pub fn unregister_eventfd(&self) -> Result<(), Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_UNREGISTER_EVENTFD, ptr::null(), 0) }.map(|_| ())
    }

    /// Fills `p` (header plus `nr_ops` op entries) with the opcodes this
    /// kernel supports. Most callers want the allocation-free
    /// [`Ring::get_probe_ring`] / [`crate::probe::Probe`]
    /// instead. The kernel rejects a probe that is not zeroed (`EINVAL`).
    ///
    /// Mirrors `io_uring_register_probe()` (liburing). Kernel: 5.6+.
    ///
    /// # Safety
    /// `p` must be valid for writes of an `io_uring_probe` followed by
    /// `nr_ops` `io_uring_probe_op`s (the kernel clamps `nr_ops` to its
    /// `IORING_OP_LAST`).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_probe(&self, p: *mut io_uring_probe, nr_ops: u32) -> Result<(), Errno> {
        // SAFETY: forwarded to the caller's promise.
        unsafe { self.register_op(IORING_REGISTER_PROBE, p.cast_const().cast(), nr_ops) }
            .map(|_| ())
    }

    /// Registers the calling task's credentials; returns a personality id
    /// to put in `sqe.personality` so a request runs with them later.
    ///
    /// Mirrors `io_uring_register_personality()` (liburing). Kernel: 5.6+.
    ///
    /// Errors: `ENOMEM`/`EBUSY` no id left.
    pub fn register_personality(&self) -> Result<u32, Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_REGISTER_PERSONALITY, ptr::null(), 0) }
    }

    /// Drops personality `id`.
    ///
    /// Mirrors `io_uring_unregister_personality()` (liburing). Kernel: 5.6+.
    ///
    /// Errors: `EINVAL` unknown id.
    ///
    /// # Safety
    /// No SQE the kernel has not consumed yet names personality `id`. An id
    /// is a slot like a fixed file: the kernel looks it up when it takes
    /// the SQE (with SQPOLL, when the thread reads it, long after the
    /// submit), and once dropped the id can be handed out again for other
    /// credentials ([`register_personality`](Self::register_personality) in
    /// another thread with another uid), which the request would then run
    /// with. See the [safety model](crate#safety-model).
    pub unsafe fn unregister_personality(&self, id: u32) -> Result<(), Errno> {
        // SAFETY: no argument memory (the id travels in nr_args).
        unsafe { self.register_op(IORING_UNREGISTER_PERSONALITY, ptr::null(), id) }.map(|_| ())
    }

    /// Limits which register opcodes, SQE opcodes and SQE flags this ring
    /// accepts (build entries with [`restriction_register_op`],
    /// [`restriction_sqe_op`], [`restriction_sqe_flags_allowed`],
    /// [`restriction_sqe_flags_required`]). Only on a ring created with
    /// `IORING_SETUP_R_DISABLED`, once, before [`Ring::enable_rings`]. A
    /// request that breaks them completes with `-EACCES`.
    ///
    /// Mirrors `io_uring_register_restrictions()` (liburing). Kernel: 5.10+.
    ///
    /// Errors: `EBADFD` ring not disabled, `EBUSY` already restricted,
    /// `EINVAL` a bad entry.
    pub fn register_restrictions(&self, res: &[io_uring_restriction]) -> Result<(), Errno> {
        let nr = count(res.len())?;
        // SAFETY: the kernel copies `nr` entries during the call.
        unsafe { self.register_op(IORING_REGISTER_RESTRICTIONS, res.as_ptr().cast(), nr) }
            .map(|_| ())
    }

    /// Enables a ring created with `IORING_SETUP_R_DISABLED`: until then,
    /// `io_uring_enter(2)` fails with `EBADFD`.
    ///
    /// Mirrors `io_uring_enable_rings()` (liburing). Kernel: 5.10+.
    ///
    /// Errors: `EBADFD` the ring is not disabled.
    pub fn enable_rings(&self) -> Result<(), Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_REGISTER_ENABLE_RINGS, ptr::null(), 0) }.map(|_| ())
    }

    /// Sets the CPU affinity of this ring's io-wq workers (and the SQPOLL
    /// thread). `mask` holds a `cpu_set_t` bitmap: bit `n` of byte `n / 8`
    /// is CPU `8 * (n / 8) + n % 8`, as `CPU_SET` writes it.
    ///
    /// Mirrors `io_uring_register_iowq_aff()` (liburing). Kernel: 5.14+.
    ///
    /// Errors: `EINVAL` empty mask or no online CPU in it.
    pub fn register_iowq_aff(&self, mask: &[u8]) -> Result<(), Errno> {
        let len = count(mask.len())?;
        // SAFETY: the kernel copies at most `len` bytes during the call.
        unsafe { self.register_op(IORING_REGISTER_IOWQ_AFF, mask.as_ptr().cast(), len) }.map(|_| ())
    }

    /// Restores the default io-wq affinity.
    ///
    /// Mirrors `io_uring_unregister_iowq_aff()` (liburing). Kernel: 5.14+.
    pub fn unregister_iowq_aff(&self) -> Result<(), Errno> {
        // SAFETY: no argument memory.
        unsafe { self.register_op(IORING_UNREGISTER_IOWQ_AFF, ptr::null(), 0) }.map(|_| ())
    }

    /// Sets the maximum io-wq workers: `values[0]` bounded, `values[1]`
    /// unbounded; 0 leaves a value unchanged. On return `values` holds the
    /// previous limits (so `[0, 0]` just reads them).
    ///
    /// Mirrors `io_uring_register_iowq_max_workers()` (liburing).
    /// Kernel: 5.15+.
    pub fn register_iowq_max_workers(&self, values: &mut [u32; 2]) -> Result<(), Errno> {
        // SAFETY: the kernel reads and writes two u32s during the call.
        unsafe {
            self.register_op(
                IORING_REGISTER_IOWQ_MAX_WORKERS,
                values.as_mut_ptr().cast_const().cast(),
                2,
            )
        }
        .map(|_| ())
    }

    /// Cancels matching requests synchronously: returns once they are
    /// cancelled (or the timeout in `reg` expires). Match by `addr`
    /// (user_data), `fd`, `opcode` per `reg.flags`
    /// (`IORING_ASYNC_CANCEL_*`); `timeout` of `-1`/`-1` waits forever.
    ///
    /// Mirrors `io_uring_register_sync_cancel()` (liburing). Kernel: 6.0+.
    ///
    /// Errors: `ENOENT` nothing matched, `EALREADY` found but already
    /// running, `ETIME` timeout expired, `EINVAL` bad flags.
    pub fn register_sync_cancel(&self, reg: &io_uring_sync_cancel_reg) -> Result<u32, Errno> {
        // SAFETY: the kernel copies `reg` during the call.
        unsafe {
            self.register_op(
                IORING_REGISTER_SYNC_CANCEL,
                ptr::from_ref(reg).cast::<c_void>(),
                1,
            )
        }
    }

    /// Chooses the clock for wait timeouts (`CLOCK_MONOTONIC` = 1, the
    /// default, or `CLOCK_BOOTTIME` = 7) in `arg.clockid`.
    ///
    /// Mirrors `io_uring_register_clock()` (liburing). Kernel: 6.12+.
    ///
    /// Errors: `EINVAL` another clock or non-zero reserved fields.
    pub fn register_clock(&self, arg: &io_uring_clock_register) -> Result<(), Errno> {
        // SAFETY: the kernel copies `arg` during the call.
        unsafe { self.register_op(IORING_REGISTER_CLOCK, ptr::from_ref(arg).cast(), 0) }.map(|_| ())
    }
}

impl Ring {
    /// Enables NAPI busy polling for this ring's sockets with
    /// `napi.busy_poll_to` microseconds and `napi.prefer_busy_poll`; on
    /// return `napi` holds the previous settings.
    ///
    /// Mirrors `io_uring_register_napi()` (liburing). Kernel: 6.9+.
    ///
    /// Errors: `EINVAL` IOPOLL ring, non-zero `pad[1..3]` or high half of
    /// `resv`, unknown NAPI opcode; `EOPNOTSUPP` kernel built without
    /// `CONFIG_NET_RX_BUSY_POLL`. (Kernels 6.13+ read liburing 2.15's
    /// `pad[0]` as a NAPI opcode and the low half of `resv` as its
    /// parameter: the tracking mode on return.)
    pub fn register_napi(&self, napi: &mut io_uring_napi) -> Result<(), Errno> {
        // SAFETY: the kernel reads and writes one io_uring_napi during the
        // call.
        unsafe {
            self.register_op(
                IORING_REGISTER_NAPI,
                ptr::from_mut(napi).cast_const().cast(),
                1,
            )
        }
        .map(|_| ())
    }

    /// Disables NAPI busy polling; if `napi` is given it receives the
    /// settings that were in force.
    ///
    /// Mirrors `io_uring_unregister_napi()` (liburing). Kernel: 6.9+.
    pub fn unregister_napi(&self, napi: Option<&mut io_uring_napi>) -> Result<(), Errno> {
        let p = napi.map_or(ptr::null(), |n| ptr::from_mut(n).cast_const().cast());
        // SAFETY: null, or one io_uring_napi the kernel writes during the
        // call.
        unsafe { self.register_op(IORING_UNREGISTER_NAPI, p, 1) }.map(|_| ())
    }
}

fn restriction(opcode: u32, arg: u8) -> io_uring_restriction {
    // All three union members are the same byte.
    io_uring_restriction::new(opcode as u16, arg)
}

/// A restriction allowing register opcode `op` (`IORING_REGISTER_*`).
/// For [`Ring::register_restrictions`]. Kernel: 5.10+.
pub fn restriction_register_op(op: u32) -> io_uring_restriction {
    restriction(IORING_RESTRICTION_REGISTER_OP, op as u8)
}

/// A restriction allowing SQE opcode `op` (`IORING_OP_*`).
/// For [`Ring::register_restrictions`]. Kernel: 5.10+.
pub fn restriction_sqe_op(op: u32) -> io_uring_restriction {
    restriction(IORING_RESTRICTION_SQE_OP, op as u8)
}

/// A restriction allowing SQE flags `flags` (`IOSQE_*`) to be set.
/// For [`Ring::register_restrictions`]. Kernel: 5.10+.
pub fn restriction_sqe_flags_allowed(flags: u8) -> io_uring_restriction {
    restriction(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, flags)
}

/// A restriction requiring SQE flags `flags` (`IOSQE_*`) on every SQE.
/// For [`Ring::register_restrictions`]. Kernel: 5.10+.
pub fn restriction_sqe_flags_required(flags: u8) -> io_uring_restriction {
    restriction(IORING_RESTRICTION_SQE_FLAGS_REQUIRED, flags)
}
