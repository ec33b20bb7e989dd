//! `io_uring_register(2)` operations: fixed files and buffers, eventfd,
//! personalities, restrictions, ring-fd registration, provided buffer rings,
//! io-wq tuning, synchronous cancel, clock, and the ring-less
//! [`register_sync_msg`].
//!
//! Almost everything here is an `impl` block on [`Ring`](crate::Ring), named
//! like liburing's function minus `io_uring_`: `io_uring_register_files(ring,
//! fds, n)` is `ring.register_files(&fds)`. Arrays are passed as slices (the
//! count is the slice length; more than `u32::MAX` elements gives `EINVAL`).
//!
//! Every call goes through `Ring::register_raw`, so once the ring fd itself
//! is registered ([`Ring::register_ring_fd`](crate::Ring::register_ring_fd)) and the kernel has
//! `IORING_FEAT_REG_REG_RING`, registration uses the registered index too.
//!
//! Calls after which the kernel keeps using caller memory (buffers, caller
//! allocated buffer rings) are `unsafe fn`s with a `# Safety` section. Calls
//! whose argument the kernel only copies during the call (file descriptors,
//! restrictions, tags, masks) are safe.
//!
//! | file | what it holds |
//! |---|---|
//! | `files.rs` | fixed file table: dense, sparse, update, alloc range |
//! | `buffers.rs` | fixed buffers: dense, sparse, update |
//! | `ring_fd.rs` | registering the ring fd itself, closing it |
//! | `pbuf.rs` | provided buffer rings (`IORING_REGISTER_PBUF_RING`) |
//! | `misc.rs` | eventfd, probe, personality, restrictions, enable, io-wq, cancel, clock |
//! | `sync_msg.rs` | [`register_sync_msg`]: a message without a source ring |
//! | `region.rs` | memory regions and registered wait arguments |
//! | `query.rs` | [`register_query`], [`query`]: what the kernel supports, without a ring |
//! | `zcrx.rs` | zero-copy receive: interface queue, control operations |
//! | `bpf.rs` | classic-BPF request filters, per ring or per task ([`register_bpf_filter_task`]) |

mod bpf;
mod buffers;
mod files;
mod misc;
mod pbuf;
mod query;
mod region;
mod ring_fd;
mod sync_msg;
mod zcrx;

pub use bpf::register_bpf_filter_task;
pub use query::{query, register_query, QueryData};

pub use misc::{
    restriction_register_op, restriction_sqe_flags_allowed, restriction_sqe_flags_required,
    restriction_sqe_op,
};
pub use sync_msg::register_sync_msg;

use crate::Errno;
use bare_uring_sys::{io_uring_rsrc_register, IORING_RSRC_REGISTER_SPARSE};

/// A slice length as the `u32` count `io_uring_register(2)` takes
/// (`EINVAL` when it does not fit, as the kernel would say for a huge count).
#[inline]
pub(crate) fn count(n: usize) -> Result<u32, Errno> {
    u32::try_from(n).map_err(|_| Errno::EINVAL)
}

/// An `io_uring_rsrc_register` for a dense table of `data` with one tag
/// per entry (`EINVAL` when the lengths differ or do not fit a `u32`).
#[inline]
pub(crate) fn rsrc_tagged<T>(data: &[T], tags: &[u64]) -> Result<io_uring_rsrc_register, Errno> {
    if data.len() != tags.len() {
        return Err(Errno::EINVAL);
    }
    Ok(io_uring_rsrc_register {
        nr: count(data.len())?,
        flags: 0,
        resv2: 0,
        data: addr_of(data),
        tags: addr_of(tags),
    })
}

/// An `io_uring_rsrc_register` for an empty (sparse) table of `nr` slots.
#[inline]
pub(crate) fn rsrc_sparse(nr: u32) -> io_uring_rsrc_register {
    io_uring_rsrc_register {
        nr,
        flags: IORING_RSRC_REGISTER_SPARSE,
        resv2: 0,
        data: 0,
        tags: 0,
    }
}

/// The address of a slice's first element as the kernel's `__u64`.
#[inline]
pub(crate) fn addr_of<T>(s: &[T]) -> u64 {
    s.as_ptr() as usize as u64
}
