//! Small helpers shared by the tour's sections: scenario outcomes, bounded
//! waits, SQE access.

use std::fmt::Display;
use std::time::Duration;

use bare_uring::cq::Cqe;
use bare_uring::sys::{
    __kernel_timespec, io_uring_sqe, io_uring_sync_cancel_reg, IORING_ASYNC_CANCEL_ALL,
    IORING_ASYNC_CANCEL_ANY, IORING_FEAT_EXT_ARG,
};
use bare_uring::{Errno, Ring};

/// Why a scenario did not print "ok".
#[derive(Debug)]
pub enum Fail {
    /// The kernel lacks what the scenario needs (its answer when asked).
    Unsupported(Errno),
    /// Something went wrong: the reason.
    Failed(String),
}

/// A scenario's result: the detail printed after "ok", or why not.
pub type Outcome = Result<String, Fail>;

/// Adds context to an error: `queue_init(8): EINVAL: Invalid argument`.
pub trait Ctx<T> {
    /// Turns the error into [`Fail::Failed`] naming `what` failed.
    fn ctx(self, what: &str) -> Result<T, Fail>;
}

impl<T, E: Display> Ctx<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, Fail> {
        self.map_err(|e| Fail::Failed(format!("{what}: {e}")))
    }
}

/// Returns `Fail::Failed` with a formatted reason unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::util::Fail::Failed(format!($($fmt)+)));
        }
    };
}
pub(crate) use ensure;

/// Upper bound for every wait in the tour: nothing hangs.
pub const WAIT: Duration = Duration::from_secs(3);

/// A `__kernel_timespec` of `d`.
pub fn timespec(d: Duration) -> __kernel_timespec {
    __kernel_timespec {
        tv_sec: d.as_secs() as i64,
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// Submits what is queued and waits (at most [`WAIT`], on kernels with
/// IORING_FEAT_EXT_ARG, 5.11+) for the next CQE, which it marks seen.
pub fn next_cqe(ring: &mut Ring, what: &str) -> Result<Cqe, Fail> {
    let ts = timespec(WAIT);
    let ts = (ring.features() & IORING_FEAT_EXT_ARG != 0).then_some(&ts);
    let cqe = match ring.submit_and_wait_timeout(1, ts, None) {
        Ok(cqe) => cqe,
        Err(e) => {
            // Requests may still be in flight, pointing to memory the
            // caller frees when it returns the failure: end them first.
            quiesce(ring, what);
            return Err(match e {
                Errno::ETIME => Fail::Failed(format!("{what}: no completion within {WAIT:?}")),
                e => Fail::Failed(format!("{what}: {e}")),
            });
        }
    };
    ring.cqe_seen(&cqe);
    Ok(cqe)
}

/// Cancels every request in flight on `ring` and returns once none is left
/// running (IORING_REGISTER_SYNC_CANCEL, Linux 6.0+), so that a scenario
/// that fails never frees memory the kernel may still write. If the kernel
/// cannot do that, the process ends here rather than risk it.
fn quiesce(ring: &Ring, what: &str) {
    let reg = io_uring_sync_cancel_reg {
        addr: 0,
        fd: -1,
        flags: IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY,
        // -1/-1: wait for as long as it takes.
        timeout: __kernel_timespec {
            tv_sec: -1,
            tv_nsec: -1,
        },
        opcode: 0,
        pad: [0; 7],
        pad2: [0; 3],
    };
    match ring.register_sync_cancel(&reg) {
        Ok(_) | Err(Errno::ENOENT) => {}
        Err(e) => {
            eprintln!("{what}: cannot cancel the requests in flight ({e}); stopping");
            std::process::abort();
        }
    }
}

/// The next free SQE (a failure naming `what` if the SQ is full).
///
/// # Safety
/// As [`Ring::get_sqe`]: the request written into the slot points only to
/// memory that stays valid, and is not otherwise accessed where the kernel
/// writes, until its final CQE. ([`next_cqe`] never returns while a
/// request is in flight: on a timeout it cancels them first.)
pub unsafe fn sqe<'a>(ring: &'a mut Ring, what: &str) -> Result<&'a mut io_uring_sqe, Fail> {
    // SAFETY: forwarded to the caller (this fn's contract is get_sqe's).
    unsafe { ring.get_sqe() }.ok_or_else(|| Fail::Failed(format!("{what}: submission queue full")))
}

/// `cqe.res` as a result, with context on error.
pub fn res(cqe: &Cqe, what: &str) -> Result<u32, Fail> {
    cqe.result().ctx(what)
}
