//! `_start`, the Rust side of process start, and the panic handler.
//! Compiled only for `panic = "abort"` Linux builds (see the crate docs).
//!
//! `_start` is `global_asm!` (stable since Rust 1.59), not a naked
//! function (Rust 1.88), so the kit builds with Rust 1.83. Each one puts
//! the initial stack pointer in the first argument register, makes the
//! frame the ABI wants before a call (alignment, an outermost frame, on
//! s390x the register save area, on powerpc64 the TOC pointer and a
//! minimal frame) and calls `__bare_uring_rt_start`, which
//! [`entry!`](crate::entry) defines in the program's crate around its
//! `main` (one function, so the compiler inlines `main` into it), and
//! which never returns.

use bare_uring::syscall;

// The kernel starts the process with rsp pointing at argc (System V
// x86_64 ABI, "Process Initialization"); rsp is 16-byte aligned there, as
// a `call` must find it.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "xor ebp, ebp", // outermost frame: ends frame-pointer walks
    "mov rdi, rsp", // first argument: the initial stack
    "and rsp, -16", // already aligned by the ABI; cheap insurance
    "call __bare_uring_rt_start",
    "ud2", // never returns
    ".size _start, . - _start",
    ".popsection",
);

// AArch64: sp points at argc as above, 16-byte aligned.
#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",%progbits",
    ".globl _start",
    ".type _start,%function",
    "_start:",
    "mov x29, xzr", // outermost frame
    "mov x30, xzr", // no return address
    "mov x0, sp",   // first argument: the initial stack
    "bl __bare_uring_rt_start",
    "brk #0", // never returns
    ".size _start, . - _start",
    ".popsection",
);

// RISC-V 64: sp points at argc as above, 16-byte aligned.
#[cfg(target_arch = "riscv64")]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "li fp, 0",  // outermost frame
    "li ra, 0",  // no return address
    "mv a0, sp", // first argument: the initial stack
    "andi sp, sp, -16",
    "call __bare_uring_rt_start",
    "unimp", // never returns
    ".size _start, . - _start",
    ".popsection",
);

// s390x: r15 points at argc as above. The callee may store registers in
// the 160 bytes above its stack pointer (the ABI's register save area), so
// the stack pointer moves down by 160 first, with a zero back chain.
#[cfg(target_arch = "s390x")]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "lgr %r2, %r15",         // first argument: the initial stack
    "aghi %r15, -160",       // register save area for the callee
    "xc 0(8,%r15), 0(%r15)", // back chain 0: outermost frame
    "brasl %r14, __bare_uring_rt_start",
    "j .", // never returns
    ".size _start, . - _start",
    ".popsection",
);

// 64-bit PowerPC, ELFv2 (little-endian): r1 points at argc as above. Sets
// the TOC pointer r2 (the binary is static at a fixed address, so .TOC.
// is an absolute value) and makes a 32-byte minimal frame with a zero back
// chain, as the ABI requires before a call.
#[cfg(all(target_arch = "powerpc64", target_endian = "little"))]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "lis 2, .TOC.@highest",
    "ori 2, 2, .TOC.@higher",
    "rldicr 2, 2, 32, 31",
    "oris 2, 2, .TOC.@h",
    "ori 2, 2, .TOC.@l",
    "mr 3, 1",        // first argument: the initial stack
    "clrrdi 1, 1, 4", // 16-byte alignment
    "li 0, 0",
    "stdu 0, -32(1)", // back chain 0: outermost frame
    "bl __bare_uring_rt_start",
    "nop",
    "trap", // never returns
    ".size _start, . - _start",
    ".popsection",
);

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x",
    all(target_arch = "powerpc64", target_endian = "little")
)))]
compile_error!(
    "bare-uring-rt has a _start for x86_64, aarch64, riscv64, s390x and little-endian powerpc64 Linux only"
);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    syscall::exit(crate::EXIT_PANIC)
}

/// The unwinder's personality routine, which the precompiled `core` for
/// Linux targets (built with `panic = "unwind"`) references from its
/// unwind tables. Those references are dropped by `--gc-sections` in
/// optimised builds but not always in `dev` builds, which would then fail
/// to link ("undefined symbol: rust_eh_personality"). Nothing here
/// unwinds (no unwinder is linked; a panic exits), so it is never called;
/// if it were, it would end the process like a panic.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {
    syscall::exit(crate::EXIT_PANIC)
}
