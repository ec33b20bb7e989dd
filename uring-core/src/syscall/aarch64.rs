//! aarch64 Linux syscall instruction; numbers from the asm-generic table.

use core::arch::asm;

pub(crate) use super::generic::*;

/// Raw six-argument syscall; returns the kernel's value (`-errno` on error).
///
/// # Safety
/// The caller upholds the contract of syscall `n` for these arguments.
/// See the [safety model](crate#safety-model).
#[inline(always)]
pub(crate) unsafe fn syscall6(
    n: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> isize {
    let ret: isize;
    // SAFETY: the aarch64 syscall ABI (`svc #0`): number in x8, args in
    // x0..x5, result in x0; the kernel preserves every other register
    // (arch/arm64/kernel/entry.S saves and restores them all), so x0 is
    // the only clobber. The caller vouches for the arguments. Not
    // `nomem`: the kernel may read and write our memory.
    unsafe {
        asm!(
            "svc 0",
            in("x8") n,
            inlateout("x0") a1 as isize => ret,
            in("x1") a2,
            in("x2") a3,
            in("x3") a4,
            in("x4") a5,
            in("x5") a6,
            options(nostack),
        );
    }
    ret
}
