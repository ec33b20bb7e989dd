//! Provided buffer rings: kernel-allocated (IOU_PBUF_RING_MMAP) and caller
//! memory, consumption seen through buffer-select reads and
//! `buf_ring_head`, incremental consumption (IOU_PBUF_RING_INC), errors.

use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_mask};
use bare_uring::cq::Cqe;
use bare_uring::sys::{
    io_uring_buf_reg, io_uring_buf_ring, IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER,
    IORING_CQE_F_BUF_MORE, IOSQE_BUFFER_SELECT_BIT, IOU_PBUF_RING_INC, IOU_PBUF_RING_MMAP,
};
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};
use core::ptr::NonNull;

mod common;
use common::pbuf::{
    assert_group, has_buf_ring_status, require_buf_ring, require_buf_ring_flag,
    require_buf_ring_status,
};
use common::reap;

/// A buffer-select read of up to `len` bytes from `fd` using group `bgid`.
fn select_read(ring: &mut Ring, fd: i32, len: u32, bgid: u16) -> Cqe {
    // SAFETY: no address in the SQE: the read fills a buffer of group `bgid` (the
    // caller's, alive through this call), and the CQE is reaped before returning.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::read(sqe, fd, core::ptr::null_mut(), len, 0);
    sqe.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
    sqe.set_buf_group(bgid);
    sqe.user_data = 0xb5;
    ring.submit_and_wait(1).unwrap();
    reap(ring)
}

/// Publishes `bufs` (ids 0..n) into a ring of `entries` entries.
fn publish(br: NonNull<io_uring_buf_ring>, entries: u32, bufs: &mut [Vec<u8>]) {
    let mask = buf_ring_mask(entries);
    for (i, b) in bufs.iter_mut().enumerate() {
        // SAFETY: br is a live ring of `entries` entries; the buffers outlive
        // every read in the test.
        unsafe {
            buf_ring_add(
                br.as_ptr(),
                b.as_mut_ptr().cast(),
                b.len() as u32,
                i as u16,
                mask,
                i as i32,
            )
        };
    }
    // SAFETY: as above; release-publishes the new tail.
    unsafe { buf_ring_advance(br.as_ptr(), bufs.len() as i32) };
}

fn consume_two_then_enobufs(flags: u32) {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let bgid = 3;
    let br = ring.setup_buf_ring(8, bgid, flags).unwrap();
    let mut bufs = vec![vec![0u8; 32], vec![0u8; 32]];
    publish(br, 8, &mut bufs);
    assert_group(&ring, bgid, Ok(0), "fresh group");
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    for (i, msg) in [&b"first"[..], b"second"].iter().enumerate() {
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        unsafe { write(w, msg) }.unwrap();
        let c = select_read(&mut ring, r, 32, bgid);
        assert_eq!(c.res, msg.len() as i32);
        assert_ne!(c.flags & IORING_CQE_F_BUFFER, 0);
        let bid = (c.flags >> IORING_CQE_BUFFER_SHIFT) as usize;
        assert_eq!(bid, i);
        assert_eq!(&bufs[bid][..msg.len()], *msg);
        assert_group(&ring, bgid, Ok(i as u16 + 1), "head after a read");
    }
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"x") }.unwrap();
    assert_eq!(select_read(&mut ring, r, 32, bgid).res, -Errno::ENOBUFS.0);
    // SAFETY: from setup_buf_ring on this ring; no request uses it now.
    unsafe { ring.free_buf_ring(br, 8, bgid) }.unwrap();
    assert_group(&ring, bgid, Err(Errno::ENOENT), "freed");
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn kernel_allocated_ring() {
    require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    consume_two_then_enobufs(IOU_PBUF_RING_MMAP);
}

fn caller_memory_ring() {
    require_buf_ring();
    consume_two_then_enobufs(0);
}

fn incremental_consumption() {
    require_buf_ring_flag(IOU_PBUF_RING_INC, "IOU_PBUF_RING_INC", "6.12");
    // 6.12+: kernel-allocated rings (6.4+) and the status query (6.8+) too.
    require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    require_buf_ring_status();
    for mmap in [0, IOU_PBUF_RING_MMAP] {
        let mut ring = Ring::queue_init(8, 0).unwrap();
        let br = ring.setup_buf_ring(4, 9, IOU_PBUF_RING_INC | mmap).unwrap();
        let mut bufs = vec![vec![0u8; 64]];
        publish(br, 4, &mut bufs);
        let [r, w] = pipe2(O_CLOEXEC).unwrap();
        let mut at = 0;
        for msg in [&b"0123456789"[..], b"abcde"] {
            // SAFETY: the fd is open and owned here for the call (I/O safety).
            unsafe { write(w, msg) }.unwrap();
            let c = select_read(&mut ring, r, 64, 9);
            assert_eq!(c.res, msg.len() as i32);
            assert_eq!(c.flags >> IORING_CQE_BUFFER_SHIFT, 0);
            // Part of buffer 0 is left: the kernel keeps it.
            assert_ne!(c.flags & IORING_CQE_F_BUF_MORE, 0, "flags {:#x}", c.flags);
            assert_eq!(&bufs[0][at..at + msg.len()], msg);
            at += msg.len();
            assert_eq!(ring.buf_ring_head(9), Ok(0));
        }
        // SAFETY: as in consume_two_then_enobufs.
        unsafe { ring.free_buf_ring(br, 4, 9) }.unwrap();
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { close(r) }.unwrap();
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { close(w) }.unwrap();
    }
}

