//! uring-core against the `io-uring` crate (0.7): the same work on rings of
//! the same size and setup flags, runs interleaved, medians and spread.
//!
//! ```text
//! cargo bench --bench vs_io_uring            # the timed table (< 60 s)
//! scripts/bench/callgrind.sh                 # instruction counts (this binary, --callgrind)
//! ```
//!
//! Cases (each library used the way its docs recommend for batches):
//! - `fill 256 NOP`: get an SQE, prep a NOP, set user_data, 256 times into
//!   an empty 256-entry SQ; only the filling is timed (user space only),
//!   the submit and reap that empty the ring again are not.
//! - `fill 256 mixed`: as above with read, send, msg_ring and openat SQEs
//!   in turn. Their fds are -1, so once submitted (untimed) each fails at
//!   once with `EBADF`: the prep cost does not depend on the fd.
//!   Both fill cases run twice, uring-core getting its SQEs through
//!   `Ring::get_sqe()` (liburing's shape) then through one
//!   `Ring::sq_batch()` handle per batch (`SqeBatch::get_sqe()`); io-uring
//!   is the same in both rows.
//! - `nop rt xN`: N NOPs (uring-core: `Ring::get_sqe()`),
//!   `submit_and_wait(N)`, reap the N CQEs with the library's iterator; a
//!   full round trip through `io_uring_enter`.
//! - `read4k x32`: 32 `READ_FIXED` of 4 KiB from /dev/zero into one
//!   registered buffer, `submit_and_wait(32)`, reap and check that the
//!   `res` values add up to 32 full reads.
//!   (A tmpfs file is not used: on the 6.18 test kernel its reads are
//!   punted to io-wq worker threads, ~2.4 µs/op of thread hand-off and
//!   scheduling noise; /dev/zero reads complete inline.)
//!
//! Both rings: 256 SQ entries, setup flags 0 (so 512 CQ entries), ring fd
//! not registered. Every timed measurement runs `iters` batches (the same
//! count for both libraries, calibrated once); the order of the two
//! libraries alternates from run to run.
//!
//! `docs/BENCH.md` has a table printed by this binary and its reading.

use std::ffi::c_void;
use std::fs::File;
use std::hint::black_box;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use io_uring::{opcode, types, IoUring};
use uring_core::{helpers, prep, sys, Errno, Ring};

/// SQ entries of both rings.
const ENTRIES: u32 = 256;
/// Timed runs per case and library.
const RUNS: usize = 21;
/// Rough length of one timed measurement.
const TARGET: Duration = Duration::from_millis(35);
/// Size of one read in the I/O case.
const BLOCK: usize = 4096;
/// Reads per batch in the I/O case.
const READ_BATCH: u32 = 32;
/// Offsets cycle through this many bytes (ignored by /dev/zero, but set
/// as a real file read would).
const FILE_SIZE: usize = 1 << 20;

/// The file and buffer of the mixed-prep and read cases.
struct Io {
    /// /dev/zero: its reads complete inline in `io_uring_enter`.
    file: File,
    /// READ_BATCH * BLOCK bytes, registered as fixed buffer 0.
    buf: Vec<u8>,
}

impl Io {
    fn new() -> Io {
        Io {
            file: File::open("/dev/zero").expect("open /dev/zero"),
            buf: vec![1u8; READ_BATCH as usize * BLOCK],
        }
    }

    fn iovec(&mut self) -> sys::iovec {
        sys::iovec {
            iov_base: self.buf.as_mut_ptr().cast(),
            iov_len: self.buf.len(),
        }
    }
}

/// File offset of read number `seq`.
#[inline(always)]
fn offset(seq: u64) -> u64 {
    (seq * BLOCK as u64) % FILE_SIZE as u64
}

/// A relative path for the openat SQEs (never opened: the dirfd is -1).
const PATH: &std::ffi::CStr = c"x";

/// The uring-core side. Every function is `inline(never)` so that
/// callgrind can count it alone (`scripts/bench/callgrind.sh`).
mod ours {
    use super::*;

