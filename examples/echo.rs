//! Loopback TCP echo: a server on one ring with multishot `recvmsg` into a
//! provided buffer ring and `send_bundle`s straight out of the received
//! buffers, and a client that streams a checked byte pattern at it.
//! Both are bounded in time (default 2 s of sending; `--secs N`).
//!
//! ```text
//! cargo run --release --example echo -- --secs 2
//! ```
//!
//! Server data path, with no copy:
//! 1. one multishot `recvmsg` (re-armed when `IORING_CQE_F_MORE` clears,
//!    e.g. after `ENOBUFS`) picks buffers from the receive group (a
//!    [`BufRing`] over 64 x 4 KiB);
//! 2. each completion's payload, found with [`RecvMsgOut`], is appended to
//!    the *send* group's ring with the raw `buf_ring_add` (same memory,
//!    same buffer id);
//! 3. one `send_bundle` at a time sends everything queued; its CQE gives
//!    the bytes sent and the first id, and walking the send ring from there
//!    tells which receive buffers to recycle.
//!
//! The client checks every echoed byte against what it sent, in order, and
//! keeps at most 128 KiB unechoed; the server's send buffer (`SO_SNDBUF`,
//! set through io_uring's own setsockopt) holds that much, so no send bundle
//! is cut short (see [`WINDOW`] for why that matters).
//! Needs kernel 6.10+ (`IORING_FEAT_RECVSEND_BUNDLE`).

use std::ffi::c_void;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_mask, cqe_bid, BufRing};
use bare_uring::inflight::InFlight;
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::sys::{
    __kernel_timespec, io_uring_buf, io_uring_buf_ring, msghdr, IORING_CQE_F_MORE,
    IORING_FEAT_RECVSEND_BUNDLE, IOSQE_BUFFER_SELECT_BIT, IOU_PBUF_RING_MMAP,
    SOCKET_URING_OP_SETSOCKOPT,
};
use bare_uring::{prep, Errno, Ring};

const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;
const RECV_BGID: u16 = 1;
const SEND_BGID: u16 = 2;
const NBUF: u32 = 64;
const BUF_LEN: u32 = 4096;
const UD_RECV: u64 = 1;
const UD_SEND: u64 = 2;

