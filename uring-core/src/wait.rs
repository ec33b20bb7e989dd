//! Getting CQEs, waiting for them if asked: liburing's `__io_uring_peek_cqe`
//! and `_io_uring_get_cqe`, over a [`CqRing`] and an [`EnterCtx`], shared by
//! [`crate::Ring`]'s methods (`crate::cq`) and the split
//! [`CompletionQueue`](crate::split::CompletionQueue).

use crate::cqe::{Cqe, ReadCqe};
use crate::enter::EnterCtx;
use crate::queue::{ready, CqRing};
use crate::Errno;
use bare_uring_sys::{
    __kernel_timespec, io_uring_getevents_arg, io_uring_reg_wait, kernel_sigset_t,
    IORING_ENTER_EXT_ARG, IORING_ENTER_EXT_ARG_REG, IORING_ENTER_GETEVENTS, IORING_SETUP_SQ_REWIND,
};
use core::ffi::c_void;
use core::ptr;

/// Timed waits the kernel ends with no CQE and no error that [`get_cqe`]
/// repeats before it reports `ETIME` anyway (16 before; `fuzz/ring_peek`
/// bounds the work of one wait by it). Generous: on a starved machine
/// (an emulated 5.10 under TCG) an SQPOLL thread can leave a CQE filled but
/// its tail unpublished for a long time, and each wait in that window
/// returns at once (the kernel counts the CQE, we cannot see it yet).
const MAX_REWAITS: u32 = 256;

/// How to wait: argument block for io_uring_enter.
pub(crate) struct GetData {
    pub(crate) submit: u32,
    pub(crate) wait_nr: u32,
    pub(crate) get_flags: u32,
    pub(crate) has_ts: bool,
    pub(crate) arg: *const c_void,
    pub(crate) sz: usize,
}

impl GetData {
    /// No timeout, no signal mask.
    #[inline]
    pub(crate) fn plain(submit: u32, wait_nr: u32) -> GetData {
        GetData {
            submit,
            wait_nr,
            get_flags: 0,
            has_ts: false,
            arg: ptr::null(),
            sz: 8,
        }
    }
}

/// The first CQE, if one is ready, and the head just past it (what to
/// hand to [`CqRing::note_peeked`]). The common case (one slot of plain
/// CQE, see [`CqRing::peek_fast`]) is a few loads and one test of the
/// CQE's flags; padding and 32-byte CQEs go the slow way.
#[inline(always)]
pub(crate) fn peek<C: ReadCqe>(cq: &CqRing) -> Option<(C, u32)> {
    match cq.peek_fast(C::BIG) {
        Some(Some((c, next))) => Some((C::from_raw(c), next)),
        Some(None) => None,
        None => peek_inner(cq).0.map(|c| (c, cq.peeked_next())),
    }
}

/// Hands out a CQE found by [`peek`] or the slow paths here, recording it
/// for [`CqRing::seen`]. Done by the caller once the fast and slow paths
/// have joined, so that the compiler sees the record and a `cqe_seen`
/// that follows in the same function needs no load.
#[inline(always)]
pub(crate) fn hand_out<C>(cq: &CqRing, found: (C, u32)) -> C {
    // SAFETY: `found.1` is the head past the CQE `found.0` was read from,
    // from the peek that just read it (within [head, tail]); the head has
    // not moved since.
    unsafe { cq.note_peeked(found.1) };
    found.0
}

/// The first CQE and the number of CQ slots ready; padding CQEs
/// (IORING_CQE_F_SKIP) are consumed on the way, at most one ring's worth
/// per call: an honest kernel never publishes more, so a corrupt tail (far
/// ahead, over padding) cannot make one peek spin for long.
#[inline(never)]
pub(crate) fn peek_inner<C: ReadCqe>(cq: &CqRing) -> (Option<C>, u32) {
    let mut budget = cq.entries();
    loop {
        let tail = cq.tail();
        let head = cq.head();
        let available = ready(tail, head);
        if available == 0 || budget == 0 {
            return (None, 0);
        }
        // SAFETY: head is in [head, tail) with tail read (acquire) above.
        let c = unsafe { cq.read(head) };
        if c.is_skip() {
            // Advance over the whole padding CQE or not at all: a head left
            // in the middle of a 32-byte CQE would read its second half as
            // a completion. (The kernel publishes both halves with one tail
            // store, so `nr > available` does not happen; `nr > budget`
            // ends this peek, and the next one starts with a full budget.)
            let nr = c.nr;
            if nr > available || nr > budget {
                return (None, 0);
            }
            cq.advance(nr);
            budget -= nr;
            continue;
        }
        // SAFETY: head was just read (only we write it); min: a corrupt
        // F_32 on the last published slot never takes the head past the
        // tail read above.
        unsafe { cq.note_peeked(head.wrapping_add(c.nr.min(available))) };
        return (Some(C::from_raw(c)), available);
    }
}

