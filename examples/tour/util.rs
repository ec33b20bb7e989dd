//! Small helpers shared by the tour's sections: scenario outcomes, bounded
//! waits, SQE access.

use std::fmt::Display;
use std::time::Duration;

use uring_core::cq::Cqe;
use uring_core::sys::{__kernel_timespec, io_uring_sqe, IORING_FEAT_EXT_ARG};
use uring_core::{Errno, Ring};

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
    let cqe = ring
        .submit_and_wait_timeout(1, ts, None)
        .map_err(|e| match e {
            Errno::ETIME => Fail::Failed(format!("{what}: no completion within {WAIT:?}")),
            e => Fail::Failed(format!("{what}: {e}")),
        })?;
    ring.cqe_seen(&cqe);
    Ok(cqe)
}

/// The next free SQE (`EBUSY` as a failure if the SQ is full).
pub fn sqe<'a>(ring: &'a mut Ring, what: &str) -> Result<&'a mut io_uring_sqe, Fail> {
    // SAFETY: discharged by the callers: each fills the slot with a request whose memory
    // lives until its CQE is reaped (a safe fn: a caller could break this without `unsafe`).
    unsafe { ring.get_sqe() }.ok_or_else(|| Fail::Failed(format!("{what}: submission queue full")))
}

/// `cqe.res` as a result, with context on error.
pub fn res(cqe: &Cqe, what: &str) -> Result<u32, Fail> {
    cqe.result().ctx(what)
}
