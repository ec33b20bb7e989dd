//! How much locked memory (`RLIMIT_MEMLOCK`) a ring needs.

use super::{memory_size_params, Params, Ring};
use crate::Errno;
use bare_uring_sys::IORING_FEAT_NATIVE_WORKERS;

/// Bytes of `RLIMIT_MEMLOCK` a ring of `entries` with setup `flags`
/// needs: 0 on kernels that charge ring memory to the memory cgroup
/// instead (5.12+, IORING_FEAT_NATIVE_WORKERS), else
/// [`memory_size_params`] (pages of SQEs and rings).
///
/// Mirrors `io_uring_mlock_size()` (liburing). Kernel: any (the figure
/// matters before 5.12). Like liburing, it sets up (and drops) a small
/// ring to learn the kernel's features; if that fails (e.g. no memlock
/// left on an old kernel) it assumes an old kernel.
///
/// Errors: `EINVAL` for entries no ring can have (as
/// [`memory_size_params`]).
pub fn mlock_size(entries: u32, flags: u32) -> Result<usize, Errno> {
    mlock_size_params(entries, &Params::new().with_flags(flags))
}

/// As [`mlock_size`], with full parameters (CQSIZE, CLAMP, ...).
///
/// Mirrors `io_uring_mlock_size_params()` (liburing). Kernel: any.
///
/// Errors: as [`mlock_size`].
pub fn mlock_size_params(entries: u32, p: &Params) -> Result<usize, Errno> {
    // As liburing: probe with default parameters, not `p`.
    let mut probe = Params::new();
    let features = Ring::queue_init_params(entries, &mut probe).map_or(0, |r| r.features());
    if features & IORING_FEAT_NATIVE_WORKERS != 0 {
        return Ok(0);
    }
    memory_size_params(entries, p)
}
