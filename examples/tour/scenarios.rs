//! Section 3: scenarios, each run on the live kernel and printed as one
//! line, "name ... ok (detail)", "FAILED: reason" or "not supported by
//! this kernel: ERRNO".

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bare_uring::ring::{memory_size, Params};
use bare_uring::sys::*;
use bare_uring::{decode, prep, Errno, Ring};

use crate::kernel::Caps;
use crate::util::{ensure, next_cqe, sqe, Ctx, Fail, Outcome};
use crate::{errors, messages, net};

/// Counts of scenario results.
#[derive(Default)]
pub struct Tally {
    pub ok: usize,
    pub unsupported: usize,
    pub failed: usize,
}

impl Tally {
    /// Runs one scenario unless a capability it needs is missing, and
    /// prints its line.
    pub fn run(&mut self, name: &str, needs: &[&Result<(), Errno>], f: impl FnOnce() -> Outcome) {
        let missing = needs.iter().find_map(|r| r.as_ref().err().copied());
        let outcome = match missing {
            Some(e) => Err(Fail::Unsupported(e)),
            None => f(),
        };
        let head = format!("  {name} ");
        let dots = ".".repeat(48usize.saturating_sub(head.len()).max(3));
        match outcome {
            Ok(detail) => {
                self.ok += 1;
                println!("{head}{dots} ok ({detail})");
            }
            Err(Fail::Unsupported(e)) => {
                self.unsupported += 1;
                println!("{head}{dots} not supported by this kernel: {e:?}");
            }
            Err(Fail::Failed(why)) => {
                self.failed += 1;
                println!("{head}{dots} FAILED: {why}");
            }
        }
    }
}

/// Prints section 3.
pub fn section(caps: &Caps, t: &mut Tally) {
    println!("\n== Scenarios");
    let base = &caps.io_uring;
    t.run("nop round trip", &[base], nop);
    t.run(
        "msg_ring between two rings",
        &[&caps.msg_ring],
        messages::msg_ring,
    );
    t.run(
        "msg_ring_fd passes a file",
        &[&caps.msg_ring_fd],
        messages::msg_ring_fd,
    );
    t.run(
        "register_sync_msg wakes a waiter",
        &[&caps.sync_msg],
        messages::sync_msg,
    );
    t.run(
        "documented errors",
        &[&caps.msg_ring, &caps.msg_ring_fd, &caps.pbuf_ring],
        errors::documented_errors,
    );
    t.run(
        "recvmsg multishot over UDP",
        &[&caps.recvmsg_multishot, &caps.pbuf_ring],
        net::recvmsg_multishot,
    );
    t.run(
        "incremental buffer ring",
        &[&caps.pbuf_inc],
        net::incremental,
    );
    t.run(
        "send_bundle over a socketpair",
        &[&caps.bundle, &caps.pbuf_ring],
        net::send_bundle,
    );
    t.run("NO_MMAP ring in a static buffer", &[&caps.no_mmap], no_mmap);
    let mut s = io_uring_sqe::zeroed();
    prep::msg_ring_cqe_flags(&mut s, 7, 42, DATA, 0, CQE_FLAGS);
    println!(
        "\n  An SQE as bare_uring::decode prints it: prep::msg_ring_cqe_flags(sqe, 7, 42, {DATA:#x}, 0, {CQE_FLAGS:#x})"
    );
    for line in decode::decode(&s).to_string().lines() {
        println!("      {line}");
    }
    println!(
        "    (not compared with C here; `cargo test --test prep_conformance` compares every prep helper's\n     64 bytes with C liburing 2.15's, from zeroed and pre-filled SQEs)"
    );
}

/// Arbitrary but recognisable message fields.
pub const DATA: u64 = 0xfeed_face_cafe_beef;
/// Passed as the target CQE's flags (upper half, like a buffer id, with no
/// IORING_CQE_F_* bit the consumer would act on).
pub const CQE_FLAGS: u32 = 0x5a5a_0000;

fn nop() -> Outcome {
    let mut ring = Ring::queue_init(8, 0).ctx("queue_init(8)")?;
    let t = Instant::now();
    // SAFETY: a NOP points to no memory.
    let s = unsafe { sqe(&mut ring, "nop") }?;
    prep::nop(s);
    s.user_data = 0x6e6f70;
    let cqe = next_cqe(&mut ring, "nop")?;
    let us = t.elapsed().as_secs_f64() * 1e6;
    ensure!(
        cqe.user_data == 0x6e6f70 && cqe.res == 0 && cqe.flags == 0,
        "nop came back as {cqe:?}"
    );
    Ok(format!(
        "user_data {:#x} and res 0 back in {us:.1} µs; {} SQ / {} CQ entries",
        cqe.user_data,
        ring.sq_entries(),
        ring.cq_entries()
    ))
}

