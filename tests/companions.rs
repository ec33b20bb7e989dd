//! The safe companions of the 1:1 helpers, on the live kernel:
//! buffer-select receives without a null pointer (`recv_select`,
//! `recv_multishot_select`, `read_select`), `send_bundle_select`,
//! `send_vectorized` (no `ioprio` poking), `msghdr::zeroed`, replying to a
//! multishot recvmsg's sender through `RecvMsgOut::name_addr`, file
//! descriptors from `Cmsg::fds`, and `Errno::is_res`/`as_res`.
//!
//! Run: `cargo test --test companions`

use std::fs::File;
use std::io::{Read, Write};
use std::net::UdpSocket;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use bare_uring::buf_ring::BufRing;
use bare_uring::recvmsg_out::{RecvMsgOut, SCM_RIGHTS, SOL_SOCKET};
use bare_uring::sys::{
    cmsghdr, iovec, msghdr, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE, IORING_FEAT_RECVSEND_BUNDLE,
    IORING_OP_SEND, IORING_SEND_VECTORIZED, IOSQE_BUFFER_SELECT,
};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{iov, reap_within, require_feature, skip_on_res, submit_one};

/// Why a multishot receive's first CQE may say EINVAL.
const NO_MULTISHOT_RECV: &str =
    "multishot recv/recvmsg (IORING_RECV_MULTISHOT) needs Linux 6.0+ (its CQE: EINVAL)";

/// A buffer ring of `n` buffers of `len` bytes as group `bgid`, none
/// published yet, over leaked memory. Skips the test on a kernel without
/// buffer rings (5.19+).
fn bufs(ring: &Ring, n: u32, len: u32, bgid: u16) -> BufRing<'static> {
    common::pbuf::require_buf_ring();
    let mem: &'static mut [u8] = Box::leak(vec![0u8; (n * len) as usize].into_boxed_slice());
    BufRing::setup_static(ring, n, bgid, 0, mem, len).expect("BufRing::setup_static")
}

/// [`bufs`] with every buffer published.
fn ring_and_bufs(ring: &Ring, n: u32, len: u32, bgid: u16) -> BufRing<'static> {
    let mut br = bufs(ring, n, len, bgid);
    br.publish_all().unwrap();
    br
}

fn recv_select_takes_a_group_buffer() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = ring_and_bufs(&ring, 4, 64, 3);
    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"provided").unwrap();

    let cqe = submit_one(&mut ring, 1, |sqe| {
        prep::recv_select(sqe, b.as_raw_fd(), 0, 0, br.bgid());
        assert_eq!(sqe.flags & IOSQE_BUFFER_SELECT, IOSQE_BUFFER_SELECT);
        assert_eq!(sqe.addr(), 0);
    });
    assert_eq!(cqe.res, 8, "res {}", cqe.res);
    assert_ne!(cqe.flags & IORING_CQE_F_BUFFER, 0);
    let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
    // SAFETY: this CQE handed buffer `c.bid` back to us.
    assert_eq!(unsafe { br.data(&c) }, b"provided");
    br.free().unwrap();
}

fn recv_multishot_select_posts_one_cqe_per_datagram() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = ring_and_bufs(&ring, 8, 64, 4);
    let (a, b) = UnixDatagram::pair().unwrap();
    // SAFETY: no address: the kernel writes only into group-4 buffers,
    // owned by `br` until after the final CQE below.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::recv_multishot_select(sqe, b.as_raw_fd(), 0, br.bgid());
    sqe.user_data = 7;
    ring.submit().unwrap();

    for (i, msg) in [&b"first"[..], b"second", b"third"].into_iter().enumerate() {
        a.send(msg).unwrap();
        let cqe = reap_within(&mut ring, 5);
        assert_eq!(cqe.user_data, 7);
        if i == 0 {
            skip_on_res(cqe.res, &[Errno::EINVAL], NO_MULTISHOT_RECV);
        }
        assert_ne!(cqe.flags & IORING_CQE_F_MORE, 0, "still armed");
        let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
        // SAFETY: this CQE handed buffer `c.bid` back to us.
        assert_eq!(unsafe { br.data(&c) }, msg);
        br.recycle(c.bid).unwrap();
    }
    // End the request: its final CQE has no F_MORE and -ECANCELED.
    submit_one(&mut ring, 8, |sqe| prep::cancel64(sqe, 7, 0));
    let last = reap_within(&mut ring, 5);
    assert_eq!(last.user_data, 7);
    assert_eq!(last.flags & IORING_CQE_F_MORE, 0);
    assert!(Errno::ECANCELED.is_res(last.res), "res {}", last.res);
    br.free().unwrap();
}

