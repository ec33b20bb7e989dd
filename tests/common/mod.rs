#![allow(dead_code)]
//! Helpers shared by the integration tests (`mod common;` in each test
//! file). Each test binary uses a subset, hence the `dead_code` allowance.

pub mod strategies;

use std::ptr::null_mut;

use bare_uring::cq::Cqe;
use bare_uring::sys::{
    __kernel_timespec, io_uring_sqe, iovec, msghdr, IORING_OP_NOP, IOSQE_BUFFER_SELECT_BIT,
};
use bare_uring::Ring;

/// `sqe.flags` bit: take the buffer from the SQE's buffer group.
pub const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;

/// Writes a NOP by hand (no `prep`), field by field, into `sqe`.
pub fn nop(sqe: &mut io_uring_sqe, user_data: u64) {
    sqe.opcode = IORING_OP_NOP as u8;
    sqe.fd = -1;
    sqe.set_off(0);
    sqe.set_addr(0);
    sqe.len = 0;
    sqe.set_nop_flags(0);
    sqe.user_data = user_data;
}

/// Waits (without a time limit) for a CQE, consumes it, returns its copy.
pub fn reap(ring: &mut Ring) -> Cqe {
    let c = ring.wait_cqe().expect("wait_cqe");
    ring.cqe_seen(&c);
    c
}

/// Fills one SQE with `f`, tags it `user_data`, submits it and waits
/// for its CQE, which must carry that `user_data`; returns the CQE.
pub fn submit_one(ring: &mut Ring, user_data: u64, f: impl FnOnce(&mut io_uring_sqe)) -> Cqe {
    // SAFETY: the request is `f`'s: whatever it points to must outlive this call, which reaps
    // its CQE before returning (a safe fn: callers must keep to this without `unsafe`).
    let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
    f(sqe);
    sqe.user_data = user_data;
    ring.submit_and_wait(1).expect("submit_and_wait");
    let c = reap(ring);
    assert_eq!(c.user_data, user_data);
    c
}

/// Waits up to `secs` seconds for a CQE without consuming it.
pub fn wait_within(ring: &mut Ring, secs: i64) -> Cqe {
    let ts = __kernel_timespec {
        tv_sec: secs,
        tv_nsec: 0,
    };
    ring.wait_cqe_timeout(Some(&ts))
        .unwrap_or_else(|e| panic!("no CQE within {secs} s: {e:?}"))
}

/// Waits up to `secs` seconds for a CQE, consumes it, returns its copy.
pub fn reap_within(ring: &mut Ring, secs: i64) -> Cqe {
    let cqe = wait_within(ring, secs);
    ring.cqe_seen(&cqe);
    cqe
}

/// An `iovec` over `b` (for requests that only read the memory).
pub fn iov(b: &[u8]) -> iovec {
    iovec {
        iov_base: b.as_ptr() as *mut _,
        iov_len: b.len(),
    }
}

/// An `iovec` over `b` (for requests that write into the memory).
pub fn iov_mut(b: &mut [u8]) -> iovec {
    iovec {
        iov_base: b.as_mut_ptr().cast(),
        iov_len: b.len(),
    }
}

/// A `msghdr` with no name or control buffer and no iovecs, but room
/// for a `namelen`-byte name and `controllen` bytes of control data (what
/// multishot recvmsg reads from it).
pub fn msghdr_for(namelen: u32, controllen: usize) -> msghdr {
    msghdr {
        msg_name: null_mut(),
        msg_namelen: namelen,
        msg_iov: null_mut(),
        msg_iovlen: 0,
        msg_control: null_mut(),
        msg_controllen: controllen,
        msg_flags: 0,
    }
}
