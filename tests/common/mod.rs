#![allow(dead_code)]
//! Helpers shared by the integration tests (`mod common;` in each test
//! file). Each test binary uses a subset, hence the `dead_code` allowance.

pub mod harness;
pub mod pbuf;
pub mod strategies;

#[allow(unused_imports)]
pub(crate) use harness::{propagate, scale, skip};

use std::ptr::null_mut;

use bare_uring::cq::Cqe;
use bare_uring::ring::Params;
use bare_uring::sys::{
    __kernel_timespec, io_uring_sqe, iovec, msghdr, IORING_OP_NOP, IOSQE_BUFFER_SELECT_BIT,
};
use bare_uring::{Errno, Ring};

/// `sqe.flags` bit: take the buffer from the SQE's buffer group.
pub const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;

/// Writes a NOP by hand (no `prep`), field by field, into `sqe`.
pub fn nop(sqe: &mut io_uring_sqe, user_data: u64) {
    sqe.opcode = IORING_OP_NOP as u8;
    sqe.fd = -1;
    sqe.set_off(0);
    sqe.set_addr(0);
    sqe.len = 0;
    sqe.set_nop_flags(0);
    sqe.user_data = user_data;
}

/// Waits (without a time limit) for a CQE, consumes it, returns its copy.
pub fn reap(ring: &mut Ring) -> Cqe {
    let c = ring.wait_cqe().expect("wait_cqe");
    ring.cqe_seen(&c);
    c
}

/// Fills one SQE with `f`, tags it `user_data`, submits it and waits
/// for its CQE, which must carry that `user_data`; returns the CQE.
pub fn submit_one(ring: &mut Ring, user_data: u64, f: impl FnOnce(&mut io_uring_sqe)) -> Cqe {
    // SAFETY: the request is `f`'s: whatever it points to must outlive this call, which reaps
    // its CQE before returning (a safe fn: callers must keep to this without `unsafe`).
    let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
    f(sqe);
    sqe.user_data = user_data;
    ring.submit_and_wait(1).expect("submit_and_wait");
    let c = reap(ring);
    assert_eq!(c.user_data, user_data);
    c
}

/// Waits up to `secs` seconds for a CQE without consuming it.
pub fn wait_within(ring: &mut Ring, secs: i64) -> Cqe {
    let ts = __kernel_timespec {
        tv_sec: secs,
        tv_nsec: 0,
    };
    ring.wait_cqe_timeout(Some(&ts))
        .unwrap_or_else(|e| panic!("no CQE within {secs} s: {e:?}"))
}

/// Waits up to `secs` seconds for a CQE, consumes it, returns its copy.
pub fn reap_within(ring: &mut Ring, secs: i64) -> Cqe {
    let cqe = wait_within(ring, secs);
    ring.cqe_seen(&cqe);
    cqe
}

/// An `iovec` over `b` (for requests that only read the memory).
pub fn iov(b: &[u8]) -> iovec {
    iovec {
        iov_base: b.as_ptr() as *mut _,
        iov_len: b.len(),
    }
}

/// An `iovec` over `b` (for requests that write into the memory).
pub fn iov_mut(b: &mut [u8]) -> iovec {
    iovec {
        iov_base: b.as_mut_ptr().cast(),
        iov_len: b.len(),
    }
}

/// A `msghdr` with no name or control buffer and no iovecs, but room
/// for a `namelen`-byte name and `controllen` bytes of control data (what
/// multishot recvmsg reads from it).
pub fn msghdr_for(namelen: u32, controllen: usize) -> msghdr {
    msghdr {
        msg_name: null_mut(),
        msg_namelen: namelen,
        msg_iov: null_mut(),
        msg_iovlen: 0,
        msg_control: null_mut(),
        msg_controllen: controllen,
        msg_flags: 0,
    }
}

// ---- run-time skips, decided by the kernel's own answers (never `uname`).
// Each reason names the feature and the first Linux release that has it.

/// Skips the test unless this kernel's probe lists opcode `op`
/// (`IORING_OP_*`, spelled `name`, first in Linux `since`).
pub fn require_op(op: u32, name: &str, since: &str) {
    let probe = match bare_uring::probe::get_probe() {
        Ok(p) => p,
        Err(Errno::EINVAL) => harness::skip!(
            "{name} needs Linux {since}+; this kernel cannot even be probed \
             (IORING_REGISTER_PROBE, 5.6+: EINVAL)"
        ),
        Err(e) => panic!("probing the kernel for {name}: {e:?}"),
    };
    if !probe.opcode_supported(op) {
        harness::skip!(
            "{name} needs Linux {since}+ (not supported by this kernel's probe, last_op {})",
            probe.last_op()
        );
    }
}

