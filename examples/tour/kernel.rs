//! Section 1: the running kernel — release, ring features, the opcode probe,
//! and which of the operations this project is about it supports.

use std::net::UdpSocket;
use std::os::fd::AsRawFd;

use bare_uring::decode::opcode_name;
use bare_uring::probe::Probe;
use bare_uring::ring::Params;
use bare_uring::sys::*;
use bare_uring::syscall::{uname, Utsname};
use bare_uring::{prep, register::register_sync_msg, Errno, Ring};

use crate::util::{next_cqe, Fail};

/// What the kernel supports, each as `Ok` or the errno it answers with.
pub struct Caps {
    /// io_uring itself (a ring could be set up).
    pub io_uring: Result<(), Errno>,
    /// `IORING_OP_MSG_RING` data messages (5.18+).
    pub msg_ring: Result<(), Errno>,
    /// `IORING_MSG_SEND_FD` (6.0+).
    pub msg_ring_fd: Result<(), Errno>,
    /// `IORING_REGISTER_SEND_MSG_RING` (6.13+).
    pub sync_msg: Result<(), Errno>,
    /// `IORING_RECV_MULTISHOT` on `IORING_OP_RECVMSG` (6.0+).
    pub recvmsg_multishot: Result<(), Errno>,
    /// `IORING_RECVSEND_BUNDLE` (6.10+, IORING_FEAT_RECVSEND_BUNDLE).
    pub bundle: Result<(), Errno>,
    /// `IORING_REGISTER_PBUF_RING` (5.19+).
    pub pbuf_ring: Result<(), Errno>,
    /// `IOU_PBUF_RING_INC` (6.12+).
    pub pbuf_inc: Result<(), Errno>,
    /// `IORING_SETUP_NO_MMAP` (6.5+).
    pub no_mmap: Result<(), Errno>,
}

/// Every `IORING_FEAT_*` of the headers, by name.
const FEATURES: &[(u32, &str)] = &[
    (IORING_FEAT_SINGLE_MMAP, "SINGLE_MMAP"),
    (IORING_FEAT_NODROP, "NODROP"),
    (IORING_FEAT_SUBMIT_STABLE, "SUBMIT_STABLE"),
    (IORING_FEAT_RW_CUR_POS, "RW_CUR_POS"),
    (IORING_FEAT_CUR_PERSONALITY, "CUR_PERSONALITY"),
    (IORING_FEAT_FAST_POLL, "FAST_POLL"),
    (IORING_FEAT_POLL_32BITS, "POLL_32BITS"),
    (IORING_FEAT_SQPOLL_NONFIXED, "SQPOLL_NONFIXED"),
    (IORING_FEAT_EXT_ARG, "EXT_ARG"),
    (IORING_FEAT_NATIVE_WORKERS, "NATIVE_WORKERS"),
    (IORING_FEAT_RSRC_TAGS, "RSRC_TAGS"),
    (IORING_FEAT_CQE_SKIP, "CQE_SKIP"),
    (IORING_FEAT_LINKED_FILE, "LINKED_FILE"),
    (IORING_FEAT_REG_REG_RING, "REG_REG_RING"),
    (IORING_FEAT_RECVSEND_BUNDLE, "RECVSEND_BUNDLE"),
    (IORING_FEAT_MIN_TIMEOUT, "MIN_TIMEOUT"),
    (IORING_FEAT_RW_ATTR, "RW_ATTR"),
    (IORING_FEAT_NO_IOWAIT, "NO_IOWAIT"),
];

