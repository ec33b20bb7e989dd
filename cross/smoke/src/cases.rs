//! The smoke cases: each probes its feature, runs it on the live kernel
//! and checks results exactly.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixDatagram, UnixStream};

use bare_uring::buf_ring::BufRing;
use bare_uring::cq::Cqe;
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::ring::{memory_layout, page_size, Params};
use bare_uring::sys::{
    __kernel_timespec, io_uring_sqe, iovec, msghdr, IORING_CQE_F_MORE, IORING_FEAT_RECVSEND_BUNDLE,
    IORING_OP_MSG_RING, IORING_OP_NOP, IORING_OP_READ_FIXED, IORING_OP_RECVMSG, IORING_OP_SEND,
    IORING_SETUP_NO_MMAP, IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE,
};
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{msg, prep, probe, Errno, Ring};

use crate::kernel::Info;
use crate::{CaseResult, Outcome};

/// One case: its name in the output, and the function.
pub type Case = fn(&Info) -> CaseResult;

/// Every case, in the order they run.
pub const ALL: &[(&str, Case)] = &[
    ("uname", uname_linux),
    ("setup_mmap", setup_mmap),
    ("setup_no_mmap", setup_no_mmap),
    ("setup_no_mmap_caller_memory", no_mmap_caller_memory),
    ("page_size_matches_auxv", page_size_matches_auxv),
    ("probe", probe_nop),
    ("nop_round_trips", nop_round_trips),
    ("sq_cq_wrap", sq_cq_wrap),
    ("msg_ring", msg_ring),
    ("msg_ring_fd", msg_ring_fd),
    ("recvmsg_multishot_buf_ring", recvmsg_multishot_buf_ring),
    ("send_bundle", send_bundle),
    ("read_fixed", read_fixed),
    ("nostd_cat", nostd_cat),
    ("rt_hello", rt_hello),
];

/// `Err(format!(..))` unless `cond`.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// A skip if `why` is `Some`.
macro_rules! skip_if {
    ($why:expr) => {
        if let Some(why) = $why {
            return Ok(Outcome::Skip(why));
        }
    };
}

/// Waits at most 10 s for one CQE (a hang guard, not a timing check:
/// under full emulation every wait here takes milliseconds) and marks it
/// seen.
fn wait(ring: &mut Ring) -> Result<Cqe, String> {
    let ts = __kernel_timespec {
        tv_sec: 10,
        tv_nsec: 0,
    };
    let cqe = match ring.wait_cqe_timeout(Some(&ts)) {
        // No IORING_FEAT_EXT_ARG (before 5.11): no timed wait; the runner's
        // time limit is the hang guard there.
        Err(Errno::EOPNOTSUPP) => ring.wait_cqe(),
        r => r,
    }
    .map_err(|e| format!("waiting for a CQE: {e:?}"))?;
    ring.cqe_seen(&cqe);
    Ok(cqe)
}

/// The next SQE, or a failure naming the full queue.
fn sqe(ring: &mut Ring) -> Result<&mut io_uring_sqe, String> {
    // SAFETY: every SQE taken here is fully prepared by a `prep::*` call
    // before the next submit, and the memory it names outlives its CQE.
    unsafe { ring.get_sqe() }.ok_or_else(|| "SQ full".to_string())
}

/// Skip reason if the kernel refuses IORING_SETUP_NO_MMAP (6.5+): setup
/// answers `EINVAL` for a flag it does not know. Any other error fails.
fn lacks_no_mmap() -> Result<Option<String>, String> {
    let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP);
    match Ring::queue_init_params(8, &mut p) {
        Ok(_) => Ok(None),
        Err(Errno::EINVAL) => Ok(Some(
            "IORING_SETUP_NO_MMAP (6.5+): io_uring_setup answers EINVAL".into(),
        )),
        Err(e) => Err(format!("NO_MMAP setup: {e:?}")),
    }
}

/// Skip reason if the kernel's probe lacks opcode `op`.
fn lacks_op(op: u32, name: &str) -> Result<Option<String>, String> {
    let p = probe::get_probe().map_err(|e| format!("probe: {e:?}"))?;
    Ok((!p.opcode_supported(op)).then(|| format!("kernel lacks {name}")))
}

