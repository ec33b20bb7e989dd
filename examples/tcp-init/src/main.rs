//! `tcp-init`: a unikernel-style program, booted as `/init` (PID 1) of a
//! Linux guest with no network device, that tests TCP over the guest's
//! loopback with every socket operation an io_uring request, then prints
//! a verdict and powers the machine off. `#![no_std]`, no libc, static
//! (bare-uring-rt).
//!
//! 1. `lo` up: a `SOCKET` request for a UDP socket, then the one
//!    `ioctl(SIOCSIFFLAGS)` (there is no io_uring request for it).
//! 2. Server: `SOCKET`, `BIND` 127.0.0.1:7777 and `LISTEN` (6.11+).
//! 3. [`CLIENTS`] clients, each a `fork` of this process with a ring of its
//!    own: `SOCKET`, `CONNECT`, then `SEND` of [`BYTES`] bytes of a
//!    pattern unique to the client while `RECV`ing the echo, every byte
//!    compared with the pattern, `CLOSE`; its exit code is its verdict.
//! 4. The server, one ring, everything in flight at once: `ACCEPT`; per
//!    connection `RECV` into its buffer, `SEND` back what came (looping
//!    over short sends), `RECV` again; end of stream → `CLOSE`. A
//!    `TIMEOUT` request bounds the whole exchange ([`DEADLINE_S`]).
//! 5. `wait4` for each client; one line per client and the verdict,
//!    `tcp-init: PASS ...` or `tcp-init: FAIL ...`; then, as PID 1,
//!    `reboot(POWER_OFF)`; otherwise (run by hand) exit 0 or 1.
//!
//! Rings are NO_MMAP rings in `static`s: the process maps nothing.
#![no_std]
#![no_main]

mod sys;

use bare_uring::ring::{Params, RingMem, PAGE_SIZE};
use bare_uring::sys::{__kernel_timespec, in_addr, io_uring_sqe, sockaddr, sockaddr_in};
use bare_uring::{prep, Ring};
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::mem::{size_of, ManuallyDrop};
use core::ptr::null_mut;
use sys::{say, say_num};

bare_uring_rt::entry!(main);

/// Clients, each a forked process with its own connection.
const CLIENTS: usize = 4;
/// Bytes each client sends and expects back.
const BYTES: usize = 96 * 1024;
/// The server's port on 127.0.0.1.
const PORT: u16 = 7777;
/// The server gives up after this many seconds.
const DEADLINE_S: i64 = 60;
/// Server receive buffer per connection.
const CHUNK: usize = 4096;

const AF_INET: i32 = 2;
const SOCK_STREAM: i32 = 1;
const SOCK_DGRAM: i32 = 2;
const SOCK_CLOEXEC: i32 = 0o2000000;
const ETIME: i32 = 62;

// Client exit codes (the client's verdict; 0 is success).
const C_SETUP: i32 = 10;
const C_SOCKET: i32 = 11;
const C_CONNECT: i32 = 12;
const C_SEND: i32 = 13;
const C_RECV: i32 = 14;
const C_EOF: i32 = 15;
const C_MISMATCH: i32 = 16;

/// Memory a single thread of each process uses, in `.bss`.
#[repr(C, align(8))]
struct Region<T>(UnsafeCell<T>);
// SAFETY: each process (server, each forked client) is single-threaded,
// and fork gives each client its own copy.
unsafe impl<T> Sync for Region<T> {}
impl<T> Region<T> {
    fn ptr(&self) -> *mut T {
        self.0.get()
    }
}

/// The server's ring (16 entries: a page of SQEs, a page of rings).
static SERVER_MEM: RingMem<{ 2 * PAGE_SIZE }> = RingMem::new();
/// A client's ring: taken only in the forked child, never in the parent.
static CLIENT_MEM: RingMem<{ 2 * PAGE_SIZE }> = RingMem::new();
/// The server's receive buffer per connection.
static SRV_BUF: Region<[[u8; CHUNK]; CLIENTS]> = Region(UnsafeCell::new([[0; CHUNK]; CLIENTS]));
/// A client's send and receive buffers.
static TX: Region<[u8; BYTES]> = Region(UnsafeCell::new([0; BYTES]));
static RX: Region<[u8; BYTES]> = Region(UnsafeCell::new([0; BYTES]));
/// The server's deadline (read by the kernel until the TIMEOUT completes).
static DEADLINE: __kernel_timespec = __kernel_timespec {
    tv_sec: DEADLINE_S,
    tv_nsec: 0,
};

/// 127.0.0.1:PORT.
const fn addr() -> sockaddr_in {
    sockaddr_in {
        sin_family: AF_INET as u16,
        sin_port: PORT.to_be(),
        sin_addr: in_addr {
            s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
        },
        sin_zero: [0; 8],
    }
}
/// The server's listening address; the kernel reads it during BIND.
static LISTEN_ADDR: sockaddr_in = addr();

