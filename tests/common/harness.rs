//! Our own test harness for the live-kernel integration tests (their
//! `[[test]]` entries in the root `Cargo.toml` say `harness = false`).
//!
//! Stable libtest cannot mark a test ignored at run time: a test that
//! returns early on a kernel without the feature prints `ok`. This harness
//! keeps libtest's output (`running N tests`, `test NAME ... ok`, the
//! `failures:` section, `test result: ...`, exit code 101 on failure) and its
//! command line (filters, `--exact`, `--skip`, `--ignored`,
//! `--include-ignored`, `--list`, ...), and adds:
//!
//! - [`skip`] / `skip!`: the test stops and is reported as
//!   `test NAME ... ignored, skipped: REASON`, counted under `ignored`;
//! - a watchdog: a test running longer than `URING_TEST_TIMEOUT` seconds
//!   (default 300, `0` = no limit) is reported `FAILED` ("timed out") and
//!   the run ends with exit code 101;
//! - [`scale`]: `URING_TEST_SCALE` divides the loop counts of stress- and
//!   timing-heavy tests (for slow emulated kernels).
//!
//! A test file lists its tests at the bottom, static ignores with their
//! reason (they run with `--ignored` / `--include-ignored`, as in libtest):
//!
//! ```ignore
//! mod common;
//!
//! fn first() { /* ... */ }
//! fn second() { /* ... */ }
//! fn child_run_by_first() { /* ... */ }
//!
//! common::harness::main! {
//!     first,
//!     second,
//!     #[ignore = "child of first (runs under strace)"]
//!     child_run_by_first,
//! }
//! ```
//!
//! A test fn missing from the list is dead code, which clippy (`-D
//! warnings`) reports: do not `#[allow(dead_code)]` test fns.
//!
//! Tests run one at a time, each in a thread named after it (as libtest
//! names them). Output is never captured (`--nocapture` and
//! `--show-output` are accepted and change nothing): what a test prints
//! appears before its `test NAME ... ok` line, and a panic's message is
//! printed by the default panic hook as it happens and repeated in the
//! `failures:` section.

use std::any::Any;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard, Once};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// One entry of a test list (made by [`tests!`] / [`main!`]).
#[derive(Clone, Copy)]
pub struct Test {
    /// The fn's name: what filters match and what is printed.
    pub name: &'static str,
    /// The test itself.
    pub run: fn(),
    /// `Some(reason)` for a static ignore (`#[ignore = "reason"]` in the
    /// list): run only with `--ignored` or `--include-ignored`.
    pub ignore: Option<&'static str>,
}

/// The payload a run-time skip unwinds with (private: only [`skip`] makes
/// one, only the harness reads it).
struct Skip(String);

/// Stops the running test and reports it as `ignored, skipped: REASON`.
///
/// Unwinds with a private payload through [`std::panic::resume_unwind`], so
/// no panic message is printed; destructors run as for a panic. Works from
/// any depth of helper calls, but only on the test's own thread: in a
/// thread the test spawned it ends that thread only, and the test must
/// hand the outcome on with [`propagate`] (`propagate(handle.join())`),
/// which re-raises the skip in the test's thread. A skip raised in another
/// thread that does not reach the test's own thread this way turns the
/// test into a failure that says so (a skip is never shown as a pass).
/// Do not call it inside `catch_unwind` unless you re-raise what it caught.
/// In a libtest binary (`harness = true`) it fails the test: only this
/// harness knows the payload.
pub fn skip(reason: &str) -> ! {
    let me = thread::current();
    if *lock(&TEST_THREAD) != Some(me.id()) {
        lock(&STRAY_SKIPS).push(format!(
            "thread '{}' called skip(\"{reason}\"), which did not reach the test's own thread: \
             join that thread with common::harness::propagate(handle.join())",
            me.name().unwrap_or("<unnamed>")
        ));
    }
    panic::resume_unwind(Box::new(Skip(reason.to_owned())))
}

