//! The C functions `core` calls: `memcpy`, `memmove`, `memset`, `memcmp`,
//! `bcmp` (LLVM lowers struct copies, zeroing and slice comparisons to
//! them) and `strlen` (`CStr::from_ptr`). With no libc, nothing else
//! provides them (`compiler_builtins` exports its own only on bare-metal
//! targets).
//!
//! Each is written so that LLVM cannot recognise it as the very function
//! it defines and compile it into a call to itself: `rep movsb`/`rep
//! stosb` inline assembly on x86_64 (short and, on CPUs with ERMSB, fast),
//! byte loops with volatile accesses elsewhere (which no idiom recogniser
//! may merge). The exported symbols exist only in `panic = "abort"` Linux
//! builds (see the crate docs); the bodies are tested in every build.

// Unused (but tested) where the symbols are not exported.
#![cfg_attr(not(all(panic = "abort", target_os = "linux")), allow(dead_code))]

use core::ffi::c_char;
use core::ptr::read_volatile;
#[cfg(not(target_arch = "x86_64"))]
use core::ptr::write_volatile;

/// `memcpy(3)`.
///
/// # Safety
/// `d` is valid for writes and `s` for reads of `n` bytes; the ranges do
/// not overlap.
#[inline(always)]
unsafe fn copy(d: *mut u8, s: *const u8, n: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `rep movsb` copies rcx bytes from rsi to rdi, forwards (the
    // direction flag is clear, as the ABI guarantees at every call); the
    // caller vouches for the ranges.
    unsafe {
        core::arch::asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") d => _,
            inout("rsi") s => _,
            options(nostack, preserves_flags)
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n; the caller vouches for both ranges.
            unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
            i += 1;
        }
    }
}

