//! Accessors for [`io_uring_buf_ring`], whose header `tail` shares its
//! first 16 bytes with `bufs[0]` (a C anonymous union).

use crate::bindings::{io_uring_buf, io_uring_buf_ring};

impl io_uring_buf_ring {
    /// Pointer to `br->tail` (byte 14), the producer index the kernel reads.
    /// Access it atomically (release store) once buffers are published.
    #[inline(always)]
    pub fn tail_ptr(this: *mut Self) -> *mut u16 {
        // The header overlays bufs[0]: resv1 (u64), resv2 (u32), resv3 (u16), tail (u16).
        this.cast::<u8>().wrapping_add(14).cast::<u16>()
    }
    /// Pointer to `br->bufs[0]`; entry `i` is `bufs_ptr(br).add(i)`.
    #[inline(always)]
    pub fn bufs_ptr(this: *mut Self) -> *mut io_uring_buf {
        this.cast::<io_uring_buf>()
    }
}
