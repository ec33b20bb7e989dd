//! Submission: handing out SQEs and telling the kernel about them.
//!
//! "Enter only when needed" (liburing's `sq_ring_needs_enter` /
//! `cq_ring_needs_enter`): a plain [`Ring::submit`] calls
//! `io_uring_enter` only if there is something to submit (and, with
//! SQPOLL, only if the kernel thread sleeps), if a wait is requested, or
//! if the kernel flagged a CQ overflow backlog or pending task work.

use crate::enter::EnterCtx;
use crate::queue::SqRing;
use crate::Errno;
use crate::Ring;
use bare_uring_sys::{
    io_uring_sqe, IORING_ENTER_GETEVENTS, IORING_ENTER_SQ_WAIT, IORING_OP_NOP, IORING_SETUP_IOPOLL,
    IORING_SETUP_SQE128, IORING_SETUP_SQE_MIXED, IORING_SETUP_SQPOLL, IORING_SETUP_SQ_REWIND,
    IOSQE_CQE_SKIP_SUCCESS_BIT,
};
use core::ops::{Deref, DerefMut};
use core::ptr;

/// Resets the fields prep helpers do not always write, so a reused SQE
/// slot carries nothing over: `flags`, `ioprio`, `rw_flags`, `buf_index`,
/// `personality`, `file_index`, `addr3` and `__pad2[0]` become 0.
///
/// Mirrors `io_uring_initialize_sqe()` (liburing). Kernel: any.
#[inline]
pub fn initialize_sqe(sqe: &mut io_uring_sqe) {
    sqe.flags = 0;
    sqe.ioprio = 0;
    sqe.set_rw_flags(0);
    sqe.set_buf_index(0);
    sqe.personality = 0;
    sqe.set_file_index(0);
    sqe.set_addr3(0);
    sqe.set_pad2(0);
}

/// The shift that turns an SQ index into a slot of 64-byte SQEs for rings
/// set up with `flags`: 1 with IORING_SETUP_SQE128 (each slot is two
/// 64-byte SQEs), else 0. Slot of index `i`: `(i & mask) << shift`.
///
/// Mirrors `io_uring_sqe_shift_from_flags()` (liburing). Kernel: any
/// (SQE128: 5.19+).
#[inline]
pub const fn sqe_shift_from_flags(flags: u32) -> u32 {
    (flags & IORING_SETUP_SQE128 != 0) as u32
}

/// A 128-byte SQE (IORING_SETUP_SQE128, or a wide entry of an
/// IORING_SETUP_SQE_MIXED ring): the 64-byte SQE plus 64 more bytes of
/// command area. Derefs to the [`io_uring_sqe`], so prep helpers apply.
#[repr(C)]
pub struct Sqe128 {
    /// The first 64 bytes.
    pub sqe: io_uring_sqe,
    /// Bytes 64..128.
    pub ext: [u8; 64],
}

impl core::fmt::Debug for Sqe128 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sqe128")
            .field("opcode", &self.sqe.opcode)
            .field("user_data", &self.sqe.user_data)
            .finish_non_exhaustive()
    }
}

impl Sqe128 {
    /// The 80-byte command area (`sqe->cmd`, bytes 48..128) of a 128-byte
    /// SQE, e.g. for IORING_OP_URING_CMD128 / NVMe passthrough.
    #[inline]
    pub fn cmd(&mut self) -> &mut [u8; 80] {
        // SAFETY: bytes 48..128 of this 128-byte, 8-aligned struct are
        // plain bytes (integer fields and unions of integers); the pointer
        // comes from `&mut self`, which covers all 128 bytes.
        unsafe {
            &mut *(self as *mut Sqe128)
                .cast::<u8>()
                .add(48)
                .cast::<[u8; 80]>()
        }
    }
}

impl Deref for Sqe128 {
    type Target = io_uring_sqe;
    #[inline]
    fn deref(&self) -> &io_uring_sqe {
        &self.sqe
    }
}

impl DerefMut for Sqe128 {
    #[inline]
    fn deref_mut(&mut self) -> &mut io_uring_sqe {
        &mut self.sqe
    }
}

