//! Signals for the tests that interrupt waits (`tests/c/signals.c`: the root
//! package has no libc crate). Included with `#[path]` by the test files that
//! need it, which also `use uring as _;` so the C helpers are linked.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bare_uring::syscall;

extern "C" {
    fn rel_install_sigusr1() -> i32;
    fn rel_signals_seen() -> i64;
    fn rel_tgkill(tid: i32, sig: i32) -> i32;
    fn rel_sigusr1() -> i32;
}

/// Installs the counting SIGUSR1 handler (without SA_RESTART).
pub fn install_sigusr1() {
    // SAFETY: installs a handler that only bumps an atomic counter.
    assert_eq!(unsafe { rel_install_sigusr1() }, 0, "sigaction");
}

/// Signals the handler has counted so far (process-wide).
pub fn signals_seen() -> i64 {
    // SAFETY: reads an atomic counter.
    unsafe { rel_signals_seen() }
}

/// Sends SIGUSR1 to the thread that started it every `period` until
/// dropped, so whichever wait that thread is in gets interrupted, whenever
/// it starts. The handler is installed first.
pub struct Signaller {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Signaller {
    pub fn start(period: Duration) -> Signaller {
        install_sigusr1();
        let tid = syscall::gettid();
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (s, n) = (stop.clone(), sent.clone());
        let thread = std::thread::spawn(move || {
            // Relaxed: a stop request; nothing else is published with it.
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(period);
                // SAFETY: signals a live thread of this process (it joins
                // us before it can exit); the handler is installed.
                assert_eq!(unsafe { rel_tgkill(tid, rel_sigusr1()) }, 0);
                // Relaxed: a statistic read after join.
                n.fetch_add(1, Ordering::Relaxed);
            }
        });
        Signaller {
            stop,
            sent,
            thread: Some(thread),
        }
    }

    /// Stops and joins the thread; returns how many signals it sent.
    pub fn finish(mut self) -> u64 {
        self.halt();
        // Relaxed: the thread was joined.
        self.sent.load(Ordering::Relaxed)
    }

    fn halt(&mut self) {
        // Relaxed: see `start`.
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Signaller {
    fn drop(&mut self) {
        self.halt();
    }
}
