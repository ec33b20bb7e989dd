//! [`RingMem`]: page-aligned `static` memory for IORING_SETUP_NO_MMAP rings
//! that can be handed out once, safely.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// `N` bytes of page-aligned memory for a NO_MMAP ring, meant to be a
/// `static`: [`take`](Self::take) hands it out once, as the `&'static mut
/// [u8]` that [`Ring::queue_init_static`](crate::Ring::queue_init_static)
/// wants, and never again. That is what makes NO_MMAP rings safe: the kernel
/// may write completions into ring memory after the ring is dropped (its
/// teardown is asynchronous), and memory that is never handed out twice
/// cannot be reused meanwhile.
///
/// Aligned to 64 KiB, the largest Linux page size (aarch64, powerpc64 and
/// loongarch64 kernels may use 16 or 64 KiB pages); on x86_64 to 4 KiB. In
/// `.bss`, it costs no file size. Size it with
/// [`memory_size`](crate::ring::memory_size).
///
/// No liburing equivalent (liburing's `io_uring_queue_init_mem()` takes any
/// caller buffer; so does the `unsafe` [`Ring::queue_init_mem`](crate::Ring::queue_init_mem)).
///
/// ```
/// use bare_uring::ring::RingMem;
/// static MEM: RingMem<8192> = RingMem::new();
/// let m = MEM.take().unwrap();
/// assert_eq!(m.len(), 8192);
/// assert!(MEM.take().is_none()); // never twice
/// ```
#[cfg_attr(target_arch = "x86_64", repr(C, align(4096)))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C, align(65536)))]
pub struct RingMem<const N: usize> {
    mem: UnsafeCell<[u8; N]>,
    taken: AtomicBool,
}

// SAFETY: the bytes are only reachable through `take`, which hands them out
// at most once (an atomic swap), so no two threads ever share them.
unsafe impl<const N: usize> Sync for RingMem<N> {}

impl<const N: usize> RingMem<N> {
    /// Zeroed, not yet taken.
    pub const fn new() -> Self {
        RingMem {
            mem: UnsafeCell::new([0; N]),
            taken: AtomicBool::new(false),
        }
    }

    /// The memory, the first time; `None` ever after.
    // A `&mut` from `&self`: the UnsafeCell pattern, made exclusive by the
    // atomic swap (one taker, ever).
    #[allow(clippy::mut_from_ref)]
    pub fn take(&'static self) -> Option<&'static mut [u8]> {
        // Relaxed is enough: the swap itself is the only synchronisation
        // needed (exactly one caller sees `false`); the bytes were zero
        // from program start.
        if self.taken.swap(true, Ordering::Relaxed) {
            return None;
        }
        // SAFETY: only the one caller that saw `false` gets here, so this
        // is the only reference to the bytes, for the rest of the program.
        Some(unsafe { &mut *self.mem.get() })
    }
}

impl<const N: usize> Default for RingMem<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for RingMem<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RingMem")
            .field("len", &N)
            .field("taken", &self.taken.load(Ordering::Relaxed))
            .finish()
    }
}
