//! `cat FILE` through io_uring only: `#![no_std]`, `#![no_main]`, no libc,
//! statically linked; `_start`, the memory functions and the panic handler
//! come from bare-uring-rt.
//!
//! The process makes no system call but `io_uring_setup`,
//! `io_uring_enter` and `exit_group`: the ring lives in a `static` array
//! (`IORING_SETUP_NO_MMAP`), the file is opened with an `openat` SQE, and
//! each chunk is read into a static buffer and written to fd 1 by a linked
//! read -> write pair. See `cat.rs` for the exit codes and docs/SIZE.md
//! for the build command and the size.
//!
//! Built with `panic = "abort"` (the `min-size` profile) it is the no_std
//! program. Built with `panic = "unwind"` (the `dev` profile, e.g. by
//! `cargo build --workspace` or clippy) no_std is impossible on stable
//! Rust, so the same `cat` module runs under an ordinary std `main`.
#![cfg_attr(panic = "abort", no_std, no_main)]

mod cat;

#[cfg(panic = "abort")]
bare_uring_rt::entry!(main);

/// The no_std entry point (bare-uring-rt's `_start` calls it): exactly
/// one argument, the file.
#[cfg(panic = "abort")]
#[inline(always)] // into the kit's entry: one function, no call
fn main(args: bare_uring_rt::Args) -> i32 {
    if args.argc() != 2 {
        return cat::EXIT_USAGE;
    }
    // SAFETY: argv[1] exists (argc is 2) and is a NUL-terminated string
    // that lives for the whole process; `main` runs once.
    unsafe { cat::cat(*args.argv().add(1), args.page_size()) }
}

/// Dev-profile entry point: std startup around the same io_uring code.
#[cfg(not(panic = "abort"))]
fn main() {
    use std::os::unix::ffi::OsStringExt;
    let mut args = std::env::args_os();
    let code = match (args.nth(1), args.next()) {
        (Some(path), None) => match std::ffi::CString::new(path.into_vec()) {
            // SAFETY: a NUL-terminated string; called once, from main.
            Ok(path) => unsafe { cat::cat(path.as_ptr(), bare_uring::ring::page_size()) },
            Err(_) => cat::EXIT_OPEN,
        },
        _ => cat::EXIT_USAGE,
    };
    std::process::exit(code)
}
