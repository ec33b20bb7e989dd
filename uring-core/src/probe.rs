//! Which opcodes this kernel supports: [`Probe`], an `io_uring_probe` with
//! room for every opcode our headers know (`IORING_OP_LAST`) inline, so
//! probing allocates nothing.
//!
//! ```no_run
//! use bare_uring::{sys, Ring};
//! # fn f(ring: &Ring) -> Result<(), bare_uring::Errno> {
//! let probe = ring.get_probe_ring()?;
//! if probe.opcode_supported(sys::IORING_OP_SEND_ZC) {
//!     // use send_zc
//! }
//! for op in probe.supported_ops() {
//!     let _ = op; // an IORING_OP_* value
//! }
//! # Ok(()) }
//! ```

use crate::{Errno, Ring};
use bare_uring_sys::{io_uring_probe, io_uring_probe_op, IORING_OP_LAST, IO_URING_OP_SUPPORTED};

/// Number of op slots in a [`Probe`]: `IORING_OP_LAST` of the headers
/// (opcodes a newer kernel adds beyond it are not reported).
pub const PROBE_OPS: usize = IORING_OP_LAST as usize;

/// An `io_uring_probe` followed by [`PROBE_OPS`] `io_uring_probe_op`s, as
/// `IORING_REGISTER_PROBE` fills it. Plain data: `Copy`, no allocation.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Probe {
    hdr: ProbeHeader,
    ops: [io_uring_probe_op; PROBE_OPS],
}

/// `io_uring_probe` without its flexible array (which is zero-sized and not
/// `Copy` in the bindings). Same layout: 16 bytes, align 4.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct ProbeHeader {
    last_op: u8,
    ops_len: u8,
    resv: u16,
    resv2: [u32; 3],
}

const _: () = {
    assert!(core::mem::size_of::<ProbeHeader>() == core::mem::size_of::<io_uring_probe>());
    assert!(core::mem::align_of::<ProbeHeader>() == core::mem::align_of::<io_uring_probe>());
    assert!(core::mem::size_of::<Probe>() == 16 + 8 * PROBE_OPS);
};

impl Default for Probe {
    fn default() -> Self {
        Self::new()
    }
}

impl Probe {
    /// An all-zero probe (what the kernel requires before filling it).
    pub const fn new() -> Self {
        Probe {
            hdr: ProbeHeader {
                last_op: 0,
                ops_len: 0,
                resv: 0,
                resv2: [0; 3],
            },
            ops: [io_uring_probe_op {
                op: 0,
                resv: 0,
                flags: 0,
                resv2: 0,
            }; PROBE_OPS],
        }
    }

    /// The highest opcode the kernel knows (`p->last_op`), which may exceed
    /// what this probe has room for.
    pub fn last_op(&self) -> u8 {
        self.hdr.last_op
    }

    /// How many op entries the kernel filled (`p->ops_len`).
    pub fn ops_len(&self) -> u8 {
        self.hdr.ops_len
    }

    /// The filled op entries (at most [`PROBE_OPS`]).
    pub fn ops(&self) -> &[io_uring_probe_op] {
        let n = (self.hdr.ops_len as usize).min(PROBE_OPS);
        self.ops.get(..n).unwrap_or(&[])
    }

    /// Whether opcode `op` (`IORING_OP_*`) is supported.
    ///
    /// Mirrors `io_uring_opcode_supported()` (liburing). Kernel: 5.6+.
    pub fn opcode_supported(&self, op: u32) -> bool {
        if op > self.hdr.last_op as u32 {
            return false;
        }
        self.ops()
            .get(op as usize)
            .is_some_and(|o| o.flags as u32 & IO_URING_OP_SUPPORTED != 0)
    }

    /// The supported opcodes, in increasing order.
    pub fn supported_ops(&self) -> impl Iterator<Item = u32> + '_ {
        self.ops()
            .iter()
            .filter(|o| o.flags as u32 & IO_URING_OP_SUPPORTED != 0)
            .map(|o| o.op as u32)
    }

    /// Pointer for [`Ring::register_probe`] (header, then [`PROBE_OPS`]
    /// entries).
    pub fn as_mut_ptr(&mut self) -> *mut io_uring_probe {
        (self as *mut Probe).cast()
    }
}

impl core::fmt::Debug for Probe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Probe")
            .field("last_op", &self.hdr.last_op)
            .field("ops_len", &self.hdr.ops_len)
            .field("supported", &ProbeList(self))
            .finish()
    }
}

struct ProbeList<'a>(&'a Probe);

impl core::fmt::Debug for ProbeList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.0.supported_ops()).finish()
    }
}

impl Ring {
    /// Fills `probe` (zeroing it first) with this kernel's opcodes.
    /// Kernel: 5.6+.
    ///
    /// Errors: `EINVAL` (kernel without probe support).
    pub fn register_probe_into(&self, probe: &mut Probe) -> Result<(), Errno> {
        *probe = Probe::new();
        // SAFETY: `probe` is zeroed and has room for the header plus
        // PROBE_OPS entries, the count we pass.
        unsafe { self.register_probe(probe.as_mut_ptr(), PROBE_OPS as u32) }
    }

    /// Returns which opcodes this kernel supports, without allocating.
    ///
    /// Mirrors `io_uring_get_probe_ring()` (liburing, which allocates).
    /// Kernel: 5.6+.
    pub fn get_probe_ring(&self) -> Result<Probe, Errno> {
        let mut p = Probe::new();
        self.register_probe_into(&mut p)?;
        Ok(p)
    }
}

/// Returns which opcodes this kernel supports, using a temporary 2-entry
/// ring (set up and dropped here), without allocating.
///
/// Mirrors `io_uring_get_probe()` (liburing, which allocates).
/// Kernel: 5.6+.
///
/// Errors: those of [`Ring::queue_init`] and [`Ring::get_probe_ring`].
pub fn get_probe() -> Result<Probe, Errno> {
    Ring::queue_init(2, 0)?.get_probe_ring()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe as the kernel would fill it for `last_op`, with `ops_len`
    /// entries and the given opcodes marked supported.
    fn filled(last_op: u8, ops_len: u8, supported: &[u8]) -> Probe {
        let mut p = Probe::new();
        p.hdr.last_op = last_op;
        p.hdr.ops_len = ops_len;
        for (i, o) in p.ops.iter_mut().enumerate().take(ops_len as usize) {
            o.op = i as u8;
            if supported.contains(&(i as u8)) {
                o.flags = IO_URING_OP_SUPPORTED as u16;
            }
        }
        p
    }

    #[test]
    fn empty_probe_supports_nothing() {
        let p = Probe::new();
        assert!(!p.opcode_supported(0));
        assert_eq!(p.supported_ops().count(), 0);
        assert!(p.ops().is_empty());
    }

    #[test]
    fn answers_follow_flags_and_bounds() {
        let p = filled(9, 10, &[0, 3, 9]);
        assert!(p.opcode_supported(0) && p.opcode_supported(3) && p.opcode_supported(9));
        assert!(!p.opcode_supported(1) && !p.opcode_supported(10));
        assert!(p.supported_ops().eq([0, 3, 9]));
        // ops_len beyond our room is clamped, never read out of bounds.
        let mut q = filled(200, PROBE_OPS as u8, &[1]);
        q.hdr.ops_len = 255;
        assert_eq!(q.ops().len(), PROBE_OPS);
        assert!(!q.opcode_supported(150));
        assert!(q.opcode_supported(1));
    }
}
