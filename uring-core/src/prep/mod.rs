//! Every `io_uring_prep_*` helper of liburing 2.15, one to one.
//!
//! `io_uring_prep_X(sqe, args…)` is `prep::X(sqe, args…)`: same argument
//! order, C-equivalent integer types (`int` → `i32`, `unsigned` → `u32`,
//! `__u64` → `u64`, `size_t` → `usize`, ...), raw pointers where C takes
//! pointers. Each writes exactly the bytes liburing's helper writes and no
//! others (liburing ≥ 2.x helpers do not clear the SQE; `get_sqe` does):
//! the root package's conformance tests compare all 64/128 bytes with C
//! liburing on zeroed and randomly pre-filled SQEs.
//!
//! The helpers only store pointers as integers; the kernel dereferences them
//! when the SQE is submitted. Keeping the pointed-to memory valid until the
//! operation completes is the submitter's promise (see `Ring::submit`).
//!
//! Grouped like liburing's man pages.
//!
//! # SQEs at compile time
//! Every helper whose arguments are plain integers is a `const fn` (`nop`,
//! `fsync`, `close`, `close_direct`, `msg_ring*`, `cancel64`, `cancel_fd`,
//! `poll_add`/`_multishot`/`_remove`/`_update`, `timeout_remove`,
//! `fallocate`, `fadvise`, `fadvise64`, `sync_file_range`, `ftruncate`,
//! `splice`, `tee`, `listen`, `shutdown`, `socket*`, `remove_buffers`,
//! `read_multishot`, `send_bundle`, `fixed_fd_install`, `uring_cmd*`,
//! `cmd_discard`, `nop128` and the `_select` companions below), so a table
//! of requests can be a `static`, built by the compiler. Helpers that take
//! a pointer are not: a pointer cannot become an integer in `const`
//! evaluation. (`&mut` in a `const fn` is what sets the MSRV at Rust 1.83.) The root package's `tests/const_sqe.rs` checks such a table
//! against C liburing's bytes.
//! ```
//! use bare_uring::sys::{io_uring_sqe, IORING_OP_CLOSE};
//! use bare_uring::{helpers, prep};
//!
//! static REQUESTS: [io_uring_sqe; 2] = {
//!     let mut t = [const { io_uring_sqe::zeroed() }; 2];
//!     prep::fsync(&mut t[0], 3, 0);
//!     helpers::sqe_set_data64(&mut t[0], 1);
//!     prep::close(&mut t[1], 3);
//!     helpers::sqe_set_data64(&mut t[1], 2);
//!     t
//! };
//! const _: () = assert!(REQUESTS[1].opcode as u32 == IORING_OP_CLOSE);
//! assert_eq!(REQUESTS[0].fd, 3);
//! ```
//!
//! # Companions
//! A few helpers are not liburing's but sit next to the 1:1 one they
//! complete, named after it, for what C callers write by hand:
//! [`recv_select`], [`recv_multishot_select`], [`read_select`] and
//! [`send_bundle_select`] take a provided-buffer group instead of a
//! pointer that is null by design (they set `IOSQE_BUFFER_SELECT` and
//! `buf_group`); [`send_vectorized`] sends an `iovec` array with
//! `IORING_SEND_VECTORIZED` (no liburing helper yet).

mod buffers;
mod cancel;
mod cmd;
mod fs;
mod futex;
mod msg;
mod net;
mod nop;
mod open;
mod path;
mod pipe;
mod poll;
mod recv;
mod rw;
mod send;
mod splice;
mod timeout;
mod waitid;
mod xattr;

pub use buffers::*;
pub use cancel::*;
pub use cmd::*;
pub use fs::*;
pub use futex::*;
pub use msg::*;
pub use net::*;
pub use nop::*;
pub use open::*;
pub use path::*;
pub use pipe::*;
pub use poll::*;
pub use recv::*;
pub use rw::*;
pub use send::*;
pub use splice::*;
pub use timeout::*;
pub use waitid::*;
pub use xattr::*;
