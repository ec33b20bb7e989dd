//! A static-binary kit for `#![no_std]` `#![no_main]` io_uring programs on
//! Linux: no libc, no allocator, no std.
//!
//! A Rust program without libc has to bring what libc's start files and
//! `libc.a` gave it. This crate is those pieces and nothing else:
//!
//! | piece | what | where |
//! |---|---|---|
//! | `_start` | the ELF entry point, one `global_asm!` per architecture: passes the initial stack to Rust, never returns | [`entry!`] |
//! | [`Args`] | `argc`/`argv`/`envp`/auxv read from the initial stack; `AT_PAGESZ` is handed to bare-uring's ring layout ([`bare_uring::ring::set_page_size`]) before `main` runs | [`Args`] |
//! | `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp`, `strlen` | the C functions `core` calls (struct copies, zeroing, `CStr::from_ptr`) | this crate, private |
//! | `#[panic_handler]` | `exit_group(101)` ([`EXIT_PANIC`]) | this crate, private |
//! | `rust_eh_personality` | a stub for the references from the precompiled `core`'s unwind tables, which unoptimised builds keep (never called: nothing unwinds) | this crate, private |
//! | link settings | `-nostartfiles -nostdlib -static -no-pie`, a linker script | [`link`], [`build::link`] (feature `build`) |
//!
//! Supported: x86_64, aarch64, riscv64, powerpc64 little-endian (ELFv2) and
//! s390x Linux. Minimum Rust: 1.83 (no naked functions: `_start` is
//! `global_asm!`).
//!
//! # Using it
//!
//! Copy `uring-rt/template/` of the repository
//! (<https://github.com/uring-rs/uring>); it depends on `bare-uring` and
//! `bare-uring-rt` from crates.io. What it holds:
//!
//! `Cargo.toml`: the dependencies, `panic = "abort"` in **every** profile
//! the binary is built with (a `no_std` binary cannot unwind: with
//! `panic = "unwind"` rustc asks for the `eh_personality` lang item, and
//! [`entry!`] stops the build with a message saying so), and the size
//! settings for `release`:
//!
//! ```toml
//! [dependencies]
//! bare-uring = "0.1"
//! bare-uring-rt = "0.1"
//!
//! [build-dependencies]
//! bare-uring-rt = { version = "0.1", features = ["build"] }
//!
//! [profile.dev]
//! panic = "abort"
//!
//! [profile.release]
//! panic = "abort"
//! opt-level = "z"
//! lto = true
//! codegen-units = 1
//! strip = true
//! ```
//!
//! `build.rs` (link arguments printed by a dependency's build script never
//! reach the final binary, so the binary's own build script prints them):
//!
//! ```ignore
//! fn main() {
//!     bare_uring_rt::build::link();
//! }
//! ```
//!
//! (or, without the build-dependency, the arguments of [`link::ARGS`] and
//! a copy of [`link::SCRIPT`], printed as `cargo:rustc-link-arg-bins=`
//! lines: what [`build::link`] does).
//!
//! `src/main.rs`, in outline (the template's `main` writes "hello from
//! io_uring" through an io_uring WRITE on a NO_MMAP ring in a `static`):
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use bare_uring::ring::{Params, RingMem, PAGE_SIZE};
//! use bare_uring::Ring;
//!
//! bare_uring_rt::entry!(main);
//!
//! static MEM: RingMem<{ 2 * PAGE_SIZE }> = RingMem::new();
//!
//! fn main(args: bare_uring_rt::Args) -> i32 {
//!     let Some(mem) = MEM.take() else { return 1 };
//!     let Ok(ring) = Ring::queue_init_static(1, &mut Params::new(), mem) else {
//!         return 2;
//!     };
//!     // ... get_sqe, prep::write, submit_and_wait, the CQE ...
//!     0 // the exit code
//! }
//! ```
//!
//! `tests/rt_template.rs` in the repository builds the template as it is,
//! checks that the binary is static, its size, its output and (with
//! strace) that it makes no system call but `io_uring_setup`,
//! `io_uring_enter` and `exit_group`.
//!
//! # What the kit does not do
//!
//! No TLS (`#[thread_local]`), no constructors (`.init_array` is not run),
//! no stack guard, no signal handling, no `atexit`: the process is
//! `_start`, `main`, `exit_group`. A program that returns from `main`
//! exits with `main`'s value; nothing is flushed because nothing is
//! buffered.
//!
//! # A `std` program must not depend on this crate
//!
//! Its `_start`, `mem*` functions and panic handler would collide with
//! libc's and std's. They are only compiled when the crate is built with
//! `panic = "abort"` for Linux (`cfg(panic = "abort")`), so tests, doctests
//! and build scripts (always `panic = "unwind"`) can use [`Args`] and the
//! [`link`] constants.
#![no_std]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod args;
pub mod link;
mod mem;
#[cfg(all(panic = "abort", target_os = "linux"))]
mod start;

