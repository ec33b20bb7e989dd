//! Tests of our test harness (tests/common/harness.rs): its command line,
//! its libtest-format lines, and whole runs of this binary as a child with
//! `URING_HARNESS_DEMO=1`, which switches it to a list of deliberately
//! passing, skipping, failing and hanging cases (`demo_*`): a run-time skip
//! must print `ignored, skipped: ...`, a failure must exit 101, a hang must
//! become a named failure. With `URING_HARNESS_DEMO_TOOLS=1` it runs
//! `common::require_tool` against a `PATH` the parent made (`demo_tool_*`).
//!
//! Run: `cargo test --test harness_self`.

use std::process::{Command, Output};
use std::time::Duration;

mod common;
use common::harness::{self, Count, Opts, Outcome, RunIgnored, Tally, Test};

const DEMO: &str = "URING_HARNESS_DEMO";
const DEMO_TOOLS: &str = "URING_HARNESS_DEMO_TOOLS";

// ---- the demo cases (only listed when URING_HARNESS_DEMO is set)

fn demo_passes() {
    println!("demo output");
}

fn nested_helper(depth: u32) {
    if depth == 0 {
        common::skip!("demo: nested skip {}", 42);
    }
    nested_helper(depth - 1);
}

fn demo_skips() {
    nested_helper(3);
    unreachable!("skip returns never");
}

fn demo_skips_in_thread() {
    let h = std::thread::spawn(|| -> u32 { common::skip("from a thread") });
    common::propagate(h.join());
    unreachable!("the thread's skip is re-raised here");
}

fn demo_stray_skip() {
    // The thread's skip is dropped: the harness must not show a pass.
    let _ = std::thread::spawn(|| common::skip("lost in a thread")).join();
}

fn demo_fails() {
    assert_eq!(1 + 1, 3, "demo: deliberate failure");
}

fn demo_hangs() {
    loop {
        std::thread::park();
    }
}

fn demo_static_ignore() {
    println!("static ignore ran");
}

// ---- require_tool cases (only listed when URING_HARNESS_DEMO_TOOLS is set)

fn demo_tool_found() {
    let p = common::require_tool("uring-demo-tool");
    println!("found {}", p.display());
}

fn demo_tool_not_executable() {
    common::require_tool("uring-demo-noexec");
    unreachable!("a file without x bits is no tool");
}

// ---- pure tests of the parts

fn parses_what_our_scripts_pass() {
    // .ci/stress.sh, the strace children of arena.rs and reliability.rs,
    // .ci/cross.sh, .ci/run.
    let o = Opts::parse(&["--ignored", "--test-threads=1", "--nocapture"]).unwrap();
    assert_eq!(o.ignored, RunIgnored::Only);
    assert!(o.filters.is_empty());
    let o = Opts::parse(&["--exact", "child_x", "--ignored", "--test-threads=1"]).unwrap();
    assert!(o.exact);
    assert_eq!(o.filters, ["child_x"]);
    let o = Opts::parse(&["-q", "--nocapture", "a", "b", "--skip", "xattr"]).unwrap();
    assert!(o.quiet);
    assert_eq!(o.filters, ["a", "b"]);
    assert_eq!(o.skip, ["xattr"]);
    let o = Opts::parse(&[
        "--include-ignored",
        "--test-threads",
        "2",
        "--format",
        "pretty",
        "--show-output",
        "--list",
        "--color=never",
    ])
    .unwrap();
    assert_eq!(o.ignored, RunIgnored::Also);
    assert!(o.list && !o.quiet && o.filters.is_empty());
    assert!(Opts::parse(&["--format=terse"]).unwrap().quiet);
}

fn rejects_unknown_or_bad_options_naming_them() {
    for (args, needle) in [
        (&["--bogus"][..], "--bogus"),
        (&["--format", "json"], "json"),
        (&["--test-threads", "zero"], "--test-threads"),
        (&["--skip"], "--skip"),
        (&["-Z", "unstable-options"], "-Z"),
    ] {
        let e = Opts::parse(args).unwrap_err();
        assert!(e.contains(needle), "{args:?}: {e}");
    }
}

fn noop() {}

const LIST: [Test; 4] = [
    Test {
        name: "ring_a",
        run: noop,
        ignore: None,
    },
    Test {
        name: "ring_ab",
        run: noop,
        ignore: None,
    },
    Test {
        name: "child_c",
        run: noop,
        ignore: Some("child"),
    },
    Test {
        name: "other",
        run: noop,
        ignore: None,
    },
];

fn names(o: &Opts) -> Vec<&'static str> {
    o.select(&LIST).iter().map(|t| t.name).collect()
}

