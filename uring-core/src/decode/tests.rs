//! Unit tests of the decoder. Expected names come from the kernel's prep
//! functions (see `layout.rs`), expected values from the arguments given.

extern crate std;

use std::format;
use std::string::String;
use std::vec::Vec;

use super::layout::{self, GENERIC};
use super::*;
use crate::prep;
use bare_uring_sys::*;

fn text(sqe: &io_uring_sqe) -> String {
    format!("{}", decode(sqe))
}

#[test]
fn generic_members_cover_64_bytes_in_order() {
    let mut at = 0;
    for g in GENERIC {
        assert_eq!(g.off as usize, at, "{}", g.name);
        at += g.size as usize;
    }
    assert_eq!(at, 64);
}

#[test]
fn every_layout_tiles_the_generic_members() {
    for op in 0..=255u8 {
        let specs = layout::specific(op);
        for w in specs.windows(2) {
            assert!(
                w[0].off < w[1].off,
                "op {op}: {} before {}",
                w[0].name,
                w[1].name
            );
        }
        for g in GENERIC {
            let (start, end) = (g.off, g.off + g.size);
            let inside: Vec<_> = specs
                .iter()
                .filter(|s| s.off >= start && s.off < end)
                .collect();
            if inside.is_empty() {
                continue;
            }
            let mut at = start;
            for s in &inside {
                assert_eq!(s.off, at, "op {op}: {} does not tile {}", s.name, g.name);
                at += s.size;
            }
            assert_eq!(at, end, "op {op}: fields inside {} do not fill it", g.name);
        }
        // The fields iterator covers 0..64 contiguously, names unique.
        let mut sqe = io_uring_sqe::zeroed();
        sqe.opcode = op;
        let fields: Vec<Field> = decode(&sqe).fields().collect();
        let mut at = 0;
        for (i, f) in fields.iter().enumerate() {
            assert_eq!(f.offset, at, "op {op}: {}", f.name);
            at += f.size;
            for byte in f.offset..f.offset + f.size {
                assert_eq!(field_name(op, byte), f.name, "op {op} byte {byte}");
            }
            assert!(
                fields[..i].iter().all(|g| g.name != f.name),
                "op {op}: {} twice",
                f.name
            );
        }
        assert_eq!(at, 64, "op {op}");
    }
}

#[test]
fn msg_ring_names_target_fd_res_user_data_flags() {
    let mut sqe = io_uring_sqe::zeroed();
    prep::msg_ring(&mut sqe, 7, 42, 0xfeed, IORING_MSG_RING_CQE_SKIP);
    let t = text(&sqe);
    assert!(t.starts_with("IORING_OP_MSG_RING (40)\n"), "{t}");
    assert!(t.contains("\n  +4   fd (target ring) = 7\n"), "{t}");
    assert!(
        t.contains("\n  +8   off (user_data for target) = 0xfeed\n"),
        "{t}"
    );
    assert!(
        t.contains("\n  +16  addr (IORING_MSG_DATA / IORING_MSG_SEND_FD) = 0\n"),
        "{t}"
    );
    assert!(t.contains("\n  +24  len (res) = 42\n"), "{t}");
    assert!(
        t.contains("\n  +28  msg_ring_flags (IORING_MSG_RING_*) = 0x1\n"),
        "{t}"
    );
    assert_eq!(field_name(sqe.opcode, 24), "len (res)");
    assert_eq!(
        field_name(sqe.opcode, 31),
        "msg_ring_flags (IORING_MSG_RING_*)"
    );
    assert_eq!(
        field_name(sqe.opcode, 44),
        "file_index (target slot + 1 / cqe flags)"
    );
    assert_eq!(field_name(sqe.opcode, 48), "addr3 (source fixed fd)");
    // Not named by MSG_RING: generic names.
    assert_eq!(field_name(sqe.opcode, 32), "user_data");
    assert_eq!(field_name(sqe.opcode, 42), "personality");
}

#[test]
fn msg_ring_fd_names_source_and_target_slot() {
    let mut sqe = io_uring_sqe::zeroed();
    prep::msg_ring_fd(&mut sqe, 3, -1, 5, 9, 0);
    let t = text(&sqe);
    assert!(
        t.contains("\n  +16  addr (IORING_MSG_DATA / IORING_MSG_SEND_FD) = 1\n"),
        "{t}"
    );
    assert!(
        t.contains("\n  +44  file_index (target slot + 1 / cqe flags) = 0x6\n"),
        "{t}"
    );
    assert!(t.contains("\n  +48  addr3 (source fixed fd) = -1\n"), "{t}");
}

#[test]
fn send_zc_fixed_names_ioprio_and_buffer() {
    let mut sqe = io_uring_sqe::zeroed();
    prep::send_zc_fixed(&mut sqe, 9, core::ptr::null(), 100, 0, 0, 3);
    let t = text(&sqe);
    assert!(
        t.contains("ioprio (IORING_RECVSEND_* / IORING_SEND_ZC_* flags) = 0x4\n"),
        "{t}"
    );
    assert!(
        t.contains("\n  +40  buf_index (IORING_RECVSEND_FIXED_BUF) / buf_group = 3\n"),
        "{t}"
    );
    assert!(t.contains("\n  +24  len (bytes) = 100\n"), "{t}");
}

