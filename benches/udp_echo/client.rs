//! The one client of every server: `--client PORT SERVER_PID`. A blocking
//! std UDP socket sends `ECHOES` datagrams of `PAYLOAD` bytes to
//! 127.0.0.1:PORT ping-pong (send one, wait for its echo, check every
//! byte), then prints the nanoseconds the last `ECHOES - WARMUP` round
//! trips took and exits 0.
//!
//! A wrong or short echo, or none within `CLIENT_TIMEOUT`, is reported on
//! stderr; then the client kills the server (which would otherwise wait
//! for datagrams forever) and exits 1, so the bench fails, never hangs.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use super::{ECHOES, PAYLOAD, WARMUP};

/// How long the client waits for one echo (generous: under callgrind the
/// server runs about 50 times slower).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Datagram `i`'s bytes: different for every datagram, so an echo of a
/// stale buffer or of another datagram does not pass.
fn fill(out: &mut [u8; PAYLOAD], i: u32) {
    for (j, b) in out.iter_mut().enumerate() {
        *b = (i.wrapping_mul(131) as usize).wrapping_add(j * 7) as u8 ^ (i >> 8) as u8;
    }
}

pub fn main(args: &[String]) -> ! {
    let port: u16 = args
        .first()
        .and_then(|p| p.parse().ok())
        .expect("--client PORT PID");
    let server: i32 = args
        .get(1)
        .and_then(|p| p.parse().ok())
        .expect("--client PORT PID");
    match echo(port) {
        Ok(ns) => {
            println!("{ns}");
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("udp_echo client: {e}");
            // SAFETY: plain syscalls. Only the process that started us is
            // signalled: if it is gone, our parent is some other process
            // and nothing is sent.
            unsafe {
                if libc::getppid() == server {
                    libc::kill(server, libc::SIGKILL);
                }
            }
            std::process::exit(1)
        }
    }
}

/// The ping-pong; the time of the round trips after the warm-up.
fn echo(port: u16) -> Result<u128, String> {
    let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    sock.connect(("127.0.0.1", port))
        .map_err(|e| format!("connect: {e}"))?;
    sock.set_read_timeout(Some(CLIENT_TIMEOUT))
        .map_err(|e| format!("set_read_timeout: {e}"))?;
    let mut out = [0u8; PAYLOAD];
    // One byte more than sent: a longer echo shows as such.
    let mut back = [0u8; PAYLOAD + 1];
    let mut start = Instant::now();
    for i in 0..ECHOES {
        if i == WARMUP {
            start = Instant::now();
        }
        fill(&mut out, i);
        match sock.send(&out) {
            Ok(PAYLOAD) => {}
            Ok(n) => return Err(format!("datagram {i}: sent {n} of {PAYLOAD} bytes")),
            Err(e) => return Err(format!("datagram {i}: send: {e}")),
        }
        match sock.recv(&mut back) {
            Ok(n) if n == PAYLOAD && back[..n] == out => {}
            Ok(n) => {
                return Err(format!(
                    "datagram {i}: echo of {n} bytes differs from the {PAYLOAD} sent"
                ))
            }
            Err(e) => return Err(format!("datagram {i}: no echo: {e}")),
        }
    }
    Ok(start.elapsed().as_nanos())
}