fn selects_like_libtest() {
    let p = |a: &[&str]| Opts::parse(a).unwrap();
    assert_eq!(names(&p(&[])), ["ring_a", "ring_ab", "child_c", "other"]);
    assert_eq!(names(&p(&["ring_a"])), ["ring_a", "ring_ab"]);
    assert_eq!(names(&p(&["ring_a", "--exact"])), ["ring_a"]);
    assert_eq!(names(&p(&["ab", "oth"])), ["ring_ab", "other"]);
    assert_eq!(names(&p(&["--skip", "ring"])), ["child_c", "other"]);
    assert_eq!(
        names(&p(&["--exact", "--skip", "ring_a"])),
        ["ring_ab", "child_c", "other"]
    );
    assert_eq!(names(&p(&["--ignored"])), ["child_c"]);
    assert_eq!(names(&p(&["--ignored", "ring"])), Vec::<&str>::new());
    assert_eq!(names(&p(&["--include-ignored", "c"])), ["child_c"]);
    assert_eq!(names(&p(&["--bench"])), Vec::<&str>::new());
}

fn formats_lines_like_libtest() {
    assert_eq!(harness::result_line("a", &Outcome::Passed), "test a ... ok");
    assert_eq!(
        harness::result_line("a", &Outcome::Ignored("")),
        "test a ... ignored"
    );
    assert_eq!(
        harness::result_line("a", &Outcome::Ignored("needs strace")),
        "test a ... ignored, needs strace"
    );
    assert_eq!(
        harness::result_line("a", &Outcome::Skipped("X needs Linux 7.0+".into())),
        "test a ... ignored, skipped: X needs Linux 7.0+"
    );
    assert_eq!(
        harness::result_line("a", &Outcome::Failed("boom".into())),
        "test a ... FAILED"
    );
}

fn summary_like_libtest() {
    let mut t = Tally {
        filtered_out: 4,
        ..Tally::default()
    };
    for o in [
        Outcome::Passed,
        Outcome::Passed,
        Outcome::Skipped("s".into()),
        Outcome::Ignored("i"),
    ] {
        t.add(&o);
    }
    assert_eq!(
        harness::summary(&[], t, Duration::from_millis(1234)),
        "\ntest result: ok. 2 passed; 0 failed; 2 ignored; 0 measured; 4 filtered out; \
         finished in 1.23s\n\n"
    );
    t.add(&Outcome::Failed("x".into()));
    let failures = [("zeta", "boom\n".to_owned()), ("alpha", "bang".to_owned())];
    assert_eq!(
        harness::summary(&failures, t, Duration::ZERO),
        "\nfailures:\n\n---- zeta stdout ----\nboom\n\n---- alpha stdout ----\nbang\n\n\
         \nfailures:\n    alpha\n    zeta\n\
         \ntest result: FAILED. 2 passed; 1 failed; 2 ignored; 0 measured; 4 filtered out; \
         finished in 0.00s\n\n"
    );
}

fn scale_divides_counts_never_to_zero() {
    assert_eq!(10_000u64.divided_by(1), 10_000);
    assert_eq!(10_000u32.divided_by(8), 1_250);
    assert_eq!(3usize.divided_by(10), 1);
    assert_eq!(0i32.divided_by(10), 0);
    assert_eq!((-5i64).divided_by(10), -5);
    // This process's own divisor comes from the environment.
    let d = harness::scale_divisor();
    assert_eq!(common::scale(1000u64), (1000 / d).max(1));
}

// ---- whole runs of this binary as a child

fn demo(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out: Output = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .env(DEMO, "1")
        .env_remove("URING_TEST_TIMEOUT")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let code = out.status.code().expect("the child exited (no signal)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // Indented, so no line of the child's report looks like one of ours
    // (the assertions below refer to it rather than repeat it).
    println!("child {args:?}: exit {code}");
    for l in stdout.lines().chain(stderr.lines()) {
        println!("  | {l}");
    }
    (code, stdout, stderr)
}

fn lines_of(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("test ")).collect()
}

fn skip_prints_ignored_and_failure_exits_101() {
    let (code, out, err) = demo(&["--skip", "demo_hangs"], &[]);
    assert_eq!(code, 101, "a failing run exits 101");
    assert!(out.starts_with("\nrunning 6 tests\n"));
    let lines = lines_of(&out);
    assert_eq!(
        lines[..6],
        [
            "test demo_passes ... ok",
            "test demo_skips ... ignored, skipped: demo: nested skip 42",
            "test demo_skips_in_thread ... ignored, skipped: from a thread",
            "test demo_stray_skip ... FAILED",
            "test demo_fails ... FAILED",
            "test demo_static_ignore ... ignored, static reason",
        ]
    );
    assert!(
        lines[6].starts_with(
            "test result: FAILED. 1 passed; 2 failed; 3 ignored; 0 measured; 1 filtered out; \
             finished in "
        ),
        "{:?}",
        lines[6]
    );
    assert!(out.contains("\nfailures:\n    demo_fails\n    demo_stray_skip\n"));
    assert!(out.contains("---- demo_fails stdout ----\nthread 'demo_fails' panicked at"));
    assert!(out.contains("demo: deliberate failure"));
    assert!(out.contains("called skip(\"lost in a thread\")"));
    // The default panic hook printed the failure; a skip prints nothing.
    assert!(err.contains("demo: deliberate failure"));
    assert!(!err.contains("nested skip"));
}

