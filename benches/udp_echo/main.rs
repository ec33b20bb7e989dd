//! End to end: a UDP echo server on 127.0.0.1 written four times, with
//! bare-uring, the `io-uring` crate (0.7), the `rustix-uring` crate (0.6)
//! and C liburing 2.15 (`benches/c/liburing_echo.c`), each answering the
//! same client (this binary, run again as a separate process with
//! `--client`: `client.rs`).
//!
//! ```text
//! cargo bench --bench udp_echo         # timed table (interleaved rounds)
//! scripts/bench/callgrind.sh           # instruction counts (this binary, --callgrind)
//! scripts/bench/report.sh              # both, written into docs/BENCH.md
//! ```
//!
//! Every server does the same work, on a ring of `ENTRIES` SQ entries and
//! a provided-buffer ring of `BR_ENTRIES` buffers of `BUF_LEN` bytes
//! (group `BGID`), all published at setup:
//! - one multishot `recvmsg` (IORING_OP_RECVMSG, IORING_RECV_MULTISHOT,
//!   IOSQE_BUFFER_SELECT from the group; the `msghdr` reserves a 16-byte
//!   name area and no control area), `user_data` `RECV_UD`;
//! - the loop: `submit_and_wait(1)`, then every CQE ready: a recvmsg CQE
//!   with a buffer is parsed (each library's recvmsg-out helper: header,
//!   name, payload) and answered with one `sendto` (IORING_OP_SEND with a
//!   destination address: the sender's, from the buffer's name area) of
//!   the payload, straight from the buffer, `user_data` the buffer id; a
//!   send CQE (it must report `PAYLOAD` bytes) gives its buffer back to the
//!   buffer ring and counts one echo; a recvmsg CQE without
//!   IORING_CQE_F_MORE re-arms the recvmsg after the CQEs are consumed;
//! - it stops after `ECHOES` echoes. Cancelling the recvmsg and freeing
//!   the rings happen after the counted function returns.
//!
//! The client sends `ECHOES` datagrams of `PAYLOAD` bytes ping-pong from a
//! blocking std socket (send, wait for the echo, check every byte) and
//! prints the time of the last `ECHOES - WARMUP` round trips; a wrong,
//! short or missing echo (receive timeout `CLIENT_TIMEOUT`) makes it
//! report the error and kill the server, so the bench fails loudly.
//!
//! Configurations, as in `benches/vs_io_uring.rs`: `default` is setup
//! flags 0 and each library's plain API (bare-uring: the one-object
//! `Ring`; io-uring and rustix-uring: `IoUring::split()`, which their own
//! echo examples use to push SQEs while reading CQEs; liburing: `struct
//! io_uring`). `best` is IORING_SETUP_SINGLE_ISSUER |
//! IORING_SETUP_DEFER_TASKRUN, the ring fd registered where the library
//! can (not rustix-uring), bare-uring through its split handles.

// The root package's library carries the C archives build.rs made.
extern crate uring;

#[path = "../common/table.rs"]
mod table;

mod client;
mod ours;
mod peers;

use std::io::Read;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::Instant;

/// SQ entries of every ring.
pub const ENTRIES: u32 = 64;
/// Entries (and buffers) of the provided-buffer ring.
pub const BR_ENTRIES: u32 = 64;
/// Its buffer group id.
pub const BGID: u16 = 7;
/// Bytes per provided buffer (16 header + 16 name + the payload fit).
pub const BUF_LEN: u32 = 256;
/// Name area of the recvmsg `msghdr`: a `sockaddr_in`.
pub const NAMELEN: u32 = 16;
/// Bytes per datagram.
pub const PAYLOAD: usize = 64;
/// Echoes per run (the server stops after this many).
pub const ECHOES: u32 = 2048;
/// Round trips the client does before it starts its clock.
pub const WARMUP: u32 = 64;
/// `user_data` of the multishot recvmsg (a send's is its buffer id).
pub const RECV_UD: u64 = 1 << 16;
/// `user_data` of the cancel that ends the recvmsg after a run.
pub const CANCEL_UD: u64 = RECV_UD + 1;
/// Timed rounds per configuration.
const ROUNDS: usize = 21;

/// C liburing: `benches/c/liburing_echo.c`.
mod lu {
    /// `struct lu_echo`, only ever behind a pointer.
    #[repr(C)]
    pub struct LuEcho {
        _private: [u8; 0],
    }

    extern "C" {
        pub fn lu_echo_new(flags: u32, register_fd: i32, fd: i32) -> *mut LuEcho;
        pub fn cg_lu_echo(e: *mut LuEcho) -> u32;
        pub fn lu_echo_free(e: *mut LuEcho);
    }
}

/// The libraries compared.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Lib {
    Ours,
    IoUring,
    Rustix,
    Liburing,
}

const LIBS: [Lib; 4] = [Lib::Ours, Lib::IoUring, Lib::Rustix, Lib::Liburing];

/// Setup flags of a configuration.
fn setup_flags(best: bool) -> u32 {
    use bare_uring::sys::{IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER};
    if best {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
    } else {
        0
    }
}

/// The rows: the same echo, bare-uring's buffers through `BufRing` or
/// (`raw`) through the 1:1 twins of liburing's buffer-ring calls; the
/// peers' servers are the same in both.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Row {
    Echo,
    Raw,
}

