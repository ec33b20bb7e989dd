//! s390x Linux syscall instruction and numbers
//! (`arch/s390/kernel/syscalls/syscall.tbl`, 64-bit entries).

use core::arch::asm;

pub(crate) const SYS_READ: usize = 3;
pub(crate) const SYS_WRITE: usize = 4;
pub(crate) const SYS_CLOSE: usize = 6;
/// `old_mmap`: on s390x the one argument is a pointer to the six values
/// (see `mmap` in the parent module).
pub(crate) const SYS_MMAP: usize = 90;
pub(crate) const SYS_MUNMAP: usize = 91;
pub(crate) const SYS_MADVISE: usize = 219;
pub(crate) const SYS_GETPID: usize = 20;
pub(crate) const SYS_UNAME: usize = 122;
pub(crate) const SYS_GETTID: usize = 236;
pub(crate) const SYS_SCHED_YIELD: usize = 158;
pub(crate) const SYS_EXIT_GROUP: usize = 248;
pub(crate) const SYS_EVENTFD2: usize = 323;
pub(crate) const SYS_FCNTL: usize = 55;
pub(crate) const SYS_PIPE2: usize = 325;
pub(crate) const SYS_PRCTL: usize = 172;
pub(crate) const SYS_IO_URING_SETUP: usize = 425;
pub(crate) const SYS_IO_URING_ENTER: usize = 426;
pub(crate) const SYS_IO_URING_REGISTER: usize = 427;

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
    // SAFETY: the s390x Linux syscall ABI (`svc 0`): number in r1, args in
    // r2..r7, result in r2; the kernel restores every other general
    // register on return (arch/s390/kernel/entry.S), so r2 is the only
    // clobber (the condition code is assumed clobbered by default). The
    // caller vouches for the arguments. Not `nomem`: the kernel may read
    // and write our memory.
    unsafe {
        asm!(
            "svc 0",
            in("r1") n,
            inlateout("r2") a1 as isize => ret,
            in("r3") a2,
            in("r4") a3,
            in("r5") a4,
            in("r6") a5,
            in("r7") a6,
            options(nostack),
        );
    }
    ret
}
