//! An SQE decoder: prints an `io_uring_sqe` with each field under the name
//! the kernel gives it *for that opcode*, for people verifying layouts (and
//! for the byte-exact conformance tests, which name differing fields with
//! it). `no_std`, no allocation: [`Decoded`] borrows the bytes and formats
//! them on demand.
//!
//! - [`opcode_name`]: `40` → `"IORING_OP_MSG_RING"`.
//! - [`field_name`]: the name of the byte at an offset for an opcode, e.g.
//!   offset 24 of `IORING_OP_MSG_RING` is `"len (res)"`; unknown opcodes
//!   fall back to the generic `io_uring_sqe` member names (`"len"`).
//! - [`decode`] / [`decode_bytes`]: a [`Decoded`] whose `Display` (and
//!   `Debug`) prints one line per field: offset, name, value.
//!
//! Names come from the kernel's `io_*_prep()` functions (6.18) and the
//! comments of `io_uring.h`: e.g. for `IORING_OP_MSG_RING` the kernel reads
//! the target CQE's `user_data` from `off`, its `res` from `len`, the
//! command from `addr`, the source descriptor from `addr3` and the target
//! slot, or with `IORING_MSG_RING_FLAGS_PASS` the target CQE's flags, from
//! `file_index`.
//!
//! # 128-byte SQEs
//! A ring set up with `IORING_SETUP_SQE128`, or a `NOP128`/`URING_CMD128`
//! in an `IORING_SETUP_SQE_MIXED` ring, has 128-byte SQEs; `io_uring_sqe`
//! covers only the first 64 bytes. Use [`decode128`] on the ring's
//! [`Sqe128`], or pass all 128 bytes to [`decode_bytes`]:
//! bytes 64..128 print as four rows of 16 hex bytes, named `cmd[16..32]` ..
//! `cmd[64..80]` for `URING_CMD`/`URING_CMD128` (the tail of the 80-byte
//! command area that starts at byte 48) and `big sqe[64..80]` .. otherwise.
//! [`field_name`] uses the same names for offsets 64..128.
//!
//! # Example
//! ```
//! use bare_uring::{decode, prep, sys::io_uring_sqe};
//!
//! let mut sqe = io_uring_sqe::zeroed();
//! prep::msg_ring(&mut sqe, 7, 42, 0xfeed, 0);
//! assert_eq!(decode::opcode_name(sqe.opcode), Some("IORING_OP_MSG_RING"));
//! assert_eq!(decode::field_name(sqe.opcode, 4), "fd (target ring)");
//! let text = format!("{}", decode::decode(&sqe));
//! assert!(text.contains("len (res) = 42"));
//! assert!(text.contains("off (user_data for target) = 0xfeed"));
//! ```

mod layout;
mod names;

use core::fmt;

use crate::sq::Sqe128;
use bare_uring_sys::{
    io_uring_sqe, IOSQE_ASYNC_BIT, IOSQE_BUFFER_SELECT_BIT, IOSQE_CQE_SKIP_SUCCESS_BIT,
    IOSQE_FIXED_FILE_BIT, IOSQE_IO_DRAIN_BIT, IOSQE_IO_HARDLINK_BIT, IOSQE_IO_LINK_BIT,
};
use layout::{Fmt, Spec, BIG_ROWS, CMD_ROWS, GENERIC};

const SQE_SIZE: usize = 64;
const BIG_SQE_SIZE: usize = 128;
const _: () = assert!(core::mem::size_of::<io_uring_sqe>() == SQE_SIZE);
const _: () = assert!(core::mem::size_of::<Sqe128>() == BIG_SQE_SIZE);

/// The name of opcode `op` as in `io_uring.h` (`"IORING_OP_MSG_RING"`), or
/// `None` for a value that is no `IORING_OP_*` (>= `IORING_OP_LAST`).
///
/// Covers every `IORING_OP_*` of `bare_uring_sys` (liburing 2.15 / kernel 6.18).
#[inline]
pub fn opcode_name(op: u8) -> Option<&'static str> {
    names::opcode_name(op)
}

