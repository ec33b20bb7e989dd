//! x86_64 Linux syscall instruction and numbers.

use core::arch::asm;

pub(crate) const SYS_READ: usize = 0;
pub(crate) const SYS_WRITE: usize = 1;
pub(crate) const SYS_CLOSE: usize = 3;
pub(crate) const SYS_MMAP: usize = 9;
pub(crate) const SYS_MUNMAP: usize = 11;
pub(crate) const SYS_MADVISE: usize = 28;
pub(crate) const SYS_FCNTL: usize = 72;
pub(crate) const SYS_GETPID: usize = 39;
pub(crate) const SYS_UNAME: usize = 63;
pub(crate) const SYS_GETTID: usize = 186;
pub(crate) const SYS_SCHED_YIELD: usize = 24;
pub(crate) const SYS_EXIT_GROUP: usize = 231;
pub(crate) const SYS_EVENTFD2: usize = 290;
pub(crate) const SYS_PIPE2: usize = 293;
pub(crate) const SYS_PRCTL: usize = 157;
pub(crate) const SYS_IO_URING_SETUP: usize = 425;
pub(crate) const SYS_IO_URING_ENTER: usize = 426;
pub(crate) const SYS_IO_URING_REGISTER: usize = 427;

/// Raw six-argument syscall; returns the kernel's value (`-errno` on error).
///
/// # Safety
/// The caller upholds the contract of syscall `n` for these arguments
/// (valid pointers for what the kernel reads or writes, and so on).
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
    // SAFETY: the x86_64 syscall ABI: number in rax, args in rdi, rsi, rdx,
    // r10, r8, r9; rcx and r11 are clobbered; the caller vouches for the
    // arguments. Not `nomem`: the kernel may read and write our memory.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a1,
            in("rsi") a2,
            in("rdx") a3,
            in("r10") a4,
            in("r8") a5,
            in("r9") a6,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}