    pub fn ring() -> Ring {
        Ring::queue_init(ENTRIES, 0).expect("Ring::queue_init")
    }

    #[inline(never)]
    pub fn cg_ours_fill_nop(ring: &mut Ring, n: u32, base: u64) {
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    #[inline(never)]
    pub fn cg_ours_fill_mixed(ring: &mut Ring, n: u32, buf: *mut u8) {
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK as u32, offset(u));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: a MSG_RING message points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    #[inline(never)]
    pub fn cg_ours_fill_read(ring: &mut Ring, io: &Io, buf: *mut u8, seq: u64) {
        let fd = io.file.as_raw_fd();
        for i in 0..READ_BATCH {
            let s = seq.wrapping_add(i as u64);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            // SAFETY: slice i of the registered buffer 0, which outlives
            // the ring; nothing else touches it until the CQE is reaped.
            unsafe {
                prep::read_fixed(
                    sqe,
                    fd,
                    buf.add(i as usize * BLOCK).cast::<c_void>(),
                    BLOCK as u32,
                    offset(s),
                    0,
                )
            };
            helpers::sqe_set_data64(sqe, s);
        }
    }

    /// As `cg_ours_fill_nop`, through one `sq_batch()` handle.
    #[inline(never)]
    pub fn cg_ours_fill_nop_batch(ring: &mut Ring, n: u32, base: u64) {
        let mut sq = ring.sq_batch();
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    /// As `cg_ours_fill_mixed`, through one `sq_batch()` handle.
    #[inline(never)]
    pub fn cg_ours_fill_mixed_batch(ring: &mut Ring, n: u32, buf: *mut u8) {
        let mut sq = ring.sq_batch();
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK as u32, offset(u));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: a MSG_RING message points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    /// As `cg_ours_fill_read`, through one `sq_batch()` handle.
    #[inline(never)]
    pub fn cg_ours_fill_read_batch(ring: &mut Ring, io: &Io, buf: *mut u8, seq: u64) {
        let fd = io.file.as_raw_fd();
        let mut sq = ring.sq_batch();
        for i in 0..READ_BATCH {
            let s = seq.wrapping_add(i as u64);
            // SAFETY: the request written into this SQE points only to memory that outlives its completion
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            // SAFETY: slice i of the registered buffer 0, which outlives
            // the ring; nothing else touches it until the CQE is reaped.
            unsafe {
                prep::read_fixed(
                    sqe,
                    fd,
                    buf.add(i as usize * BLOCK).cast::<c_void>(),
                    BLOCK as u32,
                    offset(s),
                    0,
                )
            };
            helpers::sqe_set_data64(sqe, s);
        }
    }

    #[inline(never)]
    pub fn cg_ours_submit(ring: &mut Ring, want: u32) -> u32 {
        ring.submit_and_wait(want).expect("submit_and_wait")
    }

    /// Reaps `want` CQEs; returns the sum of their `res` (checked by the
    /// caller) and user_data (kept alive with black_box).
    #[inline(never)]
    pub fn cg_ours_reap(ring: &mut Ring, want: u32) -> i64 {
        let mut got = 0u32;
        let mut res = 0i64;
        loop {
            for c in ring.cqes() {
                res += c.res as i64;
                black_box(c.user_data);
                got += 1;
            }
            if got >= want {
                return res;
            }
            ring.submit_and_wait(want - got).expect("wait");
        }
    }

    pub fn register(ring: &Ring, io: &mut Io) {
        let iov = io.iovec();
        // SAFETY: io.buf outlives the ring (declared before it in the
        // caller, dropped after) and is only written by the kernel.
        unsafe { ring.register_buffers(&[iov]) }.expect("register_buffers");
    }
}

/// The io-uring side, the same work with its idioms: `Entry` values built
/// by `opcode::*::build()`, pushed through one `submission()` borrow per
/// batch, reaped through one `completion()` borrow.
mod theirs {
    use super::*;

    pub fn ring() -> IoUring {
        IoUring::new(ENTRIES).expect("IoUring::new")
    }

    #[inline(never)]
    pub fn cg_theirs_fill_nop(ring: &mut IoUring, n: u32, base: u64) {
        let mut sq = ring.submission();
        for i in 0..n {
            let e = opcode::Nop::new()
                .build()
                .user_data(base.wrapping_add(i as u64));
            // SAFETY: a NOP references no memory.
            unsafe { sq.push(&e) }.expect("SQ full");
        }
    }

    #[inline(never)]
    pub fn cg_theirs_fill_mixed(ring: &mut IoUring, n: u32, buf: *mut u8) {
        let mut sq = ring.submission();
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            let e = opcode::Read::new(types::Fd(-1), buf, BLOCK as u32)
                .offset(offset(u))
                .build()
                .user_data(u);
            // SAFETY: fd -1: EBADF, buf never written; it outlives the ring.
            unsafe { sq.push(&e) }.expect("SQ full");
            let e = opcode::Send::new(types::Fd(-1), buf.cast_const(), BLOCK as u32)
                .build()
                .user_data(u + 1);
            // SAFETY: as above.
            unsafe { sq.push(&e) }.expect("SQ full");
            let e = opcode::MsgRingData::new(types::Fd(-1), 0, u, None)
                .build()
                .user_data(u + 2);
            // SAFETY: references no memory.
            unsafe { sq.push(&e) }.expect("SQ full");
            let e = opcode::OpenAt::new(types::Fd(-1), PATH.as_ptr())
                .build()
                .user_data(u + 3);
            // SAFETY: PATH is a 'static C string.
            unsafe { sq.push(&e) }.expect("SQ full");
        }
    }

    #[inline(never)]
    pub fn cg_theirs_fill_read(ring: &mut IoUring, io: &Io, buf: *mut u8, seq: u64) {
        let fd = types::Fd(io.file.as_raw_fd());
        let mut sq = ring.submission();
        for i in 0..READ_BATCH {
            let s = seq.wrapping_add(i as u64);
            // SAFETY: in bounds of the registered buffer (READ_BATCH blocks).
            let p = unsafe { buf.add(i as usize * BLOCK) };
            let e = opcode::ReadFixed::new(fd, p, BLOCK as u32, 0)
                .offset(offset(s))
                .build()
                .user_data(s);
            // SAFETY: slice i of registered buffer 0, which outlives the
            // ring; nothing else touches it until the CQE is reaped.
            unsafe { sq.push(&e) }.expect("SQ full");
        }
    }

    #[inline(never)]
    pub fn cg_theirs_submit(ring: &mut IoUring, want: u32) -> u32 {
        ring.submit_and_wait(want as usize)
            .expect("submit_and_wait") as u32
    }

    #[inline(never)]
    pub fn cg_theirs_reap(ring: &mut IoUring, want: u32) -> i64 {
        let mut got = 0u32;
        let mut res = 0i64;
        loop {
            for c in ring.completion() {
                res += c.result() as i64;
                black_box(c.user_data());
                got += 1;
            }
            if got >= want {
                return res;
            }
            ring.submit_and_wait((want - got) as usize).expect("wait");
        }
    }

    pub fn register(ring: &IoUring, io: &mut Io) {
        let iov = io.iovec();
        // `libc::iovec` and `uring_sys::iovec` are both `#[repr(C)]
        // { *mut c_void, usize }`; the cast target is inferred from
        // `register_buffers`' parameter, so libc need not be a dependency.
        let iovs = [iov];
        // SAFETY: same layout (above); io.buf outlives the ring and is only
        // written by the kernel.
        unsafe {
            let s = std::slice::from_raw_parts(iovs.as_ptr().cast(), 1);
            ring.submitter().register_buffers(s)
        }
        .expect("register_buffers");
    }
}

/// Which figure a case reports.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// User-space time per SQE of a fill (no syscall inside the timing).
    Fill,
    /// Time per completed operation of a full round trip.
    RoundTrip,
}

