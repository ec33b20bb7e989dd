//! An arena in the style of a custom allocator that hosts io_uring rings:
//! one 2 MiB region, from which it carves ring memory
//! (`IORING_SETUP_NO_MMAP`), provided-buffer-ring entries and the buffers
//! themselves. After the region exists, creating a ring makes no `mmap`
//! call and no heap allocation: only `io_uring_setup` (and
//! `io_uring_register` for a buffer ring).
//!
//! The region is one `MAP_HUGETLB` mapping when the system has a free
//! 2 MiB huge page, else one ordinary anonymous mapping
//! ([`Arena::map`]), or any memory the caller lends, such as a `static`
//! ([`Arena::from_raw`]).
//!
//! Allocation is a bump pointer: memory is never reused while the arena
//! lives. That is not laziness: the kernel tears a ring down
//! asynchronously after its fd is closed and may still post completions
//! into its memory, so handing that memory to a new ring right away would
//! let the old ring write into the new one.
//!
//! Used by `examples/arena/main.rs` and `tests/arena.rs`.

use core::cell::Cell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

use bare_uring::buf_ring::BufRing;
use bare_uring::ring::{memory_layout, Params};
use bare_uring::sys::io_uring_buf_reg;
use bare_uring::syscall::{self, MAP_ANONYMOUS, MAP_HUGETLB, MAP_PRIVATE, PROT_RW};
use bare_uring::{Errno, Ring};

/// Size of the region [`Arena::map`] makes: one x86_64 huge page.
pub const REGION: usize = 2 << 20;
/// Alignment of everything handed to the kernel as ring memory.
pub const PAGE: usize = 4096;

/// Where an arena's region came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// One `MAP_HUGETLB` mapping (a 2 MiB huge page).
    HugePage,
    /// One anonymous mapping of normal pages (no huge page was free).
    Anonymous,
    /// Caller memory ([`Arena::from_raw`]); never unmapped by the arena.
    Borrowed,
}

/// A bump allocator over one region, serving rings and buffer rings.
pub struct Arena {
    base: NonNull<u8>,
    len: usize,
    next: Cell<usize>,
    source: Source,
}

impl Arena {
    /// Maps one [`REGION`]-byte region: a huge page if one is free, else
    /// normal pages. This is the arena's only `mmap`.
    ///
    /// Errors: `ENOMEM` (and other `mmap(2)` errors) when neither mapping
    /// can be made.
    pub fn map() -> Result<Arena, Errno> {
        let null = core::ptr::null_mut();
        let flags = MAP_PRIVATE | MAP_ANONYMOUS;
        // SAFETY: a fresh anonymous mapping at an address of the kernel's
        // choosing overlaps nothing of ours.
        let (p, source) =
            match unsafe { syscall::mmap(null, REGION, PROT_RW, flags | MAP_HUGETLB, -1, 0) } {
                Ok(p) => (p, Source::HugePage),
                // No huge page reserved (nr_hugepages = 0 is the default).
                // SAFETY: as above.
                Err(_) => (
                    unsafe { syscall::mmap(null, REGION, PROT_RW, flags, -1, 0) }?,
                    Source::Anonymous,
                ),
            };
        let base = NonNull::new(p.cast::<u8>()).ok_or(Errno::ENOMEM)?;
        Ok(Arena {
            base,
            len: REGION,
            next: Cell::new(0),
            source,
        })
    }

    /// An arena over caller memory, e.g. a `static` array.
    ///
    /// # Safety
    /// `base` is valid for reads and writes of `len` bytes, used by nothing
    /// else while the arena or anything carved from it lives, and stays
    /// valid until every ring created from the arena has been dropped and
    /// torn down by the kernel (a `static` always is).
    pub unsafe fn from_raw(base: NonNull<u8>, len: usize) -> Arena {
        Arena {
            base,
            len,
            next: Cell::new(0),
            source: Source::Borrowed,
        }
    }

    /// Where the region came from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// The region: start address and length.
    pub fn region(&self) -> (*const u8, usize) {
        (self.base.as_ptr(), self.len)
    }

    /// Bytes handed out so far (including alignment padding).
    pub fn used(&self) -> usize {
        self.next.get()
    }

    /// True if `p` points into the region.
    pub fn contains(&self, p: *const u8) -> bool {
        (p as usize).wrapping_sub(self.base.as_ptr() as usize) < self.len
    }

    /// Carves `size` bytes aligned to `align` (a power of two).
    ///
    /// Errors: `ENOMEM` when the region has no room left; `EINVAL` for an
    /// `align` that is not a power of two.
    pub fn alloc(&self, size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
        if !align.is_power_of_two() {
            return Err(Errno::EINVAL);
        }
        let base = self.base.as_ptr() as usize;
        let start = base
            .checked_add(self.next.get())
            .and_then(|a| a.checked_add(align - 1))
            .map(|a| (a & !(align - 1)) - base)
            .ok_or(Errno::ENOMEM)?;
        let end = start.checked_add(size).ok_or(Errno::ENOMEM)?;
        if end > self.len {
            return Err(Errno::ENOMEM);
        }
        self.next.set(end);
        // SAFETY: start < len: the pointer is inside the region, not null.
        Ok(unsafe { NonNull::new_unchecked(self.base.as_ptr().add(start)) })
    }