/// `skip!("fmt", args..)`: [`skip`] with a formatted reason.
#[allow(unused_macros)] // each test binary uses some
macro_rules! skip_ {
    ($($arg:tt)*) => {
        $crate::common::harness::skip(&::std::format!($($arg)*))
    };
}
#[allow(unused_imports)]
pub(crate) use skip_ as skip;

/// Returns what a thread returned, or re-raises in the calling thread
/// whatever ended it: a panic (whose message was already printed) or a
/// [`skip`]. For `JoinHandle::join` and `ScopedJoinHandle::join` results:
/// `propagate(handle.join())`.
pub fn propagate<T>(joined: thread::Result<T>) -> T {
    joined.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// Loop counts divided by `URING_TEST_SCALE` (a positive integer, default
/// 1 = unchanged), at least 1 when `n` is: for stress- and timing-heavy
/// tests on slow (emulated) machines. Only counts shrink; assertions stay.
pub fn scale<T: Count>(n: T) -> T {
    n.divided_by(scale_divisor())
}

/// The divisor of [`scale`]: `URING_TEST_SCALE`, default 1.
pub fn scale_divisor() -> u64 {
    match std::env::var("URING_TEST_SCALE") {
        Err(_) => 1,
        Ok(s) => match s.trim().parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => panic!("URING_TEST_SCALE must be a positive integer, not {s:?}"),
        },
    }
}

/// Integer loop counts [`scale`] can divide.
pub trait Count: Copy {
    /// `self / by`, but at least 1 when `self` is at least 1.
    fn divided_by(self, by: u64) -> Self;
}

macro_rules! count_impl {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn divided_by(self, by: u64) -> Self {
                if self <= 0 as $t {
                    return self;
                }
                let q = (self as u64 / by).max(1);
                q as $t
            }
        }
    )*};
}
count_impl!(u32, u64, usize, i32, i64);

/// An array of [`Test`]s: `tests![a, b, #[ignore = "why"] c]`.
#[allow(unused_macros)] // each test binary uses some
macro_rules! tests_ {
    ($($(#[ignore = $why:literal])? $name:ident),* $(,)?) => {
        [$($crate::common::harness::Test {
            name: ::std::stringify!($name),
            run: $name,
            ignore: None $(.or(Some($why)))?,
        }),*]
    };
}
#[allow(unused_imports)]
pub(crate) use tests_ as tests;

/// `fn main` running the listed tests: `main! { a, b, #[ignore = "why"] c }`.
#[allow(unused_macros)] // each test binary uses some
macro_rules! main_ {
    ($($(#[ignore = $why:literal])? $name:ident),* $(,)?) => {
        fn main() {
            $crate::common::harness::run(&$crate::common::harness::tests![
                $($(#[ignore = $why])? $name),*
            ])
        }
    };
}
#[allow(unused_imports)]
pub(crate) use main_ as main;

// ---- command line

/// Which tests `--ignored` / `--include-ignored` select.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunIgnored {
    /// Run the others, report the statically ignored ones as ignored.
    #[default]
    No,
    /// `--ignored`: only the statically ignored ones, run.
    Only,
    /// `--include-ignored`: all, run.
    Also,
}

/// The parsed command line (libtest's options that our scripts use).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// Positional filters: a test runs if any matches (substring, or the
    /// whole name with `--exact`); none = all.
    pub filters: Vec<String>,
    /// `--skip PATTERN` (repeatable): leave out the tests it matches.
    pub skip: Vec<String>,
    pub exact: bool,
    pub ignored: RunIgnored,
    pub list: bool,
    /// `-q`, `--quiet`, `--format terse`: one character per test.
    pub quiet: bool,
    pub help: bool,
    /// `--bench`: benchmarks only, of which we have none.
    pub bench: bool,
}

impl Opts {
    /// Parses the arguments after the program name; `Err` names the
    /// offending argument.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Opts, String> {
        let mut o = Opts::default();
        let mut it = args.iter().map(AsRef::as_ref);
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (arg, None),
            };
            let mut value = |what: &str| -> Result<String, String> {
                match inline {
                    Some(v) => Ok(v.to_owned()),
                    None => it
                        .next()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("option '{flag}' requires {what}")),
                }
            };
            match flag {
                "--exact" => o.exact = true,
                "--ignored" => o.ignored = RunIgnored::Only,
                "--include-ignored" => o.ignored = RunIgnored::Also,
                "--list" => o.list = true,
                "--nocapture" | "--show-output" => {}
                "-q" | "--quiet" => o.quiet = true,
                "-h" | "--help" => o.help = true,
                "--bench" => o.bench = true,
                "--test" => {}
                "--skip" => o.skip.push(value("a pattern")?),
                "--test-threads" => {
                    let v = value("a number")?;
                    match v.parse::<usize>() {
                        Ok(n) if n > 0 => {}
                        _ => {
                            return Err(format!(
                                "argument for --test-threads must be a number > 0 (error: {v:?})"
                            ))
                        }
                    }
                }
                "--format" => match value("a format")?.as_str() {
                    "pretty" => o.quiet = false,
                    "terse" => o.quiet = true,
                    other => {
                        return Err(format!(
                            "unsupported --format {other:?} (this harness prints pretty or terse)"
                        ))
                    }
                },
                "--color" => match value("auto, always or never")?.as_str() {
                    "auto" | "always" | "never" => {}
                    other => {
                        return Err(format!(
                            "argument for --color must be auto, always, or never (was {other})"
                        ))
                    }
                },
                _ if arg.starts_with('-') && arg != "-" => {
                    return Err(format!(
                        "unrecognized option '{arg}' (this harness: tests/common/harness.rs)"
                    ));
                }
                _ => o.filters.push(arg.to_owned()),
            }
        }
        Ok(o)
    }

    fn matches(&self, pattern: &str, name: &str) -> bool {
        if self.exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    }

    /// The tests this command line selects, in list order.
    pub fn select<'a>(&self, tests: &'a [Test]) -> Vec<&'a Test> {
        tests
            .iter()
            .filter(|_| !self.bench)
            .filter(|t| {
                self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, t.name))
            })
            .filter(|t| !self.skip.iter().any(|s| self.matches(s, t.name)))
            .filter(|t| self.ignored != RunIgnored::Only || t.ignore.is_some())
            .collect()
    }
}

