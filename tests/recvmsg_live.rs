//! `recvmsg` / `recvmsg_multishot` with a provided buffer ring, on the live
//! kernel, over UDP on 127.0.0.1 and Unix datagram socketpairs. Each CQE's
//! buffer is parsed with `bare_uring::recvmsg_out`; counts and order are
//! checked exactly.
//!
//! Run: `cargo test --test recvmsg_live`

use std::ffi::c_void;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::ptr::null_mut;

use bare_uring::buf_ring::{cqe_bid, BufRing};
use bare_uring::recvmsg_out::{RecvMsgOut, MSG_TRUNC};
use bare_uring::sys::{iovec, msghdr, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE, IOU_PBUF_RING_MMAP};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::pbuf::{
    has_buf_ring_flag, has_buf_ring_status, require_buf_ring, require_buf_ring_flag,
};
use common::{msghdr_for, reap_within, skip_on_res, IOSQE_BUFFER_SELECT};

/// Skips the test when a multishot recvmsg's first CQE says EINVAL: the
/// kernel lacks IORING_RECV_MULTISHOT (6.0+).
fn multishot_or_skip(res: i32) {
    skip_on_res(
        res,
        &[Errno::EINVAL],
        "multishot recvmsg (IORING_RECV_MULTISHOT) needs Linux 6.0+ (its CQE: EINVAL)",
    );
}

const SOL_IP: i32 = 0;
const IP_RECVORIGDSTADDR: i32 = 20;
const IP_ORIGDSTADDR: i32 = 20;
const SOL_SOCKET: i32 = 1;
const SO_PASSCRED: i32 = 16;
const SCM_CREDENTIALS: i32 = 2;
const AF_INET: u16 = 2;
const AF_UNIX: u16 = 1;

extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, val: *const c_void, len: u32) -> i32;
    fn getpid() -> i32;
    fn getuid() -> u32;
}

fn set_int_opt(fd: i32, level: i32, name: i32, v: i32) {
    // SAFETY: `v` lives across the call; the kernel copies 4 bytes.
    let r = unsafe { setsockopt(fd, level, name, (&v as *const i32).cast(), 4) };
    assert_eq!(r, 0, "setsockopt({level}, {name})");
}

