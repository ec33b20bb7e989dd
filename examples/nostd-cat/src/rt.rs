//! The whole runtime of a binary with no libc: the ELF entry point, the
//! panic handler, and the four memory functions LLVM may call.
//!
//! Compiled only with `panic = "abort"` (the `min-size` and `release`
//! profiles); see `main.rs`.

use bare_uring::ring::PAGE_SIZE;
use bare_uring::syscall;

/// Exit code if anything panics (nothing on the I/O path can: the code
/// uses no indexing or arithmetic that may panic, but the handler must
/// exist).
const EXIT_PANIC: i32 = 101;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    syscall::exit(EXIT_PANIC)
}

/// ELF entry point. The kernel starts us with `rsp` pointing at `argc`,
/// followed by `argv[0..argc]`, a NULL, `envp`, a NULL and the auxv
/// (System V x86_64 ABI, "Process Initialization"). `rsp` is 16-byte
/// aligned here; a `call` must find it so, and pushes the return address.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",   // outermost frame: ends frame-pointer walks
        "mov rdi, rsp",   // first argument: the initial stack
        "and rsp, -16",   // already aligned by the ABI; cheap insurance
        "call {entry}",
        "ud2",            // entry never returns
        entry = sym entry,
    )
}

/// ELF entry point (AArch64): `sp` points at `argc` as above and is
/// 16-byte aligned.
#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov x29, xzr",   // outermost frame
        "mov x30, xzr",   // no return address
        "mov x0, sp",     // first argument: the initial stack
        "bl {entry}",
        "brk #0",         // entry never returns
        entry = sym entry,
    )
}

/// ELF entry point (RISC-V 64): `sp` points at `argc` as above and is
/// 16-byte aligned.
#[cfg(target_arch = "riscv64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "li fp, 0",       // outermost frame
        "li ra, 0",       // no return address
        "mv a0, sp",      // first argument: the initial stack
        "andi sp, sp, -16",
        "call {entry}",
        "unimp",          // entry never returns
        entry = sym entry,
    )
}

/// ELF entry point (s390x): `r15` points at `argc` as above. The callee
/// may store registers in the 160 bytes above its stack pointer (the ABI's
/// register save area), so the stack pointer moves down by 160 first,
/// with a zero back chain.
#[cfg(target_arch = "s390x")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "lgr %r2, %r15",      // first argument: the initial stack
        "aghi %r15, -160",    // register save area for the callee
        "xc 0(8,%r15), 0(%r15)", // back chain 0: outermost frame
        "brasl %r14, {entry}",
        "j .",                // entry never returns
        entry = sym entry,
    )
}

/// ELF entry point (64-bit PowerPC, ELFv2): `r1` points at `argc` as
/// above. Sets the TOC pointer `r2` (the binary is static at a fixed
/// address, so `.TOC.` is an absolute value) and makes a 32-byte minimal
/// frame with a zero back chain, as the ABI requires before a call.
#[cfg(target_arch = "powerpc64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "lis 2, .TOC.@highest",
        "ori 2, 2, .TOC.@higher",
        "rldicr 2, 2, 32, 31",
        "oris 2, 2, .TOC.@h",
        "ori 2, 2, .TOC.@l",
        "mr 3, 1",            // first argument: the initial stack
        "clrrdi 1, 1, 4",     // 16-byte alignment
        "li 0, 0",
        "stdu 0, -32(1)",     // back chain 0: outermost frame
        "bl {entry}",
        "trap",               // entry never returns
        entry = sym entry,
    )
}

/// `AT_PAGESZ`: the auxiliary-vector key of the page size.
const AT_PAGESZ: usize = 6;

/// The running kernel's page size: `AT_PAGESZ` from the auxiliary
/// vector, handed to bare-uring's setup so that it needs no syscall (and
/// no code) to learn it; nostd-cat makes no syscall but io_uring's and
/// exit's. Where the largest page is 4 KiB (x86_64) the page size is
/// known and the walk is compiled out.
///
/// # Safety
/// `sp` is the process's initial stack pointer as the kernel set it up.
unsafe fn page_size(sp: *const usize) -> usize {
    if PAGE_SIZE == 4096 {
        return PAGE_SIZE;
    }
    // SAFETY: the initial stack holds argc, argv[0..argc], NULL, the
    // environment pointers, NULL, then (key, value) pairs ending with key
    // 0 (System V ABI, "Process Initialization"); every read below stays
    // inside that layout.
    unsafe {
        let mut p = sp.add(*sp + 2); // past argc, argv and its NULL
        while *p != 0 {
            p = p.add(1); // environment pointers
        }
        p = p.add(1);
        while *p != 0 {
            if *p == AT_PAGESZ {
                // A value the kernel gave; bare-uring checks it anyway.
                return *p.add(1);
            }
            p = p.add(2);
        }
    }
    // No AT_PAGESZ (Linux always passes one): the largest page size, an
    // alignment good for any kernel, for which RING_MEM has room.
    PAGE_SIZE
}

