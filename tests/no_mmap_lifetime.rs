//! NO_MMAP ring memory outlives the ring in the kernel's eyes: teardown is
//! asynchronous, so requests still in flight when a ring is dropped are
//! cancelled *afterwards* and their CQEs are written into the ring memory.
//! These tests show that behaviour (the reason `queue_init_mem` is
//! `unsafe` with its contract), that the safe form (`queue_init_static`
//! with a `RingMem`) never lets that memory be reused, and that even a ring
//! dropped with nothing in flight has its memory written after the drop
//! (so the contract forbids reuse altogether), as are tag CQEs of
//! registered files and an SQPOLL ring's `sq_flags`.
//!
//! Kernel: 6.5+ (IORING_SETUP_NO_MMAP; each test skips on the setup's
//! EINVAL).

mod common;

use std::time::{Duration, Instant};

use bare_uring::ring::{memory_layout, Params, RingMem};
use bare_uring::sys::{io_uring_cqe, IORING_SETUP_NO_MMAP};
use bare_uring::{prep, syscall, Errno, Ring};

const LEN: usize = 64 * 1024;

/// Page-aligned memory for the unsafe tests (the safe one uses RingMem).
#[repr(C, align(65536))]
struct Aligned([u8; LEN]);

/// The ring of a NO_MMAP setup; skips the test when the kernel refuses
/// the flag (EINVAL: IORING_SETUP_NO_MMAP is 6.5+).
fn no_mmap(r: Result<Ring, Errno>) -> Ring {
    common::skip_on(
        r,
        &[Errno::EINVAL],
        "IORING_SETUP_NO_MMAP needs Linux 6.5+ (io_uring_setup)",
    )
}

/// Queues `n` reads on the (empty) pipe `rfd` into `bufs`.
fn queue_reads(ring: &mut Ring, rfd: i32, bufs: &mut [[u8; 8]]) {
    for (i, b) in bufs.iter_mut().enumerate() {
        // SAFETY: each read writes 8 bytes into `bufs[i]`, which the caller
        // keeps alive (and leaves alone) until the read's CQE, including
        // CQEs posted after the ring is dropped (see each test).
        let sqe = unsafe { ring.get_sqe() }.unwrap();
        prep::read(sqe, rfd, b.as_mut_ptr().cast(), 8, u64::MAX);
        sqe.user_data = i as u64;
    }
    assert_eq!(ring.submit().unwrap(), bufs.len() as u32);
}

/// Reads the CQ tail of a ring whose rings live at `rings` (volatile: the
/// kernel writes it).
fn cq_tail(rings: *const u8, tail_off: u32) -> u32 {
    // SAFETY: `rings + tail_off` is the 4-byte-aligned CQ tail inside the
    // test's own memory, which outlives every use.
    unsafe { rings.add(tail_off as usize).cast::<u32>().read_volatile() }
}

/// Polls `tail()` until it reaches `want` or 2 s pass; returns what it saw
/// and how long it took.
fn wait_for(tail: impl Fn() -> u32, want: u32) -> (u32, Duration) {
    let t = Instant::now();
    loop {
        let v = tail();
        if v >= want || t.elapsed() > Duration::from_secs(2) {
            return (v, t.elapsed());
        }
        std::hint::spin_loop();
    }
}

fn kernel_writes_cqes_into_ring_memory_after_drop() {
    let mut mem = Box::new(Aligned([0; LEN]));
    let base = mem.0.as_mut_ptr();
    let mut bufs = Box::new([[0u8; 8]; 4]);
    let mut p = Params::new();
    // SAFETY: `mem` is ours, page aligned, LEN bytes, and lives (and is
    // only read, volatile, by this test) until after the kernel released
    // the ring: it is freed at the end, after the late CQEs were seen and
    // the ring's teardown has had seconds to finish.
    let mut ring = no_mmap(unsafe { Ring::queue_init_mem(8, &mut p, base, LEN) });
    let [rfd, wfd] = syscall::pipe2(0).unwrap();
    assert_ne!(p.flags & IORING_SETUP_NO_MMAP, 0);
    let rings = base.wrapping_add(memory_layout(8, &p).unwrap().rings_offset);
    let tail_off = p.cq_off.tail;
    queue_reads(&mut ring, rfd, &mut bufs[..]);
    assert_eq!(cq_tail(rings, tail_off), 0, "the pipe is empty");
    drop(ring);
    let (tail, took) = wait_for(|| cq_tail(rings, tail_off), 4);
    println!("after drop: CQ tail {tail} within {took:?}");
    assert_eq!(tail, 4, "the kernel posted the cancelled reads after drop");
    // SAFETY: the CQEs sit at cq_off.cqes, 16 bytes each, in our memory.
    let cqes = unsafe {
        std::slice::from_raw_parts(rings.add(p.cq_off.cqes as usize).cast::<io_uring_cqe>(), 4)
    };
    for c in cqes {
        assert_eq!(Errno::from_res(c.res), Err(Errno::ECANCELED));
    }
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: both fds are ours.
    unsafe { syscall::close(rfd).unwrap() };
    // SAFETY: as above.
    unsafe { syscall::close(wfd).unwrap() };
}

