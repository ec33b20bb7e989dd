//! Syscall numbers of the kernel's asm-generic table
//! (`include/uapi/asm-generic/unistd.h`), shared by aarch64, riscv64 and
//! loongarch64. `scripts/cross/check_abi.py` compares them with the
//! headers of each of those architectures.

pub(crate) const SYS_READ: usize = 63;
pub(crate) const SYS_WRITE: usize = 64;
pub(crate) const SYS_CLOSE: usize = 57;
pub(crate) const SYS_MMAP: usize = 222;
pub(crate) const SYS_MUNMAP: usize = 215;
pub(crate) const SYS_MADVISE: usize = 233;
pub(crate) const SYS_GETPID: usize = 172;
pub(crate) const SYS_UNAME: usize = 160;
pub(crate) const SYS_GETTID: usize = 178;
pub(crate) const SYS_SCHED_YIELD: usize = 124;
pub(crate) const SYS_EXIT_GROUP: usize = 94;
pub(crate) const SYS_EVENTFD2: usize = 19;
pub(crate) const SYS_FCNTL: usize = 25;
pub(crate) const SYS_PIPE2: usize = 59;
pub(crate) const SYS_PRCTL: usize = 167;
pub(crate) const SYS_IO_URING_SETUP: usize = 425;
pub(crate) const SYS_IO_URING_ENTER: usize = 426;
pub(crate) const SYS_IO_URING_REGISTER: usize = 427;
