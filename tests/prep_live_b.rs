//! The net, msg_ring, buffer, futex, waitid, pipe and socket-command prep
//! helpers against the live kernel: each SQE is built only by
//! `bare_uring::prep` and the test checks what the kernel did with it.
//!
//! Run: `cargo test --test prep_live_b -- --nocapture`

use std::io::{Read, Write};
use std::mem::size_of;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::AtomicU32;

use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{iov, iov_mut, reap, submit_one};

const AF_INET: i32 = 2;
const SOCK_STREAM: i32 = 1;
const MSG_PEEK: i32 = 2;
const MSG_WAITALL: i32 = 0x100;
const SHUT_WR: i32 = 1;
const O_CLOEXEC: i32 = 0o2_000_000;
const FUTEX2_SIZE_U32: u32 = 2;
const FUTEX2_PRIVATE: u32 = 128;
const FUTEX_BITSET_MATCH_ANY: u64 = 0xffff_ffff;
const P_PID: idtype_t = 1;
const WEXITED: i32 = 4;
const SIGCHLD: i32 = 17;
const CLD_EXITED: i32 = 1;

/// Fills one SQE with `f`, submits it and returns its CQE's (res, flags).
fn run(ring: &mut Ring, f: impl FnOnce(&mut io_uring_sqe)) -> (i32, u32) {
    let cqe = submit_one(ring, 0x5eed, f);
    (cqe.res, cqe.flags)
}

/// Waits for the next CQE and returns (user_data, res, flags).
fn next(ring: &mut Ring) -> (u64, i32, u32) {
    let cqe = reap(ring);
    (cqe.user_data, cqe.res, cqe.flags)
}

fn loopback(port: u16) -> sockaddr_in {
    sockaddr_in {
        sin_family: AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    }
}

/// A connected TCP pair over loopback: (ring-side fd, std client).
fn tcp_pair() -> (OwnedFd, TcpStream) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (OwnedFd::from(server), client)
}

/// Skips the test where the kernel's probe lacks IORING_OP_MSG_RING (5.18+).
fn require_msg_ring() {
    common::require_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING", "5.18");
}

/// `ring.register_files_sparse(nr)`, skipping the test where the kernel
/// has no sparse tables (IORING_RSRC_REGISTER_SPARSE, 5.19+: EINVAL).
fn sparse_or_skip(ring: &Ring, nr: u32) {
    common::skip_on(
        ring.register_files_sparse(nr),
        &[Errno::EINVAL],
        "sparse file tables (IORING_RSRC_REGISTER_SPARSE) need Linux 5.19+",
    );
}

fn msg_ring_posts_res_and_user_data_on_the_target() {
    require_msg_ring();
    let mut a = Ring::queue_init(4, 0).unwrap();
    let mut b = Ring::queue_init(4, 0).unwrap();
    let target = b.ring_fd();

    let (res, _) = run(&mut a, |s| prep::msg_ring(s, target, 42, 0xfeed_f00d, 0));
    assert_eq!(res, 0);
    assert_eq!(next(&mut b), (0xfeed_f00d, 42, 0));
}

fn msg_ring_cqe_flags_become_the_target_cqe_flags() {
    require_msg_ring();
    let mut a = Ring::queue_init(4, 0).unwrap();
    let mut b = Ring::queue_init(4, 0).unwrap();
    let target = b.ring_fd();
    // IORING_MSG_RING_FLAGS_PASS: file_index becomes the target's cqe->flags.
    let (res, _) = run(&mut a, |s| {
        prep::msg_ring_cqe_flags(s, target, 7, 0x1234, 0, 0x00ab_0000)
    });
    common::skip_on_res(
        res,
        &[Errno::EINVAL],
        "IORING_MSG_RING_FLAGS_PASS needs Linux 6.3+",
    );
    assert_eq!(res, 0);
    assert_eq!(next(&mut b), (0x1234, 7, 0x00ab_0000));
}

