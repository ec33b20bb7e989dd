//! [`RingFile`]: a [`BufRing`](super::BufRing)'s own duplicate of the ring
//! fd, through which it reaches the group it registered, and which keeps
//! the ring file (and so the group) alive as long as the `BufRing`.

use core::ptr;

use bare_uring_sys::{
    io_uring_buf_reg, io_uring_buf_status, IORING_REGISTER_PBUF_STATUS, IORING_UNREGISTER_PBUF_RING,
};

use crate::syscall::{close, dupfd_cloexec, io_uring_register};
use crate::{Errno, Ring};

/// An owned duplicate (`F_DUPFD_CLOEXEC`) of a ring's fd. Closed on drop.
#[derive(Debug)]
pub(super) struct RingFile {
    fd: i32,
}

impl RingFile {
    /// Duplicates `ring`'s fd. `EBADF` when the ring has no real fd
    /// (IORING_SETUP_REGISTERED_FD_ONLY, or after `close_ring_fd`);
    /// `EMFILE` when the process has no free fd.
    pub(super) fn dup(ring: &Ring) -> Result<Self, Errno> {
        let fd = ring.ring_fd();
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        // SAFETY: `fd` is the ring's own fd, open while `ring` is borrowed.
        let fd = unsafe { dupfd_cloexec(fd) }?;
        Ok(RingFile { fd })
    }

    /// No file (`fd` -1): for [`BufRing::detached`](super::BufRing::detached),
    /// which never reaches the kernel. Every call fails with `EBADF`; drop
    /// closes nothing.
    pub(super) fn none() -> Self {
        RingFile { fd: -1 }
    }

    /// `IORING_UNREGISTER_PBUF_RING` for group `bgid` of this ring file.
    ///
    /// Errors: `ENOENT` no such group, `EEXIST` called from a thread other
    /// than the submitter of an IORING_SETUP_SINGLE_ISSUER ring, `EACCES`
    /// forbidden by registration restrictions.
    pub(super) fn unregister_group(&self, bgid: u16) -> Result<(), Errno> {
        if self.fd < 0 {
            return Err(Errno::EBADF);
        }
        let reg = io_uring_buf_reg {
            bgid,
            ..Default::default()
        };
        // SAFETY: the kernel copies one `io_uring_buf_reg` during the call;
        // unregistering lends no memory.
        unsafe {
            io_uring_register(
                self.fd,
                IORING_UNREGISTER_PBUF_RING,
                ptr::from_ref(&reg).cast(),
                1,
            )
        }
        .map(|_| ())
    }

    /// The kernel's consumer head of group `bgid` (`IORING_REGISTER_PBUF_STATUS`,
    /// kernel 6.8+). Errors: `ENOENT` no such group, `EINVAL` not a ring.
    pub(super) fn group_head(&self, bgid: u16) -> Result<u16, Errno> {
        if self.fd < 0 {
            return Err(Errno::EBADF);
        }
        let mut st = io_uring_buf_status {
            buf_group: u32::from(bgid),
            head: 0,
            resv: [0; 8],
        };
        // SAFETY: the kernel reads and writes `st` during the call.
        unsafe {
            io_uring_register(
                self.fd,
                IORING_REGISTER_PBUF_STATUS,
                ptr::from_mut(&mut st).cast_const().cast(),
                1,
            )
        }?;
        Ok(st.head as u16)
    }
}

impl Drop for RingFile {
    fn drop(&mut self) {
        if self.fd >= 0 {
            // SAFETY: the fd is our own duplicate and this is its last use.
            let _ = unsafe { close(self.fd) };
        }
    }
}
