//! Model-based property tests of `bare_uring::queue` over in-memory rings.
//!
//! No kernel: the test owns the shared indices (`AtomicU32`s on the heap),
//! the SQE array and the CQE array, and plays the kernel's part itself
//! (consumes SQEs by advancing the SQ head, posts CQEs by writing entries
//! and advancing the CQ tail). Random operation sequences are checked
//! against a plain reference model (`VecDeque`s) after every step:
//!
//! - `model_matches`: well-behaved kernel. Every hand-out, count, flush,
//!   peek, batch and advance matches the model; nothing unconsumed is ever
//!   overwritten; every CQE leaves the ring exactly once, in order.
//!   Ring sizes 1..=4096, 64- and 128-byte SQEs with 128-byte pairs
//!   (`next_wide`, SQE_MIXED), plain, CQE32 and CQE_MIXED completion rings,
//!   start indices near `u32::MAX` so the counters wrap.
//! - `bogus_kernel_values_never_panic_or_go_out_of_bounds`: the "kernel"
//!   writes arbitrary heads, tails and CQE flags. The library may report
//!   nonsense counts, but never panics, never hands out or reads a slot
//!   outside the arrays (guard entries around the CQE array carry a canary
//!   that must never come back), and keeps the documented formulas.
//! - `rewind_restarts_each_batch_at_slot_zero`: IORING_SETUP_SQ_REWIND.
//! - `regression_*`: minimal failing cases found, pinned as plain tests.
//!
//! Case count: `PROPTEST_CASES` (default 1000 per property, 4 under
//! Miri), sequences of up to 300 operations (200 for the bogus-value
//! property; a third of that and rings up to 64 entries under Miri). Run: `cargo test --test queue_model`; under Miri (Stacked
//! Borrows over the raw-pointer rings): `bash .ci/miri.sh`.

use bare_uring::queue::{self, CqPtrs, CqRing, RawCqe, SqPtrs, SqRing};
use bare_uring_sys::{io_uring_cqe, io_uring_sqe, IORING_CQE_F_32, IORING_CQE_F_SKIP};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};

/// Guard units on each side of the CQE array.
const GUARD: usize = 4;
/// Written into the guard units; never a value the in-ring entries carry.
const CANARY: u64 = 0xC0DE_DEAD_BEEF_C0DE;
/// Tag on the user_data of SQ padding NOPs (never completed).
const PAD_TAG: u64 = 1 << 63;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        // Under Miri (about 1000x slower) a handful of sequences.
        .unwrap_or(if cfg!(miri) { 4 } else { 1000 })
}

/// Case count from `PROPTEST_CASES`; no regression files in the tree
/// (failures found so far are pinned as plain tests instead).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A cheap mixing function to derive CQE fields from user_data.
fn mix(x: u64) -> u64 {
    let x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 29)
}

// ---------------------------------------------------------------------------
// Memory the test owns.

/// Test memory reached only through raw pointers: a `Box<[T]>` turned into
/// a raw pointer, freed on drop. (A `Box` field is retagged as unique each
/// time its owner moves, which under Stacked Borrows invalidates the raw
/// pointers the rings hold into it: Miri reported exactly that.)
struct RawMem<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> RawMem<T> {
    fn new(b: Box<[T]>) -> Self {
        let len = b.len();
        RawMem {
            ptr: Box::into_raw(b).cast::<T>(),
            len,
        }
    }

    /// Element `i`, which must be in bounds.
    fn at(&self, i: usize) -> *mut T {
        assert!(i < self.len, "test memory index {i} out of bounds");
        self.ptr.wrapping_add(i)
    }
}