impl Ring {
    /// The next free SQE, with the fields liburing's `io_uring_get_sqe`
    /// initialises set to 0 ([`initialize_sqe`]: `flags`, `ioprio`,
    /// `rw_flags`, `buf_index`, `personality`, `file_index`, `addr3`,
    /// `__pad2[0]`); every other byte still holds what the slot held
    /// before (a previous request's bytes), for the prep helper to write,
    /// as in liburing. `None` when the SQ is full (nothing is overwritten:
    /// submit, or with SQPOLL [`sqring_wait`](Self::sqring_wait)). In a loop
    /// the compiler keeps the SQ state in registers when it can tell the
    /// SQEs apart from the `Ring` (a local, or a `&mut Ring` argument) and
    /// the loop body is small: with several calls and preps in one body it
    /// may stop telling them apart and reload the state (docs/BENCH.md, "One
    /// `get_sqe` per SQE"). [`sq_batch`](Self::sq_batch) keeps the state in
    /// registers wherever the ring lives and whatever the loop, and its
    /// [`get_sqes`](SqeBatch::get_sqes) hands out a known number of SQEs
    /// with one room check for all of them.
    ///
    /// Mirrors `io_uring_get_sqe()` (liburing). Kernel: 5.1+.
    ///
    /// # Safety
    /// Obtaining a writable SQE is this crate's one submission boundary (see
    /// the [safety model](crate#safety-model)). Whatever the slot holds when
    /// it is next submitted (the fields above are 0, the others may hold a
    /// previous request's bytes until a prep helper or setter writes them)
    /// must be a request the kernel can carry out soundly. In short (the
    /// [safety model](crate#safety-model) spells
    /// each out):
    /// - **memory**: every address in it points to memory that stays valid,
    ///   and is not otherwise accessed where the kernel writes, until the
    ///   request's final CQE (the one without `IORING_CQE_F_MORE` for
    ///   multishot requests; for a linked chain, each member's own CQE), or
    ///   longer where the opcode lends it beyond its CQE (provided buffers
    ///   of `IORING_OP_PROVIDE_BUFFERS` until each comes back, zero-copy
    ///   sends until their `IORING_CQE_F_NOTIF`);
    /// - **fds and fixed slots**: every fd, fixed-file slot, registered
    ///   buffer index and personality names what the program means the
    ///   kernel to use, and
    ///   keeps naming it (open, owned or borrowed) until the request's final
    ///   CQE: a linked, drained, `IOSQE_ASYNC` or SQPOLL request looks it up
    ///   when it is issued, which can be long after the submit;
    /// - **completions**: every CQE the request makes the kernel post, on
    ///   this ring or another (`IORING_OP_MSG_RING` data and fd messages),
    ///   is one that ring's completion handling expects: its `user_data`
    ///   (and, for messages, `res` and flags) cannot be taken for the
    ///   completion of another request that is still in flight.
    ///
    /// "Until the final CQE" includes every way out of the code that lent
    /// the memory: a `?` or a panic after the submit returns with the
    /// request in flight, and a buffer local to the returning function
    /// dies while the kernel still writes it. Take the SQE from the
    /// [`InFlight`](crate::inflight::InFlight) handle of
    /// [`Ring::in_flight`], with the memory declared outside its closure:
    /// before it returns, it cancels the requests and waits for their CQEs.
    #[inline]
    pub unsafe fn get_sqe(&mut self) -> Option<&mut io_uring_sqe> {
        let p = self.sq.next_sqe()?;
        // SAFETY: `next_sqe` reserved this slot for us: it lies in the SQE
        // array (64-byte aligned, 64 bytes) and the kernel will not read it
        // before we publish the tail. The borrow of self keeps it exclusive
        // until the next call.
        Some(unsafe { init_sqe(p) })
    }

