//! Byte-exact comparison of `bare_uring::helpers` (`sqe_set_data`,
//! `sqe_set_data64`, `sqe_set_flags`, `sqe_set_buf_group`,
//! `initialize_sqe`, `cqe_get_data`, `cqe_get_data64`) with C liburing's
//! inline helpers (`tests/c/sqe_helpers_ref.c` wraps the vendored
//! `liburing.h`).
//!
//! Each SQE setter runs 2000 cases (`PROPTEST_CASES` overrides), each on
//! (a) a zeroed and (b) a randomly pre-filled SQE; all 64 bytes must be
//! identical, and a mismatch names the differing fields. The CQE getters
//! must return the same value as C for random CQEs.
//!
//! The seed is fixed (`0x5eed_2015`) so runs are reproducible;
//! `PROPTEST_RNG_SEED=<n>` runs another stream.
//!
//! Run: `cargo test --test sqe_helpers`

extern crate uring;

use std::ffi::c_void;

use bare_uring::helpers;
use bare_uring_sys::{io_uring_cqe, io_uring_sqe};
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseError};

mod common;
use common::strategies::{self, bytes, check_both, differing_fields, edged, s_ptr, s_u64};

extern "C" {
    fn ref_io_uring_sqe_set_data(sqe: *mut io_uring_sqe, data: *mut c_void);
    fn ref_io_uring_sqe_set_data64(sqe: *mut io_uring_sqe, data: u64);
    fn ref_io_uring_sqe_set_flags(sqe: *mut io_uring_sqe, flags: u32);
    fn ref_io_uring_sqe_set_buf_group(sqe: *mut io_uring_sqe, bgid: i32);
    fn ref_io_uring_initialize_sqe(sqe: *mut io_uring_sqe);
    fn ref_io_uring_cqe_get_data(cqe: *const io_uring_cqe) -> *mut c_void;
    fn ref_io_uring_cqe_get_data64(cqe: *const io_uring_cqe) -> u64;
}

/// 64 bytes, 8-aligned: exactly one `io_uring_sqe`.
type Sqe = [u64; 8];

const _: () = assert!(std::mem::size_of::<io_uring_sqe>() == std::mem::size_of::<Sqe>());

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(2000);
    if std::env::var_os("PROPTEST_CASES").is_some() {
        c.cases = ProptestConfig::default().cases;
    }
    if let RngSeed::Random = c.rng_seed {
        c.rng_seed = RngSeed::Fixed(0x5eed_2015);
    }
    c.failure_persistence = None;
    c
}

/// The generic name of the SQE field at byte `i` (io_uring.h layout).
fn field(i: usize) -> &'static str {
    match i {
        0 => "opcode",
        1 => "flags",
        2..=3 => "ioprio",
        4..=7 => "fd",
        8..=15 => "off/addr2",
        16..=23 => "addr/splice_off_in",
        24..=27 => "len",
        28..=31 => "op flags (rw_flags, ...)",
        32..=39 => "user_data",
        40..=41 => "buf_index/buf_group",
        42..=43 => "personality",
        44..=47 => "splice_fd_in/file_index",
        48..=55 => "addr3",
        _ => "__pad2",
    }
}

fn describe(name: &str, args: &str, label: &str, c: &Sqe, r: &Sqe) -> String {
    let (cb, rb) = (bytes(c), bytes(r));
    let lines = differing_fields(&cb, &rb, field);
    format!(
        "{name}({args}) on a {label} SQE differs from liburing in:\n{}",
        lines.join("\n")
    )
}

/// Applies the C and the Rust helper to copies of a zeroed and of the
/// pre-filled SQE; all 64 bytes must match.
fn check(
    name: &str,
    args: &str,
    pre: &Sqe,
    c: impl Fn(&mut io_uring_sqe),
    r: impl Fn(&mut io_uring_sqe),
) -> Result<(), TestCaseError> {
    check_both(pre, c, r, |label, a, b| describe(name, args, label, a, b))
}

fn prefill() -> impl Strategy<Value = Sqe> {
    strategies::prefill()
}
fn s_u32() -> impl Strategy<Value = u32> {
    edged(vec![
        0,
        1,
        0xff,
        0x100,
        0x1ff,
        u32::MAX,
        0x8000_0000,
        0xffff,
        0x1_0000,
    ])
}
fn s_i32() -> impl Strategy<Value = i32> {
    edged(vec![
        0,
        1,
        -1,
        i32::MIN,
        i32::MAX,
        0xffff,
        0x1_0000,
        0x1_2345,
        -0x1_0000,
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sqe_set_data_matches_liburing(data in s_ptr(), pre in prefill()) {
        let p = data as *mut c_void;
        check(
            "sqe_set_data",
            &format!("{data:#x}"),
            &pre,
            // SAFETY: the C helper writes only into the SQE it is given.
            |s| unsafe { ref_io_uring_sqe_set_data(s, p) },
            |s| helpers::sqe_set_data(s, p),
        )?;
    }

    #[test]
    fn sqe_set_data64_matches_liburing(data in s_u64(), pre in prefill()) {
        check(
            "sqe_set_data64",
            &format!("{data:#x}"),
            &pre,
            // SAFETY: the C helper writes only into the SQE it is given.
            |s| unsafe { ref_io_uring_sqe_set_data64(s, data) },
            |s| helpers::sqe_set_data64(s, data),
        )?;
    }

    #[test]
    fn sqe_set_flags_matches_liburing(flags in s_u32(), pre in prefill()) {
        check(
            "sqe_set_flags",
            &format!("{flags:#x}"),
            &pre,
            // SAFETY: the C helper writes only into the SQE it is given.
            |s| unsafe { ref_io_uring_sqe_set_flags(s, flags) },
            |s| helpers::sqe_set_flags(s, flags),
        )?;
    }

    #[test]
    fn sqe_set_buf_group_matches_liburing(bgid in s_i32(), pre in prefill()) {
        check(
            "sqe_set_buf_group",
            &format!("{bgid}"),
            &pre,
            // SAFETY: the C helper writes only into the SQE it is given.
            |s| unsafe { ref_io_uring_sqe_set_buf_group(s, bgid) },
            |s| helpers::sqe_set_buf_group(s, bgid),
        )?;
    }

    #[test]
    fn initialize_sqe_matches_liburing(pre in prefill()) {
        check(
            "initialize_sqe",
            "",
            &pre,
            // SAFETY: the C helper writes only into the SQE it is given.
            |s| unsafe { ref_io_uring_initialize_sqe(s) },
            helpers::initialize_sqe,
        )?;
    }

    #[test]
    fn cqe_getters_match_liburing(user_data in s_u64(), res in any::<i32>(), flags in s_u32()) {
        let cqe = io_uring_cqe { user_data, res, flags, ..Default::default() };
        // SAFETY: the C helpers only read the 16-byte CQE they are given.
        let (c_ptr, c_64) = unsafe { (ref_io_uring_cqe_get_data(&cqe), ref_io_uring_cqe_get_data64(&cqe)) };
        prop_assert_eq!(helpers::cqe_get_data(&cqe), c_ptr, "cqe_get_data, user_data {:#x}", user_data);
        prop_assert_eq!(helpers::cqe_get_data64(&cqe), c_64, "cqe_get_data64, user_data {:#x}", user_data);
    }
}
