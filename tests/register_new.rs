//! The registrations of issue 21 (part B) on the live kernel, each next to
//! C liburing 2.15 doing the same (`tests/c/regapi_ref.c`: liburing's own
//! function on a real ring, with the structures built as liburing's tests
//! build them): ring resize, registered wait regions, query, zero-copy
//! receive registration, BPF filters. Where the kernel writes a structure
//! back, the bytes it wrote for C and for Rust are compared (pointer fields
//! aside: they name each side's own memory).
//!
//! Run: `cargo test --test register_new`

use std::ffi::{c_ulong, c_void};
use std::process::Command;

use bare_uring::register::{query, register_bpf_filter_task, register_query};
use bare_uring::ring::{page_size, Params};
use bare_uring::sys::{
    io_uring_bpf, io_uring_bpf_filter, io_uring_mem_region_reg, io_uring_params,
    io_uring_query_hdr, io_uring_query_opcode, io_uring_query_scq, io_uring_query_zcrx,
    io_uring_reg_wait, io_uring_region_desc, io_uring_zcrx_area_reg, io_uring_zcrx_ifq_reg,
    zcrx_ctrl, IORING_FEAT_EXT_ARG, IORING_FEAT_RW_ATTR, IORING_MEM_REGION_REG_WAIT_ARG,
    IORING_MEM_REGION_TYPE_USER, IORING_OP_NOP, IORING_OP_RECV_ZC, IORING_REGISTER_BPF_FILTER,
    IORING_REGISTER_MEM_REGION, IORING_REGISTER_QUERY, IORING_REGISTER_RESIZE_RINGS,
    IORING_REGISTER_ZCRX_CTRL, IORING_REGISTER_ZCRX_IFQ, IORING_REG_WAIT_TS, IORING_SETUP_CQE32,
    IORING_SETUP_CQSIZE, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_NO_MMAP, IORING_SETUP_R_DISABLED,
    IORING_SETUP_SINGLE_ISSUER, IO_URING_BPF_CMD_FILTER, IO_URING_QUERY_OPCODES,
    IO_URING_QUERY_SCQ, IO_URING_QUERY_ZCRX, ZCRX_CTRL_FLUSH_RQ,
};
use bare_uring::syscall::{mmap, prctl, MAP_ANONYMOUS, MAP_PRIVATE, PROT_RW};
use bare_uring::{Errno, Ring};
// Links the root package, whose build.rs compiles tests/c/*.c and C liburing.
use uring as _;

mod common;
use common::{nop, reap};

extern "C" {
    fn ref_resize(
        entries: u32,
        flags: u32,
        sq: u32,
        cq: u32,
        rflags: u32,
        out: *mut io_uring_params,
        nop_ud: *mut i64,
    ) -> i32;
    fn ref_wait_reg(
        ts_nsec: i64,
        index: i32,
        flags_index: u32,
        rd_out: *mut io_uring_region_desc,
        wait_ret: *mut i32,
    ) -> i32;
    fn ref_region_enabled_ring() -> i32;
    fn ref_register_wait_reg() -> i32;
    fn ref_query(op: u32, data: *mut c_void, size: u32, hdr_out: *mut io_uring_query_hdr) -> i32;
    fn ref_register_ifq(
        if_idx: u32,
        rxq: u32,
        rq_entries: u32,
        area_len: c_ulong,
        region_len: c_ulong,
        reg_out: *mut io_uring_zcrx_ifq_reg,
    ) -> i32;
    fn ref_zcrx_ctrl(flags: u32, id: u32, op: u32) -> i32;
    fn ref_bpf_filter(
        flags: u32,
        opcode: u32,
        fflags: u32,
        verdict: u32,
        bpf_out: *mut io_uring_bpf,
        nop_res: *mut i32,
    ) -> i32;
    fn ref_bpf_filter_task(opcode: u32, fflags: u32, verdict: u32, cmd_type: u32) -> i32;
}

const DEFER: u32 = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER;

/// A C liburing result as ours: 0 is `Ok(())`, `-errno` is `Err(errno)`.
fn c_res(r: i32) -> Result<(), Errno> {
    assert!(r <= 0 && r > -4096, "C reference failed to set up: {r}");
    Errno::from_res(r).map(|_| ())
}

/// The bytes of a plain UAPI struct.
fn bytes<T: Copy>(v: &T) -> Vec<u8> {
    // SAFETY: T is a plain C struct of integers (no padding in the UAPI
    // structs compared here), readable as bytes.
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) }.to_vec()
}

/// Whether the running kernel knows register opcode `op`: by
/// IORING_REGISTER_QUERY (6.18+) when it has it. Kernels without QUERY
/// (it fails with `EINVAL` as an unknown opcode, or `EBADF` for fd -1
/// before 6.13) know no opcode after it; for the ones before it, the
/// change that came with each stands in: RESIZE_RINGS and MEM_REGION came
/// in 6.13 with IORING_FEAT_RW_ATTR, ZCRX_IFQ in 6.15 with
/// IORING_OP_RECV_ZC.
fn knows_register_op(op: u32) -> bool {
    match query::<io_uring_query_opcode>() {
        Ok(q) => op < q.nr_register_opcodes,
        Err(Errno::EINVAL | Errno::EBADF) => match op {
            IORING_REGISTER_RESIZE_RINGS | IORING_REGISTER_MEM_REGION => {
                let ring = Ring::queue_init(2, 0).unwrap();
                ring.features() & IORING_FEAT_RW_ATTR != 0
            }
            IORING_REGISTER_ZCRX_IFQ => {
                bare_uring::probe::get_probe().is_ok_and(|p| p.opcode_supported(IORING_OP_RECV_ZC))
            }
            _ => false,
        },
        Err(e) => panic!("IORING_REGISTER_QUERY: {e:?}"),
    }
}