#[test]
fn uring_cmd_splits_off_into_cmd_op_and_pad1() {
    let mut sqe = io_uring_sqe::zeroed();
    prep::cmd_discard(&mut sqe, 4, 4096, 8192);
    assert_eq!(field_name(sqe.opcode, 8), "cmd_op");
    assert_eq!(field_name(sqe.opcode, 12), "__pad1");
    let t = text(&sqe);
    assert!(t.contains("\n  +8   cmd_op = 0x1200\n"), "{t}");
    assert!(t.contains("\n  +12  __pad1 = 0x0\n"), "{t}");
    assert!(
        t.contains("\n  +48  cmd[0..8] (optval / addr3: discard length) = 0x2000\n"),
        "{t}"
    );
}

#[test]
fn unknown_opcodes_use_generic_names() {
    let mut sqe = io_uring_sqe::zeroed();
    sqe.opcode = 200;
    sqe.fd = -3;
    sqe.len = 5;
    for (off, name) in [
        (0, "opcode"),
        (4, "fd"),
        (8, "off"),
        (28, "rw_flags"),
        (44, "file_index"),
        (56, "__pad2[0]"),
    ] {
        assert_eq!(field_name(200, off), name);
    }
    let t = text(&sqe);
    assert!(t.starts_with("unknown opcode 200\n"), "{t}");
    assert!(t.contains("\n  +4   fd = -3\n"), "{t}");
    assert!(t.contains("\n  +24  len = 5\n"), "{t}");
}

#[test]
fn big_sqe_tail_is_named_and_printed() {
    let mut raw = [0u8; 128];
    raw[0] = IORING_OP_URING_CMD128 as u8;
    raw[64] = 0xab;
    raw[127] = 0xcd;
    let t = format!("{}", decode_bytes(&raw));
    assert!(
        t.starts_with("IORING_OP_URING_CMD128 (64), 128-byte SQE\n"),
        "{t}"
    );
    assert!(t.contains("\n  +64  cmd[16..32] = ab 00 00"), "{t}");
    assert!(t.ends_with(" 00 cd"), "{t}");
    assert_eq!(field_name(IORING_OP_URING_CMD128 as u8, 127), "cmd[64..80]");
    assert_eq!(field_name(IORING_OP_URING_CMD as u8, 80), "cmd[32..48]");
    assert_eq!(field_name(IORING_OP_NOP128 as u8, 100), "big sqe[96..112]");
    assert_eq!(
        field_name(IORING_OP_NOP128 as u8, 128),
        "(beyond a 128-byte SQE)"
    );
    // The same through the ring's 128-byte SQE type.
    let mut wide = crate::sq::Sqe128 {
        sqe: io_uring_sqe::zeroed(),
        ext: [0; 64],
    };
    prep::uring_cmd128(&mut wide, 0x11, 3);
    wide.ext[0] = 0xab;
    wide.ext[63] = 0xcd;
    let t2 = format!("{}", decode128(&wide));
    assert!(
        t2.starts_with("IORING_OP_URING_CMD128 (64), 128-byte SQE\n"),
        "{t2}"
    );
    assert!(t2.contains("\n  +8   cmd_op = 0x11\n"), "{t2}");
    assert!(t2.contains("\n  +64  cmd[16..32] = ab 00 00"), "{t2}");
    assert!(t2.ends_with(" 00 cd"), "{t2}");
    // Longer slices are cut to 128 bytes.
    let long = [0u8; 300];
    assert_eq!(decode_bytes(&long).bytes().len(), 128);
}

#[test]
fn short_slices_decode_what_they_hold() {
    let raw = [IORING_OP_MSG_RING as u8, 0, 0, 0, 7, 0, 0, 0, 1, 2];
    let t = format!("{}", decode_bytes(&raw));
    assert!(
        t.starts_with("IORING_OP_MSG_RING (40), truncated: 10 of 64 bytes\n"),
        "{t}"
    );
    assert!(t.ends_with("\n  +4   fd (target ring) = 7"), "{t}");
    assert_eq!(format!("{}", decode_bytes(&[])), "(empty SQE: 0 bytes)");
    let full = [0x5au8; 130];
    for n in 0..=full.len() {
        let d = decode_bytes(&full[..n]);
        let _ = format!("{d}");
        assert!(d.fields().all(|f| f.offset + f.size <= n));
    }
}

#[test]
fn sqe_flags_are_spelled_out() {
    let mut sqe = io_uring_sqe::zeroed();
    sqe.flags = (1 << IOSQE_IO_LINK_BIT | 1 << IOSQE_ASYNC_BIT | 0x80) as u8;
    let t = text(&sqe);
    assert!(
        t.contains("\n  +1   flags = 0x94 (IOSQE_IO_LINK | IOSQE_ASYNC | 0x80)\n"),
        "{t}"
    );
    let plain = text(&io_uring_sqe::zeroed());
    assert!(plain.contains("\n  +1   flags = 0x0\n"), "{plain}");
}

#[test]
fn debug_is_display() {
    let mut sqe = io_uring_sqe::zeroed();
    prep::listen(&mut sqe, 3, 128);
    let d = decode(&sqe);
    assert_eq!(format!("{d:?}"), format!("{d}"));
    assert!(format!("{d}").contains("\n  +24  len (backlog) = 128\n"));
}
