//! The liburing functions added for API coverage (issue 21), on the live
//! kernel, each compared with C liburing 2.15 (`liburing_c`, built by the
//! root build.rs) doing the same on a ring of its own:
//!
//! - `io_uring_sqe_shift` / `io_uring_cqe_shift` / `io_uring_load_sq_head`
//!   on rings set up with the same flags;
//! - `io_uring_mlock_size*` for a set of entries and flags;
//! - `__io_uring_peek_cqe` / `__io_uring_get_cqe` on the same sequence of
//!   NOPs;
//! - `io_uring_clone_buffers*` and `__io_uring_clone_buffers*`: the bytes
//!   of the `io_uring_register(2)` call each makes (fd, opcode, the
//!   `io_uring_clone_buffers` argument, nr_args), captured with ptrace at
//!   the system call's entry, for source and destination rings with and
//!   without a registered fd; then the calls themselves on 6.12+.

extern crate uring;

use bare_uring::ring::{mlock_size, mlock_size_params, page_size, Params};
use bare_uring::sys::{
    io_uring_clone_buffers, io_uring_params, IORING_REGISTER_CLONE_BUFFERS,
    IORING_REGISTER_DST_REPLACE, IORING_REGISTER_SRC_REGISTERED,
    IORING_REGISTER_USE_REGISTERED_RING, IORING_SETUP_CLAMP, IORING_SETUP_CQE32,
    IORING_SETUP_CQSIZE, IORING_SETUP_NO_SQARRAY, IORING_SETUP_SQE128,
};
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{iov_mut, setup_or_skip};

/// C liburing's `struct io_uring`, opaque here.
#[repr(C)]
struct CRing {
    _opaque: [u8; 0],
}

extern "C" {
    fn ref_ring_new(entries: u32, flags: u32, err: *mut i32) -> *mut CRing;
    fn ref_ring_free(ring: *mut CRing);
    fn ref_ring_fds(ring: *const CRing, fd: *mut i32, enter_fd: *mut i32);
    fn ref_queue_nops(ring: *mut CRing, n: u32) -> i32;
    fn ref_io_uring_sqe_shift(ring: *const CRing) -> u32;
    fn ref_io_uring_cqe_shift(ring: *const CRing) -> u32;
    fn ref_io_uring_load_sq_head(ring: *const CRing) -> u32;
    fn ref_io_uring_cq_ready(ring: *const CRing) -> u32;
    fn ref___io_uring_peek_cqe(ring: *mut CRing, user_data: *mut u64, nr: *mut u32) -> i32;
    fn ref___io_uring_get_cqe(ring: *mut CRing, submit: u32, wait_nr: u32, ud: *mut u64) -> i32;
    fn io_uring_submit(ring: *mut CRing) -> i32;
    fn io_uring_register_ring_fd(ring: *mut CRing) -> i32;
    fn io_uring_mlock_size(entries: u32, flags: u32) -> isize;
    fn io_uring_mlock_size_params(entries: u32, p: *mut io_uring_params) -> isize;
    fn io_uring_clone_buffers(dst: *mut CRing, src: *mut CRing) -> i32;
    fn io_uring_clone_buffers_offset(
        dst: *mut CRing,
        src: *mut CRing,
        dst_off: u32,
        src_off: u32,
        nr: u32,
        flags: u32,
    ) -> i32;
    fn __io_uring_clone_buffers(dst: *mut CRing, src: *mut CRing, flags: u32) -> i32;
    fn __io_uring_clone_buffers_offset(
        dst: *mut CRing,
        src: *mut CRing,
        dst_off: u32,
        src_off: u32,
        nr: u32,
        flags: u32,
    ) -> i32;
}

/// A C liburing ring, freed on drop.
struct C(*mut CRing);

impl C {
    /// `None` when C's io_uring_queue_init refuses the flags (EINVAL).
    fn new(entries: u32, flags: u32) -> Option<C> {
        let mut err = 0;
        // SAFETY: a C constructor; `err` is valid for writes.
        let p = unsafe { ref_ring_new(entries, flags, &mut err) };
        if p.is_null() {
            assert_eq!(err, -Errno::EINVAL.raw(), "C io_uring_queue_init: {err}");
            return None;
        }
        Some(C(p))
    }
    fn fds(&self) -> (i32, i32) {
        let (mut fd, mut enter) = (0, 0);
        // SAFETY: a live C ring; the out pointers are valid.
        unsafe { ref_ring_fds(self.0, &mut fd, &mut enter) };
        (fd, enter)
    }
}