fn msg_ring_fd_installs_a_direct_descriptor_in_the_target() {
    require_msg_ring();
    let mut a = Ring::queue_init(4, 0).unwrap();
    let mut b = Ring::queue_init(4, 0).unwrap();
    let fds = bare_uring::syscall::pipe2(O_CLOEXEC as u32).unwrap();
    // SAFETY: pipe2 just created these two descriptors for us.
    let (mut rd, wr) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            OwnedFd::from_raw_fd(fds[1]),
        )
    };
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { a.register_files(&[wr.as_raw_fd()]) }.unwrap();
    sparse_or_skip(&b, 4);
    let target = b.ring_fd();

    // Source slot 0 of `a` into slot 2 of `b` (an unknown msg_ring command
    // before 6.0: EINVAL).
    let (res, _) = run(&mut a, |s| prep::msg_ring_fd(s, target, 0, 2, 0x55, 0));
    common::skip_on_res(res, &[Errno::EINVAL], "IORING_MSG_SEND_FD needs Linux 6.0+");
    assert_eq!(res, 0);
    assert_eq!(next(&mut b), (0x55, 0, 0));
    // Into a slot the target picks: both CQEs' res name it.
    let (slot, _) = run(&mut a, |s| prep::msg_ring_fd_alloc(s, target, 0, 0x66, 0));
    assert_eq!(next(&mut b), (0x66, slot, 0));
    assert!((0..4).contains(&slot) && slot != 2, "allocated slot {slot}");
    println!("msg_ring_fd_alloc: target picked slot {slot}");

    // Both slots of `b` now write into the pipe.
    for (fixed, msg) in [(2, b"via 2"), (slot, b"via a")] {
        let (res, _) = run(&mut b, |s| {
            prep::write(s, fixed, msg.as_ptr().cast(), 5, u64::MAX);
            s.flags |= 1 << IOSQE_FIXED_FILE_BIT;
        });
        assert_eq!(res, 5);
        let mut got = [0u8; 5];
        rd.read_exact(&mut got).unwrap();
        assert_eq!(&got, msg);
    }
}

fn socket_bind_listen_then_accept() {
    common::require_op(IORING_OP_SOCKET, "IORING_OP_SOCKET", "5.19");
    common::require_op(IORING_OP_BIND, "IORING_OP_BIND", "6.11");
    common::require_op(IORING_OP_LISTEN, "IORING_OP_LISTEN", "6.11");
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let (fd, _) = run(&mut ring, |s| prep::socket(s, AF_INET, SOCK_STREAM, 0, 0));
    assert!(fd >= 0, "socket: {fd}");
    // SAFETY: a fresh descriptor from IORING_OP_SOCKET, owned from here on.
    let listener = unsafe { TcpListener::from_raw_fd(fd) };

    let addr = loopback(0);
    let alen = size_of::<sockaddr_in>() as socklen_t;
    let (res, _) = run(&mut ring, |s| {
        prep::bind(s, fd, (&addr as *const sockaddr_in).cast(), alen)
    });
    assert_eq!(res, 0, "bind");
    let (res, _) = run(&mut ring, |s| prep::listen(s, fd, 8));
    assert_eq!(res, 0, "listen");
    let port = listener.local_addr().unwrap().port();
    assert_ne!(port, 0);

    let client = TcpStream::connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).unwrap();
    let (conn, peer, plen) = accept_one(&mut ring, fd);
    drop(conn);
    assert_eq!(plen, alen);
    assert_eq!(peer.sin_addr.s_addr, u32::from_ne_bytes([127, 0, 0, 1]));
    assert_eq!(
        u16::from_be(peer.sin_port),
        client.local_addr().unwrap().port()
    );
}

/// Accepts one connection on `fd` through IORING_OP_ACCEPT; returns it with
/// the peer's address and the address length the kernel wrote.
fn accept_one(ring: &mut Ring, fd: i32) -> (OwnedFd, sockaddr_in, socklen_t) {
    let mut peer = sockaddr_in::default();
    let mut plen = size_of::<sockaddr_in>() as socklen_t;
    let (cfd, _) = run(ring, |s| {
        prep::accept(s, fd, (&mut peer as *mut sockaddr_in).cast(), &mut plen, 0)
    });
    assert!(cfd >= 0, "accept: {cfd}");
    // SAFETY: a fresh descriptor from IORING_OP_ACCEPT.
    (unsafe { OwnedFd::from_raw_fd(cfd) }, peer, plen)
}

