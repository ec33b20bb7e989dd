//! [`BufRing`]: a registered provided-buffer ring over caller buffers, with
//! buffers handed out by id and recycled by id.

use core::marker::PhantomData;
use core::mem::size_of;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use uring_sys::{
    io_uring_buf, io_uring_buf_ring, IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER,
    IORING_CQE_F_BUF_MORE, IOU_PBUF_RING_INC,
};

use super::{buf_ring_add, buf_ring_advance, buf_ring_available, buf_ring_mask};
use crate::{Errno, Ring};

/// The buffer id a CQE carries (`flags >> IORING_CQE_BUFFER_SHIFT`), or
/// `None` without `IORING_CQE_F_BUFFER`.
///
/// Kernel: 5.7+ (provided buffers).
#[inline]
pub const fn cqe_bid(flags: u32) -> Option<u16> {
    if flags & IORING_CQE_F_BUFFER != 0 {
        Some((flags >> IORING_CQE_BUFFER_SHIFT) as u16)
    } else {
        None
    }
}

/// Where a completion's data lies: buffer `bid`, bytes
/// `offset..offset + len`. From [`BufRing::consume`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consumed {
    /// The buffer id.
    pub bid: u16,
    /// Start of this completion's data inside the buffer (non-zero only for
    /// incrementally consumed rings).
    pub offset: u32,
    /// Bytes of data (`cqe.res`).
    pub len: u32,
    /// `IORING_CQE_F_BUF_MORE`: the kernel keeps using the rest of this
    /// buffer (incremental rings); do not recycle it yet.
    pub more: bool,
}

/// A run of ring entries a bundle completion used, from
/// [`BufRing::consume_bundle`]; iterate with [`BufRing::bundle_bufs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// Ring position (not masked) of the first entry.
    pub start: u16,
    /// Number of entries (buffers) used.
    pub count: u16,
    /// Total bytes (`cqe.res`).
    pub len: u32,
}

/// A provided buffer ring registered with a [`Ring`] as group `bgid`, whose
/// buffers are `nbufs` equal slices of caller memory (`bid` `i` is bytes
/// `i * buf_len .. (i + 1) * buf_len`).
///
/// The ring's entries live in memory from the kernel
/// ([`BufRing::setup`] with `IOU_PBUF_RING_MMAP`), an anonymous mapping
/// ([`BufRing::setup`] without it) or the caller
/// ([`BufRing::from_registered`]); `uring-core` allocates nothing.
///
/// Buffers are either *published* (the kernel may pick and write them) or
/// *owned by the application* (never pushed, or reported by a CQE and not
/// pushed since). [`push`](Self::push)/[`commit`](Self::commit) and
/// [`recycle`](Self::recycle) publish; [`buf`](Self::buf) reads an owned
/// one. Reading is `unsafe` because only the application knows which
/// buffers CQEs have handed back.
///
/// Incremental rings (`IOU_PBUF_RING_INC`, kernel 6.12+): a completion may
/// use only part of a buffer and set `IORING_CQE_F_BUF_MORE`; the next
/// completion continues in the same buffer. [`consume`](Self::consume)
/// tracks the offsets. Beware with datagrams: the one that meets the end of
/// a buffer gets only the room left and is cut (`MSG_TRUNC`; seen on
/// kernel 6.18 with multishot recvmsg, `tests/recvmsg_live.rs`).
///
/// Mirrors liburing's `io_uring_setup_buf_ring()` +
/// `io_uring_buf_ring_add()`/`_advance()` usage pattern. Kernel: 5.19+.
///
/// ```
/// # extern crate std;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixDatagram;
/// use uring_core::buf_ring::BufRing;
/// use uring_core::sys::IOSQE_BUFFER_SELECT_BIT;
/// use uring_core::{prep, Ring};
///
/// let mut ring = Ring::queue_init(8, 0)?;
/// let mut mem = [0u8; 8 * 256];
/// // SAFETY: `free` runs before `mem` goes away.
/// let mut br = unsafe { BufRing::setup(&ring, 8, 1, 0, &mut mem, 256) }?;
/// br.publish_all()?;
///
/// let (a, b) = UnixDatagram::pair().unwrap();
/// a.send(b"hello").unwrap();
/// // SAFETY: no buffer address: the kernel picks one from group 1, whose
/// // memory `br` owns until it is freed below, after the CQE.
/// let sqe = unsafe { ring.get_sqe() }.unwrap();
/// prep::recv(sqe, b.as_raw_fd(), core::ptr::null_mut(), 0, 0);
/// sqe.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
/// sqe.set_buf_group(br.bgid());
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// ring.cqe_seen(&cqe);
///
/// let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
/// // SAFETY: this CQE handed buffer `c.bid` back to us.
/// assert_eq!(unsafe { br.data(&c) }, b"hello");
/// br.recycle(c.bid)?; // give it back to the kernel
/// br.free(&ring)?;
/// # Ok::<(), uring_core::Errno>(())
/// ```
#[derive(Debug)]
pub struct BufRing<'a> {
    br: NonNull<io_uring_buf_ring>,
    entries: u32,
    mask: i32,
    bgid: u16,
    flags: u32,
    /// The ring memory is a mapping we made (setup): unmap it on drop.
    mapped: bool,
    bufs: NonNull<u8>,
    buf_len: u32,
    nbufs: u32,
    /// Entries added since the last commit.
    staged: u16,
    /// Our count of ring entries the kernel has consumed (its head, as far
    /// as the CQEs we were shown tell).
    head: u16,
    /// Incremental rings: the partially used buffer and where its next
    /// data starts.
    inc: Option<(u16, u32)>,
    _bufs: PhantomData<&'a mut [u8]>,
}

