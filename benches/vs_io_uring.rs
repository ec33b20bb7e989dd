//! bare-uring against the `io-uring` crate (0.7) and C liburing 2.15 (built
//! from `vendor/liburing/src` by `build.rs`), in one process: the same work
//! on rings of the same size and setup flags, each library used the way its
//! docs show.
//!
//! ```text
//! cargo bench --bench vs_io_uring        # timed table (interleaved rounds)
//! scripts/bench/callgrind.sh             # instruction counts (this binary, --callgrind)
//! scripts/bench/report.sh                # both, written into docs/BENCH.md
//! ```
//!
//! Rows (per SQE, call, CQE or operation):
//! - `fill nop`: get an SQE, prep a NOP, set user_data; 256 times into an
//!   empty 256-entry SQ. Only the fill is timed.
//! - `fill mixed`: the same with read, send, msg_ring and openat in turn
//!   (fds -1: once submitted, untimed, each fails with EBADF).
//! - `submit`: `submit_and_wait(256)` of the 256 NOPs just filled.
//! - `reap`: iterate the 256 CQEs and advance the head once, the loop body
//!   folding `user_data` and `res` into one register (no store per CQE).
//! - `msg hop`: get_sqe, prep a MSG_RING to the other ring (with
//!   IOSQE_CQE_SKIP_SUCCESS), submit, wait_cqe on the other ring, cqe_seen.
//! - `rt x32`: 32 NOPs filled, `submit_and_wait(32)`, reaped.
//!
//! Configurations: `default` is setup flags 0 and each library's plain API
//! (bare-uring: the one-object `Ring` methods). `best` is
//! IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN for all three,
//! and for bare-uring the split handles (`Ring::split`, filling through
//! one `SubmissionQueue::sq_batch()` per batch); io-uring and
//! liburing have no faster API for these paths, so theirs is the same code.

// The root package's library carries the C archives build.rs made
// (`liburing_c`, `liburing_bench`).
extern crate uring;

use std::ffi::{c_char, c_void, CStr};
use std::hint::black_box;
use std::time::{Duration, Instant};

use bare_uring::split::{CompletionQueue, SubmissionQueue};
use bare_uring::sys::{
    IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IOSQE_CQE_SKIP_SUCCESS_BIT,
};
use bare_uring::{helpers, prep, Ring};
use io_uring::{opcode, squeue, types, IoUring};

/// SQ entries of every ring.
const ENTRIES: u32 = 256;
/// NOPs per round trip.
const RT: u32 = 32;
/// Bytes per read/send in the mixed fill.
const BLOCK: u32 = 4096;
/// Timed rounds per row.
const ROUNDS: usize = 21;
/// Rough length of one timed measurement.
const TARGET: Duration = Duration::from_millis(10);
/// The openat path (never opened: the dirfd is -1).
const PATH: &CStr = c"x";
/// `sqe.flags` bit of a MSG_RING whose success posts no CQE on the sender.
const SKIP_SUCCESS: u8 = 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;

/// Setup flags of a configuration.
fn setup_flags(best: bool) -> u32 {
    if best {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
    } else {
        0
    }
}

/// C liburing: `benches/c/liburing_bench.c`.
mod lu {
    use super::*;

    /// `struct io_uring`, only ever behind a pointer.
    #[repr(C)]
    pub struct IoUringC {
        _private: [u8; 0],
    }

    extern "C" {
        pub fn lu_ring_new(entries: u32, flags: u32) -> *mut IoUringC;
        pub fn cg_lu_fill_nop(ring: *mut IoUringC, n: u32, base: u64);
        pub fn cg_lu_fill_mixed(
            ring: *mut IoUringC,
            n: u32,
            buf: *mut c_void,
            block: u32,
            path: *const c_char,
        );
        pub fn cg_lu_submit(ring: *mut IoUringC, want: u32) -> i32;
        pub fn cg_lu_reap(ring: *mut IoUringC) -> u64;
        pub fn cg_lu_msg_hop(from: *mut IoUringC, to: *mut IoUringC, data: u64) -> u64;
        pub fn cg_lu_rt(ring: *mut IoUringC, n: u32, base: u64) -> u64;
    }
}

