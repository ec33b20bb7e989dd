//! Scenarios on loopback sockets: multishot recvmsg with a provided buffer
//! ring, incrementally consumed buffers, and send bundles.

use std::io::{Read, Write};
use std::mem::size_of;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use bare_uring::buf_ring::{cqe_bid, BufRing};
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

use crate::util::{ensure, next_cqe, res, sqe, Ctx, Fail, Outcome, WAIT};

/// Parses a `sockaddr_in` from a recvmsg name area.
fn parse_sockaddr_in(name: &[u8]) -> Option<SocketAddr> {
    let b: &[u8; 16] = name.get(..16)?.try_into().ok()?;
    let family = u16::from_ne_bytes([b[0], b[1]]);
    if u32::from(family) != 2 {
        return None; // not AF_INET
    }
    let port = u16::from_be_bytes([b[2], b[3]]);
    let ip = std::net::Ipv4Addr::new(b[4], b[5], b[6], b[7]);
    Some(SocketAddr::from((ip, port)))
}

/// SOL_IP / IP_RECVORIGDSTADDR (linux/in.h): ask for each datagram's
/// destination address as a control message (type IP_ORIGDSTADDR, the same
/// number).
const SOL_IP: i32 = 0;
const IP_RECVORIGDSTADDR: i32 = 20;
/// CMSG_SPACE(sizeof(struct sockaddr_in)).
const ORIGDST_SPACE: usize = 16 + 16;

/// Sets an int socket option through io_uring itself
/// (IORING_OP_URING_CMD / SOCKET_URING_OP_SETSOCKOPT, kernel 6.7+).
fn setsockopt_int(ring: &mut Ring, fd: i32, level: i32, name: i32, v: i32) -> Result<(), Errno> {
    let mut val = v;
    // `val` is declared outside the scope, which ends the request on every
    // way out (a `?` of a failed submit would otherwise leave it queued,
    // pointing at `val`).
    ring.in_flight(|io| {
        // SAFETY: the kernel reads `val`, which outlives the scope; the
        // socket is the caller's; nothing else is in flight on the ring.
        let s = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
        prep::cmd_sock(
            s,
            SOCKET_URING_OP_SETSOCKOPT as i32,
            fd,
            level,
            name,
            (&mut val as *mut i32).cast(),
            size_of::<i32>() as i32,
        );
        // A socket option is set when the request is issued, so the CQE is
        // there as soon as the submit returns.
        io.submit()?;
        let c = io.reap()?;
        Errno::from_res(c.res).map(drop)
    })
}

/// One multishot recvmsg receives datagrams from two senders into a
/// provided buffer ring; each buffer is parsed with `RecvMsgOut`.
pub fn recvmsg_multishot() -> Outcome {
    const BGID: u16 = 11;
    const NBUF: u32 = 4;
    const ROUNDS: usize = 10;
    let io = |e: std::io::Error| Fail::Failed(format!("UDP socket: {e}"));
    let rx = UdpSocket::bind("127.0.0.1:0").map_err(io)?;
    let senders = [
        UdpSocket::bind("127.0.0.1:0").map_err(io)?,
        UdpSocket::bind("127.0.0.1:0").map_err(io)?,
    ];
    let to = rx.local_addr().map_err(io)?;
    let mut ring = Ring::queue_init(8, 0).ctx("queue_init")?;
    let origdst = setsockopt_int(&mut ring, rx.as_raw_fd(), SOL_IP, IP_RECVORIGDSTADDR, 1);
    // Never freed: a request still in flight when an error returns early
    // may write a buffer it picked after the BufRing is gone.
    let mem = Box::leak(vec![0u8; (NBUF * 256) as usize].into_boxed_slice());
    let mut br = BufRing::setup_static(&ring, NBUF, BGID, 0, mem, 256).ctx("BufRing::setup")?;
    let r = recvmsg_rounds(
        &mut ring,
        &mut br,
        &rx,
        &senders,
        to,
        ROUNDS,
        origdst.is_ok(),
    );
    let freed = br.free();
    let (arms, recycled) = r?;
    freed.ctx("free buffer ring")?;
    let cmsg = match origdst {
        Ok(()) => "IP_ORIGDSTADDR cmsg (option set by an io_uring setsockopt)".to_string(),
        Err(e) => format!("no cmsg (io_uring setsockopt: {e:?})"),
    };
    Ok(format!(
        "{ROUNDS} datagrams from 2 senders; from each buffer: source address, {cmsg}, payload; \
         the last one cut, MSG_TRUNC; {NBUF} buffers recycled {recycled}x; {arms} arm"
    ))
}