/// `memmove(3)`: forwards, or backwards when `d` is above an overlapping
/// `s`.
///
/// # Safety
/// `d` is valid for writes and `s` for reads of `n` bytes.
#[inline(always)]
unsafe fn copy_overlapping(d: *mut u8, s: *const u8, n: usize) {
    if (d as usize).wrapping_sub(s as usize) >= n {
        // SAFETY: `d` is below `s` or at least `n` above it: a forward copy
        // reads every byte before it is overwritten.
        return unsafe { copy(d, s, n) };
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: with the direction flag set, `rep movsb` copies from the
    // last byte down, which is right for `d` above `s`; the flag is
    // cleared again as the ABI requires. The caller vouches for the ranges
    // (n > 0 here: d - s < n).
    unsafe {
        core::arch::asm!(
            "std",
            "rep movsb",
            "cld",
            inout("rcx") n => _,
            inout("rdi") d.add(n - 1) => _,
            inout("rsi") s.add(n - 1) => _,
            options(nostack)
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut i = n;
        while i > 0 {
            i -= 1;
            // SAFETY: i < n; downwards is right for `d` above `s`.
            unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
        }
    }
}

/// `memset(3)`.
///
/// # Safety
/// `d` is valid for writes of `n` bytes.
#[inline(always)]
unsafe fn fill(d: *mut u8, c: u8, n: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `rep stosb` stores al into rcx bytes from rdi, forwards; the
    // caller vouches for the range.
    unsafe {
        core::arch::asm!(
            "rep stosb",
            inout("rcx") n => _,
            inout("rdi") d => _,
            in("al") c,
            options(nostack, preserves_flags)
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n; the caller vouches for the range.
            unsafe { write_volatile(d.add(i), c) };
            i += 1;
        }
    }
}

/// `memcmp(3)`: the difference of the first differing bytes (as unsigned
/// char), or 0.
///
/// # Safety
/// `a` and `b` are valid for reads of `n` bytes.
#[inline(always)]
unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n, in range of both; volatile keeps LLVM from
        // turning the loop back into a memcmp/bcmp call.
        let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// `strlen(3)`.
///
/// # Safety
/// `s` points to a NUL-terminated string.
#[inline(always)]
unsafe fn length(s: *const c_char) -> usize {
    let mut n = 0;
    // SAFETY: every byte up to and including the NUL is readable (the
    // caller's contract); the loop stops at the NUL. Volatile: not turned
    // into a strlen call.
    while unsafe { read_volatile(s.add(n)) } != 0 {
        n += 1;
    }
    n
}

/// The exported symbols, for `panic = "abort"` Linux builds (see the
/// crate docs: a std program has libc's).
#[cfg(all(panic = "abort", target_os = "linux"))]
mod exported {
    use core::ffi::c_char;

    /// `memcpy(3)`.
    ///
    /// # Safety
    /// `d` is valid for writes and `s` for reads of `n` bytes; the ranges
    /// do not overlap.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the same contract.
        unsafe { super::copy(d, s, n) };
        d
    }

    /// `memmove(3)`.
    ///
    /// # Safety
    /// `d` is valid for writes and `s` for reads of `n` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the same contract.
        unsafe { super::copy_overlapping(d, s, n) };
        d
    }

    /// `memset(3)`.
    ///
    /// # Safety
    /// `d` is valid for writes of `n` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the same contract; memset stores `(unsigned char)c`.
        unsafe { super::fill(d, c as u8, n) };
        d
    }

    /// `memcmp(3)`.
    ///
    /// # Safety
    /// `a` and `b` are valid for reads of `n` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: the same contract.
        unsafe { super::compare(a, b, n) }
    }

    /// `bcmp(3)`: LLVM's name for a `memcmp` whose result is only compared
    /// with 0.
    ///
    /// # Safety
    /// `a` and `b` are valid for reads of `n` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: the same contract.
        unsafe { super::compare(a, b, n) }
    }

    /// `strlen(3)`: `core` calls it in `CStr::from_ptr`.
    ///
    /// # Safety
    /// `s` points to a NUL-terminated string.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn strlen(s: *const c_char) -> usize {
        // SAFETY: the same contract.
        unsafe { super::length(s) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(n: usize) -> [u8; 64] {
        let mut b = [0u8; 64];
        for (i, x) in b.iter_mut().enumerate().take(n) {
            *x = (i as u8).wrapping_mul(37).wrapping_add(1);
        }
        b
    }

    #[test]
    fn copy_and_fill() {
        for n in [0, 1, 7, 63] {
            let s = pattern(n);
            let mut d = [0xAAu8; 64];
            // SAFETY: both arrays hold 64 >= n bytes and are distinct.
            unsafe { copy(d.as_mut_ptr(), s.as_ptr(), n) };
            assert_eq!(d[..n], s[..n]);
            assert!(d[n..].iter().all(|&x| x == 0xAA), "copied past n={n}");
            // SAFETY: d holds 64 >= n bytes.
            unsafe { fill(d.as_mut_ptr(), 0x5C, n) };
            assert!(d[..n].iter().all(|&x| x == 0x5C));
            assert!(d[n..].iter().all(|&x| x == 0xAA), "filled past n={n}");
        }
    }

    #[test]
    fn overlapping_copies_both_ways() {
        let orig = pattern(64);
        for (from, to, n) in [
            (0, 5, 40),
            (5, 0, 40),
            (3, 4, 60),
            (4, 3, 60),
            (10, 10, 20),
            (0, 0, 0),
        ] {
            let mut b = orig;
            let mut want = orig;
            want.copy_within(from..from + n, to);
            let p = b.as_mut_ptr();
            // SAFETY: both ranges lie inside the 64-byte array.
            unsafe { copy_overlapping(p.add(to), p.add(from), n) };
            assert_eq!(b, want, "memmove {from} -> {to}, {n} bytes");
        }
    }

    #[test]
    fn compare_orders_as_unsigned_bytes() {
        let cmp = |a: &[u8], b: &[u8]| {
            assert_eq!(a.len(), b.len());
            // SAFETY: both slices hold len bytes.
            unsafe { compare(a.as_ptr(), b.as_ptr(), a.len()) }
        };
        assert_eq!(cmp(b"", b""), 0);
        assert_eq!(cmp(b"abc", b"abc"), 0);
        assert!(cmp(b"abc", b"abd") < 0);
        assert!(cmp(b"b\0", b"a\xff") > 0);
        assert!(cmp(b"\x80", b"\x7f") > 0, "bytes compare unsigned");
    }

    #[test]
    fn length_stops_at_nul() {
        // SAFETY: NUL-terminated literals.
        unsafe {
            assert_eq!(length(c"".as_ptr()), 0);
            assert_eq!(length(c"hello from io_uring".as_ptr()), 19);
        }
    }
}