/// Byte `i` of client `c`'s stream: differs between clients and is not a
/// short period, so a byte from another connection or a misplaced chunk
/// is caught.
fn pattern(c: usize, i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ (i >> 8) as u8 ^ (c as u8).wrapping_mul(0x5b)
}

/// user_data: the request's kind in the upper half, a connection below.
const UD_SETUP: u64 = 1 << 32;
const UD_ACCEPT: u64 = 2 << 32;
const UD_RECV: u64 = 3 << 32;
const UD_SEND: u64 = 4 << 32;
const UD_CLOSE: u64 = 5 << 32;
const UD_TIMEOUT: u64 = 6 << 32;

/// A ring in `mem` (NO_MMAP), never dropped: the kernel tears it down
/// with the process.
fn ring(mem: &'static RingMem<{ 2 * PAGE_SIZE }>, entries: u32) -> Option<ManuallyDrop<Ring>> {
    let mem = mem.take()?;
    Ring::queue_init_static(entries, &mut Params::new(), mem)
        .ok()
        .map(ManuallyDrop::new)
}

/// A free SQE, submitting what is queued first if the SQ is full.
///
/// # Safety
/// As `Ring::get_sqe`: the request written into it points only to memory
/// that stays valid, and untouched where the kernel writes, until its CQE.
unsafe fn sqe(ring: &mut Ring) -> Option<&mut io_uring_sqe> {
    if ring.sq_space_left() == 0 {
        ring.submit().ok()?;
    }
    // SAFETY: the caller's promise is get_sqe's.
    unsafe { ring.get_sqe() }
}

/// The next completion `(user_data, res)`, submitting what is queued and
/// waiting when none is ready.
fn next(ring: &mut Ring) -> Option<(u64, i32)> {
    loop {
        if let Some(c) = ring.cqes().next() {
            return Some((c.user_data, c.res));
        }
        ring.submit_and_wait(1).ok()?;
    }
}

/// Runs one request prepared by `f` and returns its result.
///
/// # Safety
/// As [`sqe`], for what `f` writes.
unsafe fn once(ring: &mut Ring, f: impl FnOnce(&mut io_uring_sqe)) -> i32 {
    // SAFETY: forwarded to the caller.
    let Some(s) = (unsafe { sqe(ring) }) else {
        return -1;
    };
    f(s);
    s.user_data = UD_SETUP;
    match next(ring) {
        Some((UD_SETUP, res)) => res,
        _ => -1,
    }
}

fn main(_: bare_uring_rt::Args) -> i32 {
    let pid1 = bare_uring::syscall::getpid() == 1;
    say(b"tcp-init: io_uring TCP echo over loopback\n");
    let passed = server();
    let ok = passed == Some(CLIENTS);
    say(if ok {
        b"tcp-init: PASS: "
    } else {
        b"tcp-init: FAIL: "
    });
    say_num(passed.unwrap_or(0) as u64);
    say(b" of ");
    say_num(CLIENTS as u64);
    say(b" clients got their ");
    say_num(BYTES as u64);
    say(b" bytes echoed intact\n");
    if pid1 {
        sys::power_off();
    }
    if ok {
        0
    } else {
        1
    }
}

/// Prints `what` and an errno-style result; `None`, for `?`.
fn fail<T>(what: &[u8], res: i64) -> Option<T> {
    say(b"tcp-init: ");
    say(what);
    say(b" failed: ");
    if res < 0 {
        say(b"-");
    }
    say_num(res.unsigned_abs());
    say(b"\n");
    None
}