fn read_select_reads_a_file_into_a_group_buffer() {
    let path = std::env::temp_dir().join(format!("uring-read-select-{}", std::process::id()));
    File::create(&path)
        .unwrap()
        .write_all(b"0123456789abcdef")
        .unwrap();
    let f = File::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = ring_and_bufs(&ring, 4, 8, 5);
    // Offset 4, at most 6 bytes, into an 8-byte group buffer.
    let cqe = submit_one(&mut ring, 1, |sqe| {
        prep::read_select(sqe, f.as_raw_fd(), 6, 4, br.bgid());
    });
    assert_eq!(cqe.res, 6, "res {}", cqe.res);
    let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
    // SAFETY: this CQE handed buffer `c.bid` back to us.
    assert_eq!(unsafe { br.data(&c) }, b"456789");
    br.free().unwrap();
}

fn send_bundle_select_sends_several_buffers_in_one_request() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    require_feature(
        ring.features(),
        IORING_FEAT_RECVSEND_BUNDLE,
        "IORING_FEAT_RECVSEND_BUNDLE",
        "6.10",
    );
    let mut br = bufs(&ring, 4, 16, 6);
    let parts: [&[u8]; 3] = [b"alpha-", b"beta-", b"gamma"];
    for (bid, p) in parts.iter().enumerate() {
        // SAFETY: never pushed yet: the buffer is ours.
        let b = unsafe { br.buf_mut(bid as u16) }.unwrap();
        b[..p.len()].copy_from_slice(p);
        br.push(bid as u16, p.len() as u32).unwrap();
    }
    br.commit();
    let (a, mut b) = UnixStream::pair().unwrap();
    let cqe = submit_one(&mut ring, 1, |sqe| {
        prep::send_bundle_select(sqe, a.as_raw_fd(), 0, 0, 6);
    });
    assert_eq!(cqe.res, 16, "res {}", cqe.res);
    let bundle = br.consume_bundle(cqe.res, cqe.flags).unwrap();
    assert_eq!(bundle.count, 3);
    let mut got = [0u8; 16];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"alpha-beta-gamma");
    br.free().unwrap();
}

fn send_vectorized_sends_the_iovecs_in_order() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let parts: [&[u8]; 3] = [b"one ", b"two ", b"three"];
    let iovs: Vec<iovec> = parts.iter().map(|p| iov(p)).collect();
    let cqe = submit_one(&mut ring, 1, |sqe| {
        prep::send_vectorized(sqe, a.as_raw_fd(), iovs.as_ptr(), iovs.len() as u32, 0);
        assert_eq!(sqe.opcode as u32, IORING_OP_SEND);
        assert_eq!(sqe.ioprio as u32, IORING_SEND_VECTORIZED);
    });
    skip_on_res(
        cqe.res,
        &[Errno::EINVAL],
        "IORING_SEND_VECTORIZED needs Linux 6.17+ (its CQE: EINVAL)",
    );
    assert_eq!(cqe.res, 13, "res {}", cqe.res);
    let mut got = [0u8; 13];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"one two three");
}