/// One NOP with a 64-bit user_data whose halves differ (so a swapped or
/// truncated word shows) comes back with res 0.
fn nop_round_trip(ring: &mut Ring) -> Result<(), String> {
    const UD: u64 = 0x0123_4567_89ab_cdef;
    let s = sqe(ring)?;
    // SAFETY: a NOP names no memory.
    unsafe { prep::nop(s) };
    s.user_data = UD;
    let n = ring.submit().map_err(|e| format!("submit: {e:?}"))?;
    ensure!(n == 1, "submit returned {n}");
    let c = wait(ring)?;
    ensure!(
        (c.user_data, c.res) == (UD, 0),
        "NOP CQE {:#x} res {}",
        c.user_data,
        c.res
    );
    Ok(())
}

/// The syscall layer's plainest call (the version is reported, never used
/// to decide a skip).
fn uname_linux(k: &Info) -> CaseResult {
    ensure!(k.sysname == "Linux", "uname sysname {:?}", k.sysname);
    ensure!(
        k.version.is_some(),
        "uname release {:?} has no version",
        k.release
    );
    Ok(Outcome::Pass)
}

fn setup_mmap(_: &Info) -> CaseResult {
    let mut ring = Ring::queue_init(8, 0).map_err(|e| format!("queue_init: {e:?}"))?;
    nop_round_trip(&mut ring)?;
    Ok(Outcome::Pass)
}

fn setup_no_mmap(_: &Info) -> CaseResult {
    skip_if!(lacks_no_mmap()?);
    let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP);
    let mut ring =
        Ring::queue_init_params(8, &mut p).map_err(|e| format!("NO_MMAP setup: {e:?}"))?;
    nop_round_trip(&mut ring)?;
    Ok(Outcome::Pass)
}

fn no_mmap_caller_memory(_: &Info) -> CaseResult {
    skip_if!(lacks_no_mmap()?);
    let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP);
    let l = memory_layout(8, &p).map_err(|e| format!("memory_layout: {e:?}"))?;
    ensure!(
        l.align == page_size(),
        "layout align {} != page size",
        l.align
    );
    let mut mem = vec![0u8; l.size + l.align];
    let base = mem.as_mut_ptr();
    let mem_ptr = base.wrapping_add(base.align_offset(l.align));
    // SAFETY: mem_ptr..+l.size lies inside `mem`, page-aligned, used by
    // nothing else, and `mem` outlives the ring (dropped below first).
    let mut ring = unsafe { Ring::queue_init_mem(8, &mut p, mem_ptr, l.size) }
        .map_err(|e| format!("queue_init_mem: {e:?}"))?;
    nop_round_trip(&mut ring)?;
    drop(ring);
    drop(mem);
    Ok(Outcome::Pass)
}

fn page_size_matches_auxv(_: &Info) -> CaseResult {
    extern "C" {
        // The C library's own copy of the auxiliary vector.
        fn getauxval(key: std::ffi::c_ulong) -> std::ffi::c_ulong;
    }
    const AT_PAGESZ: std::ffi::c_ulong = 6;
    // SAFETY: getauxval only reads the process's auxiliary vector.
    let want = unsafe { getauxval(AT_PAGESZ) } as usize;
    let got = page_size();
    ensure!(got == want, "page_size() {got}, AT_PAGESZ {want}");
    Ok(Outcome::Pass)
}

fn probe_nop(_: &Info) -> CaseResult {
    let p = probe::get_probe().map_err(|e| format!("get_probe: {e:?}"))?;
    ensure!(p.opcode_supported(IORING_OP_NOP), "probe says no NOP");
    ensure!(
        p.last_op() as u32 >= IORING_OP_SEND,
        "last_op {}",
        p.last_op()
    );
    Ok(Outcome::Pass)
}

fn nop_round_trips(_: &Info) -> CaseResult {
    let mut ring = Ring::queue_init(32, 0).map_err(|e| format!("{e:?}"))?;
    for batch in 0..64u64 {
        for i in 0..16 {
            let s = sqe(&mut ring)?;
            // SAFETY: a NOP names no memory.
            unsafe { prep::nop(s) };
            s.user_data = (batch << 32) | i;
        }
        let n = ring
            .submit_and_wait(16)
            .map_err(|e| format!("submit: {e:?}"))?;
        ensure!(n == 16, "batch {batch}: submitted {n}");
        let mut seen = 0u32;
        for _ in 0..16 {
            let c = wait(&mut ring)?;
            ensure!(
                c.user_data >> 32 == batch && c.res == 0,
                "batch {batch}: {c:?}"
            );
            seen |= 1 << (c.user_data & 0xffff_ffff);
        }
        ensure!(seen == 0xffff, "batch {batch}: user_data set {seen:#x}");
    }
    Ok(Outcome::Pass)
}