/// Page-aligned static memory for a NO_MMAP ring.
#[repr(C, align(4096))]
struct RingMem(UnsafeCell<[u8; RING_MEM_LEN]>);
const RING_MEM_LEN: usize = 4 * 4096;
// SAFETY: only ever used through RING_MEM_BUSY's exclusive claim.
unsafe impl Sync for RingMem {}
static RING_MEM: RingMem = RingMem(UnsafeCell::new([0; RING_MEM_LEN]));
static RING_MEM_BUSY: AtomicBool = AtomicBool::new(false);

fn no_mmap() -> Outcome {
    let need = memory_size(8, IORING_SETUP_NO_MMAP).ctx("memory_size")?;
    ensure!(
        need <= RING_MEM_LEN,
        "needs {need} bytes, have {RING_MEM_LEN}"
    );
    // Acquire: pairs with the release store below; one ring at a time.
    if RING_MEM_BUSY.swap(true, Ordering::Acquire) {
        return Err(Fail::Failed("static ring memory in use".into()));
    }
    let base = RING_MEM.0.get().cast::<u8>();
    let r = no_mmap_ring(base, need);
    // Release: the ring using the memory was dropped inside no_mmap_ring.
    RING_MEM_BUSY.store(false, Ordering::Release);
    r
}

/// Mappings of io_uring objects in this process now: lines of
/// `/proc/self/maps` naming `anon_inode:[io_uring]` (what mapping a ring's
/// queues with mmap(2) adds).
fn io_uring_mappings() -> Result<usize, Fail> {
    let maps = std::fs::read_to_string("/proc/self/maps").ctx("read /proc/self/maps")?;
    Ok(maps.lines().filter(|l| l.contains("[io_uring]")).count())
}

fn no_mmap_ring(base: *mut u8, need: usize) -> Outcome {
    // For contrast: what a ring set up the usual way adds to the maps.
    let before = io_uring_mappings()?;
    let plain = Ring::queue_init(8, 0).ctx("queue_init(8)")?;
    let plain_maps = io_uring_mappings()?.saturating_sub(before);
    drop(plain);
    let before = io_uring_mappings()?;
    let mut p = Params::new();
    // SAFETY: RING_MEM is ours alone (RING_MEM_BUSY), valid for
    // RING_MEM_LEN bytes forever, and the ring is dropped before we return.
    let mut ring =
        unsafe { Ring::queue_init_mem(8, &mut p, base, RING_MEM_LEN) }.ctx("queue_init_mem")?;
    ensure!(ring.flags() & IORING_SETUP_NO_MMAP != 0, "NO_MMAP not set");
    let fd = ring.ring_fd();
    // SAFETY: a NOP points to no memory.
    let s = unsafe { sqe(&mut ring, "nop") }?;
    let at = (s as *mut io_uring_sqe as usize).wrapping_sub(base as usize);
    ensure!(at < RING_MEM_LEN, "SQE outside the static buffer");
    prep::nop(s);
    s.user_data = 1;
    // A message from the ring to itself.
    // SAFETY: a MSG_RING message points to no memory; its target is this
    // ring, which expects it (the loop below).
    let s = unsafe { sqe(&mut ring, "msg_ring to itself") }?;
    prep::msg_ring(s, fd, 5, DATA, 0);
    s.flags |= IOSQE_CQE_SKIP_SUCCESS;
    s.user_data = 2;
    let mut got = vec![];
    for _ in 0..2 {
        let c = next_cqe(&mut ring, "NO_MMAP ring")?;
        got.push((c.user_data, c.res));
    }
    got.sort_unstable();
    ensure!(got == [(1, 0), (DATA, 5)], "CQEs {got:x?}");
    let added = io_uring_mappings()?.saturating_sub(before);
    ensure!(
        added == 0,
        "the NO_MMAP ring added {added} io_uring mappings to /proc/self/maps"
    );
    Ok(format!(
        "{need} bytes of a {RING_MEM_LEN}-byte static at {base:p}, SQE at +{at}; /proc/self/maps: \
         0 io_uring mappings added (a plain ring adds {plain_maps}); nop and a message to itself came back"
    ))
}
