//! [`Errno`]: the error type of every fallible call in this crate.
//!
//! A transparent `i32` holding a positive Linux errno value. The kernel
//! returns `-errno` from syscalls and in `cqe.res`; [`Errno::from_ret`] and
//! [`Errno::from_res`] convert, and
//! [`Errno::as_res`] / [`Errno::is_res`] go back (`cqe.res == -errno`). `Debug` and `Display` print the symbolic
//! name and its meaning (`EAGAIN: Try again`) without allocating.

use core::fmt;

/// A Linux error number (positive), e.g. [`Errno::EINVAL`].
///
/// `std::error::Error` and `From<Errno> for std::io::Error` need the
/// crate's `std` feature (`bare-uring = { ..., features = ["std"] }`), e.g.
/// for `?` in a `fn main() -> Result<(), Box<dyn std::error::Error>>`.
///
/// ```
/// use bare_uring::Errno;
/// let e = Errno::from_res(-11).unwrap_err();
/// assert_eq!(e, Errno::EAGAIN);
/// assert_eq!(e.name(), Some("EAGAIN"));
/// ```
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub i32);

macro_rules! errno_table {
    ($($name:ident = $val:literal, $desc:literal;)*) => {
        impl Errno {
            $(
                #[doc = $desc]
                pub const $name: Errno = Errno($val);
            )*
            /// The symbolic name (`"EINVAL"`), or `None` for an unknown value.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some(stringify!($name)),)*
                    _ => None,
                }
            }
            /// A short description (`"Invalid argument"`), or `None`.
            pub const fn description(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some($desc),)*
                    _ => None,
                }
            }
        }
    };
}

impl Errno {
    /// `EWOULDBLOCK` is `EAGAIN` on Linux.
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
    /// `EDEADLOCK` is `EDEADLK` on Linux.
    pub const EDEADLOCK: Errno = Errno::EDEADLK;

    /// The raw positive value.
    #[inline]
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// Interpret a raw syscall return (`-4095..=-1` is an error).
    #[inline]
    pub const fn from_ret(ret: isize) -> Result<usize, Errno> {
        if ret < 0 && ret >= -4095 {
            Err(Errno(-ret as i32))
        } else {
            Ok(ret as usize)
        }
    }

    /// Interpret a `cqe.res` (or a 32-bit syscall result): negative is an
    /// error, anything else a value.
    #[inline]
    pub const fn from_res(res: i32) -> Result<u32, Errno> {
        if res < 0 {
            Err(Errno(res.wrapping_neg()))
        } else {
            Ok(res as u32)
        }
    }

    /// This error as the kernel reports it in `cqe.res` and syscall
    /// returns: `-errno` (`Errno::EAGAIN.as_res() == -11`).
    ///
    /// The inverse of [`Errno::from_res`] for errors:
    /// `Errno::from_res(e.as_res()) == Err(e)`.
    #[inline]
    pub const fn as_res(self) -> i32 {
        self.0.wrapping_neg()
    }

    /// True when `res` (a `cqe.res`) is this error: `res == -errno`.
    ///
    /// ```
    /// use bare_uring::{prep, Errno, Ring};
    ///
    /// let mut ring = Ring::queue_init(2, 0)?;
    /// // SAFETY: an fsync points to no memory.
    /// let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
    /// prep::fsync(sqe, -1, 0); // not a file descriptor
    /// ring.submit_and_wait(1)?;
    /// let cqe = ring.wait_cqe()?;
    /// ring.cqe_seen(&cqe);
    /// assert!(Errno::EBADF.is_res(cqe.res));
    /// assert_eq!(Errno::from_res(cqe.res), Err(Errno::EBADF));
    /// # Ok::<(), bare_uring::Errno>(())
    /// ```
    #[inline]
    pub const fn is_res(self, res: i32) -> bool {
        res < 0 && res == self.as_res()
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.description()) {
            (Some(n), Some(d)) => write!(f, "{n}: {d}"),
            _ => write!(f, "unknown errno {}", self.0),
        }
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.0)
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl std::error::Error for Errno {}

