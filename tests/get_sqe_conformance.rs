//! `get_sqe` + prep against liburing's `io_uring_get_sqe` + prep, byte for
//! byte, on slots that still hold a previous request's (random) bytes.
//!
//! liburing's `io_uring_get_sqe` initialises some fields
//! (`io_uring_initialize_sqe`) and leaves the rest to the prep helper; ours
//! must do the same, so that each byte is written once and the result is
//! liburing's. For every prep helper (the cases `build.rs` generates for
//! `tests/prep_conformance.rs`), each case pre-fills a slot of a real ring
//! (an SQE128 ring, whose SQE array is mapped writable, so the test can
//! write a slot before `get_sqe` hands it out) with random bytes, gets it through
//! `Ring::get_sqe`, `SqeBatch::get_sqe`, `SqeBatch::get_sqes` or
//! `SubmissionQueue::get_sqe` in turn, applies the Rust helper, and compares all 128 bytes with C's
//! `io_uring_initialize_sqe` + `io_uring_prep_X` applied to the same bytes.
//! The slot is then overwritten with a plain NOP before the kernel sees it.
//!
//! `URING_CONFORMANCE_CASES` (default 300) sets the cases per helper.
//!
//! Kernel: 5.19+ (IORING_SETUP_SQE128; skipped on the setup's EINVAL).

extern crate uring;

use std::cell::RefCell;

use bare_uring::sys::{io_uring_sqe, IORING_OP_NOP, IORING_SETUP_SQE128};
use bare_uring::Ring;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

mod common;
use common::strategies::{self, as_sqe, bytes, differing_fields, edged, s_ptr, s_u64};

type CaseFn = fn(&mut TestRunner) -> Result<(), String>;
type OpFn = fn() -> u8;
type Sqe = [u64; 16];

const FILE_INDEX_ALLOC: u32 = bare_uring_sys::IORING_FILE_INDEX_ALLOC;
const ENTRIES: u32 = 64;

fn s_i32() -> impl Strategy<Value = i32> {
    edged(vec![0, 1, -1, i32::MIN, i32::MAX, FILE_INDEX_ALLOC as i32])
}
fn s_u32() -> impl Strategy<Value = u32> {
    edged(vec![0, 1, u32::MAX, FILE_INDEX_ALLOC - 1, 0x8000_0000])
}
fn s_u16() -> impl Strategy<Value = u16> {
    edged(vec![0, 1, u16::MAX])
}
fn s_i64() -> impl Strategy<Value = i64> {
    edged(vec![0, 1, -1, i64::MIN, i64::MAX])
}
fn s_usize() -> impl Strategy<Value = usize> {
    edged(vec![0, 1, usize::MAX, u32::MAX as usize])
}
fn prefill() -> impl Strategy<Value = Sqe> {
    strategies::prefill()
}

extern "C" {
    fn ref_io_uring_initialize_sqe(sqe: *mut io_uring_sqe);
}

/// The ring whose slots the cases are written into.
struct Slots {
    ring: Ring,
    /// Start of the SQE array (the ring's mapping, see `new`).
    sqes: *mut u8,
    /// SQEs handed out so far (the next slot is `handed % ENTRIES`).
    handed: u64,
    /// SQEs handed out and not yet submitted.
    pending: u32,
}

impl Slots {
    /// An SQE128 ring (kernel 5.19+; skips the test on the setup's EINVAL).
    /// Its SQE array (the kernel's mapping, readable and writable) starts
    /// at the first slot `get_sqe` hands out, whose NOP is submitted and
    /// reaped here.
    fn new() -> Slots {
        let mut ring =
            common::setup_or_skip(ENTRIES, IORING_SETUP_SQE128, "IORING_SETUP_SQE128", "5.19");
        // SAFETY: a NOP points to no memory.
        let first = unsafe { ring.get_sqe() }.expect("a free SQE");
        *first = io_uring_sqe::zeroed();
        first.opcode = IORING_OP_NOP as u8;
        let sqes = (first as *mut io_uring_sqe).cast::<u8>();
        assert_eq!(ring.submit_and_wait(1).unwrap(), 1);
        assert_eq!(ring.for_each_cqe(|c| assert_eq!(c.res, 0)), 1);
        Slots {
            ring,
            sqes,
            handed: 1,
            pending: 0,
        }
    }

