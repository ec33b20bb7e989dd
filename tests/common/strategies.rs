//! Proptest strategies and SQE comparison shared by the byte-exact
//! comparisons with C liburing (`prep_conformance`, `sqe_helpers`).

use std::fmt::Debug;

use bare_uring_sys::io_uring_sqe;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Any value (weight 3) or one of `edges` (weight 2).
pub fn edged<T: Arbitrary + Clone + Debug + 'static>(edges: Vec<T>) -> impl Strategy<Value = T> {
    prop_oneof![3 => any::<T>(), 2 => prop::sample::select(edges)]
}

pub fn s_u64() -> impl Strategy<Value = u64> {
    edged(vec![
        0,
        1,
        u64::MAX,
        u32::MAX as u64,
        1 << 32,
        i64::MAX as u64,
        1 << 63,
    ])
}

/// Pointers are only stored, never dereferenced: any bits.
pub fn s_ptr() -> impl Strategy<Value = usize> {
    edged(vec![0, 1, usize::MAX, 0x7fff_ffff_f000, 0x1000])
}

/// A buffer of `N` random words to pre-fill an SQE with.
pub fn prefill<const N: usize>() -> impl Strategy<Value = [u64; N]> {
    prop::array::uniform(any::<u64>())
}

/// The SQE at the start of an `N`-word buffer.
pub fn as_sqe<const N: usize>(buf: &mut [u64; N]) -> &mut io_uring_sqe {
    const { assert!(N * 8 >= std::mem::size_of::<io_uring_sqe>()) };
    // SAFETY: the buffer is at least an SQE's 64 bytes (asserted above)
    // and 8-aligned (io_uring_sqe's alignment); every bit pattern is a
    // valid SQE. A 128-word buffer also holds the 128-byte variants' tail.
    unsafe { &mut *(buf.as_mut_ptr() as *mut io_uring_sqe) }
}

/// The buffer's bytes in memory order.
pub fn bytes<const N: usize>(b: &[u64; N]) -> Vec<u8> {
    b.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// One line per run of differing bytes, grouped by `field(offset)`.
pub fn differing_fields(c: &[u8], r: &[u8], field: impl Fn(usize) -> &'static str) -> Vec<String> {
    let n = c.len();
    let mut lines = Vec::new();
    let mut i = 0;
    while i < n {
        if c[i] != r[i] {
            let f = field(i);
            let mut j = i;
            while j < n && field(j) == f {
                j += 1;
            }
            lines.push(format!(
                "  {f} (bytes {i}..{j}): C {:02x?} vs Rust {:02x?}",
                &c[i..j],
                &r[i..j]
            ));
            i = j;
        } else {
            i += 1;
        }
    }
    lines
}

/// Applies the C helper `c` and the Rust helper `r` to copies of (a) a
/// zeroed and (b) the pre-filled buffer; the buffers must then be equal.
/// On a difference, fails with `describe(label, c_result, r_result)`.
pub fn check_both<const N: usize>(
    pre: &[u64; N],
    c: impl Fn(&mut io_uring_sqe),
    r: impl Fn(&mut io_uring_sqe),
    describe: impl Fn(&str, &[u64; N], &[u64; N]) -> String,
) -> Result<(), TestCaseError> {
    for (label, init) in [("zeroed", [0u64; N]), ("pre-filled", *pre)] {
        let (mut a, mut b) = (init, init);
        c(as_sqe(&mut a));
        r(as_sqe(&mut b));
        if a != b {
            return Err(TestCaseError::fail(describe(label, &a, &b)));
        }
    }
    Ok(())
}