fn require_register_op(op: u32, name: &str, since: &str) {
    if !knows_register_op(op) {
        common::skip(&format!(
            "{name} needs Linux {since}+ (register opcode {op} unknown to this kernel)"
        ));
    }
}

/// Page-aligned anonymous memory that is never unmapped (what the kernel
/// keeps pinned must never be reused).
fn leaked_pages(len: usize) -> *mut u8 {
    // SAFETY: a fresh private mapping overlaps nothing; never unmapped.
    unsafe {
        mmap(
            std::ptr::null_mut(),
            len,
            PROT_RW,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .unwrap()
    .cast()
}

// ---- resize_rings ------------------------------------------------------

/// The same resize through liburing and through us: the kernel's answer
/// (the whole `io_uring_params` it writes back, with `flags` cleared by
/// both) must be byte-identical, and a NOP completed before the resize is
/// reaped through the new rings on both sides.
fn resize_rings_matches_liburing() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    for (sq, cq, rflags) in [
        (64, 0, 0),
        (32, 256, IORING_SETUP_CQSIZE),
        (4, 0, 0),
        (2, 8, IORING_SETUP_CQSIZE),
    ] {
        let mut c = io_uring_params::default();
        let mut c_ud = 0i64;
        // SAFETY: out-pointers to live locals.
        let cr = unsafe { ref_resize(8, DEFER, sq, cq, rflags, &mut c, &mut c_ud) };

        let mut ring = Ring::queue_init(8, DEFER).unwrap();
        nop_now(&mut ring, 0x5eed);
        let mut p = Params::new();
        p.sq_entries = sq;
        p.cq_entries = cq;
        p.flags = rflags;
        let r = ring.resize_rings(&mut p);
        assert_eq!(r, c_res(cr), "resize to ({sq}, {cq}, {rflags:#x})");
        r.unwrap();
        assert_eq!(bytes(&p.0), bytes(&c), "params written back, ({sq}, {cq})");
        assert_eq!(p.flags, 0, "cleared as liburing does");
        assert_eq!(c_ud, 0x5eed);
        assert_eq!(
            (ring.sq_entries(), ring.cq_entries()),
            (c.sq_entries, c.cq_entries)
        );
        assert_eq!(reap(&mut ring).user_data, 0x5eed);
        // The new rings work, all the way round.
        for i in 0..3 * ring.cq_entries() as u64 {
            nop_now(&mut ring, i);
            assert_eq!(reap(&mut ring).user_data, i);
        }
        println!(
            "resize 8 -> sq {} cq {} (asked {sq}, {cq}, flags {rflags:#x})",
            c.sq_entries, c.cq_entries
        );
    }
}

/// Queues a NOP and submits it.
fn nop_now(ring: &mut Ring, ud: u64) {
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    nop(sqe, ud);
    assert_eq!(ring.submit().unwrap(), 1);
}

/// SQEs handed out but not submitted before a resize are published first
/// and copied by the kernel: the next submit submits them (liburing would
/// lose them: their slots are in the old SQE array). Unreaped CQEs are
/// copied too.
fn resize_rings_keeps_queued_sqes_and_cqes() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    let mut ring = Ring::queue_init(4, DEFER).unwrap();
    nop_now(&mut ring, 1);
    nop_now(&mut ring, 2);
    for ud in [3, 4] {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        nop(sqe, ud);
    }
    let mut p = Params::new();
    p.sq_entries = 16;
    ring.resize_rings(&mut p).unwrap();
    assert_eq!(ring.sq_entries(), 16);
    assert_eq!(ring.sq_ready(), 2, "the two queued SQEs are still pending");
    assert_eq!(ring.submit().unwrap(), 2);
    let got: Vec<u64> = (0..4).map(|_| reap(&mut ring).user_data).collect();
    assert_eq!(got, [1, 2, 3, 4]);
}

/// More unreaped CQEs than the new CQ holds: the kernel's `EOVERFLOW`, and
/// the ring is left as it was.
fn resize_rings_overflow_leaves_ring() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    let mut ring = Ring::queue_init(8, DEFER).unwrap();
    for i in 0..6 {
        nop_now(&mut ring, i);
    }
    let mut p = Params::new();
    p.sq_entries = 2;
    p.cq_entries = 4;
    p.flags = IORING_SETUP_CQSIZE;
    assert_eq!(ring.resize_rings(&mut p), Err(Errno::EOVERFLOW));
    assert_eq!(p.flags, 0);
    assert_eq!((ring.sq_entries(), ring.cq_entries()), (8, 16));
    for i in 0..6 {
        assert_eq!(reap(&mut ring).user_data, i);
    }
}