    /// A batch handle for getting many SQEs in a row: the SQ's state lives
    /// in the handle while it exists, so no [`SqeBatch::get_sqe`] reads or
    /// writes a field of the ring, wherever the ring lives (see
    /// [`Ring::get_sqe`]). Submit after dropping it.
    ///
    /// No liburing equivalent (the `io-uring` crate's `submission()`).
    ///
    /// ```no_run
    /// # use bare_uring::{prep, Ring};
    /// let mut ring = Ring::queue_init(64, 0)?;
    /// {
    ///     let mut sq = ring.sq_batch();
    ///     // SAFETY: NOPs point to no memory.
    ///     while let Some(sqe) = unsafe { sq.get_sqe() } {
    ///         prep::nop(sqe);
    ///     }
    /// }
    /// ring.submit()?;
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    #[inline]
    pub fn sq_batch(&mut self) -> SqeBatch<'_> {
        SqeBatch::new(&mut self.sq)
    }

    /// A 128-byte SQE: the next SQE of an IORING_SETUP_SQE128 ring, or two
    /// slots of an IORING_SETUP_SQE_MIXED ring (when the tail is on the
    /// last slot, that slot gets a NOP with IOSQE_CQE_SKIP_SUCCESS and the
    /// entry wraps to slot 0). The caller must use a 128-byte opcode
    /// (e.g. IORING_OP_NOP128, IORING_OP_URING_CMD128) in a mixed ring.
    /// `None` if full or the ring has neither flag.
    ///
    /// Mirrors `io_uring_get_sqe128()` (liburing). Kernel: 5.19+ (SQE128),
    /// 6.19+ (SQE_MIXED; the 6.18 test kernel rejects it).
    ///
    /// # Safety
    /// As [`Ring::get_sqe`], for all 128 bytes.
    /// See the [safety model](crate#safety-model).
    pub unsafe fn get_sqe128(&mut self) -> Option<&mut Sqe128> {
        let p = if self.flags() & IORING_SETUP_SQE128 != 0 {
            self.sq.next_sqe()?
        } else if self.flags() & IORING_SETUP_SQE_MIXED != 0 {
            let w = self.sq.next_wide()?;
            if let Some(pad) = w.pad {
                // SAFETY: reserved by next_wide; unpublished, exclusive.
                let pad = unsafe { &mut *pad };
                write_skip_nop(pad);
            }
            w.sqe
        } else {
            return None;
        };
        // SAFETY: a 128-byte slot: with SQE128 every slot is 128 bytes;
        // in a mixed ring next_wide reserved two adjacent 64-byte slots
        // (never split across the ring's end). Exclusive as in get_sqe.
        let sqe = unsafe { &mut *p.cast::<Sqe128>() };
        initialize_sqe(sqe);
        Some(sqe)
    }

    /// This ring's SQE index shift (see [`sqe_shift_from_flags`]): 1 for
    /// IORING_SETUP_SQE128 rings, else 0.
    ///
    /// Mirrors `io_uring_sqe_shift()` (liburing). Kernel: any (SQE128:
    /// 5.19+).
    #[inline]
    pub fn sqe_shift(&self) -> u32 {
        sqe_shift_from_flags(self.flags())
    }

    /// The kernel's SQ head: how many SQEs it has consumed (wrapping).
    /// Always an acquire load (liburing uses one only with SQPOLL, where
    /// another thread moves the head): slots before it may be rewritten.
    ///
    /// Mirrors `io_uring_load_sq_head()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn load_sq_head(&self) -> u32 {
        self.sq.head()
    }

    /// SQEs handed out and not yet consumed by the kernel.
    ///
    /// Mirrors `io_uring_sq_ready()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn sq_ready(&self) -> u32 {
        self.sq.ready()
    }

    /// Free SQ slots.
    ///
    /// Mirrors `io_uring_sq_space_left()` (liburing). Kernel: 5.1+.
    #[inline]
    pub fn sq_space_left(&self) -> u32 {
        self.sq.space_left()
    }

    /// SQEs the kernel dropped as invalid (`*sq.kdropped`).
    #[inline]
    pub fn sq_dropped(&self) -> u32 {
        self.sq.dropped()
    }

    /// The kernel's `IORING_SQ_*` flags word (NEED_WAKEUP, CQ_OVERFLOW,
    /// TASKRUN).
    #[inline]
    pub fn sq_flags(&self) -> u32 {
        self.sq.flags()
    }

    /// Publishes handed-out SQEs; returns how many the kernel has not
    /// consumed yet.
    #[inline]
    pub(crate) fn flush_sq(&mut self) -> u32 {
        self.sq.flush()
    }

    #[inline]
    fn submit_inner(&mut self, wait_nr: u32, getevents: bool) -> Result<u32, Errno> {
        let ctx = self.enter_ctx();
        submit_sq(&mut self.sq, &ctx, wait_nr, getevents)
    }

    /// Submits the SQEs handed out since the last submit; returns how many
    /// the kernel took (with SQPOLL: how many are pending for the thread).
    ///
    /// Mirrors `io_uring_submit()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`] (`EAGAIN`, `EBUSY`, `EINTR`, `EBADFD`,
    /// `EEXIST`, ...).
    #[inline]
    pub fn submit(&mut self) -> Result<u32, Errno> {
        self.submit_inner(0, false)
    }

    /// Submits, then waits until at least `wait_nr` completions are ready
    /// or a signal interrupts the wait. Returns how many SQEs the kernel
    /// took, as [`submit`](Self::submit).
    ///
    /// `Ok` does not promise `wait_nr` CQEs: when the kernel submitted
    /// something and a signal then interrupts the wait, it returns the
    /// submitted count, not `EINTR` (kernel semantics; liburing behaves
    /// the same). Check [`cq_ready`](Self::cq_ready) or reap with
    /// [`peek_cqe`](Self::peek_cqe). To learn about the signal, use
    /// [`submit_and_wait_timeout`](Self::submit_and_wait_timeout), which
    /// reports `EINTR`.
    ///
    /// Mirrors `io_uring_submit_and_wait()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`submit`](Self::submit); `EINTR` only when nothing was
    /// submitted.
    #[inline]
    pub fn submit_and_wait(&mut self, wait_nr: u32) -> Result<u32, Errno> {
        self.submit_inner(wait_nr, false)
    }

    /// Submits and always enters to flush completions (task work, overflow)
    /// without waiting.
    ///
    /// Mirrors `io_uring_submit_and_get_events()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`submit`](Self::submit).
    #[inline]
    pub fn submit_and_get_events(&mut self) -> Result<u32, Errno> {
        self.submit_inner(0, true)
    }

    /// Enters only to run task work and flush overflowed completions into
    /// the CQ (useful with DEFER_TASKRUN / TASKRUN_FLAG).
    ///
    /// Mirrors `io_uring_get_events()` (liburing). Kernel: 5.1+.
    ///
    /// Errors: as [`Ring::enter`].
    #[inline]
    pub fn get_events(&mut self) -> Result<u32, Errno> {
        // SAFETY: no argument.
        unsafe { self.enter(0, 0, IORING_ENTER_GETEVENTS, ptr::null(), 8) }
    }

    /// With SQPOLL and a full SQ, waits until the kernel thread consumed
    /// some SQEs; otherwise returns 0 at once.
    ///
    /// Mirrors `io_uring_sqring_wait()` (liburing). Kernel: 5.10+.
    ///
    /// Errors: as [`Ring::enter`].
    pub fn sqring_wait(&mut self) -> Result<u32, Errno> {
        if self.flags() & IORING_SETUP_SQPOLL == 0 || self.sq_space_left() != 0 {
            return Ok(0);
        }
        // SAFETY: no argument.
        unsafe { self.enter(0, 0, IORING_ENTER_SQ_WAIT, ptr::null(), 8) }
    }
}

