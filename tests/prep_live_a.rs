//! The rw, splice, fs, open, path, xattr, poll, timeout, cancel and nop prep
//! helpers against the live kernel: each SQE is built only by
//! `bare_uring::prep`, submitted through `Ring`, and the test checks what
//! the kernel did with it (bytes on disk or in a pipe, `res` values, errno
//! names) by independent means (std, or libc through std's own libc).
//!
//! Never asserts timings: timeouts are either long enough never to fire
//! (60 s, removed or satisfied by count) or must fire (a read that can never
//! complete). Every wait is bounded by 10 s so a bug fails instead of hanging.
//!
//! Run: `cargo test --test prep_live_a -- --nocapture`

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CString};
use std::fs::File;
use std::io::{pipe, PipeReader, PipeWriter, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::ptr::null;
use std::sync::atomic::{AtomicU32, Ordering};

use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_mask, cqe_bid};
use bare_uring::sys::*;
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{iov, iov_mut, reap_within};

// Linux UAPI values (identical on x86_64 and aarch64), from <fcntl.h>,
// <poll.h>, <sys/epoll.h>, <fcntl.h>'s fadvise, <sys/mman.h>, <linux/fs.h>.
const O_RDONLY: i32 = 0;
const O_WRONLY: i32 = 1;
const O_CREAT: i32 = 0o100;
const O_EXCL: i32 = 0o200;
const O_CLOEXEC: i32 = 0o2_000_000;
const AT_REMOVEDIR: i32 = 0x200;
const AT_SYMLINK_FOLLOW: i32 = 0x400;
const AT_EMPTY_PATH: i32 = 0x1000;
const RENAME_NOREPLACE: u32 = 1;
const RESOLVE_BENEATH: u64 = 0x08;
const STATX_SIZE: u32 = 0x200;
const STATX_BASIC_STATS: u32 = 0x7ff;
const POLLIN: u32 = 0x1;
const POLLOUT: u32 = 0x4;
const EPOLLIN: u32 = 0x1;
const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CLOEXEC: c_int = O_CLOEXEC;
const POSIX_FADV_WILLNEED: i32 = 3;
const POSIX_FADV_DONTNEED: i32 = 4;
const MADV_WILLNEED: i32 = 3;
const RWF_APPEND: i32 = 0x10;
const FALLOC_FL_KEEP_SIZE: i32 = 1;
const SYNC_FILE_RANGE_WRITE: i32 = 2;
const XATTR_CREATE: i32 = 1;
const F_GETFD: c_int = 1;
const FD_CLOEXEC: c_int = 1;

// From the C library std already links (no extra dependency).
extern "C" {
    fn epoll_create1(flags: c_int) -> c_int;
    fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    fn lgetxattr(
        path: *const c_char,
        name: *const c_char,
        value: *mut c_void,
        size: usize,
    ) -> isize;
}

/// A fresh directory under `temp_dir()`, removed with its contents on drop.
struct TmpDir {
    path: PathBuf,
}

impl TmpDir {
    fn new(tag: &str) -> TmpDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "uring-prep-live-a-{}-{tag}-{n}",
            std::process::id()
        ));
        std::fs::create_dir(&path).unwrap();
        TmpDir { path }
    }

    fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// `name` inside the directory as a C string (absolute path).
    fn c(&self, name: &str) -> CString {
        cpath(&self.join(name))
    }

    /// The directory itself, opened for use as a `dfd`.
    fn open(&self) -> File {
        File::open(&self.path).unwrap()
    }
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// `ring.register_files_sparse(nr)`, skipping the test where the kernel
/// has no sparse tables (IORING_RSRC_REGISTER_SPARSE, 5.19+: EINVAL).
fn sparse_or_skip(ring: &Ring, nr: u32) {
    common::skip_on(
        ring.register_files_sparse(nr),
        &[Errno::EINVAL],
        "sparse file tables (IORING_RSRC_REGISTER_SPARSE) need Linux 5.19+",
    );
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn ring(entries: u32) -> Ring {
    Ring::queue_init(entries, 0).expect("io_uring_setup")
}

/// The next CQE as (user_data, res, flags), waiting at most 10 s.
fn next(ring: &mut Ring) -> (u64, i32, u32) {
    let cqe = reap_within(ring, 10);
    (cqe.user_data, cqe.res, cqe.flags)
}

/// Fills one SQE with `f` (user_data 0x5eed), submits it and returns its
/// CQE's (res, flags).
fn run_flags(ring: &mut Ring, f: impl FnOnce(&mut io_uring_sqe)) -> (i32, u32) {
    queue(ring, 0x5eed, f);
    ring.submit_and_wait(1).unwrap();
    let (ud, res, flags) = next(ring);
    assert_eq!(ud, 0x5eed);
    (res, flags)
}

/// As [`run_flags`], returning only `res`.
fn run(ring: &mut Ring, f: impl FnOnce(&mut io_uring_sqe)) -> i32 {
    run_flags(ring, f).0
}

/// Fills one SQE with `f` and tags it `user_data`, without submitting.
fn queue(ring: &mut Ring, user_data: u64, f: impl FnOnce(&mut io_uring_sqe)) {
    // SAFETY: the request is `f`'s: what it points to must outlive its CQE, which the caller
    // reaps (`run_flags`, `collect`); a safe fn, so callers must keep to this without `unsafe`.
    let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
    f(sqe);
    sqe.user_data = user_data;
}

/// Submits what is queued and collects `n` CQEs by user_data: (res, flags).
fn collect(ring: &mut Ring, n: usize) -> HashMap<u64, (i32, u32)> {
    ring.submit().unwrap();
    let mut out = HashMap::new();
    for _ in 0..n {
        let (ud, res, flags) = next(ring);
        assert!(out.insert(ud, (res, flags)).is_none(), "two CQEs for {ud}");
    }
    out
}

/// `res` as an errno, failing if it is not negative.
fn errno(res: i32) -> Errno {
    Errno::from_res(res).expect_err("expected a negative res")
}

fn pipe_pair() -> (PipeReader, PipeWriter) {
    pipe().unwrap()
}

/// A file in `dir` holding `data`, opened read-write.
fn file_with(dir: &TmpDir, name: &str, data: &[u8]) -> File {
    std::fs::write(dir.join(name), data).unwrap();
    File::options()
        .read(true)
        .write(true)
        .open(dir.join(name))
        .unwrap()
}

const LONG: __kernel_timespec = __kernel_timespec {
    tv_sec: 60,
    tv_nsec: 0,
};
const SHORT: __kernel_timespec = __kernel_timespec {
    tv_sec: 0,
    tv_nsec: 1_000_000,
};

// ---------------------------------------------------------------- nop, rw

fn nop_completes_with_zero_and_echoes_user_data() {
    let mut r = ring(4);
    queue(&mut r, 1, prep::nop);
    queue(&mut r, u64::MAX, prep::nop);
    let got = collect(&mut r, 2);
    assert_eq!(got[&1], (0, 0));
    assert_eq!(got[&u64::MAX], (0, 0));
}

fn nop_with_inject_result_posts_the_given_res() {
    let mut r = ring(4);
    // IORING_NOP_INJECT_RESULT (kernel 6.10+): `len` becomes `res`.
    let res = run(&mut r, |s| {
        prep::nop(s);
        s.set_nop_flags(IORING_NOP_INJECT_RESULT);
        s.len = -Errno::ENOENT.raw() as u32;
    });
    // Unknown NOP flags are refused with EINVAL before.
    if res == -Errno::EINVAL.raw() {
        common::skip("IORING_NOP_INJECT_RESULT needs Linux 6.10+ (EINVAL)");
    }
    assert_eq!(errno(res), Errno::ENOENT);
}

/// Whatever the kernel, NOP128 does what the probe says: a kernel that
/// lists it runs it in a mixed ring, one that does not refuses the opcode
/// with EINVAL. (The run itself is `nop128_runs_in_a_mixed_ring`, skipped
/// at run time before Linux 6.19.)
fn nop128_agrees_with_the_probe() {
    let probe = ring(4).get_probe_ring().unwrap();
    if probe.opcode_supported(IORING_OP_NOP128) {
        nop128_in_a_mixed_ring();
    } else {
        match Ring::queue_init(4, IORING_SETUP_SQE128) {
            Ok(mut r) => {
                // SAFETY: a NOP points to no memory.
                let sqe = unsafe { r.get_sqe128() }.expect("a free SQE");
                prep::nop128(sqe);
                r.submit_and_wait(1).unwrap();
                assert_eq!(errno(next(&mut r).1), Errno::EINVAL);
            }
            // No 128-byte SQEs either (IORING_SETUP_SQE128, 5.19+): the
            // opcode in a plain SQE is refused all the same.
            Err(Errno::EINVAL) => {
                let mut r = ring(4);
                let res = run(&mut r, |s| {
                    prep::nop(s);
                    s.opcode = IORING_OP_NOP128 as u8;
                });
                assert_eq!(errno(res), Errno::EINVAL);
            }
            Err(e) => panic!("io_uring_setup with IORING_SETUP_SQE128: {e:?}"),
        }
    }
}

fn nop128_runs_in_a_mixed_ring() {
    common::require_op(IORING_OP_NOP128, "IORING_OP_NOP128", "6.19");
    nop128_in_a_mixed_ring();
}

fn nop128_in_a_mixed_ring() {
    let mut r = Ring::queue_init(4, IORING_SETUP_SQE_MIXED).unwrap();
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { r.get_sqe128() }.expect("a free 128-byte SQE");
    prep::nop128(sqe);
    sqe.user_data = 128;
    r.submit_and_wait(1).unwrap();
    assert_eq!(next(&mut r), (128, 0, 0));
}

fn write_then_read_at_offsets() {
    let dir = TmpDir::new("rw");
    let f = file_with(&dir, "f", b"");
    let fd = f.as_raw_fd();
    let mut r = ring(4);

    let msg = b"hello, uring world";
    let res = run(&mut r, |s| {
        prep::write(s, fd, msg.as_ptr().cast(), msg.len() as u32, 0)
    });
    assert_eq!(res, msg.len() as i32);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), msg);

    let mut buf = [0u8; 5];
    let res = run(&mut r, |s| {
        prep::read(s, fd, buf.as_mut_ptr().cast(), 5, 13)
    });
    assert_eq!(res, 5);
    assert_eq!(&buf, b"world");

    // `rw` with an explicit opcode: overwrite "hello" at offset 0.
    let res = run(&mut r, |s| {
        prep::rw(
            IORING_OP_WRITE as i32,
            s,
            fd,
            b"HELLO".as_ptr().cast(),
            5,
            0,
        )
    });
    assert_eq!(res, 5);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"HELLO, uring world");

    // Reading at EOF returns 0; a bad fd gives EBADF.
    let res = run(&mut r, |s| {
        prep::read(s, fd, buf.as_mut_ptr().cast(), 5, 100)
    });
    assert_eq!(res, 0);
    let res = run(&mut r, |s| {
        prep::read(s, 1 << 20, buf.as_mut_ptr().cast(), 5, 0)
    });
    assert_eq!(errno(res), Errno::EBADF);
}

