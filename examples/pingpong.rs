//! Ping-pong between two threads, each with its own ring, over
//! `IORING_OP_MSG_RING`: thread A posts a CQE on B's ring, B answers on A's.
//! Bounded: 100,000 round trips or 2 seconds, whichever comes first.
//! Prints the round-trip latency (mean, p50, p99).
//!
//! Run: `cargo run --release --example pingpong`

use bare_uring::sys::IOSQE_CQE_SKIP_SUCCESS_BIT;
use bare_uring::{prep, Errno, Ring};
use std::time::{Duration, Instant};

const ROUND_TRIPS: u64 = 100_000;
const TIME_LIMIT: Duration = Duration::from_secs(2);
/// `data` value that tells the ponger to stop.
const STOP: u64 = u64::MAX;

/// Queues and submits one message to `target` (no CQE for the sender on
/// success: IOSQE_CQE_SKIP_SUCCESS).
fn send(ring: &mut Ring, target: i32, data: u64) -> Result<(), Errno> {
    // SAFETY: a MSG_RING message points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::msg_ring(sqe, target, 0, data, 0);
    sqe.flags |= 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;
    ring.submit()?;
    Ok(())
}

/// The next message's data; a failed send shows up here as an error CQE.
fn recv(ring: &mut Ring) -> Result<u64, Errno> {
    let c = ring.wait_cqe()?;
    ring.cqe_seen(&c);
    c.result()?;
    Ok(c.user_data)
}

fn main() -> Result<(), Errno> {
    let mut ping = Ring::queue_init(8, 0)?;
    // Ring is not Send (see SendRing): move it as a SendRing.
    let pong = Ring::queue_init(8, 0)?;
    let (ping_fd, pong_fd) = (ping.ring_fd(), pong.ring_fd());
    let pong = pong.into_send().map_err(|(_, e)| e)?;

    let ponger = std::thread::spawn(move || -> Result<u64, Errno> {
        let mut ring = pong.into_ring();
        let mut n = 0;
        loop {
            let data = recv(&mut ring)?;
            if data == STOP {
                return Ok(n);
            }
            send(&mut ring, ping_fd, data)?;
            n += 1;
        }
    });

    let mut rtts = Vec::with_capacity(ROUND_TRIPS as usize);
    let start = Instant::now();
    for seq in 0..ROUND_TRIPS {
        if start.elapsed() >= TIME_LIMIT {
            break;
        }
        let t = Instant::now();
        send(&mut ping, pong_fd, seq)?;
        let back = recv(&mut ping)?;
        rtts.push(t.elapsed().as_nanos() as u64);
        assert_eq!(back, seq, "reply out of order");
    }
    let total = start.elapsed();
    send(&mut ping, pong_fd, STOP)?;
    let answered = ponger.join().expect("ponger panicked")?;
    assert_eq!(answered, rtts.len() as u64);

    rtts.sort_unstable();
    let n = rtts.len();
    if n == 0 {
        println!("no round trips completed");
        return Ok(());
    }
    let mean = rtts.iter().sum::<u64>() as f64 / n as f64;
    let pct = |p: f64| rtts[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "pingpong: {n} round trips in {:.3} s ({:.0}/s)",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    println!(
        "round-trip latency: mean {:.2} us, p50 {:.2} us, p99 {:.2} us, min {:.2} us, max {:.2} us",
        mean / 1e3,
        pct(0.50) as f64 / 1e3,
        pct(0.99) as f64 / 1e3,
        rtts[0] as f64 / 1e3,
        rtts[n - 1] as f64 / 1e3
    );
    Ok(())
}