/// Multishot recvmsg on UDP with a `msghdr::zeroed()` header; the sender's
/// address is copied out with `name_addr`, the buffer recycled at once,
/// and the reply goes to that address through `prep::sendto`.
fn reply_to_recvmsg_sender_with_name_addr() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = ring_and_bufs(&ring, 4, 256, 7);
    let mut msg = msghdr {
        msg_namelen: 16, // sizeof(struct sockaddr_in)
        ..msghdr::zeroed()
    };
    // SAFETY: `msg` and the group-7 buffers (owned by `br`) outlive the
    // request, which is cancelled and reaped before they go.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::recvmsg_multishot(sqe, server.as_raw_fd(), &mut msg, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(br.bgid());
    sqe.user_data = 1;
    ring.submit().unwrap();

    client
        .send_to(b"ping", server.local_addr().unwrap())
        .unwrap();
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.user_data, 1);
    skip_on_res(cqe.res, &[Errno::EINVAL], NO_MULTISHOT_RECV);
    assert!(cqe.res > 0, "res {}", cqe.res);
    let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
    // SAFETY: this CQE handed buffer `c.bid` back to us.
    let bytes = unsafe { br.data(&c) };
    let out = RecvMsgOut::new(bytes, &msg).expect("a valid recvmsg buffer");
    assert_eq!(out.payload(), b"ping");
    let peer = out.name_addr();
    br.recycle(c.bid).unwrap(); // the address is a copy: the buffer can go

    assert_eq!(peer.family(), 2, "AF_INET");
    assert_eq!(peer.len(), 16);
    let port = u16::from_be_bytes([peer.as_bytes()[2], peer.as_bytes()[3]]);
    assert_eq!(port, client.local_addr().unwrap().port());

    let reply = *b"pong";
    let cqe = submit_one(&mut ring, 2, |sqe| {
        prep::sendto(
            sqe,
            server.as_raw_fd(),
            reply.as_ptr().cast(),
            reply.len(),
            0,
            peer.as_ptr(),
            peer.len(),
        );
    });
    assert_eq!(cqe.res, 4, "res {}", cqe.res);
    let mut got = [0u8; 8];
    let (n, from) = client.recv_from(&mut got).unwrap();
    assert_eq!(&got[..n], b"pong");
    assert_eq!(from, server.local_addr().unwrap());

    submit_one(&mut ring, 3, |sqe| prep::cancel64(sqe, 1, 0));
    let last = reap_within(&mut ring, 5);
    assert_eq!((last.user_data, last.flags & IORING_CQE_F_MORE), (1, 0));
    br.free().unwrap();
}