/// Steps 1, 2, 4 and 5 (see the top): how many clients passed, `None`
/// when the server failed.
fn server() -> Option<usize> {
    let Some(mut r) = ring(&SERVER_MEM, 16) else {
        return fail(b"server ring setup", 0);
    };
    let ring: &mut Ring = &mut r;

    // 1. lo up.
    // SAFETY: SOCKET points to no memory.
    let udp = unsafe { once(ring, |s| prep::socket(s, AF_INET, SOCK_DGRAM, 0, 0)) };
    if udp < 0 {
        return fail(b"SOCKET (udp)", udp.into());
    }
    if let Err(e) = sys::loopback_up(udp) {
        return fail(b"ioctl(SIOCSIFFLAGS lo up)", e as i64);
    }
    // SAFETY: CLOSE points to no memory.
    unsafe { once(ring, |s| prep::close(s, udp)) };

    // 2. The listener.
    // SAFETY: SOCKET points to no memory.
    let lfd = unsafe {
        once(ring, |s| {
            prep::socket(s, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0)
        })
    };
    if lfd < 0 {
        return fail(b"SOCKET (listener)", lfd.into());
    }
    let a: *const sockaddr_in = &LISTEN_ADDR;
    // SAFETY: BIND reads the sockaddr at `a`, a static.
    let res = unsafe {
        once(ring, |s| {
            prep::bind(
                s,
                lfd,
                a.cast::<sockaddr>(),
                size_of::<sockaddr_in>() as u32,
            )
        })
    };
    if res < 0 {
        return fail(b"BIND 127.0.0.1:7777", res.into());
    }
    // SAFETY: LISTEN points to no memory.
    let res = unsafe { once(ring, |s| prep::listen(s, lfd, CLIENTS as i32)) };
    if res < 0 {
        return fail(b"LISTEN", res.into());
    }

    // 3. The clients.
    for c in 0..CLIENTS {
        match sys::fork() {
            0 => bare_uring::syscall::exit(client(c)),
            pid if pid < 0 => return fail(b"fork", pid as i64),
            _ => {}
        }
    }

    // 4. Echo until every connection has ended.
    let served = echo(ring, lfd).is_some();

    // 5. The clients' verdicts.
    let mut passed = 0;
    for _ in 0..CLIENTS {
        match sys::wait_any() {
            Ok((pid, status)) => {
                let code = (status >> 8) & 0xff;
                say(b"tcp-init: client pid ");
                say_num(pid as u64);
                if status & 0x7f == 0 && code == 0 {
                    passed += 1;
                    say(b": ok\n");
                } else {
                    // 0x7f bits: the signal that killed it, else the
                    // client's exit code (C_* above).
                    say(b": FAILED, wait status ");
                    say_num(status as u64);
                    say(b", exit code ");
                    say_num(code as u64);
                    say(b"\n");
                }
            }
            Err(e) => return fail(b"wait4", e as i64),
        }
    }
    served.then_some(passed)
}

/// Per-connection server state.
#[derive(Clone, Copy)]
struct Conn {
    fd: i32,
    /// Bytes of the buffer being echoed: sent so far, and received.
    sent: usize,
    len: usize,
}

/// Queues a RECV on connection `i` into its buffer.
fn queue_recv(ring: &mut Ring, i: usize, fd: i32) -> Option<()> {
    // SAFETY: the RECV writes SRV_BUF[i], which nothing else touches until
    // its CQE (the SEND of its bytes is queued only after it).
    let s = unsafe { sqe(ring) }?;
    // SAFETY: i < CLIENTS; a raw pointer into the static, no reference.
    let buf = unsafe { (*SRV_BUF.ptr()).as_mut_ptr().add(i) };
    prep::recv(s, fd, buf.cast::<c_void>(), CHUNK, 0);
    s.user_data = UD_RECV | i as u64;
    Some(())
}

/// Queues a SEND of connection `i`'s received bytes from `c.sent` on.
fn queue_send(ring: &mut Ring, i: usize, c: &Conn) -> Option<()> {
    // SAFETY: the SEND reads SRV_BUF[i][sent..len], untouched until its CQE
    // (the next RECV into the buffer is queued only after it).
    let s = unsafe { sqe(ring) }?;
    // SAFETY: i < CLIENTS and sent < len <= CHUNK: inside the static.
    let buf = unsafe { (*SRV_BUF.ptr()).as_ptr().add(i).cast::<u8>().add(c.sent) };
    prep::send(s, c.fd, buf.cast::<c_void>(), c.len - c.sent, 0);
    s.user_data = UD_SEND | i as u64;
    Some(())
}

/// Queues an ACCEPT on the listener (no peer address asked for).
fn queue_accept(ring: &mut Ring, lfd: i32) -> Option<()> {
    // SAFETY: ACCEPT is given no address to fill: it points to no memory.
    let s = unsafe { sqe(ring) }?;
    prep::accept(s, lfd, null_mut(), null_mut(), SOCK_CLOEXEC);
    s.user_data = UD_ACCEPT;
    Some(())
}