/// Datagram `i`'s payload: short ones, the last longer than a buffer.
fn dgram(i: usize, last: bool) -> Vec<u8> {
    let mut p = format!("datagram {i} from sender {}", i % 2).into_bytes();
    if last {
        p.resize(300, b'.');
    }
    p
}

fn recvmsg_rounds(
    ring: &mut Ring,
    br: &mut BufRing,
    rx: &UdpSocket,
    senders: &[UdpSocket; 2],
    to: SocketAddr,
    rounds: usize,
    origdst: bool,
) -> Result<(usize, usize), Fail> {
    br.publish_all().ctx("publish buffers")?;
    let mut msg = msghdr::zeroed();
    msg.msg_namelen = size_of::<sockaddr_in>() as u32;
    if origdst {
        msg.msg_controllen = ORIGDST_SPACE;
    }
    // Payload room in a buffer: header, name and control areas come first.
    let room = br.buf_len() as usize - 16 - msg.msg_namelen as usize - msg.msg_controllen;
    let mut arms = 0;
    let mut armed = false;
    let mut recycled = 0;
    for i in 0..rounds {
        if !armed {
            // SAFETY: the kernel copies `msg` (no name, control or iovec
            // pointers) when it arms the request; data goes only into `br`'s
            // buffers, and a BufRing unregisters its group before its memory
            // goes, so the kernel never writes there afterwards.
            let s = unsafe { sqe(ring, "recvmsg_multishot") }?;
            prep::recvmsg_multishot(s, rx.as_raw_fd(), &mut msg, 0);
            s.flags |= IOSQE_BUFFER_SELECT;
            s.set_buf_group(br.bgid());
            s.user_data = 0x11;
            ring.submit().ctx("submit")?;
            arms += 1;
        }
        let from = &senders[i % 2];
        let last = i + 1 == rounds;
        let payload = dgram(i, last);
        from.send_to(&payload, to)
            .map_err(|e| Fail::Failed(format!("send_to: {e}")))?;
        let c = next_cqe(ring, "recvmsg CQE")?;
        let n = res(&c, "recvmsg")?;
        armed = c.flags & IORING_CQE_F_MORE != 0;
        let used = br.consume(c.res, c.flags).ok_or_else(|| {
            Fail::Failed(format!("CQE without a buffer id: flags {:#x}", c.flags))
        })?;
        {
            // SAFETY: the CQE handed this buffer to us; not pushed since.
            let data = unsafe { br.data(&used) };
            ensure!(
                data.len() == n as usize,
                "buffer holds {} of {n} bytes",
                data.len()
            );
            let out = RecvMsgOut::new(data, &msg)
                .ok_or_else(|| Fail::Failed("buffer too short for the recvmsg header".into()))?;
            let src = parse_sockaddr_in(out.name());
            let want = from.local_addr().map_err(|e| Fail::Failed(e.to_string()))?;
            ensure!(
                src == Some(want),
                "datagram {i}: source {src:?}, sent from {want}"
            );
            if origdst {
                let dst: Vec<Option<SocketAddr>> = out
                    .cmsgs()
                    .filter(|m| m.level == SOL_IP && m.ty == IP_RECVORIGDSTADDR)
                    .map(|m| parse_sockaddr_in(m.data))
                    .collect();
                ensure!(
                    dst == [Some(to)],
                    "datagram {i}: IP_ORIGDSTADDR {dst:?}, sent to {to}"
                );
            }
            let keep = payload.len().min(room);
            ensure!(
                out.is_truncated() == (payload.len() > room),
                "datagram {i}: MSG_TRUNC {} for {} bytes in {room}",
                out.is_truncated(),
                payload.len()
            );
            ensure!(
                out.payload() == payload.get(..keep).unwrap_or(&[]),
                "datagram {i}: payload {:?}",
                String::from_utf8_lossy(out.payload())
            );
        }
        br.recycle(used.bid).ctx("recycle")?;
        recycled += 1;
    }
    ensure!(
        rounds == 0 || dgram(rounds - 1, true).len() > room,
        "the last datagram was not long enough to be cut"
    );
    Ok((arms, recycled))
}

