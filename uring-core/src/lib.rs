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
//! | [`inflight`] | [`inflight::InFlight`], a guard that ends in-flight requests on early return |
//! | [`buf_ring`] | provided buffer rings |
//! | [`recvmsg_out`] | bounds-checked parsing of multishot recvmsg buffers |
//! | [`msg`] | ring-to-ring messaging |
//! | [`probe`] | which opcodes this kernel supports |
//! | [`decode`] | an SQE pretty-printer naming fields per opcode |
//! | [`version`] | the liburing API version mirrored (2.15) |
//! | [`liburing_api`] | every liburing 2.15 function and its counterpart here |
//!
//! Names follow liburing minus the `io_uring_` / `io_uring_prep_` prefix, so
//! liburing's man pages document this crate too: `io_uring_prep_read(sqe,
//! fd, buf, n, off)` is `bare_uring::prep::read(sqe, fd, buf, n, off)`.
//! [`liburing_api`] lists every liburing 2.15 function with its
//! counterpart (or why it has none).
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
//! [`SqeBatch::get_sqe`](sq::SqeBatch::get_sqe),
//! [`SqeBatch::get_sqes`](sq::SqeBatch::get_sqes) and
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
//!   posts one, unless `IOSQE_CQE_SKIP_SUCCESS` hides a success).
//!   Some opcodes lend memory beyond their CQE: the buffers of
//!   `IORING_OP_PROVIDE_BUFFERS` are written by later requests until each
//!   comes back in a CQE with `IORING_CQE_F_BUFFER`, is removed
//!   (`IORING_OP_REMOVE_BUFFERS`), or the ring is gone and its requests
//!   are done; a zero-copy send reads its buffer until its
//!   `IORING_CQE_F_NOTIF` CQE;
//! - every fd, fixed-file slot, registered-buffer index, buffer group and
//!   personality in it is one the program means the kernel to use (the kernel checks
//!   bounds; it cannot check intent), and it keeps naming that file,
//!   buffer or group until the request's final CQE. The kernel looks an fd
//!   or slot up when it *issues* the request, not at submit: a request
//!   linked behind one that blocks, drained (`IOSQE_IO_DRAIN`), forced
//!   async or submitted by an SQPOLL thread is issued later, so an fd
//!   closed (and its number reused) or a slot emptied (and refilled) in
//!   between would make it act on another file;
//! - every CQE the request makes the kernel post is one the receiving
//!   ring's completion handling expects. A completion handler that frees
//!   a request's memory when "its" CQE arrives trusts that no other CQE
//!   carries that `user_data`: so a request must not reuse the `user_data`
//!   of one still in flight, and an `IORING_OP_MSG_RING` request (data or
//!   `IORING_MSG_SEND_FD` into the target's fixed table) goes only to a
//!   ring that expects the message (the contract of [`msg`]). A message's
//!   flags count too: a CQE with `IORING_CQE_F_BUFFER` hands a provided
//!   buffer back to whoever consumes it ([`buf_ring::BufRing::consume`]);
//! - a slot handed out is submitted with the next submit whatever it holds:
//!   as in liburing, `get_sqe` sets only the fields liburing's
//!   `io_uring_get_sqe` initialises (`flags`, `ioprio`, `rw_flags`,
//!   `buf_index`, `personality`, `file_index`, `addr3`, `__pad2[0]`) and
//!   leaves the others to the prep helper, so a slot left unwritten may
//!   hold a previous request's bytes (opcode, fd, addresses). Write every
//!   slot you take.
//!
//! **Early returns.** The promise runs until the final CQE on *every*
//! path: a `?` (or a panic) between the submit and the CQE returns with
//! the request in flight, and memory local to the returning function dies
//! while the kernel still writes it. The pattern that keeps it is
//! [`Ring::in_flight`]: declare the memory, then take SQEs from the
//! [`inflight::InFlight`] handle it lends a closure. Before `in_flight`
//! returns, on every way out of the closure (a `?`, a panic unwinding), it
//! cancels what was submitted through the handle and waits for each
//! request's final CQE (it forgets SQEs taken but not submitted; before
//! Linux 5.19, which cannot cancel "any" request, it waits for the
//! requests to finish). It is a scope, not a guard value, because a value
//! can be leaked (`mem::forget`) and then no destructor runs:
//! ```no_run
//! # use bare_uring::{prep, Errno, Ring};
//! # fn f(ring: &mut Ring, fd: i32) -> Result<(), Errno> {
//! let mut buf = [0u8; 64];
//! let n = ring.in_flight(|io| {
//!     // SAFETY: buf outlives the scope; fd is ours; nothing else is in flight.
//!     let sqe = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
//!     prep::read(sqe, fd, buf.as_mut_ptr().cast(), 64, 0);
//!     io.submit()?;
//!     io.reap()?.result() // any `?` here ends the read first
//! })?;
//! # let _ = n; Ok(()) }
//! ```
//!
//! **Consuming a CQE is not a capability.** [`Ring::cqe_seen`] advances
//! this ring's CQ head by one CQE whatever CQE it is given (as liburing's
//! `io_uring_cqe_seen()`; a [`cq::Cqe`] is a copy that does not know its
//! ring), so a CQE of another ring drops this ring's head CQE unseen. That
//! loses a completion but breaks no promise: memory lent to a request
//! stays lent until its final CQE is *handled*, and a CQE dropped unseen
//! only keeps it lent for longer.
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
//! - legacy provided buffers (`IORING_OP_PROVIDE_BUFFERS`,
//!   [`prep::provide_buffers`]): handed over by a request, so covered by
//!   `get_sqe`'s promise above, which says how long they stay lent;
//! - provided buffer rings: [`buf_ring::BufRing`] owns its ring memory,
//!   holds its own duplicate of the ring fd (so the group's ring file lives
//!   as long as it, and `free`/drop cannot reach another ring),
//!   unregisters on drop and never publishes more buffers than the ring
//!   holds. It tracks each buffer's state (published, or owned by the
//!   application) in a bitmap inside the struct: a buffer is never
//!   published twice, a CQE naming a buffer that is not published is
//!   refused, and only owned buffers are handed out. On incremental rings
//!   the room for a push is counted from the kernel's own head, so even a
//!   made-up CQE cannot make a push rewrite the entry the kernel is
//!   consuming. Reading a buffer stays `unsafe`
//!   ([`buf_ring::BufRing::data`], [`buf_ring::BufRing::buf`]): only the
//!   caller knows that the CQEs it passed to `consume` were real ones of the
//!   group, once each, in CQ order. A buffer the kernel picked is written
//!   until its request's CQE, even after the group is gone: lending buffer
//!   memory is `unsafe` ([`buf_ring::BufRing::setup`]) unless it is never
//!   freed ([`buf_ring::BufRing::setup_static`], safe).
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
//! **Rings and `fork`.** `fork(2)` (an `unsafe` call in Rust) copies a
//! `Ring`, a `BufRing` and the split handles byte for byte, but not what
//! they own on the kernel's side: the ring file and its buffer groups are
//! shared with the parent, and a registered ring index names whatever the
//! child registers under that number. The child's copies are not owners:
//! dropping one would unregister the parent's buffer group (after which
//! another `BufRing` can take the group id while the parent's still hands
//! out buffers) or a ring the child registered. So whoever forks promises
//! that the child neither uses nor drops the copies: it execs, or exits
//! with `exit_group` (`syscall::exit`) without running their destructors.
//! [`Ring::ring_dontfork`] makes the ring memory fault in the child; it
//! does not cover fd- or index-based calls.
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
//! ([`syscall::close`], [`Ring::queue_mmap`]) too, and so do those that
//! empty a fixed table wholesale ([`Ring::unregister_files`],
//! [`Ring::unregister_buffers`]): a slot is to a queued request what an fd
//! number is, looked up when the request is issued. The fds of requests are
//! covered by `get_sqe`'s promise. [`Ring::register_sync_cancel`] with
//! `IORING_ASYNC_CANCEL_FD` names an fd only to match this ring's own
//! requests against it; the kernel does no I/O on that file, so it stays
//! safe.
//!
//! Personalities likewise: [`Ring::unregister_personality`] is `unsafe`,
//! since a dropped id is handed out again (for other credentials) and an
//! SQE not yet consumed that names it would run with those.
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
//! life (a copy made by `fork` is not an owner: see "Rings and `fork`");
//! [`Ring::unregister_buf_ring`] can take any group away, after which
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
//! Empty a fixed-file (or registered-buffer) table that queued requests
//! still name, so that another file refilling a slot receives their I/O:
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.register_files_sparse(1).unwrap();
//! ring.unregister_files().unwrap(); // E0133: unsafe fn
//! ```
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! ring.register_buffers_sparse(1).unwrap();
//! ring.unregister_buffers().unwrap(); // E0133: unsafe fn
//! ```
//! Drop a personality id that a queued SQE names, so that the id can be
//! handed out again for other credentials:
//! ```compile_fail,E0133
//! #![forbid(unsafe_code)]
//! let ring = bare_uring::Ring::queue_init(8, 0).unwrap();
//! let id = ring.register_personality().unwrap();
//! ring.unregister_personality(id).unwrap(); // E0133: unsafe fn
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
//! **The safe functions that reach the kernel, and why each is safe.**
//! None of them lends memory that outlives the call, names an fd the
//! caller does not own, posts a CQE with a `user_data` the caller chose,
//! or reaches another ring:
//! - *Setup and teardown*: [`Ring::queue_init`], [`Ring::queue_init_params`]
//!   (refuses IORING_SETUP_ATTACH_WQ; with NO_MMAP it owns an anonymous
//!   mapping that is never reused), [`Ring::queue_init_params_wq`] (takes
//!   the worker ring itself), [`Ring::queue_init_static`] (a [`ring::RingMem`]
//!   `static` handed out once), [`Ring::queue_exit`] and `Drop` (close this
//!   ring's own fd and unmap its own kernel mappings, which the kernel no
//!   longer reaches through), [`Ring::close_ring_fd`] (this ring's own fd,
//!   after registering it), [`Ring::ring_dontfork`] (madvise on its own
//!   mappings), [`Ring::enable_rings`], [`Ring::set_iowait`].
//! - *Submitting and completing*: `submit*`, `flush`, `sqring_wait`,
//!   `get_events` and the waits publish only SQEs written under `get_sqe`'s
//!   promise and read the wait arguments (timeouts, sigmask) during the
//!   call; `peek*`/`wait*`/`cqes*`/`for_each_cqe` read this ring's CQ and
//!   [`Ring::cqe_seen`]/[`Ring::cq_advance`] move its head by whole CQEs
//!   (on a CQE_MIXED ring too); [`Ring::cq_eventfd_toggle`] flips a flag
//!   word of this ring; the end of a [`Ring::in_flight`] scope cancels this
//!   ring's requests (their CQEs carry their own `user_data`) and waits for
//!   them.
//! - *Registrations that copy their argument and lend nothing*:
//!   [`Ring::register_personality`] (a new id for the caller's own
//!   credentials; dropping one is `unsafe`, as a queued SQE may name it),
//!   restrictions, io-wq affinity and
//!   worker limits, NAPI, the wait clock, [`Ring::get_probe_ring`],
//!   [`Ring::register_sync_cancel`] (matches only this ring's requests),
//!   [`Ring::register_ring_fd`] (the index is valid in this thread only and
//!   [`Ring`] is not `Send`), sparse tables ([`Ring::register_files_sparse`],
//!   [`Ring::register_buffers_sparse`]: empty slots, refused while a table
//!   exists) and [`Ring::register_file_alloc_range`] (where the kernel
//!   allocates slots it picks itself), [`Ring::unregister_eventfd`],
//!   [`Ring::unregister_ring_fd`], [`Ring::unregister_iowq_aff`],
//!   [`Ring::unregister_napi`], [`Ring::register_probe_into`] and
//!   [`probe::get_probe`] (fill a probe of their own).
//! - *Resizing, registered waits, queries, zero-copy receive control*:
//!   [`Ring::resize_rings`] takes `&mut self` (no SQE, CQE batch or split
//!   handle can be borrowed from the old rings) and maps the kernel's new
//!   rings before unmapping its own old ones; [`Ring::submit_and_wait_reg`]
//!   (and the split `wait_reg`) names a wait entry by index, which the
//!   kernel bounds-checks against the region registered with the `unsafe`
//!   [`Ring::register_region`]; [`Ring::register_wait_reg`] does nothing
//!   (liburing's stub); [`register::query`] fills a value of its own;
//!   [`Ring::register_zcrx_ctrl`] reads no pointer and acts on this ring's
//!   own queue (an exported fd is a new one).
//! - *Buffer rings*: [`Ring::setup_buf_ring`] maps and registers an empty
//!   ring (publishing a buffer into it needs the `unsafe`
//!   [`buf_ring::buf_ring_add`]); [`Ring::buf_ring_head`] reads a head;
//!   [`buf_ring::BufRing`]'s safe methods publish only buffers it owns and
//!   does not consider published, never more than the ring holds (on
//!   incremental rings counted from the kernel's own head), and its drop
//!   unregisters the group through its own ring file.
//! - *Plain syscalls*: [`syscall::eventfd`] and [`syscall::pipe2`] create
//!   fds the caller then owns; [`syscall::uname`], [`syscall::getpid`],
//!   [`syscall::gettid`], [`syscall::exit`].
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
mod cqe;
pub mod sq;
mod wait;

pub mod split;

pub mod register;

pub mod buf_ring;
pub mod decode;
pub mod helpers;
pub mod inflight;
pub mod msg;
pub mod prep;
pub mod probe;
pub mod recvmsg_out;
pub mod version;

#[doc = include_str!("liburing_api.md")]
pub mod liburing_api {}

pub use bare_uring_sys as sys;
pub use errno::Errno;
pub use ring::Ring;