impl Drop for C {
    fn drop(&mut self) {
        // SAFETY: the ring ref_ring_new made, freed once.
        unsafe { ref_ring_free(self.0) }
    }
}

/// Queues `n` NOPs with user_data 1..=n on our ring.
fn nops(ring: &mut Ring, n: u64) {
    for ud in 1..=n {
        // SAFETY: a NOP points to no memory.
        let sqe = unsafe { ring.get_sqe() }.expect("a free SQE");
        prep::nop(sqe);
        sqe.user_data = ud;
    }
}

fn shifts_and_sq_head_match_liburing() {
    for (flags, name) in [
        (0, "no flags"),
        (IORING_SETUP_SQE128, "IORING_SETUP_SQE128"),
        (IORING_SETUP_CQE32, "IORING_SETUP_CQE32"),
        (IORING_SETUP_SQE128 | IORING_SETUP_CQE32, "SQE128 | CQE32"),
    ] {
        let mut ring = setup_or_skip(8, flags, name, "5.19");
        let c = C::new(8, flags).expect("C accepts what the kernel accepted");
        // SAFETY: live C ring.
        let (cs, cc) = unsafe { (ref_io_uring_sqe_shift(c.0), ref_io_uring_cqe_shift(c.0)) };
        assert_eq!((ring.sqe_shift(), ring.cqe_shift()), (cs, cc), "{name}");
        // The SQ head moves as the kernel consumes SQEs.
        // SAFETY: live C ring.
        assert_eq!(ring.load_sq_head(), unsafe {
            ref_io_uring_load_sq_head(c.0)
        });
        nops(&mut ring, 3);
        // SAFETY: live C ring.
        assert_eq!(unsafe { ref_queue_nops(c.0, 3) }, 0);
        assert_eq!(ring.load_sq_head(), 0, "nothing submitted yet");
        assert_eq!(ring.submit(), Ok(3));
        // SAFETY: live C ring with 3 SQEs queued.
        assert_eq!(unsafe { io_uring_submit(c.0) }, 3);
        // SAFETY: live C ring.
        let c_head = unsafe { ref_io_uring_load_sq_head(c.0) };
        assert_eq!((ring.load_sq_head(), c_head), (3, 3), "{name}");
        println!("{name}: sqe_shift {cs}, cqe_shift {cc}, sq head 3 after 3 NOPs");
    }
}

fn mlock_size_matches_liburing() {
    let (mut zero, mut total) = (0, 0);
    for entries in [0, 1, 8, 100, 4096, 32768, 40000] {
        for flags in [
            0,
            IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
            IORING_SETUP_NO_SQARRAY,
            IORING_SETUP_CLAMP,
        ] {
            // SAFETY: a C function (sets up and tears down a probe ring).
            let c = unsafe { io_uring_mlock_size(entries, flags) };
            check_size(
                &format!("{entries}/{flags:#x}"),
                mlock_size(entries, flags),
                c,
            );
            for cq in [0, 64, 100_000] {
                let mut p = Params::new().with_flags(flags | IORING_SETUP_CQSIZE);
                p.cq_entries = cq;
                let mut cp = p.0;
                // SAFETY: C reads a valid io_uring_params.
                let c = unsafe { io_uring_mlock_size_params(entries, &mut cp) };
                let ours = mlock_size_params(entries, &p);
                zero += (ours == Ok(0)) as u32;
                total += 1;
                check_size(&format!("{entries}/{flags:#x}/cq {cq}"), ours, c);
            }
        }
    }
    println!(
        "{total} mlock_size_params cases agree with liburing; {zero} are 0 \
         (kernel charges rings to the memory cgroup: IORING_FEAT_NATIVE_WORKERS)"
    );
}

