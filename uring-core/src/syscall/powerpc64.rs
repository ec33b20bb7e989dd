//! powerpc64 (big- and little-endian) Linux syscall instruction and
//! numbers (`arch/powerpc/kernel/syscalls/syscall.tbl`, 64-bit entries).

use core::arch::asm;

pub(crate) const SYS_READ: usize = 3;
pub(crate) const SYS_WRITE: usize = 4;
pub(crate) const SYS_CLOSE: usize = 6;
pub(crate) const SYS_MMAP: usize = 90;
pub(crate) const SYS_MUNMAP: usize = 91;
pub(crate) const SYS_MADVISE: usize = 205;
pub(crate) const SYS_GETPID: usize = 20;
pub(crate) const SYS_UNAME: usize = 122;
pub(crate) const SYS_GETTID: usize = 207;
pub(crate) const SYS_SCHED_YIELD: usize = 158;
pub(crate) const SYS_EXIT_GROUP: usize = 234;
pub(crate) const SYS_EVENTFD2: usize = 314;
pub(crate) const SYS_FCNTL: usize = 55;
pub(crate) const SYS_PIPE2: usize = 317;
pub(crate) const SYS_PRCTL: usize = 171;
pub(crate) const SYS_IO_URING_SETUP: usize = 425;
pub(crate) const SYS_IO_URING_ENTER: usize = 426;
pub(crate) const SYS_IO_URING_REGISTER: usize = 427;

/// Raw six-argument syscall; returns the kernel's value (`-errno` on
/// error, like every other backend: the `sc` convention is converted).
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
    // SAFETY: the Power 64-bit Linux syscall ABI for `sc`
    // (Documentation/arch/powerpc/syscall64-abi.rst): number in r0, args in
    // r3..r8, result in r3; on failure cr0.SO is set and r3 holds the
    // positive errno, which `bns`/`neg` turn into -errno. Volatile across
    // the call, so clobbered here: r0, r3..r12, ctr, xer and cr0 (the
    // ELF ABI's volatile integer registers; cr1 and cr5..cr7 and lr are
    // preserved by `sc`). The caller vouches for the arguments. Not
    // `nomem`: the kernel may read and write our memory.
    unsafe {
        asm!(
            "sc",
            "bns 1f",
            "neg 3, 3",
            "1:",
            inlateout("r0") n => _,
            inlateout("r3") a1 as isize => ret,
            inlateout("r4") a2 => _,
            inlateout("r5") a3 => _,
            inlateout("r6") a4 => _,
            inlateout("r7") a5 => _,
            inlateout("r8") a6 => _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            out("ctr") _,
            out("xer") _,
            out("cr0") _,
            options(nostack),
        );
    }
    ret
}
