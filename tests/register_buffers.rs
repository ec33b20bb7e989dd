//! Fixed buffer registration on the live kernel: dense, sparse, update
//! with tags, and READ_FIXED into a registered buffer.

use bare_uring::sys::iovec;
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{iov_mut, reap, submit_one};

/// READ_FIXED of `len` bytes from `fd` at `ptr`, buffer index `idx`.
fn read_fixed(ring: &mut Ring, fd: i32, ptr: *mut u8, len: u32, idx: i32) -> i32 {
    submit_one(ring, 0xf1, |sqe| {
        prep::read_fixed(sqe, fd, ptr.cast(), len, 0, idx)
    })
    .res
}

fn dense_read_fixed() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut a = vec![0u8; 4096];
    let mut b = vec![0u8; 8192];
    // SAFETY: a and b outlive the registration (unregistered below).
    unsafe { ring.register_buffers(&[iov_mut(&mut a), iov_mut(&mut b)]) }.unwrap();
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"into buffer one") }.unwrap();
    // Somewhere inside buffer 1.
    let p = b[100..].as_mut_ptr();
    assert_eq!(read_fixed(&mut ring, r, p, 64, 1), 15);
    assert_eq!(&b[100..115], b"into buffer one");
    assert!(a.iter().all(|&x| x == 0));
    // An address outside buffer 0's range is refused.
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"x") }.unwrap();
    let p = b.as_mut_ptr();
    assert_eq!(read_fixed(&mut ring, r, p, 1, 0), -Errno::EFAULT.0);
    // A buffer index past the table.
    assert_eq!(read_fixed(&mut ring, r, p, 1, 2), -Errno::EFAULT.0);
    // SAFETY: as above.
    assert_eq!(
        unsafe { ring.register_buffers(&[iov_mut(&mut a)]) },
        Err(Errno::EBUSY)
    );
    // SAFETY: every request naming a slot has completed (reaped above).
    unsafe { ring.unregister_buffers() }.unwrap();
    // SAFETY: nothing is registered or in flight.
    assert_eq!(unsafe { ring.unregister_buffers() }, Err(Errno::ENXIO));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn bad_arguments() {
    let ring = Ring::queue_init(4, 0).unwrap();
    // SAFETY: nothing is registered by these failing calls.
    unsafe {
        assert_eq!(ring.register_buffers(&[]), Err(Errno::EINVAL));
        let mut v = vec![0u8; 16];
        let no_len = iovec {
            iov_base: v.as_mut_ptr().cast(),
            iov_len: 0,
        };
        assert_eq!(ring.register_buffers(&[no_len]), Err(Errno::EFAULT));
        let huge = iovec {
            iov_base: v.as_mut_ptr().cast(),
            iov_len: (1 << 30) + 1,
        };
        assert_eq!(ring.register_buffers(&[huge]), Err(Errno::EFAULT));
        assert_eq!(
            ring.register_buffers_tags(&[iov_mut(&mut v)], &[]),
            Err(Errno::EINVAL)
        );
    }
    assert_eq!(ring.register_buffers_sparse(0), Err(Errno::EINVAL));
}

fn null_iovec_is_an_empty_slot() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let mut v = vec![0u8; 64];
    let empty = iovec {
        iov_base: core::ptr::null_mut(),
        iov_len: 0,
    };
    // SAFETY: v outlives the ring (dropped first below).
    unsafe { ring.register_buffers(&[empty, iov_mut(&mut v)]) }.unwrap();
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"zz") }.unwrap();
    let p = v.as_mut_ptr();
    assert_eq!(read_fixed(&mut ring, r, p, 2, 0), -Errno::EFAULT.0);
    assert_eq!(read_fixed(&mut ring, r, p, 2, 1), 2);
    assert_eq!(&v[..2], b"zz");
    drop(ring);
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn sparse_update_and_tags() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    common::skip_on(
        ring.register_buffers_sparse(4),
        &[Errno::EINVAL],
        "sparse buffer tables (IORING_RSRC_REGISTER_SPARSE) need Linux 5.19+",
    );
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    let mut buf = vec![0u8; 4096];
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"abc") }.unwrap();
    // Slot 2 is empty.
    let p = buf.as_mut_ptr();
    assert_eq!(read_fixed(&mut ring, r, p, 3, 2), -Errno::EFAULT.0);
    // SAFETY: buf outlives its registration (cleared below, then the ring
    // is dropped before buf).
    let n = unsafe { ring.register_buffers_update_tag(2, &[iov_mut(&mut buf)], Some(&[0xb0f])) };
    assert_eq!(n, Ok(1));
    assert_eq!(read_fixed(&mut ring, r, p, 3, 2), 3);
    assert_eq!(&buf[..3], b"abc");
    // Clearing the slot posts its tag.
    let empty = iovec {
        iov_base: core::ptr::null_mut(),
        iov_len: 0,
    };
    // SAFETY: no memory is installed.
    assert_eq!(
        unsafe { ring.register_buffers_update_tag(2, &[empty], None) },
        Ok(1)
    );
    let c = reap(&mut ring);
    assert_eq!((c.user_data, c.res), (0xb0f, 0));
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"d") }.unwrap();
    assert_eq!(read_fixed(&mut ring, r, p, 1, 2), -Errno::EFAULT.0);
    // Outside the table; mismatched tags.
    // SAFETY: these fail before installing anything.
    unsafe {
        assert_eq!(
            ring.register_buffers_update_tag(4, &[iov_mut(&mut buf)], None),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            ring.register_buffers_update_tag(0, &[iov_mut(&mut buf)], Some(&[])),
            Err(Errno::EINVAL)
        );
    }
    drop(ring);
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn clone_buffers_between_rings() {
    // A ring without buffers is no source: ENXIO where the kernel knows
    // IORING_REGISTER_CLONE_BUFFERS, EINVAL (unknown register op) before.
    let empty = Ring::queue_init(2, 0).unwrap();
    let third = Ring::queue_init(2, 0).unwrap();
    // SAFETY: fails before anything is registered.
    let r = unsafe { third.clone_buffers(&empty) };
    if r != Err(Errno::ENXIO) {
        common::skip_on(
            r,
            &[Errno::EINVAL],
            "IORING_REGISTER_CLONE_BUFFERS needs Linux 6.12+",
        );
        panic!("cloning from a ring without buffers succeeded");
    }
    let mut src = Ring::queue_init(4, 0).unwrap();
    let mut dst = Ring::queue_init(4, 0).unwrap();
    let mut a = vec![0u8; 64];
    let mut b = vec![0u8; 64];
    // SAFETY: a and b outlive both rings (dropped first below).
    unsafe { src.register_buffers(&[iov_mut(&mut a), iov_mut(&mut b)]) }.unwrap();
    // Through the source's registered index too (IORING_REGISTER_RING_FDS,
    // 5.18+; the library passes the index where FEAT_REG_REG_RING says so).
    src.register_ring_fd().unwrap();
    // SAFETY: as above.
    unsafe { dst.clone_buffers(&src) }.unwrap();
    // SAFETY: as above; dst has buffers now.
    assert_eq!(unsafe { dst.clone_buffers(&src) }, Err(Errno::EBUSY));
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"cloned") }.unwrap();
    let p = b.as_mut_ptr();
    assert_eq!(read_fixed(&mut dst, r, p, 6, 1), 6);
    assert_eq!(&b[..6], b"cloned");
    drop((src, dst));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

common::harness::main! {
    dense_read_fixed,
    bad_arguments,
    null_iovec_is_an_empty_slot,
    sparse_update_and_tags,
    clone_buffers_between_rings,
}