/// As tests/api_coverage.rs: the same error, or no smaller than C's and at
/// most a page larger (ours bounds the ring header at 320 bytes, C at 64).
fn check_size(what: &str, ours: Result<usize, Errno>, c: isize) {
    match ours {
        Ok(n) => assert!(
            c >= 0 && c as usize <= n && n <= c as usize + page_size(),
            "{what}: ours {n}, liburing {c}"
        ),
        Err(e) => assert_eq!(-(e.raw() as isize), c, "{what}: ours {e:?}"),
    }
}

fn peek_and_get_cqe_internals_match_liburing() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let c = C::new(8, 0).unwrap();
    let c_peek = || {
        let (mut ud, mut nr) = (0u64, 0u32);
        // SAFETY: live C ring; out pointers valid.
        let r = unsafe { ref___io_uring_peek_cqe(c.0, &mut ud, &mut nr) };
        assert_eq!(r, 0);
        ((ud != u64::MAX).then_some(ud), nr)
    };
    // Empty CQ.
    let (cqe, nr) = ring.__peek_cqe();
    assert_eq!((cqe.map(|c| c.user_data), nr), c_peek());
    assert_eq!((cqe, nr), (None, 0));
    // Nothing to submit, nothing to wait for, nothing ready: EAGAIN.
    let mut ud = 0;
    // SAFETY: live C ring.
    let r = unsafe { ref___io_uring_get_cqe(c.0, 0, 0, &mut ud) };
    assert_eq!(
        ring.__get_cqe(0, 0, None).map(|c| c.user_data),
        Err(Errno(-r))
    );
    assert_eq!(r, -Errno::EAGAIN.raw());
    // Three NOPs: submit them and wait for all three; the first is
    // returned, not consumed. C's __io_uring_get_cqe submits only SQEs
    // already published to the ring, which only liburing's submit path
    // does: so C submits, then waits for three with it.
    nops(&mut ring, 3);
    // SAFETY: live C ring.
    assert_eq!(unsafe { ref_queue_nops(c.0, 3) }, 0);
    let ours = ring.__get_cqe(3, 3, None).unwrap();
    assert_eq!(ours.user_data, 1);
    // SAFETY: live C ring with 3 queued NOPs.
    assert_eq!(unsafe { io_uring_submit(c.0) }, 3);
    // SAFETY: live C ring.
    let r = unsafe { ref___io_uring_get_cqe(c.0, 0, 3, &mut ud) };
    assert_eq!((r, ud), (0, 1));
    // SAFETY: live C ring.
    assert_eq!(ring.cq_ready(), unsafe { ref_io_uring_cq_ready(c.0) });
    let (cqe, nr) = ring.__peek_cqe();
    assert_eq!((cqe.map(|c| c.user_data), nr), c_peek());
    assert_eq!((cqe.map(|c| c.user_data), nr), (Some(1), 3));
    ring.cqe_seen(&cqe.unwrap());
    assert_eq!(ring.__peek_cqe().1, 2);
    // More than was handed out: submits what there is, never spins.
    nops(&mut ring, 1);
    let c1 = ring.__get_cqe(100, 0, None).unwrap();
    assert_eq!(c1.user_data, 2, "the oldest ready CQE");
    assert_eq!(ring.sq_ready(), 0);
    println!("__peek_cqe and __get_cqe agree with liburing");
}

// ---- capturing the io_uring_register(2) call a function makes

/// One `io_uring_register(2)` call as the kernel would see it.
#[derive(Debug, PartialEq, Eq)]
struct Reg {
    fd: i64,
    opcode: u64,
    nr_args: u64,
    arg: Vec<u8>,
}

#[cfg(target_arch = "x86_64")]
mod ptrace {
    use super::Reg;
    use std::os::unix::fs::FileExt;

