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
