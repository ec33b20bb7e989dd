//! The io_uring work of `nostd-cat`: open, then read -> write in a loop.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | the whole file was written to stdout |
//! | 2 | bad usage: not exactly one argument |
//! | 3 | ring setup failed (`io_uring_setup`: no io_uring, EPERM, ...) |
//! | 4 | open failed (ENOENT, EACCES, ENOTDIR, ...) |
//! | 5 | read failed (EISDIR for a directory, EIO, ...) |
//! | 6 | write to stdout failed (EBADF, ENOSPC, a write of 0 bytes, ...) |
//! | 7 | `io_uring_enter` itself failed |
//!
//! The loop queues `read(fd, BUF, BUF_LEN, off)` with `IOSQE_IO_LINK` and
//! `write(1, BUF, BUF_LEN)` after it, and submits both with one
//! `io_uring_enter`. A read that returns fewer bytes than asked counts as
//! a failure for the link, so the kernel cancels the write (`ECANCELED`):
//! the tail of the file (and any short read) is then written with plain
//! write SQEs, looping over short writes. A read of 0 bytes is the end.

use bare_uring::ring::Params;
use bare_uring::sys::{
    io_uring_sqe, IORING_SETUP_NO_MMAP, IORING_SETUP_NO_SQARRAY, IOSQE_IO_LINK_BIT,
};
use bare_uring::{prep, Errno, Ring};
use core::cell::UnsafeCell;
use core::ffi::c_char;
use core::mem::ManuallyDrop;

/// Exit code: bad usage.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: ring setup failed.
pub const EXIT_SETUP: i32 = 3;
/// Exit code: open failed.
pub const EXIT_OPEN: i32 = 4;
/// Exit code: read failed.
pub const EXIT_READ: i32 = 5;
/// Exit code: write failed.
pub const EXIT_WRITE: i32 = 6;
/// Exit code: `io_uring_enter` failed.
pub const EXIT_ENTER: i32 = 7;

/// SQ entries: two are in flight at most.
const ENTRIES: u32 = 2;
/// Bytes per read.
const BUF_LEN: usize = 64 * 1024;
/// Bytes of ring memory (SQEs + rings): one page each for this ring, as
/// `bare_uring::ring::memory_size(2, IORING_SETUP_NO_MMAP)` says
/// (`tests/nostd_cat.rs` checks it).
const RING_LEN: usize = 2 * PAGE;

const AT_FDCWD: i32 = -100;
const O_RDONLY: i32 = 0;
const O_CLOEXEC: i32 = 0o2000000;
/// Offset -1: "the file's current position" (stdout may be a pipe).
const CUR_POS: u64 = u64::MAX;

/// Bytes in `.bss` (so they cost nothing in the file). Only 8-byte
/// aligned, with [`ring_mem`] aligning at run time: the ring memory is
/// aligned to the running kernel's page, which on aarch64 may be smaller
/// than the 64 KiB a `RingMem` must assume, so this keeps `.bss` small
/// there. (bare-uring-rt's linker script places `.bss` so that even a
/// page-aligned one adds no padding to the file.)
#[repr(C, align(8))]
struct Region<const N: usize>(UnsafeCell<[u8; N]>);

// SAFETY: the regions are only touched through `cat`, which runs once on
// the single thread of the process (see its contract).
unsafe impl<const N: usize> Sync for Region<N> {}

impl<const N: usize> Region<N> {
    const fn new() -> Self {
        Region(UnsafeCell::new([0; N]))
    }
    fn ptr(&self) -> *mut u8 {
        self.0.get().cast()
    }
}

/// The ring's SQEs and rings (IORING_SETUP_NO_MMAP), with room to align.
static RING_MEM: Region<{ RING_LEN + PAGE }> = Region::new();
/// The largest page size of this architecture's kernels
/// (`bare_uring::ring::PAGE_SIZE`, 4 KiB on x86_64, 64 KiB on aarch64):
/// memory aligned to it is aligned to the running kernel's page size,
/// which is what bare-uring asks for (bare-uring-rt finds the page size in the
/// auxiliary vector).
const PAGE: usize = bare_uring::ring::PAGE_SIZE;

/// The page-aligned `RING_LEN` bytes inside `RING_MEM`.
fn ring_mem() -> *mut u8 {
    let p = RING_MEM.ptr();
    // Adds (-addr mod PAGE) < PAGE: the result stays inside RING_MEM.
    p.wrapping_add((p as usize).wrapping_neg() & (PAGE - 1))
}
/// The data buffer.
static BUF: Region<BUF_LEN> = Region::new();

/// user_data of the SQEs, to tell the CQEs apart.
const UD_OPEN: u64 = 0;
const UD_READ: u64 = 1;
const UD_WRITE: u64 = 2;

/// Submits what is queued, waits for `want` CQEs and stores each result in
/// `res[user_data]`. One enter submits and waits; should it return with
/// fewer CQEs (a signal), the next one waits for the rest.
fn run(ring: &mut Ring, want: u32, res: &mut [i32; 3]) -> Result<(), i32> {
    let mut got = 0;
    while got < want {
        ring.submit_and_wait(want - got).map_err(|_| EXIT_ENTER)?;
        for cqe in ring.cqes() {
            got += 1;
            if let Some(slot) = res.get_mut(cqe.user_data as usize) {
                *slot = cqe.res;
            }
        }
    }
    Ok(())
}

