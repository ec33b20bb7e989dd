//! Small helpers shared by the tour's sections: scenario outcomes, bounded
//! waits, SQE access.

use std::fmt::Display;
use std::time::Duration;

use bare_uring::cq::Cqe;
use bare_uring::inflight::InFlight;
use bare_uring::sys::{__kernel_timespec, io_uring_sqe, IORING_FEAT_EXT_ARG};
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
///
/// On a timeout it returns with the requests still in flight: use it for
/// requests that lend the kernel no memory the caller frees (NOPs,
/// messages, sends from a leaked buffer ring), and for message targets.
/// Requests that lend memory go through an [`InFlight`] scope
/// ([`Ring::in_flight`] with [`io_sqe`], [`io_next_cqe`]), which ends them
/// on every way out.
pub fn next_cqe(ring: &mut Ring, what: &str) -> Result<Cqe, Fail> {
    let ts = timespec(WAIT);
    let ts = (ring.features() & IORING_FEAT_EXT_ARG != 0).then_some(&ts);
    let cqe = ring
        .submit_and_wait_timeout(1, ts, None)
        .map_err(|e| waited(e, what))?;
    ring.cqe_seen(&cqe);
    Ok(cqe)
}

/// The failure of a wait for `what`.
fn waited(e: Errno, what: &str) -> Fail {
    match e {
        Errno::ETIME => Fail::Failed(format!("{what}: no completion within {WAIT:?}")),
        e => Fail::Failed(format!("{what}: {e}")),
    }
}

/// As [`next_cqe`] through an [`InFlight`] scope: submits what the scope
/// queued and reaps its next CQE (at most [`WAIT`] on 5.11+). A failure
/// returns with the request in flight, and the end of the scope ends it.
pub fn io_next_cqe(io: &mut InFlight<'_>, what: &str) -> Result<Cqe, Fail> {
    let ts = timespec(WAIT);
    let ts = (io.ring().features() & IORING_FEAT_EXT_ARG != 0).then_some(&ts);
    io.submit().map_err(|e| waited(e, what))?;
    io.reap_timeout(ts).map_err(|e| waited(e, what))
}

/// The next free SQE (a failure naming `what` if the SQ is full).
///
/// # Safety
/// As [`Ring::get_sqe`]: the request written into the slot points only to
/// memory that stays valid, and is not otherwise accessed where the kernel
/// writes, until its final CQE. [`next_cqe`] returns on a timeout with the
/// request still in flight: memory a request lends must outlive the ring
/// (or take the SQE from an [`InFlight`] scope with [`io_sqe`]).
pub unsafe fn sqe<'a>(ring: &'a mut Ring, what: &str) -> Result<&'a mut io_uring_sqe, Fail> {
    // SAFETY: forwarded to the caller (this fn's contract is get_sqe's).
    unsafe { ring.get_sqe() }.ok_or_else(|| Fail::Failed(format!("{what}: submission queue full")))
}

/// The next free SQE of an [`InFlight`] scope (a failure naming `what` if
/// the SQ is full): memory declared outside the scope may be lent to the
/// request.
///
/// # Safety
/// As [`InFlight::get_sqe`].
pub unsafe fn io_sqe<'a>(
    io: &'a mut InFlight<'_>,
    what: &str,
) -> Result<&'a mut io_uring_sqe, Fail> {
    // SAFETY: forwarded to the caller (this fn's contract is the scope's).
    unsafe { io.get_sqe() }.ok_or_else(|| Fail::Failed(format!("{what}: submission queue full")))
}

/// `cqe.res` as a result, with context on error.
pub fn res(cqe: &Cqe, what: &str) -> Result<u32, Fail> {
    cqe.result().ctx(what)
}