/// Skips the test unless `features` (a ring's `features()` or
/// `Params.features` after setup) has `feat` (`IORING_FEAT_*`, spelled
/// `name`, first in Linux `since`).
pub fn require_feature(features: u32, feat: u32, name: &str, since: &str) {
    if features & feat != feat {
        harness::skip!("{name} needs Linux {since}+ (not in this ring's features)");
    }
}

/// `Ring::queue_init(entries, flags)`, skipping the test when the kernel
/// refuses it with EINVAL: an unknown setup flag `name` (first in Linux
/// `since`). Any other error fails the test.
pub fn setup_or_skip(entries: u32, flags: u32, name: &str, since: &str) -> Ring {
    refused_setup(Ring::queue_init(entries, flags), name, since)
}

/// `Ring::queue_init_params(entries, p)`, skipping as [`setup_or_skip`].
pub fn setup_params_or_skip(entries: u32, p: &mut Params, name: &str, since: &str) -> Ring {
    refused_setup(Ring::queue_init_params(entries, p), name, since)
}

fn refused_setup(r: Result<Ring, Errno>, name: &str, since: &str) -> Ring {
    match r {
        Ok(ring) => ring,
        Err(Errno::EINVAL) => {
            harness::skip!("{name} needs Linux {since}+ (io_uring_setup: EINVAL)")
        }
        Err(e) => panic!("io_uring_setup with {name}: {e:?}"),
    }
}

/// The value of `r`; skips the test (reason: `why (ERRNO)`) when `r` is
/// one of `errnos`, fails it on any other error. `why` names the feature
/// and the first Linux release that has it.
pub fn skip_on<T>(r: Result<T, Errno>, errnos: &[Errno], why: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) if errnos.contains(&e) => harness::skip!("{why} ({e:?})"),
        Err(e) => panic!("{why}: unexpected error {e:?}"),
    }
}

/// [`skip_on`] for a CQE's `res`: a negative errno in `errnos` skips the
/// test, another fails it; otherwise returns `res`.
pub fn skip_on_res(res: i32, errnos: &[Errno], why: &str) -> i32 {
    if res >= 0 {
        return res;
    }
    skip_on(Err(Errno(-res)), errnos, why)
}

// ---- host tools (strace, cargo, ...) that the kernel-matrix guests may
// lack: a missing tool skips the test, unless URING_REQUIRE_HOST_TOOLS=1
// (set by .ci/run for the host run), where it fails it.

/// The path of the executable `name` found in `PATH`. Without it the test
/// is skipped, or fails when the environment variable
/// `URING_REQUIRE_HOST_TOOLS` is `1`.
pub fn require_tool(name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| {
                std::fs::metadata(p)
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            })
    });
    match found {
        Some(p) => p,
        None => host_tool_unavailable(name, "not found in PATH"),
    }
}

/// Skips the test because host tool `name` cannot serve it (`why`), or
/// fails it when `URING_REQUIRE_HOST_TOOLS` is `1` (see [`require_tool`]).
pub fn host_tool_unavailable(name: &str, why: &str) -> ! {
    if std::env::var_os("URING_REQUIRE_HOST_TOOLS").is_some_and(|v| v == "1") {
        panic!("{name}: {why} (URING_REQUIRE_HOST_TOOLS=1: host tools are required)");
    }
    harness::skip!("needs the host tool {name}: {why}")
}

/// The distinct system call names in an `strace -f` log, sorted: one per
/// "[PID ]name(args) = ret" line; signal and exit lines are skipped.
pub fn strace_names(log: &str) -> Vec<&str> {
    let mut names: Vec<&str> = log
        .lines()
        .filter_map(|l| {
            let l = l
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start();
            let name = l.split('(').next()?;
            (!name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
            .then_some(name)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The ELF program headers' types (`PT_*`) of a 64-bit little-endian ELF.
pub fn program_header_types(elf: &[u8]) -> Vec<u32> {
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(elf[4], 2, "ELFCLASS64");
    assert_eq!(elf[5], 1, "little-endian");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    (0..phnum)
        .map(|i| {
            let o = phoff + i * phentsize;
            u32::from_le_bytes(elf[o..o + 4].try_into().unwrap())
        })
        .collect()
}
