//! [`BufRing`]: a registered provided-buffer ring over caller buffers, with
//! buffers handed out by id and recycled by id, tied to the ring file it is
//! registered with.

use core::marker::PhantomData;
use core::mem::size_of;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use bare_uring_sys::{
    io_uring_buf, io_uring_buf_ring, IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER,
    IORING_CQE_F_BUF_MORE, IOU_PBUF_RING_INC,
};

use super::ring_file::RingFile;
use super::{buf_ring_mask, store_tail, write_entry};
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

/// One bit per buffer id `0..32768` (the most buffers a ring can have):
/// set while the buffer is published. Inline, 4 KiB: no allocation.
///
/// Callers pass only bids below `nbufs` (`<= entries <= 32768`): the word
/// index is masked to the array (no bounds check, no panic), so a bid of
/// 32768 or more would alias a lower one; [`BufRing`] checks `bid < nbufs`
/// first everywhere.
#[derive(Clone)]
struct BidSet([u64; 512]);

impl BidSet {
    const EMPTY: BidSet = BidSet([0; 512]);

    /// Word index and bit of `bid` (`bid < 32768`).
    #[inline(always)]
    fn at(bid: u16) -> (usize, u64) {
        (usize::from(bid / 64) % 512, 1u64 << (bid % 64))
    }
    /// The word holding `bid`'s bit, its index unchecked: for the paths
    /// run once per buffer, where `bid < nbufs` was just checked. With
    /// [`has`](Self::has), [`flip`](Self::flip) and
    /// [`flip_in_place`](Self::flip_in_place).
    ///
    /// # Safety
    /// `bid < 32768`.
    #[inline(always)]
    unsafe fn word(&self, bid: u16) -> u64 {
        // SAFETY: the caller promises bid < 32768: the index is below 512.
        unsafe { *self.0.get_unchecked(usize::from(bid / 64)) }
    }
    /// Flips `bid`'s bit in place (set if it was clear, clear if it was
    /// set: the callers tested it).
    ///
    /// # Safety
    /// `bid < 32768`.
    #[inline(always)]
    unsafe fn flip_in_place(&mut self, bid: u16) {
        // SAFETY: the caller promises bid < 32768: the index is below 512.
        let w = unsafe { self.0.get_unchecked_mut(usize::from(bid / 64)) };
        *w = Self::flip(*w, bid);
    }
    /// `bid`'s bit of its word.
    #[inline(always)]
    fn has(word: u64, bid: u16) -> bool {
        word.wrapping_shr(u32::from(bid)) & 1 != 0
    }
    /// `word` with `bid`'s bit flipped (set if it was clear, clear if it
    /// was set: the callers tested it).
    #[inline(always)]
    fn flip(word: u64, bid: u16) -> u64 {
        word ^ 1u64.wrapping_shl(u32::from(bid))
    }
    #[inline(always)]
    fn contains(&self, bid: u16) -> bool {
        let (w, m) = Self::at(bid);
        self.0[w] & m != 0
    }
    #[inline(always)]
    fn insert(&mut self, bid: u16) {
        let (w, m) = Self::at(bid);
        self.0[w] |= m;
    }
    /// Clears `bid`; false if it was not set.
    #[inline(always)]
    fn remove(&mut self, bid: u16) -> bool {
        let (w, m) = Self::at(bid);
        let was = self.0[w] & m != 0;
        self.0[w] &= !m;
        was
    }
}

impl core::fmt::Debug for BidSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n: u32 = self.0.iter().map(|w| w.count_ones()).sum();
        write!(f, "BidSet({n} published)")
    }
}