/// One measurement: `iters` batches; returns (timed duration, operations).
type Measure = Box<dyn FnMut(u64) -> (Duration, u64)>;

struct Case {
    name: String,
    kind: Kind,
    ours: Measure,
    theirs: Measure,
    /// Batches per measurement (calibrated).
    iters: u64,
    ours_ns: Vec<f64>,
    theirs_ns: Vec<f64>,
}

/// Smallest cost of an empty `Instant` interval, subtracted from each
/// fill timing (two `Instant::now()` per 256 SQEs).
fn timer_overhead() -> Duration {
    (0..2000)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// uring-core's way of getting SQEs in a fill case.
#[derive(Clone, Copy)]
enum Api {
    /// `Ring::get_sqe()` per SQE (liburing's shape).
    GetSqe,
    /// `SqeBatch::get_sqe()` through one `Ring::sq_batch()` per batch.
    SqBatch,
}

impl Api {
    fn label(self) -> &'static str {
        match self {
            Api::GetSqe => "get_sqe",
            Api::SqBatch => "sq_batch",
        }
    }
}

fn fill_nop_case(ovh: Duration, api: Api) -> Case {
    let mut r1 = ours::ring();
    let mut r2 = theirs::ring();
    let fill = match api {
        Api::GetSqe => ours::cg_ours_fill_nop,
        Api::SqBatch => ours::cg_ours_fill_nop_batch,
    };
    Case {
        name: format!("fill 256 NOP, ours {}", api.label()),
        kind: Kind::Fill,
        ours: Box::new(move |iters| {
            let mut t = Duration::ZERO;
            for k in 0..iters {
                let s = Instant::now();
                fill(&mut r1, ENTRIES, k << 8);
                t += s.elapsed().saturating_sub(ovh);
                ours::cg_ours_submit(&mut r1, ENTRIES);
                assert_eq!(ours::cg_ours_reap(&mut r1, ENTRIES), 0);
            }
            (t, iters * ENTRIES as u64)
        }),
        theirs: Box::new(move |iters| {
            let mut t = Duration::ZERO;
            for k in 0..iters {
                let s = Instant::now();
                theirs::cg_theirs_fill_nop(&mut r2, ENTRIES, k << 8);
                t += s.elapsed().saturating_sub(ovh);
                theirs::cg_theirs_submit(&mut r2, ENTRIES);
                assert_eq!(theirs::cg_theirs_reap(&mut r2, ENTRIES), 0);
            }
            (t, iters * ENTRIES as u64)
        }),
        iters: 0,
        ours_ns: Vec::new(),
        theirs_ns: Vec::new(),
    }
}