// SAFETY: the pointers address memory borrowed for 'a (buffers) or owned
// by this value (the ring mapping); nothing is tied to a thread.
unsafe impl Send for BufRing<'_> {}

impl<'a> BufRing<'a> {
    /// Creates, maps and registers a ring of `entries` entries (a power of
    /// two, at most 32768) as group `bgid`, over `bufs` cut into buffers of
    /// `buf_len` bytes (`min(bufs.len() / buf_len, entries)` of them). No
    /// buffer is published yet: see [`publish_all`](Self::publish_all).
    ///
    /// `flags`: `IOU_PBUF_RING_MMAP` (kernel-allocated entries, 6.4+),
    /// `IOU_PBUF_RING_INC` (incremental consumption, 6.12+).
    ///
    /// Mirrors `io_uring_setup_buf_ring()` (liburing). Kernel: 5.19+.
    ///
    /// Errors: `EINVAL` (`buf_len` 0, no whole buffer in `bufs`, bad
    /// `entries` or flags), `EEXIST` (group exists), `ENOMEM`, and those of
    /// [`Ring::setup_buf_ring`].
    ///
    /// # Safety
    /// While group `bgid` is registered, the kernel may write any published
    /// buffer. Call [`free`](Self::free) (or drop `ring` once no request can
    /// still pick a buffer) before the `BufRing` goes away, so that `bufs`
    /// is not written after its borrow ends.
    pub unsafe fn setup(
        ring: &Ring,
        entries: u32,
        bgid: u16,
        flags: u32,
        bufs: &'a mut [u8],
        buf_len: u32,
    ) -> Result<Self, Errno> {
        let nbufs = Self::count_bufs(bufs.len(), buf_len, entries)?;
        let br = ring.setup_buf_ring(entries, bgid, flags)?;
        Ok(Self::new(
            br, entries, bgid, flags, true, bufs, buf_len, nbufs,
        ))
    }

    /// Wraps a ring the caller registered (e.g. with
    /// [`Ring::register_buf_ring`] over its own page-aligned memory) as
    /// group `bgid` with `entries` entries and registration `flags`; resets
    /// its tail. The ring memory is not unmapped on drop.
    ///
    /// Kernel: 5.19+. Errors: `EINVAL` as for [`setup`](Self::setup).
    ///
    /// # Safety
    /// `br` addresses the registered ring of `entries` entries, valid and
    /// not used through other pointers for `'a`; plus [`setup`](Self::setup)'s
    /// promise about `bufs`.
    pub unsafe fn from_registered(
        br: NonNull<io_uring_buf_ring>,
        entries: u32,
        bgid: u16,
        flags: u32,
        bufs: &'a mut [u8],
        buf_len: u32,
    ) -> Result<Self, Errno> {
        let nbufs = Self::count_bufs(bufs.len(), buf_len, entries)?;
        // SAFETY: the caller promises `br` is a valid ring we now drive.
        unsafe { super::buf_ring_init(br.as_ptr()) };
        Ok(Self::new(
            br, entries, bgid, flags, false, bufs, buf_len, nbufs,
        ))
    }

