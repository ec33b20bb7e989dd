//! Readiness: `io_uring_prep_poll_add(3)`, `io_uring_prep_poll_multishot(3)`,
//! `io_uring_prep_poll_remove(3)`, `io_uring_prep_poll_update(3)`,
//! `io_uring_prep_epoll_ctl(3)`, `io_uring_prep_epoll_wait(3)`.
//!
//! # Example
//! ```
//! use bare_uring::{prep, sys};
//!
//! const POLLIN: u32 = 0x001;
//! let mut sqe = sys::io_uring_sqe::zeroed();
//! prep::poll_multishot(&mut sqe, 4, POLLIN);
//! assert_eq!(sqe.opcode, sys::IORING_OP_POLL_ADD as u8);
//! assert_eq!(sqe.poll32_events(), POLLIN);
//! assert_eq!(sqe.len, sys::IORING_POLL_ADD_MULTI);
//! ```

use core::ffi::c_void;

use bare_uring_sys::{epoll_event, io_uring_sqe};

use super::rw::{prep_rw, ptr_u64};

/// liburing's `__io_uring_prep_poll_mask`: the kernel reads
/// `poll32_events` as two swapped 16-bit halves on big-endian machines
/// (compatibility with the old 16-bit `poll_events`), so liburing swaps
/// them there (`__swahw32`); on little-endian it is the identity.
#[inline(always)]
const fn poll_mask(poll_mask: u32) -> u32 {
    #[cfg(target_endian = "big")]
    let poll_mask = poll_mask.rotate_left(16);
    poll_mask
}

/// Prepares a one-shot poll for `poll_mask` (`POLL*` events) on `fd`; the
/// CQE's `res` holds the ready events.
///
/// Mirrors `io_uring_prep_poll_add()` (liburing). The mask goes in
/// `poll32_events` (halves swapped on big-endian, as liburing does).
///
/// Opcode: `IORING_OP_POLL_ADD`, kernel 5.1+ (32-bit masks: 5.9+).
#[inline]
pub const fn poll_add(sqe: &mut io_uring_sqe, fd: i32, poll_mask: u32) {
    prep_rw(bare_uring_sys::IORING_OP_POLL_ADD, sqe, fd, 0, 0, 0);
    sqe.set_poll32_events(self::poll_mask(poll_mask));
}

/// Prepares a multishot poll: one CQE (with `IORING_CQE_F_MORE`) each time
/// `fd` becomes ready, until cancelled or an error ends it.
///
/// Mirrors `io_uring_prep_poll_multishot()` (liburing): [`poll_add`] with
/// `len = IORING_POLL_ADD_MULTI`.
///
/// Opcode: `IORING_OP_POLL_ADD`, kernel 5.13+.
#[inline]
pub const fn poll_multishot(sqe: &mut io_uring_sqe, fd: i32, poll_mask: u32) {
    poll_add(sqe, fd, poll_mask);
    sqe.len = bare_uring_sys::IORING_POLL_ADD_MULTI;
}

/// Prepares removing the poll request whose SQE had `user_data`.
///
/// Mirrors `io_uring_prep_poll_remove()` (liburing). The CQE's `res` is 0,
/// or `-ENOENT`/`-EALREADY` if no such poll is pending.
///
/// Opcode: `IORING_OP_POLL_REMOVE`, kernel 5.1+.
#[inline]
pub const fn poll_remove(sqe: &mut io_uring_sqe, user_data: u64) {
    prep_rw(bare_uring_sys::IORING_OP_POLL_REMOVE, sqe, -1, 0, 0, 0);
    sqe.set_addr(user_data);
}

/// Prepares updating the pending poll request `old_user_data`: its events
/// (with `IORING_POLL_UPDATE_EVENTS` in `flags`) and/or its `user_data`
/// (with `IORING_POLL_UPDATE_USER_DATA`), or turning it multishot
/// (`IORING_POLL_ADD_MULTI`).
///
/// Mirrors `io_uring_prep_poll_update()` (liburing). Layout: `flags` goes
/// in `len`, `new_user_data` in `off`, `old_user_data` in `addr`.
///
/// Opcode: `IORING_OP_POLL_REMOVE`, kernel 5.13+.
#[inline]
pub const fn poll_update(
    sqe: &mut io_uring_sqe,
    old_user_data: u64,
    new_user_data: u64,
    poll_mask: u32,
    flags: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_POLL_REMOVE,
        sqe,
        -1,
        0,
        flags,
        new_user_data,
    );
    sqe.set_addr(old_user_data);
    sqe.set_poll32_events(self::poll_mask(poll_mask));
}

/// Prepares an `epoll_ctl(2)`: `op` (`EPOLL_CTL_*`) for `fd` on epoll
/// instance `epfd`, with event `ev`.
///
/// Mirrors `io_uring_prep_epoll_ctl()` (liburing). Layout: `op` goes in
/// `len`, `fd` in `off` (converted to 32 bits first, so a negative `fd`
/// is zero-extended, not sign-extended).
///
/// Opcode: `IORING_OP_EPOLL_CTL`, kernel 5.6+.
///
/// # Memory
/// `ev` must point to an `epoll_event` valid for reads until the CQE
/// arrives (it may be null for `EPOLL_CTL_DEL`).
#[inline]
pub fn epoll_ctl(sqe: &mut io_uring_sqe, epfd: i32, fd: i32, op: i32, ev: *const epoll_event) {
    let ev = ptr_u64(ev.cast::<c_void>());
    prep_rw(
        bare_uring_sys::IORING_OP_EPOLL_CTL,
        sqe,
        epfd,
        ev,
        op as u32,
        fd as u32 as u64,
    );
}

/// Prepares an `epoll_wait(2)` on epoll instance `fd`: up to `maxevents`
/// events into `events`; the CQE's `res` is how many.
///
/// Mirrors `io_uring_prep_epoll_wait()` (liburing). Layout: `maxevents`
/// goes in `len`, `flags` in `rw_flags`.
///
/// Opcode: `IORING_OP_EPOLL_WAIT`, kernel 6.15+.
///
/// # Memory
/// `events` must point to `maxevents` `epoll_event`s valid for writes and
/// not otherwise accessed until the CQE arrives.
#[inline]
pub fn epoll_wait(
    sqe: &mut io_uring_sqe,
    fd: i32,
    events: *mut epoll_event,
    maxevents: i32,
    flags: u32,
) {
    prep_rw(
        bare_uring_sys::IORING_OP_EPOLL_WAIT,
        sqe,
        fd,
        ptr_u64(events),
        maxevents as u32,
        0,
    );
    sqe.set_rw_flags(flags as i32);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// liburing casts `fd` to `__u32` before it widens to `__u64` `off`.
    #[test]
    fn epoll_ctl_zero_extends_fd() {
        let mut sqe = io_uring_sqe::zeroed();
        epoll_ctl(&mut sqe, 5, -1, 2, core::ptr::null());
        assert_eq!(sqe.off(), 0xffff_ffff);
        assert_eq!((sqe.fd, sqe.len, sqe.opcode), (5, 2, 29));
    }

    #[test]
    fn poll_update_layout() {
        let mut sqe = io_uring_sqe::zeroed();
        poll_update(&mut sqe, 11, 22, 0x8001_0004, 6);
        assert_eq!((sqe.addr(), sqe.off(), sqe.len, sqe.fd), (11, 22, 6, -1));
        #[cfg(target_endian = "little")]
        assert_eq!(sqe.poll32_events(), 0x8001_0004);
    }
}