const USAGE: &str = "\
Usage: TEST-BINARY [OPTIONS] [FILTERS...]

A run of the uring live-kernel tests (harness: tests/common/harness.rs),
libtest-compatible. Tests run one at a time, output is never captured.

    --exact              filters match whole names only
    --skip PATTERN       leave out the tests PATTERN matches (repeatable)
    --ignored            run only the statically ignored tests
    --include-ignored    run the statically ignored tests too
    --list               list the selected tests
    -q, --quiet          one character per test (--format terse)
    --format pretty|terse
    --nocapture, --show-output, --test-threads N, --color WHEN
                         accepted, change nothing
Environment:
    URING_TEST_TIMEOUT   seconds a test may run before it fails (300; 0 = no limit)
    URING_TEST_SCALE     divisor of stress loop counts (1)
";

// ---- outcomes and report

/// How one test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Statically ignored, with its reason.
    Ignored(&'static str),
    /// `skip(reason)` at run time.
    Skipped(String),
    /// Failed, with what to show in the `failures:` section.
    Failed(String),
}

/// The `test NAME ... RESULT` line (without newline).
pub fn result_line(name: &str, outcome: &Outcome) -> String {
    let result = match outcome {
        Outcome::Passed => "ok".to_owned(),
        Outcome::Ignored("") => "ignored".to_owned(),
        Outcome::Ignored(why) => format!("ignored, {why}"),
        Outcome::Skipped(why) => format!("ignored, skipped: {why}"),
        Outcome::Failed(_) => "FAILED".to_owned(),
    };
    format!("test {name} ... {result}")
}

/// Counts of a run, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
    pub filtered_out: usize,
}

impl Tally {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Ignored(_) | Outcome::Skipped(_) => self.ignored += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
    }
}