/// Incrementally consumed buffers (IOU_PBUF_RING_INC): several small
/// receives share one buffer, each CQE saying where its bytes are.
pub fn incremental() -> Outcome {
    const BGID: u16 = 13;
    let (a, b) = UnixStream::pair().map_err(|e| Fail::Failed(format!("socketpair: {e}")))?;
    let mut ring = Ring::queue_init(8, 0).ctx("queue_init")?;
    // Never freed: a request still in flight when an error returns early
    // may write a buffer it picked after the BufRing is gone.
    let mem = Box::leak(vec![0u8; 2 * 64].into_boxed_slice());
    let mut br = BufRing::setup_static(&ring, 2, BGID, IOU_PBUF_RING_INC, mem, 64)
        .ctx("BufRing::setup(IOU_PBUF_RING_INC)")?;
    let r = incremental_rounds(&mut ring, &mut br, a, b.as_raw_fd());
    let freed = br.free();
    let detail = r?;
    freed.ctx("free buffer ring")?;
    Ok(detail)
}

fn incremental_rounds(ring: &mut Ring, br: &mut BufRing, mut tx: UnixStream, fd: i32) -> Outcome {
    br.publish_all().ctx("publish buffers")?;
    let mut sent = Vec::new();
    let mut got = Vec::new();
    let mut seen = Vec::new();
    let mut armed = false;
    for i in 0..5u8 {
        if !armed {
            // SAFETY: no address in the SQE: data goes only into `br`'s
            // buffers, and a BufRing unregisters its group before its memory
            // goes, so the kernel never writes there afterwards.
            let s = unsafe { sqe(ring, "recv_multishot") }?;
            prep::recv_multishot(s, fd, std::ptr::null_mut(), 0, 0);
            s.flags |= IOSQE_BUFFER_SELECT;
            s.set_buf_group(br.bgid());
            ring.submit().ctx("submit")?;
        }
        let msg: Vec<u8> = (0..20).map(|k| b'a' + (i * 20 + k) % 26).collect();
        tx.write_all(&msg)
            .map_err(|e| Fail::Failed(format!("write: {e}")))?;
        sent.extend_from_slice(&msg);
        // A 20-byte message may arrive in two CQEs when a buffer runs out.
        while got.len() < sent.len() {
            let c = next_cqe(ring, "recv CQE")?;
            res(&c, "recv")?;
            armed = c.flags & IORING_CQE_F_MORE != 0;
            let used = br.consume(c.res, c.flags).ok_or_else(|| {
                Fail::Failed(format!("CQE without a buffer id: flags {:#x}", c.flags))
            })?;
            // SAFETY: these bytes were reported by the CQE; the buffer is
            // not pushed again until the kernel is done with it (!more).
            got.extend_from_slice(unsafe { br.data(&used) });
            seen.push(format!(
                "{}@{}{}",
                used.bid,
                used.offset,
                if used.more { "+" } else { "" }
            ));
            if !used.more {
                br.recycle(used.bid).ctx("recycle")?;
            }
            if !armed && got.len() < sent.len() {
                break;
            }
        }
    }
    ensure!(
        got == sent,
        "received {} bytes differing from the {} sent",
        got.len(),
        sent.len()
    );
    Ok(format!(
        "5 x 20 bytes into 64-byte buffers, CQEs as bid@offset (+ = IORING_CQE_F_BUF_MORE): {}; stream exact",
        seen.join(" ")
    ))
}