    fn count_bufs(total: usize, buf_len: u32, entries: u32) -> Result<u32, Errno> {
        if buf_len == 0 || !entries.is_power_of_two() || entries > 32768 {
            return Err(Errno::EINVAL);
        }
        let n = (total / buf_len as usize).min(entries as usize) as u32;
        if n == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(n)
    }

    #[allow(clippy::too_many_arguments)]
    fn new(
        br: NonNull<io_uring_buf_ring>,
        entries: u32,
        bgid: u16,
        flags: u32,
        mapped: bool,
        bufs: &'a mut [u8],
        buf_len: u32,
        nbufs: u32,
    ) -> Self {
        BufRing {
            br,
            entries,
            mask: buf_ring_mask(entries),
            bgid,
            flags,
            mapped,
            bufs: NonNull::from(bufs).cast::<u8>(),
            buf_len,
            nbufs,
            staged: 0,
            head: 0,
            inc: None,
            _bufs: PhantomData,
        }
    }

    /// The buffer group id (for `sqe.buf_group` / `IOSQE_BUFFER_SELECT`).
    #[inline]
    pub fn bgid(&self) -> u16 {
        self.bgid
    }
    /// Number of ring entries.
    #[inline]
    pub fn entries(&self) -> u32 {
        self.entries
    }
    /// Number of buffers (bids `0..nbufs`).
    #[inline]
    pub fn nbufs(&self) -> u32 {
        self.nbufs
    }
    /// Size of each buffer.
    #[inline]
    pub fn buf_len(&self) -> u32 {
        self.buf_len
    }
    /// True for an incremental (`IOU_PBUF_RING_INC`) ring.
    #[inline]
    pub fn is_incremental(&self) -> bool {
        self.flags & IOU_PBUF_RING_INC != 0
    }
    /// The raw ring, for the `buf_ring_*` functions.
    #[inline]
    pub fn as_ptr(&self) -> *mut io_uring_buf_ring {
        self.br.as_ptr()
    }

    /// Start of buffer `bid`, or `None` if `bid >= nbufs`.
    #[inline]
    pub fn buf_ptr(&self, bid: u16) -> Option<NonNull<u8>> {
        if u32::from(bid) >= self.nbufs {
            return None;
        }
        let off = bid as usize * self.buf_len as usize;
        // SAFETY: bid < nbufs, so `off` is inside the `bufs` slice.
        Some(unsafe { self.bufs.add(off) })
    }

    /// The whole of buffer `bid` (`buf_len` bytes), or `None` if out of range.
    ///
    /// # Safety
    /// Buffer `bid` is owned by the application: a CQE reported it (and,
    /// for incremental rings, without `IORING_CQE_F_BUF_MORE`, or only the
    /// bytes it reported are read) and it has not been pushed since, or it
    /// was never pushed.
    #[inline]
    pub unsafe fn buf(&self, bid: u16) -> Option<&[u8]> {
        let p = self.buf_ptr(bid)?;
        // SAFETY: in bounds of `bufs`; the caller promises the kernel is not
        // writing it, and `&self` keeps push/recycle away.
        Some(unsafe { core::slice::from_raw_parts(p.as_ptr(), self.buf_len as usize) })
    }