    /// Sets up a ring of `entries` SQ entries with parameters `p` (NO_MMAP
    /// is added) in memory carved from the arena: exactly the size and
    /// alignment [`memory_layout`] asks for.
    ///
    /// Errors: `ENOMEM` when the arena is full (nothing is consumed then),
    /// else those of `Ring::queue_init_mem`.
    pub fn ring(&self, entries: u32, p: &mut Params) -> Result<ArenaRing<'_>, Errno> {
        let l = memory_layout(entries, p)?;
        let mark = self.next.get();
        let mem = self.alloc(l.size, l.align)?;
        // SAFETY: fresh arena memory of l.size bytes, l.align-aligned,
        // handed out once and never reused while the arena lives; the
        // returned ring borrows the arena, so it cannot outlive it.
        match unsafe { Ring::queue_init_mem(entries, p, mem.as_ptr(), l.size) } {
            Ok(ring) => Ok(ArenaRing {
                ring,
                _arena: PhantomData,
            }),
            Err(e) => {
                // Nothing was set up in it: give the space back.
                self.next.set(mark);
                Err(e)
            }
        }
    }

    /// Registers a provided buffer ring with `ring` as group `bgid`: its
    /// `entries` ring entries (a power of two) and `entries` buffers of
    /// `buf_len` bytes are carved from the arena. No buffer is published:
    /// call `publish_all` on the result.
    ///
    /// Errors: `ENOMEM` when the arena is full; those of
    /// `Ring::register_buf_ring` (`EEXIST` group taken, `EINVAL`).
    pub fn buf_ring(
        &self,
        ring: &Ring,
        entries: u32,
        bgid: u16,
        buf_len: u32,
    ) -> Result<BufRing<'_>, Errno> {
        if !entries.is_power_of_two() || entries > 32768 || buf_len == 0 {
            return Err(Errno::EINVAL);
        }
        let mark = self.next.get();
        let undo = |e| {
            self.next.set(mark);
            Err(e)
        };
        // The kernel wants the entries page-aligned (16 bytes each).
        let br = match self.alloc(entries as usize * 16, PAGE) {
            Ok(p) => p,
            Err(e) => return undo(e),
        };
        let bufs_len = match (entries as usize).checked_mul(buf_len as usize) {
            Some(n) => n,
            None => return undo(Errno::EINVAL),
        };
        let bufs = match self.alloc(bufs_len, 64) {
            Ok(p) => p,
            Err(e) => return undo(e),
        };
        let reg = io_uring_buf_reg {
            ring_addr: br.as_ptr() as u64,
            ring_entries: entries,
            bgid,
            ..Default::default()
        };
        // SAFETY: the entries live in the arena, page-aligned, for as long
        // as the arena, which outlives the ring's use of them (the BufRing
        // and ArenaRings borrow it).
        if let Err(e) = unsafe { ring.register_buf_ring(&reg, 0) } {
            return undo(e);
        }
        // SAFETY: bufs_len fresh arena bytes, not handed out again: the
        // only reference to them.
        let bufs = unsafe { core::slice::from_raw_parts_mut(bufs.as_ptr(), bufs_len) };
        // SAFETY: `br` is the ring just registered on `ring` with `entries`
        // entries and no flags (not incremental), nothing consumed from it
        // yet, valid for the arena's life; the kernel writes a buffer
        // only while the group is registered (the BufRing unregisters it
        // when dropped, within the arena's life) and until the CQE of the
        // request that picked it, which the arena's user reaps first.
        match unsafe { BufRing::from_registered(ring, br.cast(), entries, bgid, 0, bufs, buf_len) }
        {
            Ok(b) => Ok(b),
            Err(e) => {
                // SAFETY: the group this function registered by hand; no BufRing
                // owns it.
                let _ = unsafe { ring.unregister_buf_ring(bgid) };
                undo(e)
            }
        }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        if self.source != Source::Borrowed {
            // SAFETY: our mapping; every ring borrowed the arena and is
            // gone. Pages the kernel still pins for a ring being torn down
            // stay alive until it lets go, and nothing else gets them.
            let _ = unsafe { syscall::munmap(self.base.as_ptr().cast(), self.len) };
        }
    }
}

/// A ring whose memory belongs to an [`Arena`]: derefs to `Ring`, and
/// cannot outlive the arena.
pub struct ArenaRing<'a> {
    ring: Ring,
    _arena: PhantomData<&'a Arena>,
}

impl Deref for ArenaRing<'_> {
    type Target = Ring;
    fn deref(&self) -> &Ring {
        &self.ring
    }
}

impl DerefMut for ArenaRing<'_> {
    fn deref_mut(&mut self) -> &mut Ring {
        &mut self.ring
    }
}