/// The `failures:` sections and the `test result:` line, as libtest
/// prints them after the per-test lines (`failures` = name and message,
/// in run order).
pub fn summary(failures: &[(&str, String)], t: Tally, elapsed: Duration) -> String {
    let mut s = String::new();
    if !failures.is_empty() {
        s.push_str("\nfailures:\n\n");
        for (name, msg) in failures {
            let _ = write!(s, "---- {name} stdout ----\n{msg}\n");
            if !msg.ends_with('\n') {
                s.push('\n');
            }
        }
        s.push_str("\nfailures:\n");
        let mut names: Vec<&str> = failures.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        for n in names {
            let _ = writeln!(s, "    {n}");
        }
    }
    let _ = write!(
        s,
        "\ntest result: {}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; \
         finished in {:.2}s\n\n",
        if t.failed == 0 { "ok" } else { "FAILED" },
        t.passed,
        t.failed,
        t.ignored,
        t.filtered_out,
        elapsed.as_secs_f64()
    );
    s
}

// ---- running

/// The thread of the test now running (for [`skip`]'s check).
static TEST_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);
/// Panic messages (from the panic hook) since the running test started.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Skips raised off the test's own thread since the running test started.
static STRAY_SKIPS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Locks, ignoring poison (a test that panicked holding none of these
/// locks cannot have left them inconsistent: each is a plain value).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Wraps the panic hook once: each panic's message is also recorded for
/// the `failures:` section, then printed as usual.
fn record_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let t = thread::current();
            lock(&PANICS).push(format!(
                "thread '{}' {info}",
                t.name().unwrap_or("<unnamed>")
            ));
            default(info);
        }));
    });
}

/// The watchdog's limit: `URING_TEST_TIMEOUT` seconds (default 300), or
/// `None` for `0` (no limit).
pub fn timeout() -> Result<Option<Duration>, String> {
    match std::env::var("URING_TEST_TIMEOUT") {
        Err(_) => Ok(Some(Duration::from_secs(300))),
        Ok(s) => match s.trim().parse::<u64>() {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(Duration::from_secs(n))),
            Err(_) => Err(format!(
                "URING_TEST_TIMEOUT must be a number of seconds, not {s:?}"
            )),
        },
    }
}

/// What a test's unwinding payload means.
fn outcome_of(payload: Box<dyn Any + Send>, panics: Vec<String>) -> Outcome {
    let payload = match payload.downcast::<Skip>() {
        Ok(skip) => return Outcome::Skipped(skip.0),
        Err(p) => p,
    };
    if !panics.is_empty() {
        return Outcome::Failed(panics.join("\n"));
    }
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic payload that is not a string)".to_owned());
    Outcome::Failed(text)
}

