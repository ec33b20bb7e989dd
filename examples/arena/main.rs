//! Several small rings and their provided buffers served from one 2 MiB
//! arena (see `arena.rs`): one mmap for the region, then no mmap and no
//! heap allocation per ring.
//!
//! Run: `cargo run --example arena`. With `strace -f -e trace=mmap,munmap,io_uring_setup,io_uring_register`
//! the only mmap after startup is the arena's (a huge page if
//! `/proc/sys/vm/nr_hugepages` > 0, else normal pages).

mod arena;

use arena::Arena;
use bare_uring::buf_ring::cqe_bid;
use bare_uring::ring::Params;
use bare_uring::sys::IOSQE_BUFFER_SELECT_BIT;
use bare_uring::{prep, syscall, Errno, Ring};

const RINGS: usize = 4;
const ENTRIES: u32 = 8;
const BUFS: u32 = 8;
const BUF_LEN: u32 = 4096;
const BGID: u16 = 1;

/// One NOP through `ring`; returns the CQE's user_data and where the SQE
/// was.
fn nop(ring: &mut Ring, user_data: u64) -> Result<(u64, *const u8), Errno> {
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
    prep::nop(sqe);
    sqe.user_data = user_data;
    let at = sqe as *const _ as *const u8;
    ring.submit_and_wait(1)?;
    let cqe = ring.wait_cqe()?;
    ring.cqe_seen(&cqe);
    Ok((cqe.user_data, at))
}

fn main() -> Result<(), Errno> {
    let arena = Arena::map()?;
    let (base, len) = arena.region();
    println!("arena: {len} bytes at {base:p} ({:?})", arena.source());

    // Every ring gets its memory and its buffer group from the arena.
    let mut rings = Vec::with_capacity(RINGS);
    for _ in 0..RINGS {
        let ring = arena.ring(ENTRIES, &mut Params::new())?;
        let mut bufs = arena.buf_ring(&ring, BUFS, BGID, BUF_LEN)?;
        bufs.publish_all()?;
        println!(
            "ring fd {}: arena used {} bytes",
            ring.ring_fd(),
            arena.used()
        );
        rings.push((ring, bufs));
    }

    for (i, (ring, bufs)) in rings.iter_mut().enumerate() {
        // A NOP round trip.
        let (ud, sqe_at) = nop(ring, 0x1000 + i as u64)?;
        assert_eq!(ud, 0x1000 + i as u64);

        // A read from a pipe into a buffer the kernel picks from the
        // arena-backed group.
        let [r, w] = syscall::pipe2(syscall::O_CLOEXEC)?;
        let msg = format!("hello from ring {i}");
        // SAFETY: the fd is open and owned here for the call (I/O safety).
        unsafe { syscall::write(w, msg.as_bytes()) }?;
        // SAFETY: no address in the SQE: the read fills a buffer the kernel picks from `bufs`
        // (group BGID), which lives past the CQE reaped just below.
        let sqe = unsafe { ring.get_sqe() }.ok_or(Errno::EBUSY)?;
        prep::read(sqe, r, core::ptr::null_mut(), BUF_LEN, 0);
        sqe.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
        sqe.set_buf_group(BGID);
        ring.submit_and_wait(1)?;
        let cqe = ring.wait_cqe()?;
        ring.cqe_seen(&cqe);
        let c = bufs.consume(cqe.res, cqe.flags).ok_or(Errno::ENOBUFS)?;
        // SAFETY: the CQE just handed buffer c.bid back to us.
        let data = unsafe { bufs.data(&c) };
        let in_arena = bufs
            .buf_ptr(c.bid)
            .is_some_and(|p| arena.contains(p.as_ptr()));
        println!(
            "ring {i}: nop ok (SQE in arena: {}), read {:?} into buffer {} (in arena: {in_arena})",
            arena.contains(sqe_at),
            String::from_utf8_lossy(data),
            cqe_bid(cqe.flags).unwrap_or(u16::MAX),
        );
        bufs.recycle(c.bid)?;
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { syscall::close(r) }?;
        // SAFETY: the fd is this code's own and not used after this.
        unsafe { syscall::close(w) }?;
    }
    println!(
        "{RINGS} rings, {} of {} arena bytes used",
        arena.used(),
        arena::REGION
    );

    // The same over a `static`: no mmap at all.
    // SAFETY: STATIC_REGION is used only here, and a static outlives
    // every ring.
    let small = unsafe { Arena::from_raw(STATIC_REGION.ptr(), STATIC_LEN) };
    let mut ring = small.ring(ENTRIES, &mut Params::new())?;
    let (ud, sqe_at) = nop(&mut ring, 7)?;
    println!(
        "static arena: nop user_data {ud}, SQE in the static: {}, {} of {STATIC_LEN} bytes used",
        small.contains(sqe_at),
        small.used()
    );
    Ok(())
}

const STATIC_LEN: usize = 64 * 1024;

/// A page-aligned static region (in .bss).
#[repr(C, align(4096))]
struct StaticRegion(core::cell::UnsafeCell<[u8; STATIC_LEN]>);
// SAFETY: handed to exactly one Arena, used from the main thread only.
unsafe impl Sync for StaticRegion {}
impl StaticRegion {
    fn ptr(&self) -> core::ptr::NonNull<u8> {
        // SAFETY: the address of a static is never null.
        unsafe { core::ptr::NonNull::new_unchecked(self.0.get().cast()) }
    }
}
static STATIC_REGION: StaticRegion = StaticRegion(core::cell::UnsafeCell::new([0; STATIC_LEN]));
