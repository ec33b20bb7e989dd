//! Raw Linux syscalls over inline assembly: no libc, no `errno` global.
//!
//! Every wrapper returns `Result<_, Errno>`. These are thin: they do not
//! retry on `EINTR` and check nothing the kernel checks itself. Most users
//! want [`crate::Ring`]; these are public for programs with no libc at all
//! (see `examples/nostd-cat`).
//!
//! One backend per architecture, each with its instruction, registers,
//! clobbers and syscall numbers: x86_64, aarch64, riscv64, loongarch64,
//! powerpc64 (both endiannesses) and s390x (docs/ARCH.md says how each is
//! tested). `scripts/cross/check_abi.py` compares the numbers with each
//! architecture's kernel headers.

#[cfg(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "loongarch64"
))]
mod generic;

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
use aarch64 as arch;
#[cfg(target_arch = "loongarch64")]
mod loongarch64;
#[cfg(target_arch = "loongarch64")]
use loongarch64 as arch;
#[cfg(target_arch = "powerpc64")]
mod powerpc64;
#[cfg(target_arch = "powerpc64")]
use powerpc64 as arch;
#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
use riscv64 as arch;
#[cfg(target_arch = "s390x")]
mod s390x;
#[cfg(target_arch = "s390x")]
use s390x as arch;
#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
use x86_64 as arch;
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "loongarch64",
    target_arch = "powerpc64",
    target_arch = "s390x"
)))]
compile_error!(
    "bare-uring supports 64-bit Linux on x86_64, aarch64, riscv64, loongarch64, powerpc64 and s390x"
);

use crate::Errno;
use arch::*;
use bare_uring_sys::{io_uring_params, kernel_sigset_t};
use core::ffi::c_void;

/// `PROT_READ | PROT_WRITE`.
pub const PROT_RW: usize = 0x1 | 0x2;
/// `MAP_SHARED`.
pub const MAP_SHARED: usize = 0x01;
/// `MAP_PRIVATE`.
pub const MAP_PRIVATE: usize = 0x02;
/// `MAP_ANONYMOUS`.
pub const MAP_ANONYMOUS: usize = 0x20;
/// `MAP_POPULATE`.
pub const MAP_POPULATE: usize = 0x8000;
/// `MAP_HUGETLB`.
pub const MAP_HUGETLB: usize = 0x40000;
/// `MADV_DONTFORK`.
pub const MADV_DONTFORK: usize = 10;
/// `MADV_POPULATE_READ` (Kernel: 5.14+): fault pages in readable;
/// `EFAULT` where touching them would raise SIGBUS.
pub const MADV_POPULATE_READ: usize = 22;
/// `EFD_CLOEXEC`.
pub const EFD_CLOEXEC: u32 = 0o2000000;
/// `EFD_NONBLOCK`.
pub const EFD_NONBLOCK: u32 = 0o4000;
/// `O_CLOEXEC`.
pub const O_CLOEXEC: u32 = 0o2000000;
/// `F_DUPFD_CLOEXEC` (`fcntl` command).
pub const F_DUPFD_CLOEXEC: u32 = 1030;

#[inline(always)]
fn ret(r: isize) -> Result<usize, Errno> {
    Errno::from_ret(r)
}

/// `io_uring_setup(2)`: create a ring; returns its fd. Kernel 5.1+.
///
/// # Safety
/// `p` must be valid for reads and writes of `io_uring_params`; with
/// `IORING_SETUP_NO_MMAP`, `p.sq_off.user_addr`/`p.cq_off.user_addr` must
/// point to memory that stays valid and unaliased for the ring's life
/// (the kernel may write it after the ring's fd is closed: never reuse
/// it); with `IORING_SETUP_ATTACH_WQ`, `p.wq_fd` is a ring fd the caller
/// owns or borrows for the call (I/O safety).
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn io_uring_setup(entries: u32, p: *mut io_uring_params) -> Result<i32, Errno> {
    // SAFETY: forwarded to the caller's contract.
    ret(unsafe { syscall6(SYS_IO_URING_SETUP, entries as usize, p as usize, 0, 0, 0, 0) })
        .map(|fd| fd as i32)
}