/// Queues a multishot recvmsg on `fd` selecting from `bgid`.
fn arm_multishot(ring: &mut Ring, fd: i32, msg: &mut msghdr, bgid: u16, user_data: u64) {
    // SAFETY: the recvmsg reads `msg` and fills buffers of group `bgid`; callers keep
    // both alive until the final CQE or drop the ring first.
    let sqe = unsafe { ring.get_sqe() }.expect("SQ slot");
    prep::recvmsg_multishot(sqe, fd, msg, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(bgid);
    sqe.user_data = user_data;
    assert_eq!(ring.submit().unwrap(), 1);
}

/// Decodes a `sockaddr_in` as (port, ip).
fn sin(b: &[u8]) -> (u16, [u8; 4]) {
    assert!(b.len() >= 8, "short sockaddr_in: {b:?}");
    assert_eq!(u16::from_ne_bytes([b[0], b[1]]), AF_INET);
    (u16::from_be_bytes([b[2], b[3]]), [b[4], b[5], b[6], b[7]])
}

fn payload(i: usize) -> Vec<u8> {
    format!("datagram {i:03} ").repeat(1 + i % 5).into_bytes()
}

fn udp_multishot_recvmsg_addresses_cmsgs_payloads() {
    const N: usize = 40;
    require_buf_ring();
    // A kernel-allocated ring where the kernel has them (6.4+), else one
    // in our memory: the recvmsg side is the same.
    let flags = if has_buf_ring_flag(IOU_PBUF_RING_MMAP) {
        IOU_PBUF_RING_MMAP
    } else {
        0
    };
    let mut ring = Ring::queue_init(16, 0).unwrap();
    let mut mem = vec![0u8; 8 * 512];
    // SAFETY: `free` runs before `mem` is dropped.
    let mut br = unsafe { BufRing::setup(&ring, 8, 3, flags, &mut mem, 512) }.unwrap();
    br.publish_all().unwrap();

    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    set_int_opt(rx.as_raw_fd(), SOL_IP, IP_RECVORIGDSTADDR, 1);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let rx_port = rx.local_addr().unwrap().port();
    let tx_port = tx.local_addr().unwrap().port();

    let mut msg = msghdr_for(16, 64);
    arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 7);

    let mut got = 0usize;
    let mut rearms = 0;
    for i in 0..N {
        tx.send_to(&payload(i), ("127.0.0.1", rx_port)).unwrap();
        let cqe = reap_within(&mut ring, 5);
        assert_eq!(cqe.user_data, 7);
        if i == 0 {
            multishot_or_skip(cqe.res);
        }
        assert!(cqe.res > 0, "datagram {i}: {:?}", Errno::from_res(cqe.res));
        let c = br.consume(cqe.res, cqe.flags).expect("buffer id in CQE");
        {
            // SAFETY: the CQE handed buffer `c.bid` back; not recycled yet.
            let data = unsafe { br.data(&c) };
            let out = RecvMsgOut::new(data, &msg).expect("valid recvmsg_out");
            assert_eq!(sin(out.name()), (tx_port, [127, 0, 0, 1]));
            assert_eq!(out.namelen(), 16);
            let cms: Vec<_> = out.cmsgs().collect();
            assert_eq!(cms.len(), 1, "one IP_ORIGDSTADDR cmsg");
            assert_eq!((cms[0].level, cms[0].ty), (SOL_IP, IP_ORIGDSTADDR));
            assert_eq!(sin(cms[0].data), (rx_port, [127, 0, 0, 1]));
            assert_eq!(out.payload(), &payload(i)[..], "datagram {i} in order");
            assert_eq!(out.payloadlen() as usize, payload(i).len());
            assert_eq!(out.flags() & MSG_TRUNC, 0);
        }
        got += 1;
        br.recycle(c.bid).unwrap();
        if cqe.flags & IORING_CQE_F_MORE == 0 {
            // The kernel may end a multishot request at any time: re-arm.
            arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 7);
            rearms += 1;
        }
    }
    assert_eq!(got, N);
    println!("udp multishot recvmsg: {got} datagrams, {rearms} re-arms");
    // Dropping the ring cancels the multishot request; then the BufRing
    // (its mapping) and `mem` may go.
    drop(ring);
    drop(br);
}

/// ENOBUFS ends the multishot request (no F_MORE); after recycling and
/// re-arming, the queued datagrams arrive, none lost or duplicated.
fn udp_multishot_enobufs_then_rearm() {
    const N: usize = 10;
    const NBUF: usize = 4;
    require_buf_ring();
    let status = has_buf_ring_status();
    let mut ring = Ring::queue_init(16, 0).unwrap();
    let mut mem = vec![0u8; NBUF * 256];
    // SAFETY: `free` runs before `mem` is dropped.
    let mut br = unsafe { BufRing::setup(&ring, NBUF as u32, 4, 0, &mut mem, 256) }.unwrap();
    br.publish_all().unwrap();

    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let rx_addr = rx.local_addr().unwrap();
    for i in 0..N {
        tx.send_to(&payload(i), rx_addr).unwrap();
    }
    let mut msg = msghdr_for(16, 0);
    arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 1);

    let mut next = 0usize;
    let mut enobufs = 0;
    let mut held = Vec::new();
    let mut first = true;
    while next < N {
        let cqe = reap_within(&mut ring, 5);
        if first {
            multishot_or_skip(cqe.res);
            first = false;
        }
        if cqe.res == -Errno::ENOBUFS.0 {
            assert_eq!(cqe.flags & IORING_CQE_F_MORE, 0, "ENOBUFS ends the request");
            assert_eq!(cqe.flags & IORING_CQE_F_BUFFER, 0);
            assert_eq!(held.len(), NBUF, "ring ran dry after {NBUF} buffers");
            if status {
                assert_eq!(br.available(), Ok(0));
            }
            enobufs += 1;
            for bid in held.drain(..) {
                br.recycle(bid).unwrap();
            }
            if status {
                assert_eq!(br.available(), Ok(NBUF as u16));
            }
            arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 1);
            continue;
        }
        assert!(cqe.res > 0, "{:?}", Errno::from_res(cqe.res));
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        // SAFETY: handed back by this CQE, not recycled yet.
        let out = RecvMsgOut::new(unsafe { br.data(&c) }, &msg).unwrap();
        assert_eq!(out.payload(), &payload(next)[..]);
        next += 1;
        held.push(c.bid); // do not recycle: let the ring run dry
        if cqe.flags & IORING_CQE_F_MORE == 0 && next < N {
            for bid in held.drain(..) {
                br.recycle(bid).unwrap();
            }
            arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 1);
        }
    }
    assert!(
        enobufs >= 1,
        "the ring of {NBUF} must run dry for {N} datagrams"
    );
    println!("{N} datagrams over {NBUF} buffers, {enobufs} ENOBUFS + re-arm");
    // Nothing more is queued: a non-blocking read finds nothing.
    rx.set_nonblocking(true).unwrap();
    let mut b = [0u8; 64];
    assert!(rx.recv(&mut b).is_err());
    drop(ring);
}

