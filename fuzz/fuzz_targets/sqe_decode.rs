//! The SQE decoder (`bare_uring::decode`) over arbitrary bytes: 0 to 128+
//! bytes, any opcode, any field values. It must never panic, and decoding a
//! full 64-byte SQE through `decode` and `decode_bytes` must agree.
#![no_main]

use bare_uring::decode::{decode, decode_bytes, field_name, opcode_name};
use bare_uring::sys::io_uring_sqe;
use libfuzzer_sys::fuzz_target;
use std::fmt::Write as _;

fuzz_target!(|data: &[u8]| {
    let d = decode_bytes(data);
    let mut s = String::new();
    write!(s, "{d}").unwrap();
    write!(s, "{d:?}").unwrap();
    let _ = d.opcode();
    assert!(d.bytes().len() <= 128);
    for f in d.fields() {
        write!(s, "{f:?}").unwrap();
    }
    if let Some(&op) = data.first() {
        let _ = opcode_name(op);
        let off = data.get(1).copied().unwrap_or(0) as usize;
        let _ = field_name(op, off);
    }
    if data.len() >= 64 {
        let mut sqe = io_uring_sqe::zeroed();
        // SAFETY: io_uring_sqe is 64 bytes of integers: any bytes are a
        // valid value; source and destination do not overlap.
        unsafe {
            core::ptr::copy_nonoverlapping(
                data.as_ptr(),
                (&mut sqe as *mut io_uring_sqe).cast(),
                64,
            )
        };
        let a = format!("{}", decode(&sqe));
        let b = format!("{}", decode_bytes(&data[..64]));
        assert_eq!(a, b);
    }
});