/// SQEs handed out in a row (see [`Ring::sq_batch`]); dropping it records
/// them in the ring, ready for the next submit.
#[derive(Debug)]
pub struct SqeBatch<'a> {
    c: crate::queue::SqCursor<'a>,
}

impl<'a> SqeBatch<'a> {
    #[inline]
    pub(crate) fn new(sq: &'a mut SqRing) -> Self {
        SqeBatch { c: sq.cursor() }
    }
}

impl<'a> SqeBatch<'a> {
    /// As [`Ring::get_sqe`]: the next free SQE, initialised as liburing
    /// does, or `None` when the SQ is full.
    ///
    /// # Safety
    /// As [`Ring::get_sqe`].
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn get_sqe(&mut self) -> Option<&mut io_uring_sqe> {
        let p = self.c.next_sqe()?;
        // SAFETY: as in Ring::get_sqe; the borrow of the batch (which
        // borrows the ring) keeps the slot exclusive until the next call.
        Some(unsafe { init_sqe(p) })
    }

    /// `n` SQEs at once: `None` if fewer than `n` slots are free (nothing
    /// is handed out); else an iterator that yields exactly `n` SQEs, each
    /// initialised as [`get_sqe`](Self::get_sqe) initialises it.
    ///
    /// The cheapest way to fill a known number of SQEs beyond a handful:
    /// the room for all `n` is checked once, so the loop over them tests
    /// nothing per SQE but its own end (one add and one branch; `get_sqe`
    /// in a counted loop pays a second compare and branch per SQE). For a
    /// few SQEs (up to about 8) whose count the compiler knows, a loop of
    /// [`Ring::get_sqe`] costs less: the compiler unrolls it, while a
    /// reservation's set-up (the room check and the loop's entry) is not
    /// repaid. `cargo bench --bench vs_io_uring` uses each where it is
    /// cheaper (docs/BENCH.md).
    ///
    /// An SQE counts as handed out (the next submit publishes it) once the
    /// iterator has yielded it; dropping the iterator early hands out no
    /// more than it yielded. Every SQE yielded must be prepared before the
    /// next submit, as with `get_sqe`.
    ///
    /// No liburing equivalent (it has `io_uring_get_sqe` only). Kernel:
    /// any.
    ///
    /// ```no_run
    /// # use bare_uring::{helpers, prep, Ring};
    /// let mut ring = Ring::queue_init(64, 0)?;
    /// {
    ///     let mut sq = ring.sq_batch();
    ///     // SAFETY: NOPs point to no memory; each gets its own user_data.
    ///     let sqes = unsafe { sq.get_sqes(16) }.ok_or(bare_uring::Errno::EBUSY)?;
    ///     for (i, sqe) in sqes.enumerate() {
    ///         prep::nop(sqe);
    ///         helpers::sqe_set_data64(sqe, i as u64);
    ///     }
    /// }
    /// assert_eq!(ring.submit_and_wait(16)?, 16);
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    ///
    /// # Safety
    /// As [`Ring::get_sqe`], for every SQE the iterator yields, including
    /// those an adapter consumes without handing them to you (`nth`,
    /// `skip`, `step_by`, `last`, `count`, ...): each is handed out with
    /// whatever bytes its slot held (a previous request's), and the next
    /// submit would run that request again unless it is prepared first.
    /// Take the SQEs one by one (`for sqe in sqes`, `next`, `enumerate`,
    /// `zip`) and prepare each.
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn get_sqes(&mut self, n: u32) -> Option<Sqes<'_, 'a>> {
        Some(Sqes {
            r: self.c.reserve(n)?,
        })
    }
}