// One row per Linux errno (asm-generic numbering, shared by x86_64 and aarch64).
errno_table! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    ESRCH = 3, "No such process";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "I/O error";
    ENXIO = 6, "No such device or address";
    E2BIG = 7, "Argument list too long";
    ENOEXEC = 8, "Exec format error";
    EBADF = 9, "Bad file number";
    ECHILD = 10, "No child processes";
    EAGAIN = 11, "Try again";
    ENOMEM = 12, "Out of memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    ENOTBLK = 15, "Block device required";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    EXDEV = 18, "Cross-device link";
    ENODEV = 19, "No such device";
    ENOTDIR = 20, "Not a directory";
    EISDIR = 21, "Is a directory";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "File table overflow";
    EMFILE = 24, "Too many open files";
    ENOTTY = 25, "Not a typewriter";
    ETXTBSY = 26, "Text file busy";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    ESPIPE = 29, "Illegal seek";
    EROFS = 30, "Read-only file system";
    EMLINK = 31, "Too many links";
    EPIPE = 32, "Broken pipe";
    EDOM = 33, "Math argument out of domain of func";
    ERANGE = 34, "Math result not representable";
    EDEADLK = 35, "Resource deadlock would occur";
    ENAMETOOLONG = 36, "File name too long";
    ENOLCK = 37, "No record locks available";
    ENOSYS = 38, "Invalid system call number";
    ENOTEMPTY = 39, "Directory not empty";
    ELOOP = 40, "Too many symbolic links encountered";
    ENOMSG = 42, "No message of desired type";
    EIDRM = 43, "Identifier removed";
    ECHRNG = 44, "Channel number out of range";
    EL2NSYNC = 45, "Level 2 not synchronized";
    EL3HLT = 46, "Level 3 halted";
    EL3RST = 47, "Level 3 reset";
    ELNRNG = 48, "Link number out of range";
    EUNATCH = 49, "Protocol driver not attached";
    ENOCSI = 50, "No CSI structure available";
    EL2HLT = 51, "Level 2 halted";
    EBADE = 52, "Invalid exchange";
    EBADR = 53, "Invalid request descriptor";
    EXFULL = 54, "Exchange full";
    ENOANO = 55, "No anode";
    EBADRQC = 56, "Invalid request code";
    EBADSLT = 57, "Invalid slot";
    EBFONT = 59, "Bad font file format";
    ENOSTR = 60, "Device not a stream";
    ENODATA = 61, "No data available";
    ETIME = 62, "Timer expired";
    ENOSR = 63, "Out of streams resources";
    ENONET = 64, "Machine is not on the network";
    ENOPKG = 65, "Package not installed";
    EREMOTE = 66, "Object is remote";
    ENOLINK = 67, "Link has been severed";
    EADV = 68, "Advertise error";
    ESRMNT = 69, "Srmount error";
    ECOMM = 70, "Communication error on send";
    EPROTO = 71, "Protocol error";
    EMULTIHOP = 72, "Multihop attempted";
    EDOTDOT = 73, "RFS specific error";
    EBADMSG = 74, "Not a data message";
    EOVERFLOW = 75, "Value too large for defined data type";
    ENOTUNIQ = 76, "Name not unique on network";
    EBADFD = 77, "File descriptor in bad state";
    EREMCHG = 78, "Remote address changed";
    ELIBACC = 79, "Can not access a needed shared library";
    ELIBBAD = 80, "Accessing a corrupted shared library";
    ELIBSCN = 81, ".lib section in a.out corrupted";
    ELIBMAX = 82, "Attempting to link in too many shared libraries";
    ELIBEXEC = 83, "Cannot exec a shared library directly";
    EILSEQ = 84, "Illegal byte sequence";
    ERESTART = 85, "Interrupted system call should be restarted";
    ESTRPIPE = 86, "Streams pipe error";
    EUSERS = 87, "Too many users";
    ENOTSOCK = 88, "Socket operation on non-socket";
    EDESTADDRREQ = 89, "Destination address required";
    EMSGSIZE = 90, "Message too long";
    EPROTOTYPE = 91, "Protocol wrong type for socket";
    ENOPROTOOPT = 92, "Protocol not available";
    EPROTONOSUPPORT = 93, "Protocol not supported";
    ESOCKTNOSUPPORT = 94, "Socket type not supported";
    EOPNOTSUPP = 95, "Operation not supported on transport endpoint";
    EPFNOSUPPORT = 96, "Protocol family not supported";
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    EADDRINUSE = 98, "Address already in use";
    EADDRNOTAVAIL = 99, "Cannot assign requested address";
    ENETDOWN = 100, "Network is down";
    ENETUNREACH = 101, "Network is unreachable";
    ENETRESET = 102, "Network dropped connection because of reset";
    ECONNABORTED = 103, "Software caused connection abort";
    ECONNRESET = 104, "Connection reset by peer";
    ENOBUFS = 105, "No buffer space available";
    EISCONN = 106, "Transport endpoint is already connected";
    ENOTCONN = 107, "Transport endpoint is not connected";
    ESHUTDOWN = 108, "Cannot send after transport endpoint shutdown";
    ETOOMANYREFS = 109, "Too many references: cannot splice";
    ETIMEDOUT = 110, "Connection timed out";
    ECONNREFUSED = 111, "Connection refused";
    EHOSTDOWN = 112, "Host is down";
    EHOSTUNREACH = 113, "No route to host";
    EALREADY = 114, "Operation already in progress";
    EINPROGRESS = 115, "Operation now in progress";
    ESTALE = 116, "Stale file handle";
    EUCLEAN = 117, "Structure needs cleaning";
    ENOTNAM = 118, "Not a XENIX named type file";
    ENAVAIL = 119, "No XENIX semaphores available";
    EISNAM = 120, "Is a named type file";
    EREMOTEIO = 121, "Remote I/O error";
    EDQUOT = 122, "Quota exceeded";
    ENOMEDIUM = 123, "No medium found";
    EMEDIUMTYPE = 124, "Wrong medium type";
    ECANCELED = 125, "Operation Canceled";
    ENOKEY = 126, "Required key not available";
    EKEYEXPIRED = 127, "Key has expired";
    EKEYREVOKED = 128, "Key has been revoked";
    EKEYREJECTED = 129, "Key was rejected by service";
    EOWNERDEAD = 130, "Owner died";
    ENOTRECOVERABLE = 131, "State not recoverable";
    ERFKILL = 132, "Operation not possible due to RF-kill";
    EHWPOISON = 133, "Memory page has hardware error";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_conversions() {
        assert_eq!(Errno::from_ret(-22), Err(Errno::EINVAL));
        assert_eq!(Errno::from_ret(5), Ok(5));
        assert_eq!(Errno::from_ret(-4096), Ok((-4096isize) as usize));
        assert_eq!(Errno::from_res(-125), Err(Errno::ECANCELED));
        assert_eq!(Errno::from_res(i32::MIN), Err(Errno(i32::MIN)));
        assert_eq!(Errno::EBADFD.name(), Some("EBADFD"));
        assert_eq!(Errno(9999).name(), None);
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno::EAGAIN.as_res(), -11);
        assert_eq!(
            Errno::from_res(Errno::ECANCELED.as_res()),
            Err(Errno::ECANCELED)
        );
        assert!(Errno::EINTR.is_res(-4));
        assert!(!Errno::EINTR.is_res(4));
        assert!(!Errno::EINTR.is_res(-5));
        // A negative "errno" (never produced by from_res) matches nothing.
        assert!(!Errno(-3).is_res(3));
    }
}