/// The kernel's rules, the same for liburing and for us: no
/// DEFER_TASKRUN is `EINVAL`; flags other than CQSIZE/CLAMP are `EINVAL`.
fn resize_rings_refusals_match_liburing() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    for (flags, rflags) in [(0, 0), (DEFER, IORING_SETUP_CQE32)] {
        let mut c = io_uring_params::default();
        let mut c_ud = 0i64;
        // SAFETY: out-pointers to live locals.
        let cr = unsafe { ref_resize(8, flags, 16, 0, rflags, &mut c, &mut c_ud) };
        let mut ring = Ring::queue_init(8, flags).unwrap();
        let mut p = Params::new();
        p.sq_entries = 16;
        p.flags = rflags;
        let r = ring.resize_rings(&mut p);
        assert_eq!(r, c_res(cr));
        assert_eq!(r, Err(Errno::EINVAL), "setup {flags:#x} resize {rflags:#x}");
        nop_now(&mut ring, 9);
        assert_eq!(reap(&mut ring).user_data, 9, "ring unchanged");
    }
}

/// NO_MMAP rings are refused (as liburing does) and stay usable; a ring
/// without its real fd cannot map new rings, so it is refused before the
/// kernel resizes anything.
fn resize_rings_no_mmap_and_closed_fd() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    let mut p = Params::new().with_flags(DEFER | IORING_SETUP_NO_MMAP);
    let mut ring = common::setup_params_or_skip(4, &mut p, "IORING_SETUP_NO_MMAP", "6.5");
    let mut q = Params::new();
    q.sq_entries = 8;
    assert_eq!(ring.resize_rings(&mut q), Err(Errno::EINVAL));
    nop_now(&mut ring, 5);
    assert_eq!(reap(&mut ring).user_data, 5);

    let mut ring = Ring::queue_init(4, DEFER).unwrap();
    ring.register_ring_fd().unwrap();
    common::skip_on(
        ring.close_ring_fd(),
        &[Errno::EOPNOTSUPP],
        "close_ring_fd needs IORING_FEAT_REG_REG_RING, Linux 6.3",
    );
    let mut q = Params::new();
    q.sq_entries = 8;
    assert_eq!(ring.resize_rings(&mut q), Err(Errno::EBADF));
    assert_eq!(ring.sq_entries(), 4);
    nop_now(&mut ring, 6);
    assert_eq!(reap(&mut ring).user_data, 6);
}

/// The split handles borrow the ring, so a resize happens between splits
/// (the borrow checker refuses it during one: the `compile_fail` example
/// in `Ring::resize_rings`' docs); handles made after it use the new rings.
fn resize_rings_between_splits() {
    require_register_op(
        IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
        "6.13",
    );
    let mut ring = Ring::queue_init(2, DEFER).unwrap();
    {
        let (mut sq, _cq, _s) = ring.split();
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), 1);
        // Handed out, not submitted: the resize publishes it.
    }
    let mut p = Params::new();
    p.sq_entries = 32;
    ring.resize_rings(&mut p).unwrap();
    let (mut sq, mut cq, _s) = ring.split();
    assert_eq!((sq.sq_entries(), cq.cq_entries()), (32, 64));
    for ud in 2..30 {
        // SAFETY: a NOP points to no memory.
        nop(unsafe { sq.get_sqe() }.unwrap(), ud);
    }
    sq.submit_and_wait(29).unwrap();
    let got: Vec<u64> = cq.cqes().map(|c| c.user_data).collect();
    assert_eq!(got, (1..30).collect::<Vec<u64>>());
}

// ---- register_region / submit_and_wait_reg / register_wait_reg ----------

/// A wait region in never-freed memory on a disabled ring; entry 0 waits
/// `ts_nsec` with IORING_REG_WAIT_TS, entry 1 has an unknown flag. Returns
/// the ring (enabled) and the descriptor as the kernel wrote it back.
fn ring_with_wait_region(flags: u32, ts_nsec: i64) -> (Ring, io_uring_region_desc) {
    let ring = Ring::queue_init(8, flags | IORING_SETUP_R_DISABLED).unwrap();
    let page = page_size();
    let mem = leaked_pages(page);
    let w = mem.cast::<io_uring_reg_wait>();
    // SAFETY: a page holds page / 64 entries; the memory is ours.
    unsafe {
        (*w).ts.tv_nsec = ts_nsec;
        (*w).flags = IORING_REG_WAIT_TS;
        (*w.add(1)).flags = 1 << 5;
    }
    let mut rd = io_uring_region_desc {
        user_addr: mem as u64,
        size: page as u64,
        flags: IORING_MEM_REGION_TYPE_USER,
        ..Default::default()
    };
    let reg = io_uring_mem_region_reg {
        region_uptr: &mut rd as *mut io_uring_region_desc as u64,
        flags: IORING_MEM_REGION_REG_WAIT_ARG as u64,
        __resv: [0; 2],
    };
    // SAFETY: rd is a live local for the call; the page is never freed or
    // used for anything else; no entry sets a sigmask.
    let r = unsafe { ring.register_region(&reg) };
    common::skip_on(
        r,
        &[Errno::EINVAL],
        "IORING_REGISTER_MEM_REGION needs Linux 6.13",
    );
    ring.enable_rings().unwrap();
    (ring, rd)
}