/// A payload longer than the buffer's room: MSG_TRUNC in the header's
/// flags, the payload holds what fitted. The header's payloadlen is the
/// bytes received (24) unless MSG_TRUNC is passed as a recv flag, in which
/// case it is the datagram's full length (100), as with recvmsg(2).
fn udp_multishot_truncated_payload() {
    require_buf_ring();
    for (recv_flags, want_payloadlen) in [(0u32, 24u32), (MSG_TRUNC, 100)] {
        let mut ring = Ring::queue_init(8, 0).unwrap();
        // 16 header + 16 name + 0 control + 24 payload bytes.
        let mut mem = vec![0u8; 2 * 56];
        // SAFETY: `free` runs before `mem` is dropped.
        let mut br = unsafe { BufRing::setup(&ring, 2, 5, 0, &mut mem, 56) }.unwrap();
        br.publish_all().unwrap();
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let big: Vec<u8> = (0..100u8).collect();
        tx.send_to(&big, rx.local_addr().unwrap()).unwrap();
        let mut msg = msghdr_for(16, 0);
        // SAFETY: `msg` (no name/control pointers) lives to the end of this iteration; data
        // goes into `br`'s group, unregistered by `free` before `mem` drops.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::recvmsg_multishot(sqe, rx.as_raw_fd(), &mut msg, recv_flags);
        sqe.flags |= IOSQE_BUFFER_SELECT;
        sqe.set_buf_group(br.bgid());
        ring.submit().unwrap();
        let cqe = reap_within(&mut ring, 5);
        multishot_or_skip(cqe.res);
        assert_eq!(cqe.res, 56, "header + name + 24 payload bytes");
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        // SAFETY: handed back by this CQE.
        let out = RecvMsgOut::new(unsafe { br.data(&c) }, &msg).unwrap();
        assert!(
            out.is_truncated(),
            "MSG_TRUNC with recv flags {recv_flags:#x}"
        );
        assert_eq!(
            out.payloadlen(),
            want_payloadlen,
            "recv flags {recv_flags:#x}"
        );
        assert_eq!(out.payload(), &big[..24]);
        br.recycle(c.bid).unwrap();
        br.free().unwrap();
    }
}