/// `io_uring_enter(2)`: submit `to_submit` SQEs and/or wait for
/// `min_complete` CQEs. `arg`/`argsz` is a sigset (`argsz` = 8) or, with
/// `IORING_ENTER_EXT_ARG`, an `io_uring_getevents_arg`. Kernel 5.1+.
///
/// # Safety
/// `fd` is a ring fd the caller owns or borrows for the call (I/O
/// safety), or with `IORING_ENTER_REGISTERED_RING` an index this thread
/// registered for such a ring; every SQE the kernel may take from it was
/// written under [`Ring::get_sqe`](crate::Ring::get_sqe)'s promise;
/// `arg` is null or valid for `argsz` bytes of the type `flags` says.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn io_uring_enter(
    fd: u32,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    arg: *const c_void,
    argsz: usize,
) -> Result<u32, Errno> {
    // SAFETY: forwarded to the caller's contract.
    let r = unsafe {
        syscall6(
            SYS_IO_URING_ENTER,
            fd as usize,
            to_submit as usize,
            min_complete as usize,
            flags as usize,
            arg as usize,
            argsz,
        )
    };
    // As `ret`, with the error built out of line: a branch the compiler
    // keeps (a select would build both results and store them for a
    // caller's compare), so a caller that tests the count tests it once.
    if (r as usize) > -4096isize as usize {
        return Err(enter_error(r));
    }
    // Truncation: the kernel's count is at most `to_submit` or
    // `min_complete`, both u32.
    Ok(r as u32)
}

/// The `Errno` of a failed `io_uring_enter` (`r` in `-4095..=-1`).
#[cold]
#[inline(never)]
fn enter_error(r: isize) -> Errno {
    // Truncation: -r is in 1..=4095.
    Errno(r.wrapping_neg() as i32)
}

/// `io_uring_enter(2)` with a (kernel) signal mask to apply while waiting.
///
/// # Safety
/// As [`io_uring_enter`].
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn io_uring_enter_sigmask(
    fd: u32,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    sigmask: Option<&kernel_sigset_t>,
) -> Result<u32, Errno> {
    let (p, sz) = match sigmask {
        Some(s) => (s as *const kernel_sigset_t as *const c_void, 8),
        None => (core::ptr::null(), 8),
    };
    // SAFETY: forwarded; the sigset is valid for 8 bytes.
    unsafe { io_uring_enter(fd, to_submit, min_complete, flags, p, sz) }
}

/// `io_uring_register(2)`: returns the kernel's non-negative result.
/// Kernel 5.1+ (opcodes vary).
///
/// # Safety
/// `arg` must be valid for what `opcode` makes the kernel read or write
/// (`nr_args` elements), and registered memory must outlive its
/// registration. `fd` is a ring fd the caller owns or borrows for the call
/// (or with `IORING_REGISTER_USE_REGISTERED_RING` an index this thread
/// registered for one; -1 for the opcodes that take no ring), every fd in
/// `arg` is owned or borrowed likewise (I/O safety), and every promise the
/// crate's dedicated function for `opcode` asks for holds as well (see
/// [`Ring::register_raw`](crate::Ring::register_raw)): no slot, buffer or
/// personality a queued request names is removed; a tag, message or
/// anything else that makes the kernel post a CQE is one its receiving
/// ring expects; the state a [`Ring`](crate::Ring) keeps (its registered
/// index, its ring sizes) is changed only through the `Ring`.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn io_uring_register(
    fd: i32,
    opcode: u32,
    arg: *const c_void,
    nr_args: u32,
) -> Result<u32, Errno> {
    // SAFETY: forwarded to the caller's contract.
    ret(unsafe {
        syscall6(
            SYS_IO_URING_REGISTER,
            fd as u32 as usize,
            opcode as usize,
            arg as usize,
            nr_args as usize,
            0,
            0,
        )
    })
    .map(|n| n as u32)
}

/// `mmap(2)`.
///
/// # Safety
/// Mapping over existing memory (`MAP_FIXED`) or sharing it is the
/// caller's responsibility.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn mmap(
    addr: *mut c_void,
    len: usize,
    prot: usize,
    flags: usize,
    fd: i32,
    off: u64,
) -> Result<*mut c_void, Errno> {
    #[cfg(target_arch = "s390x")]
    {
        // s390x's mmap is `old_mmap(struct mmap_arg_struct *)`: the six
        // values go in memory and the syscall gets their address.
        let args: [usize; 6] = [
            addr as usize,
            len,
            prot,
            flags,
            fd as u32 as usize,
            off as usize,
        ];
        // SAFETY: `args` lives across the call and is what the kernel reads;
        // the mapping itself is the caller's contract.
        ret(unsafe { syscall6(SYS_MMAP, args.as_ptr() as usize, 0, 0, 0, 0, 0) })
            .map(|p| p as *mut c_void)
    }
    #[cfg(not(target_arch = "s390x"))]
    {
        // SAFETY: forwarded to the caller's contract.
        ret(unsafe {
            syscall6(
                SYS_MMAP,
                addr as usize,
                len,
                prot,
                flags,
                fd as u32 as usize,
                off as usize,
            )
        })
        .map(|p| p as *mut c_void)
    }
}