fn passing_and_static_ignored_runs_exit_0() {
    let (code, out, _) = demo(&["--exact", "demo_passes", "demo_skips"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains(
        "test result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 5 filtered out; finished in "
    ));
    let (code, out, _) = demo(&["--ignored", "--test-threads=1"], &[]);
    assert_eq!(code, 0);
    assert_eq!(lines_of(&out)[0], "test demo_static_ignore ... ok");
    assert!(out.contains("static ignore ran"));
    assert!(out.contains("1 passed; 0 failed; 0 ignored; 0 measured; 6 filtered out"));
}

fn hang_becomes_a_named_failure() {
    let (code, out, _) = demo(
        &["demo_hangs", "demo_passes"],
        &[("URING_TEST_TIMEOUT", "1")],
    );
    assert_eq!(code, 101);
    assert_eq!(
        lines_of(&out)[..2],
        ["test demo_passes ... ok", "test demo_hangs ... FAILED"]
    );
    assert!(out.contains("test timed out after 1s"));
    assert!(out.contains("test result: FAILED. 1 passed; 1 failed; 0 ignored"));
}

fn list_and_bad_flags() {
    let (code, out, _) = demo(&["--list", "skips"], &[]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "demo_skips: test\ndemo_skips_in_thread: test\n\n2 tests, 0 benchmarks\n"
    );
    // Terse: one character per test, the summary as usual.
    let (code, out, _) = demo(
        &["-q", "--exact", "demo_passes", "demo_skips", "demo_fails"],
        &[],
    );
    assert_eq!(code, 101);
    assert!(out.contains("\nrunning 3 tests\ndemo output\n.iF\n"));
    assert!(out.contains("test result: FAILED. 1 passed; 1 failed; 1 ignored;"));
    let (code, _, err) = demo(&["--no-such-flag"], &[]);
    assert_eq!(code, 101);
    assert!(err.contains("--no-such-flag"));
    let (code, _, err) = demo(&[], &[("URING_TEST_TIMEOUT", "soon")]);
    assert_eq!(code, 101);
    assert!(err.contains("URING_TEST_TIMEOUT"));
}

/// A missing host tool skips the test, or fails it with
/// `URING_REQUIRE_HOST_TOOLS=1`; a present one is returned by its path.
fn require_tool_skips_or_fails_as_asked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("uring-harness-tools-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, mode) in [("uring-demo-tool", 0o755), ("uring-demo-noexec", 0o644)] {
        let f = dir.join(name);
        std::fs::write(&f, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let path = dir.to_str().unwrap();
    let run = |require: Option<&str>| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.env(DEMO_TOOLS, "1")
            .env("PATH", path)
            .env_remove(DEMO)
            .env_remove("URING_REQUIRE_HOST_TOOLS");
        if let Some(v) = require {
            cmd.env("URING_REQUIRE_HOST_TOOLS", v);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        println!(
            "child (URING_REQUIRE_HOST_TOOLS={require:?}): {:?}",
            out.status
        );
        for l in stdout.lines() {
            println!("  | {l}");
        }
        (out.status.code(), stdout)
    };
    let (code, out) = run(None);
    assert_eq!(code, Some(0));
    assert!(out.contains(&format!("found {path}/uring-demo-tool\n")));
    assert_eq!(
        lines_of(&out)[..2],
        [
            "test demo_tool_found ... ok",
            "test demo_tool_not_executable ... ignored, skipped: needs the host tool \
             uring-demo-noexec: not found in PATH",
        ]
    );
    let (code, out) = run(Some("1"));
    assert_eq!(code, Some(101));
    assert_eq!(
        lines_of(&out)[..2],
        [
            "test demo_tool_found ... ok",
            "test demo_tool_not_executable ... FAILED"
        ]
    );
    assert!(out.contains("URING_REQUIRE_HOST_TOOLS=1"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn main() {
    if std::env::var_os(DEMO_TOOLS).is_some() {
        harness::run(&harness::tests![demo_tool_found, demo_tool_not_executable,]);
    }
    if std::env::var_os(DEMO).is_some() {
        harness::run(&harness::tests![
            demo_passes,
            demo_skips,
            demo_skips_in_thread,
            demo_stray_skip,
            demo_fails,
            demo_hangs,
            #[ignore = "static reason"]
            demo_static_ignore,
        ]);
    }
    harness::run(&harness::tests![
        parses_what_our_scripts_pass,
        rejects_unknown_or_bad_options_naming_them,
        selects_like_libtest,
        formats_lines_like_libtest,
        summary_like_libtest,
        scale_divides_counts_never_to_zero,
        skip_prints_ignored_and_failure_exits_101,
        passing_and_static_ignored_runs_exit_0,
        hang_becomes_a_named_failure,
        list_and_bad_flags,
        require_tool_skips_or_fails_as_asked,
    ])
}
