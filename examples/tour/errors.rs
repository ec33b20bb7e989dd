//! A scenario that provokes the documented errors of ring-to-ring messages
//! and provided buffers, and checks the kernel answers each as documented.

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

use crate::messages::pipe;
use crate::util::{next_cqe, sqe, Ctx, Fail, Outcome};

/// Submits one SQE prepared by `f` on `ring` and checks its CQE carries
/// `want`; returns "what: ERRNO" for the report.
///
/// # Safety
/// As [`crate::util::sqe`]: the request `f` writes points only to memory
/// that outlives this call (which reaps its CQE, or cancels it on a
/// timeout).
unsafe fn expect(
    ring: &mut Ring,
    what: &str,
    want: Errno,
    f: impl FnOnce(&mut io_uring_sqe),
) -> Result<String, Fail> {
    // SAFETY: forwarded to the caller.
    f(unsafe { sqe(ring, what) }?);
    let c = next_cqe(ring, what)?;
    match Errno::from_res(c.res) {
        Err(e) if e == want => Ok(format!("{what} {e:?}")),
        Err(e) => Err(Fail::Failed(format!("{what}: {e:?}, documented {want:?}"))),
        Ok(v) => Err(Fail::Failed(format!(
            "{what}: succeeded ({v}), documented {want:?}"
        ))),
    }
}

/// Each documented error of messages and provided buffers, provoked.
pub fn documented_errors() -> Outcome {
    let (_r, w) = pipe()?;
    let mut src = Ring::queue_init(4, 0).ctx("queue_init src")?;
    let dst = Ring::queue_init(4, 0).ctx("queue_init dst")?;
    let disabled = Ring::queue_init(4, IORING_SETUP_R_DISABLED).ctx("queue_init R_DISABLED")?;
    let (d, off) = (dst.ring_fd(), disabled.ring_fd());
    let wfd = w.as_raw_fd();
    let mut seen = Vec::new();
    // SAFETY: a MSG_RING message points to no memory.
    seen.push(unsafe {
        expect(&mut src, "target not a ring:", Errno::EBADFD, |s| {
            prep::msg_ring(s, wfd, 1, 1, 0)
        })
    }?);
    // SAFETY: as above.
    seen.push(unsafe {
        expect(&mut src, "disabled target:", Errno::EBADFD, |s| {
            prep::msg_ring(s, off, 1, 1, 0)
        })
    }?);
    // SAFETY: as above.
    seen.push(unsafe {
        expect(&mut src, "unknown flag:", Errno::EINVAL, |s| {
            prep::msg_ring(s, d, 1, 1, 0x80)
        })
    }?);
    // SAFETY: as above.
    seen.push(unsafe {
        expect(&mut src, "MSG_RING_CQE_SKIP on data:", Errno::EINVAL, |s| {
            prep::msg_ring(s, d, 1, 1, IORING_MSG_RING_CQE_SKIP)
        })
    }?);
    // fd passing: source slot 0 holds the pipe, slot 1 is empty; the
    // target's table has one slot.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { src.register_files(&[wfd, -1]) }.ctx("register_files")?;
    dst.register_files_sparse(1)
        .ctx("register_files_sparse(1)")?;
    let s_fd = src.ring_fd();
    // SAFETY: a MSG_RING fd message points to no memory (it names slots).
    seen.push(unsafe {
        expect(&mut src, "fd to itself:", Errno::EINVAL, |s| {
            prep::msg_ring_fd(s, s_fd, 0, 0, 1, 0)
        })
    }?);
    // SAFETY: as above.
    seen.push(unsafe {
        expect(&mut src, "empty source slot:", Errno::EBADF, |s| {
            prep::msg_ring_fd(s, d, 1, 0, 1, 0)
        })
    }?);
    // SAFETY: as above; it fills the target's only slot, as the owner of
    // both rings (this function) means it to.
    let s = unsafe { sqe(&mut src, "fill the target table") }?;
    prep::msg_ring_fd(s, d, 0, 0, 1, IORING_MSG_RING_CQE_SKIP);
    next_cqe(&mut src, "fill the target table")?
        .result()
        .ctx("fill the target table")?;
    // SAFETY: as above.
    seen.push(unsafe {
        expect(&mut src, "full target table:", Errno::ENFILE, |s| {
            prep::msg_ring_fd_alloc(s, d, 0, 1, 0)
        })
    }?);
    seen.push(empty_group(&mut src)?);
    Ok(seen.join(", "))
}

/// A receive selecting from a registered group with no buffer published.
fn empty_group(ring: &mut Ring) -> Result<String, Fail> {
    const BGID: u16 = 14;
    let (mut a, b) = UnixStream::pair().map_err(|e| Fail::Failed(format!("socketpair: {e}")))?;
    a.write_all(b"x")
        .map_err(|e| Fail::Failed(format!("write: {e}")))?;
    let br = ring.setup_buf_ring(2, BGID, 0).ctx("setup_buf_ring")?;
    let fd = b.as_raw_fd();
    // SAFETY: no address in the SQE: the receive selects from group BGID
    // (`br`), which is freed below only after this call reaped the CQE (or
    // cancelled the request).
    let r = unsafe {
        expect(
            ring,
            "recv from an empty buffer ring:",
            Errno::ENOBUFS,
            |s| {
                prep::recv(s, fd, std::ptr::null_mut(), 0, 0);
                s.flags |= IOSQE_BUFFER_SELECT;
                s.set_buf_group(BGID);
            },
        )
    };
    // SAFETY: set up above on this ring for BGID with 2 entries; the only
    // request that selected from it has completed.
    let freed = unsafe { ring.free_buf_ring(br, 2, BGID) };
    let r = r?;
    freed.ctx("free_buf_ring")?;
    Ok(r)
}