fn writev_readv_and_their_v2_flags() {
    let dir = TmpDir::new("rwv");
    let f = file_with(&dir, "f", b"");
    let fd = f.as_raw_fd();
    let mut r = ring(4);

    let (a, b) = (*b"abc", *b"defgh");
    let out = [iov(&a), iov(&b)];
    let res = run(&mut r, |s| prep::writev(s, fd, out.as_ptr(), 2, 0));
    assert_eq!(res, 8);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"abcdefgh");

    // Read back split differently: 5 + 3 bytes.
    let (mut x, mut y) = ([0u8; 5], [0u8; 3]);
    let inv = [iov_mut(&mut x), iov_mut(&mut y)];
    let res = run(&mut r, |s| prep::readv(s, fd, inv.as_ptr(), 2, 0));
    assert_eq!(res, 8);
    assert_eq!((&x, &y), (b"abcde", b"fgh"));

    // writev2 with RWF_APPEND ignores the offset and appends.
    let res = run(&mut r, |s| {
        prep::writev2(s, fd, out.as_ptr(), 1, 0, RWF_APPEND)
    });
    assert_eq!(res, 3);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"abcdefghabc");

    // readv2 with flags 0 behaves as readv, here from offset 6.
    let res = run(&mut r, |s| prep::readv2(s, fd, inv.as_ptr(), 2, 6, 0));
    assert_eq!(res, 5);
    assert_eq!(&x, b"ghabc");
}

/// A page-aligned, zeroed heap buffer (freed on drop).
struct Aligned {
    ptr: *mut u8,
    layout: std::alloc::Layout,
}

impl Aligned {
    fn new(len: usize) -> Aligned {
        let layout = std::alloc::Layout::from_size_align(len, 4096).unwrap();
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        assert!(!ptr.is_null());
        Aligned { ptr, layout }
    }
    fn len(&self) -> usize {
        self.layout.size()
    }
    fn iovec(&self) -> iovec {
        iovec {
            iov_base: self.ptr.cast(),
            iov_len: self.len(),
        }
    }
    /// A copy of bytes `at..at + n`.
    fn bytes(&self, at: usize, n: usize) -> Vec<u8> {
        assert!(at + n <= self.len());
        // SAFETY: in bounds (checked); no request is writing it when called.
        unsafe { std::slice::from_raw_parts(self.ptr.add(at), n) }.to_vec()
    }
    fn fill(&mut self, at: usize, data: &[u8]) {
        assert!(at + data.len() <= self.len());
        // SAFETY: in bounds (checked); no request is using it when called.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(at), data.len()) };
    }
}

impl Drop for Aligned {
    fn drop(&mut self) {
        // SAFETY: allocated with this layout in `new`.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) };
    }
}

fn read_fixed_and_write_fixed() {
    let dir = TmpDir::new("fixed");
    let f = file_with(&dir, "f", b"");
    let fd = f.as_raw_fd();
    // Declared before the ring, so the ring (and its registration) is
    // dropped first.
    let mut buf = Aligned::new(8192);
    let mut r = ring(4);
    // SAFETY: `buf` outlives the ring and is only accessed between requests.
    unsafe { r.register_buffers(&[buf.iovec()]) }.unwrap();

    buf.fill(100, b"fixed-buffer write");
    let src = buf.ptr.wrapping_add(100);
    let res = run(&mut r, |s| prep::write_fixed(s, fd, src.cast(), 18, 0, 0));
    assert_eq!(res, 18);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"fixed-buffer write");

    let dst = buf.ptr.wrapping_add(4000);
    let res = run(&mut r, |s| prep::read_fixed(s, fd, dst.cast(), 6, 0, 0));
    assert_eq!(res, 6);
    assert_eq!(buf.bytes(4000, 6), b"fixed-");

    // A buffer index that was never registered is rejected.
    let res = run(&mut r, |s| prep::read_fixed(s, fd, dst.cast(), 6, 0, 3));
    assert_eq!(errno(res), Errno::EFAULT);
}