fn sq_cq_wrap(_: &Info) -> CaseResult {
    let mut ring = Ring::queue_init(4, 0).map_err(|e| format!("{e:?}"))?;
    ensure!(ring.sq_entries() == 4, "sq_entries {}", ring.sq_entries());
    for round in 0..100u64 {
        for i in 0..4 {
            let s = sqe(&mut ring)?;
            // SAFETY: a NOP names no memory.
            unsafe { prep::nop(s) };
            s.user_data = round * 4 + i;
        }
        // SAFETY: only checks that a fifth SQE is refused; none is prepared.
        ensure!(
            unsafe { ring.get_sqe() }.is_none(),
            "round {round}: 5th SQE"
        );
        ring.submit_and_wait(4)
            .map_err(|e| format!("round {round}: {e:?}"))?;
        ensure!(
            ring.sq_space_left() == 4,
            "round {round}: space {}",
            ring.sq_space_left()
        );
        ensure!(
            ring.cq_ready() == 4,
            "round {round}: cq_ready {}",
            ring.cq_ready()
        );
        for i in 0..4 {
            let c = wait(&mut ring)?;
            // A NOP ring completes in order.
            ensure!(c.user_data == round * 4 + i, "round {round}: got {c:?}");
        }
    }
    Ok(Outcome::Pass)
}

fn msg_ring(_: &Info) -> CaseResult {
    skip_if!(lacks_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING (5.18+)")?);
    let mut a = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    let mut b = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    let s = sqe(&mut a)?;
    prep::msg_ring(s, b.ring_fd(), 0x1234, 0xfeed_0000_0000_beef, 0);
    s.user_data = 1;
    a.submit().map_err(|e| format!("{e:?}"))?;
    let sent = wait(&mut a)?;
    ensure!((sent.user_data, sent.res) == (1, 0), "sender CQE {sent:?}");
    let got = wait(&mut b)?;
    ensure!(
        (got.user_data, got.res) == (0xfeed_0000_0000_beef, 0x1234),
        "target CQE {got:?}"
    );
    Ok(Outcome::Pass)
}

fn msg_ring_fd(_: &Info) -> CaseResult {
    skip_if!(lacks_op(IORING_OP_MSG_RING, "IORING_OP_MSG_RING (5.18+)")?);
    let mut a = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    let mut b = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    match a.register_files_sparse(4) {
        Err(Errno::EINVAL) => {
            return Ok(Outcome::Skip(
                "sparse file tables (5.19+): register_files_sparse answers EINVAL".into(),
            ))
        }
        r => r.map_err(|e| format!("{e:?}"))?,
    }
    b.register_files_sparse(8).map_err(|e| format!("{e:?}"))?;
    let [r, w] = pipe2(O_CLOEXEC).map_err(|e| format!("{e:?}"))?;
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { a.register_files_update(1, &[r]) }.map_err(|e| format!("{e:?}"))?;
    // SAFETY: our own fd; the file table holds its own reference.
    unsafe { close(r) }.map_err(|e| format!("{e:?}"))?;
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { msg::send_fd(&mut a, b.ring_fd(), 1, 6, 0xabc, 0, 0xfd5e) }
        .map_err(|e| format!("{e:?}"))?;
    a.submit().map_err(|e| format!("{e:?}"))?;
    let sent = wait(&mut a)?;
    skip_if!(((sent.user_data, sent.res) == (0xfd5e, -Errno::EINVAL.0))
        .then(|| { "IORING_MSG_SEND_FD (6.0+): the sender's CQE says EINVAL".to_string() }));
    ensure!(
        (sent.user_data, sent.res) == (0xfd5e, 0),
        "sender CQE {sent:?}"
    );
    let got = wait(&mut b)?;
    ensure!((got.user_data, got.res) == (0xabc, 0), "target CQE {got:?}");
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"through b") }.map_err(|e| format!("{e:?}"))?;
    let mut buf = [0u8; 64];
    let s = sqe(&mut b)?;
    // SAFETY: buf outlives the wait below.
    unsafe { prep::read(s, 6, buf.as_mut_ptr().cast(), 64, 0) };
    s.flags |= IOSQE_FIXED_FILE;
    b.submit().map_err(|e| format!("{e:?}"))?;
    let c = wait(&mut b)?;
    ensure!(
        c.res == 9 && &buf[..9] == b"through b",
        "read via passed slot: {c:?}"
    );
    // SAFETY: our own fd.
    unsafe { close(w) }.map_err(|e| format!("{e:?}"))?;
    Ok(Outcome::Pass)
}

