//! Run-time checks for provided buffer rings, decided by the kernel's own
//! answers on a throwaway ring (never `uname`): an unknown register opcode
//! (`IORING_REGISTER_PBUF_RING` before 5.19, `IORING_REGISTER_PBUF_STATUS`
//! before 6.8) and an unknown `io_uring_buf_reg.flags` bit
//! (`IOU_PBUF_RING_MMAP` before 6.4, `IOU_PBUF_RING_INC` before 6.12) are
//! all answered with `EINVAL`.

use bare_uring::{Errno, Ring};

use super::harness;

/// A group id no test uses, for the throwaway registrations (below 2048:
/// the mmap offset of a kernel-allocated ring has 11 bits for the id).
const PROBE_BGID: u16 = 0x7fe;
/// Entries of the throwaway rings.
const PROBE_ENTRIES: u32 = 8;

fn probe_ring() -> Ring {
    Ring::queue_init(2, 0).expect("a plain ring to probe buffer rings on")
}

/// Registers (and frees) a small buffer ring with `flags` on a fresh
/// ring: the kernel's answer.
fn try_buf_ring(flags: u32) -> Result<(), Errno> {
    let ring = probe_ring();
    let br = ring.setup_buf_ring(PROBE_ENTRIES, PROBE_BGID, flags)?;
    // SAFETY: set up just above for PROBE_BGID with PROBE_ENTRIES entries; unused.
    unsafe { ring.free_buf_ring(br, PROBE_ENTRIES, PROBE_BGID) }
}

/// Skips the test unless the kernel has provided buffer rings
/// (`IORING_REGISTER_PBUF_RING`, Linux 5.19+).
pub fn require_buf_ring() {
    match try_buf_ring(0) {
        Ok(()) => {}
        Err(Errno::EINVAL) => harness::skip!(
            "provided buffer rings (IORING_REGISTER_PBUF_RING) need Linux 5.19+ \
             (io_uring_register: EINVAL)"
        ),
        Err(e) => panic!("registering a buffer ring: {e:?}"),
    }
}

/// Whether the kernel accepts buffer rings registered with `flag`
/// (`IOU_PBUF_RING_*`). Needs buffer rings ([`require_buf_ring`]).
pub fn has_buf_ring_flag(flag: u32) -> bool {
    match try_buf_ring(flag) {
        Ok(()) => true,
        Err(Errno::EINVAL) | Err(Errno::EFAULT) => false,
        Err(e) => panic!("registering a buffer ring with flags {flag:#x}: {e:?}"),
    }
}

/// Skips the test unless the kernel has buffer rings and accepts the
/// registration flag `flag` (`IOU_PBUF_RING_*`, spelled `name`, first in
/// Linux `since`).
pub fn require_buf_ring_flag(flag: u32, name: &str, since: &str) {
    require_buf_ring();
    match try_buf_ring(flag) {
        Ok(()) => {}
        // Before 6.4 the flags were a `pad` field that must be 0 (EINVAL);
        // a kernel that ignored IOU_PBUF_RING_MMAP would see ring_addr 0
        // (EFAULT).
        Err(e @ Errno::EINVAL) | Err(e @ Errno::EFAULT) => {
            harness::skip!("{name} needs Linux {since}+ (IORING_REGISTER_PBUF_RING with it: {e:?})")
        }
        Err(e) => panic!("registering a buffer ring with {name}: {e:?}"),
    }
}

/// Whether the kernel answers buffer ring status queries
/// (`IORING_REGISTER_PBUF_STATUS`, Linux 6.8+: `Ring::buf_ring_head`,
/// `BufRing::available`, `buf_ring_available`). Needs buffer rings.
pub fn has_buf_ring_status() -> bool {
    let ring = probe_ring();
    let br = ring
        .setup_buf_ring(PROBE_ENTRIES, PROBE_BGID, 0)
        .expect("a buffer ring to query (call require_buf_ring first)");
    let r = ring.buf_ring_head(PROBE_BGID);
    // SAFETY: set up just above for PROBE_BGID with PROBE_ENTRIES entries; unused.
    unsafe { ring.free_buf_ring(br, PROBE_ENTRIES, PROBE_BGID) }.unwrap();
    match r {
        Ok(0) => true,
        Err(Errno::EINVAL) => false,
        other => panic!("IORING_REGISTER_PBUF_STATUS on a fresh group: {other:?}"),
    }
}

/// Skips the test unless the kernel has buffer rings and their status
/// query (`IORING_REGISTER_PBUF_STATUS`, Linux 6.8+).
pub fn require_buf_ring_status() {
    require_buf_ring();
    if !has_buf_ring_status() {
        harness::skip!(
            "buffer ring status (IORING_REGISTER_PBUF_STATUS) needs Linux 6.8+ \
             (io_uring_register: EINVAL)"
        );
    }
}

/// Whether group `bgid` of `ring` is registered: its status query where the
/// kernel has it (`Ok` / `ENOENT`), else whether registering the id again
/// is refused with `EEXIST` (a successful probe registration is undone).
pub fn group_registered(ring: &Ring, bgid: u16) -> bool {
    match ring.buf_ring_head(bgid) {
        Ok(_) => return true,
        Err(Errno::ENOENT) => return false,
        Err(Errno::EINVAL) => {}
        Err(e) => panic!("IORING_REGISTER_PBUF_STATUS for group {bgid}: {e:?}"),
    }
    match ring.setup_buf_ring(1, bgid, 0) {
        Ok(br) => {
            // SAFETY: registered just above for `bgid` with one entry; unused.
            unsafe { ring.free_buf_ring(br, 1, bgid) }.unwrap();
            false
        }
        Err(Errno::EEXIST) => true,
        Err(e) => panic!("probing group {bgid} by registering it again: {e:?}"),
    }
}

/// Asserts what the kernel knows of group `bgid` of `ring`: its head
/// (`Ok`) or that it is not registered (`ENOENT`), through
/// `IORING_REGISTER_PBUF_STATUS` where the kernel has it (6.8+); before
/// that only whether it is registered ([`group_registered`]).
pub fn assert_group(ring: &Ring, bgid: u16, expect: Result<u16, Errno>, what: &str) {
    if has_buf_ring_status() {
        assert_eq!(ring.buf_ring_head(bgid), expect, "{what}");
    } else {
        assert_eq!(group_registered(ring, bgid), expect.is_ok(), "{what}");
    }
}
