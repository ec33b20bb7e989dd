//! Helpers shared by the examples (`#[path = "common/mod.rs"] mod common;`).

use std::ptr::null_mut;

use uring_core::sys::msghdr;

/// A `msghdr` with no name, control or iovec.
pub fn empty_msghdr() -> msghdr {
    msghdr {
        msg_name: null_mut(),
        msg_namelen: 0,
        msg_iov: null_mut(),
        msg_iovlen: 0,
        msg_control: null_mut(),
        msg_controllen: 0,
        msg_flags: 0,
    }
}
