//! examples/nostd-cat, the no_std static binary: built with the command of
//! docs/SIZE.md, run on real files, checked byte for byte, exit code by
//! exit code, for its size budget and (when strace is installed) for the
//! syscalls it makes.
//!
//! The binary is built once, into `$TMPDIR/nostd-cat-build` (its own
//! target dir, so this cargo never waits on the lock of the cargo running
//! the tests), by `$CARGO` or the `cargo` in `PATH` (without one, the
//! tests that run the binary skip; see `common::require_tool`).
//!
//! nostd-cat sets its ring up with IORING_SETUP_NO_MMAP (Linux 6.5+) and
//! IORING_SETUP_NO_SQARRAY (6.6+) and exits with 3 ("ring setup failed")
//! where the kernel refuses them: the tests that need the ring set one up
//! the same way first and skip when that setup answers EINVAL, so a
//! nostd-cat that fails setup on a kernel that has both still fails them.

mod common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use bare_uring::sys::{IORING_SETUP_NO_MMAP, IORING_SETUP_NO_SQARRAY};

/// Size budget of the stripped static binary. Issue 6 asked for at most
/// 8 KiB; 4 KiB since the binary came back near 3 KiB (docs/SIZE.md has
/// today's figure), so growth like one day's merges once caused (3,608 ->
/// 4,256 bytes) fails here instead of going unnoticed.
const SIZE_BUDGET: u64 = 4 * 1024;
/// What nostd-cat aims at (printed, not asserted): 3 KiB.
const SIZE_AIM: u64 = 3 * 1024;
/// Bytes per read in nostd-cat (`BUF_LEN` in examples/nostd-cat/src/cat.rs).
const BUF_LEN: usize = 64 * 1024;

// Exit codes of nostd-cat (the table in examples/nostd-cat/src/cat.rs).
const EXIT_USAGE: i32 = 2;
const EXIT_SETUP: i32 = 3;
const EXIT_OPEN: i32 = 4;
const EXIT_READ: i32 = 5;
const EXIT_WRITE: i32 = 6;

/// Builds nostd-cat once:
/// `cargo build -p nostd-cat --profile min-size` (docs/SIZE.md).
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let target = std::env::temp_dir().join("nostd-cat-build");
        let cargo = cargo();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let out = Command::new(cargo)
            .args([
                "build",
                "-p",
                "nostd-cat",
                "--profile",
                "min-size",
                "--manifest-path",
            ])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            // Exactly the documented command: no flags from the outer build.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .output()
            .expect("run cargo");
        assert!(
            out.status.success(),
            "building nostd-cat failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target.join("min-size").join("nostd-cat")
    })
}

/// The cargo that builds nostd-cat: `$CARGO` (set when cargo runs the
/// tests), else `cargo` from `PATH` (the test skips without one).
fn cargo() -> PathBuf {
    match std::env::var_os("CARGO") {
        Some(c) => c.into(),
        None => common::require_tool("cargo"),
    }
}

/// Skips the test unless this kernel sets up a ring as nostd-cat does
/// (caller memory, no SQ array): nostd-cat exits with `EXIT_SETUP` where
/// it cannot. Asks the kernel directly, one flag at a time, so the skip
/// names the feature that is missing.
fn require_cat_ring() {
    for (flags, name, since) in [
        (IORING_SETUP_NO_MMAP, "IORING_SETUP_NO_MMAP", "6.5"),
        (
            IORING_SETUP_NO_MMAP | IORING_SETUP_NO_SQARRAY,
            "IORING_SETUP_NO_SQARRAY",
            "6.6",
        ),
    ] {
        drop(common::setup_or_skip(2, flags, name, since));
    }
}

/// A scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("uring-nostd-cat-{}", std::process::id()))
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Deterministic bytes that are not a repeating short pattern (xorshift).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn run(args: &[&Path]) -> Output {
    Command::new(binary())
        .args(args)
        .output()
        .expect("run nostd-cat")
}

fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status))
}