/// `munmap(2)`.
///
/// # Safety
/// Nothing may use the range afterwards.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn munmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller's contract.
    ret(unsafe { syscall6(SYS_MUNMAP, addr as usize, len, 0, 0, 0, 0) }).map(|_| ())
}

/// `madvise(2)`.
///
/// # Safety
/// Some advice (e.g. `MADV_DONTNEED`) changes memory contents.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn madvise(addr: *mut c_void, len: usize, advice: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller's contract.
    ret(unsafe { syscall6(SYS_MADVISE, addr as usize, len, advice, 0, 0, 0) }).map(|_| ())
}

/// `PR_GET_AUXV` (`linux/prctl.h`): copy the process's auxiliary vector.
pub const PR_GET_AUXV: usize = 0x4155_5856;

/// `prctl(2)` with up to four arguments; returns the kernel's non-negative
/// result.
///
/// # Safety
/// Options that take pointers (e.g. [`PR_GET_AUXV`]) need them valid for
/// what the option reads or writes; some options change the process.
/// See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn prctl(
    option: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> Result<usize, Errno> {
    // SAFETY: forwarded to the caller's contract.
    ret(unsafe { syscall6(SYS_PRCTL, option, a2, a3, a4, a5, 0) })
}

/// `close(2)`.
///
/// # Safety
/// `fd` is owned by the caller and nothing uses it afterwards (I/O safety,
/// as `std::os::fd::OwnedFd`): closing an fd that another owner (a
/// [`Ring`](crate::Ring), a buffer ring) still uses makes that owner act on
/// whatever file later gets the same number. See the
/// [safety model](crate#safety-model).
#[inline]
pub unsafe fn close(fd: i32) -> Result<(), Errno> {
    // SAFETY: close takes no pointers; ownership of fd is the caller's
    // promise.
    ret(unsafe { syscall6(SYS_CLOSE, fd as u32 as usize, 0, 0, 0, 0, 0) }).map(|_| ())
}

/// `fcntl(fd, F_DUPFD_CLOEXEC, 0)`: a new fd (the lowest free number) for
/// the same open file as `fd`, with close-on-exec set. The caller owns the
/// new fd. Kernel 2.6.24+.
///
/// Errors: `EBADF` (`fd` not open), `EMFILE` (no free fd).
///
/// # Safety
/// I/O safety: `fd` is open and owned or borrowed by the caller for the call
/// (as `std::os::fd::BorrowedFd`); a number another owner may close names
/// whatever file later gets it. See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn dupfd_cloexec(fd: i32) -> Result<i32, Errno> {
    // SAFETY: no pointers; the caller vouches for fd (I/O safety), and
    // duplicating it affects no existing owner.
    ret(unsafe {
        syscall6(
            SYS_FCNTL,
            fd as u32 as usize,
            F_DUPFD_CLOEXEC as usize,
            0,
            0,
            0,
            0,
        )
    })
    .map(|fd| fd as i32)
}

/// `read(2)`.
///
/// # Safety
/// I/O safety: `fd` is open and owned or borrowed by the caller for the call
/// (as `std::os::fd::BorrowedFd`); a number another owner may close names
/// whatever file later gets it. See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    ret(unsafe {
        syscall6(
            SYS_READ,
            fd as u32 as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            0,
            0,
            0,
        )
    })
}

/// `write(2)`.
///
/// # Safety
/// I/O safety: `fd` is open and owned or borrowed by the caller for the call
/// (as `std::os::fd::BorrowedFd`); a number another owner may close names
/// whatever file later gets it. See the [safety model](crate#safety-model).
#[inline]
pub unsafe fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    ret(unsafe {
        syscall6(
            SYS_WRITE,
            fd as u32 as usize,
            buf.as_ptr() as usize,
            buf.len(),
            0,
            0,
            0,
        )
    })
}

/// `eventfd2(2)`: returns the new fd.
#[inline]
pub fn eventfd(initval: u32, flags: u32) -> Result<i32, Errno> {
    // SAFETY: no pointers.
    ret(unsafe { syscall6(SYS_EVENTFD2, initval as usize, flags as usize, 0, 0, 0, 0) })
        .map(|fd| fd as i32)
}

