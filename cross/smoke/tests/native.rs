//! Runs the smoke suite on the host kernel: the same program the cross
//! runner boots as /init (scripts/cross/run.sh), here as a plain process.
//! The host kernel (6.18) has every feature the suite probes, so the only
//! allowed skips are `nostd_cat` and `rt_hello`, whose binaries the cross
//! runner provides.

use std::process::Command;

#[test]
fn smoke_suite_passes_on_the_host_kernel() {
    let out = Command::new(env!("CARGO_BIN_EXE_uring-smoke"))
        .env_remove("URING_SMOKE_NOSTD_CAT")
        .env_remove("URING_SMOKE_RT_HELLO")
        .output()
        .expect("run uring-smoke");
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    let fails: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert!(fails.is_empty(), "failed cases: {fails:?}");
    let skips: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.starts_with("skip ")
                && !l.starts_with("skip nostd_cat:")
                && !l.starts_with("skip rt_hello:")
        })
        .collect();
    assert!(
        skips.is_empty(),
        "unexpected skips on the host kernel: {skips:?}"
    );
    let summary = text.lines().last().unwrap_or("");
    assert!(
        summary.ends_with(" passed, 0 failed, 2 skipped"),
        "summary: {summary:?}"
    );
    assert!(out.status.success(), "{:?}", out.status);
}
