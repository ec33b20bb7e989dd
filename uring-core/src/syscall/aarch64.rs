//! aarch64 Linux syscall instruction and numbers (asm-generic table).

use core::arch::asm;

pub(crate) const SYS_READ: usize = 63;
pub(crate) const SYS_WRITE: usize = 64;
pub(crate) const SYS_CLOSE: usize = 57;
pub(crate) const SYS_MMAP: usize = 222;
pub(crate) const SYS_MUNMAP: usize = 215;
pub(crate) const SYS_MADVISE: usize = 233;
pub(crate) const SYS_GETPID: usize = 172;
pub(crate) const SYS_UNAME: usize = 160;
pub(crate) const SYS_GETTID: usize = 178;
pub(crate) const SYS_EXIT_GROUP: usize = 94;
pub(crate) const SYS_EVENTFD2: usize = 19;
pub(crate) const SYS_FCNTL: usize = 25;
pub(crate) const SYS_PIPE2: usize = 59;
pub(crate) const SYS_IO_URING_SETUP: usize = 425;
pub(crate) const SYS_IO_URING_ENTER: usize = 426;
pub(crate) const SYS_IO_URING_REGISTER: usize = 427;

/// Raw six-argument syscall; returns the kernel's value (`-errno` on error).
///
/// # Safety
/// The caller upholds the contract of syscall `n` for these arguments.
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
    // SAFETY: the aarch64 syscall ABI: number in x8, args in x0..x5, result
    // in x0; the caller vouches for the arguments.
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
