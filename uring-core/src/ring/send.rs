//! [`SendRing`]: moving a ring to another thread.

use super::Ring;
use crate::Errno;

/// A [`Ring`] on its way to another thread. [`Ring`] is not `Send`,
/// because a registered ring fd (`register_ring_fd`,
/// IORING_SETUP_REGISTERED_FD_ONLY) is an index into the *registering
/// thread's* table: used from another thread it would reach whatever ring
/// that thread registered at the same index. [`Ring::into_send`] checks
/// that the ring has no registered fd; [`into_ring`](Self::into_ring) on the
/// other side gives the ring back. Nothing else can be done with it.
///
/// No liburing equivalent.
///
/// ```
/// use bare_uring::Ring;
/// let ring = Ring::queue_init(4, 0)?.into_send().map_err(|(_, e)| e)?;
/// std::thread::spawn(move || {
///     let mut ring = ring.into_ring();
///     ring.submit().unwrap();
/// })
/// .join()
/// .unwrap();
/// # Ok::<(), bare_uring::Errno>(())
/// ```
#[derive(Debug)]
pub struct SendRing(Ring);

// SAFETY: a SendRing holds a Ring with no registered fd (checked by
// into_send), so nothing in it is tied to a thread: its fd and mappings are
// process-wide, and the kernel itself refuses other submitters of a
// SINGLE_ISSUER ring (EEXIST) rather than misbehaving.
unsafe impl Send for SendRing {}

impl SendRing {
    /// The ring, on this thread.
    #[inline]
    pub fn into_ring(self) -> Ring {
        self.0
    }
}

impl Ring {
    /// Wraps the ring for a move to another thread (see [`SendRing`]).
    ///
    /// Errors: `EBUSY` (with the ring back) while the ring fd is registered
    /// (unregister it first) or the ring was set up with
    /// IORING_SETUP_REGISTERED_FD_ONLY (it can never leave its thread).
    // The error hands the ring back (as `Vec::try_reserve`-style APIs
    // cannot): large, but never on a hot path and never boxed (no alloc).
    #[allow(clippy::result_large_err)]
    pub fn into_send(self) -> Result<SendRing, (Ring, Errno)> {
        if self.registered_index().is_some() {
            return Err((self, Errno::EBUSY));
        }
        Ok(SendRing(self))
    }
}
