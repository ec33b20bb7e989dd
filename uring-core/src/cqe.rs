//! The CQE values a CQ hands out: [`Cqe`] (16 bytes) and [`Cqe32`]
//! (32), and [`ReadCqe`], the choice between them. Plain values, below
//! the code that reads them ([`crate::cq`], and the waits it shares with
//! the split [`CompletionQueue`](crate::split::CompletionQueue)).

use crate::queue::RawCqe;
use crate::Errno;
use bare_uring_sys::io_uring_cqe;
use core::ops::Deref;

/// A completion copied out of the CQ: the kernel's 16-byte
/// [`io_uring_cqe`], no larger. Derefs to it, so `cqe.user_data`,
/// `cqe.res`, `cqe.flags` and every helper taking `&io_uring_cqe` work.
///
/// On a ring with 32-byte CQEs (IORING_SETUP_CQE32, or IORING_CQE_F_32
/// entries of an IORING_SETUP_CQE_MIXED ring) this is the first 16 bytes;
/// read the whole entry as a [`Cqe32`] with
/// [`Ring::peek_cqe32`](crate::Ring::peek_cqe32) / [`Ring::wait_cqe32`](crate::Ring::wait_cqe32) / [`Ring::cqes32`](crate::Ring::cqes32). Do not
/// use `io_uring_cqe::big_cqe` on the deref'd value: the copy behind it is
/// only 16 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Cqe {
    user_data: u64,
    res: i32,
    flags: u32,
}

// `Cqe` has `io_uring_cqe`'s layout (its `big_cqe` is a zero-sized tail),
// which the `Deref` below relies on.
const _: () = {
    assert!(size_of::<Cqe>() == size_of::<io_uring_cqe>());
    assert!(align_of::<Cqe>() == align_of::<io_uring_cqe>());
    assert!(
        core::mem::offset_of!(Cqe, user_data) == core::mem::offset_of!(io_uring_cqe, user_data)
    );
    assert!(core::mem::offset_of!(Cqe, res) == core::mem::offset_of!(io_uring_cqe, res));
    assert!(core::mem::offset_of!(Cqe, flags) == core::mem::offset_of!(io_uring_cqe, flags));
};

impl Cqe {
    /// A zeroed CQE (for filling arrays before [`Ring::peek_batch_cqe`](crate::Ring::peek_batch_cqe)).
    #[inline]
    pub const fn zeroed() -> Cqe {
        Cqe {
            user_data: 0,
            res: 0,
            flags: 0,
        }
    }

    /// `res` as a result: negative values are `Errno`s.
    #[inline]
    pub fn result(&self) -> Result<u32, Errno> {
        Errno::from_res(self.res)
    }
}

impl Deref for Cqe {
    type Target = io_uring_cqe;
    #[inline(always)]
    fn deref(&self) -> &io_uring_cqe {
        // SAFETY: same size, alignment and field offsets (asserted above);
        // `io_uring_cqe`'s only other field is a zero-sized array, so the
        // reference covers exactly our 16 bytes.
        unsafe { &*(self as *const Cqe).cast::<io_uring_cqe>() }
    }
}

impl core::fmt::Debug for Cqe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cqe")
            .field("user_data", &self.user_data)
            .field("res", &self.res)
            .field("flags", &self.flags)
            .finish()
    }
}

/// A 32-byte completion: the [`Cqe`] plus `big_cqe[0..2]`, the second 16
/// bytes of an IORING_SETUP_CQE32 ring's CQE or of an IORING_CQE_F_32 entry
/// in an IORING_SETUP_CQE_MIXED ring (e.g. IORING_OP_URING_CMD results,
/// zero-copy receive's `io_uring_zcrx_cqe`). Derefs to [`Cqe`], so
/// [`Ring::cqe_seen`](crate::Ring::cqe_seen) takes it as is.
///
/// Returned by [`Ring::peek_cqe32`](crate::Ring::peek_cqe32), [`Ring::wait_cqe32`](crate::Ring::wait_cqe32) and
/// [`Ring::cqes32`](crate::Ring::cqes32); for a 16-byte CQE (any CQE of a plain ring, a CQE
/// without IORING_CQE_F_32 in a mixed ring) `big_cqe` is zero.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Cqe32 {
    cqe: Cqe,
    big: [u64; 2],
}

impl Cqe32 {
    /// The second 16 bytes of a 32-byte CQE; zero for a 16-byte CQE.
    ///
    /// Mirrors `cqe->big_cqe[0..2]` (liburing).
    #[inline]
    pub fn big_cqe(&self) -> &[u64; 2] {
        &self.big
    }
}

impl Deref for Cqe32 {
    type Target = Cqe;
    #[inline]
    fn deref(&self) -> &Cqe {
        &self.cqe
    }
}

impl core::fmt::Debug for Cqe32 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cqe32")
            .field("user_data", &self.cqe.user_data)
            .field("res", &self.cqe.res)
            .field("flags", &self.cqe.flags)
            .field("big_cqe", &self.big)
            .finish()
    }
}

/// The CQE types a CQ can be read as: [`Cqe`] (the first 16 bytes) and
/// [`Cqe32`] (all 32 bytes of a big CQE). Sealed.
pub trait ReadCqe: sealed::Sealed + Sized {
    /// All 32 bytes of a big CQE ([`Cqe32`]), not only the first 16.
    #[doc(hidden)]
    const BIG: bool;
    #[doc(hidden)]
    fn from_raw(r: RawCqe) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Cqe {}
    impl Sealed for super::Cqe32 {}
}

impl ReadCqe for Cqe {
    const BIG: bool = false;
    #[inline(always)]
    fn from_raw(r: RawCqe) -> Self {
        Cqe {
            user_data: r.user_data,
            res: r.res,
            flags: r.flags,
        }
    }
}

impl ReadCqe for Cqe32 {
    const BIG: bool = true;
    #[inline(always)]
    fn from_raw(r: RawCqe) -> Self {
        Cqe32 {
            big: r.extra,
            cqe: Cqe::from_raw(r),
        }
    }
}