/// liburing and us, same region, same waits: the descriptor the kernel
/// wrote back and each wait's result (timeout: `ETIME`; an entry with an
/// unknown flag: the kernel's error; an entry past the region: `EFAULT`).
fn wait_reg_matches_liburing() {
    require_register_op(
        IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
        "6.13",
    );
    let past = (page_size() / 64) as i32;
    for index in [0, 1, past] {
        let mut c_rd = io_uring_region_desc::default();
        let mut c_wait = 0;
        // SAFETY: out-pointers to live locals.
        let cr = unsafe { ref_wait_reg(10_000_000, index, 1, &mut c_rd, &mut c_wait) };
        c_res(cr).unwrap();

        let (mut ring, rd) = ring_with_wait_region(0, 10_000_000);
        require_feat_ext_arg(&ring);
        let mut a = rd;
        let mut b = c_rd;
        a.user_addr = 0;
        b.user_addr = 0;
        assert_eq!(bytes(&a), bytes(&b), "descriptor written back");
        let r = ring.submit_and_wait_reg(1, index as u32).map(|_| ());
        assert_eq!(r, c_res(c_wait), "wait with entry {index}");
        println!("entry {index}: {r:?}");
    }
}

fn require_feat_ext_arg(ring: &Ring) {
    common::require_feature(
        ring.features(),
        IORING_FEAT_EXT_ARG,
        "IORING_FEAT_EXT_ARG",
        "5.11",
    );
}

/// What each wait returns, checked against the kernel's documented
/// behaviour: `ETIME` after the entry's timeout, `EINVAL` for an unknown
/// entry flag, `EFAULT` past the region; a ready CQE is returned (and a
/// submitted NOP reaped) through a registered wait; the same on a NO_MMAP
/// ring.
fn wait_reg_waits() {
    require_register_op(
        IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
        "6.13",
    );
    for flags in [0, IORING_SETUP_NO_MMAP, DEFER] {
        let (mut ring, _) = ring_with_wait_region(flags, 1_000_000);
        require_feat_ext_arg(&ring);
        assert_eq!(ring.submit_and_wait_reg(1, 0).unwrap_err(), Errno::ETIME);
        assert_eq!(ring.submit_and_wait_reg(1, 1).unwrap_err(), Errno::EINVAL);
        let past = (page_size() / 64) as u32;
        assert_eq!(
            ring.submit_and_wait_reg(1, past).unwrap_err(),
            Errno::EFAULT
        );
        // SAFETY: a NOP points to no memory.
        nop(unsafe { ring.get_sqe() }.unwrap(), 77);
        let cqe = ring.submit_and_wait_reg(1, 0).unwrap();
        assert_eq!(cqe.user_data, 77, "setup flags {flags:#x}");
        ring.cqe_seen(&cqe);
    }
}

/// On a split ring the submission side submits and the completion side
/// waits on the registered entry ([`CompletionQueue::wait_reg`]).
///
/// [`CompletionQueue::wait_reg`]: bare_uring::split::CompletionQueue::wait_reg
fn wait_reg_split() {
    require_register_op(
        IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
        "6.13",
    );
    let (mut ring, _) = ring_with_wait_region(DEFER, 1_000_000);
    require_feat_ext_arg(&ring);
    let (mut sq, mut cq, _submitter) = ring.split();
    assert_eq!(cq.wait_reg(1, 0).unwrap_err(), Errno::ETIME);
    // SAFETY: a NOP points to no memory.
    nop(unsafe { sq.get_sqe() }.unwrap(), 8);
    assert_eq!(sq.submit().unwrap(), 1);
    let cqe = cq.wait_reg(1, 0).unwrap();
    assert_eq!(cqe.user_data, 8);
    cq.cqe_seen(&cqe);
    assert_eq!(cq.wait_reg(1, 1).unwrap_err(), Errno::EINVAL);
}

/// Without a region, a registered wait has nothing to read: `EFAULT`
/// (the kernel's bounds check on an empty region).
fn wait_reg_without_region() {
    require_register_op(
        IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
        "6.13",
    );
    let mut ring = Ring::queue_init(4, 0).unwrap();
    require_feat_ext_arg(&ring);
    assert_eq!(ring.submit_and_wait_reg(1, 0).unwrap_err(), Errno::EFAULT);
}