fn readv_fixed_and_writev_fixed() {
    common::require_op(IORING_OP_READV_FIXED, "IORING_OP_READV_FIXED", "6.15");
    common::require_op(IORING_OP_WRITEV_FIXED, "IORING_OP_WRITEV_FIXED", "6.15");
    let dir = TmpDir::new("vfixed");
    let f = file_with(&dir, "f", b"fixed-buffer write");
    let fd = f.as_raw_fd();
    // Declared before the ring, so the ring (and its registration) is
    // dropped first.
    let mut buf = Aligned::new(8192);
    let mut r = ring(4);
    // SAFETY: `buf` outlives the ring and is only accessed between requests.
    unsafe { r.register_buffers(&[buf.iovec()]) }.unwrap();

    // Vectored fixed I/O: iovecs inside registered buffer 0.
    buf.fill(5000, b"vec");
    buf.fill(6000, b"tored");
    let out = [
        iovec {
            iov_base: buf.ptr.wrapping_add(5000).cast(),
            iov_len: 3,
        },
        iovec {
            iov_base: buf.ptr.wrapping_add(6000).cast(),
            iov_len: 5,
        },
    ];
    let res = run(&mut r, |s| {
        prep::writev_fixed(s, fd, out.as_ptr(), 2, 18, 0, 0)
    });
    assert_eq!(res, 8);
    assert_eq!(
        std::fs::read(dir.join("f")).unwrap(),
        b"fixed-buffer writevectored"
    );
    let inv = [
        iovec {
            iov_base: buf.ptr.wrapping_add(7000).cast(),
            iov_len: 4,
        },
        iovec {
            iov_base: buf.ptr.wrapping_add(7100).cast(),
            iov_len: 4,
        },
    ];
    let res = run(&mut r, |s| {
        prep::readv_fixed(s, fd, inv.as_ptr(), 2, 18, 0, 0)
    });
    assert_eq!(res, 8);
    assert_eq!(buf.bytes(7000, 4), b"vect");
    assert_eq!(buf.bytes(7100, 4), b"ored");
}

fn read_multishot_fills_provided_buffers_until_cancelled() {
    common::require_op(IORING_OP_READ_MULTISHOT, "IORING_OP_READ_MULTISHOT", "6.7");
    const BGID: u16 = 7;
    const ENTRIES: u32 = 4;
    const BUF_LEN: usize = 64;
    let (mut rd, mut wr) = pipe_pair();
    let mut bufs = vec![0u8; ENTRIES as usize * BUF_LEN];
    let mut r = ring(8);
    let br = r.setup_buf_ring(ENTRIES, BGID, 0).unwrap();
    for i in 0..ENTRIES as usize {
        // SAFETY: `br` is the registered ring of ENTRIES entries; `bufs`
        // outlives the group (freed below before `bufs` drops).
        unsafe {
            buf_ring_add(
                br.as_ptr(),
                bufs.as_mut_ptr().add(i * BUF_LEN).cast(),
                BUF_LEN as u32,
                i as u16,
                buf_ring_mask(ENTRIES),
                i as i32,
            )
        };
    }
    // SAFETY: the ENTRIES entries just written hold valid buffers.
    unsafe { buf_ring_advance(br.as_ptr(), ENTRIES as i32) };

    let fd = rd.as_raw_fd();
    queue(&mut r, 1, |s| {
        prep::read_multishot(s, fd, 0, 0, BGID as i32)
    });
    r.submit().unwrap();
    assert_eq!(r.peek_cqe().map(|c| c.res), Err(Errno::EAGAIN));

    let mut seen = Vec::new();
    for chunk in [&b"abc"[..], b"defgh", b"ij"] {
        wr.write_all(chunk).unwrap();
        let (ud, res, flags) = next(&mut r);
        assert_eq!((ud, res), (1, chunk.len() as i32));
        assert_ne!(flags & IORING_CQE_F_MORE, 0, "multishot keeps going");
        let bid = cqe_bid(flags).expect("IORING_CQE_F_BUFFER") as usize;
        assert!(bid < ENTRIES as usize);
        assert_eq!(&bufs[bid * BUF_LEN..][..chunk.len()], chunk);
        assert!(!seen.contains(&bid), "buffer {bid} used twice");
        seen.push(bid);
    }

    queue(&mut r, 2, |s| prep::cancel64(s, 1, 0));
    let got = collect(&mut r, 2);
    assert_eq!(got[&2].0, 0);
    assert_eq!(errno(got[&1].0), Errno::ECANCELED);
    assert_eq!(got[&1].1 & IORING_CQE_F_MORE, 0, "the final CQE");
    // SAFETY: no request uses the group any more; `br` is not used after.
    unsafe { r.free_buf_ring(br, ENTRIES, BGID) }.unwrap();

    // Nothing was consumed from the pipe behind the ring's back.
    drop(wr);
    let mut rest = Vec::new();
    rd.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

// ---------------------------------------------------------------- splice

fn splice_pipe_to_file_and_back_and_tee() {
    let dir = TmpDir::new("splice");
    let f = file_with(&dir, "f", b"");
    let fd = f.as_raw_fd();
    let (mut p1r, mut p1w) = pipe_pair();
    let (mut p2r, p2w) = pipe_pair();
    let mut r = ring(4);

    p1w.write_all(b"spliced!").unwrap();
    let res = run(&mut r, |s| {
        prep::splice(s, p1r.as_raw_fd(), -1, fd, 4, 8, 0)
    });
    assert_eq!(res, 8);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"\0\0\0\0spliced!");

    // File (offset 6) into the pipe.
    let res = run(&mut r, |s| {
        prep::splice(s, fd, 6, p1w.as_raw_fd(), -1, 5, 0)
    });
    assert_eq!(res, 5);
    let mut got = [0u8; 5];
    p1r.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"liced");

    // tee duplicates without consuming: both pipes then hold the bytes.
    p1w.write_all(b"tee data").unwrap();
    let res = run(&mut r, |s| {
        prep::tee(s, p1r.as_raw_fd(), p2w.as_raw_fd(), 8, 0)
    });
    assert_eq!(res, 8);
    let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
    p2r.read_exact(&mut a).unwrap();
    p1r.read_exact(&mut b).unwrap();
    assert_eq!((&a, &b), (b"tee data", b"tee data"));

    // SPLICE_F_FD_IN_FIXED: fd_in is a registered-file slot.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { r.register_files(&[p1r.as_raw_fd()]) }.unwrap();
    p1w.write_all(b"fixed").unwrap();
    let res = run(&mut r, |s| {
        prep::splice(s, 0, -1, fd, 0, 5, SPLICE_F_FD_IN_FIXED)
    });
    assert_eq!(res, 5);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"fixedpliced!");

    // Splicing between two non-pipes is invalid.
    let res = run(&mut r, |s| prep::splice(s, fd, 0, fd, 0, 5, 0));
    assert_eq!(errno(res), Errno::EINVAL);
}

// ---------------------------------------------------------------- fs