/// Refusals on caller memory (5.19+).
fn errors() {
    require_buf_ring();
    let ring = Ring::queue_init(8, 0).unwrap();
    let br = ring.setup_buf_ring(4, 1, 0).unwrap();
    assert_eq!(ring.setup_buf_ring(4, 1, 0).err(), Some(Errno::EEXIST));
    assert_eq!(ring.setup_buf_ring(3, 2, 0).err(), Some(Errno::EINVAL));
    assert_eq!(ring.setup_buf_ring(65536, 2, 0).err(), Some(Errno::EINVAL));
    assert_eq!(ring.setup_buf_ring(4, 2, 0x80).err(), Some(Errno::EINVAL));
    // Caller memory: no address, or not page aligned.
    let reg = io_uring_buf_reg {
        ring_addr: 0,
        ring_entries: 4,
        bgid: 2,
        ..Default::default()
    };
    // SAFETY: the kernel refuses before using any memory.
    assert_eq!(
        unsafe { ring.register_buf_ring(&reg, 0) },
        Err(Errno::EFAULT)
    );
    let reg = io_uring_buf_reg {
        ring_addr: 4096 + 8,
        ..reg
    };
    // SAFETY: as above.
    assert_eq!(
        unsafe { ring.register_buf_ring(&reg, 0) },
        Err(Errno::EINVAL)
    );
    // No such group. An id of 64 or more: kernels that kept ids below 64
    // in an array (6.1 among them) answer EINVAL, not ENOENT, for an
    // unused slot of it once any low group was registered.
    // SAFETY: no such group: nothing is unregistered.
    assert_eq!(unsafe { ring.unregister_buf_ring(700) }, Err(Errno::ENOENT));
    if has_buf_ring_status() {
        assert_eq!(ring.buf_ring_head(700), Err(Errno::ENOENT));
    }
    // SAFETY: from setup_buf_ring; unused.
    unsafe { ring.free_buf_ring(br, 4, 1) }.unwrap();
    // The group id is free again.
    let br = ring.setup_buf_ring(4, 1, 0).unwrap();
    // SAFETY: as above.
    unsafe { ring.free_buf_ring(br, 4, 1) }.unwrap();
}

/// Refusals around kernel-allocated rings (IOU_PBUF_RING_MMAP, 6.4+).
fn errors_kernel_allocated() {
    require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    let ring = Ring::queue_init(8, 0).unwrap();
    let br = ring.setup_buf_ring(4, 1, IOU_PBUF_RING_MMAP).unwrap();
    assert_eq!(ring.setup_buf_ring(4, 1, 0).err(), Some(Errno::EEXIST));
    assert_eq!(
        ring.setup_buf_ring(4, 1, IOU_PBUF_RING_MMAP).err(),
        Some(Errno::EEXIST)
    );
    assert_eq!(
        ring.setup_buf_ring(65536, 2, IOU_PBUF_RING_MMAP).err(),
        Some(Errno::EINVAL)
    );
    // MMAP with an address: kernels before the region rework (6.4..6.12
    // at least) say EINVAL; newer ones (6.18) ignore the address and
    // allocate the ring themselves. Either is the kernel's documented
    // answer; anything else fails.
    let reg = io_uring_buf_reg {
        ring_addr: 4096,
        ring_entries: 4,
        bgid: 2,
        ..Default::default()
    };
    // SAFETY: with MMAP the kernel does not use ring_addr.
    match unsafe { ring.register_buf_ring(&reg, IOU_PBUF_RING_MMAP) } {
        Ok(()) => {
            println!("MMAP with an address: the address is ignored");
            assert_group(&ring, 2, Ok(0), "registered, address ignored");
            // SAFETY: a group this test registered by hand; no BufRing owns it.
            unsafe { ring.unregister_buf_ring(2) }.unwrap();
        }
        Err(Errno::EINVAL) => {
            println!("MMAP with an address: refused (EINVAL)");
            assert_group(&ring, 2, Err(Errno::ENOENT), "nothing registered");
        }
        Err(e) => panic!("MMAP with an address: {e:?}"),
    }
    // SAFETY: from setup_buf_ring; unused.
    unsafe { ring.free_buf_ring(br, 4, 1) }.unwrap();
    // The group id is free again.
    let br = ring.setup_buf_ring(4, 1, IOU_PBUF_RING_MMAP).unwrap();
    // SAFETY: as above.
    unsafe { ring.free_buf_ring(br, 4, 1) }.unwrap();
}

common::harness::main! {
    kernel_allocated_ring,
    caller_memory_ring,
    incremental_consumption,
    errors,
    errors_kernel_allocated,
}
