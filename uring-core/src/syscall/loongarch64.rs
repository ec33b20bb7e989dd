//! loongarch64 Linux syscall instruction; numbers from the asm-generic
//! table.

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
    // SAFETY: the LoongArch Linux syscall ABI (`syscall 0`): number in a7,
    // args in a0..a5, result in a0. The kernel does not restore the
    // temporaries t0..t8 on return (the ABI leaves them clobbered, as
    // musl's and glibc's syscall stubs declare), so they are declared
    // clobbered here too. The caller vouches for the arguments. Not
    // `nomem`: the kernel may read and write our memory.
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") n,
            inlateout("$a0") a1 as isize => ret,
            in("$a1") a2,
            in("$a2") a3,
            in("$a3") a4,
            in("$a4") a5,
            in("$a5") a6,
            lateout("$t0") _,
            lateout("$t1") _,
            lateout("$t2") _,
            lateout("$t3") _,
            lateout("$t4") _,
            lateout("$t5") _,
            lateout("$t6") _,
            lateout("$t7") _,
            lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}