fn statx_reports_the_size_written() {
    let dir = TmpDir::new("statx");
    let f = file_with(&dir, "f", &[7u8; 1234]);
    let path = dir.c("f");
    let mut r = ring(4);

    let mut stx = statx::default();
    let res = run(&mut r, |s| {
        prep::statx(s, AT_FDCWD, path.as_ptr(), 0, STATX_BASIC_STATS, &mut stx)
    });
    assert_eq!(res, 0);
    assert_ne!(stx.stx_mask & STATX_SIZE, 0);
    assert_eq!(stx.stx_size, 1234);
    assert_eq!(stx.stx_ino, f.metadata().unwrap().ino());

    // Relative to a directory fd, and on the fd itself with AT_EMPTY_PATH.
    let d = dir.open();
    let mut stx2 = statx::default();
    let res = run(&mut r, |s| {
        prep::statx(s, d.as_raw_fd(), c"f".as_ptr(), 0, STATX_SIZE, &mut stx2)
    });
    assert_eq!((res, stx2.stx_size), (0, 1234));
    let mut stx3 = statx::default();
    let res = run(&mut r, |s| {
        prep::statx(
            s,
            f.as_raw_fd(),
            c"".as_ptr(),
            AT_EMPTY_PATH,
            STATX_SIZE,
            &mut stx3,
        )
    });
    assert_eq!((res, stx3.stx_size), (0, 1234));

    let missing = dir.c("missing");
    let res = run(&mut r, |s| {
        prep::statx(s, AT_FDCWD, missing.as_ptr(), 0, STATX_SIZE, &mut stx)
    });
    assert_eq!(errno(res), Errno::ENOENT);
}

fn fsync_sync_file_range_and_fallocate() {
    let dir = TmpDir::new("fs");
    let f = file_with(&dir, "f", b"0123456789");
    let fd = f.as_raw_fd();
    let len = || std::fs::metadata(dir.join("f")).unwrap().len();
    let mut r = ring(4);

    assert_eq!(run(&mut r, |s| prep::fsync(s, fd, 0)), 0);
    assert_eq!(
        run(&mut r, |s| prep::fsync(s, fd, IORING_FSYNC_DATASYNC)),
        0
    );
    assert_eq!(
        run(&mut r, |s| prep::sync_file_range(
            s,
            fd,
            0,
            0,
            SYNC_FILE_RANGE_WRITE
        )),
        0
    );
    let res = run(&mut r, |s| prep::fsync(s, 1 << 20, 0));
    assert_eq!(errno(res), Errno::EBADF);

    // fallocate mode 0 extends the file; KEEP_SIZE does not.
    assert_eq!(run(&mut r, |s| prep::fallocate(s, fd, 0, 0, 8192)), 0);
    assert_eq!(len(), 8192);
    assert_eq!(
        run(&mut r, |s| prep::fallocate(
            s,
            fd,
            FALLOC_FL_KEEP_SIZE,
            0,
            65536
        )),
        0
    );
    assert_eq!(len(), 8192);
    let res = run(&mut r, |s| prep::fallocate(s, fd, 0, 0, 0));
    assert_eq!(errno(res), Errno::EINVAL);
}

fn ftruncate_shrinks_and_keeps_the_prefix() {
    common::require_op(IORING_OP_FTRUNCATE, "IORING_OP_FTRUNCATE", "6.9");
    let dir = TmpDir::new("ftruncate");
    let f = file_with(&dir, "f", b"0123456789");
    let fd = f.as_raw_fd();
    let mut r = ring(4);
    assert_eq!(run(&mut r, |s| prep::ftruncate(s, fd, 4)), 0);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123");
    let res = run(&mut r, |s| prep::ftruncate(s, fd, -1));
    assert_eq!(errno(res), Errno::EINVAL);
}

fn fadvise_and_madvise_return_zero() {
    let dir = TmpDir::new("advise");
    let f = file_with(&dir, "f", &[1u8; 8192]);
    let fd = f.as_raw_fd();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::fadvise(s, fd, 0, 4096, POSIX_FADV_WILLNEED)
    });
    assert_eq!(res, 0);
    let res = run(&mut r, |s| prep::fadvise(s, fd, 0, 0, 999));
    assert_eq!(errno(res), Errno::EINVAL);

    let mem = Aligned::new(2 * 4096);
    let res = run(&mut r, |s| {
        prep::madvise(s, mem.ptr.cast(), mem.len() as u32, MADV_WILLNEED)
    });
    assert_eq!(res, 0);
    // An unaligned address is rejected.
    let res = run(&mut r, |s| {
        prep::madvise(s, mem.ptr.wrapping_add(1).cast(), 4096, MADV_WILLNEED)
    });
    assert_eq!(errno(res), Errno::EINVAL);
}

fn fadvise64_and_madvise64_take_64_bit_lengths() {
    let dir = TmpDir::new("advise64");
    let f = file_with(&dir, "f", &[1u8; 8192]);
    let fd = f.as_raw_fd();
    let mut r = ring(4);
    // Before 64-bit lengths the field they use must be zero: EINVAL (as
    // the liburing man pages say).
    let res = run(&mut r, |s| {
        prep::fadvise64(s, fd, 0, 8192, POSIX_FADV_DONTNEED)
    });
    common::skip_on_res(
        res,
        &[Errno::EINVAL],
        "64-bit fadvise/madvise lengths need Linux 6.11+",
    );
    assert_eq!(res, 0);
    let mem = Aligned::new(2 * 4096);
    let res = run(&mut r, |s| {
        prep::madvise64(s, mem.ptr.cast(), mem.len() as i64, MADV_WILLNEED)
    });
    assert_eq!(res, 0);
}

// ---------------------------------------------------------------- open/close

