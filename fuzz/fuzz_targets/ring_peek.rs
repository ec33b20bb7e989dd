//! Peeking and iterating a live `Ring` whose CQ memory is forged: NO_MMAP
//! rings in memory this target owns (plain, CQE32 and CQE_MIXED), with the
//! CQ head, tail and CQEs written from the input before each run (nothing
//! is ever submitted, so the kernel posts nothing over them). Every call
//! must return, stay inside the ring, and do bounded work.
#![no_main]

use bare_uring::cq::Cqe;
use bare_uring::ring::{memory_layout, Params};
use bare_uring::sys::{
    __kernel_timespec, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED, IORING_SETUP_NO_MMAP,
};
use bare_uring::Ring;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct Forged {
    ring: Ring,
    head: *mut u32,
    tail: *mut u32,
    cqes: *mut u8,
    cqe_bytes: usize,
}

// SAFETY: the raw pointers point into memory leaked for the process's
// life, used only under the mutex below.
unsafe impl Send for Forged {}

fn rings() -> &'static Mutex<Vec<Forged>> {
    static R: OnceLock<Mutex<Vec<Forged>>> = OnceLock::new();
    R.get_or_init(|| {
        let mut v = Vec::new();
        for flags in [0, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED] {
            let mut p = Params::new().with_flags(flags | IORING_SETUP_NO_MMAP);
            let l = memory_layout(8, &p).unwrap();
            let layout = std::alloc::Layout::from_size_align(l.size, l.align).unwrap();
            // SAFETY: non-zero size. Kept for the process's life (reachable
            // from the static, so not a leak).
            let mem = unsafe { std::alloc::alloc_zeroed(layout) };
            assert!(!mem.is_null());
            // SAFETY: mem is l.size bytes, aligned, and never freed.
            let ring = unsafe { Ring::queue_init_mem(8, &mut p, mem, l.size) }
                .expect("NO_MMAP ring (kernel 6.5+; CQE_MIXED 6.18+)");
            let rings = mem.wrapping_add(l.rings_offset);
            let cqe_bytes = (ring.cq_entries() as usize)
                * if flags & IORING_SETUP_CQE32 != 0 {
                    32
                } else {
                    16
                };
            v.push(Forged {
                head: rings.wrapping_add(p.cq_off.head as usize).cast(),
                tail: rings.wrapping_add(p.cq_off.tail as usize).cast(),
                cqes: rings.wrapping_add(p.cq_off.cqes as usize),
                cqe_bytes,
                ring,
            });
        }
        Mutex::new(v)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let mut all = rings().lock().unwrap();
    let f = &mut all[sel as usize % 3];
    let entries = f.ring.cq_entries();
    let mut it = rest.iter().copied();
    let u32_in = |it: &mut dyn Iterator<Item = u8>| {
        u32::from_le_bytes([0; 4].map(|_| it.next().unwrap_or(0)))
    };
    let head0 = u32_in(&mut it);
    let ahead = u32_in(&mut it);
    let ahead = if ahead & 0x8000_0000 != 0 {
        ahead
    } else {
        ahead % (2 * entries + 1)
    };
    // SAFETY: head, tail and the CQE array are in the ring memory we own;
    // the kernel writes none of them while nothing is submitted.
    unsafe {
        f.head.write_volatile(head0);
        f.tail.write_volatile(head0.wrapping_add(ahead));
        for i in 0..f.cqe_bytes {
            f.cqes.add(i).write_volatile(it.next().unwrap_or(0));
        }
    }
    let ops: Vec<u8> = it.take(16).collect();
    // SAFETY: as above (reads of our own memory).
    let head = || unsafe { f.head.read_volatile() };
    for op in ops {
        let before = head();
        match op % 7 {
            0 => {
                if let Ok(c) = f.ring.peek_cqe() {
                    assert!(f.ring.cqe_nr(&c) <= 2);
                    f.ring.cqe_seen(&c);
                }
            }
            1 => {
                let mut out: [Cqe; 4] = Default::default();
                let n = f.ring.peek_batch_cqe(&mut out);
                assert!(n <= 4);
                let nr: u32 = out[..n].iter().map(|c| f.ring.cqe_nr(c)).sum();
                f.ring.cq_advance(nr);
            }
            2 => {
                let take = (op >> 3) as usize;
                let n = f.ring.cqes().take(take).count();
                assert!(n <= entries as usize);
            }
            3 => {
                let mut fold = 0u64;
                let n = f.ring.for_each_cqe(|c| fold ^= c.user_data);
                core::hint::black_box(fold);
                assert!(n <= entries);
            }
            4 => f.ring.cq_advance(u32::from(op >> 3)),
            5 => {
                let _ = f.ring.cq_ready();
                let _ = f.ring.cq_has_overflow();
            }
            _ => {
                let ts = __kernel_timespec {
                    tv_sec: 0,
                    tv_nsec: 1,
                };
                let _ = f.ring.wait_cqe_timeout(Some(&ts));
            }
        }
        // Bounded work: each peek passes at most one ring of padding; one
        // call peeks a few times (a peek that finds only padding may enter
        // and peek again; a timed wait the kernel ends early with nothing
        // visible re-waits up to 256 times, `MAX_REWAITS` in
        // uring-core/src/wait.rs, peeking each time); cq_advance moves by
        // up to 31. Never the 2^31 slots a forged tail claims.
        let moved = head().wrapping_sub(before);
        assert!(
            moved <= (256 + 4) * entries + 32,
            "one call consumed {moved} slots of {entries}"
        );
    }
    // Back to an empty CQ for the next input.
    // SAFETY: as above.
    unsafe {
        f.head.write_volatile(0);
        f.tail.write_volatile(0);
    }
});
