//! Byte-exact conformance of `bare_uring::prep::*` with C liburing 2.15.
//!
//! `build.rs` reads every `io_uring_prep_*` from the vendored liburing.h,
//! compiles a C wrapper for each (`ref_io_uring_prep_X`) and generates one
//! proptest case per helper that has a Rust twin. Each case draws
//! `URING_CONFORMANCE_CASES` (default 2000) argument sets — edge values (0,
//! 1, -1, MIN/MAX, `IORING_FILE_INDEX_ALLOC`, null and non-null pointers)
//! mixed with random ones — and applies C and Rust to (a) a zeroed and (b) a
//! randomly pre-filled 128-byte SQE buffer; all 128 bytes must be equal.
//! A failure is shrunk to a minimal case and names the helper, the
//! arguments and the differing fields, decoded for that opcode.
//!
//! Replay: the run prints its seed; `URING_CONFORMANCE_SEED=<n>` reruns it.

extern crate uring;

use bare_uring_sys::io_uring_sqe;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

mod common;
use common::strategies::{self, as_sqe, bytes, check_both, differing_fields, edged, s_ptr, s_u64};

type CaseFn = fn(&mut TestRunner) -> Result<(), String>;
type OpFn = fn() -> u8;
type Sqe = [u64; 16];

const FILE_INDEX_ALLOC: u32 = bare_uring_sys::IORING_FILE_INDEX_ALLOC;

fn s_i32() -> impl Strategy<Value = i32> {
    edged(vec![
        0,
        1,
        -1,
        2,
        i32::MIN,
        i32::MAX,
        FILE_INDEX_ALLOC as i32,
        -100,
    ])
}
fn s_u32() -> impl Strategy<Value = u32> {
    edged(vec![
        0,
        1,
        2,
        u32::MAX,
        FILE_INDEX_ALLOC - 1,
        0x8000_0000,
        0xffff,
        0x1_0000,
    ])
}
fn s_u16() -> impl Strategy<Value = u16> {
    edged(vec![0, 1, u16::MAX, 0x8000])
}
fn s_i64() -> impl Strategy<Value = i64> {
    edged(vec![
        0,
        1,
        -1,
        i64::MIN,
        i64::MAX,
        u32::MAX as i64,
        i32::MIN as i64,
    ])
}
fn s_usize() -> impl Strategy<Value = usize> {
    edged(vec![
        0,
        1,
        usize::MAX,
        u32::MAX as usize,
        1 << 32,
        u16::MAX as usize + 1,
    ])
}
fn prefill() -> impl Strategy<Value = Sqe> {
    strategies::prefill()
}

/// Describe which fields differ, under the names the kernel gives them for
/// this opcode.
fn describe(name: &str, args: &str, label: &str, c: &Sqe, r: &Sqe) -> String {
    let (cb, rb) = (bytes(c), bytes(r));
    let op = cb[0];
    let fields = differing_fields(&cb, &rb, |i| bare_uring::decode::field_name(op, i));
    let mut cs = *c;
    let mut rs = *r;
    format!(
        "{name}({args}) on a {label} SQE differs from liburing in:\n{}\nC:    {}\nRust: {}",
        fields.join("\n"),
        bare_uring::decode::decode(as_sqe(&mut cs)),
        bare_uring::decode::decode(as_sqe(&mut rs)),
    )
}

fn check(
    name: &str,
    args: &dyn Fn() -> String,
    pre: &Sqe,
    c: impl Fn(&mut io_uring_sqe),
    r: impl Fn(&mut io_uring_sqe),
) -> Result<(), TestCaseError> {
    check_both(pre, c, r, |label, a, b| {
        describe(name, &args(), label, a, b)
    })
}

include!(concat!(env!("OUT_DIR"), "/prep_cases.rs"));

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner_for(seed: u64, helper: &str, cases: u32) -> TestRunner {
    // One independent, replayable stream per helper: the run seed mixed
    // with the helper's name (FNV-1a).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in helper.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    let mut key = [0u8; 32];
    for (i, k) in key.chunks_mut(8).enumerate() {
        k.copy_from_slice(&(h.rotate_left(i as u32 * 17) ^ i as u64).to_le_bytes());
    }
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key))
}

fn opcode_label(op: u8) -> String {
    match bare_uring::decode::opcode_name(op) {
        Some(n) => n.trim_start_matches("IORING_OP_").to_string(),
        None => format!("{op}"),
    }
}

#[test]
fn prep_helpers_match_liburing_byte_for_byte() {
    let seed = env_u64("URING_CONFORMANCE_SEED", 0x5eed_2015);
    let cases = env_u64("URING_CONFORMANCE_CASES", 2000) as u32;
    println!("conformance seed {seed} (URING_CONFORMANCE_SEED), {cases} cases per helper");
    println!("{:<28} {:<18} {:>6}  result", "helper", "opcode", "cases");
    let mut failures = Vec::new();
    for (name, opcode, case) in CASES {
        let mut runner = runner_for(seed, name, cases);
        let result = case(&mut runner);
        // The opcode liburing writes with all-zero arguments (prep_rw takes it as one).
        let op = if *name == "rw" {
            "(argument)".into()
        } else {
            opcode_label(opcode())
        };
        match &result {
            Ok(()) => println!("{name:<28} {op:<18} {:>6}  ok", cases * 2),
            Err(e) => {
                println!("{name:<28} {op:<18} {:>6}  MISMATCH", cases * 2);
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    println!(
        "{} helpers compared ({} SQEs each, zeroed + pre-filled), {} missing a Rust twin",
        CASES.len(),
        cases * 2,
        MISSING.len()
    );
    assert!(
        failures.is_empty(),
        "{} helpers differ from liburing:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_liburing_prep_helper_has_a_rust_twin() {
    println!(
        "{} prep helpers in liburing.h, {} with a Rust twin",
        HEADER_HELPERS.len(),
        CASES.len()
    );
    assert!(
        UNMAPPED.is_empty(),
        "generator cannot map parameter types of: {UNMAPPED:?}"
    );
    assert!(
        MISSING.is_empty(),
        "{} liburing prep helpers lack a Rust twin: {MISSING:?}",
        MISSING.len()
    );
    assert_eq!(HEADER_HELPERS.len(), CASES.len());
}
