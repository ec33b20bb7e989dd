//! Runs the smoke suite on the running kernel: the same program the cross
//! runner boots as /init (scripts/cross/run.sh), here as a plain process,
//! reported case by case in libtest's format: a case the kernel cannot run
//! (`skip CASE: why`) shows as `test CASE ... ignored, skipped: why`, never
//! as a pass; a failed case fails. (`harness = false`: libtest has no
//! run-time skip.) `nostd_cat` and `rt_hello` need binaries the cross
//! runner provides, so they skip here unless URING_SMOKE_NOSTD_CAT /
//! URING_SMOKE_RT_HELLO name them.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if std::env::args().any(|a| a == "--list") {
        println!("smoke_suite: test");
        return ExitCode::SUCCESS;
    }
    if !filters.is_empty() && !filters.iter().any(|f| "smoke_suite".contains(f.as_str())) {
        println!("\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out; finished in 0.00s\n");
        return ExitCode::SUCCESS;
    }
    let t = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_uring-smoke"))
        .output()
        .expect("run uring-smoke");
    let text = String::from_utf8_lossy(&out.stdout);
    let cases: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("pass ") || l.starts_with("skip ") || l.starts_with("FAIL "))
        .collect();
    println!("\nrunning {} tests", cases.len());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for l in &cases {
        let (kind, rest) = l.split_once(' ').unwrap_or((l, ""));
        let (name, why) = rest.split_once(": ").unwrap_or((rest, ""));
        match kind {
            "pass" => {
                passed += 1;
                println!("test smoke::{name} ... ok");
            }
            "skip" => {
                skipped += 1;
                println!("test smoke::{name} ... ignored, skipped: {why}");
            }
            _ => {
                failed += 1;
                println!("test smoke::{name} ... FAILED");
                failures.push(format!("smoke::{name}: {why}"));
            }
        }
    }
    // The suite's own summary must agree with the lines, and a crash
    // (no summary, a signal) is a failure of its own.
    let summary = format!("{passed} passed, {failed} failed, {skipped} skipped");
    if text.lines().last() != Some(summary.as_str()) || cases.is_empty() {
        failed += 1;
        failures.push(format!(
            "smoke suite ended without its summary {summary:?} ({:?}); output:\n{text}",
            out.status
        ));
    } else if out.status.success() != (failed == 0) {
        failed += 1;
        failures.push(format!(
            "exit status {:?} with {failed} failed cases",
            out.status
        ));
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for f in &failures {
            println!("    {f}");
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {passed} passed; {failed} failed; {skipped} ignored; 0 measured; 0 filtered out; finished in {:.2}s\n",
        t.elapsed().as_secs_f64()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(101)
    }
}
