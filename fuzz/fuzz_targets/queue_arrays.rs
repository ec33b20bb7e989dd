//! The queue index math (`bare_uring::queue`) over plain arrays with
//! forged kernel indices: CQ batches and SQ reservations must stay inside
//! their arrays, never yield padding, and do bounded work per call.
#![no_main]

use bare_uring::queue::{CqPtrs, CqRing, SqPtrs, SqRing};
use bare_uring::sys::{io_uring_cqe, io_uring_sqe};
use libfuzzer_sys::fuzz_target;

/// Pulls little-endian numbers off the input, zero when it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let cfg = b.u8();
    let entries = 1u32 << (cfg & 3); // 1..8
    let shift = u32::from(cfg & 4 != 0);
    let mixed = cfg & 8 != 0 && shift == 0;
    let units = (entries << shift) as usize;

    // --- completion queue ---
    let mut idx = [b.u32(), b.u32(), 0u32, 0u32]; // head, tail, flags, overflow
    let mut cqes: Vec<io_uring_cqe> = (0..units).map(|_| io_uring_cqe::default()).collect();
    for c in cqes.iter_mut() {
        c.user_data = u64::from(b.u8());
        c.res = i32::from(b.u8() as i8);
        // Mostly the low 16 bits (F_32 and F_SKIP among them), any now and then.
        let f = b.u32();
        c.flags = if f & 0x8000_0000 != 0 { f } else { f & 0xffff };
    }
    let base = cqes.as_mut_ptr();
    let [h, t, fl, ov] = idx.each_mut().map(|p| p as *mut u32);
    let cq_ptrs = CqPtrs {
        khead: h,
        ktail: t,
        kflags: fl,
        koverflow: ov,
        cqes: base,
        entries,
        mask: entries - 1,
        shift,
        mixed,
    };
    // SAFETY: every pointer points into `idx`/`cqes`, which outlive `cq`;
    // the array holds entries << shift CQE units.
    let cq = unsafe { CqRing::new(cq_ptrs) }.unwrap();
    for _ in 0..(b.u8() % 4 + 1) {
        let head = cq.head();
        let mut batch = cq.batch();
        let mut n = 0u32;
        for c in batch.by_ref() {
            assert!(!(mixed && c.is_skip()), "padding yielded");
            n += 1;
            assert!(n <= entries, "more CQEs than slots");
        }
        let used = batch.consumed();
        assert!(used <= entries, "batch walked {used} > {entries} slots");
        let _ = cq.ready();
        cq.advance(used.min(u32::from(b.u8())));
        assert!(cq.head().wrapping_sub(head) <= entries);
    }

    // --- submission queue ---
    let mut sidx = [b.u32(), 0u32, 0u32, 0u32]; // khead, ktail, flags, dropped
    sidx[1] = sidx[0].wrapping_add(u32::from(b.u8()) % (entries + 1));
    let mut sqes: Vec<io_uring_sqe> = (0..units).map(|_| io_uring_sqe::zeroed()).collect();
    let lo = sqes.as_ptr() as usize;
    let hi = lo + units * 64;
    let [sh, st, sf, sd] = sidx.each_mut().map(|p| p as *mut u32);
    let sq_ptrs = SqPtrs {
        khead: sh,
        ktail: st,
        kflags: sf,
        kdropped: sd,
        sqes: sqes.as_mut_ptr(),
        entries,
        mask: entries - 1,
        shift,
        rewind: cfg & 16 != 0,
    };
    // SAFETY: as for the CQ: pointers into `sidx`/`sqes`, which outlive it.
    let mut sq = unsafe { SqRing::new(sq_ptrs) }.unwrap();
    let step = 64usize << shift;
    for _ in 0..32 {
        let op = b.u8();
        match op % 5 {
            0 => {
                if let Some(p) = sq.next_sqe() {
                    let a = p as usize;
                    assert!(a >= lo && a + step <= hi, "SQE outside the array");
                }
            }
            1 if shift == 0 && entries >= 2 => {
                if let Some(w) = sq.next_wide() {
                    let a = w.sqe as usize;
                    assert!(a >= lo && a + 128 <= hi, "wide SQE outside the array");
                    if let Some(p) = w.pad {
                        assert!((p as usize) >= lo && (p as usize) + 64 <= hi);
                    }
                }
            }
            2 => {
                let _ = sq.flush();
            }
            3 => {
                // The "kernel" consumes some, or forges its head.
                // SAFETY: `sh` points into `sidx`, alive; no other access now.
                unsafe { *sh = (*sh).wrapping_add(u32::from(b.u8() % 4)) };
            }
            _ => {
                let mut c = sq.cursor();
                for _ in 0..(op >> 4) {
                    match c.next_sqe() {
                        Some(p) => {
                            let a = p as usize;
                            assert!(a >= lo && a + step <= hi, "cursor SQE outside the array");
                        }
                        None => break,
                    }
                }
            }
        }
        assert!(sq.space_left() <= entries);
    }
});
