//! io_uring over raw syscalls: `#![no_std]`, no libc, no allocation.
//!
//! Layers (data flows one way, each only uses those above it):
//!
//! | module | what it holds |
//! |---|---|
//! | [`errno`] | [`Errno`], the error of every fallible call |
//! | [`syscall`] | inline-asm `io_uring_setup/enter/register`, `mmap`, ... |
//! | [`ring`] | [`Ring`]: setup, mapping (incl. `IORING_SETUP_NO_MMAP` in caller memory), teardown |
//! | [`queue`] | SQ/CQ index arithmetic over plain pointers (testable without a kernel) |
//! | [`sq`] / [`cq`] | submission and completion queues on a [`Ring`] |
//! | [`register`] | `io_uring_register(2)` operations |
//! | [`prep`] | every `io_uring_prep_*` of liburing 2.15, byte-exact |
//! | [`helpers`] | liburing's other inline SQE/CQE helpers (`sqe_set_data`, ...) |
//! | [`buf_ring`] | provided buffer rings |
//! | [`recvmsg_out`] | bounds-checked parsing of multishot recvmsg buffers |
//! | [`msg`] | ring-to-ring messaging |
//! | [`probe`] | which opcodes this kernel supports |
//! | [`decode`] | an SQE pretty-printer naming fields per opcode |
//!
//! Names follow liburing minus the `io_uring_` / `io_uring_prep_` prefix, so
//! liburing's man pages document this crate too: `io_uring_prep_read(sqe,
//! fd, buf, n, off)` is `uring_core::prep::read(sqe, fd, buf, n, off)`.
//!
//! # Example
//! ```
//! use uring_core::{helpers, prep, Ring};
//!
//! let mut ring = Ring::queue_init(8, 0)?;
//! let sqe = ring.get_sqe().expect("SQ has room");
//! prep::nop(sqe);
//! helpers::sqe_set_data64(sqe, 42);
//! ring.submit_and_wait(1)?;
//! let cqe = ring.wait_cqe()?;
//! assert_eq!((cqe.user_data, cqe.res), (42, 0));
//! ring.cqe_seen(&cqe);
//! # Ok::<(), uring_core::Errno>(())
//! ```
//!
//! The `std` feature (off by default) only adds conversions:
//! `From<Errno> for std::io::Error` and `AsFd`/`AsRawFd` for [`Ring`].
#![no_std]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "std")]
extern crate std;

pub mod errno;
pub mod syscall;

pub mod queue;
pub mod ring;

pub mod cq;
pub mod sq;

pub mod register;

pub mod buf_ring;
pub mod decode;
pub mod helpers;
pub mod msg;
pub mod prep;
pub mod probe;
pub mod recvmsg_out;

pub use errno::Errno;
pub use ring::Ring;
pub use uring_sys as sys;
