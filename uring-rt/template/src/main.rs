//! Writes "hello from io_uring" to stdout with one io_uring WRITE, from a
//! ring whose memory is a `static` (IORING_SETUP_NO_MMAP), then exits. Its
//! only system calls: io_uring_setup, io_uring_enter, exit_group.
#![no_std]
#![no_main]

use bare_uring::ring::{Params, RingMem, PAGE_SIZE};
use bare_uring::{prep, Ring};

bare_uring_rt::entry!(main);

/// A one-entry ring: SQEs and rings, a page each.
static MEM: RingMem<{ 2 * PAGE_SIZE }> = RingMem::new();
const MSG: &[u8] = b"hello from io_uring\n";

fn main(_: bare_uring_rt::Args) -> i32 {
    let mem = MEM.take().unwrap(); // first and only use
    let Ok(ring) = Ring::queue_init_static(1, &mut Params::new(), mem) else {
        return 2; // no io_uring (ENOSYS), disabled (EPERM), before 6.5 (EINVAL)
    };
    // The kernel tears the ring down at exit; no close(2) needed.
    let mut ring = core::mem::ManuallyDrop::new(ring);
    // SAFETY: the write reads MSG, a constant that lives forever.
    let sqe = unsafe { ring.get_sqe() }.unwrap(); // an empty ring has room
    prep::write(sqe, 1, MSG.as_ptr().cast(), MSG.len() as u32, u64::MAX);
    let Ok(1) = ring.submit_and_wait(1) else {
        return 3; // io_uring_enter failed
    };
    let written = ring.cqes().next().map(|cqe| cqe.res);
    match written {
        Some(n) if n == MSG.len() as i32 => 0,
        _ => 4, // the write failed or was short
    }
}
