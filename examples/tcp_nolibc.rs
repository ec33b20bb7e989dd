//! TCP over loopback where every socket operation is an io_uring request:
//! no socket call through libc, no `std::net`. One thread, one ring.
//!
//! ```text
//! cargo run --release --example tcp_nolibc
//! ```
//!
//! 1. Setup, one request at a time: `SOCKET` (5.19+) for the listener,
//!    `BIND` to 127.0.0.1 and `LISTEN` (both 6.11+); a busy port
//!    (`EADDRINUSE`) is retried with the next one. Then `SOCKET` and
//!    `CONNECT` for each client (the listener's backlog takes them before
//!    anything accepts).
//! 2. The event loop, everything in flight at once on the same ring:
//!    - server: one multishot `ACCEPT`; per connection one multishot
//!      `RECVMSG` selecting from a shared provided-buffer ring
//!      ([`BufRing`], parsed with [`RecvMsgOut`]); each payload is copied
//!      into the connection's own send buffer ring, and one `send_bundle`
//!      at a time sends everything queued there (the CQE says how many
//!      bytes, [`BufRing::consume_bundle`] which buffers);
//!    - clients: `SEND` their messages and then `SHUTDOWN` their write side
//!      as one linked chain (`IOSQE_IO_LINK`), `RECV` the echo and check
//!      every byte;
//!    - server: end of stream on a connection with nothing left to send →
//!      `CLOSE`; a client seeing end of stream `CLOSE`s too.
//! 3. Teardown: `ASYNC_CANCEL` of the multishot accept, `CLOSE` of the
//!    listener.
//!
//! Prints the port, what each side counted, and the number of completions
//! per opcode. Bounded: at most 5 s, each wait at most 1 s; exit code 1 on
//! any failure. Needs Linux 6.11+ (BIND/LISTEN) and 6.10+ (bundles); on an
//! older kernel it says so and exits 0.

use std::collections::BTreeMap;
use std::mem::size_of;
use std::ptr::null_mut;
use std::time::{Duration, Instant};

use bare_uring::buf_ring::BufRing;
use bare_uring::decode::opcode_name;
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::sys::{
    __kernel_timespec, in_addr, io_uring_sqe, msghdr, sockaddr, sockaddr_in, IORING_CQE_F_MORE,
    IORING_FEAT_RECVSEND_BUNDLE, IORING_OP_BIND, IORING_OP_LISTEN, IOSQE_BUFFER_SELECT_BIT,
    IOSQE_IO_LINK_BIT,
};
use bare_uring::syscall::getpid;
use bare_uring::{prep, Errno, Ring};

const AF_INET: i32 = 2;
const SOCK_STREAM: i32 = 1;
const SOCK_CLOEXEC: i32 = 0o2000000;
const SHUT_WR: i32 = 1;
const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;
const IOSQE_IO_LINK: u8 = 1 << IOSQE_IO_LINK_BIT;

const CLIENTS: usize = 3;
const MESSAGES: usize = 8;
/// Receive group shared by all server connections.
const RECV_BGID: u16 = 1;
const RECV_BUFS: u32 = 32;
const RECV_BUF_LEN: u32 = 2048;
/// Send group of server connection `i`: SEND_BGID + i.
const SEND_BGID: u16 = 10;
const SEND_BUFS: u32 = 16;
const SEND_BUF_LEN: u32 = 2048;
const DEADLINE: Duration = Duration::from_secs(5);

/// What a completion belongs to: kind in the upper 32 bits, index below.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ud {
    Accept,
    SrvRecv(usize),
    SrvSend(usize),
    SrvClose(usize),
    CliSend(usize),
    CliRecv(usize),
    CliShut(usize),
    CliClose(usize),
    CancelAccept,
    CloseListener,
    /// A setup request (one at a time).
    Setup,
}

impl Ud {
    fn encode(self) -> u64 {
        let (k, i) = match self {
            Ud::Accept => (1, 0),
            Ud::SrvRecv(i) => (2, i),
            Ud::SrvSend(i) => (3, i),
            Ud::SrvClose(i) => (4, i),
            Ud::CliSend(i) => (5, i),
            Ud::CliRecv(i) => (6, i),
            Ud::CliShut(i) => (7, i),
            Ud::CliClose(i) => (8, i),
            Ud::CancelAccept => (9, 0),
            Ud::CloseListener => (10, 0),
            Ud::Setup => (11, 0),
        };
        (k << 32) | i as u64
    }