fn fill_mixed_case(ovh: Duration, api: Api) -> Case {
    let mut s1 = Side {
        ring: ours::ring(),
        io: Io::new(),
        seq: 0,
    };
    let mut s2 = Side {
        ring: theirs::ring(),
        io: Io::new(),
        seq: 0,
    };
    let ebadf = -(Errno::EBADF.0 as i64) * ENTRIES as i64;
    let fill = match api {
        Api::GetSqe => ours::cg_ours_fill_mixed,
        Api::SqBatch => ours::cg_ours_fill_mixed_batch,
    };
    Case {
        name: format!("fill 256 mixed, ours {}", api.label()),
        kind: Kind::Fill,
        ours: Box::new(move |iters| {
            let buf = s1.io.buf.as_mut_ptr();
            let mut t = Duration::ZERO;
            for _ in 0..iters {
                let s = Instant::now();
                fill(&mut s1.ring, ENTRIES, buf);
                t += s.elapsed().saturating_sub(ovh);
                ours::cg_ours_submit(&mut s1.ring, ENTRIES);
                assert_eq!(ours::cg_ours_reap(&mut s1.ring, ENTRIES), ebadf);
            }
            (t, iters * ENTRIES as u64)
        }),
        theirs: Box::new(move |iters| {
            let buf = s2.io.buf.as_mut_ptr();
            let mut t = Duration::ZERO;
            for _ in 0..iters {
                let s = Instant::now();
                theirs::cg_theirs_fill_mixed(&mut s2.ring, ENTRIES, buf);
                t += s.elapsed().saturating_sub(ovh);
                theirs::cg_theirs_submit(&mut s2.ring, ENTRIES);
                assert_eq!(theirs::cg_theirs_reap(&mut s2.ring, ENTRIES), ebadf);
            }
            (t, iters * ENTRIES as u64)
        }),
        iters: 0,
        ours_ns: Vec::new(),
        theirs_ns: Vec::new(),
    }
}