fn accept_then_send_recv_shutdown() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, peer, plen) = accept_one(&mut ring, listener.as_raw_fd());
    assert_eq!(plen, size_of::<sockaddr_in>() as socklen_t);
    assert_eq!(peer.sin_addr.s_addr, u32::from_ne_bytes([127, 0, 0, 1]));
    assert_eq!(
        u16::from_be(peer.sin_port),
        client.local_addr().unwrap().port()
    );

    client.write_all(b"ping").unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = run(&mut ring, |s| {
        prep::recv(s, conn.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0)
    });
    assert_eq!(n, 4);
    assert_eq!(&buf[..4], b"ping");

    let (n, _) = run(&mut ring, |s| {
        prep::send(s, conn.as_raw_fd(), b"pong".as_ptr().cast(), 4, 0)
    });
    assert_eq!(n, 4);
    let mut got = [0u8; 4];
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"pong");

    let (res, _) = run(&mut ring, |s| prep::shutdown(s, conn.as_raw_fd(), SHUT_WR));
    assert_eq!(res, 0);
    let mut rest = Vec::new();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    client.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "EOF after shutdown(SHUT_WR)");
}

fn socket_command_siocinq_counts_queued_bytes() {
    common::require_op(IORING_OP_URING_CMD, "IORING_OP_URING_CMD", "5.19");
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let (conn, mut client) = tcp_pair();
    // SIOCINQ through a socket command, once the bytes are surely queued.
    client.write_all(b"abc").unwrap();
    let mut buf = [0u8; 3];
    let (n, _) = run(&mut ring, |s| {
        prep::recv(
            s,
            conn.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            3,
            MSG_PEEK | MSG_WAITALL,
        )
    });
    assert_eq!(n, 3);
    let (inq, _) = run(&mut ring, |s| {
        prep::cmd_sock(
            s,
            SOCKET_URING_OP_SIOCINQ as i32,
            conn.as_raw_fd(),
            0,
            0,
            std::ptr::null_mut(),
            0,
        )
    });
    // Before 6.7 sockets have no uring_cmd handler: EOPNOTSUPP.
    common::skip_on_res(
        inq,
        &[Errno::EOPNOTSUPP],
        "socket commands (IORING_OP_URING_CMD on a socket) need Linux 6.7+",
    );
    assert_eq!(inq, 3, "SIOCINQ");
}

