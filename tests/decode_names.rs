//! The decoder's opcode names against every `IORING_OP_*` constant in the
//! committed bindings. It lives here, not beside the decoder, because it
//! reads `uring-sys/src/bindings.rs`, a file outside the `bare-uring`
//! package: the packaged crate's unit tests must compile on their own.

use bare_uring::decode::opcode_name;
use bare_uring_sys::*;

#[test]
fn opcode_names_match_every_ioring_op_in_bindings() {
    let src = include_str!("../uring-sys/src/bindings.rs");
    let mut seen = 0;
    for line in src.lines() {
        let Some(rest) = line.strip_prefix("pub const IORING_OP_") else {
            continue;
        };
        let Some((name, value)) = rest.split_once(": io_uring_op = ") else {
            continue;
        };
        let value: u32 = value.trim_end_matches(';').parse().unwrap();
        if name == "LAST" {
            assert_eq!(value, IORING_OP_LAST);
            continue;
        }
        let full = format!("IORING_OP_{name}");
        assert_eq!(
            opcode_name(value as u8),
            Some(full.as_str()),
            "opcode {value}"
        );
        seen += 1;
    }
    assert_eq!(seen, IORING_OP_LAST as usize, "every opcode below LAST");
    for op in IORING_OP_LAST..=255 {
        assert_eq!(opcode_name(op as u8), None, "opcode {op}");
    }
    // Spot checks against the numbering of enum io_uring_op in io_uring.h.
    assert_eq!(opcode_name(0), Some("IORING_OP_NOP"));
    assert_eq!(opcode_name(40), Some("IORING_OP_MSG_RING"));
    assert_eq!(opcode_name(64), Some("IORING_OP_URING_CMD128"));
}
