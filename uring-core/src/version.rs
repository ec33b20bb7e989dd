//! Which liburing API this crate mirrors.
//!
//! bare-uring has its own semver version (its `Cargo.toml`); these
//! functions report the version of **liburing's API** it mirrors one to
//! one, so code ported from C that checks `io_uring_major_version()` /
//! `io_uring_check_version()` keeps working: every function and inline
//! helper of liburing 2.15 has a counterpart (see [`crate::liburing_api`]).
//! They are independent of the running kernel, as in liburing.

/// The liburing major version whose API this crate mirrors (2).
pub const VERSION_MAJOR: i32 = 2;
/// The liburing minor version whose API this crate mirrors (15).
pub const VERSION_MINOR: i32 = 15;

/// The liburing major version this crate mirrors: [`VERSION_MAJOR`].
///
/// Mirrors `io_uring_major_version()` (liburing). Kernel: any.
#[inline]
pub const fn major_version() -> i32 {
    VERSION_MAJOR
}

/// The liburing minor version this crate mirrors: [`VERSION_MINOR`].
///
/// Mirrors `io_uring_minor_version()` (liburing). Kernel: any.
#[inline]
pub const fn minor_version() -> i32 {
    VERSION_MINOR
}

/// `true` if `major.minor` is **newer** than the mirrored liburing API,
/// i.e. the check *fails*: liburing's (inverted) convention, kept so
/// ported code reads the same. `check_version(2, 15)` is `false`
/// (satisfied), `check_version(2, 16)` is `true`.
///
/// Mirrors `io_uring_check_version()` (liburing). Kernel: any.
///
/// ```
/// use bare_uring::version::check_version;
/// assert!(!check_version(2, 15));
/// assert!(check_version(3, 0));
/// ```
#[inline]
pub const fn check_version(major: i32, minor: i32) -> bool {
    major > major_version() || (major == major_version() && minor > minor_version())
}