/// The SQEs of [`SqeBatch::get_sqes`], in submission order; each yielded
/// once, initialised as `get_sqe` initialises it. Every SQE it yields,
/// also to an adapter that drops it (`nth`, `skip`, `count`, ...), is
/// handed out: see `get_sqes`' `# Safety`.
#[derive(Debug)]
pub struct Sqes<'b, 'a> {
    r: crate::queue::SqReserved<'b, 'a>,
}

impl<'b> Iterator for Sqes<'b, '_> {
    type Item = &'b mut io_uring_sqe;

    #[inline(always)]
    fn next(&mut self) -> Option<&'b mut io_uring_sqe> {
        let p = self.r.next()?;
        // SAFETY: reserved for this iterator, which yields each slot once
        // (in the SQE array: 64-byte aligned, 64 bytes; unpublished). The
        // borrow of the batch, for 'b, keeps every yielded slot exclusive:
        // no other get_sqe, get_sqes or submit can run while one is alive.
        Some(unsafe { init_sqe(p) })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.r.size_hint()
    }
}

impl ExactSizeIterator for Sqes<'_, '_> {}

impl core::iter::FusedIterator for Sqes<'_, '_> {}

/// Sets the fields liburing's `io_uring_get_sqe` initialises
/// ([`initialize_sqe`]) in a slot just handed out, and lends it.
///
/// # Safety
/// `p` is a reserved, unpublished slot of the SQE array (64-byte aligned,
/// 64 bytes), exclusive to the caller for the returned lifetime.
/// See the [safety model](crate#safety-model).
#[inline(always)]
pub(crate) unsafe fn init_sqe<'a>(p: *mut io_uring_sqe) -> &'a mut io_uring_sqe {
    // SAFETY: per the contract the slot is in the (non-null) SQE array.
    // Telling the compiler lets `Some(sqe)` skip a null test, which would
    // split the slot's initialisation from the prep helper's stores and
    // keep them from merging into wide ones.
    unsafe { core::hint::assert_unchecked(!p.is_null()) };
    // SAFETY: per the contract; an SQE is plain integers, any bytes valid.
    let sqe = unsafe { &mut *p };
    initialize_sqe(sqe);
    sqe
}