/// `pipe2(2)`: returns `[read_end, write_end]`.
#[inline]
pub fn pipe2(flags: u32) -> Result<[i32; 2], Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds.
    ret(unsafe {
        syscall6(
            SYS_PIPE2,
            fds.as_mut_ptr() as usize,
            flags as usize,
            0,
            0,
            0,
            0,
        )
    })?;
    Ok(fds)
}

/// `getpid(2)`.
#[inline]
pub fn getpid() -> i32 {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall6(SYS_GETPID, 0, 0, 0, 0, 0, 0) as i32 }
}

/// `sched_yield(2)`: lets another runnable thread (a starved SQPOLL thread,
/// say) run before this one continues. Errors: none (always 0).
pub(crate) fn sched_yield() {
    // SAFETY: no arguments, no memory.
    unsafe { syscall6(SYS_SCHED_YIELD, 0, 0, 0, 0, 0, 0) };
}

/// `gettid(2)`.
#[inline]
pub fn gettid() -> i32 {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall6(SYS_GETTID, 0, 0, 0, 0, 0, 0) as i32 }
}

/// `struct utsname` as `uname(2)` fills it (six 65-byte fields).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Utsname {
    /// "Linux".
    pub sysname: [u8; 65],
    /// Host name.
    pub nodename: [u8; 65],
    /// Kernel release, e.g. "6.18.0".
    pub release: [u8; 65],
    /// Kernel build.
    pub version: [u8; 65],
    /// Machine, e.g. "x86_64".
    pub machine: [u8; 65],
    /// NIS domain.
    pub domainname: [u8; 65],
}

impl Utsname {
    /// A field as text up to its NUL (non-UTF-8 gives "").
    pub fn field(f: &[u8; 65]) -> &str {
        let n = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        core::str::from_utf8(&f[..n]).unwrap_or("")
    }
}

/// `uname(2)`.
#[inline]
pub fn uname() -> Result<Utsname, Errno> {
    let mut u = Utsname {
        sysname: [0; 65],
        nodename: [0; 65],
        release: [0; 65],
        version: [0; 65],
        machine: [0; 65],
        domainname: [0; 65],
    };
    // SAFETY: the kernel writes one struct utsname (390 bytes) into u.
    ret(unsafe { syscall6(SYS_UNAME, &mut u as *mut Utsname as usize, 0, 0, 0, 0, 0) })?;
    Ok(u)
}

/// `exit_group(2)`: ends the process.
#[inline]
pub fn exit(code: i32) -> ! {
    // SAFETY: exit_group does not return.
    unsafe {
        syscall6(SYS_EXIT_GROUP, code as usize, 0, 0, 0, 0, 0);
    }
    #[allow(clippy::empty_loop)]
    loop {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "a real syscall (inline asm): Miri cannot run it")]
    fn bad_fd_is_ebadf() {
        // SAFETY: the fd is this code's own and not used after this.
        assert_eq!(unsafe { close(-1) }, Err(Errno::EBADF));
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(unsafe { write(-1, b"x") }, Err(Errno::EBADF));
    }

    #[test]
    #[cfg_attr(miri, ignore = "a real syscall (inline asm): Miri cannot run it")]
    fn pipe_roundtrip() {
        let [r, w] = pipe2(O_CLOEXEC).unwrap();
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(unsafe { write(w, b"abc") }, Ok(3));
        let mut b = [0u8; 8];
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(unsafe { read(r, &mut b) }, Ok(3));
        assert_eq!(&b[..3], b"abc");
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { close(r) }.unwrap();
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { close(w) }.unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "a real syscall (inline asm): Miri cannot run it")]
    fn dupfd_cloexec_shares_the_file() {
        let [r, w] = pipe2(O_CLOEXEC).unwrap();
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        let w2 = unsafe { dupfd_cloexec(w) }.unwrap();
        assert_ne!(w2, w);
        // SAFETY: `w` is ours and not used again.
        unsafe { close(w) }.unwrap();
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(
            unsafe { write(w2, b"z") },
            Ok(1),
            "the duplicate keeps the pipe open"
        );
        let mut b = [0u8; 1];
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(unsafe { read(r, &mut b) }, Ok(1));
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        assert_eq!(unsafe { dupfd_cloexec(-1) }, Err(Errno::EBADF));
        // SAFETY: ours, not used again.
        unsafe { close(w2) }.unwrap();
        // SAFETY: ours, not used again.
        unsafe { close(r) }.unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "a real syscall (inline asm): Miri cannot run it")]
    fn uname_says_linux() {
        let u = uname().unwrap();
        assert_eq!(Utsname::field(&u.sysname), "Linux");
    }
}