/// Step 4: accepts CLIENTS connections and echoes each until it ends.
fn echo(ring: &mut Ring, lfd: i32) -> Option<()> {
    let mut conns = [Conn {
        fd: -1,
        sent: 0,
        len: 0,
    }; CLIENTS];
    let (mut accepted, mut closed) = (0, 0);
    // SAFETY: the TIMEOUT reads DEADLINE, a static.
    let s = unsafe { sqe(ring) }?;
    prep::timeout(s, &DEADLINE, 0, 0);
    s.user_data = UD_TIMEOUT;
    queue_accept(ring, lfd)?;
    while closed < CLIENTS {
        let Some((ud, res)) = next(ring) else {
            return fail(b"io_uring_enter", 0);
        };
        let i = (ud & 0xffff_ffff) as usize;
        match ud & !0xffff_ffff {
            UD_TIMEOUT if res == -ETIME => return fail(b"echo: deadline passed", 0),
            UD_TIMEOUT => return fail(b"TIMEOUT", res.into()),
            UD_ACCEPT if res < 0 => return fail(b"ACCEPT", res.into()),
            UD_ACCEPT if accepted < CLIENTS => {
                conns[accepted].fd = res;
                queue_recv(ring, accepted, res)?;
                accepted += 1;
                if accepted < CLIENTS {
                    queue_accept(ring, lfd)?;
                }
            }
            UD_RECV | UD_SEND if i >= CLIENTS => return fail(b"bad user_data", ud as i64),
            UD_RECV if res < 0 => return fail(b"RECV", res.into()),
            UD_RECV if res == 0 => {
                // End of stream: the client has had everything back.
                // SAFETY: CLOSE points to no memory.
                let s = unsafe { sqe(ring) }?;
                prep::close(s, conns[i].fd);
                s.user_data = UD_CLOSE | i as u64;
            }
            UD_RECV => {
                conns[i].sent = 0;
                conns[i].len = res as usize;
                queue_send(ring, i, &conns[i])?;
            }
            UD_SEND if res <= 0 => return fail(b"SEND", res.into()),
            UD_SEND => {
                conns[i].sent += res as usize;
                if conns[i].sent < conns[i].len {
                    queue_send(ring, i, &conns[i])?;
                } else {
                    queue_recv(ring, i, conns[i].fd)?;
                }
            }
            UD_CLOSE => closed += 1,
            _ => return fail(b"unexpected completion", ud as i64),
        }
    }
    Some(())
}

/// A client (step 3), in a forked process: returns its exit code.
fn client(c: usize) -> i32 {
    let Some(mut r) = ring(&CLIENT_MEM, 8) else {
        return C_SETUP;
    };
    let ring: &mut Ring = &mut r;
    let tx = TX.ptr().cast::<u8>();
    let rx = RX.ptr().cast::<u8>();
    for i in 0..BYTES {
        // SAFETY: i < BYTES; this process's own copy of TX, no request yet.
        unsafe { tx.add(i).write(pattern(c, i)) };
    }
    // SAFETY: SOCKET points to no memory.
    let fd = unsafe {
        once(ring, |s| {
            prep::socket(s, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0)
        })
    };
    if fd < 0 {
        return C_SOCKET;
    }
    let a = addr();
    // SAFETY: CONNECT reads `a`, alive on this frame until once() has
    // reaped the CQE.
    let res = unsafe {
        once(ring, |s| {
            prep::connect(
                s,
                fd,
                (&a as *const sockaddr_in).cast::<sockaddr>(),
                size_of::<sockaddr_in>() as u32,
            )
        })
    };
    if res < 0 {
        return C_CONNECT;
    }
    // One SEND and one RECV in flight at a time, until both are done.
    let (mut sent, mut got) = (0usize, 0usize);
    let (mut sending, mut receiving) = (false, false);
    while sent < BYTES || got < BYTES {
        if !sending && sent < BYTES {
            // SAFETY: the SEND reads TX[sent..], which is not written again.
            let Some(s) = (unsafe { sqe(ring) }) else {
                return C_SETUP;
            };
            // SAFETY: sent < BYTES: inside TX.
            prep::send(
                s,
                fd,
                unsafe { tx.add(sent) }.cast::<c_void>(),
                BYTES - sent,
                0,
            );
            s.user_data = UD_SEND;
            sending = true;
        }
        if !receiving && got < BYTES {
            // SAFETY: the RECV writes RX[got..], read only after its CQE.
            let Some(s) = (unsafe { sqe(ring) }) else {
                return C_SETUP;
            };
            // SAFETY: got < BYTES: inside RX.
            prep::recv(
                s,
                fd,
                unsafe { rx.add(got) }.cast::<c_void>(),
                BYTES - got,
                0,
            );
            s.user_data = UD_RECV;
            receiving = true;
        }
        match next(ring) {
            Some((UD_SEND, n)) if n > 0 => {
                sent += n as usize;
                sending = false;
            }
            Some((UD_SEND, _)) => return C_SEND,
            Some((UD_RECV, n)) if n > 0 => {
                got += n as usize;
                receiving = false;
            }
            Some((UD_RECV, 0)) => return C_EOF,
            _ => return C_RECV,
        }
    }
    for i in 0..BYTES {
        // SAFETY: i < BYTES; every RECV into RX has completed.
        if unsafe { rx.add(i).read() } != pattern(c, i) {
            return C_MISMATCH;
        }
    }
    // SAFETY: CLOSE points to no memory. The server sees end of stream.
    if unsafe { once(ring, |s| prep::close(s, fd)) } < 0 {
        return C_SOCKET;
    }
    0
}
