//! Link flags for a static binary with no libc and no C start files.
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
//!
//! The flags work with both linkers rustc may drive through `cc`: lld (the
//! default for x86_64-unknown-linux-gnu since Rust 1.90) and GNU ld.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link.x");
    let profile = std::env::var("PROFILE").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if profile != "release" || os != "linux" {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let script = format!("-Wl,-T,{dir}/link.x");
    for arg in [
        // No crt1.o/crti.o: `_start` is ours (src/rt.rs).
        "-nostartfiles",
        // No libc, no libgcc.
        "-nostdlib",
        // A static executable at a fixed address: no PT_INTERP, no
        // dynamic section, no relocations left for a loader to apply.
        "-static",
        "-no-pie",
        // Drop unreferenced functions and data.
        "-Wl,--gc-sections",
        // No .note.gnu.build-id.
        "-Wl,--build-id=none",
        // No PT_GNU_RELRO segment and its page alignment.
        "-Wl,-z,norelro",
        // No .eh_frame_hdr / PT_GNU_EH_FRAME: nothing unwinds.
        "-Wl,--no-eh-frame-hdr",
        // Do not page-align sections in the file (nmagic); link.x keeps
        // code and data on different pages in memory.
        "-Wl,-n",
        // Two segments (code, bss), no .eh_frame, .comment or notes.
        &script,
    ] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