fn nop_rt_case(batch: u32) -> Case {
    let mut r1 = ours::ring();
    let mut r2 = theirs::ring();
    Case {
        name: format!("nop round trip x{batch}"),
        kind: Kind::RoundTrip,
        ours: Box::new(move |iters| {
            let s = Instant::now();
            for k in 0..iters {
                ours::cg_ours_fill_nop(&mut r1, batch, k << 8);
                ours::cg_ours_submit(&mut r1, batch);
                black_box(ours::cg_ours_reap(&mut r1, batch));
            }
            (s.elapsed(), iters * batch as u64)
        }),
        theirs: Box::new(move |iters| {
            let s = Instant::now();
            for k in 0..iters {
                theirs::cg_theirs_fill_nop(&mut r2, batch, k << 8);
                theirs::cg_theirs_submit(&mut r2, batch);
                black_box(theirs::cg_theirs_reap(&mut r2, batch));
            }
            (s.elapsed(), iters * batch as u64)
        }),
        iters: 0,
        ours_ns: Vec::new(),
        theirs_ns: Vec::new(),
    }
}

/// A ring with its registered buffer; fields drop in order, so the ring
/// (and its registration) goes before the buffer.
struct Side<R> {
    ring: R,
    io: Io,
    seq: u64,
}

fn read_case() -> Case {
    let mut s1 = Side {
        ring: ours::ring(),
        io: Io::new(),
        seq: 0,
    };
    let mut s2 = Side {
        ring: theirs::ring(),
        io: Io::new(),
        seq: 0,
    };
    ours::register(&s1.ring, &mut s1.io);
    theirs::register(&s2.ring, &mut s2.io);
    let want = (READ_BATCH as usize * BLOCK) as i64;
    Case {
        name: format!("read4k fixed x{READ_BATCH} /dev/zero"),
        kind: Kind::RoundTrip,
        ours: Box::new(move |iters| {
            let buf = s1.io.buf.as_mut_ptr();
            let s = Instant::now();
            for _ in 0..iters {
                ours::cg_ours_fill_read(&mut s1.ring, &s1.io, buf, s1.seq);
                s1.seq += READ_BATCH as u64;
                ours::cg_ours_submit(&mut s1.ring, READ_BATCH);
                assert_eq!(ours::cg_ours_reap(&mut s1.ring, READ_BATCH), want);
            }
            (s.elapsed(), iters * READ_BATCH as u64)
        }),
        theirs: Box::new(move |iters| {
            let buf = s2.io.buf.as_mut_ptr();
            let s = Instant::now();
            for _ in 0..iters {
                theirs::cg_theirs_fill_read(&mut s2.ring, &s2.io, buf, s2.seq);
                s2.seq += READ_BATCH as u64;
                theirs::cg_theirs_submit(&mut s2.ring, READ_BATCH);
                assert_eq!(theirs::cg_theirs_reap(&mut s2.ring, READ_BATCH), want);
            }
            (s.elapsed(), iters * READ_BATCH as u64)
        }),
        iters: 0,
        ours_ns: Vec::new(),
        theirs_ns: Vec::new(),
    }
}

