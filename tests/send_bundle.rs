//! `send`, `sendto` and `send_bundle` from provided buffers, and receive
//! bundles, on the live kernel (6.10+: IORING_FEAT_RECVSEND_BUNDLE).
//! Byte and message counts are checked exactly, in order.
//!
//! Run: `cargo test --test send_bundle`

use std::io::{Read, Write};
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::ptr::null_mut;

use bare_uring::buf_ring::{cqe_bid, BufRing};
use bare_uring::cq::Cqe;
use bare_uring::sys::{
    in_addr, sockaddr, sockaddr_in, IORING_CQE_F_MORE, IORING_FEAT_RECVSEND_BUNDLE,
    IORING_RECVSEND_BUNDLE, IOU_PBUF_RING_MMAP,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{msghdr_for, reap_within, IOSQE_BUFFER_SELECT};

/// A ring, skipping the test unless the kernel advertises
/// IORING_FEAT_RECVSEND_BUNDLE (6.10+, which also brought sends from
/// provided buffers).
fn ring_with_bundles() -> Ring {
    let ring = Ring::queue_init(16, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_RECVSEND_BUNDLE,
        "IORING_FEAT_RECVSEND_BUNDLE",
        "6.10",
    );
    ring
}

/// Message `i` of round `r`: distinct content and length.
fn msg(r: usize, i: usize) -> Vec<u8> {
    let len = 8 + (i * 13 + r * 5) % 50;
    (0..len).map(|k| (r * 31 + i * 7 + k) as u8).collect()
}

/// Fills buffer `bid` with `data` and stages it with exactly that length.
fn stage(br: &mut BufRing, bid: u16, data: &[u8]) {
    // SAFETY: buffer `bid` is ours: never pushed, or its send completed.
    let b = unsafe { br.buf_mut(bid) }.unwrap();
    b[..data.len()].copy_from_slice(data);
    br.push(bid, data.len() as u32).unwrap();
}

fn queue_send_select(ring: &mut Ring, fd: i32, bgid: u16, user_data: u64) {
    // SAFETY: no address in the SQE: the send takes a buffer from group `bgid`; callers
    // keep it registered, with its memory alive, until they reap the CQE.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::send(sqe, fd, std::ptr::null(), 0, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(bgid);
    sqe.user_data = user_data;
}

/// Plain sends selecting from a group send one buffer each, in ring order,
/// with the buffer's length; three rounds wrap the ring.
fn udp_send_from_buffer_group_in_order() {
    const N: usize = 8;
    let mut ring = ring_with_bundles();
    let mut mem = vec![0u8; N * 64];
    // SAFETY: `free` before `mem` drops.
    let mut br =
        unsafe { BufRing::setup(&ring, N as u32, 21, IOU_PBUF_RING_MMAP, &mut mem, 64) }.unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    tx.connect(rx.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 128];
    for r in 0..3 {
        // Stage in a shuffled bid order: sends follow ring order, not bids.
        let order: Vec<u16> = (0..N as u16)
            .map(|k| (k * 3 + r as u16) % N as u16)
            .collect();
        for (i, &bid) in order.iter().enumerate() {
            stage(&mut br, bid, &msg(r, i));
        }
        br.commit();
        for i in 0..N {
            queue_send_select(&mut ring, tx.as_raw_fd(), 21, i as u64);
        }
        assert_eq!(ring.submit().unwrap(), N as u32);
        let mut cqes: Vec<Cqe> = (0..N).map(|_| reap_within(&mut ring, 5)).collect();
        cqes.sort_by_key(|c| c.user_data);
        for (i, c) in cqes.iter().enumerate() {
            assert_eq!(c.res as usize, msg(r, i).len(), "round {r} send {i}");
            let bid = cqe_bid(c.flags).expect("buffer id on send CQE");
            assert_eq!(
                bid, order[i],
                "round {r}: send {i} used the {i}th staged buffer"
            );
            br.consume(c.res, c.flags).unwrap();
        }
        for i in 0..N {
            let n = rx.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], &msg(r, i)[..], "round {r} datagram {i}");
        }
    }
    rx.set_nonblocking(true).unwrap();
    assert!(rx.recv(&mut buf).is_err(), "nothing extra was sent");
    br.free().unwrap();
}

