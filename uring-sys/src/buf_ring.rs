//! Accessors for [`io_uring_buf_ring`], whose header `tail` shares its
//! first 16 bytes with `bufs[0]` (a C anonymous union).

use crate::bindings::{io_uring_buf, io_uring_buf_ring};

impl io_uring_buf_ring {
    /// Pointer to `br->tail` (byte 14), the producer index the kernel reads.
    /// Access it atomically (release store) once buffers are published.
    #[inline(always)]
    pub fn tail_ptr(this: *mut Self) -> *mut u16 {
        // The header overlays bufs[0]: resv1 (u64), resv2 (u32), resv3 (u16), tail (u16).
        this.cast::<u8>().wrapping_add(14).cast::<u16>()
    }
    /// Pointer to `br->bufs[0]`; entry `i` is `bufs_ptr(br).add(i)`.
    #[inline(always)]
    pub fn bufs_ptr(this: *mut Self) -> *mut io_uring_buf {
        this.cast::<io_uring_buf>()
    }
    /// `br->resv1` (bytes 0..8 of the header; `bufs[0].addr`).
    #[inline(always)]
    pub const fn resv1(&self) -> u64 {
        self.bindgen_union_field()[0]
    }
    /// Sets `resv1`.
    #[inline(always)]
    pub const fn set_resv1(&mut self, v: u64) {
        self.bytes_mut(0, v.to_ne_bytes());
    }
    /// `br->resv2` (bytes 8..12; `bufs[0].len`).
    #[inline(always)]
    pub const fn resv2(&self) -> u32 {
        self.bindgen_union_field()[1] as u32
    }
    /// Sets `resv2`.
    #[inline(always)]
    pub const fn set_resv2(&mut self, v: u32) {
        self.bytes_mut(8, v.to_ne_bytes());
    }
    /// `br->resv3` (bytes 12..14; `bufs[0].bid`).
    #[inline(always)]
    pub const fn resv3(&self) -> u16 {
        let b = self.bindgen_union_field()[1].to_ne_bytes();
        u16::from_ne_bytes([b[4], b[5]])
    }
    /// Sets `resv3`.
    #[inline(always)]
    pub const fn set_resv3(&mut self, v: u16) {
        self.bytes_mut(12, v.to_ne_bytes());
    }
    /// `br->tail` (bytes 14..16). For a ring the kernel reads, use
    /// [`tail_ptr`](Self::tail_ptr) with a release store instead.
    #[inline(always)]
    pub const fn tail(&self) -> u16 {
        let b = self.bindgen_union_field()[1].to_ne_bytes();
        u16::from_ne_bytes([b[6], b[7]])
    }
    /// Sets `tail` (plain store; see [`tail`](Self::tail)).
    #[inline(always)]
    pub const fn set_tail(&mut self, v: u16) {
        self.bytes_mut(14, v.to_ne_bytes());
    }
    /// The 16 header bytes as two `u64`s.
    #[inline(always)]
    const fn bindgen_union_field(&self) -> [u64; 2] {
        self.__bindgen_anon_1.bindgen_union_field
    }
    /// Writes `N` bytes at byte `at` of the 16-byte header.
    #[inline(always)]
    const fn bytes_mut<const N: usize>(&mut self, at: usize, v: [u8; N]) {
        let w = &mut self.__bindgen_anon_1.bindgen_union_field;
        let mut b = [w[0].to_ne_bytes(), w[1].to_ne_bytes()];
        let mut i = 0;
        while i < N {
            b[(at + i) / 8][(at + i) % 8] = v[i];
            i += 1;
        }
        *w = [u64::from_ne_bytes(b[0]), u64::from_ne_bytes(b[1])];
    }
}