/// The kernel takes wait regions only on a disabled ring (`EINVAL`, as
/// for liburing), and one region per ring (`EBUSY`).
fn region_rules() {
    require_register_op(
        IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
        "6.13",
    );
    // SAFETY: no arguments.
    let c = c_res(unsafe { ref_region_enabled_ring() });
    let ring = Ring::queue_init(4, 0).unwrap();
    let page = page_size();
    let mem = leaked_pages(page);
    let mut rd = io_uring_region_desc {
        user_addr: mem as u64,
        size: page as u64,
        flags: IORING_MEM_REGION_TYPE_USER,
        ..Default::default()
    };
    let mut reg = io_uring_mem_region_reg {
        region_uptr: &mut rd as *mut io_uring_region_desc as u64,
        flags: IORING_MEM_REGION_REG_WAIT_ARG as u64,
        __resv: [0; 2],
    };
    // SAFETY: rd is live for the call; the page is never freed.
    let r = unsafe { ring.register_region(&reg) };
    assert_eq!(r, c);
    assert_eq!(r, Err(Errno::EINVAL));
    // A plain region (no wait arguments) is fine on an enabled ring; a
    // second one is not.
    reg.flags = 0;
    // SAFETY: as above.
    unsafe { ring.register_region(&reg) }.unwrap();
    let mem2 = leaked_pages(page);
    rd = io_uring_region_desc {
        user_addr: mem2 as u64,
        size: page as u64,
        flags: IORING_MEM_REGION_TYPE_USER,
        ..Default::default()
    };
    reg.region_uptr = &mut rd as *mut io_uring_region_desc as u64;
    // SAFETY: as above.
    assert_eq!(unsafe { ring.register_region(&reg) }, Err(Errno::EBUSY));
}

/// liburing 2.15's `io_uring_register_wait_reg` is a stub: `-EINVAL`.
fn register_wait_reg_is_liburings_stub() {
    // SAFETY: no arguments.
    let c = c_res(unsafe { ref_register_wait_reg() });
    let ring = Ring::queue_init(4, 0).unwrap();
    let mut w = [io_uring_reg_wait::default(); 2];
    assert_eq!(ring.register_wait_reg(&mut w), c);
    assert_eq!(c, Err(Errno::EINVAL));
}

// ---- register_query -----------------------------------------------------

/// Each query through liburing and through us: the same answer bytes and
/// the same header fields written back (result, size); an unknown query
/// is `-EOPNOTSUPP` in the header for both. The opcode count agrees with
/// the probe.
fn query_matches_liburing() {
    require_register_op(IORING_REGISTER_QUERY, "IORING_REGISTER_QUERY", "6.18");
    // The kernel's answer to one query through liburing and through us:
    // the same bytes, or the same error in the header (a query op this
    // kernel does not have: -EOPNOTSUPP, which the typed form returns).
    fn both<T: bare_uring::register::QueryData + std::fmt::Debug>() -> Option<T> {
        let mut c = T::default();
        let mut hdr = io_uring_query_hdr::default();
        // SAFETY: c is a live T of the size given.
        let r = unsafe {
            ref_query(
                T::OP,
                (&mut c as *mut T).cast(),
                size_of::<T>() as u32,
                &mut hdr,
            )
        };
        c_res(r).unwrap();
        let ours = query::<T>();
        if hdr.result < 0 {
            assert_eq!(ours.map(|_| ()), c_res(hdr.result), "query op {}", T::OP);
            return None;
        }
        assert_eq!(hdr.size as usize, size_of::<T>());
        let ours = ours.unwrap();
        assert_eq!(bytes(&ours), bytes(&c), "{ours:?}");
        Some(ours)
    }
    let ops: io_uring_query_opcode = both().expect("IO_URING_QUERY_OPCODES is the first query");
    let zcrx = both::<io_uring_query_zcrx>();
    let scq = both::<io_uring_query_scq>();
    println!("{ops:?}\n{zcrx:?}\n{scq:?}");
    // Each later query op is answered exactly when the kernel counts it.
    assert_eq!(zcrx.is_some(), IO_URING_QUERY_ZCRX < ops.nr_query_opcodes);
    assert_eq!(scq.is_some(), IO_URING_QUERY_SCQ < ops.nr_query_opcodes);
    let probe = bare_uring::probe::get_probe().unwrap();
    assert_eq!(ops.nr_request_opcodes, u32::from(probe.last_op()) + 1);

    // Unknown query: the header says so, the call succeeds.
    let mut data = [0u8; 16];
    let mut c_hdr = io_uring_query_hdr::default();
    // SAFETY: 16 writable bytes.
    c_res(unsafe { ref_query(999, data.as_mut_ptr().cast(), 16, &mut c_hdr) }).unwrap();
    let mut hdr = io_uring_query_hdr {
        query_op: 999,
        query_data: data.as_mut_ptr() as u64,
        size: 16,
        ..Default::default()
    };
    // SAFETY: one header, 16 writable bytes.
    unsafe { register_query(&mut hdr) }.unwrap();
    assert_eq!((hdr.result, hdr.size), (c_hdr.result, c_hdr.size));
    assert_eq!(hdr.result, Errno::EOPNOTSUPP.as_res());
    assert_eq!(query::<io_uring_query_opcode>().map(|_| ()), Ok(()));
}