/// sendto with provided buffers on an unconnected socket.
fn udp_sendto_from_buffer_group() {
    let mut ring = ring_with_bundles();
    let mut mem = vec![0u8; 4 * 64];
    // SAFETY: `free` before `mem` drops.
    let mut br = unsafe { BufRing::setup(&ring, 4, 22, 0, &mut mem, 64) }.unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dst = sockaddr_in {
        sin_family: 2,
        sin_port: rx.local_addr().unwrap().port().to_be(),
        sin_addr: in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    for i in 0..4 {
        stage(&mut br, i as u16, &msg(9, i));
    }
    br.commit();
    for i in 0..4u64 {
        // SAFETY: sendto reads `dst` (a local of this test) and a buffer of group 22 (`mem`),
        // both alive past the four CQEs reaped below.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::sendto(
            sqe,
            tx.as_raw_fd(),
            std::ptr::null(),
            0,
            0,
            (&dst as *const sockaddr_in).cast::<sockaddr>(),
            16,
        );
        sqe.flags |= IOSQE_BUFFER_SELECT;
        sqe.set_buf_group(22);
        sqe.user_data = i;
    }
    ring.submit().unwrap();
    let mut cqes: Vec<Cqe> = (0..4).map(|_| reap_within(&mut ring, 5)).collect();
    cqes.sort_by_key(|c| c.user_data);
    for (i, c) in cqes.iter().enumerate() {
        assert_eq!(c.res as usize, msg(9, i).len());
        assert_eq!(cqe_bid(c.flags), Some(i as u16));
    }
    let mut buf = [0u8; 128];
    for i in 0..4 {
        let (n, from) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(from, tx.local_addr().unwrap());
        assert_eq!(&buf[..n], &msg(9, i)[..]);
    }
    br.free().unwrap();
}

/// One send_bundle sends every published buffer back to back: res is the
/// byte total, the CQE names the first buffer, and the next bundle starts
/// at the buffer after the last one used (computed from res).
fn stream_send_bundles() {
    const N: u16 = 8;
    let mut ring = ring_with_bundles();
    let mut mem = vec![0u8; N as usize * 64];
    // SAFETY: `free` before `mem` drops.
    let mut br = unsafe { BufRing::setup(&ring, N as u32, 23, 0, &mut mem, 64) }.unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    // Ring position where the next bundle must start, computed from res.
    let mut next_pos: u16 = 0;
    let mut total_sent = 0usize;
    let mut all = Vec::new();
    for r in 0..4 {
        // Round r publishes 3..=8 buffers, bids in a rotating order.
        let count = 3 + (r * 2) % 6;
        let order: Vec<u16> = (0..count as u16).map(|k| (k + r as u16 * 3) % N).collect();
        let mut want = Vec::new();
        for (i, &bid) in order.iter().enumerate() {
            let m = msg(r, i);
            want.extend_from_slice(&m);
            stage(&mut br, bid, &m);
        }
        br.commit();
        // SAFETY: no address in the SQE: the bundle sends buffers of group 23 (`mem`), which
        // outlives the CQE reaped just below.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::send_bundle(sqe, a.as_raw_fd(), 0, 0);
        sqe.flags |= IOSQE_BUFFER_SELECT;
        sqe.set_buf_group(23);
        ring.submit().unwrap();
        let c = reap_within(&mut ring, 5);
        assert_eq!(
            c.res as usize,
            want.len(),
            "round {r}: every staged byte sent"
        );
        assert_eq!(
            cqe_bid(c.flags),
            Some(order[0]),
            "round {r}: starts at first staged buffer"
        );
        let bundle = br.consume_bundle(c.res, c.flags).unwrap();
        assert_eq!(bundle.count as usize, count, "round {r}: buffers used");
        let used: Vec<(u16, u32)> = br.bundle_bufs(&bundle).collect();
        let want_used: Vec<(u16, u32)> = order
            .iter()
            .enumerate()
            .map(|(i, &bid)| (bid, msg(r, i).len() as u32))
            .collect();
        assert_eq!(used, want_used);
        assert_eq!(
            bundle.start, next_pos,
            "round {r}: starts where the last ended"
        );
        // Buffers used, from res and the lengths we staged (not from BufRing).
        let mut left = c.res as usize;
        let mut n = 0u16;
        while left > 0 {
            left -= msg(r, n as usize).len();
            n += 1;
        }
        next_pos = next_pos.wrapping_add(n);
        assert_eq!(br.tracked_head(), next_pos);
        let mut got = vec![0u8; want.len()];
        b.read_exact(&mut got).unwrap();
        assert_eq!(got, want, "round {r} bytes in order");
        total_sent += want.len();
        all.extend_from_slice(&want);
    }
    // Nothing more arrives.
    b.set_nonblocking(true).unwrap();
    let mut one = [0u8; 1];
    assert!(b.read(&mut one).is_err());
    println!("send bundles: 4 rounds, {total_sent} bytes");
    br.free().unwrap();
}