/// The name the kernel gives the SQE byte at `offset` for `opcode`.
///
/// Multi-byte fields give the same name for each of their bytes, and
/// distinct fields of one opcode have distinct names, so runs of equal names
/// delimit fields. Offsets 0..64: the opcode's own name for the member
/// (`"fd (target ring)"` for `IORING_OP_MSG_RING`), else the generic
/// `io_uring_sqe` member name (`"fd"`, `"off"`, `"rw_flags"`, `"addr3"`,
/// `"__pad2[0]"`, ...), which is also what unknown opcodes get. Offsets
/// 64..128 (128-byte SQEs): `"cmd[16..32]"` .. `"cmd[64..80]"` for
/// `URING_CMD`/`URING_CMD128`, `"big sqe[64..80]"` .. otherwise. Larger
/// offsets: `"(beyond a 128-byte SQE)"`.
pub fn field_name(opcode: u8, offset: usize) -> &'static str {
    if offset >= SQE_SIZE {
        let rows = if layout::big_is_cmd(opcode) {
            &CMD_ROWS
        } else {
            &BIG_ROWS
        };
        return match rows.get((offset - SQE_SIZE) / 16) {
            Some(name) => name,
            None => "(beyond a 128-byte SQE)",
        };
    }
    let covers = |s: &&Spec| {
        let off = s.off as usize;
        off <= offset && offset < off + s.size as usize
    };
    if let Some(s) = layout::specific(opcode).iter().find(covers) {
        return s.name;
    }
    match GENERIC.iter().find(covers) {
        Some(s) => s.name,
        None => "(beyond a 128-byte SQE)",
    }
}

/// Decodes a 64-byte SQE; print it with `{}` or `{:?}`.
///
/// Every byte of `sqe` must be initialised, as it is for SQEs from
/// `io_uring_sqe::zeroed()` or the ring's submission queue (the decoder reads
/// all 64 bytes, like the union accessors of `bare_uring_sys`).
pub fn decode(sqe: &io_uring_sqe) -> Decoded<'_> {
    // SAFETY: `io_uring_sqe` is 64 bytes (asserted above) of plain integers
    // and unions of integers with no padding, so its memory is 64 readable
    // bytes for as long as the borrow lives; every bit pattern is a valid u8.
    let bytes =
        unsafe { core::slice::from_raw_parts((sqe as *const io_uring_sqe).cast::<u8>(), SQE_SIZE) };
    Decoded { bytes }
}

/// Decodes a 128-byte SQE from [`Ring::get_sqe128`](crate::Ring::get_sqe128)
/// (all 128 bytes; see [`decode_bytes`] for the format of bytes 64..128).
///
/// As for [`decode`], every byte must be initialised (true of ring slots).
pub fn decode128(sqe: &Sqe128) -> Decoded<'_> {
    // SAFETY: `Sqe128` is `repr(C)`: a 64-byte `io_uring_sqe` (plain
    // integers, no padding) followed by `[u8; 64]`, 128 bytes in all
    // (asserted above); readable for as long as the borrow lives.
    let bytes =
        unsafe { core::slice::from_raw_parts((sqe as *const Sqe128).cast::<u8>(), BIG_SQE_SIZE) };
    Decoded { bytes }
}

/// Decodes raw SQE bytes: 64 for a normal SQE, 128 for a 128-byte SQE
/// (`IORING_SETUP_SQE128`, or `NOP128`/`URING_CMD128` in a mixed ring).
///
/// Bytes past 128 are ignored. A shorter slice is decoded as far as it
/// goes: fields it does not fully contain are not printed, and the output
/// says it was truncated. Values are read in native byte order, as the
/// kernel reads them.
pub fn decode_bytes(bytes: &[u8]) -> Decoded<'_> {
    let n = bytes.len().min(BIG_SQE_SIZE);
    Decoded {
        bytes: bytes.get(..n).unwrap_or(bytes),
    }
}

/// A decoded SQE (see [`decode`]); formats as the opcode name, then one
/// line per field: `+offset name = value`.
#[derive(Clone, Copy)]
pub struct Decoded<'a> {
    bytes: &'a [u8],
}

/// One field of a decoded SQE, as yielded by [`Decoded::fields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Byte offset in the SQE.
    pub offset: usize,
    /// Size in bytes (1, 2, 4 or 8).
    pub size: usize,
    /// The kernel's name for it under this opcode (see [`field_name`]).
    pub name: &'static str,
    /// The value, zero-extended, read in native byte order.
    pub value: u64,
}

impl<'a> Decoded<'a> {
    /// The opcode byte (`None` for an empty slice).
    pub fn opcode(&self) -> Option<u8> {
        self.bytes.first().copied()
    }

    /// The bytes being decoded (at most 128).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The fields of the first 64 bytes, in offset order, under their
    /// per-opcode names; fields the slice does not fully contain are left
    /// out. Bytes 64..128 are in [`Decoded::bytes`].
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            bytes: self.bytes,
            op: self.opcode().unwrap_or(0),
            generic: 0,
            sub: 0,
        }
    }
}

/// Iterator over the fields of a [`Decoded`] SQE.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    bytes: &'a [u8],
    op: u8,
    /// Index into `GENERIC` of the member being walked.
    generic: usize,
    /// Index of the next opcode-specific sub-field within that member.
    sub: usize,
}

