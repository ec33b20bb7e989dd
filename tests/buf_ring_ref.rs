//! Byte-exact comparison of `bare_uring::buf_ring`'s inline helpers with C
//! liburing's (`tests/c/buf_ring_ref.c` wraps the vendored `liburing.h`).
//!
//! Random sequences of init/add/advance run on two copies of the same
//! randomly pre-filled ring memory, one through C and one through Rust; the
//! whole memory must be identical after every step.
//!
//! Run: `cargo test --test buf_ring_ref`

mod common;

use std::ffi::c_void;

use proptest::prelude::*;
// Links the root package, whose build.rs compiles tests/c/*.c.
use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_init, buf_ring_mask};
use bare_uring::sys::{io_uring_buf, io_uring_buf_ring};
use uring as _;

extern "C" {
    fn ref_io_uring_buf_ring_mask(ring_entries: u32) -> i32;
    fn ref_io_uring_buf_ring_init(br: *mut io_uring_buf_ring);
    fn ref_io_uring_buf_ring_add(
        br: *mut io_uring_buf_ring,
        addr: *mut c_void,
        len: u32,
        bid: u16,
        mask: i32,
        buf_offset: i32,
    );
    fn ref_io_uring_buf_ring_advance(br: *mut io_uring_buf_ring, count: i32);
}

/// One helper call.
#[derive(Debug, Clone)]
enum Op {
    Init,
    Add {
        addr: u64,
        len: u32,
        bid: u16,
        buf_offset: i32,
    },
    Advance(i32),
}

fn edge_i32() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(-1),
        Just(i32::MIN),
        Just(i32::MAX),
        Just(65535),
        Just(65536),
        -70_000i32..70_000,
        any::<i32>(),
    ]
}

fn edge_u32() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0), Just(1), Just(u32::MAX), any::<u32>()]
}

fn edge_u64() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), Just(1), Just(u64::MAX), any::<u64>()]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Init),
        6 => (edge_u64(), edge_u32(), any::<u16>(), edge_i32()).prop_map(|(addr, len, bid, buf_offset)| Op::Add {
            addr,
            len,
            bid,
            buf_offset
        }),
        3 => edge_i32().prop_map(Op::Advance),
    ]
}

/// Decodes entry `i` of a ring memory image for failure messages.
fn entry(mem: &[io_uring_buf], i: usize) -> String {
    let e = mem[i];
    format!(
        "bufs[{i}] = {{ addr: {:#x}, len: {}, bid: {}, resv/tail: {} }}",
        e.addr, e.len, e.bid, e.resv
    )
}

fn run(entries_log2: u32, fill: Vec<u8>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let entries = 1usize << entries_log2;
    let mask = buf_ring_mask(entries as u32);
    // SAFETY: pure function.
    prop_assert_eq!(mask, unsafe { ref_io_uring_buf_ring_mask(entries as u32) });
    let mut c_mem = vec![io_uring_buf::default(); entries];
    // SAFETY: io_uring_buf is plain old data; any bytes are a valid value.
    unsafe {
        std::ptr::copy_nonoverlapping(fill.as_ptr(), c_mem.as_mut_ptr().cast::<u8>(), entries * 16)
    };
    let mut r_mem = c_mem.clone();
    let c_br = c_mem.as_mut_ptr().cast::<io_uring_buf_ring>();
    let r_br = r_mem.as_mut_ptr().cast::<io_uring_buf_ring>();
    for (step, op) in ops.iter().enumerate() {
        // SAFETY: both rings have `entries` 8-aligned entries and `mask`
        // keeps every index inside; no kernel is involved, so the stored
        // addresses are never dereferenced.
        unsafe {
            match *op {
                Op::Init => {
                    ref_io_uring_buf_ring_init(c_br);
                    buf_ring_init(r_br);
                }
                Op::Add {
                    addr,
                    len,
                    bid,
                    buf_offset,
                } => {
                    let p = addr as usize as *mut c_void;
                    ref_io_uring_buf_ring_add(c_br, p, len, bid, mask, buf_offset);
                    buf_ring_add(r_br, p, len, bid, mask, buf_offset);
                }
                Op::Advance(n) => {
                    ref_io_uring_buf_ring_advance(c_br, n);
                    buf_ring_advance(r_br, n);
                }
            }
        }
        for i in 0..entries {
            let (c, r) = (c_mem[i], r_mem[i]);
            if (c.addr, c.len, c.bid, c.resv) != (r.addr, r.len, r.bid, r.resv) {
                return Err(TestCaseError::fail(format!(
                    "{entries}-entry ring, step {step} {op:?} (mask {mask}) differs:\n  C:    {}\n  Rust: {}\n  ops: {ops:?}",
                    entry(&c_mem, i),
                    entry(&r_mem, i)
                )));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::scale(3000), ..ProptestConfig::default() })]

    fn buf_ring_ops_match_c(
        (entries_log2, fill) in (0u32..=8).prop_flat_map(|l| (Just(l), proptest::collection::vec(any::<u8>(), 16usize << l))),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        run(entries_log2, fill, ops)?;
    }

    fn buf_ring_mask_matches_c(n in edge_u32()) {
        // SAFETY: pure function.
        prop_assert_eq!(buf_ring_mask(n), unsafe { ref_io_uring_buf_ring_mask(n) });
    }
}

/// A zero-filled ring: every op only touches addr/len/bid and the tail.
fn zeroed_ring_sequence_matches_c() {
    let ops = vec![
        Op::Init,
        Op::Add {
            addr: 0x1000,
            len: 4096,
            bid: 7,
            buf_offset: 0,
        },
        Op::Add {
            addr: 0x2000,
            len: 1,
            bid: 8,
            buf_offset: 1,
        },
        Op::Advance(2),
        Op::Add {
            addr: u64::MAX,
            len: u32::MAX,
            bid: u16::MAX,
            buf_offset: -1,
        },
        Op::Advance(-3),
    ];
    run(2, vec![0; 64], ops).unwrap();
}