/// A chain of two headers (`next_entry`) gets both answered, the same as
/// the single queries.
fn query_chain() {
    require_register_op(IORING_REGISTER_QUERY, "IORING_REGISTER_QUERY", "6.18");
    let mut ops = io_uring_query_opcode::default();
    let mut scq = io_uring_query_scq::default();
    let mut second = io_uring_query_hdr {
        query_op: IO_URING_QUERY_SCQ,
        query_data: &mut scq as *mut _ as u64,
        size: size_of::<io_uring_query_scq>() as u32,
        ..Default::default()
    };
    let mut first = io_uring_query_hdr {
        next_entry: &mut second as *mut _ as u64,
        query_op: IO_URING_QUERY_OPCODES,
        query_data: &mut ops as *mut _ as u64,
        size: size_of::<io_uring_query_opcode>() as u32,
        ..Default::default()
    };
    // SAFETY: two live headers, each with its live data, chain ends.
    unsafe { register_query(&mut first) }.unwrap();
    assert_eq!(first.result, 0);
    assert_eq!(
        bytes(&ops),
        bytes(&query::<io_uring_query_opcode>().unwrap())
    );
    // SCQ (after 6.18) is answered on its own terms, in the chain as alone.
    let alone = query::<io_uring_query_scq>();
    assert_eq!(
        Errno::from_res(second.result).map(|_| ()),
        alone.map(|_| ())
    );
    if let Ok(a) = alone {
        assert_eq!(bytes(&scq), bytes(&a));
    }
    assert_eq!(
        second.result == 0,
        IO_URING_QUERY_SCQ < ops.nr_query_opcodes
    );
}

// ---- zero-copy receive ----------------------------------------------------

/// The interface index of `lo` (always 1 on Linux: the first device
/// registered in a network namespace).
const LO: u32 = 1;

/// A zero-copy receive registration for `lo` queue 0 built as liburing's
/// test/zcrx.c does, through liburing and through us: `lo` has no header
/// split (no queue management), so both get the same error, and the
/// registration the kernel wrote back is the same.
fn register_ifq_on_lo_matches_liburing() {
    require_register_op(IORING_REGISTER_ZCRX_IFQ, "IORING_REGISTER_ZCRX_IFQ", "6.15");
    let page = page_size();
    let (area_len, region_len) = (64 * page, 4 * page);
    let mut c_reg = io_uring_zcrx_ifq_reg::default();
    // SAFETY: an out-pointer to a live local.
    let c = c_res(unsafe {
        ref_register_ifq(
            LO,
            0,
            128,
            area_len as c_ulong,
            region_len as c_ulong,
            &mut c_reg,
        )
    });

    let ring = Ring::queue_init(8, DEFER | IORING_SETUP_CQE32).unwrap();
    let mut area = io_uring_zcrx_area_reg {
        addr: leaked_pages(area_len) as u64,
        len: area_len as u64,
        ..Default::default()
    };
    let mut rd = io_uring_region_desc {
        user_addr: leaked_pages(region_len) as u64,
        size: region_len as u64,
        flags: IORING_MEM_REGION_TYPE_USER,
        ..Default::default()
    };
    let mut reg = io_uring_zcrx_ifq_reg {
        if_idx: LO,
        if_rxq: 0,
        rq_entries: 128,
        area_ptr: &mut area as *mut _ as u64,
        region_ptr: &mut rd as *mut _ as u64,
        ..Default::default()
    };
    // SAFETY: area and rd are live locals for the call; their memory is
    // never freed or reused.
    let r = unsafe { ring.register_ifq(&mut reg) };
    println!("register_ifq(lo): liburing {c:?}, ours {r:?}");
    assert_eq!(r, c);
    assert!(r.is_err(), "lo cannot do zero-copy receive");
    let (mut a, mut b) = (reg, c_reg);
    for x in [&mut a, &mut b] {
        x.area_ptr = 0;
        x.region_ptr = 0;
    }
    assert_eq!(bytes(&a), bytes(&b), "registration written back");
    // Wrong ring flags (no CQE32): refused before any device is looked at.
    let plain = Ring::queue_init(8, 0).unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { plain.register_ifq(&mut reg) }, Err(Errno::EINVAL));
}

/// A control operation on a queue this ring does not have: the same
/// error through liburing and through us.
fn zcrx_ctrl_without_queue_matches_liburing() {
    require_register_op(
        IORING_REGISTER_ZCRX_CTRL,
        "IORING_REGISTER_ZCRX_CTRL",
        "6.19",
    );
    let flags = DEFER | IORING_SETUP_CQE32;
    // SAFETY: no pointers.
    let c = c_res(unsafe { ref_zcrx_ctrl(flags, 0, ZCRX_CTRL_FLUSH_RQ) }).map(|_| 0);
    let ring = Ring::queue_init(8, flags).unwrap();
    let mut ctrl = zcrx_ctrl::default();
    ctrl.op = ZCRX_CTRL_FLUSH_RQ;
    let r = ring.register_zcrx_ctrl(&mut ctrl);
    println!("zcrx_ctrl(FLUSH_RQ, no queue): liburing {c:?}, ours {r:?}");
    assert_eq!(r, c);
    assert!(r.is_err());
}