/// A provided buffer ring registered with a [`Ring`] as group `bgid`, whose
/// buffers are `nbufs` equal slices of caller memory (`bid` `i` is bytes
/// `i * buf_len .. (i + 1) * buf_len`).
///
/// The ring's entries live in memory from the kernel
/// ([`BufRing::setup`] with `IOU_PBUF_RING_MMAP`), an anonymous mapping
/// ([`BufRing::setup`] without it) or the caller
/// ([`BufRing::from_registered`]); `bare-uring` allocates nothing.
///
/// **Tied to its ring.** A `BufRing` holds its own duplicate of the ring's
/// fd (`F_DUPFD_CLOEXEC`): the ring file, and with it the kernel's buffer
/// group, stays alive as long as the `BufRing`, even if the [`Ring`] is
/// dropped first, and [`free`](Self::free), [`available`](Self::available)
/// and `Drop` act on that file, never on another ring. A ring without a
/// real fd (IORING_SETUP_REGISTERED_FD_ONLY, or after
/// [`Ring::close_ring_fd`]) therefore cannot back one: setup fails with
/// `EBADF`. Dropping a `BufRing` unregisters the group (so the kernel picks
/// no buffer from it any more), then unmaps the ring memory it mapped, then
/// closes its fd. Not `Send`: on an IORING_SETUP_SINGLE_ISSUER ring only
/// the submitter thread may unregister the group.
///
/// **Buffer memory.** The kernel writes a buffer it picked until that
/// request's CQE, which may come after the group is unregistered and the
/// `BufRing` gone. So lending `bufs` is `unsafe` ([`setup`](Self::setup),
/// whose `# Safety` says exactly what to keep), except for memory that is
/// never freed ([`setup_static`](Self::setup_static), safe).
///
/// **Each buffer's state is tracked.** A buffer is either *published*
/// (staged or in the ring: the kernel may pick and write it) or *owned by
/// the application* (never pushed, or released by a CQE and not pushed
/// since). [`push`](Self::push)/[`commit`](Self::commit),
/// [`recycle`](Self::recycle) and [`publish_all`](Self::publish_all)
/// publish, and refuse a buffer that is already published (`EBUSY`), so a
/// buffer is never in the ring twice; [`consume`](Self::consume) and
/// [`consume_bundle`](Self::consume_bundle) release, and refuse a CQE
/// naming a buffer that is not published. [`buf`](Self::buf) and
/// [`buf_mut`](Self::buf_mut) hand out owned buffers only
/// ([`is_published`](Self::is_published) says which). The state is one bit
/// per possible bid in the struct (`nbufs <= entries <= 32768`: a 4 KiB
/// bitmap), so nothing is allocated. Reading stays `unsafe` because only
/// the application knows that the CQEs it passes to `consume` are real: a
/// made-up one releases a buffer the kernel may still write.
///
/// **Never more than the ring holds.** Every buffer published is one
/// entry staged or between the head and the tail, and every buffer
/// released moves the tracked head by one entry, so published buffers
/// always equal the entries pushed minus the head (staged ones included)
/// and, with `nbufs <= entries`, a
/// push of an owned buffer finds a free entry. Call `consume` once per
/// CQE of this group, in CQ order.
///
/// On incremental rings registered with a kernel, free entries are
/// counted from the kernel's own head instead: the kernel rewrites the
/// entry it is consuming (`addr += used; len -= used`), and a push onto
/// that entry, allowed by a head that a made-up CQE moved ahead, could
/// leave it pointing past its buffer. So a push that would overwrite an
/// entry the kernel has not consumed fails with `ENOBUFS`, whatever CQEs
/// `consume` was given. Reading the head costs a syscall
/// (`IORING_REGISTER_PBUF_STATUS`), made again only when the entries the
/// last read proved free are used up: with more entries than buffers
/// (e.g. `entries = 2 * nbufs`) at most once per `entries - nbufs` pushes;
/// with `entries == nbufs` and buffers recycled one at a time, once per
/// push.
///
/// Incremental rings (`IOU_PBUF_RING_INC`, kernel 6.12+): a completion may
/// use only part of a buffer and set `IORING_CQE_F_BUF_MORE`; the next
/// completion continues in the same buffer. [`consume`](Self::consume)
/// tracks the offsets; [`consume_bundle`](Self::consume_bundle) refuses
/// these rings (`EINVAL`). Beware with datagrams: the one that meets the end of
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
/// use bare_uring::buf_ring::BufRing;
/// use bare_uring::sys::IOSQE_BUFFER_SELECT_BIT;
/// use bare_uring::{prep, Ring};
///
/// let mut ring = Ring::queue_init(8, 0)?;
/// // Memory that is never freed: safe to lend even if an early return (`?`)
/// // drops `br` while the recv below is in flight.
/// let mem = std::boxed::Box::leak(std::vec![0u8; 8 * 256].into_boxed_slice());
/// let mut br = BufRing::setup_static(&ring, 8, 1, 0, mem, 256)?;
/// br.publish_all()?;
///
/// let (a, b) = UnixDatagram::pair().unwrap();
/// a.send(b"hello").unwrap();
/// // SAFETY: no buffer address: the kernel picks one from group 1, whose
/// // memory is never freed (see `setup_static`).
/// let sqe = unsafe { ring.get_sqe() }.unwrap();
/// prep::recv(sqe, b.as_raw_fd(), core::ptr::null_mut(), 0, 0);
/// sqe.flags |= 1 << IOSQE_BUFFER_SELECT_BIT;
/// sqe.set_buf_group(br.bgid());
/// ring.submit_and_wait(1)?;
/// let cqe = ring.wait_cqe()?;
/// ring.cqe_seen(&cqe);
///
/// let c = br.consume(cqe.res, cqe.flags).expect("a provided buffer");
/// // SAFETY: the only CQE of group 1, real, passed to `consume` once.
/// assert_eq!(unsafe { br.data(&c) }, b"hello");
/// br.recycle(c.bid)?; // give it back to the kernel
/// br.free()?; // or let it drop: that unregisters too
/// # Ok::<(), bare_uring::Errno>(())
/// ```
///
/// `free` acts on the `BufRing`'s own ring; it takes none, so it cannot be
/// pointed at another one:
/// ```compile_fail
/// # use bare_uring::{buf_ring::BufRing, Ring};
/// # let ring = Ring::queue_init(4, 0).unwrap();
/// # let other = Ring::queue_init(4, 0).unwrap();
/// # let mem = std::boxed::Box::leak(std::vec![0u8; 64].into_boxed_slice());
/// let br = BufRing::setup_static(&ring, 2, 1, 0, mem, 32).unwrap();
/// br.free(&other).unwrap(); // error: `free` takes no ring
/// ```
///
/// Not `Send` (it must unregister from the ring's thread):
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<bare_uring::buf_ring::BufRing<'static>>();
/// ```
// `repr(C)`: the fields a consume or a recycle reads first, together in
// the first cache line; the 4 KiB bitmap last.
#[derive(Debug)]
#[repr(C)]
pub struct BufRing<'a> {
    br: NonNull<io_uring_buf_ring>,
    bufs: NonNull<u8>,
    buf_len: u32,
    nbufs: u32,
    // Ring positions count in u32 (wrapping; the ring's own u16 tail is
    // the low half): differences between them never exceed `entries`,
    // and a 32-bit subtraction needs no zero-extension.
    /// Our copy of the published tail: only we write the ring's `tail`
    /// (the kernel reads it), so it never needs reading back.
    tail: u32,
    /// Ring position of the next push: the entries from `tail` to `next`
    /// are staged (added since the last commit).
    next: u32,
    /// Our count of ring entries the kernel has consumed (its head, as far
    /// as the CQEs we were shown tell).
    head: u32,
    bgid: u16,
    entries: u32,
    mask: i32,
    flags: u32,
    /// Incremental rings with a kernel: entries proven free by the last
    /// read of the kernel's head and not taken by a push since.
    room: u32,
    /// Incremental rings: the partially used buffer and where its next
    /// data starts.
    inc: Option<(u16, u32)>,
    /// The ring memory is a mapping we made (setup): unmap it on drop.
    mapped: bool,
    /// The group is still registered (`free` not called yet).
    registered: bool,
    /// Our duplicate of the ring fd: the group's ring file. Dropped (closed)
    /// after `Drop for BufRing` unregistered the group and unmapped.
    file: RingFile,
    _bufs: PhantomData<&'a mut [u8]>,
    /// Which buffers are published (staged or in the ring).
    published: BidSet,
}

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
    /// Errors: `EBADF` (the ring has no real fd to duplicate:
    /// IORING_SETUP_REGISTERED_FD_ONLY, or after [`Ring::close_ring_fd`]),
    /// `EMFILE` (no free fd for the duplicate), `EINVAL` (`buf_len` 0, no
    /// whole buffer in `bufs`, bad `entries` or flags), `EEXIST` (group
    /// exists), `ENOMEM`, and those of [`Ring::setup_buf_ring`]. On error
    /// nothing stays registered, mapped or open.
    ///
    /// # Safety
    /// `bufs` is lent to the kernel for longer than its borrow `'a` may
    /// last ([safety model](crate#safety-model)). Until the kernel can no
    /// longer write it, `bufs` must stay valid (not freed or reused) and be
    /// accessed only through this `BufRing`'s accessors. The kernel can no
    /// longer write it once both:
    /// - the group is unregistered: [`free`](Self::free) or dropping the
    ///   `BufRing` does that, so no request picks a buffer afterwards (if
    ///   unregistering fails, e.g. `EEXIST` when dropped on another thread
    ///   than the submitter of an IORING_SETUP_SINGLE_ISSUER ring that
    ///   changed threads, the group lives until the ring file is closed and
    ///   its requests are done);
    /// - every request that picked a buffer of this group before that has
    ///   posted its final CQE (the one without `IORING_CQE_F_MORE`): a
    ///   picked buffer is written until then, even after the `BufRing` is
    ///   gone.
    ///
    /// To meet it: reap (or cancel and reap) every buffer-select request on
    /// `bgid` before the `BufRing` drops, with `bufs` declared before it
    /// (dropped after); or lend memory that is never freed
    /// ([`setup_static`](Self::setup_static), safe). A `?` or a panic
    /// between submitting such a request and reaping its CQE drops the
    /// `BufRing` and then `bufs` with the request in flight, and so does
    /// dropping the ring first (the kernel finishes its requests after the
    /// ring file is closed): only never-freed memory survives those.
    pub unsafe fn setup(
        ring: &Ring,
        entries: u32,
        bgid: u16,
        flags: u32,
        bufs: &'a mut [u8],
        buf_len: u32,
    ) -> Result<Self, Errno> {
        let nbufs = Self::count_bufs(bufs.len(), buf_len, entries)?;
        let file = RingFile::dup(ring)?;
        // Registered and mapped through `ring`, whose fd is the same file
        // as `file` (just duplicated, and `ring` is borrowed).
        let br = ring.setup_buf_ring(entries, bgid, flags)?;
        Ok(Self::new(
            br, entries, bgid, flags, true, bufs, buf_len, nbufs, file,
        ))
    }

    /// [`setup`](Self::setup) over buffer memory that is never freed, which
    /// makes it safe: `bufs` moves into the `BufRing` and nothing can reach
    /// it afterwards but the `BufRing`'s (`unsafe`) accessors, so a kernel
    /// write after the `BufRing` is gone (a buffer picked before the group
    /// was unregistered, written until its request's CQE) lands in memory
    /// no one can reuse. Get such memory with e.g.
    /// `Box::leak(vec![0; n].into_boxed_slice())`.
    ///
    /// Mirrors `io_uring_setup_buf_ring()` (liburing). Kernel: 5.19+.
    ///
    /// Errors: as [`setup`](Self::setup).
    pub fn setup_static(
        ring: &Ring,
        entries: u32,
        bgid: u16,
        flags: u32,
        bufs: &'static mut [u8],
        buf_len: u32,
    ) -> Result<BufRing<'static>, Errno> {
        // SAFETY: `bufs` is valid forever and only this BufRing can reach
        // it (the `&'static mut` moves in and is never handed back), which
        // is setup's promise for any time the kernel may write it.
        unsafe { BufRing::setup(ring, entries, bgid, flags, bufs, buf_len) }
    }

    /// Wraps a ring the caller registered on `ring` (e.g. with
    /// [`Ring::register_buf_ring`] over its own page-aligned memory) as
    /// group `bgid` with `entries` entries and registration `flags`; resets
    /// its tail. From now on the `BufRing` owns the registration: `free` or
    /// `Drop` unregisters the group; the ring memory is not unmapped.
    ///
    /// Kernel: 5.19+. Errors: `EBADF`, `EMFILE` and `EINVAL` as for
    /// [`setup`](Self::setup) (nothing is unregistered then).
    ///
    /// # Safety
    /// - group `bgid` of `ring` is registered over `br`, a ring of `entries`
    ///   entries, with `IOU_PBUF_RING_INC` exactly if `flags` has it (on an
    ///   incremental ring `push` counts free entries from the kernel's head);
    /// - nothing was consumed from it yet (the kernel's head is 0, as this
    ///   resets the tail to 0);
    /// - `br` stays valid and is not used through other pointers while the
    ///   group is registered (the `BufRing` unregisters it when dropped, so
    ///   `'a` is enough unless unregistering fails, see
    ///   [`setup`](Self::setup));
    /// - plus [`setup`](Self::setup)'s promise about `bufs`.
    ///
    /// See the [safety model](crate#safety-model).
    pub unsafe fn from_registered(
        ring: &Ring,
        br: NonNull<io_uring_buf_ring>,
        entries: u32,
        bgid: u16,
        flags: u32,
        bufs: &'a mut [u8],
        buf_len: u32,
    ) -> Result<Self, Errno> {
        let nbufs = Self::count_bufs(bufs.len(), buf_len, entries)?;
        let file = RingFile::dup(ring)?;
        // SAFETY: the caller promises `br` is a valid ring we now drive.
        unsafe { super::buf_ring_init(br.as_ptr()) };
        Ok(Self::new(
            br, entries, bgid, flags, false, bufs, buf_len, nbufs, file,
        ))
    }

    /// A `BufRing` over a ring in plain memory that no kernel ring knows
    /// (no fd, not registered, not mapped): the bookkeeping alone, for
    /// tests, Miri and the fuzz target. Resets the tail. `available` and
    /// `free` say `EBADF`; dropping it touches no kernel state.
    ///
    /// Errors: `EINVAL` as for [`setup`](Self::setup).
    ///
    /// # Safety
    /// `br` addresses `entries` (a power of two) ring entries, 8-aligned,
    /// valid for `'a` and used through no other pointer.
    /// See the [safety model](crate#safety-model).
    #[doc(hidden)]
    pub unsafe fn detached(
        br: NonNull<io_uring_buf_ring>,
        entries: u32,
        flags: u32,
        bufs: &'a mut [u8],
        buf_len: u32,
    ) -> Result<Self, Errno> {
        let nbufs = Self::count_bufs(bufs.len(), buf_len, entries)?;
        // SAFETY: the caller promises the ring memory.
        unsafe { super::buf_ring_init(br.as_ptr()) };
        let mut b = Self::new(
            br,
            entries,
            0,
            flags,
            false,
            bufs,
            buf_len,
            nbufs,
            RingFile::none(),
        );
        b.registered = false;
        Ok(b)
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
        file: RingFile,
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
            // Every constructor hands over a ring whose tail is 0
            // (`setup_buf_ring`, or reset by `buf_ring_init`).
            tail: 0,
            next: 0,
            head: 0,
            published: BidSet::EMPTY,
            room: 0,
            inc: None,
            registered: true,
            file,
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
    /// The raw ring, for the `buf_ring_*` functions. The `BufRing` keeps
    /// its own copy of the tail and its own state per buffer: entries
    /// added or published through this pointer are unknown to it (and its
    /// next commit stores its own tail over theirs).
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

    /// True while buffer `bid` is published (staged or in the ring: the
    /// kernel may pick it); false once a CQE passed to
    /// [`consume`](Self::consume) / [`consume_bundle`](Self::consume_bundle)
    /// released it, before it was ever pushed, and for a bid out of range.
    #[inline]
    pub fn is_published(&self, bid: u16) -> bool {
        u32::from(bid) < self.nbufs && self.published.contains(bid)
    }

    /// The whole of buffer `bid` (`buf_len` bytes), or `None` if it is out
    /// of range or published ([`is_published`](Self::is_published)): only a
    /// buffer the application owns is handed out.
    ///
    /// # Safety
    /// Every CQE passed so far to [`consume`](Self::consume) /
    /// [`consume_bundle`](Self::consume_bundle) of this `BufRing` was a real
    /// CQE of a request that selected a buffer from this group, passed once,
    /// in CQ order. (A made-up or repeated CQE releases a buffer the kernel
    /// may still write.)
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn buf(&self, bid: u16) -> Option<&[u8]> {
        if self.is_published(bid) {
            return None;
        }
        let p = self.buf_ptr(bid)?;
        // SAFETY: in bounds of `bufs`; the buffer is owned (not published,
        // or released by a real CQE, as the caller promises), so the kernel
        // is not writing it, and `&self` keeps push/recycle away.
        Some(unsafe { core::slice::from_raw_parts(p.as_ptr(), self.buf_len as usize) })
    }

    /// Mutable access to buffer `bid` (e.g. to fill it before a send), or
    /// `None` if it is out of range or published.
    ///
    /// # Safety
    /// As [`buf`](Self::buf).
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn buf_mut(&mut self, bid: u16) -> Option<&mut [u8]> {
        if self.is_published(bid) {
            return None;
        }
        let p = self.buf_ptr(bid)?;
        // SAFETY: as in `buf`, and `&mut self` makes this the only borrow.
        Some(unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), self.buf_len as usize) })
    }

    /// The bytes a completion reported, from [`consume`](Self::consume).
    ///
    /// # Safety
    /// - `c` came from [`consume`](Self::consume) on this `BufRing`, and
    ///   buffer `c.bid` was not pushed since that call (`push` refuses it
    ///   while the kernel keeps it after a `c.more` completion; once a later
    ///   CQE released it and it was pushed again, every earlier `Consumed`
    ///   naming it is stale);
    /// - every CQE passed so far to [`consume`](Self::consume) /
    ///   [`consume_bundle`](Self::consume_bundle) of this `BufRing` was a
    ///   real CQE of a request that selected a buffer from this group,
    ///   passed once, in CQ order (a made-up, repeated or reordered CQE
    ///   releases a buffer or moves the incremental offset while the kernel
    ///   still writes those bytes).
    ///
    /// A buffer is never in the ring twice (publishing refuses that), so
    /// no second request can write the bytes while they are borrowed.
    /// See the [safety model](crate#safety-model).
    #[inline]
    pub unsafe fn data(&self, c: &Consumed) -> &[u8] {
        let Some(p) = self.buf_ptr(c.bid) else {
            return &[];
        };
        // Clamp to the buffer. Only these bytes are borrowed: on incremental
        // rings the kernel may still be writing the rest of the buffer.
        // One compare when the completion lies inside (always, for what
        // `consume` returns from real CQEs).
        let size = self.buf_len as usize;
        let (mut start, mut len) = (c.offset as usize, c.len as usize);
        match start.checked_add(len) {
            Some(end) if end <= size => {}
            _ => {
                start = start.min(size);
                len = len.min(size - start);
            }
        }
        // SAFETY: [start, start + len) lies inside buffer `bid`, inside
        // `bufs`; the caller promises the kernel is done with these bytes,
        // and `&self` keeps push/recycle away while they are borrowed.
        unsafe { core::slice::from_raw_parts(p.as_ptr().add(start), len) }
    }

    /// Stages buffer `bid` with `len` bytes (at most `buf_len`) in the next
    /// free entry and marks it published; [`commit`](Self::commit) makes
    /// staged entries visible to the kernel.
    ///
    /// Only a buffer the application owns can be pushed (never pushed, or
    /// released by a CQE passed to [`consume`](Self::consume) /
    /// [`consume_bundle`](Self::consume_bundle) since it was last pushed).
    ///
    /// Writes the entry as `buf_ring_add` (liburing's
    /// `io_uring_buf_ring_add()`) does. Errors:
    /// `EINVAL` for a bid out of range or `len > buf_len`; `EBUSY` if the
    /// buffer is already published (staged or in the ring); `ENOBUFS` when
    /// another entry would overwrite one the kernel has not consumed: the
    /// published entries not released (from the head to the tail) plus the
    /// staged ones fill all `entries`. The head is the one tracked from the
    /// CQEs, except on incremental rings registered with a kernel, where it
    /// is the kernel's own (read with `IORING_REGISTER_PBUF_STATUS` when the
    /// entries proven free by the last read run out; its errors, e.g.
    /// `ENOENT`, are returned then).
    #[inline]
    pub fn push(&mut self, bid: u16, len: u32) -> Result<(), Errno> {
        if len > self.buf_len {
            return Err(Errno::EINVAL);
        }
        let pos = self.next;
        self.stage(pos, bid, len)?;
        self.next = pos.wrapping_add(1);
        Ok(())
    }

    /// `push`'s work but the count: checks `bid` (in range, owned), claims
    /// the entry at ring position `pos` (`next`, not masked), writes it
    /// there and marks the buffer published; the caller counts it as
    /// staged or publishes it.
    #[inline(always)]
    fn stage(&mut self, pos: u32, bid: u16, len: u32) -> Result<(), Errno> {
        let p = self.buf_ptr(bid).ok_or(Errno::EINVAL)?;
        // SAFETY: bid < nbufs (`buf_ptr` checked) <= entries <= 32768
        // (`count_bufs`, before any `BufRing` is made). One word read,
        // tested here and updated once every check passed.
        let word = unsafe { self.published.word(bid) };
        if BidSet::has(word, bid) {
            return Err(Errno::EBUSY);
        }
        self.take_entry(pos)?;
        // SAFETY: our ring of `entries` entries, index masked with
        // `entries - 1`; the buffer lies in `bufs`, borrowed for 'a (the
        // setup promise covers the kernel's later writes), `len <=
        // buf_len`. `take_entry` proved the entry free of the kernel (see
        // there for non-incremental rings).
        unsafe {
            write_entry(
                self.br.as_ptr(),
                (pos as i32 & self.mask) as isize,
                p.as_ptr().cast(),
                len,
                bid,
            )
        };
        // The bit was clear (tested above; `take_entry` leaves the bitmap
        // alone). SAFETY: bid < 32768 as above.
        unsafe { self.published.flip_in_place(bid) };
        Ok(())
    }

    /// Claims the entry after the staged ones for a push, or `ENOBUFS`.
    ///
    /// Every ring: published-not-released plus staged entries stay below
    /// `entries` by the tracked head. (Published buffers always equal
    /// `next - head`, staged entries included, so with `nbufs <= entries`
    /// this holds for any push of an owned buffer; it is the last line,
    /// kept because it is one subtraction and one compare.)
    ///
    /// Non-incremental rings need no more, even when made-up CQEs moved the
    /// tracked head ahead of the kernel's and a push rewrites an entry the
    /// kernel has not consumed: the kernel only reads entries (bundles may
    /// lower an entry's `len`, never raise it), and every entry we write
    /// has `addr` = the start of a buffer in `bufs` and `len <= buf_len`
    /// (`addr` is one aligned 8-byte store, `len` one 4-byte store), so
    /// whatever mix of old and new fields the kernel reads, it writes at
    /// most `buf_len` bytes from the start of a buffer: inside `bufs`.
    /// What a made-up CQE can break is only the readers' promise, which
    /// they state.
    ///
    /// Incremental rings registered with a kernel: the kernel rewrites the
    /// entry it is consuming (`addr += used; len = remaining`), so a push
    /// racing that store could leave `addr = new buffer + used` with
    /// `len = buf_len`: up to `used` bytes past the buffer, past `bufs`
    /// for the last bid. So the room rests on the kernel's head, which
    /// only moves forward: `room` entries after it proven free by the last
    /// read stay free, and the head is read again (one syscall) only when
    /// they are used up.
    #[inline(always)]
    fn take_entry(&mut self, next: u32) -> Result<(), Errno> {
        // Published-not-released plus staged: `next - head`.
        if next.wrapping_sub(self.head) >= self.entries {
            return Err(Errno::ENOBUFS);
        }
        if self.is_incremental() && self.registered {
            if self.room == 0 {
                self.refresh_room()?;
            }
            self.room -= 1;
        }
        Ok(())
    }

    /// Incremental rings registered with a kernel, when the entries proven
    /// free are used up: reads the kernel's head (one syscall) and counts
    /// them again; `ENOBUFS` if none is free. Out of line: a push's common
    /// path keeps no register for the syscall.
    #[cold]
    #[inline(never)]
    fn refresh_room(&mut self) -> Result<(), Errno> {
        let kernel_head = self.file.group_head(self.bgid)?;
        // Committed and staged entries the kernel has not consumed.
        let used = u32::from((self.next as u16).wrapping_sub(kernel_head));
        self.room = self.entries.saturating_sub(used);
        if self.room == 0 {
            return Err(Errno::ENOBUFS);
        }
        Ok(())
    }

    /// Drops the last `n` staged entries (never visible to the kernel: it
    /// reads only up to the tail) and marks their buffers owned again.
    fn unstage(&mut self, n: u16) {
        for _ in 0..u32::from(n).min(self.next.wrapping_sub(self.tail)) {
            self.next = self.next.wrapping_sub(1);
            let (bid, _) = self.entry(self.next as u16);
            // Staged entries hold bids below nbufs (`stage` checked).
            self.published.remove(bid);
        }
    }

    /// Publishes the staged entries (one release store of the tail).
    ///
    /// As `buf_ring_advance` (liburing's `io_uring_buf_ring_advance()`),
    /// from the `BufRing`'s own copy of the tail.
    #[inline]
    pub fn commit(&mut self) {
        if self.next != self.tail {
            self.tail = self.next;
            // SAFETY: our live ring; the entries up to the new tail were
            // written by `stage`.
            unsafe { store_tail(self.br.as_ptr(), self.tail as u16) };
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
    /// Errors: as [`push`](Self::push) (`EBUSY` if it is already
    /// published); nothing is committed then.
    #[inline]
    pub fn recycle(&mut self, bid: u16) -> Result<(), Errno> {
        // push + commit in one: the new tail is just past this entry.
        let pos = self.next;
        self.stage(pos, bid, self.buf_len)?;
        self.next = pos.wrapping_add(1);
        self.tail = self.next;
        // SAFETY: our live ring; the entries up to the new tail were
        // written by `stage` (the staged ones before, this one last).
        unsafe { store_tail(self.br.as_ptr(), self.tail as u16) };
        Ok(())
    }

    /// Publishes, whole, every buffer the application owns (bids
    /// `0..nbufs` that are not published; those are left as they are), and
    /// commits them together with any entries staged before.
    ///
    /// All or nothing: on an error none of this call's buffers is staged
    /// and nothing is committed.
    ///
    /// Errors: as [`push`](Self::push), except `EBUSY` (published buffers
    /// are skipped).
    pub fn publish_all(&mut self) -> Result<(), Errno> {
        let mut n: u16 = 0;
        for bid in 0..self.nbufs as u16 {
            if self.is_published(bid) {
                continue;
            }
            if let Err(e) = self.push(bid, self.buf_len) {
                self.unstage(n);
                return Err(e);
            }
            n += 1;
        }
        self.commit();
        Ok(())
    }

    /// Published entries not yet released by a CQE: tail minus the
    /// tracked head (at most `entries`, as `push` and `consume` keep it).
    #[inline(always)]
    fn in_ring(&self) -> u32 {
        self.tail.wrapping_sub(self.head)
    }

    /// Published buffers the kernel has not consumed yet (asked of the
    /// `BufRing`'s own ring file).
    ///
    /// Mirrors `io_uring_buf_ring_available()` (liburing). Kernel: 6.8+.
    /// Errors: as [`Ring::buf_ring_head`] (`ENOENT` if the group was
    /// unregistered behind the `BufRing`'s back with
    /// [`Ring::unregister_buf_ring`]).
    pub fn available(&self) -> Result<u16, Errno> {
        let head = self.file.group_head(self.bgid)?;
        Ok((self.tail as u16).wrapping_sub(head))
    }

    /// Decodes a completion that picked one buffer: its id, where its data
    /// starts (incremental rings) and whether the kernel keeps the rest
    /// (`IORING_CQE_F_BUF_MORE`). Without `IORING_CQE_F_BUF_MORE` the CQE
    /// releases the buffer: it is owned by the application again.
    ///
    /// `None` (and no state changes) without `IORING_CQE_F_BUFFER`, for an
    /// id out of range, for a buffer that is not published, or when no
    /// committed entry is outstanding (every one was released already):
    /// no request can have picked it, so the CQE is not a real one of this
    /// group.
    ///
    /// Updates the tracking of partially used buffers and of the kernel's
    /// head; call it once per CQE of this group, in CQ order.
    #[inline]
    pub fn consume(&mut self, res: i32, flags: u32) -> Option<Consumed> {
        let bid = cqe_bid(flags)?;
        if u32::from(bid) >= self.nbufs || self.tail == self.head {
            return None;
        }
        // SAFETY: bid < nbufs (checked above) <= entries <= 32768
        // (`count_bufs`, before any `BufRing` is made). One word read,
        // tested here and cleared below.
        let word = unsafe { self.published.word(bid) };
        if !BidSet::has(word, bid) {
            return None;
        }
        let more = flags & IORING_CQE_F_BUF_MORE != 0;
        if !more {
            // The bit was set (tested above). SAFETY: bid < 32768 as above.
            unsafe { self.published.flip_in_place(bid) };
            // tail != head: never past the tail.
            self.head = self.head.wrapping_add(1);
        }
        let len = res.max(0) as u32;
        // Only incremental rings continue a buffer (and read `inc`).
        let offset = if self.is_incremental() {
            self.continue_inc(bid, len, more)
        } else {
            0
        };
        Some(Consumed {
            bid,
            offset,
            len,
            more,
        })
    }

    /// Incremental rings, for a completion of `len` bytes in buffer `bid`
    /// that [`consume`](Self::consume) accepted: where its data starts
    /// (after the previous completions' in the same buffer), and where the
    /// next one starts if the kernel keeps the buffer (`more`).
    #[inline]
    fn continue_inc(&mut self, bid: u16, len: u32, more: bool) -> u32 {
        let offset = match self.inc {
            Some((b, off)) if b == bid => off,
            _ => 0,
        };
        self.inc = more.then(|| (bid, offset.saturating_add(len)));
        offset
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
    /// length until `res` is covered, and releases each buffer (owned by the
    /// application again).
    ///
    /// Example: [`prep::send_bundle`](crate::prep::send_bundle)'s runs a
    /// bundle send on the kernel and walks its buffers with this and
    /// [`bundle_bufs`](Self::bundle_bufs); the `echo` and `tcp_nolibc`
    /// examples use it for bundles in an event loop.
    ///
    /// Errors (nothing changes then): `EINVAL` if the CQE carries no
    /// buffer, the entry at the tracked head is not that buffer
    /// (completions consumed out of order), an entry walked names a buffer
    /// that is not published, or the ring is incremental (the kernel zeroes
    /// the length of each entry it used up there, so the walk cannot be
    /// done); `ERANGE` if the entries cannot cover `res`.
    pub fn consume_bundle(&mut self, res: i32, flags: u32) -> Result<Bundle, Errno> {
        let bid = cqe_bid(flags).ok_or(Errno::EINVAL)?;
        if self.is_incremental() {
            return Err(Errno::EINVAL);
        }
        let start = self.head as u16;
        if self.entry(start).0 != bid {
            return Err(Errno::EINVAL);
        }
        let total = res.max(0) as u32;
        let mut left = total;
        let mut count: u16 = 0;
        // Only published entries can have been used.
        let limit = self.in_ring().min(self.entries);
        let mut failed = None;
        while left > 0 {
            if u32::from(count) >= limit {
                failed = Some(Errno::ERANGE);
                break;
            }
            let (b, len) = self.entry(start.wrapping_add(count));
            if len == 0 {
                failed = Some(Errno::ERANGE);
                break;
            }
            // Released as we walk, so a buffer named twice fails too.
            if u32::from(b) >= self.nbufs || !self.published.remove(b) {
                failed = Some(Errno::EINVAL);
                break;
            }
            left = left.saturating_sub(len);
            count += 1;
        }
        if let Some(e) = failed {
            // Undo: the `count` entries walked were all published.
            for k in 0..count {
                self.published.insert(self.entry(start.wrapping_add(k)).0);
            }
            return Err(e);
        }
        self.head = self.head.wrapping_add(u32::from(count));
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
        self.head as u16
    }

    /// Unregisters the group through the `BufRing`'s own ring file, then
    /// releases what it holds (as dropping it does, but reporting the
    /// error). After this no request picks a buffer of the group; requests
    /// that picked one before write it until their CQE (see
    /// [`setup`](Self::setup)).
    ///
    /// Mirrors `io_uring_free_buf_ring()` (liburing). Kernel: 5.19+.
    /// Errors: `ENOENT` (the group was unregistered behind the `BufRing`'s
    /// back), `EEXIST` (another thread than the submitter of an
    /// IORING_SETUP_SINGLE_ISSUER ring), `EACCES` (registration
    /// restrictions); the memory and fd are released all the same.
    pub fn free(mut self) -> Result<(), Errno> {
        self.registered = false;
        self.file.unregister_group(self.bgid)
    }
}

impl Drop for BufRing<'_> {
    fn drop(&mut self) {
        if self.registered {
            // Best effort; `free` reports the error. Unregistering first
            // means no request picks a buffer once the BufRing is gone.
            let _ = self.file.unregister_group(self.bgid);
        }
        if self.mapped {
            let size = self.entries as usize * size_of::<io_uring_buf>();
            // SAFETY: our own mapping of `size` bytes from setup_buf_ring;
            // nothing of ours uses it after this. Even if the group is still
            // registered (unregistering failed) the kernel never touches our
            // range: it reaches the entries through its own mapping of the
            // pages (kernel-allocated, or ours pinned at registration).
            let _ = unsafe { crate::syscall::munmap(self.br.as_ptr().cast(), size) };
        }
        // `file` closes the ring fd duplicate when the fields drop, last.
    }
}