/// The next SQE; the ring has `ENTRIES` slots and at most two are queued
/// between waits, so it never runs out (but an error beats a panic:
/// callers turn `None` into `EXIT_ENTER`). An `Option` of a reference is
/// one register, where a `Result` would be returned through memory.
///
/// # Safety
/// As `Ring::get_sqe`: the request written into the slot points only to
/// memory that stays valid, and is not otherwise accessed, until its CQE.
unsafe fn sqe(ring: &mut Ring) -> Option<&mut io_uring_sqe> {
    // SAFETY: forwarded to the caller (this fn's contract is get_sqe's).
    unsafe { ring.get_sqe() }
}

/// Writes `BUF[done..len]` to stdout, looping over short writes.
fn write_rest(ring: &mut Ring, mut done: usize, len: usize, res: &mut [i32; 3]) -> Result<(), i32> {
    while done < len {
        // SAFETY: the write reads BUF[done..len], which nothing touches
        // until `run` below has reaped its CQE.
        let s = unsafe { sqe(ring) }.ok_or(EXIT_ENTER)?;
        // SAFETY: BUF[done..len] stays valid and untouched until `run`
        // has reaped this write's CQE.
        unsafe {
            prep::write(
                s,
                1,
                BUF.ptr().add(done).cast(),
                (len - done) as u32,
                CUR_POS,
            );
        }
        s.user_data = UD_WRITE;
        run(ring, 1, res)?;
        match res[2] {
            n if n > 0 => done += n as usize,
            _ => return Err(EXIT_WRITE),
        }
    }
    Ok(())
}

/// Opens `path` and copies it to stdout, all through one ring set up for
/// pages of `page` bytes; returns the exit code (see the table above).
fn copy(path: *const c_char, page: usize) -> Result<(), i32> {
    // NO_MMAP is what queue_init_mem_page_size adds anyway; setting it
    // here as well makes the flags a constant the compiler sees through
    // (on aarch64 it did not see through the zeroed Params alone), so
    // setup's tests of other flags fold away. NO_SQARRAY (Kernel: 6.6+,
    // one release after NO_MMAP) spares the SQ index array and the code
    // that fills it; an older kernel fails setup with EINVAL (exit 3).
    let mut p = Params::new().with_flags(IORING_SETUP_NO_MMAP | IORING_SETUP_NO_SQARRAY);
    // SAFETY: ring_mem() is aligned to the largest page size, RING_LEN
    // bytes, and used by nothing else for the life of the process (cat
    // runs once). Too small a region would be ENOMEM from setup, before
    // any syscall; a `page` bare-uring refuses is EINVAL.
    let ring =
        unsafe { Ring::queue_init_mem_page_size(ENTRIES, &mut p, ring_mem(), RING_LEN, page) }
            .map_err(|_| EXIT_SETUP)?;
    // The process exits right after `copy`: the kernel tears the ring down
    // with it. Skipping Drop saves a close(2), so the process makes no
    // syscall besides io_uring_setup, io_uring_enter and exit_group.
    let mut ring = ManuallyDrop::new(ring);
    let ring: &mut Ring = &mut ring;
    let mut res = [0i32; 3];

    // SAFETY: the open reads `path` (the caller's NUL-terminated argument,
    // alive for the whole process); `run` reaps its CQE just below.
    let s = unsafe { sqe(ring) }.ok_or(EXIT_ENTER)?;
    prep::openat(s, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
    s.user_data = UD_OPEN;
    run(ring, 1, &mut res)?;
    let fd = match res[0] {
        fd if fd >= 0 => fd,
        _ => return Err(EXIT_OPEN),
    };

    let mut off = 0u64;
    loop {
        // SAFETY: the read fills BUF, which nothing else touches until `run`
        // below has reaped both linked CQEs.
        let s = unsafe { sqe(ring) }.ok_or(EXIT_ENTER)?;
        prep::read(s, fd, BUF.ptr().cast(), BUF_LEN as u32, off);
        s.flags |= 1 << IOSQE_IO_LINK_BIT;
        s.user_data = UD_READ;
        // SAFETY: the write reads BUF after the linked read filled it; as
        // above, `run` reaps its CQE before BUF is used again.
        let s = unsafe { sqe(ring) }.ok_or(EXIT_ENTER)?;
        prep::write(s, 1, BUF.ptr().cast(), BUF_LEN as u32, CUR_POS);
        s.user_data = UD_WRITE;
        run(ring, 2, &mut res)?;
        let (r, w) = (res[1], res[2]);
        if r < 0 {
            return Err(EXIT_READ);
        }
        if r == 0 {
            return Ok(());
        }
        if w != BUF_LEN as i32 {
            // Short read (write cancelled), failed write, or short write.
            if w < 0 && w != -Errno::ECANCELED.0 {
                return Err(EXIT_WRITE);
            }
            write_rest(ring, w.max(0) as usize, r as usize, &mut res)?;
        }
        off += r as u64;
    }
}

/// Copies the file at `path` to stdout; returns the process exit code.
/// `page` is the kernel's page size (`AT_PAGESZ`).
///
/// # Safety
/// `path` points to a NUL-terminated string. Call at most once per
/// process, from one thread: the ring memory and buffer are statics.
pub unsafe fn cat(path: *const c_char, page: usize) -> i32 {
    match copy(path, page) {
        Ok(()) => 0,
        Err(code) => code,
    }
}