/// On kernels without them (before 6.15 / 6.19), both zcrx registrations
/// are unknown opcodes: `EINVAL`, for liburing too.
fn zcrx_unknown_to_old_kernels() {
    if knows_register_op(IORING_REGISTER_ZCRX_IFQ) && knows_register_op(IORING_REGISTER_ZCRX_CTRL) {
        common::skip("this kernel has both zcrx registrations (the error path of old kernels)");
    }
    // Plain rings: an unknown opcode is refused whatever the ring (and
    // DEFER_TASKRUN is 6.1+).
    let flags = 0;
    let ring = Ring::queue_init(8, flags).unwrap();
    if !knows_register_op(IORING_REGISTER_ZCRX_CTRL) {
        // SAFETY: no pointers.
        let c = c_res(unsafe { ref_zcrx_ctrl(flags, 0, ZCRX_CTRL_FLUSH_RQ) });
        let mut ctrl = zcrx_ctrl::default();
        assert_eq!(ring.register_zcrx_ctrl(&mut ctrl).map(|_| ()), c);
        assert_eq!(c, Err(Errno::EINVAL));
    }
    if !knows_register_op(IORING_REGISTER_ZCRX_IFQ) {
        let mut reg = io_uring_zcrx_ifq_reg::default();
        // SAFETY: null area and region: the kernel refuses before reading.
        assert_eq!(unsafe { ring.register_ifq(&mut reg) }, Err(Errno::EINVAL));
    }
}

// ---- BPF filters ----------------------------------------------------------

/// `struct sock_filter` (linux/filter.h).
#[repr(C)]
#[derive(Clone, Copy)]
struct SockFilter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// `BPF_RET | BPF_K`: return the constant.
const BPF_RET_K: u16 = 0x06;

/// An `io_uring_bpf` filtering `opcode` with the one-instruction program
/// `prog` ("return k").
fn bpf_for(opcode: u32, flags: u32, prog: &SockFilter, cmd_type: u16) -> io_uring_bpf {
    let mut bpf = io_uring_bpf::default();
    bpf.cmd_type = cmd_type;
    bpf.set_filter(io_uring_bpf_filter {
        opcode,
        flags,
        filter_len: 1,
        filter_ptr: prog as *const SockFilter as u64,
        ..Default::default()
    });
    bpf
}

/// A ring filter whose program returns 0 for NOP: registration as for
/// liburing, and a NOP then completes with `EACCES` on both; a program
/// returning 1 lets it through.
fn bpf_filter_on_ring_matches_liburing() {
    require_register_op(
        IORING_REGISTER_BPF_FILTER,
        "IORING_REGISTER_BPF_FILTER",
        "7.0",
    );
    for verdict in [0u32, 1] {
        let mut c_bpf = io_uring_bpf::default();
        let mut c_nop = 0;
        // SAFETY: out-pointers to live locals.
        let c = c_res(unsafe {
            ref_bpf_filter(
                IORING_SETUP_R_DISABLED,
                IORING_OP_NOP,
                0,
                verdict,
                &mut c_bpf,
                &mut c_nop,
            )
        });
        let mut ring = Ring::queue_init(8, IORING_SETUP_R_DISABLED).unwrap();
        let prog = SockFilter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: verdict,
        };
        let mut bpf = bpf_for(IORING_OP_NOP, 0, &prog, IO_URING_BPF_CMD_FILTER as u16);
        // SAFETY: filter_ptr points to one live instruction for the call.
        let r = unsafe { ring.register_bpf_filter(&mut bpf) };
        println!("bpf filter (verdict {verdict}): liburing {c:?}, ours {r:?}");
        assert_eq!(r, c);
        r.unwrap();
        let (mut a, mut b) = (bpf, c_bpf);
        for x in [&mut a, &mut b] {
            let mut f = x.filter();
            f.filter_ptr = 0;
            x.set_filter(f);
        }
        assert_eq!(bytes(&a), bytes(&b), "registration as the kernel left it");
        ring.enable_rings().unwrap();
        nop_now(&mut ring, 3);
        let cqe = reap(&mut ring);
        assert_eq!(cqe.res, c_nop, "NOP through the filter");
        let want = if verdict == 0 {
            Errno::EACCES.as_res()
        } else {
            0
        };
        assert_eq!(cqe.res, want);
    }
}

/// On kernels before 7.0 the BPF filter opcode is unknown: `EINVAL`, for
/// liburing too, per ring and per task (a registration that fails changes
/// nothing, so the task variant is safe to try here).
fn bpf_filter_unknown_to_old_kernels() {
    if knows_register_op(IORING_REGISTER_BPF_FILTER) {
        common::skip("this kernel has IORING_REGISTER_BPF_FILTER (the error path of old kernels)");
    }
    let mut c_bpf = io_uring_bpf::default();
    let mut c_nop = 0;
    // SAFETY: out-pointers to live locals.
    let c = c_res(unsafe { ref_bpf_filter(0, IORING_OP_NOP, 0, 0, &mut c_bpf, &mut c_nop) });
    assert_eq!(c, Err(Errno::EINVAL));
    let ring = Ring::queue_init(8, 0).unwrap();
    let prog = SockFilter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: 0,
    };
    let mut bpf = bpf_for(IORING_OP_NOP, 0, &prog, IO_URING_BPF_CMD_FILTER as u16);
    // SAFETY: one live instruction.
    assert_eq!(unsafe { ring.register_bpf_filter(&mut bpf) }, c);
    // SAFETY: no arguments beyond the program.
    let ct = c_res(unsafe { ref_bpf_filter_task(IORING_OP_NOP, 0, 0, IO_URING_BPF_CMD_FILTER) });
    // SAFETY: one live instruction.
    assert_eq!(unsafe { register_bpf_filter_task(&mut bpf) }, ct);
    // Unknown opcode; before 6.13 fd -1 is not even looked at as a
    // "blind" registration: EBADF.
    assert!(matches!(ct, Err(Errno::EINVAL | Errno::EBADF)), "{ct:?}");
}