fn openat_open_openat2_and_close() {
    let dir = TmpDir::new("open");
    std::fs::write(dir.join("f"), b"contents").unwrap();
    let d = dir.open();
    let mut r = ring(4);

    // openat relative to a dfd, creating a file with a mode.
    let fd = run(&mut r, |s| {
        prep::openat(
            s,
            d.as_raw_fd(),
            c"new".as_ptr(),
            O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
            0o600,
        )
    });
    assert!(fd >= 0, "openat: {fd}");
    let res = run(&mut r, |s| {
        prep::write(s, fd, b"data".as_ptr().cast(), 4, 0)
    });
    assert_eq!(res, 4);
    assert_eq!(run(&mut r, |s| prep::close(s, fd)), 0);
    assert_eq!(errno(run(&mut r, |s| prep::close(s, fd))), Errno::EBADF);
    assert_eq!(std::fs::read(dir.join("new")).unwrap(), b"data");
    let mode = std::fs::metadata(dir.join("new"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let res = run(&mut r, |s| {
        prep::openat(
            s,
            d.as_raw_fd(),
            c"new".as_ptr(),
            O_CREAT | O_EXCL | O_WRONLY,
            0o600,
        )
    });
    assert_eq!(errno(res), Errno::EEXIST);

    // open (AT_FDCWD) with an absolute path.
    let path = dir.c("f");
    let fd = run(&mut r, |s| {
        prep::open(s, path.as_ptr(), O_RDONLY | O_CLOEXEC, 0)
    });
    assert!(fd >= 0, "open: {fd}");
    // SAFETY: a fresh descriptor the kernel just opened for us.
    let mut file = unsafe { File::from_raw_fd(fd) };
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    assert_eq!(s, "contents");

    // openat2: RESOLVE_BENEATH refuses to leave the dfd's tree.
    let how = open_how {
        flags: (O_RDONLY | O_CLOEXEC) as u64,
        mode: 0,
        resolve: RESOLVE_BENEATH,
    };
    let fd = run(&mut r, |s| {
        prep::openat2(s, d.as_raw_fd(), c"f".as_ptr(), &how)
    });
    assert!(fd >= 0, "openat2: {fd}");
    // SAFETY: fresh descriptor, owned from here on.
    drop(unsafe { OwnedFd::from_raw_fd(fd) });
    let res = run(&mut r, |s| {
        prep::openat2(s, d.as_raw_fd(), c"../f".as_ptr(), &how)
    });
    assert_eq!(errno(res), Errno::EXDEV);
}

fn openat_direct_open_direct_close_direct() {
    let dir = TmpDir::new("direct");
    std::fs::write(dir.join("f"), b"direct bytes").unwrap();
    let d = dir.open();
    let mut r = ring(4);
    sparse_or_skip(&r, 4);
    let mut buf = [0u8; 12];

    let read_slot = |r: &mut Ring, slot: i32, buf: &mut [u8; 12]| {
        // SAFETY: `buf` outlives the request (run waits for it).
        run(r, |s| {
            prep::read(s, slot, buf.as_mut_ptr().cast(), 12, 0);
            s.flags |= IOSQE_FIXED_FILE;
        })
    };

    let res = run(&mut r, |s| {
        prep::openat_direct(s, d.as_raw_fd(), c"f".as_ptr(), O_RDONLY, 0, 2)
    });
    assert_eq!(res, 0, "a chosen slot gives res 0");
    assert_eq!(read_slot(&mut r, 2, &mut buf), 12);
    assert_eq!(&buf, b"direct bytes");

    assert_eq!(run(&mut r, |s| prep::close_direct(s, 2)), 0);
    assert_eq!(errno(read_slot(&mut r, 2, &mut buf)), Errno::EBADF);
    assert_eq!(
        errno(run(&mut r, |s| prep::close_direct(s, 2))),
        Errno::EBADF
    );

    // IORING_FILE_INDEX_ALLOC: the kernel picks a free slot and returns it.
    let path = dir.c("f");
    let slot = run(&mut r, |s| {
        prep::open_direct(s, path.as_ptr(), O_RDONLY, 0, IORING_FILE_INDEX_ALLOC)
    });
    assert!((0..4).contains(&slot), "allocated slot {slot}");
    buf = [0; 12];
    assert_eq!(read_slot(&mut r, slot, &mut buf), 12);
    assert_eq!(&buf, b"direct bytes");

    // openat2_direct into slot 0, and a slot outside the table.
    let how = open_how {
        flags: O_RDONLY as u64,
        ..Default::default()
    };
    let res = run(&mut r, |s| {
        prep::openat2_direct(s, d.as_raw_fd(), c"f".as_ptr(), &how, 0)
    });
    assert_eq!(res, 0);
    buf = [0; 12];
    assert_eq!(read_slot(&mut r, 0, &mut buf), 12);
    let res = run(&mut r, |s| {
        prep::openat2_direct(s, d.as_raw_fd(), c"f".as_ptr(), &how, 9)
    });
    assert_eq!(errno(res), Errno::EINVAL);
}

fn files_update_installs_and_allocates_slots() {
    let (mut rd, wr) = pipe_pair();
    let mut r = ring(4);
    sparse_or_skip(&r, 4);

    // Slots 1 and 2 get the pipe's two ends.
    let mut fds = [rd.as_raw_fd(), wr.as_raw_fd()];
    let res = run(&mut r, |s| prep::files_update(s, fds.as_mut_ptr(), 2, 1));
    assert_eq!(res, 2);
    // SAFETY: the literal is static.
    let res = run(&mut r, |s| {
        prep::write(s, 2, b"via slot 2".as_ptr().cast(), 10, u64::MAX);
        s.flags |= IOSQE_FIXED_FILE;
    });
    assert_eq!(res, 10);
    let mut got = [0u8; 10];
    rd.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"via slot 2");

    // With IORING_FILE_INDEX_ALLOC the kernel writes the slots it chose
    // back into the array: the two free ones, 0 and 3.
    let mut alloc = [wr.as_raw_fd(), wr.as_raw_fd()];
    let res = run(&mut r, |s| {
        prep::files_update(s, alloc.as_mut_ptr(), 2, IORING_FILE_INDEX_ALLOC as i32)
    });
    assert_eq!(res, 2);
    alloc.sort();
    assert_eq!(alloc, [0, 3]);
    let res = run(&mut r, |s| prep::files_update(s, fds.as_mut_ptr(), 2, 3));
    assert_eq!(errno(res), Errno::EINVAL, "slots 3..5 exceed the table");
}

fn fixed_fd_install_makes_a_slot_a_normal_fd() {
    common::require_op(
        IORING_OP_FIXED_FD_INSTALL,
        "IORING_OP_FIXED_FD_INSTALL",
        "6.8",
    );
    let (mut rd, wr) = pipe_pair();
    let mut r = ring(4);
    r.register_files_sparse(4).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(
        unsafe { r.register_files_update(1, &[rd.as_raw_fd(), wr.as_raw_fd()]) },
        Ok(2)
    );

    // fixed_fd_install: slot 2 (the write end) becomes a normal fd,
    // O_CLOEXEC by default, without it with IORING_FIXED_FD_NO_CLOEXEC.
    for (flags, cloexec) in [(0, FD_CLOEXEC), (IORING_FIXED_FD_NO_CLOEXEC, 0)] {
        let fd = run(&mut r, |s| prep::fixed_fd_install(s, 2, flags));
        assert!(fd >= 0, "fixed_fd_install: {fd}");
        assert_ne!(fd, wr.as_raw_fd());
        // SAFETY: F_GETFD takes no argument and only reads the fd flags.
        assert_eq!(unsafe { fcntl(fd, F_GETFD) } & FD_CLOEXEC, cloexec);
        // SAFETY: the kernel installed this fd for us; we own it now.
        let mut w = unsafe { File::from_raw_fd(fd) };
        w.write_all(b"installed").unwrap();
        let mut got = [0u8; 9];
        rd.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"installed");
    }
    // An empty slot cannot be installed.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { r.register_files_update(0, &[-1]) }.unwrap();
    let res = run(&mut r, |s| prep::fixed_fd_install(s, 0, 0));
    assert_eq!(errno(res), Errno::EBADF);
}

// ---------------------------------------------------------------- paths

fn unlinkat_and_unlink() {
    let dir = TmpDir::new("unlink");
    std::fs::write(dir.join("a"), b"").unwrap();
    std::fs::write(dir.join("b"), b"").unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    let d = dir.open();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::unlinkat(s, d.as_raw_fd(), c"a".as_ptr(), 0)
    });
    assert_eq!(res, 0);
    assert!(!dir.join("a").exists());
    let res = run(&mut r, |s| {
        prep::unlinkat(s, d.as_raw_fd(), c"a".as_ptr(), 0)
    });
    assert_eq!(errno(res), Errno::ENOENT);
    // A directory needs AT_REMOVEDIR.
    let res = run(&mut r, |s| {
        prep::unlinkat(s, d.as_raw_fd(), c"sub".as_ptr(), 0)
    });
    assert_eq!(errno(res), Errno::EISDIR);
    let res = run(&mut r, |s| {
        prep::unlinkat(s, d.as_raw_fd(), c"sub".as_ptr(), AT_REMOVEDIR)
    });
    assert_eq!(res, 0);
    assert!(!dir.join("sub").exists());

    let b = dir.c("b");
    let res = run(&mut r, |s| prep::unlink(s, b.as_ptr(), 0));
    assert_eq!(res, 0);
    assert!(!dir.join("b").exists());
}