fn recvmsg_multishot_buf_ring(_: &Info) -> CaseResult {
    skip_if!(lacks_op(IORING_OP_RECVMSG, "IORING_OP_RECVMSG")?);
    const N: usize = 12;
    let mut ring = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    // Never freed: the multishot request may still write a buffer it
    // picked after `br` is gone.
    let mem = Box::leak(vec![0u8; 4 * 256].into_boxed_slice());
    let mut br = match BufRing::setup_static(&ring, 4, 3, 0, mem, 256) {
        Err(Errno::EINVAL) => {
            return Ok(Outcome::Skip(
                "provided buffer rings (5.19+): IORING_REGISTER_PBUF_RING answers EINVAL".into(),
            ))
        }
        r => r.map_err(|e| format!("setup_buf_ring: {e:?}"))?,
    };
    br.publish_all().map_err(|e| format!("{e:?}"))?;
    let (rx, tx) = UnixDatagram::pair().map_err(|e| e.to_string())?;
    // No name or control area: each buffer holds the header and payload.
    let mut msg = msghdr::zeroed();
    let arm = |ring: &mut Ring, msg: &mut msghdr| -> Result<(), String> {
        let s = sqe(ring)?;
        // SAFETY: `msg` outlives every CQE of the request.
        unsafe { prep::recvmsg_multishot(s, rx.as_raw_fd(), msg, 0) };
        s.flags |= IOSQE_BUFFER_SELECT;
        s.set_buf_group(3);
        s.user_data = 7;
        ring.submit().map(|_| ()).map_err(|e| format!("{e:?}"))
    };
    arm(&mut ring, &mut msg)?;
    for i in 0..N {
        let payload = format!("datagram {i} ").repeat(1 + i % 4);
        tx.send(payload.as_bytes()).map_err(|e| e.to_string())?;
        let c = wait(&mut ring)?;
        skip_if!((i == 0 && c.user_data == 7 && c.res == -Errno::EINVAL.0)
            .then(|| { "multishot recvmsg (6.0+): the request's CQE says EINVAL".to_string() }));
        ensure!(c.user_data == 7 && c.res > 0, "datagram {i}: {c:?}");
        let used = br.consume(c.res, c.flags).ok_or("CQE without a buffer")?;
        {
            // SAFETY: the CQE handed this buffer back; not recycled yet.
            let data = unsafe { br.data(&used) };
            let out = RecvMsgOut::new(data, &msg).ok_or("invalid recvmsg_out")?;
            ensure!(out.payload() == payload.as_bytes(), "datagram {i}: payload");
        }
        br.recycle(used.bid).map_err(|e| format!("{e:?}"))?;
        if c.flags & IORING_CQE_F_MORE == 0 {
            arm(&mut ring, &mut msg)?;
        }
    }
    drop(ring);
    drop(br);
    Ok(Outcome::Pass)
}

fn send_bundle(_: &Info) -> CaseResult {
    let mut ring = Ring::queue_init(8, 0).map_err(|e| format!("{e:?}"))?;
    skip_if!((ring.features() & IORING_FEAT_RECVSEND_BUNDLE == 0)
        .then(|| "no IORING_FEAT_RECVSEND_BUNDLE (kernel 6.10+)".to_string()));
    // Never freed: an early return may leave the send in flight.
    let mem = Box::leak(vec![0u8; 4 * 64].into_boxed_slice());
    let mut br = BufRing::setup_static(&ring, 4, 9, 0, mem, 64)
        .map_err(|e| format!("setup_buf_ring: {e:?}"))?;
    let parts: [&[u8]; 3] = [b"first-", b"second buffer-", b"third"];
    for (bid, part) in parts.iter().enumerate() {
        // SAFETY: never pushed before: the buffer is ours.
        let b = unsafe { br.buf_mut(bid as u16) }.ok_or("no buffer")?;
        b[..part.len()].copy_from_slice(part);
        br.push(bid as u16, part.len() as u32)
            .map_err(|e| format!("{e:?}"))?;
    }
    br.commit();
    let (a, mut peer) = UnixStream::pair().map_err(|e| e.to_string())?;
    let s = sqe(&mut ring)?;
    prep::send_bundle(s, a.as_raw_fd(), 0, 0);
    s.flags |= IOSQE_BUFFER_SELECT;
    s.set_buf_group(9);
    s.user_data = 5;
    ring.submit().map_err(|e| format!("{e:?}"))?;
    let c = wait(&mut ring)?;
    let want: Vec<u8> = parts.concat();
    ensure!(
        c.res == want.len() as i32,
        "bundle sent {} of {}",
        c.res,
        want.len()
    );
    let bundle = br
        .consume_bundle(c.res, c.flags)
        .map_err(|e| format!("{e:?}"))?;
    ensure!(bundle.count == 3, "bundle used {} buffers", bundle.count);
    let mut got = vec![0u8; want.len()];
    peer.read_exact(&mut got).map_err(|e| e.to_string())?;
    ensure!(got == want, "peer read {:?}", String::from_utf8_lossy(&got));
    br.free().map_err(|e| format!("{e:?}"))?;
    Ok(Outcome::Pass)
}