    fn decode(v: u64) -> Option<Ud> {
        let i = (v & 0xffff_ffff) as usize;
        Some(match v >> 32 {
            1 => Ud::Accept,
            2 => Ud::SrvRecv(i),
            3 => Ud::SrvSend(i),
            4 => Ud::SrvClose(i),
            5 => Ud::CliSend(i),
            6 => Ud::CliRecv(i),
            7 => Ud::CliShut(i),
            8 => Ud::CliClose(i),
            9 => Ud::CancelAccept,
            10 => Ud::CloseListener,
            11 => Ud::Setup,
            _ => return None,
        })
    }
}

/// Client `c`'s message `m`: a header line, then filler; lengths vary.
fn message(c: usize, m: usize) -> Vec<u8> {
    let mut v = format!("client {c} message {m}\n").into_bytes();
    let len = 200 + 173 * m + 31 * c;
    v.extend((v.len()..len).map(|k| b'a' + ((k + c + m) % 26) as u8));
    v
}

/// The ring plus per-opcode completion counts; every SQE goes through
/// [`Net::sqe`].
struct Net {
    ring: Ring,
    ops: BTreeMap<String, u32>,
    pending: BTreeMap<u64, u8>,
}

impl Net {
    /// Queues one request prepared by `f`, tagged `ud`.
    ///
    /// # Safety
    /// Every address `f` writes into the SQE must stay valid (and
    /// otherwise untouched where the kernel writes) until the request's
    /// final completion.
    unsafe fn sqe(&mut self, ud: Ud, f: impl FnOnce(&mut io_uring_sqe)) -> Result<(), String> {
        // SAFETY: the caller's promise is get_sqe's.
        let sqe = unsafe { self.ring.get_sqe() }.ok_or("submission queue full")?;
        f(sqe);
        sqe.user_data = ud.encode();
        self.pending.insert(ud.encode(), sqe.opcode);
        Ok(())
    }

    /// Submits and returns the next completion (waiting at most 1 s).
    fn next(&mut self) -> Result<(Ud, i32, u32), String> {
        let ts = __kernel_timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        let c = self
            .ring
            .submit_and_wait_timeout(1, Some(&ts), None)
            .map_err(|e| format!("waiting for a completion: {e}"))?;
        self.ring.cqe_seen(&c);
        let ud = Ud::decode(c.user_data).ok_or(format!("stray user_data {:#x}", c.user_data))?;
        let op = if c.flags & IORING_CQE_F_MORE != 0 {
            self.pending.get(&c.user_data).copied()
        } else {
            self.pending.remove(&c.user_data)
        }
        .ok_or(format!("completion for {ud:?}, which is not in flight"))?;
        let name = match ud {
            Ud::SrvSend(_) => "send_bundle".to_string(),
            _ => opcode_name(op)
                .unwrap_or("?")
                .trim_start_matches("IORING_OP_")
                .to_ascii_lowercase(),
        };
        *self.ops.entry(name).or_insert(0) += 1;
        Ok((ud, c.res, c.flags))
    }

    /// Queues one request, submits, and waits for its completion (setup
    /// only: nothing else is in flight).
    ///
    /// # Safety
    /// As for [`Net::sqe`]; the request completes before this returns.
    unsafe fn call(
        &mut self,
        ud: Ud,
        what: &str,
        f: impl FnOnce(&mut io_uring_sqe),
    ) -> Result<i32, Errno> {
        // SAFETY: the caller's promise.
        unsafe { self.sqe(ud, f) }.map_err(|_| Errno::EBUSY)?;
        let (got, res, _) = self.next().map_err(|e| {
            eprintln!("{what}: {e}");
            Errno::EIO
        })?;
        if got != ud {
            eprintln!("{what}: a completion for {got:?} arrived during setup");
            return Err(Errno::EIO);
        }
        Errno::from_res(res).map(|v| v as i32)
    }
}

