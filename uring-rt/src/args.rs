//! [`Args`]: the process's arguments, environment and auxiliary vector,
//! read where the kernel left them, on the initial stack.

use core::ffi::{c_char, CStr};

/// `AT_PAGESZ`: the auxiliary-vector key of the system page size.
pub const AT_PAGESZ: usize = 6;

/// The initial stack as the kernel set it up for `main`: `argc`, then
/// `argv[0..argc]` and a NULL, the environment pointers and a NULL, then
/// the auxiliary vector's (key, value) pairs ending with key 0 (System V
/// ABI, "Process Initialization"; the same on every Linux architecture).
///
/// Reading costs nothing until asked: `Args` is the stack pointer, and
/// each method walks from it. The strings live for the whole process
/// (hence `&'static CStr`).
#[derive(Clone, Copy, Debug)]
pub struct Args {
    sp: *const usize,
}

impl Args {
    /// Wraps an initial stack.
    ///
    /// The kit's `_start` calls it; tests and programs with their own entry
    /// point may too.
    ///
    /// # Safety
    /// `sp` points to a stack laid out as described at [`Args`] (argc,
    /// argv with its NULL, envp with its NULL, auxv ending with key 0),
    /// which, with every string it points to, stays valid and unchanged for
    /// the rest of the process (the strings are handed out as
    /// `&'static CStr`, which callers may keep); every `argv`/`envp` entry
    /// before the NULL points to a NUL-terminated string. The initial stack
    /// a `_start` receives is such a stack.
    pub const unsafe fn from_raw(sp: *const usize) -> Args {
        Args { sp }
    }

    /// `argc`: the number of arguments, the program's name included.
    #[inline]
    pub fn argc(&self) -> usize {
        // SAFETY: argc is the first word of the initial stack (from_raw).
        unsafe { *self.sp }
    }

    /// `argv`: `argc` pointers to NUL-terminated strings, then NULL.
    #[inline]
    pub fn argv(&self) -> *const *const c_char {
        self.sp.wrapping_add(1).cast()
    }

    /// Argument `i` (0 is the program's name), or `None` if `i >= argc`.
    ///
    /// Building the `CStr` measures the string (`strlen`); a program that
    /// only passes it on to the kernel may use [`argv`](Self::argv) instead.
    #[inline]
    pub fn arg(&self, i: usize) -> Option<&'static CStr> {
        if i >= self.argc() {
            return None;
        }
        // SAFETY: i < argc, so argv[i] is a pointer to a NUL-terminated
        // string that lives as long as the process (from_raw).
        Some(unsafe { CStr::from_ptr(*self.argv().add(i)) })
    }

    /// `envp`: pointers to `NAME=value` strings, then NULL.
    #[inline]
    pub fn envp(&self) -> *const *const c_char {
        self.sp.wrapping_add(self.argc() + 2).cast()
    }

    /// The value of auxiliary-vector entry `key` (`AT_*` of
    /// `<linux/auxvec.h>`, e.g. [`AT_PAGESZ`]), or `None` if the kernel
    /// passed none.
    pub fn auxv(&self, key: usize) -> Option<usize> {
        // SAFETY: from envp, the words up to its NULL, then (key, value)
        // pairs up to key 0, are all part of the initial stack (from_raw);
        // every read below stops at those terminators.
        unsafe {
            let mut p = self.envp().cast::<usize>();
            while *p != 0 {
                p = p.add(1);
            }
            p = p.add(1);
            while *p != 0 {
                if *p == key {
                    return Some(*p.add(1));
                }
                p = p.add(2);
            }
        }
        None
    }

    /// The kernel's page size: [`AT_PAGESZ`]; where Linux has only 4 KiB
    /// pages (x86_64, riscv64, s390x: [`bare_uring::ring::PAGE_SIZE`] is
    /// 4096) that constant, without a walk. Without `AT_PAGESZ` (Linux
    /// always passes it), `PAGE_SIZE`, the largest page of the
    /// architecture.
    #[inline]
    pub fn page_size(&self) -> usize {
        use bare_uring::ring::PAGE_SIZE;
        if PAGE_SIZE == 4096 {
            return PAGE_SIZE;
        }
        self.auxv(AT_PAGESZ).unwrap_or(PAGE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An initial stack: argc 2, two arguments, one environment string,
    /// an auxv with AT_PAGESZ 16384 and an unrelated key.
    fn with_stack<R>(f: impl FnOnce(Args) -> R) -> R {
        let a0 = c"prog";
        let a1 = c"arg one";
        let e0 = c"HOME=/";
        let stack: [usize; 11] = [
            2,
            a0.as_ptr() as usize,
            a1.as_ptr() as usize,
            0,
            e0.as_ptr() as usize,
            0,
            33, // AT_SYSINFO_EHDR
            0xdead,
            AT_PAGESZ,
            16384,
            0,
        ];
        // SAFETY: `stack` has the layout Args describes and outlives `f`;
        // the strings are NUL-terminated literals.
        f(unsafe { Args::from_raw(stack.as_ptr()) })
    }

    #[test]
    fn reads_arguments() {
        with_stack(|a| {
            assert_eq!(a.argc(), 2);
            assert_eq!(a.arg(0), Some(c"prog"));
            assert_eq!(a.arg(1), Some(c"arg one"));
            assert_eq!(a.arg(2), None);
            // SAFETY: argv[argc] is the terminating NULL of the array.
            assert!(unsafe { *a.argv().add(2) }.is_null());
        });
    }

    #[test]
    fn reads_environment_and_auxv() {
        with_stack(|a| {
            // SAFETY: envp[0] is a NUL-terminated string, envp[1] NULL.
            unsafe {
                assert_eq!(CStr::from_ptr(*a.envp()), c"HOME=/");
                assert!((*a.envp().add(1)).is_null());
            }
            assert_eq!(a.auxv(33), Some(0xdead));
            assert_eq!(a.auxv(AT_PAGESZ), Some(16384));
            assert_eq!(a.auxv(7), None);
            let expect = if bare_uring::ring::PAGE_SIZE == 4096 {
                4096
            } else {
                16384
            };
            assert_eq!(a.page_size(), expect);
        });
    }
}