/// liburing's `_io_uring_get_cqe`: submit, wait, and return the first CQE,
/// entering the kernel only when needed.
///
/// Unlike liburing, a wait with a timeout or a signal mask never submits in
/// the same `io_uring_enter`: when the kernel submitted something it
/// returns the count and drops the wait's -ETIME/-EINTR, so a signal would
/// be reported as a timeout. The SQEs go in a first enter without waiting;
/// the wait's own enter (submitting nothing) then returns the kernel's
/// `ETIME` or `EINTR` as such.
pub(crate) fn get_cqe<C: ReadCqe>(cq: &CqRing, ctx: &EnterCtx, mut d: GetData) -> Result<C, Errno> {
    let mut looped = false;
    let mut rewaits = 0;
    loop {
        let (cqe, available) = peek_inner(cq);
        let mut need_enter = false;
        let mut flags = 0;
        if cqe.is_none() && d.wait_nr == 0 && d.submit == 0 {
            if looped || !ctx.cq_ring_needs_enter() {
                return Err(Errno::EAGAIN);
            }
            need_enter = true;
        }
        if d.wait_nr > available || need_enter {
            flags = IORING_ENTER_GETEVENTS | d.get_flags;
            need_enter = true;
        }
        if d.submit != 0
            && flags != 0
            && (!d.arg.is_null() || d.get_flags & IORING_ENTER_EXT_ARG_REG != 0)
        {
            // A wait with a timeout or a sigmask (or registered wait
            // arguments, whose offset `arg` may be 0): submit first.
            submit_before_wait(ctx, d.submit)?;
            d.submit = 0;
        }
        if ctx.sq_ring_needs_enter(d.submit, &mut flags) {
            need_enter = true;
        }
        if !need_enter {
            return cqe.ok_or(Errno::EAGAIN);
        }
        if looped && d.has_ts {
            // The timed wait returned without an error. With CQEs, but
            // fewer than asked for: return the first, as liburing.
            if cqe.is_some() {
                return cqe.ok_or(Errno::ETIME);
            }
            // With none: not an expiry (the kernel reports that as -ETIME,
            // and a signal as -EINTR, now that the wait submits nothing).
            // The kernel also ends a wait when an IORING_OP_TIMEOUT fires,
            // before that request's CQE is visible (with SQPOLL it is
            // posted by the SQ thread): wait again. liburing reports ETIME
            // here. Bounded, so ring memory that keeps the kernel and us
            // disagreeing (forged indices) still ends.
            if rewaits == MAX_REWAITS {
                return Err(Errno::ETIME);
            }
            rewaits += 1;
            if rewaits > 2 {
                // Let the thread that posts the CQE run (SQPOLL, task work).
                crate::syscall::sched_yield();
            }
        }
        // SAFETY: d.arg/d.sz are null/8, a sigset (8 bytes), an
        // io_uring_getevents_arg (with EXT_ARG in get_flags) whose pointers
        // outlive this call, or with EXT_ARG_REG an offset into the ring's
        // registered wait region (bounds-checked by the kernel, contents
        // promised at its registration); SQEs were published by flush.
        let ret = unsafe { ctx.enter(d.submit, d.wait_nr, flags, d.arg, d.sz) }?;
        d.submit = if ctx.setup_flags & IORING_SETUP_SQ_REWIND != 0 {
            // An SQ_REWIND ring has no SQ indices: every enter submits from
            // slot 0, so re-entering with the remainder of a partial submit
            // would submit the slots already taken a second time (stale
            // requests, on memory their first completion may have freed).
            // What the kernel left is dropped, as the next flush rewinds.
            0
        } else {
            d.submit.saturating_sub(ret)
        };
        if let Some(c) = cqe {
            return Ok(c);
        }
        looped = true;
    }
}

/// Submits `submit` published SQEs without waiting (entering only when the
/// SQ needs it: always without SQPOLL, with SQPOLL when the thread sleeps);
/// also flushes completions the kernel flagged.
fn submit_before_wait(ctx: &EnterCtx, submit: u32) -> Result<(), Errno> {
    let mut flags = 0;
    if !ctx.sq_ring_needs_enter(submit, &mut flags) {
        return Ok(());
    }
    if ctx.cq_ring_needs_enter() {
        flags |= IORING_ENTER_GETEVENTS;
    }
    // SAFETY: no argument; the SQEs up to the tail were published by flush.
    unsafe { ctx.enter(submit, 0, flags, ptr::null(), 8) }.map(|_| ())
}