fn connect_and_multishot_accept_direct() {
    // IORING_OP_SOCKET and multishot accept came in the same release.
    common::require_op(IORING_OP_SOCKET, "IORING_OP_SOCKET", "5.19");
    let mut ring = Ring::queue_init(8, 0).unwrap();
    sparse_or_skip(&ring, 8);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();

    // SAFETY: no address wanted (both null).
    unsafe {
        let sqe = ring.get_sqe().unwrap();
        prep::multishot_accept_direct(
            sqe,
            listener.as_raw_fd(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
        sqe.user_data = 1;
    }
    ring.submit().unwrap();

    let addr = loopback(port);
    let mut socks = Vec::new();
    let mut slots = Vec::new();
    for _ in 0..2 {
        let (fd, _) = run(&mut ring, |s| prep::socket(s, AF_INET, SOCK_STREAM, 0, 0));
        assert!(fd >= 0);
        // SAFETY: a fresh descriptor from IORING_OP_SOCKET.
        socks.push(unsafe { OwnedFd::from_raw_fd(fd) });
        // SAFETY: connect reads `addr` (a local of this test), which outlives the CQE reaped
        // in the loop below.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::connect(
            sqe,
            fd,
            (&addr as *const sockaddr_in).cast(),
            size_of::<sockaddr_in>() as u32,
        );
        sqe.user_data = 2;
        ring.submit_and_wait(1).unwrap();
        let mut seen = (false, false);
        while !(seen.0 && seen.1) {
            let (ud, res, flags) = next(&mut ring);
            match ud {
                1 => {
                    assert!(res >= 0, "accept: {res}");
                    assert_ne!(flags & IORING_CQE_F_MORE, 0, "multishot keeps going");
                    slots.push(res);
                    seen.0 = true;
                }
                2 => {
                    assert_eq!(res, 0, "connect");
                    seen.1 = true;
                }
                _ => unreachable!(),
            }
        }
    }
    assert_ne!(slots[0], slots[1]);
    println!("multishot_accept_direct: slots {slots:?}");
}

fn socket_direct_alloc_picks_a_slot() {
    common::require_op(IORING_OP_SOCKET, "IORING_OP_SOCKET", "5.19");
    let mut ring = Ring::queue_init(4, 0).unwrap();
    sparse_or_skip(&ring, 2);
    let (a, _) = run(&mut ring, |s| {
        prep::socket_direct_alloc(s, AF_INET, SOCK_STREAM, 0, 0)
    });
    let (b, _) = run(&mut ring, |s| {
        prep::socket_direct(s, AF_INET, SOCK_STREAM, 0, IORING_FILE_INDEX_ALLOC, 0)
    });
    assert!(
        (0..2).contains(&a) && (0..2).contains(&b) && a != b,
        "{a} {b}"
    );
    // The table is full now.
    let (c, _) = run(&mut ring, |s| {
        prep::socket_direct_alloc(s, AF_INET, SOCK_STREAM, 0, 0)
    });
    assert_eq!(Errno::from_res(c), Err(Errno::ENFILE));
    // An explicit slot replaces what is there.
    let (d, _) = run(&mut ring, |s| {
        prep::socket_direct(s, AF_INET, SOCK_STREAM, 0, 1, 0)
    });
    assert_eq!(d, 0);
}

fn provided_buffers_feed_a_buffer_select_recv_and_can_be_removed() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let mut pool = vec![0u8; 4 * 8];
    let (res, _) = run(&mut ring, |s| {
        prep::provide_buffers(s, pool.as_mut_ptr().cast(), 8, 4, 3, 10)
    });
    assert_eq!(res, 0);

    let (conn, mut client) = tcp_pair();
    client.write_all(b"hello").unwrap();
    let (n, flags) = run(&mut ring, |s| {
        prep::recv(s, conn.as_raw_fd(), std::ptr::null_mut(), 8, 0);
        s.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
        s.set_buf_group(3);
    });
    assert_eq!(n, 5);
    assert_ne!(flags & IORING_CQE_F_BUFFER, 0);
    let bid = (flags >> IORING_CQE_BUFFER_SHIFT) as usize;
    assert!((10..14).contains(&bid), "buffer id {bid}");
    let at = (bid - 10) * 8;
    assert_eq!(&pool[at..at + 5], b"hello");

    // Three left: remove two, then the rest, then none: since the buffer
    // lists of 5.19 the emptied group still exists; before, it went with
    // its last buffer (ENOENT). Which kernel this is comes from its answer
    // to unregistering a buffer ring (IORING_REGISTER_PBUF_RING, the same
    // release): ENOENT for an unknown group, EINVAL for an unknown op.
    // SAFETY: no buffer ring is registered under group 77.
    let lists = match unsafe { ring.unregister_buf_ring(77) } {
        Err(Errno::ENOENT) => true,
        Err(Errno::EINVAL) => false,
        other => panic!("unregistering an unknown buffer ring: {other:?}"),
    };
    assert_eq!(run(&mut ring, |s| prep::remove_buffers(s, 2, 3)).0, 2);
    assert_eq!(run(&mut ring, |s| prep::remove_buffers(s, 8, 3)).0, 1);
    let (res, _) = run(&mut ring, |s| prep::remove_buffers(s, 1, 3));
    if lists {
        assert_eq!(res, 0);
    } else {
        println!("no buffer lists (5.19+): the emptied group is gone");
        assert_eq!(Errno::from_res(res), Err(Errno::ENOENT));
    }
    let (res, _) = run(&mut ring, |s| prep::remove_buffers(s, 1, 99));
    assert_eq!(Errno::from_res(res), Err(Errno::ENOENT));
}

