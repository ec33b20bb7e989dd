//! Buffer-ring bookkeeping (`bare_uring::buf_ring::BufRing`) over a ring in
//! plain memory (`detached`: no kernel involved) with arbitrary
//! pushes, commits and forged completions (`res`, `flags`, bundles,
//! incremental consumption). Checked against a model: the published tail,
//! the tracked head (never past the tail), each buffer's state (published
//! or owned: a buffer is never published twice, only published buffers
//! are released, only owned ones handed out), published buffers equal to
//! published-not-released plus staged entries and never above the ring
//! size, and every slice handed out lying inside its buffer.
#![no_main]

use bare_uring::buf_ring::BufRing;
use bare_uring::sys::{
    io_uring_buf, io_uring_buf_ring, IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER,
    IORING_CQE_F_BUF_MORE, IOU_PBUF_RING_INC,
};
use bare_uring::Errno;
use libfuzzer_sys::fuzz_target;
use std::ptr::NonNull;

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let cfg = b.u8();
    let entries = 1u32 << (cfg % 6); // 1..32
    let inc = cfg & 0x40 != 0;
    let buf_len = u32::from(b.u8() % 64) + 1;
    let total = usize::from(b.u8()) * 2; // 0..510 bytes of buffers
    let mut ring_mem: Vec<io_uring_buf> = (0..entries).map(|_| io_uring_buf::default()).collect();
    let br_ptr = NonNull::new(ring_mem.as_mut_ptr().cast::<io_uring_buf_ring>()).unwrap();
    let mut bufs = vec![0u8; total];
    let lo = bufs.as_ptr() as usize;
    let hi = lo + total;
    let flags = if inc { IOU_PBUF_RING_INC } else { 0 };
    // SAFETY: `ring_mem` holds `entries` entries, lives past `br` and is
    // used through `br` only; no kernel ever writes `bufs`.
    let Ok(mut br) = (unsafe { BufRing::detached(br_ptr, entries, flags, &mut bufs, buf_len) })
    else {
        assert!(total / (buf_len as usize) == 0, "refused a valid ring");
        return;
    };
    let tail_p = io_uring_buf_ring::tail_ptr(br.as_ptr());
    // SAFETY: entry 0's last field is the tail; in `ring_mem`.
    let tail = || unsafe { tail_p.read() };
    let mut model_tail: u16 = 0;
    let mut staged: u32 = 0;
    let nbufs = br.nbufs();
    assert!(nbufs >= 1 && nbufs <= entries);
    // Published (staged or in the ring) per bid.
    let mut published = vec![false; nbufs as usize];
    let is_pub = |p: &[bool], bid: u16| p.get(usize::from(bid)).copied().unwrap_or(false);
    while !b.is_empty() {
        let op = b.u8();
        match op % 8 {
            0 => {
                let bid = b.u16() % (nbufs as u16 + 2);
                let len = u32::from(b.u8());
                let r = br.push(bid, len);
                let want = if u32::from(bid) >= nbufs || len > buf_len {
                    Err(Errno::EINVAL)
                } else if is_pub(&published, bid) {
                    Err(Errno::EBUSY)
                } else {
                    Ok(())
                };
                assert_eq!(r, want, "push({bid}, {len})");
                if r.is_ok() {
                    staged += 1;
                    published[usize::from(bid)] = true;
                }
            }
            1 => {
                br.commit();
                model_tail = model_tail.wrapping_add(staged as u16);
                staged = 0;
            }
            2 => {
                let bid = b.u16() % (nbufs as u16 + 2);
                let ok = u32::from(bid) < nbufs && !is_pub(&published, bid);
                assert_eq!(br.recycle(bid).is_ok(), ok, "recycle({bid})");
                if ok {
                    published[usize::from(bid)] = true;
                    model_tail = model_tail.wrapping_add(staged as u16 + 1);
                    staged = 0;
                }
            }
            3 => {
                let res = i32::from(b.u16() as i16);
                let bid = u32::from(b.u16());
                let mut f = IORING_CQE_F_BUFFER | (bid << IORING_CQE_BUFFER_SHIFT);
                if op & 0x10 != 0 {
                    f |= IORING_CQE_F_BUF_MORE;
                }
                if op & 0x20 != 0 {
                    f &= !IORING_CQE_F_BUFFER;
                }
                let head = br.tracked_head();
                let accept = f & IORING_CQE_F_BUFFER != 0
                    && bid <= u32::from(u16::MAX)
                    && is_pub(&published, bid as u16)
                    && model_tail != head;
                let r = br.consume(res, f);
                assert_eq!(r.is_some(), accept, "consume({res}, {f:#x})");
                if let Some(c) = r {
                    if !c.more {
                        published[usize::from(c.bid)] = false;
                    }
                    assert!(u32::from(c.bid) < nbufs);
                    // SAFETY: no kernel writes these buffers; the slice is
                    // only read here.
                    let d = unsafe { br.data(&c) };
                    let at = d.as_ptr() as usize;
                    assert!(
                        d.is_empty() || (at >= lo && at + d.len() <= hi),
                        "data outside bufs"
                    );
                    assert!(d.len() <= buf_len as usize);
                    let step = if c.more { 0 } else { 1 };
                    assert_eq!(br.tracked_head(), head.wrapping_add(step));
                } else {
                    assert_eq!(br.tracked_head(), head);
                }
            }
            4 => {
                let res = i32::from(b.u16() as i16);
                let bid = u32::from(b.u16() % (nbufs as u16 + 1));
                let f = IORING_CQE_F_BUFFER | (bid << IORING_CQE_BUFFER_SHIFT);
                let head = br.tracked_head();
                match br.consume_bundle(res, f) {
                    Ok(bundle) => {
                        assert!(!inc, "no bundles on incremental rings");
                        assert!(bundle.count <= model_tail.wrapping_sub(head));
                        assert_eq!(br.tracked_head(), head.wrapping_add(bundle.count));
                        let mut sum = 0u64;
                        for (bid, n) in br.bundle_bufs(&bundle) {
                            sum += u64::from(n);
                            assert!(is_pub(&published, bid), "released an unpublished buffer");
                            published[usize::from(bid)] = false;
                        }
                        assert!(sum <= u64::from(bundle.len));
                    }
                    Err(_) => assert_eq!(br.tracked_head(), head),
                }
            }
            5 => {
                let (bid, len) = br.entry(b.u16());
                let _ = (bid, len);
            }
            6 => {
                // Every owned buffer fits: published ones fill at most
                // `nbufs - owned` entries.
                br.publish_all().unwrap();
                let new = published.iter().filter(|p| !**p).count() as u16;
                published.iter_mut().for_each(|p| *p = true);
                model_tail = model_tail.wrapping_add(staged as u16 + new);
                staged = 0;
            }
            _ => {
                let bid = b.u16() % (nbufs as u16 + 2);
                // SAFETY: no kernel writes these buffers.
                let got = unsafe { br.buf(bid) };
                let owned = u32::from(bid) < nbufs && !is_pub(&published, bid);
                assert_eq!(got.is_some(), owned, "buf({bid})");
                if let Some(s) = got {
                    let at = s.as_ptr() as usize;
                    assert!(at >= lo && at + s.len() <= hi, "buf outside bufs");
                }
            }
        }
        assert_eq!(tail(), model_tail, "published tail");
        let in_ring = u32::from(model_tail.wrapping_sub(br.tracked_head()));
        assert!(
            in_ring + staged <= entries,
            "more in the ring than it holds"
        );
        let npub = published.iter().filter(|p| **p).count() as u32;
        assert_eq!(npub, in_ring + staged, "one entry per published buffer");
        for bid in 0..nbufs as u16 + 1 {
            assert_eq!(
                br.is_published(bid),
                is_pub(&published, bid),
                "state of {bid}"
            );
        }
    }
    drop(br);
    drop(ring_mem);
});