fn copies_files_byte_for_byte_to_a_pipe() {
    require_cat_ring();
    let dir = scratch("pipe");
    let cases: [(&str, Vec<u8>); 6] = [
        ("empty", Vec::new()),
        ("one", b"x".to_vec()),
        ("text", b"hello, io_uring\n".to_vec()),
        ("exact-buffer", noise(BUF_LEN, 1)),
        ("buffer-plus-one", noise(BUF_LEN + 1, 2)),
        ("large", noise(5 * BUF_LEN + 12_345, 3)),
    ];
    for (name, data) in &cases {
        let path = dir.join(name);
        fs::write(&path, data).unwrap();
        let out = run(&[&path]);
        assert_eq!(code(&out), 0, "{name}: stderr {:?}", out.stderr);
        assert_eq!(out.stdout.len(), data.len(), "{name}: length");
        assert!(out.stdout == *data, "{name}: bytes differ");
        assert!(out.stderr.is_empty(), "{name}: wrote to stderr");
    }
}

fn copies_to_a_regular_file_at_its_position() {
    require_cat_ring();
    // stdout is a regular file: writes use offset -1 (the file position),
    // so what was already written before exec is kept.
    let dir = scratch("file");
    let data = noise(3 * BUF_LEN + 7, 4);
    let src = dir.join("src");
    fs::write(&src, &data).unwrap();
    let dst = dir.join("dst");
    fs::write(&dst, b"head:").unwrap();
    let out_file = fs::OpenOptions::new().append(true).open(&dst).unwrap();
    let status = Command::new(binary())
        .arg(&src)
        .stdout(Stdio::from(out_file))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let got = fs::read(&dst).unwrap();
    assert_eq!(&got[..5], b"head:");
    assert!(got[5..] == data[..], "file copy differs");
}

/// The run exited with `exit` and wrote nothing to stdout.
fn assert_failed_silently(out: &Output, exit: i32) {
    assert_eq!(code(out), exit);
    assert!(out.stdout.is_empty());
}

fn bad_usage_exits_2() {
    let out = Command::new(binary()).output().unwrap();
    assert_eq!(code(&out), EXIT_USAGE);
    let p = Path::new("/dev/null");
    assert_eq!(code(&run(&[p, p])), EXIT_USAGE);
    assert!(out.stdout.is_empty());
}

fn missing_file_is_an_open_failure() {
    require_cat_ring();
    // openat -> ENOENT.
    let dir = scratch("missing");
    let out = run(&[&dir.join("no-such-file")]);
    assert_failed_silently(&out, EXIT_OPEN);
}

fn path_through_a_file_is_an_open_failure() {
    require_cat_ring();
    // openat("<regular file>/x") -> ENOTDIR, whatever our privileges (root
    // bypasses permission bits, so EACCES cannot be provoked reliably).
    let dir = scratch("notdir");
    let file = dir.join("plain");
    fs::write(&file, b"data").unwrap();
    let out = run(&[&file.join("x")]);
    assert_failed_silently(&out, EXIT_OPEN);
}

fn directory_is_a_read_failure() {
    require_cat_ring();
    // openat(dir, O_RDONLY) succeeds; the read SQE fails with EISDIR.
    let dir = scratch("isdir");
    let out = run(&[&dir]);
    assert_failed_silently(&out, EXIT_READ);
}

fn unwritable_stdout_is_a_write_failure() {
    require_cat_ring();
    // fd 1 opened read-only: the write SQE fails with EBADF.
    let dir = scratch("ro-stdout");
    let src = dir.join("src");
    fs::write(&src, b"some bytes").unwrap();
    let ro = File::open(&src).unwrap();
    let status = Command::new(binary())
        .arg(&src)
        .stdout(Stdio::from(ro))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_WRITE));
}

fn binary_is_static_and_within_its_size_budget() {
    const PT_DYNAMIC: u32 = 2;
    const PT_INTERP: u32 = 3;
    let bin = binary();
    let elf = fs::read(bin).unwrap();
    let size = elf.len() as u64;
    println!("nostd-cat: {size} bytes (budget {SIZE_BUDGET}, aim {SIZE_AIM})");
    let types = common::program_header_types(&elf);
    assert!(
        !types.contains(&PT_INTERP),
        "has an interpreter: not static"
    );
    assert!(!types.contains(&PT_DYNAMIC), "has a dynamic section");
    assert!(
        size <= SIZE_BUDGET,
        "nostd-cat is {size} bytes, over the {SIZE_BUDGET}-byte budget"
    );
}