fn sendmsg_and_recvmsg_carry_iovecs() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let (a, mut client) = tcp_pair();
    let (p1, p2) = (b"scatter-".to_vec(), b"gather".to_vec());
    let iov = [iov(&p1), iov(&p2)];
    // SAFETY: msghdr is integers and raw pointers; all-zero is valid.
    let mut msg: msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_ptr() as *mut _;
    msg.msg_iovlen = 2;
    let (n, _) = run(&mut ring, |s| prep::sendmsg(s, a.as_raw_fd(), &msg, 0));
    assert_eq!(n, 14);
    let mut got = [0u8; 14];
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"scatter-gather");

    client.write_all(b"0123456789").unwrap();
    let (mut x, mut y) = ([0u8; 4], [0u8; 6]);
    let riov = [iov_mut(&mut x), iov_mut(&mut y)];
    // SAFETY: as for `msg`.
    let mut rmsg: msghdr = unsafe { std::mem::zeroed() };
    rmsg.msg_iov = riov.as_ptr() as *mut _;
    rmsg.msg_iovlen = 2;
    let (n, _) = run(&mut ring, |s| {
        prep::recvmsg(s, a.as_raw_fd(), &mut rmsg, MSG_WAITALL as u32)
    });
    assert_eq!(n, 10);
    assert_eq!((&x, &y), (b"0123", b"456789"));
}

fn futex_wait_wake_and_waitv() {
    common::require_op(IORING_OP_FUTEX_WAIT, "IORING_OP_FUTEX_WAIT", "6.7");
    common::require_op(IORING_OP_FUTEX_WAKE, "IORING_OP_FUTEX_WAKE", "6.7");
    common::require_op(IORING_OP_FUTEX_WAITV, "IORING_OP_FUTEX_WAITV", "6.7");
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let word = AtomicU32::new(5);
    let uaddr = word.as_ptr() as *const u32;
    let fl = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;

    // Wrong expected value: -EAGAIN at once.
    let (res, _) = run(&mut ring, |s| {
        prep::futex_wait(s, uaddr, 4, FUTEX_BITSET_MATCH_ANY, fl, 0)
    });
    assert_eq!(Errno::from_res(res), Err(Errno::EAGAIN));
    // Nobody waiting: wakes 0.
    let (res, _) = run(&mut ring, |s| {
        prep::futex_wake(s, uaddr, 1, FUTEX_BITSET_MATCH_ANY, fl, 0)
    });
    assert_eq!(res, 0);

    // A parked wait, then a wake: the wake reports 1, the wait completes 0.
    // SAFETY: as above.
    unsafe {
        let s = ring.get_sqe().unwrap();
        prep::futex_wait(s, uaddr, 5, FUTEX_BITSET_MATCH_ANY, fl, 0);
        s.user_data = 1;
    }
    ring.submit().unwrap();
    // SAFETY: as above.
    unsafe {
        let s = ring.get_sqe().unwrap();
        prep::futex_wake(s, uaddr, 1, FUTEX_BITSET_MATCH_ANY, fl, 0);
        s.user_data = 2;
    }
    ring.submit_and_wait(2).unwrap();
    let mut got = [next(&mut ring), next(&mut ring)];
    got.sort();
    assert_eq!(got, [(1, 0, 0), (2, 1, 0)]);

    // futex_waitv over two words: waking the second reports index 1.
    let other = AtomicU32::new(9);
    let v = [
        futex_waitv {
            val: 5,
            uaddr: word.as_ptr() as u64,
            flags: fl,
            __reserved: 0,
        },
        futex_waitv {
            val: 9,
            uaddr: other.as_ptr() as u64,
            flags: fl,
            __reserved: 0,
        },
    ];
    // SAFETY: `v` and both words outlive the request.
    unsafe {
        let s = ring.get_sqe().unwrap();
        prep::futex_waitv(s, v.as_ptr(), 2, 0);
        s.user_data = 3;
    }
    ring.submit().unwrap();
    // SAFETY: as above.
    unsafe {
        let s = ring.get_sqe().unwrap();
        prep::futex_wake(s, other.as_ptr(), 1, FUTEX_BITSET_MATCH_ANY, fl, 0);
        s.user_data = 4;
    }
    ring.submit_and_wait(2).unwrap();
    let mut got = [next(&mut ring), next(&mut ring)];
    got.sort();
    assert_eq!(got, [(3, 1, 0), (4, 1, 0)]);
}