/// Unix datagram socketpair with SO_PASSCRED: the name is empty (unbound
/// peer) and each buffer carries an SCM_CREDENTIALS cmsg with our pid/uid.
fn unix_multishot_recvmsg_credentials() {
    const N: usize = 25;
    require_buf_ring();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut mem = vec![0u8; 4 * 256];
    // SAFETY: `free` runs before `mem` is dropped.
    let mut br = unsafe { BufRing::setup(&ring, 4, 6, 0, &mut mem, 256) }.unwrap();
    br.publish_all().unwrap();
    let (a, b) = UnixDatagram::pair().unwrap();
    set_int_opt(b.as_raw_fd(), SOL_SOCKET, SO_PASSCRED, 1);
    let mut msg = msghdr_for(110, 32);
    arm_multishot(&mut ring, b.as_raw_fd(), &mut msg, br.bgid(), 9);
    // SAFETY: plain libc getters.
    let (pid, uid) = unsafe { (getpid(), getuid()) };
    let mut rearms = 0;
    for i in 0..N {
        a.send(&payload(i)).unwrap();
        let cqe = reap_within(&mut ring, 5);
        if i == 0 {
            multishot_or_skip(cqe.res);
        }
        assert!(cqe.res > 0, "{:?}", Errno::from_res(cqe.res));
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        {
            // SAFETY: handed back by this CQE.
            let out = RecvMsgOut::new(unsafe { br.data(&c) }, &msg).unwrap();
            // An unbound sender: at most the address family.
            assert!(out.name().len() <= 2, "name {:?}", out.name());
            if out.name().len() == 2 {
                assert_eq!(u16::from_ne_bytes([out.name()[0], out.name()[1]]), AF_UNIX);
            }
            let cms: Vec<_> = out.cmsgs().collect();
            assert_eq!(cms.len(), 1);
            assert_eq!((cms[0].level, cms[0].ty), (SOL_SOCKET, SCM_CREDENTIALS));
            let d = cms[0].data;
            assert_eq!(d.len(), 12, "struct ucred");
            assert_eq!(i32::from_ne_bytes(d[0..4].try_into().unwrap()), pid);
            assert_eq!(u32::from_ne_bytes(d[4..8].try_into().unwrap()), uid);
            assert_eq!(out.payload(), &payload(i)[..]);
        }
        br.recycle(c.bid).unwrap();
        if cqe.flags & IORING_CQE_F_MORE == 0 {
            arm_multishot(&mut ring, b.as_raw_fd(), &mut msg, br.bgid(), 9);
            rearms += 1;
        }
    }
    println!("unix multishot recvmsg: {N} datagrams with credentials, {rearms} re-arms");
    drop(ring);
}

/// Single-shot recvmsg with a provided buffer: the buffer holds only the
/// payload; the name goes to `msg_name` as with recvmsg(2).
fn udp_single_recvmsg_provided_buffer() {
    require_buf_ring();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut mem = vec![0u8; 2 * 128];
    // SAFETY: `free` runs before `mem` is dropped.
    let mut br = unsafe { BufRing::setup(&ring, 2, 8, 0, &mut mem, 128) }.unwrap();
    br.publish_all().unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx_port = tx.local_addr().unwrap().port();
    let mut name = [0u8; 16];
    // The iovec's base is ignored: the kernel uses the selected buffer.
    let mut iov = iovec {
        iov_base: null_mut(),
        iov_len: 128,
    };
    let mut msg = msghdr_for(16, 0);
    msg.msg_name = name.as_mut_ptr().cast();
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    for i in 0..3 {
        tx.send_to(&payload(i), rx.local_addr().unwrap()).unwrap();
        // SAFETY: `msg`, `name` and `iov` (locals of this test) outlive the CQE reaped just
        // below; data goes into `br`'s group.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::recvmsg(sqe, rx.as_raw_fd(), &mut msg, 0);
        sqe.flags |= IOSQE_BUFFER_SELECT;
        sqe.set_buf_group(br.bgid());
        ring.submit().unwrap();
        let cqe = reap_within(&mut ring, 5);
        assert_eq!(cqe.res as usize, payload(i).len());
        assert_eq!(cqe.flags & IORING_CQE_F_MORE, 0);
        let bid = cqe_bid(cqe.flags).expect("buffer selected");
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        assert_eq!(c.bid, bid);
        // SAFETY: handed back by this CQE.
        assert_eq!(unsafe { br.data(&c) }, &payload(i)[..]);
        assert_eq!(sin(&name), (tx_port, [127, 0, 0, 1]));
        br.recycle(bid).unwrap();
    }
    br.free().unwrap();
}