fn read_fixed(_: &Info) -> CaseResult {
    skip_if!(lacks_op(IORING_OP_READ_FIXED, "IORING_OP_READ_FIXED")?);
    let dir = std::env::temp_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("uring-smoke-fixed-{}", std::process::id()));
    let content: Vec<u8> = (0..12_288u32).map(|i| (i * 7 + i / 251) as u8).collect();
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&content))
        .map_err(|e| e.to_string())?;
    let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&path);
    let mut ring = Ring::queue_init(4, 0).map_err(|e| format!("{e:?}"))?;
    let mut buf = vec![0u8; 16_384];
    let iov = iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: `buf` outlives the ring (dropped below first).
    unsafe { ring.register_buffers(&[iov]) }.map_err(|e| format!("register_buffers: {e:?}"))?;
    let s = sqe(&mut ring)?;
    // SAFETY: the first 12 KiB of registered buffer 0; waited for below.
    unsafe { prep::read_fixed(s, file.as_raw_fd(), buf.as_mut_ptr().cast(), 12_288, 0, 0) };
    s.user_data = 3;
    ring.submit().map_err(|e| format!("{e:?}"))?;
    let c = wait(&mut ring)?;
    ensure!(c.res == 12_288, "read_fixed res {}", c.res);
    drop(ring);
    ensure!(buf[..12_288] == content[..], "read_fixed data differs");
    Ok(Outcome::Pass)
}

fn nostd_cat(_: &Info) -> CaseResult {
    let bin = std::env::var_os("URING_SMOKE_NOSTD_CAT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/nostd-cat".into());
    skip_if!((!bin.exists()).then(|| format!(
        "no nostd-cat binary at {} (the cross runner provides one; natively set URING_SMOKE_NOSTD_CAT)",
        bin.display()
    )));
    skip_if!(lacks_no_mmap()?);
    let dir = std::env::temp_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("uring-smoke-cat-{}", std::process::id()));
    // 200 KiB: several 64 KiB reads plus a short tail.
    let content: Vec<u8> = (0..200_000u32).map(|i| (i ^ (i >> 9)) as u8).collect();
    std::fs::write(&path, &content).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(&bin)
        .arg(&path)
        .output()
        .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
    let _ = std::fs::remove_file(&path);
    ensure!(out.status.success(), "nostd-cat exited {:?}", out.status);
    ensure!(
        out.stdout == content,
        "nostd-cat wrote {} bytes, not the file's {}",
        out.stdout.len(),
        content.len()
    );
    Ok(Outcome::Pass)
}

/// The hello of uring-rt/template (bare-uring-rt's `_start`, `Args`,
/// `AT_PAGESZ` handed to the ring layout, a `RingMem` ring): prints
/// exactly "hello from io_uring\n" and exits 0.
fn rt_hello(_: &Info) -> CaseResult {
    let bin = std::env::var_os("URING_SMOKE_RT_HELLO")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/hello-uring".into());
    skip_if!((!bin.exists()).then(|| format!(
        "no template hello at {} (the cross runner provides one; natively set URING_SMOKE_RT_HELLO)",
        bin.display()
    )));
    skip_if!(lacks_no_mmap()?);
    let out = std::process::Command::new(&bin)
        .output()
        .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
    ensure!(out.status.success(), "hello exited {:?}", out.status);
    ensure!(
        out.stdout == b"hello from io_uring\n",
        "hello wrote {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    Ok(Outcome::Pass)
}