/// `io_uring_peek_cqe`: the next CQE if one is ready, entering the kernel
/// only to flush overflow/task work the kernel flagged, and the head just
/// past it. The caller peeked already and found nothing.
#[inline]
pub(crate) fn peek_cqe_slow<C: ReadCqe>(cq: &CqRing, ctx: &EnterCtx) -> Result<(C, u32), Errno> {
    if !ctx.cq_ring_needs_enter() {
        return Err(Errno::EAGAIN);
    }
    get_cqe(cq, ctx, GetData::plain(0, 0)).map(|c| (c, cq.peeked_next()))
}

/// `io_uring_wait_cqe`: the next CQE, waiting for one if none is ready,
/// and the head just past it. `src` gives the queue (`cq`) and what
/// entering the kernel needs.
///
/// This is [`get_cqe`] with nothing to submit, `wait_nr` 1, no timeout and
/// no signal mask, where its loop reduces to: look, and while nothing is
/// there, enter to wait for one CQE and look again. The common case (one
/// slot of plain CQE, or none, a wait, and then one) stays inline: the
/// look is [`CqRing::peek_fast`], the wait [`wait_ready`]; padding and
/// 32-byte CQEs go to [`wait_cqe_slow`].
#[inline(always)]
pub(crate) fn wait_cqe<'a, C: ReadCqe>(
    cq: &'a CqRing,
    src: impl Fn() -> (&'a CqRing, EnterCtx) + Copy,
) -> Result<(C, u32), Errno> {
    // The slow paths get `src` (one pointer), and read the queue and
    // build the context out of line: the fast path loads nothing for them,
    // and keeps no register for them across a call. Each slow call's
    // error returns at once (`?`), so that the paths join on the CQE
    // itself, which then stays in registers.
    let found = match cq.peek_fast(C::BIG) {
        Some(Some((c, next))) => (C::from_raw(c), next),
        Some(None) => {
            let head = wait_ready(src)?;
            // SAFETY: `wait_ready` returns the head, with a tail read
            // (acquire) past it.
            match unsafe { cq.peek_fast_at(head, C::BIG) } {
                Some((c, next)) => (C::from_raw(c), next),
                None => wait_cqe_slow(src)?,
            }
        }
        None => wait_cqe_slow(src)?,
    };
    Ok(found)
}

/// `f`, hidden from the optimizer, so that an out-of-line wait reads the
/// queue and builds its [`EnterCtx`] itself: otherwise LLVM passes the
/// fields it reads as arguments, loaded by the caller, which then keeps
/// them in callee-saved registers across the call for the next one (two
/// pushes and pops on the caller's fast path too).
#[inline(always)]
fn opaque<F>(f: F) -> F {
    core::hint::black_box(f)
}

/// Waits until the CQ holds something (one `io_uring_enter` per wait,
/// asking for one CQE), and returns the head, with a tail read (acquire)
/// past it. Out of line, returning nothing but the head or the error (one
/// register), so that [`wait_cqe`]'s caller keeps its fast path small and
/// holds nothing across the call.
#[inline(never)]
fn wait_ready<'a>(src: impl Fn() -> (&'a CqRing, EnterCtx)) -> Result<u32, Errno> {
    let (cq, ctx) = opaque(src)();
    loop {
        // SAFETY: no argument (null/8); nothing is submitted.
        unsafe { ctx.enter(0, 1, IORING_ENTER_GETEVENTS, ptr::null(), 8) }?;
        let head = cq.head();
        if cq.tail() != head {
            return Ok(head);
        }
    }
}

/// [`wait_cqe`] when the CQE at the head is not one slot of plain CQE
/// (padding, a 32-byte CQE, or all 32 bytes wanted): the same loop over
/// [`peek_inner`].
#[inline(never)]
fn wait_cqe_slow<'a, C: ReadCqe>(
    src: impl Fn() -> (&'a CqRing, EnterCtx),
) -> Result<(C, u32), Errno> {
    let (cq, ctx) = opaque(src)();
    loop {
        if let (Some(c), _) = peek_inner(cq) {
            return Ok((c, cq.peeked_next()));
        }
        // SAFETY: no argument (null/8); nothing is submitted.
        unsafe { ctx.enter(0, 1, IORING_ENTER_GETEVENTS, ptr::null(), 8) }?;
    }
}

