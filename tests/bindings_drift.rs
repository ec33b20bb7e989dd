//! The committed `uring-sys/src/bindings.rs` is exactly what bindgen makes
//! of `wrapper.h` today. Needs libclang (Debian: `libclang-dev`). The root
//! `build.rs` looks for it: when it finds none, the drift test is
//! `#[ignore]`d (`cargo test` lists it as ignored, with the reason); when it
//! finds one, or `URING_REQUIRE_LIBCLANG` is set (`.ci/run` installs
//! libclang and sets it), the test runs and fails if bindgen cannot load it.

#[test]
#[cfg_attr(
    not(uring_libclang),
    ignore = "libclang not found when the tests were built (apt-get install libclang-dev, then `touch build.rs`), or URING_NO_LIBCLANG set (static builds cannot load it)"
)]
fn committed_bindings_match_a_fresh_bindgen_run() {
    if let Err(why) = uring_gen::libclang_available() {
        panic!("the bindings drift check needs libclang: {why}");
    }
    let fresh = uring_gen::generate("x86_64-unknown-linux-gnu").expect("bindgen");
    let committed = std::fs::read_to_string(uring_gen::bindings_path()).expect("read bindings.rs");
    if fresh != committed {
        let line = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "length".to_string(), |i| format!("line {}", i + 1));
        panic!(
            "uring-sys/src/bindings.rs differs from a fresh bindgen run (first difference: {line}); \
             run `cargo run -p uring-gen` and review the diff"
        );
    }
    println!(
        "bindings.rs matches bindgen ({} lines)",
        fresh.lines().count()
    );
}

/// The bindings must come from the vendored 6.18-era header, not the
/// system's older UAPI copy.
#[test]
fn bindings_have_recent_uapi_items() {
    let b = std::fs::read_to_string(uring_gen::bindings_path()).unwrap();
    for item in [
        "IORING_REGISTER_SEND_MSG_RING",
        "IORING_RECVSEND_BUNDLE",
        "IOU_PBUF_RING_INC",
        "IORING_SETUP_NO_MMAP",
        "IORING_SETUP_SQE_MIXED",
        "IORING_OP_NOP128",
    ] {
        assert!(
            b.contains(&format!("pub const {item}:")),
            "{item} missing from bindings.rs"
        );
    }
}