/// Prints `words` after `indent`, wrapped before column `width`.
pub fn print_wrapped(indent: &str, words: impl IntoIterator<Item = String>, width: usize) {
    let mut line = String::from(indent);
    for w in words {
        if line.len() > indent.len() && line.len() + 1 + w.len() > width {
            println!("{line}");
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(&w);
    }
    if line.len() > indent.len() {
        println!("{line}");
    }
}

/// An opcode's short name: `IORING_OP_MSG_RING` → `msg_ring`.
fn short_op(op: u32) -> String {
    match u8::try_from(op).ok().and_then(opcode_name) {
        Some(n) => n.trim_start_matches("IORING_OP_").to_ascii_lowercase(),
        None => format!("op{op}"),
    }
}

/// Prints section 1 and returns what the kernel supports.
pub fn section() -> Caps {
    println!("== Kernel");
    match uname() {
        Ok(u) => println!(
            "  {} {} ({})",
            Utsname::field(&u.sysname),
            Utsname::field(&u.release),
            Utsname::field(&u.machine)
        ),
        Err(e) => println!("  uname: {e}"),
    }
    let ring = match Ring::queue_init(8, 0) {
        Ok(r) => r,
        Err(e) => {
            println!("  io_uring_setup: {e} — io_uring is not available here");
            return Caps::none(e);
        }
    };
    print_features(ring.features());
    let probe = print_probe(&ring);
    let caps = detect(&ring, probe.as_ref());
    print_support(&caps);
    caps
}

fn print_features(feat: u32) {
    let known: u32 = FEATURES.iter().fold(0, |a, (b, _)| a | b);
    let names = FEATURES
        .iter()
        .filter(|(b, _)| feat & b != 0)
        .map(|(_, n)| n.to_string());
    let unknown = feat & !known;
    println!(
        "  ring features {feat:#x}: {} of the {} IORING_FEAT_* bits our headers name{}",
        (feat & known).count_ones(),
        FEATURES.len(),
        if unknown != 0 {
            format!(", plus unknown bits {unknown:#x}")
        } else {
            String::new()
        }
    );
    print_wrapped("    ", names, 96);
    let missing: Vec<String> = FEATURES
        .iter()
        .filter(|(b, _)| feat & b == 0)
        .map(|(_, n)| n.to_string())
        .collect();
    if !missing.is_empty() {
        println!("    (not set: {})", missing.join(" "));
    }
}

fn print_probe(ring: &Ring) -> Option<Probe> {
    let probe = match ring.get_probe_ring() {
        Ok(p) => p,
        Err(e) => {
            println!("  opcode probe: not supported by this kernel: {e:?}");
            return None;
        }
    };
    let supported: Vec<u32> = probe.supported_ops().collect();
    println!(
        "  opcode probe: {} opcodes supported (kernel's last_op {}, our headers know {})",
        supported.len(),
        probe.last_op(),
        IORING_OP_LAST
    );
    print_wrapped("    ", supported.iter().map(|&op| short_op(op)), 96);
    let missing: Vec<String> = (0..IORING_OP_LAST)
        .filter(|&op| !probe.opcode_supported(op))
        .map(short_op)
        .collect();
    if !missing.is_empty() {
        println!("    (not supported: {})", missing.join(" "));
    }
    Some(probe)
}

impl Caps {
    fn none(e: Errno) -> Caps {
        Caps {
            io_uring: Err(e),
            msg_ring: Err(e),
            msg_ring_fd: Err(e),
            sync_msg: Err(e),
            recvmsg_multishot: Err(e),
            bundle: Err(e),
            pbuf_ring: Err(e),
            pbuf_inc: Err(e),
            no_mmap: Err(e),
        }
    }
}

/// `Ok` if the probe lists `op`, else `EINVAL` (the kernel's answer to an
/// opcode it does not know; also without a probe, which is older than
/// every operation asked about).
fn by_probe(probe: Option<&Probe>, op: u32) -> Result<(), Errno> {
    if probe.is_some_and(|p| p.opcode_supported(op)) {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// Turns a live check's outcome into support: only an errno the kernel
/// answered counts as "not supported".
fn live(r: Result<(), Fail>) -> Result<(), Errno> {
    match r {
        Ok(()) => Ok(()),
        Err(Fail::Unsupported(e)) => Err(e),
        Err(Fail::Failed(why)) => {
            println!("  (support check failed: {why})");
            Err(Errno::EIO)
        }
    }
}

fn detect(ring: &Ring, probe: Option<&Probe>) -> Caps {
    let msg_ring = by_probe(probe, IORING_OP_MSG_RING);
    let msg_ring_fd = match msg_ring {
        Ok(()) => live(check_msg_ring_fd()),
        Err(e) => Err(e),
    };
    let recvmsg = by_probe(probe, IORING_OP_RECVMSG);
    let recvmsg_multishot = match recvmsg {
        Ok(()) => live(check_recvmsg_multishot()),
        Err(e) => Err(e),
    };
    let bundle = if ring.features() & IORING_FEAT_RECVSEND_BUNDLE != 0 {
        Ok(())
    } else {
        // What the kernel answers to IORING_RECVSEND_BUNDLE it does not know.
        Err(Errno::EINVAL)
    };
    Caps {
        io_uring: Ok(()),
        msg_ring,
        msg_ring_fd,
        sync_msg: live(check_sync_msg()),
        recvmsg_multishot,
        bundle,
        pbuf_ring: check_pbuf(ring, 0),
        pbuf_inc: check_pbuf(ring, IOU_PBUF_RING_INC),
        no_mmap: Ring::queue_init_params(2, &mut Params::new().with_flags(IORING_SETUP_NO_MMAP))
            .map(drop),
    }
}

/// Sends an empty source slot to another ring: kernels with fd passing
/// answer `EBADF` (nothing to send), older ones `EINVAL` (unknown command).
fn check_msg_ring_fd() -> Result<(), Fail> {
    let mut src = Ring::queue_init(2, 0).map_err(Fail::Unsupported)?;
    let dst = Ring::queue_init(2, 0).map_err(Fail::Unsupported)?;
    // SAFETY: a MSG_RING fd message points to no memory.
    let sqe = unsafe { crate::util::sqe(&mut src, "msg_ring_fd check") }?;
    prep::msg_ring_fd(sqe, dst.ring_fd(), 0, 0, 0, 0);
    let cqe = next_cqe(&mut src, "msg_ring_fd check")?;
    match Errno::from_res(cqe.res) {
        Err(Errno::EBADF) | Ok(_) => Ok(()),
        Err(e) => Err(Fail::Unsupported(e)),
    }
}

/// Posts a real message to a scratch ring with no source ring.
fn check_sync_msg() -> Result<(), Fail> {
    let mut dst = Ring::queue_init(2, 0).map_err(Fail::Unsupported)?;
    let mut sqe = io_uring_sqe::zeroed();
    prep::msg_ring(&mut sqe, dst.ring_fd(), 1, 2, 0);
    // SAFETY: the target ring is this program's own and expects this message (its user_data is reserved for messages)
    unsafe { register_sync_msg(&sqe) }.map_err(Fail::Unsupported)?;
    let cqe = next_cqe(&mut dst, "sync msg check")?;
    crate::util::ensure!(
        cqe.user_data == 2 && cqe.res == 1,
        "sync msg check: got res {} user_data {}",
        cqe.res,
        cqe.user_data
    );
    Ok(())
}

/// Arms a multishot recvmsg on a UDP socket holding a datagram, selecting
/// from a group that does not exist: kernels with multishot recvmsg answer
/// `ENOBUFS`, older ones `EINVAL` (unknown ioprio flag).
fn check_recvmsg_multishot() -> Result<(), Fail> {
    let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| Fail::Failed(e.to_string()))?;
    let me = sock.local_addr().map_err(|e| Fail::Failed(e.to_string()))?;
    sock.send_to(b"?", me)
        .map_err(|e| Fail::Failed(e.to_string()))?;
    let mut ring = Ring::queue_init(2, 0).map_err(Fail::Unsupported)?;
    let mut msg = msghdr::zeroed();
    ring.in_flight(|io| {
        // SAFETY: `msg` (read by the kernel when it arms the request) is
        // declared outside the scope, which ends a request still armed;
        // the unregistered group 0x7ff1 has nothing to write into; the
        // socket is ours; nothing else is in flight on the ring.
        let sqe = unsafe { crate::util::io_sqe(io, "recvmsg check") }?;
        prep::recvmsg_multishot(sqe, sock.as_raw_fd(), &mut msg, 0);
        sqe.flags |= IOSQE_BUFFER_SELECT;
        sqe.set_buf_group(0x7ff1);
        let cqe = crate::util::io_next_cqe(io, "recvmsg multishot check")?;
        match Errno::from_res(cqe.res) {
            Err(Errno::ENOBUFS) => Ok(()),
            Err(e) => Err(Fail::Unsupported(e)),
            Ok(_) => Err(Fail::Failed(
                "recvmsg check: got data without buffers".into(),
            )),
        }
    })
}

/// Registers (and frees) a 2-entry buffer ring with `flags`.
fn check_pbuf(ring: &Ring, flags: u32) -> Result<(), Errno> {
    let bgid = 0x7ff0;
    let br = ring.setup_buf_ring(2, bgid, flags)?;
    // SAFETY: just set up on this ring for `bgid`, with 2 entries; unused.
    unsafe { ring.free_buf_ring(br, 2, bgid) }
}

fn print_support(c: &Caps) {
    println!("  operations this project is about:");
    let rows: [(&str, &Result<(), Errno>, &str); 8] = [
        ("MSG_RING (5.18+)", &c.msg_ring, "probe"),
        (
            "MSG_RING fd passing (6.0+)",
            &c.msg_ring_fd,
            "live: an empty source slot is refused with EBADF",
        ),
        (
            "REGISTER_SEND_MSG_RING (6.13+)",
            &c.sync_msg,
            "live: a message posted with no source ring",
        ),
        (
            "RECVMSG multishot (6.0+)",
            &c.recvmsg_multishot,
            "live: an empty buffer group answers ENOBUFS",
        ),
        (
            "SEND/RECV bundles (6.10+)",
            &c.bundle,
            "IORING_FEAT_RECVSEND_BUNDLE",
        ),
        (
            "provided buffer rings (5.19+)",
            &c.pbuf_ring,
            "live: a ring registered",
        ),
        (
            "IOU_PBUF_RING_INC (6.12+)",
            &c.pbuf_inc,
            "live: an incremental ring registered",
        ),
        (
            "IORING_SETUP_NO_MMAP (6.5+)",
            &c.no_mmap,
            "live: a ring set up in our memory",
        ),
    ];
    for (name, r, how) in rows {
        match r {
            Ok(()) => println!("    {name:<32} yes  ({how})"),
            Err(e) => println!("    {name:<32} no: {e:?}  ({how})"),
        }
    }
}