/// A bundle send with `len != 0`. Some kernels refuse it at prep time
/// (`EINVAL`: "buffer select and len"); kernel 6.18 accepts it and caps
/// each transfer at `len` bytes, posting several CQEs (IORING_CQE_F_MORE
/// on all but the last) and dropping the unsent tail of a buffer it cut.
/// Both behaviours are checked exactly.
fn send_bundle_with_len() {
    let mut ring = ring_with_bundles();
    let mut mem = vec![0u8; 4 * 64];
    // SAFETY: `free` before `mem` drops.
    let mut br = unsafe { BufRing::setup(&ring, 4, 24, 0, &mut mem, 64) }.unwrap();
    for bid in 0..3 {
        stage(&mut br, bid, b"hello");
    }
    br.commit();
    let (a, mut b) = UnixStream::pair().unwrap();
    // SAFETY: no address in the SQE: the bundle sends buffers of group 24 (`mem`), which
    // outlives the CQE reaped just below.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::send_bundle(sqe, a.as_raw_fd(), 3, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(24);
    ring.submit().unwrap();
    let c = reap_within(&mut ring, 5);
    if c.res == -Errno::EINVAL.0 {
        assert_eq!(br.available(), Ok(3), "no buffer consumed");
        println!("send_bundle with len 3: EINVAL");
    } else {
        assert_eq!(c.res, 3, "capped at len");
        assert_eq!(cqe_bid(c.flags), Some(0));
        assert_ne!(c.flags & IORING_CQE_F_MORE, 0, "more CQEs follow");
        let c2 = reap_within(&mut ring, 5);
        assert_eq!(
            (c2.res, cqe_bid(c2.flags)),
            (10, Some(1)),
            "then buffers 1 and 2"
        );
        assert_eq!(c2.flags & IORING_CQE_F_MORE, 0);
        let mut got = [0u8; 13];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"helhellohello", "buffer 0's tail is dropped");
        println!("send_bundle with len 3: 3 bytes + 10 bytes, \"lo\" dropped");
    }
    // sendmsg cannot bundle.
    let msg = msghdr_for(0, 0);
    // SAFETY: sendmsg reads `msg` (a local with no pointers), alive past the CQE reaped
    // just below.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::sendmsg(sqe, a.as_raw_fd(), &msg, 0);
    sqe.ioprio |= IORING_RECVSEND_BUNDLE as u16;
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(24);
    ring.submit().unwrap();
    let c = reap_within(&mut ring, 5);
    let e = Errno::from_res(c.res).unwrap_err();
    assert!(
        e == Errno::EINVAL || e == Errno::EOPNOTSUPP,
        "sendmsg bundle: {e:?}"
    );
    br.free().unwrap();
}

/// Receive bundles: one recv fills several buffers in ring order. The
/// kernel may hand a write over in more than one bundle (kernel 6.18 over
/// a Unix stream: 1000 bytes came as 768 + 232); every byte arrives once,
/// in order, each bundle filling whole buffers but its last.
fn stream_recv_bundles() {
    const BUF: usize = 256;
    let mut ring = ring_with_bundles();
    let mut mem = vec![0u8; 8 * BUF];
    // SAFETY: `free` before `mem` drops.
    let mut br = unsafe { BufRing::setup(&ring, 8, 25, 0, &mut mem, BUF as u32) }.unwrap();
    br.publish_all().unwrap();
    let (mut a, b) = UnixStream::pair().unwrap();
    let mut total = 0usize;
    let mut bundles = Vec::new();
    for (r, len) in [1000usize, 256, 1, 2047, 700].into_iter().enumerate() {
        let data: Vec<u8> = (0..len).map(|k| (k * 3 + r) as u8).collect();
        a.write_all(&data).unwrap();
        let mut got = Vec::new();
        while got.len() < len {
            // SAFETY: no address in the SQE: the recv fills buffers of group 25 (`mem`), which
            // outlives the CQE reaped just below.
            let sqe = unsafe { ring.get_sqe() }.unwrap();
            prep::recv(sqe, b.as_raw_fd(), null_mut(), 0, 0);
            sqe.ioprio |= IORING_RECVSEND_BUNDLE as u16;
            sqe.flags |= IOSQE_BUFFER_SELECT;
            sqe.set_buf_group(25);
            ring.submit().unwrap();
            let c = reap_within(&mut ring, 5);
            assert!(c.res > 0, "round {r}: {:?}", Errno::from_res(c.res));
            assert_eq!(c.flags & IORING_CQE_F_MORE, 0);
            let bundle = br.consume_bundle(c.res, c.flags).unwrap();
            assert_eq!(
                bundle.count as usize,
                (c.res as usize).div_ceil(BUF),
                "round {r}: buffers"
            );
            let parts: Vec<(u16, u32)> = br.bundle_bufs(&bundle).collect();
            for &(bid, n) in &parts {
                // SAFETY: the bundle's buffers were handed back by this CQE.
                got.extend_from_slice(&unsafe { br.buf(bid) }.unwrap()[..n as usize]);
            }
            for &(bid, _) in &parts {
                br.recycle(bid).unwrap();
            }
            bundles.push(c.res);
        }
        assert_eq!(got, data, "round {r} bytes in order, none extra");
        total += len;
    }
    println!("recv bundles: {total} bytes in bundles of {bundles:?}");
    br.free().unwrap();
}

common::harness::main! {
    udp_send_from_buffer_group_in_order,
    udp_sendto_from_buffer_group,
    stream_send_bundles,
    send_bundle_with_len,
    stream_recv_bundles,
}