    /// Writes `pre` into the next slot, gets it through one of the four
    /// ways, applies `r`, returns the slot's 128 bytes, and leaves a
    /// NOP there for the kernel.
    fn run(&mut self, pre: &Sqe, r: &dyn Fn(&mut io_uring_sqe)) -> Sqe {
        let slot = self
            .sqes
            .wrapping_add((self.handed % ENTRIES as u64) as usize * 128);
        // SAFETY: the slot lies in the ring's SQE mapping and is free (all
        // earlier ones were submitted and reaped, see below); 128 bytes.
        unsafe { std::ptr::copy_nonoverlapping(pre.as_ptr().cast::<u8>(), slot, 128) };
        let way = self.handed % 4;
        let got: *mut io_uring_sqe = match way {
            // SAFETY (all three): the SQE is rewritten as a NOP below,
            // before anything is submitted.
            0 => {
                let sqe = unsafe { self.ring.get_sqe() }.unwrap();
                r(sqe);
                sqe
            }
            1 => {
                let mut b = self.ring.sq_batch();
                let sqe = unsafe { b.get_sqe() }.unwrap();
                r(sqe);
                sqe
            }
            2 => {
                let mut b = self.ring.sq_batch();
                let mut sqes = unsafe { b.get_sqes(1) }.unwrap();
                let sqe = sqes.next().unwrap();
                assert!(sqes.next().is_none(), "get_sqes(1) yielded two SQEs");
                r(sqe);
                sqe
            }
            _ => {
                let (mut sq, _cq, _s) = self.ring.split();
                let sqe = unsafe { sq.get_sqe() }.unwrap();
                r(sqe);
                sqe
            }
        };
        assert_eq!(got as *mut u8, slot, "get_sqe handed out another slot");
        let mut out = [0u64; 16];
        // SAFETY: as above; no reference to the slot is live any more.
        unsafe {
            std::ptr::copy_nonoverlapping(slot, out.as_mut_ptr().cast::<u8>(), 128);
            let nop = &mut *slot.cast::<io_uring_sqe>();
            *nop = io_uring_sqe::zeroed();
            nop.opcode = IORING_OP_NOP as u8;
        }
        self.handed += 1;
        self.pending += 1;
        if self.pending == ENTRIES {
            self.pending = 0;
            assert_eq!(self.ring.submit_and_wait(ENTRIES).unwrap(), ENTRIES);
            assert_eq!(self.ring.for_each_cqe(|c| assert_eq!(c.res, 0)), ENTRIES);
        }
        out
    }
}

thread_local! {
    static SLOTS: RefCell<Option<Slots>> = const { RefCell::new(None) };
}

fn check(
    name: &str,
    args: &dyn Fn() -> String,
    pre: &Sqe,
    c: impl Fn(&mut io_uring_sqe),
    r: impl Fn(&mut io_uring_sqe),
) -> Result<(), TestCaseError> {
    let mut want = *pre;
    // SAFETY: a 128-byte buffer holding an SQE.
    unsafe { ref_io_uring_initialize_sqe(as_sqe(&mut want)) };
    c(as_sqe(&mut want));
    let got = SLOTS.with(|s| {
        s.borrow_mut()
            .as_mut()
            .expect("the test set the ring up")
            .run(pre, &r)
    });
    if want != got {
        let (cb, rb) = (bytes(&want), bytes(&got));
        let op = cb[0];
        let fields = differing_fields(&cb, &rb, |i| bare_uring::decode::field_name(op, i));
        return Err(TestCaseError::fail(format!(
            "get_sqe + {name}({}) differs from liburing's get_sqe + prep in:\n{}",
            args(),
            fields.join("\n")
        )));
    }
    Ok(())
}

include!(concat!(env!("OUT_DIR"), "/prep_cases.rs"));

fn get_sqe_then_prep_matches_liburing_on_reused_slots() {
    let cases = std::env::var("URING_CONFORMANCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        // The default shrinks under URING_TEST_SCALE; a value set is kept.
        .unwrap_or_else(|| common::scale(300u32));
    // Set up here, outside the proptest runner: a skip (or a failed setup)
    // must end the test, not become a case failure that proptest shrinks.
    SLOTS.with(|s| *s.borrow_mut() = Some(Slots::new()));
    let mut failures = Vec::new();
    for (name, _op, case) in CASES {
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = case(&mut runner) {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!("{} helpers, {cases} reused slots each", CASES.len());
    assert!(CASES.len() > 100, "the generated cases are missing");
    assert!(
        failures.is_empty(),
        "{} helpers differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

common::harness::main! {
    get_sqe_then_prep_matches_liburing_on_reused_slots,
}