/// The byte at stream offset `o` (a hash, so drops and reorders show).
fn pattern(o: u64) -> u8 {
    (o.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

#[derive(Default, Debug)]
struct ServerStats {
    bytes: u64,
    recv_cqes: u64,
    rearms: u64,
    enobufs: u64,
    bundles: u64,
    bundle_bufs: u64,
}

/// The send group's ring, driven with the raw 1:1 helpers.
struct SendRing {
    br: *mut io_uring_buf_ring,
    mask: i32,
    /// Positions: kernel-consumed (as far as CQEs told us) and published.
    head: u16,
    tail: u16,
}

impl SendRing {
    /// `(bid, len)` of the entry at ring position `pos`.
    fn entry(&self, pos: u16) -> (u16, u32) {
        let idx = (i32::from(pos) & self.mask) as usize;
        // SAFETY: idx <= mask: inside the ring mapped by setup_buf_ring.
        let e: io_uring_buf = unsafe {
            io_uring_buf_ring::bufs_ptr(self.br)
                .add(idx)
                .read_volatile()
        };
        (e.bid, e.len)
    }
}

fn arm_recv(io: &mut InFlight<'_>, fd: i32, msg: &mut msghdr) -> Result<(), Errno> {
    // SAFETY: a multishot recvmsg into group RECV_BGID, whose memory is leaked; `msg` (no name,
    // control or iovecs) is the caller's, declared outside the `in_flight` scope, which ends the
    // request on every way out of it; the socket is `server`'s; nothing else is in flight.
    let sqe = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::recvmsg_multishot(sqe, fd, msg, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(RECV_BGID);
    sqe.user_data = UD_RECV;
    Ok(())
}

fn arm_send(io: &mut InFlight<'_>, fd: i32) -> Result<(), Errno> {
    // SAFETY: the SQE holds no address: the bundle sends the leaked receive buffers that `server`
    // put in group SEND_BGID and recycles only after the send's CQE (the `in_flight` scope ends the
    // send before an early return); nothing else is in flight.
    let sqe = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::send_bundle(sqe, fd, 0, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(SEND_BGID);
    sqe.user_data = UD_SEND;
    Ok(())
}

/// SOL_SOCKET / SO_SNDBUF (asm-generic/socket.h).
const SOL_SOCKET: i32 = 1;
const SO_SNDBUF: i32 = 7;
/// Bytes the client lets travel unechoed (sent minus echoed). The server's
/// send buffer (SO_SNDBUF below) holds more than that, so a send bundle is
/// never cut short: a short bundle leaves the rest of its last buffer
/// unsent, and the kernel may go on with the following buffers (a CQE with
/// IORING_CQE_F_MORE), which would reorder the stream. Before this window,
/// runs failed now and then with a short bundle.
const WINDOW: u64 = 128 << 10;

/// Asks for a 1 MiB send buffer (the kernel caps it at net.core.wmem_max,
/// 208 KiB by default, and doubles it) with io_uring's own setsockopt.
fn set_sndbuf(ring: &mut Ring, fd: i32) -> Result<(), Errno> {
    let mut val: i32 = 1 << 20;
    // `val` is declared outside the scope, which ends the request on every
    // way out.
    ring.in_flight(|io| {
        // SAFETY: `val` outlives the scope; the socket is the caller's;
        // nothing else is in flight on the ring.
        let sqe = unsafe { io.get_sqe() }.ok_or(Errno::EBUSY)?;
        prep::cmd_sock(
            sqe,
            SOCKET_URING_OP_SETSOCKOPT as i32,
            fd,
            SOL_SOCKET,
            SO_SNDBUF,
            (&mut val as *mut i32).cast(),
            std::mem::size_of::<i32>() as i32,
        );
        sqe.user_data = 0;
        io.submit_and_wait(1)?;
        let c = io.reap()?;
        Errno::from_res(c.res).map(drop)
    })
}

fn server(listener: TcpListener, deadline: Instant) -> Result<ServerStats, String> {
    let (conn, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
    let fd = conn.as_raw_fd();
    let mut ring = Ring::queue_init(64, 0).map_err(|e| format!("queue_init: {e}"))?;
    if ring.features() & IORING_FEAT_RECVSEND_BUNDLE == 0 {
        return Err("kernel lacks IORING_FEAT_RECVSEND_BUNDLE (6.10+)".into());
    }
    set_sndbuf(&mut ring, fd).map_err(|e| format!("SO_SNDBUF through io_uring (6.7+): {e}"))?;
    // Never freed: a request still in flight when an error returns early
    // may write a buffer it picked after the BufRing is gone.
    let mem = Box::leak(vec![0u8; (NBUF * BUF_LEN) as usize].into_boxed_slice());
    let mut rx = BufRing::setup_static(&ring, NBUF, RECV_BGID, IOU_PBUF_RING_MMAP, mem, BUF_LEN)
        .map_err(|e| format!("recv buffer ring: {e}"))?;
    rx.publish_all().map_err(|e| e.to_string())?;
    let tx_br = ring
        .setup_buf_ring(NBUF, SEND_BGID, IOU_PBUF_RING_MMAP)
        .map_err(|e| format!("send buffer ring: {e}"))?;
    let mut tx = SendRing {
        br: tx_br.as_ptr(),
        mask: buf_ring_mask(NBUF),
        head: 0,
        tail: 0,
    };

    // Stream socket: no name, no control data; each buffer is the 16-byte
    // io_uring_recvmsg_out header plus payload.
    let mut msg = msghdr::zeroed();
    // What the requests use (`msg`, the buffer rings) is declared outside
    // the scope: on every early return below (`?`, `return Err`) the scope
    // cancels the armed recvmsg and send and waits for their last CQEs
    // before `in_flight` returns and those go.
    let st = ring.in_flight(|io| -> Result<ServerStats, String> {
        let mut st = ServerStats::default();
        arm_recv(io, fd, &mut msg).map_err(|e| e.to_string())?;
        let mut recv_armed = true;
        let mut send_in_flight = false;
        let mut eof = false;
        let ts = __kernel_timespec {
            tv_sec: 0,
            tv_nsec: 200_000_000,
        };
        while !(eof && !send_in_flight && tx.head == tx.tail) {
            if Instant::now() > deadline {
                return Err(format!("server deadline passed: {st:?}"));
            }
            if !recv_armed && !eof && rx.available().map_or(true, |n| n > 0) {
                arm_recv(io, fd, &mut msg).map_err(|e| e.to_string())?;
                recv_armed = true;
                st.rearms += 1;
            }
            if !send_in_flight && tx.head != tx.tail {
                arm_send(io, fd).map_err(|e| e.to_string())?;
                send_in_flight = true;
            }
            io.submit().map_err(|e| format!("submit: {e}"))?;
            let cqe = match io.reap_timeout(Some(&ts)) {
                Ok(c) => c,
                Err(Errno::ETIME) => continue,
                Err(e) => return Err(format!("wait: {e}")),
            };
            match cqe.user_data {
                UD_RECV => {
                    st.recv_cqes += 1;
                    let more = cqe.flags & IORING_CQE_F_MORE != 0;
                    if !more {
                        recv_armed = false;
                    }
                    if cqe.res == -Errno::ENOBUFS.0 {
                        st.enobufs += 1;
                        continue;
                    }
                    if cqe.res < 0 {
                        return Err(format!("recvmsg: {:?}", Errno::from_res(cqe.res)));
                    }
                    let Some(c) = rx.consume(cqe.res, cqe.flags) else {
                        // res 0 without a buffer: end of stream.
                        eof = true;
                        continue;
                    };
                    // SAFETY: this CQE handed buffer c.bid back to us.
                    let out = RecvMsgOut::new(unsafe { rx.data(&c) }, &msg)
                        .ok_or("short recvmsg buffer")?;
                    let payload = out.payload();
                    if payload.is_empty() {
                        eof = true;
                        rx.recycle(c.bid).map_err(|e| e.to_string())?;
                        continue;
                    }
                    st.bytes += payload.len() as u64;
                    // Queue the payload for sending, under the same buffer id.
                    // SAFETY: the send ring has NBUF entries and at most NBUF
                    // receive buffers are queued at once; the payload stays
                    // valid until the send completes and we recycle it.
                    unsafe {
                        buf_ring_add(
                            tx.br,
                            payload.as_ptr() as *mut c_void,
                            payload.len() as u32,
                            c.bid,
                            tx.mask,
                            0,
                        );
                        buf_ring_advance(tx.br, 1);
                    }
                    tx.tail = tx.tail.wrapping_add(1);
                }
                UD_SEND => {
                    if cqe.res < 0 {
                        return Err(format!("send_bundle: {:?}", Errno::from_res(cqe.res)));
                    }
                    if cqe.flags & IORING_CQE_F_MORE == 0 {
                        send_in_flight = false;
                    }
                    if cqe.res == 0 {
                        continue;
                    }
                    if cqe_bid(cqe.flags) != Some(tx.entry(tx.head).0) {
                        return Err("bundle did not start at the next queued buffer".into());
                    }
                    // Walk the send ring from its head until `res` bytes are
                    // covered: those receive buffers are free again.
                    let mut left = cqe.res as u32;
                    st.bundles += 1;
                    while left > 0 {
                        let (bid, len) = tx.entry(tx.head);
                        if len > left {
                            return Err(format!(
                                "send bundle cut short: {left} of buffer {bid}'s {len} bytes sent \
                                 (the send buffer should hold the client's window)"
                            ));
                        }
                        left -= len;
                        tx.head = tx.head.wrapping_add(1);
                        st.bundle_bufs += 1;
                        rx.recycle(bid).map_err(|e| e.to_string())?;
                    }
                }
                _ => {}
            }
        }
        Ok(st)
    })?;
    conn.shutdown(Shutdown::Write).map_err(|e| e.to_string())?;
    // The requests have ended (the scope ended them). Dropping `rx`
    // unregisters the receive group and closes its duplicate of the ring
    // fd; the ring goes last.
    drop(rx);
    drop(ring);
    Ok(st)
}

struct ClientStats {
    writes: u64,
    sent: u64,
    echoed: u64,
    elapsed: Duration,
}

fn client(addr: SocketAddr, secs: f64) -> Result<ClientStats, String> {
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).ok();
    let mut reader = stream.try_clone().map_err(|e| e.to_string())?;
    reader
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    // Bytes checked by the reader so far (Release by the reader, Acquire by
    // the writer: the writer only needs a count that never runs ahead).
    let progress = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&progress);
    let rd = thread::spawn(move || -> Result<u64, String> {
        let mut off = 0u64;
        let mut buf = vec![0u8; 65536];
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| format!("client read: {e}"))?;
            if n == 0 {
                return Ok(off);
            }
            for &b in &buf[..n] {
                if b != pattern(off) {
                    return Err(format!("echo differs at byte {off}"));
                }
                off += 1;
            }
            seen.store(off, Ordering::Release);
        }
    });
    let mut w = &stream;
    let mut off = 0u64;
    let mut writes = 0u64;
    let mut chunk = Vec::with_capacity(8192);
    while start.elapsed().as_secs_f64() < secs {
        let len = 1 + (writes * 2654435761 % 8000) as usize;
        // Keep at most WINDOW bytes unechoed (bounded: the reader gives up
        // after 5 s without data, and then `progress` stops for good).
        while off + len as u64 > progress.load(Ordering::Acquire) + WINDOW {
            if rd.is_finished() {
                break;
            }
            thread::yield_now();
        }
        chunk.clear();
        chunk.extend((0..len as u64).map(|k| pattern(off + k)));
        w.write_all(&chunk)
            .map_err(|e| format!("client write: {e}"))?;
        off += len as u64;
        writes += 1;
    }
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| e.to_string())?;
    let echoed = rd.join().map_err(|_| "reader panicked")??;
    Ok(ClientStats {
        writes,
        sent: off,
        echoed,
        elapsed: start.elapsed(),
    })
}