/// A single-shot receive when no buffer is published fails with ENOBUFS.
fn recv_with_empty_ring_is_enobufs() {
    require_buf_ring();
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let mut mem = vec![0u8; 4 * 64];
    // SAFETY: `free` runs before `mem` is dropped.
    let br = unsafe { BufRing::setup(&ring, 4, 9, 0, &mut mem, 64) }.unwrap();
    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"x").unwrap();
    // SAFETY: no address in the SQE; the group is empty (ENOBUFS) and the CQE is reaped
    // below, before `free`.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::recv(sqe, b.as_raw_fd(), null_mut(), 0, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(br.bgid());
    ring.submit().unwrap();
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(Errno::from_res(cqe.res), Err(Errno::ENOBUFS));
    br.free().unwrap();
}

/// Multishot recvmsg on an incremental ring (IOU_PBUF_RING_INC): each
/// datagram's header + name + payload is packed right after the previous
/// one in the same buffer (IORING_CQE_F_BUF_MORE). The datagram that meets
/// the end of a buffer gets only the room left: kernel 6.18 cuts it
/// (MSG_TRUNC) and moves on to the next buffer; with UDP those bytes are
/// gone. Layout per datagram here: 16 + 16 + 100 = 132 bytes; 1024 bytes
/// hold 7 whole ones and 100 bytes of the 8th.
fn udp_multishot_recvmsg_incremental_ring() {
    const N: usize = 10;
    require_buf_ring_flag(
        bare_uring::sys::IOU_PBUF_RING_INC,
        "IOU_PBUF_RING_INC",
        "6.12",
    );
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut mem = vec![0u8; 2 * 1024];
    // SAFETY: `free` runs before `mem` is dropped.
    let mut br = unsafe {
        BufRing::setup(
            &ring,
            2,
            41,
            bare_uring::sys::IOU_PBUF_RING_INC,
            &mut mem,
            1024,
        )
    }
    .unwrap();
    br.publish_all().unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut msg = msghdr_for(16, 0);
    arm_multishot(&mut ring, rx.as_raw_fd(), &mut msg, br.bgid(), 3);
    let mut log = Vec::new();
    for i in 0..N {
        tx.send_to(&[i as u8; 100], rx.local_addr().unwrap())
            .unwrap();
        let cqe = reap_within(&mut ring, 5);
        assert_ne!(
            cqe.flags & IORING_CQE_F_MORE,
            0,
            "datagram {i}: request continues"
        );
        let c = br.consume(cqe.res, cqe.flags).unwrap();
        // SAFETY: the bytes this CQE reported are ours.
        let out = RecvMsgOut::new(unsafe { br.data(&c) }, &msg).unwrap();
        assert!(
            out.payload().iter().all(|&b| b == i as u8),
            "datagram {i} content"
        );
        log.push((
            c.bid,
            c.offset,
            c.more,
            out.payload().len(),
            out.is_truncated(),
        ));
        if !c.more {
            br.recycle(c.bid).unwrap();
        }
    }
    let mut want: Vec<(u16, u32, bool, usize, bool)> =
        (0..7).map(|k| (0, 132 * k, true, 100, false)).collect();
    want.push((0, 924, false, 68, true));
    want.push((1, 0, true, 100, false));
    want.push((1, 132, true, 100, false));
    assert_eq!(log, want);
    drop(ring);
}

common::harness::main! {
    udp_multishot_recvmsg_addresses_cmsgs_payloads,
    udp_multishot_enobufs_then_rearm,
    udp_multishot_truncated_payload,
    unix_multishot_recvmsg_credentials,
    udp_single_recvmsg_provided_buffer,
    recv_with_empty_ring_is_enobufs,
    udp_multishot_recvmsg_incremental_ring,
}