fn static_ring_memory_is_never_handed_out_again() {
    static MEM: RingMem<LEN> = RingMem::new();
    let mem = MEM.take().unwrap();
    let base = mem.as_ptr() as usize;
    // Leaked, as the read buffers of a request that may outlive the ring
    // must be (they are the request's memory, not the ring's).
    let bufs: &'static mut [[u8; 8]; 4] = Box::leak(Box::new([[0; 8]; 4]));
    let mut p = Params::new();
    let mut ring = no_mmap(Ring::queue_init_static(8, &mut p, mem));
    let [rfd, wfd] = syscall::pipe2(0).unwrap();
    queue_reads(&mut ring, rfd, &mut bufs[..]);
    let (rings, tail_off) = (
        base + memory_layout(8, &p).unwrap().rings_offset,
        p.cq_off.tail,
    );
    drop(ring);
    // Safe code can never get at the memory again...
    assert!(MEM.take().is_none());
    // ...while the kernel still writes into it after the drop (observed
    // through the address, which is all this test kept).
    let (tail, took) = wait_for(|| cq_tail(rings as *const u8, tail_off), 4);
    println!("static ring memory after drop: CQ tail {tail} within {took:?}; take() = None");
    assert_eq!(tail, 4);
    // SAFETY: both fds are ours.
    unsafe { syscall::close(rfd).unwrap() };
    // SAFETY: as above.
    unsafe { syscall::close(wfd).unwrap() };
}

/// Memory the kernel may write after the drop, painted with `PAINT` (a
/// byte no io_uring index or flag word of a fresh ring holds in every
/// position), watched for `ms`: returns the offsets it changed.
fn late_writes(mem: &[u8], ms: u64) -> Vec<usize> {
    std::thread::sleep(Duration::from_millis(ms));
    (0..mem.len())
        // SAFETY: in bounds; volatile because the kernel may write it.
        .filter(|&i| unsafe { std::ptr::read_volatile(&mem[i]) } != PAINT)
        .collect()
}

const PAINT: u8 = 0x5a;

/// Paints the memory right after the drop (volatile: the kernel may be
/// writing it at the same time).
fn paint(mem: &mut [u8]) {
    for b in mem.iter_mut() {
        // SAFETY: in bounds of our own memory.
        unsafe { std::ptr::write_volatile(b, PAINT) };
    }
}