/// Two send bundles over a socketpair, each spanning several provided
/// buffers; bytes, buffer ids and order are checked exactly.
pub fn send_bundle() -> Outcome {
    const BGID: u16 = 12;
    let (a, mut b) = UnixStream::pair().map_err(|e| Fail::Failed(format!("socketpair: {e}")))?;
    b.set_read_timeout(Some(WAIT))
        .map_err(|e| Fail::Failed(e.to_string()))?;
    let mut ring = Ring::queue_init(8, 0).ctx("queue_init")?;
    // Never freed: a request still in flight when an error returns early
    // may write a buffer it picked after the BufRing is gone.
    let mem = Box::leak(vec![0u8; 8 * 64].into_boxed_slice());
    let mut br = BufRing::setup_static(&ring, 8, BGID, 0, mem, 64).ctx("BufRing::setup")?;
    let r = bundle_rounds(&mut ring, &mut br, a.as_raw_fd(), &mut b);
    let freed = br.free();
    let detail = r?;
    freed.ctx("free buffer ring")?;
    Ok(detail)
}

fn bundle_rounds(ring: &mut Ring, br: &mut BufRing, fd: i32, peer: &mut UnixStream) -> Outcome {
    // Two bundles; buffers staged in ring order, not bid order, with
    // distinct lengths. Bid 3 is sent twice (recycled in between).
    let rounds: [&[(u16, usize)]; 2] = [
        &[(3, 10), (1, 64), (4, 33), (0, 1), (2, 50)],
        &[(5, 17), (6, 64), (7, 2), (3, 40)],
    ];
    let mut total = 0;
    let mut details = Vec::new();
    for (r, bufs) in rounds.iter().enumerate() {
        let mut expect = Vec::new();
        for &(bid, len) in bufs.iter() {
            let fill: Vec<u8> = (0..len)
                .map(|k| (r * 100 + bid as usize * 7 + k) as u8)
                .collect();
            // SAFETY: buffer `bid` is ours: never pushed, or its send completed.
            let b = unsafe { br.buf_mut(bid) }.ok_or_else(|| Fail::Failed(format!("bid {bid}")))?;
            b.get_mut(..len)
                .ok_or_else(|| Fail::Failed("buffer too small".into()))?
                .copy_from_slice(&fill);
            br.push(bid, len as u32).ctx("push")?;
            expect.extend_from_slice(&fill);
        }
        br.commit();
        // The first buffer the bundle will use: the entry at the head we
        // computed from the previous bundle's res.
        let predicted = br.entry(br.tracked_head()).0;
        // SAFETY: no address in the SQE: the send takes its data from `br`'s
        // group, which outlives the CQE reaped just below.
        let s = unsafe { sqe(ring, "send_bundle") }?;
        prep::send_bundle(s, fd, 0, 0);
        s.flags |= IOSQE_BUFFER_SELECT;
        s.set_buf_group(br.bgid());
        s.user_data = 0x12;
        let c = next_cqe(ring, "send_bundle CQE")?;
        let n = res(&c, "send_bundle")?;
        ensure!(
            n as usize == expect.len(),
            "round {r}: sent {n} of {} bytes",
            expect.len()
        );
        let first = cqe_bid(c.flags);
        ensure!(
            first == Some(bufs[0].0) && first == Some(predicted),
            "round {r}: starting buffer {first:?}, staged first {}, predicted {predicted}",
            bufs[0].0
        );
        let bundle = br.consume_bundle(c.res, c.flags).ctx("consume_bundle")?;
        let used: Vec<(u16, u32)> = br.bundle_bufs(&bundle).collect();
        let staged: Vec<(u16, u32)> = bufs.iter().map(|&(b, l)| (b, l as u32)).collect();
        ensure!(
            used == staged,
            "round {r}: bundle used {used:?}, staged {staged:?}"
        );
        let mut got = vec![0u8; expect.len()];
        peer.read_exact(&mut got)
            .map_err(|e| Fail::Failed(format!("peer read: {e}")))?;
        ensure!(got == expect, "round {r}: peer received different bytes");
        total += n;
        details.push(format!(
            "{} bufs/{n} B from bid {}",
            bundle.count, bufs[0].0
        ));
    }
    peer.set_nonblocking(true)
        .map_err(|e| Fail::Failed(e.to_string()))?;
    let mut extra = [0u8; 1];
    ensure!(peer.read(&mut extra).is_err(), "peer received extra bytes");
    Ok(format!(
        "2 bundles ({}), {total} bytes exact and in order; next bid predicted from res",
        details.join(", ")
    ))
}