    extern "C" {
        fn fork() -> i32;
        fn ptrace(req: i64, pid: i32, addr: *mut u8, data: *mut u8) -> i64;
        fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
        fn raise(sig: i32) -> i32;
        fn kill(pid: i32, sig: i32) -> i32;
        fn _exit(code: i32) -> !;
    }
    const PTRACE_TRACEME: i64 = 0;
    const PTRACE_GETREGS: i64 = 12;
    const PTRACE_SYSCALL: i64 = 24;
    const PTRACE_SETOPTIONS: i64 = 0x4200;
    const PTRACE_O_TRACESYSGOOD: usize = 1;
    const PTRACE_O_EXITKILL: usize = 0x10_0000;
    const SIGSTOP: i32 = 19;
    const SIGKILL: i32 = 9;
    const SYS_IO_URING_REGISTER: u64 = 427;
    const ENOSYS: u64 = 38;

    fn wait(pid: i32) -> i32 {
        let mut status = 0;
        // SAFETY: our own child; `status` is valid for writes.
        assert_eq!(unsafe { waitpid(pid, &mut status, 0) }, pid);
        status
    }

    /// Runs `f` in a forked child stopped at the entry of its first
    /// `io_uring_register(2)`, which never runs: returns that call with
    /// `len` bytes read at its `arg`, or `None` if `f` made none.
    /// `f` must not allocate (the child of a threaded process).
    pub fn capture_register(len: usize, f: impl FnOnce()) -> Option<Reg> {
        // SAFETY: the child only traces itself, runs `f` (system calls, no
        // allocation) and exits without unwinding or running destructors.
        let pid = unsafe { fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            // SAFETY: see above.
            unsafe {
                ptrace(
                    PTRACE_TRACEME,
                    0,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
                raise(SIGSTOP);
            }
            // A panic must not unwind into the forked copy of the harness.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            // SAFETY: end the child here, whatever happened.
            unsafe { _exit(0) }
        }
        let status = wait(pid);
        assert_eq!(status & 0xff, 0x7f, "child did not stop");
        let opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
        // SAFETY: our traced, stopped child.
        unsafe {
            ptrace(
                PTRACE_SETOPTIONS,
                pid,
                std::ptr::null_mut(),
                opts as *mut u8,
            )
        };
        let found = loop {
            // SAFETY: our traced, stopped child.
            unsafe {
                ptrace(
                    PTRACE_SYSCALL,
                    pid,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            let status = wait(pid);
            if status & 0x7f == 0 || (status & 0xff != 0x7f) {
                break None; // exited or killed
            }
            if (status >> 8) & 0xff != (0x80 | 5) {
                continue; // a signal stop, not a system call
            }
            let mut regs = [0u64; 27];
            // SAFETY: our stopped child; `regs` is a user_regs_struct.
            unsafe {
                ptrace(
                    PTRACE_GETREGS,
                    pid,
                    std::ptr::null_mut(),
                    regs.as_mut_ptr().cast(),
                )
            };
            // orig_rax = 15, rax = 10 (-ENOSYS at entry), rdi, rsi, rdx, r10.
            if regs[15] == SYS_IO_URING_REGISTER && regs[10] == ENOSYS.wrapping_neg() {
                let mut arg = vec![0u8; len];
                let mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
                mem.read_exact_at(&mut arg, regs[12]).unwrap();
                break Some(Reg {
                    fd: regs[14] as u32 as i32 as i64,
                    opcode: regs[13],
                    nr_args: regs[7],
                    arg,
                });
            }
        };
        // SAFETY: our child; it has done its part.
        unsafe { kill(pid, SIGKILL) };
        let _ = wait(pid);
        found
    }
}

const CLONE_LEN: usize = size_of::<io_uring_clone_buffers>();

/// The bytes of an `io_uring_clone_buffers`.
fn clone_arg(a: &io_uring_clone_buffers) -> Vec<u8> {
    // SAFETY: a plain C struct without padding holes (5 u32 + 3 u32).
    unsafe { std::slice::from_raw_parts((a as *const io_uring_clone_buffers).cast(), CLONE_LEN) }
        .to_vec()
}

/// Replaces the ring fds/indices in a captured call by symbols, so C's
/// rings and ours (different numbers) compare: dst as fd (-1) or registered
/// index (-2); src_fd as fd (1) or index (2).
fn normalise(mut r: Reg, dst: (i32, Option<i32>), src: (i32, Option<i32>)) -> Reg {
    r.fd = match r.fd {
        fd if fd == dst.0 as i64 => -1,
        fd if Some(fd as i32) == dst.1 => -2,
        fd => panic!("register on fd {fd}, neither the ring's fd nor its index"),
    };
    let src_fd = u32::from_ne_bytes(r.arg[..4].try_into().unwrap()) as i32;
    let sym: u32 = match src_fd {
        fd if fd == src.0 => 1,
        fd if Some(fd) == src.1 => 2,
        fd => panic!("src_fd {fd}, neither the source's fd nor its index"),
    };
    r.arg[..4].copy_from_slice(&sym.to_ne_bytes());
    r
}

/// A boxed closure making one `unsafe` clone call for
/// [`ptrace::capture_register`], in whose child the system call never
/// runs.
macro_rules! never_runs {
    ($call:expr) => {
        Box::new(|| {
            // SAFETY: the child stops at the system call's entry and is
            // killed there: the kernel never acts on the call.
            let _ = unsafe { $call };
        })
    };
}

#[cfg(target_arch = "x86_64")]
fn clone_buffers_register_calls_match_liburing() {
    use ptrace::capture_register;
    let mut variants = 0;
    for (src_reg, dst_reg) in [(false, false), (true, false), (false, true), (true, true)] {
        let (mut src, mut dst) = (
            Ring::queue_init(2, 0).unwrap(),
            Ring::queue_init(2, 0).unwrap(),
        );
        let (csrc, cdst) = (C::new(2, 0).unwrap(), C::new(2, 0).unwrap());
        for (reg, ring, c) in [(src_reg, &mut src, &csrc), (dst_reg, &mut dst, &cdst)] {
            if reg {
                common::skip_on(
                    ring.register_ring_fd(),
                    &[Errno::EINVAL],
                    "IORING_REGISTER_RING_FDS needs Linux 5.18+",
                );
                // SAFETY: live C ring.
                assert_eq!(unsafe { io_uring_register_ring_fd(c.0) }, 1);
            }
        }
        let ours_ids = |r: &Ring| (r.ring_fd(), r.registered_index().map(|i| i as i32));
        let c_ids = |c: &C| {
            let (fd, enter) = c.fds();
            (fd, (enter != fd).then_some(enter))
        };
        let flag_sets = [
            0,
            IORING_REGISTER_SRC_REGISTERED,
            IORING_REGISTER_DST_REPLACE,
        ];
        for flags in flag_sets {
            type Call<'a> = (&'a str, Box<dyn Fn() + 'a>, Box<dyn Fn() + 'a>);
            let calls: [Call; 4] = [
                (
                    "clone_buffers",
                    never_runs!(dst.clone_buffers(&src)),
                    never_runs!(io_uring_clone_buffers(cdst.0, csrc.0)),
                ),
                (
                    "clone_buffers_offset",
                    never_runs!(dst.clone_buffers_offset(&src, 3, 5, 7, flags)),
                    never_runs!(io_uring_clone_buffers_offset(
                        cdst.0, csrc.0, 3, 5, 7, flags
                    )),
                ),
                (
                    "__clone_buffers",
                    never_runs!(dst.__clone_buffers(&src, flags)),
                    never_runs!(__io_uring_clone_buffers(cdst.0, csrc.0, flags)),
                ),
                (
                    "__clone_buffers_offset",
                    never_runs!(dst.__clone_buffers_offset(&src, 1, 2, 3, flags)),
                    never_runs!(__io_uring_clone_buffers_offset(
                        cdst.0, csrc.0, 1, 2, 3, flags
                    )),
                ),
            ];
            for (name, rust, c) in &calls {
                let what = format!(
                    "{name}, flags {flags:#x}, src registered {src_reg}, dst registered {dst_reg}"
                );
                let r = capture_register(CLONE_LEN, rust).expect("Rust made no register call");
                let c_call = capture_register(CLONE_LEN, c).expect("C made no register call");
                let r = normalise(r, ours_ids(&dst), ours_ids(&src));
                let c_call = normalise(c_call, c_ids(&cdst), c_ids(&csrc));
                assert_eq!(r, c_call, "{what}");
                assert_eq!(
                    r.opcode & !(IORING_REGISTER_USE_REGISTERED_RING as u64),
                    IORING_REGISTER_CLONE_BUFFERS as u64
                );
                variants += 1;
            }
        }
    }
    // What C sends for one case, spelled out (not from our code).
    let want = clone_arg(&io_uring_clone_buffers {
        src_fd: 1,
        flags: 0,
        src_off: 5,
        dst_off: 3,
        nr: 7,
        pad: [0; 3],
    });
    let (src, dst) = (
        Ring::queue_init(2, 0).unwrap(),
        Ring::queue_init(2, 0).unwrap(),
    );
    let r = ptrace::capture_register(
        CLONE_LEN,
        never_runs!(dst.clone_buffers_offset(&src, 3, 5, 7, 0)),
    )
    .unwrap();
    let ids = |r: &Ring| (r.ring_fd(), r.registered_index().map(|i| i as i32));
    let r = normalise(r, ids(&dst), ids(&src));
    assert_eq!((r.fd, r.nr_args, r.arg), (-1, 1, want));
    println!("{variants} io_uring_register calls byte-identical to liburing's");
}

#[cfg(not(target_arch = "x86_64"))]
fn clone_buffers_register_calls_match_liburing() {
    common::skip("the ptrace capture reads x86_64 registers only");
}

fn clone_buffers_flag_handling_live() {
    let mut a = vec![0u8; 64];
    let mut b = vec![0u8; 64];
    let mut src = Ring::queue_init(4, 0).unwrap();
    // SAFETY: a and b outlive every ring here (dropped at the end).
    unsafe { src.register_buffers(&[iov_mut(&mut a), iov_mut(&mut b)]) }.unwrap();
    let probe = Ring::queue_init(2, 0).unwrap();
    // SAFETY: as above.
    common::skip_on(
        unsafe { probe.__clone_buffers(&src, 0) },
        &[Errno::EINVAL],
        "IORING_REGISTER_CLONE_BUFFERS needs Linux 6.12+",
    );
    // IORING_REGISTER_SRC_REGISTERED on a source whose fd is not
    // registered: the flag is dropped (liburing does the same), the kernel
    // gets the fd. Sent as is, the kernel would read the fd number as a
    // registered ring index.
    let d1 = Ring::queue_init(2, 0).unwrap();
    // SAFETY: as above.
    unsafe { d1.__clone_buffers(&src, IORING_REGISTER_SRC_REGISTERED) }.unwrap();
    // And through the index once it is registered (offsets need 6.13:
    // zero here).
    src.register_ring_fd().unwrap();
    let d2 = Ring::queue_init(2, 0).unwrap();
    // SAFETY: as above.
    unsafe { d2.__clone_buffers_offset(&src, 0, 0, 0, IORING_REGISTER_SRC_REGISTERED) }.unwrap();
    // Without the flag, by fd, though registered.
    let mut d3 = Ring::queue_init(2, 0).unwrap();
    // SAFETY: as above.
    unsafe { d3.__clone_buffers(&src, 0) }.unwrap();
    // Both got src's buffers: read into buffer 1 through d2, 0 through d3.
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"via 2") }.unwrap();
    let mut d2 = d2;
    let bp = b.as_mut_ptr();
    let res = common::submit_one(&mut d2, 9, |sqe| {
        prep::read_fixed(sqe, r, bp.cast(), 5, 0, 1)
    })
    .res;
    assert_eq!(res, 5);
    assert_eq!(&b[..5], b"via 2");
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"via 3") }.unwrap();
    let ap = a.as_mut_ptr();
    let res = common::submit_one(&mut d3, 9, |sqe| {
        prep::read_fixed(sqe, r, ap.cast(), 5, 0, 0)
    })
    .res;
    assert_eq!(res, 5);
    assert_eq!(&a[..5], b"via 3");
    drop((src, probe, d1, d2, d3));
    // SAFETY: the fds are this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: as above.
    unsafe { close(w) }.unwrap();
}

common::harness::main! {
    shifts_and_sq_head_match_liburing,
    mlock_size_matches_liburing,
    peek_and_get_cqe_internals_match_liburing,
    clone_buffers_register_calls_match_liburing,
    clone_buffers_flag_handling_live,
}