fn main() {
    let mut secs = 2.0f64;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--secs") {
        secs = args
            .get(i + 1)
            .and_then(|s| s.parse().ok())
            .filter(|s: &f64| *s > 0.0 && *s <= 30.0)
            .unwrap_or(2.0);
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    let deadline = Instant::now() + Duration::from_secs_f64(secs + 5.0);
    let srv = thread::spawn(move || server(listener, deadline));
    let cl = client(addr, secs);
    let sv = srv.join().expect("server thread");
    match (cl, sv) {
        (Ok(c), Ok(s)) => {
            let mb = c.echoed as f64 / 1e6;
            let t = c.elapsed.as_secs_f64();
            println!("echo over 127.0.0.1 for {t:.2} s");
            println!(
                "  client: {} writes, {} bytes sent, {} bytes echoed back",
                c.writes, c.sent, c.echoed
            );
            println!(
                "  server: {} bytes in {} recvmsg CQEs, {} re-arms ({} ENOBUFS), {} send bundles of {:.1} buffers on average",
                s.bytes,
                s.recv_cqes,
                s.rearms,
                s.enobufs,
                s.bundles,
                s.bundle_bufs as f64 / s.bundles.max(1) as f64
            );
            println!(
                "  throughput: {:.1} MB/s echoed ({:.0} writes/s)",
                mb / t,
                c.writes as f64 / t
            );
            if c.echoed != c.sent || s.bytes != c.sent {
                eprintln!(
                    "MISMATCH: sent {}, server got {}, echoed {}",
                    c.sent, s.bytes, c.echoed
                );
                std::process::exit(1);
            }
            println!("  every byte echoed once, in order");
        }
        (c, s) => {
            if let Err(e) = c {
                eprintln!("client: {e}");
            }
            if let Err(e) = s {
                eprintln!("server: {e}");
            }
            std::process::exit(1);
        }
    }
}