/// Runs `test` in a thread named after it; `None` when it outlived
/// `limit` (the thread is then left running).
fn run_one(test: &Test, limit: Option<Duration>) -> Option<Outcome> {
    lock(&PANICS).clear();
    lock(&STRAY_SKIPS).clear();
    let (tx, rx) = mpsc::channel();
    let f = test.run;
    let spawned = thread::Builder::new()
        .name(test.name.to_owned())
        .spawn(move || {
            *lock(&TEST_THREAD) = Some(thread::current().id());
            let r = panic::catch_unwind(AssertUnwindSafe(f));
            *lock(&TEST_THREAD) = None;
            let _ = tx.send(r);
        });
    let handle = match spawned {
        Ok(h) => h,
        Err(e) => {
            return Some(Outcome::Failed(format!(
                "could not spawn the test thread: {e}"
            )))
        }
    };
    let start = Instant::now();
    // libtest's note for long tests, then the watchdog's limit.
    let warn_at = Duration::from_secs(60);
    let mut warned = false;
    let result = loop {
        let elapsed = start.elapsed();
        let mut wait = limit.map_or(Duration::MAX, |l| l.saturating_sub(elapsed));
        if !warned {
            wait = wait.min(warn_at.saturating_sub(elapsed));
        }
        match rx.recv_timeout(wait) {
            Ok(r) => break r,
            Err(RecvTimeoutError::Timeout) => {
                if limit.is_some_and(|l| start.elapsed() >= l) {
                    return None;
                }
                if !warned && start.elapsed() >= warn_at {
                    warned = true;
                    println!("test {} has been running for over 60 seconds", test.name);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                break Err(Box::new("the test thread ended without a result") as Box<dyn Any + Send>)
            }
        }
    };
    let _ = handle.join();
    let panics = std::mem::take(&mut *lock(&PANICS));
    let strays = std::mem::take(&mut *lock(&STRAY_SKIPS));
    let outcome = match result {
        Ok(()) => Outcome::Passed,
        Err(payload) => outcome_of(payload, panics),
    };
    Some(match outcome {
        Outcome::Skipped(_) | Outcome::Ignored(_) => outcome,
        _ if !strays.is_empty() => {
            let before = match outcome {
                Outcome::Failed(msg) => format!("{msg}\n"),
                _ => "the test returned normally, but ".to_owned(),
            };
            Outcome::Failed(format!("{before}{}", strays.join("\n")))
        }
        _ => outcome,
    })
}

/// Runs the selected tests of `tests` as the command line says, prints
/// libtest's report and exits: 0 if none failed, 101 otherwise (also for a
/// bad command line or a test that outlived `URING_TEST_TIMEOUT`).
pub fn run(tests: &[Test]) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = Opts::parse(&args).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(101)
    });
    if opts.help {
        print!("{USAGE}");
        std::process::exit(0);
    }
    let limit = timeout().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(101)
    });
    if cfg!(panic = "abort") {
        eprintln!(
            "warning: built with panic=abort: a failing or skipped test aborts the whole run"
        );
    }
    if std::env::var_os("URING_TEST_SCALE").is_some() {
        eprintln!(
            "note: URING_TEST_SCALE={}: loop counts of the heavy tests are divided by it",
            scale_divisor()
        );
    }
    let selected = opts.select(tests);
    let mut tally = Tally {
        filtered_out: tests.len() - selected.len(),
        ..Tally::default()
    };
    let out = std::io::stdout();
    if opts.list {
        for t in &selected {
            println!("{}: test", t.name);
        }
        if !opts.quiet {
            let n = selected.len();
            println!();
            println!("{n} test{}, 0 benchmarks", if n == 1 { "" } else { "s" });
        }
        std::process::exit(0);
    }
    record_panics();
    let n = selected.len();
    println!("\nrunning {n} test{}", if n == 1 { "" } else { "s" });
    let start = Instant::now();
    let mut failures: Vec<(&str, String)> = Vec::new();
    let mut column = 0;
    for (i, t) in selected.iter().enumerate() {
        let outcome = match t.ignore {
            Some(why) if opts.ignored == RunIgnored::No => Outcome::Ignored(why),
            _ => match run_one(t, limit) {
                Some(o) => o,
                None => {
                    let secs = limit.map_or(0, |l| l.as_secs());
                    println!("{}", result_line(t.name, &Outcome::Failed(String::new())));
                    tally.failed += 1;
                    failures.push((
                        t.name,
                        format!(
                            "test timed out after {secs}s (URING_TEST_TIMEOUT); \
                             the run stops here, {} test(s) not run",
                            n - i - 1
                        ),
                    ));
                    print!("{}", summary(&failures, tally, start.elapsed()));
                    let _ = out.lock().flush();
                    std::process::exit(101);
                }
            },
        };
        if opts.quiet {
            let c = match outcome {
                Outcome::Passed => '.',
                Outcome::Failed(_) => 'F',
                _ => 'i',
            };
            print!("{c}");
            column += 1;
            if column % 88 == 0 {
                println!(" {}/{n}", i + 1);
            }
        } else {
            println!("{}", result_line(t.name, &outcome));
        }
        let _ = out.lock().flush();
        tally.add(&outcome);
        if let Outcome::Failed(msg) = outcome {
            failures.push((t.name, msg));
        }
    }
    if opts.quiet && column % 88 != 0 {
        println!();
    }
    print!("{}", summary(&failures, tally, start.elapsed()));
    let _ = out.lock().flush();
    std::process::exit(if tally.failed == 0 { 0 } else { 101 })
}
