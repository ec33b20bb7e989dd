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
//! 2. ABI: structure sizes and alignments from `bare-uring-sys` (compared with
//!    C by `cargo test --test layout`, not here: the tour compiles no C).
//! 3. Scenarios, one line each ("ok (detail)", "FAILED: reason", or "not
//!    supported by this kernel: ERRNO"): a nop; messages between rings
//!    (data, fd passing, synchronous from a thread with no ring); the
//!    documented errors; multishot recvmsg over UDP with a provided buffer
//!    ring; an incrementally consumed buffer ring; send bundles; a NO_MMAP
//!    ring in a static buffer (no io_uring mapping appears in
//!    `/proc/self/maps`). Then an SQE printed by `bare_uring::decode`
//!    (`cargo test --test prep_conformance` compares every helper's bytes
//!    with C liburing).
//! 4. Figures: msg_ring ping-pong latency between two threads (plain rings,
//!    then SINGLE_ISSUER|DEFER_TASKRUN rings), send-bundle throughput over a
//!    socketpair. Printed, never asserted.
//!
//! Everything is bounded in time (waits give up after 3 s; each figure runs
//! at most 1 s). Exit code 0 when every scenario the kernel supports
//! passed, 1 otherwise. The sections live in `examples/tour/`. The tour is
//! an example of the `uring-examples` package, which depends on `bare-uring`
//! and `bare-uring-sys` only: building it compiles those three crates.

#[path = "tour/abi.rs"]
mod abi;
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

fn main() {
    let start = Instant::now();
    println!("uring tour: io_uring on this machine, live\n");
    let caps = kernel::section();
    abi::section();
    let mut tally = scenarios::Tally::default();
    scenarios::section(&caps, &mut tally);
    figures::section(&caps, &mut tally);
    println!(
        "\n{} ok, {} not supported by this kernel, {} failed ({:.2} s)",
        tally.ok,
        tally.unsupported,
        tally.failed,
        start.elapsed().as_secs_f64()
    );
    std::process::exit(if tally.failed == 0 { 0 } else { 1 });
}