fn loopback(port: u16) -> sockaddr_in {
    sockaddr_in {
        sin_family: AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: in_addr {
            s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
        },
        sin_zero: [0; 8],
    }
}

/// Server side of one accepted connection.
struct Conn<'m> {
    fd: i32,
    tx: BufRing<'m>,
    /// Send buffers not queued (free for copying a payload into).
    free: Vec<u16>,
    queued: u32,
    sending: bool,
    recv_armed: bool,
    eof: bool,
    closing: bool,
    closed: bool,
}

/// One client: its socket, what it sent and what came back.
struct Client {
    fd: i32,
    sent: Vec<u8>,
    echoed: Vec<u8>,
    /// Receive buffer: leaked, like all memory the kernel writes here, so
    /// that an early error return cannot free it under a request still in
    /// flight (a ring's teardown is asynchronous).
    buf: &'static mut [u8; 4096],
}

#[derive(Default)]
struct Stats {
    accepts: u32,
    recv_cqes: u32,
    rearms: u32,
    bytes: u64,
    bundles: u32,
    bundle_bufs: u32,
}

fn main() {
    match run() {
        Ok(()) => {}
        Err(e) => {
            eprintln!("FAILED: {e}");
            std::process::exit(1);
        }
    }
}

fn run() -> Result<(), String> {
    let start = Instant::now();
    let ring = Ring::queue_init(64, 0).map_err(|e| format!("queue_init: {e}"))?;
    let probe = ring.get_probe_ring().map_err(|e| format!("probe: {e}"))?;
    if !probe.opcode_supported(IORING_OP_BIND)
        || !probe.opcode_supported(IORING_OP_LISTEN)
        || ring.features() & IORING_FEAT_RECVSEND_BUNDLE == 0
    {
        println!("tcp_nolibc: not supported by this kernel (needs IORING_OP_BIND/LISTEN, 6.11+, and send bundles, 6.10+)");
        return Ok(());
    }
    let mut net = Net {
        ring,
        ops: BTreeMap::new(),
        pending: BTreeMap::new(),
    };

    // 1. Setup.
    // SAFETY (every `call` below): the requests point only to locals that
    // live until `call` returns, which is after their completion.
    let lfd = unsafe {
        net.call(Ud::Setup, "socket", |s| {
            prep::socket(s, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0)
        })
    }
    .map_err(|e| format!("socket: {e}"))?;
    let first = 20_000 + (getpid() as u16 % 20_000);
    let mut port = first;
    let mut tries = 0;
    loop {
        tries += 1;
        let addr = loopback(port);
        let r = unsafe {
            net.call(Ud::Setup, "bind", |s| {
                prep::bind(
                    s,
                    lfd,
                    (&addr as *const sockaddr_in).cast::<sockaddr>(),
                    size_of::<sockaddr_in>() as u32,
                )
            })
        };
        match r {
            Ok(_) => break,
            Err(Errno::EADDRINUSE) if tries < 64 => port = port.wrapping_add(1).max(20_000),
            Err(e) => return Err(format!("bind 127.0.0.1:{port}: {e}")),
        }
    }
    unsafe { net.call(Ud::Setup, "listen", |s| prep::listen(s, lfd, 16)) }
        .map_err(|e| format!("listen: {e}"))?;
    println!(
        "tcp_nolibc: listening on 127.0.0.1:{port} ({tries} port(s) tried), socket/bind/listen all io_uring requests"
    );
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let fd = unsafe {
            net.call(Ud::Setup, "client socket", |s| {
                prep::socket(s, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0)
            })
        }
        .map_err(|e| format!("client socket: {e}"))?;
        let addr = loopback(port);
        unsafe {
            net.call(Ud::Setup, "connect", |s| {
                prep::connect(
                    s,
                    fd,
                    (&addr as *const sockaddr_in).cast::<sockaddr>(),
                    size_of::<sockaddr_in>() as u32,
                )
            })
        }
        .map_err(|e| format!("connect: {e}"))?;
        clients.push(Client {
            fd,
            sent: Vec::new(),
            echoed: Vec::new(),
            buf: Box::leak(Box::new([0; 4096])),
        });
    }

    // Buffer memory: one receive group shared by the connections, one send
    // group per connection.
    // Never freed: a request still in flight when an error returns early
    // may write a buffer it picked after its BufRing is gone.
    let rx_mem = Box::leak(vec![0u8; (RECV_BUFS * RECV_BUF_LEN) as usize].into_boxed_slice());
    let tx_mem =
        Box::leak(vec![0u8; CLIENTS * (SEND_BUFS * SEND_BUF_LEN) as usize].into_boxed_slice());
    let r = {
        let mut rx =
            BufRing::setup_static(&net.ring, RECV_BUFS, RECV_BGID, 0, rx_mem, RECV_BUF_LEN)
                .map_err(|e| format!("receive buffer ring: {e}"))?;
        let mut txs = Vec::new();
        for (i, m) in tx_mem
            .chunks_mut((SEND_BUFS * SEND_BUF_LEN) as usize)
            .enumerate()
        {
            let tx = BufRing::setup_static(
                &net.ring,
                SEND_BUFS,
                SEND_BGID + i as u16,
                0,
                m,
                SEND_BUF_LEN,
            )
            .map_err(|e| format!("send buffer ring {i}: {e}"))?;
            txs.push(tx);
        }
        let r = event_loop(&mut net, &mut rx, txs, lfd, &mut clients, start);
        let freed = rx.free();
        r.and_then(|st| freed.map(|()| st).map_err(|e| e.to_string()))
    };
    let st = r?;

    for (i, c) in clients.iter().enumerate() {
        println!(
            "  client {i}: {MESSAGES} messages, {} bytes sent, {} echoed back, every byte checked, closed",
            c.sent.len(),
            c.echoed.len(),
        );
    }
    println!(
        "  server: {} connections accepted by one multishot accept; {} bytes in {} recvmsg completions \
         ({} re-arms); echoed in {} send bundles of {:.1} buffers on average",
        st.accepts,
        st.bytes,
        st.recv_cqes,
        st.rearms,
        st.bundles,
        st.bundle_bufs as f64 / st.bundles.max(1) as f64
    );
    let ops: Vec<String> = net
        .ops
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    println!(
        "  completions per opcode: {} (the last accept completion is its cancellation)",
        ops.join(", ")
    );
    println!("  {:.1} ms in all", start.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

/// Queues client `c`'s messages and then its shutdown as one linked chain
/// (`IOSQE_IO_LINK`: each starts when the previous one completed, so the
/// stream carries them in order).
fn client_send_all(net: &mut Net, c: usize, cl: &mut Client) -> Result<(), String> {
    let mut lens = Vec::new();
    for m in 0..MESSAGES {
        let msg = message(c, m);
        lens.push(msg.len());
        cl.sent.extend_from_slice(&msg);
    }
    let fd = cl.fd;
    let mut at = 0;
    for (m, len) in lens.into_iter().enumerate() {
        let p = cl.sent[at..].as_ptr();
        at += len;
        // SAFETY: `sent` is complete before the first send is queued and
        // not touched until the client is dropped, after its last
        // completion.
        unsafe {
            net.sqe(Ud::CliSend(c * MESSAGES + m), |s| {
                prep::send(s, fd, p.cast(), len, 0);
                s.flags |= IOSQE_IO_LINK;
            })?
        };
    }
    // SAFETY: SHUTDOWN points to no memory.
    unsafe { net.sqe(Ud::CliShut(c), |s| prep::shutdown(s, fd, SHUT_WR)) }
}

fn client_recv(net: &mut Net, c: usize, cl: &mut Client) -> Result<(), String> {
    let (fd, p, n) = (cl.fd, cl.buf.as_mut_ptr(), cl.buf.len());
    // SAFETY: the boxed buffer stays put and is read only after this
    // request's completion.
    unsafe { net.sqe(Ud::CliRecv(c), |s| prep::recv(s, fd, p.cast(), n, 0)) }
}

fn arm_recvmsg(net: &mut Net, i: usize, fd: i32, msg: *mut msghdr) -> Result<(), String> {
    // SAFETY: `msg` is the event loop's local, which outlives every
    // completion; buffers come from the receive group.
    unsafe {
        net.sqe(Ud::SrvRecv(i), |s| {
            prep::recvmsg_multishot(s, fd, msg, 0);
            s.flags |= IOSQE_BUFFER_SELECT;
            s.set_buf_group(RECV_BGID);
        })
    }
}

fn arm_send(net: &mut Net, i: usize, conn: &mut Conn) -> Result<(), String> {
    let (fd, bgid) = (conn.fd, conn.tx.bgid());
    conn.sending = true;
    // SAFETY: the payloads are in the send group's buffers, not reused
    // until the bundle's completion gives them back.
    unsafe {
        net.sqe(Ud::SrvSend(i), |s| {
            prep::send_bundle(s, fd, 0, 0);
            s.flags |= IOSQE_BUFFER_SELECT;
            s.set_buf_group(bgid);
        })
    }
}

fn event_loop(
    net: &mut Net,
    rx: &mut BufRing,
    txs: Vec<BufRing>,
    lfd: i32,
    clients: &mut [Client],
    start: Instant,
) -> Result<Stats, String> {
    rx.publish_all().map_err(|e| e.to_string())?;
    let mut txs: Vec<Option<BufRing>> = txs.into_iter().map(Some).collect();
    let mut conns: Vec<Conn> = Vec::new();
    let mut st = Stats::default();
    // Stream sockets: no name, no control data in the receive buffers.
    // Leaked: see `Client::buf`.
    let msg: &'static mut msghdr = Box::leak(Box::new(msghdr::zeroed()));
    let msg_ptr: *mut msghdr = msg;
    // SAFETY: the multishot accept points to no memory (no peer address).
    unsafe {
        net.sqe(Ud::Accept, |s| {
            prep::multishot_accept(s, lfd, null_mut(), null_mut(), SOCK_CLOEXEC)
        })?
    };
    for (c, cl) in clients.iter_mut().enumerate() {
        client_send_all(net, c, cl)?;
        client_recv(net, c, cl)?;
    }
    let mut clients_closed = 0;
    let mut teardown = false;
    let mut listener_closed = false;
    // Until the listener is closed and no request is left in flight.
    while !(listener_closed && net.pending.is_empty()) {
        if start.elapsed() > DEADLINE {
            return Err(format!("not done after {DEADLINE:?}"));
        }
        let done = clients_closed == clients.len() && conns.iter().all(|c| c.closed);
        if done && !teardown {
            teardown = true;
            // SAFETY: neither request points to memory.
            unsafe {
                net.sqe(Ud::CancelAccept, |s| {
                    prep::cancel64(s, Ud::Accept.encode(), 0)
                })?;
                net.sqe(Ud::CloseListener, |s| prep::close(s, lfd))?;
            }
        }
        let (ud, res, flags) = net.next()?;
        let ok = |what: &str| Errno::from_res(res).map_err(|e| format!("{what} ({ud:?}): {e}"));
        match ud {
            Ud::Accept => {
                if teardown && res == -Errno::ECANCELED.0 {
                    continue;
                }
                let fd = ok("accept")? as i32;
                let i = conns.len();
                let tx = txs
                    .get_mut(i)
                    .and_then(Option::take)
                    .ok_or("more connections than clients")?;
                let free = (0..SEND_BUFS as u16).rev().collect();
                conns.push(Conn {
                    fd,
                    tx,
                    free,
                    queued: 0,
                    sending: false,
                    recv_armed: true,
                    eof: false,
                    closing: false,
                    closed: false,
                });
                st.accepts += 1;
                arm_recvmsg(net, i, fd, msg_ptr)?;
            }
            Ud::SrvRecv(i) => {
                st.recv_cqes += 1;
                let conn = conns.get_mut(i).ok_or("no such connection")?;
                conn.recv_armed = flags & IORING_CQE_F_MORE != 0;
                if res != -Errno::ENOBUFS.0 {
                    ok("recvmsg")?;
                }
                if let Some(used) = rx.consume(res, flags) {
                    // SAFETY: this completion handed the buffer to us.
                    // SAFETY: the kernel read the msghdr when the request
                    // started and never writes it.
                    let out = RecvMsgOut::new(unsafe { rx.data(&used) }, unsafe { &*msg_ptr })
                        .ok_or("receive buffer too short for its header")?;
                    let payload = out.payload();
                    if payload.is_empty() {
                        conn.eof = true;
                    } else {
                        let bid = conn.free.pop().ok_or("send buffers exhausted")?;
                        // SAFETY: `bid` is free: not queued, or its bundle
                        // completed.
                        let b = unsafe { conn.tx.buf_mut(bid) }.ok_or("bad send bid")?;
                        b.get_mut(..payload.len())
                            .ok_or("payload larger than a send buffer")?
                            .copy_from_slice(payload);
                        conn.tx
                            .push(bid, payload.len() as u32)
                            .map_err(|e| e.to_string())?;
                        conn.tx.commit();
                        conn.queued += 1;
                        st.bytes += payload.len() as u64;
                    }
                    rx.recycle(used.bid).map_err(|e| e.to_string())?;
                } else if res == 0 {
                    conn.eof = true;
                }
                if !conn.recv_armed && !conn.eof {
                    st.rearms += 1;
                    conn.recv_armed = true;
                    let fd = conn.fd;
                    arm_recvmsg(net, i, fd, msg_ptr)?;
                }
            }
            Ud::SrvSend(i) => {
                let n = ok("send_bundle")?;
                let conn = conns.get_mut(i).ok_or("no such connection")?;
                conn.sending = false;
                if n > 0 {
                    let b = conn
                        .tx
                        .consume_bundle(res, flags)
                        .map_err(|e| format!("consume_bundle: {e}"))?;
                    let bids: Vec<(u16, u32)> = conn.tx.bundle_bufs(&b).collect();
                    conn.free.extend(bids.iter().map(|&(bid, _)| bid));
                    conn.queued -= bids.len() as u32;
                    st.bundles += 1;
                    st.bundle_bufs += bids.len() as u32;
                }
            }
            Ud::SrvClose(i) => {
                ok("close")?;
                conns.get_mut(i).ok_or("no such connection")?.closed = true;
            }
            Ud::CliSend(_) => {
                ok("send")?;
            }
            Ud::CliRecv(c) => {
                let n = ok("recv")? as usize;
                let cl = clients.get_mut(c).ok_or("no such client")?;
                let got = cl.buf.get(..n).ok_or("recv overran")?;
                let at = cl.echoed.len();
                if cl.sent.get(at..at + n) != Some(got) {
                    return Err(format!("client {c}: echo differs at byte {at}"));
                }
                cl.echoed.extend_from_slice(got);
                if n == 0 {
                    // End of stream: the server closed after our shutdown
                    // reached it, so the shutdown has run; nothing else of
                    // this client is in flight.
                    let fd = cl.fd;
                    // SAFETY: CLOSE points to no memory.
                    unsafe { net.sqe(Ud::CliClose(c), |s| prep::close(s, fd))? };
                } else {
                    client_recv(net, c, cl)?;
                }
            }
            Ud::CliShut(_) => {
                ok("shutdown")?;
            }
            Ud::CliClose(c) => {
                ok("close")?;
                let cl = clients.get_mut(c).ok_or("no such client")?;
                let total: usize = (0..MESSAGES).map(|m| message(c, m).len()).sum();
                if cl.echoed.len() != total {
                    return Err(format!(
                        "client {c}: {} of {total} bytes echoed",
                        cl.echoed.len()
                    ));
                }
                clients_closed += 1;
            }
            Ud::CancelAccept => {
                ok("cancel accept")?;
            }
            Ud::CloseListener => {
                ok("close listener")?;
                listener_closed = true;
            }
            Ud::Setup => return Err("a setup completion in the event loop".into()),
        }
        // Send what is queued, one bundle at a time per connection; close
        // a connection at end of stream once everything went out.
        for (i, conn) in conns.iter_mut().enumerate() {
            if !conn.sending && conn.queued > 0 {
                arm_send(net, i, conn)?;
            } else if conn.eof
                && !conn.sending
                && conn.queued == 0
                && !conn.recv_armed
                && !conn.closing
            {
                conn.closing = true;
                let fd = conn.fd;
                // SAFETY: CLOSE points to no memory; no request of this
                // connection is in flight (recv ended, no send).
                unsafe { net.sqe(Ud::SrvClose(i), |s| prep::close(s, fd))? };
            }
        }
    }
    for conn in conns {
        conn.tx.free().map_err(|e| e.to_string())?;
    }
    Ok(st)
}
