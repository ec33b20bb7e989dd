//! Link flags for a static binary with no libc and no C start files:
//! bare-uring-rt's (`bare_uring_rt::link`: `-nostartfiles -nostdlib
//! -static -no-pie`, section GC, and its linker script).
//!
//! A package's `.cargo/config.toml` is not read when the workspace is built
//! from its root, so the flags come from here. They apply to profiles that
//! inherit from `release` (`release`, `min-size`), which the root
//! Cargo.toml builds with `panic = "abort"`: there `main.rs` is the no_std
//! program. In the `dev` profile (`panic = "unwind"`) `main.rs` builds an
//! ordinary std program around the same code, linked normally.
//!
//! (A build script cannot see the profile's panic strategy:
//! `CARGO_CFG_PANIC` is the target's default, "unwind". `PROFILE` is
//! "release" for every profile that inherits from `release`.)

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        bare_uring_rt::build::link();
    }
}