fn renameat_and_rename() {
    let dir = TmpDir::new("rename");
    std::fs::write(dir.join("a"), b"A").unwrap();
    std::fs::write(dir.join("x"), b"X").unwrap();
    let d = dir.open();
    let fd = d.as_raw_fd();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::renameat(s, fd, c"a".as_ptr(), fd, c"b".as_ptr(), 0)
    });
    assert_eq!(res, 0);
    assert!(!dir.join("a").exists());
    assert_eq!(std::fs::read(dir.join("b")).unwrap(), b"A");

    // RENAME_NOREPLACE refuses to overwrite.
    let res = run(&mut r, |s| {
        prep::renameat(s, fd, c"b".as_ptr(), fd, c"x".as_ptr(), RENAME_NOREPLACE)
    });
    assert_eq!(errno(res), Errno::EEXIST);
    assert_eq!(std::fs::read(dir.join("x")).unwrap(), b"X");

    // rename (AT_FDCWD both sides) overwrites.
    let (from, to) = (dir.c("b"), dir.c("x"));
    let res = run(&mut r, |s| prep::rename(s, from.as_ptr(), to.as_ptr()));
    assert_eq!(res, 0);
    assert!(!dir.join("b").exists());
    assert_eq!(std::fs::read(dir.join("x")).unwrap(), b"A");
}

fn mkdirat_and_mkdir() {
    common::require_op(IORING_OP_MKDIRAT, "IORING_OP_MKDIRAT", "5.15");
    let dir = TmpDir::new("mkdir");
    let d = dir.open();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::mkdirat(s, d.as_raw_fd(), c"sub".as_ptr(), 0o700)
    });
    assert_eq!(res, 0);
    let md = std::fs::metadata(dir.join("sub")).unwrap();
    assert!(md.is_dir());
    assert_eq!(md.permissions().mode() & 0o777, 0o700);
    let res = run(&mut r, |s| {
        prep::mkdirat(s, d.as_raw_fd(), c"sub".as_ptr(), 0o700)
    });
    assert_eq!(errno(res), Errno::EEXIST);

    let nested = dir.c("sub/inner");
    let res = run(&mut r, |s| prep::mkdir(s, nested.as_ptr(), 0o755));
    assert_eq!(res, 0);
    assert!(dir.join("sub/inner").is_dir());
    let orphan = dir.c("no/such");
    let res = run(&mut r, |s| prep::mkdir(s, orphan.as_ptr(), 0o755));
    assert_eq!(errno(res), Errno::ENOENT);
}

fn symlinkat_and_symlink() {
    common::require_op(IORING_OP_SYMLINKAT, "IORING_OP_SYMLINKAT", "5.15");
    let dir = TmpDir::new("symlink");
    std::fs::write(dir.join("target"), b"T").unwrap();
    let d = dir.open();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::symlinkat(s, c"target".as_ptr(), d.as_raw_fd(), c"rel".as_ptr())
    });
    assert_eq!(res, 0);
    assert_eq!(
        std::fs::read_link(dir.join("rel")).unwrap(),
        Path::new("target")
    );
    assert_eq!(std::fs::read(dir.join("rel")).unwrap(), b"T");

    let (target, link) = (dir.c("target"), dir.c("abs"));
    let res = run(&mut r, |s| prep::symlink(s, target.as_ptr(), link.as_ptr()));
    assert_eq!(res, 0);
    assert_eq!(
        std::fs::read_link(dir.join("abs")).unwrap(),
        dir.join("target")
    );
    let res = run(&mut r, |s| prep::symlink(s, target.as_ptr(), link.as_ptr()));
    assert_eq!(errno(res), Errno::EEXIST);
}

fn linkat_and_link() {
    common::require_op(IORING_OP_LINKAT, "IORING_OP_LINKAT", "5.15");
    let dir = TmpDir::new("link");
    std::fs::write(dir.join("f"), b"F").unwrap();
    std::os::unix::fs::symlink("f", dir.join("sym")).unwrap();
    let d = dir.open();
    let fd = d.as_raw_fd();
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::linkat(s, fd, c"f".as_ptr(), fd, c"g".as_ptr(), 0)
    });
    assert_eq!(res, 0);
    let (f, g) = (
        std::fs::metadata(dir.join("f")).unwrap(),
        std::fs::metadata(dir.join("g")).unwrap(),
    );
    assert_eq!((f.ino(), f.nlink()), (g.ino(), 2));

    // AT_SYMLINK_FOLLOW links the symlink's target, not the symlink.
    let res = run(&mut r, |s| {
        prep::linkat(s, fd, c"sym".as_ptr(), fd, c"h".as_ptr(), AT_SYMLINK_FOLLOW)
    });
    assert_eq!(res, 0);
    assert_eq!(std::fs::metadata(dir.join("h")).unwrap().ino(), f.ino());
    assert!(!std::fs::symlink_metadata(dir.join("h"))
        .unwrap()
        .is_symlink());

    // link (AT_FDCWD) without the flag links the symlink itself.
    let (sym, k) = (dir.c("sym"), dir.c("k"));
    let res = run(&mut r, |s| prep::link(s, sym.as_ptr(), k.as_ptr(), 0));
    assert_eq!(res, 0);
    assert!(std::fs::symlink_metadata(dir.join("k"))
        .unwrap()
        .is_symlink());
    let res = run(&mut r, |s| prep::link(s, sym.as_ptr(), k.as_ptr(), 0));
    assert_eq!(errno(res), Errno::EEXIST);
}

// ---------------------------------------------------------------- xattr

fn setxattr_getxattr_and_fd_forms() {
    for (op, name) in [
        (IORING_OP_SETXATTR, "IORING_OP_SETXATTR"),
        (IORING_OP_GETXATTR, "IORING_OP_GETXATTR"),
        (IORING_OP_FSETXATTR, "IORING_OP_FSETXATTR"),
        (IORING_OP_FGETXATTR, "IORING_OP_FGETXATTR"),
    ] {
        common::require_op(op, name, "5.19");
    }
    let dir = TmpDir::new("xattr");
    let f = file_with(&dir, "f", b"");
    let path = dir.c("f");
    let name = c"user.uring_prep";
    let mut r = ring(4);

    let res = run(&mut r, |s| {
        prep::setxattr(s, name.as_ptr(), c"hello".as_ptr(), path.as_ptr(), 0, 5)
    });
    // The file system's own answer: tmpfs has user xattrs from Linux 6.6.
    common::skip_on_res(
        res,
        &[Errno::EOPNOTSUPP],
        &format!(
            "the file system of {} has no user xattrs (tmpfs: Linux 6.6+)",
            dir.path.display()
        ),
    );
    assert_eq!(res, 0);
    // Checked independently through the C library.
    let mut via_libc = [0u8; 16];
    // SAFETY: valid C strings and a 16-byte writable buffer.
    let n = unsafe {
        lgetxattr(
            path.as_ptr(),
            name.as_ptr(),
            via_libc.as_mut_ptr().cast(),
            via_libc.len(),
        )
    };
    assert_eq!(n, 5);
    assert_eq!(&via_libc[..5], b"hello");

    let mut value = [0 as c_char; 16];
    let res = run(&mut r, |s| {
        prep::getxattr(s, name.as_ptr(), value.as_mut_ptr(), path.as_ptr(), 16)
    });
    assert_eq!(res, 5);
    assert_eq!(
        value[..5].iter().map(|&c| c as u8).collect::<Vec<_>>(),
        b"hello"
    );

    // The fd forms: XATTR_CREATE on an existing name fails, then replace.
    let fd = f.as_raw_fd();
    let res = run(&mut r, |s| {
        prep::fsetxattr(s, fd, name.as_ptr(), c"world!".as_ptr(), XATTR_CREATE, 6)
    });
    assert_eq!(errno(res), Errno::EEXIST);
    let res = run(&mut r, |s| {
        prep::fsetxattr(s, fd, name.as_ptr(), c"world!".as_ptr(), 0, 6)
    });
    assert_eq!(res, 0);
    value = [0; 16];
    let res = run(&mut r, |s| {
        prep::fgetxattr(s, fd, name.as_ptr(), value.as_mut_ptr(), 16)
    });
    assert_eq!(res, 6);
    assert_eq!(
        value[..6].iter().map(|&c| c as u8).collect::<Vec<_>>(),
        b"world!"
    );

    // Too small a buffer, and a name that is not set.
    let res = run(&mut r, |s| {
        prep::fgetxattr(s, fd, name.as_ptr(), value.as_mut_ptr(), 2)
    });
    assert_eq!(errno(res), Errno::ERANGE);
    let res = run(&mut r, |s| {
        prep::getxattr(
            s,
            c"user.absent".as_ptr(),
            value.as_mut_ptr(),
            path.as_ptr(),
            16,
        )
    });
    assert_eq!(errno(res), Errno::ENODATA);
}

