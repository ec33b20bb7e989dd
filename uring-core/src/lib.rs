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
//! | [`split`] | a [`Ring`] split into submission side, completion side and submitter |
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
//! fd, buf, n, off)` is `bare_uring::prep::read(sqe, fd, buf, n, off)`.
//!
//! # Example
//! ```
//! use bare_uring::{helpers, prep, Ring};
//!
//! let mut ring = Ring::queue_init(8, 0)?;
//! // SAFETY: a NOP points to no memory (see "Safety model" below).
//! let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
//! prep::nop(sqe);
//! helpers::sqe_set_data64(sqe, 42);
//! ring.submit_and_wait(1)?;
//! let cqe = ring.wait_cqe()?;
//! assert_eq!((cqe.user_data, cqe.res), (42, 0));
//! ring.cqe_seen(&cqe);
//! # Ok::<(), bare_uring::Errno>(())
//! ```
//!
//! # Safety model
//!
//! Encoding bytes into an SQE is harmless; what can break memory safety is
//! the kernel acting on them. So this crate has exactly one `unsafe`
//! boundary for requests, where a writable SQE *in the ring* is obtained:
//! [`Ring::get_sqe`], [`Ring::get_sqe128`],
//! [`SqeBatch::get_sqe`](sq::SqeBatch::get_sqe) and
//! [`SubmissionQueue::get_sqe`](split::SubmissionQueue::get_sqe) are
//! `unsafe fn`s. Everything
//! else about requests is safe:
//!
//! - the [`prep`] helpers and the SQE setters only store integers (pointers
//!   become addresses) into an SQE you hold; on an SQE of your own
//!   (`io_uring_sqe::zeroed()`) nothing reaches the kernel;
//! - [`Ring::submit`] and the waits only publish and wait for SQEs that were
//!   written under that promise.
//!
//! **Why there and not at submit.** The promise is about one request: the
//! code that fills a slot knows what its addresses point to and how long
//! that memory lives, while a submit publishes every queued slot, often from
//! other code (an event loop, a batch helper). So the `unsafe` block sits
//! where the knowledge is, submit needs none, and a safe program
//! (`#![forbid(unsafe_code)]`) can use rings but cannot queue a request.
//!
//! **What the caller of `get_sqe` promises.** When the slot is next
//! submitted, it holds a request the kernel can carry out soundly:
//! - every address in it (buffers, iovecs, msghdrs, paths, sockaddrs, the
//!   `addr`/`addr2`/`addr3`/`off` of opcodes that take pointers) points to
//!   memory valid for what the opcode does with it, which stays valid, and
//!   is not otherwise accessed where the kernel writes, until the request's
//!   final CQE: the one without `IORING_CQE_F_MORE` for multishot requests
//!   (plus its `IORING_CQE_F_NOTIF` for zero-copy sends), and for requests
//!   in a linked chain, each member's own CQE (a cancelled link still
//!   posts one, unless `IOSQE_CQE_SKIP_SUCCESS` hides a success);
//! - every fd, fixed-file slot, registered-buffer index and buffer group in
//!   it is one the program means the kernel to use (the kernel checks
//!   bounds; it cannot check intent);
//! - a slot handed out is submitted with the next submit whatever it holds:
//!   as in liburing, `get_sqe` sets only the fields liburing's
//!   `io_uring_get_sqe` initialises (`flags`, `ioprio`, `rw_flags`,
//!   `buf_index`, `personality`, `file_index`, `addr3`, `__pad2[0]`) and
//!   leaves the others to the prep helper, so a slot left unwritten may
//!   hold a previous request's bytes (opcode, fd, addresses). Write every
//!   slot you take.
//!
//! **Memory lent to the kernel beyond one request** has its own contract,
//! stated once where it is lent, and a safe owner where one is possible:
//! - ring memory of `IORING_SETUP_NO_MMAP` rings: the kernel may still write
//!   there *after* the ring is dropped (its teardown is asynchronous: CQEs
//!   of requests in flight, tag CQEs, SQPOLL's flags, and even an idle
//!   ring's CQ tail), so it is never reused.
//!   [`Ring::queue_init_params`] with NO_MMAP owns an anonymous mapping
//!   (unmapping pinned pages is harmless); [`Ring::queue_init_static`] takes a
//!   [`ring::RingMem`] `static` that is never handed out again; the raw
//!   [`Ring::queue_init_mem`] (and [`Ring::queue_init_mem_page_size`]) is
//!   `unsafe` and says how to meet it;
//! - registered buffers ([`Ring::register_buffers`]) are `unsafe` to
//!   register: the memory stays valid until every request using it has
//!   posted its final CQE *and* it is unregistered (or the ring dropped);
//!   the kernel finishes in-flight requests after close, so requests not
//!   reaped before the ring drops need memory that is never freed;
//! - provided buffer rings: [`buf_ring::BufRing`] owns its ring memory,
//!   holds its own duplicate of the ring fd (so the group's ring file lives
//!   as long as it, and `free`/drop cannot reach another ring),
//!   unregisters on drop and never publishes more buffers than the ring
//!   holds. A buffer the kernel picked is written until its request's CQE,
//!   even after the group is gone: lending buffer memory is `unsafe`
//!   ([`buf_ring::BufRing::setup`]) unless it is never freed
//!   ([`buf_ring::BufRing::setup_static`], safe).
//! - memory regions ([`Ring::register_region`], which holds the registered
//!   wait arguments of [`Ring::submit_and_wait_reg`]) and zero-copy
//!   receive areas and refill rings ([`Ring::register_ifq`]) are `unsafe`
//!   to register: the kernel pins caller memory and reads (regions) or
//!   has the device write (zcrx areas) it until it releases the ring,
//!   after the drop, so it must never be freed or reused. A registered
//!   wait itself is safe: it names an entry by index, which the kernel
//!   bounds-checks against the region.
//!
//! **Messages to another ring** ([`msg`]'s raw-fd helpers,
//! [`register::register_sync_msg`]) are `unsafe`: a message is a CQE with a
//! `user_data` and `res` of the sender's choosing, indistinguishable from a
//! completion, so a ring that frees a request's buffer on its CQE would
//! free memory the kernel still writes if anyone could post it a forged
//! one. The caller promises the target expects the message ([`msg`]'s
//! "Safety" section).
//!
//! **Rings and threads.** A ring whose fd is registered
//! ([`Ring::register_ring_fd`], IORING_SETUP_REGISTERED_FD_ONLY) is known to
//! the kernel by an index that is valid only in the registering thread:
//! [`Ring`] is therefore not `Send`. [`Ring::into_send`] gives a
//! [`ring::SendRing`] to move an unregistered ring to another thread.
//!
//! **File descriptors (I/O safety).** A raw fd number is not a capability:
//! once its owner closes it, the number names whatever file is opened next.
//! So every function that hands the kernel a raw fd number to act on (read,
//! write, duplicate, register, attach to) is `unsafe`, with the promise that
//! the fd is open and owned or borrowed by the caller for the call (as
//! `std::os::fd::BorrowedFd` would be):
//! [`syscall::read`], [`syscall::write`], [`syscall::dupfd_cloexec`],
//! [`Ring::register_files`], [`Ring::register_files_update`],
//! [`Ring::register_eventfd`], [`Ring::register_eventfd_async`],
//! [`Ring::queue_init_mem`] with IORING_SETUP_ATTACH_WQ; those that close
//! or adopt one
//! ([`syscall::close`], [`Ring::queue_mmap`]) too. The fds of requests are
//! covered by `get_sqe`'s promise. [`Ring::register_sync_cancel`] with
//! `IORING_ASYNC_CANCEL_FD` names an fd only to match this ring's own
//! requests against it; the kernel does no I/O on that file, so it stays
//! safe.
//!
//! **Tagged resources.** A tag given to [`Ring::register_files_tags`],
//! [`Ring::register_files_update_tag`], [`Ring::register_buffers_tags`] or
//! [`Ring::register_buffers_update_tag`] comes back as the `user_data` of a
//! CQE (res 0) that the kernel posts when the resource leaves the table,
//! also on a later *safe* call ([`Ring::unregister_files`], an update, the
//! ring's drop). Like a message, that CQE is indistinguishable from a
//! request's completion, so registering a tag is `unsafe`: the caller
//! promises that its completion handling knows tag CQEs for what they are.
//! Untagged registrations post no CQE.
//!
//! **Buffer groups.** A [`buf_ring::BufRing`] owns its group id for its
//! life; [`Ring::unregister_buf_ring`] can take any group away, after which
//! another ring may be registered under that id, so it is `unsafe` (the
//! group must be one no `BufRing` owns).
//!
//! **What safe code cannot do** (each block is a `compile_fail` doctest
//! with the expected error code, so it keeps failing for that reason):
//!
//! Queue a request that makes the kernel write into an immutable local
//! (the first hole this model closes):
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! use bare_uring::{sys, Ring};
//! let mut ring = Ring::queue_init(8, 0).unwrap();
//! let x: u64 = 5;
//! let sqe = ring.get_sqe().unwrap(); // E0133: get_sqe is an unsafe fn
//! sqe.opcode = sys::IORING_OP_READ as u8;
//! sqe.len = 8;
//! sqe.set_addr(&x as *const u64 as u64);
//! ring.submit_and_wait(1).unwrap();
//! ```
//! Build an SQE whose unions hold uninitialised bytes (a struct literal
//! setting a 2-byte member, then a safe 4-byte getter):
//! ```compile_fail,E0451
//! use bare_uring::sys::io_uring_sqe;
//! let sqe = io_uring_sqe {
//!     opcode: 6,
//!     __bindgen_anon_3: unsafe { core::mem::zeroed() }, // E0451: private
//!     ..io_uring_sqe::zeroed()
//! };
//! let _ = sqe.rw_flags();
//! ```
//! Move a ring (which may hold a thread's registered ring index) to
//! another thread:
//! ```compile_fail,E0277
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! std::thread::spawn(move || drop(ring)); // E0277: Ring is not Send
//! ```
//! Point a ring at another ring's registered index:
//! ```compile_fail,E0624
//! let mut ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.set_registered_index(0); // E0624: private
//! ```
//! Post a forged "completion" to a ring known only by its fd:
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! bare_uring::msg::sync_send(ring.ring_fd(), 8, 7).unwrap(); // E0133
//! ```
//! Close a raw fd (the ring's, say) without owning it:
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! bare_uring::syscall::close(ring.ring_fd()).unwrap(); // E0133
//! ```
//! Write to, register or duplicate an fd number that another owner may
//! close (I/O safety):
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! bare_uring::syscall::write(1, b"x").unwrap(); // E0133: unsafe fn
//! ```
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.register_files(&[0]).unwrap(); // E0133: unsafe fn
//! ```
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.register_eventfd(3).unwrap(); // E0133: unsafe fn
//! ```
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let _ = bare_uring::syscall::dupfd_cloexec(0); // E0133: unsafe fn
//! ```
//! The safe setups refuse a worker-pool fd number (`Params` fields are
//! public, so the refusal is at setup, where the kernel would look it up);
//! [`Ring::queue_init_params_wq`] takes the ring itself:
//! ```
//! # use bare_uring::{ring::Params, sys::IORING_SETUP_SQPOLL, Errno, Ring};
//! let mut p = Params::new().attach_wq(3); // a number nobody vouches for
//! assert_eq!(Ring::queue_init_params(4, &mut p).unwrap_err(), Errno::EINVAL);
//! let mut p = Params::new().with_flags(bare_uring::sys::IORING_SETUP_ATTACH_WQ);
//! assert_eq!(Ring::queue_init_params(4, &mut p).unwrap_err(), Errno::EINVAL);
//! let a = Ring::queue_init(4, 0)?;
//! let b = Ring::queue_init_params_wq(4, &mut Params::new(), &a)?;
//! # let _ = (b, IORING_SETUP_SQPOLL);
//! # Ok::<(), Errno>(())
//! ```
//! Take a `BufRing`'s group away from it:
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.unregister_buf_ring(0).unwrap(); // E0133: unsafe fn
//! ```
//! Have the kernel post a CQE with a `user_data` of the caller's choosing
//! through a file tag (posted when the file leaves the table):
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.register_files_sparse(1).unwrap();
//! ring.register_files_update_tag(0, &[0], &[0xdead]).unwrap(); // E0133
//! ring.unregister_files().unwrap(); // would post user_data 0xdead
//! ```
//!
//! Every other `unsafe fn` of this crate (raw syscalls, the queue types over
//! raw pointers, registration of caller memory) states its own contract in
//! its `# Safety` section and links here.
//!
//! The `std` feature (off by default) only adds conversions:
//! `From<Errno> for std::io::Error` and `AsFd`/`AsRawFd` for [`Ring`].
//!
//! # Examples
//!
//! Whole programs live in the repository's `examples/` directory (package
//! `uring-examples`, which depends on this crate and `bare-uring-sys` only); run
//! them from the repository root with `cargo run --release --example NAME`:
//! `tour` (what the running kernel supports, every feature of this crate
//! tried live, figures), `pingpong` (`msg_ring` between two threads),
//! `echo` (multishot recvmsg into a buffer ring, send bundles), `arena`
//! (rings carved from one arena), `foreign_loop` (a ring embedded in a
//! foreign event loop: registered eventfd, ring fd polled by another ring)
//! and `tcp_nolibc` (a TCP server whose sockets are created, bound and
//! listened to through io_uring itself). `examples/nostd-cat` is a static
//! `no_std` `cat` on the `bare-uring-rt` kit (`_start`, `mem*`, panic
//! handler, link settings for static binaries with no libc).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "std")]
extern crate std;

pub mod errno;
pub mod syscall;

pub mod queue;
pub mod ring;

mod enter;

pub mod cq;
pub mod sq;
mod wait;

pub mod split;

pub mod register;

pub mod buf_ring;
pub mod decode;
pub mod helpers;
pub mod msg;
pub mod prep;
pub mod probe;
pub mod recvmsg_out;

pub use bare_uring_sys as sys;
pub use errno::Errno;
pub use ring::Ring;