impl<T> Drop for RawMem<T> {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` came from `Box::into_raw` of a boxed slice of
        // `len` elements, freed only here; the rings using it are gone
        // (declared after it in every test).
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr, self.len)) });
    }
}

/// The four index words of an SQ or CQ ring (head, tail, flags,
/// dropped/overflow), indexable like an array.
struct Words(RawMem<AtomicU32>);

impl std::ops::Index<usize> for Words {
    type Output = AtomicU32;
    fn index(&self, i: usize) -> &AtomicU32 {
        // SAFETY: in bounds (`at` asserts); an `AtomicU32` may be shared
        // with the raw pointers the rings hold (interior mutability).
        unsafe { &*self.0.at(i) }
    }
}

/// Index words with head and tail at `start`, flags and dropped/overflow
/// zero.
fn index_words(start: u32) -> Words {
    Words(RawMem::new(Box::new([
        AtomicU32::new(start),
        AtomicU32::new(start),
        AtomicU32::new(0),
        AtomicU32::new(0),
    ])))
}

/// SQ memory: head, tail, flags, dropped + `entries << shift` SQE units.
struct MemSq {
    idx: Words,
    _sqes: RawMem<io_uring_sqe>,
    base: *mut io_uring_sqe,
    units: usize,
    entries: u32,
    shift: u32,
}

impl MemSq {
    fn new(entries: u32, shift: u32, start: u32) -> Self {
        let units = (entries as usize) << shift;
        let sqes: Box<[io_uring_sqe]> = (0..units).map(|_| io_uring_sqe::zeroed()).collect();
        let sqes = RawMem::new(sqes);
        let base = sqes.ptr;
        MemSq {
            idx: index_words(start),
            _sqes: sqes,
            base,
            units,
            entries,
            shift,
        }
    }

    fn ptrs(&self, rewind: bool) -> SqPtrs {
        SqPtrs {
            khead: self.idx[0].as_ptr(),
            ktail: self.idx[1].as_ptr(),
            kflags: self.idx[2].as_ptr(),
            kdropped: self.idx[3].as_ptr(),
            sqes: self.base,
            entries: self.entries,
            mask: self.entries - 1,
            shift: self.shift,
            rewind,
        }
    }

    fn ring(&self, rewind: bool) -> SqRing {
        // SAFETY: every pointer points into `self`, which outlives the ring
        // in every test (the ring is declared after it).
        unsafe { SqRing::new(self.ptrs(rewind)) }.expect("valid geometry")
    }

    fn khead(&self) -> u32 {
        self.idx[0].load(Ordering::Acquire)
    }

    fn set_khead(&self, v: u32) {
        // Release: as the kernel, after reading the consumed SQEs.
        self.idx[0].store(v, Ordering::Release)
    }

    fn ktail(&self) -> u32 {
        // Acquire: as the kernel, before reading the published SQEs.
        self.idx[1].load(Ordering::Acquire)
    }

    /// Unit offset of `p` in the SQE array, asserting it is in bounds and
    /// on a unit boundary.
    fn offset_of(&self, p: *mut io_uring_sqe) -> usize {
        let off = (p as usize).wrapping_sub(self.base as usize);
        let sz = std::mem::size_of::<io_uring_sqe>();
        assert_eq!(off % sz, 0, "SQE pointer not on a slot boundary");
        let unit = off / sz;
        assert!(unit < self.units, "SQE pointer out of bounds: unit {unit}");
        unit
    }

    /// Address of the SQE of `index` per io_uring(7): `(index & mask) << shift`.
    fn slot_ptr(&self, index: u32) -> *mut io_uring_sqe {
        let unit = ((index & (self.entries - 1)) as usize) << self.shift;
        self.base.wrapping_add(unit)
    }

    fn write_ud(&self, unit: usize, ud: u64) {
        assert!(unit < self.units);
        // SAFETY: in bounds (asserted); single-threaded test memory that
        // only raw pointers derived from `base` touch.
        unsafe { (*self.base.add(unit)).user_data = ud }
    }

    fn read_ud(&self, unit: usize) -> u64 {
        assert!(unit < self.units);
        // SAFETY: as in `write_ud`.
        unsafe { (*self.base.add(unit)).user_data }
    }
}

/// CQ memory: head, tail, flags, overflow + `entries << shift` 16-byte
/// units, with `GUARD` canary units before and after.
struct MemCq {
    idx: Words,
    _cqes: RawMem<[u64; 2]>,
    /// First in-ring unit (after the front guard).
    base: *mut io_uring_cqe,
    units: usize,
    entries: u32,
    shift: u32,
    mixed: bool,
}

impl MemCq {
    fn new(entries: u32, shift: u32, mixed: bool, start: u32) -> Self {
        let units = (entries as usize) << shift;
        let mut cqes: Box<[[u64; 2]]> = vec![[0u64; 2]; units + 2 * GUARD].into_boxed_slice();
        for g in (0..GUARD).chain(GUARD + units..2 * GUARD + units) {
            cqes[g] = [CANARY, CANARY];
        }
        let cqes = RawMem::new(cqes);
        let base = cqes.at(GUARD).cast::<io_uring_cqe>();
        MemCq {
            idx: index_words(start),
            _cqes: cqes,
            base,
            units,
            entries,
            shift,
            mixed,
        }
    }

    fn ring(&self) -> CqRing {
        let p = CqPtrs {
            khead: self.idx[0].as_ptr(),
            ktail: self.idx[1].as_ptr(),
            kflags: self.idx[2].as_ptr(),
            koverflow: self.idx[3].as_ptr(),
            cqes: self.base,
            entries: self.entries,
            mask: self.entries - 1,
            shift: self.shift,
            mixed: self.mixed,
        };
        // SAFETY: every pointer points into `self`, which outlives the ring.
        unsafe { CqRing::new(p) }.expect("valid geometry")
    }

    fn khead(&self) -> u32 {
        // Acquire: as the kernel, before reusing slots the consumer freed.
        self.idx[0].load(Ordering::Acquire)
    }

    fn ktail(&self) -> u32 {
        self.idx[1].load(Ordering::Relaxed)
    }

    fn set_ktail(&self, v: u32) {
        // Release: the CQE contents must be visible before the new tail.
        self.idx[1].store(v, Ordering::Release)
    }

    /// Writes one 16-byte unit at in-ring unit `unit`.
    fn write_unit(&self, unit: usize, ud: u64, res: i32, flags: u32) {
        assert!(unit < self.units);
        // SAFETY: in bounds (asserted); test memory touched only through
        // raw pointers derived from `base`, single thread.
        unsafe {
            let p = self.base.add(unit);
            (*p).user_data = ud;
            (*p).res = res;
            (*p).flags = flags;
        }
    }

    /// Writes the second 16 bytes of a 32-byte CQE at in-ring unit `unit`.
    fn write_extra(&self, unit: usize, extra: [u64; 2]) {
        assert!(unit < self.units);
        // SAFETY: as in `write_unit`; the unit is 16 bytes, 8-aligned.
        unsafe { self.base.add(unit).cast::<[u64; 2]>().write(extra) }
    }

    /// Whether `p` points at an in-ring unit.
    fn in_ring(&self, p: *const io_uring_cqe) -> bool {
        let off = (p as usize).wrapping_sub(self.base as usize);
        off & 15 == 0 && off / 16 < self.units
    }
}

// ---------------------------------------------------------------------------
// The reference model.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One 64-byte SQE (or one 128-byte SQE with shift 1).
    Normal,
    /// A 128-byte SQE over two 64-byte slots (next_wide).
    Wide,
    /// The padding slot next_wide returned (a NOP that posts no CQE).
    Pad,
}

#[derive(Debug, Clone, Copy)]
struct SqEntry {
    index: u32,
    slots: u32,
    ud: u64,
    kind: Kind,
}

#[derive(Debug, Clone, Copy)]
struct CqEntry {
    index: u32,
    slots: u32,
    /// A padding entry (IORING_CQE_F_SKIP in a mixed ring).
    pad: bool,
    raw: RawCqe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CqMode {
    /// 16-byte CQEs; IORING_CQE_F_32/F_SKIP are plain data.
    Plain,
    /// IORING_SETUP_CQE32: every CQE 32 bytes (shift 1).
    Big32,
    /// IORING_SETUP_CQE_MIXED: 16/32-byte CQEs and padding.
    Mixed,
}

struct World {
    msq: MemSq,
    mcq: MemCq,
    sq: SqRing,
    cq: CqRing,
    mode: CqMode,
    // SQ model
    khead: u32,
    published: u32,
    tail: u32,
    sq_out: VecDeque<SqEntry>,
    // Kernel: consumed SQEs whose CQE is not posted yet (NODROP backlog).
    backlog: VecDeque<(u64, bool)>,
    // CQ model
    cq_head: u32,
    cq_tail: u32,
    cq_in: VecDeque<CqEntry>,
    // Bookkeeping
    next_ud: u64,
    submitted: Vec<u64>,
    /// user_data of CQEs that left the ring (seen or discarded), in order.
    reaped: Vec<u64>,
}

impl World {
    fn new(cfg: &Cfg) -> Self {
        let (msq, mcq) = cfg.memory();
        let sq = msq.ring(false);
        let cq = mcq.ring();
        World {
            sq,
            cq,
            msq,
            mcq,
            mode: cfg.cq_mode,
            khead: cfg.sq_start,
            published: cfg.sq_start,
            tail: cfg.sq_start,
            sq_out: VecDeque::new(),
            backlog: VecDeque::new(),
            cq_head: cfg.cq_start,
            cq_tail: cfg.cq_start,
            cq_in: VecDeque::new(),
            next_ud: 1,
            submitted: Vec::new(),
            reaped: Vec::new(),
        }
    }

    fn sq_entries(&self) -> u32 {
        self.msq.entries
    }

    fn cq_entries(&self) -> u32 {
        self.mcq.entries
    }

    fn sq_used(&self) -> u32 {
        self.tail.wrapping_sub(self.khead)
    }

    fn cq_used(&self) -> u32 {
        self.cq_tail.wrapping_sub(self.cq_head)
    }

    fn fresh_ud(&mut self) -> u64 {
        let ud = self.next_ud;
        self.next_ud += 1;
        ud
    }

    /// Records a 1-slot SQE handed out at `p`: checks the slot, writes
    /// its markers, updates the model.
    fn take_normal(&mut self, p: *mut io_uring_sqe) {
        assert!(self.sq_used() < self.sq_entries(), "handed out a full SQ");
        assert_eq!(p, self.msq.slot_ptr(self.tail), "wrong SQE slot");
        let unit = self.msq.offset_of(p);
        let ud = self.fresh_ud();
        self.msq.write_ud(unit, ud);
        if self.msq.shift == 1 {
            // The second 64 bytes of a 128-byte SQE: a marker to catch overlap.
            self.msq.write_ud(unit + 1, !ud);
        }
        self.hand_out(1, ud, Kind::Normal);
        self.submitted.push(ud);
    }

    /// Records `slots` slots from the model's tail as handed out to `ud`.
    fn hand_out(&mut self, slots: u32, ud: u64, kind: Kind) {
        self.sq_out.push_back(SqEntry {
            index: self.tail,
            slots,
            ud,
            kind,
        });
        self.tail = self.tail.wrapping_add(slots);
    }

    fn sqe_intact(&self, e: &SqEntry) -> bool {
        let unit = self.msq.offset_of(self.msq.slot_ptr(e.index));
        let first = self.msq.read_ud(unit);
        match e.kind {
            Kind::Pad => first == e.ud | PAD_TAG,
            Kind::Normal if self.msq.shift == 1 => {
                first == e.ud && self.msq.read_ud(unit + 1) == !e.ud
            }
            Kind::Normal => first == e.ud,
            Kind::Wide => first == e.ud && self.msq.read_ud(unit + 1) == !e.ud,
        }
    }

    /// Every count the library reports agrees with the model, and no SQE
    /// the kernel has not consumed was overwritten.
    fn check(&self) {
        let used = self.sq_used();
        assert!(used <= self.sq_entries());
        assert_eq!(self.sq.head(), self.khead, "sq head");
        assert_eq!(self.sq.sqe_tail(), self.tail, "sqe_tail");
        assert_eq!(self.sq.ready(), used, "sq_ready");
        assert_eq!(self.sq.space_left(), self.sq_entries() - used, "space_left");
        assert_eq!(
            self.sq.unflushed(),
            self.tail.wrapping_sub(self.published),
            "unflushed"
        );
        assert_eq!(self.msq.ktail(), self.published, "published tail");
        let mut idx = self.khead;
        for e in &self.sq_out {
            assert_eq!(e.index, idx, "model SQ entries contiguous");
            idx = idx.wrapping_add(e.slots);
            assert!(self.sqe_intact(e), "unconsumed SQE overwritten: {e:?}");
        }
        assert_eq!(idx, self.tail);

        let cused = self.cq_used();
        assert!(cused <= self.cq_entries(), "kernel overfilled the CQ");
        assert_eq!(self.cq.head(), self.cq_head, "cq head");
        assert_eq!(self.mcq.khead(), self.cq_head, "cq head in memory");
        assert_eq!(self.cq.tail(), self.cq_tail, "cq tail");
        assert_eq!(self.cq.ready(), cused, "cq_ready");
        assert_eq!(queue::ready(self.cq_tail, self.cq_head), cused);
        let slots: u32 = self.cq_in.iter().map(|e| e.slots).sum();
        assert_eq!(slots, cused);
    }

    // -- SQ side ------------------------------------------------------------

    fn get(&mut self, n: u32) {
        for _ in 0..n {
            let full = self.sq_used() == self.sq_entries();
            match self.sq.next_sqe() {
                Some(p) => self.take_normal(p),
                None => {
                    assert!(full, "next_sqe refused with {} in use", self.sq_used());
                    break;
                }
            }
        }
    }

    /// SQEs from a cursor; after `at` of them the kernel consumes `k`
    /// (while the cursor is alive, so its cached free count is stale).
    fn get_cursor(&mut self, n: u32, at: u32, k: u32) {
        let mut got = Vec::new();
        let mut tail = self.tail;
        let mut khead = self.khead;
        {
            let mut c = self.sq.cursor();
            for i in 0..n {
                if i == at {
                    // The kernel consumes published SQEs (memory only).
                    let avail = self.published.wrapping_sub(khead);
                    let mut freed = 0;
                    for e in self.sq_out.iter() {
                        if freed + e.slots > avail.min(k) {
                            break;
                        }
                        freed += e.slots;
                    }
                    khead = khead.wrapping_add(freed);
                    self.msq.set_khead(khead);
                }
                let full = tail.wrapping_sub(khead) == self.msq.entries;
                match c.next_sqe() {
                    Some(p) => {
                        assert!(!full, "cursor handed out a slot of a full SQ");
                        got.push(p);
                        tail = tail.wrapping_add(1);
                    }
                    None => {
                        assert!(full, "cursor refused a non-full SQ");
                        break;
                    }
                }
            }
        }
        // Apply the kernel's consumption to the model, then the hand-outs.
        self.consume_model_to(khead);
        for p in got {
            self.take_normal(p);
        }
    }

    /// `reserve(n)` from a cursor: refused exactly when fewer than `n`
    /// slots are free; else `n` slots, of which the first `k` are taken
    /// before the reservation is dropped (or leaked, which hands out at
    /// most those).
    fn get_reserved(&mut self, n: u32, k: u32, leak: bool) {
        let free = self.sq_entries() - self.sq_used();
        let before = self.sq.sqe_tail();
        let mut got = Vec::new();
        {
            let mut c = self.sq.cursor();
            let Some(mut r) = c.reserve(n) else {
                assert!(n > free, "reserve({n}) refused with {free} free");
                drop(c);
                assert_eq!(self.sq.sqe_tail(), before, "a refusal moved the tail");
                return;
            };
            assert!(n <= free, "reserve({n}) granted with {free} free");
            assert_eq!(r.len(), n as usize);
            for _ in 0..k.min(n) {
                got.push(r.next().expect("a reserved slot"));
            }
            assert_eq!(r.len(), (n - k.min(n)) as usize);
            if k >= n {
                assert!(r.next().is_none(), "more than {n} slots");
            }
            if leak {
                std::mem::forget(r);
            }
        }
        let handed = self.sq.sqe_tail().wrapping_sub(before) as usize;
        if leak {
            assert!(handed <= got.len(), "a leak handed out unyielded slots");
        } else {
            assert_eq!(handed, got.len(), "handed out other than what was yielded");
        }
        for p in got.into_iter().take(handed) {
            self.take_normal(p);
        }
    }

    fn get_wide(&mut self) {
        let entries = self.sq_entries();
        let mask = entries - 1;
        let last = self.tail & mask == mask;
        let need = if last { 3 } else { 2 };
        let fits = self.sq_used() + need <= entries;
        let r = self.sq.next_wide();
        let Some(w) = r else {
            assert!(!fits, "next_wide refused with {} in use", self.sq_used());
            return;
        };
        assert!(fits, "next_wide overfilled the SQ");
        if last {
            let pad = w.pad.expect("pad slot expected on the last slot");
            assert_eq!(pad, self.msq.slot_ptr(self.tail));
            let unit = self.msq.offset_of(pad);
            let ud = self.fresh_ud();
            self.msq.write_ud(unit, ud | PAD_TAG);
            self.hand_out(1, ud, Kind::Pad);
        } else {
            assert!(w.pad.is_none(), "unexpected pad");
        }
        if last {
            assert_eq!(self.tail & mask, 0, "the pair after a pad starts at slot 0");
        }
        assert_eq!(w.sqe, self.msq.slot_ptr(self.tail));
        let unit = self.msq.offset_of(w.sqe);
        assert!(unit + 1 < self.msq.units, "wide SQE split at the ring end");
        let ud = self.fresh_ud();
        self.msq.write_ud(unit, ud);
        self.msq.write_ud(unit + 1, !ud);
        self.hand_out(2, ud, Kind::Wide);
        self.submitted.push(ud);
    }

    fn flush(&mut self) {
        let r = self.sq.flush();
        self.published = self.tail;
        assert_eq!(r, self.sq_used(), "flush's return");
    }

    /// Pops model entries the kernel consumed up to `khead` (memory was
    /// already updated): they go to the completion backlog.
    fn consume_model_to(&mut self, khead: u32) {
        while self.khead != khead {
            let e = self.sq_out.pop_front().expect("consumed beyond model");
            assert_eq!(e.index, self.khead);
            assert!(self.sqe_intact(&e), "kernel read a clobbered SQE {e:?}");
            self.khead = self.khead.wrapping_add(e.slots);
            if e.kind != Kind::Pad {
                let big = match self.mode {
                    CqMode::Plain => false,
                    CqMode::Big32 => true,
                    CqMode::Mixed => e.kind == Kind::Wide || mix(e.ud) & 3 == 0,
                };
                self.backlog.push_back((e.ud, big));
            }
        }
    }

    /// The kernel consumes up to `k` published SQEs.
    fn consume(&mut self, k: u32) {
        let tail = self.msq.ktail();
        assert_eq!(tail, self.published);
        let mut khead = self.msq.khead();
        for e in self.sq_out.iter().take(k as usize) {
            if queue::ready(tail, e.index) < e.slots {
                break; // not published
            }
            khead = khead.wrapping_add(e.slots);
        }
        self.msq.set_khead(khead);
        self.consume_model_to(khead);
    }

    // -- CQ side (the kernel posts) -----------------------------------------

    /// The kernel posts up to `n` CQEs from its backlog, as many as fit.
    fn post(&mut self, n: u32) {
        let entries = self.cq_entries();
        let mask = entries - 1;
        let shift = self.mcq.shift;
        for _ in 0..n {
            let Some(&(ud, big)) = self.backlog.front() else {
                break;
            };
            let head = self.mcq.khead();
            // A 1-slot mixed ring cannot hold a 32-byte CQE: post it small.
            let big = big && (self.mode != CqMode::Mixed || entries >= 2);
            let wide = self.mode == CqMode::Mixed && big;
            if wide && self.cq_tail & mask == mask {
                // A 32-byte CQE never spans the ring's end: pad the last
                // slot with a skip entry first (when that slot is free).
                if self.cq_tail.wrapping_sub(head) + 1 > entries {
                    break;
                }
                let unit = (self.cq_tail & mask) as usize;
                self.mcq.write_unit(unit, 0, 0, IORING_CQE_F_SKIP);
                self.cq_in.push_back(CqEntry {
                    index: self.cq_tail,
                    slots: 1,
                    pad: true,
                    raw: RawCqe {
                        user_data: 0,
                        res: 0,
                        flags: IORING_CQE_F_SKIP,
                        big: false,
                        extra: [0; 2],
                        nr: 1,
                    },
                });
                self.cq_tail = self.cq_tail.wrapping_add(1);
            }
            let used = self.cq_tail.wrapping_sub(head);
            if used + 1 + u32::from(wide) > entries {
                break; // CQ full: stays in the backlog (NODROP)
            }
            self.backlog.pop_front();
            let h = mix(ud);
            let res = (h >> 7) as i32;
            let flags = match self.mode {
                // Plain and CQE32 rings: any flag bits are data.
                CqMode::Plain | CqMode::Big32 => (h >> 32) as u32,
                CqMode::Mixed => {
                    ((h >> 32) as u32 & !(IORING_CQE_F_32 | IORING_CQE_F_SKIP))
                        | if big { IORING_CQE_F_32 } else { 0 }
                }
            };
            let extra = if big {
                [mix(ud ^ 1), mix(ud ^ 2)]
            } else {
                [0; 2]
            };
            let unit = ((self.cq_tail & mask) as usize) << shift;
            self.mcq.write_unit(unit, ud, res, flags);
            if big {
                self.mcq.write_extra(unit + 1, extra);
            }
            let slots = if wide { 2 } else { 1 };
            self.cq_in.push_back(CqEntry {
                index: self.cq_tail,
                slots,
                pad: false,
                raw: RawCqe {
                    user_data: ud,
                    res,
                    flags,
                    big,
                    extra,
                    nr: slots,
                },
            });
            self.cq_tail = self.cq_tail.wrapping_add(slots);
        }
        self.mcq.set_ktail(self.cq_tail);
    }

    // -- CQ side (we reap) --------------------------------------------------

    fn pop_cq(&mut self) -> CqEntry {
        let e = self.cq_in.pop_front().expect("reaped beyond model");
        assert_eq!(e.index, self.cq_head);
        self.cq_head = self.cq_head.wrapping_add(e.slots);
        if !e.pad {
            self.reaped.push(e.raw.user_data);
        }
        e
    }

    /// Peek (read at head) + seen, up to `n` CQEs; padding is consumed on
    /// the way as liburing's peek does.
    fn peek(&mut self, n: u32) {
        let mut seen = 0;
        while seen < n {
            let ready = self.cq.ready();
            assert_eq!(ready, self.cq_used());
            if ready == 0 {
                break;
            }
            let head = self.cq.head();
            assert!(self.mcq.in_ring(self.cq.at(head)));
            // SAFETY: head is in [head, tail) with the tail just read.
            let c = unsafe { self.cq.read(head) };
            let e = self.pop_cq();
            assert_eq!(c, e.raw, "peeked CQE at {head}");
            // Padding only exists in mixed rings; elsewhere the flag bit
            // is data (the kernel never sets it there).
            assert_eq!(e.pad, self.mode == CqMode::Mixed && c.is_skip());
            self.cq.advance(c.nr.min(ready));
            if !e.pad {
                seen += 1;
            }
        }
    }

    /// A batch: iterate up to `max` CQEs, then advance by `consumed()`.
    fn batch(&mut self, max: u32) {
        self.batch_with_posts(max, 0)
    }

    /// A batch: iterate up to `max` CQEs while the kernel posts up to
    /// `mid` more (the snapshot must not see them), then advance by
    /// `consumed()`.
    fn batch_with_posts(&mut self, max: u32, mid: u32) {
        let snap = self.cq_used();
        // The batch borrows only `self.cq`; the kernel below writes memory
        // through `self.mcq`.
        let mut b = self.cq.batch();
        assert_eq!(b.remaining(), snap);
        assert_eq!(b.consumed(), 0);
        assert_eq!(b.size_hint().1, Some(snap as usize));
        let mut got = Vec::new();
        let mut ended = false;
        // Posting while the batch is alive: a minimal kernel writing one
        // more Plain/Big32/Mixed 16-byte CQE per step into free slots.
        let mut extra_posted: Vec<CqEntry> = Vec::new();
        let mut tail = self.cq_tail;
        let entries = self.mcq.entries;
        let mask = entries - 1;
        while (got.len() as u32) < max {
            if (extra_posted.len() as u32) < mid {
                let head = self.mcq.khead();
                if tail.wrapping_sub(head) < entries {
                    if let Some((ud, _)) = self.backlog.pop_front() {
                        let unit = ((tail & mask) as usize) << self.mcq.shift;
                        let big = self.mode == CqMode::Big32;
                        let extra = if big { [mix(ud), !ud] } else { [0; 2] };
                        self.mcq.write_unit(unit, ud, -1, 0);
                        if big {
                            self.mcq.write_extra(unit + 1, extra);
                        }
                        extra_posted.push(CqEntry {
                            index: tail,
                            slots: 1,
                            pad: false,
                            raw: RawCqe {
                                user_data: ud,
                                res: -1,
                                flags: 0,
                                big,
                                extra,
                                nr: 1,
                            },
                        });
                        tail = tail.wrapping_add(1);
                        self.mcq.set_ktail(tail);
                    }
                }
            }
            match b.next() {
                Some(c) => got.push(c),
                None => {
                    ended = true;
                    assert!(b.next().is_none(), "batch not fused");
                    break;
                }
            }
        }
        assert_eq!(b.consumed() + b.remaining(), snap, "snapshot moved");
        let consumed = b.consumed();
        self.cq_tail = tail;
        self.cq_in.extend(extra_posted);
        let start = self.cq_head;
        for c in got {
            let mut e = self.pop_cq();
            while e.pad {
                e = self.pop_cq();
            }
            assert_eq!(c, e.raw, "batched CQE");
        }
        if ended {
            while self.cq_head.wrapping_sub(start) < snap {
                let e = self.pop_cq();
                assert!(e.pad, "batch ended before a real CQE");
            }
        }
        assert_eq!(consumed, self.cq_head.wrapping_sub(start), "consumed()");
        assert!(consumed <= snap, "batch passed the snapshot tail");
        self.cq.advance(consumed);
    }

    /// Advance over `k` CQEs without reading them (their padding too).
    fn discard(&mut self, k: u32) {
        let start = self.cq_head;
        for _ in 0..k {
            if self.cq_in.is_empty() {
                break;
            }
            let e = self.pop_cq();
            if e.pad {
                if self.cq_in.is_empty() {
                    break;
                }
                self.pop_cq();
            }
        }
        self.cq.advance(self.cq_head.wrapping_sub(start));
    }

    /// Flush, consume, post and reap until everything submitted is reaped.
    fn drain(&mut self) {
        // Each round reaps at least one CQE while any is outstanding.
        for _ in 0..=2 * self.submitted.len() + 2 {
            self.flush();
            self.consume(u32::MAX);
            self.post(u32::MAX);
            self.check();
            self.batch(u32::MAX);
            self.check();
            if self.sq_out.is_empty() && self.backlog.is_empty() && self.cq_in.is_empty() {
                break;
            }
        }
        assert_eq!(self.cq.ready(), 0);
        assert_eq!(self.sq.ready(), 0);
        // Every CQE exactly once, in order (reported compactly).
        let first_diff = self
            .reaped
            .iter()
            .zip(&self.submitted)
            .position(|(a, b)| a != b);
        assert!(
            first_diff.is_none() && self.reaped.len() == self.submitted.len(),
            "reaped {} of {} CQEs, first difference at {:?}",
            self.reaped.len(),
            self.submitted.len(),
            first_diff
        );
    }
}

// ---------------------------------------------------------------------------
// Strategies.

#[derive(Debug, Clone)]
struct Cfg {
    sq_log: u32,
    cq_log: u32,
    sq_shift: u32,
    cq_mode: CqMode,
    sq_start: u32,
    cq_start: u32,
}

impl Cfg {
    /// Fresh SQ and CQ memory of this geometry, indices at their starts.
    fn memory(&self) -> (MemSq, MemCq) {
        let msq = MemSq::new(1u32 << self.sq_log, self.sq_shift, self.sq_start);
        let (cq_shift, mixed) = match self.cq_mode {
            CqMode::Plain => (0, false),
            CqMode::Big32 => (1, false),
            CqMode::Mixed => (0, true),
        };
        let mcq = MemCq::new(1u32 << self.cq_log, cq_shift, mixed, self.cq_start);
        (msq, mcq)
    }
}

/// A start index: mostly a little below `u32::MAX` (so the counters wrap
/// within a few operations), sometimes anywhere.
fn start(entries: u32) -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => (0..=3 * entries).prop_map(|d| u32::MAX - d),
        1 => any::<u32>(),
        1 => Just(0u32),
    ]
}

/// Largest ring: 4096 entries (64 under Miri, where every step of the
/// model check over a big ring costs seconds; wrapping is still covered by
/// the start indices).
const MAX_LOG: u32 = if cfg!(miri) { 6 } else { 12 };
/// Operations per sequence (fewer under Miri).
const MAX_OPS: usize = if cfg!(miri) { 100 } else { 300 };

fn cfg() -> impl Strategy<Value = Cfg> {
    (
        0u32..=MAX_LOG,
        0u32..=MAX_LOG,
        0u32..=1,
        prop_oneof![
            Just(CqMode::Plain),
            Just(CqMode::Big32),
            Just(CqMode::Mixed)
        ],
    )
        .prop_flat_map(|(sq_log, cq_log, sq_shift, cq_mode)| {
            (start(1 << sq_log), start(1 << cq_log)).prop_map(move |(sq_start, cq_start)| Cfg {
                sq_log,
                cq_log,
                sq_shift,
                cq_mode,
                sq_start,
                cq_start,
            })
        })
}

/// A count: small, or (`big`) scaled to the ring so it fills or drains it.
#[derive(Debug, Clone, Copy)]
struct Count {
    big: bool,
    n: u32,
}

impl Count {
    fn of(self, entries: u32) -> u32 {
        if self.big {
            // Up to a bit more than the ring holds.
            self.n % (entries + 3)
        } else {
            self.n % 9
        }
    }
}

fn count() -> impl Strategy<Value = Count> {
    (prop::bool::weighted(0.2), any::<u32>()).prop_map(|(big, n)| Count { big, n })
}

#[derive(Debug, Clone)]
enum Op {
    Get(Count),
    Cursor(Count, u32, Count),
    Reserve(Count, Count, bool),
    Wide,
    Flush,
    Consume(Count),
    Post(Count),
    Peek(Count),
    Batch(Count),
    BatchLive(Count, Count),
    Discard(Count),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => count().prop_map(Op::Get),
        2 => (count(), any::<u32>(), count()).prop_map(|(a, b, c)| Op::Cursor(a, b, c)),
        2 => (count(), count(), any::<bool>()).prop_map(|(a, b, c)| Op::Reserve(a, b, c)),
        2 => Just(Op::Wide),
        3 => Just(Op::Flush),
        3 => count().prop_map(Op::Consume),
        3 => count().prop_map(Op::Post),
        2 => count().prop_map(Op::Peek),
        2 => count().prop_map(Op::Batch),
        1 => (count(), count()).prop_map(|(a, b)| Op::BatchLive(a, b)),
        1 => count().prop_map(Op::Discard),
    ]
}

fn run(cfg: &Cfg, ops: &[Op]) {
    let mut w = World::new(cfg);
    w.check();
    let se = w.sq_entries();
    let ce = w.cq_entries();
    for op in ops {
        match *op {
            Op::Get(n) => w.get(n.of(se)),
            Op::Cursor(n, at, k) => {
                let n = n.of(se);
                w.get_cursor(n, at % (n + 1), k.of(se))
            }
            Op::Reserve(n, k, leak) => w.get_reserved(n.of(se), k.of(se), leak),
            // 128-byte pairs exist only in rings of 64-byte SQEs.
            Op::Wide if w.msq.shift == 0 => w.get_wide(),
            Op::Wide => w.get(1),
            Op::Flush => w.flush(),
            Op::Consume(k) => w.consume(k.of(se)),
            Op::Post(n) => w.post(n.of(ce)),
            Op::Peek(n) => w.peek(n.of(ce)),
            Op::Batch(m) => w.batch(m.of(ce)),
            Op::BatchLive(m, mid) => w.batch_with_posts(m.of(ce), mid.of(ce)),
            Op::Discard(k) => w.discard(k.of(ce)),
        }
        w.check();
    }
    w.drain();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn model_matches(cfg in cfg(), ops in prop::collection::vec(op(), 0..=MAX_OPS)) {
        run(&cfg, &ops);
    }
}

// ---------------------------------------------------------------------------
// Bogus kernel values.

#[derive(Debug, Clone)]
enum BogusOp {
    /// The "kernel" stores any value as the SQ head.
    SqHead(u32),
    /// ... moves the SQ head by a signed amount.
    SqHeadBy(i32),
    /// ... stores any value as the CQ tail.
    CqTail(u32),
    /// ... moves the CQ tail by a signed amount.
    CqTailBy(i32),
    /// ... writes a CQE with arbitrary fields at an in-ring slot.
    Garbage(u32, u64, u32),
    Get(u16),
    Cursor(u16),
    Reserve(u16, u16),
    Wide,
    Flush,
    Peek(u16),
    Batch(u16),
    Advance(u32),
}

fn bogus_op() -> impl Strategy<Value = BogusOp> {
    let flags = prop_oneof![
        Just(IORING_CQE_F_32),
        Just(IORING_CQE_F_SKIP),
        Just(IORING_CQE_F_32 | IORING_CQE_F_SKIP),
        any::<u32>(),
    ];
    prop_oneof![
        any::<u32>().prop_map(BogusOp::SqHead),
        any::<i32>().prop_map(BogusOp::SqHeadBy),
        (-20i32..20).prop_map(BogusOp::SqHeadBy),
        any::<u32>().prop_map(BogusOp::CqTail),
        any::<i32>().prop_map(BogusOp::CqTailBy),
        (-20i32..20).prop_map(BogusOp::CqTailBy),
        (any::<u32>(), any::<u64>(), flags).prop_map(|(s, u, f)| BogusOp::Garbage(s, u, f)),
        (0u16..40).prop_map(BogusOp::Get),
        (0u16..40).prop_map(BogusOp::Cursor),
        (0u16..40, 0u16..40).prop_map(|(n, k)| BogusOp::Reserve(n, k)),
        Just(BogusOp::Wide),
        Just(BogusOp::Flush),
        (0u16..40).prop_map(BogusOp::Peek),
        (0u16..40).prop_map(BogusOp::Batch),
        any::<u32>().prop_map(BogusOp::Advance),
        (0u32..10).prop_map(BogusOp::Advance),
    ]
}

/// What the library documents for any index values: `ready` is the
/// wrapping difference, `space_left` saturates at 0 (never above
/// `entries`), and every slot is inside the arrays.
fn check_formulas(sq: &SqRing, msq: &MemSq, cq: &CqRing, mcq: &MemCq) {
    let head = msq.khead();
    let r = sq.sqe_tail().wrapping_sub(head);
    assert_eq!(sq.ready(), r);
    assert_eq!(sq.space_left(), msq.entries.saturating_sub(r));
    assert!(sq.space_left() <= msq.entries);
    let cr = mcq.ktail().wrapping_sub(cq.head());
    assert_eq!(cq.ready(), cr);
}

fn assert_no_canary(c: &RawCqe) {
    assert_ne!(c.user_data, CANARY, "read before/after the CQE array");
    assert_ne!(c.extra[0], CANARY, "read after the CQE array");
    assert_ne!(c.extra[1], CANARY, "read after the CQE array");
}

fn run_bogus(cfg: &Cfg, ops: &[BogusOp]) {
    let (msq, mcq) = cfg.memory();
    let (cq_entries, cq_shift, mixed) = (mcq.entries, mcq.shift, mcq.mixed);
    let mut sq = msq.ring(false);
    let cq = mcq.ring();
    // Bound on iterations: a tail that jumped by ~2^32 must not make the
    // test itself run for hours; the library bounds each step anyway.
    let bound = 3 * cq_entries as usize + 8;
    for op in ops {
        match *op {
            BogusOp::SqHead(v) => msq.set_khead(v),
            BogusOp::SqHeadBy(d) => msq.set_khead(msq.khead().wrapping_add_signed(d)),
            BogusOp::CqTail(v) => mcq.set_ktail(v),
            BogusOp::CqTailBy(d) => mcq.set_ktail(mcq.ktail().wrapping_add_signed(d)),
            BogusOp::Garbage(s, ud, flags) => {
                let unit = (s as usize) % mcq.units;
                let ud = if ud == CANARY { 0 } else { ud };
                mcq.write_unit(unit, ud, ud as i32, flags);
            }
            BogusOp::Get(n) => {
                for _ in 0..n {
                    let before = sq.space_left();
                    match sq.next_sqe() {
                        Some(p) => {
                            msq.offset_of(p);
                        }
                        None => {
                            assert_eq!(before, 0, "refused with space_left {before}");
                            break;
                        }
                    }
                }
            }
            BogusOp::Cursor(n) => {
                let mut c = sq.cursor();
                for _ in 0..n {
                    match c.next_sqe() {
                        Some(p) => {
                            msq.offset_of(p);
                        }
                        None => break,
                    }
                }
            }
            BogusOp::Reserve(n, k) => {
                let mut c = sq.cursor();
                if let Some(r) = c.reserve(n as u32) {
                    assert!(
                        n as u32 <= msq.entries,
                        "reserved {n} slots of a {}-slot SQ",
                        msq.entries
                    );
                    for p in r.take(k as usize) {
                        msq.offset_of(p);
                    }
                };
            }
            BogusOp::Wide => {
                if let Some(w) = sq.next_wide() {
                    if let Some(p) = w.pad {
                        msq.offset_of(p);
                    }
                    let u = msq.offset_of(w.sqe);
                    assert!(u + 1 < msq.units, "wide SQE split at the ring end");
                }
            }
            BogusOp::Flush => {
                let r = sq.flush();
                assert_eq!(msq.ktail(), sq.sqe_tail());
                assert_eq!(r, sq.sqe_tail().wrapping_sub(msq.khead()));
            }
            BogusOp::Peek(n) => {
                for _ in 0..n {
                    let ready = cq.ready();
                    if ready == 0 {
                        break;
                    }
                    let head = cq.head();
                    assert!(mcq.in_ring(cq.at(head)));
                    // SAFETY: the memory is ours and in bounds whatever the
                    // indices say (the contract's concern is data races
                    // with a real kernel; this "kernel" is not running).
                    let c = unsafe { cq.read(head) };
                    assert_no_canary(&c);
                    assert!(c.nr == 1 || c.nr == 2);
                    assert!(c.nr == 1 || mixed, "nr 2 outside a mixed ring");
                    assert!(!c.big || mixed || cq_shift == 1);
                    cq.advance(c.nr.min(ready));
                    assert_eq!(
                        cq.head(),
                        head.wrapping_add(c.nr.min(ready)),
                        "advance moved the head by what it was given"
                    );
                }
            }
            BogusOp::Batch(n) => {
                // A batch never counts or yields more than `entries`: other
                // rings clamp a corrupt tail to `entries` ahead of the head;
                // a plain ring's batch ends at the end of the CQE array when
                // the tail claims more than one ring.
                let ready = cq.ready();
                let snap = ready.min(cq_entries);
                let plain = !mixed && cq_shift == 0;
                // What a plain ring's batch yields in all: the snapshot, or
                // with a corrupt tail, the run to the array's end.
                let head_slot = cq.head() & (cq_entries - 1);
                let yields = if plain && ready > cq_entries {
                    cq_entries - head_slot
                } else {
                    snap
                };
                let mut b = cq.batch();
                assert_eq!(b.remaining(), snap);
                assert_eq!(b.size_hint().1, Some(snap as usize));
                let mut k = 0;
                while k < (n as usize).min(bound) {
                    let Some(c) = b.next() else { break };
                    assert_no_canary(&c);
                    assert!(!c.is_skip() || !mixed, "skip entry yielded");
                    k += 1;
                    if yields == snap {
                        assert_eq!(
                            b.consumed().wrapping_add(b.remaining()),
                            snap,
                            "cursor left [head, tail]"
                        );
                    } else {
                        assert!(b.consumed() + b.remaining() <= snap);
                    }
                    assert!(b.consumed() <= snap, "batch passed the tail");
                }
                if !mixed {
                    assert_eq!(k as u64, u64::from(yields).min(n as u64).min(bound as u64));
                }
                let consumed = b.consumed();
                let head = cq.head();
                cq.advance(consumed);
                assert_eq!(cq.head(), head.wrapping_add(consumed));
            }
            BogusOp::Advance(k) => {
                let head = cq.head();
                cq.advance(k);
                assert_eq!(cq.head(), head.wrapping_add(k));
            }
        }
        check_formulas(&sq, &msq, &cq, &mcq);
        for u in 0..mcq.entries {
            assert!(mcq.in_ring(cq.at(cq.head().wrapping_add(u))));
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bogus_kernel_values_never_panic_or_go_out_of_bounds(
        cfg in cfg(),
        ops in prop::collection::vec(bogus_op(), 0..=MAX_OPS * 2 / 3),
    ) {
        run_bogus(&cfg, &ops);
    }
}

// ---------------------------------------------------------------------------
// IORING_SETUP_SQ_REWIND.

#[derive(Debug, Clone)]
enum RewindOp {
    Get(u16),
    Flush,
}

proptest! {
    #![proptest_config(config())]

    /// With SQ_REWIND the kernel ignores head and tail: every batch
    /// starts at slot 0, at most `entries` per batch, flush returns the
    /// batch size and never stores the tail.
    #[test]
    fn rewind_restarts_each_batch_at_slot_zero(
        log in 0u32..=8,
        shift in 0u32..=1,
        ops in prop::collection::vec(
            prop_oneof![(0u16..300).prop_map(RewindOp::Get), Just(RewindOp::Flush)],
            0..=100,
        ),
    ) {
        let entries = 1u32 << log;
        let msq = MemSq::new(entries, shift, 0);
        let mut sq = msq.ring(true);
        let mut batch = 0u32;
        for op in &ops {
            match *op {
                RewindOp::Get(n) => {
                    for _ in 0..n {
                        match sq.next_sqe() {
                            Some(p) => {
                                prop_assert!(batch < entries, "more than entries per batch");
                                prop_assert_eq!(msq.offset_of(p), (batch as usize) << shift);
                                batch += 1;
                            }
                            None => {
                                prop_assert_eq!(batch, entries);
                                break;
                            }
                        }
                    }
                }
                RewindOp::Flush => {
                    prop_assert_eq!(sq.flush(), batch);
                    batch = 0;
                    prop_assert_eq!(msq.ktail(), 0, "tail published in a rewind ring");
                    prop_assert_eq!(sq.sqe_tail(), 0);
                }
            }
            prop_assert_eq!(sq.space_left(), entries - batch);
        }
    }
}

/// The minimal case `bogus_kernel_values_...` found: a 1-slot ring whose
/// head the kernel moved 2 past the tail handed out slot 0 as a 128-byte
/// pair (running past the 64-byte SQE array) and as its own pad.
#[test]
fn regression_wide_in_one_slot_ring_with_head_ahead() {
    let cfg = Cfg {
        sq_log: 0,
        cq_log: 0,
        sq_shift: 0,
        cq_mode: CqMode::Plain,
        sq_start: u32::MAX,
        cq_start: u32::MAX,
    };
    run_bogus(&cfg, &[BogusOp::SqHeadBy(2), BogusOp::Wide]);
}
