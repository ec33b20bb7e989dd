//! Section 4: figures measured on this machine, printed, never asserted.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use bare_uring::buf_ring::BufRing;
use bare_uring::sys::*;
use bare_uring::{prep, Ring};

use crate::scenarios::Tally;
use crate::util::{ensure, next_cqe, res, sqe, timespec, Ctx, Fail, Outcome, WAIT};

/// Prints section 4.
pub fn section(caps: &crate::kernel::Caps, t: &mut Tally) {
    println!("\n== Figures (measured here, not asserted)");
    t.run("msg_ring ping-pong, 2 threads", &[&caps.msg_ring], || {
        pingpong(0)
    });
    t.run(
        "  same, SINGLE_ISSUER|DEFER_TASKRUN rings",
        &[&caps.msg_ring],
        || pingpong(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
    );
    t.run(
        "send_bundle throughput",
        &[&caps.bundle, &caps.pbuf_ring],
        bundle_throughput,
    );
}

const PINGS: usize = 20_000;
const BUDGET: Duration = Duration::from_secs(1);
/// user_data that tells the ponger to stop.
const STOP: u64 = u64::MAX;

/// Queues a message to ring `fd` with `data`, posting no CQE on the sender
/// when it succeeds (IOSQE_CQE_SKIP_SUCCESS).
fn queue_msg(ring: &mut Ring, fd: i32, data: u64) -> Result<(), Fail> {
    // SAFETY: a MSG_RING message points to no memory.
    let s = unsafe { sqe(ring, "msg_ring") }?;
    prep::msg_ring(s, fd, 0, data, 0);
    s.flags |= IOSQE_CQE_SKIP_SUCCESS;
    s.user_data = data;
    Ok(())
}

/// The other thread: answers every message with the same user_data until
/// STOP, or until nothing arrives for [`WAIT`].
fn ponger(flags: u32, my_fd: mpsc::Sender<i32>, peer_fd: mpsc::Receiver<i32>) -> Result<u64, Fail> {
    // Set up in the thread that uses it (SINGLE_ISSUER binds the creator).
    let mut ring = Ring::queue_init(8, flags).ctx("queue_init ponger")?;
    my_fd
        .send(ring.ring_fd())
        .map_err(|_| Fail::Failed("pinger gone".into()))?;
    let peer = peer_fd
        .recv_timeout(WAIT)
        .map_err(|_| Fail::Failed("no pinger ring".into()))?;
    let mut n = 0;
    loop {
        let c = next_cqe(&mut ring, "ponger")?;
        if c.user_data == STOP {
            return Ok(n);
        }
        res(&c, "ping")?;
        queue_msg(&mut ring, peer, c.user_data)?;
        ring.submit().ctx("pong submit")?;
        n += 1;
    }
}

/// Round trips between two threads with rings set up with `flags`.
fn pingpong(flags: u32) -> Outcome {
    // A kernel without these setup flags answers EINVAL: not supported.
    drop(Ring::queue_init(2, flags).map_err(Fail::Unsupported)?);
    let (tx_fd, rx_fd) = mpsc::channel();
    let (tx_peer, rx_peer) = mpsc::channel();
    let pong = thread::spawn(move || ponger(flags, tx_fd, rx_peer));
    let r = pings(flags, rx_fd, tx_peer);
    let answered = pong
        .join()
        .map_err(|_| Fail::Failed("ponger thread died".into()))?;
    let (mut lat, elapsed) = r?;
    let answered = answered?;
    ensure!(
        answered as usize == lat.len(),
        "ponger answered {answered}, pinger got {}",
        lat.len()
    );
    lat.sort_unstable();
    let n = lat.len();
    ensure!(n > 0, "no round trip completed");
    let pct = |p: usize| lat.get((n * p / 100).min(n - 1)).copied().unwrap_or(0) as f64 / 1e3;
    let mean = lat.iter().map(|&x| x as f64).sum::<f64>() / n as f64 / 1e3;
    Ok(format!(
        "{n} round trips in {:.2} s: mean {mean:.1} µs, p50 {:.1} µs, p99 {:.1} µs",
        elapsed.as_secs_f64(),
        pct(50),
        pct(99)
    ))
}

/// The measuring side: sends a ping, waits for its pong, PINGS times or
/// for [`BUDGET`]. Returns each round trip in ns.
fn pings(
    flags: u32,
    peer_fd: mpsc::Receiver<i32>,
    my_fd: mpsc::Sender<i32>,
) -> Result<(Vec<u32>, Duration), Fail> {
    let mut ring = Ring::queue_init(8, flags).ctx("queue_init pinger")?;
    let peer = peer_fd
        .recv_timeout(WAIT)
        .map_err(|_| Fail::Failed("no ponger ring".into()))?;
    my_fd
        .send(ring.ring_fd())
        .map_err(|_| Fail::Failed("ponger gone".into()))?;
    let mut lat = Vec::with_capacity(PINGS);
    let start = Instant::now();
    let ts = timespec(WAIT);
    let mut err = None;
    for i in 0..PINGS as u64 {
        if start.elapsed() >= BUDGET {
            break;
        }
        let t = Instant::now();
        if let Err(e) = queue_msg(&mut ring, peer, i) {
            err = Some(e);
            break;
        }
        let c = match ring.submit_and_wait_timeout(1, Some(&ts), None) {
            Ok(c) => c,
            Err(e) => {
                err = Some(Fail::Failed(format!("waiting for pong {i}: {e}")));
                break;
            }
        };
        ring.cqe_seen(&c);
        let dt = t.elapsed().as_nanos().min(u32::MAX as u128) as u32;
        if c.user_data != i || c.res != 0 {
            err = Some(Fail::Failed(format!(
                "pong {i}: got user_data {} res {}",
                c.user_data, c.res
            )));
            break;
        }
        lat.push(dt);
    }
    let elapsed = start.elapsed();
    // Always tell the ponger to stop (it also gives up after WAIT).
    let stop = queue_msg(&mut ring, peer, STOP).and_then(|()| ring.submit().ctx("stop"));
    if let Some(e) = err {
        return Err(e);
    }
    stop?;
    Ok((lat, elapsed))
}

const TP_BGID: u16 = 21;
const TP_NBUF: u32 = 64;
const TP_BUF: u32 = 4096;
const TP_BYTES: u64 = 1 << 30;

fn bundle_throughput() -> Outcome {
    let (a, mut b) = UnixStream::pair().map_err(|e| Fail::Failed(format!("socketpair: {e}")))?;
    b.set_read_timeout(Some(WAIT))
        .map_err(|e| Fail::Failed(e.to_string()))?;
    let reader = thread::spawn(move || {
        let mut buf = vec![0u8; 256 << 10];
        let mut total = 0u64;
        loop {
            match b.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => total += n as u64,
                Err(e) => return Err(e),
            }
        }
    });
    let sent = send_bundles(a);
    let received = reader
        .join()
        .map_err(|_| Fail::Failed("reader thread died".into()))?
        .map_err(|e| Fail::Failed(format!("reader: {e}")))?;
    let (bytes, msgs, bundles, elapsed) = sent?;
    ensure!(
        received == bytes,
        "sent {bytes} bytes, peer received {received}"
    );
    let secs = elapsed.as_secs_f64().max(1e-9);
    Ok(format!(
        "{:.1} MiB in {:.2} s: {:.0} MB/s, {:.0} messages/s ({} KiB messages, {:.1} per bundle, all bytes received)",
        bytes as f64 / (1 << 20) as f64,
        secs,
        bytes as f64 / secs / 1e6,
        msgs as f64 / secs,
        TP_BUF / 1024,
        msgs as f64 / bundles.max(1) as f64
    ))
}