/// The environment variable that makes this binary the child of
/// [`bpf_filter_task_denies_nop`]: "rust" or "c" (whose registration).
const TASK_CHILD: &str = "URING_REGAPI_TASK_FILTER_CHILD";

/// A task filter denying NOP, registered in a child process (it is
/// irrevocable) by us and, in another child, by liburing: in both, a ring
/// set up afterwards completes a NOP with `EACCES`.
fn bpf_filter_task_denies_nop() {
    if let Ok(who) = std::env::var(TASK_CHILD) {
        task_child(&who);
        return;
    }
    require_register_op(
        IORING_REGISTER_BPF_FILTER,
        "IORING_REGISTER_BPF_FILTER",
        "7.0",
    );
    let mut outs = Vec::new();
    for who in ["rust", "c"] {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "bpf_filter_task_denies_nop", "--nocapture"])
            .env(TASK_CHILD, who)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "child ({who}): {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = text
            .lines()
            .find(|l| l.starts_with("task filter:"))
            .unwrap_or_else(|| panic!("child ({who}) printed no result: {text}"))
            .to_owned();
        println!("{who}: {line}");
        outs.push(line);
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(
        outs[0],
        format!(
            "task filter: register Ok(()), nop res {}",
            Errno::EACCES.as_res()
        )
    );
}

fn task_child(who: &str) {
    const PR_SET_NO_NEW_PRIVS: usize = 38;
    // SAFETY: takes no pointer.
    unsafe { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }.unwrap();
    let prog = SockFilter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: 0,
    };
    let r = if who == "c" {
        // SAFETY: no pointers from us.
        c_res(unsafe { ref_bpf_filter_task(IORING_OP_NOP, 0, 0, IO_URING_BPF_CMD_FILTER) })
    } else {
        let mut bpf = bpf_for(IORING_OP_NOP, 0, &prog, IO_URING_BPF_CMD_FILTER as u16);
        // SAFETY: one live instruction.
        unsafe { register_bpf_filter_task(&mut bpf) }
    };
    let mut ring = Ring::queue_init(4, 0).unwrap();
    nop_now(&mut ring, 1);
    let res = reap(&mut ring).res;
    println!("task filter: register {r:?}, nop res {res}");
}

/// A mixed ring is not resized (found by the second adversarial pass on
/// 6.18): the kernel copies CQE slots one by one under the new mask, so a
/// 32-byte CQE pending across the new end came back split, its second half
/// in slot 0. Refused before the syscall; the pending CQE stays whole.
fn resize_rings_refuses_mixed_rings() {
    use bare_uring::sys::{IORING_CQE_F_32, IORING_NOP_CQE32, IORING_SETUP_CQE_MIXED};
    let mut p = Params::new()
        .with_flags(
            IORING_SETUP_CQE_MIXED | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
        )
        .cq_size(64);
    let mut ring =
        common::setup_params_or_skip(8, &mut p, "IORING_SETUP_CQE_MIXED + DEFER_TASKRUN", "6.18");
    // Head to slot 15 with plain NOPs, then a 32-byte CQE in slots 15-16.
    for i in 0..15u64 {
        common::submit_one(&mut ring, 100 + i, |sqe| nop(sqe, 0));
    }
    // SAFETY: a NOP points to no memory; its CQE is reaped here.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    nop(sqe, 0x3333);
    sqe.set_nop_flags(IORING_NOP_CQE32);
    sqe.set_off(0xAAAA);
    sqe.set_addr(0xBBBB);
    ring.submit_and_wait(1).unwrap();
    let before = ring.peek_cqe32().unwrap();
    if before.flags & IORING_CQE_F_32 == 0 {
        common::skip("IORING_NOP_CQE32 on CQE_MIXED rings needs Linux 6.18+");
    }
    let mut q = Params::new().cq_size(16);
    q.0.sq_entries = 8;
    assert_eq!(ring.resize_rings(&mut q), Err(Errno::EOPNOTSUPP));
    assert_eq!(ring.cq_entries(), 64, "the ring is unchanged");
    let after = ring.peek_cqe32().unwrap();
    assert_eq!(
        (after.user_data, *after.big_cqe()),
        (0x3333, [0xAAAA, 0xBBBB])
    );
}

common::harness::main! {
    resize_rings_matches_liburing,
    resize_rings_keeps_queued_sqes_and_cqes,
    resize_rings_overflow_leaves_ring,
    resize_rings_refusals_match_liburing,
    resize_rings_no_mmap_and_closed_fd,
    resize_rings_between_splits,
    resize_rings_refuses_mixed_rings,
    wait_reg_matches_liburing,
    wait_reg_waits,
    wait_reg_split,
    wait_reg_without_region,
    region_rules,
    register_wait_reg_is_liburings_stub,
    query_matches_liburing,
    query_chain,
    register_ifq_on_lo_matches_liburing,
    zcrx_ctrl_without_queue_matches_liburing,
    zcrx_unknown_to_old_kernels,
    bpf_filter_on_ring_matches_liburing,
    bpf_filter_unknown_to_old_kernels,
    bpf_filter_task_denies_nop,
}