/// bare-uring, one-object API (`default`).
mod ours {
    use super::*;

    #[inline(never)]
    pub fn cg_ours_fill_nop(ring: &mut Ring, n: u32, base: u64) {
        fill_nop(ring, n, base)
    }

    /// The fill loop, also inlined into the round trip: one `sq_batch()`
    /// per run of SQEs, as `Ring::get_sqe`'s docs recommend.
    #[inline(always)]
    fn fill_nop(ring: &mut Ring, n: u32, base: u64) {
        let mut sq = ring.sq_batch();
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    /// As `cg_ours_fill_nop`, one `Ring::get_sqe()` per SQE (liburing's shape).
    #[inline(never)]
    pub fn cg_ours_fill_nop_get_sqe(ring: &mut Ring, n: u32, base: u64) {
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    #[inline(never)]
    pub fn cg_ours_fill_mixed(ring: &mut Ring, n: u32, buf: *mut u8) {
        let mut ring = ring.sq_batch();
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: fd -1: the read fails with EBADF, buf is never written
            // (and outlives the ring).
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK, (u * BLOCK as u64) % (1 << 20));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: as above, buf is only read.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK as usize, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: a MSG_RING message points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: PATH is a 'static C string.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    /// As `cg_ours_fill_mixed`, one `Ring::get_sqe()` per SQE.
    #[inline(never)]
    pub fn cg_ours_fill_mixed_get_sqe(ring: &mut Ring, n: u32, buf: *mut u8) {
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: fd -1: the read fails with EBADF, buf is never written
            // (and outlives the ring).
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK, (u * BLOCK as u64) % (1 << 20));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: as above, buf is only read.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK as usize, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: a MSG_RING message points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: PATH is a 'static C string.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    #[inline(never)]
    pub fn cg_ours_submit(ring: &mut Ring, want: u32) -> u32 {
        ring.submit_and_wait(want).expect("submit_and_wait")
    }

    #[inline(never)]
    pub fn cg_ours_reap(ring: &mut Ring) -> u64 {
        let mut acc = 0u64;
        for c in ring.cqes() {
            acc = acc.wrapping_add(c.user_data ^ c.res as i64 as u64);
        }
        acc
    }

    #[inline(never)]
    pub fn cg_ours_msg_hop(from: &mut Ring, to: &mut Ring, to_fd: i32, data: u64) -> u64 {
        // SAFETY: a MSG_RING message points to no memory.
        let sqe = unsafe { from.get_sqe() }.expect("SQ full");
        prep::msg_ring(sqe, to_fd, 0, data, 0);
        sqe.flags |= SKIP_SUCCESS;
        assert_eq!(from.submit(), Ok(1));
        let c = to.wait_cqe().expect("wait_cqe");
        to.cqe_seen(&c);
        c.user_data
    }

    #[inline(never)]
    pub fn cg_ours_rt(ring: &mut Ring, n: u32, base: u64) -> u64 {
        fill_nop(ring, n, base);
        ring.submit_and_wait(n).expect("submit_and_wait");
        let mut acc = 0u64;
        let mut got = 0;
        loop {
            for c in ring.cqes() {
                acc = acc.wrapping_add(c.user_data);
                got += 1;
            }
            if got >= n {
                return acc;
            }
            ring.submit_and_wait(n - got).expect("wait");
        }
    }
}

/// bare-uring, split handles (`best`).
mod split {
    use super::*;

    /// A ring leaked for the life of the bench, with its split handles.
    pub struct Handles {
        pub sq: SubmissionQueue<'static>,
        pub cq: CompletionQueue<'static>,
        pub fd: i32,
    }

    pub fn handles(flags: u32) -> Handles {
        let ring: &'static mut Ring = Box::leak(Box::new(
            Ring::queue_init(ENTRIES, flags).expect("Ring::queue_init"),
        ));
        let fd = ring.ring_fd();
        let (sq, cq, _) = ring.split();
        Handles { sq, cq, fd }
    }

