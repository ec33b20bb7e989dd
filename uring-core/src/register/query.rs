//! `IORING_REGISTER_QUERY`: what the running kernel supports, asked
//! without a ring ([`register_query`], and the typed [`query`]).

use crate::syscall::io_uring_register;
use crate::Errno;
use bare_uring_sys::{
    io_uring_query_hdr, io_uring_query_opcode, io_uring_query_scq, io_uring_query_zcrx,
    IORING_REGISTER_QUERY, IO_URING_QUERY_OPCODES, IO_URING_QUERY_SCQ, IO_URING_QUERY_ZCRX,
};
use core::ptr;

/// Runs the chain of queries starting at `query` (`next_entry` links the
/// next header, 0 ends the chain): for each header the kernel writes up to
/// `size` bytes of answer to `query_data`, then `result` (0, or a negative
/// errno: `-EOPNOTSUPP` for a `query_op` it does not know, `-EINVAL` for a
/// header with `result` or reserved fields set, or `size` 0) and `size`
/// (the bytes it filled, at most the caller's). Uses fd -1: no ring needed.
///
/// Mirrors `io_uring_register_query()` (liburing). Kernel: 6.18+.
///
/// Errors: `EINVAL` (kernels before 6.18: unknown opcode), `EFAULT` (a
/// header or buffer the kernel cannot access), `ERANGE` (a chain of 1000
/// entries or more: a cycle), `EINTR`.
///
/// # Safety
/// Every header of the chain is valid for reads and writes, and its
/// `query_data` for writes of `size` bytes, during the call; the chain
/// ends. See the [safety model](crate#safety-model).
pub unsafe fn register_query(query: *mut io_uring_query_hdr) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller's contract; the kernel keeps nothing.
    unsafe { io_uring_register(-1, IORING_REGISTER_QUERY, query.cast_const().cast(), 0) }
        .map(|_| ())
}

mod sealed {
    pub trait Sealed {}
}

/// A UAPI structure an `IO_URING_QUERY_*` fills: plain integers, any bytes
/// valid (sealed: implemented for the three of `query.h`).
pub trait QueryData: sealed::Sealed + Default + Copy {
    /// The `query_op` that answers with this structure.
    const OP: u32;
}

macro_rules! query_data {
    ($($t:ty => $op:expr),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl QueryData for $t {
            const OP: u32 = $op;
        }
    )*};
}

query_data! {
    io_uring_query_opcode => IO_URING_QUERY_OPCODES,
    io_uring_query_zcrx => IO_URING_QUERY_ZCRX,
    io_uring_query_scq => IO_URING_QUERY_SCQ,
}

/// One query, typed: `query::<io_uring_query_opcode>()` asks
/// `IO_URING_QUERY_OPCODES` and returns the kernel's answer (fields the
/// kernel does not know stay zero). Builds the one header
/// [`register_query`] takes, as liburing's `test/query.c` does.
///
/// No liburing equivalent (a safe form of `io_uring_register_query()`).
/// Kernel: 6.18+.
///
/// ```no_run
/// use bare_uring::register::query;
/// use bare_uring::sys::io_uring_query_opcode;
/// let ops: io_uring_query_opcode = query()?;
/// assert!(ops.nr_request_opcodes > 0);
/// # Ok::<(), bare_uring::Errno>(())
/// ```
///
/// Errors: as [`register_query`]; the header's negative `result` as an
/// error (`EOPNOTSUPP`: the kernel does not know this query).
pub fn query<T: QueryData>() -> Result<T, Errno> {
    let mut data = T::default();
    let mut hdr = io_uring_query_hdr {
        next_entry: 0,
        query_data: ptr::from_mut(&mut data) as usize as u64,
        query_op: T::OP,
        size: core::mem::size_of::<T>() as u32,
        result: 0,
        __resv: [0; 3],
    };
    // SAFETY: one header (next_entry 0), its data a `T` of `size` bytes,
    // both live locals; any bytes are a valid `T` (QueryData).
    unsafe { register_query(&mut hdr) }?;
    Errno::from_res(hdr.result)?;
    Ok(data)
}