/// `io_uring_submit` and friends over a queue: publishes the handed-out
/// SQEs and enters the kernel if needed (liburing's `__io_uring_submit`).
#[inline(always)]
pub(crate) fn submit_sq(
    sq: &mut SqRing,
    ctx: &EnterCtx,
    wait_nr: u32,
    getevents: bool,
) -> Result<u32, Errno> {
    if ctx.setup_flags & (IORING_SETUP_SQPOLL | IORING_SETUP_IOPOLL | IORING_SETUP_SQ_REWIND) == 0 {
        // The common ring, decided by one test: no SQ thread to wake, no
        // polled completions to reap, a queue that publishes its tail
        // (`ctx.setup_flags` and the queue's rewind flag come from the same
        // `Params::flags` in `Ring::queue_mmap`). What is left of the
        // decisions below: enter if there is something to submit, a wait,
        // or completions the kernel asks us to flush.
        let submitted = sq.flush_no_rewind();
        if getevents || wait_nr != 0 {
            // SAFETY: as below.
            return unsafe {
                ctx.enter(submitted, wait_nr, IORING_ENTER_GETEVENTS, ptr::null(), 8)
            };
        }
        // Nothing to wait for: GETEVENTS only for completions the kernel
        // asks us to flush. With nothing to submit either, out of line
        // (enter only for such a flush), so that the common path tests
        // `submitted` once and turns the SQ flags' test into the enter's
        // flags without a branch (GETEVENTS is bit 0).
        if submitted == 0 {
            // Scalars, not `ctx`: a reference would make a `Ring` build
            // its context in memory on the common path too.
            return flush_cq_only(ctx.enter_fd, ctx.enter_flags, ctx.sq_kflags);
        }
        const _: () = assert!(IORING_ENTER_GETEVENTS == 1);
        let flags = ctx.cq_ring_needs_flush() as u32;
        // SAFETY: as below.
        return unsafe { ctx.enter(submitted, 0, flags, ptr::null(), 8) };
    }
    let submitted = sq.flush();
    let cq_needs_enter = getevents || wait_nr != 0 || ctx.cq_ring_needs_enter();
    let mut flags = 0;
    if ctx.sq_ring_needs_enter(submitted, &mut flags) || cq_needs_enter {
        if cq_needs_enter {
            flags |= IORING_ENTER_GETEVENTS;
        }
        // SAFETY: no argument; the SQEs up to the tail were written through
        // get_sqe and published by flush.
        unsafe { ctx.enter(submitted, wait_nr, flags, ptr::null(), 8) }
    } else {
        Ok(submitted)
    }
}

/// `submit()` with nothing to submit, on a ring without SQPOLL, IOPOLL or
/// SQ_REWIND: enters only to flush completions the kernel flagged
/// (IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN), as liburing. Takes the
/// [`EnterCtx`] fields it needs.
#[cold]
#[inline(never)]
fn flush_cq_only(enter_fd: u32, enter_flags: u32, sq_kflags: *mut u32) -> Result<u32, Errno> {
    if !crate::enter::cq_needs_flush(sq_kflags) {
        return Ok(0);
    }
    // SAFETY: no argument; nothing is submitted; `enter_fd` and
    // `enter_flags` are the ring's (from its EnterCtx).
    unsafe {
        crate::enter::enter_with(
            enter_fd,
            enter_flags,
            0,
            0,
            IORING_ENTER_GETEVENTS,
            ptr::null(),
            8,
        )
    }
}

/// A NOP that posts no CQE on success (the pad of a wrapped wide entry).
fn write_skip_nop(sqe: &mut io_uring_sqe) {
    initialize_sqe(sqe);
    sqe.opcode = IORING_OP_NOP as u8;
    sqe.flags = 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;
    sqe.fd = -1;
    sqe.set_off(0);
    sqe.set_addr(0);
    sqe.len = 0;
    sqe.user_data = 0;
    sqe.set_splice_fd_in(0);
    sqe.set_rw_flags(0);
}