// Documented in every build (rustdoc's `doc` cfg), compiled only with the
// feature.
#[cfg(any(feature = "build", doc))]
#[cfg_attr(docsrs, doc(cfg(feature = "build")))]
pub mod build;

pub use args::{Args, AT_PAGESZ};

/// The exit code of a panicking program (the panic handler calls
/// `exit_group(EXIT_PANIC)`; nothing is printed). 101, as std's.
pub const EXIT_PANIC: i32 = 101;

/// Names the program's `main`: `fn main(args: Args) -> i32`, whose return
/// value is the exit code.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// bare_uring_rt::entry!(main);
///
/// fn main(args: bare_uring_rt::Args) -> i32 {
///     args.argc() as i32 // exit code: the number of arguments
/// }
/// ```
///
/// It defines the function the kit's `_start` calls with the initial stack
/// (`__bare_uring_rt_start`): it hands `AT_PAGESZ` to bare-uring's ring
/// layout (where the page size varies), calls `main` and exits with its
/// value. Without `entry!` the link fails with "undefined symbol:
/// __bare_uring_rt_start". In a crate built with `panic = "unwind"` it is
/// a compile error saying to set `panic = "abort"`.
///
/// For the last bytes: the compiler may keep `main` as a function of its
/// own, called from `__bare_uring_rt_start`; `#[inline(always)]` on `main`
/// folds the two (16 bytes in the template's hello, 40 in nostd-cat).
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[cfg(not(panic = "abort"))]
        compile_error!(
            "bare-uring-rt: build this no_std binary with `panic = \"abort\"` in every profile \
             ([profile.dev] and [profile.release] of Cargo.toml): it cannot unwind"
        );

        /// The program's entry, called by bare-uring-rt's `_start`.
        ///
        /// # Safety
        /// `sp` is the initial stack pointer the kernel gave the process;
        /// called once, by `_start`.
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn __bare_uring_rt_start(sp: *const usize) -> ! {
            // SAFETY: `_start` passes the kernel's initial stack (this
            // function's contract).
            let args = unsafe { $crate::__private::init(sp) };
            $crate::__private::exit($main(args))
        }
    };
}

/// What [`entry!`] expands to calls; not an API.
#[doc(hidden)]
pub mod __private {
    use crate::Args;

    /// Wraps the initial stack and hands `AT_PAGESZ` to bare-uring.
    ///
    /// # Safety
    /// As [`Args::from_raw`]: `sp` is the process's initial stack.
    #[inline(always)]
    pub unsafe fn init(sp: *const usize) -> Args {
        // SAFETY: the caller's contract; the kernel's initial stack lives,
        // untouched (it is above every frame), until the process exits.
        let args = unsafe { Args::from_raw(sp) };
        if bare_uring::ring::PAGE_SIZE != 4096 {
            // AT_PAGESZ: NO_MMAP rings set up by Ring::queue_init_static and
            // friends lay out for this page size without asking the kernel.
            // An invalid value (none seen from Linux) leaves bare-uring to
            // find the size itself.
            let _ = bare_uring::ring::set_page_size(args.page_size());
        }
        args
    }

    /// `exit_group(code)`.
    #[inline(always)]
    pub fn exit(code: i32) -> ! {
        bare_uring::syscall::exit(code)
    }
}
