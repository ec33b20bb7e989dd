//! bare-uring against the `io-uring` crate (0.7), the `rustix-uring` crate
//! (0.6: io-uring's API over rustix's raw syscalls, no libc) and C liburing
//! 2.15 (built from `vendor/liburing/src` by `build.rs`), in one process:
//! the same work on rings of the same size and setup flags, each library
//! used the way its docs show.
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
//! - `hop on one ring`: the same MSG_RING sent to the ring itself,
//!   `submit_and_wait(1)`, wait_cqe, cqe_seen.
//! - `rt xN` (N = 1, 8, 32): N NOPs filled, `submit_and_wait(N)`, reaped.
//!
//! Every size (256, N, 4096, the path) is a compile-time constant on the
//! Rust and the C side alike.
//!
//! Configurations: `default` is setup flags 0 and each library's plain API
//! (bare-uring: the one-object `Ring` methods; io-uring and rustix-uring:
//! `IoUring::submission()`/`completion()`/`submit_and_wait()`; liburing:
//! `io_uring_*` on a `struct io_uring`). `best` is
//! IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN for all four,
//! the ring fd registered wherever the library can (bare-uring,
//! io-uring, liburing; rustix-uring has no `register_ring_fd`), and each
//! library's split handles where it has them: bare-uring `Ring::split`
//! (filling through `SubmissionQueue::sq_batch()`), io-uring and
//! rustix-uring `IoUring::split` kept for the life of the bench (`sync()`
//! before and after a fill, `sync()` before reading the CQ).

// The root package's library carries the C archives build.rs made
// (`liburing_c`, `liburing_bench`).
extern crate uring;

#[path = "common/table.rs"]
mod table;

use std::ffi::CStr;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bare_uring::split::{CompletionQueue, SubmissionQueue};
use bare_uring::sys::{
    IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IOSQE_CQE_SKIP_SUCCESS_BIT,
};
use bare_uring::{helpers, prep, Ring};

/// SQ entries of every ring.
const ENTRIES: u32 = 256;
/// NOPs per round trip, the three sizes.
const RT1: u32 = 1;
const RT8: u32 = 8;
const RT32: u32 = 32;
/// Up to this many SQEs, bare-uring fills with `Ring::get_sqe` (in best
/// `SubmissionQueue::get_sqe`) once per SQE, liburing's shape: the
/// compiler unrolls that loop for a count it knows, and the set-up of a
/// `get_sqes` reservation would cost more than its loop saves; past it,
/// with `sq_batch().get_sqes(n)` (one room check, then one add and one
/// branch per SQE). `get_sqes`' docs give the same advice.
const FEW: u32 = 8;
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
    /// `struct io_uring`, only ever behind a pointer.
    #[repr(C)]
    pub struct IoUringC {
        _private: [u8; 0],
    }

    extern "C" {
        pub fn lu_ring_new(entries: u32, flags: u32, register_fd: i32) -> *mut IoUringC;
        pub fn cg_lu_fill_nop(ring: *mut IoUringC, base: u64);
        pub fn cg_lu_fill_mixed(ring: *mut IoUringC, buf: *mut u8);
        pub fn cg_lu_submit(ring: *mut IoUringC) -> i32;
        pub fn cg_lu_reap(ring: *mut IoUringC) -> u64;
        pub fn cg_lu_msg_hop(from: *mut IoUringC, to: *mut IoUringC, data: u64) -> u64;
        pub fn cg_lu_hop_one(ring: *mut IoUringC, data: u64) -> u64;
        pub fn cg_lu_rt1(ring: *mut IoUringC, base: u64) -> u64;
        pub fn cg_lu_rt8(ring: *mut IoUringC, base: u64) -> u64;
        pub fn cg_lu_rt32(ring: *mut IoUringC, base: u64) -> u64;
    }
}

/// bare-uring, one-object API (`default`).
mod ours {
    use super::*;

    #[inline(never)]
    pub fn cg_ours_fill_nop(ring: &mut Ring, base: u64) {
        fill_nop(ring, ENTRIES, base)
    }