/// Even with every request reaped before the drop, the kernel is not done
/// with NO_MMAP memory: its asynchronous teardown writes the ring header
/// (the CQ tail, `sq_flags`) after the drop, with the values they held, so
/// a snapshot comparison cannot see it; painting the memory with a pattern
/// right after the drop does. This is why `queue_init_mem`'s contract
/// forbids reusing the memory at all. The memory is leaked here, as that
/// contract demands. Every write seen must fall inside the rings (header
/// and CQE array), never in the SQE array or past it.
fn drained_ring_memory_is_still_written_after_drop() {
    let mem: &'static mut Aligned = Box::leak(Box::new(Aligned([0; LEN])));
    let base = mem.0.as_mut_ptr();
    let mut bufs = [[0u8; 8]; 4];
    let mut p = Params::new();
    // SAFETY: `mem` is leaked (never freed or reused), page aligned, LEN
    // bytes; after the drop this test only paints and reads it, volatile.
    let mut ring = no_mmap(unsafe { Ring::queue_init_mem(8, &mut p, base, LEN) });
    let [rfd, wfd] = syscall::pipe2(0).unwrap();
    let l = memory_layout(8, &p).unwrap();
    let rings_end = l.rings_offset + p.cq_off.cqes as usize + 16 * p.cq_entries as usize;
    queue_reads(&mut ring, rfd, &mut bufs[..]);
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { syscall::write(wfd, &[7u8; 32]) }.unwrap(), 32);
    let mut seen = 0;
    while seen < 4 {
        let c = ring.wait_cqe().unwrap();
        assert_eq!(c.res, 8);
        ring.cqe_seen(&c);
        seen += 1;
    }
    drop(ring);
    paint(&mut mem.0);
    let late = late_writes(&mem.0, 300);
    let rel: Vec<usize> = late
        .iter()
        .map(|&o| o.wrapping_sub(l.rings_offset))
        .collect();
    println!(
        "drained NO_MMAP ring: {} bytes written in the 300 ms after drop, at ring offsets {rel:?}",
        late.len()
    );
    for &o in &late {
        assert!(
            (l.rings_offset..rings_end).contains(&o),
            "late write at {o}, outside the rings {}..{rings_end}",
            l.rings_offset
        );
    }
    assert_eq!(bufs, [[7u8; 8]; 4]);
    // SAFETY: both fds are ours.
    unsafe { syscall::close(rfd).unwrap() };
    // SAFETY: as above.
    unsafe { syscall::close(wfd).unwrap() };
}

/// The u32 at `off` of the rings at `rings` (volatile: the kernel may
/// write it).
fn word(rings: *mut u8, off: usize) -> *mut u32 {
    rings.wrapping_add(off).cast()
}

