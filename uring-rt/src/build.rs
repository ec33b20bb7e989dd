//! For the binary's build script (feature `build`): [`link`].

extern crate std;

use std::path::PathBuf;
use std::{env, fs, println};

/// Writes [`SCRIPT`](crate::link::SCRIPT) to `$OUT_DIR/bare-uring-rt.x`
/// and prints [`ARGS`](crate::link::ARGS) and `-Wl,-T,` that file as
/// `cargo:rustc-link-arg-bins=` lines, for Linux targets (other targets:
/// nothing). Call it from the build script of the package whose binary
/// uses the kit:
///
/// ```ignore
/// // build.rs; Cargo.toml: [build-dependencies]
/// // bare-uring-rt = { version = "0.1", features = ["build"] }
/// fn main() {
///     bare_uring_rt::build::link();
/// }
/// ```
///
/// Panics (failing the build with the message) outside a build script (no
/// `OUT_DIR`) or if the file cannot be written.
pub fn link() {
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let out = env::var_os("OUT_DIR")
        .expect("bare_uring_rt::build::link: no OUT_DIR (call it from build.rs)");
    let script = PathBuf::from(out).join("bare-uring-rt.x");
    fs::write(&script, crate::link::SCRIPT).unwrap_or_else(|e| {
        panic!(
            "bare_uring_rt::build::link: writing {}: {e}",
            script.display()
        )
    });
    for arg in crate::link::ARGS {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
}