    /// The fill loop, also inlined into the round trips: `get_sqe` once
    /// per SQE for up to `FEW` SQEs, else one `sq_batch().get_sqes(n)`
    /// (see `FEW`).
    #[inline(always)]
    fn fill_nop(ring: &mut Ring, n: u32, base: u64) {
        if n <= FEW {
            for i in 0..n {
                // SAFETY: a NOP points to no memory.
                let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
                prep::nop(sqe);
                helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
            }
            return;
        }
        let mut sq = ring.sq_batch();
        // SAFETY: a NOP points to no memory.
        let sqes = unsafe { sq.get_sqes(n) }.expect("SQ full");
        for (i, sqe) in sqes.enumerate() {
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    /// As `cg_ours_fill_nop`, one `Ring::get_sqe()` per SQE (liburing's shape).
    #[inline(never)]
    pub fn cg_ours_fill_nop_get_sqe(ring: &mut Ring, base: u64) {
        for i in 0..ENTRIES {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    #[inline(never)]
    pub fn cg_ours_fill_mixed(ring: &mut Ring, buf: *mut u8) {
        let mut ring = ring.sq_batch();
        for i in 0..ENTRIES / 4 {
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
    pub fn cg_ours_fill_mixed_get_sqe(ring: &mut Ring, buf: *mut u8) {
        for i in 0..ENTRIES / 4 {
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
    pub fn cg_ours_submit(ring: &mut Ring) -> u32 {
        ring.submit_and_wait(ENTRIES).expect("submit_and_wait")
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
    pub fn cg_ours_hop_one(ring: &mut Ring, fd: i32, data: u64) -> u64 {
        // SAFETY: a MSG_RING message points to no memory.
        let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
        prep::msg_ring(sqe, fd, 0, data, 0);
        sqe.flags |= SKIP_SUCCESS;
        assert_eq!(ring.submit_and_wait(1), Ok(1));
        let c = ring.wait_cqe().expect("wait_cqe");
        ring.cqe_seen(&c);
        c.user_data
    }

    #[inline(always)]
    fn rt(ring: &mut Ring, n: u32, base: u64) -> u64 {
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

    #[inline(never)]
    pub fn cg_ours_rt1(ring: &mut Ring, base: u64) -> u64 {
        rt(ring, RT1, base)
    }

    #[inline(never)]
    pub fn cg_ours_rt8(ring: &mut Ring, base: u64) -> u64 {
        rt(ring, RT8, base)
    }

    #[inline(never)]
    pub fn cg_ours_rt32(ring: &mut Ring, base: u64) -> u64 {
        rt(ring, RT32, base)
    }
}

/// bare-uring, split handles (`best`).
mod split {
    use super::*;

    /// A ring leaked for the life of the bench (its fd registered), with
    /// its split handles.
    pub struct Handles {
        pub sq: SubmissionQueue<'static>,
        pub cq: CompletionQueue<'static>,
        pub fd: i32,
    }

    pub fn handles(flags: u32) -> Handles {
        let ring: &'static mut Ring = Box::leak(Box::new(
            Ring::queue_init(ENTRIES, flags).expect("Ring::queue_init"),
        ));
        ring.register_ring_fd().expect("register_ring_fd");
        let fd = ring.ring_fd();
        let (sq, cq, _) = ring.split();
        Handles { sq, cq, fd }
    }

    #[inline(never)]
    pub fn cg_split_fill_nop(sq: &mut SubmissionQueue<'_>, base: u64) {
        fill_nop(sq, ENTRIES, base)
    }

    /// The fill loop, also inlined into the round trips.
    #[inline(always)]
    fn fill_nop(sq: &mut SubmissionQueue<'_>, n: u32, base: u64) {
        if n <= FEW {
            for i in 0..n {
                // SAFETY: a NOP points to no memory.
                let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
                prep::nop(sqe);
                helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
            }
            return;
        }
        let mut sq = sq.sq_batch();
        // SAFETY: a NOP points to no memory.
        let sqes = unsafe { sq.get_sqes(n) }.expect("SQ full");
        for (i, sqe) in sqes.enumerate() {
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    #[inline(never)]
    pub fn cg_split_fill_mixed(sq: &mut SubmissionQueue<'_>, buf: *mut u8) {
        let mut sq = sq.sq_batch();
        for i in 0..ENTRIES / 4 {
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
    pub fn cg_split_fill_nop_get_sqe(sq: &mut SubmissionQueue<'_>, base: u64) {
        for i in 0..ENTRIES {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { sq.get_sqe() }.expect("SQ full");
            prep::nop(sqe);
            helpers::sqe_set_data64(sqe, base.wrapping_add(i as u64));
        }
    }

    /// As `cg_split_fill_mixed`, one `SubmissionQueue::get_sqe()` per SQE.
    #[inline(never)]
    pub fn cg_split_fill_mixed_get_sqe(sq: &mut SubmissionQueue<'_>, buf: *mut u8) {
        for i in 0..ENTRIES / 4 {
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
    pub fn cg_split_submit(sq: &mut SubmissionQueue<'_>) -> u32 {
        sq.submit_and_wait(ENTRIES).expect("submit_and_wait")
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
    pub fn cg_split_hop_one(h: &mut Handles, data: u64) -> u64 {
        // SAFETY: a MSG_RING message points to no memory.
        let sqe = unsafe { h.sq.get_sqe() }.expect("SQ full");
        prep::msg_ring(sqe, h.fd, 0, data, 0);
        sqe.flags |= SKIP_SUCCESS;
        assert_eq!(h.sq.submit_and_wait(1), Ok(1));
        let c = h.cq.wait_cqe().expect("wait_cqe");
        h.cq.cqe_seen(&c);
        c.user_data
    }

    #[inline(always)]
    fn rt(h: &mut Handles, n: u32, base: u64) -> u64 {
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

    #[inline(never)]
    pub fn cg_split_rt1(h: &mut Handles, base: u64) -> u64 {
        rt(h, RT1, base)
    }

    #[inline(never)]
    pub fn cg_split_rt8(h: &mut Handles, base: u64) -> u64 {
        rt(h, RT8, base)
    }

    #[inline(never)]
    pub fn cg_split_rt32(h: &mut Handles, base: u64) -> u64 {
        rt(h, RT32, base)
    }
}

/// io-uring and rustix-uring have the same API (rustix-uring is io-uring's
/// code over rustix): one module per crate from this one text. `default`:
/// entries built by `opcode::*::build()`, pushed through one
/// `submission()` borrow, reaped through one `completion()` borrow,
/// `IoUring::submit_and_wait`. `best` (`cg_peer_best_*`): the handles of
/// `IoUring::split()` kept for the life of the bench, `sync()`ed where the
/// crate's docs say (before and after a fill; before reading the CQ, which
/// also publishes the previous reads' head).
macro_rules! peer {
    ($m:ident, $krate:ident, $ud:ident, $res:ident, |$sub:ident| $register:expr) => {
        mod $m {
            use super::*;
            use $krate::{cqueue, opcode, squeue, types, IoUring, Submitter};

            pub fn ring(flags: u32) -> IoUring {
                let mut b = IoUring::builder();
                if flags != 0 {
                    b.setup_single_issuer().setup_defer_taskrun();
                }
                b.build(ENTRIES).expect("IoUring::build")
            }

            pub fn fd(ring: &IoUring) -> i32 {
                std::os::fd::AsRawFd::as_raw_fd(ring)
            }

            /// A ring leaked for the life of the bench, with its split
            /// handles (the ring fd registered where the crate can).
            pub struct Best {
                pub sub: Submitter<'static>,
                pub sq: squeue::SubmissionQueue<'static>,
                pub cq: cqueue::CompletionQueue<'static>,
                pub fd: i32,
            }

            pub fn best(flags: u32) -> Best {
                let ring: &'static mut IoUring = Box::leak(Box::new(ring(flags)));
                let fd = fd(ring);
                #[allow(unused_mut)]
                let (mut $sub, sq, cq) = ring.split();
                $register;
                let sub = $sub;
                Best { sub, sq, cq, fd }
            }

            #[inline(always)]
            fn nop(i: u64) -> squeue::Entry {
                opcode::Nop::new().build().user_data(i)
            }

            /// The fill loop, also inlined into the round trips.
            #[inline(always)]
            fn fill_nop(sq: &mut squeue::SubmissionQueue<'_>, n: u32, base: u64) {
                for i in 0..n {
                    // SAFETY: a NOP references no memory.
                    unsafe { sq.push(&nop(base.wrapping_add(i as u64))) }.expect("SQ full");
                }
            }

            #[inline(always)]
            fn fill_mixed(sq: &mut squeue::SubmissionQueue<'_>, buf: *mut u8) {
                for i in 0..ENTRIES / 4 {
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
                    let e = opcode::MsgRingData::new(types::Fd(-1), 0, u.into(), None)
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

            #[inline(always)]
            fn msg(to_fd: i32, data: u64) -> squeue::Entry {
                opcode::MsgRingData::new(types::Fd(to_fd), 0, data.into(), None)
                    .build()
                    .flags(squeue::Flags::SKIP_SUCCESS)
            }

            #[inline(never)]
            pub fn cg_peer_fill_nop(ring: &mut IoUring, base: u64) {
                fill_nop(&mut ring.submission(), ENTRIES, base)
            }

            #[inline(never)]
            pub fn cg_peer_fill_mixed(ring: &mut IoUring, buf: *mut u8) {
                fill_mixed(&mut ring.submission(), buf)
            }

            #[inline(never)]
            pub fn cg_peer_submit(ring: &mut IoUring) -> u32 {
                ring.submit_and_wait(ENTRIES as usize)
                    .expect("submit_and_wait") as u32
            }

            #[inline(never)]
            pub fn cg_peer_reap(ring: &mut IoUring) -> u64 {
                let mut acc = 0u64;
                for c in ring.completion() {
                    acc = acc.wrapping_add(c.$ud() ^ c.$res() as i64 as u64);
                }
                acc
            }

            #[inline(never)]
            pub fn cg_peer_msg_hop(
                from: &mut IoUring,
                to: &mut IoUring,
                to_fd: i32,
                data: u64,
            ) -> u64 {
                // SAFETY: references no memory.
                unsafe { from.submission().push(&msg(to_fd, data)) }.expect("SQ full");
                assert_eq!(from.submit().expect("submit"), 1);
                // wait_cqe: look first, enter only when nothing is there.
                if let Some(c) = to.completion().next() {
                    return c.$ud();
                }
                to.submit_and_wait(1).expect("wait");
                to.completion().next().expect("a CQE").$ud()
            }

            #[inline(never)]
            pub fn cg_peer_hop_one(ring: &mut IoUring, fd: i32, data: u64) -> u64 {
                // SAFETY: references no memory.
                unsafe { ring.submission().push(&msg(fd, data)) }.expect("SQ full");
                assert_eq!(ring.submit_and_wait(1).expect("submit"), 1);
                loop {
                    if let Some(c) = ring.completion().next() {
                        return c.$ud();
                    }
                    ring.submit_and_wait(1).expect("wait");
                }
            }

            #[inline(always)]
            fn rt(ring: &mut IoUring, n: u32, base: u64) -> u64 {
                fill_nop(&mut ring.submission(), n, base);
                ring.submit_and_wait(n as usize).expect("submit_and_wait");
                let mut acc = 0u64;
                let mut got = 0;
                loop {
                    for c in ring.completion() {
                        acc = acc.wrapping_add(c.$ud());
                        got += 1;
                    }
                    if got >= n {
                        return acc;
                    }
                    ring.submit_and_wait((n - got) as usize).expect("wait");
                }
            }

            #[inline(never)]
            pub fn cg_peer_rt1(ring: &mut IoUring, base: u64) -> u64 {
                rt(ring, RT1, base)
            }

            #[inline(never)]
            pub fn cg_peer_rt8(ring: &mut IoUring, base: u64) -> u64 {
                rt(ring, RT8, base)
            }

            #[inline(never)]
            pub fn cg_peer_rt32(ring: &mut IoUring, base: u64) -> u64 {
                rt(ring, RT32, base)
            }

            #[inline(never)]
            pub fn cg_peer_best_fill_nop(b: &mut Best, base: u64) {
                b.sq.sync();
                fill_nop(&mut b.sq, ENTRIES, base);
                b.sq.sync();
            }

            #[inline(never)]
            pub fn cg_peer_best_fill_mixed(b: &mut Best, buf: *mut u8) {
                b.sq.sync();
                fill_mixed(&mut b.sq, buf);
                b.sq.sync();
            }

            #[inline(never)]
            pub fn cg_peer_best_submit(b: &mut Best) -> u32 {
                b.sub
                    .submit_and_wait(ENTRIES as usize)
                    .expect("submit_and_wait") as u32
            }

            #[inline(never)]
            pub fn cg_peer_best_reap(b: &mut Best) -> u64 {
                b.cq.sync();
                let mut acc = 0u64;
                for c in &mut b.cq {
                    acc = acc.wrapping_add(c.$ud() ^ c.$res() as i64 as u64);
                }
                acc
            }

            #[inline(never)]
            pub fn cg_peer_best_msg_hop(from: &mut Best, to: &mut Best, data: u64) -> u64 {
                // SAFETY: references no memory.
                unsafe { from.sq.push(&msg(to.fd, data)) }.expect("SQ full");
                from.sq.sync();
                assert_eq!(from.sub.submit().expect("submit"), 1);
                loop {
                    to.cq.sync();
                    if let Some(c) = to.cq.next() {
                        return c.$ud();
                    }
                    to.sub.submit_and_wait(1).expect("wait");
                }
            }

            #[inline(never)]
            pub fn cg_peer_best_hop_one(b: &mut Best, data: u64) -> u64 {
                // SAFETY: references no memory.
                unsafe { b.sq.push(&msg(b.fd, data)) }.expect("SQ full");
                b.sq.sync();
                assert_eq!(b.sub.submit_and_wait(1).expect("submit"), 1);
                loop {
                    b.cq.sync();
                    if let Some(c) = b.cq.next() {
                        return c.$ud();
                    }
                    b.sub.submit_and_wait(1).expect("wait");
                }
            }

            #[inline(always)]
            fn best_rt(b: &mut Best, n: u32, base: u64) -> u64 {
                fill_nop(&mut b.sq, n, base);
                b.sq.sync();
                b.sub.submit_and_wait(n as usize).expect("submit_and_wait");
                let mut acc = 0u64;
                let mut got = 0;
                loop {
                    b.cq.sync();
                    for c in &mut b.cq {
                        acc = acc.wrapping_add(c.$ud());
                        got += 1;
                    }
                    if got >= n {
                        return acc;
                    }
                    b.sub.submit_and_wait((n - got) as usize).expect("wait");
                }
            }

            #[inline(never)]
            pub fn cg_peer_best_rt1(b: &mut Best, base: u64) -> u64 {
                best_rt(b, RT1, base)
            }

            #[inline(never)]
            pub fn cg_peer_best_rt8(b: &mut Best, base: u64) -> u64 {
                best_rt(b, RT8, base)
            }

            #[inline(never)]
            pub fn cg_peer_best_rt32(b: &mut Best, base: u64) -> u64 {
                best_rt(b, RT32, base)
            }
        }
    };
}

peer!(iou, io_uring, user_data, result, |sub| sub
    .register_ring_fd()
    .expect("register_ring_fd"));
// rustix-uring 0.6 has no register_ring_fd.
peer!(rxu, rustix_uring, user_data_u64, raw_result, |sub| {});

/// The four libraries' rings for one configuration.
struct Set {
    best: bool,
    ours: Ring,
    ours2: Ring,
    split: split::Handles,
    split2: split::Handles,
    iou: io_uring::IoUring,
    iou2: io_uring::IoUring,
    iou_best: iou::Best,
    iou_best2: iou::Best,
    rxu: rustix_uring::IoUring,
    rxu2: rustix_uring::IoUring,
    rxu_best: rxu::Best,
    rxu_best2: rxu::Best,
    lu: *mut lu::IoUringC,
    lu2: *mut lu::IoUringC,
    buf: Vec<u8>,
    seq: u64,
}

impl Set {
    fn new(best: bool) -> Set {
        let f = setup_flags(best);
        let ring = || {
            let mut r = Ring::queue_init(ENTRIES, f).expect("Ring::queue_init");
            if best {
                r.register_ring_fd().expect("register_ring_fd");
            }
            r
        };
        // SAFETY: plain setup; the rings are leaked with the process.
        let (lu, lu2) = unsafe {
            (
                lu::lu_ring_new(ENTRIES, f, best as i32),
                lu::lu_ring_new(ENTRIES, f, best as i32),
            )
        };
        Set {
            best,
            ours: ring(),
            ours2: ring(),
            split: split::handles(f),
            split2: split::handles(f),
            iou: iou::ring(f),
            iou2: iou::ring(f),
            iou_best: iou::best(f),
            iou_best2: iou::best(f),
            rxu: rxu::ring(f),
            rxu2: rxu::ring(f),
            rxu_best: rxu::best(f),
            rxu_best2: rxu::best(f),
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
    Rustix,
    Liburing,
}

const LIBS: [Lib; 4] = [Lib::Ours, Lib::IoUring, Lib::Rustix, Lib::Liburing];

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
    HopOne,
    Rt1,
    Rt8,
    Rt32,
}

const ROWS: [Row; 11] = [
    Row::FillNop,
    Row::FillMixed,
    Row::FillNopGetSqe,
    Row::FillMixedGetSqe,
    Row::Submit,
    Row::Reap,
    Row::MsgHop,
    Row::HopOne,
    Row::Rt1,
    Row::Rt8,
    Row::Rt32,
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
            Row::MsgHop => "msg_ring hop, two rings",
            Row::HopOne => "msg_ring hop, one ring",
            Row::Rt1 => "NOP round trip x1",
            Row::Rt8 => "NOP round trip x8",
            Row::Rt32 => "NOP round trip x32",
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Row::FillNop | Row::FillMixed | Row::FillNopGetSqe | Row::FillMixedGetSqe => "SQE",
            Row::Submit => "call",
            Row::Reap => "CQE",
            Row::MsgHop | Row::HopOne => "hop",
            Row::Rt1 | Row::Rt8 | Row::Rt32 => "op",
        }
    }
    /// NOPs per round trip.
    fn rt_n(self) -> u32 {
        match self {
            Row::Rt1 => RT1,
            Row::Rt8 => RT8,
            _ => RT32,
        }
    }
    /// The `cg_*` function measured for `lib`, with its module where two
    /// modules share names (callgrind.sh's names).
    fn func(self, lib: Lib, best: bool) -> String {
        let l = match (lib, best) {
            (Lib::Ours, false) => "ours::cg_ours",
            (Lib::Ours, true) => "split::cg_split",
            (Lib::IoUring, false) => "iou::cg_peer",
            (Lib::IoUring, true) => "iou::cg_peer_best",
            (Lib::Rustix, false) => "rxu::cg_peer",
            (Lib::Rustix, true) => "rxu::cg_peer_best",
            (Lib::Liburing, _) => "cg_lu",
        };
        let r = match (self, lib) {
            (Row::FillNopGetSqe, Lib::Ours) => "fill_nop_get_sqe",
            (Row::FillMixedGetSqe, Lib::Ours) => "fill_mixed_get_sqe",
            (Row::FillNop | Row::FillNopGetSqe, _) => "fill_nop",
            (Row::FillMixed | Row::FillMixedGetSqe, _) => "fill_mixed",
            (Row::Submit, _) => "submit",
            (Row::Reap, _) => "reap",
            (Row::MsgHop, _) => "msg_hop",
            (Row::HopOne, _) => "hop_one",
            (Row::Rt1, _) => "rt1",
            (Row::Rt8, _) => "rt8",
            (Row::Rt32, _) => "rt32",
        };
        format!("{l}_{r}")
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
                    (false, true) => ours::cg_ours_fill_mixed_get_sqe(&mut s.ours, buf),
                    (false, false) => ours::cg_ours_fill_nop_get_sqe(&mut s.ours, base),
                    (true, true) => split::cg_split_fill_mixed_get_sqe(&mut s.split.sq, buf),
                    (true, false) => split::cg_split_fill_nop_get_sqe(&mut s.split.sq, base),
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
            Row::MsgHop | Row::HopOne => {
                let st = Instant::now();
                let got = if row == Row::MsgHop {
                    msg_hop(s, lib, base)
                } else {
                    hop_one(s, lib, base)
                };
                t += st.elapsed();
                assert_eq!(got, base, "{lib:?} {row:?}");
                units += 1;
            }
            Row::Rt1 | Row::Rt8 | Row::Rt32 => {
                let st = Instant::now();
                let acc = rt(s, lib, row, base);
                t += st.elapsed();
                let want: u64 = (0..row.rt_n() as u64).map(|i| base + i).sum();
                assert_eq!(acc, want, "{lib:?} {row:?}");
                units += row.rt_n() as u64;
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
        (Lib::Ours, false, false) => ours::cg_ours_fill_nop(&mut s.ours, base),
        (Lib::Ours, false, true) => ours::cg_ours_fill_mixed(&mut s.ours, buf),
        (Lib::Ours, true, false) => split::cg_split_fill_nop(&mut s.split.sq, base),
        (Lib::Ours, true, true) => split::cg_split_fill_mixed(&mut s.split.sq, buf),
        (Lib::IoUring, false, false) => iou::cg_peer_fill_nop(&mut s.iou, base),
        (Lib::IoUring, false, true) => iou::cg_peer_fill_mixed(&mut s.iou, buf),
        (Lib::IoUring, true, false) => iou::cg_peer_best_fill_nop(&mut s.iou_best, base),
        (Lib::IoUring, true, true) => iou::cg_peer_best_fill_mixed(&mut s.iou_best, buf),
        (Lib::Rustix, false, false) => rxu::cg_peer_fill_nop(&mut s.rxu, base),
        (Lib::Rustix, false, true) => rxu::cg_peer_fill_mixed(&mut s.rxu, buf),
        (Lib::Rustix, true, false) => rxu::cg_peer_best_fill_nop(&mut s.rxu_best, base),
        (Lib::Rustix, true, true) => rxu::cg_peer_best_fill_mixed(&mut s.rxu_best, buf),
        // SAFETY: a ring made by lu_ring_new; buf/PATH outlive the requests.
        (Lib::Liburing, _, false) => unsafe { lu::cg_lu_fill_nop(s.lu, base) },
        // SAFETY: as above.
        (Lib::Liburing, _, true) => unsafe { lu::cg_lu_fill_mixed(s.lu, buf) },
    }
    let t1 = Instant::now();
    let n = match (lib, best) {
        (Lib::Ours, false) => ours::cg_ours_submit(&mut s.ours),
        (Lib::Ours, true) => split::cg_split_submit(&mut s.split.sq),
        (Lib::IoUring, false) => iou::cg_peer_submit(&mut s.iou),
        (Lib::IoUring, true) => iou::cg_peer_best_submit(&mut s.iou_best),
        (Lib::Rustix, false) => rxu::cg_peer_submit(&mut s.rxu),
        (Lib::Rustix, true) => rxu::cg_peer_best_submit(&mut s.rxu_best),
        // SAFETY: as above.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_submit(s.lu) as u32 },
    };
    assert_eq!(n, ENTRIES, "{lib:?}");
    let t2 = Instant::now();
    let acc = match (lib, best) {
        (Lib::Ours, false) => ours::cg_ours_reap(&mut s.ours),
        (Lib::Ours, true) => split::cg_split_reap(&mut s.split.cq),
        (Lib::IoUring, false) => iou::cg_peer_reap(&mut s.iou),
        (Lib::IoUring, true) => iou::cg_peer_best_reap(&mut s.iou_best),
        (Lib::Rustix, false) => rxu::cg_peer_reap(&mut s.rxu),
        (Lib::Rustix, true) => rxu::cg_peer_best_reap(&mut s.rxu_best),
        // SAFETY: as above.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_reap(s.lu) },
    };
    let t3 = Instant::now();
    black_box(acc);
    // The split peers' cached SQ head is from before the submit: refresh
    // it outside the cg_* functions, so the single-SQE rows that share the
    // handles start from a steady state (their own sync lags one SQE).
    s.iou_best.sq.sync();
    s.rxu_best.sq.sync();
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
        (Lib::IoUring, false) => {
            let (a, b) = if back {
                (&mut s.iou2, &mut s.iou)
            } else {
                (&mut s.iou, &mut s.iou2)
            };
            let fd = iou::fd(b);
            iou::cg_peer_msg_hop(a, b, fd, data)
        }
        (Lib::IoUring, true) => {
            let (a, b) = if back {
                (&mut s.iou_best2, &mut s.iou_best)
            } else {
                (&mut s.iou_best, &mut s.iou_best2)
            };
            iou::cg_peer_best_msg_hop(a, b, data)
        }
        (Lib::Rustix, false) => {
            let (a, b) = if back {
                (&mut s.rxu2, &mut s.rxu)
            } else {
                (&mut s.rxu, &mut s.rxu2)
            };
            let fd = rxu::fd(b);
            rxu::cg_peer_msg_hop(a, b, fd, data)
        }
        (Lib::Rustix, true) => {
            let (a, b) = if back {
                (&mut s.rxu_best2, &mut s.rxu_best)
            } else {
                (&mut s.rxu_best, &mut s.rxu_best2)
            };
            rxu::cg_peer_best_msg_hop(a, b, data)
        }
        (Lib::Liburing, _) => {
            let (a, b) = if back { (s.lu2, s.lu) } else { (s.lu, s.lu2) };
            // SAFETY: rings made by lu_ring_new.
            unsafe { lu::cg_lu_msg_hop(a, b, data) }
        }
    }
}

fn hop_one(s: &mut Set, lib: Lib, data: u64) -> u64 {
    match (lib, s.best) {
        (Lib::Ours, false) => {
            let fd = s.ours.ring_fd();
            ours::cg_ours_hop_one(&mut s.ours, fd, data)
        }
        (Lib::Ours, true) => split::cg_split_hop_one(&mut s.split, data),
        (Lib::IoUring, false) => {
            let fd = iou::fd(&s.iou);
            iou::cg_peer_hop_one(&mut s.iou, fd, data)
        }
        (Lib::IoUring, true) => iou::cg_peer_best_hop_one(&mut s.iou_best, data),
        (Lib::Rustix, false) => {
            let fd = rxu::fd(&s.rxu);
            rxu::cg_peer_hop_one(&mut s.rxu, fd, data)
        }
        (Lib::Rustix, true) => rxu::cg_peer_best_hop_one(&mut s.rxu_best, data),
        // SAFETY: a ring made by lu_ring_new.
        (Lib::Liburing, _) => unsafe { lu::cg_lu_hop_one(s.lu, data) },
    }
}

fn rt(s: &mut Set, lib: Lib, row: Row, base: u64) -> u64 {
    match (lib, s.best, row) {
        (Lib::Ours, false, Row::Rt1) => ours::cg_ours_rt1(&mut s.ours, base),
        (Lib::Ours, false, Row::Rt8) => ours::cg_ours_rt8(&mut s.ours, base),
        (Lib::Ours, false, _) => ours::cg_ours_rt32(&mut s.ours, base),
        (Lib::Ours, true, Row::Rt1) => split::cg_split_rt1(&mut s.split, base),
        (Lib::Ours, true, Row::Rt8) => split::cg_split_rt8(&mut s.split, base),
        (Lib::Ours, true, _) => split::cg_split_rt32(&mut s.split, base),
        (Lib::IoUring, false, Row::Rt1) => iou::cg_peer_rt1(&mut s.iou, base),
        (Lib::IoUring, false, Row::Rt8) => iou::cg_peer_rt8(&mut s.iou, base),
        (Lib::IoUring, false, _) => iou::cg_peer_rt32(&mut s.iou, base),
        (Lib::IoUring, true, Row::Rt1) => iou::cg_peer_best_rt1(&mut s.iou_best, base),
        (Lib::IoUring, true, Row::Rt8) => iou::cg_peer_best_rt8(&mut s.iou_best, base),
        (Lib::IoUring, true, _) => iou::cg_peer_best_rt32(&mut s.iou_best, base),
        (Lib::Rustix, false, Row::Rt1) => rxu::cg_peer_rt1(&mut s.rxu, base),
        (Lib::Rustix, false, Row::Rt8) => rxu::cg_peer_rt8(&mut s.rxu, base),
        (Lib::Rustix, false, _) => rxu::cg_peer_rt32(&mut s.rxu, base),
        (Lib::Rustix, true, Row::Rt1) => rxu::cg_peer_best_rt1(&mut s.rxu_best, base),
        (Lib::Rustix, true, Row::Rt8) => rxu::cg_peer_best_rt8(&mut s.rxu_best, base),
        (Lib::Rustix, true, _) => rxu::cg_peer_best_rt32(&mut s.rxu_best, base),
        // SAFETY: a ring made by lu_ring_new.
        (Lib::Liburing, _, Row::Rt1) => unsafe { lu::cg_lu_rt1(s.lu, base) },
        // SAFETY: as above.
        (Lib::Liburing, _, Row::Rt8) => unsafe { lu::cg_lu_rt8(s.lu, base) },
        // SAFETY: as above.
        (Lib::Liburing, _, _) => unsafe { lu::cg_lu_rt32(s.lu, base) },
    }
}

/// Timed table: per row and configuration, `ROUNDS` rounds in which the
/// four libraries run back to back in a rotating order; per-round ratios
/// of bare-uring's time to each other library's (< 1: bare-uring faster).
fn timed() {
    table::header();
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
            let ns = table::rounds(ROUNDS, |i| {
                let (t, u) = run(&mut s, LIBS[i], row, iters);
                t.as_nanos() as f64 / u as f64
            });
            table::line(best, row.name(), row.unit(), &ns);
        }
    }
    println!(
        "\nmedian of {ROUNDS} rounds; ratios (ours over io-uring, rustix-uring, liburing) are per \
         round (the four libraries ran back to back), then the median: < 1.00 means bare-uring \
         took less time."
    );
}

/// Fixed work for `scripts/bench/callgrind.sh`, one configuration per run
/// (`--callgrind default|best`): per library and row, `N` runs (each fill
/// submitted and reaped). Prints `function units unit row` lines so the
/// script can divide each `cg_*` function's instructions by the work it
/// did.
fn callgrind_mode(best: bool) {
    const N: u64 = 40;
    let mut s = Set::new(best);
    for lib in LIBS {
        for row in [
            Row::FillNop,
            Row::FillMixed,
            Row::MsgHop,
            Row::HopOne,
            Row::Rt1,
            Row::Rt8,
            Row::Rt32,
        ] {
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
            Row::MsgHop | Row::HopOne => N,
            Row::Rt1 | Row::Rt8 | Row::Rt32 => N * row.rt_n() as u64,
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
        "bare-uring vs io-uring 0.7 vs rustix-uring 0.6 vs C liburing 2.15: {ENTRIES}-entry rings; \
         default: setup flags 0, plain APIs; best: SINGLE_ISSUER|DEFER_TASKRUN, registered ring fds, \
         split handles\n"
    );
    timed();
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