/// Common body of the timed/sigmask waits (`io_uring_wait_cqes` and
/// friends).
pub(crate) fn wait_ext(
    cq: &CqRing,
    ctx: &EnterCtx,
    submit: u32,
    wait_nr: u32,
    ts: Option<&__kernel_timespec>,
    min_wait_usec: u32,
    sigmask: Option<&kernel_sigset_t>,
) -> Result<Cqe, Errno> {
    let sig = sigmask.map_or(ptr::null(), |s| s as *const kernel_sigset_t);
    if ts.is_none() && min_wait_usec == 0 {
        return get_cqe(
            cq,
            ctx,
            GetData {
                arg: sig.cast(),
                ..GetData::plain(submit, wait_nr)
            },
        );
    }
    if ctx.features & bare_uring_sys::IORING_FEAT_EXT_ARG == 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let arg = io_uring_getevents_arg {
        sigmask: sig as u64,
        sigmask_sz: 8,
        min_wait_usec,
        ts: ts.map_or(0, |t| t as *const __kernel_timespec as u64),
    };
    get_cqe(
        cq,
        ctx,
        GetData {
            submit,
            wait_nr,
            get_flags: IORING_ENTER_EXT_ARG,
            has_ts: ts.is_some(),
            arg: (&arg as *const io_uring_getevents_arg).cast(),
            sz: core::mem::size_of::<io_uring_getevents_arg>(),
        },
    )
}

/// `io_uring_submit_and_wait_reg`'s body: submit `submit` published SQEs,
/// then wait for `wait_nr` CQEs with entry `reg_index` of the ring's
/// registered wait region as the wait arguments.
pub(crate) fn wait_reg(
    cq: &CqRing,
    ctx: &EnterCtx,
    submit: u32,
    wait_nr: u32,
    reg_index: u32,
) -> Result<Cqe, Errno> {
    if ctx.features & bare_uring_sys::IORING_FEAT_EXT_ARG == 0 {
        return Err(Errno::EINVAL);
    }
    let size = core::mem::size_of::<io_uring_reg_wait>();
    // Cannot overflow where usize is 64 bits; elsewhere an offset past the
    // address space cannot be in a region either.
    let offset = (reg_index as usize)
        .checked_mul(size)
        .ok_or(Errno::EFAULT)?;
    get_cqe(
        cq,
        ctx,
        GetData {
            submit,
            wait_nr,
            get_flags: IORING_ENTER_EXT_ARG | IORING_ENTER_EXT_ARG_REG,
            has_ts: true,
            // An offset, not an address: the kernel adds it to the
            // region's base.
            arg: offset as *const c_void,
            sz: size,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::peek;
    use crate::cqe::{Cqe, Cqe32};
    use crate::queue::tests::MemCq;
    use bare_uring_sys::IORING_CQE_F_32;

    #[test]
    fn peek_reads_a_cqe32_ring_whole_or_its_first_half() {
        // Four 32-byte CQEs; the first at the last slot, the next at slot 0.
        let m = MemCq::<8>::new(u32::MAX, 1);
        let cq = m.ring();
        m.post(1, 0, 10, 1);
        m.post(2, 0, 20, 1);
        let (c, next) = peek::<Cqe>(&cq).unwrap();
        assert_eq!((c.user_data, next), (1, 0));
        let (c, next) = peek::<Cqe32>(&cq).unwrap();
        assert_eq!((c.user_data, *c.big_cqe(), next), (1, [10, 11], 0));
        cq.advance(1);
        let (c, next) = peek::<Cqe>(&cq).unwrap();
        assert_eq!((c.user_data, next), (2, 1));
        let (c, _) = peek::<Cqe32>(&cq).unwrap();
        assert_eq!((c.user_data, *c.big_cqe()), (2, [20, 21]));
        cq.advance(1);
        assert!(peek::<Cqe>(&cq).is_none());
    }

    #[test]
    fn cq_seen_on_a_mixed_ring_keeps_whole_cqes() {
        let m = MemCq::<4>::new(0, 0);
        let cq = m.ring();
        m.post(1, IORING_CQE_F_32, 10, 2); // slots 0,1
        m.post(2, 0, 0, 1); // slot 2
        assert_eq!(cq.peek_fast(false), None, "32-byte CQEs take the slow path");
        let (c, _) = peek::<Cqe32>(&cq).unwrap();
        assert_eq!((c.user_data, *c.big_cqe()), (1, [10, 11]));
        cq.seen();
        assert_eq!(m.head(), 2, "both slots of the 32-byte CQE");
        // A corrupt F_32 on the last published slot: the head stops at the
        // tail, not one past it.
        m.post(3, IORING_CQE_F_32, 0, 1); // slot 3, one slot published
        let (c, _) = peek::<Cqe>(&cq).unwrap();
        assert_eq!(c.user_data, 2);
        cq.seen();
        assert_eq!(m.head(), 3);
        let (c, next) = peek::<Cqe>(&cq).unwrap();
        assert_eq!((c.user_data, next), (3, 4));
        cq.seen();
        assert_eq!(m.head(), 4, "clamped to the tail");
    }
}