// ---------------------------------------------------------------- poll

fn poll_add_fires_when_a_pipe_becomes_readable() {
    let (rd, mut wr) = pipe_pair();
    let mut r = ring(4);
    queue(&mut r, 7, |s| prep::poll_add(s, rd.as_raw_fd(), POLLIN));
    r.submit().unwrap();
    assert_eq!(
        r.peek_cqe().map(|c| c.res),
        Err(Errno::EAGAIN),
        "nothing to read yet"
    );

    wr.write_all(b"x").unwrap();
    assert_eq!(next(&mut r), (7, POLLIN as i32, 0));

    // The write end of an empty pipe is writable at once.
    let res = run(&mut r, |s| prep::poll_add(s, wr.as_raw_fd(), POLLOUT));
    assert_eq!(res, POLLOUT as i32);
}

fn poll_multishot_posts_per_event_until_poll_remove() {
    let (mut rd, mut wr) = pipe_pair();
    let mut r = ring(4);
    queue(&mut r, 9, |s| {
        prep::poll_multishot(s, rd.as_raw_fd(), POLLIN)
    });
    r.submit().unwrap();

    for round in 0..3 {
        wr.write_all(b"ping").unwrap();
        let (ud, res, flags) = next(&mut r);
        assert_eq!((ud, res), (9, POLLIN as i32), "round {round}");
        assert_ne!(flags & IORING_CQE_F_MORE, 0, "round {round}: still armed");
        let mut got = [0u8; 4];
        rd.read_exact(&mut got).unwrap();
    }

    queue(&mut r, 10, |s| prep::poll_remove(s, 9));
    let got = collect(&mut r, 2);
    assert_eq!(got[&10], (0, 0));
    assert_eq!(errno(got[&9].0), Errno::ECANCELED);
    assert_eq!(got[&9].1 & IORING_CQE_F_MORE, 0, "the final CQE");

    // Removing it again: nothing by that user_data any more.
    let res = run(&mut r, |s| prep::poll_remove(s, 9));
    assert_eq!(errno(res), Errno::ENOENT);
}

fn poll_update_changes_user_data_and_mask() {
    let (rd, mut wr) = pipe_pair();
    let mut r = ring(4);
    // Armed for POLLOUT on the read end: never ready.
    queue(&mut r, 20, |s| prep::poll_add(s, rd.as_raw_fd(), POLLOUT));
    r.submit().unwrap();

    queue(&mut r, 21, |s| {
        prep::poll_update(
            s,
            20,
            22,
            POLLIN,
            IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA,
        )
    });
    r.submit().unwrap();
    assert_eq!(next(&mut r), (21, 0, 0));

    wr.write_all(b"y").unwrap();
    assert_eq!(next(&mut r), (22, POLLIN as i32, 0));

    // The old request is gone; a new user_data without
    // IORING_POLL_UPDATE_USER_DATA is rejected before the lookup.
    let res = run(&mut r, |s| {
        prep::poll_update(s, 20, 0, POLLIN, IORING_POLL_UPDATE_EVENTS)
    });
    assert_eq!(errno(res), Errno::ENOENT);
    let res = run(&mut r, |s| {
        prep::poll_update(s, 20, 23, POLLIN, IORING_POLL_UPDATE_EVENTS)
    });
    assert_eq!(errno(res), Errno::EINVAL);
}

fn epoll_ctl_adds_once() {
    let (rd, _wr) = pipe_pair();
    // SAFETY: plain syscall wrapper; the fd is owned below.
    let epfd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
    assert!(epfd >= 0);
    // SAFETY: a fresh fd we own.
    let _ep = unsafe { OwnedFd::from_raw_fd(epfd) };
    let mut r = ring(4);

    let ev = epoll_event {
        events: EPOLLIN,
        data: 0xabcd,
    };
    let res = run(&mut r, |s| {
        prep::epoll_ctl(s, epfd, rd.as_raw_fd(), EPOLL_CTL_ADD, &ev)
    });
    assert_eq!(
        res,
        0,
        "IORING_OP_EPOLL_CTL (5.6+) failed: {} (EINVAL/EOPNOTSUPP: not in this kernel's build)",
        errno(res)
    );
    let res = run(&mut r, |s| {
        prep::epoll_ctl(s, epfd, rd.as_raw_fd(), EPOLL_CTL_ADD, &ev)
    });
    assert_eq!(errno(res), Errno::EEXIST);
}

fn epoll_wait_reports_a_ready_fd() {
    common::require_op(IORING_OP_EPOLL_WAIT, "IORING_OP_EPOLL_WAIT", "6.15");
    let (rd, mut wr) = pipe_pair();
    // SAFETY: plain syscall wrapper; the fd is owned below.
    let epfd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
    assert!(epfd >= 0);
    // SAFETY: a fresh fd we own.
    let _ep = unsafe { OwnedFd::from_raw_fd(epfd) };
    let mut r = ring(4);
    let ev = epoll_event {
        events: EPOLLIN,
        data: 0xabcd,
    };
    let res = run(&mut r, |s| {
        prep::epoll_ctl(s, epfd, rd.as_raw_fd(), EPOLL_CTL_ADD, &ev)
    });
    assert_eq!(res, 0);

    wr.write_all(b"z").unwrap();
    let mut events = [epoll_event::default(); 4];
    let res = run(&mut r, |s| {
        prep::epoll_wait(s, epfd, events.as_mut_ptr(), 4, 0)
    });
    assert_eq!(res, 1);
    let e = events[0];
    assert_eq!(({ e.events }, { e.data }), (EPOLLIN, 0xabcd));
}

// ---------------------------------------------------------------- timeouts

fn timeout_expires_with_etime() {
    let mut r = ring(4);
    let res = run(&mut r, |s| prep::timeout(s, &SHORT, 0, 0));
    assert_eq!(errno(res), Errno::ETIME);
}

fn timeout_with_count_completes_after_that_many_cqes() {
    let mut r = ring(8);
    queue(&mut r, 1, |s| prep::timeout(s, &LONG, 2, 0));
    r.submit().unwrap();
    queue(&mut r, 2, prep::nop);
    queue(&mut r, 3, prep::nop);
    let got = collect(&mut r, 3);
    assert_eq!(got[&1].0, 0, "count reached: res 0, not ETIME");
    assert_eq!((got[&2].0, got[&3].0), (0, 0));
}