fn ring_memory_fits_the_static_array() {
    // cat.rs gives its 2-entry ring RING_LEN = 2 * PAGE_SIZE bytes.
    let need = bare_uring::ring::memory_size(2, bare_uring::sys::IORING_SETUP_NO_MMAP).unwrap();
    let have = 2 * bare_uring::ring::PAGE_SIZE;
    assert!(
        need <= have,
        "a 2-entry NO_MMAP ring needs {need} bytes, nostd-cat has {have}"
    );
}

/// Cross-builds nostd-cat for aarch64 and runs it under qemu-user: checks
/// `_start` and argv on AArch64. qemu-user has no io_uring (ENOSYS), so a
/// run with a file ends in the setup failure code. (The real aarch64 run,
/// with io_uring, is in an aarch64 kernel: scripts/cross/run.sh.)
///
/// Ignored by default because it needs tools from outside the workspace;
/// `.ci/cross.sh` installs them and runs it with `--ignored`, where a
/// missing tool is a failure.
fn aarch64_build_starts_under_qemu() {
    const TARGET: &str = "aarch64-unknown-linux-gnu";
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == TARGET)
        });
    assert!(installed, "rustup target {TARGET} is not installed");
    assert!(
        have("aarch64-linux-gnu-gcc"),
        "aarch64-linux-gnu-gcc missing (apt-get install gcc-aarch64-linux-gnu)"
    );
    assert!(
        have("qemu-aarch64"),
        "qemu-aarch64 missing (apt-get install qemu-user)"
    );
    let target_dir = std::env::temp_dir().join("nostd-cat-build");
    let out = Command::new(cargo())
        .args([
            "build",
            "-p",
            "nostd-cat",
            "--profile",
            "min-size",
            "--target",
            TARGET,
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env(
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER",
            "aarch64-linux-gnu-gcc",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = target_dir.join(TARGET).join("min-size").join("nostd-cat");
    let size = fs::metadata(&bin).unwrap().len();
    println!("nostd-cat for {TARGET}: {size} bytes");
    assert!(size <= SIZE_BUDGET);
    let usage = Command::new("qemu-aarch64").arg(&bin).output().unwrap();
    assert_eq!(usage.status.code(), Some(EXIT_USAGE));
    let file = Command::new("qemu-aarch64")
        .arg(&bin)
        .arg("/dev/null")
        .output()
        .unwrap();
    // 0 if this qemu ever gains io_uring, else the setup failure.
    assert!(
        matches!(file.status.code(), Some(0) | Some(EXIT_SETUP)),
        "{:?}",
        file.status
    );
}

fn makes_only_io_uring_syscalls_and_exit() {
    let strace = common::require_tool("strace");
    require_cat_ring();
    let dir = scratch("strace");
    let src = dir.join("src");
    fs::write(&src, noise(2 * BUF_LEN + 100, 5)).unwrap();
    let log = dir.join("log");
    let out = Command::new(&strace)
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .arg(binary())
        .arg(&src)
        .output()
        .unwrap();
    let text = fs::read_to_string(&log).unwrap_or_default();
    if !text.contains("execve(") {
        common::host_tool_unavailable(
            "strace",
            &format!(
                "cannot trace here (ptrace not allowed?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        );
    }
    assert_eq!(out.status.code(), Some(0));
    let names = common::strace_names(&text);
    println!("syscalls: {names:?}");
    // execve is strace starting the program; everything after is ours.
    assert_eq!(
        names,
        ["execve", "exit_group", "io_uring_enter", "io_uring_setup"]
    );
}

common::harness::main! {
    copies_files_byte_for_byte_to_a_pipe,
    copies_to_a_regular_file_at_its_position,
    bad_usage_exits_2,
    missing_file_is_an_open_failure,
    path_through_a_file_is_an_open_failure,
    directory_is_a_read_failure,
    unwritable_stdout_is_a_write_failure,
    binary_is_static_and_within_its_size_budget,
    ring_memory_fits_the_static_array,
    #[ignore = "needs `rustup target add aarch64-unknown-linux-gnu`, gcc-aarch64-linux-gnu and qemu-user; run by .ci/cross.sh"]
    aarch64_build_starts_under_qemu,
    makes_only_io_uring_syscalls_and_exit,
}