impl Fields<'_> {
    /// The next field spec, without reading its value. Opcode-specific
    /// specs are listed in offset order (a unit test checks it) and each
    /// lies inside one generic member, which it replaces or tiles.
    fn next_spec(&mut self) -> Option<Spec> {
        loop {
            let g = *GENERIC.get(self.generic)?;
            let end = g.off + g.size;
            let mut inside = layout::specific(self.op)
                .iter()
                .filter(|s| s.off >= g.off && s.off < end);
            if let Some(s) = inside.nth(self.sub) {
                self.sub += 1;
                return Some(*s);
            }
            let plain = self.sub == 0;
            self.generic += 1;
            self.sub = 0;
            if plain {
                return Some(g);
            }
        }
    }

    /// The next field fully inside the bytes, with its value.
    fn next_field(&mut self) -> Option<(Spec, u64)> {
        loop {
            let spec = self.next_spec()?;
            if let Some(value) = read(self.bytes, spec.off as usize, spec.size as usize) {
                return Some((spec, value));
            }
        }
    }
}

impl Iterator for Fields<'_> {
    type Item = Field;

    fn next(&mut self) -> Option<Field> {
        let (spec, value) = self.next_field()?;
        Some(Field {
            offset: spec.off as usize,
            size: spec.size as usize,
            name: spec.name,
            value,
        })
    }
}

/// Reads `size` (<= 8) bytes at `off` as a native-endian unsigned integer.
fn read(bytes: &[u8], off: usize, size: usize) -> Option<u64> {
    let src = bytes.get(off..off.checked_add(size)?)?;
    let mut buf = [0u8; 8];
    let dst = if cfg!(target_endian = "little") {
        buf.get_mut(..size)?
    } else {
        buf.get_mut(8usize.checked_sub(size)?..)?
    };
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
    Some(u64::from_ne_bytes(buf))
}

/// Writes `v` (a `size`-byte integer) as a signed number.
fn write_signed(f: &mut fmt::Formatter<'_>, v: u64, size: usize) -> fmt::Result {
    match size {
        1 => write!(f, "{}", v as u8 as i8),
        2 => write!(f, "{}", v as u16 as i16),
        4 => write!(f, "{}", v as u32 as i32),
        _ => write!(f, "{}", v as i64),
    }
}

/// Writes the names of the `IOSQE_*` bits set in `flags`.
fn write_sqe_flags(f: &mut fmt::Formatter<'_>, flags: u64) -> fmt::Result {
    const NAMES: [(u32, &str); 7] = [
        (IOSQE_FIXED_FILE_BIT, "IOSQE_FIXED_FILE"),
        (IOSQE_IO_DRAIN_BIT, "IOSQE_IO_DRAIN"),
        (IOSQE_IO_LINK_BIT, "IOSQE_IO_LINK"),
        (IOSQE_IO_HARDLINK_BIT, "IOSQE_IO_HARDLINK"),
        (IOSQE_ASYNC_BIT, "IOSQE_ASYNC"),
        (IOSQE_BUFFER_SELECT_BIT, "IOSQE_BUFFER_SELECT"),
        (IOSQE_CQE_SKIP_SUCCESS_BIT, "IOSQE_CQE_SKIP_SUCCESS"),
    ];
    let mut sep = " (";
    let mut rest = flags;
    for (bit, name) in NAMES {
        let mask = 1u64 << bit;
        if flags & mask != 0 {
            write!(f, "{sep}{name}")?;
            sep = " | ";
            rest &= !mask;
        }
    }
    if rest != 0 {
        write!(f, "{sep}{rest:#x}")?;
        sep = " | ";
    }
    if sep == " | " {
        f.write_str(")")?;
    }
    Ok(())
}

impl fmt::Display for Decoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.opcode() {
            Some(op) => op,
            None => return f.write_str("(empty SQE: 0 bytes)"),
        };
        match opcode_name(op) {
            Some(name) => write!(f, "{name} ({op})")?,
            None => write!(f, "unknown opcode {op}")?,
        }
        let len = self.bytes.len();
        if len >= BIG_SQE_SIZE {
            f.write_str(", 128-byte SQE")?;
        } else if len < SQE_SIZE {
            write!(f, ", truncated: {len} of 64 bytes")?;
        }
        let mut fields = self.fields();
        while let Some((spec, value)) = fields.next_field() {
            write!(f, "\n  +{:<3} {} = ", spec.off, spec.name)?;
            match spec.fmt {
                Fmt::Dec => write!(f, "{value}")?,
                Fmt::Int => write_signed(f, value, spec.size as usize)?,
                Fmt::Hex => write!(f, "{value:#x}")?,
            }
            if spec.off == 1 {
                write_sqe_flags(f, value)?;
            }
        }
        if len >= BIG_SQE_SIZE {
            let tail = self.bytes.get(SQE_SIZE..BIG_SQE_SIZE).unwrap_or(&[]);
            for (row, chunk) in tail.chunks(16).enumerate() {
                let offset = SQE_SIZE + row * 16;
                write!(f, "\n  +{:<3} {} =", offset, field_name(op, offset))?;
                for b in chunk {
                    write!(f, " {b:02x}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Decoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests;