fn timeout_remove_cancels_a_pending_timeout() {
    let mut r = ring(4);
    queue(&mut r, 10, |s| prep::timeout(s, &LONG, 0, 0));
    r.submit().unwrap();
    queue(&mut r, 11, |s| prep::timeout_remove(s, 10, 0));
    let got = collect(&mut r, 2);
    assert_eq!(got[&11].0, 0);
    assert_eq!(errno(got[&10].0), Errno::ECANCELED);
    let res = run(&mut r, |s| prep::timeout_remove(s, 10, 0));
    assert_eq!(errno(res), Errno::ENOENT);
}

fn timeout_update_shortens_a_pending_timeout() {
    let mut r = ring(4);
    queue(&mut r, 20, |s| prep::timeout(s, &LONG, 0, 0));
    r.submit().unwrap();
    queue(&mut r, 21, |s| prep::timeout_update(s, &SHORT, 20, 0));
    let got = collect(&mut r, 2);
    assert_eq!(got[&21].0, 0);
    assert_eq!(
        errno(got[&20].0),
        Errno::ETIME,
        "fired with the new, short value"
    );
    let res = run(&mut r, |s| prep::timeout_update(s, &SHORT, 20, 0));
    assert_eq!(errno(res), Errno::ENOENT);
}

fn link_timeout_cancels_a_blocked_read_or_is_cancelled_itself() {
    let (rd, _wr) = pipe_pair();
    let mut buf = [0u8; 8];
    let mut r = ring(4);

    // A read of an empty pipe never completes: the linked timeout fires.
    // SAFETY: `buf` outlives the request (we wait for its CQE below).
    queue(&mut r, 30, |s| {
        prep::read(s, rd.as_raw_fd(), buf.as_mut_ptr().cast(), 8, u64::MAX);
        s.flags |= IOSQE_IO_LINK;
    });
    queue(&mut r, 31, |s| prep::link_timeout(s, &SHORT, 0));
    let got = collect(&mut r, 2);
    assert_eq!(errno(got[&30].0), Errno::ECANCELED);
    assert_eq!(errno(got[&31].0), Errno::ETIME);

    // A nop finishes first: the linked timeout is cancelled.
    queue(&mut r, 32, |s| {
        prep::nop(s);
        s.flags |= IOSQE_IO_LINK;
    });
    queue(&mut r, 33, |s| prep::link_timeout(s, &LONG, 0));
    let got = collect(&mut r, 2);
    assert_eq!(got[&32].0, 0);
    assert_eq!(errno(got[&33].0), Errno::ECANCELED);
}

// ---------------------------------------------------------------- cancel

fn cancel64_and_cancel_stop_a_blocked_pipe_read() {
    let (rd, _wr) = pipe_pair();
    let mut buf = [0u8; 8];
    let mut r = ring(4);

    for by_pointer in [false, true] {
        queue(&mut r, 40, |s| {
            prep::read(s, rd.as_raw_fd(), buf.as_mut_ptr().cast(), 8, u64::MAX)
        });
        r.submit().unwrap();
        queue(&mut r, 41, |s| {
            if by_pointer {
                prep::cancel(s, 40 as *const c_void, 0)
            } else {
                prep::cancel64(s, 40, 0)
            }
        });
        let got = collect(&mut r, 2);
        assert_eq!(got[&41].0, 0, "by_pointer {by_pointer}");
        assert_eq!(errno(got[&40].0), Errno::ECANCELED);
    }
    let res = run(&mut r, |s| prep::cancel64(s, 40, 0));
    assert_eq!(errno(res), Errno::ENOENT);
    let res = run(&mut r, |s| prep::cancel(s, null(), 0));
    assert_eq!(errno(res), Errno::ENOENT);
}

fn cancel_fd_stops_every_read_on_that_fd() {
    let (rd, _wr) = pipe_pair();
    let (mut a, mut b) = ([0u8; 4], [0u8; 4]);
    let mut r = ring(4);
    // Asked before any read is in flight: with nothing on the fd the
    // answer is ENOENT; before IORING_ASYNC_CANCEL_FD (5.19) cancel flags
    // are refused with EINVAL.
    let res = run(&mut r, |s| prep::cancel_fd(s, rd.as_raw_fd(), 0));
    if res == -Errno::EINVAL.raw() {
        common::skip("IORING_ASYNC_CANCEL_FD needs Linux 5.19+ (EINVAL)");
    }
    assert_eq!(errno(res), Errno::ENOENT);
    queue(&mut r, 50, |s| {
        prep::read(s, rd.as_raw_fd(), a.as_mut_ptr().cast(), 4, u64::MAX)
    });
    queue(&mut r, 51, |s| {
        prep::read(s, rd.as_raw_fd(), b.as_mut_ptr().cast(), 4, u64::MAX)
    });
    r.submit().unwrap();

    queue(&mut r, 52, |s| {
        prep::cancel_fd(s, rd.as_raw_fd(), IORING_ASYNC_CANCEL_ALL)
    });
    let got = collect(&mut r, 3);
    assert_eq!(got[&52].0, 2, "both reads cancelled");
    assert_eq!(errno(got[&50].0), Errno::ECANCELED);
    assert_eq!(errno(got[&51].0), Errno::ECANCELED);

    // Nothing left on that fd.
    let res = run(&mut r, |s| prep::cancel_fd(s, rd.as_raw_fd(), 0));
    assert_eq!(errno(res), Errno::ENOENT);
}

common::harness::main! {
    nop_completes_with_zero_and_echoes_user_data,
    nop_with_inject_result_posts_the_given_res,
    nop128_agrees_with_the_probe,
    nop128_runs_in_a_mixed_ring,
    write_then_read_at_offsets,
    writev_readv_and_their_v2_flags,
    read_fixed_and_write_fixed,
    readv_fixed_and_writev_fixed,
    read_multishot_fills_provided_buffers_until_cancelled,
    splice_pipe_to_file_and_back_and_tee,
    statx_reports_the_size_written,
    fsync_sync_file_range_and_fallocate,
    ftruncate_shrinks_and_keeps_the_prefix,
    fadvise_and_madvise_return_zero,
    fadvise64_and_madvise64_take_64_bit_lengths,
    openat_open_openat2_and_close,
    openat_direct_open_direct_close_direct,
    files_update_installs_and_allocates_slots,
    fixed_fd_install_makes_a_slot_a_normal_fd,
    unlinkat_and_unlink,
    renameat_and_rename,
    mkdirat_and_mkdir,
    symlinkat_and_symlink,
    linkat_and_link,
    setxattr_getxattr_and_fd_forms,
    poll_add_fires_when_a_pipe_becomes_readable,
    poll_multishot_posts_per_event_until_poll_remove,
    poll_update_changes_user_data_and_mask,
    epoll_ctl_adds_once,
    epoll_wait_reports_a_ready_fd,
    timeout_expires_with_etime,
    timeout_with_count_completes_after_that_many_cqes,
    timeout_remove_cancels_a_pending_timeout,
    timeout_update_shortens_a_pending_timeout,
    link_timeout_cancels_a_blocked_read_or_is_cancelled_itself,
    cancel64_and_cancel_stop_a_blocked_pipe_read,
    cancel_fd_stops_every_read_on_that_fd,
}