fn ns_per_op((d, ops): (Duration, u64)) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Calibrates `iters` (on uring-core, used for both) and warms both up.
fn calibrate(c: &mut Case) {
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        let _ = (c.ours)(iters);
        let e = t.elapsed();
        if e >= TARGET / 4 || iters >= 1 << 24 {
            let scale = TARGET.as_secs_f64() / e.as_secs_f64().max(1e-9);
            c.iters = ((iters as f64 * scale) as u64).max(1);
            break;
        }
        iters *= 2;
    }
    // Warm-up: one full-size measurement each, discarded.
    let _ = (c.theirs)(c.iters);
    let _ = (c.ours)(c.iters);
}

fn print_table(cases: &[Case]) {
    println!();
    println!(
        "{:<36} {:>7} {:>22} {:>22} {:>10} {:>10} {:>22}",
        "case",
        "unit",
        "uring-core med [min-max]",
        "io-uring med [min-max]",
        "ours Mop/s",
        "io-u Mop/s",
        "io-uring/ours [min-max]"
    );
    for c in cases {
        let (om, tm) = (median(&c.ours_ns), median(&c.theirs_ns));
        let (olo, ohi) = min_max(&c.ours_ns);
        let (tlo, thi) = min_max(&c.theirs_ns);
        // Per-run ratios: each pair ran back to back.
        let ratios: Vec<f64> = c
            .theirs_ns
            .iter()
            .zip(&c.ours_ns)
            .map(|(t, o)| t / o)
            .collect();
        let (rlo, rhi) = min_max(&ratios);
        let unit = match c.kind {
            Kind::Fill => "ns/SQE",
            Kind::RoundTrip => "ns/op",
        };
        let (omops, tmops) = match c.kind {
            Kind::Fill => ("-".to_string(), "-".to_string()),
            Kind::RoundTrip => (format!("{:.2}", 1e3 / om), format!("{:.2}", 1e3 / tm)),
        };
        println!(
            "{:<36} {:>7} {:>22} {:>22} {:>10} {:>10} {:>22}",
            c.name,
            unit,
            format!("{om:.2} [{olo:.2}-{ohi:.2}]"),
            format!("{tm:.2} [{tlo:.2}-{thi:.2}]"),
            omops,
            tmops,
            format!("{:.2}x [{rlo:.2}-{rhi:.2}]", median(&ratios)),
        );
    }
    println!();
    println!(
        "{RUNS} interleaved runs per case; ratio > 1: uring-core faster. \
         Fill rows time user space only (timer overhead subtracted)."
    );
}