/// Sends bundles from a ring of TP_NBUF buffers until TP_BYTES or BUDGET,
/// recycling each bundle's buffers; closes `sock` at the end.
fn send_bundles(sock: UnixStream) -> Result<(u64, u64, u64, Duration), Fail> {
    let mut ring = Ring::queue_init(8, 0).ctx("queue_init")?;
    // Never freed: a request still in flight when an error returns early
    // may read or write a buffer it picked after the BufRing is gone.
    let mem: Vec<u8> = (0..TP_NBUF * TP_BUF).map(|i| i as u8).collect();
    let mem = Box::leak(mem.into_boxed_slice());
    let mut br =
        BufRing::setup_static(&ring, TP_NBUF, TP_BGID, 0, mem, TP_BUF).ctx("BufRing::setup")?;
    let r = bundle_loop(&mut ring, &mut br, sock.as_raw_fd());
    let freed = br.free();
    drop(sock);
    let r = r?;
    freed.ctx("free buffer ring")?;
    Ok(r)
}

fn bundle_loop(
    ring: &mut Ring,
    br: &mut BufRing,
    fd: i32,
) -> Result<(u64, u64, u64, Duration), Fail> {
    br.publish_all().ctx("publish")?;
    let (mut bytes, mut msgs, mut bundles) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    while bytes < TP_BYTES && start.elapsed() < BUDGET {
        // SAFETY: no address in the SQE: the send takes its data from `br`'s
        // group, which outlives the CQE reaped just below.
        let s = unsafe { sqe(ring, "send_bundle") }?;
        prep::send_bundle(s, fd, 0, 0);
        s.flags |= IOSQE_BUFFER_SELECT;
        s.set_buf_group(br.bgid());
        let c = next_cqe(ring, "send_bundle")?;
        let n = res(&c, "send_bundle")?;
        ensure!(n > 0, "send_bundle sent nothing");
        let b = br.consume_bundle(c.res, c.flags).ctx("consume_bundle")?;
        let bids: Vec<u16> = br.bundle_bufs(&b).map(|(bid, _)| bid).collect();
        for bid in bids {
            br.push(bid, TP_BUF).ctx("push")?;
        }
        br.commit();
        bytes += u64::from(n);
        msgs += u64::from(b.count);
        bundles += 1;
    }
    let elapsed = start.elapsed();
    ensure!(bundles > 0, "no bundle sent");
    Ok((bytes, msgs, bundles, elapsed))
}