/// Reads `argc`/`argv` and the page size from the initial stack and runs
/// the program.
///
/// # Safety
/// `sp` is the process's initial stack pointer as the kernel set it up.
unsafe extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: the kernel put argc at sp and argc pointers after it, each
    // to a NUL-terminated string (argv[argc] is NULL); `sp` is the
    // initial stack (this function's contract).
    let code = unsafe {
        let argc = *sp;
        let argv = sp.add(1) as *const *const core::ffi::c_char;
        if argc == 2 {
            crate::cat::cat(*argv.add(1), page_size(sp))
        } else {
            crate::cat::EXIT_USAGE
        }
    };
    syscall::exit(code)
}

// With no libc, nothing provides the C memory functions that LLVM lowers
// struct copies and zeroing to. They are written with inline assembly, as
// a plain loop would be recognised by LLVM as a memcpy and turned into a
// call to itself.

/// `memcpy(3)`.
///
/// # Safety
/// `d` and `s` are valid for `n` bytes and do not overlap.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    // SAFETY: `rep movsb` copies rcx bytes from rsi to rdi, forwards (the
    // direction flag is clear per the ABI); the caller vouches for the
    // ranges.
    unsafe {
        core::arch::asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") d => _,
            inout("rsi") s => _,
            options(nostack, preserves_flags)
        );
    }
    d
}

/// `memmove(3)`: copies forwards, or backwards when `d` is above `s`.
///
/// # Safety
/// `d` and `s` are valid for `n` bytes.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    if (d as usize).wrapping_sub(s as usize) >= n {
        // SAFETY: no overlap that a forward copy would clobber.
        return unsafe { memcpy(d, s, n) };
    }
    // SAFETY: with the direction flag set, `rep movsb` copies from the
    // last byte down; it is cleared again as the ABI requires.
    unsafe {
        core::arch::asm!(
            "std",
            "rep movsb",
            "cld",
            inout("rcx") n => _,
            inout("rdi") d.add(n).wrapping_sub(1) => _,
            inout("rsi") s.add(n).wrapping_sub(1) => _,
            options(nostack)
        );
    }
    d
}

/// `memset(3)`.
///
/// # Safety
/// `d` is valid for writes of `n` bytes.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: `rep stosb` stores al into rcx bytes from rdi; the caller
    // vouches for the range.
    unsafe {
        core::arch::asm!(
            "rep stosb",
            inout("rcx") n => _,
            inout("rdi") d => _,
            in("al") c as u8,
            options(nostack, preserves_flags)
        );
    }
    d
}

/// `memcmp(3)` (also serves `bcmp`).
///
/// # Safety
/// `a` and `b` are valid for reads of `n` bytes.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n, in range for both; volatile keeps LLVM from
        // turning the loop back into a memcmp call.
        let (x, y) = unsafe {
            (
                core::ptr::read_volatile(a.add(i)),
                core::ptr::read_volatile(b.add(i)),
            )
        };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// `bcmp(3)`: LLVM's name for an equality-only `memcmp`.
///
/// # Safety
/// As [`memcmp`].
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract.
    unsafe { memcmp(a, b, n) }
}

/// Portable memory functions for other architectures (AArch64): byte
/// loops with volatile accesses, so LLVM cannot recognise them as the very
/// functions they define.
#[cfg(not(target_arch = "x86_64"))]
mod portable {
    use core::ptr::{read_volatile, write_volatile};

    /// `memcpy(3)`.
    ///
    /// # Safety
    /// `d` and `s` are valid for `n` bytes and do not overlap.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n; the caller vouches for both ranges.
            unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
            i += 1;
        }
        d
    }

    /// `memmove(3)`.
    ///
    /// # Safety
    /// `d` and `s` are valid for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        if (d as usize).wrapping_sub(s as usize) >= n {
            // SAFETY: no overlap that a forward copy would clobber.
            return unsafe { memcpy(d, s, n) };
        }
        let mut i = n;
        while i > 0 {
            i -= 1;
            // SAFETY: i < n; copying downwards is safe for d above s.
            unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
        }
        d
    }

    /// `memset(3)`.
    ///
    /// # Safety
    /// `d` is valid for writes of `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n; the caller vouches for the range.
            unsafe { write_volatile(d.add(i), c as u8) };
            i += 1;
        }
        d
    }

    /// `memcmp(3)`.
    ///
    /// # Safety
    /// `a` and `b` are valid for reads of `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n, in range for both.
            let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            i += 1;
        }
        0
    }

    /// `bcmp(3)`.
    ///
    /// # Safety
    /// As [`memcmp`].
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: same contract.
        unsafe { memcmp(a, b, n) }
    }
}
