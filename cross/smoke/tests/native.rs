//! Runs the smoke suite on the host kernel: the same program the cross
//! runner boots as /init (scripts/cross/run.sh), here as a plain process.
//! The host kernel (6.18) has every feature the suite probes, so the only
//! allowed skip is `nostd_cat`, whose binary the cross runner provides.

use std::process::Command;

#[test]
fn smoke_suite_passes_on_the_host_kernel() {
    let out = Command::new(env!("CARGO_BIN_EXE_uring-smoke"))
        .env_remove("URING_SMOKE_NOSTD_CAT")
        .output()
        .expect("run uring-smoke");
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    let fails: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert!(fails.is_empty(), "failed cases: {fails:?}");
    let skips: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("skip ") && !l.starts_with("skip nostd_cat:"))
        .collect();
    assert!(
        skips.is_empty(),
        "unexpected skips on the host kernel: {skips:?}"
    );
    let summary = text.lines().last().unwrap_or("");
    assert!(
        summary.ends_with(" passed, 0 failed, 1 skipped"),
        "summary: {summary:?}"
    );
    assert!(out.status.success(), "{:?}", out.status);
}