/// Polls `changed()` for up to 2 s (a generous window: the kernel's late
/// writes come from its asynchronous teardown, milliseconds after the
/// drop on an idle machine); returns whether it turned true and when.
fn poll_2s(changed: impl Fn() -> bool) -> (bool, Duration) {
    let t = Instant::now();
    loop {
        if changed() {
            return (true, t.elapsed());
        }
        if t.elapsed() > Duration::from_secs(2) {
            return (false, t.elapsed());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Tag CQEs come after the drop: a file registered with a tag leaves the
/// table when the dropped ring is torn down, and the kernel posts its tag
/// CQE into the NO_MMAP memory then. The CQE array is painted before the
/// drop (its free slots are the kernel's to write, and no tag CQE can come
/// while the file is registered), so the new CQE shows against the paint.
/// A kernel that stays quiet for 2 s is reported as a skip, not a pass.
fn tag_cqe_lands_in_ring_memory_after_drop() {
    const TAG: u64 = 0x7a67_7a67;
    let mem: &'static mut Aligned = Box::leak(Box::new(Aligned([0; LEN])));
    let base = mem.0.as_mut_ptr();
    let mut p = Params::new();
    // SAFETY: `mem` is leaked (never freed or reused), page aligned, LEN
    // bytes; after the drop this test only reads it, volatile.
    let ring = no_mmap(unsafe { Ring::queue_init_mem(8, &mut p, base, LEN) });
    let [rfd, wfd] = syscall::pipe2(0).unwrap();
    // SAFETY: rfd is our open pipe end for the call; the tag's CQE comes
    // after the drop, when no completion handling of this ring exists.
    let r = unsafe { ring.register_files_tags(&[rfd], &[TAG]) };
    common::skip_on(
        r,
        &[Errno::EINVAL],
        "tagged files (IORING_REGISTER_FILES2) need Linux 5.13+",
    );
    let rings = base.wrapping_add(memory_layout(8, &p).unwrap().rings_offset);
    let tail_p = word(rings, p.cq_off.tail as usize);
    // SAFETY: the CQ tail in our memory, aligned; the kernel writes it.
    let tail = unsafe { tail_p.read_volatile() };
    let slot = (tail & (p.cq_entries - 1)) as usize;
    let cqe_p = rings
        .wrapping_add(p.cq_off.cqes as usize + 16 * slot)
        .cast::<io_uring_cqe>();
    // SAFETY: the free CQE slot `slot` in our memory (16 bytes).
    unsafe { std::ptr::write_bytes(cqe_p.cast::<u8>(), PAINT, 16) };
    drop(ring);
    // SAFETY: as above; volatile reads of memory the kernel writes.
    let (seen, took) = poll_2s(|| unsafe { tail_p.read_volatile() } != tail);
    // SAFETY: as above.
    let c = unsafe { cqe_p.read_volatile() };
    println!(
        "tagged file, ring dropped: CQ tail {tail} -> {} after {took:?}; slot {slot}: \
         user_data {:#x} res {} flags {:#x}",
        // SAFETY: as above.
        unsafe { tail_p.read_volatile() },
        c.user_data,
        c.res,
        c.flags
    );
    if !seen {
        common::skip(
            "no tag CQE within 2 s of the drop: this kernel stayed quiet (tag CQEs of \
             files still registered at teardown: Linux 6.13+)",
        );
    }
    assert_eq!(
        (c.user_data, c.res),
        (TAG, 0),
        "the tag CQE, over the paint"
    );
    // SAFETY: both fds are ours.
    unsafe { syscall::close(rfd).unwrap() };
    // SAFETY: as above.
    unsafe { syscall::close(wfd).unwrap() };
}

/// An SQPOLL ring's `sq_flags` is written after the drop: the sleeping SQ
/// thread, woken to be stopped as the ring is torn down, clears
/// IORING_SQ_NEED_WAKEUP in it. The test waits for the thread to sleep
/// (NEED_WAKEUP set), paints the word with the paint pattern plus that
/// bit (a value the kernel never writes: it only sets and clears flag
/// bits), drops the ring and watches the word. A kernel that stays quiet
/// for 2 s is reported as a skip, not a pass.
fn sqpoll_flags_written_after_drop() {
    let mem: &'static mut Aligned = Box::leak(Box::new(Aligned([0; LEN])));
    let base = mem.0.as_mut_ptr();
    let mut p = Params::new().sqpoll(1);
    // SAFETY: as in tag_cqe_lands_in_ring_memory_after_drop.
    let r = unsafe { Ring::queue_init_mem(8, &mut p, base, LEN) };
    let mut ring = common::skip_on(
        r,
        &[Errno::EINVAL, Errno::EPERM],
        "IORING_SETUP_NO_MMAP (6.5+) with IORING_SETUP_SQPOLL (unprivileged 5.11+)",
    );
    // One request, so the thread has run and goes to sleep after 1 ms idle.
    let c = common::submit_one(&mut ring, 1, |s| common::nop(s, 0));
    assert_eq!(c.res, 0);
    let rings = base.wrapping_add(memory_layout(8, &p).unwrap().rings_offset);
    let flags_p = word(rings, p.sq_off.flags as usize);
    let need_wakeup = bare_uring::sys::IORING_SQ_NEED_WAKEUP;
    // SAFETY: sq_flags in our memory, aligned; the kernel writes it.
    let (asleep, _) = poll_2s(|| unsafe { flags_p.read_volatile() } & need_wakeup != 0);
    if !asleep {
        common::skip("the SQPOLL thread did not go to sleep within 2 s");
    }
    let painted = u32::from_ne_bytes([PAINT; 4]) | need_wakeup;
    // SAFETY: as above. The sleeping thread does not touch the word until
    // it is woken, which only the drop does.
    unsafe { flags_p.write_volatile(painted) };
    drop(ring);
    // SAFETY: as above.
    let (seen, took) = poll_2s(|| unsafe { flags_p.read_volatile() } != painted);
    // SAFETY: as above.
    let now = unsafe { flags_p.read_volatile() };
    println!("SQPOLL ring dropped: sq_flags {painted:#x} -> {now:#x} after {took:?}");
    if !seen {
        common::skip("sq_flags unchanged for 2 s after the drop: this kernel stayed quiet");
    }
    // IORING_SQ_NEED_WAKEUP | IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN:
    // the kernel sets and clears flag bits, the paint elsewhere stays.
    assert_eq!(now & !7, painted & !7, "a flag bit changed, nothing else");
}

common::harness::main! {
    kernel_writes_cqes_into_ring_memory_after_drop,
    static_ring_memory_is_never_handed_out_again,
    drained_ring_memory_is_still_written_after_drop,
    tag_cqe_lands_in_ring_memory_after_drop,
    sqpoll_flags_written_after_drop,
}
