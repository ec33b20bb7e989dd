//! `uring-smoke`: bare-uring's smoke suite on whatever kernel runs it.
//!
//! `scripts/cross/run.sh ARCH` builds it statically for ARCH, packs it as
//! `/init` into an initramfs and boots Debian's kernel for ARCH under
//! qemu-system; the same binary runs natively (`cargo run -p uring-smoke`,
//! and `tests/native.rs` in `cargo test`).
//!
//! Output, one line per case, then a summary the runner parses:
//! ```text
//! info <key>: <value>
//! pass <case>
//! skip <case>: <why the kernel cannot run it>
//! FAIL <case>: <what differed>
//! N passed, N failed, N skipped
//! ```
//! Every case probes its feature first (opcode probe, feature bits, the
//! errno the kernel documents for what it lacks) and reports `skip` only
//! when the kernel lacks it (never from the version `uname` reports); anything
//! else that goes wrong is a `FAIL`. Exit code: 0 without failures, 1 with.
//! As PID 1 the process then exits, which makes the kernel panic and (with
//! `panic=-1` and qemu's `-no-reboot`) ends the virtual machine.
#![allow(unused_unsafe)]

mod cases;
mod kernel;

use std::panic::{catch_unwind, AssertUnwindSafe};

/// A case's verdict.
pub enum Outcome {
    /// Ran and checked.
    Pass,
    /// Not run: the kernel lacks the feature (the reason says which).
    Skip(String),
}

/// What a case returns: `Err` is a failure with its detail.
pub type CaseResult = Result<Outcome, String>;

fn main() {
    let info = kernel::Info::read();
    println!("info arch: {}", std::env::consts::ARCH);
    println!(
        "info endian: {}",
        if cfg!(target_endian = "big") {
            "big"
        } else {
            "little"
        }
    );
    println!("info kernel: {}", info.release);
    println!("info page_size: {}", bare_uring::ring::page_size());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (name, case) in cases::ALL {
        // A panic inside a case (an unwrap, an assert) is its failure, not
        // the end of the suite.
        let r = catch_unwind(AssertUnwindSafe(|| case(&info)))
            .unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&p))));
        match r {
            Ok(Outcome::Pass) => {
                passed += 1;
                println!("pass {name}");
            }
            Ok(Outcome::Skip(why)) => {
                skipped += 1;
                println!("skip {name}: {why}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    std::process::exit(i32::from(failed > 0));
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic)".into())
}