    /// Mutable access to buffer `bid` (e.g. to fill it before a send).
    ///
    /// # Safety
    /// As [`buf`](Self::buf).
    #[inline]
    pub unsafe fn buf_mut(&mut self, bid: u16) -> Option<&mut [u8]> {
        let p = self.buf_ptr(bid)?;
        // SAFETY: as in `buf`, and `&mut self` makes this the only borrow.
        Some(unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), self.buf_len as usize) })
    }

    /// The bytes a completion reported, from [`consume`](Self::consume).
    ///
    /// # Safety
    /// `c` came from [`consume`](Self::consume) on a real CQE of a request
    /// that selected from this group, and the buffer was not pushed since.
    #[inline]
    pub unsafe fn data(&self, c: &Consumed) -> &[u8] {
        let Some(p) = self.buf_ptr(c.bid) else {
            return &[];
        };
        // Clamp to the buffer. Only these bytes are borrowed: on incremental
        // rings the kernel may still be writing the rest of the buffer.
        let size = self.buf_len as usize;
        let start = (c.offset as usize).min(size);
        let len = (c.len as usize).min(size - start);
        // SAFETY: [start, start + len) lies inside buffer `bid`, inside
        // `bufs`; the caller promises the kernel is done with these bytes,
        // and `&self` keeps push/recycle away while they are borrowed.
        unsafe { core::slice::from_raw_parts(p.as_ptr().add(start), len) }
    }

    /// Stages buffer `bid` with `len` bytes (at most `buf_len`) in the next
    /// free entry; [`commit`](Self::commit) publishes staged entries.
    ///
    /// Uses `buf_ring_add` (liburing's `io_uring_buf_ring_add()`). Errors:
    /// `EINVAL` for a bid out of range or `len > buf_len`; `ENOBUFS` when
    /// more entries are staged than the ring has.
    pub fn push(&mut self, bid: u16, len: u32) -> Result<(), Errno> {
        let p = self.buf_ptr(bid).ok_or(Errno::EINVAL)?;
        if len > self.buf_len {
            return Err(Errno::EINVAL);
        }
        if u32::from(self.staged) >= self.entries {
            return Err(Errno::ENOBUFS);
        }
        // SAFETY: our ring of `entries` entries with mask `entries - 1`;
        // the buffer lies in `bufs`, borrowed for 'a (the setup promise
        // covers the kernel's later writes).
        unsafe {
            buf_ring_add(
                self.br.as_ptr(),
                p.as_ptr().cast(),
                len,
                bid,
                self.mask,
                i32::from(self.staged),
            )
        };
        self.staged += 1;
        Ok(())
    }

    /// Publishes the staged entries (one release store of the tail).
    ///
    /// Uses `buf_ring_advance` (liburing's `io_uring_buf_ring_advance()`).
    pub fn commit(&mut self) {
        if self.staged != 0 {
            // SAFETY: the staged entries were written by `push`.
            unsafe { buf_ring_advance(self.br.as_ptr(), i32::from(self.staged)) };
            self.staged = 0;
        }
    }

    /// Publishes the staged entries and marks `cq_count` CQEs seen.
    ///
    /// Mirrors `__io_uring_buf_ring_cq_advance()` (liburing). Kernel: 5.19+.
    pub fn commit_cq(&mut self, ring: &mut Ring, cq_count: u32) {
        self.commit();
        ring.cq_advance(cq_count);
    }

    /// Gives buffer `bid` back to the kernel, whole (push + commit).
    ///
    /// Errors: as [`push`](Self::push).
    pub fn recycle(&mut self, bid: u16) -> Result<(), Errno> {
        self.push(bid, self.buf_len)?;
        self.commit();
        Ok(())
    }

    /// Publishes every buffer, `bid` `0..nbufs`, whole.
    ///
    /// Errors: as [`push`](Self::push).
    pub fn publish_all(&mut self) -> Result<(), Errno> {
        for bid in 0..self.nbufs {
            self.push(bid as u16, self.buf_len)?;
        }
        self.commit();
        Ok(())
    }

    /// Published buffers the kernel has not consumed yet.
    ///
    /// Mirrors `io_uring_buf_ring_available()` (liburing). Kernel: 6.8+.
    /// Errors: as [`Ring::buf_ring_head`].
    pub fn available(&self, ring: &Ring) -> Result<u16, Errno> {
        // SAFETY: our registered ring.
        unsafe { buf_ring_available(ring, self.br.as_ptr(), self.bgid) }
    }

    /// Decodes a completion that picked one buffer: its id, where its data
    /// starts (incremental rings) and whether the kernel keeps the rest
    /// (`IORING_CQE_F_BUF_MORE`). `None` without `IORING_CQE_F_BUFFER` or
    /// for an id out of range.
    ///
    /// Updates the tracking of partially used buffers and of the kernel's
    /// head; call it once per CQE, in CQ order.
    pub fn consume(&mut self, res: i32, flags: u32) -> Option<Consumed> {
        let bid = cqe_bid(flags)?;
        if u32::from(bid) >= self.nbufs {
            return None;
        }
        let len = res.max(0) as u32;
        let more = flags & IORING_CQE_F_BUF_MORE != 0;
        let offset = match self.inc {
            Some((b, off)) if b == bid && self.is_incremental() => off,
            _ => 0,
        };
        if more {
            self.inc = Some((bid, offset.saturating_add(len)));
        } else {
            self.inc = None;
            self.head = self.head.wrapping_add(1);
        }
        Some(Consumed {
            bid,
            offset,
            len,
            more,
        })
    }

    /// Reads ring entry at position `pos` (masked): `(bid, len)`.
    #[inline]
    pub fn entry(&self, pos: u16) -> (u16, u32) {
        let idx = (i32::from(pos) & self.mask) as usize;
        let e: *const io_uring_buf = io_uring_buf_ring::bufs_ptr(self.br.as_ptr())
            .cast_const()
            .wrapping_add(idx);
        // SAFETY: idx <= mask < entries: inside the ring, 8-aligned entries.
        // Field reads only (entry 0's `resv` is the tail). The kernel never
        // writes `bid`; it may update `len` of incremental rings, so `len`
        // is read atomically (relaxed: a snapshot, nothing else depends on it).
        unsafe {
            let bid = core::ptr::addr_of!((*e).bid).read();
            let len = AtomicU32::from_ptr(core::ptr::addr_of!((*e).len).cast_mut())
                .load(Ordering::Relaxed);
            (bid, len)
        }
    }

    /// Decodes a bundle completion (`IORING_RECVSEND_BUNDLE`): `res` bytes
    /// over consecutive ring entries starting at the one the CQE's buffer id
    /// names. Walks the entries from the tracked head, taking each entry's
    /// length until `res` is covered.
    ///
    /// Errors: `EINVAL` if the CQE carries no buffer or the entry at the
    /// tracked head is not that buffer (completions consumed out of order);
    /// `ERANGE` if the entries cannot cover `res`.
    pub fn consume_bundle(&mut self, res: i32, flags: u32) -> Result<Bundle, Errno> {
        let bid = cqe_bid(flags).ok_or(Errno::EINVAL)?;
        let start = self.head;
        if self.entry(start).0 != bid {
            return Err(Errno::EINVAL);
        }
        let total = res.max(0) as u32;
        let mut left = total;
        let mut count: u16 = 0;
        while left > 0 {
            if u32::from(count) >= self.entries {
                return Err(Errno::ERANGE);
            }
            let (_, len) = self.entry(start.wrapping_add(count));
            if len == 0 {
                return Err(Errno::ERANGE);
            }
            left = left.saturating_sub(len);
            count += 1;
        }
        self.head = start.wrapping_add(count);
        Ok(Bundle {
            start,
            count,
            len: total,
        })
    }

    /// The `(bid, bytes)` of each buffer of a bundle, in order.
    pub fn bundle_bufs(&self, b: &Bundle) -> impl Iterator<Item = (u16, u32)> + '_ {
        let b = *b;
        let mut left = b.len;
        (0..b.count).map(move |k| {
            let (bid, len) = self.entry(b.start.wrapping_add(k));
            let n = len.min(left);
            left -= n;
            (bid, n)
        })
    }

    /// Our count of entries the kernel consumed (its head), as tracked by
    /// [`consume`](Self::consume) / [`consume_bundle`](Self::consume_bundle).
    #[inline]
    pub fn tracked_head(&self) -> u16 {
        self.head
    }

    /// Unregisters the group (and, for [`setup`](Self::setup) rings, unmaps
    /// the entries on drop). After this the kernel writes no buffer.
    ///
    /// Mirrors `io_uring_free_buf_ring()` (liburing). Kernel: 5.19+.
    /// Errors: those of [`Ring::unregister_buf_ring`] (the mapping is still
    /// released).
    pub fn free(self, ring: &Ring) -> Result<(), Errno> {
        ring.unregister_buf_ring(self.bgid)
    }
}

impl Drop for BufRing<'_> {
    fn drop(&mut self) {
        if self.mapped {
            let size = self.entries as usize * size_of::<io_uring_buf>();
            // SAFETY: our own mapping of `size` bytes from setup_buf_ring;
            // nothing of ours uses it after this. A still-registered group
            // keeps its own reference to the pages (the kernel maps them
            // itself), so the kernel never touches our unmapped range.
            let _ = unsafe { crate::syscall::munmap(self.br.as_ptr().cast(), size) };
        }
    }
}
