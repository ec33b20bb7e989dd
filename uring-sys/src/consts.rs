//! Constants of the io_uring UAPI header that bindgen cannot translate
//! (macros built from enum values or casts), written by hand with the
//! header's expression beside each. `tests/layout.rs` compares every one
//! with the C compiler's value.

use crate::bindings::*;

/// `IOSQE_FIXED_FILE`: use a registered file (`fd` is an index). Kernel 5.1+.
pub const IOSQE_FIXED_FILE: u8 = 1 << IOSQE_FIXED_FILE_BIT;
/// `IOSQE_IO_DRAIN`: issue after all earlier requests complete. Kernel 5.2+.
pub const IOSQE_IO_DRAIN: u8 = 1 << IOSQE_IO_DRAIN_BIT;
/// `IOSQE_IO_LINK`: the next SQE starts when this one succeeds. Kernel 5.3+.
pub const IOSQE_IO_LINK: u8 = 1 << IOSQE_IO_LINK_BIT;
/// `IOSQE_IO_HARDLINK`: like IO_LINK, regardless of this one's result. Kernel 5.5+.
pub const IOSQE_IO_HARDLINK: u8 = 1 << IOSQE_IO_HARDLINK_BIT;
/// `IOSQE_ASYNC`: always go async (io-wq). Kernel 5.6+.
pub const IOSQE_ASYNC: u8 = 1 << IOSQE_ASYNC_BIT;
/// `IOSQE_BUFFER_SELECT`: pick a buffer from `buf_group`. Kernel 5.7+.
pub const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;
/// `IOSQE_CQE_SKIP_SUCCESS`: post no CQE on success. Kernel 5.17+.
pub const IOSQE_CQE_SKIP_SUCCESS: u8 = 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;

/// `IORING_FILE_INDEX_ALLOC` (`~0U`): let the kernel pick a free fixed-file
/// slot. bindgen renders the macro as `i32 = -1`; the header's type is
/// `unsigned`, which this `u32` keeps (it shadows the generated one).
/// Kernel 5.19+.
pub const IORING_FILE_INDEX_ALLOC: u32 = !0;

/// `IORING_CQE_F_TSTAMP_HW` (`(__u32)1 << IORING_TIMESTAMP_HW_SHIFT`).
pub const IORING_CQE_F_TSTAMP_HW: u32 = 1 << IORING_TIMESTAMP_HW_SHIFT;

/// `IORING_ZCRX_AREA_MASK` (`~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1)`).
pub const IORING_ZCRX_AREA_MASK: u64 = !((1u64 << IORING_ZCRX_AREA_SHIFT) - 1);

/// Every constant above with its name, for the C comparison test.
#[doc(hidden)]
pub const HAND_WRITTEN: &[(&str, u64)] = &[
    ("IOSQE_FIXED_FILE", IOSQE_FIXED_FILE as u64),
    ("IOSQE_IO_DRAIN", IOSQE_IO_DRAIN as u64),
    ("IOSQE_IO_LINK", IOSQE_IO_LINK as u64),
    ("IOSQE_IO_HARDLINK", IOSQE_IO_HARDLINK as u64),
    ("IOSQE_ASYNC", IOSQE_ASYNC as u64),
    ("IOSQE_BUFFER_SELECT", IOSQE_BUFFER_SELECT as u64),
    ("IOSQE_CQE_SKIP_SUCCESS", IOSQE_CQE_SKIP_SUCCESS as u64),
    ("IORING_FILE_INDEX_ALLOC", IORING_FILE_INDEX_ALLOC as u64),
    ("IORING_CQE_F_TSTAMP_HW", IORING_CQE_F_TSTAMP_HW as u64),
    ("IORING_ZCRX_AREA_MASK", IORING_ZCRX_AREA_MASK),
];
