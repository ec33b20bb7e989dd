//! Classic-BPF filters on requests (`IORING_REGISTER_BPF_FILTER`): per
//! ring ([`Ring::register_bpf_filter`]) or for the calling task and its
//! future children ([`register_bpf_filter_task`]).

use crate::syscall::io_uring_register;
use crate::{Errno, Ring};
use bare_uring_sys::{io_uring_bpf, IORING_REGISTER_BPF_FILTER};
use core::ptr;

impl Ring {
    /// Attaches a classic-BPF filter to one opcode of this ring: `bpf`
    /// is an `io_uring_bpf` with `cmd_type` IO_URING_BPF_CMD_FILTER and its
    /// `filter()` naming the `opcode`, the program (`filter_ptr`,
    /// `filter_len` `sock_filter` instructions, run on an
    /// `io_uring_bpf_ctx`) and `flags` (IO_URING_BPF_FILTER_DENY_REST: deny
    /// every opcode with no filter yet; IO_URING_BPF_FILTER_SZ_STRICT). A
    /// request the program returns 0 for completes with `EACCES`. Filters
    /// stack and cannot be removed. On `EMSGSIZE` the kernel writes its
    /// `pdu_size` for the opcode into `bpf`.
    ///
    /// Mirrors `io_uring_register_bpf_filter()` (liburing). Kernel: 7.0+.
    ///
    /// Errors: `EINVAL` (kernels before 7.0: unknown opcode; bad
    /// `cmd_type`, flags, opcode or reserved fields; a program the kernel
    /// refuses), `EMSGSIZE` (`pdu_size` mismatch), `EFAULT`, `ENOMEM`.
    ///
    /// # Safety
    /// `filter_ptr` points to `filter_len` readable `sock_filter`s during
    /// the call (the kernel copies the program).
    /// See the [safety model](crate#safety-model).
    pub unsafe fn register_bpf_filter(&self, bpf: &mut io_uring_bpf) -> Result<(), Errno> {
        // SAFETY: the kernel reads `bpf` and the program during the call
        // (caller's promise) and may write `bpf` back.
        unsafe { self.register_op(IORING_REGISTER_BPF_FILTER, ptr::from_mut(bpf).cast(), 1) }
            .map(|_| ())
    }
}

/// As [`Ring::register_bpf_filter`], for every ring the calling task (and
/// the tasks it creates after) sets up from now on, with no ring (fd -1).
/// Irrevocable for the task; without `CAP_SYS_ADMIN` the task must have
/// set `PR_SET_NO_NEW_PRIVS`.
///
/// Mirrors `io_uring_register_bpf_filter_task()` (liburing). Kernel: 7.0+.
///
/// Errors: `EACCES` (neither `CAP_SYS_ADMIN` nor NO_NEW_PRIVS); as
/// [`Ring::register_bpf_filter`].
///
/// # Safety
/// As [`Ring::register_bpf_filter`].
/// See the [safety model](crate#safety-model).
pub unsafe fn register_bpf_filter_task(bpf: &mut io_uring_bpf) -> Result<(), Errno> {
    // SAFETY: as in Ring::register_bpf_filter.
    unsafe { io_uring_register(-1, IORING_REGISTER_BPF_FILTER, ptr::from_mut(bpf).cast(), 1) }
        .map(|_| ())
}