impl Row {
    fn name(self) -> &'static str {
        match self {
            Row::Echo => "UDP echo, 64-byte datagrams",
            Row::Raw => "UDP echo, ours via buf_ring_add",
        }
    }

    /// The counted function of `lib` in a configuration (callgrind.sh's
    /// names).
    fn func(self, lib: Lib, best: bool) -> &'static str {
        match (lib, best, self) {
            (Lib::Ours, false, Row::Echo) => "ours::cg_echo_ring",
            (Lib::Ours, true, Row::Echo) => "ours::cg_echo_split",
            (Lib::Ours, false, Row::Raw) => "ours::cg_echo_ring_raw",
            (Lib::Ours, true, Row::Raw) => "ours::cg_echo_split_raw",
            (Lib::IoUring, _, _) => "iou::cg_echo",
            (Lib::Rustix, _, _) => "rxu::cg_echo",
            (Lib::Liburing, _, _) => "cg_lu_echo",
        }
    }
}

const ROWS: [Row; 2] = [Row::Echo, Row::Raw];

/// One run: a fresh ring, buffer ring and socket for `lib`, the client
/// started, `ECHOES` echoes served, the client's result checked. Returns
/// the client's nanoseconds per round trip.
fn run(lib: Lib, best: bool, row: Row) -> f64 {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind the server socket");
    let port = sock.local_addr().expect("local_addr").port();
    let fd = sock.as_raw_fd();
    let flags = setup_flags(best);
    // Everything is set up before the client starts: its first datagram
    // waits in the socket until the recvmsg is armed.
    let served = match lib {
        Lib::Ours => ours::serve(flags, best, row == Row::Raw, fd, || spawn_client(port)),
        Lib::IoUring => peers::iou::serve(flags, best, fd, || spawn_client(port)),
        Lib::Rustix => peers::rxu::serve(flags, best, fd, || spawn_client(port)),
        Lib::Liburing => {
            // SAFETY: `fd` is open for the whole run (`sock` lives until
            // the end of this function); the C side frees what it made.
            let e = unsafe { lu::lu_echo_new(flags, best as i32, fd) };
            let child = spawn_client(port);
            // SAFETY: `e` from lu_echo_new, freed only below.
            let n = unsafe { lu::cg_lu_echo(e) };
            // SAFETY: as above; ends the recvmsg before freeing.
            unsafe { lu::lu_echo_free(e) };
            (n, child)
        }
    };
    let (n, child) = served;
    assert_eq!(n, ECHOES, "{lib:?}: echoes served");
    finish_client(child, lib)
}

/// Starts the client against `port` (this binary, `--client PORT PID`).
fn spawn_client(port: u16) -> std::process::Child {
    let exe = std::env::current_exe().expect("current_exe");
    Command::new(exe)
        .arg("--client")
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the echo client")
}

/// Waits for the client; panics unless it exited 0 and printed its time.
fn finish_client(mut child: std::process::Child, lib: Lib) -> f64 {
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("read the client's output");
    let status = child.wait().expect("wait for the client");
    assert!(status.success(), "{lib:?}: echo client failed: {status}");
    let ns: u128 = out.trim().parse().expect("the client prints nanoseconds");
    ns as f64 / f64::from(ECHOES - WARMUP)
}

/// Timed table: per configuration, `ROUNDS` rounds in which the four
/// servers run back to back in a rotating order; per-round ratios of
/// bare-uring's time to each other library's (< 1: bare-uring faster).
fn timed() {
    table::header();
    for best in [false, true] {
        for row in ROWS {
            timed_row(best, row);
        }
    }
    println!(
        "\nmedian of {ROUNDS} rounds of {} timed round trips ({WARMUP} untimed first) per \
         library, seen by the client; ratios (ours over io-uring, rustix-uring, liburing) are \
         per round (the four servers ran back to back), then the median: < 1.00 means \
         bare-uring took less time.",
        ECHOES - WARMUP
    );
}

/// One line of the timed table.
fn timed_row(best: bool, row: Row) {
    for lib in LIBS {
        run(lib, best, row); // warm-up
    }
    let ns = table::rounds(ROUNDS, |i| run(LIBS[i], best, row));
    table::line(best, row.name(), "echo", &ns);
}

/// Fixed work for `scripts/bench/callgrind.sh` (`--callgrind
/// default|best`): one run per library; prints `function units unit row`
/// lines so the script can divide each counted function's instructions by
/// the echoes it served. The peers' servers are the same in both rows, so
/// they run once.
fn callgrind_mode(best: bool) {
    for lib in LIBS {
        run(lib, best, Row::Echo);
    }
    run(Lib::Ours, best, Row::Raw);
    for row in ROWS {
        for lib in LIBS {
            println!("{} {ECHOES} echo {:?}", row.func(lib, best), row.name());
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--client") {
        client::main(&args[i + 1..]);
    }
    if let Some(i) = args.iter().position(|a| a == "--callgrind") {
        callgrind_mode(args.get(i + 1).is_some_and(|c| c == "best"));
        return;
    }
    let started = Instant::now();
    println!(
        "UDP echo on 127.0.0.1, {PAYLOAD}-byte datagrams, {ECHOES} ping-pong round trips per \
         run: bare-uring vs io-uring 0.7 vs rustix-uring 0.6 vs C liburing 2.15 (multishot \
         recvmsg + buffer ring + sendto); default: setup flags 0, plain APIs; best: \
         SINGLE_ISSUER|DEFER_TASKRUN, registered ring fds, split handles\n"
    );
    timed();
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
