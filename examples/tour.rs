//! A tour of `uring` on the running kernel: what it supports, the ABI we
//! were built against, the operations this project is about run for real,
//! and figures.
//!
//! ```text
//! cargo run --release --example tour
//! ```
//!
//! 1. Kernel: release, the ring's `IORING_FEAT_*` bits by name, the opcode
//!    probe, and whether ring-to-ring messages (data, fd passing,
//!    synchronous), multishot recvmsg, send bundles, provided buffer rings
//!    (incremental too) and NO_MMAP rings are supported.
//! 2. ABI: structure sizes from `uring-sys`, checked against C's `sizeof`.
//! 3. Scenarios, one line each ("ok (detail)", "FAILED: reason", or "not
//!    supported by this kernel: ERRNO"): a nop; messages between rings
//!    (data, fd passing, synchronous from a thread with no ring); the
//!    documented errors; multishot recvmsg over UDP with a provided buffer
//!    ring; an incrementally consumed buffer ring; send bundles; a NO_MMAP
//!    ring in a static buffer; SQEs compared byte for byte with C liburing,
//!    one of them printed by `uring_core::decode`.
//! 4. Figures: msg_ring ping-pong latency between two threads (plain rings,
//!    then SINGLE_ISSUER|DEFER_TASKRUN rings), send-bundle throughput over a
//!    socketpair. Printed, never asserted.
//!
//! Everything is bounded in time (waits give up after 3 s; each figure runs
//! at most 1 s). Exit code 0 when every scenario the kernel supports
//! passed, 1 otherwise. The sections live in `examples/tour/`.

#[path = "tour/abi.rs"]
mod abi;
#[path = "common/mod.rs"]
mod common;
#[path = "tour/errors.rs"]
mod errors;
#[path = "tour/figures.rs"]
mod figures;
#[path = "tour/kernel.rs"]
mod kernel;
#[path = "tour/messages.rs"]
mod messages;
#[path = "tour/net.rs"]
mod net;
#[path = "tour/scenarios.rs"]
mod scenarios;
#[path = "tour/util.rs"]
mod util;

use std::time::Instant;

// Links the root package's `uring_ref` C library (liburing's helpers and
// sizeof table), which the ABI section and the byte-exact scenario use.
use uring as _;

fn main() {
    let start = Instant::now();
    println!("uring tour: io_uring on this machine, live\n");
    let caps = kernel::section();
    let abi_mismatches = abi::section();
    let mut tally = scenarios::Tally::default();
    scenarios::section(&caps, &mut tally);
    figures::section(&caps, &mut tally);
    let failed = tally.failed + abi_mismatches;
    println!(
        "\n{} ok, {} not supported by this kernel, {} failed{} ({:.2} s)",
        tally.ok,
        tally.unsupported,
        tally.failed,
        if abi_mismatches > 0 {
            format!(", {abi_mismatches} ABI mismatches")
        } else {
            String::new()
        },
        start.elapsed().as_secs_f64()
    );
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
