//! The probe on the live kernel: opcode numbering matches bare_uring_sys,
//! each newer opcode we rely on is either in the probe or refused by the
//! kernel, and the answer agrees with what the kernel does with an opcode
//! beyond it.

mod common;

use bare_uring::probe::{Probe, PROBE_OPS};
use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

fn lists_this_kernels_opcodes() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let p = ring.get_probe_ring().unwrap();
    println!("{p:?}");
    let last = p.last_op() as u32;
    // ops_len is what we asked for, clamped to the kernel's count.
    assert_eq!(p.ops_len() as u32, (last + 1).min(PROBE_OPS as u32));
    for (i, op) in p.ops().iter().enumerate() {
        assert_eq!(op.op as usize, i, "entry {i} describes opcode {}", op.op);
    }
    // Present since the probe itself (5.6): every kernel that answers has them.
    for op in [
        IORING_OP_NOP,
        IORING_OP_READV,
        IORING_OP_READ_FIXED,
        IORING_OP_READ,
        IORING_OP_SEND,
        IORING_OP_RECVMSG,
    ] {
        assert!(p.opcode_supported(op), "opcode {op} not supported");
    }
    // Newer opcodes we rely on: where the probe lacks one, the kernel must
    // agree and refuse an SQE carrying it (EINVAL beyond last_op, or
    // EOPNOTSUPP for one compiled out).
    for (op, name, since) in [
        (IORING_OP_MSG_RING, "MSG_RING", "5.18"),
        (IORING_OP_SEND_ZC, "SEND_ZC", "6.0"),
        (IORING_OP_SENDMSG_ZC, "SENDMSG_ZC", "6.1"),
        (IORING_OP_READ_MULTISHOT, "READ_MULTISHOT", "6.7"),
        (IORING_OP_WAITID, "WAITID", "6.7"),
        (IORING_OP_FUTEX_WAIT, "FUTEX_WAIT", "6.7"),
        (IORING_OP_FIXED_FD_INSTALL, "FIXED_FD_INSTALL", "6.8"),
        (IORING_OP_FTRUNCATE, "FTRUNCATE", "6.9"),
        (IORING_OP_BIND, "BIND", "6.11"),
        (IORING_OP_LISTEN, "LISTEN", "6.11"),
        (IORING_OP_EPOLL_WAIT, "EPOLL_WAIT", "6.15"),
        (IORING_OP_READV_FIXED, "READV_FIXED", "6.15"),
        (IORING_OP_PIPE, "PIPE", "6.16"),
    ] {
        if p.opcode_supported(op) {
            continue;
        }
        println!("IORING_OP_{name} (Linux {since}+) is not in this kernel's probe");
        // SAFETY: a NOP points to no memory; the kernel refuses the opcode
        // before reading any other field.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::nop(sqe);
        sqe.opcode = op as u8;
        sqe.user_data = op as u64;
        ring.submit_and_wait(1).unwrap();
        let c = common::reap(&mut ring);
        assert_eq!(c.user_data, op as u64);
        assert!(
            c.res == -Errno::EINVAL.0 || c.res == -Errno::EOPNOTSUPP.0,
            "IORING_OP_{name} is not in the probe, yet the kernel answered {}",
            c.res
        );
    }
    let supported: Vec<u32> = p.supported_ops().collect();
    assert!(supported.windows(2).all(|w| w[0] < w[1]));
    assert!(supported.iter().all(|&o| o <= last));
    assert!(!p.opcode_supported(last + 1));
    assert!(!p.opcode_supported(u32::MAX));
}

fn ringless_probe_matches() {
    let ring = Ring::queue_init(4, 0).unwrap();
    let a = ring.get_probe_ring().unwrap();
    let b = bare_uring::probe::get_probe().unwrap();
    assert_eq!(a.last_op(), b.last_op());
    assert!(a.supported_ops().eq(b.supported_ops()));
}

fn unsupported_opcode_is_refused_by_the_kernel() {
    let mut ring = Ring::queue_init(4, 0).unwrap();
    let p = ring.get_probe_ring().unwrap();
    let beyond = p.last_op() as u32 + 1;
    assert!(!p.opcode_supported(beyond));
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::nop(sqe);
    sqe.opcode = beyond as u8;
    sqe.user_data = 1;
    ring.submit_and_wait(1).unwrap();
    let c = ring.wait_cqe().unwrap();
    assert_eq!((c.user_data, c.res), (1, -Errno::EINVAL.0));
}

fn raw_probe_must_be_zeroed() {
    let ring = Ring::queue_init(4, 0).unwrap();
    let mut p = ring.get_probe_ring().unwrap();
    // Already filled (non-zero): the raw call is refused ...
    // SAFETY: p has room for PROBE_OPS entries.
    assert_eq!(
        unsafe { ring.register_probe(p.as_mut_ptr(), PROBE_OPS as u32) },
        Err(Errno::EINVAL)
    );
    // ... the safe one zeroes first.
    ring.register_probe_into(&mut p).unwrap();
    assert!(p.opcode_supported(IORING_OP_NOP));
    // Asking for 2 ops fills 2.
    let mut small = Probe::new();
    // SAFETY: room for PROBE_OPS >= 2 entries.
    unsafe { ring.register_probe(small.as_mut_ptr(), 2) }.unwrap();
    assert_eq!(small.ops_len(), 2);
    assert_eq!(small.ops().len(), 2);
    assert!(small.opcode_supported(IORING_OP_READV));
    assert!(!small.opcode_supported(IORING_OP_READ));
}

common::harness::main! {
    lists_this_kernels_opcodes,
    ringless_probe_matches,
    unsupported_opcode_is_refused_by_the_kernel,
    raw_probe_must_be_zeroed,
}