/// An fd passed with SCM_RIGHTS (sendmsg through io_uring) comes back
/// from a multishot recvmsg buffer through `Cmsg::fds`, and is the file.
fn scm_rights_fd_from_cmsg_fds() {
    let path = std::env::temp_dir().join(format!("uring-cmsg-fds-{}", std::process::id()));
    File::create(&path)
        .unwrap()
        .write_all(b"passed by fd")
        .unwrap();
    let f = File::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let (a, b) = UnixDatagram::pair().unwrap();
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let mut br = ring_and_bufs(&ring, 4, 128, 8);

    // CMSG_SPACE(sizeof(int)) = 24 bytes: header (16) + fd (4) + padding.
    const CMSG_SPACE_INT: usize = 24;
    let mut rmsg = msghdr {
        msg_controllen: CMSG_SPACE_INT,
        ..msghdr::zeroed()
    };
    let mut control = [0u64; CMSG_SPACE_INT / 8];
    let hdr = cmsghdr {
        cmsg_len: std::mem::size_of::<cmsghdr>() + 4,
        cmsg_level: SOL_SOCKET,
        cmsg_type: SCM_RIGHTS,
    };
    // SAFETY: `control` is 24 bytes, 8-aligned: room for the header and fd.
    unsafe {
        control.as_mut_ptr().cast::<cmsghdr>().write(hdr);
        control
            .as_mut_ptr()
            .cast::<u8>()
            .add(16)
            .cast::<i32>()
            .write_unaligned(f.as_raw_fd());
    }
    let data = *b"fd";
    let iov = [iov(&data)];
    let smsg = msghdr {
        msg_iov: iov.as_ptr().cast_mut(),
        msg_iovlen: 1,
        msg_control: control.as_mut_ptr().cast(),
        msg_controllen: CMSG_SPACE_INT,
        ..msghdr::zeroed()
    };
    let sent = submit_one(&mut ring, 2, |sqe| {
        prep::sendmsg(sqe, a.as_raw_fd(), &smsg, 0);
    });
    assert_eq!(sent.res, 2, "sendmsg res {}", sent.res);

    // Armed after the send (the datagram waits in the socket), so the next
    // CQE is the recvmsg's own: its answer on a kernel without multishot.
    // SAFETY: `rmsg` and the group-8 buffers (owned by `br`) outlive the
    // request, cancelled and reaped below.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::recvmsg_multishot(sqe, b.as_raw_fd(), &mut rmsg, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(br.bgid());
    sqe.user_data = 1;
    ring.submit().unwrap();
    let cqe = reap_within(&mut ring, 5);
    assert_eq!(cqe.user_data, 1);
    skip_on_res(cqe.res, &[Errno::EINVAL], NO_MULTISHOT_RECV);
    assert!(cqe.res > 0, "recvmsg res {}", cqe.res);
    let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
    // SAFETY: this CQE handed buffer `c.bid` back to us.
    let bytes = unsafe { br.data(&c) };
    let out = RecvMsgOut::new(bytes, &rmsg).expect("a valid recvmsg buffer");
    assert_eq!(out.payload(), b"fd");
    let cmsgs: Vec<_> = out.cmsgs().collect();
    assert_eq!(cmsgs.len(), 1, "{cmsgs:?}");
    assert!(cmsgs[0].fds().is_some());
    let fds: Vec<i32> = cmsgs[0].fds().unwrap().collect();
    assert_eq!(fds.len(), 1);
    assert_ne!(fds[0], f.as_raw_fd(), "a new descriptor in this process");
    // SAFETY: SCM_RIGHTS installed this fd for us; nothing else owns it.
    let mut got = File::from(unsafe { OwnedFd::from_raw_fd(fds[0]) });
    let mut s = String::new();
    got.read_to_string(&mut s).unwrap();
    assert_eq!(s, "passed by fd");

    submit_one(&mut ring, 3, |sqe| prep::cancel64(sqe, 1, 0));
    let last = reap_within(&mut ring, 5);
    assert_eq!((last.user_data, last.flags & IORING_CQE_F_MORE), (1, 0));
    br.free().unwrap();
}

fn errno_res_round_trip_on_a_real_completion() {
    let mut ring = Ring::queue_init(2, 0).unwrap();
    // No poll request is tagged 12345: the removal fails with ENOENT.
    let cqe = submit_one(&mut ring, 1, |sqe| prep::poll_remove(sqe, 12345));
    assert!(Errno::ENOENT.is_res(cqe.res), "res {}", cqe.res);
    assert!(!Errno::EBADF.is_res(cqe.res));
    assert_eq!(cqe.res, Errno::ENOENT.as_res());
    assert_eq!(Errno::from_res(cqe.res), Err(Errno::ENOENT));
}

common::harness::main! {
    recv_select_takes_a_group_buffer,
    recv_multishot_select_posts_one_cqe_per_datagram,
    read_select_reads_a_file_into_a_group_buffer,
    send_bundle_select_sends_several_buffers_in_one_request,
    send_vectorized_sends_the_iovecs_in_order,
    reply_to_recvmsg_sender_with_name_addr,
    scm_rights_fd_from_cmsg_fds,
    errno_res_round_trip_on_a_real_completion,
}