extern "C" {
    fn ref___io_uring_buf_ring_cq_advance(
        khead: *mut u32,
        br: *mut io_uring_buf_ring,
        cq_count: i32,
        buf_count: i32,
    );
    fn ref_io_uring_buf_ring_cq_advance(khead: *mut u32, br: *mut io_uring_buf_ring, count: i32);
    fn ref_io_uring_buf_ring_available(ring_fd: i32, br: *mut io_uring_buf_ring, bgid: u16) -> i32;
}

/// `buf_ring_cq_advance` / `__buf_ring_cq_advance`: the buffer-ring bytes
/// match C's exactly and the CQ head moves by the same amount (C on a
/// stand-alone head, Rust on a live ring holding that many CQEs).
fn cq_advance_matches_c() {
    use bare_uring::buf_ring::{__buf_ring_cq_advance, buf_ring_cq_advance};
    use bare_uring::Ring;
    for (cq_count, buf_count) in [(0, 0), (1, 1), (3, 3), (2, 5), (4, 0), (0, 7), (1, -1)] {
        let mut ring = Ring::queue_init(8, 0).unwrap();
        for _ in 0..cq_count {
            // SAFETY: a NOP points to no memory.
            let sqe = unsafe { ring.get_sqe() }.unwrap();
            sqe.opcode = bare_uring::sys::IORING_OP_NOP as u8;
        }
        ring.submit_and_wait(cq_count as u32).unwrap();
        assert_eq!(ring.cq_ready(), cq_count as u32);
        let mut c_mem: Vec<io_uring_buf> = (0..8u64)
            .map(|i| io_uring_buf {
                addr: i * 0x1111,
                len: i as u32,
                bid: i as u16,
                resv: 0xfff0 + i as u16,
            })
            .collect();
        let mut r_mem = c_mem.clone();
        let c_br = c_mem.as_mut_ptr().cast::<io_uring_buf_ring>();
        let r_br = r_mem.as_mut_ptr().cast::<io_uring_buf_ring>();
        let mut khead = 0xffff_fffeu32;
        // SAFETY: both rings are 8 aligned entries; the Rust one is not
        // registered, so only its tail changes.
        unsafe {
            if cq_count == buf_count {
                ref_io_uring_buf_ring_cq_advance(&mut khead, c_br, cq_count);
                buf_ring_cq_advance(&mut ring, r_br, cq_count);
            } else {
                ref___io_uring_buf_ring_cq_advance(&mut khead, c_br, cq_count, buf_count);
                __buf_ring_cq_advance(&mut ring, r_br, cq_count, buf_count);
            }
        }
        for i in 0..8 {
            let (c, r) = (c_mem[i], r_mem[i]);
            assert_eq!(
                (c.addr, c.len, c.bid, c.resv),
                (r.addr, r.len, r.bid, r.resv),
                "cq {cq_count} buf {buf_count}: {} vs {}",
                entry(&c_mem, i),
                entry(&r_mem, i)
            );
        }
        assert_eq!(khead.wrapping_sub(0xffff_fffe), cq_count as u32);
        assert_eq!(
            ring.cq_ready(),
            0,
            "Rust advanced the live CQ by {cq_count}"
        );
    }
}

/// `buf_ring_available` on a live group: C (through the same register
/// call liburing makes) and Rust agree, including the 16-bit wrap of
/// `tail - head` and the error for an unknown group.
fn available_matches_c() {
    use bare_uring::buf_ring::buf_ring_available;
    use bare_uring::sys::IOU_PBUF_RING_MMAP;
    use bare_uring::{Errno, Ring};
    common::pbuf::require_buf_ring_flag(IOU_PBUF_RING_MMAP, "IOU_PBUF_RING_MMAP", "6.4");
    common::pbuf::require_buf_ring_status();
    let ring = Ring::queue_init(4, 0).unwrap();
    let br = ring.setup_buf_ring(8, 31, IOU_PBUF_RING_MMAP).unwrap();
    let p = br.as_ptr();
    let fd = ring.ring_fd();
    // Publishing (zero-length) entries nothing consumes moves only the tail.
    for (step, expect) in [(0, 0u16), (5, 5), (65533, 2), (-2, 0), (65535, 65535)] {
        // SAFETY: our registered ring; no request ever selects from it.
        unsafe { buf_ring_advance(p, step) };
        // SAFETY: as above.
        let r = unsafe { buf_ring_available(&ring, p, 31) };
        // SAFETY: as above.
        let c = unsafe { ref_io_uring_buf_ring_available(fd, p, 31) };
        assert_eq!(r, Ok(expect), "after advancing {step}");
        assert_eq!(c, i32::from(expect), "C after advancing {step}");
    }
    // SAFETY: as above.
    let r = unsafe { buf_ring_available(&ring, p, 32) };
    // SAFETY: as above.
    let c = unsafe { ref_io_uring_buf_ring_available(fd, p, 32) };
    assert_eq!(r, Err(Errno::ENOENT));
    assert_eq!(c, -Errno::ENOENT.0);
    // SAFETY: set up above, nothing uses it any more.
    unsafe { ring.free_buf_ring(br, 8, 31) }.unwrap();
}

common::harness::main! {
    buf_ring_ops_match_c,
    buf_ring_mask_matches_c,
    zeroed_ring_sequence_matches_c,
    cq_advance_matches_c,
    available_matches_c,
}