fn waitid_reaps_a_child() {
    common::require_op(IORING_OP_WAITID, "IORING_OP_WAITID", "6.7");
    let mut ring = Ring::queue_init(2, 0).unwrap();
    // Reaped below through IORING_OP_WAITID, which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    // SAFETY: siginfo_t is plain integers; all-zero is valid.
    let mut info: siginfo_t = unsafe { std::mem::zeroed() };
    let (res, _) = run(&mut ring, |s| {
        prep::waitid(s, P_PID, pid, &mut info, WEXITED, 0)
    });
    assert_eq!(res, 0);
    assert_eq!(info.si_signo, SIGCHLD);
    assert_eq!(info.si_code, CLD_EXITED);
    // si_pid follows si_code after 4 bytes of padding on 64-bit Linux.
    assert_eq!(info.__fields[1], pid as i32);
}

fn pipe_returns_two_connected_fds() {
    common::require_op(IORING_OP_PIPE, "IORING_OP_PIPE", "6.16");
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let mut fds = [-1i32; 2];
    let (res, _) = run(&mut ring, |s| prep::pipe(s, fds.as_mut_ptr(), O_CLOEXEC));
    assert_eq!(res, 0);
    // SAFETY: the kernel just created these two descriptors for us.
    let (mut rd, mut wr) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    wr.write_all(b"piped").unwrap();
    let mut got = [0u8; 5];
    rd.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"piped");
}

fn pipe_direct_fills_two_slots() {
    common::require_op(IORING_OP_PIPE, "IORING_OP_PIPE", "6.16");
    let mut ring = Ring::queue_init(4, 0).unwrap();
    sparse_or_skip(&ring, 4);
    let mut fds = [-1i32; 2];
    let (res, _) = run(&mut ring, |s| {
        prep::pipe_direct(s, fds.as_mut_ptr(), 0, IORING_FILE_INDEX_ALLOC)
    });
    assert_eq!(res, 0);
    assert!(
        fds.iter().all(|f| (0..4).contains(f)) && fds[0] != fds[1],
        "{fds:?}"
    );
    // Write through the write end's slot, read through the read end's.
    let (n, _) = run(&mut ring, |s| {
        prep::write(s, fds[1], b"hey".as_ptr().cast(), 3, u64::MAX);
        s.flags |= 1 << IOSQE_FIXED_FILE_BIT;
    });
    assert_eq!(n, 3);
    let mut got = [0u8; 3];
    let (n, _) = run(&mut ring, |s| {
        prep::read(s, fds[0], got.as_mut_ptr().cast(), 3, u64::MAX);
        s.flags |= 1 << IOSQE_FIXED_FILE_BIT;
    });
    assert_eq!(n, 3);
    assert_eq!(&got, b"hey");
}

common::harness::main! {
    msg_ring_posts_res_and_user_data_on_the_target,
    msg_ring_cqe_flags_become_the_target_cqe_flags,
    msg_ring_fd_installs_a_direct_descriptor_in_the_target,
    socket_bind_listen_then_accept,
    accept_then_send_recv_shutdown,
    socket_command_siocinq_counts_queued_bytes,
    connect_and_multishot_accept_direct,
    socket_direct_alloc_picks_a_slot,
    provided_buffers_feed_a_buffer_select_recv_and_can_be_removed,
    sendmsg_and_recvmsg_carry_iovecs,
    futex_wait_wake_and_waitv,
    waitid_reaps_a_child,
    pipe_returns_two_connected_fds,
    pipe_direct_fills_two_slots,
}