/// Fixed workloads for `scripts/bench/callgrind.sh` (no timing): the
/// script counts the instructions of each `cg_*` function; this prints
/// how many SQEs each one handled so the script can divide.
fn callgrind_mode() {
    const ROUNDS: u64 = 200;
    let mut s1 = Side {
        ring: ours::ring(),
        io: Io::new(),
        seq: 0,
    };
    let mut s2 = Side {
        ring: theirs::ring(),
        io: Io::new(),
        seq: 0,
    };
    ours::register(&s1.ring, &mut s1.io);
    theirs::register(&s2.ring, &mut s2.io);
    let (b1, b2) = (s1.io.buf.as_mut_ptr(), s2.io.buf.as_mut_ptr());
    let (r1, io1, r2, io2) = (&mut s1.ring, &s1.io, &mut s2.ring, &s2.io);
    for k in 0..ROUNDS {
        ours::cg_ours_fill_nop(r1, ENTRIES, k << 8);
        ours::cg_ours_submit(r1, ENTRIES);
        ours::cg_ours_reap(r1, ENTRIES);
        ours::cg_ours_fill_nop_batch(r1, ENTRIES, k << 8);
        ours::cg_ours_submit(r1, ENTRIES);
        ours::cg_ours_reap(r1, ENTRIES);
        theirs::cg_theirs_fill_nop(r2, ENTRIES, k << 8);
        theirs::cg_theirs_submit(r2, ENTRIES);
        theirs::cg_theirs_reap(r2, ENTRIES);
        ours::cg_ours_fill_mixed(r1, ENTRIES, b1);
        ours::cg_ours_submit(r1, ENTRIES);
        ours::cg_ours_reap(r1, ENTRIES);
        ours::cg_ours_fill_mixed_batch(r1, ENTRIES, b1);
        ours::cg_ours_submit(r1, ENTRIES);
        ours::cg_ours_reap(r1, ENTRIES);
        theirs::cg_theirs_fill_mixed(r2, ENTRIES, b2);
        theirs::cg_theirs_submit(r2, ENTRIES);
        theirs::cg_theirs_reap(r2, ENTRIES);
        ours::cg_ours_fill_read(r1, io1, b1, k * READ_BATCH as u64);
        ours::cg_ours_submit(r1, READ_BATCH);
        ours::cg_ours_reap(r1, READ_BATCH);
        ours::cg_ours_fill_read_batch(r1, io1, b1, k * READ_BATCH as u64);
        ours::cg_ours_submit(r1, READ_BATCH);
        ours::cg_ours_reap(r1, READ_BATCH);
        theirs::cg_theirs_fill_read(r2, io2, b2, k * READ_BATCH as u64);
        theirs::cg_theirs_submit(r2, READ_BATCH);
        theirs::cg_theirs_reap(r2, READ_BATCH);
    }
    // What each function handled, for the script to divide by.
    let nops = ROUNDS * ENTRIES as u64;
    let reads = ROUNDS * READ_BATCH as u64;
    // uring-core ran each batch twice (get_sqe, then sq_batch), so it
    // submitted and reaped twice as often.
    let (subs, cqes) = (3 * ROUNDS, 2 * nops + reads);
    for (name, count, unit) in [
        ("cg_ours_fill_nop", nops, "SQE"),
        ("cg_ours_fill_nop_batch", nops, "SQE"),
        ("cg_ours_fill_mixed", nops, "SQE"),
        ("cg_ours_fill_mixed_batch", nops, "SQE"),
        ("cg_ours_fill_read", reads, "SQE"),
        ("cg_ours_fill_read_batch", reads, "SQE"),
        ("cg_ours_submit", 2 * subs, "call"),
        ("cg_ours_reap", 2 * cqes, "CQE"),
        ("cg_theirs_fill_nop", nops, "SQE"),
        ("cg_theirs_fill_mixed", nops, "SQE"),
        ("cg_theirs_fill_read", reads, "SQE"),
        ("cg_theirs_submit", subs, "call"),
        ("cg_theirs_reap", cqes, "CQE"),
    ] {
        println!("{name} {count} {unit}");
    }
}

fn main() {
    if std::env::args().any(|a| a == "--callgrind") {
        callgrind_mode();
        return;
    }
    let started = Instant::now();
    let ovh = timer_overhead();
    println!(
        "uring-core vs io-uring 0.7: {ENTRIES}-entry rings, setup flags 0; \
         timer overhead {} ns subtracted from fill timings",
        ovh.as_nanos()
    );
    let mut cases = vec![
        fill_nop_case(ovh, Api::GetSqe),
        fill_nop_case(ovh, Api::SqBatch),
        fill_mixed_case(ovh, Api::GetSqe),
        fill_mixed_case(ovh, Api::SqBatch),
        nop_rt_case(1),
        nop_rt_case(8),
        nop_rt_case(32),
        nop_rt_case(128),
        read_case(),
    ];
    for c in cases.iter_mut() {
        calibrate(c);
    }
    for run in 0..RUNS {
        for c in cases.iter_mut() {
            let iters = c.iters;
            if run % 2 == 0 {
                c.ours_ns.push(ns_per_op((c.ours)(iters)));
                c.theirs_ns.push(ns_per_op((c.theirs)(iters)));
            } else {
                c.theirs_ns.push(ns_per_op((c.theirs)(iters)));
                c.ours_ns.push(ns_per_op((c.ours)(iters)));
            }
        }
    }
    print_table(&cases);
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