    #[inline(never)]
    pub fn cg_split_fill_nop(sq: &mut SubmissionQueue<'_>, n: u32, base: u64) {
        fill_nop(sq, n, base)
    }

    /// The fill loop, also inlined into the round trip.
    #[inline(always)]
    fn fill_nop(sq: &mut SubmissionQueue<'_>, n: u32, base: u64) {
        let mut sq = sq.sq_batch();
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    #[inline(never)]
    pub fn cg_split_fill_mixed(sq: &mut SubmissionQueue<'_>, n: u32, buf: *mut u8) {
        let mut sq = sq.sq_batch();
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: as in ours::cg_ours_fill_mixed.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK, (u * BLOCK as u64) % (1 << 20));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK as usize, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    /// As `cg_split_fill_nop`, one `SubmissionQueue::get_sqe()` per SQE
    /// (what an event loop queueing work while it reaps writes).
    #[inline(never)]
    pub fn cg_split_fill_nop_get_sqe(sq: &mut SubmissionQueue<'_>, n: u32, base: u64) {
        for i in 0..n {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    /// As `cg_split_fill_mixed`, one `SubmissionQueue::get_sqe()` per SQE.
    #[inline(never)]
    pub fn cg_split_fill_mixed_get_sqe(sq: &mut SubmissionQueue<'_>, n: u32, buf: *mut u8) {
        for i in 0..n / 4 {
            let u = (i as u64) << 2;
            // SAFETY: as in ours::cg_ours_fill_mixed.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::read(sqe, -1, buf.cast(), BLOCK, (u * BLOCK as u64) % (1 << 20));
            helpers::sqe_set_data64(sqe, u);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::send(sqe, -1, buf.cast_const().cast(), BLOCK as usize, 0);
            helpers::sqe_set_data64(sqe, u + 1);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::msg_ring(sqe, -1, 0, u, 0);
            helpers::sqe_set_data64(sqe, u + 2);
            // SAFETY: as above.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::openat(sqe, -1, PATH.as_ptr(), 0, 0);
            helpers::sqe_set_data64(sqe, u + 3);
        }
    }

    #[inline(never)]
    pub fn cg_split_submit(sq: &mut SubmissionQueue<'_>, want: u32) -> u32 {
        sq.submit_and_wait(want).expect("submit_and_wait")
    }

    #[inline(never)]
    pub fn cg_split_reap(cq: &mut CompletionQueue<'_>) -> u64 {
        let mut acc = 0u64;
        for c in cq.cqes() {
            acc = acc.wrapping_add(c.user_data ^ c.res as i64 as u64);
        }
        acc
    }

    #[inline(never)]
    pub fn cg_split_msg_hop(
        from: &mut SubmissionQueue<'_>,
        to: &mut CompletionQueue<'_>,
        to_fd: i32,
        data: u64,
    ) -> u64 {
        // SAFETY: a MSG_RING message points to no memory.
        let sqe = unsafe { from.get_sqe() }.expect("SQ full");
        prep::msg_ring(sqe, to_fd, 0, data, 0);
        sqe.flags |= SKIP_SUCCESS;
        assert_eq!(from.submit(), Ok(1));
        let c = to.wait_cqe().expect("wait_cqe");
        to.cqe_seen(&c);
        c.user_data
    }

    #[inline(never)]
    pub fn cg_split_rt(h: &mut Handles, n: u32, base: u64) -> u64 {
        fill_nop(&mut h.sq, n, base);
        h.sq.submit_and_wait(n).expect("submit_and_wait");
        let mut acc = 0u64;
        let mut got = 0;
        loop {
            for c in h.cq.cqes() {
                acc = acc.wrapping_add(c.user_data);
                got += 1;
            }
            if got >= n {
                return acc;
            }
            h.sq.submit_and_wait(n - got).expect("wait");
        }
    }
}

/// The io-uring crate: entries built by `opcode::*::build()`, pushed through
/// one `submission()` borrow, reaped through one `completion()` borrow.
mod theirs {
    use super::*;

    pub fn ring(flags: u32) -> IoUring {
        let mut b = IoUring::builder();
        if flags != 0 {
            b.setup_single_issuer().setup_defer_taskrun();
        }
        b.build(ENTRIES).expect("IoUring::build")
    }

    #[inline(never)]
    pub fn cg_theirs_fill_nop(ring: &mut IoUring, n: u32, base: u64) {
        fill_nop(ring, n, base)
    }

    /// The fill loop, also inlined into the round trip.
    #[inline(always)]
    fn fill_nop(ring: &mut IoUring, n: u32, base: u64) {
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
            let e = opcode::Read::new(types::Fd(-1), buf, BLOCK)
                .offset((u * BLOCK as u64) % (1 << 20))
                .build()
                .user_data(u);
            // SAFETY: fd -1: EBADF, buf never written; it outlives the ring.
            unsafe { sq.push(&e) }.expect("SQ full");
            let e = opcode::Send::new(types::Fd(-1), buf.cast_const(), BLOCK)
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
    pub fn cg_theirs_submit(ring: &mut IoUring, want: u32) -> u32 {
        ring.submit_and_wait(want as usize)
            .expect("submit_and_wait") as u32
    }

    #[inline(never)]
    pub fn cg_theirs_reap(ring: &mut IoUring) -> u64 {
        let mut acc = 0u64;
        for c in ring.completion() {
            acc = acc.wrapping_add(c.user_data() ^ c.result() as i64 as u64);
        }
        acc
    }

    #[inline(never)]
    pub fn cg_theirs_msg_hop(from: &mut IoUring, to: &mut IoUring, to_fd: i32, data: u64) -> u64 {
        let e = opcode::MsgRingData::new(types::Fd(to_fd), 0, data, None)
            .build()
            .flags(squeue::Flags::SKIP_SUCCESS);
        // SAFETY: references no memory.
        unsafe { from.submission().push(&e) }.expect("SQ full");
        assert_eq!(from.submit().expect("submit"), 1);
        // wait_cqe: look first, enter only when nothing is there.
        if let Some(c) = to.completion().next() {
            return c.user_data();
        }
        to.submit_and_wait(1).expect("wait");
        to.completion().next().expect("a CQE").user_data()
    }

    #[inline(never)]
    pub fn cg_theirs_rt(ring: &mut IoUring, n: u32, base: u64) -> u64 {
        fill_nop(ring, n, base);
        ring.submit_and_wait(n as usize).expect("submit_and_wait");
        let mut acc = 0u64;
        let mut got = 0;
        loop {
            for c in ring.completion() {
                acc = acc.wrapping_add(c.user_data());
                got += 1;
            }
            if got >= n {
                return acc;
            }
            ring.submit_and_wait((n - got) as usize).expect("wait");
        }
    }
}

/// The three libraries' rings for one configuration.
struct Set {
    best: bool,
    ours: Ring,
    ours2: Ring,
    split: split::Handles,
    split2: split::Handles,
    theirs: IoUring,
    theirs2: IoUring,
    lu: *mut lu::IoUringC,
    lu2: *mut lu::IoUringC,
    buf: Vec<u8>,
    seq: u64,
}

impl Set {
    fn new(best: bool) -> Set {
        let f = setup_flags(best);
        let ring = || Ring::queue_init(ENTRIES, f).expect("Ring::queue_init");
        // SAFETY: plain setup; the rings are leaked with the process.
        let (lu, lu2) = unsafe { (lu::lu_ring_new(ENTRIES, f), lu::lu_ring_new(ENTRIES, f)) };
        Set {
            best,
            ours: ring(),
            ours2: ring(),
            split: split::handles(f),
            split2: split::handles(f),
            theirs: theirs::ring(f),
            theirs2: theirs::ring(f),
            lu,
            lu2,
            buf: vec![0u8; BLOCK as usize],
            seq: 0,
        }
    }
}

/// The libraries compared.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Lib {
    Ours,
    IoUring,
    Liburing,
}

const LIBS: [Lib; 3] = [Lib::Ours, Lib::IoUring, Lib::Liburing];

/// The rows.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Row {
    FillNop,
    FillMixed,
    /// bare-uring through one `get_sqe` call per SQE: `Ring::get_sqe`
    /// (default), `SubmissionQueue::get_sqe` (best).
    FillNopGetSqe,
    FillMixedGetSqe,
    Submit,
    Reap,
    MsgHop,
    Rt,
}

const ROWS: [Row; 8] = [
    Row::FillNop,
    Row::FillMixed,
    Row::FillNopGetSqe,
    Row::FillMixedGetSqe,
    Row::Submit,
    Row::Reap,
    Row::MsgHop,
    Row::Rt,
];

impl Row {
    fn name(self) -> &'static str {
        match self {
            Row::FillNop => "fill 256 NOP SQEs",
            Row::FillMixed => "fill 256 mixed SQEs",
            Row::FillNopGetSqe => "fill 256 NOP, get_sqe per SQE",
            Row::FillMixedGetSqe => "fill 256 mixed, get_sqe per SQE",
            Row::Submit => "submit_and_wait(256)",
            Row::Reap => "reap, register-only sink",
            Row::MsgHop => "one msg_ring hop",
            Row::Rt => "NOP round trip x32",
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Row::FillNop | Row::FillMixed | Row::FillNopGetSqe | Row::FillMixedGetSqe => "SQE",
            Row::Submit => "call",
            Row::Reap => "CQE",
            Row::MsgHop => "hop",
            Row::Rt => "op",
        }
    }
    /// The `cg_*` function measured for `lib` (callgrind.sh's names).
    fn func(self, lib: Lib, best: bool) -> String {
        let l = match (lib, best) {
            (Lib::Ours, false) => "ours",
            (Lib::Ours, true) => "split",
            (Lib::IoUring, _) => "theirs",
            (Lib::Liburing, _) => "lu",
        };
        let r = match (self, lib) {
            (Row::FillNopGetSqe, Lib::Ours) => "fill_nop_get_sqe",
            (Row::FillMixedGetSqe, Lib::Ours) => "fill_mixed_get_sqe",
            (Row::FillNop | Row::FillNopGetSqe, _) => "fill_nop",
            (Row::FillMixed | Row::FillMixedGetSqe, _) => "fill_mixed",
            (Row::Submit, _) => "submit",
            (Row::Reap, _) => "reap",
            (Row::MsgHop, _) => "msg_hop",
            (Row::Rt, _) => "rt",
        };
        format!("cg_{l}_{r}")
    }
}

/// Runs `iters` repetitions of `row` on `lib`; returns the time of the
/// measured part and the units done.
fn run(s: &mut Set, lib: Lib, row: Row, iters: u64) -> (Duration, u64) {
    let mut t = Duration::ZERO;
    let mut units = 0;
    let buf = s.buf.as_mut_ptr();
    for _ in 0..iters {
        s.seq = s.seq.wrapping_add(1 << 9);
        let base = s.seq;
        match row {
            Row::FillNopGetSqe | Row::FillMixedGetSqe if lib == Lib::Ours => {
                let mixed = row == Row::FillMixedGetSqe;
                let st = Instant::now();
                match (s.best, mixed) {
                    (false, true) => ours::cg_ours_fill_mixed_get_sqe(&mut s.ours, ENTRIES, buf),
                    (false, false) => ours::cg_ours_fill_nop_get_sqe(&mut s.ours, ENTRIES, base),
                    (true, true) => {
                        split::cg_split_fill_mixed_get_sqe(&mut s.split.sq, ENTRIES, buf)
                    }
                    (true, false) => {
                        split::cg_split_fill_nop_get_sqe(&mut s.split.sq, ENTRIES, base)
                    }
                }
                t += st.elapsed();
                // Emptied outside the cg_* functions (callgrind counts
                // submit and reap only in their own rows).
                if s.best {
                    assert_eq!(s.split.sq.submit_and_wait(ENTRIES), Ok(ENTRIES));
                    assert_eq!(s.split.cq.for_each_cqe(|_| {}), ENTRIES);
                } else {
                    assert_eq!(s.ours.submit_and_wait(ENTRIES), Ok(ENTRIES));
                    assert_eq!(s.ours.for_each_cqe(|_| {}), ENTRIES);
                }
                units += ENTRIES as u64;
            }
            Row::FillNop
            | Row::FillMixed
            | Row::FillNopGetSqe
            | Row::FillMixedGetSqe
            | Row::Submit
            | Row::Reap => {
                let mixed = matches!(row, Row::FillMixed | Row::FillMixedGetSqe);
                let (f, sub, reap) = fill_submit_reap(s, lib, mixed, base, buf);
                t += match row {
                    Row::FillNop | Row::FillMixed | Row::FillNopGetSqe | Row::FillMixedGetSqe => f,
                    Row::Submit => sub,
                    _ => reap,
                };
                units += if row == Row::Submit {
                    1
                } else {
                    ENTRIES as u64
                };
            }
            Row::MsgHop => {
                let st = Instant::now();
                let got = msg_hop(s, lib, base);
                t += st.elapsed();
                assert_eq!(got, base);
                units += 1;
            }
            Row::Rt => {
                let st = Instant::now();
                let acc = rt(s, lib, base);
                t += st.elapsed();
                let want: u64 = (0..RT as u64).map(|i| base + i).sum();
                assert_eq!(acc, want);
                units += RT as u64;
            }
        }
    }
    (t, units)
}

/// One fill of 256 SQEs, its submit and its reap, each timed.
fn fill_submit_reap(
    s: &mut Set,
    lib: Lib,
    mixed: bool,
    base: u64,
    buf: *mut u8,
) -> (Duration, Duration, Duration) {
    let best = s.best;
    let t0 = Instant::now();
    match (lib, best, mixed) {
        (Lib::Ours, false, false) => ours::cg_ours_fill_nop(&mut s.ours, ENTRIES, base),
        (Lib::Ours, false, true) => ours::cg_ours_fill_mixed(&mut s.ours, ENTRIES, buf),
        (Lib::Ours, true, false) => split::cg_split_fill_nop(&mut s.split.sq, ENTRIES, base),
        (Lib::Ours, true, true) => split::cg_split_fill_mixed(&mut s.split.sq, ENTRIES, buf),
        (Lib::IoUring, _, false) => theirs::cg_theirs_fill_nop(&mut s.theirs, ENTRIES, base),
        (Lib::IoUring, _, true) => theirs::cg_theirs_fill_mixed(&mut s.theirs, ENTRIES, buf),
        // SAFETY: a ring made by lu_ring_new; buf/PATH outlive the requests.
        (Lib::Liburing, _, false) => unsafe { lu::cg_lu_fill_nop(s.lu, ENTRIES, base) },
        // SAFETY: as above.
        (Lib::Liburing, _, true) => unsafe {
            lu::cg_lu_fill_mixed(s.lu, ENTRIES, buf.cast(), BLOCK, PATH.as_ptr())
        },
    }
    let t1 = Instant::now();
    let n = match (lib, best) {
        (Lib::Ours, false) => ours::cg_ours_submit(&mut s.ours, ENTRIES),
        (Lib::Ours, true) => split::cg_split_submit(&mut s.split.sq, ENTRIES),
        (Lib::IoUring, _) => theirs::cg_theirs_submit(&mut s.theirs, ENTRIES),
        // SAFETY: as above.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_submit(s.lu, ENTRIES) as u32 },
    };
    assert_eq!(n, ENTRIES);
    let t2 = Instant::now();
    let acc = match (lib, best) {
        (Lib::Ours, false) => ours::cg_ours_reap(&mut s.ours),
        (Lib::Ours, true) => split::cg_split_reap(&mut s.split.cq),
        (Lib::IoUring, _) => theirs::cg_theirs_reap(&mut s.theirs),
        // SAFETY: as above.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_reap(s.lu) },
    };
    let t3 = Instant::now();
    black_box(acc);
    if !mixed {
        // Every CQE reaped (res 0, each user_data once).
        let want: u64 = (0..ENTRIES as u64).map(|i| base + i).sum();
        assert_eq!(acc, want, "{lib:?}");
    }
    (t1 - t0, t2 - t1, t3 - t2)
}

fn msg_hop(s: &mut Set, lib: Lib, data: u64) -> u64 {
    // Alternate direction so neither ring's CQ fills.
    let back = data & (1 << 9) != 0;
    match (lib, s.best) {
        (Lib::Ours, false) => {
            let (a, b) = if back {
                (&mut s.ours2, &mut s.ours)
            } else {
                (&mut s.ours, &mut s.ours2)
            };
            let fd = b.ring_fd();
            ours::cg_ours_msg_hop(a, b, fd, data)
        }
        (Lib::Ours, true) => {
            let (a, b) = if back {
                (&mut s.split2, &mut s.split)
            } else {
                (&mut s.split, &mut s.split2)
            };
            split::cg_split_msg_hop(&mut a.sq, &mut b.cq, b.fd, data)
        }
        (Lib::IoUring, _) => {
            let (a, b) = if back {
                (&mut s.theirs2, &mut s.theirs)
            } else {
                (&mut s.theirs, &mut s.theirs2)
            };
            let fd = b.as_raw_fd_();
            theirs::cg_theirs_msg_hop(a, b, fd, data)
        }
        (Lib::Liburing, _) => {
            let (a, b) = if back { (s.lu2, s.lu) } else { (s.lu, s.lu2) };
            // SAFETY: rings made by lu_ring_new.
            unsafe { lu::cg_lu_msg_hop(a, b, data) }
        }
    }
}

/// The ring fd of an `IoUring` (`AsRawFd`, without importing the trait
/// into every module).
trait RawFd {
    fn as_raw_fd_(&self) -> i32;
}

impl RawFd for IoUring {
    fn as_raw_fd_(&self) -> i32 {
        std::os::fd::AsRawFd::as_raw_fd(self)
    }
}

fn rt(s: &mut Set, lib: Lib, base: u64) -> u64 {
    match (lib, s.best) {
        (Lib::Ours, false) => ours::cg_ours_rt(&mut s.ours, RT, base),
        (Lib::Ours, true) => split::cg_split_rt(&mut s.split, RT, base),
        (Lib::IoUring, _) => theirs::cg_theirs_rt(&mut s.theirs, RT, base),
        // SAFETY: a ring made by lu_ring_new.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_rt(s.lu, RT, base) },
    }
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

/// Timed table: per row and configuration, `ROUNDS` rounds in which the
/// three libraries run back to back in a rotating order; per-round ratios
/// of bare-uring's time to each other library's (< 1: bare-uring faster).
fn timed() {
    println!(
        "{:<8} {:<26} {:>5} {:>11} {:>11} {:>11} {:>14} {:>14}",
        "config",
        "row",
        "unit",
        "ours ns",
        "io-uring ns",
        "liburing ns",
        "ours/io-uring",
        "ours/liburing"
    );
    for best in [false, true] {
        let mut s = Set::new(best);
        for row in ROWS {
            // Calibrate on bare-uring, use for all; one warm-up each.
            // On the wall time of the whole run (fills are timed alone, but
            // their untimed submit and reap take most of it).
            let mut iters = 1u64;
            loop {
                let st = Instant::now();
                run(&mut s, Lib::Ours, row, iters);
                let t = st.elapsed();
                if t >= TARGET / 4 || iters >= 1 << 20 {
                    let scale = TARGET.as_secs_f64() / t.as_secs_f64().max(1e-9);
                    iters = ((iters as f64 * scale) as u64).max(1);
                    break;
                }
                iters *= 2;
            }
            for lib in LIBS {
                run(&mut s, lib, row, iters);
            }
            let mut ns: [Vec<f64>; 3] = Default::default();
            for round in 0..ROUNDS {
                for k in 0..3 {
                    let i = (round + k) % 3;
                    let (t, u) = run(&mut s, LIBS[i], row, iters);
                    ns[i].push(t.as_nanos() as f64 / u as f64);
                }
            }
            let ratio = |j: usize| -> f64 {
                let r: Vec<f64> = ns[0].iter().zip(&ns[j]).map(|(o, t)| o / t).collect();
                median(&r)
            };
            println!(
                "{:<8} {:<26} {:>5} {:>11.2} {:>11.2} {:>11.2} {:>13.2}x {:>13.2}x",
                if best { "best" } else { "default" },
                row.name(),
                row.unit(),
                median(&ns[0]),
                median(&ns[1]),
                median(&ns[2]),
                ratio(1),
                ratio(2),
            );
        }
    }
    println!(
        "\nmedian of {ROUNDS} rounds; ratios are per round (the three libraries ran back to back), \
         then the median: < 1.00 means bare-uring took less time."
    );
}

/// Fixed work for `scripts/bench/callgrind.sh`, one configuration per run
/// (`--callgrind default|best`): per library, `N` fills of 256 NOPs and of
/// 256 mixed SQEs (each submitted and reaped), `N` msg_ring hops and `N`
/// round trips. Prints `function units unit row` lines so the script can
/// divide each `cg_*` function's instructions by the work it did.
fn callgrind_mode(best: bool) {
    const N: u64 = 40;
    let mut s = Set::new(best);
    for lib in LIBS {
        for row in [Row::FillNop, Row::FillMixed, Row::MsgHop, Row::Rt] {
            run(&mut s, lib, row, N);
        }
    }
    run(&mut s, Lib::Ours, Row::FillNopGetSqe, N);
    run(&mut s, Lib::Ours, Row::FillMixedGetSqe, N);
    let per_fill = ENTRIES as u64;
    for row in ROWS {
        let units = match row {
            // The get_sqe rows: bare-uring's per-call fill against the
            // others' fill functions (their only way), N runs each.
            Row::FillNop | Row::FillMixed | Row::FillNopGetSqe | Row::FillMixedGetSqe => {
                N * per_fill
            }
            Row::Submit => 2 * N,
            Row::Reap => 2 * N * per_fill,
            Row::MsgHop => N,
            Row::Rt => N * RT as u64,
        };
        for lib in LIBS {
            println!(
                "{} {units} {} {:?}",
                row.func(lib, best),
                row.unit(),
                row.name()
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--callgrind") {
        callgrind_mode(args.get(i + 1).is_some_and(|c| c == "best"));
        return;
    }
    let started = Instant::now();
    println!(
        "bare-uring vs io-uring 0.7 vs C liburing 2.15: {ENTRIES}-entry rings; \
         default: setup flags 0, plain APIs; best: SINGLE_ISSUER|DEFER_TASKRUN, bare-uring split handles\n"
    );
    timed();
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
